/*
 * Private to the follower actor (replicator_follower.c: leader states,
 * decisions and the calls; replicator_fsync.c: answers, the follower's own
 * order book, the sweep and funds). See engine.h for the design.
 */
#ifndef CT_ENGINE_REPLICATOR_FOL_H
#define CT_ENGINE_REPLICATOR_FOL_H

#include "copytrader/sizing.h"
#include "replicator_int.h"

typedef enum { OP_PLACE = 1, OP_MODIFY, OP_CANCEL, OP_LOOKUP } op_kind_t;

/* One call in flight, keyed by its request id (decimal text). */
typedef struct fop {
  op_kind_t kind;
  char corr[CT_DHAN_CORRID_SIZE];
  char leader[CT_DHAN_ID_SIZE];
  uint32_t fp; /* MODIFY: the leader attributes it mirrors */
  int64_t qty;
  double price, trigger;
  ct_dhan_order_type_t type;
} fop_t;

/* The last leader state seen for an order, plus what the state lacks. */
typedef struct fleader {
  ct_leader_state_t st;
  unsigned flags; /* CT__LF_* */
} fleader_t;

typedef struct fol {
  ct__fslot_t *s;
  ct_engine_t *e;
  ct__smap_t ops;     /* request id -> fop_t */
  ct__smap_t busy;    /* correlation id -> request id (uint64_t) */
  ct__smap_t leaders; /* leader order id -> fleader_t */
  ct_funds_ledger_t ledger;
  bool funds_known;
  double capital; /* start-of-day limit, for capital-proportional */
  uint64_t funds_rid, book_rid;
  bool funds_busy, book_busy;
  uint64_t book_issued_ms; /* wall ms when the book poll was asked */
  uint64_t ticks;
  size_t n_open;     /* open follower orders at the last sweep */
  unsigned book_due; /* sweeps that poll the book even with nothing open */
} fol_t;

/* replicator_follower.c */
uint64_t ct__wall_ms(void);
uint32_t ct__leader_fp(const ct_leader_state_t *st);
/* Act on one leader state (level-triggered). */
void ct__fol_on_state(ct_actor_t *self, fol_t *f, const ct_leader_state_t *st,
                      unsigned flags);
/* Re-run the leader order `leader_id` from the cache (or the store). */
void ct__fol_again(ct_actor_t *self, fol_t *f, const char *leader_id);
/* Send a PLACE for a stored intent (same correlation id). */
void ct__fol_place(ct_actor_t *self, fol_t *f, const ct_forder_t *fo);
int ct__fol_track(fol_t *f, uint64_t rid, const fop_t *op);
bool ct__fol_busy(const fol_t *f, const char *corr);
void ct__fol_lookup(ct_actor_t *self, fol_t *f, const ct_forder_t *fo);

/* replicator_fsync.c */
typedef void (*ct__fo_fn)(ct_forder_t *fo, void *ctx);
/* Read, change (fn) and write back one follower order in one write
 * transaction; *out (may be NULL) gets the stored record. 0 or an error
 * (logged). */
int ct__fol_update(fol_t *f, const char *corr, ct__fo_fn fn, void *ctx,
                   ct_forder_t *out);
void ct__fol_on_result(ct_actor_t *self, fol_t *f, const ct_envelope_t *env);
void ct__fol_tick(ct_actor_t *self, fol_t *f);
void ct__fol_funds(ct_actor_t *self, fol_t *f);
void ct__fol_resume(ct_actor_t *self, fol_t *f);

#endif /* CT_ENGINE_REPLICATOR_FOL_H */
