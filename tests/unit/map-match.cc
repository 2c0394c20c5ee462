// Map files, matching (trace/map-match.h): lines to events, field errors with columns, the
// prefilters against plain RE2.
#include "trace/map-match.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "map-mini.h"
#include "trace/map-load.h"

namespace vc {
namespace {

TEST(MapMatch, MapsALine) {
  Diagnostics d;
  auto m = loadMapText("mini.map.json", test::kMini, d);
  ASSERT_TRUE(m);
  TraceTables t;
  t.sources.add(Source::make("x.log", "mini", 0));
  LineMapper mapper(m, t);
  Event ev;
  FieldError fe;
  ASSERT_EQ(mapper.map("77@10.000000001:op 1 no 0xff", 0, ev, fe), 1);
  EXPECT_EQ(t.symbols.name(ev.name), "op");
  EXPECT_TRUE(ev.hasTs);
  EXPECT_EQ(ev.ts, 10000000001);
  EXPECT_EQ(t.threads.at(ev.thread).tid, 77);
  EXPECT_EQ(*ev.field(t.symbols.find("name")), Value::ofStr("GET"));
  EXPECT_EQ(*ev.field(t.symbols.find("flag")), Value::ofBool(false));
  EXPECT_EQ(mapper.map("77@10.0:nothing here", 0, ev, fe), 0);
  EXPECT_EQ(mapper.map("no prefix", 0, ev, fe), 0);
}

TEST(MapMatch, BadFieldHasColumn) {
  Diagnostics d;
  auto m = loadMapText("mini.map.json", test::kMini, d);
  ASSERT_TRUE(m);
  TraceTables t;
  t.sources.add(Source::make("x.log", "mini", 0));
  LineMapper mapper(m, t);
  Event ev;
  FieldError fe;
  // 99999999999999999999 does not fit in 64 bits.
  ASSERT_EQ(mapper.map("1@1.0:op 99999999999999999999 yes 0x1", 0, ev, fe), -1);
  EXPECT_EQ(fe.column, 9u);
  EXPECT_EQ(fe.width, 20u);
  ASSERT_EQ(mapper.map("1@1.0:op 1 maybe 0x1", 0, ev, fe), -1);
  EXPECT_NE(fe.message.find("not a boolean"), std::string::npos);
  EXPECT_EQ(fe.column, 11u);
}

// Patterns whose trailing "(?P<x>.*)$" is taken as "the rest of the body" must capture exactly
// what the full regex captures (differential test against RE2 on the full pattern).
TEST(MapMatch, TailCaptureMatchesTheFullRegex) {
  const char* text = R"J({"format": "t", "lines": [{"regex": ""}],
   "patterns": [
     {"regex": "^(?P<ev>[a-z_]+) (?P<args>.*)$", "event": "{ev}", "fields": {"args": "string"}},
     {"regex": "^k(?P<n>\\d*)(?P<rest>.*)", "event": "k", "fields": {"n": "string", "rest": "string"}},
     {"regex": "^x(?P<a>a|ab)(?P<rest>.*)$", "event": "x", "fields": {"a": "string", "rest": "string"}}
   ]})J";
  Diagnostics d;
  auto m = loadMapText("t.map.json", text, d);
  ASSERT_TRUE(m) << renderAll(d);
  for (const auto& p : m->patterns) EXPECT_TRUE(p.head) << p.regexText;
  TraceTables t;
  t.sources.add(Source::make("x", "t", 0));
  LineMapper mapper(m, t);
  const char* bodies[] = {"vhost_user_write req:1 flags:0x1",
                          "ev ",
                          "k123abc",
                          "k",
                          "kxyz",
                          "xabz",
                          "xab",
                          "xa",
                          "x \xff\xfe tail",
                          "k\xff"};
  for (const char* b : bodies) {
    Event ev;
    FieldError fe;
    int r = mapper.map(b, 0, ev, fe);
    // The reference: the first full regex that matches, with all its groups.
    const Pattern* ref = nullptr;
    std::vector<re2::StringPiece> caps(8);
    for (const auto& p : m->patterns)
      if (p.re->Match(b, 0, std::strlen(b), RE2::UNANCHORED, caps.data(), p.ncap + 1)) {
        ref = &p;
        break;
      }
    ASSERT_EQ(r == 1, ref != nullptr) << b;
    if (!ref) continue;
    for (const auto& f : ref->fields) {
      const Value* v = ev.field(t.symbols.find(f.name));
      const auto& c = caps[static_cast<size_t>(f.capture)];
      if (!c.data()) {
        EXPECT_EQ(v, nullptr) << b;
        continue;
      }
      ASSERT_NE(v, nullptr) << b << " " << f.name;
      EXPECT_EQ(v->s, std::string(c.data(), c.size())) << b << " " << f.name;
    }
  }
}

// The Hyperscan prefilter (when libhs is there) finds exactly RE2::Set's candidates, on a real
// guest dmesg and on awkward bytes.
TEST(MapMatch, HyperscanPrefilterAgreesWithRe2Set) {
  Diagnostics d;
  for (const char* name : {"/specs/maps/dmesg.map.json", "/bench/readers/bench-20-dmesg.map.json"}) {
    auto m = loadMapFile(std::string(VCONFORM_SOURCE_DIR) + name, d);
    ASSERT_TRUE(m) << renderAll(d);
    TraceTables t;
    t.sources.add(Source::make("x", m->format, 0));
    LineMapper mapper(m, t);
    if (!mapper.usesHyperscan()) GTEST_SKIP() << "libhs.so.5 not available: RE2::Set only";
    std::ifstream in(std::string(VCONFORM_SOURCE_DIR) + "/tests/data/readers/guest-run/dmesg.txt", std::ios::binary);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      EXPECT_TRUE(mapper.prefiltersAgree(line)) << line;
      ++n;
    }
    EXPECT_GT(n, 300u);
    for (const char* l : {"[ 1.0] Added buffer head 1 to \xff\xfe", "[ 1.0] \xc3(Added buffer head 12 to x",
                          "[ 1.0] virtsnd_pcm_pointer: return pointer to buffer #", "[ 1.0] ", "[ 1.0] \n\r\t\x01"})
      EXPECT_TRUE(mapper.prefiltersAgree(l)) << l;
  }
}

}  // namespace
}  // namespace vc
