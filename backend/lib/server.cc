#include "server.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

namespace vc::backend {

namespace {

void closeFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

// Writes 1 to an eventfd. Never blocks: the call / err fds come from the front-end, and one that
// is not writable now (a pipe nobody reads, an eventfd at its maximum count) loses the
// notification (returns false) instead of holding the ring lock forever.
bool signalEventFd(int fd) {
  if (fd < 0) return false;
  pollfd p{fd, POLLOUT, 0};
  int n;
  do {
    n = ::poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n != 1 || !(p.revents & POLLOUT)) return false;
  const uint64_t one = 1;
  ssize_t r;
  do {
    r = ::write(fd, &one, sizeof one);
  } while (r < 0 && errno == EINTR);
  return r == static_cast<ssize_t>(sizeof one);
}

// Reads an eventfd counter if it is readable now; 0 when it is not. `bad` (optional) is set when
// the fd is readable but does not behave like an eventfd (EOF, short read, error, hang-up).
uint64_t drainEventFd(int fd, bool* bad = nullptr) {
  if (fd < 0) return 0;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return 0;
  if (!(p.revents & POLLIN)) {
    if (bad && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) *bad = true;
    return 0;
  }
  uint64_t v = 0;
  ssize_t r;
  do {
    r = ::read(fd, &v, sizeof v);
  } while (r < 0 && errno == EINTR);
  if (r == static_cast<ssize_t>(sizeof v)) return v;
  if (bad && !(r < 0 && errno == EAGAIN)) *bad = true;
  return 0;
}

using Clock = std::chrono::steady_clock;

enum class Io { kOk, kEof, kTimeout, kStopped, kError };

// Waits until `fd` is ready for `events` (or hung up), `stop_fd` is readable, or `deadline`.
Io waitFd(int fd, short events, int stop_fd, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Io::kTimeout;
    pollfd p[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
    const int r = ::poll(p, stop_fd >= 0 ? 2 : 1, left > 60000 ? 60000 : static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Io::kError;
    if (stop_fd >= 0 && (p[1].revents & POLLIN)) return Io::kStopped;
    if (p[0].revents) return Io::kOk;  // ready, or an error / hang-up the next call reports
  }
}

// Reads exactly `len` bytes by `deadline`. kEof: EOF before any byte; EOF after some is kError.
Io readFull(int fd, uint8_t* buf, size_t len, int stop_fd, Clock::time_point deadline) {
  size_t got = 0;
  while (got < len) {
    const ssize_t r = ::recv(fd, buf + got, len - got, MSG_DONTWAIT);
    if (r > 0) {
      got += static_cast<size_t>(r);
      continue;
    }
    if (r == 0) return got == 0 ? Io::kEof : Io::kError;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return Io::kError;
    const Io w = waitFd(fd, POLLIN, stop_fd, deadline);
    if (w != Io::kOk) return w;
  }
  return Io::kOk;
}

// Writes all of `buf` by `deadline`, unless `stop_fd` becomes readable first.
Io writeFull(int fd, const uint8_t* buf, size_t len, int stop_fd, Clock::time_point deadline) {
  size_t put = 0;
  while (put < len) {
    const ssize_t r = ::send(fd, buf + put, len - put, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r > 0) {
      put += static_cast<size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return Io::kError;
    const Io w = waitFd(fd, POLLOUT, stop_fd, deadline);
    if (w != Io::kOk) return w;
  }
  return Io::kOk;
}

enum class RecvResult { kOk, kAgain, kEof, kError, kStopped };

// Receives one message: the header with its SCM_RIGHTS fds, then the payload. Called when the
// socket is readable; once the first byte is in, the rest must arrive within `timeout_ms`.
RecvResult recvMessage(int fd, VhostUserMessage* m, std::string* err, int stop_fd, int timeout_ms) {
  uint8_t header[kHeaderSize];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  iovec iov{header, sizeof header};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t r;
  do {
    r = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return RecvResult::kEof;
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return RecvResult::kAgain;
  if (r < 0) {
    *err = std::string("recvmsg: ") + std::strerror(errno);
    return RecvResult::kError;
  }
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  m->fds.clear();
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      const size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < n; ++i) {
        int f;
        std::memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
        m->fds.push_back(f);
      }
    }
  }
  if (msg.msg_flags & MSG_CTRUNC) {
    *err = "too many file descriptors in one message";
    return RecvResult::kError;
  }
  const auto rest = [&](uint8_t* buf, size_t len, const char* what) {
    const Io io = readFull(fd, buf, len, stop_fd, deadline);
    if (io == Io::kOk) return RecvResult::kOk;
    if (io == Io::kStopped) return RecvResult::kStopped;
    if (io == Io::kTimeout) {
      *err = std::string(what) + " timed out: the rest did not arrive within " + std::to_string(timeout_ms) + " ms";
    } else {
      *err = std::string("truncated ") + what;
    }
    return RecvResult::kError;
  };
  if (static_cast<size_t>(r) < sizeof header) {
    const RecvResult h = rest(header + r, sizeof header - static_cast<size_t>(r), "message header");
    if (h != RecvResult::kOk) return h;
  }
  std::memcpy(&m->request, header, 4);
  std::memcpy(&m->flags, header + 4, 4);
  std::memcpy(&m->size, header + 8, 4);
  if (m->size > kMaxPayload) {
    *err = "payload size " + std::to_string(m->size) + " exceeds " + std::to_string(kMaxPayload);
    return RecvResult::kError;
  }
  m->payload.assign(m->size, 0);
  if (m->size > 0) {
    const std::string what = std::string(requestName(m->request)) + " payload";
    return rest(m->payload.data(), m->size, what.c_str());
  }
  return RecvResult::kOk;
}

void closeFds(VhostUserMessage& m) {
  for (int& f : m.fds) closeFd(&f);
  m.fds.clear();
}

}  // namespace

struct VhostUserServer::Vring {
  explicit Vring(uint32_t i) : index(i) { ctl_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }
  ~Vring() {
    closeFd(&kick_fd);
    closeFd(&call_fd);
    closeFd(&err_fd);
    closeFd(&ctl_fd);
  }

  const uint32_t index;
  std::mutex mu;
  std::condition_variable cv;
  // Guarded by mu.
  bool started = false;
  bool enabled = false;
  uint64_t version = 0;
  uint32_t num = 0;
  VringAddr addr{};
  bool addr_set = false;
  // Last avail idx. Atomic (and `broken` too) only because the process-outside-lock fault
  // writes them without the lock; the correct back-end always holds it.
  std::atomic<uint16_t> base{0};
  int kick_fd = -1;
  int call_fd = -1;
  int err_fd = -1;
  bool event_idx = false;
  bool indirect = false;
  std::shared_ptr<GuestMemory> mem;
  std::atomic<bool> broken{false};
  uint64_t disabled_kicks = 0;  // kick reads that found the ring disabled
  // Worker hand-shake (guarded by mu).
  int64_t worker_tid = 0;
  bool go = false;
  bool first_pass_done = false;
  std::thread worker;
  int ctl_fd = -1;
};

VhostUserServer::VhostUserServer(VirtioDevice& device, Tracer& tracer, Logger& log, ServerOptions options)
    : device_(device), tracer_(tracer), log_(log), opts_(options) {
  fatalFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  for (uint32_t i = 0; i < device_.numQueues(); ++i) vrings_.push_back(std::make_unique<Vring>(i));
}

VhostUserServer::~VhostUserServer() {
  closeConnection();
  closeFd(&listenFd_);
  closeFd(&fatalFd_);
  if (!socketPath_.empty()) ::unlink(socketPath_.c_str());
}

uint64_t VhostUserServer::offeredFeatures() const {
  return device_.deviceFeatures() | kFeatureVersion1 | kFeatureProtocolFeatures | kFeatureEventIdx |
         kFeatureIndirectDesc;
}

bool VhostUserServer::listen(const std::string& path, std::string* err) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    *err = "socket path too long: " + path;
    return false;
  }
  listenFd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listenFd_ < 0) {
    *err = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ::unlink(path.c_str());
  if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(listenFd_, 1) < 0) {
    *err = "bind/listen " + path + ": " + std::strerror(errno);
    closeFd(&listenFd_);
    return false;
  }
  socketPath_ = path;
  return true;
}

VhostUserServer::End VhostUserServer::acceptAndServe(int stop_fd) {
  pollfd p[2] = {{listenFd_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    const int r = ::poll(p, stop_fd >= 0 ? 2 : 1, -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return End::kFailed;
    if (stop_fd >= 0 && (p[1].revents & POLLIN)) return End::kStopped;
    if (p[0].revents & POLLIN) break;
  }
  const int conn = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) {
    log_.error(std::string("accept: ") + std::strerror(errno));
    return End::kFailed;
  }
  return serve(conn, stop_fd);
}

VhostUserServer::End VhostUserServer::serve(int conn_fd, int stop_fd) {
  connFd_ = conn_fd;
  stopFd_ = stop_fd;
  ackedFeatures_ = ackedProtocolFeatures_ = status_ = 0;
  stopping_ = sendFailed_ = false;
  repliedSeq_ = replies_ = 0;
  usedLenFaultDone_ = false;
  drainEventFd(fatalFd_);
  {
    std::lock_guard<std::mutex> lock(fatalMu_);
    fatalReason_.clear();
  }
  tracer_.vuConnect();
  log_.info("front-end connected");
  uint64_t seq = 0;
  End end = End::kDisconnected;
  for (;;) {
    pollfd p[3] = {{connFd_, POLLIN, 0}, {fatalFd_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    const int r = ::poll(p, stop_fd >= 0 ? 3 : 2, -1);
    if (r < 0 && errno == EINTR) continue;
    if (stop_fd >= 0 && (p[2].revents & POLLIN)) {
      end = End::kStopped;
      break;
    }
    if (p[1].revents & POLLIN) {
      drainEventFd(fatalFd_);
      std::string reason;
      {
        std::lock_guard<std::mutex> lock(fatalMu_);
        reason = fatalReason_;
      }
      tracer_.vuError(reason);
      log_.error(reason);
      end = End::kProtocolError;
      break;
    }
    VhostUserMessage m;
    std::string err;
    const RecvResult rr = recvMessage(connFd_, &m, &err, stop_fd, opts_.io_timeout_ms);
    if (rr == RecvResult::kAgain) continue;
    if (rr == RecvResult::kEof) break;
    if (rr == RecvResult::kStopped) {
      closeFds(m);
      end = End::kStopped;
      break;
    }
    ++seq;
    if (rr == RecvResult::kError) {
      closeFds(m);
      tracer_.vuError(err);
      log_.error(err);
      end = End::kProtocolError;
      break;
    }
    tracer_.vuRecv(m.request, requestName(m.request), m.flags, seq, m.size);
    if (!validateMessage(m, &err)) {
      closeFds(m);
      tracer_.vuError(err);
      log_.error("malformed message: " + err);
      end = End::kProtocolError;
      break;
    }
    const Step s = handle(m, seq);
    closeFds(m);  // fds not taken by the handler
    if (s == Step::kError) {
      if (stopping_) {
        end = End::kStopped;
        break;
      }
      // vhost-user.rst, REPLY_ACK: the ack is "zero for success, non-zero otherwise". A front-end
      // that asked for one learns that the request failed before the connection ends.
      if (m.needReply() && repliedSeq_ != seq && !sendFailed_ && (ackedProtocolFeatures_ & kProtocolReplyAck) &&
          !opts_.faults.skip_reply) {
        replyU64(m, seq, 1);
      }
      end = stopping_ ? End::kStopped : End::kProtocolError;
      break;
    }
  }
  closeConnection();
  tracer_.vuDisconnect();
  tracer_.flush();
  log_.info(end == End::kDisconnected ? "front-end disconnected"
            : end == End::kStopped    ? "stopped by signal"
                                      : "disconnected after a protocol error");
  return end;
}

void VhostUserServer::fatal(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(fatalMu_);
    if (fatalReason_.empty()) fatalReason_ = reason;
  }
  signalEventFd(fatalFd_);
}

void VhostUserServer::closeConnection() {
  if (connFd_ < 0) return;
  resetAll();
  closeFd(&connFd_);
}

bool VhostUserServer::reply(const VhostUserMessage& m, uint64_t seq, const void* payload, uint32_t size) {
  const std::vector<uint8_t> out = encodeReply(m.request, payload, size);
  const Io io = writeFull(connFd_, out.data(), out.size(), stopFd_,
                          Clock::now() + std::chrono::milliseconds(opts_.io_timeout_ms));
  if (io == Io::kOk) {
    tracer_.vuReply(m.request, requestName(m.request), seq);
    repliedSeq_ = seq;
    ++replies_;
    return true;
  }
  sendFailed_ = true;
  if (io == Io::kStopped) {
    stopping_ = true;
    log_.info(std::string("stopped while sending the reply to ") + requestName(m.request));
    return false;
  }
  std::string e;
  if (io == Io::kTimeout) {
    e = "the front-end did not read the reply to " + std::string(requestName(m.request)) + " (seq " +
        std::to_string(seq) + ") within " + std::to_string(opts_.io_timeout_ms) + " ms; " + std::to_string(replies_) +
        " replies sent before it";
  } else {
    e = "cannot send the reply to " + std::string(requestName(m.request)) + ": " + std::strerror(errno);
  }
  tracer_.vuError(e);
  log_.error(e);
  return false;
}

bool VhostUserServer::replyU64(const VhostUserMessage& m, uint64_t seq, uint64_t value) {
  return reply(m, seq, &value, sizeof value);
}

VhostUserServer::Vring* VhostUserServer::ringFor(uint32_t index, const char* what) {
  if (index >= vrings_.size()) {
    const std::string e = std::string(what) + " for ring " + std::to_string(index) + " of a device with " +
                          std::to_string(vrings_.size()) + " rings";
    tracer_.vuError(e);
    log_.error(e);
    return nullptr;
  }
  return vrings_[index].get();
}

void VhostUserServer::startRing(Vring& vr) {
  {
    std::unique_lock<std::mutex> lock(vr.mu);
    vr.started = true;
    vr.broken = false;
    vr.worker_tid = 0;
    vr.go = false;
    vr.first_pass_done = false;
    ++vr.version;
    tracer_.ringStart(vr.index);
    tracer_.ringPublish(vr.index, vr.version);
  }
  drainEventFd(vr.ctl_fd);
  vr.worker = std::thread(&VhostUserServer::workerMain, this, &vr);
  std::unique_lock<std::mutex> lock(vr.mu);
  vr.cv.wait(lock, [&] { return vr.worker_tid != 0; });
  tracer_.threadSpawn(vr.worker_tid);
  vr.go = true;
  vr.cv.notify_all();
  // Let the worker make its first pass over the kick fd before the next message is handled.
  // QEMU hands over a kick fd that is already readable while the ring is still disabled; waiting
  // here makes that "kick while disabled" case happen on every run instead of by chance.
  vr.cv.wait_for(lock, std::chrono::seconds(1), [&] { return vr.first_pass_done; });
}

void VhostUserServer::stopRing(Vring& vr, uint32_t* base_out) {
  int64_t tid = 0;
  {
    std::lock_guard<std::mutex> lock(vr.mu);
    if (base_out) {
      *base_out = vr.base;
      if (opts_.faults.vring_base_off_by_one) {
        // The reply (and the event, which records the reply) is one past the last avail index.
        tracer_.faultInjected("vring-base-off-by-one");
        *base_out = static_cast<uint16_t>(*base_out + 1);
      }
      tracer_.getVringBase(vr.index, *base_out);
    }
    if (!vr.started) return;
    vr.started = false;
    ++vr.version;
    tracer_.ringStop(vr.index);
    tracer_.ringPublish(vr.index, vr.version);
    tid = vr.worker_tid;
  }
  signalEventFd(vr.ctl_fd);
  if (vr.worker.joinable()) {
    vr.worker.join();
    tracer_.threadJoin(tid);
  }
  std::lock_guard<std::mutex> lock(vr.mu);
  closeFd(&vr.kick_fd);
}

void VhostUserServer::setEnabled(Vring& vr, bool enable) {
  {
    std::lock_guard<std::mutex> lock(vr.mu);
    vr.enabled = enable;
    ++vr.version;
    if (enable)
      tracer_.ringEnable(vr.index);
    else
      tracer_.ringDisable(vr.index);
    tracer_.ringPublish(vr.index, vr.version);
  }
  signalEventFd(vr.ctl_fd);
}

void VhostUserServer::resetAll() {
  for (auto& v : vrings_) {
    stopRing(*v, nullptr);
    bool was_enabled;
    {
      std::lock_guard<std::mutex> lock(v->mu);
      was_enabled = v->enabled;
      closeFd(&v->call_fd);
      closeFd(&v->err_fd);
      v->mem.reset();
      v->num = 0;
      v->base = 0;
      v->addr_set = false;
      v->broken = false;
    }
    if (was_enabled) setEnabled(*v, false);
  }
  mem_.reset();
}

VhostUserServer::Step VhostUserServer::handle(VhostUserMessage& m, uint64_t seq) {
  const auto fail = [&](const std::string& e) {
    tracer_.vuError(e);
    log_.error(e);
    return Step::kError;
  };
  // The request's own reply (GET_*) satisfies need_reply. A request that fails ends the
  // connection instead of being acked with an error, so a REPLY_ACK ack always reports success.
  bool replied = false;
  switch (m.request) {
    case kGetFeatures:
      tracer_.getFeatures(offeredFeatures());
      if (!replyU64(m, seq, offeredFeatures())) return Step::kError;
      replied = true;
      break;
    case kSetFeatures: {
      const uint64_t f = payloadU64(m);
      tracer_.setFeatures(f);
      if (f & ~offeredFeatures()) {
        log_.warn(
            "front-end acked features the back-end did not offer (QEMU 7.2 passes guest "
            "features through)");
      }
      ackedFeatures_ = f;
      for (auto& v : vrings_) {
        std::lock_guard<std::mutex> lock(v->mu);
        v->event_idx = (f & kFeatureEventIdx) != 0;
        v->indirect = (f & kFeatureIndirectDesc) != 0;
      }
      if (!(f & kFeatureProtocolFeatures)) {
        // Without VHOST_USER_F_PROTOCOL_FEATURES rings are enabled immediately.
        for (auto& v : vrings_) setEnabled(*v, true);
      }
      break;
    }
    case kGetProtocolFeatures:
      tracer_.getProtocolFeatures(opts_.protocol_features);
      if (!replyU64(m, seq, opts_.protocol_features)) return Step::kError;
      replied = true;
      break;
    case kSetProtocolFeatures: {
      const uint64_t f = payloadU64(m);
      tracer_.setProtocolFeatures(f);
      if (f & ~opts_.protocol_features) return fail("SET_PROTOCOL_FEATURES with unoffered bits");
      ackedProtocolFeatures_ = f;
      break;
    }
    case kSetOwner:
      tracer_.setOwner();
      break;
    case kResetOwner:
      tracer_.resetOwner();
      resetAll();
      ackedFeatures_ = 0;
      break;
    case kResetDevice:
      tracer_.resetDevice();
      if (!(ackedProtocolFeatures_ & kProtocolResetDevice)) {
        return fail("RESET_DEVICE without VHOST_USER_PROTOCOL_F_RESET_DEVICE");
      }
      resetAll();
      ackedFeatures_ = 0;
      status_ = 0;
      break;
    case kSetMemTable: {
      std::vector<MemRegionDesc> regions;
      std::string err;
      if (!payloadMemTable(m, &regions, &err)) return fail(err);
      tracer_.setMemTable(static_cast<uint32_t>(regions.size()));
      auto mem = std::make_shared<GuestMemory>();
      for (size_t i = 0; i < regions.size(); ++i) {
        const MemRegionDesc& r = regions[i];
        if (!mem->mapRegion(m.fds[i], r.guest_phys, r.size, r.user_addr, r.mmap_offset, &err)) {
          return fail("SET_MEM_TABLE region " + std::to_string(i) + " (guest-physical " + hex(r.guest_phys) +
                      ", size " + hex(r.size) + ", mmap_offset " + hex(r.mmap_offset) + "): " + err);
        }
        const MemoryRegion& mr = mem->regions().back();
        const bool shrink_sealed = mr.seals >= 0 && (mr.seals & F_SEAL_SHRINK);
        log_.info("SET_MEM_TABLE region " + std::to_string(i) + ": guest-physical " + hex(mr.guest_phys) + ", size " +
                  hex(mr.size) + ", front-end address " + hex(mr.user_addr) + ", file offset " + hex(mr.mmap_offset) +
                  " of " + hex(mr.file_size) + " bytes, " +
                  (shrink_sealed ? "sealed against shrinking"
                                 : "not sealed against shrinking (a shrink is caught by the SIGBUS guard)"));
      }
      mem_ = mem;
      for (auto& v : vrings_) {
        std::lock_guard<std::mutex> lock(v->mu);
        v->mem = mem;
      }
      break;
    }
    case kSetVringNum: {
      const VringState s = payloadVringState(m);
      tracer_.setVringNum(s.index, s.num);
      Vring* vr = ringFor(s.index, "SET_VRING_NUM");
      if (vr == nullptr) return Step::kError;
      if (s.num == 0 || s.num > kMaxQueueSize || (s.num & (s.num - 1)) != 0) {
        return fail("SET_VRING_NUM: bad queue size " + std::to_string(s.num));
      }
      std::lock_guard<std::mutex> lock(vr->mu);
      vr->num = s.num;
      break;
    }
    case kSetVringAddr: {
      const VringAddr a = payloadVringAddr(m);
      tracer_.setVringAddr(a.index);
      Vring* vr = ringFor(a.index, "SET_VRING_ADDR");
      if (vr == nullptr) return Step::kError;
      std::lock_guard<std::mutex> lock(vr->mu);
      vr->addr = a;
      vr->addr_set = true;
      break;
    }
    case kSetVringBase: {
      const VringState s = payloadVringState(m);
      tracer_.setVringBase(s.index, s.num);
      Vring* vr = ringFor(s.index, "SET_VRING_BASE");
      if (vr == nullptr) return Step::kError;
      if (s.num > 0xffff) return fail("SET_VRING_BASE: split ring base above 65535");
      std::lock_guard<std::mutex> lock(vr->mu);
      if (vr->started) log_.warn("SET_VRING_BASE on a started ring");
      vr->base = static_cast<uint16_t>(s.num);
      break;
    }
    case kGetVringBase: {
      const VringState s = payloadVringState(m);
      Vring* vr = ringFor(s.index, "GET_VRING_BASE");
      if (vr == nullptr) return Step::kError;
      uint32_t base = 0;
      stopRing(*vr, &base);
      const VringState out{s.index, base};
      if (!reply(m, seq, &out, sizeof out)) return Step::kError;
      replied = true;
      break;
    }
    case kSetVringKick:
    case kSetVringCall:
    case kSetVringErr: {
      const uint64_t v = payloadU64(m);
      const uint32_t index = static_cast<uint32_t>(v & kVringIndexMask);
      const bool nofd = (v & kVringNoFdMask) != 0;
      if (m.request == kSetVringKick)
        tracer_.setVringKick(index, nofd);
      else if (m.request == kSetVringCall)
        tracer_.setVringCall(index, nofd);
      else
        tracer_.setVringErr(index, nofd);
      Vring* vr = ringFor(index, requestName(m.request));
      if (vr == nullptr) return Step::kError;
      const int fd = nofd ? -1 : m.fds[0];
      if (!nofd) m.fds.clear();  // taken
      if (m.request == kSetVringKick) {
        stopRing(*vr, nullptr);  // a new kick fd restarts a running ring
        {
          std::lock_guard<std::mutex> lock(vr->mu);
          vr->kick_fd = fd;
        }
        if (nofd) {
          log_.warn("SET_VRING_KICK without fd (polling) is not supported; ring stays stopped");
        } else {
          startRing(*vr);
        }
      } else {
        std::lock_guard<std::mutex> lock(vr->mu);
        int* slot = m.request == kSetVringCall ? &vr->call_fd : &vr->err_fd;
        closeFd(slot);
        *slot = fd;
      }
      break;
    }
    case kGetQueueNum:
      tracer_.getQueueNum(device_.numQueues());
      if (!replyU64(m, seq, device_.numQueues())) return Step::kError;
      replied = true;
      break;
    case kSetVringEnable: {
      const VringState s = payloadVringState(m);
      tracer_.setVringEnable(s.index, s.num);
      Vring* vr = ringFor(s.index, "SET_VRING_ENABLE");
      if (vr == nullptr) return Step::kError;
      if (s.num > 1) return fail("SET_VRING_ENABLE with " + std::to_string(s.num));
      if (!(ackedFeatures_ & kFeatureProtocolFeatures)) {
        log_.warn("SET_VRING_ENABLE without VHOST_USER_F_PROTOCOL_FEATURES");
      }
      if (s.num == 1 && (opts_.faults.drop_kick_when_disabled || opts_.faults.process_before_enable)) {
        // Fault modes only: handle the enable late, after the worker has read one more kick
        // while the ring is disabled (bounded wait). This is the slow socket thread of the 2023
        // race; it makes the lost race happen on every run instead of by chance.
        std::unique_lock<std::mutex> lock(vr->mu);
        const uint64_t seen = vr->disabled_kicks;
        vr->cv.wait_for(lock, std::chrono::seconds(1), [&] { return vr->disabled_kicks > seen || !vr->started; });
      }
      setEnabled(*vr, s.num == 1);
      break;
    }
    case kSetStatus:
      tracer_.setStatus(payloadU64(m));
      status_ = payloadU64(m);
      break;
    case kGetStatus:
      tracer_.getStatus(status_);
      if (!replyU64(m, seq, status_)) return Step::kError;
      replied = true;
      break;
    default:
      return fail(std::string("unhandled request ") + requestName(m.request));
  }
  if (m.needReply() && !replied && (ackedProtocolFeatures_ & kProtocolReplyAck)) {
    if (opts_.faults.skip_reply) {
      tracer_.faultInjected("skip-reply");
      log_.warn(std::string("fault skip-reply: not acking ") + requestName(m.request));
    } else if (!replyU64(m, seq, 0)) {
      return Step::kError;
    }
  }
  return Step::kContinue;
}

void VhostUserServer::workerMain(Vring* vrp) {
  Vring& vr = *vrp;
  setCurrentThreadName("vu-worker-" + std::to_string(vr.index));
  {
    // The call / err "eventfd" comes from the front-end; if it is a pipe without a reader, the
    // write must fail with EPIPE, not kill the process (the socket uses MSG_NOSIGNAL instead).
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
  }
  int kick_fd;
  {
    std::unique_lock<std::mutex> lock(vr.mu);
    vr.worker_tid = currentTid();
    vr.cv.notify_all();
    vr.cv.wait(lock, [&] { return vr.go; });
    kick_fd = vr.kick_fd;  // fixed while this worker runs: a new kick fd restarts the worker
  }
  tracer_.threadBegin();
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = kick_fd;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, kick_fd, &ev);
  ev.data.fd = vr.ctl_fd;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, vr.ctl_fd, &ev);

  const Faults& faults = opts_.faults;
  SplitQueue q;
  q.setAvailReadHook(
      [this, &vr](uint16_t idx, uint16_t last_avail_idx) { tracer_.availRead(vr.index, idx, last_avail_idx); });
  std::shared_ptr<GuestMemory> attached;
  bool was_enabled = false;
  bool first = true;
  for (;;) {
    if (!first) {
      epoll_event out[2];
      const int n = ::epoll_wait(ep, out, 2, -1);
      if (n < 0 && errno != EINTR) {
        log_.error(std::string("epoll_wait: ") + std::strerror(errno));
        break;
      }
    }
    drainEventFd(vr.ctl_fd);
    bool bad_kick_fd = false;
    const uint64_t kicks = kick_fd >= 0 ? drainEventFd(kick_fd, &bad_kick_fd) : 0;
    if (bad_kick_fd) {
      // Not an eventfd: stop watching it rather than spin on a level-triggered readable fd.
      ::epoll_ctl(ep, EPOLL_CTL_DEL, kick_fd, nullptr);
      kick_fd = -1;
      tracer_.ringError(vr.index, "kick fd does not behave like an eventfd; no longer watched");
      log_.error("ring " + std::to_string(vr.index) + ": kick fd is not an eventfd");
    }
    std::unique_lock<std::mutex> lock(vr.mu);
    const uint64_t version = vr.version;
    tracer_.ringObserve(vr.index, version);
    if (kicks) tracer_.handleEvent(vr.index, kicks);
    if (!vr.started) {
      if (faults.notify_after_stop && vr.call_fd >= 0) {
        tracer_.faultInjected("notify-after-stop");
        signalEventFd(vr.call_fd);
        tracer_.usedNotify(vr.index);
      }
      tracer_.ringRelease(vr.index, version);
      break;
    }
    const bool enabled = vr.enabled;
    const bool became_enabled = enabled && !was_enabled;
    was_enabled = enabled;
    enum class Action { kNone, kProcess, kRescan } action = Action::kNone;
    if (!vr.broken) {
      if (!enabled) {
        if (kicks) {
          ++vr.disabled_kicks;
          vr.cv.notify_all();
        }
        // Started but disabled: a virtio-rng request cannot be processed without side effects,
        // so the buffers stay on the ring until the ring is enabled (then rescanned below).
        if (kicks && faults.drop_kick_when_disabled) {
          tracer_.faultInjected("drop-kick-when-disabled");
          tracer_.kickDropped(vr.index);
        }
        if (kicks && faults.process_before_enable) {
          tracer_.faultInjected("process-before-enable");
          action = Action::kProcess;
        }
      } else if (kicks) {
        action = Action::kProcess;
      } else if (became_enabled && !faults.drop_kick_when_disabled) {
        // Rescan on enable: a kick may have been read while the ring was disabled.
        action = Action::kRescan;
      }
    }
    if (!vr.first_pass_done) {
      vr.first_pass_done = true;
      vr.cv.notify_all();
    }
    RingView view = viewLocked(vr, /*dup_fds=*/faults.process_outside_lock);
    if (!faults.process_outside_lock) {
      // Correct: process while holding the lock, so no state change can interleave.
      if (action != Action::kNone) process(vr, view, q, attached, action == Action::kRescan);
      // Last event before the lock is dropped: the socket thread's next ring_publish
      // (version + 1) comes after it.
      tracer_.ringRelease(vr.index, version);
      lock.unlock();
    } else {
      // Fault: check-then-act. The state was checked under the lock, the ring is processed
      // after it was dropped, so a SET_VRING_ENABLE(0) or GET_VRING_BASE can slip in between.
      tracer_.ringRelease(vr.index, version);
      lock.unlock();
      if (action != Action::kNone) {
        tracer_.faultInjected("process-outside-lock");
        process(vr, view, q, attached, action == Action::kRescan);
      }
      closeFd(&view.call_fd);
      closeFd(&view.err_fd);
    }
    first = false;
  }
  {
    std::lock_guard<std::mutex> lock(vr.mu);
    vr.first_pass_done = true;
    vr.cv.notify_all();
  }
  ::close(ep);
  tracer_.threadEnd();
}

VhostUserServer::RingView VhostUserServer::viewLocked(Vring& vr, bool dup_fds) {
  RingView v;
  v.mem = vr.mem;
  v.configured = vr.mem && vr.addr_set && vr.num != 0;
  v.layout.num = vr.num;
  v.layout.desc_user = vr.addr.desc_user;
  v.layout.avail_user = vr.addr.avail_user;
  v.layout.used_user = vr.addr.used_user;
  v.layout.event_idx = vr.event_idx;
  v.layout.indirect = vr.indirect;
  v.call_fd = vr.call_fd;
  v.err_fd = vr.err_fd;
  if (dup_fds) {
    v.call_fd = vr.call_fd >= 0 ? ::fcntl(vr.call_fd, F_DUPFD_CLOEXEC, 0) : -1;
    v.err_fd = vr.err_fd >= 0 ? ::fcntl(vr.err_fd, F_DUPFD_CLOEXEC, 0) : -1;
  }
  return v;
}

void VhostUserServer::process(Vring& vr, const RingView& view, SplitQueue& q, std::shared_ptr<GuestMemory>& attached,
                              bool rescan) {
  std::string err;
  const auto ring_error = [&](const std::string& reason) {
    tracer_.ringError(vr.index, reason);
    log_.error("ring " + std::to_string(vr.index) + ": " + reason);
    vr.broken = true;
    signalEventFd(view.err_fd);
  };
  // A guest-memory access hit a page the front-end's file no longer holds (it was shrunk after
  // SET_MEM_TABLE): the SIGBUS guard gave the access a zero page instead of killing the process.
  // Nothing read since can be trusted: stop here and end the connection.
  const auto memory_fault = [&]() {
    if (!view.mem || !view.mem->faulted()) return false;
    const std::string reason = "guest memory access faulted (SIGBUS) on " + view.mem->faultDescription() +
                               ": the front-end shrank the file after SET_MEM_TABLE";
    ring_error(reason);
    fatal(reason);
    return true;
  };
  if (!view.configured) {
    if (rescan) return;  // nothing configured yet, so nothing can be pending
    ring_error("ring processed before SET_MEM_TABLE, SET_VRING_NUM and SET_VRING_ADDR");
    return;
  }
  if (attached != view.mem || !q.attached()) {
    const bool ok = q.attach(view.mem.get(), view.layout, vr.base, &err);
    if (memory_fault()) return;
    if (!ok) {
      ring_error(err);
      return;
    }
    attached = view.mem;
  }
  // The queue keeps its own indices; vr.base mirrors last_avail_idx for GET_VRING_BASE.
  if (rescan) {
    uint16_t pending = 0;
    const bool ok = q.pending(&pending, &err);
    if (memory_fault()) return;
    if (!ok) {
      ring_error(err);
      return;
    }
    if (pending == 0) return;
    tracer_.handleEvent(vr.index, 0);
  }
  for (;;) {
    DescChain chain;
    const PopStatus st = q.pop(&chain, &err);
    if (memory_fault()) return;
    if (st == PopStatus::kError) {
      ring_error(err);
      return;
    }
    if (st == PopStatus::kEmpty) {
      const bool more = q.armKick();
      if (memory_fault()) return;
      if (more) continue;
      break;
    }
    vr.base = q.lastAvailIdx();
    tracer_.pop(vr.index, chain.head, chain.avail_idx, chain.readable_bytes, chain.writable_bytes, chain.readable_descs,
                chain.writable_descs);
    uint32_t len = device_.handleChain(vr.index, chain);
    // Checked before the used ring learns of a buffer that may not have been filled.
    if (memory_fault()) return;
    if (opts_.faults.used_len_exceeds_writable && !usedLenFaultDone_.exchange(true)) {
      // Once per connection: the used element claims one byte more than the chain can hold.
      tracer_.faultInjected("used-len-exceeds-writable");
      len = static_cast<uint32_t>(std::min<uint64_t>(chain.writable_bytes + 1, 0xffffffffu));
    }
    const uint16_t at = q.pushUsed(chain.head, len);
    tracer_.addUsed(vr.index, chain.head, len, at);
    const bool notify = q.shouldNotify();
    if (memory_fault()) return;
    if (notify) {
      if (!signalEventFd(view.call_fd) && view.call_fd >= 0) {
        log_.warn("ring " + std::to_string(vr.index) +
                  ": the call fd is not writable (not an eventfd, or never read): notification lost");
      }
      tracer_.usedNotify(vr.index);
    } else {
      tracer_.notifySuppressed(vr.index);
    }
  }
}

}  // namespace vc::backend
