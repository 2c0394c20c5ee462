// Text sources read through a map file (dmesg, QEMU trace logs, ftrace, Rust env_logger, ...):
// line by line (trace/input.h: LineReader), each line mapped by LineMapper. Lines that match no
// pattern are skipped and counted in the Source (with the first few as examples, and every one
// through ReaderOptions::onUnmatched); a line that matches but has a bad field is reported with
// file:line:col and skipped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "trace/input.h"
#include "trace/map-match.h"
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
  TextTraceReader(std::unique_ptr<Input> in, std::shared_ptr<const MapFile> map, uint32_t source, TraceTables& tables,
                  Diagnostics& diags, const ReaderOptions& opts);
  ~TextTraceReader() override;
  bool next(Event& ev) override;
  TextReaderStats stats() const;

 private:
  std::unique_ptr<Input> in_;
  LineReader lines_;
  LineMapper mapper_;
  uint32_t source_;
  TraceTables& tables_;
  Diagnostics& diags_;
  UnmatchedSink onUnmatched_;
  bool stopped_ = false;
  uint64_t events_ = 0, unmatched_ = 0, bad_ = 0;
  // Events a line gave beyond the first (patterns that "continue", a record it completed).
  EventBuffer ready_;
  size_t readyAt_ = 0;
  bool finished_ = false;          // the mapper's open record was flushed at the end of the input
  bool templated_ = false;         // the map builds names from lines: add those it gives to the vocabulary
  std::vector<uint8_t> seenName_;  // by symbol: already in the source's vocabulary
};

}  // namespace vc

namespace vc {
// Opens a text source: `mapName` (a map's format name or a .map.json path) or, when empty, the
// map that fits the file's first lines best. nullptr after a diagnostic.
std::unique_ptr<TraceReader> openTextTrace(std::unique_ptr<Input> in, const ReaderOptions& opts,
                                           const std::string& mapName, uint32_t source, TraceTables& tables,
                                           Diagnostics& diags);
}  // namespace vc
