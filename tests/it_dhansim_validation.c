/*
 * Integration tests of dhansim's authentication and request validation:
 * every rejected input gets the documented error (401 DH-901, 400 DH-905,
 * 400 DH-906, 404 DH-907, 413) and the server keeps serving. Also the
 * command-line errors that name the bad flag.
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_client.h"

#define A   "1000000001"
#define TOK "tok-A"

static const char *const sim_args[] = { "--account",       A ":" TOK,
                                        "--account",       "1000000002:tok-B",
                                        "--no-rate-limit", NULL };
static ct_sim_t sim;

static int setup(void **state) {
  (void)state;
  return ct_sim_start(&sim, sim_args);
}

static int teardown(void **state) {
  (void)state;
  return ct_sim_stop(&sim) == 0 ? 0 : -1;
}

/* Sends and checks status + errorCode (NULL: success expected). */
static void expect(const char *method, const char *path, const char *token,
                   const char *body, long status, const char *code) {
  ct_http_resp_t r;
  assert_int_equal(ct_http(sim.url, method, path, token, body, NULL, &r), 0);
  if (r.status != status)
    fail_msg("%s %s body=%s: status %ld, want %ld (%s)", method, path,
             body ? body : "-", r.status, status, r.body);
  if (code) {
    assert_string_equal(ct_jstr(r.json, "errorCode"), code);
    assert_true(strlen(ct_jstr(r.json, "errorType")) > 0);
    assert_true(strlen(ct_jstr(r.json, "errorMessage")) > 0);
  }
  ct_http_resp_free(&r);
}

#define BASE                                                                   \
  "\"dhanClientId\":\"" A                                                      \
  "\",\"transactionType\":\"BUY\","                                            \
  "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","                    \
  "\"validity\":\"DAY\",\"securityId\":\"11536\""

static void place_expect(const char *extra, long status, const char *code) {
  char body[1024];
  snprintf(body, sizeof(body), "{" BASE "%s}", extra);
  expect("POST", "/v2/orders", TOK, body, status, code);
}

static void test_auth(void **state) {
  ct_http_resp_t r;
  const char *hdr[] = { "client-id: 1000000002", NULL };
  const char *ok_hdr[] = { "client-id: " A, NULL };
  (void)state;
  expect("GET", "/v2/orders", NULL, NULL, 401, "DH-901");
  expect("GET", "/v2/orders", "wrong", NULL, 401, "DH-901");
  expect("GET", "/v2/fundlimit", "tok-B", NULL, 200, NULL);
  /* dhanClientId of another account in the body */
  expect("POST", "/v2/orders", "tok-B",
         "{" BASE ",\"orderType\":\"MARKET\",\"quantity\":1}", 401, "DH-901");
  assert_int_equal(ct_http(sim.url, "GET", "/v2/orders", TOK, NULL, hdr, &r),
                   0);
  assert_int_equal(r.status, 401);
  ct_http_resp_free(&r);
  assert_int_equal(ct_http(sim.url, "GET", "/v2/orders", TOK, NULL, ok_hdr, &r),
                   0);
  assert_int_equal(r.status, 200);
  ct_http_resp_free(&r);
}

static void test_routes_and_methods(void **state) {
  (void)state;
  expect("GET", "/v2/nothing", TOK, NULL, 404, "DH-907");
  expect("GET", "/elsewhere", TOK, NULL, 404, "DH-907");
  expect("POST", "/v2/RenewToken", TOK, "{}", 400, "DH-905");
  expect("GET", "/v2/orders/5226999999999", TOK, NULL, 404, "DH-907");
  expect("DELETE", "/v2/orders/abc", TOK, NULL, 404, "DH-907");
  expect("GET", "/v2/trades/123", TOK, NULL, 404, "DH-907");
}

static void test_body_shape(void **state) {
  char *big;
  (void)state;
  expect("POST", "/v2/orders", TOK, "{\"dhanClientId\":", 400, "DH-905");
  expect("POST", "/v2/orders", TOK, "[1,2,3]", 400, "DH-905");
  expect("POST", "/v2/orders", TOK, "\"text\"", 400, "DH-905");
  expect("POST", "/v2/orders", TOK, "", 400, "DH-905");
  big = malloc(200000);
  memset(big, ' ', 199999);
  big[0] = '{';
  big[199998] = '}';
  big[199999] = '\0';
  expect("POST", "/v2/orders", TOK, big, 413, "DH-905");
  free(big);
  const char *chunked[] = { "Transfer-Encoding: chunked", NULL };
  ct_http_resp_t r;
  assert_int_equal(
      ct_http(sim.url, "POST", "/v2/orders", TOK, "{}", chunked, &r), 0);
  assert_int_equal(r.status, 411);
  assert_string_equal(ct_jstr(r.json, "errorCode"), "DH-905");
  ct_http_resp_free(&r);
  expect("GET", "/v2/fundlimit", TOK, NULL, 200, NULL); /* still serving */
}

static void test_fields(void **state) {
  (void)state;
  place_expect(",\"orderType\":\"MARKET\",\"quantity\":1", 200, NULL);
  place_expect(",\"orderType\":\"MARKET\",\"quantity\":\"1\",\"price\":\"\"",
               200, NULL);
  place_expect(",\"orderType\":\"MARKET\",\"quantity\":1,\"qty\":1", 400,
               "DH-905");
  place_expect(",\"orderType\":\"MARKET\",\"Quantity\":1", 400, "DH-905");
  place_expect(",\"orderType\":\"MARKET\"", 400, "DH-905");
  place_expect(",\"orderType\":\"LIMITED\",\"quantity\":1", 400, "DH-905");
  place_expect(",\"orderType\":\"MARKET\",\"quantity\":1.5", 400, "DH-905");
  place_expect(",\"orderType\":\"MARKET\",\"quantity\":\"x1\"", 400, "DH-905");
  place_expect(",\"orderType\":\"MARKET\",\"quantity\":0", 400, "DH-905");
  place_expect(",\"orderType\":\"MARKET\",\"quantity\":true", 400, "DH-905");
  expect("POST", "/v2/orders", TOK,
         "{\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
         "\"productType\":\"CNC\",\"orderType\":\"MARKET\",\"validity\":"
         "\"DAY\",\"securityId\":\"11536\",\"quantity\":1}",
         400, "DH-905");
}

static void test_instrument_rules(void **state) {
  char body[1024];
  (void)state;
  place_expect(",\"orderType\":\"MARKET\",\"quantity\":1,\"securityId2\":1",
               400, "DH-905");
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"transactionType\":\"BUY\","
           "\"exchangeSegment\":\"NSE_FNO\",\"productType\":\"MARGIN\","
           "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":"
           "\"48210\",\"quantity\":%d,\"price\":310.5}",
           70);
  expect("POST", "/v2/orders", TOK, body, 400, "DH-905"); /* lot 75 */
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"transactionType\":\"BUY\","
           "\"exchangeSegment\":\"NSE_FNO\",\"productType\":\"MARGIN\","
           "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":"
           "\"48210\",\"quantity\":%d,\"price\":310.5}",
           150);
  expect("POST", "/v2/orders", TOK, body, 200, NULL);
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"transactionType\":\"BUY\","
           "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
           "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":"
           "\"99999\",\"quantity\":1,\"price\":1}");
  expect("POST", "/v2/orders", TOK, body, 400, "DH-905");
  /* MARGIN on an equity segment */
  expect("POST", "/v2/orders", TOK,
         "{\"dhanClientId\":\"" A
         "\",\"transactionType\":\"BUY\","
         "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"MARGIN\","
         "\"orderType\":\"MARKET\",\"validity\":\"DAY\",\"securityId\":"
         "\"11536\",\"quantity\":1}",
         400, "DH-906");
}

static void test_price_rules(void **state) {
  (void)state;
  place_expect(",\"orderType\":\"LIMIT\",\"quantity\":1", 400, "DH-905");
  place_expect(",\"orderType\":\"LIMIT\",\"quantity\":1,\"price\":3100.03", 400,
               "DH-905"); /* tick 0.10 */
  place_expect(",\"orderType\":\"LIMIT\",\"quantity\":1,\"price\":-5", 400,
               "DH-905");
  place_expect(",\"orderType\":\"STOP_LOSS\",\"quantity\":1,\"price\":3100",
               400, "DH-905"); /* no trigger */
  place_expect(
      ",\"orderType\":\"STOP_LOSS\",\"quantity\":1,\"price\":3100,"
      "\"triggerPrice\":3101",
      400, "DH-906"); /* BUY: trigger <= price */
  place_expect(
      ",\"orderType\":\"STOP_LOSS\",\"quantity\":1,\"price\":3100,"
      "\"triggerPrice\":3099.5",
      200, NULL);
  place_expect(",\"orderType\":\"STOP_LOSS_MARKET\",\"quantity\":1", 400,
               "DH-905");
  place_expect(
      ",\"orderType\":\"STOP_LOSS_MARKET\",\"quantity\":1,"
      "\"triggerPrice\":\"3130\"",
      200, NULL);
}

static void test_amo_corr_disclosed(void **state) {
  char extra[256];
  (void)state;
  place_expect(
      ",\"orderType\":\"MARKET\",\"quantity\":1,"
      "\"afterMarketOrder\":true",
      400, "DH-905");
  place_expect(
      ",\"orderType\":\"MARKET\",\"quantity\":1,"
      "\"afterMarketOrder\":true,\"amoTime\":\"NOON\"",
      400, "DH-905");
  place_expect(
      ",\"orderType\":\"MARKET\",\"quantity\":1,"
      "\"afterMarketOrder\":true,\"amoTime\":\"OPEN_30\"",
      200, NULL);
  snprintf(extra, sizeof(extra),
           ",\"orderType\":\"MARKET\",\"quantity\":1,\"correlationId\":\"%s\"",
           "abcdefghij_ABCDEFGHIJ-0123 567"); /* 30 characters */
  place_expect(extra, 200, NULL);
  snprintf(extra, sizeof(extra),
           ",\"orderType\":\"MARKET\",\"quantity\":1,\"correlationId\":\"%s\"",
           "abcdefghij_ABCDEFGHIJ-0123 5678"); /* 31 */
  place_expect(extra, 400, "DH-905");
  place_expect(
      ",\"orderType\":\"MARKET\",\"quantity\":1,"
      "\"correlationId\":\"a/b\"",
      400, "DH-905");
  place_expect(
      ",\"orderType\":\"MARKET\",\"quantity\":1,"
      "\"correlationId\":[\"a\"]",
      400, "DH-905");
  place_expect(
      ",\"orderType\":\"MARKET\",\"quantity\":10,"
      "\"disclosedQuantity\":2",
      400, "DH-905");
  place_expect(
      ",\"orderType\":\"MARKET\",\"quantity\":10,"
      "\"disclosedQuantity\":4",
      200, NULL);
}

static void test_modify_validation(void **state) {
  ct_http_resp_t r;
  char path[128], body[512];
  const char *id;
  (void)state;
  assert_int_equal(
      ct_http(sim.url, "POST", "/v2/orders", TOK,
              "{" BASE ",\"orderType\":\"LIMIT\",\"quantity\":1,\"price\":1}",
              NULL, &r),
      0);
  assert_int_equal(r.status, 200);
  id = ct_jstr(r.json, "orderId");
  snprintf(path, sizeof(path), "/v2/orders/%s", id);
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"orderId\":\"%s\",\"orderType\":"
           "\"LIMIT\",\"validity\":\"DAY\",\"price\":2,\"colour\":1}",
           id);
  expect("PUT", path, TOK, body, 400, "DH-905");
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"orderId\":\"1\",\"orderType\":"
           "\"LIMIT\",\"validity\":\"DAY\",\"price\":2}");
  expect("PUT", path, TOK, body, 400, "DH-905");
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"orderId\":\"%s\",\"orderType\":"
           "\"LIMIT\",\"price\":2}",
           id);
  expect("PUT", path, TOK, body, 400, "DH-905"); /* validity missing */
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"orderId\":\"%s\",\"orderType\":"
           "\"STOP_LOSS\",\"validity\":\"DAY\",\"price\":2,"
           "\"triggerPrice\":3}",
           id);
  expect("PUT", path, TOK, body, 400, "DH-906");
  expect("PUT", "/v2/orders/5226999999999", TOK,
         "{\"dhanClientId\":\"" A
         "\",\"orderId\":\"5226999999999\","
         "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"price\":2}",
         404, "DH-907");
  /* another account cannot see or touch this order */
  expect("GET", path, "tok-B", NULL, 404, "DH-907");
  expect("DELETE", path, "tok-B", NULL, 404, "DH-907");
  ct_http_resp_free(&r);
}

static void test_flag_errors(void **state) {
  char err[1024];
  const char *no_listen[] = { "--account", "1:t", NULL };
  const char *bad_account[] = { "--listen", "127.0.0.1:0", "--account",
                                "nocolon", NULL };
  const char *bad_mode[] = { "--listen",    "127.0.0.1:0", "--account", "1:t",
                             "--fill-mode", "sometimes",   NULL };
  const char *unknown[] = { "--listen",     "127.0.0.1:0", "--account", "1:t",
                            "--frobnicate", "1",           NULL };
  const char *bad_csv[] = { "--listen", "127.0.0.1:0",   "--account",
                            "1:t",      "--instruments", "/nonexistent.csv",
                            NULL };
  (void)state;
  assert_int_equal(ct_sim_run_fail(no_listen, err, sizeof(err)), 2);
  assert_non_null(strstr(err, "--listen"));
  assert_int_equal(ct_sim_run_fail(bad_account, err, sizeof(err)), 2);
  assert_non_null(strstr(err, "--account"));
  assert_int_equal(ct_sim_run_fail(bad_mode, err, sizeof(err)), 2);
  assert_non_null(strstr(err, "--fill-mode"));
  assert_int_equal(ct_sim_run_fail(unknown, err, sizeof(err)), 2);
  assert_non_null(strstr(err, "--frobnicate"));
  assert_int_equal(ct_sim_run_fail(bad_csv, err, sizeof(err)), 2);
  assert_non_null(strstr(err, "--instruments"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_auth),
    cmocka_unit_test(test_routes_and_methods),
    cmocka_unit_test(test_body_shape),
    cmocka_unit_test(test_fields),
    cmocka_unit_test(test_instrument_rules),
    cmocka_unit_test(test_price_rules),
    cmocka_unit_test(test_amo_corr_disclosed),
    cmocka_unit_test(test_modify_validation),
    cmocka_unit_test(test_flag_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
