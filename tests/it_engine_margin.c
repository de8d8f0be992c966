/*
 * Integration: the margin check of derivative orders, against dhansim over
 * real sockets. dhansim's calculator answers 10% of the notional for a
 * future and for an option sell (of quantity x strike), the premium for an
 * option buy (tools/dhansim/README.md), and holds that margin for open
 * derivative orders; fills are off so the holds stay and dhansim's funds
 * agree with the engine's ledger. A NIFTY future lot (75 x 26,150) has a
 * notional of 1,961,250 and a margin of 196,125.
 *
 *   mid    (500,000):  the future is copied (margin fits, notional does
 *                      not); the option sell (195,000) too; a second future
 *                      no longer fits (NO_MARGIN) and is decided from the
 *                      cached figure: two calculator calls in all, none for
 *                      the cash order it also copies.
 *   poor   (100,000):  the future and the option sell: NO_MARGIN.
 *   broken (500,000, its calculator answers 500): the documented fallback,
 *                      price x qty for the buy (NO_MARGIN), the sell not
 *                      checked (copied).
 *   rich   (10,000,000): cold and warm calculator cache, timed on dhansim's
 *                      request log (printed, not asserted).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000
#define F_MID   "1000000010"
#define F_POOR  "1000000011"
#define F_BROKE "1000000012"

#define FOLLOWER(name, id)                                                     \
  "  - name: " name "\n    client_id: \"" id "\"\n    token: tok" id           \
  "\n    sizing: {mode: multiplier, value: 1}\n"

static const char *const FOLLOWERS =
    FOLLOWER("mid", F_MID) FOLLOWER("poor", F_POOR) FOLLOWER("broken", F_BROKE);

static const char *const SIM_ARGS[] = {
  "--account",   F_MID ":tok" F_MID ":500000",
  "--account",   F_POOR ":tok" F_POOR ":100000",
  "--account",   F_BROKE ":tok" F_BROKE ":500000",
  "--fill-mode", "none",
  NULL
};

#define ORDER(side, seg, product, sec, q, px)                                  \
  "\"transactionType\":\"" side "\",\"exchangeSegment\":\"" seg                \
  "\","                                                                        \
  "\"productType\":\"" product                                                 \
  "\",\"orderType\":\"LIMIT\",\"validity\":"                                   \
  "\"DAY\",\"securityId\":\"" sec "\",\"quantity\":" #q ",\"price\":" #px
#define FUT_BUY  ORDER("BUY", "NSE_FNO", "MARGIN", "52175", 75, 26150)
#define OPT_SELL ORDER("SELL", "NSE_FNO", "MARGIN", "48210", 75, 310)
#define CASH_BUY ORDER("BUY", "NSE_EQ", "CNC", "11536", 5, 3000)

static ct_efx_t fx;

static cJSON *requests(const char *account) {
  char path[128];
  ct_http_resp_t r;
  cJSON *j;
  snprintf(path, sizeof path, "/admin/requests?account=%s", account);
  assert_int_equal(ct_http(fx.sim.url, "GET", path, NULL, NULL, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  j = cJSON_DetachItemFromObject(r.json, "requests");
  ct_http_resp_free(&r);
  assert_non_null(j);
  return j;
}

/* Requests of `account` to `path` (method POST unless GET). */
static int count_path(const char *account, const char *path) {
  cJSON *all = requests(account), *it;
  int n = 0;
  cJSON_ArrayForEach(it, all) if (strcmp(ct_jstr(it, "path"), path) == 0) n++;
  cJSON_Delete(all);
  return n;
}

/* The engine has read every follower's funds (so the margin check runs). */
static void wait_funds(const char *const *accts) {
  for (int i = 0; accts[i]; i++) {
    int w = 0;
    while (count_path(accts[i], "/v2/fundlimit") == 0 && w++ < 200)
      usleep(20000);
    assert_true(w < 200);
  }
  usleep(300000); /* the answer reaches the follower actor */
}

static int setup(void **state) {
  static const char *const accts[] = { F_MID, F_POOR, F_BROKE, NULL };
  (void)state;
  ct_efx_up(&fx, SIM_ARGS, FOLLOWERS);
  ct_efx_admin(&fx, "/admin/faults",
               "{\"route\":\"/v2/margincalculator\",\"account\":\"" F_BROKE
               "\",\"errorRate\":1,\"errorKind\":\"500\"}");
  wait_funds(accts);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  ct_efx_teardown(&fx);
  return 0;
}

static int expect_copy(const char *oid, const char *acct) {
  char corr[CT_CORRID_SIZE];
  cJSON *o;
  int q;
  ct_efx_corr(oid, acct, -1, corr);
  o = ct_efx_wait(&fx, acct, corr, NULL, WAIT_MS);
  if (o == NULL)
    fail_msg("follower %s: no copy of %s", acct, oid);
  q = (int)ct_jnum(o, "quantity");
  assert_string_not_equal(ct_jstr(o, "orderStatus"), "REJECTED");
  cJSON_Delete(o);
  assert_int_equal(ct_efx_count_corr(&fx, acct, corr), 1);
  return q;
}

static void expect_skip(const char *oid, const char *acct, const char *reason) {
  ct_efx_expect_skip(&fx, oid, acct, reason);
}

static void expect_send(const char *oid, const char *acct) {
  ct_decision_t d;
  assert_int_equal(ct_efx_decision(&fx, oid, acct, &d), 0);
  assert_int_equal((int)d.kind, (int)CT_DECISION_SEND);
}

/* Let every follower decide (the slowest asks a failing calculator). */
static void settle(void) {
  usleep(1500000);
}

static void test_margin_decisions(void **state) {
  char fut[32], opt[32], fut2[32], cash[32];
  (void)state;
  ct_efx_place(&fx, FUT_BUY, fut);
  assert_int_equal(expect_copy(fut, F_MID), 75);
  settle();
  ct_efx_place(&fx, OPT_SELL, opt);
  assert_int_equal(expect_copy(opt, F_MID), 75);
  assert_int_equal(expect_copy(opt, F_BROKE), 75); /* fallback: unchecked */
  settle();
  ct_efx_place(&fx, FUT_BUY, fut2);
  ct_efx_place(&fx, CASH_BUY, cash);
  assert_int_equal(expect_copy(cash, F_MID), 5);
  settle();
  /* mid asked the calculator once per (security, side, product): the
   * second future used the cached figure, the cash order none. */
  assert_int_equal(count_path(F_MID, "/v2/margincalculator"), 2);
  assert_true(count_path(F_BROKE, "/v2/margincalculator") >= 1);
  ct_efx_stop(&fx);

  expect_send(fut, F_MID);
  expect_send(opt, F_MID);
  expect_skip(fut2, F_MID, "NO_MARGIN"); /* 196,125 > 500,000 - 391,125 */
  expect_send(cash, F_MID);
  expect_skip(fut, F_POOR, "NO_MARGIN");
  expect_skip(opt, F_POOR, "NO_MARGIN");  /* a sell is margin-checked */
  expect_skip(fut, F_BROKE, "NO_MARGIN"); /* 1,961,250 > 500,000 */
  expect_send(opt, F_BROKE);
}

/* --- latency: cold and warm calculator cache, and a cash order ------- */

static int setup_rich(void **state) {
  static const char *const accts[] = { EFX_F2, NULL };
  static const char *const args[] = { "--fill-mode", "none", NULL };
  (void)state;
  ct_efx_up(&fx, args, FOLLOWER("rich", EFX_F2));
  wait_funds(accts);
  return 0;
}

/* tNs of the last POST /v2/orders of `account` (dhansim's clock). */
static double last_place_ns(const char *account) {
  cJSON *all = requests(account), *it;
  double t = -1;
  cJSON_ArrayForEach(it, all) if (strcmp(ct_jstr(it, "path"), "/v2/orders") ==
                                  0) t = ct_jnum(it, "tNs");
  cJSON_Delete(all);
  assert_true(t > 0);
  return t;
}

/* Leader order answered -> follower order answered, in microseconds. */
static double copy_us(const char *fields) {
  char oid[32];
  ct_efx_place(&fx, fields, oid);
  expect_copy(oid, EFX_F2);
  return (last_place_ns(EFX_F2) - last_place_ns(EFX_LEADER)) / 1e3;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return v[n / 2];
}

#define N_KEYS 8
static void test_latency_cold_warm(void **state) {
  /* eight (security, side, product) keys, each new to the cache once */
  static const char *const keys[N_KEYS] = {
    ORDER("BUY", "NSE_FNO", "MARGIN", "52175", 75, 26150),
    ORDER("SELL", "NSE_FNO", "MARGIN", "52175", 75, 26150),
    ORDER("BUY", "NSE_FNO", "INTRADAY", "52175", 75, 26150),
    ORDER("SELL", "NSE_FNO", "INTRADAY", "52175", 75, 26150),
    ORDER("BUY", "NSE_FNO", "MARGIN", "52176", 35, 59400),
    ORDER("SELL", "NSE_FNO", "MARGIN", "52176", 35, 59400),
    ORDER("BUY", "NSE_FNO", "INTRADAY", "52176", 35, 59400),
    ORDER("SELL", "NSE_FNO", "INTRADAY", "52176", 35, 59400),
  };
  double cold[N_KEYS], warm[N_KEYS], cash[N_KEYS];
  (void)state;
  for (int i = 0; i < N_KEYS; i++) {
    cold[i] = copy_us(keys[i]);
    warm[i] = copy_us(keys[i]);
    cash[i] = copy_us(CASH_BUY);
  }
  assert_int_equal(count_path(EFX_F2, "/v2/margincalculator"), N_KEYS);
  print_message(
      "copy latency (leader place answered -> follower place "
      "answered, median of %d): F&O cold cache %.0f us, F&O warm "
      "cache %.0f us, cash %.0f us\n",
      N_KEYS, median(cold, N_KEYS), median(warm, N_KEYS), median(cash, N_KEYS));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_margin_decisions, setup, teardown),
    cmocka_unit_test_setup_teardown(test_latency_cold_warm, setup_rich,
                                    teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
