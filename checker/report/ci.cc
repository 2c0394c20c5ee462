// Reports for CI systems: JUnit XML (one testcase per rule; valid against the schema Jenkins'
// xUnit plugin checks, junit-10.xsd) and SARIF 2.1.0 (valid against the OASIS schema); both
// checked by tests/reports/ci-reports.sh. Both say why when there is no verdict.
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "build-info/build-info.h"
#include "report/parts.h"

namespace vc {

namespace {

std::string xmlEsc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
          o += '?';
        else
          o += c;
    }
  }
  return o;
}

std::string oneLine(const Violation& v) {
  std::string s = std::string(kindName(v.kind)) + ": " + v.message;
  if (v.culprit) s += " at " + v.culprit->file + ":" + std::to_string(v.culprit->line);
  return s;
}

std::string diagnosticsText(const Diagnostics* diags) {
  if (!diags) return {};
  std::string out;
  for (const auto& d : diags->all()) out += render(d);
  return out;
}

}  // namespace

JunitSuite junitSuite(const ReportInput& in, const std::string& name) {
  JunitSuite suite;
  std::string body;
  if (in.failed || in.noVerdict) {
    // No verdict: one test case in error, whose text is the diagnostics (and, when the run was
    // checked, the rules' test cases after it).
    suite.tests = 1;
    suite.errors = 1;
    std::string first = "the inputs could not be used";
    std::string type = "vconform";
    if (in.diags)
      for (const auto& d : in.diags->all())
        if (d.severity == Severity::Error) {
          first = d.message;
          type = d.code;
          break;
        }
    body = "    <testcase classname=\"vconform\" name=\"inputs\">\n      <error message=\"" +
           xmlEsc("no verdict: " + first) + "\" type=\"" + xmlEsc(type) + "\">" + xmlEsc(diagnosticsText(in.diags)) +
           "</error>\n    </testcase>\n";
  }
  for (size_t i = 0; i < in.spec.rules.size() && !in.failed; ++i) {
    const Rule& r = in.spec.rules[i];
    ++suite.tests;
    body += "    <testcase classname=\"" + xmlEsc(r.file) + "\" name=\"" + xmlEsc(r.id) + "\">\n";
    std::string text;
    size_t n = 0, known = 0;
    for (const auto& v : in.result.violations)
      if (v.rule == i) {
        ++n;
        text += oneLine(v) + "\n";
      }
    for (const auto& v : knownViolations(in)) known += v.rule == i;
    if (n) {
      ++suite.failures;
      body += "      <failure message=\"" + xmlEsc(std::to_string(n) + " violation(s) of " + r.id) + "\" type=\"" +
              xmlEsc(r.id) + "\">" + xmlEsc(text) + "</failure>\n";
    } else if (in.result.verdict(i) == RuleVerdict::NotExercised) {
      ++suite.skipped;
      body +=
          "      <skipped message=\"" + xmlEsc("not exercised: " + in.result.ruleStats[i].notExercisedWhy) + "\"/>\n";
    } else if (in.result.verdict(i) == RuleVerdict::Inconclusive) {
      ++suite.skipped;
      body += "      <skipped message=\"" +
              xmlEsc("inconclusive: the prediction was cut off by --predict-budget; the recorded order holds") +
              "\"/>\n";
    }
    if (known)
      body += "      <system-out>" +
              xmlEsc(std::to_string(known) + " known violation(s) accepted by the baseline" +
                     (in.baselineFile.empty() ? std::string() : " " + in.baselineFile)) +
              "</system-out>\n";
    body += "    </testcase>\n";
  }
  suite.xml = "  <testsuite name=\"" + xmlEsc(name) + "\" tests=\"" + std::to_string(suite.tests) + "\" failures=\"" +
              std::to_string(suite.failures) + "\" errors=\"" + std::to_string(suite.errors) + "\" skipped=\"" +
              std::to_string(suite.skipped) + "\">\n" + body + "  </testsuite>\n";
  return suite;
}

std::string junitDocument(const std::vector<JunitSuite>& suites) {
  size_t tests = 0, failures = 0, errors = 0;
  std::string body;
  for (const auto& s : suites) {
    tests += s.tests;
    failures += s.failures;
    errors += s.errors;
    body += s.xml;
  }
  // <testsuites> has no `skipped` in the JUnit 4 / xUnit schema: the suites carry it.
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"vconform\" tests=\"" + std::to_string(tests) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\">\n" + body +
         "</testsuites>\n";
}

std::string junitReport(const ReportInput& in) { return junitDocument({junitSuite(in, "vconform")}); }

namespace {

using J = nlohmann::ordered_json;

// A path as a URI reference (RFC 3986): relative paths stay relative (to SRCROOT, the directory
// vconform was run from), absolute ones become file:// URIs.
std::string uriOf(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = path.starts_with("/") ? "file://" : "";
  for (unsigned char c : path) {
    bool keep = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == '!' || c == '$' ||
                c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' ||
                c == '=' || c == '@';
    if (keep)
      out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

J artifactLocation(const std::string& path) {
  if (path.empty() || path == "-") return {{"description", {{"text", "standard input"}}}};
  J a = {{"uri", uriOf(path)}};
  if (!path.starts_with("/")) a["uriBaseId"] = "SRCROOT";
  return a;
}

// Where an event was read: its trace line (CTF: the trace folder; the event's number is no line).
J physicalLocation(const ReportInput& in, const std::string& file, uint64_t line) {
  J p = {{"artifactLocation", artifactLocation(file)}};
  bool lines = line > 0;
  for (const auto& s : in.result.sources)
    if (s.path == file && s.format == "ctf") lines = false;
  if (lines) p["region"] = {{"startLine", line}};
  return p;
}

J eventLocation(const ReportInput& in, const EventRef& e, const std::string& what) {
  std::string text = what.empty() ? e.brief() : what + ": " + e.brief();
  text += " [" + e.threadLabel + "]";
  return {{"physicalLocation", physicalLocation(in, e.file, e.line)}, {"message", {{"text", text}}}};
}

J ruleObject(const Rule& r) {
  J jr;
  jr["id"] = r.id;
  std::string says = r.says.empty() ? r.id : r.says;
  jr["shortDescription"] = {{"text", says}};
  jr["fullDescription"] = {{"text", r.cite.empty() ? says : says + " (" + r.cite + ")"}};
  std::string where = r.file + ":" + std::to_string(r.line);
  std::string text = says + "\n";
  std::string md = "**" + says + "**\n\n";
  if (!r.cite.empty()) {
    text += "Citation: " + r.cite + "\n";
    md += "Citation: " + r.cite + "\n\n";
  }
  text += "Defined at " + where + (r.text.empty() ? std::string() : ":\n" + r.text) + "\n";
  md += "Defined at `" + where + "`" + (r.text.empty() ? std::string() : ":\n\n```\n" + r.text + "\n```") + "\n";
  jr["help"] = {{"text", text}, {"markdown", md}};
  jr["defaultConfiguration"] = {{"level", "error"}};
  J props = {{"cite", r.cite}, {"specFile", r.file}, {"specLine", r.line}};
  jr["properties"] = props;
  return jr;
}

// The witness of a predicted violation (or the context of an observed one) as a SARIF code flow:
// one thread flow per thread, each location numbered in the order of the bad interleaving.
J codeFlow(const ReportInput& in, const Violation& v) {
  const std::vector<EventRef>& evs = v.kind == ViolationKind::Predicted ? v.witness : v.context;
  std::vector<EventRef> seq = evs;
  if (v.kind == ViolationKind::Observed && v.culprit) seq.push_back(*v.culprit);
  if (seq.empty()) return nullptr;
  std::vector<uint32_t> order;
  std::map<uint32_t, J> flows;
  std::map<uint32_t, std::string> labels;
  int64_t k = 0;
  for (const auto& e : seq) {
    if (!flows.count(e.thread)) {
      order.push_back(e.thread);
      flows[e.thread] = J::array();
      labels[e.thread] = e.threadLabel;
    }
    bool culprit = v.culprit && e.seq == v.culprit->seq;
    bool pair = false;
    for (const auto& p : v.unordered) pair |= p.first.seq == e.seq || p.second.seq == e.seq;
    J loc;
    loc["location"] = eventLocation(in, e, culprit ? "breaks the rule here" : pair ? "unordered" : "");
    loc["executionOrder"] = ++k;
    loc["importance"] = culprit || pair ? "essential" : "important";
    flows[e.thread].push_back(loc);
  }
  J tfs = J::array();
  for (uint32_t t : order)
    tfs.push_back({{"id", labels[t]}, {"message", {{"text", labels[t]}}}, {"locations", flows[t]}});
  std::string what =
      v.kind == ViolationKind::Predicted
          ? "a possible order of this run that breaks the rule" +
                (v.witnessOmitted ? " (after " + std::to_string(v.witnessOmitted) + " events as recorded)"
                                  : std::string())
          : std::string("the recorded order up to the violation");
  return {{"message", {{"text", what}}}, {"threadFlows", tfs}};
}

J resultObject(const ReportInput& in, const Violation& v, bool known) {
  const Rule& r = in.spec.rules[v.rule];
  J res;
  res["ruleId"] = r.id;
  res["ruleIndex"] = v.rule;
  res["level"] = "error";
  res["kind"] = "fail";
  res["message"] = {{"text", oneLine(v)}};
  J locs = J::array();
  const EventRef* at = v.culprit ? &*v.culprit : v.anchor ? &*v.anchor : nullptr;
  if (at)
    locs.push_back(eventLocation(in, *at, ""));
  else
    locs.push_back(
        {{"physicalLocation", {{"artifactLocation", artifactLocation(r.file)}, {"region", {{"startLine", r.line}}}}},
         {"message", {{"text", "at the end of the trace"}}}});
  res["locations"] = locs;
  // The rule's spec line, the anchor, and each unordered pair.
  J related = J::array();
  int64_t id = 0;
  related.push_back(
      {{"id", ++id},
       {"physicalLocation", {{"artifactLocation", artifactLocation(r.file)}, {"region", {{"startLine", r.line}}}}},
       {"message", {{"text", "rule " + r.id}}}});
  if (v.anchor && v.culprit) {
    J l = eventLocation(in, *v.anchor, "related");
    l["id"] = ++id;
    related.push_back(l);
  }
  for (const auto& p : v.unordered)
    for (const EventRef* e : {&p.first, &p.second}) {
      J l = eventLocation(in, *e, "nothing orders this with the other event of the pair");
      l["id"] = ++id;
      related.push_back(l);
    }
  res["relatedLocations"] = related;
  if (J cf = codeFlow(in, v); !cf.is_null()) res["codeFlows"] = J::array({cf});
  if (!in.baselineFile.empty()) res["baselineState"] = known ? "unchanged" : "new";
  J params = J::object();
  for (const auto& [k, val] : v.params) params[k] = val;
  res["properties"] = {{"kind", kindName(v.kind)}, {"instance", params}};
  return res;
}

J notification(const Diagnostic& d) {
  J n;
  n["level"] = d.severity == Severity::Error ? "error" : d.severity == Severity::Warning ? "warning" : "note";
  n["message"] = {{"text", d.message + (d.help.empty() ? std::string() : " (help: " + d.help + ")")}};
  if (!d.code.empty()) n["descriptor"] = {{"id", d.code}};
  if (!d.loc.file.empty()) {
    J p = {{"artifactLocation", artifactLocation(d.loc.file)}};
    if (d.loc.line) {
      p["region"] = {{"startLine", d.loc.line}};
      if (d.loc.col) p["region"]["startColumn"] = d.loc.col;
    }
    n["locations"] = J::array({{{"physicalLocation", p}}});
  }
  return n;
}

}  // namespace

nlohmann::ordered_json sarifRunObject(const ReportInput& in) {
  J rules = J::array();
  for (const auto& r : in.spec.rules) rules.push_back(ruleObject(r));
  J results = J::array();
  if (!in.failed) {
    for (const auto& v : in.result.violations) results.push_back(resultObject(in, v, false));
    for (const auto& v : knownViolations(in)) results.push_back(resultObject(in, v, true));
  }
  // What kept the run from a verdict, its warnings, and the rules the trace did not exercise
  // (those have no verdict: a notification, not a result).
  J notes = J::array();
  if (in.diags)
    for (const auto& d : in.diags->all()) notes.push_back(notification(d));
  for (size_t i = 0; i < in.spec.rules.size() && !in.failed; ++i) {
    if (in.result.verdict(i) != RuleVerdict::NotExercised) continue;
    notes.push_back(
        {{"level", "warning"},
         {"message",
          {{"text", "rule " + in.spec.rules[i].id + " not exercised: " + in.result.ruleStats[i].notExercisedWhy}}},
         {"associatedRule", {{"id", in.spec.rules[i].id}, {"index", i}}}});
  }
  J invocation = {{"executionSuccessful", !in.failed && !in.noVerdict}};
  if (!notes.empty()) invocation["toolExecutionNotifications"] = notes;
  J run;
  run["tool"] = {
      {"driver",
       {{"name", "vconform"}, {"version", versionString()}, {"semanticVersion", versionString()}, {"rules", rules}}}};
  run["invocations"] = J::array({invocation});
  run["originalUriBaseIds"] = {
      {"SRCROOT",
       {{"description",
         {{"text", "The directory vconform was run from: relative trace and spec paths are relative to it."}}}}}};
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
