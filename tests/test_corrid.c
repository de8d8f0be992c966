/*
 * Tests for corrid.c: determinism, length and charset, sensitivity to
 * every input, no collisions over a million varied inputs, recognition of
 * our ids (and rejection of near misses and foreign tags).
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/corrid.h"
#include "copytrader/dhan_build.h"
#include "copytrader/error.h"

#define N_IDS 1000000

static ct_corrid_input_t input(const char *leader, const char *follower) {
  ct_corrid_input_t in;
  memset(&in, 0, sizeof(in));
  in.leader_order_id = leader;
  in.follower_id = follower;
  return in;
}

static void test_deterministic_and_well_formed(void **state) {
  ct_corrid_input_t in = input("112111182198", "1000000003");
  char a[CT_CORRID_SIZE], b[CT_CORRID_SIZE];
  (void)state;
  assert_int_equal(ct_corrid_make(&in, a), 0);
  assert_int_equal(ct_corrid_make(&in, b), 0);
  assert_string_equal(a, b);
  assert_int_equal(strlen(a), CT_CORRID_LEN);
  assert_true(strlen(a) <= 30);
  assert_memory_equal(a, "ct", 2);
  assert_int_equal(strspn(a,
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                          "vwxyz0123456789_-"),
                   CT_CORRID_LEN);
  assert_true(ct_dhan_correlation_id_ok(a));
  assert_true(ct_corrid_is_ours(a));
}

/* Ids must never change across versions: a restarted engine re-derives
 * the id of an order it may already have sent (exactly-once). The value
 * was made by the EVP-context code this one replaced. */
static void test_stable_across_versions(void **state) {
  ct_corrid_input_t in = input("112111182198", "1000000002");
  char a[CT_CORRID_SIZE];
  (void)state;
  in.kind = CT_CORRID_SLICE;
  in.index = 3;
  assert_int_equal(ct_corrid_make(&in, a), 0);
  assert_string_equal(a, "ctDn2UkujdIbr3jmMIz9J5fgdg");
}

/* Inputs too long for the stack buffer take the EVP path: same rules. */
static void test_long_input(void **state) {
  char lid[400], a[CT_CORRID_SIZE], b[CT_CORRID_SIZE];
  ct_corrid_input_t in;
  (void)state;
  memset(lid, '7', sizeof lid - 1);
  lid[sizeof lid - 1] = '\0';
  in = input(lid, "1000000002");
  assert_int_equal(ct_corrid_make(&in, a), 0);
  lid[sizeof lid - 2] = '8';
  assert_int_equal(ct_corrid_make(&in, b), 0);
  assert_string_not_equal(a, b);
  assert_true(ct_corrid_is_ours(a));
  assert_true(ct_corrid_is_ours(b));
}

static void test_every_input_matters(void **state) {
  ct_corrid_input_t in = input("12", "3");
  char base[CT_CORRID_SIZE], other[CT_CORRID_SIZE];
  (void)state;
  assert_int_equal(ct_corrid_make(&in, base), 0);
  /* Moving a character between fields must change the id. */
  in = input("1", "23");
  assert_int_equal(ct_corrid_make(&in, other), 0);
  assert_string_not_equal(base, other);
  in = input("12", "3");
  in.kind = CT_CORRID_SLICE;
  assert_int_equal(ct_corrid_make(&in, other), 0);
  assert_string_not_equal(base, other);
  in = input("12", "3");
  in.index = 1;
  assert_int_equal(ct_corrid_make(&in, other), 0);
  assert_string_not_equal(base, other);
  in = input("12", "3");
  in.generation = 1;
  assert_int_equal(ct_corrid_make(&in, other), 0);
  assert_string_not_equal(base, other);
}

static void test_bad_input(void **state) {
  ct_corrid_input_t in = input("", "3");
  char out[CT_CORRID_SIZE];
  (void)state;
  assert_int_equal(ct_corrid_make(&in, out), CT_EINVAL);
  in = input("1", NULL);
  assert_int_equal(ct_corrid_make(&in, out), CT_EINVAL);
  in = input("1", "2");
  in.kind = (ct_corrid_kind_t)99;
  assert_int_equal(ct_corrid_make(&in, out), CT_EINVAL);
  assert_int_equal(ct_corrid_make(NULL, out), CT_EINVAL);
}

static void test_recognition(void **state) {
  ct_corrid_input_t in = input("5925022734212", "1000000007");
  char id[CT_CORRID_SIZE], bad[CT_CORRID_SIZE + 1];
  int rejected = 0;
  (void)state;
  assert_int_equal(ct_corrid_make(&in, id), 0);
  assert_true(ct_corrid_is_ours(id));
  assert_false(ct_corrid_is_ours(NULL));
  assert_false(ct_corrid_is_ours(""));
  assert_false(ct_corrid_is_ours("123abc678"));
  assert_false(ct_corrid_is_ours("ctABCDEFGHIJKLMNOPQRSTUVxx"));
  /* Any one changed character is caught (almost always: 2 check chars). */
  for (int pos = 2; pos < CT_CORRID_LEN; pos++) {
    strcpy(bad, id);
    bad[pos] = bad[pos] == 'A' ? 'B' : 'A';
    rejected += !ct_corrid_is_ours(bad);
  }
  assert_true(rejected >= CT_CORRID_LEN - 2 - 1);
  strcpy(bad, id);
  bad[0] = 'C';
  assert_false(ct_corrid_is_ours(bad));
  strcpy(bad, id);
  strcat(bad, "x");
  assert_false(ct_corrid_is_ours(bad));
  bad[CT_CORRID_LEN - 1] = '\0';
  assert_false(ct_corrid_is_ours(bad));
}

static int cmp_id(const void *a, const void *b) {
  return memcmp(a, b, CT_CORRID_SIZE);
}

/* A million ids from inputs that differ in small ways: all distinct. */
static void test_no_collisions(void **state) {
  char(*ids)[CT_CORRID_SIZE] = malloc((size_t)N_IDS * CT_CORRID_SIZE);
  char leader[24], follower[24];
  size_t dup = 0;
  (void)state;
  assert_non_null(ids);
  for (int i = 0; i < N_IDS; i++) {
    ct_corrid_input_t in;
    snprintf(leader, sizeof(leader), "%d", 1124091136 + i / 40);
    snprintf(follower, sizeof(follower), "%d", 1000000000 + (i / 8) % 5);
    in = input(leader, follower);
    in.kind = (ct_corrid_kind_t)(i % 2);
    in.index = (uint32_t)(i / 2) % 2;
    in.generation = (uint32_t)(i / 4) % 2;
    assert_int_equal(ct_corrid_make(&in, ids[i]), 0);
  }
  qsort(ids, N_IDS, CT_CORRID_SIZE, cmp_id);
  for (int i = 1; i < N_IDS; i++)
    dup += memcmp(ids[i - 1], ids[i], CT_CORRID_SIZE) == 0;
  assert_int_equal(dup, 0);
  free(ids);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_deterministic_and_well_formed),
    cmocka_unit_test(test_stable_across_versions),
    cmocka_unit_test(test_long_input),
    cmocka_unit_test(test_every_input_matters),
    cmocka_unit_test(test_bad_input),
    cmocka_unit_test(test_recognition),
    cmocka_unit_test(test_no_collisions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
