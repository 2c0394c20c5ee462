// What the back-end's JSON-lines tracing costs per data-path event, with the values rules about
// data need (issue 11: `pop` with the chain's lengths, `avail_read`) and without them (`pop` as it
// was: vring, head, avail_idx). Every event goes through the real writer (format, lock, 64 KiB
// buffer, fwrite) into a file, as in a run; LTTng tracepoints are not timed (no session).
//   vconform-backend-trace-bench [EVENTS] [REPEAT] [FILE]
// Prints the best CPU ns per event of REPEAT runs of EVENTS events each, and the bytes per line.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "events.h"
#include "trace-writer.h"

using vc::backend::Tracer;
using vc::backend::TraceWriter;

static double cpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int main(int argc, char** argv) {
  const long events = argc > 1 ? std::atol(argv[1]) : 1000000;
  const int repeat = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::string path = argc > 3 ? argv[3] : "/tmp/vconform-backend-trace-bench.jsonl";
  vc::backend::setCurrentThreadName("vu-worker-0");
  struct Case {
    const char* what;
    std::function<void(Tracer&, TraceWriter&, uint32_t)> emit;
  };
  const Case cases[] = {
      {"pop (vring, head, avail_idx): before",
       [](Tracer&, TraceWriter& w, uint32_t i) {
         w.emit("pop", {{"vring", 0u}, {"head", i % 256}, {"avail_idx", i & 0xffff}});
       }},
      {"pop (+ out_len, in_len, out_num, in_num): now",
       [](Tracer& t, TraceWriter&, uint32_t i) { t.pop(0, i % 256, i & 0xffff, 0, 64, 0, 1); }},
      {"avail_read (vring, idx, last_avail_idx): new",
       [](Tracer& t, TraceWriter&, uint32_t i) { t.availRead(0, (i + 1) & 0xffff, i & 0xffff); }},
      {"add_used (unchanged, for scale)",
       [](Tracer& t, TraceWriter&, uint32_t i) { t.addUsed(0, i % 256, 64, i & 0xffff); }},
  };
  for (const Case& c : cases) {
    double best = 1e30;
    long bytes = 0;
    for (int r = 0; r < repeat; ++r) {
      TraceWriter w;
      std::string err;
      if (!w.open(path, &err)) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return 2;
      }
      Tracer t(&w);
      const double t0 = cpuSeconds();
      for (long i = 0; i < events; ++i) c.emit(t, w, static_cast<uint32_t>(i));
      w.close();
      best = std::min(best, cpuSeconds() - t0);
      std::FILE* f = std::fopen(path.c_str(), "rb");
      if (f != nullptr) {
        std::fseek(f, 0, SEEK_END);
        bytes = std::ftell(f);
        std::fclose(f);
      }
    }
    std::printf("%-48s %8.1f ns/event %6.1f bytes/line\n", c.what, best * 1e9 / static_cast<double>(events),
                static_cast<double>(bytes) / static_cast<double>(events));
  }
  std::remove(path.c_str());
  return 0;
}
