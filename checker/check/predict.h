// Exploring the linearisations of one segment of a rule instance's events: does some order that
// happens-before allows break the rule, and which automaton states can the segment end in?
//
// The search walks the consistent cuts (down-closed sets) of the segment's events, each with the
// rule automaton's state, depth first and recorded order first, from every start state (the
// states the instance's earlier segments can end in), memoising (cut, state) pairs. Exact: every
// linearisation passes through cuts, and the automaton's future depends only on its state.
// Segments are cut where everything before happens before everything after (see
// check/prediction.h), so a run's linearisations are its segments' linearisations end to end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "check/automaton.h"
#include "check/event-store.h"

namespace vc {

struct SegmentEvent {
  const KeptEvent* ev;  // thread, clock, timestamp
  uint64_t ref;         // what the automaton remembers of it (an EventHandle)
  uint8_t mask;         // its roles in this rule instance
  uint32_t cond = 0;    // the patterns the automaton judges (StepInput::cond)
};

// Integer fields of a kept event (StepInput::read).
bool readKeptInt(const void* event, Symbol field, int64_t& out);

struct SegmentEnd {
  MonState state;
  uint32_t from = 0;            // the start state it came from (index into the starts)
  bool recorded = true;         // reached by the segment in recorded order
  std::vector<uint32_t> order;  // otherwise: the segment's events in the order taken
};

struct SegmentResult {
  bool violated = false;
  bool exhausted = false;        // the budget ran out before an answer
  uint64_t states = 0;           // (cut, state) pairs explored
  Verdict verdict;               // refs are the events' `ref`s
  uint32_t from = 0;             // the violating order's start state
  std::vector<uint32_t> order;   // the violating order, up to and including the culprit (all
                                 // events for a verdict at the end of the run)
  std::vector<SegmentEnd> ends;  // without a violation: the distinct states at the segment's end
};

class Explorer {
 public:
  // `events` in recorded order; `starts` in order of preference (the recorded one first).
  // `atEnd`: the segment ends the run, so every end state is also judged by finish().
  SegmentResult explore(const RuleAutomaton& a, const std::vector<SegmentEvent>& events,
                        const std::vector<MonState>& starts, bool atEnd, uint64_t budget);

 private:
  bool insertKey(const std::vector<uint32_t>& pos, const MonState& s);
  // The memo: (cut, state) keys back to back in an arena, found through an open-addressing
  // table of offsets; kept across calls so a run allocates it once.
  std::string keyBuf_;
  std::vector<char> arena_;
  std::vector<uint64_t> table_;
  size_t used_ = 0;
};

}  // namespace vc
