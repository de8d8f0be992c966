/*
 * routes_control.c: §10 trader's control. The kill switch takes its status
 * in the query string and no body; it can be activated only with no open
 * orders and no open positions (DH-906 otherwise), and while active every
 * new order is REJECTED. P&L exit stores its settings (POST/GET/DELETE);
 * dhansim does not watch P&L.
 */
#include <stdio.h>
#include <string.h>

#include "orders.h"

static const char *const pnl_fields[] = { "dhanClientId",     "profitValue",
                                          "lossValue",        "productType",
                                          "enableKillSwitch", NULL };

static int flat(const account_t *a) {
  for (size_t i = 0; i < a->n_orders; i++)
    if (!a->orders[i]->forever && orders_is_open(a->orders[i]))
      return 0;
  for (size_t i = 0; i < a->n_positions; i++)
    if (a->positions[i].buy_qty != a->positions[i].sell_qty)
      return 0;
  return 1;
}

static void ks_reply(req_t *r, const char *status) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "dhanClientId", r->acct->client_id);
  cJSON_AddStringToObject(j, "killSwitchStatus", status);
  resp_json(r, 200, j);
}

static void ks_set(sim_t *s, req_t *r, char **p) {
  char v[32];
  const char *st = query_arg(r, "killSwitchStatus", v, sizeof(v));
  (void)s;
  (void)p;
  if (r->body_len > 0) {
    resp_dh905(r, "killSwitchStatus goes in the query string, not the body");
    return;
  }
  if (st && strcmp(st, "ACTIVATE") == 0) {
    if (!flat(r->acct)) {
      resp_dh906(r,
                 "Close all positions and pending orders before "
                 "activating the kill switch");
      return;
    }
    r->acct->killswitch = 1;
    ks_reply(r, "Kill Switch has been successfully activated");
  } else if (st && strcmp(st, "DEACTIVATE") == 0) {
    r->acct->killswitch = 0;
    ks_reply(r, "Kill Switch has been successfully deactivated");
  } else {
    resp_dh905(r, "killSwitchStatus must be ACTIVATE or DEACTIVATE");
  }
}

static void ks_get(sim_t *s, req_t *r, char **p) {
  (void)s;
  (void)p;
  ks_reply(r, r->acct->killswitch ? "ACTIVATE" : "DEACTIVATE");
}

static int read_products(req_t *r, char *out, size_t cap) {
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(r->json, "productType");
  const cJSON *it;
  size_t used = 0;
  out[0] = '\0';
  if (arr == NULL)
    return 0;
  if (!cJSON_IsArray(arr))
    return -1;
  cJSON_ArrayForEach(it, arr) {
    if (!cJSON_IsString(it) || (strcmp(it->valuestring, "INTRADAY") &&
                                strcmp(it->valuestring, "DELIVERY")))
      return -1;
    used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "," : "",
                             it->valuestring);
    if (used >= cap)
      return -1;
  }
  return 0;
}

static void pnl_set(sim_t *s, req_t *r, char **p) {
  account_t *a = r->acct;
  const char *cid;
  double profit = 0, loss = 0;
  int kill = 0;
  cJSON *j;
  (void)s;
  (void)p;
  if (r->json == NULL || jx_only(r->json, pnl_fields) ||
      jx_str(r->json, "dhanClientId", &cid) != JX_OK ||
      jx_num(r->json, "profitValue", &profit) == JX_BAD ||
      jx_num(r->json, "lossValue", &loss) == JX_BAD ||
      jx_bool(r->json, "enableKillSwitch", &kill) == JX_BAD ||
      read_products(r, a->pnl_products, sizeof(a->pnl_products)) ||
      profit < 0 || loss < 0) {
    resp_dh905(r,
               "Expected dhanClientId, profitValue, lossValue, "
               "productType[INTRADAY|DELIVERY], enableKillSwitch");
    return;
  }
  a->pnl_active = 1;
  a->pnl_profit = profit;
  a->pnl_loss = loss;
  a->pnl_kill = kill;
  j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "pnlExitStatus", "ACTIVE");
  cJSON_AddStringToObject(j, "message",
                          "P&L based exit has been configured successfully");
  resp_json(r, 200, j);
}

static void pnl_get(sim_t *s, req_t *r, char **p) {
  account_t *a = r->acct;
  cJSON *j = cJSON_CreateObject(), *arr = cJSON_CreateArray();
  char buf[64], *tok, *save;
  (void)s;
  (void)p;
  cJSON_AddStringToObject(j, "pnlExitStatus",
                          a->pnl_active ? "ACTIVE" : "DISABLED");
  snprintf(buf, sizeof(buf), "%.2f", a->pnl_profit);
  cJSON_AddStringToObject(j, "profit", buf);
  snprintf(buf, sizeof(buf), "%.2f", a->pnl_loss);
  cJSON_AddStringToObject(j, "loss", buf);
  scopy(buf, sizeof(buf), a->pnl_products);
  for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
    cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
  cJSON_AddItemToObject(j, "productType", arr);
  cJSON_AddBoolToObject(j, "enable_kill_switch", a->pnl_kill);
  resp_json(r, 200, j);
}

static void pnl_delete(sim_t *s, req_t *r, char **p) {
  cJSON *j = cJSON_CreateObject();
  (void)s;
  (void)p;
  r->acct->pnl_active = 0;
  cJSON_AddStringToObject(j, "pnlExitStatus", "DISABLED");
  cJSON_AddStringToObject(j, "message", "P&L based exit has been disabled");
  resp_json(r, 200, j);
}

const route_t routes_control[] = {
  { M_POST, "/killswitch", ks_set, 0 },    { M_GET, "/killswitch", ks_get, 0 },
  { M_POST, "/pnlExit", pnl_set, 0 },      { M_GET, "/pnlExit", pnl_get, 0 },
  { M_DELETE, "/pnlExit", pnl_delete, 0 }, { 0, NULL, NULL, 0 }
};
