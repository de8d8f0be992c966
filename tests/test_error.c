/*
 * Tests for error.c and log.c: error texts, and that secrets never reach a
 * log line.
 */
#include "ct_test.h"

#include <stdio.h>
#include <string.h>

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

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_code_has_text),
    cmocka_unit_test(test_secret_is_masked_and_levels_filter),
  };
  return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
