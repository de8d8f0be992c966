/*
 * Private: the actor mailbox, an intrusive MPSC queue after Pony's
 * messageq.c. Any thread may push; only the actor's loop thread pops.
 *
 * The queue has a stub node, so it is never structurally empty: `tail` is
 * the last message consumed (or the stub) and the real messages follow it.
 * The low bit of `head` is the "empty, not scheduled" marker: a push that
 * finds it set returns true and the pusher must schedule the actor.
 */
#ifndef CT_ACTORS_MAILBOX_H
#define CT_ACTORS_MAILBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

typedef struct ct__mailbox {
  /* Producers' side, on its own cache line. */
  _Alignas(64) _Atomic(uintptr_t) head;
  atomic_size_t count; /* messages pushed and not yet popped */
  /* Consumer's side. */
  _Alignas(64) ct_msg_t *tail;
  ct_msg_t stub;
} ct__mailbox_t;

/* Starts empty and marked (not scheduled). */
void ct__mailbox_init(ct__mailbox_t *q);
/* Free every message still queued. Only when no thread can push. */
void ct__mailbox_destroy(ct__mailbox_t *q);
/* Reserve room for one message: false if `bound` messages are queued. */
bool ct__mailbox_reserve(ct__mailbox_t *q, size_t bound);
/* Count one message without checking the bound (runtime messages). */
void ct__mailbox_reserve_force(ct__mailbox_t *q);
/* Append; true if the queue was marked empty (caller schedules). */
bool ct__mailbox_push(ct__mailbox_t *q, ct_msg_t *msg);
/* Next message or NULL. The returned message stays owned by the queue
 * (it becomes the new tail); it is freed by the following pop. */
ct_msg_t *ct__mailbox_pop(ct__mailbox_t *q);
/* Try to mark the queue empty. False when a message is queued or a push
 * is in progress: the caller must keep the actor scheduled. */
bool ct__mailbox_markempty(ct__mailbox_t *q);
size_t ct__mailbox_count(const ct__mailbox_t *q);

#endif /* CT_ACTORS_MAILBOX_H */
