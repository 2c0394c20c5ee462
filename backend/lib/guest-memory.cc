#include "guest-memory.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>

namespace vc::backend {

namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

bool inRange(uint64_t start, uint64_t size, uint64_t addr, uint64_t len) {
  // [addr, addr+len) inside [start, start+size), written so nothing can overflow.
  if (addr < start) return false;
  const uint64_t off = addr - start;
  if (off > size) return false;
  return len <= size - off;
}

// [a, a+asize) and [b, b+bsize) share a byte; both are non-empty and do not wrap.
bool overlap(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize) {
  return a <= b + (bsize - 1) && b <= a + (asize - 1);
}

std::string range(uint64_t start, uint64_t size) { return "[" + hex(start) + ", " + hex(start + size) + ")"; }

const char* fileKind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a pipe or FIFO";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISLNK(m)) return "a symbolic link";
  return "an anonymous inode (eventfd, epoll, ...)";
}

}  // namespace

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

GuestMemory::~GuestMemory() {
  for (const Mapping& m : mappings_) {
    unguardMapping(m.guard_slot);
    ::munmap(m.base, m.length);
  }
}

bool GuestMemory::addRegion(const MemoryRegion& r, std::string* err) {
  if (r.size == 0 || r.host == nullptr) {
    if (err) *err = "empty memory region";
    return false;
  }
  if (r.guest_phys > kMax - (r.size - 1)) {
    if (err)
      *err = "guest-physical range at " + hex(r.guest_phys) + " of size " + hex(r.size) +
             " wraps around the address space";
    return false;
  }
  if (r.user_addr > kMax - (r.size - 1)) {
    if (err)
      *err = "front-end address range at " + hex(r.user_addr) + " of size " + hex(r.size) +
             " wraps around the address space";
    return false;
  }
  for (size_t i = 0; i < regions_.size(); ++i) {
    const MemoryRegion& o = regions_[i];
    const std::string which = "region " + std::to_string(regions_.size());
    const std::string other = "region " + std::to_string(i);
    if (overlap(r.guest_phys, r.size, o.guest_phys, o.size)) {
      if (err)
        *err = which + "'s guest-physical range " + range(r.guest_phys, r.size) + " overlaps " + other + "'s " +
               range(o.guest_phys, o.size);
      return false;
    }
    if (overlap(r.user_addr, r.size, o.user_addr, o.size)) {
      if (err)
        *err = which + "'s front-end address range " + range(r.user_addr, r.size) + " overlaps " + other + "'s " +
               range(o.user_addr, o.size);
      return false;
    }
  }
  regions_.push_back(r);
  return true;
}

bool GuestMemory::mapRegion(int fd, uint64_t guest_phys, uint64_t size, uint64_t user_addr, uint64_t mmap_offset,
                            std::string* err) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    if (err) *err = std::string("cannot fstat the region's fd: ") + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    // A device or an anonymous inode has no size to check the region against.
    if (err) *err = std::string("the region's fd is ") + fileKind(st.st_mode) + ", not a regular file or memfd";
    return false;
  }
  if (size == 0) {
    if (err) *err = "empty memory region";
    return false;
  }
  if (mmap_offset > kMax - size) {
    if (err) *err = "mmap_offset " + hex(mmap_offset) + " + memory_size " + hex(size) + " overflows";
    return false;
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (mmap_offset + size > file_size) {
    if (err)
      *err = "region at file offset " + hex(mmap_offset) + " of size " + hex(size) +
             " runs past the end of its file (" + hex(file_size) + " bytes)";
    return false;
  }
  MemoryRegion r;
  r.guest_phys = guest_phys;
  r.size = size;
  r.user_addr = user_addr;
  r.mmap_offset = mmap_offset;
  r.file_size = file_size;
  r.seals = ::fcntl(fd, F_GET_SEALS);
  // A placeholder until the mapping below: addRegion() wants a non-null host address (never used
  // through this one).
  static uint8_t placeholder;
  r.host = &placeholder;
  {
    // Same checks addRegion() makes, before anything is mapped.
    GuestMemory probe;
    probe.regions_ = regions_;
    if (!probe.addRegion(r, err)) return false;
  }
  // Map from the granule (page, or huge page on hugetlbfs, whose st_blksize is the huge page
  // size) that holds the region's first byte: mmap offsets must be aligned to it.
  uint64_t granule = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  struct statfs fs {};
  const uint64_t blk = static_cast<uint64_t>(st.st_blksize);
  if (::fstatfs(fd, &fs) == 0 && fs.f_type == HUGETLBFS_MAGIC && blk > granule && (blk & (blk - 1)) == 0 &&
      blk <= (uint64_t{1} << 30)) {
    granule = blk;
  }
  const uint64_t map_off = mmap_offset & ~(granule - 1);
  const uint64_t lead = mmap_offset - map_off;
  const uint64_t want = lead + size;
  if (want > kMax - (granule - 1) || want + (granule - 1) > std::numeric_limits<size_t>::max()) {
    if (err) *err = "memory region too large to map";
    return false;
  }
  const size_t length = static_cast<size_t>((want + granule - 1) & ~(granule - 1));
  void* base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(map_off));
  if (base == MAP_FAILED) {
    if (err) *err = std::string("cannot map the region's file (it must be open read-write): ") + std::strerror(errno);
    return false;
  }
  const int slot = guardMapping(base, length, static_cast<size_t>(granule), &fault_);
  if (slot < 0) {
    ::munmap(base, length);
    if (err) *err = "too many guest memory mappings in this process";
    return false;
  }
  r.host = static_cast<uint8_t*>(base) + lead;
  regions_.push_back(r);
  mappings_.push_back({base, length, slot});
  return true;
}

std::string GuestMemory::faultDescription() const {
  const uintptr_t a = fault_.addr.load(std::memory_order_acquire);
  for (size_t i = 0; i < regions_.size(); ++i) {
    const MemoryRegion& r = regions_[i];
    const uintptr_t h = reinterpret_cast<uintptr_t>(r.host);
    if (a < h || a - h >= r.size) continue;
    const uint64_t off = a - h;
    return "the page at guest-physical " + hex((r.guest_phys + off) & ~uint64_t{0xfff}) + " (region " +
           std::to_string(i) + ", file offset " + hex((r.mmap_offset + off) & ~uint64_t{0xfff}) + "; the file had " +
           hex(r.file_size) + " bytes when it was mapped)";
  }
  return "a page of the memory table";
}

uint8_t* GuestMemory::translateGuest(uint64_t gpa, uint64_t len) const {
  for (const MemoryRegion& r : regions_) {
    if (inRange(r.guest_phys, r.size, gpa, len)) return r.host + (gpa - r.guest_phys);
  }
  return nullptr;
}

uint8_t* GuestMemory::translateUser(uint64_t uva, uint64_t len) const {
  for (const MemoryRegion& r : regions_) {
    if (inRange(r.user_addr, r.size, uva, len)) return r.host + (uva - r.user_addr);
  }
  return nullptr;
}

}  // namespace vc::backend
