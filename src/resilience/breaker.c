/*
 * breaker.c: the circuit breaker of breaker.h.
 *
 * A three-state machine driven by two calls: allow() before a request and
 * record() after it. While CLOSED, outcomes land in a ring of time buckets
 * (bucket = now / (window / 16)), and the trip rules are checked after each
 * failure against the sum of the live buckets. Leaving CLOSED clears the
 * ring, so a breaker that closes again starts from a clean window. Every
 * state change goes through one function that records the transition and
 * calls the owner's callback, which is where an actor logs it.
 *
 * One breaker per (account, endpoint class), owned by one actor: no locks.
 */
#include "copytrader/breaker.h"

#include <string.h>

#include "copytrader/error.h"

void ct_breaker_config_default(ct_breaker_config_t *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->window_ns = 30ULL * 1000000000ULL;
  cfg->failure_threshold = 5;
  cfg->failure_rate_pct = 50;
  cfg->min_calls = 10;
  cfg->cooldown_ns = 5ULL * 1000000000ULL;
  cfg->max_cooldown_ns = 60ULL * 1000000000ULL;
  cfg->cooldown_factor = 2;
  cfg->probes = 1;
  cfg->successes_to_close = 1;
}

static int config_valid(const ct_breaker_config_t *c) {
  return c->window_ns >= CT_BREAKER_BUCKETS &&
         (c->failure_threshold != 0 || c->failure_rate_pct != 0) &&
         c->failure_rate_pct <= 100 && c->cooldown_ns != 0 &&
         (c->max_cooldown_ns == 0 || c->max_cooldown_ns >= c->cooldown_ns) &&
         c->probes != 0 && c->successes_to_close != 0;
}

static void window_clear(ct_breaker_t *b) {
  for (int i = 0; i < CT_BREAKER_BUCKETS; i++) {
    b->buckets_[i].epoch = UINT64_MAX;
    b->buckets_[i].calls = 0;
    b->buckets_[i].failures = 0;
  }
}

int ct_breaker_init(ct_breaker_t *b, const ct_breaker_config_t *cfg,
                    ct_breaker_cb cb, void *ctx) {
  if (b == NULL || cfg == NULL || !config_valid(cfg))
    return CT_EINVAL;
  memset(b, 0, sizeof(*b));
  b->cfg_ = *cfg;
  if (b->cfg_.max_cooldown_ns == 0)
    b->cfg_.max_cooldown_ns = cfg->cooldown_ns;
  if (b->cfg_.cooldown_factor == 0)
    b->cfg_.cooldown_factor = 1;
  b->state_ = CT_BREAKER_CLOSED;
  b->bucket_ns_ = cfg->window_ns / CT_BREAKER_BUCKETS;
  b->cooldown_ns_ = cfg->cooldown_ns;
  b->last_.from = b->last_.to = CT_BREAKER_CLOSED;
  b->last_.reason = CT_BREAKER_R_INIT;
  b->cb_ = cb;
  b->cb_ctx_ = ctx;
  window_clear(b);
  return 0;
}

static uint64_t clamp_now(ct_breaker_t *b, uint64_t now_ns) {
  if (now_ns < b->now_ns_)
    return b->now_ns_;
  b->now_ns_ = now_ns;
  return now_ns;
}

void ct_breaker_counts(const ct_breaker_t *b, uint64_t now_ns, uint32_t *calls,
                       uint32_t *failures) {
  uint64_t epoch = (now_ns < b->now_ns_ ? b->now_ns_ : now_ns) / b->bucket_ns_;
  uint32_t c = 0, f = 0;

  for (int i = 0; i < CT_BREAKER_BUCKETS; i++) {
    const ct__breaker_bucket_t *k = &b->buckets_[i];
    if (k->epoch <= epoch && epoch - k->epoch < CT_BREAKER_BUCKETS) {
      c += k->calls;
      f += k->failures;
    }
  }
  if (calls != NULL)
    *calls = c;
  if (failures != NULL)
    *failures = f;
}

static void transition(ct_breaker_t *b, ct_breaker_state_t to,
                       ct_breaker_reason_t reason, uint64_t now_ns) {
  ct_breaker_transition_t *t = &b->last_;

  memset(t, 0, sizeof(*t));
  t->from = b->state_;
  t->to = to;
  t->reason = reason;
  t->at_ns = now_ns;
  if (b->state_ == CT_BREAKER_CLOSED)
    ct_breaker_counts(b, now_ns, &t->calls, &t->failures);
  if (to == CT_BREAKER_OPEN) {
    b->open_until_ns_ = now_ns + b->cooldown_ns_;
    t->open_until_ns = b->open_until_ns_;
  }
  if (to == CT_BREAKER_CLOSED)
    b->cooldown_ns_ = b->cfg_.cooldown_ns;
  b->state_ = to;
  b->probes_out_ = 0;
  b->probe_successes_ = 0;
  window_clear(b);
  if (b->cb_ != NULL)
    b->cb_(t, b->cb_ctx_);
}

/* Admit a probe in HALF_OPEN if a slot is free or the oldest is lost. */
static int probe_allow(ct_breaker_t *b, uint64_t now_ns, uint64_t *retry_at) {
  uint64_t lost_at = b->probe_at_ns_ + b->cooldown_ns_;

  if (b->probes_out_ >= b->cfg_.probes) {
    if (now_ns < lost_at) {
      if (retry_at != NULL)
        *retry_at = lost_at;
      return CT_EBREAKER;
    }
    b->probes_out_ = 0; /* every outstanding probe is presumed lost */
  }
  b->probes_out_++;
  b->probe_at_ns_ = now_ns;
  return 0;
}

int ct_breaker_allow(ct_breaker_t *b, uint64_t now_ns, uint64_t *retry_at_ns) {
  now_ns = clamp_now(b, now_ns);
  if (b->state_ == CT_BREAKER_CLOSED)
    return 0;
  if (b->state_ == CT_BREAKER_OPEN) {
    if (now_ns < b->open_until_ns_) {
      if (retry_at_ns != NULL)
        *retry_at_ns = b->open_until_ns_;
      return CT_EBREAKER;
    }
    transition(b, CT_BREAKER_HALF_OPEN, CT_BREAKER_R_COOLDOWN, now_ns);
  }
  return probe_allow(b, now_ns, retry_at_ns);
}

static void closed_record(ct_breaker_t *b, uint64_t now_ns, int failed) {
  const ct_breaker_config_t *c = &b->cfg_;
  uint64_t epoch = now_ns / b->bucket_ns_;
  ct__breaker_bucket_t *k = &b->buckets_[epoch % CT_BREAKER_BUCKETS];
  uint32_t calls, failures;

  if (k->epoch != epoch) {
    k->epoch = epoch;
    k->calls = k->failures = 0;
  }
  k->calls++;
  k->failures += failed;
  if (!failed)
    return;
  ct_breaker_counts(b, now_ns, &calls, &failures);
  if (c->failure_threshold != 0 && failures >= c->failure_threshold)
    transition(b, CT_BREAKER_OPEN, CT_BREAKER_R_FAILURE_COUNT, now_ns);
  else if (c->failure_rate_pct != 0 && calls >= c->min_calls &&
           (uint64_t)failures * 100 >= (uint64_t)c->failure_rate_pct * calls)
    transition(b, CT_BREAKER_OPEN, CT_BREAKER_R_FAILURE_RATE, now_ns);
}

static uint64_t grown_cooldown(const ct_breaker_t *b) {
  const ct_breaker_config_t *c = &b->cfg_;
  if (b->cooldown_ns_ > c->max_cooldown_ns / c->cooldown_factor)
    return c->max_cooldown_ns;
  return b->cooldown_ns_ * c->cooldown_factor;
}

static void half_open_record(ct_breaker_t *b, uint64_t now_ns,
                             ct_breaker_outcome_t outcome) {
  if (b->probes_out_ > 0)
    b->probes_out_--;
  if (outcome == CT_OUTCOME_FAILURE) {
    b->cooldown_ns_ = grown_cooldown(b);
    transition(b, CT_BREAKER_OPEN, CT_BREAKER_R_PROBE_FAILURE, now_ns);
  } else if (outcome == CT_OUTCOME_SUCCESS &&
             ++b->probe_successes_ >= b->cfg_.successes_to_close) {
    transition(b, CT_BREAKER_CLOSED, CT_BREAKER_R_PROBE_SUCCESS, now_ns);
  }
}

int ct_breaker_record(ct_breaker_t *b, uint64_t now_ns,
                      ct_breaker_outcome_t outcome) {
  if (outcome != CT_OUTCOME_SUCCESS && outcome != CT_OUTCOME_FAILURE &&
      outcome != CT_OUTCOME_IGNORED)
    return CT_EINVAL;
  now_ns = clamp_now(b, now_ns);
  if (b->state_ == CT_BREAKER_CLOSED && outcome != CT_OUTCOME_IGNORED)
    closed_record(b, now_ns, outcome == CT_OUTCOME_FAILURE);
  else if (b->state_ == CT_BREAKER_HALF_OPEN)
    half_open_record(b, now_ns, outcome);
  return 0;
}

void ct_breaker_trip(ct_breaker_t *b, uint64_t now_ns) {
  transition(b, CT_BREAKER_OPEN, CT_BREAKER_R_FORCED_OPEN,
             clamp_now(b, now_ns));
}

void ct_breaker_reset(ct_breaker_t *b, uint64_t now_ns) {
  transition(b, CT_BREAKER_CLOSED, CT_BREAKER_R_RESET, clamp_now(b, now_ns));
}

ct_breaker_state_t ct_breaker_state(const ct_breaker_t *b) {
  return b->state_;
}

const ct_breaker_transition_t *ct_breaker_last(const ct_breaker_t *b) {
  return &b->last_;
}

const char *ct_breaker_state_name(ct_breaker_state_t s) {
  switch (s) {
  case CT_BREAKER_CLOSED:
    return "closed";
  case CT_BREAKER_OPEN:
    return "open";
  case CT_BREAKER_HALF_OPEN:
    return "half_open";
  }
  return "unknown";
}

const char *ct_breaker_reason_name(ct_breaker_reason_t r) {
  static const char *const names[] = {
    "init",          "failure_count", "failure_rate", "cooldown",
    "probe_success", "probe_failure", "forced_open",  "reset",
  };
  if ((unsigned)r < sizeof(names) / sizeof(names[0]))
    return names[r];
  return "unknown";
}
