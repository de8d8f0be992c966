/*
 * Integration: an order waiting for the margin calculator holds back only
 * the orders of its own security, against dhansim over real sockets.
 *
 * The follower "rich" first gets a long NIFTY 26000 call from the engine
 * (copied and filled). Then dhansim's margin calculator is slowed down
 * for that account only (2 s, per-account latency) and the leader places,
 * in this order:
 *   A  a NIFTY future BUY: a cold calculator cache, so it waits;
 *   B  a cash BUY (no calculator);
 *   C  a SELL of the call: an exit of the engine's position (no
 *      calculator);
 *   D  a second future BUY: same security as A, so it stays behind A.
 * dhansim's request log (its order of arrival, not times) must show B and
 * C before A and before D: D waited with A, although its own calculator
 * figure would be cached by then. A and D are decided in the leader's
 * order but then sent at once on two connections, so which of the two
 * dhansim reads first is not the engine's to fix and is not asserted.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000
#define F_RICH  "1000000014"

static const char *const FOLLOWERS =
    "  - name: rich\n    client_id: \"" F_RICH "\"\n    token: tok" F_RICH
    "\n    sizing: {mode: multiplier, value: 1}\n";

static const char *const SIM_ARGS[] = { "--account",
                                        F_RICH ":tok" F_RICH ":10000000",
                                        NULL };

#define ORDER(side, seg, product, sec, q, px)                                  \
  "\"transactionType\":\"" side "\",\"exchangeSegment\":\"" seg                \
  "\",\"productType\":\"" product                                              \
  "\",\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":\"" sec      \
  "\",\"quantity\":" #q ",\"price\":" #px
#define OPT_BUY  ORDER("BUY", "NSE_FNO", "MARGIN", "48210", 75, 320)
#define OPT_SELL ORDER("SELL", "NSE_FNO", "MARGIN", "48210", 75, 300)
#define FUT_BUY  ORDER("BUY", "NSE_FNO", "MARGIN", "52175", 75, 26150)
#define CASH_BUY ORDER("BUY", "NSE_EQ", "CNC", "11536", 5, 3000)

static ct_efx_t fx;

static cJSON *requests(void) {
  ct_http_resp_t r;
  cJSON *all;
  assert_int_equal(ct_http(fx.sim.url, "GET", "/admin/requests?account=" F_RICH,
                           NULL, NULL, NULL, &r),
                   0);
  assert_int_equal(r.status, 200);
  all = cJSON_DetachItemFromObject(r.json, "requests");
  assert_non_null(all);
  ct_http_resp_free(&r);
  return all;
}

/* Sequence number, in dhansim's request log, of the POST /v2/orders that
 * copied leader order `oid`; fails when there is none. */
static int seq_of(const char *oid) {
  char corr[CT_CORRID_SIZE];
  cJSON *all = requests(), *it;
  int seq = -1;
  ct_efx_corr(oid, F_RICH, -1, corr);
  cJSON_ArrayForEach(it, all) {
    cJSON *body;
    if (strcmp(ct_jstr(it, "method"), "POST") != 0 ||
        strcmp(ct_jstr(it, "path"), "/v2/orders") != 0 ||
        (body = cJSON_Parse(ct_jstr(it, "body"))) == NULL)
      continue;
    if (strcmp(ct_jstr(body, "correlationId"), corr) == 0)
      seq = (int)ct_jnum(it, "seq");
    cJSON_Delete(body);
  }
  cJSON_Delete(all);
  if (seq < 0)
    fail_msg("no copy of leader order %s", oid);
  return seq;
}

/* Wait until the follower's copy of `oid` reached dhansim. */
static void arrived(const char *oid) {
  char corr[CT_CORRID_SIZE];
  cJSON *o;
  ct_efx_corr(oid, F_RICH, -1, corr);
  o = ct_efx_wait(&fx, F_RICH, corr, NULL, WAIT_MS);
  if (o == NULL)
    fail_msg("no copy of leader order %s", oid);
  cJSON_Delete(o);
}

static int setup(void **state) {
  return ct_efx_setup_funded(state, &fx, SIM_ARGS, FOLLOWERS, F_RICH);
}

static void test_other_securities_do_not_wait(void **state) {
  char buy[32], a[32], b[32], c[32], d[32], corr[CT_CORRID_SIZE];
  int sa, sb, sc, sd;
  cJSON *o;
  (void)state;
  ct_efx_place(&fx, OPT_BUY, buy);
  ct_efx_corr(buy, F_RICH, -1, corr);
  o = ct_efx_wait(&fx, F_RICH, corr, "TRADED", WAIT_MS);
  assert_non_null(o);
  cJSON_Delete(o);
  ct_efx_wait_book_quiet(&fx, F_RICH); /* the engine knows its long call */

  ct_efx_admin(&fx, "/admin/faults",
               "{\"route\":\"/v2/margincalculator\",\"latencyMs\":2000,"
               "\"account\":\"" F_RICH "\"}");
  ct_efx_place(&fx, FUT_BUY, a);
  ct_efx_place(&fx, CASH_BUY, b);
  ct_efx_place(&fx, OPT_SELL, c);
  ct_efx_place(&fx, FUT_BUY, d);
  arrived(d);
  arrived(a);
  arrived(b);
  arrived(c);
  sa = seq_of(a);
  sb = seq_of(b);
  sc = seq_of(c);
  sd = seq_of(d);
  print_message("arrival: A=%d B=%d C=%d D=%d\n", sa, sb, sc, sd);
  assert_true(sb < sa); /* cash: no wait behind A's calculator call */
  assert_true(sc < sa); /* an exit of another security: no wait either */
  assert_true(sb < sd); /* the same security waits with A */
  assert_true(sc < sd);
  ct_efx_admin(&fx, "/admin/faults", "{\"clear\":true}");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_other_securities_do_not_wait, setup,
                                    ct_efx_cm_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
