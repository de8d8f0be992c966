/*
 * dhan_parse_book.c: the super-order book (entries with nested legDetails)
 * and the forever-order list.
 *
 * Super orders: the entry is a field table, legDetails a nested array of at
 * most CT_DHAN_SUPER_LEGS_MAX legs (the docs spell "totalQuatity"; the
 * correct spelling is accepted too). Forever orders: the docs' list example
 * carries the SINGLE/OCO flag in orderType, so the flag is read from
 * orderFlag or, failing that, from orderType (UNVERIFIED which one Dhan
 * really sends: both are read). When orderType held the flag, the order's
 * own type is not given: a priced order is taken for LIMIT and an
 * unpriced one for MARKET, so the copy still has a type to be sent with.
 */
#include <string.h>

#include "api/dhan_json_int.h"
#include "copytrader/dhan_json.h"
#include "copytrader/error.h"

#define L ct_dhan_super_leg_t
static const ct__field_t leg_fields[] = {
  CT__ID("orderId", L, order_id),
  CT__ENUM("legName", CT__E_LEG, L, leg),
  CT__ENUM("transactionType", CT__E_TXN, L, txn),
  CT__ENUM("orderStatus", CT__E_STATUS, L, status),
  CT__FIELD("totalQuatity", "totalQuantity", CT__F_I64, 0, 0, 0, L,
            total_quantity),
  CT__I64("remainingQuantity", L, remaining_quantity),
  CT__I64("triggeredQuantity", L, triggered_quantity),
  CT__F64("price", L, price),
  CT__F64("trailingJump", L, trailing_jump),
};
#undef L

#define S ct_dhan_super_order_t
static const ct__field_t super_fields[] = {
  CT__ID("dhanClientId", S, client_id),
  CT__IDREQ("orderId", S, order_id),
  CT__ID("exchangeOrderId", S, exchange_order_id),
  CT__ID("correlationId", S, correlation_id),
  CT__ID("securityId", S, security_id),
  CT__TXT("tradingSymbol", S, trading_symbol),
  CT__TXT("createTime", S, create_time),
  CT__TXT("updateTime", S, update_time),
  CT__TXT("exchangeTime", S, exchange_time),
  CT__TXT("omsErrorDescription", S, oms_error_description),
  CT__ENUM("orderStatus", CT__E_STATUS, S, status),
  CT__ENUM("transactionType", CT__E_TXN, S, txn),
  CT__ENUM("exchangeSegment", CT__E_SEG, S, segment),
  CT__ENUM("productType", CT__E_PRODUCT, S, product),
  CT__ENUM("orderType", CT__E_OTYPE, S, order_type),
  CT__ENUM("validity", CT__E_VALIDITY, S, validity),
  CT__ENUM("legName", CT__E_LEG, S, leg),
  CT__BOOL("afterMarketOrder", S, after_market_order),
  CT__I64("quantity", S, quantity),
  CT__I64("remainingQuantity", S, remaining_quantity),
  CT__I64("filledQty", S, filled_qty),
  CT__F64("price", S, price),
  CT__F64("ltp", S, ltp),
  CT__F64("averageTradedPrice", S, average_traded_price),
};
#undef S

#define F ct_dhan_forever_order_t
static const ct__field_t forever_fields[] = {
  CT__ID("dhanClientId", F, client_id),
  CT__IDREQ("orderId", F, order_id),
  CT__ID("securityId", F, security_id),
  CT__TXT("tradingSymbol", F, trading_symbol),
  CT__TXT("createTime", F, create_time),
  CT__TXT("updateTime", F, update_time),
  CT__TXT("exchangeTime", F, exchange_time),
  CT__TXT("drvExpiryDate", F, drv_expiry_date),
  CT__TXT("drvOptionType", F, drv_option_type),
  CT__ENUM("orderStatus", CT__E_STATUS, F, status),
  CT__ENUM("transactionType", CT__E_TXN, F, txn),
  CT__ENUM("exchangeSegment", CT__E_SEG, F, segment),
  CT__ENUM("productType", CT__E_PRODUCT, F, product),
  CT__ENUM("orderType", CT__E_OTYPE, F, order_type),
  CT__ENUM("orderFlag", CT__E_FLAG, F, order_flag),
  CT__ENUM("legName", CT__E_LEG, F, leg),
  CT__I64("quantity", F, quantity),
  CT__F64("price", F, price),
  CT__F64("triggerPrice", F, trigger_price),
  CT__F64("drvStrikePrice", F, drv_strike_price),
  CT__ID("correlationId", F, correlation_id),
  CT__ENUM("validity", CT__E_VALIDITY, F, validity),
  CT__I64("quantity1", F, quantity1),
  CT__F64("price1", F, price1),
  CT__F64("triggerPrice1", F, trigger_price1),
};
#undef F

static int leg_item(const cJSON *it, void *rec, char *err, size_t err_size) {
  memset(rec, 0, sizeof(ct_dhan_super_leg_t));
  return ct__jdecode(it, leg_fields, CT__COUNT(leg_fields), rec, NULL, err,
                     err_size);
}

static int super_item(const cJSON *it, void *rec, char *err, size_t err_size) {
  ct_dhan_super_order_t *s = rec;
  const cJSON *legs;
  char inner[160] = "";
  int rc;

  memset(s, 0, sizeof(*s));
  rc = ct__jdecode(it, super_fields, CT__COUNT(super_fields), s, NULL, err,
                   err_size);
  if (rc != 0)
    return rc;
  legs = ct__jget(it, "legDetails");
  if (legs == NULL || cJSON_IsNull(legs))
    return 0;
  rc = ct__jarray_into(legs, sizeof(s->legs[0]), CT_DHAN_SUPER_LEGS_MAX,
                       leg_item, s->legs, &s->n_legs, inner, sizeof(inner));
  if (rc != 0)
    return ct__jfail(err, err_size, "field 'legDetails': %s", inner);
  return 0;
}

static int forever_item(const cJSON *it, void *rec, char *err,
                        size_t err_size) {
  ct_dhan_forever_order_t *f = rec;
  int rc;

  memset(f, 0, sizeof(*f));
  rc = ct__jdecode(it, forever_fields, CT__COUNT(forever_fields), f, NULL, err,
                   err_size);
  if (rc == 0 && f->order_flag == CT_DHAN_FLAG_NONE)
    f->order_flag = ct_dhan_order_flag_from_str(ct__jstr(it, "orderType"));
  if (rc == 0 && f->order_type == CT_DHAN_OTYPE_UNKNOWN &&
      f->order_flag != CT_DHAN_FLAG_NONE)
    f->order_type = f->price > 0 ? CT_DHAN_OTYPE_LIMIT : CT_DHAN_OTYPE_MARKET;
  return rc;
}

CT__LIST_PARSER(ct_dhan_parse_super_orders, ct_dhan_super_order_t, super_item,
                false)
CT__LIST_PARSER(ct_dhan_parse_forever_orders, ct_dhan_forever_order_t,
                forever_item, false)
