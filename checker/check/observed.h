// The observed check: every rule instance streamed through its automaton in the judged order
// (the recorded order), with per-parameter instances made on demand and dropped when idle.
// Memory is linear in the live instances.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "check/automaton.h"
#include "check/dispatch.h"
#include "check/violation.h"
#include "spec/model.h"

namespace vc {

// The last few events of the judged order, for the context of an observed violation.
class RecentEvents {
 public:
  explicit RecentEvents(size_t n) : ring_(n) {}
  // Takes the event (swapping: `ev` gets an old event back, keeping its capacity).
  void push(uint64_t seq, Event& ev) {
    if (!ring_.empty()) std::swap(ring_[seq % ring_.size()], ev);
  }
  // The events recorded just before `seq` (oldest first).
  void before(uint64_t seq, const TraceTables& tables, std::vector<EventRef>& out) const;

 private:
  std::vector<Event> ring_;
};

class ObservedCheck {
 public:
  // `report(r)`: whether observed violations of rule r are reported (all, but with --order hb
  // only the rules prediction does not judge).
  ObservedCheck(const Spec& spec, const std::vector<RuleAutomaton>& autos, const TraceTables& tables,
                std::function<bool(size_t)> report, std::vector<RuleStats>& stats);
  // One event's matches of rule `r` (all of them: bound and broadcast, for one rule).
  void step(size_t r, std::span<const Match> matches, const Event& ev, uint64_t seq, const RecentEvents& recent);
  // The end of the run: end-of-trace obligations, instance statistics.
  void finish();
  // A reported violation of an instance: prediction has nothing more to say about it.
  std::function<void(size_t rule, const std::string& key)> onFailed;
  bool failed(size_t rule, const std::string& key) const { return failed_.count({rule, key}) > 0; }
  std::vector<Violation>& violations() { return violations_; }
  // The violations of the rules not reported (see `report`), in the order found.
  std::vector<Violation>& held() { return held_; }

 private:
  struct Instance {
    MonState st;
    std::vector<Value> params;
    std::vector<std::pair<uint64_t, Event>> snaps;  // events the state refers to
  };
  struct RuleRun {
    std::unordered_map<std::string, Instance> inst;
    Instance templ;  // what a new instance starts from: the broadcast events so far
    // Partial templates (Rule::partials): per level and partial key, what a new instance that
    // agrees on those parameters starts from.
    std::map<std::pair<size_t, std::string>, Instance> partial;
    uint8_t all = 0;          // the bits of every parameter
    bool canCollect = false;  // instances back in the initial state may be dropped
    bool hasParams = false;
    uint64_t created = 0;
    uint64_t peakLive = 0;
  };
  std::unordered_map<std::string, Instance>::iterator instanceFor(size_t r, RuleRun& run, const Match& m);
  // The template a new instance (or partial template) with these values starts from: the
  // deepest partial template of levels below `below` it agrees with, made if missing.
  Instance& templateFor(size_t r, RuleRun& run, const std::vector<Value>& params, size_t below);
  // `key`: the instance's key; nullptr for the template.
  void stepInstance(size_t r, const std::string* key, Instance& in, Roles mask, const Event& ev, uint64_t seq,
                    const RecentEvents& recent);
  void report(size_t r, const std::string& key, const Instance& in, const Verdict& v, const Event* current,
              uint64_t seq, const RecentEvents* recent);

  const Spec& spec_;
  const std::vector<RuleAutomaton>& autos_;
  const TraceTables& tables_;
  std::function<bool(size_t)> reports_;
  std::vector<RuleStats>& stats_;
  std::vector<RuleRun> runs_;
  std::vector<Violation> violations_;
  std::vector<Violation> held_;
  std::set<std::pair<size_t, std::string>> failed_;
};

}  // namespace vc
