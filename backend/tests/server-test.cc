// Drives VhostUserServer over a socketpair the way QEMU does, with guest memory in a memfd:
// negotiation, reply-ack, the memory table, a ring served end to end, GET_VRING_BASE, and
// hostile inputs (malformed messages, a bad ring) that must end in errors, never crashes.
#include "server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace vc::backend {
namespace {

constexpr uint64_t kGpa = 0x100000;
constexpr uint64_t kUva = 0x7f0000000000;
constexpr size_t kMemSize = 0x10000;
constexpr uint32_t kNum = 8;

class FillDevice : public VirtioDevice {
 public:
  explicit FillDevice(uint32_t queues = 1) : queues_(queues) {}
  uint32_t numQueues() const override { return queues_; }
  uint32_t handleChain(uint32_t, const DescChain& chain) override {
    uint32_t n = 0;
    for (const BufferSegment& s : chain.segments) {
      if (!s.writable) continue;
      std::memset(s.host, 0xab, s.len);
      n += s.len;
    }
    return n;
  }

 private:
  uint32_t queues_;
};

class ServerTest : public ::testing::Test {
 protected:
  virtual ServerOptions options() { return ServerOptions{}; }
  virtual uint32_t queues() { return 1; }
  void SetUp() override {
    tracePath_ = ::testing::TempDir() + "/vc-server-test-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl";
    std::string err;
    ASSERT_TRUE(writer_.open(tracePath_, &err)) << err;
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    fe_ = sv[0];
    logger_.setLevel(LogLevel::kWarn);
    stop_ = ::eventfd(0, EFD_CLOEXEC);
    device_ = std::make_unique<FillDevice>(queues());
    server_ = std::make_unique<VhostUserServer>(*device_, tracer_, logger_, options());
    thread_ = std::thread([this, fd = sv[1]] {
      setCurrentThreadName("vu-socket");
      end_ = server_->serve(fd, stop_);
      done_ = true;
    });
  }
  void TearDown() override {
    if (fe_ >= 0) ::close(fe_);
    if (thread_.joinable()) thread_.join();
    if (mem_ != nullptr) ::munmap(mem_, kMemSize);
    if (memfd_ >= 0) ::close(memfd_);
    if (stop_ >= 0) ::close(stop_);
    std::remove(tracePath_.c_str());
  }
  void finish() {
    ::close(fe_);
    fe_ = -1;
    thread_.join();
    writer_.close();
  }
  std::string trace() {
    std::ifstream in(tracePath_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  void send(uint32_t req, const void* payload, uint32_t size, std::vector<int> fds = {},
            uint32_t flags = kFlagVersion) {
    std::vector<uint8_t> buf(kHeaderSize + size);
    std::memcpy(buf.data(), &req, 4);
    std::memcpy(buf.data() + 4, &flags, 4);
    std::memcpy(buf.data() + 8, &size, 4);
    if (size) {
      std::memcpy(buf.data() + kHeaderSize, payload, size);
    }
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    if (!fds.empty()) {
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
      std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    ASSERT_EQ(::sendmsg(fe_, &msg, MSG_NOSIGNAL), static_cast<ssize_t>(buf.size()));
  }
  void sendU64(uint32_t req, uint64_t v, std::vector<int> fds = {}, uint32_t flags = kFlagVersion) {
    send(req, &v, 8, std::move(fds), flags);
  }
  void sendState(uint32_t req, uint32_t index, uint32_t num) {
    const uint32_t s[2] = {index, num};
    send(req, s, 8);
  }
  // Reads one reply; returns its payload.
  std::vector<uint8_t> recv(uint32_t want_req) {
    uint32_t h[3] = {0, 0, 0};
    EXPECT_EQ(::recv(fe_, h, 12, MSG_WAITALL), 12);
    EXPECT_EQ(h[0], want_req);
    EXPECT_EQ(h[1], kFlagVersion | kFlagReply);
    std::vector<uint8_t> p(h[2]);
    if (h[2]) {
      EXPECT_EQ(::recv(fe_, p.data(), h[2], MSG_WAITALL), static_cast<ssize_t>(h[2]));
    }
    return p;
  }
  uint64_t recvU64(uint32_t req) {
    const std::vector<uint8_t> p = recv(req);
    uint64_t v = 0;
    if (p.size() == 8) std::memcpy(&v, p.data(), 8);
    return v;
  }

  // Negotiates like QEMU and installs a memfd memory table holding one ring.
  void setUpDevice() {
    const uint64_t features = recvFeatures();
    sendU64(kGetProtocolFeatures, 0);
    const uint64_t pf = recvU64(kGetProtocolFeatures);
    ASSERT_TRUE(pf & kProtocolReplyAck);
    sendU64(kSetProtocolFeatures, kProtocolReplyAck);
    sendU64(kSetOwner, 0);
    sendU64(kSetFeatures, features);
    memfd_ = ::memfd_create("guest", MFD_CLOEXEC);
    ASSERT_GE(memfd_, 0);
    ASSERT_EQ(::ftruncate(memfd_, kMemSize), 0);
    mem_ = static_cast<uint8_t*>(::mmap(nullptr, kMemSize, PROT_READ | PROT_WRITE, MAP_SHARED, memfd_, 0));
    ASSERT_NE(mem_, MAP_FAILED);
    uint8_t table[8 + 32] = {};
    const uint32_t n = 1;
    const uint64_t region[4] = {kGpa, kMemSize, kUva, 0};
    std::memcpy(table, &n, 4);
    std::memcpy(table + 8, region, 32);
    send(kSetMemTable, table, sizeof table, {memfd_}, kFlagVersion | kFlagNeedReply);
    EXPECT_EQ(recvU64(kSetMemTable), 0u);  // REPLY_ACK success
    sendState(kSetVringNum, 0, kNum);
    sendState(kSetVringBase, 0, 0);
    uint8_t addr[40] = {};
    const uint32_t idx = 0;
    const uint64_t desc = kUva, used = kUva + 0x2000, avail = kUva + 0x1000;
    std::memcpy(addr, &idx, 4);
    std::memcpy(addr + 8, &desc, 8);
    std::memcpy(addr + 16, &used, 8);
    std::memcpy(addr + 24, &avail, 8);
    send(kSetVringAddr, addr, sizeof addr);
  }
  uint64_t recvFeatures() {
    sendU64(kGetFeatures, 0);
    const uint64_t f = recvU64(kGetFeatures);
    EXPECT_TRUE(f & kFeatureVersion1);
    EXPECT_TRUE(f & kFeatureProtocolFeatures);
    EXPECT_TRUE(f & kFeatureEventIdx);
    EXPECT_TRUE(f & kFeatureIndirectDesc);
    return f;
  }
  void putDesc(uint32_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    VringDesc d{addr, len, flags, next};
    std::memcpy(mem_ + 16 * i, &d, 16);
  }
  void offer(uint16_t head) {
    uint16_t idx;
    std::memcpy(&idx, mem_ + 0x1000 + 2, 2);
    std::memcpy(mem_ + 0x1000 + 4 + 2 * (idx % kNum), &head, 2);
    ++idx;
    std::memcpy(mem_ + 0x1000 + 2, &idx, 2);
  }
  uint16_t usedIdx() {
    uint16_t v;
    std::memcpy(&v, mem_ + 0x2000 + 2, 2);
    return v;
  }
  // Serves two buffers, each a chain of 16 device-readable then 64 device-writable bytes (the
  // first kick already pending when the ring starts, as with QEMU), then stops the ring with
  // GET_VRING_BASE and disconnects. Returns the index GET_VRING_BASE replied.
  uint32_t serveTwoChains() {
    setUpDevice();
    putDesc(0, kGpa + 0x3000, 16, kDescFlagNext, 1);
    putDesc(1, kGpa + 0x4000, 64, kDescFlagWrite, 0);
    offer(0);
    const int call = ::eventfd(0, EFD_CLOEXEC);
    const int kick = ::eventfd(0, EFD_CLOEXEC);
    sendU64(kSetVringCall, 0, {call});
    const uint64_t one = 1;
    EXPECT_EQ(::write(kick, &one, 8), 8);
    sendU64(kSetVringKick, 0, {kick});
    sendState(kSetVringEnable, 0, 1);
    EXPECT_TRUE(waitReadable(call, 5000)) << "no used-buffer notification";
    uint64_t drained;
    EXPECT_EQ(::read(call, &drained, 8), 8);
    const uint16_t used_event = usedIdx();  // EVENT_IDX: ask for a notification on the next one
    std::memcpy(mem_ + 0x1000 + 4 + 2 * kNum, &used_event, 2);
    offer(0);
    EXPECT_EQ(::write(kick, &one, 8), 8);
    EXPECT_TRUE(waitReadable(call, 5000)) << "no notification for the second buffer";
    sendState(kGetVringBase, 0, 0);
    const std::vector<uint8_t> reply = recv(kGetVringBase);
    uint32_t st[2] = {0, 0};
    if (reply.size() == 8) std::memcpy(st, reply.data(), 8);
    finish();
    ::close(call);
    ::close(kick);
    return st[1];
  }
  uint32_t usedLen(uint32_t slot) {
    uint32_t v;
    std::memcpy(&v, mem_ + 0x2000 + 4 + 8 * slot + 4, 4);
    return v;
  }
  // The trace's lines whose event is `name`.
  std::vector<std::string> lines(const std::string& name) {
    std::vector<std::string> out;
    std::istringstream in(trace());
    for (std::string line; std::getline(in, line);) {
      if (line.find("{\"name\":\"" + name + "\",") == 0) out.push_back(line);
    }
    return out;
  }
  static std::string fields(const std::string& line) { return line.substr(line.find("\"fields\":")); }

  static bool waitReadable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
  }

  std::string tracePath_;
  TraceWriter writer_;
  Tracer tracer_{&writer_};
  std::string logText_;  // what the back-end logged (warnings and errors), one line each
  Logger logger_{[this](LogLevel, std::string_view m) {
    logText_.append(m);
    logText_.push_back('\n');
  }};
  std::atomic<bool> done_{false};
  int stop_ = -1;
  std::unique_ptr<FillDevice> device_;
  std::unique_ptr<VhostUserServer> server_;
  std::thread thread_;
  VhostUserServer::End end_ = VhostUserServer::End::kFailed;
  int fe_ = -1;
  int memfd_ = -1;
  uint8_t* mem_ = nullptr;
};

TEST_F(ServerTest, ServesRingEndToEnd) {
  setUpDevice();
  putDesc(0, kGpa + 0x4000, 64, kDescFlagWrite, 0);
  offer(0);
  const int call = ::eventfd(0, EFD_CLOEXEC);
  const int kick = ::eventfd(0, EFD_CLOEXEC);
  sendU64(kSetVringCall, 0, {call});
  const uint64_t one = 1;
  ASSERT_EQ(::write(kick, &one, 8), 8);  // already readable, as QEMU hands it over
  sendU64(kSetVringKick, 0, {kick});
  sendState(kSetVringEnable, 0, 1);
  ASSERT_TRUE(waitReadable(call, 5000)) << "no used-buffer notification";
  EXPECT_EQ(usedIdx(), 1);
  EXPECT_EQ(mem_[0x4000], 0xab);
  EXPECT_EQ(mem_[0x4000 + 63], 0xab);
  EXPECT_EQ(mem_[0x4000 + 64], 0);
  // Second buffer through a real kick.
  uint64_t drained;
  ASSERT_EQ(::read(call, &drained, 8), 8);
  const uint16_t used_event = usedIdx();  // EVENT_IDX: ask for a notification on the next one
  std::memcpy(mem_ + 0x1000 + 4 + 2 * kNum, &used_event, 2);
  offer(0);
  ASSERT_EQ(::write(kick, &one, 8), 8);
  ASSERT_TRUE(waitReadable(call, 5000));
  EXPECT_EQ(usedIdx(), 2);
  sendState(kSetVringEnable, 0, 0);
  sendState(kGetVringBase, 0, 0);
  const std::vector<uint8_t> base = recv(kGetVringBase);
  ASSERT_EQ(base.size(), 8u);
  uint32_t st[2];
  std::memcpy(st, base.data(), 8);
  EXPECT_EQ(st[0], 0u);
  EXPECT_EQ(st[1], 2u);  // last avail idx
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kDisconnected);
  const std::string t = trace();
  for (const char* ev :
       {"\"vu_recv\"", "\"vu_reply\"", "\"ring_start\"", "\"ring_enable\"", "\"ring_publish\"", "\"ring_observe\"",
        "\"thread_spawn\"", "\"thread_begin\"", "\"pop\"", "\"add_used\"", "\"used_notify\"", "\"get_vring_base\"",
        "\"ring_stop\"", "\"thread_end\"", "\"thread_join\"", "\"vu_disconnect\""}) {
    EXPECT_NE(t.find(std::string("\"name\":") + ev), std::string::npos) << ev;
  }
  // The kick read while disabled is followed by the rescan on enable.
  EXPECT_NE(t.find("\"name\":\"handle_event\","), std::string::npos);
  EXPECT_LT(t.find("\"name\":\"ring_enable\""), t.find("\"name\":\"add_used\""));
  EXPECT_EQ(t.find("\"name\":\"vu_error\""), std::string::npos);
  ::close(call);
  ::close(kick);
}

TEST_F(ServerTest, HostileRingGetsRingErrorNotCrash) {
  setUpDevice();
  putDesc(0, kGpa + kMemSize - 8, 64, kDescFlagWrite, 0);  // runs past guest memory
  offer(0);
  const int kick = ::eventfd(0, EFD_CLOEXEC);
  const int errfd = ::eventfd(0, EFD_CLOEXEC);
  sendU64(kSetVringErr, 0, {errfd});
  const uint64_t one = 1;
  ASSERT_EQ(::write(kick, &one, 8), 8);
  sendU64(kSetVringKick, 0, {kick});
  sendState(kSetVringEnable, 0, 1);
  ASSERT_TRUE(waitReadable(errfd, 5000)) << "no error notification on the err eventfd";
  ::close(errfd);
  sendState(kGetVringBase, 0, 0);
  const std::vector<uint8_t> base = recv(kGetVringBase);  // still serving the socket
  ASSERT_EQ(base.size(), 8u);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kDisconnected);
  const std::string t = trace();
  EXPECT_NE(t.find("\"name\":\"ring_error\""), std::string::npos);
  EXPECT_EQ(t.find("\"name\":\"add_used\""), std::string::npos);
  EXPECT_EQ(usedIdx(), 0);
  ::close(kick);
}

TEST_F(ServerTest, MalformedMessageDisconnects) {
  recvFeatures();
  sendU64(kSetFeatures, 0, {}, /*flags=*/0x2);  // protocol version 2
  char c;
  EXPECT_EQ(::recv(fe_, &c, 1, 0), 0);  // the back-end hung up
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
  EXPECT_NE(trace().find("\"name\":\"vu_error\""), std::string::npos);
}

TEST_F(ServerTest, UnknownRequestDisconnects) {
  sendU64(200, 0);
  char c;
  EXPECT_EQ(::recv(fe_, &c, 1, 0), 0);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
}

TEST_F(ServerTest, OversizedPayloadDisconnects) {
  const uint32_t h[3] = {kSetFeatures, kFlagVersion, 1u << 20};
  ASSERT_EQ(::send(fe_, h, 12, MSG_NOSIGNAL), 12);
  char c;
  EXPECT_EQ(::recv(fe_, &c, 1, 0), 0);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
}

TEST_F(ServerTest, RingIndexOutOfRangeDisconnects) {
  sendState(kSetVringNum, 5, 8);
  char c;
  EXPECT_EQ(::recv(fe_, &c, 1, 0), 0);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
}

TEST_F(ServerTest, TruncatedMessageAtEofIsHandled) {
  const uint32_t h[3] = {kSetFeatures, kFlagVersion, 8};
  ASSERT_EQ(::send(fe_, h, 12, MSG_NOSIGNAL), 12);
  ASSERT_EQ(::send(fe_, "abc", 3, MSG_NOSIGNAL), 3);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
}

TEST_F(ServerTest, MemTableReplacedWhileRunning) {
  setUpDevice();
  putDesc(0, kGpa + 0x4000, 64, kDescFlagWrite, 0);
  const int call = ::eventfd(0, EFD_CLOEXEC);
  const int kick = ::eventfd(0, EFD_CLOEXEC);
  sendU64(kSetVringCall, 0, {call});
  sendU64(kSetVringKick, 0, {kick});
  sendState(kSetVringEnable, 0, 1);
  // A new table (same memory, mapped again) arrives while the ring runs.
  uint8_t table[8 + 32] = {};
  const uint32_t n = 1;
  const uint64_t region[4] = {kGpa, kMemSize, kUva, 0};
  std::memcpy(table, &n, 4);
  std::memcpy(table + 8, region, 32);
  send(kSetMemTable, table, sizeof table, {memfd_}, kFlagVersion | kFlagNeedReply);
  EXPECT_EQ(recvU64(kSetMemTable), 0u);
  offer(0);
  const uint64_t one = 1;
  ASSERT_EQ(::write(kick, &one, 8), 8);
  ASSERT_TRUE(waitReadable(call, 5000)) << "ring not served after the memory table changed";
  EXPECT_EQ(usedIdx(), 1);
  EXPECT_EQ(mem_[0x4000], 0xab);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kDisconnected);
  ::close(call);
  ::close(kick);
}

TEST_F(ServerTest, KickFdThatIsNotAnEventFdIsDropped) {
  setUpDevice();
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  ::close(pipefd[1]);  // read end at EOF: always readable, never 8 bytes
  sendU64(kSetVringKick, 0, {pipefd[0]});
  ::close(pipefd[0]);
  sendState(kSetVringEnable, 0, 1);
  sendState(kGetVringBase, 0, 0);
  recv(kGetVringBase);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kDisconnected);
  const std::string t = trace();
  EXPECT_NE(t.find("not behave like an eventfd"), std::string::npos);
  // One error, then quiet: the worker did not spin on the fd.
  size_t observes = 0;
  for (size_t at = t.find("\"ring_observe\""); at != std::string::npos; at = t.find("\"ring_observe\"", at + 1)) {
    ++observes;
  }
  EXPECT_LT(observes, 10u);
}

TEST_F(ServerTest, ReplyAckOnAnyNeedReplyMessage) {
  recvFeatures();
  sendU64(kSetProtocolFeatures, kProtocolReplyAck);
  const uint32_t st[2] = {0, 8};
  send(kSetVringNum, st, 8, {}, kFlagVersion | kFlagNeedReply);
  EXPECT_EQ(recvU64(kSetVringNum), 0u);
  finish();
  const std::string t = trace();
  EXPECT_NE(t.find("\"name\":\"vu_reply\","), std::string::npos);
  EXPECT_NE(t.find("\"msg\":\"SET_VRING_NUM\",\"seq\":3}"), std::string::npos) << t;
}

TEST_F(ServerTest, NoAckWithoutReplyAckNegotiated) {
  const uint32_t st[2] = {0, 8};
  send(kSetVringNum, st, 8, {}, kFlagVersion | kFlagNeedReply);
  sendU64(kGetFeatures, 0);
  recvU64(kGetFeatures);  // the next reply is GET_FEATURES', not an ack
  finish();
}

TEST_F(ServerTest, ResetDeviceStopsAndDisablesRings) {
  setUpDevice();
  sendU64(kSetProtocolFeatures, kProtocolReplyAck | kProtocolResetDevice);
  const int kick = ::eventfd(0, EFD_CLOEXEC);
  sendU64(kSetVringKick, 0, {kick});
  sendState(kSetVringEnable, 0, 1);
  sendU64(kResetDevice, 0);
  sendU64(kGetFeatures, 0);
  recvU64(kGetFeatures);  // RESET_DEVICE was handled before this
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kDisconnected);
  const std::string t = trace();
  const size_t reset = t.find("\"name\":\"reset_device\"");
  ASSERT_NE(reset, std::string::npos);
  EXPECT_NE(t.find("\"name\":\"ring_stop\"", reset), std::string::npos);
  EXPECT_NE(t.find("\"name\":\"ring_disable\"", reset), std::string::npos);
  EXPECT_NE(t.find("\"name\":\"thread_join\"", reset), std::string::npos);
  ::close(kick);
}

TEST_F(ServerTest, ResetDeviceWithoutFeatureDisconnects) {
  sendU64(kResetDevice, 0);
  char c;
  EXPECT_EQ(::recv(fe_, &c, 1, 0), 0);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
}

TEST_F(ServerTest, FeaturesWithoutProtocolFeaturesEnableRings) {
  sendU64(kSetFeatures, kFeatureVersion1);
  sendU64(kGetFeatures, 0);
  recvU64(kGetFeatures);
  finish();
  EXPECT_NE(trace().find("\"name\":\"ring_enable\""), std::string::npos);
}

// --- The values rules about data need (docs/backend-events.md): replies, chain lengths, indices.

TEST_F(ServerTest, RecordsTheValuesDataRulesNeed) {
  EXPECT_EQ(serveTwoChains(), 2u);
  EXPECT_EQ(end_, VhostUserServer::End::kDisconnected);
  const std::string offered = std::to_string(server_->offeredFeatures());
  const std::vector<std::string> gf = lines("get_features");
  ASSERT_EQ(gf.size(), 1u);
  EXPECT_EQ(fields(gf[0]), "\"fields\":{\"features\":" + offered + "}}");
  const std::vector<std::string> gpf = lines("get_protocol_features");
  ASSERT_EQ(gpf.size(), 1u);
  EXPECT_EQ(fields(gpf[0]), "\"fields\":{\"features\":" + std::to_string(ServerOptions{}.protocol_features) + "}}");
  EXPECT_EQ(fields(lines("set_vring_num").at(0)), "\"fields\":{\"vring\":0,\"num\":8}}");
  EXPECT_EQ(fields(lines("set_vring_base").at(0)), "\"fields\":{\"vring\":0,\"base\":0}}");
  const std::vector<std::string> pops = lines("pop");
  ASSERT_EQ(pops.size(), 2u);
  for (uint32_t i = 0; i < 2; ++i) {
    EXPECT_EQ(fields(pops[i]), "\"fields\":{\"vring\":0,\"head\":0,\"avail_idx\":" + std::to_string(i) +
                                   ",\"out_len\":16,\"in_len\":64,\"out_num\":1,\"in_num\":1}}");
  }
  const std::vector<std::string> used = lines("add_used");
  ASSERT_EQ(used.size(), 2u);
  EXPECT_EQ(fields(used[1]), "\"fields\":{\"vring\":0,\"head\":0,\"len\":64,\"used_idx\":1}}");
  EXPECT_EQ(fields(lines("get_vring_base").at(0)), "\"fields\":{\"vring\":0,\"base\":2}}");
  // Every pop takes an entry the avail index read just before it (on the same thread) shows.
  std::istringstream in(trace());
  std::string prev_read;
  int pops_seen = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find("{\"name\":\"avail_read\",") == 0) prev_read = line;
    if (line.find("{\"name\":\"pop\",") != 0) continue;
    const std::string i = std::to_string(pops_seen++);
    EXPECT_EQ(fields(prev_read),
              "\"fields\":{\"vring\":0,\"idx\":" + std::to_string(pops_seen) + ",\"last_avail_idx\":" + i + "}}")
        << line;
  }
  // The reads that found nothing new: idx == last_avail_idx == 2 after the second pop.
  const std::vector<std::string> reads = lines("avail_read");
  ASSERT_GE(reads.size(), 4u);
  EXPECT_EQ(fields(reads.back()), "\"fields\":{\"vring\":0,\"idx\":2,\"last_avail_idx\":2}}");
  EXPECT_TRUE(lines("fault_injected").empty());
}

TEST_F(ServerTest, GetRepliesAreRecordedWithTheirValues) {
  sendU64(kSetStatus, 11);
  sendU64(kGetStatus, 0);
  EXPECT_EQ(recvU64(kGetStatus), 11u);
  sendU64(kGetQueueNum, 0);
  EXPECT_EQ(recvU64(kGetQueueNum), 1u);
  finish();
  EXPECT_EQ(fields(lines("get_status").at(0)), "\"fields\":{\"status\":11}}");
  EXPECT_EQ(fields(lines("get_queue_num").at(0)), "\"fields\":{\"queues\":1}}");
}

class UsedLenFaultServerTest : public ServerTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.faults.used_len_exceeds_writable = true;
    return o;
  }
};

TEST_F(UsedLenFaultServerTest, FirstUsedElementClaimsOneByteMore) {
  EXPECT_EQ(serveTwoChains(), 2u);
  EXPECT_EQ(usedLen(0), 65u);  // the chain has 64 writable bytes
  EXPECT_EQ(usedLen(1), 64u);  // once per connection
  const std::vector<std::string> used = lines("add_used");
  ASSERT_EQ(used.size(), 2u);
  EXPECT_EQ(fields(used[0]), "\"fields\":{\"vring\":0,\"head\":0,\"len\":65,\"used_idx\":0}}");
  EXPECT_EQ(fields(used[1]), "\"fields\":{\"vring\":0,\"head\":0,\"len\":64,\"used_idx\":1}}");
  const std::vector<std::string> faults = lines("fault_injected");
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(fields(faults[0]), "\"fields\":{\"fault\":\"used-len-exceeds-writable\"}}");
}

class VringBaseFaultServerTest : public ServerTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.faults.vring_base_off_by_one = true;
    return o;
  }
};

TEST_F(VringBaseFaultServerTest, GetVringBaseRepliesOneTooMany) {
  EXPECT_EQ(serveTwoChains(), 3u);  // two buffers taken from base 0
  EXPECT_EQ(fields(lines("get_vring_base").at(0)), "\"fields\":{\"vring\":0,\"base\":3}}");
  EXPECT_EQ(lines("pop").size(), 2u);
  EXPECT_EQ(fields(lines("fault_injected").at(0)), "\"fields\":{\"fault\":\"vring-base-off-by-one\"}}");
}

// --- SET_MEM_TABLE hardening: every region is checked against its file before it is mapped.

class MemTableTest : public ServerTest {
 protected:
  static int memfd(off_t size) {
    const int fd = ::memfd_create("guest", MFD_CLOEXEC);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::ftruncate(fd, size), 0);
    return fd;
  }
  // Negotiates REPLY_ACK, sends SET_MEM_TABLE(need_reply) with `regions` {gpa, size, uva, offset}
  // and `fds`, and returns the ack (0 success), or -1 when the back-end hung up without one.
  int64_t sendTable(const std::vector<std::array<uint64_t, 4>>& regions, std::vector<int> fds) {
    sendU64(kSetProtocolFeatures, kProtocolReplyAck);
    std::vector<uint8_t> table(8 + 32 * regions.size());
    const uint32_t n = static_cast<uint32_t>(regions.size());
    std::memcpy(table.data(), &n, 4);
    for (size_t i = 0; i < regions.size(); ++i) std::memcpy(table.data() + 8 + 32 * i, regions[i].data(), 32);
    send(kSetMemTable, table.data(), static_cast<uint32_t>(table.size()), std::move(fds),
         kFlagVersion | kFlagNeedReply);
    uint32_t h[3] = {0, 0, 0};
    if (::recv(fe_, h, 12, MSG_WAITALL) != 12) return -1;
    EXPECT_EQ(h[0], kSetMemTable);
    uint64_t v = 0;
    EXPECT_EQ(h[2], 8u);
    EXPECT_EQ(::recv(fe_, &v, 8, MSG_WAITALL), 8);
    return static_cast<int64_t>(v);
  }
  // After a refused table: the back-end hangs up, ends with a protocol error, and its trace and
  // log say why.
  void expectRefused(const std::string& why) {
    char c;
    EXPECT_EQ(::recv(fe_, &c, 1, 0), 0) << "the back-end did not hang up";
    finish();
    EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
    const std::string t = trace();
    const size_t e = t.find("\"name\":\"vu_error\"");
    ASSERT_NE(e, std::string::npos) << t;
    EXPECT_NE(t.find(why, e), std::string::npos) << "vu_error does not say '" << why << "': " << t.substr(e);
    EXPECT_NE(logText_.find(why), std::string::npos) << logText_;
  }
};

TEST_F(MemTableTest, RegionLargerThanItsFileIsRefused) {
  const int fd = memfd(0x10000);
  // The crash: a region claiming more than its memfd holds was mapped, and the first
  // access past the file's end killed the back-end with SIGBUS.
  EXPECT_EQ(sendTable({{kGpa, 0x20000, kUva, 0}}, {fd}), 1);  // REPLY_ACK failure
  expectRefused("runs past the end of its file");
  ::close(fd);
}

TEST_F(MemTableTest, OffsetPastTheFileIsRefused) {
  const int fd = memfd(0x10000);
  EXPECT_EQ(sendTable({{kGpa, 0x8000, kUva, 0xc000}}, {fd}), 1);
  expectRefused("runs past the end of its file");
  ::close(fd);
}

TEST_F(MemTableTest, OffsetPlusSizeOverflowIsRefused) {
  const int fd = memfd(0x10000);
  EXPECT_EQ(sendTable({{kGpa, 0x1000, kUva, 0xfffffffffffff000ull}}, {fd}), 1);
  expectRefused("overflows");
  ::close(fd);
}

TEST_F(MemTableTest, GuestPhysicalRangeWrapIsRefused) {
  const int fd = memfd(0x10000);
  EXPECT_EQ(sendTable({{0xfffffffffffff000ull, 0x2000, kUva, 0}}, {fd}), 1);
  expectRefused("wraps around");
  ::close(fd);
}

TEST_F(MemTableTest, EmptyRegionIsRefused) {
  const int fd = memfd(0x10000);
  EXPECT_EQ(sendTable({{kGpa, 0, kUva, 0}}, {fd}), 1);
  expectRefused("empty");
  ::close(fd);
}

TEST_F(MemTableTest, OverlappingGuestPhysicalRangesAreRefused) {
  const int a = memfd(0x10000), b = memfd(0x10000);
  EXPECT_EQ(sendTable({{kGpa, 0x10000, kUva, 0}, {kGpa + 0xf000, 0x10000, kUva + 0x100000, 0}}, {a, b}), 1);
  expectRefused("guest-physical range");
  ::close(a);
  ::close(b);
}

TEST_F(MemTableTest, OverlappingUserRangesAreRefused) {
  const int a = memfd(0x10000), b = memfd(0x10000);
  EXPECT_EQ(sendTable({{kGpa, 0x10000, kUva, 0}, {kGpa + 0x100000, 0x10000, kUva + 0x8000, 0}}, {a, b}), 1);
  expectRefused("front-end address range");
  ::close(a);
  ::close(b);
}

TEST_F(MemTableTest, AdjacentRegionsOfOneFileAreAccepted) {
  // QEMU splits one memfd into several regions (below and above a PCI hole): same file,
  // adjacent offsets, disjoint ranges.
  const int a = memfd(0x20000);
  const int b = ::fcntl(a, F_DUPFD_CLOEXEC, 0);
  EXPECT_EQ(sendTable({{kGpa, 0x10000, kUva, 0}, {kGpa + 0x10000, 0x10000, kUva + 0x10000, 0x10000}}, {a, b}), 0);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kDisconnected);
  EXPECT_EQ(trace().find("\"name\":\"vu_error\""), std::string::npos);
  ::close(a);
  ::close(b);
}

TEST_F(MemTableTest, NonRegularFileIsRefused) {
  const int efd = ::eventfd(0, EFD_CLOEXEC);
  EXPECT_EQ(sendTable({{kGpa, 0x1000, kUva, 0}}, {efd}), 1);
  expectRefused("not a regular file");
  ::close(efd);
}

TEST_F(MemTableTest, ReadOnlyFileIsRefused) {
  const int fd = memfd(0x10000);
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const int ro = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(ro, 0);
  EXPECT_EQ(sendTable({{kGpa, 0x10000, kUva, 0}}, {ro}), 1);
  expectRefused("cannot map");
  ::close(ro);
  ::close(fd);
}

size_t openFds() {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n;
}

TEST_F(ServerTest, TooManyFdsDisconnectsAndClosesThemAll) {
  // More fds than any request carries (the control buffer holds 8): the kernel truncates them
  // (MSG_CTRUNC); the back-end must hang up and close the ones it did receive.
  const size_t before = openFds();
  std::vector<int> fds;
  for (int i = 0; i < 9; ++i) fds.push_back(::eventfd(0, EFD_CLOEXEC));
  uint8_t table[8 + 32] = {};
  const uint32_t n = 1;
  std::memcpy(table, &n, 4);
  const uint32_t h[3] = {kSetMemTable, kFlagVersion, sizeof table};
  std::vector<uint8_t> buf(kHeaderSize + sizeof table);
  std::memcpy(buf.data(), h, 12);
  std::memcpy(buf.data() + 12, table, sizeof table);
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 9)];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * 9);
  std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * 9);
  ASSERT_EQ(::sendmsg(fe_, &msg, MSG_NOSIGNAL), static_cast<ssize_t>(buf.size()));
  for (int fd : fds) ::close(fd);
  char ch;
  EXPECT_LE(::recv(fe_, &ch, 1, 0), 0);  // EOF, or a reset: the payload was never read
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
  EXPECT_NE(trace().find("too many file descriptors"), std::string::npos);
  // finish() closed our end of the socket and the trace file, the back-end its end; nothing of
  // the nine is left open.
  EXPECT_EQ(openFds(), before - 3);
}

// --- A memfd shrunk after SET_MEM_TABLE: the access that faults ends the connection, not the
// process.

TEST_F(ServerTest, MemfdShrunkUnderTheRingEndsTheConnection) {
  setUpDevice();
  putDesc(0, kGpa + 0x4000, 64, kDescFlagWrite, 0);
  offer(0);
  const int kick = ::eventfd(0, EFD_CLOEXEC);
  const int call = ::eventfd(0, EFD_CLOEXEC);
  sendU64(kSetVringCall, 0, {call});
  sendU64(kSetVringKick, 0, {kick});
  // The front-end truncates guest memory to nothing: the ring itself is gone.
  ::munmap(mem_, kMemSize);
  mem_ = nullptr;
  ASSERT_EQ(::ftruncate(memfd_, 0), 0);
  sendState(kSetVringEnable, 0, 1);
  const uint64_t one = 1;
  ASSERT_EQ(::write(kick, &one, 8), 8);
  char c;
  EXPECT_EQ(::recv(fe_, &c, 1, 0), 0) << "the back-end did not end the connection";
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
  const std::string t = trace();
  EXPECT_NE(t.find("SIGBUS"), std::string::npos) << t;
  EXPECT_NE(t.find("\"name\":\"vu_error\""), std::string::npos) << t;
  EXPECT_EQ(t.find("\"name\":\"add_used\""), std::string::npos) << t;
  EXPECT_NE(logText_.find("SIGBUS"), std::string::npos) << logText_;
  ::close(kick);
  ::close(call);
}

TEST_F(ServerTest, MemfdShrunkUnderABufferEndsTheConnection) {
  setUpDevice();
  // Ring at 0x0-0x2fff stays; the buffer at 0x4000 is cut off.
  putDesc(0, kGpa + 0x4000, 64, kDescFlagWrite, 0);
  offer(0);
  const int kick = ::eventfd(0, EFD_CLOEXEC);
  sendU64(kSetVringKick, 0, {kick});
  ASSERT_EQ(::ftruncate(memfd_, 0x3000), 0);
  sendState(kSetVringEnable, 0, 1);
  const uint64_t one = 1;
  ASSERT_EQ(::write(kick, &one, 8), 8);
  char c;
  EXPECT_EQ(::recv(fe_, &c, 1, 0), 0) << "the back-end did not end the connection";
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
  const std::string t = trace();
  EXPECT_NE(t.find("SIGBUS"), std::string::npos) << t;
  EXPECT_NE(t.find("guest-physical 0x104000"), std::string::npos) << t;
  // The used ring (still backed) was not told about a buffer that was never filled.
  EXPECT_EQ(usedIdx(), 0);
  ::close(kick);
}

// A SIGBUS outside guest memory is not swallowed by the guard: the process still dies of it.
TEST(SigbusGuardDeathTest, ForeignSigbusStillKills) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        // Install the guard (as any SET_MEM_TABLE would), then fault on an unrelated mapping.
        GuestMemory gm;
        const int g = ::memfd_create("guest", MFD_CLOEXEC);
        ASSERT_EQ(::ftruncate(g, 0x1000), 0);
        std::string err;
        ASSERT_TRUE(gm.mapRegion(g, 0, 0x1000, 0, 0, &err)) << err;
        const int fd = ::memfd_create("other", MFD_CLOEXEC);
        ASSERT_EQ(::ftruncate(fd, 0x1000), 0);
        auto* p = static_cast<volatile uint8_t*>(::mmap(nullptr, 0x2000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
        p[0x1000] = 1;  // past the end of its file
      },
      "");
}

// --- A front-end that stops reading replies is timed out.

class ReplyTimeoutTest : public ServerTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.io_timeout_ms = 300;
    return o;
  }
};

TEST_F(ReplyTimeoutTest, FrontEndThatNeverReadsRepliesIsDisconnected) {
  recvFeatures();
  sendU64(kSetProtocolFeatures, kProtocolReplyAck);
  // 20,000 need_reply messages whose replies are never read: the back-end's send() fills the
  // socket, then it must give up instead of blocking forever.
  const uint32_t st[2] = {0, 8};
  std::vector<uint8_t> one(kHeaderSize + 8);
  const uint32_t h[3] = {kSetVringNum, kFlagVersion | kFlagNeedReply, 8};
  std::memcpy(one.data(), h, 12);
  std::memcpy(one.data() + 12, st, 8);
  int sent = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sent < 20000 && std::chrono::steady_clock::now() < deadline) {
    const ssize_t r = ::send(fe_, one.data(), one.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r == static_cast<ssize_t>(one.size())) {
      ++sent;
    } else if (r < 0 && errno == EAGAIN) {
      pollfd p{fe_, POLLOUT, 0};
      if (::poll(&p, 1, 2000) <= 0) break;  // the back-end stopped reading: it is stuck in send()
      if (p.revents & (POLLHUP | POLLERR)) break;
    } else {
      break;  // a short write or an error: the back-end hung up
    }
  }
  EXPECT_GT(sent, 100);  // a few hundred fill the socket buffers both ways
  // The back-end gives up within its timeout and ends the connection.
  const auto t0 = std::chrono::steady_clock::now();
  while (!done_ && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(done_) << "the back-end is still blocked sending replies nobody reads";
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
  const std::string t = trace();
  EXPECT_NE(t.find("did not read"), std::string::npos) << t.substr(t.size() > 2000 ? t.size() - 2000 : 0);
}

TEST_F(ReplyTimeoutTest, MessageThatStopsHalfwayIsTimedOut) {
  // A header announcing 8 payload bytes, then silence (the connection stays open).
  const uint32_t h[3] = {kSetFeatures, kFlagVersion, 8};
  ASSERT_EQ(::send(fe_, h, 12, MSG_NOSIGNAL), 12);
  ASSERT_EQ(::send(fe_, "abc", 3, MSG_NOSIGNAL), 3);
  char c;
  pollfd p{fe_, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1) << "the back-end still waits for the rest of the message";
  EXPECT_EQ(::recv(fe_, &c, 1, 0), 0);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kProtocolError);
  EXPECT_NE(trace().find("timed out"), std::string::npos);
}

TEST_F(ReplyTimeoutTest, IdleFrontEndIsNotTimedOut) {
  // Between messages a front-end may stay silent for as long as it likes.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_FALSE(done_);
  sendU64(kGetFeatures, 0);
  recvU64(kGetFeatures);
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kDisconnected);
}

TEST_F(ServerTest, StopFdEndsABlockedSend) {
  // SIGTERM reaches serve() as its stop fd: it must end a send() the front-end never drains
  // long before the 10 s reply timeout.
  recvFeatures();
  sendU64(kSetProtocolFeatures, kProtocolReplyAck);
  const uint32_t st[2] = {0, 8};
  std::vector<uint8_t> one(kHeaderSize + 8);
  const uint32_t h[3] = {kSetVringNum, kFlagVersion | kFlagNeedReply, 8};
  std::memcpy(one.data(), h, 12);
  std::memcpy(one.data() + 12, st, 8);
  for (int sent = 0; sent < 20000;) {
    const ssize_t r = ::send(fe_, one.data(), one.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r == static_cast<ssize_t>(one.size())) {
      ++sent;
      continue;
    }
    ASSERT_TRUE(r < 0 && errno == EAGAIN);
    pollfd p{fe_, POLLOUT, 0};
    if (::poll(&p, 1, 1000) == 0) break;  // the back-end is stuck in send()
  }
  EXPECT_FALSE(done_);
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t v = 1;
  ASSERT_EQ(::write(stop_, &v, 8), 8);
  while (!done_ && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(done_) << "the stop fd did not end a blocked send";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  finish();
  EXPECT_EQ(end_, VhostUserServer::End::kStopped);
}

class TwoQueueServerTest : public ServerTest {
 protected:
  uint32_t queues() override { return 2; }
};

TEST_F(TwoQueueServerTest, EachRingHasItsOwnWorker) {
  setUpDevice();  // ring 0 at 0x0 / 0x1000 / 0x2000
  // Ring 1: descriptors at 0x5000, avail at 0x6000, used at 0x7000.
  sendState(kSetVringNum, 1, kNum);
  sendState(kSetVringBase, 1, 0);
  uint8_t addr[40] = {};
  const uint32_t idx = 1;
  const uint64_t desc = kUva + 0x5000, used = kUva + 0x7000, avail = kUva + 0x6000;
  std::memcpy(addr, &idx, 4);
  std::memcpy(addr + 8, &desc, 8);
  std::memcpy(addr + 16, &used, 8);
  std::memcpy(addr + 24, &avail, 8);
  send(kSetVringAddr, addr, sizeof addr);
  putDesc(0, kGpa + 0x4000, 32, kDescFlagWrite, 0);
  offer(0);
  const VringDesc d1{kGpa + 0x8000, 48, kDescFlagWrite, 0};
  std::memcpy(mem_ + 0x5000, &d1, 16);
  const uint16_t head = 0, one_idx = 1;
  std::memcpy(mem_ + 0x6000 + 4, &head, 2);
  std::memcpy(mem_ + 0x6000 + 2, &one_idx, 2);
  int call[2], kick[2];
  for (uint32_t r = 0; r < 2; ++r) {
    call[r] = ::eventfd(0, EFD_CLOEXEC);
    kick[r] = ::eventfd(0, EFD_CLOEXEC);
    const uint64_t one = 1;
    ASSERT_EQ(::write(kick[r], &one, 8), 8);
    sendU64(kSetVringCall, r, {call[r]});
    sendU64(kSetVringKick, r, {kick[r]});
    sendState(kSetVringEnable, r, 1);
  }
  ASSERT_TRUE(waitReadable(call[0], 5000));
  ASSERT_TRUE(waitReadable(call[1], 5000));
  EXPECT_EQ(usedIdx(), 1);
  uint16_t used1;
  std::memcpy(&used1, mem_ + 0x7000 + 2, 2);
  EXPECT_EQ(used1, 1);
  EXPECT_EQ(mem_[0x8000 + 47], 0xab);
  EXPECT_EQ(mem_[0x8000 + 48], 0);
  sendU64(kGetQueueNum, 0);
  EXPECT_EQ(recvU64(kGetQueueNum), 2u);
  finish();
  const std::string t = trace();
  size_t spawns = 0;
  for (size_t at = t.find("\"thread_spawn\""); at != std::string::npos; at = t.find("\"thread_spawn\"", at + 1)) {
    ++spawns;
  }
  EXPECT_EQ(spawns, 2u);
  EXPECT_NE(t.find("\"thread\":\"vu-worker-1\""), std::string::npos);
  for (int r = 0; r < 2; ++r) {
    ::close(call[r]);
    ::close(kick[r]);
  }
}

class SkipReplyServerTest : public ServerTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.faults.skip_reply = true;
    return o;
  }
};

TEST_F(SkipReplyServerTest, NeedReplyIsNotAnswered) {
  recvFeatures();
  sendU64(kSetProtocolFeatures, kProtocolReplyAck);
  const uint32_t st[2] = {0, 8};
  send(kSetVringNum, st, 8, {}, kFlagVersion | kFlagNeedReply);
  sendU64(kGetFeatures, 0);
  recvU64(kGetFeatures);  // no ack came before this reply
  finish();
  EXPECT_NE(trace().find("\"fault\":\"skip-reply\""), std::string::npos);
}

}  // namespace
}  // namespace vc::backend
