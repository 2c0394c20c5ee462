// AST -> checked model: resolves names, checks fields and parameter bindings, folds constants.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "spec/model.h"
#include "spec/parser.h"

namespace vc {

void appendKey(const std::vector<const Value*>& params, std::string& k) {
  for (const Value* v : params) {
    if (!v) {
      k += '\x01';
      continue;
    }
    k += static_cast<char>('0' + static_cast<int>(v->kind));
    if (v->kind == Value::Kind::Str) {
      uint32_t n = static_cast<uint32_t>(v->s.size());
      k.append(reinterpret_cast<const char*>(&n), sizeof n);  // length first: no separator ambiguity
      k += v->s;
    } else {
      k.append(reinterpret_cast<const char*>(&v->i), sizeof v->i);
    }
  }
}

bool isSyncFilePath(std::string_view path) { return path.size() >= 5 && path.substr(path.size() - 5) == ".sync"; }

bool SyncFileInfo::appliesTo(const std::vector<std::string>& present) const {
  if (recorders.empty()) return false;
  for (const auto& group : recorders) {
    bool any = false;
    for (const auto& name : group)
      for (const auto& p : present) any |= p == name;
    if (!any) return false;
  }
  return true;
}

int roleIndex(Role r) {
  for (int i = 0; i < kRoleCount; ++i)
    if ((1 << i) == r) return i;
  return 0;
}

const char* roleName(Role r, RelKind rel) {
  switch (r) {
    case kLeft:
      switch (rel) {
        case RelKind::Never: case RelKind::Exists: case RelKind::AtMost: case RelKind::During: return "event";
        case RelKind::Before: return "required earlier event";
        case RelKind::LeadsTo: return "trigger";
        default: return "left";
      }
    case kRight:
      switch (rel) {
        case RelKind::Before: return "event";
        case RelKind::LeadsTo: return "response";
        default: return "right";
      }
    case kScopeQ: return "scope start";
    case kScopeR: return "scope end";
    case kOpen: return "state open";
    case kClose: return "state close";
  }
  return "?";
}

bool Pred::holds(const Event& ev) const {
  const Value* v = ev.field(field);
  if (!v) return false;
  using spec::Op;
  if (op == Op::Has || op == Op::Lacks) {
    if (v->kind == Value::Kind::Str) return false;
    bool all = (v->i & value.i) == value.i;
    return op == Op::Has ? all : (v->i & value.i) == 0;
  }
  if (v->kind != value.kind) {
    // Booleans and integers compare as 0/1; strings never equal numbers.
    bool numeric = v->kind != Value::Kind::Str && value.kind != Value::Kind::Str;
    if (!numeric) return op == Op::Ne;
  }
  int c;
  if (v->kind == Value::Kind::Str && value.kind == Value::Kind::Str) c = v->s.compare(value.s);
  else c = v->i < value.i ? -1 : v->i > value.i ? 1 : 0;
  switch (op) {
    case Op::Eq: return c == 0;
    case Op::Ne: return c != 0;
    case Op::Lt: return c < 0;
    case Op::Le: return c <= 0;
    case Op::Gt: return c > 0;
    case Op::Ge: return c >= 0;
    default: return false;
  }
}

bool Matcher::matches(const Event& ev, std::vector<const Value*>& params, Symbol name) const {
  if (name == kNoSymbol) name = ev.name;
  bool named = false;
  for (Symbol n : names)
    if (n == name || n == ev.name) { named = true; break; }
  if (!named) return false;
  for (const auto& p : preds)
    if (!p.holds(ev)) return false;
  for (const auto& [field, param] : binds) {
    const Value* v = ev.field(field);
    if (!v) return false;
    if (params.size() <= param) params.resize(param + 1, nullptr);
    params[param] = v;
  }
  return true;
}

namespace {

using namespace spec;

class Resolver {
 public:
  Resolver(const SpecFile& f, const SourceLines& lines, Spec& out, SymbolTable& symbols, Diagnostics& diags)
      : f_(f), lines_(lines), out_(out), symbols_(symbols), diags_(diags) {}

  void run() {
    out_.files.push_back(f_.path);
    out_.names.push_back(f_.name);
    for (const auto& c : f_.consts) {
      if (consts_.count(c.name)) { err(c.pos, "constant '" + c.name + "' is defined twice", ""); continue; }
      Value v;
      if (evalExpr(c.value, v, nullptr)) consts_[c.name] = v;
    }
    for (const auto& e : f_.events) {
      if (events_.count(e.name)) { err(e.pos, "event '" + e.name + "' is declared twice", ""); continue; }
      std::set<std::string> seen;
      for (const auto& [fname, fpos] : e.fields)
        if (!seen.insert(fname).second) err(fpos, "field '" + fname + "' is declared twice", "");
      events_[e.name] = &e;
      DeclaredEvent d{e.name, {}, {}, {}, f_.path, e.pos.line};
      for (const auto& fl : e.fields) d.fields.push_back(fl.first);
      for (const auto& a : e.aliases) d.traceNames.push_back(a.first);
      d.sources = e.sources;
      if (d.traceNames.empty()) d.traceNames.push_back(e.name);
      out_.events.push_back(std::move(d));
    }
    for (const auto& s : f_.states) {
      if (states_.count(s.name)) { err(s.pos, "state '" + s.name + "' is defined twice", ""); continue; }
      states_[s.name] = StateInfo{&s, state(s)};
    }
    const bool syncFile = isSyncFilePath(f_.path);
    if (syncFile) {
      SyncFileInfo info;
      info.path = f_.path;
      for (size_t i = 0; i < f_.recorders.size(); ++i) {
        if (i) { err(f_.recorders[i].pos, "a sync file has one 'recorder' line", "join the requirements with ','"); continue; }
        info.recorders = f_.recorders[i].groups;
      }
      out_.syncFiles.push_back(std::move(info));
      for (const auto& s : f_.states)
        err(s.pos, "a sync file holds no states", "states and rules go in a .spec file; a .sync file says how the run synchronises");
      for (const auto& r : f_.rules)
        err(r.pos, "a sync file holds no rules", "rules go in a .spec file; a .sync file says how the run synchronises");
    } else {
      for (const auto& s : f_.syncs)
        err(s.pos, "sync declarations belong in a sync file (.sync), not in a rule spec",
            "move it to a file NAME.sync with a line `recorder \"NAME\"` naming the recorder whose events it "
            "relates, or pass it with --sync FILE: happens-before is a property of the run, the same for every spec");
      for (const auto& r : f_.recorders)
        err(r.pos, "'recorder' belongs in a sync file (.sync)", "");
    }
    if (syncFile)
      for (const auto& s : f_.syncs) sync(s);
    std::set<std::string> ids;
    for (const auto& r : out_.rules) ids.insert(r.id);
    for (const auto& r : f_.rules) {
      if (syncFile) break;
      if (!ids.insert(r.id).second) { err(r.pos, "rule id '" + r.id + "' is used twice", "rule ids must be unique across all spec files"); continue; }
      rule(r);
    }
  }

 private:
  void err(const Pos& p, const std::string& msg, const std::string& help) {
    auto& d = diags_.error("spec-semantic", Location{f_.path, p.line, p.col}, msg, help);
    d.setSnippet(lines_.line(p.line));
    d.span = p.len;
  }
  void warn(const Pos& p, const std::string& msg, const std::string& help) {
    auto& d = diags_.warning("spec-lint", Location{f_.path, p.line, p.col}, msg, help);
    d.setSnippet(lines_.line(p.line));
    d.span = p.len;
  }

  bool evalAtom(const Atom& a, Value& v, const std::vector<std::string>* params) {
    switch (a.kind) {
      case Atom::Kind::Int: v = Value::ofInt(a.i); return true;
      case Atom::Kind::Str: v = Value::ofStr(a.s); return true;
      case Atom::Kind::Bool: v = Value::ofBool(a.i != 0); return true;
      case Atom::Kind::Name: {
        auto it = consts_.find(a.s);
        if (it != consts_.end()) { v = it->second; return true; }
        if (params)
          for (const auto& p : *params)
            if (p == a.s) {
              err(a.pos, "parameter '" + a.s + "' can only be bound with '=='", "write: field == " + a.s);
              return false;
            }
        err(a.pos, "unknown constant '" + a.s + "'", "define it first: const " + a.s + " = VALUE");
        return false;
      }
    }
    return false;
  }

  bool evalExpr(const Expr& e, Value& out, const std::vector<std::string>* params) {
    int64_t acc = 0;
    for (size_t i = 0; i < e.terms.size(); ++i) {
      const Term& t = e.terms[i];
      Value v;
      if (!evalAtom(t.base, v, params)) return false;
      if (t.shift) {
        Value sh;
        if (!evalAtom(*t.shift, sh, params)) return false;
        if (v.kind != Value::Kind::Int || sh.kind != Value::Kind::Int || sh.i < 0 || sh.i > 63) {
          err(t.shift->pos, "'<<' needs integers, with a shift from 0 to 63", "");
          return false;
        }
        v = Value::ofInt(static_cast<int64_t>(static_cast<uint64_t>(v.i) << sh.i));
      }
      if (e.terms.size() == 1) { out = v; return true; }
      if (v.kind != Value::Kind::Int) {
        err(t.base.pos, "'|' combines integers only", "");
        return false;
      }
      acc |= v.i;
    }
    out = Value::ofInt(acc);
    return true;
  }

  static std::string patText(const EventPat& p) {
    std::string s = p.name;
    if (p.args.empty()) return s;
    s += '(';
    for (size_t i = 0; i < p.args.size(); ++i) {
      const auto& a = p.args[i];
      if (i) s += ", ";
      s += a.field;
      if (a.op == Op::Bind) continue;
      s += ' ';
      s += opText(a.op);
      s += ' ';
      for (size_t k = 0; k < a.rhs.terms.size(); ++k) {
        const auto& t = a.rhs.terms[k];
        if (k) s += " | ";
        auto atomText = [](const Atom& x) {
          switch (x.kind) {
            case Atom::Kind::Int: return std::to_string(x.i);
            case Atom::Kind::Str: return "\"" + x.s + "\"";
            case Atom::Kind::Bool: return std::string(x.i ? "true" : "false");
            case Atom::Kind::Name: return x.s;
          }
          return std::string();
        };
        s += atomText(t.base);
        if (t.shift) s += " << " + atomText(*t.shift);
      }
    }
    return s + ')';
  }

  // Resolves one event pattern. `params` are the names that may be bound; `rename` maps a
  // state's parameter names to the rule's (for during).
  bool matcher(const EventPat& p, const std::vector<std::string>& params, Matcher& m,
               const std::map<std::string, std::string>* rename = nullptr) {
    auto it = events_.find(p.name);
    if (it == events_.end()) {
      err(p.pos, "unknown event '" + p.name + "'", "declare it: event " + p.name + "(field, ...)");
      return false;
    }
    const EventDecl& decl = *it->second;
    m.text = patText(p);
    m.event = p.name;
    m.pos = p.pos;
    if (decl.aliases.empty()) m.names.push_back(symbols_.intern(decl.name));
    for (const auto& a : decl.aliases) m.names.push_back(symbols_.intern(a.first));
    bool ok = true;
    std::set<std::string> boundParams;
    for (const auto& a : p.args) {
      bool known = false;
      for (const auto& f : decl.fields) known |= f.first == a.field;
      if (!known) {
        std::string list;
        for (const auto& f : decl.fields) list += (list.empty() ? "" : ", ") + f.first;
        err(a.pos, "event '" + p.name + "' has no field '" + a.field + "'",
            list.empty() ? "it is declared without fields" : "its fields: " + list);
        ok = false;
        continue;
      }
      Symbol field = symbols_.intern(a.field);
      // A bare name, or `field == NAME` where NAME is a parameter, binds the parameter.
      std::string paramName;
      if (a.op == Op::Bind) paramName = a.field;
      else if (a.op == Op::Eq && a.rhs.terms.size() == 1 && !a.rhs.terms[0].shift &&
               a.rhs.terms[0].base.kind == Atom::Kind::Name && !consts_.count(a.rhs.terms[0].base.s))
        paramName = a.rhs.terms[0].base.s;
      if (!paramName.empty()) {
        std::string target = paramName;
        if (rename) {
          auto r = rename->find(paramName);
          if (r != rename->end()) target = r->second;
          else target.clear();
        }
        int idx = -1;
        for (size_t i = 0; i < params.size(); ++i)
          if (params[i] == target) idx = static_cast<int>(i);
        if (idx < 0) {
          if (a.op == Op::Bind)
            err(a.pos, "'" + paramName + "' is not a parameter here",
                std::string(inState_ ? "add it to the state's parameters" : "add it to the rule's 'forall'") +
                    ", or compare it: " + a.field + " == VALUE");
          else
            err(a.rhs.pos, "'" + paramName + "' is neither a constant nor a parameter of this rule",
                "define it (const " + paramName + " = VALUE) or add it to the " +
                    (inState_ ? "state's parameters" : "rule's forall"));
          ok = false;
          continue;
        }
        if (!boundParams.insert(target).second) {
          err(a.pos, "parameter '" + target + "' is bound twice in one pattern", "");
          ok = false;
          continue;
        }
        m.binds.emplace_back(field, static_cast<uint8_t>(idx));
        continue;
      }
      Pred pr;
      pr.field = field;
      pr.op = a.op;
      if (!evalExpr(a.rhs, pr.value, &params)) { ok = false; continue; }
      if ((a.op == Op::Has || a.op == Op::Lacks) && pr.value.kind != Value::Kind::Int) {
        err(a.rhs.pos, std::string("'") + opText(a.op) + "' tests bits of an integer", "");
        ok = false;
        continue;
      }
      m.preds.push_back(std::move(pr));
    }
    return ok;
  }

  // Resolves alternatives; all must bind the same set of parameters: all of them or none.
  bool role(const PatAlts& alts, const std::vector<std::string>& params, std::vector<Matcher>& out, bool& broadcast,
            const std::map<std::string, std::string>* rename = nullptr) {
    bool ok = true;
    int boundCount = -1;
    for (const auto& p : alts) {
      Matcher m;
      if (!matcher(p, params, m, rename)) { ok = false; continue; }
      int n = static_cast<int>(m.binds.size());
      if (n != 0 && n != static_cast<int>(params.size())) {
        std::string missing;
        for (size_t i = 0; i < params.size(); ++i) {
          bool b = false;
          for (const auto& bd : m.binds) b |= bd.second == i;
          if (!b) missing += (missing.empty() ? "" : ", ") + params[i];
        }
        err(p.pos, std::string("this pattern binds some parameters of the ") + (inState_ ? "state" : "rule") + " but not " + missing,
            "a pattern binds all of the rule's parameters, or none (then it applies to every instance)");
        ok = false;
        continue;
      }
      if (boundCount >= 0 && boundCount != n) {
        err(p.pos, "alternatives joined by '|' must bind the same parameters", "");
        ok = false;
      }
      boundCount = n;
      out.push_back(std::move(m));
    }
    broadcast = boundCount == 0 && !params.empty();
    return ok;
  }

  // The rule's lines: its first and the indented ones after it, up to a blank or comment line.
  std::string ruleText(uint32_t line) {
    std::string text(lines_.line(line));
    for (uint64_t l = uint64_t{line} + 1; l <= lines_.count(); ++l) {
      std::string_view s = lines_.line(l);
      if (s.empty() || (s[0] != ' ' && s[0] != '\t')) break;
      size_t i = s.find_first_not_of(" \t");
      if (i == std::string_view::npos || s[i] == '#') break;
      text += '\n';
      text += s;
    }
    return text;
  }

  // A state's patterns are checked where it is declared, used or not: its events and fields
  // exist, and what it binds are its own parameters. False if something is wrong (reported).
  bool state(const StateDecl& s) {
    std::vector<std::string> params;
    std::set<std::string> seen;
    bool ok = true;
    for (const auto& [p, pos] : s.params) {
      if (!seen.insert(p).second) { err(pos, "parameter '" + p + "' is listed twice", ""); ok = false; }
      params.push_back(p);
    }
    inState_ = true;
    for (const auto* alts : {&s.open, &s.close}) {
      std::vector<Matcher> ms;
      bool broadcast = false;
      ok &= role(*alts, params, ms, broadcast);
    }
    inState_ = false;
    return ok;
  }

  void rule(const RuleDecl& d) {
    Rule r;
    r.id = d.id;
    r.cite = d.cite;
    r.says = d.says;
    r.file = f_.path;
    r.line = d.pos.line;
    r.text = ruleText(d.pos.line);
    r.rel = d.rel;
    r.count = d.count;
    r.withinNs = d.withinNs;
    r.scope = d.scope;
    std::set<std::string> seen;
    for (const auto& [p, pos] : d.params) {
      if (consts_.count(p)) err(pos, "parameter '" + p + "' has the name of a constant", "rename one of them");
      if (!seen.insert(p).second) err(pos, "parameter '" + p + "' is listed twice", "");
      r.params.push_back(p);
    }
    if (r.params.size() > 8) { err(d.pos, "a rule has at most 8 parameters", ""); return; }
    if (d.cite.empty()) warn(d.pos, "rule '" + d.id + "' has no citation", "add cite \"document, section\" after the id");
    bool ok = true;
    auto doRole = [&](const PatAlts& alts, Role role, const std::map<std::string, std::string>* rename = nullptr) {
      if (alts.empty()) return;
      bool broadcast = false;
      ok &= this->role(alts, r.params, r.roles[roleIndex(role)], broadcast, rename);
      if (broadcast) r.broadcastRoles |= role;
    };
    doRole(d.left, kLeft);
    doRole(d.right, kRight);
    doRole(d.scopeQ, kScopeQ);
    doRole(d.scopeR, kScopeR);
    if (d.rel == RelKind::During) {
      auto it = states_.find(d.state.name);
      if (it == states_.end()) {
        err(d.state.pos, "unknown state '" + d.state.name + "'", "define it: state NAME(param) = OPEN .. CLOSE");
        return;
      }
      if (!it->second.ok) return;  // its own errors are reported at its declaration
      const StateDecl& st = *it->second.decl;
      if (st.params.size() != d.state.args.size()) {
        err(d.state.pos, "state '" + st.name + "' takes " + std::to_string(st.params.size()) + " parameter(s), given " +
                             std::to_string(d.state.args.size()), "");
        return;
      }
      std::map<std::string, std::string> rename;
      for (size_t i = 0; i < st.params.size(); ++i) {
        const auto& [arg, apos] = d.state.args[i];
        bool isParam = false;
        for (const auto& p : r.params) isParam |= p == arg;
        if (!isParam) { err(apos, "'" + arg + "' is not a parameter of this rule", "pass the rule's forall parameters to the state"); ok = false; }
        rename[st.params[i].first] = arg;
      }
      r.stateName = st.name;
      doRole(st.open, kOpen, &rename);
      doRole(st.close, kClose, &rename);
    }
    // Every parameter must be bound somewhere, or the rule would have one instance per nothing.
    for (size_t i = 0; i < r.params.size() && ok; ++i) {
      bool bound = false;
      for (const auto& role : r.roles)
        for (const auto& m : role)
          for (const auto& b : m.binds) bound |= b.second == i;
      if (!bound) { err(d.params[i].second, "parameter '" + r.params[i] + "' is bound by no pattern", "bind it: EVENT(" + r.params[i] + ")"); ok = false; }
    }
    if (r.withinNs && *r.withinNs <= 0) { err(d.relPos, "'within' needs a positive duration", ""); ok = false; }
    if (ok) out_.rules.push_back(std::move(r));
  }

  void sync(const SyncDecl& s) {
    SyncRule r;
    r.kind = s.kind;
    r.file = f_.path;
    r.line = s.pos.line;
    r.text = std::string(lines_.line(s.pos.line));
    auto side = [&](const PatAlts& alts, std::vector<Matcher>& out) -> int {
      int keys = -1;
      for (const auto& p : alts) {
        // Key fields are the bare names, bound to positions in order of appearance.
        std::vector<std::string> keyNames;
        for (const auto& a : p.args)
          if (a.op == Op::Bind) keyNames.push_back(a.field);
        Matcher m;
        if (!matcher(p, keyNames, m)) return -2;
        if (keys >= 0 && keys != static_cast<int>(keyNames.size())) {
          err(p.pos, "alternatives of a sync side must have the same number of key fields", "");
          return -2;
        }
        keys = static_cast<int>(keyNames.size());
        out.push_back(std::move(m));
      }
      return keys;
    };
    int a = side(s.from, r.from);
    if (a == -2) return;
    if (s.kind == SyncKind::Spawn || s.kind == SyncKind::Join) {
      if (a != 1) {
        err(s.pos, std::string("a ") + syncName(s.kind) + " sync names exactly one field: the id of the child thread",
            std::string("write: sync ") + syncName(s.kind) + " EVENT(child_tid_field)");
        return;
      }
      r.keySize = 1;
      out_.syncs.push_back(std::move(r));
      return;
    }
    int b = side(s.to, r.to);
    if (b == -2) return;
    if (a != b) {
      err(s.pos, "both sides of a sync must name the same number of key fields (" + std::to_string(a) + " vs " +
                     std::to_string(b) + ")", "keys are matched by position: sync send(seq) -> recv(seq)");
      return;
    }
    r.keySize = static_cast<size_t>(a);
    out_.syncs.push_back(std::move(r));
  }

  struct StateInfo {
    const StateDecl* decl = nullptr;
    bool ok = false;
  };

  const SpecFile& f_;
  const SourceLines& lines_;
  Spec& out_;
  SymbolTable& symbols_;
  Diagnostics& diags_;
  std::map<std::string, Value> consts_;
  std::map<std::string, const EventDecl*> events_;
  std::map<std::string, StateInfo> states_;
  bool inState_ = false;  // checking a state declaration: words in diagnostics
};

}  // namespace

bool loadSpecText(const std::string& path, std::string_view text, Spec& out, SymbolTable& symbols, Diagnostics& diags) {
  size_t before = diags.errorCount();
  SourceLines lines(text);
  SpecFile f = spec::parse(path, text, lines, diags);
  // Names declared after where the parser stopped would show up as unknown: no resolution then.
  if (!f.truncated) Resolver(f, lines, out, symbols, diags).run();
  return diags.errorCount() == before;
}

static bool readSpecFile(const std::string& path, std::string& text, Diagnostics& diags) {
  const Location where{path.empty() ? std::string("''") : path, 0, 0};
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::is_directory(st)) {
    diags.error("spec-open", where, "this is a directory, not a spec file", "give the path of a .spec file");
    return false;
  }
  // Read with a bound: the path may be a device, a pipe or a huge file given by mistake.
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error("spec-open", where, "cannot open the spec file", "check the path given to --spec");
    return false;
  }
  text.clear();
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxSpecBytes) {
      diags.error("spec-too-large", where,
                  "this spec file is larger than " + std::to_string(kMaxSpecBytes >> 20) + " MiB: is it a spec file?",
                  "a spec holds declarations and rules; split a generated one into several --spec files");
      return false;
    }
  }
  if (in.bad()) {
    diags.error("spec-open", where, "cannot read the spec file", "");
    return false;
  }
  return true;
}

bool loadSpecFile(const std::string& path, Spec& out, SymbolTable& symbols, Diagnostics& diags) {
  std::string text;
  if (!readSpecFile(path, text, diags)) return false;
  if (size_t nul = text.find('\0'); nul != std::string::npos) {
    size_t nl = text.rfind('\n', nul);
    size_t lineStart = nl == std::string::npos ? 0 : nl + 1;
    uint64_t line = 1 + static_cast<uint64_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(lineStart), '\n'));
    diags.error("spec-binary", Location{path, line, static_cast<uint32_t>(nul - lineStart + 1)},
                "this spec file contains a NUL byte: is it a binary file?", "");
    return false;
  }
  return loadSpecText(path, text, out, symbols, diags);
}

}  // namespace vc
