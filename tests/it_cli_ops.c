/*
 * The operator subcommands (src/cli/cmd_ops.c, cmd_exit_all.c) called as
 * the program would call them, with stdout and stderr captured: flag
 * errors (exit 2, the flag named), pause/resume/status/orders on a real
 * store, and exit-all of a follower on dhansim over real sockets with the
 * kill switch. The follower's token must never appear in any output.
 */
#include "ct_test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_fx.h"
#include "cli_ops.h"
#include "copytrader/error.h"
#include "copytrader/store_control.h"
#include "sim_client.h"

#define TOKEN  "tok-SECRET-alice-93f1"
#define ALICE  "1000000002"
#define OPT_CE "48210" /* lot 75, freeze 1800 */

static char *dir;
static char cfg_path[512];
static char out_buf[65536], err_buf[65536];

typedef int (*cmd_fn)(int argc, char **argv);

/* Run a subcommand with stdout/stderr captured into out_buf/err_buf. */
static int run(cmd_fn fn, int argc, const char **argv) {
  char p1[600], p2[600];
  int so = dup(1), se = dup(2), rc;
  snprintf(p1, sizeof p1, "%s/out.txt", dir);
  snprintf(p2, sizeof p2, "%s/err.txt", dir);
  fflush(stdout);
  fflush(stderr);
  int fo = open(p1, O_CREAT | O_TRUNC | O_WRONLY, 0600);
  int fe = open(p2, O_CREAT | O_TRUNC | O_WRONLY, 0600);
  dup2(fo, 1);
  dup2(fe, 2);
  rc = fn(argc, (char **)argv);
  fflush(stdout);
  fflush(stderr);
  dup2(so, 1);
  dup2(se, 2);
  close(so);
  close(se);
  close(fo);
  close(fe);
  FILE *f = fopen(p1, "r");
  out_buf[fread(out_buf, 1, sizeof out_buf - 1, f)] = '\0';
  fclose(f);
  f = fopen(p2, "r");
  err_buf[fread(err_buf, 1, sizeof err_buf - 1, f)] = '\0';
  fclose(f);
  assert_null(strstr(out_buf, TOKEN));
  assert_null(strstr(err_buf, TOKEN));
  return rc;
}

static void write_config(const char *rest_url) {
  snprintf(cfg_path, sizeof cfg_path, "%s/copytrader.yaml", dir);
  ct_test_writef(
      cfg_path, 0600,
      "leader: {client_id: '1000000001', token: env:CT_OPS_LEADER}\n"
      "followers:\n"
      "  - {name: alice, client_id: '" ALICE
      "', token: env:CT_OPS_ALICE,"
      " sizing: {mode: multiplier, value: 1}}\n"
      "  - {name: bob, client_id: '1000000003', token: env:CT_OPS_BOB,"
      " sizing: {mode: multiplier, value: 1}}\n"
      "endpoints: {rest_base_url: '%s'}\n"
      "instruments: %s/tools/dhansim/data/instruments.csv\n"
      "state_dir: state\n",
      rest_url, CT_SOURCE_DIR);
}

static int setup(void **state) {
  (void)state;
  dir = ct_test_tmpdir("ct-cli");
  setenv("CT_OPS_LEADER", "tok-L", 1);
  setenv("CT_OPS_ALICE", TOKEN, 1);
  setenv("CT_OPS_BOB", "tok-B", 1);
  write_config("http://127.0.0.1:1/v2");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  if (getenv("CT_KEEP") == NULL)
    ct_test_rmtree(dir);
  free(dir);
  return 0;
}

static char state_dir[600];

static ct_store_t *make_store(void) {
  ct_store_config_t c = { state_dir, 64u << 20, CT_STORE_SYNC };
  ct_store_t *s = NULL;
  snprintf(state_dir, sizeof state_dir, "%s/state", dir);
  assert_int_equal(ct_store_open(&c, &s, NULL), 0);
  return s;
}

static void test_flag_errors(void **state) {
  (void)state;
  const char *a1[] = { "status", "--config", cfg_path, "--jsn" };
  assert_int_equal(run(ct__cli_status, 4, a1), 2);
  assert_non_null(strstr(err_buf, "copytrader status: unknown flag '--jsn'"));
  assert_non_null(strstr(err_buf, "usage: copytrader status --config FILE"));
  const char *a2[] = { "orders", "--config" };
  assert_int_equal(run(ct__cli_orders, 2, a2), 2);
  assert_non_null(strstr(err_buf, "flag '--config' needs a value"));
  const char *a3[] = { "pause", "alice" };
  assert_int_equal(run(ct__cli_pause, 2, a3), 2);
  assert_non_null(strstr(err_buf, "--config FILE is required"));
  const char *a4[] = { "status", "--config", cfg_path, "--kill-switch" };
  assert_int_equal(run(ct__cli_status, 4, a4), 2);
  assert_non_null(strstr(err_buf, "unknown flag '--kill-switch'"));
  const char *a5[] = { "exit-all", "--config", cfg_path, "--kil-switch" };
  assert_int_equal(run(ct__cli_exit_all, 4, a5), 2);
  assert_non_null(strstr(err_buf, "unknown flag --kil-switch"));
  const char *a6[] = { "resume", "--config", cfg_path };
  assert_int_equal(run(ct__cli_resume, 3, a6), 2);
  assert_non_null(strstr(err_buf, "FOLLOWER is required"));
  const char *a7[] = { "exit-all", "--config", cfg_path, "zed" };
  assert_int_equal(run(ct__cli_exit_all, 4, a7), 2);
  assert_non_null(strstr(err_buf, "no follower named zed"));
  const char *a8[] = { "status", "--config", "/nonexistent/c.yaml" };
  assert_int_equal(run(ct__cli_status, 3, a8), 1);
  assert_non_null(strstr(err_buf, "is not valid"));
}

static void test_pause_status_orders(void **state) {
  (void)state;
  const char *st[] = { "status", "--config", cfg_path };
  assert_int_equal(run(ct__cli_status, 3, st), 1); /* no store yet */
  assert_non_null(strstr(err_buf, "no state in"));

  ct_store_t *s = make_store();
  const char *p[] = { "pause", "--config", cfg_path, "alice" };
  assert_int_equal(run(ct__cli_pause, 4, p), 0);
  assert_string_equal(out_buf, "paused alice (" ALICE ")\n");
  ct_store_txn_t t;
  bool paused = false;
  assert_int_equal(ct_store_txn_begin(s, false, &t), 0);
  assert_int_equal(ct_store_pause_get(&t, ALICE, &paused), 0);
  ct_store_txn_abort(&t);
  assert_true(paused);
  const char *pz[] = { "pause", "--config", cfg_path, "zed" };
  assert_int_equal(run(ct__cli_pause, 4, pz), 2);
  assert_non_null(strstr(err_buf, "no follower named 'zed'"));

  assert_int_equal(run(ct__cli_status, 3, st), 1); /* no snapshot yet */
  assert_non_null(strstr(out_buf, "no status snapshot"));
  ct_status_follower_t f = {
    .name = "alice", .client_id = ALICE, .enabled = true, .orders_today = 4
  };
  ct_status_t snap = {
    .written_ms = 1, .pid = 99, .n_followers = 1, .followers = &f
  };
  assert_int_equal(ct_store_txn_begin(s, true, &t), 0);
  assert_int_equal(ct_store_status_put(&t, &snap), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
  assert_int_equal(run(ct__cli_status, 3, st), 0);
  assert_non_null(strstr(out_buf, "engine pid 99"));
  assert_non_null(strstr(out_buf, "STALE"));
  assert_non_null(strstr(out_buf, "alice            " ALICE "   yes     yes"));
  const char *sj[] = { "status", "--json", "--config", cfg_path };
  assert_int_equal(run(ct__cli_status, 4, sj), 0);
  assert_non_null(strstr(out_buf, "\"paused\":\ttrue"));

  const char *r[] = { "resume", "--config", cfg_path, "alice" };
  assert_int_equal(run(ct__cli_resume, 4, r), 0);
  assert_string_equal(out_buf, "resumed alice (" ALICE ")\n");
  const char *o[] = { "orders", "--config", cfg_path, "--follower", "alice" };
  assert_int_equal(run(ct__cli_orders, 5, o), 0);
  assert_string_equal(out_buf, "no leader orders recorded\n");
  const char *oj[] = { "orders", "--config", cfg_path, "--json" };
  assert_int_equal(run(ct__cli_orders, 4, oj), 0);
  assert_string_equal(out_buf, "[]\n");
  ct_store_close(s);
}

/* Blocking REST helpers straight to dhansim (not the code under test). */
static ct_sim_t sim;

static void rest(const char *method, const char *path, const char *body,
                 ct_http_resp_t *r) {
  char base[128];
  snprintf(base, sizeof base, "%s/v2", sim.url);
  assert_int_equal(ct_http(base, method, path, TOKEN, body, NULL, r), 0);
}

static int64_t net(const char *sec) {
  ct_http_resp_t r;
  const cJSON *it;
  int64_t n = 0;
  rest("GET", "/positions", NULL, &r);
  cJSON_ArrayForEach(it, r.json) {
    if (strcmp(ct_jstr(it, "securityId"), sec) == 0)
      n += (int64_t)ct_jnum(it, "netQty");
  }
  ct_http_resp_free(&r);
  return n;
}

static void test_exit_all_dhansim(void **state) {
  static const char *const args[] = { "--account",
                                      "1000000001:tok-L",
                                      "--account",
                                      ALICE ":" TOKEN ":50000000",
                                      "--no-rate-limit",
                                      "--fill-delay-ms",
                                      "1",
                                      NULL };
  char url[128];
  ct_http_resp_t r;
  (void)state;
  ct_api_fx_sim_env();
  assert_int_equal(ct_sim_start(&sim, args), 0);
  snprintf(url, sizeof url, "%s/v2", sim.url);
  write_config(url);
  ct_store_close(make_store());
  rest("POST", "/orders/slicing",
       "{\"dhanClientId\":\"" ALICE
       "\",\"transactionType\":\"BUY\","
       "\"exchangeSegment\":\"NSE_FNO\",\"productType\":\"MARGIN\","
       "\"orderType\":\"MARKET\",\"validity\":\"DAY\",\"securityId\":\"" OPT_CE
       "\",\"quantity\":2700,\"price\":0}",
       &r);
  assert_int_equal(r.status, 200);
  ct_http_resp_free(&r);
  for (int i = 0; i < 2000 && net(OPT_CE) != 2700; i++)
    usleep(1000);
  assert_int_equal(net(OPT_CE), 2700);

  const char *a[] = { "exit-all", "--config", cfg_path, "--kill-switch",
                      "alice" };
  int rc = run(ct__cli_exit_all, 5, a);
  if (rc != 0)
    fprintf(stderr, "%s%s", out_buf, err_buf);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out_buf, "paused alice (" ALICE ")"));
  assert_non_null(strstr(out_buf, "alice (" ALICE "): FLAT"));
  assert_non_null(strstr(out_buf, "placed 2 (failed 0)"));
  assert_non_null(strstr(out_buf, "kill switch ACTIVE"));
  assert_null(strstr(out_buf, "bob"));
  assert_int_equal(net(OPT_CE), 0);
  rest("GET", "/killswitch", NULL, &r);
  assert_string_equal(ct_jstr(r.json, "killSwitchStatus"), "ACTIVATE");
  ct_http_resp_free(&r);
  assert_int_equal(ct_sim_stop(&sim), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_flag_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_pause_status_orders, setup, teardown),
    cmocka_unit_test_setup_teardown(test_exit_all_dhansim, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
