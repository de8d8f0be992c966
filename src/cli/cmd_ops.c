/*
 * cmd_ops.c: the operator subcommands `status`, `orders`, `pause`,
 * `resume` and `exit-all` (cli_ops.h). Thin by design: flags are parsed
 * here, the work is in the library: report.h renders status and orders
 * from the store, store_control.h holds the pause flags, exit_all.h
 * flattens accounts. The store is opened with ct_store_attach(), so every
 * command is safe while `copytrader run` holds the same state directory.
 */
#include "cli_ops.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/api.h"
#include "copytrader/config.h"
#include "copytrader/error.h"
#include "copytrader/exit_all.h"
#include "copytrader/report.h"
#include "copytrader/store_control.h"

typedef struct args {
  const char *config;
  const char *leader;
  const char *follower;
  const char *positional;
  bool json;
  bool kill_switch;
} args_t;

enum { F_JSON = 1, F_LEADER = 2, F_FOLLOWER = 4, F_KILL = 8, F_POS = 16 };

static int usage_error(const char *cmd, const char *usage, const char *fmt,
                       const char *what) {
  fprintf(stderr, "copytrader %s: ", cmd);
  fprintf(stderr, fmt, what);
  fprintf(stderr, "\nusage: copytrader %s\n", usage);
  return 2;
}

/* Parse argv against the flags `allowed`; 0 or 2 (message printed). */
static int parse(int argc, char **argv, unsigned allowed, const char *usage,
                 args_t *a) {
  static const struct option opts[] = { { "config", required_argument, 0, 'c' },
                                        { "json", no_argument, 0, 'j' },
                                        { "leader", required_argument, 0, 'l' },
                                        { "follower", required_argument, 0,
                                          'f' },
                                        { "kill-switch", no_argument, 0, 'k' },
                                        { 0, 0, 0, 0 } };
  int c;
  memset(a, 0, sizeof *a);
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
    const char *flag = argv[optind - 1];
    if (c == ':')
      return usage_error(argv[0], usage, "flag '%s' needs a value", flag);
    if (c == '?' || (c == 'j' && !(allowed & F_JSON)) ||
        (c == 'l' && !(allowed & F_LEADER)) ||
        (c == 'f' && !(allowed & F_FOLLOWER)) ||
        (c == 'k' && !(allowed & F_KILL)))
      return usage_error(argv[0], usage, "unknown flag '%s'", flag);
    if (c == 'c')
      a->config = optarg;
    a->json |= c == 'j';
    a->kill_switch |= c == 'k';
    if (c == 'l')
      a->leader = optarg;
    if (c == 'f')
      a->follower = optarg;
  }
  if (optind < argc && (allowed & F_POS))
    a->positional = argv[optind++];
  if (optind < argc)
    return usage_error(argv[0], usage, "unexpected argument '%s'",
                       argv[optind]);
  if (a->config == NULL)
    return usage_error(argv[0], usage, "%s is required", "--config FILE");
  return 0;
}

static ct_config_t *load_config(const char *cmd, const char *path) {
  ct_config_errors_t errs;
  ct_config_t *cfg = NULL;
  ct_config_errors_init(&errs);
  if (ct_config_load(path, &cfg, &errs) != 0) {
    fprintf(stderr, "copytrader %s: configuration %s is not valid:\n", cmd,
            path);
    for (size_t i = 0; i < errs.count; i++)
      fprintf(stderr, "  %s\n", errs.items[i]);
  }
  ct_config_errors_close(&errs);
  return cfg;
}

static ct_store_t *attach(const char *cmd, const ct_config_t *cfg) {
  ct_store_t *s = NULL;
  int rc = ct_store_attach(cfg->state_dir, &s);
  if (rc == CT_ENOTFOUND)
    fprintf(stderr,
            "copytrader %s: no state in %s (has `copytrader run` started?)\n",
            cmd, cfg->state_dir);
  else if (rc != 0)
    fprintf(stderr, "copytrader %s: cannot open the state in %s: %s\n", cmd,
            cfg->state_dir, ct_strerror(rc));
  return s;
}

/* Follower names for the reports; arrays point into cfg. */
typedef struct names_buf {
  ct_report_names_t n;
  const char **ids, **names;
} names_buf_t;

static int names_of(const ct_config_t *cfg, names_buf_t *b) {
  memset(b, 0, sizeof *b);
  if (cfg->n_followers == 0)
    return 0;
  b->ids = calloc(cfg->n_followers, sizeof *b->ids);
  b->names = calloc(cfg->n_followers, sizeof *b->names);
  if (b->ids == NULL || b->names == NULL)
    return CT_ENOMEM;
  for (size_t i = 0; i < cfg->n_followers; i++) {
    b->ids[i] = cfg->followers[i].client_id;
    b->names[i] = cfg->followers[i].name;
  }
  b->n = (ct_report_names_t){ cfg->n_followers, b->ids, b->names };
  return 0;
}

static void names_free(names_buf_t *b) {
  free(b->ids);
  free(b->names);
}

static uint64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* status and orders: one read transaction on the attached store. */
static int report(int argc, char **argv, bool orders) {
  args_t a;
  ct_config_t *cfg = NULL;
  ct_store_t *s = NULL;
  ct_store_txn_t t;
  names_buf_t nb = { 0 };
  ct_report_orders_filter_t filter = { 0 };
  ct_report_format_t fmt;
  int rc = orders ? parse(argc, argv, F_JSON | F_LEADER | F_FOLLOWER,
                          CT_CLI_ORDERS_USAGE, &a)
                  : parse(argc, argv, F_JSON, CT_CLI_STATUS_USAGE, &a);
  if (rc != 0)
    return rc;
  fmt = a.json ? CT_REPORT_JSON : CT_REPORT_TEXT;
  if ((cfg = load_config(argv[0], a.config)) == NULL ||
      (s = attach(argv[0], cfg)) == NULL)
    goto fail;
  if (a.follower != NULL) {
    const ct_config_follower_t *f = ct_config_find_follower(cfg, a.follower);
    if (f == NULL) {
      rc = usage_error(argv[0], CT_CLI_ORDERS_USAGE,
                       "no follower named '%s' in the configuration",
                       a.follower);
      goto done;
    }
    filter.follower_id = f->client_id;
  }
  filter.leader_order_id = a.leader;
  if (names_of(cfg, &nb) != 0 || ct_store_txn_begin(s, false, &t) != 0)
    goto fail;
  rc = orders ? ct_report_orders(&t, fmt, &nb.n, &filter, stdout)
              : ct_report_status(&t, fmt, &nb.n, wall_ms(), 0, stdout);
  ct_store_txn_abort(&t);
  if (rc != 0 && rc != CT_ENOTFOUND)
    fprintf(stderr, "copytrader %s: %s%s%s\n", argv[0], ct_strerror(rc),
            t.err[0] ? ": " : "", t.err);
  rc = rc == 0 ? 0 : 1;
  goto done;
fail:
  rc = 1;
done:
  names_free(&nb);
  ct_store_close(s);
  ct_config_free(cfg);
  return rc;
}

int ct__cli_status(int argc, char **argv) {
  return report(argc, argv, false);
}

int ct__cli_orders(int argc, char **argv) {
  return report(argc, argv, true);
}

static int pause_cmd(int argc, char **argv, bool paused) {
  const char *usage = paused ? CT_CLI_PAUSE_USAGE : CT_CLI_RESUME_USAGE;
  const ct_config_follower_t *f;
  ct_config_t *cfg;
  ct_store_t *s;
  args_t a;
  int rc = parse(argc, argv, F_POS, usage, &a);
  if (rc != 0)
    return rc;
  if (a.positional == NULL)
    return usage_error(argv[0], usage, "%s is required", "FOLLOWER");
  if ((cfg = load_config(argv[0], a.config)) == NULL)
    return 1;
  if ((f = ct_config_find_follower(cfg, a.positional)) == NULL) {
    rc = usage_error(argv[0], usage,
                     "no follower named '%s' in the configuration",
                     a.positional);
  } else if ((s = attach(argv[0], cfg)) == NULL) {
    rc = 1;
  } else {
    if ((rc = ct_store_pause_set(s, f->client_id, paused)) != 0)
      fprintf(stderr, "copytrader %s: %s\n", argv[0], ct_strerror(rc));
    else
      printf("%s %s (%s)\n", paused ? "paused" : "resumed", f->name,
             f->client_id);
    rc = rc == 0 ? 0 : 1;
    ct_store_close(s);
  }
  ct_config_free(cfg);
  return rc;
}

int ct__cli_pause(int argc, char **argv) {
  return pause_cmd(argc, argv, true);
}

int ct__cli_resume(int argc, char **argv) {
  return pause_cmd(argc, argv, false);
}
