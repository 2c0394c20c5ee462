// Reporters: one per output format. They only format a CheckResult; deterministic output.
#pragma once

#include <string>
#include <vector>

#include "check/violation.h"
#include "spec/model.h"

namespace vc {

struct ReportInput {
  const Spec& spec;
  const CheckResult& result;
  std::vector<std::string> traces;  // as given on the command line
  bool verbose = false;
};

std::string textReport(const ReportInput& in);
std::string jsonReport(const ReportInput& in);   // schema: docs/report-format.md
std::string dotReport(const ReportInput& in);    // Graphviz: one cluster per violation
std::string junitReport(const ReportInput& in);  // one testcase per rule
std::string sarifReport(const ReportInput& in);  // SARIF 2.1.0, one result per violation

// --each: one report holding several runs (text sections, a JSON "runs" array, one JUnit
// testsuite and one SARIF run per trace).
std::string renderEach(const std::string& format, const std::vector<ReportInput>& runs);

const char* kindName(ViolationKind k);  // "observed" / "predicted"

// Shared wording: how a rule was judged ("the recorded order", "every order happens-before
// allows"), and what was read from a source, in one line.
std::string judgedByText(uint8_t judgedBy);
std::string sourceText(const Source& s);

}  // namespace vc
