/*
 * replicator_margin.c: the margin a follower needs for a derivative order,
 * from Dhan's margin calculator (POST /margincalculator).
 *
 * Futures and option sells need a fraction of the notional (span +
 * exposure), option buys the premium, and a SELL there opens a position as
 * often as it closes one; price x quantity for buys and "sells reduce" is
 * only right for the cash segment. So before a follower decides a
 * derivative order (NSE_FNO, BSE_FNO, MCX_COMM) it asks its funds API actor
 * for the margin of the leader's order and keeps the answer per unit, per
 * (security, segment, side, product), for CT__MARGIN_TTL_MS: a burst of
 * orders in one contract asks once. The ask is an ordinary API call: the
 * follower actor keeps processing its mailbox, the leader order is parked
 * in `mwait`, and the answer (or its timeout) re-runs the parked leader
 * orders. A later order of the SAME security (segment and security id)
 * parks behind it, so one instrument's orders are decided in the leader's
 * order; orders of other securities, and cash orders, do not wait for a
 * calculator call that is not theirs: they may be decided, and take funds
 * from the ledger, before the parked one. Only a follower with a daily
 * order cap (max_orders_per_day) keeps the leader's order across
 * securities: which orders fit under the cap is decided by that order,
 * so there every later order parks behind any parked one. Nothing is stored
 * before the decision, so a crash while waiting only means the
 * reconciliation decides it after restart.
 *
 * An order that only closes a position the engine opened for the follower
 * and the account still holds (replicator_pos.c) asks nothing and is
 * decided at once as an exit (no margin, nothing reserved); one that goes
 * beyond it asks as usual and sizing reserves margin for the excess only.
 * When the account's positions are older than funds_refresh_ms, such an
 * exit first parks for a fresh GET /positions (replicator_posfol.c).
 *
 * When the calculator fails (error, timeout, breaker open) the slot reads
 * FAILED for CT__MARGIN_FAIL_TTL_MS and the decision falls back to today's
 * cash rule (price x quantity for buys, sells unchecked), with a warning in
 * the log for every decision that does so. Cash segments never ask: their
 * latency is unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "copytrader/api_calls.h"
#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_fol.h"

#define MOD "margin"

static bool derivative(ct_dhan_segment_t seg) {
  return seg == CT_DHAN_SEG_NSE_FNO || seg == CT_DHAN_SEG_BSE_FNO ||
         seg == CT_DHAN_SEG_MCX_COMM;
}

static bool same_key(const ct_dhan_margin_item_t *k,
                     const ct_leader_state_t *st) {
  return k->segment == st->segment && k->txn == st->txn &&
         k->product == st->product &&
         strcmp(k->security_id, st->security_id) == 0;
}

static const fmargin_t *find_const(const fol_t *f,
                                   const ct_leader_state_t *st) {
  for (int i = 0; i < CT__MARGIN_SLOTS; i++)
    if (f->margin[i].state != CT__MG_EMPTY && same_key(&f->margin[i].key, st))
      return &f->margin[i];
  return NULL;
}

/* The slot of st's key, else an empty one, else the one that expires
 * first (a PENDING slot is never taken: its answer is awaited). */
static fmargin_t *slot_for(fol_t *f, const ct_leader_state_t *st) {
  fmargin_t *best = NULL;
  const fmargin_t *c = find_const(f, st);
  if (c != NULL)
    return &f->margin[c - f->margin];
  for (int i = 0; i < CT__MARGIN_SLOTS; i++) {
    fmargin_t *m = &f->margin[i];
    if (m->state == CT__MG_EMPTY)
      return m;
    if (m->state != CT__MG_PENDING &&
        (best == NULL || m->until_ns < best->until_ns))
      best = m;
  }
  return best;
}

/* Whether the margin check will see this order: a derivative, funds
 * known, and sizing sends it (no ask for an order the decision skips before
 * the margin check: segment, window, zero lots, caps); *qty: its units. */
static bool checked(const fol_t *f, const ct_leader_state_t *st, int64_t *qty) {
  *qty = 0;
  return f->funds_known && derivative(st->segment) &&
         ct__fol_presize(f, st, qty);
}

/* Whether the margin check will run on this order: checked, and more than
 * an exit of a position the engine opened and the account holds
 * (*closing: the units it closes; replicator_pos.c). `t`: an open
 * transaction or NULL (only read when the positions must be rebuilt). */
static bool wanted(const fol_t *f, ct_store_txn_t *t,
                   const ct_leader_state_t *st, int64_t *closing) {
  int64_t qty;
  *closing = 0;
  if (!checked(f, st, &qty))
    return false;
  *closing = ct__fol_closing_qty(f, t, st);
  return qty > *closing;
}

static void fill_key(const fol_t *f, const ct_leader_state_t *st,
                     ct_dhan_margin_item_t *k) {
  const ct_instrument_t *in = ct_instruments_find(
      f->e->instr, ct_dhan_segment_str(st->segment), st->security_id);
  int64_t lot = in != NULL && in->lot_size > 0 ? in->lot_size : 1;
  memset(k, 0, sizeof(*k));
  snprintf(k->security_id, sizeof k->security_id, "%s", st->security_id);
  k->segment = st->segment;
  k->txn = st->txn;
  k->product = st->product;
  k->quantity = st->quantity > 0 ? st->quantity : lot;
  k->price = st->price > 0 ? st->price : (in != NULL ? in->last_price : 0);
  if (st->order_type == CT_DHAN_OTYPE_STOP_LOSS ||
      st->order_type == CT_DHAN_OTYPE_STOP_LOSS_MARKET)
    k->trigger_price = st->trigger_price;
}

static void fail_slot(const fol_t *f, fmargin_t *m, int err,
                      const char *detail) {
  m->state = CT__MG_FAILED;
  m->until_ns = ct__now_ns() + (uint64_t)CT__MARGIN_FAIL_TTL_MS * 1000000u;
  ct_log_warn(MOD,
              "follower=%s security=%s side=%s msg=\"margin calculator "
              "failed; fallback price x qty for buys\" err=%s detail=\"%s\"",
              f->s->name, m->key.security_id, ct_dhan_txn_str(m->key.txn),
              ct_strerror(err), detail);
}

/* Park `st` until slot `slot` answers (CT__MW_BEHIND: behind earlier
 * parked orders of its security; CT__MW_POSITIONS: until the positions
 * answer). A re-run from wake() keeps its place in the queue. */
static int park(fol_t *f, const ct_leader_state_t *st, int slot) {
  bool created = false;
  fmwait_t *w = ct__smap_put(&f->mwait, st->order_id, &created);
  if (w == NULL)
    return CT_ENOMEM;
  if (created)
    w->seq = f->waking ? f->wake_seq : ++f->mwait_seq;
  w->slot = slot;
  w->segment = st->segment;
  snprintf(w->security_id, sizeof w->security_id, "%s", st->security_id);
  return 0;
}

static bool same_security(const fmwait_t *w, ct_dhan_segment_t seg,
                          const char *security_id) {
  return w->segment == seg && strcmp(w->security_id, security_id) == 0;
}

/* A parked order that an order of this security arriving at `seq`
 * (UINT64_MAX: now) must be decided after: an older one of the same
 * security, or any older one for a follower with a daily order cap. */
static bool parked_before(const fol_t *f, ct_dhan_segment_t seg,
                          const char *security_id, uint64_t seq) {
  bool any = f->s->rules.max_orders_per_day > 0;
  for (size_t b = 0; b < f->mwait.nb; b++)
    for (const ct__smap_node_t *x = f->mwait.b[b]; x; x = x->next) {
      const fmwait_t *w = (const fmwait_t *)x->val;
      if (w->seq < seq && (any || same_security(w, seg, security_id)))
        return true;
    }
  return false;
}

bool ct__fol_margin_wait(ct_actor_t *self, fol_t *f,
                         const ct_leader_state_t *st) {
  fmargin_t *m;
  uint64_t now = ct__now_ns();
  int64_t qty;
  int rc;
  if (ct__smap_get(&f->mwait, st->order_id) != NULL)
    return true; /* already parked: a newer state of it waits too */
  if (!f->waking && parked_before(f, st->segment, st->security_id, UINT64_MAX))
    return park(f, st, CT__MW_BEHIND) == 0; /* the leader's order */
  if (!checked(f, st, &qty))
    return false;
  if (ct__fol_positions_wait(self, f, st))
    return park(f, st, CT__MW_POSITIONS) == 0;
  if (qty <= ct__fol_closing_qty(f, NULL, st) || (m = slot_for(f, st)) == NULL)
    return false;
  if (m->state == CT__MG_PENDING && same_key(&m->key, st))
    return park(f, st, (int)(m - f->margin)) == 0;
  if ((m->state == CT__MG_OK || m->state == CT__MG_FAILED) &&
      same_key(&m->key, st) && now < m->until_ns)
    return false;
  fill_key(f, st, &m->key);
  m->asked_ns = now;
  rc = ct_funds_margin(self, f->s->funds, &m->key, f->e->opts.call_timeout_ms,
                       &m->rid);
  if (rc == 0) {
    m->state = CT__MG_PENDING;
    if (park(f, st, (int)(m - f->margin)) == 0)
      return true;
    rc = CT_ENOMEM; /* answer comes to nobody: decide now on a fallback */
  }
  fail_slot(f, m, rc, "not sent");
  return false;
}

void ct__fol_margin_inputs(const fol_t *f, ct_store_txn_t *t,
                           const ct_leader_state_t *st,
                           ct_sizing_account_t *a) {
  const fmargin_t *m;
  int64_t closing = 0;
  bool w = wanted(f, t, st, &closing);
  a->reduces_position = st->txn == CT_DHAN_TXN_SELL; /* the cash rule */
  a->margin_per_unit = 0;
  a->closing_qty = closing;
  if (!w && closing > 0) {
    a->reduces_position = true;
    ct_log_info(MOD,
                "follower=%s order=%s security=%s side=%s closing_qty=%lld "
                "margin=exit msg=\"closes a known position: no margin\"",
                f->s->name, st->order_id, st->security_id,
                ct_dhan_txn_str(st->txn), (long long)closing);
    return;
  }
  if (!w)
    return; /* cash, or skipped before the margin check */
  m = find_const(f, st);
  if (m != NULL && m->state == CT__MG_OK) {
    a->margin_per_unit = m->per_unit;
    a->reduces_position = false;
    return;
  }
  ct_log_warn(MOD,
              "follower=%s order=%s security=%s side=%s margin=fallback "
              "msg=\"no margin calculator figure; %s\"",
              f->s->name, st->order_id, st->security_id,
              ct_dhan_txn_str(st->txn),
              a->reduces_position ? "sell not checked" : "price x qty");
}

/* Whether parked order `w` still waits for its answer. */
static bool awaiting(const fol_t *f, const fmwait_t *w) {
  if (w->slot == CT__MW_POSITIONS)
    return ct__fol_positions_busy(f);
  return w->slot >= 0 && f->margin[w->slot].state == CT__MG_PENDING;
}

/* The oldest parked leader order that can be decided now: its answer is
 * in, and no older order of its security is parked. false when none. */
static bool next_ready(const fol_t *f, char id[CT__SMAP_KEY], fmwait_t *out) {
  bool found = false;
  for (size_t b = 0; b < f->mwait.nb; b++)
    for (const ct__smap_node_t *x = f->mwait.b[b]; x; x = x->next) {
      fmwait_t v;
      memcpy(&v, x->val, sizeof v);
      if ((found && v.seq > out->seq) || awaiting(f, &v) ||
          parked_before(f, v.segment, v.security_id, v.seq))
        continue;
      *out = v;
      memcpy(id, x->key, CT__SMAP_KEY);
      found = true;
    }
  return found;
}

/* Re-run the parked leader orders that can be decided, oldest first; one
 * that asks again stays parked (awaiting), with its place. */
static void wake(ct_actor_t *self, fol_t *f) {
  char id[CT__SMAP_KEY];
  fmwait_t w;
  while (next_ready(f, id, &w)) {
    ct__smap_del(&f->mwait, id);
    f->waking = true;
    f->wake_seq = w.seq;
    ct__fol_again(self, f, id);
    f->waking = false;
  }
}

bool ct__fol_margin_result(ct_actor_t *self, fol_t *f, uint64_t rid,
                           const ct_api_result_t *r) {
  const ct_dhan_margin_t *mr = r->items;
  fmargin_t *m = NULL;
  if (ct__fol_positions_result(f, rid, r)) {
    wake(self, f);
    return true;
  }
  for (int i = 0; i < CT__MARGIN_SLOTS && m == NULL; i++)
    if (f->margin[i].state == CT__MG_PENDING && f->margin[i].rid == rid)
      m = &f->margin[i];
  if (m == NULL)
    return false;
  if (r->err != 0 || r->count == 0 || !(mr->total_margin > 0)) {
    fail_slot(f, m, r->err ? r->err : CT_EPROTO,
              r->dhan.error_code[0] ? r->dhan.error_code : r->reason);
  } else {
    m->state = CT__MG_OK;
    m->per_unit = mr->total_margin / (double)m->key.quantity;
    m->until_ns = ct__now_ns() + (uint64_t)CT__MARGIN_TTL_MS * 1000000u;
    ct_log_info(MOD,
                "follower=%s security=%s side=%s margin_per_unit=%.4f "
                "margin_us=%.1f",
                f->s->name, m->key.security_id, ct_dhan_txn_str(m->key.txn),
                m->per_unit, (double)(ct__now_ns() - m->asked_ns) / 1e3);
  }
  wake(self, f);
  return true;
}
