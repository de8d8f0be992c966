/*
 * replicator_status.c: the engine's operator side (engine.h, "Operator
 * state"). Two jobs, both run by the engine's background thread, never by
 * an actor:
 *   - pause flags: every control_poll_ms one read transaction reads each
 *     follower's persisted flag (store_control.h, set by `copytrader
 *     pause|resume` from another process, or by ct_engine_pause) and
 *     applies it to the follower's atomic flag, which the follower actor
 *     checks before deciding a leader order; a resume sends the follower
 *     CT__ENG_MSG_RESUME so it decides the open leader orders it missed.
 *     The flags are also read once before the runtime starts, so flags
 *     set while the engine was down apply from the first leader event.
 *   - the status snapshot: every status_ms one write transaction stores
 *     ct_status_t: the leader feed's state (kept by the leader actor in
 *     atomics and, for the error text, under stat_mu), and per follower
 *     its flags, its orders module's breaker state and its order limiter's
 *     headroom (read through api.h's accessors), today's order count (from
 *     the store, in the same transaction) and its last error (under
 *     stat_mu, written by the follower actor only when a call fails).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "copytrader/store_control.h"
#include "replicator_fol.h" /* ct__wall_ms */

#define MOD "engine"

/* --- pause flags ---------------------------------------------------------- */

/* Set the follower's flag; a resume makes it decide what it missed. */
static void apply_pause(ct__fslot_t *s, bool paused) {
  ct_msg_t *m = NULL;
  if (atomic_exchange(&s->paused, paused) == paused)
    return;
  ct_log_info(MOD, "follower=%s msg=\"%s\"", s->name,
              paused ? "paused" : "resumed");
  if (!paused && s->actor != NULL && ct_msg_new(CT__ENG_MSG_RESUME, &m) == 0 &&
      ct_send(s->actor, m) != 0)
    ct_msg_free(m);
}

/* Read every follower's stored flag and apply it. */
static int pause_sync(ct_engine_t *e) {
  ct_store_txn_t t;
  bool flags[64], *fl = e->n_f <= 64 ? flags : malloc(e->n_f * sizeof *fl);
  int rc = fl != NULL ? ct_store_txn_begin(e->store, false, &t) : CT_ENOMEM;
  if (rc != 0)
    goto out;
  for (size_t i = 0; rc == 0 && i < e->n_f; i++)
    rc = ct_store_pause_get(&t, e->f[i].client_id, &fl[i]);
  ct_store_txn_abort(&t);
  for (size_t i = 0; rc == 0 && i < e->n_f; i++)
    apply_pause(&e->f[i], fl[i]);
out:
  if (fl != flags)
    free(fl);
  return rc;
}

int ct__eng_pause_load(ct_engine_t *e) {
  int rc;
  pthread_mutex_lock(&e->pause_mu);
  rc = pause_sync(e);
  pthread_mutex_unlock(&e->pause_mu);
  if (rc != 0)
    ct_log_error(MOD, "msg=\"pause flags not read\" err=%s", ct_strerror(rc));
  return rc;
}

int ct_engine_pause(ct_engine_t *e, const char *name, bool paused) {
  int rc = CT_ENOTFOUND;
  if (e == NULL || name == NULL)
    return CT_EINVAL;
  for (size_t i = 0; i < e->n_f; i++) {
    if (strcmp(e->f[i].name, name) != 0)
      continue;
    /* Under pause_mu the background thread cannot apply a flag it read
     * before this write over the one applied here. */
    pthread_mutex_lock(&e->pause_mu);
    rc = ct_store_pause_set(e->store, e->f[i].client_id, paused);
    if (rc == 0)
      apply_pause(&e->f[i], paused);
    pthread_mutex_unlock(&e->pause_mu);
    break;
  }
  return rc;
}

/* --- what the actors report ----------------------------------------------- */

void ct__eng_note_feed(ct_engine_t *e, bool up, uint64_t connects, int err,
                       const char *reason, size_t reason_len) {
  pthread_mutex_lock(&e->stat_mu);
  if (!up)
    snprintf(e->feed_error, sizeof e->feed_error, "%s%s%.*s", ct_strerror(err),
             reason_len ? ": " : "", (int)reason_len, reason ? reason : "");
  pthread_mutex_unlock(&e->stat_mu);
  atomic_store(&e->feed_connects, connects);
  atomic_store(&e->feed_up, up);
}

void ct__fol_note_error(ct__fslot_t *s, const char *fmt, ...) {
  ct_engine_t *e = s->eng;
  va_list ap;
  uint64_t now = ct__wall_ms();
  pthread_mutex_lock(&e->stat_mu);
  va_start(ap, fmt);
  vsnprintf(s->last_error, sizeof s->last_error, fmt, ap);
  va_end(ap);
  s->last_error_ms = now;
  pthread_mutex_unlock(&e->stat_mu);
}

/* --- the snapshot ----------------------------------------------------------*/

static void fill_windows(ct__fslot_t *s, ct_status_follower_t *o) {
  ct_api_limit_room_t room[CT_STATUS_WINDOWS_MAX];
  size_t n = 0;
  o->n_windows = 0;
  if (ct_api_account_headroom(s->acct, CT_API_LIMIT_ORDER, uv_hrtime(), room,
                              CT_STATUS_WINDOWS_MAX, &n) != 0)
    return;
  if (n > CT_STATUS_WINDOWS_MAX)
    n = CT_STATUS_WINDOWS_MAX;
  for (size_t k = 0; k < n; k++)
    o->windows[k] =
        (ct_status_window_t){ room[k].window.period_ns / 1000000,
                              room[k].window.limit, room[k].headroom };
  o->n_windows = (uint32_t)n;
}

/* Everything but today's count (read in the write transaction). */
static void fill_follower(ct_engine_t *e, ct__fslot_t *s,
                          ct_status_follower_t *o) {
  memset(o, 0, sizeof *o);
  snprintf(o->name, sizeof o->name, "%s", s->name);
  snprintf(o->client_id, sizeof o->client_id, "%s", s->client_id);
  o->enabled = s->rules.enabled;
  o->paused = atomic_load(&s->paused);
  o->breaker = (int)ct_api_breaker_state(s->acct, CT_API_ORDERS);
  fill_windows(s, o);
  pthread_mutex_lock(&e->stat_mu);
  snprintf(o->last_error, sizeof o->last_error, "%s", s->last_error);
  o->last_error_ms = s->last_error_ms;
  pthread_mutex_unlock(&e->stat_mu);
}

static void fill_feed(ct_engine_t *e, ct_status_feed_t *f) {
  uint64_t ev = atomic_load(&e->feed_event_ns), now = ct__now_ns();
  f->up = atomic_load(&e->feed_up);
  f->connects = atomic_load(&e->feed_connects);
  /* the event's monotonic stamp as wall clock */
  f->last_event_ms =
      ev ? ct__wall_ms() - (now > ev ? now - ev : 0) / 1000000 : 0;
  pthread_mutex_lock(&e->stat_mu);
  snprintf(f->last_error, sizeof f->last_error, "%s", e->feed_error);
  pthread_mutex_unlock(&e->stat_mu);
}

static int status_write(ct_engine_t *e) {
  ct_status_t st = { .written_ms = ct__wall_ms(), .pid = (int64_t)getpid() };
  int32_t date = ct_ist_date((int64_t)time(NULL));
  ct_store_txn_t t;
  int rc;
  if (e->snap == NULL && e->n_f > 0 &&
      (e->snap = calloc(e->n_f, sizeof *e->snap)) == NULL)
    return CT_ENOMEM;
  fill_feed(e, &st.feed);
  for (size_t i = 0; i < e->n_f; i++)
    fill_follower(e, &e->f[i], &e->snap[i]);
  st.n_followers = e->n_f;
  st.followers = e->snap;
  if ((rc = ct_store_txn_begin(e->store, true, &t)) != 0)
    return rc;
  for (size_t i = 0; rc == 0 && i < e->n_f; i++)
    rc = ct_store_orders_today(&t, e->f[i].client_id, date,
                               &e->snap[i].orders_today);
  if (rc == 0)
    rc = ct_store_status_put(&t, &st);
  return rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
}

/* --- the background thread's part ----------------------------------------- */

void ct__eng_ops_tick(ct_engine_t *e, uint64_t now_ns) {
  int rc;
  if (now_ns >= e->next_control_ns) {
    pthread_mutex_lock(&e->pause_mu);
    rc = pause_sync(e);
    pthread_mutex_unlock(&e->pause_mu);
    if (rc != 0)
      ct_log_warn(MOD, "msg=\"pause flags not read\" err=%s", ct_strerror(rc));
    e->next_control_ns = now_ns + e->opts.control_poll_ms * 1000000ull;
  }
  if (now_ns >= e->next_status_ns) {
    if ((rc = status_write(e)) != 0)
      ct_log_warn(MOD, "msg=\"status snapshot not written\" err=%s",
                  ct_strerror(rc));
    ct_log_debug(MOD, "msg=\"status snapshot\" followers=%zu us=%.1f", e->n_f,
                 (double)(ct__now_ns() - now_ns) / 1e3);
    e->next_status_ns = now_ns + e->opts.status_ms * 1000000ull;
  }
}

void ct__eng_ops_init(ct_engine_t *e) {
  pthread_mutex_init(&e->stat_mu, NULL);
  pthread_mutex_init(&e->pause_mu, NULL);
  ct__fev_init(e);
}

void ct__eng_ops_close(ct_engine_t *e) {
  pthread_mutex_destroy(&e->stat_mu);
  pthread_mutex_destroy(&e->pause_mu);
  ct__fev_close(e);
  free(e->snap);
}
