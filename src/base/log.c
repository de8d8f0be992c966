/*
 * log.c: the one logging module (see include/copytrader/log.h).
 *
 * A line is formatted into a stack buffer and written with one write(2) so
 * that lines from several worker threads do not interleave. The level is an
 * atomic so that any thread may read it without a lock.
 */
#include "copytrader/log.h"

#include <stdarg.h>
#include <stdatomic.h>
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
