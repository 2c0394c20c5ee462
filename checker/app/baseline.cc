#include "app/baseline.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace vc {

namespace {

using J = nlohmann::ordered_json;

const EventRef* identityEvent(const Violation& v) {
  if (v.culprit) return &*v.culprit;
  if (v.anchor) return &*v.anchor;
  return nullptr;
}

// The fields of trace event `name` that `rule`'s patterns bind or test against constants. A
// comparison of data with data (a field with a register, `base != next & 0xffff`, or with another
// field, `len <= writable`) reads values that change from run to run (a count of buffers, a
// length): its fields are not part of the identity (dynPreds all read a register).
std::set<std::string> ruleFields(const Rule& rule, const SymbolTable& symbols, const std::string& name) {
  std::set<std::string> out;
  for (const auto& role : rule.roles)
    for (const auto& m : role) {
      bool named = std::any_of(m.names.begin(), m.names.end(), [&](Symbol s) { return symbols.name(s) == name; });
      if (!named) continue;
      for (const auto& p : m.preds) {
        std::vector<Symbol> fs;
        p.fields(fs);
        std::sort(fs.begin(), fs.end());
        if (std::unique(fs.begin(), fs.end()) - fs.begin() == 1) out.insert(symbols.name(fs[0]));
      }
      for (const auto& [field, param] : m.binds) out.insert(symbols.name(field));
    }
  return out;
}

// A host address (QEMU logs its device and virtqueue structures by pointer: `vdev 0x55a302329600`)
// changes from run to run with address-space layout randomisation: in an identity it is only
// "an address". A string or a hex number of 8 or more hex digits after 0x counts as one.
std::string stableValue(const std::string& v) {
  std::string_view s = v;
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  if (s.size() < 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return v;
  for (char c : s.substr(2))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return v;
  return "<address>";
}

J pairsJson(const std::vector<std::pair<std::string, std::string>>& v) {
  J o = J::object();
  for (const auto& [k, x] : v) o[k] = x;
  return o;
}

}  // namespace

std::string BaselineEntry::key() const {
  J k = J::array({rule, pairsJson(instance), event, pairsJson(fields)});
  return k.dump();
}

BaselineEntry baselineEntry(const Spec& spec, const SymbolTable& symbols, const Violation& v) {
  const Rule& r = spec.rules[v.rule];
  BaselineEntry e;
  e.rule = r.id;
  e.instance = v.params;
  for (auto& [k, val] : e.instance) val = stableValue(val);
  std::sort(e.instance.begin(), e.instance.end());
  e.kind = v.kind == ViolationKind::Observed ? "observed" : "predicted";
  e.message = v.message;
  if (const EventRef* ev = identityEvent(v)) {
    e.event = ev->name;
    std::set<std::string> keep = ruleFields(r, symbols, ev->name);
    for (const auto& [k, val] : ev->fields)
      if (keep.count(k)) e.fields.emplace_back(k, stableValue(val.toString()));
    std::sort(e.fields.begin(), e.fields.end());
  }
  return e;
}

bool loadBaseline(const std::string& path, Baseline& out, Diagnostics& diags) {
  out.path = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diags.error("baseline", Location{path, 0, 0}, "this is a directory, not a baseline file",
                "give the file `vconform check ... --write-baseline FILE` wrote");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error("baseline", Location{path, 0, 0}, "cannot read this baseline file",
                "write one with `vconform check ... --write-baseline " + path + "`");
    return false;
  }
  // Read with a bound: the path may be a device, a pipe or a huge file given by mistake.
  constexpr size_t kMaxBaselineBytes = size_t{64} << 20;
  std::string text;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxBaselineBytes) {
      diags.error("baseline", Location{path, 0, 0}, "this baseline file is larger than 64 MiB: is it a baseline?",
                  "a baseline is what `vconform check ... --write-baseline FILE` writes");
      return false;
    }
  }
  if (in.bad()) {
    diags.error("baseline", Location{path, 0, 0}, "cannot read this baseline file", "");
    return false;
  }
  return parseBaseline(path, text, out, diags);
}

bool parseBaseline(const std::string& path, const std::string& text, Baseline& out, Diagnostics& diags) {
  out.path = path;
  // Strict JSON: a key twice in one object is an error (which one would count?).
  std::vector<std::set<std::string>> keys;  // per open object
  std::string duplicate;
  auto strict = [&](int /*depth*/, nlohmann::json::parse_event_t event, J& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) keys.emplace_back();
    if (event == E::object_end && !keys.empty()) keys.pop_back();
    if (event == E::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second && duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  J j;
  try {
    j = J::parse(text, strict);
  } catch (const nlohmann::json::parse_error& e) {
    // The byte offset of the error, as a line and column.
    size_t at = std::min<size_t>(e.byte ? e.byte - 1 : 0, text.size());
    uint64_t line = 1 + static_cast<uint64_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
    size_t bol = text.rfind('\n', at ? at - 1 : 0);
    uint32_t col = static_cast<uint32_t>(at - (bol == std::string::npos || at == 0 ? 0 : bol + 1) + 1);
    diags.error("baseline", Location{path, line, col}, "this baseline file is not valid JSON",
                "regenerate it with --write-baseline");
    return false;
  } catch (const nlohmann::json::exception&) {
    // A number beyond what a double holds (`9e+9999`): the parser's out_of_range.
    diags.error("baseline", Location{path, 0, 0}, "this baseline file has a number out of range",
                "regenerate it with --write-baseline");
    return false;
  }
  if (!duplicate.empty()) {
    diags.error("baseline", Location{path, 0, 0},
                "this baseline file has the key \"" + duplicate + "\" twice in one object",
                "keep one: regenerate the file with --write-baseline");
    return false;
  }
  auto bad = [&](const std::string& what) {
    diags.error("baseline", Location{path, 0, 0}, "not a vconform baseline: " + what,
                "a baseline is what `vconform check ... --write-baseline FILE` writes");
    return false;
  };
  if (!j.is_object() || !j.contains("vconform_baseline") || j["vconform_baseline"] != 1)
    return bad("no \"vconform_baseline\": 1");
  if (!j.contains("violations") || !j["violations"].is_array()) return bad("no \"violations\" array");
  size_t i = 0;
  for (const auto& v : j["violations"]) {
    std::string where = "violations[" + std::to_string(i++) + "]";
    if (!v.is_object() || !v.contains("rule") || !v["rule"].is_string()) return bad(where + " has no \"rule\"");
    BaselineEntry e;
    e.rule = v["rule"].get<std::string>();
    auto pairs = [&](const char* key, std::vector<std::pair<std::string, std::string>>& dst) {
      if (!v.contains(key)) return true;
      if (!v[key].is_object()) return false;
      for (const auto& [k, x] : v[key].items()) {
        if (!x.is_string()) return false;
        dst.emplace_back(k, x.get<std::string>());
      }
      std::sort(dst.begin(), dst.end());
      return true;
    };
    if (!pairs("instance", e.instance)) return bad(where + ".instance must map names to strings");
    if (v.contains("event") && !v["event"].is_null()) {
      const auto& ev = v["event"];
      if (!ev.is_object() || !ev.contains("name") || !ev["name"].is_string())
        return bad(where + ".event has no \"name\"");
      e.event = ev["name"].get<std::string>();
      if (ev.contains("fields")) {
        if (!ev["fields"].is_object()) return bad(where + ".event.fields must be an object");
        for (const auto& [k, x] : ev["fields"].items()) {
          if (!x.is_string()) return bad(where + ".event.fields values are strings");
          e.fields.emplace_back(k, x.get<std::string>());
        }
        std::sort(e.fields.begin(), e.fields.end());
      }
    }
    if (v.contains("count")) {
      if (!v["count"].is_number_unsigned() || v["count"].get<uint64_t>() == 0)
        return bad(where + ".count must be a whole number from 1");
      e.count = v["count"].get<uint64_t>();
    }
    std::string k = e.key();
    if (out.remaining[k] > UINT64_MAX - e.count)
      return bad(where + ".count: the counts of one identity add up past 2^64-1");
    out.remaining[k] += e.count;
    out.entries.emplace(k, e);
  }
  return true;
}

void applyBaseline(const Spec& spec, const SymbolTable& symbols, std::vector<Violation>& violations,
                   std::vector<Violation>& known, Baseline& baseline) {
  std::vector<Violation> fresh;
  for (auto& v : violations) {
    auto it = baseline.remaining.find(baselineEntry(spec, symbols, v).key());
    if (it != baseline.remaining.end() && it->second > 0) {
      --it->second;
      known.push_back(std::move(v));
    } else {
      fresh.push_back(std::move(v));
    }
  }
  violations = std::move(fresh);
}

std::string baselineText(const std::vector<BaselineEntry>& entries) {
  std::map<std::string, BaselineEntry> merged;
  for (const auto& e : entries) {
    auto [it, fresh] = merged.emplace(e.key(), e);
    if (!fresh) it->second.count += e.count;
  }
  J root;
  root["vconform_baseline"] = 1;
  root["about"] =
      "violations accepted for now: `vconform check --baseline FILE` fails only on others. Matched by "
      "rule, instance and the breaking event's name and the fields the rule looks at.";
  J arr = J::array();
  for (const auto& [k, e] : merged) {
    J v;
    v["rule"] = e.rule;
    v["instance"] = pairsJson(e.instance);
    if (e.event.empty())
      v["event"] = nullptr;
    else
      v["event"] = {{"name", e.event}, {"fields", pairsJson(e.fields)}};
    v["count"] = e.count;
    v["kind"] = e.kind;
    v["message"] = e.message;
    arr.push_back(v);
  }
  root["violations"] = arr;
  return root.dump(2) + "\n";
}

}  // namespace vc
