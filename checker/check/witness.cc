#include "check/witness.h"

#include <algorithm>

#include "check/explain.h"

namespace vc {

Violation describeFound(const Spec& spec, const FoundViolation& f, const EventStore& store, const TraceTables& tables,
                        bool asObserved, size_t witnessMax) {
  const Rule& rule = spec.rules[f.rule];
  Violation out;
  out.rule = f.rule;
  out.kind = asObserved ? ViolationKind::Observed : ViolationKind::Predicted;
  out.params = paramText(rule, f.params);
  const Verdict& v = f.verdict;
  if (v.culprit != kNoRef) out.culprit = store.ref(static_cast<EventHandle>(v.culprit), tables);
  if (v.anchor != kNoRef) out.anchor = store.ref(static_cast<EventHandle>(v.anchor), tables);
  out.message = explain(rule, v, out.culprit ? &*out.culprit : nullptr, out.anchor ? &*out.anchor : nullptr);
  // Reporters speak of events by their place in the judged order.
  out.verdict = v;
  out.verdict.culprit = out.culprit ? out.culprit->seq : kNoRef;
  out.verdict.anchor = out.anchor ? out.anchor->seq : kNoRef;

  // The witness: from its first departure from the recorded order, up to a few events after the
  // culprit, at most witnessMax events.
  const auto& order = f.order;
  const size_t culpritAt = f.culpritAt != SIZE_MAX ? f.culpritAt : (order.empty() ? 0 : order.size() - 1);
  const size_t to = std::min(order.size(), culpritAt + 1 + 4);
  size_t from = std::min(f.firstDeviation, culpritAt);
  if (to - from > witnessMax) from = to - witnessMax;
  out.witnessOmitted = f.before + from;
  out.witnessOmittedRecorded = f.beforeRecorded && from <= f.firstDeviation;
  for (size_t j = from; j < to; ++j) out.witness.push_back(store.ref(order[j], tables));
  // Happens-before among the witness events, reduced to its covering edges (for --dot).
  {
    const size_t m = to - from;
    auto hb = [&](size_t x, size_t y) { return store.at(order[from + x]).before(store.at(order[from + y])); };
    for (size_t x = 0; x < m; ++x)
      for (size_t y = x + 1; y < m; ++y) {
        if (!hb(x, y)) continue;
        bool covered = false;
        for (size_t z = x + 1; z < y && !covered; ++z) covered = hb(x, z) && hb(z, y);
        if (!covered) out.witnessEdges.emplace_back(x, y);
      }
  }
  // The unordered pairs: an event recorded before the culprit that the witness puts after it (or
  // had not taken), an event recorded after the anchor that the witness puts before it.
  auto pair = [&](EventHandle first, EventHandle second) {
    if (out.unordered.size() < 3)
      out.unordered.push_back(UnorderedPair{store.ref(first, tables), store.ref(second, tables)});
  };
  auto seqOf = [&](EventHandle h) { return store.at(h).seq; };
  if (f.culpritAt != SIZE_MAX) {
    const EventHandle c = order[f.culpritAt];
    EventHandle best = kNoEvent;
    // Nearest (in recorded order) event recorded before the culprit and placed after it.
    auto consider = [&](EventHandle x) {
      if (seqOf(x) < seqOf(c) && (best == kNoEvent || seqOf(x) > seqOf(best))) best = x;
    };
    for (size_t j = f.culpritAt + 1; j < order.size(); ++j) consider(order[j]);
    for (EventHandle x : f.left) consider(x);
    if (best != kNoEvent) pair(best, c);
  }
  if (f.verdict.anchor != kNoRef) {
    const EventHandle a = static_cast<EventHandle>(f.verdict.anchor);
    auto at = std::find(order.begin(), order.end(), a);
    if (at != order.end()) {
      EventHandle best = kNoEvent;
      for (auto it = order.begin(); it != at; ++it)
        if (seqOf(*it) > seqOf(a) && (best == kNoEvent || seqOf(*it) < seqOf(best))) best = *it;
      if (best != kNoEvent) pair(a, best);
    }
  }
  if (out.unordered.empty()) {
    // Any pair the witness puts out of recorded order.
    for (size_t x = 0; x < to && out.unordered.empty(); ++x)
      for (size_t y = x + 1; y < to; ++y)
        if (seqOf(order[y]) < seqOf(order[x])) {
          pair(order[y], order[x]);
          break;
        }
  }
  return out;
}

}  // namespace vc
