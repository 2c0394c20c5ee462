// Predicted violations: does some linearisation of happens-before break a rule instance?
// Explores the consistent cuts (down-closed sets) of the instance's events, each with the rule
// automaton's state, depth first and recorded order first, memoising (cut, state) pairs. Exact:
// every linearisation passes through cuts, and the automaton's future depends only on its state.
#pragma once

#include <cstdint>
#include <vector>

#include "check/automaton.h"
#include "hb/clock.h"

namespace vc {

struct PredictEvent {
  uint64_t seq;          // recorded order
  uint32_t thread;       // global thread index
  const uint32_t* clock; // vector clock entries
  uint32_t clockLen;
  uint8_t mask;          // roles for this rule instance
  bool hasTs;
  int64_t ts;
};

struct PredictResult {
  bool violated = false;
  bool exhausted = false;        // budget hit before an answer
  uint64_t states = 0;
  Verdict verdict;               // refs are indices into the events vector
  std::vector<uint32_t> path;    // the bad linearisation (indices), up to and including the culprit
  bool recordedOrder = false;    // the path is the recorded order (an observed violation)
};

// `events` sorted by seq. Instants are the automaton's: consecutive events of a linearisation
// with equal timestamps (docs/spec-language.md), so one thread's only linearisation is judged
// exactly as the recorded order is.
PredictResult predict(const RuleAutomaton& a, const std::vector<PredictEvent>& events, uint64_t budget);

}  // namespace vc
