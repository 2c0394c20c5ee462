// Map files, stage 2: matching a line against a loaded map (line shape, prefilters, pattern,
// typed fields) and turning it into an Event.
#include "trace/map-match.h"

#include <algorithm>
#include <cstring>

namespace vc {

namespace {
const std::map<std::string, Value> kNoMemory;
}  // namespace

LineMapper::LineMapper(std::shared_ptr<const MapFile> map, TraceTables& tables)
    : map_(std::move(map)), tables_(tables) {
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
    std::vector<Symbol> ckeys;
    if (p.continuation) {
      maxPat = std::max(maxPat, p.continuation->NumberOfCapturingGroups() + 1);
      for (const auto& f : p.contFields) ckeys.push_back(tables_.symbols.intern(f.name));
    }
    contKeys_.push_back(std::move(ckeys));
    patternEvent_.push_back(!p.noEvent && p.event.isConstant() ? tables_.symbols.intern(p.event.parts[0].first)
                                                               : kNoSymbol);
  }
  lastKey_.resize(map_->patterns.size());
  // Candidate patterns by the body's first byte (index 256: empty body), in pattern order.
  byFirstByte_.resize(257);
  for (size_t k = 0; k < map_->patterns.size(); ++k) {
    const Pattern& p = map_->patterns[k];
    for (int b = 0; b < 257; ++b) {
      bool possible =
          !p.anchoredLiteral || p.literal.empty() || (b < 256 && static_cast<unsigned char>(p.literal[0]) == b);
      if (possible) byFirstByte_[static_cast<size_t>(b)].push_back(static_cast<int>(k));
    }
  }
  if (map_->hs) hsScratch_ = map_->hs->newScratch();
  lineCaps_.resize(static_cast<size_t>(maxShape));
  bodyCaps_.resize(static_cast<size_t>(maxPat));
}

int LineMapper::matchShape(std::string_view line, re2::StringPiece& body) {
  const auto& shapes = map_->lines;
  re2::StringPiece text(line.data(), line.size());
  int n = static_cast<int>(shapes.size());
  // The shape of the previous line first (sources rarely mix shapes), then the others in order;
  // generic shapes only after every specific one. Shapes of a map are meant to be exclusive.
  auto tryShape = [&](int s) {
    return shapes[s].re->Match(text, 0, text.size(), RE2::ANCHOR_START, lineCaps_.data(), shapes[s].ncap + 1);
  };
  int shape = -1;
  if (lastShape_ >= 0 && tryShape(lastShape_)) shape = lastShape_;
  for (int s = 0; shape < 0 && s < n; ++s)
    if (s != lastShape_ && tryShape(s)) shape = s;
  if (shape < 0) return -1;
  lastShape_ = shapes[shape].generic ? -1 : shape;
  size_t bodyStart = static_cast<size_t>(lineCaps_[0].end() - text.begin());
  body = re2::StringPiece(line.data() + bodyStart, line.size() - bodyStart);
  setRun_ = false;
  return shape;
}

int LineMapper::nextPattern(re2::StringPiece body, size_t& pos, const Memory* memory) {
  // Candidates in pattern order: "^literal" patterns whose literal starts the body, and the
  // others when the RE2::Set says they match.
  std::string_view bv(body.data(), body.size());
  const auto& pats = map_->patterns;
  const auto& cands = byFirstByte_[bv.empty() ? 256 : static_cast<unsigned char>(bv[0])];
  for (; pos < cands.size(); ++pos) {
    size_t k = static_cast<size_t>(cands[pos]);
    const Pattern& p = pats[k];
    if (!p.when.empty()) {
      if (!memory) continue;
      bool holds =
          std::all_of(p.when.begin(), p.when.end(), [&](const std::string& n) { return memory->count(n) > 0; });
      if (!holds) continue;
    }
    if (p.anchoredLiteral) {
      if (!bv.starts_with(p.literal)) continue;
    } else {
      if (!setRun_) {
        setRun_ = true;
        setCandidates(body);
      }
      if (!std::binary_search(hits_.begin(), hits_.end(), p.setIndex)) continue;
    }
    if (p.head) {
      if (p.head->Match(body, 0, body.size(), RE2::UNANCHORED, bodyCaps_.data(), p.ncap)) {
        const char* tail = bodyCaps_[0].data() + bodyCaps_[0].size();
        bodyCaps_[static_cast<size_t>(p.tailCap)] = re2::StringPiece(tail, static_cast<size_t>(body.end() - tail));
        bodyCaps_[0] = re2::StringPiece(bodyCaps_[0].data(), static_cast<size_t>(body.end() - bodyCaps_[0].data()));
        ++pos;
        return static_cast<int>(k);
      }
    } else if (p.re->Match(body, 0, body.size(), RE2::UNANCHORED, bodyCaps_.data(), p.ncap + 1)) {
      ++pos;
      return static_cast<int>(k);
    }
  }
  return -1;
}

LineMatch LineMapper::classify(std::string_view line) {
  LineMatch r;
  re2::StringPiece body;
  r.shape = matchShape(line, body);
  if (r.shape < 0) return r;
  size_t pos = 0;
  r.pattern = nextPattern(body, pos, nullptr);
  return r;
}

void LineMapper::setCandidates(re2::StringPiece body) {
  if (hsScratch_ && map_->hs->scan(std::string_view(body.data(), body.size()), *hsScratch_, hits_)) return;
  hits_.clear();
  if (!map_->set->Match(body, &hits_)) hits_.clear();
  std::sort(hits_.begin(), hits_.end());
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

namespace {

// Parses one captured scalar as a field of type `f.type` (Int, Hex, String, Bool, Enum,
// EnumReverse). False with a message when it does not parse; true with no value for a name an
// EnumReverse table does not know.
bool parseCapture(const FieldSpec& f, std::string_view s, std::optional<Value>& out, std::string& message) {
  switch (f.type) {
    case FieldType::Int:
    case FieldType::Hex: {
      int64_t v;
      if (!parseIntField(s, f.type == FieldType::Hex, v)) {
        message = "field '" + f.name + "': '" + std::string(s.substr(0, 40)) + "' is not " +
                  (f.type == FieldType::Hex ? "a hex integer" : "an integer") + " that fits in 64 bits";
        return false;
      }
      out = Value::ofInt(v);
      return true;
    }
    case FieldType::String:
      out = Value::ofStr(std::string(s));
      return true;
    case FieldType::Bool: {
      bool b;
      if (!parseBool(s, b)) {
        message = "field '" + f.name + "': '" + std::string(s.substr(0, 40)) + "' is not a boolean";
        return false;
      }
      out = Value::ofBool(b);
      return true;
    }
    case FieldType::Enum: {
      int64_t v;
      if (!parseIntField(s, false, v)) {
        message = "field '" + f.name + "': '" + std::string(s.substr(0, 40)) + "' is not an integer";
        return false;
      }
      auto it = f.enumTable->find(v);
      // Unknown numbers (a newer protocol) keep their number as text rather than failing.
      out = Value::ofStr(it == f.enumTable->end() ? std::to_string(v) : it->second);
      return true;
    }
    case FieldType::EnumReverse: {
      // A name the table does not know (a newer protocol) gives no field rather than failing.
      auto it = f.labelTable->find(std::string(s));
      if (it != f.labelTable->end()) out = Value::ofInt(it->second);
      return true;
    }
    default:
      return true;
  }
}

}  // namespace

bool LineMapper::fillFields(const std::vector<FieldSpec>& specs, const std::vector<Symbol>& keys,
                            const re2::StringPiece* caps, std::string_view line, Event& ev, FieldError& err,
                            const Memory* memory) {
  for (size_t k = 0; k < specs.size(); ++k) {
    const FieldSpec& f = specs[k];
    Field out;
    out.key = keys[k];
    if (f.type == FieldType::Const) {
      out.value = f.constant;
      ev.fields.push_back(std::move(out));
      continue;
    }
    if (f.type == FieldType::Counter) {
      out.value = Value::ofInt(++counters_[f.slot]);
      ev.fields.push_back(std::move(out));
      continue;
    }
    if (f.type == FieldType::Remembered) {
      if (!memory) continue;
      auto it = memory->find(f.slot);
      if (it == memory->end()) continue;  // nothing remembered yet on this thread: no field
      out.value = it->second;
      ev.fields.push_back(std::move(out));
      continue;
    }
    const re2::StringPiece& c = caps[f.capture];
    if (c.data() == nullptr) continue;  // optional group that did not take part: no field
    std::string_view s(c.data(), c.size());
    std::optional<Value> v;
    if (!parseCapture(f, s, v, err.message)) {
      err.column = static_cast<size_t>(c.data() - line.data());
      err.width = std::max<size_t>(1, c.size());
      return false;
    }
    if (!v) continue;
    out.value = std::move(*v);
    ev.fields.push_back(std::move(out));
  }
  return true;
}

bool LineMapper::lineThread(const LineShape& s, std::string_view line, uint32_t source,
                            std::pair<int64_t, int64_t>& key, FieldError& err) {
  (void)source;
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
  if (!intCap(s.pidCap, pid) || !intCap(s.tidCap, tid)) return false;
  key = {pid, tid};
  if (!alias_.empty()) {
    auto a = alias_.find(key);
    if (a != alias_.end()) key = a->second;
  }
  return true;
}

uint32_t LineMapper::threadOf(uint32_t source, std::pair<int64_t, int64_t> key) {
  if (!haveLastThread_ || key.first != lastPid_ || key.second != lastTid_ || source != lastSource_) {
    lastThread_ = tables_.threads.intern(source, key.first, key.second);
    lastPid_ = key.first, lastTid_ = key.second, lastSource_ = source, haveLastThread_ = true;
  }
  return lastThread_;
}

bool LineMapper::continuesRecord(std::string_view line, int shape, re2::StringPiece body, uint32_t source,
                                 FieldError& err, bool& bad) {
  const Pattern& p = map_->patterns[static_cast<size_t>(record_.pattern)];
  if (shape != record_.shape) return false;
  std::pair<int64_t, int64_t> key;
  FieldError ignore;
  if (!lineThread(map_->lines[static_cast<size_t>(shape)], line, source, key, ignore)) return false;
  if (threadOf(source, key) != record_.thread) return false;
  int ncap = p.continuation->NumberOfCapturingGroups();
  if (!p.continuation->Match(body, 0, body.size(), RE2::UNANCHORED, bodyCaps_.data(), ncap + 1)) return false;
  for (size_t k = 0; k < p.contFields.size(); ++k) {
    const FieldSpec& f = p.contFields[k];
    if (f.type == FieldType::Const || f.type == FieldType::Counter || f.type == FieldType::Remembered) continue;
    const re2::StringPiece& c = bodyCaps_[static_cast<size_t>(f.capture)];
    if (c.data() == nullptr) continue;
    if (f.type == FieldType::Count) {
      ++record_.counts[k];
      continue;
    }
    std::optional<Value> v;
    if (!parseCapture(f, std::string_view(c.data(), c.size()), v, err.message)) {
      err.column = static_cast<size_t>(c.data() - line.data());
      err.width = std::max<size_t>(1, c.size());
      bad = true;
      continue;
    }
    if (v) record_.values[k] = std::move(v);
  }
  return true;
}

void LineMapper::closeRecord(EventBuffer& out) {
  if (!record_.open) return;
  const Pattern& p = map_->patterns[static_cast<size_t>(record_.pattern)];
  const auto& keys = contKeys_[static_cast<size_t>(record_.pattern)];
  for (size_t k = 0; k < p.contFields.size(); ++k) {
    const FieldSpec& f = p.contFields[k];
    Field fld;
    fld.key = keys[k];
    if (f.type == FieldType::Count)
      fld.value = Value::ofInt(record_.counts[k]);
    else if (f.type == FieldType::Const)
      fld.value = f.constant;
    else if (record_.values[k])
      fld.value = *record_.values[k];
    else
      continue;
    record_.ev.fields.push_back(std::move(fld));
  }
  out.push(std::move(record_.ev));
  record_.open = false;
  record_.pattern = record_.shape = -1;
}

void LineMapper::finish(EventBuffer& out) { closeRecord(out); }

LineResult LineMapper::mapLine(std::string_view line, uint64_t lineNo, uint32_t source, EventBuffer& out,
                               FieldError& err) {
  re2::StringPiece body;
  int shape = matchShape(line, body);
  if (record_.open) {
    bool bad = false;
    if (shape >= 0 && continuesRecord(line, shape, body, source, err, bad))
      return bad ? LineResult::Bad : LineResult::Matched;
    closeRecord(out);
  }
  if (shape < 0) return LineResult::Unmatched;
  const LineShape& s = map_->lines[static_cast<size_t>(shape)];
  std::pair<int64_t, int64_t> key;
  if (!lineThread(s, line, source, key, err)) return LineResult::Bad;
  uint32_t thread = threadOf(source, key);
  size_t firstOut = out.size();
  size_t pos = 0;
  bool any = false;
  for (;;) {
    auto mem = memory_.find(thread);
    int k = nextPattern(body, pos, mem == memory_.end() ? &kNoMemory : &mem->second);
    if (k < 0) break;
    any = true;
    const Pattern& p = map_->patterns[static_cast<size_t>(k)];
    // "same_thread_as": this line's thread continues the thread of that pattern's last line
    // (virtiofsd's main thread changes its id when it enters its sandbox).
    if (p.sameThreadAs >= 0) {
      const auto& ref = lastKey_[static_cast<size_t>(p.sameThreadAs)];
      if (ref && *ref != key && !alias_.count(key)) {
        alias_[key] = *ref;
        key = *ref;
        thread = threadOf(source, key);
        mem = memory_.find(thread);
      }
    }
    lastKey_[static_cast<size_t>(k)] = key;
    // The event is made in the next slot of `out` (its storage reused); a line that gives none
    // (null event, a record kept aside) gives the slot back.
    Event& ev = out.add();
    ev.origin.source = source;
    ev.origin.line = lineNo;
    if (!p.noEvent) {
      if (patternEvent_[static_cast<size_t>(k)] != kNoSymbol) {
        ev.name = patternEvent_[static_cast<size_t>(k)];
      } else {
        scratch_.clear();
        for (const auto& [lit, cap] : p.event.parts) {
          if (cap < 0)
            scratch_ += lit;
          else
            scratch_.append(bodyCaps_[cap].data() ? bodyCaps_[cap].data() : "", bodyCaps_[cap].size());
        }
        if (scratch_.empty()) {
          err.message = "the event name is empty";
          err.column = 0;
          out.truncate(firstOut);
          return LineResult::Bad;
        }
        ev.name = tables_.symbols.intern(scratch_);
      }
    }
    // Timestamp and thread name.
    if (s.tsCap >= 0 && lineCaps_[s.tsCap].data()) {
      const auto& c = lineCaps_[s.tsCap];
      if (!parseTimestamp(s.time, std::string_view(c.data(), c.size()), ev.ts)) {
        err.message = "bad timestamp '" + std::string(c.data(), std::min<size_t>(c.size(), 40)) + "'";
        err.column = static_cast<size_t>(c.data() - line.data());
        err.width = std::max<size_t>(1, c.size());
        out.truncate(firstOut);
        return LineResult::Bad;
      }
      ev.hasTs = true;
    }
    ev.thread = thread;
    if (s.taskCap >= 0 && lineCaps_[s.taskCap].data()) {
      if (tables_.threads.at(ev.thread).name.empty()) {
        std::string_view name(lineCaps_[s.taskCap].data(), lineCaps_[s.taskCap].size());
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        tables_.threads.nameIfUnnamed(ev.thread, name);
      }
    }
    // Fields: the pattern's, then the line shape's.
    const Memory* memory = mem == memory_.end() ? nullptr : &mem->second;
    if (!fillFields(p.fields, patternKeys_[static_cast<size_t>(k)], bodyCaps_.data(), line, ev, err, memory) ||
        !fillFields(s.fields, shapeKeys_[static_cast<size_t>(shape)], lineCaps_.data(), line, ev, err, memory)) {
      out.truncate(firstOut);
      return LineResult::Bad;
    }
    // What the thread remembers for its later lines.
    if (!p.remember.empty() || !p.forget.empty()) {
      Memory& m = memory_[thread];
      for (const auto& n : p.forget) m.erase(n);
      for (const auto& r : p.remember) {
        if (r.field.empty()) {
          m[r.name] = r.constant;
          continue;
        }
        Symbol key2 = tables_.symbols.find(r.field);
        const Value* v = key2 == kNoSymbol ? nullptr : ev.field(key2);
        if (v)
          m[r.name] = *v;
        else
          m.erase(r.name);
      }
    }
    if (p.continuation) {
      // A record: complete once the lines that continue it are read.
      record_.open = true;
      swap(record_.ev, ev);
      out.truncate(out.size() - 1);
      record_.pattern = k;
      record_.shape = shape;
      record_.thread = thread;
      record_.values.assign(p.contFields.size(), std::nullopt);
      record_.counts.assign(p.contFields.size(), 0);
      break;
    }
    if (p.noEvent) out.truncate(out.size() - 1);
    if (!p.continues) break;
  }
  return any ? LineResult::Matched : LineResult::Unmatched;
}

int LineMapper::map(std::string_view line, uint32_t source, Event& ev, FieldError& err) {
  single_.clear();
  if (mapLine(line, 0, source, single_, err) == LineResult::Bad) return -1;
  finish(single_);
  if (single_.empty()) return 0;
  swap(ev, single_[0]);
  return 1;
}

}  // namespace vc
