/*
 * Shared helpers for the test programs. Each test file includes this first:
 * it pulls in cmocka in the order cmocka requires and adds small utilities
 * (temporary directories, free loopback ports) that several tests need.
 */
#ifndef CT_TEST_H
#define CT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* cmocka needs the headers above first: keep it in its own block. */
#include <cmocka.h>

/* Make a fresh directory under $TMPDIR (or /tmp); the path is malloc'd and
 * the caller frees it after ct_test_rmtree(). */
char *ct_test_tmpdir(const char *prefix);
/* Remove a directory tree made by ct_test_tmpdir(). */
void ct_test_rmtree(const char *path);
/* A TCP port on 127.0.0.1 that was free a moment ago. */
int ct_test_free_port(void);
/* Poll (1 ms steps) until *v >= want or timeout_ms passes; returns the
 * last value seen, so `assert_int_equal(ct_test_wait_ge(&n, 5, 5000), 5)`
 * fails with both values instead of hanging. For counters bumped by other
 * threads (actors). */
int ct_test_wait_ge(const _Atomic int *v, int want, int timeout_ms);
struct ct_runtime;
/* Stop, join and free a runtime; returns what ct_runtime_join() said (0:
 * every loop closed cleanly), for the caller to assert once it has freed
 * what else it holds. */
int ct_test_runtime_end(struct ct_runtime *rt);
/* Write a file from a printf format (asserting every step) and give it
 * `mode` (configs holding a token must be 0600). */
void ct_test_writef(const char *path, mode_t mode, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A whole file in a malloc'd, NUL-terminated buffer (the caller frees it);
 * *len (when not NULL) gets its length without the NUL. NULL when the file
 * cannot be read. */
char *ct_test_read_file(const char *path, size_t *len);
/* Sleep `ms` milliseconds (nanosleep). */
void ct_test_sleep_ms(long ms);

#endif /* CT_TEST_H */
