/*
 * Tests for the REST record parsers (dhan_parse_order.c, _book.c,
 * _account.c) on fixtures shaped like the docs' examples: order acks and
 * slicing arrays, order book, trades as object or array, super orders with
 * legDetails, forever orders with the flag in orderType, holdings,
 * positions, fund limit with Dhan's misspelt keys, both margin shapes,
 * ledger as object or array, profile, kill switch, eDIS.
 */
#include "ct_test.h"

#include <string.h>

#include "copytrader/dhan_json.h"
#include "copytrader/error.h"
#include "dhan_fixture.h"

/* Run list parser `fn` on fixture `name`. */
#define PARSE_LIST(fn, name, out, n)                                           \
  do {                                                                         \
    size_t len_;                                                               \
    char err_[CT_DHAN_ERR_SIZE] = "";                                          \
    char *buf_ = ct_fixture(name, &len_);                                      \
    int rc_ = fn(buf_, len_, out, n, err_, sizeof(err_));                      \
    free(buf_);                                                                \
    if (rc_ != 0)                                                              \
      fail_msg("%s: %s", name, err_);                                          \
  } while (0)

#define PARSE_ONE(fn, name, out)                                               \
  do {                                                                         \
    size_t len_;                                                               \
    char err_[CT_DHAN_ERR_SIZE] = "";                                          \
    char *buf_ = ct_fixture(name, &len_);                                      \
    int rc_ = fn(buf_, len_, out, err_, sizeof(err_));                         \
    free(buf_);                                                                \
    if (rc_ != 0)                                                              \
      fail_msg("%s: %s", name, err_);                                          \
  } while (0)

static void test_acks(void **state) {
  ct_dhan_order_ack_t *a;
  size_t n;
  (void)state;
  PARSE_LIST(ct_dhan_parse_order_acks, "order_ack.json", &a, &n);
  assert_int_equal(n, 1);
  assert_string_equal(a[0].order_id, "112111182198");
  assert_int_equal(a[0].status, CT_DHAN_STATUS_PENDING);
  free(a);
  PARSE_LIST(ct_dhan_parse_order_acks, "slice_ack.json", &a, &n);
  assert_int_equal(n, 2);
  assert_string_equal(a[1].order_id, "552209237101");
  assert_int_equal(a[1].status, CT_DHAN_STATUS_TRANSIT);
  free(a);
}

static void test_orders(void **state) {
  ct_dhan_order_t *o, one;
  size_t n;
  (void)state;
  PARSE_LIST(ct_dhan_parse_orders, "orders.json", &o, &n);
  assert_int_equal(n, 2);
  assert_string_equal(o[0].order_id, "112111182198");
  assert_string_equal(o[0].exchange_order_id, "");
  assert_int_equal(o[0].status, CT_DHAN_STATUS_PENDING);
  assert_int_equal(o[0].order_type, CT_DHAN_OTYPE_MARKET);
  assert_int_equal(o[0].quantity, 5);
  assert_string_equal(o[0].drv_expiry_date, ""); /* null */
  assert_int_equal(o[1].segment, CT_DHAN_SEG_NSE_FNO);
  assert_int_equal(o[1].filled_qty, 70);
  assert_true(o[1].price == 101.3);
  assert_true(o[1].has & CT_DHAN_HAS_REMAINING);
  free(o);
  PARSE_ONE(ct_dhan_parse_order, "order_single.json", &one);
  assert_string_equal(one.correlation_id, "123abc678");
  assert_int_equal(one.product, CT_DHAN_PRODUCT_INTRADAY);
  assert_string_equal(one.algo_id, "0");
  PARSE_LIST(ct_dhan_parse_orders, "orders_empty.json", &o, &n);
  assert_int_equal(n, 0);
  assert_null(o);
}

static void test_order_list_shape_errors(void **state) {
  ct_dhan_order_t *o;
  size_t n, len;
  char err[CT_DHAN_ERR_SIZE];
  char *buf = ct_fixture("order_single.json", &len);
  (void)state;
  /* The order book is an array: one object is an error. */
  assert_int_equal(ct_dhan_parse_orders(buf, len, &o, &n, err, sizeof(err)),
                   CT_EPROTO);
  assert_string_equal(err, "expected a JSON array");
  free(buf);
  assert_int_equal(ct_dhan_parse_orders("[{\"orderId\":\"1\"},{\"x\":1}]", 26,
                                        &o, &n, err, sizeof(err)),
                   CT_EPROTO);
  assert_string_equal(err, "item 1: field 'orderId': missing");
  assert_int_equal(ct_dhan_parse_orders("[1]", 3, &o, &n, err, sizeof(err)),
                   CT_EPROTO);
  assert_string_equal(err, "item 0: expected a JSON object");
  assert_int_equal(ct_dhan_parse_orders("[]", 2, NULL, &n, err, sizeof(err)),
                   CT_EINVAL);
}

static void test_trades_object_or_array(void **state) {
  ct_dhan_trade_t *t;
  size_t n;
  (void)state;
  PARSE_LIST(ct_dhan_parse_trades, "trade_one.json", &t, &n);
  assert_int_equal(n, 1);
  assert_string_equal(t[0].exchange_trade_id, "15112111182045");
  assert_int_equal(t[0].traded_quantity, 40);
  assert_true(t[0].traded_price == 3345.8);
  assert_string_equal(t[0].custom_symbol, "Tata Consultancy Services");
  free(t);
  PARSE_LIST(ct_dhan_parse_trades, "trades.json", &t, &n);
  assert_int_equal(n, 2);
  assert_int_equal(t[1].traded_quantity, 60);
  assert_string_equal(t[1].create_time, ""); /* "NA" */
  free(t);
}

static void test_super_orders(void **state) {
  ct_dhan_super_order_t *s;
  size_t n, len;
  char err[CT_DHAN_ERR_SIZE];
  char *buf;
  (void)state;
  PARSE_LIST(ct_dhan_parse_super_orders, "super_orders.json", &s, &n);
  assert_int_equal(n, 1);
  assert_int_equal(s[0].leg, CT_DHAN_LEG_ENTRY);
  assert_true(s[0].ltp == 1660.95);
  assert_int_equal(s[0].n_legs, 2);
  assert_int_equal(s[0].legs[0].leg, CT_DHAN_LEG_STOP_LOSS);
  assert_true(s[0].legs[0].trailing_jump == 10);
  assert_int_equal(s[0].legs[1].leg, CT_DHAN_LEG_TARGET);
  assert_true(s[0].legs[1].price == 1550);
  assert_int_equal(s[0].legs[1].status, CT_DHAN_STATUS_PENDING);
  free(s);
  buf = ct_fixture("super_too_many_legs.json", &len);
  assert_int_equal(
      ct_dhan_parse_super_orders(buf, len, &s, &n, err, sizeof(err)),
      CT_EPROTO);
  assert_string_equal(err,
                      "item 0: field 'legDetails': too many items (5 > 4)");
  free(buf);
}

static void test_forever_orders(void **state) {
  ct_dhan_forever_order_t *f;
  size_t n;
  (void)state;
  PARSE_LIST(ct_dhan_parse_forever_orders, "forever_orders.json", &f, &n);
  assert_int_equal(n, 2);
  assert_int_equal(f[0].order_flag, CT_DHAN_FLAG_SINGLE); /* in orderType */
  /* orderType held the flag: a priced order is read as LIMIT. */
  assert_int_equal(f[0].order_type, CT_DHAN_OTYPE_LIMIT);
  assert_true(f[0].trigger_price == 1427);
  assert_int_equal(f[1].order_flag, CT_DHAN_FLAG_OCO);
  assert_int_equal(f[1].order_type, CT_DHAN_OTYPE_LIMIT);
  assert_int_equal(f[1].status, CT_DHAN_STATUS_CONFIRM);
  free(f);
  {
    static const char unpriced[] =
        "[{\"orderId\":\"7\",\"orderType\":\"OCO\",\"price\":0}]";
    char err[160];
    assert_int_equal(ct_dhan_parse_forever_orders(unpriced, strlen(unpriced),
                                                  &f, &n, err, sizeof(err)),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].order_flag, CT_DHAN_FLAG_OCO);
    assert_int_equal(f[0].order_type, CT_DHAN_OTYPE_MARKET);
    free(f);
  }
}

static void test_portfolio(void **state) {
  ct_dhan_holding_t *h;
  ct_dhan_position_t *p;
  size_t n;
  (void)state;
  PARSE_LIST(ct_dhan_parse_holdings, "holdings.json", &h, &n);
  assert_int_equal(n, 1);
  assert_string_equal(h[0].isin, "INE001A01036");
  assert_int_equal(h[0].available_qty, 1000);
  assert_true(h[0].last_traded_price == 2700.5);
  free(h);
  PARSE_LIST(ct_dhan_parse_positions, "positions.json", &p, &n);
  assert_int_equal(n, 1);
  assert_int_equal(p[0].position_type, CT_DHAN_POS_LONG);
  assert_int_equal(p[0].net_qty, 40);
  assert_true(p[0].unrealized_profit == 6122.0);
  assert_false(p[0].cross_currency);
  free(p);
}

static void test_funds_and_margin(void **state) {
  ct_dhan_fund_limit_t f;
  ct_dhan_margin_t m;
  (void)state;
  PARSE_ONE(ct_dhan_parse_fund_limit, "fundlimit.json", &f);
  assert_true(f.available_balance == 98440.0); /* availabelBalance */
  assert_true(f.sod_limit == 113642);
  assert_true(f.withdrawable_balance == 98310.0);
  PARSE_ONE(ct_dhan_parse_fund_limit, "fundlimit_correct.json", &f);
  assert_true(f.available_balance == 500.5);
  assert_true(f.receivable_amount == 12);
  PARSE_ONE(ct_dhan_parse_margin, "margin_single.json", &m);
  assert_true(m.total_margin == 2800000.0);
  assert_true(m.brokerage == 20.0);
  assert_string_equal(m.leverage, "4.00");
  PARSE_ONE(ct_dhan_parse_margin, "margin_multi.json", &m);
  assert_true(m.total_margin == 150000.0);
  assert_true(m.fo_margin == 150000.0);
  assert_true(m.hedge_benefit == 25000.0);
  assert_true(m.brokerage == 0);
  assert_true(m.currency_margin == 0);
}

/* "currency" is UNVERIFIED (§8): an amount is read, a label such as "INR"
 * reads as absent, and a non-numeric value in a strict field still fails. */
static void test_margin_currency_tolerance(void **state) {
  static const char amount[] =
      "{\"total_margin\":\"10.00\","
      "\"currency\":\"12.50\"}";
  static const char label[] =
      "{\"total_margin\":\"10.00\","
      "\"currency\":\"INR\"}";
  static const char bad[] = "{\"total_margin\":\"INR\"}";
  ct_dhan_margin_t m;
  char err[CT_DHAN_ERR_SIZE] = "";
  (void)state;
  assert_int_equal(
      ct_dhan_parse_margin(amount, sizeof(amount) - 1, &m, err, sizeof(err)),
      0);
  assert_true(m.currency_margin == 12.5);
  assert_int_equal(
      ct_dhan_parse_margin(label, sizeof(label) - 1, &m, err, sizeof(err)), 0);
  assert_true(m.currency_margin == 0);
  assert_true(m.total_margin == 10.0);
  assert_int_not_equal(
      ct_dhan_parse_margin(bad, sizeof(bad) - 1, &m, err, sizeof(err)), 0);
  assert_non_null(strstr(err, "not a number"));
}

static void test_statement_and_account(void **state) {
  ct_dhan_ledger_entry_t *l;
  ct_dhan_profile_t p;
  ct_dhan_killswitch_t k;
  ct_dhan_edis_inquiry_t e;
  size_t n;
  (void)state;
  PARSE_LIST(ct_dhan_parse_ledger, "ledger_one.json", &l, &n);
  assert_int_equal(n, 1);
  assert_true(l[0].debit == 20000.0);
  assert_string_equal(l[0].voucher_date, "Jun 22, 2022");
  free(l);
  PARSE_LIST(ct_dhan_parse_ledger, "ledger.json", &l, &n);
  assert_int_equal(n, 2);
  assert_true(l[1].credit == 1500.0);
  free(l);
  PARSE_ONE(ct_dhan_parse_profile, "profile.json", &p);
  assert_true(p.ddpi_active);
  assert_string_equal(p.token_validity, "30/03/2025 15:37");
  PARSE_ONE(ct_dhan_parse_killswitch, "killswitch_get.json", &k);
  assert_int_equal(k.state, CT_DHAN_KILL_ACTIVE);
  PARSE_ONE(ct_dhan_parse_killswitch, "killswitch_post.json", &k);
  assert_int_equal(k.state, CT_DHAN_KILL_INACTIVE);
  PARSE_ONE(ct_dhan_parse_edis_inquiry, "edis_inquire.json", &e);
  assert_string_equal(e.client_id, "1000000009");
  assert_int_equal(e.approved_qty, 4);
  assert_string_equal(e.status, "SUCCESS");
}

static void test_text_truncated_ids_not(void **state) {
  ct_dhan_order_t o;
  char err[CT_DHAN_ERR_SIZE];
  char body[600];
  char sym[300];
  (void)state;
  memset(sym, 'A', sizeof(sym) - 1);
  sym[sizeof(sym) - 1] = '\0';
  snprintf(body, sizeof(body), "{\"orderId\":\"1\",\"tradingSymbol\":\"%s\"}",
           sym);
  assert_int_equal(
      ct_dhan_parse_order(body, strlen(body), &o, err, sizeof(err)), 0);
  assert_int_equal(strlen(o.trading_symbol), CT_DHAN_SYMBOL_SIZE - 1);
  snprintf(body, sizeof(body),
           "{\"orderId\":\"1\",\"correlationId\":\"%.32s\"}", sym);
  assert_int_equal(
      ct_dhan_parse_order(body, strlen(body), &o, err, sizeof(err)), CT_EPROTO);
  assert_string_equal(err, "field 'correlationId': too long (32 > 31)");
  /* An id sent as a number is accepted as its digits. */
  assert_int_equal(ct_dhan_parse_order("{\"orderId\":112111182198}", 24, &o,
                                       err, sizeof(err)),
                   0);
  assert_string_equal(o.order_id, "112111182198");
  assert_int_equal(ct_dhan_parse_order("{\"orderId\":\"1\",\"quantity\":1.5}",
                                       30, &o, err, sizeof(err)),
                   CT_EPROTO);
  assert_string_equal(err, "field 'quantity': not an integer");
  assert_int_equal(
      ct_dhan_parse_order("{\"orderId\":\"1\",\"afterMarketOrder\":\"maybe\"}",
                          42, &o, err, sizeof(err)),
      CT_EPROTO);
  assert_string_equal(err, "field 'afterMarketOrder': not a boolean");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_acks),
    cmocka_unit_test(test_orders),
    cmocka_unit_test(test_order_list_shape_errors),
    cmocka_unit_test(test_trades_object_or_array),
    cmocka_unit_test(test_super_orders),
    cmocka_unit_test(test_forever_orders),
    cmocka_unit_test(test_portfolio),
    cmocka_unit_test(test_funds_and_margin),
    cmocka_unit_test(test_margin_currency_tolerance),
    cmocka_unit_test(test_statement_and_account),
    cmocka_unit_test(test_text_truncated_ids_not),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
