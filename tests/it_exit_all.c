/*
 * Exit-all against dhansim over real sockets: a follower account with
 * open positions (one above the freeze quantity, one short, one from a
 * partial fill) and working orders (PENDING, PART_TRADED) is flattened by
 * the exit-all job through its API module actors; dhansim's own book,
 * positions, kill switch and request stamps are then checked. A second
 * test makes the cancels fail and checks the classified errors, that the
 * account is reported not flat, and that the kill switch is not sent.
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_fx.h"
#include "copytrader/corrid.h"
#include "copytrader/error.h"
#include "copytrader/exit_all.h"
#include "sim_client.h"

#define OPT_CE "48210" /* NIFTY 26000 CE: lot 75, freeze 1800, 310.50 */

static ct_api_fx_t fx;
static ct_instruments_t *ins;

static int setup(void **state) {
  (void)state;
  ct_api_fx_start(&fx, NULL);
  assert_int_equal(
      ct_instruments_load(CT_SOURCE_DIR "/tools/dhansim/data/instruments.csv",
                          &ins, NULL),
      0);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  ct_api_fx_stop(&fx);
  ct_instruments_free(ins);
  return 0;
}

static void place(ct_api_call_t call, const char *sec, ct_dhan_segment_t seg,
                  ct_dhan_txn_t txn, int64_t qty, double limit, char *id) {
  ct_dhan_place_req_t p;
  ct_api_fx_market_buy(&p, qty, NULL);
  strcpy(p.o.security_id, sec);
  p.o.segment = seg;
  p.o.txn = txn;
  if (limit > 0) {
    p.o.order_type = CT_DHAN_OTYPE_LIMIT;
    p.o.price = limit;
  }
  ct_api_result_t r = ct_api_fx_call(&fx, call, &p, sizeof p);
  assert_int_equal(r.err, 0);
  assert_true(r.count >= 1);
  if (id != NULL)
    strcpy(id, ((ct_dhan_order_ack_t *)r.items)[0].order_id);
  ct_api_result_free(&r);
}

/* dhansim's positions through the REST API (not through the code under
 * test): the net quantity of `sec`, polled until it equals `want`. */
static int64_t net_qty(const char *sec) {
  ct_http_resp_t r;
  const cJSON *it;
  int64_t net = 0;
  assert_int_equal(
      ct_http(fx.sim.url, "GET", "/v2/positions", CT_FX_TOKEN, NULL, NULL, &r),
      0);
  assert_int_equal(r.status, 200);
  cJSON_ArrayForEach(it, r.json) {
    if (strcmp(ct_jstr(it, "securityId"), sec) == 0)
      net += (int64_t)ct_jnum(it, "netQty");
  }
  ct_http_resp_free(&r);
  return net;
}

static int64_t wait_net(const char *sec, int64_t want) {
  int64_t n = 0;
  for (int i = 0; i < 2000 && (n = net_qty(sec)) != want; i++)
    usleep(1000);
  return n;
}

static int working_orders(void) {
  cJSON *book =
      ct_api_fx_admin_get(&fx, "/admin/orders?account=" CT_FX_ACCOUNT);
  const cJSON *it;
  int n = 0;
  cJSON_ArrayForEach(it, book) {
    const char *st = ct_jstr(it, "orderStatus");
    n += strcmp(st, "PENDING") == 0 || strcmp(st, "TRANSIT") == 0 ||
         strcmp(st, "PART_TRADED") == 0;
  }
  cJSON_Delete(book);
  return n;
}

static const char *kill_state(void) {
  static char buf[64];
  ct_http_resp_t r;
  assert_int_equal(
      ct_http(fx.sim.url, "GET", "/v2/killswitch", CT_FX_TOKEN, NULL, NULL, &r),
      0);
  assert_int_equal(r.status, 200);
  snprintf(buf, sizeof buf, "%s", ct_jstr(r.json, "killSwitchStatus"));
  ct_http_resp_free(&r);
  return buf;
}

/* Positions: +2400 CE (above the freeze quantity), -5 TCS, +4 RELIANCE
 * from a partial fill (its order stays PART_TRADED); plus a PENDING LIMIT
 * BUY of TCS. */
static void open_book(char *pending_id, char *part_id) {
  char id[CT_DHAN_ID_SIZE];
  place(CT_API_ORDER_PLACE_SLICED, OPT_CE, CT_DHAN_SEG_NSE_FNO, CT_DHAN_TXN_BUY,
        2400, 0, NULL);
  place(CT_API_ORDER_PLACE, "11536", CT_DHAN_SEG_NSE_EQ, CT_DHAN_TXN_SELL, 5, 0,
        NULL);
  place(CT_API_ORDER_PLACE, "11536", CT_DHAN_SEG_NSE_EQ, CT_DHAN_TXN_BUY, 3,
        3000.0, pending_id);
  place(CT_API_ORDER_PLACE, "2885", CT_DHAN_SEG_NSE_EQ, CT_DHAN_TXN_BUY, 10,
        1500.0, part_id);
  assert_int_equal(wait_net(OPT_CE, 2400), 2400);
  assert_int_equal(wait_net("11536", -5), -5);
  char body[128];
  snprintf(body, sizeof body, "{\"orderId\":\"%s\",\"quantity\":4}", part_id);
  ct_api_fx_admin_post(&fx, "/admin/fill", body);
  assert_int_equal(wait_net("2885", 4), 4);
  assert_int_equal(working_orders(), 2);
  (void)id;
}

static ct_exit_opts_t opts(bool kill) {
  ct_exit_opts_t o = { 0 };
  o.client_id = CT_FX_ACCOUNT;
  o.orders = fx.mods[CT_API_ORDERS];
  o.portfolio = fx.mods[CT_API_PORTFOLIO];
  o.control = fx.mods[CT_API_CONTROL];
  o.forever = fx.mods[CT_API_FOREVER];
  o.instruments = ins;
  o.kill_switch = kill;
  o.verify_polls = 40;
  o.verify_interval_ms = 50;
  o.worker = -1;
  return o;
}

static int count_steps(const ct_exit_report_t *r, ct_exit_step_kind_t k) {
  int n = 0;
  for (size_t i = 0; i < r->n_steps; i++)
    n += r->steps[i].kind == k;
  return n;
}

static const ct_exit_step_t *find_step(const ct_exit_report_t *r,
                                       ct_exit_step_kind_t k, const char *sec,
                                       uint32_t slice) {
  for (size_t i = 0; i < r->n_steps; i++) {
    const ct_exit_step_t *s = &r->steps[i];
    if (s->kind == k && strcmp(s->security_id, sec) == 0 && s->slice == slice)
      return s;
  }
  fail_msg("no %s step for %s slice %u", ct_exit_step_name(k), sec, slice);
  return NULL;
}

static void test_flatten_and_kill(void **state) {
  char pending_id[CT_DHAN_ID_SIZE], part_id[CT_DHAN_ID_SIZE];
  ct_exit_report_t rep;
  ct_exit_opts_t o = opts(true);
  (void)state;
  open_book(pending_id, part_id);
  assert_string_equal(kill_state(), "DEACTIVATE");

  assert_int_equal(ct_exit_all_run(fx.rt, &o, 1, &rep), 0);
  assert_int_equal(rep.err, 0);
  assert_string_equal(rep.client_id, CT_FX_ACCOUNT);
  assert_int_equal(rep.cancelled, 2);
  assert_int_equal(rep.cancel_failed, 0);
  assert_int_equal(rep.placed, 4); /* CE 1800 + 600, TCS 5, RELIANCE 4 */
  assert_int_equal(rep.place_failed, 0);
  assert_true(rep.flat);
  assert_int_equal(rep.working_left, 0);
  assert_int_equal(rep.positions_left, 0);
  assert_true(rep.kill_requested);
  assert_int_equal(rep.kill_state, CT_DHAN_KILL_ACTIVE);
  assert_int_equal(count_steps(&rep, CT_EXIT_STEP_CANCEL), 2);
  assert_int_equal(count_steps(&rep, CT_EXIT_STEP_KILL_SWITCH), 1);

  const ct_exit_step_t *s0 =
      find_step(&rep, CT_EXIT_STEP_SQUARE_OFF, OPT_CE, 0);
  const ct_exit_step_t *s1 =
      find_step(&rep, CT_EXIT_STEP_SQUARE_OFF, OPT_CE, 1);
  assert_int_equal(s0->quantity, 1800);
  assert_int_equal(s1->quantity, 600);
  assert_int_equal(s0->slices, 2);
  assert_int_equal(s0->txn, CT_DHAN_TXN_SELL);
  assert_int_equal(s0->product, CT_DHAN_PRODUCT_INTRADAY);
  assert_true(s0->order_id[0] != '\0');
  assert_true(ct_corrid_is_ours(s0->correlation_id));
  assert_string_not_equal(s0->correlation_id, s1->correlation_id);
  const ct_exit_step_t *tcs =
      find_step(&rep, CT_EXIT_STEP_SQUARE_OFF, "11536", 0);
  assert_int_equal(tcs->txn, CT_DHAN_TXN_BUY);
  assert_int_equal(tcs->quantity, 5);
  assert_int_equal(
      find_step(&rep, CT_EXIT_STEP_SQUARE_OFF, "2885", 0)->quantity, 4);

  /* dhansim's own view: flat, nothing working, kill switch on. */
  assert_int_equal(net_qty(OPT_CE), 0);
  assert_int_equal(net_qty("11536"), 0);
  assert_int_equal(net_qty("2885"), 0);
  assert_int_equal(working_orders(), 0);
  assert_string_equal(kill_state(), "ACTIVATE");
  ct_exit_report_clear(&rep);
  assert_null(rep.steps);
}

/* Cancels fail (DH-908 on DELETE /orders/{id}): recorded with their class,
 * the positions are still squared off, the account is not flat (the
 * working orders stay), and the kill switch is not sent. */
static void test_cancel_fails(void **state) {
  char pending_id[CT_DHAN_ID_SIZE], part_id[CT_DHAN_ID_SIZE];
  ct_exit_report_t rep;
  ct_exit_opts_t o = opts(true);
  (void)state;
  open_book(pending_id, part_id);
  ct_api_fx_admin_post(&fx, "/admin/faults",
                       "{\"route\":\"/v2/orders/\",\"errorRate\":1,"
                       "\"errorKind\":\"DH-908\"}");
  o.verify_polls = 3;
  assert_int_equal(ct_exit_all_run(fx.rt, &o, 1, &rep), 0);
  assert_int_equal(rep.err, 0);
  assert_int_equal(rep.cancelled, 0);
  assert_int_equal(rep.cancel_failed, 2);
  const ct_exit_step_t *c = find_step(&rep, CT_EXIT_STEP_CANCEL, "11536", 0);
  assert_string_equal(c->order_id, pending_id);
  assert_int_equal(c->cls, CT_DHAN_OUTCOME_UNKNOWN);
  assert_int_equal(c->err, CT_EUNKNOWN);
  assert_string_equal(c->error_code, "DH-908");
  assert_int_equal(rep.placed, 4);
  assert_false(rep.flat);
  assert_int_equal(rep.working_left, 2);
  /* The partial order may fill no further: RELIANCE +4 was squared. */
  assert_int_equal(rep.positions_left, 0);
  const ct_exit_step_t *k = find_step(&rep, CT_EXIT_STEP_KILL_SWITCH, "", 0);
  assert_int_equal(k->err, CT_ESTATE);
  assert_int_equal(rep.kill_state, CT_DHAN_KILL_INACTIVE);
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/killswitch"), 1); /* GET */
  assert_string_equal(kill_state(), "DEACTIVATE");
  assert_int_equal(working_orders(), 2);
  ct_api_fx_admin_post(&fx, "/admin/faults", "{\"clear\":true}");
  ct_exit_report_clear(&rep);
}

static void place_super(const char *sec, ct_dhan_order_type_t type, int64_t qty,
                        double px, double tgt, double sl) {
  ct_dhan_super_req_t p;
  memset(&p, 0, sizeof p);
  strcpy(p.o.security_id, sec);
  p.o.txn = CT_DHAN_TXN_BUY;
  p.o.segment = CT_DHAN_SEG_NSE_EQ;
  p.o.product = CT_DHAN_PRODUCT_INTRADAY;
  p.o.order_type = type;
  p.o.validity = CT_DHAN_VALIDITY_DAY;
  p.o.quantity = qty;
  p.o.price = px;
  p.target_price = tgt;
  p.stop_loss_price = sl;
  ct_api_result_t r = ct_api_fx_call(&fx, CT_API_SUPER_PLACE, &p, sizeof p);
  assert_int_equal(r.err, 0);
  ct_api_result_free(&r);
}

/* Super orders: one whose entry traded (its target and stop-loss legs
 * rest), one whose LIMIT entry rests. Exit-all cancels the legs and the
 * resting entry through the super-order API, then squares the position. */
static void test_super_orders(void **state) {
  ct_exit_report_t rep;
  ct_exit_opts_t o = opts(false);
  (void)state;
  o.super = fx.mods[CT_API_SUPER];
  place_super("11536", CT_DHAN_OTYPE_MARKET, 2, 0, 3200.0, 3000.0);
  place_super("2885", CT_DHAN_OTYPE_LIMIT, 5, 1500.0, 1600.0, 1400.0);
  assert_int_equal(wait_net("11536", 2), 2);
  for (int i = 0; i < 2000 && working_orders() != 3; i++)
    usleep(1000);
  assert_int_equal(working_orders(), 3); /* 2 exit legs + 1 entry */

  assert_int_equal(ct_exit_all_run(fx.rt, &o, 1, &rep), 0);
  assert_int_equal(rep.err, 0);
  assert_int_equal(count_steps(&rep, CT_EXIT_STEP_CANCEL_SUPER), 3);
  assert_int_equal(count_steps(&rep, CT_EXIT_STEP_CANCEL), 0);
  assert_int_equal(rep.cancelled, 3);
  assert_int_equal(find_step(&rep, CT_EXIT_STEP_CANCEL_SUPER, "2885", 0)->leg,
                   CT_DHAN_LEG_ENTRY);
  assert_int_equal(rep.placed, 1);
  assert_int_equal(
      find_step(&rep, CT_EXIT_STEP_SQUARE_OFF, "11536", 0)->quantity, 2);
  assert_true(rep.flat);
  assert_int_equal(ct_api_fx_count_stamps(&fx, "/v2/super/orders/"), 3);
  assert_int_equal(working_orders(), 0);
  assert_int_equal(net_qty("11536"), 0);
  ct_exit_report_clear(&rep);
}

static void test_bad_opts(void **state) {
  ct_exit_opts_t o = opts(true);
  ct_exit_report_t rep;
  (void)state;
  o.control = NULL;
  assert_int_equal(ct_exit_all_run(fx.rt, &o, 1, &rep), CT_EINVAL);
  o = opts(false);
  o.orders = NULL;
  assert_int_equal(ct_exit_all_run(fx.rt, &o, 1, &rep), CT_EINVAL);
  assert_int_equal(ct_exit_max_slice(75, 1800), 1800);
  assert_int_equal(ct_exit_max_slice(35, 900), 875);
  assert_int_equal(ct_exit_max_slice(75, 50), 75);
  assert_int_equal(ct_exit_max_slice(1, 0), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_flatten_and_kill, setup, teardown),
    cmocka_unit_test_setup_teardown(test_cancel_fails, setup, teardown),
    cmocka_unit_test_setup_teardown(test_super_orders, setup, teardown),
    cmocka_unit_test_setup_teardown(test_bad_opts, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
