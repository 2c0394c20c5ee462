// The HTML report: self-contained, deterministic, and nothing a trace holds can become markup or
// script (tests/html/hostile.jsonl: thread names and fields that try to close the script, add an
// element or an event handler). The page in a browser: tests/html/chromium-test.sh.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <fstream>
#include <sstream>

#include "app/commands.h"
#include "report/report.h"

namespace vc {
namespace {

const std::string kRoot = VCONFORM_SOURCE_DIR;

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

std::string htmlOf(const std::string& trace, int& code) {
  CheckArgs a;
  a.specs = {kRoot + "/specs/vhost-user-frontend.spec"};
  a.traces = {trace};
  a.formats = {"html"};
  std::string out, err;
  code = runCheck(a, out, err);
  return out;
}

TEST(HtmlReport, TraceTextNeverBecomesMarkup) {
  int code = 0;
  const std::string page = htmlOf(kRoot + "/tests/html/hostile.jsonl", code);
  ASSERT_EQ(code, kExitViolation) << page;
  // The page's own elements only: one data block and one script, no element from the trace.
  EXPECT_EQ(count(page, "<script"), 2u);
  EXPECT_EQ(count(page, "</script>"), 2u);
  EXPECT_EQ(count(page, "<img"), 0u);
  EXPECT_EQ(count(page, "<iframe"), 0u);
  EXPECT_EQ(count(page, "<textarea"), 0u);
  EXPECT_EQ(count(page, "<svg onload"), 0u);
  EXPECT_EQ(count(page, "<!--"), 0u);
  // Every on...= in the page is the trace's text, escaped: never an attribute of an element.
  EXPECT_FALSE(RE2::PartialMatch(page, R"(<[a-zA-Z][^>]*\son[a-z]+\s*=)"));
  // The hostile strings are there, as text.
  EXPECT_NE(page.find("&lt;/script&gt;&lt;script&gt;document.title=&quot;XSS&quot;&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("&quot;&gt;&lt;img src=x onerror=&quot;document.title=&#39;XSS&#39;&quot;&gt;"),
            std::string::npos);
  // In the embedded data (the overview's lane names), as \u escapes.
  EXPECT_NE(page.find("\\u003c/script\\u003e\\u003cscript\\u003e"), std::string::npos);
  // No network: no URL with a scheme anywhere but the SVG namespace.
  EXPECT_FALSE(RE2::PartialMatch(page, R"((src|href)\s*=\s*"[a-z]+:)"));
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
}

TEST(HtmlReport, DeterministicAndComplete) {
  int code = 0;
  const std::string trace = kRoot + "/traces/vhost-user/enable-race.jsonl";
  const std::string a = htmlOf(trace, code);
  ASSERT_EQ(code, kExitViolation);
  const std::string b = htmlOf(trace, code);
  EXPECT_EQ(a, b);
  // The violation, its rule's text and citation, the unordered pair, the witness, the links.
  EXPECT_NE(a.find("id=\"r0-v0\""), std::string::npos);
  EXPECT_NE(a.find("vu-enable-before-kick"), std::string::npos);
  EXPECT_NE(a.find("QEMU 8.2"), std::string::npos);
  EXPECT_NE(a.find("class=\"e-unordered\""), std::string::npos);
  EXPECT_NE(a.find("<table class=\"witness\">"), std::string::npos);
  EXPECT_NE(a.find("data-line=\"12\""), std::string::npos);
  EXPECT_NE(a.find("class=\"spec-loc\" href=\"" + kRoot + "/specs/vhost-user-frontend.spec\" data-line=\"30\""),
            std::string::npos);
  EXPECT_NE(a.find("message sync ("), std::string::npos);
  EXPECT_EQ(a.find("http://", a.find("<body")), a.find("http://www.w3.org/2000/svg", a.find("<body")));
}

// The overview stays within its buckets however long the run, and counts every event once.
TEST(HtmlReport, OverviewIsBounded) {
  ThreadTable threads;
  OverviewRecorder rec;
  Event ev;
  const uint64_t n = 100000;
  for (uint64_t i = 0; i < n; ++i) {
    ev.thread = static_cast<uint32_t>(i % 3);
    ev.hasTs = true;
    ev.ts = static_cast<int64_t>(1000 * i);
    rec.add(ev);
  }
  for (uint32_t t = 0; t < 3; ++t) (void)threads.intern(0, 1, t);
  RunOverview o = rec.finish(threads);
  EXPECT_EQ(o.events, n);
  ASSERT_EQ(o.counts.size(), 3u);
  EXPECT_LE(o.bucketTs.size(), RunOverview::kMaxBuckets);
  EXPECT_GE(o.bucketTs.size(), RunOverview::kMaxBuckets / 2);
  uint64_t sum = 0;
  for (const auto& lane : o.counts) {
    EXPECT_EQ(lane.size(), o.bucketTs.size());
    for (uint32_t c : lane) sum += c;
  }
  EXPECT_EQ(sum, n);
  EXPECT_EQ(o.bucketTs[1], static_cast<int64_t>(1000 * o.bucketEvents));
}

}  // namespace
}  // namespace vc
