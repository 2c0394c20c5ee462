// Scalars read from trace text: timestamps of every kind a map can name, integer and boolean
// fields. Shared by the map matcher and the Rust tracing JSON reader.
#include "trace/timestamps.h"

#include <cctype>
#include <cstdio>
#include <string>

namespace vc {

bool parseIntField(std::string_view s, bool hex, int64_t& out) {
  bool neg = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    neg = s[i] == '-';
    ++i;
  }
  int base = 10;
  if (s.size() - i >= 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16;
    i += 2;
  } else if (hex)
    base = 16;
  if (i >= s.size()) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    unsigned d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    if (v > (UINT64_MAX - d) / static_cast<uint64_t>(base)) return false;  // overflow
    v = v * static_cast<uint64_t>(base) + d;
  }
  if (neg) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    out = static_cast<int64_t>(0 - v);
  } else {
    out = static_cast<int64_t>(v);  // unsigned above INT64_MAX keeps its bit pattern
  }
  return true;
}

bool parseBool(std::string_view s, bool& out) {
  auto is = [&](std::string_view w) {
    if (s.size() != w.size()) return false;
    for (size_t i = 0; i < s.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(s[i])) != w[i]) return false;
    return true;
  };
  if (is("true") || is("1") || is("yes") || is("on")) {
    out = true;
    return true;
  }
  if (is("false") || is("0") || is("no") || is("off")) {
    out = false;
    return true;
  }
  return false;
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digits(std::string_view s, size_t& i, size_t n, int64_t& v) {
  if (i + n > s.size()) return false;
  v = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  i += n;
  return true;
}

// "<int>[.<frac>]" -> ns; the fraction is cut at 9 digits.
bool decimalSeconds(std::string_view s, int64_t& ns) {
  size_t i = 0;
  int64_t sec = 0;
  if (i >= s.size()) return false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (sec > (INT64_MAX / 1000000000 - 10) / 10) return false;
    sec = sec * 10 + (s[i] - '0');
  }
  if (i == 0) return false;
  int64_t frac = 0;
  int fd = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
      if (fd < 9) {
        frac = frac * 10 + (s[i] - '0');
        ++fd;
      }
  }
  if (i != s.size()) return false;
  for (; fd < 9; ++fd) frac *= 10;
  ns = sec * 1000000000 + frac;
  return true;
}

int monthIndex(std::string_view m) {
  static const char* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int k = 0; k < 12; ++k)
    if (m == names[k]) return k + 1;
  return 0;
}

// A date that exists (Feb 31 does not: it must not silently become March 2), and a time of day
// (a leap second, :60, is accepted).
bool validDate(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t s) {
  if (y < 1900 || y > 2500 || mo < 1 || mo > 12 || d < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int days = kDays[mo - 1] + (mo == 2 && leap ? 1 : 0);
  return d <= days && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

// Seconds since the epoch plus a fraction in ns, as ns: false outside the 64-bit range (years
// after 2262 or before 1677).
bool secondsToNs(int64_t sec, int64_t frac, int64_t& ns) {
  int64_t v;
  if (__builtin_mul_overflow(sec, int64_t{1000000000}, &v) || __builtin_add_overflow(v, frac, &v)) return false;
  ns = v;
  return true;
}

bool isoTime(std::string_view s, int64_t& ns) {
  size_t i = 0;
  int64_t y, mo, d, h, mi, sec;
  if (!digits(s, i, 4, y) || i >= s.size() || s[i++] != '-' || !digits(s, i, 2, mo) || i >= s.size() || s[i++] != '-' ||
      !digits(s, i, 2, d) || i >= s.size() || (s[i] != 'T' && s[i] != ' '))
    return false;
  ++i;
  if (!digits(s, i, 2, h) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, mi) || i >= s.size() || s[i++] != ':' ||
      !digits(s, i, 2, sec))
    return false;
  if (!validDate(y, mo, d, h, mi, sec)) return false;
  int64_t frac = 0;
  int fd = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
      if (fd < 9) {
        frac = frac * 10 + (s[i] - '0');
        ++fd;
      }
    if (i == start) return false;
  }
  for (; fd < 9; ++fd) frac *= 10;
  int64_t offset = 0;  // seconds east of UTC; no zone = UTC
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z')
      ++i;
    else if (s[i] == '+' || s[i] == '-') {
      int sign = s[i] == '-' ? -1 : 1;
      ++i;
      int64_t oh, om = 0;
      if (!digits(s, i, 2, oh)) return false;
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size() && !digits(s, i, 2, om)) return false;
      offset = sign * (oh * 3600 + om * 60);
    }
  }
  if (i != s.size()) return false;
  int64_t days = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return secondsToNs((days * 86400 + h * 3600 + mi * 60 + sec) - offset, frac, ns);
}

// "Mon Nov 25 10:11:12 2024" (weekday optional, day may be space-padded).
bool ctimeTime(std::string_view s, int64_t& ns) {
  std::string t(s);
  char wd[8] = {}, mon[8] = {};
  int d = 0, h = 0, mi = 0, sec = 0, y = 0, used = 0;
  if (std::sscanf(t.c_str(), "%3s %3s %d %d:%d:%d %d%n", wd, mon, &d, &h, &mi, &sec, &y, &used) != 7 &&
      std::sscanf(t.c_str(), "%3s %d %d:%d:%d %d%n", mon, &d, &h, &mi, &sec, &y, &used) != 6)
    return false;
  if (static_cast<size_t>(used) != t.size()) return false;
  int mo = monthIndex(mon);
  if (!mo || !validDate(y, mo, d, h, mi, sec) || h < 0 || mi < 0 || sec < 0) return false;
  return secondsToNs(daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + int64_t{h} * 3600 +
                         int64_t{mi} * 60 + sec,
                     0, ns);
}

}  // namespace

bool parseTimestamp(TimeKind kind, std::string_view s, int64_t& ns) {
  switch (kind) {
    case TimeKind::None:
      return false;
    case TimeKind::Seconds:
      return decimalSeconds(s, ns);
    case TimeKind::Iso8601:
      return isoTime(s, ns);
    case TimeKind::Ctime:
      return ctimeTime(s, ns);
    case TimeKind::Nanos:
    case TimeKind::Micros: {
      int64_t v;
      if (!parseIntField(s, false, v) || v < 0) return false;
      if (kind == TimeKind::Micros) {
        if (v > INT64_MAX / 1000) return false;
        v *= 1000;
      }
      ns = v;
      return true;
    }
  }
  return false;
}

}  // namespace vc
