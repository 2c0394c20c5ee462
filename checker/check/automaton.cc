#include "check/automaton.h"

#include <cstring>

namespace vc {

bool predictable(RelKind k) { return k != RelKind::Excludes && k != RelKind::Coincides && k != RelKind::Subclock; }

static bool isCcsl(RelKind k) {
  switch (k) {
    case RelKind::Precedes:
    case RelKind::Causes:
    case RelKind::Alternates:
    case RelKind::AlternatesWeakly:
    case RelKind::Excludes:
    case RelKind::Coincides:
    case RelKind::Subclock:
      return true;
    default:
      return false;
  }
}

void MonState::appendKey(std::string& k) const {
  // Fixed layout: flags, then the counters that matter.
  uint8_t flags = static_cast<uint8_t>(open | (done << 1) | (static_cast<bool>(pending) << 2) | (failed << 3) |
                                       (stateOpen << 4) | (trigger << 5) | (triggerHasTs << 6));
  k.push_back(static_cast<char>(flags));
  auto put = [&](int64_t v) { k.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(nA);
  put(nB);
  put(curA);
  put(curB);
  if (trigger && triggerHasTs) put(triggerTs);
  // The last timestamp matters only while an instant is open (it decides whether the next event
  // joins it); with no event in the current instant, closing it is a no-op.
  if (curA || curB) {
    k.push_back(static_cast<char>(lastSeenTsValid));
    if (lastSeenTsValid) put(lastSeenTs);
  }
  // Registers last (nothing when none is set: the keys of rules without registers are unchanged).
  if (regSet) {
    k.push_back(static_cast<char>(regSet));
    for (int i = 0; i < kMaxRegisters; ++i)
      if (regSet & (1u << i)) put(regs[static_cast<size_t>(i)]);
  }
}

bool readEventInt(const void* event, Symbol field, int64_t& out) {
  const Value* v = static_cast<const Event*>(event)->field(field);
  if (!v || v->kind == Value::Kind::Str) return false;
  out = v->i;
  return true;
}

static bool sameRegisters(const MonState& a, const MonState& b) {
  if (a.regSet != b.regSet) return false;
  for (int i = 0; i < kMaxRegisters; ++i)
    if ((a.regSet & (1u << i)) && a.regs[static_cast<size_t>(i)] != b.regs[static_cast<size_t>(i)]) return false;
  return true;
}

bool MonState::sameBehaviour(const MonState& o) const {
  return open == o.open && done == o.done && static_cast<bool>(pending) == static_cast<bool>(o.pending) &&
         failed == o.failed && stateOpen == o.stateOpen && trigger == o.trigger && nA == o.nA && nB == o.nB &&
         curA == o.curA && curB == o.curB && triggerHasTs == o.triggerHasTs &&
         (!(trigger && triggerHasTs) || triggerTs == o.triggerTs) &&
         (!(curA || curB) ||
          (lastSeenTsValid == o.lastSeenTsValid && (!lastSeenTsValid || lastSeenTs == o.lastSeenTs))) &&
         sameRegisters(*this, o);
}

MonState RuleAutomaton::initial() const {
  MonState s;
  s.open = r_.scope == ScopeKind::Globally || r_.scope == ScopeKind::Before;
  for (size_t i = 0; i < r_.regs.size(); ++i)
    if (r_.regs[i].hasInit) {
      s.regSet = static_cast<uint8_t>(s.regSet | (1u << i));
      s.regs[i] = r_.regs[i].init;
    }
  return s;
}

void RuleAutomaton::resetBody(MonState& s) const {
  s.nA = s.nB = s.curA = s.curB = 0;
  s.curARef = s.curBRef = kNoRef;
  s.trigger = false;
  s.triggerTs = 0;
  s.triggerHasTs = false;
  s.triggerRef = kNoRef;
  s.pending = Verdict{};
}

Verdict RuleAutomaton::confirm(MonState& s, Verdict v) const {
  if (v) s.failed = true;
  return v;
}

// CCSL relations are judged instant by instant; this closes the current one.
Verdict RuleAutomaton::closeInstant(MonState& s) const {
  Verdict v;
  const int64_t totA = s.nA + s.curA, totB = s.nB + s.curB;
  switch (r_.rel) {
    case RelKind::Causes:
    case RelKind::AlternatesWeakly:
      if (totB > totA) v = Verdict{Reason::CountAhead, s.curBRef, kNoRef, totB};
      break;
    case RelKind::Excludes:
      if (s.curA && s.curB) v = Verdict{Reason::SameInstant, s.curBRef, s.curARef, 0};
      break;
    case RelKind::Coincides:
      if ((s.curA > 0) != (s.curB > 0))
        v = Verdict{Reason::NotCoincident, s.curA ? s.curARef : s.curBRef, kNoRef, s.curA ? 0 : 1};
      break;
    case RelKind::Subclock:
      if (s.curA && !s.curB) v = Verdict{Reason::NotCoincident, s.curARef, kNoRef, 0};
      break;
    default:
      break;
  }
  s.nA = totA;
  s.nB = totB;
  s.curA = s.curB = 0;
  s.curARef = s.curBRef = kNoRef;
  return v;
}

Verdict RuleAutomaton::bodyStep(MonState& s, const StepInput& in, bool sameInstant) const {
  const bool L = in.mask & kLeft, R = in.mask & kRight;
  switch (r_.rel) {
    case RelKind::Never:
      if (L) return Verdict{Reason::Occurred, in.ref, kNoRef, 0};
      return {};
    case RelKind::Exists:
      if (L) s.nA = 1;
      return {};
    case RelKind::AtMost:
      if (L && ++s.nA > r_.count) return Verdict{Reason::TooMany, in.ref, kNoRef, s.nA};
      return {};
    case RelKind::Before:
      if (R && s.nA == 0) return Verdict{Reason::NoEarlier, in.ref, kNoRef, 0};
      if (L) s.nA = 1;
      return {};
    case RelKind::LeadsTo:
      if (R && s.trigger) {
        if (r_.withinNs && s.triggerHasTs && in.hasTs) {
          // The delay in 64 bits; one beyond them (timestamps far apart) is later than any bound.
          int64_t delay;
          if (__builtin_sub_overflow(in.ts, s.triggerTs, &delay)) delay = in.ts > s.triggerTs ? INT64_MAX : INT64_MIN;
          if (delay > *r_.withinNs) return Verdict{Reason::TooLate, in.ref, s.triggerRef, delay};
        }
        s.trigger = false;
        s.triggerRef = kNoRef;
        s.triggerTs = 0;
        s.triggerHasTs = false;
      }
      if (L && !s.trigger) {
        s.trigger = true;
        s.triggerTs = in.ts;
        s.triggerHasTs = in.hasTs;
        s.triggerRef = in.ref;
      }
      return {};
    case RelKind::During:
      if (L && !s.stateOpen) return Verdict{Reason::OutsideState, in.ref, s.lastClose, 0};
      return {};
    default:
      break;
  }
  // CCSL: instant bookkeeping first (step() decided whether this event opens a new instant).
  Verdict v;
  if (!sameInstant) v = closeInstant(s);
  if (v) return v;
  if (L) {
    ++s.curA;
    s.curARef = in.ref;
  }
  if (R) {
    ++s.curB;
    s.curBRef = in.ref;
  }
  const int64_t totA = s.nA + s.curA, totB = s.nB + s.curB;
  switch (r_.rel) {
    case RelKind::Precedes:
      if (R && totB > s.nA) return Verdict{Reason::CountAhead, in.ref, kNoRef, totB};
      break;
    case RelKind::Alternates:
      if (R && totB > s.nA) return Verdict{Reason::CountAhead, in.ref, kNoRef, totB};
      if (L && totA > s.nB + 1) return Verdict{Reason::AlternationLost, in.ref, kNoRef, totA};
      break;
    case RelKind::AlternatesWeakly:
      if (L && totA > s.nB + 1) return Verdict{Reason::AlternationLost, in.ref, kNoRef, totA};
      break;
    case RelKind::Excludes:
      if (s.curA && s.curB) return Verdict{Reason::SameInstant, in.ref, L ? s.curBRef : s.curARef, 0};
      break;
    default:
      break;
  }
  return {};
}

Verdict RuleAutomaton::bodyFinish(MonState& s) const {
  switch (r_.rel) {
    case RelKind::Exists:
      if (s.nA == 0) return Verdict{Reason::Missing, kNoRef, kNoRef, 0};
      return {};
    case RelKind::LeadsTo:
      if (s.trigger) return Verdict{Reason::NoResponse, kNoRef, s.triggerRef, 0};
      return {};
    default:
      if (isCcsl(r_.rel)) return closeInstant(s);
      return {};
  }
}

// The roles the event plays for this instance (the patterns that read registers judged with the
// registers as they are before the event), the step, then the registers' updates, in the order
// the rule declares them. An event with no role for the instance leaves its instants alone.
Verdict RuleAutomaton::step(MonState& s, const StepInput& in) const {
  if (!in.cond) return stepRoles(s, in);
  if (s.failed) return {};
  StepInput eff = in;
  uint32_t fire = 0;
  for (uint32_t bits = in.cond; bits; bits &= bits - 1) {
    const int b = __builtin_ctz(bits);
    const CondPattern& c = r_.conds[static_cast<size_t>(b)];
    const Matcher& m = c.role >= 0 ? r_.roles[static_cast<uint8_t>(c.role)][c.index] : r_.updates[c.index].m;
    if (c.role >= 0 && (eff.mask & (1u << c.role))) continue;
    bool holds = true;
    for (const auto& p : m.dynPreds)
      if (!p.holds(in.event, in.read, s.regs.data(), s.regSet)) {
        holds = false;
        break;
      }
    if (!holds) continue;
    if (c.role >= 0)
      eff.mask = static_cast<uint8_t>(eff.mask | (1u << c.role));
    else
      fire |= 1u << b;
  }
  Verdict v;
  if (eff.mask) v = stepRoles(s, eff);
  if (s.failed) return v;
  for (uint32_t bits = fire; bits; bits &= bits - 1) {
    const Update& u = r_.updates[r_.conds[static_cast<size_t>(__builtin_ctz(bits))].index];
    ExprValue x = u.value.eval(in.event, in.read, s.regs.data(), s.regSet);
    const uint8_t bit = static_cast<uint8_t>(1u << u.reg);
    if (x.kind != ExprValue::Kind::Int) {
      s.regSet = static_cast<uint8_t>(s.regSet & ~bit);  // no value: unset
      continue;
    }
    int64_t& r = s.regs[u.reg];
    switch (u.kind) {
      case Update::Kind::Sample:
        r = x.i;
        s.regSet = static_cast<uint8_t>(s.regSet | bit);
        break;
      case Update::Kind::Add:
        if (s.regSet & bit) r = static_cast<int64_t>(static_cast<uint64_t>(r) + static_cast<uint64_t>(x.i));
        break;
      case Update::Kind::Sub:
        if (s.regSet & bit) r = static_cast<int64_t>(static_cast<uint64_t>(r) - static_cast<uint64_t>(x.i));
        break;
    }
  }
  return v;
}

Verdict RuleAutomaton::stepRoles(MonState& s, const StepInput& in) const {
  if (s.failed) return {};
  // Instants: consecutive events of the order being judged (the recorded order, or a
  // linearisation in prediction) that this instance sees, with equal timestamps, are one instant.
  const bool sameInstant = s.lastSeenTsValid && in.hasTs && in.ts == s.lastSeenTs;
  s.lastSeenTsValid = in.hasTs;
  s.lastSeenTs = in.ts;
  const ScopeKind sc = r_.scope;
  // 1. The scope's closing event ends the interval (it is not part of it).
  if (s.open && (in.mask & kScopeR) &&
      (sc == ScopeKind::Before || sc == ScopeKind::Between || sc == ScopeKind::AfterUntil)) {
    Verdict v = s.pending ? s.pending : bodyFinish(s);
    s.open = false;
    if (sc == ScopeKind::Before) s.done = true;
    resetBody(s);
    if (v) return confirm(s, v);
  }
  // 2. The scope's opening event starts one (and is part of it).
  if (!s.open && !s.done && (in.mask & kScopeQ) &&
      (sc == ScopeKind::After || sc == ScopeKind::Between || sc == ScopeKind::AfterUntil)) {
    s.open = true;
    if (sc == ScopeKind::After) s.done = true;
    resetBody(s);
  }
  // 3. The state of `during` opens before the check and closes after it.
  if (in.mask & kOpen) s.stateOpen = true;
  Verdict v;
  if (s.open && !s.pending) {
    v = bodyStep(s, in, sameInstant);
    if (v && (sc == ScopeKind::Before || sc == ScopeKind::Between)) {
      s.pending = v;  // counts only if the interval is closed by R
      v = Verdict{};
    }
  }
  if ((in.mask & kClose) && !(in.mask & kOpen)) {
    s.stateOpen = false;
    s.lastClose = in.ref;
  } else if ((in.mask & kClose) && (in.mask & kOpen)) {
    s.lastClose = in.ref;
  }
  return confirm(s, v);
}

Verdict RuleAutomaton::finish(MonState& s) const {
  if (s.failed || !s.open) return {};
  switch (r_.scope) {
    case ScopeKind::Globally:
    case ScopeKind::After:
    case ScopeKind::AfterUntil:
      return confirm(s, bodyFinish(s));
    case ScopeKind::Before:
    case ScopeKind::Between:
      return {};  // the interval never closed: no obligation
  }
  return {};
}

}  // namespace vc
