/*
 * api_fx.c: the fixture of api_fx.h (dhansim + runtime + one account with
 * every REST module actor + a driver actor for the test thread).
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_fx.h"
#include "copytrader/error.h"
#include "sim_client.h"

enum { MSG_JOB = CT_MSG_USER + 77 };

#define MAX_JOBS 256

typedef struct driver {
  ct_api_fx_t *fx;
  ct_api_job_t *jobs[MAX_JOBS];
} driver_t;

static int drv_init(ct_actor_t *self, void *arg) {
  ct_actor_set_state(self, arg);
  return 0;
}

static void drv_start(ct_actor_t *self, driver_t *d, ct_api_job_t *j) {
  ct_actor_t *to = d->fx->mods[ct_api_call_module(j->call)];
  int slot = 0;
  while (slot < MAX_JOBS && d->jobs[slot])
    slot++;
  j->send_rc = slot == MAX_JOBS ? CT_EFULL
               : j->start       ? j->start(self, to, j)
                                : ct_api_call(self, to, j->call, j->params,
                                              j->params_size, j->timeout_ms, &j->rid);
  if (j->send_rc != 0)
    atomic_store(&j->done, 1);
  else
    d->jobs[slot] = j;
}

static int drv_receive(ct_actor_t *self, const ct_envelope_t *env) {
  driver_t *d = ct_actor_state(self);
  if (env->type == MSG_JOB) {
    ct_reader_t rd;
    uint64_t ptr = 0;
    ct_reader_init(&rd, env);
    ct_read_u64(&rd, &ptr);
    ct_reader_close(&rd);
    drv_start(self, d, (ct_api_job_t *)(uintptr_t)ptr);
    return 0;
  }
  for (int i = 0; i < MAX_JOBS; i++) {
    ct_api_job_t *j = d->jobs[i];
    if (j && j->rid == env->request_id) {
      d->jobs[i] = NULL;
      if (ct_api_result_read(env, &j->res) != 0)
        j->res.err = CT_EPROTO;
      atomic_store(&j->done, 1);
      return 0;
    }
  }
  return 0;
}

static const ct_actor_def_t drv_def = { "driver", drv_init, drv_receive, NULL };
static driver_t drv;

const ct_breaker_config_t ct_api_fx_fast_breaker = {
  .window_ns = 10000000000ULL,
  .failure_threshold = 3,
  .cooldown_ns = 300000000ULL,
  .probes = 1,
  .successes_to_close = 1,
};

void ct_api_fx_sim_env(void) {
  setenv("LSAN_OPTIONS",
         "suppressions=" CT_SOURCE_DIR "/tests/support/lsan_dhansim.supp", 0);
}

void ct_api_fx_start(ct_api_fx_t *fx, const ct_api_fx_opts_t *o) {
  static const char *const def_args[] = { "--account",
                                          CT_FX_ACCOUNT ":" CT_FX_TOKEN
                                                        ":50000000",
                                          "--no-rate-limit",
                                          "--fill-delay-ms",
                                          "1",
                                          NULL };
  ct_api_fx_opts_t none = { 0 };
  ct_runtime_opts_t ro = { .workers = 2 };
  ct_spawn_opts_t so = { .name = "t", .worker = 1 };
  ct_secret_t tok = { 0 };
  ct_api_account_cfg_t cfg = { 0 };
  if (o == NULL)
    o = &none;
  memset(fx, 0, sizeof(*fx));
  ct_api_fx_sim_env();
  assert_int_equal(ct_sim_start(&fx->sim, o->sim_args ? o->sim_args : def_args),
                   0);
  snprintf(fx->base, sizeof(fx->base), "%s/v2", fx->sim.url);
  assert_int_equal(ct_runtime_new(&ro, &fx->rt), 0);
  assert_int_equal(ct_secret_set(&tok, o->token ? o->token : CT_FX_TOKEN), 0);
  cfg.client_id = CT_FX_ACCOUNT;
  cfg.token = &tok;
  cfg.base_url = fx->base;
  cfg.order_windows = o->order_windows;
  cfg.n_order_windows = o->n_order_windows;
  cfg.other_windows = o->other_windows;
  cfg.n_other_windows = o->n_other_windows;
  cfg.breaker = o->breaker;
  cfg.http_timeout_ms = o->http_timeout_ms;
  assert_int_equal(ct_api_account_new(fx->rt, &cfg, &fx->acct), 0);
  ct_secret_clear(&tok);
  assert_int_equal(ct_api_spawn_all(fx->rt, fx->acct, 0, fx->mods), 0);
  drv.fx = fx;
  memset(drv.jobs, 0, sizeof(drv.jobs));
  assert_int_equal(ct_spawn(fx->rt, &drv_def, &drv, &so, &fx->driver), 0);
  assert_int_equal(ct_runtime_start(fx->rt), 0);
}

void ct_api_fx_stop(ct_api_fx_t *fx) {
  ct_runtime_stop(fx->rt);
  assert_int_equal(ct_runtime_join(fx->rt), 0);
  ct_runtime_free(fx->rt);
  ct_api_account_free(fx->acct);
  assert_int_equal(ct_sim_stop(&fx->sim), 0);
}

void ct_api_fx_submit(ct_api_fx_t *fx, ct_api_job_t *j) {
  ct_msg_t *m = NULL;
  atomic_store(&j->done, 0);
  memset(&j->res, 0, sizeof(j->res));
  if (j->timeout_ms == 0)
    j->timeout_ms = 5000;
  assert_int_equal(ct_msg_new(MSG_JOB, &m), 0);
  assert_int_equal(ct_msg_put_u64(m, (uint64_t)(uintptr_t)j), 0);
  assert_int_equal(ct_send(fx->driver, m), 0);
}

void ct_api_fx_wait(ct_api_job_t *j) {
  assert_int_equal(ct_test_wait_ge(&j->done, 1, 20000), 1);
  assert_int_equal(j->send_rc, 0);
}

void ct_api_fx_run(ct_api_fx_t *fx, ct_api_job_t *j) {
  ct_api_fx_submit(fx, j);
  ct_api_fx_wait(j);
}

ct_api_result_t ct_api_fx_call(ct_api_fx_t *fx, ct_api_call_t call,
                               const void *params, size_t size) {
  ct_api_job_t j = { .call = call, .params = params, .params_size = size };
  ct_api_fx_run(fx, &j);
  return j.res;
}

cJSON *ct_api_fx_admin_get(ct_api_fx_t *fx, const char *path) {
  return ct_http_want(fx->sim.url, "GET", path, NULL, NULL, 200);
}

void ct_api_fx_admin_post(ct_api_fx_t *fx, const char *path, const char *body) {
  cJSON_Delete(ct_http_want(fx->sim.url, "POST", path, NULL, body, 200));
}

void ct_api_fx_fault(ct_api_fx_t *fx, const char *route, const char *kind) {
  char body[160];
  snprintf(body, sizeof(body),
           "{\"route\":\"%s\",\"errorRate\":1,\"errorKind\":\"%s\"}", route,
           kind);
  ct_api_fx_admin_post(fx, "/admin/faults", body);
}

void ct_api_fx_clear_faults(ct_api_fx_t *fx) {
  ct_api_fx_admin_post(fx, "/admin/faults", "{\"clear\":true}");
}

cJSON *ct_api_fx_stamps(ct_api_fx_t *fx) {
  return ct_api_fx_admin_get(fx, "/admin/stamps");
}

const cJSON *ct_api_fx_last_stamp(const cJSON *st, const char *prefix) {
  const cJSON *rq = cJSON_GetObjectItem(st, "requests"), *it, *last = NULL;
  cJSON_ArrayForEach(it, rq) {
    if (strncmp(ct_jstr(it, "path"), prefix, strlen(prefix)) == 0)
      last = it;
  }
  if (last == NULL)
    fail_msg("no request to %s reached dhansim", prefix);
  return last;
}

int ct_api_fx_count_stamps(ct_api_fx_t *fx, const char *prefix) {
  cJSON *st = ct_api_fx_stamps(fx);
  const cJSON *it;
  int n = 0;
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(st, "requests")) {
    if (strncmp(ct_jstr(it, "path"), prefix, strlen(prefix)) == 0)
      n++;
  }
  cJSON_Delete(st);
  return n;
}

void ct_api_fx_market_buy(ct_dhan_place_req_t *p, int64_t qty,
                          const char *corr) {
  memset(p, 0, sizeof(*p));
  snprintf(p->o.correlation_id, sizeof(p->o.correlation_id), "%s",
           corr ? corr : "");
  strcpy(p->o.security_id, "11536");
  p->o.txn = CT_DHAN_TXN_BUY;
  p->o.segment = CT_DHAN_SEG_NSE_EQ;
  p->o.product = CT_DHAN_PRODUCT_INTRADAY;
  p->o.order_type = CT_DHAN_OTYPE_MARKET;
  p->o.validity = CT_DHAN_VALIDITY_DAY;
  p->o.quantity = qty;
}
