// The check, end to end: events from the reader pass through happens-before (which orders them
// and gives each its clock), then dispatch, the observed check and the streaming prediction;
// the end of the run settles every verdict and says which rules the trace exercised.
#include "check/engine.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "check/dispatch.h"
#include "check/event-store.h"
#include "check/observed.h"
#include "check/prediction.h"
#include "check/witness.h"

namespace vc {

namespace {

class Engine {
 public:
  Engine(const Spec& spec, TraceTables& tables, const CheckOptions& opts, Diagnostics& diags)
      : spec_(spec),
        tables_(tables),
        opts_(opts),
        diags_(diags),
        dispatch_(spec, tables.symbols),
        recent_(opts.contextEvents) {
    for (const auto& r : spec.rules) autos_.emplace_back(r);
    result_.ruleStats.resize(spec.rules.size());
    predicted_ = opts.order != OrderMode::Recorded;
    observed_ = std::make_unique<ObservedCheck>(
        spec, autos_, tables, [this](size_t r) { return reportsObserved(r); }, result_.ruleStats);
    // Happens-before also orders the events of several traces: a receive that a skewed clock put
    // before its send waits (with its whole trace) until the send has been judged, so the order
    // every check sees is one this run could have had. So it runs for prediction, and for the
    // recorded order of several traces that synchronise.
    if (predicted_ || (tables.sources.size() > 1 && !spec.syncs.empty()))
      hb_ = std::make_unique<HappensBefore>(
          spec, tables, diags, [this](Event& ev, uint64_t, const Clock& c) { process(ev, &c); }, opts.hb);
    if (predicted_) {
      PredictionOptions po;
      po.budget = opts.predictBudget;
      po.window = opts.predictWindow;
      po.settleWindow = opts.settleWindow;
      po.settleKept = opts.settleKept;
      po.tail = opts.witnessMax + 4;
      po.jobs = opts.jobs;
      predictor_ = std::make_unique<StreamingPredictor>(spec, autos_, store_, *hb_, tables, po);
      observed_->onFailed = [this](size_t r, const std::string& key) { predictor_->kill(r, key); };
    }
  }

  CheckResult run(TraceReader& reader) {
    Event ev;
    uint64_t arrival = 0;
    std::vector<int64_t> lastTs;
    std::vector<uint8_t> warnedBackwards;
    std::vector<TimeSpan> spans(tables_.sources.size());
    while (reader.next(ev)) {
      if (ev.hasTs) {
        if (spans.size() <= ev.origin.source) spans.resize(ev.origin.source + 1);
        TimeSpan& sp = spans[ev.origin.source];
        if (!sp.any) sp = TimeSpan{true, ev.ts, ev.ts};
        sp.lo = std::min(sp.lo, ev.ts);
        sp.hi = std::max(sp.hi, ev.ts);
        if (lastTs.size() <= ev.thread) {
          lastTs.resize(ev.thread + 1, INT64_MIN);
          warnedBackwards.resize(ev.thread + 1, 0);
        }
        if (ev.ts < lastTs[ev.thread] && !warnedBackwards[ev.thread]) {
          warnedBackwards[ev.thread] = 1;
          diags_.warning("trace-time-backwards", Location{tables_.sources.at(ev.origin.source).path, ev.origin.line, 0},
                         "timestamps of " + tables_.threads.label(ev.thread) + " go backwards here (" +
                             std::to_string(ev.ts) + " after " + std::to_string(lastTs[ev.thread]) + ")",
                         "the recorded order (file order) is used; `within` bounds use these timestamps as they are");
        }
        lastTs[ev.thread] = ev.ts;
      }
      arrive(ev, arrival++);
    }
    if (hb_) hb_->finish();
    result_.events = nextSeq_;
    result_.lostEvents = reader.discarded();
    if (hb_ && predicted_) {
      result_.hbBuilt = true;
      result_.threads = hb_->stats().threads;
      result_.syncEdges = hb_->stats().syncEdges;
    } else {
      result_.threads = tables_.threads.size();
    }
    observed_->finish();
    for (auto& v : observed_->violations()) result_.violations.push_back(std::move(v));
    if (predictor_) {
      predictor_->finish();
      // An instance the recorded order breaks is reported observed, once, in every mode (with
      // --order hb too: prediction may find another breaking order first when it streams).
      for (auto& v : observed_->held()) result_.violations.push_back(std::move(v));
      for (const auto& f : predictor_->found()) {
        if (observed_->failed(f.rule, f.key)) continue;
        bool asObserved = !reportsObserved(f.rule) && f.recorded;
        Violation v = describeFound(spec_, f, store_, tables_, asObserved, opts_.witnessMax);
        if (opts_.keepGraph && !v.unordered.empty()) neighbourhood(v);
        if (opts_.keepGraph) {
          for (auto [x, y] : v.witnessEdges) v.witnessEdgeKinds.push_back(edgeKind(v.witness[x], v.witness[y]));
          for (auto [x, y] : v.graphEdges) v.graphEdgeKinds.push_back(edgeKind(v.graph[x], v.graph[y]));
        }
        result_.violations.push_back(std::move(v));
      }
      result_.inconclusive = std::move(predictor_->inconclusive());
      std::sort(result_.inconclusive.begin(), result_.inconclusive.end(),
                [](const Inconclusive& a, const Inconclusive& b) {
                  return a.rule != b.rule ? a.rule < b.rule : a.params < b.params;
                });
      result_.peakWindow = predictor_->peakWindow();
      result_.peakKeptEvents = store_.peakLive();
    }
    judgeExercise();
    warnDisjoint(spans);
    result_.orders = static_cast<uint8_t>(kJudgedRecorded | (predicted_ ? kJudgedEveryOrder : 0));
    result_.sources.clear();
    for (size_t i = 0; i < tables_.sources.size(); ++i)
      result_.sources.push_back(tables_.sources.at(static_cast<uint32_t>(i)));
    std::stable_sort(result_.violations.begin(), result_.violations.end(), [](const Violation& a, const Violation& b) {
      if (a.rule != b.rule) return a.rule < b.rule;
      uint64_t sa = a.culprit ? a.culprit->seq : UINT64_MAX, sb = b.culprit ? b.culprit->seq : UINT64_MAX;
      if (sa != sb) return sa < sb;
      if (a.kind != b.kind) return a.kind < b.kind;
      return a.params < b.params;
    });
    return std::move(result_);
  }

 private:
  struct TimeSpan {
    bool any = false;
    int64_t lo = 0, hi = 0;
  };

  // Observed violations are reported for every rule, except with --order hb, where the recorded
  // order only judges the rules that prediction does not (the instant relations).
  bool reportsObserved(size_t r) const {
    return opts_.order != OrderMode::HappensBefore || !predictable(spec_.rules[r].rel);
  }

  // The roles whose events can break a rule: seeing one exercises it.
  static uint8_t triggerRoles(RelKind rel) {
    switch (rel) {
      case RelKind::Never:
      case RelKind::AtMost:
      case RelKind::LeadsTo:
      case RelKind::During:
        return kLeft;
      case RelKind::Before:
        return kRight;
      case RelKind::Exists:
        return 0;  // judged at the end of every open interval
      default:
        return kLeft | kRight;
    }
  }

  // An event as read. One that a rule or a sync mentions, or that carries trace edges, goes
  // through happens-before, which hands it back (possibly later) to process(); the others
  // cannot create edges and are processed at once (unless their trace or thread is waiting).
  void arrive(Event& ev, uint64_t arrival) {
    if (!hb_) return process(ev, nullptr);
    Symbol name = dispatch_.specName(ev.name);
    bool needHb = dispatch_.ruled(name) || dispatch_.synced(ev.name, name) || !ev.after.empty() || !ev.id.empty() ||
                  hb_->holding(ev.origin.source, ev.thread);
    if (needHb)
      hb_->add(std::move(ev), arrival);
    else
      process(ev, nullptr);
  }

  // An event in the order every check judges (the recorded order, corrected by happens-before
  // for several traces), with its vector clock when happens-before computed one.
  void process(Event& ev, const Clock* clock) {
    const uint64_t seq = nextSeq_++;
    const Symbol name = dispatch_.specName(ev.name);
    std::span<const Match> ms = dispatch_.match(ev, name, result_.ruleStats);
    if (ms.empty() && !dispatch_.synced(ev.name, name) && ev.after.empty() && ev.id.empty())
      ++result_.ignoredEvents;  // no rule and no sync mentions it
    // The observed check, one step per rule (a rule's matches are contiguous).
    for (size_t i = 0; i < ms.size();) {
      size_t j = i;
      while (j < ms.size() && ms[j].rule == ms[i].rule) ++j;
      observed_->step(ms[i].rule, ms.subspan(i, j - i), ev, seq, recent_);
      i = j;
    }
    if (clock) {
      if (opts_.hbObserver) opts_.hbObserver(ev, seq, *clock);
      if (predictor_ && !ms.empty()) predictor_->add(ev, seq, *clock, ms);
      if (opts_.keepGraph) {
        graphIndex_[seq] = graph_.size();
        graph_.push_back(store_.keep(ev, seq, *clock));
        graphIn_.push_back(hb_->incoming());
      }
    }
    recent_.push(seq, ev);
  }

  // The fields patterns bind or compare, by name, once each ("len, vring").
  std::string fieldNames(const std::vector<const Matcher*>& ms) const {
    std::vector<Symbol> fs;
    for (const Matcher* m : ms) m->fields(fs);
    std::vector<std::string> names;
    names.reserve(fs.size());
    for (Symbol f : fs) names.push_back(tables_.symbols.name(f));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
  }

  // Which rules the trace exercised, and which orders judged each (docs/guarantees.md).
  void judgeExercise() {
    for (size_t r = 0; r < spec_.rules.size(); ++r) {
      const Rule& rule = spec_.rules[r];
      RuleStats& rs = result_.ruleStats[r];
      const uint8_t trigger = triggerRoles(rule.rel);
      // Events of the kind that can break it occurred, with the fields its pattern reads
      // (`never add_used(len == 0)` is exercised by every add_used that has a len, which it
      // examines), anywhere, and its scope opened at least once. `exists` needs no event: every
      // open interval is judged at its end.
      uint64_t triggers = 0, named = 0;
      for (int ri = 0; ri < kRoleCount; ++ri)
        if (trigger & (1 << ri)) {
          triggers += rs.roleExamined[ri];
          named += rs.roleNames[ri];
        }
      if (rule.rel == RelKind::Exists) triggers = 1;
      if (rule.scope == ScopeKind::Globally || rule.scope == ScopeKind::Before) rs.scopeOpened = true;
      auto patterns = [&](Role role) {  // the event names of a role's patterns
        std::string s;
        std::vector<std::string> seen;
        for (const auto& m : rule.roles[roleIndex(role)]) {
          if (std::find(seen.begin(), seen.end(), m.event) != seen.end()) continue;
          seen.push_back(m.event);
          s += (s.empty() ? "" : " or ") + m.event;
        }
        return s;
      };
      const bool scoped =
          rule.scope == ScopeKind::After || rule.scope == ScopeKind::Between || rule.scope == ScopeKind::AfterUntil;
      auto texts = [&](Role role) {  // a role's patterns as written
        std::string s;
        for (const auto& m : rule.roles[roleIndex(role)]) s += (s.empty() ? "" : " | ") + m.text;
        return s;
      };
      // The other side of a binary relation over fields the trace never records (`L leadsto R`
      // whose R events never carry a field R's pattern reads, `L before R` likewise for L): every
      // trigger would break the rule for the log's silence. Not judged, its violations dropped.
      std::string blind;
      for (Role role : {kLeft, kRight}) {
        const int ri = roleIndex(role);
        if ((trigger & role) || rule.roles[static_cast<size_t>(ri)].empty()) continue;
        if (rs.roleNames[ri] == 0 || rs.roleExamined[ri]) continue;
        std::vector<const Matcher*> ms;
        for (const auto& m : rule.roles[static_cast<size_t>(ri)]) ms.push_back(&m);
        blind = std::to_string(rs.roleNames[ri]) + " " + patterns(role) + " event(s) in the trace, none with every " +
                "field " + texts(role) + " reads (" + fieldNames(ms) +
                "): the trace does not record them, so the rule cannot be judged";
      }
      if (!blind.empty()) {
        std::erase_if(result_.violations, [&](const Violation& v) { return v.rule == r; });
        std::erase_if(result_.inconclusive, [&](const Inconclusive& i) { return i.rule == r; });
        rs.exercised = false;
        rs.notExercisedWhy = blind;
        rs.judgedBy =
            static_cast<uint8_t>(kJudgedRecorded | (predicted_ && predictable(rule.rel) ? kJudgedEveryOrder : 0));
        continue;
      }
      bool violated = false;
      for (const auto& v : result_.violations) violated |= v.rule == r;
      rs.exercised = violated || (rs.scopeOpened && triggers > 0);
      rs.judgedBy =
          static_cast<uint8_t>(kJudgedRecorded | (predicted_ && predictable(rule.rel) ? kJudgedEveryOrder : 0));
      if (rs.exercised) continue;
      if (scoped && !rs.scopeOpened) {
        // Events of the scope's name occurred but none matched its pattern (a field it compares
        // is missing, or has other values): say so rather than "no such event".
        const uint64_t scopeNamed = rs.roleNames[roleIndex(kScopeQ)];
        rs.notExercisedWhy = scopeNamed ? "its scope never opened: " + std::to_string(scopeNamed) + " " +
                                              patterns(kScopeQ) + " event(s) in the trace, none matching " +
                                              texts(kScopeQ) + " (a field it compares is missing or has other values)"
                                        : "its scope never opened: no " + patterns(kScopeQ) + " event in the trace";
      } else if (named) {
        // Events of the name, none with the fields the pattern compares or binds.
        std::string what;
        std::vector<const Matcher*> ms;
        for (Role role : {kLeft, kRight}) {
          if (!(trigger & role)) continue;
          what += (what.empty() ? "" : " or ") + patterns(role);
          for (const auto& m : rule.roles[roleIndex(role)]) ms.push_back(&m);
        }
        rs.notExercisedWhy = std::to_string(named) + " " + what + " event(s) in the trace, none with every field " +
                             "its pattern reads (" + fieldNames(ms) + "): the trace does not record them";
      } else {
        std::string what;
        for (Role role : {kLeft, kRight})
          if (trigger & role) what += (what.empty() ? "" : " or ") + patterns(role);
        rs.notExercisedWhy = "no " + what + " event in the trace";
      }
    }
  }

  // Several traces are one run only if they synchronise (a message from one to the other) or
  // their clocks overlap (within a second); say so when one does neither.
  void warnDisjoint(const std::vector<TimeSpan>& spans) {
    if (tables_.sources.size() < 2) return;
    constexpr int64_t kSlack = 1000000000;
    auto late = [](int64_t t) { return t > INT64_MAX - kSlack ? INT64_MAX : t + kSlack; };  // no overflow
    for (size_t i = 0; i < spans.size(); ++i) {
      if (!spans[i].any) continue;
      bool overlaps = false, anyOther = false;
      for (size_t j = 0; j < spans.size(); ++j) {
        if (j == i || !spans[j].any) continue;
        anyOther = true;
        overlaps |= spans[i].lo <= late(spans[j].hi) && spans[j].lo <= late(spans[i].hi);
        if (hb_) {
          const auto& linked = hb_->stats().linkedSources;
          auto a = static_cast<uint32_t>(i), b = static_cast<uint32_t>(j);
          overlaps |= linked.count({a, b}) || linked.count({b, a});
        }
      }
      if (!anyOther || overlaps) continue;
      const Source& s = tables_.sources.at(static_cast<uint32_t>(i));
      diags_.warning("trace-runs-disjoint", Location{s.path, 0, 0},
                     "this trace's timestamps do not overlap those of the other traces: are they one run?",
                     "traces given together are checked as one run; check unrelated runs with --each, or align "
                     "clocks with --clock-offset PATH=NS");
    }
  }

  // What makes the happens-before edge x -> y that a picture draws (--dot: every synchronised
  // event was kept, with the edges into it).
  EdgeKind edgeKind(const EventRef& x, const EventRef& y) const {
    if (x.thread == y.thread) return EdgeKind{EdgeKind::ProgramOrder};
    auto ix = graphIndex_.find(x.seq), iy = graphIndex_.find(y.seq);
    if (ix == graphIndex_.end() || iy == graphIndex_.end()) return EdgeKind{};
    const KeptEvent& from = store_.at(graph_[ix->second]);
    for (const HbEdgeIn& in : graphIn_[iy->second])
      if (in.thread == from.thread && in.pos == from.pos())
        return in.sync == HbEdgeIn::kTraceEdge ? EdgeKind{EdgeKind::TraceEdge} : EdgeKind{EdgeKind::Sync, in.sync};
    return EdgeKind{};
  }

  // Why are the first unordered pair's events unordered? Their latest common ancestors and the
  // happens-before paths from those to each of them (--dot: every synchronised event was kept).
  void neighbourhood(Violation& out) {
    auto find = [&](uint64_t seq) -> EventHandle {
      auto it = graphIndex_.find(seq);
      return it == graphIndex_.end() ? kNoEvent : graph_[it->second];
    };
    const EventHandle e1 = find(out.unordered[0].first.seq), e2 = find(out.unordered[0].second.seq);
    if (e1 == kNoEvent || e2 == kNoEvent) return;
    auto hb = [&](EventHandle x, EventHandle y) { return x != y && store_.at(x).before(store_.at(y)); };
    std::vector<EventHandle> common, anc;
    for (EventHandle x : graph_) {
      bool a1 = hb(x, e1), a2 = hb(x, e2);
      if (a1 && a2)
        common.push_back(x);
      else if (a1 || a2)
        anc.push_back(x);
    }
    std::vector<EventHandle> lca;
    for (EventHandle c : common) {
      bool maximal = true;
      for (EventHandle d : common) maximal &= !hb(c, d);
      if (maximal) lca.push_back(c);
    }
    std::vector<EventHandle> nodes = lca;
    for (EventHandle x : anc) {
      bool below = lca.empty();
      for (EventHandle l : lca) below |= hb(l, x);
      if (below) nodes.push_back(x);
    }
    // Keep the picture small: the events closest to the pair.
    auto bySeq = [&](EventHandle a, EventHandle b) { return store_.at(a).seq < store_.at(b).seq; };
    std::sort(nodes.begin(), nodes.end(), bySeq);
    if (nodes.size() > 22) nodes.erase(nodes.begin(), nodes.end() - 22);
    nodes.push_back(e1);
    nodes.push_back(e2);
    std::sort(nodes.begin(), nodes.end(), bySeq);
    for (EventHandle n : nodes) out.graph.push_back(store_.ref(n, tables_));
    for (size_t i = 0; i < nodes.size(); ++i)
      for (size_t j = 0; j < nodes.size(); ++j) {
        if (i == j || !hb(nodes[i], nodes[j])) continue;
        bool covered = false;
        for (size_t k = 0; k < nodes.size() && !covered; ++k)
          covered = k != i && k != j && hb(nodes[i], nodes[k]) && hb(nodes[k], nodes[j]);
        if (!covered) out.graphEdges.emplace_back(i, j);
      }
  }

  const Spec& spec_;
  TraceTables& tables_;
  const CheckOptions& opts_;
  Diagnostics& diags_;
  std::vector<RuleAutomaton> autos_;
  Dispatcher dispatch_;
  RecentEvents recent_;
  EventStore store_;
  std::unique_ptr<ObservedCheck> observed_;
  std::unique_ptr<HappensBefore> hb_;
  std::unique_ptr<StreamingPredictor> predictor_;
  bool predicted_ = true;
  uint64_t nextSeq_ = 0;            // events processed so far: the next one's place in the judged order
  std::vector<EventHandle> graph_;  // --dot: every synchronised event
  std::unordered_map<uint64_t, size_t> graphIndex_;
  std::vector<std::vector<HbEdgeIn>> graphIn_;  // per graph_ event: its edges other than program order
  CheckResult result_;
};

}  // namespace

const char* ruleVerdictName(RuleVerdict v) {
  switch (v) {
    case RuleVerdict::Holds:
      return "holds";
    case RuleVerdict::Violated:
      return "violated";
    case RuleVerdict::Inconclusive:
      return "inconclusive";
    case RuleVerdict::NotExercised:
      return "not-exercised";
  }
  return "holds";
}

RuleVerdict CheckResult::verdict(size_t rule) const {
  for (const auto& v : violations)
    if (v.rule == rule) return RuleVerdict::Violated;
  for (const auto& ic : inconclusive)
    if (ic.rule == rule) return RuleVerdict::Inconclusive;
  if (rule < ruleStats.size() && !ruleStats[rule].exercised) return RuleVerdict::NotExercised;
  return RuleVerdict::Holds;
}

size_t CheckResult::exercisedRules() const {
  size_t n = 0;
  for (const auto& s : ruleStats) n += s.exercised;
  return n;
}

CheckResult check(const Spec& spec, TraceReader& reader, TraceTables& tables, const CheckOptions& opts,
                  Diagnostics& diags) {
  Engine e(spec, tables, opts, diags);
  return e.run(reader);
}

}  // namespace vc
