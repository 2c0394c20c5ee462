// Rust `tracing` JSON lines (tracing-subscriber's json formatter):
//   {"timestamp":"2022-07-11T02:12:24.123456Z","level":"INFO","fields":{"message":"set_vring_enable",
//    "vring":0},"target":"vhost_user_backend","threadId":"ThreadId(2)","threadName":"vu-worker"}
// Event name = fields[ReaderOptions::tracingNameField] ("message"); the other fields of "fields"
// become event fields, plus "level", "target" and the current span's fields as "span.KEY".
// Thread = threadId (tid N, pid 0), else one thread per source; a threadId that is not
// "ThreadId(N)" is an error, as is a "timestamp" that is not an RFC 3339 string. Lines that are not JSON objects
// or have no name field are skipped and counted; a line starting with '{' that is not valid JSON
// is an error with file:line:col.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "trace/input.h"
#include "trace/reader.h"

namespace vc {

// Does `head` (the first bytes of a file) look like tracing JSON lines?
bool sniffTracingJson(std::string_view head);

std::unique_ptr<TraceReader> openTracingJsonTrace(std::unique_ptr<Input> in, const std::string& path,
                                                  const ReaderOptions& opts, uint32_t source, TraceTables& tables,
                                                  Diagnostics& diags);

// Parses one line into `ev`: 1 = event, 0 = skipped (not an event), -1 = error (`err`, `col`
// 1-based). For tests and the fuzzer.
int parseTracingJsonLine(std::string_view line, const std::string& nameField, uint32_t source, TraceTables& tables,
                         Event& ev, std::string& err, uint32_t& col);

}  // namespace vc
