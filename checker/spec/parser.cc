#include "spec/parser.h"

#include <array>
#include <set>

#include "spec/lexer.h"

namespace vc::spec {

const char* opText(Op op) {
  switch (op) {
    case Op::Bind:
      return "";
    case Op::Eq:
      return "==";
    case Op::Ne:
      return "!=";
    case Op::Lt:
      return "<";
    case Op::Le:
      return "<=";
    case Op::Gt:
      return ">";
    case Op::Ge:
      return ">=";
    case Op::Has:
      return "has";
    case Op::Lacks:
      return "lacks";
  }
  return "?";
}

std::string exprText(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Int:
      return std::to_string(e.i);
    case Expr::Kind::Str:
      return "\"" + e.s + "\"";
    case Expr::Kind::Bool:
      return e.i ? "true" : "false";
    case Expr::Kind::Name:
      return e.s;
    case Expr::Kind::Unary: {
      const Expr& k = e.kids[0];
      bool paren = k.kind == Expr::Kind::Binary;
      return std::string(1, e.op) + (paren ? "(" + exprText(k) + ")" : exprText(k));
    }
    case Expr::Kind::Binary: {
      auto side = [](const Expr& k) { return k.kind == Expr::Kind::Binary ? "(" + exprText(k) + ")" : exprText(k); };
      std::string op = e.op == '<' ? "<<" : e.op == '>' ? ">>" : std::string(1, e.op);
      return side(e.kids[0]) + " " + op + " " + side(e.kids[1]);
    }
  }
  return "?";
}

const char* relName(RelKind k) {
  switch (k) {
    case RelKind::Never:
      return "never";
    case RelKind::Exists:
      return "exists";
    case RelKind::AtMost:
      return "at most";
    case RelKind::Before:
      return "before";
    case RelKind::LeadsTo:
      return "leadsto";
    case RelKind::During:
      return "during";
    case RelKind::Precedes:
      return "precedes";
    case RelKind::Causes:
      return "causes";
    case RelKind::Alternates:
      return "alternates";
    case RelKind::AlternatesWeakly:
      return "alternates weakly";
    case RelKind::Excludes:
      return "excludes";
    case RelKind::Coincides:
      return "coincides";
    case RelKind::Subclock:
      return "subclock";
  }
  return "?";
}

const char* scopeName(ScopeKind k) {
  switch (k) {
    case ScopeKind::Globally:
      return "globally";
    case ScopeKind::Before:
      return "before";
    case ScopeKind::After:
      return "after";
    case ScopeKind::Between:
      return "between";
    case ScopeKind::AfterUntil:
      return "after-until";
  }
  return "?";
}

const char* syncName(SyncKind k) {
  switch (k) {
    case SyncKind::Message:
      return "message";
    case SyncKind::Release:
      return "release";
    case SyncKind::Spawn:
      return "spawn";
    case SyncKind::Join:
      return "join";
  }
  return "?";
}

namespace {

const std::set<std::string> kTopLevel = {"spec", "const", "event", "state", "sync", "rule", "recorder"};

struct SyntaxError {};

// Tokens by absolute position, lexed on demand into a small ring: the parser looks at most one
// token back and one ahead, and holds a token reference for a few steps only.
class TokenStream {
 public:
  explicit TokenStream(std::string_view src) : lexer_(src) {}
  const Token& at(size_t i) {
    while (lexed_ <= i && !ended_) {
      Token& t = ring_[lexed_ % kRing];
      t = lexer_.next();
      ended_ = t.kind == Tok::End;
      ++lexed_;
    }
    if (i >= lexed_) i = lexed_ - 1;  // the End token
    return ring_[i % kRing];
  }
  // True if `i` is the End token (or past it).
  bool atEnd(size_t i) { return at(i).kind == Tok::End; }

 private:
  static constexpr size_t kRing = 8;
  Lexer lexer_;
  std::array<Token, kRing> ring_;
  size_t lexed_ = 0;
  bool ended_ = false;
};

class Parser {
 public:
  Parser(const std::string& path, const SourceLines& lines, std::string_view src, Diagnostics& diags)
      : path_(path), lines_(lines), diags_(diags), toks_(src) {}

  SpecFile run() {
    SpecFile f;
    f.path = path_;
    while (peek().kind != Tok::End) {
      const Token& t = peek();
      itemStart_ = pos_;
      depth_ = 0;
      ops_ = 0;
      try {
        if (t.kind == Tok::Error) {
          error(t, t.text, "");
        } else if (t.kind != Tok::Ident || !kTopLevel.count(t.text)) {
          error(t, "expected a declaration (spec, const, event, state, sync, recorder or rule), found " + describe(t),
                "every top-level item starts at the beginning of a line with one of these keywords");
        } else if (t.text == "spec") {
          next();
          f.name = expectIdent("the spec name").text;
          if (acceptKw("device")) f.device = expect(Tok::String, "the device type, as a string (e.g. \"rng\")").text;
          if (acceptKw("cite")) f.cite = expect(Tok::String, "the citation").text;
        } else if (t.text == "const") {
          f.consts.push_back(constDecl());
        } else if (t.text == "event") {
          f.events.push_back(eventDecl());
        } else if (t.text == "state") {
          f.states.push_back(stateDecl());
        } else if (t.text == "sync") {
          f.syncs.push_back(syncDecl());
        } else if (t.text == "recorder") {
          f.recorders.push_back(recorderDecl());
        } else {
          f.rules.push_back(ruleDecl());
        }
        // An item must end at the end of its line(s): the next token starts a line.
        if (!startsItem(peek()))
          error(peek(), "unexpected " + describe(peek()) + " after the end of the declaration",
                peek().bol ? "a line that continues a declaration is indented; a new one starts in column 1" : "");
      } catch (const SyntaxError&) {
        if (++errors_ >= kMaxSyntaxErrors && peek().kind != Tok::End) {
          recover();
          if (peek().kind != Tok::End) {
            diags_.note("spec-syntax-stopped", Location{path_, peek().line, 0},
                        "stopped reading this file after " + std::to_string(errors_) + " syntax errors",
                        "is it a spec file? Fix these errors first");
            f.truncated = true;
            return f;
          }
        }
        recover();
      }
    }
    return f;
  }

 private:
  const Token& peek(size_t k = 0) { return toks_.at(pos_ + k); }
  const Token& next() {
    const Token& t = toks_.at(pos_);
    if (t.kind != Tok::End) ++pos_;
    return t;
  }

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::Ident:
        return "'" + t.text + "'";
      case Tok::Int:
        return "integer " + t.text;
      case Tok::String:
        return "string \"" + t.text + "\"";
      case Tok::Error:
        return t.text;
      default:
        return tokName(t.kind);
    }
  }

  [[noreturn]] void error(const Token& t, const std::string& msg, const std::string& help) {
    // A token that starts the next item means this one ended too early: point just after the
    // last token of the item instead, on its own line.
    if (&t == &peek() && pos_ > itemStart_ && startsItem(t)) {
      const Token& prev = toks_.at(pos_ - 1);
      std::string m = msg;
      size_t found = m.find(", found ");
      if (found != std::string::npos) m = m.substr(0, found) + " at the end of the line";
      auto& d = diags_.error("spec-syntax", Location{path_, prev.line, prev.col + prev.len}, m, help);
      d.setSnippet(lines_.line(prev.line));
      throw SyntaxError{};
    }
    auto& d = diags_.error("spec-syntax", Location{path_, t.line, t.col}, msg, help);
    d.setSnippet(lines_.line(t.line));
    d.span = t.len;
    throw SyntaxError{};
  }

  // A token that starts a new item: the end, or the first token of a line that is in column 1 or
  // is a top-level keyword. Indented lines continue the item above them.
  static bool startsItem(const Token& t) {
    return t.kind == Tok::End || (t.bol && (t.col == 1 || (t.kind == Tok::Ident && kTopLevel.count(t.text))));
  }

  // Skip to the start of the next item; the main loop reports it if it is not a keyword.
  void recover() {
    if (pos_ == itemStart_ && peek().kind != Tok::End) next();  // always make progress
    while (!startsItem(peek())) next();
  }

  bool isKw(const char* kw, size_t k = 0) { return peek(k).kind == Tok::Ident && peek(k).text == kw; }
  bool acceptKw(const char* kw) {
    if (!isKw(kw)) return false;
    next();
    return true;
  }
  void expectKw(const char* kw, const std::string& help = {}) {
    if (!acceptKw(kw)) error(peek(), std::string("expected '") + kw + "', found " + describe(peek()), help);
  }
  const Token& expect(Tok k, const std::string& what, const std::string& help = {}) {
    // A token the lexer rejected says what is wrong with it (`within -5ms`: a negative duration).
    if (peek().kind == Tok::Error) error(peek(), peek().text, help.empty() ? "expected " + what + " here" : help);
    if (peek().kind != k) error(peek(), "expected " + what + ", found " + describe(peek()), help);
    return next();
  }
  const Token& expectIdent(const std::string& what, const std::string& help = {}) {
    return expect(Tok::Ident, what, help);
  }
  bool accept(Tok k) {
    if (peek().kind != k) return false;
    next();
    return true;
  }
  static Pos posOf(const Token& t) { return Pos{t.line, t.col, t.len}; }

  std::vector<std::pair<std::string, Pos>> nameList(const std::string& what) {
    std::vector<std::pair<std::string, Pos>> out;
    expect(Tok::LParen, "'('");
    if (accept(Tok::RParen)) return out;
    for (;;) {
      const Token& t = expectIdent(what);
      out.emplace_back(t.text, posOf(t));
      if (accept(Tok::RParen)) return out;
      expect(Tok::Comma, "',' or ')'");
    }
  }

  // Expressions, by precedence climbing: | lowest, then ^, &, << >>, + -, unary ~ -.
  static int precedence(Tok k) {
    switch (k) {
      case Tok::Pipe:
        return 1;
      case Tok::Caret:
        return 2;
      case Tok::Amp:
        return 3;
      case Tok::Shl:
      case Tok::Shr:
        return 4;
      case Tok::Plus:
      case Tok::Minus:
        return 5;
      default:
        return 0;
    }
  }
  static char opChar(Tok k) {
    switch (k) {
      case Tok::Pipe:
        return '|';
      case Tok::Caret:
        return '^';
      case Tok::Amp:
        return '&';
      case Tok::Shl:
        return '<';
      case Tok::Shr:
        return '>';
      case Tok::Plus:
        return '+';
      case Tok::Minus:
        return '-';
      default:
        return 0;
    }
  }

  static Expr nameExpr(const Token& t) {
    Expr a;
    a.pos = posOf(t);
    if (t.text == "true" || t.text == "false") {
      a.kind = Expr::Kind::Bool;
      a.i = t.text == "true";
    } else {
      a.kind = Expr::Kind::Name;
      a.s = t.text;
    }
    return a;
  }

  Expr primary() {
    const Token& t = peek();
    Expr a;
    a.pos = posOf(t);
    if (++depth_ > kMaxDepth) {
      depth_ = 0;
      error(t, "expression nested too deeply (at most " + std::to_string(kMaxDepth) + " levels)",
            "split it with constants");
    }
    if (t.kind == Tok::Tilde || t.kind == Tok::Minus) {
      a.kind = Expr::Kind::Unary;
      a.op = t.kind == Tok::Tilde ? '~' : '-';
      next();
      a.kids.push_back(primary());
      --depth_;
      return a;
    }
    if (t.kind == Tok::LParen) {
      next();
      Expr inner = expr(1);
      expect(Tok::RParen, "')' to close the '('");
      --depth_;
      return inner;
    }
    if (t.kind == Tok::Error)  // the lexer's message says what is wrong
      error(t, t.text, "expected a value (integer, string, true/false, a constant, a field or a register) here");
    if (t.kind == Tok::Int) {
      a.kind = Expr::Kind::Int;
      a.i = t.value;
    } else if (t.kind == Tok::String) {
      a.kind = Expr::Kind::Str;
      a.s = t.text;
    } else if (t.kind == Tok::Ident && (t.text == "true" || t.text == "false")) {
      a.kind = Expr::Kind::Bool;
      a.i = t.text == "true";
    } else if (t.kind == Tok::Ident) {
      a.kind = Expr::Kind::Name;
      a.s = t.text;
    } else
      error(t,
            "expected a value (integer, string, true/false, a constant, a field or a register), found " + describe(t),
            "");
    next();
    --depth_;
    return a;
  }

  Expr expr(int minPrec = 1) { return exprAfter(primary(), minPrec); }

  // The rest of an expression whose first operand `lhs` is read.
  Expr exprAfter(Expr lhs, int minPrec) {
    for (;;) {
      const Token& o = peek();
      const int p = precedence(o.kind);
      if (p < minPrec || p == 0) return lhs;
      // An operator that starts a line in column 1 starts the next item, not this expression.
      if (startsItem(o)) return lhs;
      countOp(o);
      const char op = opChar(o.kind);  // before `o` leaves the token stream's window
      next();
      Expr rhs = expr(p + 1);
      lhs = binary(op, std::move(lhs), std::move(rhs));
    }
  }

  void countOp(const Token& o) {
    if (++ops_ > kMaxOps) {
      ops_ = 0;
      error(o, "expression too long (at most " + std::to_string(kMaxOps) + " operators in one declaration)",
            "split it with constants");
    }
  }

  static Expr binary(char op, Expr lhs, Expr rhs) {
    Expr b;
    b.kind = Expr::Kind::Binary;
    b.op = op;
    b.pos = lhs.pos;
    b.kids.push_back(std::move(lhs));
    b.kids.push_back(std::move(rhs));
    return b;
  }

  ConstDecl constDecl() {
    next();
    ConstDecl c;
    const Token& n = expectIdent("the constant's name");
    c.name = n.text;
    c.pos = posOf(n);
    expect(Tok::Eq, "'='", "write: const NAME = 4");
    c.value = expr();
    return c;
  }

  EventDecl eventDecl() {
    next();
    EventDecl e;
    const Token& n = expectIdent("the event's name");
    e.name = n.text;
    e.pos = posOf(n);
    if (peek().kind == Tok::LParen) e.fields = nameList("a field name");
    for (;;) {
      if (acceptKw("from")) {
        for (;;) {
          const Token& s = expect(Tok::String, "the trace's name for this event, as a string");
          e.aliases.emplace_back(s.text, posOf(s));
          if (!accept(Tok::Comma)) break;
        }
      } else if (acceptKw("sources")) {
        for (;;) {
          e.sources.push_back(expect(Tok::String, "a source that records this event, as a string").text);
          if (!accept(Tok::Comma)) break;
        }
      } else {
        break;
      }
    }
    return e;
  }

  EventPat eventPat() {
    EventPat p;
    const Token& n = expectIdent("an event name");
    p.name = n.text;
    p.pos = posOf(n);
    if (!accept(Tok::LParen)) return p;
    if (accept(Tok::RParen)) return p;
    for (;;) {
      Arg a;
      if (peek().kind == Tok::Comma || peek().kind == Tok::RParen)
        error(peek(), "expected a field name, found " + describe(peek()), "");
      a.pos = posOf(peek());
      a.lhs = expr();
      if (a.lhs.isName()) a.field = a.lhs.s;
      const Token& o = peek();
      if (o.kind == Tok::Comma || o.kind == Tok::RParen) {
        if (!a.lhs.isName())
          error(o,
                "expected a comparison (==, !=, <, <=, >, >=, has, lacks) after this expression, found " + describe(o),
                "a pattern's argument is a field name (binding the parameter of that name) or a comparison");
        a.op = Op::Bind;
      } else {
        switch (o.kind) {
          case Tok::EqEq:
            a.op = Op::Eq;
            break;
          case Tok::Ne:
            a.op = Op::Ne;
            break;
          case Tok::Lt:
            a.op = Op::Lt;
            break;
          case Tok::Le:
            a.op = Op::Le;
            break;
          case Tok::Gt:
            a.op = Op::Gt;
            break;
          case Tok::Ge:
            a.op = Op::Ge;
            break;
          case Tok::Eq:
            error(o, "'=' is not a comparison", "write '==' to compare a field");
          default:
            if (isKw("has"))
              a.op = Op::Has;
            else if (isKw("lacks"))
              a.op = Op::Lacks;
            else
              error(o, "expected a comparison (==, !=, <, <=, >, >=, has, lacks), ',' or ')', found " + describe(o),
                    "");
        }
        next();
        a.rhs = expr();
      }
      p.args.push_back(std::move(a));
      if (accept(Tok::RParen)) return p;
      expect(Tok::Comma, "',' or ')'");
    }
  }

  PatAlts pattern() {
    PatAlts alts;
    alts.push_back(eventPat());
    while (accept(Tok::Pipe)) alts.push_back(eventPat());
    return alts;
  }

  StateDecl stateDecl() {
    next();
    StateDecl s;
    const Token& n = expectIdent("the state's name");
    s.name = n.text;
    s.pos = posOf(n);
    if (peek().kind == Tok::LParen) s.params = nameList("a parameter name");
    expect(Tok::Eq, "'='", "write: state NAME(param) = OPEN_EVENT(...) .. CLOSE_EVENT(...)");
    s.open = pattern();
    expect(Tok::DotDot, "'..' between the opening and the closing events");
    s.close = pattern();
    return s;
  }

  SyncDecl syncDecl() {
    const Token& kw = next();
    SyncDecl s;
    s.pos = posOf(kw);
    if (acceptKw("message"))
      s.kind = SyncKind::Message;
    else if (acceptKw("release"))
      s.kind = SyncKind::Release;
    else if (acceptKw("spawn"))
      s.kind = SyncKind::Spawn;
    else if (acceptKw("join"))
      s.kind = SyncKind::Join;
    s.from = pattern();
    if (s.kind == SyncKind::Spawn || s.kind == SyncKind::Join) return s;
    expect(Tok::Arrow, "'->'", "write: sync SEND(key) -> RECEIVE(key)");
    s.to = pattern();
    return s;
  }

  RecorderDecl recorderDecl() {
    const Token& kw = next();
    RecorderDecl r;
    r.pos = posOf(kw);
    const char* help = "write: recorder \"backend\" | \"lttng:vconform_backend\", \"qemu-log\"";
    for (;;) {
      std::vector<std::string> group;
      group.push_back(expect(Tok::String, "a recorder name, as a string", help).text);
      while (accept(Tok::Pipe)) group.push_back(expect(Tok::String, "a recorder name, as a string", help).text);
      r.groups.push_back(std::move(group));
      if (!accept(Tok::Comma)) break;
    }
    return r;
  }

  RuleDecl ruleDecl() {
    next();
    RuleDecl r;
    const Token& id = expectIdent("the rule's id", "write: rule vu-start cite \"...\": ...");
    r.id = id.text;
    r.pos = posOf(id);
    for (;;) {
      if (acceptKw("cite"))
        r.cite = expect(Tok::String, "the citation, as a string").text;
      else if (acceptKw("says"))
        r.says = expect(Tok::String, "the rule in plain words, as a string").text;
      else
        break;
    }
    expect(Tok::Colon, "':' before the rule's body");
    if (acceptKw("forall")) {
      for (;;) {
        const Token& p = expectIdent("a parameter name");
        r.params.emplace_back(p.text, posOf(p));
        if (accept(Tok::Colon)) break;
        expect(Tok::Comma, "',' or ':'");
      }
    }
    while (isKw("let")) r.lets.push_back(letDecl());
    relation(r);
    scope(r);
    return r;
  }

  LetDecl letDecl() {
    next();
    LetDecl l;
    const Token& n = expectIdent("the register's name", "write: let last = EVENT(param): field");
    l.name = n.text;
    l.pos = posOf(n);
    expect(Tok::Eq, "'='", "write: let NAME = EVENT(param): VALUE, or let NAME = INITIAL_VALUE");
    // `let r = EVENT(...) ...: VALUE` sets it at each EVENT; `let r = VALUE` gives its initial value.
    // Names joined by '|' are a pattern only if one of them has arguments or ':' follows them:
    // `let m = A | B` or's two constants.
    std::vector<Token> names;  // copies: the token stream keeps a few tokens only
    while (peek().kind == Tok::Ident && peek(1).kind == Tok::Pipe) {
      names.push_back(next());
      countOp(next());
    }
    if (peek().kind == Tok::Ident && (peek(1).kind == Tok::LParen || peek(1).kind == Tok::Colon)) {
      for (const Token& t : names) {
        EventPat p;
        p.name = t.text;
        p.pos = posOf(t);
        l.pattern.push_back(std::move(p));
      }
      for (auto& p : pattern()) l.pattern.push_back(std::move(p));
      expect(Tok::Colon, "':' before the register's new value", "write: let NAME = EVENT(param): VALUE");
    } else if (!names.empty()) {
      Expr lhs = nameExpr(names[0]);
      for (size_t i = 1; i < names.size(); ++i) lhs = binary('|', std::move(lhs), nameExpr(names[i]));
      l.value = exprAfter(binary('|', std::move(lhs), expr(precedence(Tok::Pipe) + 1)), precedence(Tok::Pipe));
      return l;
    }
    l.value = expr();
    return l;
  }

  void relation(RuleDecl& r) {
    r.relPos = posOf(peek());
    if (acceptKw("never")) {
      r.rel = RelKind::Never;
      r.left = pattern();
      return;
    }
    if (acceptKw("exists")) {
      r.rel = RelKind::Exists;
      r.left = pattern();
      return;
    }
    if (isKw("at") && peek(1).kind == Tok::Ident && peek(1).text == "most") {
      next();
      next();
      const Token& n = peek();
      if (n.kind != Tok::Int && n.kind != Tok::Ident && n.kind != Tok::LParen && n.kind != Tok::Minus)
        error(n, "expected the bound N of 'at most N', found " + describe(n),
              "write: at most 4 EVENT(...), or at most LIMIT EVENT(...)");
      if (n.kind == Tok::Ident && (peek(1).kind == Tok::LParen || startsItem(peek(1))))
        error(n, "expected the bound N of 'at most N', found " + describe(n),
              "write: at most 4 EVENT(...), or at most LIMIT EVENT(...)");
      r.rel = RelKind::AtMost;
      r.count = expr();
      r.left = pattern();
      return;
    }
    r.left = pattern();
    const Token& kw = peek();
    r.relPos = posOf(kw);
    if (acceptKw("before"))
      r.rel = RelKind::Before;
    else if (acceptKw("leadsto"))
      r.rel = RelKind::LeadsTo;
    else if (acceptKw("during"))
      r.rel = RelKind::During;
    else if (acceptKw("precedes"))
      r.rel = RelKind::Precedes;
    else if (acceptKw("causes"))
      r.rel = RelKind::Causes;
    else if (acceptKw("alternates"))
      r.rel = acceptKw("weakly") ? RelKind::AlternatesWeakly : RelKind::Alternates;
    else if (acceptKw("excludes"))
      r.rel = RelKind::Excludes;
    else if (acceptKw("coincides")) {
      r.rel = RelKind::Coincides;
      acceptKw("with");
    } else if (acceptKw("subclock")) {
      r.rel = RelKind::Subclock;
      acceptKw("of");
    } else
      error(kw, "expected a relation after the event pattern, found " + describe(kw),
            "relations: before, leadsto, during, precedes, causes, alternates [weakly], excludes, coincides, "
            "subclock; or start with never / exists / at most N");
    if (r.rel == RelKind::During) {
      const Token& n = expectIdent("a state name");
      r.state.name = n.text;
      r.state.pos = posOf(n);
      if (peek().kind == Tok::LParen) r.state.args = nameList("a parameter name");
      return;
    }
    r.right = pattern();
    if (r.rel == RelKind::LeadsTo && acceptKw("within")) {
      const Token& d = expect(Tok::Duration, "a duration such as 5ms", "units: ns, us, ms, s");
      r.withinNs = d.value;
    }
  }

  void scope(RuleDecl& r) {
    if (startsItem(peek())) return;
    if (acceptKw("globally")) return;
    if (acceptKw("before")) {
      r.scope = ScopeKind::Before;
      r.scopeR = pattern();
      return;
    }
    if (acceptKw("after")) {
      r.scopeQ = pattern();
      if (acceptKw("until")) {
        r.scope = ScopeKind::AfterUntil;
        r.scopeR = pattern();
      } else
        r.scope = ScopeKind::After;
      return;
    }
    if (acceptKw("between")) {
      r.scope = ScopeKind::Between;
      r.scopeQ = pattern();
      expectKw("and", "write: between OPEN(...) and CLOSE(...)");
      r.scopeR = pattern();
      return;
    }
    if (isKw("within") && r.rel != RelKind::LeadsTo) error(peek(), "'within' only applies to 'leadsto'", "");
    error(peek(),
          "expected a scope (globally, before, after, between) or the end of the rule, found " + describe(peek()), "");
  }

  const std::string& path_;
  const SourceLines& lines_;
  Diagnostics& diags_;
  TokenStream toks_;
  size_t pos_ = 0;
  size_t itemStart_ = 0;
  size_t errors_ = 0;
  static constexpr int kMaxDepth = 64;
  static constexpr int kMaxOps = 256;
  int depth_ = 0;
  int ops_ = 0;
};

}  // namespace

SpecFile parse(const std::string& path, std::string_view src, const SourceLines& lines, Diagnostics& diags) {
  return Parser(path, lines, src, diags).run();
}

SpecFile parse(const std::string& path, std::string_view src, Diagnostics& diags) {
  SourceLines lines(src);
  return parse(path, src, lines, diags);
}

}  // namespace vc::spec
