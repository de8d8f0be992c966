/*
 * Tests for message.c and reader.c: the envelope layout (fixed-width
 * header stamped in place), every writer and reader, nesting, type
 * mismatches that leave the cursor alone, integer range checks, zero-copy
 * strings and the per-thread pool.
 */
#include "ct_test.h"

#include <string.h>

#include "../src/actors/msg.h"
#include "copytrader/error.h"

static void envelope_of(ct_msg_t *m, ct_envelope_t *env) {
  assert_int_equal(ct_envelope_parse(m->buf, m->len, env), 0);
}

static void test_header_layout_and_stamp(void **state) {
  ct_msg_t *m = NULL;
  ct_envelope_t env;
  static const unsigned char want[CT__HDR_LEN] = {
    0x93, 0xce, 0, 0, 0x01, 0x2c,            /* type 300 */
    0xcf, 0,    0, 0, 0,    0,    0, 0, 7,   /* sender 7 */
    0xcf, 0,    0, 0, 0x01, 0,    0, 0, 0x02 /* request 2^32 + 2 */
  };
  (void)state;
  assert_int_equal(ct_msg_new(300, &m), 0);
  assert_int_equal(ct_msg_type(m), 300);
  assert_int_equal(m->len, CT__HDR_LEN);
  ct__msg_stamp(m, 7, (1ull << 32) + 2);
  assert_memory_equal(m->buf, want, CT__HDR_LEN);
  envelope_of(m, &env);
  assert_int_equal(env.type, 300);
  assert_int_equal(env.from, 7);
  assert_int_equal(env.request_id, (1ull << 32) + 2);
  ct_msg_free(m);
  ct_msg_thread_cleanup();
}

static void test_scalars_round_trip(void **state) {
  ct_msg_t *m = NULL;
  ct_envelope_t env;
  ct_reader_t r;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  const char *s = NULL;
  const void *p = NULL;
  size_t len = 0;
  (void)state;
  assert_int_equal(ct_msg_new(400, &m), 0);
  assert_int_equal(ct_msg_put_nil(m), 0);
  assert_int_equal(ct_msg_put_bool(m, true), 0);
  assert_int_equal(ct_msg_put_i64(m, -1234567890123), 0);
  assert_int_equal(ct_msg_put_u64(m, UINT64_MAX), 0);
  assert_int_equal(ct_msg_put_f64(m, 2.5), 0);
  assert_int_equal(ct_msg_put_cstr(m, "RELIANCE"), 0);
  assert_int_equal(ct_msg_put_bin(m, "\x00\x01\x02", 3), 0);
  assert_int_equal(ct_msg_put_cstr(m, NULL), 0);
  envelope_of(m, &env);
  ct_reader_init(&r, &env);
  assert_int_equal(ct_read_nil(&r), 0);
  assert_int_equal(ct_read_bool(&r, &b), 0);
  assert_true(b);
  assert_int_equal(ct_read_i64(&r, &i), 0);
  assert_int_equal(i, -1234567890123);
  assert_int_equal(ct_read_u64(&r, &u), 0);
  assert_int_equal(u, UINT64_MAX);
  assert_int_equal(ct_read_f64(&r, &d), 0);
  assert_true(d == 2.5);
  assert_int_equal(ct_read_str(&r, &s, &len), 0);
  assert_int_equal(len, 8);
  assert_memory_equal(s, "RELIANCE", 8);
  /* zero copy: the string lies inside the envelope's buffer */
  assert_true(s > env.data && s + len <= env.data + env.len);
  assert_int_equal(ct_read_bin(&r, &p, &len), 0);
  assert_int_equal(len, 3);
  assert_memory_equal(p, "\x00\x01\x02", 3);
  assert_false(ct_read_done(&r));
  assert_int_equal(ct_read_nil(&r), 0);
  assert_true(ct_read_done(&r));
  assert_int_equal(ct_read_nil(&r), CT_ENOTFOUND);
  ct_reader_close(&r);
  ct_msg_free(m);
  ct_msg_thread_cleanup();
}

static void test_mismatch_and_range(void **state) {
  ct_msg_t *m = NULL;
  ct_envelope_t env;
  ct_reader_t r;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  const char *s;
  size_t len;
  (void)state;
  assert_int_equal(ct_msg_new(400, &m), 0);
  assert_int_equal(ct_msg_put_u64(m, (uint64_t)INT64_MAX + 1), 0);
  assert_int_equal(ct_msg_put_i64(m, -5), 0);
  assert_int_equal(ct_msg_put_i64(m, 42), 0);
  envelope_of(m, &env);
  ct_reader_init(&r, &env);
  assert_int_equal(ct_read_str(&r, &s, &len), CT_EPROTO); /* no move */
  assert_int_equal(ct_read_i64(&r, &i), CT_ERANGE);
  assert_int_equal(ct_read_u64(&r, &u), 0);
  assert_int_equal(u, (uint64_t)INT64_MAX + 1);
  assert_int_equal(ct_read_u64(&r, &u), CT_ERANGE);
  assert_int_equal(ct_read_f64(&r, &d), 0); /* integers read as doubles */
  assert_true(d == -5.0);
  assert_int_equal(ct_read_u64(&r, &u), 0); /* positive i64 as u64 */
  assert_int_equal(u, 42);
  assert_true(ct_read_done(&r));
  ct_reader_close(&r);
  ct_msg_free(m);
  ct_msg_thread_cleanup();
}

/* {"orders": [1, [2, 3], {}], "n": nil} then 7, read depth first. */
static void test_nesting(void **state) {
  ct_msg_t *m = NULL;
  ct_envelope_t env;
  ct_reader_t r;
  uint32_t n = 0;
  uint64_t u = 0;
  const char *s;
  size_t len;
  (void)state;
  assert_int_equal(ct_msg_new(400, &m), 0);
  assert_int_equal(ct_msg_put_map(m, 2), 0);
  assert_int_equal(ct_msg_put_cstr(m, "orders"), 0);
  assert_int_equal(ct_msg_put_array(m, 3), 0);
  assert_int_equal(ct_msg_put_u64(m, 1), 0);
  assert_int_equal(ct_msg_put_array(m, 2), 0);
  assert_int_equal(ct_msg_put_u64(m, 2), 0);
  assert_int_equal(ct_msg_put_u64(m, 3), 0);
  assert_int_equal(ct_msg_put_map(m, 0), 0);
  assert_int_equal(ct_msg_put_cstr(m, "n"), 0);
  assert_int_equal(ct_msg_put_nil(m), 0);
  assert_int_equal(ct_msg_put_u64(m, 7), 0);
  envelope_of(m, &env);
  ct_reader_init(&r, &env);
  assert_int_equal(ct_read_array(&r, &n), CT_EPROTO);
  assert_int_equal(ct_read_map(&r, &n), 0);
  assert_int_equal(n, 2);
  assert_int_equal(ct_read_str(&r, &s, &len), 0);
  assert_memory_equal(s, "orders", len);
  assert_int_equal(ct_read_array(&r, &n), 0);
  assert_int_equal(n, 3);
  assert_int_equal(ct_read_u64(&r, &u), 0);
  assert_int_equal(u, 1);
  assert_int_equal(ct_read_skip(&r), 0); /* the whole [2, 3] */
  assert_int_equal(ct_read_map(&r, &n), 0);
  assert_int_equal(n, 0);
  assert_int_equal(ct_read_str(&r, &s, &len), 0);
  assert_memory_equal(s, "n", len);
  assert_false(ct_read_done(&r));
  assert_int_equal(ct_read_nil(&r), 0);
  assert_int_equal(ct_read_u64(&r, &u), 0);
  assert_int_equal(u, 7);
  assert_true(ct_read_done(&r));
  ct_reader_close(&r);
  ct_msg_free(m);
  ct_msg_thread_cleanup();
}

static void test_big_payload_and_bad_input(void **state) {
  ct_msg_t *m = NULL;
  ct_envelope_t env;
  ct_reader_t r;
  char big[10000];
  const char *s;
  size_t len;
  (void)state;
  memset(big, 'x', sizeof(big));
  assert_int_equal(ct_msg_new(400, &m), 0);
  assert_int_equal(ct_msg_put_str(m, big, sizeof(big)), 0);
  envelope_of(m, &env);
  ct_reader_init(&r, &env);
  assert_int_equal(ct_read_str(&r, &s, &len), 0);
  assert_int_equal(len, sizeof(big));
  assert_memory_equal(s, big, len);
  ct_reader_close(&r);
  /* truncated buffer, wrong header shapes */
  assert_int_equal(ct_envelope_parse(m->buf, 10, &env), CT_EPROTO);
  assert_int_equal(ct_envelope_parse("\x92\x01\x02", 3, &env), CT_EPROTO);
  assert_int_equal(ct_envelope_parse("\x93\xa1x\x01\x02", 5, &env), CT_EPROTO);
  /* a compact (not fixed-width) header from another encoder still reads */
  assert_int_equal(ct_envelope_parse("\x93\x05\x01\x00\x2a", 5, &env), 0);
  assert_int_equal(env.type, 5);
  ct_reader_init(&r, &env);
  uint64_t u = 0;
  assert_int_equal(ct_read_u64(&r, &u), 0);
  assert_int_equal(u, 42);
  ct_reader_close(&r);
  ct_msg_free(m);
  ct_msg_thread_cleanup();
}

static void test_pool_reuses_messages(void **state) {
  ct_msg_t *a = NULL, *b = NULL;
  (void)state;
  assert_int_equal(ct_msg_new(400, &a), 0);
  assert_int_equal(ct_msg_put_cstr(a, "payload"), 0);
  ct_msg_free(a);
  assert_int_equal(ct_msg_new(401, &b), 0);
  assert_ptr_equal(a, b);                /* came back from the pool */
  assert_int_equal(b->len, CT__HDR_LEN); /* and was reset */
  assert_int_equal(ct_msg_type(b), 401);
  ct_msg_free(b);
  ct_msg_thread_cleanup();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_header_layout_and_stamp),
    cmocka_unit_test(test_scalars_round_trip),
    cmocka_unit_test(test_mismatch_and_range),
    cmocka_unit_test(test_nesting),
    cmocka_unit_test(test_big_payload_and_bad_input),
    cmocka_unit_test(test_pool_reuses_messages),
  };
  return cmocka_run_group_tests_name("message", tests, NULL, NULL);
}
