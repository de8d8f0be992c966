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
  CT__ENG_MSG_LEADER = 400, /* bin ct_leader_state_t, u64 CT__LF_*, u64 t */
  CT__ENG_MSG_LPOLL = 401,  /* leader reconciliation timer */
  CT__ENG_MSG_FPOLL = 402,  /* follower poll and sweep timer */
  CT__ENG_MSG_RESUME = 403, /* follower resumed: decide what it missed */
  CT__ENG_MSG_FUNDS = 404,  /* fund limit refresh timer */
  CT__ENG_MSG_LFLUSH = 405  /* leader: store the pending states */
};

/* What a leader order is, beyond ct_leader_state_t (sent with each state
 * in CT__ENG_MSG_LEADER; known only from the events, not stored). */
#define CT__LF_AMO     1u /* after-market order */
#define CT__LF_SUPER   2u /* a super order (entry leg) */
#define CT__LF_FOREVER 4u /* a forever order (GTT) itself */

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
void ct__metrics_sent(ct__metrics_t *m, const char *follower, const char *corr,
                      const char *leader_order, uint64_t t_ns);
void ct__metrics_ack(ct__metrics_t *m, const char *follower, const char *corr,
                     const char *order_id, int http_status, uint64_t t_ns);
void ct__metrics_skip(ct__metrics_t *m, const char *follower,
                      const char *leader_order, const char *reason);

/* --- the engine ---------------------------------------------------------- */

typedef struct ct__fslot {
  char name[CT_CONFIG_NAME_SIZE];
  char client_id[CT_DHAN_CLIENT_SIZE];
  ct_sizing_rules_t rules;
  bool copy_modifications;
  bool copy_cancellations;
  atomic_bool paused;
  ct_api_account_t *acct;
  ct_actor_t *orders; /* the follower's orders API actor */
  ct_actor_t *funds;  /* the follower's funds API actor */
  ct_actor_t *actor;  /* the follower actor */
  struct ct_engine *eng;
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
  ct_actor_t *leader;
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
};

extern const ct_actor_def_t ct__leader_def;   /* arg: ct_engine_t */
extern const ct_actor_def_t ct__follower_def; /* arg: ct__fslot_t */

double ct__eng_leader_capital(const ct_engine_t *e);
void ct__eng_set_leader_capital(ct_engine_t *e, double v);

#endif /* CT_ENGINE_REPLICATOR_INT_H */
