// Rules a run's text logs cannot record (check/recordable.h, docs/guarantees.md): the map's
// vocabulary, the names templated patterns gave, and what it means for verdicts.
#include "check/recordable.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "map-mini.h"
#include "test-util.h"
#include "trace/map-load.h"
#include "trace/reader.h"

namespace vc {
namespace {

std::string tmpFile(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / ("vconform-recordable-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto p = (dir / name).string();
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

Source textSource(const std::string& path, const std::string& map, std::vector<std::string> vocabulary) {
  Source s = Source::make(path, map);
  s.map = map;
  s.vocabularyKnown = true;
  std::sort(vocabulary.begin(), vocabulary.end());
  s.vocabulary = std::move(vocabulary);
  return s;
}

struct Loaded {
  TraceTables t;
  Spec spec;
  Diagnostics d;
  explicit Loaded(const std::string& text) {
    EXPECT_TRUE(loadSpecText("r.spec", text, spec, t.symbols, d)) << renderAll(d);
  }
};

const char* kSpec = R"(spec s
event enable(vring)
event kick(vring)
event start(vring)
event stop(vring)
event other(vring)
rule needs-enable: forall vring: enable(vring) before kick(vring)
rule either-side: forall vring: enable(vring) | other(vring) before kick(vring)
rule scoped: forall vring: never kick(vring) after start(vring) until stop(vring)
rule kicks-only: never kick(vring == 9)
)";

TEST(Recordable, MapVocabularyIsItsFixedEventNames) {
  Diagnostics d;
  auto m = loadMapText("mini.map.json", test::kMini, d);
  ASSERT_TRUE(m) << renderAll(d);
  EXPECT_EQ(m->vocabulary, std::vector<std::string>{"op"});  // x_{ev} is built from the line
  EXPECT_TRUE(m->templatedNames);
  auto q = loadMapText("q.map.json", R"J({"format": "q", "lines": [{"regex": "", "generic": true}],
    "patterns": [{"regex": "^b$", "event": "b"}, {"regex": "^a$", "event": "a"}, {"regex": "^a2$", "event": "a"},
                 {"regex": "^noise$", "event": null}]})J",
                       d);
  ASSERT_TRUE(q) << renderAll(d);
  EXPECT_EQ(q->vocabulary, (std::vector<std::string>{"a", "b"}));  // sorted, once each, no null event
  EXPECT_FALSE(q->templatedNames);
}

TEST(Recordable, TextSourceKnowsItsVocabularyPlusTheNamesItsTemplatesGave) {
  // QEMU's map names a few events and keeps any other trace event's own name (any-event).
  std::string p = tmpFile("q.log",
                          "17379@1795537342.161405:virtio_set_status vdev 0x55de221c3600 val 15\n"
                          "17379@1795537342.161700:vhost_commit Started: 1 Changed: 0\n"
                          "17379@1795537342.161800:vhost_commit Started: 1 Changed: 1\n");
  TraceTables t;
  Diagnostics d;
  ReaderOptions o;
  auto r = openTrace(p, o, t, d);
  ASSERT_TRUE(r) << renderAll(d);
  Event ev;
  while (r->next(ev)) {
  }
  const Source& s = t.sources.at(0);
  EXPECT_TRUE(s.vocabularyKnown);
  EXPECT_TRUE(std::is_sorted(s.vocabulary.begin(), s.vocabulary.end()));
  auto has = [&](const char* n) {
    return std::binary_search(s.vocabulary.begin(), s.vocabulary.end(), std::string(n));
  };
  EXPECT_TRUE(has("qemu_vu_write"));  // a fixed name of the map, though this log has none
  EXPECT_TRUE(has("virtio_set_status"));
  EXPECT_TRUE(has("vhost_commit"));  // given by a templated pattern in this run, once
  EXPECT_EQ(std::count(s.vocabulary.begin(), s.vocabulary.end(), std::string("vhost_commit")), 1);
  EXPECT_FALSE(has("vhost_user_set_vring_enable"));  // a trace event this log did not enable
}

TEST(Recordable, JsonSourceMayGiveAnyName) {
  std::string p = tmpFile("t.jsonl", R"({"ts": 1, "tid": 1, "event": "kick", "vring": 0})"
                                     "\n");
  TraceTables t;
  Diagnostics d;
  ReaderOptions o;
  auto r = openTrace(p, o, t, d);
  ASSERT_TRUE(r) << renderAll(d);
  EXPECT_FALSE(t.sources.at(0).vocabularyKnown);
}

TEST(Recordable, RuleWithAPartNoLogCanRecord) {
  Loaded l(kSpec);
  std::vector<Source> srcs{textSource("b.log", "mini", {"kick", "start"})};
  auto why = unrecordableRules(l.spec, l.t.symbols, srcs);
  ASSERT_EQ(why.size(), 4u);
  EXPECT_EQ(why[0], "no trace of this run can record enable (read: b.log (map mini))");
  EXPECT_EQ(why[1], "no trace of this run can record enable or other (read: b.log (map mini))");
  EXPECT_EQ(why[2], "no trace of this run can record stop (read: b.log (map mini))");  // the scope never closes
  EXPECT_EQ(why[3], "");
  // One alternative of a part is enough; another log of the run can give it.
  srcs.push_back(textSource("q.log", "q", {"other", "stop"}));
  why = unrecordableRules(l.spec, l.t.symbols, srcs);
  EXPECT_EQ(why[0], "no trace of this run can record enable (read: b.log (map mini), q.log (map q))");
  EXPECT_EQ(why[1], "");
  EXPECT_EQ(why[2], "");
  // A JSON trace in the run may hold any name: every rule is judged.
  srcs.push_back(Source::make("t.jsonl", "json"));
  why = unrecordableRules(l.spec, l.t.symbols, srcs);
  for (const auto& w : why) EXPECT_EQ(w, "");
}

TEST(Recordable, DroppedRulesAreNotExercisedAndLoseTheirViolations) {
  Loaded l(kSpec);
  TraceTables& t = l.t;
  // kick without enable: needs-enable and either-side break in any order.
  test::VectorReader reader({test::ev(t, 1, "start", {{"vring", 0}}), test::ev(t, 1, "kick", {{"vring", 0}})});
  t.sources.add(textSource("b.log", "mini", {"kick", "start"}));
  Diagnostics d;
  CheckResult res = check(l.spec, reader, t, CheckOptions{}, d);
  ASSERT_FALSE(d.hasErrors()) << renderAll(d);
  ASSERT_EQ(res.verdict(0), RuleVerdict::Violated);
  ASSERT_EQ(res.verdict(1), RuleVerdict::Violated);
  ASSERT_EQ(res.verdict(2), RuleVerdict::Violated);  // the scope opened and never closed
  EXPECT_EQ(dropUnrecordableRules(l.spec, t.symbols, res), 3u);
  EXPECT_TRUE(res.violations.empty());
  for (size_t r = 0; r < 3; ++r) {
    EXPECT_EQ(res.verdict(r), RuleVerdict::NotExercised) << r;
    EXPECT_NE(res.ruleStats[r].notExercisedWhy.find("no trace of this run can record"), std::string::npos);
  }
  EXPECT_EQ(res.verdict(3), RuleVerdict::Holds);  // kick(vring == 9) never came: held, exercised by kicks
  // With a log that can give enable (and stop), the same run's violations stand.
  t.sources.at(0).vocabulary = {"enable", "kick", "start", "stop"};
  test::VectorReader again({test::ev(t, 1, "start", {{"vring", 0}}), test::ev(t, 1, "kick", {{"vring", 0}})});
  Diagnostics d2;
  CheckResult res2 = check(l.spec, again, t, CheckOptions{}, d2);
  EXPECT_EQ(dropUnrecordableRules(l.spec, t.symbols, res2), 0u);
  EXPECT_EQ(res2.verdict(0), RuleVerdict::Violated);
  EXPECT_EQ(res2.verdict(2), RuleVerdict::Violated);
}

// A rule of a spec declared for one device is not judged when every trace that can give it an
// event says it is of another device (a virtio-fs daemon's pops are not an entropy device's); a
// trace that says nothing, or the same device, keeps it judged.
TEST(Recordable, RuleOfAnotherDeviceIsNotJudged) {
  Loaded l(R"(spec rng device "rng"
event pop(vring)
event fuse(unique)
rule one-queue: never pop(vring != 0)
)");
  Loaded common(R"(spec all
event pop(vring)
rule any: never pop(vring != 0)
)");
  ASSERT_EQ(l.spec.rules.size(), 1u);
  EXPECT_EQ(l.spec.rules[0].device, "rng");
  EXPECT_EQ(common.spec.rules[0].device, "");
  Source fs = textSource("fs.log", "virtiofsd", {"pop", "fuse"});
  fs.device = "fs";
  auto why = unrecordableRules(l.spec, l.t.symbols, {fs});
  ASSERT_EQ(why.size(), 1u);
  EXPECT_EQ(why[0], "a rule about the \"rng\" device, and fs.log is of a \"fs\" device");
  EXPECT_EQ(unrecordableRules(common.spec, common.t.symbols, {fs}), std::vector<std::string>{""});
  // JSON (any name): the same.
  Source json = Source::make("t.json", "json");
  json.device = "fs";
  EXPECT_FALSE(unrecordableRules(l.spec, l.t.symbols, {json})[0].empty());
  // A trace of the device, or of no declared device, that can give a pop: judged.
  Source rng = Source::make("rng.json", "json");
  rng.device = "rng";
  EXPECT_EQ(unrecordableRules(l.spec, l.t.symbols, {fs, rng})[0], "");
  EXPECT_EQ(unrecordableRules(l.spec, l.t.symbols, {fs, Source::make("u.json", "json")})[0], "");
  // A trace of another device that cannot give the rule's events does not count either way.
  Source qemu = textSource("qemu.log", "qemu", {"virtio_set_status"});
  qemu.device = "net";
  EXPECT_EQ(unrecordableRules(l.spec, l.t.symbols, {qemu, Source::make("u.json", "json")})[0], "");
}

// A comparison with a register that no log of the run can set is never true (an unset register
// makes it false): a rule whose part needs it has nothing to judge there, and must not "hold"
// (virtiofsd's log has get_vring_base but no set_vring_base: vu-vring-base held on it).
TEST(Recordable, RegisterNoLogCanSetMakesThePartUnrecordable) {
  Loaded l(R"(spec s
event set_base(vring, base)
event get_base(vring, base)
event pop(vring)
rule vb cite "x" says "x":
  forall vring:
    let next = set_base(vring): base
    let next = pop(vring): next + 1
    never get_base(vring, base != next & 0xffff)
rule counted cite "x" says "x":
  forall vring:
    let n = 0
    let n = pop(vring): n + 1
    never get_base(vring, base < n)
)");
  ASSERT_EQ(l.spec.rules.size(), 2u);
  auto why = unrecordableRules(l.spec, l.t.symbols, {textSource("v.log", "virtiofsd", {"get_base", "pop"})});
  EXPECT_EQ(why[0],
            "register next is never set: no trace of this run can record set_base (read: v.log (map virtiofsd))");
  EXPECT_EQ(why[1], "");  // an initial value sets it
  // A log that records the sampling event: judged.
  why = unrecordableRules(l.spec, l.t.symbols, {textSource("v.log", "m", {"get_base", "set_base"})});
  EXPECT_EQ(why[0], "");
}

}  // namespace
}  // namespace vc
