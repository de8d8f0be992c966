/*
 * ratelimit.c: exact sliding-window counters, one per (limit, window) pair.
 *
 * A window allowing L requests keeps a ring of the times of the last L
 * admitted requests; a new request is admitted when the oldest of them is
 * at least one window old. A request is admitted only if every window
 * admits it, and then it is recorded in all of them. Memory is the sum of
 * the limits (7000 + 1000 + 250 + 10 stamps for the order windows).
 */
#include <stdlib.h>

#include "ratelimit.h"

typedef struct window {
  uint64_t *ring;
  uint32_t limit, head, used;
  uint64_t span_ms;
} window_t;

struct ratelimit {
  size_t n;
  window_t w[];
};

ratelimit_t *ratelimit_new(const uint32_t *limits, const uint64_t *windows_ms,
                           size_t n) {
  ratelimit_t *rl = calloc(1, sizeof(*rl) + n * sizeof(window_t));
  if (rl == NULL)
    return NULL;
  rl->n = n;
  for (size_t i = 0; i < n; i++) {
    rl->w[i].limit = limits[i];
    rl->w[i].span_ms = windows_ms[i];
    rl->w[i].ring = calloc(limits[i], sizeof(uint64_t));
    if (rl->w[i].ring == NULL) {
      ratelimit_free(rl);
      return NULL;
    }
  }
  return rl;
}

void ratelimit_free(ratelimit_t *rl) {
  if (rl == NULL)
    return;
  for (size_t i = 0; i < rl->n; i++)
    free(rl->w[i].ring);
  free(rl);
}

static int window_admits(const window_t *w, uint64_t now) {
  if (w->used < w->limit)
    return 1;
  return now - w->ring[w->head] >= w->span_ms; /* head = oldest when full */
}

static void window_record(window_t *w, uint64_t now) {
  w->ring[w->head] = now;
  w->head = (w->head + 1) % w->limit;
  if (w->used < w->limit)
    w->used++;
}

int ratelimit_take(ratelimit_t *rl, uint64_t now_ms) {
  for (size_t i = 0; i < rl->n; i++)
    if (!window_admits(&rl->w[i], now_ms))
      return 0;
  for (size_t i = 0; i < rl->n; i++)
    window_record(&rl->w[i], now_ms);
  return 1;
}

ratelimit_t *ratelimit_new_orders(void) {
  static const uint32_t l[] = { 10, 250, 1000, 7000 };
  static const uint64_t w[] = { 1000, 60000, 3600000, 86400000 };
  return ratelimit_new(l, w, 4);
}

ratelimit_t *ratelimit_new_other(void) {
  static const uint32_t l[] = { 20 };
  static const uint64_t w[] = { 1000 };
  return ratelimit_new(l, w, 1);
}
