/*
 * Private to the REST engine (api_*.c): the call table row, the request
 * being built, and the account's internals used by the module actors.
 */
#ifndef CT_API_INT_H
#define CT_API_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "copytrader/api_calls.h"
#include "copytrader/dhan_json.h"
#include "copytrader/http.h"

#define CT__API_PATH_SIZE   256
#define CT__API_BODY_SIZE   4096
#define CT__API_TOKEN_SIZE  4096
#define CT__API_MAX_WORKERS 64   /* ct_api_account_http_on() */
#define CT__API_PARAMS_MAX  2048 /* the largest params struct fits */

/* A request built from a call's params: scratch on the builder's stack;
 * a pending call keeps only the path and body, copied to their length. */
typedef struct ct__api_http {
  char path[CT__API_PATH_SIZE]; /* after the base URL, "/orders/123" */
  char body[CT__API_BODY_SIZE];
  size_t body_len; /* 0: no body */
  unsigned page;   /* trade history page to build */
  char err[CT_DHAN_ERR_SIZE];
} ct__api_http_t;

/* Fill out->path/body from params (client_id = the account's). 0 or
 * CT_EINVAL/CT_ERANGE with out->err. */
typedef int (*ct__api_build_fn)(const char *client_id, const void *params,
                                ct__api_http_t *out);
/* Parse a 2xx body into a malloc'd array of records (NULL/0 allowed). */
typedef int (*ct__api_parse_fn)(const char *buf, size_t len, void **items,
                                size_t *count, char *err, size_t err_size);

typedef struct ct__api_row {
  ct_api_call_t call;
  ct_api_module_t module;
  const char *name;   /* "place" */
  const char *method; /* "POST" */
  ct_api_limit_t limit;
  unsigned flags;       /* CT_DHAN_CALL_* */
  bool dhan_client_hdr; /* send the dhanClientId header (profile, renew) */
  bool paged;           /* trade history */
  size_t params_size;   /* 0: none */
  size_t item_size;
  ct__api_build_fn build;
  ct__api_parse_fn parse; /* NULL: no records */
} ct__api_row_t;

/* The row of `call`, or NULL when out of range. */
const ct__api_row_t *ct__api_row(ct_api_call_t call);

/* What a module actor is started with; lives in the account. */
typedef struct ct__api_arg {
  struct ct_api_account *acct;
  ct_api_module_t module;
} ct__api_arg_t;

struct ct_api_account {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char base_url[256];
  char ca_file[512];
  ct_http_opts_t http_opts; /* borrowed by a spawned HTTP actor */
  ct_actor_t *http;
  ct_http_opts_t worker_http_opts; /* borrowed by http_on[] */
  ct_actor_t *http_on[CT__API_MAX_WORKERS];
  ct_breaker_config_t breaker;
  uint64_t http_timeout_ms;
  unsigned max_pages;
  pthread_mutex_t mu; /* guards token, token_gen and both limiters */
  ct_secret_t token;
  uint64_t token_gen;
  ct_token_bucket_t limits[2]; /* CT_API_LIMIT_ORDER, CT_API_LIMIT_OTHER */
  atomic_bool auth_failed;
  ct__api_arg_t args[CT_API_MODULE_COUNT];
  /* Each module actor's breaker state (ct_breaker_state_t), stored by the
   * actor on every transition, read by status displays on other threads. */
  atomic_int breaker_state[CT_API_MODULE_COUNT];
};

/* Publish module `m`'s breaker state (the module actor, its own thread). */
void ct__api_account_breaker_set(ct_api_account_t *a, ct_api_module_t m,
                                 ct_breaker_state_t st);

/* Ask the account's limiter. 0 (admitted) or CT_ERATELIMIT with
 * *retry_at_ns, CT_ERANGE (can never be admitted). */
int ct__api_account_take(ct_api_account_t *a, ct_api_limit_t which,
                         uint64_t now_ns, uint64_t *retry_at_ns);
/* Copy the token into buf (NUL-terminated) and its generation into *gen.
 * CT_ERANGE when it does not fit, CT_EAUTH when it is empty. */
int ct__api_account_token(ct_api_account_t *a, char *buf, size_t size,
                          uint64_t *gen);
/* Mark auth-failed unless the token changed since generation `gen`. */
void ct__api_account_auth_dead(ct_api_account_t *a, uint64_t gen);
/* Swap to a token given as text (RenewToken). */
int ct__api_account_swap_text(ct_api_account_t *a, const char *token);

/* Extra parsers (api_parse.c). */
int ct__api_parse_renew(const char *buf, size_t len, ct_api_renew_t *out,
                        char *token, size_t token_size, char *err,
                        size_t err_size);
int ct__api_parse_status(const char *buf, size_t len, void **items,
                         size_t *count, char *err, size_t err_size);
int ct__api_parse_pnl(const char *buf, size_t len, void **items, size_t *count,
                      char *err, size_t err_size);
int ct__api_parse_edis_form(const char *buf, size_t len, void **items,
                            size_t *count, char *err, size_t err_size);

#endif /* CT_API_INT_H */
