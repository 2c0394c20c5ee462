// Rules a run's traces cannot judge: a text log read through a map gives only the events its map
// names, so a rule with a part (left or right side, a scope's opening or closing, a state's
// opening or closing) none of whose events any trace of the run can give has nothing to judge
// there; run anyway, the log's silence would read as the back-end's fault (docs/guarantees.md).
// Likewise a rule of a spec declared for one device type (`spec NAME device "rng"`) when every
// trace that can give it an event says it is of another device (Source::device).
// Applied to a finished check's result, after the engine: the engine judges every rule the same
// way, this only decides which of its verdicts the run can back.
#pragma once

#include <string>
#include <vector>

#include "check/violation.h"
#include "spec/model.h"

namespace vc {

// Per rule of `spec`: why the traces in `sources` cannot record one of its parts ("no trace of
// this run can record E (read: ...)", or that the traces are of another device), or "" when they
// can all be recorded. The vocabulary test is skipped as soon as one source may give any event
// name (JSON, CTF, tracing JSON: Source::vocabularyKnown false).
std::vector<std::string> unrecordableRules(const Spec& spec, const SymbolTable& symbols,
                                           const std::vector<Source>& sources);

// Marks the rules unrecordableRules() names as not exercised in `res` (with its reason) and
// drops their violations and inconclusive instances. Returns how many rules it marked.
size_t dropUnrecordableRules(const Spec& spec, const SymbolTable& symbols, CheckResult& res);

}  // namespace vc
