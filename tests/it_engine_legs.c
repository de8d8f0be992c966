/*
 * Integration: what the legs actor copies, against dhansim over real
 * sockets. Followers: 2x multiplier, capital-proportional (10M over 10M:
 * 1x), and one with copy_super_orders false. Super orders: the copy
 * (placed by the follower actor, sized, with the leader's target and
 * stop loss) keeps its exit legs in step with the leader's after the entry
 * traded: target moved, stop loss and trailing jump moved, target leg
 * cancelled, then the entry cancelled (its live stop-loss leg with it); a
 * follower with copy_super_orders false gets none (a recorded skip). Forever
 * orders: SINGLE and OCO created sized, modified (first and second leg) and
 * deleted as on the leader; a follower without copy_forever_orders gets a
 * recorded skip. (When the leader's fires: it_engine_spawn.c.) Restart: a super
 * and a forever order created while the engine is down are copied once when it
 * comes back, and a forever record put back to INTENT with no order id (a crash
 * after the send, before the answer was stored) is resolved by lookup, not sent
 * twice. Baseline: a forever order that existed before the engine first ran is
 * not copied. The lookup against Dhan's documented list (no correlationId) is
 * tested in it_engine_forever.c.
 */
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "copytrader/corrid.h"
#include "copytrader/error.h"
#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000

static const char *const FOLLOWERS =
    "  - name: dbl\n    client_id: \"" EFX_F2 "\"\n    token: tok" EFX_F2
    "\n    sizing: {mode: multiplier, value: 2}\n"
    "    copy_forever_orders: true\n"
    "  - name: one\n    client_id: \"" EFX_F3 "\"\n    token: tok" EFX_F3
    "\n    sizing: {mode: capital_proportional, value: 1}\n" /* 10M/10M */
    "    copy_forever_orders: true\n"
    "  - name: nosup\n    client_id: \"" EFX_F4 "\"\n    token: tok" EFX_F4
    "\n    sizing: {mode: multiplier, value: 1}\n"
    "    copy_super_orders: false\n";

/* Rests: TCS's last price is 3120.50. */
#define SUPER_TCS(q)                                                           \
  "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","                \
  "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\",\"securityId\":"       \
  "\"11536\",\"quantity\":" #q                                                 \
  ",\"price\":3000,\"targetPrice\":3100,"                                      \
  "\"stopLossPrice\":2900,\"trailingJump\":0"
#define OCO_TCS(q)                                                             \
  "\"orderFlag\":\"OCO\",\"transactionType\":\"SELL\",\"exchangeSegment\":"    \
  "\"NSE_EQ\",\"productType\":\"CNC\",\"orderType\":\"LIMIT\",\"validity\":"   \
  "\"DAY\",\"securityId\":\"11536\",\"quantity\":" #q                          \
  ",\"price\":3300,"                                                           \
  "\"triggerPrice\":3290,\"price1\":2900,\"triggerPrice1\":2910,"              \
  "\"quantity1\":" #q

static ct_efx_t fx;

static int setup(void **state) {
  return ct_efx_setup(state, &fx, NULL, FOLLOWERS);
}

/* The leader calls `method path` with `body` (dhanClientId added). */
static void leader(const char *method, const char *path, const char *fields,
                   long want) {
  char body[1024];
  ct_http_resp_t r;
  snprintf(body, sizeof body, "{\"dhanClientId\":\"%s\"%s%s}", EFX_LEADER,
           fields ? "," : "", fields ? fields : "");
  assert_int_equal(ct_http(fx.api, method, path, "tok" EFX_LEADER,
                           fields ? body : NULL, NULL, &r),
                   0);
  if (r.status != want)
    fail_msg("%s %s: HTTP %ld, body %s", method, path, r.status, r.body);
  ct_http_resp_free(&r);
}

/* `acct`'s records of `route` ("/super/orders", "/forever/orders") with
 * correlation id `corr`: how many, and a copy of the last in *out. */
static int records(const char *acct, const char *route, const char *corr,
                   cJSON **out) {
  char tok[32];
  ct_http_resp_t r;
  const cJSON *it;
  int n = 0;
  snprintf(tok, sizeof tok, "tok%s", acct);
  *out = NULL;
  assert_int_equal(ct_http(fx.api, "GET", route, tok, NULL, NULL, &r), 0);
  assert_int_equal((int)r.status, 200);
  cJSON_ArrayForEach(it, r.json) {
    if (strcmp(ct_jstr(it, "correlationId"), corr) != 0)
      continue;
    n++;
    cJSON_Delete(*out);
    *out = cJSON_Duplicate(it, 1);
  }
  ct_http_resp_free(&r);
  return n;
}

static double leg_num(const cJSON *so, const char *leg, const char *key) {
  const cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(so, "legDetails")) {
    if (strcmp(ct_jstr(it, "legName"), leg) == 0)
      return ct_jnum(it, key);
  }
  return -1;
}

static const char *leg_status(const cJSON *so, const char *leg) {
  const cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(so, "legDetails")) {
    if (strcmp(ct_jstr(it, "legName"), leg) == 0)
      return ct_jstr(it, "orderStatus");
  }
  return "";
}

/* Wait until `acct` has exactly one record `corr` on `route` whose `what`
 * equals `v`: "qty", "price", "price1", "quantity1", "target", "sl",
 * "trail", "status:<S>", "target:<S>" (leg status). */
static void expect(const char *acct, const char *route, const char *corr,
                   const char *what, double v) {
  int waited = 0, n = 0;
  cJSON *o = NULL;
  bool ok = false;
  for (; !ok && waited < WAIT_MS; waited += 50) {
    cJSON_Delete(o);
    n = records(acct, route, corr, &o);
    if (n > 1)
      fail_msg("%s: %d records with corr %s on %s", acct, n, corr, route);
    if (o == NULL) {
      ct_test_sleep_ms(50);
      continue;
    }
    if (strcmp(what, "qty") == 0)
      ok = fabs(ct_jnum(o, "quantity") - v) < 1e-6;
    else if (strcmp(what, "price") == 0)
      ok = fabs(ct_jnum(o, "price") - v) < 1e-6;
    else if (strcmp(what, "price1") == 0)
      ok = fabs(ct_jnum(o, "price1") - v) < 1e-6;
    else if (strcmp(what, "quantity1") == 0)
      ok = fabs(ct_jnum(o, "quantity1") - v) < 1e-6;
    else if (strcmp(what, "target") == 0)
      ok = fabs(leg_num(o, "TARGET_LEG", "price") - v) < 1e-6;
    else if (strcmp(what, "sl") == 0)
      ok = fabs(leg_num(o, "STOP_LOSS_LEG", "price") - v) < 1e-6;
    else if (strcmp(what, "trail") == 0)
      ok = fabs(leg_num(o, "STOP_LOSS_LEG", "trailingJump") - v) < 1e-6;
    else if (strncmp(what, "status:", 7) == 0)
      ok = strcmp(ct_jstr(o, "orderStatus"), what + 7) == 0;
    else if (strncmp(what, "target:", 7) == 0)
      ok = strcmp(leg_status(o, "TARGET_LEG"), what + 7) == 0;
    else if (strncmp(what, "sl:", 3) == 0)
      ok = strcmp(leg_status(o, "STOP_LOSS_LEG"), what + 3) == 0;
    if (!ok)
      ct_test_sleep_ms(50);
  }
  if (!ok)
    fail_msg("%s: corr %s on %s: %s != %g (record: %s)", acct, corr, route,
             what, v, o ? cJSON_PrintUnformatted(o) : "none");
  cJSON_Delete(o);
}

static int count(const char *acct, const char *route, const char *corr) {
  cJSON *o;
  int n = records(acct, route, corr, &o);
  cJSON_Delete(o);
  return n;
}

static void expect_skip(const char *oid, const char *pseudo,
                        const char *reason) {
  ct_decision_t d;
  assert_int_equal(ct_efx_decision(&fx, oid, pseudo, &d), 0);
  assert_int_equal((int)d.kind, (int)CT_DECISION_SKIP);
  assert_string_equal(d.skip_reason, reason);
}

static void super_put(const char *oid, const char *fields) {
  char path[96], body[512];
  snprintf(path, sizeof path, "/super/orders/%s", oid);
  snprintf(body, sizeof body, "\"orderId\":\"%s\",%s", oid, fields);
  leader("PUT", path, body, 200);
}

static void ltp(double px) {
  char body[128];
  snprintf(body, sizeof body,
           "{\"exchangeSegment\":\"NSE_EQ\",\"securityId\":\"11536\","
           "\"lastPrice\":%g}",
           px);
  ct_efx_admin(&fx, "/admin/ltp", body);
}

/* The copy is placed by the follower actor; its exit legs are kept in
 * step by the legs actor: modified after the entry traded, cancelled. */
static void test_super(void **state) {
  char oid[32], path[96], c2[CT_CORRID_SIZE], c3[CT_CORRID_SIZE];
  char c4[CT_CORRID_SIZE];
  const char *S = "/super/orders";
  (void)state;
  ct_efx_place_at(&fx, S, SUPER_TCS(5), oid);
  ct_efx_corr_of(oid, EFX_F2, CT_CORRID_SUPER_LEG, 1, c2);
  ct_efx_corr_of(oid, EFX_F3, CT_CORRID_SUPER_LEG, 1, c3);
  ct_efx_corr_of(oid, EFX_F4, CT_CORRID_SUPER_LEG, 1, c4);
  expect(EFX_F2, S, c2, "qty", 10);
  expect(EFX_F2, S, c2, "target", 3100);
  expect(EFX_F2, S, c2, "sl", 2900);
  expect(EFX_F3, S, c3, "qty", 5);

  ltp(2990); /* every entry (BUY LIMIT 3000) trades: the legs go live */
  expect(EFX_F2, S, c2, "status:TRADED", 0);
  expect(EFX_F3, S, c3, "status:TRADED", 0);
  super_put(oid, "\"legName\":\"TARGET_LEG\",\"targetPrice\":3150");
  expect(EFX_F2, S, c2, "target", 3150);
  expect(EFX_F3, S, c3, "target", 3150);
  super_put(oid,
            "\"legName\":\"STOP_LOSS_LEG\",\"stopLossPrice\":2850,"
            "\"trailingJump\":5");
  expect(EFX_F2, S, c2, "sl", 2850);
  expect(EFX_F2, S, c2, "trail", 5);
  expect(EFX_F3, S, c3, "sl", 2850);
  expect(EFX_F2, S, c2, "target", 3150); /* untouched by the SL change */

  snprintf(path, sizeof path, "/super/orders/%s/TARGET_LEG", oid);
  leader("DELETE", path, NULL, 202);
  expect(EFX_F2, S, c2, "target:CANCELLED", 0);
  expect(EFX_F3, S, c3, "target:CANCELLED", 0);
  expect(EFX_F2, S, c2, "sl:PENDING", 0); /* the stop loss stays */

  snprintf(path, sizeof path, "/super/orders/%s/ENTRY_LEG", oid);
  leader("DELETE", path, NULL, 202); /* the stop loss goes too */
  expect(EFX_F2, S, c2, "sl:CANCELLED", 0);
  expect(EFX_F3, S, c3, "sl:CANCELLED", 0);
  ct_test_sleep_ms(600); /* a few more polls: nothing more may happen */
  assert_int_equal(count(EFX_F4, S, c4), 0);
  assert_int_equal(count(EFX_F2, S, c2), 1); /* (its legs share the id) */
  assert_int_equal(count(EFX_F3, S, c3), 1);
  ltp(3120.5);
  ct_efx_stop(&fx);
  expect_skip(oid, EFX_F4, "SUPER_NOT_COPIED"); /* the follower actor's */
  ct_efx_start(&fx);
}

static void forever_put(const char *oid, const char *flag, const char *leg,
                        int qty, double px, double tr) {
  char path[96], body[512];
  snprintf(path, sizeof path, "/forever/orders/%s", oid);
  snprintf(body, sizeof body,
           "\"orderId\":\"%s\",\"orderFlag\":\"%s\",\"orderType\":\"LIMIT\","
           "\"legName\":\"%s\",\"quantity\":%d,\"price\":%g,\"triggerPrice\":"
           "%g,\"validity\":\"DAY\"",
           oid, flag, leg, qty, px, tr);
  leader("PUT", path, body, 200);
}

static void test_forever(void **state) {
  char one[32], oco[32], path[96];
  char s2[CT_CORRID_SIZE], s3[CT_CORRID_SIZE], o2[CT_CORRID_SIZE];
  const char *F = "/forever/orders";
  (void)state;
  ct_efx_place_at(&fx, F, EFX_SINGLE_TCS(2), one);
  ct_efx_place_at(&fx, F, OCO_TCS(3), oco);
  ct_efx_corr_of(one, EFX_F2, CT_CORRID_FOREVER_LEG, 0, s2);
  ct_efx_corr_of(one, EFX_F3, CT_CORRID_FOREVER_LEG, 0, s3);
  ct_efx_corr_of(oco, EFX_F2, CT_CORRID_FOREVER_LEG, 0, o2);
  expect(EFX_F2, F, s2, "qty", 4);
  expect(EFX_F2, F, s2, "status:CONFIRM", 0);
  expect(EFX_F3, F, s3, "qty", 2);
  expect(EFX_F2, F, o2, "qty", 6);
  expect(EFX_F2, F, o2, "quantity1", 6);
  expect(EFX_F2, F, o2, "price1", 2900);

  forever_put(one, "SINGLE", "TARGET_LEG", 3, 2990, 2991);
  expect(EFX_F2, F, s2, "price", 2990);
  expect(EFX_F2, F, s2, "qty", 6);
  expect(EFX_F3, F, s3, "qty", 3);
  forever_put(oco, "OCO", "STOP_LOSS_LEG", 3, 2890, 2895);
  expect(EFX_F2, F, o2, "price1", 2890);
  expect(EFX_F2, F, o2, "price", 3300); /* the first leg unchanged */

  snprintf(path, sizeof path, "/forever/orders/%s", one);
  leader("DELETE", path, NULL, 200);
  expect(EFX_F2, F, s2, "status:CANCELLED", 0);
  expect(EFX_F3, F, s3, "status:CANCELLED", 0);
  expect(EFX_F2, F, o2, "status:CONFIRM", 0); /* the OCO lives on */
  snprintf(path, sizeof path, "/forever/orders/%s", oco);
  leader("DELETE", path, NULL, 200);
  expect(EFX_F2, F, o2, "status:CANCELLED", 0);
  ct_efx_stop(&fx);
  expect_skip(one, EFX_F4 "#F", "FOREVER_DISABLED");
  ct_efx_start(&fx);
}

static void test_restart(void **state) {
  char sup[32], gtt[32], c2[CT_CORRID_SIZE], g2[CT_CORRID_SIZE];
  ct_forder_t fo;
  (void)state;
  ct_efx_stop(&fx); /* down while the leader trades */
  ct_efx_place_at(&fx, "/super/orders", SUPER_TCS(4), sup);
  ct_efx_place_at(&fx, "/forever/orders", EFX_SINGLE_TCS(1), gtt);
  ct_efx_corr_of(sup, EFX_F2, CT_CORRID_SUPER_LEG, 1, c2);
  ct_efx_corr_of(gtt, EFX_F2, CT_CORRID_FOREVER_LEG, 0, g2);
  ct_efx_start(&fx);
  expect(EFX_F2, "/super/orders", c2, "qty", 8);
  expect(EFX_F2, "/forever/orders", g2, "qty", 2);
  ct_efx_stop(&fx);

  ct_efx_forder_unanswered(&fx, EFX_F2 "#F", g2);
  ct_efx_start(&fx);
  ct_test_sleep_ms(2000); /* several polls: lookups, never a second send */
  ct_efx_stop(&fx);
  assert_int_equal(count(EFX_F2, "/super/orders", c2), 1);
  assert_int_equal(count(EFX_F2, "/forever/orders", g2), 1);
  assert_int_equal(ct_efx_forder(&fx, EFX_F2 "#F", g2, &fo), 0);
  assert_int_equal((int)fo.phase, (int)CT_FPHASE_ACKED);
  assert_true(fo.order_id[0] != '\0');
}

/* A brand-new store: forever orders already there are not copied. */
static void test_baseline(void **state) {
  char gtt[32], g2[CT_CORRID_SIZE];
  (void)state;
  ct_efx_teardown(&fx);
  ct_efx_sim(&fx, NULL);
  ct_efx_config(&fx, FOLLOWERS);
  ct_efx_place_at(&fx, "/forever/orders", EFX_SINGLE_TCS(1), gtt);
  ct_efx_start(&fx); /* on_ready: after the legs actor's first lists */
  ct_test_sleep_ms(800);
  ct_efx_corr_of(gtt, EFX_F2, CT_CORRID_FOREVER_LEG, 0, g2);
  assert_int_equal(count(EFX_F2, "/forever/orders", g2), 0);
  ct_efx_stop(&fx);
  expect_skip(gtt, EFX_F2 "#F", "PREEXISTING");
  expect_skip(gtt, EFX_F3 "#F", "PREEXISTING");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_super),
    cmocka_unit_test(test_forever),
    cmocka_unit_test(test_restart),
    cmocka_unit_test(test_baseline),
  };
  return cmocka_run_group_tests(tests, setup, ct_efx_cm_teardown);
}
