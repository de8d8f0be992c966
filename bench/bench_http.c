/*
 * bench_http: requests per second and latency of the HTTP actor against
 * the loopback test server (tests/support/http_server.c) over kept-alive
 * connections.
 *
 * A driver actor on worker 1 keeps `depth` GET requests in flight through
 * the HTTP actor on worker 0 for a fixed time. Latency is measured at the
 * driver, from ct_http_request() to the answer in its receive (two actor
 * hops plus curl plus the server). Runs depth 1 (one request at a time, the
 * latency of a lone order) and depth 32 (throughput).
 *
 *   bench_http [--quick]     --quick: about 1 s in total
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/http.h"
#include "http_server.h"

enum { MSG_GO = CT_MSG_USER };

#define MAX_DEPTH   64
#define MAX_SAMPLES (4u << 20)

typedef struct driver {
  ct_actor_t *http;
  const char *url;
  unsigned depth;
  uint64_t end_ns;
  uint64_t ids[MAX_DEPTH], t0[MAX_DEPTH];
  unsigned inflight;
  uint64_t *lat;
  size_t nlat;
  unsigned errors;
  atomic_int finished;
} driver_t;

static void issue(ct_actor_t *self, driver_t *d, unsigned slot) {
  ct_http_req_t req = { "GET", d->url, NULL, 0, NULL, 0, 5000 };
  d->t0[slot] = uv_hrtime();
  if (ct_http_request(self, d->http, &req, &d->ids[slot]) != 0) {
    d->errors++;
    d->ids[slot] = 0;
    d->inflight--;
  }
}

static int driver_init(ct_actor_t *self, void *arg) {
  ct_actor_set_state(self, arg);
  return 0;
}

static int driver_receive(ct_actor_t *self, const ct_envelope_t *env) {
  driver_t *d = ct_actor_state(self);
  ct_http_response_t r;
  unsigned slot = 0;
  uint64_t now = uv_hrtime();
  if (env->type == MSG_GO) {
    d->inflight = d->depth;
    for (unsigned i = 0; i < d->depth; i++)
      issue(self, d, i);
    return 0;
  }
  while (slot < d->depth && d->ids[slot] != env->request_id)
    slot++;
  if (slot == d->depth)
    return 0;
  if (ct_http_response_read(env, &r) != 0 || r.error != 0 || r.status != 200)
    d->errors++;
  else if (d->nlat < MAX_SAMPLES)
    d->lat[d->nlat++] = now - d->t0[slot];
  if (now < d->end_ns)
    issue(self, d, slot);
  else if (--d->inflight == 0)
    atomic_store(&d->finished, 1);
  return 0;
}

static const ct_actor_def_t driver_def = { "driver", driver_init,
                                           driver_receive, NULL };

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int run(const char *url, unsigned depth, uint64_t ms) {
  ct_runtime_opts_t ro = { .workers = 2 };
  ct_spawn_opts_t so = { .name = "d", .worker = 1 };
  ct_runtime_t *rt = NULL;
  ct_actor_t *drv = NULL;
  ct_msg_t *go = NULL;
  driver_t d = { .url = url, .depth = depth };
  uint64_t t0, secs_ns;
  int rc;
  if ((d.lat = malloc(MAX_SAMPLES * sizeof(*d.lat))) == NULL)
    return CT_ENOMEM;
  if ((rc = ct_runtime_new(&ro, &rt)) != 0 ||
      (rc = ct_http_spawn(rt, NULL, 0, &d.http)) != 0 ||
      (rc = ct_spawn(rt, &driver_def, &d, &so, &drv)) != 0 ||
      (rc = ct_runtime_start(rt)) != 0 || (rc = ct_msg_new(MSG_GO, &go)) != 0)
    goto out;
  t0 = uv_hrtime();
  d.end_ns = t0 + ms * 1000000u;
  if ((rc = ct_send(drv, go)) != 0) {
    ct_msg_free(go);
    goto out;
  }
  while (!atomic_load(&d.finished))
    uv_sleep(5);
  secs_ns = uv_hrtime() - t0;
  qsort(d.lat, d.nlat, sizeof(*d.lat), cmp_u64);
  if (d.nlat > 0)
    printf(
        "bench_http depth=%u requests=%zu errors=%u rps=%.0f "
        "p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
        depth, d.nlat, d.errors, d.nlat * 1e9 / (double)secs_ns,
        d.lat[d.nlat / 2] / 1e3, d.lat[d.nlat * 99 / 100] / 1e3,
        d.lat[d.nlat - 1] / 1e3);
out:
  if (rt != NULL) {
    ct_runtime_stop(rt);
    if (ct_runtime_join(rt) != 0 && rc == 0)
      rc = CT_EIO;
    ct_runtime_free(rt);
  }
  free(d.lat);
  return rc;
}

int main(int argc, char **argv) {
  bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  uint64_t ms = quick ? 400 : 2000;
  ct_test_httpd_t *srv = NULL;
  char url[64];
  int rc;
  if ((rc = ct_test_httpd_start(NULL, &srv)) != 0) {
    fprintf(stderr, "bench_http: server: %s\n", ct_strerror(rc));
    return 1;
  }
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/bench",
           ct_test_httpd_port(srv));
  rc = run(url, 1, ms);
  printf("bench_http connections_accepted=%u\n", ct_test_httpd_accepted(srv));
  if (rc == 0)
    rc = run(url, 32, ms);
  printf("bench_http connections_accepted=%u\n", ct_test_httpd_accepted(srv));
  ct_test_httpd_stop(srv);
  if (rc != 0)
    fprintf(stderr, "bench_http: %s\n", ct_strerror(rc));
  return rc == 0 ? 0 : 1;
}
