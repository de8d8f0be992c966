/*
 * Retry policy: capped exponential backoff with jitter.
 *
 * After the n-th failed attempt (n = 1, 2, ...) ct_retry_next() gives the
 * delay before attempt n + 1, or says the attempts are used up. With
 * d(n) = min(cap, base * 2^(n-1)):
 * - CT_JITTER_FULL (the default, 0): uniform in [0, d(n)]. Spreads a crowd
 *   of clients that failed together (a thousand followers hitting the same
 *   outage) evenly over the whole interval, which is what keeps them from
 *   arriving in waves; the expected delay is d(n)/2.
 * - CT_JITTER_DECORRELATED: uniform in [base, min(cap, 3 * previous)],
 *   starting from previous = base. Never below base; grows about 3x/2 per
 *   attempt on average.
 * - CT_JITTER_NONE: exactly d(n). For tests and for callers that add their
 *   own spreading.
 * (See "Exponential Backoff And Jitter", AWS Architecture Blog, 2015.)
 *
 * Randomness comes from the instance: either the caller's `rand` callback
 * or a splitmix64 generator seeded at init. No global state, so a fixed
 * seed gives the same delays every run.
 *
 * The policy holds no clock and sets no timer: the owning actor arms its
 * own timer with the delay. Retry only what is safe to repeat (an order
 * placement is not, unless it carries a correlation id that is checked
 * first); that decision is the caller's.
 */
#ifndef COPYTRADER_RETRY_H
#define COPYTRADER_RETRY_H

#include <stdint.h>

typedef enum {
  CT_JITTER_FULL = 0,
  CT_JITTER_DECORRELATED = 1,
  CT_JITTER_NONE = 2
} ct_retry_jitter_t;

/* A source of uniformly random 64-bit values. */
typedef uint64_t (*ct_retry_rand_cb)(void *ctx);

typedef struct ct_retry_config {
  uint32_t max_attempts; /* attempts in all, the first included; >= 1 */
  uint64_t base_ns;      /* first delay (its upper bound with FULL); >= 1 */
  uint64_t cap_ns;       /* no delay exceeds this; >= base_ns */
  ct_retry_jitter_t jitter;
  ct_retry_rand_cb rand; /* NULL: the built-in generator, seeded at init */
  void *rand_ctx;        /* passed to `rand`; must outlive the policy */
} ct_retry_config_t;

/* One operation's retry state. Embed it; fields are private. */
typedef struct ct_retry {
  ct_retry_config_t cfg_;
  uint32_t failures_; /* failed attempts so far */
  uint64_t prev_ns_;  /* last delay (DECORRELATED) */
  uint64_t rng_;      /* splitmix64 state */
} ct_retry_t;

/* Set up `r` (caller's memory) with `cfg` copied and `seed` for the
 * built-in generator (ignored when cfg->rand is set). Returns 0 or
 * CT_EINVAL (max_attempts 0, base_ns 0, cap_ns < base_ns, unknown jitter).
 * No close is needed. */
int ct_retry_init(ct_retry_t *r, const ct_retry_config_t *cfg, uint64_t seed);

/* Record a failed attempt. Returns 0 and the delay before the next attempt
 * in *delay_ns, or CT_ETIMEDOUT when max_attempts attempts have been made
 * (the operation should give up; *delay_ns is untouched). Keeps returning
 * CT_ETIMEDOUT until ct_retry_reset(). */
int ct_retry_next(ct_retry_t *r, uint64_t *delay_ns);

/* Start over for a new operation (the generator keeps its state). */
void ct_retry_reset(ct_retry_t *r);

/* Failed attempts recorded since init or the last reset. */
uint32_t ct_retry_failures(const ct_retry_t *r);

/* Uniform in [lo, hi] from the policy's random source (hi >= lo). Exposed
 * for callers that jitter other things the same way (e.g. a reconnect). */
uint64_t ct_retry_uniform(ct_retry_t *r, uint64_t lo, uint64_t hi);

#endif /* COPYTRADER_RETRY_H */
