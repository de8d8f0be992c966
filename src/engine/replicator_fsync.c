/*
 * replicator_fsync.c: the follower actor's side of the conversation with
 * its own account. Every answer moves the follower order's record on
 * (one short write transaction, after the send, off the latency path):
 *   place   -> ACKED (order id), REJECTED (business), UNKNOWN (sent, no
 *              known outcome) or unchanged INTENT (never sent: retried);
 *   lookup  -> by correlation id: found -> adopt; not found twice, a
 *              sweep apart (the first send may still be in transit) ->
 *              place with the SAME correlation id;
 *   modify  -> the new attributes and leader fingerprint; cancel -> DONE.
 * Then the leader order is run again (level-triggered). Every sweep
 * (follower_poll_ms) looks up orders in doubt and re-runs open ones; every
 * BOOK_EVERY sweeps, while it has open orders or a cancelled one's final
 * fills are unread, the follower polls for fills, final states and hand
 * edits (a follower order whose quantity, price, trigger or type no
 * longer match what we set is marked diverged and left alone): up to
 * CT__PEEK_MAX acknowledged open orders and CT__FINAL_MAX cancelled ones
 * one by one (GET /orders/{id}), else its whole order book. Funds come
 * from /fundlimit at start and every funds_refresh_ms.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/api_calls.h"
#include "copytrader/corrid.h"
#include "copytrader/error.h"
#include "copytrader/grow.h"
#include "copytrader/log.h"
#include "replicator_fol.h"

#define MOD           "follower"
#define SWEEP_MAX     256
#define UNKNOWN_PROBE 2 /* not-found lookups before an order is re-placed */
#define BOOK_EVERY    CT__BOOK_EVERY

int ct__fol_update(fol_t *f, const char *corr, ct__fo_fn fn, void *ctx,
                   ct_forder_t *out) {
  ct_store_txn_t t;
  ct_forder_t fo, old;
  int rc = ct_store_txn_begin(f->e->store, true, &t);
  if (rc == 0 &&
      (rc = ct_store_forder_get(&t, f->s->client_id, corr, &fo)) == 0) {
    old = fo;
    fn(&fo, ctx);
    fo.updated_at_ms = ct__wall_ms();
    rc = ct__fol_forder_put(f, &t, &old, &fo);
  }
  rc = rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
  ct__fol_pos_done(f, rc);
  if (rc != 0)
    ct_log_error(MOD, "follower=%s corr=%s msg=\"store update failed\" err=%s",
                 f->s->name, corr, ct_strerror(rc));
  else if (out)
    *out = fo;
  return rc;
}

static bool not_sent(const ct_api_result_t *r) {
  return !r->sent || r->cls == CT_DHAN_AUTH || r->cls == CT_DHAN_RATE_LIMITED;
}

static bool refused(const ct_api_result_t *r) {
  return r->cls == CT_DHAN_BUSINESS_REJECTION || r->cls == CT_DHAN_CONFIG;
}

/* --- answers ---------------------------------------------------------------*/

static void apply_place(ct_forder_t *fo, void *ctx) {
  const ct_api_result_t *r = ctx;
  fo->attempts++;
  if (r->err == 0 && r->count > 0) {
    const ct_dhan_order_ack_t *a = r->items;
    snprintf(fo->order_id, sizeof fo->order_id, "%s", a->order_id);
    fo->status = a->status;
    fo->phase = CT_FPHASE_ACKED;
  } else if (refused(r)) {
    fo->phase = CT_FPHASE_REJECTED;
    snprintf(fo->reject_code, sizeof fo->reject_code, "%s",
             r->dhan.error_code[0] ? r->dhan.error_code : "REJECTED");
  } else {
    fo->phase = CT_FPHASE_UNKNOWN;
    fo->attempts = 0; /* from here on: lookups that found nothing */
  }
}

static void adopt(ct_forder_t *fo, const ct_dhan_order_t *o) {
  snprintf(fo->order_id, sizeof fo->order_id, "%s", o->order_id);
  fo->status = o->status;
  fo->filled_qty = o->filled_qty;
  fo->avg_price = o->average_traded_price;
  fo->quantity = o->quantity;
  fo->price = o->price;
  fo->trigger_price = o->trigger_price;
  fo->order_type = o->order_type;
  fo->phase =
      ct_dhan_status_is_final(o->status) ? CT_FPHASE_DONE : CT_FPHASE_ACKED;
}

static void apply_lookup(ct_forder_t *fo, void *ctx) {
  const ct_api_result_t *r = ctx;
  if (r->err == 0 && r->count > 0)
    adopt(fo, r->items);
  else if (r->cls == CT_DHAN_NOT_FOUND &&
           (fo->phase == CT_FPHASE_UNKNOWN || fo->phase == CT_FPHASE_INTENT))
    fo->attempts++;
}

static void apply_modify(ct_forder_t *fo, void *ctx) {
  const fop_t *op = ((const void **)ctx)[0];
  const ct_api_result_t *r = ((const void **)ctx)[1];
  fo->intent = CT_FINTENT_MODIFY;
  if (r->err == 0 || refused(r)) {
    fo->intent_seq = op->fp; /* refused: give this version up */
    fo->phase = r->err == 0 ? CT_FPHASE_ACKED : CT_FPHASE_REJECTED;
  } else {
    fo->phase = CT_FPHASE_UNKNOWN; /* a lookup tells what it now is */
  }
  if (r->err == 0) {
    fo->quantity = op->qty;
    fo->price = op->price;
    fo->trigger_price = op->trigger;
    fo->order_type = op->type;
  }
}

static void apply_cancel(ct_forder_t *fo, void *ctx) {
  const ct_api_result_t *r = ctx;
  fo->intent = CT_FINTENT_CANCEL;
  if (r->err == 0) {
    fo->status = CT_DHAN_STATUS_CANCELLED;
    fo->phase = CT_FPHASE_DONE;
  } else {
    fo->phase = refused(r) ? CT_FPHASE_REJECTED : CT_FPHASE_UNKNOWN;
  }
}

static bool on_place(fol_t *f, const fop_t *op, const ct_api_result_t *r,
                     ct_forder_t *out) {
  const char *oid = "";
  if (r->err == 0 && r->count > 0)
    oid = ((const ct_dhan_order_ack_t *)r->items)->order_id;
  if (r->sent || r->err == 0)
    ct__metrics_ack(f->e->metrics, f->s->client_id, op->corr, oid,
                    r->dhan.http_status, ct__now_ns());
  if (not_sent(r) && r->err != 0) {
    ct_log_warn(MOD, "follower=%s corr=%s msg=\"place not taken\" err=%s",
                f->s->name, op->corr, ct_strerror(r->err));
    return false; /* still INTENT: the sweep looks it up and places it */
  }
  if (r->err != 0)
    ct_log_warn(MOD, "follower=%s corr=%s msg=\"place failed\" err=%s code=%s",
                f->s->name, op->corr, ct_strerror(r->err), r->dhan.error_code);
  return ct__fol_update(f, op->corr, apply_place, (void *)r, out) == 0;
}

/* The leader order was cancelled, rejected or expired with nothing
 * traded: a follower order that never reached the broker stays unplaced. */
static bool leader_gone(fol_t *f, const char *leader_id) {
  const fleader_t *l = ct__smap_get(&f->leaders, leader_id);
  ct_leader_state_t st;
  ct_store_txn_t t;
  int rc = CT_ENOTFOUND;
  if (l != NULL) {
    st = l->st;
    rc = 0;
  } else if (ct_store_txn_begin(f->e->store, false, &t) == 0) {
    rc = ct_store_leader_get(&t, leader_id, &st);
    ct_store_txn_abort(&t);
  }
  return rc == 0 && st.traded_qty == 0 &&
         (st.status == CT_DHAN_STATUS_CANCELLED ||
          st.status == CT_DHAN_STATUS_REJECTED ||
          st.status == CT_DHAN_STATUS_EXPIRED);
}

static void give_up(ct_forder_t *fo, void *ctx) {
  (void)ctx;
  fo->phase = CT_FPHASE_REJECTED; /* terminal for a PLACE */
  snprintf(fo->reject_code, sizeof fo->reject_code, "LEADER_GONE");
}

static bool on_lookup(ct_actor_t *self, fol_t *f, const fop_t *op,
                      const ct_api_result_t *r, ct_forder_t *out) {
  ct_forder_t fo;
  if (r->err != 0 && r->cls != CT_DHAN_NOT_FOUND)
    return false; /* try again at the next sweep */
  if (ct__fol_update(f, op->corr, apply_lookup, (void *)r, &fo) != 0)
    return false;
  *out = fo;
  if (r->err == 0 || fo.intent != CT_FINTENT_PLACE || fo.order_id[0])
    return true;
  if ((fo.phase != CT_FPHASE_INTENT && fo.phase != CT_FPHASE_UNKNOWN) ||
      fo.attempts < UNKNOWN_PROBE)
    return true;
  if (leader_gone(f, fo.leader_order_id)) /* nothing left to copy */
    return ct__fol_update(f, op->corr, give_up, NULL, out) == 0;
  ct_log_info(MOD, "follower=%s corr=%s msg=\"not found: placing\"", f->s->name,
              op->corr);
  ct__fol_place(self, f, &fo);
  return true;
}

/* For `copytrader status`: what failed last (only on failures). */
static void note_error(fol_t *f, const fop_t *op, const ct_api_result_t *r) {
  static const char *const kinds[] = { "?", "place", "modify", "cancel",
                                       "lookup" };
  const char *msg =
      r->dhan.error_message[0] ? r->dhan.error_message : r->reason;
  ct__fol_note_error(f->s, "%s %s: %s%s%s%s%s",
                     kinds[op->kind <= OP_LOOKUP ? op->kind : 0], op->corr,
                     ct_strerror(r->err), r->dhan.error_code[0] ? " " : "",
                     r->dhan.error_code, msg[0] ? ": " : "", msg);
}

/* Read a cancelled order's final fills at the next book tick: by its id
 * while few are waiting, else with the whole book. */
static void read_final(fol_t *f, const char *order_id) {
  for (unsigned i = 0; i < f->n_final; i++)
    if (strcmp(f->final_id[i], order_id) == 0)
      return;
  if (order_id[0] == '\0' || f->n_final == CT__FINAL_MAX)
    f->book_final = true;
  else
    snprintf(f->final_id[f->n_final++], CT_DHAN_ID_SIZE, "%s", order_id);
}

/* Apply an answer; true when *out is the follower order as now stored. */
static bool on_op(ct_actor_t *self, fol_t *f, const fop_t *op,
                  const ct_api_result_t *r, ct_forder_t *out) {
  const void *pair[2] = { op, r };
  bool have = false;
  if ((op->kind == OP_MODIFY || op->kind == OP_CANCEL) && (r->sent || !r->err))
    ct__metrics_ack_op(
        f->e->metrics, op->kind == OP_MODIFY ? "modify" : "cancel",
        f->s->client_id, op->corr, "", r->dhan.http_status, ct__now_ns());
  switch (op->kind) {
  case OP_PLACE:
    have = on_place(f, op, r, out);
    break;
  case OP_LOOKUP:
    have = on_lookup(self, f, op, r, out);
    break;
  case OP_MODIFY:
    if (!not_sent(r) || r->err == 0)
      have = ct__fol_update(f, op->corr, apply_modify, pair, out) == 0;
    break;
  case OP_CANCEL:
    if (!not_sent(r) || r->err == 0)
      have = ct__fol_update(f, op->corr, apply_cancel, (void *)r, out) == 0;
    read_final(f, have ? out->order_id : ""); /* once it has left `open` */
    break;
  }
  if (r->err != 0 && op->kind != OP_LOOKUP)
    ct_log_warn(MOD, "follower=%s corr=%s op=%d err=%s code=%s", f->s->name,
                op->corr, (int)op->kind, ct_strerror(r->err),
                r->dhan.error_code);
  if (r->err != 0 && r->cls != CT_DHAN_NOT_FOUND && r->err != CT_EBREAKER)
    note_error(f, op, r); /* an open breaker's fast failures keep the cause */
  return have;
}

/* --- the follower's order book --------------------------------------------*/

static bool differs(const ct_forder_t *fo, const ct_dhan_order_t *o) {
  bool priced = fo->order_type == CT_DHAN_OTYPE_LIMIT ||
                fo->order_type == CT_DHAN_OTYPE_STOP_LOSS;
  bool triggered = fo->order_type == CT_DHAN_OTYPE_STOP_LOSS ||
                   fo->order_type == CT_DHAN_OTYPE_STOP_LOSS_MARKET;
  return o->quantity != fo->quantity || o->order_type != fo->order_type ||
         (priced && fabs(o->price - fo->price) > 1e-6) ||
         (triggered && fabs(o->trigger_price - fo->trigger_price) > 1e-6);
}

/* The book's status and fills into *fo; true when that changed it (an
 * open order the book shows as before is not written again). */
static bool take_state(ct_forder_t *fo, const ct_dhan_order_t *o) {
  bool final = ct_dhan_status_is_final(o->status);
  bool same = fo->status == o->status && fo->filled_qty == o->filled_qty &&
              fo->avg_price == o->average_traded_price &&
              (!final || fo->phase == CT_FPHASE_DONE);
  fo->status = o->status;
  fo->filled_qty = o->filled_qty;
  fo->avg_price = o->average_traded_price;
  if (final)
    fo->phase = CT_FPHASE_DONE;
  return !same;
}

/* Merge one record of the book; true when *fo changed. */
static bool merge_book_order(fol_t *f, ct_forder_t *fo,
                             const ct_dhan_order_t *o) {
  bool was_diverged = fo->diverged;
  if (fo->phase == CT_FPHASE_DONE) { /* settled: fills may still show up */
    if (o->filled_qty <= fo->filled_qty)
      return false;
    fo->filled_qty = o->filled_qty;
    fo->avg_price = o->average_traded_price;
    return true;
  }
  if (ct__fol_busy(f, fo->correlation_id) ||
      fo->updated_at_ms >= f->book_issued_ms)
    return false; /* the record is newer than the book */
  if (fo->phase == CT_FPHASE_INTENT || fo->phase == CT_FPHASE_UNKNOWN) {
    adopt(fo, o);
    return true;
  }
  if (!fo->diverged && fo->phase == CT_FPHASE_ACKED &&
      !ct_dhan_status_is_final(o->status) && differs(fo, o)) {
    fo->diverged = true;
    ct_log_warn(MOD,
                "follower=%s corr=%s order=%s msg=\"changed by hand: left "
                "alone\" qty=%lld/%lld price=%.2f/%.2f",
                f->s->name, fo->correlation_id, o->order_id,
                (long long)o->quantity, (long long)fo->quantity, o->price,
                fo->price);
  }
  return take_state(fo, o) || fo->diverged != was_diverged;
}

/* Whether the book's `o` can change nothing: its record is DONE (final,
 * and DONE stays DONE) with at least o's fills (fills only grow). */
static bool settled(const fol_t *f, const ct_dhan_order_t *o) {
  const int64_t *filled = f->settled.b != NULL
                              ? ct__smap_get(&f->settled, o->correlation_id)
                              : NULL;
  return filled != NULL && o->filled_qty <= *filled;
}

static void remember_settled(fol_t *f, const ct_forder_t *fo) {
  int64_t *filled;
  if (fo->phase == CT_FPHASE_DONE && f->settled.b != NULL &&
      (filled = ct__smap_put(&f->settled, fo->correlation_id, NULL)) != NULL)
    *filled = fo->filled_qty;
}

/* Merge the book's orders into their records, in one write transaction.
 * Settled orders (the day's book is mostly those) are not read; what
 * this merge learns is remembered as settled once it is committed. */
static void on_book(fol_t *f, const ct_api_result_t *r) {
  const ct_dhan_order_t *orders = r->items;
  ct_store_txn_t t;
  int rc = ct_store_txn_begin(f->e->store, true, &t);
  for (size_t i = 0; rc == 0 && i < r->count; i++) {
    ct_forder_t fo, old;
    /* Our ids have one length (others are not stored; the store answers
     * for them: a full ct_corrid_is_ours costs two SHA-256 per order) */
    if (settled(f, &orders[i]) ||
        strlen(orders[i].correlation_id) != CT_CORRID_LEN)
      continue;
    rc =
        ct_store_forder_get(&t, f->s->client_id, orders[i].correlation_id, &fo);
    if (rc == CT_ENOTFOUND) {
      rc = 0;
      continue;
    }
    if (rc == 0 && (old = fo, merge_book_order(f, &fo, &orders[i]))) {
      fo.updated_at_ms = ct__wall_ms();
      rc = ct__fol_forder_put(f, &t, &old, &fo);
    }
    if (rc == 0)
      remember_settled(f, &fo);
  }
  rc = rc == 0 ? ct_store_txn_commit(&t) : (ct_store_txn_abort(&t), rc);
  ct__fol_pos_done(f, rc);
  if (rc != 0) { /* what was remembered may not be stored */
    ct__smap_close(&f->settled);
    ct__smap_init(&f->settled, sizeof(int64_t)); /* failed: none kept */
    ct_log_warn(MOD, "follower=%s msg=\"book merge failed\" err=%s", f->s->name,
                ct_strerror(rc));
  }
}

static void on_funds(fol_t *f, const ct_api_result_t *r) {
  const ct_dhan_fund_limit_t *fl = r->items;
  if (r->err != 0 || r->count == 0) {
    ct_log_warn(MOD, "follower=%s msg=\"fund limit not read\" err=%s",
                f->s->name, ct_strerror(r->err));
    ct__fol_note_error(f->s, "fund limit: %s%s%s", ct_strerror(r->err),
                       r->dhan.error_code[0] ? " " : "", r->dhan.error_code);
    return;
  }
  if (f->funds_known)
    ct_funds_ledger_refresh(&f->ledger, fl->available_balance);
  else
    ct_funds_ledger_init(&f->ledger, fl->available_balance);
  f->funds_known = true;
  f->capital = fl->sod_limit > 0 ? fl->sod_limit : fl->available_balance;
}

/* The next step for the follower order an answer moved on: only that
 * order changed, so it alone is run against the cached leader state (the
 * record the answer stored, else one read, instead of the decision and
 * all the leader order's follower orders). false: not cached or not
 * readable: re-run the leader order. */
static bool recheck(ct_actor_t *self, fol_t *f, const fop_t *op,
                    const ct_forder_t *stored) {
  ct_store_txn_t t;
  ct_forder_t fo;
  int rc = 0;
  if (ct__smap_get(&f->leaders, op->leader) == NULL)
    return false;
  if (stored == NULL) {
    if (ct_store_txn_begin(f->e->store, false, &t) != 0)
      return false;
    rc = ct_store_forder_get(&t, f->s->client_id, op->corr, &fo);
    ct_store_txn_abort(&t);
    stored = &fo;
  }
  return rc == 0 && ct__fol_act_cached(self, f, stored);
}

/* Whether `rid` answers a per-order poll (then no longer in flight). */
static bool take_peek(fol_t *f, uint64_t rid) {
  for (unsigned i = 0; i < f->n_peek; i++)
    if (f->peek_rid[i] == rid) {
      f->peek_rid[i] = f->peek_rid[--f->n_peek];
      return true;
    }
  return false;
}

/* Poll the open orders of the last sweep, and the cancelled ones whose
 * final fills are unread, one by one when they are few and all
 * acknowledged: the answer holds them alone, where the book holds the
 * whole day. false: poll the book. */
static bool peek_open(ct_actor_t *self, fol_t *f, const ct_forder_t *fo,
                      size_t n) {
  const char *id[CT__PEEK_MAX + CT__FINAL_MAX];
  size_t k = 0;
  if (f->book_final || n > CT__PEEK_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if ((id[k++] = fo[i].order_id)[0] == '\0')
      return false;
  for (unsigned i = 0; i < f->n_final; i++)
    id[k++] = f->final_id[i];
  f->n_peek = 0;
  for (size_t i = 0; i < k; i++)
    if (ct_orders_get(self, f->s->orders, id[i], f->e->opts.call_timeout_ms,
                      &f->peek_rid[f->n_peek]) == 0)
      f->n_peek++;
  /* Asked, as the book poll clears book_final; one not asked is read
   * with the book at the next tick. */
  f->book_final = f->n_peek < k && f->n_final > 0;
  f->n_final = 0;
  return f->n_peek > 0;
}

void ct__fol_on_result(ct_actor_t *self, fol_t *f, const ct_envelope_t *env) {
  ct_api_result_t r;
  char key[24];
  fop_t *slot, op;
  ct_forder_t fo;
  bool have;
  if (ct_api_result_read(env, &r) != 0)
    return;
  if (f->funds_busy && env->request_id == f->funds_rid) {
    f->funds_busy = false;
    on_funds(f, &r);
  } else if (ct__fol_margin_result(self, f, env->request_id, &r)) {
    /* a margin calculator answer: its leader orders were re-run */
  } else if (f->book_busy && env->request_id == f->book_rid) {
    f->book_busy = false;
    if (r.err == 0)
      on_book(f, &r);
  } else if (f->n_peek > 0 && take_peek(f, env->request_id)) {
    if (r.err == 0)
      on_book(f, &r); /* one order: merged like a one-line book */
    f->book_busy = f->n_peek > 0;
  } else {
    snprintf(key, sizeof key, "%llu", (unsigned long long)env->request_id);
    if ((slot = ct__smap_get(&f->ops, key)) != NULL) {
      op = *slot;
      ct__smap_del(&f->ops, key);
      ct__smap_del(&f->busy, op.corr);
      have = on_op(self, f, &op, &r, &fo);
      /* After a success the leader order may want the next step (a
       * modification that came while the place was in flight); after a
       * failure the sweep retries, never a tight loop of fast failures. */
      if (r.err == 0 && !recheck(self, f, &op, have ? &fo : NULL))
        ct__fol_again(self, f, op.leader);
    }
  }
  ct_api_result_free(&r);
}

/* --- sweep, funds, resume -------------------------------------------------*/

typedef struct sweep {
  fol_t *f;
  size_t n;
} sweep_t;

/* Collect one open order in f->sweep (grown as needed, kept for the next
 * sweep: no allocation per sweep in steady state). */
static int sweep_cb(const ct_forder_t *fo, void *ctx) {
  sweep_t *s = ctx;
  fol_t *f = s->f;
  ct_forder_t *p;
  if (strcmp(fo->follower_id, f->s->client_id) != 0 || s->n >= SWEEP_MAX)
    return 0;
  p = ct_grow(f->sweep, &f->sweep_cap, s->n, sizeof(*p), 16);
  if (p == NULL)
    return 0; /* the rest waits for the next sweep */
  f->sweep = p;
  f->sweep[s->n++] = *fo;
  return 0;
}

void ct__fol_tick(ct_actor_t *self, fol_t *f) {
  sweep_t s = { f, 0 };
  ct_forder_t *fo;
  ct_store_txn_t t;
  if (ct_store_txn_begin(f->e->store, false, &t) == 0) {
    ct_store_each_open_forder_of(&t, f->s->client_id, sweep_cb, &s);
    ct_store_txn_abort(&t);
  }
  fo = f->sweep;
  f->n_open = s.n;
  for (size_t i = 0; i < s.n; i++) {
    if (ct__fol_busy(f, fo[i].correlation_id))
      continue;
    if (fo[i].phase == CT_FPHASE_INTENT || fo[i].phase == CT_FPHASE_UNKNOWN)
      ct__fol_lookup(self, f, &fo[i]);
    else if (!ct__fol_act_cached(self, f, &fo[i]))
      ct__fol_again(self, f, fo[i].leader_order_id);
  }
  ct__spawn_again(self, f); /* orders held back as possible spawns */
  f->ticks++;
  /* Only every BOOK_EVERY sweeps: the fills of a cancelled order wait for
   * the next regular poll (one poll for all of them, not one per sweep
   * with a cancel in it). */
  if ((f->book_final || f->n_final > 0 || f->n_open > 0) &&
      f->ticks % BOOK_EVERY == 0 && !f->book_busy) {
    f->book_issued_ms = ct__wall_ms();
    if (peek_open(self, f, fo, s.n)) {
      f->book_busy = true;
    } else if (ct_orders_list(self, f->s->orders, f->e->opts.call_timeout_ms,
                              &f->book_rid) == 0) {
      f->book_busy = true;
      f->book_final = false;
      f->n_final = 0;
    }
  }
}

void ct__fol_funds(ct_actor_t *self, fol_t *f) {
  ct__fol_positions(self, f); /* the account's positions, with the funds */
  if (f->funds_busy)
    return;
  if (ct_funds_limit(self, f->s->funds, f->e->opts.call_timeout_ms,
                     &f->funds_rid) == 0)
    f->funds_busy = true;
}

static bool working(const ct_leader_state_t *st, void *ctx) {
  (void)ctx;
  return !ct_dhan_status_is_final(st->status);
}

void ct__fol_resume(ct_actor_t *self, fol_t *f) {
  ct_leader_state_t *st = NULL;
  size_t n = 0;
  ct_store_txn_t t;
  if (ct_store_txn_begin(f->e->store, false, &t) == 0) {
    ct_store_collect_leaders(&t, working, NULL, &st, &n);
    ct_store_txn_abort(&t);
  }
  for (size_t i = 0; i < n; i++)
    ct__fol_on_state(self, f, &st[i], NULL);
  free(st);
}
