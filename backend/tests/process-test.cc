// The vhost-user-rng process under SIGTERM: it ends promptly whatever it is blocked on. Each test
// starts the real binary (VC_RNG_BINARY) on a temporary socket and plays a hostile front-end.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "protocol.h"

namespace vc::backend {
namespace {

using Clock = std::chrono::steady_clock;

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A fresh folder per run: two runs of the suite at once (several checkouts on one machine)
    // must not share a socket path.
    std::string tmpl = ::testing::TempDir() + "/vc-process-test-" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << tmpl;
    dir_ = tmpl;
    sockPath_ = dir_ + "/vu.sock";
  }
  void TearDown() override {
    if (fe_ >= 0) ::close(fe_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (errPipe_ >= 0) ::close(errPipe_);
    std::remove(sockPath_.c_str());
    std::remove((dir_ + "/trace.fifo").c_str());
    ::rmdir(dir_.c_str());
  }

  // Starts vhost-user-rng with `extra` arguments; its stderr goes to errPipe_.
  void start(std::vector<std::string> extra = {}) {
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    std::vector<std::string> args = {VC_RNG_BINARY, "--socket", sockPath_};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::dup2(p[1], STDERR_FILENO);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(p[1]);
    errPipe_ = p[0];
    ::fcntl(errPipe_, F_SETFL, O_NONBLOCK);
  }
  // Connects as the front-end (the back-end listens shortly after it starts).
  void connect() {
    const auto until = Clock::now() + std::chrono::seconds(10);
    for (;;) {
      fe_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::strncpy(a.sun_path, sockPath_.c_str(), sizeof a.sun_path - 1);
      if (::connect(fe_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return;
      ::close(fe_);
      fe_ = -1;
      ASSERT_LT(Clock::now(), until) << "vhost-user-rng did not listen on " << sockPath_;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  void send(uint32_t req, uint32_t flags, const void* payload, uint32_t size) {
    std::vector<uint8_t> b(kHeaderSize + size);
    const uint32_t h[3] = {req, flags, size};
    std::memcpy(b.data(), h, 12);
    if (size) std::memcpy(b.data() + 12, payload, size);
    ASSERT_EQ(::send(fe_, b.data(), b.size(), MSG_NOSIGNAL), static_cast<ssize_t>(b.size()));
  }
  // Sends `msg` until the back-end stops reading (the socket stays full for `stall`) or `max`
  // copies went out. Returns how many were sent.
  int flood(const std::vector<uint8_t>& msg, int max, std::chrono::milliseconds stall) {
    int sent = 0;
    while (sent < max) {
      const ssize_t r = ::send(fe_, msg.data(), msg.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (r == static_cast<ssize_t>(msg.size())) {
        ++sent;
        continue;
      }
      if (!(r < 0 && errno == EAGAIN)) break;
      pollfd p{fe_, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(stall.count())) == 0) break;
    }
    return sent;
  }
  // SIGTERM, then waits up to `limit`; returns the wait status (-1: still running) and how long
  // the process took to end.
  int termAndWait(std::chrono::milliseconds limit, std::chrono::milliseconds* took) {
    const auto t0 = Clock::now();
    ::kill(pid_, SIGTERM);
    for (;;) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        *took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
        return status;
      }
      if (Clock::now() - t0 > limit) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  std::string stderrText() {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(errPipe_, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    return s;
  }

  std::string dir_, sockPath_;
  pid_t pid_ = -1;
  int fe_ = -1;
  int errPipe_ = -1;
};

TEST_F(ProcessTest, SigtermWhileWaitingForAFrontEndExitsCleanly) {
  start();
  connect();  // the socket exists: it is listening
  ::close(fe_);
  fe_ = -1;
  std::chrono::milliseconds took{};
  const int status = termAndWait(std::chrono::seconds(5), &took);
  ASSERT_NE(status, -1) << "still running 5 s after SIGTERM";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << stderrText();
  EXPECT_LT(took, std::chrono::milliseconds(1000));
}

TEST_F(ProcessTest, SigtermWhileBlockedSendingRepliesExitsCleanly) {
  // The hang: 20,000 need_reply messages whose replies are never read left the back-end
  // blocked in send(), and SIGTERM did not end it.
  start();
  connect();
  const uint64_t pf = kProtocolReplyAck;
  send(kSetProtocolFeatures, kFlagVersion, &pf, 8);
  std::vector<uint8_t> msg(kHeaderSize + 8);
  const uint32_t h[3] = {kSetVringNum, kFlagVersion | kFlagNeedReply, 8};
  const uint32_t st[2] = {0, 8};
  std::memcpy(msg.data(), h, 12);
  std::memcpy(msg.data() + 12, st, 8);
  EXPECT_GT(flood(msg, 20000, std::chrono::milliseconds(500)), 100);
  std::chrono::milliseconds took{};
  const int status = termAndWait(std::chrono::seconds(5), &took);
  ASSERT_NE(status, -1) << "still running 5 s after SIGTERM";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "not a clean stop: " << stderrText();
  EXPECT_LT(took, std::chrono::milliseconds(1000));  // well before the 10 s reply timeout
}

TEST_F(ProcessTest, SigtermWhileBlockedWritingTheTraceExitsAtOnce) {
  // The trace goes to a FIFO whose reader never reads: the socket thread blocks in write(),
  // where no stop fd reaches it. The watchdog ends the process after its 2 s grace period.
  const std::string fifo = dir_ + "/trace.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);  // a reader that never reads
  ASSERT_GE(reader, 0);
  start({"--trace-json", fifo});
  connect();
  std::vector<uint8_t> msg(kHeaderSize);
  const uint32_t h[3] = {kSetOwner, kFlagVersion, 0};
  std::memcpy(msg.data(), h, 12);
  // ~200 bytes of trace per message: the 64 KiB pipe fills after a few hundred.
  EXPECT_GT(flood(msg, 100000, std::chrono::milliseconds(500)), 300);
  std::chrono::milliseconds took{};
  const int status = termAndWait(std::chrono::seconds(6), &took);
  ::close(reader);
  ASSERT_NE(status, -1) << "still running 6 s after SIGTERM";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_GE(took, std::chrono::milliseconds(1900));
  EXPECT_LT(took, std::chrono::milliseconds(3500));
  EXPECT_NE(stderrText().find("did not stop within the grace period"), std::string::npos);
}

}  // namespace
}  // namespace vc::backend
