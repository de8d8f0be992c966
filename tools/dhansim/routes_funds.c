/*
 * routes_funds.c: §8 funds and margin. /fundlimit uses Dhan's own
 * misspellings (availabelBalance, receiveableAmount). The margin
 * calculator answers accounts_margin() (dhansim.h): cash at order value
 * (quantity x price, or the last price for market orders) times 0.2 for
 * INTRADAY and 1 otherwise; futures and option sells span + exposure, a
 * fraction of the notional; option buys the premium.
 */
#include <stdio.h>
#include <string.h>

#include "validate.h"

static const char *const margin_fields[] = {
  "dhanClientId", "exchangeSegment", "transactionType",
  "quantity",     "productType",     "securityId",
  "price",        "triggerPrice",    NULL
};
static const char *const multi_fields[] = { "dhanClientId",
                                            "includePosition",
                                            "includeOrder",
                                            "includeOrders",
                                            "scripList",
                                            "scripts",
                                            NULL };

static void fundlimit(sim_t *s, req_t *r, char **p) {
  account_t *a = r->acct;
  double avail = accounts_available(a), used = a->sod - avail;
  cJSON *j = cJSON_CreateObject();
  (void)s;
  (void)p;
  cJSON_AddStringToObject(j, "dhanClientId", a->client_id);
  cJSON_AddNumberToObject(j, "availabelBalance", avail);
  cJSON_AddNumberToObject(j, "sodLimit", a->sod);
  cJSON_AddNumberToObject(j, "collateralAmount", 0);
  cJSON_AddNumberToObject(j, "receiveableAmount", 0);
  cJSON_AddNumberToObject(j, "utilizedAmount", used > 0 ? used : 0);
  cJSON_AddNumberToObject(j, "blockedPayoutAmount", 0);
  cJSON_AddNumberToObject(j, "withdrawableBalance", avail > 0 ? avail : 0);
  resp_json(r, 200, j);
}

/* Margin of one scrip; -1 with the error response filled on bad input. */
static int one_margin(sim_t *s, req_t *r, const cJSON *j, sim_margin_t *m,
                      const char **product) {
  const char *seg, *txn, *sec;
  const ct_instrument_t *ins;
  int64_t qty;
  double px = 0, trig = 0;
  if (spec_field(r, jx_enum(j, "exchangeSegment", v_seg, &seg),
                 "exchangeSegment", 1) ||
      spec_field(r, jx_enum(j, "transactionType", v_txn, &txn),
                 "transactionType", 1) ||
      spec_field(r, jx_enum(j, "productType", v_product, product),
                 "productType", 1) ||
      spec_field(r, jx_str(j, "securityId", &sec), "securityId", 1) ||
      spec_field(r, jx_int(j, "quantity", &qty), "quantity", 1) ||
      spec_field(r, jx_num(j, "price", &px), "price", 0) ||
      spec_field(r, jx_num(j, "triggerPrice", &trig), "triggerPrice", 0))
    return -1;
  ins = ct_instruments_find(s->instruments, seg, sec);
  if (ins == NULL) {
    resp_dh905(r, "Invalid securityId for the exchangeSegment");
    return -1;
  }
  if (spec_check_qty(r, ins, qty))
    return -1;
  if (px <= 0)
    px = s->ltp[ins - ct_instruments_at(s->instruments, 0)];
  accounts_margin(ins, strcmp(txn, "BUY") == 0, *product, qty, px, m);
  return 0;
}

static void margin(sim_t *s, req_t *r, char **p) {
  const char *product;
  double avail = accounts_available(r->acct);
  sim_margin_t m;
  cJSON *j;
  (void)p;
  if (r->json == NULL || jx_only(r->json, margin_fields)) {
    resp_dh905(r, "Unknown or misnamed field in request body");
    return;
  }
  if (one_margin(s, r, r->json, &m, &product))
    return;
  j = cJSON_CreateObject();
  cJSON_AddNumberToObject(j, "totalMargin", m.total);
  cJSON_AddNumberToObject(j, "spanMargin", m.span);
  cJSON_AddNumberToObject(j, "exposureMargin", m.exposure);
  cJSON_AddNumberToObject(j, "availableBalance", avail);
  cJSON_AddNumberToObject(j, "variableMargin", m.variable);
  cJSON_AddNumberToObject(j, "insufficientBalance",
                          m.total > avail ? m.total - avail : 0);
  cJSON_AddNumberToObject(j, "brokerage", 20);
  cJSON_AddStringToObject(j, "leverage",
                          strcmp(product, "INTRADAY") == 0 ? "5.00" : "1.00");
  resp_json(r, 200, j);
}

static void add_money(cJSON *j, const char *k, double v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.2f", v);
  cJSON_AddStringToObject(j, k, buf);
}

static void margin_multi(sim_t *s, req_t *r, char **p) {
  const cJSON *list, *it;
  double total = 0;
  sim_margin_t m;
  const char *product;
  cJSON *j;
  (void)p;
  if (r->json == NULL || jx_only(r->json, multi_fields)) {
    resp_dh905(r, "Unknown or misnamed field in request body");
    return;
  }
  list = cJSON_GetObjectItemCaseSensitive(r->json, "scripList");
  if (list == NULL)
    list = cJSON_GetObjectItemCaseSensitive(r->json, "scripts");
  if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
    resp_dh905(r, "Missing required field: scripList");
    return;
  }
  cJSON_ArrayForEach(it, list) {
    if (one_margin(s, r, it, &m, &product))
      return;
    total += m.total;
  }
  j = cJSON_CreateObject();
  add_money(j, "total_margin", total);
  add_money(j, "span_margin", total * 0.7);
  add_money(j, "exposure_margin", total * 0.3);
  add_money(j, "equity_margin", 0);
  add_money(j, "fo_margin", total);
  add_money(j, "commodity_margin", 0);
  add_money(j, "currency", 0); /* currency-segment margin (§8, README) */
  add_money(j, "hedge_benefit", 0);
  resp_json(r, 200, j);
}

const route_t routes_funds[] = { { M_GET, "/fundlimit", fundlimit, 0 },
                                 { M_POST, "/margincalculator", margin, 0 },
                                 { M_POST, "/margincalculator/multi",
                                   margin_multi, 0 },
                                 { 0, NULL, NULL, 0 } };
