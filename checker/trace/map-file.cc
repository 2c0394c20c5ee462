#include "trace/map-file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vc {

using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Scalars

bool parseIntField(std::string_view s, bool hex, int64_t& out) {
  bool neg = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) { neg = s[i] == '-'; ++i; }
  int base = 10;
  if (s.size() - i >= 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) { base = 16; i += 2; }
  else if (hex) base = 16;
  if (i >= s.size()) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    unsigned d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
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

static bool parseBool(std::string_view s, bool& out) {
  auto is = [&](std::string_view w) {
    if (s.size() != w.size()) return false;
    for (size_t i = 0; i < s.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(s[i])) != w[i]) return false;
    return true;
  };
  if (is("true") || is("1") || is("yes") || is("on")) { out = true; return true; }
  if (is("false") || is("0") || is("no") || is("off")) { out = false; return true; }
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
      if (fd < 9) { frac = frac * 10 + (s[i] - '0'); ++fd; }
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

bool validDate(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t s) {
  return y >= 1900 && y <= 2500 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

bool isoTime(std::string_view s, int64_t& ns) {
  size_t i = 0;
  int64_t y, mo, d, h, mi, sec;
  if (!digits(s, i, 4, y) || i >= s.size() || s[i++] != '-' || !digits(s, i, 2, mo) || i >= s.size() ||
      s[i++] != '-' || !digits(s, i, 2, d) || i >= s.size() || (s[i] != 'T' && s[i] != ' '))
    return false;
  ++i;
  if (!digits(s, i, 2, h) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, mi) || i >= s.size() ||
      s[i++] != ':' || !digits(s, i, 2, sec))
    return false;
  if (!validDate(y, mo, d, h, mi, sec)) return false;
  int64_t frac = 0;
  int fd = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
      if (fd < 9) { frac = frac * 10 + (s[i] - '0'); ++fd; }
    if (i == start) return false;
  }
  for (; fd < 9; ++fd) frac *= 10;
  int64_t offset = 0;  // seconds east of UTC; no zone = UTC
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') ++i;
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
  ns = ((days * 86400 + h * 3600 + mi * 60 + sec) - offset) * 1000000000 + frac;
  return true;
}

// "Mon Nov 25 10:11:12 2024" (weekday optional, day may be space-padded).
bool ctimeTime(std::string_view s, int64_t& ns) {
  std::string t(s);
  char wd[8] = {}, mon[8] = {};
  int d = 0, h = 0, mi = 0, sec = 0, y = 0, used = 0;
  if (std::sscanf(t.c_str(), "%3s %3s %d %d:%d:%d %d%n", wd, mon, &d, &h, &mi, &sec, &y, &used) == 7) {
  } else if (std::sscanf(t.c_str(), "%3s %d %d:%d:%d %d%n", mon, &d, &h, &mi, &sec, &y, &used) == 6) {
  } else {
    return false;
  }
  if (static_cast<size_t>(used) != t.size()) return false;
  int mo = monthIndex(mon);
  if (!mo || !validDate(y, mo, d, h, mi, sec) || h < 0 || mi < 0 || sec < 0) return false;
  ns = (daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec) *
       1000000000LL;
  return true;
}

}  // namespace

bool parseTimestamp(TimeKind kind, std::string_view s, int64_t& ns) {
  switch (kind) {
    case TimeKind::None: return false;
    case TimeKind::Seconds: return decimalSeconds(s, ns);
    case TimeKind::Iso8601: return isoTime(s, ns);
    case TimeKind::Ctime: return ctimeTime(s, ns);
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

// ---------------------------------------------------------------------------------------------
// Loading

namespace {

// Finds where a JSON value is written in the raw map text, for diagnostics. nlohmann::json keeps
// no positions, so we search for the serialised string after a moving cursor (values are looked
// up in document order). Falls back to 0 (line 0 = whole file) when not found.
class Locator {
 public:
  explicit Locator(std::string_view text) : text_(text) {}
  // Offset of the JSON string `s` (at its opening quote), searching from `from`.
  size_t find(const std::string& s, size_t from = 0) const {
    std::string needle = json(s).dump(-1, ' ', false, json::error_handler_t::replace);
    size_t at = text_.find(needle, from);
    if (at == std::string_view::npos) at = text_.find(needle);
    return at;
  }
  size_t findKey(const std::string& key, size_t from = 0) const { return find(key, from); }
  Location loc(const std::string& path, size_t off) const {
    if (off == std::string_view::npos || off > text_.size()) return Location{path, 0, 0};
    uint64_t line = 1;
    size_t lineStart = 0;
    for (size_t i = 0; i < off; ++i)
      if (text_[i] == '\n') { ++line; lineStart = i + 1; }
    return Location{path, line, static_cast<uint32_t>(off - lineStart + 1)};
  }
  std::string lineText(size_t off) const {
    if (off == std::string_view::npos || off > text_.size()) return {};
    size_t b = text_.rfind('\n', off == 0 ? 0 : off - 1);
    b = (b == std::string_view::npos || off == 0) ? 0 : b + 1;
    size_t e = text_.find('\n', off);
    return std::string(text_.substr(b, (e == std::string_view::npos ? text_.size() : e) - b));
  }

 private:
  std::string_view text_;
};

// "^abc\\.d(..." -> literal "abc.d": the text any match must start with. False when the regex is
// not anchored with '^' (or uses flags / alternation at the top, where this is not safe).
bool anchoredLiteralPrefix(const std::string& re, std::string& lit) {
  lit.clear();
  if (re.empty() || re[0] != '^') return false;
  // A '|' outside any group would make the '^' apply to the first branch only.
  int depth = 0;
  bool inClass = false;
  for (size_t k = 0; k < re.size(); ++k) {
    char c = re[k];
    if (c == '\\') { ++k; continue; }
    if (inClass) { if (c == ']') inClass = false; continue; }
    if (c == '[') inClass = true;
    else if (c == '(') ++depth;
    else if (c == ')') --depth;
    else if (c == '|' && depth == 0) return false;
  }
  size_t i = 1;
  while (i < re.size()) {
    char c = re[i];
    size_t len = 1;
    char litc;
    if (c == '\\') {
      if (i + 1 >= re.size()) break;
      char e = re[i + 1];
      if (std::isalnum(static_cast<unsigned char>(e))) break;  // \d, \w, \x.. : a class, stop
      litc = e;
      len = 2;
    } else if (std::strchr(".[](){}*+?|^$", c)) {
      break;
    } else {
      litc = c;
    }
    // A quantifier after this char makes it optional or repeated: stop before it.
    if (i + len < re.size() && std::strchr("*+?{", re[i + len])) break;
    lit += litc;
    i += len;
  }
  return true;
}

// See Pattern::head. Only when the whole regex is ASCII (Latin-1 mode: '.' matches every byte
// but '\n', which lines do not hold) and the group is the last one.
void splitTail(Pattern& p) {
  const std::string& re = p.regexText;
  if (!std::all_of(re.begin(), re.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return;
  std::string body = re;
  if (body.ends_with("$") && !body.ends_with("\\$")) body.pop_back();
  if (!body.ends_with(".*)")) return;
  size_t open = body.rfind("(?P<");
  if (open == std::string::npos || open == 0 || body[open - 1] == '\\') return;
  size_t close = body.find('>', open);
  if (close == std::string::npos || body.compare(close, 4, ">.*)") != 0 || close + 4 != body.size()) return;
  std::string headText = body.substr(0, open);
  RE2::Options o;
  o.set_log_errors(false);
  o.set_encoding(RE2::Options::EncodingLatin1);
  auto h = std::make_unique<RE2>(headText, o);
  // The head must be a regex of its own with every group but the last one.
  if (!h->ok() || h->NumberOfCapturingGroups() != p.ncap - 1) return;
  p.head = std::move(h);
  p.tailCap = p.ncap;
}

struct Loader {
  std::string path;
  std::string_view text;
  Diagnostics& diags;
  Locator loc;
  size_t cursor = 0;
  bool ok = true;

  Loader(std::string p, std::string_view t, Diagnostics& d) : path(std::move(p)), text(t), diags(d), loc(t) {}

  Diagnostic& error(size_t off, std::string msg, std::string help = {}, uint32_t span = 1) {
    ok = false;
    auto& d = diags.error("map-file", loc.loc(path, off), std::move(msg), std::move(help));
    d.snippet = loc.lineText(off);
    d.span = span;
    return d;
  }

  // Position of a string value (or key) written in the file, advancing the cursor.
  size_t at(const std::string& s) {
    size_t off = loc.find(s, cursor);
    if (off != std::string_view::npos) cursor = off;
    return off;
  }

  // Offset of character k of the regex `re` written as a JSON string at `off`.
  static size_t regexColumn(size_t off, const std::string& re, size_t k) {
    if (off == std::string_view::npos) return off;
    std::string prefix = json(re.substr(0, std::min(k, re.size()))).dump(-1, ' ', false, json::error_handler_t::replace);
    return off + prefix.size() - 1;
  }

  std::unique_ptr<RE2> compile(const std::string& re, size_t off) {
    RE2::Options o;
    o.set_log_errors(false);
    bool ascii = std::all_of(re.begin(), re.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    // ASCII patterns run in Latin-1 mode: faster, and any byte (non-UTF-8 input) matches '.'.
    if (ascii) o.set_encoding(RE2::Options::EncodingLatin1);
    auto r = std::make_unique<RE2>(re, o);
    if (!r->ok()) {
      size_t k = r->error_arg().empty() ? 0 : re.find(r->error_arg());
      if (k == std::string::npos) k = 0;
      error(regexColumn(off, re, k) + 1, "bad regex: " + r->error(),
            "map regexes use RE2 syntax: named groups are (?P<name>...)",
            static_cast<uint32_t>(std::max<size_t>(1, r->error_arg().size())));
      return nullptr;
    }
    return r;
  }

  bool parseTimeKind(const std::string& s, TimeKind& k) {
    if (s == "seconds") k = TimeKind::Seconds;
    else if (s == "iso8601") k = TimeKind::Iso8601;
    else if (s == "ctime") k = TimeKind::Ctime;
    else if (s == "ns") k = TimeKind::Nanos;
    else if (s == "us") k = TimeKind::Micros;
    else return false;
    return true;
  }

  // fields: {"name": "int" | {"type": ..., "from": capture, "enum": table, "value": constant}}
  bool parseFields(const json& j, const RE2& re, MapFile& m, std::vector<FieldSpec>& out) {
    if (!j.is_object()) {
      error(at("fields"), "'fields' must be an object of field name -> type");
      return false;
    }
    const auto& groups = re.NamedCapturingGroups();
    for (auto it = j.begin(); it != j.end(); ++it) {
      FieldSpec f;
      f.name = it.key();
      size_t off = at(f.name);
      std::string type;
      f.captureName = f.name;
      const json& v = it.value();
      if (v.is_string()) {
        type = v.get<std::string>();
      } else if (v.is_object()) {
        if (v.contains("value")) {
          const json& c = v["value"];
          f.type = FieldType::Const;
          if (c.is_boolean()) f.constant = Value::ofBool(c.get<bool>());
          else if (c.is_number_integer()) f.constant = Value::ofInt(c.get<int64_t>());
          else if (c.is_string()) f.constant = Value::ofStr(c.get<std::string>());
          else {
            error(off, "constant field '" + f.name + "' must be an integer, a string or a boolean");
            continue;
          }
          out.push_back(std::move(f));
          continue;
        }
        if (v.contains("from")) {
          if (!v["from"].is_string()) { error(off, "'from' must name a capture group"); continue; }
          f.captureName = v["from"].get<std::string>();
        }
        if (v.contains("enum")) {
          if (!v["enum"].is_string()) { error(off, "'enum' must name a table in 'enums'"); continue; }
          auto e = m.enums.find(v["enum"].get<std::string>());
          if (e == m.enums.end()) {
            error(at(v["enum"].get<std::string>()), "unknown enum table '" + v["enum"].get<std::string>() + "'",
                  "declare it under \"enums\"");
            continue;
          }
          f.enumTable = &e->second;
          type = "enum";
        } else if (v.contains("type") && v["type"].is_string()) {
          type = v["type"].get<std::string>();
        } else {
          error(off, "field '" + f.name + "' needs a \"type\"");
          continue;
        }
      } else {
        error(off, "field '" + f.name + "' must be a type name or an object");
        continue;
      }
      if (type == "int") f.type = FieldType::Int;
      else if (type == "hex") f.type = FieldType::Hex;
      else if (type == "string") f.type = FieldType::String;
      else if (type == "bool") f.type = FieldType::Bool;
      else if (type == "enum") f.type = FieldType::Enum;
      else {
        error(at(type), "unknown field type '" + type + "'", "use int, hex, string, bool, or {\"enum\": TABLE}",
              static_cast<uint32_t>(type.size() + 2));
        continue;
      }
      auto g = groups.find(f.captureName);
      if (g == groups.end()) {
        error(off, "field '" + f.name + "' reads capture '" + f.captureName + "', which the regex does not have",
              "name the group (?P<" + f.captureName + ">...) or set \"from\"");
        continue;
      }
      f.capture = g->second;
      out.push_back(std::move(f));
    }
    return true;
  }

  bool parseTemplate(const std::string& t, const RE2& re, NameTemplate& out, size_t off) {
    out.text = t;
    out.parts.clear();
    size_t i = 0;
    std::string lit;
    while (i < t.size()) {
      if (t[i] == '{') {
        size_t e = t.find('}', i);
        if (e == std::string::npos) { error(off, "unclosed '{' in event name template"); return false; }
        std::string cap = t.substr(i + 1, e - i - 1);
        auto g = re.NamedCapturingGroups().find(cap);
        if (g == re.NamedCapturingGroups().end()) {
          error(off, "event name uses capture '" + cap + "', which the regex does not have");
          return false;
        }
        if (!lit.empty()) out.parts.push_back({lit, -1});
        lit.clear();
        out.parts.push_back({"", g->second});
        i = e + 1;
      } else {
        lit += t[i++];
      }
    }
    if (!lit.empty() || out.parts.empty()) out.parts.push_back({lit, -1});
    if (out.parts.size() == 1 && out.parts[0].second < 0 && out.parts[0].first.empty()) {
      error(off, "empty event name");
      return false;
    }
    return true;
  }

  std::shared_ptr<MapFile> load() {
    json j;
    try {
      j = json::parse(text.begin(), text.end());
    } catch (const json::out_of_range& e) {
      error(0, "map file has a number out of range", "numbers in map files must fit in 64 bits");
      return nullptr;
    } catch (const json::parse_error& e) {
      size_t off = e.byte > 0 ? e.byte - 1 : 0;
      std::string msg = e.what();
      auto p = msg.find(": ");
      if (p != std::string::npos) msg = msg.substr(msg.find(": ", p + 2) == std::string::npos ? p + 2 : msg.find(": ", p + 2) + 2);
      error(std::min(off, text.size()), "map file is not valid JSON: " + msg);
      return nullptr;
    }
    if (!j.is_object()) { error(0, "a map file is a JSON object"); return nullptr; }
    auto m = std::make_shared<MapFile>();
    m->path = path;
    if (!j.contains("format") || !j["format"].is_string() || j["format"].get<std::string>().empty()) {
      error(0, "map has no \"format\" name", "add \"format\": \"NAME\" (used by --input-format)");
      return nullptr;
    }
    m->format = j["format"].get<std::string>();
    if (j.contains("description") && j["description"].is_string()) m->description = j["description"].get<std::string>();
    if (j.contains("enums")) {
      if (!j["enums"].is_object()) { error(at("enums"), "'enums' must be an object"); return nullptr; }
      for (auto it = j["enums"].begin(); it != j["enums"].end(); ++it) {
        size_t off = at(it.key());
        auto& table = m->enums[it.key()];
        if (!it.value().is_object()) { error(off, "enum table '" + it.key() + "' must map numbers to labels"); continue; }
        for (auto e = it.value().begin(); e != it.value().end(); ++e) {
          int64_t k;
          if (!parseIntField(e.key(), false, k) || !e.value().is_string()) {
            error(at(e.key()), "enum entries are \"NUMBER\": \"LABEL\"");
            continue;
          }
          table[k] = e.value().get<std::string>();
        }
      }
    }
    // Line shapes.
    if (!j.contains("lines") || !j["lines"].is_array() || j["lines"].empty()) {
      error(at("lines") == std::string_view::npos ? 0 : at("lines"), "map needs \"lines\": a list of line shapes",
            "a line shape is {\"regex\": \"^\\\\[(?P<ts>...)\\\\] \", \"timestamp\": \"seconds\"}");
      return nullptr;
    }
    for (const auto& ls : j["lines"]) {
      LineShape s;
      if (!ls.is_object() || !ls.contains("regex") || !ls["regex"].is_string()) {
        error(at("lines"), "each line shape is an object with a \"regex\"");
        continue;
      }
      s.regexText = ls["regex"].get<std::string>();
      size_t off = at(s.regexText);
      s.mapLine = loc.loc(path, off).line;
      s.re = compile(s.regexText, off);
      if (!s.re) continue;
      s.ncap = s.re->NumberOfCapturingGroups();
      const auto& g = s.re->NamedCapturingGroups();
      auto cap = [&](const char* n) { auto it = g.find(n); return it == g.end() ? -1 : it->second; };
      s.tsCap = cap("ts");
      s.tidCap = cap("tid");
      s.pidCap = cap("pid");
      s.taskCap = cap("task");
      if (ls.contains("timestamp")) {
        std::string tk = ls["timestamp"].is_string() ? ls["timestamp"].get<std::string>() : "";
        if (!parseTimeKind(tk, s.time)) {
          error(at(tk), "unknown timestamp kind '" + tk + "'", "use seconds, iso8601, ctime, ns or us");
          continue;
        }
        if (s.tsCap < 0) {
          error(off, "a line shape with a \"timestamp\" needs a (?P<ts>...) group");
          continue;
        }
      } else if (s.tsCap >= 0) {
        error(off, "the (?P<ts>...) group needs \"timestamp\": seconds | iso8601 | ctime | ns | us");
        continue;
      }
      if (ls.contains("generic")) s.generic = ls["generic"].is_boolean() && ls["generic"].get<bool>();
      if (ls.contains("fields")) parseFields(ls["fields"], *s.re, *m, s.fields);
      m->lines.push_back(std::move(s));
    }
    // Generic shapes (matching nearly any line) are tried last.
    std::stable_partition(m->lines.begin(), m->lines.end(), [](const LineShape& s) { return !s.generic; });
    // Patterns.
    if (!j.contains("patterns") || !j["patterns"].is_array()) {
      error(0, "map needs \"patterns\": a list of {\"regex\", \"event\", \"fields\"}");
      return nullptr;
    }
    RE2::Options so;
    so.set_log_errors(false);
    so.set_encoding(RE2::Options::EncodingLatin1);
    bool allAscii = true;
    for (const auto& pj : j["patterns"]) {
      if (pj.is_object() && pj.contains("regex") && pj["regex"].is_string()) {
        std::string r = pj["regex"].get<std::string>();
        if (!std::all_of(r.begin(), r.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
          allAscii = false;
      }
    }
    if (!allAscii) so.set_encoding(RE2::Options::EncodingUTF8);
    so.set_max_mem(64 << 20);
    m->set = std::make_unique<RE2::Set>(so, RE2::UNANCHORED);
    for (const auto& pj : j["patterns"]) {
      Pattern p;
      if (!pj.is_object() || !pj.contains("regex") || !pj["regex"].is_string() || !pj.contains("event") ||
          !pj["event"].is_string()) {
        error(at("patterns"), "each pattern is an object with \"regex\" and \"event\"");
        continue;
      }
      if (pj.contains("id") && pj["id"].is_string()) { p.id = pj["id"].get<std::string>(); at(p.id); }
      p.regexText = pj["regex"].get<std::string>();
      size_t off = at(p.regexText);
      p.mapLine = loc.loc(path, off).line;
      if (p.id.empty()) p.id = "pattern@" + std::to_string(p.mapLine);
      p.re = compile(p.regexText, off);
      if (!p.re) continue;
      p.ncap = p.re->NumberOfCapturingGroups();
      std::string ev = pj["event"].get<std::string>();
      if (!parseTemplate(ev, *p.re, p.event, at(ev))) continue;
      if (pj.contains("fields")) parseFields(pj["fields"], *p.re, *m, p.fields);
      splitTail(p);
      p.anchoredLiteral = anchoredLiteralPrefix(p.regexText, p.literal);
      if (p.anchoredLiteral) {
        // RE2 knows the range of strings the regex can match: their common start is required
        // (this also sees into a leading group such as ^(?P<driver>virtio[_-]...).
        std::string lo, hi;
        if (p.re->PossibleMatchRange(&lo, &hi, 16)) {
          size_t k = 0;
          while (k < lo.size() && k < hi.size() && lo[k] == hi[k]) ++k;
          if (k > p.literal.size()) p.literal = lo.substr(0, k);
        }
      }
      if (!p.anchoredLiteral) {
        std::string err;
        p.setIndex = m->set->Add(p.regexText, &err);
        if (p.setIndex < 0) {
          error(off, "bad regex: " + err);
          continue;
        }
        m->setPatterns.push_back(static_cast<int>(m->patterns.size()));
      }
      m->patterns.push_back(std::move(p));
    }
    if (!ok) return nullptr;
    if (m->setPatterns.empty()) {
      m->set.reset();
    } else if (!m->set->Compile()) {
      error(0, "the patterns together are too large for RE2::Set", "split the map or simplify the regexes");
      return nullptr;
    }
    if (m->set && so.encoding() == RE2::Options::EncodingLatin1) {
      std::vector<std::string> res;
      for (int pi : m->setPatterns) res.push_back(m->patterns[static_cast<size_t>(pi)].regexText);
      m->hs = HsPrefilter::build(res);
    }
    checkSamples(j, m);
    if (!ok) return nullptr;
    return m;
  }

  static std::string show(const Value& v) { return v.toString(); }

  void checkSamples(const json& j, const std::shared_ptr<MapFile>& m) {
    if (!j.contains("samples")) return;
    if (!j["samples"].is_array()) { error(at("samples"), "'samples' must be a list"); return; }
    TraceTables tables;
    tables.sources.add(Source::make(path, m->format));
    LineMapper mapper(m, tables);
    for (const auto& sj : j["samples"]) {
      if (!sj.is_object() || !sj.contains("line") || !sj["line"].is_string()) {
        error(at("samples"), "each sample is {\"line\": TEXT, \"event\": NAME or null, \"fields\": {...}}");
        continue;
      }
      std::string line = sj["line"].get<std::string>();
      size_t off = at(line);
      ++m->samples;
      if (m->hs && !mapper.prefiltersAgree(line)) m->hs.reset();  // RE2::Set decides from then on
      Event ev;
      FieldError fe;
      int r = mapper.map(line, 0, ev, fe);
      bool wantNone = !sj.contains("event") || sj["event"].is_null();
      if (r < 0) {
        error(off, "sample line has a bad field: " + fe.message);
        continue;
      }
      if (wantNone) {
        if (r > 0)
          error(off, "sample line should produce no event but produced '" + tables.symbols.name(ev.name) + "'");
        continue;
      }
      std::string want = sj["event"].is_string() ? sj["event"].get<std::string>() : "";
      if (r == 0) {
        LineMatch lm = mapper.classify(line);
        error(off, lm.shape < 0 ? "sample line matches no line shape" : "sample line's body matches no pattern",
              "expected event '" + want + "'");
        continue;
      }
      std::string got = tables.symbols.name(ev.name);
      if (got != want) {
        error(off, "sample line produced event '" + got + "', expected '" + want + "'");
        continue;
      }
      if (sj.contains("fields") && sj["fields"].is_object()) {
        for (auto it = sj["fields"].begin(); it != sj["fields"].end(); ++it) {
          Value wantV;
          const json& v = it.value();
          if (v.is_boolean()) wantV = Value::ofBool(v.get<bool>());
          else if (v.is_number_integer()) wantV = Value::ofInt(v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>());
          else if (v.is_string()) wantV = Value::ofStr(v.get<std::string>());
          else { error(off, "sample field '" + it.key() + "' must be an integer, a string or a boolean"); continue; }
          Symbol k = tables.symbols.find(it.key());
          const Value* gotV = k == kNoSymbol ? nullptr : ev.field(k);
          if (!gotV) error(off, "sample event '" + want + "' has no field '" + it.key() + "'");
          else if (!(*gotV == wantV))
            error(off, "sample field '" + it.key() + "' is " + show(*gotV) + ", expected " + show(wantV));
        }
      }
      if (sj.contains("ts")) {
        if (!sj["ts"].is_number_integer()) error(off, "sample 'ts' must be integer ns");
        else if (!ev.hasTs || ev.ts != sj["ts"].get<int64_t>())
          error(off, "sample timestamp is " + (ev.hasTs ? std::to_string(ev.ts) : std::string("absent")) + ", expected " +
                         std::to_string(sj["ts"].get<int64_t>()));
      }
      if (sj.contains("tid") && sj["tid"].is_number_integer()) {
        int64_t tid = tables.threads.at(ev.thread).tid;
        if (tid != sj["tid"].get<int64_t>())
          error(off, "sample thread id is " + std::to_string(tid) + ", expected " + std::to_string(sj["tid"].get<int64_t>()));
      }
    }
  }
};

}  // namespace

std::shared_ptr<const MapFile> loadMapText(const std::string& path, std::string_view text, Diagnostics& diags) {
  Loader l(path, text, diags);
  try {
    return l.load();
  } catch (const json::exception& e) {
    // Values of an unexpected JSON type that a check above missed: still the map's fault.
    diags.error("map-file", Location{path, 0, 0}, std::string("map file has a value of the wrong type: ") + e.what());
    return nullptr;
  }
}

std::shared_ptr<const MapFile> loadMapFile(const std::string& path, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error("map-open", Location{path, 0, 0}, "cannot open the map file", "check the path and permissions");
    return nullptr;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return loadMapText(path, text, diags);
}

// ---------------------------------------------------------------------------------------------
// Matching

LineMapper::LineMapper(std::shared_ptr<const MapFile> map, TraceTables& tables) : map_(std::move(map)), tables_(tables) {
  int maxShape = 1, maxPat = 1;
  for (const auto& s : map_->lines) {
    maxShape = std::max(maxShape, s.ncap + 1);
    std::vector<Symbol> keys;
    for (const auto& f : s.fields) keys.push_back(tables_.symbols.intern(f.name));
    shapeKeys_.push_back(std::move(keys));
  }
  for (const auto& p : map_->patterns) {
    maxPat = std::max(maxPat, p.ncap + 1);
    std::vector<Symbol> keys;
    for (const auto& f : p.fields) keys.push_back(tables_.symbols.intern(f.name));
    patternKeys_.push_back(std::move(keys));
    patternEvent_.push_back(p.event.isConstant() ? tables_.symbols.intern(p.event.parts[0].first) : kNoSymbol);
  }
  // Candidate patterns by the body's first byte (index 256: empty body), in pattern order.
  byFirstByte_.resize(257);
  for (size_t k = 0; k < map_->patterns.size(); ++k) {
    const Pattern& p = map_->patterns[k];
    for (int b = 0; b < 257; ++b) {
      bool possible = !p.anchoredLiteral || p.literal.empty() ||
                      (b < 256 && static_cast<unsigned char>(p.literal[0]) == b);
      if (possible) byFirstByte_[static_cast<size_t>(b)].push_back(static_cast<int>(k));
    }
  }
  if (map_->hs) hsScratch_ = map_->hs->newScratch();
  lineCaps_.resize(static_cast<size_t>(maxShape));
  bodyCaps_.resize(static_cast<size_t>(maxPat));
}

LineMatch LineMapper::classify(std::string_view line) {
  LineMatch r;
  const auto& shapes = map_->lines;
  re2::StringPiece text(line.data(), line.size());
  int n = static_cast<int>(shapes.size());
  // The shape of the previous line first (sources rarely mix shapes), then the others in order;
  // generic shapes only after every specific one. Shapes of a map are meant to be exclusive.
  auto tryShape = [&](int s) {
    return shapes[s].re->Match(text, 0, text.size(), RE2::ANCHOR_START, lineCaps_.data(), shapes[s].ncap + 1);
  };
  if (lastShape_ >= 0 && tryShape(lastShape_)) r.shape = lastShape_;
  for (int s = 0; r.shape < 0 && s < n; ++s)
    if (s != lastShape_ && tryShape(s)) r.shape = s;
  if (r.shape >= 0) lastShape_ = shapes[r.shape].generic ? -1 : r.shape;
  if (r.shape < 0) return r;
  size_t bodyStart = static_cast<size_t>(lineCaps_[0].end() - text.begin());
  re2::StringPiece body(line.data() + bodyStart, line.size() - bodyStart);
  std::string_view bv(body.data(), body.size());
  // Candidates in pattern order: "^literal" patterns whose literal starts the body, and the
  // others when the RE2::Set says they match. The first that really matches wins.
  hits_.clear();
  bool setRun = false;
  const auto& pats = map_->patterns;
  const auto& cands = byFirstByte_[bv.empty() ? 256 : static_cast<unsigned char>(bv[0])];
  for (int ki : cands) {
    size_t k = static_cast<size_t>(ki);
    const Pattern& p = pats[k];
    if (p.anchoredLiteral) {
      if (!bv.starts_with(p.literal)) continue;
    } else {
      if (!setRun) {
        setRun = true;
        setCandidates(body);
      }
      if (!std::binary_search(hits_.begin(), hits_.end(), p.setIndex)) continue;
    }
    if (p.head) {
      if (p.head->Match(body, 0, body.size(), RE2::UNANCHORED, bodyCaps_.data(), p.ncap)) {
        const char* tail = bodyCaps_[0].data() + bodyCaps_[0].size();
        bodyCaps_[static_cast<size_t>(p.tailCap)] = re2::StringPiece(tail, static_cast<size_t>(body.end() - tail));
        bodyCaps_[0] = re2::StringPiece(bodyCaps_[0].data(), static_cast<size_t>(body.end() - bodyCaps_[0].data()));
        r.pattern = static_cast<int>(k);
        break;
      }
    } else if (p.re->Match(body, 0, body.size(), RE2::UNANCHORED, bodyCaps_.data(), p.ncap + 1)) {
      r.pattern = static_cast<int>(k);
      break;
    }
  }
  return r;
}

bool LineMapper::setCandidates(re2::StringPiece body) {
  if (hsScratch_ && map_->hs->scan(std::string_view(body.data(), body.size()), *hsScratch_, hits_)) return true;
  hits_.clear();
  if (!map_->set->Match(body, &hits_)) hits_.clear();
  std::sort(hits_.begin(), hits_.end());
  return true;
}

bool LineMapper::prefiltersAgree(std::string_view line) {
  if (!hsScratch_ || !map_->set) return true;
  re2::StringPiece text(line.data(), line.size());
  const auto& shapes = map_->lines;
  for (size_t s = 0; s < shapes.size(); ++s) {
    if (!shapes[s].re->Match(text, 0, text.size(), RE2::ANCHOR_START, lineCaps_.data(), shapes[s].ncap + 1)) continue;
    size_t bodyStart = static_cast<size_t>(lineCaps_[0].end() - text.begin());
    re2::StringPiece body(line.data() + bodyStart, line.size() - bodyStart);
    std::vector<int> viaSet;
    if (!map_->set->Match(body, &viaSet)) viaSet.clear();
    std::sort(viaSet.begin(), viaSet.end());
    std::vector<int> viaHs;
    if (!map_->hs->scan(std::string_view(body.data(), body.size()), *hsScratch_, viaHs)) return false;
    return viaHs == viaSet;
  }
  return true;
}

bool LineMapper::fillFields(const std::vector<FieldSpec>& specs, const std::vector<Symbol>& keys,
                            const re2::StringPiece* caps, std::string_view line, Event& ev, FieldError& err) {
  for (size_t k = 0; k < specs.size(); ++k) {
    const FieldSpec& f = specs[k];
    Field out;
    out.key = keys[k];
    if (f.type == FieldType::Const) {
      out.value = f.constant;
      ev.fields.push_back(std::move(out));
      continue;
    }
    const re2::StringPiece& c = caps[f.capture];
    if (c.data() == nullptr) continue;  // optional group that did not take part: no field
    std::string_view s(c.data(), c.size());
    auto fail = [&](std::string what) {
      err.message = std::move(what);
      err.column = static_cast<size_t>(c.data() - line.data());
      err.width = std::max<size_t>(1, c.size());
      return false;
    };
    switch (f.type) {
      case FieldType::Int:
      case FieldType::Hex: {
        int64_t v;
        if (!parseIntField(s, f.type == FieldType::Hex, v))
          return fail("field '" + f.name + "': '" + std::string(s.substr(0, 40)) + "' is not " +
                      (f.type == FieldType::Hex ? "a hex integer" : "an integer") + " that fits in 64 bits");
        out.value = Value::ofInt(v);
        break;
      }
      case FieldType::String:
        out.value.kind = Value::Kind::Str;
        out.value.s.assign(s);
        break;
      case FieldType::Bool: {
        bool b;
        if (!parseBool(s, b)) return fail("field '" + f.name + "': '" + std::string(s.substr(0, 40)) + "' is not a boolean");
        out.value = Value::ofBool(b);
        break;
      }
      case FieldType::Enum: {
        int64_t v;
        if (!parseIntField(s, false, v))
          return fail("field '" + f.name + "': '" + std::string(s.substr(0, 40)) + "' is not an integer");
        auto it = f.enumTable->find(v);
        // Unknown numbers (a newer protocol) keep their number as text rather than failing.
        out.value = Value::ofStr(it == f.enumTable->end() ? std::to_string(v) : it->second);
        break;
      }
      case FieldType::Const: break;
    }
    ev.fields.push_back(std::move(out));
  }
  return true;
}

int LineMapper::map(std::string_view line, uint32_t source, Event& ev, FieldError& err) {
  LineMatch m = classify(line);
  if (m.pattern < 0) return 0;
  const LineShape& s = map_->lines[static_cast<size_t>(m.shape)];
  const Pattern& p = map_->patterns[static_cast<size_t>(m.pattern)];
  ev.clear();
  ev.origin.source = source;
  // Event name.
  if (patternEvent_[static_cast<size_t>(m.pattern)] != kNoSymbol) {
    ev.name = patternEvent_[static_cast<size_t>(m.pattern)];
  } else {
    scratch_.clear();
    for (const auto& [lit, cap] : p.event.parts) {
      if (cap < 0) scratch_ += lit;
      else scratch_.append(bodyCaps_[cap].data() ? bodyCaps_[cap].data() : "", bodyCaps_[cap].size());
    }
    if (scratch_.empty()) {
      err.message = "the event name is empty";
      err.column = 0;
      return -1;
    }
    ev.name = tables_.symbols.intern(scratch_);
  }
  // Timestamp.
  if (s.tsCap >= 0 && lineCaps_[s.tsCap].data()) {
    const auto& c = lineCaps_[s.tsCap];
    if (!parseTimestamp(s.time, std::string_view(c.data(), c.size()), ev.ts)) {
      err.message = "bad timestamp '" + std::string(c.data(), std::min<size_t>(c.size(), 40)) + "'";
      err.column = static_cast<size_t>(c.data() - line.data());
      err.width = std::max<size_t>(1, c.size());
      return -1;
    }
    ev.hasTs = true;
  }
  // Thread.
  int64_t pid = 0, tid = 0;
  auto intCap = [&](int cap, int64_t& out) {
    if (cap < 0 || !lineCaps_[cap].data()) return true;
    const auto& c = lineCaps_[cap];
    if (parseIntField(std::string_view(c.data(), c.size()), false, out)) return true;
    err.message = "bad thread or process id '" + std::string(c.data(), std::min<size_t>(c.size(), 40)) + "'";
    err.column = static_cast<size_t>(c.data() - line.data());
    err.width = std::max<size_t>(1, c.size());
    return false;
  };
  if (!intCap(s.pidCap, pid) || !intCap(s.tidCap, tid)) return -1;
  if (!haveLastThread_ || pid != lastPid_ || tid != lastTid_ || source != lastSource_) {
    lastThread_ = tables_.threads.intern(source, pid, tid);
    lastPid_ = pid, lastTid_ = tid, lastSource_ = source, haveLastThread_ = true;
  }
  ev.thread = lastThread_;
  if (s.taskCap >= 0 && lineCaps_[s.taskCap].data()) {
    auto& t = tables_.threads.at(ev.thread);
    if (t.name.empty()) {
      std::string_view name(lineCaps_[s.taskCap].data(), lineCaps_[s.taskCap].size());
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      t.name = std::string(name);
    }
  }
  // Fields: the pattern's, then the line shape's.
  if (!fillFields(p.fields, patternKeys_[static_cast<size_t>(m.pattern)], bodyCaps_.data(), line, ev, err)) return -1;
  if (!fillFields(s.fields, shapeKeys_[static_cast<size_t>(m.shape)], lineCaps_.data(), line, ev, err)) return -1;
  return 1;
}

}  // namespace vc
