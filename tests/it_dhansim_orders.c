/*
 * Integration tests of dhansim's order lifecycle over real sockets: place,
 * TRANSIT -> PENDING -> TRADED pushed on the order-update WebSocket, limit
 * orders resting until an admin fill or a last-price cross, partial fills,
 * modify and cancel, the order/trade books, positions and funds staying
 * consistent, rejections, slicing, the 25-modification cap and stamps.
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"
#include "sim_client.h"

#define A   "1000000001"
#define TOK "tok-A"

static const char *const sim_args[] = { "--account",       A ":" TOK ":5000000",
                                        "--account",       "1000000002:tok-B",
                                        "--fill-delay-ms", "2",
                                        "--no-rate-limit", NULL };
static ct_sim_t sim;

CT_SIM_GROUP_FIXTURE(sim, sim_args)

static ct_http_resp_t req(const char *method, const char *path,
                          const char *body) {
  ct_http_resp_t r;
  assert_int_equal(ct_http(sim.url, method, path, TOK, body, NULL, &r), 0);
  return r;
}

static void place_body(char *buf, size_t cap, const char *corr,
                       const char *side, const char *type, const char *sec,
                       int qty, double price) {
  snprintf(buf, cap,
           "{\"dhanClientId\":\"" A
           "\",\"correlationId\":\"%s\","
           "\"transactionType\":\"%s\",\"exchangeSegment\":\"%s\","
           "\"productType\":\"%s\",\"orderType\":\"%s\",\"validity\":"
           "\"DAY\",\"securityId\":\"%s\",\"quantity\":%d,\"price\":%.2f}",
           corr, side, strlen(sec) == 5 && sec[0] >= '4' ? "NSE_FNO" : "NSE_EQ",
           strlen(sec) == 5 && sec[0] >= '4' ? "MARGIN" : "CNC", type, sec, qty,
           price);
}

static char *place(const char *corr, const char *side, const char *type,
                   const char *sec, int qty, double price) {
  char body[1024];
  char *id;
  place_body(body, sizeof(body), corr, side, type, sec, qty, price);
  ct_http_resp_t r = req("POST", "/v2/orders", body);
  assert_int_equal(r.status, 200);
  assert_string_equal(ct_jstr(r.json, "orderStatus"), "TRANSIT");
  id = strdup(ct_jstr(r.json, "orderId"));
  assert_true(strlen(id) >= 12);
  ct_http_resp_free(&r);
  return id;
}

/* Polls GET /orders/{id} until its status is `want` (2 s at most). */
static cJSON *wait_status(const char *id, const char *want) {
  char path[128];
  snprintf(path, sizeof(path), "/v2/orders/%s", id);
  for (int i = 0; i < 400; i++) {
    ct_http_resp_t r = req("GET", path, NULL);
    if (strcmp(ct_jstr(r.json, "orderStatus"), want) == 0) {
      cJSON *j = cJSON_Duplicate(r.json, 1);
      ct_http_resp_free(&r);
      return j;
    }
    ct_http_resp_free(&r);
    usleep(5000);
  }
  fail_msg("order %s never reached %s", id, want);
  return NULL;
}

/* Reads frames until one for `id` with Status `want`; returns its Data. */
static cJSON *wait_frame(ct_ws_t *ws, const char *id, const char *want) {
  for (int i = 0; i < 50; i++) {
    char *msg;
    size_t len;
    int op = ct_ws_recv(ws, &msg, &len, 3000);
    assert_int_equal(op, 1);
    cJSON *j = cJSON_Parse(msg);
    free(msg);
    assert_string_equal(ct_jstr(j, "Type"), "order_alert");
    cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "Data");
    if (strcmp(ct_jstr(d, "OrderNo"), id) == 0 &&
        strcmp(ct_jstr(d, "Status"), want) == 0) {
      cJSON *c = cJSON_Duplicate(d, 1);
      cJSON_Delete(j);
      return c;
    }
    cJSON_Delete(j);
  }
  fail_msg("no %s frame for %s", want, id);
  return NULL;
}

static void test_market_lifecycle_and_ws(void **state) {
  ct_ws_t ws;
  cJSON *d, *o;
  (void)state;
  assert_int_equal(ct_ws_connect(&ws, sim.port, 0), 0);
  assert_int_equal(ct_ws_login(&ws, A, TOK), 0);
  usleep(50000); /* the login has no acknowledgement */
  char *id = place("lc-1", "BUY", "MARKET", "11536", 5, 0);
  d = wait_frame(&ws, id, "TRANSIT");
  assert_string_equal(ct_jstr(d, "CorrelationId"), "lc-1");
  assert_string_equal(ct_jstr(d, "TxnType"), "B");
  assert_string_equal(ct_jstr(d, "OrderType"), "MKT");
  assert_string_equal(ct_jstr(d, "Product"), "C");
  assert_string_equal(ct_jstr(d, "Segment"), "E");
  assert_string_equal(ct_jstr(d, "Exchange"), "NSE");
  assert_string_equal(ct_jstr(d, "Source"), "P");
  cJSON_Delete(d);
  cJSON_Delete(wait_frame(&ws, id, "PENDING"));
  d = wait_frame(&ws, id, "TRADED");
  assert_int_equal((int)ct_jnum(d, "TradedQty"), 5);
  assert_int_equal((int)ct_jnum(d, "RemainingQuantity"), 0);
  assert_true(ct_jnum(d, "AvgTradedPrice") > 0);
  cJSON_Delete(d);
  o = wait_status(id, "TRADED");
  assert_int_equal((int)ct_jnum(o, "filledQty"), 5);
  assert_string_equal(ct_jstr(o, "correlationId"), "lc-1");
  cJSON_Delete(o);
  ct_ws_close(&ws);
  free(id);
}

static void test_limit_rests_then_admin_fill_partial(void **state) {
  char body[256], path[128];
  ct_http_resp_t r;
  cJSON *o;
  (void)state;
  char *id = place("lim-1", "BUY", "LIMIT", "2885", 10, 1000.00);
  cJSON_Delete(wait_status(id, "PENDING"));
  snprintf(body, sizeof(body),
           "{\"orderId\":\"%s\",\"quantity\":4,\"price\":999.5}", id);
  r = req("POST", "/admin/fill", body);
  assert_int_equal(r.status, 200);
  assert_string_equal(ct_jstr(r.json, "orderStatus"), "PART_TRADED");
  ct_http_resp_free(&r);
  snprintf(path, sizeof(path), "/v2/trades/%s", id);
  r = req("GET", path, NULL);
  assert_int_equal(cJSON_GetArraySize(r.json), 1);
  assert_int_equal(
      (int)ct_jnum(cJSON_GetArrayItem(r.json, 0), "tradedQuantity"), 4);
  ct_http_resp_free(&r);
  snprintf(body, sizeof(body), "{\"orderId\":\"%s\",\"price\":1000}", id);
  r = req("POST", "/admin/fill", body);
  assert_string_equal(ct_jstr(r.json, "orderStatus"), "TRADED");
  ct_http_resp_free(&r);
  o = wait_status(id, "TRADED");
  assert_int_equal((int)ct_jnum(o, "filledQty"), 10);
  assert_true(ct_jnum(o, "averageTradedPrice") > 999.6 &&
              ct_jnum(o, "averageTradedPrice") < 999.9);
  cJSON_Delete(o);
  r = req("POST", "/admin/fill", body);
  assert_int_equal(r.status, 409);
  ct_http_resp_free(&r);
  free(id);
}

static void test_ltp_cross_fills_limit(void **state) {
  ct_http_resp_t r;
  (void)state;
  char *id = place("x-1", "SELL", "LIMIT", "1660", 3, 410.00);
  cJSON_Delete(wait_status(id, "PENDING"));
  r = req("POST", "/admin/ltp",
          "{\"exchangeSegment\":\"NSE_EQ\",\"securityId\":\"1660\","
          "\"lastPrice\":411}");
  assert_int_equal(r.status, 200);
  ct_http_resp_free(&r);
  cJSON *o = wait_status(id, "TRADED");
  assert_true(ct_jnum(o, "averageTradedPrice") == 411);
  cJSON_Delete(o);
  free(id);
}

static void test_modify_and_cancel(void **state) {
  char body[512], path[128];
  ct_http_resp_t r;
  cJSON *o;
  (void)state;
  char *id = place("mod-1", "BUY", "LIMIT", "1594", 2, 1400.00);
  cJSON_Delete(wait_status(id, "PENDING"));
  snprintf(path, sizeof(path), "/v2/orders/%s", id);
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"orderId\":\"%s\",\"orderType\":"
           "\"LIMIT\",\"quantity\":\"6\",\"price\":\"1401.5\",\"validity\":"
           "\"DAY\"}",
           id);
  r = req("PUT", path, body);
  assert_int_equal(r.status, 200);
  assert_string_equal(ct_jstr(r.json, "orderId"), id);
  ct_http_resp_free(&r);
  o = wait_status(id, "PENDING");
  assert_int_equal((int)ct_jnum(o, "quantity"), 6);
  assert_true(ct_jnum(o, "price") == 1401.5);
  cJSON_Delete(o);
  r = req("DELETE", path, NULL);
  assert_int_equal(r.status, 202);
  assert_string_equal(ct_jstr(r.json, "orderStatus"), "CANCELLED");
  ct_http_resp_free(&r);
  r = req("DELETE", path, NULL);
  assert_int_equal(r.status, 400);
  assert_string_equal(ct_jstr(r.json, "errorCode"), "DH-906");
  ct_http_resp_free(&r);
  r = req("PUT", path, body);
  assert_string_equal(ct_jstr(r.json, "errorCode"), "DH-906");
  ct_http_resp_free(&r);
  free(id);
}

static void test_modification_cap(void **state) {
  char body[512], path[128];
  ct_http_resp_t r;
  (void)state;
  char *id = place("cap-1", "BUY", "LIMIT", "3045", 1, 900.00);
  cJSON_Delete(wait_status(id, "PENDING"));
  snprintf(path, sizeof(path), "/v2/orders/%s", id);
  for (int i = 0; i < 26; i++) {
    snprintf(body, sizeof(body),
             "{\"dhanClientId\":\"" A
             "\",\"orderId\":\"%s\",\"orderType\":"
             "\"LIMIT\",\"price\":%.2f,\"validity\":\"DAY\"}",
             id, 900.0 + 0.05 * (i + 1));
    r = req("PUT", path, body);
    if (i < 25) {
      assert_int_equal(r.status, 200);
    } else {
      assert_int_equal(r.status, 400);
      assert_string_equal(ct_jstr(r.json, "errorCode"), "DH-906");
    }
    ct_http_resp_free(&r);
  }
  free(id);
}

static void test_books_positions_funds(void **state) {
  ct_http_resp_t r;
  double before, after;
  int found = 0;
  cJSON *it;
  (void)state;
  r = req("GET", "/v2/fundlimit", NULL);
  before = ct_jnum(r.json, "availabelBalance");
  assert_true(before > 0);
  assert_true(cJSON_GetObjectItemCaseSensitive(r.json, "receiveableAmount"));
  ct_http_resp_free(&r);
  char *id = place("pos-1", "BUY", "MARKET", "52175", 75, 0);
  cJSON_Delete(wait_status(id, "TRADED"));
  r = req("GET", "/v2/fundlimit", NULL);
  after = ct_jnum(r.json, "availabelBalance");
  /* a future's fill moves no cash (no mark-to-market) and frees its hold */
  assert_float_equal(before, after, 0.01);
  ct_http_resp_free(&r);
  r = req("GET", "/v2/positions", NULL);
  cJSON_ArrayForEach(it, r.json) {
    if (strcmp(ct_jstr(it, "securityId"), "52175") == 0) {
      found = 1;
      assert_int_equal((int)ct_jnum(it, "netQty"), 75);
      assert_string_equal(ct_jstr(it, "positionType"), "LONG");
      assert_string_equal(ct_jstr(it, "productType"), "MARGIN");
    }
  }
  assert_int_equal(found, 1);
  ct_http_resp_free(&r);
  r = req("GET", "/v2/orders/external/pos-1", NULL);
  assert_int_equal(r.status, 200);
  assert_string_equal(ct_jstr(r.json, "orderId"), id);
  ct_http_resp_free(&r);
  r = req("GET", "/v2/orders/external/none-such", NULL);
  assert_int_equal(r.status, 404);
  assert_string_equal(ct_jstr(r.json, "errorCode"), "DH-907");
  ct_http_resp_free(&r);
  r = req("GET", "/v2/trades", NULL);
  assert_true(cJSON_GetArraySize(r.json) >= 1);
  ct_http_resp_free(&r);
  r = req("GET", "/v2/orders", NULL);
  assert_true(cJSON_IsArray(r.json));
  assert_true(cJSON_GetArraySize(r.json) >= 1);
  ct_http_resp_free(&r);
  free(id);
}

static void test_rejections(void **state) {
  ct_http_resp_t r;
  cJSON *o;
  (void)state;
  /* selling 25 lots of a 59000 put needs 10% of 875 x 59000 = 5,162,500,
   * above the account's 5,000,000 */
  char *id = place("rej-1", "SELL", "MARKET", "48221", 875, 0);
  o = wait_status(id, "REJECTED");
  assert_true(strstr(ct_jstr(o, "omsErrorDescription"), "Margin") != NULL);
  cJSON_Delete(o);
  free(id);
  r = req("POST", "/admin/reject",
          "{\"account\":\"" A "\",\"count\":1,\"reason\":\"test rule\"}");
  assert_int_equal(r.status, 200);
  ct_http_resp_free(&r);
  id = place("rej-2", "BUY", "LIMIT", "14366", 1, 9.00);
  o = wait_status(id, "REJECTED");
  assert_string_equal(ct_jstr(o, "omsErrorDescription"), "test rule");
  cJSON_Delete(o);
  free(id);
}

static void test_slicing(void **state) {
  char body[1024];
  ct_http_resp_t r;
  (void)state;
  place_body(body, sizeof(body), "sl-1", "BUY", "LIMIT", "48212", 1875, 1.00);
  r = req("POST", "/v2/orders", body);
  assert_int_equal(r.status, 400);
  assert_string_equal(ct_jstr(r.json, "errorCode"), "DH-906");
  ct_http_resp_free(&r);
  r = req("POST", "/v2/orders/slicing", body);
  assert_int_equal(r.status, 200);
  assert_true(cJSON_IsArray(r.json));
  assert_int_equal(cJSON_GetArraySize(r.json), 2); /* 1800 + 75 */
  assert_string_equal(ct_jstr(cJSON_GetArrayItem(r.json, 1), "orderStatus"),
                      "TRANSIT");
  ct_http_resp_free(&r);
}

static void test_stamps(void **state) {
  ct_http_resp_t r;
  cJSON *it;
  int seen = 0;
  (void)state;
  char *id = place("stamp-1", "BUY", "LIMIT", "1333", 1, 900.00);
  r = req("GET", "/admin/stamps?account=" A, NULL);
  assert_int_equal(r.status, 200);
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(r.json, "requests")) {
    if (strcmp(ct_jstr(it, "correlationId"), "stamp-1") == 0) {
      seen = 1;
      assert_string_equal(ct_jstr(it, "orderId"), id);
      assert_string_equal(ct_jstr(it, "method"), "POST");
      assert_true(ct_jnum(it, "tNs") > 0);
    }
  }
  assert_int_equal(seen, 1);
  assert_true(cJSON_IsArray(cJSON_GetObjectItem(r.json, "frames")));
  ct_http_resp_free(&r);
  r = req("GET", "/admin/orders?account=" A, NULL);
  assert_true(cJSON_GetArraySize(r.json) >= 1);
  ct_http_resp_free(&r);
  free(id);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_market_lifecycle_and_ws),
    cmocka_unit_test(test_limit_rests_then_admin_fill_partial),
    cmocka_unit_test(test_ltp_cross_fills_limit),
    cmocka_unit_test(test_modify_and_cancel),
    cmocka_unit_test(test_modification_cap),
    cmocka_unit_test(test_books_positions_funds),
    cmocka_unit_test(test_rejections),
    cmocka_unit_test(test_slicing),
    cmocka_unit_test(test_stamps),
  };
  return cmocka_run_group_tests(tests, sim_setup, sim_teardown);
}
