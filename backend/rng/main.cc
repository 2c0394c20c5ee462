// vhost-user-rng: a virtio-rng vhost-user back-end, instrumented for vconform.
//   vhost-user-rng --socket PATH [--trace-json FILE] [--fill=random|counter|seed:N]
//                  [--fault=NAME]... [--verbose]
// Serves one front-end connection, then exits (0 after a clean disconnect, 1 after a protocol
// error, 2 on bad usage, 3 when a signal's clean stop did not finish within 2 s).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "events.h"
#include "faults.h"
#include "log.h"
#include "rng-device.h"
#include "server.h"
#include "signal-stop.h"
#include "trace-writer.h"

using namespace vc::backend;

namespace {

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: vhost-user-rng --socket PATH [--trace-json FILE]\n"
               "                      [--fill=random|counter|seed:N] [--fault=NAME]...\n"
               "                      [--protocol-features=MASK] [--verbose]\n"
               "Serves one vhost-user front-end (e.g. QEMU's vhost-user-rng-pci) and exits.\n"
               "Faults (each breaks one vhost-user rule on purpose):\n"
               "  drop-kick-when-disabled  drop a kick read while the ring is disabled and do\n"
               "                           not rescan on enable (vu-kick-handled; guest hangs)\n"
               "  process-before-enable    process a started ring while disabled (vu-enable)\n"
               "  notify-after-stop        notify the guest after GET_VRING_BASE (vu-stop)\n"
               "  skip-reply               never send REPLY_ACK replies (vu-reply-ack)\n"
               "  process-outside-lock     check ring state under the lock, process after\n"
               "                           dropping it (vu-enable/vu-stop, predicted)\n"
               "Exit codes: 0 clean disconnect or signal, 1 protocol error, 2 bad usage,\n"
               "3 no clean stop within 2 s of SIGTERM/SIGINT (forced exit).\n");
}

bool takeValue(const std::string& arg, const char* name, int* i, int argc, char** argv, std::string* value) {
  const std::string eq = std::string(name) + "=";
  if (arg.compare(0, eq.size(), eq) == 0) {
    *value = arg.substr(eq.size());
    return true;
  }
  if (arg == name && *i + 1 < argc) {
    *value = argv[++*i];
    return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path, trace_path, fill = "random", value;
  ServerOptions opts;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (takeValue(a, "--socket", &i, argc, argv, &value)) {
      socket_path = value;
    } else if (takeValue(a, "--trace-json", &i, argc, argv, &value)) {
      trace_path = value;
    } else if (takeValue(a, "--fill", &i, argc, argv, &value)) {
      fill = value;
    } else if (takeValue(a, "--fault", &i, argc, argv, &value)) {
      if (!enableFault(&opts.faults, value)) {
        std::fprintf(stderr, "vhost-user-rng: unknown fault '%s'\n", value.c_str());
        return 2;
      }
    } else if (takeValue(a, "--protocol-features", &i, argc, argv, &value)) {
      opts.protocol_features = std::strtoull(value.c_str(), nullptr, 0);
    } else if (a == "--verbose" || a == "-v") {
      verbose = true;
    } else if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "vhost-user-rng: unknown argument '%s'\n", a.c_str());
      usage(stderr);
      return 2;
    }
  }
  if (socket_path.empty()) {
    usage(stderr);
    return 2;
  }
  FillMode mode;
  uint64_t seed = 0;
  if (!RngDevice::parseFill(fill, &mode, &seed)) {
    std::fprintf(stderr, "vhost-user-rng: bad --fill '%s'\n", fill.c_str());
    return 2;
  }

  // SIGTERM/SIGINT make the server stop cleanly (the trace is flushed) on a normal thread, never
  // in a signal handler; if that is not done 2 s later, the process exits at once with status 3.
  StopOnSignal stop("vhost-user-rng", std::chrono::seconds(2));
  signal(SIGPIPE, SIG_IGN);

  Logger log;
  log.setPrefix("vhost-user-rng");
  if (verbose) log.setLevel(LogLevel::kDebug);
  TraceWriter writer;
  std::string err;
  if (!trace_path.empty() && !writer.open(trace_path, &err)) {
    std::fprintf(stderr, "vhost-user-rng: %s\n", err.c_str());
    return 2;
  }
  setCurrentThreadName("vu-socket");
  Tracer tracer(trace_path.empty() ? nullptr : &writer);
  RngDevice rng(mode, seed);
  int rc;
  {
    VhostUserServer server(rng, tracer, log, opts);
    if (!server.listen(socket_path, &err)) {
      log.error(err);
      return 2;
    }
    log.info("listening on " + socket_path);
    const VhostUserServer::End end = server.acceptAndServe(stop.fd());
    rc = end == VhostUserServer::End::kProtocolError || end == VhostUserServer::End::kFailed ? 1 : 0;
  }
  log.info("served " + std::to_string(rng.bytesServed()) + " bytes");
  writer.close();
  stop.finished();
  return rc;
}
