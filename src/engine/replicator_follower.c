/*
 * replicator_follower.c: the follower actor, one per follower account, and
 * its reaction to leader states. Level-triggered: every leader state it
 * gets (a change, a reconciliation repeat, or a re-run after an answer)
 * is compared with what the store says the follower has, and only the
 * difference is acted on:
 *   no decision yet -> size it (sizing.h) and, in ONE write transaction,
 *                      record the decision, one PLACE intent per slice
 *                      (phase INTENT, deterministic correlation id) and the
 *                      daily count; commit; then send the places;
 *   an intent of an earlier run (INTENT/UNKNOWN, nothing in flight) ->
 *                      look it up by correlation id first (fsync.c);
 *   leader cancelled/expired, follower order open -> cancel;
 *   leader attributes changed (fingerprint in intent_seq) -> modify
 *                      (these two: replicator_fchange.c).
 * A correlation id with a call in flight is left alone; the answer
 * re-runs the leader order, so nothing is lost while waiting.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/api_calls.h"
#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_fol.h"

#define MOD        "follower"
#define MAX_SLICES 64

uint64_t ct__wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint32_t ct__leader_fp(const ct_leader_state_t *st) {
  uint64_t h = 1469598103934665603ull;
  double v[2] = { st->price, st->trigger_price };
  int64_t q = st->quantity;
  int t[2] = { (int)st->order_type, (int)st->validity };
  const unsigned char *parts[3] = { (const void *)v, (const void *)&q,
                                    (const void *)t };
  size_t lens[3] = { sizeof v, sizeof q, sizeof t };
  for (int p = 0; p < 3; p++)
    for (size_t i = 0; i < lens[p]; i++)
      h = (h ^ parts[p][i]) * 1099511628211ull;
  return (uint32_t)(h ^ (h >> 32));
}

/* The fingerprint a follower order mirrors: the leader's attributes and,
 * for a super order, its legs. */
uint32_t ct__fol_fp(const fol_t *f, const ct_leader_state_t *st) {
  const fleader_t *l = ct__smap_get(&f->leaders, st->order_id);
  uint32_t fp = ct__leader_fp(st);
  if (l != NULL && (l->flags & CT__LF_LEGS)) {
    double v[3] = { l->target, l->stop_loss, l->trail };
    const unsigned char *b = (const void *)v;
    for (size_t i = 0; i < sizeof v; i++)
      fp = (fp ^ b[i]) * 16777619u;
  }
  return fp;
}

bool ct__fol_busy(const fol_t *f, const char *corr) {
  return ct__smap_get(&f->busy, corr) != NULL;
}

int ct__fol_track(fol_t *f, uint64_t rid, const fop_t *op) {
  char key[24];
  fop_t *slot;
  uint64_t *b;
  snprintf(key, sizeof key, "%llu", (unsigned long long)rid);
  slot = ct__smap_put(&f->ops, key, NULL);
  b = ct__smap_put(&f->busy, op->corr, NULL);
  if (slot == NULL || b == NULL)
    return CT_ENOMEM;
  *slot = *op;
  *b = rid;
  return 0;
}

uint64_t ct__fol_timeout_ms(const fol_t *f) {
  return f->e->opts.call_timeout_ms;
}

/* --- PLACE --------------------------------------------------------------- */

static void place_req(const fleader_t *l, const ct_forder_t *fo,
                      ct_dhan_place_req_t *p) {
  const ct_leader_state_t *st = &l->st;
  memset(p, 0, sizeof(*p));
  snprintf(p->o.correlation_id, sizeof p->o.correlation_id, "%s",
           fo->correlation_id);
  snprintf(p->o.security_id, sizeof p->o.security_id, "%s", st->security_id);
  p->o.txn = st->txn;
  p->o.segment = st->segment;
  p->o.product = st->product;
  p->o.order_type = st->order_type;
  p->o.validity =
      st->validity ? st->validity : CT_DHAN_VALIDITY_DAY; /* Dhan's default */
  p->o.quantity = fo->quantity;
  if (st->order_type == CT_DHAN_OTYPE_LIMIT ||
      st->order_type == CT_DHAN_OTYPE_STOP_LOSS)
    p->o.price = st->price;
  if (st->order_type == CT_DHAN_OTYPE_STOP_LOSS ||
      st->order_type == CT_DHAN_OTYPE_STOP_LOSS_MARKET)
    p->o.trigger_price = st->trigger_price;
  p->after_market_order = (l->flags & CT__LF_AMO) != 0;
  if (p->after_market_order)
    p->amo_time = CT_DHAN_AMO_OPEN;
}

void ct__fol_place(ct_actor_t *self, fol_t *f, const ct_forder_t *fo) {
  fleader_t *l = ct__smap_get(&f->leaders, fo->leader_order_id);
  fleader_t tmp = { 0 };
  ct_dhan_place_req_t p;
  fop_t op = { .kind = OP_PLACE };
  uint64_t rid;
  int rc;
  if (l == NULL) { /* after a restart: the stored leader state */
    ct_store_txn_t t;
    if (ct_store_txn_begin(f->e->store, false, &t) != 0)
      return;
    rc = ct_store_leader_get(&t, fo->leader_order_id, &tmp.st);
    ct_store_txn_abort(&t);
    if (rc != 0)
      return;
    l = &tmp;
  }
  if (fo->part == CT_CORRID_SUPER_LEG && !(l->flags & CT__LF_LEGS))
    return; /* the legs come with the leader's super book: a later sweep */
  place_req(l, fo, &p);
  if (fo->part == CT_CORRID_SUPER_LEG) {
    ct_dhan_super_req_t sr = { .o = p.o,
                               .target_price = l->target,
                               .stop_loss_price = l->stop_loss,
                               .trailing_jump = l->trail };
    rc = f->s->super ? ct_super_place(self, f->s->super, &sr,
                                      ct__fol_timeout_ms(f), &rid)
                     : CT_ESTATE;
  } else {
    rc = ct_orders_place(self, f->s->orders, &p, ct__fol_timeout_ms(f), &rid);
  }
  if (rc != 0) {
    ct_log_warn(MOD, "follower=%s corr=%s msg=\"place not sent\" err=%s",
                f->s->name, fo->correlation_id, ct_strerror(rc));
    return;
  }
  ct__metrics_sent(f->e->metrics, f->s->client_id, fo->correlation_id,
                   fo->leader_order_id, ct__now_ns());
  snprintf(op.corr, sizeof op.corr, "%s", fo->correlation_id);
  snprintf(op.leader, sizeof op.leader, "%s", fo->leader_order_id);
  ct__fol_track(f, rid, &op);
}

void ct__fol_lookup(ct_actor_t *self, fol_t *f, const ct_forder_t *fo) {
  fop_t op = { .kind = OP_LOOKUP };
  uint64_t rid;
  if (ct_orders_get_by_corr(self, f->s->orders, fo->correlation_id,
                            ct__fol_timeout_ms(f), &rid) != 0)
    return;
  snprintf(op.corr, sizeof op.corr, "%s", fo->correlation_id);
  snprintf(op.leader, sizeof op.leader, "%s", fo->leader_order_id);
  ct__fol_track(f, rid, &op);
}

/* --- the decision -------------------------------------------------------- */

void ct__fol_sizing_inputs(const fol_t *f, const ct_leader_state_t *st,
                           ct_sizing_order_t *o, ct_sizing_account_t *a,
                           int64_t orders_today) {
  time_t now = time(NULL);
  memset(o, 0, sizeof(*o));
  memset(a, 0, sizeof(*a));
  o->segment = st->segment;
  o->side = st->txn;
  o->product = st->product;
  o->type = st->order_type;
  o->quantity = st->quantity;
  o->price = st->price;
  o->trigger_price = st->trigger_price;
  a->follower_capital = f->capital;
  a->leader_capital = ct__eng_leader_capital(f->e);
  a->orders_today = orders_today;
  a->minute_ist = ct_sizing_ist_minute((int64_t)now);
  /* The cash rule (a sell reduces a position); decide() asks
   * ct__fol_margin_inputs() for derivatives. */
  a->reduces_position = st->txn == CT_DHAN_TXN_SELL;
}

const ct_instrument_t *ct__fol_instrument(const fol_t *f,
                                          const ct_leader_state_t *st) {
  return ct_instruments_find(f->e->instr, ct_dhan_segment_str(st->segment),
                             st->security_id);
}

bool ct__fol_presize(const fol_t *f, const ct_leader_state_t *st,
                     int64_t *qty) {
  ct_sizing_order_t o;
  ct_sizing_account_t a;
  ct_sizing_result_t r;
  ct__fol_sizing_inputs(f, st, &o, &a, 0);
  if (ct_sizing_decide(&f->s->rules, &o, ct__fol_instrument(f, st), &a, NULL,
                       &r) != 0 ||
      r.skip != CT_SKIP_NONE)
    return false;
  *qty = r.qty;
  return true;
}

/* Why a leader order in this state is not copied at all ("" = copy).
 * Super and forever orders are not copied yet (their legs and triggers
 * need their own calls): a super entry copied as a plain order would
 * leave the follower without its exits, a forever order copied as a plain
 * order would execute at once. */
static const char *leader_skip(const fol_t *f, const ct_leader_state_t *st,
                               unsigned flags) {
  if (st->status == CT_DHAN_STATUS_REJECTED)
    return "LEADER_REJECTED";
  if ((st->status == CT_DHAN_STATUS_CANCELLED ||
       st->status == CT_DHAN_STATUS_EXPIRED) &&
      st->traded_qty == 0)
    return "LEADER_CANCELLED";
  /* A GoodTillDaysDate on another status than CONFIRM or TRIGGERED (the
   * forever order itself) may mark the ordinary order a forever order
   * placed when it fired: ct__spawn_verdict() judges it, when a forever
   * list is kept (some follower copies forever orders). */
  if (st->status == CT_DHAN_STATUS_CONFIRM ||
      ((flags & CT__LF_FOREVER) && (f->e->leader_forever == NULL ||
                                    st->status == CT_DHAN_STATUS_TRIGGERED)))
    return "FOREVER_ORDER";
  if ((flags & CT__LF_SUPER) && !f->s->copy_super_orders)
    return "SUPER_NOT_COPIED";
  if (st->leg_no > 1)
    return "SUPER_LEG"; /* exit legs of a super order */
  return "";
}

static void fill_decision(const fol_t *f, const ct_leader_state_t *st,
                          const ct_instrument_t *in,
                          const ct_sizing_result_t *r, const char *skip,
                          ct_decision_t *d) {
  memset(d, 0, sizeof(*d));
  snprintf(d->leader_order_id, sizeof d->leader_order_id, "%s", st->order_id);
  snprintf(d->follower_id, sizeof d->follower_id, "%s", f->s->client_id);
  snprintf(d->rule, sizeof d->rule, "%s",
           ct_sizing_mode_str(f->s->rules.mode)
               ? ct_sizing_mode_str(f->s->rules.mode)
               : "none");
  d->kind = skip[0] ? CT_DECISION_SKIP : CT_DECISION_SEND;
  snprintf(d->skip_reason, sizeof d->skip_reason, "%s", skip);
  d->slices = skip[0] ? 0 : (uint32_t)r->slices;
  d->qty = skip[0] ? 0 : r->qty;
  d->leader_qty = st->quantity;
  d->lot_size = in ? in->lot_size : 0;
  d->max_qty = f->s->rules.max_qty;
  d->multiplier = f->s->rules.value;
  d->decided_at_ms = ct__wall_ms();
}

static int make_intent(const fol_t *f, const ct_leader_state_t *st,
                       const ct_sizing_result_t *r, int64_t i, bool super,
                       ct_forder_t *fo) {
  ct_corrid_input_t ci = { .leader_order_id = st->order_id,
                           .follower_id = f->s->client_id,
                           .kind = super           ? CT_CORRID_SUPER_LEG
                                   : r->slices > 1 ? CT_CORRID_SLICE
                                                   : CT_CORRID_ORDER,
                           .index = super ? 1 : (uint32_t)i };
  memset(fo, 0, sizeof(*fo));
  snprintf(fo->follower_id, sizeof fo->follower_id, "%s", f->s->client_id);
  snprintf(fo->leader_order_id, sizeof fo->leader_order_id, "%s", st->order_id);
  fo->part = ci.kind;
  fo->part_index = (uint32_t)i;
  fo->intent = CT_FINTENT_PLACE;
  fo->intent_seq = ct__fol_fp(f, st);
  fo->phase = CT_FPHASE_INTENT;
  fo->order_type = st->order_type;
  fo->quantity = ct_sizing_slice_at(r, i);
  fo->price = st->price;
  fo->trigger_price = st->trigger_price;
  fo->updated_at_ms = ct__wall_ms();
  return ct_corrid_make(&ci, fo->correlation_id);
}

/* Decide in the write transaction `t`; the intents go to out[]. They are
 * new records: an intent is only ever stored with its decision, in one
 * transaction, and the caller found no decision in `t`. */
static int decide(fol_t *f, ct_store_txn_t *t, const ct_leader_state_t *st,
                  const char *force, ct_forder_t *out, int64_t *n_out,
                  ct_decision_t *d) {
  const ct_instrument_t *in = ct__fol_instrument(f, st);
  const fleader_t *l = ct__smap_get(&f->leaders, st->order_id);
  unsigned flags = l ? l->flags : 0;
  const char *skip = force ? force : leader_skip(f, st, flags);
  ct_sizing_result_t r = { 0 };
  ct_sizing_order_t o;
  ct_sizing_account_t a;
  int32_t date = ct_ist_date((int64_t)time(NULL));
  int64_t today = 0;
  int rc = ct_store_orders_today(t, f->s->client_id, date, &today);
  *n_out = 0;
  if (rc == 0 && skip[0] == '\0') {
    ct__fol_sizing_inputs(f, st, &o, &a, today);
    ct__fol_margin_inputs(f, t, st, &a);
    rc = ct_sizing_decide(&f->s->rules, &o, in, &a,
                          f->funds_known ? &f->ledger : NULL, &r);
    if (rc == 0 && r.skip != CT_SKIP_NONE)
      skip = ct_skip_reason_str(r.skip);
    else if (rc == 0 && r.slices > MAX_SLICES)
      skip = "TOO_MANY_SLICES";
    else if (rc == 0 && r.slices > 1 && (flags & CT__LF_SUPER))
      skip = "SUPER_SLICED"; /* a super order cannot be sliced */
  }
  if (rc != 0)
    return rc;
  fill_decision(f, st, in, &r, skip, d);
  if (d->kind == CT_DECISION_SEND && f->spawn_of[0] != '\0')
    snprintf(d->skip_reason, sizeof d->skip_reason, "SPAWN_OF:%.20s",
             f->spawn_of);
  rc = ct_store_decision_put(t, d);
  for (int64_t i = 0; rc == 0 && d->kind == CT_DECISION_SEND && i < r.slices;
       i++) {
    if ((rc = make_intent(f, st, &r, i, (flags & CT__LF_SUPER) != 0,
                          &out[i])) == 0)
      rc = ct__fol_forder_put(f, t, NULL, &out[i]); /* new: see above */
  }
  if (rc == 0 && d->kind == CT_DECISION_SEND) {
    *n_out = r.slices;
    rc = ct_store_orders_today_add(t, f->s->client_id, date, r.slices, NULL);
  }
  if (rc != 0 && d->kind == CT_DECISION_SEND)
    ct_funds_ledger_release(&f->ledger, r.margin_paise);
  return rc;
}

/* Decide and send; `force` non-NULL records that skip reason instead. */
static void decide_and_send(ct_actor_t *self, fol_t *f,
                            const ct_leader_state_t *st, const char *force) {
  ct_forder_t fo[MAX_SLICES];
  ct_decision_t d;
  int64_t n = 0;
  fleader_t *l;
  ct_store_txn_t t;
  uint64_t t0 = ct__now_ns(), t1 = 0;
  int rc = ct_store_txn_begin(f->e->store, true, &t);
  if (rc == 0) {
    rc = ct_store_decision_get(&t, st->order_id, f->s->client_id, &d);
    if (rc == CT_ENOTFOUND)
      rc = decide(f, &t, st, force, fo, &n, &d);
    else
      n = -1; /* decided meanwhile (cannot happen: one actor) */
  }
  t1 = ct__now_ns();
  rc = rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
  ct__fol_pos_done(f, rc);
  ct_log_debug(MOD, "follower=%s order=%s decide_us=%.1f commit_us=%.1f",
               f->s->name, st->order_id, (double)(t1 - t0) / 1e3,
               (double)(ct__now_ns() - t1) / 1e3);
  if (rc != 0) {
    ct_log_error(MOD, "follower=%s order=%s msg=\"decision not stored\" err=%s",
                 f->s->name, st->order_id, ct_strerror(rc));
    return;
  }
  if (d.kind == CT_DECISION_SKIP && n == 0) {
    ct_log_info(MOD, "follower=%s order=%s skip=%s", f->s->name, st->order_id,
                d.skip_reason);
    ct__metrics_skip(f->e->metrics, f->s->client_id, st->order_id,
                     d.skip_reason);
  }
  if (n > 0 && (l = ct__smap_get(&f->leaders, st->order_id)) != NULL)
    l->mods_out = l->mods; /* the places mirror the latest state */
  for (int64_t i = 0; i < n; i++) {
    if (f->e->distrust)
      ct__fol_lookup(self, f, &fo[i]); /* the store may have lost a send */
    else
      ct__fol_place(self, f, &fo[i]);
  }
}

typedef struct collect {
  const char *follower;
  ct_forder_t *fo;
  size_t n, cap;
} collect_t;

static int collect_cb(const ct_forder_t *fo, void *ctx) {
  collect_t *c = ctx;
  if (strcmp(fo->follower_id, c->follower) == 0 && c->n < c->cap)
    c->fo[c->n++] = *fo;
  return 0;
}

/* Keep the newest state, and what the events add to it, in the cache. */
static void remember(fleader_t *l, const ct_leader_state_t *st,
                     const fleader_t *x) {
  if (l->st.version <= st->version) {
    if (l->st.order_id[0] && ct__leader_fp(&l->st) != ct__leader_fp(st))
      l->mods++;
    l->st = *st;
  }
  if (x == NULL || x == l)
    return;
  l->flags |= x->flags;
  if (x->flags & CT__LF_LEGS) {
    l->target = x->target;
    l->stop_loss = x->stop_loss;
    l->trail = x->trail;
  }
}

/* A super order is decided only once its legs are known (they come with
 * a later state from the leader's super order book). */
static bool waits_for_legs(const fol_t *f, const fleader_t *l,
                           const ct_leader_state_t *st) {
  return l != NULL && (l->flags & CT__LF_SUPER) && !(l->flags & CT__LF_LEGS) &&
         f->s->copy_super_orders && !ct_dhan_status_is_final(st->status);
}

/* Nothing left to do for this leader order: it is final and every
 * follower order of it is closed with no call in flight. Its cache entry
 * then goes (a later state or ct__fol_again() reads the store), so the
 * cache holds the open orders, not every order of the day. */
static bool settled(const fol_t *f, const fleader_t *l, const ct_forder_t *fo,
                    size_t n) {
  if (!ct_dhan_status_is_final(l->st.status))
    return false;
  for (size_t i = 0; i < n; i++)
    if (ct__fol_open(&fo[i]) || fo[i].phase == CT_FPHASE_INTENT ||
        fo[i].phase == CT_FPHASE_UNKNOWN ||
        ct__fol_busy(f, fo[i].correlation_id))
      return false;
  return true;
}

/* A leader order with no decision yet. Paused: an open one waits for the
 * resume; a finished one is recorded as skipped (it must not be copied
 * late). A possible spawn of a forever order may wait too, or be skipped
 * (replicator_spawn.c). */
static void undecided(ct_actor_t *self, fol_t *f, const fleader_t *l,
                      const ct_leader_state_t *st) {
  const char *sp = "";
  if (waits_for_legs(f, l, st))
    return;
  if (atomic_load(&f->s->paused)) {
    if (ct_dhan_status_is_final(st->status))
      decide_and_send(self, f, st, "PAUSED");
    return;
  }
  if (leader_skip(f, st, l ? l->flags : 0)[0] == '\0') {
    if ((sp = ct__spawn_verdict(f, st, l ? l->flags : 0)) == NULL)
      return; /* judged again on the sweep or the legs actor's nudge */
    if (sp[0] == '\0' && ct__fol_margin_wait(self, f, st)) {
      f->spawn_of[0] = '\0';
      return; /* the calculator's answer re-runs this order */
    }
  }
  decide_and_send(self, f, st, sp[0] ? sp : NULL);
  f->spawn_of[0] = '\0';
}

void ct__fol_on_state(ct_actor_t *self, fol_t *f, const ct_leader_state_t *st,
                      const fleader_t *x) {
  fleader_t *l = ct__smap_put(&f->leaders, st->order_id, NULL);
  ct_forder_t fo[MAX_SLICES];
  collect_t c = { f->s->client_id, fo, 0, MAX_SLICES };
  ct_decision_t d;
  ct_store_txn_t t;
  int rc;
  if (l != NULL)
    remember(l, st, x);
  if (ct_store_txn_begin(f->e->store, false, &t) != 0)
    return;
  rc = ct_store_decision_get(&t, st->order_id, f->s->client_id, &d);
  if (rc == 0 && d.kind == CT_DECISION_SEND)
    ct_store_each_forder_of(&t, st->order_id, f->s->client_id, collect_cb, &c);
  ct_store_txn_abort(&t);
  if (rc == CT_ENOTFOUND) {
    undecided(self, f, l, st);
    return;
  }
  if (rc == 0)
    ct__spawn_done(f, st->order_id);
  for (size_t i = 0; i < c.n; i++)
    ct__fol_act_on(self, f, l ? &l->st : st, &fo[i]);
  if (rc == 0 && l != NULL && settled(f, l, fo, c.n))
    ct__smap_del(&f->leaders, st->order_id);
}

bool ct__fol_act_cached(ct_actor_t *self, fol_t *f, const ct_forder_t *fo) {
  const fleader_t *l = ct__smap_get(&f->leaders, fo->leader_order_id);
  ct_leader_state_t st;
  if (l == NULL)
    return false;
  st = l->st; /* act_on may grow other maps, never this one: a copy */
  ct__fol_act_on(self, f, &st, fo);
  return true;
}

void ct__fol_again(ct_actor_t *self, fol_t *f, const char *leader_id) {
  fleader_t *l = ct__smap_get(&f->leaders, leader_id);
  ct_leader_state_t st;
  ct_store_txn_t t;
  int rc;
  if (l != NULL) {
    st = l->st;
    ct__fol_on_state(self, f, &st, l);
    return;
  }
  if (ct_store_txn_begin(f->e->store, false, &t) != 0)
    return;
  rc = ct_store_leader_get(&t, leader_id, &st);
  ct_store_txn_abort(&t);
  if (rc == 0)
    ct__fol_on_state(self, f, &st, NULL);
}

/* --- the actor ------------------------------------------------------------ */

static void fol_stop(ct_actor_t *self);

/* A follower's own phase (FNV-1a of its client id): the followers' sweeps
 * and book polls are spread over the period instead of all running in
 * the same instant (where a leader event would wait behind all of them). */
static uint64_t phase_of(const char *client_id) {
  uint64_t h = 1469598103934665603ull;
  for (const unsigned char *p = (const void *)client_id; *p; p++)
    h = (h ^ *p) * 1099511628211ull;
  return h ^ (h >> 29);
}

static int fol_init(ct_actor_t *self, void *arg) {
  ct__fslot_t *s = arg;
  fol_t *f = calloc(1, sizeof(*f));
  uint64_t tid, poll, h;
  int rc;
  if (f == NULL)
    return CT_ENOMEM;
  f->s = s;
  f->e = s->eng;
  ct_actor_set_state(self, f);
  poll = f->e->opts.follower_poll_ms;
  h = phase_of(s->client_id);
  f->ticks = (h >> 32) % CT__BOOK_EVERY; /* which sweeps poll the book */
  if ((rc = ct__smap_init(&f->ops, sizeof(fop_t))) == 0 &&
      (rc = ct__smap_init(&f->busy, sizeof(uint64_t))) == 0 &&
      (rc = ct__smap_init(&f->leaders, sizeof(fleader_t))) == 0 &&
      (rc = ct__smap_init(&f->settled, sizeof(int64_t))) == 0 &&
      (rc = ct__smap_init(&f->mwait, sizeof(fmwait_t))) == 0 &&
      (rc = ct__smap_init(&f->spwait, sizeof(uint64_t))) == 0 &&
      (rc = ct__fol_pos_open(f)) == 0)
    rc = ct_timer_start(self, 1 + h % poll, poll, CT__ENG_MSG_FPOLL, &tid);
  if (rc == 0)
    rc = ct_timer_start(self, f->e->opts.funds_refresh_ms,
                        f->e->opts.funds_refresh_ms, CT__ENG_MSG_FUNDS, &tid);
  if (rc != 0) {
    fol_stop(self); /* a failed init gets no stop() from the runtime */
    return rc;
  }
  ct__fol_funds(self, f);
  return 0;
}

static int fol_receive(ct_actor_t *self, const ct_envelope_t *env) {
  fol_t *f = ct_actor_state(self);
  ct_reader_t r;
  const void *p;
  size_t n;
  uint64_t flags = 0;
  switch (env->type) {
  case CT__ENG_MSG_LEADER:
    ct_reader_init(&r, env);
    if (ct_read_bin(&r, &p, &n) == 0 && n == sizeof(ct_leader_state_t)) {
      ct_leader_state_t st;
      memcpy(&st, p, sizeof st);
      fleader_t x = { 0 };
      uint64_t sent_ns = 0;
      (void)ct_read_u64(&r, &flags);
      (void)ct_read_u64(&r, &sent_ns);
      (void)ct_read_f64(&r, &x.target);
      (void)ct_read_f64(&r, &x.stop_loss);
      (void)ct_read_f64(&r, &x.trail);
      x.flags = (unsigned)flags;
      ct_log_debug(MOD, "follower=%s order=%s hop_us=%.1f", f->s->name,
                   st.order_id, (double)(ct__now_ns() - sent_ns) / 1e3);
      ct__fol_on_state(self, f, &st, &x);
    }
    ct_reader_close(&r);
    break;
  case CT__ENG_MSG_FPOLL:
    ct__fol_tick(self, f);
    break;
  case CT__ENG_MSG_FUNDS:
    ct__fol_funds(self, f);
    break;
  case CT__ENG_MSG_RESUME:
    ct__fol_resume(self, f);
    break;
  case CT__ENG_MSG_SPAWN:
    ct__spawn_again(self, f);
    break;
  case CT_MSG_API_RESULT:
  case CT_MSG_TIMEOUT:
    ct__fol_on_result(self, f, env);
    break;
  default:
    break;
  }
  return 0;
}

static void fol_stop(ct_actor_t *self) {
  fol_t *f = ct_actor_state(self);
  if (f == NULL)
    return;
  ct__smap_close(&f->ops);
  ct__smap_close(&f->busy);
  ct__smap_close(&f->leaders);
  ct__smap_close(&f->settled);
  ct__smap_close(&f->mwait);
  ct__spawn_close(f);
  ct__fol_pos_close(f);
  free(f->sweep);
  free(f);
  ct_actor_set_state(self, NULL);
}

const ct_actor_def_t ct__follower_def = {
  .kind = "follower",
  .init = fol_init,
  .receive = fol_receive,
  .stop = fol_stop,
};
