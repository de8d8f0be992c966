/*
 * admin.c: the test and benchmark control plane under /admin (outside /v2,
 * no authentication, JSON in and out). Order books and stamps for
 * assertions; manual fills, last-price changes, reject rules, forever,
 * creation-time and fault control. See README "Admin endpoints".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "orders.h"

static void bad(req_t *r, int status, const char *msg) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "error", msg);
  resp_json(r, status, j);
}

static void ok(req_t *r) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddBoolToObject(j, "ok", 1);
  resp_json(r, 200, j);
}

static order_t *any_order(sim_t *s, const char *id) {
  for (size_t i = 0; i < s->n_accounts; i++) {
    order_t *o = orders_find(s, s->accounts[i], id);
    if (o)
      return o;
  }
  return NULL;
}

static void get_orders(sim_t *s, req_t *r) {
  char buf[64];
  const char *id = query_arg(r, "account", buf, sizeof(buf));
  account_t *a = accounts_by_id(s, id);
  cJSON *arr;
  if (a == NULL) {
    bad(r, 404, "unknown account");
    return;
  }
  arr = cJSON_CreateArray();
  for (size_t i = 0; i < a->n_orders; i++)
    cJSON_AddItemToArray(arr, a->orders[i]->forever
                                  ? forever_json(a->orders[i])
                                  : order_rest_json(a->orders[i]));
  resp_json(r, 200, arr);
}

static void get_requests(sim_t *s, req_t *r) {
  char acct[64], after[32];
  const char *a = query_arg(r, "account", acct, sizeof(acct));
  const char *n = query_arg(r, "after", after, sizeof(after));
  resp_json(r, 200, reqlog_json(s, a, n ? strtoull(n, NULL, 10) : 0));
}

static void fill(sim_t *s, req_t *r, const cJSON *j) {
  const char *id;
  int64_t qty = 0;
  double px = 0;
  order_t *o;
  int rc;
  if (jx_str(j, "orderId", &id) != JX_OK || (o = any_order(s, id)) == NULL) {
    bad(r, 404, "unknown orderId");
    return;
  }
  if (jx_int(j, "quantity", &qty) == JX_MISSING)
    qty = o->qty - o->filled;
  if (jx_num(j, "price", &px) != JX_OK)
    px = o->price > 0 ? o->price : orders_ltp(s, o);
  rc = orders_fill(s, o, qty, px);
  if (rc)
    bad(r, 409, "order not open or quantity out of range");
  else
    resp_json(r, 200, order_rest_json(o));
}

static void set_ltp(sim_t *s, req_t *r, const cJSON *j) {
  const char *seg, *sec;
  double px;
  if (jx_str(j, "exchangeSegment", &seg) != JX_OK ||
      jx_str(j, "securityId", &sec) != JX_OK ||
      jx_num(j, "lastPrice", &px) != JX_OK || px <= 0 ||
      ct_instruments_find(s->instruments, seg, sec) == NULL) {
    bad(r, 400, "need exchangeSegment, securityId (known), lastPrice > 0");
    return;
  }
  orders_set_ltp(s, seg, sec, px);
  ok(r);
}

static void reject_rule(sim_t *s, req_t *r, const cJSON *j) {
  const char *id, *why = "";
  int64_t n = 1;
  account_t *a;
  if (jx_str(j, "account", &id) != JX_OK ||
      (a = accounts_by_id(s, id)) == NULL || jx_int(j, "count", &n) == JX_BAD ||
      jx_str(j, "reason", &why) == JX_BAD) {
    bad(r, 400, "need account (known), count, reason");
    return;
  }
  a->reject_next = (int)n;
  scopy(a->reject_reason, sizeof(a->reject_reason), why);
  ok(r);
}

static void trigger(sim_t *s, req_t *r, const cJSON *j) {
  const char *id, *leg = "TARGET_LEG";
  order_t *o;
  jx_str(j, "legName", &leg);
  if (jx_str(j, "orderId", &id) != JX_OK || (o = any_order(s, id)) == NULL ||
      !o->forever || strcmp(o->status, "CONFIRM") != 0) {
    bad(r, 409, "unknown or not an active forever order");
    return;
  }
  forever_trigger(s, o, o->forever == 2 && strcmp(leg, "STOP_LOSS_LEG") == 0);
  resp_json(r, 200, forever_json(o));
}

/* Move an order's createTime `seconds` back from now: for tests of a
 * client that must tell an order made before its own intent. */
static void backdate(sim_t *s, req_t *r, const cJSON *j) {
  const char *id;
  int64_t secs;
  order_t *o;
  if (jx_str(j, "orderId", &id) != JX_OK || (o = any_order(s, id)) == NULL ||
      jx_int(j, "seconds", &secs) != JX_OK || secs < 0) {
    bad(r, 400, "need orderId (known), seconds >= 0");
    return;
  }
  sim_ist_at((int64_t)time(NULL) - secs, o->create_time);
  resp_json(r, 200, o->forever ? forever_json(o) : order_rest_json(o));
}

static void ws_control(sim_t *s, req_t *r, const cJSON *j) {
  double every = -1;
  jx_num(j, "everyMs", &every);
  if (every >= 0) {
    s->ws_drop_every_ms = (uint64_t)every;
    faults_ws_drop_start(s);
  } else {
    ws_drop_all(s);
  }
  ok(r);
}

static void post(sim_t *s, req_t *r, const char *what, const cJSON *j) {
  const char *err = "bad request";
  double ms = 0;
  if (strcmp(what, "fill") == 0)
    fill(s, r, j);
  else if (strcmp(what, "ltp") == 0)
    set_ltp(s, r, j);
  else if (strcmp(what, "reject") == 0)
    reject_rule(s, r, j);
  else if (strcmp(what, "forever/trigger") == 0)
    trigger(s, r, j);
  else if (strcmp(what, "backdate") == 0)
    backdate(s, r, j);
  else if (strcmp(what, "ws/drop") == 0)
    ws_control(s, r, j);
  else if (strcmp(what, "faults") == 0)
    faults_set(s, j, &err) ? bad(r, 400, err) : ok(r);
  else if (strcmp(what, "refuse") == 0 && jx_num(j, "ms", &ms) == JX_OK) {
    s->refuse_until_ns = uv_hrtime() + (uint64_t)(ms * 1e6);
    ok(r);
  } else if (strcmp(what, "stamps/clear") == 0) {
    stamps_clear(s);
    reqlog_clear(s);
    ok(r);
  } else if (strcmp(what, "requests/clear") == 0) {
    reqlog_clear(s);
    ok(r);
  } else
    bad(r, 404, "unknown admin endpoint");
}

void admin_handle(sim_t *s, req_t *r) {
  const char *what = r->path + 7;
  char buf[64];
  cJSON *j;
  if (r->method == M_GET && strcmp(what, "orders") == 0)
    return get_orders(s, r);
  if (r->method == M_GET && strcmp(what, "stamps") == 0)
    return resp_json(r, 200,
                     stamps_json(s, query_arg(r, "account", buf, sizeof(buf))));
  if (r->method == M_GET && strcmp(what, "requests") == 0)
    return get_requests(s, r);
  if (r->method == M_GET && strcmp(what, "health") == 0)
    return ok(r);
  if (r->method != M_POST)
    return bad(r, 404, "unknown admin endpoint");
  j = r->body_len ? cJSON_ParseWithLength(r->body, r->body_len)
                  : cJSON_CreateObject();
  if (!cJSON_IsObject(j))
    bad(r, 400, "body must be a JSON object");
  else
    post(s, r, what, j);
  cJSON_Delete(j);
}
