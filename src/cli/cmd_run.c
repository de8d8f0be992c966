/*
 * cmd_run.c: `copytrader run --config FILE [--metrics FILE] [--poll-ms N]
 * [--sync-commits]`. Starts the engine and then waits for signals on the
 * main thread (blocked in every thread, taken with sigwaitinfo, so no
 * handler runs inside the engine's threads):
 *   SIGINT, SIGTERM  orderly stop: the runtime stops, every actor's stop()
 *                    runs, the store is synced and closed; exit 0;
 *   SIGHUP           reload the config file and hot-swap every token
 *                    (ct_engine_set_tokens) without losing any state; a
 *                    file that does not load keeps the old tokens.
 * An actor failing beyond its restarts stops the engine by itself: it
 * raises SIGTERM at the process, and the exit status is 1.
 * SIGBUS: the store writes through a shared file mapping (MDB_WRITEMAP),
 * so a disk that fills up shows as SIGBUS on a page write, not as an
 * error code. The handler says so in one line and the process dies of the
 * signal; LMDB switches its meta page last, so the store holds every
 * commit before the failed one and the next start recovers as after
 * kill -9.
 * --poll-ms sets the leader reconciliation and follower sweep period;
 * --sync-commits fsyncs every store commit (CT_STORE_SYNC) instead of the
 * default page-cache commit plus a background sync (see engine.h).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "copytrader/config.h"
#include "copytrader/engine.h"
#include "copytrader/error.h"
#include "copytrader/log.h"

#define USAGE                                                                  \
  "run --config FILE [--metrics FILE] [--poll-ms N] [--sync-commits]"
#define MOD        "cli"
#define LOG_BUFFER (1u << 20) /* bytes of deferred log lines */

typedef struct run_args {
  const char *config;
  const char *metrics;
  long poll_ms;
  bool sync_commits;
} run_args_t;

static int parse(int argc, char **argv, run_args_t *a) {
  static const struct option opts[] = {
    { "config", required_argument, 0, 'c' },
    { "metrics", required_argument, 0, 'm' },
    { "poll-ms", required_argument, 0, 'p' },
    { "sync-commits", no_argument, 0, 's' },
    { 0, 0, 0, 0 }
  };
  char *end;
  int c;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
    if (c == 'c') {
      a->config = optarg;
    } else if (c == 'm') {
      a->metrics = optarg;
    } else if (c == 'p') {
      a->poll_ms = strtol(optarg, &end, 10);
      if (*end != '\0' || a->poll_ms <= 0)
        return ct__cli_usage_error(argv[0], "--poll-ms needs a number > 0",
                                   USAGE);
    } else if (c == 's') {
      a->sync_commits = true;
    } else if (c == ':') {
      return ct__cli_usage_error(argv[0], "a flag needs a value", USAGE);
    } else {
      return ct__cli_usage_error(argv[0], "unknown flag", USAGE);
    }
  }
  if (optind < argc)
    return ct__cli_usage_error(argv[0], "unexpected argument", USAGE);
  if (a->config == NULL)
    return ct__cli_usage_error(argv[0], "--config is required", USAGE);
  return 0;
}

static void print_errors(const ct_config_errors_t *errs) {
  for (size_t i = 0; i < errs->count; i++)
    fprintf(stderr, "%s\n", errs->items[i]);
}

/* SIGHUP: a new config; the tokens move to the engine, the rest waits. */
static void reload(ct_engine_t *e, ct_config_t **cfg) {
  ct_config_errors_t errs;
  ct_config_t *next = NULL;
  int rc;
  ct_config_errors_init(&errs);
  rc = ct_config_reload(*cfg, &next, &errs);
  if (rc == 0)
    rc = ct_engine_set_tokens(e, next);
  if (rc == 0) {
    ct_config_free(*cfg);
    *cfg = next;
    ct_log_info(MOD, "msg=\"config reloaded, tokens swapped\"");
  } else {
    print_errors(&errs);
    ct_config_free(next);
    ct_log_error(MOD, "msg=\"reload failed, old tokens kept\" err=%s",
                 ct_strerror(rc));
  }
  ct_config_errors_close(&errs);
}

static void wait_signals(ct_engine_t *e, ct_config_t **cfg,
                         const sigset_t *set) {
  for (;;) {
    int sig = sigwaitinfo(set, NULL);
    if (sig == SIGHUP) {
      reload(e, cfg);
    } else if (sig == SIGINT || sig == SIGTERM) {
      ct_log_info(MOD, "msg=\"stopping\" signal=%d", sig);
      return;
    } else if (sig < 0 && errno != EINTR) {
      return;
    }
  }
}

/* Async-signal-safe: write(2), then die of the signal itself. */
static void on_sigbus(int sig) {
  static const char msg[] =
      "copytrader: fatal: bus error (SIGBUS) writing the store's file "
      "mapping: is the disk of state_dir full? Every commit before this "
      "one is kept; free space and start again.\n";
  ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)n;
  signal(sig, SIG_DFL);
  raise(sig);
}

/* The engine stopped itself: wake the signal wait. */
static void on_fatal(void *ctx) {
  (void)ctx;
  kill(getpid(), SIGTERM);
}

int ct__cli_run(int argc, char **argv) {
  run_args_t a = { 0 };
  ct_config_errors_t errs;
  ct_config_t *cfg = NULL;
  ct_engine_opts_t eo = { 0 };
  ct_engine_t *e = NULL;
  sigset_t set;
  int rc = parse(argc, argv, &a);
  if (rc != 0)
    return rc;
  ct_config_errors_init(&errs);
  rc = ct_config_load(a.config, &cfg, &errs);
  print_errors(&errs);
  ct_config_errors_close(&errs);
  if (rc != 0)
    return 1;
  /* Block the signals before any thread starts: all inherit the mask. */
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGBUS, on_sigbus);
  eo.metrics_path = a.metrics;
  eo.leader_poll_ms = (uint64_t)a.poll_ms;
  eo.follower_poll_ms = (uint64_t)a.poll_ms;
  eo.sync_commits = a.sync_commits;
  eo.on_fatal = on_fatal;
  /* INFO lines (one per leader event, per follower order) are buffered
   * and written by the engine's background thread: no write(2) on a loop
   * thread's hot path. WARN and ERROR lines still go out at once. */
  (void)ct_log_defer(LOG_BUFFER);
  if ((rc = ct_engine_start(cfg, &eo, &e)) != 0) {
    ct_log_defer_end();
    fprintf(stderr, "copytrader run: engine did not start: %s\n",
            ct_strerror(rc));
    ct_config_free(cfg);
    return 1;
  }
  wait_signals(e, &cfg, &set);
  ct_engine_stop(e);
  rc = ct_engine_join_free(e);
  ct_log_defer_end();
  ct_config_free(cfg);
  return rc == 0 ? 0 : 1;
}
