/*
 * Integration: the `copytrader` program. check-config reports every error
 * with its key and line and exits 1 (0 and a summary for a good file); bad
 * flags and unknown commands exit 2 with a message; `run` picks up a new
 * token on SIGHUP without a restart (a follower whose token was wrong
 * copies the order it could not place before, exactly once), never writes
 * a token to its log, and stops cleanly (exit 0) on SIGTERM. SIGBUS (what
 * a full disk raises through the store's file mapping; sent here with
 * kill, since filling a disk needs a size-limited mount) is named in one
 * line and the process dies of it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct_test.h"
#include "engine_fx.h"
#include "sim_client.h"

#define OUT 8192

static void test_bad_flags(void **state) {
  static const char *const a1[] = { "run", "--bogus", NULL };
  static const char *const a2[] = { "run", NULL };
  static const char *const a3[] = { "frobnicate", NULL };
  static const char *const a4[] = { "check-config", "--config", NULL };
  static const char *const a5[] = { NULL };
  char out[OUT];
  (void)state;
  assert_int_equal(ct_efx_run_cli(a1, out, sizeof out), 2);
  assert_non_null(strstr(out, "unknown flag"));
  assert_int_equal(ct_efx_run_cli(a2, out, sizeof out), 2);
  assert_non_null(strstr(out, "--config is required"));
  assert_int_equal(ct_efx_run_cli(a3, out, sizeof out), 2);
  assert_non_null(strstr(out, "unknown command"));
  assert_int_equal(ct_efx_run_cli(a4, out, sizeof out), 2);
  assert_non_null(strstr(out, "needs a value"));
  assert_int_equal(ct_efx_run_cli(a5, out, sizeof out), 2);
  assert_non_null(strstr(out, "usage"));
}

static void test_check_config(void **state) {
  char *dir = ct_test_tmpdir("ct-cli-cfg"), path[512], out[OUT];
  const char *args[] = { "check-config", "--config", path, NULL };
  (void)state;
  assert_non_null(dir);
  snprintf(path, sizeof path, "%s/bad.yaml", dir);
  ct_test_writef(
      path, 0600,
      "leader:\n  client_id: \"1000000001\"\n  token: secret-leader\n"
      "followers:\n"
      "  - name: a\n    client_id: \"1000000002\"\n    token: x\n"
      "    sizing: {mode: double, value: 2}\n"
      "  - name: b\n    client_id: \"1000000003\"\n    token: x\n"
      "    sizing: {mode: multiplier, value: 1}\n    max_qty: -5\n"
      "instruments: none.csv\nstate_dir: state\n");
  assert_int_equal(ct_efx_run_cli(args, out, sizeof out), 1);
  /* every error, each with its line and key */
  assert_non_null(strstr(out, "bad.yaml:8: followers[0].sizing.mode"));
  assert_non_null(strstr(out, "bad.yaml:13: followers[1].max_qty"));
  assert_non_null(strstr(out, "2 error(s)"));
  assert_null(strstr(out, "secret-leader"));
  /* loop protection: the leader cannot be one of its followers */
  snprintf(path, sizeof path, "%s/loop.yaml", dir);
  ct_test_writef(path, 0600,
                 "leader:\n  client_id: \"1000000001\"\n  token: t\n"
                 "followers:\n"
                 "  - name: a\n    client_id: \"1000000001\"\n    token: x\n"
                 "    sizing: {mode: multiplier, value: 2}\n"
                 "instruments: none.csv\nstate_dir: state\n");
  assert_int_equal(ct_efx_run_cli(args, out, sizeof out), 1);
  assert_non_null(strstr(out, "loop.yaml:6: followers[0].client_id"));
  snprintf(path, sizeof path, "%s/good.yaml", dir);
  ct_test_writef(path, 0600,
                 "leader:\n  client_id: \"1000000001\"\n  token: t\n"
                 "followers:\n"
                 "  - name: a\n    client_id: \"1000000002\"\n    token: x\n"
                 "    sizing: {mode: multiplier, value: 2}\n"
                 "instruments: %s/tools/dhansim/data/instruments.csv\n"
                 "state_dir: state\n",
                 CT_SOURCE_DIR);
  assert_int_equal(ct_efx_run_cli(args, out, sizeof out), 0);
  assert_non_null(strstr(out, "ok"));
  ct_test_rmtree(dir);
  free(dir);
}

static void write_config(ct_efx_t *fx, const char *token) {
  char followers[512];
  snprintf(followers, sizeof followers,
           "  - name: late\n    client_id: \"" EFX_F2
           "\"\n    token: %s\n"
           "    sizing: {mode: multiplier, value: 1}\n",
           token);
  ct_efx_config(fx, followers);
}

static void test_sighup_token_swap(void **state) {
  static ct_efx_t fx;
  const char *args[] = { "run",       "--config", fx.cfg_path,
                         "--poll-ms", "100",      NULL };
  char log[600], oid[32], corr[CT_CORRID_SIZE], *text;
  int status = 0;
  cJSON *o;
  pid_t pid;
  (void)state;
  ct_efx_sim(&fx, NULL);
  write_config(&fx, "wrong-token");
  snprintf(log, sizeof log, "%s/engine.log", fx.dir);
  pid = ct_efx_spawn(args, log);
  usleep(1500000);
  ct_efx_place(&fx,
               "\"transactionType\":\"BUY\",\"exchangeSegment\":\"NSE_EQ\","
               "\"productType\":\"INTRADAY\",\"orderType\":\"LIMIT\","
               "\"validity\":\"DAY\",\"securityId\":\"11536\","
               "\"quantity\":3,\"price\":3000",
               oid);
  ct_efx_corr(oid, EFX_F2, -1, corr);
  usleep(800000);
  assert_int_equal(ct_efx_count_corr(&fx, EFX_F2, corr), 0); /* DH-901 */
  write_config(&fx, "tok" EFX_F2);
  assert_int_equal(kill(pid, SIGHUP), 0);
  o = ct_efx_wait(&fx, EFX_F2, corr, "PENDING", 10000);
  assert_non_null(o);
  assert_int_equal((int)ct_jnum(o, "quantity"), 3);
  cJSON_Delete(o);
  usleep(300000);
  assert_int_equal(ct_efx_count_corr(&fx, EFX_F2, corr), 1);
  assert_int_equal(kill(pid, SIGTERM), 0);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  /* No token in the log, old or new. */
  text = ct_test_read_file(log, NULL);
  assert_non_null(text);
  assert_non_null(strstr(text, "reloaded"));
  assert_null(strstr(text, "wrong-token"));
  assert_null(strstr(text, "tok" EFX_F2));
  assert_null(strstr(text, "tok" EFX_LEADER));
  free(text);
  ct_efx_teardown(&fx);
}

static void test_sigbus_named(void **state) {
  static ct_efx_t fx;
  const char *args[] = { "run", "--config", fx.cfg_path, NULL };
  char log[600], *text;
  int status = 0;
  pid_t pid;
  (void)state;
  ct_efx_sim(&fx, NULL);
  write_config(&fx, "tok" EFX_F2);
  snprintf(log, sizeof log, "%s/engine.log", fx.dir);
  pid = ct_efx_spawn(args, log);
  usleep(1000000);
  assert_int_equal(kill(pid, SIGBUS), 0);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGBUS);
  text = ct_test_read_file(log, NULL);
  assert_non_null(text);
  assert_non_null(strstr(text, "SIGBUS"));
  assert_non_null(strstr(text, "disk of state_dir full"));
  free(text);
  ct_efx_teardown(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bad_flags),
    cmocka_unit_test(test_check_config),
    cmocka_unit_test(test_sighup_token_swap),
    cmocka_unit_test(test_sigbus_named),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
