// The predicted verdict against brute force: on random small traces with random happens-before
// edges, "some linearisation breaks the rule" computed by the checker (--order hb) must equal the
// verdict of enumerating every linearisation and running the observed check on each.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <tuple>

#include "test-util.h"
#include "trace/merge.h"

namespace vc {
namespace {

struct Case {
  std::string rule;  // the rule's body
};

std::string specFor(const std::string& body) {
  return "spec d cite \"test\"\n"
         "event a(p, v)\nevent b(p, v)\nevent q(p)\nevent r(p)\nevent o(p)\nevent c(p)\n"
         "state s(p) = o(p) .. c(p)\n"
         "rule x cite \"t\" says \"t\":\n  " +
         std::string(body.rfind("forall", 0) == 0 ? "" : "forall p: ") + body + "\n";
}

std::vector<std::string> bodies() {
  std::vector<std::string> rels = {
      "never a(p)",
      "exists a(p)",
      "at most 1 a(p)",
      "a(p) before b(p)",
      "a(p) leadsto b(p)",
      "a(p, v == 1) leadsto b(p) | a(p, v == 0)",
      "a(p) during s(p)",
      "a(p) precedes b(p)",
      "a(p) causes b(p)",
      "a(p) alternates b(p)",
      "a(p) alternates weakly b(p)",
      "a(p) before b(p, v == 1)",
      "a(p) leadsto b(p) within 25ns",
      "a(p) leadsto a(p)",
      "never a(p) | b(p, v == 1)",
  };
  std::vector<std::string> scopes = {"",
                                     " before r(p)",
                                     " after q(p)",
                                     " between q(p) and r(p)",
                                     " after q(p) until r(p)",
                                     " between q and r(p)",
                                     " after q"};
  std::vector<std::string> out;
  for (const auto& r : rels)
    for (const auto& s : scopes) out.push_back(r + s);
  // Registers (spec language v2): samples, accumulators, broadcast updates, register comparisons
  // in every role; their values are part of the state the prediction memoises and settles.
  for (const char* r : {
           "let m = a(p): v never b(p, v != m)",
           "let m = a(p): v a(p) before b(p, v == m)",
           "let n = 0 let n = a(p): n + 1 let n = b(p): n - 1 never a(p, n >= 1)",
           "let n = 0 let n = a(p): n + 1 let n = b(p): n - 1 never b(p, n < 1)",
           "let m = a(p): v a(p, v != m) leadsto b(p)",
           "let m = a: v never b(p, v == m)",
           "let m = a(p): v + 1 never b(p, v + 1 == m)",
           "let m = q(p): 1 let m = r(p): 0 never a(p, m == 1)",
           "let m = a(p): v never b(p, v == m) after q(p) until r(p)",
           "let m = a(p): v a(p) leadsto b(p, v == m)",
           "let m = b(p): v never b(p, v < m)",
           "let m = a(p): v let c = 0 let c = b(p, v == m): c + 1 at most 1 a(p) after q(p)",
       })
    out.push_back(r);
  // Partial binding: patterns that bind p alone in rules over (p, v), alone and with broadcasts
  // and registers; instances made after partly bound events start from their templates.
  for (const char* r : {
           "forall p, v: never q(p) after a(p, v) until b(p, v)",
           "forall p, v: q(p) before a(p, v)",
           "forall p, v: never a(p, v) after q(p) until r(p)",
           "forall p, v: a(p, v) leadsto b(p)",
           "forall p, v: never b(p, v) after q(p) until r",
           "forall p, v: let m = 0 let m = q(p): 1 let m = r(p): 0 never a(p, v, m == 1)",
       })
    out.push_back(r);
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

bool violated(const Spec& spec, TraceTables& tables, std::vector<Event> evs, OrderMode mode,
              CheckResult* keep = nullptr) {
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
      if (t.evs[j].thread == t.evs[i].thread) {
        preds[i].push_back(j);
        break;
      }
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
    ASSERT_TRUE(loadSpecText("diff.spec", specFor(body), spec, tables.symbols, diags)) << body << "\n"
                                                                                       << renderAll(diags);
    for (int k = 0; k < tracesPerRule; ++k) {
      RandomTrace t = randomTrace(g);
      std::vector<int> recorded(t.evs.size());
      for (size_t i = 0; i < recorded.size(); ++i) recorded[i] = static_cast<int>(i);
      bool brute = anyLinearisation(t, [&](const std::vector<int>& order) {
        return violated(spec, tables, toEvents(t, order, tables), OrderMode::Recorded);
      });
      bool predicted = violated(spec, tables, toEvents(t, recorded, tables), OrderMode::HappensBefore);
      ASSERT_EQ(brute, predicted) << "rule: " << body << "\ntrace (recorded order):\n"
                                  << t.dump() << "brute force says " << (brute ? "violated" : "holds");
      // Both mode: observed on the recorded order, predicted for the rest; together the same verdict.
      CheckResult both;
      bool any = violated(spec, tables, toEvents(t, recorded, tables), OrderMode::Both, &both);
      ASSERT_EQ(brute, any) << "rule: " << body << "\n" << t.dump();
      for (const auto& v : both.violations) {
        if (v.kind == ViolationKind::Predicted) {
          for (const auto& o : both.violations)
            ASSERT_FALSE(o.kind == ViolationKind::Observed && o.params == v.params)
                << "an instance with both an observed and a predicted violation\nrule: " << body << "\n"
                << t.dump();
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

namespace vc {
namespace {

// Instants: timestamps from a small range, non-decreasing per thread, so events of one thread
// and of different threads share instants. The prediction judges every linearisation with the
// automaton's instants (consecutive events with equal timestamps), exactly as brute force does.
std::vector<Event> toEventsWithTs(const RandomTrace& t, const std::vector<int64_t>& ts, const std::vector<int>& order,
                                  TraceTables& tables) {
  std::vector<Event> out = toEvents(t, order, tables);
  for (size_t k = 0; k < order.size(); ++k) out[k].ts = ts[static_cast<size_t>(order[k])];
  return out;
}

std::vector<int64_t> randomInstants(const RandomTrace& t, Gen& g) {
  std::vector<int64_t> ts(t.evs.size());
  std::map<int, int64_t> clock;
  for (size_t i = 0; i < t.evs.size(); ++i) {
    int64_t& c = clock[t.evs[i].thread];
    c += g.pick(2);  // 0: the same instant as the thread's previous event
    ts[i] = c;
  }
  return ts;
}

std::vector<std::string> ccslBodies() {
  std::vector<std::string> out;
  for (const char* r :
       {"a(p) precedes b(p)", "a(p) causes b(p)", "a(p) alternates b(p)", "a(p) alternates weakly b(p)"})
    for (const char* s : {"", " after q(p)", " between q(p) and r(p)"}) out.push_back(std::string(r) + s);
  return out;
}

TEST(Differential, InstantsArePredictedLikeBruteForce) {
  Gen g(20261129);
  size_t checked = 0, violatedCount = 0;
  for (const auto& body : ccslBodies()) {
    TraceTables tables;
    tables.sources.add(Source::make("diff.jsonl", "json"));
    Spec spec;
    Diagnostics diags;
    ASSERT_TRUE(loadSpecText("diff.spec", specFor(body), spec, tables.symbols, diags)) << renderAll(diags);
    for (int k = 0; k < 300; ++k) {
      RandomTrace t = randomTrace(g);
      std::vector<int64_t> ts = randomInstants(t, g);
      std::vector<int> recorded(t.evs.size());
      for (size_t i = 0; i < recorded.size(); ++i) recorded[i] = static_cast<int>(i);
      bool brute = anyLinearisation(t, [&](const std::vector<int>& order) {
        return violated(spec, tables, toEventsWithTs(t, ts, order, tables), OrderMode::Recorded);
      });
      bool predicted = violated(spec, tables, toEventsWithTs(t, ts, recorded, tables), OrderMode::HappensBefore);
      std::ostringstream tsText;
      for (auto x : ts) tsText << x << " ";
      ASSERT_EQ(brute, predicted) << "rule: " << body << "\n" << t.dump() << "timestamps: " << tsText.str();
      ASSERT_EQ(brute, violated(spec, tables, toEventsWithTs(t, ts, recorded, tables), OrderMode::Both))
          << "rule: " << body << "\n"
          << t.dump() << "timestamps: " << tsText.str();
      ++checked;
      violatedCount += brute;
    }
  }
  EXPECT_GT(violatedCount, checked / 10);
  EXPECT_LT(violatedCount, checked * 9 / 10);
}

// On one thread the only linearisation is the recorded order: every mode gives the recorded
// order's verdict, for every relation and scope, with shared instants (regression: `a causes b`
// on `b@1 a@1` was PREDICTED in the default mode, each event its own instant).
TEST(Verdicts, OneThreadEveryModeEqualsTheRecordedOrder) {
  Gen g(7);
  std::vector<std::string> all = bodies();
  for (const char* extra : {"a(p) excludes b(p)", "a(p) coincides b(p)", "a(p) subclock b(p)"}) all.push_back(extra);
  for (const auto& body : all) {
    TraceTables tables;
    tables.sources.add(Source::make("one.jsonl", "json"));
    Spec spec;
    Diagnostics diags;
    ASSERT_TRUE(loadSpecText("one.spec", specFor(body), spec, tables.symbols, diags)) << renderAll(diags);
    for (int k = 0; k < 60; ++k) {
      RandomTrace t = randomTrace(g);
      for (auto& e : t.evs) {
        e.thread = 0;
        e.after.clear();
      }
      std::vector<int64_t> ts = randomInstants(t, g);
      std::vector<int> order(t.evs.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
      CheckResult rec, hb, both;
      violated(spec, tables, toEventsWithTs(t, ts, order, tables), OrderMode::Recorded, &rec);
      violated(spec, tables, toEventsWithTs(t, ts, order, tables), OrderMode::HappensBefore, &hb);
      violated(spec, tables, toEventsWithTs(t, ts, order, tables), OrderMode::Both, &both);
      auto summary = [](const CheckResult& r) {
        std::vector<std::tuple<std::string, uint64_t, int>> s;
        for (const auto& v : r.violations)
          s.emplace_back(v.params.empty() ? "" : v.params[0].second, v.culprit ? v.culprit->seq : UINT64_MAX,
                         static_cast<int>(v.kind));
        std::sort(s.begin(), s.end());
        return s;
      };
      ASSERT_EQ(summary(rec), summary(both)) << body << "\n" << t.dump();
      ASSERT_EQ(summary(rec).size(), summary(hb).size()) << body << "\n" << t.dump();
      for (const auto& v : hb.violations) ASSERT_EQ(v.kind, ViolationKind::Observed) << body << "\n" << t.dump();
    }
  }
}

// Merged sources on skewed clocks: source 0 writes messages s(k) on one thread, source 1 reads
// them (t(k)) on one thread, FIFO per key; source 1's clock is off by a random offset, so the
// merged order may put a receive before its send. The run's happens-before is program order plus
// those messages; whatever the skew, the checker's verdicts equal brute force over that order.
struct SkewTrace {
  struct E {
    int source, thread;
    std::string name;
    int p, v;
    int64_t trueTs;
  };
  std::vector<E> evs;
  int64_t skew = 0;
  std::string dump() const {
    std::ostringstream o;
    o << "  source 1 clock skew " << skew << "\n";
    for (size_t i = 0; i < evs.size(); ++i)
      o << "  e" << i << ": source " << evs[i].source << " thread " << evs[i].thread << " " << evs[i].name
        << "(p=" << evs[i].p << ", v=" << evs[i].v << ") @" << evs[i].trueTs << "\n";
    return o.str();
  }
};

SkewTrace randomSkewTrace(Gen& g) {
  static const char* names[] = {"a", "b", "q", "r", "s", "s", "t", "t"};
  SkewTrace t;
  int n = 3 + g.pick(7);
  std::map<int, int> sent, received;
  for (int i = 0; i < n; ++i) {
    std::string name = names[g.pick(8)];
    int p = g.pick(4) == 0 ? 1 : 0;
    int src, thread;
    if (name == "s") {
      src = 0, thread = 0;
      ++sent[p];
    } else if (name == "t") {
      if (received[p] >= sent[p]) name = "b";  // nothing to receive: another event instead
      src = 1, thread = 2;
      if (name == "t") ++received[p];
    } else {
      src = g.pick(2);
      thread = src * 2 + g.pick(2);
    }
    if (name == "b" && src == 0 && thread == 0) thread = 1;
    t.evs.push_back(SkewTrace::E{src, thread, name, p, g.pick(2), 100 * (i + 1)});
  }
  t.skew = (g.pick(5) - 2) * 150;  // -300 .. 300: up to three events early or late
  return t;
}

Event skewEvent(TraceTables& tables, const SkewTrace::E& e, int64_t ts, uint64_t line) {
  Event ev;
  ev.name = tables.symbols.intern(e.name);
  ev.thread = tables.threads.intern(static_cast<uint32_t>(e.source), 1, e.thread);
  ev.fields.push_back(Field{tables.symbols.intern("p"), Value::ofInt(e.p)});
  ev.fields.push_back(Field{tables.symbols.intern("v"), Value::ofInt(e.v)});
  ev.hasTs = true;
  ev.ts = ts;
  ev.origin.source = static_cast<uint32_t>(e.source);
  ev.origin.line = line;
  return ev;
}

TEST(Differential, MergedSourcesWithSkewEqualBruteForce) {
  Gen g(20261130);
  const std::string syncText = "event s(p, v)\nevent t(p, v)\nsync message s(p) -> t(p)\n";
  size_t checked = 0, violatedCount = 0, heldRuns = 0;
  std::vector<std::string> rules = {"a(p) before b(p)",      "never b(p) after q(p) until r(p)",
                                    "a(p) leadsto b(p)",     "s(p) before t(p)",
                                    "never a(p) after t(p)", "a(p) precedes t(p)"};
  for (const auto& body : rules) {
    for (int k = 0; k < 300; ++k) {
      SkewTrace t = randomSkewTrace(g);
      TraceTables tables;
      tables.sources.add(Source::make("front.jsonl", "json"));
      tables.sources.add(Source::make("back.jsonl", "json"));
      Spec spec;
      Diagnostics diags;
      std::string specText =
          "spec d cite \"t\"\nevent a(p, v)\nevent b(p, v)\nevent q(p)\nevent r(p)\nevent s(p, v)\n"
          "event t(p, v)\nrule x cite \"t\" says \"t\":\n  forall p: " +
          body + "\n";
      ASSERT_TRUE(loadSpecText("d.spec", specText, spec, tables.symbols, diags) &&
                  loadSpecText("d.sync", syncText, spec, tables.symbols, diags))
          << renderAll(diags);
      // Brute force over the true happens-before: program order per thread + FIFO messages.
      const int n = static_cast<int>(t.evs.size());
      std::vector<std::vector<int>> preds(n);
      std::map<int, std::vector<int>> sends;
      std::map<int, int> recvCount;
      for (int i = 0; i < n; ++i) {
        for (int j = i - 1; j >= 0; --j)
          if (t.evs[j].thread == t.evs[i].thread && t.evs[j].source == t.evs[i].source) {
            preds[i].push_back(j);
            break;
          }
        if (t.evs[i].name == "s") sends[t.evs[i].p].push_back(i);
        if (t.evs[i].name == "t") preds[i].push_back(sends[t.evs[i].p][static_cast<size_t>(recvCount[t.evs[i].p]++)]);
      }
      RandomTrace shape;  // for anyLinearisation: same events, edges as `after`
      for (int i = 0; i < n; ++i)
        shape.evs.push_back(
            RandomTrace::E{t.evs[i].source * 2 + t.evs[i].thread, t.evs[i].name, t.evs[i].p, t.evs[i].v, preds[i]});
      bool brute = anyLinearisation(shape, [&](const std::vector<int>& order) {
        std::vector<Event> evs;
        for (int i : order) evs.push_back(skewEvent(tables, t.evs[i], t.evs[i].trueTs, static_cast<uint64_t>(i + 1)));
        TraceTables& tb = tables;
        test::VectorReader reader(std::move(evs));
        CheckOptions opts;
        opts.order = OrderMode::Recorded;
        Diagnostics d;
        Spec rulesOnly = spec;
        rulesOnly.syncs.clear();
        return !check(rulesOnly, reader, tb, opts, d).violations.empty();
      });
      // The checker: two files, the back's timestamps skewed; merged by timestamp.
      auto run = [&](OrderMode mode, CheckResult& res) {
        std::vector<Event> front, back;
        for (int i = 0; i < n; ++i) {
          const auto& e = t.evs[i];
          int64_t ts = e.trueTs + (e.source == 1 ? t.skew : 0);
          (e.source == 0 ? front : back).push_back(skewEvent(tables, e, ts, static_cast<uint64_t>(i + 1)));
        }
        std::vector<std::unique_ptr<TraceReader>> readers;
        readers.push_back(std::make_unique<test::VectorReader>(std::move(front)));
        readers.push_back(std::make_unique<test::VectorReader>(std::move(back)));
        MergedReader merged(std::move(readers), tables);
        CheckOptions opts;
        opts.order = mode;
        Diagnostics d;
        res = check(spec, merged, tables, opts, d);
        EXPECT_FALSE(d.hasErrors()) << renderAll(d);
      };
      CheckResult hb, both;
      run(OrderMode::HappensBefore, hb);
      run(OrderMode::Both, both);
      ASSERT_EQ(brute, !hb.violations.empty()) << "rule: " << body << "\n" << t.dump();
      ASSERT_EQ(brute, !both.violations.empty()) << "rule: " << body << "\n" << t.dump();
      ++checked;
      violatedCount += brute;
      heldRuns += t.skew < 0;
    }
  }
  EXPECT_GT(violatedCount, checked / 10);
  EXPECT_LT(violatedCount, checked * 9 / 10);
  EXPECT_GT(heldRuns, checked / 10);
}

}  // namespace
}  // namespace vc

namespace vc {
namespace {

// Streaming: prediction settles the windows as it goes (check/prediction.h). Settling after every
// event must give the same verdicts as exploring each instance whole, or say inconclusive (a
// thread that joins an instance unordered with what was settled) -- never another verdict.
struct Outcome {
  std::vector<std::pair<std::string, int>> violations;  // (params, kind), sorted
  size_t inconclusive = 0;
  uint64_t peakWindow = 0;
};

Outcome runWith(const Spec& spec, TraceTables& tables, std::vector<Event> evs, OrderMode mode, uint64_t settle,
                unsigned jobs = 1, std::string* text = nullptr) {
  test::VectorReader reader(std::move(evs));
  CheckOptions opts;
  opts.jobs = jobs;
  opts.order = mode;
  opts.settleWindow = settle;
  opts.settleKept = settle;
  Diagnostics diags;
  CheckResult res = check(spec, reader, tables, opts, diags);
  EXPECT_FALSE(diags.hasErrors()) << renderAll(diags);
  Outcome o;
  for (const auto& v : res.violations)
    o.violations.emplace_back(v.params.empty() ? "" : v.params[0].second, static_cast<int>(v.kind));
  std::sort(o.violations.begin(), o.violations.end());
  o.inconclusive = res.inconclusive.size();
  o.peakWindow = res.peakWindow;
  if (text) {
    // Everything a report shows of the violations, in report order.
    std::ostringstream out;
    for (const auto& v : res.violations) {
      out << v.rule << " " << static_cast<int>(v.kind) << " " << v.message << " culprit "
          << (v.culprit ? v.culprit->seq : 0) << " witness";
      for (const auto& w : v.witness) out << " " << w.seq;
      out << " unordered " << v.unordered.size() << "\n";
    }
    for (const auto& ic : res.inconclusive) out << "inconclusive " << ic.rule << " " << ic.why << "\n";
    *text = out.str();
  }
  return o;
}

TEST(Streaming, SettlingAfterEveryEventEqualsBruteForceOrIsInconclusive) {
  Gen g(20261201);
  size_t checked = 0, inconclusive = 0, violatedCount = 0, decidedViolated = 0, decidedHeld = 0;
  for (const auto& body : bodies()) {
    TraceTables tables;
    tables.sources.add(Source::make("diff.jsonl", "json"));
    Spec spec;
    Diagnostics diags;
    ASSERT_TRUE(loadSpecText("diff.spec", specFor(body), spec, tables.symbols, diags)) << renderAll(diags);
    for (int k = 0; k < 80; ++k) {
      RandomTrace t = randomTrace(g);
      std::vector<int> recorded(t.evs.size());
      for (size_t i = 0; i < recorded.size(); ++i) recorded[i] = static_cast<int>(i);
      bool brute = anyLinearisation(t, [&](const std::vector<int>& order) {
        return violated(spec, tables, toEvents(t, order, tables), OrderMode::Recorded);
      });
      for (OrderMode mode : {OrderMode::HappensBefore, OrderMode::Both}) {
        Outcome o = runWith(spec, tables, toEvents(t, recorded, tables), mode, 1);
        ASSERT_LE(o.peakWindow, t.evs.size());
        if (o.inconclusive) {
          ++inconclusive;
          continue;
        }
        ASSERT_EQ(brute, !o.violations.empty()) << "rule: " << body << "\n"
                                                << t.dump() << "brute force says " << (brute ? "violated" : "holds");
        (brute ? decidedViolated : decidedHeld) += 1;
      }
      ++checked;
      violatedCount += brute;
    }
  }
  // Settling after every event gives up on every thread that joins an instance late (random
  // traces are full of them), but a good share of runs is still decided, both ways.
  EXPECT_LT(inconclusive, 2 * checked * 9 / 10);
  EXPECT_GT(decidedViolated, checked / 20);
  EXPECT_GT(decidedHeld, checked / 20);
  std::printf("streaming: %zu trace/rule pairs, %zu inconclusive runs, decided %zu violated, %zu held\n", checked,
              inconclusive, decidedViolated, decidedHeld);
}

// Long traces (brute force cannot enumerate them): windows settle and reopen many times. The
// streamed verdicts equal the whole-run exploration, which the tests above check against brute force.
RandomTrace longTrace(Gen& g, int n, int threads) {
  static const char* names[] = {"a", "b", "a", "b", "q", "r", "o", "c", "z"};
  RandomTrace t;
  // Every thread starts at once: a thread's first event is in the first few.
  for (int i = 0; i < n; ++i) {
    int th = i < threads ? i : g.pick(threads);
    RandomTrace::E e{th, names[g.pick(9)], g.pick(3), g.pick(2), {}};
    // Sync edges from recent events of other threads: windows close behind them.
    for (int j = std::max(0, i - 6); j < i; ++j)
      if (t.evs[static_cast<size_t>(j)].thread != th && g.pick(4) == 0) e.after.push_back(j);
    t.evs.push_back(e);
  }
  return t;
}

TEST(Streaming, LongTracesSettledEqualWhole) {
  Gen g(20261202);
  size_t checked = 0, settledSmaller = 0, inconclusive = 0, violatedCount = 0;
  for (const auto& body : bodies()) {
    TraceTables tables;
    tables.sources.add(Source::make("long.jsonl", "json"));
    Spec spec;
    Diagnostics diags;
    ASSERT_TRUE(loadSpecText("long.spec", specFor(body) + "event z(p)\n", spec, tables.symbols, diags))
        << renderAll(diags);
    for (int k = 0; k < 6; ++k) {
      RandomTrace t = longTrace(g, 150 + g.pick(150), 2 + g.pick(3));
      std::vector<int> recorded(t.evs.size());
      for (size_t i = 0; i < recorded.size(); ++i) recorded[i] = static_cast<int>(i);
      for (OrderMode mode : {OrderMode::HappensBefore, OrderMode::Both}) {
        Outcome whole = runWith(spec, tables, toEvents(t, recorded, tables), mode, UINT64_MAX);
        ASSERT_EQ(whole.inconclusive, 0u) << body << "\n" << t.dump();
        for (uint64_t settle : {16ull, 64ull}) {
          Outcome s = runWith(spec, tables, toEvents(t, recorded, tables), mode, settle);
          if (s.inconclusive) {
            ++inconclusive;
            continue;
          }
          ASSERT_EQ(whole.violations, s.violations) << "rule: " << body << ", settle " << settle << "\n" << t.dump();
          // Threads searching at once change nothing in the report.
          std::string one, three;
          runWith(spec, tables, toEvents(t, recorded, tables), mode, settle, 1, &one);
          runWith(spec, tables, toEvents(t, recorded, tables), mode, settle, 3, &three);
          ASSERT_EQ(one, three) << "rule: " << body << ", settle " << settle << "\n" << t.dump();
          settledSmaller += s.peakWindow < whole.peakWindow;
        }
      }
      ++checked;
      violatedCount += !runWith(spec, tables, toEvents(t, recorded, tables), OrderMode::HappensBefore, UINT64_MAX)
                            .violations.empty();
    }
  }
  // The windows did settle (smaller than the whole run), and verdicts of both kinds were compared.
  EXPECT_GT(settledSmaller, checked);
  EXPECT_GT(violatedCount, checked / 10);
  EXPECT_LT(violatedCount, checked * 95 / 100);
  EXPECT_LT(inconclusive, checked / 2);
  std::printf("streaming long: %zu pairs, %zu runs with smaller windows, %zu inconclusive\n", checked, settledSmaller,
              inconclusive);
}

}  // namespace
}  // namespace vc
