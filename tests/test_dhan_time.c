/*
 * Tests for dhan_time.c: Dhan's IST timestamps read as Unix milliseconds,
 * checked against the C library's own conversion (gmtime_r of the time
 * plus 5:30, printed as Dhan prints it) over a spread of times, at the
 * epoch, leap days and the IST date line; the tolerated variations ('T',
 * spaces around, a fraction of a second) and what is refused (CT_EINVAL,
 * the output left alone).
 */
#include "ct_test.h"

#include <stdlib.h>
#include <time.h>

#include "copytrader/dhan_types.h"
#include "copytrader/error.h"

static int64_t parse(const char *s) {
  int64_t ms = -1;
  assert_int_equal(ct_dhan_time_parse(s, &ms), 0);
  return ms;
}

static void test_known(void **state) {
  (void)state;
  assert_int_equal(parse("1970-01-01 05:30:00"), 0);
  /* the docs' example: 13:33:03 IST is 08:03:03 UTC */
  assert_int_equal(parse("2021-11-24 13:33:03"), 1637740983000LL);
  /* after midnight IST is the previous day in UTC */
  assert_int_equal(parse("2026-11-25 00:10:00"), 1795545600000LL);
  assert_int_equal(parse("2024-02-29 12:00:00"), 1709188200000LL);
  assert_int_equal(parse("1969-12-31 23:59:59"), -19801000LL);
}

static void test_against_libc(void **state) {
  unsigned seed = 11;
  (void)state;
  for (int i = 0; i < 20000; i++) {
    int64_t t = (int64_t)(rand_r(&seed) % 2000000000) * 2 - 500000000;
    time_t ist = (time_t)(t + 19800);
    struct tm tm;
    char buf[32];
    assert_non_null(gmtime_r(&ist, &tm));
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    assert_int_equal(parse(buf), t * 1000);
  }
}

static void test_tolerated(void **state) {
  int64_t base = parse("2026-03-17 09:15:00");
  (void)state;
  assert_int_equal(parse("2026-03-17T09:15:00"), base);
  assert_int_equal(parse("  2026-03-17 09:15:00 \n"), base);
  assert_int_equal(parse("2026-03-17 09:15:00.5"), base + 500);
  assert_int_equal(parse("2026-03-17 09:15:00.123456"), base + 123);
  assert_int_equal(parse("2026-03-17 09:15:00.07"), base + 70);
}

static void test_refused(void **state) {
  static const char *const bad[] = {
    "",
    "NA",
    "null",
    "2026-03-17",
    "2026-03-17 09:15",
    "2026-03-17 09:15:00Z",
    "2026-03-17 09:15:00+05:30",
    "2026-03-17 09:15:00.",
    "2026-03-17  09:15:00",
    "2026-3-17 09:15:00",
    "2026/03/17 09:15:00",
    "2026-13-01 00:00:00",
    "2026-00-01 00:00:00",
    "2026-04-31 00:00:00",
    "2023-02-29 00:00:00",
    "1900-02-29 00:00:00",
    "2026-03-17 24:00:00",
    "2026-03-17 09:60:00",
    "2026-03-17 09:15:61",
    "2026-03-17 09:15:00 IST",
  };
  int64_t ms = 42;
  (void)state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (ct_dhan_time_parse(bad[i], &ms) != CT_EINVAL)
      fail_msg("\"%s\" was read", bad[i]);
    assert_int_equal(ms, 42);
  }
  assert_int_equal(ct_dhan_time_parse(NULL, &ms), CT_EINVAL);
  assert_int_equal(ct_dhan_time_parse("2026-03-17 09:15:00", NULL), CT_EINVAL);
  assert_int_equal(parse("2000-02-29 00:00:00") > 0, 1); /* 400-year leap */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_known),
    cmocka_unit_test(test_against_libc),
    cmocka_unit_test(test_tolerated),
    cmocka_unit_test(test_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
