#include "check/dispatch.h"

namespace vc {

std::vector<Value> Match::values() const {
  std::vector<Value> out;
  for (uint8_t i = 0; i < nparams; ++i) out.push_back(params[i] ? *params[i] : Value{});
  return out;
}

std::string projectKey(const std::vector<Value>& params, uint8_t bound) {
  std::vector<const Value*> ps(params.size(), nullptr);
  for (size_t i = 0; i < params.size(); ++i)
    if (bound & (1u << i)) ps[i] = &params[i];
  std::string k;
  appendKey(ps, k);
  return k;
}

Roles rolesFor(std::span<const Match> ms, const std::string& key, const std::vector<Value>& params, uint8_t own,
               Roles broadcast) {
  Roles r = broadcast;
  for (const auto& m : ms) {
    if (m.broadcast) continue;
    bool mine = false;
    if (m.bound == own)
      mine = m.key == key;
    else if ((m.bound & own) == m.bound)
      mine = projectKey(params, m.bound) == m.key;
    if (mine) {
      r.mask |= m.mask;
      r.cond |= m.cond;
    }
  }
  return r;
}

bool Dispatcher::hasFields(const Event& ev, const std::vector<Symbol>& reads) {
  for (Symbol f : reads)
    if (!ev.field(f)) return false;
  return true;
}

Dispatcher::Dispatcher(const Spec& spec, const SymbolTable& symbols) : spec_(spec), symbols_(symbols) {
  hasParams_.resize(spec.rules.size());
  for (size_t r = 0; r < spec.rules.size(); ++r) {
    const Rule& rule = spec.rules[r];
    hasParams_[r] = !rule.params.empty();
    for (int ri = 0; ri < kRoleCount; ++ri)
      for (const auto& m : rule.roles[ri])
        for (Symbol s : m.names) {
          if (byName_.size() <= s) byName_.resize(s + 1);
          byName_[s].push_back(Entry{r, static_cast<uint8_t>(1 << ri), ri, &m, {}});
          m.fields(byName_[s].back().reads);
        }
    // Register updates: no role, a bit of `cond` (roleIndex -1: not counted as a role's event).
    for (const auto& u : rule.updates)
      for (Symbol s : u.m.names) {
        if (byName_.size() <= s) byName_.resize(s + 1);
        byName_[s].push_back(Entry{r, 0, -1, &u.m, {}});
      }
  }
  for (const auto& s : spec.syncs)
    for (const auto* side : {&s.from, &s.to})
      for (const auto& m : *side)
        for (Symbol n : m.names) {
          if (synced_.size() <= n) synced_.resize(n + 1, 0);
          synced_[n] = 1;
        }
}

Symbol Dispatcher::specName(Symbol traceName) {
  return names_.resolve(traceName, symbols_, [&](Symbol s) {
    return (s < byName_.size() && !byName_[s].empty()) || (s < synced_.size() && synced_[s]);
  });
}

std::span<const Match> Dispatcher::match(const Event& ev, Symbol name, std::vector<RuleStats>& stats) {
  n_ = 0;
  if (name >= byName_.size()) return {};
  size_t lastRule = SIZE_MAX;
  uint8_t namedRoles = 0;  // roles of lastRule this event was counted in (by name)
  size_t ruleBegin = 0;    // first match of lastRule in the pool
  for (const Entry& d : byName_[name]) {
    if (d.rule != lastRule) {
      lastRule = d.rule;
      namedRoles = 0;
      ruleBegin = n_;
    }
    // The event has a name this rule speaks of (whatever its fields): counted once per role.
    if (d.roleIndex >= 0 && !(namedRoles & d.role)) {
      namedRoles |= d.role;
      ++stats[d.rule].roleNames[d.roleIndex];
    }
    // ... and whether one had the fields the pattern reads (checked until one has: a pattern over
    // fields no event carries judges nothing, and must not make its rule "hold").
    if (d.roleIndex >= 0 && !stats[d.rule].roleExamined[d.roleIndex] && hasFields(ev, d.reads))
      stats[d.rule].roleExamined[d.roleIndex] = 1;
    const Rule& rule = spec_.rules[d.rule];
    params_.assign(rule.params.size(), nullptr);
    if (!d.m->matches(ev, params_, name)) continue;
    const bool broadcast = hasParams_[d.rule] && d.m->binds.empty();
    keyBuf_.clear();
    if (!broadcast) appendKey(params_, keyBuf_);
    Match* found = nullptr;
    for (size_t j = ruleBegin; j < n_ && !found; ++j)
      if (pool_[j].broadcast == broadcast && pool_[j].key == keyBuf_) found = &pool_[j];
    const uint8_t role = d.m->cond >= 0 ? 0 : d.role;
    const uint32_t cond = d.m->cond >= 0 ? 1u << d.m->cond : 0;
    if (found) {
      found->mask |= role;
      found->cond |= cond;
      continue;
    }
    if (n_ == pool_.size()) pool_.emplace_back();
    Match& m = pool_[n_++];
    m.rule = d.rule;
    m.broadcast = broadcast;
    m.bound = d.m->bound;
    m.key.assign(keyBuf_);
    m.mask = role;
    m.cond = cond;
    m.nparams = broadcast ? 0 : static_cast<uint8_t>(params_.size());
    for (uint8_t i = 0; i < m.nparams; ++i) m.params[i] = params_[i];
  }
  for (size_t i = 0; i < n_; ++i) {
    RuleStats& st = stats[pool_[i].rule];
    ++st.events;
    // Roles judged with registers count by their other arguments.
    uint8_t mask = pool_[i].mask;
    for (uint32_t bits = pool_[i].cond; bits; bits &= bits - 1) {
      const CondPattern& c = spec_.rules[pool_[i].rule].conds[static_cast<size_t>(__builtin_ctz(bits))];
      if (c.role >= 0) mask = static_cast<uint8_t>(mask | (1u << c.role));
    }
    for (int ri = 0; ri < kRoleCount; ++ri)
      if (mask & (1 << ri)) ++st.roleEvents[ri];
  }
  return {pool_.data(), n_};
}

}  // namespace vc
