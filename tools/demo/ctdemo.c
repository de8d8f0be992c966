/*
 * ctdemo: the runtime's self-demonstration, run by `make demo`.
 *
 * One trader actor per account places a burst of orders on dhansim through
 * the shared HTTP transport actor. Each trader owns Dhan's order rate
 * windows (10/s, 250/min, 1000/h, 7000/day) and a circuit breaker, so the
 * burst is paced by the limiter, never by 429s from the server. A "flaky"
 * actor fails on purpose and is restarted by its supervisor. When every
 * trader is done, a reporter actor prints one table row per account and
 * stops the runtime. This was `make demo` before the replication engine;
 * `make demo` now runs tools/demo.sh (the engine on dhansim), and this
 * self-demonstration of the runtime stays available by hand:
 *   ctdemo --base-url http://127.0.0.1:PORT/v2 --account ID:TOKEN ...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "copytrader/actor.h"
#include "copytrader/breaker.h"
#include "copytrader/dhan_build.h"
#include "copytrader/dhan_json.h"
#include "copytrader/error.h"
#include "copytrader/http.h"
#include "copytrader/log.h"
#include "copytrader/token_bucket.h"

#define MAX_ACCOUNTS 16
#define MAX_ORDERS   1000

enum { MSG_PACE = CT_MSG_USER, MSG_DONE, MSG_POISON, MSG_PING };

struct demo;

typedef struct account {
  char client_id[CT_DHAN_CLIENT_SIZE];
  ct_secret_t token;
  struct demo *demo;
} account_t;

typedef struct demo {
  const char *base_url;
  const char *security_id;
  int orders;
  int naccounts;
  account_t accounts[MAX_ACCOUNTS];
  ct_actor_t *http;
  ct_actor_t *reporter;
  int restarts; /* flaky actor inits after the first */
} demo_t;

typedef struct trader {
  demo_t *demo;
  account_t *acct;
  ct_token_bucket_t limiter;
  ct_breaker_t breaker;
  int sent, accepted, rejected, failed, paced;
  uint64_t start_ns, last_ns;
  uint64_t lat_ns[MAX_ORDERS];
  int nlat;
  bool timer_armed;
} trader_t;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int send_done(ct_actor_t *self, trader_t *t) {
  ct_msg_t *m = NULL;
  uint64_t p50 = 0, p99 = 0;
  int rc;
  if (t->nlat > 0) {
    qsort(t->lat_ns, (size_t)t->nlat, sizeof(uint64_t), cmp_u64);
    p50 = t->lat_ns[t->nlat / 2];
    p99 = t->lat_ns[(t->nlat * 99) / 100];
  }
  if ((rc = ct_msg_new(MSG_DONE, &m)) < 0)
    return rc;
  ct_msg_put_cstr(m, t->acct->client_id);
  ct_msg_put_i64(m, t->sent);
  ct_msg_put_i64(m, t->accepted);
  ct_msg_put_i64(m, t->rejected + t->failed);
  ct_msg_put_i64(m, t->paced);
  ct_msg_put_u64(m, (t->last_ns - t->start_ns) / 1000000);
  ct_msg_put_u64(m, p50 / 1000);
  ct_msg_put_u64(m, p99 / 1000);
  if ((rc = ct_send(t->demo->reporter, m)) < 0)
    ct_msg_free(m);
  (void)self;
  return rc;
}

static int place_one(ct_actor_t *self, trader_t *t) {
  ct_dhan_place_req_t req;
  char body[CT_DHAN_BODY_SIZE], url[512], err[CT_DHAN_ERR_SIZE];
  ct_http_header_t hdr[3];
  ct_http_req_t hreq;
  uint64_t id;
  int rc;

  memset(&req, 0, sizeof(req));
  snprintf(req.o.client_id, sizeof(req.o.client_id), "%s", t->acct->client_id);
  snprintf(req.o.correlation_id, sizeof(req.o.correlation_id), "demo-%d",
           t->sent);
  snprintf(req.o.security_id, sizeof(req.o.security_id), "%s",
           t->demo->security_id);
  req.o.txn = CT_DHAN_TXN_BUY;
  req.o.segment = CT_DHAN_SEG_NSE_EQ;
  req.o.product = CT_DHAN_PRODUCT_INTRADAY;
  req.o.order_type = CT_DHAN_OTYPE_MARKET;
  req.o.validity = CT_DHAN_VALIDITY_DAY;
  req.o.quantity = 1;
  if ((rc = ct_dhan_build_place(&req, body, sizeof(body), NULL, err,
                                sizeof(err))) < 0) {
    ct_log_error("demo", "msg=\"cannot build order\" why=\"%s\"", err);
    return rc;
  }
  snprintf(url, sizeof(url), "%s/orders", t->demo->base_url);
  hdr[0] =
      (ct_http_header_t){ "access-token", ct_secret_reveal(&t->acct->token) };
  hdr[1] = (ct_http_header_t){ "client-id", t->acct->client_id };
  hdr[2] = (ct_http_header_t){ "Content-Type", "application/json" };
  hreq = (ct_http_req_t){ .method = "POST",
                          .url = url,
                          .headers = hdr,
                          .nheaders = 3,
                          .body = body,
                          .body_len = strlen(body),
                          .timeout_ms = 5000 };
  if ((rc = ct_http_request(self, t->demo->http, &hreq, &id)) < 0)
    return rc;
  t->sent++;
  return 0;
}

/* Send as many orders as the limiter and breaker admit now; arm a timer for
 * the earliest moment the next one may go. */
static int pace(ct_actor_t *self, trader_t *t) {
  while (t->sent < t->demo->orders) {
    uint64_t now = uv_hrtime(), retry_at = 0, tid;
    int rc = ct_breaker_allow(&t->breaker, now, &retry_at);
    if (rc == 0)
      rc = ct_token_bucket_try(&t->limiter, now, 1, &retry_at);
    if (rc == 0) {
      if ((rc = place_one(self, t)) < 0)
        return rc;
      continue;
    }
    if (t->timer_armed)
      return 0;
    t->paced++;
    t->timer_armed = true;
    return ct_timer_start(self, (retry_at - now) / 1000000 + 1, 0, MSG_PACE,
                          &tid);
  }
  return 0;
}

static int on_response(ct_actor_t *self, trader_t *t,
                       const ct_envelope_t *env) {
  ct_http_response_t res;
  ct_dhan_order_ack_t *acks = NULL;
  size_t nacks = 0;
  int rc = ct_http_response_read(env, &res);
  uint64_t now = uv_hrtime();

  if (rc == 0 && res.error == 0 && res.status / 100 == 2 &&
      ct_dhan_parse_order_acks(res.body, res.body_len, &acks, &nacks, NULL,
                               0) == 0 &&
      nacks == 1) {
    t->accepted++;
    ct_breaker_record(&t->breaker, now, CT_OUTCOME_SUCCESS);
  } else if (rc == 0 && res.error == 0 && res.status / 100 == 4) {
    t->rejected++; /* a business answer: not a failure of the service */
    ct_breaker_record(&t->breaker, now, CT_OUTCOME_IGNORED);
    ct_log_warn("demo", "account=%s msg=\"rejected\" status=%ld body=\"%.*s\"",
                t->acct->client_id, res.status, (int)res.body_len, res.body);
  } else {
    t->failed++;
    ct_breaker_record(&t->breaker, now, CT_OUTCOME_FAILURE);
    ct_log_warn("demo", "account=%s msg=\"failed\" err=%s status=%ld",
                t->acct->client_id, ct_err_name(rc < 0 ? rc : res.error),
                res.status);
  }
  free(acks);
  if (t->nlat < MAX_ORDERS)
    t->lat_ns[t->nlat++] = res.elapsed_ns;
  t->last_ns = now;
  if (t->accepted + t->rejected + t->failed == t->demo->orders)
    return send_done(self, t);
  return pace(self, t);
}

static int trader_init(ct_actor_t *self, void *arg) {
  account_t *acct = arg;
  ct_rate_window_t win[CT_RATE_MAX_WINDOWS];
  ct_breaker_config_t bcfg;
  trader_t *t = calloc(1, sizeof(*t));
  uint64_t tid;
  size_t n;
  int rc;

  if (t == NULL)
    return CT_ENOMEM;
  t->acct = acct;
  t->demo = acct->demo;
  /* Requests reach the server with some jitter; without a margin the 11th
   * request can land inside the server's one-second window. */
  n = ct_rate_dhan_orders(win, 50 * 1000000ULL);
  ct_breaker_config_default(&bcfg);
  if ((rc = ct_token_bucket_init(&t->limiter, win, n)) < 0)
    goto fail;
  if ((rc = ct_breaker_init(&t->breaker, &bcfg, NULL, NULL)) < 0)
    goto fail_limiter;
  ct_actor_set_state(self, t);
  t->start_ns = uv_hrtime();
  return ct_timer_start(self, 1, 0, MSG_PACE, &tid);

fail_limiter:
  ct_token_bucket_close(&t->limiter);
fail:
  free(t);
  return rc;
}

static int trader_receive(ct_actor_t *self, const ct_envelope_t *env) {
  trader_t *t = ct_actor_state(self);
  if (env->type == MSG_PACE) {
    t->timer_armed = false;
    return pace(self, t);
  }
  if (env->type == CT_MSG_HTTP_RESPONSE || env->type == CT_MSG_TIMEOUT)
    return on_response(self, t, env);
  return 0;
}

static void trader_stop(ct_actor_t *self) {
  trader_t *t = ct_actor_state(self);
  if (t == NULL)
    return;
  ct_token_bucket_close(&t->limiter);
  free(t);
  ct_actor_set_state(self, NULL);
}

static const ct_actor_def_t trader_def = { "trader", trader_init,
                                           trader_receive, trader_stop };

/* The reporter prints one row per finished trader and stops the runtime
 * when the last one has reported. */
static int reporter_receive(ct_actor_t *self, const ct_envelope_t *env) {
  demo_t *demo = ct_actor_state(self);
  static int done;
  ct_reader_t r;
  const char *id;
  size_t idlen;
  int64_t sent, ok, bad, paced;
  uint64_t ms, p50, p99;

  if (env->type != MSG_DONE)
    return 0;
  ct_reader_init(&r, env);
  if (ct_read_str(&r, &id, &idlen) < 0 || ct_read_i64(&r, &sent) < 0 ||
      ct_read_i64(&r, &ok) < 0 || ct_read_i64(&r, &bad) < 0 ||
      ct_read_i64(&r, &paced) < 0 || ct_read_u64(&r, &ms) < 0 ||
      ct_read_u64(&r, &p50) < 0 || ct_read_u64(&r, &p99) < 0) {
    ct_reader_close(&r);
    return CT_EPROTO;
  }
  ct_reader_close(&r);
  printf("| %.*s | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64
         " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " |\n",
         (int)idlen, id, sent, ok, bad, paced, ms, p50, p99);
  fflush(stdout);
  if (++done == demo->naccounts)
    ct_runtime_stop(ct_actor_runtime(self));
  return 0;
}

static int reporter_init(ct_actor_t *self, void *arg) {
  ct_actor_set_state(self, arg);
  return 0;
}

static const ct_actor_def_t reporter_def = { "reporter", reporter_init,
                                             reporter_receive, NULL };

/* The flaky actor fails on every MSG_POISON: its supervisor policy restarts
 * it, and the restart count shows in the summary. */
static int flaky_init(ct_actor_t *self, void *arg) {
  demo_t *demo = arg;
  demo->restarts++; /* starts at -1: the first init is no restart */
  ct_actor_set_state(self, arg);
  return 0;
}

static int flaky_receive(ct_actor_t *self, const ct_envelope_t *env) {
  (void)self;
  return env->type == MSG_POISON ? CT_EIO : 0;
}

static const ct_actor_def_t flaky_def = { "flaky", flaky_init, flaky_receive,
                                          NULL };

static int parse_account(const char *arg, account_t *a) {
  const char *colon = strchr(arg, ':');
  if (colon == NULL || colon == arg ||
      (size_t)(colon - arg) >= CT_DHAN_CLIENT_SIZE || colon[1] == '\0')
    return CT_EINVAL;
  snprintf(a->client_id, sizeof(a->client_id), "%.*s", (int)(colon - arg), arg);
  return ct_secret_set(&a->token, colon + 1);
}

static int usage_error(const char *flag, const char *why) {
  fprintf(stderr,
          "ctdemo: %s: %s\n"
          "usage: ctdemo --base-url URL --account ID:TOKEN [--account ...]"
          " [--orders N] [--security-id ID] [--workers N]\n",
          flag, why);
  return 2;
}

static int parse_args(int argc, char **argv, demo_t *d, unsigned *workers) {
  for (int i = 1; i < argc; i++) {
    const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (v == NULL)
      return usage_error(f, "missing value");
    i++;
    if (strcmp(f, "--base-url") == 0)
      d->base_url = v;
    else if (strcmp(f, "--security-id") == 0)
      d->security_id = v;
    else if (strcmp(f, "--orders") == 0) {
      d->orders = atoi(v);
      if (d->orders < 1 || d->orders > MAX_ORDERS)
        return usage_error(f, "must be 1..1000");
    } else if (strcmp(f, "--workers") == 0)
      *workers = (unsigned)atoi(v);
    else if (strcmp(f, "--account") == 0) {
      if (d->naccounts == MAX_ACCOUNTS)
        return usage_error(f, "too many accounts (max 16)");
      if (parse_account(v, &d->accounts[d->naccounts]) < 0)
        return usage_error(f, "expected CLIENT_ID:ACCESS_TOKEN");
      d->accounts[d->naccounts++].demo = d;
    } else
      return usage_error(f, "unknown flag");
  }
  if (d->base_url == NULL)
    return usage_error("--base-url", "required");
  if (d->naccounts == 0)
    return usage_error("--account", "at least one is required");
  return 0;
}

static int run(demo_t *d, unsigned workers) {
  ct_runtime_opts_t ropts = { .workers = workers };
  ct_spawn_opts_t sopts = { .worker = -1 };
  ct_runtime_t *rt = NULL;
  ct_actor_t *flaky, *a;
  uint64_t t0;
  int rc;

  if ((rc = ct_runtime_new(&ropts, &rt)) < 0)
    return rc;
  if ((rc = ct_http_spawn(rt, NULL, 0, &d->http)) < 0 ||
      (rc = ct_spawn(rt, &reporter_def, d, &sopts, &d->reporter)) < 0)
    goto out;
  sopts.name = "demo";
  d->restarts = -1;
  sopts.restart =
      (ct_restart_policy_t){ .max_restarts = 5, .window_ms = 10000 };
  if ((rc = ct_spawn(rt, &flaky_def, d, &sopts, &flaky)) < 0)
    goto out;
  for (int i = 0; i < d->naccounts; i++) {
    sopts.name = d->accounts[i].client_id;
    if ((rc = ct_spawn(rt, &trader_def, &d->accounts[i], &sopts, &a)) < 0)
      goto out;
  }
  printf("ctdemo: %u workers, %d accounts x %d orders against %s\n\n",
         ct_runtime_workers(rt), d->naccounts, d->orders, d->base_url);
  printf(
      "| account | sent | accepted | rejected+failed | limiter waits | "
      "burst ms | p50 us | p99 us |\n|---|---|---|---|---|---|---|---|\n");
  t0 = uv_hrtime();
  if ((rc = ct_runtime_start(rt)) < 0)
    goto out;
  for (int i = 0; i < 3; i++) {
    ct_msg_t *m = NULL;
    if (ct_msg_new(MSG_POISON, &m) == 0 && ct_send(flaky, m) < 0)
      ct_msg_free(m);
  }
  rc = ct_runtime_join(rt);
  printf(
      "\nsupervision: actor flaky/demo failed 3 times and was restarted"
      " %d times\nruntime: joined in %.1f ms, loops closed %s\n",
      d->restarts, (double)(uv_hrtime() - t0) / 1e6,
      rc == 0 ? "cleanly" : "with errors");
out:
  ct_runtime_free(rt);
  return rc;
}

int main(int argc, char **argv) {
  demo_t d = { .orders = 25, .security_id = "1333" };
  unsigned workers = 0;
  int rc;

  ct_log_init_from_env();
  if ((rc = parse_args(argc, argv, &d, &workers)) != 0)
    return rc;
  rc = run(&d, workers);
  for (int i = 0; i < d.naccounts; i++)
    ct_secret_clear(&d.accounts[i].token);
  if (rc < 0)
    fprintf(stderr, "ctdemo: %s\n", ct_strerror(rc));
  return rc < 0 ? 1 : 0;
}
