// vconform: the command line. Parses flags and calls the library (app/commands.h); nothing else.
#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdio>
#include <iostream>

#include "app/commands.h"
#include "app/flags.h"

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
  repeatable(c->add_option("--maps", a.maps, "Extra directory of map files for text traces (specs/maps is always searched)"))
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
}

// --input-format FMT (no '=') applies to every trace.
void splitFormats(vc::CommonArgs& a) {
  std::vector<std::string> keep;
  for (const auto& f : a.inputFormats) {
    if (f.find('=') == std::string::npos) a.inputFormat = f;
    else keep.push_back(f);
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
        if (name.rfind("--", 0) != 0) {  // a positional: traces -> TRACE
          if (name.ends_with('s')) name.pop_back();
          for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        diags.error("flag-empty", vc::Location{},
                    (name.rfind("--", 0) == 0 ? name + " was given an empty value" : "a " + name + " argument is empty"),
                    "an empty string is not a path or a name: check the command line (an unset shell variable?)");
        break;
      }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vconform: check virtio / vhost-user traces against ordering rules, in the recorded order\n"
               "and in every order that the run's happens-before relation allows."};
  app.name("vconform");
  app.footer(kExitHelp);
  app.require_subcommand(1);
  app.set_version_flag("--version", "vconform 0.1.0");

  vc::CheckArgs ca;
  auto* check = app.add_subcommand("check", "Check traces against spec rules");
  commonFlags(check, ca);
  repeatable(check->add_option("-s,--spec", ca.specs, "Spec file, or a folder of *.spec files (repeatable)"))
      ->required()
      ->type_name("FILE|DIR");
  repeatable(check->add_option("--sync", ca.syncs,
                               "Extra sync file (or folder of *.sync): how the run synchronises, for recorders "
                               "vconform does not ship (repeatable)"))
      ->type_name("FILE|DIR");
  check->add_flag("--strict", ca.strict, "Rules not exercised and inconclusive predictions fail the check (exit 1)");
  check->add_flag("--each", ca.each, "Check every trace as its own run, in one report (the CI shape)");
  check->add_option("-f,--format", ca.format, "Report format: text, json, junit, sarif")->capture_default_str();
  check->add_option("--order", ca.order,
                    "Which orders to check: recorded (the trace as it is), hb (every linearisation of "
                    "happens-before), both")
      ->capture_default_str();
  check->add_option("--dot", ca.dotFile, "Write the violating events and their happens-before edges as Graphviz DOT");
  // Numbers are taken as text and checked here: CLI11 wraps "-1" into an unsigned and saturates
  // 20-digit values.
  std::string predictBudget = std::to_string(ca.predictBudget), context = std::to_string(ca.context);
  check->add_option("--predict-budget", predictBudget,
                    "States explored per rule instance before giving up (1 to " + std::to_string(vc::kMaxPredictBudget) + ")")
      ->type_name("N")
      ->capture_default_str();
  std::string predictWindow = std::to_string(ca.predictWindow), jobs = "auto";
  check->add_option("--predict-window", predictWindow,
                    "Events of a rule instance that may be unordered with a later one at once, before the "
                    "instance is inconclusive (1 to " + std::to_string(vc::kMaxPredictWindow) + ")")
      ->type_name("N")
      ->capture_default_str();
  check->add_option("-j,--jobs", jobs,
                    "Threads searching predictions (1 to " + std::to_string(vc::kMaxJobs) +
                        "; auto: the cores available); the report is the same whatever N")
      ->type_name("N")
      ->capture_default_str();
  check->add_option("--context", context,
                    "Events of context shown before an observed violation (0 to " + std::to_string(vc::kMaxContextEvents) + ")")
      ->type_name("N")
      ->capture_default_str();
  check->add_flag("-v,--verbose", ca.verbose, "Per-rule statistics and ignored-event counts");
  check->footer(kExitHelp);

  vc::LintArgs la;
  auto* lint = app.add_subcommand("lint", "Validate spec files; with --trace, warn about rules that never fire on it");
  lint->add_option("specs", la.specs, "Spec files")->required();
  repeatable(lint->add_option("-t,--trace", la.traces, "A trace to test the rules against (repeatable)"));
  repeatable(lint->add_option("--input-format", la.inputFormats, "Trace format (FMT or PATH=FMT)"));
  repeatable(lint->add_option("--maps", la.maps, "Extra map directory"));
  lint->add_flag("--allow-lost", la.allowLost, "Accept traces that lost events");
  lint->footer("Exit codes: 0 = clean, 1 = warnings, 2 = errors.");

  vc::EventsArgs ea;
  auto* events = app.add_subcommand("events", "List the event names and fields a trace contains, with counts");
  commonFlags(events, ea);
  events->add_option("-f,--format", ea.format, "text, json, or spec (event declarations to start a spec)")
      ->capture_default_str();
  events->add_flag("--unmatched", ea.unmatched,
                   "Print the text lines that no map pattern matched (FILE:LINE: text), then a count per trace");

  vc::RulesArgs ra;
  auto* rules = app.add_subcommand("rules", "List the rules of spec files (the table of docs/specs.md)");
  rules->add_option("specs", ra.specs, "Spec files")->required();
  rules->add_option("-f,--format", ra.format, "text, markdown or json")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "vconform: error: " << e.what() << "\n  = help: run `vconform --help` or `vconform COMMAND --help`\n";
    return vc::kExitBadInput;
  }

  {
    vc::Diagnostics diags;
    for (const CLI::App* sub : {check, lint, events, rules})
      if (sub->parsed()) emptyValues(sub, diags);
    if (check->parsed()) {
      uint64_t v = 0;
      if (!predictBudget.empty() && vc::parseCountFlag("--predict-budget", predictBudget, 1, vc::kMaxPredictBudget, v,
                                                       diags, "to skip the prediction, pass --order recorded"))
        ca.predictBudget = v;
      if (!predictWindow.empty() &&
          vc::parseCountFlag("--predict-window", predictWindow, 1, vc::kMaxPredictWindow, v, diags,
                             "memory grows with the window (docs/performance.md)"))
        ca.predictWindow = v;
      if (jobs != "auto" && !jobs.empty() && vc::parseCountFlag("-j/--jobs", jobs, 1, vc::kMaxJobs, v, diags, "or pass -j auto"))
        ca.jobs = static_cast<unsigned>(v);
      if (!context.empty() && vc::parseCountFlag("--context", context, 0, vc::kMaxContextEvents, v, diags))
        ca.context = static_cast<size_t>(v);
    }
    if (diags.hasErrors()) {
      std::fputs(vc::renderAll(diags).c_str(), stderr);
      return vc::kExitBadInput;
    }
  }

  std::string out, err;
  int code = vc::kExitBadInput;
  try {
    if (check->parsed()) {
      splitFormats(ca);
      code = vc::runCheck(ca, out, err);
    } else if (lint->parsed()) {
      splitFormats(la);
      code = vc::runLint(la, out, err);
    } else if (rules->parsed()) {
      code = vc::runRules(ra, out, err);
    } else if (events->parsed()) {
      splitFormats(ea);
      code = vc::runEvents(ea, out, err);
    }
  } catch (const std::bad_alloc&) {
    std::cerr << "vconform: error: out of memory\n";
    return vc::kExitBadInput;
  } catch (const std::exception& e) {
    // Only bugs and I/O failures get here: user errors are diagnostics.
    std::cerr << "vconform: internal error: " << e.what() << "\n";
    return vc::kExitBadInput;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fwrite(err.data(), 1, err.size(), stderr);
  return code;
}
