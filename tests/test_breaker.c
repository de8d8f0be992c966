/*
 * Tests for breaker.c: every state change with its reason and callback,
 * the probe limit, lost probes, cool-down growth, failures ageing out of
 * the window, and ignored outcomes. Time is a fake clock.
 */
#include "ct_test.h"

#include <string.h>

#include "copytrader/breaker.h"
#include "copytrader/error.h"

#define T0     (7 * 1000000000ULL)
#define WINDOW 1600ULL /* 16 buckets of 100 ns */
#define COOL   1000ULL

typedef struct {
  int n;
  ct_breaker_transition_t t[16];
} seen_t;

static void on_change(const ct_breaker_transition_t *t, void *ctx) {
  seen_t *s = ctx;
  if (s->n < 16)
    s->t[s->n] = *t;
  s->n++;
}

static ct_breaker_config_t count_cfg(void) {
  ct_breaker_config_t c;
  ct_breaker_config_default(&c);
  c.window_ns = WINDOW;
  c.failure_threshold = 3;
  c.failure_rate_pct = 0;
  c.cooldown_ns = COOL;
  c.max_cooldown_ns = 3500;
  c.cooldown_factor = 2;
  return c;
}

static void fail_n(ct_breaker_t *b, uint64_t t, int n) {
  for (int i = 0; i < n; i++) {
    assert_int_equal(ct_breaker_allow(b, t, NULL), 0);
    assert_int_equal(ct_breaker_record(b, t, CT_OUTCOME_FAILURE), 0);
  }
}

static void test_closed_to_open_by_count(void **state) {
  ct_breaker_config_t c = count_cfg();
  ct_breaker_t b;
  seen_t seen = { 0 };
  uint64_t retry = 0;
  (void)state;

  assert_int_equal(ct_breaker_init(&b, &c, on_change, &seen), 0);
  assert_int_equal(ct_breaker_last(&b)->reason, CT_BREAKER_R_INIT);
  fail_n(&b, T0, 2);
  assert_int_equal(ct_breaker_record(&b, T0, CT_OUTCOME_SUCCESS), 0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_CLOSED);
  assert_int_equal(seen.n, 0);
  fail_n(&b, T0 + 50, 1);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_OPEN);
  assert_int_equal(seen.n, 1);
  assert_int_equal(seen.t[0].from, CT_BREAKER_CLOSED);
  assert_int_equal(seen.t[0].to, CT_BREAKER_OPEN);
  assert_int_equal(seen.t[0].reason, CT_BREAKER_R_FAILURE_COUNT);
  assert_int_equal(seen.t[0].at_ns, T0 + 50);
  assert_int_equal(seen.t[0].calls, 4);
  assert_int_equal(seen.t[0].failures, 3);
  assert_int_equal(seen.t[0].open_until_ns, T0 + 50 + COOL);
  assert_int_equal(ct_breaker_allow(&b, T0 + 60, &retry), CT_EBREAKER);
  assert_int_equal(retry, T0 + 50 + COOL);
  assert_memory_equal(ct_breaker_last(&b), &seen.t[0], sizeof(seen.t[0]));
  assert_string_equal(ct_breaker_reason_name(ct_breaker_last(&b)->reason),
                      "failure_count");
}

static void test_closed_to_open_by_rate(void **state) {
  ct_breaker_config_t c = count_cfg();
  ct_breaker_t b;
  uint32_t calls = 0, failures = 0;
  (void)state;

  c.failure_threshold = 0;
  c.failure_rate_pct = 50;
  c.min_calls = 4;
  assert_int_equal(ct_breaker_init(&b, &c, NULL, NULL), 0);
  /* 2 of 2 failed, but fewer than min_calls: stays closed. */
  fail_n(&b, T0, 2);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_CLOSED);
  /* 2 of 5 failed: 40%, below the rate. */
  for (int i = 0; i < 3; i++)
    assert_int_equal(ct_breaker_record(&b, T0, CT_OUTCOME_SUCCESS), 0);
  ct_breaker_counts(&b, T0, &calls, &failures);
  assert_int_equal(calls, 5);
  assert_int_equal(failures, 2);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_CLOSED);
  /* 3 of 6: 50% trips. */
  fail_n(&b, T0 + 1, 1);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_OPEN);
  assert_int_equal(ct_breaker_last(&b)->reason, CT_BREAKER_R_FAILURE_RATE);
  assert_int_equal(ct_breaker_last(&b)->calls, 6);
  assert_int_equal(ct_breaker_last(&b)->failures, 3);
  ct_breaker_counts(&b, T0 + 1, &calls, &failures);
  assert_int_equal(calls, 0); /* leaving CLOSED clears the window */
}

static void test_open_half_open_closed(void **state) {
  ct_breaker_config_t c = count_cfg();
  ct_breaker_t b;
  seen_t seen = { 0 };
  uint64_t retry = 0, opened = T0;
  (void)state;

  assert_int_equal(ct_breaker_init(&b, &c, on_change, &seen), 0);
  fail_n(&b, opened, 3);
  assert_int_equal(ct_breaker_allow(&b, opened + COOL - 1, &retry),
                   CT_EBREAKER);
  assert_int_equal(retry, opened + COOL);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_OPEN);
  assert_int_equal(ct_breaker_allow(&b, opened + COOL, &retry), 0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_HALF_OPEN);
  assert_int_equal(seen.t[1].reason, CT_BREAKER_R_COOLDOWN);
  assert_int_equal(seen.t[1].from, CT_BREAKER_OPEN);
  assert_int_equal(seen.t[1].to, CT_BREAKER_HALF_OPEN);
  assert_int_equal(ct_breaker_record(&b, opened + COOL + 5, CT_OUTCOME_SUCCESS),
                   0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_CLOSED);
  assert_int_equal(seen.n, 3);
  assert_int_equal(seen.t[2].reason, CT_BREAKER_R_PROBE_SUCCESS);
  assert_int_equal(seen.t[2].at_ns, opened + COOL + 5);
  /* Closed again with a clean window: two failures do not trip. */
  fail_n(&b, opened + COOL + 6, 2);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_CLOSED);
}

static void test_probe_failure_reopens_with_growing_cooldown(void **state) {
  ct_breaker_config_t c = count_cfg();
  ct_breaker_t b;
  uint64_t t = T0, retry = 0;
  const uint64_t expect[] = { 2000, 3500, 3500 }; /* doubled, then capped */
  (void)state;

  assert_int_equal(ct_breaker_init(&b, &c, NULL, NULL), 0);
  fail_n(&b, t, 3);
  t += COOL;
  for (int i = 0; i < 3; i++) {
    assert_int_equal(ct_breaker_allow(&b, t, NULL), 0);
    assert_int_equal(ct_breaker_state(&b), CT_BREAKER_HALF_OPEN);
    assert_int_equal(ct_breaker_record(&b, t + 1, CT_OUTCOME_FAILURE), 0);
    assert_int_equal(ct_breaker_state(&b), CT_BREAKER_OPEN);
    assert_int_equal(ct_breaker_last(&b)->reason, CT_BREAKER_R_PROBE_FAILURE);
    assert_int_equal(ct_breaker_allow(&b, t + 2, &retry), CT_EBREAKER);
    assert_int_equal(retry, t + 1 + expect[i]);
    t = retry;
  }
  /* Closing resets the cool-down to its base. */
  assert_int_equal(ct_breaker_allow(&b, t, NULL), 0);
  assert_int_equal(ct_breaker_record(&b, t, CT_OUTCOME_SUCCESS), 0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_CLOSED);
  fail_n(&b, t, 3);
  assert_int_equal(ct_breaker_allow(&b, t, &retry), CT_EBREAKER);
  assert_int_equal(retry, t + COOL);
}

static void test_probe_limit_and_lost_probes(void **state) {
  ct_breaker_config_t c = count_cfg();
  ct_breaker_t b;
  uint64_t t = T0, retry = 0;
  (void)state;

  c.probes = 2;
  c.successes_to_close = 3;
  assert_int_equal(ct_breaker_init(&b, &c, NULL, NULL), 0);
  fail_n(&b, t, 3);
  t += COOL;
  assert_int_equal(ct_breaker_allow(&b, t, NULL), 0);
  assert_int_equal(ct_breaker_allow(&b, t + 1, NULL), 0);
  assert_int_equal(ct_breaker_allow(&b, t + 2, &retry), CT_EBREAKER);
  assert_int_equal(retry, t + 1 + COOL);
  /* One success frees a slot but does not close (3 needed). */
  assert_int_equal(ct_breaker_record(&b, t + 3, CT_OUTCOME_SUCCESS), 0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_HALF_OPEN);
  assert_int_equal(ct_breaker_allow(&b, t + 4, NULL), 0);
  assert_int_equal(ct_breaker_allow(&b, t + 5, NULL), CT_EBREAKER);
  /* Nobody reports: after a cool-down the probes count as lost. */
  assert_int_equal(ct_breaker_allow(&b, t + 4 + COOL - 1, NULL), CT_EBREAKER);
  assert_int_equal(ct_breaker_allow(&b, t + 4 + COOL, NULL), 0);
  assert_int_equal(ct_breaker_record(&b, t + 4 + COOL, CT_OUTCOME_SUCCESS), 0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_HALF_OPEN);
  assert_int_equal(ct_breaker_allow(&b, t + 4 + COOL, NULL), 0);
  assert_int_equal(ct_breaker_record(&b, t + 4 + COOL, CT_OUTCOME_SUCCESS), 0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_CLOSED);
}

static void test_old_failures_expire(void **state) {
  ct_breaker_config_t c = count_cfg();
  ct_breaker_t b;
  uint32_t failures = 0;
  (void)state;

  assert_int_equal(ct_breaker_init(&b, &c, NULL, NULL), 0);
  /* T0 is a multiple of the 100 ns bucket: failures in bucket T0/100. */
  fail_n(&b, T0, 2);
  ct_breaker_counts(&b, T0 + WINDOW - 1, NULL, &failures);
  assert_int_equal(failures, 2);
  ct_breaker_counts(&b, T0 + WINDOW, NULL, &failures);
  assert_int_equal(failures, 0);
  fail_n(&b, T0 + WINDOW, 2);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_CLOSED);
  /* Within the window they add up: the third trips. */
  fail_n(&b, T0 + WINDOW + 1500, 1);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_OPEN);
}

static void test_ignored_outcomes(void **state) {
  ct_breaker_config_t c = count_cfg();
  ct_breaker_t b;
  seen_t seen = { 0 };
  uint32_t calls = 9, failures = 9;
  uint64_t t = T0;
  (void)state;

  assert_int_equal(ct_breaker_init(&b, &c, on_change, &seen), 0);
  for (int i = 0; i < 10; i++)
    assert_int_equal(ct_breaker_record(&b, t, CT_OUTCOME_IGNORED), 0);
  ct_breaker_counts(&b, t, &calls, &failures);
  assert_int_equal(calls, 0);
  assert_int_equal(failures, 0);
  assert_int_equal(ct_breaker_record(&b, t, (ct_breaker_outcome_t)7),
                   CT_EINVAL);
  fail_n(&b, t, 3);
  t += COOL;
  /* In HALF_OPEN an ignored outcome frees the probe slot only. */
  assert_int_equal(ct_breaker_allow(&b, t, NULL), 0);
  assert_int_equal(ct_breaker_allow(&b, t, NULL), CT_EBREAKER);
  assert_int_equal(ct_breaker_record(&b, t, CT_OUTCOME_IGNORED), 0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_HALF_OPEN);
  assert_int_equal(seen.n, 2);
  assert_int_equal(ct_breaker_allow(&b, t, NULL), 0);
  assert_int_equal(ct_breaker_record(&b, t, CT_OUTCOME_FAILURE), 0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_OPEN);
  /* Late answers while OPEN are dropped. */
  assert_int_equal(ct_breaker_record(&b, t + 1, CT_OUTCOME_SUCCESS), 0);
  assert_int_equal(ct_breaker_record(&b, t + 1, CT_OUTCOME_FAILURE), 0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_OPEN);
  assert_int_equal(seen.n, 3);
}

static void test_trip_reset_and_validation(void **state) {
  ct_breaker_config_t c = count_cfg(), bad;
  ct_breaker_t b;
  (void)state;

  assert_int_equal(ct_breaker_init(&b, &c, NULL, NULL), 0);
  ct_breaker_trip(&b, T0);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_OPEN);
  assert_int_equal(ct_breaker_last(&b)->reason, CT_BREAKER_R_FORCED_OPEN);
  assert_int_equal(ct_breaker_allow(&b, T0 + 1, NULL), CT_EBREAKER);
  ct_breaker_reset(&b, T0 + 2);
  assert_int_equal(ct_breaker_state(&b), CT_BREAKER_CLOSED);
  assert_int_equal(ct_breaker_last(&b)->reason, CT_BREAKER_R_RESET);
  assert_int_equal(ct_breaker_allow(&b, T0 + 3, NULL), 0);
  assert_string_equal(ct_breaker_state_name(CT_BREAKER_HALF_OPEN), "half_open");
  assert_string_equal(ct_breaker_reason_name(CT_BREAKER_R_RESET), "reset");

  bad = c;
  bad.failure_threshold = 0;
  bad.failure_rate_pct = 0;
  assert_int_equal(ct_breaker_init(&b, &bad, NULL, NULL), CT_EINVAL);
  bad = c;
  bad.failure_rate_pct = 101;
  assert_int_equal(ct_breaker_init(&b, &bad, NULL, NULL), CT_EINVAL);
  bad = c;
  bad.window_ns = CT_BREAKER_BUCKETS - 1;
  assert_int_equal(ct_breaker_init(&b, &bad, NULL, NULL), CT_EINVAL);
  bad = c;
  bad.probes = 0;
  assert_int_equal(ct_breaker_init(&b, &bad, NULL, NULL), CT_EINVAL);
  bad = c;
  bad.max_cooldown_ns = COOL - 1;
  assert_int_equal(ct_breaker_init(&b, &bad, NULL, NULL), CT_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_closed_to_open_by_count),
    cmocka_unit_test(test_closed_to_open_by_rate),
    cmocka_unit_test(test_open_half_open_closed),
    cmocka_unit_test(test_probe_failure_reopens_with_growing_cooldown),
    cmocka_unit_test(test_probe_limit_and_lost_probes),
    cmocka_unit_test(test_old_failures_expire),
    cmocka_unit_test(test_ignored_outcomes),
    cmocka_unit_test(test_trip_reset_and_validation),
  };
  return cmocka_run_group_tests_name("breaker", tests, NULL, NULL);
}
