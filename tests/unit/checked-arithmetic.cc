// Timestamps, durations, offsets and counts at the ends of their 64-bit ranges: no signed
// overflow (the sanitizer build runs these), the right verdict where the input is valid, a
// diagnostic where it is not.
#include <gtest/gtest.h>

#include "app/flags.h"
#include "check/explain.h"
#include "test-util.h"
#include "trace/merge.h"
#include "trace/timestamps.h"

namespace vc {
namespace {

CheckResult runWithin(std::vector<std::pair<const char*, int64_t>> trace, OrderMode mode) {
  TraceTables tables;
  tables.sources.add(Source::make("t.jsonl", "json", 0));
  Spec spec;
  Diagnostics diags;
  EXPECT_TRUE(loadSpecText("t.spec",
                           "event a(p)\nevent b(p)\nrule x cite \"t\" says \"t\":\n  a leadsto b within 5ms\n", spec,
                           tables.symbols, diags))
      << renderAll(diags);
  std::vector<Event> evs;
  uint64_t line = 0;
  for (auto [name, ts] : trace) {
    Event e = test::ev(tables, static_cast<int>(line % 2) + 1, name, {{"p", 0}});
    e.hasTs = true;
    e.ts = ts;
    e.origin.line = ++line;
    evs.push_back(std::move(e));
  }
  test::VectorReader reader(std::move(evs));
  CheckOptions opts;
  opts.order = mode;
  CheckResult res = check(spec, reader, tables, opts, diags);
  EXPECT_FALSE(diags.hasErrors()) << renderAll(diags);
  return res;
}

// automaton.cc computed in.ts - triggerTs in int64: far-apart timestamps overflowed.
TEST(CheckedArithmetic, WithinWithTimestampsFarApartIsTooLate) {
  for (OrderMode mode : {OrderMode::Recorded, OrderMode::Both}) {
    CheckResult res = runWithin({{"a", INT64_MIN + 1}, {"b", INT64_MAX}}, mode);
    ASSERT_EQ(res.violations.size(), 1u);
    EXPECT_EQ(res.violations[0].verdict.reason, Reason::TooLate);
    EXPECT_EQ(res.violations[0].verdict.detail, INT64_MAX);
    EXPECT_NE(res.violations[0].message.find("came more than 9223372036.855 s after"), std::string::npos)
        << res.violations[0].message;
  }
}

TEST(CheckedArithmetic, WithinWithAResponseFarBeforeItsTriggerHolds) {
  // Timestamps going back across threads: the response is not late, however far back it is.
  CheckResult res = runWithin({{"a", INT64_MAX}, {"b", INT64_MIN}}, OrderMode::Recorded);
  EXPECT_TRUE(res.violations.empty());
}

TEST(CheckedArithmetic, FormatDurationAtTheEnds) {
  EXPECT_EQ(formatDuration(INT64_MIN), "-9223372036.855 s");
  EXPECT_EQ(formatDuration(INT64_MAX), "9223372036.855 s");
  EXPECT_EQ(formatDuration(-1500), "-1.500 us");
}

// merge.cc added the clock offset in int64: an offset near INT64_MAX overflowed.
TEST(CheckedArithmetic, ClockOffsetBeyondTheRangeIsADiagnostic) {
  TraceTables tables;
  uint32_t s0 = tables.sources.add(Source::make("a.jsonl", "json", 0));
  uint32_t s1 = tables.sources.add(Source::make("b.jsonl", "json", INT64_MAX - 10));
  auto one = [&](uint32_t src, int64_t ts, uint64_t line) {
    Event e = test::ev(tables, 1, "x", {}, ts);
    e.origin = Origin{src, line};
    return e;
  };
  std::vector<std::unique_ptr<TraceReader>> readers;
  readers.push_back(std::make_unique<test::VectorReader>(std::vector<Event>{one(s0, 1, 1), one(s0, 2, 2)}));
  readers.push_back(std::make_unique<test::VectorReader>(std::vector<Event>{one(s1, 5, 1), one(s1, 11, 2)}));
  Diagnostics diags;
  MergedReader m(std::move(readers), tables, &diags);
  Event ev;
  std::vector<int64_t> seen;
  while (m.next(ev)) seen.push_back(ev.ts);
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_EQ(render(diags.all()[0]),
            "b.jsonl:2: error: timestamp 11 plus the clock offset 9223372036854775797 is beyond the 64-bit "
            "nanosecond range [trace-clock-offset]\n"
            "  = help: check --clock-offset for this trace: an offset is a small correction between clocks\n");
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, INT64_MAX - 5}));
}

TEST(CheckedArithmetic, NegativeClockOffsetBeyondTheRange) {
  TraceTables tables;
  uint32_t s0 = tables.sources.add(Source::make("a.jsonl", "json", INT64_MIN));
  Event e = test::ev(tables, 1, "x", {}, 0);
  e.ts = -1;
  e.origin = Origin{s0, 7};
  std::vector<std::unique_ptr<TraceReader>> readers;
  readers.push_back(std::make_unique<test::VectorReader>(std::vector<Event>{e}));
  Diagnostics diags;
  MergedReader m(std::move(readers), tables, &diags);
  Event ev;
  EXPECT_FALSE(m.next(ev));
  ASSERT_EQ(diags.errorCount(), 1u);
  EXPECT_EQ(diags.all()[0].loc.line, 7u);
}

// map-file.cc multiplied seconds by 1e9 unchecked: years 2263 to 2500 passed the date check.
TEST(CheckedArithmetic, TimestampsBeyond2262AreRefused) {
  int64_t ns = 0;
  EXPECT_TRUE(parseTimestamp(TimeKind::Iso8601, "2262-04-11T23:47:16.854775807Z", ns));
  EXPECT_EQ(ns, INT64_MAX);
  EXPECT_FALSE(parseTimestamp(TimeKind::Iso8601, "2262-04-11T23:47:16.854775808Z", ns));
  EXPECT_FALSE(parseTimestamp(TimeKind::Iso8601, "2500-12-31T23:59:59Z", ns));
  EXPECT_FALSE(parseTimestamp(TimeKind::Ctime, "Fri Dec 31 23:59:59 2500", ns));
  EXPECT_TRUE(parseTimestamp(TimeKind::Iso8601, "1900-01-01T00:00:00Z", ns));
  EXPECT_EQ(ns, -2208988800000000000);
}

TEST(Flags, CountsAreDigitsInRange) {
  Diagnostics d;
  uint64_t v = 7;
  EXPECT_TRUE(parseCountFlag("--context", "0", 0, 1000, v, d));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(parseCountFlag("--context", "1000", 0, 1000, v, d));
  EXPECT_EQ(v, 1000u);
  for (const char* bad :
       {"-5", "+5", " 5", "5 ", "1001", "0x10", "1e3", "", "18446744073709551616", "99999999999999999999"})
    EXPECT_FALSE(parseCountFlag("--context", bad, 0, 1000, v, d)) << bad;
  EXPECT_EQ(v, 1000u);
  ASSERT_EQ(d.errorCount(), 10u);
  EXPECT_EQ(render(d.all()[0]),
            "vconform: error: --context takes a whole number from 0 to 1000, not '-5' [flag-context]\n");
}

TEST(Flags, Int64) {
  int64_t v = 0;
  EXPECT_TRUE(parseInt64("-9223372036854775808", v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(parseInt64("+9223372036854775807", v));
  EXPECT_EQ(v, INT64_MAX);
  for (const char* bad : {"9223372036854775808", "-9223372036854775809", "99999999999999999999", "", "-", "+", "1.5",
                          "0x10", " 1", "--1", "+-1"})
    EXPECT_FALSE(parseInt64(bad, v)) << bad;
}

}  // namespace
}  // namespace vc
