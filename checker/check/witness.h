// A predicted violation in words: its culprit and anchor, the witness (the breaking order, from
// where it leaves the recorded order), the pair of events nothing orders, and the happens-before
// edges among the witness events.
#pragma once

#include "check/event-store.h"
#include "check/prediction.h"
#include "check/violation.h"
#include "spec/model.h"

namespace vc {

// `asObserved`: the breaking order is the recorded order and no observed check reports it (with
// --order hb), so it is labelled observed.
Violation describeFound(const Spec& spec, const FoundViolation& f, const EventStore& store, const TraceTables& tables,
                        bool asObserved, size_t witnessMax);

}  // namespace vc
