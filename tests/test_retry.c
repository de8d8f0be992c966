/*
 * Tests for retry.c: the bounds of every delay under each jitter mode, the
 * cap, overflow at large attempt numbers, exhausted attempts, a fixed seed
 * giving a fixed sequence, and jitter that really varies.
 */
#include "ct_test.h"

#include <string.h>

#include "copytrader/error.h"
#include "copytrader/retry.h"

#define BASE 100ULL
#define CAP  1000ULL

static ct_retry_config_t cfg(ct_retry_jitter_t jitter, uint32_t attempts) {
  ct_retry_config_t c;
  memset(&c, 0, sizeof(c));
  c.max_attempts = attempts;
  c.base_ns = BASE;
  c.cap_ns = CAP;
  c.jitter = jitter;
  return c;
}

static uint64_t exp_bound(uint32_t n) {
  uint64_t d = BASE;
  for (uint32_t i = 1; i < n && d < CAP; i++)
    d *= 2;
  return d < CAP ? d : CAP;
}

static uint64_t rand_const(void *ctx) {
  return *(const uint64_t *)ctx;
}

static void test_full_jitter_bounds(void **state) {
  ct_retry_config_t c = cfg(CT_JITTER_FULL, 12);
  ct_retry_t r;
  uint64_t d = 0;
  (void)state;

  for (uint64_t seed = 0; seed < 200; seed++) {
    assert_int_equal(ct_retry_init(&r, &c, seed), 0);
    for (uint32_t n = 1; n < 12; n++) {
      assert_int_equal(ct_retry_next(&r, &d), 0);
      assert_in_range(d, 0, exp_bound(n));
    }
  }
}

/* A source stuck at its maximum gives the upper bound of every delay: the
 * doubling, then the cap. At zero, the lower bound. */
static void test_extremes_reach_bounds_and_cap(void **state) {
  uint64_t hi = UINT64_MAX, lo = 0, d = 0;
  const uint64_t expect[] = { 100, 200, 400, 800, 1000, 1000 };
  ct_retry_config_t c = cfg(CT_JITTER_FULL, 7);
  ct_retry_t r;
  (void)state;

  c.rand = rand_const;
  c.rand_ctx = &hi;
  assert_int_equal(ct_retry_init(&r, &c, 0), 0);
  for (int i = 0; i < 6; i++) {
    assert_int_equal(ct_retry_next(&r, &d), 0);
    assert_int_equal(d, expect[i]);
  }
  c.rand_ctx = &lo;
  assert_int_equal(ct_retry_init(&r, &c, 0), 0);
  assert_int_equal(ct_retry_next(&r, &d), 0);
  assert_int_equal(d, 0);

  c = cfg(CT_JITTER_NONE, 7);
  assert_int_equal(ct_retry_init(&r, &c, 0), 0);
  for (int i = 0; i < 6; i++) {
    assert_int_equal(ct_retry_next(&r, &d), 0);
    assert_int_equal(d, expect[i]);
  }
}

static void test_decorrelated_bounds(void **state) {
  ct_retry_config_t c = cfg(CT_JITTER_DECORRELATED, 30);
  ct_retry_t r;
  uint64_t d = 0, prev, hi = UINT64_MAX;
  (void)state;

  for (uint64_t seed = 0; seed < 200; seed++) {
    assert_int_equal(ct_retry_init(&r, &c, seed), 0);
    prev = BASE;
    for (int n = 1; n < 30; n++) {
      assert_int_equal(ct_retry_next(&r, &d), 0);
      assert_in_range(d, BASE, prev * 3 < CAP ? prev * 3 : CAP);
      prev = d;
    }
  }
  c.rand = rand_const;
  c.rand_ctx = &hi;
  assert_int_equal(ct_retry_init(&r, &c, 0), 0);
  assert_int_equal(ct_retry_next(&r, &d), 0);
  assert_int_equal(d, 300);
  assert_int_equal(ct_retry_next(&r, &d), 0);
  assert_int_equal(d, 900);
  assert_int_equal(ct_retry_next(&r, &d), 0);
  assert_int_equal(d, CAP);
}

static void test_attempts_exhausted(void **state) {
  ct_retry_config_t c = cfg(CT_JITTER_FULL, 4);
  ct_retry_t r;
  uint64_t d = 0;
  (void)state;

  assert_int_equal(ct_retry_init(&r, &c, 1), 0);
  for (int i = 0; i < 3; i++)
    assert_int_equal(ct_retry_next(&r, &d), 0);
  d = 12345;
  assert_int_equal(ct_retry_next(&r, &d), CT_ETIMEDOUT);
  assert_int_equal(ct_retry_next(&r, &d), CT_ETIMEDOUT);
  assert_int_equal(d, 12345);
  assert_int_equal(ct_retry_failures(&r), 5);
  ct_retry_reset(&r);
  assert_int_equal(ct_retry_failures(&r), 0);
  assert_int_equal(ct_retry_next(&r, &d), 0);
  assert_in_range(d, 0, BASE);

  c.max_attempts = 1; /* no retries at all */
  assert_int_equal(ct_retry_init(&r, &c, 1), 0);
  assert_int_equal(ct_retry_next(&r, &d), CT_ETIMEDOUT);
}

static void test_fixed_seed_is_deterministic(void **state) {
  ct_retry_config_t c = cfg(CT_JITTER_FULL, 10);
  ct_retry_t a, b;
  uint64_t da = 0, db = 0;
  int differ = 0;
  (void)state;

  assert_int_equal(ct_retry_init(&a, &c, 42), 0);
  assert_int_equal(ct_retry_init(&b, &c, 42), 0);
  for (int i = 0; i < 9; i++) {
    assert_int_equal(ct_retry_next(&a, &da), 0);
    assert_int_equal(ct_retry_next(&b, &db), 0);
    assert_int_equal(da, db);
  }
  /* The same seed gives these delays on every machine (checked against a
   * separate splitmix64 + multiply-high computation). */
  assert_int_equal(ct_retry_init(&a, &c, 42), 0);
  assert_int_equal(ct_retry_next(&a, &da), 0);
  assert_int_equal(da, 74);
  assert_int_equal(ct_retry_next(&a, &da), 0);
  assert_int_equal(da, 32);
  assert_int_equal(ct_retry_next(&a, &da), 0);
  assert_int_equal(da, 111);
  /* Another seed gives another sequence. */
  assert_int_equal(ct_retry_init(&a, &c, 42), 0);
  assert_int_equal(ct_retry_init(&b, &c, 43), 0);
  for (int i = 0; i < 9; i++) {
    assert_int_equal(ct_retry_next(&a, &da), 0);
    assert_int_equal(ct_retry_next(&b, &db), 0);
    differ += da != db;
  }
  assert_true(differ > 0);
}

static void test_jitter_varies(void **state) {
  ct_retry_config_t c = cfg(CT_JITTER_FULL, 2);
  ct_retry_t r;
  uint64_t d = 0, min = UINT64_MAX, max = 0, sum = 0;
  int distinct = 0;
  char hit[CAP + 1] = { 0 };
  (void)state;

  c.base_ns = CAP; /* first delay uniform in [0, CAP] */
  assert_int_equal(ct_retry_init(&r, &c, 7), 0);
  for (int i = 0; i < 4000; i++) {
    ct_retry_reset(&r);
    assert_int_equal(ct_retry_next(&r, &d), 0);
    assert_in_range(d, 0, CAP);
    distinct += !hit[d];
    hit[d] = 1;
    min = d < min ? d : min;
    max = d > max ? d : max;
    sum += d;
  }
  assert_true(distinct > 900);
  assert_in_range(min, 0, CAP / 20);
  assert_in_range(max, CAP - CAP / 20, CAP);
  assert_in_range(sum / 4000, CAP * 45 / 100, CAP * 55 / 100);
}

static void test_overflow_and_validation(void **state) {
  ct_retry_config_t c = cfg(CT_JITTER_NONE, 200);
  ct_retry_t r;
  uint64_t d = 0;
  (void)state;

  c.base_ns = 3;
  c.cap_ns = UINT64_MAX;
  assert_int_equal(ct_retry_init(&r, &c, 0), 0);
  for (uint32_t n = 1; n < 200; n++) {
    assert_int_equal(ct_retry_next(&r, &d), 0);
    if (n <= 63)
      assert_int_equal(d, 3ULL << (n - 1));
    else
      assert_int_equal(d, UINT64_MAX);
  }
  assert_int_equal(ct_retry_uniform(&r, 5, 5), 5);
  (void)ct_retry_uniform(&r, 0, UINT64_MAX);

  c = cfg(CT_JITTER_FULL, 0);
  assert_int_equal(ct_retry_init(&r, &c, 0), CT_EINVAL);
  c = cfg(CT_JITTER_FULL, 3);
  c.base_ns = 0;
  assert_int_equal(ct_retry_init(&r, &c, 0), CT_EINVAL);
  c = cfg(CT_JITTER_FULL, 3);
  c.cap_ns = BASE - 1;
  assert_int_equal(ct_retry_init(&r, &c, 0), CT_EINVAL);
  c = cfg((ct_retry_jitter_t)9, 3);
  assert_int_equal(ct_retry_init(&r, &c, 0), CT_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_full_jitter_bounds),
    cmocka_unit_test(test_extremes_reach_bounds_and_cap),
    cmocka_unit_test(test_decorrelated_bounds),
    cmocka_unit_test(test_attempts_exhausted),
    cmocka_unit_test(test_fixed_seed_is_deterministic),
    cmocka_unit_test(test_jitter_varies),
    cmocka_unit_test(test_overflow_and_validation),
  };
  return cmocka_run_group_tests_name("retry", tests, NULL, NULL);
}
