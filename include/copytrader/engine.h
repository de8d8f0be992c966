/*
 * The replication engine: one leader account, many followers, every change
 * of a leader order copied to every enabled follower exactly once.
 *
 * Actors (all on one runtime):
 *   leader        polls the leader's order book through the leader's
 *                 "orders" API actor (the first feed; the order-update
 *                 WebSocket joins later), merges every record with
 *                 ct_leader_track() against the store, commits the changed
 *                 leader states in ONE write transaction, and then fans each
 *                 changed state out with one ct_send per follower actor.
 *                 Orders whose correlation id is one of ours are ignored
 *                 (loop protection).
 *   follower/NAME one per follower. Level-triggered: for every leader state
 *                 it receives it compares what the follower should have with
 *                 what the store says it has, and acts on the difference:
 *                 decide (sizing.h) and record the decision and every PLACE
 *                 intent in one transaction BEFORE sending; modify when the
 *                 leader's price, trigger, type, validity or (sized)
 *                 quantity differ; cancel when the leader order was
 *                 cancelled or expired (also the remainder after a partial
 *                 fill). Every follower order carries the deterministic
 *                 correlation id of corrid.h. A PLACE whose outcome is not
 *                 known (recorded INTENT with no answer, a timeout, a 5xx
 *                 after sending) is looked up by correlation id before it
 *                 is ever sent again. The follower also polls its own order
 *                 book to track fills and final states, and sweeps its open
 *                 store entries every second (retries after failures,
 *                 recovery after a crash).
 * Start-up recovery: the first leader poll of a store that already existed
 * fans out EVERY order of the leader's book, and every follower sweeps its
 * open entries at once; both go through the same lookups, so whatever a
 * crash (kill -9) interrupted is finished without sending anything twice.
 * The first poll of a brand-new store takes the leader's book as a
 * baseline: orders that existed before the engine ever ran are not copied.
 *
 * Threads: ct_engine_* functions are called from one controlling thread
 * (the CLI's main thread); actors run on the runtime's workers.
 */
#ifndef COPYTRADER_ENGINE_H
#define COPYTRADER_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "copytrader/config.h"

typedef struct ct_engine ct_engine_t;

typedef struct ct_engine_opts {
  uint64_t leader_poll_ms;   /* leader order book poll; 0: 250 */
  uint64_t follower_poll_ms; /* follower book poll and sweep; 0: 1000 */
  uint64_t call_timeout_ms;  /* deadline of each API call; 0: 8000 */
  /* Called once, on a worker thread, after the first leader poll was
   * processed (the baseline or the recovery fan-out). May be NULL. */
  void (*on_ready)(void *ctx);
  void *ctx;
} ct_engine_opts_t;

/* Build an engine for `cfg` (borrowed: it must outlive the engine, or be
 * swapped with ct_engine_reload): loads the instruments, opens the store,
 * creates the runtime, the accounts and every actor, and starts the
 * runtime. `opts` may be NULL. Returns 0, CT_EINVAL, CT_EIO (instruments
 * or store), CT_ENOMEM, or what the runtime and API return. */
int ct_engine_start(const ct_config_t *cfg, const ct_engine_opts_t *opts,
                    ct_engine_t **out);

/* SIGHUP: give every account the token of `cfg` (a reloaded config). The
 * engine does not keep `cfg`. 0 or what ct_api_account_set_token gives. */
int ct_engine_set_tokens(ct_engine_t *e, const ct_config_t *cfg);

/* Pause or resume copying to the follower named `name` (new leader orders
 * are not decided while paused; they are when it resumes). 0 or
 * CT_ENOTFOUND. Any thread. */
int ct_engine_pause(ct_engine_t *e, const char *name, bool paused);

/* Ask for an orderly stop (any thread, also a signal-waiting thread). */
void ct_engine_stop(ct_engine_t *e);

/* Wait for the runtime to stop, then close the store and free everything.
 * Returns what ct_runtime_join() returned. NULL is fine. */
int ct_engine_join_free(ct_engine_t *e);

#endif /* COPYTRADER_ENGINE_H */
