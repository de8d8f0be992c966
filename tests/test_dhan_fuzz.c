/*
 * Fuzz-style robustness test for the Dhan parsers and the error
 * classifier: every fixture is mutated many times (bit flips, byte
 * changes, insertions, deletions, truncation, splices of JSON tokens) with
 * a fixed seed, and each mutant is fed to every parser in an exact-size
 * heap buffer (no NUL after it), so the sanitizer build catches any read
 * past the end. Every call must answer 0, CT_DHAN_IGNORED or CT_EPROTO
 * with a NUL-terminated reason.
 */
#include "ct_test.h"

#include <dirent.h>
#include <string.h>

#include "copytrader/dhan_error.h"
#include "copytrader/dhan_json.h"
#include "copytrader/error.h"
#include "dhan_fixture.h"

#define MUTANTS_PER_FIXTURE 1000
#define MAX_FIXTURES        64

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

static const char *const tokens[] = { "null",
                                      "\"\"",
                                      "[",
                                      "]",
                                      "{",
                                      "}",
                                      ",",
                                      ":",
                                      "\"NA\"",
                                      "1e400",
                                      "-0",
                                      "\"Traded\"",
                                      "{\"Type\":\"order_alert\",\"Data\":",
                                      "\"\\u0000\"",
                                      "99999999999999999999",
                                      "[[[[[[[[",
                                      "\"OrderNo\"",
                                      "true",
                                      "\"\\ud800\"" };

/* One random edit of b (len *n, capacity cap). */
static void mutate(char *b, size_t *n, size_t cap) {
  size_t pos = *n ? next() % *n : 0;
  const char *t;
  size_t tl;
  switch (next() % 6) {
  case 0:
    if (*n)
      b[pos] ^= (char)(1u << (next() % 8));
    break;
  case 1:
    if (*n)
      b[pos] = (char)next();
    break;
  case 2:
    if (*n) {
      memmove(b + pos, b + pos + 1, *n - pos - 1);
      (*n)--;
    }
    break;
  case 3:
    *n = pos;
    break;
  default:
    t = tokens[next() % (sizeof(tokens) / sizeof(tokens[0]))];
    tl = strlen(t);
    if (*n + tl <= cap) {
      memmove(b + pos + tl, b + pos, *n - pos);
      memcpy(b + pos, t, tl);
      *n += tl;
    }
  }
}

static void check_rc(int rc, const char *err) {
  if (rc != 0 && rc != CT_DHAN_IGNORED && rc != CT_EPROTO)
    fail_msg("unexpected rc %d", rc);
  assert_true(memchr(err, '\0', CT_DHAN_ERR_SIZE) != NULL);
}

#define LIST(fn, type)                                                         \
  do {                                                                         \
    type *out_ = NULL;                                                         \
    size_t n_ = 0;                                                             \
    check_rc(fn(buf, len, &out_, &n_, err, sizeof(err)), err);                 \
    free(out_);                                                                \
  } while (0)

#define ONE(fn, type)                                                          \
  do {                                                                         \
    type out_;                                                                 \
    check_rc(fn(buf, len, &out_, err, sizeof(err)), err);                      \
  } while (0)

/* Every parser on one buffer; returns how many accepted it. */
static int feed(const char *buf, size_t len) {
  char err[CT_DHAN_ERR_SIZE] = "";
  ct_order_event_t ev;
  ct_dhan_error_t e;
  int ok = 0, rc;
  rc = ct_dhan_parse_order_update(buf, len, &ev, err, sizeof(err));
  check_rc(rc, err);
  ok += rc == 0;
  rc = ct_dhan_parse_postback(buf, len, &ev, err, sizeof(err));
  check_rc(rc, err);
  ok += rc == 0;
  LIST(ct_dhan_parse_order_acks, ct_dhan_order_ack_t);
  LIST(ct_dhan_parse_orders, ct_dhan_order_t);
  LIST(ct_dhan_parse_trades, ct_dhan_trade_t);
  LIST(ct_dhan_parse_super_orders, ct_dhan_super_order_t);
  LIST(ct_dhan_parse_forever_orders, ct_dhan_forever_order_t);
  LIST(ct_dhan_parse_holdings, ct_dhan_holding_t);
  LIST(ct_dhan_parse_positions, ct_dhan_position_t);
  LIST(ct_dhan_parse_ledger, ct_dhan_ledger_entry_t);
  ONE(ct_dhan_parse_order, ct_dhan_order_t);
  ONE(ct_dhan_parse_fund_limit, ct_dhan_fund_limit_t);
  ONE(ct_dhan_parse_margin, ct_dhan_margin_t);
  ONE(ct_dhan_parse_profile, ct_dhan_profile_t);
  ONE(ct_dhan_parse_killswitch, ct_dhan_killswitch_t);
  ONE(ct_dhan_parse_edis_inquiry, ct_dhan_edis_inquiry_t);
  ct_dhan_classify(0, true, 400, buf, len, CT_DHAN_CALL_MUTATES, &e);
  assert_true(e.cls < CT_DHAN_CLASS_COUNT);
  assert_true(memchr(e.raw, '\0', sizeof(e.raw)) != NULL);
  return ok;
}

static int list_fixtures(char names[][128]) {
  char path[512];
  DIR *d;
  struct dirent *de;
  int n = 0;
  snprintf(path, sizeof(path), "%s/dhan", CT_TEST_DATA_DIR);
  d = opendir(path);
  assert_non_null(d);
  while ((de = readdir(d)) != NULL && n < MAX_FIXTURES)
    if (de->d_name[0] != '.')
      snprintf(names[n++], 128, "%.127s", de->d_name);
  closedir(d);
  return n;
}

static void test_mutants_never_crash(void **state) {
  static char names[MAX_FIXTURES][128];
  int nf = list_fixtures(names), accepted = 0, rejected = 0;
  (void)state;
  assert_true(nf >= 40);
  for (int f = 0; f < nf; f++) {
    size_t len;
    char *orig = ct_fixture(names[f], &len);
    size_t cap = len + 256;
    char *work = malloc(cap);
    assert_non_null(work);
    for (int m = 0; m < MUTANTS_PER_FIXTURE; m++) {
      size_t n = len;
      char *exact;
      memcpy(work, orig, len);
      for (uint32_t k = 1 + next() % 4; k > 0; k--)
        mutate(work, &n, cap);
      exact = malloc(n ? n : 1);
      assert_non_null(exact);
      memcpy(exact, work, n);
      if (feed(exact, n) > 0)
        accepted++;
      else
        rejected++;
      free(exact);
    }
    free(work);
    free(orig);
  }
  /* Both outcomes happen: the mutations are neither all fatal nor inert. */
  assert_true(accepted > 100);
  assert_true(rejected > 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_mutants_never_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
