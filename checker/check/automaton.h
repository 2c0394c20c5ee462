// The rule automaton: one rule instance's state and its step function. The same code runs the
// observed check (the recorded order, streamed) and the predicted check (linearisations of
// happens-before, explored), so the two verdicts cannot drift apart.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "spec/model.h"

namespace vc {

inline constexpr uint64_t kNoRef = UINT64_MAX;

// Why a rule broke, rendered into words by reasonText().
enum class Reason : uint8_t {
  None,
  Occurred,         // never P: P occurred
  Missing,          // exists P: no P in the interval
  TooMany,          // at most N: the (N+1)-th P
  NoEarlier,        // L before R: R with no earlier L
  NoResponse,       // L leadsto R: L never followed by R
  TooLate,          // L leadsto R within D: R came after D
  OutsideState,     // P during S: P while S closed
  CountAhead,       // precedes/causes/alternates: the k-th R not after the k-th L
  AlternationLost,  // alternates: two L with no R between
  SameInstant,      // excludes: L and R at one instant
  NotCoincident,    // coincides / subclock: L without R at its instant (or R without L)
};

struct Verdict {
  Reason reason = Reason::None;
  uint64_t culprit = kNoRef;  // the event at which the rule broke (kNoRef: the end of the trace/interval)
  uint64_t anchor = kNoRef;   // a remembered event that explains it (the trigger, the last state close, ...)
  int64_t detail = 0;         // k (the k-th event), or a delay in ns
  explicit operator bool() const { return reason != Reason::None; }
};

// One step's input: which roles the event plays for this rule, and its time.
struct StepInput {
  uint8_t mask = 0;
  uint64_t ref = kNoRef;
  bool hasTs = false;
  int64_t ts = 0;
  // Patterns the automaton judges itself (Rule::conds): register comparisons and updates whose
  // other arguments matched; with the event's integer fields to judge them.
  uint32_t cond = 0;
  const void* event = nullptr;
  IntFieldReader read = nullptr;
};

// Integer fields of an event as read (the observed check).
bool readEventInt(const void* event, Symbol field, int64_t& out);

struct MonState {
  // Scope.
  bool open = false;
  bool done = false;    // the scope will never open again (after the first R of `before R`)
  Verdict pending;      // a violation in an interval that counts only once the interval closes
  bool failed = false;  // a violation was confirmed: the instance stops
  // `during` state, tracked whatever the scope.
  bool stateOpen = false;
  uint64_t lastClose = kNoRef;
  // Body.
  int64_t nA = 0, nB = 0;  // counts in completed instants (CCSL) or in the interval (Dwyer)
  int64_t curA = 0, curB = 0;
  uint64_t curBRef = kNoRef, curARef = kNoRef;
  bool trigger = false;  // leadsto: an unanswered trigger
  int64_t triggerTs = 0;
  bool triggerHasTs = false;
  uint64_t triggerRef = kNoRef;
  // Instants (CCSL relations): consecutive events of the order being judged (the recorded order or
  // a linearisation) with equal timestamps are one instant. The timestamp of the last event seen.
  bool lastSeenTsValid = false;
  int64_t lastSeenTs = 0;
  // Registers (`let`): bit i of regSet says regs[i] is set.
  uint8_t regSet = 0;
  std::array<int64_t, kMaxRegisters> regs{};

  // The part of the state that decides the future (refs excluded), as bytes: the memo key of the
  // prediction. sameBehaviour compares the same part ("is this instance idle").
  void appendKey(std::string& out) const;
  bool sameBehaviour(const MonState& o) const;
  // The events the state remembers (kNoRef where none): whoever keeps a state keeps these events.
  static constexpr int kRefCount = 6;
  std::array<uint64_t, kRefCount> refs() const {
    return {triggerRef, lastClose, curARef, curBRef, pending.culprit, pending.anchor};
  }
};

class RuleAutomaton {
 public:
  explicit RuleAutomaton(const Rule& r) : r_(r) {}
  MonState initial() const;
  // Advances `s` by one event. Returns the confirmed violation, if any (then s.failed is set).
  Verdict step(MonState& s, const StepInput& in) const;
  // The end of the trace.
  Verdict finish(MonState& s) const;
  const Rule& rule() const { return r_; }

 private:
  void resetBody(MonState& s) const;
  Verdict bodyStep(MonState& s, const StepInput& in, bool sameInstant) const;
  Verdict bodyFinish(MonState& s) const;
  Verdict closeInstant(MonState& s) const;
  Verdict confirm(MonState& s, Verdict v) const;
  Verdict stepRoles(MonState& s, const StepInput& in) const;
  const Rule& r_;
};

// Whether happens-before prediction applies to this relation (not for instant relations).
bool predictable(RelKind k);

}  // namespace vc
