#include "app/inputs.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include "app/flags.h"
#include "build-info/build-info.h"
#include "diag/codes.h"
#include "diag/suggest.h"
#include "trace/merge.h"

namespace vc {

namespace fs = std::filesystem;

unsigned availableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

bool splitAssign(const std::string& s, std::string& path, std::string& value) {
  size_t eq = s.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) return false;
  path = s.substr(0, eq);
  value = s.substr(eq + 1);
  return true;
}

void checkCommonFlags(const CommonArgs& a, Diagnostics& diags) {
  for (const auto& code : a.allow)
    if (!isWarningCode(code)) {
      std::vector<std::string> codes;
      for (const auto& w : warningCodes()) codes.emplace_back(w.code);
      diags.error("flag-allow", Location{}, "--allow '" + code + "' is not a warning code" + didYouMean(code, codes),
                  "only warnings can be silenced (docs/cli.md lists their codes); an error means no verdict");
    }
  if (a.tracingNameField.empty())
    diags.error("flag-tracing-name-field", Location{}, "--tracing-name-field is empty: no event would have a name",
                "name the key of \"fields\" that holds the event name (default: message)");
  for (const auto& m : a.maps) {
    std::error_code ec;
    if (!fs::is_directory(m, ec))
      diags.error("flag-maps", Location{m, 0, 0}, "--maps names no directory",
                  "give a directory holding *.map.json files");
  }
}

std::unique_ptr<TraceReader> openAll(const CommonArgs& a, TraceTables& tables, Diagnostics& diags,
                                     const UnmatchedSink& onUnmatched) {
  std::map<std::string, std::string> formats;
  std::map<std::string, int64_t> offsets;
  std::map<std::string, std::vector<std::string>> recorders;
  for (const auto& s : a.inputFormats) {
    std::string p, v;
    if (!splitAssign(s, p, v)) {
      diags.error("flag-format", Location{}, "--input-format '" + s + "' is neither FORMAT nor PATH=FORMAT", "");
      continue;
    }
    formats[p] = v;
  }
  for (const auto& s : a.clockOffsets) {
    std::string p, v;
    int64_t ns = 0;
    if (!splitAssign(s, p, v) || !parseInt64(v, ns)) {
      diags.error("flag-clock-offset", Location{},
                  "--clock-offset '" + s + "' must be PATH=NANOSECONDS, a whole number of 64 bits (at most 19 digits)",
                  "e.g. --clock-offset qemu.log=-1500000");
      continue;
    }
    offsets[p] = ns;
  }
  for (const auto& s : a.recorders) {
    std::string p, v;
    if (!splitAssign(s, p, v)) {
      diags.error("flag-recorder", Location{}, "--recorder '" + s + "' must be PATH=NAME",
                  "e.g. --recorder backend.jsonl=backend (the names sync files use: see docs/trace-formats.md)");
      continue;
    }
    recorders[p].push_back(v);
  }
  auto known = [&](const std::string& p) { return std::find(a.traces.begin(), a.traces.end(), p) != a.traces.end(); };
  for (const auto& [p, v] : formats)
    if (!known(p))
      diags.error("flag-format", Location{}, "--input-format names '" + p + "', which is not one of the traces", "");
  for (const auto& [p, v] : offsets)
    if (!known(p))
      diags.error("flag-clock-offset", Location{}, "--clock-offset names '" + p + "', which is not one of the traces",
                  "");
  for (const auto& [p, v] : recorders)
    if (!known(p))
      diags.error("flag-recorder", Location{}, "--recorder names '" + p + "', which is not one of the traces", "");
  if (diags.hasErrors()) return nullptr;
  std::vector<std::unique_ptr<TraceReader>> readers;
  for (const auto& t : a.traces) {
    ReaderOptions ro;
    ro.format = formats.count(t) ? formats[t] : a.inputFormat;
    ro.mapDirs = a.maps;  // then $VCONFORM_MAPS_DIR and the shipped maps (trace/map-load.h)
    ro.clockOffsetNs = offsets.count(t) ? offsets[t] : 0;
    ro.ctfEnumLabels = a.enumLabels;
    ro.tracingNameField = a.tracingNameField;
    ro.onUnmatched = onUnmatched;
    ro.readerThread = (a.jobs ? a.jobs : availableCores()) >= 2;
    uint32_t source = static_cast<uint32_t>(tables.sources.size());
    auto r = openTrace(t, ro, tables, diags);
    if (!r) continue;
    if (recorders.count(t)) {
      auto& rec = tables.sources.at(source).recorders;
      for (const auto& name : recorders[t])
        if (std::find(rec.begin(), rec.end(), name) == rec.end()) rec.push_back(name);
    }
    readers.push_back(std::move(r));
  }
  if (diags.hasErrors()) return nullptr;
  // Even one trace goes through the merge: it applies the trace's clock offset.
  return std::make_unique<MergedReader>(std::move(readers), tables, &diags);
}

namespace {

// The *.EXT files of a folder, in name order.
std::vector<std::string> filesIn(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ext && e.is_regular_file(ec)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

bool reportEmptySources(const std::vector<Source>& sources, Diagnostics& diags) {
  bool any = false;
  for (const auto& s : sources) {
    if (s.events) continue;
    any = true;
    std::string what = "read as " + s.format;
    if (!s.map.empty()) what += " through the map '" + s.map + "'";
    if (s.unmatchedLines) what += ", " + std::to_string(s.unmatchedLines) + " line(s) matched no pattern of the map";
    diags.error("trace-no-events", Location{s.path, 0, 0}, "no event could be read from this trace (" + what + ")",
                !s.map.empty() ? "see the lines the map did not take with `vconform events --unmatched " + s.path +
                                     "`; name the format with --input-format, or add a map with --maps DIR"
                               : "is it empty? name its format with --input-format if it was not detected");
  }
  return any;
}

std::vector<std::string> expandSpecPaths(const std::vector<std::string>& args, Diagnostics& diags) {
  std::vector<std::string> out;
  std::vector<fs::path> seen;
  auto add = [&](const std::string& f) {
    std::error_code ec;
    fs::path canon = fs::weakly_canonical(f, ec);
    if (ec) canon = f;
    if (std::find(seen.begin(), seen.end(), canon) != seen.end()) return;
    seen.push_back(canon);
    out.push_back(f);
  };
  for (const auto& p : args) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      auto files = filesIn(p, ".spec");
      if (files.empty())
        diags.error("spec-open", Location{p, 0, 0}, "this folder holds no *.spec file",
                    "pass spec files, or a folder of them (e.g. --spec specs/)");
      for (const auto& f : files) add(f);
    } else if (isSyncFilePath(p)) {
      diags.error("spec-open", Location{p, 0, 0}, "this is a sync file, not a rule spec",
                  "sync files describe how a run synchronises: pass it with --sync " + p);
    } else {
      add(p);
    }
  }
  return out;
}

bool loadSpecs(const std::vector<std::string>& files, Spec& spec, TraceTables& tables, Diagnostics& diags) {
  bool ok = true;
  for (const auto& f : files) ok &= loadSpecFile(f, spec, tables.symbols, diags);
  return ok && !diags.hasErrors();
}

std::vector<std::string> defaultSyncDirs() {
  std::vector<std::string> dirs;
  if (std::string d = shippedDataDir("sync"); !d.empty()) dirs.push_back(d);
  return dirs;
}

namespace {

// Appends the sync part of `from` (a freshly loaded sync file) to `into`.
void appendSyncs(Spec& into, Spec& from) {
  for (auto& s : from.syncs) into.syncs.push_back(std::move(s));
  for (auto& e : from.events) into.events.push_back(std::move(e));
  for (auto& f : from.syncFiles) into.syncFiles.push_back(std::move(f));
  // from.files is not kept: the report lists rule specs under "specs" and sync files (by the
  // name they are shown with, never a machine-dependent absolute path) under "sync_files".
  for (auto& n : from.names) into.names.push_back(std::move(n));
}

}  // namespace

bool loadRunSyncs(const std::vector<std::string>& extra, Spec& spec, TraceTables& tables, Diagnostics& diags,
                  std::vector<std::string>& loaded) {
  std::vector<std::string> present;
  for (size_t i = 0; i < tables.sources.size(); ++i)
    for (const auto& r : tables.sources.at(static_cast<uint32_t>(i)).recorders)
      if (std::find(present.begin(), present.end(), r) != present.end())
        continue;
      else
        present.push_back(r);
  bool ok = true;
  // Shipped: the first folder that has a sync file of a given name wins.
  std::vector<std::string> names;
  for (const auto& dir : defaultSyncDirs())
    for (const auto& f : filesIn(dir, ".sync")) {
      std::string name = fs::path(f).filename().string();
      if (std::find(names.begin(), names.end(), name) != names.end()) continue;
      names.push_back(name);
      Spec one;
      if (!loadSpecFile(f, one, tables.symbols, diags)) {
        ok = false;
        continue;
      }
      if (one.syncFiles.empty() || !one.syncFiles[0].appliesTo(present)) continue;
      loaded.push_back("specs/sync/" + name);  // shown by its place among the shipped files
      for (auto& s : one.syncs) s.shipped = true;
      appendSyncs(spec, one);
    }
  for (const auto& p : extra) {
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(p, ec)) {
      files = filesIn(p, ".sync");
      if (files.empty())
        diags.error("sync-open", Location{p, 0, 0}, "this folder holds no *.sync file",
                    "pass sync files, or a folder of them");
    } else if (!isSyncFilePath(p)) {
      diags.error("sync-open", Location{p, 0, 0}, "a sync file's name ends in .sync",
                  "rule specs go to --spec; --sync takes the files that say how a run synchronises");
      ok = false;
    } else {
      files.push_back(p);
    }
    for (const auto& f : files) {
      if (std::find(loaded.begin(), loaded.end(), f) != loaded.end()) continue;
      Spec one;
      if (!loadSpecFile(f, one, tables.symbols, diags)) {
        ok = false;
        continue;
      }
      loaded.push_back(f);
      appendSyncs(spec, one);
    }
  }
  return ok && !diags.hasErrors();
}

}  // namespace vc
