/*
 * api_calls.c: the call table of the REST engine. One row per Dhan call:
 * module, method, which account limiter it draws on, classification flags
 * (mutating, lookup), params and record sizes, how to build the request
 * (path and body, bodies through dhan_build.h) and how to parse a 2xx body
 * (dhan_json.h). The engine (api_actor.c) is the same for every row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "copytrader/dhan_json.h"
#include "copytrader/error.h"

/* ---- path helpers ---- */

static int path(ct__api_http_t *h, const char *fmt, const char *a,
                const char *b) {
  int n = snprintf(h->path, sizeof(h->path), fmt, a, b);
  if (n < 0 || (size_t)n >= sizeof(h->path)) {
    snprintf(h->err, sizeof(h->err), "path too long");
    return CT_EINVAL;
  }
  return 0;
}

/* An id that goes into a path: non-empty, [A-Za-z0-9_ -] only. */
static int id_ok(ct__api_http_t *h, const char *what, const char *id) {
  if (id[0] == '\0' || !ct_dhan_correlation_id_ok(id) || strchr(id, ' ')) {
    snprintf(h->err, sizeof(h->err), "%s: empty or not [A-Za-z0-9_-]", what);
    return CT_EINVAL;
  }
  return 0;
}

static int fixed(ct__api_http_t *h, const char *p) {
  return path(h, "%s%s", p, "");
}

/* ---- builders ---- */

#define FIXED_BUILD(fn, p)                                                     \
  static int fn(const char *cid, const void *prm, ct__api_http_t *h) {         \
    (void)cid;                                                                 \
    (void)prm;                                                                 \
    return fixed(h, p);                                                        \
  }

FIXED_BUILD(b_profile, "/profile")
FIXED_BUILD(b_renew, "/RenewToken")
FIXED_BUILD(b_orders, "/orders")
FIXED_BUILD(b_trades, "/trades")
FIXED_BUILD(b_super_list, "/super/orders")
FIXED_BUILD(b_forever_list, "/forever/orders")
FIXED_BUILD(b_holdings, "/holdings")
FIXED_BUILD(b_positions, "/positions")
FIXED_BUILD(b_tpin, "/edis/tpin")
FIXED_BUILD(b_kill_get, "/killswitch")
FIXED_BUILD(b_pnl, "/pnlExit")
FIXED_BUILD(b_fundlimit, "/fundlimit")

/* An id in the path: `fmt` has one %s for it (and a trailing %s for ""). */
#define REF_BUILD(fn, fmt, what)                                               \
  static int fn(const char *cid, const void *prm, ct__api_http_t *h) {         \
    const ct_api_ref_t *r = prm;                                               \
    (void)cid;                                                                 \
    if (strnlen(r->id, sizeof(r->id)) == sizeof(r->id))                        \
      return CT_EINVAL;                                                        \
    return id_ok(h, what, r->id) ? CT_EINVAL : path(h, fmt, r->id, "");        \
  }

REF_BUILD(b_order_get, "/orders/%s%s", "orderId")
REF_BUILD(b_order_cancel, "/orders/%s%s", "orderId")
REF_BUILD(b_order_corr, "/orders/external/%s%s", "correlationId")
REF_BUILD(b_trades_of, "/trades/%s%s", "orderId")
REF_BUILD(b_forever_delete, "/forever/orders/%s%s", "orderId")
REF_BUILD(b_edis_inquire, "/edis/inquire/%s%s", "isin")

/* A JSON body from dhan_build.h: copy the params, set the client id. */
#define BODY_BUILD(fn, type, builder, cid_field, fmt, pathid)                  \
  static int fn(const char *cid, const void *prm, ct__api_http_t *h) {         \
    type r = *(const type *)prm;                                               \
    snprintf(r.cid_field, sizeof(r.cid_field), "%s", cid);                     \
    int rc = builder(&r, h->body, sizeof(h->body), &h->body_len, h->err,       \
                     sizeof(h->err));                                          \
    return rc ? rc : path(h, fmt, pathid, "");                                 \
  }

BODY_BUILD(b_place, ct_dhan_place_req_t, ct_dhan_build_place, o.client_id,
           "/orders%s%s", "")
BODY_BUILD(b_slice, ct_dhan_place_req_t, ct_dhan_build_place, o.client_id,
           "/orders/slicing%s%s", "")
BODY_BUILD(b_modify, ct_dhan_modify_req_t, ct_dhan_build_modify, client_id,
           "/orders/%s%s", r.order_id)
BODY_BUILD(b_super, ct_dhan_super_req_t, ct_dhan_build_super, o.client_id,
           "/super/orders%s%s", "")
BODY_BUILD(b_super_modify, ct_dhan_super_modify_req_t,
           ct_dhan_build_super_modify, client_id, "/super/orders/%s%s",
           r.order_id)
BODY_BUILD(b_forever, ct_dhan_forever_req_t, ct_dhan_build_forever, o.client_id,
           "/forever/orders%s%s", "")
BODY_BUILD(b_forever_modify, ct_dhan_forever_modify_req_t,
           ct_dhan_build_forever_modify, client_id, "/forever/orders/%s%s",
           r.order_id)
BODY_BUILD(b_convert, ct_dhan_convert_req_t, ct_dhan_build_convert, client_id,
           "/positions/convert%s%s", "")
BODY_BUILD(b_pnl_set, ct_dhan_pnl_exit_req_t, ct_dhan_build_pnl_exit, client_id,
           "/pnlExit%s%s", "")
BODY_BUILD(b_edis_form, ct_dhan_edis_req_t, ct_dhan_build_edis_form, client_id,
           "/edis/form%s%s", "")

static int b_super_cancel(const char *cid, const void *prm, ct__api_http_t *h) {
  const ct_api_super_cancel_t *r = prm;
  const char *leg = ct_dhan_leg_str(r->leg);
  (void)cid;
  if (id_ok(h, "orderId", r->order_id))
    return CT_EINVAL;
  if (leg == NULL) {
    snprintf(h->err, sizeof(h->err), "legName: required");
    return CT_EINVAL;
  }
  return path(h, "/super/orders/%s/%s", r->order_id, leg);
}

static int b_kill_set(const char *cid, const void *prm, ct__api_http_t *h) {
  const ct_api_kill_t *r = prm;
  (void)cid;
  return path(h, "/killswitch?killSwitchStatus=%s%s",
              r->activate ? "ACTIVATE" : "DEACTIVATE", "");
}

static int b_margin(const char *cid, const void *prm, ct__api_http_t *h) {
  int rc = ct_dhan_build_margin(cid, prm, h->body, sizeof(h->body),
                                &h->body_len, h->err, sizeof(h->err));
  return rc ? rc : fixed(h, "/margincalculator");
}

static int b_margin_multi(const char *cid, const void *prm, ct__api_http_t *h) {
  const ct_api_margin_multi_t *m = prm;
  ct_dhan_margin_multi_req_t r = { .include_position = m->include_position,
                                   .include_order = m->include_order,
                                   .items = m->items,
                                   .n_items = m->n_items };
  int rc;
  if (m->n_items > CT_API_MARGIN_ITEMS_MAX) {
    snprintf(h->err, sizeof(h->err), "scripList: more than %d items",
             CT_API_MARGIN_ITEMS_MAX);
    return CT_EINVAL;
  }
  snprintf(r.client_id, sizeof(r.client_id), "%s", cid);
  rc = ct_dhan_build_margin_multi(&r, h->body, sizeof(h->body), &h->body_len,
                                  h->err, sizeof(h->err));
  return rc ? rc : fixed(h, "/margincalculator/multi");
}

/* YYYY-MM-DD, digits checked. */
static int date_ok(ct__api_http_t *h, const char *what, const char *d) {
  static const char pat[] = "dddd-dd-dd";
  for (size_t i = 0; i < sizeof(pat); i++) {
    bool ok = pat[i] == 'd' ? (d[i] >= '0' && d[i] <= '9') : d[i] == pat[i];
    if (!ok) {
      snprintf(h->err, sizeof(h->err), "%s: expected YYYY-MM-DD", what);
      return CT_EINVAL;
    }
  }
  return 0;
}

static int b_ledger(const char *cid, const void *prm, ct__api_http_t *h) {
  const ct_api_dates_t *r = prm;
  (void)cid;
  if (date_ok(h, "from-date", r->from) || date_ok(h, "to-date", r->to))
    return CT_EINVAL;
  return path(h, "/ledger?from-date=%s&to-date=%s", r->from, r->to);
}

static int b_history(const char *cid, const void *prm, ct__api_http_t *h) {
  const ct_api_dates_t *r = prm;
  char to[48];
  (void)cid;
  if (date_ok(h, "from-date", r->from) || date_ok(h, "to-date", r->to))
    return CT_EINVAL;
  snprintf(to, sizeof(to), "%s/%u", r->to, h->page);
  return path(h, "/trades/%s/%s", r->from, to);
}

/* ---- parse adapters: single objects become one-element arrays ---- */

#define ONE_PARSE(fn, type, parser)                                            \
  static int fn(const char *buf, size_t len, void **items, size_t *count,      \
                char *err, size_t err_size) {                                  \
    type *o = malloc(sizeof(*o));                                              \
    int rc = o ? parser(buf, len, o, err, err_size) : CT_ENOMEM;               \
    if (rc != 0) {                                                             \
      free(o);                                                                 \
      return rc;                                                               \
    }                                                                          \
    *items = o;                                                                \
    *count = 1;                                                                \
    return 0;                                                                  \
  }

#define LIST_PARSE(fn, type, parser)                                           \
  static int fn(const char *buf, size_t len, void **items, size_t *count,      \
                char *err, size_t err_size) {                                  \
    type *o = NULL;                                                            \
    int rc = parser(buf, len, &o, count, err, err_size);                       \
    *items = o;                                                                \
    return rc;                                                                 \
  }

ONE_PARSE(p_profile, ct_dhan_profile_t, ct_dhan_parse_profile)
ONE_PARSE(p_order, ct_dhan_order_t, ct_dhan_parse_order)
ONE_PARSE(p_fund, ct_dhan_fund_limit_t, ct_dhan_parse_fund_limit)
ONE_PARSE(p_margin, ct_dhan_margin_t, ct_dhan_parse_margin)
ONE_PARSE(p_kill, ct_dhan_killswitch_t, ct_dhan_parse_killswitch)
ONE_PARSE(p_inquiry, ct_dhan_edis_inquiry_t, ct_dhan_parse_edis_inquiry)
LIST_PARSE(p_acks, ct_dhan_order_ack_t, ct_dhan_parse_order_acks)
LIST_PARSE(p_orders, ct_dhan_order_t, ct_dhan_parse_orders)
LIST_PARSE(p_trades, ct_dhan_trade_t, ct_dhan_parse_trades)
LIST_PARSE(p_super, ct_dhan_super_order_t, ct_dhan_parse_super_orders)
LIST_PARSE(p_forever, ct_dhan_forever_order_t, ct_dhan_parse_forever_orders)
LIST_PARSE(p_holdings, ct_dhan_holding_t, ct_dhan_parse_holdings)
LIST_PARSE(p_positions, ct_dhan_position_t, ct_dhan_parse_positions)
LIST_PARSE(p_ledger, ct_dhan_ledger_entry_t, ct_dhan_parse_ledger)

/* ---- the table ---- */

#define MUT  CT_DHAN_CALL_MUTATES
#define LOOK CT_DHAN_CALL_LOOKUP
#define ORD  CT_API_LIMIT_ORDER
#define OTH  CT_API_LIMIT_OTHER
#define ROW(call, mod, name, meth, lim, fl, hdr, pg, ptype, itype, b, p)       \
  [call] = { call, mod, name, meth, lim, fl, hdr, pg, ptype, itype, b, p }

static const ct__api_row_t rows[CT_API_CALL_COUNT] = {
  ROW(CT_API_PROFILE, CT_API_AUTH, "profile", "GET", OTH, 0, true, false, 0,
      sizeof(ct_dhan_profile_t), b_profile, p_profile),
  ROW(CT_API_RENEW_TOKEN, CT_API_AUTH, "renew", "GET", OTH, 0, true, false, 0,
      sizeof(ct_api_renew_t), b_renew, NULL),
  ROW(CT_API_ORDER_PLACE, CT_API_ORDERS, "place", "POST", ORD, MUT, false,
      false, sizeof(ct_dhan_place_req_t), sizeof(ct_dhan_order_ack_t), b_place,
      p_acks),
  ROW(CT_API_ORDER_PLACE_SLICED, CT_API_ORDERS, "slice", "POST", ORD, MUT,
      false, false, sizeof(ct_dhan_place_req_t), sizeof(ct_dhan_order_ack_t),
      b_slice, p_acks),
  ROW(CT_API_ORDER_MODIFY, CT_API_ORDERS, "modify", "PUT", ORD, MUT, false,
      false, sizeof(ct_dhan_modify_req_t), sizeof(ct_dhan_order_ack_t),
      b_modify, p_acks),
  ROW(CT_API_ORDER_CANCEL, CT_API_ORDERS, "cancel", "DELETE", ORD, MUT, false,
      false, sizeof(ct_api_ref_t), sizeof(ct_dhan_order_ack_t), b_order_cancel,
      p_acks),
  ROW(CT_API_ORDER_LIST, CT_API_ORDERS, "list", "GET", OTH, 0, false, false, 0,
      sizeof(ct_dhan_order_t), b_orders, p_orders),
  ROW(CT_API_ORDER_GET, CT_API_ORDERS, "get", "GET", OTH, LOOK, false, false,
      sizeof(ct_api_ref_t), sizeof(ct_dhan_order_t), b_order_get, p_order),
  ROW(CT_API_ORDER_GET_BY_CORR, CT_API_ORDERS, "by-corr", "GET", OTH, LOOK,
      false, false, sizeof(ct_api_ref_t), sizeof(ct_dhan_order_t), b_order_corr,
      p_order),
  ROW(CT_API_TRADE_LIST, CT_API_ORDERS, "trades", "GET", OTH, 0, false, false,
      0, sizeof(ct_dhan_trade_t), b_trades, p_trades),
  ROW(CT_API_TRADES_OF_ORDER, CT_API_ORDERS, "trades-of", "GET", OTH, LOOK,
      false, false, sizeof(ct_api_ref_t), sizeof(ct_dhan_trade_t), b_trades_of,
      p_trades),
  ROW(CT_API_SUPER_PLACE, CT_API_SUPER, "place", "POST", ORD, MUT, false, false,
      sizeof(ct_dhan_super_req_t), sizeof(ct_dhan_order_ack_t), b_super,
      p_acks),
  ROW(CT_API_SUPER_MODIFY, CT_API_SUPER, "modify", "PUT", ORD, MUT, false,
      false, sizeof(ct_dhan_super_modify_req_t), sizeof(ct_dhan_order_ack_t),
      b_super_modify, p_acks),
  ROW(CT_API_SUPER_CANCEL, CT_API_SUPER, "cancel", "DELETE", ORD, MUT, false,
      false, sizeof(ct_api_super_cancel_t), sizeof(ct_dhan_order_ack_t),
      b_super_cancel, p_acks),
  ROW(CT_API_SUPER_LIST, CT_API_SUPER, "list", "GET", OTH, 0, false, false, 0,
      sizeof(ct_dhan_super_order_t), b_super_list, p_super),
  ROW(CT_API_FOREVER_CREATE, CT_API_FOREVER, "create", "POST", ORD, MUT, false,
      false, sizeof(ct_dhan_forever_req_t), sizeof(ct_dhan_order_ack_t),
      b_forever, p_acks),
  ROW(CT_API_FOREVER_MODIFY, CT_API_FOREVER, "modify", "PUT", ORD, MUT, false,
      false, sizeof(ct_dhan_forever_modify_req_t), sizeof(ct_dhan_order_ack_t),
      b_forever_modify, p_acks),
  ROW(CT_API_FOREVER_DELETE, CT_API_FOREVER, "delete", "DELETE", ORD, MUT,
      false, false, sizeof(ct_api_ref_t), sizeof(ct_dhan_order_ack_t),
      b_forever_delete, p_acks),
  ROW(CT_API_FOREVER_LIST, CT_API_FOREVER, "list", "GET", OTH, 0, false, false,
      0, sizeof(ct_dhan_forever_order_t), b_forever_list, p_forever),
  ROW(CT_API_HOLDINGS, CT_API_PORTFOLIO, "holdings", "GET", OTH, 0, false,
      false, 0, sizeof(ct_dhan_holding_t), b_holdings, p_holdings),
  ROW(CT_API_POSITIONS, CT_API_PORTFOLIO, "positions", "GET", OTH, 0, false,
      false, 0, sizeof(ct_dhan_position_t), b_positions, p_positions),
  ROW(CT_API_CONVERT, CT_API_PORTFOLIO, "convert", "POST", OTH, MUT, false,
      false, sizeof(ct_dhan_convert_req_t), 0, b_convert, NULL),
  ROW(CT_API_EXIT_ALL, CT_API_PORTFOLIO, "exit-all", "DELETE", OTH, MUT, false,
      false, 0, sizeof(ct_api_status_t), b_positions, ct__api_parse_status),
  ROW(CT_API_EDIS_TPIN, CT_API_EDIS, "tpin", "GET", OTH, 0, false, false, 0, 0,
      b_tpin, NULL),
  ROW(CT_API_EDIS_FORM, CT_API_EDIS, "form", "POST", OTH, 0, false, false,
      sizeof(ct_dhan_edis_req_t), sizeof(ct_api_edis_form_t), b_edis_form,
      ct__api_parse_edis_form),
  ROW(CT_API_EDIS_INQUIRE, CT_API_EDIS, "inquire", "GET", OTH, 0, false, false,
      sizeof(ct_api_ref_t), sizeof(ct_dhan_edis_inquiry_t), b_edis_inquire,
      p_inquiry),
  ROW(CT_API_KILL_SET, CT_API_CONTROL, "kill-set", "POST", OTH, MUT, false,
      false, sizeof(ct_api_kill_t), sizeof(ct_dhan_killswitch_t), b_kill_set,
      p_kill),
  ROW(CT_API_KILL_GET, CT_API_CONTROL, "kill-get", "GET", OTH, 0, false, false,
      0, sizeof(ct_dhan_killswitch_t), b_kill_get, p_kill),
  ROW(CT_API_PNL_SET, CT_API_CONTROL, "pnl-set", "POST", OTH, MUT, false, false,
      sizeof(ct_dhan_pnl_exit_req_t), sizeof(ct_api_status_t), b_pnl_set,
      ct__api_parse_status),
  ROW(CT_API_PNL_GET, CT_API_CONTROL, "pnl-get", "GET", OTH, 0, false, false, 0,
      sizeof(ct_api_pnl_t), b_pnl, ct__api_parse_pnl),
  ROW(CT_API_PNL_DELETE, CT_API_CONTROL, "pnl-delete", "DELETE", OTH, MUT,
      false, false, 0, sizeof(ct_api_status_t), b_pnl, ct__api_parse_status),
  ROW(CT_API_FUND_LIMIT, CT_API_FUNDS, "limit", "GET", OTH, 0, false, false, 0,
      sizeof(ct_dhan_fund_limit_t), b_fundlimit, p_fund),
  ROW(CT_API_MARGIN, CT_API_FUNDS, "margin", "POST", OTH, 0, false, false,
      sizeof(ct_dhan_margin_item_t), sizeof(ct_dhan_margin_t), b_margin,
      p_margin),
  ROW(CT_API_MARGIN_MULTI, CT_API_FUNDS, "margin-multi", "POST", OTH, 0, false,
      false, sizeof(ct_api_margin_multi_t), sizeof(ct_dhan_margin_t),
      b_margin_multi, p_margin),
  ROW(CT_API_LEDGER, CT_API_STATEMENT, "ledger", "GET", OTH, 0, false, false,
      sizeof(ct_api_dates_t), sizeof(ct_dhan_ledger_entry_t), b_ledger,
      p_ledger),
  ROW(CT_API_TRADE_HISTORY, CT_API_STATEMENT, "trades", "GET", OTH, 0, false,
      true, sizeof(ct_api_dates_t), sizeof(ct_dhan_trade_t), b_history,
      p_trades),
};

const ct__api_row_t *ct__api_row(ct_api_call_t call) {
  return (unsigned)call < CT_API_CALL_COUNT ? &rows[call] : NULL;
}

ct_api_module_t ct_api_call_module(ct_api_call_t c) {
  return (unsigned)c < CT_API_CALL_COUNT ? rows[c].module : CT_API_MODULE_COUNT;
}

const char *ct_api_call_name(ct_api_call_t c) {
  return (unsigned)c < CT_API_CALL_COUNT ? rows[c].name : "?";
}

size_t ct_api_call_params_size(ct_api_call_t c) {
  return (unsigned)c < CT_API_CALL_COUNT ? rows[c].params_size : 0;
}
