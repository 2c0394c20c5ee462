// Scalars read from trace text (trace/timestamps.h): timestamps of every kind, integer fields.
#include "trace/timestamps.h"

#include <gtest/gtest.h>

namespace vc {
namespace {

TEST(Timestamps, Timestamps) {
  int64_t ns = 0;
  EXPECT_TRUE(parseTimestamp(TimeKind::Seconds, "15.611647", ns));
  EXPECT_EQ(ns, 15611647000);
  EXPECT_TRUE(parseTimestamp(TimeKind::Seconds, "1795537342.161405", ns));
  EXPECT_EQ(ns, 1795537342161405000);
  EXPECT_TRUE(parseTimestamp(TimeKind::Iso8601, "1970-01-01T00:00:01Z", ns));
  EXPECT_EQ(ns, 1000000000);
  EXPECT_TRUE(parseTimestamp(TimeKind::Iso8601, "2022-07-11T02:12:24Z", ns));
  EXPECT_EQ(ns, 1657505544000000000);
  EXPECT_TRUE(parseTimestamp(TimeKind::Iso8601, "2022-07-11T04:12:24.5+02:00", ns));
  EXPECT_EQ(ns, 1657505544500000000);
  EXPECT_TRUE(parseTimestamp(TimeKind::Ctime, "Mon Jul 11 02:12:24 2022", ns));
  EXPECT_EQ(ns, 1657505544000000000);
  EXPECT_TRUE(parseTimestamp(TimeKind::Ctime, "Mon Jul  1 02:12:24 2022", ns));
  EXPECT_FALSE(parseTimestamp(TimeKind::Iso8601, "2022-13-11T02:12:24Z", ns));
  EXPECT_FALSE(parseTimestamp(TimeKind::Seconds, "12.5x", ns));
  EXPECT_FALSE(parseTimestamp(TimeKind::Seconds, "99999999999999999999.0", ns));
}

TEST(Timestamps, IntFields) {
  int64_t v;
  EXPECT_TRUE(parseIntField("0x10", false, v));
  EXPECT_EQ(v, 16);
  EXPECT_TRUE(parseIntField("ff", true, v));
  EXPECT_EQ(v, 255);
  EXPECT_TRUE(parseIntField("-5", false, v));
  EXPECT_EQ(v, -5);
  EXPECT_TRUE(parseIntField("0xffffffffffffffff", false, v));
  EXPECT_EQ(v, -1);
  EXPECT_FALSE(parseIntField("0x1ffffffffffffffff", false, v));
  EXPECT_FALSE(parseIntField("", false, v));
  EXPECT_FALSE(parseIntField("12a", false, v));
}

// Dates that do not exist are errors, not the next month (issue 14: dmesg's [Mon Feb 31 ...]).
TEST(Timestamps, DatesThatDoNotExistAreErrors) {
  int64_t ns = 0;
  EXPECT_FALSE(parseTimestamp(TimeKind::Ctime, "Mon Feb 31 10:11:12 2024", ns));
  EXPECT_FALSE(parseTimestamp(TimeKind::Ctime, "Thu Feb 29 10:11:12 2023", ns));
  EXPECT_FALSE(parseTimestamp(TimeKind::Ctime, "Wed Apr 31 10:11:12 2024", ns));
  EXPECT_FALSE(parseTimestamp(TimeKind::Iso8601, "2024-02-30T00:00:00Z", ns));
  EXPECT_FALSE(parseTimestamp(TimeKind::Iso8601, "1900-02-29T00:00:00Z", ns));
  EXPECT_TRUE(parseTimestamp(TimeKind::Ctime, "Thu Feb 29 10:11:12 2024", ns));
  EXPECT_EQ(ns, 1709201472000000000);
  EXPECT_TRUE(parseTimestamp(TimeKind::Iso8601, "2000-02-29T00:00:00Z", ns));
  EXPECT_TRUE(parseTimestamp(TimeKind::Ctime, "Sat Dec 31 23:59:60 2016", ns));  // a leap second
}

TEST(Timestamps, Booleans) {
  bool b = false;
  EXPECT_TRUE(parseBool("Yes", b));
  EXPECT_TRUE(b);
  EXPECT_TRUE(parseBool("OFF", b));
  EXPECT_FALSE(b);
  EXPECT_FALSE(parseBool("maybe", b));
  EXPECT_FALSE(parseBool("", b));
}

}  // namespace
}  // namespace vc
