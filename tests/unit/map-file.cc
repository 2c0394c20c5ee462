// Map files: loading, sample checking, diagnostics with positions, timestamps.
#include "trace/map-file.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "trace/map-select.h"

namespace vc {
namespace {

const char* kMini = R"J({
  "format": "mini",
  "lines": [{"regex": "(?P<tid>\\d+)@(?P<ts>\\d+\\.\\d+):", "timestamp": "seconds"}],
  "enums": {"req": {"1": "GET", "2": "SET"}},
  "patterns": [
    {"regex": "^op (?P<n>\\d+) (?P<flag>\\w+) (?P<h>0x[0-9a-f]+)$", "event": "op",
     "fields": {"n": "int", "flag": "bool", "h": "hex", "name": {"enum": "req", "from": "n"}, "k": {"value": 7}}},
    {"regex": "^(?P<ev>[a-z]+)$", "event": "x_{ev}"}
  ],
  "samples": [
    {"line": "12@3.5:op 2 true 0x10", "event": "op", "fields": {"n": 2, "flag": true, "h": 16, "name": "SET", "k": 7},
     "ts": 3500000000, "tid": 12},
    {"line": "12@3.5:hello", "event": "x_hello"}
  ]
})J";

TEST(MapFile, LoadsAndChecksSamples) {
  Diagnostics d;
  auto m = loadMapText("mini.map.json", kMini, d);
  ASSERT_TRUE(m) << renderAll(d);
  EXPECT_EQ(m->format, "mini");
  EXPECT_EQ(m->patterns.size(), 2u);
  EXPECT_EQ(m->samples, 2u);
}

TEST(MapFile, MapsALine) {
  Diagnostics d;
  auto m = loadMapText("mini.map.json", kMini, d);
  ASSERT_TRUE(m);
  TraceTables t;
  t.sources.add(Source::make("x.log", "mini"));
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

TEST(MapFile, BadFieldHasColumn) {
  Diagnostics d;
  auto m = loadMapText("mini.map.json", kMini, d);
  ASSERT_TRUE(m);
  TraceTables t;
  t.sources.add(Source::make("x.log", "mini"));
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

TEST(MapFile, FailingSampleIsALoadErrorAtItsLine) {
  std::string text = kMini;
  text.replace(text.find("\"x_hello\""), 9, "\"x_bye\"");
  Diagnostics d;
  EXPECT_FALSE(loadMapText("mini.map.json", text, d));
  ASSERT_EQ(d.all().size(), 1u) << renderAll(d);
  const auto& e = d.all()[0];
  EXPECT_EQ(e.loc.line, 13u);
  EXPECT_EQ(e.loc.col, 14u);
  EXPECT_EQ(e.message, "sample line produced event 'x_hello', expected 'x_bye'");
}

TEST(MapFile, BadRegexPointsIntoTheRegex) {
  const char* text = R"J({"format": "b",
 "lines": [{"regex": ""}],
 "patterns": [{"regex": "ab(?P<x>cd", "event": "e"}]
})J";
  Diagnostics d;
  EXPECT_FALSE(loadMapText("b.map.json", text, d));
  ASSERT_GE(d.all().size(), 1u);
  const auto& e = d.all()[0];
  EXPECT_EQ(e.code, "map-file");
  EXPECT_EQ(e.loc.line, 3u);
  EXPECT_NE(e.message.find("bad regex"), std::string::npos) << e.message;
  EXPECT_GE(e.loc.col, 25u);
  EXPECT_EQ(e.snippet, R"J( "patterns": [{"regex": "ab(?P<x>cd", "event": "e"}])J");
}

TEST(MapFile, BadFieldTypeAndUnknownCapture) {
  const char* text = R"J({"format": "b",
 "lines": [{"regex": ""}],
 "patterns": [{"regex": "(?P<x>\\d+)", "event": "e",
   "fields": {"x": "integer",
              "y": "int"}}]
})J";
  Diagnostics d;
  EXPECT_FALSE(loadMapText("b.map.json", text, d));
  ASSERT_EQ(d.all().size(), 2u) << renderAll(d);
  EXPECT_EQ(d.all()[0].loc.line, 4u);
  EXPECT_EQ(d.all()[0].loc.col, 20u);
  EXPECT_EQ(d.all()[0].message, "unknown field type 'integer'");
  EXPECT_EQ(d.all()[1].loc.line, 5u);
  EXPECT_NE(d.all()[1].message.find("capture 'y'"), std::string::npos);
}

TEST(MapFile, InvalidJsonHasPosition) {
  Diagnostics d;
  EXPECT_FALSE(loadMapText("j.map.json", "{\"format\": \"x\",\n \"lines\": [}\n", d));
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].loc.line, 2u);
  EXPECT_EQ(d.all()[0].loc.col, 12u);
}

TEST(MapFile, Timestamps) {
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

TEST(MapFile, IntFields) {
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

// Every shipped map loads and its samples pass.
TEST(MapFile, ShippedMapsLoad) {
  auto files = findMapFiles({std::string(VCONFORM_SOURCE_DIR) + "/specs/maps"});
  ASSERT_GE(files.size(), 4u);
  for (const auto& f : files) {
    Diagnostics d;
    auto m = loadMapFile(f, d);
    EXPECT_TRUE(m) << f << "\n" << renderAll(d);
    if (m) {
      EXPECT_GT(m->samples, 0u) << f;
    }
  }
}

}  // namespace
}  // namespace vc

namespace vc {
namespace {

// Patterns whose trailing "(?P<x>.*)$" is taken as "the rest of the body" must capture exactly
// what the full regex captures (differential test against RE2 on the full pattern).
TEST(MapFile, TailCaptureMatchesTheFullRegex) {
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
  t.sources.add(Source::make("x", "t"));
  LineMapper mapper(m, t);
  const char* bodies[] = {"vhost_user_write req:1 flags:0x1", "ev ", "k123abc", "k", "kxyz", "xabz", "xab", "xa",
                          "x \xff\xfe tail", "k\xff"};
  for (const char* b : bodies) {
    Event ev;
    FieldError fe;
    int r = mapper.map(b, 0, ev, fe);
    // The reference: the first full regex that matches, with all its groups.
    const Pattern* ref = nullptr;
    std::vector<re2::StringPiece> caps(8);
    for (const auto& p : m->patterns)
      if (p.re->Match(b, 0, std::strlen(b), RE2::UNANCHORED, caps.data(), p.ncap + 1)) { ref = &p; break; }
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

}  // namespace
}  // namespace vc

namespace vc {
namespace {

// The Hyperscan prefilter (when libhs is there) finds exactly RE2::Set's candidates, on a real
// guest dmesg and on awkward bytes.
TEST(MapFile, HyperscanPrefilterAgreesWithRe2Set) {
  Diagnostics d;
  for (const char* name : {"/specs/maps/dmesg.map.json", "/bench/readers/bench-20-dmesg.map.json"}) {
    auto m = loadMapFile(std::string(VCONFORM_SOURCE_DIR) + name, d);
    ASSERT_TRUE(m) << renderAll(d);
    TraceTables t;
    t.sources.add(Source::make("x", m->format));
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
