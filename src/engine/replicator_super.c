/*
 * replicator_super.c: the exit legs of a follower's super order, for the
 * legs actor (replicator_legs.c).
 *
 * The follower actor places the copy of a leader super order (entry with
 * the leader's target, stop loss and trail), copies entry-leg changes
 * while the entry is open (PUT ENTRY_LEG carries the legs too) and
 * cancels it with the leader's entry (replicator_follower.c). What it
 * cannot see is a change of an exit leg alone: once the entry has traded
 * the leader may move its target or stop loss (or trail), and at any time
 * it may cancel one leg. Those show only in the leader's super-order book,
 * which this actor reads every leader_poll_ms; for every follower copy it
 * compares the leader's legs with what it last set on the copy's legs and
 * acts on the difference (level-triggered):
 *   leader leg cancelled (and the other leg not triggered) -> DELETE
 *       /super/orders/{id}/{TARGET_LEG|STOP_LOSS_LEG} on the copy;
 *   leader target / stop loss / trail changed after the entry traded ->
 *       PUT /super/orders/{id} with that leg.
 * What was last set is kept in two records per copy (replicator_legs.h),
 * created from the copy's own legs as the follower's super-order book
 * shows them the first time the copy is seen placed. Both calls are "set
 * to" operations: an answer of unknown outcome is simply repeated by the
 * next poll; a refused one gives that version up (recorded as applied).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_legs.h"

#define MOD "legs"

enum { R_SL = 0, R_TGT = 1 }; /* corr index: SL 2, target 3 (LegNo) */

static uint32_t leg_index(int r) {
  return r == R_SL ? 2 : 3;
}

typedef struct scopy {
  char pseudo[CT_DHAN_CLIENT_SIZE];
  ct_forder_t entry; /* the follower actor's record of the copy */
  bool have[2];
  ct_forder_t r[2];
} scopy_t;

static const ct_dhan_super_leg_t *leg_of(const ct_dhan_super_order_t *so,
                                         ct_dhan_leg_t leg) {
  for (unsigned i = 0; i < so->n_legs && i < CT_DHAN_SUPER_LEGS_MAX; i++)
    if (so->legs[i].leg == leg)
      return &so->legs[i];
  return NULL;
}

/* The copy as placed by the follower actor, and our leg records. false
 * when there is no placed copy to act on. */
static bool load(legs_t *l, size_t fi, const char *leader, scopy_t *c) {
  const ct__fslot_t *s = &l->e->f[fi];
  char corr[CT_DHAN_CORRID_SIZE];
  ct_store_txn_t t;
  bool placed = false;
  memset(c, 0, sizeof(*c));
  ct__legs_pseudo(s, 'S', c->pseudo, sizeof c->pseudo);
  if (ct__legs_corr(leader, s, CT_CORRID_SUPER_LEG, 1, corr) != 0 ||
      ct_store_txn_begin(l->e->store, false, &t) != 0)
    return false;
  if (ct_store_forder_get(&t, s->client_id, corr, &c->entry) == 0)
    placed = c->entry.order_id[0] && !c->entry.diverged &&
             (c->entry.phase == CT_FPHASE_ACKED ||
              (c->entry.phase == CT_FPHASE_DONE &&
               c->entry.status == CT_DHAN_STATUS_TRADED)); /* legs live on */
  for (int i = 0; placed && i < 2; i++) {
    if (ct__legs_corr(leader, s, CT_CORRID_SUPER_LEG, leg_index(i), corr) == 0)
      c->have[i] = ct_store_forder_get(&t, c->pseudo, corr, &c->r[i]) == 0;
  }
  ct_store_txn_abort(&t);
  return placed;
}

/* --- calls
 * ------------------------------------------------------------------*/

static void track(legs_t *l, uint64_t rid, lop_kind_t kind, size_t fi,
                  const char *leader, const scopy_t *c, ct_dhan_leg_t leg) {
  lop_t op = { .kind = kind, .fi = fi, .leg = leg };
  snprintf(op.leader, sizeof op.leader, "%s", leader);
  snprintf(op.corr, sizeof op.corr, "%s", c->entry.correlation_id);
  ct__legs_track(l, rid, &op);
}

static void send_lookup(ct_actor_t *self, legs_t *l, size_t fi,
                        const char *leader, const scopy_t *c) {
  uint64_t rid;
  if (ct_super_list(self, l->e->f[fi].super, l->e->opts.call_timeout_ms,
                    &rid) == 0)
    track(l, rid, LOP_SUPER_LOOKUP, fi, leader, c, CT_DHAN_LEG_NONE);
}

static void send_cancel(ct_actor_t *self, legs_t *l, size_t fi,
                        const char *leader, const scopy_t *c,
                        ct_dhan_leg_t leg) {
  uint64_t rid;
  if (ct_super_cancel(self, l->e->f[fi].super, c->entry.order_id, leg,
                      l->e->opts.call_timeout_ms, &rid) != 0)
    return;
  track(l, rid, LOP_SUPER_CANCEL, fi, leader, c, leg);
  ct_log_info(MOD, "follower=%s order=%s msg=\"super leg cancel\" leg=%s",
              l->e->f[fi].name, leader, ct_dhan_leg_str(leg));
}

static void send_modify(ct_actor_t *self, legs_t *l, size_t fi,
                        const char *leader, const scopy_t *c,
                        const ct_dhan_super_leg_t *ll) {
  ct_dhan_super_modify_req_t m = { 0 };
  lop_t op = { .kind = LOP_SUPER_MODIFY, .fi = fi, .leg = ll->leg };
  uint64_t rid;
  snprintf(m.order_id, sizeof m.order_id, "%s", c->entry.order_id);
  m.leg = ll->leg;
  if (ll->leg == CT_DHAN_LEG_TARGET) {
    m.target_price = ll->price;
  } else {
    m.stop_loss_price = ll->price;
    m.trailing_jump = ll->trailing_jump;
  }
  if (ct_super_modify(self, l->e->f[fi].super, &m, l->e->opts.call_timeout_ms,
                      &rid) != 0)
    return;
  snprintf(op.leader, sizeof op.leader, "%s", leader);
  snprintf(op.corr, sizeof op.corr, "%s", c->entry.correlation_id);
  op.price = ll->price;
  op.trail = ll->trailing_jump;
  ct__legs_track(l, rid, &op);
  ct_log_info(MOD, "follower=%s order=%s msg=\"super leg modify\" leg=%s",
              l->e->f[fi].name, leader, ct_dhan_leg_str(ll->leg));
}

/* --- keeping the legs in step
 * -----------------------------------------------*/

static bool entry_open(const ct_dhan_super_order_t *so) {
  return so->status == CT_DHAN_STATUS_TRANSIT ||
         so->status == CT_DHAN_STATUS_PENDING ||
         so->status == CT_DHAN_STATUS_PART_TRADED;
}

static bool triggered(const ct_dhan_super_order_t *so) {
  const ct_dhan_super_leg_t *tg = leg_of(so, CT_DHAN_LEG_TARGET);
  const ct_dhan_super_leg_t *sl = leg_of(so, CT_DHAN_LEG_STOP_LOSS);
  return so->status == CT_DHAN_STATUS_CLOSED ||
         (tg && tg->status == CT_DHAN_STATUS_TRIGGERED) ||
         (sl && sl->status == CT_DHAN_STATUS_TRIGGERED);
}

/* One exit leg; true when a call went out. */
static bool sync_leg(ct_actor_t *self, legs_t *l, size_t fi,
                     const ct_dhan_super_order_t *so, const scopy_t *c, int r) {
  ct_dhan_leg_t leg = r == R_TGT ? CT_DHAN_LEG_TARGET : CT_DHAN_LEG_STOP_LOSS;
  const ct_dhan_super_leg_t *ll = leg_of(so, leg);
  const ct_forder_t *rec = &c->r[r];
  const ct__fslot_t *s = &l->e->f[fi];
  if (ll == NULL || rec->status == CT_DHAN_STATUS_CANCELLED)
    return false;
  if (ll->status == CT_DHAN_STATUS_CANCELLED) {
    if (!s->copy_cancellations)
      return false;
    send_cancel(self, l, fi, so->order_id, c, leg);
    return true;
  }
  /* While the entry is open the follower actor's ENTRY_LEG modify carries
   * the legs; after it traded only a leg's own PUT can. */
  if (entry_open(so) || !s->copy_modifications ||
      (fabs(ll->price - rec->price) < 1e-6 &&
       (leg == CT_DHAN_LEG_TARGET ||
        fabs(ll->trailing_jump - rec->trigger_price) < 1e-6)))
    return false;
  send_modify(self, l, fi, so->order_id, c, ll);
  return true;
}

void ct__super_sync(ct_actor_t *self, legs_t *l, size_t fi,
                    const ct_dhan_super_order_t *so) {
  const ct__fslot_t *s = &l->e->f[fi];
  scopy_t c;
  if (!s->copy_super_orders || s->super == NULL ||
      ct__legs_busy(l, fi, so->order_id) || !load(l, fi, so->order_id, &c))
    return;
  if (!c.have[R_SL] || !c.have[R_TGT]) {
    send_lookup(self, l, fi, so->order_id, &c); /* what the copy has */
    return;
  }
  if (so->status == CT_DHAN_STATUS_CANCELLED || triggered(so))
    return; /* the entry's cancel is the follower actor's; an exit that
               went through ends the other leg by itself */
  if (!sync_leg(self, l, fi, so, &c, R_TGT))
    sync_leg(self, l, fi, so, &c, R_SL);
}

/* --- answers
 * ----------------------------------------------------------------*/

typedef struct ans {
  const lop_t *op;
  const ct_dhan_super_leg_t *leg; /* lookup: the copy's leg */
} ans_t;

static void apply_modify(ct_forder_t *fo, void *ctx) {
  const ans_t *a = ctx;
  fo->price = a->op->price;
  if (a->op->leg == CT_DHAN_LEG_STOP_LOSS)
    fo->trigger_price = a->op->trail;
  fo->intent = CT_FINTENT_MODIFY;
  fo->mods_applied++;
}

static void leg_corr(legs_t *l, const lop_t *op, int r,
                     char corr[CT_DHAN_CORRID_SIZE]) {
  ct__legs_corr(op->leader, &l->e->f[op->fi], CT_CORRID_SUPER_LEG, leg_index(r),
                corr);
}

/* The copy's legs as its book shows them: our two records, created. */
static void adopt_legs(legs_t *l, const lop_t *op,
                       const ct_dhan_super_order_t *so) {
  const ct__fslot_t *s = &l->e->f[op->fi];
  ct_store_txn_t t;
  int rc = ct_store_txn_begin(l->e->store, true, &t);
  for (int r = 0; rc == 0 && r < 2; r++) {
    const ct_dhan_super_leg_t *ll =
        leg_of(so, r == R_TGT ? CT_DHAN_LEG_TARGET : CT_DHAN_LEG_STOP_LOSS);
    ct_forder_t fo = { 0 }, old;
    ct__legs_pseudo(s, 'S', fo.follower_id, sizeof fo.follower_id);
    leg_corr(l, op, r, fo.correlation_id);
    if (ct_store_forder_get(&t, fo.follower_id, fo.correlation_id, &old) == 0)
      continue; /* already there */
    snprintf(fo.leader_order_id, sizeof fo.leader_order_id, "%s", op->leader);
    snprintf(fo.order_id, sizeof fo.order_id, "%s", so->order_id);
    fo.part = CT_CORRID_SUPER_LEG;
    fo.part_index = leg_index(r);
    fo.intent = CT_FINTENT_PLACE;
    fo.phase = CT_FPHASE_ACKED;
    fo.status = ll ? ll->status : CT_DHAN_STATUS_PENDING;
    fo.quantity = so->quantity;
    fo.price = ll ? ll->price : 0;
    fo.trigger_price = ll ? ll->trailing_jump : 0;
    fo.updated_at_ms = (uint64_t)time(NULL) * 1000;
    rc = ct_store_forder_put(&t, &fo);
  }
  rc = rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
  if (rc != 0)
    ct_log_error(MOD, "follower=%s order=%s msg=\"legs not stored\" err=%s",
                 s->name, op->leader, ct_strerror(rc));
}

void ct__super_result(ct_actor_t *self, legs_t *l, const lop_t *op,
                      const ct_api_result_t *r) {
  const ct__fslot_t *s = &l->e->f[op->fi];
  char pseudo[CT_DHAN_CLIENT_SIZE], corr[CT_DHAN_CORRID_SIZE];
  ans_t a = { op, NULL };
  (void)self;
  if (r->err != 0)
    ct_log_warn(MOD, "follower=%s order=%s op=%d err=%s code=%s", s->name,
                op->leader, (int)op->kind, ct_strerror(r->err),
                r->dhan.error_code);
  if (op->kind == LOP_SUPER_LOOKUP) {
    const ct_dhan_super_order_t *so = r->items;
    for (size_t i = 0; r->err == 0 && i < r->count; i++)
      if (strcmp(so[i].correlation_id, op->corr) == 0)
        adopt_legs(l, op, &so[i]);
    return;
  }
  if (r->err != 0 && !ct__legs_refused(r))
    return; /* unknown: the next poll compares again */
  ct__legs_pseudo(s, 'S', pseudo, sizeof pseudo);
  leg_corr(l, op, op->leg == CT_DHAN_LEG_TARGET ? R_TGT : R_SL, corr);
  ct__legs_update(
      l, pseudo, corr,
      op->kind == LOP_SUPER_MODIFY ? apply_modify : ct__legs_apply_cancelled,
      &a);
}
