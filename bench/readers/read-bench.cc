// Reads traces with vconform's readers and reports events, bytes and speed; with --dump, prints
// every event (one line each) for checking a reader by eye.
//   vconform_read_bench [--format F] [--map M] [--dump] [--repeat N] PATH...
//   vconform_read_bench --merge [--dump] PATH...   (all paths merged as `vconform check` does)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "trace/merge.h"
#include "trace/reader.h"

namespace fs = std::filesystem;

static uint64_t sizeOf(const std::string& p) {
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) return fs::file_size(p, ec);
  uint64_t n = 0;
  for (auto& e : fs::recursive_directory_iterator(p, ec))
    if (e.is_regular_file(ec)) n += e.file_size(ec);
  return n;
}

int main(int argc, char** argv) {
  vc::ReaderOptions o;
  bool dump = false, merge = false;
  int repeat = 1;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--format" && i + 1 < argc)
      o.format = argv[++i];
    else if (a == "--map" && i + 1 < argc)
      o.map = argv[++i];
    else if (a == "--maps" && i + 1 < argc)
      o.mapDirs.push_back(argv[++i]);
    else if (a == "--enum-labels")
      o.ctfEnumLabels = true;
    else if (a == "--dump")
      dump = true;
    else if (a == "--merge")
      merge = true;
    else if (a == "--repeat" && i + 1 < argc)
      repeat = std::atoi(argv[++i]);
    else
      paths.push_back(a);
  }
  auto line = [](const vc::TraceTables& t, const vc::Event& ev) {
    std::string s = std::to_string(ev.origin.source) + ":" + std::to_string(ev.origin.line) + " " +
                    (ev.hasTs ? std::to_string(ev.ts) : "-") + " " + t.threads.label(ev.thread) + " " +
                    t.symbols.name(ev.name);
    for (const auto& f : ev.fields) s += " " + t.symbols.name(f.key) + "=" + f.value.toString();
    return s;
  };
  int rc = 0;
  if (merge) {
    vc::TraceTables t;
    vc::Diagnostics d;
    std::vector<std::unique_ptr<vc::TraceReader>> readers;
    for (const auto& p : paths) {
      auto r = vc::openTrace(p, o, t, d);
      if (!r) {
        std::fputs(vc::renderAll(d).c_str(), stderr);
        return 2;
      }
      readers.push_back(std::move(r));
    }
    for (size_t i = 0; i < t.sources.size(); ++i)
      std::printf("# source %zu: %s (%s)\n", i,
                  fs::path(t.sources.at(static_cast<uint32_t>(i)).path).filename().c_str(),
                  t.sources.at(static_cast<uint32_t>(i)).format.c_str());
    vc::MergedReader m(std::move(readers), t);
    vc::Event ev;
    uint64_t n = 0;
    while (m.next(ev)) {
      ++n;
      if (dump) std::puts(line(t, ev).c_str());
    }
    if (!d.all().empty()) std::fputs(vc::renderAll(d).c_str(), stderr);
    std::printf("# %llu events, %llu discarded\n", static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(m.discarded()));
    return d.hasErrors() ? 2 : 0;
  }
  for (const auto& p : paths) {
    double best = 1e30;
    uint64_t events = 0, lost = 0;
    for (int r = 0; r < repeat; ++r) {
      vc::TraceTables t;
      vc::Diagnostics d;
      auto t0 = std::chrono::steady_clock::now();
      auto reader = vc::openTrace(p, o, t, d);
      events = 0;
      if (reader) {
        vc::Event ev;
        while (reader->next(ev)) {
          ++events;
          if (dump) std::puts(line(t, ev).c_str());
        }
        lost = reader->discarded();
      }
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best = std::min(best, s);
      if (!d.all().empty()) std::fputs(vc::renderAll(d).c_str(), stderr);
      if (!reader || d.hasErrors()) rc = 2;
      if (r == 0 && reader) std::fprintf(stderr, "%s: format %s\n", p.c_str(), t.sources.at(0).format.c_str());
    }
    uint64_t bytes = sizeOf(p);
    std::fprintf(stderr, "%s: %llu events, %llu discarded, %.1f MB in %.3f s: %.1f MB/s, %.2f M events/s\n", p.c_str(),
                 static_cast<unsigned long long>(events), static_cast<unsigned long long>(lost), bytes / 1e6, best,
                 bytes / 1e6 / best, events / 1e6 / best);
  }
  return rc;
}
