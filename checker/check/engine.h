// The check: streams events through happens-before (which orders them and gives each its vector
// clock), dispatch, the observed check (check/observed.h) and the streaming prediction
// (check/prediction.h), and settles every verdict at the end of the run.
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
  uint64_t predictWindow = 200000;   // events a rule instance's window of unordered events may hold
  // When prediction settles windows (check/prediction.h): an instance's window this long, and this
  // many events kept in all. Tests make them tiny to settle all the time.
  uint64_t settleWindow = 4096;
  uint64_t settleKept = 131072;
  unsigned jobs = 1;       // threads searching predictions; the result is the same for any
  size_t witnessMax = 16;  // witness events shown
  bool keepGraph = false;  // keep every synchronised event, to draw why a pair is unordered (--dot)
  HbOptions hb;
  // Tests: sees every event happens-before processed, in the judged order, with its clock.
  std::function<void(const Event& ev, uint64_t seq, const Clock& clock)> hbObserver;
};

// Runs every rule of `spec` over `reader`'s events. Problems with the inputs go to `diags`.
CheckResult check(const Spec& spec, TraceReader& reader, TraceTables& tables, const CheckOptions& opts,
                  Diagnostics& diags);

}  // namespace vc
