// Fuzz target: Rust tracing JSON lines, one record per input line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "trace/text-tracing-json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  vc::TraceTables t;
  t.sources.add(vc::Source::make("fuzz.jsonl", "tracing-json"));
  vc::Event ev;
  std::string err;
  uint32_t col;
  size_t i = 0;
  while (i <= all.size()) {
    size_t e = all.find('\n', i);
    if (e == std::string_view::npos) e = all.size();
    vc::parseTracingJsonLine(all.substr(i, e - i), "message", 0, t, ev, err, col);
    i = e + 1;
  }
  (void)vc::sniffTracingJson(all);
  return 0;
}
