// Words for a verdict: "ring_stop(vring=0) came 2.057 s after handle_event(vring=0, count=2); ..."
#pragma once

#include <string>

#include "check/violation.h"

namespace vc {

// `culprit` and `anchor` are the verdict's events when known (nullptr otherwise).
std::string explain(const Rule& r, const Verdict& v, const EventRef* culprit, const EventRef* anchor);
std::string formatDuration(int64_t ns);
// An instance's parameters as (name, value text) pairs, for reports.
std::vector<std::pair<std::string, std::string>> paramText(const Rule& r, const std::vector<Value>& params);

}  // namespace vc
