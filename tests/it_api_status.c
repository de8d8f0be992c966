/*
 * The REST engine's read accessors for status displays (api.h):
 * ct_api_account_headroom() gives every window of an account limiter,
 * drawn down by order calls only (reads use the other limiter), also
 * while another thread reads it as orders go out; ct_api_breaker_state()
 * follows a module's breaker from CLOSED to OPEN (a fault on its route)
 * and back, and leaves the other modules' states alone.
 */
#include "ct_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "api_fx.h"
#include "copytrader/error.h"

static ct_api_fx_t fx;

static const ct_rate_window_t order_windows[2] = {
  { 50, CT_NS_PER_SEC },
  { 100, CT_NS_PER_DAY },
};

static int setup_limits(void **state) {
  ct_api_fx_opts_t o = { .order_windows = order_windows, .n_order_windows = 2 };
  (void)state;
  ct_api_fx_start(&fx, &o);
  return 0;
}

CT_API_FX_FIXTURE(fx)

static uint32_t day_room(void) {
  ct_api_limit_room_t room[4];
  size_t n = 0;
  assert_int_equal(ct_api_account_headroom(fx.acct, CT_API_LIMIT_ORDER,
                                           uv_hrtime(), room, 4, &n),
                   0);
  assert_int_equal(n, 2);
  assert_int_equal(room[1].window.limit, 100);
  assert_int_equal(room[1].window.period_ns, CT_NS_PER_DAY);
  return room[1].headroom;
}

/* A second thread reading the limiter while the orders actor admits. */
typedef struct reader {
  _Atomic int stop;
  int reads, bad;
} reader_t;

static void *read_loop(void *arg) {
  reader_t *r = arg;
  uint32_t last = 100;
  while (!atomic_load(&r->stop)) {
    ct_api_limit_room_t room[2];
    size_t n = 0;
    if (ct_api_account_headroom(fx.acct, CT_API_LIMIT_ORDER, uv_hrtime(), room,
                                2, &n) != 0 ||
        n != 2 || room[1].headroom > last || room[0].headroom > 50)
      r->bad++; /* the day window only ever goes down here */
    else
      last = room[1].headroom;
    r->reads++;
    usleep(200);
  }
  return NULL;
}

static void test_headroom(void **state) {
  ct_api_limit_room_t room[1];
  size_t n = 0;
  reader_t rd = { 0 };
  pthread_t th;
  (void)state;
  assert_int_equal(day_room(), 100);
  /* cap below the window count: n still says how many there are */
  assert_int_equal(ct_api_account_headroom(fx.acct, CT_API_LIMIT_ORDER,
                                           uv_hrtime(), room, 1, &n),
                   0);
  assert_int_equal(n, 2);
  assert_int_equal(room[0].window.limit, 50);
  assert_int_equal(room[0].headroom, 50);
  assert_int_equal(ct_api_account_headroom(fx.acct, 7, 0, room, 1, &n),
                   CT_EINVAL);
  assert_int_equal(
      ct_api_account_headroom(NULL, CT_API_LIMIT_ORDER, 0, room, 1, &n),
      CT_EINVAL);
  assert_int_equal(pthread_create(&th, NULL, read_loop, &rd), 0);
  for (int i = 0; i < 3; i++) {
    ct_dhan_place_req_t p;
    char corr[16];
    snprintf(corr, sizeof corr, "it-st-%d", i);
    ct_api_fx_market_buy(&p, 1, corr);
    ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_PLACE, &p, sizeof p);
    assert_int_equal(r.err, 0);
    ct_api_result_free(&r);
  }
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_LIST, NULL, 0);
  assert_int_equal(r.err, 0); /* a read: the other limiter */
  ct_api_result_free(&r);
  atomic_store(&rd.stop, 1);
  assert_int_equal(pthread_join(th, NULL), 0);
  assert_int_equal(rd.bad, 0);
  assert_true(rd.reads > 0);
  assert_int_equal(day_room(), 97);
  assert_int_equal(ct_api_account_headroom(fx.acct, CT_API_LIMIT_OTHER,
                                           uv_hrtime(), room, 1, &n),
                   0);
  assert_int_equal(n, 1);
  assert_true(room[0].headroom < room[0].window.limit); /* the list */
}

static void list_fails(void) {
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_LIST, NULL, 0);
  assert_int_not_equal(r.err, 0);
  ct_api_result_free(&r);
}

static void test_breaker_state(void **state) {
  (void)state;
  for (int m = 0; m < CT_API_MODULE_COUNT; m++)
    assert_int_equal(ct_api_breaker_state(fx.acct, (ct_api_module_t)m),
                     CT_BREAKER_CLOSED);
  assert_int_equal(ct_api_breaker_state(NULL, CT_API_ORDERS),
                   CT_BREAKER_CLOSED);
  assert_int_equal(ct_api_breaker_state(fx.acct, CT_API_MODULE_COUNT),
                   CT_BREAKER_CLOSED);
  ct_api_fx_fault(&fx, "/v2/orders", "500");
  for (int i = 0; i < 3; i++)
    list_fails();
  assert_int_equal(ct_api_breaker_state(fx.acct, CT_API_ORDERS),
                   CT_BREAKER_OPEN);
  assert_int_equal(ct_api_breaker_state(fx.acct, CT_API_FUNDS),
                   CT_BREAKER_CLOSED);
  ct_api_fx_clear_faults(&fx);
  usleep(350000); /* the cool-down: still OPEN until a call asks */
  assert_int_equal(ct_api_breaker_state(fx.acct, CT_API_ORDERS),
                   CT_BREAKER_OPEN);
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_ORDER_LIST, NULL, 0);
  assert_int_equal(r.err, 0); /* the probe closes it */
  ct_api_result_free(&r);
  assert_int_equal(ct_api_breaker_state(fx.acct, CT_API_ORDERS),
                   CT_BREAKER_CLOSED);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_headroom, setup_limits, fx_teardown),
    cmocka_unit_test_setup_teardown(test_breaker_state, fx_setup_breaker,
                                    fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
