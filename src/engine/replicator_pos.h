/*
 * Private to the replication engine: a follower's net positions in memory
 * (replicator_pos.c), the exit rule's input. See replicator_pos.c for how
 * it is kept in step with the store and with GET /positions.
 */
#ifndef CT_ENGINE_REPLICATOR_POS_H
#define CT_ENGINE_REPLICATOR_POS_H

#include <stdbool.h>
#include <stdint.h>

#include "copytrader/store.h"
#include "replicator_int.h"

/* One (exchange segment, product, security) of one follower. */
typedef struct ct__pos {
  int64_t net;     /* BUY fills - SELL fills of the engine's own orders */
  int64_t pend[2]; /* unfilled units of open orders: [0] BUY, [1] SELL */
  /* The account's net quantity (GET /positions) less `net`, both as of
   * the last snapshot: the part of the account's position the engine did
   * not make (negative when it was closed outside the engine). The
   * account's figure now is net + outside: fills the engine learns of
   * after the snapshot move both. */
  int64_t outside;
} ct__pos_t;

/* A change staged inside a write transaction, applied at its commit. */
typedef struct ct__pos_delta {
  char key[CT__SMAP_KEY];
  int64_t net, pend[2];
} ct__pos_delta_t;

typedef struct ct__posmap {
  char follower_id[CT_DHAN_CLIENT_SIZE];
  ct__smap_t inst; /* instrument key -> ct__pos_t */
  bool built;      /* false: (re)build from the store before use */
  bool dirty;      /* staged or built in the caller's transaction */
  ct__pos_delta_t *stage;
  size_t n_stage, cap_stage;
  uint64_t reads;   /* store records read by this map (for tests) */
  bool acct_valid;  /* the last GET /positions answer was applied */
  uint64_t acct_ns; /* monotonic time of that answer */
} ct__posmap_t;

/* Leader state of a follower order's leader order, from a cache; NULL
 * when not cached (the store is read then). */
typedef const ct_leader_state_t *(*ct__pos_leader_fn)(void *ctx,
                                                      const char *leader_id);

/* An empty map (not built) for follower `follower_id`. 0 or CT_ENOMEM. */
int ct__posmap_init(ct__posmap_t *m, const char *follower_id);
void ct__posmap_close(ct__posmap_t *m); /* zeroed or closed: no-op */

/* Build from every stored order of the follower, read through `t` (any
 * open transaction): the only walk over the follower's history. Keeps the
 * `outside` figures. 0, or the store's error (the map stays unbuilt). */
int ct__posmap_build(ct__posmap_t *m, ct_store_txn_t *t);

/* ct_store_forder_put(t, fo) and, when the map is built, the change of
 * fo's contribution staged (the old record is read through t; the leader
 * state comes from `leader(ctx, id)`, else from the store). Returns what
 * the put returns. */
int ct__posmap_put(ct__posmap_t *m, ct_store_txn_t *t, const ct_forder_t *fo,
                   ct__pos_leader_fn leader, void *ctx);
/* ct__posmap_put() when the caller holds the record fo replaces, as read
 * through `t` (`old`; NULL: the store holds none): no read. Passing a
 * wrong `old` leaves the map wrong until its next rebuild. */
int ct__posmap_replace(ct__posmap_t *m, ct_store_txn_t *t,
                       const ct_forder_t *old, const ct_forder_t *fo,
                       ct__pos_leader_fn leader, void *ctx);
/* The transaction of the puts ended with `rc` (its commit's result, or
 * the error it was aborted with): 0 applies the staged changes, anything
 * else drops them and marks the map for a rebuild when it had any. */
void ct__posmap_done(ct__posmap_t *m, int rc);

/* Units of st's opposite position that `st` closes: the engine's net less
 * open unfilled orders on st's side; with `bound`, the engine's net is
 * first capped by the account's (net + outside; nothing when no snapshot
 * is valid). No store access. 0 when none. */
int64_t ct__posmap_closing(const ct__posmap_t *m, const ct_leader_state_t *st,
                           bool bound);

/* Apply a GET /positions answer: every instrument's `outside` becomes the
 * account's net quantity (0 when not listed) less the engine's net. */
void ct__posmap_account(ct__posmap_t *m, const ct_dhan_position_t *p, size_t n,
                        uint64_t now_ns);
/* The account's figure is no longer known (a refresh failed). */
void ct__posmap_account_lost(ct__posmap_t *m);

/* The entry of an instrument; false when the map has none. */
bool ct__posmap_get(const ct__posmap_t *m, ct_dhan_segment_t seg,
                    ct_dhan_product_t product, const char *security_id,
                    ct__pos_t *out);
/* Whether two maps hold the same net and pending figures (`outside` is
 * not compared; entries that are all zero count as absent). */
bool ct__posmap_same(const ct__posmap_t *a, const ct__posmap_t *b);

#endif /* CT_ENGINE_REPLICATOR_POS_H */
