/*
 * replicator_leader.c: the leader actor. Its first feed is the leader's
 * order book (GET /orders through the leader's orders API actor, every
 * leader_poll_ms). Each record becomes a ct_order_event_t, is merged with
 * ct_leader_track() against the stored state, and every APPLY is written in
 * one write transaction per poll; only after the commit are the changed
 * states fanned out, one ct_send per follower actor, so no follower waits
 * for another. The first poll after start fans out the whole book
 * (recovery), and so does every 20th poll (periodic reconciliation); the
 * followers' level-triggered logic makes repeats harmless. On a brand-new
 * store the first poll is a baseline: every follower gets a SKIP decision
 * ("PREEXISTING") for the orders already there.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/api_calls.h"
#include "copytrader/dhan_json.h"
#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_int.h"

#define MOD            "leader"
#define RECONCILE_EVERY 20

typedef struct leader {
  ct_engine_t *eng;
  uint64_t list_rid;
  bool list_busy;
  bool ready;
  uint64_t polls;
  ct_leader_state_t *out; /* states to fan out after the commit */
  size_t n_out, cap_out;
} leader_t;

static int push_out(leader_t *l, const ct_leader_state_t *st) {
  if (l->n_out == l->cap_out) {
    size_t cap = l->cap_out ? l->cap_out * 2 : 64;
    ct_leader_state_t *p = realloc(l->out, cap * sizeof(*p));
    if (p == NULL)
      return CT_ENOMEM;
    l->out = p;
    l->cap_out = cap;
  }
  l->out[l->n_out++] = *st;
  return 0;
}

static int baseline(ct_store_txn_t *t, ct_engine_t *e,
                    const ct_leader_state_t *st) {
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < e->n_f; i++) {
    ct_decision_t d = {0};
    snprintf(d.leader_order_id, sizeof(d.leader_order_id), "%s", st->order_id);
    snprintf(d.follower_id, sizeof(d.follower_id), "%s", e->f[i].client_id);
    snprintf(d.skip_reason, sizeof(d.skip_reason), "PREEXISTING");
    d.kind = CT_DECISION_SKIP;
    d.decided_at_ms = (uint64_t)time(NULL) * 1000;
    rc = ct_store_decision_put(t, &d);
  }
  return rc ? rc : ct_store_decisions_done(t, st->order_id);
}

/* Merge one book record; queue it for fan-out when changed (or always). */
static int merge_one(leader_t *l, ct_store_txn_t *t, const ct_dhan_order_t *o,
                     bool all, bool base) {
  ct_order_event_t ev;
  ct_leader_state_t prev;
  ct_leader_change_t ch;
  int rc;
  if (ct_corrid_is_ours(o->correlation_id) || o->order_id[0] == '\0')
    return 0; /* loop protection: one of our follower orders */
  ct_order_event_from_order(o, CT_OEV_SRC_REST, &ev);
  rc = ct_store_leader_get(t, o->order_id, &prev);
  if (rc != 0 && rc != CT_ENOTFOUND)
    return rc;
  if ((rc = ct_leader_track(rc == 0 ? &prev : NULL, &ev, &ch)) != 0)
    return rc;
  if (ch.verdict == CT_LTRACK_APPLY) {
    if ((rc = ct_store_leader_put(t, &ch.next)) != 0)
      return rc;
    if (base)
      return baseline(t, l->eng, &ch.next);
    if (ch.changes)
      ct_log_info(MOD, "order=%s changes=0x%x status=%s qty=%lld",
                  ch.next.order_id, ch.changes,
                  ct_dhan_status_str(ch.next.status),
                  (long long)ch.next.quantity);
    return push_out(l, &ch.next);
  }
  return all && !base ? push_out(l, &ch.next) : 0;
}

static void fan_out(leader_t *l) {
  ct_engine_t *e = l->eng;
  for (size_t i = 0; i < l->n_out; i++) {
    for (size_t f = 0; f < e->n_f; f++) {
      int rc = ct__eng_send_state(e->f[f].actor, &l->out[i]);
      if (rc != 0)
        ct_log_warn(MOD, "msg=\"fan-out failed\" follower=%s err=%s",
                    e->f[f].name, ct_strerror(rc));
    }
  }
  l->n_out = 0;
}

static int merge_book(leader_t *l, const ct_api_result_t *r) {
  const ct_dhan_order_t *orders = r->items;
  bool all = !l->ready || l->polls % RECONCILE_EVERY == 0;
  bool base = !l->ready && l->eng->store_created;
  ct_store_txn_t t;
  int rc = ct_store_txn_begin(l->eng->store, true, &t);
  for (size_t i = 0; rc == 0 && i < r->count; i++)
    rc = merge_one(l, &t, &orders[i], all, base);
  if (rc == 0)
    rc = ct_store_txn_commit(&t);
  else
    ct_store_txn_abort(&t);
  if (rc != 0) {
    l->n_out = 0; /* nothing was stored: the next poll sees it again */
    return rc;
  }
  fan_out(l);
  return 0;
}

static void on_book(ct_actor_t *self, leader_t *l, const ct_envelope_t *env) {
  ct_api_result_t r;
  int rc = ct_api_result_read(env, &r);
  l->list_busy = false;
  if (rc == 0 && r.err == 0)
    rc = merge_book(l, &r);
  else if (rc == 0)
    rc = r.err;
  if (rc == 0 && !l->ready) {
    l->ready = true;
    ct_log_info(MOD, "msg=\"leader feed ready\" orders=%zu", r.count);
    if (l->eng->opts.on_ready)
      l->eng->opts.on_ready(l->eng->opts.ctx);
  } else if (rc != 0) {
    ct_log_warn(MOD, "msg=\"order book poll failed\" actor=%s err=%s",
                ct_actor_name(self), ct_strerror(rc));
  }
  if (rc == 0 || r.items)
    ct_api_result_free(&r);
}

static void poll(ct_actor_t *self, leader_t *l) {
  int rc;
  if (l->list_busy)
    return;
  rc = ct_orders_list(self, l->eng->leader_orders, l->eng->opts.call_timeout_ms,
                      &l->list_rid);
  if (rc == 0) {
    l->list_busy = true;
    l->polls++;
  }
}

static int leader_init(ct_actor_t *self, void *arg) {
  ct_engine_t *e = arg;
  leader_t *l = calloc(1, sizeof(*l));
  uint64_t tid;
  if (l == NULL)
    return CT_ENOMEM;
  l->eng = e;
  ct_actor_set_state(self, l);
  return ct_timer_start(self, 1, e->opts.leader_poll_ms, CT__ENG_MSG_LPOLL,
                        &tid);
}

static int leader_receive(ct_actor_t *self, const ct_envelope_t *env) {
  leader_t *l = ct_actor_state(self);
  if (env->type == CT__ENG_MSG_LPOLL)
    poll(self, l);
  else if ((env->type == CT_MSG_API_RESULT || env->type == CT_MSG_TIMEOUT) &&
           l->list_busy && env->request_id == l->list_rid)
    on_book(self, l, env);
  return 0;
}

static void leader_stop(ct_actor_t *self) {
  leader_t *l = ct_actor_state(self);
  if (l) {
    free(l->out);
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
