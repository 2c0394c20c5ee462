// Where map files live, and which map fits a text file best (format detection for text sources).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "trace/map-file.h"
#include "trace/map-select.h"

namespace vc {

namespace fs = std::filesystem;

std::vector<std::string> defaultMapDirs() {
  std::vector<std::string> dirs;
  if (const char* e = std::getenv("VCONFORM_MAPS_DIR"); e && *e) dirs.emplace_back(e);
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = 0;
    fs::path exe(buf);
    dirs.push_back((exe.parent_path().parent_path() / "share" / "vconform" / "maps").string());
  }
#ifdef VCONFORM_SOURCE_DIR
  dirs.push_back(std::string(VCONFORM_SOURCE_DIR) + "/specs/maps");
#endif
  return dirs;
}

std::vector<std::string> findMapFiles(const std::vector<std::string>& dirs) {
  std::vector<std::string> all = dirs;
  for (auto& d : defaultMapDirs()) all.push_back(d);
  std::vector<std::string> out;
  std::set<std::string> seenNames;
  for (const auto& d : all) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) continue;
    std::vector<std::string> here;
    for (auto it = fs::recursive_directory_iterator(d, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const auto name = it->path().filename().string();
      if (name.size() > 9 && name.ends_with(".map.json") && it->is_regular_file(ec)) here.push_back(it->path().string());
    }
    std::sort(here.begin(), here.end());
    for (auto& p : here) {
      std::string base = fs::path(p).filename().string();
      if (seenNames.insert(base).second) out.push_back(p);  // earlier dirs shadow later ones
    }
  }
  return out;
}

MapScore scoreMap(const std::shared_ptr<const MapFile>& map, std::string_view head, size_t maxLines) {
  TraceTables t;
  t.sources.add(Source::make("", map->format));
  LineMapper m(map, t);
  MapScore s;
  size_t i = 0;
  // Drop a last, possibly cut, line unless the head is the whole file.
  while (i < head.size() && s.lines < maxLines) {
    size_t e = head.find('\n', i);
    if (e == std::string_view::npos) {
      if (head.size() >= 64 * 1024) break;  // a cut line at the end of a 64 KiB head
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

std::shared_ptr<const MapFile> chooseMap(const std::vector<std::shared_ptr<const MapFile>>& maps, std::string_view head) {
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
