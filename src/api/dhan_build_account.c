/*
 * dhan_build_account.c: request bodies outside order placement: position
 * conversion, margin calculator (single and multi), P&L based exit and the
 * eDIS form (include/copytrader/dhan_build.h). Same pattern as
 * dhan_build.c: validate, put the keys, print into the caller's buffer.
 */
#include <math.h>
#include <string.h>

#include "api/dhan_build_int.h"
#include "copytrader/dhan_build.h"
#include "copytrader/error.h"

static bool convertible(ct_dhan_product_t p) {
  return p == CT_DHAN_PRODUCT_CNC || p == CT_DHAN_PRODUCT_INTRADAY ||
         p == CT_DHAN_PRODUCT_MARGIN;
}

static int check_convert(const ct_dhan_convert_req_t *r, char *err,
                         size_t err_size) {
  int rc = ct__check_id("dhanClientId", r->client_id, err, err_size);
  if (rc == 0)
    rc = ct__check_id("securityId", r->security_id, err, err_size);
  if (rc != 0)
    return rc;
  if (ct_dhan_segment_str(r->segment) == NULL ||
      r->segment == CT_DHAN_SEG_IDX_I)
    return ct__bad(err, err_size, "exchangeSegment: not a tradable segment");
  if (r->position_type != CT_DHAN_POS_LONG &&
      r->position_type != CT_DHAN_POS_SHORT)
    return ct__bad(err, err_size, "positionType: LONG or SHORT");
  if (!convertible(r->from_product) || !convertible(r->to_product) ||
      r->from_product == r->to_product)
    return ct__bad(err, err_size,
                   "fromProductType/toProductType: two of CNC, INTRADAY, "
                   "MARGIN");
  if (r->convert_qty <= 0)
    return ct__bad(err, err_size, "convertQty: must be > 0");
  return 0;
}

int ct_dhan_build_convert(const ct_dhan_convert_req_t *r, char *buf,
                          size_t size, size_t *len, char *err,
                          size_t err_size) {
  ct__jb_t b;
  int rc = (r != NULL && buf != NULL && size > 0)
               ? check_convert(r, err, err_size)
               : CT_EINVAL;
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  ct__jb_str(&b, "dhanClientId", r->client_id);
  ct__jb_str(&b, "fromProductType", ct_dhan_product_str(r->from_product));
  ct__jb_str(&b, "exchangeSegment", ct_dhan_segment_str(r->segment));
  ct__jb_str(&b, "positionType", ct_dhan_position_type_str(r->position_type));
  ct__jb_str(&b, "securityId", r->security_id);
  ct__jb_str(&b, "tradingSymbol", r->trading_symbol);
  ct__jb_num(&b, "convertQty", (double)r->convert_qty);
  ct__jb_str(&b, "toProductType", ct_dhan_product_str(r->to_product));
  return ct__jb_end(&b, buf, size, len);
}

static int check_margin_item(const ct_dhan_margin_item_t *m, char *err,
                             size_t err_size) {
  int rc = ct__check_id("securityId", m->security_id, err, err_size);
  if (rc != 0)
    return rc;
  if (ct_dhan_segment_str(m->segment) == NULL ||
      m->segment == CT_DHAN_SEG_IDX_I)
    return ct__bad(err, err_size, "exchangeSegment: not a tradable segment");
  if (ct_dhan_txn_str(m->txn) == NULL)
    return ct__bad(err, err_size, "transactionType: not set");
  if (ct_dhan_product_str(m->product) == NULL)
    return ct__bad(err, err_size, "productType: not set");
  if (m->quantity <= 0)
    return ct__bad(err, err_size, "quantity: must be > 0");
  if (!(m->price >= 0 && isfinite(m->price) && m->trigger_price >= 0 &&
        isfinite(m->trigger_price)))
    return ct__bad(err, err_size, "price: negative or not finite");
  return 0;
}

/* The instrument keys into object `o` of builder b. */
static void put_margin_item(ct__jb_t *b, const ct_dhan_margin_item_t *m) {
  ct__jb_str(b, "exchangeSegment", ct_dhan_segment_str(m->segment));
  ct__jb_str(b, "transactionType", ct_dhan_txn_str(m->txn));
  ct__jb_num(b, "quantity", (double)m->quantity);
  ct__jb_str(b, "productType", ct_dhan_product_str(m->product));
  ct__jb_str(b, "securityId", m->security_id);
  ct__jb_num(b, "price", m->price);
  if (m->trigger_price > 0)
    ct__jb_num(b, "triggerPrice", m->trigger_price);
}

int ct_dhan_build_margin(const char *client_id, const ct_dhan_margin_item_t *r,
                         char *buf, size_t size, size_t *len, char *err,
                         size_t err_size) {
  ct__jb_t b;
  int rc = (client_id != NULL && r != NULL && buf != NULL && size > 0)
               ? ct__check_id("dhanClientId", client_id, err, err_size)
               : CT_EINVAL;
  if (rc == 0)
    rc = check_margin_item(r, err, err_size);
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  ct__jb_str(&b, "dhanClientId", client_id);
  put_margin_item(&b, r);
  return ct__jb_end(&b, buf, size, len);
}

/* scripList: one object per item, built with its own ct__jb_t. */
static void put_scrip_list(ct__jb_t *b, const ct_dhan_margin_multi_req_t *r) {
  cJSON *arr = cJSON_CreateArray();
  ct__jb_add(b, b->o, "scripList", arr);
  for (size_t i = 0; b->rc == 0 && i < r->n_items; i++) {
    ct__jb_t item;
    ct__jb_begin(&item);
    put_margin_item(&item, &r->items[i]);
    if (item.rc != 0 || !cJSON_AddItemToArray(arr, item.o)) {
      cJSON_Delete(item.o);
      b->rc = CT_ENOMEM;
    }
  }
}

int ct_dhan_build_margin_multi(const ct_dhan_margin_multi_req_t *r, char *buf,
                               size_t size, size_t *len, char *err,
                               size_t err_size) {
  ct__jb_t b;
  int rc = (r != NULL && buf != NULL && size > 0)
               ? ct__check_id("dhanClientId", r->client_id, err, err_size)
               : CT_EINVAL;
  if (rc == 0 && (r->items == NULL || r->n_items == 0))
    rc = ct__bad(err, err_size, "scripList: empty");
  for (size_t i = 0; rc == 0 && i < r->n_items; i++)
    rc = check_margin_item(&r->items[i], err, err_size);
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  ct__jb_bool(&b, "includePosition", r->include_position);
  ct__jb_bool(&b, "includeOrder", r->include_order);
  ct__jb_str(&b, "dhanClientId", r->client_id);
  put_scrip_list(&b, r);
  return ct__jb_end(&b, buf, size, len);
}

static int check_pnl(const ct_dhan_pnl_exit_req_t *r, char *err,
                     size_t err_size) {
  int rc = ct__check_id("dhanClientId", r->client_id, err, err_size);
  if (rc != 0)
    return rc;
  if (!(r->profit_value > 0 && isfinite(r->profit_value) && r->loss_value > 0 &&
        isfinite(r->loss_value)))
    return ct__bad(err, err_size, "profitValue/lossValue: must be > 0");
  if ((r->products & (CT_DHAN_PNL_INTRADAY | CT_DHAN_PNL_DELIVERY)) == 0 ||
      (r->products & ~(CT_DHAN_PNL_INTRADAY | CT_DHAN_PNL_DELIVERY)) != 0)
    return ct__bad(err, err_size, "productType: INTRADAY and/or DELIVERY");
  return 0;
}

int ct_dhan_build_pnl_exit(const ct_dhan_pnl_exit_req_t *r, char *buf,
                           size_t size, size_t *len, char *err,
                           size_t err_size) {
  ct__jb_t b;
  cJSON *products;
  int rc = (r != NULL && buf != NULL && size > 0) ? check_pnl(r, err, err_size)
                                                  : CT_EINVAL;
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  ct__jb_str(&b, "dhanClientId", r->client_id);
  ct__jb_num(&b, "profitValue", r->profit_value);
  ct__jb_num(&b, "lossValue", r->loss_value);
  products = cJSON_CreateArray();
  ct__jb_add(&b, b.o, "productType", products);
  if (b.rc == 0 && (r->products & CT_DHAN_PNL_INTRADAY) &&
      !cJSON_AddItemToArray(products, cJSON_CreateString("INTRADAY")))
    b.rc = CT_ENOMEM;
  if (b.rc == 0 && (r->products & CT_DHAN_PNL_DELIVERY) &&
      !cJSON_AddItemToArray(products, cJSON_CreateString("DELIVERY")))
    b.rc = CT_ENOMEM;
  ct__jb_bool(&b, "enableKillSwitch", r->enable_kill_switch);
  return ct__jb_end(&b, buf, size, len);
}

static int check_edis(const ct_dhan_edis_req_t *r, char *err, size_t err_size) {
  int rc = ct__check_id("dhanClientId", r->client_id, err, err_size);
  if (rc == 0)
    rc = ct__check_id("isin", r->isin, err, err_size);
  if (rc != 0)
    return rc;
  if (strlen(r->isin) != 12)
    return ct__bad(err, err_size, "isin: must be 12 characters");
  if (strcmp(r->exchange, "NSE") != 0 && strcmp(r->exchange, "BSE") != 0)
    return ct__bad(err, err_size, "exchange: NSE or BSE");
  if (r->qty <= 0)
    return ct__bad(err, err_size, "qty: must be > 0");
  return 0;
}

int ct_dhan_build_edis_form(const ct_dhan_edis_req_t *r, char *buf, size_t size,
                            size_t *len, char *err, size_t err_size) {
  ct__jb_t b;
  int rc = (r != NULL && buf != NULL && size > 0) ? check_edis(r, err, err_size)
                                                  : CT_EINVAL;
  if (rc != 0)
    return rc;
  ct__jb_begin(&b);
  ct__jb_str(&b, "dhanClientId", r->client_id);
  ct__jb_str(&b, "isin", r->isin);
  ct__jb_num(&b, "qty", (double)r->qty);
  ct__jb_str(&b, "exchange", r->exchange);
  ct__jb_str(&b, "segment", "EQ");
  ct__jb_bool(&b, "bulk", r->bulk);
  return ct__jb_end(&b, buf, size, len);
}
