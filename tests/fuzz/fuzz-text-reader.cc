// Fuzz target: the streaming text reader with every shipped map over arbitrary bytes (non-UTF-8,
// NULs, CRs, long lines, lines without a final newline).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trace/map-load.h"
#include "trace/text-reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::vector<std::shared_ptr<const vc::MapFile>> maps = [] {
    vc::Diagnostics d;
    return vc::loadAllMaps({VCONFORM_SOURCE_DIR "/specs/maps"}, d);
  }();
  for (const auto& m : maps) {
    vc::TraceTables t;
    vc::Diagnostics d;
    uint32_t src = t.sources.add(vc::Source::make("fuzz.log", m->format, 0));
    vc::ReaderOptions o;
    o.maxLineBytes = 1u << 16;
    vc::TextTraceReader r(vc::Input::fromBytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.log"), m,
                          src, t, d, o);
    vc::Event ev;
    uint64_t last = 0;
    while (r.next(ev)) {
      if (ev.origin.line <= last) __builtin_trap();  // line numbers strictly increase
      last = ev.origin.line;
    }
    for (const auto& x : d.all()) (void)vc::render(x);
  }
  return 0;
}
