// Reporters: one per output format. They only format a CheckResult; deterministic output.
#pragma once

#include <string>
#include <vector>

#include "check/violation.h"
#include "diag/diagnostic.h"
#include "spec/model.h"

namespace vc {

struct ReportInput {
  const Spec& spec;
  const CheckResult& result;
  std::vector<std::string> traces;  // as given on the command line
  bool verbose = false;
  // This run's diagnostics (warnings; and the errors when `failed`). May be null.
  const Diagnostics* diags = nullptr;
  // No verdict: the inputs could not be used (exit 2). Only traces, spec.files and diags mean
  // anything; every format still says why (a JUnit error, a SARIF notification, JSON diagnostics).
  bool failed = false;
  // Checked, but still no verdict (exit 2: no rule of the spec was exercised): the report is
  // written in full, and says "error" (JSON verdict, a JUnit error, SARIF executionSuccessful).
  bool noVerdict = false;
  bool color = false;        // text: ANSI colours (a terminal)
  std::string baselineFile;  // --baseline: where `known` came from
  // Violations the --baseline accepts (taken out of result.violations: reported, never failing).
  // May be null.
  const std::vector<Violation>* known = nullptr;
};

std::string textReport(const ReportInput& in);
std::string jsonReport(const ReportInput& in);   // schema: docs/report-format.md
std::string dotReport(const ReportInput& in);    // Graphviz: one cluster per violation
std::string junitReport(const ReportInput& in);  // one testcase per rule
std::string sarifReport(const ReportInput& in);  // SARIF 2.1.0, one result per violation

// --each: one report holding several runs (text sections, a JSON "runs" array, one JUnit
// testsuite and one SARIF run per trace).
std::string renderEach(const std::string& format, const std::vector<ReportInput>& runs);

// The report of `format` (text, json, junit, sarif, dot) for one run, or for several with
// `each` (renderEach).
std::string renderReport(const std::string& format, const std::vector<ReportInput>& runs, bool each);

// The formats check can write, for flags and "did you mean".
const std::vector<std::string>& reportFormats();

const char* kindName(ViolationKind k);  // "observed" / "predicted"

// The known violations of a report (none when ReportInput::known is null).
const std::vector<Violation>& knownViolations(const ReportInput& in);
// The verdict of rule `rule` as reports name it: result.verdict()'s name ("holds", "violated",
// "inconclusive", "not-exercised"), or "known" when its only violations are known ones.
std::string ruleVerdictText(const ReportInput& in, size_t rule);

// Shared wording: how a rule was judged ("the recorded order", "every order happens-before
// allows"), and what was read from a source, in one line.
std::string judgedByText(uint8_t judgedBy);
std::string sourceText(const Source& s);

}  // namespace vc
