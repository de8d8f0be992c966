/*
 * Tests for the HTTP transport actor over real loopback sockets, against
 * the test server of tests/support/http_server.c: requests and what the
 * server received, every method on one reused easy handle, many requests
 * in flight, keep-alive connection reuse, an idle connection closed by the
 * server, timeouts, resets, refused connections, TLS verification, and shutdown
 * with requests in flight. Every test ends with a clean runtime join
 * (uv_loop_close() == 0 on every worker).
 */
#include "ct_test.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/http.h"
#include "http_server.h"
#include "tls_cert.h"

enum { MSG_GO = CT_MSG_USER, MSG_EXIT_HTTP };

#define MAX_REQS 256

typedef struct result {
  int got; /* answers seen for this request (must end at 1) */
  int error;
  bool sent;
  long status;
  char *body;
  size_t body_len;
  char *error_text;
} result_t;

/* The requesting actor: on MSG_GO it sends reqs[] (all at once, or one
 * after the other when `sequential`) and records every answer. */
typedef struct client {
  ct_actor_t *http;
  const ct_http_req_t *reqs;
  int n;
  bool sequential;
  int next;
  uint64_t ids[MAX_REQS];
  result_t res[MAX_REQS];
  _Atomic int done, stray, send_fail;
} client_t;

static int client_init(ct_actor_t *self, void *arg) {
  ct_actor_set_state(self, arg);
  return 0;
}

static void send_next(ct_actor_t *self, client_t *c) {
  int i = c->next++;
  if (ct_http_request(self, c->http, &c->reqs[i], &c->ids[i]) != 0)
    atomic_fetch_add(&c->send_fail, 1);
}

static void record(client_t *c, const ct_envelope_t *env) {
  ct_http_response_t r;
  int i = 0;
  while (i < c->next && c->ids[i] != env->request_id)
    i++;
  if (i == c->next || ct_http_response_read(env, &r) != 0) {
    atomic_fetch_add(&c->stray, 1);
    return;
  }
  c->res[i].got++;
  c->res[i].error = r.error;
  c->res[i].sent = r.request_sent;
  c->res[i].status = r.status;
  c->res[i].body = strndup(r.body ? r.body : "", r.body_len);
  c->res[i].body_len = r.body_len;
  if (r.error_text != NULL)
    c->res[i].error_text = strndup(r.error_text, r.error_text_len);
}

static int client_receive(ct_actor_t *self, const ct_envelope_t *env) {
  client_t *c = ct_actor_state(self);
  if (env->type == MSG_GO) {
    do
      send_next(self, c);
    while (!c->sequential && c->next < c->n);
  } else if (env->type == MSG_EXIT_HTTP) {
    ct_actor_exit(c->http); /* same worker thread as the HTTP actor */
  } else {
    record(c, env);
    if (c->sequential && c->next < c->n)
      send_next(self, c);
    atomic_fetch_add(&c->done, 1);
  }
  return 0;
}

static const ct_actor_def_t client_def = { "client", client_init,
                                           client_receive, NULL };

/* ---- fixture ---- */

typedef struct fx {
  ct_runtime_t *rt;
  ct_test_httpd_t *srv;
  ct_actor_t *client;
  client_t c;
  ct_http_opts_t opts;
  char url[128];  /* scheme://127.0.0.1:port */
  char path[160]; /* fx_url() */
  ct_http_req_t one;
} fx_t;

static void fx_server(fx_t *f, const ct_test_httpd_opts_t *o) {
  assert_int_equal(ct_test_httpd_start(o, &f->srv), 0);
  snprintf(f->url, sizeof(f->url), "%s://127.0.0.1:%d",
           o != NULL ? "https" : "http", ct_test_httpd_port(f->srv));
}

/* Runtime with two workers; the HTTP actor on worker 0, the client on
 * worker `client_worker`. */
static void fx_start(fx_t *f, int client_worker) {
  ct_runtime_opts_t ro = { .workers = 2 };
  ct_spawn_opts_t so = { .name = "c", .worker = client_worker };
  assert_int_equal(ct_runtime_new(&ro, &f->rt), 0);
  assert_int_equal(ct_http_spawn(f->rt, &f->opts, 0, &f->c.http), 0);
  assert_int_equal(ct_spawn(f->rt, &client_def, &f->c, &so, &f->client), 0);
  assert_int_equal(ct_runtime_start(f->rt), 0);
}

static void fx_send(fx_t *f, uint32_t type) {
  ct_msg_t *m = NULL;
  assert_int_equal(ct_msg_new(type, &m), 0);
  assert_int_equal(ct_send(f->client, m), 0);
}

/* Send `n` requests and wait for all answers. */
static void fx_run(fx_t *f, const ct_http_req_t *reqs, int n, bool seq) {
  f->c.reqs = reqs;
  f->c.n = n;
  f->c.sequential = seq;
  fx_send(f, MSG_GO);
  assert_int_equal(ct_test_wait_ge(&f->c.done, n, 30000), n);
  assert_int_equal(atomic_load(&f->c.send_fail), 0);
}

/* The server's URL for `path`, in f->path. */
static const char *fx_url(fx_t *f, const char *path) {
  snprintf(f->path, sizeof(f->path), "%s%s", f->url, path);
  return f->path;
}

/* One request (on f->path) to the server in `mode`, from worker 1; its
 * answer is f->c.res[0]. */
static void fx_one(fx_t *f, ct_test_httpd_mode_t mode, unsigned delay_ms,
                   ct_http_req_t req) {
  ct_test_httpd_set_mode(f->srv, mode, delay_ms);
  f->one = req;
  fx_start(f, 1);
  fx_run(f, &f->one, 1, false);
}

/* A request the silent server has read and will never answer. */
static void fx_hanging(fx_t *f, int client_worker) {
  fx_server(f, NULL);
  ct_test_httpd_set_mode(f->srv, CT_TEST_HTTPD_SILENT, 0);
  f->one =
      (ct_http_req_t){ "GET", fx_url(f, "/never"), NULL, 0, NULL, 0, 30000 };
  fx_start(f, client_worker);
  f->c.reqs = &f->one;
  f->c.n = 1;
  fx_send(f, MSG_GO);
  for (int i = 0; i < 5000 && ct_test_httpd_requests(f->srv) == 0; i++)
    uv_sleep(1);
  assert_int_equal(ct_test_httpd_requests(f->srv), 1);
}

static void fx_finish(fx_t *f) {
  assert_int_equal(ct_test_runtime_end(f->rt), 0); /* every loop closed */
  ct_test_httpd_stop(f->srv);
  assert_int_equal(atomic_load(&f->c.stray), 0);
  for (int i = 0; i < f->c.next; i++) {
    free(f->c.res[i].body);
    free(f->c.res[i].error_text);
  }
}

static ct_http_req_t get(const char *url, uint64_t timeout_ms) {
  ct_http_req_t r = { "GET", url, NULL, 0, NULL, 0, timeout_ms };
  return r;
}

/* ---- tests ---- */

static void test_get_and_post(void **state) {
  fx_t f = { 0 };
  char u1[160], u2[160], u3[160];
  const char body[] = "{\"qty\":5}";
  ct_http_header_t h1[] = { { "X-Test", "one" }, { "Accept", "text/plain" } };
  ct_http_header_t h2[] = { { "Content-Type", "application/json" },
                            { "access-token", "tok" } };
  ct_http_req_t reqs[3];
  (void)state;
  fx_server(&f, NULL);
  snprintf(u1, sizeof(u1), "%s/hello?x=1", f.url);
  snprintf(u2, sizeof(u2), "%s/orders", f.url);
  snprintf(u3, sizeof(u3), "%s/status/404", f.url);
  reqs[0] = (ct_http_req_t){ "GET", u1, h1, 2, NULL, 0, 5000 };
  reqs[1] = (ct_http_req_t){ "POST", u2, h2, 2, body, strlen(body), 5000 };
  reqs[2] = get(u3, 5000);
  fx_start(&f, 1);
  fx_run(&f, reqs, 3, true);
  assert_int_equal(f.c.res[0].got, 1);
  assert_int_equal(f.c.res[0].error, 0);
  assert_int_equal(f.c.res[0].status, 200);
  assert_true(f.c.res[0].sent);
  assert_string_equal(f.c.res[0].body, "/hello?x=1");
  assert_int_equal(f.c.res[1].error, 0);
  assert_int_equal(f.c.res[1].status, 200);
  assert_string_equal(f.c.res[1].body, body); /* echoed */
  assert_int_equal(f.c.res[2].error, 0);
  assert_int_equal(f.c.res[2].status, 404);
  assert_null(f.c.res[2].error_text);
  fx_finish(&f);
}

/* What the server saw, request by request (sequential, so in order). */
static void test_server_sees_headers_and_body(void **state) {
  fx_t f = { 0 };
  char u1[160], u2[160];
  const char body[] = "a=1&b=2";
  ct_http_header_t h[] = { { "X-Test", "one" }, { "Content-Type", "text/x" } };
  ct_http_req_t reqs[2];
  ct_test_httpd_req_t rec;
  (void)state;
  fx_server(&f, NULL);
  snprintf(u1, sizeof(u1), "%s/a", f.url);
  snprintf(u2, sizeof(u2), "%s/b", f.url);
  reqs[0] = (ct_http_req_t){ "GET", u1, h, 1, NULL, 0, 5000 };
  reqs[1] = (ct_http_req_t){ "PUT", u2, h, 2, body, strlen(body), 5000 };
  fx_start(&f, 1);
  fx_run(&f, reqs, 2, true);

  assert_int_equal(ct_test_httpd_request(f.srv, 0, &rec), 0);
  assert_string_equal(rec.method, "GET");
  assert_string_equal(rec.target, "/a");
  assert_string_equal(ct_test_httpd_header(&rec, "x-test"), "one");
  assert_int_equal(rec.body_len, 0);
  ct_test_httpd_req_free(&rec);
  assert_int_equal(ct_test_httpd_request(f.srv, 1, &rec), 0);
  assert_string_equal(rec.method, "PUT");
  assert_string_equal(rec.target, "/b");
  assert_string_equal(ct_test_httpd_header(&rec, "Content-Type"), "text/x");
  assert_string_equal(ct_test_httpd_header(&rec, "Content-Length"), "7");
  assert_null(ct_test_httpd_header(&rec, "Expect"));
  assert_int_equal(rec.body_len, strlen(body));
  assert_memory_equal(rec.body, body, strlen(body));
  ct_test_httpd_req_free(&rec);
  fx_finish(&f);
  assert_int_equal(f.c.res[1].status, 200);
}

/* One request at a time, so every one reuses the same pooled easy handle
 * and connection: each method, body and header set is the request's own,
 * never a leftover of the one before. */
static void test_methods_on_a_reused_handle(void **state) {
  enum { N = 7 };
  static const char *const want[N] = { "POST", "GET",    "HEAD", "DELETE",
                                       "PUT",  "DELETE", "GET" };
  static const char *const body[N] = { "p=1",  NULL,  NULL, NULL,
                                       "q=22", "d=3", NULL };
  fx_t f = { 0 };
  char url[160];
  ct_http_header_t h[] = { { "X-Only-First", "1" } };
  ct_http_req_t reqs[N];
  (void)state;
  fx_server(&f, NULL);
  snprintf(url, sizeof(url), "%s/m", f.url);
  for (int i = 0; i < N; i++)
    reqs[i] = (ct_http_req_t){ want[i], url,     i == 0 ? h : NULL,
                               i == 0,  body[i], body[i] ? strlen(body[i]) : 0,
                               5000 };
  fx_start(&f, 1);
  fx_run(&f, reqs, N, true);
  for (int i = 0; i < N; i++) {
    ct_test_httpd_req_t rec;
    size_t blen = body[i] ? strlen(body[i]) : 0;
    assert_int_equal(f.c.res[i].error, 0);
    assert_int_equal(f.c.res[i].status, 200);
    assert_int_equal(ct_test_httpd_request(f.srv, (unsigned)i, &rec), 0);
    assert_string_equal(rec.method, want[i]);
    assert_int_equal(rec.body_len, blen);
    if (blen != 0)
      assert_memory_equal(rec.body, body[i], blen);
    else
      assert_null(ct_test_httpd_header(&rec, "Content-Length"));
    if (i != 0)
      assert_null(ct_test_httpd_header(&rec, "X-Only-First"));
    ct_test_httpd_req_free(&rec);
  }
  assert_int_equal(f.c.res[2].body_len, 0); /* HEAD: no body read */
  assert_int_equal(ct_test_httpd_accepted(f.srv), 1);
  fx_finish(&f);
}

/* 200 requests at once over at most 4 connections: every one answered
 * with its own body, and connections reused. */
static void test_many_in_flight_reuse_connections(void **state) {
  enum { N = 200 };
  fx_t f = { 0 };
  static char urls[N][160];
  static ct_http_req_t reqs[N];
  (void)state;
  fx_server(&f, NULL);
  for (int i = 0; i < N; i++) {
    snprintf(urls[i], sizeof(urls[i]), "%s/n/%d", f.url, i);
    reqs[i] = get(urls[i], 20000);
  }
  f.opts.max_host_connections = 4;
  fx_start(&f, 1);
  fx_run(&f, reqs, N, false);
  for (int i = 0; i < N; i++) {
    char want[32];
    snprintf(want, sizeof(want), "/n/%d", i);
    assert_int_equal(f.c.res[i].got, 1);
    assert_int_equal(f.c.res[i].error, 0);
    assert_int_equal(f.c.res[i].status, 200);
    assert_string_equal(f.c.res[i].body, want);
  }
  assert_int_equal(ct_test_httpd_requests(f.srv), N);
  assert_in_range(ct_test_httpd_accepted(f.srv), 1, 4);
  fx_finish(&f);
}

/* One after the other: a single kept-alive connection. */
static void test_sequential_keep_alive(void **state) {
  enum { N = 20 };
  fx_t f = { 0 };
  char url[160];
  ct_http_req_t reqs[N];
  (void)state;
  fx_server(&f, NULL);
  snprintf(url, sizeof(url), "%s/k", f.url);
  for (int i = 0; i < N; i++)
    reqs[i] = get(url, 5000);
  fx_start(&f, 0); /* same worker as the HTTP actor */
  fx_run(&f, reqs, N, true);
  assert_int_equal(ct_test_httpd_requests(f.srv), N);
  assert_int_equal(ct_test_httpd_accepted(f.srv), 1);
  for (int i = 0; i < N; i++)
    assert_int_equal(f.c.res[i].status, 200);
  fx_finish(&f);
}

/* The server closes the kept-alive connection while it is idle: the
 * idle socket's watch sees it (and stops), and the next request goes out
 * on a new connection. */
static void test_idle_connection_closed_by_server(void **state) {
  fx_t f = { 0 };
  ct_http_req_t reqs[2];
  (void)state;
  fx_server(&f, NULL);
  reqs[0] = get(fx_url(&f, "/first"), 5000);
  reqs[1] = get(f.path, 5000);
  fx_start(&f, 1);
  fx_run(&f, reqs, 1, true);
  assert_int_equal(ct_test_httpd_accepted(f.srv), 1);
  ct_test_httpd_drop_all(f.srv);
  uv_sleep(50); /* the FIN reaches the idle socket */
  fx_run(&f, reqs, 2, true);
  assert_int_equal(f.c.res[0].status, 200);
  assert_int_equal(f.c.res[1].error, 0);
  assert_int_equal(f.c.res[1].status, 200);
  assert_string_equal(f.c.res[1].body, "/first");
  assert_int_equal(ct_test_httpd_accepted(f.srv), 2);
  fx_finish(&f);
}

static void test_slow_server_times_out(void **state) {
  fx_t f = { 0 };
  (void)state;
  fx_server(&f, NULL);
  fx_one(&f, CT_TEST_HTTPD_SLOW, 10000, get(fx_url(&f, "/slow"), 300));
  assert_int_equal(f.c.res[0].error, CT_ETIMEDOUT);
  assert_true(f.c.res[0].sent); /* the server has it: outcome unknown */
  assert_int_equal(f.c.res[0].status, 0);
  assert_non_null(f.c.res[0].error_text);
  fx_finish(&f);
}

/* One connection, held by a request the server never answers: a second
 * request waits in the engine's queue, and when its deadline passes there
 * it fails as not sent (the server never saw it), not as outcome unknown. */
static void test_queued_past_deadline_is_not_sent(void **state) {
  fx_t f = { 0 };
  ct_http_req_t reqs[2];
  (void)state;
  fx_server(&f, NULL);
  ct_test_httpd_set_mode(f.srv, CT_TEST_HTTPD_SILENT, 0);
  snprintf(f.path, sizeof(f.path), "%s/hold", f.url);
  reqs[0] = get(f.path, 1500);
  reqs[1] = get(f.path, 200);
  f.opts.max_host_connections = 1;
  fx_start(&f, 1);
  fx_run(&f, reqs, 2, false);
  assert_int_equal(f.c.res[1].error, CT_ETIMEDOUT);
  assert_false(f.c.res[1].sent);
  assert_int_equal(f.c.res[1].status, 0);
  assert_non_null(f.c.res[1].error_text);
  assert_non_null(strstr(f.c.res[1].error_text, "no free connection"));
  assert_int_equal(f.c.res[0].error, CT_ETIMEDOUT);
  assert_true(f.c.res[0].sent); /* the server read it: outcome unknown */
  assert_int_equal(ct_test_httpd_requests(f.srv), 1);
  fx_finish(&f);
}

/* A body far larger than the socket buffers, to a server that reads
 * nothing: it cannot have the whole request, so request_sent is false. */
static void test_unsent_body_is_not_sent(void **state) {
  enum { BODY = 32 << 20 };
  fx_t f = { 0 };
  char *body = calloc(1, BODY);
  (void)state;
  assert_non_null(body);
  fx_server(&f, NULL);
  fx_one(
      &f, CT_TEST_HTTPD_STALL, 0,
      (ct_http_req_t){ "POST", fx_url(&f, "/big"), NULL, 0, body, BODY, 500 });
  free(body);
  assert_int_equal(f.c.res[0].error, CT_ETIMEDOUT);
  assert_false(f.c.res[0].sent);
  assert_int_equal(ct_test_httpd_requests(f.srv), 0);
  fx_finish(&f);
}

static void test_reset_connection(void **state) {
  fx_t f = { 0 };
  (void)state;
  fx_server(&f, NULL);
  fx_one(
      &f, CT_TEST_HTTPD_RESET, 0,
      (ct_http_req_t){ "POST", fx_url(&f, "/reset"), NULL, 0, "x", 1, 5000 });
  assert_int_equal(f.c.res[0].error, CT_ECONNRESET);
  assert_true(f.c.res[0].sent);
  assert_true(ct_test_httpd_requests(f.srv) >= 1);
  fx_finish(&f);
}

static void test_refused_and_bad_url(void **state) {
  fx_t f = { 0 };
  char url[160];
  ct_http_req_t reqs[2];
  (void)state;
  fx_server(&f, NULL); /* unused here, keeps the fixture uniform */
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", ct_test_free_port());
  reqs[0] = get(url, 5000);
  reqs[1] = get("gopher2://127.0.0.1/x", 5000);
  fx_start(&f, 1);
  fx_run(&f, reqs, 2, false);
  assert_int_equal(f.c.res[0].error, CT_ECONNREFUSED);
  assert_false(f.c.res[0].sent);
  assert_int_equal(f.c.res[1].error, CT_EINVAL);
  assert_false(f.c.res[1].sent);
  fx_finish(&f);
}

/* Self-signed server: refused without its CA, accepted with ca_file. */
static void test_tls_verification(void **state) {
  fx_t f = { 0 }, g = { 0 };
  char *dir = ct_test_tmpdir("ct-http-tls"), *cert = NULL, *key = NULL;
  char url[160];
  ct_http_req_t req;
  ct_test_httpd_opts_t so;
  (void)state;
  assert_non_null(dir);
  assert_int_equal(ct_test_make_cert(dir, &cert, &key), 0);
  so = (ct_test_httpd_opts_t){ cert, key };
  fx_server(&f, &so);
  snprintf(url, sizeof(url), "%s/tls", f.url);
  req = get(url, 5000);
  fx_start(&f, 1);
  fx_run(&f, &req, 1, false);
  assert_int_equal(f.c.res[0].error, CT_ETLS);
  assert_false(f.c.res[0].sent);
  assert_int_equal(f.c.res[0].status, 0);
  assert_int_equal(ct_test_httpd_requests(f.srv), 0);

  g.srv = f.srv; /* the same server, a client that trusts the cert */
  f.srv = NULL;
  g.opts.ca_file = cert;
  fx_start(&g, 1);
  fx_run(&g, &req, 1, false);
  assert_int_equal(g.c.res[0].error, 0);
  assert_int_equal(g.c.res[0].status, 200);
  assert_string_equal(g.c.res[0].body, "/tls");
  assert_int_equal(ct_test_httpd_requests(g.srv), 1);
  fx_finish(&f);
  fx_finish(&g);
  ct_test_rmtree(dir);
  free(dir);
  free(cert);
  free(key);
}

/* The HTTP actor stops with a request in flight while its requester lives:
 * the requester gets CT_ECLOSED, the request counted as sent. */
static void test_actor_exit_answers_in_flight(void **state) {
  fx_t f = { 0 };
  (void)state;
  fx_hanging(&f, 0); /* the client shares the HTTP actor's thread */
  fx_send(&f, MSG_EXIT_HTTP);
  assert_int_equal(ct_test_wait_ge(&f.c.done, 1, 10000), 1);
  assert_int_equal(f.c.res[0].error, CT_ECLOSED);
  assert_true(f.c.res[0].sent);
  fx_finish(&f);
}

/* Runtime shutdown with a request in flight: no answer can be delivered,
 * everything is freed and the loops close (no 30 s wait either). */
static void test_shutdown_with_request_in_flight(void **state) {
  fx_t f = { 0 };
  (void)state;
  fx_hanging(&f, 1);
  fx_finish(&f);
  assert_int_equal(atomic_load(&f.c.done), 0);
}

static void test_bad_arguments(void **state) {
  ct_envelope_t env = { CT_MSG_USER, 0, 1, NULL, 0 };
  ct_http_response_t r;
  ct_http_req_t req = { "GET", NULL, NULL, 0, NULL, 0, 0 };
  uint64_t id;
  (void)state;
  assert_int_equal(ct_http_request(NULL, NULL, &req, &id), CT_EINVAL);
  assert_int_equal(ct_http_response_read(&env, &r), CT_EINVAL);
  env.type = CT_MSG_TIMEOUT;
  assert_int_equal(ct_http_response_read(&env, &r), 0);
  assert_int_equal(r.error, CT_ETIMEDOUT);
  assert_true(r.request_sent);
  assert_int_equal(ct_http_spawn(NULL, NULL, 0, NULL), CT_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_get_and_post),
    cmocka_unit_test(test_server_sees_headers_and_body),
    cmocka_unit_test(test_methods_on_a_reused_handle),
    cmocka_unit_test(test_many_in_flight_reuse_connections),
    cmocka_unit_test(test_sequential_keep_alive),
    cmocka_unit_test(test_idle_connection_closed_by_server),
    cmocka_unit_test(test_slow_server_times_out),
    cmocka_unit_test(test_queued_past_deadline_is_not_sent),
    cmocka_unit_test(test_unsent_body_is_not_sent),
    cmocka_unit_test(test_reset_connection),
    cmocka_unit_test(test_refused_and_bad_url),
    cmocka_unit_test(test_tls_verification),
    cmocka_unit_test(test_actor_exit_answers_in_flight),
    cmocka_unit_test(test_shutdown_with_request_in_flight),
    cmocka_unit_test(test_bad_arguments),
  };
  return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
