/*
 * exit_all_run.c: the parts of exit_all.h around the job actor: running
 * several jobs from a command-line thread and waiting for them (a mutex
 * and a condition variable, signalled from the jobs' done callbacks on
 * the workers), report copies, step names and the slicing rule.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/exit_all.h"

static const char *const step_names[CT_EXIT_STEP_COUNT] = {
  "list_orders", "cancel", "list_forever", "delete_forever", "list_positions",
  "square_off",  "verify", "kill_switch",  "kill_status"
};

const char *ct_exit_step_name(ct_exit_step_kind_t k) {
  return (unsigned)k < CT_EXIT_STEP_COUNT ? step_names[k] : "?";
}

int64_t ct_exit_max_slice(int64_t lot, int64_t freeze_qty) {
  int64_t max;
  if (lot <= 0)
    lot = 1;
  if (freeze_qty <= 0)
    return 0;
  max = (freeze_qty / lot) * lot;
  return max > 0 ? max : lot;
}

int ct_exit_report_copy(const ct_exit_report_t *src, ct_exit_report_t *dst) {
  *dst = *src;
  dst->steps = NULL;
  if (src->n_steps == 0)
    return 0;
  if ((dst->steps = malloc(src->n_steps * sizeof *dst->steps)) == NULL) {
    dst->n_steps = 0;
    return CT_ENOMEM;
  }
  memcpy(dst->steps, src->steps, src->n_steps * sizeof *dst->steps);
  return 0;
}

void ct_exit_report_clear(ct_exit_report_t *rep) {
  if (rep == NULL)
    return;
  free(rep->steps);
  memset(rep, 0, sizeof *rep);
}

/* --- blocking wrapper --------------------------------------------------------
 */

typedef struct waiter {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  size_t left;
  int err;
} waiter_t;

typedef struct slot {
  waiter_t *w;
  ct_exit_report_t *out;
} slot_t;

static void wake(const ct_exit_report_t *rep, void *ctx) {
  slot_t *s = ctx;
  int rc = ct_exit_report_copy(rep, s->out);
  pthread_mutex_lock(&s->w->mu);
  if (rc != 0 && s->w->err == 0)
    s->w->err = rc;
  if (--s->w->left == 0)
    pthread_cond_signal(&s->w->cv);
  pthread_mutex_unlock(&s->w->mu);
}

int ct_exit_all_run(ct_runtime_t *rt, const ct_exit_opts_t *opts, size_t n,
                    ct_exit_report_t *out) {
  waiter_t w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
  slot_t *slots;
  int first = 0;
  if (opts == NULL || out == NULL || n == 0)
    return CT_EINVAL;
  if (ct_actor_current() != NULL)
    return CT_ESTATE;
  if ((slots = calloc(n, sizeof *slots)) == NULL)
    return CT_ENOMEM;
  memset(out, 0, n * sizeof *out);
  for (size_t i = 0; i < n; i++) {
    ct_exit_opts_t o = opts[i];
    int rc;
    slots[i] = (slot_t){ &w, &out[i] };
    o.done = wake;
    o.ctx = &slots[i];
    pthread_mutex_lock(&w.mu);
    w.left++;
    pthread_mutex_unlock(&w.mu);
    if ((rc = ct_exit_all_start(rt, &o)) != 0) {
      pthread_mutex_lock(&w.mu);
      w.left--;
      pthread_mutex_unlock(&w.mu);
      out[i].err = rc;
      if (opts[i].client_id != NULL)
        snprintf(out[i].client_id, sizeof out[i].client_id, "%s",
                 opts[i].client_id);
      first = first ? first : rc;
    }
  }
  pthread_mutex_lock(&w.mu);
  while (w.left > 0)
    pthread_cond_wait(&w.cv, &w.mu);
  pthread_mutex_unlock(&w.mu);
  free(slots);
  return first ? first : w.err;
}
