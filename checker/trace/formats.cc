#include "trace/formats.h"

#include <cstdio>

#include "trace/json-reader.h"

namespace vc {

namespace {

bool sniffJson(const std::string&, bool isDir, std::string_view head) {
  if (isDir) return false;
  size_t i = 0;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) ++i;
  return i < head.size() && (head[i] == '{' || head[i] == '[');
}

std::unique_ptr<TraceReader> openJson(const std::string& path, const ReaderOptions&, uint32_t source,
                                      TraceTables& tables, Diagnostics& diags) {
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    diags.error("trace-open", Location{path, 0, 0}, "cannot open the trace file", "check the path and permissions");
    return nullptr;
  }
  return std::make_unique<JsonTraceReader>(f, source, tables, diags);
}

}  // namespace

const std::vector<TraceFormat>& traceFormats() {
  static const std::vector<TraceFormat> formats = {
      {"json", "vconform JSON trace v1: JSON Lines, a JSON array, or {\"events\": [...]}", sniffJson, openJson},
  };
  return formats;
}

}  // namespace vc
