/*
 * Integration test of the ctapi command-line tool: run the real binary
 * against dhansim, parse its JSON output, check exit codes by
 * classification, flag errors that name the flag, and that the token
 * never appears in the output.
 */
#include "ct_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "api_fx.h"
#include "sim.h"

static ct_sim_t sim;
static const char *const args[] = { "--account",
                                    "1000000001:tok-SECRET-A:5000000",
                                    "--no-rate-limit", NULL };

static int setup(void **state) {
  (void)state;
  ct_api_fx_sim_env();
  return ct_sim_start(&sim, args);
}

static int teardown(void **state) {
  (void)state;
  return ct_sim_stop(&sim) == 0 ? 0 : -1;
}

/* Run ctapi with `rest` appended; stdout in out (cap), exit status. */
static int ctapi(const char *token, const char *rest, char *out, size_t cap) {
  char cmd[1024];
  const char *bin = getenv("CT_BINARY_DIR");
  FILE *p;
  size_t n;
  int st;
  snprintf(cmd, sizeof(cmd),
           "CTAPI_TOKEN='%s' %s/tools/ctapi/ctapi --base-url %s/v2 "
           "--client-id 1000000001 --token-env CTAPI_TOKEN %s 2>&1",
           token, bin ? bin : CT_BINARY_DIR, sim.url, rest);
  p = popen(cmd, "r");
  assert_non_null(p);
  n = fread(out, 1, cap - 1, p);
  out[n] = '\0';
  st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_place_and_list(void **state) {
  static char out[65536];
  (void)state;
  int rc = ctapi("tok-SECRET-A",
                 "orders place --security-id 11536 --segment NSE_EQ --side "
                 "BUY --qty 1 --type MARKET --product INTRADAY --corr cli-1",
                 out, sizeof(out));
  assert_int_equal(rc, 0);
  cJSON *j = cJSON_Parse(out);
  assert_non_null(j);
  assert_string_equal(cJSON_GetObjectItem(j, "class")->valuestring, "SUCCESS");
  cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
  assert_non_null(d);
  char id[64];
  snprintf(id, sizeof(id), "%s",
           cJSON_GetObjectItem(d, "orderId")->valuestring);
  assert_true(strlen(id) > 0);
  cJSON_Delete(j);
  assert_null(strstr(out, "SECRET"));

  rc = ctapi("tok-SECRET-A", "orders by-corr --corr cli-1", out, sizeof(out));
  assert_int_equal(rc, 0);
  j = cJSON_Parse(out);
  assert_non_null(j);
  d = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
  assert_string_equal(cJSON_GetObjectItem(d, "orderId")->valuestring, id);
  assert_string_equal(cJSON_GetObjectItem(d, "securityId")->valuestring,
                      "11536");
  cJSON_Delete(j);

  rc = ctapi("tok-SECRET-A", "funds limit", out, sizeof(out));
  assert_int_equal(rc, 0);
  j = cJSON_Parse(out);
  d = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "data"), 0);
  assert_true(cJSON_GetObjectItem(d, "availableBalance")->valuedouble > 0);
  cJSON_Delete(j);
}

static void test_auth_exit_code(void **state) {
  static char out[16384];
  (void)state;
  int rc = ctapi("wrong-SECRET", "auth profile", out, sizeof(out));
  assert_int_equal(rc, 6);
  cJSON *j = cJSON_Parse(out);
  assert_non_null(j);
  assert_string_equal(cJSON_GetObjectItem(j, "class")->valuestring, "AUTH");
  assert_string_equal(cJSON_GetObjectItem(j, "errorCode")->valuestring,
                      "DH-901");
  cJSON_Delete(j);
  assert_null(strstr(out, "SECRET"));
}

static void test_bad_flags(void **state) {
  static char out[16384];
  (void)state;
  assert_int_equal(ctapi("t",
                         "orders place --security-id 11536 --segment "
                         "NSE_EQ --side BUY --qty x --type MARKET "
                         "--product INTRADAY",
                         out, sizeof(out)),
                   2);
  assert_non_null(strstr(out, "--qty x: not an integer"));
  assert_int_equal(ctapi("t", "orders list --bogus 1", out, sizeof(out)), 2);
  assert_non_null(strstr(out, "--bogus: unknown flag"));
  assert_int_equal(ctapi("t", "orders get", out, sizeof(out)), 2);
  assert_non_null(strstr(out, "--order-id is required"));
  assert_int_equal(ctapi("t", "orders fly", out, sizeof(out)), 2);
  assert_non_null(strstr(out, "fly"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_place_and_list),
    cmocka_unit_test(test_auth_exit_code),
    cmocka_unit_test(test_bad_flags),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
