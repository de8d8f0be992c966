/*
 * log.c: the one logging module (see include/copytrader/log.h).
 *
 * A line is formatted into a stack buffer and written with one write(2) so
 * that lines from several worker threads do not interleave. The level is an
 * atomic so that any thread may read it without a lock.
 *
 * Deferred mode (ct_log_defer): an INFO or DEBUG line is appended to a
 * memory buffer instead (a memcpy under buf_mu), and ct_log_flush(),
 * called by a background thread, writes what is buffered. So a loop
 * thread on the hot path pays no write(2) for its INFO lines, and keeps
 * them: the time in each line is when it was logged. A WARN or ERROR line,
 * or one that does not fit, is written at once, after whatever is
 * buffered, so the order of lines is kept. write_mu serialises the
 * writers (flush and those immediate lines); loggers that only buffer take
 * buf_mu alone, never while a write(2) is in progress.
 */
#include "copytrader/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "copytrader/error.h"

#define LOG_LINE_MAX 2048

static atomic_int log_level = CT_LOG_INFO;
static ct_log_sink_cb log_sink;
static void *log_sink_ctx;

/* Deferred mode. */
static atomic_bool deferred;
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t buf_mu = PTHREAD_MUTEX_INITIALIZER;
static char *dbuf[2]; /* the one being filled is dbuf[0] */
static size_t dlen, dcap;

static const char *level_name(ct_log_level_t level) {
  static const char *names[] = { "DEBUG", "INFO", "WARN", "ERROR", "OFF" };
  return names[level <= CT_LOG_OFF ? level : CT_LOG_OFF];
}

void ct_log_set_level(ct_log_level_t level) {
  atomic_store_explicit(&log_level, (int)level, memory_order_relaxed);
}

ct_log_level_t ct_log_get_level(void) {
  return (ct_log_level_t)atomic_load_explicit(&log_level, memory_order_relaxed);
}

void ct_log_init_from_env(void) {
  static const char *names[] = { "debug", "info", "warn", "error", "off" };
  const char *v = getenv("CT_LOG_LEVEL");
  if (v == NULL)
    return;
  for (int i = 0; i <= CT_LOG_OFF; i++)
    if (strcasecmp(v, names[i]) == 0)
      ct_log_set_level((ct_log_level_t)i);
}

void ct_log_set_sink(ct_log_sink_cb cb, void *ctx) {
  log_sink = cb;
  log_sink_ctx = ctx;
}

static size_t format_prefix(char *buf, size_t cap, ct_log_level_t level,
                            const char *module) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  int n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s ",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                   tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
                   level_name(level), module ? module : "-");
  return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}

static void write_all(const char *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(STDERR_FILENO, p, len);
    if (n <= 0)
      return; /* nothing better to do with a failing stderr */
    p += n;
    len -= (size_t)n;
  }
}

/* Take the filled buffer (caller holds write_mu): swap it with the spare
 * under buf_mu, so loggers go on filling while it is written. */
static size_t take_buffer(char **out) {
  size_t n;
  pthread_mutex_lock(&buf_mu);
  n = dlen;
  *out = dbuf[0];
  dbuf[0] = dbuf[1];
  dbuf[1] = *out;
  dlen = 0;
  pthread_mutex_unlock(&buf_mu);
  return n;
}

/* Deferred mode: buffer the line (true), or write what is buffered and
 * then the line itself (also true), or false when the mode just ended. */
static bool defer_line(ct_log_level_t level, const char *line, size_t len) {
  char *old;
  size_t n;
  bool done = false;
  if (level < CT_LOG_WARN) {
    pthread_mutex_lock(&buf_mu);
    if (dbuf[0] != NULL && dlen + len <= dcap) {
      memcpy(dbuf[0] + dlen, line, len);
      dlen += len;
      done = true;
    }
    pthread_mutex_unlock(&buf_mu);
    if (done)
      return true;
  }
  pthread_mutex_lock(&write_mu);
  if (dbuf[0] != NULL) {
    n = take_buffer(&old);
    write_all(old, n);
    write_all(line, len);
    done = true;
  }
  pthread_mutex_unlock(&write_mu);
  return done;
}

int ct_log_defer(size_t capacity) {
  char *a = malloc(capacity ? capacity : 1),
       *b = malloc(capacity ? capacity : 1);
  if (a == NULL || b == NULL || dbuf[0] != NULL) {
    free(a);
    free(b);
    return a == NULL || b == NULL ? CT_ENOMEM : CT_ESTATE;
  }
  pthread_mutex_lock(&buf_mu);
  dbuf[0] = a;
  dbuf[1] = b;
  dlen = 0;
  dcap = capacity;
  pthread_mutex_unlock(&buf_mu);
  atomic_store_explicit(&deferred, true, memory_order_relaxed);
  return 0;
}

void ct_log_flush(void) {
  char *old;
  size_t n;
  if (!atomic_load_explicit(&deferred, memory_order_relaxed))
    return;
  pthread_mutex_lock(&write_mu);
  if (dbuf[0] != NULL && (n = take_buffer(&old)) > 0)
    write_all(old, n);
  pthread_mutex_unlock(&write_mu);
}

void ct_log_defer_end(void) {
  char *a, *b;
  ct_log_flush();
  atomic_store_explicit(&deferred, false, memory_order_relaxed);
  pthread_mutex_lock(&write_mu);
  pthread_mutex_lock(&buf_mu);
  if (dlen > 0)
    write_all(dbuf[0], dlen); /* logged between the flush and here */
  a = dbuf[0];
  b = dbuf[1];
  dbuf[0] = dbuf[1] = NULL;
  dlen = dcap = 0;
  pthread_mutex_unlock(&buf_mu);
  pthread_mutex_unlock(&write_mu);
  free(a);
  free(b);
}

void ct_log(ct_log_level_t level, const char *module, const char *fmt, ...) {
  char line[LOG_LINE_MAX];
  size_t len;
  va_list ap;
  int n;

  if ((int)level < atomic_load_explicit(&log_level, memory_order_relaxed))
    return;
  len = format_prefix(line, sizeof(line) - 1, level, module);
  va_start(ap, fmt);
  n = vsnprintf(line + len, sizeof(line) - 1 - len, fmt, ap);
  va_end(ap);
  if (n > 0)
    len +=
        (size_t)n < sizeof(line) - 1 - len ? (size_t)n : sizeof(line) - 2 - len;
  if (log_sink != NULL) {
    line[len] = '\0';
    log_sink(level, line, len, log_sink_ctx);
    return;
  }
  line[len++] = '\n';
  /* relaxed: the mode changes only while no other thread logs (its
   * contract); buf_mu orders the buffer itself. */
  if (atomic_load_explicit(&deferred, memory_order_relaxed) &&
      defer_line(level, line, len))
    return;
  /* One write per line; a short write to stderr is not worth retrying. */
  if (write(STDERR_FILENO, line, len) < 0)
    return;
}

int ct_secret_set(ct_secret_t *s, const char *text) {
  char *copy = strdup(text ? text : "");
  if (copy == NULL)
    return CT_ENOMEM;
  ct_secret_clear(s);
  s->value_ = copy;
  return 0;
}

void ct_secret_clear(ct_secret_t *s) {
  if (s->value_ == NULL)
    return;
  /* explicit_bzero is not optimised away, unlike memset before free. */
  explicit_bzero(s->value_, strlen(s->value_));
  free(s->value_);
  s->value_ = NULL;
}

const char *ct_secret_reveal(const ct_secret_t *s) {
  return s->value_ ? s->value_ : "";
}

const char *ct_secret_masked(const ct_secret_t *s) {
  (void)s;
  return CT_SECRET_MASK;
}
