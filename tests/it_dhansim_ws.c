/*
 * Integration tests of dhansim's order-update WebSocket: LoginReq with
 * MsgCode as int and as string, bad logins closed with 1008 and a reason,
 * frames delivered only to sockets of the order's account, many sockets at
 * once, and dropping sockets through the admin endpoint.
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"
#include "sim_client.h"

#define A "1000000001"
#define B "1000000002"

static const char *const sim_args[] = {
  "--account",       A ":tok-A",    "--account", B ":tok-B",
  "--no-rate-limit", "--fill-mode", "none",      NULL
};
static ct_sim_t sim;

CT_SIM_GROUP_FIXTURE(sim, sim_args)

static char *place(const char *token, const char *client) {
  char body[512];
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"%s\",\"transactionType\":\"BUY\","
           "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
           "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":"
           "\"1660\",\"quantity\":1,\"price\":400}",
           client);
  return ct_sim_place_order(sim.url, token, body);
}

/* Next frame must be an order_alert for `id`; returns its Status. */
static void expect_frame(ct_ws_t *ws, const char *id, const char *client) {
  char *msg;
  size_t len;
  assert_int_equal(ct_ws_recv(ws, &msg, &len, 3000), 1);
  cJSON *j = cJSON_Parse(msg);
  cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "Data");
  assert_string_equal(ct_jstr(j, "Type"), "order_alert");
  assert_string_equal(ct_jstr(d, "OrderNo"), id);
  assert_string_equal(ct_jstr(d, "ClientId"), client);
  cJSON_Delete(j);
  free(msg);
}

static void expect_close(ct_ws_t *ws, const char *reason_part) {
  char *msg;
  size_t len;
  assert_int_equal(ct_ws_recv(ws, &msg, &len, 3000), 8);
  assert_true(len >= 2);
  assert_int_equal(((unsigned char)msg[0] << 8) | (unsigned char)msg[1], 1008);
  assert_non_null(strstr(msg + 2, reason_part));
  free(msg);
}

static void test_login_int_and_string(void **state) {
  ct_ws_t w1, w2;
  (void)state;
  assert_int_equal(ct_ws_connect(&w1, sim.port, 0), 0);
  assert_int_equal(ct_ws_login(&w1, A, "tok-A"), 0);
  assert_int_equal(ct_ws_connect(&w2, sim.port, 0), 0);
  assert_int_equal(
      ct_ws_send_text(&w2,
                      "{\"LoginReq\":{\"MsgCode\":\"42\",\"ClientId\":"
                      "\"" A "\",\"Token\":\"tok-A\"},\"UserType\":"
                      "\"SELF\"}"),
      0);
  usleep(100000);
  char *id = place("tok-A", A);
  expect_frame(&w1, id, A);
  expect_frame(&w2, id, A);
  ct_ws_close(&w1);
  ct_ws_close(&w2);
  free(id);
}

static void test_bad_logins_closed_1008(void **state) {
  ct_ws_t w;
  (void)state;
  assert_int_equal(ct_ws_connect(&w, sim.port, 0), 0);
  assert_int_equal(ct_ws_login(&w, A, "tok-B"), 0);
  expect_close(&w, "invalid ClientId or Token");
  ct_ws_close(&w);
  assert_int_equal(ct_ws_connect(&w, sim.port, 0), 0);
  assert_int_equal(ct_ws_login(&w, "999", "tok-A"), 0);
  expect_close(&w, "invalid");
  ct_ws_close(&w);
  assert_int_equal(ct_ws_connect(&w, sim.port, 0), 0);
  assert_int_equal(
      ct_ws_send_text(&w, "{\"LoginReq\":{\"MsgCode\":41,\"ClientId\":\"" A
                          "\",\"Token\":\"tok-A\"}}"),
      0);
  expect_close(&w, "MsgCode");
  ct_ws_close(&w);
  assert_int_equal(ct_ws_connect(&w, sim.port, 0), 0);
  assert_int_equal(ct_ws_send_text(&w, "not json"), 0);
  expect_close(&w, "JSON");
  ct_ws_close(&w);
}

static void test_frames_only_for_own_account(void **state) {
  ct_ws_t wa, wb;
  char *msg;
  size_t len;
  (void)state;
  assert_int_equal(ct_ws_connect(&wa, sim.port, 0), 0);
  assert_int_equal(ct_ws_login(&wa, A, "tok-A"), 0);
  assert_int_equal(ct_ws_connect(&wb, sim.port, 0), 0);
  assert_int_equal(ct_ws_login(&wb, B, "tok-B"), 0);
  usleep(100000);
  char *ida = place("tok-A", A);
  char *idb = place("tok-B", B);
  expect_frame(&wa, ida, A); /* TRANSIT */
  expect_frame(&wa, ida, A); /* PENDING */
  expect_frame(&wb, idb, B);
  expect_frame(&wb, idb, B);
  assert_int_equal(ct_ws_recv(&wa, &msg, &len, 200), -1); /* nothing of B */
  ct_ws_close(&wa);
  ct_ws_close(&wb);
  free(ida);
  free(idb);
}

static void test_many_sockets(void **state) {
  enum { N = 40 };
  static ct_ws_t ws[N];
  (void)state;
  for (int i = 0; i < N; i++) {
    assert_int_equal(ct_ws_connect(&ws[i], sim.port, 0), 0);
    assert_int_equal(ct_ws_login(&ws[i], B, "tok-B"), 0);
  }
  usleep(200000);
  char *id = place("tok-B", B);
  for (int i = 0; i < N; i++) {
    expect_frame(&ws[i], id, B);
    ct_ws_close(&ws[i]);
  }
  free(id);
}

static void test_admin_drop(void **state) {
  ct_ws_t w;
  ct_http_resp_t r;
  char *msg = NULL;
  size_t len;
  int rc;
  (void)state;
  assert_int_equal(ct_ws_connect(&w, sim.port, 0), 0);
  assert_int_equal(ct_ws_login(&w, A, "tok-A"), 0);
  usleep(50000);
  assert_int_equal(
      ct_http(sim.url, "POST", "/admin/ws/drop", NULL, "{}", NULL, &r), 0);
  assert_int_equal(r.status, 200);
  ct_http_resp_free(&r);
  rc = ct_ws_recv(&w, &msg, &len, 3000);
  free(msg);
  assert_true(rc == 0 || rc == 8); /* dropped: EOF (1006-style) */
  ct_ws_close(&w);
}

static void test_title_case_status(void **state) {
  const char *args[] = { "--account", "3:tok3",      "--ws-status-case",
                         "title",     "--fill-mode", "none",
                         NULL };
  ct_sim_t s;
  ct_ws_t w;
  ct_http_resp_t r;
  char *msg;
  size_t len;
  (void)state;
  assert_int_equal(ct_sim_start(&s, args), 0);
  assert_int_equal(ct_ws_connect(&w, s.port, 0), 0);
  assert_int_equal(ct_ws_login(&w, "3", "tok3"), 0);
  usleep(100000);
  assert_int_equal(
      ct_http(s.url, "POST", "/v2/orders", "tok3",
              "{\"dhanClientId\":\"3\",\"transactionType\":\"BUY\","
              "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
              "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":"
              "\"1660\",\"quantity\":1,\"price\":400}",
              NULL, &r),
      0);
  assert_int_equal(r.status, 200);
  ct_http_resp_free(&r);
  assert_int_equal(ct_ws_recv(&w, &msg, &len, 3000), 1);
  assert_non_null(strstr(msg, "\"Status\":\"Transit\""));
  free(msg);
  ct_ws_close(&w);
  assert_int_equal(ct_sim_stop(&s), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_login_int_and_string),
    cmocka_unit_test(test_bad_logins_closed_1008),
    cmocka_unit_test(test_frames_only_for_own_account),
    cmocka_unit_test(test_many_sockets),
    cmocka_unit_test(test_admin_drop),
    cmocka_unit_test(test_title_case_status),
  };
  return cmocka_run_group_tests(tests, sim_setup, sim_teardown);
}
