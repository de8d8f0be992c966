/*
 * Tests for request/reply over real worker threads: replies matched to
 * their request ids, many requests in flight at once, timeouts delivered
 * as CT_MSG_TIMEOUT, and a reply that arrives after its timeout dropped.
 */
#include "ct_test.h"

#include <stdatomic.h>

#include "copytrader/actor.h"
#include "copytrader/error.h"

enum { MSG_ADD = CT_MSG_USER, MSG_SUM, MSG_GO, MSG_LATE, MSG_DONE };

#define IN_FLIGHT 100

/* The server answers MSG_ADD with x+1; MSG_LATE it answers 100 ms later,
 * then sends MSG_DONE (same sender, so it arrives after the reply). */
typedef struct {
  ct_envelope_t held; /* the late request's header */
  uint64_t held_x;
  ct_actor_t *client;
  _Atomic int bad_reply; /* ct_reply misuse not refused */
} server_t;

static int server_init(ct_actor_t *self, void *arg) {
  ct_actor_set_state(self, arg);
  return 0;
}

static int answer(ct_actor_t *self, const ct_envelope_t *env, uint64_t x) {
  ct_msg_t *m = NULL;
  int rc = ct_msg_new(MSG_SUM, &m);
  if (rc == 0 && (rc = ct_msg_put_u64(m, x + 1)) == 0)
    rc = ct_reply(self, env, m);
  if (rc != 0)
    ct_msg_free(m);
  return rc;
}

static int server_receive(ct_actor_t *self, const ct_envelope_t *env) {
  server_t *s = ct_actor_state(self);
  ct_reader_t r;
  uint64_t x = 0, tid;
  ct_msg_t *m = NULL;
  if (env->type == MSG_GO) { /* the late timer fired */
    int rc = answer(self, &s->held, s->held_x);
    if (rc == 0 && (rc = ct_msg_new(MSG_DONE, &m)) == 0 &&
        (rc = ct_send(s->client, m)) != 0)
      ct_msg_free(m);
    return rc;
  }
  ct_reader_init(&r, env);
  if (ct_read_u64(&r, &x) != 0)
    x = 0;
  ct_reader_close(&r);
  if (env->type == MSG_ADD)
    return answer(self, env, x);
  if (env->type == MSG_LATE) {
    ct_envelope_t plain = *env;
    plain.request_id = 0;
    if (ct_msg_new(MSG_SUM, &m) == 0) {
      if (ct_reply(self, &plain, m) != CT_EINVAL) /* not a request */
        atomic_fetch_add(&s->bad_reply, 1);
      ct_msg_free(m);
    }
    s->held = *env; /* only the header fields are used later */
    s->held_x = x;
    s->client = ct_runtime_lookup(ct_actor_runtime(self), env->from);
    return ct_timer_start(self, 100, 0, MSG_GO, &tid);
  }
  return 0;
}

static const ct_actor_def_t server_def = { "server", server_init,
                                           server_receive, NULL };

typedef struct {
  ct_actor_t *server;
  uint32_t kind; /* MSG_ADD or MSG_LATE */
  int count;
  uint64_t ids[IN_FLIGHT];
  uint64_t timeout_ms;
  _Atomic int replies, timeouts, wrong, done;
} client_t;

static int find_id(client_t *c, uint64_t id) {
  for (int i = 0; i < c->count; i++)
    if (c->ids[i] == id)
      return i;
  return -1;
}

static int client_init(ct_actor_t *self, void *arg) {
  client_t *c = arg;
  ct_actor_set_state(self, c);
  for (int i = 0; i < c->count; i++) {
    ct_msg_t *m = NULL;
    int rc = ct_msg_new(c->kind, &m);
    if (rc == 0 && (rc = ct_msg_put_u64(m, (uint64_t)i)) == 0)
      rc = ct_request(self, c->server, m, c->timeout_ms, &c->ids[i]);
    if (rc != 0) {
      ct_msg_free(m);
      return rc;
    }
  }
  return 0;
}

static int client_receive(ct_actor_t *self, const ct_envelope_t *env) {
  client_t *c = ct_actor_state(self);
  int i = find_id(c, env->request_id);
  (void)self;
  if (env->type == MSG_DONE) {
    atomic_store(&c->done, 1);
  } else if (env->type == CT_MSG_TIMEOUT) {
    if (i < 0)
      atomic_fetch_add(&c->wrong, 1);
    atomic_fetch_add(&c->timeouts, 1);
  } else if (env->type == MSG_SUM) {
    ct_reader_t r;
    uint64_t x = 0;
    ct_reader_init(&r, env);
    if (i < 0 || ct_read_u64(&r, &x) != 0 || x != (uint64_t)i + 1 ||
        env->from != ct_actor_id(c->server))
      atomic_fetch_add(&c->wrong, 1);
    ct_reader_close(&r);
    atomic_fetch_add(&c->replies, 1);
  }
  return 0;
}

static const ct_actor_def_t client_def = { "client", client_init,
                                           client_receive, NULL };

static ct_runtime_t *start_pair(server_t *s, client_t *c) {
  ct_runtime_opts_t o = { .workers = 2 };
  ct_runtime_t *rt = NULL;
  ct_spawn_opts_t so = { .name = "s", .worker = 1 };
  ct_spawn_opts_t co = { .name = "c", .worker = 0 };
  assert_int_equal(ct_runtime_new(&o, &rt), 0);
  assert_int_equal(ct_spawn(rt, &server_def, s, &so, &c->server), 0);
  assert_int_equal(ct_spawn(rt, &client_def, c, &co, NULL), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  return rt;
}

static void finish(ct_runtime_t *rt) {
  assert_int_equal(ct_test_runtime_end(rt), 0);
}

static void test_many_requests_in_flight(void **state) {
  server_t s = { 0 };
  client_t c = { .kind = MSG_ADD, .count = IN_FLIGHT, .timeout_ms = 10000 };
  ct_runtime_t *rt = start_pair(&s, &c);
  (void)state;
  assert_int_equal(ct_test_wait_ge(&c.replies, IN_FLIGHT, 10000), IN_FLIGHT);
  finish(rt);
  assert_int_equal(atomic_load(&c.replies), IN_FLIGHT);
  assert_int_equal(atomic_load(&c.timeouts), 0);
  assert_int_equal(atomic_load(&c.wrong), 0);
  for (int i = 1; i < IN_FLIGHT; i++) /* distinct ids */
    assert_int_not_equal(c.ids[i], c.ids[i - 1]);
}

static void test_late_reply_dropped_after_timeout(void **state) {
  server_t s = { 0 };
  client_t c = { .kind = MSG_LATE, .count = 1, .timeout_ms = 10 };
  ct_runtime_t *rt = start_pair(&s, &c);
  (void)state;
  /* DONE follows the late reply from the same sender: once it is in, the
   * reply has been through the client's mailbox. */
  assert_int_equal(ct_test_wait_ge(&c.done, 1, 10000), 1);
  finish(rt);
  assert_int_equal(atomic_load(&c.timeouts), 1);
  assert_int_equal(atomic_load(&c.replies), 0);
  assert_int_equal(atomic_load(&c.wrong), 0);
  assert_int_equal(atomic_load(&s.bad_reply), 0);
}

/* An actor that leaves at once; a request to it must fail and leave the
 * message with the requester. */
static int quitter_init(ct_actor_t *self, void *arg) {
  (void)arg;
  ct_actor_exit(self);
  return 0;
}

static const ct_actor_def_t quitter_def = { "quitter", quitter_init,
                                            server_receive, NULL };

typedef struct {
  ct_actor_t *to;
  _Atomic int rc, done;
} asker_t;

static int asker_init(ct_actor_t *self, void *arg) {
  asker_t *a = arg;
  ct_msg_t *m = NULL;
  uint64_t id = 0;
  int rc = ct_msg_new(MSG_ADD, &m);
  if (rc == 0)
    rc = ct_request(self, a->to, m, 1000, &id);
  if (rc != 0)
    ct_msg_free(m); /* still ours after a failed request */
  atomic_store(&a->rc, rc);
  atomic_store(&a->done, 1);
  return 0;
}

static const ct_actor_def_t asker_def = { "asker", asker_init, client_receive,
                                          NULL };

static void test_request_to_stopped_actor_fails(void **state) {
  ct_runtime_opts_t o = { .workers = 1 };
  ct_runtime_t *rt = NULL;
  asker_t a = { 0 };
  (void)state;
  assert_int_equal(ct_runtime_new(&o, &rt), 0);
  /* Same worker, spawned in order: the quitter's init runs first. */
  assert_int_equal(ct_spawn(rt, &quitter_def, NULL, NULL, &a.to), 0);
  assert_int_equal(ct_spawn(rt, &asker_def, &a, NULL, NULL), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  assert_int_equal(ct_test_wait_ge(&a.done, 1, 5000), 1);
  assert_int_equal(atomic_load(&a.rc), CT_ECLOSED);
  finish(rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_many_requests_in_flight),
    cmocka_unit_test(test_late_reply_dropped_after_timeout),
    cmocka_unit_test(test_request_to_stopped_actor_fails),
  };
  return cmocka_run_group_tests_name("reqreply", tests, NULL, NULL);
}
