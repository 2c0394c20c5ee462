// Merges several sources into one stream. Each source keeps its own order; across sources the
// event with the smallest (timestamp + the source's clock offset) comes first, ties going to the
// source named first. An event without a timestamp is emitted right after its predecessor in its
// own source. Order across sources is only a guess from clocks: happens-before comes from sync.
#pragma once

#include <memory>
#include <vector>

#include "trace/reader.h"

namespace vc {

class MergedReader : public TraceReader {
 public:
  // A timestamp that its source's clock offset moves out of the 64-bit range is reported to
  // `diags` (trace-clock-offset) and ends the merge; without `diags` it saturates.
  MergedReader(std::vector<std::unique_ptr<TraceReader>> readers, const TraceTables& tables,
               Diagnostics* diags = nullptr);
  bool next(Event& ev) override;
  uint64_t discarded() const override;

 private:
  struct Slot {
    std::unique_ptr<TraceReader> reader;
    Event ev;
    bool has = false;
    int64_t key = 0;  // adjusted timestamp used for ordering
  };
  void advance(Slot& s);
  std::vector<Slot> slots_;
  const TraceTables& tables_;
  Diagnostics* diags_;
  bool failed_ = false;
};

}  // namespace vc
