#include "trace/merge.h"

#include <limits>

namespace vc {

MergedReader::MergedReader(std::vector<std::unique_ptr<TraceReader>> readers, const TraceTables& tables)
    : tables_(tables) {
  slots_.resize(readers.size());
  for (size_t i = 0; i < readers.size(); ++i) {
    slots_[i].reader = std::move(readers[i]);
    advance(slots_[i]);
  }
}

void MergedReader::advance(Slot& s) {
  int64_t prev = s.has ? s.key : std::numeric_limits<int64_t>::min();
  s.has = s.reader->next(s.ev);
  if (!s.has) return;
  if (s.ev.hasTs) {
    int64_t off = tables_.sources.at(s.ev.origin.source).clockOffsetNs;
    s.ev.ts += off;
    s.key = s.ev.ts;
  } else {
    s.key = prev;  // stays where its predecessor was
  }
}

bool MergedReader::next(Event& ev) {
  Slot* best = nullptr;
  for (auto& s : slots_)
    if (s.has && (!best || s.key < best->key)) best = &s;
  if (!best) return false;
  std::swap(ev, best->ev);
  advance(*best);
  return true;
}

uint64_t MergedReader::discarded() const {
  uint64_t n = 0;
  for (const auto& s : slots_) n += s.reader->discarded();
  return n;
}

}  // namespace vc
