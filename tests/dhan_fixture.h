/*
 * Fixture loading for the Dhan model tests: reads tests/data/dhan/<name>
 * into a malloc'd, NUL-terminated buffer (the NUL is not counted in *len).
 * A missing fixture fails the calling test.
 */
#ifndef CT_TEST_DHAN_FIXTURE_H
#define CT_TEST_DHAN_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "ct_test.h"

static inline char *ct_fixture(const char *name, size_t *len) {
  char path[512];
  FILE *f;
  char *buf = NULL;
  long n;
  *len = 0;
  snprintf(path, sizeof(path), "%s/dhan/%s", CT_TEST_DATA_DIR, name);
  f = fopen(path, "rb");
  assert_non_null(f);
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
  }
  fclose(f);
  assert_non_null(buf);
  return buf;
}

#endif /* CT_TEST_DHAN_FIXTURE_H */
