/*
 * Circuit breaker: stop calling a service that keeps failing, probe it
 * after a cool-down, resume when a probe succeeds.
 *
 *   CLOSED --(too many failures in the window)--> OPEN
 *   OPEN --(cool-down over; checked by allow)--> HALF_OPEN
 *   HALF_OPEN --(successes_to_close probe successes)--> CLOSED
 *   HALF_OPEN --(a probe fails)--> OPEN, cool-down * cooldown_factor
 *
 * CLOSED trips on either of two rules over the last window_ns, both
 * optional: failures >= failure_threshold, or failures * 100 >=
 * failure_rate_pct * calls once calls >= min_calls. The window is a ring of
 * CT_BREAKER_BUCKETS time buckets (bounded memory, O(1) per call), so an
 * outcome counts for between 15/16 of window_ns and window_ns.
 *
 * HALF_OPEN admits at most `probes` calls at a time. Each recorded outcome
 * frees one probe slot. A probe that never reports is presumed lost after
 * the current cool-down, and its slot is given out again.
 *
 * The caller decides what is a failure (a timeout, a 5xx, a refused
 * connection) and records every call it was allowed to make:
 * - CT_OUTCOME_SUCCESS and CT_OUTCOME_FAILURE count as calls.
 * - CT_OUTCOME_IGNORED counts neither way: a business rejection from Dhan
 *   (bad price, no margin) says nothing about whether the service is
 *   healthy. In HALF_OPEN it frees the probe slot without closing or
 *   re-opening, so another probe goes out. A caller that sees an answered
 *   request as proof of health should record SUCCESS instead.
 * Outcomes recorded while OPEN (late answers to calls made before the trip)
 * are dropped. Outcomes are not tied to the allow() that admitted them: a
 * late answer arriving in HALF_OPEN is taken as a probe's.
 *
 * Time: now_ns is a monotonic clock in ns, passed in by the caller (a fake
 * clock in tests). A value older than one already seen counts as the newest
 * seen. No threads, no allocation: the owning actor embeds the struct.
 */
#ifndef COPYTRADER_BREAKER_H
#define COPYTRADER_BREAKER_H

#include <stdint.h>

#define CT_BREAKER_BUCKETS 16

typedef enum {
  CT_BREAKER_CLOSED = 0,
  CT_BREAKER_OPEN = 1,
  CT_BREAKER_HALF_OPEN = 2
} ct_breaker_state_t;

typedef enum {
  CT_OUTCOME_SUCCESS = 0,
  CT_OUTCOME_FAILURE = 1,
  CT_OUTCOME_IGNORED = 2
} ct_breaker_outcome_t;

/* Why the last transition happened. */
typedef enum {
  CT_BREAKER_R_INIT = 0,          /* no transition yet */
  CT_BREAKER_R_FAILURE_COUNT = 1, /* CLOSED -> OPEN: failure_threshold */
  CT_BREAKER_R_FAILURE_RATE = 2,  /* CLOSED -> OPEN: failure_rate_pct */
  CT_BREAKER_R_COOLDOWN = 3,      /* OPEN -> HALF_OPEN */
  CT_BREAKER_R_PROBE_SUCCESS = 4, /* HALF_OPEN -> CLOSED */
  CT_BREAKER_R_PROBE_FAILURE = 5, /* HALF_OPEN -> OPEN */
  CT_BREAKER_R_FORCED_OPEN = 6,   /* ct_breaker_trip() */
  CT_BREAKER_R_RESET = 7          /* ct_breaker_reset() */
} ct_breaker_reason_t;

typedef struct ct_breaker_config {
  uint64_t window_ns;          /* counting window, >= CT_BREAKER_BUCKETS */
  uint32_t failure_threshold;  /* trip at this many failures; 0: rule off */
  uint32_t failure_rate_pct;   /* trip at this failure % (1..100); 0: off */
  uint32_t min_calls;          /* calls in the window before the % rule */
  uint64_t cooldown_ns;        /* first OPEN period, >= 1 */
  uint64_t max_cooldown_ns;    /* growth cap; 0: same as cooldown_ns */
  uint32_t cooldown_factor;    /* growth per failed probe; 0 or 1: none */
  uint32_t probes;             /* probe calls at a time in HALF_OPEN, >= 1 */
  uint32_t successes_to_close; /* probe successes needed to close, >= 1 */
} ct_breaker_config_t;

/* One state change, as reported to the callback and kept for status. */
typedef struct ct_breaker_transition {
  ct_breaker_state_t from, to;
  ct_breaker_reason_t reason;
  uint64_t at_ns;
  uint32_t calls, failures; /* in the window when CLOSED tripped, else 0 */
  uint64_t open_until_ns;   /* when `to` is OPEN: end of the cool-down */
} ct_breaker_transition_t;

/* Called after every state change, synchronously from the ct_breaker_*
 * call that caused it. `t` is valid during the call only. The callback must
 * not call back into the same breaker. */
typedef void (*ct_breaker_cb)(const ct_breaker_transition_t *t, void *ctx);

/* Private: one time bucket of the window. */
typedef struct ct__breaker_bucket {
  uint64_t epoch; /* now_ns / bucket width; UINT64_MAX when unused */
  uint32_t calls, failures;
} ct__breaker_bucket_t;

/* A breaker. Embed it; fields are private. */
typedef struct ct_breaker {
  ct_breaker_config_t cfg_;
  ct_breaker_state_t state_;
  ct__breaker_bucket_t buckets_[CT_BREAKER_BUCKETS];
  uint64_t bucket_ns_;
  uint64_t now_ns_;      /* newest time seen */
  uint64_t cooldown_ns_; /* current cool-down */
  uint64_t open_until_ns_;
  uint64_t probe_at_ns_; /* last probe admitted */
  uint32_t probes_out_, probe_successes_;
  ct_breaker_transition_t last_;
  ct_breaker_cb cb_;
  void *cb_ctx_;
} ct_breaker_t;

/* Fill `cfg` with defaults: 5 failures or 50% of at least 10 calls in 30 s
 * trip it; 5 s cool-down doubling up to 60 s; 1 probe, 1 success closes. */
void ct_breaker_config_default(ct_breaker_config_t *cfg);

/* Set up `b` (caller's memory) CLOSED, with `cfg` copied. `cb` may be NULL;
 * `ctx` is passed to it and must outlive the breaker. Returns 0 or
 * CT_EINVAL (window_ns < CT_BREAKER_BUCKETS, both trip rules off,
 * failure_rate_pct > 100, cooldown_ns 0, max_cooldown_ns below
 * cooldown_ns, probes 0, successes_to_close 0). No close is needed: the
 * breaker owns no resources. */
int ct_breaker_init(ct_breaker_t *b, const ct_breaker_config_t *cfg,
                    ct_breaker_cb cb, void *ctx);

/* May a call go out at now_ns? Returns 0 (CLOSED, or a probe slot taken in
 * HALF_OPEN, which then expects a ct_breaker_record()) or CT_EBREAKER, with
 * *retry_at_ns (if not NULL) set to when to ask again: the end of the
 * cool-down when OPEN; when every probe slot is taken, the time the oldest
 * would be presumed lost (a recorded outcome frees a slot sooner). May move
 * OPEN to HALF_OPEN. */
int ct_breaker_allow(ct_breaker_t *b, uint64_t now_ns, uint64_t *retry_at_ns);

/* Report how an allowed call went (see the top of this file). Returns 0, or
 * CT_EINVAL for an unknown outcome. */
int ct_breaker_record(ct_breaker_t *b, uint64_t now_ns,
                      ct_breaker_outcome_t outcome);

/* Force OPEN now with the current cool-down (e.g. credentials revoked), or
 * force CLOSED with empty counts and the base cool-down. */
void ct_breaker_trip(ct_breaker_t *b, uint64_t now_ns);
void ct_breaker_reset(ct_breaker_t *b, uint64_t now_ns);

/* The current state. It does not change with time alone: OPEN becomes
 * HALF_OPEN in the first ct_breaker_allow() after the cool-down. */
ct_breaker_state_t ct_breaker_state(const ct_breaker_t *b);

/* The last transition (reason CT_BREAKER_R_INIT before any). The pointer
 * stays valid as long as `b`; its contents change with the next one. */
const ct_breaker_transition_t *ct_breaker_last(const ct_breaker_t *b);

/* Calls and failures in the window at now_ns (CLOSED only counts them;
 * both are 0 in other states). For status displays. */
void ct_breaker_counts(const ct_breaker_t *b, uint64_t now_ns, uint32_t *calls,
                       uint32_t *failures);

/* Static names for logs: "closed", "open", "half_open"; "failure_count",
 * "failure_rate", "cooldown", ... Never NULL. */
const char *ct_breaker_state_name(ct_breaker_state_t s);
const char *ct_breaker_reason_name(ct_breaker_reason_t r);

#endif /* COPYTRADER_BREAKER_H */
