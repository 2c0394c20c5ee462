#include "split_queue.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "fake_ring.h"

namespace vc::backend {
namespace {

using testing::FakeRing;

class SplitQueueTest : public ::testing::Test {
 protected:
  void Attach(bool event_idx = false, bool indirect = true) {
    std::string err;
    ASSERT_TRUE(q_.Attach(&ring_.mem(), ring_.Layout(event_idx, indirect), 0, &err)) << err;
  }
  std::string PopError() {
    DescChain c;
    std::string err;
    EXPECT_EQ(q_.Pop(&c, &err), PopStatus::kError);
    return err;
  }
  FakeRing ring_{8};
  SplitQueue q_;
};

TEST_F(SplitQueueTest, EmptyRingPopsNothing) {
  Attach();
  DescChain c;
  std::string err;
  EXPECT_EQ(q_.Pop(&c, &err), PopStatus::kEmpty);
}

TEST_F(SplitQueueTest, PopsChainAndPushesUsed) {
  ring_.SetDesc(0, FakeRing::Data(0), 16, kDescFlagNext, 3);
  ring_.SetDesc(3, FakeRing::Data(64), 64, kDescFlagWrite, 0);
  ring_.Offer(0);
  Attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.Pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(c.head, 0);
  EXPECT_EQ(c.avail_idx, 0);
  ASSERT_EQ(c.segments.size(), 2u);
  EXPECT_FALSE(c.segments[0].writable);
  EXPECT_TRUE(c.segments[1].writable);
  EXPECT_EQ(c.segments[1].host, ring_.bytes() + FakeRing::kDataOff + 64);
  EXPECT_EQ(c.readable_bytes, 16u);
  EXPECT_EQ(c.writable_bytes, 64u);
  EXPECT_EQ(q_.PushUsed(c.head, 64), 0);
  EXPECT_EQ(ring_.UsedIdx(), 1);
  EXPECT_EQ(ring_.UsedId(0), 0u);
  EXPECT_EQ(ring_.UsedLen(0), 64u);
  EXPECT_EQ(q_.last_avail_idx(), 1);
  EXPECT_EQ(q_.Pop(&c, &err), PopStatus::kEmpty);
}

TEST_F(SplitQueueTest, CountsDescriptorsOfEachKind) {
  // Readable 16 + 0 bytes, then writable 0 + 32 + 8: zero-length descriptors count as descriptors.
  ring_.SetDesc(0, FakeRing::Data(0), 16, kDescFlagNext, 1);
  ring_.SetDesc(1, FakeRing::Data(16), 0, kDescFlagNext, 2);
  ring_.SetDesc(2, FakeRing::Data(32), 0, kDescFlagNext | kDescFlagWrite, 3);
  ring_.SetDesc(3, FakeRing::Data(64), 32, kDescFlagNext | kDescFlagWrite, 4);
  ring_.SetDesc(4, FakeRing::Data(96), 8, kDescFlagWrite, 0);
  ring_.Offer(0);
  Attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.Pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(c.readable_bytes, 16u);
  EXPECT_EQ(c.writable_bytes, 40u);
  EXPECT_EQ(c.readable_descs, 2u);
  EXPECT_EQ(c.writable_descs, 3u);
  EXPECT_EQ(c.segments.size(), 3u);
}

TEST_F(SplitQueueTest, ReportsEveryReadOfTheAvailIndex) {
  std::vector<std::pair<uint16_t, uint16_t>> reads;  // (avail->idx, last_avail_idx)
  q_.set_avail_read_hook([&](uint16_t idx, uint16_t last) { reads.emplace_back(idx, last); });
  ring_.SetDesc(0, FakeRing::Data(0), 64, kDescFlagWrite, 0);
  ring_.Offer(0);
  ring_.Offer(0);
  Attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.Pop(&c, &err), PopStatus::kOk) << err;
  ASSERT_EQ(q_.Pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(q_.Pop(&c, &err), PopStatus::kEmpty);
  EXPECT_FALSE(q_.ArmKick());
  uint16_t pending = 9;
  ASSERT_TRUE(q_.Pending(&pending, &err));
  EXPECT_EQ(pending, 0);
  const std::vector<std::pair<uint16_t, uint16_t>> want = {{2, 0}, {2, 1}, {2, 2}, {2, 2}, {2, 2}};
  EXPECT_EQ(reads, want);
  // A jump past the queue size is reported before it is refused.
  reads.clear();
  ring_.SetAvailIdx(20);
  EXPECT_EQ(q_.Pop(&c, &err), PopStatus::kError);
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0], std::make_pair(uint16_t{20}, uint16_t{2}));
}

TEST_F(SplitQueueTest, RejectsHeadOutOfRange) {
  ring_.Offer(8);
  Attach();
  EXPECT_NE(PopError().find("names descriptor 8"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsAvailIndexJump) {
  ring_.SetAvailIdx(9);  // 9 new entries in a ring of 8
  Attach();
  EXPECT_NE(PopError().find("avail index moved"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsDescriptorLoop) {
  ring_.SetDesc(0, FakeRing::Data(0), 8, kDescFlagNext | kDescFlagWrite, 1);
  ring_.SetDesc(1, FakeRing::Data(8), 8, kDescFlagNext | kDescFlagWrite, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("loop"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsSelfLoop) {
  ring_.SetDesc(2, FakeRing::Data(0), 8, kDescFlagNext, 2);
  ring_.Offer(2);
  Attach();
  EXPECT_NE(PopError().find("loop"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsNextOutOfRange) {
  ring_.SetDesc(0, FakeRing::Data(0), 8, kDescFlagNext, 200);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find(">= queue size"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsBufferOutsideMemory) {
  ring_.SetDesc(0, 0x1000, 8, kDescFlagWrite, 0);  // below the region
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("outside the memory table"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsBufferStraddlingRegionEnd) {
  ring_.SetDesc(0, FakeRing::kGpa + ring_.size() - 4, 8, kDescFlagWrite, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("outside the memory table"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsAddressThatWouldWrap) {
  ring_.SetDesc(0, ~uint64_t{0} - 2, 16, kDescFlagWrite, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("outside the memory table"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsUserAddressUsedAsGuestPhysical) {
  ring_.SetDesc(0, FakeRing::kUva + FakeRing::kDataOff, 8, kDescFlagWrite, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("outside the memory table"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsReadableAfterWritable) {
  ring_.SetDesc(0, FakeRing::Data(0), 8, kDescFlagWrite | kDescFlagNext, 1);
  ring_.SetDesc(1, FakeRing::Data(8), 8, 0, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("readable descriptor after"), std::string::npos);
}

TEST_F(SplitQueueTest, AcceptsIndirectTable) {
  const uint64_t table = FakeRing::Data(0x1000);
  ring_.SetDescAt(table, FakeRing::Data(0), 4, kDescFlagNext, 1);
  ring_.SetDescAt(table + 16, FakeRing::Data(16), 32, kDescFlagWrite, 0);
  ring_.SetDesc(5, table, 32, kDescFlagIndirect, 0);
  ring_.Offer(5);
  Attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.Pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(c.head, 5);
  ASSERT_EQ(c.segments.size(), 2u);
  EXPECT_EQ(c.writable_bytes, 32u);
}

TEST_F(SplitQueueTest, RejectsIndirectWithoutFeature) {
  ring_.SetDescAt(FakeRing::Data(0x1000), FakeRing::Data(0), 4, kDescFlagWrite, 0);
  ring_.SetDesc(0, FakeRing::Data(0x1000), 16, kDescFlagIndirect, 0);
  ring_.Offer(0);
  Attach(false, /*indirect=*/false);
  EXPECT_NE(PopError().find("without VIRTIO_RING_F_INDIRECT_DESC"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsIndirectWithNext) {
  ring_.SetDesc(0, FakeRing::Data(0x1000), 16, kDescFlagIndirect | kDescFlagNext, 1);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("both INDIRECT and NEXT"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsIndirectLengthNotMultipleOf16) {
  ring_.SetDesc(0, FakeRing::Data(0x1000), 24, kDescFlagIndirect, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("multiple of 16"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsEmptyIndirectTable) {
  ring_.SetDesc(0, FakeRing::Data(0x1000), 0, kDescFlagIndirect, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("multiple of 16"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsOversizedIndirectTable) {
  ring_.SetDesc(0, FakeRing::Data(0), 16 * (kMaxIndirectDescs + 1), kDescFlagIndirect, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("oversized"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsIndirectTableOutsideMemory) {
  ring_.SetDesc(0, FakeRing::kGpa + ring_.size() - 16, 32, kDescFlagIndirect, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("indirect table outside"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsNestedIndirect) {
  const uint64_t table = FakeRing::Data(0x1000);
  ring_.SetDescAt(table, FakeRing::Data(0x2000), 16, kDescFlagIndirect, 0);
  ring_.SetDesc(0, table, 16, kDescFlagIndirect, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("nested indirect"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsIndirectLoop) {
  const uint64_t table = FakeRing::Data(0x1000);
  ring_.SetDescAt(table, FakeRing::Data(0), 4, kDescFlagNext, 1);
  ring_.SetDescAt(table + 16, FakeRing::Data(4), 4, kDescFlagNext, 0);
  ring_.SetDesc(0, table, 32, kDescFlagIndirect, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("loops"), std::string::npos);
}

TEST_F(SplitQueueTest, RejectsIndirectNextOutOfTable) {
  const uint64_t table = FakeRing::Data(0x1000);
  ring_.SetDescAt(table, FakeRing::Data(0), 4, kDescFlagNext, 5);
  ring_.SetDesc(0, table, 32, kDescFlagIndirect, 0);
  ring_.Offer(0);
  Attach();
  EXPECT_NE(PopError().find("out of table"), std::string::npos);
}

TEST(SplitQueueAttach, RejectsBadLayouts) {
  FakeRing ring(8);
  SplitQueue q;
  std::string err;
  VringLayout l = ring.Layout();
  l.num = 6;
  EXPECT_FALSE(q.Attach(&ring.mem(), l, 0, &err));
  l = ring.Layout();
  l.num = 65536;
  EXPECT_FALSE(q.Attach(&ring.mem(), l, 0, &err));
  l = ring.Layout();
  l.desc_user += 8;
  EXPECT_FALSE(q.Attach(&ring.mem(), l, 0, &err));
  EXPECT_NE(err.find("misaligned"), std::string::npos);
  l = ring.Layout();
  l.used_user = FakeRing::kUva + ring.size() - 16;  // used ring runs off the region
  EXPECT_FALSE(q.Attach(&ring.mem(), l, 0, &err));
  EXPECT_NE(err.find("used ring"), std::string::npos);
  l = ring.Layout();
  l.avail_user = FakeRing::kGpa + FakeRing::kAvailOff;  // guest-physical, not user
  EXPECT_FALSE(q.Attach(&ring.mem(), l, 0, &err));
  EXPECT_FALSE(q.attached());
}

TEST_F(SplitQueueTest, NotifiesUnlessNoInterruptWithoutEventIdx) {
  ring_.SetDesc(0, FakeRing::Data(0), 8, kDescFlagWrite, 0);
  ring_.Offer(0);
  ring_.Offer(0);
  Attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.Pop(&c, &err), PopStatus::kOk);
  q_.PushUsed(c.head, 8);
  EXPECT_TRUE(q_.ShouldNotify());
  ring_.SetAvailFlags(kAvailFlagNoInterrupt);
  ASSERT_EQ(q_.Pop(&c, &err), PopStatus::kOk);
  q_.PushUsed(c.head, 8);
  EXPECT_FALSE(q_.ShouldNotify());
}

TEST_F(SplitQueueTest, EventIdxNotifiesOnlyWhenUsedEventCrossed) {
  ring_.SetDesc(0, FakeRing::Data(0), 8, kDescFlagWrite, 0);
  for (int i = 0; i < 4; ++i) ring_.Offer(0);
  Attach(/*event_idx=*/true);
  DescChain c;
  std::string err;
  ring_.SetUsedEvent(2);  // the driver wants a notification when used idx passes 2
  bool notified[4];
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(q_.Pop(&c, &err), PopStatus::kOk);
    q_.PushUsed(c.head, 8);
    notified[i] = q_.ShouldNotify();
  }
  EXPECT_TRUE(notified[0]);   // first notification is always sent
  EXPECT_FALSE(notified[1]);  // used idx 2: event 2 not crossed yet (needs new > 2)
  EXPECT_TRUE(notified[2]);   // used idx 3 crosses used_event 2
  EXPECT_FALSE(notified[3]);
  // avail_event tells the driver to kick for the entry after the last one popped.
  EXPECT_EQ(ring_.AvailEvent(), 4);
  EXPECT_FALSE(q_.ArmKick());
  ring_.Offer(0);
  EXPECT_TRUE(q_.ArmKick());
}

TEST_F(SplitQueueTest, ZeroLengthDescriptorsAreSkipped) {
  ring_.SetDesc(0, FakeRing::Data(0), 0, kDescFlagWrite | kDescFlagNext, 1);
  ring_.SetDesc(1, FakeRing::Data(0), 8, kDescFlagWrite, 0);
  ring_.Offer(0);
  Attach();
  DescChain c;
  std::string err;
  ASSERT_EQ(q_.Pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(c.segments.size(), 1u);
}

TEST_F(SplitQueueTest, StartsFromVringBase) {
  ring_.SetDesc(0, FakeRing::Data(0), 8, kDescFlagWrite, 0);
  ring_.SetAvailIdx(65535);
  std::string err;
  ASSERT_TRUE(q_.Attach(&ring_.mem(), ring_.Layout(), 65535, &err)) << err;
  DescChain c;
  EXPECT_EQ(q_.Pop(&c, &err), PopStatus::kEmpty);
  ring_.Offer(0);  // avail idx wraps to 0
  ASSERT_EQ(q_.Pop(&c, &err), PopStatus::kOk) << err;
  EXPECT_EQ(c.avail_idx, 65535);
  EXPECT_EQ(q_.last_avail_idx(), 0);
}

}  // namespace
}  // namespace vc::backend
