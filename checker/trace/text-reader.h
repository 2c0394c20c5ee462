// Text sources read through a map file (dmesg, QEMU trace logs, ftrace, Rust env_logger, ...):
// line by line, each line mapped by LineMapper. Lines that match no pattern are skipped and
// counted; a line that matches but has a bad field is reported with file:line:col and skipped.
#pragma once

#include <memory>
#include <string>

#include "trace/map-file.h"
#include "trace/reader.h"

namespace vc {

struct TextReaderStats {
  uint64_t lines = 0;      // lines read (including empty ones)
  uint64_t events = 0;     // lines that became events
  uint64_t unmatched = 0;  // non-empty lines no pattern matched (skipped)
  uint64_t bad = 0;        // matched lines with a bad field (reported, skipped)
  uint64_t tooLong = 0;    // lines longer than the limit (reported, skipped)
};

class TextTraceReader : public TraceReader {
 public:
  // Takes ownership of `fd` (closed on destruction).
  TextTraceReader(int fd, std::shared_ptr<const MapFile> map, uint32_t source, TraceTables& tables,
                  Diagnostics& diags, size_t maxLineBytes = 64u << 20);
  ~TextTraceReader() override;
  bool next(Event& ev) override;
  const TextReaderStats& stats() const { return stats_; }

 private:
  bool fill();
  int fd_;
  LineMapper mapper_;
  uint32_t source_;
  TraceTables& tables_;
  Diagnostics& diags_;
  size_t maxLine_;
  std::string buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false, stopped_ = false, skipping_ = false;
  TextReaderStats stats_;
};

}  // namespace vc

namespace vc {
// Opens a text source: `mapName` (a map's format name or a .map.json path) or, when empty, the
// map that fits the file's first lines best. nullptr after a diagnostic.
std::unique_ptr<TraceReader> openTextTrace(const std::string& path, const ReaderOptions& opts,
                                           const std::string& mapName, uint32_t source, TraceTables& tables,
                                           Diagnostics& diags);
// Loads every map in opts.mapDirs and the default dirs (cached per path).
std::vector<std::shared_ptr<const MapFile>> loadAllMaps(const std::vector<std::string>& dirs, Diagnostics& diags);
// Does `name` name a map (a .map.json path, or the format name of a map in `dirs` / the default
// dirs)? For --input-format NAME with a user's map: open it as format "text" with
// ReaderOptions::map = NAME.
bool isTextMapName(const std::string& name, const std::vector<std::string>& dirs);
}  // namespace vc
