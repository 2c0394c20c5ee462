// Scalars read from trace text: timestamps (every kind a map file can name) and integer and
// boolean fields. No state; used by the map matcher (map-match.h) and the Rust tracing JSON reader.
#pragma once

#include <cstdint>
#include <string_view>

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

// Parses a timestamp of the given kind; false if malformed.
bool parseTimestamp(TimeKind kind, std::string_view s, int64_t& ns);
// Parses an integer field; false if malformed or out of range.
bool parseIntField(std::string_view s, bool hex, int64_t& out);

// Parses a boolean field: true/false, 1/0, yes/no, on/off (case-insensitive).
bool parseBool(std::string_view s, bool& out);

}  // namespace vc
