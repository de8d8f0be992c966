/*
 * Integration tests of the account's rate limiters against dhansim with
 * its own rate limits ON: a burst of order placements is paced so that no
 * request earns a 429 and dhansim's receive stamps stay within the window;
 * calls whose deadline comes before the limiter admits them fail fast
 * without being sent; the order limiter is shared by the orders and
 * forever modules, the non-trading limiter by every module.
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_fx.h"
#include "copytrader/error.h"

static ct_api_fx_t fx;
static const char *const limited_sim[] = { "--account",
                                           CT_FX_ACCOUNT ":" CT_FX_TOKEN
                                                         ":500000000",
                                           "--fill-delay-ms", "1", NULL };

CT_API_FX_FIXTURE(fx)

static void start(const ct_rate_window_t *ow, const ct_rate_window_t *xw) {
  ct_api_fx_opts_t o = { .sim_args = limited_sim,
                         .order_windows = ow,
                         .n_order_windows = ow ? 1 : 0,
                         .other_windows = xw,
                         .n_other_windows = xw ? 1 : 0 };
  ct_api_fx_start(&fx, &o);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

#define BURST 40

static void test_burst_paced(void **state) {
  /* 10/s (with a 50 ms margin), dhansim enforces 10/s, 250/min, ... */
  static const ct_rate_window_t w = { 10, CT_NS_PER_SEC + 50000000ULL };
  static ct_api_job_t jobs[BURST];
  static ct_dhan_place_req_t p[BURST];
  uint64_t t[BURST];
  size_t n = 0;
  (void)state;
  start(&w, NULL);
  for (int i = 0; i < BURST; i++) {
    char corr[32];
    snprintf(corr, sizeof(corr), "burst-%d", i);
    ct_api_fx_market_buy(&p[i], 1, corr);
    memset(&jobs[i], 0, sizeof(jobs[i]));
    jobs[i].call = CT_API_ORDER_PLACE;
    jobs[i].params = &p[i];
    jobs[i].params_size = sizeof(p[i]);
    jobs[i].timeout_ms = 15000;
    ct_api_fx_submit(&fx, &jobs[i]);
  }
  for (int i = 0; i < BURST; i++) {
    ct_api_fx_wait(&jobs[i]);
    if (jobs[i].res.err != 0)
      fail_msg("placement %d: %s %s %s", i, ct_dhan_class_name(jobs[i].res.cls),
               jobs[i].res.reason, jobs[i].res.dhan.error_code);
    ct_api_result_free(&jobs[i].res);
  }
  cJSON *st = ct_api_fx_stamps(&fx);
  const cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(st, "requests")) {
    if (strcmp(ct_jstr(it, "path"), "/v2/orders") != 0)
      continue;
    assert_int_not_equal((int)ct_jnum(it, "status"), 429);
    assert_true(n < BURST);
    t[n++] = (uint64_t)ct_jnum(it, "tNs");
  }
  cJSON_Delete(st);
  assert_int_equal(n, BURST);
  qsort(t, n, sizeof(t[0]), cmp_u64);
  /* Every 1 s interval dhansim saw holds at most 10 placements. */
  for (size_t i = 0; i < n; i++) {
    size_t in = 0;
    for (size_t j = i; j < n && t[j] - t[i] < CT_NS_PER_SEC; j++)
      in++;
    if (in > 10)
      fail_msg("%zu placements within 1 s from #%zu", in, i);
  }
}

static void submit_n(ct_api_job_t *jobs, ct_dhan_place_req_t *p, int n,
                     ct_api_call_t call, uint64_t timeout_ms) {
  for (int i = 0; i < n; i++) {
    memset(&jobs[i], 0, sizeof(jobs[i]));
    jobs[i].call = call;
    if (p) {
      ct_api_fx_market_buy(&p[i], 1, NULL);
      jobs[i].params = &p[i];
      jobs[i].params_size = sizeof(p[i]);
    }
    jobs[i].timeout_ms = timeout_ms;
    ct_api_fx_submit(&fx, &jobs[i]);
  }
  for (int i = 0; i < n; i++)
    ct_api_fx_wait(&jobs[i]);
}

static void test_deadline_fails_fast(void **state) {
  static const ct_rate_window_t w = { 2, CT_NS_PER_SEC };
  ct_api_job_t jobs[5];
  ct_dhan_place_req_t p[5];
  (void)state;
  start(&w, NULL);
  submit_n(jobs, p, 5, CT_API_ORDER_PLACE, 300);
  int ok = 0, limited = 0;
  for (int i = 0; i < 5; i++) {
    if (jobs[i].res.err == 0)
      ok++;
    else if (jobs[i].res.cls == CT_DHAN_RATE_LIMITED &&
             jobs[i].res.err == CT_ERATELIMIT && !jobs[i].res.sent)
      limited++;
    ct_api_result_free(&jobs[i].res);
  }
  assert_int_equal(ok, 2);
  assert_int_equal(limited, 3);
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/orders"), 2);
}

/* Orders and forever share the account's order limiter. */
static void test_order_limiter_shared(void **state) {
  static const ct_rate_window_t w = { 2, CT_NS_PER_SEC };
  ct_api_job_t jobs[2], fj;
  ct_dhan_place_req_t p[2];
  ct_dhan_forever_req_t f;
  (void)state;
  start(&w, NULL);
  submit_n(jobs, p, 2, CT_API_ORDER_PLACE, 2000);
  assert_int_equal(jobs[0].res.err, 0);
  assert_int_equal(jobs[1].res.err, 0);
  ct_api_result_free(&jobs[0].res);
  ct_api_result_free(&jobs[1].res);
  memset(&f, 0, sizeof(f));
  f.o = p[0].o;
  f.flag = CT_DHAN_FLAG_SINGLE;
  f.o.product = CT_DHAN_PRODUCT_CNC;
  f.o.order_type = CT_DHAN_OTYPE_LIMIT;
  f.o.price = 3000.0;
  f.o.trigger_price = 3000.5;
  memset(&fj, 0, sizeof(fj));
  fj.call = CT_API_FOREVER_CREATE;
  fj.params = &f;
  fj.params_size = sizeof(f);
  fj.timeout_ms = 200;
  ct_api_fx_run(&fx, &fj);
  if (fj.res.cls != CT_DHAN_RATE_LIMITED)
    fail_msg("forever create: %s %s", ct_dhan_class_name(fj.res.cls),
             fj.res.reason);
  assert_false(fj.res.sent);
  ct_api_result_free(&fj.res);
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/forever"), 0);
}

/* The non-trading limiter is shared by every module of the account. */
static void test_other_limiter_shared(void **state) {
  static const ct_rate_window_t x = { 3, CT_NS_PER_SEC };
  ct_api_job_t a[2], b[2];
  (void)state;
  start(NULL, &x);
  submit_n(a, NULL, 2, CT_API_FUND_LIMIT, 300);
  submit_n(b, NULL, 2, CT_API_HOLDINGS, 300);
  assert_int_equal(a[0].res.err, 0);
  assert_int_equal(a[1].res.err, 0);
  assert_int_equal(b[0].res.err, 0);
  assert_int_equal(b[1].res.cls, CT_DHAN_RATE_LIMITED);
  assert_false(b[1].res.sent);
  for (int i = 0; i < 2; i++) {
    ct_api_result_free(&a[i].res);
    ct_api_result_free(&b[i].res);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(test_burst_paced, fx_teardown),
    cmocka_unit_test_teardown(test_deadline_fails_fast, fx_teardown),
    cmocka_unit_test_teardown(test_order_limiter_shared, fx_teardown),
    cmocka_unit_test_teardown(test_other_limiter_shared, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
