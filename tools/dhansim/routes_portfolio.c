/*
 * routes_portfolio.c: §7 portfolio. Holdings (today's CNC buys, as T1
 * quantity), positions (one per segment + security + product, from the
 * fills), product conversion, and exit-all (DELETE /positions), which here
 * cancels open orders and squares off every open position with MARKET
 * orders (see README for this UNVERIFIED choice).
 */
#include <stdio.h>
#include <string.h>

#include "validate.h"

static const char *const convert_fields[] = {
  "dhanClientId", "fromProductType", "exchangeSegment",
  "positionType", "securityId",      "tradingSymbol",
  "convertQty",   "toProductType",   NULL
};

static position_t *find_pos(account_t *a, const char *seg, const char *sec,
                            const char *product) {
  for (size_t i = 0; i < a->n_positions; i++) {
    position_t *p = &a->positions[i];
    if (strcmp(p->segment, seg) == 0 && strcmp(p->security_id, sec) == 0 &&
        strcmp(p->product, product) == 0)
      return p;
  }
  return NULL;
}

static const ct_instrument_t *ins_of(sim_t *s, const position_t *p) {
  return ct_instruments_find(s->instruments, p->segment, p->security_id);
}

static cJSON *holding_json(sim_t *s, const position_t *p) {
  const ct_instrument_t *i = ins_of(s, p);
  int64_t net = p->buy_qty - p->sell_qty;
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "exchange", "ALL");
  cJSON_AddStringToObject(j, "tradingSymbol", i ? i->trading_symbol : "");
  cJSON_AddStringToObject(j, "securityId", p->security_id);
  cJSON_AddStringToObject(j, "isin", "");
  cJSON_AddNumberToObject(j, "totalQty", (double)net);
  cJSON_AddNumberToObject(j, "dpQty", 0);
  cJSON_AddNumberToObject(j, "t1Qty", (double)net);
  cJSON_AddNumberToObject(j, "availableQty", (double)net);
  cJSON_AddNumberToObject(j, "collateralQty", 0);
  cJSON_AddNumberToObject(j, "avgCostPrice",
                          p->buy_qty ? p->buy_val / (double)p->buy_qty : 0);
  cJSON_AddNumberToObject(j, "lastTradedPrice", i ? i->last_price : 0);
  return j;
}

static void holdings(sim_t *s, req_t *r, char **pp) {
  cJSON *arr = cJSON_CreateArray();
  (void)pp;
  for (size_t k = 0; k < r->acct->n_positions; k++) {
    const position_t *p = &r->acct->positions[k];
    if (strcmp(p->product, "CNC") == 0 && p->buy_qty > p->sell_qty)
      cJSON_AddItemToArray(arr, holding_json(s, p));
  }
  resp_json(r, 200, arr);
}

static void add_drv(cJSON *j, const ct_instrument_t *i) {
  int drv = i && i->expiry_date[0];
  if (drv)
    cJSON_AddStringToObject(j, "drvExpiryDate", i->expiry_date);
  else
    cJSON_AddNullToObject(j, "drvExpiryDate");
  if (drv && strcmp(i->option_type, "CE") == 0)
    cJSON_AddStringToObject(j, "drvOptionType", "CALL");
  else if (drv && strcmp(i->option_type, "PE") == 0)
    cJSON_AddStringToObject(j, "drvOptionType", "PUT");
  else
    cJSON_AddNullToObject(j, "drvOptionType");
  cJSON_AddNumberToObject(j, "drvStrikePrice", i ? i->strike_price : 0);
}

static cJSON *position_json(sim_t *s, const account_t *a, const position_t *p) {
  const ct_instrument_t *i = ins_of(s, p);
  int64_t net = p->buy_qty - p->sell_qty;
  double ba = p->buy_qty ? p->buy_val / (double)p->buy_qty : 0;
  double sa = p->sell_qty ? p->sell_val / (double)p->sell_qty : 0;
  int64_t closed = p->buy_qty < p->sell_qty ? p->buy_qty : p->sell_qty;
  double ltp = i ? s->ltp[i - ct_instruments_at(s->instruments, 0)] : 0;
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "dhanClientId", a->client_id);
  cJSON_AddStringToObject(j, "tradingSymbol", i ? i->trading_symbol : "");
  cJSON_AddStringToObject(j, "securityId", p->security_id);
  cJSON_AddStringToObject(j, "positionType",
                          net > 0   ? "LONG"
                          : net < 0 ? "SHORT"
                                    : "CLOSED");
  cJSON_AddStringToObject(j, "exchangeSegment", p->segment);
  cJSON_AddStringToObject(j, "productType", p->product);
  cJSON_AddNumberToObject(j, "buyAvg", ba);
  cJSON_AddNumberToObject(j, "costPrice", net >= 0 ? ba : sa);
  cJSON_AddNumberToObject(j, "buyQty", (double)p->buy_qty);
  cJSON_AddNumberToObject(j, "sellAvg", sa);
  cJSON_AddNumberToObject(j, "sellQty", (double)p->sell_qty);
  cJSON_AddNumberToObject(j, "netQty", (double)net);
  cJSON_AddNumberToObject(j, "realizedProfit", (double)closed * (sa - ba));
  cJSON_AddNumberToObject(j, "unrealizedProfit",
                          (double)net * (ltp - (net >= 0 ? ba : sa)));
  cJSON_AddNumberToObject(j, "rbiReferenceRate", 1);
  cJSON_AddNumberToObject(j, "multiplier", 1);
  cJSON_AddNumberToObject(j, "carryForwardBuyQty", 0);
  cJSON_AddNumberToObject(j, "carryForwardSellQty", 0);
  cJSON_AddNumberToObject(j, "carryForwardBuyValue", 0);
  cJSON_AddNumberToObject(j, "carryForwardSellValue", 0);
  cJSON_AddNumberToObject(j, "dayBuyQty", (double)p->buy_qty);
  cJSON_AddNumberToObject(j, "daySellQty", (double)p->sell_qty);
  cJSON_AddNumberToObject(j, "dayBuyValue", p->buy_val);
  cJSON_AddNumberToObject(j, "daySellValue", p->sell_val);
  add_drv(j, i);
  cJSON_AddBoolToObject(j, "crossCurrency", 0);
  return j;
}

static void positions(sim_t *s, req_t *r, char **pp) {
  cJSON *arr = cJSON_CreateArray();
  (void)pp;
  for (size_t k = 0; k < r->acct->n_positions; k++)
    cJSON_AddItemToArray(arr,
                         position_json(s, r->acct, &r->acct->positions[k]));
  resp_json(r, 200, arr);
}

static void convert(sim_t *s, req_t *r, char **pp) {
  const char *from, *to, *seg, *sec, *pt;
  int64_t qty;
  position_t *src, *dst;
  (void)s;
  (void)pp;
  if (r->json == NULL || jx_only(r->json, convert_fields) ||
      spec_field(r, jx_enum(r->json, "fromProductType", v_product, &from),
                 "fromProductType", 1) ||
      spec_field(r, jx_enum(r->json, "toProductType", v_product, &to),
                 "toProductType", 1) ||
      spec_field(r, jx_enum(r->json, "exchangeSegment", v_seg, &seg),
                 "exchangeSegment", 1) ||
      spec_field(r, jx_str(r->json, "positionType", &pt), "positionType", 1) ||
      spec_field(r, jx_str(r->json, "securityId", &sec), "securityId", 1) ||
      spec_field(r, jx_int(r->json, "convertQty", &qty), "convertQty", 1)) {
    if (r->out == NULL)
      resp_dh905(r, "Unknown or misnamed field in request body");
    return;
  }
  src = find_pos(r->acct, seg, sec, from);
  if (src == NULL || qty <= 0 || strcmp(from, to) == 0 ||
      (strcmp(pt, "LONG") == 0 ? src->buy_qty - src->sell_qty
                               : src->sell_qty - src->buy_qty) < qty) {
    resp_dh906(r, "No open position of that size to convert");
    return;
  }
  dst = accounts_position(r->acct, seg, sec, to);
  src = accounts_position(r->acct, seg, sec, from); /* dst may move it */
  if (dst == NULL || src == NULL) {
    resp_error(r, 500, "Internal_Server_Error", "DH-908", "Out of memory");
    return;
  }
  double px = strcmp(pt, "LONG") == 0 ? src->buy_val / (double)src->buy_qty
                                      : src->sell_val / (double)src->sell_qty;
  int64_t *sq = strcmp(pt, "LONG") == 0 ? &src->buy_qty : &src->sell_qty;
  int64_t *dq = strcmp(pt, "LONG") == 0 ? &dst->buy_qty : &dst->sell_qty;
  double *sv = strcmp(pt, "LONG") == 0 ? &src->buy_val : &src->sell_val;
  double *dv = strcmp(pt, "LONG") == 0 ? &dst->buy_val : &dst->sell_val;
  *sq -= qty;
  *sv -= px * (double)qty;
  *dq += qty;
  *dv += px * (double)qty;
  r->status = 202; /* "202 Accepted", no body */
}

static order_t *square_off(sim_t *s, account_t *a, const position_t *p) {
  int64_t net = p->buy_qty - p->sell_qty;
  order_t *o = orders_new(s, a);
  if (o == NULL)
    return NULL;
  o->ins = ct_instruments_find(s->instruments, p->segment, p->security_id);
  scopy(o->txn, sizeof(o->txn), net > 0 ? "SELL" : "BUY");
  scopy(o->segment, sizeof(o->segment), p->segment);
  scopy(o->product, sizeof(o->product), p->product);
  scopy(o->security_id, sizeof(o->security_id), p->security_id);
  scopy(o->otype, sizeof(o->otype), "MARKET");
  o->qty = net > 0 ? net : -net;
  orders_submit(s, o);
  return o;
}

static void exit_all(sim_t *s, req_t *r, char **pp) {
  account_t *a = r->acct;
  size_t n = 0, np = a->n_positions;
  cJSON *j;
  (void)pp;
  for (size_t i = 0; i < a->n_orders; i++)
    if (!a->orders[i]->forever && orders_is_open(a->orders[i])) {
      orders_cancel(s, a->orders[i]);
      n++;
    }
  for (size_t k = 0; k < np; k++) {
    position_t p = a->positions[k]; /* square_off may grow the table */
    if (p.buy_qty != p.sell_qty && square_off(s, a, &p))
      n++;
  }
  if (n == 0) {
    resp_dh907(r, "No open positions or orders found to exit");
    return;
  }
  j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "status", "SUCCESS");
  cJSON_AddStringToObject(j, "message", "All positions and orders exited");
  resp_json(r, 200, j);
}

const route_t routes_portfolio[] = { { M_GET, "/holdings", holdings, 0 },
                                     { M_GET, "/positions", positions, 0 },
                                     { M_POST, "/positions/convert", convert,
                                       0 },
                                     { M_DELETE, "/positions", exit_all, 0 },
                                     { 0, NULL, NULL, 0 } };
