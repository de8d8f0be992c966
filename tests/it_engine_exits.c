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
#include "fno_small.h"
#include "sim_client.h"


static ct_efx_t fx;

static int setup(void **state) {
  return ct_efx_setup_funded(state, &fx, SIM_ARGS, FOLLOWERS, F_SMALL);
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
  ct_efx_wait_book_quiet(&fx, F_SMALL); /* the engine has merged the fill */
  calc = ct_efx_count_req(&fx, F_SMALL, "POST", "/v2/margincalculator");
  assert_int_equal(calc, 1); /* the buy */

  ct_efx_place(&fx, OPT("SELL", 300), exit_);
  expect_traded(exit_, "SELL");
  assert_int_equal(
      ct_efx_count_req(&fx, F_SMALL, "POST", "/v2/margincalculator"), calc);
  ct_efx_wait_book_quiet(&fx, F_SMALL);

  ct_efx_place(&fx, OPT("SELL", 300), shrt);
  ct_efx_wait_req(&fx, F_SMALL, "POST", "/v2/margincalculator", calc,
                  1); /* a new short asks */
  usleep(1000000);    /* the decision */
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
    cmocka_unit_test_setup_teardown(test_exit_needs_no_margin, setup,
                                    ct_efx_cm_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
