#include "check/recordable.h"

#include <algorithm>

namespace vc {

namespace {

bool canRecord(const Source& src, const std::string& name) {
  return !src.vocabularyKnown || std::binary_search(src.vocabulary.begin(), src.vocabulary.end(), name);
}

bool canRecordAny(const Source& src, const SymbolTable& symbols, const Rule& rule) {
  for (const auto& ms : rule.roles)
    for (const auto& m : ms)
      for (Symbol n : m.names)
        if (canRecord(src, symbols.name(n))) return true;
  return false;
}

// A rule of a spec declared for one device type (`spec NAME device "rng"`) is about that device:
// when every trace that can give it an event says it is of another device (a virtio-fs daemon's
// log, whose `pop` is a virtio-fs queue's), it is not judged. A trace that does not say which
// device it is of is judged, as before devices were declared.
std::string otherDevice(const Rule& rule, const SymbolTable& symbols, const std::vector<Source>& sources) {
  if (rule.device.empty()) return {};
  std::string others;
  for (const Source& src : sources) {
    if (!canRecordAny(src, symbols, rule)) continue;
    if (src.device.empty() || src.device == rule.device) return {};
    others += (others.empty() ? "" : ", ") + src.path + " is of a \"" + src.device + "\" device";
  }
  if (others.empty()) return {};
  return "a rule about the \"" + rule.device + "\" device, and " + others;
}

// Registers a comparison reads, as a bit mask.
uint32_t regsRead(const Pred& p) {
  uint32_t mask = 0;
  for (const ExprCode* c : {&p.lhs, &p.rhs})
    for (const auto& n : c->nodes)
      if (n.op == ExprCode::Op::Reg) mask |= 1u << n.reg;
  return mask;
}

}  // namespace

std::vector<std::string> unrecordableRules(const Spec& spec, const SymbolTable& symbols,
                                           const std::vector<Source>& sources) {
  std::vector<std::string> why(spec.rules.size());
  if (sources.empty()) return why;
  for (size_t r = 0; r < spec.rules.size(); ++r) why[r] = otherDevice(spec.rules[r], symbols, sources);
  // Which traces, read through which maps. A trace whose vocabulary is not known (JSON) can record
  // any event: then only registers the spec itself never sets make a rule unrecordable.
  std::string from;
  for (const Source& src : sources)
    from += (from.empty() ? "" : ", ") + src.path + (src.map.empty() ? "" : " (map " + src.map + ")");
  auto recordable = [&](const Matcher& m) {
    for (Symbol n : m.names)
      for (const Source& src : sources)
        if (canRecord(src, symbols.name(n))) return true;
    return false;
  };
  for (size_t r = 0; r < spec.rules.size(); ++r) {
    const Rule& rule = spec.rules[r];
    // A register is set by its initial value or by a sampling update (an accumulator leaves an
    // unset register unset); one no log can set keeps every comparison reading it false.
    uint32_t settable = 0, specSets = 0;  // by the events of this run; by the spec at all
    for (size_t g = 0; g < rule.regs.size(); ++g)
      if (rule.regs[g].hasInit) settable |= 1u << g;
    specSets = settable;
    for (const Update& u : rule.updates) {
      if (u.kind != Update::Kind::Sample) continue;
      specSets |= 1u << u.reg;
      if (recordable(u.m)) settable |= 1u << u.reg;
    }
    for (int ri = 0; ri < kRoleCount && why[r].empty(); ++ri) {
      const auto& ms = rule.roles[static_cast<size_t>(ri)];
      if (ms.empty()) continue;
      bool any = false;
      uint32_t unset = 0;               // registers that kept a recordable pattern from matching
      std::vector<std::string> events;  // declared event names, in pattern order, once each
      for (const auto& m : ms) {
        if (recordable(m)) {
          uint32_t reads = 0;
          for (const Pred& p : m.dynPreds) reads |= regsRead(p);
          if ((reads & ~settable) == 0) any = true;
          unset |= reads & ~settable;
        }
        if (std::find(events.begin(), events.end(), m.event) == events.end()) events.push_back(m.event);
      }
      if (any) continue;
      if (unset & ~specSets) {
        std::string regs;
        for (size_t g = 0; g < rule.regs.size(); ++g)
          if (unset & ~specSets & (1u << g)) regs += (regs.empty() ? "" : ", ") + rule.regs[g].name;
        why[r] = "register " + regs +
                 " is never set: it has no initial value and no update samples it, so every comparison "
                 "with it is false (an accumulator leaves an unset register unset)";
        continue;
      }
      if (unset) {
        std::string regs, setters;
        for (size_t g = 0; g < rule.regs.size(); ++g) {
          if (!(unset & (1u << g))) continue;
          regs += (regs.empty() ? "" : ", ") + rule.regs[g].name;
          for (const Update& u : rule.updates)
            if (u.reg == g && u.kind == Update::Kind::Sample && setters.find(u.m.event) == std::string::npos)
              setters += (setters.empty() ? "" : " or ") + u.m.event;
        }
        why[r] = "register " + regs + " is never set: no trace of this run can record " +
                 (setters.empty() ? std::string("an event that sets it") : setters) + " (read: " + from + ")";
        continue;
      }
      std::string names;
      for (const auto& e : events) names += (names.empty() ? "" : " or ") + e;
      why[r] = "no trace of this run can record " + names + " (read: " + from + ")";
    }
  }
  return why;
}

size_t dropUnrecordableRules(const Spec& spec, const SymbolTable& symbols, CheckResult& res) {
  std::vector<std::string> why = unrecordableRules(spec, symbols, res.sources);
  size_t dropped = 0;
  for (size_t r = 0; r < why.size() && r < res.ruleStats.size(); ++r) {
    if (why[r].empty()) continue;
    res.ruleStats[r].exercised = false;
    res.ruleStats[r].notExercisedWhy = why[r];
    ++dropped;
  }
  if (!dropped) return 0;
  std::erase_if(res.violations, [&](const Violation& v) { return v.rule < why.size() && !why[v.rule].empty(); });
  std::erase_if(res.inconclusive, [&](const Inconclusive& i) { return i.rule < why.size() && !why[i.rule].empty(); });
  return dropped;
}

}  // namespace vc
