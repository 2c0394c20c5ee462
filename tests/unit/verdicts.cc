// Verdicts a user can trust: happens-before is a property of the run (the same whichever spec is
// loaded), and the app-level rules of docs/guarantees.md.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "app/inputs.h"
#include "test-util.h"

namespace vc {
namespace {

namespace fs = std::filesystem;

struct Ordered {
  uint32_t thread;
  Clock clock;
};

// (source, line) -> the event's thread and clock, for every event happens-before processed.
std::map<std::pair<uint32_t, uint64_t>, Ordered> hbOf(const std::vector<std::string>& specs,
                                                      const std::vector<std::string>& traces) {
  std::map<std::pair<uint32_t, uint64_t>, Ordered> out;
  TraceTables tables;
  Spec spec;
  Diagnostics diags;
  CommonArgs args;
  args.traces = traces;
  EXPECT_TRUE(loadSpecs(specs, spec, tables, diags)) << renderAll(diags);
  auto reader = openAll(args, tables, diags);
  EXPECT_TRUE(reader) << renderAll(diags);
  if (!reader) return out;
  std::vector<std::string> loaded;
  EXPECT_TRUE(loadRunSyncs({}, spec, tables, diags, loaded)) << renderAll(diags);
  CheckOptions opts;
  opts.hbObserver = [&](const Event& ev, uint64_t, const Clock& c) {
    out[{ev.origin.source, ev.origin.line}] = Ordered{ev.thread, c};
  };
  check(spec, *reader, tables, opts, diags);
  EXPECT_FALSE(diags.hasErrors()) << renderAll(diags);
  return out;
}

// Regression: synchronisation lived in rule specs, so the back-end's clean reload recording
// checked with specs/virtio.spec alone predicted virtio-2.7-ring-ownership (virtio.spec declared
// none of the back-end's spawn/join and ring lock), while all specs together held.
TEST(Verdicts, HappensBeforeIsTheSameForEverySpec) {
  const std::string root = VCONFORM_SOURCE_DIR;
  std::vector<std::string> traces = {root + "/traces/backend/clean-reload/backend.jsonl",
                                     root + "/traces/backend/clean-reload/qemu-trace.log"};
  std::vector<std::vector<std::string>> specSets;
  std::vector<std::string> all;
  for (const auto& e : fs::directory_iterator(root + "/specs"))
    if (e.path().extension() == ".spec") {
      specSets.push_back({e.path().string()});
      all.push_back(e.path().string());
    }
  std::sort(all.begin(), all.end());
  specSets.push_back(all);
  ASSERT_GE(specSets.size(), 6u);
  std::vector<std::map<std::pair<uint32_t, uint64_t>, Ordered>> hbs;
  for (const auto& s : specSets) hbs.push_back(hbOf(s, traces));
  size_t compared = 0;
  for (size_t i = 0; i < hbs.size(); ++i)
    for (size_t j = i + 1; j < hbs.size(); ++j) {
      // The events both checks ordered (each spec makes happens-before process the events its
      // rules and the run's syncs mention): they must be ordered alike.
      std::vector<std::pair<const Ordered*, const Ordered*>> common;
      for (const auto& [k, x] : hbs[i]) {
        auto it = hbs[j].find(k);
        if (it != hbs[j].end()) common.emplace_back(&x, &it->second);
      }
      for (const auto& [xa, xb] : common)
        for (const auto& [ya, yb] : common) {
          if (xa == ya) continue;
          ASSERT_EQ(happensBefore(xa->thread, xa->clock, ya->clock), happensBefore(xb->thread, xb->clock, yb->clock))
              << "spec sets " << i << " and " << j << " order two events differently";
          ++compared;
        }
    }
  EXPECT_GT(compared, 10000u);
}

}  // namespace
}  // namespace vc
