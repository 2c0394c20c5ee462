// What the checker found, in terms reporters can print without the trace tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "check/automaton.h"
#include "trace/event.h"

namespace vc {

// An event as reports show it: resolved names, its origin and its thread.
struct EventRef {
  uint64_t seq = 0;  // index in the recorded (merged) order
  std::string name;
  std::vector<std::pair<std::string, Value>> fields;
  std::string file;
  uint64_t line = 0;
  uint32_t thread = 0;
  std::string threadLabel;
  bool hasTs = false;
  int64_t ts = 0;
  std::string brief() const;  // name(field=value, ...)
};

enum class ViolationKind : uint8_t { Observed, Predicted };

// What makes a drawn happens-before edge (x, y): program order (one thread), a sync of the run
// (`sync`: an index into Spec::syncs, from the sync files), the trace's own `after` ids, or a path
// through events the picture does not show.
struct EdgeKind {
  enum Kind : uint8_t { ProgramOrder, Sync, TraceEdge, Path };
  Kind kind = Path;
  uint32_t sync = UINT32_MAX;
};

struct UnorderedPair {
  EventRef first, second;  // recorded first-then-second; nothing orders first before second
};

struct Violation {
  size_t rule = 0;  // index in Spec::rules
  ViolationKind kind = ViolationKind::Observed;
  std::vector<std::pair<std::string, std::string>> params;  // forall bindings of the instance
  Verdict verdict;
  std::string message;
  std::optional<EventRef> culprit;  // empty: at the end of the trace / interval
  std::optional<EventRef> anchor;
  std::vector<EventRef> context;  // a few events recorded just before the culprit
  // Predicted only.
  std::vector<EventRef> witness;       // the tail of the bad linearisation, ending at the culprit
  uint64_t witnessOmitted = 0;         // events of the witness before `witness`
  bool witnessOmittedRecorded = true;  // those are in recorded order
  std::vector<UnorderedPair> unordered;
  std::vector<std::pair<size_t, size_t>> witnessEdges;  // happens-before covering edges among `witness`
  // With --dot: the happens-before neighbourhood of the unordered pair (their latest common
  // ancestors and the paths from there), and its covering edges.
  std::vector<EventRef> graph;
  std::vector<std::pair<size_t, size_t>> graphEdges;
  // With --dot / --format html: what makes each edge (parallel to witnessEdges, graphEdges).
  std::vector<EdgeKind> witnessEdgeKinds, graphEdgeKinds;
};

// A rule instance whose prediction could not be decided: the exploration or window budget ran
// out, or a thread joined it unordered with its settled events (see check/prediction.h).
struct Inconclusive {
  size_t rule = 0;
  std::vector<std::pair<std::string, std::string>> params;
  uint64_t states = 0;
  std::string why;  // what stopped it, in words
};

// Which orders judged a rule (a bit set).
enum JudgedBy : uint8_t { kJudgedRecorded = 1, kJudgedEveryOrder = 2 };

struct RuleStats {
  uint64_t instances = 0;        // instances created
  uint64_t peakLive = 0;         // most instances alive at once (recorded-order check)
  uint64_t events = 0;           // events that matched a pattern of the rule
  uint64_t roleEvents[6] = {};   // per role (bit position of Role)
  uint64_t roleNames[6] = {};    // per role: events with the name of one of its patterns (predicates aside)
  uint8_t roleExamined[6] = {};  // per role: 1 once an event had a pattern's name and every field it reads
  bool scopeOpened = false;      // some instance's scope opened (always, for unscoped rules)
  // Exercised: the trace gave the rule something to judge (docs/guarantees.md). A rule that was
  // not exercised has not "held": reports say "not exercised" and why.
  bool exercised = false;
  std::string notExercisedWhy;
  uint8_t judgedBy = 0;  // JudgedBy bits
};

enum class RuleVerdict : uint8_t { Holds, Violated, Inconclusive, NotExercised };
const char* ruleVerdictName(RuleVerdict v);  // "holds", "violated", "inconclusive", "not-exercised"

struct CheckResult {
  std::vector<Violation> violations;  // deterministic order
  std::vector<Inconclusive> inconclusive;
  std::vector<RuleStats> ruleStats;
  std::vector<Source> sources;         // what was read (copied from the trace tables at the end)
  std::vector<std::string> syncFiles;  // the sync files that built happens-before
  uint64_t events = 0;
  uint64_t ignoredEvents = 0;  // events no rule mentions
  uint64_t lostEvents = 0;     // reported lost by the sources
  size_t threads = 0;
  uint64_t syncEdges = 0;
  bool hbBuilt = false;
  uint8_t orders = 0;           // JudgedBy bits: the orders this check explored
  uint64_t peakWindow = 0;      // prediction: the largest window of unordered events of an instance
  uint64_t peakKeptEvents = 0;  // prediction: the most events kept at once

  RuleVerdict verdict(size_t rule) const;
  size_t exercisedRules() const;
};

}  // namespace vc
