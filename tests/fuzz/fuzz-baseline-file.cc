// Fuzz target: the baseline reader (--baseline FILE) must never crash, whatever the file says;
// a broken baseline is a diagnostic. A file it accepts is written back (--write-baseline's
// format) and read again to the same identities and counts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/baseline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vc::Diagnostics d;
  vc::Baseline b;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (vc::parseBaseline("fuzz.baseline.json", text, b, d)) {
    std::vector<vc::BaselineEntry> entries;
    for (const auto& [key, e] : b.entries) {
      vc::BaselineEntry x = e;
      x.count = b.remaining.at(key);
      entries.push_back(x);
    }
    vc::Diagnostics d2;
    vc::Baseline again;
    if (!vc::parseBaseline("again.json", vc::baselineText(entries), again, d2)) std::abort();
    if (again.remaining != b.remaining) std::abort();
  }
  for (const auto& x : d.all()) (void)vc::render(x);
  return 0;
}
