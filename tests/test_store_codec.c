/*
 * Tests for the record versions of store_codec.c: a follower order record
 * (version 2) keeps intent_at_ms through encode and decode and through the
 * real LMDB store, a value written by an older binary (version 1, without
 * intent_at_ms) still decodes, with intent_at_ms 0 (unknown) and every other
 * field as written, and is written back as version 2 on its next put; a
 * version this binary does not know, or a field count that does not match
 * the version, is CT_EPROTO.
 */
#include "ct_test.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/store.h"
#include "store_fixture.h"

#include "../src/engine/store_int.h"

#define V1_FIELDS 22 /* ct_forder_t as version 1 wrote it */

static ct_forder_t sample(void) {
  ct_forder_t o = forder("L1", "F1#F", "ctV", CT_FPHASE_ACKED);
  o.part = CT_CORRID_FOREVER_LEG;
  o.status = CT_DHAN_STATUS_CONFIRM;
  strcpy(o.order_id, "952411240007");
  o.trigger_price = 3001;
  o.intent_at_ms = 1764000000456ULL;
  return o;
}

/* The value `o` would have been as version `version` with its first
 * `n` fields (what a binary with that table wrote). */
static void encode_as(const ct_forder_t *o, int version, uint32_t n,
                      msgpack_sbuffer *sb) {
  ct__buf_t b;
  msgpack_unpacked u;
  msgpack_packer pk;
  size_t off = 0;
  assert_int_equal(ct__store_encode(CT__REC_FORDER, o, &b), 0);
  msgpack_unpacked_init(&u);
  assert_int_equal(msgpack_unpack_next(&u, b.data, b.len, &off),
                   MSGPACK_UNPACK_SUCCESS);
  assert_int_equal(u.data.type, MSGPACK_OBJECT_ARRAY);
  assert_true(n + 1 <= u.data.via.array.size);
  msgpack_sbuffer_init(sb);
  msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
  msgpack_pack_array(&pk, n + 1);
  msgpack_pack_int(&pk, version);
  for (uint32_t i = 1; i <= n; i++)
    msgpack_pack_object(&pk, u.data.via.array.ptr[i]);
  msgpack_unpacked_destroy(&u);
}

static void expect_same(const ct_forder_t *a, const ct_forder_t *b) {
  assert_string_equal(a->follower_id, b->follower_id);
  assert_string_equal(a->correlation_id, b->correlation_id);
  assert_string_equal(a->leader_order_id, b->leader_order_id);
  assert_string_equal(a->order_id, b->order_id);
  assert_int_equal(a->part, b->part);
  assert_int_equal(a->phase, b->phase);
  assert_int_equal(a->status, b->status);
  assert_int_equal(a->quantity, b->quantity);
  assert_true(a->price == b->price);
  assert_true(a->trigger_price == b->trigger_price);
  assert_int_equal(a->updated_at_ms, b->updated_at_ms);
}

static void test_v2_round_trip(void **state) {
  ct_forder_t o = sample(), got;
  ct__buf_t b;
  char why[160];
  (void)state;
  assert_int_equal(ct__store_encode(CT__REC_FORDER, &o, &b), 0);
  /* array16 of 1 + 23 items, then the version */
  assert_int_equal((unsigned char)b.data[0], 0xdc);
  assert_int_equal(b.data[1] << 8 | b.data[2], 1 + V1_FIELDS + 1);
  assert_int_equal(b.data[3], 2);
  memset(&got, 0xab, sizeof got);
  assert_int_equal(
      ct__store_decode(CT__REC_FORDER, b.data, b.len, &got, why, sizeof why),
      0);
  expect_same(&o, &got);
  assert_int_equal(got.intent_at_ms, 1764000000456ULL);
}

/* A version 1 value decodes into a record whose intent time is 0, even
 * over a record that held another value. */
static void test_v1_decodes(void **state) {
  ct_forder_t o = sample(), got;
  msgpack_sbuffer sb;
  char why[160];
  (void)state;
  encode_as(&o, 1, V1_FIELDS, &sb);
  memset(&got, 0xab, sizeof got);
  assert_int_equal(
      ct__store_decode(CT__REC_FORDER, sb.data, sb.size, &got, why, sizeof why),
      0);
  expect_same(&o, &got);
  assert_int_equal(got.intent_at_ms, 0);
  msgpack_sbuffer_destroy(&sb);
}

static void expect_eproto(const ct_forder_t *o, int version, uint32_t n,
                          const char *reason) {
  ct_forder_t got;
  msgpack_sbuffer sb;
  char why[160] = "";
  encode_as(o, version, n, &sb);
  assert_int_equal(
      ct__store_decode(CT__REC_FORDER, sb.data, sb.size, &got, why, sizeof why),
      CT_EPROTO);
  assert_non_null(strstr(why, reason));
  msgpack_sbuffer_destroy(&sb);
}

static void test_versions_refused(void **state) {
  ct_forder_t o = sample();
  (void)state;
  expect_eproto(&o, 3, V1_FIELDS + 1, "unknown record version");
  expect_eproto(&o, 0, V1_FIELDS, "unknown record version");
  expect_eproto(&o, 2, V1_FIELDS, "23 fields, expected 24");
  expect_eproto(&o, 1, V1_FIELDS + 1, "24 fields, expected 23");
}

/* Through LMDB: a record the older binary left is read (intent time 0),
 * and the next put writes it as version 2 with the intent time kept. */
static void test_store_old_record(void **state) {
  char *dir = ct_test_tmpdir("ct-codec");
  ct_forder_t o = sample(), got;
  msgpack_sbuffer sb;
  ct_store_t *s = open_store(dir, NULL);
  ct_store_txn_t t;
  (void)state;
  ct_store_close(s);
  encode_as(&o, 1, V1_FIELDS, &sb);
  raw_put(dir, "forder", "F1#F\0ctV", 8, sb.data, sb.size);
  msgpack_sbuffer_destroy(&sb);
  s = open_store(dir, NULL);
  assert_int_equal(ct_store_txn_begin(s, true, &t), 0);
  assert_int_equal(ct_store_forder_get(&t, "F1#F", "ctV", &got), 0);
  expect_same(&o, &got);
  assert_int_equal(got.intent_at_ms, 0);
  got.intent_at_ms = 1764000000789ULL;
  assert_int_equal(ct_store_forder_put(&t, &got), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
  ct_store_close(s);
  s = open_store(dir, NULL);
  assert_int_equal(ct_store_txn_begin(s, false, &t), 0);
  memset(&got, 0, sizeof got);
  assert_int_equal(ct_store_forder_get(&t, "F1#F", "ctV", &got), 0);
  ct_store_txn_abort(&t);
  expect_same(&o, &got);
  assert_int_equal(got.intent_at_ms, 1764000000789ULL);
  ct_store_close(s);
  ct_test_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_v2_round_trip),
    cmocka_unit_test(test_v1_decodes),
    cmocka_unit_test(test_versions_refused),
    cmocka_unit_test(test_store_old_record),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
