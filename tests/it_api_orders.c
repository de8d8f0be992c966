/*
 * Integration tests of the orders module actor against dhansim: every
 * orders call (place, slicing, modify, cancel, order book, by id, by
 * correlation id, trades, trades of an order), checking what dhansim
 * received (its request log against the documented shape, tests/support/
 * wire.c, and its order book) and the parsed result.
 */
#include "ct_test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api_fx.h"
#include "copytrader/error.h"
#include "wire.h"

static ct_api_fx_t fx;

CT_API_FX_FIXTURE(fx)

/* Place a LIMIT BUY below the market (it rests) and return its id. */
static void place_resting(const char *corr, char *id) {
  ct_dhan_place_req_t p;
  ct_api_fx_market_buy(&p, 3, corr);
  p.o.order_type = CT_DHAN_OTYPE_LIMIT;
  p.o.price = 3000.0;
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_PLACE, &p, sizeof(p));
  assert_int_equal(r.err, 0);
  assert_int_equal(r.count, 1);
  strcpy(id, ((ct_dhan_order_ack_t *)r.items)[0].order_id);
  ct_api_result_free(&r);
}

static const cJSON *book_order(cJSON *book, const char *id) {
  const cJSON *it;
  cJSON_ArrayForEach(it, book) {
    if (strcmp(ct_jstr(it, "orderId"), id) == 0)
      return it;
  }
  fail_msg("order %s not in dhansim's book", id);
  return NULL;
}

static void test_place(void **state) {
  ct_dhan_place_req_t p;
  (void)state;
  ct_api_fx_market_buy(&p, 2, "it-place-1");
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_PLACE, &p, sizeof(p));
  assert_int_equal(r.err, 0);
  assert_int_equal(r.cls, CT_DHAN_SUCCESS);
  assert_int_equal(r.dhan.http_status, 200);
  assert_true(r.sent);
  assert_int_equal(r.count, 1);
  const ct_dhan_order_ack_t *ack = r.items;
  assert_true(ack->order_id[0] != '\0');
  assert_int_equal(ack->status, CT_DHAN_STATUS_TRANSIT);

  cJSON *b = ct_wire_check(&fx, CT_API_ORDER_PLACE);
  assert_string_equal(ct_jstr(b, "correlationId"), "it-place-1");
  assert_string_equal(ct_jstr(b, "securityId"), "11536");
  assert_int_equal((int)ct_jnum(b, "quantity"), 2);
  assert_true(ct_jnum(b, "price") == 0);          /* MARKET: 0, a number */
  assert_null(cJSON_GetObjectItem(b, "amoTime")); /* not an AMO */
  cJSON_Delete(b);

  cJSON *book =
      ct_api_fx_admin_get(&fx, "/admin/orders?account=" CT_FX_ACCOUNT);
  const cJSON *o = book_order(book, ack->order_id);
  assert_string_equal(ct_jstr(o, "securityId"), "11536");
  assert_string_equal(ct_jstr(o, "transactionType"), "BUY");
  assert_string_equal(ct_jstr(o, "productType"), "INTRADAY");
  assert_string_equal(ct_jstr(o, "exchangeSegment"), "NSE_EQ");
  assert_int_equal((int)ct_jnum(o, "quantity"), 2);
  cJSON_Delete(book);
  ct_api_result_free(&r);
}

static void test_slicing(void **state) {
  ct_dhan_place_req_t p;
  (void)state;
  ct_api_fx_market_buy(&p, 1, "it-slice-1");
  ct_api_result_t r =
      ct_api_fx_call(&fx, CT_API_ORDER_PLACE_SLICED, &p, sizeof(p));
  assert_int_equal(r.err, 0);
  assert_true(r.count >= 1);
  cJSON *b = ct_wire_check(&fx, CT_API_ORDER_PLACE_SLICED);
  assert_string_equal(ct_jstr(b, "correlationId"), "it-slice-1");
  cJSON_Delete(b);
  ct_api_result_free(&r);
}

static void test_modify_cancel(void **state) {
  char id[CT_DHAN_ID_SIZE];
  ct_dhan_modify_req_t m;
  ct_api_ref_t ref;
  (void)state;
  place_resting("it-mod-1", id);
  memset(&m, 0, sizeof(m));
  strcpy(m.order_id, id);
  m.order_type = CT_DHAN_OTYPE_LIMIT;
  m.validity = CT_DHAN_VALIDITY_DAY;
  m.quantity = 5;
  m.price = 3010.0;
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_MODIFY, &m, sizeof(m));
  assert_int_equal(r.err, 0);
  assert_string_equal(((ct_dhan_order_ack_t *)r.items)[0].order_id, id);
  ct_api_result_free(&r);
  cJSON *b = ct_wire_check(&fx, CT_API_ORDER_MODIFY);
  assert_string_equal(ct_jstr(b, "orderId"), id);   /* repeats the path */
  assert_int_equal((int)ct_jnum(b, "quantity"), 5); /* the total */
  assert_true(ct_jnum(b, "price") == 3010.0);
  cJSON_Delete(b);
  cJSON *book =
      ct_api_fx_admin_get(&fx, "/admin/orders?account=" CT_FX_ACCOUNT);
  const cJSON *o = book_order(book, id);
  assert_int_equal((int)ct_jnum(o, "quantity"), 5);
  assert_true(ct_jnum(o, "price") == 3010.0);
  cJSON_Delete(book);

  memset(&ref, 0, sizeof(ref));
  strcpy(ref.id, id);
  r = ct_api_fx_call(&fx, CT_API_ORDER_CANCEL, &ref, sizeof(ref));
  assert_int_equal(r.err, 0);
  assert_int_equal(r.dhan.http_status, 202);
  assert_int_equal(((ct_dhan_order_ack_t *)r.items)[0].status,
                   CT_DHAN_STATUS_CANCELLED);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_ORDER_CANCEL);
}

static void test_lookups(void **state) {
  char id[CT_DHAN_ID_SIZE];
  ct_api_ref_t ref;
  (void)state;
  place_resting("it-look-1", id);
  memset(&ref, 0, sizeof(ref));
  strcpy(ref.id, id);
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_GET, &ref, sizeof(ref));
  assert_int_equal(r.err, 0);
  assert_int_equal(r.count, 1);
  const ct_dhan_order_t *o = r.items;
  assert_string_equal(o->order_id, id);
  assert_string_equal(o->correlation_id, "it-look-1");
  assert_int_equal(o->quantity, 3);
  assert_int_equal(o->order_type, CT_DHAN_OTYPE_LIMIT);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_ORDER_GET);

  strcpy(ref.id, "it-look-1");
  r = ct_api_fx_call(&fx, CT_API_ORDER_GET_BY_CORR, &ref, sizeof(ref));
  assert_int_equal(r.err, 0);
  assert_string_equal(((ct_dhan_order_t *)r.items)->order_id, id);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_ORDER_GET_BY_CORR);

  strcpy(ref.id, "no-such-corr");
  r = ct_api_fx_call(&fx, CT_API_ORDER_GET_BY_CORR, &ref, sizeof(ref));
  assert_int_equal(r.cls, CT_DHAN_NOT_FOUND);
  assert_int_equal(r.err, CT_ENOTFOUND);
  ct_api_result_free(&r);

  r = ct_api_fx_call(&fx, CT_API_ORDER_LIST, NULL, 0);
  assert_int_equal(r.err, 0);
  assert_true(r.count >= 1);
  bool found = false;
  for (size_t i = 0; i < r.count; i++)
    found |= strcmp(((ct_dhan_order_t *)r.items)[i].order_id, id) == 0;
  assert_true(found);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_ORDER_LIST);
}

static void test_trades(void **state) {
  ct_dhan_place_req_t p;
  ct_api_ref_t ref;
  char id[CT_DHAN_ID_SIZE];
  ct_api_result_t r;
  (void)state;
  ct_api_fx_market_buy(&p, 4, "it-trade-1");
  r = ct_api_fx_call(&fx, CT_API_ORDER_PLACE, &p, sizeof(p));
  assert_int_equal(r.err, 0);
  strcpy(id, ((ct_dhan_order_ack_t *)r.items)[0].order_id);
  ct_api_result_free(&r);
  memset(&ref, 0, sizeof(ref));
  strcpy(ref.id, id);
  for (int i = 0; i < 200; i++) { /* the fill comes a few ms later */
    r = ct_api_fx_call(&fx, CT_API_TRADES_OF_ORDER, &ref, sizeof(ref));
    if (r.err == 0 && r.count > 0)
      break;
    ct_api_result_free(&r);
    usleep(10000);
  }
  assert_int_equal(r.err, 0);
  assert_true(r.count >= 1);
  const ct_dhan_trade_t *t = r.items;
  assert_string_equal(t->order_id, id);
  assert_int_equal(t->traded_quantity, 4);
  assert_true(t->traded_price > 0);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_TRADES_OF_ORDER);

  r = ct_api_fx_call(&fx, CT_API_TRADE_LIST, NULL, 0);
  assert_int_equal(r.err, 0);
  bool found = false;
  for (size_t i = 0; i < r.count; i++)
    found |= strcmp(((ct_dhan_trade_t *)r.items)[i].order_id, id) == 0;
  assert_true(found);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_TRADE_LIST);
}

/* A typed helper (not the generic call) and a business rejection. */
static int start_place_bad(ct_actor_t *self, ct_actor_t *to, ct_api_job_t *j) {
  return ct_orders_place(self, to, j->params, j->timeout_ms, &j->rid);
}

static void test_rejections(void **state) {
  ct_dhan_place_req_t p;
  (void)state;
  ct_api_fx_market_buy(&p, 1, "it-bad-1");
  strcpy(p.o.security_id, "99999999"); /* unknown to dhansim */
  ct_api_job_t j = { .call = CT_API_ORDER_PLACE,
                     .params = &p,
                     .start = start_place_bad };
  ct_api_fx_run(&fx, &j);
  assert_int_equal(j.res.cls, CT_DHAN_BUSINESS_REJECTION);
  assert_int_equal(j.res.err, CT_EREJECTED);
  assert_true(strncmp(j.res.dhan.error_code, "DH-90", 5) == 0);
  assert_int_equal(j.res.dhan.http_status, 400);
  ct_api_result_free(&j.res);

  /* Invalid locally: never sent. */
  ct_api_fx_market_buy(&p, 0, NULL);
  int before = ct_api_fx_count_stamps(&fx, "/v2/orders");
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_PLACE, &p, sizeof(p));
  assert_int_equal(r.err, CT_EINVAL);
  assert_false(r.sent);
  assert_true(strstr(r.reason, "quantity") != NULL);
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/orders"), before);
  ct_api_result_free(&r);
}

/* Every orders endpoint had its request checked above. */
static void test_every_endpoint_checked(void **state) {
  (void)state;
  ct_wire_assert_covered(CT_API_ORDERS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_place),
    cmocka_unit_test(test_slicing),
    cmocka_unit_test(test_modify_cancel),
    cmocka_unit_test(test_lookups),
    cmocka_unit_test(test_trades),
    cmocka_unit_test(test_rejections),
    cmocka_unit_test(test_every_endpoint_checked),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
