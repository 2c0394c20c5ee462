// SIGTERM / SIGINT for a back-end process: a clean stop when possible, a prompt end always.
//
// The first signal makes fd() readable: the server (acceptAndServe / serve poll it, also while a
// reply waits for the front-end to read it) stops, stops its rings and flushes the trace. If that
// clean stop has not called finished() within `grace` — something is blocked where no stop fd
// reaches it (a trace file on a FIFO nobody reads, a stuck device) — or a second signal arrives,
// the process ends at once with _exit(kForcedExit), logging one line on stderr if it can.
#pragma once

#include <chrono>
#include <thread>

namespace vc::backend {

class StopOnSignal {
 public:
  static constexpr int kForcedExit = 3;

  // Blocks SIGTERM and SIGINT in the calling thread, which every thread started later inherits:
  // construct it before any other thread exists. `name` prefixes the forced-exit message.
  StopOnSignal(const char* name, std::chrono::milliseconds grace);
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  // Readable once a signal arrived.
  int fd() const { return stopFd_; }
  // The clean stop is over (or no signal came): the watchdog ends without exiting the process.
  void finished();

 private:
  void run();

  const char* name_;
  std::chrono::milliseconds grace_;
  int signalFd_ = -1;
  int stopFd_ = -1;
  int doneFd_ = -1;
  std::thread thread_;
};

}  // namespace vc::backend
