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
  kLeft = 1,     // P of never/exists/at most; the left side of binary relations
  kRight = 2,    // the right side of binary relations
  kScopeQ = 4,   // opens a scope interval (after Q, between Q)
  kScopeR = 8,   // closes it (before R, and R, until R)
  kOpen = 16,    // opens the state of `during`
  kClose = 32,   // closes it
};
inline constexpr int kRoleCount = 6;

struct Pred {
  Symbol field = kNoSymbol;
  spec::Op op = spec::Op::Eq;
  Value value;
  bool holds(const Event& ev) const;
};

struct Matcher {
  std::vector<Symbol> names;  // trace event names this pattern matches
  std::vector<Pred> preds;
  std::vector<std::pair<Symbol, uint8_t>> binds;  // field -> parameter index
  std::string text;           // the pattern as written, for reports
  std::string event;          // the declared event it names
  spec::Pos pos;
  // True if `ev` has one of `names` and satisfies every predicate; fills `params` for bound
  // fields (returns false if a bound field is missing).
  // `name` is the event's name as the spec knows it (see unqualifiedName); default: ev.name.
  bool matches(const Event& ev, std::vector<const Value*>& params, Symbol name = kNoSymbol) const;
};

struct Rule {
  std::string id, cite, says;
  std::string file;
  uint32_t line = 0;
  std::string text;                 // the rule's source lines, for reports
  std::vector<std::string> params;  // forall
  RelKind rel = RelKind::Never;
  int64_t count = 0;
  std::optional<int64_t> withinNs;
  ScopeKind scope = ScopeKind::Globally;
  std::array<std::vector<Matcher>, kRoleCount> roles;  // index = bit position of Role
  std::string stateName;            // during
  // Roles whose patterns bind no parameter: their events apply to every instance.
  uint8_t broadcastRoles = 0;
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
  std::vector<SyncRule> syncs;        // only from sync files: happens-before is the run's, not the rules'
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
bool loadSpecText(const std::string& path, std::string_view text, Spec& out, SymbolTable& symbols,
                  Diagnostics& diags);

// Appends a byte string that identifies these parameter values (a rule instance, a sync key):
// equal values give equal strings; a missing value (nullptr) has its own code.
void appendKey(const std::vector<const Value*>& params, std::string& out);

bool isSyncFilePath(std::string_view path);

int roleIndex(Role r);
const char* roleName(Role r, RelKind rel);

}  // namespace vc
