// Opening text sources: finding and choosing the map.
#include <fcntl.h>
#include <unistd.h>

#include <map>

#include "trace/map-select.h"
#include "trace/text-reader.h"

namespace vc {

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

std::unique_ptr<TraceReader> openTextTrace(const std::string& path, const ReaderOptions& opts,
                                           const std::string& mapName, uint32_t source, TraceTables& tables,
                                           Diagnostics& diags) {
  std::shared_ptr<const MapFile> map;
  if (mapName.ends_with(".map.json") || mapName.find('/') != std::string::npos) {
    map = loadMapFile(mapName, diags);
    if (!map) return nullptr;
  } else {
    auto maps = loadAllMaps(opts.mapDirs, diags);
    if (!mapName.empty()) {
      for (const auto& m : maps)
        if (m->format == mapName) { map = m; break; }
      if (!map) {
        std::string names;
        for (const auto& m : maps) names += (names.empty() ? "" : ", ") + m->format;
        diags.error("map-unknown", Location{path, 0, 0}, "no map file for format '" + mapName + "'",
                    names.empty() ? "no map files were found; pass --maps DIR" : "maps found: " + names);
        return nullptr;
      }
    } else {
      std::string head;
      if (path != "-") {
        int hfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (hfd >= 0) {
          head.resize(64 * 1024);
          ssize_t n = ::read(hfd, head.data(), head.size());
          head.resize(n > 0 ? static_cast<size_t>(n) : 0);
          ::close(hfd);
        }
      }
      map = chooseMap(maps, head);
      if (!map) {
        std::string names;
        for (const auto& m : maps) names += (names.empty() ? "" : ", ") + m->format;
        diags.error("trace-format", Location{path, 0, 0}, "no map recognises the lines of this text file",
                    "name the format with --input-format (maps found: " + (names.empty() ? std::string("none") : names) +
                        "), or add a map with --maps DIR");
        return nullptr;
      }
    }
  }
  int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    diags.error("trace-open", Location{path, 0, 0}, "cannot open the trace file", "check the path and permissions");
    return nullptr;
  }
  tables.sources.at(source).format = map->format;
  return std::make_unique<TextTraceReader>(fd, map, source, tables, diags, opts.maxLineBytes);
}

}  // namespace vc
