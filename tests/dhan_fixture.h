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
  char *buf;
  snprintf(path, sizeof(path), "%s/dhan/%s", CT_TEST_DATA_DIR, name);
  buf = ct_test_read_file(path, len);
  assert_non_null(buf);
  return buf;
}

#endif /* CT_TEST_DHAN_FIXTURE_H */
