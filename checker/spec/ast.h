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

// A constant expression: terms joined by '|', each term an atom optionally shifted by '<<'.
struct Atom {
  enum class Kind : uint8_t { Int, Str, Bool, Name } kind = Kind::Int;
  int64_t i = 0;
  std::string s;  // Str contents or Name
  Pos pos;
};
struct Term {
  Atom base;
  std::optional<Atom> shift;
};
struct Expr {
  std::vector<Term> terms;  // OR-ed
  Pos pos;
};

enum class Op : uint8_t { Bind, Eq, Ne, Lt, Le, Gt, Ge, Has, Lacks };
const char* opText(Op op);

struct Arg {
  std::string field;
  Pos pos;
  Op op = Op::Bind;  // Bind: a bare name, "field == param" with the same name
  Expr rhs;
};

struct EventPat {
  std::string name;
  Pos pos;
  std::vector<Arg> args;
};
using PatAlts = std::vector<EventPat>;  // alternatives joined by '|'

enum class RelKind : uint8_t {
  Never, Exists, AtMost, Before, LeadsTo, During,
  Precedes, Causes, Alternates, AlternatesWeakly, Excludes, Coincides, Subclock,
};
const char* relName(RelKind k);

enum class ScopeKind : uint8_t { Globally, Before, After, Between, AfterUntil };
const char* scopeName(ScopeKind k);

struct StateRef {
  std::string name;
  Pos pos;
  std::vector<std::pair<std::string, Pos>> args;
};

struct RuleDecl {
  std::string id;
  Pos pos;
  std::string cite, says;
  std::vector<std::pair<std::string, Pos>> params;
  RelKind rel = RelKind::Never;
  Pos relPos;
  PatAlts left, right;  // unary relations use `left` only
  int64_t count = 0;    // at most N
  std::optional<int64_t> withinNs;
  StateRef state;       // during
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
