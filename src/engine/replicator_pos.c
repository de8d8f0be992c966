/*
 * replicator_pos.c: how much of a follower's position a new derivative
 * order closes, from the engine's own follower orders in the store.
 *
 * Dhan's margin calculator sees one order, not the account's positions,
 * so a SELL that exits a long (or a BUY that covers a short) would be
 * priced like a new position and a follower who has used its funds would
 * be refused its exit. The store knows every order the engine placed for
 * the follower: its filled quantity, and through its leader order the
 * side, security, segment and product. Their net (BUY fills minus SELL
 * fills) per (security, segment, product) is the position the engine
 * opened; open orders on the new order's side that are not filled yet
 * already claim part of it (two exits do not close one position twice).
 * What is left on the other side is the order's closing quantity
 * (ct_sizing_account_t.closing_qty): no calculator call and no margin for
 * an order within it, margin for the excess only.
 *
 * What it does not know, and where the calculator stays the fallback:
 * positions opened by hand or by another tool, fills not yet merged from
 * the follower's order book, exits made by hand or by the broker (square
 * off, expiry), and super orders (their exit legs are Dhan's, so their
 * entries are not counted). A position the engine did not see is simply
 * not there: the order is checked as today. A position closed outside the
 * engine still counts, so an order meant to reverse it could pass without
 * margin; Dhan then refuses it for funds like any under-funded order.
 *
 * Cost: one prefix walk over the follower's stored orders (and a leader
 * record per filled order of the same side), run only for derivative
 * orders the margin check would see, inside a transaction the caller has
 * open; no network round trip.
 */
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_fol.h"

#define MOD "position"

typedef struct pos_walk {
  ct_store_txn_t *t;
  const ct_leader_state_t *st; /* the new order */
  int64_t net;                 /* BUY fills - SELL fills */
  int64_t pending;             /* unfilled units of open same-side orders */
} pos_walk_t;

static bool open_order(const ct_forder_t *fo) {
  return !ct_forder_is_terminal(fo) && !ct_dhan_status_is_final(fo->status);
}

static bool same_instrument(const ct_leader_state_t *a,
                            const ct_leader_state_t *b) {
  return a->segment == b->segment && a->product == b->product &&
         strcmp(a->security_id, b->security_id) == 0;
}

static int pos_cb(const ct_forder_t *fo, void *ctx) {
  pos_walk_t *w = ctx;
  ct_leader_state_t ls;
  int64_t rest = fo->quantity - fo->filled_qty;
  bool open = open_order(fo);
  if (fo->part == CT_CORRID_SUPER_LEG || (fo->filled_qty <= 0 && !open))
    return 0;
  if (ct_store_leader_get(w->t, fo->leader_order_id, &ls) != 0 ||
      !same_instrument(&ls, w->st))
    return 0;
  w->net += ls.txn == CT_DHAN_TXN_BUY ? fo->filled_qty : -fo->filled_qty;
  if (open && ls.txn == w->st->txn && rest > 0)
    w->pending += rest;
  return 0;
}

int64_t ct__fol_closing_qty(const fol_t *f, ct_store_txn_t *t,
                            const ct_leader_state_t *st) {
  pos_walk_t w = { t, st, 0, 0 };
  int64_t opposite;
  int rc = ct_store_each_forder_of_follower(t, f->s->client_id, pos_cb, &w);
  if (rc != 0) {
    ct_log_warn(MOD, "follower=%s order=%s msg=\"positions not read\" err=%s",
                f->s->name, st->order_id, ct_strerror(rc));
    return 0; /* unknown: the margin check runs */
  }
  opposite = st->txn == CT_DHAN_TXN_SELL ? w.net : -w.net;
  if (opposite - w.pending <= 0)
    return 0;
  ct_log_debug(MOD,
               "follower=%s order=%s security=%s side=%s position=%lld "
               "pending=%lld",
               f->s->name, st->order_id, st->security_id,
               ct_dhan_txn_str(st->txn), (long long)w.net,
               (long long)w.pending);
  return opposite - w.pending;
}
