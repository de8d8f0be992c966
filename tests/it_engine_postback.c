/*
 * Integration: the postback receiver as a leader feed. The order-update
 * WebSocket points at a closed port and the order-book reconciliation
 * runs only once a minute, so the only quick way for a leader order to
 * reach the engine is dhansim's postback (POST to the engine's receiver
 * with the secret path): the follower copy must arrive within seconds,
 * once, and a cancel travels the same way.
 */
#include <stdio.h>
#include <string.h>

#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

static void test_postback_feed(void **state) {
  static ct_efx_t fx;
  char pb_arg[160], yaml[160], oid[32], corr[CT_CORRID_SIZE];
  int port = ct_test_free_port();
  const char *extra[] = { "--postback", pb_arg, NULL };
  cJSON *o;
  (void)state;
  snprintf(pb_arg, sizeof pb_arg,
           EFX_LEADER "=http://127.0.0.1:%d/postback/pb-secret-123", port);
  ct_efx_sim(&fx, extra);
  snprintf(yaml, sizeof yaml,
           "postback: {listen: \"127.0.0.1:%d\", secret: pb-secret-123}\n",
           port);
  fx.extra_yaml = yaml;
  fx.ws_url = "ws://127.0.0.1:1/"; /* no socket feed */
  fx.leader_poll_ms = 60000;       /* the book only at start */
  ct_efx_config(&fx, "  - name: a\n    client_id: \"" EFX_F2
                     "\"\n    token: tok" EFX_F2
                     "\n    sizing: {mode: multiplier, value: 3}\n");
  ct_efx_start(&fx);
  ct_efx_place(&fx,
               "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
               "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\","
               "\"validity\":\"DAY\",\"securityId\":\"11536\","
               "\"quantity\":2,\"price\":3000",
               oid);
  ct_efx_corr(oid, EFX_F2, -1, corr);
  o = ct_efx_wait(&fx, EFX_F2, corr, "PENDING", 5000);
  assert_non_null(o);
  assert_int_equal((int)ct_jnum(o, "quantity"), 6);
  cJSON_Delete(o);
  ct_efx_cancel(&fx, oid);
  o = ct_efx_wait(&fx, EFX_F2, corr, "CANCELLED", 5000);
  assert_non_null(o);
  cJSON_Delete(o);
  assert_int_equal(ct_efx_no_duplicates(&fx, EFX_F2), 1);
  ct_efx_teardown(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_postback_feed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
