/*
 * Actors: spawning, sending, and running one actor's turn.
 *
 * An actor is created by ct_spawn() and registered under its id; its first
 * message is a runtime START that runs init() on the actor's own loop
 * thread. ct_send() stamps the envelope's sender, reserves a place under
 * the mailbox bound and pushes; the push that finds the mailbox empty
 * schedules the actor (runtime.c). ct__actor_run() then pops up to one
 * batch and dispatches each message: runtime kinds (start, stop, timers,
 * request timeouts and replies) are filtered here, the rest go to
 * receive(). A negative receive() goes to the supervisor logic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "runtime.h"

static __thread ct_actor_t *tls_current;

ct_actor_t *ct_actor_current(void) {
  return tls_current;
}

ct_actor_t *ct__set_current(ct_actor_t *a) {
  ct_actor_t *prev = tls_current;
  tls_current = a;
  return prev;
}

static ct_actor_t *actor_alloc(ct_runtime_t *rt, const ct_actor_def_t *def,
                               void *arg, const ct_spawn_opts_t *o) {
  ct_actor_t *a = aligned_alloc(64, (sizeof(*a) + 63) / 64 * 64);
  const char *name = o != NULL && o->name != NULL ? o->name : "-";
  if (a == NULL)
    return NULL;
  memset(a, 0, sizeof(*a));
  if (asprintf(&a->name, "%s/%s", def->kind ? def->kind : "actor", name) < 0) {
    free(a);
    return NULL;
  }
  ct__mailbox_init(&a->mbox);
  a->rt = rt;
  a->def = def;
  a->arg = arg;
  a->bound =
      o != NULL && o->mailbox_bound ? o->mailbox_bound : rt->opts.mailbox_bound;
  a->supervisor = o != NULL ? o->supervisor : NULL;
  a->policy = rt->opts.restart;
  if (o != NULL && (o->restart.max_restarts || o->restart.window_ms))
    a->policy = o->restart;
  atomic_init(&a->closed, false);
  a->st = CT__ST_NEW;
  return a;
}

static ct__worker_t *pick_worker(ct_runtime_t *rt, const ct_spawn_opts_t *o) {
  unsigned i;
  if (o != NULL && o->worker >= 0)
    return (unsigned)o->worker < rt->nworkers ? &rt->workers[o->worker] : NULL;
  /* relaxed: only spreads actors; any interleaving is fine. */
  i = atomic_fetch_add_explicit(&rt->next_worker, 1, memory_order_relaxed);
  return &rt->workers[i % rt->nworkers];
}

int ct_spawn(ct_runtime_t *rt, const ct_actor_def_t *def, void *arg,
             const ct_spawn_opts_t *opts, ct_actor_t **out) {
  ct_actor_t *a = NULL;
  ct_msg_t *start = NULL;
  ct__worker_t *w;
  int rc = CT_EINVAL;
  if (rt == NULL || def == NULL || def->receive == NULL ||
      (w = pick_worker(rt, opts)) == NULL)
    goto fail;
  rc = CT_ENOMEM;
  if ((a = actor_alloc(rt, def, arg, opts)) == NULL ||
      ct_msg_new(CT_MSG_STOP, &start) != 0)
    goto fail;
  a->w = w;
  uv_mutex_lock(&rt->reg_mu);
  /* relaxed: reg_mu orders this with ct_runtime_stop. */
  if (!atomic_load_explicit(&rt->accepting, memory_order_relaxed))
    rc = CT_ECLOSED;
  else if (rt->nactors == rt->opts.max_actors)
    rc = CT_EFULL;
  else
    rc = 0;
  if (rc == 0) {
    a->id = rt->nactors + 1;
    if (out != NULL)
      *out = a;
    /* release: lookups (acquire) see a fully initialised actor. */
    atomic_store_explicit(&rt->slots[rt->nactors++], a, memory_order_release);
    /* Inside the lock so a concurrent shutdown queues STOP after START. */
    ct__actor_post(a, start, CT__KIND_START);
  }
  uv_mutex_unlock(&rt->reg_mu);
  if (rc == 0)
    return 0;
fail:
  ct_msg_free(start);
  if (a != NULL)
    ct__actor_free(a);
  return rc;
}

void ct__actor_free(ct_actor_t *a) {
  ct__mailbox_destroy(&a->mbox);
  free(a->name);
  free(a);
}

void ct__actor_post(ct_actor_t *a, ct_msg_t *msg, ct__msg_kind_t kind) {
  msg->kind = (uint8_t)kind;
  ct__mailbox_reserve_force(&a->mbox);
  if (ct__mailbox_push(&a->mbox, msg))
    ct__schedule(a);
}

int ct__send(ct_actor_t *to, ct_msg_t *msg, ct__msg_kind_t kind,
             uint64_t request_id) {
  ct_actor_t *self = tls_current;
  if (to == NULL || msg == NULL)
    return CT_EINVAL;
  /* relaxed (both): advisory flags; a send that races past them is still
   * delivered or freed by the runtime, never lost to a dangling pointer. */
  if (!atomic_load_explicit(&to->rt->accepting, memory_order_relaxed) ||
      atomic_load_explicit(&to->closed, memory_order_relaxed))
    return CT_ECLOSED;
  if (!ct__mailbox_reserve(&to->mbox, to->bound))
    return CT_EFULL;
  ct__msg_stamp(msg, self != NULL ? self->id : 0, request_id);
  msg->kind = (uint8_t)kind;
  if (ct__mailbox_push(&to->mbox, msg))
    ct__schedule(to);
  return 0;
}

int ct_send(ct_actor_t *to, ct_msg_t *msg) {
  return ct__send(to, msg, CT__KIND_USER, 0);
}

int ct__actor_init(ct_actor_t *a) {
  int rc = 0;
  if (a->def->init != NULL) {
    a->in_receive = true; /* an exit() inside init() waits for its end */
    rc = a->def->init(a, a->arg);
    a->in_receive = false;
  }
  if (rc == 0) {
    a->st = CT__ST_RUNNING;
    if (a->exiting)
      ct__actor_finish_stop(a);
  }
  return rc;
}

static void run_init(ct_actor_t *a) {
  int rc = ct__actor_init(a);
  if (rc == 0)
    return;
  ct_log_error("actors", "actor=%s msg=\"init failed\" err=%s", a->name,
               ct_err_name(rc));
  a->exiting = false;
  ct__escalate(a, rc);
}

static void deliver(ct_actor_t *a, const ct_msg_t *m, uint32_t type) {
  ct_envelope_t env = { type, m->from, m->request_id, m->buf, m->len };
  int rc;
  a->in_receive = true;
  rc = a->def->receive(a, &env);
  a->in_receive = false;
  if (rc < 0 && a->st == CT__ST_RUNNING && !a->exiting)
    ct__supervise(a, rc);
  if (a->exiting)
    ct__actor_finish_stop(a);
}

static void dispatch(ct_actor_t *a, const ct_msg_t *m) {
  switch (m->kind) {
  case CT__KIND_START:
    if (a->st == CT__ST_NEW)
      run_init(a);
    return;
  case CT__KIND_STOP:
    ct__actor_finish_stop(a);
    return;
  default:
    break;
  }
  if (a->st != CT__ST_RUNNING)
    return; /* stopped: queued messages are dropped */
  switch (m->kind) {
  case CT__KIND_REPLY:
    if (ct__reply_accept(a, m->request_id))
      deliver(a, m, m->type);
    break;
  case CT__KIND_TIMEOUT:
    if (ct__timeout_accept(a, m->request_id))
      deliver(a, m, CT_MSG_TIMEOUT);
    break;
  case CT__KIND_TIMER:
    if (ct__timer_accept(a, m->request_id))
      deliver(a, m, m->type);
    break;
  default:
    deliver(a, m, m->type);
  }
}

bool ct__actor_run(ct_actor_t *a, unsigned batch) {
  ct_actor_t *prev = ct__set_current(a);
  bool again = true;
  for (unsigned i = 0; i < batch; i++) {
    /* The popped message stays the queue's tail: the next pop frees it. */
    ct_msg_t *m = ct__mailbox_pop(&a->mbox);
    if (m == NULL) {
      /* Park only if nothing is queued and no push is half done. */
      again = !ct__mailbox_markempty(&a->mbox);
      break;
    }
    dispatch(a, m);
  }
  ct__set_current(prev);
  return again;
}

void ct__actor_finish_stop(ct_actor_t *a) {
  ct_actor_t *prev;
  if (a->st == CT__ST_STOPPED)
    return;
  /* relaxed: advisory for senders, see ct__send. */
  atomic_store_explicit(&a->closed, true, memory_order_relaxed);
  prev = ct__set_current(a);
  if (a->st == CT__ST_RUNNING && a->def->stop != NULL)
    a->def->stop(a);
  ct__set_current(prev);
  ct__timers_close(a);
  a->st = CT__ST_STOPPED;
  a->exiting = false;
  ct__worker_actor_stopped(a->w);
}

void ct_actor_exit(ct_actor_t *self) {
  if (self == NULL || self->st == CT__ST_STOPPED)
    return;
  if (self->in_receive)
    self->exiting = true; /* finished when receive() returns */
  else
    ct__actor_finish_stop(self);
}

void *ct_actor_state(const ct_actor_t *a) {
  return a->state;
}

void ct_actor_set_state(ct_actor_t *a, void *state) {
  a->state = state;
}

uv_loop_t *ct_actor_loop(const ct_actor_t *a) {
  return &a->w->loop;
}

ct_runtime_t *ct_actor_runtime(const ct_actor_t *a) {
  return a->rt;
}

uint64_t ct_actor_id(const ct_actor_t *a) {
  return a->id;
}

const char *ct_actor_name(const ct_actor_t *a) {
  return a->name;
}

size_t ct_actor_pending(const ct_actor_t *a) {
  return ct__mailbox_count(&a->mbox);
}
