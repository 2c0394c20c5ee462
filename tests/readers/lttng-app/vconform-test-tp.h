// Tracepoint provider of the LTTng recording test: a few events shaped like a vhost-user
// back-end's (ints, a string, an enum), so the CTF reader is tested on a real LTTng trace.
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER vconform_test

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./vconform-test-tp.h"

#if !defined(VCONFORM_TEST_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define VCONFORM_TEST_TP_H

#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_ENUM(vconform_test, onoff,
                          LTTNG_UST_TP_ENUM_VALUES(lttng_ust_field_enum_value("OFF", 0)
                                                       lttng_ust_field_enum_value("ON", 1)))

LTTNG_UST_TRACEPOINT_EVENT(vconform_test, set_vring_enable, LTTNG_UST_TP_ARGS(int, vring, int, enable),
                           LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, vring, vring)
                                                   lttng_ust_field_enum(vconform_test, onoff, int, enable, enable)))

LTTNG_UST_TRACEPOINT_EVENT(
    vconform_test, handle_event, LTTNG_UST_TP_ARGS(int, vring, unsigned long, seq, const char*, who),
    LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, vring, vring) lttng_ust_field_integer(unsigned long, seq, seq)
                            lttng_ust_field_integer_hex(unsigned long, mask, 0xffffffffffffffffUL)
                                lttng_ust_field_string(who, who)))

#endif

#include <lttng/tracepoint-event.h>
