// vhost-user wire format (QEMU docs/interop/vhost-user.rst): a 12-byte header (request, flags,
// size), a payload of `size` bytes, and file descriptors as SCM_RIGHTS ancillary data.
// Parsing never trusts the peer: sizes and fd counts are checked per request before any field
// is read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vc::backend {

enum VhostUserRequest : uint32_t {
  kGetFeatures = 1,
  kSetFeatures = 2,
  kSetOwner = 3,
  kResetOwner = 4,
  kSetMemTable = 5,
  kSetLogBase = 6,
  kSetLogFd = 7,
  kSetVringNum = 8,
  kSetVringAddr = 9,
  kSetVringBase = 10,
  kGetVringBase = 11,
  kSetVringKick = 12,
  kSetVringCall = 13,
  kSetVringErr = 14,
  kGetProtocolFeatures = 15,
  kSetProtocolFeatures = 16,
  kGetQueueNum = 17,
  kSetVringEnable = 18,
  kSendRarp = 19,
  kNetSetMtu = 20,
  kSetBackendReqFd = 21,
  kIotlbMsg = 22,
  kSetVringEndian = 23,
  kGetConfig = 24,
  kSetConfig = 25,
  kResetDevice = 34,
  kSetStatus = 39,
  kGetStatus = 40,
};

// Header flags: bits 0-1 version (must be 1), bit 2 reply, bit 3 need_reply.
constexpr uint32_t kFlagVersionMask = 0x3;
constexpr uint32_t kFlagVersion = 0x1;
constexpr uint32_t kFlagReply = 0x4;
constexpr uint32_t kFlagNeedReply = 0x8;

constexpr uint32_t kHeaderSize = 12;
constexpr uint32_t kMaxPayload = 4096;
constexpr uint32_t kMaxFds = 8;
constexpr uint32_t kMaxMemRegions = 8;
// SET_VRING_KICK/CALL/ERR payload: bits 0-7 ring index, bit 8 "no fd".
constexpr uint64_t kVringIndexMask = 0xff;
constexpr uint64_t kVringNoFdMask = 0x100;

// Virtio and vhost-user feature bits.
constexpr uint64_t kFeatureIndirectDesc = 1ull << 28;
constexpr uint64_t kFeatureEventIdx = 1ull << 29;
constexpr uint64_t kFeatureProtocolFeatures = 1ull << 30;
constexpr uint64_t kFeatureVersion1 = 1ull << 32;
// Protocol feature bits.
constexpr uint64_t kProtocolMq = 1ull << 0;
constexpr uint64_t kProtocolReplyAck = 1ull << 3;
constexpr uint64_t kProtocolConfig = 1ull << 9;
constexpr uint64_t kProtocolResetDevice = 1ull << 13;
constexpr uint64_t kProtocolStatus = 1ull << 16;

// The name of a request as written in vhost-user.rst without the VHOST_USER_ prefix
// ("SET_VRING_ENABLE"), or "UNKNOWN".
const char* requestName(uint32_t request);

struct VhostUserMessage {
  uint32_t request = 0;
  uint32_t flags = 0;
  uint32_t size = 0;
  std::vector<uint8_t> payload;
  std::vector<int> fds;  // owned: ParsedMessage users must close or take them

  bool needReply() const { return (flags & kFlagNeedReply) != 0; }
};

struct VringState {
  uint32_t index;
  uint32_t num;
};

struct VringAddr {
  uint32_t index;
  uint32_t flags;
  uint64_t desc_user;
  uint64_t used_user;
  uint64_t avail_user;
  uint64_t log_guest;
};

struct MemRegionDesc {
  uint64_t guest_phys;
  uint64_t size;
  uint64_t user_addr;
  uint64_t mmap_offset;
};

// Checks the header flags, that the request is one this back-end understands, and that the
// payload size and number of fds match the request. Returns false with a reason.
bool validateMessage(const VhostUserMessage& m, std::string* err);

// Payload accessors; each assumes validateMessage() accepted the message.
uint64_t payloadU64(const VhostUserMessage& m);
VringState payloadVringState(const VhostUserMessage& m);
VringAddr payloadVringAddr(const VhostUserMessage& m);
// Fails when the region count is 0, above kMaxMemRegions or does not match the payload / fds.
bool payloadMemTable(const VhostUserMessage& m, std::vector<MemRegionDesc>* regions, std::string* err);

// Serializes a reply header + payload.
std::vector<uint8_t> encodeReply(uint32_t request, const void* payload, uint32_t size);

}  // namespace vc::backend
