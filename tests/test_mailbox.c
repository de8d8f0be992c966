/*
 * Tests for the lock-free mailbox (src/actors/mailbox.c), checked against
 * a plain mutex-plus-list mailbox kept here as the reference.
 *
 * Both implement the same protocol: push says whether the queue was
 * marked empty (the caller schedules the actor), pop returns the next
 * message, markempty parks the consumer only when nothing is queued or
 * half pushed. A random single-threaded sequence must give identical
 * answers from both; a stress run (N producer threads, M messages each, a
 * consumer that parks and is woken exactly like the runtime does) must
 * deliver everything exactly once, FIFO per producer, and never schedule
 * the consumer twice. `make test-tsan` runs this under ThreadSanitizer.
 */
#include "ct_test.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <uv.h>

#include "../src/actors/mailbox.h"
#include "copytrader/error.h"

/* The reference: a mutex and a list. */
typedef struct {
  uv_mutex_t mu;
  ct_msg_t *head, *tail, *cur;
  bool marked;
} ref_mb_t;

static void ref_init(ref_mb_t *q) {
  uv_mutex_init(&q->mu);
  q->head = q->tail = q->cur = NULL;
  q->marked = true;
}

static bool ref_push(ref_mb_t *q, ct_msg_t *m) {
  bool was;
  m->pool_next = NULL;
  uv_mutex_lock(&q->mu);
  if (q->tail != NULL)
    q->tail->pool_next = m;
  else
    q->head = m;
  q->tail = m;
  was = q->marked;
  q->marked = false;
  uv_mutex_unlock(&q->mu);
  return was;
}

static ct_msg_t *ref_pop(ref_mb_t *q) {
  ct_msg_t *m;
  uv_mutex_lock(&q->mu);
  m = q->head;
  if (m != NULL) {
    q->head = m->pool_next;
    if (q->head == NULL)
      q->tail = NULL;
  }
  uv_mutex_unlock(&q->mu);
  if (m != NULL) { /* same ownership rule: the last popped stays queued */
    ct_msg_free(q->cur);
    q->cur = m;
  }
  return m;
}

static bool ref_markempty(ref_mb_t *q) {
  bool ok;
  uv_mutex_lock(&q->mu);
  ok = q->head == NULL;
  if (ok)
    q->marked = true;
  uv_mutex_unlock(&q->mu);
  return ok;
}

static void ref_destroy(ref_mb_t *q) {
  while (ref_pop(q) != NULL) {
  }
  ct_msg_free(q->cur);
  uv_mutex_destroy(&q->mu);
}

/* One interface over both, for the shared checks. */
typedef struct {
  bool (*push)(void *q, ct_msg_t *m);
  ct_msg_t *(*pop)(void *q);
  bool (*markempty)(void *q);
} mb_ops_t;

static bool fast_push(void *q, ct_msg_t *m) {
  return ct__mailbox_push(q, m);
}
static ct_msg_t *fast_pop(void *q) {
  return ct__mailbox_pop(q);
}
static bool fast_markempty(void *q) {
  return ct__mailbox_markempty(q);
}
static bool ref_push_v(void *q, ct_msg_t *m) {
  return ref_push(q, m);
}
static ct_msg_t *ref_pop_v(void *q) {
  return ref_pop(q);
}
static bool ref_markempty_v(void *q) {
  return ref_markempty(q);
}

static const mb_ops_t fast_ops = { fast_push, fast_pop, fast_markempty };
static const mb_ops_t ref_ops = { ref_push_v, ref_pop_v, ref_markempty_v };

static ct_msg_t *make(uint64_t from, uint64_t seq) {
  ct_msg_t *m = NULL;
  assert_int_equal(ct_msg_new(300, &m), 0);
  ct__msg_stamp(m, from, seq);
  return m;
}

static void test_basic_protocol(void **state) {
  ct__mailbox_t q;
  (void)state;
  ct__mailbox_init(&q);
  assert_null(ct__mailbox_pop(&q));
  assert_true(ct__mailbox_markempty(&q));
  assert_true(ct__mailbox_push(&q, make(1, 1)));  /* empty -> non-empty */
  assert_false(ct__mailbox_push(&q, make(1, 2))); /* already scheduled */
  assert_false(ct__mailbox_markempty(&q));        /* messages queued */
  assert_int_equal(ct__mailbox_pop(&q)->request_id, 1);
  assert_int_equal(ct__mailbox_pop(&q)->request_id, 2);
  assert_null(ct__mailbox_pop(&q));
  assert_true(ct__mailbox_markempty(&q));
  assert_true(ct__mailbox_push(&q, make(1, 3)));
  ct__mailbox_destroy(&q); /* frees the queued and the last popped one */
  ct_msg_thread_cleanup();
}

static void test_bound(void **state) {
  ct__mailbox_t q;
  (void)state;
  ct__mailbox_init(&q);
  for (int i = 0; i < 3; i++) {
    assert_true(ct__mailbox_reserve(&q, 3));
    ct__mailbox_push(&q, make(1, (uint64_t)i + 1));
  }
  assert_false(ct__mailbox_reserve(&q, 3));
  assert_int_equal(ct__mailbox_count(&q), 3);
  assert_non_null(ct__mailbox_pop(&q));
  assert_int_equal(ct__mailbox_count(&q), 2);
  assert_true(ct__mailbox_reserve(&q, 3));
  ct__mailbox_push(&q, make(1, 9));
  ct__mailbox_destroy(&q);
  ct_msg_thread_cleanup();
}

/* Random operations on both: every answer must match the reference. */
static void test_same_answers_as_reference(void **state) {
  ct__mailbox_t fast;
  ref_mb_t ref;
  uint64_t seq = 0;
  (void)state;
  ct__mailbox_init(&fast);
  ref_init(&ref);
  srand(42);
  for (int i = 0; i < 20000; i++) {
    int op = rand() % 3;
    if (op == 0) {
      seq++;
      assert_int_equal(ct__mailbox_push(&fast, make(0, seq)),
                       ref_push(&ref, make(0, seq)));
    } else if (op == 1) {
      ct_msg_t *a = ct__mailbox_pop(&fast), *b = ref_pop(&ref);
      assert_int_equal(a == NULL, b == NULL);
      if (a != NULL)
        assert_int_equal(a->request_id, b->request_id);
    } else {
      assert_int_equal(ct__mailbox_markempty(&fast), ref_markempty(&ref));
    }
  }
  ct__mailbox_destroy(&fast);
  ref_destroy(&ref);
  ct_msg_thread_cleanup();
}

#ifdef __SANITIZE_THREAD__
#define STRESS_M 20000
#else
#define STRESS_M 200000
#endif
#define STRESS_N 4

typedef struct {
  const mb_ops_t *ops;
  void *q;
  uv_sem_t wake;
  atomic_int scheduled; /* 1 while the consumer is "on a ready queue" */
  atomic_int double_schedule;
} stress_t;

typedef struct {
  stress_t *s;
  uint64_t id;
} producer_t;

static void producer_main(void *arg) {
  producer_t *p = arg;
  stress_t *s = p->s;
  for (uint64_t i = 1; i <= STRESS_M; i++) {
    ct_msg_t *m = NULL;
    if (ct_msg_new(300, &m) != 0)
      abort();
    ct__msg_stamp(m, p->id, i);
    if (s->ops->push(s->q, m)) {
      /* We moved it from empty: we alone schedule the consumer. */
      if (atomic_exchange(&s->scheduled, 1) != 0)
        atomic_fetch_add(&s->double_schedule, 1);
      uv_sem_post(&s->wake);
    }
  }
}

/* The consumer side of the runtime's protocol, on the calling thread. */
static void consume(stress_t *s, uint64_t *last, uint64_t *total,
                    int *fifo_errors) {
  uv_sem_wait(&s->wake); /* the first push schedules us */
  while (*total < (uint64_t)STRESS_N * STRESS_M) {
    ct_msg_t *m = s->ops->pop(s->q);
    if (m != NULL) {
      if (m->from >= STRESS_N || m->request_id != last[m->from] + 1)
        (*fifo_errors)++;
      else
        last[m->from] = m->request_id;
      (*total)++;
      continue;
    }
    atomic_store(&s->scheduled, 0);
    if (s->ops->markempty(s->q))
      uv_sem_wait(&s->wake); /* parked until a push schedules us */
    else
      atomic_store(&s->scheduled, 1); /* push in flight: stay scheduled */
  }
}

static void run_stress(const mb_ops_t *ops, void *q) {
  stress_t s = { .ops = ops, .q = q };
  producer_t prod[STRESS_N];
  uv_thread_t th[STRESS_N];
  uint64_t last[STRESS_N] = { 0 }, total = 0;
  int fifo_errors = 0;
  assert_int_equal(uv_sem_init(&s.wake, 0), 0);
  atomic_init(&s.scheduled, 0);
  atomic_init(&s.double_schedule, 0);
  for (int i = 0; i < STRESS_N; i++) {
    prod[i] = (producer_t){ &s, (uint64_t)i };
    assert_int_equal(uv_thread_create(&th[i], producer_main, &prod[i]), 0);
  }
  consume(&s, last, &total, &fifo_errors);
  for (int i = 0; i < STRESS_N; i++)
    uv_thread_join(&th[i]);
  assert_int_equal(total, (uint64_t)STRESS_N * STRESS_M);
  assert_int_equal(fifo_errors, 0);
  for (int i = 0; i < STRESS_N; i++)
    assert_int_equal(last[i], STRESS_M);
  assert_null(ops->pop(q)); /* nothing extra */
  assert_int_equal(atomic_load(&s.double_schedule), 0);
  uv_sem_destroy(&s.wake);
}

static void test_stress_fast(void **state) {
  ct__mailbox_t q;
  (void)state;
  ct__mailbox_init(&q);
  run_stress(&fast_ops, &q);
  ct__mailbox_destroy(&q);
  ct_msg_thread_cleanup();
}

static void test_stress_reference(void **state) {
  ref_mb_t q;
  (void)state;
  ref_init(&q);
  run_stress(&ref_ops, &q);
  ref_destroy(&q);
  ct_msg_thread_cleanup();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_basic_protocol),
    cmocka_unit_test(test_bound),
    cmocka_unit_test(test_same_answers_as_reference),
    cmocka_unit_test(test_stress_reference),
    cmocka_unit_test(test_stress_fast),
  };
  return cmocka_run_group_tests_name("mailbox", tests, NULL, NULL);
}
