// JSON trace format v1 (docs/trace-format.md): JSON Lines, a whole-file array, or
// {"events": [...]}. Streams in fixed-size chunks; memory does not depend on the trace length.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "trace/input.h"
#include "trace/reader.h"

namespace vc {

class JsonTraceReader : public TraceReader {
 public:
  // `sourceIndex` is this source in tables.sources.
  JsonTraceReader(std::unique_ptr<Input> in, uint32_t sourceIndex, TraceTables& tables, Diagnostics& diags,
                  const ReaderOptions& opts = {});
  ~JsonTraceReader() override;
  bool next(Event& ev) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Parses one JSON object (a single event record) into `ev`. Exposed for unit tests and the fuzzer.
// Returns false and fills `err` / `errCol` (1-based column within `text`) on a bad record.
bool parseJsonEvent(std::string_view text, uint32_t sourceIndex, TraceTables& tables, Event& ev, std::string& err,
                    uint32_t& errCol, std::string& help);

}  // namespace vc
