// The back-end's event vocabulary (docs/backend-events.md). Every event goes to the JSON-lines
// writer (when one is attached) and, when built with LTTng-UST, to the tracepoint of the same name
// in provider `vconform_backend` with the same fields.
#pragma once

#include <cstdint>
#include <string_view>

#include "trace-writer.h"

#ifdef VCONFORM_BACKEND_LTTNG
#include "lttng-tp.h"
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
  void flush() {
    if (w_) w_->flush();
  }

  // --- socket thread: messages
  void vuConnect() {
    VC_TP(vu_connect);
    j("vu_connect", {});
  }
  void vuRecv(uint32_t req, std::string_view msg, uint32_t flags, uint64_t seq, uint32_t size) {
    VC_TP(vu_recv, req, cstr(msg), flags, seq, size);
    j("vu_recv", {{"req", req}, {"msg", msg}, {"flags", flags}, {"seq", seq}, {"size", size}});
  }
  void vuReply(uint32_t req, std::string_view msg, uint64_t seq) {
    VC_TP(vu_reply, req, cstr(msg), seq);
    j("vu_reply", {{"req", req}, {"msg", msg}, {"seq", seq}});
  }
  void vuError(std::string_view reason) {
    VC_TP(vu_error, cstr(reason));
    j("vu_error", {{"reason", reason}});
  }
  void vuDisconnect() {
    VC_TP(vu_disconnect);
    j("vu_disconnect", {});
  }
  void faultInjected(std::string_view fault) {
    VC_TP(fault_injected, cstr(fault));
    j("fault_injected", {{"fault", fault}});
  }

  // --- socket thread: one semantic event per message
  // GET_* events carry the value the back-end replies with.
  void getFeatures(uint64_t f) {
    VC_TP(get_features, f);
    j("get_features", {{"features", f}});
  }
  void setFeatures(uint64_t f) {
    VC_TP(set_features, f);
    j("set_features", {{"features", f}});
  }
  void getProtocolFeatures(uint64_t f) {
    VC_TP(get_protocol_features, f);
    j("get_protocol_features", {{"features", f}});
  }
  void setProtocolFeatures(uint64_t f) {
    VC_TP(set_protocol_features, f);
    j("set_protocol_features", {{"features", f}});
  }
  void setOwner() {
    VC_TP(set_owner);
    j("set_owner", {});
  }
  void resetOwner() {
    VC_TP(reset_owner);
    j("reset_owner", {});
  }
  void setMemTable(uint32_t regions) {
    VC_TP(set_mem_table, regions);
    j("set_mem_table", {{"regions", regions}});
  }
  void setVringNum(uint32_t vring, uint32_t num) {
    VC_TP(set_vring_num, vring, num);
    j("set_vring_num", {{"vring", vring}, {"num", num}});
  }
  void setVringBase(uint32_t vring, uint32_t base) {
    VC_TP(set_vring_base, vring, base);
    j("set_vring_base", {{"vring", vring}, {"base", base}});
  }
  void setVringAddr(uint32_t vring) {
    VC_TP(set_vring_addr, vring);
    j("set_vring_addr", {{"vring", vring}});
  }
  void setVringKick(uint32_t vring, bool nofd) {
    VC_TP(set_vring_kick, vring, nofd ? 1 : 0);
    j("set_vring_kick", {{"vring", vring}, {"nofd", nofd ? 1 : 0}});
  }
  void setVringCall(uint32_t vring, bool nofd) {
    VC_TP(set_vring_call, vring, nofd ? 1 : 0);
    j("set_vring_call", {{"vring", vring}, {"nofd", nofd ? 1 : 0}});
  }
  void setVringErr(uint32_t vring, bool nofd) {
    VC_TP(set_vring_err, vring, nofd ? 1 : 0);
    j("set_vring_err", {{"vring", vring}, {"nofd", nofd ? 1 : 0}});
  }
  void setVringEnable(uint32_t vring, uint32_t enable) {
    VC_TP(set_vring_enable, vring, enable);
    j("set_vring_enable", {{"vring", vring}, {"enable", enable}});
  }
  void getVringBase(uint32_t vring, uint32_t base) {
    VC_TP(get_vring_base, vring, base);
    j("get_vring_base", {{"vring", vring}, {"base", base}});
  }
  void resetDevice() {
    VC_TP(reset_device);
    j("reset_device", {});
  }
  void getQueueNum(uint64_t queues) {
    VC_TP(get_queue_num, queues);
    j("get_queue_num", {{"queues", queues}});
  }
  void setStatus(uint64_t status) {
    VC_TP(set_status, status);
    j("set_status", {{"status", status}});
  }
  void getStatus(uint64_t status) {
    VC_TP(get_status, status);
    j("get_status", {{"status", status}});
  }

  // --- ring state, changed by the socket thread under the ring lock
  void ringStart(uint32_t vring) {
    VC_TP(ring_start, vring);
    j("ring_start", {{"vring", vring}});
  }
  void ringStop(uint32_t vring) {
    VC_TP(ring_stop, vring);
    j("ring_stop", {{"vring", vring}});
  }
  void ringEnable(uint32_t vring) {
    VC_TP(ring_enable, vring);
    j("ring_enable", {{"vring", vring}});
  }
  void ringDisable(uint32_t vring) {
    VC_TP(ring_disable, vring);
    j("ring_disable", {{"vring", vring}});
  }
  void ringPublish(uint32_t vring, uint64_t version) {
    VC_TP(ring_publish, vring, version);
    j("ring_publish", {{"vring", vring}, {"version", version}});
  }
  void ringRelease(uint32_t vring, uint64_t version) {
    VC_TP(ring_release, vring, version);
    j("ring_release", {{"vring", vring}, {"version", version}});
  }
  void ringObserve(uint32_t vring, uint64_t version) {
    VC_TP(ring_observe, vring, version);
    j("ring_observe", {{"vring", vring}, {"version", version}});
  }

  // --- threads
  void threadSpawn(int64_t child) {
    VC_TP(thread_spawn, child);
    j("thread_spawn", {{"child", child}});
  }
  void threadBegin() {
    VC_TP(thread_begin);
    j("thread_begin", {});
  }
  void threadEnd() {
    VC_TP(thread_end);
    j("thread_end", {});
  }
  void threadJoin(int64_t child) {
    VC_TP(thread_join, child);
    j("thread_join", {{"child", child}});
  }

  // --- worker thread: the data path
  void handleEvent(uint32_t vring, uint64_t count) {
    VC_TP(handle_event, vring, count);
    j("handle_event", {{"vring", vring}, {"count", count}});
  }
  void kickDropped(uint32_t vring) {
    VC_TP(kick_dropped, vring);
    j("kick_dropped", {{"vring", vring}});
  }
  // The chain's device-readable ("out") and device-writable ("in") bytes and descriptors.
  void pop(uint32_t vring, uint32_t head, uint32_t avail_idx, uint64_t out_len, uint64_t in_len, uint32_t out_num,
           uint32_t in_num) {
    VC_TP(pop, vring, head, avail_idx, out_len, in_len, out_num, in_num);
    j("pop", {{"vring", vring},
              {"head", head},
              {"avail_idx", avail_idx},
              {"out_len", out_len},
              {"in_len", in_len},
              {"out_num", out_num},
              {"in_num", in_num}});
  }
  // The driver's avail->idx as read from guest memory, and the back-end's last_avail_idx then.
  void availRead(uint32_t vring, uint32_t idx, uint32_t last_avail_idx) {
    VC_TP(avail_read, vring, idx, last_avail_idx);
    j("avail_read", {{"vring", vring}, {"idx", idx}, {"last_avail_idx", last_avail_idx}});
  }
  void addUsed(uint32_t vring, uint32_t head, uint32_t len, uint32_t used_idx) {
    VC_TP(add_used, vring, head, len, used_idx);
    j("add_used", {{"vring", vring}, {"head", head}, {"len", len}, {"used_idx", used_idx}});
  }
  void usedNotify(uint32_t vring) {
    VC_TP(used_notify, vring);
    j("used_notify", {{"vring", vring}});
  }
  void notifySuppressed(uint32_t vring) {
    VC_TP(notify_suppressed, vring);
    j("notify_suppressed", {{"vring", vring}});
  }
  void ringError(uint32_t vring, std::string_view reason) {
    VC_TP(ring_error, vring, cstr(reason));
    j("ring_error", {{"vring", vring}, {"reason", reason}});
  }

 private:
  void j(std::string_view name, std::initializer_list<TraceField> fields) {
    if (w_) w_->emit(name, fields);
  }
#ifdef VCONFORM_BACKEND_LTTNG
  // LTTng string fields need NUL-terminated strings; every string we pass is one of our own
  // literals or a std::string's data, so the view's data() is terminated.
  static const char* cstr(std::string_view s) { return s.data(); }
#else
  static std::string_view cstr(std::string_view s) { return s; }
#endif

  TraceWriter* w_;
};

}  // namespace vc::backend
