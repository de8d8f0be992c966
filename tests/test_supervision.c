/*
 * Tests for supervision (src/actors/supervisor.c) over real workers: a
 * failing receive() is logged by name and the actor restarted (stop()
 * then init() again) within its policy; past the policy the failure goes
 * to the supervisor actor as CT_MSG_CHILD_FAILED [id, name, error], or to
 * the runtime's on_escalate callback, or by default stops the runtime.
 */
#include "ct_test.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "copytrader/actor.h"
#include "copytrader/error.h"
#include "copytrader/log.h"

enum { MSG_WORK = CT_MSG_USER, MSG_BOOM };

/* A worker actor: MSG_BOOM fails with CT_EIO, MSG_WORK counts. */
typedef struct {
  _Atomic int inits, stops, work;
  _Atomic int state_seen; /* work seen with a fresh state after restart */
} child_t;

typedef struct {
  child_t *c;
  int handled; /* per incarnation */
} child_state_t;

static int child_init(ct_actor_t *self, void *arg) {
  child_t *c = arg;
  child_state_t *s = calloc(1, sizeof(*s));
  if (s == NULL)
    return CT_ENOMEM;
  s->c = c;
  atomic_fetch_add(&c->inits, 1);
  ct_actor_set_state(self, s);
  return 0;
}

static int child_receive(ct_actor_t *self, const ct_envelope_t *env) {
  child_state_t *s = ct_actor_state(self);
  if (env->type == MSG_BOOM)
    return CT_EIO;
  if (s->handled++ == 0)
    atomic_fetch_add(&s->c->state_seen, 1);
  atomic_fetch_add(&s->c->work, 1);
  return 0;
}

static void child_stop(ct_actor_t *self) {
  child_state_t *s = ct_actor_state(self);
  atomic_fetch_add(&s->c->stops, 1);
  free(s);
}

static const ct_actor_def_t child_def = { "worker", child_init, child_receive,
                                          child_stop };

static void send_type(ct_actor_t *to, uint32_t type) {
  ct_msg_t *m = NULL;
  assert_int_equal(ct_msg_new(type, &m), 0);
  assert_int_equal(ct_send(to, m), 0);
}

/* Log capture: lines come from worker threads. */
static uv_mutex_t log_mu;
static char log_text[8192];

static void capture(ct_log_level_t level, const char *line, size_t len,
                    void *ctx) {
  (void)level;
  (void)ctx;
  uv_mutex_lock(&log_mu);
  size_t used = strlen(log_text);
  if (used + len + 2 < sizeof(log_text)) {
    memcpy(log_text + used, line, len);
    log_text[used + len] = '\n';
    log_text[used + len + 1] = '\0';
  }
  uv_mutex_unlock(&log_mu);
}

static bool log_has(const char *needle) {
  uv_mutex_lock(&log_mu);
  bool found = strstr(log_text, needle) != NULL;
  uv_mutex_unlock(&log_mu);
  return found;
}

static int setup(void **state) {
  (void)state;
  log_text[0] = '\0';
  uv_mutex_init(&log_mu);
  ct_log_set_sink(capture, NULL);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  ct_log_set_sink(NULL, NULL);
  uv_mutex_destroy(&log_mu);
  return 0;
}

static void test_restart_within_policy(void **state) {
  ct_runtime_opts_t o = { .workers = 2 };
  ct_runtime_t *rt = NULL;
  child_t c = { 0 };
  ct_spawn_opts_t so = { .name = "w1", .restart = { 3, 60000 } };
  ct_actor_t *a = NULL;
  (void)state;
  assert_int_equal(ct_runtime_new(&o, &rt), 0);
  assert_int_equal(ct_spawn(rt, &child_def, &c, &so, &a), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  send_type(a, MSG_WORK);
  send_type(a, MSG_BOOM);
  send_type(a, MSG_WORK); /* the restarted incarnation gets this */
  assert_int_equal(ct_test_wait_ge(&c.work, 2, 5000), 2);
  assert_int_equal(atomic_load(&c.inits), 2);
  assert_int_equal(atomic_load(&c.stops), 1);
  assert_int_equal(atomic_load(&c.state_seen), 2); /* fresh state */
  assert_true(log_has("actor=worker/w1"));
  assert_true(log_has("receive failed"));
  assert_true(log_has("err=CT_EIO"));
  assert_int_equal(ct_test_runtime_end(rt), 0);
  assert_int_equal(atomic_load(&c.stops), 2); /* and once at shutdown */
}

/* The supervisor records CT_MSG_CHILD_FAILED. */
typedef struct {
  _Atomic int failed;
  uint64_t child_id;
  char child_name[64];
  int64_t err;
  uint64_t from;
} sup_t;

static int sup_init(ct_actor_t *self, void *arg) {
  ct_actor_set_state(self, arg);
  return 0;
}

static int sup_receive(ct_actor_t *self, const ct_envelope_t *env) {
  sup_t *s = ct_actor_state(self);
  ct_reader_t r;
  const char *name = "";
  size_t len = 0;
  if (env->type != CT_MSG_CHILD_FAILED)
    return 0;
  ct_reader_init(&r, env);
  if (ct_read_u64(&r, &s->child_id) == 0 && ct_read_str(&r, &name, &len) == 0 &&
      ct_read_i64(&r, &s->err) == 0)
    snprintf(s->child_name, sizeof(s->child_name), "%.*s", (int)len, name);
  ct_reader_close(&r);
  s->from = env->from;
  atomic_fetch_add(&s->failed, 1);
  return 0;
}

static const ct_actor_def_t sup_def = { "sup", sup_init, sup_receive, NULL };

static void test_escalate_to_supervisor(void **state) {
  ct_runtime_opts_t o = { .workers = 2 };
  ct_runtime_t *rt = NULL;
  child_t c = { 0 };
  sup_t s = { 0 };
  ct_actor_t *sup = NULL, *a = NULL;
  ct_spawn_opts_t po = { .name = "top", .worker = 0 };
  ct_msg_t *m = NULL;
  (void)state;
  assert_int_equal(ct_runtime_new(&o, &rt), 0);
  assert_int_equal(ct_spawn(rt, &sup_def, &s, &po, &sup), 0);
  ct_spawn_opts_t so = {
    .name = "w2", .worker = 1, .supervisor = sup, .restart = { 2, 60000 }
  };
  assert_int_equal(ct_spawn(rt, &child_def, &c, &so, &a), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  for (int i = 0; i < 3; i++) /* two restarts, the third escalates */
    send_type(a, MSG_BOOM);
  assert_int_equal(ct_test_wait_ge(&s.failed, 1, 5000), 1);
  assert_int_equal(s.child_id, ct_actor_id(a));
  assert_int_equal(s.from, ct_actor_id(a));
  assert_string_equal(s.child_name, "worker/w2");
  assert_int_equal(s.err, CT_EIO);
  assert_int_equal(atomic_load(&c.inits), 3);
  assert_int_equal(ct_test_wait_ge(&c.stops, 3, 5000), 3); /* stopped */
  assert_int_equal(ct_msg_new(MSG_WORK, &m), 0);
  assert_int_equal(ct_send(a, m), CT_ECLOSED);
  ct_msg_free(m);
  assert_int_equal(ct_test_runtime_end(rt), 0);
  assert_int_equal(atomic_load(&s.failed), 1);
}

/* on_escalate callback, for an actor without a supervisor. */
typedef struct {
  _Atomic int calls;
  char name[64];
  int err;
} esc_t;

static void on_escalate(ct_runtime_t *rt, ct_actor_t *failed, int err,
                        void *ctx) {
  esc_t *e = ctx;
  (void)rt;
  snprintf(e->name, sizeof(e->name), "%s", ct_actor_name(failed));
  e->err = err;
  atomic_fetch_add(&e->calls, 1);
}

static void test_escalate_to_callback(void **state) {
  esc_t e = { 0 };
  ct_runtime_opts_t o = { .workers = 1,
                          .on_escalate = on_escalate,
                          .escalate_ctx = &e };
  ct_runtime_t *rt = NULL;
  child_t c = { 0 };
  ct_spawn_opts_t so = { .name = "w3", .restart = { 0, 1 } }; /* never */
  ct_actor_t *a = NULL;
  (void)state;
  assert_int_equal(ct_runtime_new(&o, &rt), 0);
  assert_int_equal(ct_spawn(rt, &child_def, &c, &so, &a), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  send_type(a, MSG_BOOM);
  assert_int_equal(ct_test_wait_ge(&e.calls, 1, 5000), 1);
  assert_int_equal(ct_test_runtime_end(rt), 0);
  assert_string_equal(e.name, "worker/w3");
  assert_int_equal(e.err, CT_EIO);
  assert_int_equal(atomic_load(&c.inits), 1);
  assert_int_equal(atomic_load(&c.stops), 1);
}

static void test_default_escalation_stops_runtime(void **state) {
  ct_runtime_opts_t o = { .workers = 2 };
  ct_runtime_t *rt = NULL;
  child_t c = { 0 };
  ct_spawn_opts_t so = { .name = "w4", .restart = { 1, 60000 } };
  ct_actor_t *a = NULL;
  (void)state;
  assert_int_equal(ct_runtime_new(&o, &rt), 0);
  assert_int_equal(ct_spawn(rt, &child_def, &c, &so, &a), 0);
  assert_int_equal(ct_runtime_start(rt), 0);
  send_type(a, MSG_BOOM);
  send_type(a, MSG_BOOM);
  /* No ct_runtime_stop here: the escalation must stop the runtime. */
  assert_int_equal(ct_runtime_join(rt), 0);
  ct_runtime_free(rt);
  assert_int_equal(atomic_load(&c.inits), 2);
  assert_true(log_has("no supervisor: stopping runtime"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_restart_within_policy, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_escalate_to_supervisor, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_escalate_to_callback, setup, teardown),
    cmocka_unit_test_setup_teardown(test_default_escalation_stops_runtime,
                                    setup, teardown),
  };
  return cmocka_run_group_tests_name("supervision", tests, NULL, NULL);
}
