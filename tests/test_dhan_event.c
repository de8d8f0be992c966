/*
 * Tests for dhan_parse_event.c: the typed order event from live
 * order-update frames (the docs' example made valid, camelCase keys,
 * numbers as strings, title-case Status, super-order legs, unknown Type
 * frames, broken and hostile input) and from both postback shapes, plus
 * the event an order-book record gives.
 */
#include "ct_test.h"

#include <string.h>

#include "copytrader/dhan_json.h"
#include "copytrader/error.h"
#include "dhan_fixture.h"

/* Parse fixture `name` as an order-update frame. */
static int ws(const char *name, ct_order_event_t *ev, char *err) {
  size_t len;
  char *buf = ct_fixture(name, &len);
  int rc = ct_dhan_parse_order_update(buf, len, ev, err, CT_DHAN_ERR_SIZE);
  free(buf);
  return rc;
}

static int postback(const char *name, ct_order_event_t *ev, char *err) {
  size_t len;
  char *buf = ct_fixture(name, &len);
  int rc = ct_dhan_parse_postback(buf, len, ev, err, CT_DHAN_ERR_SIZE);
  free(buf);
  return rc;
}

static void test_docs_example(void **state) {
  ct_order_event_t ev;
  char err[CT_DHAN_ERR_SIZE] = "";
  (void)state;
  assert_int_equal(ws("ws_docs_example.json", &ev, err), 0);
  assert_int_equal(ev.source, CT_OEV_SRC_WS);
  assert_string_equal(ev.order_id, "1124091136546");
  assert_string_equal(ev.exchange_order_id, "1400000000404591");
  assert_string_equal(ev.client_id, "1000000001");
  assert_string_equal(ev.security_id, "14366");
  assert_string_equal(ev.correlation_id, "");
  assert_string_equal(ev.status_text, "Cancelled");
  assert_int_equal(ev.status, CT_DHAN_STATUS_CANCELLED);
  assert_int_equal(ev.segment, CT_DHAN_SEG_NSE_EQ);
  assert_int_equal(ev.product, CT_DHAN_PRODUCT_CNC);
  assert_int_equal(ev.txn, CT_DHAN_TXN_BUY);
  assert_int_equal(ev.order_type, CT_DHAN_OTYPE_LIMIT);
  assert_int_equal(ev.validity, CT_DHAN_VALIDITY_DAY);
  assert_int_equal(ev.quantity, 1);
  assert_int_equal(ev.remaining_qty, 1);
  assert_int_equal(ev.traded_qty, 0);
  assert_true(ev.price == 13.0);
  assert_int_equal(ev.fill, CT_FILL_NONE);
  assert_false(ev.after_market_order);
  assert_int_equal(ev.leg_no, 1);
  assert_int_equal(ev.leg, CT_DHAN_LEG_ENTRY);
  /* Remarks appears twice: "NR" and "Super Order". */
  assert_true(ev.super_order);
  assert_true(ev.forever_order);
  assert_string_equal(ev.good_till_date, "2024-09-11");
  assert_string_equal(ev.last_update_time, "2024-09-11 14:39:29");
  assert_string_equal(ev.reason, "CONFIRMED");
}

static void test_partial_fill_numbers_as_strings(void **state) {
  ct_order_event_t ev;
  char err[CT_DHAN_ERR_SIZE] = "";
  (void)state;
  assert_int_equal(ws("ws_partial_strings.json", &ev, err), 0);
  /* Status says PENDING; the quantities say partly filled. */
  assert_int_equal(ev.status, CT_DHAN_STATUS_PENDING);
  assert_int_equal(ev.fill, CT_FILL_PARTIAL);
  assert_int_equal(ev.quantity, 100);
  assert_int_equal(ev.traded_qty, 40);
  assert_int_equal(ev.remaining_qty, 60);
  assert_true(ev.traded_price == 101.45);
  assert_true(ev.avg_traded_price == 101.47);
  assert_true(ev.trigger_price == 101.0);
  assert_int_equal(ev.segment, CT_DHAN_SEG_NSE_FNO);
  assert_int_equal(ev.product, CT_DHAN_PRODUCT_MARGIN);
  assert_int_equal(ev.txn, CT_DHAN_TXN_SELL);
  assert_int_equal(ev.order_type, CT_DHAN_OTYPE_STOP_LOSS);
  /* DiscQuantity "" and LegNo null: absent, not errors. */
  assert_false(ev.has & CT_DHAN_HAS_DISCLOSED);
  assert_true(ev.has & CT_DHAN_HAS_TRADED_QTY);
  assert_int_equal(ev.leg_no, 0);
  assert_false(ev.super_order);
  assert_string_equal(ev.correlation_id, "ctABCDEFGHIJKLMNOPQRSTUVxx");
}

static void test_camel_case_traded(void **state) {
  ct_order_event_t ev;
  char err[CT_DHAN_ERR_SIZE] = "";
  (void)state;
  assert_int_equal(ws("ws_traded_camel.json", &ev, err), 0);
  assert_string_equal(ev.order_id, "112111182198");
  assert_int_equal(ev.status, CT_DHAN_STATUS_TRADED);
  assert_string_equal(ev.status_text, "Traded");
  assert_int_equal(ev.fill, CT_FILL_FULL);
  assert_int_equal(ev.segment, CT_DHAN_SEG_BSE_EQ);
  assert_int_equal(ev.product, CT_DHAN_PRODUCT_INTRADAY);
  assert_int_equal(ev.order_type, CT_DHAN_OTYPE_MARKET);
  assert_int_equal(ev.validity, CT_DHAN_VALIDITY_IOC);
  assert_true(ev.after_market_order);
  assert_true(ev.traded_price == 2450.05);
  assert_string_equal(ev.correlation_id, "leader-tag_1");
  assert_false(ev.super_order);
}

static void test_super_order_target_leg(void **state) {
  ct_order_event_t ev;
  char err[CT_DHAN_ERR_SIZE] = "";
  (void)state;
  /* Type in another case, Status lower case, MCX. */
  assert_int_equal(ws("ws_super_target.json", &ev, err), 0);
  assert_true(ev.super_order);
  assert_int_equal(ev.leg_no, 3);
  assert_int_equal(ev.leg, CT_DHAN_LEG_TARGET);
  assert_int_equal(ev.status, CT_DHAN_STATUS_TRADED);
  assert_int_equal(ev.segment, CT_DHAN_SEG_MCX_COMM);
  assert_int_equal(ev.fill, CT_FILL_FULL);
  /* The placeholder date is not a forever order. */
  assert_false(ev.forever_order);
}

static void test_unknown_values_are_not_errors(void **state) {
  ct_order_event_t ev;
  char err[CT_DHAN_ERR_SIZE] = "";
  (void)state;
  assert_int_equal(ws("ws_unknown_status.json", &ev, err), 0);
  assert_int_equal(ev.status, CT_DHAN_STATUS_UNKNOWN);
  assert_string_equal(ev.status_text, "MODIFIED");
  assert_int_equal(ev.segment, CT_DHAN_SEG_UNKNOWN);
  assert_int_equal(ev.fill, CT_FILL_UNKNOWN);
}

static void test_other_frames_are_ignored(void **state) {
  ct_order_event_t ev;
  char err[CT_DHAN_ERR_SIZE] = "";
  (void)state;
  assert_int_equal(ws("ws_heartbeat.json", &ev, err), CT_DHAN_IGNORED);
  assert_int_equal(ev.source, CT_OEV_SRC_NONE);
}

/* Each broken frame fails with CT_EPROTO and a reason naming the fault. */
static void test_broken_frames(void **state) {
  static const struct {
    const char *file, *reason;
  } cases[] = {
    { "ws_docs_invalid.json", "not JSON at byte " },
    { "ws_truncated.json", "not JSON at byte " },
    { "ws_garbage.bin", "not JSON at byte 2" },
    { "ws_login_error.json", "field 'Type': missing" },
    { "ws_no_data.json", "field 'Data': missing" },
    { "ws_data_not_object.json", "field 'Data': expected an object" },
    { "ws_missing_orderno.json", "field 'OrderNo': missing" },
    { "ws_bad_number.json", "field 'TradedQty': not a number" },
    { "ws_huge_number.json", "field 'Quantity': out of range" },
    { "ws_huge_int.json", "field 'TradedQty': out of range" },
    { "ws_long_orderno.json", "field 'OrderNo': too long (40 > 31)" },
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ct_order_event_t ev;
    char err[CT_DHAN_ERR_SIZE] = "";
    assert_int_equal(ws(cases[i].file, &ev, err), CT_EPROTO);
    if (strstr(err, cases[i].reason) == NULL)
      fail_msg("%s: got \"%s\", want \"%s\"", cases[i].file, err,
               cases[i].reason);
    assert_int_equal(ev.source, CT_OEV_SRC_NONE);
  }
}

static void test_edge_buffers(void **state) {
  ct_order_event_t ev;
  char err[CT_DHAN_ERR_SIZE] = "";
  const char ok[] =
      "{\"Type\":\"order_alert\",\"Data\":{\"OrderNo\":\"5\","
      "\"Status\":\"TRANSIT\"}}";
  (void)state;
  assert_int_equal(ct_dhan_parse_order_update(NULL, 0, &ev, err, sizeof(err)),
                   CT_EPROTO);
  assert_string_equal(err, "empty body");
  assert_int_equal(
      ct_dhan_parse_order_update(ok, sizeof(ok) - 1, NULL, err, sizeof(err)),
      CT_EINVAL);
  /* Not NUL-terminated: only len bytes are read. */
  assert_int_equal(
      ct_dhan_parse_order_update(ok, sizeof(ok) - 2, &ev, err, sizeof(err)),
      CT_EPROTO);
  assert_int_equal(
      ct_dhan_parse_order_update("{} {}", 5, &ev, err, sizeof(err)), CT_EPROTO);
  assert_string_equal(err, "trailing bytes at byte 3");
  /* A tiny or absent err buffer is fine. */
  assert_int_equal(ct_dhan_parse_order_update("x", 1, &ev, err, 4), CT_EPROTO);
  assert_string_equal(err, "not");
  assert_int_equal(ct_dhan_parse_order_update("x", 1, &ev, NULL, 0), CT_EPROTO);
  assert_int_equal(ct_dhan_parse_order_update(ok, sizeof(ok) - 1, &ev, NULL, 0),
                   0);
  assert_int_equal(ev.status, CT_DHAN_STATUS_TRANSIT);
}

static void test_postback_2026(void **state) {
  ct_order_event_t ev;
  char err[CT_DHAN_ERR_SIZE] = "";
  (void)state;
  assert_int_equal(postback("postback_2026.json", &ev, err), 0);
  assert_int_equal(ev.source, CT_OEV_SRC_POSTBACK);
  assert_string_equal(ev.order_id, "112111182198");
  assert_string_equal(ev.correlation_id, "123abc678");
  assert_int_equal(ev.status, CT_DHAN_STATUS_PART_TRADED);
  assert_int_equal(ev.quantity, 5);
  assert_int_equal(ev.traded_qty, 2); /* filled_qty */
  assert_int_equal(ev.remaining_qty, 3);
  assert_int_equal(ev.fill, CT_FILL_PARTIAL);
  assert_string_equal(ev.oms_error_code, "0"); /* omserroeCode */
  assert_int_equal(ev.segment, CT_DHAN_SEG_NSE_EQ);
  assert_true(ev.price == 1428.0);
  assert_string_equal(ev.last_update_time, "2021-11-24 13:33:03");
}

static void test_postback_2024(void **state) {
  ct_order_event_t ev;
  char err[CT_DHAN_ERR_SIZE] = "";
  (void)state;
  assert_int_equal(postback("postback_2024.json", &ev, err), 0);
  assert_int_equal(ev.status, CT_DHAN_STATUS_TRADED);
  assert_int_equal(ev.quantity, 50); /* "50" */
  assert_false(ev.has & CT_DHAN_HAS_TRADED_QTY);
  assert_false(ev.has & CT_DHAN_HAS_PRICE); /* "" */
  /* No fill quantity in this shape: TRADED is the only evidence. */
  assert_int_equal(ev.fill, CT_FILL_FULL);
  assert_int_equal(ev.leg, CT_DHAN_LEG_NONE);
  assert_false(ev.after_market_order); /* "false" */
  assert_int_equal(ev.segment, CT_DHAN_SEG_NSE_FNO);
}

static void test_postback_rejected_and_broken(void **state) {
  ct_order_event_t ev;
  char err[CT_DHAN_ERR_SIZE] = "";
  (void)state;
  assert_int_equal(postback("postback_rejected.json", &ev, err), 0);
  assert_int_equal(ev.status, CT_DHAN_STATUS_REJECTED);
  assert_string_equal(ev.oms_error_code, "RMS:16387");
  assert_string_equal(ev.reason, "Insufficient funds");
  assert_int_equal(ev.fill, CT_FILL_NONE);
  assert_int_equal(postback("postback_no_status.json", &ev, err), CT_EPROTO);
  assert_string_equal(err, "field 'orderStatus': missing");
  assert_int_equal(postback("ws_truncated.json", &ev, err), CT_EPROTO);
}

static void test_event_from_order_book(void **state) {
  size_t len, n;
  char err[CT_DHAN_ERR_SIZE] = "";
  char *buf = ct_fixture("orders.json", &len);
  ct_dhan_order_t *orders;
  ct_order_event_t ev;
  (void)state;
  assert_int_equal(
      ct_dhan_parse_orders(buf, len, &orders, &n, err, sizeof(err)), 0);
  assert_int_equal(n, 2);
  ct_order_event_from_order(&orders[1], CT_OEV_SRC_REST, &ev);
  assert_int_equal(ev.source, CT_OEV_SRC_REST);
  assert_string_equal(ev.order_id, "112111182199");
  assert_string_equal(ev.exchange_order_id, "1100000000012345");
  assert_int_equal(ev.status, CT_DHAN_STATUS_PART_TRADED);
  assert_int_equal(ev.traded_qty, 70);
  assert_int_equal(ev.remaining_qty, 30);
  assert_int_equal(ev.fill, CT_FILL_PARTIAL);
  assert_true(ev.avg_traded_price == 101.25);
  assert_int_equal(ev.leg, CT_DHAN_LEG_ENTRY);
  assert_int_equal(ev.leg_no, 1);
  ct_order_event_from_order(&orders[0], CT_OEV_SRC_REST, &ev);
  assert_int_equal(ev.fill, CT_FILL_NONE);
  free(orders);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_docs_example),
    cmocka_unit_test(test_partial_fill_numbers_as_strings),
    cmocka_unit_test(test_camel_case_traded),
    cmocka_unit_test(test_super_order_target_leg),
    cmocka_unit_test(test_unknown_values_are_not_errors),
    cmocka_unit_test(test_other_frames_are_ignored),
    cmocka_unit_test(test_broken_frames),
    cmocka_unit_test(test_edge_buffers),
    cmocka_unit_test(test_postback_2026),
    cmocka_unit_test(test_postback_2024),
    cmocka_unit_test(test_postback_rejected_and_broken),
    cmocka_unit_test(test_event_from_order_book),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
