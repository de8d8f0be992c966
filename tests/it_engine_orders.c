/*
 * Integration: the replication engine against dhansim over real sockets.
 * One leader and four followers in the four sizing modes (multiplier 2,
 * fixed 10 units, capital-proportional with half the leader's funds,
 * max value 20,000 rupees). New orders of every type and an after-market
 * order, a modification (price and quantity, scaled), a cancellation, and
 * a partial fill followed by a cancel: each follower order is checked on
 * dhansim (quantity as sized, price, status), and fills of both sides are
 * checked in the engine's store after it stops.
 */
#include <string.h>
#include <unistd.h>

#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000

static const char *const FOLLOWERS =
    "  - name: mult\n    client_id: \"" EFX_F2 "\"\n    token: tok" EFX_F2
    "\n    sizing: {mode: multiplier, value: 2}\n"
    "  - name: fixed\n    client_id: \"" EFX_F3 "\"\n    token: tok" EFX_F3
    "\n    sizing: {mode: fixed_qty, value: 10}\n"
    "  - name: cap\n    client_id: \"" EFX_F4 "\"\n    token: tok" EFX_F4
    "\n    sizing: {mode: capital_proportional, value: 1}\n"
    "  - name: maxv\n    client_id: \"" EFX_F5 "\"\n    token: tok" EFX_F5
    "\n    sizing: {mode: max_value, value: 20000}\n";

static const char *const ACCTS[4] = { EFX_F2, EFX_F3, EFX_F4, EFX_F5 };

static ct_efx_t fx;
static char diverged_corr[CT_CORRID_SIZE]; /* F3's hand-edited order */

static int setup(void **state) {
  static const char *const extra[] = { "--fill-delay-ms", "5", NULL };
  return ct_efx_setup(state, &fx, extra, FOLLOWERS);
}

/* Wait for each follower's copy of `oid` in `status`; check quantities. */
static void expect_copies(const char *oid, const char *status,
                          const int qty[4]) {
  for (int i = 0; i < 4; i++) {
    char corr[CT_CORRID_SIZE];
    cJSON *o;
    ct_efx_corr(oid, ACCTS[i], -1, corr);
    o = ct_efx_wait(&fx, ACCTS[i], corr, status, WAIT_MS);
    if (o == NULL)
      fail_msg("follower %s: no %s copy of %s", ACCTS[i], status, oid);
    assert_int_equal((int)ct_jnum(o, "quantity"), qty[i]);
    cJSON_Delete(o);
    assert_int_equal(ct_efx_count_corr(&fx, ACCTS[i], corr), 1);
  }
}

/* Follower `acct`'s copy of `oid` (any status), which must exist; its
 * correlation id is left in corr. The caller frees it. */
static cJSON *copy_of(const char *oid, const char *acct,
                      char corr[CT_CORRID_SIZE]) {
  cJSON *o;
  ct_efx_corr(oid, acct, -1, corr);
  o = ct_efx_wait(&fx, acct, corr, NULL, WAIT_MS);
  assert_non_null(o);
  return o;
}

/* Wait until every copy of `oid` (but follower `skip`, -1: none) has
 * `price` and the quantity in qty[] (modifications). */
static void expect_price(const char *oid, double price, const int qty[4],
                         int skip) {
  for (int i = 0; i < 4; i++) {
    if (i == skip)
      continue;
    char corr[CT_CORRID_SIZE];
    cJSON *o = NULL;
    ct_efx_corr(oid, ACCTS[i], -1, corr);
    for (int w = 0; w < WAIT_MS; w += 50) {
      cJSON_Delete(o);
      o = ct_efx_wait(&fx, ACCTS[i], corr, NULL, WAIT_MS);
      assert_non_null(o);
      if (ct_jnum(o, "price") == price && ct_jnum(o, "quantity") == qty[i])
        break;
      usleep(50000);
    }
    assert_int_equal((int)(ct_jnum(o, "price") * 100), (int)(price * 100));
    assert_int_equal((int)ct_jnum(o, "quantity"), qty[i]);
    cJSON_Delete(o);
  }
}

static void test_market(void **state) {
  static const int q[4] = { 8, 10, 2, 6 }; /* 20000 / 3120.5 -> 6 */
  char oid[32];
  (void)state;
  ct_efx_place(&fx,
               "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
               "\"productType\":\"INTRADAY\",\"orderType\":\"MARKET\","
               "\"validity\":\"DAY\",\"securityId\":\"11536\",\"quantity\":4",
               oid);
  expect_copies(oid, "TRADED", q);
}

static void test_limit_modify_cancel(void **state) {
  static const int q1[4] = { 12, 10, 3, 6 }; /* 20000 / 3000 -> 6 */
  static const int q2[4] = { 16, 10, 4, 6 }; /* 20000 / 3010 -> 6 */
  char oid[32];
  (void)state;
  ct_efx_place(&fx,
               "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
               "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\","
               "\"validity\":\"DAY\",\"securityId\":\"11536\","
               "\"quantity\":6,\"price\":3000",
               oid);
  expect_copies(oid, "PENDING", q1);
  ct_efx_modify(&fx, oid,
                "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"quantity\":8,"
                "\"price\":3010");
  expect_price(oid, 3010, q2, -1);
  ct_efx_cancel(&fx, oid);
  expect_copies(oid, "CANCELLED", q2);
}

static void test_stop_loss(void **state) {
  static const int q[4] = { 4, 10, 1, 6 }; /* 20000 / 3210 -> 6 */
  char oid[32], corr[CT_CORRID_SIZE];
  cJSON *o;
  (void)state;
  ct_efx_place(&fx,
               "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
               "\"productType\":\"INTRADAY\",\"orderType\":\"STOP_LOSS\","
               "\"validity\":\"DAY\",\"securityId\":\"11536\","
               "\"quantity\":2,\"price\":3210,\"triggerPrice\":3200",
               oid);
  expect_copies(oid, "PENDING", q);
  o = copy_of(oid, EFX_F2, corr);
  assert_string_equal(ct_jstr(o, "orderType"), "STOP_LOSS");
  assert_int_equal((int)ct_jnum(o, "triggerPrice"), 3200);
  cJSON_Delete(o);
  ct_efx_cancel(&fx, oid);
  expect_copies(oid, "CANCELLED", q);
}

static void test_stop_loss_market(void **state) {
  static const int q[4] = { 4, 10, 1, 6 };
  char oid[32], corr[CT_CORRID_SIZE];
  cJSON *o;
  (void)state;
  ct_efx_place(&fx,
               "\"transactionType\":\"SELL\",\"exchangeSegment\":\"NSE_EQ\","
               "\"productType\":\"INTRADAY\",\"orderType\":"
               "\"STOP_LOSS_MARKET\",\"validity\":\"DAY\",\"securityId\":"
               "\"11536\",\"quantity\":2,\"triggerPrice\":3000",
               oid);
  for (int i = 0; i < 4; i++) {
    ct_efx_corr(oid, ACCTS[i], -1, corr);
    o = ct_efx_wait(&fx, ACCTS[i], corr, "PENDING", WAIT_MS);
    assert_non_null(o);
    assert_string_equal(ct_jstr(o, "orderType"), "STOP_LOSS_MARKET");
    assert_string_equal(ct_jstr(o, "transactionType"), "SELL");
    assert_int_equal((int)ct_jnum(o, "triggerPrice"), 3000);
    /* max value: 20000 at the last price 3120.5 (or the trigger) -> 6 */
    assert_int_equal((int)ct_jnum(o, "quantity"), q[i]);
    cJSON_Delete(o);
  }
  ct_efx_cancel(&fx, oid);
}

static void test_after_market(void **state) {
  char oid[32], corr[CT_CORRID_SIZE];
  cJSON *o;
  (void)state;
  ct_efx_place(&fx,
               "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
               "\"productType\":\"CNC\",\"orderType\":\"LIMIT\","
               "\"validity\":\"DAY\",\"securityId\":\"11536\",\"quantity\":1,"
               "\"price\":3000,\"afterMarketOrder\":true,\"amoTime\":\"OPEN\"",
               oid);
  o = copy_of(oid, EFX_F3, corr);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "afterMarketOrder")));
  assert_string_equal(ct_jstr(o, "productType"), "CNC");
  cJSON_Delete(o);
  ct_efx_cancel(&fx, oid);
}

/* A follower order changed by hand is recorded as diverged and left
 * alone: the leader's next modification reaches the other followers only. */
static void test_hand_edit_diverges(void **state) {
  static const int q[4] = { 4, 10, 1, 6 };
  char oid[32], corr[CT_CORRID_SIZE], fid[32];
  cJSON *o;
  (void)state;
  ct_efx_place(&fx,
               "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
               "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\","
               "\"validity\":\"DAY\",\"securityId\":\"11536\","
               "\"quantity\":2,\"price\":2990",
               oid);
  expect_copies(oid, "PENDING", q);
  o = copy_of(oid, EFX_F3, corr);
  snprintf(fid, sizeof fid, "%s", ct_jstr(o, "orderId"));
  cJSON_Delete(o);
  ct_efx_modify_as(&fx, EFX_F3, fid,
                   "\"orderType\":\"LIMIT\",\"validity\":\"DAY\","
                   "\"quantity\":7,\"price\":2980");
  usleep(1500000); /* the follower's poll sees the hand edit */
  { /* with few open orders, that poll asks for each one, not the book */
    char path[64];
    snprintf(path, sizeof path, "/v2/orders/%s", fid);
    assert_true(ct_efx_count_req(&fx, EFX_F3, "GET", path) >= 1);
  }
  ct_efx_modify(&fx, oid,
                "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"quantity\":2,"
                "\"price\":2995");
  expect_price(oid, 2995, q, 1);
  usleep(600000);
  o = ct_efx_wait(&fx, EFX_F3, corr, NULL, WAIT_MS);
  assert_non_null(o);
  assert_int_equal((int)ct_jnum(o, "quantity"), 7); /* left alone */
  assert_int_equal((int)ct_jnum(o, "price"), 2980);
  cJSON_Delete(o);
  snprintf(diverged_corr, sizeof diverged_corr, "%s", corr);
}

static void test_partial_fill_then_cancel(void **state) {
  static const int q[4] = { 20, 10, 5, 6 };
  char oid[32], corr[CT_CORRID_SIZE], body[128], path[64];
  ct_forder_t fo;
  cJSON *o;
  int books = ct_efx_count_req(&fx, EFX_F2, "GET", "/v2/orders");
  (void)state;
  ct_efx_place(&fx,
               "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
               "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\","
               "\"validity\":\"DAY\",\"securityId\":\"11536\","
               "\"quantity\":10,\"price\":3000",
               oid);
  expect_copies(oid, "PENDING", q);
  snprintf(body, sizeof body, "{\"orderId\":\"%s\",\"quantity\":4}", oid);
  ct_efx_admin(&fx, "/admin/fill", body); /* the leader: 4 of 10 */
  o = copy_of(oid, EFX_F2, corr);
  snprintf(body, sizeof body, "{\"orderId\":\"%s\",\"quantity\":6}",
           ct_jstr(o, "orderId"));
  snprintf(path, sizeof path, "/v2/orders/%s", ct_jstr(o, "orderId"));
  cJSON_Delete(o);
  ct_efx_admin(&fx, "/admin/fill", body); /* the follower: 6 of 20 */
  ct_efx_cancel(&fx, oid);
  expect_copies(oid, "CANCELLED", q);
  o = ct_efx_wait(&fx, EFX_F2, corr, "CANCELLED", WAIT_MS);
  assert_non_null(o);
  assert_int_equal((int)ct_jnum(o, "filledQty"), 6);
  cJSON_Delete(o);
  /* The store saw the follower's fill and final state (polled every
   * 200 ms; give it several rounds before stopping), by the order's id:
   * the follower has few orders open, so its whole book is not read. */
  ct_efx_wait_req(&fx, EFX_F2, "GET", path, 0, 1);
  usleep(1500000);
  assert_int_equal(ct_efx_count_req(&fx, EFX_F2, "GET", "/v2/orders"), books);
  ct_efx_stop(&fx);
  assert_int_equal(ct_efx_forder(&fx, EFX_F2, corr, &fo), 0);
  assert_string_equal(fo.order_id[0] ? "set" : "", "set");
  assert_int_equal(fo.status, CT_DHAN_STATUS_CANCELLED);
  assert_int_equal((int)fo.phase, (int)CT_FPHASE_DONE);
  assert_int_equal((int)fo.filled_qty, 6);
  assert_false(fo.diverged);
  assert_int_equal(ct_efx_forder(&fx, EFX_F3, diverged_corr, &fo), 0);
  assert_true(fo.diverged);
  for (int i = 0; i < 4; i++)
    ct_efx_no_duplicates(&fx, ACCTS[i]);
}

/* The --metrics lines: one JSON object each, a sent and an ack per
 * follower order on CLOCK_MONOTONIC (dhansim's clock: the request stamp
 * lies between them), leader and skip lines, and never a token. */
static void test_metrics(void **state) {
  FILE *f = fopen(fx.metrics, "r");
  char line[512], corr[CT_CORRID_SIZE] = "";
  int sent = 0, ack = 0, leader = 0, skip = 0, found = 0;
  double t_sent = 0, t_ack = 0;
  ct_http_resp_t r;
  const cJSON *it;
  (void)state;
  assert_non_null(f);
  while (fgets(line, sizeof line, f)) {
    cJSON *j = cJSON_Parse(line);
    const char *ev;
    assert_non_null(j);
    assert_null(strstr(line, "tok"));
    ev = ct_jstr(j, "ev");
    if (strcmp(ev, "sent") == 0 && sent++ == 0) {
      snprintf(corr, sizeof corr, "%s", ct_jstr(j, "corr"));
      t_sent = ct_jnum(j, "t_ns");
    }
    if (strcmp(ev, "ack") == 0 && strcmp(ct_jstr(j, "corr"), corr) == 0) {
      assert_string_equal(ct_jstr(j, "status"), "200");
      t_ack = ct_jnum(j, "t_ns");
    }
    ack += strcmp(ev, "ack") == 0;
    leader += strcmp(ev, "leader") == 0;
    skip += strcmp(ev, "skip") == 0 &&
            strcmp(ct_jstr(j, "reason"), "ZERO_LOTS") == 0;
    cJSON_Delete(j);
  }
  fclose(f);
  assert_true(sent >= 20);
  assert_int_equal(ack, sent);
  assert_true(leader >= 6);
  assert_int_equal(skip, 1); /* cap: 0.5 x 1 unit of the AMO order */
  assert_true(t_sent > 0 && t_ack > t_sent);
  assert_int_equal(
      ct_http(fx.sim.url, "GET", "/admin/stamps", NULL, NULL, NULL, &r), 0);
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(r.json, "requests")) {
    if (strcmp(ct_jstr(it, "correlationId"), corr) == 0 &&
        strcmp(ct_jstr(it, "method"), "POST") == 0) {
      assert_true(ct_jnum(it, "tNs") > t_sent);
      assert_true(ct_jnum(it, "tNs") < t_ack);
      found++;
    }
  }
  ct_http_resp_free(&r);
  assert_int_equal(found, 1); /* the follower's POST, once */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_market),
    cmocka_unit_test(test_limit_modify_cancel),
    cmocka_unit_test(test_stop_loss),
    cmocka_unit_test(test_stop_loss_market),
    cmocka_unit_test(test_after_market),
    cmocka_unit_test(test_hand_edit_diverges),
    cmocka_unit_test(test_partial_fill_then_cancel),
    cmocka_unit_test(test_metrics),
  };
  return cmocka_run_group_tests(tests, setup, ct_efx_cm_teardown);
}
