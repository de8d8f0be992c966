/*
 * Integration: a follower behind the leader goes straight to the leader
 * order's latest state (level-triggered) and says so in its metrics. One
 * follower whose order requests dhansim answers 1.2 s late: while its
 * place is in flight the leader modifies twice (the follower then sends
 * ONE modify, to the latest price and quantity: one `coalesced` line, by
 * "modify"), or modifies twice and cancels (the follower sends no modify
 * and cancels: two `coalesced` lines, by "cancel"). The final follower
 * orders are checked on dhansim, and every modify and cancel has its
 * `sent` and `ack` line.
 */
#include <string.h>
#include <unistd.h>

#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000

static const char *const FOLLOWERS =
    "  - name: slow\n    client_id: \"" EFX_F2 "\"\n    token: tok" EFX_F2
    "\n    sizing: {mode: multiplier, value: 1}\n";

static const char *const LIMIT =
    "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
    "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\","
    "\"validity\":\"DAY\",\"securityId\":\"11536\",\"quantity\":5,"
    "\"price\":3000";

static ct_efx_t fx;
static char corr_mod[CT_CORRID_SIZE], corr_cancel[CT_CORRID_SIZE];

static int setup(void **state) {
  int rc = ct_efx_setup(state, &fx, NULL, FOLLOWERS);
  ct_efx_admin(&fx, "/admin/faults",
               "{\"route\":\"/v2/orders\",\"latencyMs\":1200,"
               "\"account\":\"" EFX_F2 "\"}");
  return rc;
}

/* The leader modifies price, then quantity, while the follower's place is
 * in flight. */
static void modify_twice(const char *oid) {
  ct_efx_modify(&fx, oid,
                "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"quantity\":5,"
                "\"price\":3005");
  ct_efx_modify(&fx, oid,
                "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"quantity\":7,"
                "\"price\":3005");
}

static void test_modify_to_latest(void **state) {
  char oid[32];
  cJSON *o = NULL;
  (void)state;
  ct_efx_place(&fx, LIMIT, oid);
  ct_efx_corr(oid, EFX_F2, -1, corr_mod);
  modify_twice(oid);
  for (int w = 0; w < WAIT_MS; w += 100) {
    cJSON_Delete(o);
    o = ct_efx_wait(&fx, EFX_F2, corr_mod, NULL, WAIT_MS);
    assert_non_null(o);
    if (ct_jnum(o, "quantity") == 7)
      break;
    usleep(100000);
  }
  assert_int_equal((int)ct_jnum(o, "quantity"), 7);
  assert_int_equal((int)(ct_jnum(o, "price") * 100), 300500);
  cJSON_Delete(o);
  ct_efx_cancel(&fx, oid);
  o = ct_efx_wait(&fx, EFX_F2, corr_mod, "CANCELLED", WAIT_MS);
  assert_non_null(o);
  cJSON_Delete(o);
}

static void test_cancel_supersedes(void **state) {
  char oid[32];
  cJSON *o;
  (void)state;
  ct_efx_place(&fx, LIMIT, oid);
  ct_efx_corr(oid, EFX_F2, -1, corr_cancel);
  modify_twice(oid);
  ct_efx_cancel(&fx, oid);
  o = ct_efx_wait(&fx, EFX_F2, corr_cancel, "CANCELLED", WAIT_MS);
  assert_non_null(o);
  assert_int_equal((int)ct_jnum(o, "quantity"), 5); /* never modified */
  cJSON_Delete(o);
}

typedef struct tally {
  int coalesced, by_modify, by_cancel;
  int sent[3], ack[3]; /* place, modify, cancel */
} tally_t;

static int op_index(const char *op) {
  return strcmp(op, "modify") == 0 ? 1 : strcmp(op, "cancel") == 0 ? 2 : 0;
}

static void count_line(const cJSON *j, const char *corr, tally_t *t) {
  const char *ev = ct_jstr(j, "ev");
  if (strcmp(ct_jstr(j, "corr"), corr) != 0)
    return;
  if (strcmp(ev, "coalesced") == 0) {
    t->coalesced++;
    t->by_modify += strcmp(ct_jstr(j, "by"), "modify") == 0;
    t->by_cancel += strcmp(ct_jstr(j, "by"), "cancel") == 0;
  } else if (strcmp(ev, "sent") == 0) {
    t->sent[op_index(ct_jstr(j, "op"))]++;
  } else if (strcmp(ev, "ack") == 0) {
    t->ack[op_index(ct_jstr(j, "op"))]++;
  }
}

static tally_t tally(const char *corr) {
  tally_t t = { 0 };
  char line[512];
  FILE *f = fopen(fx.metrics, "r");
  assert_non_null(f);
  while (fgets(line, sizeof line, f)) {
    cJSON *j = cJSON_Parse(line);
    assert_non_null(j);
    count_line(j, corr, &t);
    cJSON_Delete(j);
  }
  fclose(f);
  return t;
}

/* Once the last answer (the cancel's, 1.2 s late) is in, and after the
 * engine stopped (its metrics flushed). */
static void test_metrics(void **state) {
  tally_t m, c;
  (void)state;
  for (int w = 0; w < WAIT_MS && tally(corr_cancel).ack[2] == 0; w += 100)
    usleep(100000);
  ct_efx_stop(&fx);
  m = tally(corr_mod);
  assert_int_equal(m.coalesced, 1);
  assert_int_equal(m.by_modify, 1);
  assert_int_equal(m.sent[0], 1);
  assert_int_equal(m.sent[1], 1); /* one modify for two leader changes */
  assert_int_equal(m.sent[2], 1);
  assert_int_equal(m.ack[1], 1);
  assert_int_equal(m.ack[2], 1);
  c = tally(corr_cancel);
  assert_int_equal(c.coalesced, 2);
  assert_int_equal(c.by_cancel, 2);
  assert_int_equal(c.sent[1], 0);
  assert_int_equal(c.sent[2], 1);
  assert_int_equal(c.ack[2], 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_modify_to_latest),
    cmocka_unit_test(test_cancel_supersedes),
    cmocka_unit_test(test_metrics),
  };
  return cmocka_run_group_tests(tests, setup, ct_efx_cm_teardown);
}
