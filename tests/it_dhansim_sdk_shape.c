/*
 * "SDK-shape" test: replay, over real sockets with libcurl, the exact
 * requests Dhan's official Python SDK (dhanhq, DhanHQ-py) sends for place,
 * modify and cancel order, the order list, positions and the fund limit,
 * and assert that dhansim accepts them, records them as sent, and answers
 * with the shape the SDK reads.
 *
 * The SDK cannot be installed here (no PyPI: `pip download dhanhq` fails
 * at name resolution within about 10 s), so its requests were read from
 * its source (repository dhan-oss/DhanHQ-py; line numbers of the stored
 * versions named):
 *  - src/dhanhq/dhan_http.py (06c830c4): headers on EVERY request, lines
 *    41-46: access-token, client-id, "Content-type: application/json"
 *    (that spelling), "Accept: application/json"; lines 55-57: a non-empty
 *    payload gets "dhanClientId" added LAST and goes out as json.dumps()
 *    (Python's separators ", " and ": "); GET and DELETE send no body;
 *    lines 69-99 (_parse_response): json.loads() of EVERY answer, success
 *    for 200-299 (so 202 answers need a JSON body too), else it reads
 *    errorCode, errorType, errorMessage.
 *  - src/dhanhq/_order.py (1abc2471): place_order lines 113-139 (key order,
 *    int quantity and disclosedQuantity, float price and triggerPrice,
 *    boProfitValue/boStopLossValue null when not BO, amoTime popped when
 *    not AMO, correlationId only with a tag; POST /orders), modify_order
 *    lines 58-68 (PUT /orders/{id}), cancel_order line 80 (DELETE
 *    /orders/{id}), get_order_list line 14 (GET /orders).
 *  - src/dhanhq/_portfolio.py (1abc2471): get_positions line 23.
 *  - src/dhanhq/_funds.py (02bb87a6): get_fund_limits lines 12-13.
 * The requests library itself adds User-Agent, Accept-Encoding and
 * Connection: keep-alive, and "Content-Length: 0" on a body-less DELETE
 * or POST; those are sent too. (dhansim used to wait forever for the body
 * of such a request: lws 4.1 gives no BODY_COMPLETION for length 0.)
 */
#include "ct_test.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"
#include "sim_client.h"

#define A   "1000000001"
#define TOK "tok-SDK-A"

static const char *const sim_args[] = { "--account", A ":" TOK ":5000000",
                                        "--no-rate-limit", NULL };
static ct_sim_t sim;

typedef struct answer {
  long status;
  char ctype[64];
  char *body;
  size_t len;
  cJSON *json;
} answer_t;

CT_SIM_GROUP_FIXTURE(sim, sim_args)

static size_t on_data(char *p, size_t size, size_t n, void *arg) {
  answer_t *a = arg;
  char *nb = realloc(a->body, a->len + size * n + 1);
  assert_non_null(nb);
  memcpy(nb + a->len, p, size * n);
  a->body = nb;
  a->len += size * n;
  a->body[a->len] = '\0';
  return size * n;
}

/* One request exactly as dhanhq + requests send it; body NULL for none. */
static void sdk_send(const char *method, const char *path, const char *body,
                     answer_t *a) {
  static const char *const sdk_headers[] = {
    "User-Agent: python-requests/2.31.0",
    "Accept-Encoding: gzip, deflate",
    "Connection: keep-alive",
    "access-token: " TOK,
    "client-id: " A,
    "Content-type: application/json",
    "Accept: application/json",
    "Expect:", /* requests never */
  };
  CURL *c = curl_easy_init();
  struct curl_slist *h = NULL;
  char url[256], *ct = NULL;
  memset(a, 0, sizeof(*a));
  assert_non_null(c);
  for (size_t i = 0; i < sizeof(sdk_headers) / sizeof(sdk_headers[0]); i++)
    h = curl_slist_append(h, sdk_headers[i]);
  if (body == NULL && strcmp(method, "GET") != 0)
    h = curl_slist_append(h, "Content-Length: 0");
  snprintf(url, sizeof(url), "%s/v2%s", sim.url, path);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (body != NULL) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  }
  assert_int_equal(curl_easy_perform(c), CURLE_OK);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
  snprintf(a->ctype, sizeof(a->ctype), "%s", ct ? ct : "");
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  /* _parse_response: json.loads() of every answer. */
  assert_non_null(a->body);
  a->json = cJSON_Parse(a->body);
  assert_non_null(a->json);
}

static void answer_free(answer_t *a) {
  free(a->body);
  cJSON_Delete(a->json);
}

/* What dhansim recorded for the newest request: as sent, byte for byte. */
static void assert_received(const char *method, const char *path,
                            const char *body) {
  ct_http_resp_t r;
  char want[160];
  assert_int_equal(ct_http(sim.url, "GET", "/admin/requests?account=" A, NULL,
                           NULL, NULL, &r),
                   0);
  const cJSON *reqs = cJSON_GetObjectItem(r.json, "requests");
  const cJSON *e = cJSON_GetArrayItem(reqs, cJSON_GetArraySize(reqs) - 1);
  const cJSON *h = cJSON_GetObjectItem(e, "headers");
  snprintf(want, sizeof(want), "/v2%s", path);
  assert_string_equal(ct_jstr(e, "method"), method);
  assert_string_equal(ct_jstr(e, "path"), want);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "accessTokenPresent")));
  assert_string_equal(ct_jstr(h, "client-id"), A);
  assert_string_equal(ct_jstr(h, "content-type"), "application/json");
  assert_string_equal(ct_jstr(h, "accept"), "application/json");
  if (body != NULL)
    assert_string_equal(ct_jstr(e, "body"), body);
  else
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "body")) ||
                strcmp(ct_jstr(e, "body"), "") == 0);
  ct_http_resp_free(&r);
}

/* The answer is a JSON object/array holding every key in `keys`. */
static void assert_keys(const cJSON *obj, const char *const *keys) {
  assert_true(cJSON_IsObject(obj));
  for (; *keys; keys++)
    if (cJSON_GetObjectItemCaseSensitive(obj, *keys) == NULL)
      fail_msg("answer lacks '%s'", *keys);
}

static const char *const ack_keys[] = { "orderId", "orderStatus", NULL };

/* place_order(): the payload of _order.py lines 113-134. */
static void sdk_place(const char *otype, const char *price, const char *tag,
                      char *id_out) {
  char body[1024], path[16] = "/orders";
  answer_t a;
  snprintf(body, sizeof(body),
           "{\"transactionType\": \"BUY\", \"exchangeSegment\": \"NSE_EQ\", "
           "\"productType\": \"INTRADAY\", \"orderType\": \"%s\", "
           "\"validity\": \"DAY\", \"securityId\": \"11536\", \"quantity\": "
           "2, \"disclosedQuantity\": 0, \"price\": %s, "
           "\"afterMarketOrder\": false, \"boProfitValue\": null, "
           "\"boStopLossValue\": null, \"triggerPrice\": 0.0, "
           "\"correlationId\": \"%s\", \"dhanClientId\": \"" A "\"}",
           otype, price, tag);
  sdk_send("POST", path, body, &a);
  if (a.status != 200)
    fail_msg("place %s: %ld %s", otype, a.status, a.body);
  assert_keys(a.json, ack_keys);
  assert_true(cJSON_IsString(cJSON_GetObjectItem(a.json, "orderId")));
  snprintf(id_out, 32, "%s", ct_jstr(a.json, "orderId"));
  assert_string_equal(a.ctype, "application/json");
  answer_free(&a);
  assert_received("POST", path, body);
}

static void test_place_modify_cancel(void **state) {
  char id[32], path[64], body[512];
  answer_t a;
  (void)state;
  sdk_place("MARKET", "0.0", "sdk-mkt-1", id);
  sdk_place("LIMIT", "3000.0", "sdk-lim-1", id); /* rests below the market */

  /* modify_order(): _order.py lines 58-68. */
  snprintf(path, sizeof(path), "/orders/%s", id);
  snprintf(body, sizeof(body),
           "{\"orderId\": \"%s\", \"orderType\": \"LIMIT\", \"legName\": "
           "\"ENTRY_LEG\", \"quantity\": 4, \"price\": 3010.0, "
           "\"disclosedQuantity\": 0, \"triggerPrice\": 0.0, \"validity\": "
           "\"DAY\", \"dhanClientId\": \"" A "\"}",
           id);
  sdk_send("PUT", path, body, &a);
  if (a.status != 200)
    fail_msg("modify: %ld %s", a.status, a.body);
  assert_keys(a.json, ack_keys);
  assert_string_equal(ct_jstr(a.json, "orderId"), id);
  answer_free(&a);
  assert_received("PUT", path, body);

  /* cancel_order(): _order.py line 80. 202 with a JSON body. */
  sdk_send("DELETE", path, NULL, &a);
  assert_int_equal(a.status, 202);
  assert_keys(a.json, ack_keys);
  assert_string_equal(ct_jstr(a.json, "orderStatus"), "CANCELLED");
  answer_free(&a);
  assert_received("DELETE", path, NULL);
}

static void test_order_list(void **state) {
  static const char *const keys[] = { "dhanClientId",
                                      "orderId",
                                      "correlationId",
                                      "orderStatus",
                                      "transactionType",
                                      "exchangeSegment",
                                      "productType",
                                      "orderType",
                                      "validity",
                                      "securityId",
                                      "quantity",
                                      "price",
                                      "triggerPrice",
                                      "createTime",
                                      "updateTime",
                                      "filledQty",
                                      "remainingQuantity",
                                      "averageTradedPrice",
                                      NULL };
  const cJSON *o;
  answer_t a;
  (void)state;
  sdk_send("GET", "/orders", NULL, &a); /* _order.py line 14 */
  assert_int_equal(a.status, 200);
  assert_true(cJSON_IsArray(a.json));
  assert_true(cJSON_GetArraySize(a.json) >= 2);
  cJSON_ArrayForEach(o, a.json) {
    assert_keys(o, keys);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(o, "quantity")));
  }
  answer_free(&a);
  assert_received("GET", "/orders", NULL);
}

static void test_positions(void **state) {
  static const char *const keys[] = {
    "dhanClientId",    "securityId",  "positionType",
    "exchangeSegment", "productType", "buyQty",
    "sellQty",         "netQty",      "buyAvg",
    "realizedProfit",  NULL
  };
  answer_t a;
  (void)state;
  for (int i = 0; i < 200; i++) { /* the MARKET order fills in a few ms */
    sdk_send("GET", "/positions", NULL, &a); /* _portfolio.py line 23 */
    assert_int_equal(a.status, 200);
    assert_true(cJSON_IsArray(a.json));
    if (cJSON_GetArraySize(a.json) > 0)
      break;
    answer_free(&a);
    usleep(10000);
  }
  const cJSON *p = cJSON_GetArrayItem(a.json, 0);
  assert_keys(p, keys);
  assert_string_equal(ct_jstr(p, "securityId"), "11536");
  assert_int_equal((int)ct_jnum(p, "netQty"), 2);
  answer_free(&a);
  assert_received("GET", "/positions", NULL);
}

static void test_fund_limit(void **state) {
  static const char *const keys[] = {
    "dhanClientId",        "availabelBalance",    "sodLimit",
    "collateralAmount",    "receiveableAmount",   "utilizedAmount",
    "blockedPayoutAmount", "withdrawableBalance", NULL
  };
  answer_t a;
  (void)state;
  sdk_send("GET", "/fundlimit", NULL, &a); /* _funds.py lines 12-13 */
  assert_int_equal(a.status, 200);
  assert_keys(a.json, keys); /* Dhan's own spellings, §8 */
  assert_true(ct_jnum(a.json, "sodLimit") == 5000000);
  answer_free(&a);
  assert_received("GET", "/fundlimit", NULL);
}

/* The kill switch: an empty payload is falsy at dhan_http.py line 55, so
 * a POST with no body (Content-Length: 0) and the status in the query
 * (dhan-v2-api.md §10). */
static void test_kill_switch_no_body(void **state) {
  answer_t a;
  (void)state;
  sdk_send("POST", "/killswitch?killSwitchStatus=DEACTIVATE", NULL, &a);
  assert_int_equal(a.status, 200);
  assert_string_equal(ct_jstr(a.json, "dhanClientId"), A);
  assert_true(ct_jstr(a.json, "killSwitchStatus")[0] != '\0');
  answer_free(&a);
  assert_received("POST", "/killswitch", NULL);
}

/* _parse_response reads errorCode, errorType, errorMessage on non-2xx. */
static void test_error_shape(void **state) {
  answer_t a;
  (void)state;
  sdk_send("DELETE", "/orders/no-such-order", NULL, &a);
  assert_int_equal(a.status, 404);
  assert_string_equal(ct_jstr(a.json, "errorCode"), "DH-907");
  assert_true(ct_jstr(a.json, "errorType")[0] != '\0');
  assert_true(ct_jstr(a.json, "errorMessage")[0] != '\0');
  answer_free(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_place_modify_cancel),
    cmocka_unit_test(test_order_list),
    cmocka_unit_test(test_positions),
    cmocka_unit_test(test_fund_limit),
    cmocka_unit_test(test_kill_switch_no_body),
    cmocka_unit_test(test_error_shape),
  };
  return cmocka_run_group_tests(tests, sim_setup, sim_teardown);
}
