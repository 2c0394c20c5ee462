// Opening text sources: finding and choosing the map.
#include "trace/map-load.h"
#include "trace/map-select.h"
#include "trace/text-reader.h"

namespace vc {

std::unique_ptr<TraceReader> openTextTrace(std::unique_ptr<Input> in, const ReaderOptions& opts,
                                           const std::string& mapName, uint32_t source, TraceTables& tables,
                                           Diagnostics& diags) {
  const std::string& path = in->path();
  std::shared_ptr<const MapFile> map;
  if (mapName.ends_with(".map.json") || mapName.find('/') != std::string::npos) {
    map = loadMapFile(mapName, diags);
    if (!map) return nullptr;
  } else {
    auto maps = loadAllMaps(opts.mapDirs, diags);
    if (!mapName.empty()) {
      for (const auto& m : maps)
        if (m->format == mapName) {
          map = m;
          break;
        }
      if (!map) {
        std::string names;
        for (const auto& m : maps) names += (names.empty() ? "" : ", ") + m->format;
        diags.error("map-unknown", Location{path, 0, 0}, "no map file for format '" + mapName + "'",
                    names.empty() ? "no map files were found; pass --maps DIR" : "maps found: " + names);
        return nullptr;
      }
    } else {
      // The same bytes the reader reads next (peeked, not consumed).
      std::string_view head = in->peek(kMapSniffBytes);
      map = chooseMap(maps, head);
      if (!map) {
        std::string names;
        for (const auto& m : maps) names += (names.empty() ? "" : ", ") + m->format;
        diags.error("trace-format", Location{path, 0, 0}, "no map recognises the lines of this text file",
                    "name the format with --input-format (maps found: " +
                        (names.empty() ? std::string("none") : names) + "), or add a map with --maps DIR");
        return nullptr;
      }
    }
  }
  Source& src = tables.sources.at(source);
  src.format = map->format;
  src.map = map->format;
  src.recorders = {map->recorder};
  src.device = map->device;
  return std::make_unique<TextTraceReader>(std::move(in), map, source, tables, diags, opts);
}

}  // namespace vc
