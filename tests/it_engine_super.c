/*
 * Integration: super orders, against dhansim over real sockets. The
 * leader places a super order (entry LIMIT with target and stop-loss
 * legs); a follower that copies super orders gets a super order of its
 * own (quantity sized, the same legs, correlation id of the entry leg), a
 * follower with copy_super_orders: false does not (recorded as skipped).
 * The leader's entry-leg modification (price, target) is copied, and so is
 * its cancellation.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "copytrader/corrid.h"
#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000

static const char *const FOLLOWERS =
    "  - name: sup\n    client_id: \"" EFX_F2 "\"\n    token: tok" EFX_F2
    "\n    sizing: {mode: multiplier, value: 2}\n"
    "  - name: plain\n    client_id: \"" EFX_F3 "\"\n    token: tok" EFX_F3
    "\n    sizing: {mode: multiplier, value: 1}\n"
    "    copy_super_orders: false\n";

static ct_efx_t fx;

static void super_corr(const char *oid, char corr[CT_CORRID_SIZE]) {
  ct_corrid_input_t in = { .leader_order_id = oid,
                           .follower_id = EFX_F2,
                           .kind = CT_CORRID_SUPER_LEG,
                           .index = 1 };
  assert_int_equal(ct_corrid_make(&in, corr), 0);
}

/* The follower's super order with this entry id, as GET /super/orders
 * shows it (caller frees), waiting until `price` and `target` show. */
static cJSON *follower_super(const char *entry, double price, double target) {
  char base[96];
  snprintf(base, sizeof base, "%s/v2", fx.sim.url);
  for (int w = 0; w < WAIT_MS; w += 50) {
    ct_http_resp_t r;
    const cJSON *it;
    assert_int_equal(
        ct_http(base, "GET", "/super/orders", "tok" EFX_F2, NULL, NULL, &r), 0);
    cJSON_ArrayForEach(it, r.json) {
      const cJSON *leg, *legs = cJSON_GetObjectItem(it, "legDetails");
      double tgt = -1;
      if (strcmp(ct_jstr(it, "orderId"), entry) != 0)
        continue;
      cJSON_ArrayForEach(leg, legs) {
        if (strcmp(ct_jstr(leg, "legName"), "TARGET_LEG") == 0)
          tgt = ct_jnum(leg, "price");
      }
      if (ct_jnum(it, "price") == price && tgt == target) {
        cJSON *copy = cJSON_Duplicate(it, 1);
        ct_http_resp_free(&r);
        return copy;
      }
    }
    ct_http_resp_free(&r);
    usleep(50000);
  }
  return NULL;
}

static void test_super_order(void **state) {
  char oid[32], corr[CT_CORRID_SIZE], entry[32], path[128], body[256];
  ct_decision_t d;
  cJSON *o, *s;
  (void)state;
  ct_efx_up(&fx, NULL, FOLLOWERS);
  ct_efx_place_at(&fx, "/super/orders",
                  "\"transactionType\":\"BUY\",\"exchangeSegment\":"
                  "\"NSE_EQ\",\"productType\":\"INTRADAY\",\"orderType\":"
                  "\"LIMIT\",\"securityId\":\"11536\",\"quantity\":5,"
                  "\"price\":3000,\"targetPrice\":3100,\"stopLossPrice\":2900",
                  oid);
  super_corr(oid, corr);
  o = ct_efx_wait(&fx, EFX_F2, corr, "PENDING", WAIT_MS);
  assert_non_null(o);
  assert_int_equal((int)ct_jnum(o, "quantity"), 10);
  snprintf(entry, sizeof entry, "%s", ct_jstr(o, "orderId"));
  cJSON_Delete(o);
  s = follower_super(entry, 3000, 3100);
  assert_non_null(s);
  cJSON_Delete(s);

  /* The leader moves its entry and target: the follower follows. */
  snprintf(path, sizeof path, "%s/v2", fx.sim.url);
  snprintf(body, sizeof body,
           "{\"dhanClientId\":\"" EFX_LEADER
           "\",\"orderId\":\"%s\","
           "\"legName\":\"ENTRY_LEG\",\"orderType\":\"LIMIT\",\"quantity\":5,"
           "\"price\":3005,\"targetPrice\":3110,\"stopLossPrice\":2900}",
           oid);
  {
    char p2[96];
    ct_http_resp_t r;
    snprintf(p2, sizeof p2, "/super/orders/%s", oid);
    assert_int_equal(ct_http(path, "PUT", p2, "tok" EFX_LEADER, body, NULL, &r),
                     0);
    assert_int_equal(r.status, 200);
    ct_http_resp_free(&r);
    s = follower_super(entry, 3005, 3110);
    assert_non_null(s);
    cJSON_Delete(s);
    /* ... and cancels it. */
    snprintf(p2, sizeof p2, "/super/orders/%s/ENTRY_LEG", oid);
    assert_int_equal(
        ct_http(path, "DELETE", p2, "tok" EFX_LEADER, NULL, NULL, &r), 0);
    assert_true(r.status == 200 || r.status == 202);
    ct_http_resp_free(&r);
  }
  o = ct_efx_wait(&fx, EFX_F2, corr, "CANCELLED", WAIT_MS);
  assert_non_null(o);
  cJSON_Delete(o);
  assert_int_equal(ct_efx_no_duplicates(&fx, EFX_F2), 1);
  assert_int_equal(ct_efx_no_duplicates(&fx, EFX_F3), 0);
  ct_efx_stop(&fx);
  assert_int_equal(ct_efx_decision(&fx, oid, EFX_F3, &d), 0);
  assert_string_equal(d.skip_reason, "SUPER_NOT_COPIED");
  assert_int_equal(ct_efx_decision(&fx, oid, EFX_F2, &d), 0);
  assert_int_equal((int)d.kind, (int)CT_DECISION_SEND);
  ct_efx_teardown(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_super_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
