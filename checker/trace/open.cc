// openTrace(): one input opened once, its format named or sniffed from its first decoded bytes,
// then handed (with what was peeked) to the reader of that format.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "trace/formats.h"
#include "trace/map-load.h"
#include "trace/reader-thread.h"
#include "trace/reader.h"

namespace vc {

namespace {

const TraceFormat* formatNamed(std::string_view name) {
  for (const auto& f : traceFormats())
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace

std::unique_ptr<TraceReader> openTrace(const std::string& path, const ReaderOptions& opts, TraceTables& tables,
                                       Diagnostics& diags) {
  if (opts.readerThread) return openTraceOnThread(path, opts, tables, diags);
  const auto& formats = traceFormats();
  bool isDir = false;
  if (path != "-") {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR)
        diags.error("trace-open", Location{path, 0, 0}, "no such trace file or directory", "check the path");
      else
        diags.error("trace-open", Location{path, 0, 0}, std::string("cannot open the trace: ") + std::strerror(errno),
                    "check the path and permissions");
      return nullptr;
    }
    isDir = S_ISDIR(st.st_mode);
  }
  const TraceFormat* chosen = nullptr;
  ReaderOptions local;  // a map named as the format: --input-format qemu, or a .map.json path
  const ReaderOptions* use = &opts;
  if (opts.format != "auto") {
    chosen = formatNamed(opts.format);
    if (!chosen && isTextMapName(opts.format, opts.mapDirs)) {
      chosen = formatNamed("text");
      local = opts;
      local.map = opts.format;
      local.format = "text";
      use = &local;
    }
    if (!chosen) {
      std::string names;
      for (const auto& f : formats) names += std::string(names.empty() ? "" : ", ") + f.name;
      diags.error("flag-format", Location{}, "unknown input format '" + opts.format + "'",
                  "known formats: auto, " + names + ", or the name of a map file (specs/maps/NAME.map.json)");
      return nullptr;
    }
  }
  if (isDir) {
    if (!chosen) {
      for (const auto& f : formats)
        if (!chosen && f.sniff(path, true, {})) chosen = &f;
      if (!chosen) {
        diags.error("trace-format", Location{path, 0, 0},
                    "this directory is not a trace: no CTF `metadata` file is at or below it",
                    "pass an LTTng trace directory (lttng create --output=DIR), or a trace file");
        return nullptr;
      }
    } else if (std::string_view(chosen->name) != "ctf") {
      diags.error(
          "trace-open", Location{path, 0, 0},
          "this is a directory: only a CTF trace can be a directory, not format '" + std::string(chosen->name) + "'",
          "pass a trace file, or leave out --input-format for an LTTng trace directory");
      return nullptr;
    }
    uint32_t source = tables.sources.add(Source::make(path, chosen->name, opts.clockOffsetNs));
    return chosen->open(nullptr, path, *use, source, tables, diags);
  }
  auto in = Input::open(path, diags);
  if (!in) return nullptr;
  if (!chosen) {
    std::string_view head = in->peek(kSniffBytes);
    if (in->failed()) {
      diags.error("trace-read", Location{path, 0, 0}, in->error(), "check that the file is readable and not corrupt");
      return nullptr;
    }
    // An empty (or blank) input is an empty trace: read it as JSON, which yields no events.
    if (head.find_first_not_of(" \t\r\n") == std::string_view::npos) chosen = formatNamed("json");
    for (const auto& f : formats) {
      if (chosen) break;
      if (f.sniff(path, false, head)) chosen = &f;
    }
    if (!chosen) {
      bool binary = head.find('\0') != std::string_view::npos;
      diags.error(
          "trace-format", Location{path, 0, 0},
          binary ? "this file looks binary and matches no known trace format" : "cannot tell the format of this trace",
          "name it with --input-format (see `vconform check --help`)");
      return nullptr;
    }
  }
  uint32_t source = tables.sources.add(Source::make(path, chosen->name, opts.clockOffsetNs));
  tables.sources.at(source).compression = compressionName(in->compression());
  return chosen->open(std::move(in), path, *use, source, tables, diags);
}

}  // namespace vc
