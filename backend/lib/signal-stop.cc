#include "signal-stop.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vc::backend {

namespace {

void write1(int fd) {
  const uint64_t one = 1;
  ssize_t r;
  do {
    r = ::write(fd, &one, sizeof one);
  } while (r < 0 && errno == EINTR);
}

// Waits for `fds` up to `ms` (-1: forever); returns the index of the first readable one, or -1.
int waitAny(pollfd* fds, int n, int ms) {
  for (;;) {
    const int r = ::poll(fds, static_cast<nfds_t>(n), ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents) return i;
    }
  }
}

// One line on stderr, only if writing it cannot block (the clean stop may be stuck on stderr).
void tryLog(const char* name, const char* what) {
  char line[256];
  const int n = std::snprintf(line, sizeof line, "%s: error: %s\n", name, what);
  pollfd p{STDERR_FILENO, POLLOUT, 0};
  if (n > 0 && ::poll(&p, 1, 0) == 1 && (p.revents & POLLOUT)) {
    [[maybe_unused]] const ssize_t r = ::write(STDERR_FILENO, line, static_cast<size_t>(n));
  }
}

}  // namespace

StopOnSignal::StopOnSignal(const char* name, std::chrono::milliseconds grace) : name_(name), grace_(grace) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signalFd_ = ::signalfd(-1, &set, SFD_CLOEXEC);
  stopFd_ = ::eventfd(0, EFD_CLOEXEC);
  doneFd_ = ::eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread(&StopOnSignal::run, this);
}

StopOnSignal::~StopOnSignal() {
  finished();
  if (thread_.joinable()) thread_.join();
  ::close(signalFd_);
  ::close(stopFd_);
  ::close(doneFd_);
}

void StopOnSignal::finished() { write1(doneFd_); }

void StopOnSignal::run() {
  pollfd fds[2] = {{doneFd_, POLLIN, 0}, {signalFd_, POLLIN, 0}};
  if (waitAny(fds, 2, -1) != 1) return;  // finished without a signal
  signalfd_siginfo info;
  [[maybe_unused]] ssize_t r = ::read(signalFd_, &info, sizeof info);
  write1(stopFd_);  // the clean stop starts
  fds[1].revents = 0;
  const int w = waitAny(fds, 2, static_cast<int>(grace_.count()));
  if (w == 0) return;  // stopped cleanly in time
  tryLog(name_, w == 1 ? "second signal: exiting at once, without a clean stop"
                       : "did not stop within the grace period after the signal (blocked); "
                         "exiting at once, the trace may lack its last events");
  ::_exit(kForcedExit);
}

}  // namespace vc::backend
