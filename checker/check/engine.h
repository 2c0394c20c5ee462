// The check: streams events through the rule automata (observed order) and the happens-before
// builder, then explores linearisations for predicted violations.
#pragma once

#include <functional>

#include "check/violation.h"
#include "diag/diagnostic.h"
#include "hb/happens-before.h"
#include "spec/model.h"
#include "trace/reader.h"

namespace vc {

enum class OrderMode : uint8_t { Recorded, HappensBefore, Both };

struct CheckOptions {
  OrderMode order = OrderMode::Both;
  size_t contextEvents = 2;
  uint64_t predictBudget = 2000000;  // explored states per rule instance
  size_t witnessMax = 16;            // witness events shown
  bool keepGraph = false;            // keep every synchronised event, to draw why a pair is unordered (--dot)
  HbOptions hb;
  // Tests: sees every event happens-before processed, in the judged order, with its clock.
  std::function<void(const Event& ev, uint64_t seq, const Clock& clock)> hbObserver;
};

// Runs every rule of `spec` over `reader`'s events. Problems with the inputs go to `diags`.
CheckResult check(const Spec& spec, TraceReader& reader, TraceTables& tables, const CheckOptions& opts,
                  Diagnostics& diags);

// Helpers shared by the engine and the predictor.
EventRef makeRef(const Event& ev, uint64_t seq, const TraceTables& tables);

}  // namespace vc
