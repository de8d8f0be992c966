/*
 * The replication engine: one leader account, many followers, every change
 * of a leader order copied to every enabled follower exactly once.
 *
 * Actors (all on one runtime):
 *   leader        gets the leader's order events from the order-update
 *                 WebSocket (order_feed.h, the lowest-latency feed), from
 *                 the postback receiver when configured, and from the
 *                 leader's order book (GET /orders) at start, after every
 *                 reconnect of the socket and every leader_poll_ms. Each
 *                 event is merged with ct_leader_track() (so each change
 *                 acts once, whatever feed brings it), fanned out AT ONCE
 *                 with one ct_send per follower actor, then stored. Orders
 *                 whose correlation id is one of ours, and events of other
 *                 accounts, are ignored (loop protection; the config also
 *                 refuses a leader that is its own follower).
 *   follower/NAME one per follower. Level-triggered: for every leader state
 *                 it receives it compares what the follower should have with
 *                 what the store says it has, and acts on the difference:
 *                 decide (sizing.h, with the fund limit it fetches and
 *                 reduces locally by what it sends) and record the decision
 *                 and every PLACE intent in one transaction BEFORE sending;
 *                 modify when the leader's price, trigger, type, validity or
 *                 (sized) quantity differ; cancel when the leader order was
 *                 cancelled or expired (also the remainder after a partial
 *                 fill). Every follower order carries the deterministic
 *                 correlation id of corrid.h; orders above the freeze
 *                 quantity are sent as slices with one id each. A PLACE
 *                 whose outcome is not known (recorded INTENT of an earlier
 *                 run, a timeout, a 5xx after sending) is looked up by
 *                 correlation id before it is ever sent again. The follower
 *                 sweeps its open orders every follower_poll_ms and polls
 *                 its own order book for fills and final states; a follower
 *                 order changed by hand is recorded as diverged and left
 *                 alone. Skips (zero lots, limits, margin, window, ...) are
 *                 recorded as SKIP decisions with the reason. Margin: the
 *                 funds ledger (/fundlimit, less what was just sent); a
 *                 derivative order (NSE_FNO, BSE_FNO, MCX_COMM), BUY or
 *                 SELL, is valued at the margin calculator's figure per
 *                 unit (asked through the funds actor without blocking,
 *                 cached 30 s per security, side and product); a cash
 *                 order at price x quantity for buys, sells unchecked.
 *                 A failed calculator falls back to the cash rule (logged).
 *                 An exit of a position the engine opened needs no margin
 *                 for the quantity the account still holds (its net
 *                 positions are kept in memory, bounded by GET /positions
 *                 asked with the funds). An order waiting for the
 *                 calculator holds back only later orders of the same
 *                 security (all of them when max_orders_per_day is set).
 * Super orders: the leader's super order book (GET /super/orders) gives
 * the legs of a super entry; a follower with copy_super_orders places its
 * own super order (entry leg correlation id, same target, stop loss and
 * trail), copies entry-leg modifications while the entry is open, and
 * cancels with the leader.
 *   legs          one actor (when a follower copies super or forever
 *                 orders) reads the leader's super book and forever list
 *                 every leader_poll_ms. Super: it keeps each copy's EXIT
 *                 legs in step (target, stop loss and trail moved after
 *                 the entry traded; a leg cancelled). Forever (SINGLE and
 *                 OCO; the socket reports them only when they trigger):
 *                 a follower with copy_forever_orders gets its own, sized,
 *                 created with the deterministic correlation id of the
 *                 first leg after its intent is stored, modified leg by
 *                 leg and deleted as on the leader; a create of unknown
 *                 outcome is resolved by listing the follower's forever
 *                 orders and matching the correlation id (dhansim lists
 *                 it; Dhan's documented list does not, see
 *                 replicator_forever.c). Its records live under pseudo
 *                 follower ids "<client>#S" / "<client>#F" in the store.
 *                 When a leader forever order fires, the follower's
 *                 copy is deleted first; the ordinary order the leader's
 *                 placed is copied only once that delete succeeded, and
 *                 skipped (FOREVER_COPY_FIRED) when the copy fired too:
 *                 the copy is the mirror of the fire (the follower actors
 *                 share the legs actor's last forever list to recognise
 *                 that order; replicator_spawn.c).
 * Start-up recovery: the first book of a store that already existed is
 * fanned out whole, and every follower sweeps its open entries at once;
 * both go through the same lookups, so whatever a crash (kill -9)
 * interrupted is finished without sending anything twice. The first book
 * of a brand-new store is a baseline: orders that existed before the
 * engine ever ran are not copied.
 *
 * Durability and latency: the store runs with CT_STORE_NOSYNC by default
 * and a background thread calls ct_store_sync() every store_sync_ms. A
 * commit is then a copy into the page cache, which a process crash
 * (kill -9) cannot lose, so the intent is durable against crashes before
 * the request leaves; after a machine crash the store says it may have
 * lost commits and every follower looks its orders up before sending.
 * opts.sync_commits (CT_STORE_SYNC) makes every intent commit fsync.
 *
 * Metrics (opts.metrics_path, `copytrader run --metrics FILE`): appended,
 * one JSON object per line, buffered in memory and written by the
 * background thread every 20 ms (never by an actor). Times are
 * clock_gettime(CLOCK_MONOTONIC) nanoseconds, the clock dhansim stamps
 * with. No line ever holds a token.
 *   {"ev":"leader","leader_order":"<orderId>","t_ns":N}
 *       a leader change that followers act on (new, modified, final)
 *       reached the leader actor (any feed);
 *   {"ev":"sent","follower":"<clientId>","corr":"<correlationId>",
 *    "leader_order":"<orderId>","t_ns":N}
 *       a follower PLACE was handed to its orders API actor (after its
 *       intent commit; the API actor's rate limiter may still hold it);
 *   {"ev":"ack","follower":..,"corr":..,"order_id":"<follower orderId>",
 *    "status":"<http status>","t_ns":N}
 *       its answer was read ("0" status when nothing came back);
 *   {"ev":"skip","follower":..,"leader_order":..,"reason":"<code>"}
 *       not copied: ZERO_LOTS, NO_MARGIN, SEGMENT_NOT_ALLOWED, ... (the
 *       same code is stored in the decision).
 *
 * Operator state (store_control.h; `copytrader status|pause|resume`, which
 * may run in other processes): the background thread reads every
 * follower's persisted pause flag every control_poll_ms and applies it
 * (the flags are also read once before the runtime starts, so a follower
 * paused while the engine was down is paused from its first event), and
 * writes the status snapshot every status_ms: the leader order feed (up,
 * logins, wall time of the last WebSocket or postback event, the last
 * disconnect's cause) and per follower: enabled, paused as applied, the
 * orders module's breaker state, the headroom of each order limiter
 * window, today's order count and the text of its last failed call. The
 * snapshot is one short write transaction on that thread, never on an
 * actor's path.
 *
 * Threads: ct_engine_* functions are called from one controlling thread
 * (the CLI's main thread); actors run on the runtime's workers.
 */
#ifndef COPYTRADER_ENGINE_H
#define COPYTRADER_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "copytrader/config.h"
#include "copytrader/store.h"

typedef struct ct_engine ct_engine_t;

typedef struct ct_engine_opts {
  uint64_t leader_poll_ms;   /* leader order book reconciliation; 0: 1000 */
  uint64_t follower_poll_ms; /* follower book poll and sweep; 0: 1000 */
  uint64_t call_timeout_ms;  /* deadline of each API call; 0: 8000 */
  uint64_t funds_refresh_ms; /* /fundlimit refresh; 0: 30000 */
  uint64_t store_sync_ms;    /* background ct_store_sync period; 0: 200 */
  uint32_t feed_ping_ms;     /* order feed ping and stale_ms = 4 x; 0: lib */
  uint64_t status_ms;        /* status snapshot period; 0: 1000 */
  uint64_t control_poll_ms;  /* pause flags read period; 0: 250 */
  bool sync_commits;         /* CT_STORE_SYNC: fsync every commit */
  const char *metrics_path;  /* NULL: no metrics; opened during start */
  /* Called once, on a worker thread, after the first leader poll was
   * processed (the baseline or the recovery fan-out). May be NULL. */
  void (*on_ready)(void *ctx);
  /* Called (on the failing actor's thread) when an actor failed beyond
   * its restarts and the engine stopped itself; the controlling thread
   * should then call ct_engine_join_free() (which returns CT_ESTATE).
   * May be NULL. */
  void (*on_fatal)(void *ctx);
  void *ctx;
} ct_engine_opts_t;

/* Build an engine for `cfg` (read during the call only; everything needed
 * later is copied): loads the instruments, opens the store,
 * creates the runtime, the accounts and every actor, and starts the
 * runtime. `opts` may be NULL. Returns 0, CT_EINVAL, CT_EIO (instruments
 * or store), CT_ENOMEM, or what the runtime and API return. */
int ct_engine_start(const ct_config_t *cfg, const ct_engine_opts_t *opts,
                    ct_engine_t **out);

/* SIGHUP: give every account the token of `cfg` (a reloaded config). The
 * engine does not keep `cfg`. 0 or what ct_api_account_set_token gives. */
int ct_engine_set_tokens(ct_engine_t *e, const ct_config_t *cfg);

/* Pause or resume copying to the follower named `name`: the flag is
 * stored (ct_store_pause_set, as `copytrader pause|resume` does, so it
 * outlives a restart) and applied at once. While paused, new leader
 * orders are not decided: those still open when the follower resumes are
 * decided then and copied (sized as on resume), those that finished
 * meanwhile (filled, cancelled, rejected) are recorded as skipped
 * ("PAUSED") and never copied late. Orders already copied are still kept
 * in step (modifications, cancellations, fills). 0, CT_EINVAL,
 * CT_ENOTFOUND (no such follower) or what ct_store_pause_set returns. Any
 * thread but an actor's (the store write may wait for LMDB's writer). */
int ct_engine_pause(ct_engine_t *e, const char *name, bool paused);

/* Ask for an orderly stop (any thread, also a signal-waiting thread). */
void ct_engine_stop(ct_engine_t *e);

/* Wait for the runtime to stop, then close the store and free everything.
 * Returns what ct_runtime_join() returned, or CT_ESTATE when the engine
 * stopped itself after an actor failure (see on_fatal). NULL is fine. */
int ct_engine_join_free(ct_engine_t *e);

#endif /* COPYTRADER_ENGINE_H */
