/*
 * replicator.c: the replication engine's life cycle (engine.h). Builds the
 * runtime, one API account per Dhan account (all sharing one HTTP actor),
 * the leader's and each follower's "orders" API actor, the leader actor
 * and one follower actor per follower; hot-swaps tokens on SIGHUP; stops
 * and frees everything in order (runtime first, then accounts and store).
 */
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_int.h"

#define MOD "engine"

int ct__eng_send_state(ct_actor_t *to, const ct_leader_state_t *st) {
  ct_msg_t *m = NULL;
  int rc = ct_msg_new(CT__ENG_MSG_LEADER, &m);
  if (rc == 0)
    rc = ct_msg_put_bin(m, st, sizeof(*st));
  if (rc == 0)
    rc = ct_send(to, m);
  if (rc != 0 && m != NULL)
    ct_msg_free(m);
  return rc;
}

static int make_account(ct_engine_t *e, const ct_config_t *cfg,
                        const char *client_id, const ct_secret_t *token,
                        ct_api_account_t **out) {
  ct_api_account_cfg_t ac = {0};
  ac.client_id = client_id;
  ac.token = token;
  ac.base_url = cfg->rest_base_url;
  ac.ca_file = cfg->ca_file;
  ac.http = e->leader_acct ? ct_api_account_http(e->leader_acct) : NULL;
  return ct_api_account_new(e->rt, &ac, out);
}

static int spawn_follower(ct_engine_t *e, const ct_config_t *cfg, size_t i) {
  const ct_config_follower_t *cf = &cfg->followers[i];
  ct__fslot_t *s = &e->f[i];
  ct_spawn_opts_t so = {.name = cf->name, .worker = -1};
  int rc;
  snprintf(s->name, sizeof(s->name), "%s", cf->name);
  snprintf(s->client_id, sizeof(s->client_id), "%s", cf->client_id);
  s->rules = cf->rules;
  s->copy_modifications = cf->copy_modifications;
  s->copy_cancellations = cf->copy_cancellations;
  atomic_init(&s->paused, false);
  s->eng = e;
  rc = make_account(e, cfg, cf->client_id, &cf->token.value, &s->acct);
  if (rc == 0)
    rc = ct_api_spawn(e->rt, s->acct, CT_API_ORDERS, -1, &s->orders);
  if (rc == 0)
    rc = ct_spawn(e->rt, &ct__follower_def, s, &so, &s->actor);
  return rc;
}

static int build(ct_engine_t *e, const ct_config_t *cfg) {
  ct_runtime_opts_t ro = {.workers = cfg->workers > 0 ? cfg->workers : 2};
  ct_store_config_t sc = {.path = cfg->state_dir};
  ct_store_open_info_t info;
  ct_spawn_opts_t lo = {.name = cfg->leader.client_id, .worker = -1};
  size_t bad = 0;
  int rc = ct_instruments_load(cfg->instruments, &e->instr, &bad);
  if (rc != 0) {
    ct_log_error(MOD, "msg=\"instruments not loaded\" line=%zu err=%s", bad,
                 ct_strerror(rc));
    return rc;
  }
  if ((rc = ct_store_open(&sc, &e->store, &info)) != 0)
    return rc;
  e->store_created = info.created;
  if ((rc = ct_runtime_new(&ro, &e->rt)) != 0)
    return rc;
  rc = make_account(e, cfg, cfg->leader.client_id, &cfg->leader.token.value,
                    &e->leader_acct);
  if (rc == 0)
    rc = ct_api_spawn(e->rt, e->leader_acct, CT_API_ORDERS, -1,
                      &e->leader_orders);
  e->f = calloc(cfg->n_followers ? cfg->n_followers : 1, sizeof(*e->f));
  if (rc == 0 && e->f == NULL)
    rc = CT_ENOMEM;
  for (size_t i = 0; rc == 0 && i < cfg->n_followers; i++, e->n_f++)
    rc = spawn_follower(e, cfg, i);
  if (rc == 0)
    rc = ct_spawn(e->rt, &ct__leader_def, e, &lo, &e->leader);
  return rc;
}

static void defaults(ct_engine_opts_t *o) {
  if (o->leader_poll_ms == 0)
    o->leader_poll_ms = 250;
  if (o->follower_poll_ms == 0)
    o->follower_poll_ms = 1000;
  if (o->call_timeout_ms == 0)
    o->call_timeout_ms = 8000;
}

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
  rc = build(e, cfg);
  if (rc == 0 && (rc = ct_runtime_start(e->rt)) == 0)
    e->started = true;
  if (rc != 0) {
    ct_log_error(MOD, "msg=\"engine start failed\" err=%s", ct_strerror(rc));
    ct_engine_stop(e);
    ct_engine_join_free(e);
    return rc;
  }
  ct_log_info(MOD, "msg=\"engine started\" followers=%zu new_store=%d",
              e->n_f, e->store_created);
  *out = e;
  return 0;
}

int ct_engine_set_tokens(ct_engine_t *e, const ct_config_t *cfg) {
  int rc = ct_api_account_set_token(e->leader_acct, &cfg->leader.token.value);
  for (size_t i = 0; rc == 0 && i < e->n_f; i++) {
    const ct_config_follower_t *cf =
        ct_config_find_follower(cfg, e->f[i].name);
    if (cf != NULL)
      rc = ct_api_account_set_token(e->f[i].acct, &cf->token.value);
  }
  return rc;
}

int ct_engine_pause(ct_engine_t *e, const char *name, bool paused) {
  for (size_t i = 0; i < e->n_f; i++) {
    if (strcmp(e->f[i].name, name) == 0) {
      atomic_store(&e->f[i].paused, paused);
      return 0;
    }
  }
  return CT_ENOTFOUND;
}

void ct_engine_stop(ct_engine_t *e) {
  if (e != NULL && e->rt != NULL)
    ct_runtime_stop(e->rt);
}

int ct_engine_join_free(ct_engine_t *e) {
  int rc = 0;
  if (e == NULL)
    return 0;
  if (e->rt) {
    if (e->started)
      rc = ct_runtime_join(e->rt);
    ct_runtime_free(e->rt);
  }
  for (size_t i = 0; i < e->n_f; i++)
    ct_api_account_free(e->f[i].acct);
  ct_api_account_free(e->leader_acct);
  free(e->f);
  ct_store_close(e->store);
  ct_instruments_free(e->instr);
  free(e);
  return rc;
}
