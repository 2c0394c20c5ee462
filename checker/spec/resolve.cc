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
        case RelKind::Never:
        case RelKind::Exists:
        case RelKind::AtMost:
        case RelKind::During:
          return "event";
        case RelKind::Before:
          return "required earlier event";
        case RelKind::LeadsTo:
          return "trigger";
        default:
          return "left";
      }
    case kRight:
      switch (rel) {
        case RelKind::Before:
          return "event";
        case RelKind::LeadsTo:
          return "response";
        default:
          return "right";
      }
    case kScopeQ:
      return "scope start";
    case kScopeR:
      return "scope end";
    case kOpen:
      return "state open";
    case kClose:
      return "state close";
  }
  return "?";
}

namespace {

using XOp = ExprCode::Op;

ExprValue fromValue(const Value& v) {
  ExprValue x;
  if (v.kind == Value::Kind::Str) {
    x.kind = ExprValue::Kind::Str;
    x.s = &v.s;
  } else {
    x.kind = ExprValue::Kind::Int;
    x.i = v.i;
  }
  return x;
}

// Postfix evaluation; `leaf` gives a Field's or a Reg's value. Operators take integers; anything
// else (a string, a value missing) gives none, and so does a shift by less than 0 or more than 63.
template <class Leaf>
ExprValue evalNodes(const std::vector<ExprCode::Node>& nodes, Leaf leaf) {
  if (nodes.size() == 1) {
    const auto& n = nodes[0];
    return n.op == XOp::Const ? fromValue(n.value) : leaf(n);
  }
  constexpr size_t kStack = 32;
  ExprValue stack[kStack];
  size_t sp = 0;
  for (const auto& n : nodes) {
    switch (n.op) {
      case XOp::Const:
        stack[sp++] = fromValue(n.value);
        break;
      case XOp::Field:
      case XOp::Reg:
        stack[sp++] = leaf(n);
        break;
      case XOp::Not:
      case XOp::Neg: {
        ExprValue& a = stack[sp - 1];
        if (a.kind != ExprValue::Kind::Int) {
          a = ExprValue{};
          break;
        }
        a.i = n.op == XOp::Not ? static_cast<int64_t>(~static_cast<uint64_t>(a.i))
                               : static_cast<int64_t>(0 - static_cast<uint64_t>(a.i));
        break;
      }
      default: {
        ExprValue b = stack[--sp];
        ExprValue& a = stack[sp - 1];
        if (a.kind != ExprValue::Kind::Int || b.kind != ExprValue::Kind::Int) {
          a = ExprValue{};
          break;
        }
        const uint64_t x = static_cast<uint64_t>(a.i), y = static_cast<uint64_t>(b.i);
        uint64_t r = 0;
        switch (n.op) {
          case XOp::Add:
            r = x + y;
            break;
          case XOp::Sub:
            r = x - y;
            break;
          case XOp::And:
            r = x & y;
            break;
          case XOp::Or:
            r = x | y;
            break;
          case XOp::Xor:
            r = x ^ y;
            break;
          case XOp::Shl:
          case XOp::Shr:
            if (b.i < 0 || b.i > 63) {
              a = ExprValue{};
              continue;
            }
            r = n.op == XOp::Shl ? x << y : x >> y;
            break;
          default:
            break;
        }
        a.i = static_cast<int64_t>(r);
        break;
      }
    }
  }
  return sp == 1 ? stack[0] : ExprValue{};
}

// Comparison of two values: integers numerically (signed), strings by bytes; a string and an
// integer are different (only != holds); no value: false.
bool compare(spec::Op op, const ExprValue& a, const ExprValue& b) {
  using spec::Op;
  if (a.kind == ExprValue::Kind::None || b.kind == ExprValue::Kind::None) return false;
  if (op == Op::Has || op == Op::Lacks) {
    if (a.kind != ExprValue::Kind::Int || b.kind != ExprValue::Kind::Int) return false;
    return op == Op::Has ? (a.i & b.i) == b.i : (a.i & b.i) == 0;
  }
  if (a.kind != b.kind) return op == Op::Ne;
  int c;
  if (a.kind == ExprValue::Kind::Str)
    c = a.s->compare(*b.s);
  else
    c = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  switch (op) {
    case Op::Eq:
      return c == 0;
    case Op::Ne:
      return c != 0;
    case Op::Lt:
      return c < 0;
    case Op::Le:
      return c <= 0;
    case Op::Gt:
      return c > 0;
    case Op::Ge:
      return c >= 0;
    default:
      return false;
  }
}

}  // namespace

bool ExprCode::usesRegisters() const {
  for (const auto& n : nodes)
    if (n.op == Op::Reg) return true;
  return false;
}

void ExprCode::fields(std::vector<Symbol>& out) const {
  for (const auto& n : nodes)
    if (n.op == Op::Field) out.push_back(n.field);
}

ExprValue ExprCode::eval(const Event& ev) const {
  return evalNodes(nodes, [&](const Node& n) {
    if (n.op != Op::Field) return ExprValue{};
    const Value* v = ev.field(n.field);
    return v ? fromValue(*v) : ExprValue{};
  });
}

ExprValue ExprCode::eval(const void* event, IntFieldReader read, const int64_t* regs, uint8_t regSet) const {
  return evalNodes(nodes, [&](const Node& n) {
    ExprValue x;
    if (n.op == Op::Reg) {
      if (regSet & (1u << n.reg)) x = ExprValue{ExprValue::Kind::Int, regs[n.reg], nullptr};
    } else if (read(event, n.field, x.i)) {
      x.kind = ExprValue::Kind::Int;
    }
    return x;
  });
}

void Pred::fields(std::vector<Symbol>& out) const {
  lhs.fields(out);
  rhs.fields(out);
}

void Matcher::fields(std::vector<Symbol>& out) const {
  const size_t from = out.size();
  for (const auto& [field, param] : binds) out.push_back(field);
  for (const auto* ps : {&preds, &dynPreds})
    for (const Pred& p : *ps) p.fields(out);
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(from), out.end());
  out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(from), out.end()), out.end());
}

bool Pred::holds(const Event& ev) const {
  if (simple) {
    const Value* v = ev.field(field);
    if (!v) return false;
    return compare(op, fromValue(*v), fromValue(value));
  }
  return compare(op, lhs.eval(ev), rhs.eval(ev));
}

bool Pred::holds(const void* event, IntFieldReader read, const int64_t* regs, uint8_t regSet) const {
  return compare(op, lhs.eval(event, read, regs, regSet), rhs.eval(event, read, regs, regSet));
}

bool Matcher::matches(const Event& ev, std::vector<const Value*>& params, Symbol name) const {
  if (name == kNoSymbol) name = ev.name;
  bool named = false;
  for (Symbol n : names)
    if (n == name || n == ev.name) {
      named = true;
      break;
    }
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
      if (consts_.count(c.name)) {
        err(c.pos, "constant '" + c.name + "' is defined twice", "");
        continue;
      }
      Value v;
      if (evalConst(c.value, v, nullptr)) consts_[c.name] = v;
    }
    for (const auto& e : f_.events) {
      if (events_.count(e.name)) {
        err(e.pos, "event '" + e.name + "' is declared twice", "");
        continue;
      }
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
      if (states_.count(s.name)) {
        err(s.pos, "state '" + s.name + "' is defined twice", "");
        continue;
      }
      states_[s.name] = StateInfo{&s, state(s)};
    }
    const bool syncFile = isSyncFilePath(f_.path);
    if (syncFile) {
      SyncFileInfo info;
      info.path = f_.path;
      for (size_t i = 0; i < f_.recorders.size(); ++i) {
        if (i) {
          err(f_.recorders[i].pos, "a sync file has one 'recorder' line", "join the requirements with ','");
          continue;
        }
        info.recorders = f_.recorders[i].groups;
      }
      out_.syncFiles.push_back(std::move(info));
      for (const auto& s : f_.states)
        err(s.pos, "a sync file holds no states",
            "states and rules go in a .spec file; a .sync file says how the run synchronises");
      for (const auto& r : f_.rules)
        err(r.pos, "a sync file holds no rules",
            "rules go in a .spec file; a .sync file says how the run synchronises");
    } else {
      for (const auto& s : f_.syncs)
        err(s.pos, "sync declarations belong in a sync file (.sync), not in a rule spec",
            "move it to a file NAME.sync with a line `recorder \"NAME\"` naming the recorder whose events it "
            "relates, or pass it with --sync FILE: happens-before is a property of the run, the same for every spec");
      for (const auto& r : f_.recorders) err(r.pos, "'recorder' belongs in a sync file (.sync)", "");
    }
    if (syncFile)
      for (const auto& s : f_.syncs) sync(s);
    std::set<std::string> ids;
    for (const auto& r : out_.rules) ids.insert(r.id);
    for (const auto& r : f_.rules) {
      if (syncFile) break;
      if (!ids.insert(r.id).second) {
        err(r.pos, "rule id '" + r.id + "' is used twice", "rule ids must be unique across all spec files");
        continue;
      }
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

  // What names in an expression may stand for, besides constants.
  struct NameScope {
    const std::vector<std::string>* params = nullptr;  // for the diagnostic of a parameter used as a value
    const EventDecl* event = nullptr;                  // its fields
    const std::vector<Register>* regs = nullptr;       // the rule's registers
    bool regsAllowed = true;                           // false: a register here is an error (update values)
  };

  static const char* opName(char op) {
    switch (op) {
      case '<':
        return "<<";
      case '>':
        return ">>";
      case '+':
        return "+";
      case '-':
        return "-";
      case '&':
        return "&";
      case '|':
        return "|";
      case '^':
        return "^";
      case '~':
        return "~";
    }
    return "?";
  }

  // Compiles an expression into postfix code; constant parts are folded.
  bool compile(const Expr& e, const NameScope& sc, ExprCode& out) {
    switch (e.kind) {
      case Expr::Kind::Int:
        out.nodes.push_back({XOp::Const, 0, kNoSymbol, Value::ofInt(e.i)});
        return true;
      case Expr::Kind::Str:
        out.nodes.push_back({XOp::Const, 0, kNoSymbol, Value::ofStr(e.s)});
        return true;
      case Expr::Kind::Bool:
        out.nodes.push_back({XOp::Const, 0, kNoSymbol, Value::ofBool(e.i != 0)});
        return true;
      case Expr::Kind::Name:
        return compileName(e, sc, out);
      case Expr::Kind::Unary:
      case Expr::Kind::Binary: {
        const size_t first = out.nodes.size();
        for (const auto& k : e.kids)
          if (!compile(k, sc, out)) return false;
        // Strings have no operators: a constant string operand is an error here (a string field
        // gives no value at run time).
        XOp op = XOp::Not;
        if (e.kind == Expr::Kind::Unary)
          op = e.op == '~' ? XOp::Not : XOp::Neg;
        else
          switch (e.op) {
            case '+':
              op = XOp::Add;
              break;
            case '-':
              op = XOp::Sub;
              break;
            case '&':
              op = XOp::And;
              break;
            case '|':
              op = XOp::Or;
              break;
            case '^':
              op = XOp::Xor;
              break;
            case '<':
              op = XOp::Shl;
              break;
            case '>':
              op = XOp::Shr;
              break;
          }
        out.nodes.push_back({op, 0, kNoSymbol, Value{}});
        // Fold when every operand is constant.
        bool constant = true;
        for (size_t i = first; i + 1 < out.nodes.size(); ++i)
          constant &= out.nodes[i].op != XOp::Field && out.nodes[i].op != XOp::Reg;
        if (!constant) {
          if (out.nodes.size() > 32) {
            err(e.pos, "expression too long: at most 32 fields, registers, constants and operators on one side",
                "a constant part counts once (it is folded): move constants together, e.g. v + (1 + 2)");
            return false;
          }
          return true;
        }
        std::vector<ExprCode::Node> part(out.nodes.begin() + static_cast<std::ptrdiff_t>(first), out.nodes.end());
        bool strings = false;
        for (size_t i = 0; i + 1 < part.size(); ++i) strings |= part[i].value.kind == Value::Kind::Str;
        ExprCode c;
        c.nodes = std::move(part);
        Event none;
        ExprValue v = c.eval(none);
        if (strings || v.kind != ExprValue::Kind::Int) {
          if (e.op == '<' || e.op == '>')
            err(e.kids[1].pos, std::string("'") + opName(e.op) + "' needs integers, with a shift from 0 to 63", "");
          else
            err(e.pos, std::string("'") + opName(e.op) + "' combines integers only", "");
          return false;
        }
        out.nodes.resize(first);
        out.nodes.push_back({XOp::Const, 0, kNoSymbol, Value::ofInt(v.i)});
        return true;
      }
    }
    return false;
  }

  bool compileName(const Expr& e, const NameScope& sc, ExprCode& out) {
    auto c = consts_.find(e.s);
    if (c != consts_.end()) {
      out.nodes.push_back({XOp::Const, 0, kNoSymbol, c->second});
      return true;
    }
    // A field of the event before a parameter of that name: where the pattern binds the parameter
    // (`pop(vring, vring > 7)`), the field holds the parameter's value.
    bool field = false;
    if (sc.event)
      for (const auto& f : sc.event->fields) field |= f.first == e.s;
    if (sc.params && !field)
      for (const auto& p : *sc.params)
        if (p == e.s) {
          err(e.pos, "parameter '" + e.s + "' can only be bound with '=='", "write: field == " + e.s);
          return false;
        }
    int reg = -1;
    if (sc.regs)
      for (size_t i = 0; i < sc.regs->size(); ++i)
        if ((*sc.regs)[i].name == e.s) reg = static_cast<int>(i);
    if (reg >= 0 && field) {
      err(e.pos, "'" + e.s + "' is both a register of this rule and a field of event '" + sc.event->name + "'",
          "rename the register");
      return false;
    }
    if (reg >= 0) {
      if (!sc.regsAllowed) {
        err(e.pos, "register '" + e.s + "' cannot be read here",
            "a register's new value is an expression of the event's fields, or NAME + / - one with NAME first "
            "(n + 1 + v, not 1 + n) so that prediction stays tractable: docs/spec-language.md, Registers");
        return false;
      }
      out.nodes.push_back({XOp::Reg, static_cast<uint8_t>(reg), kNoSymbol, Value{}});
      return true;
    }
    if (field) {
      out.nodes.push_back({XOp::Field, 0, symbols_.intern(e.s), Value{}});
      return true;
    }
    if (!sc.event && !sc.regs) {
      err(e.pos, "unknown constant '" + e.s + "'", "define it first: const " + e.s + " = VALUE");
      return false;
    }
    std::string help = "define it (const " + e.s + " = VALUE)";
    if (sc.event) {
      std::string list;
      for (const auto& f : sc.event->fields) list += (list.empty() ? "" : ", ") + f.first;
      help += list.empty() ? "; event '" + sc.event->name + "' has no fields"
                           : "; the fields of '" + sc.event->name + "': " + list;
    }
    if (e.s.find('-') != std::string::npos) help += "; names may hold '-': write spaces around a minus (a - 1)";
    err(e.pos, "'" + e.s + "' is not a constant, a register of this rule or a field of the event", help);
    return false;
  }

  // A constant expression (const declarations, `at most N`, initial values).
  bool evalConst(const Expr& e, Value& out, const std::vector<std::string>* params) {
    ExprCode c;
    NameScope sc;
    sc.params = params;
    if (!compile(e, sc, c)) return false;
    if (c.nodes.size() != 1 || c.nodes[0].op != ExprCode::Op::Const) return false;
    out = c.nodes[0].value;
    return true;
  }

  static std::string patText(const EventPat& p) {
    std::string s = p.name;
    if (p.args.empty()) return s;
    s += '(';
    for (size_t i = 0; i < p.args.size(); ++i) {
      const auto& a = p.args[i];
      if (i) s += ", ";
      s += exprText(a.lhs);
      if (a.op == Op::Bind) continue;
      s += ' ';
      s += opText(a.op);
      s += ' ';
      s += exprText(a.rhs);
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
    NameScope sc;
    sc.params = &params;
    sc.event = &decl;
    sc.regs = curRegs_;
    for (const auto& a : p.args) {
      bool known = false;
      for (const auto& f : decl.fields) known |= f.first == a.field;
      const bool isReg = curRegs_ && std::any_of(curRegs_->begin(), curRegs_->end(),
                                                 [&](const Register& r) { return r.name == a.field; });
      if (!a.field.empty() && !known && (a.op == Op::Bind || (!consts_.count(a.field) && !isReg))) {
        std::string list;
        for (const auto& f : decl.fields) list += (list.empty() ? "" : ", ") + f.first;
        err(a.pos, "event '" + p.name + "' has no field '" + a.field + "'",
            list.empty() ? "it is declared without fields" : "its fields: " + list);
        ok = false;
        continue;
      }
      // A bare name, or `field == NAME` where NAME is a parameter, binds the parameter.
      std::string paramName;
      if (a.op == Op::Bind)
        paramName = a.field;
      else if (a.op == Op::Eq && known && a.rhs.isName() && !consts_.count(a.rhs.s)) {
        bool isParam = false;
        for (const auto& x : params) isParam |= x == a.rhs.s;
        if (rename) isParam = rename->count(a.rhs.s) > 0;
        bool rhsField = false;
        for (const auto& f : decl.fields) rhsField |= f.first == a.rhs.s;
        const bool rhsReg = curRegs_ && std::any_of(curRegs_->begin(), curRegs_->end(),
                                                    [&](const Register& r) { return r.name == a.rhs.s; });
        if (isParam || (!rhsField && !rhsReg)) paramName = a.rhs.s;
      }
      if (!paramName.empty()) {
        Symbol field = symbols_.intern(a.field);
        std::string target = paramName;
        if (rename) {
          auto r = rename->find(paramName);
          if (r != rename->end())
            target = r->second;
          else
            target.clear();
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
      pr.op = a.op;
      pr.text = exprText(a.lhs) + " " + opText(a.op) + " " + exprText(a.rhs);
      if (!compile(a.lhs, sc, pr.lhs) || !compile(a.rhs, sc, pr.rhs)) {
        ok = false;
        continue;
      }
      const bool rhsConst = pr.rhs.single() && pr.rhs.nodes[0].op == ExprCode::Op::Const;
      if ((a.op == Op::Has || a.op == Op::Lacks) && rhsConst && pr.rhs.nodes[0].value.kind != Value::Kind::Int) {
        err(a.rhs.pos, std::string("'") + opText(a.op) + "' tests bits of an integer", "");
        ok = false;
        continue;
      }
      if (pr.lhs.single() && pr.lhs.nodes[0].op == ExprCode::Op::Field) pr.field = pr.lhs.nodes[0].field;
      if (rhsConst) pr.value = pr.rhs.nodes[0].value;
      pr.simple = pr.field != kNoSymbol && rhsConst;
      pr.dynamic = pr.lhs.usesRegisters() || pr.rhs.usesRegisters();
      (pr.dynamic ? m.dynPreds : m.preds).push_back(std::move(pr));
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
      if (!matcher(p, params, m, rename)) {
        ok = false;
        continue;
      }
      int n = 0;
      for (const auto& bd : m.binds) n |= 1 << bd.second;
      m.bound = static_cast<uint8_t>(n);
      if (n != 0 && n != (1 << params.size()) - 1 && (inState_ || rename)) {
        std::string missing;
        for (size_t i = 0; i < params.size(); ++i)
          if (!(n & (1 << i))) missing += (missing.empty() ? "" : ", ") + params[i];
        err(p.pos,
            std::string("this pattern binds some parameters of the ") + (inState_ ? "state" : "rule") + " but not " +
                missing,
            "a state's pattern binds all of its parameters, or none");
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
      if (!seen.insert(p).second) {
        err(pos, "parameter '" + p + "' is listed twice", "");
        ok = false;
      }
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
    r.device = f_.device;
    r.line = d.pos.line;
    r.text = ruleText(d.pos.line);
    r.rel = d.rel;
    r.withinNs = d.withinNs;
    if (d.count) {
      Value n;
      if (!evalConst(*d.count, n, &r.params)) return;
      if (n.kind != Value::Kind::Int) {
        err(d.count->pos, "the bound of 'at most' is an integer", "");
        return;
      }
      if (n.i < 0) {
        err(d.count->pos, "the bound must not be negative", "");
        return;
      }
      r.count = n.i;
    }
    r.scope = d.scope;
    std::set<std::string> seen;
    for (const auto& [p, pos] : d.params) {
      if (consts_.count(p)) err(pos, "parameter '" + p + "' has the name of a constant", "rename one of them");
      if (!seen.insert(p).second) err(pos, "parameter '" + p + "' is listed twice", "");
      r.params.push_back(p);
    }
    if (r.params.size() > 8) {
      err(d.pos, "a rule has at most 8 parameters", "");
      return;
    }
    if (d.cite.empty())
      warn(d.pos, "rule '" + d.id + "' has no citation", "add cite \"document, section\" after the id");
    bool ok = true;
    if (!registers(d, r)) return;
    curRegs_ = &r.regs;
    struct Reset {
      const std::vector<Register>*& p;
      ~Reset() { p = nullptr; }
    } reset{curRegs_};
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
        err(d.state.pos,
            "state '" + st.name + "' takes " + std::to_string(st.params.size()) + " parameter(s), given " +
                std::to_string(d.state.args.size()),
            "");
        return;
      }
      std::map<std::string, std::string> rename;
      for (size_t i = 0; i < st.params.size(); ++i) {
        const auto& [arg, apos] = d.state.args[i];
        bool isParam = false;
        for (const auto& p : r.params) isParam |= p == arg;
        if (!isParam) {
          err(apos, "'" + arg + "' is not a parameter of this rule", "pass the rule's forall parameters to the state");
          ok = false;
        }
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
      if (!bound) {
        err(d.params[i].second, "parameter '" + r.params[i] + "' is bound by no pattern",
            "bind it: EVENT(" + r.params[i] + ")");
        ok = false;
      }
    }
    if (r.withinNs && *r.withinNs <= 0) {
      err(d.relPos, "'within' needs a positive duration", "");
      ok = false;
    }
    if (ok) ok = updates(d, r);
    if (ok) ok = partialChain(d, r);
    if (ok) ok = condBits(d, r);
    if (ok) out_.rules.push_back(std::move(r));
  }

  // The rule's registers, in order of first `let`, with their initial values.
  bool registers(const RuleDecl& d, Rule& r) {
    bool ok = true;
    for (const auto& l : d.lets) {
      auto it = std::find_if(r.regs.begin(), r.regs.end(), [&](const Register& x) { return x.name == l.name; });
      if (it == r.regs.end()) {
        if (consts_.count(l.name)) {
          err(l.pos, "register '" + l.name + "' has the name of a constant", "rename one of them");
          ok = false;
          continue;
        }
        if (std::find(r.params.begin(), r.params.end(), l.name) != r.params.end()) {
          err(l.pos, "register '" + l.name + "' has the name of a parameter", "rename one of them");
          ok = false;
          continue;
        }
        if (r.regs.size() == kMaxRegisters) {
          err(l.pos, "a rule has at most " + std::to_string(kMaxRegisters) + " registers", "");
          ok = false;
          continue;
        }
        r.regs.push_back(Register{l.name, false, 0});
        it = r.regs.end() - 1;
      }
      if (!l.pattern.empty()) continue;
      if (it->hasInit) {
        err(l.pos, "register '" + l.name + "' has two initial values", "");
        ok = false;
        continue;
      }
      Value v;
      if (!evalConst(l.value, v, &r.params)) {
        ok = false;
        continue;
      }
      if (v.kind == Value::Kind::Str) {
        err(l.value.pos, "a register holds an integer", "");
        ok = false;
        continue;
      }
      it->hasInit = true;
      it->init = v.i;
    }
    return ok;
  }

  // `let NAME = PATTERN: VALUE`: one update per alternative of the pattern.
  bool updates(const RuleDecl& d, Rule& r) {
    bool ok = true;
    for (const auto& l : d.lets) {
      if (l.pattern.empty()) continue;
      const uint8_t reg = static_cast<uint8_t>(
          std::find_if(r.regs.begin(), r.regs.end(), [&](const Register& x) { return x.name == l.name; }) -
          r.regs.begin());
      std::vector<Matcher> ms;
      bool broadcast = false;
      if (!role(l.pattern, r.params, ms, broadcast)) {
        ok = false;
        continue;
      }
      // An update that binds no parameter changes what new instances start from, like a
      // broadcast role: a bit above the roles' (0x40) says so (templates kept, no idle dropping).
      if (broadcast) r.broadcastRoles = static_cast<uint8_t>(r.broadcastRoles | 0x40);
      // NAME + e / NAME - e: an accumulator; anything else: a sample of the event's fields.
      Update::Kind kind = Update::Kind::Sample;
      const Expr* value = &l.value;
      Expr delta;
      if (l.value.kind == Expr::Kind::Binary && (l.value.op == '+' || l.value.op == '-') && l.value.kids[0].isName() &&
          l.value.kids[0].s == l.name) {
        kind = l.value.op == '+' ? Update::Kind::Add : Update::Kind::Sub;
        value = &l.value.kids[1];
      } else if (accumulatorChain(l.value, l.name, delta)) {
        kind = Update::Kind::Add;  // NAME + a - b + c: NAME + (a - b + c), the same modulo 2^64
        value = &delta;
      }
      for (size_t i = 0; i < ms.size(); ++i) {
        Update u;
        u.reg = reg;
        u.kind = kind;
        NameScope sc;
        sc.params = &r.params;
        sc.event = events_.at(l.pattern[i].name);
        sc.regs = &r.regs;
        sc.regsAllowed = false;
        if (!compile(*value, sc, u.value)) {
          ok = false;
          break;
        }
        u.m = std::move(ms[i]);
        r.updates.push_back(std::move(u));
      }
    }
    return ok;
  }

  // The parameter sets patterns bind partly must be nested: then an instance made later starts
  // from the events of the one partial template that holds all that concern it.
  bool partialChain(const RuleDecl& d, Rule& r) {
    const uint8_t all = static_cast<uint8_t>((1u << r.params.size()) - 1);
    std::vector<std::pair<uint8_t, const Matcher*>> sets;
    auto add = [&](const Matcher& m) {
      if (m.bound == 0 || m.bound == all) return;
      for (const auto& [b, x] : sets)
        if (b == m.bound) return;
      sets.emplace_back(m.bound, &m);
    };
    for (const auto& role : r.roles)
      for (const auto& m : role) add(m);
    for (const auto& u : r.updates) add(u.m);
    std::sort(sets.begin(), sets.end(), [](const auto& a, const auto& b) {
      return __builtin_popcount(a.first) != __builtin_popcount(b.first)
                 ? __builtin_popcount(a.first) < __builtin_popcount(b.first)
                 : a.first < b.first;
    });
    auto names = [&](uint8_t b) {
      std::string s;
      for (size_t i = 0; i < r.params.size(); ++i)
        if (b & (1u << i)) s += (s.empty() ? "" : ", ") + r.params[i];
      return "(" + s + ")";
    };
    for (size_t i = 1; i < sets.size(); ++i)
      if ((sets[i - 1].first & sets[i].first) != sets[i - 1].first) {
        err(sets[i].second->pos,
            "this pattern binds " + names(sets[i].first) + " and another binds " + names(sets[i - 1].first) +
                ": the parameter sets patterns bind partly must be nested",
            "bind one set inside the other (" + names(sets[i - 1].first) + " and " +
                names(static_cast<uint8_t>(sets[i - 1].first | sets[i].first)) + "), or split the rule");
        (void)d;
        return false;
      }
    for (const auto& s : sets) r.partials.push_back(s.first);
    return true;
  }

  // A chain of + and - whose leftmost operand is register `name`, read left to right
  // (`n + 1 + v` is `(n + 1) + v`): `delta` gets the sum of the other terms, signed.
  static bool accumulatorChain(const Expr& e, const std::string& name, Expr& delta) {
    std::vector<const Expr*> chain;  // the + and - nodes, outermost first
    const Expr* x = &e;
    for (; x->kind == Expr::Kind::Binary && (x->op == '+' || x->op == '-'); x = &x->kids[0]) chain.push_back(x);
    if (chain.size() < 2 || !x->isName() || x->s != name) return false;
    const Expr* first = chain.back();
    if (first->op == '-') {
      delta.kind = Expr::Kind::Unary;
      delta.op = '-';
      delta.pos = first->kids[1].pos;
      delta.kids.push_back(first->kids[1]);
    } else {
      delta = first->kids[1];
    }
    for (size_t i = chain.size() - 1; i-- > 0;) {
      Expr b;
      b.kind = Expr::Kind::Binary;
      b.op = chain[i]->op;
      b.pos = delta.pos;
      b.kids.push_back(std::move(delta));
      b.kids.push_back(chain[i]->kids[1]);
      delta = std::move(b);
    }
    return true;
  }

  // Bit i of a match's `cond`: the patterns the automaton judges (register comparisons, updates).
  bool condBits(const RuleDecl& d, Rule& r) {
    for (int ri = 0; ri < kRoleCount; ++ri)
      for (size_t i = 0; i < r.roles[ri].size(); ++i)
        if (!r.roles[ri][i].dynPreds.empty()) {
          r.roles[ri][i].cond = static_cast<int8_t>(r.conds.size());
          r.conds.push_back(CondPattern{static_cast<int8_t>(ri), static_cast<uint16_t>(i)});
        }
    for (size_t i = 0; i < r.updates.size(); ++i) {
      r.updates[i].m.cond = static_cast<int8_t>(r.conds.size());
      r.conds.push_back(CondPattern{-1, static_cast<uint16_t>(i)});
    }
    if (r.conds.size() > 32) {
      err(d.pos, "a rule has at most 32 patterns that read registers or update them", "split the rule");
      return false;
    }
    return true;
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
      err(s.pos,
          "both sides of a sync must name the same number of key fields (" + std::to_string(a) + " vs " +
              std::to_string(b) + ")",
          "keys are matched by position: sync send(seq) -> recv(seq)");
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
  bool inState_ = false;                            // checking a state declaration: words in diagnostics
  const std::vector<Register>* curRegs_ = nullptr;  // the registers of the rule being resolved
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
    uint64_t line = 1 + static_cast<uint64_t>(
                            std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(lineStart), '\n'));
    diags.error("spec-binary", Location{path, line, static_cast<uint32_t>(nul - lineStart + 1)},
                "this spec file contains a NUL byte: is it a binary file?", "");
    return false;
  }
  return loadSpecText(path, text, out, symbols, diags);
}

}  // namespace vc
