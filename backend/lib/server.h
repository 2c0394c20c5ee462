// A vhost-user back-end server: one socket thread that owns the protocol, one worker thread per
// started ring (epoll on its kick eventfd and a control eventfd).
//
// Ring state (vhost-user.rst "Ring states"): every ring starts stopped and disabled. It starts on
// SET_VRING_KICK (as QEMU, DPDK and rust-vmm implement it) and stops on GET_VRING_BASE, RESET_*
// or disconnect; it is enabled by SET_VRING_ENABLE(1) (or by SET_FEATURES without
// VHOST_USER_F_PROTOCOL_FEATURES). The socket thread changes that state only under the ring lock
// and emits ring_publish(version); the worker reads it under the same lock, emits
// ring_observe(version), and holds the lock while it processes the ring, so a ring is never
// processed across a state change.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events.h"
#include "faults.h"
#include "guest-memory.h"
#include "log.h"
#include "protocol.h"
#include "split-queue.h"

namespace vc::backend {

class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;
  // Device-specific virtio feature bits offered (transport bits are added by the server).
  virtual uint64_t deviceFeatures() const { return 0; }
  virtual uint32_t numQueues() const { return 1; }
  // Serves one request chain of queue `vring`; returns the bytes written into its device-writable
  // part (the used length). Called on the ring's worker thread with the ring lock held.
  virtual uint32_t handleChain(uint32_t vring, const DescChain& chain) = 0;
};

struct ServerOptions {
  Faults faults;
  uint64_t protocol_features = kProtocolReplyAck | kProtocolMq | kProtocolResetDevice;
  // How long a reply may wait for the front-end to read it, and how long the rest of a message
  // may take once its first byte arrived. Past it the connection ends with a protocol error. An
  // idle front-end (between messages) is never timed out.
  int io_timeout_ms = 10000;
};

class VhostUserServer {
 public:
  enum class End { kDisconnected, kProtocolError, kStopped, kFailed };

  VhostUserServer(VirtioDevice& device, Tracer& tracer, Logger& log, ServerOptions options);
  ~VhostUserServer();
  VhostUserServer(const VhostUserServer&) = delete;
  VhostUserServer& operator=(const VhostUserServer&) = delete;

  // Creates the listening unix socket at `path` (replacing a stale one).
  bool listen(const std::string& path, std::string* err);
  // Accepts one front-end (or returns kStopped when `stop_fd` becomes readable first) and serves
  // it until it disconnects, misbehaves, or `stop_fd` becomes readable.
  End acceptAndServe(int stop_fd);
  // Serves an already connected socket (takes ownership of `conn_fd`). `stop_fd` may be -1.
  // `stop_fd` becoming readable also ends a reply the front-end does not read, at once.
  End serve(int conn_fd, int stop_fd);

  uint64_t offeredFeatures() const;

 private:
  struct Vring;
  enum class Step { kContinue, kError };

  Step handle(VhostUserMessage& m, uint64_t seq);
  bool reply(const VhostUserMessage& m, uint64_t seq, const void* payload, uint32_t size);
  bool replyU64(const VhostUserMessage& m, uint64_t seq, uint64_t value);
  Vring* ringFor(uint32_t index, const char* what);
  void startRing(Vring& vr);
  // Stops the ring (if started) and joins its worker. Emits get_vring_base when `base_out`.
  void stopRing(Vring& vr, uint32_t* base_out);
  void setEnabled(Vring& vr, bool enable);
  void resetAll();
  void workerMain(Vring* vr);
  // Processes the ring until it is empty; called by the worker with vr->mu held.
  // What the worker needs to process a ring, read under the ring lock.
  struct RingView {
    std::shared_ptr<GuestMemory> mem;
    VringLayout layout;
    bool configured = false;
    int call_fd = -1;
    int err_fd = -1;
  };
  RingView viewLocked(Vring& vr, bool dup_fds);
  // Processes the ring until it is empty (the worker holds vr.mu, except in the
  // process-outside-lock fault). With `rescan`, returns early when nothing is pending and emits
  // handle_event(count 0) otherwise.
  void process(Vring& vr, const RingView& view, SplitQueue& q, std::shared_ptr<GuestMemory>& attached, bool rescan);
  void closeConnection();
  // Called by a worker: the connection must end with a protocol error (`reason`). The socket
  // thread reports it and disconnects.
  void fatal(const std::string& reason);

  VirtioDevice& device_;
  Tracer& tracer_;
  Logger& log_;
  ServerOptions opts_;
  int listenFd_ = -1;
  int connFd_ = -1;
  int stopFd_ = -1;
  int fatalFd_ = -1;  // eventfd: a worker asks the socket thread to end the connection
  std::mutex fatalMu_;
  std::string fatalReason_;  // guarded by fatalMu_
  bool stopping_ = false;    // the stop fd fired while a reply was being sent
  bool sendFailed_ = false;  // a reply could not be sent: no failure ack is tried
  uint64_t repliedSeq_ = 0;  // seq of the last message answered
  uint64_t replies_ = 0;     // replies sent on this connection
  std::string socketPath_;
  uint64_t ackedFeatures_ = 0;
  uint64_t ackedProtocolFeatures_ = 0;
  uint64_t status_ = 0;
  std::atomic<bool> usedLenFaultDone_{false};  // fault used-len-exceeds-writable: injected once
  std::shared_ptr<GuestMemory> mem_;
  std::vector<std::unique_ptr<Vring>> vrings_;
};

}  // namespace vc::backend
