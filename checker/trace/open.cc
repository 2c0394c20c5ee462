#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "trace/formats.h"
#include "trace/reader.h"
#include "trace/text-reader.h"

namespace vc {

std::unique_ptr<TraceReader> openTrace(const std::string& path, const ReaderOptions& opts, TraceTables& tables,
                                       Diagnostics& diags) {
  const auto& formats = traceFormats();
  struct stat st {};
  bool isDir = false;
  if (path != "-") {
    if (::stat(path.c_str(), &st) != 0) {
      diags.error("trace-open", Location{path, 0, 0}, "no such trace file or directory", "check the path");
      return nullptr;
    }
    isDir = S_ISDIR(st.st_mode);
  }
  const TraceFormat* chosen = nullptr;
  ReaderOptions local;  // a map named as the format: --input-format qemu, or a .map.json path
  const ReaderOptions* use = &opts;
  if (opts.format != "auto") {
    for (const auto& f : formats)
      if (opts.format == f.name) chosen = &f;
    if (!chosen && isTextMapName(opts.format, opts.mapDirs)) {
      for (const auto& f : formats)
        if (std::string_view(f.name) == "text") chosen = &f;
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
  } else {
    std::string head;
    if (!isDir && path != "-") {
      std::FILE* f = std::fopen(path.c_str(), "rb");
      if (!f) {
        diags.error("trace-open", Location{path, 0, 0}, "cannot open the trace file", "check the path and permissions");
        return nullptr;
      }
      head.resize(64 * 1024);
      head.resize(std::fread(head.data(), 1, head.size(), f));
      std::fclose(f);
    } else if (path == "-") {
      head = "{";  // stdin: JSON unless --input-format says otherwise
    }
    // An empty (or blank) file is an empty trace: read it as JSON, which yields no events.
    if (!isDir && head.find_first_not_of(" \t\r\n") == std::string::npos)
      for (const auto& f : formats)
        if (std::string_view(f.name) == "json") chosen = &f;
    for (const auto& f : formats) {
      if (chosen) break;
      if (f.sniff(path, isDir, head)) chosen = &f;
    }
    if (!chosen) {
      bool binary = head.find('\0') != std::string::npos;
      diags.error("trace-format", Location{path, 0, 0},
                  binary ? "this file looks binary and matches no known trace format"
                         : "cannot tell the format of this trace",
                  "name it with --input-format (see `vconform check --help`)");
      return nullptr;
    }
  }
  uint32_t source = tables.sources.add(Source::make(path, chosen->name, opts.clockOffsetNs));
  return chosen->open(path, *use, source, tables, diags);
}

}  // namespace vc
