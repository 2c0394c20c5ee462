#include "protocol.h"

#include <cstring>

namespace vc::backend {

const char* requestName(uint32_t request) {
  switch (request) {
    case kGetFeatures:
      return "GET_FEATURES";
    case kSetFeatures:
      return "SET_FEATURES";
    case kSetOwner:
      return "SET_OWNER";
    case kResetOwner:
      return "RESET_OWNER";
    case kSetMemTable:
      return "SET_MEM_TABLE";
    case kSetLogBase:
      return "SET_LOG_BASE";
    case kSetLogFd:
      return "SET_LOG_FD";
    case kSetVringNum:
      return "SET_VRING_NUM";
    case kSetVringAddr:
      return "SET_VRING_ADDR";
    case kSetVringBase:
      return "SET_VRING_BASE";
    case kGetVringBase:
      return "GET_VRING_BASE";
    case kSetVringKick:
      return "SET_VRING_KICK";
    case kSetVringCall:
      return "SET_VRING_CALL";
    case kSetVringErr:
      return "SET_VRING_ERR";
    case kGetProtocolFeatures:
      return "GET_PROTOCOL_FEATURES";
    case kSetProtocolFeatures:
      return "SET_PROTOCOL_FEATURES";
    case kGetQueueNum:
      return "GET_QUEUE_NUM";
    case kSetVringEnable:
      return "SET_VRING_ENABLE";
    case kSendRarp:
      return "SEND_RARP";
    case kNetSetMtu:
      return "NET_SET_MTU";
    case kSetBackendReqFd:
      return "SET_BACKEND_REQ_FD";
    case kIotlbMsg:
      return "IOTLB_MSG";
    case kSetVringEndian:
      return "SET_VRING_ENDIAN";
    case kGetConfig:
      return "GET_CONFIG";
    case kSetConfig:
      return "SET_CONFIG";
    case kResetDevice:
      return "RESET_DEVICE";
    case kSetStatus:
      return "SET_STATUS";
    case kGetStatus:
      return "GET_STATUS";
    default:
      return "UNKNOWN";
  }
}

namespace {

struct Shape {
  uint32_t size;  // exact payload size, or kVariable
  uint32_t min_fds;
  uint32_t max_fds;
};
constexpr uint32_t kVariable = 0xffffffff;

bool shapeOf(uint32_t request, Shape* s) {
  switch (request) {
    case kGetFeatures:
    case kGetProtocolFeatures:
    case kGetQueueNum:
    case kGetStatus:
    case kSetOwner:
    case kResetOwner:
    case kResetDevice:
      // QEMU sends these with an empty payload; some front-ends send a u64 anyway.
      *s = {kVariable, 0, 0};
      return true;
    case kSetFeatures:
    case kSetProtocolFeatures:
    case kSetStatus:
    case kSetVringNum:
    case kSetVringBase:
    case kGetVringBase:
    case kSetVringEnable:
      *s = {8, 0, 0};
      return true;
    case kSetVringAddr:
      *s = {40, 0, 0};
      return true;
    case kSetVringKick:
    case kSetVringCall:
    case kSetVringErr:
      *s = {8, 0, 1};
      return true;
    case kSetMemTable:
      *s = {kVariable, 1, kMaxMemRegions};
      return true;
    default:
      return false;
  }
}

template <typename T>
T read(const VhostUserMessage& m, size_t off) {
  T v;
  std::memcpy(&v, m.payload.data() + off, sizeof v);
  return v;
}

}  // namespace

bool validateMessage(const VhostUserMessage& m, std::string* err) {
  if ((m.flags & kFlagVersionMask) != kFlagVersion) {
    *err = "bad protocol version in flags 0x" + std::to_string(m.flags);
    return false;
  }
  if (m.flags & kFlagReply) {
    *err = "front-end sent a message with the reply flag";
    return false;
  }
  if (m.size != m.payload.size()) {
    *err = "payload size does not match header";
    return false;
  }
  Shape s{};
  if (!shapeOf(m.request, &s)) {
    *err = "unsupported request " + std::to_string(m.request) + " (" + requestName(m.request) + ")";
    return false;
  }
  if (s.size == kVariable) {
    if (m.request != kSetMemTable && m.size != 0 && m.size != 8) {
      *err = std::string(requestName(m.request)) + " with payload size " + std::to_string(m.size);
      return false;
    }
  } else if (m.size != s.size) {
    *err = std::string(requestName(m.request)) + " payload size " + std::to_string(m.size) + ", expected " +
           std::to_string(s.size);
    return false;
  }
  if (m.fds.size() < s.min_fds || m.fds.size() > s.max_fds) {
    *err = std::string(requestName(m.request)) + " with " + std::to_string(m.fds.size()) + " fds";
    return false;
  }
  if ((m.request == kSetVringKick || m.request == kSetVringCall || m.request == kSetVringErr)) {
    const bool nofd = (payloadU64(m) & kVringNoFdMask) != 0;
    if (nofd != m.fds.empty()) {
      *err = std::string(requestName(m.request)) + ": no-fd flag does not match the fds sent";
      return false;
    }
  }
  return true;
}

uint64_t payloadU64(const VhostUserMessage& m) { return read<uint64_t>(m, 0); }

VringState payloadVringState(const VhostUserMessage& m) { return {read<uint32_t>(m, 0), read<uint32_t>(m, 4)}; }

VringAddr payloadVringAddr(const VhostUserMessage& m) {
  VringAddr a;
  a.index = read<uint32_t>(m, 0);
  a.flags = read<uint32_t>(m, 4);
  a.desc_user = read<uint64_t>(m, 8);
  a.used_user = read<uint64_t>(m, 16);
  a.avail_user = read<uint64_t>(m, 24);
  a.log_guest = read<uint64_t>(m, 32);
  return a;
}

bool payloadMemTable(const VhostUserMessage& m, std::vector<MemRegionDesc>* regions, std::string* err) {
  if (m.payload.size() < 8) {
    *err = "SET_MEM_TABLE payload too short";
    return false;
  }
  const uint32_t n = read<uint32_t>(m, 0);
  if (n == 0 || n > kMaxMemRegions) {
    *err = "SET_MEM_TABLE with " + std::to_string(n) + " regions";
    return false;
  }
  if (m.payload.size() != 8 + 32 * static_cast<size_t>(n)) {
    *err = "SET_MEM_TABLE payload size does not match its region count";
    return false;
  }
  if (m.fds.size() != n) {
    *err = "SET_MEM_TABLE region count does not match the fds sent";
    return false;
  }
  regions->clear();
  for (uint32_t i = 0; i < n; ++i) {
    const size_t off = 8 + 32 * static_cast<size_t>(i);
    regions->push_back(
        {read<uint64_t>(m, off), read<uint64_t>(m, off + 8), read<uint64_t>(m, off + 16), read<uint64_t>(m, off + 24)});
  }
  return true;
}

std::vector<uint8_t> encodeReply(uint32_t request, const void* payload, uint32_t size) {
  std::vector<uint8_t> out(kHeaderSize + size);
  const uint32_t flags = kFlagVersion | kFlagReply;
  std::memcpy(out.data(), &request, 4);
  std::memcpy(out.data() + 4, &flags, 4);
  std::memcpy(out.data() + 8, &size, 4);
  if (size) std::memcpy(out.data() + kHeaderSize, payload, size);
  return out;
}

}  // namespace vc::backend
