// The JSON trace reader: the three shapes, streaming across chunk boundaries, odd bytes.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "trace/json-reader.h"

namespace vc {
namespace {

struct Read {
  std::vector<Event> events;
  Diagnostics diags;
  TraceTables tables;
};

std::unique_ptr<Read> readAll(const std::string& text) {
  auto r = std::make_unique<Read>();
  uint32_t src = r->tables.sources.add(Source::make("t.json", "json"));
  JsonTraceReader reader(Input::fromBytes(text, "t.json"), src, r->tables, r->diags);
  Event ev;
  while (reader.next(ev)) r->events.push_back(ev);
  return r;
}

TEST(JsonReader, LinesArrayAndWrapperGiveTheSameEvents) {
  std::string a = R"({"name":"a","ts":1,"pid":2,"tid":3,"fields":{"x":1,"s":"q","b":true}})";
  std::string b = R"({"name":"b","tid":4})";
  for (const std::string& text : {a + "\n" + b + "\n", "[" + a + ",\n" + b + "]", "{\"events\": [" + a + ", " + b + "]}"}) {
    auto r = readAll(text);
    EXPECT_FALSE(r->diags.hasErrors()) << renderAll(r->diags);
    ASSERT_EQ(r->events.size(), 2u) << text;
    const Event& e = r->events[0];
    EXPECT_EQ(r->tables.symbols.name(e.name), "a");
    EXPECT_TRUE(e.hasTs);
    EXPECT_EQ(e.ts, 1);
    EXPECT_EQ(r->tables.threads.at(e.thread).pid, 2);
    EXPECT_EQ(r->tables.threads.at(e.thread).tid, 3);
    ASSERT_EQ(e.fields.size(), 3u);
    EXPECT_EQ(e.fields[1].value.s, "q");
    EXPECT_EQ(e.fields[2].value.kind, Value::Kind::Bool);
    EXPECT_FALSE(r->events[1].hasTs);
    EXPECT_EQ(r->tables.threads.at(r->events[1].thread).pid, 0);
  }
}

TEST(JsonReader, LineNumbersSurviveBlankLinesCrlfAndABom) {
  auto r = readAll("\xEF\xBB\xBF{\"name\":\"a\"}\r\n\r\n\n{\"name\":\"b\"}\r\n");
  ASSERT_EQ(r->events.size(), 2u);
  EXPECT_EQ(r->events[0].origin.line, 1u);
  EXPECT_EQ(r->events[1].origin.line, 4u);
}

TEST(JsonReader, StreamsAcrossChunksAndHugeLines) {
  std::string text;
  const int n = 30000;  // several 1 MiB chunks
  for (int i = 0; i < n; ++i)
    text += "{\"name\":\"e\",\"ts\":" + std::to_string(i) + ",\"fields\":{\"pad\":\"" + std::string(40, 'x') + "\"}}\n";
  std::string big(10 * 1024 * 1024, 'y');
  text += "{\"name\":\"big\",\"fields\":{\"s\":\"" + big + "\"}}\n{\"name\":\"last\"}\n";
  auto r = readAll(text);
  EXPECT_FALSE(r->diags.hasErrors());
  ASSERT_EQ(r->events.size(), static_cast<size_t>(n) + 2);
  EXPECT_EQ(r->events[n - 1].ts, n - 1);
  EXPECT_EQ(r->events[n].fields[0].value.s.size(), big.size());
  EXPECT_EQ(r->events[n + 1].origin.line, static_cast<uint64_t>(n) + 2);
}

TEST(JsonReader, ArrayRecordsSpanningLinesKeepTheirFirstLine) {
  auto r = readAll("[\n  {\"name\": \"a\",\n   \"fields\": {\"s\": \"}{\\\"\"}},\n  {\"name\": \"b\"}\n]\n");
  EXPECT_FALSE(r->diags.hasErrors()) << renderAll(r->diags);
  ASSERT_EQ(r->events.size(), 2u);
  EXPECT_EQ(r->events[0].fields[0].value.s, "}{\"");
  EXPECT_EQ(r->events[0].origin.line, 2u);
  EXPECT_EQ(r->events[1].origin.line, 4u);
}

TEST(JsonReader, BadRecordsAreReportedWithPositionsAndSkipped) {
  auto r = readAll("{\"name\":\"a\"}\n{\"name\":\"b\",\"ts\":1.5}\n{\"name\":\"c\"}\n[1]\n");
  ASSERT_EQ(r->events.size(), 2u);
  ASSERT_EQ(r->diags.errorCount(), 2u);
  const Diagnostic& d = r->diags.all()[0];
  EXPECT_EQ(d.loc.line, 2u);
  EXPECT_EQ(d.loc.col, 18u);  // at the value of "ts"
  EXPECT_EQ(d.message, "'ts' must be an integer, got 1.500000");
}

TEST(JsonReader, UnsignedValuesKeepTheirBits) {
  auto r = readAll("{\"name\":\"a\",\"fields\":{\"f\":18446744073709551615}}\n");
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].fields[0].value.i, -1);
}

TEST(JsonReader, TruncatedArrayIsAnError) {
  auto r = readAll("[{\"name\":\"a\"}, {\"name\":");
  EXPECT_EQ(r->events.size(), 1u);
  EXPECT_TRUE(r->diags.hasErrors());
}

}  // namespace
}  // namespace vc
