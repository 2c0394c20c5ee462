// Emits a known sequence of events from two threads: each thread i enables vring i, then emits
// N handle_event(vring i, seq 0..N-1), then disables it. The test checks the CTF reader sees all
// of them, in per-thread order, with the right fields and thread identities.
#include <cstdlib>
#include <string>
#include <thread>

#include "vconform-test-tp.h"

static void worker(int vring, unsigned long n) {
  std::string who = "worker-" + std::to_string(vring);
  lttng_ust_tracepoint(vconform_test, set_vring_enable, vring, 1);
  for (unsigned long s = 0; s < n; ++s) lttng_ust_tracepoint(vconform_test, handle_event, vring, s, who.c_str());
  lttng_ust_tracepoint(vconform_test, set_vring_enable, vring, 0);
}

int main(int argc, char** argv) {
  unsigned long n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100;
  std::thread a(worker, 0, n), b(worker, 1, n);
  a.join();
  b.join();
  return 0;
}
