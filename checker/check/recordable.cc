#include "check/recordable.h"

#include <algorithm>

namespace vc {

std::vector<std::string> unrecordableRules(const Spec& spec, const SymbolTable& symbols,
                                           const std::vector<Source>& sources) {
  std::vector<std::string> why(spec.rules.size());
  if (sources.empty()) return why;
  std::string from;  // which traces, read through which maps
  for (const Source& src : sources) {
    if (!src.vocabularyKnown) return why;
    from += (from.empty() ? "" : ", ") + src.path + (src.map.empty() ? "" : " (map " + src.map + ")");
  }
  auto recordable = [&](Symbol n) {
    const std::string& name = symbols.name(n);
    for (const Source& src : sources)
      if (std::binary_search(src.vocabulary.begin(), src.vocabulary.end(), name)) return true;
    return false;
  };
  for (size_t r = 0; r < spec.rules.size(); ++r) {
    const Rule& rule = spec.rules[r];
    for (int ri = 0; ri < kRoleCount && why[r].empty(); ++ri) {
      const auto& ms = rule.roles[static_cast<size_t>(ri)];
      if (ms.empty()) continue;
      bool any = false;
      std::vector<std::string> events;  // declared event names, in pattern order, once each
      for (const auto& m : ms) {
        for (Symbol n : m.names) any = any || recordable(n);
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
