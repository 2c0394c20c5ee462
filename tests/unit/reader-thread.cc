// The reader thread (trace/reader-thread.h) against the same readers on the caller's thread:
// the two run in lockstep on the same inputs, and after every next() the caller must see the
// same event, the same symbol, thread and source tables, and the same diagnostics. Inputs cross
// several blocks and hold what the reader logs for the caller: new names late in the trace,
// threads named after they were first met, bad records, unmatched text lines, lost events.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "trace/merge.h"
#include "trace/reader.h"

namespace vc {
namespace {

namespace fs = std::filesystem;
const std::string kData = std::string(VCONFORM_SOURCE_DIR) + "/tests/data/readers/";

std::string tmpFile(const std::string& name, const std::string& content) {
  auto dir = fs::temp_directory_path() / ("vconform-reader-thread-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto p = (dir / name).string();
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

// One way of reading: the tables and diagnostics a check would share with the readers.
struct Side {
  TraceTables t;
  Diagnostics d;
  std::vector<std::string> unmatched;  // what ReaderOptions::onUnmatched saw
  std::unique_ptr<TraceReader> reader;
};

std::string show(const TraceTables& t, const Event& e) {
  std::string s = std::to_string(e.origin.source) + ":" + std::to_string(e.origin.line) + " " +
                  (e.hasTs ? std::to_string(e.ts) : "-") + " t" + std::to_string(e.thread) + " #" +
                  std::to_string(e.name) + "=" + (e.name < t.symbols.size() ? t.symbols.name(e.name) : "?");
  for (const auto& f : e.fields) s += " #" + std::to_string(f.key) + "=" + f.value.toString();
  s += " id=" + e.id;
  for (const auto& a : e.after) s += " after=" + a;
  return s;
}

std::string showSources(const TraceTables& t) {
  std::string s;
  for (size_t i = 0; i < t.sources.size(); ++i) {
    const Source& x = t.sources.at(static_cast<uint32_t>(i));
    s += x.path + " " + x.format + " map=" + x.map + " comp=" + x.compression + " events=" + std::to_string(x.events) +
         " unmatched=" + std::to_string(x.unmatchedLines) + " rec=";
    for (const auto& r : x.recorders) s += r + ",";
    for (const auto& [l, text] : x.unmatchedExamples) s += " ex" + std::to_string(l) + ":" + text;
    s += x.vocabularyKnown ? " vocabulary:" : " any names";
    for (const auto& v : x.vocabulary) s += " " + v;
    s += "\n";
  }
  return s;
}

std::string showThreads(const TraceTables& t) {
  std::string s;
  for (size_t i = 0; i < t.threads.size(); ++i)
    s += t.threads.label(static_cast<uint32_t>(i)) + " src" +
         std::to_string(t.threads.at(static_cast<uint32_t>(i)).source) + "\n";
  return s;
}

std::string showSymbols(const TraceTables& t) {
  std::string s;
  for (Symbol i = 0; i < t.symbols.size(); ++i) s += t.symbols.name(i) + "\n";
  return s;
}

// Opens `paths` (merged, as `vconform check` does) with and without the reader thread, then
// reads both in lockstep, comparing everything the caller can see after each step. Between
// events the "checker" interns names of its own, as a spec's would be. Returns the events read.
void lockstepRead(const std::vector<std::string>& paths, const ReaderOptions& o, size_t& n) {
  Side a, b;
  Side* sides[2] = {&a, &b};
  for (int k = 0; k < 2; ++k) {
    Side& s = *sides[k];
    for (const char* name : {"vring", "set_vring_enable", "spec-only"}) s.t.symbols.intern(name);
    ReaderOptions ro = o;
    ro.readerThread = k == 1;
    ro.onUnmatched = [&s](uint32_t src, uint64_t line, std::string_view text) {
      s.unmatched.push_back(std::to_string(src) + ":" + std::to_string(line) + ":" + std::string(text));
    };
    std::vector<std::unique_ptr<TraceReader>> readers;
    for (const auto& p : paths)
      if (auto r = openTrace(p, ro, s.t, s.d)) readers.push_back(std::move(r));
    if (!readers.empty()) s.reader = std::make_unique<MergedReader>(std::move(readers), s.t, &s.d);
  }
  auto same = [&](const char* when) {
    EXPECT_EQ(renderAll(a.d), renderAll(b.d)) << when;
    EXPECT_EQ(a.d.errorCount(), b.d.errorCount()) << when;
    EXPECT_EQ(a.t.symbols.size(), b.t.symbols.size()) << when;
    EXPECT_EQ(showThreads(a.t), showThreads(b.t)) << when;
    EXPECT_EQ(showSources(a.t), showSources(b.t)) << when;
    EXPECT_EQ(a.unmatched, b.unmatched) << when;
  };
  same("after opening");
  EXPECT_EQ(a.reader == nullptr, b.reader == nullptr);
  if (!a.reader || !b.reader) return;
  Event ea, eb;
  for (n = 0;; ++n) {
    bool ga = a.reader->next(ea), gb = b.reader->next(eb);
    ASSERT_EQ(ga, gb) << "event " << n;
    if (!ga) break;
    ASSERT_EQ(show(a.t, ea), show(b.t, eb)) << "event " << n;
    // What a check looks at while it runs: the event's thread and the table sizes.
    ASSERT_EQ(a.t.threads.label(ea.thread), b.t.threads.label(eb.thread)) << "event " << n;
    ASSERT_EQ(a.t.symbols.size(), b.t.symbols.size()) << "event " << n;
    ASSERT_EQ(a.d.all().size(), b.d.all().size()) << "event " << n;
    ASSERT_EQ(a.t.sources.at(ea.origin.source).events, b.t.sources.at(eb.origin.source).events) << "event " << n;
    ASSERT_EQ(a.t.sources.at(ea.origin.source).vocabulary, b.t.sources.at(eb.origin.source).vocabulary)
        << "event " << n;
    if (n % 7 == 0) {
      std::string own = "checker-" + std::to_string(n);
      ASSERT_EQ(a.t.symbols.intern(own), b.t.symbols.intern(own));
    }
  }
  EXPECT_EQ(a.reader->discarded(), b.reader->discarded());
  same("at the end");
  EXPECT_EQ(showSymbols(a.t), showSymbols(b.t));
  a.reader.reset();
  b.reader.reset();
  same("after closing");
}

size_t lockstep(const std::vector<std::string>& paths, const ReaderOptions& o = {}) {
  size_t n = 0;
  lockstepRead(paths, o, n);
  return n;
}

// A JSON Lines trace of `n` events over several threads: names and field keys that first appear
// late, thread names given after the thread's first event, a bad record every 997 lines.
std::string jsonTrace(int n, bool meta) {
  std::string s = meta ? "{\"meta\": {\"recorder\": \"backend\"}}\n" : "";
  for (int i = 0; i < n; ++i) {
    if (i % 997 == 500) {
      s += "{\"name\": \"bad\", \"ts\": \"x\"}\n";
      continue;
    }
    int tid = 10 + (i * 7) % 13;
    s += "{\"name\":\"ev" + std::to_string(i % 5 == 0 ? i / 50 : i % 3) + "\",\"ts\":" + std::to_string(i) +
         ",\"pid\":1,\"tid\":" + std::to_string(tid);
    if (i > 100 + tid * 300) s += ",\"thread\":\"worker-" + std::to_string(tid) + "\"";
    s += ",\"fields\":{\"vring\":" + std::to_string(i % 4) + ",\"k" + std::to_string(i / 1500) + "\":\"v" +
         std::to_string(i) + "\"}";
    if (i % 11 == 0) s += ",\"id\":\"e" + std::to_string(i) + "\"";
    if (i % 11 == 1) s += ",\"after\":[\"e" + std::to_string(i - 1) + "\"]";
    s += "}\n";
  }
  return s;
}

TEST(ReaderThread, JsonLinesAcrossManyBlocksIsTheSame) {
  EXPECT_EQ(lockstep({tmpFile("many.jsonl", jsonTrace(20000, true))}), 20000u - 20);
}

TEST(ReaderThread, JsonArrayAndTwoMergedTracesAreTheSame) {
  std::string arr = "[";
  for (int i = 0; i < 3000; ++i)
    arr += std::string(i ? ",\n" : "") + "{\"name\":\"a" + std::to_string(i % 17) +
           "\",\"ts\":" + std::to_string(2 * i) + ",\"tid\":" + std::to_string(i % 3) + "}";
  arr += "]";
  std::vector<std::string> paths = {tmpFile("arr.json", arr), tmpFile("lines.jsonl", jsonTrace(5000, false))};
  EXPECT_EQ(lockstep(paths), 3000u + 5000u - 5);
}

TEST(ReaderThread, TextTracesThroughMapsAreTheSame) {
  // Unmatched lines (their examples and every one through onUnmatched), thread names from the
  // lines, three formats merged.
  auto d = kData + "guest-run/";
  EXPECT_GT(lockstep({d + "qemu-trace.log", d + "backend.jsonl", d + "dmesg.txt"}), 100u);
  EXPECT_GT(lockstep({d + "dmesg.txt"}), 5u);
}

TEST(ReaderThread, TracingJsonIsTheSame) {
  std::string s;
  for (int i = 0; i < 5000; ++i)
    s += "{\"timestamp\":\"2024-01-01T00:00:00." + std::to_string(100000 + i) +
         "Z\",\"level\":\"INFO\",\"fields\":{\"message\":\"m" + std::to_string(i % 9) +
         "\",\"n\":" + std::to_string(i) + "},\"target\":\"t\",\"threadId\":\"ThreadId(" + std::to_string(1 + i % 4) +
         ")\"" + (i > 2000 ? ",\"threadName\":\"w" + std::to_string(i % 4) + "\"" : std::string()) + "}\n" +
         (i % 1000 == 3 ? "not json\n{\"fields\": 3}\n" : "");
  ReaderOptions o;
  o.format = "tracing-json";
  EXPECT_EQ(lockstep({tmpFile("tracing.jsonl", s)}, o), 5000u);
}

TEST(ReaderThread, BadInputsGiveTheSameDiagnostics) {
  lockstep({"/nonexistent/trace.jsonl"});
  std::string nul = "{\"name\":\"a\"}\n{\"na";
  nul += '\0';
  nul += "me\":1}\n";
  lockstep({tmpFile("nul.jsonl", nul)});
  lockstep({tmpFile("empty.jsonl", "")});
  lockstep({tmpFile("ok.jsonl", "{\"name\":\"a\"}\n"), "/nonexistent/second.jsonl"});
  std::string bad;
  for (int i = 0; i < 1500; ++i) bad += "{\"name\": 3}\n";
  lockstep({tmpFile("bad.jsonl", bad), tmpFile("ok2.jsonl", "{\"name\":\"a\"}\n")});
}

TEST(ReaderThread, ErrorCapIsPerTrace) {
  // Each trace stops after 1000 bad records of its own, whatever the other traces hold.
  std::string bad;
  for (int i = 0; i < 600; ++i) bad += "{\"name\": 3}\n";
  bad += "{\"name\": \"last\"}\n";
  for (bool thread : {false, true}) {
    TraceTables t;
    Diagnostics d;
    ReaderOptions o;
    o.readerThread = thread;
    std::vector<std::unique_ptr<TraceReader>> rs;
    rs.push_back(openTrace(tmpFile("bad1.jsonl", bad), o, t, d));
    rs.push_back(openTrace(tmpFile("bad2.jsonl", bad), o, t, d));
    MergedReader m(std::move(rs), t, &d);
    Event ev;
    int n = 0;
    while (m.next(ev)) ++n;
    EXPECT_EQ(n, 2);
    EXPECT_EQ(d.errorCount(), 1200u);
  }
  std::string worse;
  for (int i = 0; i < 1500; ++i) worse += "{\"name\": 3}\n";
  worse += "{\"name\": \"after\"}\n";
  TraceTables t;
  Diagnostics d;
  auto r = openTrace(tmpFile("worse.jsonl", worse), {}, t, d);
  Event ev;
  EXPECT_FALSE(r && r->next(ev));
  EXPECT_EQ(d.errorCount(), 1001u);
}

#ifdef VCONFORM_HAVE_CTF
TEST(ReaderThread, CtfIsTheSame) {
  EXPECT_GT(lockstep({kData + "ctf/small"}), 10u);
  EXPECT_GT(lockstep({kData + "ctf/lossy"}), 10u);
  lockstep({kData + "ctf/small", kData + "guest-run/backend.jsonl"});
  lockstep({kData + "ctf"});  // both traces of the folder at once
}
#endif

TEST(ReaderThread, StoppingEarlyEndsTheThread) {
  // The caller may drop a reader before its end (an error elsewhere): the thread stops.
  TraceTables t;
  Diagnostics d;
  ReaderOptions o;
  o.readerThread = true;
  auto r = openTrace(tmpFile("early.jsonl", jsonTrace(20000, false)), o, t, d);
  ASSERT_TRUE(r);
  Event ev;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(r->next(ev));
  r.reset();
  SUCCEED();
}

}  // namespace
}  // namespace vc
