// The memory table: guest-physical and front-end-virtual (QEMU) ranges mapped into this process.
// Every guest-controlled address goes through Translate*() before any access: a range is valid only
// if it lies entirely inside one region.
//
// Nothing the front-end says about a region is trusted: mapRegion() checks it against fstat() of
// its fd before mapping (a regular file; offset + size inside the file, without overflow), and
// addRegion() refuses empty regions, ranges that wrap around, and regions whose guest-physical or
// front-end-virtual range overlaps another region's. Mapped regions are guarded against SIGBUS
// (sigbus-guard.h): a file shrunk after mapping makes faulted() true instead of killing us.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sigbus-guard.h"

namespace vc::backend {

struct MemoryRegion {
  uint64_t guest_phys = 0;  // guest-physical start
  uint64_t size = 0;        // bytes
  uint64_t user_addr = 0;   // front-end virtual start (SET_VRING_ADDR uses these)
  uint8_t* host = nullptr;  // where the region's first byte is mapped here
  // mapRegion() only: where the region starts in its file, the file's size when it was mapped,
  // and its F_GET_SEALS seals (-1: unknown or not a file).
  uint64_t mmap_offset = 0;
  uint64_t file_size = 0;
  int seals = -1;
};

class GuestMemory {
 public:
  GuestMemory() = default;
  ~GuestMemory();
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  // Adds a region whose bytes are already addressable at `r.host` (tests, fuzzing).
  // Returns false (and fills err) when the region is empty, its ranges wrap around, or its
  // guest-physical or front-end-virtual range overlaps a region added before.
  bool addRegion(const MemoryRegion& r, std::string* err);
  // Checks the region against fstat(fd), then mmap()s the part of `fd` that holds it (MAP_SHARED)
  // and adds it; the mapping is released with this object. Does not close `fd`.
  bool mapRegion(int fd, uint64_t guest_phys, uint64_t size, uint64_t user_addr, uint64_t mmap_offset,
                 std::string* err);

  // Host pointer for [gpa, gpa+len) if entirely inside one region, else nullptr. len may be 0.
  uint8_t* translateGuest(uint64_t gpa, uint64_t len) const;
  // Host pointer for the front-end virtual range [uva, uva+len), else nullptr.
  uint8_t* translateUser(uint64_t uva, uint64_t len) const;

  const std::vector<MemoryRegion>& regions() const { return regions_; }

  // True once an access to a mapped region hit a page its file no longer holds (SIGBUS). The
  // faulting page now reads as zeros; whoever sees this must stop using the memory table.
  bool faulted() const { return fault_.faulted.load(std::memory_order_acquire); }
  // Where the first fault happened, for diagnostics ("guest-physical 0x104000, region 0, file
  // offset 0x4000").
  std::string faultDescription() const;

 private:
  struct Mapping {
    void* base;
    size_t length;
    int guard_slot;
  };
  std::vector<MemoryRegion> regions_;
  std::vector<Mapping> mappings_;
  FaultRecord fault_;
};

// "0x1a2b" (lower-case hex), for diagnostics.
std::string hex(uint64_t v);

}  // namespace vc::backend
