// Map files, stage 1: loading and checking a map (JSON -> compiled MapFile), with size caps and
// every error at the map's file:line:col. Sample lines are run through the matcher at load.
#include "trace/map-load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "trace/map-match.h"

namespace vc {

using json = nlohmann::json;

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
      if (text_[i] == '\n') {
        ++line;
        lineStart = i + 1;
      }
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
    if (c == '\\') {
      ++k;
      continue;
    }
    if (inClass) {
      if (c == ']') inClass = false;
      continue;
    }
    if (c == '[')
      inClass = true;
    else if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if (c == '|' && depth == 0)
      return false;
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
  // Names read by "remembered" / "when", with where (checked against what patterns remember).
  std::vector<std::pair<std::string, size_t>> rememberedUses;

  Loader(std::string p, std::string_view t, Diagnostics& d) : path(std::move(p)), text(t), diags(d), loc(t) {}

  Diagnostic& error(size_t off, std::string msg, std::string help = {}, uint32_t span = 1) {
    ok = false;
    auto& d = diags.error("map-file", loc.loc(path, off), std::move(msg), std::move(help));
    d.snippet = loc.lineText(off);
    d.span = span;
    return d;
  }

  // Offset of the n-th (1-based) occurrence of `key` written as an object key (the JSON string,
  // then ':'), skipping text inside other strings; npos when not found.
  size_t keyOffset(const std::string& key, size_t nth) const {
    std::string needle = json(key).dump(-1, ' ', false, json::error_handler_t::replace);
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (inString) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          inString = false;
        continue;
      }
      if (c != '"') continue;
      if (text.compare(i, needle.size(), needle) == 0) {
        size_t after = text.find_first_not_of(" \t\r\n", i + needle.size());
        if (after != std::string::npos && text[after] == ':' && --nth == 0) return i;
      }
      inString = true;
    }
    return std::string::npos;
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
    std::string prefix =
        json(re.substr(0, std::min(k, re.size()))).dump(-1, ' ', false, json::error_handler_t::replace);
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
    if (s == "seconds")
      k = TimeKind::Seconds;
    else if (s == "iso8601")
      k = TimeKind::Iso8601;
    else if (s == "ctime")
      k = TimeKind::Ctime;
    else if (s == "ns")
      k = TimeKind::Nanos;
    else if (s == "us")
      k = TimeKind::Micros;
    else
      return false;
    return true;
  }

  // fields: {"name": "int" | {"type": ..., "from": capture, "enum": table, "reverse": true,
  // "value": constant, "counter": NAME, "remembered": NAME, "count": capture (continuations)}}
  bool parseFields(const json& j, const RE2& re, MapFile& m, std::vector<FieldSpec>& out, bool continuation = false) {
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
          if (c.is_boolean())
            f.constant = Value::ofBool(c.get<bool>());
          else if (c.is_number_integer())
            f.constant = Value::ofInt(c.get<int64_t>());
          else if (c.is_string())
            f.constant = Value::ofStr(c.get<std::string>());
          else {
            error(off, "constant field '" + f.name + "' must be an integer, a string or a boolean");
            continue;
          }
          out.push_back(std::move(f));
          continue;
        }
        if (v.contains("counter") || v.contains("remembered")) {
          const char* key = v.contains("counter") ? "counter" : "remembered";
          if (!v[key].is_string() || v[key].get<std::string>().empty()) {
            error(off, std::string("'") + key + "' must name a counter or a remembered value");
            continue;
          }
          f.type = v.contains("counter") ? FieldType::Counter : FieldType::Remembered;
          f.slot = v[key].get<std::string>();
          if (f.type == FieldType::Remembered) rememberedUses.emplace_back(f.slot, at(f.slot));
          out.push_back(std::move(f));
          continue;
        }
        if (v.contains("count")) {
          if (!continuation) {
            error(off, "'count' counts continuation lines: it belongs in a pattern's \"continuation\" fields");
            continue;
          }
          if (!v["count"].is_string()) {
            error(off, "'count' must name a capture group of the continuation regex");
            continue;
          }
          f.type = FieldType::Count;
          f.captureName = v["count"].get<std::string>();
          auto g = groups.find(f.captureName);
          if (g == groups.end()) {
            error(off, "field '" + f.name + "' counts capture '" + f.captureName + "', which the regex does not have");
            continue;
          }
          f.capture = g->second;
          out.push_back(std::move(f));
          continue;
        }
        if (v.contains("from")) {
          if (!v["from"].is_string()) {
            error(off, "'from' must name a capture group");
            continue;
          }
          f.captureName = v["from"].get<std::string>();
        }
        if (v.contains("enum")) {
          if (!v["enum"].is_string()) {
            error(off, "'enum' must name a table in 'enums'");
            continue;
          }
          auto e = m.enums.find(v["enum"].get<std::string>());
          if (e == m.enums.end()) {
            error(at(v["enum"].get<std::string>()), "unknown enum table '" + v["enum"].get<std::string>() + "'",
                  "declare it under \"enums\"");
            continue;
          }
          f.enumTable = &e->second;
          type = "enum";
          if (v.contains("reverse")) {
            if (!v["reverse"].is_boolean()) {
              error(off, "'reverse' must be true or false");
              continue;
            }
            if (v["reverse"].get<bool>()) {
              f.labelTable = &m.enumLabels[e->first];
              type = "enum-reverse";
            }
          }
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
      if (type == "int")
        f.type = FieldType::Int;
      else if (type == "hex")
        f.type = FieldType::Hex;
      else if (type == "string")
        f.type = FieldType::String;
      else if (type == "bool")
        f.type = FieldType::Bool;
      else if (type == "enum")
        f.type = FieldType::Enum;
      else if (type == "enum-reverse")
        f.type = FieldType::EnumReverse;
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
        if (e == std::string::npos) {
          error(off, "unclosed '{' in event name template");
          return false;
        }
        std::string cap = t.substr(i + 1, e - i - 1);
        auto g = re.NamedCapturingGroups().find(cap);
        if (g == re.NamedCapturingGroups().end()) {
          error(off, "event name uses capture '" + cap + "', which the regex does not have");
          return false;
        }
        if (!lit.empty()) out.parts.emplace_back(lit, -1);
        lit.clear();
        out.parts.emplace_back("", g->second);
        i = e + 1;
      } else {
        lit += t[i++];
      }
    }
    if (!lit.empty() || out.parts.empty()) out.parts.emplace_back(lit, -1);
    if (out.parts.size() == 1 && out.parts[0].second < 0 && out.parts[0].first.empty()) {
      error(off, "empty event name");
      return false;
    }
    return true;
  }

  static bool stringList(const json& v) {
    return v.is_array() && std::all_of(v.begin(), v.end(),
                                       [](const json& x) { return x.is_string() && !x.get<std::string>().empty(); });
  }

  // "continue", "when", "remember", "forget", "same_thread_as", "continuation" (map-file.h).
  bool parsePatternExtras(const json& pj, Pattern& p, MapFile& m, std::pair<std::string, size_t>& sameThreadRef,
                          std::set<std::string>& remembered) {
    bool good = true;
    if (pj.contains("continue")) {
      if (!pj["continue"].is_boolean()) {
        error(at("continue"), "'continue' must be true or false");
        good = false;
      } else
        p.continues = pj["continue"].get<bool>();
    }
    if (pj.contains("when")) {
      if (!stringList(pj["when"])) {
        error(at("when"), "'when' must be a list of remembered names");
        good = false;
      } else
        for (const auto& x : pj["when"]) {
          p.when.push_back(x.get<std::string>());
          rememberedUses.emplace_back(p.when.back(), at(p.when.back()));
        }
    }
    if (pj.contains("forget")) {
      if (!stringList(pj["forget"])) {
        error(at("forget"), "'forget' must be a list of remembered names");
        good = false;
      } else
        for (const auto& x : pj["forget"]) p.forget.push_back(x.get<std::string>());
    }
    if (pj.contains("remember")) {
      const json& r = pj["remember"];
      if (!r.is_object()) {
        error(at("remember"), "'remember' must be an object: NAME -> the event's field, or {\"value\": CONSTANT}");
        good = false;
      } else {
        for (auto it = r.begin(); it != r.end(); ++it) {
          RememberSpec rs;
          rs.name = it.key();
          size_t roff = at(rs.name);
          const json& v = it.value();
          if (v.is_string() && !v.get<std::string>().empty()) {
            rs.field = v.get<std::string>();
            bool known =
                std::any_of(p.fields.begin(), p.fields.end(), [&](const FieldSpec& f) { return f.name == rs.field; });
            for (const auto& shape : m.lines)
              for (const auto& f : shape.fields) known = known || f.name == rs.field;
            if (!known) {
              error(roff, "'remember' names the field '" + rs.field + "', which this pattern's event does not have");
              good = false;
              continue;
            }
          } else if (v.is_object() && v.contains("value") &&
                     (v["value"].is_number_integer() || v["value"].is_string() || v["value"].is_boolean())) {
            const json& c = v["value"];
            rs.constant = c.is_boolean()  ? Value::ofBool(c.get<bool>())
                          : c.is_string() ? Value::ofStr(c.get<std::string>())
                                          : Value::ofInt(c.get<int64_t>());
          } else {
            error(roff, "remembered '" + rs.name + "' must be the name of a field or {\"value\": CONSTANT}");
            good = false;
            continue;
          }
          remembered.insert(rs.name);
          p.remember.push_back(std::move(rs));
        }
      }
    }
    if (pj.contains("same_thread_as")) {
      if (!pj["same_thread_as"].is_string()) {
        error(at("same_thread_as"), "'same_thread_as' must be a pattern id");
        good = false;
      } else {
        std::string id = pj["same_thread_as"].get<std::string>();
        sameThreadRef = {id, at(id)};
      }
    }
    if (pj.contains("continuation")) {
      const json& c = pj["continuation"];
      if (!c.is_object() || !c.contains("regex") || !c["regex"].is_string()) {
        error(at("continuation"),
              "'continuation' is {\"regex\": ..., \"fields\": {...}}: the lines that follow and match it "
              "belong to this record");
        return false;
      }
      if (p.continues) {
        error(at("continuation"), "a pattern with a \"continuation\" cannot also \"continue\"",
              "put the record's pattern after the ones that continue");
        return false;
      }
      if (p.noEvent) {
        error(at("continuation"), "a record needs an event: \"event\" is null");
        return false;
      }
      std::string cre = c["regex"].get<std::string>();
      p.continuation = compile(cre, at(cre));
      if (!p.continuation) return false;
      if (c.contains("fields")) parseFields(c["fields"], *p.continuation, m, p.contFields, true);
    }
    return good;
  }

  std::shared_ptr<MapFile> load() {
    json j;
    // Keys of the objects being parsed, innermost last: a key given twice in one object is an
    // error (nlohmann::json would keep one value silently). n-th: which occurrence of that key
    // name in the whole file the repeat is, to find it in the text.
    std::vector<std::set<std::string>> open;  // a set: a hostile 4 MiB object of keys stays n log n
    std::map<std::string, size_t> seenKeys;
    std::string dupKey;
    size_t dupNth = 0;
    auto track = [&](int, json::parse_event_t ev, json& parsed) {
      if (ev == json::parse_event_t::object_start) {
        open.emplace_back();
      } else if (ev == json::parse_event_t::object_end) {
        if (!open.empty()) open.pop_back();
      } else if (ev == json::parse_event_t::key && !open.empty() && parsed.is_string()) {
        const std::string& k = parsed.get_ref<const std::string&>();
        size_t nth = ++seenKeys[k];
        auto& keys = open.back();
        if (!keys.insert(k).second && dupKey.empty()) {
          dupKey = k;
          dupNth = nth;
        }
      }
      return true;
    };
    try {
      j = json::parse(text.begin(), text.end(), track);
    } catch (const json::out_of_range& e) {
      error(0, "map file has a number out of range", "numbers in map files must fit in 64 bits");
      return nullptr;
    } catch (const json::parse_error& e) {
      size_t off = e.byte > 0 ? e.byte - 1 : 0;
      std::string msg = e.what();
      auto p = msg.find(": ");
      if (p != std::string::npos)
        msg = msg.substr(msg.find(": ", p + 2) == std::string::npos ? p + 2 : msg.find(": ", p + 2) + 2);
      error(std::min(off, text.size()), "map file is not valid JSON: " + msg);
      return nullptr;
    }
    if (!dupKey.empty()) {
      error(keyOffset(dupKey, dupNth), "duplicate key '" + dupKey + "'", "each key may appear once in an object");
      return nullptr;
    }
    if (!j.is_object()) {
      error(0, "a map file is a JSON object");
      return nullptr;
    }
    auto m = std::make_shared<MapFile>();
    m->path = path;
    if (!j.contains("format") || !j["format"].is_string() || j["format"].get<std::string>().empty()) {
      error(0, "map has no \"format\" name", "add \"format\": \"NAME\" (used by --input-format)");
      return nullptr;
    }
    m->format = j["format"].get<std::string>();
    if (j.contains("description") && j["description"].is_string()) m->description = j["description"].get<std::string>();
    m->recorder = m->format;
    if (j.contains("recorder")) {
      if (!j["recorder"].is_string() || j["recorder"].get<std::string>().empty()) {
        error(at("recorder"), "'recorder' must be a non-empty string",
              "the recorder name sync files refer to, e.g. \"qemu-log\"");
        return nullptr;
      }
      m->recorder = j["recorder"].get<std::string>();
    }
    if (j.contains("device")) {
      if (!j["device"].is_string() || j["device"].get<std::string>().empty()) {
        error(at("device"), "'device' must be a non-empty string",
              "the device type the logs are of, as spec files name it in `spec NAME device \"TYPE\"`, e.g. \"fs\"");
        return nullptr;
      }
      m->device = j["device"].get<std::string>();
    }
    if (j.contains("enums")) {
      if (!j["enums"].is_object()) {
        error(at("enums"), "'enums' must be an object");
        return nullptr;
      }
      for (auto it = j["enums"].begin(); it != j["enums"].end(); ++it) {
        size_t off = at(it.key());
        auto& table = m->enums[it.key()];
        if (!it.value().is_object()) {
          error(off, "enum table '" + it.key() + "' must map numbers to labels");
          continue;
        }
        auto& labels = m->enumLabels[it.key()];
        for (auto e = it.value().begin(); e != it.value().end(); ++e) {
          int64_t k;
          // "NUMBER": "LABEL", or "NUMBER": ["LABEL", "OTHER NAME", ...] (the first is the label
          // a number reads as; every name reads back as the number).
          bool list = e.value().is_array() && !e.value().empty() &&
                      std::all_of(e.value().begin(), e.value().end(), [](const json& x) { return x.is_string(); });
          if (!parseIntField(e.key(), false, k) || (!e.value().is_string() && !list)) {
            error(at(e.key()), "enum entries are \"NUMBER\": \"LABEL\" or \"NUMBER\": [\"LABEL\", \"ALIAS\", ...]");
            continue;
          }
          std::vector<std::string> names;
          if (list)
            for (const auto& x : e.value()) names.push_back(x.get<std::string>());
          else
            names.push_back(e.value().get<std::string>());
          table[k] = names.front();
          for (const auto& n : names) {
            auto [pos, fresh] = labels.emplace(n, k);
            if (!fresh && pos->second != k)
              error(at(n),
                    "enum table '" + it.key() + "' gives the name '" + n + "' to " + std::to_string(pos->second) +
                        " and " + std::to_string(k),
                    "a name reads back as one number");
          }
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
      auto cap = [&](const char* n) {
        auto it = g.find(n);
        return it == g.end() ? -1 : it->second;
      };
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
    std::vector<std::pair<std::string, size_t>> sameThreadRefs;  // per pattern: id it names, where
    std::set<std::string> remembered;                            // names some pattern remembers
    for (const auto& pj : j["patterns"]) {
      Pattern p;
      if (!pj.is_object() || !pj.contains("regex") || !pj["regex"].is_string() || !pj.contains("event") ||
          !(pj["event"].is_string() || pj["event"].is_null())) {
        error(at("patterns"),
              "each pattern is an object with \"regex\" and \"event\" (a name, or null for lines "
              "that are known and give no event)");
        continue;
      }
      if (pj.contains("id") && pj["id"].is_string()) {
        p.id = pj["id"].get<std::string>();
        at(p.id);
      }
      p.regexText = pj["regex"].get<std::string>();
      size_t off = at(p.regexText);
      p.mapLine = loc.loc(path, off).line;
      if (p.id.empty()) p.id = "pattern@" + std::to_string(p.mapLine);
      p.re = compile(p.regexText, off);
      if (!p.re) continue;
      p.ncap = p.re->NumberOfCapturingGroups();
      if (pj["event"].is_null()) {
        p.noEvent = true;
      } else {
        std::string ev = pj["event"].get<std::string>();
        if (!parseTemplate(ev, *p.re, p.event, at(ev))) continue;
      }
      if (pj.contains("fields")) parseFields(pj["fields"], *p.re, *m, p.fields);
      std::pair<std::string, size_t> sameThreadRef;
      if (!parsePatternExtras(pj, p, *m, sameThreadRef, remembered)) continue;
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
      sameThreadRefs.push_back(std::move(sameThreadRef));
      m->patterns.push_back(std::move(p));
    }
    // "same_thread_as" names a pattern by id; "remembered" and "when" name what some pattern
    // remembers (a typo would silently never match).
    for (size_t k = 0; k < m->patterns.size(); ++k) {
      const auto& [id, where] = sameThreadRefs[k];
      if (id.empty()) continue;
      for (size_t q = 0; q < m->patterns.size(); ++q)
        if (m->patterns[q].id == id && q != k) m->patterns[k].sameThreadAs = static_cast<int>(q);
      if (m->patterns[k].sameThreadAs < 0)
        error(where, "\"same_thread_as\" names no other pattern: '" + id + "'", "give that pattern an \"id\"");
    }
    for (const auto& [name, where] : rememberedUses)
      if (!remembered.count(name))
        error(where, "no pattern remembers '" + name + "'",
              "add \"remember\": {\"" + name + "\": FIELD} to the pattern that sets it");
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
    for (const auto& p : m->patterns) {
      if (p.noEvent) continue;
      if (p.event.isConstant())
        m->vocabulary.push_back(p.event.parts[0].first);
      else
        m->templatedNames = true;
    }
    std::sort(m->vocabulary.begin(), m->vocabulary.end());
    m->vocabulary.erase(std::unique(m->vocabulary.begin(), m->vocabulary.end()), m->vocabulary.end());
    checkSamples(j, m);
    if (!ok) return nullptr;
    return m;
  }

  static std::string show(const Value& v) { return v.toString(); }

  // One expected event of a sample: {"event": NAME, "fields": {...}, "ts": NS, "tid": N}.
  void checkEvent(const json& sj, const Event& ev, const TraceTables& tables, size_t off) {
    std::string want = sj["event"].get<std::string>();
    std::string got = tables.symbols.name(ev.name);
    if (got != want) {
      error(off, "sample line produced event '" + got + "', expected '" + want + "'");
      return;
    }
    if (sj.contains("fields") && sj["fields"].is_object()) {
      for (auto it = sj["fields"].begin(); it != sj["fields"].end(); ++it) {
        Value wantV;
        const json& v = it.value();
        if (v.is_boolean())
          wantV = Value::ofBool(v.get<bool>());
        else if (v.is_number_integer())
          wantV = Value::ofInt(v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>());
        else if (v.is_string())
          wantV = Value::ofStr(v.get<std::string>());
        else if (v.is_null())
          wantV.kind = Value::Kind::Str;  // placeholder: the field must be absent
        else {
          error(off, "sample field '" + it.key() + "' must be an integer, a string, a boolean or null");
          continue;
        }
        Symbol k = tables.symbols.find(it.key());
        const Value* gotV = k == kNoSymbol ? nullptr : ev.field(k);
        if (v.is_null()) {
          if (gotV)
            error(off, "sample event '" + want + "' should have no field '" + it.key() + "' but has " + show(*gotV));
        } else if (!gotV) {
          error(off, "sample event '" + want + "' has no field '" + it.key() + "'");
        } else if (!(*gotV == wantV)) {
          error(off, "sample field '" + it.key() + "' is " + show(*gotV) + ", expected " + show(wantV));
        }
      }
    }
    if (sj.contains("ts")) {
      if (!sj["ts"].is_number_integer())
        error(off, "sample 'ts' must be integer ns");
      else if (!ev.hasTs || ev.ts != sj["ts"].get<int64_t>())
        error(off, "sample timestamp is " + (ev.hasTs ? std::to_string(ev.ts) : std::string("absent")) + ", expected " +
                       std::to_string(sj["ts"].get<int64_t>()));
    }
    if (sj.contains("tid") && sj["tid"].is_number_integer()) {
      int64_t tid = tables.threads.at(ev.thread).tid;
      if (tid != sj["tid"].get<int64_t>())
        error(off,
              "sample thread id is " + std::to_string(tid) + ", expected " + std::to_string(sj["tid"].get<int64_t>()));
    }
    if (sj.contains("line_no") && sj["line_no"].is_number_integer() && ev.origin.line != sj["line_no"].get<uint64_t>())
      error(off, "sample event comes from line " + std::to_string(ev.origin.line) + " of the sample, expected " +
                     std::to_string(sj["line_no"].get<uint64_t>()));
  }

  // A sample is one line ("line") or several read in order ("lines", for records spanning lines
  // and what patterns remember), each through a fresh matcher. "event" names the first event
  // it gives (null: none); "events" lists every event, in order.
  void checkSamples(const json& j, const std::shared_ptr<MapFile>& m) {
    if (!j.contains("samples")) return;
    if (!j["samples"].is_array()) {
      error(at("samples"), "'samples' must be a list");
      return;
    }
    const char* shapeHelp =
        "each sample is {\"line\": TEXT, \"event\": NAME or null, \"fields\": {...}}, or "
        "{\"lines\": [TEXT, ...], \"events\": [{\"event\": NAME, \"fields\": {...}}, ...]}";
    for (const auto& sj : j["samples"]) {
      std::vector<std::string> lines;
      if (sj.is_object() && sj.contains("line") && sj["line"].is_string()) {
        lines.push_back(sj["line"].get<std::string>());
      } else if (sj.is_object() && sj.contains("lines") && sj["lines"].is_array() && !sj["lines"].empty() &&
                 std::all_of(sj["lines"].begin(), sj["lines"].end(), [](const json& x) { return x.is_string(); })) {
        for (const auto& x : sj["lines"]) lines.push_back(x.get<std::string>());
      } else {
        error(at("samples"), shapeHelp);
        continue;
      }
      size_t off = at(lines.front());
      for (size_t k = 1; k < lines.size(); ++k) at(lines[k]);
      ++m->samples;
      TraceTables tables;
      tables.sources.add(Source::make(path, m->format, 0));
      LineMapper mapper(m, tables);
      EventBuffer evs;
      bool bad = false, anyUnmatched = false;
      for (size_t k = 0; k < lines.size(); ++k) {
        if (m->hs && !mapper.prefiltersAgree(lines[k])) m->hs.reset();  // RE2::Set decides from then on
        FieldError fe;
        LineResult r = mapper.mapLine(lines[k], k + 1, 0, evs, fe);
        if (r == LineResult::Bad) {
          error(off, "sample line has a bad field: " + fe.message);
          bad = true;
        }
        if (r == LineResult::Unmatched) anyUnmatched = true;
      }
      mapper.finish(evs);
      if (bad) continue;
      if (sj.contains("events")) {
        if (!sj["events"].is_array() || !std::all_of(sj["events"].begin(), sj["events"].end(), [](const json& x) {
              return x.is_object() && x.contains("event") && x["event"].is_string();
            })) {
          error(off, shapeHelp);
          continue;
        }
        if (evs.size() != sj["events"].size()) {
          std::string names;
          for (size_t k = 0; k < evs.size(); ++k)
            names += (names.empty() ? "" : ", ") + tables.symbols.name(evs[k].name);
          error(off, "sample lines produced " + std::to_string(evs.size()) + " event(s) (" + names + "), expected " +
                         std::to_string(sj["events"].size()));
          continue;
        }
        for (size_t k = 0; k < evs.size(); ++k) checkEvent(sj["events"][k], evs[k], tables, off);
        continue;
      }
      bool wantNone = !sj.contains("event") || sj["event"].is_null();
      if (wantNone) {
        if (!evs.empty())
          error(off, "sample line should produce no event but produced '" + tables.symbols.name(evs[0].name) + "'");
        continue;
      }
      if (!sj["event"].is_string()) {
        error(off, shapeHelp);
        continue;
      }
      if (evs.empty()) {
        LineMatch lm = mapper.classify(lines.back());
        error(off,
              lm.shape < 0   ? "sample line matches no line shape"
              : anyUnmatched ? "sample line's body matches no pattern"
                             : "sample line matches a pattern that gives no event",
              "expected event '" + sj["event"].get<std::string>() + "'");
        continue;
      }
      checkEvent(sj, evs[0], tables, off);
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
  // Read at most kMaxMapFileBytes + 1 bytes: a map that is a link to /dev/zero (or any huge or
  // endless file) is refused before it costs memory. FIFOs and process substitution work.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    diags.error("map-open", Location{path, 0, 0}, "this map path is a directory, not a map file",
                "pass a NAME.map.json file, or the directory with --maps DIR");
    return nullptr;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    diags.error("map-open", Location{path, 0, 0}, std::string("cannot open the map file: ") + std::strerror(errno),
                "check the path and permissions");
    return nullptr;
  }
  std::string text;
  bool tooBig = false, failed = false;
  int readErrno = 0;
  for (;;) {
    size_t want = std::min<size_t>(64 << 10, kMaxMapFileBytes + 1 - text.size());
    if (want == 0) {
      tooBig = true;
      break;
    }
    size_t at = text.size();
    text.resize(at + want);
    ssize_t n = ::read(fd, text.data() + at, want);
    if (n < 0 && errno == EINTR) {
      text.resize(at);
      continue;
    }
    if (n < 0) {
      readErrno = errno;
      failed = true;
      text.resize(at);
      break;
    }
    text.resize(at + static_cast<size_t>(n));
    if (n == 0) break;
  }
  ::close(fd);
  if (failed) {
    diags.error("map-open", Location{path, 0, 0}, std::string("cannot read the map file: ") + std::strerror(readErrno),
                "check the path and permissions");
    return nullptr;
  }
  if (tooBig) {
    diags.error("map-too-large", Location{path, 0, 0},
                "map file is larger than " + std::to_string(kMaxMapFileBytes >> 20) + " MiB: not read",
                "a map file is a small JSON file of line shapes and patterns; check that this path names one");
    return nullptr;
  }
  return loadMapText(path, text, diags);
}

}  // namespace vc
