// The memory table: guest-physical and front-end-virtual (QEMU) ranges mapped into this process.
// Every guest-controlled address goes through Translate*() before any access: a range is valid only
// if it lies entirely inside one region.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vc::backend {

struct MemoryRegion {
  uint64_t guest_phys = 0;   // guest-physical start
  uint64_t size = 0;         // bytes
  uint64_t user_addr = 0;    // front-end virtual start (SET_VRING_ADDR uses these)
  uint8_t* host = nullptr;   // where the region's first byte is mapped here
};

class GuestMemory {
 public:
  GuestMemory() = default;
  ~GuestMemory();
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  // Adds a region whose bytes are already addressable at `r.host` (tests, fuzzing).
  // Returns false (and fills err) when the region is empty or its ranges overflow.
  bool AddRegion(const MemoryRegion& r, std::string* err);
  // mmap()s `size + mmap_offset` bytes of `fd` (MAP_SHARED) and adds the region starting at
  // `mmap_offset`; the mapping is released with this object. Does not close `fd`.
  bool MapRegion(int fd, uint64_t guest_phys, uint64_t size, uint64_t user_addr,
                 uint64_t mmap_offset, std::string* err);

  // Host pointer for [gpa, gpa+len) if entirely inside one region, else nullptr. len may be 0.
  uint8_t* TranslateGuest(uint64_t gpa, uint64_t len) const;
  // Host pointer for the front-end virtual range [uva, uva+len), else nullptr.
  uint8_t* TranslateUser(uint64_t uva, uint64_t len) const;

  const std::vector<MemoryRegion>& regions() const { return regions_; }

 private:
  struct Mapping {
    void* base;
    size_t length;
  };
  std::vector<MemoryRegion> regions_;
  std::vector<Mapping> mappings_;
};

}  // namespace vc::backend
