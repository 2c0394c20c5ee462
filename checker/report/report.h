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

const char* kindName(ViolationKind k);  // "observed" / "predicted"

}  // namespace vc
