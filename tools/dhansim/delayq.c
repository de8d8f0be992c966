/*
 * delayq.c: held answers in due order (a doubly linked list: a latency
 * fault gives most items the same delay, so an insert walks back from the
 * tail a step or two) and one timerfd, armed in absolute CLOCK_MONOTONIC
 * time for the head, watched by a uv_poll on dhansim's loop.
 */
#include "delayq.h"

#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct delayq_item {
  delayq_item_t *prev, *next;
  uint64_t due_ns;
  void *ctx;
};

struct delayq {
  uv_poll_t poll;
  int fd;
  delayq_fire_fn fire;
  delayq_item_t *head, *tail;
  uint64_t armed_ns; /* due time the timerfd is set for, 0: disarmed */
};

static void arm(delayq_t *q) {
  struct itimerspec its = { { 0, 0 }, { 0, 0 } };
  uint64_t due = q->head != NULL ? q->head->due_ns : 0;
  if (due == q->armed_ns)
    return;
  if (due != 0) {
    its.it_value.tv_sec = (time_t)(due / 1000000000u);
    its.it_value.tv_nsec = (long)(due % 1000000000u);
  }
  timerfd_settime(q->fd, TFD_TIMER_ABSTIME, &its, NULL);
  q->armed_ns = due;
}

static void unlink_item(delayq_t *q, delayq_item_t *it) {
  if (it->prev != NULL)
    it->prev->next = it->next;
  else
    q->head = it->next;
  if (it->next != NULL)
    it->next->prev = it->prev;
  else
    q->tail = it->prev;
}

static void on_due(uv_poll_t *h, int status, int events) {
  delayq_t *q = h->data;
  uint64_t expirations;
  (void)status;
  (void)events;
  if (read(q->fd, &expirations, sizeof expirations) < 0) {
    /* EAGAIN: re-armed earlier since it fired; the list decides. */
  }
  q->armed_ns = 0;
  while (q->head != NULL && q->head->due_ns <= uv_hrtime()) {
    delayq_item_t *it = q->head;
    unlink_item(q, it);
    q->fire(it->ctx);
    free(it);
  }
  arm(q);
}

delayq_t *delayq_new(uv_loop_t *loop, delayq_fire_fn fire) {
  delayq_t *q = calloc(1, sizeof(*q));
  if (q == NULL)
    return NULL;
  q->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (q->fd < 0 || uv_poll_init(loop, &q->poll, q->fd) != 0) {
    if (q->fd >= 0)
      close(q->fd);
    free(q);
    return NULL;
  }
  q->poll.data = q;
  q->fire = fire;
  uv_poll_start(&q->poll, UV_READABLE, on_due);
  return q;
}

delayq_item_t *delayq_add(delayq_t *q, uint64_t due_ns, void *ctx) {
  delayq_item_t *it = malloc(sizeof(*it)), *at = q->tail;
  if (it == NULL)
    return NULL;
  it->due_ns = due_ns;
  it->ctx = ctx;
  while (at != NULL && at->due_ns > due_ns)
    at = at->prev;
  it->prev = at; /* insert after `at` (NULL: at the head) */
  it->next = at != NULL ? at->next : q->head;
  if (it->next != NULL)
    it->next->prev = it;
  else
    q->tail = it;
  if (at != NULL)
    at->next = it;
  else
    q->head = it;
  arm(q);
  return it;
}

void delayq_cancel(delayq_t *q, delayq_item_t *it) {
  unlink_item(q, it);
  free(it);
  arm(q);
}

static void on_closed(uv_handle_t *h) {
  delayq_t *q = h->data;
  close(q->fd);
  free(q);
}

void delayq_close(delayq_t *q) {
  while (q->head != NULL) {
    delayq_item_t *it = q->head;
    unlink_item(q, it);
    free(it);
  }
  uv_close((uv_handle_t *)&q->poll, on_closed);
}
