/*
 * metrics.c: the engine's event log for benchmarks (`--metrics FILE`).
 * Actors format one JSON line on their stack and append it, under a mutex
 * held for a memcpy, to a memory buffer; the engine's background thread
 * swaps the buffer out and writes it to the file (append mode). So no
 * actor ever waits on the disk. Times are CLOCK_MONOTONIC nanoseconds, the
 * clock dhansim stamps with. Lines never hold a token: only ids.
 * A full buffer (the writer far behind) drops the line and counts it.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_int.h"

#define BUF_CAP ((size_t)4 << 20)

struct ct__metrics {
  FILE *f;
  pthread_mutex_t mu;
  char *buf, *spare;
  size_t len;
  unsigned long dropped;
};

uint64_t ct__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int ct__metrics_open(const char *path, ct__metrics_t **out) {
  ct__metrics_t *m = calloc(1, sizeof(*m));
  if (m == NULL)
    return CT_ENOMEM;
  m->buf = malloc(BUF_CAP);
  m->spare = malloc(BUF_CAP);
  m->f = fopen(path, "a");
  if (m->buf == NULL || m->spare == NULL || m->f == NULL) {
    int rc = m->f == NULL ? CT_EIO : CT_ENOMEM;
    ct_log_error("metrics", "msg=\"cannot open\" path=%s", path);
    if (m->f)
      fclose(m->f);
    free(m->buf);
    free(m->spare);
    free(m);
    return rc;
  }
  pthread_mutex_init(&m->mu, NULL);
  *out = m;
  return 0;
}

void ct__metrics_flush(ct__metrics_t *m) {
  char *b;
  size_t n;
  if (m == NULL)
    return;
  pthread_mutex_lock(&m->mu);
  b = m->buf;
  n = m->len;
  m->buf = m->spare;
  m->spare = b;
  m->len = 0;
  pthread_mutex_unlock(&m->mu);
  if (n > 0) {
    fwrite(b, 1, n, m->f);
    fflush(m->f);
  }
}

void ct__metrics_close(ct__metrics_t *m) {
  if (m == NULL)
    return;
  ct__metrics_flush(m);
  if (m->dropped)
    ct_log_warn("metrics", "msg=\"lines dropped\" n=%lu", m->dropped);
  fclose(m->f);
  pthread_mutex_destroy(&m->mu);
  free(m->buf);
  free(m->spare);
  free(m);
}

/* Format one line and append it. A line longer than its buffer is
 * dropped and counted, never cut. */
static void emit(ct__metrics_t *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void emit(ct__metrics_t *m, const char *fmt, ...) {
  char line[256];
  va_list ap;
  int n;
  if (m == NULL)
    return;
  va_start(ap, fmt);
  n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n <= 0)
    return;
  pthread_mutex_lock(&m->mu);
  if ((size_t)n < sizeof line && m->len + (size_t)n <= BUF_CAP) {
    memcpy(m->buf + m->len, line, (size_t)n);
    m->len += (size_t)n;
  } else {
    m->dropped++;
  }
  pthread_mutex_unlock(&m->mu);
}

void ct__metrics_leader(ct__metrics_t *m, const char *leader_order,
                        uint64_t t_ns) {
  emit(m, "{\"ev\":\"leader\",\"leader_order\":\"%s\",\"t_ns\":%llu}\n",
       leader_order, (unsigned long long)t_ns);
}

void ct__metrics_sent_op(ct__metrics_t *m, const char *op, const char *follower,
                         const char *corr, const char *leader_order,
                         uint64_t t_ns) {
  emit(m,
       "{\"ev\":\"sent\",\"op\":\"%s\",\"follower\":\"%s\",\"corr\":"
       "\"%s\",\"leader_order\":\"%s\",\"t_ns\":%llu}\n",
       op, follower, corr, leader_order, (unsigned long long)t_ns);
}

void ct__metrics_sent(ct__metrics_t *m, const char *follower, const char *corr,
                      const char *leader_order, uint64_t t_ns) {
  ct__metrics_sent_op(m, "place", follower, corr, leader_order, t_ns);
}

void ct__metrics_ack_op(ct__metrics_t *m, const char *op, const char *follower,
                        const char *corr, const char *order_id, int http_status,
                        uint64_t t_ns) {
  emit(m,
       "{\"ev\":\"ack\",\"op\":\"%s\",\"follower\":\"%s\",\"corr\":"
       "\"%s\",\"order_id\":\"%s\",\"status\":\"%d\",\"t_ns\":%llu}\n",
       op, follower, corr, order_id, http_status, (unsigned long long)t_ns);
}

void ct__metrics_ack(ct__metrics_t *m, const char *follower, const char *corr,
                     const char *order_id, int http_status, uint64_t t_ns) {
  ct__metrics_ack_op(m, "place", follower, corr, order_id, http_status, t_ns);
}

void ct__metrics_coalesced(ct__metrics_t *m, const char *follower,
                           const char *corr, const char *leader_order,
                           const char *by, uint64_t t_ns) {
  emit(m,
       "{\"ev\":\"coalesced\",\"follower\":\"%s\",\"corr\":\"%s\","
       "\"leader_order\":\"%s\",\"by\":\"%s\",\"t_ns\":%llu}\n",
       follower, corr, leader_order, by, (unsigned long long)t_ns);
}

void ct__metrics_skip(ct__metrics_t *m, const char *follower,
                      const char *leader_order, const char *reason) {
  emit(m,
       "{\"ev\":\"skip\",\"follower\":\"%s\",\"leader_order\":"
       "\"%s\",\"reason\":\"%s\"}\n",
       follower, leader_order, reason);
}
