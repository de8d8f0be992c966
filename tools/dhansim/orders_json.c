/*
 * orders_json.c: the JSON shapes of an order: the REST order-book record
 * (§3.4, camelCase), the live order-update frame (§15.2, PascalCase inside
 * {"Type":"order_alert","Data":{...}}), the 2026 postback body (§16, with
 * snake_case filled_qty), trade records (§3.5), and the super and forever
 * order books (§4, §5). All keys are spelt exactly as Dhan spells them.
 */
#include <string.h>

#include "orders.h"

#define ADD_S(o, k, v) cJSON_AddStringToObject((o), (k), (v))
#define ADD_N(o, k, v) cJSON_AddNumberToObject((o), (k), (double)(v))

static int is_deriv(const order_t *o) {
  return strstr(o->segment, "FNO") || strstr(o->segment, "CURRENCY") ||
         strstr(o->segment, "COMM");
}

static const char *tsym(const order_t *o) {
  return o->ins ? o->ins->trading_symbol : "";
}

static void add_nullable(cJSON *j, const char *k, const char *v) {
  if (v && *v)
    ADD_S(j, k, v);
  else
    cJSON_AddNullToObject(j, k);
}

static const char *opt_long(const order_t *o) {
  if (!o->ins || !is_deriv(o))
    return NULL;
  if (strcmp(o->ins->option_type, "CE") == 0)
    return "CALL";
  if (strcmp(o->ins->option_type, "PE") == 0)
    return "PUT";
  return NULL;
}

static void add_drv(cJSON *j, const order_t *o) {
  add_nullable(j, "drvExpiryDate",
               (o->ins && is_deriv(o)) ? o->ins->expiry_date : NULL);
  add_nullable(j, "drvOptionType", opt_long(o));
  ADD_N(j, "drvStrikePrice", o->ins ? o->ins->strike_price : 0);
}

cJSON *order_ack_json(const order_t *o) {
  cJSON *j = cJSON_CreateObject();
  ADD_S(j, "orderId", o->id);
  ADD_S(j, "orderStatus", o->status);
  return j;
}

/* The order keys every record of an order carries: order-book record,
 * postback body and trade record (§3.4, §3.5, §16). */
static cJSON *order_keys_json(const order_t *o) {
  cJSON *j = cJSON_CreateObject();
  ADD_S(j, "dhanClientId", o->acct->client_id);
  ADD_S(j, "orderId", o->id);
  ADD_S(j, "transactionType", o->txn);
  ADD_S(j, "exchangeSegment", o->segment);
  ADD_S(j, "productType", o->product);
  ADD_S(j, "orderType", o->otype);
  ADD_S(j, "tradingSymbol", tsym(o));
  ADD_S(j, "securityId", o->security_id);
  return j;
}

/* The fields the order-book record and the postback body share. */
static cJSON *order_base_json(const order_t *o) {
  cJSON *j = order_keys_json(o);
  ADD_S(j, "correlationId", o->corr);
  ADD_S(j, "orderStatus", o->status);
  ADD_S(j, "validity", o->validity);
  ADD_N(j, "quantity", o->qty);
  ADD_N(j, "disclosedQuantity", o->disc_qty);
  ADD_N(j, "price", o->price);
  ADD_N(j, "triggerPrice", o->trigger);
  cJSON_AddBoolToObject(j, "afterMarketOrder", o->amo);
  ADD_S(j, "createTime", o->create_time);
  ADD_S(j, "updateTime", o->update_time);
  ADD_S(j, "exchangeTime", o->exch_time[0] ? o->exch_time : "NA");
  add_drv(j, o);
  add_nullable(j, "omsErrorCode", o->oms_code);
  add_nullable(j, "omsErrorDescription", o->oms_desc);
  ADD_S(j, "algoId", "0");
  return j;
}

cJSON *order_rest_json(const order_t *o) {
  cJSON *j = order_base_json(o);
  ADD_S(j, "exchangeOrderId", strcmp(o->status, "TRANSIT") ? o->exch_id : "");
  add_nullable(j, "legName", o->leg_name);
  ADD_N(j, "remainingQuantity", o->qty - o->filled);
  ADD_N(j, "averageTradedPrice", o->avg_price);
  ADD_N(j, "filledQty", o->filled);
  return j;
}

static const char *exch_of(const order_t *o) {
  if (o->ins)
    return o->ins->exchange;
  return strncmp(o->segment, "BSE", 3) == 0   ? "BSE"
         : strncmp(o->segment, "MCX", 3) == 0 ? "MCX"
                                              : "NSE";
}

static const char *seg_letter(const order_t *o) {
  if (strstr(o->segment, "FNO"))
    return "D";
  if (strstr(o->segment, "CURRENCY"))
    return "C";
  if (strstr(o->segment, "COMM"))
    return "M";
  return "E";
}

static const char *product_code(const char *p) {
  static const char *map[][2] = { { "CNC", "C" },    { "INTRADAY", "I" },
                                  { "MARGIN", "M" }, { "MTF", "F" },
                                  { "CO", "V" },     { "BO", "B" } };
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
    if (strcmp(map[i][0], p) == 0)
      return map[i][1];
  return p;
}

static const char *otype_code(const char *t) {
  if (strcmp(t, "LIMIT") == 0)
    return "LMT";
  if (strcmp(t, "MARKET") == 0)
    return "MKT";
  if (strcmp(t, "STOP_LOSS") == 0)
    return "SL";
  return "SLM";
}

static void alert_instrument(cJSON *d, const order_t *o) {
  const ct_instrument_t *i = o->ins;
  ADD_S(d, "Instrument", i ? i->instrument : "EQUITY");
  ADD_S(d, "Symbol", i ? i->trading_symbol : "");
  ADD_N(d, "LotSize", i ? i->lot_size : 1);
  ADD_N(d, "StrikePrice", i ? i->strike_price : 0);
  ADD_S(d, "ExpiryDate",
        (i && is_deriv(o) && i->expiry_date[0]) ? i->expiry_date
                                                : "0001-01-01 00:00:00");
  ADD_S(d, "OptType", (i && i->option_type[0]) ? i->option_type : "XX");
  ADD_S(d, "DisplayName", i ? i->custom_symbol : "");
  ADD_S(d, "Isin", "");
  ADD_S(d, "Series", i ? i->series : "");
  ADD_N(d, "TickSize", i ? i->tick_size : 0.05);
  ADD_N(d, "RefLtp", i ? i->last_price : o->price);
}

cJSON *order_alert_json(const order_t *o) {
  cJSON *j = cJSON_CreateObject(), *d = cJSON_CreateObject();
  ADD_S(j, "Type", "order_alert");
  cJSON_AddItemToObject(j, "Data", d);
  ADD_S(d, "Exchange", exch_of(o));
  ADD_S(d, "Segment", seg_letter(o));
  ADD_S(d, "Source", "P");
  ADD_S(d, "SecurityId", o->security_id);
  ADD_S(d, "ClientId", o->acct->client_id);
  ADD_S(d, "ExchOrderNo", strcmp(o->status, "TRANSIT") ? o->exch_id : "0");
  ADD_S(d, "OrderNo", o->id);
  ADD_S(d, "Product", product_code(o->product));
  ADD_S(d, "TxnType", strcmp(o->txn, "BUY") == 0 ? "B" : "S");
  ADD_S(d, "OrderType", otype_code(o->otype));
  ADD_S(d, "Validity", o->validity);
  ADD_N(d, "DiscQuantity", o->disc_qty);
  ADD_N(d, "DiscQtyRem", o->disc_qty);
  ADD_N(d, "RemainingQuantity", o->qty - o->filled);
  ADD_N(d, "Quantity", o->qty);
  ADD_N(d, "TradedQty", o->filled);
  ADD_N(d, "Price", o->price);
  ADD_N(d, "TriggerPrice", o->trigger);
  ADD_N(d, "TradedPrice", o->last_fill_price);
  ADD_N(d, "AvgTradedPrice", o->avg_price);
  ADD_S(d, "AlgoOrdNo", o->parent ? o->parent->id : (o->sup ? o->id : ""));
  ADD_S(d, "OffMktFlag", o->amo ? "1" : "0");
  ADD_S(d, "OrderDateTime", o->create_time);
  ADD_S(d, "ExchOrderTime", o->exch_time[0] ? o->exch_time : o->create_time);
  ADD_S(d, "LastUpdatedTime", o->update_time);
  ADD_S(d, "Remarks", o->remarks);
  ADD_S(d, "MktType", "NL");
  ADD_S(d, "ReasonDescription", o->oms_desc[0] ? o->oms_desc : "CONFIRMED");
  ADD_N(d, "LegNo", o->leg_no ? o->leg_no : 1);
  ADD_S(d, "ProductName", o->product);
  ADD_S(d, "Status", o->status);
  ADD_S(d, "GoodTillDaysDate", o->gtt_date);
  ADD_S(d, "AlgoId", "0");
  ADD_N(d, "Multiplier", 1);
  ADD_S(d, "CorrelationId", o->corr);
  alert_instrument(d, o);
  return j;
}

cJSON *order_postback_json(const order_t *o) {
  cJSON *j = order_base_json(o);
  ADD_N(j, "filled_qty", o->filled); /* snake_case in the postback only */
  return j;
}

cJSON *trade_json(const trade_t *t) {
  const order_t *o = t->order;
  cJSON *j = order_keys_json(o);
  ADD_S(j, "exchangeOrderId", o->exch_id);
  ADD_S(j, "exchangeTradeId", t->trade_id);
  ADD_S(j, "customSymbol", o->ins ? o->ins->custom_symbol : "");
  ADD_N(j, "tradedQuantity", t->qty);
  ADD_N(j, "tradedPrice", t->price);
  ADD_S(j, "createTime", t->time);
  ADD_S(j, "updateTime", t->time);
  ADD_S(j, "exchangeTime", t->time);
  add_drv(j, o);
  return j;
}

static cJSON *leg_json(const order_t *leg, const char *name, double price,
                       double trail, int cancelled, const char *fallback) {
  cJSON *j = cJSON_CreateObject();
  ADD_S(j, "orderId", leg ? leg->id : "");
  ADD_S(j, "legName", name);
  ADD_S(j, "transactionType", fallback);
  ADD_N(j, "totalQuatity", leg ? leg->qty : 0);
  ADD_N(j, "remainingQuantity", leg ? leg->qty - leg->filled : 0);
  ADD_N(j, "triggeredQuantity", leg ? leg->filled : 0);
  ADD_N(j, "price", price);
  ADD_S(j, "orderStatus",
        cancelled ? "CANCELLED"
        : leg ? (strcmp(leg->status, "TRADED") == 0 ? "TRIGGERED" : leg->status)
              : "PENDING");
  ADD_N(j, "trailingJump", trail);
  return j;
}

static const char *super_status(const order_t *o) {
  const super_ext_t *x = o->sup;
  if (strcmp(o->status, "TRADED") == 0 &&
      ((x->sl_leg && strcmp(x->sl_leg->status, "TRADED") == 0) ||
       (x->target_leg && strcmp(x->target_leg->status, "TRADED") == 0)))
    return "CLOSED";
  return o->status;
}

cJSON *super_json(const order_t *o) {
  const super_ext_t *x = o->sup;
  const char *exit_side = strcmp(o->txn, "BUY") == 0 ? "SELL" : "BUY";
  cJSON *j = cJSON_CreateObject(), *legs = cJSON_CreateArray();
  ADD_S(j, "dhanClientId", o->acct->client_id);
  ADD_S(j, "orderId", o->id);
  ADD_S(j, "correlationId", o->corr);
  ADD_S(j, "orderStatus", super_status(o));
  ADD_S(j, "transactionType", o->txn);
  ADD_S(j, "exchangeSegment", o->segment);
  ADD_S(j, "productType", o->product);
  ADD_S(j, "orderType", o->otype);
  ADD_S(j, "validity", "DAY");
  ADD_S(j, "tradingSymbol", tsym(o));
  ADD_S(j, "securityId", o->security_id);
  ADD_N(j, "quantity", o->qty);
  ADD_N(j, "remainingQuantity", o->qty - o->filled);
  ADD_N(j, "ltp", o->ins ? o->ins->last_price : o->price);
  ADD_N(j, "price", o->price);
  cJSON_AddBoolToObject(j, "afterMarketOrder", 0);
  ADD_S(j, "legName", "ENTRY_LEG");
  ADD_S(j, "exchangeOrderId", o->exch_id);
  ADD_S(j, "createTime", o->create_time);
  ADD_S(j, "updateTime", o->update_time);
  ADD_S(j, "exchangeTime", o->exch_time[0] ? o->exch_time : "NA");
  ADD_S(j, "omsErrorDescription", o->oms_desc);
  ADD_N(j, "averageTradedPrice", o->avg_price);
  ADD_N(j, "filledQty", o->filled);
  cJSON_AddItemToArray(legs, leg_json(x->target_leg, "TARGET_LEG", x->target, 0,
                                      x->target_cancelled, exit_side));
  cJSON_AddItemToArray(legs, leg_json(x->sl_leg, "STOP_LOSS_LEG", x->stop_loss,
                                      x->trail, x->sl_cancelled, exit_side));
  cJSON_AddItemToObject(j, "legDetails", legs);
  return j;
}

cJSON *forever_json(const order_t *o) {
  cJSON *j = cJSON_CreateObject();
  ADD_S(j, "dhanClientId", o->acct->client_id);
  ADD_S(j, "orderId", o->id);
  ADD_S(j, "orderStatus", o->status);
  ADD_S(j, "transactionType", o->txn);
  ADD_S(j, "exchangeSegment", o->segment);
  ADD_S(j, "productType", o->product);
  ADD_S(j, "orderType", o->otype);
  ADD_S(j, "orderFlag", o->forever == 2 ? "OCO" : "SINGLE");
  ADD_S(j, "tradingSymbol", tsym(o));
  ADD_S(j, "securityId", o->security_id);
  ADD_N(j, "quantity", o->qty);
  ADD_N(j, "price", o->price);
  ADD_N(j, "triggerPrice", o->trigger);
  ADD_S(j, "legName", "TARGET_LEG");
  if (o->forever == 2) {
    ADD_N(j, "quantity1", o->qty1);
    ADD_N(j, "price1", o->price1);
    ADD_N(j, "triggerPrice1", o->trigger1);
  }
  ADD_S(j, "correlationId", o->corr);
  ADD_S(j, "createTime", o->create_time);
  ADD_S(j, "updateTime", o->update_time);
  ADD_S(j, "exchangeTime", o->exch_time[0] ? o->exch_time : "NA");
  add_drv(j, o);
  return j;
}
