// Vector clocks. A clock has one entry per thread of the run (threads seen so far; missing
// entries are 0). Entry t of an event's clock is the number of events of thread t that happen
// before it or are it, so x ->hb y  iff  x != y and clock(x)[thread(x)] <= clock(y)[thread(x)].
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace vc {

using Clock = std::vector<uint32_t>;

inline uint32_t clockAt(const Clock& c, uint32_t t) { return t < c.size() ? c[t] : 0; }

inline void clockJoin(Clock& into, const Clock& other) {
  if (into.size() < other.size()) into.resize(other.size(), 0);
  for (size_t i = 0; i < other.size(); ++i) into[i] = std::max(into[i], other[i]);
}

// x happens before (or is) y: x on thread tx at position px (its own clock entry, cx[tx]), y with
// clock cy. The one happens-before test; the overloads only say where the numbers come from.
inline bool happensBefore(uint32_t tx, uint32_t px, const uint32_t* cy, uint32_t cyLen) {
  return px <= (tx < cyLen ? cy[tx] : 0u);
}
inline bool happensBefore(uint32_t tx, const Clock& cx, const Clock& cy) {
  return happensBefore(tx, clockAt(cx, tx), cy.data(), static_cast<uint32_t>(cy.size()));
}

}  // namespace vc
