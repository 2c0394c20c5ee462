// Spec parser: tokens -> SpecFile. Never prints; reports every syntax error it finds (it
// resynchronises at the next top-level keyword that starts a line) into Diagnostics.
#pragma once

#include <string>
#include <string_view>

#include "diag/diagnostic.h"
#include "diag/source-lines.h"
#include "spec/ast.h"

namespace vc::spec {

// `path` names the file in diagnostics; `src` is its text; `lines` indexes it for snippets.
SpecFile parse(const std::string& path, std::string_view src, const SourceLines& lines, Diagnostics& diags);
SpecFile parse(const std::string& path, std::string_view src, Diagnostics& diags);

}  // namespace vc::spec
