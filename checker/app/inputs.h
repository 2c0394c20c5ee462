// What the subcommands share: opening traces (formats, offsets, recorders), loading rule specs
// (files or folders) and the sync files of the recorders a run holds.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "diag/diagnostic.h"
#include "spec/model.h"
#include "trace/reader.h"

namespace vc {

// Splits "PATH=VALUE" at the last '='.
bool splitAssign(const std::string& s, std::string& path, std::string& value);

// The flags every trace-reading command shares, checked before anything is read.
void checkCommonFlags(const CommonArgs& a, Diagnostics& diags);

// Opens every trace of `a` (through one MergedReader, which also applies a single trace's clock
// offset). Sets each source's recorders (from the trace, or --recorder). `onUnmatched` sees the
// text lines no map pattern matched. nullptr after an error.
std::unique_ptr<TraceReader> openAll(const CommonArgs& a, TraceTables& tables, Diagnostics& diags,
                                     const UnmatchedSink& onUnmatched = {});

// An error (trace-no-events) for each source that yielded no event: what was tried, and how to
// see why. Returns true if there was one.
bool reportEmptySources(const std::vector<Source>& sources, Diagnostics& diags);

// --spec arguments: files, or folders whose *.spec files are loaded in name order; a file given
// twice (or met again in a folder) is loaded once.
std::vector<std::string> expandSpecPaths(const std::vector<std::string>& args, Diagnostics& diags);
bool loadSpecs(const std::vector<std::string>& files, Spec& spec, TraceTables& tables, Diagnostics& diags);

// Where the shipped sync files are: <exe dir>/../share/vconform/sync (installed, or staged in the
// build tree; build-info/build-info.h).
std::vector<std::string> defaultSyncDirs();

// Loads into `spec` the sync files that apply to this run: every shipped sync file whose recorder
// line names recorders present in `tables.sources`, and every file (or folder of *.sync) given
// with --sync. Fills `loaded` with their names for reports (shipped ones as specs/sync/NAME, the
// others as given). False after an error.
bool loadRunSyncs(const std::vector<std::string>& extra, Spec& spec, TraceTables& tables, Diagnostics& diags,
                  std::vector<std::string>& loaded);

}  // namespace vc
