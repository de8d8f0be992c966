/*
 * replicator_forever.c: one follower's copy of one leader forever (GTT)
 * order, SINGLE or OCO, for the legs actor (replicator_legs.c).
 * Level-triggered on every poll of the leader's forever-order list:
 *   no decision        -> skip (flag off, paused, leader no longer in
 *                         CONFIRM, sizing) or, in ONE write transaction,
 *                         the SEND decision, the intent of the first leg
 *                         (and the record of the OCO second leg) and the
 *                         daily count; then POST /forever/orders with the
 *                         first leg's correlation id;
 *   INTENT or UNKNOWN  -> list the follower's forever orders and find
 *                         the copy (replicator_fevans.c: by the order id
 *                         the record holds, the correlation id, or the
 *                         attributes); not found twice -> create again
 *                         with the same id; a copy found fired is final:
 *                         never re-created or modified;
 *   leader cancelled   -> DELETE the follower's forever order;
 *   leader leg changed -> PUT that leg (TARGET_LEG: SINGLE or the first
 *                         OCO leg; STOP_LOSS_LEG: the second OCO leg),
 *                         quantity sized again;
 *   leader FIRED       -> DELETE the copy first (`fired`). The ordinary
 *                         order the leader's placed (its spawn) waits in
 *                         the follower actor (replicator_spawn.c) until the
 *                         copy's record is final: deleted -> the spawn is
 *                         copied as a plain order; refused or unknown ->
 *                         the copy is looked up, and found fired it is the
 *                         follower's execution (the spawn is skipped,
 *                         FOREVER_COPY_FIRED). The copy is the mirror of
 *                         the fire: never both.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_fol.h"
#include "replicator_legs.h"

#define MOD "legs"

typedef struct fcopy {
  char pseudo[CT_DHAN_CLIENT_SIZE];
  bool decided;
  ct_decision_t d;
  bool have[2];
  ct_forder_t r[2]; /* first leg, second (OCO) leg */
} fcopy_t;

static uint32_t leg_fp(const ct_dhan_forever_order_t *fo, int leg) {
  return leg == 0 ? ct__legs_fp(fo->quantity, fo->price, fo->trigger_price,
                                (int)fo->order_type)
                  : ct__legs_fp(fo->quantity1, fo->price1, fo->trigger_price1,
                                (int)fo->order_type);
}

static void load(legs_t *l, size_t fi, const char *leader, fcopy_t *c) {
  const ct__fslot_t *s = &l->e->f[fi];
  ct_store_txn_t t;
  memset(c, 0, sizeof(*c));
  ct__legs_pseudo(s, 'F', c->pseudo, sizeof c->pseudo);
  if (ct_store_txn_begin(l->e->store, false, &t) != 0)
    return;
  c->decided = ct_store_decision_get(&t, leader, c->pseudo, &c->d) == 0;
  for (int i = 0; c->decided && i < 2; i++) {
    char corr[CT_DHAN_CORRID_SIZE];
    if (ct__legs_corr(leader, s, CT_CORRID_FOREVER_LEG, (uint32_t)i, corr) == 0)
      c->have[i] = ct_store_forder_get(&t, c->pseudo, corr, &c->r[i]) == 0;
  }
  ct_store_txn_abort(&t);
}

static ct_dhan_validity_t validity(const ct_dhan_forever_order_t *fo) {
  return fo->validity ? fo->validity : CT_DHAN_VALIDITY_DAY;
}

/* --- calls
 * ------------------------------------------------------------------*/

static void track(legs_t *l, uint64_t rid, lop_kind_t kind, size_t fi,
                  const char *leader, const char *corr, ct_dhan_leg_t leg,
                  uint32_t fp, int64_t qty) {
  lop_t op = { .kind = kind, .fi = fi, .leg = leg, .fp = fp, .qty = qty };
  snprintf(op.leader, sizeof op.leader, "%s", leader);
  snprintf(op.corr, sizeof op.corr, "%s", corr);
  ct__legs_track(l, rid, &op);
}

static void send_create(ct_actor_t *self, legs_t *l, size_t fi,
                        const ct_dhan_forever_order_t *fo, const fcopy_t *c) {
  const ct__fslot_t *s = &l->e->f[fi];
  const ct_forder_t *r0 = &c->r[0];
  ct_dhan_forever_req_t p = { 0 };
  uint64_t rid;
  snprintf(p.o.correlation_id, sizeof p.o.correlation_id, "%s",
           r0->correlation_id);
  snprintf(p.o.security_id, sizeof p.o.security_id, "%s", fo->security_id);
  p.o.txn = fo->txn;
  p.o.segment = fo->segment;
  p.o.product = fo->product;
  p.o.order_type = r0->order_type;
  p.o.validity = validity(fo);
  p.o.quantity = r0->quantity;
  p.o.price = r0->price;
  p.o.trigger_price = r0->trigger_price;
  p.flag = ct__legs_is_oco(fo) ? CT_DHAN_FLAG_OCO : CT_DHAN_FLAG_SINGLE;
  if (ct__legs_is_oco(fo) && c->have[1]) {
    p.quantity1 = c->r[1].quantity;
    p.price1 = c->r[1].price;
    p.trigger_price1 = c->r[1].trigger_price;
  }
  if (ct_forever_create(self, s->forever, &p, l->e->opts.call_timeout_ms,
                        &rid) != 0)
    return;
  ct__metrics_sent(l->e->metrics, s->client_id, r0->correlation_id,
                   fo->order_id, ct__now_ns());
  track(l, rid, LOP_FEV_CREATE, fi, fo->order_id, r0->correlation_id,
        CT_DHAN_LEG_NONE, 0, 0);
}

static void send_lookup(ct_actor_t *self, legs_t *l, size_t fi,
                        const ct_dhan_forever_order_t *fo, const char *corr) {
  lop_t op = { .kind = LOP_FEV_LOOKUP, .fi = fi };
  uint64_t rid;
  if (ct_forever_list(self, l->e->f[fi].forever, l->e->opts.call_timeout_ms,
                      &rid) != 0)
    return;
  snprintf(op.leader, sizeof op.leader, "%s", fo->order_id);
  snprintf(op.corr, sizeof op.corr, "%s", corr);
  snprintf(op.sec, sizeof op.sec, "%s", fo->security_id);
  op.txn = fo->txn;
  op.product = fo->product;
  op.oco = ct__legs_is_oco(fo);
  ct__legs_track(l, rid, &op);
}

/* `fired`: the leader's forever order fired (its order is copied as a
 * plain one), as opposed to deleted. */
static void send_delete(ct_actor_t *self, legs_t *l, size_t fi,
                        const char *leader, const ct_forder_t *r0, bool fired) {
  lop_t op = { .kind = LOP_FEV_DELETE, .fi = fi, .fired = fired };
  uint64_t rid;
  if (ct_forever_delete(self, l->e->f[fi].forever, r0->order_id,
                        l->e->opts.call_timeout_ms, &rid) != 0)
    return;
  snprintf(op.leader, sizeof op.leader, "%s", leader);
  snprintf(op.corr, sizeof op.corr, "%s", r0->correlation_id);
  ct__legs_track(l, rid, &op);
}

/* The follower's quantity for a leader leg quantity (sized again). */
static int64_t sized(legs_t *l, size_t fi, const ct_dhan_forever_order_t *fo,
                     int64_t qty, double price, bool modify) {
  ct_sizing_order_t o = { .segment = fo->segment,
                          .side = fo->txn,
                          .product = fo->product,
                          .type = fo->order_type,
                          .quantity = qty,
                          .price = price };
  ct_sizing_result_t r;
  if (ct__legs_size(l, fi, &o, fo->security_id, 0, modify, &r) != 0 ||
      r.skip != CT_SKIP_NONE || r.slices != 1)
    return 0;
  return r.qty;
}

static void send_modify(ct_actor_t *self, legs_t *l, size_t fi,
                        const ct_dhan_forever_order_t *fo, const fcopy_t *c,
                        int leg) {
  ct_dhan_forever_modify_req_t m = { 0 };
  uint64_t rid;
  snprintf(m.order_id, sizeof m.order_id, "%s", c->r[0].order_id);
  m.flag = ct__legs_is_oco(fo) ? CT_DHAN_FLAG_OCO : CT_DHAN_FLAG_SINGLE;
  m.order_type = fo->order_type;
  m.validity = validity(fo);
  m.leg = leg == 0 ? CT_DHAN_LEG_TARGET : CT_DHAN_LEG_STOP_LOSS;
  m.quantity = sized(l, fi, fo, leg == 0 ? fo->quantity : fo->quantity1,
                     leg == 0 ? fo->price : fo->price1, true);
  if (m.quantity == 0)
    m.quantity = c->r[leg].quantity;
  m.price = leg == 0 ? fo->price : fo->price1;
  m.trigger_price = leg == 0 ? fo->trigger_price : fo->trigger_price1;
  if (ct_forever_modify(self, l->e->f[fi].forever, &m,
                        l->e->opts.call_timeout_ms, &rid) != 0)
    return;
  track(l, rid, LOP_FEV_MODIFY, fi, fo->order_id, c->r[leg].correlation_id,
        m.leg, leg_fp(fo, leg), m.quantity);
  ct_log_info(MOD, "follower=%s order=%s msg=\"forever modify\" leg=%d",
              l->e->f[fi].name, fo->order_id, leg);
}

/* --- the decision
 * -----------------------------------------------------------*/

static void make_rec(const ct__fslot_t *s, const char *pseudo,
                     const ct_dhan_forever_order_t *fo, int leg,
                     uint64_t intent_at_ms, ct_forder_t *r) {
  memset(r, 0, sizeof(*r));
  snprintf(r->follower_id, sizeof r->follower_id, "%s", pseudo);
  snprintf(r->leader_order_id, sizeof r->leader_order_id, "%s", fo->order_id);
  ct__legs_corr(fo->order_id, s, CT_CORRID_FOREVER_LEG, (uint32_t)leg,
                r->correlation_id);
  r->part = CT_CORRID_FOREVER_LEG;
  r->part_index = (uint32_t)leg;
  r->intent = CT_FINTENT_PLACE;
  r->phase = leg == 0 ? CT_FPHASE_INTENT : CT_FPHASE_ACKED;
  r->intent_seq = leg_fp(fo, leg);
  r->order_type = fo->order_type;
  r->price = leg == 0 ? fo->price : fo->price1;
  r->trigger_price = leg == 0 ? fo->trigger_price : fo->trigger_price1;
  r->updated_at_ms = (uint64_t)time(NULL) * 1000;
  r->intent_at_ms = intent_at_ms;
}

static const char *size_first(legs_t *l, size_t fi,
                              const ct_dhan_forever_order_t *fo, int64_t today,
                              int64_t *qty) {
  ct_sizing_order_t o = { .segment = fo->segment,
                          .side = fo->txn,
                          .product = fo->product,
                          .type = fo->order_type,
                          .quantity = fo->quantity,
                          .price = fo->price,
                          .trigger_price = fo->trigger_price };
  ct_sizing_result_t r;
  if (ct__legs_size(l, fi, &o, fo->security_id, today, false, &r) != 0)
    return "SIZING_FAILED";
  if (r.skip != CT_SKIP_NONE)
    return ct_skip_reason_str(r.skip);
  if (r.slices > 1)
    return "FOREVER_ABOVE_FREEZE";
  *qty = r.qty;
  return "";
}

static bool decide_tx(legs_t *l, size_t fi, const ct_dhan_forever_order_t *fo,
                      fcopy_t *c) {
  const ct__fslot_t *s = &l->e->f[fi];
  int32_t date = ct_ist_date((int64_t)time(NULL));
  int64_t today = 0, qty = 0, qty1 = 0;
  const char *skip = "";
  /* Distrust: this intent may replace one the store lost, whose copy Dhan
   * created earlier; its time is then unknown (0). */
  uint64_t at = l->e->distrust ? 0 : ct__wall_ms();
  ct_store_txn_t t;
  int rc = ct_store_txn_begin(l->e->store, true, &t);
  if (rc == 0 &&
      (rc = ct_store_orders_today(&t, s->client_id, date, &today)) == 0)
    skip = size_first(l, fi, fo, today, &qty);
  if (rc == 0 && !skip[0] && ct__legs_is_oco(fo) &&
      (qty1 = sized(l, fi, fo, fo->quantity1, fo->price1, true)) == 0)
    skip = "ZERO_LOTS";
  memset(&c->d, 0, sizeof c->d);
  snprintf(c->d.leader_order_id, sizeof c->d.leader_order_id, "%s",
           fo->order_id);
  snprintf(c->d.follower_id, sizeof c->d.follower_id, "%s", c->pseudo);
  snprintf(c->d.skip_reason, sizeof c->d.skip_reason, "%s", skip);
  c->d.kind = skip[0] ? CT_DECISION_SKIP : CT_DECISION_SEND;
  c->d.slices = skip[0] ? 0 : 1;
  c->d.qty = qty;
  c->d.leader_qty = fo->quantity;
  c->d.multiplier = s->rules.value;
  c->d.decided_at_ms = (uint64_t)time(NULL) * 1000;
  if (rc == 0)
    rc = ct_store_decision_put(&t, &c->d);
  for (int i = 0; rc == 0 && !skip[0] && i < (ct__legs_is_oco(fo) ? 2 : 1);
       i++) {
    make_rec(s, c->pseudo, fo, i, at, &c->r[i]);
    c->r[i].quantity = i == 0 ? qty : qty1;
    c->have[i] = true;
    rc = ct_store_forder_put(&t, &c->r[i]);
  }
  if (rc == 0 && !skip[0])
    rc = ct_store_orders_today_add(&t, s->client_id, date, 1, NULL);
  rc = rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
  if (rc != 0) {
    ct_log_error(MOD, "follower=%s order=%s msg=\"decision not stored\" err=%s",
                 s->name, fo->order_id, ct_strerror(rc));
    return false;
  }
  if (skip[0]) {
    ct_log_info(MOD, "follower=%s order=%s forever skip=%s", s->name,
                fo->order_id, skip);
    ct__metrics_skip(l->e->metrics, s->client_id, fo->order_id, skip);
  }
  return !skip[0];
}

static void decide(ct_actor_t *self, legs_t *l, size_t fi,
                   const ct_dhan_forever_order_t *fo, fcopy_t *c) {
  const ct__fslot_t *s = &l->e->f[fi];
  bool live = fo->status == CT_DHAN_STATUS_CONFIRM;
  if (!s->copy_forever_orders)
    ct__legs_skip(l, fi, fo->order_id, 'F', "FOREVER_DISABLED");
  else if (atomic_load(&((ct__fslot_t *)s)->paused) && !live)
    ct__legs_skip(l, fi, fo->order_id, 'F', "PAUSED");
  else if (atomic_load(&((ct__fslot_t *)s)->paused))
    return;
  else if (!live)
    ct__legs_skip(l, fi, fo->order_id, 'F', "LEADER_DONE");
  else if (s->rules.mode == CT_SIZING_CAPITAL_PROPORTIONAL &&
           (!l->fol[fi].funds_known || ct__eng_leader_capital(l->e) <= 0))
    return; /* sized once both capitals are known: a later poll */
  else if (decide_tx(l, fi, fo, c)) {
    if (l->e->distrust)
      send_lookup(self, l, fi, fo, c->r[0].correlation_id);
    else
      send_create(self, l, fi, fo, c);
  }
}

static void keep_in_step(ct_actor_t *self, legs_t *l, size_t fi,
                         const ct_dhan_forever_order_t *fo, fcopy_t *c) {
  const ct__fslot_t *s = &l->e->f[fi];
  const ct_forder_t *r0 = &c->r[0];
  if (!c->have[0])
    return;
  if (r0->phase == CT_FPHASE_INTENT || r0->phase == CT_FPHASE_UNKNOWN) {
    if (r0->attempts >= CT__FEV_PROBE && r0->order_id[0] == '\0' &&
        fo->status == CT_DHAN_STATUS_CONFIRM)
      send_create(self, l, fi, fo, c);
    else
      send_lookup(self, l, fi, fo, r0->correlation_id);
    return;
  }
  if (r0->phase != CT_FPHASE_ACKED || r0->order_id[0] == '\0')
    return;
  if (fo->status == CT_DHAN_STATUS_CANCELLED ||
      fo->status == CT_DHAN_STATUS_EXPIRED ||
      fo->status == CT_DHAN_STATUS_REJECTED) {
    if (s->copy_cancellations)
      send_delete(self, l, fi, fo->order_id, r0, false);
    return;
  }
  if (fo->status == CT_DHAN_STATUS_TRIGGERED) {
    /* Only once the copy is deleted is the leader's fired order copied
     * as a plain one (replicator_spawn.c): the copy must not fire too. */
    send_delete(self, l, fi, fo->order_id, r0, true);
    return;
  }
  if (fo->status != CT_DHAN_STATUS_CONFIRM || !s->copy_modifications)
    return;
  if (leg_fp(fo, 0) != r0->intent_seq)
    send_modify(self, l, fi, fo, c, 0);
  else if (ct__legs_is_oco(fo) && c->have[1] &&
           leg_fp(fo, 1) != c->r[1].intent_seq)
    send_modify(self, l, fi, fo, c, 1);
}

void ct__forever_sync(ct_actor_t *self, legs_t *l, size_t fi,
                      const ct_dhan_forever_order_t *fo) {
  fcopy_t c;
  if (ct__legs_busy(l, fi, fo->order_id))
    return;
  load(l, fi, fo->order_id, &c);
  if (!c.decided)
    decide(self, l, fi, fo, &c);
  else if (c.d.kind == CT_DECISION_SEND && l->e->f[fi].forever != NULL)
    keep_in_step(self, l, fi, fo, &c); /* NULL: the flag was turned off */
}

void ct__forever_baseline(ct_store_txn_t *t, legs_t *l,
                          const ct_dhan_forever_order_t *fo) {
  for (size_t fi = 0; fi < l->e->n_f; fi++) {
    ct_decision_t d = { 0 };
    ct__legs_pseudo(&l->e->f[fi], 'F', d.follower_id, sizeof d.follower_id);
    snprintf(d.leader_order_id, sizeof d.leader_order_id, "%s", fo->order_id);
    snprintf(d.skip_reason, sizeof d.skip_reason, "PREEXISTING");
    d.kind = CT_DECISION_SKIP;
    d.decided_at_ms = (uint64_t)time(NULL) * 1000;
    ct_store_decision_put(t, &d);
  }
}
