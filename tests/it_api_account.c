/*
 * Integration tests of the non-order REST modules against dhansim: auth
 * (profile, RenewToken with the token swapped into the account), funds
 * (fund limit, margin single and multi), portfolio, trader's control,
 * EDIS, statement (ledger, trade history across all pages), and the super
 * and forever order modules. Each checks the request dhansim received
 * (its request log, against the documented shape: tests/support/wire.c)
 * and the parsed records.
 */
#include "ct_test.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_fx.h"
#include "copytrader/error.h"
#include "wire.h"

static ct_api_fx_t fx;
static ct_api_account_t *extra_acct; /* test_http_on_worker */

CT_API_FX_FIXTURE(fx)

static int teardown(void **state) {
  int rc = fx_teardown(state);
  ct_api_account_free(extra_acct);
  return rc;
}

static ct_api_result_t ok_call(ct_api_call_t c, const void *p, size_t n) {
  ct_api_result_t r = ct_api_fx_call(&fx, c, p, n);
  if (r.err != 0)
    fail_msg("%s: %s %s %s %s", ct_api_call_name(c), ct_dhan_class_name(r.cls),
             r.reason, r.dhan.error_code, r.dhan.error_message);
  return r;
}

static void test_auth(void **state) {
  (void)state;
  ct_api_result_t r = ok_call(CT_API_PROFILE, NULL, 0);
  assert_int_equal(r.count, 1);
  const ct_dhan_profile_t *p = r.items;
  assert_string_equal(p->client_id, CT_FX_ACCOUNT);
  assert_true(p->ddpi_active);
  assert_true(p->token_validity[0] != '\0');
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_PROFILE);

  r = ok_call(CT_API_RENEW_TOKEN, NULL, 0);
  const ct_api_renew_t *rn = r.items;
  assert_int_equal(r.count, 1);
  assert_true(rn->swapped);
  assert_string_equal(rn->client_id, CT_FX_ACCOUNT);
  assert_true(rn->expiry_time[0] != '\0');
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_RENEW_TOKEN); /* with the dhanClientId header */
  /* The old token is dead on dhansim now: this works only if swapped. */
  r = ok_call(CT_API_PROFILE, NULL, 0);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_PROFILE);
}

static void test_funds(void **state) {
  ct_dhan_margin_item_t m = { .security_id = "11536",
                              .segment = CT_DHAN_SEG_NSE_EQ,
                              .txn = CT_DHAN_TXN_BUY,
                              .product = CT_DHAN_PRODUCT_CNC,
                              .quantity = 10,
                              .price = 3120.5 };
  ct_api_margin_multi_t mm;
  (void)state;
  ct_api_result_t r = ok_call(CT_API_FUND_LIMIT, NULL, 0);
  const ct_dhan_fund_limit_t *f = r.items;
  assert_string_equal(f->client_id, CT_FX_ACCOUNT);
  assert_true(f->available_balance > 0);
  assert_true(f->sod_limit > 0);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_FUND_LIMIT);

  r = ok_call(CT_API_MARGIN, &m, sizeof(m));
  assert_true(((ct_dhan_margin_t *)r.items)->total_margin > 0);
  ct_api_result_free(&r);
  cJSON *b = ct_wire_check(&fx, CT_API_MARGIN);
  assert_int_equal((int)ct_jnum(b, "quantity"), 10);
  assert_true(ct_jnum(b, "price") == 3120.5);
  assert_string_equal(ct_jstr(b, "productType"), "CNC");
  cJSON_Delete(b);

  memset(&mm, 0, sizeof(mm));
  mm.n_items = 2;
  mm.items[0] = m;
  mm.items[1] = m;
  mm.items[1].txn = CT_DHAN_TXN_SELL;
  /* Round trip: dhansim's multi answer (snake_case, string amounts,
   * "currency" an amount) parses in full. */
  r = ok_call(CT_API_MARGIN_MULTI, &mm, sizeof(mm));
  const ct_dhan_margin_t *mg = r.items;
  assert_int_equal(r.count, 1);
  assert_true(mg->total_margin > 0);
  assert_true(mg->fo_margin == mg->total_margin); /* all F&O here */
  assert_true(mg->span_margin > 0 && mg->exposure_margin > 0);
  assert_true(mg->currency_margin == 0);
  ct_api_result_free(&r);
  b = ct_wire_check(&fx, CT_API_MARGIN_MULTI);
  const cJSON *sl = cJSON_GetObjectItem(b, "scripList");
  assert_int_equal(cJSON_GetArraySize(sl), 2);
  assert_string_equal(ct_jstr(cJSON_GetArrayItem(sl, 1), "transactionType"),
                      "SELL");
  cJSON_Delete(b);
}

/* A second account using the HTTP actor of worker 1 that the first one
 * spawns for it (ct_api_account_http_on): one per worker, kept. */
static void test_http_on_worker(void **state) {
  ct_api_account_cfg_t cfg = { 0 };
  ct_api_account_t *b = NULL;
  ct_actor_t *h0 = NULL, *h1 = NULL, *again = NULL, *funds = NULL;
  ct_actor_t *saved = fx.mods[CT_API_FUNDS];
  ct_secret_t tok = { 0 };
  ct_api_result_t r;
  (void)state;
  assert_int_equal(ct_api_account_http_on(fx.acct, fx.rt, 0, &h0), 0);
  assert_int_equal(ct_api_account_http_on(fx.acct, fx.rt, 1, &h1), 0);
  assert_int_equal(ct_api_account_http_on(fx.acct, fx.rt, 1, &again), 0);
  assert_ptr_equal(h1, again);
  assert_ptr_not_equal(h0, h1);
  assert_ptr_not_equal(h0, ct_api_account_http(fx.acct));
  assert_int_equal(ct_api_account_http_on(fx.acct, fx.rt, 2, &again),
                   CT_EINVAL);
  assert_int_equal(ct_api_account_http_on(fx.acct, fx.rt, -1, &again),
                   CT_EINVAL);
  assert_int_equal(ct_secret_set(&tok, CT_FX_TOKEN), 0);
  cfg.client_id = CT_FX_ACCOUNT;
  cfg.token = &tok;
  cfg.base_url = fx.base;
  cfg.http = h1;
  assert_int_equal(ct_api_account_new(fx.rt, &cfg, &b), 0);
  ct_secret_clear(&tok);
  assert_ptr_equal(ct_api_account_http(b), h1);
  assert_int_equal(ct_api_spawn(fx.rt, b, CT_API_FUNDS, 1, &funds), 0);
  fx.mods[CT_API_FUNDS] = funds;
  r = ok_call(CT_API_FUND_LIMIT, NULL, 0);
  fx.mods[CT_API_FUNDS] = saved;
  assert_string_equal(((ct_dhan_fund_limit_t *)r.items)->client_id,
                      CT_FX_ACCOUNT);
  ct_api_result_free(&r);
  extra_acct = b; /* freed after the runtime's join */
}

static void test_portfolio(void **state) {
  ct_dhan_place_req_t p;
  (void)state;
  ct_api_fx_market_buy(&p, 7, "it-pf-1");
  ct_api_result_t r = ok_call(CT_API_ORDER_PLACE, &p, sizeof(p));
  ct_api_result_free(&r);
  for (int i = 0; i < 200; i++) { /* wait for the fill */
    r = ok_call(CT_API_POSITIONS, NULL, 0);
    if (r.count > 0)
      break;
    ct_api_result_free(&r);
    usleep(10000);
  }
  assert_true(r.count >= 1);
  const ct_dhan_position_t *pos = r.items;
  assert_string_equal(pos->security_id, "11536");
  assert_int_equal(pos->net_qty, 7);
  assert_int_equal(pos->product, CT_DHAN_PRODUCT_INTRADAY);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_POSITIONS);

  ct_dhan_convert_req_t c = { .security_id = "11536",
                              .segment = CT_DHAN_SEG_NSE_EQ,
                              .position_type = CT_DHAN_POS_LONG,
                              .from_product = CT_DHAN_PRODUCT_INTRADAY,
                              .to_product = CT_DHAN_PRODUCT_CNC,
                              .convert_qty = 2 };
  r = ok_call(CT_API_CONVERT, &c, sizeof(c));
  assert_int_equal(r.dhan.http_status, 202);
  assert_int_equal(r.count, 0);
  ct_api_result_free(&r);
  cJSON *b = ct_wire_check(&fx, CT_API_CONVERT);
  assert_int_equal((int)ct_jnum(b, "convertQty"), 2);
  assert_string_equal(ct_jstr(b, "fromProductType"), "INTRADAY");
  assert_string_equal(ct_jstr(b, "toProductType"), "CNC");
  cJSON_Delete(b);

  r = ok_call(CT_API_HOLDINGS, NULL, 0);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_HOLDINGS);

  r = ok_call(CT_API_EXIT_ALL, NULL, 0);
  assert_int_equal(r.count, 1);
  assert_string_equal(((ct_api_status_t *)r.items)->status, "SUCCESS");
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_EXIT_ALL);
}

static void test_control(void **state) {
  ct_dhan_pnl_exit_req_t pnl = { .profit_value = 1500,
                                 .loss_value = 500,
                                 .products = CT_DHAN_PNL_INTRADAY };
  ct_api_kill_t k = { .activate = false };
  (void)state;
  ct_api_result_t r = ok_call(CT_API_PNL_SET, &pnl, sizeof(pnl));
  assert_string_equal(((ct_api_status_t *)r.items)->status, "ACTIVE");
  ct_api_result_free(&r);
  cJSON *b = ct_wire_check(&fx, CT_API_PNL_SET);
  assert_true(ct_jnum(b, "profitValue") == 1500);
  assert_string_equal(
      cJSON_GetArrayItem(cJSON_GetObjectItem(b, "productType"), 0)->valuestring,
      "INTRADAY");
  cJSON_Delete(b);
  r = ok_call(CT_API_PNL_GET, NULL, 0);
  const ct_api_pnl_t *g = r.items;
  assert_string_equal(g->status, "ACTIVE");
  assert_true(g->profit == 1500 && g->loss == 500);
  assert_int_equal(g->products, CT_DHAN_PNL_INTRADAY);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_PNL_GET);
  r = ok_call(CT_API_PNL_DELETE, NULL, 0);
  assert_string_equal(((ct_api_status_t *)r.items)->status, "DISABLED");
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_PNL_DELETE);

  r = ok_call(CT_API_KILL_SET, &k, sizeof(k));
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_KILL_SET); /* no body, killSwitchStatus query */
  r = ok_call(CT_API_KILL_GET, NULL, 0);
  assert_int_equal(((ct_dhan_killswitch_t *)r.items)->state,
                   CT_DHAN_KILL_INACTIVE);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_KILL_GET);
}

static void test_edis(void **state) {
  ct_dhan_edis_req_t e = { .isin = "INE467B01029",
                           .exchange = "NSE",
                           .qty = 1 };
  ct_api_ref_t isin = { .id = "ALL" };
  (void)state;
  ct_api_result_t r = ok_call(CT_API_EDIS_TPIN, NULL, 0);
  assert_int_equal(r.dhan.http_status, 202);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_EDIS_TPIN);
  r = ok_call(CT_API_EDIS_FORM, &e, sizeof(e));
  assert_true(strstr(((ct_api_edis_form_t *)r.items)->html, "<") != NULL);
  ct_api_result_free(&r);
  cJSON *b = ct_wire_check(&fx, CT_API_EDIS_FORM);
  assert_string_equal(ct_jstr(b, "isin"), "INE467B01029");
  assert_int_equal((int)ct_jnum(b, "qty"), 1);
  cJSON_Delete(b);
  r = ok_call(CT_API_EDIS_INQUIRE, &isin, sizeof(isin));
  assert_int_equal(r.count, 1);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_EDIS_INQUIRE);
}

static void test_statement(void **state) {
  char today[16];
  ct_api_dates_t d;
  time_t now = time(NULL);
  ct_dhan_place_req_t p;
  (void)state;
  /* 45 fills: three pages of 20 and an empty fourth. */
  for (int i = 0; i < 45; i++) {
    ct_api_fx_market_buy(&p, 1, NULL);
    ct_api_result_t r = ok_call(CT_API_ORDER_PLACE, &p, sizeof(p));
    ct_api_result_free(&r);
  }
  for (int i = 0; i < 300; i++) {
    ct_api_result_t r = ok_call(CT_API_TRADE_LIST, NULL, 0);
    size_t n = r.count;
    ct_api_result_free(&r);
    if (n >= 45)
      break;
    usleep(10000);
  }
  strftime(today, sizeof(today), "%Y-%m-%d", localtime(&now));
  memset(&d, 0, sizeof(d));
  strcpy(d.from, "2020-01-01");
  strcpy(d.to, today);
  ct_api_result_t r = ok_call(CT_API_TRADE_HISTORY, &d, sizeof(d));
  assert_true(r.count >= 45);
  /* Pages of 20, then one empty page ends it. */
  unsigned last = (unsigned)((r.count + 19) / 20);
  assert_int_equal(r.pages, last + 1);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_TRADE_HISTORY);

  r = ok_call(CT_API_LEDGER, &d, sizeof(d));
  assert_true(r.count >= 1);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_LEDGER);
}

static void test_super_forever(void **state) {
  ct_dhan_super_req_t s;
  ct_dhan_forever_req_t f;
  char id[CT_DHAN_ID_SIZE];
  (void)state;
  memset(&s, 0, sizeof(s));
  ct_api_fx_market_buy((ct_dhan_place_req_t *)&s, 1, "it-super-1");
  s.o.order_type = CT_DHAN_OTYPE_LIMIT;
  s.o.price = 3000;
  s.target_price = 3200;
  s.stop_loss_price = 2900;
  ct_api_result_t r = ok_call(CT_API_SUPER_PLACE, &s, sizeof(s));
  strcpy(id, ((ct_dhan_order_ack_t *)r.items)->order_id);
  ct_api_result_free(&r);
  cJSON *b = ct_wire_check(&fx, CT_API_SUPER_PLACE);
  assert_true(ct_jnum(b, "targetPrice") == 3200);
  assert_true(ct_jnum(b, "stopLossPrice") == 2900);
  cJSON_Delete(b);
  ct_dhan_super_modify_req_t m = { .leg = CT_DHAN_LEG_TARGET,
                                   .target_price = 3250 };
  strcpy(m.order_id, id);
  r = ok_call(CT_API_SUPER_MODIFY, &m, sizeof(m));
  ct_api_result_free(&r);
  b = ct_wire_check(&fx, CT_API_SUPER_MODIFY);
  assert_string_equal(ct_jstr(b, "orderId"), id);
  assert_string_equal(ct_jstr(b, "legName"), "TARGET_LEG");
  cJSON_Delete(b);
  r = ok_call(CT_API_SUPER_LIST, NULL, 0);
  assert_true(r.count >= 1);
  assert_string_equal(((ct_dhan_super_order_t *)r.items)->order_id, id);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_SUPER_LIST);
  ct_api_super_cancel_t c = { .leg = CT_DHAN_LEG_ENTRY };
  strcpy(c.order_id, id);
  r = ok_call(CT_API_SUPER_CANCEL, &c, sizeof(c));
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_SUPER_CANCEL);

  memset(&f, 0, sizeof(f));
  ct_api_fx_market_buy((ct_dhan_place_req_t *)&f, 1, NULL);
  f.flag = CT_DHAN_FLAG_SINGLE;
  f.o.product = CT_DHAN_PRODUCT_CNC;
  f.o.order_type = CT_DHAN_OTYPE_LIMIT;
  f.o.price = 3000;
  f.o.trigger_price = 3000.5;
  r = ok_call(CT_API_FOREVER_CREATE, &f, sizeof(f));
  strcpy(id, ((ct_dhan_order_ack_t *)r.items)->order_id);
  ct_api_result_free(&r);
  b = ct_wire_check(&fx, CT_API_FOREVER_CREATE);
  assert_string_equal(ct_jstr(b, "orderFlag"), "SINGLE");
  assert_true(ct_jnum(b, "triggerPrice") == 3000.5);
  cJSON_Delete(b);
  ct_dhan_forever_modify_req_t fm = { .flag = CT_DHAN_FLAG_SINGLE,
                                      .order_type = CT_DHAN_OTYPE_LIMIT,
                                      .validity = CT_DHAN_VALIDITY_DAY,
                                      .leg = CT_DHAN_LEG_TARGET,
                                      .quantity = 2,
                                      .price = 2990,
                                      .trigger_price = 2990.5 };
  strcpy(fm.order_id, id);
  r = ok_call(CT_API_FOREVER_MODIFY, &fm, sizeof(fm));
  ct_api_result_free(&r);
  b = ct_wire_check(&fx, CT_API_FOREVER_MODIFY);
  assert_int_equal((int)ct_jnum(b, "quantity"), 2);
  assert_string_equal(ct_jstr(b, "legName"), "TARGET_LEG");
  cJSON_Delete(b);
  r = ok_call(CT_API_FOREVER_LIST, NULL, 0);
  bool found = false;
  for (size_t i = 0; i < r.count; i++) {
    const ct_dhan_forever_order_t *o = r.items;
    if (strcmp(o[i].order_id, id) == 0)
      found = o[i].quantity == 2;
  }
  assert_true(found);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_FOREVER_LIST);
  ct_api_ref_t ref;
  memset(&ref, 0, sizeof(ref));
  strcpy(ref.id, id);
  r = ok_call(CT_API_FOREVER_DELETE, &ref, sizeof(ref));
  assert_int_equal(((ct_dhan_order_ack_t *)r.items)->status,
                   CT_DHAN_STATUS_CANCELLED);
  ct_api_result_free(&r);
  ct_wire_ok(&fx, CT_API_FOREVER_DELETE);
}

/* Every endpoint of these modules had its request checked above. */
static void test_every_endpoint_checked(void **state) {
  static const ct_api_module_t mods[] = {
    CT_API_AUTH, CT_API_SUPER,   CT_API_FOREVER, CT_API_PORTFOLIO,
    CT_API_EDIS, CT_API_CONTROL, CT_API_FUNDS,   CT_API_STATEMENT,
  };
  (void)state;
  for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
    ct_wire_assert_covered(mods[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_http_on_worker), /* before auth renews the token */
    cmocka_unit_test(test_auth),
    cmocka_unit_test(test_funds),
    cmocka_unit_test(test_portfolio),
    cmocka_unit_test(test_control),
    cmocka_unit_test(test_edis),
    cmocka_unit_test(test_statement),
    cmocka_unit_test(test_super_forever),
    cmocka_unit_test(test_every_endpoint_checked),
  };
  return cmocka_run_group_tests(tests, fx_setup, teardown);
}
