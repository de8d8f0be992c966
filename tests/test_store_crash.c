/*
 * Crash safety of the state store: a child process commits batches (a
 * leader order, BATCH decisions and intents, the daily counters) and then
 * an ack transaction, in a loop; the parent kills it with SIGKILL at 20
 * random instants and after each reopens the store and checks that every
 * committed batch is whole, no batch is half there, no batch the child
 * reported committed is missing, the indexes match the records, and the
 * run record says the last run was unclean. Twice: in CT_STORE_SYNC and in
 * the engine's CT_STORE_NOSYNC (MDB_WRITEMAP: a commit only writes into
 * the shared mapping, which a killed process cannot lose).
 */
#include "ct_test.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "copytrader/store.h"
#include "store_fixture.h"

/* --- crash safety -------------------------------------------------------
 * A child commits batches: leader Lnnnn, its decision and an INTENT for
 * each of BATCH followers, decisions_done, the daily counter; then acks
 * half of them in a second transaction. The parent kills it at a random
 * instant and checks that every batch is whole. */

#define BATCH 10
#define DATE  20261124

/* After each committed batch the child writes its number to `fd`. */
static void child_loop(const char *dir, ct_store_durability_t mode, int fd) {
  ct_store_config_t cfg = { dir, 64u << 20, mode };
  ct_store_t *s;
  ct_store_txn_t t;
  int64_t n;
  char lid[16], fid[16];
  if (ct_store_open(&cfg, &s, NULL) != 0)
    _exit(2);
  for (;;) {
    if (ct_store_txn_begin(s, true, &t) != 0 ||
        ct_store_orders_today(&t, "F000", DATE, &n) != 0)
      _exit(3);
    snprintf(lid, sizeof lid, "L%04d", (int)n);
    ct_leader_state_t l = leader(lid);
    if (ct_store_leader_put(&t, &l) != 0)
      _exit(4);
    for (int i = 0; i < BATCH; i++) {
      snprintf(fid, sizeof fid, "F%03d", i);
      ct_decision_t d = decision(lid, fid);
      ct_forder_t o = forder(lid, fid, lid, CT_FPHASE_INTENT);
      if (ct_store_decision_put(&t, &d) != 0 ||
          ct_store_forder_put(&t, &o) != 0 ||
          ct_store_orders_today_add(&t, fid, DATE, 1, NULL) != 0)
        _exit(5);
    }
    if (ct_store_decisions_done(&t, lid) != 0 || ct_store_txn_commit(&t) != 0)
      _exit(6);
    n++;
    if (write(fd, &n, sizeof n) != (ssize_t)sizeof n)
      _exit(10);
    if (ct_store_txn_begin(s, true, &t) != 0)
      _exit(7);
    for (int i = 0; i < BATCH; i += 2) {
      snprintf(fid, sizeof fid, "F%03d", i);
      ct_forder_t o = forder(lid, fid, lid, CT_FPHASE_DONE);
      if (ct_store_forder_put(&t, &o) != 0)
        _exit(8);
    }
    if (ct_store_txn_commit(&t) != 0)
      _exit(9);
  }
}

typedef struct check {
  int n;
  int open; /* not terminal */
} check_t;

static int count_forder(const ct_forder_t *o, void *ctx) {
  ((check_t *)ctx)->n++;
  ((check_t *)ctx)->open += !ct_forder_is_terminal(o);
  return 0;
}

static int count_decision(const ct_decision_t *d, void *ctx) {
  (void)d;
  ((check_t *)ctx)->n++;
  return 0;
}

/* ctx: {txn, check_t summing the open entries} */
static int check_leader(const ct_leader_state_t *l, void *ctx) {
  ct_store_txn_t *t = ((void **)ctx)[0];
  check_t c = { 0 };
  assert_int_equal(
      ct_store_each_forder_of_leader(t, l->order_id, count_forder, &c), 0);
  assert_int_equal(c.n, BATCH);
  if (c.open != BATCH) /* the ack transaction is whole or absent */
    assert_int_equal(c.open, BATCH / 2);
  ((check_t *)((void **)ctx)[1])->open += c.open;
  c.n = 0;
  assert_int_equal(ct_store_each_decision(t, l->order_id, count_decision, &c),
                   0);
  assert_int_equal(c.n, BATCH);
  return 0;
}

static int count_leader(const ct_leader_state_t *l, void *ctx) {
  (void)l;
  ((check_t *)ctx)->n++;
  return 0;
}

/* Open entries: the odd followers of every batch, plus the even ones of
 * the last batch when the kill fell between its two transactions. */
static void check_store(const char *dir, int prev, int *batches) {
  ct_store_open_info_t info;
  ct_store_t *s = open_store(dir, &info);
  ct_store_txn_t t;
  check_t leaders = { 0 }, open = { 0 }, undecided = { 0 };
  int64_t n0 = 0, n9 = 0;
  assert_int_equal(ct_store_txn_begin(s, false, &t), 0);
  assert_int_equal(ct_store_each_leader(&t, count_leader, &leaders), 0);
  check_t sum = { 0 };
  void *ctx[2] = { &t, &sum };
  assert_int_equal(ct_store_each_leader(&t, check_leader, ctx), 0);
  assert_int_equal(ct_store_each_undecided(&t, count_leader, &undecided), 0);
  assert_int_equal(undecided.n, 0);
  assert_int_equal(ct_store_orders_today(&t, "F000", DATE, &n0), 0);
  assert_int_equal(ct_store_orders_today(&t, "F009", DATE, &n9), 0);
  assert_int_equal(n0, leaders.n);
  assert_int_equal(n9, leaders.n);
  assert_int_equal(ct_store_each_open_forder(&t, count_forder, &open), 0);
  assert_int_equal(open.n, sum.open); /* the index matches the records */
  ct_store_txn_abort(&t);
  if (leaders.n > prev) /* the child committed, so it had opened */
    assert_true(info.unclean);
  assert_false(info.may_have_lost_commits);
  ct_store_close(s);
  *batches = leaders.n;
}

/* The last batch number the child reported committed (0: none). */
static int64_t last_reported(int fd) {
  int64_t n, last = 0;
  while (read(fd, &n, sizeof n) == (ssize_t)sizeof n)
    last = n;
  return last;
}

static void kill9_rounds(ct_store_durability_t mode) {
  char *dir = ct_test_tmpdir("ct-store-crash");
  unsigned seed = (unsigned)time(NULL);
  int batches = 0, prev = 0, fds[2];
  assert_non_null(dir);
  for (int round = 0; round < 20; round++) {
    int status = 0;
    pid_t pid;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      child_loop(dir, mode, fds[1]);
    }
    close(fds[1]);
    usleep(2000 + rand_r(&seed) % 40000);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status)); /* not an _exit() failure code */
    assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    int64_t reported = last_reported(fds[0]);
    close(fds[0]);
    check_store(dir, prev, &batches);
    assert_true(batches >= prev);
    assert_true(batches >= reported); /* nothing committed was lost */
    prev = batches;
  }
  print_message("kill9: 20 kills, %d whole batches survived\n", batches);
  assert_true(batches > 0);
  ct_test_rmtree(dir);
  free(dir);
}

static void test_kill9_at_random_instants(void **state) {
  (void)state;
  kill9_rounds(CT_STORE_SYNC);
}

static void test_kill9_nosync_loses_no_commit(void **state) {
  (void)state;
  kill9_rounds(CT_STORE_NOSYNC);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_kill9_at_random_instants),
    cmocka_unit_test(test_kill9_nosync_loses_no_commit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
