#include "trace/formats.h"

#include <cstdio>

#include "trace/json-reader.h"
#ifdef VCONFORM_HAVE_CTF
#include "trace/ctf-reader.h"
#endif
#include "trace/text-reader.h"
#include "trace/text-tracing-json.h"

namespace vc {

namespace {

bool sniffJson(const std::string&, bool isDir, std::string_view head) {
  if (isDir) return false;
  size_t i = 0;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) ++i;
  return i < head.size() && (head[i] == '{' || head[i] == '[');
}

std::unique_ptr<TraceReader> openJson(std::unique_ptr<Input> in, const std::string&, const ReaderOptions& opts,
                                      uint32_t source, TraceTables& tables, Diagnostics& diags) {
  return std::make_unique<JsonTraceReader>(std::move(in), source, tables, diags, opts);
}

// Text sources through map files (text-reader.h). "text" picks the map from the content (or
// ReaderOptions::map); the named entries force one shipped map.
// Any text that does not look like JSON ('{', or '[' followed by '{' or ']'); dmesg and Rust
// logs start with '[' too. The map is chosen in openTextTrace().
bool sniffText(const std::string&, bool isDir, std::string_view head) {
  if (isDir || head.empty() || head.find('\0') != std::string_view::npos) return false;
  auto skip = [&](size_t i) {
    while (i < head.size() && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) ++i;
    return i;
  };
  size_t i = head.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  i = skip(i);
  if (i >= head.size() || head[i] == '{') return false;
  if (head[i] == '[') {
    size_t j = skip(i + 1);
    if (j >= head.size() || head[j] == '{' || head[j] == ']') return false;
  }
  return true;
}
bool sniffTracing(const std::string&, bool isDir, std::string_view head) { return !isDir && sniffTracingJson(head); }

bool sniffNever(const std::string&, bool, std::string_view) { return false; }

std::unique_ptr<TraceReader> openText(std::unique_ptr<Input> in, const std::string&, const ReaderOptions& opts,
                                      uint32_t source, TraceTables& tables, Diagnostics& diags) {
  return openTextTrace(std::move(in), opts, opts.map, source, tables, diags);
}
template <const char* Name>
std::unique_ptr<TraceReader> openNamedText(std::unique_ptr<Input> in, const std::string&, const ReaderOptions& opts,
                                           uint32_t source, TraceTables& tables, Diagnostics& diags) {
  return openTextTrace(std::move(in), opts, Name, source, tables, diags);
}
constexpr char kDmesg[] = "dmesg";
constexpr char kQemu[] = "qemu";
constexpr char kFtrace[] = "ftrace";
constexpr char kEnvLogger[] = "env_logger";

#ifdef VCONFORM_HAVE_CTF
// A directory with a `metadata` file at or below it (LTTng writes DIR/ust/uid/0/64-bit/metadata),
// or a CTF metadata file itself.
bool sniffCtf(const std::string& path, bool isDir, std::string_view head) {
  if (isDir) return !findCtfTraceDirs(path).empty();
  return path.ends_with("metadata") &&
         (head.starts_with("/* CTF") || head.starts_with("\x57\x1d\xd1\x75") || head.starts_with("\x75\xd1\x1d\x57"));
}
std::unique_ptr<TraceReader> openCtf(std::unique_ptr<Input>, const std::string& path, const ReaderOptions& opts,
                                     uint32_t source, TraceTables& tables, Diagnostics& diags) {
  return openCtfTrace(path, opts, source, tables, diags);
}
#endif

}  // namespace

const std::vector<TraceFormat>& traceFormats() {
  static const std::vector<TraceFormat> formats = {
#ifdef VCONFORM_HAVE_CTF
      {"ctf", "LTTng / CTF 1.8 trace directory (or a folder of several traces), read with libbabeltrace2", sniffCtf,
       openCtf},
#endif
      {"tracing-json", "Rust tracing-subscriber JSON lines (timestamp, level, fields.message, threadId)", sniffTracing,
       openTracingJsonTrace},
      // Any text that is not JSON, with the map chosen from its first lines.
      {"text", "any text log through a map file (--maps DIR, specs/maps), chosen from the content", sniffText,
       openText},
      {"json", "vconform JSON trace v1: JSON Lines, a JSON array, or {\"events\": [...]}", sniffJson, openJson},
      {"dmesg", "Linux kernel log (dmesg, journalctl -k, /dev/kmsg shapes) via specs/maps/dmesg.map.json", sniffNever,
       openNamedText<kDmesg>},
      {"qemu", "QEMU -trace log backend (tid@sec.usec:, bare, ISO shapes) via specs/maps/qemu.map.json", sniffNever,
       openNamedText<kQemu>},
      {"ftrace", "ftrace text (function tracer, trace_pipe) via specs/maps/ftrace.map.json", sniffNever,
       openNamedText<kFtrace>},
      {"env_logger", "Rust env_logger lines via specs/maps/env_logger.map.json", sniffNever, openNamedText<kEnvLogger>},
  };
  return formats;
}

}  // namespace vc
