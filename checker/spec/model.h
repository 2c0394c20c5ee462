// The checked spec: what the monitors run. Built from the AST by resolve(); every name is
// resolved, every field known, every parameter bound.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostic.h"
#include "spec/ast.h"
#include "trace/event.h"

namespace vc {

using spec::RelKind;
using spec::ScopeKind;
using spec::SyncKind;

// The parts of a rule an event can play. An event may play several at once (a bit mask).
enum Role : uint8_t {
  kLeft = 1,    // P of never/exists/at most; the left side of binary relations
  kRight = 2,   // the right side of binary relations
  kScopeQ = 4,  // opens a scope interval (after Q, between Q)
  kScopeR = 8,  // closes it (before R, and R, until R)
  kOpen = 16,   // opens the state of `during`
  kClose = 32,  // closes it
};
inline constexpr int kRoleCount = 6;

// Registers a rule may declare (`let`), kept in every instance's state.
inline constexpr int kMaxRegisters = 4;

// A value while evaluating an expression: none (a missing field, an unset register, an operation
// on a string, a shift out of range), an integer, or a string (only a field or a constant as is).
struct ExprValue {
  enum class Kind : uint8_t { None, Int, Str } kind = Kind::None;
  int64_t i = 0;
  const std::string* s = nullptr;
};

// Reads an integer field of the event being stepped (booleans as 0/1); false if it has none.
using IntFieldReader = bool (*)(const void* event, Symbol field, int64_t& out);

// A resolved expression, in postfix order.
struct ExprCode {
  enum class Op : uint8_t { Const, Field, Reg, Not, Neg, Add, Sub, And, Or, Xor, Shl, Shr };
  struct Node {
    Op op = Op::Const;
    uint8_t reg = 0;
    Symbol field = kNoSymbol;
    Value value;  // Const
  };
  std::vector<Node> nodes;
  bool usesRegisters() const;
  bool single() const { return nodes.size() == 1; }
  void fields(std::vector<Symbol>& out) const;
  // The value for an event as read (strings too); registers read as unset.
  ExprValue eval(const Event& ev) const;
  // The value with integer fields only and the instance's registers (the automaton's view, the
  // same in the observed check and in prediction).
  ExprValue eval(const void* event, IntFieldReader read, const int64_t* regs, uint8_t regSet) const;
};

// A comparison in a pattern: LHS OP RHS.
struct Pred {
  Symbol field = kNoSymbol;  // LHS when it is a field alone (else kNoSymbol)
  spec::Op op = spec::Op::Eq;
  Value value;  // RHS when it is a constant (simple comparisons)
  ExprCode lhs, rhs;
  std::string text;      // as written, for lint
  bool simple = false;   // `field OP constant`: the fast path
  bool dynamic = false;  // reads a register: judged by the automaton, per instance
  bool holds(const Event& ev) const;
  bool holds(const void* event, IntFieldReader read, const int64_t* regs, uint8_t regSet) const;
  // Every field it reads.
  void fields(std::vector<Symbol>& out) const;
};

struct Matcher {
  std::vector<Symbol> names;                      // trace event names this pattern matches
  std::vector<Pred> preds;                        // judged when the event is dispatched
  std::vector<Pred> dynPreds;                     // read registers: judged by the automaton, per instance
  int8_t cond = -1;                               // with dynPreds (or an update): its bit in a match's `cond`
  uint8_t bound = 0;                              // the parameters it binds (bit i: parameter i)
  std::vector<std::pair<Symbol, uint8_t>> binds;  // field -> parameter index
  std::string text;                               // the pattern as written, for reports
  std::string event;                              // the declared event it names
  spec::Pos pos;
  // True if `ev` has one of `names` and satisfies every predicate; fills `params` for bound
  // fields (returns false if a bound field is missing).
  // `name` is the event's name as the spec knows it (see unqualifiedName); default: ev.name.
  bool matches(const Event& ev, std::vector<const Value*>& params, Symbol name = kNoSymbol) const;
  // Every field it reads: those it binds and those its comparisons name (registers aside), each
  // once, sorted; appended to `out`.
  void fields(std::vector<Symbol>& out) const;
};

// A register of a rule (`let NAME = ...`): an integer per instance, unset until set.
struct Register {
  std::string name;
  bool hasInit = false;
  int64_t init = 0;
};

// `let NAME = PATTERN: VALUE`: after an event that matches PATTERN is stepped, NAME becomes VALUE
// (`sample`: an expression of the event's fields) or NAME + / - an expression of its fields
// (an accumulator; an unset register stays unset).
struct Update {
  uint8_t reg = 0;
  enum class Kind : uint8_t { Sample, Add, Sub } kind = Kind::Sample;
  ExprCode value;
  Matcher m;
};

// What bit i of a match's `cond` stands for: a role pattern with register comparisons
// (role index, pattern index), or an update (role -1, update index).
struct CondPattern {
  int8_t role = -1;
  uint16_t index = 0;
};

struct Rule {
  std::string id, cite, says;
  std::string file;
  std::string device;  // its spec file's `device`: judged only on traces of that device
  uint32_t line = 0;
  std::string text;                 // the rule's source lines, for reports
  std::vector<std::string> params;  // forall
  RelKind rel = RelKind::Never;
  int64_t count = 0;
  std::optional<int64_t> withinNs;
  std::vector<Register> regs;
  std::vector<Update> updates;
  std::vector<CondPattern> conds;  // at most 32
  ScopeKind scope = ScopeKind::Globally;
  std::array<std::vector<Matcher>, kRoleCount> roles;  // index = bit position of Role
  std::string stateName;                               // during
  // Roles whose patterns bind no parameter: their events apply to every instance.
  uint8_t broadcastRoles = 0;
  // The parameter sets that patterns bind partly (neither none nor all), smallest first; each
  // holds the one before it (a chain). An event of such a pattern applies to every instance that
  // agrees on those parameters, and to the ones made later.
  std::vector<uint8_t> partials;
};

struct SyncRule {
  SyncKind kind = SyncKind::Message;
  std::vector<Matcher> from, to;  // key fields bound to positions 0..k-1
  size_t keySize = 0;
  std::string file;
  uint32_t line = 0;
  std::string text;
  // Shipped with vconform and loaded because its recorder is in the run: that some of its syncs
  // match nothing in a given trace is no news, so no hb-sync-unused warning.
  bool shipped = false;
};

struct DeclaredEvent {
  std::string name;
  std::vector<std::string> fields;
  std::vector<std::string> traceNames;
  std::vector<std::string> sources;  // documentation: which recorders produce it
  std::string file;
  uint32_t line = 0;
};

// A sync file (`*.sync`): the synchronisation a recorder's events imply. It is loaded for a run
// when its recorder requirement holds (see spec::RecorderDecl), or when named with --sync.
struct SyncFileInfo {
  std::string path;
  std::vector<std::vector<std::string>> recorders;  // empty: only loaded when named explicitly
  // True if, for every group, one of its names is among `present`.
  bool appliesTo(const std::vector<std::string>& present) const;
};

struct Spec {
  std::vector<Rule> rules;
  std::vector<SyncRule> syncs;  // only from sync files: happens-before is the run's, not the rules'
  std::vector<SyncFileInfo> syncFiles;
  std::vector<DeclaredEvent> events;
  std::vector<std::string> files;
  std::vector<std::string> names;  // `spec NAME` per file
};

// The largest spec file read (a bigger one is refused with a diagnostic: memory stays bounded
// whatever path is given, /dev/zero included).
inline constexpr size_t kMaxSpecBytes = size_t{8} << 20;

// Parses and resolves one spec file into `out` (appending). Returns false if it had errors.
// A path ending in ".sync" is a sync file (events, constants, syncs and one `recorder` line);
// any other is a rule spec (events, constants, states and rules; no syncs).
bool loadSpecFile(const std::string& path, Spec& out, SymbolTable& symbols, Diagnostics& diags);
// The same, from text (tests).
bool loadSpecText(const std::string& path, std::string_view text, Spec& out, SymbolTable& symbols, Diagnostics& diags);

// Appends a byte string that identifies these parameter values (a rule instance, a sync key):
// equal values give equal strings; a missing value (nullptr) has its own code.
void appendKey(const std::vector<const Value*>& params, std::string& out);

bool isSyncFilePath(std::string_view path);

int roleIndex(Role r);
const char* roleName(Role r, RelKind rel);

}  // namespace vc
