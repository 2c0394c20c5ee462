// Test helper: one guest memory region (heap buffer, exactly its size so ASan catches overruns)
// holding a split ring at fixed offsets, addressed by distinct guest-physical and front-end
// virtual bases so that mixing the two address spaces is caught.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "guest-memory.h"
#include "split-queue.h"

namespace vc::backend::testing {

class FakeRing {
 public:
  static constexpr uint64_t kGpa = 0x100000;
  static constexpr uint64_t kUva = 0x7f0000000000;
  static constexpr uint64_t kDescOff = 0x0;
  static constexpr uint64_t kAvailOff = 0x1000;
  static constexpr uint64_t kUsedOff = 0x2000;
  static constexpr uint64_t kDataOff = 0x4000;

  explicit FakeRing(uint32_t num, size_t size = 0x10000) : num_(num), bytes_(new uint8_t[size]()), size_(size) {
    MemoryRegion r{kGpa, size, kUva, bytes_.get()};
    std::string err;
    mem_.addRegion(r, &err);
  }

  VringLayout layout(bool event_idx = false, bool indirect = true) const {
    VringLayout l;
    l.num = num_;
    l.desc_user = kUva + kDescOff;
    l.avail_user = kUva + kAvailOff;
    l.used_user = kUva + kUsedOff;
    l.event_idx = event_idx;
    l.indirect = indirect;
    return l;
  }

  void setDesc(uint32_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    VringDesc d{addr, len, flags, next};
    std::memcpy(bytes_.get() + kDescOff + 16 * i, &d, sizeof d);
  }
  // Writes a descriptor into an arbitrary guest-physical place (indirect tables).
  void setDescAt(uint64_t gpa, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    VringDesc d{addr, len, flags, next};
    std::memcpy(bytes_.get() + (gpa - kGpa), &d, sizeof d);
  }
  void offer(uint16_t head) {
    const uint16_t idx = availIdx();
    put16(kAvailOff + 4 + 2 * (idx % num_), head);
    put16(kAvailOff + 2, static_cast<uint16_t>(idx + 1));
  }
  uint16_t availIdx() const { return get16(kAvailOff + 2); }
  void setAvailIdx(uint16_t v) { put16(kAvailOff + 2, v); }
  void setAvailFlags(uint16_t v) { put16(kAvailOff, v); }
  void setUsedEvent(uint16_t v) { put16(kAvailOff + 4 + 2 * num_, v); }
  uint16_t usedIdx() const { return get16(kUsedOff + 2); }
  uint16_t availEvent() const { return get16(kUsedOff + 4 + 8 * num_); }
  uint32_t usedId(uint16_t slot) const { return get32(kUsedOff + 4 + 8 * (slot % num_)); }
  uint32_t usedLen(uint16_t slot) const { return get32(kUsedOff + 8 + 8 * (slot % num_)); }

  const GuestMemory& mem() const { return mem_; }
  uint8_t* bytes() { return bytes_.get(); }
  size_t size() const { return size_; }
  static uint64_t data(uint64_t off) { return kGpa + kDataOff + off; }

 private:
  void put16(uint64_t off, uint16_t v) { std::memcpy(bytes_.get() + off, &v, 2); }
  uint16_t get16(uint64_t off) const {
    uint16_t v;
    std::memcpy(&v, bytes_.get() + off, 2);
    return v;
  }
  uint32_t get32(uint64_t off) const {
    uint32_t v;
    std::memcpy(&v, bytes_.get() + off, 4);
    return v;
  }

  uint32_t num_;
  std::unique_ptr<uint8_t[]> bytes_;
  size_t size_;
  GuestMemory mem_;
};

}  // namespace vc::backend::testing
