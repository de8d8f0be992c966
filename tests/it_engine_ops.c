/*
 * Integration: the operator commands against a running engine. The engine
 * runs in this process against dhansim with three followers; the real
 * `copytrader` program, in other processes, reads and writes the same
 * LMDB state:
 *   - `status --json` shows the leader feed up and every follower with its
 *     breaker closed and its order limiter windows, whose headroom (and
 *     today's count) move as orders are sent;
 *   - `pause b` stops copying to b: leader orders placed meanwhile go to
 *     the others only; one still open when b resumes is copied to b then,
 *     one that filled meanwhile is recorded as skipped (PAUSED), never
 *     copied late;
 *   - `orders --json` shows a leader order and its follower orders side
 *     by side, with the order ids dhansim gave;
 *   - a follower paused while the engine is down is paused from the start;
 *   - a follower whose order calls fail shows its breaker open and its
 *     last error, and closed again once the calls succeed;
 *   - exit-all waits until the running engine has applied its pause.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define WAIT_MS 8000
#define OUT     65536

static const char *const FOLLOWERS =
    "  - name: a\n    client_id: \"" EFX_F2 "\"\n    token: tok" EFX_F2
    "\n    sizing: {mode: multiplier, value: 1}\n"
    "  - name: b\n    client_id: \"" EFX_F3 "\"\n    token: tok" EFX_F3
    "\n    sizing: {mode: multiplier, value: 2}\n"
    "  - name: c\n    client_id: \"" EFX_F7 "\"\n    token: tok" EFX_F7
    "\n    sizing: {mode: fixed_qty, value: 5}\n";

static const char *const LIMITS =
    "rate_limits:\n"
    "  orders_per_second: 50\n"
    "  orders_per_minute: 200\n"
    "  orders_per_hour: 500\n"
    "  orders_per_day: 1000\n"
    "  non_trading_per_second: 100\n";

#define LIMIT_BUY(qty)                                                         \
  "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","                \
  "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\","                      \
  "\"validity\":\"DAY\",\"securityId\":\"11536\",\"quantity\":" #qty           \
  ",\"price\":3000"
#define MARKET_BUY(qty)                                                        \
  "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","                \
  "\"productType\":\"INTRADAY\",\"orderType\":\"MARKET\","                     \
  "\"validity\":\"DAY\",\"securityId\":\"11536\",\"quantity\":" #qty

static ct_efx_t fx;
static char out[OUT];

/* --- the copytrader program ------------------------------------------------*/

/* Run `copytrader CMD --config FILE [A1 [A2 [A3]]]` (NULL ends the list);
 * its exit status, its output in `out`. */
static int cli(const char *cmd, const char *a1, const char *a2,
               const char *a3) {
  const char *args[] = { cmd, "--config", fx.cfg_path, a1, a2, a3, NULL };
  return ct_efx_run_cli(args, out, sizeof out);
}

static cJSON *cli_json(const char *cmd, const char *a1, const char *a2) {
  cJSON *j;
  assert_int_equal(cli(cmd, "--json", a1, a2), 0);
  if ((j = cJSON_Parse(out)) == NULL)
    fail_msg("copytrader %s: not JSON: %s", cmd, out);
  return j;
}

static cJSON *status(void) {
  return cli_json("status", NULL, NULL);
}

static cJSON *item(const cJSON *o, const char *k) {
  cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  if (v == NULL)
    fail_msg("no \"%s\" in %s", k, cJSON_PrintUnformatted(o));
  return v;
}

/* The entry of `key` == `val` in the array `arr`. */
static cJSON *find(const cJSON *arr, const char *key, const char *val) {
  cJSON *e;
  cJSON_ArrayForEach(e, arr) {
    if (strcmp(ct_jstr(e, key), val) == 0)
      return e;
  }
  return NULL;
}

static cJSON *follower(const cJSON *st, const char *name) {
  cJSON *f = find(item(st, "followers"), "name", name);
  if (f == NULL)
    fail_msg("no follower %s in the status", name);
  return f;
}

/* Window `w` of follower `name`'s order limiter (0: per second, 3: day). */
static int headroom(const cJSON *st, const char *name, int w) {
  cJSON *ws = item(follower(st, name), "order_windows");
  assert_int_equal(cJSON_GetArraySize(ws), 4);
  return (int)ct_jnum(cJSON_GetArrayItem(ws, w), "headroom");
}

static int today(const cJSON *st, const char *name) {
  return (int)ct_jnum(follower(st, name), "orders_today");
}

static bool flag(const cJSON *o, const char *k) {
  return cJSON_IsTrue(item(o, k));
}

/* Poll `status --json` until follower `name` has sent `n` orders today
 * and the day window shows them (the snapshot is written every 100 ms). */
static cJSON *wait_today(const char *name, int n) {
  for (int t = 0; t < WAIT_MS; t += 100) {
    cJSON *st = status();
    if (today(st, name) == n && headroom(st, name, 3) == 1000 - n)
      return st;
    cJSON_Delete(st);
    ct_test_sleep_ms(100);
  }
  fail_msg("follower %s: never %d orders today: %s", name, n, out);
  return NULL;
}

/* Poll until the engine has applied follower `name`'s pause flag. */
static void wait_applied(const char *name, bool paused) {
  for (int t = 0; t < WAIT_MS; t += 50) {
    cJSON *st = status();
    bool ok = flag(follower(st, name), "paused") == paused &&
              flag(follower(st, name), "engine_paused") == paused;
    cJSON_Delete(st);
    if (ok)
      return;
    ct_test_sleep_ms(50);
  }
  fail_msg("follower %s: pause %d never applied: %s", name, paused, out);
}

/* `orders --json --leader OID`: follower `id`'s entry, or NULL. */
static cJSON *orders_of(const char *oid, cJSON **root) {
  cJSON *arr = cli_json("orders", "--leader", oid);
  assert_int_equal(cJSON_GetArraySize(arr), 1);
  assert_string_equal(ct_jstr(cJSON_GetArrayItem(arr, 0), "order_id"), oid);
  *root = arr;
  return item(cJSON_GetArrayItem(arr, 0), "followers");
}

/* Wait until follower `id` has a decision on `oid`: SKIP with `reason`. */
static void wait_skip(const char *oid, const char *id, const char *reason) {
  for (int t = 0; t < WAIT_MS; t += 100) {
    cJSON *root, *f = find(orders_of(oid, &root), "follower_id", id);
    bool ok = f != NULL && strcmp(ct_jstr(f, "decision"), "SKIP") == 0;
    if (ok)
      assert_string_equal(ct_jstr(f, "skip_reason"), reason);
    cJSON_Delete(root);
    if (ok)
      return;
    ct_test_sleep_ms(100);
  }
  fail_msg("no SKIP of %s for %s: %s", oid, id, out);
}

/* --- dhansim ---------------------------------------------------------------*/

static void expect_copy(const char *oid, const char *acct, const char *status,
                        int qty) {
  char corr[CT_CORRID_SIZE];
  cJSON *o;
  ct_efx_corr(oid, acct, -1, corr);
  if ((o = ct_efx_wait(&fx, acct, corr, status, WAIT_MS)) == NULL)
    fail_msg("follower %s: no %s copy of %s", acct, status, oid);
  assert_int_equal((int)ct_jnum(o, "quantity"), qty);
  cJSON_Delete(o);
  assert_int_equal(ct_efx_count_corr(&fx, acct, corr), 1);
}

static int copies(const char *oid, const char *acct) {
  char corr[CT_CORRID_SIZE];
  ct_efx_corr(oid, acct, -1, corr);
  return ct_efx_count_corr(&fx, acct, corr);
}

/* --- the tests ---------------------------------------------------------------
 */

static int setup(void **state) {
  static const char *const extra[] = { "--fill-delay-ms", "5", NULL };
  ct_efx_sim(&fx, extra);
  fx.extra_yaml = LIMITS;
  fx.status_ms = 100;
  fx.control_poll_ms = 50;
  ct_efx_config(&fx, FOLLOWERS);
  ct_efx_start(&fx);
  *state = &fx;
  return 0;
}

/* Feed up, breakers closed, full headroom; then one order moves them. */
static void check_status(char *oid_a) {
  static const char *const names[] = { "a", "b", "c" };
  cJSON *st = status(), *feed = item(st, "leader_feed"), *w;
  assert_string_equal(ct_jstr(feed, "state"), "up");
  assert_true(ct_jnum(feed, "connects") >= 1);
  assert_false(flag(st, "stale"));
  assert_int_equal((int)ct_jnum(st, "pid"), (int)getpid());
  for (int i = 0; i < 3; i++) {
    cJSON *f = follower(st, names[i]);
    assert_string_equal(ct_jstr(f, "breaker"), "closed");
    assert_true(flag(f, "enabled"));
    assert_false(flag(f, "paused"));
    assert_int_equal(today(st, names[i]), 0);
    assert_int_equal(headroom(st, names[i], 3), 1000);
    w = cJSON_GetArrayItem(item(f, "order_windows"), 0);
    assert_int_equal((int)ct_jnum(w, "limit"), 50);
    assert_int_equal((int)ct_jnum(w, "period_ms"), 1050); /* + margin */
  }
  cJSON_Delete(st);
  ct_efx_place(&fx, LIMIT_BUY(3), oid_a);
  expect_copy(oid_a, EFX_F2, "PENDING", 3);
  expect_copy(oid_a, EFX_F3, "PENDING", 6);
  expect_copy(oid_a, EFX_F7, "PENDING", 5);
  for (int i = 0; i < 3; i++)
    cJSON_Delete(wait_today(names[i], 1));
  st = status();
  assert_true(ct_jnum(item(st, "leader_feed"), "last_event_ms") > 0);
  assert_string_equal(ct_jstr(follower(st, "a"), "last_error"), "");
  cJSON_Delete(st);
}

/* The leader order and each follower's order, as dhansim has them. */
static void check_orders(const char *oid) {
  static const char *const ids[] = { EFX_F2, EFX_F3, EFX_F7 };
  static const int qty[] = { 3, 6, 5 };
  cJSON *root, *fs = orders_of(oid, &root);
  cJSON *l = cJSON_GetArrayItem(root, 0);
  assert_string_equal(ct_jstr(l, "status"), "PENDING");
  assert_int_equal((int)ct_jnum(l, "quantity"), 3);
  assert_int_equal(cJSON_GetArraySize(fs), 3);
  for (int i = 0; i < 3; i++) {
    char corr[CT_CORRID_SIZE];
    cJSON *f = find(fs, "follower_id", ids[i]), *o, *sim;
    assert_non_null(f);
    assert_string_equal(ct_jstr(f, "decision"), "SEND");
    assert_int_equal((int)ct_jnum(f, "qty"), qty[i]);
    assert_int_equal(cJSON_GetArraySize(item(f, "orders")), 1);
    o = cJSON_GetArrayItem(item(f, "orders"), 0);
    ct_efx_corr(oid, ids[i], -1, corr);
    assert_string_equal(ct_jstr(o, "correlation_id"), corr);
    sim = ct_efx_wait(&fx, ids[i], corr, NULL, WAIT_MS);
    assert_non_null(sim);
    assert_string_equal(ct_jstr(o, "order_id"), ct_jstr(sim, "orderId"));
    assert_int_equal((int)ct_jnum(o, "quantity"), qty[i]);
    cJSON_Delete(sim);
  }
  cJSON_Delete(root);
  /* the table has the same rows */
  assert_int_equal(cli("orders", "--leader", oid, NULL), 0);
  assert_non_null(strstr(out, "LEADER "));
  assert_non_null(strstr(out, oid));
  assert_non_null(strstr(out, "SEND 6 x1"));
}

static void test_status_pause_resume_orders(void **state) {
  char a[32], b[32], c[32];
  cJSON *st;
  (void)state;
  check_status(a);

  /* pause b from another process: B (open) and C (filled) go to a and c */
  assert_int_equal(cli("pause", "b", NULL, NULL), 0);
  assert_non_null(strstr(out, "paused b (" EFX_F3 ")"));
  wait_applied("b", true);
  ct_efx_place(&fx, LIMIT_BUY(2), b);
  ct_efx_place(&fx, MARKET_BUY(1), c);
  expect_copy(b, EFX_F2, "PENDING", 2);
  expect_copy(b, EFX_F7, "PENDING", 5);
  expect_copy(c, EFX_F2, "TRADED", 1);
  expect_copy(c, EFX_F7, "TRADED", 5);
  /* b saw both (in order): C, final, is skipped; B waits undecided */
  wait_skip(c, EFX_F3, "PAUSED");
  assert_int_equal(copies(b, EFX_F3), 0);
  assert_int_equal(copies(c, EFX_F3), 0);
  st = wait_today("a", 3);
  assert_int_equal(today(st, "b"), 1);
  assert_int_equal(headroom(st, "b", 3), 999);
  assert_true(flag(follower(st, "b"), "paused"));
  cJSON_Delete(st);

  /* resume: B, still open, is decided and copied now; C never */
  assert_int_equal(cli("resume", "b", NULL, NULL), 0);
  assert_non_null(strstr(out, "resumed b (" EFX_F3 ")"));
  expect_copy(b, EFX_F3, "PENDING", 4);
  cJSON_Delete(wait_today("b", 2));
  wait_applied("b", false);
  ct_test_sleep_ms(300); /* a few sweeps: nothing more goes to b */
  assert_int_equal(copies(c, EFX_F3), 0);
  wait_skip(c, EFX_F3, "PAUSED");
  check_orders(a);

  /* paused while the engine is down: paused from the start */
  ct_efx_stop(&fx);
  assert_int_equal(cli("pause", "c", NULL, NULL), 0);
  ct_efx_start(&fx);
  wait_applied("c", true);
  ct_efx_place(&fx, LIMIT_BUY(1), b);
  ct_efx_place(&fx, MARKET_BUY(1), c);
  expect_copy(b, EFX_F2, "PENDING", 1);
  expect_copy(b, EFX_F3, "PENDING", 2);
  expect_copy(c, EFX_F3, "TRADED", 2);
  wait_skip(c, EFX_F7, "PAUSED");
  assert_int_equal(copies(b, EFX_F7), 0);
  assert_int_equal(copies(c, EFX_F7), 0);
}

/* Poll until follower `name`'s breaker shows `state`; the snapshot. */
static cJSON *wait_breaker(const char *name, const char *state, int ms) {
  for (int t = 0; t < ms; t += 100) {
    cJSON *st = status();
    if (strcmp(ct_jstr(follower(st, name), "breaker"), state) == 0)
      return st;
    cJSON_Delete(st);
    ct_test_sleep_ms(100);
  }
  fail_msg("follower %s: breaker never %s: %s", name, state, out);
  return NULL;
}

/* dhansim fails every order call of c (500, DH-908): c's breaker opens
 * and its last error says why, while a and b copy on; once the fault is
 * gone the next probe after the cool-down closes it and c gets its copy. */
static void test_breaker_and_last_error(void **state) {
  char oid[32];
  cJSON *st, *f;
  (void)state;
  ct_efx_admin(&fx, "/admin/faults",
               "{\"route\":\"/v2/orders\",\"errorRate\":1,"
               "\"errorKind\":\"500\",\"account\":\"" EFX_F7 "\"}");
  ct_efx_place(&fx, LIMIT_BUY(2), oid);
  expect_copy(oid, EFX_F2, "PENDING", 2);
  expect_copy(oid, EFX_F3, "PENDING", 4);
  st = wait_breaker("c", "open", WAIT_MS);
  f = follower(st, "c");
  if (strstr(ct_jstr(f, "last_error"), "DH-908") == NULL)
    fail_msg("c: last_error '%s'", ct_jstr(f, "last_error"));
  assert_true(ct_jnum(f, "last_error_ms") > 0);
  assert_string_equal(ct_jstr(follower(st, "a"), "breaker"), "closed");
  assert_string_equal(ct_jstr(follower(st, "a"), "last_error"), "");
  cJSON_Delete(st);
  assert_int_equal(copies(oid, EFX_F7), 0);
  ct_efx_admin(&fx, "/admin/faults", "{\"clear\":true}");
  /* the default cool-down is 5 s; the follower's sweep is the probe */
  cJSON_Delete(wait_breaker("c", "closed", 15000));
  expect_copy(oid, EFX_F7, "PENDING", 5);
  /* exit-all pauses c and waits for the engine to apply it: after it,
   * the leader's next order goes to a and b only */
  assert_int_equal(cli("exit-all", "c", NULL, NULL), 0);
  assert_non_null(strstr(out, "paused c (" EFX_F7 ")"));
  assert_non_null(strstr(out, "the running engine has applied the pause"));
  ct_efx_place(&fx, LIMIT_BUY(1), oid);
  expect_copy(oid, EFX_F2, "PENDING", 1);
  expect_copy(oid, EFX_F3, "PENDING", 2);
  ct_test_sleep_ms(300); /* a few sweeps */
  assert_int_equal(copies(oid, EFX_F7), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_status_pause_resume_orders, setup,
                                    ct_efx_cm_teardown),
    cmocka_unit_test_setup_teardown(test_breaker_and_last_error, setup,
                                    ct_efx_cm_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
