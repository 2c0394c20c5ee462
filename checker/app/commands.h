// The subcommands as library functions: the `vconform` executable only parses flags and calls
// these; tests call them directly. They return the exit code and fill `out` (the report) and
// `err` (diagnostics); they never print.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vc {

enum ExitCode : int { kExitOk = 0, kExitViolation = 1, kExitBadInput = 2 };

struct CommonArgs {
  std::vector<std::string> traces;
  std::string inputFormat = "auto";       // FMT, or PATH=FMT entries in inputFormats
  std::vector<std::string> inputFormats;  // PATH=FMT
  std::vector<std::string> maps;          // extra map directories
  std::vector<std::string> clockOffsets;  // PATH=NS
  std::vector<std::string> recorders;     // PATH=NAME: what recorded a trace (selects sync files)
  bool allowLost = false;
  bool enumLabels = false;                   // CTF enums as labels
  std::string tracingNameField = "message";  // Rust tracing JSON: the key naming the event
  std::vector<std::string> allow;            // warning codes not to report (diag/codes.h)
  bool color = false;                        // diagnostics (and the text report on stdout) in colour
  // Threads to use (check -j): 0 = the cores this process may run on. From 2 on, every trace is
  // decoded on a thread of its own while the events before are checked, and predictions are
  // searched on that many threads; the output is the same for every value.
  unsigned jobs = 0;
};

// How far a long check has got, for a progress line (the CLI draws it on a terminal).
struct Progress {
  const char* phase = "reading";  // what the check is doing: "reading" (the traces)
  uint64_t events = 0;            // events read so far
  uint64_t done = 0, total = 0;   // a phase that counts steps: done of total (0 of 0 when not)
};
using ProgressSink = std::function<void(const Progress&)>;

// One report of a check: a format and where it goes ("" = standard output).
struct ReportOutput {
  std::string format;  // text | json | junit | sarif | html | dot
  std::string file;
};

// The cores this process may run on (its affinity mask, which containers and taskset narrow), at
// least 1.
unsigned availableCores();

struct CheckArgs : CommonArgs {
  std::vector<std::string> specs;  // files or folders of *.spec
  std::vector<std::string> syncs;  // extra sync files (or folders of *.sync), loaded for every run
  bool strict = false;             // not-exercised rules and inconclusive predictions fail (exit 1)
  bool each = false;               // every trace is its own run (one report)
  // Reports: each --format is FMT (standard output, or the -o file) or FMT=FILE; none = text.
  std::vector<std::string> formats;
  std::string output;                  // -o: the file of the one format given without =FILE
  std::string order = "both";          // recorded | hb | both
  std::string dotFile;                 // --dot FILE: the same as --format dot=FILE
  std::vector<std::string> rules;      // --rule: check only these rule ids (globs: * and ?)
  std::vector<std::string> skipRules;  // --skip-rule: leave these out
  std::string baseline;                // known violations: only others fail the check
  std::string writeBaseline;           // write this run's violations as a baseline file
  ProgressSink progress;               // called now and then during a long check
  bool reportColor = false;            // the text report on standard output in colour (a terminal)
  uint64_t predictBudget = 2000000;
  uint64_t predictWindow = 200000;  // events of a rule instance unordered with a later one, at once
  size_t context = 2;
  bool verbose = false;
};

struct LintArgs : CommonArgs {
  std::vector<std::string> specs;
};

struct EventsArgs : CommonArgs {
  std::string format = "text";
  bool unmatched = false;  // print the text lines no map pattern matched (file:line: text) instead
};

struct RulesArgs {
  std::vector<std::string> specs;
  std::string format = "text";  // text | markdown | json
};

int runCheck(const CheckArgs& a, std::string& out, std::string& err);
int runLint(const LintArgs& a, std::string& out, std::string& err);
int runEvents(const EventsArgs& a, std::string& out, std::string& err);
int runRules(const RulesArgs& a, std::string& out, std::string& err);

}  // namespace vc
