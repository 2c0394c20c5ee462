#include "trace/text-tracing-json.h"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "trace/input.h"
#include "trace/timestamps.h"

namespace vc {

namespace dom = simdjson::dom;

bool sniffTracingJson(std::string_view head) {
  size_t i = 0;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) ++i;
  if (i >= head.size() || head[i] != '{') return false;
  size_t e = head.find('\n', i);
  std::string_view first = head.substr(i, e == std::string_view::npos ? head.size() - i : e - i);
  return first.find("\"timestamp\"") != std::string_view::npos && first.find("\"fields\"") != std::string_view::npos &&
         first.find("\"level\"") != std::string_view::npos && first.find("\"name\"") == std::string_view::npos;
}

namespace {

// Scalar JSON value -> Value; false for objects/arrays/null.
bool scalar(dom::element v, Value& out) {
  switch (v.type()) {
    case dom::element_type::INT64:
      out = Value::ofInt(v.get_int64().value_unsafe());
      return true;
    case dom::element_type::UINT64:
      out = Value::ofInt(static_cast<int64_t>(v.get_uint64().value_unsafe()));
      return true;
    case dom::element_type::DOUBLE: {
      double d = v.get_double().value_unsafe();
      if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d))) {
        out = Value::ofInt(static_cast<int64_t>(d));
      } else {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", d);
        out = Value::ofStr(buf);
      }
      return true;
    }
    case dom::element_type::STRING:
      out = Value::ofStr(std::string(v.get_string().value_unsafe()));
      return true;
    case dom::element_type::BOOL:
      out = Value::ofBool(v.get_bool().value_unsafe());
      return true;
    default:
      return false;
  }
}

int parseWith(dom::parser& parser, const char* p, size_t n, const std::string& nameField, uint32_t source,
              TraceTables& tables, Event& ev, std::string& err, uint32_t& col) {
  ev.clear();
  ev.origin.source = source;
  dom::element doc;
  if (auto e = parser.parse(p, n, false).get(doc)) {
    err = std::string("not valid JSON: ") + simdjson::error_message(e);
    col = 1;
    return -1;
  }
  dom::object obj;
  if (doc.get_object().get(obj)) return 0;
  dom::object fields;
  if (obj["fields"].get_object().get(fields)) return 0;
  std::string_view name;
  if (fields[nameField].get_string().get(name) || name.empty()) return 0;
  // Where a key's value starts in the line, for error columns (1-based; 1 if not found).
  std::string_view whole(p, n);
  auto valueCol = [&](std::string_view key) -> uint32_t {
    std::string quoted = "\"" + std::string(key) + "\"";
    size_t k = whole.find(quoted);
    if (k == std::string_view::npos) return 1;
    size_t c = whole.find(':', k + quoted.size());
    if (c == std::string_view::npos) return static_cast<uint32_t>(k + 1);
    size_t v = whole.find_first_not_of(" \t", c + 1);
    return static_cast<uint32_t>((v == std::string_view::npos ? c : v) + 1);
  };
  // A key given twice in one object (the line, "fields" or "span") is an error: one value would
  // win silently. Sorted, so a line of many keys costs n log n.
  std::vector<std::string_view> keys;
  auto duplicate = [&](dom::object o, const char* where) {
    keys.clear();
    for (auto [k, v] : o) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    auto d = std::adjacent_find(keys.begin(), keys.end());
    if (d == keys.end()) return false;
    err = "duplicate key '" + std::string(*d) + "'" + where;
    std::string quoted = "\"" + std::string(*d) + "\"";
    size_t k = whole.find(quoted);
    if (k != std::string_view::npos) k = whole.find(quoted, k + 1);
    col = k == std::string_view::npos ? 1 : static_cast<uint32_t>(k + 1);
    return true;
  };
  if (duplicate(obj, "") || duplicate(fields, " in \"fields\"")) return -1;
  auto notScalar = [&](std::string_view k, std::string_view shown) {
    err = "field '" + std::string(shown) + "' must be an integer, a string or a boolean, not an object, array or null";
    col = valueCol(k);
    return -1;
  };
  ev.name = tables.symbols.intern(name);
  bool haveLevel = false, haveTarget = false;
  for (auto [k, v] : fields) {
    if (k == nameField) continue;
    Field f;
    if (!scalar(v, f.value)) return notScalar(k, k);
    if (k == "level") haveLevel = true;
    if (k == "target") haveTarget = true;
    f.key = tables.symbols.intern(k);
    ev.fields.push_back(std::move(f));
  }
  std::string_view s;
  if (!haveLevel && !obj["level"].get_string().get(s))
    ev.fields.push_back(Field{tables.symbols.intern("level"), Value::ofStr(std::string(s))});
  if (!haveTarget && !obj["target"].get_string().get(s))
    ev.fields.push_back(Field{tables.symbols.intern("target"), Value::ofStr(std::string(s))});
  dom::object span;
  if (!obj["span"].get_object().get(span)) {
    if (duplicate(span, " in \"span\"")) return -1;
    for (auto [k, v] : span) {
      Field f;
      std::string key = "span." + std::string(k);
      if (!scalar(v, f.value)) return notScalar(k, key);
      f.key = tables.symbols.intern(key);
      ev.fields.push_back(std::move(f));
    }
  }
  dom::element tsv;
  if (!obj["timestamp"].get(tsv)) {
    if (tsv.get_string().get(s)) {
      err = "'timestamp' must be an RFC 3339 string such as \"2022-07-11T02:12:24.123456Z\"";
      if (tsv.is_number()) err += ": a number has no unit";
      col = valueCol("timestamp");
      return -1;
    }
    if (!parseTimestamp(TimeKind::Iso8601, s, ev.ts)) {
      err = "bad timestamp '" + std::string(s.substr(0, 40)) + "'";
      size_t at = whole.find(s);
      col = at == std::string_view::npos ? 1 : static_cast<uint32_t>(at + 1);
      return -1;
    }
    ev.hasTs = true;
  }
  int64_t tid = 0;
  dom::element tidv;
  if (!obj["threadId"].get(tidv)) {
    // "ThreadId(2)" (tracing-subscriber), or a plain integer.
    bool ok = false;
    if (!tidv.get_string().get(s)) {
      if (s.starts_with("ThreadId(") && s.ends_with(")") && s.size() > 10)
        ok = parseIntField(s.substr(9, s.size() - 10), false, tid) && tid >= 0 &&
             s.substr(9, s.size() - 10).find_first_not_of("0123456789") == std::string_view::npos;
    } else if (tidv.is_int64()) {
      tid = tidv.get_int64().value_unsafe();
      ok = tid >= 0;
    } else if (tidv.is_uint64()) {
      ok = false;
    }
    if (!ok) {
      err = "'threadId' must be \"ThreadId(N)\" with N a thread number";
      col = valueCol("threadId");
      return -1;
    }
  }
  ev.thread = tables.threads.intern(source, 0, tid);
  if (!obj["threadName"].get_string().get(s)) {
    tables.threads.nameIfUnnamed(ev.thread, s);
  }
  return 1;
}

class TracingJsonReader : public TraceReader {
 public:
  TracingJsonReader(std::unique_ptr<Input> in, const ReaderOptions& opts, uint32_t source, TraceTables& tables,
                    Diagnostics& diags)
      : in_(std::move(in)),
        lines_(*in_, diags, opts.maxLineBytes),
        nameField_(opts.tracingNameField),
        source_(source),
        tables_(tables),
        diags_(diags) {}

  bool next(Event& ev) override {
    if (stopped_) return false;
    Source& src = tables_.sources.at(source_);
    std::string_view line;
    uint64_t ln = 0;
    size_t col0 = 0;
    while (lines_.next(line, ln, col0)) {
      size_t n = line.size();
      while (n && line[n - 1] == ' ') --n;
      if (n == 0) continue;
      line = line.substr(0, n);
      if (line[0] != '{') {
        skip(src, ln, line);
        continue;
      }
      std::string err;
      uint32_t col = 1;
      // LineReader keeps ByteBuffer::kPadding (>= SIMDJSON_PADDING) readable bytes after a line.
      int r = parseWith(parser_, line.data(), line.size(), nameField_, source_, tables_, ev, err, col);
      if (r > 0) {
        ev.origin.line = ln;
        ++src.events;
        return true;
      }
      if (r == 0) {
        skip(src, ln, line);
        continue;
      }
      auto& d = diags_.error("trace-tracing-json", Location{src.path, ln, static_cast<uint32_t>(col0 + col)}, err,
                             "each line should be one JSON object from tracing-subscriber's json formatter");
      d.snippet.assign(line.substr(0, 400));
      if (++bad_ + lines_.stats().tooLong > 1000) {
        stopped_ = true;
        return false;
      }  // this trace's own errors
    }
    stopped_ = true;
    return false;
  }

 private:
  static void skip(Source& src, uint64_t ln, std::string_view line) {
    ++src.unmatchedLines;
    if (src.unmatchedExamples.size() < kUnmatchedExamples)
      src.unmatchedExamples.emplace_back(ln, std::string(line.substr(0, kUnmatchedTextBytes)));
  }

  std::unique_ptr<Input> in_;
  LineReader lines_;
  std::string nameField_;
  uint32_t source_;
  TraceTables& tables_;
  Diagnostics& diags_;
  dom::parser parser_;
  bool stopped_ = false;
  uint64_t bad_ = 0;  // bad records reported
};

}  // namespace

int parseTracingJsonLine(std::string_view line, const std::string& nameField, uint32_t source, TraceTables& tables,
                         Event& ev, std::string& err, uint32_t& col) {
  static thread_local dom::parser parser;
  simdjson::padded_string padded(line);
  return parseWith(parser, padded.data(), padded.size(), nameField, source, tables, ev, err, col);
}

std::unique_ptr<TraceReader> openTracingJsonTrace(std::unique_ptr<Input> in, const std::string&,
                                                  const ReaderOptions& opts, uint32_t source, TraceTables& tables,
                                                  Diagnostics& diags) {
  static_assert(ByteBuffer::kPadding >= simdjson::SIMDJSON_PADDING);
  return std::make_unique<TracingJsonReader>(std::move(in), opts, source, tables, diags);
}

}  // namespace vc
