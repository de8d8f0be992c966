/*
 * bench_resilience: ns per call of the rate limiter and the circuit
 * breaker, the two checks every outgoing Dhan request goes through.
 *
 * Cases (fake clock, Dhan's four order windows for the limiter):
 *   try admitted   the clock steps 13 s per call, so every call is admitted
 *                  and appends to all four windows
 *   try refused    the windows are full; every call computes a retry time
 *   try mixed      the clock steps 1 ms: mostly refused, some admitted
 *   breaker        allow + record in CLOSED, a failure every 64th call
 *                  (rate rule only, so it never trips)
 * Prints a Markdown table. `--quick` runs each case for ~40 ms.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "copytrader/breaker.h"
#include "copytrader/error.h"
#include "copytrader/token_bucket.h"

#define BATCH 4096

static volatile uint64_t sink;

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

typedef struct {
  ct_token_bucket_t tb;
  ct_breaker_t br;
  uint64_t now, step;
  uint64_t ok, calls;
} bench_t;

typedef void (*batch_fn)(bench_t *b);

static void batch_try(bench_t *b) {
  uint64_t retry = 0;
  for (int i = 0; i < BATCH; i++) {
    b->now += b->step;
    b->ok += ct_token_bucket_try(&b->tb, b->now, 1, &retry) == 0;
    sink += retry;
  }
  b->calls += BATCH;
}

static void batch_breaker(bench_t *b) {
  for (int i = 0; i < BATCH; i++) {
    b->now += b->step;
    b->ok += ct_breaker_allow(&b->br, b->now, NULL) == 0;
    ct_breaker_record(&b->br, b->now,
                      (i & 63) == 0 ? CT_OUTCOME_FAILURE : CT_OUTCOME_SUCCESS);
  }
  b->calls += BATCH;
}

static void run(const char *name, bench_t *b, batch_fn fn, uint64_t budget) {
  uint64_t start = mono_ns(), elapsed;

  do {
    fn(b);
    elapsed = mono_ns() - start;
  } while (elapsed < budget);
  printf("| %-14s | %8.1f | %10llu | %10llu |\n", name,
         (double)elapsed / (double)b->calls, (unsigned long long)b->calls,
         (unsigned long long)b->ok);
}

static int bench_try(const char *name, uint64_t step, int prefill,
                     uint64_t budget) {
  ct_rate_window_t w[CT_RATE_MAX_WINDOWS];
  size_t n = ct_rate_dhan_orders(w, 0);
  bench_t b;

  memset(&b, 0, sizeof(b));
  if (ct_token_bucket_init(&b.tb, w, n) != 0)
    return 1;
  b.now = CT_NS_PER_SEC;
  for (int i = 0; i < prefill; i++) /* fill the day: 10/s up to 7000 */
    (void)ct_token_bucket_try(&b.tb, b.now += CT_NS_PER_SEC / 10, 1, NULL);
  b.step = step;
  run(name, &b, batch_try, budget);
  ct_token_bucket_close(&b.tb);
  return 0;
}

static int bench_breaker(uint64_t budget) {
  ct_breaker_config_t cfg;
  bench_t b;

  memset(&b, 0, sizeof(b));
  ct_breaker_config_default(&cfg);
  cfg.failure_threshold = 0;
  if (ct_breaker_init(&b.br, &cfg, NULL, NULL) != 0)
    return 1;
  b.now = CT_NS_PER_SEC;
  b.step = 1000;
  run("breaker", &b, batch_breaker, budget);
  if (ct_breaker_state(&b.br) != CT_BREAKER_CLOSED)
    return 1;
  return 0;
}

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  uint64_t budget = quick ? 40000000ULL : 1000000000ULL;
  int err = 0;

  printf("| case           |  ns/call |      calls |    allowed |\n");
  printf("|----------------|---------:|-----------:|-----------:|\n");
  err |= bench_try("try admitted", 13 * CT_NS_PER_SEC, 0, budget);
  err |= bench_try("try refused", 1, 7000 * 2, budget);
  err |= bench_try("try mixed", CT_NS_PER_SEC / 1000, 0, budget);
  err |= bench_breaker(budget);
  if (err != 0)
    fprintf(stderr, "bench_resilience: setup failed\n");
  return err;
}
