/*
 * Integration: an exit of a position the engine opened needs no margin,
 * against dhansim over real sockets (fills on).
 *
 * The follower "small" has 100,000. The leader buys a NIFTY 26000 call
 * (75 at 320, last 310.50): the follower copies it (premium 24,000) and it
 * fills, paying the premium. dhansim prices an option SELL at 10% of qty x
 * strike, 195,000, more than the follower has: a new short would be
 * NO_MARGIN. (An option, not a future: dhansim's futures fills move no
 * cash, so a filled future would leave the funds whole.) The leader then
 * sells the call: the follower's SELL closes its long, so it is copied
 * without asking the calculator. A second leader SELL would open a short
 * for the follower: it is checked, and still NO_MARGIN.
 */
#include <string.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000
#define F_SMALL "1000000013"

static const char *const FOLLOWERS =
    "  - name: small\n    client_id: \"" F_SMALL "\"\n    token: tok" F_SMALL
    "\n    sizing: {mode: multiplier, value: 1}\n";

static const char *const SIM_ARGS[] = { "--account",
                                        F_SMALL ":tok" F_SMALL ":100000",
                                        NULL };

#define OPT(side, px)                                                          \
  "\"transactionType\":\"" side                                                \
  "\",\"exchangeSegment\":\"NSE_FNO\","                                        \
  "\"productType\":\"MARGIN\",\"orderType\":\"LIMIT\",\"validity\":"           \
  "\"DAY\",\"securityId\":\"48210\",\"quantity\":75,\"price\":" #px

static ct_efx_t fx;

/* Requests of `account` with this method and path. */
static int count_req(const char *method, const char *path) {
  ct_http_resp_t r;
  cJSON *all, *it;
  int n = 0;
  assert_int_equal(
      ct_http(fx.sim.url, "GET", "/admin/requests?account=" F_SMALL, NULL, NULL,
              NULL, &r),
      0);
  assert_int_equal(r.status, 200);
  all = cJSON_GetObjectItem(r.json, "requests");
  assert_non_null(all);
  cJSON_ArrayForEach(it, all) {
    if (strcmp(ct_jstr(it, "method"), method) == 0 &&
        strcmp(ct_jstr(it, "path"), path) == 0)
      n++;
  }
  ct_http_resp_free(&r);
  return n;
}

/* Wait until `n` more requests of this kind than `from` have arrived. */
static void wait_req(const char *method, const char *path, int from, int n) {
  int w = 0;
  while (count_req(method, path) < from + n && w++ < 400)
    usleep(20000);
  assert_true(w < 400);
}

/* Wait until the follower's book polls stop (1.2 s, two poll periods,
 * without one): the engine sees no open order, so it has merged the
 * fills. */
static void wait_book_quiet(void) {
  int n, i = 0;
  do {
    n = count_req("GET", "/v2/orders");
    usleep(1200000);
  } while (count_req("GET", "/v2/orders") != n && ++i < 10);
  assert_true(i < 10);
}

static int setup(void **state) {
  (void)state;
  ct_efx_up(&fx, SIM_ARGS, FOLLOWERS);
  wait_req("GET", "/v2/fundlimit", 0, 1);
  usleep(300000); /* the answer reaches the follower actor */
  return 0;
}

static int teardown(void **state) {
  (void)state;
  ct_efx_teardown(&fx);
  return 0;
}

/* The follower's copy of leader order `oid`, a `side` of 75, is TRADED. */
static void expect_traded(const char *oid, const char *side) {
  char corr[CT_CORRID_SIZE];
  cJSON *o;
  ct_efx_corr(oid, F_SMALL, -1, corr);
  o = ct_efx_wait(&fx, F_SMALL, corr, "TRADED", WAIT_MS);
  if (o == NULL)
    fail_msg("follower: no traded copy of %s", oid);
  assert_int_equal((int)ct_jnum(o, "quantity"), 75);
  assert_string_equal(ct_jstr(o, "transactionType"), side);
  cJSON_Delete(o);
}

static void test_exit_needs_no_margin(void **state) {
  char buy[32], exit_[32], shrt[32];
  int calc;
  ct_decision_t d;
  (void)state;
  ct_efx_place(&fx, OPT("BUY", 320), buy);
  expect_traded(buy, "BUY");
  wait_book_quiet(); /* the engine has merged the fill */
  calc = count_req("POST", "/v2/margincalculator");
  assert_int_equal(calc, 1); /* the buy */

  ct_efx_place(&fx, OPT("SELL", 300), exit_);
  expect_traded(exit_, "SELL");
  assert_int_equal(count_req("POST", "/v2/margincalculator"), calc);
  wait_book_quiet();

  ct_efx_place(&fx, OPT("SELL", 300), shrt);
  wait_req("POST", "/v2/margincalculator", calc, 1); /* a new short asks */
  usleep(1000000);                                   /* the decision */
  ct_efx_stop(&fx);

  assert_int_equal(ct_efx_decision(&fx, buy, F_SMALL, &d), 0);
  assert_int_equal((int)d.kind, (int)CT_DECISION_SEND);
  assert_int_equal(ct_efx_decision(&fx, exit_, F_SMALL, &d), 0);
  assert_int_equal((int)d.kind, (int)CT_DECISION_SEND);
  assert_int_equal((int)d.qty, 75);
  ct_efx_expect_skip(&fx, shrt, F_SMALL, "NO_MARGIN"); /* 195,000 > funds */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_exit_needs_no_margin, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
