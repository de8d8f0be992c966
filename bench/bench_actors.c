/*
 * Benchmark of the actor runtime. Prints a Markdown table:
 *   - messages/second through one consumer fed by a producer actor on the
 *     same worker (no wake-ups: the local ready list and uv_idle);
 *   - messages/second with the producer on worker 0 and the consumer on
 *     worker 1 (mailbox push across threads, uv_async_send wake-ups);
 *   - latency of one hop across threads: a ping-pong between workers 0 and
 *     1, each message carrying uv_hrtime() at send, measured at receive.
 * Every message is a real envelope: built from the pool with one u64 in
 * the payload, sent, and read back with a ct_reader_t.
 *
 * The latency runs once with the runtime's default spin-before-sleep and
 * once without it (every hop then pays a thread wake-up).
 *
 * Usage: bench_actors [--quick]   (--quick finishes in a few seconds)
 * BENCH_SPIN=<us> in the environment adds latency rows for that spin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "copytrader/actor.h"
#include "copytrader/error.h"

enum { BM_DATA = CT_MSG_USER, BM_MORE, BM_HOP };

#define BURST 256 /* messages a producer sends per turn */

typedef struct {
  ct_actor_t *peer; /* producer: the consumer; ping-pong: the other side */
  uint64_t target;  /* messages to send / hops to make */
  uint64_t count;
  uint64_t *lat; /* ping-pong: hop latencies in ns */
  uv_sem_t *done;
  uint64_t t_end;
} bench_t;

static int bench_init(ct_actor_t *self, void *arg) {
  ct_actor_set_state(self, arg);
  return 0;
}

static int send_u64(ct_actor_t *to, uint32_t type, uint64_t v) {
  ct_msg_t *m = NULL;
  int rc = ct_msg_new(type, &m);
  if (rc == 0 && (rc = ct_msg_put_u64(m, v)) == 0 && (rc = ct_send(to, m)) == 0)
    return 0;
  ct_msg_free(m);
  return rc;
}

static uint64_t read_u64(const ct_envelope_t *env) {
  ct_reader_t r;
  uint64_t v = 0;
  ct_reader_init(&r, env);
  (void)ct_read_u64(&r, &v);
  ct_reader_close(&r);
  return v;
}

/* Producer: a burst per turn, then a message to itself to come back after
 * the other ready actors (and I/O) had their turn. */
static int producer_receive(ct_actor_t *self, const ct_envelope_t *env) {
  bench_t *b = ct_actor_state(self);
  (void)env;
  for (int i = 0; i < BURST && b->count < b->target; i++) {
    int rc = send_u64(b->peer, BM_DATA, b->count);
    if (rc == CT_EFULL)
      break; /* consumer behind: retry next turn */
    if (rc != 0)
      return rc;
    b->count++;
  }
  if (b->count < b->target)
    return send_u64(self, BM_MORE, 0);
  return 0;
}

static int consumer_receive(ct_actor_t *self, const ct_envelope_t *env) {
  bench_t *b = ct_actor_state(self);
  if (read_u64(env) != b->count)
    return CT_EPROTO; /* out of order: would show in the log */
  if (++b->count == b->target) {
    b->t_end = uv_hrtime();
    uv_sem_post(b->done);
  }
  return 0;
}

static int hop_receive(ct_actor_t *self, const ct_envelope_t *env) {
  bench_t *b = ct_actor_state(self);
  uint64_t now = uv_hrtime();
  b->lat[b->count] = now - read_u64(env);
  if (++b->count == b->target) {
    uv_sem_post(b->done);
    return 0;
  }
  return send_u64(b->peer, BM_HOP, uv_hrtime());
}

static const ct_actor_def_t producer_def = { "producer", bench_init,
                                             producer_receive, NULL };
static const ct_actor_def_t consumer_def = { "consumer", bench_init,
                                             consumer_receive, NULL };
static const ct_actor_def_t hop_def = { "hop", bench_init, hop_receive, NULL };

static ct_runtime_t *runtime(int spin_us) {
  ct_runtime_opts_t o = { .workers = 2, .spin_us = spin_us };
  ct_runtime_t *rt = NULL;
  if (ct_runtime_new(&o, &rt) != 0) {
    fprintf(stderr, "bench: runtime_new failed\n");
    exit(1);
  }
  return rt;
}

static void finish(ct_runtime_t *rt) {
  ct_runtime_stop(rt);
  if (ct_runtime_join(rt) != 0)
    fprintf(stderr, "bench: a loop did not close cleanly\n");
  ct_runtime_free(rt);
}

/* Producer on worker pw, consumer on worker cw; messages per second. */
static double throughput(int pw, int cw, uint64_t n) {
  ct_runtime_t *rt = runtime(0);
  uv_sem_t done;
  bench_t prod = { 0 }, cons = { 0 };
  ct_spawn_opts_t po = { .name = "p", .worker = pw };
  ct_spawn_opts_t co = { .name = "c", .worker = cw };
  ct_actor_t *p = NULL;
  uint64_t t0;
  uv_sem_init(&done, 0);
  cons.target = prod.target = n;
  cons.done = &done;
  ct_spawn(rt, &consumer_def, &cons, &co, &prod.peer);
  ct_spawn(rt, &producer_def, &prod, &po, &p);
  ct_runtime_start(rt);
  uv_sleep(50); /* let the threads settle */
  t0 = uv_hrtime();
  send_u64(p, BM_MORE, 0);
  uv_sem_wait(&done);
  finish(rt);
  uv_sem_destroy(&done);
  return (double)n * 1e9 / (double)(cons.t_end - t0);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Ping-pong between workers 0 and 1; fills sorted hop latencies. */
static uint64_t *hop_latency(uint64_t hops, int spin_us, size_t *n_out) {
  ct_runtime_t *rt = runtime(spin_us);
  uv_sem_t done;
  bench_t a = { 0 }, b = { 0 };
  ct_spawn_opts_t ao = { .name = "a", .worker = 0 };
  ct_spawn_opts_t bo = { .name = "b", .worker = 1 };
  ct_actor_t *pa = NULL;
  uint64_t *lat = malloc(2 * hops * sizeof(*lat));
  size_t n;
  if (lat == NULL)
    exit(1);
  uv_sem_init(&done, 0);
  a.target = b.target = hops;
  a.lat = lat;
  b.lat = lat + hops;
  a.done = b.done = &done;
  ct_spawn(rt, &hop_def, &a, &ao, &pa);
  ct_spawn(rt, &hop_def, &b, &bo, &a.peer);
  b.peer = pa;
  ct_runtime_start(rt);
  uv_sleep(50);
  send_u64(a.peer, BM_HOP, uv_hrtime());
  uv_sem_wait(&done); /* b gets the first and the last hop */
  finish(rt);
  uv_sem_destroy(&done);
  /* a made one hop fewer: close the gap so the samples are contiguous. */
  n = (size_t)a.count;
  memmove(lat + n, lat + hops, (size_t)b.count * sizeof(*lat));
  *n_out = n + (size_t)b.count;
  qsort(lat, *n_out, sizeof(*lat), cmp_u64);
  return lat;
}

static double pct(const uint64_t *v, size_t n, double p) {
  size_t i = (size_t)(p / 100.0 * (double)(n - 1));
  return (double)v[i] / 1000.0;
}

static void latency_rows(uint64_t hops, int spin_us, const char *label) {
  size_t n;
  uint64_t *lat = hop_latency(hops, spin_us, &n);
  static const double ps[] = { 50, 90, 99, 99.9 };
  for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
    printf("| hop latency across threads, %s, p%g | %.1f us |\n", label, ps[i],
           pct(lat, n, ps[i]));
  free(lat);
}

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  uint64_t n_local = quick ? 1000000 : 20000000;
  uint64_t n_cross = quick ? 500000 : 5000000;
  uint64_t hops = quick ? 20000 : 200000;
  double local = throughput(0, 0, n_local);
  double cross = throughput(0, 1, n_cross);

  printf("| measure | value |\n|---|---|\n");
  printf("| msgs/s, producer and consumer on one worker | %.2f M |\n",
         local / 1e6);
  printf("| msgs/s, producer worker 0 -> consumer worker 1 | %.2f M |\n",
         cross / 1e6);
  latency_rows(hops, 0, "default spin 50 us");
  latency_rows(hops, -1, "no spin (always wake)");
  if (getenv("BENCH_SPIN") != NULL)
    latency_rows(hops, atoi(getenv("BENCH_SPIN")), "BENCH_SPIN");
  printf(
      "\n(%llu + %llu messages, %llu round trips per latency run; "
      "%u cores)\n",
      (unsigned long long)n_local, (unsigned long long)n_cross,
      (unsigned long long)hops, uv_available_parallelism());
  ct_msg_thread_cleanup();
  return 0;
}
