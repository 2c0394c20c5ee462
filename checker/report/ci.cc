// Reports for CI systems: JUnit XML (one testcase per rule) and SARIF 2.1.0.
#include <nlohmann/json.hpp>

#include "report/parts.h"

namespace vc {

namespace {

std::string xmlEsc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') o += '?';
        else o += c;
    }
  }
  return o;
}

std::string oneLine(const Violation& v) {
  std::string s = std::string(kindName(v.kind)) + ": " + v.message;
  if (v.culprit) s += " at " + v.culprit->file + ":" + std::to_string(v.culprit->line);
  return s;
}

}  // namespace

JunitSuite junitSuite(const ReportInput& in, const std::string& name) {
  JunitSuite suite;
  std::string body;
  for (size_t i = 0; i < in.spec.rules.size(); ++i) {
    const Rule& r = in.spec.rules[i];
    ++suite.tests;
    body += "    <testcase classname=\"" + xmlEsc(r.file) + "\" name=\"" + xmlEsc(r.id) + "\">\n";
    std::string text;
    size_t n = 0;
    for (const auto& v : in.result.violations)
      if (v.rule == i) {
        ++n;
        text += oneLine(v) + "\n";
      }
    if (n) {
      ++suite.failures;
      body += "      <failure message=\"" + xmlEsc(std::to_string(n) + " violation(s) of " + r.id) + "\">" + xmlEsc(text) +
              "</failure>\n";
    } else if (in.result.verdict(i) == RuleVerdict::NotExercised) {
      ++suite.skipped;
      body += "      <skipped message=\"" + xmlEsc("not exercised: " + in.result.ruleStats[i].notExercisedWhy) + "\"/>\n";
    } else if (in.result.verdict(i) == RuleVerdict::Inconclusive) {
      ++suite.skipped;
      body += "      <skipped message=\"" +
              xmlEsc("inconclusive: the prediction was cut off by --predict-budget; the recorded order holds") + "\"/>\n";
    }
    body += "    </testcase>\n";
  }
  suite.xml = "  <testsuite name=\"" + xmlEsc(name) + "\" tests=\"" + std::to_string(suite.tests) + "\" failures=\"" +
              std::to_string(suite.failures) + "\" errors=\"0\" skipped=\"" + std::to_string(suite.skipped) + "\">\n" +
              body + "  </testsuite>\n";
  return suite;
}

std::string junitDocument(const std::vector<JunitSuite>& suites) {
  size_t tests = 0, failures = 0, skipped = 0;
  std::string body;
  for (const auto& s : suites) {
    tests += s.tests;
    failures += s.failures;
    skipped += s.skipped;
    body += s.xml;
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"" + std::to_string(tests) + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\">\n" + body +
         "</testsuites>\n";
}

std::string junitReport(const ReportInput& in) { return junitDocument({junitSuite(in, "vconform")}); }

nlohmann::ordered_json sarifRunObject(const ReportInput& in) {
  using J = nlohmann::ordered_json;
  J rules = J::array();
  for (const auto& r : in.spec.rules) {
    J jr;
    jr["id"] = r.id;
    jr["shortDescription"] = {{"text", r.says.empty() ? r.id : r.says}};
    if (!r.cite.empty()) jr["fullDescription"] = {{"text", r.cite}};
    rules.push_back(jr);
  }
  J results = J::array();
  for (const auto& v : in.result.violations) {
    const Rule& r = in.spec.rules[v.rule];
    J res;
    res["ruleId"] = r.id;
    res["level"] = "error";
    res["message"] = {{"text", oneLine(v)}};
    J locs = J::array();
    const EventRef* at = v.culprit ? &*v.culprit : v.anchor ? &*v.anchor : nullptr;
    if (at)
      locs.push_back({{"physicalLocation",
                       {{"artifactLocation", {{"uri", at->file}}}, {"region", {{"startLine", at->line}}}}}});
    else
      locs.push_back({{"physicalLocation", {{"artifactLocation", {{"uri", r.file}}}, {"region", {{"startLine", r.line}}}}}});
    res["locations"] = locs;
    res["properties"] = {{"kind", kindName(v.kind)}};
    results.push_back(res);
  }
  // Rules the trace did not exercise have no verdict: a notification says so (not a result).
  J notes = J::array();
  for (size_t i = 0; i < in.spec.rules.size(); ++i) {
    if (in.result.verdict(i) != RuleVerdict::NotExercised) continue;
    notes.push_back({{"level", "warning"},
                     {"message", {{"text", "rule " + in.spec.rules[i].id + " not exercised: " +
                                               in.result.ruleStats[i].notExercisedWhy}}},
                     {"associatedRule", {{"id", in.spec.rules[i].id}, {"index", i}}}});
  }
  J invocation = {{"executionSuccessful", true}};
  if (!notes.empty()) invocation["toolExecutionNotifications"] = notes;
  J run;
  run["tool"] = {{"driver", {{"name", "vconform"}, {"version", "0.1.0"}, {"rules", rules}}}};
  run["invocations"] = J::array({invocation});
  run["results"] = results;
  return run;
}

std::string sarifDocument(nlohmann::ordered_json runs) {
  nlohmann::ordered_json root;
  root["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  root["version"] = "2.1.0";
  root["runs"] = std::move(runs);
  return root.dump(2) + "\n";
}

std::string sarifReport(const ReportInput& in) {
  return sarifDocument(nlohmann::ordered_json::array({sarifRunObject(in)}));
}

}  // namespace vc
