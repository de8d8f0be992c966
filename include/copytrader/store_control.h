/*
 * Operator state in the store (the `control` database of store.h): the
 * per-follower pause flag that `copytrader pause|resume` set, and the status
 * snapshot the running engine writes about once a second for `copytrader
 * status`.
 *
 * Keys: "pause\0<follower id>" -> [version, paused, updated_at_ms];
 *       "status"               -> one msgpack snapshot (ct_status_t).
 * The follower id is the follower's dhanClientId, the same id the decision
 * and follower-order records use.
 *
 * Two processes. The engine keeps its store open; an operator command opens
 * the same directory with ct_store_attach() (another process, its
 * own LMDB environment: LMDB allows one environment per file per process,
 * and its lock file coordinates processes). Readers never block the
 * engine; the operator's short write transaction (a pause flag) waits for
 * the engine's writer and the engine waits for it in turn. The engine reads
 * every follower's flag on its background thread every control_poll_ms
 * (engine.h; 250 ms by default) and once before it starts, so a pause
 * takes effect within that period of the operator's commit (the status
 * snapshot's `paused` says when it has).
 */
#ifndef COPYTRADER_STORE_CONTROL_H
#define COPYTRADER_STORE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/dhan_types.h"
#include "copytrader/store.h"

/* --- pause flags --------------------------------------------------------- */

/* Pause (true) or resume (false) `follower_id` in one write transaction of
 * its own, committed before the call returns. A paused follower gets no
 * new copies; what is already in flight completes. 0, CT_EINVAL (NULL or
 * empty id, an id longer than CT_DHAN_CLIENT_SIZE - 1), CT_EFULL, CT_EIO. */
int ct_store_pause_set(ct_store_t *s, const char *follower_id, bool paused);

/* The same inside the caller's write transaction (CT_ESTATE for a read
 * transaction). */
int ct_store_pause_put(ct_store_txn_t *t, const char *follower_id, bool paused);

/* Whether `follower_id` is paused; *out is false when no flag was ever
 * set (returns 0 then, not CT_ENOTFOUND). 0, CT_EINVAL, CT_EPROTO (a
 * corrupt value, text in t->err) or CT_EIO. */
int ct_store_pause_get(ct_store_txn_t *t, const char *follower_id, bool *out);

/* --- status snapshot ------------------------------------------------------ */

#define CT_STATUS_NAME_SIZE     48 /* follower names, as in config.h */
#define CT_STATUS_WINDOWS_MAX   4  /* order limiter windows shown */
#define CT_STATUS_FOLLOWERS_MAX 100000

/* The leader's order-update feed. */
typedef struct ct_status_feed {
  bool up;                /* WebSocket logged in now */
  uint64_t connects;      /* successful logins since the engine started */
  uint64_t last_event_ms; /* wall clock of the last leader event, 0: none */
  char last_error[CT_DHAN_TEXT_SIZE];
} ct_status_feed_t;

/* One window of the follower's order limiter, at snapshot time. */
typedef struct ct_status_window {
  uint64_t period_ms;
  uint32_t limit;
  uint32_t headroom; /* orders that could go now in this window */
} ct_status_window_t;

/* Breaker states as in breaker.h (CLOSED 0, OPEN 1, HALF_OPEN 2). */
typedef struct ct_status_follower {
  char name[CT_STATUS_NAME_SIZE];
  char client_id[CT_DHAN_CLIENT_SIZE];
  bool enabled;
  bool paused; /* as the engine has applied it */
  int breaker; /* ct_breaker_state_t of the orders module */
  uint32_t n_windows;
  ct_status_window_t windows[CT_STATUS_WINDOWS_MAX];
  int64_t orders_today;
  uint64_t last_error_ms; /* wall clock, 0: no error */
  char last_error[CT_DHAN_TEXT_SIZE];
} ct_status_follower_t;

/* A snapshot. `followers` is owned by whoever filled the struct: the
 * engine's own array for a put, a malloc'd one after a get (release it
 * with ct_status_clear()). */
typedef struct ct_status {
  uint64_t written_ms; /* wall clock when the engine wrote it */
  int64_t pid;         /* the engine's process id */
  ct_status_feed_t feed;
  size_t n_followers;
  ct_status_follower_t *followers;
} ct_status_t;

/* Store the snapshot (replacing the previous one) in the caller's write
 * transaction. Strings longer than their buffers are refused with
 * CT_EINVAL only when not NUL-terminated within them. 0, CT_ESTATE,
 * CT_EINVAL (NULL, n_followers above CT_STATUS_FOLLOWERS_MAX, more than
 * CT_STATUS_WINDOWS_MAX windows), CT_ENOMEM, CT_EFULL, CT_EIO. */
int ct_store_status_put(ct_store_txn_t *t, const ct_status_t *st);

/* Read the snapshot into *out (zeroed first; its followers array is
 * malloc'd, free it with ct_status_clear()). 0, CT_ENOTFOUND (the engine
 * never wrote one), CT_EPROTO (t->err says why), CT_ENOMEM or CT_EIO. */
int ct_store_status_get(ct_store_txn_t *t, ct_status_t *out);

/* Free what ct_store_status_get() allocated and zero *st. */
void ct_status_clear(ct_status_t *st);

#endif /* COPYTRADER_STORE_CONTROL_H */
