// JSON trace format v1 (docs/trace-format.md): JSON Lines, a whole-file array, or
// {"events": [...]}. Streams in fixed-size chunks; memory does not depend on the trace length.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "trace/reader.h"

namespace vc {

class JsonTraceReader : public TraceReader {
 public:
  // Takes ownership of `f` (closed on destruction). `sourceIndex` is this source in tables.sources.
  JsonTraceReader(std::FILE* f, uint32_t sourceIndex, TraceTables& tables, Diagnostics& diags);
  ~JsonTraceReader() override;
  bool next(Event& ev) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Parses one JSON object (a single event record) into `ev`. Exposed for unit tests and the fuzzer.
// Returns false and fills `err` / `errCol` (1-based column within `text`) on a bad record.
bool parseJsonEvent(std::string_view text, uint32_t sourceIndex, TraceTables& tables, Event& ev,
                    std::string& err, uint32_t& errCol, std::string& help);

}  // namespace vc
