/*
 * replicator.c: the replication engine's life cycle (engine.h). Builds the
 * runtime, one API account per Dhan account (all sharing one HTTP actor),
 * the leader's orders and funds API actors, each follower's orders and
 * funds API actors, the leader actor, one follower actor per follower, the
 * order-update feed and (when configured) the postback receiver, both
 * delivering to the leader actor. A background thread syncs the store and
 * writes the metrics buffer, and (replicator_status.c) applies the stored
 * pause flags and writes the status snapshot. Hot-swaps tokens on SIGHUP; stops
 * and frees everything in order (runtime first, then accounts, feeds and
 * store).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_int.h"

#define MOD "engine"

double ct__eng_leader_capital(const ct_engine_t *e) {
  uint64_t bits = atomic_load(&e->leader_capital_bits);
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

void ct__eng_set_leader_capital(ct_engine_t *e, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  atomic_store(&((ct_engine_t *)e)->leader_capital_bits, bits);
}

#define RATE_MARGIN_NS (50ULL * 1000000ULL) /* as ct_rate_dhan_orders() */

/* The configured per-account limits (config.h rate_limits) as windows,
 * each period lengthened by a margin against network jitter. */
static void rate_windows(const ct_config_rate_limits_t *rl,
                         ct_rate_window_t ow[4], ct_rate_window_t *nw) {
  const int64_t lim[4] = { rl->orders_per_second, rl->orders_per_minute,
                           rl->orders_per_hour, rl->orders_per_day };
  const uint64_t per[4] = { CT_NS_PER_SEC, CT_NS_PER_MIN, CT_NS_PER_HOUR,
                            CT_NS_PER_DAY };
  for (int i = 0; i < 4; i++)
    ow[i] = (ct_rate_window_t){ (uint32_t)lim[i], per[i] + RATE_MARGIN_NS };
  *nw = (ct_rate_window_t){ (uint32_t)rl->non_trading_per_second,
                            CT_NS_PER_SEC + RATE_MARGIN_NS };
}

/* A follower's account (`worker`: where its actors run) uses the HTTP
 * actor of its own worker; the leader's account spawns its own. */
static int make_account(ct_engine_t *e, const ct_config_t *cfg,
                        const char *client_id, const ct_secret_t *token,
                        int worker, ct_api_account_t **out) {
  ct_api_account_cfg_t ac = { 0 };
  ct_rate_window_t ow[4], nw;
  int rc;
  rate_windows(&cfg->rate_limits, ow, &nw);
  ac.order_windows = ow;
  ac.n_order_windows = 4;
  ac.other_windows = &nw;
  ac.n_other_windows = 1;
  ac.client_id = client_id;
  ac.token = token;
  ac.base_url = cfg->rest_base_url;
  ac.ca_file = cfg->ca_file;
  if (e->leader_acct != NULL &&
      (rc = ct_api_account_http_on(e->leader_acct, e->rt, worker, &ac.http)))
    return rc;
  return ct_api_account_new(e->rt, &ac, out);
}

/* Placement: the leader's HTTP actor (the runtime's first spawn), the
 * order feed and the leader live on worker 0; follower i, with its API
 * actors and the HTTP actor of its worker, on worker i % workers. With one
 * follower the whole path from the socket frame to the follower's request
 * then stays on one loop (no thread wake-ups, and one loop pass:
 * runtime.c); with many, the followers' decisions and commits run on every
 * worker in parallel. The leader's background reads (its order book, funds
 * and super-order book, whose answers are parsed by their API actors) and
 * the legs actor (replicator_legs.c) live on the last worker, so a large
 * book parse does not hold worker 0 while a frame waits. */
static int bg_worker(const ct_engine_t *e) {
  return (int)ct_runtime_workers(e->rt) - 1;
}

static int worker_of(const ct_engine_t *e, size_t i) {
  return (int)(i % ct_runtime_workers(e->rt));
}

static int spawn_follower(ct_engine_t *e, const ct_config_t *cfg, size_t i) {
  const ct_config_follower_t *cf = &cfg->followers[i];
  ct__fslot_t *s = &e->f[i];
  int w = worker_of(e, i);
  ct_spawn_opts_t so = { .name = cf->name, .worker = w };
  int rc;
  snprintf(s->name, sizeof(s->name), "%s", cf->name);
  snprintf(s->client_id, sizeof(s->client_id), "%s", cf->client_id);
  s->rules = cf->rules;
  s->copy_modifications = cf->copy_modifications;
  s->copy_cancellations = cf->copy_cancellations;
  s->copy_super_orders = cf->copy_super_orders;
  s->copy_forever_orders = cf->copy_forever_orders;
  atomic_init(&s->paused, false);
  s->eng = e;
  rc = make_account(e, cfg, cf->client_id, &cf->token.value, w, &s->acct);
  if (rc == 0)
    rc = ct_api_spawn(e->rt, s->acct, CT_API_ORDERS, w, &s->orders);
  if (rc == 0)
    rc = ct_api_spawn(e->rt, s->acct, CT_API_FUNDS, w, &s->funds);
  if (rc == 0)
    rc = ct_api_spawn(e->rt, s->acct, CT_API_PORTFOLIO, w, &s->portfolio);
  if (rc == 0 && s->copy_super_orders)
    rc = ct_api_spawn(e->rt, s->acct, CT_API_SUPER, w, &s->super);
  if (rc == 0 && s->copy_forever_orders)
    rc = ct_api_spawn(e->rt, s->acct, CT_API_FOREVER, w, &s->forever);
  if (rc == 0)
    rc = ct_spawn(e->rt, &ct__follower_def, s, &so, &s->actor);
  return rc;
}

static int spawn_feeds(ct_engine_t *e, const ct_config_t *cfg) {
  ct_order_feed_opts_t fo = { 0 };
  int rc;
  fo.url = cfg->order_update_url;
  fo.client_id = cfg->leader.client_id;
  fo.token = &cfg->leader.token.value;
  fo.ca_file = cfg->ca_file;
  fo.subscriber = e->leader;
  fo.ping_ms = e->opts.feed_ping_ms;
  fo.stale_ms = e->opts.feed_ping_ms * 4;
  if ((rc = ct_order_feed_spawn(e->rt, &fo, 0, &e->feed)) != 0)
    return rc;
  if (cfg->has_postback) {
    ct_postback_opts_t po = { 0 };
    char host[64] = "127.0.0.1";
    const char *colon = strrchr(cfg->postback_listen, ':');
    if (colon != NULL && (size_t)(colon - cfg->postback_listen) < sizeof host)
      snprintf(host, sizeof host, "%.*s", (int)(colon - cfg->postback_listen),
               cfg->postback_listen);
    po.host = host;
    po.port = colon ? atoi(colon + 1) : 0;
    po.secret = &cfg->postback_secret.value;
    po.subscriber = e->leader;
    rc = ct_postback_spawn(e->rt, &po, -1, &e->pb);
  }
  return rc;
}

static int open_store(ct_engine_t *e, const ct_config_t *cfg) {
  ct_store_config_t sc = { .path = cfg->state_dir };
  ct_store_open_info_t info;
  int rc;
  sc.durability = e->opts.sync_commits ? CT_STORE_SYNC : CT_STORE_NOSYNC;
  if ((rc = ct_store_open(&sc, &e->store, &info)) != 0)
    return rc;
  e->store_created = info.created;
  e->distrust = info.may_have_lost_commits;
  if (e->distrust)
    ct_log_warn(MOD,
                "msg=\"store may have lost commits: every order is "
                "looked up before it is sent\"");
  return 0;
}

/* An actor exhausted its restarts: stop everything and say so. */
static void on_escalate(ct_runtime_t *rt, ct_actor_t *failed, int err,
                        void *ctx) {
  ct_engine_t *e = ctx;
  ct_log_error(MOD, "msg=\"actor failed: engine stops\" actor=%s err=%s",
               ct_actor_name(failed), ct_strerror(err));
  atomic_store(&e->failed, true);
  ct_runtime_stop(rt);
  if (e->opts.on_fatal)
    e->opts.on_fatal(e->opts.ctx);
}

static int build(ct_engine_t *e, const ct_config_t *cfg) {
  ct_runtime_opts_t ro = { .workers = cfg->workers > 0 ? cfg->workers : 2,
                           .spin_us = cfg->spin_us > 0 ? cfg->spin_us : -1,
                           .on_escalate = on_escalate,
                           .escalate_ctx = e };
  ct_spawn_opts_t lo = { .name = cfg->leader.client_id, .worker = 0 };
  size_t bad = 0;
  int rc = ct_instruments_load(cfg->instruments, &e->instr, &bad);
  if (rc != 0) {
    ct_log_error(MOD, "msg=\"instruments not loaded\" line=%zu err=%s", bad,
                 ct_strerror(rc));
    return rc;
  }
  snprintf(e->leader_id, sizeof e->leader_id, "%s", cfg->leader.client_id);
  if ((rc = open_store(e, cfg)) != 0)
    return rc;
  if (e->opts.metrics_path &&
      (rc = ct__metrics_open(e->opts.metrics_path, &e->metrics)) != 0)
    return rc;
  if ((rc = ct_runtime_new(&ro, &e->rt)) != 0)
    return rc;
  rc = make_account(e, cfg, cfg->leader.client_id, &cfg->leader.token.value, 0,
                    &e->leader_acct);
  if (rc == 0)
    rc = ct_api_spawn(e->rt, e->leader_acct, CT_API_ORDERS, bg_worker(e),
                      &e->leader_orders);
  if (rc == 0)
    rc = ct_api_spawn(e->rt, e->leader_acct, CT_API_FUNDS, bg_worker(e),
                      &e->leader_funds);
  e->f = calloc(cfg->n_followers ? cfg->n_followers : 1, sizeof(*e->f));
  if (rc == 0 && e->f == NULL)
    rc = CT_ENOMEM;
  for (size_t i = 0; rc == 0 && i < cfg->n_followers; i++, e->n_f++)
    rc = spawn_follower(e, cfg, i);
  for (size_t i = 0; rc == 0 && i < e->n_f && !e->leader_super; i++)
    if (e->f[i].copy_super_orders) /* the leader's super book is needed */
      rc = ct_api_spawn(e->rt, e->leader_acct, CT_API_SUPER, bg_worker(e),
                        &e->leader_super);
  if (rc == 0)
    rc = ct_spawn(e->rt, &ct__leader_def, e, &lo, &e->leader);
  if (rc == 0)
    rc = ct__legs_spawn(e);
  if (rc == 0)
    rc = spawn_feeds(e, cfg);
  return rc;
}

static void defaults(ct_engine_opts_t *o) {
  if (o->leader_poll_ms == 0)
    o->leader_poll_ms = 1000;
  if (o->follower_poll_ms == 0)
    o->follower_poll_ms = 1000;
  if (o->call_timeout_ms == 0)
    o->call_timeout_ms = 8000;
  if (o->funds_refresh_ms == 0)
    o->funds_refresh_ms = 30000;
  if (o->store_sync_ms == 0)
    o->store_sync_ms = 200;
  if (o->status_ms == 0)
    o->status_ms = 1000;
  if (o->control_poll_ms == 0)
    o->control_poll_ms = 250;
}

/* --- the background thread: metrics, log and store sync ------------------ */

static void *bg_main(void *arg) {
  ct_engine_t *e = arg;
  uint64_t next_sync = 0, now;
  pthread_mutex_lock(&e->bg_mu);
  while (!e->bg_stop) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20 * 1000000L; /* metrics flush every 20 ms */
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&e->bg_cv, &e->bg_mu, &ts);
    pthread_mutex_unlock(&e->bg_mu);
    ct__metrics_flush(e->metrics);
    ct_log_flush(); /* deferred INFO lines (cmd_run.c) */
    now = ct__now_ns();
    if (now >= next_sync) {
      ct_store_sync(e->store);
      next_sync = now + e->opts.store_sync_ms * 1000000ull;
    }
    ct__eng_ops_tick(e, now);
    pthread_mutex_lock(&e->bg_mu);
  }
  pthread_mutex_unlock(&e->bg_mu);
  return NULL;
}

static int bg_start(ct_engine_t *e) {
  pthread_mutex_init(&e->bg_mu, NULL);
  pthread_cond_init(&e->bg_cv, NULL);
  if (pthread_create(&e->bg, NULL, bg_main, e) != 0)
    return CT_ENOMEM;
  e->bg_started = true;
  return 0;
}

static void bg_stop(ct_engine_t *e) {
  if (!e->bg_started)
    return;
  pthread_mutex_lock(&e->bg_mu);
  e->bg_stop = true;
  pthread_cond_signal(&e->bg_cv);
  pthread_mutex_unlock(&e->bg_mu);
  pthread_join(e->bg, NULL);
  pthread_cond_destroy(&e->bg_cv);
  pthread_mutex_destroy(&e->bg_mu);
  e->bg_started = false;
}

/* --- public ----------------------------------------------------------------
 */

int ct_engine_start(const ct_config_t *cfg, const ct_engine_opts_t *opts,
                    ct_engine_t **out) {
  ct_engine_t *e;
  int rc;
  if (cfg == NULL || out == NULL)
    return CT_EINVAL;
  if ((e = calloc(1, sizeof(*e))) == NULL)
    return CT_ENOMEM;
  if (opts)
    e->opts = *opts;
  defaults(&e->opts);
  ct__eng_ops_init(e);
  rc = build(e, cfg);
  e->opts.metrics_path = NULL; /* borrowed: only opened in build() */
  if (rc == 0)
    rc = ct__eng_pause_load(e); /* flags set while stopped apply at once */
  if (rc == 0)
    rc = bg_start(e);
  if (rc == 0 && (rc = ct_runtime_start(e->rt)) == 0)
    e->started = true;
  if (rc != 0) {
    ct_log_error(MOD, "msg=\"engine start failed\" err=%s", ct_strerror(rc));
    ct_engine_stop(e);
    ct_engine_join_free(e);
    return rc;
  }
  ct_log_info(MOD, "msg=\"engine started\" followers=%zu new_store=%d", e->n_f,
              e->store_created);
  *out = e;
  return 0;
}

int ct_engine_set_tokens(ct_engine_t *e, const ct_config_t *cfg) {
  int rc = ct_api_account_set_token(e->leader_acct, &cfg->leader.token.value);
  if (rc == 0 && e->feed)
    rc = ct_order_feed_set_token(e->feed,
                                 ct_secret_reveal(&cfg->leader.token.value));
  for (size_t i = 0; rc == 0 && i < e->n_f; i++) {
    const ct_config_follower_t *cf = ct_config_find_follower(cfg, e->f[i].name);
    if (cf != NULL)
      rc = ct_api_account_set_token(e->f[i].acct, &cf->token.value);
  }
  return rc;
}

void ct_engine_stop(ct_engine_t *e) {
  if (e != NULL && e->rt != NULL)
    ct_runtime_stop(e->rt);
}

int ct_engine_join_free(ct_engine_t *e) {
  int rc = 0;
  if (e == NULL)
    return 0;
  if (e->rt && e->started)
    rc = ct_runtime_join(e->rt);
  bg_stop(e); /* it may send to actors: before the runtime is freed */
  ct_runtime_free(e->rt);
  if (rc == 0 && atomic_load(&e->failed))
    rc = CT_ESTATE;
  ct_order_feed_free(e->feed);
  ct_postback_free(e->pb);
  for (size_t i = 0; i < e->n_f; i++)
    ct_api_account_free(e->f[i].acct);
  ct_api_account_free(e->leader_acct);
  free(e->f);
  ct_store_close(e->store);
  ct__metrics_close(e->metrics);
  ct_instruments_free(e->instr);
  ct__eng_ops_close(e);
  free(e);
  return rc;
}
