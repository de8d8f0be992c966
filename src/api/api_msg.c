/*
 * api_msg.c: the messages between a caller and a REST module actor. A call
 * is [call id, deadline (uv_hrtime ns), params bytes]; a result is
 * [ct_api_result_t bytes, record bytes]. Both sides are in one process, so
 * the flat structs travel by value as msgpack bin. Also the typed helpers
 * of api_calls.h, each a one-line wrapper over ct_api_call().
 */
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "copytrader/error.h"

/* The runtime guard on a call: its deadline plus this. */
#define CT__API_REPLY_MARGIN_MS (CT_HTTP_REPLY_MARGIN_MS + 1000u)

int ct_api_call(ct_actor_t *self, ct_actor_t *to, ct_api_call_t call,
                const void *params, size_t params_size, uint64_t timeout_ms,
                uint64_t *request_id) {
  const ct__api_row_t *row = ct__api_row(call);
  ct_msg_t *m = NULL;
  int rc;
  if (row == NULL || timeout_ms == 0 || params_size != row->params_size ||
      (params_size && params == NULL))
    return CT_EINVAL;
  if ((rc = ct_msg_new(CT_MSG_API_CALL, &m)) != 0)
    return rc;
  if ((rc = ct_msg_put_u64(m, (uint64_t)call)) != 0 ||
      (rc = ct_msg_put_u64(m, uv_hrtime() + timeout_ms * 1000000ULL)) != 0 ||
      (rc = ct_msg_put_bin(m, params ? params : "", params_size)) != 0 ||
      (rc = ct_request(self, to, m, timeout_ms + CT__API_REPLY_MARGIN_MS,
                       request_id)) != 0)
    ct_msg_free(m);
  return rc;
}

static int read_result(const ct_envelope_t *env, ct_api_result_t *out) {
  ct_reader_t rd;
  const void *hdr, *items;
  size_t hlen, ilen;
  int rc;
  ct_reader_init(&rd, env);
  rc = ct_read_bin(&rd, &hdr, &hlen);
  if (rc == 0)
    rc = ct_read_bin(&rd, &items, &ilen);
  if (rc == 0 && hlen != sizeof(*out))
    rc = CT_EPROTO;
  if (rc == 0) {
    memcpy(out, hdr, sizeof(*out));
    out->items = NULL;
    if (out->item_size == 0 || ilen != out->count * out->item_size)
      out->count = 0;
    if (out->count && (out->items = malloc(ilen)) == NULL)
      rc = CT_ENOMEM;
    else if (out->count)
      memcpy(out->items, items, ilen);
  }
  ct_reader_close(&rd);
  return rc;
}

int ct_api_result_read(const ct_envelope_t *env, ct_api_result_t *out) {
  if (env == NULL || out == NULL)
    return CT_EINVAL;
  memset(out, 0, sizeof(*out));
  if (env->type == CT_MSG_TIMEOUT) {
    out->err = CT_ETIMEDOUT;
    out->cls = out->dhan.cls = CT_DHAN_OUTCOME_UNKNOWN;
    out->dhan.transport_err = CT_ETIMEDOUT;
    strcpy(out->reason, "no answer from the module actor");
    return 0;
  }
  if (env->type != CT_MSG_API_RESULT)
    return CT_EINVAL;
  return read_result(env, out);
}

void ct_api_result_free(ct_api_result_t *r) {
  if (r == NULL)
    return;
  free(r->items);
  r->items = NULL;
  r->count = 0;
}

/* ---- typed helpers ---- */

static int ref_call(ct_actor_t *self, ct_actor_t *to, ct_api_call_t call,
                    const char *id, uint64_t timeout_ms, uint64_t *rid) {
  ct_api_ref_t r;
  memset(&r, 0, sizeof(r));
  if (id == NULL || strlen(id) >= sizeof(r.id))
    return CT_EINVAL;
  strcpy(r.id, id);
  return ct_api_call(self, to, call, &r, sizeof(r), timeout_ms, rid);
}

static int dates_call(ct_actor_t *self, ct_actor_t *to, ct_api_call_t call,
                      const char *from, const char *to_date,
                      uint64_t timeout_ms, uint64_t *rid) {
  ct_api_dates_t d;
  memset(&d, 0, sizeof(d));
  if (from == NULL || to_date == NULL || strlen(from) >= sizeof(d.from) ||
      strlen(to_date) >= sizeof(d.to))
    return CT_EINVAL;
  strcpy(d.from, from);
  strcpy(d.to, to_date);
  return ct_api_call(self, to, call, &d, sizeof(d), timeout_ms, rid);
}

#define NOARG(fn, call)                                                        \
  int fn(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,                \
         uint64_t *rid) {                                                      \
    return ct_api_call(self, to, call, NULL, 0, timeout_ms, rid);              \
  }
#define TYPED(fn, call, type)                                                  \
  int fn(ct_actor_t *self, ct_actor_t *to, const type *p, uint64_t timeout_ms, \
         uint64_t *rid) {                                                      \
    return ct_api_call(self, to, call, p, sizeof(*p), timeout_ms, rid);        \
  }
#define REF(fn, call)                                                          \
  int fn(ct_actor_t *self, ct_actor_t *to, const char *id,                     \
         uint64_t timeout_ms, uint64_t *rid) {                                 \
    return ref_call(self, to, call, id, timeout_ms, rid);                      \
  }
#define DATES(fn, call)                                                        \
  int fn(ct_actor_t *self, ct_actor_t *to, const char *from,                   \
         const char *to_date, uint64_t timeout_ms, uint64_t *rid) {            \
    return dates_call(self, to, call, from, to_date, timeout_ms, rid);         \
  }

NOARG(ct_auth_profile, CT_API_PROFILE)
NOARG(ct_auth_renew, CT_API_RENEW_TOKEN)
TYPED(ct_orders_place, CT_API_ORDER_PLACE, ct_dhan_place_req_t)
TYPED(ct_orders_place_sliced, CT_API_ORDER_PLACE_SLICED, ct_dhan_place_req_t)
TYPED(ct_orders_modify, CT_API_ORDER_MODIFY, ct_dhan_modify_req_t)
REF(ct_orders_cancel, CT_API_ORDER_CANCEL)
NOARG(ct_orders_list, CT_API_ORDER_LIST)
REF(ct_orders_get, CT_API_ORDER_GET)
REF(ct_orders_get_by_corr, CT_API_ORDER_GET_BY_CORR)
NOARG(ct_orders_trades, CT_API_TRADE_LIST)
REF(ct_orders_trades_of, CT_API_TRADES_OF_ORDER)
TYPED(ct_super_place, CT_API_SUPER_PLACE, ct_dhan_super_req_t)
TYPED(ct_super_modify, CT_API_SUPER_MODIFY, ct_dhan_super_modify_req_t)
NOARG(ct_super_list, CT_API_SUPER_LIST)
TYPED(ct_forever_create, CT_API_FOREVER_CREATE, ct_dhan_forever_req_t)
TYPED(ct_forever_modify, CT_API_FOREVER_MODIFY, ct_dhan_forever_modify_req_t)
REF(ct_forever_delete, CT_API_FOREVER_DELETE)
NOARG(ct_forever_list, CT_API_FOREVER_LIST)
NOARG(ct_portfolio_holdings, CT_API_HOLDINGS)
NOARG(ct_portfolio_positions, CT_API_POSITIONS)
TYPED(ct_portfolio_convert, CT_API_CONVERT, ct_dhan_convert_req_t)
NOARG(ct_portfolio_exit_all, CT_API_EXIT_ALL)
NOARG(ct_edis_tpin, CT_API_EDIS_TPIN)
TYPED(ct_edis_form, CT_API_EDIS_FORM, ct_dhan_edis_req_t)
REF(ct_edis_inquire, CT_API_EDIS_INQUIRE)
NOARG(ct_control_kill_get, CT_API_KILL_GET)
TYPED(ct_control_pnl_set, CT_API_PNL_SET, ct_dhan_pnl_exit_req_t)
NOARG(ct_control_pnl_get, CT_API_PNL_GET)
NOARG(ct_control_pnl_delete, CT_API_PNL_DELETE)
NOARG(ct_funds_limit, CT_API_FUND_LIMIT)
TYPED(ct_funds_margin, CT_API_MARGIN, ct_dhan_margin_item_t)
TYPED(ct_funds_margin_multi, CT_API_MARGIN_MULTI, ct_api_margin_multi_t)
DATES(ct_statement_ledger, CT_API_LEDGER)
DATES(ct_statement_trades, CT_API_TRADE_HISTORY)

int ct_super_cancel(ct_actor_t *self, ct_actor_t *to, const char *order_id,
                    ct_dhan_leg_t leg, uint64_t timeout_ms, uint64_t *rid) {
  ct_api_super_cancel_t c;
  memset(&c, 0, sizeof(c));
  if (order_id == NULL || strlen(order_id) >= sizeof(c.order_id))
    return CT_EINVAL;
  strcpy(c.order_id, order_id);
  c.leg = leg;
  return ct_api_call(self, to, CT_API_SUPER_CANCEL, &c, sizeof(c), timeout_ms,
                     rid);
}

int ct_control_kill_set(ct_actor_t *self, ct_actor_t *to, bool activate,
                        uint64_t timeout_ms, uint64_t *rid) {
  ct_api_kill_t k = { .activate = activate };
  return ct_api_call(self, to, CT_API_KILL_SET, &k, sizeof(k), timeout_ms, rid);
}
