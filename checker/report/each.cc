// Choosing a reporter, and --each: several runs, one report.
#include "build-info/build-info.h"
#include "report/parts.h"

namespace vc {

const std::vector<std::string>& reportFormats() {
  static const std::vector<std::string> formats = {"text", "json", "junit", "sarif", "dot", "html"};
  return formats;
}

const std::vector<Violation>& knownViolations(const ReportInput& in) {
  static const std::vector<Violation> none;
  return in.known ? *in.known : none;
}

std::string ruleVerdictText(const ReportInput& in, size_t rule) {
  RuleVerdict v = in.result.verdict(rule);
  if (v != RuleVerdict::Violated)
    for (const auto& k : knownViolations(in))
      if (k.rule == rule) return "known";
  return ruleVerdictName(v);
}

std::string renderReport(const std::string& format, const std::vector<ReportInput>& runs, bool each) {
  if (format == "html") return htmlReport(runs);
  if (each) return renderEach(format, runs);
  const ReportInput& in = runs.at(0);
  if (format == "json") return jsonReport(in);
  if (format == "junit") return junitReport(in);
  if (format == "sarif") return sarifReport(in);
  if (format == "dot") return dotReport(in);
  return textReport(in);
}

std::string renderEach(const std::string& format, const std::vector<ReportInput>& runs) {
  if (format == "json") {
    nlohmann::ordered_json root;
    root["vconform"] = versionString();
    root["schema"] = 1;
    auto arr = nlohmann::ordered_json::array();
    for (const auto& r : runs) arr.push_back(jsonReportObject(r));
    root["runs"] = arr;
    return root.dump(2) + "\n";
  }
  if (format == "junit") {
    std::vector<JunitSuite> suites;
    suites.reserve(runs.size());
    for (const auto& r : runs) suites.push_back(junitSuite(r, r.traces.empty() ? "vconform" : r.traces[0]));
    return junitDocument(suites);
  }
  if (format == "sarif") {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& r : runs) arr.push_back(sarifRunObject(r));
    return sarifDocument(arr);
  }
  std::string out;
  size_t violated = 0, held = 0, failed = 0;
  for (const auto& r : runs) {
    out += "== " + (r.traces.empty() ? std::string("run") : r.traces[0]) + " ==\n" + textReport(r) + "\n";
    if (r.failed || r.noVerdict)
      ++failed;
    else
      (r.result.violations.empty() ? held : violated)++;
  }
  out += "vconform: " + std::to_string(runs.size()) + " runs checked: " + std::to_string(violated) +
         " with violations, " + std::to_string(held) + " without";
  if (failed) out += ", " + std::to_string(failed) + " with no verdict (the inputs could not be used)";
  out += "\n";
  return out;
}

}  // namespace vc
