#include "check/event-store.h"

namespace vc {

std::string EventRef::brief() const {
  std::string s = name + "(";
  for (size_t i = 0; i < fields.size(); ++i) s += (i ? ", " : "") + fields[i].first + "=" + fields[i].second.toString();
  return s + ")";
}

EventRef makeRef(const Event& ev, uint64_t seq, const TraceTables& tables) {
  EventRef r;
  r.seq = seq;
  r.name = tables.symbols.name(ev.name);
  for (const auto& f : ev.fields) r.fields.emplace_back(tables.symbols.name(f.key), f.value);
  r.file = tables.sources.at(ev.origin.source).path;
  r.line = ev.origin.line;
  r.thread = ev.thread;
  r.threadLabel = tables.threads.label(ev.thread);
  r.hasTs = ev.hasTs;
  r.ts = ev.ts;
  return r;
}

EventHandle EventStore::keep(const Event& ev, uint64_t seq, const Clock& clock) {
  EventHandle h;
  if (!free_.empty()) {
    h = free_.back();
    free_.pop_back();
  } else {
    h = static_cast<EventHandle>(slots_.size());
    slots_.emplace_back();
  }
  KeptEvent& k = slots_[h];
  k.seq = seq;
  k.ts = ev.ts;
  k.hasTs = ev.hasTs;
  k.thread = ev.thread;
  k.name = ev.name;
  k.origin = ev.origin;
  k.clock.assign(clock.begin(), clock.end());
  k.refs = 1;
  k.fields.clear();
  for (const auto& f : ev.fields) {
    int64_t v = f.value.i;
    if (f.value.kind == Value::Kind::Str) {
      auto [it, fresh] = stringIds_.try_emplace(f.value.s, static_cast<uint32_t>(strings_.size()));
      if (fresh) strings_.push_back(&it->first);
      v = it->second;
    }
    k.fields.push_back(KeptEvent::CompactField{f.key, f.value.kind, v});
  }
  peak_ = std::max(peak_, live());
  return h;
}

void EventStore::release(EventHandle h) {
  if (--slots_[h].refs == 0) free_.push_back(h);
}

EventRef EventStore::ref(EventHandle h, const TraceTables& tables) const {
  const KeptEvent& k = slots_[h];
  Event ev;
  ev.name = k.name;
  ev.hasTs = k.hasTs;
  ev.ts = k.ts;
  ev.thread = k.thread;
  ev.origin = k.origin;
  for (const auto& f : k.fields) {
    Value v;
    v.kind = f.kind;
    if (f.kind == Value::Kind::Str)
      v.s = *strings_[static_cast<size_t>(f.i)];
    else
      v.i = f.i;
    ev.fields.push_back(Field{f.key, std::move(v)});
  }
  return makeRef(ev, k.seq, tables);
}

}  // namespace vc
