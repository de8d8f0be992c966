/*
 * Integration: the engine under faults, against dhansim over real sockets.
 *  - The order-update WebSocket is dropped every 200 ms while the leader
 *    places orders: every order reaches every follower (the book
 *    reconciliation after each reconnect and on its period catches what
 *    the socket missed), and none twice.
 *  - One follower's order routes answer 500 (DH-908: outcome unknown) for
 *    a while: its breaker opens (calls fail fast, seen in the log), the
 *    other followers copy as usual, and once the fault is cleared the
 *    follower gets each order exactly once (lookups by correlation id
 *    before any re-send).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "copytrader/log.h"
#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 10000
#define N_DROP  8
#define N_BAD   3

static const char *const FOLLOWERS =
    "  - name: a\n    client_id: \"" EFX_F2 "\"\n    token: tok" EFX_F2
    "\n    sizing: {mode: multiplier, value: 1}\n"
    "  - name: b\n    client_id: \"" EFX_F3 "\"\n    token: tok" EFX_F3
    "\n    sizing: {mode: fixed_qty, value: 3}\n"
    "  - name: c\n    client_id: \"" EFX_F4 "\"\n    token: tok" EFX_F4
    "\n    sizing: {mode: multiplier, value: 2}\n";

#define MARKET_TCS(q)                                                          \
  "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","                \
  "\"productType\":\"INTRADAY\",\"orderType\":\"MARKET\",\"validity\":"        \
  "\"DAY\",\"securityId\":\"11536\",\"quantity\":" #q

static ct_efx_t fx;
static _Atomic int breaker_fast_fails;

static void sink(ct_log_level_t level, const char *line, size_t len,
                 void *ctx) {
  (void)ctx;
  if (strstr(line, "orders/" EFX_F4) && strstr(line, "CT_EBREAKER"))
    atomic_fetch_add(&breaker_fast_fails, 1);
  if (level >= CT_LOG_WARN)
    fprintf(stderr, "%.*s\n", (int)len, line);
}

static int setup(void **state) {
  return ct_efx_setup(state, &fx, NULL, FOLLOWERS);
}

static void expect_once(const char *oid, const char *acct, int timeout) {
  char corr[CT_CORRID_SIZE];
  cJSON *o;
  ct_efx_corr(oid, acct, -1, corr);
  o = ct_efx_wait(&fx, acct, corr, NULL, timeout);
  if (o == NULL)
    fail_msg("follower %s: no copy of %s", acct, oid);
  cJSON_Delete(o);
  assert_int_equal(ct_efx_count_corr(&fx, acct, corr), 1);
}

static void test_ws_drops(void **state) {
  static const char *const acct[3] = { EFX_F2, EFX_F3, EFX_F4 };
  char oid[N_DROP][32];
  int before[3];
  (void)state;
  for (int f = 0; f < 3; f++)
    before[f] = ct_efx_no_duplicates(&fx, acct[f]);
  ct_efx_admin(&fx, "/admin/ws/drop", "{\"everyMs\":200}");
  for (int i = 0; i < N_DROP; i++) {
    ct_efx_place(&fx, MARKET_TCS(2), oid[i]);
    usleep(150000);
  }
  ct_efx_admin(&fx, "/admin/ws/drop", "{\"everyMs\":0}");
  for (int i = 0; i < N_DROP; i++)
    for (int f = 0; f < 3; f++)
      expect_once(oid[i], acct[f], WAIT_MS);
  usleep(1000000); /* reconciliations go on: still nothing doubled */
  for (int f = 0; f < 3; f++)
    assert_int_equal(ct_efx_no_duplicates(&fx, acct[f]), before[f] + N_DROP);
}

static void test_breaker_isolated(void **state) {
  char oid[N_BAD][32], corr[CT_CORRID_SIZE];
  int before = ct_efx_no_duplicates(&fx, EFX_F4);
  (void)state;
  ct_efx_admin(&fx, "/admin/faults",
               "{\"route\":\"/v2/orders\",\"account\":\"" EFX_F4
               "\",\"errorRate\":1,\"errorKind\":\"500\"}");
  for (int i = 0; i < N_BAD; i++) {
    ct_efx_place(&fx, MARKET_TCS(1), oid[i]);
    usleep(100000);
  }
  /* The healthy followers are not held up. */
  for (int i = 0; i < N_BAD; i++) {
    expect_once(oid[i], EFX_F2, WAIT_MS);
    expect_once(oid[i], EFX_F3, WAIT_MS);
  }
  /* The failing one opens its breaker: its calls then fail fast. */
  for (int w = 0; w < 100 && atomic_load(&breaker_fast_fails) == 0; w++)
    usleep(100000);
  assert_true(atomic_load(&breaker_fast_fails) > 0);
  ct_efx_corr(oid[0], EFX_F4, -1, corr);
  assert_int_equal(ct_efx_count_corr(&fx, EFX_F4, corr), 0);
  ct_efx_admin(&fx, "/admin/faults", "{\"clear\":true}");
  /* The breaker closes after its cooldown; each order arrives once. */
  for (int i = 0; i < N_BAD; i++)
    expect_once(oid[i], EFX_F4, 20000);
  usleep(500000);
  assert_int_equal(ct_efx_no_duplicates(&fx, EFX_F4), before + N_BAD);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ws_drops),
    cmocka_unit_test(test_breaker_isolated),
  };
  ct_log_set_sink(sink, NULL);
  return cmocka_run_group_tests(tests, setup, ct_efx_cm_teardown);
}
