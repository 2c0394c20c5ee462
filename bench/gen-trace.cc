// Synthetic vhost-user back-end traces for benchmarks: the event vocabulary and thread structure
// of backend/ (docs/backend-events.md), at any size. One socket thread, one worker per vring.
//
//   vconform-gen-trace --events N [--vrings V] [--seed S] > trace.jsonl
//   vconform-gen-trace --events N --faults K > trace.jsonl
//     (K times, spread over the run, a worker uses and notifies a buffer while its ring is
//      disabled: K observed violations of vu-enable, for the reports' benchmarks)
//   vconform-gen-trace --events N --reply-pairs > trace.jsonl
//     (only need_reply requests and their replies, each with a new seq: N/2 distinct parameter
//      values for vu-reply-ack, the "million distinct parameters" case)
//
// Each worker pass: ring_observe, handle_event, pop, add_used, used_notify, ring_release (one
// sync edge per pass from the last ring_publish). Every so often the socket thread disables and
// re-enables a ring (SET_VRING_ENABLE messages, ring_disable/enable, ring_publish), so rings
// change state under the workers; all state changes are synchronised as the real back-end does.
// The first line is the back-end's metadata record, so the back-end's sync file applies.
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Out {
  std::string buf;
  uint64_t n = 0;
  int64_t ts = 1764075600000000000;
  void flush() {
    std::fwrite(buf.data(), 1, buf.size(), stdout);
    buf.clear();
  }
  void ev(const char* name, int tid, const char* thread, const std::string& fields) {
    ts += 1 + static_cast<int64_t>(n % 7);
    char head[256];
    std::snprintf(head, sizeof head,
                  "{\"name\":\"%s\",\"ts\":%" PRId64 ",\"pid\":4200,\"tid\":%d,\"thread\":\"%s\",\"fields\":{", name,
                  ts, tid, thread);
    buf += head;
    buf += fields;
    buf += "}}\n";
    ++n;
    if (buf.size() > (1 << 20)) flush();
  }
};

std::string f(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string f(const char* fmt, ...) {
  char b[256];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(b, sizeof b, fmt, ap);
  va_end(ap);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 1000000;
  int vrings = 15;
  uint64_t seed = 1;
  bool replyPairs = false;
  uint64_t faults = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc)
      events = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--vrings") && i + 1 < argc)
      vrings = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--reply-pairs"))
      replyPairs = true;
    else if (!std::strcmp(argv[i], "--faults") && i + 1 < argc)
      faults = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: %s --events N [--vrings V] [--seed S] [--faults K | --reply-pairs]\n", argv[0]);
      return 2;
    }
  }
  if (vrings < 1 || vrings > 1000) return 2;
  std::mt19937_64 rng(seed);
  Out o;
  // The metadata record the back-end writes first (backend/lib/trace-writer.cc,
  // docs/trace-format.md): it names the recorder, so a check loads specs/sync/backend.sync and
  // gets the back-end's synchronisation, as for a real trace. Not an event (not counted in N).
  o.buf += "{\"meta\":{\"recorder\":\"backend\",\"clock\":\"realtime\"}}\n";
  const int sock = 4200;
  const char* st = "vu-socket";
  std::vector<uint64_t> version(vrings, 0), head(vrings, 0), used(vrings, 0), avail(vrings, 0);
  std::vector<bool> enabled(vrings, false);
  std::vector<std::string> wname(vrings);
  uint64_t seq = 0;
  auto msg = [&](int req, const char* m, int flags, const std::string& semName, const std::string& sem) {
    ++seq;
    o.ev("vu_recv", sock, st,
         f("\"req\":%d,\"msg\":\"%s\",\"flags\":%d,\"seq\":%" PRIu64 ",\"size\":8", req, m, flags, seq));
    if (!semName.empty()) o.ev(semName.c_str(), sock, st, sem);
    if (flags & 8) o.ev("vu_reply", sock, st, f("\"req\":%d,\"msg\":\"%s\",\"seq\":%" PRIu64, req, m, seq));
  };
  auto publish = [&](int v, const char* change) {
    o.ev(change, sock, st, f("\"vring\":%d", v));
    o.ev("ring_publish", sock, st, f("\"vring\":%d,\"version\":%" PRIu64, v, ++version[v]));
  };
  if (replyPairs) {
    while (o.n < events) msg(5, "SET_MEM_TABLE", 9, "", "");
    o.flush();
    std::fprintf(stderr, "vconform-gen-trace: %" PRIu64 " events, %" PRIu64 " request/reply pairs\n", o.n, seq);
    return 0;
  }
  // Start-up: features, memory table, then each ring: kick (start, spawn the worker), enable.
  msg(1, "GET_FEATURES", 1, "get_features", "");
  o.ev("vu_reply", sock, st, f("\"req\":1,\"msg\":\"GET_FEATURES\",\"seq\":%" PRIu64, seq));
  msg(2, "SET_FEATURES", 1, "set_features", "\"features\":6174015488");
  msg(5, "SET_MEM_TABLE", 9, "set_mem_table", "\"regions\":1");
  for (int v = 0; v < vrings; ++v) {
    wname[v] = "vu-worker-" + std::to_string(v);
    msg(12, "SET_VRING_KICK", 1, "set_vring_kick", f("\"vring\":%d,\"nofd\":0", v));
    publish(v, "ring_start");
    o.ev("thread_spawn", sock, st, f("\"child\":%d", sock + 1 + v));
    o.ev("thread_begin", sock + 1 + v, wname[v].c_str(), "");
    msg(18, "SET_VRING_ENABLE", 1, "set_vring_enable", f("\"vring\":%d,\"enable\":1", v));
    publish(v, "ring_enable");
    enabled[v] = true;
  }
  // Steady state: worker passes, with occasional disable/enable toggles by the socket thread.
  uint64_t faulted = 0;
  while (o.n < events) {
    int v = static_cast<int>(rng() % static_cast<uint64_t>(vrings));
    int tid = sock + 1 + v;
    const char* w = wname[v].c_str();
    if (faulted < faults && o.n >= events / (faults + 1) * (faulted + 1)) {
      // The fault: a pass while the ring is disabled (it observes the disable, so the recorded
      // order breaks vu-enable).
      ++faulted;
      msg(18, "SET_VRING_ENABLE", 1, "set_vring_enable", f("\"vring\":%d,\"enable\":0", v));
      publish(v, "ring_disable");
      o.ev("ring_observe", tid, w, f("\"vring\":%d,\"version\":%" PRIu64, v, version[v]));
      uint64_t h = head[v]++ % 256;
      o.ev("add_used", tid, w,
           f("\"vring\":%d,\"head\":%" PRIu64 ",\"len\":64,\"used_idx\":%" PRIu64, v, h, used[v]++ % 65536));
      o.ev("used_notify", tid, w, f("\"vring\":%d", v));
      o.ev("ring_release", tid, w, f("\"vring\":%d,\"version\":%" PRIu64, v, version[v]));
      msg(18, "SET_VRING_ENABLE", 1, "set_vring_enable", f("\"vring\":%d,\"enable\":1", v));
      publish(v, "ring_enable");
      continue;
    }
    if (rng() % 2000 == 0) {
      msg(18, "SET_VRING_ENABLE", 1, "set_vring_enable", f("\"vring\":%d,\"enable\":0", v));
      publish(v, "ring_disable");
      msg(18, "SET_VRING_ENABLE", 1, "set_vring_enable", f("\"vring\":%d,\"enable\":1", v));
      publish(v, "ring_enable");
      continue;
    }
    o.ev("ring_observe", tid, w, f("\"vring\":%d,\"version\":%" PRIu64, v, version[v]));
    o.ev("handle_event", tid, w, f("\"vring\":%d,\"count\":1", v));
    uint64_t h = head[v]++ % 256;
    o.ev("pop", tid, w, f("\"vring\":%d,\"head\":%" PRIu64 ",\"avail_idx\":%" PRIu64, v, h, avail[v]++ % 65536));
    o.ev("add_used", tid, w,
         f("\"vring\":%d,\"head\":%" PRIu64 ",\"len\":64,\"used_idx\":%" PRIu64, v, h, used[v]++ % 65536));
    o.ev("used_notify", tid, w, f("\"vring\":%d", v));
    o.ev("ring_release", tid, w, f("\"vring\":%d,\"version\":%" PRIu64, v, version[v]));
  }
  // Shut-down: disable and stop each ring, join its worker.
  for (int v = 0; v < vrings; ++v) {
    msg(18, "SET_VRING_ENABLE", 1, "set_vring_enable", f("\"vring\":%d,\"enable\":0", v));
    publish(v, "ring_disable");
    ++seq;
    o.ev("vu_recv", sock, st,
         f("\"req\":11,\"msg\":\"GET_VRING_BASE\",\"flags\":1,\"seq\":%" PRIu64 ",\"size\":8", seq));
    o.ev("get_vring_base", sock, st, f("\"vring\":%d,\"base\":%" PRIu64, v, avail[v] % 65536));
    publish(v, "ring_stop");
    o.ev("vu_reply", sock, st, f("\"req\":11,\"msg\":\"GET_VRING_BASE\",\"seq\":%" PRIu64, seq));
    o.ev("thread_end", sock + 1 + v, wname[v].c_str(), "");
    o.ev("thread_join", sock, st, f("\"child\":%d", sock + 1 + v));
  }
  o.flush();
  std::fprintf(stderr, "vconform-gen-trace: %" PRIu64 " events, %d vrings, %d threads\n", o.n, vrings, vrings + 1);
  return 0;
}
