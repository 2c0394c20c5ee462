// Choosing a map for a text file by its first lines.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "trace/map-file.h"

namespace vc {

struct MapScore {
  size_t lines = 0;     // non-empty lines looked at
  size_t shaped = 0;    // lines matching a specific (non-generic) line shape
  size_t events = 0;    // lines that became events
  size_t specific = 0;  // of those, through a pattern with a fixed event name (not a catch-all)
};

// How much of a file choosing its map looks at (its first lines).
inline constexpr size_t kMapSniffBytes = size_t{64} << 10;

MapScore scoreMap(const std::shared_ptr<const MapFile>& map, std::string_view head, size_t maxLines = 200);

// The best map for a file starting with `head`, or nullptr when none fits.
std::shared_ptr<const MapFile> chooseMap(const std::vector<std::shared_ptr<const MapFile>>& maps,
                                         std::string_view head);

}  // namespace vc
