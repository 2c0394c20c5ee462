// vconform JSON traces with simdjson's On Demand API.
//
// JSON Lines: whole-line blocks of about 1 MiB from the shared line layer (trace/input.h) go
// through ondemand::parser::iterate_many, one document per event, no DOM; names and field keys
// go through a small cache in front of the symbol table. A block where iterate_many meets a
// syntax error is finished line by line (the DOM parser then gives the message and the column,
// as before), so one bad line costs nothing to the others.
// Arrays and {"events": [...]}: a string-aware scanner cuts one element at a time out of the
// stream (the buffer never holds the whole file) and each is parsed On Demand; the punctuation
// between elements, the closing ']' and '}' and anything after them are checked strictly.
#include "trace/json-reader.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "trace/input.h"

namespace vc {

namespace {

namespace dom = simdjson::dom;
namespace od = simdjson::ondemand;

constexpr size_t kBlock = size_t{1} << 20;

struct RecordError {
  std::string msg;
  size_t offset = SIZE_MAX;  // byte offset in the record, when known
  std::string help;
  std::string key;         // the key whose value is wrong, to point at it
  bool syntax = false;     // the record is not valid JSON (ask the DOM parser for the details)
  bool duplicate = false;  // point at the second occurrence of `key` itself
  bool meta = false;       // the record is the trace's metadata record (an error only if msg is set)
};

// {"meta": {"recorder": "backend" | ["a", "b"], "device": "rng", ...}}: what recorded the trace
// and the device type it is of (docs/trace-format.md). Other metadata keys are the writer's own.
bool readMeta(od::value v, Source& src, RecordError& e) {
  od::object mo;
  if (v.get_object().get(mo)) {
    e.msg = "'meta' must be an object";
    e.key = "meta";
    return false;
  }
  for (auto mf : mo) {
    std::string_view mk;
    od::value mv;
    if (mf.unescaped_key().get(mk) || mf.value().get(mv)) {
      e.msg = "not valid JSON";
      e.syntax = true;
      return false;
    }
    if (mk == "device") {
      std::string_view dev;
      if (mv.get_string().get(dev) || dev.empty()) {
        e.msg = "'device' must be a non-empty string";
        e.help = R"(the device type the trace is of, e.g. {"meta": {"recorder": "backend", "device": "rng"}})";
        e.key = "device";
        return false;
      }
      src.device.assign(dev);
      continue;
    }
    if (mk != "recorder") continue;
    auto bad = [&] {
      e.msg = "'recorder' must be a non-empty string or an array of them";
      e.help = R"(e.g. {"meta": {"recorder": "backend"}})";
      e.key = "recorder";
      return false;
    };
    std::string_view one;
    od::array many;
    if (mv.get_string().get(one) == simdjson::SUCCESS) {
      if (one.empty()) return bad();
      src.recorders.emplace_back(one);
    } else if (mv.get_array().get(many) == simdjson::SUCCESS) {
      for (auto item : many) {
        if (item.get_string().get(one) || one.empty()) return bad();
        src.recorders.emplace_back(one);
      }
    } else {
      return bad();
    }
  }
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
    auto byte = [&s](size_t i) -> size_t { return static_cast<unsigned char>(s[i]); };
    size_t h = (s.size() * 131 + byte(0) * 31 + byte(s.size() - 1) * 7 + (s.size() > 2 ? byte(2) : 0) +
                (salt ? size_t{257} : 0)) %
               kSlots;
    if (sym[h] != 0 && text[h] == s) return sym[h] - 1;
    Symbol x = table.intern(s);
    text[h].assign(s);
    sym[h] = x + 1;
    return x;
  }
};

// The common case of readInt, without simdjson's number parser (about a third of the reader's
// time went there, timestamps being 19 digits): a JSON integer token that fits int64_t, that is
// '-'? then '0' or [1-9][0-9]{0,18}, followed by the end of the token (white space, ',', '}' or
// ']'). Anything else (fractions, exponents, leading zeros, overflow, bad bytes) returns false
// and goes through simdjson, with its errors, as before. The token is left unconsumed: the
// object iterator skips it.
inline bool fastInt(std::string_view tok, int64_t& out) {
  const char* p = tok.data();
  const char* end = p + tok.size();
  bool neg = false;
  if (p != end && *p == '-') neg = true, ++p;
  if (p == end || static_cast<unsigned>(*p - '0') > 9) return false;
  const char* first = p;
  uint64_t u = 0;
  // Eight digits at a time while the token has eight more bytes and they are all digits
  // (a timestamp is 19): bytes d0..d7, d0 the most significant digit, in a little-endian word.
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    uint64_t d = w - 0x3030303030303030ULL;  // each byte: its digit, if it was one
    // A byte is a digit iff it is 0x30..0x3F (high nibble 3) and adding 6 keeps it below 0x40 (no
    // carry between bytes once every high nibble is 3).
    if ((w & 0xF0F0F0F0F0F0F0F0ULL) != 0x3030303030303030ULL ||
        ((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) != 0x3030303030303030ULL)
      break;
    d = (d * 10 + (d >> 8)) & 0x00FF00FF00FF00FFULL;    // pairs:  d0d1, d2d3, ... (< 100)
    d = (d * 100 + (d >> 16)) & 0x0000FFFF0000FFFFULL;  // quads:  d0..d3, d4..d7 (< 10^4)
    d = (d * 10000 + (d >> 32)) & 0xFFFFFFFFULL;        // d0..d7 (< 10^8)
    if (p - first > 8) return false;                    // a third chunk: 24 digits or more
    u = u * 100000000ULL + d;
    p += 8;
  }
  // At most 7 more (the loop above stopped short of 8 digits); more than 19 in all wrap `u`
  // (unsigned, harmless) and are refused just below.
  while (p != end && static_cast<unsigned>(*p - '0') <= 9) u = u * 10 + static_cast<unsigned>(*p++ - '0');
  size_t digits = static_cast<size_t>(p - first);
  if (digits > 19 || (digits > 1 && *first == '0')) return false;
  if (p != end && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != ',' && *p != '}' && *p != ']')
    return false;
  // 19 digits cannot wrap a uint64_t (< 1e19 < 2^64); beyond int64_t: simdjson's path decides.
  if (u > static_cast<uint64_t>(INT64_MAX) + (neg ? 1 : 0)) return false;
  out = neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
  return true;
}

// Reads an integer value: signed 64-bit, or an integral double. An unsigned value above 2^63-1
// keeps its bit pattern where keepBits says so (field values: feature masks), and is an error
// elsewhere (a timestamp, pid, tid or id would silently become negative). Every error names the
// key.
bool readInt(od::value v, int64_t& out, RecordError& e, std::string_view what, bool keepBits = false) {
  if (fastInt(v.raw_json_token(), out)) return true;
  if (!v.get_int64().get(out)) return true;  // other numbers below
  e.key = what;
  const std::string q = "'" + std::string(what) + "'";
  auto tooWide = [&] {
    e.msg = q + " does not fit in 64 bits";
    e.help = "integers are signed 64-bit (-2^63 to 2^63-1); field values may also be unsigned 64-bit";
    return false;
  };
  od::number_type t;
  if (v.get_number_type().get(t)) {
    e.msg = q + " must be an integer";
    return false;
  }
  switch (t) {
    case od::number_type::signed_integer:
      return !v.get_int64().get(out) || tooWide();
    case od::number_type::unsigned_integer: {
      uint64_t u = 0;
      if (v.get_uint64().get(u)) return tooWide();
      if (!keepBits) {
        e.msg = q + " is beyond 2^63-1 (" + std::to_string(u) + ")";
        e.help = "timestamps, pids, tids and ids are signed 64-bit integers";
        return false;
      }
      out = static_cast<int64_t>(u);
      return true;
    }
    case od::number_type::floating_point_number: {
      double d = 0;
      if (v.get_double().get(d)) {
        e.msg = q + " is not a valid number";
        e.syntax = true;
        return false;
      }
      if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d))) {
        out = static_cast<int64_t>(d);
        return true;
      }
      e.msg = q + " must be an integer, got " + std::to_string(d);
      e.help = "timestamps are integer nanoseconds; fields hold integers, strings or booleans";
      return false;
    }
  }
  return tooWide();  // a number type this simdjson does not name (a big integer)
}

bool readScalar(od::value v, Value& out, RecordError& e, std::string_view key) {
  // e.key names the field in an error only (setting it for every field cost a string copy each).
  od::json_type t;
  if (v.type().get(t)) {
    e.key = key;
    e.msg = "not valid JSON";
    e.syntax = true;
    return false;
  }
  switch (t) {
    case od::json_type::number:
      out.kind = Value::Kind::Int;
      return readInt(v, out.i, e, key, /*keepBits=*/true);
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) {
        e.key = key;
        e.msg = "not valid JSON";
        e.syntax = true;
        return false;
      }
      out.kind = Value::Kind::Str;
      out.s.assign(s);
      return true;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (v.get_bool().get(b)) {
        e.key = key;
        e.msg = "not valid JSON";
        e.syntax = true;
        return false;
      }
      out.kind = Value::Kind::Bool;
      out.i = b;
      return true;
    }
    default:
      e.key = key;
      e.msg = "field '" + std::string(key) + "' must be an integer, a string or a boolean";
      e.help = "flatten nested values into several fields";
      return false;
  }
}

// An id, in `id` or in an `after` list (key: which of the two): an integer or a string, nothing
// else (a boolean was the id "1": an edge to an unrelated event).
bool readId(od::value v, std::string& out, RecordError& e, std::string_view key) {
  od::json_type t;
  if (v.type().get(t)) {
    e.msg = "not valid JSON";
    e.syntax = true;
    return false;
  }
  if (t == od::json_type::number) {
    int64_t i = 0;
    if (!readInt(v, i, e, key)) return false;
    out = std::to_string(i);
    return true;
  }
  std::string_view s;
  if (t != od::json_type::string || v.get_string().get(s)) {
    e.key = key;
    e.msg = key == "after" ? "'after' ids must each be an integer or a string"
                           : "'" + std::string(key) + "' must be an integer or a string";
    e.help = key == "after" ? R"(e.g. "after": [17, "send-3"])" : R"(e.g. "id": 17 or "id": "send-3")";
    return false;
  }
  out.assign(s);
  return true;
}

// The keys of an event object vconform reads; a second occurrence of any key is an error.
enum KeyBit : uint32_t {
  kName = 1,
  kTs = 2,
  kPid = 4,
  kTid = 8,
  kThread = 16,
  kFields = 32,
  kId = 64,
  kAfter = 128,
  kMeta = 256
};

// One event object, already started On Demand. The scratch vectors are reused across events.
// The thread of the previous event: most events repeat it.
struct ThreadCache {
  bool valid = false;
  int64_t pid = 0, tid = 0;
  uint32_t thread = 0;
};

bool readEvent(od::object obj, uint32_t sourceIndex, TraceTables& tables, Event& ev, RecordError& e, NameCache& names,
               std::vector<std::string>& otherKeys, ThreadCache& tc) {
  ev.clear();
  ev.origin.source = sourceIndex;
  uint32_t seen = 0;
  otherKeys.clear();
  int64_t pid = 0, tid = 0;
  std::string_view threadName;  // in the parser's string buffer: valid for the whole document
  auto once = [&](uint32_t bit, std::string_view key) {
    if (seen & bit) {
      e.msg = "duplicate key '" + std::string(key) + "' in an event";
      e.help = "each key may appear once in an event object";
      e.key = key;
      e.duplicate = true;
      return false;
    }
    seen |= bit;
    return true;
  };
  for (auto field : obj) {
    // The key as written (between its quotes; escapes kept): the known keys have none, so
    // comparing raw bytes is exact and needs no copy.
    od::raw_json_string rk;
    if (field.key().get(rk)) {
      e.msg = "not valid JSON";
      e.syntax = true;
      return false;
    }
    std::string_view key;
    const char* kp = rk.raw();
    switch (kp[0]) {  // the keys vconform reads, compared in place
      case 'n':
        if (rk.unsafe_is_equal("name")) key = "name";
        break;
      case 't':
        if (rk.unsafe_is_equal("ts"))
          key = "ts";
        else if (rk.unsafe_is_equal("tid"))
          key = "tid";
        else if (rk.unsafe_is_equal("thread"))
          key = "thread";
        break;
      case 'p':
        if (rk.unsafe_is_equal("pid")) key = "pid";
        break;
      case 'f':
        if (rk.unsafe_is_equal("fields")) key = "fields";
        break;
      case 'i':
        if (rk.unsafe_is_equal("id")) key = "id";
        break;
      case 'a':
        if (rk.unsafe_is_equal("after")) key = "after";
        break;
      case 'm':
        if (rk.unsafe_is_equal("meta")) key = "meta";
        break;
      default:
        break;
    }
    if (key.empty()) {  // another key, as written (escapes kept)
      size_t kn = 0;
      while (kp[kn] != '"') kn += kp[kn] == '\\' ? 2 : 1;
      key = std::string_view(kp, kn);
      if (key.empty()) key = "\"\"";
    }
    od::value v;
    if (field.value().get(v)) {
      e.msg = "not valid JSON";
      e.syntax = true;
      return false;
    }
    if (key == "meta" && seen == 0 && otherKeys.empty()) {
      // The metadata record: {"meta": {...}} and nothing else. (A "meta" key after others is
      // one of an event's own keys.)
      if (!readMeta(v, tables.sources.at(sourceIndex), e)) return false;
      seen |= kMeta;
    } else if (seen & kMeta) {
      e.msg = "a metadata record is {\"meta\": {...}} and nothing else";
      e.key = key;
      return false;
    } else if (key == "name") {
      if (!once(kName, key)) return false;
      std::string_view s;
      if (v.get_string().get(s) || s.empty()) {
        e.msg = "'name' must be a non-empty string";
        e.key = key;
        return false;
      }
      ev.name = names.get(0, s, tables.symbols);
    } else if (key == "ts") {
      if (!once(kTs, key) || !readInt(v, ev.ts, e, "ts")) return false;
      ev.hasTs = true;
    } else if (key == "pid") {
      if (!once(kPid, key) || !readInt(v, pid, e, "pid")) return false;
    } else if (key == "tid") {
      if (!once(kTid, key) || !readInt(v, tid, e, "tid")) return false;
    } else if (key == "thread") {
      if (!once(kThread, key)) return false;
      if (v.get_string().get(threadName)) {
        e.msg = "'thread' must be a string";
        e.key = key;
        return false;
      }
    } else if (key == "fields") {
      if (!once(kFields, key)) return false;
      od::object fo;
      if (v.get_object().get(fo)) {
        e.msg = "'fields' must be an object";
        e.help = R"(write fields as "fields": {"vring": 0, "enable": 1})";
        e.key = key;
        return false;
      }
      size_t slot = 1;
      for (auto ff : fo) {
        std::string_view fk;
        od::value fv;
        if (ff.unescaped_key().get(fk) || ff.value().get(fv)) {
          e.msg = "not valid JSON";
          e.syntax = true;
          return false;
        }
        Symbol k = names.get(slot++, fk, tables.symbols);
        for (const auto& f : ev.fields)
          if (f.key == k) {
            e.msg = "duplicate field '" + std::string(fk) + "' in an event";
            e.help = "each field may appear once in \"fields\"";
            e.key = fk;
            e.duplicate = true;
            return false;
          }
        ev.fields.emplace_back();
        Field& f = ev.fields.back();
        f.key = k;
        if (!readScalar(fv, f.value, e, fk)) return false;
      }
    } else if (key == "id") {
      if (!once(kId, key) || !readId(v, ev.id, e, "id")) return false;
    } else if (key == "after") {
      if (!once(kAfter, key)) return false;
      od::array arr;
      if (v.get_array().get(arr)) {
        e.msg = "'after' must be an array of event ids";
        e.key = key;
        return false;
      }
      for (auto item : arr) {
        od::value iv;
        if (item.get(iv)) {
          e.msg = "not valid JSON";
          e.syntax = true;
          return false;
        }
        std::string s;
        if (!readId(iv, s, e, "after")) return false;
        ev.after.push_back(std::move(s));
      }
    } else {
      // Other keys are ignored so that writers may add metadata (docs/trace-format.md); they
      // may not repeat either.
      for (const auto& k : otherKeys)
        if (k == key) {
          e.msg = "duplicate key '" + std::string(key) + "' in an event";
          e.help = "each key may appear once in an event object";
          e.key = key;
          e.duplicate = true;
          return false;
        }
      otherKeys.emplace_back(key);
    }
  }
  e.key.clear();
  if (seen & kMeta) {
    e.meta = true;  // not an event; the caller takes it if it is the first record
    return false;
  }
  if (!(seen & kName)) {
    e.msg = "event has no 'name'";
    e.help = R"(every event needs "name": "<event name>")";
    return false;
  }
  if (!(seen & kTid)) tid = pid;
  if (!tc.valid || tc.pid != pid || tc.tid != tid) {
    tc.thread = tables.threads.intern(sourceIndex, pid, tid);
    tc.pid = pid;
    tc.tid = tid;
    tc.valid = true;
  }
  ev.thread = tc.thread;
  if (!threadName.empty()) tables.threads.nameIfUnnamed(ev.thread, threadName);
  return true;
}

// Where a syntax error is, and simdjson's DOM words for it (the DOM parser validates the whole
// record; nlohmann::json gives the byte).
void syntaxError(const char* p, size_t n, dom::parser& domParser, RecordError& e) {
  dom::element doc;
  auto err = domParser.parse(reinterpret_cast<const uint8_t*>(p), n, false).get(doc);
  e.msg = std::string("not valid JSON: ") + simdjson::error_message(err ? err : simdjson::TAPE_ERROR);
  e.offset = SIZE_MAX;
  e.key.clear();
  try {
    auto j = nlohmann::json::parse(p, p + n);
    (void)j;
  } catch (const nlohmann::json::parse_error& ex) {
    e.offset = ex.byte > 0 ? ex.byte - 1 : 0;
  } catch (...) {
  }
}

// One record (a line, or an array element) on its own. `p` is followed by readable padding.
// The DOM parser checks the whole record first (one JSON value and nothing after it, with
// simdjson's words for what is wrong); the event is then read On Demand.
bool parseOne(const char* p, size_t n, od::parser& parser, dom::parser& domParser, uint32_t sourceIndex,
              TraceTables& tables, Event& ev, RecordError& e, NameCache& names, std::vector<std::string>& keys,
              ThreadCache& tc) {
  dom::element d;
  if (domParser.parse(reinterpret_cast<const uint8_t*>(p), n, false).get(d)) {
    syntaxError(p, n, domParser, e);
    return false;
  }
  if (!d.is_object()) {
    e.msg = "an event must be a JSON object";
    e.offset = 0;
    return false;
  }
  od::document doc;
  od::object obj;
  if (parser.iterate(p, n, n + simdjson::SIMDJSON_PADDING).get(doc) || doc.get_object().get(obj)) {
    syntaxError(p, n, domParser, e);
    return false;
  }
  bool ok = readEvent(obj, sourceIndex, tables, ev, e, names, keys, tc);
  if (!ok && e.syntax) syntaxError(p, n, domParser, e);
  return ok;
}

}  // namespace

struct JsonTraceReader::Impl {
  std::unique_ptr<Input> in;
  uint32_t source = 0;
  TraceTables& tables;
  Diagnostics& diags;
  LineReader lines;
  ByteBuffer& bb;  // the line reader's buffer; array mode reads it directly
  od::parser parser{size_t{4} << 30};
  od::parser lineParser;  // single records (array elements, lines of a block after an error)
  dom::parser domParser;  // messages for syntax errors
  NameCache names;
  std::vector<std::string> keys;
  ThreadCache threadCache;
  enum class Mode { Unknown, Lines, Array } mode = Mode::Unknown;
  bool wrapped = false;  // {"events": [...]}
  bool stopped = false;
  bool seenRecord = false;                 // the first record may be the metadata record
  bool primed = false, hasPrimed = false;  // the first event, read at open (see the constructor)
  uint64_t reported = 0;                   // bad records reported
  Event primedEvent;

  // Lines mode: the current block and where iterate_many is in it.
  std::string_view block;
  uint64_t blockLine = 0;  // line number of block[0]
  bool haveBlock = false, slow = false;
  od::document_stream stream;
  od::document_stream::iterator it, itEnd;
  size_t lineOff = 0;  // offset of the start of line `lineNo` in the block
  uint64_t lineNo = 0;
  uint64_t lastDocLine = 0;  // line of the last document handled from the stream (0: none)
  size_t lastDocOff = 0;     // offset of the start of that line
  size_t resumeOff = 0;      // slow mode: the next line to read
  uint64_t resumeLine = 0;

  // Array mode.
  uint64_t line = 1;  // line number of bb.data()[0]
  bool arrayDone = false, expectComma = false;

  Impl(std::unique_ptr<Input> input, uint32_t s, TraceTables& t, Diagnostics& d, const ReaderOptions& o)
      : in(std::move(input)), source(s), tables(t), diags(d), lines(*in, d, o.maxLineBytes), bb(lines.buffer()) {}

  const std::string& path() const { return tables.sources.at(source).path; }

  void report(uint64_t ln, const char* lineStart, size_t lineLen, const RecordError& e) {
    uint32_t col = 1;
    size_t off = e.offset;
    if (off == SIZE_MAX && !e.key.empty() && e.duplicate) {
      // Point at the key's second occurrence.
      std::string_view l(lineStart, lineLen);
      std::string quoted = "\"" + e.key + "\"";
      size_t k = l.find(quoted);
      if (k != std::string_view::npos) k = l.find(quoted, k + 1);
      if (k != std::string_view::npos) off = k;
    } else if (off == SIZE_MAX && !e.key.empty()) {
      // Point at the offending key's value.
      std::string_view l(lineStart, lineLen);
      size_t k = l.find("\"" + e.key + "\"");
      if (k != std::string_view::npos) {
        size_t colon = l.find(':', k + e.key.size() + 2);
        off = colon == std::string_view::npos ? k : l.find_first_not_of(" \t", colon + 1);
      }
    }
    if (off != SIZE_MAX && off <= lineLen) col = static_cast<uint32_t>(off) + 1;
    ++reported;
    auto& d = diags.error("trace-json", Location{path(), ln, col}, e.msg,
                          e.help.empty() ? "each line must be one JSON object, see docs/trace-format.md" : e.help);
    d.snippet.assign(lineStart, std::min<size_t>(lineLen, 200));
  }
  // The first record may be the metadata record: taken (true), or, later, an error (false).
  bool takeMeta(RecordError& e) {
    const bool first = !seenRecord;
    seenRecord = true;
    if (!e.meta || !e.msg.empty()) return false;
    if (first) return true;
    e.msg = "a metadata record must be the trace's first record";
    e.help = "move the {\"meta\": ...} line to the top of the file";
    return false;
  }
  // A trace with more than 1000 bad records (its own: other traces' errors do not count) stops.
  bool tooMany() {
    if (reported + lines.stats().tooLong > 1000) stopped = true;
    return stopped;
  }
  void delivered(Event& ev, uint64_t ln) {
    seenRecord = true;
    ev.origin.line = ln;
    ++tables.sources.at(source).events;
  }

  // JSON Lines, or one array / {"events": [...]} document? Decided from the first bytes, peeked.
  void detect() {
    std::string_view head = in->peek(4096);
    size_t i = 0;
    if (head.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
    uint64_t nl = 0;
    auto blanks = [&](size_t& j) {
      while (j < head.size() && std::isspace(static_cast<unsigned char>(head[j]))) {
        if (head[j] == '\n') ++nl;
        ++j;
      }
    };
    blanks(i);
    mode = Mode::Lines;
    size_t start = 0;
    if (i < head.size() && head[i] == '[') {
      mode = Mode::Array;
      start = i + 1;
    } else if (i < head.size() && head[i] == '{') {
      // {"events": [ ... ]} wrapper? ("events" must be the first key.)
      size_t j = i + 1;
      blanks(j);
      static const char kEv[] = "\"events\"";
      if (head.size() - j >= sizeof(kEv) - 1 && head.compare(j, sizeof(kEv) - 1, kEv) == 0) {
        j += sizeof(kEv) - 1;
        blanks(j);
        if (j < head.size() && head[j] == ':') {
          ++j;
          blanks(j);
          if (j < head.size() && head[j] == '[') {
            mode = Mode::Array;
            wrapped = true;
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
      while (bb.size() < start && fill()) {
      }
      bb.consume(std::min(start, bb.size()));
      line += nl;
    }
  }

  // ---- JSON Lines

  bool startBlock() {
    if (!lines.nextBlock(block, blockLine, kBlock, false)) return false;
    haveBlock = true;
    slow = false;
    lineOff = 0;
    lineNo = blockLine;
    lastDocLine = 0;
    // One batch for the whole block (no lookahead thread); the block holds whole lines, so the
    // largest document fits.
    size_t batch = std::max<size_t>(block.size() + 1, simdjson::dom::MINIMAL_BATCH_SIZE);
    if (parser.iterate_many(block.data(), block.size(), batch).get(stream)) {
      enterSlow(0, blockLine);
      return true;
    }
    it = stream.begin();
    itEnd = stream.end();
    return true;
  }

  void enterSlow(size_t off, uint64_t ln) {
    slow = true;
    resumeOff = off;
    resumeLine = ln;
  }

  // Advances lineOff/lineNo to the line holding byte `off` of the block.
  void lineAt(size_t off) {
    const char* p = block.data();
    for (;;) {
      const char* nl = static_cast<const char*>(std::memchr(p + lineOff, '\n', off - lineOff));
      if (!nl) return;
      lineOff = static_cast<size_t>(nl - p) + 1;
      ++lineNo;
    }
  }
  size_t lineEnd(size_t from) const {
    const char* nl = static_cast<const char*>(std::memchr(block.data() + from, '\n', block.size() - from));
    return nl ? static_cast<size_t>(nl - block.data()) : block.size();
  }
  std::string_view lineText(size_t start) const {
    size_t e = lineEnd(start);
    std::string_view l = block.substr(start, e - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  }

  // The rest of a block, one line at a time (after iterate_many met an error).
  bool slowLine(Event& ev) {
    while (resumeOff < block.size()) {
      size_t start = resumeOff;
      size_t end = lineEnd(start);
      uint64_t ln = resumeLine++;
      resumeOff = end + 1;
      std::string_view l = block.substr(start, end - start);
      size_t n = l.size();
      while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t')) --n;
      size_t lead = 0;
      while (lead < n && (l[lead] == ' ' || l[lead] == '\t')) ++lead;
      if (lead == n) continue;
      RecordError e;
      if (parseOne(l.data(), n, lineParser, domParser, source, tables, ev, e, names, keys, threadCache)) {
        delivered(ev, ln);
        return true;
      }
      if (takeMeta(e)) continue;
      report(ln, l.data(), n, e);
      if (tooMany()) return false;
    }
    endBlock();
    return false;
  }

  // The block is done: tell the line layer how many lines it held.
  void endBlock() {
    uint64_t n;
    if (slow) {
      n = resumeLine - blockLine;
    } else {
      lineAt(block.size());
      n = lineNo - blockLine + (!block.empty() && block.back() != '\n' ? 1 : 0);
    }
    lines.addLines(n);
    haveBlock = false;
  }

  bool nextLine(Event& ev) {
    for (;;) {
      if (stopped) return false;
      if (!haveBlock && !startBlock()) return false;
      if (slow) {
        if (slowLine(ev)) return true;
        if (stopped) return false;
        continue;
      }
      if (!(it != itEnd)) {
        // Bytes iterate_many could not place in a document (an unfinished one): read them
        // line by line for a precise error.
        size_t trunc = stream.truncated_bytes();
        if (trunc > 0) {
          enterSlow(nextLineAfterLastDoc(), lastDocLine ? lastDocLine + 1 : blockLine);
          continue;
        }
        if (lastDocLine) checkOneLine(block.size());
        endBlock();
        continue;
      }
      size_t idx = it.current_index();
      od::document_reference doc;
      if ((*it).get(doc) || idx >= block.size()) {
        enterSlow(nextLineAfterLastDoc(), lastDocLine ? lastDocLine + 1 : blockLine);
        continue;
      }
      lineAt(idx);
      uint64_t ln = lineNo;
      if (lastDocLine && ln - lastDocLine >= 2) checkOneLine(lineOff);
      if (ln == lastDocLine) {
        // Two documents on one line: JSON Lines holds one per line. The slow path reports it
        // with its column and reads the rest of the block.
        enterSlow(lineOff, ln);
        lastDocLine = ln - 1;
        continue;
      }
      od::json_type t;
      od::object obj;
      RecordError e;
      bool ok = false;
      if (doc.type().get(t) || t != od::json_type::object || doc.get_object().get(obj)) {
        enterSlow(lineOff, ln);
        continue;
      }
      ok = readEvent(obj, source, tables, ev, e, names, keys, threadCache);
      if (!ok && e.syntax) {
        enterSlow(lineOff, ln);
        continue;
      }
      lastDocLine = ln;
      lastDocOff = lineOff;
      ++it;
      if (ok) {
        delivered(ev, ln);
        return true;
      }
      if (takeMeta(e)) continue;
      std::string_view l = lineText(lineOff);
      report(ln, l.data(), l.size(), e);
      if (tooMany()) return false;
    }
  }
  // Between the end of the last document's line and `upto` (the start of the next document's
  // line, or the end of the block) there may only be blank lines: anything else means that
  // document went on over several lines, which JSON Lines does not allow.
  void checkOneLine(size_t upto) {
    size_t e = lineEnd(lastDocOff);
    for (size_t k = e; k < upto; ++k) {
      char c = block[k];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
      RecordError err{"this event goes on over several lines",
                      SIZE_MAX,
                      "JSON Lines holds one event per line: write each event on one line, or use a JSON array",
                      {},
                      false};
      std::string_view l = lineText(lastDocOff);
      report(lastDocLine, l.data(), l.size(), err);
      return;
    }
  }

  // Offset of the line after the last document handled (or of the block's start).
  size_t nextLineAfterLastDoc() {
    if (lastDocLine == 0) {
      lineOff = 0;
      lineNo = blockLine;
      return 0;
    }
    // lineOff is the start of lastDocLine (documents are handled in order).
    size_t e = lineEnd(lineOff);
    return std::min(block.size(), e + 1);
  }

  // ---- Arrays and {"events": [...]}

  bool fill() {
    if (bb.fill()) return true;
    if (in->failed() && !stopped) {
      diags.error("trace-read", Location{path(), line, 0}, in->error(),
                  "the events before this point were read; the rest of the trace could not be");
      stopped = true;
    }
    return false;
  }

  // Skips white space (counting lines); false at the end of the input. Column of bb.data()[0]
  // is not tracked (errors after the array point at the line).
  bool skipBlanks() {
    size_t i = 0;
    for (;;) {
      if (i == bb.size()) {
        bb.consume(i);
        i = 0;
        if (!fill()) return false;
        continue;
      }
      char c = bb.data()[i];
      if (c == '\n') {
        ++line;
        ++i;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i;
        continue;
      }
      bb.consume(i);
      return true;
    }
  }

  void arrayError(const std::string& msg, const std::string& help) {
    std::string_view rest(bb.data(), std::min<size_t>(bb.size(), 80));
    size_t nl = rest.find('\n');
    if (nl != std::string_view::npos) rest = rest.substr(0, nl);
    auto& d = diags.error("trace-json", Location{path(), line, 0}, msg, help);
    d.snippet.assign(rest);
    stopped = true;
  }

  // After the array's ']': the wrapper's '}', then nothing but white space.
  void checkAfterArray() {
    if (wrapped) {
      if (!skipBlanks()) {
        if (!stopped)
          diags.error("trace-json", Location{path(), line, 0}, "the {\"events\": [...]} object is not closed",
                      "the file may be truncated; end it with '}'");
        stopped = true;
        return;
      }
      if (bb.data()[0] == ',') {
        arrayError("keys after \"events\" are not read", "put \"events\" last in the object, or drop the other keys");
        return;
      }
      if (bb.data()[0] != '}') {
        arrayError("expected '}' to close the {\"events\": [...]} object", "");
        return;
      }
      bb.consume(1);
    }
    if (skipBlanks())
      arrayError(wrapped ? "content after the {\"events\": [...]} object" : "content after the JSON array's ']'",
                 "a JSON trace holds one array (or object); for several, use JSON Lines or pass several files");
  }

  bool nextArrayItem(Event& ev) {
    for (;;) {
      if (stopped || arrayDone) return false;
      if (!skipBlanks()) {
        if (!stopped)
          diags.error("trace-json", Location{path(), line, 0}, "the JSON array is not closed",
                      "the file may be truncated; end it with ']'");
        stopped = true;
        return false;
      }
      char c = bb.data()[0];
      if (c == ']') {
        arrayDone = true;
        bb.consume(1);
        checkAfterArray();
        return false;
      }
      if (expectComma) {
        if (c != ',') {
          arrayError("expected ',' or ']' after an event in the array", "separate the events of an array with commas");
          return false;
        }
        bb.consume(1);
        expectComma = false;
        if (!skipBlanks()) continue;  // reports "not closed"
        c = bb.data()[0];
        if (c == ']') {
          arrayError("a ',' before ']': an element is missing", "remove the trailing comma");
          return false;
        }
      }
      if (c != '{') {
        arrayError("expected an event object in the array", "");
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
            RecordError e{
                "unterminated event object at the end of the file", SIZE_MAX, "the file may be truncated", {}, false};
            report(startLine, bb.data(), std::min<size_t>(bb.size(), 80), e);
            stopped = true;
            return false;
          }
          continue;
        }
        char ch = bb.data()[j++];
        if (ch == '\n') ++nlines;
        if (inStr) {
          if (esc)
            esc = false;
          else if (ch == '\\')
            esc = true;
          else if (ch == '"')
            inStr = false;
          continue;
        }
        if (ch == '"')
          inStr = true;
        else if (ch == '{' || ch == '[')
          ++depth;
        else if (ch == '}' || ch == ']') {
          if (--depth == 0) break;
        }
      }
      const char* p = bb.data();
      bb.consume(j);
      line += nlines;
      expectComma = true;
      // ByteBuffer keeps kPadding readable bytes after its valid ones, so the span is padded.
      RecordError e;
      if (parseOne(p, j, lineParser, domParser, source, tables, ev, e, names, keys, threadCache)) {
        delivered(ev, startLine);
        return true;
      }
      if (takeMeta(e)) continue;
      report(startLine, p, j, e);
      if (tooMany()) return false;
    }
  }
};

JsonTraceReader::JsonTraceReader(std::unique_ptr<Input> in, uint32_t sourceIndex, TraceTables& tables,
                                 Diagnostics& diags, const ReaderOptions& opts)
    : impl_(std::make_unique<Impl>(std::move(in), sourceIndex, tables, diags, opts)) {
  // Read up to the first event now, so that a metadata record (the first record) is known once
  // the trace is open: it says which recorder made the trace, which selects its sync files.
  impl_->hasPrimed = next(impl_->primedEvent);
  impl_->primed = true;
}

JsonTraceReader::~JsonTraceReader() = default;

bool JsonTraceReader::next(Event& ev) {
  auto& m = *impl_;
  if (m.primed && m.hasPrimed) {
    m.hasPrimed = false;
    swap(ev, m.primedEvent);
    return true;
  }
  if (m.stopped) return false;
  if (m.mode == Impl::Mode::Unknown) {
    m.detect();
    if (m.stopped) return false;
  }
  return m.mode == Impl::Mode::Lines ? m.nextLine(ev) : m.nextArrayItem(ev);
}

bool parseJsonEvent(std::string_view text, uint32_t sourceIndex, TraceTables& tables, Event& ev, std::string& err,
                    uint32_t& errCol, std::string& help) {
  static thread_local od::parser parser;
  static thread_local dom::parser domParser;
  NameCache names;
  std::vector<std::string> keys;
  ThreadCache tc;
  simdjson::padded_string padded(text);
  RecordError e;
  if (parseOne(padded.data(), padded.size(), parser, domParser, sourceIndex, tables, ev, e, names, keys, tc))
    return true;
  if (e.meta && e.msg.empty()) e.msg = "a metadata record ({\"meta\": ...}), not an event";
  err = e.msg;
  help = e.help;
  errCol = e.offset == SIZE_MAX ? 1 : static_cast<uint32_t>(e.offset) + 1;
  return false;
}

}  // namespace vc
