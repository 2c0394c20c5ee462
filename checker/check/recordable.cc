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

}  // namespace

std::vector<std::string> unrecordableRules(const Spec& spec, const SymbolTable& symbols,
                                           const std::vector<Source>& sources) {
  std::vector<std::string> why(spec.rules.size());
  if (sources.empty()) return why;
  for (size_t r = 0; r < spec.rules.size(); ++r) why[r] = otherDevice(spec.rules[r], symbols, sources);
  std::string from;  // which traces, read through which maps
  for (const Source& src : sources) {
    if (!src.vocabularyKnown) return why;
    from += (from.empty() ? "" : ", ") + src.path + (src.map.empty() ? "" : " (map " + src.map + ")");
  }
  for (size_t r = 0; r < spec.rules.size(); ++r) {
    const Rule& rule = spec.rules[r];
    for (int ri = 0; ri < kRoleCount && why[r].empty(); ++ri) {
      const auto& ms = rule.roles[static_cast<size_t>(ri)];
      if (ms.empty()) continue;
      bool any = false;
      std::vector<std::string> events;  // declared event names, in pattern order, once each
      for (const auto& m : ms) {
        for (Symbol n : m.names)
          for (const Source& src : sources) any = any || canRecord(src, symbols.name(n));
        if (std::find(events.begin(), events.end(), m.event) == events.end()) events.push_back(m.event);
      }
      if (any) continue;
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
