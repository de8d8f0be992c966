/*
 * The operator records of store_control.h on a real LMDB store: pause
 * flags and the status snapshot round-trip, corrupt values are refused
 * with a reason, and a second PROCESS attached to the store (as the
 * operator commands are) reads and writes while the engine's process has
 * it open, without touching the engine's run bookkeeping.
 */
#include "ct_test.h"

#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "copytrader/store_control.h"
#include "store_fixture.h"

static char *dir;

static int setup(void **state) {
  (void)state;
  dir = ct_test_tmpdir("ct-ctl");
  return dir == NULL;
}

static int teardown(void **state) {
  (void)state;
  ct_test_rmtree(dir);
  free(dir);
  return 0;
}

static ct_store_t *attach_store(void) {
  ct_store_t *s = NULL;
  assert_int_equal(ct_store_attach(dir, &s), 0);
  return s;
}

static bool paused(ct_store_t *s, const char *id) {
  ct_store_txn_t t;
  bool p = true;
  assert_int_equal(ct_store_txn_begin(s, false, &t), 0);
  assert_int_equal(ct_store_pause_get(&t, id, &p), 0);
  ct_store_txn_abort(&t);
  return p;
}

static void test_pause_roundtrip(void **state) {
  ct_store_t *s = open_store(dir, NULL);
  ct_store_txn_t t;
  bool p;
  (void)state;
  assert_false(paused(s, "1000000002")); /* never set: not paused */
  assert_int_equal(ct_store_pause_set(s, "1000000002", true), 0);
  assert_true(paused(s, "1000000002"));
  assert_false(paused(s, "1000000003"));
  assert_int_equal(ct_store_pause_set(s, "1000000002", false), 0);
  assert_false(paused(s, "1000000002"));
  assert_int_equal(ct_store_pause_set(s, "", true), CT_EINVAL);
  assert_int_equal(ct_store_pause_set(s, "123456789012345678901234", true),
                   CT_EINVAL);
  assert_int_equal(ct_store_txn_begin(s, false, &t), 0);
  assert_int_equal(ct_store_pause_put(&t, "1000000002", true), CT_ESTATE);
  assert_int_equal(ct_store_pause_get(&t, NULL, &p), CT_EINVAL);
  ct_store_txn_abort(&t);
  ct_store_close(s);
}

static ct_status_t sample(ct_status_follower_t f[2]) {
  ct_status_t st = { .written_ms = 1764000000123ULL, .pid = 4242 };
  memset(f, 0, 2 * sizeof *f);
  st.feed.up = true;
  st.feed.connects = 3;
  st.feed.last_event_ms = 1764000000001ULL;
  strcpy(st.feed.last_error, "socket closed by peer");
  strcpy(f[0].name, "alice");
  strcpy(f[0].client_id, "1000000002");
  f[0].enabled = true;
  f[0].breaker = 1;
  f[0].n_windows = 2;
  f[0].windows[0] = (ct_status_window_t){ 1000, 10, 7 };
  f[0].windows[1] = (ct_status_window_t){ 60000, 250, 243 };
  f[0].orders_today = 7;
  f[0].last_error_ms = 1764000000050ULL;
  strcpy(f[0].last_error, "DH-906 order rejected");
  strcpy(f[1].name, "bob");
  strcpy(f[1].client_id, "1000000003");
  f[1].paused = true;
  f[1].orders_today = -0; /* zero, no windows, no error */
  st.n_followers = 2;
  st.followers = f;
  return st;
}

static void test_status_roundtrip(void **state) {
  ct_store_t *s = open_store(dir, NULL);
  ct_status_follower_t f[2];
  ct_status_t in = sample(f), out;
  ct_store_txn_t t;
  (void)state;
  assert_int_equal(ct_store_txn_begin(s, false, &t), 0);
  assert_int_equal(ct_store_status_get(&t, &out), CT_ENOTFOUND);
  ct_store_txn_abort(&t);
  assert_int_equal(ct_store_txn_begin(s, true, &t), 0);
  assert_int_equal(ct_store_status_put(&t, &in), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
  assert_int_equal(ct_store_txn_begin(s, false, &t), 0);
  assert_int_equal(ct_store_status_get(&t, &out), 0);
  ct_store_txn_abort(&t);
  assert_int_equal(out.written_ms, in.written_ms);
  assert_int_equal(out.pid, 4242);
  assert_true(out.feed.up);
  assert_int_equal(out.feed.connects, 3);
  assert_int_equal(out.feed.last_event_ms, in.feed.last_event_ms);
  assert_string_equal(out.feed.last_error, "socket closed by peer");
  assert_int_equal(out.n_followers, 2);
  assert_memory_equal(&out.followers[0], &f[0], sizeof f[0]);
  assert_memory_equal(&out.followers[1], &f[1], sizeof f[1]);
  ct_status_clear(&out);
  assert_null(out.followers);
  f[0].n_windows = CT_STATUS_WINDOWS_MAX + 1;
  assert_int_equal(ct_store_txn_begin(s, true, &t), 0);
  assert_int_equal(ct_store_status_put(&t, &in), CT_EINVAL);
  ct_store_txn_abort(&t);
  ct_store_close(s);
}

/* A value that is not the expected shape: CT_EPROTO with a reason. */
static void test_corrupt(void **state) {
  ct_store_t *s = open_store(dir, NULL);
  (void)state;
  ct_store_close(s);
  MDB_env *env;
  MDB_txn *txn;
  MDB_dbi dbi;
  /* Write junk with raw LMDB (another process's view of the file). */
  assert_int_equal(mdb_env_create(&env), 0);
  assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
  assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
  assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
  assert_int_equal(mdb_dbi_open(txn, "control", 0, &dbi), 0);
  MDB_val k = { 6, "status" }, v = { 3, "\x93\x01\x02" };
  assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
  MDB_val pk = { 16,
                 "pause\0"
                 "1000000002" },
          pv = { 2, "\x91\x07" };
  assert_int_equal(mdb_put(txn, dbi, &pk, &pv, 0), 0);
  assert_int_equal(mdb_txn_commit(txn), 0);
  mdb_env_close(env);

  ct_store_txn_t t;
  ct_status_t st;
  bool p;
  s = open_store(dir, NULL);
  assert_int_equal(ct_store_txn_begin(s, false, &t), 0);
  assert_int_equal(ct_store_status_get(&t, &st), CT_EPROTO);
  assert_non_null(strstr(t.err, "status"));
  assert_null(st.followers);
  assert_int_equal(ct_store_pause_get(&t, "1000000002", &p), CT_EPROTO);
  assert_non_null(strstr(t.err, "pause"));
  ct_store_txn_abort(&t);
  ct_store_close(s);
}

/* Attach refuses a directory without a store and never creates one. */
static void test_attach_missing(void **state) {
  ct_store_t *s = NULL;
  (void)state;
  assert_int_equal(ct_store_attach(dir, &s), CT_ENOTFOUND);
  assert_null(s);
  assert_int_equal(access(dir, F_OK), 0);
  char p[4096];
  snprintf(p, sizeof p, "%s/data.mdb", dir);
  assert_int_not_equal(access(p, F_OK), 0);
}

/* Pipe-driven child: attaches, then answers commands from the parent:
 * 'p' pause 1000000002, 'r' resume it, 's' check that the status snapshot
 * has pid 4242 (exit 10 if not), 'q' close and exit 0. */
static void child(int cmd, int ack) {
  ct_store_t *s;
  ct_store_txn_t t;
  ct_status_t st;
  char c;
  if (ct_store_attach(dir, &s) != 0)
    _exit(2);
  while (read(cmd, &c, 1) == 1) {
    int rc = 0;
    if (c == 'p' || c == 'r')
      rc = ct_store_pause_set(s, "1000000002", c == 'p');
    else if (c == 's') {
      if (ct_store_txn_begin(s, false, &t) != 0 ||
          ct_store_status_get(&t, &st) != 0 || st.pid != 4242)
        _exit(10);
      ct_store_txn_abort(&t);
      ct_status_clear(&st);
    } else if (c == 'q')
      break;
    if (rc != 0 || write(ack, &c, 1) != 1)
      _exit(3);
  }
  ct_store_close(s);
  _exit(0);
}

static void ask(int cmd, int ack, char c) {
  char got = 0;
  assert_int_equal(write(cmd, &c, 1), 1);
  assert_int_equal(read(ack, &got, 1), 1);
  assert_int_equal(got, c);
}

static int reap(pid_t pid) {
  int ws = 0;
  assert_int_equal(waitpid(pid, &ws, 0), pid);
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* The engine (this process) holds a write-capable store open with a read
 * transaction running; another process attaches, pauses and resumes a
 * follower and reads the engine's status snapshot. */
static void test_two_processes(void **state) {
  int cp[2], ap[2];
  pid_t pid;
  (void)state;
  ct_status_follower_t f[2];
  ct_status_t st = sample(f);
  ct_store_txn_t t, rt;
  ct_store_t *s = open_store(dir, NULL);
  assert_int_equal(ct_store_txn_begin(s, true, &t), 0);
  assert_int_equal(ct_store_status_put(&t, &st), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
  ct_store_close(s);
  /* Fork before this process opens the store again: an LMDB environment
   * must not cross a fork. */
  assert_int_equal(pipe(cp), 0);
  assert_int_equal(pipe(ap), 0);
  if ((pid = fork()) == 0) {
    close(cp[1]);
    close(ap[0]);
    child(cp[0], ap[1]);
  }
  close(cp[0]);
  close(ap[1]);
  s = open_store(dir, NULL);
  /* A long read transaction of the engine does not block the writer. */
  assert_int_equal(ct_store_txn_begin(s, false, &rt), 0);
  ask(cp[1], ap[0], 'p');
  assert_true(paused(s, "1000000002"));
  bool p = true;
  assert_int_equal(ct_store_pause_get(&rt, "1000000002", &p), 0);
  assert_false(p); /* the old snapshot stays consistent */
  ct_store_txn_abort(&rt);
  ask(cp[1], ap[0], 's');
  ask(cp[1], ap[0], 'r');
  assert_false(paused(s, "1000000002"));
  /* The engine writes while the other process is attached. */
  assert_int_equal(ct_store_pause_set(s, "1000000003", true), 0);
  assert_int_equal(write(cp[1], "q", 1), 1);
  assert_int_equal(reap(pid), 0);
  close(cp[1]);
  close(ap[0]);
  assert_true(paused(s, "1000000003"));
  ct_store_close(s);
}

/* An engine run that crashes stays "unclean" even when an operator
 * command attached and closed cleanly in between. */
static void test_attach_keeps_run_record(void **state) {
  ct_store_open_info_t info;
  pid_t pid;
  (void)state;
  ct_store_close(open_store(dir, NULL));
  if ((pid = fork()) == 0) {
    ct_store_config_t cfg = { dir, 64u << 20, CT_STORE_SYNC };
    ct_store_t *s;
    if (ct_store_open(&cfg, &s, NULL) != 0)
      _exit(2);
    kill(getpid(), SIGKILL); /* crash: no close, no exit handlers */
  }
  assert_int_equal(reap(pid), 128 + SIGKILL);
  ct_store_t *a = attach_store();
  assert_int_equal(ct_store_pause_set(a, "1000000002", true), 0);
  ct_store_close(a);
  ct_store_t *s = open_store(dir, &info);
  assert_true(info.unclean);
  assert_false(info.created);
  assert_true(paused(s, "1000000002"));
  ct_store_close(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_pause_roundtrip, setup, teardown),
    cmocka_unit_test_setup_teardown(test_status_roundtrip, setup, teardown),
    cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
    cmocka_unit_test_setup_teardown(test_attach_missing, setup, teardown),
    cmocka_unit_test_setup_teardown(test_two_processes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_attach_keeps_run_record, setup,
                                    teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
