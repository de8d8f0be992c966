/*
 * Tests for dhan_build.c and dhan_build_account.c: exact bodies (key set,
 * numbers as numbers, optional keys left out), validation failures with
 * their reasons, and the caller-buffer contract.
 */
#include "ct_test.h"

#include <string.h>

#include "copytrader/dhan_build.h"
#include "copytrader/error.h"

static ct_dhan_place_req_t limit_buy(void) {
  ct_dhan_place_req_t r;
  memset(&r, 0, sizeof(r));
  strcpy(r.o.client_id, "1000000003");
  strcpy(r.o.security_id, "11536");
  r.o.txn = CT_DHAN_TXN_BUY;
  r.o.segment = CT_DHAN_SEG_NSE_EQ;
  r.o.product = CT_DHAN_PRODUCT_INTRADAY;
  r.o.order_type = CT_DHAN_OTYPE_LIMIT;
  r.o.validity = CT_DHAN_VALIDITY_DAY;
  r.o.quantity = 5;
  r.o.price = 1428.05;
  return r;
}

static void test_place_minimal(void **state) {
  ct_dhan_place_req_t r = limit_buy();
  char buf[CT_DHAN_BODY_SIZE], err[192];
  size_t len = 0;
  (void)state;
  assert_int_equal(
      ct_dhan_build_place(&r, buf, sizeof(buf), &len, err, sizeof(err)), 0);
  assert_string_equal(
      buf,
      "{\"dhanClientId\":\"1000000003\",\"transactionType\":\"BUY\","
      "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"INTRADAY\","
      "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":"
      "\"11536\",\"quantity\":5,\"price\":1428.05,"
      "\"afterMarketOrder\":false}");
  assert_int_equal(len, strlen(buf));
}

static void test_place_all_optional_keys(void **state) {
  ct_dhan_place_req_t r = limit_buy();
  char buf[CT_DHAN_BODY_SIZE], err[192];
  (void)state;
  strcpy(r.o.correlation_id, "ctAbc_12-x");
  r.o.order_type = CT_DHAN_OTYPE_STOP_LOSS;
  r.o.trigger_price = 1427.5;
  r.o.quantity = 3000000000LL; /* beyond int32 */
  r.o.disclosed_quantity = 1000000000LL;
  r.after_market_order = true;
  r.amo_time = CT_DHAN_AMO_OPEN_30;
  assert_int_equal(
      ct_dhan_build_place(&r, buf, sizeof(buf), NULL, err, sizeof(err)), 0);
  assert_string_equal(
      buf,
      "{\"dhanClientId\":\"1000000003\",\"correlationId\":\"ctAbc_12-x\","
      "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
      "\"productType\":\"INTRADAY\",\"orderType\":\"STOP_LOSS\","
      "\"validity\":\"DAY\",\"securityId\":\"11536\",\"quantity\":"
      "3000000000,\"disclosedQuantity\":1000000000,\"price\":1428.05,"
      "\"triggerPrice\":1427.5,\"afterMarketOrder\":true,\"amoTime\":"
      "\"OPEN_30\"}");
}

static void test_place_bracket(void **state) {
  ct_dhan_place_req_t r = limit_buy();
  char buf[CT_DHAN_BODY_SIZE], err[192];
  (void)state;
  r.o.product = CT_DHAN_PRODUCT_BO;
  assert_int_equal(
      ct_dhan_build_place(&r, buf, sizeof(buf), NULL, err, sizeof(err)),
      CT_EINVAL);
  r.bo_profit_value = 5;
  r.bo_stop_loss_value = 2.5;
  assert_int_equal(
      ct_dhan_build_place(&r, buf, sizeof(buf), NULL, err, sizeof(err)), 0);
  assert_non_null(strstr(buf, "\"boProfitValue\":5,\"boStopLossValue\":2.5"));
  assert_null(strstr(buf, "triggerPrice"));
}

/* One broken field at a time: CT_EINVAL and the reason. */
static void test_place_validation(void **state) {
  char buf[CT_DHAN_BODY_SIZE], err[192];
  ct_dhan_place_req_t r;
  (void)state;
#define EXPECT_BAD(mutation, reason)                                           \
  r = limit_buy();                                                             \
  mutation;                                                                    \
  assert_int_equal(                                                            \
      ct_dhan_build_place(&r, buf, sizeof(buf), NULL, err, sizeof(err)),       \
      CT_EINVAL);                                                              \
  assert_string_equal(err, reason)
  EXPECT_BAD(strcpy(r.o.correlation_id, "0123456789012345678901234567890"),
             "correlationId: more than 30 characters or not [A-Za-z0-9 _-]");
  EXPECT_BAD(strcpy(r.o.correlation_id, "bad/char"),
             "correlationId: more than 30 characters or not [A-Za-z0-9 _-]");
  EXPECT_BAD(r.o.client_id[0] = '\0', "dhanClientId: missing");
  EXPECT_BAD(strcpy(r.o.security_id, "11 536"),
             "securityId: not letters and digits");
  EXPECT_BAD(r.o.txn = CT_DHAN_TXN_UNKNOWN, "transactionType: not set");
  EXPECT_BAD(r.o.segment = CT_DHAN_SEG_IDX_I,
             "exchangeSegment: not a tradable segment");
  EXPECT_BAD(r.o.validity = 9, "validity: not set");
  EXPECT_BAD(r.o.quantity = 0, "quantity: must be > 0");
  EXPECT_BAD(r.o.disclosed_quantity = 1,
             "disclosedQuantity: must be > 30% of quantity");
  EXPECT_BAD(r.o.price = 0, "price: must be > 0 for LIMIT");
  EXPECT_BAD(r.o.order_type = CT_DHAN_OTYPE_MARKET,
             "price: must be 0 for MARKET");
  EXPECT_BAD(r.o.order_type = CT_DHAN_OTYPE_STOP_LOSS,
             "triggerPrice: required for STOP_LOSS");
  EXPECT_BAD(r.o.trigger_price = 1, "triggerPrice: only for stop-loss orders");
  EXPECT_BAD(r.after_market_order = true,
             "amoTime: required for an after-market order");
#undef EXPECT_BAD
  /* A correlation id of exactly 30 with a space is fine. */
  r = limit_buy();
  strcpy(r.o.correlation_id, "abcdefghij klmnopqrst_uvwxyz-1");
  assert_int_equal(
      ct_dhan_build_place(&r, buf, sizeof(buf), NULL, err, sizeof(err)), 0);
}

static void test_buffer_too_small(void **state) {
  ct_dhan_place_req_t r = limit_buy();
  char buf[40], err[192];
  (void)state;
  assert_int_equal(
      ct_dhan_build_place(&r, buf, sizeof(buf), NULL, err, sizeof(err)),
      CT_ERANGE);
  assert_int_equal(ct_dhan_build_place(&r, NULL, 10, NULL, err, sizeof(err)),
                   CT_EINVAL);
  assert_int_equal(ct_dhan_build_place(NULL, buf, 10, NULL, err, sizeof(err)),
                   CT_EINVAL);
}

static void test_modify(void **state) {
  ct_dhan_modify_req_t m;
  char buf[CT_DHAN_BODY_SIZE], err[192];
  (void)state;
  memset(&m, 0, sizeof(m));
  strcpy(m.client_id, "1000000003");
  strcpy(m.order_id, "112111182198");
  m.order_type = CT_DHAN_OTYPE_STOP_LOSS_MARKET;
  m.validity = CT_DHAN_VALIDITY_DAY;
  m.quantity = 40;
  m.trigger_price = 99.5;
  assert_int_equal(
      ct_dhan_build_modify(&m, buf, sizeof(buf), NULL, err, sizeof(err)), 0);
  assert_string_equal(
      buf,
      "{\"dhanClientId\":\"1000000003\",\"orderId\":\"112111182198\","
      "\"orderType\":\"STOP_LOSS_MARKET\",\"quantity\":40,\"price\":0,"
      "\"triggerPrice\":99.5,\"validity\":\"DAY\"}");
  m.order_id[0] = '\0';
  assert_int_equal(
      ct_dhan_build_modify(&m, buf, sizeof(buf), NULL, err, sizeof(err)),
      CT_EINVAL);
  assert_string_equal(err, "orderId: missing");
}

static void test_super(void **state) {
  ct_dhan_super_req_t s;
  ct_dhan_super_modify_req_t m;
  char buf[CT_DHAN_BODY_SIZE], err[192];
  (void)state;
  memset(&s, 0, sizeof(s));
  s.o = limit_buy().o;
  s.o.product = CT_DHAN_PRODUCT_CNC;
  s.o.price = 1500;
  s.target_price = 1550;
  s.stop_loss_price = 1400;
  s.trailing_jump = 10;
  assert_int_equal(
      ct_dhan_build_super(&s, buf, sizeof(buf), NULL, err, sizeof(err)), 0);
  assert_string_equal(
      buf,
      "{\"dhanClientId\":\"1000000003\",\"transactionType\":\"BUY\","
      "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
      "\"orderType\":\"LIMIT\",\"securityId\":\"11536\",\"quantity\":5,"
      "\"price\":1500,\"targetPrice\":1550,\"stopLossPrice\":1400,"
      "\"trailingJump\":10}");
  s.o.txn = CT_DHAN_TXN_SELL; /* target below price for a SELL */
  assert_int_equal(
      ct_dhan_build_super(&s, buf, sizeof(buf), NULL, err, sizeof(err)),
      CT_EINVAL);
  assert_string_equal(
      err, "targetPrice/stopLossPrice: wrong side of price for SELL");
  memset(&m, 0, sizeof(m));
  strcpy(m.client_id, "1000000003");
  strcpy(m.order_id, "5925022734212");
  m.leg = CT_DHAN_LEG_STOP_LOSS;
  m.stop_loss_price = 1410;
  assert_int_equal(
      ct_dhan_build_super_modify(&m, buf, sizeof(buf), NULL, err, sizeof(err)),
      0);
  assert_string_equal(
      buf,
      "{\"dhanClientId\":\"1000000003\",\"orderId\":\"5925022734212\","
      "\"legName\":\"STOP_LOSS_LEG\",\"stopLossPrice\":1410,"
      "\"trailingJump\":0}");
  m.leg = CT_DHAN_LEG_TARGET;
  m.target_price = 1600;
  assert_int_equal(
      ct_dhan_build_super_modify(&m, buf, sizeof(buf), NULL, err, sizeof(err)),
      0);
  assert_null(strstr(buf, "stopLossPrice"));
  assert_non_null(strstr(buf, "\"targetPrice\":1600"));
}

static void test_forever(void **state) {
  ct_dhan_forever_req_t f;
  ct_dhan_forever_modify_req_t m;
  char buf[CT_DHAN_BODY_SIZE], err[192];
  (void)state;
  memset(&f, 0, sizeof(f));
  f.o = limit_buy().o;
  f.o.product = CT_DHAN_PRODUCT_CNC;
  f.o.trigger_price = 1427;
  f.flag = CT_DHAN_FLAG_OCO;
  assert_int_equal(
      ct_dhan_build_forever(&f, buf, sizeof(buf), NULL, err, sizeof(err)),
      CT_EINVAL);
  assert_string_equal(err, "price1/triggerPrice1/quantity1: must be > 0");
  f.price1 = 1300;
  f.trigger_price1 = 1301;
  f.quantity1 = 5;
  assert_int_equal(
      ct_dhan_build_forever(&f, buf, sizeof(buf), NULL, err, sizeof(err)), 0);
  assert_non_null(strstr(buf, "{\"orderFlag\":\"OCO\",\"dhanClientId\""));
  assert_non_null(strstr(buf,
                         "\"triggerPrice\":1427,\"price1\":1300,"
                         "\"triggerPrice1\":1301,\"quantity1\":5}"));
  memset(&m, 0, sizeof(m));
  strcpy(m.client_id, "1000000003");
  strcpy(m.order_id, "5132208051112");
  m.flag = CT_DHAN_FLAG_SINGLE;
  m.order_type = CT_DHAN_OTYPE_LIMIT;
  m.validity = CT_DHAN_VALIDITY_DAY;
  m.leg = CT_DHAN_LEG_TARGET;
  m.quantity = 10;
  m.price = 1430;
  m.trigger_price = 1429;
  assert_int_equal(ct_dhan_build_forever_modify(&m, buf, sizeof(buf), NULL, err,
                                                sizeof(err)),
                   0);
  assert_string_equal(
      buf,
      "{\"dhanClientId\":\"1000000003\",\"orderId\":\"5132208051112\","
      "\"orderFlag\":\"SINGLE\",\"orderType\":\"LIMIT\",\"legName\":"
      "\"TARGET_LEG\",\"quantity\":10,\"price\":1430,"
      "\"disclosedQuantity\":0,\"triggerPrice\":1429,\"validity\":"
      "\"DAY\"}");
}

static void test_account_bodies(void **state) {
  char buf[CT_DHAN_BODY_SIZE], err[192];
  ct_dhan_convert_req_t c;
  ct_dhan_margin_item_t items[2];
  ct_dhan_margin_multi_req_t mm;
  ct_dhan_pnl_exit_req_t p;
  ct_dhan_edis_req_t e;
  (void)state;
  memset(&c, 0, sizeof(c));
  strcpy(c.client_id, "1000000009");
  strcpy(c.security_id, "11536");
  c.segment = CT_DHAN_SEG_NSE_EQ;
  c.position_type = CT_DHAN_POS_LONG;
  c.from_product = CT_DHAN_PRODUCT_INTRADAY;
  c.to_product = CT_DHAN_PRODUCT_CNC;
  c.convert_qty = 40;
  assert_int_equal(
      ct_dhan_build_convert(&c, buf, sizeof(buf), NULL, err, sizeof(err)), 0);
  assert_string_equal(
      buf,
      "{\"dhanClientId\":\"1000000009\",\"fromProductType\":\"INTRADAY\","
      "\"exchangeSegment\":\"NSE_EQ\",\"positionType\":\"LONG\","
      "\"securityId\":\"11536\",\"tradingSymbol\":\"\",\"convertQty\":40,"
      "\"toProductType\":\"CNC\"}");

  memset(items, 0, sizeof(items));
  strcpy(items[0].security_id, "52175");
  items[0].segment = CT_DHAN_SEG_NSE_FNO;
  items[0].txn = CT_DHAN_TXN_SELL;
  items[0].product = CT_DHAN_PRODUCT_MARGIN;
  items[0].quantity = 75;
  items[0].price = 150.75;
  items[1] = items[0];
  items[1].trigger_price = 120;
  assert_int_equal(ct_dhan_build_margin("1000000009", &items[1], buf,
                                        sizeof(buf), NULL, err, sizeof(err)),
                   0);
  assert_string_equal(
      buf,
      "{\"dhanClientId\":\"1000000009\",\"exchangeSegment\":\"NSE_FNO\","
      "\"transactionType\":\"SELL\",\"quantity\":75,\"productType\":"
      "\"MARGIN\",\"securityId\":\"52175\",\"price\":150.75,"
      "\"triggerPrice\":120}");
  memset(&mm, 0, sizeof(mm));
  strcpy(mm.client_id, "1000000009");
  mm.include_position = true;
  mm.items = items;
  mm.n_items = 2;
  assert_int_equal(
      ct_dhan_build_margin_multi(&mm, buf, sizeof(buf), NULL, err, sizeof(err)),
      0);
  assert_non_null(strstr(buf,
                         "{\"includePosition\":true,\"includeOrder\":"
                         "false,\"dhanClientId\":\"1000000009\","
                         "\"scripList\":[{\"exchangeSegment\""));
  assert_non_null(strstr(buf, "\"price\":150.75},{\"exchangeSegment\""));

  memset(&p, 0, sizeof(p));
  strcpy(p.client_id, "1000000009");
  p.profit_value = 1500;
  p.loss_value = 500.5;
  p.products = CT_DHAN_PNL_INTRADAY | CT_DHAN_PNL_DELIVERY;
  p.enable_kill_switch = true;
  assert_int_equal(
      ct_dhan_build_pnl_exit(&p, buf, sizeof(buf), NULL, err, sizeof(err)), 0);
  assert_string_equal(
      buf,
      "{\"dhanClientId\":\"1000000009\",\"profitValue\":1500,"
      "\"lossValue\":500.5,\"productType\":[\"INTRADAY\",\"DELIVERY\"],"
      "\"enableKillSwitch\":true}");

  memset(&e, 0, sizeof(e));
  strcpy(e.client_id, "1000000009");
  strcpy(e.isin, "INE733E01010");
  strcpy(e.exchange, "NSE");
  e.qty = 1;
  assert_int_equal(
      ct_dhan_build_edis_form(&e, buf, sizeof(buf), NULL, err, sizeof(err)), 0);
  assert_string_equal(
      buf,
      "{\"dhanClientId\":\"1000000009\",\"isin\":\"INE733E01010\","
      "\"qty\":1,\"exchange\":\"NSE\",\"segment\":\"EQ\",\"bulk\":false}");
  strcpy(e.exchange, "MCX");
  assert_int_equal(
      ct_dhan_build_edis_form(&e, buf, sizeof(buf), NULL, err, sizeof(err)),
      CT_EINVAL);
  assert_string_equal(err, "exchange: NSE or BSE");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_place_minimal),
    cmocka_unit_test(test_place_all_optional_keys),
    cmocka_unit_test(test_place_bracket),
    cmocka_unit_test(test_place_validation),
    cmocka_unit_test(test_buffer_too_small),
    cmocka_unit_test(test_modify),
    cmocka_unit_test(test_super),
    cmocka_unit_test(test_forever),
    cmocka_unit_test(test_account_bodies),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
