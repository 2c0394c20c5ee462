// Reads the trace recorded by record-lttng.sh with the CTF reader and checks what the program
// emitted: ctf-check TRACE_DIR N. Exit 0 when everything matches.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "trace/reader.h"

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  unsigned long n = std::strtoul(argv[2], nullptr, 10);
  vc::TraceTables t;
  vc::Diagnostics d;
  vc::ReaderOptions o;
  o.maxDiscarded = 0;
  auto r = vc::openTrace(argv[1], o, t, d);
  if (!r) {
    std::fputs(vc::renderAll(d).c_str(), stderr);
    return 1;
  }
  int fails = 0;
  auto fail = [&](const std::string& m) {
    if (fails++ < 20) std::fprintf(stderr, "FAIL: %s\n", m.c_str());
  };
  if (t.sources.at(0).format != "ctf") fail("format detected as " + t.sources.at(0).format);
  std::map<uint32_t, long> nextSeq;  // per thread
  std::map<uint32_t, int> vringOf;
  unsigned long handles = 0, enables = 0;
  int64_t lastTs = 0;
  uint64_t lastIndex = 0;
  vc::Event ev;
  auto sym = [&](const char* s) { return t.symbols.find(s); };
  while (r->next(ev)) {
    const std::string& name = t.symbols.name(ev.name);
    if (ev.origin.line != lastIndex + 1) fail("event index not consecutive");
    lastIndex = ev.origin.line;
    if (!ev.hasTs || ev.ts < lastTs) fail("timestamps missing or out of order at " + std::to_string(ev.origin.line));
    lastTs = ev.ts;
    const auto& th = t.threads.at(ev.thread);
    if (th.tid == 0 || th.pid == 0 || th.name.empty()) fail("thread identity missing");
    const vc::Value* vring = ev.field(sym("vring"));
    if (!vring) {
      fail("no vring field in " + name);
      continue;
    }
    if (vringOf.count(ev.thread) && vringOf[ev.thread] != vring->i) fail("a thread changed vring");
    vringOf[ev.thread] = static_cast<int>(vring->i);
    if (name == "vconform_test:handle_event") {
      ++handles;
      const vc::Value* seq = ev.field(sym("seq"));
      const vc::Value* who = ev.field(sym("who"));
      const vc::Value* mask = ev.field(sym("mask"));
      if (!seq || seq->i != nextSeq[ev.thread]) fail("seq out of order on a thread");
      nextSeq[ev.thread] = seq ? seq->i + 1 : 0;
      if (!who || who->s != "worker-" + std::to_string(vring->i)) fail("bad who");
      if (!mask || mask->i != -1) fail("u64 max should keep its bit pattern");
    } else if (name == "vconform_test:set_vring_enable") {
      ++enables;
      const vc::Value* en = ev.field(sym("enable"));
      if (!en || en->kind != vc::Value::Kind::Int) fail("enable should be an integer");
    } else {
      fail("unexpected event " + name);
    }
  }
  if (d.hasErrors()) {
    std::fputs(vc::renderAll(d).c_str(), stderr);
    ++fails;
  }
  if (handles != 2 * n) fail("handle_event count " + std::to_string(handles) + " != " + std::to_string(2 * n));
  if (enables != 4) fail("set_vring_enable count " + std::to_string(enables));
  if (vringOf.size() != 2) fail("expected 2 threads, got " + std::to_string(vringOf.size()));
  if (r->discarded() != 0) fail("discarded " + std::to_string(r->discarded()));
  std::printf("%lu events, %zu threads, discarded %llu: %s\n", handles + enables, vringOf.size(),
              static_cast<unsigned long long>(r->discarded()), fails ? "FAIL" : "ok");
  return fails ? 1 : 0;
}
