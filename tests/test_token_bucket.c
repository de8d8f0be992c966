/*
 * Tests for token_bucket.c: each of Dhan's windows alone, all together,
 * exact retry times, cost > 1, reconfiguration, and a randomized property
 * test that no window ever admits more than its limit in any interval of
 * its period, checked by brute force. Time is a fake clock throughout.
 */
#include "ct_test.h"

#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/token_bucket.h"

#define T0 (5 * CT_NS_PER_SEC) /* any start: the clock is not zero-based */

/* A log of admissions, for brute-force checks. */
typedef struct {
  uint64_t *at;
  uint32_t *cost;
  size_t n, cap;
} admits_t;

static void admits_add(admits_t *a, uint64_t at, uint32_t cost) {
  if (a->n == a->cap) {
    a->cap = a->cap ? a->cap * 2 : 1024;
    a->at = realloc(a->at, a->cap * sizeof(*a->at));
    a->cost = realloc(a->cost, a->cap * sizeof(*a->cost));
    assert_non_null(a->at);
    assert_non_null(a->cost);
  }
  a->at[a->n] = at;
  a->cost[a->n++] = cost;
}

static void admits_free(admits_t *a) {
  free(a->at);
  free(a->cost);
  memset(a, 0, sizeof(*a));
}

/* Largest number of units admitted in any [x, x + period). The busiest
 * interval can always be taken to start at an admission. */
static uint64_t max_in_any_interval(const admits_t *a, uint64_t period) {
  uint64_t best = 0, sum = 0;
  size_t j = 0;
  for (size_t i = 0; i < a->n; i++) {
    while (j < a->n && a->at[j] - a->at[i] < period)
      sum += a->cost[j++];
    if (sum > best)
      best = sum;
    sum -= a->cost[i];
  }
  return best;
}

static uint64_t units_between(const admits_t *a, uint64_t from, uint64_t to) {
  uint64_t sum = 0;
  for (size_t i = 0; i < a->n; i++)
    if (a->at[i] >= from && a->at[i] < to)
      sum += a->cost[i];
  return sum;
}

/* Units admitted in (now - period, now]; admissions are in time order. */
static uint64_t units_since(const admits_t *a, uint64_t now, uint64_t period) {
  uint64_t sum = 0;
  for (size_t i = a->n; i > 0 && now - a->at[i - 1] < period; i--)
    sum += a->cost[i - 1];
  return sum;
}

static uint64_t rng_next(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Fill one window with `limit` admissions spread over its first half, then
 * check the retry time: exact when the limit is tracked exactly, at most
 * one cell late otherwise, and in both cases admission succeeds exactly at
 * the retry time and not one ns before. */
static void check_single_window(ct_rate_window_t w) {
  ct_token_bucket_t tb;
  uint64_t step = w.period_ns / 2 / w.limit;
  uint64_t retry = 0, q, t = T0;
  uint32_t room = 0;

  assert_int_equal(ct_token_bucket_init(&tb, &w, 1), 0);
  for (uint32_t i = 0; i < w.limit; i++, t += step)
    assert_int_equal(ct_token_bucket_try(&tb, t, 1, NULL), 0);
  assert_int_equal(ct_token_bucket_headroom(&tb, t, 0, &room), 0);
  assert_int_equal(room, 0);
  assert_int_equal(ct_token_bucket_try(&tb, t, 1, &retry), CT_ERATELIMIT);
  q = w.limit <= CT_RATE_EXACT_MAX
          ? 0
          : (w.period_ns + CT_RATE_EXACT_MAX - 3) / (CT_RATE_EXACT_MAX - 2);
  assert_true(retry >= T0 + w.period_ns);
  assert_true(retry <= T0 + w.period_ns + q);
  if (q == 0)
    assert_int_equal(retry, T0 + w.period_ns);
  assert_int_equal(ct_token_bucket_try(&tb, retry - 1, 1, NULL), CT_ERATELIMIT);
  assert_int_equal(ct_token_bucket_try(&tb, retry, 1, NULL), 0);
  if (q == 0) /* exactly one unit left; a coalesced slot frees several */
    assert_int_equal(ct_token_bucket_try(&tb, retry, 1, NULL), CT_ERATELIMIT);
  ct_token_bucket_close(&tb);
}

static void test_each_dhan_window_alone(void **state) {
  ct_rate_window_t w[CT_RATE_MAX_WINDOWS];
  size_t n = ct_rate_dhan_orders(w, 0);
  (void)state;
  assert_int_equal(n, 4);
  for (size_t i = 0; i < n; i++)
    check_single_window(w[i]);
  assert_int_equal(ct_rate_dhan_non_trading(w, 0), 1);
  check_single_window(w[0]);
}

static void test_dhan_presets_and_margin(void **state) {
  ct_rate_window_t w[CT_RATE_MAX_WINDOWS];
  (void)state;
  assert_int_equal(ct_rate_dhan_orders(w, 50), 4);
  assert_int_equal(w[0].limit, 10);
  assert_int_equal(w[0].period_ns, CT_NS_PER_SEC + 50);
  assert_int_equal(w[1].limit, 250);
  assert_int_equal(w[1].period_ns, CT_NS_PER_MIN + 50);
  assert_int_equal(w[2].limit, 1000);
  assert_int_equal(w[2].period_ns, CT_NS_PER_HOUR + 50);
  assert_int_equal(w[3].limit, 7000);
  assert_int_equal(w[3].period_ns, CT_NS_PER_DAY + 50);
  assert_int_equal(ct_rate_dhan_non_trading(w, 0), 1);
  assert_int_equal(w[0].limit, 20);
  assert_int_equal(w[0].period_ns, CT_NS_PER_SEC);
}

/* Send as fast as allowed (jumping to each retry time) for `span` ns. */
static void run_greedy(ct_token_bucket_t *tb, uint64_t start, uint64_t span,
                       admits_t *a) {
  uint64_t t = start, retry = 0;
  while (t < start + span) {
    int rc = ct_token_bucket_try(tb, t, 1, &retry);
    if (rc == 0) {
      admits_add(a, t, 1);
      continue;
    }
    assert_int_equal(rc, CT_ERATELIMIT);
    assert_true(retry > t);
    t = retry;
  }
}

static void test_all_dhan_windows_together(void **state) {
  ct_rate_window_t w[CT_RATE_MAX_WINDOWS];
  size_t n = ct_rate_dhan_orders(w, 0);
  ct_token_bucket_t tb;
  admits_t a = { 0 };
  (void)state;

  assert_int_equal(ct_token_bucket_init(&tb, w, n), 0);
  run_greedy(&tb, T0, 3 * CT_NS_PER_DAY, &a);
  /* Each window in turn is the one that binds. */
  assert_int_equal(units_between(&a, T0, T0 + CT_NS_PER_SEC), 10);
  assert_int_equal(units_between(&a, T0, T0 + CT_NS_PER_MIN), 250);
  assert_int_equal(units_between(&a, T0, T0 + CT_NS_PER_HOUR), 1000);
  assert_int_equal(units_between(&a, T0, T0 + CT_NS_PER_DAY), 7000);
  for (size_t i = 0; i < n; i++)
    assert_true(max_in_any_interval(&a, w[i].period_ns) <= w[i].limit);
  /* Coalescing costs at most 1/126 of a day per day. */
  assert_true(units_between(&a, T0 + CT_NS_PER_DAY, T0 + 3 * CT_NS_PER_DAY) >=
              2 * 7000 - 2 * 7000 / 126 - 1);
  ct_token_bucket_close(&tb);
  admits_free(&a);
}

static void test_retry_at_is_max_over_blocking_windows(void **state) {
  ct_rate_window_t w[] = { { 2, 100 }, { 3, 1000 } };
  ct_token_bucket_t tb;
  uint64_t retry = 0;
  uint32_t room = 9;
  (void)state;

  assert_int_equal(ct_token_bucket_init(&tb, w, 2), 0);
  assert_int_equal(ct_token_bucket_try(&tb, T0, 1, NULL), 0);
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 10, 1, NULL), 0);
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 20, 1, &retry), CT_ERATELIMIT);
  assert_int_equal(retry, T0 + 100);
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 100, 1, NULL), 0);
  /* Now both windows are full: the second one frees later. */
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 200, 1, &retry),
                   CT_ERATELIMIT);
  assert_int_equal(retry, T0 + 1000);
  assert_int_equal(ct_token_bucket_headroom(&tb, T0 + 200, 0, &room), 0);
  assert_int_equal(room, 2);
  assert_int_equal(ct_token_bucket_headroom(&tb, T0 + 200, 1, &room), 0);
  assert_int_equal(room, 0);
  assert_int_equal(
      ct_token_bucket_headroom(&tb, T0 + 200, CT_RATE_ALL_WINDOWS, &room), 0);
  assert_int_equal(room, 0);
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 999, 1, NULL), CT_ERATELIMIT);
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 1000, 1, NULL), 0);
  ct_token_bucket_close(&tb);
}

static void test_cost_above_one(void **state) {
  ct_rate_window_t w = { 10, CT_NS_PER_SEC };
  ct_token_bucket_t tb;
  uint64_t retry = 0;
  (void)state;

  assert_int_equal(ct_token_bucket_init(&tb, &w, 1), 0);
  assert_int_equal(ct_token_bucket_try(&tb, T0, 4, NULL), 0);
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 100, 4, NULL), 0);
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 200, 4, &retry),
                   CT_ERATELIMIT);
  /* 8 + 4 > 10: the first 4 must leave, at T0 + 1 s. */
  assert_int_equal(retry, T0 + CT_NS_PER_SEC);
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 200, 2, NULL), 0);
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 300, 1, &retry),
                   CT_ERATELIMIT);
  assert_int_equal(retry, T0 + CT_NS_PER_SEC);
  /* 5 units wanted, 10 used: needs both the first and second slots gone. */
  assert_int_equal(ct_token_bucket_try(&tb, T0 + 300, 5, &retry),
                   CT_ERATELIMIT);
  assert_int_equal(retry, T0 + 100 + CT_NS_PER_SEC);
  assert_int_equal(ct_token_bucket_try(&tb, retry, 5, NULL), 0);
  assert_int_equal(ct_token_bucket_try(&tb, retry, 11, NULL), CT_ERANGE);
  assert_int_equal(ct_token_bucket_try(&tb, retry, 0, NULL), CT_EINVAL);
  ct_token_bucket_close(&tb);
}

static void test_init_validation_and_clock(void **state) {
  ct_rate_window_t w[CT_RATE_MAX_WINDOWS + 1] = { { 1, 10 } };
  ct_token_bucket_t tb;
  uint64_t retry = 0;
  (void)state;

  assert_int_equal(ct_token_bucket_init(&tb, w, 0), CT_EINVAL);
  assert_int_equal(ct_token_bucket_init(&tb, NULL, 1), CT_EINVAL);
  for (size_t i = 0; i < CT_RATE_MAX_WINDOWS + 1; i++)
    w[i] = (ct_rate_window_t){ 1, 10 };
  assert_int_equal(ct_token_bucket_init(&tb, w, CT_RATE_MAX_WINDOWS + 1),
                   CT_EINVAL);
  w[1].period_ns = 0;
  assert_int_equal(ct_token_bucket_init(&tb, w, 2), CT_EINVAL);
  w[1] = (ct_rate_window_t){ 0, 10 };
  assert_int_equal(ct_token_bucket_init(&tb, w, 2), CT_EINVAL);

  assert_int_equal(ct_token_bucket_init(&tb, w, 1), 0);
  assert_int_equal(ct_token_bucket_nwindows(&tb), 1);
  assert_int_equal(ct_token_bucket_try(&tb, T0, 1, NULL), 0);
  /* A clock that steps back is read as the newest time seen. */
  assert_int_equal(ct_token_bucket_try(&tb, T0 - 100, 1, &retry),
                   CT_ERATELIMIT);
  assert_int_equal(retry, T0 + 10);
  ct_token_bucket_close(&tb);
  ct_token_bucket_close(&tb); /* safe twice */
}

static void test_reconfigure(void **state) {
  ct_rate_window_t old[] = { { 25, CT_NS_PER_SEC }, { 100, CT_NS_PER_MIN } };
  ct_rate_window_t lower[] = { { 10, CT_NS_PER_SEC },
                               { 50, 30 * CT_NS_PER_SEC } };
  ct_rate_window_t bad = { 0, 1 }, got;
  ct_token_bucket_t tb;
  uint64_t retry = 0, t = T0;
  uint32_t room = 0;
  (void)state;

  assert_int_equal(ct_token_bucket_init(&tb, old, 2), 0);
  for (int i = 0; i < 20; i++, t += CT_NS_PER_SEC)
    assert_int_equal(ct_token_bucket_try(&tb, t, 1, NULL), 0);
  t -= CT_NS_PER_SEC; /* the last admission: 20 in 20 s, 1 in the last s */
  for (int i = 0; i < 24; i++)
    assert_int_equal(ct_token_bucket_try(&tb, t, 1, NULL), 0);
  assert_int_equal(ct_token_bucket_reconfigure(&tb, &bad, 1), CT_EINVAL);
  assert_int_equal(ct_token_bucket_nwindows(&tb), 2);
  assert_int_equal(ct_token_bucket_reconfigure(&tb, lower, 2), 0);
  assert_int_equal(ct_token_bucket_window(&tb, 1, &got), 0);
  assert_int_equal(got.limit, 50);
  assert_int_equal(got.period_ns, 30 * CT_NS_PER_SEC);
  /* 25 units in the last second against a new limit of 10. */
  assert_int_equal(ct_token_bucket_headroom(&tb, t, 0, &room), 0);
  assert_int_equal(room, 0);
  assert_int_equal(ct_token_bucket_try(&tb, t, 1, &retry), CT_ERATELIMIT);
  assert_int_equal(retry, t + CT_NS_PER_SEC);
  /* The new 30 s window inherited all 44 units from the old minute. */
  assert_int_equal(ct_token_bucket_headroom(&tb, t, 1, &room), 0);
  assert_int_equal(room, 50 - 44);
  t += CT_NS_PER_SEC;
  for (int i = 0; i < 6; i++)
    assert_int_equal(ct_token_bucket_try(&tb, t, 1, NULL), 0);
  assert_int_equal(ct_token_bucket_try(&tb, t, 1, &retry), CT_ERATELIMIT);
  assert_int_equal(retry, T0 + 30 * CT_NS_PER_SEC); /* the first unit leaves */

  /* Raising a limit into coalesced mode keeps the history too. */
  old[1].limit = 1000;
  assert_int_equal(ct_token_bucket_reconfigure(&tb, old, 2), 0);
  assert_int_equal(ct_token_bucket_headroom(&tb, t, 1, &room), 0);
  assert_int_equal(room, 1000 - 50);
  ct_token_bucket_close(&tb);
}

/* Random windows, arrivals and costs over a long fake time span. Every
 * window is checked by brute force; windows tracked exactly must also admit
 * exactly when a brute-force sliding count says there is room. */
static void run_property(uint64_t seed, int exact_only) {
  ct_rate_window_t w[4];
  size_t n = 1 + rng_next(&seed) % 4;
  ct_token_bucket_t tb;
  admits_t a = { 0 };
  uint64_t t = T0, retry = 0;
  uint32_t maxlim = exact_only ? CT_RATE_EXACT_MAX : 600;

  for (size_t i = 0; i < n; i++) {
    w[i].limit = 1 + (uint32_t)(rng_next(&seed) % maxlim);
    w[i].period_ns = 1 + rng_next(&seed) % 100000;
  }
  assert_int_equal(ct_token_bucket_init(&tb, w, n), 0);
  for (int k = 0; k < 20000; k++) {
    uint32_t cost = 1 + (uint32_t)(rng_next(&seed) % 3);
    int fits = 1, rc;
    t += rng_next(&seed) % 200;
    for (size_t i = 0; i < n; i++)
      if (cost > w[i].limit ||
          units_since(&a, t, w[i].period_ns) + cost > w[i].limit)
        fits = 0;
    rc = ct_token_bucket_try(&tb, t, cost, &retry);
    if (rc == 0)
      admits_add(&a, t, cost);
    else if (rc == CT_ERATELIMIT)
      assert_true(retry > t);
    if (rc == 0)
      assert_int_equal(fits, 1); /* never admits what a sliding count bars */
    if (exact_only)
      assert_int_equal(rc == 0, fits);
  }
  for (size_t i = 0; i < n; i++)
    assert_true(max_in_any_interval(&a, w[i].period_ns) <= w[i].limit);
  assert_true(a.n > 0);
  ct_token_bucket_close(&tb);
  admits_free(&a);
}

static void test_property_never_over_limit(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 6; seed++) {
    run_property(seed, 1);
    run_property(seed * 7919, 0);
  }
}

/* Rings grow with use, up to their bound: an idle limiter holds no slots
 * (a thousand followers' idle limiters cost nothing), a busy one the bound
 * at most, and growing never changes what is admitted (the property tests
 * above run through growth too). */
static void test_rings_grow_on_demand(void **state) {
  ct_rate_window_t w[CT_RATE_MAX_WINDOWS];
  size_t n = ct_rate_dhan_orders(w, 0);
  ct_token_bucket_t tb;
  uint64_t t = T0;
  (void)state;
  assert_int_equal(ct_token_bucket_init(&tb, w, n), 0);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(tb.logs_[i].alloc, 0);
  assert_int_equal(ct_token_bucket_try(&tb, t, 1, NULL), 0);
  assert_int_equal(tb.logs_[0].alloc, 4);
  for (int k = 0; k < 240; k++) { /* 10/s for 24 s: one slot per admission */
    t += CT_NS_PER_SEC / 10 + 1;
    assert_int_equal(ct_token_bucket_try(&tb, t, 1, NULL), 0);
  }
  assert_int_equal(tb.logs_[0].alloc, 10); /* its bound: the limit */
  for (size_t i = 1; i < n; i++) {         /* coalesced: 24 s of 0.48 s cells */
    assert_true(tb.logs_[i].alloc >= tb.logs_[i].len);
    assert_true(tb.logs_[i].alloc <= 4 ||
                tb.logs_[i].alloc <= 2 * tb.logs_[i].len);
    assert_true(tb.logs_[i].alloc <= CT_RATE_EXACT_MAX);
  }
  /* 24.1 s of 60 s / 126 cells: 51 live in the minute ring, 64 allocated;
   * the hour and day rings hold 2 and 1 (4 allocated), not 128 each. */
  assert_int_equal(tb.logs_[1].len, 51);
  assert_int_equal(tb.logs_[1].alloc, 64);
  assert_int_equal(tb.logs_[3].alloc, 4);
  ct_token_bucket_close(&tb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_each_dhan_window_alone),
    cmocka_unit_test(test_rings_grow_on_demand),
    cmocka_unit_test(test_dhan_presets_and_margin),
    cmocka_unit_test(test_all_dhan_windows_together),
    cmocka_unit_test(test_retry_at_is_max_over_blocking_windows),
    cmocka_unit_test(test_cost_above_one),
    cmocka_unit_test(test_init_validation_and_clock),
    cmocka_unit_test(test_reconfigure),
    cmocka_unit_test(test_property_never_over_limit),
  };
  return cmocka_run_group_tests_name("token_bucket", tests, NULL, NULL);
}
