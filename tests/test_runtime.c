/*
 * Tests for the actor runtime over real worker threads: same-thread and
 * cross-thread delivery, a chain of same-worker hops in one loop pass, external
 * producer threads (FIFO per producer, exact totals), the sender stamp and
 * ct_actor_current(), mailbox bounds, timers, ct_actor_exit(), and orderly
 * shutdown (queued messages drained, stop() run once, actor handles closed,
 * every uv_loop_close() == 0).
 */
#include "ct_test.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/actor.h"
#include "copytrader/error.h"

enum { MSG_PING = CT_MSG_USER, MSG_SEQ, MSG_QUIT, MSG_TICK, MSG_ONCE };

static ct_runtime_t *new_runtime(unsigned workers) {
  ct_runtime_opts_t o = { .workers = workers };
  ct_runtime_t *rt = NULL;
  assert_int_equal(ct_runtime_new(&o, &rt), 0);
  assert_int_equal(ct_runtime_workers(rt), workers);
  return rt;
}

static void finish(ct_runtime_t *rt) {
  assert_int_equal(ct_test_runtime_end(rt), 0); /* every uv_loop_close() == 0 */
}

static ct_msg_t *msg_u64(uint32_t type, uint64_t a, uint64_t b) {
  ct_msg_t *m = NULL;
  assert_int_equal(ct_msg_new(type, &m), 0);
  assert_int_equal(ct_msg_put_u64(m, a), 0);
  assert_int_equal(ct_msg_put_u64(m, b), 0);
  return m;
}

static void read2(const ct_envelope_t *env, uint64_t *a, uint64_t *b) {
  ct_reader_t r;
  ct_reader_init(&r, env);
  if (ct_read_u64(&r, a) != 0 || ct_read_u64(&r, b) != 0)
    *a = *b = UINT64_MAX;
  ct_reader_close(&r);
}

/* --- ping-pong: two actors bounce a counter ------------------------- */

typedef struct {
  ct_actor_t *peer;
  _Atomic int *done;
  _Atomic int *bad; /* wrong sender or current actor */
  uint64_t limit;
} pp_arg_t;

static int pp_receive(ct_actor_t *self, const ct_envelope_t *env) {
  pp_arg_t *a = ct_actor_state(self);
  uint64_t n, unused;
  if (ct_actor_current() != self ||
      (env->from != 0 && env->from != ct_actor_id(a->peer)))
    atomic_fetch_add(a->bad, 1);
  read2(env, &n, &unused);
  if (n >= a->limit) {
    atomic_store(a->done, (int)n);
    return 0;
  }
  return ct_send(a->peer, msg_u64(MSG_PING, n + 1, 0));
}

static int pp_init(ct_actor_t *self, void *arg) {
  ct_actor_set_state(self, arg);
  return 0;
}

static const ct_actor_def_t pp_def = { "pp", pp_init, pp_receive, NULL };

static void ping_pong(int worker_a, int worker_b, uint64_t limit) {
  ct_runtime_t *rt = new_runtime(2);
  _Atomic int done = 0, bad = 0;
  pp_arg_t a = { NULL, &done, &bad, limit }, b = a;
  ct_spawn_opts_t oa = { .name = "a", .worker = worker_a };
  ct_spawn_opts_t ob = { .name = "b", .worker = worker_b };
  ct_actor_t *pa = NULL, *pb = NULL;
  assert_int_equal(ct_spawn(rt, &pp_def, &a, &oa, &pa), 0);
  assert_int_equal(ct_spawn(rt, &pp_def, &b, &ob, &pb), 0);
  a.peer = pb;
  b.peer = pa;
  assert_string_equal(ct_actor_name(pa), "pp/a");
  assert_ptr_equal(ct_runtime_lookup(rt, ct_actor_id(pb)), pb);
  assert_int_equal(ct_runtime_start(rt), 0);
  assert_null(ct_actor_current()); /* not an actor thread */
  assert_int_equal(ct_send(pa, msg_u64(MSG_PING, 1, 0)), 0);
  assert_int_equal(ct_test_wait_ge(&done, (int)limit, 20000), (int)limit);
  assert_int_equal(atomic_load(&bad), 0);
  finish(rt);
}

static void test_ping_pong_same_worker(void **state) {
  (void)state;
  ping_pong(0, 0, 100000);
}

static void test_ping_pong_across_workers(void **state) {
  (void)state;
  ping_pong(0, 1, 20000);
}

/* --- a chain of same-worker hops runs in one loop iteration ---------- */

#define CHAIN_HOPS 10

typedef struct {
  ct_actor_t *peer[2];
  uv_prepare_t iter; /* counts loop iterations of worker 0 */
  int iterations;
  int seen[CHAIN_HOPS + 1]; /* the iteration each hop ran in */
  _Atomic int done;
} chain_t;

static void chain_iter_cb(uv_prepare_t *h) {
  ((chain_t *)h->data)->iterations++;
}

static int chain_init(ct_actor_t *self, void *arg) {
  chain_t *c = arg;
  ct_actor_set_state(self, c);
  if (self == c->peer[0] || c->peer[0] == NULL) {
    uv_prepare_init(ct_actor_loop(self), &c->iter);
    c->iter.data = c;
    uv_prepare_start(&c->iter, chain_iter_cb);
  }
  return 0;
}

static int chain_receive(ct_actor_t *self, const ct_envelope_t *env) {
  chain_t *c = ct_actor_state(self);
  uint64_t n, unused;
  read2(env, &n, &unused);
  if (n > CHAIN_HOPS)
    return 0;
  c->seen[n] = c->iterations;
  if (n == CHAIN_HOPS) {
    atomic_store(&c->done, 1);
    return 0;
  }
  return ct_send(c->peer[self == c->peer[0]], msg_u64(MSG_PING, n + 1, 0));
}

static void chain_stop(ct_actor_t *self) {
  chain_t *c = ct_actor_state(self);
  if (self == c->peer[0])
    uv_close((uv_handle_t *)&c->iter, NULL);
}

static const ct_actor_def_t chain_def = { "chain", chain_init, chain_receive,
                                          chain_stop };

/* A send to an actor of the same worker runs it in the same pass: a chain
 * of hops costs no loop iteration per hop. */
static void test_same_worker_chain_one_pass(void **state) {
  ct_runtime_t *rt = new_runtime(1);
  chain_t c = { 0 };
  ct_spawn_opts_t o = { .worker = 0 };
  (void)state;
  assert_int_equal(ct_spawn(rt, &chain_def, &c, &o, &c.peer[0]), 0);
  assert_int_equal(ct_spawn(rt, &chain_def, &c, &o, &c.peer[1]), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  assert_int_equal(ct_send(c.peer[0], msg_u64(MSG_PING, 0, 0)), 0);
  assert_int_equal(ct_test_wait_ge(&c.done, 1, 5000), 1);
  for (int i = 1; i <= CHAIN_HOPS; i++)
    assert_int_equal(c.seen[i], c.seen[0]);
  finish(rt);
}

/* --- external producers: FIFO per producer, exact total -------------- */

#define PRODUCERS    4
#define PER_PRODUCER 20000

typedef struct {
  uint64_t last[PRODUCERS];
  _Atomic int total;
  _Atomic int fifo_errors;
} counter_t;

static int counter_receive(ct_actor_t *self, const ct_envelope_t *env) {
  counter_t *c = ct_actor_state(self);
  uint64_t p, seq;
  read2(env, &p, &seq);
  if (env->from != 0 || p >= PRODUCERS || seq != c->last[p] + 1)
    atomic_fetch_add(&c->fifo_errors, 1);
  else
    c->last[p] = seq;
  atomic_fetch_add(&c->total, 1);
  return 0;
}

static const ct_actor_def_t counter_def = { "counter", pp_init, counter_receive,
                                            NULL };

typedef struct {
  ct_actor_t *to;
  uint64_t id;
  _Atomic int *errors;
} producer_t;

static void producer_main(void *arg) {
  producer_t *p = arg;
  for (uint64_t i = 1; i <= PER_PRODUCER; i++) {
    ct_msg_t *m = NULL;
    int rc;
    if (ct_msg_new(MSG_SEQ, &m) != 0 || ct_msg_put_u64(m, p->id) != 0 ||
        ct_msg_put_u64(m, i) != 0)
      abort();
    while ((rc = ct_send(p->to, m)) == CT_EFULL)
      uv_sleep(1); /* we still own m: try again */
    if (rc != 0) {
      atomic_fetch_add(p->errors, 1);
      ct_msg_free(m);
    }
  }
}

static void test_external_producers(void **state) {
  ct_runtime_t *rt = new_runtime(2);
  counter_t c = { 0 };
  ct_spawn_opts_t o = { .name = "c", .worker = 1, .mailbox_bound = 1024 };
  ct_actor_t *a = NULL;
  producer_t p[PRODUCERS];
  uv_thread_t th[PRODUCERS];
  _Atomic int errors = 0;
  (void)state;
  assert_int_equal(ct_spawn(rt, &counter_def, &c, &o, &a), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  for (int i = 0; i < PRODUCERS; i++) {
    p[i] = (producer_t){ a, (uint64_t)i, &errors };
    assert_int_equal(uv_thread_create(&th[i], producer_main, &p[i]), 0);
  }
  for (int i = 0; i < PRODUCERS; i++)
    uv_thread_join(&th[i]);
  assert_int_equal(ct_test_wait_ge(&c.total, PRODUCERS * PER_PRODUCER, 20000),
                   PRODUCERS * PER_PRODUCER);
  finish(rt); /* joined: the actor's state is quiet now */
  assert_int_equal(atomic_load(&errors), 0);
  assert_int_equal(atomic_load(&c.fifo_errors), 0);
  for (int i = 0; i < PRODUCERS; i++)
    assert_int_equal(c.last[i], PER_PRODUCER);
}

/* --- shutdown: drain, stop() once, own handles closed ----------------- */

typedef struct {
  _Atomic int inits, stops, received, ticks;
  uv_timer_t own; /* a handle the actor opens on its loop */
  ct_actor_t *self;
} life_t;

static void own_tick(uv_timer_t *t) {
  life_t *l = t->data;
  atomic_fetch_add(&l->ticks, 1);
}

static int life_init(ct_actor_t *self, void *arg) {
  life_t *l = arg;
  atomic_fetch_add(&l->inits, 1);
  l->self = self;
  uv_timer_init(ct_actor_loop(self), &l->own);
  l->own.data = l;
  uv_timer_start(&l->own, own_tick, 1, 1);
  ct_actor_set_state(self, l);
  return 0;
}

static int life_receive(ct_actor_t *self, const ct_envelope_t *env) {
  life_t *l = ct_actor_state(self);
  atomic_fetch_add(&l->received, 1);
  if (env->type == MSG_QUIT)
    ct_actor_exit(self);
  return 0;
}

static void life_stop(ct_actor_t *self) {
  life_t *l = ct_actor_state(self);
  atomic_fetch_add(&l->stops, 1);
  uv_close((uv_handle_t *)&l->own, NULL); /* finishes as the loop runs */
}

static const ct_actor_def_t life_def = { "life", life_init, life_receive,
                                         life_stop };

static void test_shutdown_drains_queued_messages(void **state) {
  ct_runtime_t *rt = new_runtime(2);
  life_t l = { 0 };
  ct_actor_t *a = NULL, *late = NULL;
  ct_spawn_opts_t o = { .name = "l", .worker = 1 };
  ct_msg_t *m;
  (void)state;
  assert_int_equal(ct_spawn(rt, &life_def, &l, &o, &a), 0);
  for (int i = 0; i < 1000; i++) /* queued before the threads start */
    assert_int_equal(ct_send(a, msg_u64(MSG_SEQ, 0, 0)), 0);
  assert_int_equal(ct_actor_pending(a), 1001); /* plus the start message */
  assert_int_equal(ct_runtime_start(rt), 0);
  ct_runtime_stop(rt); /* at once: everything queued must still arrive */
  m = msg_u64(MSG_SEQ, 0, 0);
  assert_int_equal(ct_send(a, m), CT_ECLOSED);
  ct_msg_free(m); /* a failed send leaves the message with us */
  assert_int_equal(ct_spawn(rt, &life_def, &l, &o, &late), CT_ECLOSED);
  assert_int_equal(ct_runtime_join(rt), 0);
  assert_int_equal(atomic_load(&l.inits), 1);
  assert_int_equal(atomic_load(&l.received), 1000);
  assert_int_equal(atomic_load(&l.stops), 1);
  ct_runtime_free(rt);
}

static void test_exit_then_shutdown(void **state) {
  ct_runtime_t *rt = new_runtime(1);
  life_t l = { 0 };
  ct_actor_t *a = NULL;
  ct_msg_t *m;
  (void)state;
  assert_int_equal(ct_spawn(rt, &life_def, &l, NULL, &a), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  assert_int_equal(ct_send(a, msg_u64(MSG_QUIT, 0, 0)), 0);
  assert_int_equal(ct_test_wait_ge(&l.stops, 1, 5000), 1);
  m = msg_u64(MSG_SEQ, 0, 0);
  assert_int_equal(ct_send(a, m), CT_ECLOSED);
  ct_msg_free(m);
  finish(rt);
  assert_int_equal(atomic_load(&l.stops), 1); /* not again at shutdown */
  assert_int_equal(atomic_load(&l.received), 1);
}

static void test_bound_returns_full(void **state) {
  ct_runtime_t *rt = new_runtime(1);
  life_t l = { 0 };
  ct_actor_t *a = NULL;
  ct_spawn_opts_t o = { .name = "small", .mailbox_bound = 4 };
  ct_msg_t *m;
  (void)state;
  assert_int_equal(ct_spawn(rt, &life_def, &l, &o, &a), 0);
  /* The queued start message takes one place of the four. */
  for (int i = 0; i < 3; i++)
    assert_int_equal(ct_send(a, msg_u64(MSG_SEQ, 0, 0)), 0);
  m = msg_u64(MSG_SEQ, 0, 0);
  assert_int_equal(ct_send(a, m), CT_EFULL);
  assert_int_equal(ct_runtime_start(rt), 0);
  assert_int_equal(ct_test_wait_ge(&l.received, 3, 5000), 3);
  assert_int_equal(ct_send(a, m), 0); /* the kept message, sent again */
  assert_int_equal(ct_test_wait_ge(&l.received, 4, 5000), 4);
  finish(rt);
}

/* --- timers ----------------------------------------------------------- */

typedef struct {
  _Atomic int ticks, once, stopped_seen, errors, done;
  uint64_t tick_id, once_id, never_id;
} timers_t;

static int timers_init(ct_actor_t *self, void *arg) {
  timers_t *t = arg;
  ct_actor_set_state(self, t);
  if (ct_timer_start(self, 5, 5, MSG_TICK, &t->tick_id) != 0 ||
      ct_timer_start(self, 1, 0, MSG_ONCE, &t->once_id) != 0 ||
      ct_timer_start(self, 30, 0, MSG_QUIT, &t->never_id) != 0)
    return CT_EIO;
  if (ct_timer_stop(self, t->never_id) != 0) /* cancelled before firing */
    atomic_fetch_add(&t->errors, 1);
  return 0;
}

static int timers_receive(ct_actor_t *self, const ct_envelope_t *env) {
  timers_t *t = ct_actor_state(self);
  if (env->type == MSG_ONCE) {
    if (env->request_id != t->once_id)
      atomic_fetch_add(&t->errors, 1);
    atomic_fetch_add(&t->once, 1);
    /* a one-shot timer is gone once delivered */
    if (ct_timer_stop(self, t->once_id) != CT_ENOTFOUND)
      atomic_fetch_add(&t->errors, 1);
    /* now wait past the cancelled timer's due time */
    uint64_t id;
    if (ct_timer_start(self, 60, 0, MSG_SEQ, &id) != 0)
      atomic_fetch_add(&t->errors, 1);
  } else if (env->type == MSG_TICK) {
    if (env->request_id != t->tick_id)
      atomic_fetch_add(&t->errors, 1);
    if (atomic_fetch_add(&t->ticks, 1) + 1 == 3 &&
        ct_timer_stop(self, t->tick_id) != 0)
      atomic_fetch_add(&t->errors, 1);
  } else if (env->type == MSG_QUIT) {
    atomic_fetch_add(&t->stopped_seen, 1);
  } else if (env->type == MSG_SEQ) {
    atomic_store(&t->done, 1);
  }
  return 0;
}

static const ct_actor_def_t timers_def = { "timers", timers_init,
                                           timers_receive, NULL };

static void test_timers(void **state) {
  ct_runtime_t *rt = new_runtime(2);
  timers_t t = { 0 };
  (void)state;
  assert_int_equal(ct_spawn(rt, &timers_def, &t, NULL, NULL), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  assert_int_equal(ct_test_wait_ge(&t.done, 1, 5000), 1);
  assert_int_equal(ct_test_wait_ge(&t.ticks, 3, 5000), 3);
  uv_sleep(30); /* a stopped repeating timer must stay quiet */
  finish(rt);
  assert_int_equal(atomic_load(&t.ticks), 3);
  assert_int_equal(atomic_load(&t.once), 1);
  assert_int_equal(atomic_load(&t.stopped_seen), 0);
  assert_int_equal(atomic_load(&t.errors), 0);
}

/* --- stop from inside an actor; free without start ------------------- */

static int stopper_receive(ct_actor_t *self, const ct_envelope_t *env) {
  (void)env;
  ct_runtime_stop(ct_actor_runtime(self));
  return 0;
}

static const ct_actor_def_t stopper_def = { "stopper", NULL, stopper_receive,
                                            NULL };

static void test_stop_from_actor(void **state) {
  ct_runtime_t *rt = new_runtime(2);
  ct_actor_t *a = NULL;
  (void)state;
  assert_int_equal(ct_spawn(rt, &stopper_def, NULL, NULL, &a), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  assert_int_equal(ct_send(a, msg_u64(MSG_SEQ, 0, 0)), 0);
  assert_int_equal(ct_runtime_join(rt), 0); /* returns: the actor stopped it */
  ct_runtime_free(rt);
}

static void test_free_without_start(void **state) {
  ct_runtime_t *rt = new_runtime(2);
  life_t l = { 0 };
  ct_actor_t *a = NULL;
  (void)state;
  assert_int_equal(ct_spawn(rt, &life_def, &l, NULL, &a), 0);
  assert_int_equal(ct_send(a, msg_u64(MSG_SEQ, 0, 0)), 0);
  ct_runtime_free(rt); /* queued messages freed, loops closed */
  assert_int_equal(atomic_load(&l.inits), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ping_pong_same_worker),
    cmocka_unit_test(test_ping_pong_across_workers),
    cmocka_unit_test(test_same_worker_chain_one_pass),
    cmocka_unit_test(test_external_producers),
    cmocka_unit_test(test_shutdown_drains_queued_messages),
    cmocka_unit_test(test_exit_then_shutdown),
    cmocka_unit_test(test_bound_returns_full),
    cmocka_unit_test(test_timers),
    cmocka_unit_test(test_stop_from_actor),
    cmocka_unit_test(test_free_without_start),
  };
  return cmocka_run_group_tests_name("runtime", tests, NULL, NULL);
}
