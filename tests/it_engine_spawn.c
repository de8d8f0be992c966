/*
 * Integration: the ordinary order a leader forever order places when it
 * fires (its spawn), against dhansim over real sockets and the engine's
 * real store. The follower's forever copy is the mirror of the fire:
 *   - the copy has not fired: it is deleted, then the spawn is copied as a
 *     plain order, once (recognised by the leader's correlation id, and by
 *     its fields when the forever order has none, an OCO's second leg's
 *     too);
 *   - the copy fired first: no plain copy, the spawn recorded as skipped
 *     FOREVER_COPY_FIRED, no last error (it is the expected mirror);
 *   - a follower that does not copy forever orders: FOREVER_NOT_COPIED;
 *   - a hand order like a live forever leg is copied as plain after the
 *     short bound, the copy left alone;
 *   - the leader's fires while the engine is down: after the restart the
 *     copy is deleted and the spawn placed once; a crash right after the
 *     copy's delete was stored: the spawn placed once, no second delete;
 *   - the spawn not recognised in time (the leader's list failing) is
 *     copied as plain; the copy had fired too: the follower's last error
 *     names the double execution.
 */
#include <string.h>

#include "copytrader/corrid.h"
#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000
#define F       "/forever/orders"

static const char *const FOLLOWERS =
    "  - name: dbl\n    client_id: \"" EFX_F2 "\"\n    token: tok" EFX_F2
    "\n    sizing: {mode: multiplier, value: 2}\n"
    "    copy_forever_orders: true\n"
    "  - name: off\n    client_id: \"" EFX_F4 "\"\n    token: tok" EFX_F4
    "\n    sizing: {mode: multiplier, value: 1}\n";

/* BUY TCS `q` LIMIT 3000 CNC (rests: the last price is 3120.50). */
#define LIMIT_TCS(q)                                                           \
  "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","                \
  "\"productType\":\"CNC\",\"orderType\":\"LIMIT\",\"validity\":\"DAY\","      \
  "\"securityId\":\"11536\",\"quantity\":" #q ",\"price\":3000"

static ct_efx_t fx;

static int setup(void **state) {
  return ct_efx_setup(state, &fx, NULL, FOLLOWERS);
}

static void trigger(const char *oid) {
  char body[96];
  snprintf(body, sizeof body, "{\"orderId\":\"%s\"}", oid);
  ct_efx_admin(&fx, "/admin/forever/trigger", body);
}

/* EFX_F2's copy of leader forever order `gtt`, waiting: its id in `copy`,
 * its correlation id in `corr`. */
static void copy_of(const char *gtt, char copy[32], char corr[CT_CORRID_SIZE]) {
  cJSON *o;
  ct_efx_corr_of(gtt, EFX_F2, CT_CORRID_FOREVER_LEG, 0, corr);
  o = ct_efx_wait(&fx, EFX_F2, corr, "CONFIRM", WAIT_MS);
  assert_non_null(o);
  snprintf(copy, 32, "%s", ct_jstr(o, "orderId"));
  cJSON_Delete(o);
}

/* Wait until EFX_F2's order `corr` has status `st`. */
static void wait_status(const char *corr, const char *st) {
  cJSON *o = ct_efx_wait(&fx, EFX_F2, corr, st, WAIT_MS);
  if (o == NULL)
    fail_msg("%s: order %s never %s", EFX_F2, corr, st);
  cJSON_Delete(o);
}

/* The leader's newest ordinary order (the one a trigger placed). */
static void newest_plain(char oid[32]) {
  cJSON *book = ct_efx_book(&fx, EFX_LEADER);
  const cJSON *it;
  oid[0] = '\0';
  cJSON_ArrayForEach(it, book) {
    if (cJSON_GetObjectItem(it, "orderFlag") == NULL)
      snprintf(oid, 32, "%s", ct_jstr(it, "orderId"));
  }
  cJSON_Delete(book);
  assert_true(oid[0] != '\0');
}

/* Follower `name`'s last error in `copytrader status` ("" if none). */
static void last_error(const char *name, char *buf, size_t cap) {
  static char out[1 << 16];
  const char *args[] = { "status", "--json", "--config", fx.cfg_path, NULL };
  const cJSON *it;
  cJSON *st;
  buf[0] = '\0';
  assert_int_equal(ct_efx_run_cli(args, out, sizeof out), 0);
  st = cJSON_Parse(out);
  assert_non_null(st);
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(st, "followers")) {
    if (strcmp(ct_jstr(it, "name"), name) == 0)
      snprintf(buf, cap, "%s", ct_jstr(it, "last_error"));
  }
  cJSON_Delete(st);
}

/* `acct` holds exactly one plain copy of leader order `oid`, of `qty`. */
static void one_copy(const char *acct, const char *oid, int qty) {
  char corr[CT_CORRID_SIZE];
  cJSON *o;
  ct_efx_corr(oid, acct, -1, corr);
  o = ct_efx_wait(&fx, acct, corr, NULL, WAIT_MS);
  assert_non_null(o);
  assert_int_equal((int)ct_jnum(o, "quantity"), qty);
  cJSON_Delete(o);
  ct_test_sleep_ms(1000); /* a few more polls and sweeps */
  assert_int_equal(ct_efx_count_corr(&fx, acct, corr), 1);
}

static void expect_decision(const char *oid, const char *follower,
                            ct_decision_kind_t kind, const char *reason) {
  ct_decision_t d;
  assert_int_equal(ct_efx_decision(&fx, oid, follower, &d), 0);
  assert_int_equal((int)d.kind, (int)kind);
  assert_string_equal(d.skip_reason, reason);
}

/* The leader's forever order (`fields`) fires; the follower's copy has
 * not: the copy is deleted, then the spawn copied once as a plain order;
 * the follower without forever copies skips it. */
static void copy_deleted(const char *fields, int leader_qty) {
  char gtt[32], copy[32], corr[CT_CORRID_SIZE], spawn[32], err[256];
  char tag[CT_DHAN_CODE_SIZE];
  ct_efx_place_at(&fx, F, fields, gtt);
  copy_of(gtt, copy, corr);
  trigger(gtt);
  newest_plain(spawn);
  wait_status(corr, "CANCELLED");
  one_copy(EFX_F2, spawn, 2 * leader_qty);
  last_error("dbl", err, sizeof err);
  assert_string_equal(err, "");
  ct_efx_stop(&fx);
  snprintf(tag, sizeof tag, "SPAWN_OF:%.20s", gtt);
  expect_decision(spawn, EFX_F2, CT_DECISION_SEND, tag);
  ct_efx_expect_skip(&fx, spawn, EFX_F4, "FOREVER_NOT_COPIED");
  ct_efx_start(&fx);
}

/* Recognised by the correlation id dhansim copies to the spawn. */
static void test_copy_deleted(void **state) {
  (void)state;
  copy_deleted(EFX_SINGLE_TCS(3) ",\"correlationId\":\"gtt-a\"", 3);
}

/* No correlation id: recognised by security, side, product, quantity. */
static void test_by_fields(void **state) {
  (void)state;
  copy_deleted(EFX_SINGLE_TCS(5), 5);
}

/* An OCO forever order without a correlation id fires its second leg
 * (SELL 2 of TCS at 2900): the order it places is recognised by that
 * leg's fields; the copy is deleted, the order copied once (4). */
static void test_oco_second_leg(void **state) {
  char gtt[32], copy[32], corr[CT_CORRID_SIZE], spawn[32], body[128];
  cJSON *o;
  (void)state;
  ct_efx_place_at(&fx, F,
                  "\"orderFlag\":\"OCO\",\"transactionType\":\"SELL\","
                  "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
                  "\"orderType\":\"LIMIT\",\"validity\":\"DAY\","
                  "\"securityId\":\"11536\",\"quantity\":3,\"price\":3300,"
                  "\"triggerPrice\":3290,\"price1\":2900,\"triggerPrice1\":"
                  "2910,\"quantity1\":2",
                  gtt);
  copy_of(gtt, copy, corr);
  snprintf(body, sizeof body,
           "{\"orderId\":\"%s\",\"legName\":\"STOP_LOSS_LEG\"}", gtt);
  ct_efx_admin(&fx, "/admin/forever/trigger", body);
  newest_plain(spawn);
  wait_status(corr, "CANCELLED");
  one_copy(EFX_F2, spawn, 4);
  ct_efx_corr(spawn, EFX_F2, -1, corr);
  o = ct_efx_wait(&fx, EFX_F2, corr, NULL, 0);
  assert_non_null(o);
  assert_string_equal(ct_jstr(o, "transactionType"), "SELL");
  cJSON_Delete(o);
}

/* The follower's copy fires first, then the leader's: the copy's order is
 * the follower's execution; the leader's spawn is not copied. */
static void test_copy_fired(void **state) {
  char gtt[32], copy[32], corr[CT_CORRID_SIZE], spawn[32], err[256];
  char plain[CT_CORRID_SIZE];
  ct_forder_t fo;
  (void)state;
  ct_efx_place_at(&fx, F, EFX_SINGLE_TCS(4) ",\"correlationId\":\"gtt-b\"",
                  gtt);
  copy_of(gtt, copy, corr);
  trigger(copy); /* the copy fires on its own */
  trigger(gtt);
  newest_plain(spawn);
  ct_efx_corr(spawn, EFX_F2, -1, plain);
  ct_test_sleep_ms(3000); /* delete refused, lookup, decision: ~4 polls */
  last_error("dbl", err, sizeof err);
  assert_string_equal(err, "");
  assert_int_equal(ct_efx_count_corr(&fx, EFX_F2, plain), 0);
  ct_efx_stop(&fx);
  expect_decision(spawn, EFX_F2, CT_DECISION_SKIP, "FOREVER_COPY_FIRED");
  assert_int_equal(ct_efx_forder(&fx, EFX_F2 "#F", corr, &fo), 0);
  assert_int_equal((int)fo.phase, (int)CT_FPHASE_DONE);
  assert_int_equal((int)fo.status, (int)CT_DHAN_STATUS_TRIGGERED);
  assert_string_equal(fo.order_id, copy);
  ct_efx_expect_skip(&fx, spawn, EFX_F4, "FOREVER_NOT_COPIED");
  ct_efx_start(&fx);
}

/* A hand order identical to a live forever leg (which does not fire) is
 * copied as plain after the short bound; the copy stays. */
static void test_hand_order(void **state) {
  char gtt[32], copy[32], corr[CT_CORRID_SIZE], hand[32];
  cJSON *o;
  (void)state;
  ct_efx_place_at(&fx, F, EFX_SINGLE_TCS(7) ",\"correlationId\":\"gtt-d\"",
                  gtt);
  copy_of(gtt, copy, corr);
  ct_efx_place(&fx, LIMIT_TCS(7), hand);
  one_copy(EFX_F2, hand, 14);
  one_copy(EFX_F4, hand, 7);
  o = ct_efx_wait(&fx, EFX_F2, corr, "CONFIRM", 0);
  assert_non_null(o); /* untouched */
  assert_string_equal(ct_jstr(o, "orderId"), copy);
  cJSON_Delete(o);
}

/* The leader's forever order fires while the engine is down: at the
 * restart the copy is deleted first and the spawn placed once. */
static void test_restart(void **state) {
  char gtt[32], copy[32], corr[CT_CORRID_SIZE], spawn[32];
  (void)state;
  ct_efx_place_at(&fx, F, EFX_SINGLE_TCS(6) ",\"correlationId\":\"gtt-f\"",
                  gtt);
  copy_of(gtt, copy, corr);
  ct_test_sleep_ms(600); /* the create answer stored */
  ct_efx_stop(&fx);
  trigger(gtt);
  newest_plain(spawn);
  ct_efx_start(&fx);
  wait_status(corr, "CANCELLED");
  one_copy(EFX_F2, spawn, 12);
  ct_efx_stop(&fx);
  ct_efx_expect_skip(&fx, spawn, EFX_F4, "FOREVER_NOT_COPIED");
  ct_efx_start(&fx);
}

/* A crash right after the copy's delete was stored, before the fired
 * order was decided: the copy is cancelled on dhansim and its record says
 * so, the leader's fired while the engine was down. At the restart the
 * fired order is copied once, and no delete is sent again. */
static void test_crash_after_delete(void **state) {
  char gtt[32], copy[32], corr[CT_CORRID_SIZE], spawn[32], path[96];
  int deletes;
  (void)state;
  ct_efx_place_at(&fx, F, EFX_SINGLE_TCS(2) ",\"correlationId\":\"gtt-c\"",
                  gtt);
  copy_of(gtt, copy, corr);
  ct_test_sleep_ms(600); /* the create answer stored */
  ct_efx_stop(&fx);
  snprintf(path, sizeof path, "/forever/orders/%s", copy);
  cJSON_Delete(ct_http_want(fx.api, "DELETE", path, "tok" EFX_F2, NULL, 200));
  ct_efx_forder_set(&fx, EFX_F2 "#F", corr, CT_FPHASE_DONE,
                    CT_DHAN_STATUS_CANCELLED);
  trigger(gtt);
  newest_plain(spawn);
  snprintf(path, sizeof path, "/v2/forever/orders/%s", copy);
  deletes = ct_efx_count_req(&fx, EFX_F2, "DELETE", path);
  assert_int_equal(deletes, 1); /* the hand's, above */
  ct_efx_start(&fx);
  one_copy(EFX_F2, spawn, 4);
  assert_int_equal(ct_efx_count_req(&fx, EFX_F2, "DELETE", path), deletes);
}

/* The leader's list fails, so its fired order is not recognised within
 * the bound and is copied as plain (warned); the copy had fired on its
 * own: two executions, said in the follower's last error. */
static void test_double_reported(void **state) {
  char gtt[32], copy[32], corr[CT_CORRID_SIZE], spawn[32], err[256];
  char want[96];
  int waited = 0;
  (void)state;
  ct_efx_place_at(&fx, F, EFX_SINGLE_TCS(8) ",\"correlationId\":\"gtt-g\"",
                  gtt);
  copy_of(gtt, copy, corr);
  ct_efx_admin(&fx, "/admin/faults",
               "{\"route\":\"/v2/forever/orders\",\"account\":\"" EFX_LEADER
               "\",\"errorRate\":1,\"errorKind\":\"500\"}");
  trigger(copy);
  trigger(gtt);
  newest_plain(spawn);
  one_copy(EFX_F2, spawn, 16); /* after BOUND_STRONG failed polls */
  ct_efx_admin(&fx, "/admin/faults", "{\"clear\":true}");
  snprintf(want, sizeof want, "forever copy of %s fired as well", gtt);
  do {
    ct_test_sleep_ms(200);
    last_error("dbl", err, sizeof err);
  } while (strstr(err, want) == NULL && (waited += 200) < WAIT_MS);
  if (strstr(err, want) == NULL)
    fail_msg("follower dbl: last error \"%s\", not \"%s\"", err, want);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_copy_deleted),
    cmocka_unit_test(test_by_fields),
    cmocka_unit_test(test_oco_second_leg),
    cmocka_unit_test(test_copy_fired),
    cmocka_unit_test(test_hand_order),
    cmocka_unit_test(test_restart),
    cmocka_unit_test(test_crash_after_delete),
    cmocka_unit_test(test_double_reported),
  };
  return cmocka_run_group_tests(tests, setup, ct_efx_cm_teardown);
}
