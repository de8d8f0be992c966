/*
 * routes_super.c: §4 super orders. The entry is an ordinary order (LegNo 1,
 * Remarks "Super Order") that follows the normal lifecycle. When it is fully
 * traded, the stop-loss leg (LegNo 2, STOP_LOSS_MARKET at stopLossPrice)
 * and the target leg (LegNo 3, LIMIT at targetPrice) are created on the
 * opposite side; they rest until filled through the admin endpoint, and
 * when one trades the other is cancelled (the super order is then CLOSED).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

static const char *const place_fields[] = {
  "dhanClientId",    "correlationId",
  "transactionType", "exchangeSegment",
  "productType",     "orderType",
  "securityId",      "quantity",
  "price",           "targetPrice",
  "stopLossPrice",   "trailingJump",
  "validity",        NULL
};
static const char *const modify_fields[] = {
  "dhanClientId", "orderId",     "legName",       "orderType",    "quantity",
  "price",        "targetPrice", "stopLossPrice", "trailingJump", NULL
};

static int legs_ok(req_t *r, const char *txn, double px, double tgt,
                   double sl) {
  int buy = strcmp(txn, "BUY") == 0;
  if ((buy && !(tgt > px && px > sl)) || (!buy && !(tgt < px && px < sl))) {
    resp_dh906(r, buy ? "For BUY: targetPrice > price > stopLossPrice"
                      : "For SELL: targetPrice < price < stopLossPrice");
    return 0;
  }
  return 1;
}

static void place(sim_t *s, req_t *r, char **p) {
  spec_t sp;
  double tgt, sl, trail = 0;
  order_t *o;
  (void)p;
  if (r->json && jx_only(r->json, place_fields)) {
    resp_dh905(r, "Unknown or misnamed field in request body");
    return;
  }
  if (spec_read(s, r, r->json, &sp, SPEC_SUPER) ||
      spec_field(r, jx_num(r->json, "targetPrice", &tgt), "targetPrice", 1) ||
      spec_field(r, jx_num(r->json, "stopLossPrice", &sl), "stopLossPrice",
                 1) ||
      spec_field(r, jx_num(r->json, "trailingJump", &trail), "trailingJump", 0))
    return;
  if (!legs_ok(r, sp.txn, sp.price > 0 ? sp.price : sp.ins->last_price, tgt,
               sl))
    return;
  o = orders_new(s, r->acct);
  if (o == NULL || (o->sup = calloc(1, sizeof(*o->sup))) == NULL) {
    resp_error(r, 500, "Internal_Server_Error", "DH-908", "Out of memory");
    return;
  }
  spec_apply(o, &sp);
  o->sup->target = tgt;
  o->sup->stop_loss = sl;
  o->sup->trail = trail;
  o->leg_no = 1;
  scopy(o->leg_name, sizeof(o->leg_name), "ENTRY_LEG");
  scopy(o->remarks, sizeof(o->remarks), "Super Order");
  orders_submit(s, o);
  scopy(r->stamp_order, sizeof(r->stamp_order), o->id);
  resp_json(r, 200, order_ack_json(o));
}

static order_t *make_leg(sim_t *s, order_t *e, int no) {
  order_t *l = orders_new(s, e->acct);
  if (l == NULL)
    return NULL;
  l->ins = e->ins;
  l->parent = e;
  l->leg_no = no;
  l->qty = e->qty;
  scopy(l->txn, sizeof(l->txn), strcmp(e->txn, "BUY") == 0 ? "SELL" : "BUY");
  scopy(l->segment, sizeof(l->segment), e->segment);
  scopy(l->product, sizeof(l->product), e->product);
  scopy(l->security_id, sizeof(l->security_id), e->security_id);
  scopy(l->corr, sizeof(l->corr), e->corr);
  scopy(l->remarks, sizeof(l->remarks), "Super Order");
  if (no == 2) {
    scopy(l->otype, sizeof(l->otype), "STOP_LOSS_MARKET");
    scopy(l->leg_name, sizeof(l->leg_name), "STOP_LOSS_LEG");
    l->trigger = e->sup->stop_loss;
  } else {
    scopy(l->otype, sizeof(l->otype), "LIMIT");
    scopy(l->leg_name, sizeof(l->leg_name), "TARGET_LEG");
    l->price = e->sup->target;
  }
  orders_submit(s, l);
  return l;
}

void super_entry_traded(sim_t *s, order_t *e) {
  if (!e->sup->sl_cancelled)
    e->sup->sl_leg = make_leg(s, e, 2);
  if (!e->sup->target_cancelled)
    e->sup->target_leg = make_leg(s, e, 3);
}

void super_leg_traded(sim_t *s, order_t *leg) {
  super_ext_t *x = leg->parent->sup;
  order_t *other = leg == x->sl_leg ? x->target_leg : x->sl_leg;
  if (other && orders_is_open(other))
    orders_cancel(s, other);
}

static order_t *find_super(sim_t *s, req_t *r, const char *id) {
  order_t *o = orders_find(s, r->acct, id);
  if (o == NULL || o->sup == NULL) {
    resp_dh907(r, "Super order not found");
    return NULL;
  }
  scopy(r->stamp_order, sizeof(r->stamp_order), o->id);
  return o;
}

static int modify_entry(sim_t *s, req_t *r, order_t *o) {
  super_ext_t *x = o->sup;
  int64_t qty = o->qty;
  double px = o->price, tgt = x->target, sl = x->stop_loss, tr = x->trail;
  const char *ot = o->otype;
  static const char *const types[] = { "LIMIT", "MARKET", NULL };
  if (!orders_is_open(o)) {
    resp_dh906(r, "Entry leg can be modified only while pending");
    return -1;
  }
  if (spec_field(r, jx_enum(r->json, "orderType", types, &ot), "orderType",
                 0) ||
      spec_field(r, jx_int(r->json, "quantity", &qty), "quantity", 0) ||
      spec_field(r, jx_num(r->json, "price", &px), "price", 0) ||
      spec_field(r, jx_num(r->json, "targetPrice", &tgt), "targetPrice", 0) ||
      spec_field(r, jx_num(r->json, "stopLossPrice", &sl), "stopLossPrice",
                 0) ||
      spec_field(r, jx_num(r->json, "trailingJump", &tr), "trailingJump", 0) ||
      spec_check_qty(r, o->ins, qty) ||
      !legs_ok(r, o->txn, strcmp(ot, "MARKET") ? px : orders_ltp(s, o), tgt,
               sl))
    return -1;
  scopy(o->otype, sizeof(o->otype), ot);
  o->qty = qty;
  o->price = strcmp(ot, "MARKET") ? px : 0;
  x->target = tgt;
  x->stop_loss = sl;
  x->trail = tr;
  orders_modified(s, o);
  return 0;
}

static int modify_exit(sim_t *s, req_t *r, order_t *o, int sl_leg) {
  super_ext_t *x = o->sup;
  order_t *leg = sl_leg ? x->sl_leg : x->target_leg;
  double v = sl_leg ? x->stop_loss : x->target, tr = 0;
  if (sl_leg ? x->sl_cancelled : x->target_cancelled) {
    resp_dh906(r, "This leg was cancelled and cannot be modified");
    return -1;
  }
  if (spec_field(r,
                 jx_num(r->json, sl_leg ? "stopLossPrice" : "targetPrice", &v),
                 sl_leg ? "stopLossPrice" : "targetPrice", 1) ||
      spec_field(r, jx_num(r->json, "trailingJump", &tr), "trailingJump", 0))
    return -1;
  if (sl_leg) {
    x->stop_loss = v;
    x->trail = tr;
  } else {
    x->target = v;
  }
  if (leg && orders_is_open(leg)) {
    if (sl_leg)
      leg->trigger = v;
    else
      leg->price = v;
    orders_modified(s, leg);
  }
  return 0;
}

static void modify(sim_t *s, req_t *r, char **p) {
  const char *oid, *leg;
  order_t *o;
  int rc;
  if (r->json == NULL || jx_only(r->json, modify_fields)) {
    resp_dh905(r, "Unknown or misnamed field in request body");
    return;
  }
  if (spec_field(r, jx_str(r->json, "orderId", &oid), "orderId", 1) ||
      spec_field(r, jx_enum(r->json, "legName", v_leg, &leg), "legName", 1))
    return;
  if (strcmp(oid, p[0]) != 0) {
    resp_dh905(r, "orderId in the body does not match the path");
    return;
  }
  if ((o = find_super(s, r, p[0])) == NULL)
    return;
  if (strcmp(leg, "ENTRY_LEG") == 0)
    rc = modify_entry(s, r, o);
  else
    rc = modify_exit(s, r, o, strcmp(leg, "STOP_LOSS_LEG") == 0);
  if (rc == 0)
    resp_json(r, 200, order_ack_json(o));
}

static void cancel_leg(sim_t *s, order_t *leg) {
  if (leg && orders_is_open(leg))
    orders_cancel(s, leg);
}

static void cancel(sim_t *s, req_t *r, char **p) {
  order_t *o = find_super(s, r, p[0]);
  super_ext_t *x;
  cJSON *ack;
  if (o == NULL)
    return;
  x = o->sup;
  if (strcmp(p[1], "ENTRY_LEG") == 0) {
    if (!orders_is_open(o) && x->sl_cancelled && x->target_cancelled) {
      resp_dh906(r, "Super order is already closed");
      return;
    }
    if (orders_is_open(o))
      orders_cancel(s, o);
    x->sl_cancelled = x->target_cancelled = 1;
    cancel_leg(s, x->sl_leg);
    cancel_leg(s, x->target_leg);
  } else if (strcmp(p[1], "TARGET_LEG") == 0 ||
             strcmp(p[1], "STOP_LOSS_LEG") == 0) {
    int sl = p[1][0] == 'S';
    if (sl ? x->sl_cancelled : x->target_cancelled) {
      resp_dh906(r, "Leg already cancelled");
      return;
    }
    *(sl ? &x->sl_cancelled : &x->target_cancelled) = 1;
    cancel_leg(s, sl ? x->sl_leg : x->target_leg);
  } else {
    resp_dh905(r, "Invalid value for field: order-leg");
    return;
  }
  ack = order_ack_json(o);
  cJSON_ReplaceItemInObject(ack, "orderStatus",
                            cJSON_CreateString("CANCELLED"));
  resp_json(r, 202, ack);
}

static void list(sim_t *s, req_t *r, char **p) {
  cJSON *arr = cJSON_CreateArray();
  (void)s;
  (void)p;
  for (size_t i = 0; i < r->acct->n_orders; i++)
    if (r->acct->orders[i]->sup)
      cJSON_AddItemToArray(arr, super_json(r->acct->orders[i]));
  resp_json(r, 200, arr);
}

const route_t routes_super[] = { { M_POST, "/super/orders", place, 1 },
                                 { M_PUT, "/super/orders/{}", modify, 1 },
                                 { M_DELETE, "/super/orders/{}/{}", cancel, 1 },
                                 { M_GET, "/super/orders", list, 1 },
                                 { 0, NULL, NULL, 0 } };
