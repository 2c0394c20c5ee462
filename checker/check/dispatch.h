// Dispatch: which rules, instances and roles an event plays. Built once from the spec; an event's
// name is resolved once (LTTng's provider:event names included), its candidate patterns come from
// a table by name, and its matches come out grouped by rule (each rule's matches contiguous), in
// time linear in the patterns that name it.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "check/violation.h"
#include "spec/model.h"

namespace vc {

// One event's part in one rule: the roles it plays for one instance (or, broadcast, for all).
// `params` point into the event being dispatched.
struct Match {
  size_t rule = 0;
  bool broadcast = false;
  uint8_t bound = 0;  // the parameters the pattern binds; partly: `key` has the others missing
  std::string key;    // the instance (appendKey of the parameter values); empty when broadcast
  uint8_t mask = 0;
  uint32_t cond = 0;  // patterns the automaton judges (Rule::conds) whose other arguments matched
  std::array<const Value*, 8> params{};
  uint8_t nparams = 0;
  std::vector<Value> values() const;
};

// An event's part in one instance: its roles, and the patterns the automaton judges.
struct Roles {
  uint8_t mask = 0;
  uint32_t cond = 0;
  explicit operator bool() const { return mask || cond; }
};

// The roles of one event's matches of one rule that reach every instance (broadcast patterns).
inline Roles broadcastRoles(std::span<const Match> ms) {
  Roles r;
  for (const auto& m : ms)
    if (m.broadcast) {
      r.mask |= m.mask;
      r.cond |= m.cond;
    }
  return r;
}

// The key of `params` projected on the parameters in `bound` (the others missing): what a
// partly bound match of those parameters has as its key.
std::string projectKey(const std::vector<Value>& params, uint8_t bound);

// The roles the event has for the instance `key`: the broadcast ones and its own.
inline Roles rolesFor(std::span<const Match> ms, const std::string& key, Roles broadcast) {
  Roles r = broadcast;
  for (const auto& m : ms)
    if (!m.broadcast && m.key == key) {
      r.mask |= m.mask;
      r.cond |= m.cond;
    }
  return r;
}

// The same with partly bound matches (Rule::partials): an instance (or a partial template of
// the parameters `own`) with parameter values `params` takes those whose bound parameters it has
// and agrees on. `own`: the parameters the instance has (all, for an instance).
Roles rolesFor(std::span<const Match> ms, const std::string& key, const std::vector<Value>& params, uint8_t own,
               Roles broadcast);

// Whether some match binds the rule's parameters partly (neither none nor all of `all`).
inline bool anyPartial(std::span<const Match> ms, uint8_t all) {
  for (const auto& m : ms)
    if (!m.broadcast && m.bound != all) return true;
  return false;
}

class Dispatcher {
 public:
  Dispatcher(const Spec& spec, const SymbolTable& symbols);
  // The name the spec knows the event by (a trace's provider:x is the spec's x).
  Symbol specName(Symbol traceName);
  // Whether some rule, or some sync, names this event (by its trace or spec name).
  bool ruled(Symbol name) const { return name < byName_.size() && !byName_[name].empty(); }
  bool synced(Symbol traceName, Symbol name) const {
    return (traceName < synced_.size() && synced_[traceName]) || (name < synced_.size() && synced_[name]);
  }
  // The event's matches, grouped by rule. Counts, in `stats`, the events each rule and role saw
  // (by name alone, and by full match). Valid until the next call.
  std::span<const Match> match(const Event& ev, Symbol name, std::vector<RuleStats>& stats);

 private:
  struct Entry {
    size_t rule;
    uint8_t role;
    int roleIndex;
    const Matcher* m;
    std::vector<Symbol> reads;  // every field the pattern binds or compares (role patterns only)
  };
  // Whether `ev` has every field of `reads`: the pattern could judge it (whatever the values).
  static bool hasFields(const Event& ev, const std::vector<Symbol>& reads);
  const Spec& spec_;
  const SymbolTable& symbols_;
  NameResolver names_;
  std::vector<std::vector<Entry>> byName_;  // spec symbol -> patterns naming it, rule by rule
  std::vector<uint8_t> synced_;
  std::vector<uint8_t> hasParams_;
  std::vector<Match> pool_;  // reused: the first n_ are the current event's matches
  size_t n_ = 0;
  std::vector<const Value*> params_;
  std::string keyBuf_;
};

}  // namespace vc
