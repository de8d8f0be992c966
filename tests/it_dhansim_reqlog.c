/*
 * Integration tests of dhansim's request log (GET /admin/requests): each
 * request outside /admin is recorded as received (method, path, query,
 * the headers that matter, the body bytes), the access token only as
 * "present", never its value; rejected and unauthenticated requests too;
 * the account, after= and clear filters work.
 */
#include "ct_test.h"

#include <stdio.h>
#include <string.h>

#include "sim.h"
#include "sim_client.h"

#define A   "1000000001"
#define TOK "tok-SECRET-A"

static const char *const sim_args[] = { "--account",       A ":" TOK,
                                        "--account",       "1000000002:tok-B",
                                        "--no-rate-limit", NULL };
static ct_sim_t sim;

CT_SIM_GROUP_FIXTURE(sim, sim_args)

static cJSON *log_get(const char *query, ct_http_resp_t *r) {
  char path[128];
  snprintf(path, sizeof(path), "/admin/requests%s", query);
  assert_int_equal(ct_http(sim.url, "GET", path, NULL, NULL, NULL, r), 0);
  assert_int_equal(r->status, 200);
  assert_null(strstr(r->body, "SECRET")); /* never the token's value */
  return cJSON_GetObjectItem(r->json, "requests");
}

static void do_req(const char *method, const char *path, const char *token,
                   const char *body, const char *const *hdr, long status) {
  ct_http_resp_t r;
  assert_int_equal(ct_http(sim.url, method, path, token, body, hdr, &r), 0);
  assert_int_equal(r.status, status);
  ct_http_resp_free(&r);
}

static void test_as_received(void **state) {
  static const char body[] = "{\"dhanClientId\":\"" A
                             "\",\"transactionType\":"
                             "\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
                             "\"productType\":\"INTRADAY\",\"orderType\":"
                             "\"MARKET\",\"validity\":\"DAY\",\"securityId\":"
                             "\"11536\",\"quantity\":1,\"price\":0}";
  static const char *const hdr[] = { "client-id: " A,
                                     "Accept: application/json", NULL };
  ct_http_resp_t r;
  (void)state;
  do_req("POST", "/v2/admin-not/x", NULL, NULL, NULL, 404);
  do_req("POST", "/v2/orders", TOK, body, hdr, 200);
  do_req("POST", "/v2/killswitch?killSwitchStatus=DEACTIVATE", TOK, NULL, hdr,
         200);
  do_req("GET", "/v2/fundlimit", "wrong-SECRET", NULL, NULL, 401);

  const cJSON *reqs = log_get("", &r);
  assert_int_equal(cJSON_GetArraySize(reqs), 4);
  const cJSON *e = cJSON_GetArrayItem(reqs, 1);
  assert_string_equal(ct_jstr(e, "method"), "POST");
  assert_string_equal(ct_jstr(e, "path"), "/v2/orders");
  assert_string_equal(ct_jstr(e, "account"), A);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "accessTokenPresent")));
  const cJSON *h = cJSON_GetObjectItem(e, "headers");
  assert_string_equal(ct_jstr(h, "client-id"), A);
  assert_string_equal(ct_jstr(h, "content-type"), "application/json");
  assert_string_equal(ct_jstr(h, "accept"), "application/json");
  assert_null(cJSON_GetObjectItem(h, "access-token"));
  assert_string_equal(ct_jstr(e, "body"), body); /* byte for byte */
  assert_int_equal((int)ct_jnum(e, "bodyLength"), (int)strlen(body));
  assert_int_equal((int)ct_jnum(e, "status"), 200);

  e = cJSON_GetArrayItem(reqs, 2); /* query kept, no body */
  assert_string_equal(ct_jstr(e, "path"), "/v2/killswitch");
  assert_string_equal(ct_jstr(e, "query"), "killSwitchStatus=DEACTIVATE");
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "body")));

  e = cJSON_GetArrayItem(reqs, 3); /* a wrong token: present, no account */
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "accessTokenPresent")));
  assert_string_equal(ct_jstr(e, "account"), "");
  assert_int_equal((int)ct_jnum(e, "status"), 401);

  e = cJSON_GetArrayItem(reqs, 0); /* no token at all */
  assert_false(cJSON_IsTrue(cJSON_GetObjectItem(e, "accessTokenPresent")));
  ct_http_resp_free(&r);
}

static void test_filters_and_clear(void **state) {
  ct_http_resp_t r;
  char q[64];
  (void)state;
  do_req("POST", "/admin/requests/clear", NULL, "{}", NULL, 200);
  do_req("GET", "/v2/fundlimit", TOK, NULL, NULL, 200);
  do_req("GET", "/v2/fundlimit", "tok-B", NULL, NULL, 200);
  const cJSON *reqs = log_get("?account=" A, &r);
  assert_int_equal(cJSON_GetArraySize(reqs), 1);
  double last = ct_jnum(r.json, "lastSeq");
  ct_http_resp_free(&r);

  do_req("GET", "/v2/profile", TOK, NULL, NULL, 200);
  snprintf(q, sizeof(q), "?after=%.0f", last);
  reqs = log_get(q, &r);
  assert_int_equal(cJSON_GetArraySize(reqs), 1);
  assert_string_equal(ct_jstr(cJSON_GetArrayItem(reqs, 0), "path"),
                      "/v2/profile");
  ct_http_resp_free(&r);

  do_req("POST", "/admin/stamps/clear", NULL, "{}", NULL, 200);
  reqs = log_get("", &r);
  assert_int_equal(cJSON_GetArraySize(reqs), 0);
  ct_http_resp_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_as_received),
    cmocka_unit_test(test_filters_and_clear),
  };
  return cmocka_run_group_tests(tests, sim_setup, sim_teardown);
}
