/*
 * replicator_super.c: one follower's copy of one leader super order, for
 * the legs actor (replicator_legs.c). Level-triggered on every poll of
 * the leader's super-order book:
 *   no decision      -> skip (flag off, paused, leader done, sizing) or, in
 *                       ONE write transaction, the SEND decision, the
 *                       entry intent and the two leg records (what will be
 *                       sent) and the daily count; then POST /super/orders
 *                       with the entry's correlation id;
 *   entry INTENT or UNKNOWN -> list the follower's super orders and match
 *                       the correlation id; not found twice -> place again
 *                       with the same id;
 *   leader entry cancelled  -> cancel the follower's ENTRY_LEG (all);
 *   leader entry changed while open -> modify the ENTRY_LEG (sized
 *                       quantity, price, type, target, stop loss, trail);
 *   leader leg cancelled (the other leg not triggered) -> cancel the leg;
 *   leader target / stop-loss / trail changed -> modify that leg.
 * A refused modify or cancel gives that version up (recorded as applied),
 * so nothing loops; a call of unknown outcome is simply repeated by the
 * next poll (modify and cancel are "set to" operations).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_legs.h"

#define MOD   "legs"
#define PROBE 2 /* not-found lookups before a place is sent again */

enum { R_ENTRY = 0, R_SL = 1, R_TGT = 2 }; /* corr index = R_* + 1 */

typedef struct scopy {
  char pseudo[CT_DHAN_CLIENT_SIZE];
  bool decided;
  ct_decision_t d;
  bool have[3];
  ct_forder_t r[3];
} scopy_t;

static uint32_t entry_fp(const ct_dhan_super_order_t *so) {
  return ct__legs_fp(so->quantity, so->price, 0, (int)so->order_type);
}

static const ct_dhan_super_leg_t *leg_of(const ct_dhan_super_order_t *so,
                                         ct_dhan_leg_t leg) {
  for (unsigned i = 0; i < so->n_legs && i < CT_DHAN_SUPER_LEGS_MAX; i++)
    if (so->legs[i].leg == leg)
      return &so->legs[i];
  return NULL;
}

static void load(legs_t *l, size_t fi, const char *leader, scopy_t *c) {
  const ct__fslot_t *s = &l->e->f[fi];
  ct_store_txn_t t;
  memset(c, 0, sizeof(*c));
  ct__legs_pseudo(s, 'S', c->pseudo, sizeof c->pseudo);
  if (ct_store_txn_begin(l->e->store, false, &t) != 0)
    return;
  c->decided = ct_store_decision_get(&t, leader, c->pseudo, &c->d) == 0;
  for (int i = 0; c->decided && i < 3; i++) {
    char corr[CT_DHAN_CORRID_SIZE];
    if (ct__legs_corr(leader, s, CT_CORRID_SUPER_LEG, (uint32_t)i + 1, corr) ==
        0)
      c->have[i] = ct_store_forder_get(&t, c->pseudo, corr, &c->r[i]) == 0;
  }
  ct_store_txn_abort(&t);
}

/* --- calls
 * ------------------------------------------------------------------*/

static void send_place(ct_actor_t *self, legs_t *l, size_t fi,
                       const ct_dhan_super_order_t *so, const scopy_t *c) {
  const ct__fslot_t *s = &l->e->f[fi];
  ct_dhan_super_req_t p = { 0 };
  lop_t op = { .kind = LOP_SUPER_PLACE, .fi = fi };
  uint64_t rid;
  snprintf(p.o.correlation_id, sizeof p.o.correlation_id, "%s",
           c->r[R_ENTRY].correlation_id);
  snprintf(p.o.security_id, sizeof p.o.security_id, "%s", so->security_id);
  p.o.txn = so->txn;
  p.o.segment = so->segment;
  p.o.product = so->product;
  p.o.order_type = c->r[R_ENTRY].order_type;
  p.o.validity = CT_DHAN_VALIDITY_DAY;
  p.o.quantity = c->r[R_ENTRY].quantity;
  p.o.price = p.o.order_type == CT_DHAN_OTYPE_LIMIT ? c->r[R_ENTRY].price : 0;
  p.target_price = c->r[R_TGT].price;
  p.stop_loss_price = c->r[R_SL].price;
  p.trailing_jump = c->r[R_SL].trigger_price;
  if (ct_super_place(self, s->super, &p, l->e->opts.call_timeout_ms, &rid) != 0)
    return;
  ct__metrics_sent(l->e->metrics, s->client_id, p.o.correlation_id,
                   so->order_id, ct__now_ns());
  snprintf(op.leader, sizeof op.leader, "%s", so->order_id);
  snprintf(op.corr, sizeof op.corr, "%s", p.o.correlation_id);
  ct__legs_track(l, rid, &op);
}

static void send_lookup(ct_actor_t *self, legs_t *l, size_t fi,
                        const char *leader, const char *corr) {
  lop_t op = { .kind = LOP_SUPER_LOOKUP, .fi = fi };
  uint64_t rid;
  if (ct_super_list(self, l->e->f[fi].super, l->e->opts.call_timeout_ms,
                    &rid) != 0)
    return;
  snprintf(op.leader, sizeof op.leader, "%s", leader);
  snprintf(op.corr, sizeof op.corr, "%s", corr);
  ct__legs_track(l, rid, &op);
}

static void send_cancel(ct_actor_t *self, legs_t *l, size_t fi,
                        const char *leader, const ct_forder_t *entry,
                        ct_dhan_leg_t leg) {
  lop_t op = { .kind = LOP_SUPER_CANCEL, .fi = fi, .leg = leg };
  uint64_t rid;
  if (ct_super_cancel(self, l->e->f[fi].super, entry->order_id, leg,
                      l->e->opts.call_timeout_ms, &rid) != 0)
    return;
  snprintf(op.leader, sizeof op.leader, "%s", leader);
  snprintf(op.corr, sizeof op.corr, "%s", entry->correlation_id);
  ct__legs_track(l, rid, &op);
}

static void send_modify(ct_actor_t *self, legs_t *l, size_t fi,
                        const ct_dhan_super_order_t *so,
                        const ct_forder_t *entry,
                        const ct_dhan_super_modify_req_t *m, uint32_t fp) {
  lop_t op = { .kind = LOP_SUPER_MODIFY, .fi = fi, .leg = m->leg, .fp = fp };
  uint64_t rid;
  if (ct_super_modify(self, l->e->f[fi].super, m, l->e->opts.call_timeout_ms,
                      &rid) != 0)
    return;
  snprintf(op.leader, sizeof op.leader, "%s", so->order_id);
  snprintf(op.corr, sizeof op.corr, "%s", entry->correlation_id);
  op.qty = m->quantity;
  op.price = m->leg == CT_DHAN_LEG_ENTRY    ? m->price
             : m->leg == CT_DHAN_LEG_TARGET ? m->target_price
                                            : m->stop_loss_price;
  op.target = m->target_price;
  op.sl = m->stop_loss_price;
  op.trail = m->trailing_jump;
  ct__legs_track(l, rid, &op);
  ct_log_info(MOD, "follower=%s order=%s msg=\"super modify\" leg=%d",
              l->e->f[fi].name, so->order_id, (int)m->leg);
}

/* --- the decision
 * -----------------------------------------------------------*/

static bool leader_done(const ct_dhan_super_order_t *so) {
  return so->status == CT_DHAN_STATUS_CANCELLED ||
         so->status == CT_DHAN_STATUS_REJECTED ||
         so->status == CT_DHAN_STATUS_EXPIRED ||
         so->status == CT_DHAN_STATUS_CLOSED;
}

static void make_rec(const ct__fslot_t *s, const char *pseudo,
                     const ct_dhan_super_order_t *so, int i, ct_forder_t *fo) {
  memset(fo, 0, sizeof(*fo));
  snprintf(fo->follower_id, sizeof fo->follower_id, "%s", pseudo);
  snprintf(fo->leader_order_id, sizeof fo->leader_order_id, "%s", so->order_id);
  ct__legs_corr(so->order_id, s, CT_CORRID_SUPER_LEG, (uint32_t)i + 1,
                fo->correlation_id);
  fo->part = CT_CORRID_SUPER_LEG;
  fo->part_index = (uint32_t)i + 1;
  fo->intent = CT_FINTENT_PLACE;
  fo->phase = i == R_ENTRY ? CT_FPHASE_INTENT : CT_FPHASE_ACKED;
  fo->updated_at_ms = (uint64_t)time(NULL) * 1000;
}

/* Fill the three records of a new copy of `qty`. */
static void make_recs(const ct__fslot_t *s, scopy_t *c,
                      const ct_dhan_super_order_t *so, int64_t qty) {
  const ct_dhan_super_leg_t *tg = leg_of(so, CT_DHAN_LEG_TARGET);
  const ct_dhan_super_leg_t *sl = leg_of(so, CT_DHAN_LEG_STOP_LOSS);
  for (int i = 0; i < 3; i++)
    make_rec(s, c->pseudo, so, i, &c->r[i]);
  c->r[R_ENTRY].order_type = so->order_type;
  c->r[R_ENTRY].quantity = qty;
  c->r[R_ENTRY].price = so->price;
  c->r[R_ENTRY].intent_seq = entry_fp(so);
  c->r[R_TGT].price = tg ? tg->price : 0;
  c->r[R_SL].price = sl ? sl->price : 0;
  c->r[R_SL].trigger_price = sl ? sl->trailing_jump : 0;
  c->r[R_TGT].quantity = c->r[R_SL].quantity = qty;
}

static void fill_decision(const ct__fslot_t *s, const scopy_t *c,
                          const ct_dhan_super_order_t *so, const char *skip,
                          int64_t qty, ct_decision_t *d) {
  memset(d, 0, sizeof(*d));
  snprintf(d->leader_order_id, sizeof d->leader_order_id, "%s", so->order_id);
  snprintf(d->follower_id, sizeof d->follower_id, "%s", c->pseudo);
  snprintf(d->rule, sizeof d->rule, "%s",
           ct_sizing_mode_str(s->rules.mode) ? ct_sizing_mode_str(s->rules.mode)
                                             : "none");
  d->kind = skip[0] ? CT_DECISION_SKIP : CT_DECISION_SEND;
  snprintf(d->skip_reason, sizeof d->skip_reason, "%s", skip);
  d->slices = skip[0] ? 0 : 1;
  d->qty = skip[0] ? 0 : qty;
  d->leader_qty = so->quantity;
  d->max_qty = s->rules.max_qty;
  d->multiplier = s->rules.value;
  d->decided_at_ms = (uint64_t)time(NULL) * 1000;
}

/* Size and record in one write transaction; true when a place is due. */
static bool decide_tx(legs_t *l, size_t fi, const ct_dhan_super_order_t *so,
                      scopy_t *c) {
  const ct__fslot_t *s = &l->e->f[fi];
  ct_sizing_order_t o = { .segment = so->segment,
                          .side = so->txn,
                          .product = so->product,
                          .type = so->order_type,
                          .quantity = so->quantity,
                          .price = so->price };
  ct_sizing_result_t r;
  int32_t date = ct_ist_date((int64_t)time(NULL));
  int64_t today = 0;
  const char *skip = "";
  ct_store_txn_t t;
  int rc = ct_store_txn_begin(l->e->store, true, &t);
  if (rc == 0)
    rc = ct_store_orders_today(&t, s->client_id, date, &today);
  if (rc == 0)
    rc = ct__legs_size(l, fi, &o, so->security_id, today, false, &r);
  if (rc == 0 && r.skip != CT_SKIP_NONE)
    skip = ct_skip_reason_str(r.skip);
  else if (rc == 0 && r.slices > 1)
    skip = "SUPER_ABOVE_FREEZE"; /* a super order cannot be sliced */
  if (rc == 0) {
    fill_decision(s, c, so, skip, r.qty, &c->d);
    rc = ct_store_decision_put(&t, &c->d);
  }
  if (rc == 0 && !skip[0]) {
    make_recs(s, c, so, r.qty);
    for (int i = 0; rc == 0 && i < 3; i++)
      rc = ct_store_forder_put(&t, &c->r[i]);
    if (rc == 0)
      rc = ct_store_orders_today_add(&t, s->client_id, date, 1, NULL);
  }
  rc = rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
  if (rc != 0) {
    ct_log_error(MOD, "follower=%s order=%s msg=\"decision not stored\" err=%s",
                 s->name, so->order_id, ct_strerror(rc));
    return false;
  }
  if (skip[0]) {
    ct_log_info(MOD, "follower=%s order=%s super skip=%s", s->name,
                so->order_id, skip);
    ct__metrics_skip(l->e->metrics, s->client_id, so->order_id, skip);
  }
  return !skip[0];
}

static void decide(ct_actor_t *self, legs_t *l, size_t fi,
                   const ct_dhan_super_order_t *so, scopy_t *c) {
  const ct__fslot_t *s = &l->e->f[fi];
  if (!s->copy_super_orders) {
    ct__legs_skip(l, fi, so->order_id, 'S', "SUPER_DISABLED");
    return;
  }
  if (atomic_load(&((ct__fslot_t *)s)->paused)) {
    if (leader_done(so))
      ct__legs_skip(l, fi, so->order_id, 'S', "PAUSED");
    return;
  }
  if (leader_done(so)) {
    ct__legs_skip(l, fi, so->order_id, 'S', "LEADER_DONE");
    return;
  }
  if (!decide_tx(l, fi, so, c))
    return;
  if (l->e->distrust)
    send_lookup(self, l, fi, so->order_id, c->r[R_ENTRY].correlation_id);
  else
    send_place(self, l, fi, so, c);
}

/* --- keeping a copy in step
 * -------------------------------------------------*/

static bool entry_open(const ct_dhan_super_order_t *so) {
  return so->status == CT_DHAN_STATUS_TRANSIT ||
         so->status == CT_DHAN_STATUS_PENDING ||
         so->status == CT_DHAN_STATUS_PART_TRADED;
}

static bool modify_entry(ct_actor_t *self, legs_t *l, size_t fi,
                         const ct_dhan_super_order_t *so, const scopy_t *c) {
  const ct_dhan_super_leg_t *tg = leg_of(so, CT_DHAN_LEG_TARGET);
  const ct_dhan_super_leg_t *sl = leg_of(so, CT_DHAN_LEG_STOP_LOSS);
  ct_dhan_super_modify_req_t m = { 0 };
  ct_sizing_order_t o = { .segment = so->segment,
                          .side = so->txn,
                          .product = so->product,
                          .type = so->order_type,
                          .quantity = so->quantity,
                          .price = so->price };
  ct_sizing_result_t r;
  if (!entry_open(so) || entry_fp(so) == c->r[R_ENTRY].intent_seq)
    return false;
  snprintf(m.order_id, sizeof m.order_id, "%s", c->r[R_ENTRY].order_id);
  m.leg = CT_DHAN_LEG_ENTRY;
  m.order_type = so->order_type;
  m.quantity = c->r[R_ENTRY].quantity;
  if (ct__legs_size(l, fi, &o, so->security_id, 0, true, &r) == 0 &&
      r.skip == CT_SKIP_NONE && r.slices == 1)
    m.quantity = r.qty;
  m.price = so->order_type == CT_DHAN_OTYPE_LIMIT ? so->price : 0;
  m.target_price = tg ? tg->price : c->r[R_TGT].price;
  m.stop_loss_price = sl ? sl->price : c->r[R_SL].price;
  m.trailing_jump = sl ? sl->trailing_jump : c->r[R_SL].trigger_price;
  send_modify(self, l, fi, so, &c->r[R_ENTRY], &m, entry_fp(so));
  return true;
}

/* One exit leg: cancel or modify it when the leader's differs. */
static bool sync_leg(ct_actor_t *self, legs_t *l, size_t fi,
                     const ct_dhan_super_order_t *so, const scopy_t *c,
                     ct_dhan_leg_t leg) {
  const ct_dhan_super_leg_t *ll = leg_of(so, leg);
  const ct_forder_t *rec = &c->r[leg == CT_DHAN_LEG_TARGET ? R_TGT : R_SL];
  const ct__fslot_t *s = &l->e->f[fi];
  ct_dhan_super_modify_req_t m = { 0 };
  if (ll == NULL || rec->status == CT_DHAN_STATUS_CANCELLED)
    return false;
  if (ll->status == CT_DHAN_STATUS_CANCELLED) {
    if (!s->copy_cancellations)
      return false;
    send_cancel(self, l, fi, so->order_id, &c->r[R_ENTRY], leg);
    return true;
  }
  if (!s->copy_modifications ||
      (fabs(ll->price - rec->price) < 1e-6 &&
       (leg == CT_DHAN_LEG_TARGET ||
        fabs(ll->trailing_jump - rec->trigger_price) < 1e-6)))
    return false;
  snprintf(m.order_id, sizeof m.order_id, "%s", c->r[R_ENTRY].order_id);
  m.leg = leg;
  if (leg == CT_DHAN_LEG_TARGET) {
    m.target_price = ll->price;
  } else {
    m.stop_loss_price = ll->price;
    m.trailing_jump = ll->trailing_jump;
  }
  send_modify(self, l, fi, so, &c->r[R_ENTRY], &m, 0);
  return true;
}

static bool triggered(const ct_dhan_super_order_t *so) {
  const ct_dhan_super_leg_t *tg = leg_of(so, CT_DHAN_LEG_TARGET);
  const ct_dhan_super_leg_t *sl = leg_of(so, CT_DHAN_LEG_STOP_LOSS);
  return so->status == CT_DHAN_STATUS_CLOSED ||
         (tg && tg->status == CT_DHAN_STATUS_TRIGGERED) ||
         (sl && sl->status == CT_DHAN_STATUS_TRIGGERED);
}

static void keep_in_step(ct_actor_t *self, legs_t *l, size_t fi,
                         const ct_dhan_super_order_t *so, scopy_t *c) {
  const ct_forder_t *e = &c->r[R_ENTRY];
  const ct__fslot_t *s = &l->e->f[fi];
  if (!c->have[R_ENTRY] || !c->have[R_TGT] || !c->have[R_SL])
    return;
  if (e->phase == CT_FPHASE_INTENT || e->phase == CT_FPHASE_UNKNOWN) {
    if (e->attempts >= PROBE && e->order_id[0] == '\0' && !leader_done(so))
      send_place(self, l, fi, so, c); /* looked up: not there; same id */
    else
      send_lookup(self, l, fi, so->order_id, e->correlation_id);
    return;
  }
  if (e->phase != CT_FPHASE_ACKED || e->order_id[0] == '\0' || e->diverged)
    return;
  if (so->status == CT_DHAN_STATUS_CANCELLED ||
      so->status == CT_DHAN_STATUS_REJECTED ||
      so->status == CT_DHAN_STATUS_EXPIRED) {
    if (s->copy_cancellations)
      send_cancel(self, l, fi, so->order_id, e, CT_DHAN_LEG_ENTRY);
    return;
  }
  if (s->copy_modifications && modify_entry(self, l, fi, so, c))
    return;
  if (triggered(so)) /* an exit went through: the other leg's end is not */
    return;          /* a cancellation to copy */
  if (!sync_leg(self, l, fi, so, c, CT_DHAN_LEG_TARGET))
    sync_leg(self, l, fi, so, c, CT_DHAN_LEG_STOP_LOSS);
}

void ct__super_sync(ct_actor_t *self, legs_t *l, size_t fi,
                    const ct_dhan_super_order_t *so) {
  scopy_t c;
  if (ct__legs_busy(l, fi, so->order_id))
    return;
  load(l, fi, so->order_id, &c);
  if (!c.decided)
    decide(self, l, fi, so, &c);
  else if (c.d.kind == CT_DECISION_SEND && l->e->f[fi].super != NULL)
    keep_in_step(self, l, fi, so, &c); /* NULL: the flag was turned off */
}

void ct__super_baseline(ct_store_txn_t *t, legs_t *l,
                        const ct_dhan_super_order_t *so) {
  for (size_t fi = 0; fi < l->e->n_f; fi++) {
    ct_decision_t d = { 0 };
    ct__legs_pseudo(&l->e->f[fi], 'S', d.follower_id, sizeof d.follower_id);
    snprintf(d.leader_order_id, sizeof d.leader_order_id, "%s", so->order_id);
    snprintf(d.skip_reason, sizeof d.skip_reason, "PREEXISTING");
    d.kind = CT_DECISION_SKIP;
    d.decided_at_ms = (uint64_t)time(NULL) * 1000;
    ct_store_decision_put(t, &d);
  }
}

/* --- answers
 * ----------------------------------------------------------------*/

typedef struct ans {
  const lop_t *op;
  const ct_api_result_t *r;
  const ct_dhan_super_order_t *found;
} ans_t;

static void apply_place(ct_forder_t *fo, void *ctx) {
  const ans_t *a = ctx;
  fo->attempts++;
  if (a->r->err == 0 && a->r->count > 0) {
    const ct_dhan_order_ack_t *ack = a->r->items;
    snprintf(fo->order_id, sizeof fo->order_id, "%s", ack->order_id);
    fo->status = ack->status;
    fo->phase = CT_FPHASE_ACKED;
  } else if (ct__legs_refused(a->r)) {
    fo->phase = CT_FPHASE_REJECTED;
    snprintf(fo->reject_code, sizeof fo->reject_code, "%s",
             a->r->dhan.error_code[0] ? a->r->dhan.error_code : "REJECTED");
  } else {
    fo->phase = CT_FPHASE_UNKNOWN;
    fo->attempts = 0;
  }
}

static void apply_lookup(ct_forder_t *fo, void *ctx) {
  const ans_t *a = ctx;
  if (a->found != NULL) {
    snprintf(fo->order_id, sizeof fo->order_id, "%s", a->found->order_id);
    fo->status = a->found->status;
    fo->phase = CT_FPHASE_ACKED;
  } else {
    fo->attempts++;
  }
}

static void apply_modify(ct_forder_t *fo, void *ctx) {
  const ans_t *a = ctx;
  const lop_t *op = a->op;
  if (op->leg == CT_DHAN_LEG_ENTRY) {
    if (fo->part_index == R_ENTRY + 1) {
      fo->intent_seq = op->fp;
      fo->quantity = op->qty;
      fo->price = op->price;
    } else if (fo->part_index == R_TGT + 1) {
      fo->price = op->target;
    } else {
      fo->price = op->sl;
      fo->trigger_price = op->trail;
    }
    return;
  }
  fo->price = op->price;
  if (op->leg == CT_DHAN_LEG_STOP_LOSS)
    fo->trigger_price = op->trail;
}

static void apply_cancel(ct_forder_t *fo, void *ctx) {
  (void)ctx;
  fo->status = CT_DHAN_STATUS_CANCELLED;
  if (fo->part_index == R_ENTRY + 1) {
    fo->intent = CT_FINTENT_CANCEL;
    fo->phase = CT_FPHASE_DONE;
  }
}

/* The records one answer moves on: entry, and the legs it concerns. */
static void update_recs(legs_t *l, const lop_t *op, ct__legs_fn fn, ans_t *a) {
  const ct__fslot_t *s = &l->e->f[op->fi];
  char pseudo[CT_DHAN_CLIENT_SIZE], corr[CT_DHAN_CORRID_SIZE];
  ct__legs_pseudo(s, 'S', pseudo, sizeof pseudo);
  for (int i = 0; i < 3; i++) {
    bool mine = op->leg == CT_DHAN_LEG_ENTRY ||
                (op->leg == CT_DHAN_LEG_TARGET && i == R_TGT) ||
                (op->leg == CT_DHAN_LEG_STOP_LOSS && i == R_SL);
    if (mine && ct__legs_corr(op->leader, s, CT_CORRID_SUPER_LEG,
                              (uint32_t)i + 1, corr) == 0)
      ct__legs_update(l, pseudo, corr, fn, a);
  }
}

static const ct_dhan_super_order_t *find_corr(const ct_api_result_t *r,
                                              const char *corr) {
  const ct_dhan_super_order_t *so = r->items;
  for (size_t i = 0; i < r->count; i++)
    if (strcmp(so[i].correlation_id, corr) == 0)
      return &so[i];
  return NULL;
}

void ct__super_result(ct_actor_t *self, legs_t *l, const lop_t *op,
                      const ct_api_result_t *r) {
  const ct__fslot_t *s = &l->e->f[op->fi];
  char pseudo[CT_DHAN_CLIENT_SIZE];
  ans_t a = { op, r, NULL };
  (void)self;
  ct__legs_pseudo(s, 'S', pseudo, sizeof pseudo);
  if (r->err != 0)
    ct_log_warn(MOD, "follower=%s order=%s op=%d err=%s code=%s", s->name,
                op->leader, (int)op->kind, ct_strerror(r->err),
                r->dhan.error_code);
  switch (op->kind) {
  case LOP_SUPER_PLACE: {
    const char *oid = r->err == 0 && r->count
                          ? ((const ct_dhan_order_ack_t *)r->items)->order_id
                          : "";
    if (r->sent || r->err == 0)
      ct__metrics_ack(l->e->metrics, s->client_id, op->corr, oid,
                      r->dhan.http_status, ct__now_ns());
    if (r->err == 0 || !ct__legs_not_sent(r))
      ct__legs_update(l, pseudo, op->corr, apply_place, &a);
    break;
  }
  case LOP_SUPER_LOOKUP:
    if (r->err != 0)
      break;
    a.found = find_corr(r, op->corr);
    ct__legs_update(l, pseudo, op->corr, apply_lookup, &a);
    break;
  default: {
    bool ok = r->err == 0 || ct__legs_refused(r);
    if (ok) /* refused: that version is given up */
      update_recs(l, op,
                  op->kind == LOP_SUPER_MODIFY ? apply_modify : apply_cancel,
                  &a);
    break;
  }
  }
}
