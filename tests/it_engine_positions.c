/*
 * Integration: the exit rule is bounded by the follower's actual positions
 * (GET /positions), against dhansim over real sockets (fills on).
 *
 * The follower "small" has 100,000. The leader buys a NIFTY 26000 call
 * (75 at 320): the follower copies it and it fills, so the engine knows a
 * long of 75 it opened. The position is then squared off outside the
 * engine (DELETE /positions with the follower's own token, as the
 * broker's square-off would: dhansim sells it at market). When the leader
 * sells the call, the follower no longer holds anything to close: the
 * SELL would open a short, so it is checked with the margin calculator
 * (195,000 > the funds: NO_MARGIN) instead of being sent as an exit.
 */
#include <string.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "ct_test.h"
#include "engine_fx.h"
#include "fno_small.h"
#include "sim_client.h"


static ct_efx_t fx;

/* The follower's net quantity of the call, as dhansim reports it. */
static int net_qty(void) {
  cJSON *all = ct_http_want(fx.sim.url, "GET", "/v2/positions", "tok" F_SMALL,
                            NULL, 200);
  cJSON *it;
  int n = 0;
  cJSON_ArrayForEach(it, all) {
    if (strcmp(ct_jstr(it, "securityId"), "48210") == 0)
      n += (int)ct_jnum(it, "netQty");
  }
  cJSON_Delete(all);
  return n;
}

static int setup(void **state) {
  return ct_efx_setup_funded(state, &fx, SIM_ARGS, FOLLOWERS, F_SMALL);
}

static void test_exit_of_closed_position_is_checked(void **state) {
  char buy[32], exit_[32], corr[CT_CORRID_SIZE];
  int calc, pos, w = 0;
  cJSON *o;
  ct_decision_t d;
  (void)state;
  ct_efx_place(&fx, OPT("BUY", 320), buy);
  ct_efx_corr(buy, F_SMALL, -1, corr);
  o = ct_efx_wait(&fx, F_SMALL, corr, "TRADED", WAIT_MS);
  assert_non_null(o);
  cJSON_Delete(o);
  ct_efx_wait_book_quiet(&fx, F_SMALL);
  assert_true(ct_efx_count_req(&fx, F_SMALL, "GET", "/v2/positions") >=
              1); /* asked with funds */
  assert_int_equal(net_qty(), 75);

  /* Squared off outside the engine. */
  cJSON_Delete(ct_http_want(fx.sim.url, "DELETE", "/v2/positions",
                            "tok" F_SMALL, NULL, 200));
  while (net_qty() != 0 && w++ < 200)
    usleep(20000);
  assert_int_equal(net_qty(), 0);
  pos = ct_efx_count_req(&fx, F_SMALL, "GET", "/v2/positions");
  ct_efx_wait_req(&fx, F_SMALL, "GET", "/v2/positions", pos,
                  2); /* two engine refreshes since */
  calc = ct_efx_count_req(&fx, F_SMALL, "POST", "/v2/margincalculator");

  ct_efx_place(&fx, OPT("SELL", 300), exit_);
  ct_efx_wait_req(&fx, F_SMALL, "POST", "/v2/margincalculator", calc,
                  1); /* checked, not exit */
  usleep(1000000);    /* the decision */
  ct_efx_stop(&fx);

  assert_int_equal(ct_efx_decision(&fx, buy, F_SMALL, &d), 0);
  assert_int_equal((int)d.kind, (int)CT_DECISION_SEND);
  ct_efx_expect_skip(&fx, exit_, F_SMALL, "NO_MARGIN"); /* 195,000 > funds */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_exit_of_closed_position_is_checked,
                                    setup, ct_efx_cm_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
