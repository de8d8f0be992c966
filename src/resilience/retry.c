/*
 * retry.c: the backoff policy of retry.h.
 *
 * Pure arithmetic on the instance: the exponential step is computed with
 * overflow guards (the cap wins), and random draws are mapped to a range
 * by multiply-high, so a source that returns 0 gives the low end and one
 * that returns UINT64_MAX the high end (tests rely on that). The built-in
 * source is splitmix64, one state word per instance.
 */
#include "copytrader/retry.h"

#include <string.h>

#include "copytrader/error.h"

int ct_retry_init(ct_retry_t *r, const ct_retry_config_t *cfg, uint64_t seed) {
  if (r == NULL || cfg == NULL || cfg->max_attempts == 0 || cfg->base_ns == 0 ||
      cfg->cap_ns < cfg->base_ns ||
      (cfg->jitter != CT_JITTER_FULL && cfg->jitter != CT_JITTER_DECORRELATED &&
       cfg->jitter != CT_JITTER_NONE))
    return CT_EINVAL;
  memset(r, 0, sizeof(*r));
  r->cfg_ = *cfg;
  r->rng_ = seed;
  ct_retry_reset(r);
  return 0;
}

void ct_retry_reset(ct_retry_t *r) {
  r->failures_ = 0;
  r->prev_ns_ = r->cfg_.base_ns;
}

uint32_t ct_retry_failures(const ct_retry_t *r) {
  return r->failures_;
}

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* The high 64 bits of a * b. */
static uint64_t mulhi64(uint64_t a, uint64_t b) {
  uint64_t al = a & 0xffffffffU, ah = a >> 32;
  uint64_t bl = b & 0xffffffffU, bh = b >> 32;
  uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  uint64_t mid = (ll >> 32) + (lh & 0xffffffffU) + (hl & 0xffffffffU);
  return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

uint64_t ct_retry_uniform(ct_retry_t *r, uint64_t lo, uint64_t hi) {
  uint64_t x = r->cfg_.rand != NULL ? r->cfg_.rand(r->cfg_.rand_ctx)
                                    : splitmix64(&r->rng_);
  uint64_t span = hi - lo;

  if (span == UINT64_MAX)
    return x;
  /* floor(x * (span + 1) / 2^64): bias below (span + 1) / 2^64. */
  return lo + mulhi64(x, span + 1);
}

/* min(cap, base * 2^(n - 1)) without overflow. */
static uint64_t exp_delay(const ct_retry_config_t *c, uint32_t n) {
  uint32_t shift = n - 1;
  if (shift >= 63 || c->base_ns > (c->cap_ns >> shift))
    return c->cap_ns;
  return c->base_ns << shift;
}

static uint64_t decorrelated(ct_retry_t *r) {
  const ct_retry_config_t *c = &r->cfg_;
  uint64_t hi = r->prev_ns_ > c->cap_ns / 3 ? c->cap_ns : r->prev_ns_ * 3;
  r->prev_ns_ = ct_retry_uniform(r, c->base_ns, hi);
  return r->prev_ns_;
}

int ct_retry_next(ct_retry_t *r, uint64_t *delay_ns) {
  uint64_t d;

  if (r->failures_ < UINT32_MAX)
    r->failures_++;
  if (r->failures_ >= r->cfg_.max_attempts)
    return CT_ETIMEDOUT;
  switch (r->cfg_.jitter) {
  case CT_JITTER_DECORRELATED:
    d = decorrelated(r);
    break;
  case CT_JITTER_NONE:
    d = exp_delay(&r->cfg_, r->failures_);
    break;
  default:
    d = ct_retry_uniform(r, 0, exp_delay(&r->cfg_, r->failures_));
    break;
  }
  *delay_ns = d;
  return 0;
}
