/*
 * Exit all: flatten one follower account through its API module actors.
 *
 * An exit-all job is a short-lived actor on the runtime. It never blocks:
 * every step is a call to the account's module actors (api_calls.h), so
 * the account's limiters, breakers and auth state apply as for the engine.
 * The steps, in order:
 *  0. When opts.super is given: GET /super/orders; a super order whose
 *     entry is still working is cancelled whole (DELETE .../ENTRY_LEG),
 *     one whose entry has traded has each working exit leg cancelled
 *     (TARGET_LEG, STOP_LOSS_LEG), so the legs do not fire later.
 *  1. GET /orders; every working order (TRANSIT, PENDING, PART_TRADED) is
 *     cancelled with DELETE /orders/{id}, all requests at once (the orders
 *     limiter paces them). Forever orders are deleted too when
 *     opts.forever is given (they would place orders later).
 *  2. GET /positions (after every cancel has answered, so a fill that
 *     raced a cancel is seen); each position with netQty != 0 is closed
 *     with MARKET orders of the opposite side, same segment, security and
 *     product, validity DAY, cut into slices of at most the instrument's
 *     freeze quantity rounded down to whole lots (POST /orders per slice,
 *     each with its own correlation id, CT_CORRID_EXIT). A place whose
 *     outcome is unknown is reported, never re-sent.
 *  3. Verify: GET /orders and GET /positions again until nothing is
 *     working and every net quantity is 0, at most verify_polls times,
 *     verify_interval_ms apart. Nothing is sent in this step.
 *  4. When opts.kill_switch: only if step 3 found the account flat (Dhan
 *     refuses the kill switch otherwise), POST /killswitch ACTIVATE, then
 *     GET /killswitch to read the state back.
 * Every request is one ct_exit_step_t of the report, with the classified
 * error (dhan_error.h) when it failed. A failed list call ends the job
 * early (report.err says why); a failed cancel or place does not.
 */
#ifndef COPYTRADER_EXIT_ALL_H
#define COPYTRADER_EXIT_ALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/actor.h"
#include "copytrader/dhan_error.h"
#include "copytrader/dhan_types.h"
#include "copytrader/instruments.h"

typedef enum {
  CT_EXIT_STEP_LIST_ORDERS = 0,
  CT_EXIT_STEP_CANCEL,
  CT_EXIT_STEP_LIST_FOREVER,
  CT_EXIT_STEP_DELETE_FOREVER,
  CT_EXIT_STEP_LIST_POSITIONS,
  CT_EXIT_STEP_SQUARE_OFF, /* one slice */
  CT_EXIT_STEP_VERIFY,     /* one poll (orders + positions) */
  CT_EXIT_STEP_KILL_SWITCH,
  CT_EXIT_STEP_KILL_STATUS,
  CT_EXIT_STEP_LIST_SUPER,
  CT_EXIT_STEP_CANCEL_SUPER, /* one leg (ENTRY_LEG: the whole order) */
  CT_EXIT_STEP_COUNT
} ct_exit_step_kind_t;

/* One request and its outcome. Fixed-size; copy freely. */
typedef struct ct_exit_step {
  ct_exit_step_kind_t kind;
  int err;             /* 0 or a CT_E* code (api.h ct_api_result_t) */
  ct_dhan_class_t cls; /* classification when answered */
  char error_code[32]; /* "DH-906", "" */
  char message[CT_DHAN_TEXT_SIZE]; /* Dhan's message or the local reason */
  char order_id[CT_DHAN_ID_SIZE];  /* cancelled order, or the placed one */
  char correlation_id[CT_DHAN_CORRID_SIZE]; /* SQUARE_OFF */
  char security_id[CT_DHAN_SECID_SIZE];
  ct_dhan_segment_t segment;
  ct_dhan_product_t product;
  ct_dhan_txn_t txn;
  int64_t quantity;        /* SQUARE_OFF slice; CANCEL: the order's remainder */
  uint32_t slice;          /* SQUARE_OFF: 0-based slice of its position */
  uint32_t slices;         /* SQUARE_OFF: slices of its position */
  ct_dhan_leg_t leg;       /* CANCEL_SUPER */
  ct_dhan_status_t status; /* the status the answer gave */
} ct_exit_step_t;

typedef struct ct_exit_report {
  char client_id[CT_DHAN_CLIENT_SIZE];
  int err; /* 0, or why the job stopped early (a list call failed) */
  size_t n_steps;
  ct_exit_step_t *steps; /* malloc'd; ct_exit_report_clear() */
  /* Tallies over the steps. */
  unsigned cancelled, cancel_failed;
  unsigned placed, place_failed;
  unsigned working_left;   /* working orders at the last verify poll */
  unsigned positions_left; /* positions with netQty != 0 at that poll */
  bool flat;               /* the last verify poll found nothing open */
  bool kill_requested;
  ct_dhan_kill_state_t kill_state; /* read back; UNKNOWN when not asked */
} ct_exit_report_t;

/* Called once, on the job actor's thread, with the finished report. The
 * report is borrowed: copy it (ct_exit_report_copy) to keep it. */
typedef void (*ct_exit_done_cb)(const ct_exit_report_t *rep, void *ctx);

typedef struct ct_exit_opts {
  const char *client_id; /* for the report and correlation ids; copied */
  ct_actor_t *orders;    /* the account's CT_API_ORDERS actor, required */
  ct_actor_t *portfolio; /* CT_API_PORTFOLIO, required */
  ct_actor_t *control;   /* CT_API_CONTROL; required with kill_switch */
  ct_actor_t *forever;   /* CT_API_FOREVER; NULL: forever orders stay */
  ct_actor_t *super;     /* CT_API_SUPER; NULL: super orders' legs are
                            cancelled as plain orders in step 1 */
  /* Lot size and freeze quantity per instrument; NULL, or an instrument
   * it lacks: one order for the whole quantity. Must outlive the job. */
  const ct_instruments_t *instruments;
  bool kill_switch;
  uint64_t call_timeout_ms;    /* per call; 0: 10000 */
  unsigned verify_polls;       /* 0: 20 */
  uint64_t verify_interval_ms; /* 0: 250 */
  int worker;                  /* worker of the job actor; -1: any */
  ct_exit_done_cb done;        /* required */
  void *ctx;
} ct_exit_opts_t;

/* Start a job on `rt` (from any thread; the runtime may be started before
 * or after). `opts` is copied. Returns 0, CT_EINVAL (missing actor,
 * client id or callback), CT_ENOMEM, or what ct_spawn() returns. The job
 * actor exits by itself after calling done. */
int ct_exit_all_start(ct_runtime_t *rt, const ct_exit_opts_t *opts);

/* Blocking convenience for a command-line thread that is NOT a runtime
 * worker (CT_ESTATE if it is): start `n` jobs (e.g. one per follower, all
 * at once) on the started runtime `rt` and wait until all have finished;
 * opts[i].done/ctx are ignored. out[i] receives a copy of job i's report
 * (clear each with ct_exit_report_clear()). Returns 0, or the first error
 * of ct_exit_all_start() (jobs already started are still waited for; the
 * report of a job that did not start has err set to that error) or
 * CT_ENOMEM from copying a report. The outcome of each job is in
 * out[i].err and its steps. */
int ct_exit_all_run(ct_runtime_t *rt, const ct_exit_opts_t *opts, size_t n,
                    ct_exit_report_t *out);

/* Deep copy (the steps array is duplicated). 0 or CT_ENOMEM. */
int ct_exit_report_copy(const ct_exit_report_t *src, ct_exit_report_t *dst);
/* Free the steps and zero the report. */
void ct_exit_report_clear(ct_exit_report_t *rep);

/* "cancel", "square_off", ...; static, "?" out of range. */
const char *ct_exit_step_name(ct_exit_step_kind_t k);

/* The largest square-off slice for an instrument: freeze_qty rounded
 * down to whole lots (one lot when the freeze quantity is below a lot, as
 * in sizing.h), or 0 (no limit) when freeze_qty <= 0. lot <= 0 counts as
 * 1. */
int64_t ct_exit_max_slice(int64_t lot, int64_t freeze_qty);

#endif /* COPYTRADER_EXIT_ALL_H */
