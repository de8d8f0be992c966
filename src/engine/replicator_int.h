/*
 * Private to the replication engine (replicator*.c, metrics.c, smap.c):
 * the engine object, the per-follower slot shared by the controlling
 * thread and the follower actor, the message types between the actors,
 * the actor definitions, a small string-keyed map and the metrics sink.
 */
#ifndef CT_ENGINE_REPLICATOR_INT_H
#define CT_ENGINE_REPLICATOR_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "copytrader/actor.h"
#include "copytrader/api.h"
#include "copytrader/engine.h"
#include "copytrader/instruments.h"
#include "copytrader/leader_track.h"
#include "copytrader/order_feed.h"
#include "copytrader/postback.h"
#include "copytrader/store.h"

enum {
  CT__ENG_MSG_LEADER = 400,    /* bin ct_leader_state_t, u64 CT__LF_*, u64 t,
                                  f64 target, f64 stop loss, f64 trail */
  CT__ENG_MSG_LPOLL = 401,     /* leader reconciliation timer */
  CT__ENG_MSG_FPOLL = 402,     /* follower poll and sweep timer */
  CT__ENG_MSG_RESUME = 403,    /* follower resumed: decide what it missed */
  CT__ENG_MSG_FUNDS = 404,     /* fund limit refresh timer */
  CT__ENG_MSG_LFLUSH = 405,    /* leader: store the pending states */
  CT__ENG_MSG_LEGS_POLL = 406, /* legs actor: super and forever lists */
  CT__ENG_MSG_SPAWN = 407      /* follower: re-judge the orders that wait
                                  on the leader's forever list */
};

/* What a leader order is, beyond ct_leader_state_t (sent with each state
 * in CT__ENG_MSG_LEADER; known only from the events, not stored). */
#define CT__LF_AMO     1u /* after-market order */
#define CT__LF_SUPER   2u /* a super order (entry leg) */
#define CT__LF_FOREVER 4u /* a forever order (GTT) itself */
#define CT__LF_LEGS    8u /* super order: target, stop loss, trail known */

/* --- a string-keyed map with fixed-size values (smap.c) ----------------- */

#define CT__SMAP_KEY 32

typedef struct ct__smap_node {
  struct ct__smap_node *next;
  char key[CT__SMAP_KEY];
  max_align_t val[]; /* value bytes */
} ct__smap_node_t;

typedef struct ct__smap {
  ct__smap_node_t **b;
  size_t nb, n, val_size;
} ct__smap_t;

int ct__smap_init(ct__smap_t *m, size_t val_size);
/* Frees the map and zeroes it; a zeroed map (never initialised, or
 * closed already) is a no-op. */
void ct__smap_close(ct__smap_t *m);
/* The value of `key`, or NULL. */
void *ct__smap_get(const ct__smap_t *m, const char *key);
/* The value of `key`, inserted zeroed when absent (*created says so). NULL
 * on CT_ENOMEM or a key of CT__SMAP_KEY characters or more. */
void *ct__smap_put(ct__smap_t *m, const char *key, bool *created);
void ct__smap_del(ct__smap_t *m, const char *key);

/* --- metrics sink (metrics.c) ------------------------------------------- */

/* One JSON line per follower order event, appended under a mutex into a
 * memory buffer (a memcpy) and written to the file by the engine's
 * background thread; never any disk I/O on an actor's thread. */
typedef struct ct__metrics ct__metrics_t;

int ct__metrics_open(const char *path, ct__metrics_t **out);
/* Write what is buffered; from the background thread. */
void ct__metrics_flush(ct__metrics_t *m);
void ct__metrics_close(ct__metrics_t *m); /* flushes; NULL is fine */
uint64_t ct__now_ns(void);                /* CLOCK_MONOTONIC */
void ct__metrics_leader(ct__metrics_t *m, const char *leader_order,
                        uint64_t t_ns);
/* `sent`/`ack` of a place; the _op forms name the request: "place",
 * "modify" or "cancel" (field "op"). */
void ct__metrics_sent(ct__metrics_t *m, const char *follower, const char *corr,
                      const char *leader_order, uint64_t t_ns);
void ct__metrics_ack(ct__metrics_t *m, const char *follower, const char *corr,
                     const char *order_id, int http_status, uint64_t t_ns);
void ct__metrics_sent_op(ct__metrics_t *m, const char *op, const char *follower,
                         const char *corr, const char *leader_order,
                         uint64_t t_ns);
void ct__metrics_ack_op(ct__metrics_t *m, const char *op, const char *follower,
                        const char *corr, const char *order_id, int http_status,
                        uint64_t t_ns);
/* One leader modification the follower's order `corr` never mirrors on
 * its own: the follower acted on a later state instead (`by`: "modify",
 * a modify to the latest attributes; "cancel", the leader cancelled). */
void ct__metrics_coalesced(ct__metrics_t *m, const char *follower,
                           const char *corr, const char *leader_order,
                           const char *by, uint64_t t_ns);
void ct__metrics_skip(ct__metrics_t *m, const char *follower,
                      const char *leader_order, const char *reason);

/* --- the leader's forever list, shared (replicator_spawn.c) ------------- */

/* One leader forever order as the legs actor last listed it: what the
 * follower actors need to tell the ordinary order it spawns when it
 * fires. */
typedef struct ct__fev_item {
  char order_id[CT_DHAN_ID_SIZE];
  char corr[CT_DHAN_CORRID_SIZE]; /* "" when the list gives none */
  char security_id[CT_DHAN_SECID_SIZE];
  ct_dhan_segment_t segment;
  ct_dhan_txn_t txn;
  ct_dhan_product_t product;
  ct_dhan_status_t status;
  bool oco;
  int64_t qty, qty1; /* first leg, second (OCO) leg */
} ct__fev_item_t;

/* Written by the legs actor on every list answer, read by the follower
 * actors (other threads): the items under `mu` (copied out, never
 * borrowed); `any` and `seen` are read without it first, so an order
 * that cannot be a spawn costs one atomic load. */
typedef struct ct__fev_snap {
  pthread_mutex_t mu;
  ct__fev_item_t *items; /* waiting (CONFIRM) or fired, the leader's own */
  size_t n, cap;
  /* fired F -> the leader order taken as its spawn (one per F) */
  struct ct__fev_claim *claims;
  size_t n_claims, cap_claims;
  _Atomic uint64_t polls; /* list answers so far, failed ones too */
  atomic_bool seen;       /* a list was stored */
  atomic_bool any;        /* n > 0 */
  atomic_int waiting;     /* leader orders the followers hold back */
} ct__fev_snap_t;

/* --- the engine ---------------------------------------------------------- */

typedef struct ct__fslot {
  char name[CT_CONFIG_NAME_SIZE];
  char client_id[CT_DHAN_CLIENT_SIZE];
  ct_sizing_rules_t rules;
  bool copy_modifications;
  bool copy_cancellations;
  bool copy_super_orders;
  bool copy_forever_orders; /* replicator_legs.c */
  atomic_bool paused;       /* applied flag (replicator_status.c) */
  /* the last failed call, under eng->stat_mu (replicator_status.c) */
  char last_error[CT_DHAN_TEXT_SIZE];
  uint64_t last_error_ms;
  ct_api_account_t *acct;
  ct_actor_t *orders;  /* the follower's orders API actor */
  ct_actor_t *funds;   /* the follower's funds API actor */
  ct_actor_t *super;   /* the follower's super orders API actor */
  ct_actor_t *forever; /* forever-orders API actor, when copy_forever_orders */
  ct_actor_t *actor;   /* the follower actor */
  struct ct_engine *eng;
  /* the follower's portfolio API actor: GET /positions (replicator_posfol.c) */
  ct_actor_t *portfolio;
} ct__fslot_t;

struct ct_engine {
  ct_engine_opts_t opts;
  ct_instruments_t *instr;
  ct_store_t *store;
  bool store_created;
  bool distrust;      /* the store may have lost commits: look up before send */
  atomic_bool failed; /* an actor failed beyond its restarts */
  ct_runtime_t *rt;
  bool started;
  char leader_id[CT_DHAN_CLIENT_SIZE];
  ct_api_account_t *leader_acct;
  ct_actor_t *leader_orders;
  ct_actor_t *leader_funds;
  ct_actor_t *leader_super; /* NULL when no follower copies super orders */
  ct_actor_t *leader;
  ct_actor_t *legs;           /* super and forever orders (replicator_legs.c) */
  ct_actor_t *leader_forever; /* NULL when no follower copies forever orders */
  ct__fev_snap_t fev;         /* the leader's forever list (spawn.c) */
  int ready_need;             /* parts that must be ready: leader (+ legs) */
  atomic_int ready_seen;      /* parts ready so far */
  ct_order_feed_t *feed;
  ct_postback_t *pb;
  _Atomic uint64_t leader_capital_bits; /* double, 0 until known */
  ct__fslot_t *f;
  size_t n_f;
  ct__metrics_t *metrics;
  /* background thread: metrics flush and ct_store_sync on a period */
  pthread_t bg;
  bool bg_started;
  pthread_mutex_t bg_mu;
  pthread_cond_t bg_cv;
  bool bg_stop;
  /* operator side (replicator_status.c): feed state for the status
   * snapshot, written by the leader actor, read by the background thread */
  atomic_bool feed_up;
  _Atomic uint64_t feed_connects;
  _Atomic uint64_t feed_event_ns; /* last push-feed event, monotonic */
  pthread_mutex_t stat_mu;        /* feed_error, the slots' last_error */
  char feed_error[CT_DHAN_TEXT_SIZE];
  pthread_mutex_t pause_mu; /* a pause flag's read or write and its apply */
  struct ct_status_follower *snap; /* n_f entries; background thread's */
  uint64_t next_control_ns, next_status_ns;
};

extern const ct_actor_def_t ct__leader_def;   /* arg: ct_engine_t */
extern const ct_actor_def_t ct__follower_def; /* arg: ct__fslot_t */
/* The legs actor (when a follower copies super or forever orders) and
 * the leader's forever API actor (when one copies forever orders);
 * replicator_legs.c. */
int ct__legs_spawn(ct_engine_t *e);
/* A part (the leader's first book, the legs actor's first lists) is
 * ready; the last one calls opts.on_ready. Any thread, once per part. */
void ct__eng_part_ready(ct_engine_t *e);

/* replicator_status.c: pause flags and the status snapshot. */
void ct__eng_ops_init(ct_engine_t *e);
void ct__eng_ops_close(ct_engine_t *e);
/* Read the stored pause flags once (before the runtime starts). */
int ct__eng_pause_load(ct_engine_t *e);
/* Background thread: poll the flags and write the snapshot when due. */
void ct__eng_ops_tick(ct_engine_t *e, uint64_t now_ns);
/* Leader actor: the order feed went up or down. */
void ct__eng_note_feed(ct_engine_t *e, bool up, uint64_t connects, int err,
                       const char *reason, size_t reason_len);
/* Follower actor: a call failed (printf-style text, kept for status). */
void ct__fol_note_error(ct__fslot_t *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* replicator_spawn.c: the shared forever list. init/close with the
 * engine (replicator_status.c's ops_init/close). */
void ct__fev_init(ct_engine_t *e);
void ct__fev_close(ct_engine_t *e);
/* A forever order that has fired. Dhan's docs name no status for it
 * (only CONFIRM, waiting): TRIGGERED is dhansim's (and the super-order
 * table's), and an order on its way or done is taken as fired too. */
bool ct__fev_fired(ct_dhan_status_t st);
/* Legs actor: store the items of a forever list answer (!ok: the list
 * failed; only the poll count moves). */
void ct__fev_store(ct_engine_t *e, bool ok,
                   const ct_dhan_forever_order_t *items, size_t n);
/* A copy of leader forever order `id` as last listed; false: not there. */
bool ct__fev_get(ct_engine_t *e, const char *id, ct__fev_item_t *out);
/* Legs actor: when a follower holds an order back, wake every follower
 * actor (CT__ENG_MSG_SPAWN) to judge it again. */
void ct__fev_nudge(ct_engine_t *e);

double ct__eng_leader_capital(const ct_engine_t *e);
void ct__eng_set_leader_capital(ct_engine_t *e, double v);

#endif /* CT_ENGINE_REPLICATOR_INT_H */
