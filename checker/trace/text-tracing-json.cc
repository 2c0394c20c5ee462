#include "trace/text-tracing-json.h"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "trace/map-file.h"

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
    case dom::element_type::INT64: out = Value::ofInt(v.get_int64().value_unsafe()); return true;
    case dom::element_type::UINT64: out = Value::ofInt(static_cast<int64_t>(v.get_uint64().value_unsafe())); return true;
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
    case dom::element_type::STRING: out = Value::ofStr(std::string(v.get_string().value_unsafe())); return true;
    case dom::element_type::BOOL: out = Value::ofBool(v.get_bool().value_unsafe()); return true;
    default: return false;
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
  ev.name = tables.symbols.intern(name);
  bool haveLevel = false, haveTarget = false;
  for (auto [k, v] : fields) {
    if (k == nameField) continue;
    Field f;
    if (!scalar(v, f.value)) continue;
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
    for (auto [k, v] : span) {
      Field f;
      if (!scalar(v, f.value)) continue;
      f.key = tables.symbols.intern("span." + std::string(k));
      ev.fields.push_back(std::move(f));
    }
  }
  if (!obj["timestamp"].get_string().get(s)) {
    if (!parseTimestamp(TimeKind::Iso8601, s, ev.ts)) {
      err = "bad timestamp '" + std::string(s.substr(0, 40)) + "'";
      std::string_view whole(p, n);
      size_t at = whole.find(s);
      col = at == std::string_view::npos ? 1 : static_cast<uint32_t>(at + 1);
      return -1;
    }
    ev.hasTs = true;
  }
  int64_t tid = 0;
  if (!obj["threadId"].get_string().get(s)) {
    // "ThreadId(2)"
    size_t a = s.find('('), b = s.rfind(')');
    if (a != std::string_view::npos && b != std::string_view::npos && b > a + 1)
      parseIntField(s.substr(a + 1, b - a - 1), false, tid);
  }
  ev.thread = tables.threads.intern(source, 0, tid);
  if (!obj["threadName"].get_string().get(s)) {
    auto& t = tables.threads.at(ev.thread);
    if (t.name.empty()) t.name = std::string(s);
  }
  return 1;
}

class TracingJsonReader : public TraceReader {
 public:
  TracingJsonReader(int fd, const ReaderOptions& opts, uint32_t source, TraceTables& tables, Diagnostics& diags)
      : fd_(fd), nameField_(opts.tracingNameField), maxLine_(opts.maxLineBytes), source_(source), tables_(tables),
        diags_(diags) {
    buf_.resize((2u << 20) + simdjson::SIMDJSON_PADDING);
  }
  ~TracingJsonReader() override {
    if (fd_ > 2) ::close(fd_);
  }

  bool next(Event& ev) override {
    if (stopped_) return false;
    const std::string& path = tables_.sources.at(source_).path;
    for (;;) {
      char* nl = static_cast<char*>(std::memchr(buf_.data() + begin_, '\n', end_ - begin_));
      if (!nl) {
        if (end_ - begin_ > maxLine_) {
          if (!skipping_)
            diags_.warning("trace-line-too-long", Location{path, line_ + 1, 0}, "line too long: skipped");
          skipping_ = true;
          begin_ = end_;
        }
        if (fill()) continue;
        if (begin_ == end_) { stopped_ = true; return false; }
        nl = buf_.data() + end_;
      }
      char* p = buf_.data() + begin_;
      size_t n = static_cast<size_t>(nl - p);
      begin_ = std::min(end_, static_cast<size_t>(nl - buf_.data()) + 1);
      uint64_t ln = ++line_;
      if (skipping_) { skipping_ = false; continue; }
      while (n && (p[n - 1] == '\r' || p[n - 1] == ' ')) --n;
      if (n == 0) continue;
      if (p[0] != '{') { ++skipped_; continue; }
      std::string err;
      uint32_t col = 1;
      // The buffer keeps SIMDJSON_PADDING bytes after end_, so the span may be parsed in place.
      int r = parseWith(parser_, p, n, nameField_, source_, tables_, ev, err, col);
      if (r > 0) { ev.origin.line = ln; return true; }
      if (r == 0) { ++skipped_; continue; }
      auto& d = diags_.error("trace-tracing-json", Location{path, ln, col}, err,
                             "each line should be one JSON object from tracing-subscriber's json formatter");
      d.snippet.assign(p, std::min<size_t>(n, 400));
      if (diags_.errorCount() > 1000) { stopped_ = true; return false; }
    }
  }

 private:
  bool fill() {
    if (eof_) return false;
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    size_t cap = buf_.size() - simdjson::SIMDJSON_PADDING;
    if (cap - end_ < (512u << 10)) {
      buf_.resize(buf_.size() * 2);
      cap = buf_.size() - simdjson::SIMDJSON_PADDING;
    }
    for (;;) {
      ssize_t n = ::read(fd_, buf_.data() + end_, cap - end_);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) { eof_ = true; return false; }
      end_ += static_cast<size_t>(n);
      return true;
    }
  }

  int fd_;
  std::string nameField_;
  size_t maxLine_;
  uint32_t source_;
  TraceTables& tables_;
  Diagnostics& diags_;
  dom::parser parser_;
  std::string buf_;
  size_t begin_ = 0, end_ = 0;
  uint64_t line_ = 0, skipped_ = 0;
  bool eof_ = false, stopped_ = false, skipping_ = false;
};

}  // namespace

int parseTracingJsonLine(std::string_view line, const std::string& nameField, uint32_t source, TraceTables& tables,
                         Event& ev, std::string& err, uint32_t& col) {
  static thread_local dom::parser parser;
  simdjson::padded_string padded(line);
  return parseWith(parser, padded.data(), padded.size(), nameField, source, tables, ev, err, col);
}

std::unique_ptr<TraceReader> openTracingJsonTrace(const std::string& path, const ReaderOptions& opts, uint32_t source,
                                                  TraceTables& tables, Diagnostics& diags) {
  int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    diags.error("trace-open", Location{path, 0, 0}, "cannot open the trace file", "check the path and permissions");
    return nullptr;
  }
  return std::make_unique<TracingJsonReader>(fd, opts, source, tables, diags);
}

}  // namespace vc
