// The floor for reading a vconform JSON Lines trace: simdjson On Demand iterate_many over the
// whole file (loaded first, not timed), touching each event's "name" and nothing else (a leading
// metadata record {"meta": ...}, as vconform-gen-trace and the back-end write, is not an event
// and is left out of the buffer before timing). The
// `vconform check --order recorded` target of docs/performance.md is measured against this.
//   vconform-json-parse-bench FILE [REPEAT]
// Prints the implementation simdjson's On Demand front end was compiled for, the events, the
// best CPU time of REPEAT runs, and the rates.
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>

namespace od = simdjson::ondemand;

static double cpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: vconform-json-parse-bench FILE [REPEAT]\n");
    return 2;
  }
  int repeat = argc > 2 ? std::atoi(argv[2]) : 3;
  simdjson::padded_string file;
  if (auto err = simdjson::padded_string::load(argv[1]).get(file)) {
    std::fprintf(stderr, "%s: %s\n", argv[1], simdjson::error_message(err));
    return 2;
  }
  std::string_view body(file.data(), file.size());
  if (body.substr(0, 8) == "{\"meta\":") body.remove_prefix(std::min(body.size(), body.find('\n') + 1));
  simdjson::padded_string json(body);
  od::parser parser;
  double best = 1e30;
  size_t events = 0, nameBytes = 0;
  for (int r = 0; r < repeat; ++r) {
    double t0 = cpuSeconds();
    od::document_stream docs;
    if (parser.iterate_many(json, size_t{1} << 20).get(docs)) return 2;
    events = 0;
    nameBytes = 0;
    for (auto doc : docs) {
      std::string_view name;
      if (doc["name"].get_string().get(name)) return 2;
      nameBytes += name.size();
      ++events;
    }
    best = std::min(best, cpuSeconds() - t0);
  }
  std::printf("implementation %s (%s); %zu events, %.1f MB; best of %d: %.3f s CPU, %.2f M ev/s, %.0f MB/s\n",
              SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION), simdjson::builtin_implementation()->name().c_str(),
              events, static_cast<double>(json.size()) / 1e6, repeat, best, static_cast<double>(events) / best / 1e6,
              static_cast<double>(json.size()) / best / 1e6);
  return nameBytes == 0;
}
