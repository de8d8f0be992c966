/*
 * routes_forever.c: §5 forever (GTT) orders, SINGLE and OCO. A forever
 * order sits in status CONFIRM (it is pushed once on the order-update
 * socket) until POST /admin/forever/trigger fires it: it then becomes
 * TRIGGERED and places an ordinary order (same correlationId; or, under
 * --forever-spawn-gtt, none and a GoodTillDaysDate) that follows the
 * normal lifecycle. Listed on both /forever/orders and /forever/all
 * (without correlationId under --forever-list-documented).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "validate.h"

static const char *const flags[] = { "SINGLE", "OCO", NULL };
static const char *const create_fields[] = { "dhanClientId",
                                             "correlationId",
                                             "orderFlag",
                                             "transactionType",
                                             "exchangeSegment",
                                             "productType",
                                             "orderType",
                                             "validity",
                                             "securityId",
                                             "quantity",
                                             "disclosedQuantity",
                                             "price",
                                             "triggerPrice",
                                             "price1",
                                             "triggerPrice1",
                                             "quantity1",
                                             NULL };
static const char *const modify_fields[] = {
  "dhanClientId", "orderId",  "orderFlag", "orderType",
  "legName",      "quantity", "price",     "disclosedQuantity",
  "triggerPrice", "validity", NULL
};

static int read_oco(req_t *r, order_t *tmp, int required) {
  if (spec_field(r, jx_num(r->json, "price1", &tmp->price1), "price1",
                 required) ||
      spec_field(r, jx_num(r->json, "triggerPrice1", &tmp->trigger1),
                 "triggerPrice1", required) ||
      spec_field(r, jx_int(r->json, "quantity1", &tmp->qty1), "quantity1",
                 required))
    return -1;
  return 0;
}

static void create(sim_t *s, req_t *r, char **p) {
  const char *flag;
  spec_t sp;
  order_t tmp, *o;
  (void)p;
  memset(&tmp, 0, sizeof(tmp));
  if (r->json && jx_only(r->json, create_fields)) {
    resp_dh905(r, "Unknown or misnamed field in request body");
    return;
  }
  if (spec_read(s, r, r->json, &sp, SPEC_FOREVER) ||
      spec_field(r, jx_enum(r->json, "orderFlag", flags, &flag), "orderFlag",
                 1) ||
      (strcmp(flag, "OCO") == 0 &&
       (read_oco(r, &tmp, 1) || spec_check_qty(r, sp.ins, tmp.qty1))))
    return;
  o = orders_new(s, r->acct);
  if (o == NULL) {
    resp_error(r, 500, "Internal_Server_Error", "DH-908", "Out of memory");
    return;
  }
  spec_apply(o, &sp);
  o->forever = strcmp(flag, "OCO") == 0 ? 2 : 1;
  o->price1 = tmp.price1;
  o->trigger1 = tmp.trigger1;
  o->qty1 = tmp.qty1;
  scopy(o->leg_name, sizeof(o->leg_name), "TARGET_LEG");
  sim_ist_now(o->create_time);
  scopy(o->update_time, sizeof(o->update_time), o->create_time);
  scopy(o->status, sizeof(o->status), "CONFIRM");
  orders_changed(s, o);
  scopy(r->stamp_order, sizeof(r->stamp_order), o->id);
  resp_json(r, 200, order_ack_json(o));
}

static order_t *find_active(sim_t *s, req_t *r, const char *id) {
  order_t *o = orders_find(s, r->acct, id);
  if (o == NULL || !o->forever) {
    resp_dh907(r, "Forever order not found");
    return NULL;
  }
  scopy(r->stamp_order, sizeof(r->stamp_order), o->id);
  if (strcmp(o->status, "CONFIRM") != 0) {
    resp_dh906(r, "Forever order is no longer active");
    return NULL;
  }
  return o;
}

static void modify(sim_t *s, req_t *r, char **p) {
  const char *oid, *flag, *ot, *leg, *val;
  order_t *o;
  int64_t qty;
  double px, tr;
  if (r->json == NULL || jx_only(r->json, modify_fields)) {
    resp_dh905(r, "Unknown or misnamed field in request body");
    return;
  }
  if (spec_field(r, jx_str(r->json, "orderId", &oid), "orderId", 1) ||
      spec_field(r, jx_enum(r->json, "orderFlag", flags, &flag), "orderFlag",
                 1) ||
      spec_field(r, jx_enum(r->json, "orderType", v_otype, &ot), "orderType",
                 1) ||
      spec_field(r, jx_enum(r->json, "legName", v_leg, &leg), "legName", 1) ||
      spec_field(r, jx_enum(r->json, "validity", v_validity, &val), "validity",
                 1) ||
      spec_field(r, jx_int(r->json, "quantity", &qty), "quantity", 1) ||
      spec_field(r, jx_num(r->json, "price", &px), "price", 1) ||
      spec_field(r, jx_num(r->json, "triggerPrice", &tr), "triggerPrice", 1))
    return;
  if (strcmp(oid, p[0]) != 0) {
    resp_dh905(r, "orderId in the body does not match the path");
    return;
  }
  if ((o = find_active(s, r, p[0])) == NULL || spec_check_qty(r, o->ins, qty))
    return;
  if (strcmp(leg, "STOP_LOSS_LEG") == 0 && o->forever == 2) {
    o->qty1 = qty;
    o->price1 = px;
    o->trigger1 = tr;
  } else {
    o->qty = qty;
    o->price = px;
    o->trigger = tr;
    scopy(o->otype, sizeof(o->otype), ot);
    scopy(o->validity, sizeof(o->validity), val);
  }
  o->mods++;
  sim_ist_now(o->update_time);
  orders_changed(s, o);
  resp_json(r, 200, order_ack_json(o));
}

static void delete (sim_t *s, req_t *r, char **p) {
  order_t *o = find_active(s, r, p[0]);
  if (o == NULL)
    return;
  scopy(o->status, sizeof(o->status), "CANCELLED");
  sim_ist_now(o->update_time);
  orders_changed(s, o);
  resp_json(r, 200, order_ack_json(o));
}

/* With --forever-list-documented the items are shaped like Dhan's
 * documented list example (§5): no correlationId, and the SINGLE/OCO flag
 * in orderType with no orderFlag. The admin plane's list keeps both. */
static void list(sim_t *s, req_t *r, char **p) {
  cJSON *arr = cJSON_CreateArray();
  (void)p;
  for (size_t i = 0; i < r->acct->n_orders; i++) {
    cJSON *j;
    if (!r->acct->orders[i]->forever)
      continue;
    j = forever_json(r->acct->orders[i]);
    if (s->forever_list_documented) {
      cJSON_DeleteItemFromObject(j, "correlationId");
      cJSON_DeleteItemFromObject(j, "orderType");
      cJSON_AddItemToObject(j, "orderType",
                            cJSON_DetachItemFromObject(j, "orderFlag"));
    }
    cJSON_AddItemToArray(arr, j);
  }
  resp_json(r, 200, arr);
}

void forever_trigger(sim_t *s, order_t *f, int second) {
  order_t *o = orders_new(s, f->acct);
  scopy(f->status, sizeof(f->status), "TRIGGERED");
  sim_ist_now(f->update_time);
  orders_changed(s, f);
  if (o == NULL)
    return;
  o->ins = f->ins;
  scopy(o->txn, sizeof(o->txn), f->txn);
  scopy(o->segment, sizeof(o->segment), f->segment);
  scopy(o->product, sizeof(o->product), f->product);
  scopy(o->otype, sizeof(o->otype), f->otype);
  scopy(o->validity, sizeof(o->validity), f->validity);
  scopy(o->security_id, sizeof(o->security_id), f->security_id);
  if (s->forever_spawn_gtt) /* a year on, as Dhan's forever validity */
    sim_ist_at((int64_t)time(NULL) + 365 * 86400, o->gtt_date);
  else
    scopy(o->corr, sizeof(o->corr), f->corr);
  o->qty = second ? f->qty1 : f->qty;
  o->price = second ? f->price1 : f->price;
  o->disc_qty = f->disc_qty;
  if (strncmp(o->otype, "STOP_LOSS", 9) == 0)
    o->trigger = second ? f->trigger1 : f->trigger;
  f->spawned = o;
  orders_submit(s, o);
}

const route_t routes_forever[] = { { M_POST, "/forever/orders", create, 1 },
                                   { M_PUT, "/forever/orders/{}", modify, 1 },
                                   { M_DELETE, "/forever/orders/{}", delete,
                                     1 },
                                   { M_GET, "/forever/orders", list, 1 },
                                   { M_GET, "/forever/all", list, 1 },
                                   { 0, NULL, NULL, 0 } };
