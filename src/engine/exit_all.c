/*
 * exit_all.c: the exit-all job of exit_all.h, one short-lived actor.
 *
 * The job is a small state machine driven by API results. Each phase
 * issues its calls at once, keeps their request ids in `pend`, and the
 * phase advances when that list is empty: (super list -> leg cancels) ->
 * orders -> cancels -> (forever list -> deletes) -> positions -> square-off
 * slices -> verify polls (timer between polls) -> (kill switch -> read
 * back) -> done. Every call's
 * request id maps to the report step it fills. The job never sends a
 * mutating request twice: failures are recorded, not retried. Running
 * jobs from a command line and the report helpers: exit_all_run.c.
 */
#include "copytrader/exit_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/api_calls.h"
#include "copytrader/corrid.h"
#include "copytrader/error.h"
#include "copytrader/log.h"

enum { MSG_KICK = CT_MSG_USER + 401, MSG_POLL = CT_MSG_USER + 402 };

typedef enum {
  PH_SUPER = 0,
  PH_SCANCEL,
  PH_ORDERS,
  PH_CANCEL,
  PH_FOREVER,
  PH_FDELETE,
  PH_POSITIONS,
  PH_SQUARE,
  PH_VERIFY,
  PH_KILL,
  PH_KILL_GET,
  PH_DONE
} phase_t;

typedef struct pending {
  uint64_t rid;
  size_t step;
} pending_t;

typedef struct job {
  ct_exit_opts_t o;
  ct_exit_report_t rep;
  size_t cap_steps;
  pending_t *pend;
  size_t n_pend, cap_pend;
  phase_t phase;
  unsigned polls;
  unsigned verify_working, verify_positions; /* of the current poll */
  size_t verify_step;
  char run_id[32]; /* "exit-<unix ms>": the corrid's leader part */
  uint32_t corr_index;
} job_t;

/* --- report ----------------------------------------------------------------
 */

static ct_exit_step_t *add_step(job_t *j, ct_exit_step_kind_t kind,
                                size_t *idx) {
  if (j->rep.n_steps == j->cap_steps) {
    size_t cap = j->cap_steps ? 2 * j->cap_steps : 16;
    ct_exit_step_t *p = realloc(j->rep.steps, cap * sizeof *p);
    if (p == NULL)
      return NULL;
    j->rep.steps = p;
    j->cap_steps = cap;
  }
  *idx = j->rep.n_steps++;
  memset(&j->rep.steps[*idx], 0, sizeof j->rep.steps[*idx]);
  j->rep.steps[*idx].kind = kind;
  return &j->rep.steps[*idx];
}

static void step_fail(ct_exit_step_t *s, int err, const char *why) {
  s->err = err;
  snprintf(s->message, sizeof s->message, "%s", why);
}

/* Copy the outcome of a result into its step. */
static void step_outcome(ct_exit_step_t *s, const ct_api_result_t *r) {
  s->err = r->err;
  s->cls = r->cls;
  snprintf(s->error_code, sizeof s->error_code, "%s", r->dhan.error_code);
  if (r->reason[0] != '\0')
    snprintf(s->message, sizeof s->message, "%s", r->reason);
  else if (r->dhan.error_message[0] != '\0')
    snprintf(s->message, sizeof s->message, "%s", r->dhan.error_message);
  else if (r->err != 0)
    snprintf(s->message, sizeof s->message, "%s", ct_strerror(r->err));
}

/* --- calls -----------------------------------------------------------------
 */

static int track(job_t *j, uint64_t rid, size_t step) {
  if (j->n_pend == j->cap_pend) {
    size_t cap = j->cap_pend ? 2 * j->cap_pend : 16;
    pending_t *p = realloc(j->pend, cap * sizeof *p);
    if (p == NULL)
      return CT_ENOMEM;
    j->pend = p;
    j->cap_pend = cap;
  }
  j->pend[j->n_pend++] = (pending_t){ rid, step };
  return 0;
}

/* After a call helper: record the request, or fail its step at once. */
static void issued(job_t *j, size_t step, int rc, uint64_t rid) {
  if (rc == 0)
    rc = track(j, rid, step);
  if (rc != 0)
    step_fail(&j->rep.steps[step], rc, "not sent");
}

static void finish(ct_actor_t *self, job_t *j, int err);
static void advance(ct_actor_t *self, job_t *j);

/* A list call that the next phase depends on. */
static void list_call(ct_actor_t *self, job_t *j, ct_exit_step_kind_t kind) {
  size_t idx;
  uint64_t rid = 0;
  int rc;
  uint64_t tmo = j->o.call_timeout_ms;
  if (add_step(j, kind, &idx) == NULL) {
    finish(self, j, CT_ENOMEM);
    return;
  }
  if (kind == CT_EXIT_STEP_LIST_ORDERS || kind == CT_EXIT_STEP_VERIFY)
    rc = ct_orders_list(self, j->o.orders, tmo, &rid);
  else if (kind == CT_EXIT_STEP_LIST_SUPER)
    rc = ct_super_list(self, j->o.super, tmo, &rid);
  else if (kind == CT_EXIT_STEP_LIST_FOREVER)
    rc = ct_forever_list(self, j->o.forever, tmo, &rid);
  else
    rc = ct_portfolio_positions(self, j->o.portfolio, tmo, &rid);
  issued(j, idx, rc, rid);
  if (rc != 0)
    finish(self, j, rc);
}

static bool is_working(ct_dhan_status_t s) {
  return s == CT_DHAN_STATUS_TRANSIT || s == CT_DHAN_STATUS_PENDING ||
         s == CT_DHAN_STATUS_PART_TRADED;
}

/* Forever orders that may still place an order. */
static bool forever_live(ct_dhan_status_t s) {
  return s == CT_DHAN_STATUS_PENDING || s == CT_DHAN_STATUS_CONFIRM ||
         s == CT_DHAN_STATUS_TRANSIT || s == CT_DHAN_STATUS_UNKNOWN;
}

/* What a cancel or delete step records about the order it withdraws. */
typedef struct target {
  const char *order_id, *security_id;
  ct_dhan_segment_t segment;
  ct_dhan_product_t product;
  ct_dhan_txn_t txn;
  ct_dhan_leg_t leg; /* CANCEL_SUPER */
  int64_t quantity;
} target_t;

/* Any of the three order records: they share these fields' names. */
#define TARGET(o, leg, qty)                                                    \
  ((target_t){ (o)->order_id, (o)->security_id, (o)->segment, (o)->product,    \
               (o)->txn, (leg), (qty) })

/* Cancel (or, for a forever order, delete) one order and record its step;
 * out of memory finishes the job. */
static void withdraw(ct_actor_t *self, job_t *j, ct_exit_step_kind_t kind,
                     target_t t) {
  size_t idx;
  uint64_t rid = 0;
  uint64_t tmo = j->o.call_timeout_ms;
  int rc;
  ct_exit_step_t *s = add_step(j, kind, &idx);
  if (s == NULL) {
    finish(self, j, CT_ENOMEM);
    return;
  }
  snprintf(s->order_id, sizeof s->order_id, "%s", t.order_id);
  snprintf(s->security_id, sizeof s->security_id, "%s", t.security_id);
  s->segment = t.segment;
  s->product = t.product;
  s->txn = t.txn;
  s->leg = t.leg;
  s->quantity = t.quantity;
  if (kind == CT_EXIT_STEP_CANCEL_SUPER)
    rc = ct_super_cancel(self, j->o.super, t.order_id, t.leg, tmo, &rid);
  else if (kind == CT_EXIT_STEP_DELETE_FOREVER)
    rc = ct_forever_delete(self, j->o.forever, t.order_id, tmo, &rid);
  else
    rc = ct_orders_cancel(self, j->o.orders, t.order_id, tmo, &rid);
  issued(j, idx, rc, rid);
}

static void cancel_supers(ct_actor_t *self, job_t *j,
                          const ct_api_result_t *r) {
  const ct_dhan_super_order_t *o = r->items;
  for (size_t i = 0; i < r->count && j->phase != PH_DONE; i++) {
    if (is_working(o[i].status)) {
      withdraw(self, j, CT_EXIT_STEP_CANCEL_SUPER,
               TARGET(&o[i], CT_DHAN_LEG_ENTRY, o[i].remaining_quantity));
      continue;
    }
    if (o[i].status != CT_DHAN_STATUS_TRADED)
      continue;
    for (unsigned k = 0; k < o[i].n_legs && j->phase != PH_DONE; k++) {
      const ct_dhan_super_leg_t *l = &o[i].legs[k];
      if (l->leg != CT_DHAN_LEG_ENTRY && is_working(l->status))
        withdraw(self, j, CT_EXIT_STEP_CANCEL_SUPER,
                 TARGET(&o[i], l->leg, l->remaining_quantity));
    }
  }
}

static void cancel_orders(ct_actor_t *self, job_t *j,
                          const ct_api_result_t *r) {
  const ct_dhan_order_t *o = r->items;
  for (size_t i = 0; i < r->count && j->phase != PH_DONE; i++)
    if (is_working(o[i].status))
      withdraw(self, j, CT_EXIT_STEP_CANCEL,
               TARGET(&o[i], CT_DHAN_LEG_NONE, o[i].remaining_quantity));
}

static void delete_forever(ct_actor_t *self, job_t *j,
                           const ct_api_result_t *r) {
  const ct_dhan_forever_order_t *o = r->items;
  for (size_t i = 0; i < r->count && j->phase != PH_DONE; i++)
    if (forever_live(o[i].status))
      withdraw(self, j, CT_EXIT_STEP_DELETE_FOREVER,
               TARGET(&o[i], CT_DHAN_LEG_NONE, o[i].quantity));
}

/* One MARKET slice closing (part of) a position. */
static void place_slice(ct_actor_t *self, job_t *j, const ct_dhan_position_t *p,
                        int64_t qty, uint32_t slice, uint32_t slices) {
  ct_dhan_place_req_t req;
  ct_corrid_input_t ci = { j->run_id, j->rep.client_id, CT_CORRID_EXIT,
                           j->corr_index++, 0 };
  size_t idx;
  uint64_t rid = 0;
  int rc;
  ct_exit_step_t *s = add_step(j, CT_EXIT_STEP_SQUARE_OFF, &idx);
  if (s == NULL) {
    finish(self, j, CT_ENOMEM);
    return;
  }
  memset(&req, 0, sizeof req);
  snprintf(req.o.security_id, sizeof req.o.security_id, "%s", p->security_id);
  req.o.txn = p->net_qty > 0 ? CT_DHAN_TXN_SELL : CT_DHAN_TXN_BUY;
  req.o.segment = p->segment;
  req.o.product = p->product;
  req.o.order_type = CT_DHAN_OTYPE_MARKET;
  req.o.validity = CT_DHAN_VALIDITY_DAY;
  req.o.quantity = qty;
  rc = ct_corrid_make(&ci, req.o.correlation_id);
  snprintf(s->correlation_id, sizeof s->correlation_id, "%s",
           req.o.correlation_id);
  snprintf(s->security_id, sizeof s->security_id, "%s", p->security_id);
  s->segment = p->segment;
  s->product = p->product;
  s->txn = req.o.txn;
  s->quantity = qty;
  s->slice = slice;
  s->slices = slices;
  if (rc == 0)
    rc = ct_orders_place(self, j->o.orders, &req, j->o.call_timeout_ms, &rid);
  issued(j, idx, rc, rid);
}

static void square_off(ct_actor_t *self, job_t *j, const ct_api_result_t *r) {
  const ct_dhan_position_t *p = r->items;
  for (size_t i = 0; i < r->count && j->phase != PH_DONE; i++) {
    const ct_instrument_t *ins = NULL;
    int64_t left = p[i].net_qty < 0 ? -p[i].net_qty : p[i].net_qty, max;
    uint32_t n, k = 0;
    if (left == 0)
      continue;
    if (j->o.instruments != NULL)
      ins = ct_instruments_find(j->o.instruments,
                                ct_dhan_segment_str(p[i].segment),
                                p[i].security_id);
    max = ins != NULL ? ct_exit_max_slice(ins->lot_size, ins->freeze_qty) : 0;
    if (max == 0)
      max = left;
    n = (uint32_t)((left + max - 1) / max);
    for (; left > 0 && j->phase != PH_DONE; k++) {
      int64_t q = left < max ? left : max;
      place_slice(self, j, &p[i], q, k, n);
      left -= q;
    }
  }
}

/* One verify poll: count what is still open. */
static void verify_count(job_t *j, const ct_api_result_t *r, bool orders) {
  if (orders) {
    const ct_dhan_order_t *o = r->items;
    for (size_t i = 0; i < r->count; i++)
      j->verify_working += is_working(o[i].status);
  } else {
    const ct_dhan_position_t *p = r->items;
    for (size_t i = 0; i < r->count; i++)
      j->verify_positions += p[i].net_qty != 0;
  }
}

static void verify_start(ct_actor_t *self, job_t *j) {
  uint64_t rid = 0;
  int rc;
  j->polls++;
  j->verify_working = j->verify_positions = 0;
  list_call(self, j, CT_EXIT_STEP_VERIFY); /* the orders half */
  if (j->phase == PH_DONE)
    return;
  j->verify_step = j->rep.n_steps - 1;
  rc = ct_portfolio_positions(self, j->o.portfolio, j->o.call_timeout_ms, &rid);
  issued(j, j->verify_step, rc, rid);
  if (rc != 0)
    finish(self, j, rc);
}

static void kill_call(ct_actor_t *self, job_t *j, ct_exit_step_kind_t kind) {
  size_t idx;
  uint64_t rid = 0;
  int rc;
  if (add_step(j, kind, &idx) == NULL) {
    finish(self, j, CT_ENOMEM);
    return;
  }
  rc =
      kind == CT_EXIT_STEP_KILL_SWITCH
          ? ct_control_kill_set(self, j->o.control, true, j->o.call_timeout_ms,
                                &rid)
          : ct_control_kill_get(self, j->o.control, j->o.call_timeout_ms, &rid);
  issued(j, idx, rc, rid);
  if (rc != 0)
    advance(self, j);
}

/* --- the state machine ------------------------------------------------------
 */

static void after_verify(ct_actor_t *self, job_t *j) {
  size_t idx;
  ct_exit_step_t *s;
  j->rep.working_left = j->verify_working;
  j->rep.positions_left = j->verify_positions;
  j->rep.flat = j->verify_working == 0 && j->verify_positions == 0;
  if (!j->rep.flat && j->polls < j->o.verify_polls) {
    uint64_t tid;
    if (ct_timer_start(self, j->o.verify_interval_ms, 0, MSG_POLL, &tid) != 0)
      finish(self, j, CT_ENOMEM);
    return;
  }
  if (!j->o.kill_switch) {
    finish(self, j, 0);
    return;
  }
  j->phase = PH_KILL;
  if (j->rep.flat) {
    kill_call(self, j, CT_EXIT_STEP_KILL_SWITCH);
    return;
  }
  if ((s = add_step(j, CT_EXIT_STEP_KILL_SWITCH, &idx)) != NULL)
    step_fail(s, CT_ESTATE, "not sent: orders or positions still open");
  j->phase = PH_KILL_GET;
  kill_call(self, j, CT_EXIT_STEP_KILL_STATUS);
}

/* Every call of the current phase has answered: start the next. */
static void advance(ct_actor_t *self, job_t *j) {
  if (j->n_pend > 0)
    return;
  switch (j->phase) {
  case PH_SUPER:
  case PH_SCANCEL:
    j->phase = PH_ORDERS;
    list_call(self, j, CT_EXIT_STEP_LIST_ORDERS);
    break;
  case PH_ORDERS:
  case PH_CANCEL:
    j->phase = j->o.forever != NULL ? PH_FOREVER : PH_POSITIONS;
    list_call(self, j,
              j->o.forever != NULL ? CT_EXIT_STEP_LIST_FOREVER
                                   : CT_EXIT_STEP_LIST_POSITIONS);
    break;
  case PH_FOREVER:
  case PH_FDELETE:
    j->phase = PH_POSITIONS;
    list_call(self, j, CT_EXIT_STEP_LIST_POSITIONS);
    break;
  case PH_POSITIONS:
  case PH_SQUARE:
    j->phase = PH_VERIFY;
    verify_start(self, j);
    break;
  case PH_VERIFY:
    after_verify(self, j);
    break;
  case PH_KILL:
    j->phase = PH_KILL_GET;
    kill_call(self, j, CT_EXIT_STEP_KILL_STATUS);
    break;
  case PH_KILL_GET:
  case PH_DONE:
    finish(self, j, 0);
    break;
  }
}

/* A list result the job depends on: stop early when it failed. */
static bool list_ok(ct_actor_t *self, job_t *j, const ct_api_result_t *r) {
  if (r->err == 0)
    return true;
  finish(self, j, r->err);
  return false;
}

static void tally(job_t *j, ct_exit_step_t *s, const ct_api_result_t *r) {
  const ct_dhan_order_ack_t *ack = r->count > 0 ? r->items : NULL;
  if (ack != NULL && r->item_size == sizeof *ack) {
    if (s->kind == CT_EXIT_STEP_SQUARE_OFF)
      snprintf(s->order_id, sizeof s->order_id, "%s", ack->order_id);
    s->status = ack->status;
  }
  if (s->kind == CT_EXIT_STEP_CANCEL ||
      s->kind == CT_EXIT_STEP_DELETE_FOREVER ||
      s->kind == CT_EXIT_STEP_CANCEL_SUPER)
    r->err == 0 ? j->rep.cancelled++ : j->rep.cancel_failed++;
  else if (s->kind == CT_EXIT_STEP_SQUARE_OFF)
    r->err == 0 ? j->rep.placed++ : j->rep.place_failed++;
}

static void on_result(ct_actor_t *self, job_t *j, size_t step,
                      const ct_api_result_t *r) {
  ct_exit_step_t *s = &j->rep.steps[step];
  if (s->kind != CT_EXIT_STEP_VERIFY || s->err == 0)
    step_outcome(s, r);
  switch (s->kind) {
  case CT_EXIT_STEP_LIST_ORDERS:
    if (list_ok(self, j, r) && (j->phase = PH_CANCEL) == PH_CANCEL)
      cancel_orders(self, j, r);
    break;
  case CT_EXIT_STEP_LIST_SUPER:
    if (list_ok(self, j, r) && (j->phase = PH_SCANCEL) == PH_SCANCEL)
      cancel_supers(self, j, r);
    break;
  case CT_EXIT_STEP_LIST_FOREVER:
    if (list_ok(self, j, r) && (j->phase = PH_FDELETE) == PH_FDELETE)
      delete_forever(self, j, r);
    break;
  case CT_EXIT_STEP_LIST_POSITIONS:
    if (list_ok(self, j, r) && (j->phase = PH_SQUARE) == PH_SQUARE)
      square_off(self, j, r);
    break;
  case CT_EXIT_STEP_VERIFY:
    if (list_ok(self, j, r))
      verify_count(j, r, r->call == CT_API_ORDER_LIST);
    break;
  case CT_EXIT_STEP_KILL_SWITCH:
  case CT_EXIT_STEP_KILL_STATUS:
    if (r->err == 0 && r->count > 0)
      j->rep.kill_state = ((const ct_dhan_killswitch_t *)r->items)->state;
    break;
  default:
    tally(j, s, r);
    break;
  }
}

static void finish(ct_actor_t *self, job_t *j, int err) {
  if (j->phase == PH_DONE)
    return;
  j->phase = PH_DONE;
  j->rep.err = err;
  if (err != 0)
    ct_log_warn("exit_all", "client=%s msg=\"stopped early\" err=%s",
                j->rep.client_id, ct_err_name(err));
  j->o.done(&j->rep, j->o.ctx);
  j->o.done = NULL;
  ct_actor_exit(self);
}

static int job_receive(ct_actor_t *self, const ct_envelope_t *env) {
  job_t *j = ct_actor_state(self);
  ct_api_result_t r;
  size_t i;
  if (j->phase == PH_DONE)
    return 0;
  if (env->type == MSG_KICK) {
    j->phase = j->o.super != NULL ? PH_SUPER : PH_ORDERS;
    list_call(self, j,
              j->o.super != NULL ? CT_EXIT_STEP_LIST_SUPER
                                 : CT_EXIT_STEP_LIST_ORDERS);
  }
  if (env->type == MSG_POLL)
    verify_start(self, j);
  if (env->type != CT_MSG_API_RESULT && env->type != CT_MSG_TIMEOUT)
    return 0;
  for (i = 0; i < j->n_pend && j->pend[i].rid != env->request_id; i++)
    ;
  if (i == j->n_pend || ct_api_result_read(env, &r) != 0)
    return 0; /* not ours (a timer), or unreadable: its timeout follows */
  size_t step = j->pend[i].step;
  j->pend[i] = j->pend[--j->n_pend];
  on_result(self, j, step, &r);
  ct_api_result_free(&r);
  if (j->phase != PH_DONE)
    advance(self, j);
  return 0;
}

static int job_init(ct_actor_t *self, void *arg) {
  job_t *j = arg;
  uint64_t tid;
  ct_actor_set_state(self, j);
  return ct_timer_start(self, 0, 0, MSG_KICK, &tid);
}

/* Runtime shutdown before the job ended: report it as closed. */
static void job_stop(ct_actor_t *self) {
  job_t *j = ct_actor_state(self);
  if (j == NULL)
    return;
  if (j->o.done != NULL) {
    j->rep.err = CT_ECLOSED;
    j->o.done(&j->rep, j->o.ctx);
  }
  free(j->rep.steps);
  free(j->pend);
  free(j);
  ct_actor_set_state(self, NULL);
}

static const ct_actor_def_t job_def = { "exit_all", job_init, job_receive,
                                        job_stop };

static job_t *job_new(const ct_exit_opts_t *o) {
  struct timespec ts;
  job_t *j = calloc(1, sizeof *j);
  if (j == NULL)
    return NULL;
  j->o = *o;
  if (j->o.call_timeout_ms == 0)
    j->o.call_timeout_ms = 10000;
  if (j->o.verify_polls == 0)
    j->o.verify_polls = 20;
  if (j->o.verify_interval_ms == 0)
    j->o.verify_interval_ms = 250;
  snprintf(j->rep.client_id, sizeof j->rep.client_id, "%s", o->client_id);
  j->o.client_id = j->rep.client_id;
  j->rep.kill_requested = o->kill_switch;
  clock_gettime(CLOCK_REALTIME, &ts);
  snprintf(j->run_id, sizeof j->run_id, "exit-%lld%03ld", (long long)ts.tv_sec,
           ts.tv_nsec / 1000000);
  return j;
}

int ct_exit_all_start(ct_runtime_t *rt, const ct_exit_opts_t *o) {
  ct_spawn_opts_t so = { 0 };
  ct_actor_t *a;
  job_t *j;
  int rc;
  if (rt == NULL || o == NULL || o->orders == NULL || o->portfolio == NULL ||
      o->done == NULL || o->client_id == NULL || o->client_id[0] == '\0' ||
      strlen(o->client_id) >= CT_DHAN_CLIENT_SIZE ||
      (o->kill_switch && o->control == NULL))
    return CT_EINVAL;
  if ((j = job_new(o)) == NULL)
    return CT_ENOMEM;
  so.name = j->rep.client_id;
  so.worker = o->worker;
  so.restart = (ct_restart_policy_t){ 0, 1 }; /* never restart */
  if ((rc = ct_spawn(rt, &job_def, j, &so, &a)) != 0)
    free(j);
  return rc;
}
