#include <nlohmann/json.hpp>

#include "build-info/build-info.h"
#include "report/parts.h"

namespace vc {

namespace {

using J = nlohmann::ordered_json;

J valueJson(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Int:
      return v.i;
    case Value::Kind::Bool:
      return v.i != 0;
    case Value::Kind::Str:
      return v.s;
  }
  return nullptr;
}

J eventJson(const EventRef& e) {
  J j;
  j["seq"] = e.seq;
  j["name"] = e.name;
  J f = J::object();
  for (const auto& [k, v] : e.fields) f[k] = valueJson(v);
  j["fields"] = f;
  j["file"] = e.file;
  j["line"] = e.line;
  j["thread"] = e.thread;
  j["thread_label"] = e.threadLabel;
  if (e.hasTs)
    j["ts"] = e.ts;
  else
    j["ts"] = nullptr;
  return j;
}

const char* reasonId(Reason r) {
  switch (r) {
    case Reason::None:
      return "none";
    case Reason::Occurred:
      return "occurred";
    case Reason::Missing:
      return "missing";
    case Reason::TooMany:
      return "too-many";
    case Reason::NoEarlier:
      return "no-earlier";
    case Reason::NoResponse:
      return "no-response";
    case Reason::TooLate:
      return "too-late";
    case Reason::OutsideState:
      return "outside-state";
    case Reason::CountAhead:
      return "count-ahead";
    case Reason::AlternationLost:
      return "alternation-lost";
    case Reason::SameInstant:
      return "same-instant";
    case Reason::NotCoincident:
      return "not-coincident";
  }
  return "none";
}

J judgedJson(uint8_t judgedBy) {
  J a = J::array();
  if (judgedBy & kJudgedRecorded) a.push_back("recorded");
  if (judgedBy & kJudgedEveryOrder) a.push_back("every-order");
  return a;
}

J sourceJson(const Source& s) {
  J j;
  j["path"] = s.path;
  j["format"] = s.format;
  j["map"] = s.map.empty() ? J(nullptr) : J(s.map);
  j["recorders"] = s.recorders;
  j["events"] = s.events;
  j["unmatched_lines"] = s.unmatchedLines;
  J ex = J::array();
  for (const auto& [line, text] : s.unmatchedExamples) ex.push_back({{"line", line}, {"text", text}});
  j["unmatched_examples"] = ex;
  return j;
}

J violationJson(const ReportInput& in, const Violation& v) {
  const Rule& r = in.spec.rules[v.rule];
  J jv;
  jv["rule"] = r.id;
  jv["kind"] = kindName(v.kind);
  jv["spec_file"] = r.file;
  jv["spec_line"] = r.line;
  J params = J::object();
  for (const auto& [k, val] : v.params) params[k] = val;
  jv["params"] = params;
  jv["reason"] = reasonId(v.verdict.reason);
  jv["message"] = v.message;
  jv["culprit"] = v.culprit ? eventJson(*v.culprit) : J(nullptr);
  jv["anchor"] = v.anchor ? eventJson(*v.anchor) : J(nullptr);
  J ctx = J::array();
  for (const auto& e : v.context) ctx.push_back(eventJson(e));
  jv["context"] = ctx;
  if (v.kind == ViolationKind::Predicted) {
    J w;
    w["omitted_prefix"] = v.witnessOmitted;
    w["omitted_prefix_recorded"] = v.witnessOmittedRecorded;
    J evs = J::array();
    for (const auto& e : v.witness) evs.push_back(eventJson(e));
    w["events"] = evs;
    J edges = J::array();
    for (const auto& [a, b] : v.witnessEdges) edges.push_back(J::array({a, b}));
    w["happens_before"] = edges;
    jv["witness"] = w;
    J un = J::array();
    for (const auto& p : v.unordered) {
      J jp;
      jp["first"] = eventJson(p.first);
      jp["second"] = eventJson(p.second);
      un.push_back(jp);
    }
    jv["unordered"] = un;
  }
  return jv;
}

}  // namespace

J diagnosticsJson(const Diagnostics* diags) {
  J arr = J::array();
  if (!diags) return arr;
  for (const auto& d : diags->all()) {
    J j;
    j["severity"] = severityName(d.severity);
    j["code"] = d.code;
    j["file"] = d.loc.file.empty() ? J(nullptr) : J(d.loc.file);
    j["line"] = d.loc.line;
    j["col"] = d.loc.col;
    j["message"] = d.message;
    j["help"] = d.help;
    arr.push_back(j);
  }
  return arr;
}

std::string jsonReport(const ReportInput& in) { return jsonReportObject(in).dump(2) + "\n"; }

J jsonReportObject(const ReportInput& in) {
  const auto& res = in.result;
  J root;
  root["vconform"] = versionString();
  root["schema"] = 1;
  root["traces"] = in.traces;
  root["specs"] = in.spec.files;
  if (in.failed) {
    // No verdict: the inputs could not be used; the diagnostics say why.
    root["summary"] = {{"verdict", "error"}};
    root["diagnostics"] = diagnosticsJson(in.diags);
    return root;
  }
  J srcs = J::array();
  for (const auto& s : res.sources) srcs.push_back(sourceJson(s));
  root["sources"] = srcs;
  root["order"] = res.sources.size() > 1 ? "each trace in file order, traces merged by timestamp" : "file order";
  root["sync_files"] = res.syncFiles;
  size_t observed = 0, predicted = 0;
  for (const auto& v : res.violations) (v.kind == ViolationKind::Observed ? observed : predicted)++;
  J sum;
  sum["verdict"] = in.noVerdict                   ? "error"
                   : !res.violations.empty()      ? "violated"
                   : !res.inconclusive.empty()    ? "inconclusive"
                   : !knownViolations(in).empty() ? "known"
                                                  : "holds";
  sum["events"] = res.events;
  sum["ignored_events"] = res.ignoredEvents;
  sum["lost_events"] = res.lostEvents;
  sum["threads"] = res.threads;
  sum["happens_before"] = res.hbBuilt;
  sum["sync_edges"] = res.syncEdges;
  sum["rules"] = in.spec.rules.size();
  sum["exercised"] = res.exercisedRules();
  sum["not_exercised"] = in.spec.rules.size() - res.exercisedRules();
  sum["violations"] = res.violations.size();
  sum["observed"] = observed;
  sum["predicted"] = predicted;
  sum["inconclusive"] = res.inconclusive.size();
  sum["known"] = knownViolations(in).size();
  root["summary"] = sum;
  J rules = J::array();
  for (size_t i = 0; i < in.spec.rules.size(); ++i) {
    const Rule& r = in.spec.rules[i];
    J jr;
    jr["id"] = r.id;
    jr["cite"] = r.cite;
    jr["says"] = r.says;
    jr["file"] = r.file;
    jr["line"] = r.line;
    size_t n = 0;
    for (const auto& v : res.violations) n += v.rule == i;
    jr["verdict"] = ruleVerdictText(in, i);
    if (res.verdict(i) == RuleVerdict::NotExercised) jr["not_exercised_why"] = res.ruleStats[i].notExercisedWhy;
    jr["judged_by"] = judgedJson(res.ruleStats[i].judgedBy);
    jr["violations"] = n;
    jr["matching_events"] = res.ruleStats[i].events;
    jr["instances"] = res.ruleStats[i].instances;
    rules.push_back(jr);
  }
  root["rules"] = rules;
  J vs = J::array();
  for (const auto& v : res.violations) vs.push_back(violationJson(in, v));
  root["violations"] = vs;
  if (!in.baselineFile.empty()) {
    J ks = J::array();
    for (const auto& v : knownViolations(in)) ks.push_back(violationJson(in, v));
    root["baseline"] = in.baselineFile;
    root["known_violations"] = ks;
  }
  J ics = J::array();
  for (const auto& ic : res.inconclusive) {
    J j;
    j["rule"] = in.spec.rules[ic.rule].id;
    J params = J::object();
    for (const auto& [k, val] : ic.params) params[k] = val;
    j["params"] = params;
    j["explored_states"] = ic.states;
    j["why"] = ic.why;
    ics.push_back(j);
  }
  root["inconclusive"] = ics;
  root["diagnostics"] = diagnosticsJson(in.diags);
  return root;
}

}  // namespace vc
