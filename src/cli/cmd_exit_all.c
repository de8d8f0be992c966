/*
 * cmd_exit_all.c: `copytrader exit-all --config FILE [--kill-switch]
 * [FOLLOWER]`. Flattens one follower (or every follower, in parallel):
 * pauses it in the store first so a running engine copies nothing more
 * into it (and, when an engine is running, waits until its status
 * snapshot shows the pause applied), then runs the exit-all job of exit_all.h
 * on a runtime of its own with one API account per follower (tokens from the
 * configuration, never printed), and prints each account's steps.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_ops.h"
#include "copytrader/api.h"
#include "copytrader/config.h"
#include "copytrader/error.h"
#include "copytrader/exit_all.h"
#include "copytrader/store_control.h"

typedef struct acct_set {
  ct_runtime_t *rt;
  size_t n;
  ct_api_account_t **accts;
  ct_actor_t *(*mods)[CT_API_MODULE_COUNT];
  ct_exit_opts_t *opts;
  ct_exit_report_t *reps;
} acct_set_t;

static int fail(const char *msg, const char *what) {
  fprintf(stderr, "copytrader exit-all: %s%s\nusage: copytrader %s\n", msg,
          what, CT_CLI_EXIT_ALL_USAGE);
  return 2;
}

/* Order windows from the configuration's rate_limits (0: Dhan's). */
static size_t order_windows(const ct_config_t *cfg, ct_rate_window_t *w) {
  const ct_config_rate_limits_t *r = &cfg->rate_limits;
  const int64_t lim[4] = { r->orders_per_second, r->orders_per_minute,
                           r->orders_per_hour, r->orders_per_day };
  const uint64_t per[4] = { CT_NS_PER_SEC, CT_NS_PER_MIN, CT_NS_PER_HOUR,
                            CT_NS_PER_DAY };
  size_t n = 0;
  for (int i = 0; i < 4; i++)
    if (lim[i] > 0 && lim[i] <= UINT32_MAX)
      w[n++] = (ct_rate_window_t){ (uint32_t)lim[i], per[i] };
  return n;
}

static int add_account(acct_set_t *s, const ct_config_t *cfg,
                       const ct_config_follower_t *f,
                       const ct_instruments_t *ins, bool kill) {
  ct_rate_window_t w[CT_RATE_MAX_WINDOWS];
  ct_api_account_cfg_t ac = { 0 };
  size_t i = s->n;
  int rc;
  ac.client_id = f->client_id;
  ac.token = &f->token.value;
  ac.base_url = cfg->rest_base_url;
  ac.ca_file = cfg->ca_file;
  ac.n_order_windows = order_windows(cfg, w);
  ac.order_windows = ac.n_order_windows > 0 ? w : NULL;
  if ((rc = ct_api_account_new(s->rt, &ac, &s->accts[i])) != 0 ||
      (rc = ct_api_spawn_all(s->rt, s->accts[i], -1, s->mods[i])) != 0)
    return rc;
  s->n++;
  s->opts[i] = (ct_exit_opts_t){ .client_id = f->client_id,
                                 .orders = s->mods[i][CT_API_ORDERS],
                                 .portfolio = s->mods[i][CT_API_PORTFOLIO],
                                 .control = s->mods[i][CT_API_CONTROL],
                                 .forever = s->mods[i][CT_API_FOREVER],
                                 .super = s->mods[i][CT_API_SUPER],
                                 .instruments = ins,
                                 .kill_switch = kill,
                                 .worker = -1 };
  return 0;
}

static void print_step(const ct_exit_step_t *st) {
  const char *side = ct_dhan_txn_str(st->txn);
  char what[96];
  const char *leg = ct_dhan_leg_str(st->leg);
  snprintf(what, sizeof what, "%s%s%s%s%s", st->order_id,
           st->correlation_id[0] ? " " : "", st->correlation_id,
           leg != NULL ? " " : "", leg != NULL ? leg : "");
  printf("  %-15s %-44s %-8s %-5s %7lld  %s%s%s%s%s\n",
         ct_exit_step_name(st->kind), what[0] ? what : "-",
         st->security_id[0] ? st->security_id : "-", side ? side : "-",
         (long long)st->quantity, st->err == 0 ? "ok" : ct_err_name(st->err),
         st->error_code[0] ? " " : "", st->error_code,
         st->message[0] && st->err ? ": " : "", st->err ? st->message : "");
}

static bool print_report(const char *name, const ct_exit_report_t *r,
                         bool kill) {
  bool ok =
      r->err == 0 && r->flat && (!kill || r->kill_state == CT_DHAN_KILL_ACTIVE);
  printf("%s (%s): %s\n", name, r->client_id, ok ? "FLAT" : "NOT FLAT");
  for (size_t i = 0; i < r->n_steps; i++)
    print_step(&r->steps[i]);
  printf(
      "  cancelled %u (failed %u), placed %u (failed %u), working left "
      "%u, positions left %u%s%s\n",
      r->cancelled, r->cancel_failed, r->placed, r->place_failed,
      r->working_left, r->positions_left, kill ? ", kill switch " : "",
      !kill                                  ? ""
      : r->kill_state == CT_DHAN_KILL_ACTIVE ? "ACTIVE"
                                             : "NOT ACTIVE");
  if (r->err != 0)
    printf("  stopped early: %s\n", ct_strerror(r->err));
  return ok;
}

#define STALE_MS      5000 /* as `copytrader status` */
#define APPLY_WAIT_MS 3000

static uint64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool snap_paused(const ct_status_t *s, const char *id) {
  for (size_t i = 0; i < s->n_followers; i++)
    if (strcmp(s->followers[i].client_id, id) == 0)
      return s->followers[i].paused;
  return true; /* a follower the engine does not run gets nothing */
}

/* 1: the running engine's snapshot shows every chosen follower paused;
 * 0: not yet; -1: no engine running (no snapshot, or a stale one). */
static int engine_paused(ct_store_t *st, const ct_config_follower_t *const *fs,
                         size_t n) {
  ct_store_txn_t t;
  ct_status_t s;
  int out = -1;
  if (ct_store_txn_begin(st, false, &t) != 0)
    return -1;
  if (ct_store_status_get(&t, &s) == 0) {
    if (s.written_ms + STALE_MS > wall_ms()) {
      out = 1;
      for (size_t i = 0; i < n && out == 1; i++)
        out = snap_paused(&s, fs[i]->client_id);
    }
    ct_status_clear(&s);
  }
  ct_store_txn_abort(&t);
  return out;
}

/* A running engine applies the flags within its control period: wait for
 * it, so nothing new is copied into an account while it is flattened. */
static void wait_engine(ct_store_t *st, const ct_config_follower_t *const *fs,
                        size_t n) {
  const struct timespec step = { 0, 50 * 1000000L };
  for (int t = 0; t <= APPLY_WAIT_MS; t += 50) {
    int r = engine_paused(st, fs, n);
    if (r < 0)
      return;
    if (r == 1) {
      printf("the running engine has applied the pause\n");
      return;
    }
    nanosleep(&step, NULL);
  }
  printf("warning: the running engine has not shown the pause within %d ms\n",
         APPLY_WAIT_MS);
}

/* Pause the chosen followers so a running engine stops copying to them. */
static void pause_all(const ct_config_t *cfg,
                      const ct_config_follower_t *const *fs, size_t n) {
  ct_store_t *st = NULL;
  if (ct_store_attach(cfg->state_dir, &st) != 0) {
    printf("note: no state in %s; nothing paused\n", cfg->state_dir);
    return;
  }
  for (size_t i = 0; i < n; i++)
    if (ct_store_pause_set(st, fs[i]->client_id, true) == 0)
      printf("paused %s (%s)\n", fs[i]->name, fs[i]->client_id);
  wait_engine(st, fs, n);
  ct_store_close(st);
}

static int run_jobs(const ct_config_t *cfg,
                    const ct_config_follower_t *const *fs, size_t n,
                    const ct_instruments_t *ins, bool kill) {
  acct_set_t s = { 0 };
  ct_runtime_opts_t ro = { .workers = 2 };
  int rc, ok = 1;
  s.accts = calloc(n, sizeof *s.accts);
  s.mods = calloc(n, sizeof *s.mods);
  s.opts = calloc(n, sizeof *s.opts);
  s.reps = calloc(n, sizeof *s.reps);
  if (s.accts == NULL || s.mods == NULL || s.opts == NULL || s.reps == NULL ||
      (rc = ct_runtime_new(&ro, &s.rt)) != 0) {
    rc = CT_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < n && rc == 0; i++)
    rc = add_account(&s, cfg, fs[i], ins, kill);
  if (rc == 0 && (rc = ct_runtime_start(s.rt)) == 0)
    rc = ct_exit_all_run(s.rt, s.opts, s.n, s.reps);
  for (size_t i = 0; i < s.n; i++) {
    ok &= print_report(fs[i]->name, &s.reps[i], kill);
    ct_exit_report_clear(&s.reps[i]);
  }
  ct_runtime_stop(s.rt);
  (void)ct_runtime_join(s.rt);
  ct_runtime_free(s.rt);
out:
  if (rc != 0)
    fprintf(stderr, "copytrader exit-all: %s\n", ct_strerror(rc));
  for (size_t i = 0; i < s.n; i++)
    ct_api_account_free(s.accts[i]);
  free(s.accts);
  free(s.mods);
  free(s.opts);
  free(s.reps);
  return rc == 0 && ok ? 0 : 1;
}

static int parse(int argc, char **argv, const char **config,
                 const char **follower, bool *kill) {
  static const struct option opts[] = { { "config", required_argument, 0, 'c' },
                                        { "kill-switch", no_argument, 0, 'k' },
                                        { 0, 0, 0, 0 } };
  int c;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
    if (c == ':')
      return fail("a value is needed after ", argv[optind - 1]);
    if (c == '?')
      return fail("unknown flag ", argv[optind - 1]);
    if (c == 'c')
      *config = optarg;
    *kill |= c == 'k';
  }
  if (optind < argc)
    *follower = argv[optind++];
  if (optind < argc)
    return fail("unexpected argument ", argv[optind]);
  return *config == NULL ? fail("--config FILE is required", "") : 0;
}

int ct__cli_exit_all(int argc, char **argv) {
  const char *path = NULL, *name = NULL;
  const ct_config_follower_t **fs = NULL;
  ct_instruments_t *ins = NULL;
  ct_config_errors_t errs;
  ct_config_t *cfg = NULL;
  bool kill = false;
  size_t n = 0;
  int rc = parse(argc, argv, &path, &name, &kill);
  if (rc != 0)
    return rc;
  ct_config_errors_init(&errs);
  if (ct_config_load(path, &cfg, &errs) != 0) {
    fprintf(stderr, "copytrader exit-all: configuration %s is not valid:\n",
            path);
    for (size_t i = 0; i < errs.count; i++)
      fprintf(stderr, "  %s\n", errs.items[i]);
    rc = 1;
    goto out;
  }
  if ((fs = calloc(cfg->n_followers + 1, sizeof *fs)) == NULL) {
    rc = 1;
    goto out;
  }
  for (size_t i = 0; i < cfg->n_followers; i++)
    if (name == NULL || strcmp(cfg->followers[i].name, name) == 0)
      fs[n++] = &cfg->followers[i];
  if (n == 0) {
    rc = name != NULL ? fail("no follower named ", name) : 1;
    goto out;
  }
  if (ct_instruments_load(cfg->instruments, &ins, NULL) != 0)
    printf("warning: instruments %s not loaded: square-offs are not sliced\n",
           cfg->instruments);
  pause_all(cfg, fs, n);
  rc = run_jobs(cfg, fs, n, ins, kill);
out:
  ct_instruments_free(ins);
  free(fs);
  ct_config_free(cfg);
  ct_config_errors_close(&errs);
  return rc;
}
