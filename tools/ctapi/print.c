/*
 * print.c: ctapi's JSON output. The result header (classification, Dhan
 * error, HTTP status, local reason) plus "data": the parsed records, each
 * printed with Dhan's own key names. Tokens are never part of a record.
 */
#include <stdio.h>
#include <string.h>

#include "copytrader/error.h"
#include "ctapi.h"

#define S(k, v)     cJSON_AddStringToObject(j, k, v)
#define N(k, v)     cJSON_AddNumberToObject(j, k, (double)(v))
#define B(k, v)     cJSON_AddBoolToObject(j, k, v)
#define E(k, fn, v) S(k, fn(v) ? fn(v) : "")

static void ack(cJSON *j, const void *p) {
  const ct_dhan_order_ack_t *a = p;
  S("orderId", a->order_id);
  E("orderStatus", ct_dhan_status_str, a->status);
}

static void order(cJSON *j, const void *p) {
  const ct_dhan_order_t *o = p;
  S("orderId", o->order_id);
  S("correlationId", o->correlation_id);
  S("orderStatus", o->status_text);
  E("transactionType", ct_dhan_txn_str, o->txn);
  E("exchangeSegment", ct_dhan_segment_str, o->segment);
  E("productType", ct_dhan_product_str, o->product);
  E("orderType", ct_dhan_order_type_str, o->order_type);
  E("validity", ct_dhan_validity_str, o->validity);
  S("securityId", o->security_id);
  S("tradingSymbol", o->trading_symbol);
  N("quantity", o->quantity);
  N("filledQty", o->filled_qty);
  N("remainingQuantity", o->remaining_quantity);
  N("price", o->price);
  N("triggerPrice", o->trigger_price);
  N("averageTradedPrice", o->average_traded_price);
  S("createTime", o->create_time);
  S("updateTime", o->update_time);
  S("omsErrorCode", o->oms_error_code);
  S("omsErrorDescription", o->oms_error_description);
}

static void trade(cJSON *j, const void *p) {
  const ct_dhan_trade_t *t = p;
  S("orderId", t->order_id);
  S("exchangeTradeId", t->exchange_trade_id);
  E("transactionType", ct_dhan_txn_str, t->txn);
  E("exchangeSegment", ct_dhan_segment_str, t->segment);
  E("productType", ct_dhan_product_str, t->product);
  S("securityId", t->security_id);
  S("tradingSymbol", t->trading_symbol);
  N("tradedQuantity", t->traded_quantity);
  N("tradedPrice", t->traded_price);
  S("exchangeTime", t->exchange_time);
}

static void super_order(cJSON *j, const void *p) {
  const ct_dhan_super_order_t *o = p;
  S("orderId", o->order_id);
  S("correlationId", o->correlation_id);
  E("orderStatus", ct_dhan_status_str, o->status);
  S("securityId", o->security_id);
  N("quantity", o->quantity);
  N("price", o->price);
  N("legs", o->n_legs);
}

static void forever_order(cJSON *j, const void *p) {
  const ct_dhan_forever_order_t *o = p;
  S("orderId", o->order_id);
  E("orderStatus", ct_dhan_status_str, o->status);
  E("orderFlag", ct_dhan_order_flag_str, o->order_flag);
  S("securityId", o->security_id);
  N("quantity", o->quantity);
  N("price", o->price);
  N("triggerPrice", o->trigger_price);
}

static void holding(cJSON *j, const void *p) {
  const ct_dhan_holding_t *h = p;
  S("exchange", h->exchange);
  S("tradingSymbol", h->trading_symbol);
  S("securityId", h->security_id);
  S("isin", h->isin);
  N("totalQty", h->total_qty);
  N("availableQty", h->available_qty);
  N("avgCostPrice", h->avg_cost_price);
}

static void position(cJSON *j, const void *p) {
  const ct_dhan_position_t *o = p;
  S("securityId", o->security_id);
  S("tradingSymbol", o->trading_symbol);
  E("positionType", ct_dhan_position_type_str, o->position_type);
  E("exchangeSegment", ct_dhan_segment_str, o->segment);
  E("productType", ct_dhan_product_str, o->product);
  N("netQty", o->net_qty);
  N("buyQty", o->buy_qty);
  N("sellQty", o->sell_qty);
  N("realizedProfit", o->realized_profit);
  N("unrealizedProfit", o->unrealized_profit);
}

static void fund(cJSON *j, const void *p) {
  const ct_dhan_fund_limit_t *f = p;
  S("dhanClientId", f->client_id);
  N("availableBalance", f->available_balance);
  N("sodLimit", f->sod_limit);
  N("collateralAmount", f->collateral_amount);
  N("receivableAmount", f->receivable_amount);
  N("utilizedAmount", f->utilized_amount);
  N("blockedPayoutAmount", f->blocked_payout_amount);
  N("withdrawableBalance", f->withdrawable_balance);
}

static void margin(cJSON *j, const void *p) {
  const ct_dhan_margin_t *m = p;
  N("totalMargin", m->total_margin);
  N("spanMargin", m->span_margin);
  N("exposureMargin", m->exposure_margin);
  N("availableBalance", m->available_balance);
  N("variableMargin", m->variable_margin);
  N("insufficientBalance", m->insufficient_balance);
  N("brokerage", m->brokerage);
  S("leverage", m->leverage);
}

static void ledger(cJSON *j, const void *p) {
  const ct_dhan_ledger_entry_t *l = p;
  S("narration", l->narration);
  S("voucherdate", l->voucher_date);
  S("vouchernumber", l->voucher_number);
  N("debit", l->debit);
  N("credit", l->credit);
  N("runbal", l->runbal);
}

static void profile(cJSON *j, const void *p) {
  const ct_dhan_profile_t *o = p;
  S("dhanClientId", o->client_id);
  S("tokenValidity", o->token_validity);
  S("activeSegment", o->active_segment);
  S("ddpi", o->ddpi);
  S("mtf", o->mtf);
  S("dataPlan", o->data_plan);
  S("dataValidity", o->data_validity);
}

static void renew(cJSON *j, const void *p) {
  const ct_api_renew_t *r = p;
  S("dhanClientId", r->client_id);
  S("expiryTime", r->expiry_time);
  B("swapped", r->swapped);
}

static void killsw(cJSON *j, const void *p) {
  const ct_dhan_killswitch_t *k = p;
  S("dhanClientId", k->client_id);
  S("killSwitchStatus", k->text);
}

static void status(cJSON *j, const void *p) {
  const ct_api_status_t *s = p;
  S("status", s->status);
  S("message", s->message);
}

static void pnl(cJSON *j, const void *p) {
  const ct_api_pnl_t *o = p;
  S("pnlExitStatus", o->status);
  N("profit", o->profit);
  N("loss", o->loss);
  B("intraday", (o->products & CT_DHAN_PNL_INTRADAY) != 0);
  B("delivery", (o->products & CT_DHAN_PNL_DELIVERY) != 0);
  B("enableKillSwitch", o->enable_kill_switch);
}

static void inquiry(cJSON *j, const void *p) {
  const ct_dhan_edis_inquiry_t *e = p;
  S("isin", e->isin);
  S("status", e->status);
  S("remarks", e->remarks);
  N("totalQty", e->total_qty);
  N("aprvdQty", e->approved_qty);
}

static void form(cJSON *j, const void *p) {
  const ct_api_edis_form_t *f = p;
  S("dhanClientId", f->client_id);
  S("edisFormHtml", f->html);
}

typedef void (*printer_t)(cJSON *, const void *);

static printer_t printer(ct_api_call_t c) {
  switch (c) {
  case CT_API_PROFILE:
    return profile;
  case CT_API_RENEW_TOKEN:
    return renew;
  case CT_API_ORDER_LIST:
  case CT_API_ORDER_GET:
  case CT_API_ORDER_GET_BY_CORR:
    return order;
  case CT_API_TRADE_LIST:
  case CT_API_TRADES_OF_ORDER:
  case CT_API_TRADE_HISTORY:
    return trade;
  case CT_API_SUPER_LIST:
    return super_order;
  case CT_API_FOREVER_LIST:
    return forever_order;
  case CT_API_HOLDINGS:
    return holding;
  case CT_API_POSITIONS:
    return position;
  case CT_API_EXIT_ALL:
  case CT_API_PNL_SET:
  case CT_API_PNL_DELETE:
    return status;
  case CT_API_EDIS_FORM:
    return form;
  case CT_API_EDIS_INQUIRE:
    return inquiry;
  case CT_API_KILL_SET:
  case CT_API_KILL_GET:
    return killsw;
  case CT_API_PNL_GET:
    return pnl;
  case CT_API_FUND_LIMIT:
    return fund;
  case CT_API_MARGIN:
  case CT_API_MARGIN_MULTI:
    return margin;
  case CT_API_LEDGER:
    return ledger;
  default:
    return ack;
  }
}

cJSON *ctapi_result_json(const ct_api_result_t *r) {
  cJSON *j = cJSON_CreateObject(), *data = cJSON_CreateArray();
  printer_t pr = printer(r->call);
  S("module", ct_api_module_name(ct_api_call_module(r->call)));
  S("call", ct_api_call_name(r->call));
  S("class", ct_dhan_class_name(r->cls));
  S("err", r->err ? ct_err_name(r->err) : "");
  N("httpStatus", r->dhan.http_status);
  S("errorCode", r->dhan.error_code);
  S("errorType", r->dhan.error_type);
  S("errorMessage", r->dhan.error_message);
  S("reason", r->reason);
  B("sent", r->sent);
  N("elapsedMs", (double)r->elapsed_ns / 1e6);
  if (r->call == CT_API_TRADE_HISTORY)
    N("pages", r->pages);
  N("count", r->count);
  for (size_t i = 0; i < r->count; i++) {
    cJSON *it = cJSON_CreateObject();
    pr(it, (const char *)r->items + i * r->item_size);
    cJSON_AddItemToArray(data, it);
  }
  cJSON_AddItemToObject(j, "data", data);
  return j;
}
