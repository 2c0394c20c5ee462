#include "check/engine.h"

#include <algorithm>
#include <array>
#include <span>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "check/explain.h"
#include "check/predict.h"

namespace vc {

std::string EventRef::brief() const {
  std::string s = name + "(";
  for (size_t i = 0; i < fields.size(); ++i) s += (i ? ", " : "") + fields[i].first + "=" + fields[i].second.toString();
  return s + ")";
}

EventRef makeRef(const Event& ev, uint64_t seq, const TraceTables& tables) {
  EventRef r;
  r.seq = seq;
  r.name = tables.symbols.name(ev.name);
  for (const auto& f : ev.fields) r.fields.emplace_back(tables.symbols.name(f.key), f.value);
  r.file = tables.sources.at(ev.origin.source).path;
  r.line = ev.origin.line;
  r.thread = ev.thread;
  r.threadLabel = tables.threads.label(ev.thread);
  r.hasTs = ev.hasTs;
  r.ts = ev.ts;
  return r;
}

namespace {

struct Dispatch {
  size_t rule;
  uint8_t role;
  const Matcher* m;
};

// One event's part in one rule: the roles it plays for one instance (or, broadcast, for all).
// `params` point into the event being processed.
struct Match {
  size_t rule;
  bool broadcast;
  std::string key;
  uint8_t mask;
  std::array<const Value*, 8> params;
  uint8_t nparams;
  std::vector<Value> values() const {
    std::vector<Value> out;
    for (uint8_t i = 0; i < nparams; ++i) out.push_back(params[i] ? *params[i] : Value{});
    return out;
  }
};

struct Instance {
  MonState st;
  std::vector<Value> params;
  std::vector<std::pair<uint64_t, Event>> snaps;  // events the state refers to
};

struct RuleRun {
  std::unordered_map<std::string, Instance> inst;
  Instance templ;  // what a new instance starts from: the broadcast events so far
  bool canCollect = false;  // instances in the initial state may be dropped
  bool hasParams = false;
  uint64_t created = 0;
  uint64_t peakLive = 0;
};

// Prediction input kept per instance: indices of stored events with their roles.
struct PInstance {
  std::vector<Value> params;
  std::vector<std::pair<uint32_t, uint8_t>> items;
};

// An event kept for prediction, compactly: its fields live in EventStore's arrays, strings once.
struct Stored {
  uint64_t seq;
  int64_t ts;
  Origin origin;
  uint32_t thread;
  Symbol name;
  bool hasTs;
  uint16_t fieldCount;
  uint32_t fieldOff;
  uint32_t clockLen;
  size_t clockOff;
};

struct CompactField {
  Symbol key;
  Value::Kind kind;
  int64_t i;  // the integer, or the index of the string in EventStore::strings
};

class EventStore {
 public:
  Stored keep(const Event& ev, uint64_t seq, const Clock& c) {
    Stored s{seq, ev.ts, ev.origin, ev.thread, ev.name, ev.hasTs, static_cast<uint16_t>(ev.fields.size()),
             static_cast<uint32_t>(fields_.size()), static_cast<uint32_t>(c.size()), clocks.size()};
    for (const auto& f : ev.fields) {
      int64_t v = f.value.i;
      if (f.value.kind == Value::Kind::Str) {
        auto [it, fresh] = stringIds_.try_emplace(f.value.s, static_cast<uint32_t>(strings_.size()));
        if (fresh) strings_.push_back(&it->first);
        v = it->second;
      }
      fields_.push_back(CompactField{f.key, f.value.kind, v});
    }
    clocks.insert(clocks.end(), c.begin(), c.end());
    return s;
  }
  EventRef ref(const Stored& s, const TraceTables& tables) const {
    Event ev;
    ev.name = s.name;
    ev.hasTs = s.hasTs;
    ev.ts = s.ts;
    ev.thread = s.thread;
    ev.origin = s.origin;
    for (uint32_t k = 0; k < s.fieldCount; ++k) {
      const CompactField& f = fields_[s.fieldOff + k];
      Value v;
      v.kind = f.kind;
      if (f.kind == Value::Kind::Str) v.s = *strings_[static_cast<size_t>(f.i)];
      else v.i = f.i;
      ev.fields.push_back(Field{f.key, std::move(v)});
    }
    return makeRef(ev, s.seq, tables);
  }
  uint32_t clockAt(const Stored& s, uint32_t t) const { return t < s.clockLen ? clocks[s.clockOff + t] : 0; }
  std::vector<uint32_t> clocks;

 private:
  std::vector<CompactField> fields_;
  std::unordered_map<std::string, uint32_t> stringIds_;
  std::vector<const std::string*> strings_;
};

class Engine {
 public:
  Engine(const Spec& spec, TraceTables& tables, const CheckOptions& opts, Diagnostics& diags)
      : spec_(spec), tables_(tables), opts_(opts), diags_(diags) {
    for (const auto& r : spec.rules) autos_.emplace_back(r);
    runs_.resize(spec.rules.size());
    pinst_.resize(spec.rules.size());
    pbroadcast_.resize(spec.rules.size());
    result_.ruleStats.resize(spec.rules.size());
    for (size_t r = 0; r < spec.rules.size(); ++r) {
      const Rule& rule = spec.rules[r];
      runs_[r].hasParams = !rule.params.empty();
      runs_[r].templ.st = autos_[r].initial();
      MonState probe = runs_[r].templ.st;
      runs_[r].canCollect = !rule.params.empty() && rule.broadcastRoles == 0 && !autos_[r].finish(probe);
      if (!runs_[r].hasParams) {
        runs_[r].inst.emplace("", Instance{autos_[r].initial(), {}, {}});
        runs_[r].created = 1;
      }
      for (int ri = 0; ri < kRoleCount; ++ri)
        for (const auto& m : rule.roles[ri])
          for (Symbol s : m.names) {
            if (byName_.size() <= s) byName_.resize(s + 1);
            byName_[s].push_back(Dispatch{r, static_cast<uint8_t>(1 << ri), &m});
          }
    }
    for (const auto& s : spec.syncs)
      for (const auto* side : {&s.from, &s.to})
        for (const auto& m : *side)
          for (Symbol n : m.names) {
            if (syncName_.size() <= n) syncName_.resize(n + 1, 0);
            syncName_[n] = 1;
          }
    // The recorded order is always judged (streamed): it judges the instant relations in every
    // mode (they are not predicted) and tells which rules the trace exercised.
    predicted_ = opts.order != OrderMode::Recorded;
    lastNamed_.assign(spec.rules.size() * kRoleCount, 0);
    triggerMask_.resize(spec.rules.size());
    for (size_t r = 0; r < spec.rules.size(); ++r) triggerMask_[r] = triggerRoles(spec.rules[r].rel);
    ring_.resize(opts.contextEvents);
    // Happens-before also orders the events of several traces: a receive that a skewed clock put
    // before its send waits (with its whole trace) until the send has been judged, so the order
    // every check sees is one this run could have had. So it runs for prediction, and for the
    // recorded order of several traces that synchronise.
    ordering_ = predicted_ || (tables.sources.size() > 1 && !spec.syncs.empty());
    if (ordering_)
      hb_ = std::make_unique<HappensBefore>(
          spec, tables, diags, [this](Event& ev, uint64_t, const Clock& c) { process(ev, &c); }, opts.hb);
  }

  struct TimeSpan {
    bool any = false;
    int64_t lo = 0, hi = 0;
  };

  // The roles whose events can break a rule: seeing one inside the rule's scope exercises it.
  static uint8_t triggerRoles(RelKind rel) {
    switch (rel) {
      case RelKind::Never: case RelKind::AtMost: case RelKind::LeadsTo: case RelKind::During: return kLeft;
      case RelKind::Before: return kRight;
      case RelKind::Exists: return 0;  // judged at the end of every open interval
      default: return kLeft | kRight;
    }
  }

  // Observed violations are reported for every rule, except with --order hb, where the recorded
  // order only judges the rules that prediction does not (the instant relations).
  bool reportsObserved(size_t r) const {
    return opts_.order != OrderMode::HappensBefore || !predictable(spec_.rules[r].rel);
  }

  CheckResult run(TraceReader& reader) {
    Event ev;
    uint64_t seq = 0;
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
      }
      if (ev.hasTs) {
        if (lastTs.size() <= ev.thread) {
          lastTs.resize(ev.thread + 1, INT64_MIN);
          warnedBackwards.resize(ev.thread + 1, 0);
        }
        if (ev.ts < lastTs[ev.thread] && !warnedBackwards[ev.thread]) {
          warnedBackwards[ev.thread] = 1;
          diags_.warning("trace-time-backwards",
                         Location{tables_.sources.at(ev.origin.source).path, ev.origin.line, 0},
                         "timestamps of " + tables_.threads.label(ev.thread) + " go backwards here (" +
                             std::to_string(ev.ts) + " after " + std::to_string(lastTs[ev.thread]) + ")",
                         "the recorded order (file order) is used; `within` bounds use these timestamps as they are");
        }
        lastTs[ev.thread] = ev.ts;
      }
      arrive(ev, seq);
      ++seq;
    }
    result_.lostEvents = reader.discarded();
    if (hb_) hb_->finish();
    result_.events = nextSeq_;
    if (hb_ && predicted_) {
      result_.hbBuilt = true;
      result_.threads = hb_->stats().threads;
      result_.syncEdges = hb_->stats().syncEdges;
    } else {
      result_.threads = tables_.threads.size();
    }
    finishObserved();
    if (predicted_) runPredictions();
    judgeExercise();
    warnDisjoint(spans);
    result_.orders = static_cast<uint8_t>(kJudgedRecorded | (predicted_ ? kJudgedEveryOrder : 0));
    result_.sources.clear();
    for (size_t i = 0; i < tables_.sources.size(); ++i) result_.sources.push_back(tables_.sources.at(static_cast<uint32_t>(i)));
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
  // The matches of the current event: the first nm_ entries of pool_ (reused, so their key
  // strings keep their capacity from event to event).
  std::span<Match> active() { return {pool_.data(), nm_}; }

  Symbol specName(Symbol s) {
    return names_.resolve(s, tables_.symbols, [&](Symbol x) {
      return (x < byName_.size() && !byName_[x].empty()) || (x < syncName_.size() && syncName_[x]);
    });
  }

  // An event as read. One that a rule or a sync mentions, or that carries trace edges, goes
  // through happens-before, which hands it back (possibly later, see ordering_) to process();
  // the others cannot create edges and are processed at once.
  void arrive(Event& ev, uint64_t arrival) {
    if (!hb_) return process(ev, nullptr);
    Symbol name = specName(ev.name);
    bool needHb = (name < byName_.size() && !byName_[name].empty()) || (name < syncName_.size() && syncName_[name]) ||
                  (ev.name < syncName_.size() && syncName_[ev.name]) || !ev.after.empty() || !ev.id.empty() ||
                  hb_->holding(ev.origin.source, ev.thread);  // keep the judged order of a waiting trace
    if (needHb) hb_->add(std::move(ev), arrival);
    else process(ev, nullptr);
  }

  // An event in the order every check judges (the recorded order, corrected by happens-before
  // for several traces), with its vector clock when happens-before computed one.
  void process(Event& ev, const Clock* clock) {
    const uint64_t seq = nextSeq_++;
    nm_ = 0;
    Symbol name = specName(ev.name);
    if (name < byName_.size()) {
      for (const Dispatch& d : byName_[name]) {
        const Rule& rule = spec_.rules[d.rule];
        // The event has a name this rule speaks of (whatever its fields): count it once per role.
        uint64_t& last = lastNamed_[d.rule * kRoleCount + static_cast<size_t>(roleIndex(static_cast<Role>(d.role)))];
        if (last != seq + 1) {
          last = seq + 1;
          ++result_.ruleStats[d.rule].roleNames[roleIndex(static_cast<Role>(d.role))];
        }
        params_.assign(rule.params.size(), nullptr);
        if (!d.m->matches(ev, params_, name)) continue;
        bool broadcast = runs_[d.rule].hasParams && d.m->binds.empty();
        keyBuf_.clear();
        if (!broadcast) appendKey(params_, keyBuf_);
        Match* found = nullptr;
        for (auto& m : active())
          if (m.rule == d.rule && m.broadcast == broadcast && m.key == keyBuf_) found = &m;
        if (found) {
          found->mask |= d.role;
          continue;
        }
        if (nm_ == pool_.size()) pool_.emplace_back();
        Match& m = pool_[nm_++];
        m.rule = d.rule;
        m.broadcast = broadcast;
        m.key.assign(keyBuf_);
        m.mask = d.role;
        m.nparams = broadcast ? 0 : static_cast<uint8_t>(params_.size());
        for (uint8_t i = 0; i < m.nparams; ++i) m.params[i] = params_[i];
      }
    }
    if (nm_ == 0 && !(name < syncName_.size() && syncName_[name]) && ev.after.empty() && ev.id.empty())
      ++result_.ignoredEvents;  // no rule and no sync mentions it
    for (const auto& m : active()) {
      auto& st = result_.ruleStats[m.rule];
      ++st.events;
      for (int ri = 0; ri < kRoleCount; ++ri)
        if (m.mask & (1 << ri)) ++st.roleEvents[ri];
    }
    {
      // Group per rule so broadcast and bound roles of one event reach an instance as one step.
      for (size_t i = 0; i < nm_; ++i) {
        size_t r = pool_[i].rule;
        bool first = true;
        for (size_t j = 0; j < i; ++j) first &= pool_[j].rule != r;
        if (first) observeRule(r, ev, seq);
      }
    }
    if (clock && opts_.hbObserver) opts_.hbObserver(ev, seq, *clock);
    if (predicted_ && clock && nm_) keep(ev, seq, *clock);
    if (opts_.keepGraph && clock) {
      graphIndex_[seq] = graph_.size();
      graph_.push_back(store_.keep(ev, seq, *clock));
    }
    // The ring takes the event; the caller refills the ring's old event (keeping its capacity).
    if (!ring_.empty()) std::swap(ring_[seq % ring_.size()], ev);
  }

  void observeRule(size_t r, const Event& ev, uint64_t seq) {
    RuleRun& run = runs_[r];
    uint8_t bmask = 0;
    for (const auto& m : active())
      if (m.rule == r && m.broadcast) bmask |= m.mask;
    if (bmask) {
      // Create the instances this event binds, from the template (before it sees this event).
      for (const auto& m : active())
        if (m.rule == r && !m.broadcast) instanceFor(run, m);
      for (auto& [key, in] : run.inst) {
        uint8_t mask = bmask;
        for (const auto& m : active())
          if (m.rule == r && !m.broadcast && m.key == key) mask |= m.mask;
        stepInstance(r, in, mask, ev, seq);
      }
      stepInstance(r, run.templ, bmask, ev, seq, true);
      return;
    }
    for (const auto& m : active()) {
      if (m.rule != r || m.broadcast) continue;
      auto it = instanceFor(run, m);
      stepInstance(r, it->second, m.mask, ev, seq);
      // An instance back in the initial state holds nothing worth its memory: it behaves as a
      // new one would, and ends without a verdict. Only sound while no broadcast event can move
      // the template (then a dropped instance could owe an end-of-trace verdict).
      if (run.canCollect && !it->second.st.failed && it->second.snaps.empty() &&
          it->second.st.sameBehaviour(run.templ.st))
        run.inst.erase(it);
    }
  }

  // The instance a match binds, made from the template if it is new (one hash lookup).
  std::unordered_map<std::string, Instance>::iterator instanceFor(RuleRun& run, const Match& m) {
    auto [it, fresh] = run.inst.try_emplace(m.key);
    if (fresh) {
      it->second = run.templ;
      it->second.params = m.values();
      ++run.created;
      run.peakLive = std::max<uint64_t>(run.peakLive, run.inst.size());
    }
    return it;
  }

  static void refsOf(const MonState& s, uint64_t out[6]) {
    out[0] = s.triggerRef;
    out[1] = s.lastClose;
    out[2] = s.curARef;
    out[3] = s.curBRef;
    out[4] = s.pending.culprit;
    out[5] = s.pending.anchor;
  }

  void stepInstance(size_t r, Instance& in, uint8_t mask, const Event& ev, uint64_t seq, bool isTemplate = false) {
    if (in.st.failed) return;
    StepInput si{mask, seq, ev.hasTs, ev.ts};
    const bool wasOpen = in.st.open;
    Verdict v = autos_[r].step(in.st, si);
    result_.ruleStats[r].scopeOpened |= wasOpen || in.st.open;
    // Keep copies of the events the state refers to; drop the rest.
    uint64_t refs[6];
    refsOf(in.st, refs);
    bool wantsThis = false;
    for (uint64_t x : refs) wantsThis |= x == seq;
    if (wantsThis || !in.snaps.empty()) {
      std::erase_if(in.snaps, [&](const auto& p) {
        for (uint64_t x : refs)
          if (x == p.first) return false;
        return p.first != v.anchor;
      });
      if (wantsThis) in.snaps.emplace_back(seq, ev);
    }
    if (v && !isTemplate) report(r, in, v, &ev, seq);
  }

  const Event* snap(const Instance& in, uint64_t ref) const {
    for (const auto& [s, e] : in.snaps)
      if (s == ref) return &e;
    return nullptr;
  }

  std::vector<std::pair<std::string, std::string>> paramText(size_t r, const std::vector<Value>& params) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = 0; i < params.size() && i < spec_.rules[r].params.size(); ++i)
      out.emplace_back(spec_.rules[r].params[i], params[i].toString());
    return out;
  }

  void report(size_t r, const Instance& in, const Verdict& v, const Event* current, uint64_t seq) {
    if (!reportsObserved(r)) return;
    Violation out;
    out.rule = r;
    out.kind = ViolationKind::Observed;
    out.params = paramText(r, in.params);
    out.verdict = v;
    if (v.culprit != kNoRef) {
      const Event* e = v.culprit == seq ? current : snap(in, v.culprit);
      if (e) out.culprit = makeRef(*e, v.culprit, tables_);
      // Context: the events recorded just before the culprit, if still in the ring.
      if (v.culprit == seq)
        for (size_t k = std::min<uint64_t>(ring_.size(), seq); k >= 1; --k)
          out.context.push_back(makeRef(ring_[(seq - k) % ring_.size()], seq - k, tables_));
    }
    if (v.anchor != kNoRef) {
      const Event* e = v.anchor == seq ? current : snap(in, v.anchor);
      if (e) out.anchor = makeRef(*e, v.anchor, tables_);
    }
    out.message = explain(spec_.rules[r], v, out.culprit ? &*out.culprit : nullptr, out.anchor ? &*out.anchor : nullptr);
    result_.violations.push_back(std::move(out));
  }

  void finishObserved() {
    for (size_t r = 0; r < runs_.size(); ++r) {
      RuleRun& run = runs_[r];
      result_.ruleStats[r].instances = run.created;
      result_.ruleStats[r].peakLive = std::max<uint64_t>(run.peakLive, run.inst.size());
      // Deterministic order of end-of-trace reports.
      std::vector<std::string> keys;
      for (const auto& kv : run.inst) keys.push_back(kv.first);
      std::sort(keys.begin(), keys.end());
      for (const auto& k : keys) {
        Instance& in = run.inst[k];
        if (in.st.open) result_.ruleStats[r].scopeOpened = true;
        Verdict v = autos_[r].finish(in.st);
        if (v) report(r, in, v, nullptr, UINT64_MAX);
        if (in.st.failed && reportsObserved(r)) failedKeys_.insert({r, k});
      }
    }
  }

  // Which rules the trace exercised, and which orders judged each (docs/guarantees.md).
  void judgeExercise() {
    for (size_t r = 0; r < spec_.rules.size(); ++r) {
      const Rule& rule = spec_.rules[r];
      RuleStats& rs = result_.ruleStats[r];
      // Events of the kind that can break it occurred (their names: `never add_used(len == 0)` is
      // exercised by every add_used, which it examines), anywhere, and its scope opened at least
      // once. `exists` needs no event: every open interval is judged at its end.
      uint64_t triggers = 0;
      for (int ri = 0; ri < kRoleCount; ++ri)
        if (triggerMask_[r] & (1 << ri)) triggers += rs.roleNames[ri];
      if (rule.rel == RelKind::Exists) triggers = 1;
      if (rule.scope == ScopeKind::Globally || rule.scope == ScopeKind::Before) rs.scopeOpened = true;
      bool violated = false;
      for (const auto& v : result_.violations) violated |= v.rule == r;
      rs.exercised = violated || (rs.scopeOpened && triggers > 0);
      rs.judgedBy = static_cast<uint8_t>(kJudgedRecorded | (predicted_ && predictable(rule.rel) ? kJudgedEveryOrder : 0));
      if (rs.exercised) continue;
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
      const bool scoped = rule.scope == ScopeKind::After || rule.scope == ScopeKind::Between ||
                          rule.scope == ScopeKind::AfterUntil;
      if (scoped && !rs.scopeOpened)
        rs.notExercisedWhy = "its scope never opened: no " + patterns(kScopeQ) + " event in the trace";
      else if (!rs.scopeOpened)
        rs.notExercisedWhy = "its scope was closed from the start";
      else {
        std::string what;
        for (Role role : {kLeft, kRight})
          if (triggerMask_[r] & role) what += (what.empty() ? "" : " or ") + patterns(role);
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

  // --- prediction -------------------------------------------------------------------------

  // Keeps an event that a predictable rule mentions, with its clock, in the instances it plays in.
  void keep(const Event& ev, uint64_t seq, const Clock& c) {
    uint32_t idx = kNoIndex;
    for (const auto& m : active()) {
      if (!predictable(spec_.rules[m.rule].rel)) continue;
      if (idx == kNoIndex) {
        idx = static_cast<uint32_t>(stored_.size());
        stored_.push_back(store_.keep(ev, seq, c));
      }
      if (m.broadcast) {
        pbroadcast_[m.rule].emplace_back(idx, m.mask);
      } else {
        auto& pi = pinst_[m.rule][m.key];
        if (pi.items.empty()) pi.params = m.values();
        pi.items.emplace_back(idx, m.mask);
      }
    }
  }
  static constexpr uint32_t kNoIndex = UINT32_MAX;

  void runPredictions() {
    for (size_t r = 0; r < spec_.rules.size(); ++r) {
      const Rule& rule = spec_.rules[r];
      if (!predictable(rule.rel)) continue;
      auto& insts = pinst_[r];
      if (rule.params.empty() && !insts.count("")) insts[""];  // the single instance exists even if empty
      std::vector<std::string> keys;
      for (const auto& kv : insts) keys.push_back(kv.first);
      std::sort(keys.begin(), keys.end());
      for (const auto& key : keys) {
        if (failedKeys_.count({r, key})) continue;  // reported as observed already
        predictInstance(r, insts[key]);
      }
    }
  }

  void predictInstance(size_t r, const PInstance& pi) {
    // Merge the instance's own events with the rule's broadcast events, in recorded order.
    std::vector<std::pair<uint32_t, uint8_t>> items;
    const auto& b = pbroadcast_[r];
    std::merge(pi.items.begin(), pi.items.end(), b.begin(), b.end(), std::back_inserter(items),
               [&](const auto& x, const auto& y) { return stored_[x.first].seq < stored_[y.first].seq; });
    // An event both bound and broadcast appears twice: fold the masks.
    std::vector<PredictEvent> pev;
    std::vector<uint32_t> back;
    for (const auto& [idx, mask] : items) {
      if (!back.empty() && back.back() == idx) {
        pev.back().mask |= mask;
        continue;
      }
      const Stored& s = stored_[idx];
      pev.push_back(PredictEvent{s.seq, s.thread, store_.clocks.data() + s.clockOff, s.clockLen, mask, s.hasTs, s.ts});
      back.push_back(idx);
    }
    PredictResult pr = predict(autos_[r], pev, opts_.predictBudget);
    if (pr.exhausted) {
      result_.inconclusive.push_back(Inconclusive{r, paramText(r, pi.params), pr.states});
      return;
    }
    if (!pr.violated) return;
    Violation out;
    out.rule = r;
    // By default an instance gets here only if its recorded order holds; with --order hb, a
    // violation on the recorded order itself (explored first) is an observed one.
    out.kind = !reportsObserved(r) && pr.recordedOrder ? ViolationKind::Observed : ViolationKind::Predicted;
    out.params = paramText(r, pi.params);
    auto refOf = [&](uint32_t local) { return store_.ref(stored_[back[local]], tables_); };
    Verdict v = pr.verdict;
    if (v.culprit != kNoRef) out.culprit = refOf(static_cast<uint32_t>(v.culprit));
    if (v.anchor != kNoRef) out.anchor = refOf(static_cast<uint32_t>(v.anchor));
    out.message = explain(spec_.rules[r], v, out.culprit ? &*out.culprit : nullptr, out.anchor ? &*out.anchor : nullptr);
    // Translate refs to recorded sequence numbers for reporters.
    out.verdict = v;
    out.verdict.culprit = out.culprit ? out.culprit->seq : kNoRef;
    out.verdict.anchor = out.anchor ? out.anchor->seq : kNoRef;
    // The witness: the bad path, completed by the events it did not reach in recorded order (they
    // form an up-set, so this stays a linearisation), shown from the first place it leaves the
    // recorded order, with at most a few events after the culprit.
    std::vector<uint32_t> path = pr.path;
    {
      std::vector<uint8_t> taken(pev.size(), 0);
      for (uint32_t x : path) taken[x] = 1;
      for (uint32_t x = 0; x < pev.size(); ++x)
        if (!taken[x]) path.push_back(x);
    }
    size_t firstDiff = 0;
    while (firstDiff < path.size() && path[firstDiff] == firstDiff) ++firstDiff;
    size_t culpritAt = v.culprit != kNoRef ? pr.path.size() - 1 : path.size() - 1;
    size_t to = std::min(path.size(), culpritAt + 1 + 4);
    size_t from = std::min(firstDiff, culpritAt);
    if (to - from > opts_.witnessMax) from = to - opts_.witnessMax;
    out.witnessOmitted = from;
    for (size_t j = from; j < to; ++j) out.witness.push_back(refOf(path[j]));
    // Happens-before among the witness events, reduced to its covering edges (for --dot).
    {
      const size_t m = to - from;
      auto hbLocal = [&](size_t x, size_t y) {
        const PredictEvent& ex = pev[path[from + x]];
        const PredictEvent& ey = pev[path[from + y]];
        uint32_t cx = ex.thread < ex.clockLen ? ex.clock[ex.thread] : 0;
        uint32_t cy = ex.thread < ey.clockLen ? ey.clock[ex.thread] : 0;
        return cx <= cy;
      };
      for (size_t x = 0; x < m; ++x)
        for (size_t y = x + 1; y < m; ++y) {
          if (!hbLocal(x, y)) continue;
          bool covered = false;
          for (size_t z = x + 1; z < y && !covered; ++z) covered = hbLocal(x, z) && hbLocal(z, y);
          if (!covered) out.witnessEdges.emplace_back(x, y);
        }
    }
    // The unordered pairs: events recorded before the culprit that the witness puts after it
    // (or leaves out), and events recorded after the anchor that it puts before it.
    std::vector<int64_t> at(pev.size(), -1);
    for (size_t j = 0; j < path.size(); ++j) at[path[j]] = static_cast<int64_t>(j);
    auto addPair = [&](uint32_t first, uint32_t second) {
      if (out.unordered.size() < 3) out.unordered.push_back(UnorderedPair{refOf(first), refOf(second)});
    };
    if (v.culprit != kNoRef) {
      uint32_t c = static_cast<uint32_t>(v.culprit);
      for (int64_t x = static_cast<int64_t>(c) - 1; x >= 0; --x)
        if (at[x] < 0 || at[x] > at[c]) { addPair(static_cast<uint32_t>(x), c); break; }
    }
    if (v.anchor != kNoRef) {
      uint32_t a = static_cast<uint32_t>(v.anchor);
      for (uint32_t x = a + 1; x < pev.size(); ++x)
        if (at[x] >= 0 && at[x] < at[a]) { addPair(a, x); break; }
    }
    if (out.unordered.empty())
      for (uint32_t x = 0; x < pev.size() && out.unordered.empty(); ++x)
        for (uint32_t y = x + 1; y < pev.size(); ++y)
          if (at[y] >= 0 && (at[x] < 0 || at[x] > at[y])) { addPair(x, y); break; }
    if (opts_.keepGraph && !out.unordered.empty()) neighbourhood(out);
    result_.violations.push_back(std::move(out));
  }

  // Why are the first unordered pair's events unordered? Their latest common ancestors and the
  // happens-before paths from those to each of them.
  void neighbourhood(Violation& out) {
    auto find = [&](uint64_t seq) -> const Stored* {
      auto it = graphIndex_.find(seq);
      return it == graphIndex_.end() ? nullptr : &graph_[it->second];
    };
    const Stored* e1 = find(out.unordered[0].first.seq);
    const Stored* e2 = find(out.unordered[0].second.seq);
    if (!e1 || !e2) return;
    auto hb = [&](const Stored& x, const Stored& y) {
      if (&x == &y) return false;
      return store_.clockAt(x, x.thread) <= store_.clockAt(y, x.thread);
    };
    std::vector<const Stored*> common, anc;
    for (const auto& x : graph_) {
      bool a1 = hb(x, *e1), a2 = hb(x, *e2);
      if (a1 && a2) common.push_back(&x);
      else if (a1 || a2) anc.push_back(&x);
    }
    std::vector<const Stored*> lca;
    for (const Stored* c : common) {
      bool maximal = true;
      for (const Stored* d : common) maximal &= !hb(*c, *d);
      if (maximal) lca.push_back(c);
    }
    std::vector<const Stored*> nodes = lca;
    for (const Stored* x : anc) {
      bool below = lca.empty();
      for (const Stored* l : lca) below |= hb(*l, *x);
      if (below) nodes.push_back(x);
    }
    // Keep the picture small: the events closest to the pair.
    std::sort(nodes.begin(), nodes.end(), [](const Stored* a, const Stored* b) { return a->seq < b->seq; });
    if (nodes.size() > 22) nodes.erase(nodes.begin(), nodes.end() - 22);
    nodes.push_back(e1);
    nodes.push_back(e2);
    std::sort(nodes.begin(), nodes.end(), [](const Stored* a, const Stored* b) { return a->seq < b->seq; });
    for (const Stored* n : nodes) out.graph.push_back(store_.ref(*n, tables_));
    for (size_t i = 0; i < nodes.size(); ++i)
      for (size_t j = 0; j < nodes.size(); ++j) {
        if (i == j || !hb(*nodes[i], *nodes[j])) continue;
        bool covered = false;
        for (size_t k = 0; k < nodes.size() && !covered; ++k)
          covered = k != i && k != j && hb(*nodes[i], *nodes[k]) && hb(*nodes[k], *nodes[j]);
        if (!covered) out.graphEdges.emplace_back(i, j);
      }
  }

  const Spec& spec_;
  TraceTables& tables_;
  const CheckOptions& opts_;
  Diagnostics& diags_;
  std::vector<RuleAutomaton> autos_;
  std::vector<uint8_t> triggerMask_;
  std::vector<uint64_t> lastNamed_;  // per (rule, role): 1 + the last event counted in roleNames
  std::vector<RuleRun> runs_;
  std::vector<std::vector<Dispatch>> byName_;
  NameResolver names_;
  std::vector<uint8_t> syncName_;
  std::vector<Match> pool_;
  size_t nm_ = 0;
  std::string keyBuf_;
  std::vector<const Value*> params_;
  std::vector<Event> ring_;
  bool predicted_ = true;
  std::unique_ptr<HappensBefore> hb_;
  bool ordering_ = false;
  uint64_t nextSeq_ = 0;  // events processed so far: the next one's place in the judged order
  EventStore store_;
  std::vector<Stored> stored_;
  std::vector<Stored> graph_;                       // --dot: every synchronised event
  std::unordered_map<uint64_t, size_t> graphIndex_;
  std::vector<std::map<std::string, PInstance>> pinst_;
  std::vector<std::vector<std::pair<uint32_t, uint8_t>>> pbroadcast_;
  std::set<std::pair<size_t, std::string>> failedKeys_;
  CheckResult result_;
};

}  // namespace

const char* ruleVerdictName(RuleVerdict v) {
  switch (v) {
    case RuleVerdict::Holds: return "holds";
    case RuleVerdict::Violated: return "violated";
    case RuleVerdict::Inconclusive: return "inconclusive";
    case RuleVerdict::NotExercised: return "not-exercised";
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
