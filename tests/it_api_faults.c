/*
 * Integration tests of the REST engine's error handling against dhansim's
 * fault injection: classification of every error class (auth, business,
 * transient, outcome unknown on mutating calls after the request was
 * sent), the account's auth-failed state and token hot swap, and the
 * circuit breaker (opens after transient failures, fails fast without
 * sending, closes after a probe succeeds).
 */
#include "ct_test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api_fx.h"
#include "copytrader/error.h"

static ct_api_fx_t fx;

CT_API_FX_FIXTURE(fx)

static int setup_wrong_token(void **state) {
  ct_api_fx_opts_t o = { .token = "not-the-token" };
  (void)state;
  ct_api_fx_start(&fx, &o);
  return 0;
}

static int setup_short_timeout(void **state) {
  ct_api_fx_opts_t o = { .http_timeout_ms = 400 };
  (void)state;
  ct_api_fx_start(&fx, &o);
  return 0;
}

static int setup_breaker(void **state) {
  ct_api_fx_opts_t o = { .breaker = &ct_api_fx_fast_breaker };
  (void)state;
  ct_api_fx_start(&fx, &o);
  return 0;
}

static ct_api_result_t place(const char *corr) {
  ct_dhan_place_req_t p;
  ct_api_fx_market_buy(&p, 1, corr);
  return ct_api_fx_call(&fx, CT_API_ORDER_PLACE, &p, sizeof(p));
}

static void test_auth_failed_and_swap(void **state) {
  ct_secret_t good = { 0 };
  (void)state;
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_FUND_LIMIT, NULL, 0);
  assert_int_equal(r.cls, CT_DHAN_AUTH);
  assert_int_equal(r.err, CT_EAUTH);
  assert_string_equal(r.dhan.error_code, "DH-901");
  assert_int_equal(r.dhan.http_status, 401);
  assert_true(ct_api_account_auth_failed(fx.acct));
  ct_api_result_free(&r);

  /* Every module now fails fast, without sending. */
  int before = ct_api_fx_count_stamps(&fx, "/v2/");
  r = ct_api_fx_call(&fx, CT_API_ORDER_LIST, NULL, 0);
  assert_int_equal(r.cls, CT_DHAN_AUTH);
  assert_int_equal(r.err, CT_EAUTH);
  assert_false(r.sent);
  assert_true(strstr(r.reason, "auth-failed") != NULL);
  ct_api_result_free(&r);
  r = place("it-auth-1");
  assert_int_equal(r.err, CT_EAUTH);
  assert_false(r.sent);
  ct_api_result_free(&r);
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/"), before);

  /* Hot swap: the next call of any module uses the new token. */
  assert_int_equal(ct_secret_set(&good, CT_FX_TOKEN), 0);
  assert_int_equal(ct_api_account_set_token(fx.acct, &good), 0);
  ct_secret_clear(&good);
  assert_false(ct_api_account_auth_failed(fx.acct));
  r = ct_api_fx_call(&fx, CT_API_FUND_LIMIT, NULL, 0);
  assert_int_equal(r.err, 0);
  assert_int_equal(r.count, 1);
  ct_api_result_free(&r);
  r = place("it-auth-2");
  assert_int_equal(r.err, 0);
  ct_api_result_free(&r);
}

static void test_outcome_unknown_dh909(void **state) {
  (void)state;
  ct_api_fx_fault(&fx, "/v2/orders", "DH-909");
  ct_api_result_t r = place("it-909-1");
  assert_int_equal(r.cls, CT_DHAN_OUTCOME_UNKNOWN);
  assert_int_equal(r.err, CT_EUNKNOWN);
  assert_string_equal(r.dhan.error_code, "DH-909");
  assert_int_equal(r.dhan.http_status, 503);
  ct_api_result_free(&r);
  /* The same fault on a read is only transient. */
  r = ct_api_fx_call(&fx, CT_API_ORDER_LIST, NULL, 0);
  assert_int_equal(r.cls, CT_DHAN_TRANSIENT);
  assert_int_equal(r.err, CT_EAGAIN);
  ct_api_result_free(&r);
}

static void test_dh908(void **state) {
  (void)state;
  ct_api_fx_fault(&fx, "/v2/fundlimit", "DH-908");
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_FUND_LIMIT, NULL, 0);
  assert_int_equal(r.cls, CT_DHAN_TRANSIENT);
  assert_string_equal(r.dhan.error_code, "DH-908");
  assert_int_equal(r.dhan.http_status, 500);
  ct_api_result_free(&r);
}

static void test_outcome_unknown_timeout(void **state) {
  (void)state;
  ct_api_fx_fault(&fx, "/v2/orders", "timeout");
  ct_api_result_t r = place("it-tmo-1");
  assert_int_equal(r.cls, CT_DHAN_OUTCOME_UNKNOWN);
  assert_int_equal(r.dhan.transport_err, CT_ETIMEDOUT);
  assert_true(r.sent);
  assert_true(strstr(r.reason, "transport") != NULL);
  ct_api_result_free(&r);
  r = ct_api_fx_call(&fx, CT_API_ORDER_LIST, NULL, 0);
  assert_int_equal(r.cls, CT_DHAN_TRANSIENT);
  assert_int_equal(r.dhan.transport_err, CT_ETIMEDOUT);
  ct_api_result_free(&r);
}

static void test_outcome_unknown_reset(void **state) {
  (void)state;
  ct_api_fx_fault(&fx, "/v2/orders", "reset");
  ct_api_result_t r = place("it-rst-1");
  assert_int_equal(r.cls, CT_DHAN_OUTCOME_UNKNOWN);
  assert_int_equal(r.err, CT_EUNKNOWN);
  assert_true(r.dhan.transport_err != 0);
  ct_api_result_free(&r);
}

static void test_validation_dh905(void **state) {
  ct_dhan_place_req_t p;
  (void)state;
  ct_api_fx_market_buy(&p, 1, NULL);
  p.o.order_type = CT_DHAN_OTYPE_LIMIT;
  p.o.price = 3000.03; /* not a multiple of the 0.10 tick */
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_PLACE, &p, sizeof(p));
  assert_int_equal(r.cls, CT_DHAN_BUSINESS_REJECTION);
  assert_true(strncmp(r.dhan.error_code, "DH-90", 5) == 0);
  assert_true(r.dhan.error_message[0] != '\0');
  ct_api_result_free(&r);
}

static void test_breaker(void **state) {
  (void)state;
  ct_api_fx_fault(&fx, "/v2/fundlimit", "500");
  for (int i = 0; i < 3; i++) {
    ct_api_result_t r = ct_api_fx_call(&fx, CT_API_FUND_LIMIT, NULL, 0);
    assert_int_equal(r.cls, CT_DHAN_TRANSIENT);
    assert_true(r.sent);
    ct_api_result_free(&r);
  }
  int before = ct_api_fx_count_stamps(&fx, "/v2/fundlimit");
  assert_int_equal(before, 3);
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_FUND_LIMIT, NULL, 0);
  assert_int_equal(r.err, CT_EBREAKER);
  assert_int_equal(r.cls, CT_DHAN_TRANSIENT);
  assert_false(r.sent);
  assert_true(strstr(r.reason, "circuit breaker of module funds open") != NULL);
  ct_api_result_free(&r);
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/fundlimit"), before);

  /* Another module has its own breaker. */
  r = ct_api_fx_call(&fx, CT_API_ORDER_LIST, NULL, 0);
  assert_int_equal(r.err, 0);
  ct_api_result_free(&r);

  /* After the cool-down a probe goes out, succeeds and closes it. */
  ct_api_fx_clear_faults(&fx);
  usleep(400000);
  r = ct_api_fx_call(&fx, CT_API_FUND_LIMIT, NULL, 0);
  assert_int_equal(r.err, 0);
  assert_true(r.sent);
  ct_api_result_free(&r);
  r = ct_api_fx_call(&fx, CT_API_FUND_LIMIT, NULL, 0);
  assert_int_equal(r.err, 0);
  ct_api_result_free(&r);
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/fundlimit"), before + 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_auth_failed_and_swap,
                                    setup_wrong_token, fx_teardown),
    cmocka_unit_test_setup_teardown(test_outcome_unknown_dh909,
                                    setup_short_timeout, fx_teardown),
    cmocka_unit_test_setup_teardown(test_dh908, setup_short_timeout,
                                    fx_teardown),
    cmocka_unit_test_setup_teardown(test_outcome_unknown_timeout,
                                    setup_short_timeout, fx_teardown),
    cmocka_unit_test_setup_teardown(test_outcome_unknown_reset,
                                    setup_short_timeout, fx_teardown),
    cmocka_unit_test_setup_teardown(test_validation_dh905, setup_short_timeout,
                                    fx_teardown),
    cmocka_unit_test_setup_teardown(test_breaker, setup_breaker, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
