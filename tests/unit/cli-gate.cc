// The CI gate: warning codes (the table, the sources and docs/cli.md agree), "did you mean",
// baselines (identity, file format, round trip over two real recordings of the same fault).
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "app/baseline.h"
#include "app/commands.h"
#include "diag/codes.h"
#include "diag/suggest.h"

namespace fs = std::filesystem;

namespace vc {
namespace {

const std::string kRoot = VCONFORM_SOURCE_DIR;

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Suggest, FindsTyposAndPrefixes) {
  std::vector<std::string> ids = {"vu-enable", "vu-enable-before-kick", "vu-stop", "vu-kick-handled"};
  EXPECT_EQ(closestName("vu-enabel", ids), "vu-enable");
  EXPECT_EQ(closestName("vu-enable-before-kik", ids), "vu-enable-before-kick");
  EXPECT_EQ(closestName("vu-kick", ids), "vu-kick-handled");  // a prefix
  EXPECT_EQ(closestName("zzz-totally-else", ids), "");
  EXPECT_EQ(closestName("chek", {"check", "events", "lint", "rules"}), "check");
  EXPECT_EQ(didYouMean("sarf", {"text", "sarif"}), " (did you mean 'sarif'?)");
  EXPECT_EQ(didYouMean("x", {"text", "sarif"}), "");
}

// Every warning the library can give is in the table (so --allow accepts it and docs/cli.md
// documents it), and the table has nothing the sources never give.
TEST(WarningCodes, TableSourcesAndDocsAgree) {
  std::set<std::string> inSources;
  const RE2 warn(R"re(warning\(\s*"([a-z0-9-]+)")re");
  for (const auto& e : fs::recursive_directory_iterator(kRoot + "/checker")) {
    if (e.path().extension() != ".cc") continue;
    std::string text = readAll(e.path().string());
    re2::StringPiece rest(text);
    std::string code;
    while (RE2::FindAndConsume(&rest, warn, &code)) inSources.insert(code);
  }
  std::set<std::string> inTable;
  for (const auto& w : warningCodes()) inTable.insert(w.code);
  EXPECT_EQ(inSources, inTable) << "checker/diag/codes.cc lists the warning codes: add new ones there";
  std::string cli = readAll(kRoot + "/docs/cli.md");
  for (const auto& code : inTable)
    EXPECT_NE(cli.find("`" + code + "`"), std::string::npos) << code << " is not in docs/cli.md";
}

TEST(WarningCodes, DropAllowedKeepsErrors) {
  Diagnostics d;
  d.warning("trace-time-backwards", Location{}, "w");
  d.error("trace-json", Location{}, "e");
  d.warning("hb-unmatched-send", Location{}, "w2");
  dropAllowed(d, {"trace-time-backwards", "trace-json"});
  ASSERT_EQ(d.all().size(), 2u);
  EXPECT_EQ(d.all()[0].code, "trace-json");
  EXPECT_TRUE(d.hasErrors());
  EXPECT_EQ(d.all()[1].code, "hb-unmatched-send");
}

// A violation's identity: rule, instance, the breaking event's name and the fields the rule looks
// at. Not its line, sequence number, timestamp, thread, kind or the fields the rule ignores.
TEST(Baseline, IdentityIgnoresWhatChangesBetweenRecordings) {
  TraceTables tables;
  Spec spec;
  Diagnostics diags;
  ASSERT_TRUE(loadSpecText("t.spec",
                           "event kick(vring, count)\nevent enable(vring)\n"
                           "rule r cite \"c\" says \"s\": forall vring: enable(vring) before kick(vring)\n",
                           spec, tables.symbols, diags))
      << renderAll(diags);
  Violation a;
  a.rule = 0;
  a.params = {{"vring", "0"}};
  a.message = "m";
  EventRef e;
  e.name = "kick";
  e.fields = {{"vring", Value::ofInt(0)}, {"count", Value::ofInt(3)}};
  e.file = "a.jsonl";
  e.line = 12;
  e.seq = 40;
  e.thread = 2;
  e.hasTs = true;
  e.ts = 1000;
  a.culprit = e;
  Violation b = a;
  b.kind = ViolationKind::Predicted;
  b.culprit->line = 99;
  b.culprit->seq = 7;
  b.culprit->ts = 5;
  b.culprit->thread = 9;
  b.culprit->file = "b.jsonl";
  b.culprit->fields[1].second = Value::ofInt(8);  // count: the rule does not look at it
  EXPECT_EQ(baselineEntry(spec, tables.symbols, a).key(), baselineEntry(spec, tables.symbols, b).key());
  Violation c = a;
  c.params = {{"vring", "1"}};
  c.culprit->fields[0].second = Value::ofInt(1);
  EXPECT_NE(baselineEntry(spec, tables.symbols, a).key(), baselineEntry(spec, tables.symbols, c).key());
  Violation end = a;
  end.culprit.reset();
  EXPECT_NE(baselineEntry(spec, tables.symbols, a).key(), baselineEntry(spec, tables.symbols, end).key());
  EXPECT_EQ(baselineEntry(spec, tables.symbols, end).event, "");
}

// A field compared with a register or with another field is a data value (the base a
// GET_VRING_BASE returns depends on how many buffers the run took): not part of the identity. A
// field compared with a constant is (it says which kind of event broke the rule).
TEST(Baseline, IdentityIgnoresFieldsComparedWithData) {
  TraceTables tables;
  Spec spec;
  Diagnostics diags;
  ASSERT_TRUE(loadSpecText("t.spec",
                           "event set_base(vring, base)\nevent get_base(vring, base, len, cap, kind)\n"
                           "rule r cite \"c\" says \"s\": forall vring:\n"
                           "  let next = set_base(vring): base\n"
                           "  never get_base(vring, base != next, len > cap, kind == 2)\n",
                           spec, tables.symbols, diags))
      << renderAll(diags);
  Violation a;
  a.rule = 0;
  a.params = {{"vring", "0"}};
  a.message = "m";
  EventRef e;
  e.name = "get_base";
  e.fields = {{"vring", Value::ofInt(0)},
              {"base", Value::ofInt(7)},
              {"len", Value::ofInt(10)},
              {"cap", Value::ofInt(4)},
              {"kind", Value::ofInt(2)}};
  a.culprit = e;
  BaselineEntry ea = baselineEntry(spec, tables.symbols, a);
  std::vector<std::pair<std::string, std::string>> want = {{"kind", "2"}, {"vring", "0"}};
  EXPECT_EQ(ea.fields, want);
  Violation b = a;
  b.culprit->fields[1].second = Value::ofInt(6);   // base
  b.culprit->fields[2].second = Value::ofInt(12);  // len
  b.culprit->fields[3].second = Value::ofInt(3);   // cap
  EXPECT_EQ(ea.key(), baselineEntry(spec, tables.symbols, b).key());
  Violation c = a;
  c.culprit->fields[4].second = Value::ofInt(3);  // kind: compared with a constant
  EXPECT_NE(ea.key(), baselineEntry(spec, tables.symbols, c).key());
}

// QEMU names a device by its address (`virtio_set_status vdev 0x55a302329600`), which ASLR
// changes in every run (traces/backend/clean and clean-reload: 0x55a302329600, 0x563a3c172600):
// an address is matched as "an address", a device name or a short number as itself.
TEST(Baseline, IdentityIgnoresHostAddresses) {
  TraceTables tables;
  Spec spec;
  Diagnostics diags;
  ASSERT_TRUE(loadSpecText("t.spec",
                           "event virtio_set_status(vdev, val)\nevent virtio_notify(vdev, vqp)\n"
                           "rule r cite \"c\" says \"s\": forall vdev: never virtio_notify(vdev, vqp != \"x\")\n",
                           spec, tables.symbols, diags))
      << renderAll(diags);
  auto violation = [](const std::string& vdev, const std::string& vqp) {
    Violation v;
    v.rule = 0;
    v.params = {{"vdev", "\"" + vdev + "\""}};
    EventRef e;
    e.name = "virtio_notify";
    e.fields = {{"vdev", Value::ofStr(vdev)}, {"vqp", Value::ofStr(vqp)}};
    v.culprit = e;
    return v;
  };
  const std::string a = baselineEntry(spec, tables.symbols, violation("0x55a302329600", "0x55a30232b710")).key();
  EXPECT_EQ(a, baselineEntry(spec, tables.symbols, violation("0x563a3c172600", "0x563a3c174710")).key());
  EXPECT_NE(a, baselineEntry(spec, tables.symbols, violation("d0", "0x563a3c174710")).key());
  EXPECT_NE(baselineEntry(spec, tables.symbols, violation("0x1f", "q")).key(),
            baselineEntry(spec, tables.symbols, violation("0x2f", "q")).key());
}

TEST(Baseline, BadFilesAreDiagnosedWithTheirPlace) {
  std::string dir = ::testing::TempDir() + "/vc-baseline";
  fs::create_directories(dir);
  auto load = [&](const std::string& text) {
    std::ofstream(dir + "/b.json") << text;
    Baseline b;
    Diagnostics d;
    EXPECT_FALSE(loadBaseline(dir + "/b.json", b, d));
    EXPECT_EQ(d.all().size(), 1u);
    return d.all().empty() ? Diagnostic{} : d.all()[0];
  };
  Diagnostic d = load("{\n  \"vconform_baseline\": 1,\n  \"violations\": [ oops ]\n}\n");
  EXPECT_EQ(d.code, "baseline");
  EXPECT_EQ(d.loc.line, 3u);
  EXPECT_GT(d.loc.col, 0u);
  EXPECT_NE(load("{\"violations\": []}").message.find("vconform_baseline"), std::string::npos);
  EXPECT_NE(load("{\"vconform_baseline\": 1, \"violations\": [{\"rule\": \"r\", \"count\": 0}]}").message.find("count"),
            std::string::npos);
  Baseline b;
  Diagnostics none;
  EXPECT_FALSE(loadBaseline(dir + "/missing.json", b, none));
  EXPECT_EQ(none.all().at(0).loc.file, dir + "/missing.json");
  fs::remove_all(dir);
}

int check(CheckArgs a, std::string& out, std::string& err) {
  out.clear();
  err.clear();
  return runCheck(a, out, err);
}

// The round trip CI relies on: a baseline written from one recording of a fault accepts the same
// fault recorded again (another run: other timestamps, lines, threads, descriptor heads), and
// still fails on a violation it does not list.
TEST(Baseline, RoundTripOverTwoRecordingsOfTheSameFault) {
  const std::string dir = ::testing::TempDir() + "/vc-baseline-rt";
  fs::create_directories(dir);
  for (const std::string fault : {"drop-kick-when-disabled", "process-outside-lock"}) {
    SCOPED_TRACE(fault);
    const std::string first = kRoot + "/traces/backend/" + fault + "/backend.jsonl";
    const std::string second = kRoot + "/traces/backend/" + fault + ".2/backend.jsonl";
    ASSERT_TRUE(fs::exists(second)) << second;
    ASSERT_NE(readAll(first), readAll(second));
    CheckArgs a;
    a.specs = {kRoot + "/specs/vhost-user.spec"};
    a.traces = {first};
    a.writeBaseline = dir + "/known.json";
    std::string out, err;
    ASSERT_EQ(check(a, out, err), kExitViolation) << err;
    // The second recording fails on its own...
    a.writeBaseline.clear();
    a.traces = {second};
    ASSERT_EQ(check(a, out, err), kExitViolation) << err;
    // ... and passes with the first one's baseline: every violation is known.
    a.baseline = dir + "/known.json";
    a.formats = {"json"};
    EXPECT_EQ(check(a, out, err), kExitOk) << out << err;
    EXPECT_NE(out.find("\"verdict\": \"known\""), std::string::npos) << out;
    EXPECT_NE(out.find("\"known_violations\": ["), std::string::npos);
    // A baseline that lacks one of them fails again, on that one only.
    std::string text = readAll(dir + "/known.json");
    auto j = nlohmann::json::parse(text);
    ASSERT_GE(j["violations"].size(), 1u);
    std::string dropped = j["violations"][0]["rule"];
    j["violations"].erase(0);
    std::ofstream(dir + "/partial.json") << j.dump(2);
    a.baseline = dir + "/partial.json";
    EXPECT_EQ(check(a, out, err), kExitViolation) << out << err;
    auto r = nlohmann::json::parse(out);
    ASSERT_GE(r["violations"].size(), 1u);
    for (const auto& v : r["violations"]) EXPECT_EQ(v["rule"], dropped);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vc
