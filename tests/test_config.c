/*
 * Tests for the engine configuration loader (src/engine/config*.c): a full
 * valid file, every kind of error with its line and key path, env: and
 * file: secrets, the permission rule for inline secrets, secrets never in
 * error text, loop protection and duplicates, reload, check-config output
 * and a 1000-follower file. Files are written to a fresh temp directory.
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "copytrader/config.h"
#include "copytrader/error.h"

#define SECRET_A "eyJSECRETLEADERxyz123"
#define SECRET_B "eyJSECRETFOLLOWERabc789"

typedef struct {
  char *dir;
  char path[512];
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof(*f));
  f->dir = ct_test_tmpdir("ct-config");
  assert_non_null(f->dir);
  snprintf(f->path, sizeof(f->path), "%s/config.yaml", f->dir);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  ct_test_rmtree(f->dir);
  free(f->dir);
  free(f);
  return 0;
}

static void write_file(const char *path, const char *text, mode_t mode) {
  ct_test_writef(path, mode, "%s", text);
}

/* Lines joined with '\n', so a test knows each line's number. */
static void write_lines(const char *path, const char *const *lines, size_t n,
                        mode_t mode) {
  size_t len = 0;
  for (size_t i = 0; i < n; i++)
    len += strlen(lines[i]) + 1;
  char *text = calloc(1, len + 1);
  for (size_t i = 0; i < n; i++) {
    strcat(text, lines[i]);
    strcat(text, "\n");
  }
  write_file(path, text, mode);
  free(text);
}

static bool has_error(const ct_config_errors_t *e, const char *needle) {
  for (size_t i = 0; i < e->count; i++)
    if (strstr(e->items[i], needle) != NULL)
      return true;
  return false;
}

static void print_errors(const ct_config_errors_t *e) {
  for (size_t i = 0; i < e->count; i++)
    fprintf(stderr, "  | %s\n", e->items[i]);
}

static const char *const full_cfg[] = {
  "# a full configuration",
  "leader:",
  "  client_id: \"1000000001\"",
  "  token: env:CT_TEST_LEADER_TOKEN",
  "followers:",
  "  - name: alice",
  "    client_id: \"1000000002\"",
  "    token: file:alice.token",
  "    enabled: true",
  "    sizing: {mode: multiplier, value: 0.5}",
  "    allowed_segments: [NSE_EQ, NSE_FNO]",
  "    allowed_products: [INTRADAY, MARGIN]",
  "    max_qty: 1800",
  "    max_order_value: 500000",
  "    max_orders_per_day: 200",
  "    copy_modifications: false",
  "    copy_cancellations: true",
  "    copy_super_orders: no",
  "    copy_forever_orders: yes",
  "    copy_window: {start: \"09:15\", end: \"15:30\"}",
  "  - name: bob",
  "    client_id: 1000000003",
  "    token: env:CT_TEST_BOB_TOKEN",
  "    enabled: false",
  "    sizing:",
  "      mode: capital_proportional",
  "  - name: carol.c-1",
  "    client_id: \"1000000004\"",
  "    token: file:/nonexistent-dir/../" /* replaced at run time */,
  "    sizing: {mode: max_value, value: 100000}",
  "endpoints:",
  "  rest_base_url: http://127.0.0.1:8080/v2",
  "  ca_file: certs/ca.pem",
  "instruments: data/scrip.csv",
  "state_dir: /var/lib/copytrader",
  "rate_limits:",
  "  orders_per_second: 5",
  "  orders_per_day: 3000",
  "postback: {listen: \"127.0.0.1:9090\", secret: env:CT_TEST_LEADER_TOKEN}",
  "workers: 3",
  "spin_us: 40",
};

static void write_full(fixture_t *f, mode_t mode) {
  const char *lines[sizeof(full_cfg) / sizeof(full_cfg[0])];
  char carol[700], tok[600];
  memcpy(lines, full_cfg, sizeof(lines));
  snprintf(tok, sizeof(tok), "%s/carol.token", f->dir);
  write_file(tok, "carol-token-42\n", 0600);
  snprintf(carol, sizeof(carol), "    token: file:%s", tok);
  lines[28] = carol;
  snprintf(tok, sizeof(tok), "%s/alice.token", f->dir);
  write_file(tok, SECRET_B "\r\n  \n", 0600);
  write_lines(f->path, lines, sizeof(lines) / sizeof(lines[0]), mode);
}

static void test_full_config(void **state) {
  fixture_t *f = *state;
  ct_config_errors_t errs;
  ct_config_t *cfg = NULL;
  char want[600];
  setenv("CT_TEST_LEADER_TOKEN", SECRET_A, 1);
  setenv("CT_TEST_BOB_TOKEN", "bob-token", 1);
  write_full(f, 0644); /* no inline secret: group-readable is fine */
  ct_config_errors_init(&errs);
  int rc = ct_config_load(f->path, &cfg, &errs);
  print_errors(&errs);
  assert_int_equal(rc, 0);
  assert_int_equal(errs.count, 0);
  assert_string_equal(cfg->leader.client_id, "1000000001");
  assert_string_equal(ct_secret_reveal(&cfg->leader.token.value), SECRET_A);
  assert_int_equal(cfg->leader.token.source, CT_SECRET_SRC_ENV);
  assert_int_equal(cfg->n_followers, 3);
  const ct_config_follower_t *a = &cfg->followers[0];
  assert_string_equal(a->name, "alice");
  assert_string_equal(ct_secret_reveal(&a->token.value), SECRET_B);
  assert_int_equal(a->token.source, CT_SECRET_SRC_FILE);
  assert_true(a->rules.enabled);
  assert_int_equal(a->rules.mode, CT_SIZING_MULTIPLIER);
  assert_true(a->rules.value == 0.5);
  assert_int_equal(a->rules.segments, CT_SIZING_BIT(CT_DHAN_SEG_NSE_EQ) |
                                          CT_SIZING_BIT(CT_DHAN_SEG_NSE_FNO));
  assert_int_equal(a->rules.products,
                   CT_SIZING_BIT(CT_DHAN_PRODUCT_INTRADAY) |
                       CT_SIZING_BIT(CT_DHAN_PRODUCT_MARGIN));
  assert_int_equal(a->rules.max_qty, 1800);
  assert_true(a->rules.max_order_value == 500000.0);
  assert_int_equal(a->rules.max_orders_per_day, 200);
  assert_false(a->copy_modifications);
  assert_true(a->copy_cancellations);
  assert_false(a->copy_super_orders);
  assert_true(a->copy_forever_orders);
  assert_true(a->rules.has_window);
  assert_int_equal(a->rules.window_start, 555);
  assert_int_equal(a->rules.window_end, 930);
  assert_int_equal(a->line, 6);
  const ct_config_follower_t *b = ct_config_find_follower(cfg, "bob");
  assert_non_null(b);
  assert_string_equal(b->client_id, "1000000003");
  assert_false(b->rules.enabled);
  assert_int_equal(b->rules.mode, CT_SIZING_CAPITAL_PROPORTIONAL);
  assert_int_equal(b->rules.segments, 0); /* all */
  assert_int_equal(b->rules.max_qty, 0);  /* none */
  assert_false(b->rules.has_window);
  assert_true(b->copy_modifications); /* defaults */
  assert_true(b->copy_super_orders);
  assert_false(b->copy_forever_orders);
  assert_string_equal(ct_secret_reveal(&cfg->followers[2].token.value),
                      "carol-token-42");
  assert_null(ct_config_find_follower(cfg, "nobody"));
  assert_string_equal(cfg->rest_base_url, "http://127.0.0.1:8080/v2");
  assert_string_equal(cfg->order_update_url, CT_CONFIG_DEFAULT_WS_URL);
  snprintf(want, sizeof(want), "%s/certs/ca.pem", f->dir);
  assert_string_equal(cfg->ca_file, want);
  snprintf(want, sizeof(want), "%s/data/scrip.csv", f->dir);
  assert_string_equal(cfg->instruments, want);
  assert_string_equal(cfg->state_dir, "/var/lib/copytrader");
  assert_int_equal(cfg->rate_limits.orders_per_second, 5);
  assert_int_equal(cfg->rate_limits.orders_per_minute, 250);
  assert_int_equal(cfg->rate_limits.orders_per_day, 3000);
  assert_int_equal(cfg->rate_limits.non_trading_per_second, 20);
  assert_true(cfg->has_postback);
  assert_string_equal(cfg->postback_listen, "127.0.0.1:9090");
  assert_int_equal(cfg->workers, 3);
  assert_int_equal(cfg->spin_us, 40);
  ct_config_free(cfg);
  ct_config_errors_close(&errs);
}

static void test_minimal_defaults(void **state) {
  fixture_t *f = *state;
  ct_config_t *cfg = NULL;
  write_file(f->path,
             "leader: {client_id: '1', token: " SECRET_A
             "}\n"
             "followers:\n"
             "  - {name: f, client_id: '2', token: " SECRET_B
             ", sizing: {mode: fixed_qty, value: 10}}\n"
             "instruments: /x.csv\nstate_dir: st\n",
             0600);
  assert_int_equal(ct_config_load(f->path, &cfg, NULL), 0);
  assert_string_equal(cfg->rest_base_url, CT_CONFIG_DEFAULT_REST_URL);
  assert_null(cfg->ca_file);
  assert_false(cfg->has_postback);
  assert_int_equal(cfg->workers, 2);
  assert_int_equal(cfg->spin_us, 0); /* no spin unless asked */
  assert_int_equal(cfg->rate_limits.orders_per_second, 10);
  assert_int_equal(cfg->leader.token.source, CT_SECRET_SRC_INLINE);
  ct_config_free(cfg);
}

static const char *const bad_cfg[] = {
  /*  1 */ "leader:",
  /*  2 */ "  client_id: 10000A1",
  /*  3 */ "  token: env:CT_TEST_UNSET_VAR",
  /*  4 */ "followers:",
  /*  5 */ "  - name: alice",
  /*  6 */ "    client_id: \"1000000002\"",
  /*  7 */ "    token: file:missing.token",
  /*  8 */ "    sizing: {mode: double, value: 2}",
  /*  9 */ "    allowed_segments: [NSE_EQ, NYSE]",
  /* 10 */ "    allowed_products: []",
  /* 11 */ "    max_qty: -5",
  /* 12 */ "    max_order_value: lots",
  /* 13 */ "    enabled: maybe",
  /* 14 */ "    copy_window: {start: \"9:15\", end: \"15:30\"}",
  /* 15 */ "    colour: blue",
  /* 16 */ "  - name: bad name!",
  /* 17 */ "    client_id: \"1000000003\"",
  /* 18 */ "    token: env:CT_TEST_LEADER_TOKEN",
  /* 19 */ "    sizing: {mode: fixed_qty, value: 2.5}",
  /* 20 */ "    copy_window: {start: \"15:30\", end: \"09:15\"}",
  /* 21 */ "    max_qty: 5",
  /* 22 */ "    max_qty: 6",
  /* 23 */ "  - name: carol",
  /* 24 */ "    client_id: \"1000000004\"",
  /* 25 */ "    token: env:CT_TEST_LEADER_TOKEN",
  /* 26 */ "    sizing: {mode: multiplier}",
  /* 27 */ "endpoints:",
  /* 28 */ "  rest_base_url: ftp://x",
  /* 29 */ "rate_limits: {orders_per_second: 0}",
  /* 30 */ "postback: {listen: \"localhost\"}",
  /* 31 */ "workers: many",
  /* 32 */ "state_dir: \"\"",
  /* 33 */ "spin_us: -3",
};

static void test_every_error_with_lines(void **state) {
  fixture_t *f = *state;
  ct_config_errors_t errs;
  ct_config_t *cfg = (ct_config_t *)f; /* must be reset to NULL */
  char want[700];
  unsetenv("CT_TEST_UNSET_VAR");
  setenv("CT_TEST_LEADER_TOKEN", SECRET_A, 1);
  write_lines(f->path, bad_cfg, sizeof(bad_cfg) / sizeof(bad_cfg[0]), 0600);
  ct_config_errors_init(&errs);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), CT_ECONFIG);
  assert_null(cfg);
  print_errors(&errs);
  struct {
    int line;
    const char *text;
  } expect[] = {
    { 2, "leader.client_id: '10000A1' is not a Dhan client id" },
    { 3, "leader.token: environment variable CT_TEST_UNSET_VAR is not set" },
    { 7, "followers[0].token: cannot read secret file" },
    { 8,
      "followers[0].sizing.mode: unknown value 'double' (expected "
      "multiplier, fixed_qty, capital_proportional, max_value)" },
    { 9, "followers[0].allowed_segments[1]: unknown value 'NYSE'" },
    { 10, "followers[0].allowed_products: empty list" },
    { 11, "followers[0].max_qty: -5 is out of range" },
    { 12, "followers[0].max_order_value: 'lots' is not a number" },
    { 13, "followers[0].enabled: 'maybe' is not a boolean" },
    { 14, "followers[0].copy_window.start: '9:15' is not a time of day" },
    { 15, "followers[0]: unknown key 'colour'" },
    { 16, "followers[1].name: 'bad name!' is not a valid name" },
    { 19, "followers[1].sizing.value: fixed_qty needs a whole number" },
    { 20, "followers[1].copy_window: start 15:30 is not before end 09:15" },
    { 22, "followers[1].max_qty: key given twice" },
    { 26, "followers[2].sizing.value: required for mode multiplier" },
    { 28, "endpoints.rest_base_url: must start with https:// or http://" },
    { 29, "rate_limits.orders_per_second: 0 is out of range" },
    { 30, "postback.secret: required key missing" },
    { 30, "postback.listen: expected host:port (port 1 to 65535)" },
    { 31, "workers: 'many' is not a whole number" },
    { 32, "state_dir: empty value" },
    { 33, "spin_us: -3 is out of range" },
    { 1, "instruments: required key missing" },
  };
  size_t n = sizeof(expect) / sizeof(expect[0]);
  for (size_t i = 0; i < n; i++) {
    snprintf(want, sizeof(want), "%s:%d: %s", f->path, expect[i].line,
             expect[i].text);
    if (!has_error(&errs, want))
      fail_msg("missing error: %s", want);
  }
  assert_int_equal(errs.count, n);
  ct_config_errors_close(&errs);
}

static void test_yaml_syntax_error(void **state) {
  fixture_t *f = *state;
  ct_config_errors_t errs;
  ct_config_t *cfg = NULL;
  char want[600];
  write_file(f->path, "leader:\n  client_id: '1'\n  token: [a, b\nx: 1\n",
             0600);
  ct_config_errors_init(&errs);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), CT_ECONFIG);
  print_errors(&errs);
  assert_int_equal(errs.count, 1);
  snprintf(want, sizeof(want), "%s:4: column", f->path);
  assert_non_null(strstr(errs.items[0], want));
  assert_non_null(strstr(errs.items[0], "YAML syntax error"));
  ct_config_errors_close(&errs);
  /* Not a mapping at all; an empty file; a missing file. */
  ct_config_errors_init(&errs);
  write_file(f->path, "- just\n- a list\n", 0600);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), CT_ECONFIG);
  write_file(f->path, "", 0600);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), CT_ECONFIG);
  assert_true(has_error(&errs, "expected a mapping of keys"));
  assert_true(has_error(&errs, "empty file"));
  snprintf(want, sizeof(want), "%s/none.yaml", f->dir);
  assert_int_equal(ct_config_load(want, &cfg, &errs), CT_EIO);
  assert_true(has_error(&errs, "none.yaml: cannot read: No such file"));
  assert_int_equal(ct_config_load(NULL, &cfg, &errs), CT_EINVAL);
  ct_config_errors_close(&errs);
}

static const char *inline_cfg =
    "leader:\n"
    "  client_id: '1000000001'\n"
    "  token: " SECRET_A
    "\n"
    "followers:\n"
    "  - name: f1\n"
    "    client_id: '1000000002'\n"
    "    token: " SECRET_B
    "\n"
    "    sizing: {mode: multiplier, value: 1}\n"
    "instruments: i.csv\n"
    "state_dir: st\n";

static void test_permissions(void **state) {
  fixture_t *f = *state;
  ct_config_errors_t errs;
  ct_config_t *cfg = NULL;
  ct_config_errors_init(&errs);
  write_file(f->path, inline_cfg, 0644);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), CT_ECONFIG);
  print_errors(&errs);
  assert_int_equal(errs.count, 1);
  assert_non_null(strstr(errs.items[0], "2 inline secret(s)"));
  assert_non_null(strstr(errs.items[0], "first: leader.token"));
  assert_non_null(strstr(errs.items[0], "mode 0644"));
  assert_non_null(strstr(errs.items[0], "chmod 600"));
  write_file(f->path, inline_cfg, 0640);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), CT_ECONFIG);
  write_file(f->path, inline_cfg, 0600);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), 0);
  assert_string_equal(ct_secret_reveal(&cfg->followers[0].token.value),
                      SECRET_B);
  ct_config_free(cfg);
  /* env: tokens in a world-readable file are fine. */
  setenv("CT_TEST_LEADER_TOKEN", SECRET_A, 1);
  write_file(f->path,
             "leader: {client_id: '1', token: env:CT_TEST_LEADER_TOKEN}\n"
             "followers: [{name: a, client_id: '2', token: "
             "env:CT_TEST_LEADER_TOKEN, sizing: {mode: fixed_qty, value: 1}}]\n"
             "instruments: i.csv\nstate_dir: st\n",
             0644);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), 0);
  ct_config_free(cfg);
  assert_int_equal(errs.count, 2); /* only the two refusals above */
  ct_config_errors_close(&errs);
}

static void test_secrets_never_in_errors(void **state) {
  fixture_t *f = *state;
  ct_config_errors_t errs;
  ct_config_t *cfg = NULL;
  char tok[600], text[2048];
  snprintf(tok, sizeof(tok), "%s/spaced.token", f->dir);
  write_file(tok, "abc " SECRET_B "\n", 0600);
  setenv("CT_TEST_BAD_TOKEN", "x " SECRET_A, 1);
  snprintf(text, sizeof(text),
           "leader:\n"
           "  client_id: '1000000001'\n"
           "  token: \"" SECRET_A " " SECRET_B
           "\"\n"
           "followers:\n"
           "  - name: f1\n"
           "    client_id: '1000000001'\n"
           "    token: [" SECRET_A
           "]\n"
           "    sizing: {mode: multiplier, value: 1}\n"
           "  - name: f2\n"
           "    client_id: '1000000003'\n"
           "    token: env:CT_TEST_BAD_TOKEN\n"
           "    sizing: {mode: multiplier, value: 1}\n"
           "  - name: f3\n"
           "    client_id: '1000000004'\n"
           "    token: file:%s\n"
           "    sizing: {mode: multiplier, value: 1}\n"
           "  - name: f4\n"
           "    client_id: '1000000005'\n"
           "    token: " SECRET_B
           "\n"
           "    sizing: {mode: multiplier, value: 1}\n"
           "    tokn: " SECRET_A
           "\n"
           "postback: {listen: 'h:1', secret: {a: " SECRET_B
           "}}\n"
           "instruments: i.csv\nstate_dir: st\n",
           tok);
  write_file(f->path, text, 0666);
  ct_config_errors_init(&errs);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), CT_ECONFIG);
  print_errors(&errs);
  assert_true(errs.count >= 6);
  assert_true(has_error(&errs, "leader.token: inline secret is empty"));
  assert_true(has_error(&errs, "followers[0].token: expected a single"));
  assert_true(has_error(&errs, "CT_TEST_BAD_TOKEN holds spaces"));
  assert_true(has_error(&errs, "spaced.token' is empty, too long"));
  assert_true(has_error(&errs, "followers[3]: unknown key 'tokn'"));
  assert_true(has_error(&errs, "postback.secret: expected a single"));
  assert_true(has_error(&errs, "readable by group or others"));
  for (size_t i = 0; i < errs.count; i++) {
    assert_null(strstr(errs.items[i], SECRET_A));
    assert_null(strstr(errs.items[i], SECRET_B));
    assert_null(strstr(errs.items[i], "eyJSECRET"));
  }
  ct_config_errors_close(&errs);
  unsetenv("CT_TEST_BAD_TOKEN");
}

static void test_loop_and_duplicates(void **state) {
  fixture_t *f = *state;
  ct_config_errors_t errs;
  ct_config_t *cfg = NULL;
  char want[600];
  write_file(f->path,
             "leader: {client_id: '1000000001', token: t}\n" /* 1 */
             "followers:\n"                                  /* 2 */
             "  - name: a\n"                                 /* 3 */
             "    client_id: '1000000002'\n"                 /* 4 */
             "    token: t\n"                                /* 5 */
             "    sizing: {mode: multiplier, value: 1}\n"    /* 6 */
             "  - name: b\n"                                 /* 7 */
             "    client_id: '1000000001'\n"                 /* 8 */
             "    token: t\n"                                /* 9 */
             "    sizing: {mode: multiplier, value: 1}\n"    /* 10 */
             "  - name: a\n"                                 /* 11 */
             "    client_id: '1000000002'\n"                 /* 12 */
             "    token: t\n"                                /* 13 */
             "    sizing: {mode: multiplier, value: 1}\n"    /* 14 */
             "instruments: i.csv\nstate_dir: st\n",
             0600);
  ct_config_errors_init(&errs);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), CT_ECONFIG);
  print_errors(&errs);
  assert_int_equal(errs.count, 3);
  snprintf(want, sizeof(want),
           "%s:8: followers[1].client_id: is the leader's client id", f->path);
  assert_true(has_error(&errs, want));
  snprintf(want, sizeof(want),
           "%s:12: followers[2].client_id: client id '1000000002' also used by "
           "followers[0] (line 3)",
           f->path);
  assert_true(has_error(&errs, want));
  snprintf(want, sizeof(want),
           "%s:11: followers[2].name: name 'a' also used by followers[0]",
           f->path);
  assert_true(has_error(&errs, want));
  ct_config_errors_close(&errs);
}

static void test_reload_and_check(void **state) {
  fixture_t *f = *state;
  ct_config_errors_t errs;
  ct_config_t *cfg = NULL, *next = NULL;
  char tok[600], *out = NULL;
  size_t out_len = 0;
  snprintf(tok, sizeof(tok), "%s/f.token", f->dir);
  write_file(tok, "first-token", 0600);
  const char *fmt =
      "leader: {client_id: '%s', token: lt}\n"
      "followers: [{name: a, client_id: '2', token: file:f.token,"
      " sizing: {mode: multiplier, value: 1}}]\n"
      "instruments: i.csv\nstate_dir: %s\n";
  char text[512];
  snprintf(text, sizeof(text), fmt, "1", "st");
  write_file(f->path, text, 0600);
  ct_config_errors_init(&errs);
  assert_int_equal(ct_config_load(f->path, &cfg, &errs), 0);
  write_file(tok, "second-token", 0600); /* token rotated, then SIGHUP */
  assert_int_equal(ct_config_reload(cfg, &next, &errs), 0);
  assert_string_equal(ct_secret_reveal(&next->followers[0].token.value),
                      "second-token");
  assert_string_equal(ct_secret_reveal(&cfg->followers[0].token.value),
                      "first-token");
  ct_config_free(next);
  snprintf(text, sizeof(text), fmt, "9", "other");
  write_file(f->path, text, 0600);
  assert_int_equal(ct_config_reload(cfg, &next, &errs), CT_ECONFIG);
  assert_null(next);
  assert_true(has_error(&errs, "leader.client_id: cannot change on reload"));
  assert_true(has_error(&errs, "state_dir: cannot change on reload"));
  ct_config_errors_close(&errs);
  /* check-config prints a summary for a good file, every error otherwise. */
  snprintf(text, sizeof(text), fmt, "1", "st");
  write_file(f->path, text, 0600);
  FILE *mem = open_memstream(&out, &out_len);
  assert_int_equal(ct_config_check(f->path, mem), 0);
  fclose(mem);
  assert_non_null(strstr(out, "ok: leader 1, 1 follower(s), 1 enabled"));
  free(out);
  write_file(f->path, "workers: 0\nbogus: 1\n", 0600);
  mem = open_memstream(&out, &out_len);
  assert_int_equal(ct_config_check(f->path, mem), CT_ECONFIG);
  fclose(mem);
  assert_non_null(strstr(out, ":1: workers: 0 is out of range (1 to 64)"));
  assert_non_null(strstr(out, ":2: unknown key 'bogus'"));
  assert_non_null(strstr(out, "leader: required key missing"));
  assert_non_null(strstr(out, "6 error(s)"));
  free(out);
  ct_config_free(cfg);
}

/* Writes a config with n followers (no inline secret); returns its size. */
static size_t write_many(const char *path, int n) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fprintf(fp,
          "leader: {client_id: '1000000000', token: env:CT_TEST_LEADER_"
          "TOKEN}\nfollowers:\n");
  for (int i = 0; i < n; i++)
    fprintf(fp,
            "  - name: follower-%d\n"
            "    client_id: \"%d\"\n"
            "    token: env:CT_TEST_LEADER_TOKEN\n"
            "    sizing: {mode: multiplier, value: %d.5}\n"
            "    allowed_segments: [NSE_EQ, NSE_FNO]\n"
            "    max_qty: %d\n"
            "    copy_window: {start: \"09:15\", end: \"15:30\"}\n",
            i, 2000000000 + i, i % 4, 75 * (i + 1));
  fprintf(fp, "instruments: i.csv\nstate_dir: st\n");
  long size = ftell(fp);
  assert_int_equal(fclose(fp), 0);
  return (size_t)size;
}

static void test_thousand_followers(void **state) {
  fixture_t *f = *state;
  ct_config_t *cfg = NULL;
  setenv("CT_TEST_LEADER_TOKEN", SECRET_A, 1);
  write_many(f->path, 1000);
  assert_int_equal(ct_config_load(f->path, &cfg, NULL), 0);
  assert_int_equal(cfg->n_followers, 1000);
  assert_string_equal(cfg->followers[999].name, "follower-999");
  assert_string_equal(cfg->followers[999].client_id, "2000000999");
  assert_int_equal(cfg->followers[999].rules.max_qty, 75000);
  assert_true(cfg->followers[3].rules.value == 3.5);
  assert_int_equal(cfg->followers[999].line, 3 + 999 * 7);
  ct_config_free(cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_full_config, setup, teardown),
    cmocka_unit_test_setup_teardown(test_minimal_defaults, setup, teardown),
    cmocka_unit_test_setup_teardown(test_every_error_with_lines, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_yaml_syntax_error, setup, teardown),
    cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
    cmocka_unit_test_setup_teardown(test_secrets_never_in_errors, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_loop_and_duplicates, setup, teardown),
    cmocka_unit_test_setup_teardown(test_reload_and_check, setup, teardown),
    cmocka_unit_test_setup_teardown(test_thousand_followers, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
