// LTTng-UST tracepoint provider `vconform_backend`: one tracepoint per event of events.h, with the
// same names and fields (docs/backend-events.md). Booleans are uint8 (CTF 1.8 has no bool).
// Built only with VCONFORM_WITH_LTTNG and liblttng-ust-dev; compiled with
// LTTNG_UST_COMPAT_API_VERSION=1 so the legacy macro names stay out of our files.
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER vconform_backend

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "lttng-tp.h"

#if !defined(VC_BACKEND_LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define VC_BACKEND_LTTNG_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

#define VC_U32(n) lttng_ust_field_integer(uint32_t, n, n)
#define VC_U64(n) lttng_ust_field_integer(uint64_t, n, n)
#define VC_I64(n) lttng_ust_field_integer(int64_t, n, n)
#define VC_STR(n) lttng_ust_field_string(n, n)

// Events without fields.
LTTNG_UST_TRACEPOINT_EVENT_CLASS(vconform_backend, no_fields, LTTNG_UST_TP_ARGS(), LTTNG_UST_TP_FIELDS())
#define VC_EV0(name) \
  LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, no_fields, vconform_backend, name, LTTNG_UST_TP_ARGS())
VC_EV0(vu_connect)
VC_EV0(vu_disconnect)
VC_EV0(set_owner)
VC_EV0(reset_owner)
VC_EV0(reset_device)
VC_EV0(thread_begin)
VC_EV0(thread_end)

// Events with only a vring.
LTTNG_UST_TRACEPOINT_EVENT_CLASS(vconform_backend, vring_only, LTTNG_UST_TP_ARGS(uint32_t, vring),
                                 LTTNG_UST_TP_FIELDS(VC_U32(vring)))
#define VC_EV_VRING(name)                                                                   \
  LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, vring_only, vconform_backend, name, \
                                      LTTNG_UST_TP_ARGS(uint32_t, vring))
VC_EV_VRING(set_vring_addr)
VC_EV_VRING(ring_start)
VC_EV_VRING(ring_stop)
VC_EV_VRING(ring_enable)
VC_EV_VRING(ring_disable)
VC_EV_VRING(kick_dropped)
VC_EV_VRING(used_notify)
VC_EV_VRING(notify_suppressed)

LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, vu_recv,
                           LTTNG_UST_TP_ARGS(uint32_t, req, const char*, msg, uint32_t, flags, uint64_t, seq, uint32_t,
                                             size),
                           LTTNG_UST_TP_FIELDS(VC_U32(req) VC_STR(msg) VC_U32(flags) VC_U64(seq) VC_U32(size)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, vu_reply,
                           LTTNG_UST_TP_ARGS(uint32_t, req, const char*, msg, uint64_t, seq),
                           LTTNG_UST_TP_FIELDS(VC_U32(req) VC_STR(msg) VC_U64(seq)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, vu_error, LTTNG_UST_TP_ARGS(const char*, reason),
                           LTTNG_UST_TP_FIELDS(VC_STR(reason)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, fault_injected, LTTNG_UST_TP_ARGS(const char*, fault),
                           LTTNG_UST_TP_FIELDS(VC_STR(fault)))
// Feature masks: offered (GET_*: the reply) and acked (SET_*).
LTTNG_UST_TRACEPOINT_EVENT_CLASS(vconform_backend, features_only, LTTNG_UST_TP_ARGS(uint64_t, features),
                                 LTTNG_UST_TP_FIELDS(VC_U64(features)))
#define VC_EV_FEATURES(name)                                                                   \
  LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, features_only, vconform_backend, name, \
                                      LTTNG_UST_TP_ARGS(uint64_t, features))
VC_EV_FEATURES(get_features)
VC_EV_FEATURES(set_features)
VC_EV_FEATURES(get_protocol_features)
VC_EV_FEATURES(set_protocol_features)
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, get_queue_num, LTTNG_UST_TP_ARGS(uint64_t, queues),
                           LTTNG_UST_TP_FIELDS(VC_U64(queues)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, get_status, LTTNG_UST_TP_ARGS(uint64_t, status),
                           LTTNG_UST_TP_FIELDS(VC_U64(status)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, set_mem_table, LTTNG_UST_TP_ARGS(uint32_t, regions),
                           LTTNG_UST_TP_FIELDS(VC_U32(regions)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, set_vring_num, LTTNG_UST_TP_ARGS(uint32_t, vring, uint32_t, num),
                           LTTNG_UST_TP_FIELDS(VC_U32(vring) VC_U32(num)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, set_vring_base, LTTNG_UST_TP_ARGS(uint32_t, vring, uint32_t, base),
                           LTTNG_UST_TP_FIELDS(VC_U32(vring) VC_U32(base)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, get_vring_base, LTTNG_UST_TP_ARGS(uint32_t, vring, uint32_t, base),
                           LTTNG_UST_TP_FIELDS(VC_U32(vring) VC_U32(base)))
LTTNG_UST_TRACEPOINT_EVENT_CLASS(vconform_backend, vring_nofd, LTTNG_UST_TP_ARGS(uint32_t, vring, int, nofd),
                                 LTTNG_UST_TP_FIELDS(VC_U32(vring) lttng_ust_field_integer(uint8_t, nofd, nofd)))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, vring_nofd, vconform_backend, set_vring_kick,
                                    LTTNG_UST_TP_ARGS(uint32_t, vring, int, nofd))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, vring_nofd, vconform_backend, set_vring_call,
                                    LTTNG_UST_TP_ARGS(uint32_t, vring, int, nofd))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, vring_nofd, vconform_backend, set_vring_err,
                                    LTTNG_UST_TP_ARGS(uint32_t, vring, int, nofd))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, set_vring_enable, LTTNG_UST_TP_ARGS(uint32_t, vring, uint32_t, enable),
                           LTTNG_UST_TP_FIELDS(VC_U32(vring) VC_U32(enable)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, set_status, LTTNG_UST_TP_ARGS(uint64_t, status),
                           LTTNG_UST_TP_FIELDS(VC_U64(status)))
LTTNG_UST_TRACEPOINT_EVENT_CLASS(vconform_backend, vring_version, LTTNG_UST_TP_ARGS(uint32_t, vring, uint64_t, version),
                                 LTTNG_UST_TP_FIELDS(VC_U32(vring) VC_U64(version)))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, vring_version, vconform_backend, ring_publish,
                                    LTTNG_UST_TP_ARGS(uint32_t, vring, uint64_t, version))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, vring_version, vconform_backend, ring_observe,
                                    LTTNG_UST_TP_ARGS(uint32_t, vring, uint64_t, version))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, vring_version, vconform_backend, ring_release,
                                    LTTNG_UST_TP_ARGS(uint32_t, vring, uint64_t, version))
LTTNG_UST_TRACEPOINT_EVENT_CLASS(vconform_backend, thread_child, LTTNG_UST_TP_ARGS(int64_t, child),
                                 LTTNG_UST_TP_FIELDS(VC_I64(child)))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, thread_child, vconform_backend, thread_spawn,
                                    LTTNG_UST_TP_ARGS(int64_t, child))
LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(vconform_backend, thread_child, vconform_backend, thread_join,
                                    LTTNG_UST_TP_ARGS(int64_t, child))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, handle_event, LTTNG_UST_TP_ARGS(uint32_t, vring, uint64_t, count),
                           LTTNG_UST_TP_FIELDS(VC_U32(vring) VC_U64(count)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, pop,
                           LTTNG_UST_TP_ARGS(uint32_t, vring, uint32_t, head, uint32_t, avail_idx, uint64_t, out_len,
                                             uint64_t, in_len, uint32_t, out_num, uint32_t, in_num),
                           LTTNG_UST_TP_FIELDS(VC_U32(vring) VC_U32(head) VC_U32(avail_idx) VC_U64(out_len)
                                                   VC_U64(in_len) VC_U32(out_num) VC_U32(in_num)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, avail_read,
                           LTTNG_UST_TP_ARGS(uint32_t, vring, uint32_t, idx, uint32_t, last_avail_idx),
                           LTTNG_UST_TP_FIELDS(VC_U32(vring) VC_U32(idx) VC_U32(last_avail_idx)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, add_used,
                           LTTNG_UST_TP_ARGS(uint32_t, vring, uint32_t, head, uint32_t, len, uint32_t, used_idx),
                           LTTNG_UST_TP_FIELDS(VC_U32(vring) VC_U32(head) VC_U32(len) VC_U32(used_idx)))
LTTNG_UST_TRACEPOINT_EVENT(vconform_backend, ring_error, LTTNG_UST_TP_ARGS(uint32_t, vring, const char*, reason),
                           LTTNG_UST_TP_FIELDS(VC_U32(vring) VC_STR(reason)))

#endif  // VC_BACKEND_LTTNG_TP_H

#include <lttng/tracepoint-event.h>
