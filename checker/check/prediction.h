// Predicted violations, streamed: does some order of the run that happens-before allows break a
// rule instance? Decided exactly, in memory bounded by each instance's concurrency window.
//
// Each rule instance keeps
// - a window: its events that some later event could still be ordered before (in recorded order);
// - a boundary: the automaton states that the linearisations of its earlier events can end in,
//   each with the tail of one order that reaches it (for witnesses).
// An event of the window is settled when it happens before the latest event of every live thread
// that gave the instance events (its participants): their later events all come after it. A
// prefix of the window whose events are settled and happen before every other window event is a
// segment: every linearisation of the instance is one of the segment's followed by one of the
// rest, so the segment is explored (check/predict.h) from the boundary states, the boundary
// becomes the states it can end in, and the segment leaves memory.
//
// Settling is done only when memory asks for it: when an instance's window reaches `settleWindow`
// events, and over all instances when the events kept reach `settleKept` (an instance left idle
// is then dropped). Until then an instance is explored whole at the end of the run, as if nothing
// were streamed. A thread that gives an instance its first event after part of it was settled
// must come after what was settled (it does when it was spawned, or synchronised first):
// otherwise the instance is reported inconclusive, as is one whose window outgrows `window` or
// whose search outgrows `budget`. Never "holds" when unsure.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "check/automaton.h"
#include "check/dispatch.h"
#include "check/event-store.h"
#include "check/predict.h"
#include "check/violation.h"
#include "hb/happens-before.h"
#include "spec/model.h"

namespace vc {

// A predicted violation before it is put in words (check/witness.h). Holds its events.
struct FoundViolation {
  size_t rule = 0;
  std::string key;
  std::vector<Value> params;
  Verdict verdict;                 // refs are EventHandles
  bool recorded = false;           // the breaking order is the recorded order
  std::vector<EventHandle> order;  // the breaking order's known tail, then its culprit, then a few events after
  size_t culpritAt = SIZE_MAX;     // index of the culprit in `order` (SIZE_MAX: the end of the run)
  size_t firstDeviation = 0;       // index in `order` of its first event out of the recorded order
  uint64_t before = 0;             // events of the breaking order before `order`
  bool beforeRecorded = true;      // those are in recorded order
  std::vector<EventHandle> left;   // window events the order had not taken at the culprit (recorded order)
};

struct PredictionOptions {
  uint64_t budget = 2000000;     // (cut, state) pairs explored per instance
  uint64_t window = 200000;      // events an instance's window may hold
  uint64_t settleWindow = 4096;  // an instance's window this long is settled as far as it can be
  uint64_t settleKept = 131072;  // this many events kept: every instance is settled, idle ones dropped
  size_t tail = 20;              // witness events remembered per boundary state
  unsigned jobs = 1;             // threads searching at once (the end of the run, sweeps)
};

class StreamingPredictor {
 public:
  StreamingPredictor(const Spec& spec, const std::vector<RuleAutomaton>& autos, EventStore& store,
                     const HappensBefore& hb, const TraceTables& tables, PredictionOptions opts);
  ~StreamingPredictor();
  // An event in the judged order, with its clock and its matches (all rules; the instant
  // relations are skipped).
  void add(const Event& ev, uint64_t seq, const Clock& clock, std::span<const Match> matches);
  // The recorded order already broke this instance: nothing more to predict.
  void kill(size_t rule, const std::string& key);
  // The end of the run: every window is a last segment, judged with the end-of-run obligations.
  void finish();

  std::vector<FoundViolation>& found() { return found_; }
  std::vector<Inconclusive>& inconclusive() { return inconclusive_; }
  uint64_t peakWindow() const { return peakWindow_; }

 private:
  struct Boundary {
    MonState state;
    std::vector<EventHandle> tail;  // the last events of one order reaching it (held)
    uint64_t count = 0;             // events in that order
    bool recorded = true;           // that order is the recorded order
  };
  struct Item {
    EventHandle h;
    uint8_t mask;
    uint32_t cond;
  };
  struct Instance {
    std::vector<Value> params;
    std::vector<Boundary> boundary;
    std::deque<Item> window;
    std::vector<uint32_t> participants;                  // threads that gave it events
    std::vector<std::pair<uint32_t, uint32_t>> settled;  // (thread, position) of its last settled events
    uint64_t explored = 0;
    uint64_t nextTry = 0;  // the window size at which to try settling again
    bool dead = false;
    std::string why;  // the template: why it gave up (its copies say so)
  };
  struct RuleRun {
    bool predictable = false;
    bool hasParams = false;
    bool canCollect = false;  // an idle instance (window empty, initial state) may be dropped
    std::unordered_map<std::string, Instance> inst;
    std::unique_ptr<Instance> templ;  // broadcast events so far: what new instances start from
    // Partial templates (Rule::partials), per level and partial key: what a new instance that
    // agrees on those parameters starts from.
    std::map<std::pair<size_t, std::string>, std::unique_ptr<Instance>> partial;
    uint8_t all = 0;
    // Keys dropped while idle (by hash): the latest settled events of each, which its later
    // events must come after.
    std::unordered_map<uint64_t, std::vector<std::pair<uint32_t, uint32_t>>> dropped;
  };

  Instance& instanceFor(size_t r, const Match& m);
  // The template to copy for new values `params` (partial templates of levels below `below`).
  const Instance* templateFor(size_t r, const std::vector<Value>& params, size_t below) const;
  void copyInstance(size_t r, const std::string* key, const Instance& t, Instance& in);
  void addTo(size_t r, const std::string* key, Instance& in, EventHandle h, const KeptEvent& ev, Roles mask);
  // How many of the instance's first window events form a segment that can be collapsed.
  size_t settledPrefix(const Instance& in) const;
  void tryCollapse(size_t r, const std::string* key, Instance& in);
  // Whether an instance is idle (nothing unsettled, in the initial state) and may be dropped.
  bool idle(size_t r, const Instance& in) const;
  void dropIdle(size_t r, const std::string& key);
  void sweep();
  // Collapsing the first k window events of an instance: the search's input, the search (on any
  // thread), and its result applied to the instance.
  struct Job {
    size_t rule = 0;
    const std::string* key = nullptr;
    Instance* in = nullptr;
    size_t k = 0;
    bool atEnd = false;
    uint64_t budget = 0;
    std::vector<SegmentEvent> seg;
    std::vector<MonState> starts;
    SegmentResult res;
  };
  Job prepare(size_t r, const std::string* key, Instance& in, size_t k, bool atEnd) const;
  void apply(Job& j);
  void runBatch(std::vector<Job>& jobs);
  void collapse(size_t r, const std::string* key, Instance& in, size_t k, bool atEnd);
  void giveUp(size_t r, const std::string* key, Instance& in, std::string why, uint64_t states);
  void clear(Instance& in);
  void hold(const Boundary& b);
  void drop(const Boundary& b);
  static bool after(const KeptEvent& ev, const std::vector<std::pair<uint32_t, uint32_t>>& cut);

  const Spec& spec_;
  const std::vector<RuleAutomaton>& autos_;
  EventStore& store_;
  const HappensBefore& hb_;
  const TraceTables& tables_;
  PredictionOptions opts_;
  std::vector<RuleRun> runs_;
  std::vector<Explorer> explorers_;  // one per thread searching
  std::vector<FoundViolation> found_;
  std::vector<Inconclusive> inconclusive_;
  uint64_t peakWindow_ = 0;
  uint64_t nextSweep_ = 0;
};

}  // namespace vc
