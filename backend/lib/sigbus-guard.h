// A SIGBUS guard for mappings of files the front-end owns (the guest memory of SET_MEM_TABLE).
//
// A front-end may shrink a file after the back-end mapped it (ftruncate on an unsealed memfd, a
// truncated /dev/shm or hugetlbfs file); the next access to a page past the new end raises
// SIGBUS, which would kill the back-end. With a mapping registered here, the process-wide
// handler replaces the faulting page (or huge page) with a private zero page, records the fault,
// and lets the access complete; the code that made it checks the record afterwards and ends the
// connection. No longjmp: the interrupted code runs on unchanged, it only reads zeros or writes
// into a page nobody sees. A SIGBUS anywhere else (or one sent with kill()) goes to the handler
// that was installed before (or the default action: the process dies as it would have).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace vc::backend {

// Filled by the signal handler; read by the owner of the mapping.
struct FaultRecord {
  std::atomic<bool> faulted{false};
  std::atomic<uintptr_t> addr{0};  // first faulting address
  std::atomic<uint64_t> count{0};  // pages replaced
};

// Registers [base, base + length) (granule-aligned; `granule` is the page or huge-page size of
// the mapping, a power of two). Installs the handler on first use. Returns a slot (>= 0) for
// unguardMapping, or -1 when the table of guarded mappings is full.
int guardMapping(void* base, size_t length, size_t granule, FaultRecord* record);
// Unregisters a slot; call before munmap().
void unguardMapping(int slot);

}  // namespace vc::backend
