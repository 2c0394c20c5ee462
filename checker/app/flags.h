// Flag values as typed on the command line, checked: a bad one is a diagnostic naming the flag
// (exit 2), never a wrapped, saturated or silently ignored value.
#pragma once

#include <cstdint>
#include <string_view>

#include "diag/diagnostic.h"

namespace vc {

// A decimal count: digits only (no sign, no blanks, no base prefix), from `min` to `max`.
bool parseCountFlag(std::string_view flag, std::string_view text, uint64_t min, uint64_t max, uint64_t& out,
                    Diagnostics& diags, std::string_view help = {});

// A signed decimal integer of 64 bits: an optional '-' or '+', then digits.
bool parseInt64(std::string_view text, int64_t& out);

// The limits the CLI applies (docs/cli.md).
inline constexpr uint64_t kMaxPredictBudget = 1000000000;  // states per rule instance
inline constexpr uint64_t kMaxPredictWindow = 100000000;   // events of an instance's window
inline constexpr uint64_t kMaxJobs = 256;                  // prediction threads
inline constexpr uint64_t kMaxContextEvents = 1000;        // events shown before an observed violation

}  // namespace vc
