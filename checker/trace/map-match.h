// Map files, stage 2: matching one text line against a loaded map (map-file.h) and turning it into
// an Event. One LineMapper per reader (it holds scratch space and this reader's symbols).
#pragma once

#include <memory>
#include <string>
#include <string_view>
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

// Compiled map + scratch space. Not thread-safe (one per reader).
class LineMapper {
 public:
  explicit LineMapper(std::shared_ptr<const MapFile> map, TraceTables& tables);
  // Matches `line` (no trailing newline). On a match, fills `ev` (name, ts, fields, thread) and
  // returns 1; no match: 0; matched with a bad field: -1 and `err`.
  int map(std::string_view line, uint32_t source, Event& ev, FieldError& err);
  // Only classifies (for sniffing).
  LineMatch classify(std::string_view line);
  // Do the Hyperscan and RE2::Set prefilters find the same candidates for this line's body?
  // (Checked on a map's sample lines when it is loaded.)
  bool prefiltersAgree(std::string_view line);
  bool usesHyperscan() const { return hsScratch_ != nullptr; }
  const MapFile& file() const { return *map_; }

 private:
  bool fillFields(const std::vector<FieldSpec>& specs, const std::vector<Symbol>& keys,
                  const re2::StringPiece* caps, std::string_view line, Event& ev, FieldError& err);
  std::shared_ptr<const MapFile> map_;
  // Names resolved in this reader's symbol table (MapFile is shared and table-independent).
  std::vector<std::vector<Symbol>> shapeKeys_, patternKeys_;
  std::vector<Symbol> patternEvent_;  // kNoSymbol for a templated name
  TraceTables& tables_;
  std::vector<re2::StringPiece> lineCaps_, bodyCaps_;
  std::vector<int> hits_;
  std::unique_ptr<HsPrefilter::Scratch> hsScratch_;
  bool setCandidates(re2::StringPiece body);  // fills hits_ (sorted set indices)
  std::vector<std::vector<int>> byFirstByte_;
  int lastShape_ = -1;  // last specific shape that matched
  bool haveLastThread_ = false;  // cache of the last thread looked up
  int64_t lastPid_ = 0, lastTid_ = 0;
  uint32_t lastSource_ = 0, lastThread_ = 0;
  std::string scratch_;
};

}  // namespace vc
