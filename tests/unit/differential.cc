// The predicted verdict against brute force: on random small traces with random happens-before
// edges, "some linearisation breaks the rule" computed by the checker (--order hb) must equal the
// verdict of enumerating every linearisation and running the observed check on each.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <random>
#include <sstream>

#include "test-util.h"

namespace vc {
namespace {

struct Case {
  std::string rule;  // the rule's body
};

std::string specFor(const std::string& body) {
  return "spec d cite \"test\"\n"
         "event a(p, v)\nevent b(p, v)\nevent q(p)\nevent r(p)\nevent o(p)\nevent c(p)\n"
         "state s(p) = o(p) .. c(p)\n"
         "rule x cite \"t\" says \"t\":\n  forall p: " + body + "\n";
}

std::vector<std::string> bodies() {
  std::vector<std::string> rels = {
      "never a(p)", "exists a(p)", "at most 1 a(p)", "a(p) before b(p)", "a(p) leadsto b(p)",
      "a(p, v == 1) leadsto b(p) | a(p, v == 0)", "a(p) during s(p)", "a(p) precedes b(p)", "a(p) causes b(p)",
      "a(p) alternates b(p)", "a(p) alternates weakly b(p)", "a(p) before b(p, v == 1)",
      "a(p) leadsto b(p) within 25ns", "a(p) leadsto a(p)", "never a(p) | b(p, v == 1)",
  };
  std::vector<std::string> scopes = {"", " before r(p)", " after q(p)", " between q(p) and r(p)",
                                     " after q(p) until r(p)", " between q and r(p)", " after q"};
  std::vector<std::string> out;
  for (const auto& r : rels)
    for (const auto& s : scopes) out.push_back(r + s);
  return out;
}

struct Gen {
  std::mt19937_64 rng;
  explicit Gen(uint64_t seed) : rng(seed) {}
  int pick(int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); }
};

// Events with program order (per thread) and extra edges (after).
struct RandomTrace {
  struct E {
    int thread;
    std::string name;
    int p, v;
    std::vector<int> after;
  };
  std::vector<E> evs;
  std::string dump() const {
    std::ostringstream o;
    for (size_t i = 0; i < evs.size(); ++i) {
      const auto& e = evs[i];
      o << "  e" << i << ": thread " << e.thread << " " << e.name << "(p=" << e.p << ", v=" << e.v << ")";
      if (!e.after.empty()) {
        o << " after";
        for (int a : e.after) o << " e" << a;
      }
      o << "\n";
    }
    return o.str();
  }
};

RandomTrace randomTrace(Gen& g) {
  static const char* names[] = {"a", "b", "a", "b", "q", "r", "o", "c"};
  RandomTrace t;
  int n = 2 + g.pick(8);  // 2..9 events
  int threads = 2 + g.pick(2);
  for (int i = 0; i < n; ++i) {
    RandomTrace::E e{g.pick(threads), names[g.pick(8)], g.pick(4) == 0 ? 1 : 0, g.pick(2), {}};
    // Random sync edges from earlier events of other threads.
    for (int j = 0; j < i; ++j)
      if (t.evs[j].thread != e.thread && g.pick(6) == 0) e.after.push_back(j);
    t.evs.push_back(e);
  }
  return t;
}

std::vector<Event> toEvents(const RandomTrace& t, const std::vector<int>& order, TraceTables& tables) {
  std::vector<Event> out;
  for (int i : order) {
    const auto& e = t.evs[i];
    // Distinct timestamps (each event its own instant), increasing with the recorded index.
    Event ev = test::ev(tables, e.thread, e.name, {{"p", e.p}, {"v", e.v}}, 10 * i + e.v * 5 + 1);
    ev.id = "e" + std::to_string(i);
    for (int a : e.after) ev.after.push_back("e" + std::to_string(a));
    ev.origin.line = static_cast<uint64_t>(i + 1);
    out.push_back(std::move(ev));
  }
  return out;
}

bool violated(const Spec& spec, TraceTables& tables, std::vector<Event> evs, OrderMode mode, CheckResult* keep = nullptr) {
  test::VectorReader reader(std::move(evs));
  CheckOptions opts;
  opts.order = mode;
  Diagnostics diags;
  CheckResult res = check(spec, reader, tables, opts, diags);
  EXPECT_FALSE(diags.hasErrors()) << renderAll(diags);
  EXPECT_TRUE(res.inconclusive.empty());
  bool v = !res.violations.empty();
  if (keep) *keep = std::move(res);
  return v;
}

// Every linearisation of program order + edges; calls f on each until it returns true.
bool anyLinearisation(const RandomTrace& t, const std::function<bool(const std::vector<int>&)>& f) {
  const int n = static_cast<int>(t.evs.size());
  std::vector<std::vector<int>> preds(n);
  for (int i = 0; i < n; ++i) {
    for (int a : t.evs[i].after) preds[i].push_back(a);
    for (int j = i - 1; j >= 0; --j)
      if (t.evs[j].thread == t.evs[i].thread) { preds[i].push_back(j); break; }
  }
  std::vector<int> order;
  std::vector<uint8_t> used(n, 0);
  std::function<bool()> rec = [&]() -> bool {
    if (static_cast<int>(order.size()) == n) return f(order);
    for (int i = 0; i < n; ++i) {
      if (used[i]) continue;
      bool ok = true;
      for (int p : preds[i]) ok &= used[p] != 0;
      if (!ok) continue;
      used[i] = 1;
      order.push_back(i);
      if (rec()) return true;
      order.pop_back();
      used[i] = 0;
    }
    return false;
  };
  return rec();
}

TEST(Differential, PredictedEqualsBruteForceOnRandomTraces) {
  // VCONFORM_DIFF_SEED / VCONFORM_DIFF_TRACES run a longer soak with other traces.
  const char* seedEnv = std::getenv("VCONFORM_DIFF_SEED");
  const char* nEnv = std::getenv("VCONFORM_DIFF_TRACES");
  Gen g(seedEnv ? std::strtoull(seedEnv, nullptr, 10) : 20261125);
  const int tracesPerRule = nEnv ? std::atoi(nEnv) : 250;
  size_t checked = 0, robustViolations = 0, predictedOnly = 0;
  for (const auto& body : bodies()) {
    TraceTables tables;
    tables.sources.add(Source::make("diff.jsonl", "json"));
    Spec spec;
    Diagnostics diags;
    ASSERT_TRUE(loadSpecText("diff.spec", specFor(body), spec, tables.symbols, diags)) << body << "\n" << renderAll(diags);
    for (int k = 0; k < tracesPerRule; ++k) {
      RandomTrace t = randomTrace(g);
      std::vector<int> recorded(t.evs.size());
      for (size_t i = 0; i < recorded.size(); ++i) recorded[i] = static_cast<int>(i);
      bool brute = anyLinearisation(t, [&](const std::vector<int>& order) {
        return violated(spec, tables, toEvents(t, order, tables), OrderMode::Recorded);
      });
      bool predicted = violated(spec, tables, toEvents(t, recorded, tables), OrderMode::HappensBefore);
      ASSERT_EQ(brute, predicted) << "rule: " << body << "\ntrace (recorded order):\n" << t.dump()
                                  << "brute force says " << (brute ? "violated" : "holds");
      // Both mode: observed on the recorded order, predicted for the rest; together the same verdict.
      CheckResult both;
      bool any = violated(spec, tables, toEvents(t, recorded, tables), OrderMode::Both, &both);
      ASSERT_EQ(brute, any) << "rule: " << body << "\n" << t.dump();
      for (const auto& v : both.violations) {
        if (v.kind == ViolationKind::Predicted) {
          for (const auto& o : both.violations)
            ASSERT_FALSE(o.kind == ViolationKind::Observed && o.params == v.params)
                << "an instance with both an observed and a predicted violation\nrule: " << body << "\n" << t.dump();
          ++predictedOnly;
          // The witness must be a linearisation: check its events respect the edges.
          ASSERT_FALSE(v.unordered.empty());
        }
      }
      ++checked;
      robustViolations += brute;
    }
  }
  // The generator must exercise both outcomes, and predictions the recorded order misses.
  EXPECT_GT(robustViolations, checked / 10);
  EXPECT_LT(robustViolations, checked * 9 / 10);
  EXPECT_GT(predictedOnly, checked / 50);
  std::printf("differential: %zu trace/rule pairs, %zu robustly violated, %zu predicted-only\n", checked,
              robustViolations, predictedOnly);
}

}  // namespace
}  // namespace vc
