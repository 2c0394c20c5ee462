// vconform: the command line. Parses flags and calls the library (app/commands.h); the terminal
// (colour, the progress line) is cli/terminal.cc, the man page and completions cli/generate.cc.
#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "app/commands.h"
#include "app/flags.h"
#include "build-info/build-info.h"
#include "cli/generate.h"
#include "cli/terminal.h"
#include "diag/codes.h"
#include "diag/suggest.h"

namespace {

const char* kExitHelp =
    "Exit codes: 0 = every rule holds, 1 = a violation (observed or predicted; for lint: warnings),\n"
    "            2 = the inputs could not be used (bad spec, unreadable trace, bad flags).";

// A repeatable option that takes one value per occurrence: `--spec A --spec B TRACE` never takes
// TRACE as a spec, nor does `--spec=A TRACE`.
CLI::Option* repeatable(CLI::Option* o) {
  return o->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

void commonFlags(CLI::App* c, vc::CommonArgs& a) {
  c->add_option("traces", a.traces, "Trace files or LTTng trace directories (several are merged); - is stdin");
  repeatable(c->add_option("--input-format", a.inputFormats,
                           "Trace format for all traces (FMT) or one (PATH=FMT): json, ctf, text, tracing-json, or a "
                           "map name (dmesg, qemu, ftrace, env_logger) or .map.json path; default: detected from the "
                           "content"))
      ->type_name("FMT|PATH=FMT");
  repeatable(c->add_option("--maps", a.maps,
                           "Extra directory of map files for text traces (the shipped maps are always searched)"))
      ->type_name("DIR");
  repeatable(c->add_option("--clock-offset", a.clockOffsets, "Add NS nanoseconds to the timestamps of trace PATH"))
      ->type_name("PATH=NS");
  repeatable(c->add_option("--recorder", a.recorders,
                           "Say what recorded trace PATH (e.g. backend, qemu-log): selects the sync files of that "
                           "recorder, for traces that do not say it themselves"))
      ->type_name("PATH=NAME");
  c->add_flag("--allow-lost", a.allowLost, "Check a trace that says it lost events (else exit 2)");
  c->add_flag("--enum-labels", a.enumLabels, "CTF: read enumeration fields as their labels (strings)");
  c->add_option("--tracing-name-field", a.tracingNameField,
                "Rust tracing JSON: the key of \"fields\" that names the event")
      ->capture_default_str();
  repeatable(c->add_option("--allow", a.allow, "Do not report warnings of this code (repeatable; codes: docs/cli.md)"))
      ->type_name("WARNING-CODE");
}

// --input-format FMT (no '=') applies to every trace.
void splitFormats(vc::CommonArgs& a) {
  std::vector<std::string> keep;
  for (const auto& f : a.inputFormats) {
    if (f.find('=') == std::string::npos)
      a.inputFormat = f;
    else
      keep.push_back(f);
  }
  a.inputFormats = keep;
}

// A value given on the command line but empty (--spec '', --tracing-name-field '') is never what
// was meant: CLI11 would take it as "not given", or as a name that matches nothing.
void emptyValues(const CLI::App* sub, vc::Diagnostics& diags) {
  for (const CLI::Option* o : sub->get_options()) {
    if (!o->count() || o->get_expected_max() == 0) continue;  // not given, or a flag
    for (const auto& v : o->results())
      if (v.empty()) {
        std::string name = o->get_name();
        if (name.rfind("--", 0) != 0 && name.rfind('-', 0) != 0) {  // a positional: traces -> TRACE
          if (name.ends_with('s')) name.pop_back();
          for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        diags.error("flag-empty", vc::Location{},
                    (name.starts_with('-') ? name + " was given an empty value" : "a " + name + " argument is empty"),
                    "an empty string is not a path or a name: check the command line (an unset shell variable?)");
        break;
      }
  }
}

// "did you mean" for an unknown command or flag, from CLI11's error.
std::string suggestion(const CLI::App& app, const CLI::App* sub, int argc, char** argv) {
  std::vector<std::string> commands;
  for (const CLI::App* s : app.get_subcommands({})) commands.push_back(s->get_name());
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(commands.begin(), commands.end(), std::string(argv[1])) == commands.end())
    return "unknown command '" + std::string(argv[1]) + "'" + vc::didYouMean(argv[1], commands);
  std::vector<std::string> flags;
  for (const CLI::App* a : {&app, sub})
    if (a)
      for (const CLI::Option* o : a->get_options())
        for (const auto& n : o->get_lnames()) flags.push_back("--" + n);
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (!s.starts_with("--")) continue;
    std::string name = s.substr(0, s.find('='));
    if (std::find(flags.begin(), flags.end(), name) != flags.end()) continue;
    std::string m = vc::didYouMean(name, flags);
    if (!m.empty()) return "unknown flag '" + name + "'" + m;
  }
  return {};
}

// The whole command: parses the command line, runs the command, prints its output.
int run(int argc, char** argv) {
  CLI::App app{
      "vconform: check virtio / vhost-user traces against ordering rules, in the recorded order\n"
      "and in every order that the run's happens-before relation allows."};
  app.name("vconform");
  app.footer(std::string(vc::cli::examplesText(vc::cli::kTopExamples)) + "\n" + kExitHelp);
  app.require_subcommand(0, 1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("vconform ") + vc::versionString());
  std::string colorMode = "auto", generate;
  bool quiet = false;
  app.add_option("--color", colorMode, "Colour on a terminal: auto (a terminal, and NO_COLOR unset), always, never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_flag("-q,--quiet", quiet, "No progress line on the terminal");
  app.add_option("--generate", generate, "Print the man page or a completion script: man, complete-bash, complete-zsh")
      ->type_name("KIND")
      ->check(CLI::IsMember({"man", "complete-bash", "complete-zsh"}));

  vc::CheckArgs ca;
  auto* check = app.add_subcommand("check", "Check traces against spec rules");
  commonFlags(check, ca);
  repeatable(check->add_option("-s,--spec", ca.specs, "Spec file, or a folder of *.spec files (repeatable)"))
      ->type_name("FILE|DIR");
  repeatable(check->add_option("--sync", ca.syncs,
                               "Extra sync file (or folder of *.sync): how the run synchronises, for recorders "
                               "vconform does not ship (repeatable)"))
      ->type_name("FILE|DIR");
  check->add_flag("--strict", ca.strict, "Rules not exercised and inconclusive predictions fail the check (exit 1)");
  check->add_flag("--each", ca.each, "Check every trace as its own run, in one report (the CI shape)");
  repeatable(check->add_option("-f,--format", ca.formats,
                               "Report format, FMT or FMT=FILE (repeatable, one to stdout): text (default), json, "
                               "junit, sarif, dot, html (one page, no network: lanes, witnesses, links)"))
      ->type_name("FMT[=FILE]");
  check->add_option("-o,--output", ca.output, "Write the report (of the --format given without =FILE) to FILE")
      ->type_name("FILE");
  check
      ->add_option("--order", ca.order,
                   "Which orders to check: recorded (the trace as it is), hb (every linearisation of "
                   "happens-before), both")
      ->capture_default_str();
  check->add_option("--dot", ca.dotFile, "Write the violating events and their happens-before edges as Graphviz DOT")
      ->type_name("FILE");
  repeatable(check->add_option("--rule", ca.rules, "Check only this rule (an id, or a glob like 'vu-*'; repeatable)"))
      ->type_name("ID");
  repeatable(check->add_option("--skip-rule", ca.skipRules, "Leave this rule out (an id or a glob; repeatable)"))
      ->type_name("ID");
  check->add_option("--baseline", ca.baseline, "Known violations (a --write-baseline file): only others fail the check")
      ->type_name("FILE");
  check->add_option("--write-baseline", ca.writeBaseline, "Write the violations found as a baseline file")
      ->type_name("FILE");
  // Numbers are taken as text and checked here: CLI11 wraps "-1" into an unsigned and saturates
  // 20-digit values.
  std::string predictBudget = std::to_string(ca.predictBudget), context = std::to_string(ca.context);
  check
      ->add_option(
          "--predict-budget", predictBudget,
          "States explored per rule instance before giving up (1 to " + std::to_string(vc::kMaxPredictBudget) + ")")
      ->type_name("N")
      ->capture_default_str();
  std::string predictWindow = std::to_string(ca.predictWindow), jobs = "auto";
  check
      ->add_option("--predict-window", predictWindow,
                   "Events of a rule instance that may be unordered with a later one at once, before the "
                   "instance is inconclusive (1 to " +
                       std::to_string(vc::kMaxPredictWindow) + ")")
      ->type_name("N")
      ->capture_default_str();
  check
      ->add_option("-j,--jobs", jobs,
                   "Threads searching predictions, and from 2 on each trace read on a thread of its own (1 to " +
                       std::to_string(vc::kMaxJobs) + "; auto: the cores available); the report is the same whatever N")
      ->type_name("N")
      ->capture_default_str();
  check
      ->add_option(
          "--context", context,
          "Events of context shown before an observed violation (0 to " + std::to_string(vc::kMaxContextEvents) + ")")
      ->type_name("N")
      ->capture_default_str();
  check->add_flag("-v,--verbose", ca.verbose, "Per-rule statistics and ignored-event counts");
  check->footer(std::string(vc::cli::examplesText(vc::cli::kCheckExamples)) + "\n" + kExitHelp);

  vc::LintArgs la;
  auto* lint = app.add_subcommand("lint", "Validate spec files; with --trace, warn about rules that never fire on it");
  lint->add_option("specs", la.specs, "Spec files")->required();
  repeatable(lint->add_option("-t,--trace", la.traces, "A trace to test the rules against (repeatable)"));
  repeatable(lint->add_option("--input-format", la.inputFormats, "Trace format (FMT or PATH=FMT)"));
  repeatable(lint->add_option("--maps", la.maps, "Extra map directory"));
  lint->add_flag("--allow-lost", la.allowLost, "Accept traces that lost events");
  repeatable(lint->add_option("--allow", la.allow, "Do not report warnings of this code (repeatable)"))
      ->type_name("WARNING-CODE");
  lint->footer(std::string(vc::cli::examplesText(vc::cli::kLintExamples)) +
               "\nExit codes: 0 = clean, 1 = warnings, 2 = errors.");

  vc::EventsArgs ea;
  auto* events = app.add_subcommand("events", "List the event names and fields a trace contains, with counts");
  commonFlags(events, ea);
  events->add_option("-f,--format", ea.format, "text, json, or spec (event declarations to start a spec)")
      ->capture_default_str();
  events->add_flag("--unmatched", ea.unmatched,
                   "Print the text lines that no map pattern matched (FILE:LINE: text), then a count per trace");
  events->footer(std::string(vc::cli::examplesText(vc::cli::kEventsExamples)) +
                 "\nExit codes: 0 = done, 2 = errors (a trace that yielded no event too).");

  vc::RulesArgs ra;
  auto* rules = app.add_subcommand("rules", "List the rules of spec files (the table of docs/specs.md)");
  rules->add_option("specs", ra.specs, "Spec files")->required();
  rules->add_option("-f,--format", ra.format, "text, markdown or json")->capture_default_str();
  rules->footer(std::string(vc::cli::examplesText(vc::cli::kRulesExamples)) + "\nExit codes: 0 = done, 2 = errors.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const CLI::App* sub = nullptr;
    for (const CLI::App* s : {check, lint, events, rules})
      if (s->parsed()) sub = s;
    std::string hint = suggestion(app, sub, argc, argv);
    // Flags but no command (`vconform --spec S`): say that first.
    bool commandWord = false;
    for (int i = 1; i < argc; ++i)
      for (const CLI::App* s : {check, lint, events, rules}) commandWord |= s->get_name() == argv[i];
    if (hint.empty() && !sub && !commandWord)
      hint = std::string("no command given (check, events, lint or rules): ") + e.what();
    std::cerr << "vconform: error: " << (hint.empty() ? e.what() : hint)
              << "\n  = help: run `vconform --help` or `vconform COMMAND --help`\n";
    return vc::kExitBadInput;
  }

  if (!generate.empty()) {
    std::string text = generate == "man"             ? vc::cli::manPage(app)
                       : generate == "complete-bash" ? vc::cli::bashCompletion(app)
                                                     : vc::cli::zshCompletion(app);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return vc::kExitOk;
  }
  if (!check->parsed() && !lint->parsed() && !events->parsed() && !rules->parsed()) {
    std::cerr << "vconform: error: no command given: check, events, lint or rules\n"
                 "  = help: run `vconform --help`, or `vconform check --help` for the main command\n";
    return vc::kExitBadInput;
  }

  vc::cli::Terminal term(colorMode, quiet);
  {
    vc::Diagnostics diags;
    for (const CLI::App* sub : {check, lint, events, rules})
      if (sub->parsed()) emptyValues(sub, diags);
    uint64_t v = 0;
    if (check->parsed()) {
      if (!predictBudget.empty() && vc::parseCountFlag("--predict-budget", predictBudget, 1, vc::kMaxPredictBudget, v,
                                                       diags, "to skip the prediction, pass --order recorded"))
        ca.predictBudget = v;
      if (!predictWindow.empty() && vc::parseCountFlag("--predict-window", predictWindow, 1, vc::kMaxPredictWindow, v,
                                                       diags, "memory grows with the window (docs/performance.md)"))
        ca.predictWindow = v;
      if (jobs != "auto" && !jobs.empty() &&
          vc::parseCountFlag("-j/--jobs", jobs, 1, vc::kMaxJobs, v, diags, "or pass -j auto"))
        ca.jobs = static_cast<unsigned>(v);
      if (!context.empty() && vc::parseCountFlag("--context", context, 0, vc::kMaxContextEvents, v, diags))
        ca.context = static_cast<size_t>(v);
    }
    if (diags.hasErrors()) {
      std::string text = vc::renderAll(diags, term.colorStderr());
      std::fputs(text.c_str(), stderr);
      return vc::kExitBadInput;
    }
  }

  std::string out, err;
  int code = vc::kExitBadInput;
  try {
    if (check->parsed()) {
      splitFormats(ca);
      ca.color = term.colorStderr();
      ca.reportColor = term.colorStdout();
      if (term.progressWanted()) {
        term.startProgress(ca.traces);
        ca.progress = [&term](const vc::Progress& p) { term.progress(p); };
      }
      code = vc::runCheck(ca, out, err);
      term.endProgress();
    } else if (lint->parsed()) {
      splitFormats(la);
      la.color = term.colorStderr();
      code = vc::runLint(la, out, err);
    } else if (rules->parsed()) {
      code = vc::runRules(ra, out, err);
    } else if (events->parsed()) {
      splitFormats(ea);
      ea.color = term.colorStderr();
      code = vc::runEvents(ea, out, err);
    }
  } catch (const std::bad_alloc&) {
    term.endProgress();
    std::cerr << "vconform: error: out of memory\n";
    return vc::kExitBadInput;
  } catch (const std::exception& e) {
    term.endProgress();
    // Only bugs and I/O failures get here: user errors are diagnostics.
    std::cerr << "vconform: internal error: " << e.what() << "\n";
    return vc::kExitBadInput;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fwrite(err.data(), 1, err.size(), stderr);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // Setting up the command line may throw too (a CLI11 construction error, out of memory): a bug
  // or a resource failure, reported as an internal error, never an escaped exception.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vconform: internal error: %s\n", e.what());
  } catch (...) {
    std::fputs("vconform: internal error: unknown exception\n", stderr);
  }
  return vc::kExitBadInput;
}
