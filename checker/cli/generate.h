// The man page and the shell completions, generated from the flag definitions themselves (the
// CLI11 app of main.cc): one source for --help, `man vconform` and completion. Also the examples
// every --help shows (and the man page's EXAMPLES).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace vc::cli {

struct Example {
  const char* what;
  const char* command;
};

extern const std::vector<Example> kTopExamples;
extern const std::vector<Example> kCheckExamples;
extern const std::vector<Example> kEventsExamples;
extern const std::vector<Example> kLintExamples;
extern const std::vector<Example> kRulesExamples;

// "Examples:" and one "  # what" / "  $ command" pair per example.
std::string examplesText(const std::vector<Example>& examples);

std::string manPage(const CLI::App& app);         // roff (man(7) macros), section 1
std::string bashCompletion(const CLI::App& app);  // for /usr/share/bash-completion/completions/vconform
std::string zshCompletion(const CLI::App& app);   // for a zsh fpath folder, as _vconform

}  // namespace vc::cli
