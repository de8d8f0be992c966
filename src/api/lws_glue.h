/*
 * lws_glue.h: what every module that runs a libwebsockets context on an
 * actor's libuv loop shares: log routing and the two-pass context
 * destruction a foreign libuv loop needs.
 */
#ifndef CT_API_LWS_GLUE_H
#define CT_API_LWS_GLUE_H

#include <uv.h>

struct lws_context;
struct lws_context_creation_info;

/* Route lws' own log lines (errors and warnings only) into ct_log, once
 * per process. Call before creating a context. */
void ct__lws_log_init(void);

/* lws_create_context() for every context of the process, on the foreign
 * libuv `loop` (the calling actor's), with explicit vhosts and no listen
 * port. The caller zeroes `info` and sets its own fields (user, timeouts,
 * fd limit); this routes lws' logs (ct__lws_log_init) and sets options,
 * foreign_loops and port. `tls` says whether its vhosts will use TLS. On
 * return `info` is ready for lws_create_vhost(): options are
 * LWS_SERVER_OPTION_LIBUV, plus LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT when
 * `tls` (lws 4.1 creates no SSL_CTX for a vhost without it), and
 * foreign_loops is NULL.
 *
 * Why: lws 4.1 runs its OpenSSL library init on every context created with
 * DO_SSL_GLOBAL_INIT, and that init allocates new process-wide ex_data
 * indexes. A client SSL_CTX is tagged through the index current when its
 * vhost was made and found again through the index current when it is
 * destroyed; once a second TLS context existed the lookup failed and the
 * SSL_CTX (and the system CA store in it) leaked, and a handshake in one
 * context could lose its wsi when another context was created. Here the
 * init runs once per process, under a lock, on the first TLS context only
 * (the flag is removed from `info` for all later ones), so the indexes
 * never move. Returns the context or NULL (lws logged why). */
struct lws_context *ct__lws_context_new(struct lws_context_creation_info *info,
                                        uv_loop_t *loop, int tls);

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
