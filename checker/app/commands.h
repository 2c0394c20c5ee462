// The subcommands as library functions: the `vconform` executable only parses flags and calls
// these; tests call them directly. They return the exit code and fill `out` (the report) and
// `err` (diagnostics); they never print.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vc {

enum ExitCode : int { kExitOk = 0, kExitViolation = 1, kExitBadInput = 2 };

struct CommonArgs {
  std::vector<std::string> traces;
  std::string inputFormat = "auto";            // FMT, or PATH=FMT entries in inputFormats
  std::vector<std::string> inputFormats;       // PATH=FMT
  std::vector<std::string> maps;               // extra map directories
  std::vector<std::string> clockOffsets;       // PATH=NS
  std::vector<std::string> recorders;          // PATH=NAME: what recorded a trace (selects sync files)
  bool allowLost = false;
  bool enumLabels = false;                     // CTF enums as labels
  std::string tracingNameField = "message";    // Rust tracing JSON: the key naming the event
};

struct CheckArgs : CommonArgs {
  std::vector<std::string> specs;   // files or folders of *.spec
  std::vector<std::string> syncs;   // extra sync files (or folders of *.sync), loaded for every run
  bool strict = false;              // not-exercised rules and inconclusive predictions fail (exit 1)
  bool each = false;                // every trace is its own run (one report)
  std::string format = "text";  // text | json | junit | sarif
  std::string order = "both";   // recorded | hb | both
  std::string dotFile;          // write the DOT picture here
  uint64_t predictBudget = 2000000;
  uint64_t predictWindow = 200000;  // events of a rule instance unordered with a later one, at once
  unsigned jobs = 0;                // threads searching predictions (0: the cores available)
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
