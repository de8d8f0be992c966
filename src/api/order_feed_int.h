/*
 * order_feed_int.h: what the order-feed actor (order_feed.c) and its
 * libwebsockets glue (order_feed_ws.c) share. Everything here is touched
 * only on the feed actor's loop thread, except the handle's immutable
 * configuration.
 */
#ifndef CT_API_ORDER_FEED_INT_H
#define CT_API_ORDER_FEED_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "copytrader/order_feed.h"
#include "copytrader/retry.h"

struct lws_context;
struct lws;

/* The caller's handle: configuration copied at spawn. `token` and
 * `connects` are written only by the actor after spawn. */
struct ct_order_feed {
  ct_actor_t *actor;
  ct_actor_t *subscriber;
  char *url, *client_id, *ca_file;
  ct_secret_t token;
  uint32_t ping_ms, stale_ms, up_grace_ms, connect_timeout_ms;
  uint32_t backoff_base_ms, backoff_cap_ms, auth_backoff_ms;
  size_t max_frame;
  uint64_t seed;
  uint64_t connects;
};

typedef enum {
  CT__FEED_IDLE = 0,   /* no socket; a reconnect timer may be armed */
  CT__FEED_CONNECTING, /* TCP/TLS/WebSocket handshake under way */
  CT__FEED_OPEN,       /* login sent or queued, not yet known good */
  CT__FEED_UP          /* logged in (first frame or grace passed) */
} ct__feed_phase_t;

typedef struct ct__feed {
  ct_order_feed_t *cfg;
  ct_actor_t *self;
  struct lws_context *ctx;
  struct lws *wsi;
  ct__feed_phase_t phase;
  int reported; /* last report: 0 none yet, 1 up, -1 down */
  bool stopping, login_pending, ping_pending, close_pending, swap_pending;
  /* the URL, cut up (pointers into url_buf) */
  char *url_buf, *path;
  const char *host;
  int port, tls;
  ct_retry_t retry;
  uint64_t tick_timer, retry_timer, grace_timer; /* 0: not armed */
  uint64_t last_rx_ns, last_ping_ns, phase_ns;
  /* why the socket is going away, when known before lws says so */
  int close_err;
  char close_reason[160];
  /* the message being reassembled */
  char *rx;
  size_t rx_len, rx_cap;
  bool rx_skip;
} ct__feed_t;

/* order_feed_ws.c */
int ct__feed_ws_create(ct__feed_t *f);   /* the lws context */
void ct__feed_ws_destroy(ct__feed_t *f); /* while the loop runs */
int ct__feed_ws_connect(ct__feed_t *f);
/* Close the socket (asynchronously), remembering err and reason. */
void ct__feed_ws_drop(ct__feed_t *f, int err, const char *reason);
void ct__feed_ws_ping(ct__feed_t *f);

/* order_feed.c: called back from the lws glue */
void ct__feed_on_open(ct__feed_t *f);
void ct__feed_on_login_sent(ct__feed_t *f);
void ct__feed_on_message(ct__feed_t *f, const char *buf, size_t len);
void ct__feed_on_lost(ct__feed_t *f, int err, const char *reason);

#endif /* CT_API_ORDER_FEED_INT_H */
