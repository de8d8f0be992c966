/*
 * Tests for error.c and log.c: error texts, that secrets never reach a
 * log line, and deferred mode (lines buffered until a flush, WARN lines
 * written at once after what is buffered, order kept).
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "copytrader/log.h"

static void test_every_code_has_text(void **state) {
  (void)state;
  for (int err = -1; err >= CT_EDNS; err--) {
    assert_string_not_equal(ct_strerror(err), "unknown error");
    assert_string_not_equal(ct_err_name(err), "CT_E?");
  }
  assert_string_equal(ct_err_name(CT_ETIMEDOUT), "CT_ETIMEDOUT");
  assert_string_equal(ct_strerror(0), "success");
  assert_string_equal(ct_strerror(-9999), "unknown error");
}

static char captured[4096];

static void capture(ct_log_level_t level, const char *line, size_t len,
                    void *ctx) {
  (void)level;
  (void)ctx;
  snprintf(captured, sizeof(captured), "%.*s", (int)len, line);
}

static void test_secret_is_masked_and_levels_filter(void **state) {
  ct_secret_t tok = { 0 };
  (void)state;
  assert_int_equal(ct_secret_set(&tok, "eyJhbGciOi.secret.token"), 0);
  ct_log_set_sink(capture, NULL);
  ct_log_set_level(CT_LOG_INFO);
  ct_log_info("test", "account=%s token=%s", "1000000001",
              ct_secret_masked(&tok));
  assert_non_null(strstr(captured, "account=1000000001 token=***"));
  assert_null(strstr(captured, "secret.token"));
  assert_string_equal(ct_secret_reveal(&tok), "eyJhbGciOi.secret.token");

  captured[0] = '\0';
  ct_log_debug("test", "hidden=1");
  assert_string_equal(captured, "");
  ct_log_set_sink(NULL, NULL);
  ct_secret_clear(&tok);
  assert_string_equal(ct_secret_reveal(&tok), "");
}

/* What fd holds so far (from its start). */
static void slurp(int fd, char *buf, size_t cap) {
  ssize_t n = pread(fd, buf, cap - 1, 0);
  buf[n > 0 ? (size_t)n : 0] = '\0';
}

static void test_deferred_lines_keep_order(void **state) {
  char path[] = "/tmp/ct_log_XXXXXX";
  char out[4][1024];
  int fd = mkstemp(path), saved = dup(STDERR_FILENO), rc, rc2;
  const char *a, *b, *c;
  (void)state;
  assert_true(fd >= 0);
  ct_log_set_level(CT_LOG_INFO);
  dup2(fd, STDERR_FILENO); /* no assertion until stderr is back */
  rc = ct_log_defer(4096);
  ct_log_info("test", "n=1");
  slurp(fd, out[0], sizeof out[0]); /* buffered: nothing written yet */
  ct_log_flush();
  slurp(fd, out[1], sizeof out[1]);
  ct_log_info("test", "n=2");
  ct_log_warn("test", "n=3"); /* at once, after n=2 */
  slurp(fd, out[2], sizeof out[2]);
  ct_log_info("test", "n=4");
  ct_log_defer_end(); /* writes n=4; then one write per line again */
  rc2 = ct_log_defer(4096);
  ct_log_defer_end();
  ct_log_info("test", "n=5");
  slurp(fd, out[3], sizeof out[3]);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  unlink(path);
  assert_int_equal(rc, 0);
  assert_int_equal(rc2, 0);
  assert_string_equal(out[0], "");
  assert_non_null(strstr(out[1], "INFO test n=1\n"));
  a = strstr(out[2], "n=1");
  b = strstr(out[2], "INFO test n=2\n");
  c = strstr(out[2], "WARN test n=3\n");
  assert_true(a != NULL && b != NULL && c != NULL && a < b && b < c);
  assert_non_null(strstr(out[3], "n=3\n"));
  b = strstr(out[3], "INFO test n=4\n");
  c = strstr(out[3], "INFO test n=5\n");
  assert_true(b != NULL && c != NULL && b < c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_code_has_text),
    cmocka_unit_test(test_secret_is_masked_and_levels_filter),
    cmocka_unit_test(test_deferred_lines_keep_order),
  };
  return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
