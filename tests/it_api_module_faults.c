/*
 * Per-module fault injection against dhansim's /admin/faults: one error
 * class per API module (500, DH-908, DH-909, timeout, reset spread over
 * auth, orders, super, forever, portfolio, EDIS, control, funds and
 * statement), each checked for its classification, for opening that
 * module's circuit breaker only (fail fast, nothing sent, other modules
 * unaffected) and for closing it again after a probe. Then the limiter
 * side: a server 429 (DH-904) is RATE_LIMITED and never opens a breaker,
 * and the super order module draws from the account's order limiter.
 */
#include "ct_test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api_fx.h"
#include "copytrader/error.h"

typedef struct row {
  ct_api_call_t call;
  const char *route; /* fault route: a prefix of the call's path */
  const char *kind;  /* dhansim errorKind */
} row_t;

static const row_t rows[] = {
  { CT_API_PROFILE, "/v2/profile", "500" },
  { CT_API_ORDER_LIST, "/v2/orders", "DH-909" },
  { CT_API_SUPER_LIST, "/v2/super/orders", "DH-908" },
  { CT_API_FOREVER_LIST, "/v2/forever/orders", "reset" },
  { CT_API_HOLDINGS, "/v2/holdings", "timeout" },
  { CT_API_EDIS_TPIN, "/v2/edis/tpin", "500" },
  { CT_API_KILL_GET, "/v2/killswitch", "DH-908" },
  { CT_API_FUND_LIMIT, "/v2/fundlimit", "DH-909" },
  { CT_API_LEDGER, "/v2/ledger", "reset" },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static ct_api_fx_t fx;
static const ct_api_dates_t dates = { .from = "2020-01-01",
                                      .to = "2020-01-31" };

CT_API_FX_FIXTURE(fx)

static ct_api_result_t call(ct_api_call_t c) {
  if (c == CT_API_LEDGER)
    return ct_api_fx_call(&fx, c, &dates, sizeof(dates));
  return ct_api_fx_call(&fx, c, NULL, 0);
}

static void expect_ok(ct_api_call_t c) {
  ct_api_result_t r = call(c);
  if (r.err != 0)
    fail_msg("%s: %s %s", ct_api_call_name(c), ct_dhan_class_name(r.cls),
             r.reason);
  assert_true(r.sent);
  ct_api_result_free(&r);
}

/* The failure dhansim injected, as the module classified it. */
static void expect_class(const row_t *w, const ct_api_result_t *r) {
  assert_int_equal(r->cls, CT_DHAN_TRANSIENT); /* reads: never unknown */
  assert_int_equal(r->err, CT_EAGAIN);
  assert_true(r->sent);
  if (strcmp(w->kind, "timeout") == 0) {
    assert_int_equal(r->dhan.transport_err, CT_ETIMEDOUT);
  } else if (strcmp(w->kind, "reset") == 0) {
    assert_int_not_equal(r->dhan.transport_err, 0);
  } else {
    int is909 = strcmp(w->kind, "DH-909") == 0;
    assert_string_equal(r->dhan.error_code, is909 ? "DH-909" : "DH-908");
    assert_int_equal(r->dhan.http_status, is909 ? 503 : 500);
  }
}

static void one_module(const row_t *w, const row_t *other) {
  char why[96];
  ct_api_module_t m = ct_api_call_module(w->call);
  expect_ok(w->call); /* closed at the start */
  ct_api_fx_fault(&fx, w->route, w->kind);
  for (int i = 0; i < 3; i++) {
    ct_api_result_t r = call(w->call);
    expect_class(w, &r);
    ct_api_result_free(&r);
  }
  int sent = ct_api_fx_count_stamps(&fx, w->route);
  ct_api_result_t r = call(w->call); /* open: fails fast */
  assert_int_equal(r.err, CT_EBREAKER);
  assert_int_equal(r.cls, CT_DHAN_TRANSIENT);
  assert_false(r.sent);
  snprintf(why, sizeof(why), "circuit breaker of module %s open",
           ct_api_module_name(m));
  if (strstr(r.reason, why) == NULL)
    fail_msg("%s: reason '%s'", ct_api_call_name(w->call), r.reason);
  ct_api_result_free(&r);
  assert_int_equal(ct_api_fx_count_stamps(&fx, w->route), sent);
  expect_ok(other->call); /* another module's breaker is its own */

  ct_api_fx_clear_faults(&fx);
  usleep(350000); /* the cool-down, then one probe closes it */
  expect_ok(w->call);
  expect_ok(w->call);
  assert_int_equal(ct_api_fx_count_stamps(&fx, w->route), sent + 2);
}

static void test_each_module(void **state) {
  (void)state;
  for (size_t i = 0; i < NROWS; i++)
    one_module(&rows[i], &rows[(i + 1) % NROWS]);
  /* Every module family of the REST API had its row. */
  for (int m = 0; m < CT_API_MODULE_COUNT; m++) {
    int found = 0;
    for (size_t i = 0; i < NROWS; i++)
      found |= (int)ct_api_call_module(rows[i].call) == m;
    for (int c = 0; c < CT_API_CALL_COUNT && !found; c++)
      if ((int)ct_api_call_module(c) == m)
        fail_msg("module %s has no fault row", ct_api_module_name(m));
  }
}

/* Dhan answering 429 (its limits lower than ours): RATE_LIMITED, sent, and
 * no breaker failure however many come back. */
static void test_server_429(void **state) {
  (void)state;
  ct_api_fx_fault(&fx, "/v2/holdings", "DH-904");
  for (int i = 0; i < 5; i++) {
    ct_api_result_t r = call(CT_API_HOLDINGS);
    assert_int_equal(r.cls, CT_DHAN_RATE_LIMITED);
    assert_int_equal(r.err, CT_ERATELIMIT);
    assert_int_equal(r.dhan.http_status, 429);
    assert_string_equal(r.dhan.error_code, "DH-904");
    assert_true(r.sent);
    ct_api_result_free(&r);
  }
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/holdings"), 5);
  ct_api_fx_clear_faults(&fx);
  expect_ok(CT_API_HOLDINGS); /* still closed: sent at once */
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/holdings"), 6);
}

static int setup_one_order_per_10s(void **state) {
  static const ct_rate_window_t w = { 1, 10 * CT_NS_PER_SEC };
  ct_api_fx_opts_t o = { .order_windows = &w, .n_order_windows = 1 };
  (void)state;
  ct_api_fx_start(&fx, &o);
  return 0;
}

/* Super orders place through the account's order limiter (§17): after
 * one order the next super order cannot go before its deadline. */
static void test_super_shares_order_limiter(void **state) {
  ct_dhan_place_req_t p;
  ct_dhan_super_req_t s;
  (void)state;
  ct_api_fx_market_buy(&p, 1, "it-mf-1");
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_PLACE, &p, sizeof(p));
  assert_int_equal(r.err, 0);
  ct_api_result_free(&r);
  memset(&s, 0, sizeof(s));
  s.o = p.o;
  s.o.order_type = CT_DHAN_OTYPE_LIMIT;
  s.o.price = 3000;
  s.target_price = 3200;
  s.stop_loss_price = 2900;
  ct_api_job_t j = { .call = CT_API_SUPER_PLACE,
                     .params = &s,
                     .params_size = sizeof(s),
                     .timeout_ms = 200 };
  ct_api_fx_run(&fx, &j);
  assert_int_equal(j.res.cls, CT_DHAN_RATE_LIMITED);
  assert_int_equal(j.res.err, CT_ERATELIMIT);
  assert_false(j.res.sent);
  ct_api_result_free(&j.res);
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/super"), 0);
  /* The non-trading limiter is a different one: reads still go. */
  expect_ok(CT_API_SUPER_LIST);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_each_module, fx_setup_breaker,
                                    fx_teardown),
    cmocka_unit_test_setup_teardown(test_server_429, fx_setup_breaker,
                                    fx_teardown),
    cmocka_unit_test_setup_teardown(test_super_shares_order_limiter,
                                    setup_one_order_per_10s, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
