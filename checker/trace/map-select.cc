// Which map fits a text file best: format detection for text sources, from the file's first lines.
#include "trace/map-select.h"

#include "trace/map-match.h"

namespace vc {

MapScore scoreMap(const std::shared_ptr<const MapFile>& map, std::string_view head, size_t maxLines) {
  TraceTables t;
  t.sources.add(Source::make("", map->format, 0));
  LineMapper m(map, t);
  MapScore s;
  size_t i = 0;
  // Drop a last, possibly cut, line unless the head is the whole file.
  while (i < head.size() && s.lines < maxLines) {
    size_t e = head.find('\n', i);
    if (e == std::string_view::npos) {
      if (head.size() >= kMapSniffBytes) break;  // a cut line at the end of a 64 KiB head
      e = head.size();
    }
    std::string_view line = head.substr(i, e - i);
    i = e + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    ++s.lines;
    LineMatch lm = m.classify(line);
    if (lm.shape >= 0 && !map->lines[static_cast<size_t>(lm.shape)].generic) ++s.shaped;
    if (lm.pattern >= 0) {
      ++s.events;
      if (map->patterns[static_cast<size_t>(lm.pattern)].event.isConstant()) ++s.specific;
    }
  }
  return s;
}

std::shared_ptr<const MapFile> chooseMap(const std::vector<std::shared_ptr<const MapFile>>& maps,
                                         std::string_view head) {
  std::shared_ptr<const MapFile> best;
  MapScore bestScore;
  for (const auto& m : maps) {
    MapScore s = scoreMap(m, head);
    // A map qualifies when most lines have its shape, or some line becomes an event through a
    // specific shape, or (shapeless logs such as QEMU's bare lines) every line becomes an event
    // and some through a specific pattern; the map explaining the most lines wins (ties: the
    // first in search order).
    bool qualifies = s.lines > 0 && (s.shaped * 2 >= s.lines || (s.events > 0 && s.shaped > 0) ||
                                     (s.specific > 0 && s.events == s.lines));
    if (!qualifies) continue;
    if (!best || s.shaped + s.events > bestScore.shaped + bestScore.events) {
      best = m;
      bestScore = s;
    }
  }
  return best;
}

}  // namespace vc
