/*
 * dhan_build.c: JSON request bodies for the DhanHQ v2 order, position,
 * margin, P&L-exit and eDIS calls (include/copytrader/dhan_build.h).
 *
 * Each builder first validates the request (so a bad request never leaves
 * the process and the reason is ours, not Dhan's opaque DH-905), then puts
 * the keys into a cJSON object through small put_* helpers that remember
 * an allocation failure, and prints the tree into the caller's buffer.
 */
#include "copytrader/dhan_build.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/dhan_build_int.h"
#include "copytrader/error.h"

/* ---- body assembly ---------------------------------------------------- */

void ct__jb_begin(ct__jb_t *b) {
  b->o = cJSON_CreateObject();
  b->rc = b->o != NULL ? 0 : CT_ENOMEM;
}

void ct__jb_add(ct__jb_t *b, cJSON *parent, const char *k, cJSON *v) {
  if (v == NULL || !cJSON_AddItemToObject(parent, k, v)) {
    cJSON_Delete(v);
    b->rc = CT_ENOMEM;
  }
}

void ct__jb_str(ct__jb_t *b, const char *k, const char *v) {
  if (b->rc == 0)
    ct__jb_add(b, b->o, k, cJSON_CreateString(v));
}

void ct__jb_num(ct__jb_t *b, const char *k, double v) {
  if (b->rc == 0)
    ct__jb_add(b, b->o, k, cJSON_CreateNumber(v));
}

void ct__jb_bool(ct__jb_t *b, const char *k, bool v) {
  if (b->rc == 0)
    ct__jb_add(b, b->o, k, cJSON_CreateBool(v));
}

int ct__jb_end(ct__jb_t *b, char *buf, size_t size, size_t *len) {
  int rc = b->rc;
  if (rc == 0 && !cJSON_PrintPreallocated(
                     b->o, buf, size > INT_MAX ? INT_MAX : (int)size, 0))
    rc = CT_ERANGE;
  if (rc == 0 && len != NULL)
    *len = strlen(buf);
  cJSON_Delete(b->o);
  b->o = NULL;
  return rc;
}

/* ---- validation ------------------------------------------------------- */

bool ct_dhan_correlation_id_ok(const char *s) {
  size_t n = 0;
  if (s == NULL)
    return false;
  for (; s[n] != '\0'; n++) {
    unsigned char c = (unsigned char)s[n];
    if (n >= CT_DHAN_CORRID_MAX ||
        !(isalnum(c) || c == ' ' || c == '_' || c == '-'))
      return false;
  }
  return true;
}

/* A non-empty token of letters and digits (client, order, security ids). */
int ct__check_id(const char *what, const char *s, char *err, size_t err_size) {
  if (s[0] == '\0')
    return ct__bad(err, err_size, "%s: missing", what);
  for (const char *p = s; *p != '\0'; p++)
    if (!isalnum((unsigned char)*p))
      return ct__bad(err, err_size, "%s: not letters and digits", what);
  return 0;
}

static bool is_sl(ct_dhan_order_type_t t) {
  return t == CT_DHAN_OTYPE_STOP_LOSS || t == CT_DHAN_OTYPE_STOP_LOSS_MARKET;
}

static bool is_priced(ct_dhan_order_type_t t) {
  return t == CT_DHAN_OTYPE_LIMIT || t == CT_DHAN_OTYPE_STOP_LOSS;
}

/* Price and trigger against the order type. trigger_always: forever
 * orders, whose trigger is required whatever the type. */
static int check_prices(ct_dhan_order_type_t t, double price, double trigger,
                        bool trigger_allowed, char *err, size_t err_size) {
  if (ct_dhan_order_type_str(t) == NULL)
    return ct__bad(err, err_size, "orderType: not set");
  if (!isfinite(price) || price < 0 || !isfinite(trigger) || trigger < 0)
    return ct__bad(err, err_size, "price: negative or not finite");
  if (is_priced(t) && price <= 0)
    return ct__bad(err, err_size, "price: must be > 0 for %s",
                   ct_dhan_order_type_str(t));
  if (!is_priced(t) && price != 0)
    return ct__bad(err, err_size, "price: must be 0 for %s",
                   ct_dhan_order_type_str(t));
  if (is_sl(t) && trigger <= 0)
    return ct__bad(err, err_size, "triggerPrice: required for %s",
                   ct_dhan_order_type_str(t));
  if (!is_sl(t) && !trigger_allowed && trigger != 0)
    return ct__bad(err, err_size, "triggerPrice: only for stop-loss orders");
  return 0;
}

static int check_qty(int64_t qty, int64_t disclosed, char *err,
                     size_t err_size) {
  if (qty <= 0)
    return ct__bad(err, err_size, "quantity: must be > 0");
  if (disclosed < 0 || disclosed > qty)
    return ct__bad(err, err_size, "disclosedQuantity: out of range");
  if (disclosed > 0 && disclosed * 10 <= qty * 3)
    return ct__bad(err, err_size,
                   "disclosedQuantity: must be > 30%% of quantity");
  return 0;
}

typedef enum { SPEC_PLACE, SPEC_SUPER, SPEC_FOREVER } spec_kind_t;

static int check_spec(const ct_dhan_order_spec_t *o, spec_kind_t kind,
                      char *err, size_t err_size) {
  int rc = ct__check_id("dhanClientId", o->client_id, err, err_size);
  if (rc == 0 && !ct_dhan_correlation_id_ok(o->correlation_id))
    rc =
        ct__bad(err, err_size,
                "correlationId: more than 30 characters or not [A-Za-z0-9 _-]");
  if (rc == 0)
    rc = ct__check_id("securityId", o->security_id, err, err_size);
  if (rc != 0)
    return rc;
  if (ct_dhan_txn_str(o->txn) == NULL)
    return ct__bad(err, err_size, "transactionType: not set");
  if (ct_dhan_segment_str(o->segment) == NULL ||
      o->segment == CT_DHAN_SEG_IDX_I)
    return ct__bad(err, err_size, "exchangeSegment: not a tradable segment");
  if (ct_dhan_product_str(o->product) == NULL)
    return ct__bad(err, err_size, "productType: not set");
  if (kind != SPEC_SUPER && ct_dhan_validity_str(o->validity) == NULL)
    return ct__bad(err, err_size, "validity: not set");
  rc = check_qty(o->quantity, o->disclosed_quantity, err, err_size);
  if (rc == 0)
    rc = check_prices(o->order_type, o->price, o->trigger_price,
                      kind == SPEC_FOREVER || o->product == CT_DHAN_PRODUCT_CO,
                      err, err_size);
  return rc;
}

/* ---- shared key groups ------------------------------------------------ */

/* Keys of ct_dhan_order_spec_t, in the docs' order. trigger: send it. */
static void put_spec(ct__jb_t *b, const ct_dhan_order_spec_t *o, bool validity,
                     bool trigger) {
  ct__jb_str(b, "dhanClientId", o->client_id);
  if (o->correlation_id[0] != '\0')
    ct__jb_str(b, "correlationId", o->correlation_id);
  ct__jb_str(b, "transactionType", ct_dhan_txn_str(o->txn));
  ct__jb_str(b, "exchangeSegment", ct_dhan_segment_str(o->segment));
  ct__jb_str(b, "productType", ct_dhan_product_str(o->product));
  ct__jb_str(b, "orderType", ct_dhan_order_type_str(o->order_type));
  if (validity)
    ct__jb_str(b, "validity", ct_dhan_validity_str(o->validity));
  ct__jb_str(b, "securityId", o->security_id);
  ct__jb_num(b, "quantity", (double)o->quantity);
  if (o->disclosed_quantity > 0)
    ct__jb_num(b, "disclosedQuantity", (double)o->disclosed_quantity);
  ct__jb_num(b, "price", o->price);
  if (trigger)
    ct__jb_num(b, "triggerPrice", o->trigger_price);
}

#define ARGS_OK(r) ((r) != NULL && buf != NULL && size > 0)

/* ---- builders --------------------------------------------------------- */

static int check_place(const ct_dhan_place_req_t *r, char *err,
                       size_t err_size) {
  int rc = check_spec(&r->o, SPEC_PLACE, err, err_size);
  if (rc != 0)
    return rc;
  if (r->after_market_order && ct_dhan_amo_time_str(r->amo_time) == NULL)
    return ct__bad(err, err_size,
                   "amoTime: required for an after-market order");
  if (r->o.product == CT_DHAN_PRODUCT_BO &&
      !(r->bo_profit_value > 0 && r->bo_stop_loss_value > 0 &&
        isfinite(r->bo_profit_value) && isfinite(r->bo_stop_loss_value)))
    return ct__bad(err, err_size, "boProfitValue/boStopLossValue: must be > 0");
  return 0;
}

int ct_dhan_build_place(const ct_dhan_place_req_t *r, char *buf, size_t size,
                        size_t *len, char *err, size_t err_size) {
  ct__jb_t b;
  int rc = ARGS_OK(r) ? check_place(r, err, err_size) : CT_EINVAL;
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  put_spec(&b, &r->o, true,
           is_sl(r->o.order_type) ||
               (r->o.product == CT_DHAN_PRODUCT_CO && r->o.trigger_price > 0));
  ct__jb_bool(&b, "afterMarketOrder", r->after_market_order);
  if (r->after_market_order)
    ct__jb_str(&b, "amoTime", ct_dhan_amo_time_str(r->amo_time));
  if (r->o.product == CT_DHAN_PRODUCT_BO) {
    ct__jb_num(&b, "boProfitValue", r->bo_profit_value);
    ct__jb_num(&b, "boStopLossValue", r->bo_stop_loss_value);
  }
  return ct__jb_end(&b, buf, size, len);
}

int ct_dhan_build_modify(const ct_dhan_modify_req_t *r, char *buf, size_t size,
                         size_t *len, char *err, size_t err_size) {
  ct__jb_t b;
  int rc = ARGS_OK(r)
               ? ct__check_id("dhanClientId", r->client_id, err, err_size)
               : CT_EINVAL;
  if (rc == 0)
    rc = ct__check_id("orderId", r->order_id, err, err_size);
  if (rc == 0 && ct_dhan_validity_str(r->validity) == NULL)
    rc = ct__bad(err, err_size, "validity: not set");
  if (rc == 0)
    rc = check_qty(r->quantity, r->disclosed_quantity, err, err_size);
  if (rc == 0)
    rc = check_prices(r->order_type, r->price, r->trigger_price, false, err,
                      err_size);
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  ct__jb_str(&b, "dhanClientId", r->client_id);
  ct__jb_str(&b, "orderId", r->order_id);
  ct__jb_str(&b, "orderType", ct_dhan_order_type_str(r->order_type));
  if (r->leg != CT_DHAN_LEG_NONE && ct_dhan_leg_str(r->leg) != NULL)
    ct__jb_str(&b, "legName", ct_dhan_leg_str(r->leg));
  ct__jb_num(&b, "quantity", (double)r->quantity);
  ct__jb_num(&b, "price", r->price);
  if (r->disclosed_quantity > 0)
    ct__jb_num(&b, "disclosedQuantity", (double)r->disclosed_quantity);
  if (is_sl(r->order_type))
    ct__jb_num(&b, "triggerPrice", r->trigger_price);
  ct__jb_str(&b, "validity", ct_dhan_validity_str(r->validity));
  return ct__jb_end(&b, buf, size, len);
}

/* BUY: target > price > stop loss; SELL: the reverse. price 0 (MARKET)
 * only orders target against stop loss. */
static int check_brackets(ct_dhan_txn_t txn, double price, double target,
                          double sl, char *err, size_t err_size) {
  double lo = txn == CT_DHAN_TXN_BUY ? sl : target;
  double hi = txn == CT_DHAN_TXN_BUY ? target : sl;
  if (!(isfinite(target) && isfinite(sl) && target > 0 && sl > 0))
    return ct__bad(err, err_size, "targetPrice/stopLossPrice: must be > 0");
  if (!(lo < hi) || (price > 0 && !(lo < price && price < hi)))
    return ct__bad(err, err_size,
                   "targetPrice/stopLossPrice: wrong side of "
                   "price for %s",
                   ct_dhan_txn_str(txn));
  return 0;
}

int ct_dhan_build_super(const ct_dhan_super_req_t *r, char *buf, size_t size,
                        size_t *len, char *err, size_t err_size) {
  ct__jb_t b;
  int rc =
      ARGS_OK(r) ? check_spec(&r->o, SPEC_SUPER, err, err_size) : CT_EINVAL;
  if (rc == 0 && r->o.order_type != CT_DHAN_OTYPE_LIMIT &&
      r->o.order_type != CT_DHAN_OTYPE_MARKET)
    rc = ct__bad(err, err_size, "orderType: LIMIT or MARKET only");
  if (rc == 0)
    rc = check_brackets(r->o.txn, r->o.price, r->target_price,
                        r->stop_loss_price, err, err_size);
  if (rc == 0 && !(r->trailing_jump >= 0 && isfinite(r->trailing_jump)))
    rc = ct__bad(err, err_size, "trailingJump: must be >= 0");
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  put_spec(&b, &r->o, false, false);
  ct__jb_num(&b, "targetPrice", r->target_price);
  ct__jb_num(&b, "stopLossPrice", r->stop_loss_price);
  ct__jb_num(&b, "trailingJump", r->trailing_jump);
  return ct__jb_end(&b, buf, size, len);
}

static int check_super_modify(const ct_dhan_super_modify_req_t *r, char *err,
                              size_t err_size) {
  int rc = ct__check_id("dhanClientId", r->client_id, err, err_size);
  if (rc == 0)
    rc = ct__check_id("orderId", r->order_id, err, err_size);
  if (rc != 0)
    return rc;
  if (ct_dhan_leg_str(r->leg) == NULL)
    return ct__bad(err, err_size, "legName: not set");
  if (r->leg == CT_DHAN_LEG_ENTRY) {
    if (r->order_type != CT_DHAN_OTYPE_LIMIT &&
        r->order_type != CT_DHAN_OTYPE_MARKET)
      return ct__bad(err, err_size, "orderType: LIMIT or MARKET only");
    rc = check_qty(r->quantity, 0, err, err_size);
  }
  if (rc == 0 && r->leg != CT_DHAN_LEG_STOP_LOSS &&
      !(r->target_price > 0 && isfinite(r->target_price)))
    rc = ct__bad(err, err_size, "targetPrice: must be > 0");
  if (rc == 0 && r->leg != CT_DHAN_LEG_TARGET &&
      !(r->stop_loss_price > 0 && isfinite(r->stop_loss_price) &&
        r->trailing_jump >= 0 && isfinite(r->trailing_jump)))
    rc = ct__bad(err, err_size, "stopLossPrice/trailingJump: out of range");
  return rc;
}

int ct_dhan_build_super_modify(const ct_dhan_super_modify_req_t *r, char *buf,
                               size_t size, size_t *len, char *err,
                               size_t err_size) {
  ct__jb_t b;
  int rc = ARGS_OK(r) ? check_super_modify(r, err, err_size) : CT_EINVAL;
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  ct__jb_str(&b, "dhanClientId", r->client_id);
  ct__jb_str(&b, "orderId", r->order_id);
  ct__jb_str(&b, "legName", ct_dhan_leg_str(r->leg));
  if (r->leg == CT_DHAN_LEG_ENTRY) {
    ct__jb_str(&b, "orderType", ct_dhan_order_type_str(r->order_type));
    ct__jb_num(&b, "quantity", (double)r->quantity);
    ct__jb_num(&b, "price", r->price);
  }
  if (r->leg != CT_DHAN_LEG_STOP_LOSS)
    ct__jb_num(&b, "targetPrice", r->target_price);
  if (r->leg != CT_DHAN_LEG_TARGET) {
    ct__jb_num(&b, "stopLossPrice", r->stop_loss_price);
    ct__jb_num(&b, "trailingJump", r->trailing_jump);
  }
  return ct__jb_end(&b, buf, size, len);
}

static int check_forever(const ct_dhan_forever_req_t *r, char *err,
                         size_t err_size) {
  int rc = check_spec(&r->o, SPEC_FOREVER, err, err_size);
  if (rc != 0)
    return rc;
  if (ct_dhan_order_flag_str(r->flag) == NULL)
    return ct__bad(err, err_size, "orderFlag: not set");
  if (!(r->o.trigger_price > 0))
    return ct__bad(err, err_size, "triggerPrice: must be > 0");
  if (r->flag == CT_DHAN_FLAG_OCO &&
      !(r->quantity1 > 0 && r->price1 > 0 && r->trigger_price1 > 0 &&
        isfinite(r->price1) && isfinite(r->trigger_price1)))
    return ct__bad(err, err_size,
                   "price1/triggerPrice1/quantity1: must be > 0");
  return 0;
}

int ct_dhan_build_forever(const ct_dhan_forever_req_t *r, char *buf,
                          size_t size, size_t *len, char *err,
                          size_t err_size) {
  ct__jb_t b;
  int rc = ARGS_OK(r) ? check_forever(r, err, err_size) : CT_EINVAL;
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  ct__jb_str(&b, "orderFlag", ct_dhan_order_flag_str(r->flag));
  put_spec(&b, &r->o, true, true);
  if (r->flag == CT_DHAN_FLAG_OCO) {
    ct__jb_num(&b, "price1", r->price1);
    ct__jb_num(&b, "triggerPrice1", r->trigger_price1);
    ct__jb_num(&b, "quantity1", (double)r->quantity1);
  }
  return ct__jb_end(&b, buf, size, len);
}

static int check_forever_modify(const ct_dhan_forever_modify_req_t *r,
                                char *err, size_t err_size) {
  int rc = ct__check_id("dhanClientId", r->client_id, err, err_size);
  if (rc == 0)
    rc = ct__check_id("orderId", r->order_id, err, err_size);
  if (rc == 0 && ct_dhan_order_flag_str(r->flag) == NULL)
    rc = ct__bad(err, err_size, "orderFlag: not set");
  if (rc == 0 && r->leg != CT_DHAN_LEG_TARGET &&
      r->leg != CT_DHAN_LEG_STOP_LOSS)
    rc = ct__bad(err, err_size, "legName: TARGET_LEG or STOP_LOSS_LEG");
  if (rc == 0 && ct_dhan_validity_str(r->validity) == NULL)
    rc = ct__bad(err, err_size, "validity: not set");
  if (rc == 0)
    rc = check_qty(r->quantity, r->disclosed_quantity, err, err_size);
  if (rc == 0)
    rc = check_prices(r->order_type, r->price, r->trigger_price, true, err,
                      err_size);
  return rc;
}

int ct_dhan_build_forever_modify(const ct_dhan_forever_modify_req_t *r,
                                 char *buf, size_t size, size_t *len, char *err,
                                 size_t err_size) {
  ct__jb_t b;
  int rc = ARGS_OK(r) ? check_forever_modify(r, err, err_size) : CT_EINVAL;
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  ct__jb_str(&b, "dhanClientId", r->client_id);
  ct__jb_str(&b, "orderId", r->order_id);
  ct__jb_str(&b, "orderFlag", ct_dhan_order_flag_str(r->flag));
  ct__jb_str(&b, "orderType", ct_dhan_order_type_str(r->order_type));
  ct__jb_str(&b, "legName", ct_dhan_leg_str(r->leg));
  ct__jb_num(&b, "quantity", (double)r->quantity);
  ct__jb_num(&b, "price", r->price);
  ct__jb_num(&b, "disclosedQuantity", (double)r->disclosed_quantity);
  ct__jb_num(&b, "triggerPrice", r->trigger_price);
  ct__jb_str(&b, "validity", ct_dhan_validity_str(r->validity));
  return ct__jb_end(&b, buf, size, len);
}
