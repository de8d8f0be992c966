/*
 * routes_orders.c: §3 orders. Place, slicing, modify, cancel, the order
 * book (all, by id, by correlationId) and the trade book (all, by order).
 */
#include <stdio.h>
#include <string.h>

#include "validate.h"

#define MAX_MODS 25

static const char *const modify_fields[] = {
  "dhanClientId", "orderId",           "orderType",    "legName",  "quantity",
  "price",        "disclosedQuantity", "triggerPrice", "validity", NULL
};

static void note_order(req_t *r, const order_t *o) {
  scopy(r->stamp_order, sizeof(r->stamp_order), o->id);
  if (r->stamp_corr[0] == '\0')
    scopy(r->stamp_corr, sizeof(r->stamp_corr), o->corr);
}

static order_t *place_one(sim_t *s, req_t *r, const spec_t *sp, int64_t qty) {
  order_t *o = orders_new(s, r->acct);
  if (o == NULL) {
    resp_error(r, 500, "Internal_Server_Error", "DH-908", "Out of memory");
    return NULL;
  }
  spec_apply(o, sp);
  o->qty = qty;
  orders_submit(s, o);
  return o;
}

static void place(sim_t *s, req_t *r, char **p) {
  spec_t sp;
  order_t *o;
  (void)p;
  if (spec_read(s, r, r->json, &sp, 0))
    return;
  o = place_one(s, r, &sp, sp.qty);
  if (o == NULL)
    return;
  note_order(r, o);
  resp_json(r, 200, order_ack_json(o));
}

static void place_slices(sim_t *s, req_t *r, char **p) {
  spec_t sp;
  int64_t left, chunk;
  cJSON *arr;
  (void)p;
  if (spec_read(s, r, r->json, &sp, SPEC_SLICE))
    return;
  chunk = sp.ins->freeze_qty > 0 ? sp.ins->freeze_qty : sp.qty;
  chunk -= chunk % sp.ins->lot_size;
  if (chunk <= 0)
    chunk = sp.ins->lot_size;
  arr = cJSON_CreateArray();
  for (left = sp.qty; left > 0; left -= chunk) {
    order_t *o = place_one(s, r, &sp, left < chunk ? left : chunk);
    if (o == NULL) {
      cJSON_Delete(arr);
      return;
    }
    note_order(r, o);
    cJSON_AddItemToArray(arr, order_ack_json(o));
  }
  resp_json(r, 200, arr);
}

static order_t *find_or_404(sim_t *s, req_t *r, const char *id) {
  order_t *o = orders_find(s, r->acct, id);
  if (o == NULL || o->forever) {
    resp_dh907(r, "Order not found");
    return NULL;
  }
  note_order(r, o);
  return o;
}

static int modify_read(req_t *r, const char *id, const char **otype,
                       const char **validity) {
  const char *oid, *leg;
  if (r->json == NULL || jx_only(r->json, modify_fields)) {
    resp_dh905(r, "Unknown or misnamed field in request body");
    return -1;
  }
  if (spec_field(r, jx_str(r->json, "dhanClientId", &oid), "dhanClientId", 1) ||
      spec_field(r, jx_str(r->json, "orderId", &oid), "orderId", 1) ||
      spec_field(r, jx_enum(r->json, "orderType", v_otype, otype), "orderType",
                 1) ||
      spec_field(r, jx_enum(r->json, "validity", v_validity, validity),
                 "validity", 1) ||
      spec_field(r, jx_enum(r->json, "legName", v_leg, &leg), "legName", 0))
    return -1;
  if (strcmp(oid, id) != 0) {
    resp_dh905(r, "orderId in the body does not match the path");
    return -1;
  }
  return 0;
}

static void modify(sim_t *s, req_t *r, char **p) {
  const char *otype, *validity;
  order_t *o;
  int64_t qty, disc;
  double price, trig;
  if (modify_read(r, p[0], &otype, &validity) ||
      (o = find_or_404(s, r, p[0])) == NULL)
    return;
  qty = o->qty;
  disc = o->disc_qty;
  price = o->price;
  trig = o->trigger;
  if (spec_field(r, jx_int(r->json, "quantity", &qty), "quantity", 0) ||
      spec_field(r, jx_int(r->json, "disclosedQuantity", &disc),
                 "disclosedQuantity", 0) ||
      spec_field(r, jx_num(r->json, "price", &price), "price", 0) ||
      spec_field(r, jx_num(r->json, "triggerPrice", &trig), "triggerPrice", 0))
    return;
  if (!orders_is_open(o)) {
    resp_dh906(r, "Order is not open: it cannot be modified");
    return;
  }
  if (o->mods >= MAX_MODS) {
    resp_dh906(r, "Maximum 25 modifications allowed per order");
    return;
  }
  if (strcmp(otype, "MARKET") == 0 || strcmp(otype, "STOP_LOSS_MARKET") == 0)
    price = 0;
  if (strncmp(otype, "STOP_LOSS", 9) != 0)
    trig = 0;
  if (spec_check_qty(r, o->ins, qty) ||
      spec_check_prices(r, o->ins, otype, o->txn, price, trig))
    return;
  if (qty <= o->filled) {
    resp_dh906(r, "Quantity must exceed the traded quantity");
    return;
  }
  o->qty = qty;
  o->disc_qty = disc;
  o->price = price;
  o->trigger = trig;
  scopy(o->otype, sizeof(o->otype), otype);
  scopy(o->validity, sizeof(o->validity), validity);
  orders_modified(s, o);
  resp_json(r, 200, order_ack_json(o));
}

static void cancel(sim_t *s, req_t *r, char **p) {
  order_t *o = find_or_404(s, r, p[0]);
  if (o == NULL)
    return;
  if (!orders_is_open(o)) {
    resp_dh906(r, "Order is not open: it cannot be cancelled");
    return;
  }
  orders_cancel(s, o);
  resp_json(r, 202, order_ack_json(o));
}

static void list(sim_t *s, req_t *r, char **p) {
  cJSON *arr = cJSON_CreateArray();
  (void)s;
  (void)p;
  for (size_t i = 0; i < r->acct->n_orders; i++)
    if (!r->acct->orders[i]->forever)
      cJSON_AddItemToArray(arr, order_rest_json(r->acct->orders[i]));
  resp_json(r, 200, arr);
}

static void by_id(sim_t *s, req_t *r, char **p) {
  order_t *o = find_or_404(s, r, p[0]);
  if (o)
    resp_json(r, 200, order_rest_json(o));
}

static void by_corr(sim_t *s, req_t *r, char **p) {
  order_t *o = orders_find_corr(r->acct, p[0]);
  (void)s;
  scopy(r->stamp_corr, sizeof(r->stamp_corr), p[0]);
  if (o == NULL) {
    resp_dh907(r, "No order found for this correlationId");
    return;
  }
  note_order(r, o);
  resp_json(r, 200, order_rest_json(o));
}

/* The account's trades, all of them or those of order `of` (§3.5). */
static void trades_reply(req_t *r, const order_t *of) {
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; i < r->acct->n_trades; i++)
    if (of == NULL || r->acct->trades[i].order == of)
      cJSON_AddItemToArray(arr, trade_json(&r->acct->trades[i]));
  resp_json(r, 200, arr);
}

static void trades(sim_t *s, req_t *r, char **p) {
  (void)s;
  (void)p;
  trades_reply(r, NULL);
}

static void trades_of(sim_t *s, req_t *r, char **p) {
  order_t *o = find_or_404(s, r, p[0]);
  if (o != NULL)
    trades_reply(r, o);
}

const route_t routes_orders[] = { { M_POST, "/orders", place, 1 },
                                  { M_POST, "/orders/slicing", place_slices,
                                    1 },
                                  { M_PUT, "/orders/{}", modify, 1 },
                                  { M_DELETE, "/orders/{}", cancel, 1 },
                                  { M_GET, "/orders", list, 1 },
                                  { M_GET, "/orders/{}", by_id, 1 },
                                  { M_GET, "/orders/external/{}", by_corr, 1 },
                                  { M_GET, "/trades", trades, 0 },
                                  { M_GET, "/trades/{}", trades_of, 0 },
                                  { 0, NULL, NULL, 0 } };
