#include "guest_memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <limits>

namespace vc::backend {

namespace {
bool InRange(uint64_t start, uint64_t size, uint64_t addr, uint64_t len) {
  // [addr, addr+len) inside [start, start+size), written so nothing can overflow.
  if (addr < start) return false;
  const uint64_t off = addr - start;
  if (off > size) return false;
  return len <= size - off;
}
}  // namespace

GuestMemory::~GuestMemory() {
  for (const Mapping& m : mappings_) ::munmap(m.base, m.length);
}

bool GuestMemory::AddRegion(const MemoryRegion& r, std::string* err) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (r.size == 0 || r.host == nullptr) {
    if (err) *err = "empty memory region";
    return false;
  }
  if (r.guest_phys > kMax - (r.size - 1) || r.user_addr > kMax - (r.size - 1)) {
    if (err) *err = "memory region wraps around the address space";
    return false;
  }
  regions_.push_back(r);
  return true;
}

bool GuestMemory::MapRegion(int fd, uint64_t guest_phys, uint64_t size, uint64_t user_addr,
                            uint64_t mmap_offset, std::string* err) {
  if (size == 0 || size > (uint64_t{1} << 48) || mmap_offset > (uint64_t{1} << 48)) {
    if (err) *err = "memory region size or offset out of range";
    return false;
  }
  const size_t length = static_cast<size_t>(size + mmap_offset);
  void* base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    if (err) *err = std::string("mmap of memory region failed: ") + std::strerror(errno);
    return false;
  }
  MemoryRegion r;
  r.guest_phys = guest_phys;
  r.size = size;
  r.user_addr = user_addr;
  r.host = static_cast<uint8_t*>(base) + mmap_offset;
  if (!AddRegion(r, err)) {
    ::munmap(base, length);
    return false;
  }
  mappings_.push_back({base, length});
  return true;
}

uint8_t* GuestMemory::TranslateGuest(uint64_t gpa, uint64_t len) const {
  for (const MemoryRegion& r : regions_) {
    if (InRange(r.guest_phys, r.size, gpa, len)) return r.host + (gpa - r.guest_phys);
  }
  return nullptr;
}

uint8_t* GuestMemory::TranslateUser(uint64_t uva, uint64_t len) const {
  for (const MemoryRegion& r : regions_) {
    if (InRange(r.user_addr, r.size, uva, len)) return r.host + (uva - r.user_addr);
  }
  return nullptr;
}

}  // namespace vc::backend
