// Reporters: one per output format. They only format a CheckResult; deterministic output.
#pragma once

#include <string>
#include <vector>

#include "check/violation.h"
#include "diag/diagnostic.h"
#include "spec/model.h"

namespace vc {

// The whole run at a glance, for the HTML report's overview: the events in the recorded order
// cut into at most kMaxBuckets buckets of `bucketEvents` events, and per thread how many of each
// bucket's events it recorded. Bounded memory whatever the run's length (OverviewRecorder).
struct RunOverview {
  static constexpr size_t kMaxBuckets = 512;
  uint64_t events = 0;
  uint64_t bucketEvents = 1;
  std::vector<std::string> lanes;             // thread labels, in order of first event
  std::vector<uint32_t> laneThreads;          // their thread indices
  std::vector<std::vector<uint32_t>> counts;  // [lane][bucket]
  std::vector<int64_t> bucketTs;              // the first timestamp of each bucket (or 0)
  std::vector<uint8_t> bucketHasTs;
};

// Builds a RunOverview from the events as they are read (each event once, in the order read):
// when the buckets are full, neighbours merge and each bucket holds twice as many events.
class OverviewRecorder {
 public:
  void add(const Event& ev);
  RunOverview finish(const ThreadTable& threads);

 private:
  RunOverview o_;
  std::vector<uint32_t> laneOf_;  // thread index -> lane + 1 (0: none yet)
  uint64_t inBucket_ = 0;
};

struct ReportInput {
  const Spec& spec;
  const CheckResult& result;
  std::vector<std::string> traces;  // as given on the command line
  bool verbose = false;
  // This run's diagnostics (warnings; and the errors when `failed`). May be null.
  const Diagnostics* diags = nullptr;
  // No verdict: the inputs could not be used (exit 2). Only traces, spec.files and diags mean
  // anything; every format still says why (a JUnit error, a SARIF notification, JSON diagnostics).
  bool failed = false;
  // Checked, but still no verdict (exit 2: no rule of the spec was exercised): the report is
  // written in full, and says "error" (JSON verdict, a JUnit error, SARIF executionSuccessful).
  bool noVerdict = false;
  bool color = false;        // text: ANSI colours (a terminal)
  std::string baselineFile;  // --baseline: where `known` came from
  // Violations the --baseline accepts (taken out of result.violations: reported, never failing).
  // May be null.
  const std::vector<Violation>* known = nullptr;
  // --format html: the run at a glance (may be null: no overview).
  const RunOverview* overview = nullptr;
};

std::string textReport(const ReportInput& in);
std::string jsonReport(const ReportInput& in);   // schema: docs/report-format.md
std::string dotReport(const ReportInput& in);    // Graphviz: one cluster per violation
std::string junitReport(const ReportInput& in);  // one testcase per rule
std::string sarifReport(const ReportInput& in);  // SARIF 2.1.0, one result per violation
// One self-contained HTML page (no network): an overview of the run on thread lanes, and each
// violation's events, edges and witness. Several runs (--each): one section each.
std::string htmlReport(const std::vector<ReportInput>& runs);

// --each: one report holding several runs (text sections, a JSON "runs" array, one JUnit
// testsuite and one SARIF run per trace).
std::string renderEach(const std::string& format, const std::vector<ReportInput>& runs);

// The report of `format` (text, json, junit, sarif, dot) for one run, or for several with
// `each` (renderEach).
std::string renderReport(const std::string& format, const std::vector<ReportInput>& runs, bool each);

// The formats check can write, for flags and "did you mean".
const std::vector<std::string>& reportFormats();

const char* kindName(ViolationKind k);  // "observed" / "predicted"

// The known violations of a report (none when ReportInput::known is null).
const std::vector<Violation>& knownViolations(const ReportInput& in);
// The verdict of rule `rule` as reports name it: result.verdict()'s name ("holds", "violated",
// "inconclusive", "not-exercised"), or "known" when its only violations are known ones.
std::string ruleVerdictText(const ReportInput& in, size_t rule);

// Shared wording: how a rule was judged ("the recorded order", "every order happens-before
// allows"), and what was read from a source, in one line.
std::string judgedByText(uint8_t judgedBy);
std::string sourceText(const Source& s);

}  // namespace vc
