/*
 * Private to the legs actor (replicator_legs.c: the actor, its calls and
 * store helpers; replicator_super.c: super orders; replicator_forever.c:
 * forever orders). See replicator_legs.c for the design.
 *
 * Records. This actor keeps its own records in the ordinary store records
 * under a PSEUDO follower id, the follower's client id with "#S" (super
 * order legs) or "#F" (forever orders) appended, so the follower actor
 * (its sweep, book merge and lookups, which all select by the real client
 * id) never sees or touches them:
 *   super   the copy itself (placed, modified on its entry leg and
 *           cancelled by the follower actor) is the follower actor's
 *           record: real client id, corr SUPER_LEG/1. Ours are its exit
 *           legs: corr SUPER_LEG/2 (stop loss: price, trigger_price =
 *           trailing jump) and SUPER_LEG/3 (target: price), as last set,
 *           status CANCELLED once cancelled.
 *   forever decision (leader order id, pseudo id): SEND or SKIP;
 *           first leg  corr FOREVER_LEG/0: order id, phase, sized
 *                      quantity, intent_seq = fingerprint of the leader's
 *                      first leg as last applied;
 *           second leg corr FOREVER_LEG/1 (OCO only): likewise.
 * The correlation ids are made from the REAL client id; the one sent to
 * the broker is the first forever leg's.
 */
#ifndef CT_ENGINE_REPLICATOR_LEGS_H
#define CT_ENGINE_REPLICATOR_LEGS_H

#include "copytrader/api_calls.h"
#include "copytrader/sizing.h"
#include "replicator_int.h"

/* Lookups of a copy that find nothing before it counts as absent. */
#define CT__FEV_PROBE 2

typedef enum {
  LOP_SUPER_LOOKUP = 1,
  LOP_SUPER_MODIFY,
  LOP_SUPER_CANCEL,
  LOP_FEV_CREATE,
  LOP_FEV_LOOKUP,
  LOP_FEV_MODIFY,
  LOP_FEV_DELETE,
  LOP_FUNDS
} lop_kind_t;

/* One call in flight, keyed by request id. */
typedef struct lop {
  lop_kind_t kind;
  size_t fi;                      /* follower index */
  char leader[CT_DHAN_ID_SIZE];   /* leader super/forever order id */
  char corr[CT_DHAN_CORRID_SIZE]; /* the record it moves on */
  ct_dhan_leg_t leg;              /* modify and cancel */
  char sec[CT_DHAN_SECID_SIZE];   /* forever lookup: the leader's security, */
  ct_dhan_txn_t txn;              /* side, product and flag (the copy's) */
  ct_dhan_product_t product;
  bool oco;
  uint32_t fp; /* modify: leader fingerprint applied */
  bool fired;  /* delete: sent because the leader's forever order fired */
  int64_t qty;
  double price, trail; /* modify: what is set */
} lop_t;

/* Per follower: capital for sizing (refreshed with funds_refresh_ms). */
typedef struct lfol {
  bool funds_busy, funds_known;
  double capital;
} lfol_t;

typedef struct legs {
  ct_engine_t *e;
  ct__smap_t ops;  /* request id -> lop_t */
  ct__smap_t busy; /* "<fi>:<leader id>" -> 1: one call per copy at a time */
  lfol_t *fol;     /* e->n_f */
  uint64_t sup_rid, fev_rid;
  bool sup_busy, fev_busy;
  bool sup_seen, fev_seen; /* a first list came (baseline done) */
  uint64_t ticks;
} legs_t;

/* replicator_legs.c */
const char *ct__legs_pseudo(const ct__fslot_t *s, char kind, char *buf,
                            size_t size);
void ct__legs_busy_key(size_t fi, const char *leader, char key[CT__SMAP_KEY]);
bool ct__legs_busy(const legs_t *l, size_t fi, const char *leader);
/* Remember a call in flight (and mark its copy busy). */
int ct__legs_track(legs_t *l, uint64_t rid, const lop_t *op);
int ct__legs_corr(const char *leader, const ct__fslot_t *s,
                  ct_corrid_kind_t kind, uint32_t idx,
                  char out[CT_DHAN_CORRID_SIZE]);
uint32_t ct__legs_fp(int64_t qty, double price, double trigger, int type);
/* Size an order of `security_id` with the follower's rules (no margin
 * check); `modify`: a new total for an existing order (no window or
 * count). */
int ct__legs_size(legs_t *l, size_t fi, const ct_sizing_order_t *o,
                  const char *security_id, int64_t orders_today, bool modify,
                  ct_sizing_result_t *r);
/* Record a SKIP decision (once). */
void ct__legs_skip(legs_t *l, size_t fi, const char *leader, char kind,
                   const char *reason);
/* Read, change and write back one record of `pseudo`. 0 or an error. */
typedef void (*ct__legs_fn)(ct_forder_t *fo, void *ctx);
/* A forever order with two legs (OCO), not SINGLE. */
bool ct__legs_is_oco(const ct_dhan_forever_order_t *fo);
/* A ct__legs_update change: the record's order was cancelled (deleted). */
void ct__legs_apply_cancelled(ct_forder_t *r, void *ctx);
int ct__legs_update(legs_t *l, const char *pseudo, const char *corr,
                    ct__legs_fn fn, void *ctx);
bool ct__legs_refused(const ct_api_result_t *r);
bool ct__legs_not_sent(const ct_api_result_t *r);

/* replicator_super.c: keep the copies' exit legs in step with the
 * leader's super-order book. */
void ct__super_sync(ct_actor_t *self, legs_t *l, size_t fi,
                    const ct_dhan_super_order_t *so);
void ct__super_result(ct_actor_t *self, legs_t *l, const lop_t *op,
                      const ct_api_result_t *r);

/* replicator_forever.c: act on the leader's forever-order list;
 * replicator_fevans.c: the answers (ct__forever_result). */
void ct__forever_sync(ct_actor_t *self, legs_t *l, size_t fi,
                      const ct_dhan_forever_order_t *fo);
void ct__forever_baseline(ct_store_txn_t *t, legs_t *l,
                          const ct_dhan_forever_order_t *fo);
void ct__forever_result(ct_actor_t *self, legs_t *l, const lop_t *op,
                        const ct_api_result_t *r);

/* replicator_spawn.c: whether a leader order that is a spawn candidate
 * of listed forever order `fid` was copied to follower `s` as a plain
 * order (a SEND decision): its forever copy firing too is then a double
 * execution. */
bool ct__spawn_copied(ct_engine_t *e, const ct__fslot_t *s, const char *fid);

#endif /* CT_ENGINE_REPLICATOR_LEGS_H */
