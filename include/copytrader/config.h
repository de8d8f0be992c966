/*
 * Configuration of the replication engine: one YAML file (libyaml) that a
 * human edits, naming the leader account, any number of followers with
 * their own sizing rules and limits, the endpoints, and the local paths.
 *
 *   leader:
 *     client_id: "1000000001"
 *     token: env:LEADER_TOKEN          # inline, env:VAR or file:/path
 *   followers:
 *     - name: alice
 *       client_id: "1000000002"
 *       token: file:alice.token         # relative to the config's folder
 *       enabled: true                   # default true
 *       sizing: {mode: multiplier, value: 0.5}
 *       allowed_segments: [NSE_EQ, NSE_FNO]   # absent = all
 *       allowed_products: [INTRADAY, MARGIN]  # absent = all
 *       max_qty: 1800                   # units per order (absent = none)
 *       max_order_value: 500000         # rupees per order (absent = none)
 *       max_orders_per_day: 200         # counting slices (absent = none)
 *       copy_modifications: true        # default true
 *       copy_cancellations: true        # default true
 *       copy_super_orders: true         # default true
 *       copy_forever_orders: false      # default false
 *       copy_window: {start: "09:15", end: "15:30"}   # IST, optional
 *   endpoints:                          # optional block
 *     rest_base_url: https://api.dhan.co/v2           # default
 *     order_update_url: wss://api-order-update.dhan.co # default
 *     ca_file: /etc/ssl/certs/ca-certificates.crt      # optional
 *   instruments: api-scrip-master.csv   # required
 *   state_dir: state                    # required (LMDB environment)
 *   rate_limits:                        # optional; Dhan's 2026 table
 *     orders_per_second: 10
 *     orders_per_minute: 250
 *     orders_per_hour: 1000
 *     orders_per_day: 7000
 *     non_trading_per_second: 20
 *   postback: {listen: "127.0.0.1:8080", secret: env:POSTBACK_SECRET}
 *   workers: 2                          # loop threads, default 2
 *   spin_us: 0                          # busy-wait before a loop sleeps;
 *                                       # default 0 (off), see below
 *
 * spin_us: a worker about to sleep may first busy-wait this many
 * microseconds for work from another thread (no wake-up then). Off by
 * default: on the 2-core benchmark machine, where the engine shares the
 * cores with the API host, spinning took 8-12% of the engine's CPU and
 * made both the one-follower and the 100-follower cells slower (README,
 * Benchmarks). It may help on a machine with cores to spare.
 *
 * Sizing modes: multiplier (value = factor > 0), fixed_qty (value = units,
 * a whole number > 0), capital_proportional (value = extra factor, default
 * 1), max_value (value = rupees > 0); see sizing.h. Relative paths
 * (instruments, state_dir, ca_file, file: tokens) are resolved against the
 * folder of the configuration file.
 *
 * Validation reports every problem it finds, each as one line
 *   config.yaml:14: followers[2].sizing.mode: unknown value 'double'
 *   (expected multiplier, fixed_qty, capital_proportional, max_value)
 * Unknown keys and repeated keys are errors (a typo must not silently drop
 * a limit). Secrets never appear in an error: values of token/secret keys
 * are never echoed, and env:/file: failures name only the variable or path.
 * A file holding an inline secret is refused unless only its owner can read
 * it (mode & 077 == 0); env:/file: secrets carry no such requirement.
 * The leader's client id may not appear as a follower (it would copy its
 * own orders back); follower names and client ids must be unique.
 */
#ifndef COPYTRADER_CONFIG_H
#define COPYTRADER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "copytrader/dhan_types.h"
#include "copytrader/log.h"
#include "copytrader/sizing.h"

#define CT_CONFIG_NAME_SIZE        48 /* follower names: [A-Za-z0-9_.-], 1..47 */

#define CT_CONFIG_DEFAULT_REST_URL "https://api.dhan.co/v2"
#define CT_CONFIG_DEFAULT_WS_URL   "wss://api-order-update.dhan.co"

/* Where a secret's text came from. */
typedef enum {
  CT_SECRET_SRC_NONE = 0,
  CT_SECRET_SRC_INLINE, /* written in the configuration file */
  CT_SECRET_SRC_ENV,    /* env:VAR */
  CT_SECRET_SRC_FILE    /* file:/path (trailing whitespace trimmed) */
} ct_secret_source_t;

typedef struct ct_config_secret {
  ct_secret_t value;
  ct_secret_source_t source;
} ct_config_secret_t;

typedef struct ct_config_account {
  char client_id[CT_DHAN_CLIENT_SIZE]; /* digits */
  ct_config_secret_t token;
} ct_config_account_t;

typedef struct ct_config_follower {
  char name[CT_CONFIG_NAME_SIZE];
  char client_id[CT_DHAN_CLIENT_SIZE];
  ct_config_secret_t token;
  ct_sizing_rules_t rules; /* enabled, sizing, allow-lists, limits, window */
  bool copy_modifications;
  bool copy_cancellations;
  bool copy_super_orders;
  bool copy_forever_orders;
  unsigned line; /* line of this entry in the file, for messages */
} ct_config_follower_t;

typedef struct ct_config_rate_limits {
  int64_t orders_per_second;
  int64_t orders_per_minute;
  int64_t orders_per_hour;
  int64_t orders_per_day;
  int64_t non_trading_per_second;
} ct_config_rate_limits_t;

typedef struct ct_config {
  char *path; /* the file loaded, as given */
  ct_config_account_t leader;
  ct_config_follower_t *followers;
  size_t n_followers;
  char *rest_base_url;
  char *order_update_url;
  char *ca_file; /* NULL: the system's CA store */
  char *instruments;
  char *state_dir;
  ct_config_rate_limits_t rate_limits;
  bool has_postback;
  char *postback_listen; /* "host:port" */
  ct_config_secret_t postback_secret;
  int workers;
  int spin_us; /* 0: no spin */
} ct_config_t;

/* A list of error lines, caller-owned (zero it or call _init). */
typedef struct ct_config_errors {
  char **items;
  size_t count;
  size_t cap;
} ct_config_errors_t;

void ct_config_errors_init(ct_config_errors_t *e);
/* Free every line; the struct is left empty and reusable. */
void ct_config_errors_close(ct_config_errors_t *e);

/* Load and validate `path`. On success *out is a new config the caller
 * releases with ct_config_free(). On failure *out is NULL and `errors`
 * (when not NULL) receives one line per problem, appended to what it
 * holds. Returns 0, CT_ECONFIG (validation failed), CT_EIO (file not
 * readable; also reported in `errors`), CT_ENOMEM or CT_EINVAL. */
int ct_config_load(const char *path, ct_config_t **out,
                   ct_config_errors_t *errors);

/* Wipes the secrets and frees everything. NULL is fine. */
void ct_config_free(ct_config_t *cfg);

/* SIGHUP: load cur->path again into a new config (cur is untouched; the
 * caller swaps tokens and rules, then frees the one it drops). The leader's
 * client id and state_dir cannot change without a restart: such a file is
 * refused with CT_ECONFIG. Same returns as ct_config_load(). */
int ct_config_reload(const ct_config_t *cur, ct_config_t **out,
                     ct_config_errors_t *errors);

/* The follower named `name`, or NULL. Valid until ct_config_free(). */
const ct_config_follower_t *ct_config_find_follower(const ct_config_t *cfg,
                                                    const char *name);

/* check-config: load `path`, print every error line to `out` (or one
 * summary line when the file is valid). Returns what ct_config_load does. */
int ct_config_check(const char *path, FILE *out);

#endif /* COPYTRADER_CONFIG_H */
