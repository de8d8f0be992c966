/*
 * The runtime: worker threads, one libuv loop each, and their ready lists.
 *
 * An actor whose mailbox goes from empty to non-empty is scheduled on its
 * worker. From the worker's own thread that is a plain list append plus
 * starting the worker's uv_idle handle (so the loop polls without
 * blocking while work is ready); no wake-up is paid. From another thread
 * the actor goes on the worker's inject list under a mutex, and only the
 * send that made that list non-empty calls uv_async_send (libuv coalesces
 * further sends anyway). Each pass over the ready list gives every actor
 * one batch of messages, then returns to the loop so I/O keeps moving.
 *
 * Shutdown: ct_runtime_stop() closes the door (sends fail with
 * CT_ECLOSED) and wakes every worker. A worker then queues a STOP message
 * behind whatever each of its actors still has queued, so mailboxes drain
 * before stop() runs. When its last actor has stopped, the worker closes
 * its own handles; uv_run() returns once the actors' handles are closed
 * too, and the thread checks that uv_loop_close() succeeds.
 */
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "runtime.h"

static __thread ct__worker_t *tls_worker;

ct__worker_t *ct__worker_current(void) {
  return tls_worker;
}

static void resolve_opts(ct_runtime_opts_t *o) {
  if (o->workers == 0)
    o->workers = uv_available_parallelism();
  if (o->mailbox_bound == 0)
    o->mailbox_bound = 65536;
  if (o->batch == 0)
    o->batch = 64;
  if (o->max_actors == 0)
    o->max_actors = 65536;
  if (o->restart.max_restarts == 0 && o->restart.window_ms == 0) {
    o->restart.max_restarts = 5;
    o->restart.window_ms = 10000;
  }
  if (o->spin_us == 0)
    o->spin_us = 50;
  if (o->on_escalate == NULL)
    o->on_escalate = ct__default_escalate;
}

/* Local ready list (loop thread only). */
static void ready_push(ct__worker_t *w, ct_actor_t *a) {
  a->ready_next = NULL;
  if (w->ready_tail != NULL)
    w->ready_tail->ready_next = a;
  else
    w->ready_head = a;
  w->ready_tail = a;
  w->nready++;
}

static ct_actor_t *ready_pop(ct__worker_t *w) {
  ct_actor_t *a = w->ready_head;
  if (a != NULL) {
    w->ready_head = a->ready_next;
    if (w->ready_head == NULL)
      w->ready_tail = NULL;
    w->nready--;
  }
  return a;
}

/* Turns a pass may give beyond the actors ready when it began. */
#define PASS_EXTRA 256

/* One pass: a turn for every actor that was ready when the pass began, and
 * for every actor a send from this worker schedules during the pass (up to
 * PASS_EXTRA more turns), so a chain of same-worker hops (feed -> leader ->
 * follower -> API -> HTTP) completes in one pass instead of costing a loop
 * iteration per hop. An actor whose batch ran out waits for the next pass,
 * so I/O still gets its turn between batches. */
static void run_pass(ct__worker_t *w) {
  size_t budget = w->nready + PASS_EXTRA;
  ct_actor_t *again = NULL, **again_tail = &again;
  ct_actor_t *a;
  while (budget-- > 0 && (a = ready_pop(w)) != NULL) {
    if (ct__actor_run(a, w->rt->opts.batch) && !w->closed) {
      a->ready_next = NULL;
      *again_tail = a;
      again_tail = &a->ready_next;
    }
  }
  while (again != NULL) {
    a = again;
    again = a->ready_next;
    ready_push(w, a);
  }
  if (w->nready == 0)
    uv_idle_stop(&w->drive);
}

static void drive_cb(uv_idle_t *h) {
  run_pass(h->data);
}

/* Right after poll: run what the I/O callbacks just scheduled (a socket
 * frame's actor, a finished request's owner) in this loop iteration. */
static void after_io_cb(uv_check_t *h) {
  ct__worker_t *w = h->data;
  if (w->nready > 0 && !w->closed)
    run_pass(w);
}

void ct__schedule(ct_actor_t *a) {
  ct__worker_t *w = a->w;
  if (tls_worker == w) {
    if (w->closed)
      return;
    ready_push(w, a);
    if (w->nready == 1)
      uv_idle_start(&w->drive, drive_cb);
    return;
  }
  uv_mutex_lock(&w->inject_mu);
  if (!w->closed) {
    a->ready_next = NULL;
    if (w->inj_tail != NULL) {
      w->inj_tail->ready_next = a;
    } else {
      w->inj_head = a;
      /* release: the spinning loop thread acquires it and then takes the
       * lock; the flag itself only says "look". */
      atomic_store_explicit(&w->inj_pending, true, memory_order_release);
      /* A spinning worker will see the flag: no wake-up needed. Under the
       * lock, so the handle cannot be closing yet. */
      if (!w->spinning)
        uv_async_send(&w->wake);
    }
    w->inj_tail = a;
  }
  uv_mutex_unlock(&w->inject_mu);
}

/* Move the inject list onto the local ready list. */
static void take_injected(ct__worker_t *w) {
  ct_actor_t *head;
  uv_mutex_lock(&w->inject_mu);
  head = w->inj_head;
  w->inj_head = w->inj_tail = NULL;
  w->spinning = false;
  /* relaxed: written and read under inject_mu from here on. */
  atomic_store_explicit(&w->inj_pending, false, memory_order_relaxed);
  uv_mutex_unlock(&w->inject_mu);
  while (head != NULL) {
    ct_actor_t *next = head->ready_next;
    ready_push(w, head);
    head = next;
  }
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* Before poll would block: spin a little for work from other threads. */
static void spin_cb(uv_prepare_t *h) {
  ct__worker_t *w = h->data;
  uint64_t deadline;
  if (w->nready > 0 || w->stopping || w->closed)
    return; /* poll will not block, or we are shutting down */
  uv_mutex_lock(&w->inject_mu);
  w->spinning = w->inj_head == NULL;
  uv_mutex_unlock(&w->inject_mu);
  deadline = uv_hrtime() + w->spin_ns;
  /* acquire: pairs with the release in ct__schedule (then the lock). */
  while (w->spinning &&
         !atomic_load_explicit(&w->inj_pending, memory_order_acquire)) {
    for (int i = 0; i < 32; i++)
      cpu_relax();
    if (uv_hrtime() >= deadline)
      break;
  }
  take_injected(w); /* also ends the spin for producers */
  if (w->nready > 0) {
    run_pass(w);
    /* Work came in: more may follow soon. Keep the idle handle on so
     * this poll does not block (I/O still gets its turn) and we are back
     * here spinning right after it. */
    uv_idle_start(&w->drive, drive_cb);
  }
}

static void worker_close(ct__worker_t *w) {
  uv_mutex_lock(&w->inject_mu);
  w->closed = true;
  uv_mutex_unlock(&w->inject_mu);
  uv_close((uv_handle_t *)&w->wake, NULL);
  uv_close((uv_handle_t *)&w->drive, NULL);
  uv_close((uv_handle_t *)&w->spin, NULL);
  uv_close((uv_handle_t *)&w->after_io, NULL);
}

void ct__worker_actor_stopped(ct__worker_t *w) {
  if (w->stopping && w->live > 0 && --w->live == 0)
    worker_close(w);
}

/* Queue STOP behind every live actor of this worker. */
static void begin_stop(ct__worker_t *w) {
  ct_runtime_t *rt = w->rt;
  w->stopping = true;
  uv_mutex_lock(&rt->reg_mu);
  for (size_t i = 0; i < rt->nactors; i++) {
    /* relaxed: reg_mu orders the slot stores of spawn before us. */
    ct_actor_t *a = atomic_load_explicit(&rt->slots[i], memory_order_relaxed);
    if (a->w != w || a->st == CT__ST_STOPPED)
      continue;
    ct_msg_t *m;
    if (ct_msg_new(CT_MSG_STOP, &m) != 0) {
      ct_log_error("actors", "actor=%s msg=\"no memory for STOP\"", a->name);
      continue;
    }
    w->live++;
    ct__actor_post(a, m, CT__KIND_STOP);
  }
  uv_mutex_unlock(&rt->reg_mu);
  if (w->live == 0)
    worker_close(w);
}

static void wake_cb(uv_async_t *h) {
  ct__worker_t *w = h->data;
  take_injected(w);
  /* acquire: pairs with the release in ct_runtime_stop. */
  if (!w->stopping &&
      atomic_load_explicit(&w->stop_requested, memory_order_acquire))
    begin_stop(w);
  if (w->nready > 0 && !w->closed) {
    uv_idle_start(&w->drive, drive_cb);
    run_pass(w);
  }
}

static void log_open_handle(uv_handle_t *h, void *arg) {
  (void)arg;
  ct_log_error("actors", "msg=\"handle left open at shutdown\" type=%s",
               uv_handle_type_name(uv_handle_get_type(h)));
}

static void worker_main(void *arg) {
  ct__worker_t *w = arg;
  tls_worker = w;
  uv_run(&w->loop, UV_RUN_DEFAULT);
  w->close_rc = uv_loop_close(&w->loop);
  if (w->close_rc != 0) {
    uv_walk(&w->loop, log_open_handle, NULL);
    ct_log_error("actors", "worker=%u msg=\"loop did not close\" err=%s",
                 w->index, uv_err_name(w->close_rc));
  }
  ct__msg_thread_release();
  tls_worker = NULL;
}

static int worker_init(ct_runtime_t *rt, unsigned i) {
  ct__worker_t *w = &rt->workers[i];
  w->rt = rt;
  w->index = i;
  if (uv_loop_init(&w->loop) != 0)
    return CT_ENOMEM;
  if (uv_mutex_init(&w->inject_mu) != 0) {
    uv_loop_close(&w->loop);
    return CT_ENOMEM;
  }
  uv_async_init(&w->loop, &w->wake, wake_cb);
  uv_idle_init(&w->loop, &w->drive);
  uv_prepare_init(&w->loop, &w->spin);
  uv_check_init(&w->loop, &w->after_io);
  w->wake.data = w;
  w->drive.data = w;
  w->spin.data = w;
  w->after_io.data = w;
  uv_check_start(&w->after_io, after_io_cb);
  w->spin_ns = rt->opts.spin_us > 0 ? (uint64_t)rt->opts.spin_us * 1000 : 0;
  if (w->spin_ns > 0)
    uv_prepare_start(&w->spin, spin_cb);
  atomic_init(&w->stop_requested, false);
  atomic_init(&w->inj_pending, false);
  return 0;
}

/* Close a worker whose thread never ran: finish on the caller's thread. */
static void worker_destroy_unstarted(ct__worker_t *w) {
  uv_close((uv_handle_t *)&w->wake, NULL);
  uv_close((uv_handle_t *)&w->drive, NULL);
  uv_close((uv_handle_t *)&w->spin, NULL);
  uv_close((uv_handle_t *)&w->after_io, NULL);
  uv_run(&w->loop, UV_RUN_DEFAULT);
  uv_loop_close(&w->loop);
  uv_mutex_destroy(&w->inject_mu);
}

int ct_runtime_new(const ct_runtime_opts_t *opts, ct_runtime_t **out) {
  ct_runtime_t *rt = calloc(1, sizeof(*rt));
  unsigned i = 0;
  if (rt == NULL || out == NULL)
    goto fail;
  if (opts != NULL)
    rt->opts = *opts;
  resolve_opts(&rt->opts);
  rt->nworkers = rt->opts.workers;
  rt->workers = calloc(rt->nworkers, sizeof(*rt->workers));
  rt->slots = calloc(rt->opts.max_actors, sizeof(*rt->slots));
  if (rt->workers == NULL || rt->slots == NULL ||
      uv_mutex_init(&rt->reg_mu) != 0)
    goto fail;
  for (; i < rt->nworkers; i++)
    if (worker_init(rt, i) != 0)
      goto fail_workers;
  atomic_init(&rt->accepting, true);
  atomic_init(&rt->next_worker, 0);
  atomic_init(&rt->next_id, 1);
  *out = rt;
  return 0;
fail_workers:
  while (i-- > 0)
    worker_destroy_unstarted(&rt->workers[i]);
  uv_mutex_destroy(&rt->reg_mu);
fail:
  if (rt != NULL) {
    free(rt->workers);
    free(rt->slots);
    free(rt);
  }
  return out == NULL ? CT_EINVAL : CT_ENOMEM;
}

int ct_runtime_start(ct_runtime_t *rt) {
  if (rt == NULL || rt->started)
    return rt == NULL ? CT_EINVAL : CT_ESTATE;
  for (unsigned i = 0; i < rt->nworkers; i++) {
    if (uv_thread_create(&rt->workers[i].thread, worker_main,
                         &rt->workers[i]) != 0) {
      rt->nthreads = i;
      /* Stop the ones already running; join collects them. */
      ct_runtime_stop(rt);
      rt->started = i > 0;
      return CT_ENOMEM;
    }
  }
  rt->nthreads = rt->nworkers;
  rt->started = true;
  return 0;
}

void ct_runtime_stop(ct_runtime_t *rt) {
  if (rt == NULL || rt->joined)
    return; /* after join the workers' mutexes are gone */
  uv_mutex_lock(&rt->reg_mu);
  /* relaxed: reg_mu orders this against spawns; senders only need to see
   * the flag eventually (a send that slips past it is still delivered or
   * freed by the runtime). */
  atomic_store_explicit(&rt->accepting, false, memory_order_relaxed);
  uv_mutex_unlock(&rt->reg_mu);
  for (unsigned i = 0; i < rt->nworkers; i++) {
    ct__worker_t *w = &rt->workers[i];
    /* release: pairs with the acquire in wake_cb. */
    atomic_store_explicit(&w->stop_requested, true, memory_order_release);
    uv_mutex_lock(&w->inject_mu);
    if (!w->closed)
      uv_async_send(&w->wake);
    uv_mutex_unlock(&w->inject_mu);
  }
}

int ct_runtime_join(ct_runtime_t *rt) {
  int rc = 0;
  if (rt == NULL)
    return CT_EINVAL;
  if (tls_worker != NULL)
    return CT_ESTATE; /* a worker would wait for itself */
  if (!rt->started || rt->joined)
    return 0;
  for (unsigned i = 0; i < rt->nthreads; i++) {
    uv_thread_join(&rt->workers[i].thread);
    if (rt->workers[i].close_rc != 0)
      rc = CT_ESTATE;
    uv_mutex_destroy(&rt->workers[i].inject_mu);
  }
  rt->joined = true;
  return rc;
}

void ct_runtime_free(ct_runtime_t *rt) {
  if (rt == NULL)
    return;
  if (rt->started && !rt->joined) {
    ct_runtime_stop(rt);
    ct_runtime_join(rt);
  }
  for (unsigned i = rt->nthreads; i < rt->nworkers; i++)
    worker_destroy_unstarted(&rt->workers[i]);
  for (size_t i = 0; i < rt->nactors; i++)
    ct__actor_free(rt->slots[i]);
  uv_mutex_destroy(&rt->reg_mu);
  free(rt->slots);
  free(rt->workers);
  free(rt);
  ct__msg_pool_purge();
}

unsigned ct_runtime_workers(const ct_runtime_t *rt) {
  return rt->nworkers;
}

ct_actor_t *ct_runtime_lookup(ct_runtime_t *rt, uint64_t id) {
  if (rt == NULL || id == 0 || id > rt->opts.max_actors)
    return NULL;
  /* acquire: pairs with the release in ct_spawn, so the actor is fully
   * initialised before we hand it out. */
  return atomic_load_explicit(&rt->slots[id - 1], memory_order_acquire);
}
