#include "split-queue.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "fake-ring.h"

namespace vc::backend {
namespace {

using testing::FakeRing;

class SplitQueueTest : public ::testing::Test {
 protected:
  void attach(bool event_idx = false, bool indirect = true) {
    std::string err;
    ASSERT_TRUE(q_.attach(&ring_.mem(), ring_.layout(event_idx, indirect), 0, &err)) << err;
  }
  std::string popError() {
    DescChain c;
    std::string err;
    EXPECT_EQ(q_.pop(&c, &err), PopStatus::kError);
    return err;
  }
  FakeRing ring_{8};
  SplitQueue q_;
};

TEST_F(SplitQueueTest, EmptyRingPopsNothing) {
  attach();
  DescChain c;
  std::string err;
  EXPECT_EQ(q_.pop(&c, &err), PopStatus::kEmpty);
}

TEST_F(SplitQueueTest, PopsChainAndPushesUsed) {
  ring_.setDesc(0, FakeRing::data(0), 16, kDescFlagNext, 3);
  ring_.setDesc(3, FakeRing::data(64), 64, kDescFlagWrite, 0);
  ring_.offer(0);
  attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(c.head, 0);
  EXPECT_EQ(c.avail_idx, 0);
  ASSERT_EQ(c.segments.size(), 2u);
  EXPECT_FALSE(c.segments[0].writable);
  EXPECT_TRUE(c.segments[1].writable);
  EXPECT_EQ(c.segments[1].host, ring_.bytes() + FakeRing::kDataOff + 64);
  EXPECT_EQ(c.readable_bytes, 16u);
  EXPECT_EQ(c.writable_bytes, 64u);
  EXPECT_EQ(q_.pushUsed(c.head, 64), 0);
  EXPECT_EQ(ring_.usedIdx(), 1);
  EXPECT_EQ(ring_.usedId(0), 0u);
  EXPECT_EQ(ring_.usedLen(0), 64u);
  EXPECT_EQ(q_.lastAvailIdx(), 1);
  EXPECT_EQ(q_.pop(&c, &err), PopStatus::kEmpty);
}

TEST_F(SplitQueueTest, CountsDescriptorsOfEachKind) {
  // Readable 16 + 0 bytes, then writable 0 + 32 + 8: zero-length descriptors count as descriptors.
  ring_.setDesc(0, FakeRing::data(0), 16, kDescFlagNext, 1);
  ring_.setDesc(1, FakeRing::data(16), 0, kDescFlagNext, 2);
  ring_.setDesc(2, FakeRing::data(32), 0, kDescFlagNext | kDescFlagWrite, 3);
  ring_.setDesc(3, FakeRing::data(64), 32, kDescFlagNext | kDescFlagWrite, 4);
  ring_.setDesc(4, FakeRing::data(96), 8, kDescFlagWrite, 0);
  ring_.offer(0);
  attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(c.readable_bytes, 16u);
  EXPECT_EQ(c.writable_bytes, 40u);
  EXPECT_EQ(c.readable_descs, 2u);
  EXPECT_EQ(c.writable_descs, 3u);
  EXPECT_EQ(c.segments.size(), 3u);
}

TEST_F(SplitQueueTest, ReportsEveryReadOfTheAvailIndex) {
  std::vector<std::pair<uint16_t, uint16_t>> reads;  // (avail->idx, last_avail_idx)
  q_.setAvailReadHook([&](uint16_t idx, uint16_t last) { reads.emplace_back(idx, last); });
  ring_.setDesc(0, FakeRing::data(0), 64, kDescFlagWrite, 0);
  ring_.offer(0);
  ring_.offer(0);
  attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.pop(&c, &err), PopStatus::kOk) << err;
  ASSERT_EQ(q_.pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(q_.pop(&c, &err), PopStatus::kEmpty);
  EXPECT_FALSE(q_.armKick());
  uint16_t pending = 9;
  ASSERT_TRUE(q_.pending(&pending, &err));
  EXPECT_EQ(pending, 0);
  const std::vector<std::pair<uint16_t, uint16_t>> want = {{2, 0}, {2, 1}, {2, 2}, {2, 2}, {2, 2}};
  EXPECT_EQ(reads, want);
  // A jump past the queue size is reported before it is refused.
  reads.clear();
  ring_.setAvailIdx(20);
  EXPECT_EQ(q_.pop(&c, &err), PopStatus::kError);
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0], std::make_pair(uint16_t{20}, uint16_t{2}));
}

TEST_F(SplitQueueTest, RejectsHeadOutOfRange) {
  ring_.offer(8);
  attach();
  EXPECT_NE(popError().find("names descriptor 8"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsAvailIndexJump) {
  ring_.setAvailIdx(9);  // 9 new entries in a ring of 8
  attach();
  EXPECT_NE(popError().find("avail index moved"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsDescriptorLoop) {
  ring_.setDesc(0, FakeRing::data(0), 8, kDescFlagNext | kDescFlagWrite, 1);
  ring_.setDesc(1, FakeRing::data(8), 8, kDescFlagNext | kDescFlagWrite, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("loop"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsSelfLoop) {
  ring_.setDesc(2, FakeRing::data(0), 8, kDescFlagNext, 2);
  ring_.offer(2);
  attach();
  EXPECT_NE(popError().find("loop"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsNextOutOfRange) {
  ring_.setDesc(0, FakeRing::data(0), 8, kDescFlagNext, 200);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find(">= queue size"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsBufferOutsideMemory) {
  ring_.setDesc(0, 0x1000, 8, kDescFlagWrite, 0);  // below the region
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("outside the memory table"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsBufferStraddlingRegionEnd) {
  ring_.setDesc(0, FakeRing::kGpa + ring_.size() - 4, 8, kDescFlagWrite, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("outside the memory table"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsAddressThatWouldWrap) {
  ring_.setDesc(0, ~uint64_t{0} - 2, 16, kDescFlagWrite, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("outside the memory table"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsUserAddressUsedAsGuestPhysical) {
  ring_.setDesc(0, FakeRing::kUva + FakeRing::kDataOff, 8, kDescFlagWrite, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("outside the memory table"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsReadableAfterWritable) {
  ring_.setDesc(0, FakeRing::data(0), 8, kDescFlagWrite | kDescFlagNext, 1);
  ring_.setDesc(1, FakeRing::data(8), 8, 0, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("readable descriptor after"), std::string::npos);
}

TEST_F(SplitQueueTest, AcceptsIndirectTable) {
  const uint64_t table = FakeRing::data(0x1000);
  ring_.setDescAt(table, FakeRing::data(0), 4, kDescFlagNext, 1);
  ring_.setDescAt(table + 16, FakeRing::data(16), 32, kDescFlagWrite, 0);
  ring_.setDesc(5, table, 32, kDescFlagIndirect, 0);
  ring_.offer(5);
  attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(c.head, 5);
  ASSERT_EQ(c.segments.size(), 2u);
  EXPECT_EQ(c.writable_bytes, 32u);
}

TEST_F(SplitQueueTest, RejectsIndirectWithoutFeature) {
  ring_.setDescAt(FakeRing::data(0x1000), FakeRing::data(0), 4, kDescFlagWrite, 0);
  ring_.setDesc(0, FakeRing::data(0x1000), 16, kDescFlagIndirect, 0);
  ring_.offer(0);
  attach(false, /*indirect=*/false);
  EXPECT_NE(popError().find("without VIRTIO_RING_F_INDIRECT_DESC"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsIndirectWithNext) {
  ring_.setDesc(0, FakeRing::data(0x1000), 16, kDescFlagIndirect | kDescFlagNext, 1);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("both INDIRECT and NEXT"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsIndirectLengthNotMultipleOf16) {
  ring_.setDesc(0, FakeRing::data(0x1000), 24, kDescFlagIndirect, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("multiple of 16"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsEmptyIndirectTable) {
  ring_.setDesc(0, FakeRing::data(0x1000), 0, kDescFlagIndirect, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("multiple of 16"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsOversizedIndirectTable) {
  ring_.setDesc(0, FakeRing::data(0), 16 * (kMaxIndirectDescs + 1), kDescFlagIndirect, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("oversized"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsIndirectTableOutsideMemory) {
  ring_.setDesc(0, FakeRing::kGpa + ring_.size() - 16, 32, kDescFlagIndirect, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("indirect table outside"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsNestedIndirect) {
  const uint64_t table = FakeRing::data(0x1000);
  ring_.setDescAt(table, FakeRing::data(0x2000), 16, kDescFlagIndirect, 0);
  ring_.setDesc(0, table, 16, kDescFlagIndirect, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("nested indirect"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsIndirectLoop) {
  const uint64_t table = FakeRing::data(0x1000);
  ring_.setDescAt(table, FakeRing::data(0), 4, kDescFlagNext, 1);
  ring_.setDescAt(table + 16, FakeRing::data(4), 4, kDescFlagNext, 0);
  ring_.setDesc(0, table, 32, kDescFlagIndirect, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("loops"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsIndirectNextOutOfTable) {
  const uint64_t table = FakeRing::data(0x1000);
  ring_.setDescAt(table, FakeRing::data(0), 4, kDescFlagNext, 5);
  ring_.setDesc(0, table, 32, kDescFlagIndirect, 0);
  ring_.offer(0);
  attach();
  EXPECT_NE(popError().find("out of table"), std::string::npos);
}

TEST(SplitQueueAttach, RejectsBadLayouts) {
  FakeRing ring(8);
  SplitQueue q;
  std::string err;
  VringLayout l = ring.layout();
  l.num = 6;
  EXPECT_FALSE(q.attach(&ring.mem(), l, 0, &err));
  l = ring.layout();
  l.num = 65536;
  EXPECT_FALSE(q.attach(&ring.mem(), l, 0, &err));
  l = ring.layout();
  l.desc_user += 8;
  EXPECT_FALSE(q.attach(&ring.mem(), l, 0, &err));
  EXPECT_NE(err.find("misaligned"), std::string::npos);
  l = ring.layout();
  l.used_user = FakeRing::kUva + ring.size() - 16;  // used ring runs off the region
  EXPECT_FALSE(q.attach(&ring.mem(), l, 0, &err));
  EXPECT_NE(err.find("used ring"), std::string::npos);
  l = ring.layout();
  l.avail_user = FakeRing::kGpa + FakeRing::kAvailOff;  // guest-physical, not user
  EXPECT_FALSE(q.attach(&ring.mem(), l, 0, &err));
  EXPECT_FALSE(q.attached());
}

TEST_F(SplitQueueTest, NotifiesUnlessNoInterruptWithoutEventIdx) {
  ring_.setDesc(0, FakeRing::data(0), 8, kDescFlagWrite, 0);
  ring_.offer(0);
  ring_.offer(0);
  attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.pop(&c, &err), PopStatus::kOk);
  q_.pushUsed(c.head, 8);
  EXPECT_TRUE(q_.shouldNotify());
  ring_.setAvailFlags(kAvailFlagNoInterrupt);
  ASSERT_EQ(q_.pop(&c, &err), PopStatus::kOk);
  q_.pushUsed(c.head, 8);
  EXPECT_FALSE(q_.shouldNotify());
}

TEST_F(SplitQueueTest, EventIdxNotifiesOnlyWhenUsedEventCrossed) {
  ring_.setDesc(0, FakeRing::data(0), 8, kDescFlagWrite, 0);
  for (int i = 0; i < 4; ++i) ring_.offer(0);
  attach(/*event_idx=*/true);
  DescChain c;
  std::string err;
  ring_.setUsedEvent(2);  // the driver wants a notification when used idx passes 2
  bool notified[4];
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(q_.pop(&c, &err), PopStatus::kOk);
    q_.pushUsed(c.head, 8);
    notified[i] = q_.shouldNotify();
  }
  EXPECT_TRUE(notified[0]);   // first notification is always sent
  EXPECT_FALSE(notified[1]);  // used idx 2: event 2 not crossed yet (needs new > 2)
  EXPECT_TRUE(notified[2]);   // used idx 3 crosses used_event 2
  EXPECT_FALSE(notified[3]);
  // avail_event tells the driver to kick for the entry after the last one popped.
  EXPECT_EQ(ring_.availEvent(), 4);
  EXPECT_FALSE(q_.armKick());
  ring_.offer(0);
  EXPECT_TRUE(q_.armKick());
}

TEST_F(SplitQueueTest, ZeroLengthDescriptorsAreSkipped) {
  ring_.setDesc(0, FakeRing::data(0), 0, kDescFlagWrite | kDescFlagNext, 1);
  ring_.setDesc(1, FakeRing::data(0), 8, kDescFlagWrite, 0);
  ring_.offer(0);
  attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(c.segments.size(), 1u);
}

TEST_F(SplitQueueTest, StartsFromVringBase) {
  ring_.setDesc(0, FakeRing::data(0), 8, kDescFlagWrite, 0);
  ring_.setAvailIdx(65535);
  std::string err;
  ASSERT_TRUE(q_.attach(&ring_.mem(), ring_.layout(), 65535, &err)) << err;
  DescChain c;
  EXPECT_EQ(q_.pop(&c, &err), PopStatus::kEmpty);
  ring_.offer(0);  // avail idx wraps to 0
  ASSERT_EQ(q_.pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(c.avail_idx, 65535);
  EXPECT_EQ(q_.lastAvailIdx(), 0);
}

}  // namespace
}  // namespace vc::backend
