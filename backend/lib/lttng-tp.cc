// Instantiates the LTTng-UST probes of provider vconform_backend (lttng-tp.h).
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "lttng-tp.h"
