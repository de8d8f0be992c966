/*
 * Tests for dhan_error.c: every DH-9xx code, HTTP status fallbacks,
 * transport failures before and after sending, mutating and lookup calls,
 * and unknown body shapes (legacy RS-9005, Data API 805, HTML, empty,
 * binary) kept as a bounded, printable copy.
 */
#include "ct_test.h"

#include <string.h>

#include "copytrader/dhan_error.h"
#include "copytrader/error.h"
#include "dhan_fixture.h"

static ct_dhan_class_t classify_body(const char *body, int status,
                                     unsigned flags) {
  ct_dhan_error_t e;
  ct_dhan_classify(0, true, status, body, body ? strlen(body) : 0, flags, &e);
  return e.cls;
}

static char *dh(const char *code) {
  static char buf[128];
  snprintf(buf, sizeof(buf),
           "{\"errorType\":\"X\",\"errorCode\":\"%s\",\"errorMessage\":\"m\"}",
           code);
  return buf;
}

static void test_dh_codes(void **state) {
  (void)state;
  assert_int_equal(classify_body(dh("DH-901"), 401, 0), CT_DHAN_AUTH);
  assert_int_equal(classify_body(dh("DH-902"), 403, 0), CT_DHAN_CONFIG);
  assert_int_equal(classify_body(dh("DH-903"), 400, 0), CT_DHAN_CONFIG);
  assert_int_equal(classify_body(dh("DH-904"), 429, 0), CT_DHAN_RATE_LIMITED);
  assert_int_equal(classify_body(dh("DH-905"), 400, 0),
                   CT_DHAN_BUSINESS_REJECTION);
  assert_int_equal(classify_body(dh("DH-906"), 400, CT_DHAN_CALL_MUTATES),
                   CT_DHAN_BUSINESS_REJECTION);
  assert_int_equal(classify_body(dh("DH-907"), 400, CT_DHAN_CALL_MUTATES),
                   CT_DHAN_BUSINESS_REJECTION);
  assert_int_equal(classify_body(dh("DH-907"), 400, CT_DHAN_CALL_LOOKUP),
                   CT_DHAN_NOT_FOUND);
  assert_int_equal(classify_body(dh("DH-908"), 500, 0), CT_DHAN_TRANSIENT);
  assert_int_equal(classify_body(dh("DH-908"), 500, CT_DHAN_CALL_MUTATES),
                   CT_DHAN_OUTCOME_UNKNOWN);
  assert_int_equal(classify_body(dh("DH-909"), 500, 0), CT_DHAN_TRANSIENT);
  assert_int_equal(classify_body(dh("DH-909"), 500, CT_DHAN_CALL_MUTATES),
                   CT_DHAN_OUTCOME_UNKNOWN);
  assert_int_equal(classify_body(dh("DH-910"), 400, 0),
                   CT_DHAN_BUSINESS_REJECTION);
  assert_int_equal(classify_body(dh("DH-911"), 400, CT_DHAN_CALL_MUTATES),
                   CT_DHAN_CONFIG);
  /* The code wins over the status, even a 2xx one. */
  assert_int_equal(classify_body(dh("DH-904"), 400, 0), CT_DHAN_RATE_LIMITED);
  assert_int_equal(classify_body(dh("DH-906"), 200, 0),
                   CT_DHAN_BUSINESS_REJECTION);
  /* An unknown DH code falls back to the status. */
  assert_int_equal(classify_body(dh("DH-999"), 503, CT_DHAN_CALL_MUTATES),
                   CT_DHAN_TRANSIENT);
}

static void test_fields_parsed(void **state) {
  ct_dhan_error_t e;
  size_t len;
  char *body = ct_fixture("err_dh905.json", &len);
  (void)state;
  ct_dhan_classify(0, true, 400, body, len, CT_DHAN_CALL_MUTATES, &e);
  assert_int_equal(e.cls, CT_DHAN_BUSINESS_REJECTION);
  assert_int_equal(e.http_status, 400);
  assert_string_equal(e.error_type, "Input_Exception");
  assert_string_equal(e.error_code, "DH-905");
  assert_string_equal(
      e.error_message,
      "Missing required fields, bad values for parameters etc.");
  assert_non_null(strstr(e.raw, "\"errorCode\": \"DH-905\""));
  assert_null(strchr(e.raw, '\n')); /* printable only */
  assert_int_equal(ct_dhan_class_errno(e.cls), CT_EREJECTED);
  free(body);
}

/* Only an object naming an error key is looked into: whitespace before
 * it is fine, an array (an order book) or an order answer is not parsed,
 * and the code in a 2xx body still wins. */
static void test_error_keys_found(void **state) {
  ct_dhan_error_t e;
  const char *ws = " \n\t{\"errorCode\":\"DH-904\",\"message\":\"slow\"}";
  const char *data = "{\"status\":\"failed\",\"data\":{\"805\":\"many\"}}";
  const char *book = "[{\"orderId\":\"1\",\"errorCode\":\"DH-906\"}]";
  (void)state;
  ct_dhan_classify(0, true, 200, ws, strlen(ws), 0, &e);
  assert_int_equal(e.cls, CT_DHAN_RATE_LIMITED);
  assert_string_equal(e.error_message, "slow");
  assert_int_equal(classify_body(data, 200, 0), CT_DHAN_RATE_LIMITED);
  ct_dhan_classify(0, true, 200, book, strlen(book), 0, &e);
  assert_int_equal(e.cls, CT_DHAN_SUCCESS);
  assert_string_equal(e.error_code, "");
  ct_dhan_classify(0, true, 200, "{\"orderId\":\"7\"}", 15, 0, &e);
  assert_int_equal(e.cls, CT_DHAN_SUCCESS);
  assert_string_equal(e.error_message, "");
}

static void test_status_fallbacks(void **state) {
  (void)state;
  assert_int_equal(classify_body("{\"orderId\":\"1\"}", 200, 0),
                   CT_DHAN_SUCCESS);
  assert_int_equal(classify_body(NULL, 202, CT_DHAN_CALL_MUTATES),
                   CT_DHAN_SUCCESS);
  assert_int_equal(classify_body("", 401, 0), CT_DHAN_AUTH);
  assert_int_equal(classify_body("", 403, 0), CT_DHAN_CONFIG);
  assert_int_equal(classify_body("", 429, 0), CT_DHAN_RATE_LIMITED);
  assert_int_equal(classify_body("", 404, CT_DHAN_CALL_LOOKUP),
                   CT_DHAN_NOT_FOUND);
  assert_int_equal(classify_body("", 404, 0), CT_DHAN_BUSINESS_REJECTION);
  assert_int_equal(classify_body("", 400, 0), CT_DHAN_BUSINESS_REJECTION);
  assert_int_equal(classify_body("", 408, CT_DHAN_CALL_MUTATES),
                   CT_DHAN_TRANSIENT);
  assert_int_equal(classify_body("", 503, CT_DHAN_CALL_MUTATES),
                   CT_DHAN_TRANSIENT);
  assert_int_equal(classify_body("", 500, 0), CT_DHAN_TRANSIENT);
  assert_int_equal(classify_body("", 502, CT_DHAN_CALL_MUTATES),
                   CT_DHAN_OUTCOME_UNKNOWN);
  assert_int_equal(classify_body("", 302, 0), CT_DHAN_TRANSIENT);
}

static void test_transport(void **state) {
  ct_dhan_error_t e;
  (void)state;
  ct_dhan_classify(CT_ECONNREFUSED, false, 0, NULL, 0, CT_DHAN_CALL_MUTATES,
                   &e);
  assert_int_equal(e.cls, CT_DHAN_TRANSIENT);
  assert_int_equal(e.transport_err, CT_ECONNREFUSED);
  ct_dhan_classify(CT_ETIMEDOUT, false, 0, NULL, 0, CT_DHAN_CALL_MUTATES, &e);
  assert_int_equal(e.cls, CT_DHAN_TRANSIENT);
  ct_dhan_classify(CT_ETIMEDOUT, true, 0, NULL, 0, CT_DHAN_CALL_MUTATES, &e);
  assert_int_equal(e.cls, CT_DHAN_OUTCOME_UNKNOWN);
  ct_dhan_classify(CT_ECONNRESET, true, 0, NULL, 0, 0, &e);
  assert_int_equal(e.cls, CT_DHAN_TRANSIENT);
  ct_dhan_classify(CT_EINVAL, false, 0, NULL, 0, 0, &e);
  assert_int_equal(e.cls, CT_DHAN_CONFIG);
}

static void test_unknown_shapes(void **state) {
  ct_dhan_error_t e;
  size_t len;
  char *body;
  char big[4000];
  (void)state;
  body = ct_fixture("err_legacy.json", &len);
  ct_dhan_classify(0, true, 400, body, len, CT_DHAN_CALL_MUTATES, &e);
  assert_int_equal(e.cls, CT_DHAN_BUSINESS_REJECTION);
  assert_string_equal(e.error_code, "BAD_REQUEST_ERROR");
  assert_string_equal(e.error_message, "Transactions Fails");
  assert_non_null(strstr(e.raw, "RS-9005"));
  free(body);

  body = ct_fixture("err_data805.json", &len);
  ct_dhan_classify(0, true, 200, body, len, 0, &e);
  assert_int_equal(e.cls, CT_DHAN_RATE_LIMITED);
  assert_string_equal(e.error_code, "805");
  assert_non_null(strstr(e.error_message, "Too many requests"));
  free(body);

  body = ct_fixture("err_html.html", &len);
  ct_dhan_classify(0, true, 502, body, len, 0, &e);
  assert_int_equal(e.cls, CT_DHAN_TRANSIENT);
  assert_string_equal(e.error_code, "");
  assert_non_null(strstr(e.raw, "502 Bad Gateway"));
  assert_null(strchr(e.raw, '\r'));
  free(body);

  ct_dhan_classify(0, true, 400, "\x00\x01\xff", 3, 0, &e);
  assert_string_equal(e.raw, "???");
  memset(big, 'x', sizeof(big));
  ct_dhan_classify(0, true, 500, big, sizeof(big), 0, &e);
  assert_int_equal(strlen(e.raw), CT_DHAN_RAW_SIZE - 1);
  ct_dhan_classify(0, true, 400, "{\"errorCode\":[1,2]}", 19, 0, &e);
  assert_int_equal(e.cls, CT_DHAN_BUSINESS_REJECTION);
  assert_string_equal(e.error_code, "");
}

static void test_advice(void **state) {
  (void)state;
  assert_true(ct_dhan_class_breaker_failure(CT_DHAN_TRANSIENT));
  assert_true(ct_dhan_class_breaker_failure(CT_DHAN_OUTCOME_UNKNOWN));
  assert_false(ct_dhan_class_breaker_failure(CT_DHAN_BUSINESS_REJECTION));
  assert_false(ct_dhan_class_breaker_failure(CT_DHAN_RATE_LIMITED));
  assert_false(ct_dhan_class_breaker_failure(CT_DHAN_AUTH));
  assert_true(ct_dhan_class_retryable(CT_DHAN_TRANSIENT));
  assert_true(ct_dhan_class_retryable(CT_DHAN_RATE_LIMITED));
  assert_false(ct_dhan_class_retryable(CT_DHAN_OUTCOME_UNKNOWN));
  assert_false(ct_dhan_class_retryable(CT_DHAN_CONFIG));
  assert_string_equal(ct_dhan_class_name(CT_DHAN_OUTCOME_UNKNOWN),
                      "OUTCOME_UNKNOWN");
  assert_string_equal(ct_dhan_class_name(CT_DHAN_CLASS_COUNT), "?");
  assert_int_equal(ct_dhan_class_errno(CT_DHAN_SUCCESS), 0);
  assert_int_equal(ct_dhan_class_errno(CT_DHAN_RATE_LIMITED), CT_ERATELIMIT);
  assert_int_equal(ct_dhan_class_errno(CT_DHAN_OUTCOME_UNKNOWN), CT_EUNKNOWN);
  assert_int_equal(ct_dhan_class_errno(CT_DHAN_NOT_FOUND), CT_ENOTFOUND);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_dh_codes),
    cmocka_unit_test(test_fields_parsed),
    cmocka_unit_test(test_error_keys_found),
    cmocka_unit_test(test_status_fallbacks),
    cmocka_unit_test(test_transport),
    cmocka_unit_test(test_unknown_shapes),
    cmocka_unit_test(test_advice),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
