// `vconform check`: one run (the traces given, merged), or with --each one run per trace, in one
// report. The verdict rules of docs/guarantees.md live here: a trace that yields no event and a
// spec that no event exercises are unusable inputs (exit 2), not passes.
#include <sched.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "app/commands.h"
#include "app/flags.h"
#include "app/inputs.h"
#include "check/engine.h"
#include "check/recordable.h"
#include "report/report.h"

namespace vc {

namespace {

// The cores this process may run on (its affinity mask, which containers and taskset narrow).
unsigned coresAvailable() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}


bool writeFile(const std::string& path, const std::string& text, Diagnostics& diags) {
  std::ofstream o(path, std::ios::binary);
  if (o) o << text;
  if (!o) {
    diags.error("output", Location{path, 0, 0}, "cannot write this file", "");
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
  Diagnostics diags;
  bool checked = false;  // a result exists (the report can be written)
  int code = kExitBadInput;
};

// A flag error found before anything is read.
bool checkFlags(const CheckArgs& a, CheckOptions& opts, Diagnostics& diags) {
  if (a.order == "recorded") opts.order = OrderMode::Recorded;
  else if (a.order == "hb") opts.order = OrderMode::HappensBefore;
  else if (a.order == "both") opts.order = OrderMode::Both;
  else diags.error("flag-order", Location{}, "--order must be recorded, hb or both, not '" + a.order + "'", "");
  if (a.format != "text" && a.format != "json" && a.format != "junit" && a.format != "sarif")
    diags.error("flag-format", Location{}, "--format must be text, json, junit or sarif, not '" + a.format + "'", "");
  if (a.specs.empty()) diags.error("flag-spec", Location{}, "no spec given", "pass --spec FILE (e.g. specs/vhost-user.spec)");
  if (a.traces.empty()) diags.error("flag-trace", Location{}, "no trace given", "vconform check TRACE... --spec FILE");
  checkCommonFlags(a, diags);
  if (a.predictBudget < 1 || a.predictBudget > kMaxPredictBudget)
    diags.error("flag-predict-budget", Location{},
                "--predict-budget takes a whole number from 1 to " + std::to_string(kMaxPredictBudget), "");
  if (a.context > kMaxContextEvents)
    diags.error("flag-context", Location{}, "--context takes a whole number from 0 to " + std::to_string(kMaxContextEvents), "");
  if (a.each && !a.dotFile.empty())
    diags.error("flag-dot", Location{}, "--dot draws one run; it cannot be combined with --each", "");
  opts.predictBudget = a.predictBudget;
  opts.predictWindow = a.predictWindow;
  opts.jobs = a.jobs ? a.jobs : coresAvailable();
  opts.contextEvents = a.context;
  opts.keepGraph = !a.dotFile.empty();
  return !diags.hasErrors();
}

void checkRun(const CheckArgs& a, const CheckOptions& opts, const std::vector<std::string>& specFiles, Run& run) {
  Diagnostics& diags = run.diags;
  if (!loadSpecs(specFiles, run.spec, run.tables, diags)) return;
  if (run.spec.rules.empty()) {
    std::string files;
    for (const auto& f : specFiles) files += (files.empty() ? "" : ", ") + f;
    diags.error("spec-no-rule", Location{specFiles.size() == 1 ? specFiles[0] : std::string(), 0, 0},
                "no rule to check: " + files + (specFiles.size() == 1 ? " holds" : " hold") + " no rule",
                "a spec that states no rule cannot pass or fail; pass the spec files with the rules (e.g. --spec specs/)");
    return;
  }
  CommonArgs common = a;
  common.traces = run.traces;
  auto reader = openAll(common, run.tables, diags);
  if (!reader) return;
  std::vector<std::string> syncFiles;
  if (!loadRunSyncs(a.syncs, run.spec, run.tables, diags, syncFiles)) return;
  run.result = check(run.spec, *reader, run.tables, opts, diags);
  // A rule with a part none of the run's logs can record is not judged on it (docs/guarantees.md).
  dropUnrecordableRules(run.spec, run.tables.symbols, run.result);
  run.result.syncFiles = syncFiles;
  if (run.result.lostEvents && !a.allowLost)
    diags.error("trace-lost", Location{run.traces.size() == 1 ? run.traces[0] : std::string(), 0, 0},
                "the trace says " + std::to_string(run.result.lostEvents) +
                    " events were lost: a verdict on it can be wrong",
                "record with larger buffers, or pass --allow-lost to check what is there");
  if (diags.hasErrors()) return;
  // A trace that yielded nothing is an error, never "holds over 0 events".
  reportEmptySources(run.result.sources, diags);
  if (diags.hasErrors()) return;
  run.checked = true;
  if (run.result.exercisedRules() == 0) {
    diags.error("spec-not-applicable", Location{},
                "no rule of the spec was exercised: none of the " + std::to_string(run.result.events) +
                    " events read gave a rule something to judge, so the spec does not apply to this trace",
                "compare the spec's event names with `vconform events TRACE`, or see each rule's reason with "
                "`vconform lint SPEC --trace TRACE`");
    return;
  }
  const CheckResult& res = run.result;
  bool incomplete = !res.inconclusive.empty() || res.exercisedRules() < res.ruleStats.size();
  run.code = !res.violations.empty() || (a.strict && incomplete) ? kExitViolation : kExitOk;
}

std::string render(const std::string& format, const ReportInput& ri) {
  if (format == "json") return jsonReport(ri);
  if (format == "junit") return junitReport(ri);
  if (format == "sarif") return sarifReport(ri);
  return textReport(ri);
}

}  // namespace

int runCheck(const CheckArgs& a, std::string& out, std::string& err) {
  Diagnostics flagDiags;
  CheckOptions opts;
  std::vector<std::string> specFiles;
  if (checkFlags(a, opts, flagDiags)) specFiles = expandSpecPaths(a.specs, flagDiags);
  if (flagDiags.hasErrors()) {
    err = renderAll(flagDiags);
    return kExitBadInput;
  }
  std::vector<std::unique_ptr<Run>> runs;
  if (a.each) {
    for (const auto& t : a.traces) {
      runs.push_back(std::make_unique<Run>());
      runs.back()->traces = {t};
    }
  } else {
    runs.push_back(std::make_unique<Run>());
    runs.back()->traces = a.traces;
  }
  for (auto& r : runs) checkRun(a, opts, specFiles, *r);

  int code = kExitOk;
  std::vector<ReportInput> inputs;
  for (auto& r : runs) {
    err += renderAll(r->diags);
    code = std::max(code, r->code);
    if (r->checked) inputs.push_back(ReportInput{r->spec, r->result, r->traces, a.verbose});
  }
  if (inputs.empty()) return code;
  out = a.each ? renderEach(a.format, inputs) : render(a.format, inputs[0]);
  if (!a.dotFile.empty()) {
    Diagnostics d;
    if (!writeFile(a.dotFile, dotReport(inputs[0]), d)) {
      err += renderAll(d);
      return kExitBadInput;
    }
  }
  return code;
}

}  // namespace vc
