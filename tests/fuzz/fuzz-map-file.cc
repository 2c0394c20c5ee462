// Fuzz target: the map-file loader (JSON, regexes, fields, samples) must never crash, whatever
// the file says; broken maps are diagnostics.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "trace/map-load.h"
#include "trace/map-match.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vc::Diagnostics d;
  auto m = vc::loadMapText("fuzz.map.json", std::string_view(reinterpret_cast<const char*>(data), size), d);
  if (m) {
    // A loaded map must map its own regex texts without trouble.
    vc::TraceTables t;
    t.sources.add(vc::Source::make("x", m->format));
    vc::LineMapper mapper(m, t);
    vc::Event ev;
    vc::FieldError fe;
    for (const auto& p : m->patterns) mapper.map(p.regexText, 0, ev, fe);
  }
  for (const auto& x : d.all()) (void)vc::render(x);
  return 0;
}
