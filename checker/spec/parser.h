// Spec parser: tokens -> SpecFile. Never prints; reports every syntax error it finds (it
// resynchronises at the next top-level keyword that starts a line) into Diagnostics.
#pragma once

#include <string>
#include <string_view>

#include "diag/diagnostic.h"
#include "spec/ast.h"

namespace vc::spec {

// `path` names the file in diagnostics; `src` is its text.
SpecFile parse(const std::string& path, std::string_view src, Diagnostics& diags);

// The source line `line` (1-based) of `src`, for diagnostic snippets.
std::string sourceLine(std::string_view src, uint32_t line);

}  // namespace vc::spec
