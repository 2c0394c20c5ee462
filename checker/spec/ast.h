// The spec AST: what the parser read, with positions; no meaning attached yet (see model.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vc::spec {

struct Pos {
  uint32_t line = 0, col = 0, len = 1;
};

// An expression: constants, the fields of the event a pattern names, a rule's registers, and the
// operators + - & | ^ ~ << >> with parentheses (precedence as in C: | lowest, then ^, &, shifts,
// + -, then the unary ~ and -).
struct Expr {
  enum class Kind : uint8_t { Int, Str, Bool, Name, Unary, Binary } kind = Kind::Int;
  char op = 0;  // Unary: '~' '-'; Binary: '+' '-' '&' '|' '^' '<' (<<) '>' (>>)
  int64_t i = 0;
  std::string s;  // Str contents or Name
  Pos pos;
  std::vector<Expr> kids;  // Unary: 1, Binary: 2
  bool isName() const { return kind == Kind::Name; }
};
std::string exprText(const Expr& e);

enum class Op : uint8_t { Bind, Eq, Ne, Lt, Le, Gt, Ge, Has, Lacks };
const char* opText(Op op);

// One argument of a pattern: a bare field name (binds the parameter of that name), or a
// comparison `LHS OP RHS` (LHS usually a field; `field == param` binds the parameter).
struct Arg {
  std::string field;  // the bare name on the left, if the left side is one
  Pos pos;
  Op op = Op::Bind;  // Bind: a bare name, "field == param" with the same name
  Expr lhs, rhs;
};

struct EventPat {
  std::string name;
  Pos pos;
  std::vector<Arg> args;
};
using PatAlts = std::vector<EventPat>;  // alternatives joined by '|'

enum class RelKind : uint8_t {
  Never,
  Exists,
  AtMost,
  Before,
  LeadsTo,
  During,
  Precedes,
  Causes,
  Alternates,
  AlternatesWeakly,
  Excludes,
  Coincides,
  Subclock,
};
const char* relName(RelKind k);

enum class ScopeKind : uint8_t { Globally, Before, After, Between, AfterUntil };
const char* scopeName(ScopeKind k);

struct StateRef {
  std::string name;
  Pos pos;
  std::vector<std::pair<std::string, Pos>> args;
};

// `let NAME = VALUE` (the register's initial value) or `let NAME = PATTERN: VALUE` (set by each
// event that matches PATTERN, after the event is stepped).
struct LetDecl {
  std::string name;
  Pos pos;
  PatAlts pattern;  // empty: the initial value
  Expr value;
};

struct RuleDecl {
  std::string id;
  Pos pos;
  std::string cite, says;
  std::vector<std::pair<std::string, Pos>> params;
  RelKind rel = RelKind::Never;
  Pos relPos;
  PatAlts left, right;        // unary relations use `left` only
  std::optional<Expr> count;  // at most N
  std::vector<LetDecl> lets;
  std::optional<int64_t> withinNs;
  StateRef state;  // during
  ScopeKind scope = ScopeKind::Globally;
  PatAlts scopeQ, scopeR;
};

struct EventDecl {
  std::string name;
  Pos pos;
  std::vector<std::pair<std::string, Pos>> fields;
  std::vector<std::pair<std::string, Pos>> aliases;  // `from "trace name", ...`
  std::vector<std::string> sources;                  // `sources "backend", "qemu-log", ...`
};

struct ConstDecl {
  std::string name;
  Pos pos;
  Expr value;
};

struct StateDecl {
  std::string name;
  Pos pos;
  std::vector<std::pair<std::string, Pos>> params;
  PatAlts open, close;
};

enum class SyncKind : uint8_t { Message, Release, Spawn, Join };
const char* syncName(SyncKind k);

struct SyncDecl {
  SyncKind kind = SyncKind::Message;
  Pos pos;
  PatAlts from, to;  // spawn/join: `from` only, with the child field bound
};

// `recorder "backend" | "lttng:vconform_backend", "qemu-log"` in a sync file: the file applies to
// a run when, for each group, some source was recorded by one of the group's names.
struct RecorderDecl {
  Pos pos;
  std::vector<std::vector<std::string>> groups;
};

struct SpecFile {
  std::string path;
  std::string name, cite;
  std::string device;  // `spec NAME device "rng"`: the rules are about that device type only
  std::vector<RecorderDecl> recorders;
  std::vector<ConstDecl> consts;
  std::vector<EventDecl> events;
  std::vector<StateDecl> states;
  std::vector<SyncDecl> syncs;
  std::vector<RuleDecl> rules;
  // The parser gave up after kMaxSyntaxErrors: the items above are only a prefix of the file.
  bool truncated = false;
};

// Syntax errors after which the parser stops reading a file (a trace or a binary given as a
// spec has one on every line).
inline constexpr size_t kMaxSyntaxErrors = 50;

}  // namespace vc::spec
