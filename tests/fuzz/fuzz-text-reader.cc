// Fuzz target: the streaming text reader with every shipped map over arbitrary bytes (non-UTF-8,
// NULs, CRs, long lines, lines without a final newline).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "trace/text-reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::vector<std::shared_ptr<const vc::MapFile>> maps = [] {
    vc::Diagnostics d;
    return vc::loadAllMaps({}, d);
  }();
  for (const auto& m : maps) {
    int fd = ::memfd_create("fuzz", MFD_CLOEXEC);
    if (fd < 0) return 0;
    size_t off = 0;
    while (off < size) {
      ssize_t n = ::write(fd, data + off, size - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::lseek(fd, 0, SEEK_SET);
    vc::TraceTables t;
    vc::Diagnostics d;
    uint32_t src = t.sources.add(vc::Source::make("fuzz.log", m->format));
    vc::TextTraceReader r(fd, m, src, t, d, 1u << 16);
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
