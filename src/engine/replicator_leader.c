/*
 * replicator_leader.c: the leader actor. Three feeds, one path:
 *   - the order-update WebSocket (order_feed.h; the lowest latency),
 *   - the postback receiver when configured (postback.h),
 *   - the leader's order book (GET /orders): at start, after every
 *     FEED_UP (events may have been missed while the socket was down) and
 *     every leader_poll_ms.
 * Each event is merged with ct_leader_track() against the last state
 * (kept in memory, loaded from the store on first sight), so every change
 * acts once whichever feed brings it first. A change that matters to
 * followers (NEW, MODIFIED, a final status) is fanned out AT ONCE, one
 * ct_send per follower actor (no follower waits for another), and only
 * then written to the store (push-feed states in a batch FLUSH_MS later,
 * so the leader does not hold LMDB's writer lock while the followers
 * commit their intents): the followers' own intent commits guard
 * exactly-once, the leader's record only serves dedup across restarts (a
 * crash before it is written makes the next start see the order as new,
 * and the followers' stored decisions make that harmless).
 * Reconciliations at start, after FEED_UP and every RECONCILE_EVERY polls
 * fan out every order of the book (level-triggered followers act only on
 * differences). Orders whose correlation id is one of ours, and events of
 * another account, are ignored (loop protection). On a brand-new store the
 * first book is a baseline: the orders already there are recorded for
 * every follower as skipped ("PREEXISTING"), not copied.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/api_calls.h"
#include "copytrader/dhan_json.h"
#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_int.h"

#define MOD             "leader"
#define RECONCILE_EVERY 10
#define FANOUT_CHANGES  (CT_LCHG_NEW | CT_LCHG_MODIFIED | CT_LCHG_FINAL)
#define FLUSH_MS        5 /* push-feed states are stored this much later */

typedef struct lcache {
  ct_leader_state_t st;
  unsigned flags;                  /* CT__LF_* */
  double target, stop_loss, trail; /* super orders, with CT__LF_LEGS */
  uint64_t changed_ns; /* when the last change was applied (monotonic) */
  uint32_t changes;    /* CT_LCHG_* of the last applied change */
} lcache_t;

typedef struct leader {
  ct_engine_t *eng;
  ct__smap_t states; /* order id -> lcache_t */
  uint64_t list_rid, funds_rid;
  uint64_t list_issued_ns; /* when the book poll in flight was asked */
  uint64_t super_rid;
  bool super_busy;
  bool list_busy, list_all, funds_busy;
  bool can_poll;    /* the first funds answer came (capital known or not) */
  ct__smap_t dirty; /* order ids whose state awaits the next flush */
  bool flush_armed;
  bool ready;
  uint64_t polls;
} leader_t;

static int send_state(ct_actor_t *to, const lcache_t *c) {
  ct_msg_t *m = NULL;
  int rc = ct_msg_new(CT__ENG_MSG_LEADER, &m);
  if (rc == 0)
    rc = ct_msg_put_bin(m, &c->st, sizeof(c->st));
  if (rc == 0)
    rc = ct_msg_put_u64(m, c->flags);
  if (rc == 0)
    rc = ct_msg_put_u64(m, ct__now_ns()); /* for the hop time (debug) */
  if (rc == 0)
    rc = ct_msg_put_f64(m, c->target);
  if (rc == 0)
    rc = ct_msg_put_f64(m, c->stop_loss);
  if (rc == 0)
    rc = ct_msg_put_f64(m, c->trail);
  if (rc == 0)
    rc = ct_send(to, m);
  if (rc != 0 && m != NULL)
    ct_msg_free(m);
  return rc;
}

static void fan_out(leader_t *l, const lcache_t *c) {
  ct_engine_t *e = l->eng;
  for (size_t f = 0; f < e->n_f; f++) {
    int rc = send_state(e->f[f].actor, c);
    if (rc != 0)
      ct_log_warn(MOD, "msg=\"fan-out failed\" follower=%s err=%s",
                  e->f[f].name, ct_strerror(rc));
  }
}

static int baseline(ct_store_txn_t *t, ct_engine_t *e,
                    const ct_leader_state_t *st) {
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < e->n_f; i++) {
    ct_decision_t d = { 0 };
    snprintf(d.leader_order_id, sizeof(d.leader_order_id), "%s", st->order_id);
    snprintf(d.follower_id, sizeof(d.follower_id), "%s", e->f[i].client_id);
    snprintf(d.skip_reason, sizeof(d.skip_reason), "PREEXISTING");
    d.kind = CT_DECISION_SKIP;
    d.decided_at_ms = (uint64_t)time(NULL) * 1000;
    rc = ct_store_decision_put(t, &d);
  }
  return rc ? rc : ct_store_decisions_done(t, st->order_id);
}

static unsigned event_flags(const ct_order_event_t *ev) {
  unsigned f = ev->after_market_order ? CT__LF_AMO : 0;
  /* The socket says "Super Order" in Remarks (its LegNo is 1 for plain
   * orders too); the order book names the leg only for super orders. */
  if (ev->super_order ||
      (ev->source == CT_OEV_SRC_REST && ev->leg != CT_DHAN_LEG_NONE))
    f |= CT__LF_SUPER;
  if (ev->forever_order || ev->status == CT_DHAN_STATUS_CONFIRM)
    f |= CT__LF_FOREVER;
  return f;
}

/* The cached state of an order, loaded from the store on first sight. */
static lcache_t *lookup(leader_t *l, ct_store_txn_t *t, const char *id,
                        bool *known) {
  bool created = false;
  lcache_t *c = ct__smap_put(&l->states, id, &created);
  *known = c != NULL && !created;
  if (c != NULL && created) {
    ct_store_txn_t rt;
    ct_store_txn_t *use = t;
    if (use == NULL && ct_store_txn_begin(l->eng->store, false, &rt) == 0)
      use = &rt;
    if (use != NULL && ct_store_leader_get(use, id, &c->st) == 0)
      *known = true;
    if (use == &rt)
      ct_store_txn_abort(&rt);
  }
  return c;
}

/* Merge one event. Returns a negative error, or bits: 1 store the state,
 * 2 fan it out. A book record (snapshot_ns != 0) of an order that a push
 * feed changed after the book was asked for is older than what we have:
 * Dhan's one-second update times cannot tell, so it is not merged. */
static int merge(leader_t *l, ct_store_txn_t *t, const ct_order_event_t *ev,
                 bool all, uint64_t t_ns, uint64_t snapshot_ns,
                 lcache_t **out) {
  ct_engine_t *e = l->eng;
  ct_leader_change_t ch;
  bool known;
  lcache_t *c;
  if (ct_corrid_is_ours(ev->correlation_id) || ev->order_id[0] == '\0' ||
      (ev->client_id[0] && strcmp(ev->client_id, e->leader_id) != 0))
    return 0; /* loop protection: a follower order, or not the leader's */
  if ((c = lookup(l, t, ev->order_id, &known)) == NULL)
    return CT_ENOMEM;
  *out = c;
  c->flags |= event_flags(ev); /* also when the state itself is unchanged */
  if (known && snapshot_ns != 0 && c->changed_ns > snapshot_ns)
    return all ? 2 : 0;
  if (ct_leader_track(known ? &c->st : NULL, ev, &ch) != 0) {
    if (!known)
      ct__smap_del(&l->states, ev->order_id);
    return 0;
  }
  if (ch.verdict != CT_LTRACK_APPLY) {
    if (!known)
      ct__smap_del(&l->states, ev->order_id);
    return all && known ? 2 : 0; /* 2: fan out, nothing to store */
  }
  c->st = ch.next;
  c->changed_ns = t_ns;
  c->changes = ch.changes;
  if (ch.changes & FANOUT_CHANGES) {
    ct__metrics_leader(e->metrics, c->st.order_id, t_ns);
    return 3; /* fan out and store */
  }
  return all ? 3 : 1;
}

static void log_change(const lcache_t *c, int src) {
  if (c->changes & FANOUT_CHANGES)
    ct_log_info(MOD, "order=%s changes=0x%x status=%s qty=%lld src=%d",
                c->st.order_id, c->changes, ct_dhan_status_str(c->st.status),
                (long long)c->st.quantity, src);
}

/* Write every dirty state in one transaction. */
static void flush(leader_t *l) {
  ct_store_txn_t t;
  int rc = 0;
  l->flush_armed = false;
  if (l->dirty.n == 0 || (rc = ct_store_txn_begin(l->eng->store, true, &t)))
    goto out;
  for (size_t b = 0; rc == 0 && b < l->dirty.nb; b++) {
    for (ct__smap_node_t *n = l->dirty.b[b]; rc == 0 && n; n = n->next) {
      const lcache_t *c = ct__smap_get(&l->states, n->key);
      if (c != NULL)
        rc = ct_store_leader_put(&t, &c->st);
    }
  }
  rc = rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
out:
  if (rc != 0)
    ct_log_error(MOD, "msg=\"leader states not stored\" n=%zu err=%s",
                 l->dirty.n, ct_strerror(rc));
  ct__smap_close(&l->dirty);
  ct__smap_init(&l->dirty, 1);
}

/* Super orders: the entry's events do not carry the exit legs' prices,
 * so the leader's super order book (GET /super/orders) is read after every
 * super order change and on every poll; followers decide a super order
 * only once its legs are known. */
static void ask_super(ct_actor_t *self, leader_t *l) {
  if (l->eng->leader_super != NULL && !l->super_busy &&
      ct_super_list(self, l->eng->leader_super, l->eng->opts.call_timeout_ms,
                    &l->super_rid) == 0)
    l->super_busy = true;
}

static bool set_legs(lcache_t *c, const ct_dhan_super_order_t *so) {
  double target = c->target, sl = c->stop_loss, trail = c->trail;
  for (unsigned i = 0; i < so->n_legs && i < CT_DHAN_SUPER_LEGS_MAX; i++) {
    if (so->legs[i].leg == CT_DHAN_LEG_TARGET)
      target = so->legs[i].price;
    if (so->legs[i].leg == CT_DHAN_LEG_STOP_LOSS) {
      sl = so->legs[i].price;
      trail = so->legs[i].trailing_jump;
    }
  }
  if ((c->flags & CT__LF_LEGS) && target == c->target && sl == c->stop_loss &&
      trail == c->trail)
    return false;
  c->target = target;
  c->stop_loss = sl;
  c->trail = trail;
  c->flags |= CT__LF_LEGS | CT__LF_SUPER;
  return true;
}

static void on_super(leader_t *l, const ct_envelope_t *env) {
  ct_api_result_t r;
  l->super_busy = false;
  if (ct_api_result_read(env, &r) != 0)
    return;
  for (size_t i = 0; r.err == 0 && i < r.count; i++) {
    const ct_dhan_super_order_t *so =
        (const ct_dhan_super_order_t *)r.items + i;
    lcache_t *c = ct__smap_get(&l->states, so->order_id);
    if (c != NULL && set_legs(c, so))
      fan_out(l, c); /* the legs are new or changed */
  }
  ct_api_result_free(&r);
}

/* A push-feed event: fan out at once; the state is stored by the next
 * flush (FLUSH_MS later, in a batch), so the leader's write transaction
 * does not hold LMDB's writer lock while the followers commit their
 * intents. Losing it in a crash is harmless (see the top of the file). */
static void on_event(ct_actor_t *self, leader_t *l, const ct_envelope_t *env,
                     uint64_t t_ns) {
  ct_order_event_t ev;
  lcache_t *c = NULL;
  uint64_t tid;
  int rc;
  if (ct_order_feed_event_read(env, &ev, NULL) != 0)
    return;
  atomic_store_explicit(&l->eng->feed_event_ns, t_ns, memory_order_relaxed);
  rc = merge(l, NULL, &ev, false, t_ns, 0, &c);
  if (rc <= 0 || c == NULL)
    return;
  if (rc & 2) {
    fan_out(l, c);
    log_change(c, (int)ev.source);
    if (c->flags & CT__LF_SUPER)
      ask_super(self, l);
  }
  if ((rc & 1) && ct__smap_put(&l->dirty, ev.order_id, NULL) != NULL &&
      !l->flush_armed &&
      ct_timer_start(self, FLUSH_MS, 0, CT__ENG_MSG_LFLUSH, &tid) == 0)
    l->flush_armed = true;
}

/* --- the order book ---------------------------------------------------- */

static int merge_book(leader_t *l, const ct_api_result_t *r, uint64_t t_ns) {
  const ct_dhan_order_t *orders = r->items;
  bool base = !l->ready && l->eng->store_created;
  ct_store_txn_t t;
  int rc = ct_store_txn_begin(l->eng->store, true, &t);
  for (size_t i = 0; rc == 0 && i < r->count; i++) {
    ct_order_event_t ev;
    lcache_t *c = NULL;
    int m;
    ct_order_event_from_order(&orders[i], CT_OEV_SRC_REST, &ev);
    m = merge(l, &t, &ev, l->list_all, t_ns, l->list_issued_ns, &c);
    if (m <= 0) {
      rc = m;
      continue;
    }
    if (!base && (m & 2)) {
      fan_out(l, c);
      if (c->changed_ns == t_ns)
        log_change(c, (int)ev.source);
    }
    if (m & 1)
      rc = ct_store_leader_put(&t, &c->st);
    if (rc == 0 && base && (m & 1))
      rc = baseline(&t, l->eng, &c->st);
  }
  rc = rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
  if (rc != 0) { /* the cache may be ahead of the store: reload it */
    ct__smap_close(&l->states);
    ct__smap_init(&l->states, sizeof(lcache_t));
  }
  return rc;
}

static void on_book(ct_actor_t *self, leader_t *l, const ct_envelope_t *env) {
  ct_api_result_t r;
  int rc = ct_api_result_read(env, &r);
  l->list_busy = false;
  if (rc == 0 && r.err == 0)
    rc = merge_book(l, &r, ct__now_ns());
  else if (rc == 0)
    rc = r.err;
  if (rc == 0 && !l->ready) {
    l->ready = true;
    ct_log_info(MOD, "msg=\"leader feed ready\" orders=%zu", r.count);
    ct__eng_part_ready(l->eng);
  } else if (rc != 0) {
    ct_log_warn(MOD, "msg=\"order book poll failed\" actor=%s err=%s",
                ct_actor_name(self), ct_strerror(rc));
  }
  if (rc == 0 || r.items)
    ct_api_result_free(&r);
}

static void poll(ct_actor_t *self, leader_t *l, bool all) {
  if (l->list_busy || !l->can_poll)
    return;
  l->polls++;
  all = all || !l->ready || l->polls % RECONCILE_EVERY == 0;
  ask_super(self, l);
  if (ct_orders_list(self, l->eng->leader_orders, l->eng->opts.call_timeout_ms,
                     &l->list_rid) == 0) {
    l->list_issued_ns = ct__now_ns();
    l->list_busy = true;
    l->list_all = all;
  }
}

static void ask_funds(ct_actor_t *self, leader_t *l) {
  if (!l->funds_busy &&
      ct_funds_limit(self, l->eng->leader_funds, l->eng->opts.call_timeout_ms,
                     &l->funds_rid) == 0)
    l->funds_busy = true;
}

static void on_funds(ct_actor_t *self, leader_t *l, const ct_envelope_t *env) {
  ct_api_result_t r;
  l->funds_busy = false;
  if (ct_api_result_read(env, &r) != 0)
    return;
  if (r.err == 0 && r.count > 0) {
    const ct_dhan_fund_limit_t *fl = r.items;
    ct__eng_set_leader_capital(
        l->eng, fl->sod_limit > 0 ? fl->sod_limit : fl->available_balance);
  } else {
    ct_log_warn(MOD, "msg=\"leader fund limit not read\" err=%s",
                ct_strerror(r.err));
  }
  ct_api_result_free(&r);
  if (!l->can_poll) {
    l->can_poll = true; /* capital-proportional followers may need it */
    poll(self, l, true);
  }
}

static void on_feed(leader_t *l, ct_actor_t *self, const ct_envelope_t *env) {
  ct_order_feed_status_t st;
  if (ct_order_feed_status_read(env, &st) != 0)
    return;
  ct_log_info(MOD, "msg=\"order feed %s\" err=%s connects=%llu",
              st.up ? "up" : "down", ct_strerror(st.err),
              (unsigned long long)st.connects);
  ct__eng_note_feed(l->eng, st.up, st.connects, st.err, st.reason,
                    st.reason_len);
  if (st.up)
    poll(self, l, true); /* events may have been missed while down */
}

static int leader_init(ct_actor_t *self, void *arg) {
  ct_engine_t *e = arg;
  leader_t *l = calloc(1, sizeof(*l));
  uint64_t tid;
  int rc;
  if (l == NULL)
    return CT_ENOMEM;
  l->eng = e;
  if ((rc = ct__smap_init(&l->states, sizeof(lcache_t))) != 0 ||
      (rc = ct__smap_init(&l->dirty, 1)) != 0) {
    ct__smap_close(&l->states);
    free(l);
    return rc;
  }
  ct_actor_set_state(self, l);
  ask_funds(self, l);
  rc = ct_timer_start(self, e->opts.leader_poll_ms, e->opts.leader_poll_ms,
                      CT__ENG_MSG_LPOLL, &tid);
  if (rc == 0)
    rc = ct_timer_start(self, e->opts.funds_refresh_ms,
                        e->opts.funds_refresh_ms, CT__ENG_MSG_FUNDS, &tid);
  return rc;
}

static int leader_receive(ct_actor_t *self, const ct_envelope_t *env) {
  leader_t *l = ct_actor_state(self);
  uint64_t t_ns = ct__now_ns();
  if (env->type == CT_MSG_ORDER_EVENT)
    on_event(self, l, env, t_ns);
  else if (env->type == CT__ENG_MSG_LFLUSH)
    flush(l);
  else if (env->type == CT_MSG_FEED_UP || env->type == CT_MSG_FEED_DOWN)
    on_feed(l, self, env);
  else if (env->type == CT__ENG_MSG_LPOLL)
    poll(self, l, false);
  else if (env->type == CT__ENG_MSG_FUNDS)
    ask_funds(self, l);
  else if (l->list_busy && env->request_id == l->list_rid)
    on_book(self, l, env);
  else if (l->funds_busy && env->request_id == l->funds_rid)
    on_funds(self, l, env);
  else if (l->super_busy && env->request_id == l->super_rid)
    on_super(l, env);
  return 0;
}

static void leader_stop(ct_actor_t *self) {
  leader_t *l = ct_actor_state(self);
  if (l) {
    flush(l); /* an orderly stop stores what is pending */
    ct__smap_close(&l->dirty);
    ct__smap_close(&l->states);
    free(l);
  }
  ct_actor_set_state(self, NULL);
}

const ct_actor_def_t ct__leader_def = {
  .kind = "leader",
  .init = leader_init,
  .receive = leader_receive,
  .stop = leader_stop,
};
