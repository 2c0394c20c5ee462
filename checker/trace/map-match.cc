// Map files, stage 2: matching a line against a loaded map (line shape, prefilters, pattern,
// typed fields) and turning it into an Event.
#include "trace/map-match.h"

#include <algorithm>
#include <cstring>

namespace vc {


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
