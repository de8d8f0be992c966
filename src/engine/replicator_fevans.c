/*
 * replicator_fevans.c: the answers to the legs actor's forever-order calls
 * (replicator_forever.c sends them), written to the copy's records:
 *   create  -> ACKED with the order id, REJECTED, or UNKNOWN (looked up);
 *   lookup  -> the follower's forever list, the copy found by the order id
 *              the record holds, by correlation id, or (Dhan's documented
 *              list has none) by its attributes among the orders no other
 *              record of ours holds and created no earlier than the
 *              record's intent; waiting -> ACKED, fired or over -> DONE;
 *   modify  -> the leader values applied;
 *   delete  -> CANCELLED. A delete sent because the leader's forever order
 *              FIRED that is refused or of unknown outcome puts the record
 *              in UNKNOWN: the copy is looked up before anything else, and
 *              a copy found fired (or, known by id, gone from the list
 *              CT__FEV_PROBE times) is recorded fired: its order is the
 *              follower's execution (replicator_spawn.c skips the leader's
 *              fired order then). Only when that fired order was ALSO
 *              copied as a plain order does the follower get an error line
 *              and a last error: two executions.
 * Every answer that concerns a fired leader order wakes the followers that
 * hold its order back (ct__fev_nudge).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_fol.h"
#include "replicator_legs.h"

#define MOD "legs"
/* A listed order Dhan created more than this before a record's intent is
 * not its copy: createTime has 1 s resolution (cut, not rounded) and our
 * clock and Dhan's may differ by about a second. */
#define SKEW_MS 2000

typedef struct ans {
  const lop_t *op;
  const ct_api_result_t *r;
  const ct_dhan_forever_order_t *found;
  bool leader_fired; /* lookup: the leader's forever order has fired */
  bool became_fired; /* lookup: the record now says the copy fired */
} ans_t;

static void apply_create(ct_forder_t *r, void *ctx) {
  const ans_t *a = ctx;
  r->attempts++;
  if (a->r->err == 0 && a->r->count > 0) {
    const ct_dhan_order_ack_t *ack = a->r->items;
    snprintf(r->order_id, sizeof r->order_id, "%s", ack->order_id);
    r->status = ack->status;
    r->phase = CT_FPHASE_ACKED;
  } else if (ct__legs_refused(a->r)) {
    r->phase = CT_FPHASE_REJECTED;
    snprintf(r->reject_code, sizeof r->reject_code, "%s",
             a->r->dhan.error_code[0] ? a->r->dhan.error_code : "REJECTED");
  } else {
    r->phase = CT_FPHASE_UNKNOWN;
    r->attempts = 0;
  }
}

/* Fired or over: final, so it is neither created again nor modified. */
static bool copy_done(ct_dhan_status_t st) {
  return ct__fev_fired(st) || ct_dhan_status_is_final(st);
}

static void apply_lookup(ct_forder_t *r, void *ctx) {
  ans_t *a = ctx;
  if (a->found != NULL) {
    ct_dhan_status_t st = a->found->status;
    snprintf(r->order_id, sizeof r->order_id, "%s", a->found->order_id);
    r->status = st;
    r->phase = copy_done(st) ? CT_FPHASE_DONE : CT_FPHASE_ACKED;
  } else if (r->order_id[0] && a->leader_fired &&
             ++r->attempts >= CT__FEV_PROBE) {
    /* A copy known by its id, gone from the list after the leader's fired
     * and its delete was refused or in doubt: taken as fired, so the
     * fired order is never copied over a copy that may have executed. */
    r->status = CT_DHAN_STATUS_TRIGGERED;
    r->phase = CT_FPHASE_DONE;
  } else if (!r->order_id[0] || !a->leader_fired) {
    r->attempts++;
  }
  a->became_fired = r->phase == CT_FPHASE_DONE && ct__fev_fired(r->status);
}

static void apply_modify(ct_forder_t *r, void *ctx) {
  const ans_t *a = ctx;
  r->intent = CT_FINTENT_MODIFY;
  r->intent_seq = a->op->fp;
  r->quantity = a->op->qty;
  r->mods_applied++;
}

/* The delete sent because the leader's fired was refused, or its outcome
 * is unknown: look the copy up before anything else. */
static void apply_doubt(ct_forder_t *r, void *ctx) {
  (void)ctx;
  r->phase = CT_FPHASE_UNKNOWN;
  r->attempts = 0;
}

typedef struct claimed {
  const char *pseudo, *order_id;
  bool hit;
} claimed_t;

static int claimed_cb(const ct_forder_t *fo, void *ctx) {
  claimed_t *c = ctx;
  if (strcmp(fo->follower_id, c->pseudo) == 0 &&
      strcmp(fo->order_id, c->order_id) == 0)
    c->hit = true;
  return c->hit ? 1 : 0;
}

/* Whether another forever record of ours already holds `order_id`: all
 * of the follower's, done ones too (a fired copy adopted is DONE). */
static bool is_claimed(legs_t *l, const char *pseudo, const char *order_id) {
  claimed_t c = { pseudo, order_id, false };
  ct_store_txn_t t;
  if (ct_store_txn_begin(l->e->store, false, &t) != 0)
    return true; /* in doubt: do not adopt */
  if (ct_store_each_forder_of_follower(&t, pseudo, claimed_cb, &c) < 0)
    c.hit = true;
  ct_store_txn_abort(&t);
  return c.hit;
}

/* Whether listed order `o` has the attributes of the copy that record `r`
 * of lookup `op` stands for: same security, side, product and flag as the
 * leader's, same quantity, type, price and trigger as the record's. */
static bool same_fields(const ct_dhan_forever_order_t *o, const ct_forder_t *r,
                        const lop_t *op) {
  return strcmp(o->security_id, op->sec) == 0 && o->txn == op->txn &&
         o->product == op->product && ct__legs_is_oco(o) == op->oco &&
         o->quantity == r->quantity && o->order_type == r->order_type &&
         fabs(o->price - r->price) < 1e-6 &&
         fabs(o->trigger_price - r->trigger_price) < 1e-6;
}

/* Whether listed order `o` (no correlation id) is the copy record `r`
 * stands for. With the record's intent time and the order's createTime:
 * created no earlier than the intent less SKEW_MS (an identical order
 * made by hand before it is not ours), waiting (CONFIRM) or fired while
 * we were not looking. Without either time (a record of an older binary
 * or made under distrust, a createTime that does not parse): waiting
 * only, as before intent times were kept. */
static bool same_order(const ct__fslot_t *s, const ct_dhan_forever_order_t *o,
                       const ct_forder_t *r, const lop_t *op) {
  int64_t created;
  if (o->correlation_id[0] != '\0' || !same_fields(o, r, op))
    return false;
  if (r->intent_at_ms == 0)
    return o->status == CT_DHAN_STATUS_CONFIRM;
  if (ct_dhan_time_parse(o->create_time, &created) != 0) {
    ct_log_warn(MOD,
                "follower=%s order=%s createTime=\"%s\" msg=\"forever "
                "order time not understood: matched without it\"",
                s->name, o->order_id, o->create_time);
    return o->status == CT_DHAN_STATUS_CONFIRM;
  }
  if (created + SKEW_MS < (int64_t)r->intent_at_ms) {
    ct_log_info(MOD,
                "follower=%s order=%s created_ms=%lld intent_ms=%llu "
                "msg=\"forever order like the copy but older than its "
                "intent: not adopted\"",
                s->name, o->order_id, (long long)created,
                (unsigned long long)r->intent_at_ms);
    return false;
  }
  return o->status == CT_DHAN_STATUS_CONFIRM || ct__fev_fired(o->status);
}

/* The follower's forever order created for record `corr`: by the order
 * id the record holds, by correlation id; when the list carries none (Dhan's
 * documented list has no correlationId), by its attributes among the orders no
 * other record of ours holds. */
static const ct_dhan_forever_order_t *find_copy(legs_t *l, const char *pseudo,
                                                const lop_t *op,
                                                const ct_api_result_t *r) {
  const ct__fslot_t *s = &l->e->f[op->fi];
  const ct_dhan_forever_order_t *fo = r->items;
  ct_forder_t rec;
  ct_store_txn_t t;
  int rc;
  if (ct_store_txn_begin(l->e->store, false, &t) != 0)
    return NULL;
  rc = ct_store_forder_get(&t, pseudo, op->corr, &rec);
  ct_store_txn_abort(&t);
  for (size_t i = 0; rc == 0 && rec.order_id[0] && i < r->count; i++)
    if (strcmp(fo[i].order_id, rec.order_id) == 0)
      return &fo[i]; /* known already (a delete refused or in doubt) */
  for (size_t i = 0; i < r->count; i++)
    if (strcmp(fo[i].correlation_id, op->corr) == 0)
      return &fo[i];
  if (rc != 0)
    return NULL;
  for (size_t i = 0; i < r->count; i++)
    if (same_order(s, &fo[i], &rec, op) &&
        !is_claimed(l, pseudo, fo[i].order_id))
      return &fo[i];
  return NULL;
}

/* The leader's forever order fired and so did the follower's copy. Its
 * order is the follower's execution, the mirror of the leader's; unless
 * the leader's fired order was ALSO copied as a plain order (recognised
 * too late or not at all): then the follower holds two executions
 * (README, "Forever orders"), said where an operator looks, the log and
 * the follower's last error in `copytrader status`. */
static void copy_fired(legs_t *l, const lop_t *op) {
  ct__fslot_t *s = &l->e->f[op->fi];
  if (!ct__spawn_copied(l->e, s, op->leader)) {
    ct_log_info(MOD,
                "follower=%s order=%s msg=\"forever copy fired with the "
                "leader's: its order is the follower's execution\"",
                s->name, op->leader);
    return;
  }
  ct_log_error(MOD,
               "follower=%s order=%s msg=\"forever copy fired as well: the "
               "leader's fired order was also copied, check for a double "
               "execution\"",
               s->name, op->leader);
  ct__fol_note_error(s,
                     "forever copy of %s fired as well: check for a double "
                     "execution",
                     op->leader);
}

static bool leader_fired(legs_t *l, const char *id) {
  ct__fev_item_t F;
  return ct__fev_get(l->e, id, &F) && ct__fev_fired(F.status);
}

static void on_lookup(legs_t *l, const char *pseudo, ans_t *a) {
  const ct__fslot_t *s = &l->e->f[a->op->fi];
  a->found = find_copy(l, pseudo, a->op, a->r);
  a->leader_fired = leader_fired(l, a->op->leader);
  if (a->found != NULL && copy_done(a->found->status))
    ct_log_warn(MOD,
                "follower=%s order=%s copy=%s status=%s msg=\"forever copy "
                "found fired or over: recorded as done\"",
                s->name, a->op->leader, a->found->order_id,
                ct_dhan_status_str(a->found->status));
  if (ct__legs_update(l, pseudo, a->op->corr, apply_lookup, a) == 0 &&
      a->leader_fired && a->became_fired)
    copy_fired(l, a->op);
  if (a->leader_fired)
    ct__fev_nudge(l->e); /* the fired order waits on this record */
}

/* The delete of a copy whose leader order fired: deleted, the fired order
 * is copied (follower actor, replicator_spawn.c); refused or in doubt, the
 * copy is looked up first (it may have fired: its order is then the
 * follower's execution); not sent, the next poll sends it again. */
static void on_fired_delete(legs_t *l, const char *pseudo, ans_t *a) {
  const ct__fslot_t *s = &l->e->f[a->op->fi];
  const ct_api_result_t *r = a->r;
  if (r->err != 0 && ct__legs_not_sent(r))
    return;
  ct_log_info(MOD, "follower=%s order=%s msg=\"forever copy %s\"", s->name,
              a->op->leader,
              r->err == 0 ? "deleted: the fired order is copied"
                          : "not deleted: looked up");
  ct__legs_update(l, pseudo, a->op->corr,
                  r->err == 0 ? ct__legs_apply_cancelled : apply_doubt, a);
  ct__fev_nudge(l->e);
}

void ct__forever_result(ct_actor_t *self, legs_t *l, const lop_t *op,
                        const ct_api_result_t *r) {
  const ct__fslot_t *s = &l->e->f[op->fi];
  char pseudo[CT_DHAN_CLIENT_SIZE];
  ans_t a = { op, r, NULL, false, false };
  bool ok = r->err == 0 || ct__legs_refused(r);
  (void)self;
  ct__legs_pseudo(s, 'F', pseudo, sizeof pseudo);
  if (r->err != 0)
    ct_log_warn(MOD, "follower=%s order=%s op=%d err=%s code=%s", s->name,
                op->leader, (int)op->kind, ct_strerror(r->err),
                r->dhan.error_code);
  if (op->kind == LOP_FEV_CREATE) {
    const char *oid = r->err == 0 && r->count
                          ? ((const ct_dhan_order_ack_t *)r->items)->order_id
                          : "";
    if (r->sent || r->err == 0)
      ct__metrics_ack(l->e->metrics, s->client_id, op->corr, oid,
                      r->dhan.http_status, ct__now_ns());
    if (r->err == 0 || !ct__legs_not_sent(r))
      ct__legs_update(l, pseudo, op->corr, apply_create, &a);
  } else if (op->kind == LOP_FEV_LOOKUP && r->err == 0) {
    on_lookup(l, pseudo, &a);
  } else if (op->kind == LOP_FEV_MODIFY && ok) {
    ct__legs_update(l, pseudo, op->corr, apply_modify, &a);
  } else if (op->kind == LOP_FEV_DELETE && op->fired) {
    on_fired_delete(l, pseudo, &a);
  } else if (op->kind == LOP_FEV_DELETE && ok) {
    if (r->err != 0)
      ct_log_warn(MOD,
                  "follower=%s order=%s msg=\"forever copy no longer "
                  "active: it may have fired\"",
                  s->name, op->leader);
    ct__legs_update(l, pseudo, op->corr, ct__legs_apply_cancelled, &a);
  }
}
