#include "ring_fuzz.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "guest_memory.h"
#include "split_queue.h"

namespace vc::backend::fuzz {

int RunRingInput(const uint8_t* data, size_t size) {
  if (size < kHeader) return 0;
  // Exactly kMemSize bytes on the heap: any access past the region is a heap overflow for ASan.
  std::unique_ptr<uint8_t[]> mem(new uint8_t[kMemSize]());
  const size_t body = size - kHeader;
  std::memcpy(mem.get(), data + kHeader, body < kMemSize ? body : kMemSize);

  GuestMemory gm;
  std::string err;
  if (!gm.AddRegion({0, kMemSize, kUserBase, mem.get()}, &err)) std::abort();
  VringLayout layout;
  layout.num = 1u << (data[0] % 9);
  layout.event_idx = (data[1] & 1) != 0;
  layout.indirect = (data[1] & 2) != 0;
  layout.desc_user = kUserBase + kDescOff;
  layout.avail_user = kUserBase + kAvailOff;
  layout.used_user = kUserBase + kUsedOff;
  const uint16_t base = static_cast<uint16_t>(data[2] | (data[3] << 8));

  SplitQueue q;
  if (!q.Attach(&gm, layout, base, &err)) return 0;
  const uint8_t* lo = mem.get();
  const uint8_t* hi = mem.get() + kMemSize;
  for (int i = 0; i < 2 * 256; ++i) {
    DescChain chain;
    const PopStatus st = q.Pop(&chain, &err);
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
    q.PushUsed(chain.head, static_cast<uint32_t>(written));
    (void)q.ShouldNotify();
    if (i % 3 == 0) (void)q.ArmKick();
  }
  return 0;
}

}  // namespace vc::backend::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return vc::backend::fuzz::RunRingInput(data, size);
}
