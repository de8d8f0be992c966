/*
 * dhan_parse_account.c: portfolio, funds, statement and account records:
 * holdings, positions, fund limit, margin calculator, ledger, profile, kill
 * switch and eDIS inquiry. All are plain field tables; the few quirks
 * (Dhan's misspelt fund keys, the two margin shapes, the kill switch's
 * message text) are alternative keys or a line of post-processing.
 */
#include <string.h>
#include <strings.h>

#include "api/dhan_json_int.h"
#include "copytrader/dhan_json.h"
#include "copytrader/error.h"

#define H ct_dhan_holding_t
static const ct__field_t holding_fields[] = {
  CT__TXT("exchange", H, exchange),
  CT__TXT("tradingSymbol", H, trading_symbol),
  CT__ID("securityId", H, security_id),
  CT__ID("isin", H, isin),
  CT__I64("totalQty", H, total_qty),
  CT__I64("dpQty", H, dp_qty),
  CT__I64("t1Qty", H, t1_qty),
  CT__I64("availableQty", H, available_qty),
  CT__I64("collateralQty", H, collateral_qty),
  CT__F64("avgCostPrice", H, avg_cost_price),
  CT__F64("lastTradedPrice", H, last_traded_price),
};
#undef H

#define P ct_dhan_position_t
static const ct__field_t position_fields[] = {
  CT__ID("dhanClientId", P, client_id),
  CT__TXT("tradingSymbol", P, trading_symbol),
  CT__ID("securityId", P, security_id),
  CT__TXT("drvExpiryDate", P, drv_expiry_date),
  CT__TXT("drvOptionType", P, drv_option_type),
  CT__ENUM("positionType", CT__E_POS, P, position_type),
  CT__ENUM("exchangeSegment", CT__E_SEG, P, segment),
  CT__ENUM("productType", CT__E_PRODUCT, P, product),
  CT__BOOL("crossCurrency", P, cross_currency),
  CT__I64("buyQty", P, buy_qty),
  CT__I64("sellQty", P, sell_qty),
  CT__I64("netQty", P, net_qty),
  CT__I64("multiplier", P, multiplier),
  CT__I64("carryForwardBuyQty", P, carry_forward_buy_qty),
  CT__I64("carryForwardSellQty", P, carry_forward_sell_qty),
  CT__I64("dayBuyQty", P, day_buy_qty),
  CT__I64("daySellQty", P, day_sell_qty),
  CT__F64("buyAvg", P, buy_avg),
  CT__F64("sellAvg", P, sell_avg),
  CT__F64("costPrice", P, cost_price),
  CT__F64("realizedProfit", P, realized_profit),
  CT__F64("unrealizedProfit", P, unrealized_profit),
  CT__F64("rbiReferenceRate", P, rbi_reference_rate),
  CT__F64("carryForwardBuyValue", P, carry_forward_buy_value),
  CT__F64("carryForwardSellValue", P, carry_forward_sell_value),
  CT__F64("dayBuyValue", P, day_buy_value),
  CT__F64("daySellValue", P, day_sell_value),
  CT__F64("drvStrikePrice", P, drv_strike_price),
};
#undef P

#define FL ct_dhan_fund_limit_t
static const ct__field_t fund_fields[] = {
  CT__ID("dhanClientId", FL, client_id),
  CT__FIELD("availabelBalance", "availableBalance", CT__F_F64, 0, 0, 0, FL,
            available_balance),
  CT__F64("sodLimit", FL, sod_limit),
  CT__F64("collateralAmount", FL, collateral_amount),
  CT__FIELD("receiveableAmount", "receivableAmount", CT__F_F64, 0, 0, 0, FL,
            receivable_amount),
  CT__F64("utilizedAmount", FL, utilized_amount),
  CT__F64("blockedPayoutAmount", FL, blocked_payout_amount),
  CT__F64("withdrawableBalance", FL, withdrawable_balance),
};
#undef FL

/* Single answers are camelCase, multi answers snake_case: the alternative
 * key covers the other shape where both have the value. */
#define M ct_dhan_margin_t
static const ct__field_t margin_fields[] = {
  CT__TXT("leverage", M, leverage),
  CT__FIELD("totalMargin", "total_margin", CT__F_F64, 0, 0, 0, M, total_margin),
  CT__FIELD("spanMargin", "span_margin", CT__F_F64, 0, 0, 0, M, span_margin),
  CT__FIELD("exposureMargin", "exposure_margin", CT__F_F64, 0, 0, 0, M,
            exposure_margin),
  CT__F64("availableBalance", M, available_balance),
  CT__F64("variableMargin", M, variable_margin),
  CT__F64("insufficientBalance", M, insufficient_balance),
  CT__F64("brokerage", M, brokerage),
  CT__F64("equity_margin", M, equity_margin),
  CT__F64("fo_margin", M, fo_margin),
  CT__F64("commodity_margin", M, commodity_margin),
  CT__F64("currency", M, currency_margin),
  CT__F64("hedge_benefit", M, hedge_benefit),
};
#undef M

#define LE ct_dhan_ledger_entry_t
static const ct__field_t ledger_fields[] = {
  CT__ID("dhanClientId", LE, client_id),
  CT__TXT("narration", LE, narration),
  CT__TXT("voucherdate", LE, voucher_date),
  CT__TXT("exchange", LE, exchange),
  CT__TXT("voucherdesc", LE, voucher_desc),
  CT__TXT("vouchernumber", LE, voucher_number),
  CT__F64("debit", LE, debit),
  CT__F64("credit", LE, credit),
  CT__F64("runbal", LE, runbal),
};
#undef LE

#define PR ct_dhan_profile_t
static const ct__field_t profile_fields[] = {
  CT__ID("dhanClientId", PR, client_id),
  CT__TXT("tokenValidity", PR, token_validity),
  CT__TXT("activeSegment", PR, active_segment),
  CT__TXT("ddpi", PR, ddpi),
  CT__TXT("mtf", PR, mtf),
  CT__TXT("dataPlan", PR, data_plan),
  CT__TXT("dataValidity", PR, data_validity),
};
#undef PR

#define K ct_dhan_killswitch_t
static const ct__field_t kill_fields[] = {
  CT__ID("dhanClientId", K, client_id),
  CT__FIELD("killSwitchStatus", NULL, CT__F_TEXT, 0, 1, 0, K, text),
};
#undef K

#define ED ct_dhan_edis_inquiry_t
static const ct__field_t edis_fields[] = {
  CT__FIELD("clientId", "dhanClientId", CT__F_ID, 0, 0, 0, ED, client_id),
  CT__ID("isin", ED, isin),
  CT__TXT("status", ED, status),
  CT__TXT("remarks", ED, remarks),
  CT__I64("totalQty", ED, total_qty),
  CT__I64("aprvdQty", ED, approved_qty),
};
#undef ED

/* Item decoders that only zero the record and run the table. */
#define TABLE_ITEM(name, type, table)                                          \
  static int name(const cJSON *it, void *rec, char *err, size_t err_size) {    \
    memset(rec, 0, sizeof(type));                                              \
    return ct__jdecode(it, table, CT__COUNT(table), rec, NULL, err, err_size); \
  }

TABLE_ITEM(holding_item, ct_dhan_holding_t, holding_fields)
TABLE_ITEM(position_item, ct_dhan_position_t, position_fields)
TABLE_ITEM(fund_item, ct_dhan_fund_limit_t, fund_fields)
TABLE_ITEM(margin_item, ct_dhan_margin_t, margin_fields)
TABLE_ITEM(ledger_item, ct_dhan_ledger_entry_t, ledger_fields)
TABLE_ITEM(edis_item, ct_dhan_edis_inquiry_t, edis_fields)

static int profile_item(const cJSON *it, void *rec, char *err,
                        size_t err_size) {
  ct_dhan_profile_t *p = rec;
  int rc;
  memset(p, 0, sizeof(*p));
  rc = ct__jdecode(it, profile_fields, CT__COUNT(profile_fields), p, NULL, err,
                   err_size);
  p->ddpi_active = strcasecmp(p->ddpi, "Active") == 0;
  return rc;
}

/* "ACTIVATE", "DEACTIVATE", or a sentence such as "Kill Switch has been
 * successfully activated". */
static ct_dhan_kill_state_t kill_state(const char *text) {
  if (strcasestr(text, "deactivat") != NULL)
    return CT_DHAN_KILL_INACTIVE;
  if (strcasestr(text, "activat") != NULL)
    return CT_DHAN_KILL_ACTIVE;
  return CT_DHAN_KILL_UNKNOWN;
}

static int kill_item(const cJSON *it, void *rec, char *err, size_t err_size) {
  ct_dhan_killswitch_t *k = rec;
  int rc;
  memset(k, 0, sizeof(*k));
  rc = ct__jdecode(it, kill_fields, CT__COUNT(kill_fields), k, NULL, err,
                   err_size);
  k->state = kill_state(k->text);
  return rc;
}

CT__ONE_PARSER(ct_dhan_parse_fund_limit, ct_dhan_fund_limit_t, fund_item)
CT__ONE_PARSER(ct_dhan_parse_margin, ct_dhan_margin_t, margin_item)
CT__ONE_PARSER(ct_dhan_parse_profile, ct_dhan_profile_t, profile_item)
CT__ONE_PARSER(ct_dhan_parse_killswitch, ct_dhan_killswitch_t, kill_item)
CT__ONE_PARSER(ct_dhan_parse_edis_inquiry, ct_dhan_edis_inquiry_t, edis_item)
CT__LIST_PARSER(ct_dhan_parse_holdings, ct_dhan_holding_t, holding_item, false)
CT__LIST_PARSER(ct_dhan_parse_positions, ct_dhan_position_t, position_item,
                false)
CT__LIST_PARSER(ct_dhan_parse_ledger, ct_dhan_ledger_entry_t, ledger_item, true)
