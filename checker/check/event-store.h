// Events kept for prediction and witnesses, each stored once however many rule instances hold
// it: a slab of reference-counted slots (a slot and its vectors are reused once released, so a
// steady run allocates nothing), with the event's vector clock and its fields compacted (each
// distinct string stored once). Reports turn a slot into an EventRef only when they print it.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "check/violation.h"
#include "hb/clock.h"
#include "trace/event.h"

namespace vc {

using EventHandle = uint32_t;
inline constexpr EventHandle kNoEvent = UINT32_MAX;

struct KeptEvent {
  uint64_t seq = 0;  // position in the judged order
  int64_t ts = 0;
  bool hasTs = false;
  uint32_t thread = 0;
  Symbol name = kNoSymbol;
  Origin origin;
  Clock clock;
  uint32_t refs = 0;
  struct CompactField {
    Symbol key;
    Value::Kind kind;
    int64_t i;  // the integer, or the index of the string in the store's string table
  };
  std::vector<CompactField> fields;

  uint32_t pos() const { return clockAt(clock, thread); }  // its own entry: place in its thread
  // This event happens before (or is) `o`.
  bool before(const KeptEvent& o) const {
    return happensBefore(thread, pos(), o.clock.data(), static_cast<uint32_t>(o.clock.size()));
  }
};

class EventStore {
 public:
  // A new slot holding `ev` (one reference).
  EventHandle keep(const Event& ev, uint64_t seq, const Clock& clock);
  void acquire(EventHandle h) { ++slots_[h].refs; }
  void release(EventHandle h);
  const KeptEvent& at(EventHandle h) const { return slots_[h]; }
  EventRef ref(EventHandle h, const TraceTables& tables) const;
  size_t live() const { return slots_.size() - free_.size(); }
  size_t peakLive() const { return peak_; }

 private:
  std::vector<KeptEvent> slots_;
  std::vector<EventHandle> free_;
  std::unordered_map<std::string, uint32_t> stringIds_;
  std::vector<const std::string*> strings_;
  size_t peak_ = 0;
};

// An event as reports show it (name, fields, origin, thread), from the trace tables.
EventRef makeRef(const Event& ev, uint64_t seq, const TraceTables& tables);

}  // namespace vc
