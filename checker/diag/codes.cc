#include "diag/codes.h"

#include <algorithm>

namespace vc {

const std::vector<WarningCode>& warningCodes() {
  static const std::vector<WarningCode> codes = {
      {"hb-duplicate-id", "two trace events carry the same id: `after` edges to it are ambiguous"},
      {"hb-missing-id", "an `after` names an id no event of the trace carries"},
      {"hb-sync-unused", "a sync of a --sync file matched no event of the run"},
      {"hb-unmatched-receive", "a receive event whose send was never seen"},
      {"hb-unmatched-send", "a send event never received"},
      {"lint-always", "lint: a comparison that holds always or never, whatever the event's fields"},
      {"lint-at-most-0", "lint: `at most 0` is `never`"},
      {"lint-never-matches", "lint: a pattern that can never match"},
      {"lint-register-never-set", "lint: a register with no initial value that no update samples"},
      {"lint-says", "lint: a rule without a plain-words statement"},
      {"lint-unused-event", "lint: an event declared but used by no rule or sync"},
      {"lint-vacuous", "lint --trace: a rule that never fires on the trace"},
      {"spec-lint", "a spec construct that is legal but probably not what was meant"},
      {"trace-ctf-stream", "a CTF stream file that could not be read (counted as lost events)"},
      {"trace-lost", "the trace says it lost events (checked anyway with --allow-lost)"},
      {"trace-runs-disjoint", "traces given together neither synchronise nor overlap in time"},
      {"trace-time-backwards", "timestamps of a thread go backwards"},
  };
  return codes;
}

bool isWarningCode(const std::string& code) {
  const auto& all = warningCodes();
  return std::any_of(all.begin(), all.end(), [&](const WarningCode& w) { return code == w.code; });
}

void dropAllowed(Diagnostics& diags, const std::vector<std::string>& allowed) {
  if (allowed.empty()) return;
  diags.removeIf([&](const Diagnostic& d) {
    return d.severity != Severity::Error && std::find(allowed.begin(), allowed.end(), d.code) != allowed.end();
  });
}

}  // namespace vc
