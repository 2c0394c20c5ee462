// Rust tracing JSON lines.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "trace/text-tracing-json.h"

namespace vc {
namespace {

std::string tmpFile(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / ("vconform-tracing-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto p = (dir / name).string();
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

const char* kLines =
    R"J({"timestamp":"2022-07-11T02:12:24.123456Z","level":"INFO","fields":{"message":"set_vring_enable","vring":0,"enable":true},"target":"vhost_user_backend","threadId":"ThreadId(2)","threadName":"vu-socket"})J"
    "\n"
    "not json at all\n"
    R"J({"timestamp":"2022-07-11T02:12:24.2Z","level":"DEBUG","fields":{"message":"handle_event","vring":0,"ratio":0.5,"big":18446744073709551615},"target":"vhost_user_backend::handler","span":{"name":"worker","queue":0},"threadId":"ThreadId(3)"})J"
    "\n"
    R"J({"timestamp":"2022-07-11T02:12:24.3Z","level":"DEBUG","fields":{"other":1},"target":"x","threadId":"ThreadId(3)"})J"
    "\n"
    R"J({"timestamp":"2022-07-11T02:12:24.4Z","level":"DEBUG","fields":{"message":"broken")J"
    "\n";

TEST(TracingJson, SniffedAndRead) {
  std::string p = tmpFile("t.jsonl", kLines);
  TraceTables t;
  Diagnostics d;
  ReaderOptions o;
  auto r = openTrace(p, o, t, d);
  ASSERT_TRUE(r) << renderAll(d);
  EXPECT_EQ(t.sources.at(0).format, "tracing-json");
  Event ev;
  ASSERT_TRUE(r->next(ev));
  EXPECT_EQ(t.symbols.name(ev.name), "set_vring_enable");
  EXPECT_EQ(ev.origin.line, 1u);
  EXPECT_EQ(ev.ts, 1657505544123456000);
  EXPECT_EQ(*ev.field(t.symbols.find("enable")), Value::ofBool(true));
  EXPECT_EQ(*ev.field(t.symbols.find("level")), Value::ofStr("INFO"));
  EXPECT_EQ(t.threads.at(ev.thread).tid, 2);
  EXPECT_EQ(t.threads.at(ev.thread).name, "vu-socket");
  ASSERT_TRUE(r->next(ev));
  EXPECT_EQ(ev.origin.line, 3u);
  EXPECT_EQ(t.symbols.name(ev.name), "handle_event");
  EXPECT_EQ(*ev.field(t.symbols.find("ratio")), Value::ofStr("0.5"));
  EXPECT_EQ(*ev.field(t.symbols.find("big")), Value::ofInt(-1));
  EXPECT_EQ(*ev.field(t.symbols.find("span.queue")), Value::ofInt(0));
  EXPECT_EQ(t.threads.at(ev.thread).tid, 3);
  EXPECT_FALSE(r->next(ev));  // line 4 has no message: skipped; line 5 is broken
  ASSERT_EQ(d.errorCount(), 1u);
  EXPECT_EQ(d.all()[0].loc.line, 5u);
  EXPECT_EQ(d.all()[0].code, "trace-tracing-json");
}

TEST(TracingJson, NameFieldOption) {
  std::string p = tmpFile(
      "n.jsonl", R"J({"timestamp":"2022-07-11T02:12:24Z","level":"INFO","fields":{"message":"m","event":"ev1"}})J"
                 "\n");
  TraceTables t;
  Diagnostics d;
  ReaderOptions o;
  o.tracingNameField = "event";
  auto r = openTrace(p, o, t, d);
  ASSERT_TRUE(r);
  Event ev;
  ASSERT_TRUE(r->next(ev));
  EXPECT_EQ(t.symbols.name(ev.name), "ev1");
  EXPECT_EQ(*ev.field(t.symbols.find("message")), Value::ofStr("m"));
}

TEST(TracingJson, PlainVconformJsonStillJson) {
  std::string p = tmpFile("v.jsonl", R"J({"name":"x","ts":1,"tid":1,"fields":{"level":1,"timestamp":2}})J"
                                     "\n");
  TraceTables t;
  Diagnostics d;
  auto r = openTrace(p, ReaderOptions{}, t, d);
  ASSERT_TRUE(r);
  EXPECT_EQ(t.sources.at(0).format, "json");
}

}  // namespace
}  // namespace vc

namespace vc {
namespace {

int parseOne(const std::string& line, TraceTables& t, Event& ev, std::string& err, uint32_t& col) {
  if (t.sources.size() == 0) t.sources.add(Source::make("x", "tracing-json", 0));
  return parseTracingJsonLine(line, "message", 0, t, ev, err, col);
}

// A threadId that does not parse is an error, never thread 0 (issue 14: two events of one thread
// became two threads and predicted violations appeared).
TEST(TracingJson, BadThreadIdIsAnErrorAtItsColumn) {
  const std::string pre =
      R"J({"timestamp":"2022-07-11T02:12:24Z","level":"INFO","fields":{"message":"m"},"threadId":)J";
  for (std::string bad : {R"J("ThreadId(")J", R"J("ThreadId(99999999999999999999)")J", R"J("ThreadId(-1)")J",
                          R"J("ThreadId()")J", R"J("2")J", R"J(null)J", R"J(-3)J", R"J("ThreadId(1x)")J"}) {
    TraceTables t;
    Event ev;
    std::string err;
    uint32_t col = 0;
    EXPECT_EQ(parseOne(pre + bad + "}", t, ev, err, col), -1) << bad;
    EXPECT_NE(err.find("threadId"), std::string::npos) << bad << ": " << err;
    EXPECT_EQ(col, pre.size() + 1) << bad;
  }
  TraceTables t;
  Event ev;
  std::string err;
  uint32_t col = 0;
  ASSERT_EQ(parseOne(pre + R"J("ThreadId(17)"})J", t, ev, err, col), 1) << err;
  EXPECT_EQ(t.threads.at(ev.thread).tid, 17);
  ASSERT_EQ(parseOne(pre + "5}", t, ev, err, col), 1) << err;
  EXPECT_EQ(t.threads.at(ev.thread).tid, 5);
}

// A numeric (or null) "timestamp" is an error, never silently "no timestamp".
TEST(TracingJson, NonStringTimestampIsAnError) {
  for (std::string ts : {"1657505544", "1657505544.5", "null", "{}"}) {
    const std::string pre = R"J({"level":"INFO","fields":{"message":"m"},"timestamp":)J";
    TraceTables t;
    Event ev;
    std::string err;
    uint32_t col = 0;
    EXPECT_EQ(parseOne(pre + ts + "}", t, ev, err, col), -1) << ts;
    EXPECT_NE(err.find("'timestamp' must be an RFC 3339 string"), std::string::npos) << err;
    EXPECT_EQ(col, pre.size() + 1) << ts;
  }
  TraceTables t;
  Event ev;
  std::string err;
  uint32_t col = 0;
  EXPECT_EQ(
      parseOne(R"J({"timestamp":"2022-02-30T00:00:00Z","level":"INFO","fields":{"message":"m"}})J", t, ev, err, col),
      -1);
  EXPECT_NE(err.find("bad timestamp"), std::string::npos) << err;
}

// Duplicate keys (in the line, in "fields", in "span") are errors at the second one: one value
// won silently. A field that is an object, an array or null is an error at its value: it was
// dropped silently, so a rule on it saw the field missing.
TEST(TracingJson, DuplicateKeysAndNestedFieldsAreErrors) {
  struct Case {
    std::string line;
    std::string fragment;
    std::string at;  // the text the column must point at
  };
  std::vector<Case> cases = {
      {R"J({"timestamp":"2022-07-11T02:12:24Z","fields":{"message":"m"},"timestamp":"2022-07-11T02:12:25Z"})J",
       "duplicate key 'timestamp'", R"J("timestamp":"2022-07-11T02:12:25Z")J"},
      {R"J({"timestamp":"2022-07-11T02:12:24Z","fields":{"message":"m","v":1,"v":2}})J",
       "duplicate key 'v' in \"fields\"", R"J("v":2)J"},
      {R"J({"timestamp":"2022-07-11T02:12:24Z","fields":{"message":"m"},"span":{"id":1,"id":2}})J",
       "duplicate key 'id' in \"span\"", R"J("id":2)J"},
      {R"J({"timestamp":"2022-07-11T02:12:24Z","fields":{"message":"m","vring":{"a":1}}})J", "field 'vring'",
       R"J({"a":1})J"},
      {R"J({"timestamp":"2022-07-11T02:12:24Z","fields":{"message":"m","v":[1]}})J", "field 'v'", "[1]"},
      {R"J({"timestamp":"2022-07-11T02:12:24Z","fields":{"message":"m","v":null}})J", "field 'v'", "null"},
      {R"J({"timestamp":"2022-07-11T02:12:24Z","fields":{"message":"m"},"span":{"q":{}}})J", "field 'span.q'", "{}}"},
  };
  for (const auto& c : cases) {
    TraceTables t;
    Event ev;
    std::string err;
    uint32_t col = 0;
    EXPECT_EQ(parseOne(c.line, t, ev, err, col), -1) << c.line;
    EXPECT_NE(err.find(c.fragment), std::string::npos) << c.line << ": " << err;
    EXPECT_EQ(col, c.line.rfind(c.at) + 1) << c.line << ": " << err;
  }
  TraceTables t;
  Event ev;
  std::string err;
  uint32_t col = 0;
  ASSERT_EQ(parseOne(R"J({"timestamp":"2022-07-11T02:12:24Z","fields":{"message":"m","v":1},"span":{"v":2}})J", t, ev,
                     err, col),
            1)
      << err;
  EXPECT_EQ(ev.fields.size(), 2u);
}

}  // namespace
}  // namespace vc
