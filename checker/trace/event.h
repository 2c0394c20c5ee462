// The event model: every trace reader produces these, every later stage consumes them.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vc {

using Symbol = uint32_t;
inline constexpr Symbol kNoSymbol = UINT32_MAX;

// Interns event and field names so that monitors compare integers, not strings.
class SymbolTable {
 public:
  Symbol intern(std::string_view s);
  // kNoSymbol if never interned.
  Symbol find(std::string_view s) const;
  const std::string& name(Symbol s) const { return names_[s]; }
  size_t size() const { return names_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Symbol, Hash, std::equal_to<>> ids_;
  std::deque<std::string> names_;
};

// LTTng names events `provider:event`: a spec's `event x` matches a trace's `provider:x` too
// (unless the spec declares the qualified name itself). Maps a trace symbol to the symbol the
// spec's dispatch tables use; cached per symbol.
class NameResolver {
 public:
  // `known(s)` tells whether the spec refers to symbol s directly.
  template <class Known>
  Symbol resolve(Symbol s, const SymbolTable& table, Known&& known) {
    if (s < cache_.size() && cache_[s] != kUnset) return cache_[s];
    if (cache_.size() <= s) cache_.resize(s + 1, kUnset);
    Symbol out = s;
    if (!known(s)) {
      const std::string& n = table.name(s);
      size_t colon = n.rfind(':');
      if (colon != std::string::npos && colon + 1 < n.size()) {
        Symbol u = table.find(std::string_view(n).substr(colon + 1));
        if (u != kNoSymbol && known(u)) out = u;
      }
    }
    cache_[s] = out;
    return out;
  }

 private:
  static constexpr Symbol kUnset = kNoSymbol - 1;
  std::vector<Symbol> cache_;
};

// A typed field value. Integers are signed 64-bit; unsigned trace values above INT64_MAX keep
// their bit pattern (documented in docs/trace-format.md).
struct Value {
  enum class Kind : uint8_t { Int, Str, Bool };
  Kind kind = Kind::Int;
  int64_t i = 0;  // Int, and Bool as 0/1
  std::string s;  // Str

  static Value ofInt(int64_t v) {
    Value x;
    x.kind = Kind::Int;
    x.i = v;
    return x;
  }
  static Value ofBool(bool v) {
    Value x;
    x.kind = Kind::Bool;
    x.i = v;
    return x;
  }
  static Value ofStr(std::string v) {
    Value x;
    x.kind = Kind::Str;
    x.s = std::move(v);
    return x;
  }
  bool operator==(const Value& o) const { return kind == o.kind && (kind == Kind::Str ? s == o.s : i == o.i); }
  std::string toString() const;  // 12, "text" (quoted), true
};

struct Field {
  Symbol key = kNoSymbol;
  Value value;
};

// Where an event came from, so every report points back at the raw record.
struct Origin {
  uint32_t source = 0;  // index into SourceTable
  uint64_t line = 0;    // 1-based line for text sources; 1-based event index for CTF
};

struct Event {
  Symbol name = kNoSymbol;
  bool hasTs = false;
  int64_t ts = 0;       // ns; origin of the clock is the source's own
  uint32_t thread = 0;  // index into ThreadTable
  std::vector<Field> fields;
  Origin origin;
  // Explicit happens-before edges carried by the trace: this event's id and the ids of events
  // it happens after (docs/trace-format.md). Empty when absent.
  std::string id;
  std::vector<std::string> after;

  const Value* field(Symbol key) const {
    for (const auto& f : fields)
      if (f.key == key) return &f.value;
    return nullptr;
  }
  void clear() {
    name = kNoSymbol;
    hasTs = false;
    ts = 0;
    thread = 0;
    fields.clear();
    origin = {};
    id.clear();
    after.clear();
  }
  // Member by member: readers hand events over by swapping (each side keeps the other's storage
  // for reuse), once or twice per event; std::swap's three moves cost several times this.
  friend void swap(Event& a, Event& b) noexcept {
    using std::swap;
    swap(a.name, b.name);
    swap(a.hasTs, b.hasTs);
    swap(a.ts, b.ts);
    swap(a.thread, b.thread);
    a.fields.swap(b.fields);
    swap(a.origin, b.origin);
    a.id.swap(b.id);
    a.after.swap(b.after);
  }
};

// How many unmatched lines a Source keeps as examples, and how much of each.
inline constexpr size_t kUnmatchedExamples = 5;
inline constexpr size_t kUnmatchedTextBytes = 200;

// One input file / trace directory, and what reading it found (reports say what was read).
struct Source {
  std::string path;    // as given on the command line
  std::string format;  // "json", "ctf", "dmesg", ...
  int64_t clockOffsetNs = 0;
  // Filled by the readers as they go (read once the reader is exhausted):
  std::string map;  // text sources: the map file's name ("qemu", "dmesg", ...); empty otherwise
  // What recorded it ("backend", "qemu-log", "lttng:PROVIDER", ...); selects the recorders' sync
  // files (specs/sync/, docs/spec-language.md). Known once the reader is open.
  std::vector<std::string> recorders;
  // The device type the trace is of ("rng", "fs", ...), when the trace or its map says so (a JSON
  // trace's meta record, a map's "device"); empty: unknown. A rule of a spec declared for another
  // device is not judged on such a trace (check/recordable.h).
  std::string device;
  uint64_t events = 0;          // events delivered (counted by the check)
  uint64_t unmatchedLines = 0;  // text sources: non-blank lines no map pattern matched
  std::vector<std::pair<uint64_t, std::string>> unmatchedExamples;  // (line, text): the first few
  std::string compression;  // "gzip" or "zstd" when the file was compressed (trace/input.h); else empty
  // The event names this source can give, when its reader knows them: a text source's map names
  // its events (plus those its name templates gave). Unknown (any name) for JSON, CTF, tracing
  // JSON. A rule speaking only of events no source of a run can give has nothing to judge there.
  bool vocabularyKnown = false;
  std::vector<std::string> vocabulary;

  static Source make(std::string path, std::string format, int64_t clockOffsetNs = 0) {
    Source s;
    s.path = std::move(path);
    s.format = std::move(format);
    s.clockOffsetNs = clockOffsetNs;
    return s;
  }
};

class SourceTable {
 public:
  uint32_t add(Source s) {
    list_.push_back(std::move(s));
    return static_cast<uint32_t>(list_.size() - 1);
  }
  const Source& at(uint32_t i) const { return list_[i]; }
  Source& at(uint32_t i) { return list_[i]; }
  size_t size() const { return list_.size(); }

 private:
  std::vector<Source> list_;
};

// A thread is (source, process id, thread id): threads of different sources are always distinct.
struct ThreadInfo {
  uint32_t source = 0;
  int64_t pid = 0;
  int64_t tid = 0;
  std::string name;  // optional human name ("vu-socket", procname, ...)
};

class ThreadTable {
 public:
  uint32_t intern(uint32_t source, int64_t pid, int64_t tid);
  const ThreadInfo& at(uint32_t i) const { return list_[i]; }
  ThreadInfo& at(uint32_t i) { return list_[i]; }
  size_t size() const { return list_.size(); }
  // Gives thread i its human name unless it has one (the first name a trace gives it stays).
  // Readers name threads only through this, so that a reader thread (trace/reader-thread.h) can
  // replay the naming on the consuming side at the same event.
  void nameIfUnnamed(uint32_t i, std::string_view name) {
    auto& t = list_[i];
    if (!t.name.empty() || name.empty()) return;
    t.name.assign(name);
    if (namedLog_) namedLog_->push_back(i);
  }
  // With a log, every thread nameIfUnnamed() names is appended to it.
  void logNaming(std::vector<uint32_t>* log) { namedLog_ = log; }
  // "pid 4242 tid 4243 (vu-socket)" or "thread 3" style label used in reports.
  std::string label(uint32_t i) const;

 private:
  struct Key {
    uint32_t source;
    int64_t pid;
    int64_t tid;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      // Unsigned: a tid or pid may be any int64_t (INT64_MIN * 1000003 overflowed: UBSan).
      const uint64_t mixed = static_cast<uint64_t>(k.tid) * 1000003u ^ static_cast<uint64_t>(k.pid);
      return std::hash<uint64_t>{}(mixed) ^ (static_cast<size_t>(k.source) << 48);
    }
  };
  std::unordered_map<Key, uint32_t, KeyHash> ids_;
  std::vector<ThreadInfo> list_;
  std::vector<uint32_t>* namedLog_ = nullptr;
};

// Everything the readers share: the tables events index into.
struct TraceTables {
  SymbolTable symbols;
  SourceTable sources;
  ThreadTable threads;
};

}  // namespace vc
