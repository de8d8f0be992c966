/*
 * replicator_legs.c: the legs actor, for what the order-update socket
 * cannot tell: the exit legs of super orders and the leader's FOREVER
 * orders (GTT, SINGLE and OCO).
 *
 * A super order's exit legs can change (target, stop loss, trail) or be
 * cancelled without any order event, and a forever order is pushed once
 * when created and then only when it triggers. So this actor reconciles:
 * every leader_poll_ms it reads the leader's super-order book (GET
 * /super/orders, when a follower copies super orders) and forever-order
 * list (GET /forever/orders, when one copies forever orders) and, for
 * every follower, compares each leader order with what the store says the
 * follower has (level-triggered, as the follower actor does for plain
 * orders) and acts on the difference:
 *   super   (replicator_super.c) the copy is placed, modified on its
 *           entry leg and cancelled by the follower actor; this actor
 *           modifies and cancels its exit legs;
 *   forever (replicator_forever.c) decide and create (the decision and
 *           the intent in one write transaction BEFORE sending,
 *           deterministic correlation id), modify a leg whose leader
 *           values changed, delete what the leader deleted. A create of
 *           unknown outcome (an intent left by a crash, a timeout) is
 *           resolved by listing the follower's forever orders and matching
 *           the correlation id, never by sending again blindly.
 * One call per copied order is in flight at a time; the next poll goes on
 * from the stored state. Fund limits (the capital of capital-proportional
 * sizing) are read per forever-copying follower at start and every
 * funds_refresh_ms.
 *
 * The plain-order path records the leader's forever order as skipped
 * ("FOREVER_ORDER": never copied as a PLAIN order); this actor keeps its
 * records under pseudo follower ids (replicator_legs.h) so the two paths
 * never meet, except at one point: every forever list read is also
 * published to the follower actors (ct__fev_store, replicator_spawn.c),
 * which hold back the ordinary order a fired leader forever order placed
 * until this actor has deleted the follower's copy (then it is copied)
 * or found that it fired too (then it is the follower's execution, and
 * the leader's is not copied); it wakes them (ct__fev_nudge) after every
 * list and every answer that concerns a fired order. On a brand-new store the
 * first forever list is a baseline, as the order book is: orders that existed
 * before the engine ever ran are recorded as skipped ("PREEXISTING"), and
 * on_ready waits for it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_legs.h"

#define MOD "legs"

/* --- helpers shared with super.c and forever.c --------------------------- */

bool ct__legs_is_oco(const ct_dhan_forever_order_t *fo) {
  return fo->order_flag == CT_DHAN_FLAG_OCO;
}

void ct__legs_apply_cancelled(ct_forder_t *r, void *ctx) {
  (void)ctx;
  r->intent = CT_FINTENT_CANCEL;
  r->status = CT_DHAN_STATUS_CANCELLED;
  r->phase = CT_FPHASE_DONE;
}

const char *ct__legs_pseudo(const ct__fslot_t *s, char kind, char *buf,
                            size_t size) {
  snprintf(buf, size, "%.20s#%c", s->client_id, kind); /* ids: 10 digits */
  return buf;
}

void ct__legs_busy_key(size_t fi, const char *leader, char key[CT__SMAP_KEY]) {
  snprintf(key, CT__SMAP_KEY, "%zu:%.24s", fi, leader);
}

bool ct__legs_busy(const legs_t *l, size_t fi, const char *leader) {
  char key[CT__SMAP_KEY];
  ct__legs_busy_key(fi, leader, key);
  return ct__smap_get(&l->busy, key) != NULL;
}

int ct__legs_track(legs_t *l, uint64_t rid, const lop_t *op) {
  char key[CT__SMAP_KEY];
  lop_t *slot;
  snprintf(key, sizeof key, "%llu", (unsigned long long)rid);
  if ((slot = ct__smap_put(&l->ops, key, NULL)) == NULL)
    return CT_ENOMEM;
  *slot = *op;
  if (op->kind == LOP_FUNDS)
    return 0;
  ct__legs_busy_key(op->fi, op->leader, key);
  return ct__smap_put(&l->busy, key, NULL) ? 0 : CT_ENOMEM;
}

int ct__legs_corr(const char *leader, const ct__fslot_t *s,
                  ct_corrid_kind_t kind, uint32_t idx,
                  char out[CT_DHAN_CORRID_SIZE]) {
  ct_corrid_input_t ci = { .leader_order_id = leader,
                           .follower_id = s->client_id,
                           .kind = kind,
                           .index = idx };
  return ct_corrid_make(&ci, out);
}

uint32_t ct__legs_fp(int64_t qty, double price, double trigger, int type) {
  uint64_t h = 1469598103934665603ull;
  int64_t v[4] = { qty, llround(price * 100), llround(trigger * 100), type };
  const unsigned char *p = (const void *)v;
  for (size_t i = 0; i < sizeof v; i++)
    h = (h ^ p[i]) * 1099511628211ull;
  return (uint32_t)(h ^ (h >> 32));
}

int ct__legs_size(legs_t *l, size_t fi, const ct_sizing_order_t *o,
                  const char *security_id, int64_t orders_today, bool modify,
                  ct_sizing_result_t *r) {
  const ct__fslot_t *s = &l->e->f[fi];
  lfol_t *lf = &l->fol[fi];
  ct_sizing_account_t a = { 0 };
  const ct_instrument_t *in = ct_instruments_find(
      l->e->instr, ct_dhan_segment_str(o->segment), security_id);
  a.follower_capital = lf->capital;
  a.leader_capital = ct__eng_leader_capital(l->e);
  a.orders_today = orders_today;
  a.minute_ist = ct_sizing_ist_minute((int64_t)time(NULL));
  a.reduces_position = o->side == CT_DHAN_TXN_SELL;
  memset(r, 0, sizeof(*r));
  /* No margin check: a forever order holds no funds until it fires, and
   * the order it then places is sized and checked by the follower actor
   * like any other. */
  if (modify)
    return ct_sizing_modify(&s->rules, o, in, &a, NULL, 0, r);
  return ct_sizing_decide(&s->rules, o, in, &a, NULL, r);
}

void ct__legs_skip(legs_t *l, size_t fi, const char *leader, char kind,
                   const char *reason) {
  const ct__fslot_t *s = &l->e->f[fi];
  char pseudo[CT_DHAN_CLIENT_SIZE];
  ct_decision_t d = { 0 };
  ct_store_txn_t t;
  int rc;
  ct__legs_pseudo(s, kind, pseudo, sizeof pseudo);
  snprintf(d.leader_order_id, sizeof d.leader_order_id, "%s", leader);
  snprintf(d.follower_id, sizeof d.follower_id, "%s", pseudo);
  snprintf(d.skip_reason, sizeof d.skip_reason, "%s", reason);
  d.kind = CT_DECISION_SKIP;
  d.decided_at_ms = (uint64_t)time(NULL) * 1000;
  if ((rc = ct_store_txn_begin(l->e->store, true, &t)) == 0)
    rc = ct_store_decision_put(&t, &d);
  rc = rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
  if (rc == 0)
    ct_log_info(MOD, "follower=%s order=%s kind=%c skip=%s", s->name, leader,
                kind, reason);
  else
    ct_log_error(MOD, "follower=%s order=%s msg=\"skip not stored\" err=%s",
                 s->name, leader, ct_strerror(rc));
  ct__metrics_skip(l->e->metrics, s->client_id, leader, reason);
}

int ct__legs_update(legs_t *l, const char *pseudo, const char *corr,
                    ct__legs_fn fn, void *ctx) {
  ct_store_txn_t t;
  ct_forder_t fo;
  int rc = ct_store_txn_begin(l->e->store, true, &t);
  if (rc == 0 && (rc = ct_store_forder_get(&t, pseudo, corr, &fo)) == 0) {
    fn(&fo, ctx);
    fo.updated_at_ms = (uint64_t)time(NULL) * 1000;
    rc = ct_store_forder_put(&t, &fo);
  }
  rc = rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
  if (rc != 0)
    ct_log_error(MOD, "corr=%s msg=\"store update failed\" err=%s", corr,
                 ct_strerror(rc));
  return rc;
}

bool ct__legs_refused(const ct_api_result_t *r) {
  return r->cls == CT_DHAN_BUSINESS_REJECTION || r->cls == CT_DHAN_CONFIG;
}

bool ct__legs_not_sent(const ct_api_result_t *r) {
  return !r->sent || r->cls == CT_DHAN_AUTH || r->cls == CT_DHAN_RATE_LIMITED;
}

/* --- polls ----------------------------------------------------------------*/

static void poll(ct_actor_t *self, legs_t *l) {
  uint64_t to = l->e->opts.call_timeout_ms;
  if (l->e->leader_super && !l->sup_busy &&
      ct_super_list(self, l->e->leader_super, to, &l->sup_rid) == 0)
    l->sup_busy = true;
  if (l->e->leader_forever && !l->fev_busy &&
      ct_forever_list(self, l->e->leader_forever, to, &l->fev_rid) == 0)
    l->fev_busy = true;
}

static void ask_funds(ct_actor_t *self, legs_t *l) {
  for (size_t i = 0; i < l->e->n_f; i++) {
    lop_t op = { .kind = LOP_FUNDS, .fi = i };
    uint64_t rid;
    if (!l->e->f[i].copy_forever_orders || l->fol[i].funds_busy ||
        ct_funds_limit(self, l->e->f[i].funds, l->e->opts.call_timeout_ms,
                       &rid) != 0)
      continue;
    if (ct__legs_track(l, rid, &op) == 0)
      l->fol[i].funds_busy = true;
  }
}

static void on_funds(legs_t *l, const lop_t *op, const ct_api_result_t *r) {
  lfol_t *lf = &l->fol[op->fi];
  const ct_dhan_fund_limit_t *fl = r->items;
  lf->funds_busy = false;
  if (r->err != 0 || r->count == 0)
    return;
  lf->capital = fl->sod_limit > 0 ? fl->sod_limit : fl->available_balance;
  lf->funds_known = true;
}

/* The first forever list of a brand-new store: everything in it
 * predates us. */
static void baseline(legs_t *l, const ct_api_result_t *r) {
  ct_store_txn_t t;
  if (ct_store_txn_begin(l->e->store, true, &t) != 0)
    return;
  for (size_t i = 0; i < r->count; i++)
    ct__forever_baseline(&t, l,
                         &((const ct_dhan_forever_order_t *)r->items)[i]);
  if (ct_store_txn_commit(&t) != 0)
    ct_log_error(MOD, "msg=\"baseline not stored\"");
}

static bool is_leaders(const legs_t *l, const char *client, const char *corr) {
  return !ct_corrid_is_ours(corr) &&
         (client[0] == '\0' || strcmp(client, l->e->leader_id) == 0);
}

static void on_list(ct_actor_t *self, legs_t *l, const ct_api_result_t *r,
                    bool super) {
  bool *seen = super ? &l->sup_seen : &l->fev_seen;
  if (!super) /* before the syncs: a delete they send finds F fired */
    ct__fev_store(l->e, r->err == 0, r->items, r->count);
  if (r->err != 0) {
    ct_log_warn(MOD, "msg=\"%s list failed\" err=%s",
                super ? "super" : "forever", ct_strerror(r->err));
    return;
  }
  if (!*seen && l->e->store_created && !super)
    baseline(l, r); /* super copies are decided by the follower actor */
  if (!*seen) {
    *seen = true;
    if ((l->sup_seen || l->e->leader_super == NULL) &&
        (l->fev_seen || l->e->leader_forever == NULL))
      ct__eng_part_ready(l->e); /* the baseline precedes on_ready */
  }
  for (size_t i = 0; i < r->count; i++) {
    const ct_dhan_super_order_t *so =
        super ? &((const ct_dhan_super_order_t *)r->items)[i] : NULL;
    const ct_dhan_forever_order_t *fo =
        super ? NULL : &((const ct_dhan_forever_order_t *)r->items)[i];
    if (super ? !is_leaders(l, so->client_id, so->correlation_id)
              : !is_leaders(l, fo->client_id, fo->correlation_id))
      continue; /* loop protection */
    for (size_t fi = 0; fi < l->e->n_f; fi++) {
      if (super)
        ct__super_sync(self, l, fi, so);
      else
        ct__forever_sync(self, l, fi, fo);
    }
  }
  if (!super)
    ct__fev_nudge(l->e); /* orders held back: judge them on this list */
}

static void on_result(ct_actor_t *self, legs_t *l, const ct_envelope_t *env) {
  ct_api_result_t r;
  char key[CT__SMAP_KEY];
  lop_t *slot, op;
  if (ct_api_result_read(env, &r) != 0)
    return;
  if (l->sup_busy && env->request_id == l->sup_rid) {
    l->sup_busy = false;
    on_list(self, l, &r, true);
  } else if (l->fev_busy && env->request_id == l->fev_rid) {
    l->fev_busy = false;
    on_list(self, l, &r, false);
  } else {
    snprintf(key, sizeof key, "%llu", (unsigned long long)env->request_id);
    if ((slot = ct__smap_get(&l->ops, key)) != NULL) {
      op = *slot;
      ct__smap_del(&l->ops, key);
      if (op.kind != LOP_FUNDS) {
        ct__legs_busy_key(op.fi, op.leader, key);
        ct__smap_del(&l->busy, key);
      }
      if (op.kind == LOP_FUNDS)
        on_funds(l, &op, &r);
      else if (op.kind <= LOP_SUPER_CANCEL)
        ct__super_result(self, l, &op, &r);
      else
        ct__forever_result(self, l, &op, &r);
    }
  }
  ct_api_result_free(&r);
}

void ct__eng_part_ready(ct_engine_t *e) {
  if (atomic_fetch_add(&e->ready_seen, 1) + 1 == e->ready_need &&
      e->opts.on_ready)
    e->opts.on_ready(e->opts.ctx);
}

/* --- the actor ------------------------------------------------------------ */

static void legs_stop(ct_actor_t *self) {
  legs_t *l = ct_actor_state(self);
  if (l == NULL)
    return;
  ct__smap_close(&l->ops);
  ct__smap_close(&l->busy);
  free(l->fol);
  free(l);
  ct_actor_set_state(self, NULL);
}

static int legs_init(ct_actor_t *self, void *arg) {
  ct_engine_t *e = arg;
  legs_t *l = calloc(1, sizeof(*l));
  uint64_t tid;
  int rc;
  if (l == NULL)
    return CT_ENOMEM;
  l->e = e;
  ct_actor_set_state(self, l);
  if ((l->fol = calloc(e->n_f ? e->n_f : 1, sizeof(*l->fol))) == NULL)
    rc = CT_ENOMEM;
  else if ((rc = ct__smap_init(&l->ops, sizeof(lop_t))) == 0 &&
           (rc = ct__smap_init(&l->busy, 1)) == 0)
    rc = ct_timer_start(self, e->opts.leader_poll_ms, e->opts.leader_poll_ms,
                        CT__ENG_MSG_LEGS_POLL, &tid);
  if (rc == 0)
    rc = ct_timer_start(self, e->opts.funds_refresh_ms,
                        e->opts.funds_refresh_ms, CT__ENG_MSG_FUNDS, &tid);
  if (rc != 0) {
    legs_stop(self);
    return rc;
  }
  ask_funds(self, l);
  poll(self, l);
  return 0;
}

static int legs_receive(ct_actor_t *self, const ct_envelope_t *env) {
  legs_t *l = ct_actor_state(self);
  if (env->type == CT__ENG_MSG_LEGS_POLL)
    poll(self, l);
  else if (env->type == CT__ENG_MSG_FUNDS)
    ask_funds(self, l);
  else if (env->type == CT_MSG_API_RESULT || env->type == CT_MSG_TIMEOUT)
    on_result(self, l, env);
  return 0;
}

static const ct_actor_def_t legs_def = {
  .kind = "legs",
  .init = legs_init,
  .receive = legs_receive,
  .stop = legs_stop,
};

/* The legs actor runs when some follower copies super orders (the core
 * path spawned the leader's super API actor then) or forever orders. It
 * and the leader's forever API actor are background reconciliation: they
 * live on the last worker, away from worker 0, where the order feed, the
 * leader and the HTTP actor carry every event (replicator.c). */
int ct__legs_spawn(ct_engine_t *e) {
  int w = (int)ct_runtime_workers(e->rt) - 1;
  ct_spawn_opts_t so = { .name = "legs", .worker = w };
  bool forever = false;
  int rc = 0;
  for (size_t i = 0; i < e->n_f; i++)
    forever |= e->f[i].copy_forever_orders;
  if (forever)
    rc = ct_api_spawn(e->rt, e->leader_acct, CT_API_FOREVER, w,
                      &e->leader_forever);
  e->ready_need = 1;
  if (rc == 0 && (e->leader_super || e->leader_forever)) {
    e->ready_need = 2;
    rc = ct_spawn(e->rt, &legs_def, e, &so, &e->legs);
  }
  return rc;
}
