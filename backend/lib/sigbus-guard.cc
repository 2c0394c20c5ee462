#include "sigbus-guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

namespace vc::backend {

namespace {

// A fixed table the handler can walk without locks or allocation. 8 regions per memory table,
// two tables alive while one replaces the other: 64 leaves room for several servers per process.
constexpr int kSlots = 64;
enum : int { kFree = 0, kClaimed = 1, kActive = 2 };

struct Slot {
  std::atomic<int> state{kFree};
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<uintptr_t> granule{0};
  std::atomic<FaultRecord*> record{nullptr};
};

Slot g_slots[kSlots];
struct sigaction g_previous;
std::once_flag g_installed;

void chainToPrevious(int sig, siginfo_t* info, void* uctx) {
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) {
      g_previous.sa_sigaction(sig, info, uctx);
      return;
    }
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
    return;
  }
  // Default action: restore it; the faulting instruction runs again and the process dies of
  // SIGBUS as it would have without the guard. (SIG_IGN cannot ignore a fault: same.)
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGBUS, &dfl, nullptr);
}

void onSigbus(int sig, siginfo_t* info, void* uctx) {
  // Only a fault the kernel raised for an access to a mapped file page that no longer exists.
  if (info != nullptr && info->si_code == BUS_ADRERR) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(info->si_addr);
    for (Slot& s : g_slots) {
      if (s.state.load(std::memory_order_acquire) != kActive) continue;
      if (a < s.begin.load(std::memory_order_relaxed) || a >= s.end.load(std::memory_order_relaxed)) continue;
      // The granule holding the fault, counted from the mapping's start (page-aligned, or
      // huge-page-aligned on hugetlbfs), and never past its end.
      const uintptr_t begin = s.begin.load(std::memory_order_relaxed);
      const uintptr_t end = s.end.load(std::memory_order_relaxed);
      const uintptr_t g = s.granule.load(std::memory_order_relaxed);
      const uintptr_t page = begin + (a - begin) / g * g;
      const uintptr_t len = end - page < g ? end - page : g;
      const int saved_errno = errno;
      // The raw system call: no interceptor (sanitizers) runs inside the handler.
      const long r =
          ::syscall(SYS_mmap, page, len, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      errno = saved_errno;
      if (r == static_cast<long>(page)) {
        FaultRecord* rec = s.record.load(std::memory_order_relaxed);
        uintptr_t none = 0;
        rec->addr.compare_exchange_strong(none, a);
        rec->count.fetch_add(1, std::memory_order_relaxed);
        rec->faulted.store(true, std::memory_order_release);
        return;  // the access is retried on the zero page
      }
      break;
    }
  }
  chainToPrevious(sig, info, uctx);
}

void install() {
  struct sigaction sa {};
  sa.sa_sigaction = onSigbus;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGBUS, &sa, &g_previous);
}

}  // namespace

int guardMapping(void* base, size_t length, size_t granule, FaultRecord* record) {
  std::call_once(g_installed, install);
  for (int i = 0; i < kSlots; ++i) {
    Slot& s = g_slots[i];
    int expected = kFree;
    if (!s.state.compare_exchange_strong(expected, kClaimed)) continue;
    s.begin.store(reinterpret_cast<uintptr_t>(base), std::memory_order_relaxed);
    s.end.store(reinterpret_cast<uintptr_t>(base) + length, std::memory_order_relaxed);
    s.granule.store(granule, std::memory_order_relaxed);
    s.record.store(record, std::memory_order_relaxed);
    s.state.store(kActive, std::memory_order_release);
    return i;
  }
  return -1;
}

void unguardMapping(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  g_slots[slot].state.store(kFree, std::memory_order_release);
}

}  // namespace vc::backend
