#include "trace/merge.h"

#include <limits>

namespace vc {

MergedReader::MergedReader(std::vector<std::unique_ptr<TraceReader>> readers, const TraceTables& tables,
                           Diagnostics* diags)
    : tables_(tables), diags_(diags) {
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
    const Source& src = tables_.sources.at(s.ev.origin.source);
    int64_t ts;
    if (__builtin_add_overflow(s.ev.ts, src.clockOffsetNs, &ts)) {
      ts = src.clockOffsetNs > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
      if (diags_) {
        diags_->error("trace-clock-offset", Location{src.path, s.ev.origin.line, 0},
                      "timestamp " + std::to_string(s.ev.ts) + " plus the clock offset " +
                          std::to_string(src.clockOffsetNs) + " is beyond the 64-bit nanosecond range",
                      "check --clock-offset for this trace: an offset is a small correction between clocks");
        failed_ = true;
      }
    }
    s.ev.ts = ts;
    s.key = ts;
  } else {
    s.key = prev;  // stays where its predecessor was
  }
}

bool MergedReader::next(Event& ev) {
  if (failed_) return false;
  Slot* best = nullptr;
  for (auto& s : slots_)
    if (s.has && (!best || s.key < best->key)) best = &s;
  if (!best) return false;
  swap(ev, best->ev);
  advance(*best);
  return true;
}

uint64_t MergedReader::discarded() const {
  uint64_t n = 0;
  for (const auto& s : slots_) n += s.reader->discarded();
  return n;
}

}  // namespace vc
