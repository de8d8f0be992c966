/*
 * Unit: ct_grow, the doubling growth of arrays: the first capacity, room
 * left (the same array back), doubling, and an impossible size refused
 * with the array and its capacity unchanged.
 */
#include <stdint.h>
#include <stdlib.h>

#include "copytrader/grow.h"
#include "ct_test.h"

static void test_grow(void **state) {
  size_t cap = 0;
  int *a = NULL, *b;
  (void)state;
  a = ct_grow(a, &cap, 0, sizeof(*a), 4);
  assert_non_null(a);
  assert_int_equal(cap, 4);
  b = ct_grow(a, &cap, 3, sizeof(*a), 4); /* room: same array */
  assert_ptr_equal(b, a);
  assert_int_equal(cap, 4);
  for (int i = 0; i < 4; i++)
    a[i] = i;
  a = ct_grow(a, &cap, 4, sizeof(*a), 4);
  assert_non_null(a);
  assert_int_equal(cap, 8);
  assert_int_equal(a[3], 3); /* kept across the realloc */
  b = ct_grow(a, &cap, 8, SIZE_MAX / 8, 4);
  assert_null(b);
  assert_int_equal(cap, 8);
  free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_grow) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
