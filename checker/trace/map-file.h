// Map files: raw text lines -> events, kept as data (specs/maps/NAME.map.json, lnav-like).
// A map has line shapes (a prefix regex with the timestamp / thread captures; the rest of the
// line is the body) and patterns (a named-capture regex on the body -> an event with typed
// fields). Sample lines in the map are run through it when it is loaded, so a map that does not
// do what it says is a load error with the map's file:line. Reference: docs/trace-formats.md.
// This header is the data model of a loaded map; the stages are in their own files:
// map-load.h (JSON -> MapFile, where maps live), map-match.h (line -> Event), map-select.h
// (which map fits a file), timestamps.h (scalars).
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "trace/event.h"
#include "trace/map-hyperscan.h"
#include "trace/timestamps.h"

namespace vc {

enum class FieldType : uint8_t {
  Int,  // decimal, or hex with 0x; optional sign
  Hex,  // hex, with or without 0x
  String,
  Bool,         // true/false, 1/0, yes/no, on/off (case-insensitive)
  Enum,         // an integer capture turned into a label through an enum table
  EnumReverse,  // a label capture turned into its number through an enum table
  Const,        // a constant value given in the map
  Counter,      // the next value of a per-source counter (1, 2, ...): "counter": NAME
  Remembered,   // the value the line's thread last remembered under a name: "remembered": NAME
  Count,        // (continuation fields) how many continuation lines had the capture: "count": GROUP
};

struct FieldSpec {
  std::string name;  // event field name
  FieldType type = FieldType::String;
  int capture = -1;  // group index in the owning regex (-1 for Const, Counter, Remembered)
  std::string captureName;
  const std::map<int64_t, std::string>* enumTable = nullptr;
  const std::map<std::string, int64_t>* labelTable = nullptr;  // EnumReverse
  Value constant;
  std::string slot;  // Counter / Remembered: the counter's or the remembered value's name
};

// What a pattern remembers for the line's thread once its event is made: the value of one of the
// event's fields, or a constant. Later lines of the same thread read it ("remembered": NAME) or
// test it ("when").
struct RememberSpec {
  std::string name;
  std::string field;  // the event's field to remember (empty: the constant)
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
  bool noEvent = false;  // "event": null: the line is known and gives no event
  std::vector<FieldSpec> fields;
  uint64_t mapLine = 0;
  bool continues = false;         // "continue": true: the following patterns are tried too
  std::vector<std::string> when;  // applies only if the line's thread remembers all of these
  std::vector<RememberSpec> remember;
  std::vector<std::string> forget;
  int sameThreadAs = -1;  // pattern index: this line's thread continues that one's thread
  // A record spanning several lines: the lines right after this one (same line shape and
  // thread) whose body matches `continuation` belong to it; their captures fill contFields.
  std::unique_ptr<RE2> continuation;
  std::vector<FieldSpec> contFields;
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
  std::string recorder;  // what writes such logs ("qemu-log", ...): selects sync files; default: format
  std::string device;    // "device": the device type the logs are of ("fs", "net"); empty: unknown
  std::map<std::string, std::map<int64_t, std::string>> enums;       // number -> (first) label
  std::map<std::string, std::map<std::string, int64_t>> enumLabels;  // every label -> number
  std::vector<LineShape> lines;
  std::vector<Pattern> patterns;
  std::unique_ptr<RE2::Set> set;          // the patterns without an anchored literal prefix (may be null)
  std::vector<int> setPatterns;           // set index -> pattern index
  std::shared_ptr<const HsPrefilter> hs;  // same job as `set`, faster; null when unavailable
  std::vector<std::string> vocabulary;    // the fixed event names of the patterns, sorted
  bool templatedNames = false;            // some pattern builds its name from the line
  size_t samples = 0;                     // sample lines checked at load
};

}  // namespace vc
