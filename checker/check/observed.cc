#include "check/observed.h"

#include <algorithm>

#include "check/event-store.h"
#include "check/explain.h"

namespace vc {

void RecentEvents::before(uint64_t seq, const TraceTables& tables, std::vector<EventRef>& out) const {
  for (size_t k = std::min<uint64_t>(ring_.size(), seq); k >= 1; --k)
    out.push_back(makeRef(ring_[(seq - k) % ring_.size()], seq - k, tables));
}

ObservedCheck::ObservedCheck(const Spec& spec, const std::vector<RuleAutomaton>& autos, const TraceTables& tables,
                             std::function<bool(size_t)> report, std::vector<RuleStats>& stats)
    : spec_(spec), autos_(autos), tables_(tables), reports_(std::move(report)), stats_(stats) {
  runs_.resize(spec.rules.size());
  for (size_t r = 0; r < spec.rules.size(); ++r) {
    const Rule& rule = spec.rules[r];
    RuleRun& run = runs_[r];
    run.hasParams = !rule.params.empty();
    run.templ.st = autos_[r].initial();
    MonState probe = run.templ.st;
    run.canCollect =
        !rule.params.empty() && rule.broadcastRoles == 0 && rule.partials.empty() && !autos_[r].finish(probe);
    run.all = static_cast<uint8_t>((1u << rule.params.size()) - 1);
    if (!run.hasParams) {
      run.inst.emplace("", Instance{autos_[r].initial(), {}, {}});
      run.created = 1;
    }
  }
}

ObservedCheck::Instance& ObservedCheck::templateFor(size_t r, RuleRun& run, const std::vector<Value>& params,
                                                    size_t below) {
  const auto& levels = spec_.rules[r].partials;
  for (size_t l = std::min(below, levels.size()); l-- > 0;) {
    // Level l's template exists if some event bound its parameters; otherwise go shallower.
    auto it = run.partial.find({l, projectKey(params, levels[l])});
    if (it != run.partial.end()) return it->second;
  }
  return run.templ;
}

std::unordered_map<std::string, ObservedCheck::Instance>::iterator ObservedCheck::instanceFor(size_t r, RuleRun& run,
                                                                                              const Match& m) {
  auto [it, fresh] = run.inst.try_emplace(m.key);
  if (fresh) {
    std::vector<Value> params = m.values();
    it->second = templateFor(r, run, params, SIZE_MAX);
    it->second.params = std::move(params);
    ++run.created;
    run.peakLive = std::max<uint64_t>(run.peakLive, run.inst.size());
  }
  return it;
}

void ObservedCheck::step(size_t r, std::span<const Match> ms, const Event& ev, uint64_t seq,
                         const RecentEvents& recent) {
  RuleRun& run = runs_[r];
  const Roles bmask = broadcastRoles(ms);
  if (!spec_.rules[r].partials.empty() && anyPartial(ms, run.all)) {
    // Partly bound matches: their templates made (from shallower ones) and the instances this
    // event binds made, all before it is seen; then every instance and template that agrees
    // with a match steps once, with all the roles it has.
    const auto& levels = spec_.rules[r].partials;
    for (const auto& m : ms) {
      if (m.broadcast || m.bound == run.all) continue;
      const size_t l = static_cast<size_t>(std::find(levels.begin(), levels.end(), m.bound) - levels.begin());
      if (run.partial.count({l, m.key})) continue;
      std::vector<Value> params = m.values();
      Instance t = templateFor(r, run, params, l);
      t.params = std::move(params);
      run.partial.emplace(std::make_pair(l, m.key), std::move(t));
    }
    for (const auto& m : ms)
      if (!m.broadcast && m.bound == run.all) instanceFor(r, run, m);
    for (auto& [key, in] : run.inst)
      if (const Roles mask = rolesFor(ms, key, in.params, run.all, bmask))
        stepInstance(r, &key, in, mask, ev, seq, recent);
    for (auto& [lk, t] : run.partial)
      if (const Roles mask = rolesFor(ms, lk.second, t.params, levels[lk.first], bmask))
        stepInstance(r, nullptr, t, mask, ev, seq, recent);
    if (bmask) stepInstance(r, nullptr, run.templ, bmask, ev, seq, recent);
    return;
  }
  if (bmask) {
    // Create the instances this event binds, from the template (before it sees this event);
    // then every instance steps once, with the broadcast roles and its own.
    for (const auto& m : ms)
      if (!m.broadcast) instanceFor(r, run, m);
    for (auto& [key, in] : run.inst) {
      const Roles mask =
          spec_.rules[r].partials.empty() ? rolesFor(ms, key, bmask) : rolesFor(ms, key, in.params, run.all, bmask);
      stepInstance(r, &key, in, mask, ev, seq, recent);
    }
    for (auto& [lk, t] : run.partial) stepInstance(r, nullptr, t, bmask, ev, seq, recent);
    stepInstance(r, nullptr, run.templ, bmask, ev, seq, recent);
    return;
  }
  for (const auto& m : ms) {
    auto it = instanceFor(r, run, m);
    stepInstance(r, &it->first, it->second, Roles{m.mask, m.cond}, ev, seq, recent);
    // An instance back in the initial state holds nothing worth its memory: it behaves as a
    // new one would, and ends without a verdict. Only sound while no broadcast event can move
    // the template (then a dropped instance could owe an end-of-trace verdict).
    if (run.canCollect && !it->second.st.failed && it->second.snaps.empty() &&
        it->second.st.sameBehaviour(run.templ.st))
      run.inst.erase(it);
  }
}

void ObservedCheck::stepInstance(size_t r, const std::string* key, Instance& in, Roles mask, const Event& ev,
                                 uint64_t seq, const RecentEvents& recent) {
  if (in.st.failed) return;
  const bool wasOpen = in.st.open;
  Verdict v = autos_[r].step(in.st, StepInput{mask.mask, seq, ev.hasTs, ev.ts, mask.cond, &ev, readEventInt});
  stats_[r].scopeOpened |= wasOpen || in.st.open;
  // Keep copies of the events the state refers to, and those the verdict names (a violation held
  // pending until its interval closed left the state at this step: its culprit is no longer a
  // ref of the state); drop the rest.
  const auto refs = in.st.refs();
  bool wantsThis = std::find(refs.begin(), refs.end(), seq) != refs.end();
  if (wantsThis || !in.snaps.empty()) {
    std::erase_if(in.snaps, [&](const auto& p) {
      return std::find(refs.begin(), refs.end(), p.first) == refs.end() && p.first != v.anchor && p.first != v.culprit;
    });
    if (wantsThis) in.snaps.emplace_back(seq, ev);
  }
  if (v && key) report(r, *key, in, v, &ev, seq, &recent);  // the template (no key) never reports
}

void ObservedCheck::report(size_t r, const std::string& key, const Instance& in, const Verdict& v, const Event* current,
                           uint64_t seq, const RecentEvents* recent) {
  auto snap = [&](uint64_t ref) -> const Event* {
    if (ref == seq) return current;
    for (const auto& [s, e] : in.snaps)
      if (s == ref) return &e;
    return nullptr;
  };
  Violation out;
  out.rule = r;
  out.kind = ViolationKind::Observed;
  out.params = paramText(spec_.rules[r], in.params);
  out.verdict = v;
  if (v.culprit != kNoRef) {
    if (const Event* e = snap(v.culprit)) out.culprit = makeRef(*e, v.culprit, tables_);
    // Context: the events judged just before the culprit, if still in the ring.
    if (v.culprit == seq && recent) recent->before(seq, tables_, out.context);
  }
  if (v.anchor != kNoRef)
    if (const Event* e = snap(v.anchor)) out.anchor = makeRef(*e, v.anchor, tables_);
  out.message = explain(spec_.rules[r], v, out.culprit ? &*out.culprit : nullptr, out.anchor ? &*out.anchor : nullptr);
  // The registers the culprit's patterns saw (a breaking event applies no update).
  const Rule& rule = spec_.rules[r];
  if (!rule.regs.empty() && v.culprit == seq && current) {
    out.message += " (registers before it: ";
    for (size_t i = 0; i < rule.regs.size(); ++i) {
      if (i) out.message += ", ";
      out.message += rule.regs[i].name + "=";
      out.message += in.st.regSet & (1u << i) ? std::to_string(in.st.regs[i]) : std::string("unset");
    }
    out.message += ")";
  }
  // Not reported (--order hb): kept, for the engine reports an instance the recorded order
  // breaks as observed whichever order prediction happened to find first.
  (reports_(r) ? violations_ : held_).push_back(std::move(out));
  failed_.insert({r, key});
  if (onFailed) onFailed(r, key);
}

void ObservedCheck::finish() {
  for (size_t r = 0; r < runs_.size(); ++r) {
    RuleRun& run = runs_[r];
    stats_[r].instances = run.created;
    stats_[r].peakLive = std::max<uint64_t>(run.peakLive, run.inst.size());
    // Deterministic order of end-of-trace reports.
    std::vector<std::string> keys;
    for (const auto& kv : run.inst) keys.push_back(kv.first);
    std::sort(keys.begin(), keys.end());
    for (const auto& k : keys) {
      Instance& in = run.inst[k];
      if (in.st.open) stats_[r].scopeOpened = true;
      Verdict v = autos_[r].finish(in.st);
      if (v) report(r, k, in, v, nullptr, UINT64_MAX, nullptr);
    }
  }
}

}  // namespace vc
