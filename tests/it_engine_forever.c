/*
 * Integration: crash safety of forever (GTT) copies against Dhan's
 * documented forever-order list (dhansim --forever-list-documented: no
 * correlationId), over real sockets and the engine's real LMDB store. A copy
 * whose create answer was never stored (record put back to INTENT, as a crash
 * after the send leaves it) is looked up by its attributes. Adopted: the copy
 * still waiting; the copy that fired while the engine was down (recorded as
 * done: not created a second time, not touched). Not adopted (the copy is
 * created again): orders of the same security with another quantity, price or
 * side placed by hand, one another record of ours holds, and an identical
 * order made by hand before the engine's intent (dhansim backdates its
 * createTime). And the leader's forever order firing when its order carries
 * GoodTillDaysDate and no correlationId (dhansim --forever-spawn-gtt): the
 * copy deleted, the order copied once as plain.
 */
#include <string.h>
#include <time.h>

#include "copytrader/corrid.h"
#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000

static const char *const FOLLOWERS =
    "  - name: dbl\n    client_id: \"" EFX_F2 "\"\n    token: tok" EFX_F2
    "\n    sizing: {mode: multiplier, value: 2}\n"
    "    copy_forever_orders: true\n";
static const char *const DOCUMENTED[] = { "--forever-list-documented",
                                          "--forever-spawn-gtt", NULL };


static ct_efx_t fx;

static int setup(void **state) {
  return ct_efx_setup(state, &fx, DOCUMENTED, FOLLOWERS);
}

/* `acct`'s forever orders with correlation id `corr` on the admin plane
 * (which lists it under --forever-list-documented too): how many, and the
 * last one's order id in oid. */
static int forever_of(const char *acct, const char *corr, char oid[32]) {
  cJSON *book = ct_efx_book(&fx, acct);
  const cJSON *it;
  int n = 0;
  oid[0] = '\0';
  cJSON_ArrayForEach(it, book) {
    if (cJSON_GetObjectItem(it, "orderFlag") == NULL ||
        strcmp(ct_jstr(it, "correlationId"), corr) != 0)
      continue;
    n++;
    snprintf(oid, 32, "%s", ct_jstr(it, "orderId"));
  }
  cJSON_Delete(book);
  return n;
}

/* The status of `acct`'s order `oid` on the admin plane ("" if absent). */
static void status_of(const char *acct, const char *oid, char st[24]) {
  cJSON *book = ct_efx_book(&fx, acct);
  const cJSON *it;
  st[0] = '\0';
  cJSON_ArrayForEach(it, book) {
    if (strcmp(ct_jstr(it, "orderId"), oid) == 0)
      snprintf(st, 24, "%s", ct_jstr(it, "orderStatus"));
  }
  cJSON_Delete(book);
}

/* The leader places EFX_SINGLE_TCS(1); once EFX_F2's copy is on dhansim and
 * acknowledged, the engine stops and the copy's record is put back to
 * INTENT with no order id. The copy's id in oid, its corr in g2. */
static void copy_then_crash(char oid[32], char g2[CT_CORRID_SIZE]) {
  char gtt[32];
  cJSON *o;
  ct_efx_place_at(&fx, "/forever/orders", EFX_SINGLE_TCS(1), gtt);
  ct_efx_corr_of(gtt, EFX_F2, CT_CORRID_FOREVER_LEG, 0, g2);
  o = ct_efx_wait(&fx, EFX_F2, g2, "CONFIRM", WAIT_MS);
  assert_non_null(o);
  snprintf(oid, 32, "%s", ct_jstr(o, "orderId"));
  cJSON_Delete(o);
  ct_test_sleep_ms(1000); /* the answer stored */
  ct_efx_stop(&fx);
  ct_efx_forder_unanswered(&fx, EFX_F2 "#F", g2);
}

/* Dhan's documented list has no correlationId: the lookup finds the copy
 * by security, quantity, type, price and trigger, and adopts it. */
static void test_adopts(void **state) {
  char copy[32], oid[32], g2[CT_CORRID_SIZE];
  ct_forder_t fo;
  (void)state;
  copy_then_crash(copy, g2);
  ct_efx_start(&fx);
  ct_test_sleep_ms(2000); /* several polls: lookups, never a second send */
  ct_efx_stop(&fx);
  assert_int_equal(forever_of(EFX_F2, g2, oid), 1);
  assert_string_equal(oid, copy);
  assert_int_equal(ct_efx_forder(&fx, EFX_F2 "#F", g2, &fo), 0);
  assert_int_equal((int)fo.phase, (int)CT_FPHASE_ACKED);
  assert_string_equal(fo.order_id, copy);
  assert_true(fo.intent_at_ms > 0);
  ct_efx_start(&fx);
}

/* A forever order placed by hand on the follower: SINGLE `side` LIMIT TCS,
 * `qty` at `px` triggered at `tr`; its id in oid. */
static void by_hand(const char *tok, const char *side, int qty, double px,
                    double tr, char oid[32]) {
  char body[512];
  cJSON *j;
  snprintf(body, sizeof body,
           "{\"dhanClientId\":\"" EFX_F2
           "\",\"orderFlag\":\"SINGLE\",\"transactionType\":\"%s\","
           "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
           "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":"
           "\"11536\",\"quantity\":%d,\"price\":%g,\"triggerPrice\":%g}",
           side, qty, px, tr);
  j = ct_http_want(fx.api, "POST", "/forever/orders", tok, body, 200);
  snprintf(oid, 32, "%s", ct_jstr(j, "orderId"));
  cJSON_Delete(j);
}

/* The lost copy is cancelled by hand; after the lookups the engine creates
 * it again: the new copy's id in again, after checking it is not `lost`,
 * that `lost` and `again` are the only orders with corr g2, and that the
 * record holds `again`. */
static void created_again(const char *lost, const char *g2, char again[32]) {
  char path[96];
  ct_forder_t fo;
  cJSON *j;
  ct_efx_start(&fx);
  j = ct_efx_wait(&fx, EFX_F2, g2, "CONFIRM", WAIT_MS);
  assert_non_null(j);
  snprintf(again, 32, "%s", ct_jstr(j, "orderId"));
  cJSON_Delete(j);
  ct_test_sleep_ms(1000);
  ct_efx_stop(&fx);
  assert_string_not_equal(again, lost);
  assert_int_equal(forever_of(EFX_F2, g2, path), 2); /* lost, again */
  assert_int_equal(ct_efx_forder(&fx, EFX_F2 "#F", g2, &fo), 0);
  assert_int_equal((int)fo.phase, (int)CT_FPHASE_ACKED);
  assert_string_equal(fo.order_id, again);
}

static void cancel_by_hand(const char *tok, const char *oid) {
  char path[96];
  snprintf(path, sizeof path, "/forever/orders/%s", oid);
  cJSON_Delete(ct_http_want(fx.api, "DELETE", path, tok, NULL, 200));
}

/* Forever orders of the same security on the follower, one with another
 * quantity, one with another price and trigger, one on the other side
 * (placed by hand), and the previous test's copy (same attributes, held by
 * its own record), are not adopted: after the lookups the copy is created
 * again. */
static void test_no_adopt(void **state) {
  char lost[32], hand[3][32], again[32], g2[CT_CORRID_SIZE], oid[32];
  const char *tok = "tok" EFX_F2;
  (void)state;
  copy_then_crash(lost, g2);
  cancel_by_hand(tok, lost);
  by_hand(tok, "BUY", 3, 3000, 3001, hand[0]); /* the copy: 2 @ 3000/3001 */
  by_hand(tok, "BUY", 2, 2950, 2951, hand[1]);
  by_hand(tok, "SELL", 2, 3000, 3001, hand[2]);
  created_again(lost, g2, again);
  assert_int_equal(forever_of(EFX_F2, "", oid), 3); /* the hand orders */
  assert_string_equal(oid, hand[2]);
  for (int i = 0; i < 3; i++)
    assert_string_not_equal(again, hand[i]);
  ct_efx_start(&fx);
}

/* The copy fires on Dhan while the engine is down, before its create
 * answer was stored: the lookup finds it TRIGGERED, adopts it and records
 * it as done. It is not created a second time (with real money, that
 * would be a second order), and the record is not sent anything again. */
static void test_fired_adopted(void **state) {
  char copy[32], oid[32], g2[CT_CORRID_SIZE], body[96], st[24];
  ct_forder_t fo;
  (void)state;
  copy_then_crash(copy, g2);
  snprintf(body, sizeof body, "{\"orderId\":\"%s\"}", copy);
  ct_efx_admin(&fx, "/admin/forever/trigger", body);
  ct_efx_start(&fx);
  ct_test_sleep_ms(2000); /* several polls: lookups, never a second send */
  ct_efx_stop(&fx);
  assert_int_equal(forever_of(EFX_F2, g2, oid), 1);
  assert_string_equal(oid, copy);
  status_of(EFX_F2, copy, st);
  assert_string_equal(st, "TRIGGERED");
  assert_int_equal(ct_efx_forder(&fx, EFX_F2 "#F", g2, &fo), 0);
  assert_int_equal((int)fo.phase, (int)CT_FPHASE_DONE);
  assert_int_equal((int)fo.status, (int)CT_DHAN_STATUS_TRIGGERED);
  assert_string_equal(fo.order_id, copy);
  ct_efx_start(&fx);
}

/* An order identical to the copy, made by hand an hour before the
 * engine's intent (its createTime moved back by dhansim), is not the
 * copy: it is left alone and the copy is created again. */
static void test_older_not_adopted(void **state) {
  char lost[32], hand[32], again[32], g2[CT_CORRID_SIZE], body[96], st[24];
  const char *tok = "tok" EFX_F2;
  (void)state;
  copy_then_crash(lost, g2);
  cancel_by_hand(tok, lost);
  by_hand(tok, "BUY", 2, 3000, 3001, hand); /* the copy's attributes */
  snprintf(body, sizeof body, "{\"orderId\":\"%s\",\"seconds\":3600}", hand);
  ct_efx_admin(&fx, "/admin/backdate", body);
  created_again(lost, g2, again);
  assert_string_not_equal(again, hand);
  status_of(EFX_F2, hand, st);
  assert_string_equal(st, "CONFIRM"); /* untouched */
  ct_efx_start(&fx);
}

/* The leader's forever order fires; the order it places carries
 * GoodTillDaysDate and no correlationId (dhansim --forever-spawn-gtt), and
 * the list none either: recognised by the date and the fields, the copy
 * is deleted, then that order copied once as a plain order. */
static void test_spawn_gtt(void **state) {
  char gtt[32], corr[CT_CORRID_SIZE], spawn[32], plain[CT_CORRID_SIZE];
  char body[96], tag[CT_DHAN_CODE_SIZE];
  const cJSON *it;
  cJSON *book, *o;
  ct_decision_t d;
  (void)state;
  ct_efx_place_at(&fx, "/forever/orders", EFX_SINGLE_TCS(9), gtt);
  ct_efx_corr_of(gtt, EFX_F2, CT_CORRID_FOREVER_LEG, 0, corr);
  o = ct_efx_wait(&fx, EFX_F2, corr, "CONFIRM", WAIT_MS);
  assert_non_null(o);
  cJSON_Delete(o);
  snprintf(body, sizeof body, "{\"orderId\":\"%s\"}", gtt);
  ct_efx_admin(&fx, "/admin/forever/trigger", body);
  book = ct_efx_book(&fx, EFX_LEADER);
  spawn[0] = '\0';
  cJSON_ArrayForEach(it, book) {
    if (cJSON_GetObjectItem(it, "orderFlag") == NULL)
      snprintf(spawn, sizeof spawn, "%s", ct_jstr(it, "orderId"));
  }
  cJSON_Delete(book);
  assert_true(spawn[0] != '\0');
  o = ct_efx_wait(&fx, EFX_F2, corr, "CANCELLED", WAIT_MS);
  assert_non_null(o);
  cJSON_Delete(o);
  ct_efx_corr(spawn, EFX_F2, -1, plain);
  o = ct_efx_wait(&fx, EFX_F2, plain, NULL, WAIT_MS);
  assert_non_null(o);
  assert_int_equal((int)ct_jnum(o, "quantity"), 18);
  cJSON_Delete(o);
  ct_test_sleep_ms(1000);
  assert_int_equal(ct_efx_count_corr(&fx, EFX_F2, plain), 1);
  ct_efx_stop(&fx);
  assert_int_equal(ct_efx_decision(&fx, spawn, EFX_F2, &d), 0);
  assert_int_equal((int)d.kind, (int)CT_DECISION_SEND);
  snprintf(tag, sizeof tag, "SPAWN_OF:%.20s", gtt);
  assert_string_equal(d.skip_reason, tag);
  ct_efx_start(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_adopts),
    cmocka_unit_test(test_no_adopt),
    cmocka_unit_test(test_fired_adopted),
    cmocka_unit_test(test_older_not_adopted),
    cmocka_unit_test(test_spawn_gtt),
  };
  return cmocka_run_group_tests(tests, setup, ct_efx_cm_teardown);
}
