/*
 * Operator reports (report.h) from a real LMDB store in a temporary
 * directory: the status snapshot and the leader/follower orders view, as
 * text tables and as JSON (parsed back and checked field by field).
 */
#include "ct_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/breaker.h"
#include "copytrader/error.h"
#include "copytrader/report.h"
#include "copytrader/store_control.h"
#include "store_fixture.h"

static char *dir;
static ct_store_t *store;
static const char *const ids[] = { "1000000002", "1000000003" };
static const char *const nms[] = { "alice", "bob" };
static const ct_report_names_t names = { 2, ids, nms };

static int setup(void **state) {
  (void)state;
  dir = ct_test_tmpdir("ct-report");
  store = open_store(dir, NULL);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  ct_store_close(store);
  ct_test_rmtree(dir);
  free(dir);
  return 0;
}

/* Render through a read transaction into a malloc'd string. */
typedef int (*render_fn)(ct_store_txn_t *t, ct_report_format_t fmt, FILE *out);

static char *render(render_fn fn, ct_report_format_t fmt, int want_rc) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ct_store_txn_t t;
  assert_non_null(f);
  assert_int_equal(ct_store_txn_begin(store, false, &t), 0);
  assert_int_equal(fn(&t, fmt, f), want_rc);
  ct_store_txn_abort(&t);
  fclose(f);
  return buf;
}

static int status_fn(ct_store_txn_t *t, ct_report_format_t fmt, FILE *out) {
  return ct_report_status(t, fmt, &names, 1764000002123ULL, 0, out);
}

static const ct_report_orders_filter_t *filter;

static int orders_fn(ct_store_txn_t *t, ct_report_format_t fmt, FILE *out) {
  return ct_report_orders(t, fmt, &names, filter, out);
}

static void put_status(void) {
  ct_status_follower_t f[2];
  ct_status_t st = { .written_ms = 1764000000123ULL, .pid = 777 };
  ct_store_txn_t t;
  memset(f, 0, sizeof f);
  st.feed.up = true;
  st.feed.connects = 2;
  st.feed.last_event_ms = 1764000001123ULL;
  strcpy(f[0].client_id, ids[0]);
  strcpy(f[0].name, "alice");
  f[0].enabled = true;
  f[0].breaker = CT_BREAKER_OPEN;
  f[0].n_windows = 2;
  f[0].windows[0] = (ct_status_window_t){ 1000, 10, 7 };
  f[0].windows[1] = (ct_status_window_t){ 60000, 250, 243 };
  f[0].orders_today = 12;
  strcpy(f[0].last_error, "DH-906 insufficient funds");
  strcpy(f[1].client_id, ids[1]); /* no name in the snapshot: from names */
  f[1].enabled = false;
  st.n_followers = 2;
  st.followers = f;
  assert_int_equal(ct_store_txn_begin(store, true, &t), 0);
  assert_int_equal(ct_store_status_put(&t, &st), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
}

static void test_status_missing(void **state) {
  (void)state;
  char *s = render(status_fn, CT_REPORT_TEXT, CT_ENOTFOUND);
  assert_non_null(strstr(s, "no status snapshot"));
  free(s);
  s = render(status_fn, CT_REPORT_JSON, CT_ENOTFOUND);
  cJSON *j = cJSON_Parse(s);
  assert_non_null(j);
  assert_non_null(cJSON_GetObjectItem(j, "error"));
  cJSON_Delete(j);
  free(s);
}

static void test_status_text(void **state) {
  (void)state;
  put_status();
  /* The pause flag wins over the snapshot's (the operator's last word). */
  assert_int_equal(ct_store_pause_set(store, ids[1], true), 0);
  char *s = render(status_fn, CT_REPORT_TEXT, 0);
  assert_non_null(strstr(s, "engine pid 777, snapshot 2.0 s old\n"));
  assert_non_null(strstr(s, "leader feed: up, connects 2, last event 1.0 s"));
  assert_non_null(strstr(s,
                         "alice            1000000002   yes     no     open"
                         "      7/10 243/250"));
  assert_non_null(strstr(s, "12  DH-906 insufficient funds\n"));
  assert_non_null(strstr(s,
                         "bob              1000000003   no      yes*   "
                         "closed    -"));
  /* ... and one the engine has not applied yet is marked */
  assert_non_null(strstr(s, "* not yet applied by the engine"));
  assert_null(strstr(s, "STALE"));
  free(s);
}

static void test_status_json(void **state) {
  (void)state;
  put_status();
  char *s = render(status_fn, CT_REPORT_JSON, 0);
  cJSON *j = cJSON_Parse(s);
  assert_non_null(j);
  assert_int_equal(cJSON_GetObjectItem(j, "pid")->valueint, 777);
  assert_int_equal(cJSON_GetObjectItem(j, "age_ms")->valueint, 2000);
  assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "stale")));
  cJSON *feed = cJSON_GetObjectItem(j, "leader_feed");
  assert_string_equal(cJSON_GetObjectItem(feed, "state")->valuestring, "up");
  cJSON *fs = cJSON_GetObjectItem(j, "followers");
  assert_int_equal(cJSON_GetArraySize(fs), 2);
  cJSON *a = cJSON_GetArrayItem(fs, 0), *b = cJSON_GetArrayItem(fs, 1);
  assert_string_equal(cJSON_GetObjectItem(a, "breaker")->valuestring, "open");
  cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(a, "order_windows"), 1);
  assert_int_equal(cJSON_GetObjectItem(w, "period_ms")->valueint, 60000);
  assert_int_equal(cJSON_GetObjectItem(w, "headroom")->valueint, 243);
  assert_int_equal(cJSON_GetObjectItem(a, "orders_today")->valueint, 12);
  assert_string_equal(cJSON_GetObjectItem(b, "name")->valuestring, "bob");
  assert_true(cJSON_IsFalse(cJSON_GetObjectItem(b, "enabled")));
  assert_true(cJSON_IsFalse(cJSON_GetObjectItem(b, "engine_paused")));
  cJSON_Delete(j);
  free(s);
}

static void test_status_stale(void **state) {
  ct_store_txn_t t;
  (void)state;
  put_status();
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_int_equal(ct_store_txn_begin(store, false, &t), 0);
  assert_int_equal(
      ct_report_status(&t, CT_REPORT_TEXT, NULL, 1764000060123ULL, 0, f), 0);
  ct_store_txn_abort(&t);
  fclose(f);
  assert_non_null(strstr(buf, "STALE"));
  free(buf);
}

/* L1: alice sent in two slices (one ACKED and traded, one REJECTED), bob
 * skipped for zero lots. L2: alice's order diverged. */
static void put_orders(void) {
  ct_store_txn_t t;
  ct_leader_state_t l1 = leader("L1"), l2 = leader("L2");
  ct_decision_t da = decision("L1", ids[0]), db = decision("L1", ids[1]);
  ct_decision_t d2 = decision("L2", ids[0]);
  ct_forder_t o1 = forder("L1", ids[0], "ctAAA", CT_FPHASE_ACKED);
  ct_forder_t o2 = forder("L1", ids[0], "ctBBB", CT_FPHASE_REJECTED);
  ct_forder_t o3 = forder("L2", ids[0], "ctCCC", CT_FPHASE_ACKED);
  db.kind = CT_DECISION_SKIP;
  strcpy(db.skip_reason, "ZERO_LOTS");
  strcpy(o1.order_id, "5925022734212");
  o1.status = CT_DHAN_STATUS_TRADED;
  o1.filled_qty = 50;
  strcpy(o2.reject_code, "DH-906");
  o3.diverged = true;
  assert_int_equal(ct_store_txn_begin(store, true, &t), 0);
  assert_int_equal(ct_store_leader_put(&t, &l1), 0);
  assert_int_equal(ct_store_leader_put(&t, &l2), 0);
  assert_int_equal(ct_store_decision_put(&t, &da), 0);
  assert_int_equal(ct_store_decision_put(&t, &db), 0);
  assert_int_equal(ct_store_decision_put(&t, &d2), 0);
  assert_int_equal(ct_store_forder_put(&t, &o1), 0);
  assert_int_equal(ct_store_forder_put(&t, &o2), 0);
  assert_int_equal(ct_store_forder_put(&t, &o3), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
}

static void test_orders_empty(void **state) {
  (void)state;
  filter = NULL;
  char *s = render(orders_fn, CT_REPORT_TEXT, 0);
  assert_string_equal(s, "no leader orders recorded\n");
  free(s);
  s = render(orders_fn, CT_REPORT_JSON, 0);
  assert_string_equal(s, "[]\n");
  free(s);
}

static void test_orders_text(void **state) {
  (void)state;
  put_orders();
  filter = NULL;
  char *s = render(orders_fn, CT_REPORT_TEXT, 0);
  if (getenv("CT_REPORT_DUMP"))
    fputs(s, stderr);
  assert_non_null(strstr(s,
                         "LEADER L1  SELL 75 NSE_FNO/1333 STOP_LOSS @ "
                         "101.05  PART_TRADED, traded 25\n"));
  assert_non_null(strstr(s, "  alice          SEND 150 x3          ctAAA"));
  assert_non_null(strstr(s, "5925022734212    ACKED/TRADED         50     50"));
  assert_non_null(strstr(s,
                         "ctBBB                       -                "
                         "REJECTED             50      0 DH-906"));
  assert_non_null(strstr(s, "  bob            SKIP ZERO_LOTS"));
  assert_non_null(strstr(s, "ACKED DIVERGED"));
  /* L1 comes before L2, and alice's decision is printed once per order. */
  assert_true(strstr(s, "LEADER L1") < strstr(s, "LEADER L2"));
  free(s);
}

static void test_orders_json_filtered(void **state) {
  static const ct_report_orders_filter_t f = { "L1", "1000000002" };
  (void)state;
  put_orders();
  filter = &f;
  char *s = render(orders_fn, CT_REPORT_JSON, 0);
  cJSON *j = cJSON_Parse(s);
  assert_non_null(j);
  assert_int_equal(cJSON_GetArraySize(j), 1);
  cJSON *l = cJSON_GetArrayItem(j, 0);
  assert_string_equal(cJSON_GetObjectItem(l, "order_id")->valuestring, "L1");
  assert_int_equal(cJSON_GetObjectItem(l, "traded_qty")->valueint, 25);
  cJSON *fs = cJSON_GetObjectItem(l, "followers");
  assert_int_equal(cJSON_GetArraySize(fs), 1); /* bob filtered out */
  cJSON *a = cJSON_GetArrayItem(fs, 0);
  assert_string_equal(cJSON_GetObjectItem(a, "name")->valuestring, "alice");
  assert_string_equal(cJSON_GetObjectItem(a, "decision")->valuestring, "SEND");
  assert_int_equal(cJSON_GetObjectItem(a, "slices")->valueint, 3);
  cJSON *os = cJSON_GetObjectItem(a, "orders");
  assert_int_equal(cJSON_GetArraySize(os), 2);
  cJSON *o = cJSON_GetArrayItem(os, 0);
  assert_string_equal(cJSON_GetObjectItem(o, "correlation_id")->valuestring,
                      "ctAAA");
  assert_string_equal(cJSON_GetObjectItem(o, "order_id")->valuestring,
                      "5925022734212");
  assert_string_equal(cJSON_GetObjectItem(o, "status")->valuestring, "TRADED");
  assert_int_equal(cJSON_GetObjectItem(o, "filled_qty")->valueint, 50);
  o = cJSON_GetArrayItem(os, 1);
  assert_string_equal(cJSON_GetObjectItem(o, "phase")->valuestring, "REJECTED");
  assert_string_equal(cJSON_GetObjectItem(o, "reject_code")->valuestring,
                      "DH-906");
  cJSON_Delete(j);
  free(s);
  filter = NULL;
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_status_missing, setup, teardown),
    cmocka_unit_test_setup_teardown(test_status_text, setup, teardown),
    cmocka_unit_test_setup_teardown(test_status_json, setup, teardown),
    cmocka_unit_test_setup_teardown(test_status_stale, setup, teardown),
    cmocka_unit_test_setup_teardown(test_orders_empty, setup, teardown),
    cmocka_unit_test_setup_teardown(test_orders_text, setup, teardown),
    cmocka_unit_test_setup_teardown(test_orders_json_filtered, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
