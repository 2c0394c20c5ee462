// --each: several runs, one report.
#include "report/parts.h"

namespace vc {

std::string renderEach(const std::string& format, const std::vector<ReportInput>& runs) {
  if (format == "json") {
    nlohmann::ordered_json root;
    root["vconform"] = "0.1.0";
    root["schema"] = 1;
    auto arr = nlohmann::ordered_json::array();
    for (const auto& r : runs) arr.push_back(jsonReportObject(r));
    root["runs"] = arr;
    return root.dump(2) + "\n";
  }
  if (format == "junit") {
    std::vector<JunitSuite> suites;
    for (const auto& r : runs) suites.push_back(junitSuite(r, r.traces.empty() ? "vconform" : r.traces[0]));
    return junitDocument(suites);
  }
  if (format == "sarif") {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& r : runs) arr.push_back(sarifRunObject(r));
    return sarifDocument(arr);
  }
  std::string out;
  size_t violated = 0, held = 0;
  for (const auto& r : runs) {
    out += "== " + (r.traces.empty() ? std::string("run") : r.traces[0]) + " ==\n" + textReport(r) + "\n";
    (r.result.violations.empty() ? held : violated)++;
  }
  out += "vconform: " + std::to_string(runs.size()) + " runs checked: " + std::to_string(violated) + " with violations, " +
         std::to_string(held) + " without\n";
  return out;
}

}  // namespace vc
