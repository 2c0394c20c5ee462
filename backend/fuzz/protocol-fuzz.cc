// Fuzz target for the vhost-user message stream, with real file descriptors: a VhostUserServer
// serves one end of a socketpair on its own thread, as it serves QEMU, while this harness sends
// the input's messages on the other end (sendmsg with SCM_RIGHTS) and reads the replies. Memfds
// of chosen sizes and contents, eventfds with a chosen count and pipes travel with the messages,
// so SET_MEM_TABLE, every fd-carrying SET_VRING_* and the rings themselves run their real
// handlers. Every input must end in a clean disconnect (EOF or protocol error), never a crash or
// a hang. Input format (protocol-fuzz.h):
//   input   := record*
//   record  := ctl:u8  fd{ctl & 0x0f, at most 8}  header:12  payload{min(header.size, rest)}
//              ctl bit 7: after this message, wait until the back-end handled it (a GET_FEATURES
//              probe and its reply), then shrink every shrinkable memfd sent so far.
//   fd      := kind:u8 arg:u8 [n:u8 content{16 * n}]   (content only for the memfd kinds)
//     kind % 7: 0 memfd of (arg & 15) pages holding `content` at offset 0; 1 the same, sealed
//     against shrinking and growing; 2 the same, shrunk to (arg >> 4) pages at the next ctl
//     bit 7; 3 the same, opened read-only; 4 eventfd with count arg; 5 pipe read end whose writer
//     is closed; 6 pipe write end nobody reads.
#include "protocol-fuzz.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "protocol.h"
#include "server.h"
#include "split-queue.h"

namespace vc::backend::fuzz {

namespace {

// Writes into every device-writable buffer, so a guest-memory page cut off under a ring is
// touched by the device too.
class FillDevice : public VirtioDevice {
 public:
  uint32_t numQueues() const override { return 2; }
  uint32_t handleChain(uint32_t, const DescChain& chain) override {
    uint32_t n = 0;
    for (const BufferSegment& s : chain.segments) {
      if (!s.writable) continue;
      std::memset(s.host, 0x5a, s.len);
      n += s.len;
    }
    return n;
  }
};

class Harness {
 public:
  Harness(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  ~Harness() {
    for (int fd : keep_) ::close(fd);
    for (const Shrink& s : shrink_) ::close(s.fd);
  }

  void run() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) std::abort();
    fe_ = sv[0];
    FillDevice device;
    Tracer tracer(nullptr);
    Logger log([](LogLevel, std::string_view) {});
    ServerOptions opts;
    opts.io_timeout_ms = 100;  // a message cut short (the size field lies) fails fast
    {
      VhostUserServer server(device, tracer, log, opts);
      std::thread t([&] { server.serve(sv[1], -1); });  // takes sv[1]
      int records = 0;
      while (p_ < end_ && records < kMaxRecords && open_) {
        ++records;
        if (!sendRecord()) break;
      }
      ::shutdown(fe_, SHUT_WR);  // EOF after the input: the server ends the connection
      drain(std::chrono::seconds(10), /*until_probe=*/false);
      t.join();
    }
    ::close(fe_);
  }

 private:
  static constexpr int kMaxRecords = 64;
  static constexpr int kMaxFds = 32;  // per input
  struct Shrink {
    int fd;
    off_t to;
  };

  bool take(size_t n, const uint8_t** out) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    *out = p_;
    p_ += n;
    return true;
  }

  int memfd(uint8_t arg, bool sealed) {
    const int fd = ::memfd_create("fuzz-guest", MFD_CLOEXEC | (sealed ? MFD_ALLOW_SEALING : 0));
    if (fd < 0) std::abort();
    if (::ftruncate(fd, static_cast<off_t>(arg & 15) * 4096) != 0) std::abort();
    const uint8_t* n = nullptr;
    if (take(1, &n)) {
      size_t len = size_t{16} * *n;
      if (len > static_cast<size_t>(end_ - p_)) len = static_cast<size_t>(end_ - p_);
      if (len > static_cast<size_t>(arg & 15) * 4096) len = static_cast<size_t>(arg & 15) * 4096;
      if (len > 0 && ::pwrite(fd, p_, len, 0) != static_cast<ssize_t>(len)) std::abort();
      p_ += len;
    }
    if (sealed) ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
    return fd;
  }

  // The fd an fd spec describes (owned by the caller, which closes it after sending), or -1.
  int makeFd() {
    const uint8_t* spec = nullptr;
    if (!take(2, &spec)) return -1;
    const uint8_t arg = spec[1];
    switch (spec[0] % 7) {
      case 0:
        return memfd(arg, false);
      case 1:
        return memfd(arg, true);
      case 2: {
        const int fd = memfd(arg, false);
        shrink_.push_back({::fcntl(fd, F_DUPFD_CLOEXEC, 0), static_cast<off_t>(arg >> 4) * 4096});
        return fd;
      }
      case 3: {
        const int fd = memfd(arg, false);
        const std::string path = "/proc/self/fd/" + std::to_string(fd);
        const int ro = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        ::close(fd);
        return ro;
      }
      case 4:
        return ::eventfd(arg, EFD_CLOEXEC);
      case 5: {
        int pp[2];
        if (::pipe2(pp, O_CLOEXEC) != 0) std::abort();
        ::close(pp[1]);
        return pp[0];
      }
      default: {
        int pp[2];
        if (::pipe2(pp, O_CLOEXEC) != 0) std::abort();
        keep_.push_back(pp[0]);
        return pp[1];
      }
    }
  }

  // Sends one record; false when the input or the connection is over.
  bool sendRecord() {
    const uint8_t ctl = *p_++;
    std::vector<int> fds;
    const int nfds = (ctl & 0x0f) > 8 ? 8 : (ctl & 0x0f);
    for (int i = 0; i < nfds && fdsSent_ < kMaxFds; ++i, ++fdsSent_) {
      const int fd = makeFd();
      if (fd < 0) break;
      fds.push_back(fd);
    }
    std::vector<uint8_t> msg;
    const size_t hdr = static_cast<size_t>(end_ - p_) < kHeaderSize ? static_cast<size_t>(end_ - p_) : kHeaderSize;
    msg.assign(p_, p_ + hdr);
    p_ += hdr;
    if (hdr == kHeaderSize) {
      uint32_t size;
      std::memcpy(&size, msg.data() + 8, 4);
      size_t len = size;
      if (len > static_cast<size_t>(end_ - p_)) len = static_cast<size_t>(end_ - p_);
      msg.insert(msg.end(), p_, p_ + len);
      p_ += len;
    }
    const bool sent = !msg.empty() && send(msg, fds);
    for (int fd : fds) ::close(fd);
    if (!sent) return false;
    if ((ctl & 0x80) && hdr == kHeaderSize) {
      // Wait until the back-end handled the message, then cut the shrinkable files short.
      static const uint32_t kProbe[3] = {kGetFeatures, kFlagVersion, 0};
      std::vector<uint8_t> probe(reinterpret_cast<const uint8_t*>(kProbe),
                                 reinterpret_cast<const uint8_t*>(kProbe) + kHeaderSize);
      const uint64_t before = probesAnswered_;
      if (!send(probe, {})) return false;
      drain(std::chrono::seconds(2), /*until_probe=*/true, before);
      for (const Shrink& s : shrink_) {
        if (::ftruncate(s.fd, s.to) != 0) std::abort();
      }
    }
    return open_;
  }

  // Sends `msg` with `fds`, reading replies while the socket is full. False once the back-end
  // hung up.
  bool send(const std::vector<uint8_t>& msg, const std::vector<int>& fds) {
    size_t put = 0;
    bool with_fds = !fds.empty();
    while (put < msg.size()) {
      iovec iov{const_cast<uint8_t*>(msg.data() + put), msg.size() - put};
      msghdr mh{};
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
      if (with_fds) {
        mh.msg_control = control;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
      }
      const ssize_t r = ::sendmsg(fe_, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (r > 0) {
        put += static_cast<size_t>(r);
        with_fds = false;
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        pollfd pf{fe_, POLLIN | POLLOUT, 0};
        if (::poll(&pf, 1, 5000) <= 0) std::abort();  // neither side moves: a hang
        if (pf.revents & POLLIN) readReplies();
        if (!open_) return false;
        continue;
      }
      open_ = false;  // the back-end hung up
      return false;
    }
    return true;
  }

  // Reads what is there; parses replies to count answered GET_FEATURES probes.
  void readReplies() {
    uint8_t buf[4096];
    const ssize_t r = ::recv(fe_, buf, sizeof buf, MSG_DONTWAIT);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
      open_ = false;
      eof_ = true;
      return;
    }
    if (r < 0) return;
    replies_.insert(replies_.end(), buf, buf + r);
    size_t at = 0;
    while (replies_.size() - at >= kHeaderSize) {
      uint32_t h[3];
      std::memcpy(h, replies_.data() + at, kHeaderSize);
      if (replies_.size() - at < kHeaderSize + h[2]) break;
      if (h[0] == kGetFeatures) ++probesAnswered_;
      at += kHeaderSize + h[2];
    }
    replies_.erase(replies_.begin(), replies_.begin() + static_cast<std::ptrdiff_t>(at));
  }

  // Reads replies until EOF, or (until_probe) until one more probe was answered; aborts when the
  // back-end neither answers nor hangs up within `limit`.
  void drain(std::chrono::milliseconds limit, bool until_probe, uint64_t before = 0) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!eof_ && !(until_probe && probesAnswered_ > before)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) {
        if (until_probe) return;  // a probe may be answered late; the final drain still checks
        std::abort();             // the back-end neither finished nor hung up: a hang
      }
      pollfd pf{fe_, POLLIN, 0};
      if (::poll(&pf, 1, static_cast<int>(left)) > 0) readReplies();
    }
  }

  const uint8_t* p_;
  const uint8_t* end_;
  int fe_ = -1;
  bool open_ = true;
  bool eof_ = false;
  int fdsSent_ = 0;
  uint64_t probesAnswered_ = 0;
  std::vector<uint8_t> replies_;
  std::vector<int> keep_;
  std::vector<Shrink> shrink_;
};

}  // namespace

int runProtocolInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  Harness(data, size).run();
  return 0;
}

namespace {

// --- The generator: QEMU-like sessions with real fds, some corrupted.

struct Writer {
  std::vector<uint8_t> out;
  void byte(uint8_t b) { out.push_back(b); }
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  }
  void header(uint32_t req, uint32_t flags, uint32_t size) {
    const uint32_t h[3] = {req, flags, size};
    bytes(h, sizeof h);
  }
  // A record without fds.
  void msg(uint32_t req, uint32_t flags, const void* payload, uint32_t size, uint8_t ctl = 0) {
    byte(ctl);
    header(req, flags, size);
    bytes(payload, size);
  }
  void u64(uint32_t req, uint64_t v, uint32_t flags = kFlagVersion) { msg(req, flags, &v, 8); }
  void state(uint32_t req, uint32_t index, uint32_t num, uint32_t flags = kFlagVersion) {
    const uint32_t s[2] = {index, num};
    msg(req, flags, s, 8);
  }
};

// Guest memory image (region 0: guest-physical 0, front-end address kUva, 4 pages): ring 0 at
// file offset 0x0 (descriptors), 0x100 (avail), 0x200 (used), an indirect table at 0x300, ring 1
// at 0x400 / 0x500 / 0x600; buffers in page 2, so a shrink to 2 pages cuts off the buffers only
// and a shrink to 0 the rings too.
constexpr uint64_t kUva = 0x7f0000000000;
constexpr uint64_t kRingOff[2] = {0x0, 0x400};

std::vector<uint8_t> ringImage(std::mt19937_64& rng, uint32_t num, bool indirect) {
  std::vector<uint8_t> img(0x800, 0);
  for (uint64_t base : kRingOff) {
    for (uint32_t i = 0; i < num; ++i) {
      VringDesc d{0x2000 + 0x40 * (rng() % 32), static_cast<uint32_t>(1 + rng() % 0x40), kDescFlagWrite,
                  static_cast<uint16_t>((i + 1) % num)};
      if (rng() % 4 == 0) d.flags |= kDescFlagNext;
      if (indirect && rng() % 4 == 0) d = VringDesc{0x300, 32, kDescFlagIndirect, 0};
      std::memcpy(img.data() + base + 16 * i, &d, 16);
    }
    const uint16_t avail_idx = static_cast<uint16_t>(1 + rng() % num);
    std::memcpy(img.data() + base + 0x100 + 2, &avail_idx, 2);
    for (uint32_t i = 0; i < num; ++i) {
      const uint16_t head = static_cast<uint16_t>(rng() % num);
      std::memcpy(img.data() + base + 0x100 + 4 + 2 * i, &head, 2);
    }
  }
  const VringDesc ind[2] = {{0x2900, 16, kDescFlagWrite | kDescFlagNext, 1}, {0x2980, 16, kDescFlagWrite, 0}};
  std::memcpy(img.data() + 0x300, ind, sizeof ind);
  return img;
}

}  // namespace

std::vector<uint8_t> generateProtocolInput(std::mt19937_64& rng) {
  Writer w;
  const uint32_t nr = kFlagVersion | kFlagNeedReply;
  w.msg(kGetFeatures, kFlagVersion, nullptr, 0);
  w.msg(kGetProtocolFeatures, kFlagVersion, nullptr, 0);
  w.u64(kSetProtocolFeatures, kProtocolReplyAck | kProtocolMq | (rng() % 2 ? kProtocolResetDevice : 0));
  w.msg(kSetOwner, kFlagVersion, nullptr, 0);
  const bool indirect = rng() % 2;
  w.u64(kSetFeatures,
        kFeatureVersion1 | kFeatureProtocolFeatures | kFeatureEventIdx | (indirect ? kFeatureIndirectDesc : 0));
  // The memory table: one or two regions, each its own memfd.
  const uint32_t num = 1u << (rng() % 4);  // 1..8
  const int regions = 1 + static_cast<int>(rng() % 2);
  const bool shrink = rng() % 3 == 0;
  // One table in eight is hostile: a region its file does not hold, an fd that is not a
  // writable file, overlapping or wrapping ranges. The back-end must refuse it and hang up.
  const bool hostile = rng() % 8 == 0;
  w.byte(static_cast<uint8_t>(regions));
  for (int i = 0; i < regions; ++i) {
    // Region 0 of a shrink run is shrunk to 0 pages (the rings go) or 2 (the buffers go).
    uint8_t kind = i == 0 && shrink ? 2 : (rng() % 3 == 0 ? 1 : 0);
    if (hostile && rng() % 2) kind = static_cast<uint8_t>(3 + rng() % 4);  // read-only, eventfd, pipes
    w.byte(kind);
    w.byte(static_cast<uint8_t>(4 | ((rng() % 2 ? 2 : 0) << 4)));
    if (kind > 3) continue;  // no content byte for fds that are not memfds
    const std::vector<uint8_t> img = i == 0 ? ringImage(rng, num, indirect) : std::vector<uint8_t>(16);
    w.byte(static_cast<uint8_t>(img.size() / 16));
    w.bytes(img.data(), img.size());
  }
  w.header(kSetMemTable, nr, 8 + 32 * static_cast<uint32_t>(regions));
  const uint32_t count[2] = {static_cast<uint32_t>(regions), 0};
  w.bytes(count, 8);
  for (int i = 0; i < regions; ++i) {
    uint64_t r[4] = {0x100000ull * static_cast<uint64_t>(i), 4 * 4096, kUva + 0x100000ull * static_cast<uint64_t>(i),
                     0};
    if (hostile) {
      switch (rng() % 6) {
        case 0:
          r[1] = 5 * 4096;
          break;  // larger than the file
        case 1:
          r[3] = 4096 * (1 + rng() % 4);
          break;  // offset + size past the end
        case 2:
          r[3] = ~uint64_t{0} - 0xfff;
          break;  // offset + size overflows
        case 3:
          r[0] = ~uint64_t{0} - 0xfff;
          break;  // guest range wraps
        case 4:
          r[0] = 0x2000;
          r[2] = kUva + 0x2000;
          break;  // overlaps region 0 (both ranges)
        default:
          r[1] = 0;
          break;  // empty
      }
    }
    w.bytes(r, 32);
  }
  const uint32_t rings = 1 + static_cast<uint32_t>(rng() % 2);
  for (uint32_t ring = 0; ring < rings; ++ring) {
    w.state(kSetVringNum, ring, num);
    w.state(kSetVringBase, ring, 0);
    uint8_t addr[40] = {};
    const uint64_t desc = kUva + kRingOff[ring], avail = desc + 0x100, used = desc + 0x200;
    std::memcpy(addr, &ring, 4);
    std::memcpy(addr + 8, &desc, 8);
    std::memcpy(addr + 16, &used, 8);
    std::memcpy(addr + 24, &avail, 8);
    w.msg(kSetVringAddr, kFlagVersion, addr, sizeof addr);
    // fd specs: kind, arg (eventfd count), no content byte for non-memfd kinds.
    const uint64_t idx = ring;
    w.byte(1);
    w.byte(rng() % 5 == 0 ? 6 : 4);  // call: an eventfd, or a pipe nobody reads
    w.byte(0);
    w.header(kSetVringCall, kFlagVersion, 8);
    w.bytes(&idx, 8);
    w.byte(1);
    w.byte(4);
    w.byte(0);
    w.header(kSetVringErr, kFlagVersion, 8);
    w.bytes(&idx, 8);
    // The kick fd is already readable (as QEMU hands it over); with a shrink, the harness waits
    // until the kick was handled (ring started, still disabled) and cuts region 0 short, so the
    // enable's rescan faults.
    w.byte(static_cast<uint8_t>(1 | (shrink && ring == 0 ? 0x80 : 0)));
    w.byte(rng() % 6 == 0 ? 5 : 4);  // kick: an eventfd, or a pipe at EOF
    w.byte(1);
    w.header(kSetVringKick, kFlagVersion, 8);
    w.bytes(&idx, 8);
    w.state(kSetVringEnable, ring, 1, nr);
  }
  if (rng() % 2) w.state(kSetVringEnable, 0, 0);
  w.state(kGetVringBase, 0, 0);
  if (rng() % 3 == 0) w.msg(kResetDevice, kFlagVersion, nullptr, 0);
  w.msg(kGetStatus, kFlagVersion, nullptr, 0);
  // A few corruptions; a truncated stream now and then.
  std::vector<uint8_t> in = std::move(w.out);
  const int flips = static_cast<int>(rng() % 4);
  for (int f = 0; f < flips; ++f) in[rng() % in.size()] = static_cast<uint8_t>(rng());
  if (rng() % 8 == 0) in.resize(rng() % in.size());
  return in;
}

}  // namespace vc::backend::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return vc::backend::fuzz::runProtocolInput(data, size);
}

std::vector<uint8_t> generateInput(std::mt19937_64& rng) { return vc::backend::fuzz::generateProtocolInput(rng); }
