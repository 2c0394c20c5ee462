// The warning codes: every warning the library can give, what it means, and so what `--allow CODE`
// silences (docs/cli.md lists them; a unit test keeps this table, the sources and the doc in step).
// Errors cannot be silenced: an error means there is no verdict.
#pragma once

#include <string>
#include <vector>

#include "diag/diagnostic.h"

namespace vc {

struct WarningCode {
  const char* code;
  const char* meaning;
};

const std::vector<WarningCode>& warningCodes();
bool isWarningCode(const std::string& code);

// Drops the warnings whose code is in `allowed` (the --allow flags). Errors stay.
void dropAllowed(Diagnostics& diags, const std::vector<std::string>& allowed);

}  // namespace vc
