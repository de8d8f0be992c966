/*
 * replicator_fchange.c: the follower actor's changes to a follower order
 * that exists (replicator_follower.c decides and places; this file acts
 * on what came after): an intent of an earlier run is looked up first; a
 * leader order cancelled, expired or rejected cancels the follower's open
 * order; a leader order whose attributes changed (its fingerprint no
 * longer the one in intent_seq) modifies it, quantity sized again. The
 * modify intent is stored before the call, so a crash with the modify in
 * flight leads to a lookup, not to a false "changed by hand".
 */
#include <stdio.h>
#include <string.h>

#include "copytrader/api_calls.h"
#include "copytrader/error.h"
#include "replicator_fol.h"

/* The leader's attribute changes the follower's order will not mirror one
 * by one (it acts on the latest state, `by` a modify or a cancel): one
 * `coalesced` metrics line each (bench/README.md). */
static void coalesced(fol_t *f, const ct_forder_t *fo, const char *by) {
  fleader_t *l = ct__smap_get(&f->leaders, fo->leader_order_id);
  uint32_t left = l ? l->mods - l->mods_out : 0;
  for (uint32_t i = by[0] == 'm' ? 1 : 0; i < left; i++)
    ct__metrics_coalesced(f->e->metrics, f->s->client_id, fo->correlation_id,
                          fo->leader_order_id, by, ct__now_ns());
  if (l != NULL)
    l->mods_out = l->mods;
}

/* A cancel or modify (`what`) of `fo` went out as request `rid`: metrics,
 * and the call tracked until its answer. */
static void track(fol_t *f, const ct_forder_t *fo, const char *what, fop_t *op,
                  uint64_t rid) {
  ct__metrics_sent_op(f->e->metrics, what, f->s->client_id, fo->correlation_id,
                      fo->leader_order_id, ct__now_ns());
  coalesced(f, fo, what);
  snprintf(op->corr, sizeof op->corr, "%s", fo->correlation_id);
  snprintf(op->leader, sizeof op->leader, "%s", fo->leader_order_id);
  ct__fol_track(f, rid, op);
}

static void send_cancel(ct_actor_t *self, fol_t *f, const ct_forder_t *fo) {
  fop_t op = { .kind = OP_CANCEL };
  uint64_t rid;
  int rc = fo->part == CT_CORRID_SUPER_LEG && f->s->super
               ? ct_super_cancel(self, f->s->super, fo->order_id,
                                 CT_DHAN_LEG_ENTRY, ct__fol_timeout_ms(f), &rid)
               : ct_orders_cancel(self, f->s->orders, fo->order_id,
                                  ct__fol_timeout_ms(f), &rid);
  if (rc == 0)
    track(f, fo, "cancel", &op, rid);
}

static int64_t modify_qty(const fol_t *f, const ct_leader_state_t *st,
                          const ct_forder_t *fo) {
  ct_sizing_order_t o;
  ct_sizing_account_t a;
  ct_sizing_result_t r;
  if (fo->part == CT_CORRID_SLICE)
    return fo->quantity; /* a slice keeps its size */
  ct__fol_sizing_inputs(f, st, &o, &a, 0);
  if (ct_sizing_modify(&f->s->rules, &o, ct__fol_instrument(f, st), &a, NULL, 0,
                       &r) != 0 ||
      r.skip != CT_SKIP_NONE || r.slices != 1)
    return fo->quantity;
  return r.qty;
}

static void modify_intent(ct_forder_t *fo, void *ctx) {
  (void)ctx;
  fo->intent = CT_FINTENT_MODIFY;
  fo->phase = CT_FPHASE_INTENT;
}

/* PUT /orders/{id}, or for a super order's entry PUT /super/orders/{id}
 * with ENTRY_LEG (its legs too; only while the entry is open). */
static int call_modify(ct_actor_t *self, fol_t *f,
                       const ct_dhan_modify_req_t *m, const ct_forder_t *fo,
                       uint64_t *rid) {
  const fleader_t *l = ct__smap_get(&f->leaders, fo->leader_order_id);
  ct_dhan_super_modify_req_t sm = { 0 };
  if (fo->part != CT_CORRID_SUPER_LEG)
    return ct_orders_modify(self, f->s->orders, m, ct__fol_timeout_ms(f), rid);
  if (l == NULL || !(l->flags & CT__LF_LEGS) || f->s->super == NULL)
    return CT_ESTATE;
  snprintf(sm.order_id, sizeof sm.order_id, "%s", m->order_id);
  sm.leg = CT_DHAN_LEG_ENTRY;
  sm.order_type = m->order_type;
  sm.quantity = m->quantity;
  sm.price = m->price;
  sm.target_price = l->target;
  sm.stop_loss_price = l->stop_loss;
  sm.trailing_jump = l->trail;
  return ct_super_modify(self, f->s->super, &sm, ct__fol_timeout_ms(f), rid);
}

static void send_modify(ct_actor_t *self, fol_t *f, const ct_leader_state_t *st,
                        const ct_forder_t *fo) {
  ct_dhan_modify_req_t m = { 0 };
  fop_t op = { .kind = OP_MODIFY };
  uint64_t rid;
  snprintf(m.order_id, sizeof m.order_id, "%s", fo->order_id);
  m.order_type = st->order_type;
  m.validity = st->validity ? st->validity : CT_DHAN_VALIDITY_DAY;
  m.quantity = modify_qty(f, st, fo);
  if (st->order_type == CT_DHAN_OTYPE_LIMIT ||
      st->order_type == CT_DHAN_OTYPE_STOP_LOSS)
    m.price = st->price;
  if (st->order_type == CT_DHAN_OTYPE_STOP_LOSS ||
      st->order_type == CT_DHAN_OTYPE_STOP_LOSS_MARKET)
    m.trigger_price = st->trigger_price;
  /* Record the intent first: a crash with the modify in flight then
   * leads to a lookup (adopting what the order became), not to a false
   * "changed by hand". */
  if (ct__fol_update(f, fo->correlation_id, modify_intent, NULL, NULL) != 0 ||
      call_modify(self, f, &m, fo, &rid) != 0)
    return;
  op.fp = ct__fol_fp(f, st);
  op.qty = m.quantity;
  op.price = m.price;
  op.trigger = m.trigger_price;
  op.type = m.order_type;
  track(f, fo, "modify", &op, rid);
}

bool ct__fol_open(const ct_forder_t *fo) {
  return fo->order_id[0] && !ct_dhan_status_is_final(fo->status) &&
         fo->phase != CT_FPHASE_DONE;
}

void ct__fol_act_on(ct_actor_t *self, fol_t *f, const ct_leader_state_t *st,
                    const ct_forder_t *fo) {
  bool leader_gone = st->status == CT_DHAN_STATUS_CANCELLED ||
                     st->status == CT_DHAN_STATUS_EXPIRED ||
                     st->status == CT_DHAN_STATUS_REJECTED;
  if (fo->diverged || ct__fol_busy(f, fo->correlation_id))
    return;
  if (fo->phase == CT_FPHASE_INTENT || fo->phase == CT_FPHASE_UNKNOWN) {
    ct__fol_lookup(self, f, fo);
    return;
  }
  if (!ct__fol_open(fo))
    return;
  if (leader_gone) {
    if (f->s->copy_cancellations &&
        !(fo->intent == CT_FINTENT_CANCEL && fo->phase == CT_FPHASE_REJECTED))
      send_cancel(self, f, fo);
    return;
  }
  if (f->s->copy_modifications && !ct_dhan_status_is_final(st->status) &&
      fo->intent_seq != ct__fol_fp(f, st))
    send_modify(self, f, st, fo);
}
