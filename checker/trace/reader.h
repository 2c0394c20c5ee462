// Trace readers: one per source format, all producing vc::Event. Readers stream: next() fills one
// event at a time, so memory does not grow with the trace.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "diag/diagnostic.h"
#include "trace/event.h"

namespace vc {

class TraceReader {
 public:
  virtual ~TraceReader() = default;
  // Fills `ev` (previous contents are overwritten) and returns true, or returns false at the end
  // of the input. Bad records are reported to the Diagnostics given at construction; a reader
  // stops (returns false) after an error it cannot recover from, and skips records it can.
  virtual bool next(Event& ev) = 0;
  // Events the source itself says were lost (e.g. LTTng discarded events); 0 if unknown.
  virtual uint64_t discarded() const { return 0; }
};

// Called for each line of a text source that no map pattern matches (`vconform events
// --unmatched`): the source index, the 1-based line number, the line (valid during the call).
using UnmatchedSink = std::function<void(uint32_t source, uint64_t line, std::string_view text)>;

struct ReaderOptions {
  std::string format = "auto";       // auto | json | ctf | dmesg | qemu | ... (see docs/trace-formats.md)
  std::vector<std::string> mapDirs;  // where map files are searched (text sources)
  int64_t clockOffsetNs = 0;         // added to every timestamp of this source when merging
  // Text sources: the map to use, by format name ("qemu") or as a path to a .map.json file;
  // empty = chosen from the content among the maps found in mapDirs and specs/maps.
  std::string map;
  // Lost events the source reports (CTF discarded events/packets): up to this many is a warning
  // ("trace-lost") at the end of the stream, more is an error. -1 = the reader says nothing and
  // the caller judges from discarded().
  int64_t maxDiscarded = -1;
  // CTF: enumeration fields as their label (string) instead of their integer value.
  bool ctfEnumLabels = false;
  // Rust tracing JSON: the key inside "fields" that names the event.
  std::string tracingNameField = "message";
  // Line-oriented sources (JSON Lines, text, tracing JSON): a longer line is an error
  // ("trace-line-too-long") and is skipped.
  size_t maxLineBytes = size_t{64} << 20;
  // Text sources: every unmatched line goes here too (the Source keeps only the first few).
  UnmatchedSink onUnmatched;
  // Decode on a thread of its own (trace/reader-thread.h): the same events, numbers and
  // diagnostics as without, with the decoding on another core.
  bool readerThread = false;
};

// Registry of readers. `path` may be a file, "-" (standard input), a FIFO or pipe, or (for CTF) a
// directory; it is opened once (trace/input.h), gzip and zstd decoded transparently. Detects the
// format from the content when opts.format == "auto" (standard input too). Returns nullptr after
// reporting a diagnostic. What the reader reads is counted in tables.sources (event.h: Source).
std::unique_ptr<TraceReader> openTrace(const std::string& path, const ReaderOptions& opts, TraceTables& tables,
                                       Diagnostics& diags);

}  // namespace vc
