// `vconform check`: one run (the traces given, merged), or with --each one run per trace, in one
// report written in one or several formats. The verdict rules of docs/guarantees.md live here: a
// trace that yields no event and a spec that no event exercises are unusable inputs (exit 2), not
// passes; and even then every report asked for is written, saying why (a CI page shows it).
#include <fnmatch.h>
#include <sched.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include "app/baseline.h"
#include "app/commands.h"
#include "app/flags.h"
#include "app/inputs.h"
#include "check/engine.h"
#include "check/recordable.h"
#include "diag/codes.h"
#include "diag/suggest.h"
#include "report/report.h"
#include "trace/reader.h"

namespace vc {

namespace {

bool writeFile(const std::string& path, const std::string& text, Diagnostics& diags) {
  std::ofstream o(path, std::ios::binary);
  if (o) o << text;
  if (o) o.close();
  if (!o) {
    diags.error("output", Location{path, 0, 0}, "cannot write this file",
                "check that its folder exists and is writable");
    return false;
  }
  return true;
}

// One checked run: its own symbol tables, rules, the sync files of its recorders and its result.
struct Run {
  std::vector<std::string> traces;
  TraceTables tables;
  Spec spec;
  CheckResult result;
  std::vector<Violation> known;  // taken out of result.violations by the --baseline
  RunOverview overview;          // --format html: the run at a glance
  Diagnostics diags;
  bool checked = false;  // a result exists (a verdict, or "not applicable")
  int code = kExitBadInput;
};

// Passes events through, telling `sink` every 65536 events how many were read (the CLI's
// progress line), and giving each to `overview` when there is one (--format html). The check's
// own work after reading is not reported.
class ProgressReader : public TraceReader {
 public:
  ProgressReader(TraceReader& in, const ProgressSink& sink, OverviewRecorder* overview)
      : in_(in), sink_(sink), overview_(overview) {}
  bool next(Event& ev) override {
    if (!in_.next(ev)) return false;
    if ((++events_ & 0xffff) == 0 && sink_) sink_(Progress{"reading", events_, 0, 0});
    if (overview_) overview_->add(ev);
    return true;
  }
  uint64_t discarded() const override { return in_.discarded(); }

 private:
  TraceReader& in_;
  const ProgressSink& sink_;
  OverviewRecorder* overview_;
  uint64_t events_ = 0;
};

// --format FMT[=FILE]..., -o FILE, --dot FILE: where each report goes.
void parseOutputs(const CheckArgs& a, std::vector<ReportOutput>& outs, Diagnostics& diags) {
  std::vector<std::string> specs = a.formats;
  if (specs.empty()) specs.emplace_back("text");
  for (const auto& s : specs) {
    size_t eq = s.find('=');
    ReportOutput o{s.substr(0, eq), eq == std::string::npos ? std::string() : s.substr(eq + 1)};
    const auto& known = reportFormats();
    if (std::find(known.begin(), known.end(), o.format) == known.end()) {
      diags.error("flag-format", Location{},
                  "--format '" + o.format + "' is not a report format" + didYouMean(o.format, known),
                  "formats: text, json, junit, sarif, dot, html; FMT=FILE writes that one to FILE");
      continue;
    }
    if (eq != std::string::npos && o.file.empty()) {
      diags.error("flag-format", Location{}, "--format " + s + " names no file",
                  "write FMT=FILE, or FMT for standard output");
      continue;
    }
    outs.push_back(o);
  }
  if (!a.dotFile.empty()) outs.push_back(ReportOutput{"dot", a.dotFile});
  size_t toStdout = 0;
  for (const auto& o : outs) toStdout += o.file.empty();
  if (toStdout > 1)
    diags.error("flag-format", Location{}, "several --format would all go to standard output",
                "give each but one a file: --format text --format junit=report.xml --format sarif=vconform.sarif");
  if (!a.output.empty()) {
    if (toStdout == 0)
      diags.error("flag-output", Location{a.output, 0, 0},
                  "-o names the file of the format given without =FILE, and every --format has its own file",
                  "drop -o, or give one --format without =FILE");
    for (auto& o : outs)
      if (o.file.empty()) o.file = a.output;
  }
  std::set<std::string> files;
  for (const auto& o : outs)
    if (!o.file.empty() && !files.insert(o.file).second)
      diags.error("flag-format", Location{o.file, 0, 0}, "two reports would be written to this one file",
                  "give each --format its own FILE");
}

// A flag error found before anything is read.
bool checkFlags(const CheckArgs& a, CheckOptions& opts, const std::vector<ReportOutput>& outs, Diagnostics& diags) {
  if (a.order == "recorded")
    opts.order = OrderMode::Recorded;
  else if (a.order == "hb")
    opts.order = OrderMode::HappensBefore;
  else if (a.order == "both")
    opts.order = OrderMode::Both;
  else
    diags.error(
        "flag-order", Location{},
        "--order must be recorded, hb or both, not '" + a.order + "'" + didYouMean(a.order, {"recorded", "hb", "both"}),
        "");
  if (a.specs.empty())
    diags.error("flag-spec", Location{}, "no --spec given", "pass --spec FILE (e.g. specs/vhost-user.spec)");
  if (a.traces.empty()) diags.error("flag-trace", Location{}, "no trace given", "vconform check TRACE... --spec FILE");
  checkCommonFlags(a, diags);
  if (a.predictBudget < 1 || a.predictBudget > kMaxPredictBudget)
    diags.error("flag-predict-budget", Location{},
                "--predict-budget takes a whole number from 1 to " + std::to_string(kMaxPredictBudget), "");
  if (a.context > kMaxContextEvents)
    diags.error("flag-context", Location{},
                "--context takes a whole number from 0 to " + std::to_string(kMaxContextEvents), "");
  bool dot = std::any_of(outs.begin(), outs.end(), [](const ReportOutput& o) { return o.format == "dot"; });
  if (a.each && dot) diags.error("flag-dot", Location{}, "--dot draws one run; it cannot be combined with --each", "");
  if (!a.writeBaseline.empty() && a.writeBaseline == a.baseline)
    diags.error("flag-baseline", Location{a.baseline, 0, 0}, "--baseline and --write-baseline name the same file",
                "write the new baseline elsewhere, review it, then replace the old one");
  opts.predictBudget = a.predictBudget;
  opts.predictWindow = a.predictWindow;
  opts.jobs = a.jobs ? a.jobs : availableCores();
  opts.contextEvents = a.context;
  // The pictures (DOT, HTML) draw why a pair is unordered: every synchronised event is kept.
  opts.keepGraph =
      dot || std::any_of(outs.begin(), outs.end(), [](const ReportOutput& o) { return o.format == "html"; });
  return !diags.hasErrors();
}

bool matchesAny(const std::vector<std::string>& patterns, const std::string& id) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return ::fnmatch(p.c_str(), id.c_str(), 0) == 0; });
}

// --rule / --skip-rule: every pattern must name a rule of the specs (else "did you mean").
void checkRuleSelection(const CheckArgs& a, const Spec& spec, Diagnostics& diags) {
  std::vector<std::string> ids;
  for (const auto& r : spec.rules) ids.push_back(r.id);
  for (const auto* list : {&a.rules, &a.skipRules})
    for (const auto& p : *list) {
      bool any = std::any_of(ids.begin(), ids.end(), [&](const std::string& id) { return matchesAny({p}, id); });
      if (!any)
        diags.error("flag-rule", Location{},
                    std::string(list == &a.rules ? "--rule" : "--skip-rule") + " '" + p +
                        "' names no rule of the specs" + didYouMean(p, ids),
                    "the rule ids: `vconform rules SPEC`");
    }
  size_t kept = 0;
  for (const auto& id : ids) kept += (a.rules.empty() || matchesAny(a.rules, id)) && !matchesAny(a.skipRules, id);
  if (!diags.hasErrors() && kept == 0)
    diags.error("flag-rule", Location{}, "--rule and --skip-rule leave no rule to check", "");
}

void checkRun(const CheckArgs& a, const CheckOptions& opts, const std::vector<std::string>& specFiles,
              Baseline* baseline, bool overview, Run& run) {
  Diagnostics& diags = run.diags;
  if (!loadSpecs(specFiles, run.spec, run.tables, diags)) return;
  if (run.spec.rules.empty()) {
    std::string files;
    for (const auto& f : specFiles) files += (files.empty() ? "" : ", ") + f;
    diags.error(
        "spec-no-rule", Location{specFiles.size() == 1 ? specFiles[0] : std::string(), 0, 0},
        "no rule to check: " + files + (specFiles.size() == 1 ? " holds" : " hold") + " no rule",
        "a spec that states no rule cannot pass or fail; pass the spec files with the rules (e.g. --spec specs/)");
    return;
  }
  if (!a.rules.empty() || !a.skipRules.empty()) {
    checkRuleSelection(a, run.spec, diags);
    if (diags.hasErrors()) return;
    std::erase_if(run.spec.rules, [&](const Rule& r) {
      return !((a.rules.empty() || matchesAny(a.rules, r.id)) && !matchesAny(a.skipRules, r.id));
    });
  }
  CommonArgs common = a;
  common.traces = run.traces;
  auto reader = openAll(common, run.tables, diags);
  if (!reader) return;
  std::vector<std::string> syncFiles;
  if (!loadRunSyncs(a.syncs, run.spec, run.tables, diags, syncFiles)) return;
  OverviewRecorder recorder;
  ProgressReader counted(*reader, a.progress, overview ? &recorder : nullptr);
  run.result = check(run.spec, counted, run.tables, opts, diags);
  if (overview) run.overview = recorder.finish(run.tables.threads);
  // A rule with a part none of the run's logs can record is not judged on it (docs/guarantees.md).
  dropUnrecordableRules(run.spec, run.tables.symbols, run.result);
  run.result.syncFiles = syncFiles;
  if (run.result.lostEvents && !a.allowLost)
    diags.error(
        "trace-lost", Location{run.traces.size() == 1 ? run.traces[0] : std::string(), 0, 0},
        "the trace says " + std::to_string(run.result.lostEvents) + " events were lost: a verdict on it can be wrong",
        "record with larger buffers, or pass --allow-lost to check what is there");
  if (diags.hasErrors()) return;
  // A trace that yielded nothing is an error, never "holds over 0 events".
  reportEmptySources(run.result.sources, diags);
  if (diags.hasErrors()) return;
  run.checked = true;  // a report can be written; the code below may still say "no verdict"
  if (run.result.exercisedRules() == 0) {
    diags.error("spec-not-applicable", Location{},
                "no rule of the spec was exercised: none of the " + std::to_string(run.result.events) +
                    " events read gave a rule something to judge, so the spec does not apply to this trace",
                "compare the spec's event names with `vconform events TRACE`, or see each rule's reason with "
                "`vconform lint SPEC --trace TRACE`");
    return;
  }
  if (baseline) applyBaseline(run.spec, run.tables.symbols, run.result.violations, run.known, *baseline);
  const CheckResult& res = run.result;
  bool incomplete = !res.inconclusive.empty() || res.exercisedRules() < res.ruleStats.size();
  run.code = !res.violations.empty() || (a.strict && incomplete) ? kExitViolation : kExitOk;
}

}  // namespace

int runCheck(const CheckArgs& a, std::string& out, std::string& err) {
  Diagnostics flagDiags;
  CheckOptions opts;
  std::vector<ReportOutput> outs;
  parseOutputs(a, outs, flagDiags);
  if (flagDiags.hasErrors()) {
    // Where the reports go is unknown: no report, the diagnostics only.
    dropAllowed(flagDiags, a.allow);
    err = renderAll(flagDiags, a.color);
    return kExitBadInput;
  }
  checkFlags(a, opts, outs, flagDiags);
  std::vector<std::string> specFiles;
  if (!flagDiags.hasErrors()) specFiles = expandSpecPaths(a.specs, flagDiags);
  Baseline baseline;
  bool useBaseline = !a.baseline.empty();
  if (!flagDiags.hasErrors() && useBaseline) loadBaseline(a.baseline, baseline, flagDiags);

  std::vector<std::unique_ptr<Run>> runs;
  if (flagDiags.hasErrors()) {
    // No run: a report that says why, in every format that could be parsed.
    runs.push_back(std::make_unique<Run>());
    runs.back()->traces = a.traces;
    runs.back()->diags = flagDiags;
  } else {
    if (a.each) {
      for (const auto& t : a.traces) {
        runs.push_back(std::make_unique<Run>());
        runs.back()->traces = {t};
      }
    } else {
      runs.push_back(std::make_unique<Run>());
      runs.back()->traces = a.traces;
    }
    const bool html = std::any_of(outs.begin(), outs.end(), [](const ReportOutput& o) { return o.format == "html"; });
    for (auto& r : runs) checkRun(a, opts, specFiles, useBaseline ? &baseline : nullptr, html, *r);
  }

  int code = kExitOk;
  for (auto& r : runs) {
    dropAllowed(r->diags, a.allow);
    err += renderAll(r->diags, a.color);
    code = std::max(code, r->checked ? r->code : static_cast<int>(kExitBadInput));
  }
  bool anyChecked = std::any_of(runs.begin(), runs.end(), [](const auto& r) { return r->checked; });
  std::vector<ReportInput> inputs;
  inputs.reserve(runs.size());
  for (auto& r : runs) {
    inputs.push_back(ReportInput{r->spec, r->result, r->traces, a.verbose, &r->diags, !r->checked,
                                 r->checked && r->code == kExitBadInput, false, a.baseline, &r->known, &r->overview});
  }
  Diagnostics writeDiags;
  for (const auto& o : outs) {
    // Text on standard output after a failure says nothing more than the diagnostics on stderr.
    if (o.format == "text" && o.file.empty() && !a.each && inputs[0].failed) continue;
    if (o.format == "dot" && !anyChecked) continue;
    std::vector<ReportInput> ins = inputs;
    for (auto& in : ins) in.color = a.reportColor && o.file.empty() && o.format == "text";
    std::string text = renderReport(o.format, ins, a.each);
    if (o.file.empty())
      out += text;
    else
      writeFile(o.file, text, writeDiags);
  }
  if (!a.writeBaseline.empty() && anyChecked) {
    std::vector<BaselineEntry> entries;
    for (const auto& r : runs) {
      if (!r->checked) continue;
      for (const auto* list : {&r->result.violations, &r->known})
        for (const auto& v : *list) entries.push_back(baselineEntry(r->spec, r->tables.symbols, v));
    }
    writeFile(a.writeBaseline, baselineText(entries), writeDiags);
  }
  if (writeDiags.hasErrors()) {
    err += renderAll(writeDiags, a.color);
    return kExitBadInput;
  }
  return code;
}

}  // namespace vc
