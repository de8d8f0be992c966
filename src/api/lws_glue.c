/*
 * lws_glue.c: shared libwebsockets helpers (see lws_glue.h): log routing
 * (only errors and warnings are kept; lws' notice and info lines name URIs
 * and would leak a postback path secret), context creation that runs the
 * lws OpenSSL init once per process, and the two-pass destruction of a
 * context on a foreign libuv loop.
 */
#include "lws_glue.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "copytrader/error.h"
#include "copytrader/log.h"

static uv_once_t once = UV_ONCE_INIT;
static uv_once_t tls_once = UV_ONCE_INIT;
static uv_mutex_t tls_mu;
static int tls_ready; /* guarded by tls_mu */

static void emit(int level, const char *line) {
  int n = (int)strcspn(line, "\r\n");
  if (level & LLL_ERR)
    ct_log_error("lws", "msg=\"%.*s\"", n, line);
  else
    ct_log_warn("lws", "msg=\"%.*s\"", n, line);
}

static void set_level(void) {
  lws_set_log_level(LLL_ERR | LLL_WARN, emit);
}

void ct__lws_log_init(void) {
  uv_once(&once, set_level);
}

static void tls_mu_init(void) {
  if (uv_mutex_init(&tls_mu) != 0)
    abort(); /* only fails without memory at start-up */
}

static struct lws_context *create(struct lws_context_creation_info *info,
                                  int tls) {
  struct lws_context *ctx;
  if (!tls) {
    info->options &= ~(uint64_t)LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    return lws_create_context(info);
  }
  uv_once(&tls_once, tls_mu_init);
  uv_mutex_lock(&tls_mu);
  if (tls_ready)
    info->options &= ~(uint64_t)LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  else
    info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  ctx = lws_create_context(info);
  if (ctx != NULL)
    tls_ready = 1;
  uv_mutex_unlock(&tls_mu);
  return ctx;
}

struct lws_context *ct__lws_context_new(struct lws_context_creation_info *info,
                                        uv_loop_t *loop, int tls) {
  struct lws_context *ctx;
  void *loops[1] = { loop };
  ct__lws_log_init();
  info->options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
  info->foreign_loops = loops; /* read by lws_create_context() only */
  info->port = CONTEXT_PORT_NO_LISTEN;
  ctx = create(info, tls);
  info->foreign_loops = NULL;
  info->options = LWS_SERVER_OPTION_LIBUV;
  if (tls)
    info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  return ctx;
}

/* The second pass waits until the loop has had no closing handle (other
 * than the reaper's own timer) for REAP_CLEAN_TICKS ticks in a row: lws
 * closes its handles in chains (a close callback closes the next one),
 * and the close callbacks live in the evlib plugin that the second pass
 * unloads, so it must not come before the last of them ran. */
#define REAP_TICK_MS     1
#define REAP_CLEAN_TICKS 3

typedef struct reaper {
  uv_timer_t timer;
  struct lws_context *ctx;
  unsigned clean;
} reaper_t;

static void reaper_closed(uv_handle_t *h) {
  free(h->data);
}

static void count_closing(uv_handle_t *h, void *arg) {
  reaper_t *r = ((uv_handle_t *)arg)->data;
  if (h != (uv_handle_t *)&r->timer && uv_is_closing(h))
    r->clean = 0;
}

static void reaper_tick(uv_timer_t *t) {
  reaper_t *r = t->data;
  r->clean++;
  uv_walk(t->loop, count_closing, t);
  if (r->clean < REAP_CLEAN_TICKS)
    return;
  lws_context_destroy(r->ctx); /* second pass: frees the context */
  uv_close((uv_handle_t *)&r->timer, reaper_closed);
}

int ct__lws_context_close(struct lws_context *ctx, uv_loop_t *loop) {
  reaper_t *r;
  if (ctx == NULL)
    return 0;
  lws_context_destroy(ctx); /* first pass: lws closes its uv handles */
  if ((r = calloc(1, sizeof(*r))) == NULL)
    return CT_ENOMEM;
  r->ctx = ctx;
  r->timer.data = r;
  uv_timer_init(loop, &r->timer);
  uv_timer_start(&r->timer, reaper_tick, REAP_TICK_MS, REAP_TICK_MS);
  return 0;
}
