/*
 * Integration tests of the rest of dhansim's catalogue: super orders with
 * their legs, forever orders (SINGLE and OCO, both list paths; without
 * correlationId under --forever-list-documented), portfolio
 * (holdings, positions, convert, exit all), funds and margin, statements,
 * trader's control, EDIS, profile and RenewToken.
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

static const char *const sim_args[] = {
  "--account",       A ":" TOK ":50000000", "--account", "1000000003:tok-C",
  "--no-rate-limit", "--fill-delay-ms",     "1",         NULL
};
static ct_sim_t sim;

CT_SIM_GROUP_FIXTURE(sim, sim_args)

static ct_http_resp_t call(const char *tok, const char *m, const char *p,
                           const char *body, long want) {
  ct_http_resp_t r;
  assert_int_equal(ct_http(sim.url, m, p, tok, body, NULL, &r), 0);
  if (r.status != want)
    fail_msg("%s %s: status %ld, want %ld: %s", m, p, r.status, want, r.body);
  return r;
}

static ct_http_resp_t req(const char *m, const char *p, const char *body,
                          long want) {
  return call(TOK, m, p, body, want);
}

static cJSON *find_order(const char *id) {
  char path[96];
  snprintf(path, sizeof(path), "/v2/orders/%s", id);
  ct_http_resp_t r = req("GET", path, NULL, 200);
  cJSON *j = cJSON_Duplicate(r.json, 1);
  ct_http_resp_free(&r);
  return j;
}

static void wait_status(const char *id, const char *want) {
  for (int i = 0; i < 400; i++) {
    cJSON *o = find_order(id);
    int ok = strcmp(ct_jstr(o, "orderStatus"), want) == 0;
    cJSON_Delete(o);
    if (ok)
      return;
    usleep(5000);
  }
  fail_msg("%s never reached %s", id, want);
}

static cJSON *super_of(const char *id) {
  ct_http_resp_t r = req("GET", "/v2/super/orders", NULL, 200);
  cJSON *it, *out = NULL;
  cJSON_ArrayForEach(it, r.json) if (strcmp(ct_jstr(it, "orderId"), id) == 0)
      out = cJSON_Duplicate(it, 1);
  ct_http_resp_free(&r);
  assert_non_null(out);
  return out;
}

static void test_super_orders(void **state) {
  ct_http_resp_t r;
  char path[128], body[512], id[32];
  cJSON *s, *legs;
  (void)state;
  r = req("POST", "/v2/super/orders",
          "{\"dhanClientId\":\"" A
          "\",\"correlationId\":\"sup-1\","
          "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
          "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\","
          "\"securityId\":\"2885\",\"quantity\":10,\"price\":1520,"
          "\"targetPrice\":1500,\"stopLossPrice\":1490,\"trailingJump\":1}",
          400);
  assert_string_equal(ct_jstr(r.json, "errorCode"), "DH-906");
  ct_http_resp_free(&r);
  r = req("POST", "/v2/super/orders",
          "{\"dhanClientId\":\"" A
          "\",\"correlationId\":\"sup-1\","
          "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
          "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\","
          "\"securityId\":\"2885\",\"quantity\":10,\"price\":1520.5,"
          "\"targetPrice\":1550,\"stopLossPrice\":1500,\"trailingJump\":1}",
          200);
  snprintf(id, sizeof(id), "%s", ct_jstr(r.json, "orderId"));
  ct_http_resp_free(&r);
  wait_status(id, "TRADED"); /* marketable: 1520.5 >= 1520.40 */
  s = super_of(id);
  assert_string_equal(ct_jstr(s, "legName"), "ENTRY_LEG");
  legs = cJSON_GetObjectItem(s, "legDetails");
  assert_int_equal(cJSON_GetArraySize(legs), 2);
  const char *tgt_id = ct_jstr(cJSON_GetArrayItem(legs, 0), "orderId");
  assert_true(strlen(tgt_id) > 0);
  assert_true(ct_jnum(cJSON_GetArrayItem(legs, 0), "totalQuatity") == 10);
  char tgt[32];
  snprintf(tgt, sizeof(tgt), "%s", tgt_id);
  cJSON_Delete(s);
  /* modify the target leg, then fill it: the stop-loss leg is cancelled */
  snprintf(path, sizeof(path), "/v2/super/orders/%s", id);
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"orderId\":\"%s\",\"legName\":"
           "\"TARGET_LEG\",\"targetPrice\":1560}",
           id);
  r = req("PUT", path, body, 200);
  ct_http_resp_free(&r);
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"orderId\":\"%s\",\"legName\":"
           "\"ENTRY_LEG\",\"price\":1521}",
           id);
  r = req("PUT", path, body, 400); /* entry already traded */
  assert_string_equal(ct_jstr(r.json, "errorCode"), "DH-906");
  ct_http_resp_free(&r);
  wait_status(tgt, "PENDING");
  cJSON *leg = find_order(tgt);
  assert_true(ct_jnum(leg, "price") == 1560);
  assert_string_equal(ct_jstr(leg, "transactionType"), "SELL");
  assert_string_equal(ct_jstr(leg, "legName"), "TARGET_LEG");
  cJSON_Delete(leg);
  snprintf(body, sizeof(body), "{\"orderId\":\"%s\"}", tgt);
  r = req("POST", "/admin/fill", body, 200);
  ct_http_resp_free(&r);
  s = super_of(id);
  assert_string_equal(ct_jstr(s, "orderStatus"), "CLOSED");
  legs = cJSON_GetObjectItem(s, "legDetails");
  assert_string_equal(ct_jstr(cJSON_GetArrayItem(legs, 0), "orderStatus"),
                      "TRIGGERED");
  assert_string_equal(ct_jstr(cJSON_GetArrayItem(legs, 1), "orderStatus"),
                      "CANCELLED");
  cJSON_Delete(s);
}

static void test_super_cancel(void **state) {
  ct_http_resp_t r;
  char path[128], id[32];
  (void)state;
  r = req("POST", "/v2/super/orders",
          "{\"dhanClientId\":\"" A
          "\",\"transactionType\":\"SELL\","
          "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"INTRADAY\","
          "\"orderType\":\"LIMIT\",\"securityId\":\"11536\",\"quantity\":1,"
          "\"price\":3200,\"targetPrice\":3100,\"stopLossPrice\":3250,"
          "\"trailingJump\":0}",
          200);
  snprintf(id, sizeof(id), "%s", ct_jstr(r.json, "orderId"));
  ct_http_resp_free(&r);
  wait_status(id, "PENDING");
  snprintf(path, sizeof(path), "/v2/super/orders/%s/STOP_LOSS_LEG", id);
  r = req("DELETE", path, NULL, 202);
  assert_string_equal(ct_jstr(r.json, "orderStatus"), "CANCELLED");
  ct_http_resp_free(&r);
  r = req("DELETE", path, NULL, 400);
  ct_http_resp_free(&r);
  snprintf(path, sizeof(path), "/v2/super/orders/%s/ENTRY_LEG", id);
  r = req("DELETE", path, NULL, 202);
  ct_http_resp_free(&r);
  wait_status(id, "CANCELLED");
  snprintf(path, sizeof(path), "/v2/super/orders/%s/NO_LEG", id);
  r = req("DELETE", path, NULL, 400);
  ct_http_resp_free(&r);
}

static void test_forever_orders(void **state) {
  ct_http_resp_t r;
  char path[128], body[512], id[32], oco[32];
  (void)state;
  r = req("POST", "/v2/forever/orders",
          "{\"dhanClientId\":\"" A
          "\",\"correlationId\":\"gtt-1\","
          "\"orderFlag\":\"SINGLE\",\"transactionType\":\"BUY\","
          "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
          "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":"
          "\"1594\",\"quantity\":2,\"price\":1500,\"triggerPrice\":1501}",
          200);
  assert_string_equal(ct_jstr(r.json, "orderStatus"), "CONFIRM");
  snprintf(id, sizeof(id), "%s", ct_jstr(r.json, "orderId"));
  ct_http_resp_free(&r);
  r = req("POST", "/v2/forever/orders",
          "{\"dhanClientId\":\"" A
          "\",\"orderFlag\":\"OCO\","
          "\"transactionType\":\"SELL\",\"exchangeSegment\":\"NSE_EQ\","
          "\"productType\":\"CNC\",\"orderType\":\"LIMIT\",\"validity\":"
          "\"DAY\",\"securityId\":\"1594\",\"quantity\":2,\"price\":1600,"
          "\"triggerPrice\":1599}",
          400); /* OCO without the second leg */
  ct_http_resp_free(&r);
  r = req("POST", "/v2/forever/orders",
          "{\"dhanClientId\":\"" A
          "\",\"orderFlag\":\"OCO\","
          "\"transactionType\":\"SELL\",\"exchangeSegment\":\"NSE_EQ\","
          "\"productType\":\"CNC\",\"orderType\":\"LIMIT\",\"validity\":"
          "\"DAY\",\"securityId\":\"1594\",\"quantity\":2,\"price\":1600,"
          "\"triggerPrice\":1599,\"price1\":1400,\"triggerPrice1\":1401,"
          "\"quantity1\":2}",
          200);
  snprintf(oco, sizeof(oco), "%s", ct_jstr(r.json, "orderId"));
  ct_http_resp_free(&r);
  r = req("GET", "/v2/forever/orders", NULL, 200);
  assert_int_equal(cJSON_GetArraySize(r.json), 2);
  assert_string_equal(ct_jstr(cJSON_GetArrayItem(r.json, 0), "correlationId"),
                      "gtt-1");
  ct_http_resp_free(&r);
  r = req("GET", "/v2/forever/all", NULL, 200);
  assert_int_equal(cJSON_GetArraySize(r.json), 2);
  assert_string_equal(ct_jstr(cJSON_GetArrayItem(r.json, 0), "correlationId"),
                      "gtt-1");
  assert_string_equal(ct_jstr(cJSON_GetArrayItem(r.json, 1), "orderFlag"),
                      "OCO");
  ct_http_resp_free(&r);
  snprintf(path, sizeof(path), "/v2/forever/orders/%s", id);
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"orderId\":\"%s\",\"orderFlag\":"
           "\"SINGLE\",\"orderType\":\"LIMIT\",\"legName\":\"TARGET_LEG\","
           "\"quantity\":3,\"price\":1510,\"disclosedQuantity\":0,"
           "\"triggerPrice\":1511,\"validity\":\"DAY\"}",
           id);
  r = req("PUT", path, body, 200);
  ct_http_resp_free(&r);
  snprintf(body, sizeof(body), "{\"orderId\":\"%s\"}", id);
  r = req("POST", "/admin/forever/trigger", body, 200);
  assert_string_equal(ct_jstr(r.json, "orderStatus"), "TRIGGERED");
  ct_http_resp_free(&r);
  r = req("GET", "/v2/orders/external/gtt-1", NULL, 200);
  assert_int_equal((int)ct_jnum(r.json, "quantity"), 3);
  assert_true(ct_jnum(r.json, "price") == 1510);
  ct_http_resp_free(&r);
  r = req("DELETE", path, NULL, 400); /* no longer active */
  ct_http_resp_free(&r);
  snprintf(path, sizeof(path), "/v2/forever/orders/%s", oco);
  r = req("DELETE", path, NULL, 200);
  assert_string_equal(ct_jstr(r.json, "orderStatus"), "CANCELLED");
  ct_http_resp_free(&r);
}

/* Whether the first item of `url`+`path`'s array has a correlationId. */
static int first_has_corr(const char *url, const char *path) {
  ct_http_resp_t r;
  int has;
  assert_int_equal(ct_http(url, "GET", path, TOK, NULL, NULL, &r), 0);
  assert_int_equal((int)r.status, 200);
  assert_int_equal(cJSON_GetArraySize(r.json), 1);
  has = cJSON_GetObjectItem(cJSON_GetArrayItem(r.json, 0), "correlationId") !=
        NULL;
  ct_http_resp_free(&r);
  return has;
}

/* --forever-list-documented: both list paths carry no correlationId (Dhan's
 * documented list, §5) and the flag in orderType; the admin plane's order
 * list keeps the correlationId. */
static void test_forever_list_documented(void **state) {
  static const char *const args[] = { "--account", A ":" TOK, "--no-rate-limit",
                                      "--forever-list-documented", NULL };
  ct_sim_t doc;
  ct_http_resp_t r;
  (void)state;
  assert_int_equal(ct_sim_start(&doc, args), 0);
  assert_int_equal(
      ct_http(doc.url, "POST", "/v2/forever/orders", TOK,
              "{\"dhanClientId\":\"" A "\",\"correlationId\":\"gtt-doc\","
              "\"orderFlag\":\"SINGLE\",\"transactionType\":\"BUY\","
              "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
              "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":"
              "\"1594\",\"quantity\":2,\"price\":1500,\"triggerPrice\":1501}",
              NULL, &r),
      0);
  assert_int_equal((int)r.status, 200);
  ct_http_resp_free(&r);
  assert_int_equal(first_has_corr(doc.url, "/v2/forever/orders"), 0);
  assert_int_equal(first_has_corr(doc.url, "/v2/forever/all"), 0);
  assert_int_equal(first_has_corr(doc.url, "/admin/orders?account=" A), 1);
  /* ... and the flag where the docs' example has it: in orderType. */
  assert_int_equal(
      ct_http(doc.url, "GET", "/v2/forever/orders", TOK, NULL, NULL, &r), 0);
  {
    const cJSON *it = cJSON_GetArrayItem(r.json, 0);
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(it, "orderType")), "SINGLE");
    assert_null(cJSON_GetObjectItem(it, "orderFlag"));
  }
  ct_http_resp_free(&r);
  assert_int_equal(ct_sim_stop(&doc), 0);
}

static void test_portfolio(void **state) {
  ct_http_resp_t r;
  cJSON *it;
  int n = 0;
  (void)state;
  r = req("POST", "/v2/orders",
          "{\"dhanClientId\":\"" A
          "\",\"correlationId\":\"pf-1\","
          "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
          "\"productType\":\"CNC\",\"orderType\":\"MARKET\",\"validity\":"
          "\"DAY\",\"securityId\":\"1922\",\"quantity\":8}",
          200);
  char id[32];
  snprintf(id, sizeof(id), "%s", ct_jstr(r.json, "orderId"));
  ct_http_resp_free(&r);
  wait_status(id, "TRADED");
  r = req("GET", "/v2/holdings", NULL, 200);
  cJSON_ArrayForEach(
      it, r.json) if (strcmp(ct_jstr(it, "securityId"), "1922") == 0) {
    n++;
    assert_int_equal((int)ct_jnum(it, "totalQty"), 8);
  }
  assert_int_equal(n, 1);
  ct_http_resp_free(&r);
  r = req("POST", "/v2/positions/convert",
          "{\"dhanClientId\":\"" A
          "\",\"fromProductType\":\"CNC\","
          "\"exchangeSegment\":\"NSE_EQ\",\"positionType\":\"LONG\","
          "\"securityId\":\"1922\",\"tradingSymbol\":\"KOTAKBANK\","
          "\"convertQty\":3,\"toProductType\":\"INTRADAY\"}",
          202);
  ct_http_resp_free(&r);
  r = req("POST", "/v2/positions/convert",
          "{\"dhanClientId\":\"" A
          "\",\"fromProductType\":\"CNC\","
          "\"exchangeSegment\":\"NSE_EQ\",\"positionType\":\"LONG\","
          "\"securityId\":\"1922\",\"convertQty\":30,\"toProductType\":"
          "\"INTRADAY\"}",
          400);
  ct_http_resp_free(&r);
  r = req("GET", "/v2/positions", NULL, 200);
  n = 0;
  cJSON_ArrayForEach(
      it, r.json) if (strcmp(ct_jstr(it, "securityId"), "1922") == 0) n +=
      (int)ct_jnum(it, "netQty");
  assert_int_equal(n, 8);
  ct_http_resp_free(&r);
  r = req("DELETE", "/v2/positions", NULL, 200);
  assert_string_equal(ct_jstr(r.json, "status"), "SUCCESS");
  ct_http_resp_free(&r);
  for (int i = 0; i < 400 && n != 0; i++) {
    usleep(5000);
    r = req("GET", "/v2/positions", NULL, 200);
    n = 0;
    cJSON_ArrayForEach(it, r.json) n += abs((int)ct_jnum(it, "netQty"));
    ct_http_resp_free(&r);
  }
  assert_int_equal(n, 0);
  r = call("tok-C", "DELETE", "/v2/positions", NULL, 404);
  assert_string_equal(ct_jstr(r.json, "errorCode"), "DH-907");
  ct_http_resp_free(&r);
}

static void test_funds_and_margin(void **state) {
  ct_http_resp_t r;
  (void)state;
  r = call("tok-C", "GET", "/v2/fundlimit", NULL, 200);
  assert_string_equal(ct_jstr(r.json, "dhanClientId"), "1000000003");
  assert_true(ct_jnum(r.json, "availabelBalance") == 10000000);
  assert_true(ct_jnum(r.json, "sodLimit") == 10000000);
  assert_true(ct_jnum(r.json, "receiveableAmount") == 0);
  assert_true(ct_jnum(r.json, "withdrawableBalance") == 10000000);
  ct_http_resp_free(&r);
  r = req("POST", "/v2/margincalculator",
          "{\"dhanClientId\":\"" A
          "\",\"exchangeSegment\":\"NSE_FNO\","
          "\"transactionType\":\"BUY\",\"quantity\":75,\"productType\":"
          "\"MARGIN\",\"securityId\":\"52175\",\"price\":26000}",
          200);
  /* a future: span 8% + exposure 2% of the notional (README) */
  assert_float_equal(ct_jnum(r.json, "totalMargin"), 195000.0, 0.01);
  assert_float_equal(ct_jnum(r.json, "spanMargin"), 156000.0, 0.01);
  assert_float_equal(ct_jnum(r.json, "exposureMargin"), 39000.0, 0.01);
  assert_string_equal(ct_jstr(r.json, "leverage"), "1.00");
  ct_http_resp_free(&r);
  r = req("POST", "/v2/margincalculator",
          "{\"dhanClientId\":\"" A
          "\",\"exchangeSegment\":\"NSE_FNO\","
          "\"transactionType\":\"BUY\",\"quantity\":75,\"productType\":"
          "\"MARGIN\",\"securityId\":\"48210\",\"price\":310.5}",
          200);
  /* an option buy: the premium */
  assert_float_equal(ct_jnum(r.json, "totalMargin"), 23287.5, 0.01);
  assert_float_equal(ct_jnum(r.json, "spanMargin"), 0.0, 0.001);
  ct_http_resp_free(&r);
  r = req("POST", "/v2/margincalculator",
          "{\"dhanClientId\":\"" A
          "\",\"exchangeSegment\":\"NSE_FNO\","
          "\"transactionType\":\"BUY\",\"quantity\":70,\"productType\":"
          "\"MARGIN\",\"securityId\":\"52175\",\"price\":26000}",
          400);
  ct_http_resp_free(&r);
  r = req("POST", "/v2/margincalculator/multi",
          "{\"dhanClientId\":\"" A
          "\",\"includePosition\":true,"
          "\"includeOrder\":true,\"scripList\":[{\"exchangeSegment\":"
          "\"NSE_FNO\",\"transactionType\":\"SELL\",\"quantity\":35,"
          "\"productType\":\"MARGIN\",\"securityId\":\"48220\",\"price\":"
          "820}]}",
          200);
  /* an option sell: 10% of quantity x strike (35 x 59000) */
  assert_string_equal(ct_jstr(r.json, "total_margin"), "206500.00");
  /* §8: every value a numeric string, "currency" included. */
  assert_string_equal(ct_jstr(r.json, "currency"), "0.00");
  assert_string_equal(ct_jstr(r.json, "hedge_benefit"), "0.00");
  ct_http_resp_free(&r);
}

static void test_statements(void **state) {
  ct_http_resp_t r;
  (void)state;
  r = req("GET", "/v2/ledger?from-date=2026-11-01&to-date=2026-11-24", NULL,
          200);
  assert_true(cJSON_IsArray(r.json));
  assert_true(strlen(ct_jstr(cJSON_GetArrayItem(r.json, 0), "runbal")) > 0);
  ct_http_resp_free(&r);
  r = req("GET", "/v2/ledger?from-date=2026-11-01", NULL, 400);
  ct_http_resp_free(&r);
  r = req("GET", "/v2/trades/2026-11-01/2026-11-30/0", NULL, 200);
  assert_true(cJSON_GetArraySize(r.json) >= 1);
  assert_true(strlen(ct_jstr(cJSON_GetArrayItem(r.json, 0), "instrument")) > 0);
  ct_http_resp_free(&r);
  r = req("GET", "/v2/trades/2026-11-01/2026-11-30/99", NULL, 200);
  assert_int_equal(cJSON_GetArraySize(r.json), 0);
  ct_http_resp_free(&r);
  r = req("GET", "/v2/trades/2026-11-01/bad/0", NULL, 400);
  ct_http_resp_free(&r);
}

static void test_traders_control(void **state) {
  ct_http_resp_t r;
  (void)state;
  r = call("tok-C", "POST", "/v2/killswitch?killSwitchStatus=ACTIVATE", NULL,
           200);
  assert_non_null(strstr(ct_jstr(r.json, "killSwitchStatus"), "activated"));
  ct_http_resp_free(&r);
  r = call("tok-C", "GET", "/v2/killswitch", NULL, 200);
  assert_string_equal(ct_jstr(r.json, "killSwitchStatus"), "ACTIVATE");
  ct_http_resp_free(&r);
  r = call("tok-C", "POST", "/v2/killswitch",
           "{\"killSwitchStatus\":\"ACTIVATE\"}", 400);
  ct_http_resp_free(&r);
  r = call("tok-C", "POST", "/v2/killswitch?killSwitchStatus=DEACTIVATE", NULL,
           200);
  ct_http_resp_free(&r);
  r = call("tok-C", "POST", "/v2/pnlExit",
           "{\"dhanClientId\":\"1000000003\",\"profitValue\":\"1500.00\","
           "\"lossValue\":500,\"productType\":[\"INTRADAY\"],"
           "\"enableKillSwitch\":true}",
           200);
  assert_string_equal(ct_jstr(r.json, "pnlExitStatus"), "ACTIVE");
  ct_http_resp_free(&r);
  r = call("tok-C", "POST", "/v2/pnlExit",
           "{\"profitValue\":1500,\"lossValue\":500}", 400);
  ct_http_resp_free(&r);
  r = call("tok-C", "GET", "/v2/pnlExit", NULL, 200);
  assert_string_equal(ct_jstr(r.json, "profit"), "1500.00");
  ct_http_resp_free(&r);
  r = call("tok-C", "DELETE", "/v2/pnlExit", NULL, 200);
  assert_string_equal(ct_jstr(r.json, "pnlExitStatus"), "DISABLED");
  ct_http_resp_free(&r);
}

static void test_edis_profile_renew(void **state) {
  ct_http_resp_t r;
  const char *bad_hdr[] = { "dhanClientId: 1000000001", NULL };
  const char *hdr[] = { "dhanClientId: 1000000003", NULL };
  char fresh[128];
  (void)state;
  r = call("tok-C", "GET", "/v2/edis/tpin", NULL, 202);
  ct_http_resp_free(&r);
  r = call("tok-C", "POST", "/v2/edis/form",
           "{\"isin\":\"INE002A01018\",\"qty\":1,\"exchange\":\"NSE\","
           "\"segment\":\"EQ\",\"bulk\":false}",
           200);
  assert_non_null(strstr(ct_jstr(r.json, "edisFormHtml"), "<form"));
  ct_http_resp_free(&r);
  r = call("tok-C", "GET", "/v2/edis/inquire/ALL", NULL, 200);
  assert_string_equal(ct_jstr(r.json, "isin"), "ALL");
  ct_http_resp_free(&r);
  r = call("tok-C", "GET", "/v2/profile", NULL, 200);
  assert_string_equal(ct_jstr(r.json, "dhanClientId"), "1000000003");
  assert_true(strlen(ct_jstr(r.json, "tokenValidity")) == 16);
  ct_http_resp_free(&r);
  assert_int_equal(
      ct_http(sim.url, "GET", "/v2/RenewToken", "tok-C", NULL, bad_hdr, &r), 0);
  assert_int_equal(r.status, 401);
  ct_http_resp_free(&r);
  assert_int_equal(
      ct_http(sim.url, "GET", "/v2/RenewToken", "tok-C", NULL, hdr, &r), 0);
  assert_int_equal(r.status, 200);
  snprintf(fresh, sizeof(fresh), "%s", ct_jstr(r.json, "accessToken"));
  assert_true(strlen(fresh) > 10);
  ct_http_resp_free(&r);
  r = call("tok-C", "GET", "/v2/profile", NULL, 401); /* old token dead */
  ct_http_resp_free(&r);
  r = call(fresh, "GET", "/v2/profile", NULL, 200);
  ct_http_resp_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_super_orders),
    cmocka_unit_test(test_super_cancel),
    cmocka_unit_test(test_forever_orders),
    cmocka_unit_test(test_forever_list_documented),
    cmocka_unit_test(test_portfolio),
    cmocka_unit_test(test_funds_and_margin),
    cmocka_unit_test(test_statements),
    cmocka_unit_test(test_traders_control),
    cmocka_unit_test(test_edis_profile_renew),
  };
  return cmocka_run_group_tests(tests, sim_setup, sim_teardown);
}
