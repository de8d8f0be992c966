/*
 * Integration tests of the order-update feed actor against a real dhansim
 * (login, typed TRANSIT/PENDING/TRADED events, rejected logins, dropped
 * sockets, token swap, two feeds on two workers, WSS with a CA file) and
 * against a tiny raw WebSocket server in this file for what dhansim does
 * not send (fragmented, malformed, binary, oversized and foreign frames,
 * a peer that never answers pings).
 */
#include "ct_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "copytrader/order_feed.h"
#include "sim.h"
#include "sim_client.h"
#include "tls_cert.h"

#define A "1000000001"
#define B "1000000002"

/* ---- what the subscriber saw ---- */

typedef struct rec {
  uint32_t type;
  int err;
  uint64_t origin, connects;
  ct_order_event_t ev;
} rec_t;

#define MAX_RECS 512
static rec_t recs[MAX_RECS];
static _Atomic int nrecs;
static pthread_mutex_t rec_mu = PTHREAD_MUTEX_INITIALIZER;

static int sub_receive(ct_actor_t *self, const ct_envelope_t *env) {
  rec_t r;
  ct_order_feed_status_t st;
  (void)self;
  memset(&r, 0, sizeof(r));
  r.type = env->type;
  if (env->type == CT_MSG_ORDER_EVENT) {
    if (ct_order_feed_event_read(env, &r.ev, &r.origin) != 0)
      r.err = CT_EPROTO;
  } else if (ct_order_feed_status_read(env, &st) == 0) {
    r.err = st.err;
    r.origin = st.origin;
    r.connects = st.connects;
  } else {
    return 0;
  }
  pthread_mutex_lock(&rec_mu);
  if (nrecs < MAX_RECS)
    recs[nrecs++] = r;
  pthread_mutex_unlock(&rec_mu);
  return 0;
}

static const ct_actor_def_t sub_def = { "sub", NULL, sub_receive, NULL };

/* Number of records of `type` (and err, when err != 1) seen so far. */
static int count(uint32_t type, int err) {
  int n = 0;
  pthread_mutex_lock(&rec_mu);
  for (int i = 0; i < nrecs; i++)
    if (recs[i].type == type && (err == 1 || recs[i].err == err))
      n++;
  pthread_mutex_unlock(&rec_mu);
  return n;
}

static int wait_count(uint32_t type, int err, int want, int timeout_ms) {
  int n = 0;
  for (int t = 0; t <= timeout_ms; t += 10) {
    if ((n = count(type, err)) >= want)
      return n;
    usleep(10000);
  }
  return n;
}

/* The event for order `id` with `status`, if seen; copied to *out. */
static bool find_event(const char *id, ct_dhan_status_t status,
                       ct_order_event_t *out) {
  bool found = false;
  pthread_mutex_lock(&rec_mu);
  for (int i = 0; i < nrecs && !found; i++)
    if (recs[i].type == CT_MSG_ORDER_EVENT &&
        strcmp(recs[i].ev.order_id, id) == 0 && recs[i].ev.status == status) {
      *out = recs[i].ev;
      found = true;
    }
  pthread_mutex_unlock(&rec_mu);
  return found;
}

static bool wait_event(const char *id, ct_dhan_status_t status,
                       ct_order_event_t *out) {
  for (int t = 0; t < 5000; t += 10) {
    if (find_event(id, status, out))
      return true;
    usleep(10000);
  }
  return false;
}

/* ---- fixture: dhansim, a runtime, a subscriber ---- */

static const char *const sim_args[] = { "--account",       A ":tok-A",
                                        "--account",       B ":tok-B",
                                        "--no-rate-limit", NULL };
static ct_sim_t sim;
static ct_runtime_t *rt;
static ct_actor_t *sub;
static ct_order_feed_t *feeds[2];
static ct_secret_t tok;

static int group_setup(void **state) {
  (void)state;
  return ct_sim_start(&sim, sim_args);
}

static int group_teardown(void **state) {
  (void)state;
  return ct_sim_stop(&sim) == 0 ? 0 : -1;
}

static int setup(void **state) {
  ct_runtime_opts_t ro = { 0 };
  (void)state;
  ro.workers = 2;
  nrecs = 0;
  if (ct_runtime_new(&ro, &rt) != 0 || ct_runtime_start(rt) != 0)
    return -1;
  return ct_spawn(rt, &sub_def, NULL, NULL, &sub);
}

static int teardown(void **state) {
  int rc;
  (void)state;
  rc = ct_test_runtime_end(rt); /* 0: every loop closed cleanly */
  for (int i = 0; i < 2; i++) {
    ct_order_feed_free(feeds[i]);
    feeds[i] = NULL;
  }
  ct_secret_clear(&tok);
  assert_int_equal(rc, 0);
  return 0;
}

static void base_opts(ct_order_feed_opts_t *o, const char *url,
                      const char *client, const char *token) {
  static char urlbuf[128];
  memset(o, 0, sizeof(*o));
  if (url == NULL) {
    snprintf(urlbuf, sizeof(urlbuf), "ws://127.0.0.1:%d", sim.port);
    url = urlbuf;
  }
  assert_int_equal(ct_secret_set(&tok, token), 0);
  o->url = url;
  o->client_id = client;
  o->token = &tok;
  o->subscriber = sub;
  o->up_grace_ms = 150;
  o->ping_ms = 200;
  o->stale_ms = 1500;
  o->backoff_base_ms = 50;
  o->backoff_cap_ms = 400;
  o->auth_backoff_ms = 200;
  o->seed = 42;
}

static ct_order_feed_t *spawn_feed(int slot, const ct_order_feed_opts_t *o,
                                   int worker) {
  assert_int_equal(ct_order_feed_spawn(rt, o, worker, &feeds[slot]), 0);
  return feeds[slot];
}

static char *place(const char *token, const char *client, int qty) {
  char body[512];
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"%s\",\"transactionType\":\"BUY\","
           "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","
           "\"orderType\":\"MARKET\",\"validity\":\"DAY\",\"securityId\":"
           "\"1660\",\"quantity\":%d,\"price\":0}",
           client, qty);
  return ct_sim_place_order(sim.url, token, body);
}

static void expect_lifecycle(const char *id, const char *client, int qty) {
  ct_order_event_t ev;
  assert_true(wait_event(id, CT_DHAN_STATUS_TRADED, &ev));
  assert_int_equal(ev.source, CT_OEV_SRC_WS);
  assert_string_equal(ev.client_id, client);
  assert_int_equal(ev.quantity, qty);
  assert_int_equal(ev.traded_qty, qty);
  assert_int_equal(ev.fill, CT_FILL_FULL);
  assert_true(find_event(id, CT_DHAN_STATUS_TRANSIT, &ev));
  assert_int_equal(ev.traded_qty, 0);
  assert_true(find_event(id, CT_DHAN_STATUS_PENDING, &ev));
  assert_int_equal(ev.quantity, qty);
  assert_int_equal(ev.segment, CT_DHAN_SEG_NSE_EQ);
  assert_int_equal(ev.txn, CT_DHAN_TXN_BUY);
}

/* ---- against dhansim ---- */

static void test_login_and_typed_events(void **state) {
  ct_order_feed_opts_t o;
  ct_order_event_t ev;
  (void)state;
  base_opts(&o, NULL, A, "tok-A");
  ct_order_feed_t *f = spawn_feed(0, &o, 0);
  assert_int_equal(wait_count(CT_MSG_FEED_UP, 0, 1, 5000), 1);
  char *id = place("tok-A", A, 7);
  expect_lifecycle(id, A, 7);
  assert_true(find_event(id, CT_DHAN_STATUS_TRADED, &ev));
  pthread_mutex_lock(&rec_mu);
  assert_int_equal(recs[0].type, CT_MSG_FEED_UP);
  assert_int_equal(recs[0].origin, ct_actor_id(ct_order_feed_actor(f)));
  assert_int_equal(recs[0].connects, 1);
  pthread_mutex_unlock(&rec_mu);
  assert_int_equal(count(CT_MSG_FEED_DOWN, 1), 0);
  free(id);
}

static void test_bad_token_is_auth_failure(void **state) {
  ct_order_feed_opts_t o;
  (void)state;
  base_opts(&o, NULL, A, "wrong-token");
  spawn_feed(0, &o, 1);
  /* rejected, then retried with backoff and rejected again */
  assert_int_equal(wait_count(CT_MSG_FEED_DOWN, CT_EAUTH, 2, 5000), 2);
  assert_int_equal(count(CT_MSG_FEED_UP, 1), 0);
}

static void test_drop_then_reconnect(void **state) {
  ct_order_feed_opts_t o;
  ct_http_resp_t r;
  (void)state;
  base_opts(&o, NULL, B, "tok-B");
  spawn_feed(0, &o, -1);
  assert_int_equal(wait_count(CT_MSG_FEED_UP, 0, 1, 5000), 1);
  assert_int_equal(
      ct_http(sim.url, "POST", "/admin/ws/drop", NULL, "{}", NULL, &r), 0);
  assert_int_equal(r.status, 200);
  ct_http_resp_free(&r);
  assert_int_equal(wait_count(CT_MSG_FEED_DOWN, 1, 1, 5000), 1);
  assert_int_equal(wait_count(CT_MSG_FEED_UP, 0, 2, 5000), 2);
  pthread_mutex_lock(&rec_mu);
  assert_int_equal(recs[1].type, CT_MSG_FEED_DOWN);
  assert_int_not_equal(recs[1].err, CT_EAUTH);
  assert_int_equal(recs[2].type, CT_MSG_FEED_UP);
  assert_int_equal(recs[2].connects, 2);
  pthread_mutex_unlock(&rec_mu);
  char *id = place("tok-B", B, 3);
  expect_lifecycle(id, B, 3);
  free(id);
}

static void test_token_swap(void **state) {
  ct_order_feed_opts_t o;
  (void)state;
  base_opts(&o, NULL, A, "stale-token");
  ct_order_feed_t *f = spawn_feed(0, &o, 1);
  assert_int_equal(wait_count(CT_MSG_FEED_DOWN, CT_EAUTH, 1, 5000), 1);
  assert_int_equal(ct_order_feed_set_token(f, "tok-A"), 0);
  assert_int_equal(wait_count(CT_MSG_FEED_UP, 0, 1, 5000), 1);
  /* a swap while up: down (CT_ESTATE), up again, events still flow */
  assert_int_equal(ct_order_feed_set_token(f, "tok-A"), 0);
  assert_int_equal(wait_count(CT_MSG_FEED_DOWN, CT_ESTATE, 1, 5000), 1);
  assert_int_equal(wait_count(CT_MSG_FEED_UP, 0, 2, 5000), 2);
  char *id = place("tok-A", A, 2);
  expect_lifecycle(id, A, 2);
  free(id);
}

static void test_two_feeds_two_workers(void **state) {
  ct_order_feed_opts_t oa, ob;
  ct_secret_t tb = { 0 };
  ct_order_event_t ev;
  (void)state;
  base_opts(&oa, NULL, A, "tok-A");
  spawn_feed(0, &oa, 0);
  base_opts(&ob, NULL, B, "tok-B"); /* tok is copied at spawn */
  spawn_feed(1, &ob, 1);
  assert_int_equal(wait_count(CT_MSG_FEED_UP, 0, 2, 5000), 2);
  char *ia = place("tok-A", A, 4);
  char *ib = place("tok-B", B, 5);
  expect_lifecycle(ia, A, 4);
  expect_lifecycle(ib, B, 5);
  /* each feed saw only its own account */
  assert_true(find_event(ia, CT_DHAN_STATUS_TRADED, &ev));
  pthread_mutex_lock(&rec_mu);
  for (int i = 0; i < nrecs; i++)
    if (recs[i].type == CT_MSG_ORDER_EVENT)
      assert_int_equal(
          recs[i].origin,
          ct_actor_id(ct_order_feed_actor(
              strcmp(recs[i].ev.client_id, A) == 0 ? feeds[0] : feeds[1])));
  pthread_mutex_unlock(&rec_mu);
  ct_secret_clear(&tb);
  free(ia);
  free(ib);
}

static void test_wss_with_ca_file(void **state) {
  char *dir = ct_test_tmpdir("feedtls"), *cert = NULL, *key = NULL;
  ct_sim_t ts;
  ct_order_feed_opts_t o;
  char url[128];
  (void)state;
  assert_non_null(dir);
  assert_int_equal(ct_test_make_cert(dir, &cert, &key), 0);
  const char *const args[] = { "--account",  A ":tok-A", "--no-rate-limit",
                               "--tls-cert", cert,       "--tls-key",
                               key,          NULL };
  assert_int_equal(ct_sim_start(&ts, args), 0);
  snprintf(url, sizeof(url), "wss://localhost:%d", ts.port);
  base_opts(&o, url, A, "tok-A");
  o.ca_file = cert;
  spawn_feed(0, &o, 0);
  int up = wait_count(CT_MSG_FEED_UP, 0, 1, 5000);
  /* without the CA file the certificate is not trusted */
  o.ca_file = NULL;
  spawn_feed(1, &o, 1);
  int untrusted = wait_count(CT_MSG_FEED_DOWN, CT_ETLS, 1, 5000);
  ct_http_set_cainfo(cert);
  ct_sim_t keep = sim;
  sim = ts; /* place() talks to the TLS simulator */
  char *id = up == 1 ? place("tok-A", A, 1) : NULL;
  if (id != NULL)
    expect_lifecycle(id, A, 1);
  sim = keep;
  ct_http_set_cainfo(NULL);
  assert_int_equal(ct_sim_stop(&ts), 0);
  ct_test_rmtree(dir);
  free(id);
  free(dir);
  free(cert);
  free(key);
  assert_int_equal(up, 1);
  assert_int_equal(untrusted, 1);
  assert_int_equal(count(CT_MSG_FEED_UP, 1), 1);
}

/* ---- a raw WebSocket server for what dhansim does not send ---- */

typedef struct raw {
  int lfd, port;
  pthread_t th;
  int mode; /* 0: scripted frames, 1: silent (ignores pings) */
  _Atomic int accepted;
  _Atomic int stop;
} raw_t;

static void send_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
    if (w <= 0)
      return;
    c += w;
    n -= (size_t)w;
  }
}

/* One unmasked server frame: opcode with FIN bit as given. */
static void raw_frame(int fd, int fin, int opcode, const char *p, size_t n) {
  unsigned char h[10];
  size_t hl = 2;
  h[0] = (unsigned char)((fin ? 0x80 : 0) | opcode);
  if (n < 126) {
    h[1] = (unsigned char)n;
  } else if (n < 65536) {
    h[1] = 126;
    h[2] = (unsigned char)(n >> 8);
    h[3] = (unsigned char)n;
    hl = 4;
  } else {
    h[1] = 127;
    for (int i = 0; i < 8; i++)
      h[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
    hl = 10;
  }
  send_all(fd, h, hl);
  send_all(fd, p, n);
}

static void raw_text(int fd, const char *s) {
  raw_frame(fd, 1, 1, s, strlen(s));
}

static int raw_handshake(int fd) {
  char req[4096] = "", acc[64], resp[256];
  size_t n = 0;
  unsigned char sha[SHA_DIGEST_LENGTH];
  while (n < sizeof(req) - 1 && strstr(req, "\r\n\r\n") == NULL) {
    ssize_t r = recv(fd, req + n, sizeof(req) - 1 - n, 0);
    if (r <= 0)
      return -1;
    n += (size_t)r;
    req[n] = '\0';
  }
  char *k = strcasestr(req, "Sec-WebSocket-Key:");
  if (k == NULL)
    return -1;
  k += 18;
  while (*k == ' ')
    k++;
  char key[128];
  size_t kl = strcspn(k, "\r\n");
  snprintf(key, sizeof(key), "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
           (int)kl, k);
  SHA1((unsigned char *)key, strlen(key), sha);
  EVP_EncodeBlock((unsigned char *)acc, sha, SHA_DIGEST_LENGTH);
  int m = snprintf(resp, sizeof(resp),
                   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                   acc);
  send_all(fd, resp, (size_t)m);
  return 0;
}

#define ALERT(id, st)                                                          \
  "{\"Type\":\"order_alert\",\"Data\":{\"Exchange\":\"NSE\",\"Segment\":"      \
  "\"E\",\"OrderNo\":\"" id "\",\"ClientId\":\"" A "\",\"Status\":\"" st       \
  "\",\"Quantity\":10,\"TradedQty\":0,\"TxnType\":\"B\"}}"

static void raw_script(int fd) {
  static char big[70000];
  const char *frag = ALERT("F1", "Pending");
  size_t fl = strlen(frag);
  raw_text(fd, "{not json");                              /* malformed */
  raw_text(fd, "{\"Type\":\"heartbeat\"}");               /* foreign */
  raw_frame(fd, 1, 2, "\x01\x02", 2);                     /* binary */
  raw_text(fd, "{\"Type\":\"order_alert\",\"Data\":{}}"); /* no OrderNo */
  memset(big, ' ', sizeof(big));
  memcpy(big, ALERT("BIG", "PENDING"), strlen(ALERT("BIG", "PENDING")));
  raw_frame(fd, 1, 1, big, sizeof(big)); /* over max_frame */
  raw_frame(fd, 0, 1, frag, 20);         /* fragmented: three pieces */
  raw_frame(fd, 0, 0, frag + 20, 30);
  raw_frame(fd, 1, 0, frag + 50, fl - 50);
  raw_text(fd, ALERT("OK2", "TRANSIT"));
}

static void raw_serve(raw_t *s, int fd) {
  unsigned char buf[4096];
  if (raw_handshake(fd) != 0)
    return;
  if (s->mode == 0)
    raw_script(fd);
  /* read (and drop) what the client sends until it goes away */
  while (!s->stop) {
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, 50) > 0 && recv(fd, buf, sizeof(buf), 0) <= 0)
      break;
  }
}

static void *raw_thread(void *arg) {
  raw_t *s = arg;
  while (!s->stop) {
    struct pollfd p = { s->lfd, POLLIN, 0 };
    if (poll(&p, 1, 50) <= 0)
      continue;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
      continue;
    s->accepted++;
    raw_serve(s, fd);
    close(fd);
  }
  return NULL;
}

static void raw_start(raw_t *s, int mode) {
  struct sockaddr_in a = { 0 };
  socklen_t al = sizeof(a);
  memset(s, 0, sizeof(*s));
  s->mode = mode;
  s->lfd = socket(AF_INET, SOCK_STREAM, 0);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(s->lfd, 8), 0);
  getsockname(s->lfd, (struct sockaddr *)&a, &al);
  s->port = ntohs(a.sin_port);
  assert_int_equal(pthread_create(&s->th, NULL, raw_thread, s), 0);
}

static void raw_stop(raw_t *s) {
  s->stop = 1;
  pthread_join(s->th, NULL);
  close(s->lfd);
}

static void test_bad_frames_skipped(void **state) {
  raw_t s;
  ct_order_feed_opts_t o;
  ct_order_event_t ev;
  char url[64];
  (void)state;
  raw_start(&s, 0);
  snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", s.port);
  base_opts(&o, url, A, "t");
  o.max_frame = 16384;
  spawn_feed(0, &o, 0);
  assert_true(wait_event("OK2", CT_DHAN_STATUS_TRANSIT, &ev));
  assert_true(find_event("F1", CT_DHAN_STATUS_PENDING, &ev));
  assert_int_equal(ev.quantity, 10);
  assert_int_equal(ev.segment, CT_DHAN_SEG_NSE_EQ);
  /* exactly the two good ones; the feed stayed up on one socket */
  assert_int_equal(count(CT_MSG_ORDER_EVENT, 1), 2);
  assert_int_equal(count(CT_MSG_FEED_UP, 0), 1);
  assert_int_equal(count(CT_MSG_FEED_DOWN, 1), 0);
  assert_int_equal(s.accepted, 1);
  raw_stop(&s);
}

static void test_stale_socket_dropped(void **state) {
  raw_t s;
  ct_order_feed_opts_t o;
  char url[64];
  (void)state;
  raw_start(&s, 1);
  snprintf(url, sizeof(url), "ws://127.0.0.1:%d", s.port);
  base_opts(&o, url, A, "t");
  o.ping_ms = 100;
  o.stale_ms = 500;
  spawn_feed(0, &o, 1);
  assert_int_equal(wait_count(CT_MSG_FEED_DOWN, CT_ETIMEDOUT, 1, 5000), 1);
  assert_int_equal(wait_count(CT_MSG_FEED_UP, 0, 2, 5000), 2);
  assert_true(s.accepted >= 2);
  raw_stop(&s);
}

static void test_bad_options(void **state) {
  ct_order_feed_opts_t o;
  ct_order_feed_t *f = NULL;
  (void)state;
  base_opts(&o, "http://127.0.0.1:1", A, "t");
  assert_int_equal(ct_order_feed_spawn(rt, &o, 0, &f), CT_EINVAL);
  base_opts(&o, NULL, A, "t");
  o.subscriber = NULL;
  assert_int_equal(ct_order_feed_spawn(rt, &o, 0, &f), CT_EINVAL);
  assert_null(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_login_and_typed_events, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_bad_token_is_auth_failure, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_drop_then_reconnect, setup, teardown),
    cmocka_unit_test_setup_teardown(test_token_swap, setup, teardown),
    cmocka_unit_test_setup_teardown(test_two_feeds_two_workers, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_wss_with_ca_file, setup, teardown),
    cmocka_unit_test_setup_teardown(test_bad_frames_skipped, setup, teardown),
    cmocka_unit_test_setup_teardown(test_stale_socket_dropped, setup, teardown),
    cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
