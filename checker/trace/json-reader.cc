#include "trace/json-reader.h"

#include "trace/input.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <cstring>
#include <string_view>
#include <vector>

namespace vc {

namespace {

namespace dom = simdjson::dom;


struct RecordError {
  std::string msg;
  size_t offset = SIZE_MAX;  // byte offset in the record, when known
  std::string help;
  std::string_view key;      // the key whose value is wrong, to point at it (valid until the next parse)
};

// Reads an integer value (signed, or unsigned kept as its bit pattern, or an integral double).
bool readInt(dom::element v, int64_t& out, RecordError& e, std::string_view what) {
  e.key = what;
  switch (v.type()) {
    case dom::element_type::INT64: out = v.get_int64().value_unsafe(); return true;
    case dom::element_type::UINT64: out = static_cast<int64_t>(v.get_uint64().value_unsafe()); return true;
    case dom::element_type::DOUBLE: {
      double d = v.get_double().value_unsafe();
      if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d))) {
        out = static_cast<int64_t>(d);
        return true;
      }
      e.msg = "'" + std::string(what) + "' must be an integer, got " + std::to_string(d);
      e.help = "timestamps are integer nanoseconds; fields hold integers, strings or booleans";
      return false;
    }
    default:
      e.msg = "'" + std::string(what) + "' must be an integer";
      return false;
  }
}

bool readScalar(dom::element v, Value& out, RecordError& e, std::string_view key) {
  e.key = key;
  switch (v.type()) {
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: {
      out.kind = Value::Kind::Int;
      return readInt(v, out.i, e, key);
    }
    case dom::element_type::STRING:
      out.kind = Value::Kind::Str;
      out.s.assign(v.get_string().value_unsafe());
      return true;
    case dom::element_type::BOOL:
      out.kind = Value::Kind::Bool;
      out.i = v.get_bool().value_unsafe();
      return true;
    default:
      e.msg = "field '" + std::string(key) + "' must be an integer, a string or a boolean";
      e.help = "flatten nested values into several fields";
      return false;
  }
}

bool readId(dom::element v, std::string& out, RecordError& e) {
  Value x;
  if (!readScalar(v, x, e, "id")) return false;
  out = x.kind == Value::Kind::Str ? x.s : std::to_string(x.i);
  return true;
}

// Event and field names repeat from line to line: a small direct-mapped cache, indexed by the
// name's length and edge characters, saves hashing them in the symbol table.
struct NameCache {
  static constexpr size_t kSlots = 512;
  std::array<std::string, kSlots> text;
  std::array<Symbol, kSlots> sym{};
  Symbol get(size_t salt, std::string_view s, SymbolTable& table) {
    if (s.empty()) return table.intern(s);
    size_t h = (s.size() * 131 + static_cast<unsigned char>(s[0]) * 31 +
                static_cast<unsigned char>(s[s.size() - 1]) * 7 + (s.size() > 2 ? static_cast<unsigned char>(s[2]) : 0) +
                (salt ? 1 : 0) * 257) % kSlots;
    if (sym[h] != 0 && text[h] == s) return sym[h] - 1;
    Symbol x = table.intern(s);
    text[h].assign(s);
    sym[h] = x + 1;
    return x;
  }
};

// Where a syntax error is: simdjson's DOM does not say, so the error path asks nlohmann::json.
size_t syntaxErrorOffset(const char* p, size_t n) {
  try {
    auto j = nlohmann::json::parse(p, p + n);
    (void)j;
  } catch (const nlohmann::json::parse_error& ex) {
    return ex.byte > 0 ? ex.byte - 1 : 0;
  } catch (...) {
  }
  return SIZE_MAX;
}

bool parseRecord(const char* p, size_t n, dom::parser& parser, uint32_t sourceIndex, TraceTables& tables,
                 Event& ev, RecordError& e, NameCache& names) {
  ev.clear();
  ev.origin.source = sourceIndex;
  dom::element doc;
  auto err = parser.parse(reinterpret_cast<const uint8_t*>(p), n, false).get(doc);
  if (err) {
    e.msg = std::string("not valid JSON: ") + simdjson::error_message(err);
    e.offset = syntaxErrorOffset(p, n);
    return false;
  }
  dom::object obj;
  if (doc.get_object().get(obj)) {
    e.msg = "an event must be a JSON object";
    e.offset = 0;
    return false;
  }
  bool haveName = false, haveTid = false;
  int64_t pid = 0, tid = 0;
  std::string_view threadName;
  for (auto [key, v] : obj) {
    e.key = key;
    if (key == "name") {
      std::string_view s;
      if (v.get_string().get(s) || s.empty()) {
        e.msg = "'name' must be a non-empty string";
        return false;
      }
      ev.name = names.get(0, s, tables.symbols);
      haveName = true;
    } else if (key == "ts") {
      if (!readInt(v, ev.ts, e, "ts")) return false;
      ev.hasTs = true;
    } else if (key == "pid") {
      if (!readInt(v, pid, e, "pid")) return false;
    } else if (key == "tid") {
      if (!readInt(v, tid, e, "tid")) return false;
      haveTid = true;
    } else if (key == "thread") {
      if (v.get_string().get(threadName)) {
        e.msg = "'thread' must be a string";
        return false;
      }
    } else if (key == "fields") {
      dom::object fo;
      if (v.get_object().get(fo)) {
        e.msg = "'fields' must be an object";
        e.help = R"(write fields as "fields": {"vring": 0, "enable": 1})";
        return false;
      }
      size_t slot = 1;
      for (auto [fk, fv] : fo) {
        ev.fields.emplace_back();
        Field& f = ev.fields.back();
        f.key = names.get(slot++, fk, tables.symbols);
        if (!readScalar(fv, f.value, e, fk)) return false;
      }
    } else if (key == "id") {
      if (!readId(v, ev.id, e)) return false;
    } else if (key == "after") {
      dom::array arr;
      if (v.get_array().get(arr)) {
        e.msg = "'after' must be an array of event ids";
        return false;
      }
      for (auto item : arr) {
        std::string s;
        if (!readId(item, s, e)) return false;
        ev.after.push_back(std::move(s));
      }
    }
    // Other keys are ignored so that writers may add metadata (docs/trace-format.md).
  }
  e.key = {};
  if (!haveName) {
    e.msg = "event has no 'name'";
    e.help = R"(every event needs "name": "<event name>")";
    return false;
  }
  if (!haveTid) tid = pid;
  ev.thread = tables.threads.intern(sourceIndex, pid, tid);
  if (!threadName.empty()) {
    auto& t = tables.threads.at(ev.thread);
    if (t.name.empty()) t.name = std::string(threadName);
  }
  return true;
}

}  // namespace

struct JsonTraceReader::Impl {
  std::unique_ptr<Input> in;
  uint32_t source = 0;
  TraceTables& tables;
  Diagnostics& diags;
  LineReader lines;
  ByteBuffer& bb;          // the line reader's buffer; array mode reads it directly
  dom::parser parser;
  NameCache names;
  uint64_t line = 1;       // array mode: line number of bb.data()[0]
  enum class Mode { Unknown, Lines, Array } mode = Mode::Unknown;
  bool arrayDone = false;
  bool stopped = false;

  Impl(std::unique_ptr<Input> input, uint32_t s, TraceTables& t, Diagnostics& d, const ReaderOptions& o)
      : in(std::move(input)), source(s), tables(t), diags(d), lines(*in, d, o.maxLineBytes), bb(lines.buffer()) {}

  const std::string& path() const { return tables.sources.at(source).path; }

  bool fill() {
    if (bb.fill()) return true;
    if (in->failed() && !stopped) {
      diags.error("trace-read", Location{path(), line, 0}, in->error(),
                  "the events before this point were read; the rest of the trace could not be");
      stopped = true;
    }
    return false;
  }

  void report(uint64_t ln, const char* lineStart, size_t lineLen, const RecordError& e) {
    uint32_t col = 1;
    size_t off = e.offset;
    if (off == SIZE_MAX && !e.key.empty()) {
      // Point at the offending key's value.
      std::string_view l(lineStart, lineLen);
      size_t k = l.find("\"" + std::string(e.key) + "\"");
      if (k != std::string_view::npos) {
        size_t colon = l.find(':', k + e.key.size() + 2);
        off = colon == std::string_view::npos ? k : l.find_first_not_of(" \t", colon + 1);
      }
    }
    if (off != SIZE_MAX && off <= lineLen) col = static_cast<uint32_t>(off) + 1;
    auto& d = diags.error("trace-json", Location{path(), ln, col}, e.msg,
                          e.help.empty() ? "each line must be one JSON object, see docs/trace-format.md" : e.help);
    d.snippet.assign(lineStart, std::min<size_t>(lineLen, 200));
  }

  // JSON Lines, or one array / {"events": [...]} document? Decided from the first bytes, peeked.
  void detect() {
    std::string_view head = in->peek(4096);
    size_t i = 0;
    if (head.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
    uint64_t nl = 0;
    while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) { if (head[i] == '\n') ++nl; ++i; }
    mode = Mode::Lines;
    size_t start = 0;
    if (i < head.size() && head[i] == '[') {
      mode = Mode::Array;
      start = i + 1;
    } else if (i < head.size() && head[i] == '{') {
      // {"events": [ ... ]} wrapper?
      size_t j = i + 1;
      while (j < head.size() && std::isspace(static_cast<unsigned char>(head[j]))) { if (head[j] == '\n') ++nl; ++j; }
      static const char kEv[] = "\"events\"";
      if (head.size() - j >= sizeof(kEv) - 1 && head.compare(j, sizeof(kEv) - 1, kEv) == 0) {
        j += sizeof(kEv) - 1;
        while (j < head.size() && std::isspace(static_cast<unsigned char>(head[j]))) { if (head[j] == '\n') ++nl; ++j; }
        if (j < head.size() && head[j] == ':') {
          ++j;
          while (j < head.size() && std::isspace(static_cast<unsigned char>(head[j]))) { if (head[j] == '\n') ++nl; ++j; }
          if (j < head.size() && head[j] == '[') {
            mode = Mode::Array;
            start = j + 1;
          }
        }
      }
    }
    if (mode == Mode::Array) {
      if (head.find('\0') != std::string_view::npos) {
        diags.error("trace-binary", Location{path(), 0, 0}, "this file contains NUL bytes: it is not a JSON trace",
                    "pass a JSON Lines trace, or name its format with --input-format");
        stopped = true;
        return;
      }
      // Skip what detect() looked at: the buffer starts after the '['. (`head` dies here.)
      while (bb.size() < start && fill()) {}
      bb.consume(std::min(start, bb.size()));
      line += nl;
    }
  }

  bool parseSpan(const char* p, size_t n, uint64_t ln, Event& ev) {
    RecordError e;
    if (parseRecord(p, n, parser, source, tables, ev, e, names)) {
      ev.origin.line = ln;
      ++tables.sources.at(source).events;
      return true;
    }
    report(ln, p, n, e);
    return false;
  }

  bool nextLine(Event& ev) {
    std::string_view l;
    uint64_t ln = 0;
    size_t col0 = 0;
    while (lines.next(l, ln, col0)) {
      // Strip surrounding blanks; skip empty lines.
      size_t n = l.size();
      while (n && (l[n - 1] == ' ' || l[n - 1] == '\t')) --n;
      size_t lead = 0;
      while (lead < n && (l[lead] == ' ' || l[lead] == '\t')) ++lead;
      if (lead == n) continue;
      // LineReader keeps ByteBuffer::kPadding readable bytes after the line.
      if (parseSpan(l.data(), n, ln, ev)) return true;
      if (diags.errorCount() > 1000) { stopped = true; return false; }
    }
    return false;
  }

  // Array mode: scan one top-level object with a string-aware brace counter.
  bool nextArrayItem(Event& ev) {
    for (;;) {
      size_t i = 0;
      // Skip separators.
      for (;;) {
        if (i == bb.size()) {
          bb.consume(i);
          i = 0;
          if (!fill()) {
            if (!arrayDone && !stopped)
              diags.error("trace-json", Location{path(), line, 0}, "the JSON array is not closed",
                          "the file may be truncated; end it with ']'");
            return false;
          }
          continue;
        }
        char c = bb.data()[i];
        if (c == '\n') { ++line; ++i; continue; }
        if (c == ' ' || c == '\t' || c == '\r' || c == ',') { ++i; continue; }
        break;
      }
      bb.consume(i);
      const char* p0 = bb.data();
      if (p0[0] == ']') {
        arrayDone = true;
        bb.consume(1);
        return false;
      }
      if (p0[0] != '{') {
        RecordError e{"expected an event object in the array", 0, {}, {}};
        report(line, p0, std::min<size_t>(bb.size(), 80), e);
        stopped = true;
        return false;
      }
      // Find the matching close brace.
      size_t j = 0, depth = 0;
      bool inStr = false, esc = false;
      uint64_t startLine = line, nlines = 0;
      for (;;) {
        if (j == bb.size()) {
          if (!fill()) {
            if (stopped) return false;
            RecordError e{"unterminated event object at the end of the file", SIZE_MAX, "the file may be truncated", {}};
            report(startLine, bb.data(), std::min<size_t>(bb.size(), 80), e);
            stopped = true;
            return false;
          }
          continue;
        }
        char c = bb.data()[j++];
        if (c == '\n') ++nlines;
        if (inStr) {
          if (esc) esc = false;
          else if (c == '\\') esc = true;
          else if (c == '"') inStr = false;
          continue;
        }
        if (c == '"') inStr = true;
        else if (c == '{' || c == '[') ++depth;
        else if (c == '}' || c == ']') {
          if (--depth == 0) break;
        }
      }
      const char* p = bb.data();
      bb.consume(j);
      line += nlines;
      // ByteBuffer keeps kPadding readable bytes after its valid ones, so the span is padded.
      if (parseSpan(p, j, startLine, ev)) return true;
      if (diags.errorCount() > 1000) { stopped = true; return false; }
    }
  }
};

JsonTraceReader::JsonTraceReader(std::unique_ptr<Input> in, uint32_t sourceIndex, TraceTables& tables,
                                 Diagnostics& diags, const ReaderOptions& opts)
    : impl_(std::make_unique<Impl>(std::move(in), sourceIndex, tables, diags, opts)) {}

JsonTraceReader::~JsonTraceReader() = default;

bool JsonTraceReader::next(Event& ev) {
  auto& m = *impl_;
  if (m.stopped) return false;
  if (m.mode == Impl::Mode::Unknown) {
    m.detect();
    if (m.stopped) return false;
  }
  return m.mode == Impl::Mode::Lines ? m.nextLine(ev) : m.nextArrayItem(ev);
}

bool parseJsonEvent(std::string_view text, uint32_t sourceIndex, TraceTables& tables, Event& ev,
                    std::string& err, uint32_t& errCol, std::string& help) {
  static thread_local dom::parser parser;
  NameCache names;
  simdjson::padded_string padded(text);
  RecordError e;
  if (parseRecord(padded.data(), padded.size(), parser, sourceIndex, tables, ev, e, names)) return true;
  err = e.msg;
  help = e.help;
  errCol = e.offset == SIZE_MAX ? 1 : static_cast<uint32_t>(e.offset) + 1;
  return false;
}

}  // namespace vc
