// The back-end's event vocabulary (docs/backend-events.md). Every event goes to the JSON-lines
// writer (when one is attached) and, when built with LTTng-UST, to the tracepoint of the same name
// in provider `vconform_backend` with the same fields.
#pragma once

#include <cstdint>
#include <string_view>

#include "trace_writer.h"

#ifdef VCONFORM_BACKEND_LTTNG
#include "lttng_tp.h"
#define VC_TP(ev, ...) lttng_ust_tracepoint(vconform_backend, ev __VA_OPT__(, ) __VA_ARGS__)
#else
#define VC_TP(ev, ...) \
  do {                 \
  } while (0)
#endif

namespace vc::backend {

// Thin facade: one method per event. `writer` may be null (no JSON trace).
class Tracer {
 public:
  explicit Tracer(TraceWriter* writer = nullptr) : w_(writer) {}
  TraceWriter* writer() const { return w_; }
  void Flush() {
    if (w_) w_->Flush();
  }

  // --- socket thread: messages
  void VuConnect() {
    VC_TP(vu_connect);
    J("vu_connect", {});
  }
  void VuRecv(uint32_t req, std::string_view msg, uint32_t flags, uint64_t seq, uint32_t size) {
    VC_TP(vu_recv, req, S(msg), flags, seq, size);
    J("vu_recv", {{"req", req}, {"msg", msg}, {"flags", flags}, {"seq", seq}, {"size", size}});
  }
  void VuReply(uint32_t req, std::string_view msg, uint64_t seq) {
    VC_TP(vu_reply, req, S(msg), seq);
    J("vu_reply", {{"req", req}, {"msg", msg}, {"seq", seq}});
  }
  void VuError(std::string_view reason) {
    VC_TP(vu_error, S(reason));
    J("vu_error", {{"reason", reason}});
  }
  void VuDisconnect() {
    VC_TP(vu_disconnect);
    J("vu_disconnect", {});
  }
  void FaultInjected(std::string_view fault) {
    VC_TP(fault_injected, S(fault));
    J("fault_injected", {{"fault", fault}});
  }

  // --- socket thread: one semantic event per message
  // GET_* events carry the value the back-end replies with.
  void GetFeatures(uint64_t f) {
    VC_TP(get_features, f);
    J("get_features", {{"features", f}});
  }
  void SetFeatures(uint64_t f) {
    VC_TP(set_features, f);
    J("set_features", {{"features", f}});
  }
  void GetProtocolFeatures(uint64_t f) {
    VC_TP(get_protocol_features, f);
    J("get_protocol_features", {{"features", f}});
  }
  void SetProtocolFeatures(uint64_t f) {
    VC_TP(set_protocol_features, f);
    J("set_protocol_features", {{"features", f}});
  }
  void SetOwner() {
    VC_TP(set_owner);
    J("set_owner", {});
  }
  void ResetOwner() {
    VC_TP(reset_owner);
    J("reset_owner", {});
  }
  void SetMemTable(uint32_t regions) {
    VC_TP(set_mem_table, regions);
    J("set_mem_table", {{"regions", regions}});
  }
  void SetVringNum(uint32_t vring, uint32_t num) {
    VC_TP(set_vring_num, vring, num);
    J("set_vring_num", {{"vring", vring}, {"num", num}});
  }
  void SetVringBase(uint32_t vring, uint32_t base) {
    VC_TP(set_vring_base, vring, base);
    J("set_vring_base", {{"vring", vring}, {"base", base}});
  }
  void SetVringAddr(uint32_t vring) {
    VC_TP(set_vring_addr, vring);
    J("set_vring_addr", {{"vring", vring}});
  }
  void SetVringKick(uint32_t vring, bool nofd) {
    VC_TP(set_vring_kick, vring, nofd ? 1 : 0);
    J("set_vring_kick", {{"vring", vring}, {"nofd", nofd ? 1 : 0}});
  }
  void SetVringCall(uint32_t vring, bool nofd) {
    VC_TP(set_vring_call, vring, nofd ? 1 : 0);
    J("set_vring_call", {{"vring", vring}, {"nofd", nofd ? 1 : 0}});
  }
  void SetVringErr(uint32_t vring, bool nofd) {
    VC_TP(set_vring_err, vring, nofd ? 1 : 0);
    J("set_vring_err", {{"vring", vring}, {"nofd", nofd ? 1 : 0}});
  }
  void SetVringEnable(uint32_t vring, uint32_t enable) {
    VC_TP(set_vring_enable, vring, enable);
    J("set_vring_enable", {{"vring", vring}, {"enable", enable}});
  }
  void GetVringBase(uint32_t vring, uint32_t base) {
    VC_TP(get_vring_base, vring, base);
    J("get_vring_base", {{"vring", vring}, {"base", base}});
  }
  void ResetDevice() {
    VC_TP(reset_device);
    J("reset_device", {});
  }
  void GetQueueNum(uint64_t queues) {
    VC_TP(get_queue_num, queues);
    J("get_queue_num", {{"queues", queues}});
  }
  void SetStatus(uint64_t status) {
    VC_TP(set_status, status);
    J("set_status", {{"status", status}});
  }
  void GetStatus(uint64_t status) {
    VC_TP(get_status, status);
    J("get_status", {{"status", status}});
  }

  // --- ring state, changed by the socket thread under the ring lock
  void RingStart(uint32_t vring) {
    VC_TP(ring_start, vring);
    J("ring_start", {{"vring", vring}});
  }
  void RingStop(uint32_t vring) {
    VC_TP(ring_stop, vring);
    J("ring_stop", {{"vring", vring}});
  }
  void RingEnable(uint32_t vring) {
    VC_TP(ring_enable, vring);
    J("ring_enable", {{"vring", vring}});
  }
  void RingDisable(uint32_t vring) {
    VC_TP(ring_disable, vring);
    J("ring_disable", {{"vring", vring}});
  }
  void RingPublish(uint32_t vring, uint64_t version) {
    VC_TP(ring_publish, vring, version);
    J("ring_publish", {{"vring", vring}, {"version", version}});
  }
  void RingRelease(uint32_t vring, uint64_t version) {
    VC_TP(ring_release, vring, version);
    J("ring_release", {{"vring", vring}, {"version", version}});
  }
  void RingObserve(uint32_t vring, uint64_t version) {
    VC_TP(ring_observe, vring, version);
    J("ring_observe", {{"vring", vring}, {"version", version}});
  }

  // --- threads
  void ThreadSpawn(int64_t child) {
    VC_TP(thread_spawn, child);
    J("thread_spawn", {{"child", child}});
  }
  void ThreadBegin() {
    VC_TP(thread_begin);
    J("thread_begin", {});
  }
  void ThreadEnd() {
    VC_TP(thread_end);
    J("thread_end", {});
  }
  void ThreadJoin(int64_t child) {
    VC_TP(thread_join, child);
    J("thread_join", {{"child", child}});
  }

  // --- worker thread: the data path
  void HandleEvent(uint32_t vring, uint64_t count) {
    VC_TP(handle_event, vring, count);
    J("handle_event", {{"vring", vring}, {"count", count}});
  }
  void KickDropped(uint32_t vring) {
    VC_TP(kick_dropped, vring);
    J("kick_dropped", {{"vring", vring}});
  }
  // The chain's device-readable ("out") and device-writable ("in") bytes and descriptors.
  void Pop(uint32_t vring, uint32_t head, uint32_t avail_idx, uint64_t out_len, uint64_t in_len, uint32_t out_num,
           uint32_t in_num) {
    VC_TP(pop, vring, head, avail_idx, out_len, in_len, out_num, in_num);
    J("pop", {{"vring", vring},
              {"head", head},
              {"avail_idx", avail_idx},
              {"out_len", out_len},
              {"in_len", in_len},
              {"out_num", out_num},
              {"in_num", in_num}});
  }
  // The driver's avail->idx as read from guest memory, and the back-end's last_avail_idx then.
  void AvailRead(uint32_t vring, uint32_t idx, uint32_t last_avail_idx) {
    VC_TP(avail_read, vring, idx, last_avail_idx);
    J("avail_read", {{"vring", vring}, {"idx", idx}, {"last_avail_idx", last_avail_idx}});
  }
  void AddUsed(uint32_t vring, uint32_t head, uint32_t len, uint32_t used_idx) {
    VC_TP(add_used, vring, head, len, used_idx);
    J("add_used", {{"vring", vring}, {"head", head}, {"len", len}, {"used_idx", used_idx}});
  }
  void UsedNotify(uint32_t vring) {
    VC_TP(used_notify, vring);
    J("used_notify", {{"vring", vring}});
  }
  void NotifySuppressed(uint32_t vring) {
    VC_TP(notify_suppressed, vring);
    J("notify_suppressed", {{"vring", vring}});
  }
  void RingError(uint32_t vring, std::string_view reason) {
    VC_TP(ring_error, vring, S(reason));
    J("ring_error", {{"vring", vring}, {"reason", reason}});
  }

 private:
  void J(std::string_view name, std::initializer_list<TraceField> fields) {
    if (w_) w_->Emit(name, fields);
  }
#ifdef VCONFORM_BACKEND_LTTNG
  // LTTng string fields need NUL-terminated strings; every string we pass is one of our own
  // literals or a std::string's data, so the view's data() is terminated.
  static const char* S(std::string_view s) { return s.data(); }
#else
  static std::string_view S(std::string_view s) { return s; }
#endif

  TraceWriter* w_;
};

}  // namespace vc::backend
