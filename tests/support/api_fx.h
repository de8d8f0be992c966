/*
 * Test fixture for the REST module actors: a real dhansim process, a
 * runtime with two workers, one account with every module actor, and a
 * driver actor through which the test thread issues calls and waits for
 * their typed results. Also blocking helpers for dhansim's admin plane.
 */
#ifndef CT_TEST_API_FX_H
#define CT_TEST_API_FX_H

#include <cjson/cJSON.h>
#include <stdatomic.h>

#include "copytrader/api_calls.h"
#include "sim.h"
#include "sim_client.h" /* ct_jstr, ct_jnum */

#define CT_FX_ACCOUNT "1000000001"
#define CT_FX_TOKEN   "tok-A"

typedef struct ct_api_job {
  ct_api_call_t call;
  const void *params;
  size_t params_size;
  uint64_t timeout_ms;
  /* Optional: issue the call yourself (typed helpers); default generic. */
  int (*start)(ct_actor_t *self, ct_actor_t *to, struct ct_api_job *j);
  uint64_t rid;
  int send_rc;
  ct_api_result_t res;
  _Atomic int done;
} ct_api_job_t;

typedef struct ct_api_fx {
  ct_sim_t sim;
  ct_runtime_t *rt;
  ct_api_account_t *acct;
  ct_actor_t *mods[CT_API_MODULE_COUNT];
  ct_actor_t *driver;
  char base[96];
} ct_api_fx_t;

/* Options for the account; NULL fields take the defaults. */
typedef struct ct_api_fx_opts {
  const char *const *sim_args; /* NULL-terminated; NULL: one account,
                                  rate limits off */
  const char *token;           /* NULL: CT_FX_TOKEN */
  const ct_rate_window_t *order_windows;
  size_t n_order_windows;
  const ct_rate_window_t *other_windows;
  size_t n_other_windows;
  const ct_breaker_config_t *breaker;
  uint64_t http_timeout_ms;
} ct_api_fx_opts_t;

/* Set LSAN_OPTIONS for dhansim children (see lsan_dhansim.supp). */
void ct_api_fx_sim_env(void);
void ct_api_fx_start(ct_api_fx_t *fx, const ct_api_fx_opts_t *o);
/* Stops everything; asserts a clean join (every loop closed). */
void ct_api_fx_stop(ct_api_fx_t *fx);

/* A breaker that opens after 3 failures in 10 s, stays open 300 ms,
 * then closes after one good probe: fast enough for a test to drive. */
extern const ct_breaker_config_t ct_api_fx_fast_breaker;

/* Defines fx_setup() (the default account), fx_setup_breaker() (the fast
 * breaker, 1500 ms HTTP timeout: short enough for timeout faults, long
 * enough that a loaded sanitizer run does not time out a normal answer) and
 * fx_teardown(), cmocka fixtures for a test file's static `fx`. */
#define CT_API_FX_FIXTURE(fx)                                                  \
  static inline int fx_setup(void **state) {                                   \
    (void)state;                                                               \
    ct_api_fx_start(&(fx), NULL);                                              \
    return 0;                                                                  \
  }                                                                            \
  static inline int fx_setup_breaker(void **state) {                           \
    ct_api_fx_opts_t o = { .breaker = &ct_api_fx_fast_breaker,                 \
                           .http_timeout_ms = 1500 };                          \
    (void)state;                                                               \
    ct_api_fx_start(&(fx), &o);                                                \
    return 0;                                                                  \
  }                                                                            \
  static inline int fx_teardown(void **state) {                                \
    (void)state;                                                               \
    ct_api_fx_stop(&(fx));                                                     \
    return 0;                                                                  \
  }

/* Hand a job to the driver (it must stay valid until done). */
void ct_api_fx_submit(ct_api_fx_t *fx, ct_api_job_t *j);
/* Wait (up to 20 s) for a submitted job; fails the test otherwise. */
void ct_api_fx_wait(ct_api_job_t *j);
/* Submit and wait; the result is in j->res (free with
 * ct_api_result_free). */
void ct_api_fx_run(ct_api_fx_t *fx, ct_api_job_t *j);
/* Shorthand: call with params and the default 5 s deadline. */
ct_api_result_t ct_api_fx_call(ct_api_fx_t *fx, ct_api_call_t call,
                               const void *params, size_t size);

/* dhansim admin, blocking. Returned JSON is the caller's (cJSON_Delete). */
cJSON *ct_api_fx_admin_get(ct_api_fx_t *fx, const char *path);
void ct_api_fx_admin_post(ct_api_fx_t *fx, const char *path, const char *body);
/* Make every request under `route` fail with dhansim errorKind `kind`
 * (POST /admin/faults, errorRate 1); ct_api_fx_clear_faults() undoes it. */
void ct_api_fx_fault(ct_api_fx_t *fx, const char *route, const char *kind);
void ct_api_fx_clear_faults(ct_api_fx_t *fx);
/* The requests dhansim received (stamps), all accounts. */
cJSON *ct_api_fx_stamps(ct_api_fx_t *fx);
/* The last stamp whose path starts with `prefix` (borrowed from `st`). */
const cJSON *ct_api_fx_last_stamp(const cJSON *st, const char *prefix);
int ct_api_fx_count_stamps(ct_api_fx_t *fx, const char *prefix);

/* A valid MARKET/INTRADAY BUY of `qty` of security 11536 on NSE_EQ. */
void ct_api_fx_market_buy(ct_dhan_place_req_t *p, int64_t qty,
                          const char *corr);

#endif /* CT_TEST_API_FX_H */
