// Report pieces shared between a single run's report and --each's several runs (report/each.cc).
// Internal to report/: include report.h instead.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "report/report.h"

namespace vc {

nlohmann::ordered_json jsonReportObject(const ReportInput& in);
nlohmann::ordered_json diagnosticsJson(const Diagnostics* diags);  // [{severity, code, file, line, col, message, help}]
nlohmann::ordered_json sarifRunObject(const ReportInput& in);
// One <testsuite> element (indented for <testsuites>), and its counts.
struct JunitSuite {
  std::string xml;
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};
JunitSuite junitSuite(const ReportInput& in, const std::string& name);
std::string junitDocument(const std::vector<JunitSuite>& suites);
std::string sarifDocument(nlohmann::ordered_json runs);

}  // namespace vc
