/*
 * The actor runtime: actors on libuv loops, one loop per worker thread.
 *
 * An actor is state plus a behaviour function plus a mailbox. Each actor is
 * pinned to one worker loop for its whole life, so its behaviour never runs
 * on two threads at once, and any libuv handle it opens on ct_actor_loop()
 * fires on that same thread, never concurrently with the behaviour.
 *
 * Mailboxes are intrusive multi-producer single-consumer queues (after the
 * Pony runtime's messageq). An actor is put on its loop's ready queue only
 * when its mailbox goes from empty to non-empty; a send from another thread
 * wakes the loop with uv_async_send, a send from the same thread does not.
 * Each mailbox has a bound: a send to a full mailbox fails with CT_EFULL and
 * the message stays the sender's (nothing is dropped silently). Runtime
 * messages (the start message, timer ticks, request timeouts) are never
 * refused but do take room while queued.
 *
 * Messages are msgpack envelopes [type, sender id, request id, payload...].
 * Actor code builds them with ct_msg_* (message.h) and reads them with
 * ct_env_* readers; it never touches raw msgpack buffers.
 *
 * Lifetimes: the runtime owns every actor; a ct_actor_t pointer stays valid
 * until ct_runtime_free(), even after the actor has stopped (sends to a
 * stopped actor fail with CT_ECLOSED).
 */
#ifndef COPYTRADER_ACTOR_H
#define COPYTRADER_ACTOR_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "copytrader/message.h"

typedef struct ct_runtime ct_runtime_t;
typedef struct ct_actor ct_actor_t;

/* System message types (user types start at CT_MSG_USER). */
enum {
  CT_MSG_TIMEOUT = 1,      /* a request got no reply in time; request_id set */
  CT_MSG_TIMER = 2,        /* reserved: timers deliver the type given */
  CT_MSG_CHILD_FAILED = 3, /* payload: [child id, child name, error code] */
  CT_MSG_STOP = 4,         /* reserved for the runtime */
  CT_MSG_USER = 256
};

/* What an actor is. The definition must outlive the actor (use a static). */
typedef struct ct_actor_def {
  const char *kind; /* e.g. "orders"; the log name is "kind/name" */
  /* Called on the actor's loop thread when it starts and again after each
   * supervised restart. Allocate state here and store it with
   * ct_actor_set_state(). Return 0, or a negative code to fail the start:
   * a failed init() is not retried; it escalates at once (see
   * ct_restart_policy_t) and stop() is not called for it. May be NULL. */
  int (*init)(ct_actor_t *self, void *arg);
  /* Handle one message. The envelope and what it points to are valid only
   * during the call. A negative return is a failure: the supervisor logs
   * it and restarts or escalates. */
  int (*receive)(ct_actor_t *self, const ct_envelope_t *env);
  /* Release state and start closing handles. Called before a restart and at
   * shutdown, on the loop thread. May be NULL. Handles closed here finish
   * closing while the loop keeps running. */
  void (*stop)(ct_actor_t *self);
} ct_actor_def_t;

/* Restart policy: at most max_restarts within window_ms, then escalate.
 * A restart runs stop() then init(arg) again and cancels the actor's
 * timers and pending requests (their late messages are dropped).
 * Escalating means: a CT_MSG_CHILD_FAILED message to the supervisor, or
 * the runtime's on_escalate callback; the failed actor is then stopped
 * (stop() runs, later sends fail with CT_ECLOSED). */
typedef struct ct_restart_policy {
  unsigned max_restarts; /* 0 means never restart: escalate at once */
  uint64_t window_ms;
} ct_restart_policy_t;

typedef struct ct_spawn_opts {
  const char *name;            /* instance name, copied; e.g. account id */
  int worker;                  /* worker index, or -1 to spread round-robin */
  size_t mailbox_bound;        /* 0: the runtime default */
  ct_actor_t *supervisor;      /* gets CT_MSG_CHILD_FAILED on escalation; NULL:
                                  the runtime's escalation callback */
  ct_restart_policy_t restart; /* {0,0}: the runtime default */
} ct_spawn_opts_t;

/* Called (on the failed actor's thread) when an actor without a supervisor
 * exhausts its restarts. The default logs and stops the runtime. */
typedef void (*ct_escalate_cb)(ct_runtime_t *rt, ct_actor_t *failed, int err,
                               void *ctx);

typedef struct ct_runtime_opts {
  unsigned workers;            /* 0: number of cores */
  size_t mailbox_bound;        /* default per-actor bound; 0: 65536 */
  unsigned batch;              /* messages per actor turn; 0: 64 */
  size_t max_actors;           /* 0: 65536 */
  ct_restart_policy_t restart; /* default policy; {0,0}: 5 in 10 s */
  ct_escalate_cb on_escalate;  /* NULL: log and stop the runtime */
  void *escalate_ctx;
  /* Before a worker's loop blocks in poll, it busy-waits this long for
   * work from other threads; such work then needs no uv_async_send and no
   * thread wake-up (tens of microseconds on a VM). Costs up to this much
   * CPU each time an idle worker goes to sleep. 0: 50 us; negative: never
   * spin. */
  int spin_us;
} ct_runtime_opts_t;

/* Create a runtime (threads not started). `opts` may be NULL. */
int ct_runtime_new(const ct_runtime_opts_t *opts, ct_runtime_t **out);
/* Start the worker threads; actors spawned before start begin then. */
int ct_runtime_start(ct_runtime_t *rt);
/* Ask for an orderly shutdown; safe from any thread, including actors and
 * signal handlers' uv callbacks. New sends fail with CT_ECLOSED, queued
 * messages are delivered, every actor's stop() runs, handles close.
 * Actors still receiving their queued messages cannot send any more (also
 * CT_ECLOSED), so requests made then get no reply. Each worker exits once
 * its actors have stopped and every handle on its loop is closed: an actor
 * must close in stop() what it opened on ct_actor_loop(). */
void ct_runtime_stop(ct_runtime_t *rt);
/* Wait until the runtime has stopped and all worker threads have exited.
 * Call from a thread that is not a worker (CT_ESTATE otherwise). Returns 0
 * if every loop closed cleanly (uv_loop_close() == 0), else CT_ESTATE. */
int ct_runtime_join(ct_runtime_t *rt);
/* Free everything. Only after ct_runtime_join() (or if never started). */
void ct_runtime_free(ct_runtime_t *rt);
unsigned ct_runtime_workers(const ct_runtime_t *rt);

/* Create an actor. May be called from any thread, before or after start.
 * `arg` is handed to def->init on every (re)start and must outlive the
 * actor. The actor pointer is written to *out before init runs. */
int ct_spawn(ct_runtime_t *rt, const ct_actor_def_t *def, void *arg,
             const ct_spawn_opts_t *opts, ct_actor_t **out);
/* Stop one actor: its queued messages are dropped after stop() runs, further
 * sends get CT_ECLOSED. Must be called from the actor's own thread (usually
 * by the actor itself). */
void ct_actor_exit(ct_actor_t *self);

/* Accessors. */
void *ct_actor_state(const ct_actor_t *a);
void ct_actor_set_state(ct_actor_t *a, void *state);
uv_loop_t *ct_actor_loop(const ct_actor_t *a);
ct_runtime_t *ct_actor_runtime(const ct_actor_t *a);
uint64_t ct_actor_id(const ct_actor_t *a);
const char *ct_actor_name(const ct_actor_t *a); /* "kind/name" */
ct_actor_t *ct_runtime_lookup(ct_runtime_t *rt, uint64_t id);
/* Messages waiting in the mailbox now (approximate under concurrency). */
size_t ct_actor_pending(const ct_actor_t *a);

/* Send a built message to `to`. On success the runtime owns `msg`. On
 * failure (CT_EFULL, CT_ECLOSED) the caller still owns it and must free it
 * with ct_msg_free() or send it again later. Safe from any thread. */
int ct_send(ct_actor_t *to, ct_msg_t *msg);

/* Request/reply. Sends `msg` to `to` with a fresh request id (written to
 * *request_id) and expects exactly one answer: either the reply (an
 * envelope with that request_id) or, after timeout_ms, a CT_MSG_TIMEOUT
 * envelope with that request_id. A reply arriving after its timeout is
 * dropped by the runtime. Call only from `self`'s thread. Ownership of
 * `msg` as for ct_send. */
int ct_request(ct_actor_t *self, ct_actor_t *to, ct_msg_t *msg,
               uint64_t timeout_ms, uint64_t *request_id);
/* Send `msg` as the reply to `env` (to its sender, with its request id).
 * Ownership as for ct_send. */
int ct_reply(ct_actor_t *self, const ct_envelope_t *env, ct_msg_t *msg);

/* Timers: after `after_ms` (then every `repeat_ms` if non-zero) the actor
 * receives an envelope of `type` with request_id == *timer_id and an empty
 * payload. Call only from `self`'s thread. */
int ct_timer_start(ct_actor_t *self, uint64_t after_ms, uint64_t repeat_ms,
                   uint32_t type, uint64_t *timer_id);
/* Cancel a timer; CT_ENOTFOUND if it already fired (one-shot) or is unknown. */
int ct_timer_stop(ct_actor_t *self, uint64_t timer_id);

/* The actor whose behaviour is running on the calling thread, or NULL. */
ct_actor_t *ct_actor_current(void);

#endif /* COPYTRADER_ACTOR_H */
