/*
 * Test fixture for the replication engine: a real dhansim with a leader
 * and six follower accounts, a configuration file written to a temporary
 * directory, the engine running in the test process (ct_engine_start),
 * and blocking helpers that act as the leader (place, modify, cancel over
 * REST with the leader's token), read the followers' books through
 * dhansim's admin plane, and read the engine's store once it is stopped.
 */
#ifndef CT_TEST_ENGINE_FX_H
#define CT_TEST_ENGINE_FX_H

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "copytrader/engine.h"
#include "copytrader/store.h"
#include "sim.h"

#define EFX_LEADER "1000000001"
#define EFX_F2     "1000000002" /* funds 10,000,000 */
#define EFX_F3     "1000000003" /* funds 10,000,000 */
#define EFX_F4     "1000000004" /* funds 5,000,000 */
#define EFX_F5     "1000000005" /* funds 10,000,000 */
#define EFX_F6     "1000000006" /* funds 1,000 */
#define EFX_F7     "1000000007" /* funds 10,000,000 */
#define EFX_F8     "1000000008" /* funds 10,000,000 */
#define EFX_F9     "1000000009" /* funds 20,000 */

/* A leader SINGLE forever order's fields (ct_efx_place_at on
 * "/forever/orders"): BUY q TCS (11536, NSE_EQ, CNC) LIMIT 3000, trigger
 * 3001, DAY. */
#define EFX_SINGLE_TCS(q)                                                      \
  "\"orderFlag\":\"SINGLE\",\"transactionType\":\"BUY\",\"exchangeSegment\":"  \
  "\"NSE_EQ\",\"productType\":\"CNC\",\"orderType\":\"LIMIT\",\"validity\":"   \
  "\"DAY\",\"securityId\":\"11536\",\"quantity\":" #q                          \
  ",\"price\":3000,\"triggerPrice\":3001"

typedef struct ct_efx {
  ct_sim_t sim;
  char *dir;
  char cfg_path[512];
  char state_dir[512];
  char metrics[512];
  char api[160]; /* dhansim's REST base, ".../v2" */
  ct_config_t *cfg;
  ct_engine_t *eng;
  _Atomic int ready;
  /* Optional, set before ct_efx_config / ct_efx_start: */
  const char *ws_url;       /* order_update_url; NULL: dhansim's */
  const char *extra_yaml;   /* appended to the config file */
  uint64_t leader_poll_ms;  /* 0: 250 */
  uint64_t status_ms;       /* status snapshot period; 0: the engine's */
  uint64_t control_poll_ms; /* pause flags period; 0: the engine's */
} ct_efx_t;

/* Start dhansim (extra args appended, NULL-terminated list or NULL) and
 * make the temporary directory. Clears *fx first. */
void ct_efx_sim(ct_efx_t *fx, const char *const *extra);
/* Write the config: `followers` is the YAML list under "followers:"
 * (each entry's token is "tok" + its client id). */
void ct_efx_config(ct_efx_t *fx, const char *followers);
/* Load the config and start the engine; waits for the first leader book. */
void ct_efx_start(ct_efx_t *fx);
/* All three: dhansim, the config, the engine. */
void ct_efx_up(ct_efx_t *fx, const char *const *extra, const char *followers);
/* Stop and free the engine (asserts a clean join). */
void ct_efx_stop(ct_efx_t *fx);
/* Stop the engine if running, dhansim, remove the directory. */
void ct_efx_teardown(ct_efx_t *fx);
/* cmocka setup and teardown around the two above: ct_efx_setup runs
 * ct_efx_up and leaves `fx` in *state, where ct_efx_cm_teardown finds it
 * (for a group or for one test). Both return 0. */
int ct_efx_setup(void **state, ct_efx_t *fx, const char *const *extra,
                 const char *followers);
int ct_efx_cm_teardown(void **state);
/* ct_efx_setup, then wait until `account` has asked for its fund limit
 * and the answer has had time to reach the follower actor (300 ms): for
 * tests whose first order needs the funds. */
int ct_efx_setup_funded(void **state, ct_efx_t *fx, const char *const *extra,
                        const char *followers, const char *account);

/* The leader places an order: `fields` are JSON members without braces
 * (dhanClientId is added). The new order id goes to `oid` (32 bytes). */
void ct_efx_place(ct_efx_t *fx, const char *fields, char *oid);
/* The same to another route ("/super/orders", "/forever/orders"). */
void ct_efx_place_at(ct_efx_t *fx, const char *path, const char *fields,
                     char *oid);
/* PUT /orders/{oid} with `fields` (orderId, dhanClientId added). */
void ct_efx_modify(ct_efx_t *fx, const char *oid, const char *fields);
void ct_efx_cancel(ct_efx_t *fx, const char *oid);
/* The same modification by another account (a human editing a follower's
 * order by hand): token "tok" + acct. */
void ct_efx_modify_as(ct_efx_t *fx, const char *acct, const char *oid,
                      const char *fields);
void ct_efx_admin(ct_efx_t *fx, const char *path, const char *body);

/* The follower order mirroring leader order `oid` as a whole (corr id
 * kind ORDER; `slice` >= 0 gives slice `slice`). */
void ct_efx_corr(const char *oid, const char *follower, int slice,
                 char corr[CT_CORRID_SIZE]);
/* The same for any kind and index (super legs, forever legs). */
void ct_efx_corr_of(const char *oid, const char *follower,
                    ct_corrid_kind_t kind, uint32_t index,
                    char corr[CT_CORRID_SIZE]);
/* Every order of `account` (admin view); the caller frees it. */
cJSON *ct_efx_book(ct_efx_t *fx, const char *account);
/* Wait up to timeout_ms for `account`'s order with correlation id `corr`
 * (and status `status` unless NULL). Returns a copy (caller frees) or
 * NULL on timeout. */
cJSON *ct_efx_wait(ct_efx_t *fx, const char *account, const char *corr,
                   const char *status, int timeout_ms);
/* Orders of `account` whose correlation id is `corr`. */
/* dhansim's request log: how many requests of `account` with this method
 * and path; waiting until `n` more than `from` arrived (asserts within
 * 8 s); waiting until the account's order polls (its book, or orders
 * one by one) stop (1.2 s without one: the engine sees no open order and
 * no unread final fills, so it has merged them). */
int ct_efx_count_req(ct_efx_t *fx, const char *account, const char *method,
                     const char *path);
void ct_efx_wait_req(ct_efx_t *fx, const char *account, const char *method,
                     const char *path, int from, int n);
void ct_efx_wait_book_quiet(ct_efx_t *fx, const char *account);
int ct_efx_count_corr(ct_efx_t *fx, const char *account, const char *corr);
/* Fail when `account` has two orders with one correlation id. Returns how
 * many orders it has. */
int ct_efx_no_duplicates(ct_efx_t *fx, const char *account);

/* After ct_efx_stop(): the stored decision. 0 or CT_ENOTFOUND. */
int ct_efx_decision(ct_efx_t *fx, const char *leader_oid, const char *follower,
                    ct_decision_t *out);
int ct_efx_forder(ct_efx_t *fx, const char *follower, const char *corr,
                  ct_forder_t *out);
/* After ct_efx_stop(): set the phase and status of a stored follower
 * order (as a crash right after that write leaves it). */
void ct_efx_forder_set(ct_efx_t *fx, const char *follower, const char *corr,
                       ct_forder_phase_t phase, ct_dhan_status_t status);
/* After ct_efx_stop(): put the record of an acknowledged follower order
 * back to INTENT with no order id and no attempts, as a crash between the
 * send and the stored answer leaves it (every other field, the intent
 * time too, kept). */
void ct_efx_forder_unanswered(ct_efx_t *fx, const char *follower,
                              const char *corr);
/* After ct_efx_stop(): `follower` has a SKIP decision on `leader_oid` with
 * `reason`, and no order mirroring it on dhansim (fails otherwise). */
void ct_efx_expect_skip(ct_efx_t *fx, const char *leader_oid,
                        const char *follower, const char *reason);

/* The copytrader binary as a child: args after the program name
 * (NULL-terminated); stdout and stderr appended to `log`. The child dies
 * with the test process. */
pid_t ct_efx_spawn(const char *const *args, const char *log);
/* Run copytrader to the end: its exit status (-1 on error); stdout and
 * stderr together in out (NUL-terminated, cut at cap). */
int ct_efx_run_cli(const char *const *args, char *out, size_t cap);

#endif /* CT_TEST_ENGINE_FX_H */
