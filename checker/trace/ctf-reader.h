// LTTng / CTF 1.8 traces through the libbabeltrace2 C API (no babeltrace2 process): one
// src.ctf.fs per directory holding a `metadata` file, all into one flt.utils.muxer, read by a
// simple sink one batch of messages at a time (bt_graph_run_once), so memory does not grow with
// the trace. Only built where pkg-config finds babeltrace2 (VCONFORM_HAVE_CTF).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "trace/reader.h"

namespace vc {

// Every directory at or below `path` (up to 12 levels) that holds a `metadata` file, sorted.
std::vector<std::string> findCtfTraceDirs(const std::string& path);

// nullptr after a diagnostic. The returned reader's discarded() counts the events the tracer
// reports lost (DISCARDED_EVENTS counts, plus 1 per DISCARDED_PACKETS message: a lost packet
// holds at least one event), summed modulo 2^64.
std::unique_ptr<TraceReader> openCtfTrace(const std::string& path, const ReaderOptions& opts, uint32_t source,
                                          TraceTables& tables, Diagnostics& diags);

}  // namespace vc
