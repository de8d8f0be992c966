/*
 * orders.c: the in-memory order book and the order lifecycle (see
 * orders.h for the state machine). Orders are never freed before shutdown,
 * so pointers to them stay valid; order ids are numeric strings derived
 * from a sequence number, which also indexes sim->orders.
 */
#include "orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"

#define ORDER_ID_BASE 5226000000000ULL

static void order_timer_cb(uv_timer_t *t);

order_t *orders_new(sim_t *s, account_t *a) {
  order_t *o;
  if (sim_grow((void **)&s->orders, &s->cap_orders, s->n_orders,
               sizeof(void *)) ||
      sim_grow((void **)&a->orders, &a->cap_orders, a->n_orders,
               sizeof(void *)))
    return NULL;
  o = calloc(1, sizeof(*o));
  if (o == NULL)
    return NULL;
  o->seq = s->n_orders;
  o->acct = a;
  snprintf(o->id, sizeof(o->id), "%llu",
           (unsigned long long)(ORDER_ID_BASE + o->seq));
  snprintf(o->exch_id, sizeof(o->exch_id), "%llu",
           (unsigned long long)(1100000000000000ULL + o->seq));
  snprintf(o->validity, sizeof(o->validity), "DAY");
  s->orders[s->n_orders++] = o;
  a->orders[a->n_orders++] = o;
  uv_timer_init(s->loop, &o->timer);
  o->timer.data = s;
  o->timer_live = 1;
  return o;
}

order_t *orders_find(sim_t *s, const account_t *a, const char *id) {
  char *end;
  unsigned long long v;
  if (id == NULL || *id < '0' || *id > '9')
    return NULL;
  v = strtoull(id, &end, 10);
  if (*end != '\0' || v < ORDER_ID_BASE || v - ORDER_ID_BASE >= s->n_orders)
    return NULL;
  order_t *o = s->orders[v - ORDER_ID_BASE];
  return (o->acct == a && strcmp(o->id, id) == 0) ? o : NULL;
}

order_t *orders_find_corr(const account_t *a, const char *corr) {
  for (size_t i = a->n_orders; i > 0; i--) {
    order_t *o = a->orders[i - 1];
    if (!o->forever && o->corr[0] && strcmp(o->corr, corr) == 0)
      return o;
  }
  return NULL;
}

int orders_is_open(const order_t *o) {
  return strcmp(o->status, "TRANSIT") == 0 ||
         strcmp(o->status, "PENDING") == 0 ||
         strcmp(o->status, "PART_TRADED") == 0;
}

double orders_ltp(sim_t *s, const order_t *o) {
  if (o->ins == NULL)
    return o->price;
  return s->ltp[o->ins - ct_instruments_at(s->instruments, 0)];
}

void orders_changed(sim_t *s, order_t *o) {
  ws_broadcast_order(s, o);
  postback_order(s, o);
}

static void set_status(sim_t *s, order_t *o, const char *st) {
  if (st != o->status)
    memmove(o->status, st, strnlen(st, sizeof(o->status) - 1) + 1);
  sim_ist_now(o->update_time);
  orders_changed(s, o);
}

/* Units of the account's opposite position (same segment, security and
 * product) that `o` would close: like Dhan, an exit needs no margin. */
static int64_t closing_units(const order_t *o, int buy) {
  const account_t *a = o->acct;
  for (size_t i = 0; i < a->n_positions; i++) {
    const position_t *p = &a->positions[i];
    int64_t net = p->buy_qty - p->sell_qty, opp = buy ? -net : net;
    if (strcmp(p->segment, o->segment) == 0 &&
        strcmp(p->security_id, o->security_id) == 0 &&
        strcmp(p->product, o->product) == 0)
      return opp > 0 ? opp : 0;
  }
  return 0;
}

/* Funds held by an open order: a cash BUY its remaining quantity at its
 * reference price, a derivative order (either side) the margin of its
 * remaining quantity beyond the opposite position it closes. Cash SELL
 * orders hold nothing (see README: funds model). */
static void hold_funds(sim_t *s, order_t *o) {
  int buy = strcmp(o->txn, "BUY") == 0;
  double px = (strcmp(o->otype, "MARKET") == 0 ||
               strcmp(o->otype, "STOP_LOSS_MARKET") == 0)
                  ? orders_ltp(s, o)
                  : o->price;
  sim_margin_t m;
  o->acct->blocked -= o->blocked;
  o->blocked = 0;
  if (orders_is_open(o) && accounts_is_derivative(o->ins)) {
    int64_t rest = o->qty - o->filled - closing_units(o, buy);
    if (rest > 0) {
      accounts_margin(o->ins, buy, o->product, rest, px, &m);
      o->blocked = m.total;
    }
  } else if (orders_is_open(o) && buy) {
    o->blocked = (double)(o->qty - o->filled) * px;
  }
  o->acct->blocked += o->blocked;
}

static void release_funds(order_t *o) {
  o->acct->blocked -= o->blocked;
  o->blocked = 0;
}

/* Whether a resting order would execute now, and at what price. */
static int marketable(sim_t *s, const order_t *o, double *px) {
  double ltp = orders_ltp(s, o);
  int buy = strcmp(o->txn, "BUY") == 0;
  if (o->forever || o->leg_no == 2 || o->leg_no == 3)
    return 0; /* forever orders and super exit legs wait for the admin */
  *px = ltp;
  if (strcmp(o->otype, "MARKET") == 0)
    return 1;
  if (strcmp(o->otype, "LIMIT") == 0)
    return buy ? o->price >= ltp : o->price <= ltp;
  if ((buy && ltp < o->trigger) || (!buy && ltp > o->trigger))
    return 0; /* stop not triggered */
  if (strcmp(o->otype, "STOP_LOSS_MARKET") == 0)
    return 1;
  return buy ? o->price >= ltp : o->price <= ltp;
}

static void schedule(sim_t *s, order_t *o, uint64_t ms) {
  if (s->stopping)
    return;
  uv_timer_start(&o->timer, order_timer_cb, ms, 0);
}

static void evaluate(sim_t *s, order_t *o) {
  double px;
  if (s->fill_mode == FILL_NONE || o->fill_stage != 0 ||
      strcmp(o->status, "TRANSIT") == 0 || !orders_is_open(o))
    return;
  if (!marketable(s, o, &px))
    return;
  o->fill_stage = 1;
  schedule(s, o, s->fill_delay_ms);
}

static int64_t partial_qty(const order_t *o) {
  int64_t lot = o->ins ? o->ins->lot_size : 1;
  int64_t rem = o->qty - o->filled;
  int64_t half = (rem / 2) / lot * lot;
  return half > 0 ? half : rem;
}

static void do_auto_fill(sim_t *s, order_t *o) {
  double px;
  int stage = o->fill_stage;
  o->fill_stage = 0;
  if (!orders_is_open(o) || !marketable(s, o, &px))
    return;
  if (s->fill_mode == FILL_PARTIAL && stage == 1 && o->qty - o->filled > 1) {
    orders_fill(s, o, partial_qty(o), px);
    if (orders_is_open(o)) {
      o->fill_stage = 2;
      schedule(s, o, s->fill_delay_ms);
    }
    return;
  }
  orders_fill(s, o, o->qty - o->filled, px);
}

static int reject_reason(sim_t *s, order_t *o, const char **code,
                         const char **desc) {
  account_t *a = o->acct;
  if (a->reject_next > 0) {
    a->reject_next--;
    *code = "RMS-1";
    *desc = a->reject_reason[0] ? a->reject_reason : "Rejected by rule";
    return 1;
  }
  if (a->killswitch) {
    *code = "RMS-2";
    *desc = "Kill switch is active";
    return 1;
  }
  hold_funds(s, o);
  if (o->blocked > 0 && accounts_available(a) < 0) {
    release_funds(o);
    *code = "RMS-3";
    *desc = "RMS:Margin Exceeds, insufficient funds";
    return 1;
  }
  return 0;
}

static void do_ack(sim_t *s, order_t *o) {
  const char *code, *desc;
  if (strcmp(o->status, "TRANSIT") != 0)
    return;
  if (reject_reason(s, o, &code, &desc)) {
    scopy(o->oms_code, sizeof(o->oms_code), code);
    scopy(o->oms_desc, sizeof(o->oms_desc), desc);
    set_status(s, o, "REJECTED");
    return;
  }
  sim_ist_now(o->exch_time);
  set_status(s, o, "PENDING");
  evaluate(s, o);
}

static void order_timer_cb(uv_timer_t *t) {
  order_t *o = (order_t *)((char *)t - offsetof(order_t, timer));
  sim_t *s = t->data;
  if (strcmp(o->status, "TRANSIT") == 0)
    do_ack(s, o);
  else if (o->fill_stage)
    do_auto_fill(s, o);
}

void orders_submit(sim_t *s, order_t *o) {
  sim_ist_now(o->create_time);
  scopy(o->update_time, sizeof(o->update_time), o->create_time);
  set_status(s, o, "TRANSIT");
  schedule(s, o, s->ack_ms);
}

void orders_modified(sim_t *s, order_t *o) {
  o->mods++;
  if (strcmp(o->status, "TRANSIT") != 0)
    hold_funds(s, o);
  set_status(s, o, o->status);
  evaluate(s, o);
}

void orders_cancel(sim_t *s, order_t *o) {
  release_funds(o);
  o->fill_stage = 0;
  uv_timer_stop(&o->timer);
  set_status(s, o, "CANCELLED");
}

static int push_trade(account_t *a, order_t *o, int64_t qty, double px,
                      uint64_t seq) {
  trade_t *t;
  if (sim_grow((void **)&a->trades, &a->cap_trades, a->n_trades, sizeof(*t)))
    return CT_ENOMEM;
  t = &a->trades[a->n_trades++];
  memset(t, 0, sizeof(*t));
  t->order = o;
  t->qty = qty;
  t->price = px;
  snprintf(t->trade_id, sizeof(t->trade_id), "%llu",
           (unsigned long long)(70000000 + seq));
  sim_ist_now(t->time);
  return 0;
}

static void book_fill(account_t *a, order_t *o, int64_t qty, double px) {
  position_t *p = accounts_position(a, o->segment, o->security_id, o->product);
  double val = (double)qty * px;
  /* futures settle by mark-to-market, which dhansim does not model */
  double cash = o->ins && strncmp(o->ins->instrument, "FUT", 3) == 0 ? 0 : val;
  if (strcmp(o->txn, "BUY") == 0) {
    a->cash_delta -= cash;
    if (p) {
      p->buy_qty += qty;
      p->buy_val += val;
    }
  } else {
    a->cash_delta += cash;
    if (p) {
      p->sell_qty += qty;
      p->sell_val += val;
    }
  }
}

int orders_fill(sim_t *s, order_t *o, int64_t qty, double px) {
  if (!orders_is_open(o) || o->forever)
    return CT_ESTATE;
  if (qty <= 0 || qty > o->qty - o->filled)
    return CT_ERANGE;
  if (push_trade(o->acct, o, qty, px, ++s->trade_seq) != 0)
    return CT_ENOMEM;
  o->avg_price = (o->avg_price * (double)o->filled + px * (double)qty) /
                 (double)(o->filled + qty);
  o->filled += qty;
  o->last_fill_price = px;
  if (o->exch_time[0] == '\0')
    sim_ist_now(o->exch_time);
  book_fill(o->acct, o, qty, px);
  hold_funds(s, o);
  if (o->filled == o->qty) {
    release_funds(o);
    o->fill_stage = 0;
    uv_timer_stop(&o->timer);
  }
  set_status(s, o, o->filled == o->qty ? "TRADED" : "PART_TRADED");
  if (o->filled == o->qty && o->sup)
    super_entry_traded(s, o);
  else if (o->filled == o->qty && o->parent)
    super_leg_traded(s, o);
  return 0;
}

void orders_set_ltp(sim_t *s, const char *seg, const char *sec, double ltp) {
  const ct_instrument_t *ins = ct_instruments_find(s->instruments, seg, sec);
  if (ins == NULL)
    return;
  s->ltp[ins - ct_instruments_at(s->instruments, 0)] = ltp;
  for (size_t i = 0; i < s->n_orders; i++)
    if (s->orders[i]->ins == ins)
      evaluate(s, s->orders[i]);
}

void orders_close_all(sim_t *s) {
  for (size_t i = 0; i < s->n_orders; i++)
    uv_close((uv_handle_t *)&s->orders[i]->timer, NULL);
}

void orders_free_all(sim_t *s) {
  for (size_t i = 0; i < s->n_orders; i++) {
    free(s->orders[i]->sup);
    free(s->orders[i]);
  }
  free(s->orders);
  s->orders = NULL;
  s->n_orders = 0;
}
