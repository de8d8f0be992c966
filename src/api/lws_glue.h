/*
 * lws_glue.h: what every module that runs a libwebsockets context on an
 * actor's libuv loop shares: log routing and the two-pass context
 * destruction a foreign libuv loop needs.
 */
#ifndef CT_API_LWS_GLUE_H
#define CT_API_LWS_GLUE_H

#include <uv.h>

struct lws_context;

/* Route lws' own log lines (errors and warnings only) into ct_log, once
 * per process. Call before creating a context. */
void ct__lws_log_init(void);

/* Destroy `ctx`, which runs on `loop` (a foreign loop), from that loop's
 * thread while the loop keeps running. lws 4.1 with a foreign libuv loop
 * only starts closing its handles on the first lws_context_destroy() and
 * frees the context on a second call once they are closed; this makes the
 * first call now and the second from a one-shot uv timer on `loop`, which
 * then closes itself. Callbacks of the context may still run during the
 * first call, none after it. Returns 0, or CT_ENOMEM after a first call
 * only (the context's memory is then leaked, never used again). */
int ct__lws_context_close(struct lws_context *ctx, uv_loop_t *loop);

#endif /* CT_API_LWS_GLUE_H */
