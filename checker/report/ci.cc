// Reports for CI systems: JUnit XML (one testcase per rule) and SARIF 2.1.0.
#include <nlohmann/json.hpp>

#include "report/report.h"

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

std::string junitReport(const ReportInput& in) {
  std::string body;
  size_t failures = 0;
  for (size_t i = 0; i < in.spec.rules.size(); ++i) {
    const Rule& r = in.spec.rules[i];
    body += "    <testcase classname=\"" + xmlEsc(r.file) + "\" name=\"" + xmlEsc(r.id) + "\">\n";
    std::string text;
    size_t n = 0;
    for (const auto& v : in.result.violations)
      if (v.rule == i) {
        ++n;
        text += oneLine(v) + "\n";
      }
    if (n) {
      ++failures;
      body += "      <failure message=\"" + xmlEsc(std::to_string(n) + " violation(s) of " + r.id) + "\">" + xmlEsc(text) +
              "</failure>\n";
    }
    body += "    </testcase>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"vconform\" tests=\"" +
         std::to_string(in.spec.rules.size()) + "\" failures=\"" + std::to_string(failures) + "\">\n" + body +
         "  </testsuite>\n</testsuites>\n";
}

std::string sarifReport(const ReportInput& in) {
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
  J root;
  root["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  root["version"] = "2.1.0";
  root["runs"] = J::array({{{"tool", {{"driver", {{"name", "vconform"}, {"version", "0.1.0"}, {"rules", rules}}}}},
                            {"results", results}}});
  return root.dump(2) + "\n";
}

}  // namespace vc
