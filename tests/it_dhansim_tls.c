/*
 * Integration test of dhansim over TLS: a self-signed EC certificate is made
 * with the openssl CLI in a temporary directory, dhansim serves HTTPS and
 * WSS with it, and the clients verify it against that certificate.
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"
#include "sim_client.h"

static void test_https_and_wss(void **state) {
  char *dir = ct_test_tmpdir("dhansim-tls");
  char cert[512], key[512], cmd[2048], *msg;
  const char *args[] = { "--account", "7:tok7", "--tls-cert", cert,
                         "--tls-key", key,      NULL };
  ct_sim_t s;
  ct_http_resp_t r;
  ct_ws_t ws;
  size_t len;
  (void)state;
  assert_non_null(dir);
  snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
  snprintf(key, sizeof(key), "%s/key.pem", dir);
  snprintf(cmd, sizeof(cmd),
           "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
           " -nodes -days 1 -subj /CN=localhost -addext "
           "subjectAltName=IP:127.0.0.1,DNS:localhost -keyout %s -out %s "
           ">/dev/null 2>&1",
           key, cert);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(ct_sim_start(&s, args), 0);
  assert_non_null(strstr(s.url, "https://"));
  ct_http_set_cainfo(cert);
  assert_int_equal(
      ct_http(s.url, "GET", "/v2/fundlimit", "tok7", NULL, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  ct_http_resp_free(&r);
  assert_int_equal(ct_ws_connect(&ws, s.port, 1), 0);
  assert_int_equal(ct_ws_login(&ws, "7", "tok7"), 0);
  usleep(100000);
  assert_int_equal(
      ct_http(s.url, "POST", "/v2/orders", "tok7",
              "{\"dhanClientId\":\"7\",\"transactionType\":\"BUY\","
              "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
              "\"orderType\":\"MARKET\",\"validity\":\"DAY\",\"securityId\":"
              "\"1660\",\"quantity\":1}",
              NULL, &r),
      0);
  assert_int_equal(r.status, 200);
  ct_http_resp_free(&r);
  assert_int_equal(ct_ws_recv(&ws, &msg, &len, 3000), 1);
  assert_non_null(strstr(msg, "\"order_alert\""));
  free(msg);
  ct_ws_close(&ws);
  /* plain HTTP on the TLS port is refused */
  char plain[64];
  snprintf(plain, sizeof(plain), "http://127.0.0.1:%d", s.port);
  ct_http_set_timeout_ms(2000);
  if (ct_http(plain, "GET", "/v2/fundlimit", "tok7", NULL, NULL, &r) == 0)
    assert_int_not_equal(r.status, 200);
  ct_http_resp_free(&r);
  ct_http_set_timeout_ms(10000);
  ct_http_set_cainfo(NULL);
  assert_int_equal(ct_sim_stop(&s), 0);
  ct_test_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_https_and_wss),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
