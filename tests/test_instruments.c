/*
 * Unit tests for the instrument master loader (src/base/instruments.c):
 * the shipped default table, column lookup by name, quoting, lookups and
 * the error paths.
 */
#include "ct_test.h"

#include <stdio.h>
#include <string.h>

#include "copytrader/dhan_types.h"
#include "copytrader/error.h"
#include "copytrader/instruments.h"

static void test_default_table(void **state) {
  ct_instruments_t *t = NULL;
  const ct_instrument_t *r;
  (void)state;
  assert_int_equal(
      ct_instruments_load(CT_SOURCE_DIR "/tools/dhansim/data/instruments.csv",
                          &t, NULL),
      0);
  assert_true(ct_instruments_count(t) >= 16);
  r = ct_instruments_find(t, "NSE_FNO", "52175");
  assert_non_null(r);
  assert_int_equal(r->lot_size, 75);
  assert_int_equal(r->freeze_qty, 1800);
  assert_string_equal(r->trading_symbol, "NIFTY-Dec2026-FUT");
  r = ct_instruments_find(t, "NSE_FNO", "48220");
  assert_non_null(r);
  assert_int_equal(r->lot_size, 35);
  assert_int_equal(r->freeze_qty, 900);
  assert_string_equal(r->option_type, "CE");
  r = ct_instruments_find(t, "NSE_EQ", "11536");
  assert_non_null(r);
  assert_int_equal(r->lot_size, 1);
  assert_true(r->last_price > 0);
  assert_null(ct_instruments_find(t, "NSE_EQ", "52175"));
  assert_null(ct_instruments_find(t, "BSE_EQ", "11536"));
  ct_instruments_free(t);
}

static void test_columns_by_name_and_quotes(void **state) {
  static const char csv[] =
      "SM_SYMBOL_NAME,SEM_SMST_SECURITY_ID,SEM_SEGMENT,SEM_EXM_EXCH_ID,"
      "SEM_LOT_UNITS,SEM_TICK_SIZE,EXTRA\r\n"
      "\"ACME, LTD\",99,E,BSE,1,0.05,zzz\r\n"
      "\r\n"
      "GOLD,7,M,MCX,100,1,\n";
  ct_instruments_t *t = NULL;
  const ct_instrument_t *r;
  (void)state;
  assert_int_equal(ct_instruments_parse(csv, strlen(csv), &t, NULL), 0);
  assert_int_equal(ct_instruments_count(t), 2);
  r = ct_instruments_find(t, "BSE_EQ", "99");
  assert_non_null(r);
  assert_string_equal(r->symbol_name, "ACME, LTD");
  assert_int_equal(r->freeze_qty, 0);
  r = ct_instruments_find(t, "MCX_COMM", "7");
  assert_non_null(r);
  assert_int_equal(r->lot_size, 100);
  assert_true(r->tick_size == 1.0);
  assert_non_null(ct_instruments_at(t, 1));
  assert_null(ct_instruments_at(t, 2));
  ct_instruments_free(t);
}

static void test_errors(void **state) {
  static const char no_col[] = "SEM_SEGMENT,SEM_EXM_EXCH_ID\nE,NSE\n";
  static const char bad_seg[] =
      "SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID\nNSE,E,1\nXXX,Q,2\n";
  ct_instruments_t *t = NULL;
  size_t line = 0;
  (void)state;
  assert_int_equal(ct_instruments_parse(no_col, strlen(no_col), &t, &line),
                   CT_EPROTO);
  assert_int_equal(line, 1);
  assert_int_equal(ct_instruments_parse(bad_seg, strlen(bad_seg), &t, &line),
                   CT_EPROTO);
  assert_int_equal(line, 3);
  assert_int_equal(ct_instruments_parse("", 0, &t, NULL), CT_EPROTO);
  assert_int_equal(ct_instruments_load("/nonexistent/x.csv", &t, NULL), CT_EIO);
  assert_int_equal(ct_instruments_load(NULL, &t, NULL), CT_EINVAL);
  assert_null(ct_instruments_find(NULL, "NSE_EQ", "1"));
  assert_null(ct_instruments_rest_segment("NSE", "Z"));
  assert_string_equal(ct_instruments_rest_segment("NSE", "D"), "NSE_FNO");
}

/* The master's (exchange, letter) pairs map through the same table as the
 * order-update socket's, plus the index rows. */
static void test_rest_segment_one_table(void **state) {
  (void)state;
  for (int v = 1; v < CT_DHAN_SEG_COUNT; v++) {
    const char *e, *l;
    if (ct_dhan_segment_to_ws((ct_dhan_segment_t)v, &e, &l) != 0)
      continue;
    assert_string_equal(ct_instruments_rest_segment(e, l),
                        ct_dhan_segment_str((ct_dhan_segment_t)v));
  }
  assert_string_equal(ct_instruments_rest_segment("NSE", "I"), "IDX_I");
  assert_string_equal(ct_instruments_rest_segment("BSE", "I"), "IDX_I");
  assert_null(ct_instruments_rest_segment("MCX", "I"));
  assert_null(ct_instruments_rest_segment("MCX", "E"));
  assert_null(ct_instruments_rest_segment(NULL, "E"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_default_table),
    cmocka_unit_test(test_rest_segment_one_table),
    cmocka_unit_test(test_columns_by_name_and_quotes),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
