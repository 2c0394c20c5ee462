// GuestMemory: regions checked against their files, mapped from an unaligned offset, overlap
// checks, and the SIGBUS guard on a file shrunk after mapping.
#include "guest-memory.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

namespace vc::backend {
namespace {

int memfd(size_t size) {
  const int fd = ::memfd_create("gm-test", MFD_CLOEXEC);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
  return fd;
}

TEST(GuestMemory, MapsFromAnUnalignedFileOffset) {
  const int fd = memfd(0x3000);
  std::vector<uint8_t> bytes(0x3000);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + (i >> 8));
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  GuestMemory gm;
  std::string err;
  ASSERT_TRUE(gm.mapRegion(fd, 0x10000, 0x1000, 0x7f0000000000, 0x1800, &err)) << err;
  const uint8_t* p = gm.translateGuest(0x10000, 0x1000);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(std::memcmp(p, bytes.data() + 0x1800, 0x1000), 0);
  EXPECT_EQ(gm.translateUser(0x7f0000000000 + 0x10, 1), p + 0x10);
  EXPECT_EQ(gm.translateGuest(0x10000, 0x1001), nullptr);  // one byte past the region
  EXPECT_EQ(gm.regions()[0].file_size, 0x3000u);
  EXPECT_FALSE(gm.faulted());
  ::close(fd);
}

TEST(GuestMemory, RegionEndingExactlyAtTheFileEndIsAccepted) {
  const int fd = memfd(0x2000);
  GuestMemory gm;
  std::string err;
  EXPECT_TRUE(gm.mapRegion(fd, 0, 0x1000, 0, 0x1000, &err)) << err;
  EXPECT_FALSE(gm.mapRegion(fd, 0x100000, 0x1001, 0x100000, 0x1000, &err));
  EXPECT_NE(err.find("runs past the end of its file (0x2000 bytes)"), std::string::npos) << err;
  ::close(fd);
}

TEST(GuestMemory, OverlapsAreRefusedAdjacencyIsNot) {
  std::vector<uint8_t> a(0x2000), b(0x2000);
  GuestMemory gm;
  std::string err;
  ASSERT_TRUE(gm.addRegion({0x1000, 0x1000, 0x10000, a.data()}, &err)) << err;
  EXPECT_TRUE(gm.addRegion({0x2000, 0x1000, 0x11000, b.data()}, &err)) << err;  // adjacent both ways
  EXPECT_FALSE(gm.addRegion({0x1fff, 0x10, 0x90000, b.data()}, &err));
  EXPECT_NE(err.find("guest-physical range [0x1fff, 0x200f) overlaps region 0's [0x1000, 0x2000)"), std::string::npos)
      << err;
  EXPECT_FALSE(gm.addRegion({0x90000, 0x10, 0x10ff8, b.data()}, &err));
  EXPECT_NE(err.find("front-end address range"), std::string::npos) << err;
  // A region at the very top of the address space does not wrap.
  EXPECT_TRUE(gm.addRegion({0xfffffffffffff000ull, 0x1000, 0x20000, b.data()}, &err)) << err;
  EXPECT_EQ(gm.regions().size(), 3u);
}

TEST(GuestMemory, ShrunkFileFaultsIntoTheGuardNotTheProcess) {
  const int fd = memfd(0x4000);
  const uint8_t pattern = 0x42;
  ASSERT_EQ(::pwrite(fd, &pattern, 1, 0x3000), 1);
  GuestMemory gm;
  std::string err;
  ASSERT_TRUE(gm.mapRegion(fd, 0x200000, 0x4000, 0x7f0000000000, 0, &err)) << err;
  volatile uint8_t* p = gm.translateGuest(0x200000, 0x4000);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p[0x3000], 0x42);
  ASSERT_EQ(::ftruncate(fd, 0x2000), 0);
  EXPECT_EQ(p[0x1000], 0);  // still in the file
  EXPECT_FALSE(gm.faulted());
  EXPECT_EQ(p[0x3000], 0);  // past the new end: a zero page instead of SIGBUS
  EXPECT_TRUE(gm.faulted());
  p[0x3010] = 1;  // writes land in the private page
  EXPECT_EQ(p[0x3010], 1);
  EXPECT_EQ(gm.faultDescription(),
            "the page at guest-physical 0x203000 (region 0, file offset 0x3000; the file had "
            "0x4000 bytes when it was mapped)");
  ::close(fd);
}

}  // namespace
}  // namespace vc::backend
