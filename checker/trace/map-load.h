// Map files, stage 1: loading a map file (JSON) into a checked, compiled MapFile, and finding the
// map files on disk. Every problem is a diagnostic at the map's file:line:col.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.h"
#include "trace/map-file.h"

namespace vc {

// A map file larger than this is refused with a diagnostic before it is read whole (a map is a
// few KiB; a link to /dev/zero must not eat memory).
inline constexpr size_t kMaxMapFileBytes = size_t{4} << 20;

// Loads and checks one map file. nullptr after diagnostics (with the map's file:line:col).
std::shared_ptr<const MapFile> loadMapFile(const std::string& path, Diagnostics& diags);
// Same, from text (for tests and the fuzzer); `path` is used in diagnostics only.
std::shared_ptr<const MapFile> loadMapText(const std::string& path, std::string_view text, Diagnostics& diags);

// Map directories always searched: $VCONFORM_MAPS_DIR if set, then the shipped maps,
// <exe dir>/../share/vconform/maps (installed, or staged in the build tree: build-info/build-info.h).
std::vector<std::string> defaultMapDirs();
// Every *.map.json in `dirs` (then the default dirs), in order; the first map of a given format
// name wins.
std::vector<std::string> findMapFiles(const std::vector<std::string>& dirs);

// Loads every map in `dirs` and the default dirs (cached per path).
std::vector<std::shared_ptr<const MapFile>> loadAllMaps(const std::vector<std::string>& dirs, Diagnostics& diags);
// Does `name` name a map (a .map.json path, or the format name of a map in `dirs` / the default
// dirs)? For --input-format NAME with a user's map: open it as format "text" with
// ReaderOptions::map = NAME.
bool isTextMapName(const std::string& name, const std::vector<std::string>& dirs);
}  // namespace vc
