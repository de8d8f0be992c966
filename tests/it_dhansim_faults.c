/*
 * Integration tests of dhansim's fault injection and robustness: latency
 * that delays one route without stalling others, injected errors (500
 * DH-908, 503 DH-909, timeouts, resets), refused connections, dropping
 * WebSockets on a timer, slow clients that must not stall anyone, and
 * postback delivery to a small listener run by the test.
 */
#include "ct_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"
#include "sim_client.h"

#define A   "1000000001"
#define TOK "tok-A"

static ct_sim_t sim;

static int setup(void **state) {
  const char *args[] = { "--account", A ":" TOK, "--no-rate-limit",
                         "--seed",    "7",       NULL };
  (void)state;
  return ct_sim_start(&sim, args);
}

static int teardown(void **state) {
  (void)state;
  return ct_sim_stop(&sim) == 0 ? 0 : -1;
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void admin(const char *path, const char *body) {
  ct_http_resp_t r;
  assert_int_equal(ct_http(sim.url, "POST", path, NULL, body, NULL, &r), 0);
  if (r.status != 200)
    fail_msg("%s %s -> %ld %s", path, body, r.status, r.body);
  ct_http_resp_free(&r);
}

static long get_status(const char *path, char *code, size_t cap) {
  ct_http_resp_t r;
  long st = -1;
  if (ct_http(sim.url, "GET", path, TOK, NULL, NULL, &r) == 0) {
    st = r.status;
    if (code)
      snprintf(code, cap, "%s", ct_jstr(r.json, "errorCode"));
  }
  ct_http_resp_free(&r);
  return st;
}

static atomic_int slow_done;

static void *slow_get(void *arg) {
  (void)arg;
  assert_int_equal(get_status("/v2/holdings", NULL, 0), 200);
  atomic_store(&slow_done, 1);
  return NULL;
}

static void test_latency_does_not_block(void **state) {
  pthread_t th;
  long t0;
  (void)state;
  admin("/admin/faults", "{\"route\":\"/v2/holdings\",\"latencyMs\":1500}");
  t0 = now_ms();
  pthread_create(&th, NULL, slow_get, NULL);
  usleep(100000);
  assert_int_equal(get_status("/v2/profile", NULL, 0), 200);
  assert_int_equal(atomic_load(&slow_done), 0); /* still delayed */
  pthread_join(th, NULL);
  assert_true(now_ms() - t0 >= 1400);
  admin("/admin/faults", "{\"clear\":true}");
}

static void test_injected_errors(void **state) {
  char code[32];
  ct_http_resp_t r;
  (void)state;
  admin("/admin/faults",
        "{\"route\":\"/v2/holdings\",\"errorRate\":1,"
        "\"errorKind\":\"DH-908\"}");
  assert_int_equal(get_status("/v2/holdings", code, sizeof(code)), 500);
  assert_string_equal(code, "DH-908");
  admin("/admin/faults",
        "{\"route\":\"/v2/holdings\",\"errorRate\":1,"
        "\"errorKind\":\"DH-909\"}");
  assert_int_equal(get_status("/v2/holdings", code, sizeof(code)), 503);
  assert_string_equal(code, "DH-909");
  admin("/admin/faults",
        "{\"route\":\"/v2/holdings\",\"errorRate\":1,"
        "\"errorKind\":\"reset\"}");
  assert_int_equal(ct_http(sim.url, "GET", "/v2/holdings", TOK, NULL, NULL, &r),
                   -1);
  ct_http_resp_free(&r);
  admin("/admin/faults",
        "{\"route\":\"/v2/holdings\",\"errorRate\":1,"
        "\"errorKind\":\"timeout\"}");
  ct_http_set_timeout_ms(300);
  assert_int_equal(ct_http(sim.url, "GET", "/v2/holdings", TOK, NULL, NULL, &r),
                   -1);
  ct_http_resp_free(&r);
  ct_http_set_timeout_ms(10000);
  assert_int_equal(get_status("/v2/positions", NULL, 0), 200); /* others ok */
  admin("/admin/faults", "{\"clear\":true}");
  assert_int_equal(get_status("/v2/holdings", NULL, 0), 200);
  ct_http_resp_t bad;
  assert_int_equal(
      ct_http(sim.url, "POST", "/admin/faults", NULL,
              "{\"errorKind\":\"bogus\",\"errorRate\":1}", NULL, &bad),
      0);
  assert_int_equal(bad.status, 400);
  ct_http_resp_free(&bad);
}

static void test_refuse_connections(void **state) {
  ct_http_resp_t r;
  int refused = 0;
  (void)state;
  /* A window long enough that a loaded machine (sanitizer build, -j2)
   * still makes the first request inside it; recovery is then polled. */
  admin("/admin/refuse", "{\"ms\":1500}");
  ct_http_set_timeout_ms(1000);
  if (ct_http(sim.url, "GET", "/v2/profile", TOK, NULL, NULL, &r) != 0)
    refused = 1;
  ct_http_resp_free(&r);
  assert_int_equal(refused, 1);
  for (long end = now_ms() + 5000; now_ms() < end; usleep(100000)) {
    if (ct_http(sim.url, "GET", "/v2/profile", TOK, NULL, NULL, &r) == 0 &&
        r.status == 200) {
      refused = 0;
      ct_http_resp_free(&r);
      break;
    }
    ct_http_resp_free(&r);
  }
  ct_http_set_timeout_ms(10000);
  assert_int_equal(refused, 0); /* served again once the window closed */
}

static void test_ws_drop_timer(void **state) {
  ct_ws_t w;
  char *msg = NULL;
  size_t len;
  int rc;
  (void)state;
  assert_int_equal(ct_ws_connect(&w, sim.port, 0), 0);
  assert_int_equal(ct_ws_login(&w, A, TOK), 0);
  admin("/admin/ws/drop", "{\"everyMs\":200}");
  rc = ct_ws_recv(&w, &msg, &len, 3000);
  free(msg);
  assert_true(rc == 0 || rc == 8);
  ct_ws_close(&w);
  admin("/admin/ws/drop", "{\"everyMs\":0}");
}

static int raw_connect(void) {
  struct sockaddr_in sa;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)sim.port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  return fd;
}

static void test_slow_clients(void **state) {
  int fds[20];
  const char *partial =
      "POST /v2/orders HTTP/1.1\r\nHost: x\r\n"
      "access-token: " TOK
      "\r\nContent-Length: 100000\r\n"
      "\r\n{\"dhanClientId\":";
  (void)state;
  for (int i = 0; i < 20; i++) {
    fds[i] = raw_connect();
    if (i % 2 == 0) /* headers never finished */
      assert_true(write(fds[i], "GET /v2/orders HTTP/1.1\r\nHo", 27) == 27);
    else /* body announced, never sent */
      assert_true(write(fds[i], partial, strlen(partial)) ==
                  (ssize_t)strlen(partial));
  }
  for (int i = 0; i < 10; i++)
    assert_int_equal(get_status("/v2/fundlimit", NULL, 0), 200);
  for (int i = 0; i < 20; i++)
    close(fds[i]);
  assert_int_equal(get_status("/v2/fundlimit", NULL, 0), 200);
}

/* ---- postback: a one-thread HTTP listener that keeps request bodies ---- */
typedef struct listener {
  int fd, port;
  atomic_int stop;
  char bodies[16384];
  size_t used;
  pthread_mutex_t mu;
} listener_t;

static void serve_one(listener_t *l, int c) {
  char buf[8192];
  size_t n = 0;
  long deadline = now_ms() + 3000;
  while (n < sizeof(buf) - 1 && now_ms() < deadline) {
    struct pollfd p = { c, POLLIN, 0 };
    if (poll(&p, 1, 100) <= 0)
      continue;
    ssize_t k = read(c, buf + n, sizeof(buf) - 1 - n);
    if (k <= 0)
      break;
    n += (size_t)k;
    buf[n] = '\0';
    char *hdr_end = strstr(buf, "\r\n\r\n");
    char *cl = strcasestr(buf, "content-length:");
    if (hdr_end && cl &&
        (size_t)(hdr_end + 4 - buf) + (size_t)atoi(cl + 15) <= n) {
      pthread_mutex_lock(&l->mu);
      l->used +=
          (size_t)snprintf(l->bodies + l->used, sizeof(l->bodies) - l->used,
                           "%s\n", hdr_end + 4);
      if (l->used >= sizeof(l->bodies))
        l->used = sizeof(l->bodies) - 1;
      pthread_mutex_unlock(&l->mu);
      /* One request per connection: the loop serves connections one at a
       * time, so a kept-alive one would hold back the next postback,
       * which dhansim may send on a second connection meanwhile. */
      const char *ok =
          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
          "Connection: close\r\n\r\n";
      assert_true(write(c, ok, strlen(ok)) > 0);
      break;
    }
  }
  close(c);
}

static void *listen_loop(void *arg) {
  listener_t *l = arg;
  while (!atomic_load(&l->stop)) {
    struct pollfd p = { l->fd, POLLIN, 0 };
    if (poll(&p, 1, 50) <= 0)
      continue;
    int c = accept(l->fd, NULL, NULL);
    if (c >= 0)
      serve_one(l, c);
  }
  return NULL;
}

static int listener_open(listener_t *l) {
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  l->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
      listen(l->fd, 16) != 0 ||
      getsockname(l->fd, (struct sockaddr *)&sa, &len) != 0)
    return -1;
  l->port = ntohs(sa.sin_port);
  pthread_mutex_init(&l->mu, NULL);
  return 0;
}

static void test_postback(void **state) {
  static listener_t l;
  pthread_t th;
  char url[128], pb[160];
  ct_sim_t s;
  ct_http_resp_t r;
  int seen = 0;
  (void)state;
  assert_int_equal(listener_open(&l), 0);
  pthread_create(&th, NULL, listen_loop, &l);
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", l.port);
  snprintf(pb, sizeof(pb), "9=%s", url);
  const char *args[] = { "--account", "9:tok9", "--postback", pb, NULL };
  assert_int_equal(ct_sim_start(&s, args), 0);
  assert_int_equal(
      ct_http(s.url, "POST", "/v2/orders", "tok9",
              "{\"dhanClientId\":\"9\",\"correlationId\":\"pb-1\","
              "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
              "\"productType\":\"CNC\",\"orderType\":\"MARKET\",\"validity\":"
              "\"DAY\",\"securityId\":\"1660\",\"quantity\":2}",
              NULL, &r),
      0);
  assert_int_equal(r.status, 200);
  ct_http_resp_free(&r);
  for (int i = 0; i < 300 && !seen; i++) {
    usleep(10000);
    pthread_mutex_lock(&l.mu);
    seen = strstr(l.bodies, "\"orderStatus\":\"TRADED\"") != NULL;
    pthread_mutex_unlock(&l.mu);
  }
  assert_int_equal(seen, 1);
  assert_non_null(strstr(l.bodies, "\"orderStatus\":\"TRANSIT\""));
  assert_non_null(strstr(l.bodies, "\"filled_qty\":2"));
  assert_non_null(strstr(l.bodies, "\"correlationId\":\"pb-1\""));
  assert_int_equal(ct_sim_stop(&s), 0);
  atomic_store(&l.stop, 1);
  pthread_join(th, NULL);
  close(l.fd);
}

static void test_fault_flags(void **state) {
  const char *args[] = { "--account", "5:tok5",
                         "--latency", "/v2/profile=300:50",
                         "--error",   "/v2/holdings=1:DH-909",
                         NULL };
  const char *bad[] = { "--listen", "127.0.0.1:0",    "--account", "5:tok5",
                        "--error",  "/v2/holdings=2", NULL };
  char err[512];
  ct_sim_t s;
  ct_http_resp_t r;
  long t0;
  (void)state;
  assert_int_equal(ct_sim_start(&s, args), 0);
  t0 = now_ms();
  assert_int_equal(ct_http(s.url, "GET", "/v2/profile", "tok5", NULL, NULL, &r),
                   0);
  assert_int_equal(r.status, 200);
  assert_true(now_ms() - t0 >= 300); /* never early (delayq.c) */
  ct_http_resp_free(&r);
  assert_int_equal(
      ct_http(s.url, "GET", "/v2/holdings", "tok5", NULL, NULL, &r), 0);
  assert_int_equal(r.status, 503);
  assert_string_equal(ct_jstr(r.json, "errorCode"), "DH-909");
  ct_http_resp_free(&r);
  assert_int_equal(ct_sim_stop(&s), 0);
  assert_int_equal(ct_sim_run_fail(bad, err, sizeof(err)), 2);
  assert_non_null(strstr(err, "--error"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_latency_does_not_block),
    cmocka_unit_test(test_injected_errors),
    cmocka_unit_test(test_refuse_connections),
    cmocka_unit_test(test_ws_drop_timer),
    cmocka_unit_test(test_slow_clients),
    cmocka_unit_test(test_postback),
    cmocka_unit_test(test_fault_flags),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
