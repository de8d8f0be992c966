/*
 * grow.c: the doubling growth of arrays (see grow.h).
 */
#include "copytrader/grow.h"

#include <stdint.h>
#include <stdlib.h>

void *ct_grow(void *arr, size_t *cap, size_t n, size_t elem, size_t first) {
  size_t want;
  void *p;
  if (n < *cap)
    return arr;
  want = *cap ? *cap * 2 : first;
  if (want <= n || elem == 0 || want > SIZE_MAX / elem)
    return NULL;
  p = realloc(arr, want * elem);
  if (p != NULL)
    *cap = want;
  return p;
}
