/*
 * The replication state store: LMDB in one directory, msgpack values.
 *
 * WHAT IS KEPT (named databases; keys are byte strings, '\0' separates
 * parts, so prefix order groups them):
 *   leader     leader order id                     -> ct_leader_state_t
 *   undecided  leader order id                     -> (empty) index: leader
 *              orders whose per-follower decisions are not all recorded
 *   decision   leader id \0 follower id            -> ct_decision_t
 *   forder     follower id \0 correlation id       -> ct_forder_t
 *   byleader   leader id \0 follower id \0 corr id -> (empty) index: all
 *              follower orders of one leader order
 *   open       follower id \0 correlation id       -> (empty) index: every
 *              follower order that is not terminal (crash recovery)
 *   meta       "schema", "instance", "run", "count/<follower>"
 *   control    operator state (store_control.h): pause flags, the status
 *              snapshot the running engine writes
 * Every value is a msgpack array whose first element is a record version
 * byte, followed by the fields in a fixed order. A value that does not
 * decode (wrong type, wrong length, unknown version, a string too long for
 * its buffer) gives CT_EPROTO, a log line naming the database and key, and
 * the same text in ct_store_txn_t.err; never a crash. The indexes are kept
 * by the put functions in the same transaction as the record.
 *
 * EXACTLY-ONCE WRITE PROTOCOL (the engine follows it; the store makes each
 * step one atomic transaction):
 *  1. Leader event: ct_leader_track() against the stored state; on APPLY,
 *     in ONE write transaction: the new leader state, the decision of every
 *     follower (ct_store_decision_put), ct_store_decisions_done(), and for
 *     every follower request to send a ct_forder_t with phase INTENT (and
 *     the daily counter). Commit. Only then send the requests.
 *  2. Each answer: a write transaction moving that follower order to
 *     ACKED (with the follower order id), REJECTED (with the code), or
 *     UNKNOWN (timeout, reset after the body was sent: outcome unknown).
 *     Answers may be batched too; losing one is safe (see recovery).
 *  3. Recovery at start (and for every UNKNOWN): for every entry of `open`
 *     in phase INTENT/SENT/UNKNOWN, GET /orders/external/{correlation id}:
 *     found -> adopt its order id and state (ACKED or terminal); not found
 *     -> send again with the SAME correlation id (for an UNKNOWN seen
 *     while running, look up after a short delay and more than once: the
 *     order may still be in transit). For every `undecided`
 *     leader order, and every order of the leader's order book that has no
 *     record at all, decide again and look each follower up by correlation
 *     id BEFORE sending. MODIFY and CANCEL are idempotent ("set price to",
 *     "cancel"), so only PLACE needs the lookup; a re-placement after a
 *     KNOWN rejection uses generation + 1, and recovery probes generations
 *     upwards until one is not found.
 * A crash (kill -9) at any instant leaves either no trace of a leader event
 * (it is seen again from the order book and handled as new, with lookups
 * first) or the whole transaction of step 1; never half of it.
 *
 * DURABILITY MODES AND WHAT EACH GUARANTEES. A process crash (kill -9)
 * never loses a committed transaction in ANY mode: the environment is
 * opened with MDB_WRITEMAP, so a transaction writes its pages straight
 * into a shared mapping of the file, i.e. into the kernel's page cache,
 * which outlives the process (a crash before the commit's meta page write
 * leaves the previous state: no half transaction). The file is sized to
 * the map size (1 GiB by default; sparse: `du` shows what is used). The modes
 * only differ when the machine itself stops (power loss, kernel panic): (a)
 * CT_STORE_SYNC, one transaction per follower intent: two fdatasyncs per
 * commit; nothing committed is ever lost. Cost: N fsync pairs on the latency
 * path of an event copied to N followers. (b) CT_STORE_SYNC with group commit:
 * all intents of one leader event in one transaction (the protocol above). Same
 * guarantee as (a), one fsync pair per leader event whatever the number of
 * followers. (c) CT_STORE_NOSYNC (or NOMETASYNC) + ct_store_sync() on a timer:
 * commit is a memory copy. After a machine crash the last transactions (up to
 *      the timer period) may be missing. NOMETASYNC keeps LMDB consistent
 *      (still one fdatasync per commit); NOSYNC can even leave the file
 *      unreadable when the file system reorders writes.
 * Why (c) is still safe for orders: a missing INTENT looks exactly like a
 * leader event never seen, and recovery handles that with a lookup by the
 * deterministic correlation id before any send. The store tells recovery
 * when it must distrust itself: ct_store_open_info_t.may_have_lost_commits
 * is true when the last run did not close cleanly, ran a non-SYNC mode,
 * and the machine has rebooted since (boot id changed). Then the engine
 * must look up EVERY follower of EVERY leader order of the day before
 * sending, and daily counters may under-count. If LMDB cannot open at all,
 * the store directory is moved aside and rebuilt from the broker the same
 * way.
 * Default: CT_STORE_SYNC with group commit (b). It needs no trust in boot
 * ids or file-system ordering, loses nothing a human did (diverged flags,
 * daily counters), and costs one fsync per leader event, not per follower.
 * Measured by bench/bench_store.c (ext4 on a virtio disk, 2 cores; p50 per
 * leader event, followers = 1 / 10 / 100):
 *   (a) sync, txn per intent    262 us / 2.9 ms / 26.8 ms
 *   (b) sync, group commit      254 us / 465 us / 1.7 ms
 *   (b') nometasync, group      220 us / 408 us / 1.5 ms
 *   (c) nosync, group           2.2 us / 14 us / 133 us (+ the timer's sync)
 *   (d) nosync, txn per intent  2.2 us per follower (what the engine does:
 *       each follower actor commits its own intent; 13-18 us before
 *       MDB_WRITEMAP, when every commit copied its pages with pwrite)
 * (b) adds well under the 10-50 ms of a Dhan order round trip. Mode (c)
 * takes the fsync off the path entirely and keeps exactly-once through the
 * lookups above; choose it where the disk's fsync is slow, accepting a
 * full lookup recovery after a machine crash and the loss of the last
 * interval's diverged flags and counter increments.
 *
 * THREADS. One ct_store_t per process and directory (LMDB allows one
 * environment per file per process). The environment is opened with
 * MDB_NOTLS, so read transactions are not tied to a thread and any number
 * run concurrently with each other and with one writer. Write transactions
 * are serialised by LMDB's own mutex: ct_store_txn_begin(write) blocks
 * while another thread holds one, so keep write transactions short, and a
 * write transaction must be begun, used and ended on the same thread. The
 * intended use is one "store" actor (or each follower actor with its own
 * short write transactions; both are correct). A ct_store_txn_t is used by
 * one thread at a time. ct_store_sync() may be called from any thread
 * (e.g. a uv_queue_work job driven by a timer), also while a write
 * transaction is open elsewhere.
 */
#ifndef COPYTRADER_STORE_H
#define COPYTRADER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/corrid.h"
#include "copytrader/dhan_types.h"
#include "copytrader/leader_track.h"

#define CT_STORE_SCHEMA 1 /* layout version kept in meta "schema" */

typedef struct ct_store ct_store_t;

typedef enum {
  CT_STORE_SYNC = 0,       /* fsync on every commit (LMDB's default) */
  CT_STORE_NOMETASYNC = 1, /* MDB_NOMETASYNC */
  CT_STORE_NOSYNC = 2      /* MDB_NOSYNC: call ct_store_sync() on a timer */
} ct_store_durability_t;

typedef struct ct_store_config {
  const char *path;                 /* directory; created if missing */
  size_t map_size;                  /* 0: 1 GiB */
  ct_store_durability_t durability; /* default CT_STORE_SYNC */
} ct_store_config_t;

/* What ct_store_open() found about the previous run. */
typedef struct ct_store_open_info {
  bool created;               /* a new, empty store */
  bool unclean;               /* the previous run did not ct_store_close() */
  bool rebooted;              /* the machine's boot id changed since */
  bool may_have_lost_commits; /* unclean && rebooted && it ran non-SYNC */
} ct_store_open_info_t;

/* A transaction. The caller owns the struct (stack is fine); the fields
 * are private except `err`, which holds the text of the last CT_EPROTO. */
typedef struct ct_store_txn {
  ct_store_t *store_;
  void *mdb_;
  bool write_;
  char err[160];
} ct_store_txn_t;

typedef enum {
  CT_DECISION_NONE = 0,
  CT_DECISION_SEND, /* copy: qty in `slices` orders */
  CT_DECISION_SKIP  /* do not copy: skip_reason says why */
} ct_decision_kind_t;

/* The decision for one follower about one leader order, with the sizing
 * inputs it was made from (kept so it can be explained and re-derived). */
typedef struct ct_decision {
  char leader_order_id[CT_DHAN_ID_SIZE];
  char follower_id[CT_DHAN_CLIENT_SIZE];
  /* SKIP: a short code. SEND: "" or, for the ordinary order a leader
   * forever order placed when it fired, "SPAWN_OF:<forever order id>". */
  char skip_reason[CT_DHAN_CODE_SIZE];
  char rule[CT_DHAN_CODE_SIZE]; /* sizing rule name */
  ct_decision_kind_t kind;
  uint32_t slices;
  int64_t qty;
  int64_t leader_qty;
  int64_t lot_size;
  int64_t max_qty;
  double multiplier;
  uint64_t decided_at_ms; /* wall clock, for audits */
} ct_decision_t;

typedef enum {
  CT_FINTENT_NONE = 0,
  CT_FINTENT_PLACE,
  CT_FINTENT_MODIFY, /* intent_seq = the leader modification number */
  CT_FINTENT_CANCEL
} ct_forder_intent_t;

/* Phase of the current intent. */
typedef enum {
  CT_FPHASE_NONE = 0,
  CT_FPHASE_INTENT,   /* recorded, maybe not sent yet */
  CT_FPHASE_SENT,     /* handed to HTTP, no answer yet */
  CT_FPHASE_UNKNOWN,  /* sent, outcome unknown: look up before resending */
  CT_FPHASE_ACKED,    /* accepted; order_id known */
  CT_FPHASE_REJECTED, /* refused with reject_code (terminal for PLACE) */
  CT_FPHASE_DONE      /* the follower order reached a final status */
} ct_forder_phase_t;

/* One follower order (one slice or leg), keyed by follower + corr id. */
typedef struct ct_forder {
  char follower_id[CT_DHAN_CLIENT_SIZE];
  char correlation_id[CT_DHAN_CORRID_SIZE];
  char leader_order_id[CT_DHAN_ID_SIZE];
  char order_id[CT_DHAN_ID_SIZE]; /* the follower's Dhan order id, or "" */
  char reject_code[CT_DHAN_CODE_SIZE];
  ct_corrid_kind_t part; /* with part_index and generation: the corrid */
  uint32_t part_index;
  uint32_t generation;
  ct_forder_intent_t intent;
  uint32_t intent_seq;
  ct_forder_phase_t phase;
  ct_dhan_status_t status; /* last known status of the follower order */
  uint32_t mods_applied;   /* leader modifications already copied */
  uint32_t attempts;       /* sends of the current intent */
  bool diverged;           /* changed by hand: stop touching it */
  ct_dhan_order_type_t order_type;
  int64_t quantity;
  int64_t filled_qty;
  double price;
  double trigger_price;
  double avg_price;
  uint64_t updated_at_ms; /* wall clock of the last change */
  /* Wall clock (Unix ms) when the record was first committed with its
   * PLACE intent; set once, never moved by later updates. 0: unknown (a
   * record written before version 2 of the value, or one made while the
   * store may have lost an earlier intent). The forever-order lookup by
   * attributes adopts no order Dhan created before it (less a skew). */
  uint64_t intent_at_ms;
} ct_forder_t;

/* DONE, or REJECTED while the intent is PLACE: nothing more will happen. */
bool ct_forder_is_terminal(const ct_forder_t *f);

/* --- environment --------------------------------------------------------- */

/* Open (creating if needed) the store in cfg->path. `info` may be NULL.
 * Clears reader slots left by dead processes. Returns 0, CT_EINVAL,
 * CT_ENOMEM, CT_EIO (LMDB or file system error, logged), or CT_EPROTO (a
 * store of another schema, or unreadable meta). */
int ct_store_open(const ct_store_config_t *cfg, ct_store_t **out,
                  ct_store_open_info_t *info);

/* Attach to the store in `path` that another process (the running engine)
 * may hold open: for the operator commands (store_control.h, report.h).
 * The store must exist (CT_ENOTFOUND otherwise: nothing is created), and
 * open and close leave the run record (clean flag, boot id) alone, so the
 * engine's crash bookkeeping is not disturbed. Both processes' LMDB
 * environments share the lock file: readers never block, writers take
 * turns. Close with ct_store_close(). Other returns as ct_store_open(). */
int ct_store_attach(const char *path, ct_store_t **out);

/* Flush, mark the run clean, close and free. No transaction may be open.
 * NULL is ignored. */
void ct_store_close(ct_store_t *s);

/* Force everything committed so far to disk (fdatasync of the data file:
 * with MDB_WRITEMAP that is what mdb_env_sync() does, without walking the
 * whole map). For the NOSYNC modes; harmless in SYNC. Any thread. 0 or
 * CT_EIO. */
int ct_store_sync(ct_store_t *s);

/* A random 32-hex-digit id made when the store was created; stable for
 * the life of the directory. Valid until ct_store_close(). */
const char *ct_store_instance_id(const ct_store_t *s);

/* --- transactions -------------------------------------------------------- */

/* Begin a transaction in *t. A write transaction waits for any other
 * writer. 0, CT_EINVAL or CT_EIO. */
int ct_store_txn_begin(ct_store_t *s, bool write, ct_store_txn_t *t);
/* Commit (durably, per the mode) and end. On failure the transaction is
 * aborted. 0 or CT_EIO (CT_EFULL when the map is full). */
int ct_store_txn_commit(ct_store_txn_t *t);
/* Throw away and end. Safe on an ended transaction. */
void ct_store_txn_abort(ct_store_txn_t *t);

/* --- records ------------------------------------------------------------- */
/* Getters copy into *out and answer 0, CT_ENOTFOUND, CT_EPROTO or CT_EIO.
 * Putters need a write transaction (CT_ESTATE otherwise) and answer 0,
 * CT_EINVAL (empty ids, an id too long for a key part), CT_EFULL or
 * CT_EIO. */

int ct_store_leader_get(ct_store_txn_t *t, const char *leader_order_id,
                        ct_leader_state_t *out);
/* Store a leader state. The first put of an order id also enters it in
 * `undecided` until ct_store_decisions_done(). */
int ct_store_leader_put(ct_store_txn_t *t, const ct_leader_state_t *st);

int ct_store_decision_get(ct_store_txn_t *t, const char *leader_order_id,
                          const char *follower_id, ct_decision_t *out);
int ct_store_decision_put(ct_store_txn_t *t, const ct_decision_t *d);
/* Every follower of this leader order has its decision: leave `undecided`.
 * 0 also when it was not there. */
int ct_store_decisions_done(ct_store_txn_t *t, const char *leader_order_id);

int ct_store_forder_get(ct_store_txn_t *t, const char *follower_id,
                        const char *correlation_id, ct_forder_t *out);
/* Store a follower order and keep `byleader` and `open` in step
 * (terminal orders leave `open`). */
int ct_store_forder_put(ct_store_txn_t *t, const ct_forder_t *f);
/* ct_store_forder_put() for a caller that read, through `t`, the record
 * `f` replaces (`old`, same follower and correlation id; NULL: none is
 * stored): the indexes are only touched where old and f differ for them.
 * An `old` that is not what `t` holds leaves the indexes wrong. */
int ct_store_forder_replace(ct_store_txn_t *t, const ct_forder_t *old,
                            const ct_forder_t *f);

/* --- iteration ----------------------------------------------------------- */
/* Callbacks answer 0 to go on; any other value stops the walk and is
 * returned. Records passed in are valid during the call only. A callback
 * must not write through the transaction it is walking. A record that does
 * not decode stops the walk with CT_EPROTO. */

typedef int (*ct_store_leader_cb)(const ct_leader_state_t *st, void *ctx);
typedef int (*ct_store_decision_cb)(const ct_decision_t *d, void *ctx);
typedef int (*ct_store_forder_cb)(const ct_forder_t *f, void *ctx);

/* Decisions of one leader order, in follower id order. */
int ct_store_each_decision(ct_store_txn_t *t, const char *leader_order_id,
                           ct_store_decision_cb cb, void *ctx);
/* Follower orders of one leader order, in (follower, corr id) order. */
int ct_store_each_forder_of_leader(ct_store_txn_t *t,
                                   const char *leader_order_id,
                                   ct_store_forder_cb cb, void *ctx);
/* The follower orders of one leader order and one follower: a prefix walk,
 * so its cost does not grow with the number of followers. */
int ct_store_each_forder_of(ct_store_txn_t *t, const char *leader_order_id,
                            const char *follower_id, ct_store_forder_cb cb,
                            void *ctx);
/* Recovery: every non-terminal follower order. */
int ct_store_each_open_forder(ct_store_txn_t *t, ct_store_forder_cb cb,
                              void *ctx);
/* The non-terminal follower orders of one follower (a prefix walk). */
int ct_store_each_open_forder_of(ct_store_txn_t *t, const char *follower_id,
                                 ct_store_forder_cb cb, void *ctx);
/* Every follower order of one follower, terminal ones too, in correlation
 * id order (a prefix walk of `forder`: its cost grows with the follower's
 * orders in the store). */
int ct_store_each_forder_of_follower(ct_store_txn_t *t, const char *follower_id,
                                     ct_store_forder_cb cb, void *ctx);
/* Recovery: every leader order without complete decisions. */
int ct_store_each_undecided(ct_store_txn_t *t, ct_store_leader_cb cb,
                            void *ctx);
/* Every leader order (e.g. to compare with the leader's order book). */
int ct_store_each_leader(ct_store_txn_t *t, ct_store_leader_cb cb, void *ctx);
/* The leader orders `keep` accepts (NULL: every one), copied into an array
 * the caller owns and frees (*out, *n of them; NULL and 0 when none), for
 * acting on them after the transaction. 0, CT_EINVAL or CT_ENOMEM (then
 * nothing is left to free). */
typedef bool (*ct_store_leader_pred)(const ct_leader_state_t *st, void *ctx);
int ct_store_collect_leaders(ct_store_txn_t *t, ct_store_leader_pred keep,
                             void *ctx, ct_leader_state_t **out, size_t *n);

/* --- daily counters ------------------------------------------------------ */

/* The Indian (IST, UTC+05:30, no daylight saving) calendar date of a Unix
 * time, as YYYYMMDD (e.g. 20261124). */
int32_t ct_ist_date(int64_t unix_seconds);

/* Orders placed today by a follower: the stored count if its date is
 * `ist_date`, else 0. 0, CT_EPROTO or CT_EIO. */
int ct_store_orders_today(ct_store_txn_t *t, const char *follower_id,
                          int32_t ist_date, int64_t *count);
/* Add `n` to today's count (starting from 0 on a new date) and give the
 * new total in *count (may be NULL). Write transaction. */
int ct_store_orders_today_add(ct_store_txn_t *t, const char *follower_id,
                              int32_t ist_date, int64_t n, int64_t *count);

#endif /* COPYTRADER_STORE_H */
