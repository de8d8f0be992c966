/*
 * order_feed.c: the order-update feed actor (see order_feed.h).
 *
 * The actor owns one WebSocket at a time and moves through
 * IDLE -> CONNECTING -> OPEN (login sent) -> UP (first frame, or the grace
 * time passed without a close) and back to IDLE when the socket ends, when
 * it reports the loss and arms a reconnect timer from its retry policy.
 * Its own timers arrive as messages: TICK (pings and the staleness
 * watchdog), RETRY (reconnect) and GRACE (login grace). The lws glue in
 * order_feed_ws.c calls back into the ct__feed_on_* functions on the same
 * thread. During stop() the context is destroyed while the loop runs; the
 * close callbacks that fire then see `stopping` and do nothing.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/dhan_json.h"
#include "copytrader/error.h"
#include "copytrader/log.h"
#include "order_feed_int.h"

#define MS_NS 1000000ull

/* ---- messages to the subscriber ---- */

static void deliver(ct__feed_t *f, ct_msg_t *m, const char *what) {
  int rc = ct_send(f->cfg->subscriber, m);
  if (rc != 0) {
    ct_log(rc == CT_ECLOSED ? CT_LOG_DEBUG : CT_LOG_ERROR, "order_feed",
           "actor=%s msg=\"%s not delivered\" err=%s", ct_actor_name(f->self),
           what, ct_err_name(rc));
    ct_msg_free(m);
  }
}

static void report(ct__feed_t *f, uint32_t type, int err, const char *reason) {
  ct_msg_t *m;
  if (ct_msg_new(type, &m) != 0)
    return;
  if (ct_msg_put_u64(m, ct_actor_id(f->self)) || ct_msg_put_i64(m, err) ||
      ct_msg_put_u64(m, f->cfg->connects) || ct_msg_put_cstr(m, reason)) {
    ct_msg_free(m);
    return;
  }
  f->reported = type == CT_MSG_FEED_UP ? 1 : -1;
  deliver(f, m, type == CT_MSG_FEED_UP ? "FEED_UP" : "FEED_DOWN");
}

/* ---- timers ---- */

static void timer_cancel(ct__feed_t *f, uint64_t *id) {
  if (*id != 0)
    (void)ct_timer_stop(f->self, *id);
  *id = 0;
}

static void arm_retry(ct__feed_t *f, uint64_t delay_ms) {
  timer_cancel(f, &f->retry_timer);
  if (ct_timer_start(f->self, delay_ms, 0, CT_MSG_FEED_RETRY,
                     &f->retry_timer) != 0)
    f->retry_timer = 0;
}

/* ---- connection life ---- */

static void connect_now(ct__feed_t *f) {
  f->phase = CT__FEED_CONNECTING;
  f->phase_ns = f->last_rx_ns = uv_hrtime();
  ct_log_info("order_feed", "actor=%s msg=\"connecting\" host=%s port=%d",
              ct_actor_name(f->self), f->host, f->port);
  if (ct__feed_ws_connect(f) != 0 && f->phase == CT__FEED_CONNECTING)
    ct__feed_on_lost(f, CT_ECONNREFUSED, "connect could not start");
}

static void declare_up(ct__feed_t *f) {
  timer_cancel(f, &f->grace_timer);
  f->phase = CT__FEED_UP;
  f->cfg->connects++;
  ct_retry_reset(&f->retry);
  ct_log_info("order_feed", "actor=%s msg=\"feed up\" connects=%llu",
              ct_actor_name(f->self), (unsigned long long)f->cfg->connects);
  report(f, CT_MSG_FEED_UP, 0, "logged in");
}

void ct__feed_on_open(ct__feed_t *f) {
  f->phase = CT__FEED_OPEN;
  f->phase_ns = uv_hrtime();
}

void ct__feed_on_login_sent(ct__feed_t *f) {
  if (f->phase != CT__FEED_OPEN)
    return;
  timer_cancel(f, &f->grace_timer);
  if (ct_timer_start(f->self, f->cfg->up_grace_ms, 0, CT_MSG_FEED_GRACE,
                     &f->grace_timer) != 0)
    declare_up(f);
}

static uint64_t next_delay_ms(ct__feed_t *f, int err) {
  uint64_t ns = 0, ms;
  if (f->swap_pending) {
    f->swap_pending = false;
    ct_retry_reset(&f->retry);
    return 0;
  }
  if (ct_retry_next(&f->retry, &ns) != 0)
    ns = (uint64_t)f->cfg->backoff_cap_ms * MS_NS;
  ms = ns / MS_NS;
  if (err == CT_EAUTH && ms < f->cfg->auth_backoff_ms)
    ms = f->cfg->auth_backoff_ms;
  return ms;
}

void ct__feed_on_lost(ct__feed_t *f, int err, const char *reason) {
  uint64_t delay;
  if (f->stopping || f->phase == CT__FEED_IDLE)
    return;
  if (f->close_err != 0) {
    err = f->close_err;
    reason = f->close_reason;
  }
  timer_cancel(f, &f->grace_timer);
  f->phase = CT__FEED_IDLE;
  delay = next_delay_ms(f, err);
  ct_log_warn("order_feed",
              "actor=%s msg=\"feed down\" err=%s reason=\"%s\" retry_ms=%llu",
              ct_actor_name(f->self), ct_err_name(err), reason,
              (unsigned long long)delay);
  if (err == CT_EAUTH || f->reported != -1)
    report(f, CT_MSG_FEED_DOWN, err, reason);
  f->close_err = 0;
  arm_retry(f, delay);
}

void ct__feed_on_message(ct__feed_t *f, const char *buf, size_t len) {
  char err[CT_DHAN_ERR_SIZE];
  ct_order_event_t ev;
  ct_msg_t *m;
  int rc;
  if (f->phase == CT__FEED_OPEN)
    declare_up(f); /* a frame proves the login was accepted */
  rc = ct_dhan_parse_order_update(buf, len, &ev, err, sizeof(err));
  if (rc == CT_DHAN_IGNORED) {
    ct_log_debug("order_feed", "actor=%s msg=\"frame ignored\" len=%zu",
                 ct_actor_name(f->self), len);
    return;
  }
  if (rc != 0) {
    ct_log_warn("order_feed",
                "actor=%s msg=\"bad frame skipped\" len=%zu why=\"%s\"",
                ct_actor_name(f->self), len, err);
    return;
  }
  if (ct_order_event_msg_new(ct_actor_id(f->self), &ev, &m) == 0)
    deliver(f, m, "order event");
}

/* ---- the actor ---- */

static void on_tick(ct__feed_t *f) {
  uint64_t now = uv_hrtime(), limit;
  if (f->wsi == NULL)
    return;
  limit = f->phase == CT__FEED_CONNECTING ? f->cfg->connect_timeout_ms
                                          : f->cfg->stale_ms;
  if (now - f->last_rx_ns > limit * MS_NS) {
    ct__feed_ws_drop(f, CT_ETIMEDOUT,
                     f->phase == CT__FEED_CONNECTING
                         ? "connect timed out"
                         : "stale: no frame or pong in time");
    return;
  }
  if (f->phase >= CT__FEED_OPEN &&
      now - f->last_ping_ns >= (uint64_t)f->cfg->ping_ms * MS_NS) {
    f->last_ping_ns = now;
    ct__feed_ws_ping(f);
  }
}

static void on_token(ct__feed_t *f, const ct_envelope_t *env) {
  ct_reader_t r;
  const char *s;
  size_t len;
  char *tok = NULL;
  int rc;
  ct_reader_init(&r, env);
  rc = ct_read_str(&r, &s, &len);
  if (rc == 0 && (tok = strndup(s, len)) == NULL)
    rc = CT_ENOMEM;
  if (rc == 0)
    rc = ct_secret_set(&f->cfg->token, tok);
  ct_reader_close(&r);
  if (tok != NULL) {
    explicit_bzero(tok, len);
    free(tok);
  }
  if (rc != 0)
    return;
  ct_log_info("order_feed", "actor=%s msg=\"token replaced\" token=%s",
              ct_actor_name(f->self), ct_secret_masked(&f->cfg->token));
  f->swap_pending = true;
  if (f->wsi != NULL) {
    ct__feed_ws_drop(f, CT_ESTATE, "token replaced");
    return;
  }
  f->swap_pending = false;
  timer_cancel(f, &f->retry_timer);
  ct_retry_reset(&f->retry);
  connect_now(f);
}

static int feed_receive(ct_actor_t *self, const ct_envelope_t *env) {
  ct__feed_t *f = ct_actor_state(self);
  switch (env->type) {
  case CT_MSG_FEED_TICK:
    on_tick(f);
    break;
  case CT_MSG_FEED_RETRY:
    if (env->request_id == f->retry_timer) {
      f->retry_timer = 0;
      if (f->phase == CT__FEED_IDLE)
        connect_now(f);
    }
    break;
  case CT_MSG_FEED_GRACE:
    if (env->request_id == f->grace_timer) {
      f->grace_timer = 0;
      if (f->phase == CT__FEED_OPEN)
        declare_up(f);
    }
    break;
  case CT_MSG_FEED_TOKEN:
    on_token(f, env);
    break;
  default:
    ct_log_debug("order_feed", "actor=%s msg=\"unexpected message\" type=%u",
                 ct_actor_name(self), (unsigned)env->type);
  }
  return 0;
}

static int parse_url(ct__feed_t *f) {
  const char *prot, *path;
  size_t n;
  if ((f->url_buf = strdup(f->cfg->url)) == NULL)
    return CT_ENOMEM;
  if (lws_parse_uri(f->url_buf, &prot, &f->host, &f->port, &path) != 0)
    return CT_ECONFIG;
  f->tls = strcmp(prot, "wss") == 0;
  if (!f->tls && strcmp(prot, "ws") != 0)
    return CT_ECONFIG;
  n = strlen(path) + 2;
  if ((f->path = malloc(n)) == NULL)
    return CT_ENOMEM;
  snprintf(f->path, n, "/%s", path);
  return 0;
}

static void feed_free(ct__feed_t *f) {
  free(f->url_buf);
  free(f->path);
  free(f);
}

static int feed_init(ct_actor_t *self, void *arg) {
  ct_order_feed_t *cfg = arg;
  ct_retry_config_t rc_cfg = { UINT32_MAX,
                               (uint64_t)cfg->backoff_base_ms * MS_NS,
                               (uint64_t)cfg->backoff_cap_ms * MS_NS,
                               CT_JITTER_DECORRELATED,
                               NULL,
                               NULL };
  ct__feed_t *f = calloc(1, sizeof(*f));
  uint32_t tick = cfg->ping_ms < cfg->stale_ms ? cfg->ping_ms : cfg->stale_ms;
  int rc = CT_ENOMEM;
  if (f == NULL)
    return rc;
  f->cfg = cfg;
  f->self = self;
  if ((rc = parse_url(f)) != 0 ||
      (rc = ct_retry_init(&f->retry, &rc_cfg,
                          cfg->seed ? cfg->seed : uv_hrtime())) != 0 ||
      (rc = ct__feed_ws_create(f)) != 0 ||
      (rc = ct_timer_start(self, tick / 4 + 1, tick / 4 + 1, CT_MSG_FEED_TICK,
                           &f->tick_timer)) != 0)
    goto fail;
  ct_actor_set_state(self, f);
  connect_now(f);
  return 0;
fail:
  ct_log_error("order_feed", "actor=%s msg=\"cannot start\" err=%s",
               ct_actor_name(self), ct_err_name(rc));
  ct__feed_ws_destroy(f);
  feed_free(f);
  return rc;
}

static void feed_stop(ct_actor_t *self) {
  ct__feed_t *f = ct_actor_state(self);
  if (f == NULL)
    return;
  f->stopping = true;
  timer_cancel(f, &f->tick_timer);
  timer_cancel(f, &f->retry_timer);
  timer_cancel(f, &f->grace_timer);
  ct__feed_ws_destroy(f);
  feed_free(f);
  ct_actor_set_state(self, NULL);
}

static const ct_actor_def_t feed_def = { "order_feed", feed_init, feed_receive,
                                         feed_stop };

/* ---- the caller's side ---- */

static int copy_opts(ct_order_feed_t *c, const ct_order_feed_opts_t *o) {
  const char *url = o->url != NULL ? o->url : CT_ORDER_FEED_URL;
  if (o->client_id == NULL || o->client_id[0] == '\0' || o->token == NULL ||
      o->subscriber == NULL ||
      (strncmp(url, "ws://", 5) != 0 && strncmp(url, "wss://", 6) != 0))
    return CT_EINVAL;
  c->subscriber = o->subscriber;
  c->ping_ms = o->ping_ms ? o->ping_ms : 10000;
  c->stale_ms = o->stale_ms ? o->stale_ms : 40000;
  c->up_grace_ms = o->up_grace_ms ? o->up_grace_ms : 1000;
  c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 10000;
  c->backoff_base_ms = o->backoff_base_ms ? o->backoff_base_ms : 500;
  c->backoff_cap_ms = o->backoff_cap_ms ? o->backoff_cap_ms : 30000;
  if (c->backoff_cap_ms < c->backoff_base_ms)
    c->backoff_cap_ms = c->backoff_base_ms;
  c->auth_backoff_ms = o->auth_backoff_ms ? o->auth_backoff_ms : 5000;
  c->max_frame = o->max_frame ? o->max_frame : 65536;
  c->seed = o->seed;
  if ((c->url = strdup(url)) == NULL ||
      (c->client_id = strdup(o->client_id)) == NULL ||
      (o->ca_file != NULL && (c->ca_file = strdup(o->ca_file)) == NULL) ||
      ct_secret_set(&c->token, ct_secret_reveal(o->token)) != 0)
    return CT_ENOMEM;
  return 0;
}

int ct_order_feed_spawn(ct_runtime_t *rt, const ct_order_feed_opts_t *opts,
                        int worker, ct_order_feed_t **out) {
  ct_spawn_opts_t so = { 0 };
  ct_order_feed_t *c = NULL;
  int rc = CT_EINVAL;
  if (rt == NULL || opts == NULL || out == NULL)
    goto fail;
  rc = CT_ENOMEM;
  if ((c = calloc(1, sizeof(*c))) == NULL || (rc = copy_opts(c, opts)) != 0)
    goto fail;
  so.name = c->client_id;
  so.worker = worker;
  if ((rc = ct_spawn(rt, &feed_def, c, &so, &c->actor)) != 0)
    goto fail;
  *out = c;
  return 0;
fail:
  ct_order_feed_free(c);
  return rc;
}

ct_actor_t *ct_order_feed_actor(const ct_order_feed_t *feed) {
  return feed != NULL ? feed->actor : NULL;
}

void ct_order_feed_free(ct_order_feed_t *feed) {
  if (feed == NULL)
    return;
  ct_secret_clear(&feed->token);
  free(feed->url);
  free(feed->client_id);
  free(feed->ca_file);
  free(feed);
}

int ct_order_feed_set_token(ct_order_feed_t *feed, const char *token) {
  ct_msg_t *m;
  int rc;
  if (feed == NULL || token == NULL || feed->actor == NULL)
    return CT_EINVAL;
  if ((rc = ct_msg_new(CT_MSG_FEED_TOKEN, &m)) != 0)
    return rc;
  if ((rc = ct_msg_put_cstr(m, token)) != 0 ||
      (rc = ct_send(feed->actor, m)) != 0)
    ct_msg_free(m);
  return rc;
}
