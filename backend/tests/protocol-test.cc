#include "protocol.h"

#include <gtest/gtest.h>

#include <cstring>

namespace vc::backend {
namespace {

VhostUserMessage msg(uint32_t req, std::vector<uint8_t> payload, std::vector<int> fds = {},
                     uint32_t flags = kFlagVersion) {
  VhostUserMessage m;
  m.request = req;
  m.flags = flags;
  m.size = static_cast<uint32_t>(payload.size());
  m.payload = std::move(payload);
  m.fds = std::move(fds);
  return m;
}

std::vector<uint8_t> u64(uint64_t v) {
  std::vector<uint8_t> b(8);
  std::memcpy(b.data(), &v, 8);
  return b;
}

TEST(Protocol, Names) {
  EXPECT_STREQ(requestName(kSetVringEnable), "SET_VRING_ENABLE");
  EXPECT_STREQ(requestName(kGetVringBase), "GET_VRING_BASE");
  EXPECT_STREQ(requestName(kResetDevice), "RESET_DEVICE");
  EXPECT_STREQ(requestName(999), "UNKNOWN");
}

TEST(Protocol, AcceptsWellFormed) {
  std::string err;
  EXPECT_TRUE(validateMessage(msg(kGetFeatures, {}), &err)) << err;
  EXPECT_TRUE(validateMessage(msg(kSetFeatures, u64(1ull << 32)), &err)) << err;
  EXPECT_TRUE(validateMessage(msg(kSetVringKick, u64(0), {5}), &err)) << err;
  EXPECT_TRUE(validateMessage(msg(kSetVringCall, u64(kVringNoFdMask)), &err)) << err;
  EXPECT_TRUE(validateMessage(msg(kSetVringAddr, std::vector<uint8_t>(40)), &err)) << err;
  EXPECT_TRUE(msg(kSetMemTable, {}, {}, kFlagVersion | kFlagNeedReply).needReply());
}

TEST(Protocol, RejectsBadVersionAndReplyFlag) {
  std::string err;
  EXPECT_FALSE(validateMessage(msg(kGetFeatures, {}, {}, 0), &err));
  EXPECT_NE(err.find("version"), std::string::npos);
  EXPECT_FALSE(validateMessage(msg(kGetFeatures, {}, {}, 2), &err));
  EXPECT_FALSE(validateMessage(msg(kGetFeatures, {}, {}, kFlagVersion | kFlagReply), &err));
  EXPECT_NE(err.find("reply flag"), std::string::npos);
}

TEST(Protocol, RejectsUnknownRequest) {
  std::string err;
  EXPECT_FALSE(validateMessage(msg(0, {}), &err));
  EXPECT_FALSE(validateMessage(msg(77, {}), &err));
  EXPECT_NE(err.find("unsupported request 77"), std::string::npos);
  EXPECT_FALSE(validateMessage(msg(kSetLogBase, u64(0)), &err));
}

TEST(Protocol, RejectsWrongSizes) {
  std::string err;
  EXPECT_FALSE(validateMessage(msg(kSetFeatures, std::vector<uint8_t>(4)), &err));
  EXPECT_NE(err.find("expected 8"), std::string::npos);
  EXPECT_FALSE(validateMessage(msg(kSetVringAddr, std::vector<uint8_t>(39)), &err));
  EXPECT_FALSE(validateMessage(msg(kGetFeatures, std::vector<uint8_t>(3)), &err));
  VhostUserMessage m = msg(kSetFeatures, u64(0));
  m.size = 16;  // header disagrees with the payload
  EXPECT_FALSE(validateMessage(m, &err));
}

TEST(Protocol, RejectsFdMismatch) {
  std::string err;
  EXPECT_FALSE(validateMessage(msg(kSetVringKick, u64(0)), &err));  // no fd, no nofd flag
  EXPECT_NE(err.find("no-fd flag"), std::string::npos);
  EXPECT_FALSE(validateMessage(msg(kSetVringKick, u64(kVringNoFdMask), {5}), &err));
  EXPECT_FALSE(validateMessage(msg(kSetVringKick, u64(0), {5, 6}), &err));
  EXPECT_FALSE(validateMessage(msg(kSetFeatures, u64(0), {5}), &err));
}

std::vector<uint8_t> memTable(uint32_t n, uint32_t declared) {
  std::vector<uint8_t> p(8 + 32 * n);
  std::memcpy(p.data(), &declared, 4);
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t f[4] = {0x1000ull * i, 0x1000, 0x7f0000000000ull + 0x1000ull * i, 0};
    std::memcpy(p.data() + 8 + 32 * i, f, 32);
  }
  return p;
}

TEST(Protocol, MemTable) {
  std::string err;
  std::vector<MemRegionDesc> regions;
  VhostUserMessage ok = msg(kSetMemTable, memTable(2, 2), {7, 8});
  ASSERT_TRUE(validateMessage(ok, &err)) << err;
  ASSERT_TRUE(payloadMemTable(ok, &regions, &err)) << err;
  ASSERT_EQ(regions.size(), 2u);
  EXPECT_EQ(regions[1].guest_phys, 0x1000u);
  EXPECT_EQ(regions[1].user_addr, 0x7f0000001000u);

  EXPECT_FALSE(payloadMemTable(msg(kSetMemTable, memTable(0, 0), {7}), &regions, &err));
  EXPECT_FALSE(payloadMemTable(msg(kSetMemTable, memTable(2, 3), {7, 8}), &regions, &err));
  EXPECT_FALSE(payloadMemTable(msg(kSetMemTable, memTable(2, 2), {7}), &regions, &err));
  EXPECT_NE(err.find("fds"), std::string::npos);
  EXPECT_FALSE(payloadMemTable(msg(kSetMemTable, memTable(9, 9), {}), &regions, &err));
  EXPECT_FALSE(payloadMemTable(msg(kSetMemTable, {1, 0, 0}), &regions, &err));
  EXPECT_FALSE(validateMessage(msg(kSetMemTable, memTable(1, 1)), &err));  // no fd at all
}

TEST(Protocol, EncodeReply) {
  const uint64_t v = 0x1234;
  const std::vector<uint8_t> r = encodeReply(kGetFeatures, &v, 8);
  ASSERT_EQ(r.size(), 20u);
  uint32_t h[3];
  std::memcpy(h, r.data(), 12);
  EXPECT_EQ(h[0], uint32_t{kGetFeatures});
  EXPECT_EQ(h[1], kFlagVersion | kFlagReply);
  EXPECT_EQ(h[2], 8u);
}

}  // namespace
}  // namespace vc::backend
