/*
 * Logging: one line per event, `key=value` fields, levels, one sink.
 *
 * A line looks like
 *   2026-11-24T17:10:02.123Z WARN actors actor=orders/F1 msg="restarting"
 * err=CT_EIO Lines are assembled in a stack buffer and written with a single
 * write(2), so lines from several threads never interleave.
 *
 * Secrets (access tokens, partner secrets) are held in ct_secret_t, a struct
 * rather than a char pointer, so handing one to a %s field is a compile
 * error under -Wformat -Werror. The only way to the text is
 * ct_secret_reveal(), which is for building request headers, never logs.
 */
#ifndef COPYTRADER_LOG_H
#define COPYTRADER_LOG_H

#include <stddef.h>

typedef enum {
  CT_LOG_DEBUG = 0,
  CT_LOG_INFO = 1,
  CT_LOG_WARN = 2,
  CT_LOG_ERROR = 3,
  CT_LOG_OFF = 4
} ct_log_level_t;

/* Receives each finished line (without the trailing newline). `line` is
 * valid only during the call. Called from whichever thread logged. */
typedef void (*ct_log_sink_cb)(ct_log_level_t level, const char *line,
                               size_t len, void *ctx);

/* Lines below `level` are dropped. Default CT_LOG_INFO, or the value of the
 * CT_LOG_LEVEL environment variable (debug|info|warn|error|off) read by
 * ct_log_init_from_env(). */
void ct_log_set_level(ct_log_level_t level);
ct_log_level_t ct_log_get_level(void);
void ct_log_init_from_env(void);

/* Replace the sink (default: stderr). Pass NULL to restore stderr. Not
 * thread-safe against concurrent logging: set it before threads start. */
void ct_log_set_sink(ct_log_sink_cb cb, void *ctx);

/* Deferred mode, for a process whose loop threads must not block on
 * stderr: from now on INFO and DEBUG lines are kept in a memory buffer of
 * `capacity` bytes (two are allocated) until ct_log_flush() writes them;
 * WARN and ERROR lines, and a line that does not fit, are written at once
 * after what is buffered (the order of lines is kept). Lines keep the time
 * they were logged. Lines still buffered are lost if the process dies
 * without ct_log_defer_end() (so flush often). Does not apply to a sink
 * set with ct_log_set_sink. Call ct_log_defer and ct_log_defer_end while no
 * other thread logs. Returns 0, CT_ENOMEM, or CT_ESTATE when already
 * deferred. */
int ct_log_defer(size_t capacity);
/* Write the buffered lines (any thread; a no-op when not deferred). */
void ct_log_flush(void);
/* Write what is buffered and go back to one write(2) per line. */
void ct_log_defer_end(void);

/* Log one line. `module` is a short name ("actors", "http"); `fmt` holds the
 * key=value fields. */
void ct_log(ct_log_level_t level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define ct_log_debug(mod, ...)                                                 \
  do {                                                                         \
    if (ct_log_get_level() <= CT_LOG_DEBUG)                                    \
      ct_log(CT_LOG_DEBUG, (mod), __VA_ARGS__);                                \
  } while (0)
#define ct_log_info(mod, ...)  ct_log(CT_LOG_INFO, (mod), __VA_ARGS__)
#define ct_log_warn(mod, ...)  ct_log(CT_LOG_WARN, (mod), __VA_ARGS__)
#define ct_log_error(mod, ...) ct_log(CT_LOG_ERROR, (mod), __VA_ARGS__)

/* A secret string. Owns `value_`; do not touch the field directly. */
typedef struct ct_secret {
  char *value_;
} ct_secret_t;

/* What a secret looks like in any output. */
#define CT_SECRET_MASK "***"

/* Copy `text` into `s` (wiping any earlier value). 0 or CT_ENOMEM. */
int ct_secret_set(ct_secret_t *s, const char *text);
/* Wipe and free. Safe on a zeroed or already cleared secret. */
void ct_secret_clear(ct_secret_t *s);
/* The secret's text, for request headers only. "" when unset. Valid until
 * the next ct_secret_set/ct_secret_clear on `s`. */
const char *ct_secret_reveal(const ct_secret_t *s);
/* Always CT_SECRET_MASK: what logs and dumps print in place of a secret. */
const char *ct_secret_masked(const ct_secret_t *s);

#endif /* COPYTRADER_LOG_H */
