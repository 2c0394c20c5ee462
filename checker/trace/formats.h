// The table of trace formats. Each reader registers one entry here (see formats.cc); openTrace()
// in open.cc picks one by name (--input-format) or by sniffing the content.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "trace/input.h"
#include "trace/reader.h"

namespace vc {

struct TraceFormat {
  const char* name;         // as given to --input-format
  const char* description;  // one line for --help and docs
  // Sniff: does this input look like this format? `head` is up to the first 64 KiB of the
  // decoded input (empty for a directory).
  bool (*sniff)(const std::string& path, bool isDirectory, std::string_view head);
  // Open a reader over `in` (the input opened once: what sniffing peeked is read again; null for
  // a directory); `source` is the index of this input in tables.sources. nullptr after a
  // diagnostic.
  std::unique_ptr<TraceReader> (*open)(std::unique_ptr<Input> in, const std::string& path, const ReaderOptions& opts,
                                       uint32_t source, TraceTables& tables, Diagnostics& diags);
};

// How much of an input sniffing looks at.
inline constexpr size_t kSniffBytes = size_t{64} << 10;

// All formats, in sniffing order (most specific first).
const std::vector<TraceFormat>& traceFormats();

}  // namespace vc
