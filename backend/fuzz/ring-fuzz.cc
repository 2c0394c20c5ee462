#include "ring-fuzz.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "guest-memory.h"
#include "split-queue.h"

namespace vc::backend::fuzz {

int runRingInput(const uint8_t* data, size_t size) {
  if (size < kHeader) return 0;
  // Exactly kMemSize bytes on the heap: any access past the region is a heap overflow for ASan.
  std::unique_ptr<uint8_t[]> mem(new uint8_t[kMemSize]());
  const size_t body = size - kHeader;
  std::memcpy(mem.get(), data + kHeader, body < kMemSize ? body : kMemSize);

  GuestMemory gm;
  std::string err;
  if (!gm.addRegion({0, kMemSize, kUserBase, mem.get()}, &err)) std::abort();
  VringLayout layout;
  layout.num = 1u << (data[0] % 9);
  layout.event_idx = (data[1] & 1) != 0;
  layout.indirect = (data[1] & 2) != 0;
  layout.desc_user = kUserBase + kDescOff;
  layout.avail_user = kUserBase + kAvailOff;
  layout.used_user = kUserBase + kUsedOff;
  const uint16_t base = static_cast<uint16_t>(data[2] | (data[3] << 8));

  SplitQueue q;
  if (!q.attach(&gm, layout, base, &err)) return 0;
  const uint8_t* lo = mem.get();
  const uint8_t* hi = mem.get() + kMemSize;
  for (int i = 0; i < 2 * 256; ++i) {
    DescChain chain;
    const PopStatus st = q.pop(&chain, &err);
    if (st != PopStatus::kOk) break;
    uint64_t written = 0;
    for (const BufferSegment& s : chain.segments) {
      if (s.host < lo || s.host > hi || s.len > static_cast<size_t>(hi - s.host)) std::abort();
      if (s.writable) {
        std::memset(s.host, 0x5a, s.len);
        written += s.len;
      } else {
        volatile uint8_t sink = 0;
        for (uint32_t k = 0; k < s.len; ++k) sink = sink ^ s.host[k];
      }
    }
    q.pushUsed(chain.head, static_cast<uint32_t>(written));
    (void)q.shouldNotify();
    if (i % 3 == 0) (void)q.armKick();
  }
  return 0;
}

}  // namespace vc::backend::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return vc::backend::fuzz::runRingInput(data, size);
}

namespace {
using namespace vc::backend;
using namespace vc::backend::fuzz;

void put(std::vector<uint8_t>& in, uint64_t mem_off, const void* p, size_t n) {
  const size_t at = kHeader + mem_off;
  if (in.size() < at + n) in.resize(at + n);
  std::memcpy(in.data() + at, p, n);
}

}  // namespace

// The replay driver's generator for this target: a plausible ring (chains, some indirect, of
// in-range buffers), then a few random corruptions.
std::vector<uint8_t> generateInput(std::mt19937_64& rng) {
  using namespace vc::backend;
  using namespace vc::backend::fuzz;
  const uint32_t exp = rng() % 6;  // num 1..32
  const uint32_t num = 1u << exp;
  std::vector<uint8_t> in(kHeader + 0x2000, 0);
  in[0] = static_cast<uint8_t>(exp);
  in[1] = static_cast<uint8_t>(rng() % 4);
  const uint16_t base = static_cast<uint16_t>(rng() % 4 == 0 ? 65535 - rng() % 4 : rng() % 8);
  in[2] = static_cast<uint8_t>(base & 0xff);
  in[3] = static_cast<uint8_t>(base >> 8);
  for (uint32_t i = 0; i < num; ++i) {
    VringDesc d{0x2000 + 0x40 * (rng() % 64), static_cast<uint32_t>(rng() % 0x80),
                static_cast<uint16_t>(rng() % 2 ? kDescFlagWrite : 0), static_cast<uint16_t>(rng() % num)};
    if (rng() % 3 == 0) d.flags |= kDescFlagNext;
    if (rng() % 8 == 0) {
      // Indirect table in the data area.
      const uint32_t n = 1 + rng() % 4;
      d = VringDesc{0x3000 + 0x100 * (rng() % 8), 16 * n, kDescFlagIndirect, 0};
      for (uint32_t k = 0; k < n; ++k) {
        VringDesc id{0x2000 + 0x40 * (rng() % 64), static_cast<uint32_t>(rng() % 0x40), kDescFlagWrite,
                     static_cast<uint16_t>(k + 1)};
        if (k + 1 < n) id.flags |= kDescFlagNext;
        put(in, d.addr + 16 * k, &id, sizeof id);
      }
    }
    put(in, kDescOff + 16 * i, &d, sizeof d);
  }
  const uint16_t avail = static_cast<uint16_t>(base + rng() % (num + 1));
  put(in, kAvailOff + 2, &avail, 2);
  for (uint32_t i = 0; i < num; ++i) {
    const uint16_t head = static_cast<uint16_t>(rng() % num);
    put(in, kAvailOff + 4 + 2 * i, &head, 2);
  }
  const int flips = static_cast<int>(rng() % 6);
  for (int f = 0; f < flips; ++f) in[rng() % in.size()] = static_cast<uint8_t>(rng());
  in.resize(kHeader + rng() % (in.size() - kHeader + 1));
  return in;
}
