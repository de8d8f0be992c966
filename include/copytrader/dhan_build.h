/*
 * DhanHQ v2 request bodies: C structs in, JSON bytes out. Pure functions,
 * safe from any thread.
 *
 * Every body holds exactly the documented camelCase keys (Dhan answers an
 * unknown or misnamed key with HTTP 400), numbers as JSON numbers, and
 * dhanClientId (the official SDK adds it to every body). Optional keys are
 * left out when unset: correlationId when "", disclosedQuantity when 0,
 * amoTime unless after_market_order, triggerPrice unless the order type is
 * STOP_LOSS/STOP_LOSS_MARKET (or the product CO), boProfitValue and
 * boStopLossValue unless the product is BO. Deprecated keys
 * (tradingSymbol, drv*) are never sent.
 *
 * Output: the body is written into the caller's buffer `buf` of `size`
 * bytes, NUL-terminated; *len (when not NULL) gets its length without the
 * NUL. CT_DHAN_BODY_SIZE bytes hold any body but a margin/multi request
 * with many items. Nothing is kept after the call; the request struct is
 * only read.
 *
 * Returns 0; CT_EINVAL when the request is invalid, with the reason in
 * `err` (when not NULL; CT_DHAN_ERR_SIZE bytes hold it), e.g.
 * "correlationId: more than 30 characters"; CT_ERANGE when `buf` is too
 * small; CT_ENOMEM.
 */
#ifndef COPYTRADER_DHAN_BUILD_H
#define COPYTRADER_DHAN_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/dhan_types.h"

#define CT_DHAN_BODY_SIZE 1024

/* The fields most order bodies share. */
typedef struct ct_dhan_order_spec {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char correlation_id[CT_DHAN_CORRID_SIZE]; /* "" = none */
  char security_id[CT_DHAN_SECID_SIZE];
  ct_dhan_txn_t txn;
  ct_dhan_segment_t segment; /* not IDX_I */
  ct_dhan_product_t product;
  ct_dhan_order_type_t order_type;
  ct_dhan_validity_t validity;
  int64_t quantity;           /* units, not lots; > 0 */
  int64_t disclosed_quantity; /* 0 = none; else > 30% of quantity */
  double price;               /* > 0 for LIMIT/STOP_LOSS, 0 for MARKET/SLM */
  double trigger_price;       /* > 0 for STOP_LOSS types, else 0 */
} ct_dhan_order_spec_t;

/* POST /orders and POST /orders/slicing (same body). */
typedef struct ct_dhan_place_req {
  ct_dhan_order_spec_t o;
  bool after_market_order;
  ct_dhan_amo_time_t amo_time; /* required when after_market_order */
  double bo_profit_value;      /* product BO only, > 0 */
  double bo_stop_loss_value;   /* product BO only, > 0 */
} ct_dhan_place_req_t;

/* PUT /orders/{order-id}. quantity is the new TOTAL quantity. */
typedef struct ct_dhan_modify_req {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char order_id[CT_DHAN_ID_SIZE];
  ct_dhan_order_type_t order_type;
  ct_dhan_validity_t validity;
  ct_dhan_leg_t leg; /* NONE: legName left out */
  int64_t quantity;
  int64_t disclosed_quantity; /* 0 = none */
  double price;
  double trigger_price;
} ct_dhan_modify_req_t;

/* POST /super/orders. order_type LIMIT or MARKET; validity unused. For BUY
 * target > price > stop loss, for SELL the reverse (price 0 for MARKET
 * skips the price in the check). */
typedef struct ct_dhan_super_req {
  ct_dhan_order_spec_t o;
  double target_price;
  double stop_loss_price;
  double trailing_jump; /* 0 = no trailing */
} ct_dhan_super_req_t;

/* PUT /super/orders/{order-id}: the keys sent depend on the leg. */
typedef struct ct_dhan_super_modify_req {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char order_id[CT_DHAN_ID_SIZE];
  ct_dhan_leg_t leg;               /* required */
  ct_dhan_order_type_t order_type; /* ENTRY_LEG */
  int64_t quantity;                /* ENTRY_LEG */
  double price;                    /* ENTRY_LEG */
  double target_price;             /* ENTRY_LEG, TARGET_LEG */
  double stop_loss_price;          /* ENTRY_LEG, STOP_LOSS_LEG */
  double trailing_jump;            /* ENTRY_LEG, STOP_LOSS_LEG; 0 = none */
} ct_dhan_super_modify_req_t;

/* POST /forever/orders. price/trigger_price are the first leg; for OCO the
 * second leg is price1/trigger_price1/quantity1. */
typedef struct ct_dhan_forever_req {
  ct_dhan_order_spec_t o;
  ct_dhan_order_flag_t flag;
  double price1;
  double trigger_price1;
  int64_t quantity1;
} ct_dhan_forever_req_t;

/* PUT /forever/orders/{order-id}. leg: TARGET_LEG (SINGLE, or the first
 * OCO leg) or STOP_LOSS_LEG (second OCO leg). */
typedef struct ct_dhan_forever_modify_req {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char order_id[CT_DHAN_ID_SIZE];
  ct_dhan_order_flag_t flag;
  ct_dhan_order_type_t order_type;
  ct_dhan_validity_t validity;
  ct_dhan_leg_t leg;
  int64_t quantity;
  int64_t disclosed_quantity;
  double price;
  double trigger_price;
} ct_dhan_forever_modify_req_t;

/* POST /positions/convert. */
typedef struct ct_dhan_convert_req {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char security_id[CT_DHAN_SECID_SIZE];
  char trading_symbol[CT_DHAN_SYMBOL_SIZE]; /* may be "" */
  ct_dhan_segment_t segment;
  ct_dhan_position_type_t position_type; /* LONG or SHORT */
  ct_dhan_product_t from_product;        /* CNC, INTRADAY, MARGIN */
  ct_dhan_product_t to_product;
  int64_t convert_qty;
} ct_dhan_convert_req_t;

/* One instrument of a margin request. */
typedef struct ct_dhan_margin_item {
  char security_id[CT_DHAN_SECID_SIZE];
  ct_dhan_segment_t segment;
  ct_dhan_txn_t txn;
  ct_dhan_product_t product;
  int64_t quantity;
  double price;
  double trigger_price; /* 0 = left out */
} ct_dhan_margin_item_t;

/* POST /margincalculator/multi, with the SDK's keys includePosition,
 * includeOrder, scripList. `items` is borrowed for the call. */
typedef struct ct_dhan_margin_multi_req {
  char client_id[CT_DHAN_CLIENT_SIZE];
  bool include_position;
  bool include_order;
  const ct_dhan_margin_item_t *items;
  size_t n_items; /* >= 1 */
} ct_dhan_margin_multi_req_t;

#define CT_DHAN_PNL_INTRADAY 1u
#define CT_DHAN_PNL_DELIVERY 2u

/* POST /pnlExit: absolute rupee amounts. */
typedef struct ct_dhan_pnl_exit_req {
  char client_id[CT_DHAN_CLIENT_SIZE];
  double profit_value; /* > 0 */
  double loss_value;   /* > 0 */
  unsigned products;   /* CT_DHAN_PNL_* bits, at least one */
  bool enable_kill_switch;
} ct_dhan_pnl_exit_req_t;

/* POST /edis/form. */
typedef struct ct_dhan_edis_req {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char isin[CT_DHAN_CODE_SIZE]; /* 12 characters */
  char exchange[8];             /* "NSE" or "BSE" */
  int64_t qty;
  bool bulk;
} ct_dhan_edis_req_t;

/* Whether s is a correlationId Dhan accepts: at most 30 characters of
 * [A-Za-z0-9 _-]. The empty string is accepted (it means "none"). */
bool ct_dhan_correlation_id_ok(const char *s);

int ct_dhan_build_place(const ct_dhan_place_req_t *r, char *buf, size_t size,
                        size_t *len, char *err, size_t err_size);
int ct_dhan_build_modify(const ct_dhan_modify_req_t *r, char *buf, size_t size,
                         size_t *len, char *err, size_t err_size);
int ct_dhan_build_super(const ct_dhan_super_req_t *r, char *buf, size_t size,
                        size_t *len, char *err, size_t err_size);
int ct_dhan_build_super_modify(const ct_dhan_super_modify_req_t *r, char *buf,
                               size_t size, size_t *len, char *err,
                               size_t err_size);
int ct_dhan_build_forever(const ct_dhan_forever_req_t *r, char *buf,
                          size_t size, size_t *len, char *err, size_t err_size);
int ct_dhan_build_forever_modify(const ct_dhan_forever_modify_req_t *r,
                                 char *buf, size_t size, size_t *len, char *err,
                                 size_t err_size);
int ct_dhan_build_convert(const ct_dhan_convert_req_t *r, char *buf,
                          size_t size, size_t *len, char *err, size_t err_size);
/* POST /margincalculator: one item plus the client id. */
int ct_dhan_build_margin(const char *client_id, const ct_dhan_margin_item_t *r,
                         char *buf, size_t size, size_t *len, char *err,
                         size_t err_size);
int ct_dhan_build_margin_multi(const ct_dhan_margin_multi_req_t *r, char *buf,
                               size_t size, size_t *len, char *err,
                               size_t err_size);
int ct_dhan_build_pnl_exit(const ct_dhan_pnl_exit_req_t *r, char *buf,
                           size_t size, size_t *len, char *err,
                           size_t err_size);
int ct_dhan_build_edis_form(const ct_dhan_edis_req_t *r, char *buf, size_t size,
                            size_t *len, char *err, size_t err_size);

#endif /* COPYTRADER_DHAN_BUILD_H */
