/*
 * grow.h: room for one more element in a growable array (pointer, count,
 * capacity), doubling with realloc: the one growth rule of the code base.
 */
#ifndef COPYTRADER_GROW_H
#define COPYTRADER_GROW_H

#include <stddef.h>

/* When n == *cap, reallocates `arr` to twice *cap elements of `elem` bytes
 * (`first` when *cap is 0) and updates *cap. Returns the array to use (arr
 * itself when there was room), or NULL when out of memory: arr and *cap are
 * then unchanged and still owned by the caller. */
void *ct_grow(void *arr, size_t *cap, size_t n, size_t elem, size_t first);

#endif /* COPYTRADER_GROW_H */
