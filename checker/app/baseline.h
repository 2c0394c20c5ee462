// Baselines: violations a project has accepted for now, so a CI check fails only on new ones.
// `vconform check ... --write-baseline known.json` writes the violations of a run; `--baseline
// known.json` moves the violations it lists out of the run's violations (reported as known, not
// failing).
//
// A violation is identified by what stays the same when the same fault is recorded again: the
// rule id, the rule instance (its forall parameters), and the event at which the rule broke (the
// culprit; else the anchor; else "the end of the trace"), as its name and the fields the rule
// looks at (those its patterns bind or compare with constants). Never by line, sequence number,
// timestamp, thread id, a field the rule ignores (lengths, descriptor heads, counters differ from
// run to run), or a field the rule compares with a register or with another field (data values:
// `base != next & 0xffff` reads how many buffers the run took).
// Whether it was observed or predicted is not part of it: a race recorded twice may show either.
// A baseline is a multiset: an entry with "count": 2 accepts two such violations.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "check/violation.h"
#include "diag/diagnostic.h"
#include "spec/model.h"
#include "trace/event.h"

namespace vc {

struct BaselineEntry {
  std::string rule;
  std::vector<std::pair<std::string, std::string>> instance;  // forall parameter -> value
  std::string event;                                          // "" = the end of the trace
  std::vector<std::pair<std::string, std::string>> fields;    // the fields the rule looks at, as text
  uint64_t count = 1;
  std::string kind;     // observed / predicted: information only, not matched
  std::string message;  // for people reading the file; not matched

  std::string key() const;  // the identity, as one canonical string
};

// The identity of violation `v` of `spec` (symbols: the run's symbol table).
BaselineEntry baselineEntry(const Spec& spec, const SymbolTable& symbols, const Violation& v);

struct Baseline {
  std::string path;
  std::map<std::string, uint64_t> remaining;  // key -> violations still accepted
  std::map<std::string, BaselineEntry> entries;
};

// Reads a baseline file. False after a diagnostic (code "baseline", with the file's line and column).
bool loadBaseline(const std::string& path, Baseline& out, Diagnostics& diags);
// The same, for the text of a baseline file named `path` (in diagnostics).
bool parseBaseline(const std::string& path, const std::string& text, Baseline& out, Diagnostics& diags);

// Moves the violations the baseline still accepts from `violations` to `known`.
void applyBaseline(const Spec& spec, const SymbolTable& symbols, std::vector<Violation>& violations,
                   std::vector<Violation>& known, Baseline& baseline);

// The baseline file listing `entries` (merged by identity, counted), deterministic.
std::string baselineText(const std::vector<BaselineEntry>& entries);

}  // namespace vc
