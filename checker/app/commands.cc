#include "app/commands.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "app/flags.h"
#include "app/inputs.h"
#include "check/automaton.h"
#include "check/engine.h"
#include "diag/codes.h"
#include "diag/suggest.h"
#include "report/report.h"
#include "spec/model.h"
#include "trace/reader.h"

namespace vc {

namespace {

// Passes events through, noting their names (lint's "did you mean" for event names).
class NameCollector : public TraceReader {
 public:
  explicit NameCollector(TraceReader& in) : in_(in) {}
  bool next(Event& ev) override {
    if (!in_.next(ev)) return false;
    if (seen_.size() <= ev.name) seen_.resize(ev.name + 1, 0);
    seen_[ev.name] = 1;
    return true;
  }
  uint64_t discarded() const override { return in_.discarded(); }
  std::vector<std::string> names(const SymbolTable& symbols) const {
    std::vector<std::string> out;
    for (Symbol s = 0; s < seen_.size(); ++s)
      if (seen_[s]) out.push_back(symbols.name(s));
    return out;
  }

 private:
  TraceReader& in_;
  std::vector<uint8_t> seen_;
};

// The values an expression can take whatever its fields and registers (constants, masks and
// shifts narrow it), for comparisons that always or never hold.
struct Range {
  int64_t lo = INT64_MIN, hi = INT64_MAX;
  bool known = true;  // false: a string
};

Range rangeOf(const ExprCode& e) {
  using Op = ExprCode::Op;
  std::vector<Range> st;
  for (const auto& n : e.nodes) {
    if (n.op == Op::Const) {
      if (n.value.kind == Value::Kind::Str)
        st.push_back(Range{0, 0, false});
      else
        st.push_back(Range{n.value.i, n.value.i, true});
      continue;
    }
    if (n.op == Op::Field || n.op == Op::Reg) {
      st.push_back(Range{});
      continue;
    }
    if (n.op == Op::Not || n.op == Op::Neg) {
      st.back() = Range{};
      continue;
    }
    Range b = st.back();
    st.pop_back();
    Range a = st.back();
    Range r;
    switch (n.op) {
      case Op::And:
        if (a.lo >= 0 && b.lo >= 0)
          r = Range{0, std::min(a.hi, b.hi), true};
        else if (a.lo >= 0)
          r = Range{0, a.hi, true};
        else if (b.lo >= 0)
          r = Range{0, b.hi, true};
        break;
      case Op::Shr:
        if (b.lo == b.hi && b.lo >= 1 && b.lo <= 63) {
          if (a.lo >= 0)
            r = Range{a.lo >> b.lo, a.hi >> b.lo, true};
          else
            r = Range{0, static_cast<int64_t>(UINT64_MAX >> b.lo), true};
        }
        break;
      case Op::Add:
      case Op::Sub: {
        int64_t lo, hi;
        const bool add = n.op == Op::Add;
        bool over = add ? __builtin_add_overflow(a.lo, b.lo, &lo) || __builtin_add_overflow(a.hi, b.hi, &hi)
                        : __builtin_sub_overflow(a.lo, b.hi, &lo) || __builtin_sub_overflow(a.hi, b.lo, &hi);
        if (!over) r = Range{lo, hi, true};
        break;
      }
      default:
        break;
    }
    if (!a.known || !b.known) r = Range{0, 0, false};
    st.back() = r;
  }
  return st.empty() ? Range{0, 0, false} : st.back();
}

// 1: always holds, 0: never, -1: depends on the event.
int alwaysOrNever(const Pred& p) {
  const Range l = rangeOf(p.lhs), r = rangeOf(p.rhs);
  if (!l.known || !r.known) return -1;
  using spec::Op;
  switch (p.op) {
    case Op::Eq:
      if (l.hi < r.lo || r.hi < l.lo) return 0;
      if (l.lo == l.hi && r.lo == r.hi) return l.lo == r.lo;
      return -1;
    case Op::Ne:
      if (l.hi < r.lo || r.hi < l.lo) return 1;
      if (l.lo == l.hi && r.lo == r.hi) return l.lo != r.lo;
      return -1;
    case Op::Lt:
      if (l.hi < r.lo) return 1;
      if (l.lo >= r.hi) return 0;
      return -1;
    case Op::Le:
      if (l.hi <= r.lo) return 1;
      if (l.lo > r.hi) return 0;
      return -1;
    case Op::Gt:
      if (l.lo > r.hi) return 1;
      if (l.hi <= r.lo) return 0;
      return -1;
    case Op::Ge:
      if (l.lo >= r.hi) return 1;
      if (l.hi < r.lo) return 0;
      return -1;
    case Op::Has:
      // A bit above everything the left side can hold is never set.
      if (l.lo >= 0 && r.lo == r.hi && r.lo > 0 &&
          (static_cast<uint64_t>(r.lo) &
           ~((uint64_t{1} << (64 - __builtin_clzll(static_cast<uint64_t>(l.hi) | 1))) - 1)))
        return 0;
      return -1;
    default:
      return -1;
  }
}

}  // namespace

int runLint(const LintArgs& a, std::string& out, std::string& err) {
  Diagnostics diags;
  TraceTables tables;
  Spec spec;
  if (a.specs.empty()) diags.error("flag-spec", Location{}, "no spec given", "vconform lint SPEC... [--trace TRACE]");
  checkCommonFlags(a, diags);
  if (diags.hasErrors() || !loadSpecs(a.specs, spec, tables, diags)) {
    err = renderAll(diags, a.color);
    return kExitBadInput;
  }
  // Static checks.
  std::set<std::string> used;
  auto useAll = [&](const std::vector<Matcher>& ms) {
    for (const auto& m : ms)
      for (Symbol s : m.names) used.insert(tables.symbols.name(s));
  };
  for (const auto& r : spec.rules) {
    for (const auto& role : r.roles) useAll(role);
    for (const auto& u : r.updates) useAll(std::vector<Matcher>{u.m});
    if (r.says.empty())
      diags.warning("lint-says", Location{r.file, r.line, 0}, "rule '" + r.id + "' has no plain-words statement",
                    "add says \"...\" after the citation: reports print it");
    if (r.rel == RelKind::AtMost && r.count == 0)
      diags.warning("lint-at-most-0", Location{r.file, r.line, 0}, "'at most 0' is 'never'", "write: never ...");
    // Registers no update sets: their comparisons are false and their accumulators do nothing. A
    // sampling update whose pattern has an always-false comparison never fires (lint-always says
    // which): it sets nothing.
    auto canFire = [](const Matcher& m) {
      for (const auto* preds : {&m.preds, &m.dynPreds})
        for (const auto& p : *preds)
          if (alwaysOrNever(p) == 0) return false;
      return true;
    };
    for (size_t i = 0; i < r.regs.size(); ++i) {
      bool set = r.regs[i].hasInit;
      for (const auto& u : r.updates) set |= u.reg == i && u.kind == Update::Kind::Sample && canFire(u.m);
      if (!set)
        diags.warning("lint-register-never-set", Location{r.file, r.line, 0},
                      "register '" + r.regs[i].name + "' of rule '" + r.id +
                          "' is never set: it has no initial value and no update that can fire samples it, so every "
                          "comparison with it is false and adding to it does nothing",
                      "give it an initial value (let " + r.regs[i].name + " = 0) or sample it (let " + r.regs[i].name +
                          " = EVENT(...): field)");
    }
    // Comparisons that hold always or never, whatever the event's fields (masks, shifts, constants).
    auto always = [&](const Matcher& m) {
      for (const auto* preds : {&m.preds, &m.dynPreds})
        for (const auto& p : *preds) {
          const int v = alwaysOrNever(p);
          if (v < 0) continue;
          diags.warning("lint-always", Location{r.file, m.pos.line, m.pos.col},
                        "in pattern " + m.text + ", '" + p.text + "' is always " + (v ? "true" : "false") +
                            (v ? ": it constrains nothing" : ": the pattern never matches"),
                        "the left side's values are fixed by its constants, masks and shifts");
        }
    };
    for (const auto& role : r.roles)
      for (const auto& m : role) always(m);
    for (const auto& u : r.updates) always(u.m);
    for (int ri = 0; ri < kRoleCount; ++ri)
      for (const auto& m : r.roles[ri]) {
        // Two == on one field with different values can never both hold.
        for (size_t i = 0; i < m.preds.size(); ++i)
          for (size_t j = i + 1; j < m.preds.size(); ++j)
            if (m.preds[i].simple && m.preds[j].simple && m.preds[i].field == m.preds[j].field &&
                m.preds[i].op == spec::Op::Eq && m.preds[j].op == spec::Op::Eq &&
                !(m.preds[i].value == m.preds[j].value))
              diags.warning("lint-never-matches", Location{r.file, m.pos.line, m.pos.col},
                            "pattern " + m.text + " can never match: a field cannot equal two values", "");
      }
  }
  for (const auto& s : spec.syncs) {
    useAll(s.from);
    useAll(s.to);
  }
  for (const auto& e : spec.events)
    for (const auto& n : e.traceNames)
      if (!used.count(n))
        diags.warning("lint-unused-event", Location{e.file, e.line, 0},
                      "event '" + e.name + "' is declared but no rule or sync uses it",
                      "remove it, or write the rule it was meant for");
  // Checks against traces: rules that never fire there.
  uint64_t events = 0;
  if (!a.traces.empty()) {
    auto reader = openAll(a, tables, diags);
    if (!reader) {
      err = renderAll(diags, a.color);
      return kExitBadInput;
    }
    CheckOptions opts;
    opts.order = OrderMode::Recorded;
    NameCollector names(*reader);
    CheckResult res = check(spec, names, tables, opts, diags);
    const std::vector<std::string> traceNames = names.names(tables.symbols);
    events = res.events;
    if (diags.hasErrors()) {
      err = renderAll(diags, a.color);
      return kExitBadInput;
    }
    for (size_t i = 0; i < spec.rules.size(); ++i) {
      const Rule& r = spec.rules[i];
      const auto& st = res.ruleStats[i];
      // The role whose events give the rule something to judge.
      int trigger = r.rel == RelKind::Before ? 1 : 0;
      if (r.rel == RelKind::Exists) continue;  // existence is judged at the end, events or not
      if (st.roleEvents[trigger] == 0) {
        // An event name the trace spells differently: say which.
        std::string hint;
        for (const auto& m : r.roles[trigger])
          for (Symbol n : m.names) {
            const std::string& want = tables.symbols.name(n);
            if (std::find(traceNames.begin(), traceNames.end(), want) != traceNames.end()) continue;
            if (std::string c = closestName(want, traceNames); !c.empty() && hint.empty())
              hint = "the trace has no '" + want + "' event, but has '" + c + "': a misspelt name?";
          }
        diags.warning("lint-vacuous", Location{r.file, r.line, 0},
                      "rule '" + r.id + "' is vacuous on this trace: no event matches " +
                          (r.roles[trigger].empty() ? std::string("its trigger") : r.roles[trigger][0].text),
                      hint.empty() ? "check the event names with `vconform events TRACE`" : hint);
      }
      if ((r.scope == ScopeKind::After || r.scope == ScopeKind::Between || r.scope == ScopeKind::AfterUntil) &&
          st.roleEvents[2] == 0)
        diags.warning("lint-vacuous", Location{r.file, r.line, 0},
                      "rule '" + r.id + "' is vacuous on this trace: its scope never opens", "");
    }
  }
  dropAllowed(diags, a.allow);
  size_t warnings = 0;
  for (const auto& d : diags.all()) warnings += d.severity == Severity::Warning;
  out = renderAll(diags);
  out += "vconform lint: " + std::to_string(a.specs.size()) + " spec file(s), " + std::to_string(spec.rules.size()) +
         " rules" + (a.traces.empty() ? "" : ", " + std::to_string(events) + " trace events") + ", " +
         std::to_string(warnings) + " warning(s)\n";
  return warnings ? kExitViolation : kExitOk;
}

int runEvents(const EventsArgs& a, std::string& out, std::string& err) {
  Diagnostics diags;
  TraceTables tables;
  if (a.format != "text" && a.format != "json" && a.format != "spec")
    diags.error("flag-format", Location{}, "--format must be text, json or spec, not '" + a.format + "'", "");
  if (a.traces.empty()) diags.error("flag-trace", Location{}, "no trace given", "vconform events TRACE...");
  if (a.unmatched && a.format != "text")
    diags.error("flag-format", Location{}, "--unmatched prints text lines: it takes no --format", "");
  checkCommonFlags(a, diags);
  std::unique_ptr<TraceReader> reader;
  if (a.unmatched) {
    // Every line no map pattern matched, as file:line: text, then one summary line per source.
    if (!diags.hasErrors())
      reader = openAll(a, tables, diags, [&](uint32_t source, uint64_t line, std::string_view text) {
        out += tables.sources.at(source).path + ":" + std::to_string(line) + ": ";
        out += text;
        out += '\n';
      });
    if (!reader) {
      err = renderAll(diags, a.color);
      return kExitBadInput;
    }
    Event ev;
    while (reader->next(ev)) {
    }
    if (diags.hasErrors()) {
      out.clear();
      err = renderAll(diags, a.color);
      return kExitBadInput;
    }
    for (size_t i = 0; i < tables.sources.size(); ++i) {
      const Source& s = tables.sources.at(static_cast<uint32_t>(i));
      out += "vconform: " + s.path + ": " + std::to_string(s.unmatchedLines) + " unmatched line" +
             (s.unmatchedLines == 1 ? "" : "s") + ", " + std::to_string(s.events) + " event" +
             (s.events == 1 ? "" : "s") + " (" + (s.map.empty() ? s.format + ", no map" : "map " + s.map) + ")\n";
    }
    dropAllowed(diags, a.allow);
    err = renderAll(diags, a.color);
    return kExitOk;
  }
  if (!diags.hasErrors()) reader = openAll(a, tables, diags);
  if (!reader) {
    err = renderAll(diags, a.color);
    return kExitBadInput;
  }
  struct FieldInfo {
    std::set<std::string> types;
    std::string example;
  };
  struct Info {
    uint64_t count = 0;
    std::set<uint32_t> threads;
    std::map<std::string, FieldInfo> fields;
    std::string firstAt;
  };
  std::map<std::string, Info> byName;
  Event ev;
  uint64_t total = 0;
  while (reader->next(ev)) {
    ++total;
    ++tables.sources.at(ev.origin.source).events;
    Info& in = byName[tables.symbols.name(ev.name)];
    if (in.count++ == 0) in.firstAt = tables.sources.at(ev.origin.source).path + ":" + std::to_string(ev.origin.line);
    if (in.threads.size() < 1000) in.threads.insert(ev.thread);
    for (const auto& f : ev.fields) {
      FieldInfo& fi = in.fields[tables.symbols.name(f.key)];
      fi.types.insert(f.value.kind == Value::Kind::Int ? "int" : f.value.kind == Value::Kind::Str ? "string" : "bool");
      if (fi.example.empty()) fi.example = f.value.toString();
    }
  }
  std::vector<Source> sources;
  for (size_t i = 0; i < tables.sources.size(); ++i) sources.push_back(tables.sources.at(static_cast<uint32_t>(i)));
  reportEmptySources(sources, diags);  // a trace that yields nothing is an error
  if (diags.hasErrors()) {
    err = renderAll(diags, a.color);
    return kExitBadInput;
  }
  if (a.format == "json") {
    nlohmann::ordered_json j;
    j["events"] = total;
    j["threads"] = tables.threads.size();
    j["lost_events"] = reader->discarded();
    auto arr = nlohmann::ordered_json::array();
    for (const auto& [name, in] : byName) {
      nlohmann::ordered_json e;
      e["name"] = name;
      e["count"] = in.count;
      e["threads"] = in.threads.size();
      e["first"] = in.firstAt;
      auto fs = nlohmann::ordered_json::object();
      for (const auto& [f, fi] : in.fields) {
        std::string t;
        for (const auto& x : fi.types) t += (t.empty() ? "" : "|") + x;
        fs[f] = {{"type", t}, {"example", fi.example}};
      }
      e["fields"] = fs;
      arr.push_back(e);
    }
    j["names"] = arr;
    out = j.dump(2) + "\n";
  } else if (a.format == "spec") {
    out = "# event declarations for " + std::to_string(byName.size()) + " event names seen in the trace\n";
    for (const auto& [name, in] : byName) {
      std::string f;
      for (const auto& [fname, fi] : in.fields) f += (f.empty() ? "" : ", ") + fname;
      bool plain = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
      for (char c : name) plain &= std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      if (plain)
        out += "event " + name + "(" + f + ")\n";
      else {
        std::string id;
        for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "e_" + id;
        out += "event " + id + "(" + f + ") from \"" + name + "\"\n";
      }
    }
  } else {
    size_t w = 5;
    for (const auto& [name, in] : byName) w = std::max(w, name.size());
    auto pad = [](std::string s, size_t n) {
      s.resize(std::max(n, s.size()), ' ');
      return s;
    };
    out = pad("EVENT", w) + "  " + pad("COUNT", 9) + "  " + pad("THREADS", 7) + "  FIELDS (type, first value)\n";
    for (const auto& [name, in] : byName) {
      std::string f;
      for (const auto& [fname, fi] : in.fields) {
        std::string t;
        for (const auto& x : fi.types) t += (t.empty() ? "" : "|") + x;
        f += (f.empty() ? "" : "  ") + fname + ":" + t + "=" + fi.example;
      }
      std::string cnt = std::to_string(in.count);
      std::string thr = std::to_string(in.threads.size());
      out += pad(name, w) + "  " + std::string(9 - std::min<size_t>(9, cnt.size()), ' ') + cnt + "  " +
             std::string(7 - std::min<size_t>(7, thr.size()), ' ') + thr + "  " + f + "\n";
    }
    out += std::to_string(total) + " events, " + std::to_string(byName.size()) + " names, " +
           std::to_string(tables.threads.size()) + " threads";
    if (reader->discarded()) out += ", " + std::to_string(reader->discarded()) + " lost";
    out += "\n";
  }
  dropAllowed(diags, a.allow);
  err = renderAll(diags, a.color);
  return kExitOk;
}

namespace {

std::string relationText(const Rule& r) {
  std::string s = spec::relName(r.rel);
  if (r.rel == RelKind::AtMost) s = "at most " + std::to_string(r.count);
  if (r.rel == RelKind::During) s += " " + r.stateName;
  if (r.withinNs) s += " within " + std::to_string(*r.withinNs) + " ns";
  if (r.scope != ScopeKind::Globally) s += std::string(", ") + spec::scopeName(r.scope);
  return s;
}

}  // namespace

int runRules(const RulesArgs& a, std::string& out, std::string& err) {
  Diagnostics diags;
  TraceTables tables;
  Spec spec;
  if (a.format != "text" && a.format != "markdown" && a.format != "json")
    diags.error("flag-format", Location{}, "--format must be text, markdown or json, not '" + a.format + "'", "");
  if (diags.hasErrors() || !loadSpecs(a.specs, spec, tables, diags)) {
    err = renderAll(diags);
    return kExitBadInput;
  }
  struct Row {
    const Rule* r;
    std::vector<std::string> events, sources;
  };
  std::vector<Row> rows;
  for (const auto& r : spec.rules) {
    Row row{&r, {}, {}};
    std::set<std::string> evs, srcs;
    for (const auto& role : r.roles)
      for (const auto& m : role) evs.insert(m.event);
    for (const auto& e : spec.events)
      if (e.file == r.file && evs.count(e.name))
        for (const auto& s : e.sources) srcs.insert(s);
    row.events.assign(evs.begin(), evs.end());
    row.sources.assign(srcs.begin(), srcs.end());
    rows.push_back(std::move(row));
  }
  auto join = [](const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
  };
  if (a.format == "json") {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& row : rows) {
      const Rule& r = *row.r;
      nlohmann::ordered_json j;
      j["id"] = r.id;
      j["file"] = r.file;
      j["line"] = r.line;
      j["cite"] = r.cite;
      j["says"] = r.says;
      j["relation"] = relationText(r);
      j["params"] = r.params;
      j["events"] = row.events;
      j["sources"] = row.sources;
      j["predictable"] = predictable(r.rel);
      arr.push_back(j);
    }
    out = arr.dump(2) + "\n";
  } else if (a.format == "markdown") {
    auto cell = [](const std::string& s) {
      std::string o;
      for (char c : s) {
        if (c == '|')
          o += "\\|";
        else if (c == '\n')
          o += ' ';
        else
          o += c;
      }
      return o;
    };
    out =
        "| id | statement | citation | relation | events | sources | predicted |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& row : rows) {
      const Rule& r = *row.r;
      out += "| `" + r.id + "` | " + cell(r.says) + " | " + cell(r.cite) + " | " + cell(relationText(r)) + " | " +
             cell(join(row.events, ", ")) + " | " + cell(row.sources.empty() ? "-" : join(row.sources, ", ")) + " | " +
             (predictable(r.rel) ? "yes" : "no (instants)") + " |\n";
    }
  } else {
    for (const auto& row : rows) {
      const Rule& r = *row.r;
      out += r.id + "  (" + r.file + ":" + std::to_string(r.line) + ")\n";
      if (!r.says.empty()) out += "  says:     " + r.says + "\n";
      if (!r.cite.empty()) out += "  cite:     " + r.cite + "\n";
      out += "  relation: " + relationText(r) + (predictable(r.rel) ? "" : " (observed order only)") + "\n";
      out += "  events:   " + join(row.events, ", ") + "\n";
      if (!row.sources.empty()) out += "  sources:  " + join(row.sources, ", ") + "\n";
    }
    out += std::to_string(rows.size()) + " rules in " + std::to_string(a.specs.size()) + " spec file(s)\n";
  }
  err = renderAll(diags);
  return kExitOk;
}

}  // namespace vc
