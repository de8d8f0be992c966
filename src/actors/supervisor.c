/*
 * Supervision: what happens when an actor fails.
 *
 * A receive() that returns a negative code is a failure. The actor is
 * logged by name ("kind/name") and restarted in place (stop(), then
 * init(arg) again, with its timers and pending requests cancelled) while
 * its policy allows: at most max_restarts within window_ms. Past that, or
 * when init() itself fails, the failure escalates: to the supervisor actor
 * as a CT_MSG_CHILD_FAILED message [child id, child name, error code], or,
 * without a supervisor, to the runtime's on_escalate callback (default:
 * log and stop the runtime). An escalated actor is stopped.
 */
#include "copytrader/error.h"
#include "copytrader/log.h"
#include "runtime.h"

static uint64_t now_ms(void) {
  return uv_hrtime() / 1000000u;
}

static bool restart_allowed(ct_actor_t *a) {
  uint64_t now = now_ms();
  if (a->policy.max_restarts == 0)
    return false;
  if (a->restarts == 0 || now - a->window_start_ms > a->policy.window_ms) {
    a->window_start_ms = now;
    a->restarts = 0;
  }
  if (a->restarts >= a->policy.max_restarts)
    return false;
  a->restarts++;
  return true;
}

static void restart(ct_actor_t *a) {
  int rc;
  ct_log_warn("actors", "actor=%s msg=\"restarting\" restart=%u max=%u",
              a->name, a->restarts, a->policy.max_restarts);
  if (a->def->stop != NULL)
    a->def->stop(a);
  ct__timers_reset(a);
  a->state = NULL;
  a->st = CT__ST_NEW;
  if ((rc = ct__actor_init(a)) == 0)
    return;
  a->exiting = false;
  ct_log_error("actors", "actor=%s msg=\"init failed on restart\" err=%s",
               a->name, ct_err_name(rc));
  ct__escalate(a, rc);
}

void ct__supervise(ct_actor_t *a, int err) {
  ct_log_warn("actors", "actor=%s msg=\"receive failed\" err=%s", a->name,
              ct_err_name(err));
  if (restart_allowed(a))
    restart(a);
  else
    ct__escalate(a, err);
}

static int notify_supervisor(ct_actor_t *a, int err) {
  ct_msg_t *m;
  int rc = ct_msg_new(CT_MSG_CHILD_FAILED, &m);
  if (rc != 0)
    return rc;
  if ((rc = ct_msg_put_u64(m, a->id)) != 0 ||
      (rc = ct_msg_put_cstr(m, a->name)) != 0 ||
      (rc = ct_msg_put_i64(m, err)) != 0 ||
      (rc = ct_send(a->supervisor, m)) != 0)
    ct_msg_free(m);
  return rc;
}

void ct__escalate(ct_actor_t *a, int err) {
  ct_log_error("actors", "actor=%s msg=\"escalating\" err=%s supervisor=%s",
               a->name, ct_err_name(err),
               a->supervisor != NULL ? a->supervisor->name : "-");
  if (a->supervisor != NULL) {
    int rc = notify_supervisor(a, err);
    if (rc != 0)
      ct_log_error("actors", "actor=%s msg=\"supervisor not told\" err=%s",
                   a->name, ct_err_name(rc));
  } else {
    a->rt->opts.on_escalate(a->rt, a, err, a->rt->opts.escalate_ctx);
  }
  if (a->in_receive)
    a->exiting = true;
  else
    ct__actor_finish_stop(a);
}

void ct__default_escalate(ct_runtime_t *rt, ct_actor_t *failed, int err,
                          void *ctx) {
  (void)ctx;
  ct_log_error("actors",
               "actor=%s msg=\"no supervisor: stopping runtime\" "
               "err=%s",
               ct_actor_name(failed), ct_err_name(err));
  ct_runtime_stop(rt);
}
