/*
 * Tests for dhan_enums.c: every enumeration round-trips through Dhan's
 * exact spelling, reading is case-insensitive, unknown text reads as 0, the
 * order-update socket's short codes and (Exchange, Segment) pairs map to the
 * REST values, and the feed codes match the annexure.
 */
#include "ct_test.h"

#include "copytrader/dhan_types.h"
#include "copytrader/error.h"

/* Each value's spelling reads back as the value. */
#define ROUND_TRIP(name, count)                                                \
  for (int v = 1; v < (count); v++) {                                          \
    const char *s = ct_dhan_##name##_str(v);                                   \
    assert_non_null(s);                                                        \
    assert_int_equal(ct_dhan_##name##_from_str(s), v);                         \
  }                                                                            \
  assert_null(ct_dhan_##name##_str(0));                                        \
  assert_null(ct_dhan_##name##_str(count));                                    \
  assert_int_equal(ct_dhan_##name##_from_str("no such value"), 0);             \
  assert_int_equal(ct_dhan_##name##_from_str(""), 0);                          \
  assert_int_equal(ct_dhan_##name##_from_str(NULL), 0)

static void test_round_trips(void **state) {
  (void)state;
  ROUND_TRIP(segment, CT_DHAN_SEG_COUNT);
  ROUND_TRIP(txn, CT_DHAN_TXN_COUNT);
  ROUND_TRIP(product, CT_DHAN_PRODUCT_COUNT);
  ROUND_TRIP(order_type, CT_DHAN_OTYPE_COUNT);
  ROUND_TRIP(validity, CT_DHAN_VALIDITY_COUNT);
  ROUND_TRIP(status, CT_DHAN_STATUS_COUNT);
  ROUND_TRIP(leg, CT_DHAN_LEG_COUNT);
  ROUND_TRIP(amo_time, CT_DHAN_AMO_COUNT);
  ROUND_TRIP(order_flag, CT_DHAN_FLAG_COUNT);
  ROUND_TRIP(position_type, CT_DHAN_POS_COUNT);
}

static void test_exact_spellings(void **state) {
  (void)state;
  assert_string_equal(ct_dhan_segment_str(CT_DHAN_SEG_NSE_FNO), "NSE_FNO");
  assert_string_equal(ct_dhan_segment_str(CT_DHAN_SEG_MCX_COMM), "MCX_COMM");
  assert_string_equal(ct_dhan_status_str(CT_DHAN_STATUS_PART_TRADED),
                      "PART_TRADED");
  assert_string_equal(ct_dhan_order_type_str(CT_DHAN_OTYPE_STOP_LOSS_MARKET),
                      "STOP_LOSS_MARKET");
  assert_string_equal(ct_dhan_leg_str(CT_DHAN_LEG_STOP_LOSS), "STOP_LOSS_LEG");
  assert_string_equal(ct_dhan_amo_time_str(CT_DHAN_AMO_OPEN_30), "OPEN_30");
  assert_string_equal(ct_dhan_product_str(CT_DHAN_PRODUCT_BO), "BO");
}

static void test_case_insensitive_status(void **state) {
  (void)state;
  assert_int_equal(ct_dhan_status_from_str("Traded"), CT_DHAN_STATUS_TRADED);
  assert_int_equal(ct_dhan_status_from_str("cancelled"),
                   CT_DHAN_STATUS_CANCELLED);
  assert_int_equal(ct_dhan_status_from_str("Part_Traded"),
                   CT_DHAN_STATUS_PART_TRADED);
  assert_int_equal(ct_dhan_status_from_str("Pending"), CT_DHAN_STATUS_PENDING);
  /* Not Dhan values (§13.2): unknown, not an error. */
  assert_int_equal(ct_dhan_status_from_str("MODIFIED"), CT_DHAN_STATUS_UNKNOWN);
  assert_int_equal(ct_dhan_status_from_str("PARTIALLY_FILLED"),
                   CT_DHAN_STATUS_UNKNOWN);
  assert_int_equal(ct_dhan_segment_from_str("nse_eq"), CT_DHAN_SEG_NSE_EQ);
}

static void test_final_states(void **state) {
  (void)state;
  assert_true(ct_dhan_status_is_final(CT_DHAN_STATUS_TRADED));
  assert_true(ct_dhan_status_is_final(CT_DHAN_STATUS_REJECTED));
  assert_true(ct_dhan_status_is_final(CT_DHAN_STATUS_CANCELLED));
  assert_true(ct_dhan_status_is_final(CT_DHAN_STATUS_EXPIRED));
  assert_false(ct_dhan_status_is_final(CT_DHAN_STATUS_PART_TRADED));
  assert_false(ct_dhan_status_is_final(CT_DHAN_STATUS_PENDING));
  assert_false(ct_dhan_status_is_final(CT_DHAN_STATUS_UNKNOWN));
}

static void test_ws_codes(void **state) {
  (void)state;
  assert_int_equal(ct_dhan_txn_from_ws("B"), CT_DHAN_TXN_BUY);
  assert_int_equal(ct_dhan_txn_from_ws("s"), CT_DHAN_TXN_SELL);
  assert_int_equal(ct_dhan_txn_from_ws("SELL"), CT_DHAN_TXN_SELL);
  assert_int_equal(ct_dhan_txn_from_ws("X"), CT_DHAN_TXN_UNKNOWN);
  assert_string_equal(ct_dhan_txn_ws_str(CT_DHAN_TXN_BUY), "B");

  assert_int_equal(ct_dhan_product_from_ws("C"), CT_DHAN_PRODUCT_CNC);
  assert_int_equal(ct_dhan_product_from_ws("I"), CT_DHAN_PRODUCT_INTRADAY);
  assert_int_equal(ct_dhan_product_from_ws("M"), CT_DHAN_PRODUCT_MARGIN);
  assert_int_equal(ct_dhan_product_from_ws("F"), CT_DHAN_PRODUCT_MTF);
  assert_int_equal(ct_dhan_product_from_ws("INTRADAY"),
                   CT_DHAN_PRODUCT_INTRADAY);
  assert_null(ct_dhan_product_ws_str(CT_DHAN_PRODUCT_CO));
  assert_string_equal(ct_dhan_product_ws_str(CT_DHAN_PRODUCT_MTF), "F");

  assert_int_equal(ct_dhan_order_type_from_ws("LMT"), CT_DHAN_OTYPE_LIMIT);
  assert_int_equal(ct_dhan_order_type_from_ws("MKT"), CT_DHAN_OTYPE_MARKET);
  assert_int_equal(ct_dhan_order_type_from_ws("SL"), CT_DHAN_OTYPE_STOP_LOSS);
  assert_int_equal(ct_dhan_order_type_from_ws("slm"),
                   CT_DHAN_OTYPE_STOP_LOSS_MARKET);
  assert_int_equal(ct_dhan_order_type_from_ws("LIMIT"), CT_DHAN_OTYPE_LIMIT);
  assert_string_equal(ct_dhan_order_type_ws_str(CT_DHAN_OTYPE_STOP_LOSS), "SL");
}

static void test_ws_segments(void **state) {
  static const struct {
    const char *exch, *letter;
    ct_dhan_segment_t seg;
  } map[] = {
    { "NSE", "E", CT_DHAN_SEG_NSE_EQ },
    { "NSE", "D", CT_DHAN_SEG_NSE_FNO },
    { "NSE", "C", CT_DHAN_SEG_NSE_CURRENCY },
    { "BSE", "E", CT_DHAN_SEG_BSE_EQ },
    { "BSE", "D", CT_DHAN_SEG_BSE_FNO },
    { "BSE", "C", CT_DHAN_SEG_BSE_CURRENCY },
    { "MCX", "M", CT_DHAN_SEG_MCX_COMM },
  };
  const char *e, *l;
  (void)state;
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
    assert_int_equal(ct_dhan_segment_from_ws(map[i].exch, map[i].letter),
                     map[i].seg);
    assert_int_equal(ct_dhan_segment_to_ws(map[i].seg, &e, &l), 0);
    assert_string_equal(e, map[i].exch);
    assert_string_equal(l, map[i].letter);
  }
  assert_int_equal(ct_dhan_segment_from_ws("nse", "d"), CT_DHAN_SEG_NSE_FNO);
  assert_int_equal(ct_dhan_segment_from_ws("MCX", "E"), CT_DHAN_SEG_UNKNOWN);
  assert_int_equal(ct_dhan_segment_from_ws(NULL, "E"), CT_DHAN_SEG_UNKNOWN);
  assert_int_equal(ct_dhan_segment_to_ws(CT_DHAN_SEG_IDX_I, &e, &l), CT_EINVAL);
}

static void test_feed_codes(void **state) {
  (void)state;
  assert_int_equal(ct_dhan_segment_feed_code(CT_DHAN_SEG_IDX_I), 0);
  assert_int_equal(ct_dhan_segment_feed_code(CT_DHAN_SEG_NSE_EQ), 1);
  assert_int_equal(ct_dhan_segment_feed_code(CT_DHAN_SEG_NSE_FNO), 2);
  assert_int_equal(ct_dhan_segment_feed_code(CT_DHAN_SEG_NSE_CURRENCY), 3);
  assert_int_equal(ct_dhan_segment_feed_code(CT_DHAN_SEG_BSE_EQ), 4);
  assert_int_equal(ct_dhan_segment_feed_code(CT_DHAN_SEG_MCX_COMM), 5);
  assert_int_equal(ct_dhan_segment_feed_code(CT_DHAN_SEG_BSE_CURRENCY), 7);
  assert_int_equal(ct_dhan_segment_feed_code(CT_DHAN_SEG_BSE_FNO), 8);
  assert_int_equal(ct_dhan_segment_feed_code(CT_DHAN_SEG_UNKNOWN), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_round_trips),
    cmocka_unit_test(test_exact_spellings),
    cmocka_unit_test(test_case_insensitive_status),
    cmocka_unit_test(test_final_states),
    cmocka_unit_test(test_ws_codes),
    cmocka_unit_test(test_ws_segments),
    cmocka_unit_test(test_feed_codes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
