/*
 * Tests for the follower sizing decision (src/engine/sizing.c): every mode,
 * whole-lot rounding (NIFTY 75, BANKNIFTY 35, equities 1), the zero-lot
 * skip, freeze-quantity slicing, every skip reason, the funds ledger,
 * modification scaling, and extreme inputs that must not overflow.
 */
#include "ct_test.h"

#include <math.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/sizing.h"

static ct_instrument_t nifty(void) {
  ct_instrument_t i = { 0 };
  strcpy(i.exchange_segment, "NSE_FNO");
  strcpy(i.security_id, "35001");
  i.lot_size = 75;
  i.freeze_qty = 1800;
  i.tick_size = 0.05;
  i.last_price = 24000.0;
  return i;
}

static ct_instrument_t banknifty(void) {
  ct_instrument_t i = nifty();
  strcpy(i.security_id, "35002");
  i.lot_size = 35;
  i.freeze_qty = 900;
  i.last_price = 52000.0;
  return i;
}

static ct_instrument_t equity(void) {
  ct_instrument_t i = { 0 };
  strcpy(i.exchange_segment, "NSE_EQ");
  strcpy(i.security_id, "1333");
  i.lot_size = 1;
  i.tick_size = 0.05;
  i.last_price = 1650.0;
  return i;
}

static ct_sizing_rules_t rules(ct_sizing_mode_t mode, double value) {
  ct_sizing_rules_t r = { 0 };
  r.enabled = true;
  r.mode = mode;
  r.value = value;
  return r;
}

static ct_sizing_order_t fno_order(int64_t qty) {
  ct_sizing_order_t o = { 0 };
  o.segment = CT_DHAN_SEG_NSE_FNO;
  o.side = CT_DHAN_TXN_BUY;
  o.product = CT_DHAN_PRODUCT_MARGIN;
  o.type = CT_DHAN_OTYPE_LIMIT;
  o.quantity = qty;
  o.price = 100.0;
  return o;
}

static ct_sizing_order_t eq_order(int64_t qty, double price) {
  ct_sizing_order_t o = fno_order(qty);
  o.segment = CT_DHAN_SEG_NSE_EQ;
  o.product = CT_DHAN_PRODUCT_CNC;
  o.price = price;
  return o;
}

static ct_sizing_account_t acct(void) {
  ct_sizing_account_t a = { 0 };
  a.minute_ist = 10 * 60;
  return a;
}

/* Decide without a ledger; returns the quantity (0 when skipped). */
static int64_t size(const ct_sizing_rules_t *r, const ct_sizing_order_t *o,
                    const ct_instrument_t *i, ct_sizing_result_t *res) {
  ct_sizing_account_t a = acct();
  assert_int_equal(ct_sizing_decide(r, o, i, &a, NULL, res), 0);
  return res->qty;
}

static void test_multiplier(void **state) {
  ct_instrument_t n = nifty(), b = banknifty(), e = equity();
  ct_sizing_rules_t r = rules(CT_SIZING_MULTIPLIER, 2.0);
  ct_sizing_order_t o = fno_order(150);
  ct_sizing_result_t res;
  (void)state;
  assert_int_equal(size(&r, &o, &n, &res), 300);
  assert_int_equal(res.lots, 4);
  assert_int_equal(res.skip, CT_SKIP_NONE);
  r.value = 0.5; /* 2 lots -> 1 lot */
  assert_int_equal(size(&r, &o, &n, &res), 75);
  o.quantity = 225; /* 3 lots x 0.5 = 1.5 lots -> 1 lot (down) */
  assert_int_equal(size(&r, &o, &n, &res), 75);
  o.quantity = 35 * 7; /* BANKNIFTY 7 lots x 0.5 = 3.5 -> 3 lots */
  assert_int_equal(size(&r, &o, &b, &res), 105);
  r.value = 0.3; /* 0.3 x 10 must be 3, not 2.9999 */
  o = eq_order(10, 1650.0);
  assert_int_equal(size(&r, &o, &e, &res), 3);
  r.value = 0.5;
  o.quantity = 7; /* equities: lot 1, 3.5 -> 3 */
  assert_int_equal(size(&r, &o, &e, &res), 3);
}

static void test_zero_lots_skip(void **state) {
  ct_instrument_t n = nifty(), e = equity();
  ct_sizing_rules_t r = rules(CT_SIZING_MULTIPLIER, 0.5);
  ct_sizing_order_t o = fno_order(75); /* 0.5 lot: no minimum lot forced */
  ct_sizing_result_t res;
  (void)state;
  assert_int_equal(size(&r, &o, &n, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_ZERO_LOTS);
  assert_string_equal(ct_skip_reason_str(res.skip), "ZERO_LOTS");
  assert_non_null(strstr(res.reason, "less than one lot of 75"));
  assert_int_equal(res.slices, 0);
  r.value = 0.1;
  o = eq_order(9, 100.0); /* 0.9 share */
  assert_int_equal(size(&r, &o, &e, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_ZERO_LOTS);
}

static void test_fixed_qty(void **state) {
  ct_instrument_t n = nifty(), e = equity();
  ct_sizing_rules_t r = rules(CT_SIZING_FIXED_QTY, 200);
  ct_sizing_order_t o = fno_order(1500);
  ct_sizing_result_t res;
  (void)state;
  assert_int_equal(size(&r, &o, &n, &res), 150); /* 200 -> 2 lots of 75 */
  o.quantity = 75;
  assert_int_equal(size(&r, &o, &n, &res), 150); /* whatever the leader */
  r.value = 50;
  assert_int_equal(size(&r, &o, &n, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_ZERO_LOTS);
  o = eq_order(1, 10.0);
  assert_int_equal(size(&r, &o, &e, &res), 50);
}

static void test_capital_proportional(void **state) {
  ct_instrument_t n = nifty();
  ct_sizing_rules_t r = rules(CT_SIZING_CAPITAL_PROPORTIONAL, 0);
  ct_sizing_order_t o = fno_order(750); /* 10 lots */
  ct_sizing_account_t a = acct();
  ct_sizing_result_t res;
  (void)state;
  a.leader_capital = 1000000.0;
  a.follower_capital = 250000.0; /* a quarter: 2.5 lots -> 2 */
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &res), 0);
  assert_int_equal(res.qty, 150);
  r.value = 2.0; /* scale factor: 5 lots */
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &res), 0);
  assert_int_equal(res.qty, 375);
  a.leader_capital = 0; /* unknown: skip, never divide by zero */
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_MISSING_DATA);
  assert_int_equal(res.qty, 0);
}

static void test_max_value_mode(void **state) {
  ct_instrument_t n = nifty(), e = equity();
  ct_sizing_rules_t r = rules(CT_SIZING_MAX_VALUE, 100000.0);
  ct_sizing_order_t o = eq_order(1, 1650.0);
  ct_sizing_result_t res;
  (void)state;
  /* 100000 / 1650 = 60.6 -> 60 shares, whatever the leader's quantity. */
  assert_int_equal(size(&r, &o, &e, &res), 60);
  assert_true(60 * 1650.0 <= 100000.0);
  o.type = CT_DHAN_OTYPE_MARKET; /* priced at the last price */
  o.price = 0;
  e.last_price = 2000.0;
  assert_int_equal(size(&r, &o, &e, &res), 50);
  e.last_price = 0; /* MARKET and no last price: cannot size */
  assert_int_equal(size(&r, &o, &e, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_MISSING_DATA);
  o = fno_order(75); /* option at 100: 100000 / 100 = 1000 -> 13 lots */
  assert_int_equal(size(&r, &o, &n, &res), 975);
  o.type = CT_DHAN_OTYPE_STOP_LOSS_MARKET; /* priced at the trigger */
  o.price = 0;
  o.trigger_price = 200.0;
  assert_int_equal(size(&r, &o, &n, &res), 450);
}

static void test_freeze_slicing(void **state) {
  ct_instrument_t n = nifty();
  ct_sizing_rules_t r = rules(CT_SIZING_FIXED_QTY, 3600);
  ct_sizing_order_t o = fno_order(75);
  ct_sizing_result_t res;
  (void)state;
  assert_int_equal(size(&r, &o, &n, &res), 3600);
  assert_int_equal(res.slices, 2);
  assert_int_equal(ct_sizing_slice_at(&res, 0), 1800);
  assert_int_equal(ct_sizing_slice_at(&res, 1), 1800);
  assert_int_equal(ct_sizing_slice_at(&res, 2), 0);
  r.value = 2000; /* 26 lots = 1950 units: 1800 + 150 */
  assert_int_equal(size(&r, &o, &n, &res), 1950);
  assert_int_equal(res.slices, 2);
  assert_int_equal(res.slice_qty, 1800);
  assert_int_equal(res.last_slice_qty, 150);
  assert_int_equal(res.last_slice_qty % 75, 0);
  r.value = 1800; /* exactly the freeze quantity: one order */
  assert_int_equal(size(&r, &o, &n, &res), 1800);
  assert_int_equal(res.slices, 1);
  n.freeze_qty = 1000; /* not a lot multiple: slices of 13 lots = 975 */
  assert_int_equal(size(&r, &o, &n, &res), 1800);
  assert_int_equal(res.slices, 2);
  assert_int_equal(res.slice_qty, 975);
  assert_int_equal(res.last_slice_qty, 825);
  int64_t sum = 0;
  for (int64_t i = 0; i < res.slices; i++) {
    assert_int_equal(ct_sizing_slice_at(&res, i) % 75, 0);
    assert_true(ct_sizing_slice_at(&res, i) <= 1000);
    sum += ct_sizing_slice_at(&res, i);
  }
  assert_int_equal(sum, 1800);
  n.freeze_qty = 0; /* no freeze limit */
  assert_int_equal(size(&r, &o, &n, &res), 1800);
  assert_int_equal(res.slices, 1);
}

static void test_filters(void **state) {
  ct_instrument_t n = nifty();
  ct_sizing_rules_t r = rules(CT_SIZING_MULTIPLIER, 1.0);
  ct_sizing_order_t o = fno_order(75);
  ct_sizing_account_t a = acct();
  ct_sizing_result_t res;
  (void)state;
  r.enabled = false;
  assert_int_equal(size(&r, &o, &n, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_DISABLED);
  r.enabled = true;
  assert_int_equal(size(&r, &o, NULL, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_UNKNOWN_INSTRUMENT);
  r.segments = CT_SIZING_BIT(CT_DHAN_SEG_NSE_EQ);
  assert_int_equal(size(&r, &o, &n, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_SEGMENT_NOT_ALLOWED);
  assert_non_null(strstr(res.reason, "NSE_FNO"));
  r.segments |= CT_SIZING_BIT(CT_DHAN_SEG_NSE_FNO);
  r.products = CT_SIZING_BIT(CT_DHAN_PRODUCT_INTRADAY);
  assert_int_equal(size(&r, &o, &n, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_PRODUCT_NOT_ALLOWED);
  r.products |= CT_SIZING_BIT(CT_DHAN_PRODUCT_MARGIN);
  assert_int_equal(size(&r, &o, &n, &res), 75);
  r.has_window = true;
  r.window_start = 9 * 60 + 15;
  r.window_end = 15 * 60 + 30;
  a.minute_ist = 9 * 60 + 14;
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_OUTSIDE_WINDOW);
  a.minute_ist = 9 * 60 + 15;
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_NONE);
  a.minute_ist = 15 * 60 + 30;
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_OUTSIDE_WINDOW);
  o.quantity = 0;
  a.minute_ist = 600;
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_BAD_ORDER);
  /* 2026-01-05 03:45:00 UTC is 09:15 IST. */
  assert_int_equal(ct_sizing_ist_minute(1767584700), 9 * 60 + 15);
  assert_int_equal(ct_sizing_ist_minute(0), 5 * 60 + 30);
}

static void test_caps(void **state) {
  ct_instrument_t n = nifty(), e = equity();
  ct_sizing_rules_t r = rules(CT_SIZING_MULTIPLIER, 1.0);
  ct_sizing_order_t o = fno_order(750);
  ct_sizing_result_t res;
  (void)state;
  r.max_qty = 400; /* 10 lots capped to 5 lots = 375 */
  assert_int_equal(size(&r, &o, &n, &res), 375);
  assert_true(res.capped);
  r.max_qty = 50; /* less than a lot */
  assert_int_equal(size(&r, &o, &n, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_MAX_QTY);
  r.max_qty = 0;
  r.max_order_value = 30000.0; /* 75 x 100 = 7500 per lot: 4 lots */
  assert_int_equal(size(&r, &o, &n, &res), 300);
  assert_true(res.capped);
  assert_true(res.qty * o.price <= r.max_order_value);
  r.max_order_value = 5000.0;
  assert_int_equal(size(&r, &o, &n, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_MAX_VALUE);
  o = eq_order(100, 0);
  o.type = CT_DHAN_OTYPE_MARKET;
  r.max_order_value = 10000.0; /* last price 1650: 6 shares */
  assert_int_equal(size(&r, &o, &e, &res), 6);
}

static void test_max_orders_per_day(void **state) {
  ct_instrument_t n = nifty();
  ct_sizing_rules_t r = rules(CT_SIZING_FIXED_QTY, 3600); /* 2 slices */
  ct_sizing_order_t o = fno_order(75);
  ct_sizing_account_t a = acct();
  ct_sizing_result_t res;
  (void)state;
  r.max_orders_per_day = 10;
  a.orders_today = 8;
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_NONE);
  a.orders_today = 9; /* two slices would make 11 */
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_MAX_ORDERS_PER_DAY);
  a.orders_today = INT64_MAX;
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_MAX_ORDERS_PER_DAY);
}

static void test_margin_ledger(void **state) {
  ct_instrument_t e = equity();
  ct_sizing_rules_t r = rules(CT_SIZING_MULTIPLIER, 1.0);
  ct_sizing_order_t o = eq_order(10, 1000.0); /* 10000 rupees */
  ct_sizing_account_t a = acct();
  ct_funds_ledger_t l;
  ct_sizing_result_t r1, r2, r3;
  (void)state;
  ct_funds_ledger_init(&l, 25000.0);
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &r1), 0);
  assert_int_equal(r1.skip, CT_SKIP_NONE);
  assert_int_equal(r1.margin_paise, 1000000);
  assert_true(fabs(ct_funds_ledger_free(&l) - 15000.0) < 1e-9);
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &r2), 0);
  assert_int_equal(r2.skip, CT_SKIP_NONE);
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &r3), 0);
  assert_int_equal(r3.skip, CT_SKIP_NO_MARGIN); /* 5000 left */
  assert_int_equal(r3.margin_paise, 0);
  assert_int_equal(l.reserved_paise, 2000000);
  ct_funds_ledger_release(&l, r1.margin_paise); /* order 1 rejected */
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &r3), 0);
  assert_int_equal(r3.skip, CT_SKIP_NONE);
  /* A margin figure from the calculator replaces qty x price. */
  a.margin_per_unit = 200.0; /* 10 x 200 = 2000 */
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &r3), 0);
  assert_int_equal(r3.skip, CT_SKIP_NONE);
  assert_int_equal(r3.margin_paise, 200000);
  /* Exits reserve nothing and are never refused for margin. */
  a.reduces_position = true;
  a.margin_per_unit = 0;
  int64_t before = l.reserved_paise;
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &r3), 0);
  assert_int_equal(r3.skip, CT_SKIP_NONE);
  assert_int_equal(l.reserved_paise, before);
  /* A refresh drops local reservations; releases never go negative. */
  ct_funds_ledger_refresh(&l, 100.0);
  assert_int_equal(l.reserved_paise, 0);
  ct_funds_ledger_release(&l, 500);
  assert_int_equal(l.reserved_paise, 0);
  assert_int_equal(ct_funds_ledger_reserve(&l, -1), CT_EINVAL);
  assert_int_equal(ct_funds_ledger_reserve(&l, 10001), CT_ERANGE);
  assert_int_equal(ct_funds_ledger_reserve(&l, 10000), 0);
}

/* Units that close a known opposite position need no margin: all of an
 * order within the position passes unchecked, a larger one is checked
 * and reserved for the excess only. */
static void test_closing_qty(void **state) {
  ct_instrument_t e = equity();
  ct_sizing_rules_t r = rules(CT_SIZING_MULTIPLIER, 1.0);
  ct_sizing_order_t o = eq_order(10, 1000.0); /* 10000 rupees */
  ct_sizing_account_t a = acct();
  ct_funds_ledger_t l;
  ct_sizing_result_t res;
  (void)state;
  ct_funds_ledger_init(&l, 3000.0);
  a.margin_per_unit = 1000.0;
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_NO_MARGIN); /* a new position */
  a.closing_qty = 10;                            /* an exit of it all */
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_NONE);
  assert_int_equal(res.margin_paise, 0);
  assert_int_equal(l.reserved_paise, 0);
  a.closing_qty = 8; /* 2 units beyond the position: 2000 reserved */
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_NONE);
  assert_int_equal(res.margin_paise, 200000);
  assert_int_equal(l.reserved_paise, 200000);
  a.closing_qty = 6; /* 4 more units: 4000 > 1000 left */
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_NO_MARGIN);
  assert_int_equal(l.reserved_paise, 200000);
}

static void test_modification(void **state) {
  ct_instrument_t n = nifty();
  ct_sizing_rules_t r = rules(CT_SIZING_MULTIPLIER, 0.5);
  ct_sizing_order_t o = fno_order(300); /* 4 lots -> 2 lots */
  ct_sizing_account_t a = acct();
  ct_funds_ledger_t l;
  ct_sizing_result_t res;
  (void)state;
  ct_funds_ledger_init(&l, 50000.0);
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, &l, &res), 0);
  assert_int_equal(res.qty, 150);
  assert_int_equal(res.margin_paise, 1500000); /* 150 x 100 */
  int64_t held = res.margin_paise;
  /* Leader modifies to a TOTAL of 600 (8 lots): follower total 4 lots. The
   * copy window does not apply to an order that already exists. */
  o.quantity = 600;
  a.minute_ist = 23 * 60;
  r.has_window = true;
  r.window_start = 555;
  r.window_end = 930;
  assert_int_equal(ct_sizing_modify(&r, &o, &n, &a, &l, held, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_NONE);
  assert_int_equal(res.qty, 300);
  assert_int_equal(res.margin_paise, 3000000);
  assert_int_equal(l.reserved_paise, 3000000); /* only the difference added */
  held = res.margin_paise;
  o.quantity = 150; /* down to 2 lots: 1 lot, margin released */
  assert_int_equal(ct_sizing_modify(&r, &o, &n, &a, &l, held, &res), 0);
  assert_int_equal(res.qty, 75);
  assert_int_equal(l.reserved_paise, 750000);
  held = res.margin_paise;
  o.quantity = 75; /* half a lot: zero lots, reservation kept */
  assert_int_equal(ct_sizing_modify(&r, &o, &n, &a, &l, held, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_ZERO_LOTS);
  assert_int_equal(res.margin_paise, held);
  assert_int_equal(l.reserved_paise, 750000);
  o.quantity = 7500; /* 50 lots: needs 375000, only 50000 */
  assert_int_equal(ct_sizing_modify(&r, &o, &n, &a, &l, held, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_NO_MARGIN);
  assert_int_equal(l.reserved_paise, 750000);
  /* The modified total is what a fresh order of that size would get. */
  ct_sizing_result_t fresh;
  a.minute_ist = 600;
  o.quantity = 600;
  assert_int_equal(ct_sizing_decide(&r, &o, &n, &a, NULL, &fresh), 0);
  assert_int_equal(ct_sizing_modify(&r, &o, &n, &a, NULL, 0, &res), 0);
  assert_int_equal(res.qty, fresh.qty);
}

static void test_huge_numbers(void **state) {
  ct_instrument_t n = nifty(), e = equity();
  ct_sizing_rules_t r = rules(CT_SIZING_MULTIPLIER, 1e300);
  ct_sizing_order_t o = fno_order(INT64_MAX);
  ct_sizing_account_t a = acct();
  ct_funds_ledger_t l;
  ct_sizing_result_t res;
  (void)state;
  assert_int_equal(size(&r, &o, &n, &res), (CT_SIZING_QTY_MAX / 75) * 75);
  assert_int_equal(res.qty % 75, 0);
  assert_int_equal(res.slices, (res.qty + 1799) / 1800);
  r.value = INFINITY;
  assert_int_equal(size(&r, &o, &n, &res), (CT_SIZING_QTY_MAX / 75) * 75);
  r.value = NAN;
  assert_int_equal(size(&r, &o, &n, &res), 0);
  assert_int_equal(res.skip, CT_SKIP_ZERO_LOTS);
  r = rules(CT_SIZING_CAPITAL_PROPORTIONAL, 1.0);
  a.follower_capital = 1e308;
  a.leader_capital = 1e-300;
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, NULL, &res), 0);
  assert_int_equal(res.qty, CT_SIZING_QTY_MAX);
  o = eq_order(INT64_MAX, 1e300);
  r = rules(CT_SIZING_MULTIPLIER, 1.0);
  ct_funds_ledger_init(&l, 1e300);
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, &l, &res), 0);
  assert_true(res.skip == CT_SKIP_NONE || res.skip == CT_SKIP_NO_MARGIN);
  assert_true(l.reserved_paise >= 0);
  o.price = 100.0; /* caps far above anything: no effect, no overflow */
  r.max_qty = INT64_MAX;
  r.max_order_value = 1e308;
  r.max_orders_per_day = INT64_MAX;
  assert_int_equal(ct_sizing_decide(&r, &o, &e, &a, NULL, &res), 0);
  assert_int_equal(res.qty, CT_SIZING_QTY_MAX);
}

static void test_names_and_args(void **state) {
  ct_sizing_result_t res;
  ct_sizing_rules_t r = rules(CT_SIZING_MULTIPLIER, 1);
  (void)state;
  for (int m = 1; m < CT_SIZING_MODE_COUNT; m++)
    assert_int_equal(ct_sizing_mode_from_str(ct_sizing_mode_str(m)), m);
  assert_int_equal(ct_sizing_mode_from_str("double"), CT_SIZING_NONE);
  assert_null(ct_sizing_mode_str(CT_SIZING_NONE));
  for (int s = 0; s < CT_SKIP_COUNT; s++)
    assert_non_null(ct_skip_reason_str(s));
  assert_string_equal(ct_skip_reason_str(CT_SKIP_NO_MARGIN), "NO_MARGIN");
  assert_int_equal(ct_sizing_decide(&r, NULL, NULL, NULL, NULL, &res),
                   CT_EINVAL);
  assert_int_equal(ct_sizing_modify(NULL, NULL, NULL, NULL, NULL, 0, &res),
                   CT_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_multiplier),
    cmocka_unit_test(test_zero_lots_skip),
    cmocka_unit_test(test_fixed_qty),
    cmocka_unit_test(test_capital_proportional),
    cmocka_unit_test(test_max_value_mode),
    cmocka_unit_test(test_freeze_slicing),
    cmocka_unit_test(test_filters),
    cmocka_unit_test(test_caps),
    cmocka_unit_test(test_max_orders_per_day),
    cmocka_unit_test(test_margin_ledger),
    cmocka_unit_test(test_closing_qty),
    cmocka_unit_test(test_modification),
    cmocka_unit_test(test_huge_numbers),
    cmocka_unit_test(test_names_and_args),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
