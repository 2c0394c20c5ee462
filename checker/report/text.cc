#include <algorithm>
#include <map>

#include "report/report.h"

namespace vc {

const char* kindName(ViolationKind k) { return k == ViolationKind::Observed ? "observed" : "predicted"; }

std::string judgedByText(uint8_t judgedBy) {
  if (judgedBy & kJudgedEveryOrder) return "every order happens-before allows (the recorded one included)";
  return "the recorded order";
}

std::string sourceText(const Source& s) {
  std::string out = s.path + ": " + s.format;
  if (!s.map.empty() && s.map != s.format) out += " (map " + s.map + ")";
  if (!s.recorders.empty()) {
    out += ", recorded by ";
    for (size_t i = 0; i < s.recorders.size(); ++i) out += (i ? ", " : "") + s.recorders[i];
  }
  out += ", " + std::to_string(s.events) + (s.events == 1 ? " event" : " events");
  if (s.unmatchedLines) {
    out +=
        ", " + std::to_string(s.unmatchedLines) + (s.unmatchedLines == 1 ? " line" : " lines") + " matched no pattern";
    for (size_t i = 0; i < s.unmatchedExamples.size() && i < 3; ++i) {
      std::string t = s.unmatchedExamples[i].second;
      if (t.size() > 60) t = t.substr(0, 57) + "...";
      out += (i ? ", " : " (") + std::string("line ") + std::to_string(s.unmatchedExamples[i].first) + ": " + t;
    }
    if (!s.unmatchedExamples.empty()) out += ")";
  }
  return out;
}

namespace {

std::string where(const EventRef& e) { return e.file + ":" + std::to_string(e.line); }

std::string clip(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }

std::string paramsText(const Violation& v) {
  std::string s;
  for (const auto& [k, val] : v.params) s += (s.empty() ? "" : ", ") + k + "=" + val;
  return s;
}

std::string anchorLabel(const Rule& r, const Violation& v) {
  switch (v.verdict.reason) {
    case Reason::NoResponse:
    case Reason::TooLate:
      return "trigger";
    case Reason::OutsideState:
      return r.stateName + " last closed";
    case Reason::SameInstant:
      return "same instant";
    default:
      return "related";
  }
}

// The witness as thread lanes: one column per thread, one row per event, in witness order.
std::string lanes(const Violation& v) {
  std::vector<uint32_t> threads;
  std::map<uint32_t, std::string> label;
  for (const auto& e : v.witness)
    if (!label.count(e.thread)) {
      threads.push_back(e.thread);
      label[e.thread] = e.threadLabel;
    }
  const size_t w = threads.size() > 2 ? 30 : 44;
  size_t locW = 0;
  for (const auto& e : v.witness) locW = std::max(locW, where(e).size());
  std::string out;
  auto row = [&](const std::string& loc, const std::vector<std::string>& cells) {
    std::string line = "      " + loc + std::string(locW - loc.size(), ' ');
    for (size_t i = 0; i < cells.size(); ++i) {
      line += " | ";
      std::string c = clip(cells[i], w);
      line += c;
      if (i + 1 < cells.size()) line += std::string(w - c.size(), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  std::vector<std::string> head;
  head.reserve(threads.size());
  for (uint32_t t : threads) head.push_back(label[t]);
  row("", head);
  for (const auto& e : v.witness) {
    std::vector<std::string> cells(threads.size());
    size_t col = std::find(threads.begin(), threads.end(), e.thread) - threads.begin();
    cells[col] = e.brief();
    if (v.culprit && e.seq == v.culprit->seq) cells[col] = "=> " + cells[col];
    row(where(e), cells);
  }
  return out;
}

void eventLine(std::string& out, const char* label, const EventRef& e) {
  std::string lab = label;
  lab.resize(std::max<size_t>(lab.size() + 1, 10), ' ');
  out += "  " + lab + where(e) + "  " + e.brief() + "  [" + e.threadLabel + "]\n";
}

// ANSI colours for a terminal: the verdict headings and the summary.
struct Paint {
  bool on = false;
  std::string operator()(const char* sgr, const std::string& s) const {
    return on ? std::string("\x1b[") + sgr + "m" + s + "\x1b[0m" : s;
  }
};

}  // namespace

std::string textReport(const ReportInput& in) {
  const auto& res = in.result;
  const Paint paint{in.color};
  std::string out;
  if (in.failed) {
    // Written to a file (-o, --format text=FILE) or a section of --each: say why there is none.
    out += paint("1;31", "NO VERDICT") + ": the inputs could not be used (exit 2)\n";
    if (in.diags) out += renderAll(*in.diags, in.color);
    return out;
  }
  size_t observed = 0, predicted = 0;
  for (const auto& v : res.violations) (v.kind == ViolationKind::Observed ? observed : predicted)++;
  for (const auto& v : res.violations) {
    const Rule& r = in.spec.rules[v.rule];
    out += v.kind == ViolationKind::Observed ? paint("1;31", "OBSERVED") : paint("1;33", "PREDICTED");
    out += " violation of " + paint("1", r.id) + "  (" + r.file + ":" + std::to_string(r.line) + ")\n";
    if (!r.says.empty()) out += "  rule:     " + r.says + "\n";
    if (!r.cite.empty()) out += "  cite:     " + r.cite + "\n";
    if (!v.params.empty()) out += "  for:      " + paramsText(v) + "\n";
    out += "  what:     " + v.message + "\n";
    if (v.culprit)
      eventLine(out, "at:", *v.culprit);
    else
      out += "  at:       the end of the trace\n";
    if (v.anchor) eventLine(out, (anchorLabel(r, v) + ":").c_str(), *v.anchor);
    if (v.kind == ViolationKind::Observed && !v.context.empty()) {
      out += "  context:\n";
      for (const auto& e : v.context) out += "            " + where(e) + "  " + e.brief() + "\n";
    }
    if (v.kind == ViolationKind::Predicted) {
      out += "  why:      the recorded order holds, but nothing orders these events:\n";
      for (const auto& p : v.unordered)
        out += "            " + p.first.brief() + " [" + p.first.threadLabel + ", " + where(p.first) + "]\n" +
               "            before " + p.second.brief() + " [" + p.second.threadLabel + ", " + where(p.second) + "]\n";
      out += "  witness:  a possible order of this run that breaks the rule";
      if (v.witnessOmitted)
        out +=
            " (after " + std::to_string(v.witnessOmitted) +
            (v.witnessOmittedRecorded ? " events as recorded)" : " earlier events, in an order happens-before allows)");
      out += ":\n";
      out += lanes(v);
    }
    out += "\n";
  }
  for (const auto& ic : res.inconclusive) {
    const Rule& r = in.spec.rules[ic.rule];
    std::string p;
    for (const auto& [k, val] : ic.params) p += (p.empty() ? "" : ", ") + k + "=" + val;
    out += "INCONCLUSIVE prediction for " + r.id + (p.empty() ? "" : " (" + p + ")") + ": " + ic.why +
           "; the recorded order holds\n\n";
  }
  // A rule that saw nothing has not held: say so, and why.
  size_t notExercised = 0;
  for (size_t i = 0; i < in.spec.rules.size(); ++i) {
    if (res.verdict(i) != RuleVerdict::NotExercised) continue;
    ++notExercised;
    const Rule& r = in.spec.rules[i];
    out += paint("2", "NOT EXERCISED") + " " + r.id + "  (" + r.file + ":" + std::to_string(r.line) + ")\n";
    if (!r.says.empty()) out += "  rule:     " + r.says + "\n";
    out += "  why:      " + res.ruleStats[i].notExercisedWhy + "\n\n";
  }
  if (!knownViolations(in).empty()) {
    // Accepted by the baseline: listed, never failing.
    std::map<std::string, size_t> perRule;
    for (const auto& v : knownViolations(in)) ++perRule[in.spec.rules[v.rule].id];
    out += paint("2", "KNOWN") + "         " + std::to_string(knownViolations(in).size()) +
           (knownViolations(in).size() == 1 ? " violation" : " violations") + " accepted by the baseline" +
           (in.baselineFile.empty() ? std::string() : " " + in.baselineFile) + ": ";
    bool first = true;
    for (const auto& [id, n] : perRule) {
      out += (first ? "" : ", ") + id + (n > 1 ? " x" + std::to_string(n) : std::string());
      first = false;
    }
    out += "\n\n";
  }
  if (in.verbose) {
    out += "rules:\n";
    for (size_t i = 0; i < in.spec.rules.size(); ++i) {
      const Rule& r = in.spec.rules[i];
      size_t n = 0;
      for (const auto& v : res.violations) n += v.rule == i;
      RuleVerdict rv = res.verdict(i);
      bool knownOnly = ruleVerdictText(in, i) == "known";
      std::string verdict = rv == RuleVerdict::Violated       ? std::to_string(n) + " violation(s)"
                            : knownOnly                       ? std::string("known violation(s) only (baseline)")
                            : rv == RuleVerdict::NotExercised ? std::string("not exercised")
                            : rv == RuleVerdict::Inconclusive ? std::string("inconclusive")
                                                              : std::string("holds");
      out += "  " + r.id + ": " + verdict + " (judged in " + judgedByText(res.ruleStats[i].judgedBy) + "), " +
             std::to_string(res.ruleStats[i].events) + " matching events, " +
             std::to_string(res.ruleStats[i].instances) + " instance(s)\n";
    }
    out += "events: " + std::to_string(res.events) + " read, " + std::to_string(res.ignoredEvents) +
           " mentioned by no rule or sync, " + std::to_string(res.threads) + " threads";
    if (res.hbBuilt) out += ", " + std::to_string(res.syncEdges) + " sync edges";
    out += "\n";
    if (res.orders & kJudgedEveryOrder)
      out += "prediction: at most " + std::to_string(res.peakKeptEvents) + " events kept at once, largest window " +
             std::to_string(res.peakWindow) + " events\n";
  }
  // What was read, and how it was ordered.
  out += std::string(res.sources.size() > 1 ? "read:     (each trace in file order; traces merged by timestamp)\n"
                                            : "read:     (file order)\n");
  for (const auto& s : res.sources) out += "          " + sourceText(s) + "\n";
  if (res.hbBuilt) {
    if (res.syncFiles.empty()) {
      out += "sync:     none: happens-before is program order and the trace's own edges\n";
    } else {
      out += "sync:     ";
      for (size_t i = 0; i < res.syncFiles.size(); ++i) out += (i ? ", " : "") + res.syncFiles[i];
      out += "\n";
    }
  }
  const size_t total = in.spec.rules.size();
  std::string rules = std::to_string(total) + (total == 1 ? " rule" : " rules");
  std::string events = std::to_string(res.events) + (res.events == 1 ? " event" : " events");
  std::string orders = res.hbBuilt ? ", in every order happens-before allows" : " (recorded order only)";
  std::string unjudged = notExercised ? "; " + std::to_string(notExercised) + " not exercised (no verdict)" : "";
  if (!knownViolations(in).empty())
    unjudged += "; " + std::to_string(knownViolations(in).size()) + " known violation" +
                (knownViolations(in).size() == 1 ? "" : "s") + " accepted by the baseline";
  std::string summary;
  if (res.violations.empty() && !res.inconclusive.empty()) {
    summary += "vconform: no violation found over " + events + ", but " + std::to_string(res.inconclusive.size()) +
               " rule instance(s) could not be explored in full: the verdict is incomplete" + unjudged + "\n";
  } else if (res.violations.empty() && !knownViolations(in).empty()) {
    summary += "vconform: no new violation of " + rules + " over " + events + orders + unjudged + "\n";
  } else if (res.violations.empty()) {
    if (notExercised == 0)
      summary += std::string("vconform: ") + (total == 1 ? "the rule holds" : "all " + rules + " hold") + " over " +
                 events + orders + "\n";
    else
      summary += "vconform: " + std::to_string(total - notExercised) + " of " + rules + " hold over " + events +
                 orders + unjudged + "\n";
  } else {
    summary += "vconform: " + std::to_string(res.violations.size()) + (knownViolations(in).empty() ? "" : " new") +
               (res.violations.size() == 1 ? " violation" : " violations") + " (" + std::to_string(observed) +
               " observed, " + std::to_string(predicted) + " predicted) of " + rules + " over " + events + unjudged +
               "\n";
  }
  const char* colour = !res.violations.empty() ? "1;31" : !res.inconclusive.empty() || notExercised ? "1;33" : "1;32";
  if (paint.on && summary.size() > 1) summary = paint(colour, summary.substr(0, summary.size() - 1)) + "\n";
  out += summary;
  return out;
}

}  // namespace vc
