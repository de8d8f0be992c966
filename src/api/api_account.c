/*
 * api_account.c: what the REST module actors of one Dhan account share:
 * configuration, the access token (hot-swappable under a mutex), the
 * auth-failed flag, and the account's two rate limiters (order-mutating
 * calls and everything else), which Dhan counts per account. See api.h.
 */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "copytrader/error.h"

static int copy_str(char *dst, size_t size, const char *src) {
  size_t n = src ? strlen(src) : 0;
  if (n >= size)
    return CT_EINVAL;
  memcpy(dst, src ? src : "", n + 1);
  return 0;
}

static int init_limits(ct_api_account_t *a, const ct_api_account_cfg_t *cfg) {
  ct_rate_window_t w[CT_RATE_MAX_WINDOWS];
  uint64_t margin = cfg->rate_margin_ns ? cfg->rate_margin_ns : 50000000ULL;
  const ct_rate_window_t *ow = cfg->order_windows, *xw = cfg->other_windows;
  size_t on = cfg->n_order_windows, xn = cfg->n_other_windows;
  int rc;
  if (ow == NULL) {
    on = ct_rate_dhan_orders(w, margin);
    ow = w;
  }
  if ((rc = ct_token_bucket_init(&a->limits[CT_API_LIMIT_ORDER], ow, on)))
    return rc;
  if (xw == NULL) {
    xn = ct_rate_dhan_non_trading(w, margin);
    xw = w;
  }
  return ct_token_bucket_init(&a->limits[CT_API_LIMIT_OTHER], xw, xn);
}

static int init_http(ct_api_account_t *a, ct_runtime_t *rt,
                     const ct_api_account_cfg_t *cfg) {
  long workers = rt != NULL ? (long)ct_runtime_workers(rt) : 1;
  if (copy_str(a->ca_file, sizeof(a->ca_file), cfg->ca_file))
    return CT_EINVAL;
  a->http_opts.ca_file = a->ca_file[0] ? a->ca_file : NULL;
  a->worker_http_opts = a->http_opts;
  a->worker_http_opts.max_total_connections =
      workers > 0 && CT_HTTP_DEFAULT_CONNECTIONS / workers > 0
          ? CT_HTTP_DEFAULT_CONNECTIONS / workers
          : 1;
  if (cfg->http != NULL) {
    a->http = cfg->http;
    return 0;
  }
  return ct_http_spawn(rt, &a->http_opts, -1, &a->http);
}

int ct_api_account_new(ct_runtime_t *rt, const ct_api_account_cfg_t *cfg,
                       ct_api_account_t **out) {
  ct_api_account_t *a;
  ct_breaker_t probe;
  int rc = CT_EINVAL;
  if (cfg == NULL || out == NULL || cfg->client_id == NULL ||
      cfg->client_id[0] == '\0' || cfg->token == NULL)
    return CT_EINVAL;
  if ((a = calloc(1, sizeof(*a))) == NULL)
    return CT_ENOMEM;
  pthread_mutex_init(&a->mu, NULL);
  if (copy_str(a->client_id, sizeof(a->client_id), cfg->client_id) ||
      copy_str(a->base_url, sizeof(a->base_url),
               cfg->base_url ? cfg->base_url : CT_API_DEFAULT_BASE_URL))
    goto fail;
  if (cfg->breaker)
    a->breaker = *cfg->breaker;
  else
    ct_breaker_config_default(&a->breaker);
  if (ct_breaker_init(&probe, &a->breaker, NULL, NULL) != 0)
    goto fail;
  a->http_timeout_ms = cfg->http_timeout_ms ? cfg->http_timeout_ms : 10000;
  a->max_pages = cfg->max_pages ? cfg->max_pages : 1000;
  if ((rc = ct_secret_set(&a->token, ct_secret_reveal(cfg->token))) ||
      (rc = init_limits(a, cfg)) || (rc = init_http(a, rt, cfg)))
    goto fail;
  *out = a;
  return 0;
fail:
  ct_api_account_free(a);
  return rc;
}

void ct_api_account_free(ct_api_account_t *a) {
  if (a == NULL)
    return;
  ct_token_bucket_close(&a->limits[0]);
  ct_token_bucket_close(&a->limits[1]);
  ct_secret_clear(&a->token);
  pthread_mutex_destroy(&a->mu);
  free(a);
}

int ct_api_account_set_token(ct_api_account_t *a, const ct_secret_t *token) {
  if (a == NULL || token == NULL)
    return CT_EINVAL;
  return ct__api_account_swap_text(a, ct_secret_reveal(token));
}

int ct__api_account_swap_text(ct_api_account_t *a, const char *token) {
  int rc;
  if (token == NULL || token[0] == '\0')
    return CT_EINVAL;
  pthread_mutex_lock(&a->mu);
  rc = ct_secret_set(&a->token, token);
  if (rc == 0) {
    a->token_gen++;
    atomic_store(&a->auth_failed, false);
  }
  pthread_mutex_unlock(&a->mu);
  return rc;
}

bool ct_api_account_auth_failed(const ct_api_account_t *a) {
  return atomic_load(&a->auth_failed);
}

int ct_api_account_set_limits(ct_api_account_t *a, ct_api_limit_t which,
                              const ct_rate_window_t *windows, size_t n) {
  int rc;
  if (a == NULL || (which != CT_API_LIMIT_ORDER && which != CT_API_LIMIT_OTHER))
    return CT_EINVAL;
  pthread_mutex_lock(&a->mu);
  rc = ct_token_bucket_reconfigure(&a->limits[which], windows, n);
  pthread_mutex_unlock(&a->mu);
  return rc;
}

const char *ct_api_account_client_id(const ct_api_account_t *a) {
  return a->client_id;
}

ct_actor_t *ct_api_account_http(const ct_api_account_t *a) {
  return a->http;
}

int ct_api_account_http_on(ct_api_account_t *a, ct_runtime_t *rt, int worker,
                           ct_actor_t **out) {
  int workers = rt ? (int)ct_runtime_workers(rt) : 0;
  int rc = 0;
  if (a == NULL || out == NULL || worker < 0 || worker >= workers ||
      worker >= CT__API_MAX_WORKERS)
    return CT_EINVAL;
  if (a->http_on[worker] == NULL)
    rc = ct_http_spawn(rt, &a->worker_http_opts, worker, &a->http_on[worker]);
  if (rc == 0)
    *out = a->http_on[worker];
  return rc;
}

int ct__api_account_take(ct_api_account_t *a, ct_api_limit_t which,
                         uint64_t now_ns, uint64_t *retry_at_ns) {
  int rc;
  pthread_mutex_lock(&a->mu);
  rc = ct_token_bucket_try(&a->limits[which], now_ns, 1, retry_at_ns);
  pthread_mutex_unlock(&a->mu);
  return rc;
}

int ct__api_account_token(ct_api_account_t *a, char *buf, size_t size,
                          uint64_t *gen) {
  int rc = 0;
  pthread_mutex_lock(&a->mu);
  const char *t = ct_secret_reveal(&a->token);
  size_t n = strlen(t);
  if (n == 0)
    rc = CT_EAUTH;
  else if (n >= size)
    rc = CT_ERANGE;
  else
    memcpy(buf, t, n + 1);
  *gen = a->token_gen;
  pthread_mutex_unlock(&a->mu);
  return rc;
}

void ct__api_account_auth_dead(ct_api_account_t *a, uint64_t gen) {
  pthread_mutex_lock(&a->mu);
  if (a->token_gen == gen)
    atomic_store(&a->auth_failed, true);
  pthread_mutex_unlock(&a->mu);
}

int ct_api_account_headroom(ct_api_account_t *a, ct_api_limit_t which,
                            uint64_t now_ns, ct_api_limit_room_t *out,
                            size_t cap, size_t *n) {
  const ct_token_bucket_t *tb;
  size_t k;
  if (a == NULL || n == NULL || (out == NULL && cap > 0) ||
      (which != CT_API_LIMIT_ORDER && which != CT_API_LIMIT_OTHER))
    return CT_EINVAL;
  tb = &a->limits[which];
  pthread_mutex_lock(&a->mu);
  *n = ct_token_bucket_nwindows(tb);
  for (k = 0; k < *n && k < cap; k++) {
    ct_token_bucket_window(tb, k, &out[k].window);
    ct_token_bucket_headroom(tb, now_ns, (int)k, &out[k].headroom);
  }
  pthread_mutex_unlock(&a->mu);
  return 0;
}

/* Relaxed: the state is one self-contained value; a reader that sees the
 * previous one for a moment shows a status a moment old, nothing more. */
void ct__api_account_breaker_set(ct_api_account_t *a, ct_api_module_t m,
                                 ct_breaker_state_t st) {
  atomic_store_explicit(&a->breaker_state[m], (int)st, memory_order_relaxed);
}

ct_breaker_state_t ct_api_breaker_state(const ct_api_account_t *a,
                                        ct_api_module_t m) {
  if (a == NULL || (unsigned)m >= CT_API_MODULE_COUNT)
    return CT_BREAKER_CLOSED;
  return (ct_breaker_state_t)atomic_load_explicit(&a->breaker_state[m],
                                                  memory_order_relaxed);
}
