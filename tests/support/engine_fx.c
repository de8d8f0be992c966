/*
 * engine_fx.c: the replication engine's test fixture (engine_fx.h):
 * dhansim with nine accounts, a config file in a temporary directory,
 * the engine in this process, leader actions over REST and follower books
 * through dhansim's admin plane, all blocking with deadlines.
 */
#include "engine_fx.h"

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api_fx.h"
#include "copytrader/config.h"
#include "copytrader/corrid.h"
#include "copytrader/error.h"
#include "ct_test.h"
#include "sim_client.h"

#define MAX_ARGS 48

static void sleep_ms(int ms) {
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

void ct_efx_sim(ct_efx_t *fx, const char *const *extra) {
  static const char *const base[] = { "--account",
                                      EFX_LEADER ":tok" EFX_LEADER ":10000000",
                                      "--account",
                                      EFX_F2 ":tok" EFX_F2 ":10000000",
                                      "--account",
                                      EFX_F3 ":tok" EFX_F3 ":10000000",
                                      "--account",
                                      EFX_F4 ":tok" EFX_F4 ":5000000",
                                      "--account",
                                      EFX_F5 ":tok" EFX_F5 ":10000000",
                                      "--account",
                                      EFX_F6 ":tok" EFX_F6 ":1000",
                                      "--account",
                                      EFX_F7 ":tok" EFX_F7 ":10000000",
                                      "--account",
                                      EFX_F8 ":tok" EFX_F8 ":10000000",
                                      "--account",
                                      EFX_F9 ":tok" EFX_F9 ":20000",
                                      "--no-rate-limit",
                                      "--instruments",
                                      CT_SOURCE_DIR
                                      "/tools/dhansim/data/instruments.csv",
                                      NULL };
  const char *args[MAX_ARGS];
  size_t n = 0;
  memset(fx, 0, sizeof(*fx));
  for (size_t i = 0; base[i]; i++)
    args[n++] = base[i];
  for (size_t i = 0; extra && extra[i] && n < MAX_ARGS - 1; i++)
    args[n++] = extra[i];
  args[n] = NULL;
  ct_api_fx_sim_env();
  assert_int_equal(ct_sim_start(&fx->sim, args), 0);
  fx->dir = ct_test_tmpdir("ct-engine");
  assert_non_null(fx->dir);
  snprintf(fx->cfg_path, sizeof fx->cfg_path, "%s/engine.yaml", fx->dir);
  snprintf(fx->state_dir, sizeof fx->state_dir, "%s/state", fx->dir);
  snprintf(fx->metrics, sizeof fx->metrics, "%s/metrics.jsonl", fx->dir);
  snprintf(fx->api, sizeof fx->api, "%s/v2", fx->sim.url);
}

void ct_efx_config(ct_efx_t *fx, const char *followers) {
  FILE *f = fopen(fx->cfg_path, "w");
  assert_non_null(f);
  char ws[128];
  snprintf(ws, sizeof ws, "ws://127.0.0.1:%d/", fx->sim.port);
  fprintf(f,
          "leader:\n  client_id: \"%s\"\n  token: tok%s\n"
          "followers:\n%s"
          "endpoints:\n  rest_base_url: %s/v2\n"
          "  order_update_url: %s\n"
          "instruments: %s/tools/dhansim/data/instruments.csv\n"
          "state_dir: %s\n%s",
          EFX_LEADER, EFX_LEADER, followers, fx->sim.url,
          fx->ws_url ? fx->ws_url : ws, CT_SOURCE_DIR, fx->state_dir,
          fx->extra_yaml ? fx->extra_yaml : "");
  fclose(f);
  assert_int_equal(chmod(fx->cfg_path, 0600), 0);
}

static void on_ready(void *ctx) {
  atomic_store((_Atomic int *)ctx, 1);
}

void ct_efx_start(ct_efx_t *fx) {
  ct_config_errors_t errs;
  ct_engine_opts_t o = { 0 };
  ct_config_errors_init(&errs);
  if (ct_config_load(fx->cfg_path, &fx->cfg, &errs) != 0)
    fail_msg("config: %s", errs.count ? errs.items[0] : "?");
  ct_config_errors_close(&errs);
  o.leader_poll_ms = fx->leader_poll_ms ? fx->leader_poll_ms : 250;
  o.follower_poll_ms = 200;
  o.call_timeout_ms = 3000;
  o.funds_refresh_ms = 1000;
  o.feed_ping_ms = 1000;
  o.status_ms = fx->status_ms;
  o.control_poll_ms = fx->control_poll_ms;
  o.metrics_path = fx->metrics;
  o.on_ready = on_ready;
  o.ctx = &fx->ready;
  atomic_store(&fx->ready, 0);
  assert_int_equal(ct_engine_start(fx->cfg, &o, &fx->eng), 0);
  assert_int_equal(ct_test_wait_ge(&fx->ready, 1, 10000), 1);
  sleep_ms(1200); /* the order feed counts as up after its login grace */
}

void ct_efx_stop(ct_efx_t *fx) {
  if (fx->eng == NULL)
    return;
  ct_engine_stop(fx->eng);
  assert_int_equal(ct_engine_join_free(fx->eng), 0);
  fx->eng = NULL;
  ct_config_free(fx->cfg);
  fx->cfg = NULL;
}

void ct_efx_teardown(ct_efx_t *fx) {
  ct_efx_stop(fx);
  ct_sim_stop(&fx->sim);
  if (fx->dir)
    ct_test_rmtree(fx->dir);
  free(fx->dir);
  fx->dir = NULL;
}

int ct_efx_setup(void **state, ct_efx_t *fx, const char *const *extra,
                 const char *followers) {
  ct_efx_up(fx, extra, followers);
  *state = fx;
  return 0;
}

int ct_efx_setup_funded(void **state, ct_efx_t *fx, const char *const *extra,
                        const char *followers, const char *account) {
  ct_efx_setup(state, fx, extra, followers);
  ct_efx_wait_req(fx, account, "GET", "/v2/fundlimit", 0, 1);
  usleep(300000);
  return 0;
}

int ct_efx_cm_teardown(void **state) {
  ct_efx_teardown(*state);
  return 0;
}

static cJSON *call_as(ct_efx_t *fx, const char *acct, const char *method,
                      const char *path, const char *body, long want) {
  char base[96], tok[48];
  snprintf(base, sizeof base, "%s/v2", fx->sim.url);
  snprintf(tok, sizeof tok, "tok%s", acct);
  return ct_http_want(base, method, path, tok, body, want);
}

static cJSON *leader_call(ct_efx_t *fx, const char *method, const char *path,
                          const char *body, long want) {
  return call_as(fx, EFX_LEADER, method, path, body, want);
}

void ct_efx_modify_as(ct_efx_t *fx, const char *acct, const char *oid,
                      const char *fields) {
  char body[1024], path[96];
  snprintf(body, sizeof body, "{\"dhanClientId\":\"%s\",\"orderId\":\"%s\",%s}",
           acct, oid, fields);
  snprintf(path, sizeof path, "/orders/%s", oid);
  cJSON_Delete(call_as(fx, acct, "PUT", path, body, 200));
}

void ct_efx_place_at(ct_efx_t *fx, const char *path, const char *fields,
                     char *oid) {
  char body[1024];
  cJSON *j;
  snprintf(body, sizeof body, "{\"dhanClientId\":\"%s\",%s}", EFX_LEADER,
           fields);
  j = leader_call(fx, "POST", path, body, 200);
  snprintf(oid, 32, "%s", ct_jstr(j, "orderId"));
  assert_true(oid[0] != '\0');
  cJSON_Delete(j);
}

void ct_efx_place(ct_efx_t *fx, const char *fields, char *oid) {
  ct_efx_place_at(fx, "/orders", fields, oid);
}

void ct_efx_modify(ct_efx_t *fx, const char *oid, const char *fields) {
  ct_efx_modify_as(fx, EFX_LEADER, oid, fields);
}

void ct_efx_cancel(ct_efx_t *fx, const char *oid) {
  char path[96];
  snprintf(path, sizeof path, "/orders/%s", oid);
  cJSON_Delete(leader_call(fx, "DELETE", path, NULL, 202));
}

void ct_efx_admin(ct_efx_t *fx, const char *path, const char *body) {
  cJSON_Delete(ct_http_want(fx->sim.url, "POST", path, NULL, body, 200));
}

void ct_efx_corr_of(const char *oid, const char *follower,
                    ct_corrid_kind_t kind, uint32_t index,
                    char corr[CT_CORRID_SIZE]) {
  ct_corrid_input_t in = { .leader_order_id = oid,
                           .follower_id = follower,
                           .kind = kind,
                           .index = index };
  assert_int_equal(ct_corrid_make(&in, corr), 0);
}

void ct_efx_corr(const char *oid, const char *follower, int slice,
                 char corr[CT_CORRID_SIZE]) {
  ct_efx_corr_of(oid, follower, slice < 0 ? CT_CORRID_ORDER : CT_CORRID_SLICE,
                 slice < 0 ? 0 : (uint32_t)slice, corr);
}

cJSON *ct_efx_book(ct_efx_t *fx, const char *account) {
  char path[96];
  cJSON *j;
  snprintf(path, sizeof path, "/admin/orders?account=%s", account);
  j = ct_http_want(fx->sim.url, "GET", path, NULL, NULL, 200);
  assert_non_null(j);
  return j;
}

static cJSON *find(cJSON *book, const char *corr, const char *status) {
  cJSON *it;
  cJSON_ArrayForEach(it, book) {
    if (strcmp(ct_jstr(it, "correlationId"), corr) == 0 &&
        (status == NULL || strcmp(ct_jstr(it, "orderStatus"), status) == 0))
      return it;
  }
  return NULL;
}

cJSON *ct_efx_wait(ct_efx_t *fx, const char *account, const char *corr,
                   const char *status, int timeout_ms) {
  for (int waited = 0;; waited += 20) {
    cJSON *book = ct_efx_book(fx, account), *hit = find(book, corr, status);
    if (hit != NULL || waited >= timeout_ms) {
      cJSON *copy = hit ? cJSON_Duplicate(hit, 1) : NULL;
      cJSON_Delete(book);
      return copy;
    }
    cJSON_Delete(book);
    sleep_ms(20);
  }
}

int ct_efx_count_corr(ct_efx_t *fx, const char *account, const char *corr) {
  cJSON *book = ct_efx_book(fx, account), *it;
  int n = 0;
  cJSON_ArrayForEach(it, book) {
    n += strcmp(ct_jstr(it, "correlationId"), corr) == 0;
  }
  cJSON_Delete(book);
  return n;
}

int ct_efx_no_duplicates(ct_efx_t *fx, const char *account) {
  cJSON *book = ct_efx_book(fx, account), *a, *b;
  int n = 0;
  cJSON_ArrayForEach(a, book) {
    const char *ca = ct_jstr(a, "correlationId");
    n++;
    for (b = a->next; b != NULL && ca[0]; b = b->next)
      if (strcmp(ca, ct_jstr(b, "correlationId")) == 0)
        fail_msg("account %s: correlation id %s twice (%s, %s)", account, ca,
                 ct_jstr(a, "orderId"), ct_jstr(b, "orderId"));
  }
  cJSON_Delete(book);
  return n;
}

/* The engine's store in its own environment (the engine's must be closed:
 * one LMDB environment per process), with a transaction begun in *t. */
static ct_store_t *store_begin(ct_efx_t *fx, bool write, ct_store_txn_t *t) {
  ct_store_config_t sc = { .path = fx->state_dir };
  ct_store_t *s;
  assert_null(fx->eng);
  assert_int_equal(ct_store_open(&sc, &s, NULL), 0);
  assert_int_equal(ct_store_txn_begin(s, write, t), 0);
  return s;
}

/* One record from the store. */
static int read_record(ct_efx_t *fx, bool decision, const char *a,
                       const char *b, void *out) {
  ct_store_txn_t t;
  ct_store_t *s = store_begin(fx, false, &t);
  int rc = decision ? ct_store_decision_get(&t, a, b, out)
                    : ct_store_forder_get(&t, a, b, out);
  ct_store_txn_abort(&t);
  ct_store_close(s);
  return rc;
}

int ct_efx_decision(ct_efx_t *fx, const char *leader_oid, const char *follower,
                    ct_decision_t *out) {
  return read_record(fx, true, leader_oid, follower, out);
}

int ct_efx_forder(ct_efx_t *fx, const char *follower, const char *corr,
                  ct_forder_t *out) {
  return read_record(fx, false, follower, corr, out);
}

void ct_efx_forder_set(ct_efx_t *fx, const char *follower, const char *corr,
                       ct_forder_phase_t phase, ct_dhan_status_t status) {
  ct_store_txn_t t;
  ct_store_t *st = store_begin(fx, true, &t);
  ct_forder_t fo;
  assert_int_equal(ct_store_forder_get(&t, follower, corr, &fo), 0);
  fo.phase = phase;
  fo.status = status;
  assert_int_equal(ct_store_forder_put(&t, &fo), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
  ct_store_close(st);
}

void ct_efx_forder_unanswered(ct_efx_t *fx, const char *follower,
                              const char *corr) {
  ct_store_txn_t t;
  ct_store_t *st = store_begin(fx, true, &t);
  ct_forder_t fo;
  assert_int_equal(ct_store_forder_get(&t, follower, corr, &fo), 0);
  assert_int_equal((int)fo.phase, (int)CT_FPHASE_ACKED);
  fo.phase = CT_FPHASE_INTENT;
  fo.order_id[0] = '\0';
  fo.attempts = 0;
  assert_int_equal(ct_store_forder_put(&t, &fo), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
  ct_store_close(st);
}

void ct_efx_up(ct_efx_t *fx, const char *const *extra, const char *followers) {
  ct_efx_sim(fx, extra);
  ct_efx_config(fx, followers);
  ct_efx_start(fx);
}

pid_t ct_efx_spawn(const char *const *args, const char *log) {
  const char *argv[32];
  char bin[512];
  const char *dir = getenv("CT_BINARY_DIR");
  pid_t parent = getpid(), pid;
  size_t n = 0;
  snprintf(bin, sizeof bin, "%s/copytrader", dir ? dir : CT_BINARY_DIR);
  argv[n++] = bin;
  for (size_t i = 0; args[i] && n < 31; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  pid = fork();
  if (pid != 0)
    return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(127);
  int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
  }
  execv(bin, (char *const *)argv);
  _exit(127);
}

int ct_efx_run_cli(const char *const *args, char *out, size_t cap) {
  char *dir = ct_test_tmpdir("ct-cli"), log[512];
  int status = 0;
  pid_t pid;
  FILE *f;
  size_t n = 0;
  if (dir == NULL)
    return -1;
  snprintf(log, sizeof log, "%s/out", dir);
  pid = ct_efx_spawn(args, log);
  if (pid < 0 || waitpid(pid, &status, 0) != pid)
    status = -1;
  if ((f = fopen(log, "r")) != NULL) {
    n = fread(out, 1, cap - 1, f);
    fclose(f);
  }
  out[n] = '\0';
  ct_test_rmtree(dir);
  free(dir);
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ct_efx_expect_skip(ct_efx_t *fx, const char *leader_oid,
                        const char *follower, const char *reason) {
  ct_decision_t d;
  char corr[CT_CORRID_SIZE];
  assert_int_equal(ct_efx_decision(fx, leader_oid, follower, &d), 0);
  assert_int_equal((int)d.kind, (int)CT_DECISION_SKIP);
  assert_string_equal(d.skip_reason, reason);
  ct_efx_corr(leader_oid, follower, -1, corr);
  assert_int_equal(ct_efx_count_corr(fx, follower, corr), 0);
}

/* Requests of `account` with this method and a path equal to `path`, or
 * starting with it when `prefix`. */
static int count_req(ct_efx_t *fx, const char *account, const char *method,
                     const char *path, bool prefix) {
  char q[128];
  ct_http_resp_t r;
  cJSON *all, *it;
  size_t len = strlen(path);
  int n = 0;
  snprintf(q, sizeof q, "/admin/requests?account=%s", account);
  assert_int_equal(ct_http(fx->sim.url, "GET", q, NULL, NULL, NULL, &r), 0);
  assert_int_equal(r.status, 200);
  all = cJSON_GetObjectItem(r.json, "requests");
  assert_non_null(all);
  cJSON_ArrayForEach(it, all) {
    const char *p = ct_jstr(it, "path");
    if (strcmp(ct_jstr(it, "method"), method) == 0 &&
        (prefix ? strncmp(p, path, len) == 0 : strcmp(p, path) == 0))
      n++;
  }
  ct_http_resp_free(&r);
  return n;
}

int ct_efx_count_req(ct_efx_t *fx, const char *account, const char *method,
                     const char *path) {
  return count_req(fx, account, method, path, false);
}

void ct_efx_wait_req(ct_efx_t *fx, const char *account, const char *method,
                     const char *path, int from, int n) {
  int w = 0;
  while (ct_efx_count_req(fx, account, method, path) < from + n && w++ < 400)
    usleep(20000);
  assert_true(w < 400);
}

void ct_efx_wait_book_quiet(ct_efx_t *fx, const char *account) {
  int n, i = 0;
  do { /* the book, and orders polled one by one */
    n = count_req(fx, account, "GET", "/v2/orders", true);
    usleep(1200000);
  } while (count_req(fx, account, "GET", "/v2/orders", true) != n && ++i < 10);
  assert_true(i < 10);
}
