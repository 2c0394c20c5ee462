#include "cli/generate.h"

#include <map>

#include "build-info/build-info.h"
#include "diag/codes.h"
#include "report/report.h"

namespace vc::cli {

const std::vector<Example> kTopExamples = {
    {"check a trace against a spec (exit 1: a violation)",
     "vconform check traces/vhost-user/enable-race.jsonl --spec specs/vhost-user-frontend.spec"},
    {"what a trace holds: the first step of a spec", "vconform events backend.jsonl"},
    {"the rules of the shipped specs", "vconform rules specs/"},
};

const std::vector<Example> kCheckExamples = {
    {"one run: the traces of one run are merged",
     "vconform check qemu-trace.log backend.jsonl --spec specs/vhost-user.spec"},
    {"CI: every trace its own run; text on the terminal, JUnit and SARIF files",
     "vconform check --each traces/*.jsonl --spec specs/ --format text --format junit=report.xml --format "
     "sarif=vconform.sarif"},
    {"accept today's violations, fail only on new ones",
     "vconform check run.jsonl --spec specs/ --write-baseline known.json; vconform check run.jsonl --spec specs/ "
     "--baseline known.json"},
    {"some rules only, and a Graphviz picture of each violation",
     "vconform check run.jsonl --spec specs/ --rule 'vu-enable*' --format dot=run.dot"},
    {"a page to look at: the run on thread lanes, each violation's witness, links to the lines",
     "vconform check run.jsonl --spec specs/ --format text --format html=report.html"},
};

const std::vector<Example> kEventsExamples = {
    {"event names, counts, threads and fields", "vconform events backend.jsonl"},
    {"the lines of a text trace no map pattern took", "vconform events --unmatched qemu-trace.log"},
    {"event declarations to start a spec from", "vconform events backend.jsonl --format spec > my.spec"},
};

const std::vector<Example> kLintExamples = {
    {"check the spec files", "vconform lint specs/*.spec"},
    {"and the rules that never fire on a trace", "vconform lint my.spec --trace backend.jsonl"},
};

const std::vector<Example> kRulesExamples = {
    {"the rules, their citations and sources", "vconform rules specs/vhost-user.spec"},
    {"the table of docs/specs.md", "vconform rules specs/*.spec --format markdown"},
};

std::string examplesText(const std::vector<Example>& examples) {
  std::string out = "Examples:\n";
  for (const auto& e : examples) out += std::string("  # ") + e.what + "\n  $ " + e.command + "\n";
  return out;
}

namespace {

// The values an option takes, for completion (files when none).
std::vector<std::string> optionValues(const std::string& command, const std::string& option) {
  if (option == "--color") return {"auto", "always", "never"};
  if (option == "--generate") return {"man", "complete-bash", "complete-zsh"};
  if (option == "--order") return {"recorded", "hb", "both"};
  if (option == "--input-format")
    return {"json", "ctf", "text", "tracing-json", "dmesg", "qemu", "ftrace", "env_logger"};
  if (option == "--allow") {
    std::vector<std::string> v;
    for (const auto& w : warningCodes()) v.emplace_back(w.code);
    return v;
  }
  if (option == "--format") {
    if (command == "check") return reportFormats();
    if (command == "events") return {"text", "json", "spec"};
    if (command == "rules") return {"text", "markdown", "json"};
  }
  return {};
}

struct Flag {
  std::vector<std::string> names;  // "-s", "--spec"
  std::string value;               // "" = a flag without value
  std::string help;
  bool repeatable = false;
};

std::vector<Flag> flagsOf(const CLI::App& a) {
  std::vector<Flag> out;
  for (const CLI::Option* o : a.get_options()) {
    if (!o->nonpositional()) continue;
    Flag f;
    for (const auto& s : o->get_snames()) f.names.push_back("-" + s);
    for (const auto& l : o->get_lnames()) f.names.push_back("--" + l);
    if (f.names.empty()) continue;
    f.help = o->get_description();
    if (o->get_expected_max() != 0) {
      f.value = o->get_type_name();
      if (f.value.empty() || f.value == "TEXT") f.value = "VALUE";
    }
    f.repeatable = o->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
    out.push_back(f);
  }
  return out;
}

std::string positionalOf(const CLI::App& a) {
  for (const CLI::Option* o : a.get_options())
    if (o->get_positional()) {
      std::string n = o->get_name();
      for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (n.ends_with('S')) n.pop_back();
      return n + "...";
    }
  return {};
}

std::string longName(const Flag& f) { return f.names.back(); }

// roff text: backslashes, hyphens (so they are not broken or turned into dashes), leading dots.
std::string roff(const std::string& s) {
  std::string o;
  bool lineStart = true;
  for (char c : s) {
    if (lineStart && (c == '.' || c == '\'')) o += "\\&";
    if (c == '\\')
      o += "\\e";
    else if (c == '-')
      o += "\\-";
    else
      o += c;
    lineStart = c == '\n';
  }
  return o;
}

std::string roffExamples(const std::vector<Example>& examples) {
  std::string out;
  for (const auto& e : examples) out += ".PP\n" + roff(e.what) + ":\n.RS\n.nf\n" + roff(e.command) + "\n.fi\n.RE\n";
  return out;
}

const std::vector<Example>& examplesFor(const std::string& command) {
  static const std::map<std::string, const std::vector<Example>*> all = {
      {"check", &kCheckExamples}, {"events", &kEventsExamples}, {"lint", &kLintExamples}, {"rules", &kRulesExamples}};
  auto it = all.find(command);
  return it == all.end() ? kTopExamples : *it->second;
}

std::string roffFlags(const std::vector<Flag>& flags) {
  std::string out;
  for (const auto& f : flags) {
    out += ".TP\n";
    for (size_t i = 0; i < f.names.size(); ++i)
      out += (i ? ", " : "") + std::string("\\fB") + roff(f.names[i]) + "\\fR";
    if (!f.value.empty()) out += " \\fI" + roff(f.value) + "\\fR";
    out += "\n" + roff(f.help) + (f.repeatable ? " (repeatable)" : "") + "\n";
  }
  return out;
}

}  // namespace

std::string manPage(const CLI::App& app) {
  std::string v = versionString();
  std::string out;
  out += ".\\\" Generated by `vconform --generate man` from the flag definitions: do not edit.\n";
  out += ".TH VCONFORM 1 \"\" \"vconform " + v + "\" \"User Commands\"\n";
  out += ".SH NAME\nvconform \\- check virtio and vhost\\-user traces against ordering rules\n";
  out += ".SH SYNOPSIS\n";
  for (const CLI::App* sub : app.get_subcommands({})) {
    out += ".B vconform " + roff(sub->get_name()) + "\n";
    std::string pos = positionalOf(*sub);
    out += "[\\fIOPTIONS\\fR]" + (pos.empty() ? std::string() : " \\fI" + roff(pos) + "\\fR") + "\n.br\n";
  }
  out += ".B vconform\n\\fB\\-\\-generate\\fR \\fIKIND\\fR | \\fB\\-\\-version\\fR | \\fB\\-\\-help\\fR\n";
  out += ".SH DESCRIPTION\n" + roff(app.get_description()) + "\n";
  out +=
      ".PP\nvconform reads traces recorded from a real run (its own JSON lines, LTTng CTF, kernel dmesg, QEMU "
      "trace logs, Rust logs; gzip and zstd compressed ones too), loads rules written in a small spec language, "
      "builds the happens\\-before order of the run and reports every violation: \\fIobserved\\fR ones (the "
      "recorded order breaks a rule) and \\fIpredicted\\fR ones (another order of the same run, that nothing the "
      "run synchronised on rules out, breaks it), with the interleaving that breaks it.\n";
  out += ".SH COMMANDS\n";
  for (const CLI::App* sub : app.get_subcommands({})) {
    out += ".SS \"vconform " + roff(sub->get_name()) + "\"\n" + roff(sub->get_description()) + "\n";
    out += roffFlags(flagsOf(*sub));
    out += ".PP\n\\fBExamples\\fR\n" + roffExamples(examplesFor(sub->get_name()));
  }
  out += ".SH GLOBAL OPTIONS\n" + roffFlags(flagsOf(app));
  out +=
      ".SH EXIT STATUS\n.TP\n.B 0\nevery rule the traces exercised holds (lint: clean; events, rules: done)\n"
      ".TP\n.B 1\na violation, observed or predicted (lint: warnings; with \\-\\-strict, also a rule not "
      "exercised or an inconclusive prediction)\n"
      ".TP\n.B 2\nno verdict: the inputs could not be used (a bad spec, flag or trace, a trace that yielded no "
      "event, a spec that does not apply), with a diagnostic saying where and how to fix it\n";
  out +=
      ".SH WARNING CODES\nWarnings do not stop a check; \\fB\\-\\-allow\\fR \\fICODE\\fR silences one kind. "
      "Errors cannot be silenced.\n";
  for (const auto& w : warningCodes()) out += ".TP\n.B " + roff(w.code) + "\n" + roff(w.meaning) + "\n";
  out +=
      ".SH ENVIRONMENT\n.TP\n.B VCONFORM_MAPS_DIR\nmore folders of map files for text traces, separated by "
      "colons, searched after \\-\\-maps and before the shipped maps\n"
      ".TP\n.B NO_COLOR\nwhen set and not empty, no colour (unless \\-\\-color=always)\n"
      ".TP\n.B VCONFORM_PROGRESS_AFTER_MS\nhow long a check runs before the progress line appears (default "
      "1000)\n";
  out +=
      ".SH FILES\nThe shipped data is found relative to the executable, in \\fI../share/vconform/\\fR "
      "(\\fI/usr/share/vconform/\\fR for \\fI/usr/bin/vconform\\fR):\n"
      ".TP\n.I specs/*.spec\nthe rule library (pass it with \\-\\-spec)\n"
      ".TP\n.I maps/*.map.json\nhow text traces (dmesg, QEMU logs, ...) become events\n"
      ".TP\n.I sync/*.sync\nhow each recorder's threads synchronise, loaded by recorder\n";
  out +=
      ".SH SEE ALSO\n\\fI/usr/share/doc/vconform/\\fR: README.md and docs/ (cli.md, spec\\-language.md, "
      "guarantees.md, report\\-format.md), and examples/.\n";
  return out;
}

std::string bashCompletion(const CLI::App& app) {
  std::string out =
      "# bash completion for vconform. Generated by `vconform --generate complete-bash`: do not edit.\n"
      "_vconform() {\n"
      "  local cur prev cmd='' i\n"
      "  cur=${COMP_WORDS[COMP_CWORD]}\n"
      "  prev=${COMP_WORDS[COMP_CWORD-1]}\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case ${COMP_WORDS[i]} in";
  std::vector<const CLI::App*> subs = app.get_subcommands({});
  for (size_t i = 0; i < subs.size(); ++i) out += (i ? "|" : " ") + subs[i]->get_name();
  out += ") cmd=${COMP_WORDS[i]}; break ;; esac\n  done\n";
  // Values of the option before the cursor.
  out += "  case $cmd:$prev in\n";
  std::vector<std::pair<std::string, const CLI::App*>> scopes = {{"", &app}};
  for (const CLI::App* s : subs) scopes.emplace_back(s->get_name(), s);
  for (const auto& [name, a] : scopes)
    for (const auto& f : flagsOf(*a)) {
      if (f.value.empty()) continue;
      std::string pat;
      for (const auto& n : f.names)
        pat += (pat.empty() ? "" : "|") + (name.empty() ? std::string("*") : name) + ":" + n;
      auto vals = optionValues(name, longName(f));
      std::string words;
      for (const auto& v : vals) words += (words.empty() ? "" : " ") + v;
      out += "    " + pat + ") COMPREPLY=($(compgen " + (vals.empty() ? std::string("-f") : "-W '" + words + "'") +
             " -- \"$cur\")); return ;;\n";
    }
  out += "  esac\n  if [[ $cur == -* ]]; then\n    case $cmd in\n";
  for (const auto& [name, a] : scopes) {
    std::string words;
    for (const auto& f : flagsOf(*a))
      for (const auto& n : f.names) words += (words.empty() ? "" : " ") + n;
    if (!name.empty())
      for (const auto& f : flagsOf(app))
        for (const auto& n : f.names) words += " " + n;
    out += "      " + (name.empty() ? std::string("''") : name) + ") COMPREPLY=($(compgen -W '" + words +
           "' -- \"$cur\")) ;;\n";
  }
  out += "    esac\n    return\n  fi\n  if [[ -z $cmd ]]; then\n    COMPREPLY=($(compgen -W '";
  for (size_t i = 0; i < subs.size(); ++i) out += (i ? " " : "") + subs[i]->get_name();
  out +=
      "' -- \"$cur\"))\n    return\n  fi\n  COMPREPLY=($(compgen -f -- \"$cur\"))\n}\n"
      "complete -o filenames -o bashdefault -F _vconform vconform\n";
  return out;
}

namespace {

std::string zshEsc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') o += '\\';
    if (c == '\'') {
      o += "'\\''";
      continue;
    }
    o += c;
  }
  return o;
}

std::string zshSpecs(const std::string& command, const CLI::App& a) {
  std::string out;
  for (const auto& f : flagsOf(a)) {
    std::string help = f.help.substr(0, f.help.find('\n'));
    if (help.size() > 90) help = help.substr(0, 87) + "...";
    std::string action;
    if (!f.value.empty()) {
      auto vals = optionValues(command, longName(f));
      std::string words;
      for (const auto& v : vals) words += (words.empty() ? "" : " ") + v;
      action = ":" + zshEsc(f.value) + ":" + (vals.empty() ? std::string("_files") : "(" + words + ")");
    }
    for (const auto& n : f.names)
      out += "    '" + std::string(f.repeatable ? "*" : "") + n + (f.value.empty() || n.size() == 2 ? "" : "=") + "[" +
             zshEsc(help) + "]" + action + "' \\\n";
  }
  return out;
}

}  // namespace

std::string zshCompletion(const CLI::App& app) {
  std::string out =
      "#compdef vconform\n# zsh completion for vconform. Generated by `vconform --generate "
      "complete-zsh`: do not edit.\n_vconform() {\n  local curcontext=$curcontext state line\n"
      "  local -a commands\n  commands=(\n";
  for (const CLI::App* s : app.get_subcommands({}))
    out += "    '" + s->get_name() + ":" + zshEsc(s->get_description()) + "'\n";
  out += "  )\n  _arguments -C \\\n" + zshSpecs("", app) + "    '1: :->command' \\\n    '*:: :->args'\n";
  out +=
      "  case $state in\n    command) _describe 'vconform command' commands ;;\n    args)\n      case $words[1] in\n";
  for (const CLI::App* s : app.get_subcommands({})) {
    out += "        " + s->get_name() + ")\n          _arguments \\\n" + zshSpecs(s->get_name(), *s) +
           "    '*:file:_files' ;;\n";
  }
  out += "      esac ;;\n  esac\n}\n_vconform \"$@\"\n";
  return out;
}

}  // namespace vc::cli
