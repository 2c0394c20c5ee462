// Map files: what a map keeps across lines (trace/map-match.h) — patterns that "continue", lines
// known to give no event, records spanning several lines, counters, values a thread remembers
// ("remember", "remembered", "when", "forget"), names read back as numbers, and a thread that
// changes its id ("same_thread_as"); and their load errors (trace/map-load.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "trace/map-load.h"
#include "trace/map-match.h"

namespace vc {
namespace {

struct Mapped {
  TraceTables t;
  std::vector<Event> evs;
  std::vector<LineResult> results;
  std::string name(size_t k) const { return t.symbols.name(evs.at(k).name); }
  const Value* field(size_t k, const char* f) const { return evs.at(k).field(t.symbols.find(f)); }
  int64_t tid(size_t k) const { return t.threads.at(evs.at(k).thread).tid; }
};

// Runs `lines` through a fresh mapper of `mapText` and finishes the source.
Mapped mapAll(const char* mapText, const std::vector<std::string>& lines) {
  Mapped r;
  Diagnostics d;
  auto m = loadMapText("t.map.json", mapText, d);
  EXPECT_TRUE(m) << (d.all().empty() ? std::string() : d.all().front().message);
  if (!m) return r;
  r.t.sources.add(Source::make("x.log", m->format, 0));
  LineMapper mapper(m, r.t);
  EventBuffer buf;
  for (size_t k = 0; k < lines.size(); ++k) {
    FieldError fe;
    r.results.push_back(mapper.mapLine(lines[k], k + 1, 0, buf, fe));
  }
  mapper.finish(buf);
  for (size_t k = 0; k < buf.size(); ++k) r.evs.push_back(buf[k]);
  return r;
}

std::string loadError(const char* mapText) {
  Diagnostics d;
  auto m = loadMapText("t.map.json", mapText, d);
  if (m) return "";
  return d.all().empty() ? "no diagnostic" : d.all().front().message;
}

const char* kRecords = R"J({
  "format": "rec",
  "lines": [{"regex": "\\[(?P<tid>\\d+)\\] "}, {"regex": "", "generic": true}],
  "enums": {"req": {"1": "GET", "21": ["SET_BACKEND_FD", "SET_SLAVE_FD"]}},
  "patterns": [
    {"id": "recv", "regex": "^read (?P<msg>[A-Z_]+)$", "event": "recv", "continue": true,
     "fields": {"msg": "string", "req": {"enum": "req", "from": "msg", "reverse": true}, "seq": {"counter": "msgs"}},
     "remember": {"seq": "seq"}},
    {"id": "table", "regex": "^read SET_TABLE$", "event": "set_table",
     "continuation": {"regex": "^(?:region (?P<size>\\d+)|\\t.*)$", "fields": {"regions": {"count": "size"}, "last": {"type": "int", "from": "size"}}}},
    {"id": "reply", "regex": "^replied$", "event": "reply", "fields": {"seq": {"remembered": "seq"}}},
    {"id": "noise", "regex": "^waiting$", "event": null},
    {"id": "start", "regex": "^start queue (?P<q>\\d+)$", "event": "queue_start", "fields": {"q": "int"}, "remember": {"q": "q"}},
    {"id": "work", "regex": "^work (?P<head>\\d+)$", "event": "pop", "fields": {"head": "int", "q": {"remembered": "q"}}},
    {"id": "stop", "regex": "^stop$", "event": "queue_stop", "fields": {"q": {"remembered": "q"}}, "forget": ["q"]},
    {"id": "drain", "regex": "^notify (?P<n>\\d+)$", "event": "drain", "when": ["stopping"], "fields": {"n": "int"}},
    {"id": "notify", "regex": "^notify (?P<n>\\d+)$", "event": "notify", "fields": {"n": "int"}},
    {"id": "dev-stop", "regex": "^dev stop$", "event": "dev_stop", "remember": {"stopping": {"value": 1}}},
    {"id": "status", "regex": "^status$", "event": "status", "forget": ["stopping"]},
    {"id": "connect", "regex": "^connected$", "event": "connect"},
    {"id": "entry", "regex": "^loop entry$", "event": "loop_entry", "same_thread_as": "connect"}
  ]
})J";

TEST(MapRecords, ContinueGivesSeveralEventsFromOneLine) {
  Mapped r = mapAll(kRecords, {"[1] read GET", "[1] read SET_TABLE", "[1] region 64", "[1] \tdetail", "[1] region 32",
                               "[1] replied"});
  ASSERT_EQ(r.evs.size(), 4u);
  EXPECT_EQ(r.name(0), "recv");
  EXPECT_EQ(*r.field(0, "req"), Value::ofInt(1));
  EXPECT_EQ(*r.field(0, "seq"), Value::ofInt(1));
  EXPECT_EQ(r.name(1), "recv");  // SET_TABLE: the generic pattern, then the record's
  EXPECT_EQ(*r.field(1, "seq"), Value::ofInt(2));
  EXPECT_EQ(r.field(1, "req"), nullptr) << "a name the table does not know gives no field";
  EXPECT_EQ(r.name(2), "set_table");
  EXPECT_EQ(r.evs[2].origin.line, 2u) << "a record points at its first line";
  EXPECT_EQ(*r.field(2, "regions"), Value::ofInt(2));
  EXPECT_EQ(*r.field(2, "last"), Value::ofInt(32)) << "a continuation field keeps the last value";
  EXPECT_EQ(r.name(3), "reply") << "the record ends at the first line that does not continue it";
  EXPECT_EQ(*r.field(3, "seq"), Value::ofInt(2)) << "the reply reads the seq its thread remembered";
  EXPECT_EQ(r.results[2], LineResult::Matched);
  EXPECT_EQ(r.results[3], LineResult::Matched);
}

TEST(MapRecords, RecordOpenAtTheEndIsFinished) {
  Mapped r = mapAll(kRecords, {"[1] read SET_TABLE", "[1] region 8"});
  ASSERT_EQ(r.evs.size(), 2u);
  EXPECT_EQ(r.name(1), "set_table");
  EXPECT_EQ(*r.field(1, "regions"), Value::ofInt(1));
}

TEST(MapRecords, ARecordIsContinuedOnlyByItsOwnThread) {
  Mapped r = mapAll(kRecords, {"[1] read SET_TABLE", "[2] region 8", "[1] region 4"});
  // Thread 2's line ends the record (it continues nothing) and matches no pattern on its own.
  ASSERT_EQ(r.evs.size(), 2u);
  EXPECT_EQ(*r.field(1, "regions"), Value::ofInt(0));
  EXPECT_EQ(r.results[1], LineResult::Unmatched);
  EXPECT_EQ(r.results[2], LineResult::Unmatched);
}

TEST(MapRecords, AliasesReadBackAsTheirNumber) {
  Mapped r = mapAll(kRecords, {"read SET_SLAVE_FD", "read SET_BACKEND_FD"});
  ASSERT_EQ(r.evs.size(), 2u);
  EXPECT_EQ(*r.field(0, "req"), Value::ofInt(21));
  EXPECT_EQ(*r.field(1, "req"), Value::ofInt(21));
}

TEST(MapRecords, NullEventIsAKnownLine) {
  Mapped r = mapAll(kRecords, {"waiting", "something else"});
  EXPECT_TRUE(r.evs.empty());
  EXPECT_EQ(r.results[0], LineResult::Matched);
  EXPECT_EQ(r.results[1], LineResult::Unmatched);
}

TEST(MapRecords, RememberedValuesArePerThread) {
  Mapped r = mapAll(kRecords, {"[3] start queue 0", "[4] start queue 1", "[4] work 7", "[3] work 5", "[5] work 9",
                               "[3] stop", "[3] work 6"});
  ASSERT_EQ(r.evs.size(), 7u);
  EXPECT_EQ(*r.field(2, "q"), Value::ofInt(1));
  EXPECT_EQ(*r.field(3, "q"), Value::ofInt(0));
  EXPECT_EQ(r.field(4, "q"), nullptr) << "thread 5 remembers nothing";
  EXPECT_EQ(*r.field(5, "q"), Value::ofInt(0));
  EXPECT_EQ(r.field(6, "q"), nullptr) << "forgotten";
}

TEST(MapRecords, WhenSelectsAPatternByWhatTheThreadRemembers) {
  Mapped r =
      mapAll(kRecords, {"[1] notify 1", "[1] dev stop", "[1] notify 2", "[2] notify 3", "[1] status", "[1] notify 4"});
  ASSERT_EQ(r.evs.size(), 6u);
  EXPECT_EQ(r.name(0), "notify");
  EXPECT_EQ(r.name(2), "drain");
  EXPECT_EQ(r.name(3), "notify") << "another thread";
  EXPECT_EQ(r.name(5), "notify");
}

TEST(MapRecords, SameThreadAsJoinsAThreadWhoseIdChanged) {
  Mapped r = mapAll(kRecords, {"[4242] connected", "[1] loop entry", "[1] read GET", "[3] start queue 0"});
  ASSERT_EQ(r.evs.size(), 4u);
  EXPECT_EQ(r.evs[0].thread, r.evs[1].thread);
  EXPECT_EQ(r.evs[1].thread, r.evs[2].thread) << "later lines of the new id stay on the old thread";
  EXPECT_EQ(r.tid(2), 4242);
  EXPECT_NE(r.evs[3].thread, r.evs[0].thread);
}

TEST(MapRecords, ClassifyIgnoresStatefulPatterns) {
  Diagnostics d;
  auto m = loadMapText("t.map.json", kRecords, d);
  ASSERT_TRUE(m);
  TraceTables t;
  t.sources.add(Source::make("x.log", m->format, 0));
  LineMapper mapper(m, t);
  LineMatch lm = mapper.classify("[1] notify 3");
  ASSERT_GE(lm.pattern, 0);
  EXPECT_EQ(m->patterns[static_cast<size_t>(lm.pattern)].id, "notify");
}

TEST(MapRecords, LoadErrors) {
  auto mk = [](const std::string& pattern) {
    return std::string(R"({"format": "e", "lines": [{"regex": ""}], "patterns": [)") + pattern + "]}";
  };
  EXPECT_NE(loadError(mk(R"({"regex": "^a$", "event": "a", "same_thread_as": "nope"})").c_str())
                .find("names no other pattern"),
            std::string::npos);
  EXPECT_NE(loadError(mk(R"({"regex": "^a$", "event": "a", "fields": {"x": {"remembered": "x"}}})").c_str())
                .find("no pattern remembers 'x'"),
            std::string::npos);
  EXPECT_NE(loadError(mk(R"({"regex": "^a$", "event": "a", "when": ["y"]})").c_str()).find("no pattern remembers 'y'"),
            std::string::npos);
  EXPECT_NE(
      loadError(mk(R"({"regex": "^a$", "event": "a", "remember": {"r": "nofield"}})").c_str()).find("does not have"),
      std::string::npos);
  EXPECT_NE(loadError(mk(R"({"regex": "^a$", "event": "a", "continue": true, "continuation": {"regex": "x"}})").c_str())
                .find("cannot also"),
            std::string::npos);
  EXPECT_NE(loadError(mk(R"({"regex": "^a$", "event": null, "continuation": {"regex": "x"}})").c_str())
                .find("needs an event"),
            std::string::npos);
  EXPECT_NE(
      loadError(mk(R"({"regex": "^a$", "event": "a", "fields": {"n": {"count": "g"}}})").c_str()).find("continuation"),
      std::string::npos);
  EXPECT_NE(
      loadError(mk(R"({"regex": "^a$", "event": "a", "continuation": {"regex": "(x"}})").c_str()).find("bad regex"),
      std::string::npos);
  EXPECT_NE(loadError(R"({"format": "e", "lines": [{"regex": ""}], "enums": {"t": {"1": "A", "2": ["B", "A"]}},
                          "patterns": [{"regex": "^a$", "event": "a"}]})")
                .find("gives the name 'A' to 1 and 2"),
            std::string::npos);
}

TEST(MapRecords, SamplesCoverSeveralLines) {
  std::string good = R"({"format": "s", "lines": [{"regex": "\\[(?P<tid>\\d+)\\] "}],
    "patterns": [{"id": "start", "regex": "^start (?P<q>\\d+)$", "event": "start", "fields": {"q": "int"}, "remember": {"q": "q"}},
                 {"regex": "^work$", "event": "work", "fields": {"q": {"remembered": "q"}}}],
    "samples": [{"lines": ["[3] start 1", "[3] work"], "events": [{"event": "start"}, {"event": "work", "fields": {"q": 1}, "line_no": 2}]},
                {"line": "[3] work", "event": "work", "fields": {"q": null}}]})";
  EXPECT_EQ(loadError(good.c_str()), "");
  std::string bad = good;
  bad.replace(bad.find("\"q\": 1}"), 7, "\"q\": 2}");
  EXPECT_NE(loadError(bad.c_str()).find("sample field 'q' is 1, expected 2"), std::string::npos);
  std::string count = good;
  count.replace(count.find("{\"event\": \"start\"}, "), 19, "");
  EXPECT_NE(loadError(count.c_str()).find("produced 2 event(s) (start, work), expected 1"), std::string::npos);
}

}  // namespace
}  // namespace vc
