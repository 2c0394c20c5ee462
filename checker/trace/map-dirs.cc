// Where map files live: the search path (--maps, $VCONFORM_MAPS_DIR, the shipped maps) and loading every map found once
// per process.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>

#include "build-info/build-info.h"
#include "trace/map-load.h"

namespace vc {

namespace fs = std::filesystem;

std::vector<std::string> defaultMapDirs() {
  std::vector<std::string> dirs;
  // $VCONFORM_MAPS_DIR: one directory, or several separated by ':' (searched in order).
  if (const char* e = std::getenv("VCONFORM_MAPS_DIR"); e && *e) {
    std::string_view v(e);
    while (!v.empty()) {
      size_t c = v.find(':');
      std::string_view d = v.substr(0, c);
      if (!d.empty()) dirs.emplace_back(d);
      if (c == std::string_view::npos) break;
      v.remove_prefix(c + 1);
    }
  }
  // The shipped maps, next to the executable (build-info/build-info.h).
  if (std::string d = shippedDataDir("maps"); !d.empty()) dirs.push_back(d);
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
      if (name.size() > 9 && name.ends_with(".map.json") && it->is_regular_file(ec))
        here.push_back(it->path().string());
    }
    std::sort(here.begin(), here.end());
    for (auto& p : here) {
      std::string base = fs::path(p).filename().string();
      if (seenNames.insert(base).second) out.push_back(p);  // earlier dirs shadow later ones
    }
  }
  return out;
}

std::vector<std::shared_ptr<const MapFile>> loadAllMaps(const std::vector<std::string>& dirs, Diagnostics& diags) {
  static std::map<std::string, std::shared_ptr<const MapFile>> cache;
  std::vector<std::shared_ptr<const MapFile>> out;
  for (const auto& p : findMapFiles(dirs)) {
    auto it = cache.find(p);
    if (it == cache.end()) {
      auto m = loadMapFile(p, diags);
      if (!m) continue;
      it = cache.emplace(p, std::move(m)).first;
    }
    out.push_back(it->second);
  }
  return out;
}

bool isTextMapName(const std::string& name, const std::vector<std::string>& dirs) {
  if (name.ends_with(".map.json")) return true;
  Diagnostics ignored;  // broken maps are reported when a trace is really opened
  for (const auto& m : loadAllMaps(dirs, ignored))
    if (m->format == name) return true;
  return false;
}

}  // namespace vc
