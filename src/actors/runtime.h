/*
 * Private: the structures of the runtime, its workers and its actors, and
 * the functions the actor modules share (ct__ prefix).
 *
 * Threads: a worker's loop, idle handle, local ready list and everything
 * an actor has except its mailbox's producer side are touched only by
 * that worker's thread. Other threads reach a worker through its inject
 * list (mutex) and uv_async_send, and an actor through its mailbox.
 */
#ifndef CT_ACTORS_RUNTIME_H
#define CT_ACTORS_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <uv.h>

#include "copytrader/actor.h"
#include "mailbox.h"

#define CT__TIMER_BUCKETS 64

typedef struct ct__worker {
  ct_runtime_t *rt;
  unsigned index;
  uv_loop_t loop;
  uv_thread_t thread;
  uv_async_t wake;     /* other threads: inject list non-empty, or stop */
  uv_idle_t drive;     /* active while the local ready list is non-empty */
  uv_prepare_t spin;   /* busy-waits for injected work before poll blocks */
  uv_check_t after_io; /* runs what I/O callbacks scheduled, after poll */
  uint64_t spin_ns;
  /* Loop thread only. */
  ct_actor_t *ready_head, *ready_tail;
  size_t nready;
  bool stopping; /* shutdown began on this worker */
  size_t live;   /* actors still to stop during shutdown */
  int close_rc;  /* uv_loop_close() result */
  /* Guarded by inject_mu (written by the loop thread under it). */
  uv_mutex_t inject_mu;
  ct_actor_t *inj_head, *inj_tail;
  bool closed;             /* handles closing: nothing may be scheduled */
  bool spinning;           /* the loop thread is polling inj_pending */
  atomic_bool inj_pending; /* the inject list is non-empty */
  atomic_bool stop_requested;
} ct__worker_t;

struct ct_runtime {
  ct_runtime_opts_t opts; /* defaults resolved */
  ct__worker_t *workers;
  unsigned nworkers;
  unsigned nthreads;            /* worker threads started */
  uv_mutex_t reg_mu;            /* spawn versus shutdown */
  _Atomic(ct_actor_t *) *slots; /* actor id - 1 -> actor */
  size_t nactors;               /* guarded by reg_mu */
  atomic_bool accepting;        /* false once stop was asked */
  atomic_uint next_worker;      /* round-robin placement */
  _Atomic uint64_t next_id;     /* request and timer ids */
  bool started, joined;
};

typedef enum { CT__ST_NEW, CT__ST_RUNNING, CT__ST_STOPPED } ct__actor_st_t;

typedef struct ct__tnode ct__tnode_t;

struct ct_actor {
  ct__mailbox_t mbox; /* first: its head is on its own cache line */
  ct_runtime_t *rt;
  ct__worker_t *w;
  const ct_actor_def_t *def;
  void *arg;
  void *state;
  uint64_t id;
  char *name; /* "kind/name" */
  size_t bound;
  ct_actor_t *supervisor;
  ct_restart_policy_t policy;
  atomic_bool closed; /* sends fail with CT_ECLOSED */
  /* Loop thread only. */
  ct__actor_st_t st;
  bool in_receive; /* inside init() or receive(): exit is deferred */
  bool exiting;
  ct_actor_t *ready_next;
  uint64_t window_start_ms;
  unsigned restarts;
  ct__tnode_t *timers[CT__TIMER_BUCKETS];
  ct__tnode_t *tfree;
};

/* runtime.c */
/* Put `a` on its worker's ready list (its mailbox just became non-empty). */
void ct__schedule(ct_actor_t *a);
/* The worker running on this thread, or NULL. */
ct__worker_t *ct__worker_current(void);
/* Called when an actor reaches STOPPED (for shutdown accounting). */
void ct__worker_actor_stopped(ct__worker_t *w);

/* actor.c */
/* Run up to `batch` messages; true if the actor must stay scheduled. */
bool ct__actor_run(ct_actor_t *a, unsigned batch);
/* Queue a runtime message (bypasses the bound and the closed flag). */
void ct__actor_post(ct_actor_t *a, ct_msg_t *msg, ct__msg_kind_t kind);
/* Stamp and send; `kind` and `request_id` as the message must carry. */
int ct__send(ct_actor_t *to, ct_msg_t *msg, ct__msg_kind_t kind,
             uint64_t request_id);
/* Run init(); on success the actor is RUNNING (and stopped again at once
 * if init() called ct_actor_exit()). Returns init()'s code. */
int ct__actor_init(ct_actor_t *a);
/* Run stop() (if init succeeded), close timers, mark STOPPED. */
void ct__actor_finish_stop(ct_actor_t *a);
void ct__actor_free(ct_actor_t *a);
/* Set the running actor for this thread; returns the previous one. */
ct_actor_t *ct__set_current(ct_actor_t *a);

/* reqreply.c */
/* At delivery: true if the message should reach receive(). */
bool ct__reply_accept(ct_actor_t *a, uint64_t request_id);
bool ct__timeout_accept(ct_actor_t *a, uint64_t request_id);
bool ct__timer_accept(ct_actor_t *a, uint64_t timer_id);
/* Cancel all timers and pending requests (restart). */
void ct__timers_reset(ct_actor_t *a);
/* Close every timer handle (stop). */
void ct__timers_close(ct_actor_t *a);

/* supervisor.c */
/* receive() returned err < 0: log, then restart or escalate. */
void ct__supervise(ct_actor_t *a, int err);
/* init() failed with err: log and escalate (no restart). */
void ct__escalate(ct_actor_t *a, int err);
void ct__default_escalate(ct_runtime_t *rt, ct_actor_t *failed, int err,
                          void *ctx);

#endif /* CT_ACTORS_RUNTIME_H */
