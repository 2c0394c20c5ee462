// Map files: raw text lines -> events, kept as data (specs/maps/NAME.map.json, lnav-like).
// A map has line shapes (a prefix regex with the timestamp / thread captures; the rest of the
// line is the body) and patterns (a named-capture regex on the body -> an event with typed
// fields). Sample lines in the map are run through it when it is loaded, so a map that does not
// do what it says is a load error with the map's file:line. Reference: docs/trace-formats.md.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.h"
#include "trace/event.h"
#include "trace/map-hyperscan.h"

namespace vc {

// How a captured timestamp is read. Every kind gives ns.
enum class TimeKind : uint8_t {
  None,
  Seconds,  // "15.611647" / "1795537342.161405": decimal seconds (since boot or since the epoch)
  Iso8601,  // "2024-11-25T10:11:12.123456Z", "+01:00" offsets, ',' or '.' before the fraction
  Ctime,    // "Mon Nov 25 10:11:12 2024" (read as UTC)
  Nanos,    // an integer count of ns
  Micros,   // an integer count of us
};

enum class FieldType : uint8_t {
  Int,     // decimal, or hex with 0x; optional sign
  Hex,     // hex, with or without 0x
  String,
  Bool,    // true/false, 1/0, yes/no, on/off (case-insensitive)
  Enum,    // an integer capture turned into a label through an enum table
  Const,   // a constant value given in the map
};

struct FieldSpec {
  std::string name;     // event field name
  FieldType type = FieldType::String;
  int capture = -1;     // group index in the owning regex (-1 for Const)
  std::string captureName;
  const std::map<int64_t, std::string>* enumTable = nullptr;
  Value constant;
};

// "name{capture}suffix" templates for event names; a plain name is a constant.
struct NameTemplate {
  std::string text;                                // as written in the map
  std::vector<std::pair<std::string, int>> parts;  // literal text (-1), or a capture index
  bool isConstant() const { return parts.size() == 1 && parts[0].second < 0; }
};

struct LineShape {
  std::string regexText;
  std::unique_ptr<RE2> re;
  int ncap = 0;
  int tsCap = -1, tidCap = -1, pidCap = -1, taskCap = -1;
  TimeKind time = TimeKind::None;
  std::vector<FieldSpec> fields;  // extra fields taken from the prefix (level, target, ...)
  bool generic = false;           // matches nearly anything: does not count when sniffing
  uint64_t mapLine = 0;
};

struct Pattern {
  std::string id;
  std::string regexText;
  std::unique_ptr<RE2> re;
  int ncap = 0;
  NameTemplate event;
  std::vector<FieldSpec> fields;
  uint64_t mapLine = 0;
  // Prefilter: a pattern written "^literal..." can only match a body starting with `literal`;
  // such patterns skip the RE2::Set pass (see LineMapper::classify).
  bool anchoredLiteral = false;
  std::string literal;
  int setIndex = -1;  // index in MapFile::set for the other patterns
  // A regex ending in "(?P<x>.*)$" in Latin-1 mode: `head` is the regex without that group; the
  // group is the rest of the body after head's match (saves running the capture engine over it).
  std::unique_ptr<RE2> head;
  int tailCap = -1;
};

struct MapFile {
  std::string path;
  std::string format;  // the map's name, used by --input-format
  std::string description;
  std::map<std::string, std::map<int64_t, std::string>> enums;
  std::vector<LineShape> lines;
  std::vector<Pattern> patterns;
  std::unique_ptr<RE2::Set> set;  // the patterns without an anchored literal prefix (may be null)
  std::vector<int> setPatterns;   // set index -> pattern index
  std::shared_ptr<const HsPrefilter> hs;  // same job as `set`, faster; null when unavailable
  size_t samples = 0;             // sample lines checked at load
};

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

// Loads and checks one map file. nullptr after diagnostics (with the map's file:line:col).
std::shared_ptr<const MapFile> loadMapFile(const std::string& path, Diagnostics& diags);
// Same, from text (for tests and the fuzzer); `path` is used in diagnostics only.
std::shared_ptr<const MapFile> loadMapText(const std::string& path, std::string_view text, Diagnostics& diags);

// Parses a timestamp of the given kind; false if malformed.
bool parseTimestamp(TimeKind kind, std::string_view s, int64_t& ns);
// Parses an integer field; false if malformed or out of range.
bool parseIntField(std::string_view s, bool hex, int64_t& out);

// Map directories always searched: $VCONFORM_MAPS_DIR if set, then <exe>/../share/vconform/maps,
// then the source tree's specs/maps.
std::vector<std::string> defaultMapDirs();
// Every *.map.json in `dirs` (then the default dirs), in order; the first map of a given format
// name wins.
std::vector<std::string> findMapFiles(const std::vector<std::string>& dirs);

}  // namespace vc
