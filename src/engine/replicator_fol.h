/*
 * Private to the follower actor (replicator_follower.c: leader states,
 * decisions and the calls; replicator_fsync.c: answers, the follower's own
 * order book, the sweep and funds). See engine.h for the design.
 */
#ifndef CT_ENGINE_REPLICATOR_FOL_H
#define CT_ENGINE_REPLICATOR_FOL_H

#include "copytrader/dhan_build.h"
#include "copytrader/sizing.h"
#include "replicator_int.h"

/* Margin calculator answers kept per (security, side, product). */
#define CT__MARGIN_TTL_MS      30000 /* an answer is reused this long */
#define CT__MARGIN_FAIL_TTL_MS 2000  /* a failure means fallback this long */
#define CT__MARGIN_SLOTS       16
#define CT__BOOK_EVERY         3 /* sweeps per poll of the follower's book */
/* Up to this many open orders, and as many cancelled ones whose final
 * fills are unread, are polled one by one (GET /orders/{id}) instead of
 * through the whole book, which grows all day. */
#define CT__PEEK_MAX  8
#define CT__FINAL_MAX 8

typedef enum {
  CT__MG_EMPTY = 0,
  CT__MG_PENDING, /* asked, waiting for the answer */
  CT__MG_OK,      /* per_unit holds until until_ns */
  CT__MG_FAILED   /* fall back (price x qty for buys) until until_ns */
} ct__mg_state_t;

/* A leader order waiting for slot `slot`'s answer (CT__MW_BEHIND: only
 * for the orders of the same security parked before it; CT__MW_POSITIONS:
 * for the account's positions); seq keeps the order they arrived in, so
 * the orders of one security are decided in that order. */
#define CT__MW_BEHIND    (-1)
#define CT__MW_POSITIONS (-2)
typedef struct fmwait {
  uint64_t seq;
  int slot;
  ct_dhan_segment_t segment;
  char security_id[CT_DHAN_SECID_SIZE];
} fmwait_t;

typedef struct fmargin {
  ct_dhan_margin_item_t key; /* security, segment, side, product (+ asked) */
  ct__mg_state_t state;
  double per_unit;   /* rupees of margin per unit */
  uint64_t asked_ns; /* monotonic, when the request went out */
  uint64_t until_ns; /* monotonic, end of validity */
  uint64_t rid;      /* PENDING: the request id */
} fmargin_t;

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
  unsigned flags;                  /* CT__LF_* */
  double target, stop_loss, trail; /* super orders, with CT__LF_LEGS */
  uint32_t mods;     /* attribute changes seen (not the first state) */
  uint32_t mods_out; /* of those, mirrored or reported coalesced */
} fleader_t;

typedef struct fol {
  ct__fslot_t *s;
  ct_engine_t *e;
  ct__smap_t ops;     /* request id -> fop_t */
  ct__smap_t busy;    /* correlation id -> request id (uint64_t) */
  ct__smap_t leaders; /* leader order id -> fleader_t */
  ct__smap_t settled; /* corr id -> filled qty (int64_t) of a stored DONE
                         record, as committed: the book merge skips it */
  ct_funds_ledger_t ledger;
  bool funds_known;
  double capital; /* start-of-day limit, for capital-proportional */
  uint64_t funds_rid, book_rid;
  bool funds_busy, book_busy;
  uint64_t book_issued_ms; /* wall ms when the book poll was asked */
  uint64_t ticks;
  size_t n_open; /* open follower orders at the last sweep */
  /* Cancels answered whose final fills are still to be read: by id, or
   * (more than CT__FINAL_MAX, or an id unknown) through the whole book. */
  char final_id[CT__FINAL_MAX][CT_DHAN_ID_SIZE];
  unsigned n_final;
  bool book_final;
  uint64_t peek_rid[CT__PEEK_MAX + CT__FINAL_MAX]; /* per-order polls */
  unsigned n_peek;
  fmargin_t margin[CT__MARGIN_SLOTS];
  ct__smap_t mwait;   /* leader order id -> fmwait_t */
  uint64_t mwait_seq; /* arrival order of the parked leader orders */
  bool waking;        /* re-running a parked order (it keeps wake_seq) */
  uint64_t wake_seq;
  struct ct__posfol *pos; /* net positions (replicator_posfol.c) */
  ct_forder_t *sweep;     /* the sweep's open orders, kept between sweeps */
  size_t sweep_cap;
  /* Undecided leader orders held back as possible spawns of a leader
   * forever order: id -> list polls seen when first held (uint64_t). */
  ct__smap_t spwait;
  /* Set by ct__spawn_verdict() for the decision that follows it: the
   * forever order whose fired order is copied ("" none). The SEND decision
   * keeps it as skip_reason "SPAWN_OF:<id>" (re-derived claims). */
  char spawn_of[CT_DHAN_ID_SIZE];
} fol_t;

/* replicator_follower.c */
uint64_t ct__wall_ms(void);
uint32_t ct__leader_fp(const ct_leader_state_t *st);
/* Act on one leader state (level-triggered). */
void ct__fol_on_state(ct_actor_t *self, fol_t *f, const ct_leader_state_t *st,
                      const fleader_t *extra);
/* Re-run the leader order `leader_id` from the cache (or the store). */
void ct__fol_again(ct_actor_t *self, fol_t *f, const char *leader_id);
/* Act on the stored follower order `fo` alone against its cached leader
 * state: for `fo`, what ct__fol_again() does, without reading the
 * decision and the leader order's other follower orders (nothing that
 * concerns `fo` only changes them). false: the leader order is not cached
 * (after a restart): use ct__fol_again(). */
bool ct__fol_act_cached(ct_actor_t *self, fol_t *f, const ct_forder_t *fo);
/* Send a PLACE for a stored intent (same correlation id). */
void ct__fol_place(ct_actor_t *self, fol_t *f, const ct_forder_t *fo);
int ct__fol_track(fol_t *f, uint64_t rid, const fop_t *op);
bool ct__fol_busy(const fol_t *f, const char *corr);
void ct__fol_lookup(ct_actor_t *self, fol_t *f, const ct_forder_t *fo);
/* Whether sizing, without the margin check, would send `st` (the margin
 * calculator is asked only then); true puts the follower's units in *qty. */
bool ct__fol_presize(const fol_t *f, const ct_leader_state_t *st, int64_t *qty);

/* replicator_fsync.c */
typedef void (*ct__fo_fn)(ct_forder_t *fo, void *ctx);
/* Read, change (fn) and write back one follower order in one write
 * transaction; *out (may be NULL) gets the stored record. 0 or an error
 * (logged). */
int ct__fol_update(fol_t *f, const char *corr, ct__fo_fn fn, void *ctx,
                   ct_forder_t *out);
void ct__fol_on_result(ct_actor_t *self, fol_t *f, const ct_envelope_t *env);
/* replicator_follower.c, for replicator_fchange.c: the fingerprint a
 * follower order mirrors (the leader's attributes and, for a super order,
 * its legs), the call deadline, and the sizing inputs and instrument of a
 * leader state. */
uint32_t ct__fol_fp(const fol_t *f, const ct_leader_state_t *st);
uint64_t ct__fol_timeout_ms(const fol_t *f);
void ct__fol_sizing_inputs(const fol_t *f, const ct_leader_state_t *st,
                           ct_sizing_order_t *o, ct_sizing_account_t *a,
                           int64_t orders_today);
const ct_instrument_t *ct__fol_instrument(const fol_t *f,
                                          const ct_leader_state_t *st);
/* replicator_fchange.c: act on follower order `fo` of leader state `st`
 * (look up, cancel or modify; nothing while a call for it is in flight or
 * it diverged). */
void ct__fol_act_on(ct_actor_t *self, fol_t *f, const ct_leader_state_t *st,
                    const ct_forder_t *fo);
/* A follower order placed and still working (acked, not final). */
bool ct__fol_open(const ct_forder_t *fo);
void ct__fol_tick(ct_actor_t *self, fol_t *f);
void ct__fol_funds(ct_actor_t *self, fol_t *f);
void ct__fol_resume(ct_actor_t *self, fol_t *f);

/* replicator_margin.c: margin of derivative orders, from the calculator.
 * Whether the decision on `st` must wait for a calculator answer (asked
 * here, non-blocking; the answer re-runs the leader order). false: decide
 * now (cash segment, answer cached, or calculator failed: fallback). */
bool ct__fol_margin_wait(ct_actor_t *self, fol_t *f,
                         const ct_leader_state_t *st);
/* Set a->margin_per_unit, a->reduces_position and a->closing_qty for `st`
 * from the follower's known position and the cache (derivatives) or
 * today's cash rule; logs an exit and a fallback. `t`: the decision's open
 * transaction (the position is read through it). */
void ct__fol_margin_inputs(const fol_t *f, ct_store_txn_t *t,
                           const ct_leader_state_t *st, ct_sizing_account_t *a);
/* Consume the answer `r` to request `rid` when it is a margin request:
 * true when it was (the waiting leader orders are re-run). */
bool ct__fol_margin_result(ct_actor_t *self, fol_t *f, uint64_t rid,
                           const ct_api_result_t *r);

/* replicator_posfol.c: the follower's net positions (replicator_pos.c).
 * Open builds the map from the store (fol_init; CT_ENOMEM only, a store
 * error is retried at first use); close frees it (fol_stop). */
typedef struct ct__posfol ct__posfol_t;
int ct__fol_pos_open(fol_t *f);
void ct__fol_pos_close(fol_t *f);
/* Every put of one of the follower's own orders: ct_store_forder_put()
 * that keeps the map in step; `old` is the record fo replaces as read
 * through `t` (NULL: none stored; no store read either way).
 * ct__fol_pos_done(f, rc) once the transaction committed (rc 0) or failed
 * (rc: its error). */
int ct__fol_forder_put(fol_t *f, ct_store_txn_t *t, const ct_forder_t *old,
                       const ct_forder_t *fo);
void ct__fol_pos_done(fol_t *f, int rc);
/* Units of the follower's opposite position that `st` closes: the net
 * fills of the engine's own orders in st's security, segment and product,
 * capped by the account's net position (GET /positions), less open
 * unfilled orders on st's side; 0 when none or unknown. `t`: an open
 * transaction or NULL (used only when the map must be rebuilt). */
int64_t ct__fol_closing_qty(const fol_t *f, ct_store_txn_t *t,
                            const ct_leader_state_t *st);
/* Ask GET /positions (with the fund limit; nothing when one is in
 * flight). */
void ct__fol_positions(ct_actor_t *self, fol_t *f);
/* Whether `st`, an exit of a position the engine opened, must wait for
 * the account's positions (asked here when the last answer is older than
 * funds_refresh_ms); its answer re-runs the parked orders. */
bool ct__fol_positions_wait(ct_actor_t *self, fol_t *f,
                            const ct_leader_state_t *st);
bool ct__fol_positions_busy(const fol_t *f);
/* Consume the answer to request `rid` when it is the positions request. */
bool ct__fol_positions_result(fol_t *f, uint64_t rid, const ct_api_result_t *r);

/* replicator_spawn.c: the ordinary order a leader forever order places
 * when it fires (a "spawn"). For the undecided leader order `st`: ""
 * decide it as any other, NULL hold it back (judged again on the sweep
 * and when the legs actor nudges), or the reason to record it as skipped
 * ("FOREVER_ORDER", "FOREVER_COPY_FIRED", "FOREVER_NOT_COPIED"). */
const char *ct__spawn_verdict(fol_t *f, const ct_leader_state_t *st,
                              unsigned flags);
/* The order `id` is decided: it no longer waits. */
void ct__spawn_done(fol_t *f, const char *id);
/* Judge the held-back orders again (sweep, CT__ENG_MSG_SPAWN). */
void ct__spawn_again(ct_actor_t *self, fol_t *f);
/* fol_stop: forget the held-back orders. */
void ct__spawn_close(fol_t *f);

#endif /* CT_ENGINE_REPLICATOR_FOL_H */
