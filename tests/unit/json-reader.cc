// The JSON trace reader: the three shapes, streaming across chunk boundaries, odd bytes.
#include "trace/json-reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>

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
  for (const std::string& text :
       {a + "\n" + b + "\n", "[" + a + ",\n" + b + "]", "{\"events\": [" + a + ", " + b + "]}"}) {
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

// Integers take a fast path of their own (plain decimal tokens that fit int64_t) and the rest
// simdjson's number parser: the values and the errors are those of simdjson at every boundary.
TEST(JsonReader, IntegersAtEveryBoundary) {
  struct Case {
    const char* text;
    bool ok;
    int64_t value;
    bool fieldOnly = false;  // beyond int64_t: a field value keeps its bits, a timestamp is an error
  } cases[] = {
      {"0", true, 0},
      {"-0", true, 0},
      {"7", true, 7},
      {"-7", true, -7},
      {"1764075600000000001", true, 1764075600000000001},
      {"9223372036854775807", true, INT64_MAX},
      {"-9223372036854775808", true, INT64_MIN},
      {"9223372036854775808", true, INT64_MIN, true},  // unsigned: its bit pattern (fields)
      {"18446744073709551615", true, -1, true},        // 20 digits: simdjson's path
      {"18446744073709551616", false, 0},              // beyond 64 bits
      {"-9223372036854775809", false, 0},
      {"1000.0", true, 1000},  // an integral double
      {"1e3", true, 1000},
      {"1.5", false, 0},
      {"01", false, 0},
      {"-", false, 0},
      {"- 1", false, 0},
      {"00000000000000000001", false, 0},
      {"12345678", true, 12345678},  // eight digits at a time, and the rest
      {"1234567890123456", true, 1234567890123456},
      {"12345678901234567", true, 12345678901234567},
      {"-123456789012345678", true, -123456789012345678},
      {"12345678.0", true, 12345678},
      {"1234567.5", false, 0},
      {"100000000000000000000", false, 0},
  };
  for (const auto& c : cases) {
    for (const char* sep : {"", " ", "\t"}) {
      std::string line = std::string("{\"name\":\"a\",\"ts\":") + (c.fieldOnly ? "1" : c.text) + sep +
                         ",\"fields\":{\"f\":" + c.text + sep + "}}";
      for (const std::string& text : {line + "\n", "[" + line + "]"}) {
        auto r = readAll(text);
        if (c.ok) {
          ASSERT_EQ(r->events.size(), 1u) << text << "\n" << renderAll(r->diags);
          if (!c.fieldOnly) {
            EXPECT_EQ(r->events[0].ts, c.value) << text;
          }
          ASSERT_EQ(r->events[0].fields.size(), 1u) << text;
          EXPECT_EQ(r->events[0].fields[0].value.i, c.value) << text;
        } else {
          EXPECT_EQ(r->events.size(), 0u) << text;
          EXPECT_EQ(r->diags.errorCount(), 1u) << text;
        }
      }
    }
  }
}

// Timestamps, pids, tids and ids are signed 64-bit: a value beyond that range is an error at its
// column with a message naming the key (it was a negative timestamp, or an empty message), not a
// wrapped value. Only field values keep an unsigned bit pattern.
TEST(JsonReader, OutOfRangeIntegersAreErrorsNamingTheirKey) {
  struct Case {
    std::string line;
    uint32_t col;
    std::string fragment;
  };
  std::vector<Case> cases = {
      {R"({"name":"a","ts":9223372036854775808})", 18, "'ts' is beyond 2^63-1"},
      {R"({"name":"a","ts":18446744073709551615})", 18, "'ts' is beyond 2^63-1"},
      {R"({"name":"a","ts":18446744073709551616})", 18, "'ts' does not fit in 64 bits"},
      {R"({"name":"a","ts":-9223372036854775809})", 18, "'ts' does not fit in 64 bits"},
      {R"({"name":"a","pid":9223372036854775808})", 19, "'pid' is beyond 2^63-1"},
      {R"({"name":"a","tid":99999999999999999999999})", 19, "'tid' does not fit in 64 bits"},
      {R"({"name":"a","id":9223372036854775808})", 18, "'id' is beyond 2^63-1"},
      {R"({"name":"a","fields":{"f":18446744073709551616}})", 27, "'f' does not fit in 64 bits"},
  };
  for (const auto& c : cases) {
    auto r = readAll(c.line + "\n");
    EXPECT_TRUE(r->events.empty()) << c.line;
    ASSERT_EQ(r->diags.errorCount(), 1u) << c.line << renderAll(r->diags);
    EXPECT_NE(r->diags.all()[0].message.find(c.fragment), std::string::npos)
        << c.line << ": " << r->diags.all()[0].message;
    EXPECT_EQ(r->diags.all()[0].loc.col, c.col) << c.line;
  }
  auto edge = readAll(R"({"name":"a","ts":9223372036854775807,"pid":-9223372036854775808})"
                      "\n");
  ASSERT_EQ(edge->events.size(), 1u) << renderAll(edge->diags);
  EXPECT_EQ(edge->events[0].ts, INT64_MAX);
}

// An id is an integer or a string, in `id` and in `after`: a boolean, an array or an object was
// taken as the id "1" or "0" (an edge to an unrelated event) or rejected with a message about
// fields.
TEST(JsonReader, IdsAreIntegersOrStrings) {
  for (std::string line :
       {R"({"name":"a","after":[true]})", R"({"name":"a","after":[1,{"x":1}]})", R"({"name":"a","after":[null]})",
        R"({"name":"a","id":false})", R"({"name":"a","id":[1]})"}) {
    auto r = readAll(line + "\n");
    EXPECT_TRUE(r->events.empty()) << line;
    ASSERT_EQ(r->diags.errorCount(), 1u) << line << renderAll(r->diags);
    const std::string& m = r->diags.all()[0].message;
    bool after = line.find("after") != std::string::npos;
    EXPECT_NE(m.find(after ? "'after'" : "'id'"), std::string::npos) << line << ": " << m;
    EXPECT_NE(m.find("an integer or a string"), std::string::npos) << line << ": " << m;
  }
  auto good = readAll(
      "{\"name\":\"a\",\"id\":7}\n{\"name\":\"b\",\"id\":\"x\",\"after\":[7]}\n"
      "{\"name\":\"c\",\"after\":[\"x\",7]}\n");
  ASSERT_EQ(good->events.size(), 3u) << renderAll(good->diags);
  EXPECT_EQ(good->diags.errorCount(), 0u) << renderAll(good->diags);
  EXPECT_EQ(good->events[2].after, (std::vector<std::string>{"x", "7"}));
}

TEST(JsonReader, TruncatedArrayIsAnError) {
  auto r = readAll("[{\"name\":\"a\"}, {\"name\":");
  EXPECT_EQ(r->events.size(), 1u);
  EXPECT_TRUE(r->diags.hasErrors());
}

// Strict shapes (issue 14): nothing is silently dropped after, between or around the events.
struct Bad {
  std::string text;
  size_t events;
  uint64_t line;
  std::string message;
};
TEST(JsonReader, StrictArraysAndWrappers) {
  const std::string a = R"({"name":"a"})", b = R"({"name":"b"})";
  std::vector<Bad> cases = {
      {"[" + a + "]\n[" + b + "]\n", 1, 2, "content after the JSON array's ']'"},
      {"[" + a + "]\ngarbage", 1, 2, "content after the JSON array's ']'"},
      {"{\"events\": [" + a + ", " + b + "]", 2, 1, "the {\"events\": [...]} object is not closed"},
      {"{\"events\": [" + a + "],\n \"other\": 1}", 1, 1, "keys after \"events\" are not read"},
      {"{\"events\": [" + a + "]} {}", 1, 1, "content after the {\"events\": [...]} object"},
      {"[" + a + "\n" + b + "]", 1, 2, "expected ',' or ']' after an event in the array"},
      {"[" + a + b + "]", 1, 1, "expected ',' or ']' after an event in the array"},
      {"[" + a + ",]", 1, 1, "a ',' before ']': an element is missing"},
      {"[," + a + "]", 0, 1, "expected an event object in the array"},
  };
  for (const auto& c : cases) {
    auto r = readAll(c.text);
    EXPECT_EQ(r->events.size(), c.events) << c.text;
    ASSERT_EQ(r->diags.errorCount(), 1u) << c.text << "\n" << renderAll(r->diags);
    EXPECT_EQ(r->diags.all()[0].message, c.message) << c.text;
    EXPECT_EQ(r->diags.all()[0].loc.line, c.line) << c.text;
    EXPECT_EQ(r->diags.all()[0].code, "trace-json");
  }
  auto ok = readAll("{\"events\": [" + a + ",\n " + b + "\n]\n}\n\n");
  EXPECT_FALSE(ok->diags.hasErrors()) << renderAll(ok->diags);
  EXPECT_EQ(ok->events.size(), 2u);
}

TEST(JsonReader, DuplicateKeysAreErrorsAtTheSecondOne) {
  struct Dup {
    std::string line;
    uint32_t col;
    std::string message;
  };
  std::vector<Dup> cases = {
      {R"({"name":"a","ts":1,"name":"b"})", 20, "duplicate key 'name' in an event"},
      {R"({"name":"a","ts":1,"ts":2})", 20, "duplicate key 'ts' in an event"},
      {R"({"name":"a","meta":1,"meta":2})", 22, "duplicate key 'meta' in an event"},
      {R"({"name":"a","fields":{"p":1,"q":2,"p":3}})", 35, "duplicate field 'p' in an event"},
      {R"({"name":"a","fields":{"p":1},"fields":{"q":2}})", 30, "duplicate key 'fields' in an event"},
  };
  for (const auto& c : cases) {
    for (const std::string& text : {c.line + "\n", "[" + c.line + "]"}) {
      auto r = readAll(text);
      EXPECT_TRUE(r->events.empty()) << text;
      ASSERT_EQ(r->diags.errorCount(), 1u) << text << renderAll(r->diags);
      EXPECT_EQ(r->diags.all()[0].message, c.message) << text;
      if (text.back() == '\n') {
        EXPECT_EQ(r->diags.all()[0].loc.col, c.col) << text;
      }
    }
  }
}

TEST(JsonReader, OneEventPerLine) {
  auto two = readAll("{\"name\":\"a\"}\n{\"name\":\"b\"} {\"name\":\"c\"}\n{\"name\":\"d\"}\n");
  ASSERT_EQ(two->diags.errorCount(), 1u) << renderAll(two->diags);
  EXPECT_EQ(two->diags.all()[0].loc.line, 2u);
  EXPECT_EQ(two->events.back().origin.line, 3u);
  auto spans = readAll("{\"name\":\"a\",\n \"ts\": 1}\n{\"name\":\"b\"}\n");
  ASSERT_GE(spans->diags.errorCount(), 1u) << renderAll(spans->diags);
  EXPECT_EQ(spans->diags.all()[0].loc.line, 1u);
  auto tail = readAll("{\"name\":\"a\"}\n{\"name\":\"b\",\n\"ts\":1}\n");
  ASSERT_GE(tail->diags.errorCount(), 1u) << renderAll(tail->diags);
  EXPECT_EQ(tail->diags.all()[0].loc.line, 2u);
}

// A bad line in the middle of a large block: every good line around it is read, in order, with
// its own line number (iterate_many hands the rest of the block to the line-by-line path).
TEST(JsonReader, ABadLineCostsOnlyItself) {
  std::string text;
  const int n = 20000;
  for (int i = 1; i <= n; ++i) {
    if (i == 7000)
      text += "{\"name\":\"x\",\"ts\":}\n";
    else if (i == 15000)
      text += "{\"name\":\"x\",\"ts\":\"late\"}\n";
    else
      text += "{\"name\":\"e\",\"ts\":" + std::to_string(i) + "}\n";
  }
  auto r = readAll(text);
  ASSERT_EQ(r->diags.errorCount(), 2u) << renderAll(r->diags);
  EXPECT_EQ(r->diags.all()[0].loc.line, 7000u);
  EXPECT_EQ(r->diags.all()[1].loc.line, 15000u);
  ASSERT_EQ(r->events.size(), static_cast<size_t>(n - 2));
  for (const auto& e : r->events) EXPECT_EQ(static_cast<uint64_t>(e.ts), e.origin.line);
}

}  // namespace
}  // namespace vc

namespace vc {
namespace {

// The metadata record: the first record may say what recorded the trace (it selects the
// recorder's sync files); it is not an event, and anywhere else it is an error.
TEST(JsonReader, TheFirstRecordMayBeMetadataNamingTheRecorder) {
  std::string meta = R"({"meta":{"recorder":"backend","clock":"realtime"}})";
  std::string a = R"({"name":"a","tid":1})";
  for (const std::string& text : {meta + "\n" + a + "\n", "[" + meta + ",\n" + a + "]"}) {
    auto r = readAll(text);
    EXPECT_FALSE(r->diags.hasErrors()) << renderAll(r->diags);
    ASSERT_EQ(r->events.size(), 1u) << text;
    EXPECT_EQ(r->events[0].origin.line, 2u);
    EXPECT_EQ(r->tables.sources.at(0).recorders, std::vector<std::string>{"backend"});
    EXPECT_EQ(r->tables.sources.at(0).events, 1u);
  }
  auto several = readAll(R"({"meta":{"recorder":["qemu-log","backend"]}})"
                         "\n" +
                         a + "\n");
  EXPECT_EQ(several->tables.sources.at(0).recorders, (std::vector<std::string>{"qemu-log", "backend"}));
  auto late = readAll(a + "\n" + meta + "\n");
  ASSERT_TRUE(late->diags.hasErrors());
  EXPECT_EQ(late->diags.all()[0].message, "a metadata record must be the trace's first record");
  EXPECT_EQ(late->diags.all()[0].loc.line, 2u);
  auto mixed = readAll(R"({"meta":{"recorder":"backend"},"name":"a"})"
                       "\n");
  ASSERT_TRUE(mixed->diags.hasErrors());
  EXPECT_EQ(mixed->diags.all()[0].message, "a metadata record is {\"meta\": {...}} and nothing else");
  auto badRecorder = readAll(R"({"meta":{"recorder":7}})"
                             "\n" +
                             a + "\n");
  ASSERT_TRUE(badRecorder->diags.hasErrors());
  EXPECT_EQ(badRecorder->diags.all()[0].message, "'recorder' must be a non-empty string or an array of them");
}

}  // namespace
}  // namespace vc
