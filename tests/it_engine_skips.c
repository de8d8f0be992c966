/*
 * Integration: the engine's decisions that are not "copy as is", against
 * dhansim over real sockets, each checked on dhansim and in the store
 * (after the engine stops): zero lots (0.5 x one NIFTY lot), no margin (a
 * follower with 1,000 rupees), segment not allowed (NSE_EQ only, a NIFTY
 * option: lot 75, freeze 1800), max orders per day, slicing above the freeze
 * quantity (one correlation id per slice), loop protection (a leader order
 * tagged with one of our correlation ids is not copied), and pause/resume.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "copytrader/sizing.h"
#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000

static const char *const FOLLOWERS =
    "  - name: zero\n    client_id: \"" EFX_F2 "\"\n    token: tok" EFX_F2
    "\n    sizing: {mode: multiplier, value: 0.5}\n"
    "  - name: seg\n    client_id: \"" EFX_F3 "\"\n    token: tok" EFX_F3
    "\n    sizing: {mode: multiplier, value: 1}\n"
    "    allowed_segments: [NSE_EQ]\n"
    "  - name: big\n    client_id: \"" EFX_F5 "\"\n    token: tok" EFX_F5
    "\n    sizing: {mode: multiplier, value: 20}\n"
    "  - name: poor\n    client_id: \"" EFX_F6 "\"\n    token: tok" EFX_F6
    "\n    sizing: {mode: multiplier, value: 1}\n"
    "  - name: daily\n    client_id: \"" EFX_F7 "\"\n    token: tok" EFX_F7
    "\n    sizing: {mode: multiplier, value: 1}\n"
    "    max_orders_per_day: 1\n"
    "  - name: capped\n    client_id: \"" EFX_F4 "\"\n    token: tok" EFX_F4
    "\n    sizing: {mode: multiplier, value: 1}\n"
    "    max_order_value: 10000\n"
    "  - name: window\n    client_id: \"" EFX_F8 "\"\n    token: tok" EFX_F8
    "\n    sizing: {mode: multiplier, value: 1}\n"
    "    copy_window: {start: \"%s\", end: \"%s\"}\n"
    "  - name: thin\n    client_id: \"" EFX_F9 "\"\n    token: tok" EFX_F9
    "\n    sizing: {mode: multiplier, value: 1}\n";

#define NIFTY(q)                                                               \
  "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_FNO\","               \
  "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\",\"validity\":"         \
  "\"DAY\",\"securityId\":\"48210\",\"quantity\":" #q ",\"price\":300"
#define TCS(q)                                                                 \
  "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","                \
  "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\",\"validity\":"         \
  "\"DAY\",\"securityId\":\"11536\",\"quantity\":" #q ",\"price\":3000"

static ct_efx_t fx;

/* A copy window one hour long that does not hold the current IST time. */
static int setup(void **state) {
  int now = ct_sizing_ist_minute((int64_t)time(NULL));
  const char *from = now < 720 ? "13:00" : "01:00";
  const char *to = now < 720 ? "14:00" : "02:00";
  char followers[4096];
  snprintf(followers, sizeof followers, FOLLOWERS, from, to);
  return ct_efx_setup(state, &fx, NULL, followers);
}

static int expect_copy(const char *oid, const char *acct, int slice) {
  char corr[CT_CORRID_SIZE];
  cJSON *o;
  int q;
  ct_efx_corr(oid, acct, slice, corr);
  o = ct_efx_wait(&fx, acct, corr, NULL, WAIT_MS);
  if (o == NULL)
    fail_msg("follower %s: no copy of %s (slice %d)", acct, oid, slice);
  q = (int)ct_jnum(o, "quantity");
  cJSON_Delete(o);
  assert_int_equal(ct_efx_count_corr(&fx, acct, corr), 1);
  return q;
}

static void expect_skip(const char *oid, const char *acct, const char *reason) {
  ct_efx_expect_skip(&fx, oid, acct, reason);
}

static void test_skips_slices_loop(void **state) {
  char n1[32], n2[32], t1[32], t2[32], ours[32], tag[CT_CORRID_SIZE];
  char gtt[32];
  char body[1024];
  ct_decision_t d;
  (void)state;
  ct_efx_place(&fx, NIFTY(75), n1);
  ct_efx_place(&fx, NIFTY(150), n2);
  ct_efx_place(&fx, TCS(5), t1); /* thin: 15,000 of its 20,000 */
  ct_efx_place(&fx, TCS(2), t2); /* thin: 6,000 > the 5,000 left */

  ct_efx_place_at(&fx, "/forever/orders",
                  "\"orderFlag\":\"SINGLE\",\"transactionType\":\"BUY\","
                  "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
                  "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":"
                  "\"11536\",\"quantity\":2,\"price\":3000,\"triggerPrice\":"
                  "3001",
                  gtt);
  /* A leader order carrying one of our correlation ids: not copied. */
  ct_efx_corr("999", EFX_F2, -1, tag);
  snprintf(body, sizeof body, TCS(1) ",\"correlationId\":\"%s\"", tag);
  ct_efx_place(&fx, body, ours);

  assert_int_equal(expect_copy(n1, EFX_F5, -1), 1500);
  assert_int_equal(expect_copy(n2, EFX_F5, 0), 1800); /* freeze 1800 */
  assert_int_equal(expect_copy(n2, EFX_F5, 1), 1200);
  assert_int_equal(expect_copy(n2, EFX_F2, -1), 75);
  assert_int_equal(expect_copy(n1, EFX_F7, -1), 75);
  assert_int_equal(expect_copy(t1, EFX_F3, -1), 5);
  assert_int_equal(expect_copy(t1, EFX_F2, -1), 0 + 2); /* 2.5 -> 2 */
  assert_int_equal(expect_copy(t1, EFX_F4, -1), 3);     /* 10,000 cap */
  assert_int_equal(expect_copy(t1, EFX_F9, -1), 5);
  usleep(1000000); /* let every follower decide (and not copy `ours`) */
  ct_efx_stop(&fx);

  expect_skip(n1, EFX_F2, "ZERO_LOTS");
  expect_skip(n1, EFX_F3, "SEGMENT_NOT_ALLOWED");
  expect_skip(n2, EFX_F3, "SEGMENT_NOT_ALLOWED");
  expect_skip(n1, EFX_F6, "NO_MARGIN");
  expect_skip(t1, EFX_F6, "NO_MARGIN");
  expect_skip(n2, EFX_F7, "MAX_ORDERS_PER_DAY");
  expect_skip(n1, EFX_F4, "MAX_VALUE"); /* one lot: 22,500 > 10,000 */
  expect_skip(n1, EFX_F8, "OUTSIDE_WINDOW");
  expect_skip(t1, EFX_F8, "OUTSIDE_WINDOW");
  expect_skip(t2, EFX_F9, "NO_MARGIN"); /* reserved locally by t1 */

  expect_skip(gtt, EFX_F3, "FOREVER_ORDER");
  assert_int_equal(ct_efx_decision(&fx, n2, EFX_F5, &d), 0);
  assert_int_equal((int)d.kind, (int)CT_DECISION_SEND);
  assert_int_equal((int)d.slices, 2);
  assert_int_equal((int)d.qty, 3000);
  for (const char *a = EFX_F2; a; a = strcmp(a, EFX_F2) == 0 ? EFX_F7 : NULL)
    assert_int_equal(ct_efx_decision(&fx, ours, a, &d), CT_ENOTFOUND);
  assert_int_equal(ct_efx_no_duplicates(&fx, EFX_F5), 5); /* + two TCS x 20 */
  ct_efx_no_duplicates(&fx, EFX_F2);
}

static void test_pause_resume(void **state) {
  char oid[32], corr[CT_CORRID_SIZE];
  (void)state;
  ct_efx_stop(&fx);  /* in case the test before failed early */
  ct_efx_start(&fx); /* the store exists: a restart, not a baseline */
  assert_int_equal(ct_engine_pause(fx.eng, "zero", true), 0);
  assert_int_equal(ct_engine_pause(fx.eng, "nobody", true), CT_ENOTFOUND);
  ct_efx_place(&fx, TCS(4), oid);
  assert_int_equal(expect_copy(oid, EFX_F3, -1), 4);
  usleep(500000);
  ct_efx_corr(oid, EFX_F2, -1, corr);
  assert_int_equal(ct_efx_count_corr(&fx, EFX_F2, corr), 0); /* paused */
  assert_int_equal(ct_engine_pause(fx.eng, "zero", false), 0);
  assert_int_equal(expect_copy(oid, EFX_F2, -1), 2); /* decided on resume */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_skips_slices_loop),
    cmocka_unit_test(test_pause_resume),
  };
  return cmocka_run_group_tests(tests, setup, ct_efx_cm_teardown);
}
