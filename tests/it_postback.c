/*
 * Integration tests of the postback receiver: dhansim posting real order
 * changes to it (--postback ID=URL) and typed events arriving at the
 * subscriber; direct requests with libcurl for the answers (404 wrong path,
 * 405 GET, 413 oversized, 400 bad JSON, 200 for the 2024 shape; chunked
 * oversize, empty and non-object bodies, a 2026 partial fill), and HTTPS.
 */
#include "ct_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "copytrader/postback.h"
#include "sim.h"
#include "sim_client.h"
#include "tls_cert.h"

#define A          "1000000001"
#define SECRET     "s3cr3t-Path_0123456789"

#define MAX_EVENTS 256
static ct_order_event_t events[MAX_EVENTS];
static uint64_t origins[MAX_EVENTS];
static int nevents;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static int sub_receive(ct_actor_t *self, const ct_envelope_t *env) {
  ct_order_event_t ev;
  uint64_t origin;
  (void)self;
  if (ct_order_feed_event_read(env, &ev, &origin) != 0)
    return 0;
  pthread_mutex_lock(&mu);
  if (nevents < MAX_EVENTS) {
    origins[nevents] = origin;
    events[nevents++] = ev;
  }
  pthread_mutex_unlock(&mu);
  return 0;
}

static const ct_actor_def_t sub_def = { "sub", NULL, sub_receive, NULL };

static bool find(const char *id, ct_dhan_status_t status, ct_order_event_t *out,
                 uint64_t *origin) {
  bool found = false;
  pthread_mutex_lock(&mu);
  for (int i = 0; i < nevents && !found; i++)
    if (strcmp(events[i].order_id, id) == 0 && events[i].status == status) {
      *out = events[i];
      *origin = origins[i];
      found = true;
    }
  pthread_mutex_unlock(&mu);
  return found;
}

static bool wait_event(const char *id, ct_dhan_status_t status,
                       ct_order_event_t *out, uint64_t *origin) {
  for (int t = 0; t < 5000; t += 10) {
    if (find(id, status, out, origin))
      return true;
    usleep(10000);
  }
  return false;
}

static int nevents_now(void) {
  pthread_mutex_lock(&mu);
  int n = nevents;
  pthread_mutex_unlock(&mu);
  return n;
}

static ct_runtime_t *rt;
static ct_actor_t *sub;
static ct_postback_t *pb;
static ct_secret_t secret;
static char base[96];

static int start_receiver(const char *cert, const char *key) {
  ct_runtime_opts_t ro = { 0 };
  ct_postback_opts_t po = { 0 };
  ro.workers = 2;
  nevents = 0;
  if (ct_runtime_new(&ro, &rt) != 0 || ct_runtime_start(rt) != 0 ||
      ct_spawn(rt, &sub_def, NULL, NULL, &sub) != 0 ||
      ct_secret_set(&secret, SECRET) != 0)
    return -1;
  po.secret = &secret;
  po.subscriber = sub;
  po.max_body = 4096;
  po.tls_cert = cert;
  po.tls_key = key;
  if (ct_postback_spawn(rt, &po, 1, &pb) != 0)
    return -1;
  for (int t = 0; t < 5000 && ct_postback_port(pb) == 0; t += 5)
    usleep(5000);
  snprintf(base, sizeof(base), "%s://%s:%d", cert ? "https" : "http",
           cert ? "localhost" : "127.0.0.1", ct_postback_port(pb));
  return ct_postback_port(pb) > 0 ? 0 : -1;
}

static int setup(void **state) {
  (void)state;
  return start_receiver(NULL, NULL);
}

static int teardown(void **state) {
  int rc;
  (void)state;
  rc = ct_test_runtime_end(rt); /* 0: every loop closed cleanly */
  ct_postback_free(pb);
  pb = NULL;
  ct_secret_clear(&secret);
  assert_int_equal(rc, 0);
  return 0;
}

static long post(const char *path, const char *method, const char *body,
                 char *reply, size_t cap) {
  ct_http_resp_t r;
  long status;
  assert_int_equal(ct_http(base, method, path, NULL, body, NULL, &r), 0);
  status = r.status;
  if (reply != NULL)
    snprintf(reply, cap, "%s", r.body);
  ct_http_resp_free(&r);
  return status;
}

static void test_dhansim_postbacks_arrive_typed(void **state) {
  char url[160], pbarg[200], body[512];
  ct_sim_t sim;
  ct_http_resp_t r;
  ct_order_event_t ev;
  uint64_t origin = 0;
  (void)state;
  snprintf(url, sizeof(url), "%s/postback/" SECRET, base);
  snprintf(pbarg, sizeof(pbarg), A "=%s", url);
  const char *const args[] = { "--account",  A ":tok-A", "--no-rate-limit",
                               "--postback", pbarg,      NULL };
  assert_int_equal(ct_sim_start(&sim, args), 0);
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"" A
           "\",\"transactionType\":\"SELL\","
           "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"INTRADAY\","
           "\"orderType\":\"MARKET\",\"validity\":\"DAY\",\"securityId\":"
           "\"1660\",\"quantity\":6,\"price\":0,\"correlationId\":\"pb-1\"}");
  assert_int_equal(
      ct_http(sim.url, "POST", "/v2/orders", "tok-A", body, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  char *id =
      strdup(cJSON_GetObjectItemCaseSensitive(r.json, "orderId")->valuestring);
  ct_http_resp_free(&r);
  bool traded = wait_event(id, CT_DHAN_STATUS_TRADED, &ev, &origin);
  assert_int_equal(ct_sim_stop(&sim), 0);
  assert_true(traded);
  assert_int_equal(ev.source, CT_OEV_SRC_POSTBACK);
  assert_string_equal(ev.client_id, A);
  assert_string_equal(ev.correlation_id, "pb-1");
  assert_int_equal(ev.quantity, 6);
  assert_int_equal(ev.traded_qty, 6); /* filled_qty */
  assert_int_equal(ev.txn, CT_DHAN_TXN_SELL);
  assert_int_equal(origin, ct_actor_id(ct_postback_actor(pb)));
  assert_true(find(id, CT_DHAN_STATUS_PENDING, &ev, &origin));
  assert_int_equal(ev.traded_qty, 0);
  assert_true(ct_postback_accepted(pb) >= 2);
  assert_int_equal(ct_postback_rejected(pb), 0);
  free(id);
}

static const char shape_2024[] =
    "{\"dhanClientId\":\"1000000003\",\"orderId\":\"112111182198\","
    "\"correlationId\":\"123abc678\",\"orderStatus\":\"PENDING\","
    "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
    "\"productType\":\"INTRADAY\",\"orderType\":\"MARKET\","
    "\"validity\":\"DAY\",\"tradingSymbol\":\"\",\"securityId\":\"11536\","
    "\"quantity\":5,\"disclosedQuantity\":0,\"price\":0.0,"
    "\"triggerPrice\":0.0,\"afterMarketOrder\":false,\"boProfitValue\":0.0,"
    "\"boStopLossValue\":0.0,\"legName\":\"\",\"createTime\":"
    "\"2021-11-24 13:33:03\",\"updateTime\":\"2021-11-24 13:33:03\","
    "\"exchangeTime\":\"2021-11-24 13:33:03\",\"drvExpiryDate\":null,"
    "\"drvOptionType\":null,\"drvStrikePrice\":0.0,\"omsErrorCode\":null,"
    "\"omsErrorDescription\":null}";

static void test_2024_shape_accepted(void **state) {
  ct_order_event_t ev;
  uint64_t origin;
  char reply[256];
  (void)state;
  assert_int_equal(
      post("/postback/" SECRET, "POST", shape_2024, reply, sizeof(reply)), 200);
  assert_string_equal(reply, "{\"status\":\"ok\"}");
  assert_true(wait_event("112111182198", CT_DHAN_STATUS_PENDING, &ev, &origin));
  assert_string_equal(ev.security_id, "11536");
  assert_int_equal(ev.quantity, 5);
  assert_int_equal(ev.source, CT_OEV_SRC_POSTBACK);
  /* keep-alive: a second postback on the same server works too */
  assert_int_equal(post("/postback/" SECRET, "POST", shape_2024, NULL, 0), 200);
  assert_int_equal(ct_postback_accepted(pb), 2);
}

static void test_rejections(void **state) {
  char reply[256], big[6000];
  (void)state;
  assert_int_equal(
      post("/postback/wrong-secret-000", "POST", shape_2024, NULL, 0), 404);
  assert_int_equal(post("/postback/" SECRET "x", "POST", shape_2024, NULL, 0),
                   404);
  assert_int_equal(post("/", "POST", shape_2024, NULL, 0), 404);
  assert_int_equal(post("/postback/" SECRET, "GET", NULL, NULL, 0), 405);
  memset(big, ' ', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  assert_int_equal(post("/postback/" SECRET, "POST", big, NULL, 0), 413);
  assert_int_equal(
      post("/postback/" SECRET, "POST", "{\"orderId\":", reply, sizeof(reply)),
      400);
  assert_non_null(strstr(reply, "not JSON"));
  assert_int_equal(post("/postback/" SECRET, "POST", "{\"orderId\":\"1\"}",
                        reply, sizeof(reply)),
                   400);
  assert_non_null(strstr(reply, "orderStatus"));
  /* nothing reached the subscriber; the server still works */
  assert_int_equal(nevents_now(), 0);
  assert_int_equal(ct_postback_rejected(pb), 7);
  assert_int_equal(post("/postback/" SECRET, "POST", shape_2024, NULL, 0), 200);
}

/* 2026 shape: a partial fill read from the snake_case filled_qty. */
static const char shape_2026_part[] =
    "{\"dhanClientId\":\"1000000003\",\"orderId\":\"552111182199\","
    "\"correlationId\":\"\",\"orderStatus\":\"PART_TRADED\","
    "\"transactionType\":\"SELL\",\"exchangeSegment\":\"NSE_FNO\","
    "\"productType\":\"MARGIN\",\"orderType\":\"LIMIT\","
    "\"validity\":\"DAY\",\"tradingSymbol\":\"NIFTY-Dec2026-26000-CE\","
    "\"securityId\":\"35001\",\"quantity\":75,\"disclosedQuantity\":0,"
    "\"price\":112.5,\"triggerPrice\":0.0,\"afterMarketOrder\":false,"
    "\"createTime\":\"2026-11-24 10:15:03\",\"updateTime\":"
    "\"2026-11-24 10:15:04\",\"exchangeTime\":\"2026-11-24 10:15:03\","
    "\"drvExpiryDate\":\"2026-12-29\",\"drvOptionType\":\"CALL\","
    "\"drvStrikePrice\":26000.0,\"omsErrorCode\":null,"
    "\"omsErrorDescription\":null,\"filled_qty\":25,\"algoId\":\"0\"}";

/* Bodies that are wrong in ways a Content-Length check cannot see: each
 * gets a fast error answer, nothing reaches the subscriber, and the
 * receiver keeps working. */
static void test_odd_bodies(void **state) {
  static const char *const chunked[] = { "Transfer-Encoding: chunked", NULL };
  char reply[256], big[6000];
  ct_http_resp_t r = { 0 };
  ct_order_event_t ev;
  uint64_t origin;
  (void)state;
  ct_http_set_timeout_ms(3000); /* a request left hanging fails the test */
  memset(big, ' ', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  /* lws 4.1 reads no chunked request body: refused at once, small or big */
  assert_int_equal(
      ct_http(base, "POST", "/postback/" SECRET, NULL, shape_2024, chunked, &r),
      0);
  assert_int_equal(r.status, 411);
  ct_http_resp_free(&r);
  assert_int_equal(
      ct_http(base, "POST", "/postback/" SECRET, NULL, big, chunked, &r), 0);
  assert_int_equal(r.status, 411);
  ct_http_resp_free(&r);
  assert_int_equal(post("/postback/" SECRET, "POST", "", NULL, 0), 400);
  assert_int_equal(
      post("/postback/" SECRET, "POST", "[1,2]", reply, sizeof(reply)), 400);
  assert_int_equal(
      post("/postback/" SECRET, "POST", "\xff\xfe\x01", reply, sizeof(reply)),
      400);
  assert_int_equal(nevents_now(), 0);
  assert_int_equal(ct_postback_rejected(pb), 5);
  assert_int_equal(
      post("/postback/" SECRET, "POST", shape_2026_part, reply, sizeof(reply)),
      200);
  ct_http_set_timeout_ms(10000);
  assert_true(
      wait_event("552111182199", CT_DHAN_STATUS_PART_TRADED, &ev, &origin));
  assert_int_equal(ev.quantity, 75);
  assert_int_equal(ev.traded_qty, 25);
  assert_int_equal(ev.fill, CT_FILL_PARTIAL);
  assert_int_equal(ev.segment, CT_DHAN_SEG_NSE_FNO);
}

static void test_https(void **state) {
  char *dir = ct_test_tmpdir("pbtls"), *cert = NULL, *key = NULL;
  ct_order_event_t ev;
  uint64_t origin;
  (void)state;
  assert_non_null(dir);
  assert_int_equal(ct_test_make_cert(dir, &cert, &key), 0);
  assert_int_equal(start_receiver(cert, key), 0);
  ct_http_set_cainfo(cert);
  long status = post("/postback/" SECRET, "POST", shape_2024, NULL, 0);
  ct_http_set_cainfo(NULL);
  bool got = wait_event("112111182198", CT_DHAN_STATUS_PENDING, &ev, &origin);
  ct_test_rmtree(dir);
  free(dir);
  free(cert);
  free(key);
  assert_int_equal(status, 200);
  assert_true(got);
}

static void test_bad_options(void **state) {
  ct_postback_opts_t po = { 0 };
  ct_secret_t s = { 0 };
  ct_postback_t *p = NULL;
  (void)state;
  po.subscriber = sub;
  assert_int_equal(ct_postback_spawn(rt, &po, 0, &p), CT_EINVAL);
  assert_int_equal(ct_secret_set(&s, "short"), 0);
  po.secret = &s;
  assert_int_equal(ct_postback_spawn(rt, &po, 0, &p), CT_EINVAL);
  assert_int_equal(ct_secret_set(&s, "has/slash-in-it"), 0);
  assert_int_equal(ct_postback_spawn(rt, &po, 0, &p), CT_EINVAL);
  assert_null(p);
  ct_secret_clear(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_dhansim_postbacks_arrive_typed, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_2024_shape_accepted, setup, teardown),
    cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
    cmocka_unit_test_setup_teardown(test_odd_bodies, setup, teardown),
    cmocka_unit_test_teardown(test_https, teardown),
    cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
