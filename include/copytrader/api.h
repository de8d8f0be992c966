/*
 * The Dhan REST engine: one generic actor, instantiated per (account, API
 * module), that turns typed call messages into Dhan v2 requests and typed
 * results (the per-call helpers are in api_calls.h).
 *
 * Objects.
 * - An account (ct_api_account_t) holds what the module actors of one Dhan
 *   account share: the client id, the access token (a ct_secret_t), the
 *   base URL, the HTTP actor to use, the breaker parameters, the auth state,
 *   and the account's two rate limiters. Dhan counts its limits per account
 *   (dhan-v2-api.md §17): every order-mutating call of the orders, super
 *   and forever modules (place, modify, cancel) draws on ONE "order"
 *   limiter (10/s, 250/min, 1000/h, 7000/day by default) and every other
 *   call of every module on ONE "non-trading" limiter (20/s). The limiters
 *   therefore live in the account, guarded by a mutex held only for the
 *   admission check (microseconds), and each module actor asks them.
 * - A module actor (ct_api_spawn) has its own mailbox, its own FIFO queue
 *   of calls waiting for the limiter, its own timer and its own circuit
 *   breaker (one slow module does not stop another).
 *
 * A call's life in a module actor:
 *  1. fail fast (a reply at once, nothing sent) when the deadline has
 *     passed, the account is auth-failed (AUTH, CT_EAUTH), or the breaker is
 *     open (TRANSIENT, CT_EBREAKER, with the time left in `reason`);
 *  2. calls wait in FIFO order: a call that finds others queued goes behind
 *     them. The head asks the limiter; when admitted it is sent through the
 *     HTTP actor, otherwise a timer fires at the limiter's retry time. A
 *     call whose deadline comes before that time fails at once with
 *     RATE_LIMITED (CT_ERATELIMIT): it never goes out to earn a 429;
 *  3. the answer is classified by ct_dhan_classify() (dhan_error.h), the
 *     breaker records it, a 2xx body is parsed into typed records, and the
 *     caller gets one CT_MSG_API_RESULT reply.
 * DH-901 (or 401) marks the account auth-failed: every later call of every
 * module fails fast with AUTH until ct_api_account_set_token(). A 2xx
 * answer to RenewToken swaps the account's token to the new one.
 *
 * Threads: the account may be used from any thread; module actors run on
 * their loops. Lifetimes: the account must outlive its actors and the HTTP
 * actor it spawned, i.e. free it only after ct_runtime_join().
 */
#ifndef COPYTRADER_API_H
#define COPYTRADER_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/actor.h"
#include "copytrader/breaker.h"
#include "copytrader/dhan_error.h"
#include "copytrader/log.h"
#include "copytrader/token_bucket.h"

#define CT_API_DEFAULT_BASE_URL "https://api.dhan.co/v2"

enum { CT_MSG_API_CALL = 300, CT_MSG_API_RESULT = 301, CT_MSG_API_WAKE = 302 };

/* API modules: one actor kind each. */
typedef enum {
  CT_API_AUTH = 0,
  CT_API_ORDERS,
  CT_API_SUPER,
  CT_API_FOREVER,
  CT_API_PORTFOLIO,
  CT_API_EDIS,
  CT_API_CONTROL,
  CT_API_FUNDS,
  CT_API_STATEMENT,
  CT_API_MODULE_COUNT
} ct_api_module_t;

/* Every call. The request's params type and the result's record type are
 * listed in api_calls.h next to each helper. */
typedef enum {
  CT_API_PROFILE = 0,
  CT_API_RENEW_TOKEN,
  CT_API_ORDER_PLACE,
  CT_API_ORDER_PLACE_SLICED,
  CT_API_ORDER_MODIFY,
  CT_API_ORDER_CANCEL,
  CT_API_ORDER_LIST,
  CT_API_ORDER_GET,
  CT_API_ORDER_GET_BY_CORR,
  CT_API_TRADE_LIST,
  CT_API_TRADES_OF_ORDER,
  CT_API_SUPER_PLACE,
  CT_API_SUPER_MODIFY,
  CT_API_SUPER_CANCEL,
  CT_API_SUPER_LIST,
  CT_API_FOREVER_CREATE,
  CT_API_FOREVER_MODIFY,
  CT_API_FOREVER_DELETE,
  CT_API_FOREVER_LIST,
  CT_API_HOLDINGS,
  CT_API_POSITIONS,
  CT_API_CONVERT,
  CT_API_EXIT_ALL,
  CT_API_EDIS_TPIN,
  CT_API_EDIS_FORM,
  CT_API_EDIS_INQUIRE,
  CT_API_KILL_SET,
  CT_API_KILL_GET,
  CT_API_PNL_SET,
  CT_API_PNL_GET,
  CT_API_PNL_DELETE,
  CT_API_FUND_LIMIT,
  CT_API_MARGIN,
  CT_API_MARGIN_MULTI,
  CT_API_LEDGER,
  CT_API_TRADE_HISTORY,
  CT_API_CALL_COUNT
} ct_api_call_t;

/* Which account limiter a call draws on. */
typedef enum { CT_API_LIMIT_ORDER = 0, CT_API_LIMIT_OTHER = 1 } ct_api_limit_t;

typedef struct ct_api_account ct_api_account_t;

typedef struct ct_api_account_cfg {
  const char *client_id;    /* dhanClientId, required */
  const ct_secret_t *token; /* access token, required; copied */
  const char *base_url;     /* NULL: CT_API_DEFAULT_BASE_URL */
  const char *ca_file;      /* for the HTTP actor the account spawns */
  ct_actor_t *http;         /* NULL: the account spawns its own */
  const ct_rate_window_t *order_windows; /* NULL: ct_rate_dhan_orders() */
  size_t n_order_windows;
  const ct_rate_window_t *other_windows; /* NULL: non-trading, 20/s */
  size_t n_other_windows;
  uint64_t rate_margin_ns;            /* defaults only; 0: 50 ms */
  const ct_breaker_config_t *breaker; /* NULL: ct_breaker_config_default */
  uint64_t http_timeout_ms;           /* per request; 0: 10000 */
  unsigned max_pages;                 /* trade history guard; 0: 1000 */
} ct_api_account_cfg_t;

/* Create an account; everything in `cfg` is copied. When cfg->http is
 * NULL an HTTP actor is spawned on `rt` (worker -1) with cfg->ca_file.
 * Returns 0, CT_EINVAL (missing client id or token, bad windows or breaker
 * config), CT_ENOMEM, or what ct_http_spawn() returns. */
int ct_api_account_new(ct_runtime_t *rt, const ct_api_account_cfg_t *cfg,
                       ct_api_account_t **out);
/* Free it: only after the runtime was joined. NULL is fine. */
void ct_api_account_free(ct_api_account_t *acct);

/* Token hot swap, from any thread: every request built after the call uses
 * the new token (requests already handed to the HTTP actor keep the old
 * one) and the auth-failed state is cleared. 0, CT_EINVAL or CT_ENOMEM. */
int ct_api_account_set_token(ct_api_account_t *acct, const ct_secret_t *token);
/* True after a DH-901 until the next token swap. */
bool ct_api_account_auth_failed(const ct_api_account_t *acct);
/* Replace one limiter's windows (ct_token_bucket_reconfigure). */
int ct_api_account_set_limits(ct_api_account_t *acct, ct_api_limit_t which,
                              const ct_rate_window_t *windows, size_t n);
const char *ct_api_account_client_id(const ct_api_account_t *acct);

/* One window of an account limiter, as seen at some instant. */
typedef struct ct_api_limit_room {
  ct_rate_window_t window; /* limit and period (margin included) */
  uint32_t headroom;       /* calls that could be admitted now */
} ct_api_limit_room_t;

/* For status displays, from any thread: the headroom of every window of
 * the account's limiter `which` at `now_ns` (uv_hrtime()'s clock, the one
 * the module actors admit with). The windows are read together under the
 * account's mutex, which is held for the count only (at most
 * CT_RATE_EXACT_MAX slots per window, the same work as one admission), so
 * a module actor asking its limiter meanwhile waits microseconds, never
 * for I/O. Fills out[0 .. min(*n, cap) - 1]; *n gets the number of
 * windows. Returns 0 or CT_EINVAL (NULL, unknown limiter). */
int ct_api_account_headroom(ct_api_account_t *acct, ct_api_limit_t which,
                            uint64_t now_ns, ct_api_limit_room_t *out,
                            size_t cap, size_t *n);

/* For status displays, from any thread, lock-free: the circuit breaker
 * state of the module actor `module` of `acct` (the one spawned last for
 * that module), as the actor published it after its last transition
 * (CT_BREAKER_CLOSED before it ever ran; again after a restart). OPEN
 * turns HALF_OPEN only when a call asks after the cool-down (breaker.h),
 * so an idle module stays OPEN here. CT_BREAKER_CLOSED for a NULL account
 * or a module out of range. */
ct_breaker_state_t ct_api_breaker_state(const ct_api_account_t *acct,
                                        ct_api_module_t module);
ct_actor_t *ct_api_account_http(const ct_api_account_t *acct);
/* An HTTP actor on `worker` (0 <= worker < ct_runtime_workers(rt)) with
 * the options of `acct`'s own one, for other accounts whose actors run on
 * that worker (their cfg->http): a request then never crosses threads.
 * Spawned on the first call for a worker, kept (and borrowed) by `acct`,
 * so `acct` must outlive the runtime. The actors of all workers share the
 * connection limit (CT_HTTP_DEFAULT_CONNECTIONS in all, split evenly);
 * `acct`'s own HTTP actor is not one of them. Call from one thread at a
 * time. 0, CT_EINVAL, or what ct_http_spawn() returns. */
int ct_api_account_http_on(ct_api_account_t *acct, ct_runtime_t *rt, int worker,
                           ct_actor_t **out);

/* Spawn the module actor `module` of `acct` on `worker` (-1: any). Its
 * name is "<module>/<client id>". Returns what ct_spawn() returns. */
int ct_api_spawn(ct_runtime_t *rt, ct_api_account_t *acct,
                 ct_api_module_t module, int worker, ct_actor_t **out);
/* All modules at once; out[m] is the actor of module m. */
int ct_api_spawn_all(ct_runtime_t *rt, ct_api_account_t *acct, int worker,
                     ct_actor_t *out[CT_API_MODULE_COUNT]);

/* Static names: "orders", "funds", ...; "place", "list", ... */
const char *ct_api_module_name(ct_api_module_t m);
ct_api_module_t ct_api_call_module(ct_api_call_t c);
const char *ct_api_call_name(ct_api_call_t c);
/* sizeof the call's params struct (0: none, or out of range). */
size_t ct_api_call_params_size(ct_api_call_t c);

/* Send one call from `self` (on its thread) to the module actor `to`.
 * `params` (the call's params struct, see api_calls.h; NULL when it takes
 * none) is copied. The actor must answer within timeout_ms (the call's
 * deadline); `self` then gets exactly one envelope with *request_id:
 * CT_MSG_API_RESULT, or the runtime's CT_MSG_TIMEOUT if even that failed
 * (ct_api_result_read() decodes both). Returns 0, CT_EINVAL (wrong params
 * size, call out of range, timeout 0) or what ct_request() returns. */
int ct_api_call(ct_actor_t *self, ct_actor_t *to, ct_api_call_t call,
                const void *params, size_t params_size, uint64_t timeout_ms,
                uint64_t *request_id);

/* A typed result. */
typedef struct ct_api_result {
  ct_api_call_t call;
  /* 0 or a CT_E* code: ct_dhan_class_errno(cls) for answered calls;
   * CT_EBREAKER (breaker open), CT_ERATELIMIT (deadline before the limiter
   * admits), CT_EAUTH (account auth-failed), CT_EINVAL (bad params: the
   * builder's reason), CT_ETIMEDOUT (deadline passed), CT_EPROTO (a 2xx
   * body that does not parse) when failed locally. */
  int err;
  ct_dhan_class_t cls;
  ct_dhan_error_t dhan; /* code, type, message, http status, raw body */
  bool sent;            /* some request of this call went on the wire */
  char reason[CT_DHAN_RAW_SIZE]; /* local failure text; "" otherwise */
  uint64_t elapsed_ns;           /* from arrival to reply */
  unsigned pages;                /* trade history: pages fetched */
  size_t count;                  /* records in items */
  size_t item_size;              /* sizeof the record type */
  void *items;                   /* malloc'd; ct_api_result_free() */
} ct_api_result_t;

/* Decode a CT_MSG_API_RESULT (or the runtime's CT_MSG_TIMEOUT: err
 * CT_ETIMEDOUT, cls OUTCOME_UNKNOWN, since nothing is known) into *out,
 * which then owns a copy of the records. 0, CT_EINVAL (another type),
 * CT_EPROTO or CT_ENOMEM. */
int ct_api_result_read(const ct_envelope_t *env, ct_api_result_t *out);
void ct_api_result_free(ct_api_result_t *r);

#endif /* COPYTRADER_API_H */
