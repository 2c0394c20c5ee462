// Fuzz target for the vhost-user message stream: the input is written into one end of a
// socketpair and VhostUserServer::Serve() reads it from the other, as it would read QEMU. Every
// input must end in a clean disconnect (EOF or protocol error), never a crash or a hang. No fds
// travel with the bytes, so SET_MEM_TABLE and fd-carrying SET_VRING_* are rejected by
// validation; everything else runs its real handler.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "protocol.h"
#include "server.h"

namespace {

using namespace vc::backend;

class NullDevice : public VirtioDevice {
 public:
  uint32_t HandleChain(uint32_t, const DescChain&) override { return 0; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 60000) return 0;  // stays below the socket buffer, so one write never blocks
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) std::abort();
  int buf = 1 << 20;
  ::setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  ::setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  size_t put = 0;
  while (put < size) {
    const ssize_t r = ::send(sv[0], data + put, size - put, MSG_NOSIGNAL);
    if (r <= 0) std::abort();
    put += static_cast<size_t>(r);
  }
  ::shutdown(sv[0], SHUT_WR);  // EOF after the input; replies still fit in our receive buffer
  NullDevice device;
  Tracer tracer(nullptr);
  Logger log([](LogLevel, std::string_view) {});
  {
    VhostUserServer server(device, tracer, log, ServerOptions{});
    server.Serve(sv[1], -1);  // takes sv[1]
  }
  ::close(sv[0]);
  return 0;
}

// The replay driver's generator: a stream of plausible messages (known requests, mostly right
// sizes and flags), some corrupted.
std::vector<uint8_t> GenerateInput(std::mt19937_64& rng) {
  static const uint32_t kReqs[] = {kGetFeatures, kSetFeatures, kSetOwner, kResetOwner,
                                   kSetMemTable, kSetVringNum, kSetVringAddr, kSetVringBase,
                                   kGetVringBase, kSetVringKick, kSetVringCall, kSetVringErr,
                                   kGetProtocolFeatures, kSetProtocolFeatures, kGetQueueNum,
                                   kSetVringEnable, kResetDevice, kSetStatus, kGetStatus, 77};
  std::vector<uint8_t> out;
  const int n = 1 + static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i) {
    const uint32_t req = kReqs[rng() % (sizeof kReqs / sizeof kReqs[0])];
    uint32_t size = 8;
    if (req == kSetVringAddr) size = 40;
    if (req == kSetMemTable) size = 8 + 32 * static_cast<uint32_t>(rng() % 3);
    if (req == kGetFeatures || req == kGetProtocolFeatures || req == kGetQueueNum ||
        req == kGetStatus || req == kSetOwner || req == kResetOwner || req == kResetDevice) {
      size = rng() % 2 ? 0 : 8;
    }
    if (rng() % 10 == 0) size = static_cast<uint32_t>(rng() % 64);
    uint32_t flags = rng() % 3 == 0 ? (kFlagVersion | kFlagNeedReply) : kFlagVersion;
    if (rng() % 20 == 0) flags = static_cast<uint32_t>(rng());
    const uint32_t h[3] = {req, flags, size};
    const size_t at = out.size();
    out.resize(at + 12 + size);
    std::memcpy(out.data() + at, h, 12);
    for (uint32_t k = 0; k < size; ++k) out[at + 12 + k] = static_cast<uint8_t>(rng() % 4 ? 0 : rng());
    if (size >= 8 && (req == kSetVringKick || req == kSetVringCall || req == kSetVringErr) && rng() % 2) {
      const uint64_t v = kVringNoFdMask | (rng() % 3);  // polling mode, ring 0..2
      std::memcpy(out.data() + at + 12, &v, 8);
    }
    if (size >= 8 && (req == kSetVringNum || req == kSetVringEnable || req == kSetVringBase ||
                      req == kGetVringBase)) {
      const uint32_t s[2] = {static_cast<uint32_t>(rng() % 2), static_cast<uint32_t>(rng() % 5)};
      std::memcpy(out.data() + at + 12, s, 8);
    }
  }
  if (rng() % 4 == 0 && !out.empty()) out.resize(rng() % out.size());  // truncated stream
  return out;
}
