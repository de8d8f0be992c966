/*
 * The order book and its lifecycle (orders.c), and the JSON shapes of an
 * order (orders_json.c): REST record, order_alert frame, postback body,
 * trade record.
 *
 * Lifecycle: place -> TRANSIT (pushed at once) -> after --ack-ms the order is
 * checked (funds, reject rules): REJECTED, or PENDING. A PENDING order that
 * is marketable (MARKET, a LIMIT that crosses the last price, a triggered
 * stop) fills after --fill-delay-ms according to --fill-mode: none (rests),
 * full (one fill), partial (half the quantity, rounded down to the lot
 * size, then the rest one delay later). Admin fills and last-price changes
 * drive everything else. Every change is pushed to the account's logged-in
 * WebSockets and its postback URL.
 */
#ifndef DHANSIM_ORDERS_H
#define DHANSIM_ORDERS_H

#include "dhansim.h"

typedef struct super_ext {
  double target, stop_loss, trail;
  order_t *sl_leg, *target_leg;
  int sl_cancelled, target_cancelled;
} super_ext_t;

struct order {
  uint64_t seq;
  char id[24];
  char exch_id[24];
  account_t *acct;
  const ct_instrument_t *ins;
  char corr[32];
  char status[16];
  char txn[8];
  char segment[16];
  char product[12];
  char otype[20];
  char validity[8];
  char security_id[24];
  int64_t qty, disc_qty, filled;
  double price, trigger, avg_price, last_fill_price;
  int amo;
  char amo_time[12];
  int mods;
  char create_time[24], update_time[24], exch_time[24];
  char oms_code[16];
  char oms_desc[128];
  int leg_no; /* 1 entry, 2 stop loss, 3 target; 0 for plain orders */
  char leg_name[16];
  char remarks[32];
  order_t *parent;  /* super legs: the entry order */
  super_ext_t *sup; /* super entry orders only */
  /* forever (GTT) orders live in the same table, flagged here */
  int forever; /* 1 SINGLE, 2 OCO */
  double price1, trigger1;
  int64_t qty1;
  order_t *spawned;  /* the order a triggered forever order placed */
  char gtt_date[24]; /* GoodTillDaysDate on the socket ("" none) */
  double blocked;    /* funds held while open */
  int fill_stage;    /* 0 none scheduled, 1 first, 2 second (partial) */
  uv_timer_t timer;
  int timer_live;
};

/* A new order with the next id, owned by the simulator's table. NULL on
 * out of memory. */
order_t *orders_new(sim_t *s, account_t *a);
/* The account's order with this id (also forever orders), or NULL. */
order_t *orders_find(sim_t *s, const account_t *a, const char *id);
/* The latest order of the account with this correlationId, or NULL. */
order_t *orders_find_corr(const account_t *a, const char *corr);
int orders_is_open(const order_t *o);
/* Starts the lifecycle of a filled-in order: TRANSIT, pushed. */
void orders_submit(sim_t *s, order_t *o);
/* After a modification: bumps update time, pushes, re-evaluates. */
void orders_modified(sim_t *s, order_t *o);
void orders_cancel(sim_t *s, order_t *o);
/* Fills `qty` at `price`; CT_ESTATE when the order is not open, CT_ERANGE
 * when qty exceeds the remainder. */
int orders_fill(sim_t *s, order_t *o, int64_t qty, double price);
/* Sets the reference last price of an instrument and re-evaluates resting
 * orders on it. */
void orders_set_ltp(sim_t *s, const char *seg, const char *sec, double ltp);
double orders_ltp(sim_t *s, const order_t *o);
void orders_changed(sim_t *s, order_t *o);
void orders_close_all(sim_t *s); /* closes timers; frees on loop run */
void orders_free_all(sim_t *s);

/* routes_super.c: creates the exit legs once the entry is fully traded,
 * and cancels the other leg once one exit leg has traded. */
void super_entry_traded(sim_t *s, order_t *entry);
void super_leg_traded(sim_t *s, order_t *leg);
/* routes_forever.c: the admin trigger of a forever order (second = the OCO
 * second leg). Places the order it carries. */
void forever_trigger(sim_t *s, order_t *o, int second);

/* orders_json.c */
cJSON *order_rest_json(const order_t *o);
cJSON *order_alert_json(const order_t *o);
cJSON *order_postback_json(const order_t *o);
cJSON *trade_json(const trade_t *t);
cJSON *order_ack_json(const order_t *o); /* {orderId, orderStatus} */
cJSON *super_json(const order_t *o);
cJSON *forever_json(const order_t *o);

#endif /* DHANSIM_ORDERS_H */
