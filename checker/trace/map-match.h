// Map files, stage 2: matching one text line against a loaded map (map-file.h) and turning it into
// events. One LineMapper per reader: it holds scratch space, this reader's symbols, and what the
// map keeps across lines of one source (remembered values per thread, counters, thread aliases, a
// record spanning several lines that is still open).
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "trace/map-file.h"

namespace vc {

// The result of matching one line.
struct LineMatch {
  int shape = -1;    // -1: no line shape matched
  int pattern = -1;  // -1: the body matched no pattern
};

// Why a matched line could not become an event (bad field value).
struct FieldError {
  std::string message;
  size_t column = 0;  // 0-based byte offset in the line
  size_t width = 1;
};

// Events a line gives, in order; the slots are reused (their field storage too), so reading
// millions of lines allocates once. Take an event with std::swap, which keeps both buffers.
class EventBuffer {
 public:
  Event& add() {
    if (n_ == items_.size()) items_.emplace_back();
    Event& e = items_[n_++];
    e.clear();
    return e;
  }
  void push(Event&& ev) { swap(add(), ev); }
  void truncate(size_t n) { n_ = std::min(n_, n); }
  void clear() { n_ = 0; }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  Event& operator[](size_t i) { return items_[i]; }
  const Event& operator[](size_t i) const { return items_[i]; }

 private:
  std::vector<Event> items_;
  size_t n_ = 0;
};

// What mapLine did with a line.
enum class LineResult : uint8_t {
  Unmatched,  // no line shape, or no pattern (and no open record took it)
  Matched,    // a pattern matched (the events it gave, if any, were appended) or a record took it
  Bad,        // a pattern matched but a field did not parse (`err` says where); no event
};

// Compiled map + scratch space + per-source state. Not thread-safe (one per reader).
class LineMapper {
 public:
  explicit LineMapper(std::shared_ptr<const MapFile> map, TraceTables& tables);
  // Maps line number `lineNo` of a source: appends to `out` the events it completes, in order:
  // a record of earlier lines that this line ends, then this line's own events (several when
  // patterns "continue"). A record this line starts stays open until a line that does not
  // continue it, or finish().
  LineResult mapLine(std::string_view line, uint64_t lineNo, uint32_t source, EventBuffer& out, FieldError& err);
  // End of the source: appends a record still open.
  void finish(EventBuffer& out);
  // One line on its own (tests, fuzzer): its first event, finishing a record it opens. 1: an
  // event; 0: none; -1: a bad field (`err`).
  int map(std::string_view line, uint32_t source, Event& ev, FieldError& err);
  // Only classifies (for sniffing): the first pattern that matches with no state (patterns with
  // "when" do not).
  LineMatch classify(std::string_view line);
  // Do the Hyperscan and RE2::Set prefilters find the same candidates for this line's body?
  // (Checked on a map's sample lines when it is loaded.)
  bool prefiltersAgree(std::string_view line);
  bool usesHyperscan() const { return hsScratch_ != nullptr; }
  const MapFile& file() const { return *map_; }

 private:
  using Memory = std::map<std::string, Value>;
  // Matches the line shapes; on success `body` is the rest of the line. -1: none.
  int matchShape(std::string_view line, re2::StringPiece& body);
  // The next candidate pattern at or after position `pos` of the body's candidate list whose
  // regex matches (captures in bodyCaps_) and whose "when" holds in `memory` (null: patterns with
  // "when" are skipped). -1: none. `pos` is left after the match.
  int nextPattern(re2::StringPiece body, size_t& pos, const Memory* memory);
  bool fillFields(const std::vector<FieldSpec>& specs, const std::vector<Symbol>& keys, const re2::StringPiece* caps,
                  std::string_view line, Event& ev, FieldError& err, const Memory* memory);
  bool fillTimeAndThread(const LineShape& s, std::string_view line, uint32_t source, Event& ev, FieldError& err);
  bool lineThread(const LineShape& s, std::string_view line, uint32_t source, std::pair<int64_t, int64_t>& key,
                  FieldError& err);
  uint32_t threadOf(uint32_t source, std::pair<int64_t, int64_t> key);
  bool continuesRecord(std::string_view line, int shape, re2::StringPiece body, uint32_t source, FieldError& err,
                       bool& bad);
  void closeRecord(EventBuffer& out);

  std::shared_ptr<const MapFile> map_;
  // Names resolved in this reader's symbol table (MapFile is shared and table-independent).
  std::vector<std::vector<Symbol>> shapeKeys_, patternKeys_, contKeys_;
  std::vector<Symbol> patternEvent_;  // kNoSymbol for a templated name
  TraceTables& tables_;
  std::vector<re2::StringPiece> lineCaps_, bodyCaps_;
  std::vector<int> hits_;
  bool setRun_ = false;
  std::unique_ptr<HsPrefilter::Scratch> hsScratch_;
  void setCandidates(re2::StringPiece body);  // fills hits_ (sorted set indices)
  std::vector<std::vector<int>> byFirstByte_;
  int lastShape_ = -1;           // last specific shape that matched
  bool haveLastThread_ = false;  // cache of the last thread looked up
  int64_t lastPid_ = 0, lastTid_ = 0;
  uint32_t lastSource_ = 0, lastThread_ = 0;
  std::string scratch_;
  EventBuffer single_;  // map()'s buffer
  // State kept across lines ("remember", "counter", "same_thread_as", "continuation").
  std::unordered_map<uint32_t, Memory> memory_;  // by thread
  std::map<std::string, int64_t> counters_;
  std::map<std::pair<int64_t, int64_t>, std::pair<int64_t, int64_t>> alias_;  // (pid, tid) -> thread it continues
  std::vector<std::optional<std::pair<int64_t, int64_t>>> lastKey_;           // by pattern: its last line's (pid, tid)
  struct Record {
    bool open = false;
    Event ev;
    int pattern = -1, shape = -1;
    uint32_t thread = 0;
    std::vector<std::optional<Value>> values;  // continuation fields, last value seen
    std::vector<int64_t> counts;               // Count fields
  } record_;
};

}  // namespace vc
