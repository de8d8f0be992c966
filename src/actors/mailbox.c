/*
 * The actor mailbox: an intrusive multi-producer single-consumer queue,
 * after the Pony runtime's messageq.c.
 *
 * push is one atomic exchange on `head`: the new message becomes the head
 * and the previous head gets a link to it. The consumer walks from `tail`
 * along the links. A push that observes the "empty" bit in the previous
 * head is the one that moved the queue from empty to non-empty; only that
 * push schedules the actor, so an actor is on a ready queue at most once.
 *
 * Between a producer's exchange and its link store the queue looks empty
 * to the consumer although a message is on its way. markempty() detects
 * this (head != tail) and fails, and the runtime then keeps the actor
 * scheduled instead of parking it, so no message is ever stranded.
 */
#include "mailbox.h"

#include <string.h>

#define EMPTY_BIT ((uintptr_t)1)

void ct__mailbox_init(ct__mailbox_t *q) {
  memset(&q->stub, 0, sizeof(q->stub));
  /* relaxed: the mailbox is not shared yet; publishing the actor that
   * contains it (a release store in the registry, or thread creation)
   * orders these stores before any other thread's access. */
  atomic_store_explicit(&q->stub.next, NULL, memory_order_relaxed);
  atomic_store_explicit(&q->head, (uintptr_t)&q->stub | EMPTY_BIT,
                        memory_order_relaxed);
  atomic_store_explicit(&q->count, 0, memory_order_relaxed);
  q->tail = &q->stub;
}

void ct__mailbox_destroy(ct__mailbox_t *q) {
  ct_msg_t *m;
  while ((m = ct__mailbox_pop(q)) != NULL) {
  }
  if (q->tail != &q->stub)
    ct_msg_free(q->tail);
  q->tail = &q->stub;
}

bool ct__mailbox_reserve(ct__mailbox_t *q, size_t bound) {
  /* relaxed: the counter only bounds the queue length; no message data is
   * published through it (the push below does that). */
  size_t n = atomic_fetch_add_explicit(&q->count, 1, memory_order_relaxed);
  if (n < bound)
    return true;
  /* relaxed: undoing our own reservation, same reasoning. */
  atomic_fetch_sub_explicit(&q->count, 1, memory_order_relaxed);
  return false;
}

void ct__mailbox_reserve_force(ct__mailbox_t *q) {
  /* relaxed: a length counter, see ct__mailbox_reserve. */
  atomic_fetch_add_explicit(&q->count, 1, memory_order_relaxed);
}

bool ct__mailbox_push(ct__mailbox_t *q, ct_msg_t *msg) {
  /* relaxed: this message is still private to us; the exchange below is a
   * release, which orders this store (and the payload writes) before any
   * thread that acquires `head` or the link to msg. */
  atomic_store_explicit(&msg->next, NULL, memory_order_relaxed);
  /* acq_rel: release publishes msg->next == NULL to the next producer,
   * which links onto msg; acquire makes the previous producer's NULL store
   * to prev->next (and the consumer's last use of prev, released by
   * markempty) happen before our own store to prev->next below. */
  uintptr_t prev =
      atomic_exchange_explicit(&q->head, (uintptr_t)msg, memory_order_acq_rel);
  bool was_empty = (prev & EMPTY_BIT) != 0;
  ct_msg_t *p = (ct_msg_t *)(prev & ~EMPTY_BIT);
  /* release: the consumer acquires this link and must then see msg's
   * header and payload as we wrote them. */
  atomic_store_explicit(&p->next, msg, memory_order_release);
  return was_empty;
}

ct_msg_t *ct__mailbox_pop(ct__mailbox_t *q) {
  ct_msg_t *tail = q->tail;
  /* acquire: pairs with the producer's release store of this link, so the
   * message's contents are visible before we read them. */
  ct_msg_t *next = atomic_load_explicit(&tail->next, memory_order_acquire);
  if (next == NULL)
    return NULL;
  q->tail = next;
  /* The old tail is done with: only its producer's successor ever wrote
   * its link, and that store is the one we just read. */
  if (tail != &q->stub)
    ct_msg_free(tail);
  /* relaxed: length counter only, see ct__mailbox_reserve. */
  atomic_fetch_sub_explicit(&q->count, 1, memory_order_relaxed);
  return next;
}

bool ct__mailbox_markempty(ct__mailbox_t *q) {
  uintptr_t tail = (uintptr_t)q->tail;
  /* relaxed: only a hint; the CAS below decides. */
  uintptr_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
  if ((head & EMPTY_BIT) != 0)
    return true;
  if (head != tail)
    return false; /* queued, or a producer is between exchange and link */
  /* release on success: our reads of the tail message happen before the
   * next producer (which acquires head) writes its link. relaxed on
   * failure: we read nothing through the value and just stay scheduled. */
  return atomic_compare_exchange_strong_explicit(
      &q->head, &tail, tail | EMPTY_BIT, memory_order_release,
      memory_order_relaxed);
}

size_t ct__mailbox_count(const ct__mailbox_t *q) {
  /* relaxed: an approximate figure for monitoring. */
  return atomic_load_explicit(&q->count, memory_order_relaxed);
}
