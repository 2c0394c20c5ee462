// A reader thread: a trace decoded on a thread of its own while the caller (the checker) works
// on the events already decoded (issue 10, "both cores").
//
// The decoding thread never touches the caller's TraceTables or Diagnostics, which the checker
// reads while it runs: the reader works on tables and diagnostics of its own, and what it did
// to them (a name interned, a thread met or named, a diagnostic, a source counter) is logged
// with the event it came before. When the caller takes that event, next() replays the log into
// the shared tables first: names are interned there in the order the single-threaded reader
// would have interned them, so symbol and thread numbers, diagnostics (and their order), source
// counts and everything the caller sees between two next() calls are exactly those of the same
// reader run on the caller's thread. Only the decoding itself moves to the other core.
//
// Events travel in blocks of a few thousand; at most a few blocks are in flight, so memory stays
// bounded whatever the trace's length.
#pragma once

#include <memory>
#include <string>

#include "trace/reader.h"

namespace vc {

// openTrace() (which calls this when opts.readerThread is set): opens `path` on the caller's
// thread, exactly as openTrace() without the flag would (same diagnostics, same source record,
// the same first event read at open), then decodes the rest on a thread of its own.
std::unique_ptr<TraceReader> openTraceOnThread(const std::string& path, const ReaderOptions& opts, TraceTables& tables,
                                               Diagnostics& diags);

}  // namespace vc
