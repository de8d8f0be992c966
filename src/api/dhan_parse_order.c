/*
 * dhan_parse_order.c: order acks, order-book records (which are also the
 * postback body) and trade records, plus the order-book record to order
 * event conversion used for REST reconciliation and postbacks.
 *
 * Each record is a field table for ct__jdecode (dhan_parse_common.c); the
 * order record lists the postback's snake_case filled_qty and Dhan's
 * misspelt omserroeCode as alternative spellings.
 */
#include <stdio.h>
#include <string.h>

#include "api/dhan_json_int.h"
#include "copytrader/dhan_json.h"
#include "copytrader/error.h"

#define O ct_dhan_order_t
static const ct__field_t order_fields[] = {
  CT__ID("dhanClientId", O, client_id),
  CT__IDREQ("orderId", O, order_id),
  CT__ID("exchangeOrderId", O, exchange_order_id),
  CT__ID("correlationId", O, correlation_id),
  CT__ID("securityId", O, security_id),
  CT__TXT("tradingSymbol", O, trading_symbol),
  CT__TXT("orderStatus", O, status_text),
  CT__TXT("createTime", O, create_time),
  CT__TXT("updateTime", O, update_time),
  CT__TXT("exchangeTime", O, exchange_time),
  CT__TXT("drvExpiryDate", O, drv_expiry_date),
  CT__TXT("drvOptionType", O, drv_option_type),
  CT__FIELD("omsErrorCode", "omserroeCode", CT__F_TEXT, 0, 0, 0, O,
            oms_error_code),
  CT__TXT("omsErrorDescription", O, oms_error_description),
  CT__TXT("algoId", O, algo_id),
  CT__ENUM("orderStatus", CT__E_STATUS, O, status),
  CT__ENUM("transactionType", CT__E_TXN, O, txn),
  CT__ENUM("exchangeSegment", CT__E_SEG, O, segment),
  CT__ENUM("productType", CT__E_PRODUCT, O, product),
  CT__ENUM("orderType", CT__E_OTYPE, O, order_type),
  CT__ENUM("validity", CT__E_VALIDITY, O, validity),
  CT__ENUM("legName", CT__E_LEG, O, leg),
  CT__BOOL("afterMarketOrder", O, after_market_order),
  CT__FIELD("quantity", NULL, CT__F_I64, 0, 0, CT_DHAN_HAS_QUANTITY, O,
            quantity),
  CT__FIELD("disclosedQuantity", NULL, CT__F_I64, 0, 0, CT_DHAN_HAS_DISCLOSED,
            O, disclosed_quantity),
  CT__FIELD("remainingQuantity", NULL, CT__F_I64, 0, 0, CT_DHAN_HAS_REMAINING,
            O, remaining_quantity),
  CT__FIELD("filledQty", "filled_qty", CT__F_I64, 0, 0, CT_DHAN_HAS_TRADED_QTY,
            O, filled_qty),
  CT__FIELD("price", NULL, CT__F_F64, 0, 0, CT_DHAN_HAS_PRICE, O, price),
  CT__FIELD("triggerPrice", NULL, CT__F_F64, 0, 0, CT_DHAN_HAS_TRIGGER, O,
            trigger_price),
  CT__FIELD("averageTradedPrice", NULL, CT__F_F64, 0, 0, CT_DHAN_HAS_AVG_PX, O,
            average_traded_price),
  CT__F64("drvStrikePrice", O, drv_strike_price),
  CT__F64("boProfitValue", O, bo_profit_value),
  CT__F64("boStopLossValue", O, bo_stop_loss_value),
};
#undef O

#define T ct_dhan_trade_t
static const ct__field_t trade_fields[] = {
  CT__ID("dhanClientId", T, client_id),
  CT__IDREQ("orderId", T, order_id),
  CT__ID("exchangeOrderId", T, exchange_order_id),
  CT__ID("exchangeTradeId", T, exchange_trade_id),
  CT__ID("securityId", T, security_id),
  CT__TXT("tradingSymbol", T, trading_symbol),
  CT__TXT("customSymbol", T, custom_symbol),
  CT__TXT("createTime", T, create_time),
  CT__TXT("updateTime", T, update_time),
  CT__TXT("exchangeTime", T, exchange_time),
  CT__TXT("drvExpiryDate", T, drv_expiry_date),
  CT__TXT("drvOptionType", T, drv_option_type),
  CT__ENUM("transactionType", CT__E_TXN, T, txn),
  CT__ENUM("exchangeSegment", CT__E_SEG, T, segment),
  CT__ENUM("productType", CT__E_PRODUCT, T, product),
  CT__ENUM("orderType", CT__E_OTYPE, T, order_type),
  CT__I64("tradedQuantity", T, traded_quantity),
  CT__F64("tradedPrice", T, traded_price),
  CT__F64("drvStrikePrice", T, drv_strike_price),
};
#undef T

#define A ct_dhan_order_ack_t
static const ct__field_t ack_fields[] = {
  CT__IDREQ("orderId", A, order_id),
  CT__ENUM("orderStatus", CT__E_STATUS, A, status),
};
#undef A

int ct__order_item(const cJSON *it, void *rec, char *err, size_t err_size) {
  ct_dhan_order_t *o = rec;
  memset(o, 0, sizeof(*o));
  return ct__jdecode(it, order_fields, CT__COUNT(order_fields), o, &o->has, err,
                     err_size);
}

static int trade_item(const cJSON *it, void *rec, char *err, size_t err_size) {
  memset(rec, 0, sizeof(ct_dhan_trade_t));
  return ct__jdecode(it, trade_fields, CT__COUNT(trade_fields), rec, NULL, err,
                     err_size);
}

static int ack_item(const cJSON *it, void *rec, char *err, size_t err_size) {
  memset(rec, 0, sizeof(ct_dhan_order_ack_t));
  return ct__jdecode(it, ack_fields, CT__COUNT(ack_fields), rec, NULL, err,
                     err_size);
}

CT__LIST_PARSER(ct_dhan_parse_order_acks, ct_dhan_order_ack_t, ack_item, true)
CT__LIST_PARSER(ct_dhan_parse_orders, ct_dhan_order_t, ct__order_item, false)
CT__LIST_PARSER(ct_dhan_parse_trades, ct_dhan_trade_t, trade_item, true)

int ct_dhan_parse_order(const char *buf, size_t len, ct_dhan_order_t *out,
                        char *err, size_t err_size) {
  if (out == NULL)
    return CT_EINVAL;
  memset(out, 0, sizeof(*out));
  return ct__jone(buf, len, ct__order_item, out, err, err_size);
}

/* Copy a string that is known to fit (same or larger buffer). */
#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

void ct_order_event_from_order(const ct_dhan_order_t *o,
                               ct_order_event_source_t source,
                               ct_order_event_t *ev) {
  memset(ev, 0, sizeof(*ev));
  ev->source = source;
  COPY(ev->client_id, o->client_id);
  COPY(ev->order_id, o->order_id);
  COPY(ev->exchange_order_id, o->exchange_order_id);
  COPY(ev->correlation_id, o->correlation_id);
  COPY(ev->security_id, o->security_id);
  COPY(ev->status_text, o->status_text);
  COPY(ev->last_update_time, o->update_time);
  COPY(ev->oms_error_code, o->oms_error_code);
  COPY(ev->reason, o->oms_error_description);
  ev->status = o->status;
  ev->txn = o->txn;
  ev->segment = o->segment;
  ev->product = o->product;
  ev->order_type = o->order_type;
  ev->validity = o->validity;
  ev->leg = o->leg;
  ev->leg_no = o->leg == CT_DHAN_LEG_ENTRY       ? 1
               : o->leg == CT_DHAN_LEG_STOP_LOSS ? 2
               : o->leg == CT_DHAN_LEG_TARGET    ? 3
                                                 : 0;
  ev->after_market_order = o->after_market_order;
  ev->has = o->has;
  ev->quantity = o->quantity;
  ev->traded_qty = o->filled_qty;
  ev->remaining_qty = o->remaining_quantity;
  if (!(o->has & CT_DHAN_HAS_REMAINING) && (o->has & CT_DHAN_HAS_TRADED_QTY) &&
      (o->has & CT_DHAN_HAS_QUANTITY)) {
    ev->remaining_qty = o->quantity - o->filled_qty;
    ev->has |= CT_DHAN_HAS_REMAINING;
  }
  ev->disclosed_qty = o->disclosed_quantity;
  ev->price = o->price;
  ev->trigger_price = o->trigger_price;
  ev->avg_traded_price = o->average_traded_price;
  ev->fill = ct__fill_state(ev);
}
