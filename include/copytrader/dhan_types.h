/*
 * DhanHQ v2 data model: the enumerations and the records of the REST API,
 * the live order-update WebSocket and the postback, as plain C structs.
 *
 * Every record is a flat struct with fixed-size string buffers (no pointer
 * inside, nothing to free), so it can be copied with `=` or memcpy and sent
 * through a mailbox by value. Strings are NUL-terminated; "" means absent.
 * Identifiers (order ids, client ids, correlation ids, security ids) never
 * get truncated: a parser answers CT_EPROTO when one does not fit. Free text
 * (symbols, reasons, remarks) is cut to its buffer.
 *
 * Enumerations: value 0 is always UNKNOWN/NONE, so a zeroed struct is "not
 * set". ct_dhan_*_str() gives Dhan's exact spelling (NULL for 0 or out of
 * range); ct_dhan_*_from_str() reads one case-insensitively and answers 0
 * for anything it does not know (never an error: callers decide). The
 * _from_ws() variants read the live order-update socket's short codes
 * (B/S, C/I/M/F, LMT/MKT/SL/SLM) and also accept the REST spelling.
 * All functions here are pure and thread-safe; returned strings are static.
 */
#ifndef COPYTRADER_DHAN_TYPES_H
#define COPYTRADER_DHAN_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* Buffer sizes, NUL included. */
#define CT_DHAN_ID_SIZE     32  /* order ids, exchange ids, trade ids */
#define CT_DHAN_CLIENT_SIZE 24  /* dhanClientId */
#define CT_DHAN_CORRID_SIZE 32  /* correlationId: at most 30 characters */
#define CT_DHAN_SECID_SIZE  24  /* securityId */
#define CT_DHAN_TIME_SIZE   32  /* "YYYY-MM-DD HH:MM:SS" and similar */
#define CT_DHAN_SYMBOL_SIZE 64  /* tradingSymbol, customSymbol */
#define CT_DHAN_CODE_SIZE   32  /* short codes: omsErrorCode, algoId, ISIN */
#define CT_DHAN_TEXT_SIZE   256 /* reasons, messages, narrations */
#define CT_DHAN_CORRID_MAX  30  /* longest correlationId Dhan accepts */

/* Exchange segment (§13.1). The values are not the feed's numeric codes:
 * see ct_dhan_segment_feed_code(). */
typedef enum {
  CT_DHAN_SEG_UNKNOWN = 0,
  CT_DHAN_SEG_IDX_I,
  CT_DHAN_SEG_NSE_EQ,
  CT_DHAN_SEG_NSE_FNO,
  CT_DHAN_SEG_NSE_CURRENCY,
  CT_DHAN_SEG_BSE_EQ,
  CT_DHAN_SEG_BSE_FNO,
  CT_DHAN_SEG_BSE_CURRENCY,
  CT_DHAN_SEG_MCX_COMM,
  CT_DHAN_SEG_COUNT
} ct_dhan_segment_t;

typedef enum {
  CT_DHAN_TXN_UNKNOWN = 0,
  CT_DHAN_TXN_BUY,
  CT_DHAN_TXN_SELL,
  CT_DHAN_TXN_COUNT
} ct_dhan_txn_t;

typedef enum {
  CT_DHAN_PRODUCT_UNKNOWN = 0,
  CT_DHAN_PRODUCT_CNC,
  CT_DHAN_PRODUCT_INTRADAY,
  CT_DHAN_PRODUCT_MARGIN,
  CT_DHAN_PRODUCT_MTF,
  CT_DHAN_PRODUCT_CO, /* older docs and the SDK only */
  CT_DHAN_PRODUCT_BO, /* older docs and the SDK only */
  CT_DHAN_PRODUCT_COUNT
} ct_dhan_product_t;

typedef enum {
  CT_DHAN_OTYPE_UNKNOWN = 0,
  CT_DHAN_OTYPE_LIMIT,
  CT_DHAN_OTYPE_MARKET,
  CT_DHAN_OTYPE_STOP_LOSS,
  CT_DHAN_OTYPE_STOP_LOSS_MARKET,
  CT_DHAN_OTYPE_COUNT
} ct_dhan_order_type_t;

typedef enum {
  CT_DHAN_VALIDITY_UNKNOWN = 0,
  CT_DHAN_VALIDITY_DAY,
  CT_DHAN_VALIDITY_IOC,
  CT_DHAN_VALIDITY_COUNT
} ct_dhan_validity_t;

/* Order status (§13.2, every version of the docs together). */
typedef enum {
  CT_DHAN_STATUS_UNKNOWN = 0,
  CT_DHAN_STATUS_TRANSIT,
  CT_DHAN_STATUS_PENDING,
  CT_DHAN_STATUS_PART_TRADED,
  CT_DHAN_STATUS_TRADED,
  CT_DHAN_STATUS_REJECTED,
  CT_DHAN_STATUS_CANCELLED,
  CT_DHAN_STATUS_EXPIRED,
  CT_DHAN_STATUS_CLOSED,    /* super orders */
  CT_DHAN_STATUS_TRIGGERED, /* super orders */
  CT_DHAN_STATUS_CONFIRM,   /* forever orders */
  CT_DHAN_STATUS_COUNT
} ct_dhan_status_t;

typedef enum {
  CT_DHAN_LEG_NONE = 0,
  CT_DHAN_LEG_ENTRY,
  CT_DHAN_LEG_TARGET,
  CT_DHAN_LEG_STOP_LOSS,
  CT_DHAN_LEG_COUNT
} ct_dhan_leg_t;

typedef enum {
  CT_DHAN_AMO_NONE = 0,
  CT_DHAN_AMO_PRE_OPEN,
  CT_DHAN_AMO_OPEN,
  CT_DHAN_AMO_OPEN_30,
  CT_DHAN_AMO_OPEN_60,
  CT_DHAN_AMO_COUNT
} ct_dhan_amo_time_t;

typedef enum {
  CT_DHAN_FLAG_NONE = 0,
  CT_DHAN_FLAG_SINGLE,
  CT_DHAN_FLAG_OCO,
  CT_DHAN_FLAG_COUNT
} ct_dhan_order_flag_t;

typedef enum {
  CT_DHAN_POS_UNKNOWN = 0,
  CT_DHAN_POS_LONG,
  CT_DHAN_POS_SHORT,
  CT_DHAN_POS_CLOSED,
  CT_DHAN_POS_COUNT
} ct_dhan_position_type_t;

const char *ct_dhan_segment_str(ct_dhan_segment_t v);
ct_dhan_segment_t ct_dhan_segment_from_str(const char *s);
/* The live order-update socket's (Exchange, Segment letter) pair, e.g.
 * ("NSE", "D") -> NSE_FNO (§15.2; the mapping is inferred by the spec).
 * Case-insensitive; UNKNOWN for any other pair or NULL. */
ct_dhan_segment_t ct_dhan_segment_from_ws(const char *exchange,
                                          const char *segment);
/* The reverse: *exchange ("NSE"/"BSE"/"MCX") and *letter ("E"/"D"/"C"/"M")
 * for a tradable segment. CT_EINVAL for UNKNOWN and IDX_I. */
int ct_dhan_segment_to_ws(ct_dhan_segment_t v, const char **exchange,
                          const char **letter);
/* The market feed's numeric code (IDX_I 0 ... BSE_FNO 8), -1 if unknown. */
int ct_dhan_segment_feed_code(ct_dhan_segment_t v);

const char *ct_dhan_txn_str(ct_dhan_txn_t v);
ct_dhan_txn_t ct_dhan_txn_from_str(const char *s);
/* "B"/"S" (or "BUY"/"SELL"). */
ct_dhan_txn_t ct_dhan_txn_from_ws(const char *s);
const char *ct_dhan_txn_ws_str(ct_dhan_txn_t v); /* "B"/"S" */

const char *ct_dhan_product_str(ct_dhan_product_t v);
ct_dhan_product_t ct_dhan_product_from_str(const char *s);
/* "C"/"I"/"M"/"F" (or a REST name). CO/BO have no documented letter. */
ct_dhan_product_t ct_dhan_product_from_ws(const char *s);
const char *ct_dhan_product_ws_str(ct_dhan_product_t v); /* NULL: CO, BO */

const char *ct_dhan_order_type_str(ct_dhan_order_type_t v);
ct_dhan_order_type_t ct_dhan_order_type_from_str(const char *s);
/* "LMT"/"MKT"/"SL"/"SLM" (or a REST name). */
ct_dhan_order_type_t ct_dhan_order_type_from_ws(const char *s);
const char *ct_dhan_order_type_ws_str(ct_dhan_order_type_t v);

const char *ct_dhan_validity_str(ct_dhan_validity_t v);
ct_dhan_validity_t ct_dhan_validity_from_str(const char *s);

/* "Traded", "cancelled" and "TRADED" all read as the same status; any
 * other text is CT_DHAN_STATUS_UNKNOWN (not an error). */
const char *ct_dhan_status_str(ct_dhan_status_t v);
ct_dhan_status_t ct_dhan_status_from_str(const char *s);
/* TRADED, REJECTED, CANCELLED, EXPIRED, CLOSED: no further change comes. */
bool ct_dhan_status_is_final(ct_dhan_status_t v);

const char *ct_dhan_leg_str(ct_dhan_leg_t v);
ct_dhan_leg_t ct_dhan_leg_from_str(const char *s);
const char *ct_dhan_amo_time_str(ct_dhan_amo_time_t v);
ct_dhan_amo_time_t ct_dhan_amo_time_from_str(const char *s);
const char *ct_dhan_order_flag_str(ct_dhan_order_flag_t v);
ct_dhan_order_flag_t ct_dhan_order_flag_from_str(const char *s);
const char *ct_dhan_position_type_str(ct_dhan_position_type_t v);
ct_dhan_position_type_t ct_dhan_position_type_from_str(const char *s);

/* A timestamp of Dhan's REST records (createTime, updateTime, ...):
 * "YYYY-MM-DD HH:MM:SS" in IST (UTC+05:30, no daylight saving), as Unix
 * milliseconds in *unix_ms. Read tolerantly, since the format is only
 * known from the docs' examples: spaces around it are skipped, 'T' may
 * stand for the space (the ISO form of the token's expiryTime), and a
 * fraction of a second (".5", ".123456") is kept to the millisecond. Any
 * other text (a zone suffix, "NA", "", NULL, a date alone, a field out of
 * range) gives CT_EINVAL and leaves *unix_ms alone: the caller treats the
 * time as unknown. Returns 0 or CT_EINVAL. */
int ct_dhan_time_parse(const char *s, int64_t *unix_ms);

/* Bits of the `has` fields below: which optional numbers were present and
 * not null or "" in the JSON (a zero that was sent differs from no value). */
#define CT_DHAN_HAS_QUANTITY   (1u << 0)
#define CT_DHAN_HAS_TRADED_QTY (1u << 1)
#define CT_DHAN_HAS_REMAINING  (1u << 2)
#define CT_DHAN_HAS_PRICE      (1u << 3)
#define CT_DHAN_HAS_TRIGGER    (1u << 4)
#define CT_DHAN_HAS_TRADED_PX  (1u << 5)
#define CT_DHAN_HAS_AVG_PX     (1u << 6)
#define CT_DHAN_HAS_DISCLOSED  (1u << 7)

/* Place/modify/cancel answer `{orderId, orderStatus}` (slicing: an array). */
typedef struct ct_dhan_order_ack {
  char order_id[CT_DHAN_ID_SIZE];
  ct_dhan_status_t status;
} ct_dhan_order_ack_t;

/* Order-book record (§3.4); also the postback body (§16), which adds
 * filled_qty (snake_case) and may misspell omsErrorCode. */
typedef struct ct_dhan_order {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char order_id[CT_DHAN_ID_SIZE];
  char exchange_order_id[CT_DHAN_ID_SIZE];
  char correlation_id[CT_DHAN_CORRID_SIZE];
  char security_id[CT_DHAN_SECID_SIZE];
  char trading_symbol[CT_DHAN_SYMBOL_SIZE];
  char status_text[CT_DHAN_CODE_SIZE]; /* as sent, for logs */
  char create_time[CT_DHAN_TIME_SIZE];
  char update_time[CT_DHAN_TIME_SIZE];
  char exchange_time[CT_DHAN_TIME_SIZE];
  char drv_expiry_date[CT_DHAN_TIME_SIZE];
  char drv_option_type[8]; /* CALL, PUT or "" */
  char oms_error_code[CT_DHAN_CODE_SIZE];
  char oms_error_description[CT_DHAN_TEXT_SIZE];
  char algo_id[CT_DHAN_CODE_SIZE];
  ct_dhan_status_t status;
  ct_dhan_txn_t txn;
  ct_dhan_segment_t segment;
  ct_dhan_product_t product;
  ct_dhan_order_type_t order_type;
  ct_dhan_validity_t validity;
  ct_dhan_leg_t leg;
  bool after_market_order;
  uint32_t has; /* CT_DHAN_HAS_* */
  int64_t quantity;
  int64_t disclosed_quantity;
  int64_t remaining_quantity;
  int64_t filled_qty;
  double price;
  double trigger_price;
  double average_traded_price;
  double drv_strike_price;
  double bo_profit_value;
  double bo_stop_loss_value;
} ct_dhan_order_t;

/* Trade-book record (§3.5) and trade-history record (§9). */
typedef struct ct_dhan_trade {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char order_id[CT_DHAN_ID_SIZE];
  char exchange_order_id[CT_DHAN_ID_SIZE];
  char exchange_trade_id[CT_DHAN_ID_SIZE];
  char security_id[CT_DHAN_SECID_SIZE];
  char trading_symbol[CT_DHAN_SYMBOL_SIZE];
  char custom_symbol[CT_DHAN_SYMBOL_SIZE];
  char create_time[CT_DHAN_TIME_SIZE];
  char update_time[CT_DHAN_TIME_SIZE];
  char exchange_time[CT_DHAN_TIME_SIZE];
  char drv_expiry_date[CT_DHAN_TIME_SIZE];
  char drv_option_type[8];
  ct_dhan_txn_t txn;
  ct_dhan_segment_t segment;
  ct_dhan_product_t product;
  ct_dhan_order_type_t order_type;
  int64_t traded_quantity;
  double traded_price;
  double drv_strike_price;
} ct_dhan_trade_t;

/* One item of a super order's legDetails (§4). */
typedef struct ct_dhan_super_leg {
  char order_id[CT_DHAN_ID_SIZE];
  ct_dhan_leg_t leg;
  ct_dhan_txn_t txn;
  ct_dhan_status_t status;
  int64_t total_quantity; /* wire key "totalQuatity" (sic) */
  int64_t remaining_quantity;
  int64_t triggered_quantity;
  double price;
  double trailing_jump;
} ct_dhan_super_leg_t;

#define CT_DHAN_SUPER_LEGS_MAX 4

/* Super-order book entry (§4): the entry order plus its exit legs. */
typedef struct ct_dhan_super_order {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char order_id[CT_DHAN_ID_SIZE];
  char exchange_order_id[CT_DHAN_ID_SIZE];
  char correlation_id[CT_DHAN_CORRID_SIZE];
  char security_id[CT_DHAN_SECID_SIZE];
  char trading_symbol[CT_DHAN_SYMBOL_SIZE];
  char create_time[CT_DHAN_TIME_SIZE];
  char update_time[CT_DHAN_TIME_SIZE];
  char exchange_time[CT_DHAN_TIME_SIZE];
  char oms_error_description[CT_DHAN_TEXT_SIZE];
  ct_dhan_status_t status;
  ct_dhan_txn_t txn;
  ct_dhan_segment_t segment;
  ct_dhan_product_t product;
  ct_dhan_order_type_t order_type;
  ct_dhan_validity_t validity;
  ct_dhan_leg_t leg;
  bool after_market_order;
  int64_t quantity;
  int64_t remaining_quantity;
  int64_t filled_qty;
  double price;
  double ltp;
  double average_traded_price;
  unsigned n_legs;
  ct_dhan_super_leg_t legs[CT_DHAN_SUPER_LEGS_MAX];
} ct_dhan_super_order_t;

/* Forever (GTT) order list entry (§5). The docs' example puts the flag
 * (SINGLE/OCO) in orderType; the parser moves it to order_flag. */
typedef struct ct_dhan_forever_order {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char order_id[CT_DHAN_ID_SIZE];
  char security_id[CT_DHAN_SECID_SIZE];
  char trading_symbol[CT_DHAN_SYMBOL_SIZE];
  char create_time[CT_DHAN_TIME_SIZE];
  char update_time[CT_DHAN_TIME_SIZE];
  char exchange_time[CT_DHAN_TIME_SIZE];
  char drv_expiry_date[CT_DHAN_TIME_SIZE];
  char drv_option_type[8];
  char correlation_id[CT_DHAN_CORRID_SIZE]; /* dhansim; "" when absent */
  ct_dhan_status_t status;
  ct_dhan_txn_t txn;
  ct_dhan_segment_t segment;
  ct_dhan_product_t product;
  ct_dhan_order_type_t order_type;
  ct_dhan_order_flag_t order_flag;
  ct_dhan_leg_t leg;
  ct_dhan_validity_t validity; /* when given */
  int64_t quantity;
  double price;
  double trigger_price;
  /* The second OCO leg, when the list gives it (dhansim does; Dhan's docs
   * show none): 0 when absent. */
  int64_t quantity1;
  double price1;
  double trigger_price1;
  double drv_strike_price;
} ct_dhan_forever_order_t;

/* Demat holding (§7). */
typedef struct ct_dhan_holding {
  char exchange[8]; /* "ALL", "NSE", ... */
  char trading_symbol[CT_DHAN_SYMBOL_SIZE];
  char security_id[CT_DHAN_SECID_SIZE];
  char isin[CT_DHAN_CODE_SIZE];
  int64_t total_qty;
  int64_t dp_qty;
  int64_t t1_qty;
  int64_t available_qty;
  int64_t collateral_qty;
  double avg_cost_price;
  double last_traded_price;
} ct_dhan_holding_t;

/* Position (§7). */
typedef struct ct_dhan_position {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char trading_symbol[CT_DHAN_SYMBOL_SIZE];
  char security_id[CT_DHAN_SECID_SIZE];
  char drv_expiry_date[CT_DHAN_TIME_SIZE];
  char drv_option_type[8];
  ct_dhan_position_type_t position_type;
  ct_dhan_segment_t segment;
  ct_dhan_product_t product;
  bool cross_currency;
  int64_t buy_qty;
  int64_t sell_qty;
  int64_t net_qty;
  int64_t multiplier;
  int64_t carry_forward_buy_qty;
  int64_t carry_forward_sell_qty;
  int64_t day_buy_qty;
  int64_t day_sell_qty;
  double buy_avg;
  double sell_avg;
  double cost_price;
  double realized_profit;
  double unrealized_profit;
  double rbi_reference_rate;
  double carry_forward_buy_value;
  double carry_forward_sell_value;
  double day_buy_value;
  double day_sell_value;
  double drv_strike_price;
} ct_dhan_position_t;

/* GET /fundlimit (§8). The wire keys availabelBalance/receiveableAmount are
 * misspelt by Dhan; the correct spellings are accepted too. */
typedef struct ct_dhan_fund_limit {
  char client_id[CT_DHAN_CLIENT_SIZE];
  double available_balance;
  double sod_limit;
  double collateral_amount;
  double receivable_amount;
  double utilized_amount;
  double blocked_payout_amount;
  double withdrawable_balance;
} ct_dhan_fund_limit_t;

/* Margin calculator result (§8): single (camelCase) or multi (snake_case,
 * numbers as strings). Fields the answer lacks stay 0. */
typedef struct ct_dhan_margin {
  char leverage[CT_DHAN_CODE_SIZE]; /* single only, a string on the wire */
  double total_margin;
  double span_margin;
  double exposure_margin;
  double available_balance;    /* single only */
  double variable_margin;      /* single only */
  double insufficient_balance; /* single only */
  double brokerage;            /* single only */
  double equity_margin;        /* multi only */
  double fo_margin;            /* multi only */
  double commodity_margin;     /* multi only */
  double currency_margin;      /* multi only: key "currency"; 0 when the
                                  value is not a number (e.g. "INR") */
  double hedge_benefit;        /* multi only */
} ct_dhan_margin_t;

/* Ledger entry (§9); amounts arrive as strings. */
typedef struct ct_dhan_ledger_entry {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char narration[CT_DHAN_TEXT_SIZE];
  char voucher_date[CT_DHAN_TIME_SIZE];
  char exchange[CT_DHAN_SYMBOL_SIZE];
  char voucher_desc[CT_DHAN_TEXT_SIZE];
  char voucher_number[CT_DHAN_ID_SIZE];
  double debit;
  double credit;
  double runbal;
} ct_dhan_ledger_entry_t;

/* GET /profile (§12). */
typedef struct ct_dhan_profile {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char token_validity[CT_DHAN_TIME_SIZE]; /* "30/03/2025 15:37" */
  char active_segment[CT_DHAN_TEXT_SIZE];
  char ddpi[16];
  char mtf[16];
  char data_plan[CT_DHAN_CODE_SIZE];
  char data_validity[CT_DHAN_TIME_SIZE];
  bool ddpi_active; /* ddpi == "Active" */
} ct_dhan_profile_t;

typedef enum {
  CT_DHAN_KILL_UNKNOWN = 0,
  CT_DHAN_KILL_ACTIVE,  /* trading disabled for the day */
  CT_DHAN_KILL_INACTIVE /* trading allowed */
} ct_dhan_kill_state_t;

/* Kill switch status (§10): GET gives "ACTIVATE"/"DEACTIVATE", POST gives a
 * sentence ("... successfully activated"); both are read into `state`. */
typedef struct ct_dhan_killswitch {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char text[CT_DHAN_TEXT_SIZE];
  ct_dhan_kill_state_t state;
} ct_dhan_killswitch_t;

/* GET /edis/inquire/{isin} (§11). */
typedef struct ct_dhan_edis_inquiry {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char isin[CT_DHAN_CODE_SIZE];
  char status[CT_DHAN_CODE_SIZE];
  char remarks[CT_DHAN_TEXT_SIZE];
  int64_t total_qty;
  int64_t approved_qty;
} ct_dhan_edis_inquiry_t;

/* Where an order event came from. */
typedef enum {
  CT_OEV_SRC_NONE = 0,
  CT_OEV_SRC_WS,       /* live order-update socket, `order_alert` */
  CT_OEV_SRC_POSTBACK, /* webhook body */
  CT_OEV_SRC_REST      /* order-book record (reconciliation) */
} ct_order_event_source_t;

/* What the quantities say about fills; derived from TradedQty and
 * RemainingQuantity, never from the status text (a partial fill may come
 * as PENDING). Only when neither number is present does a TRADED status
 * give FULL. */
typedef enum {
  CT_FILL_UNKNOWN = 0,
  CT_FILL_NONE,    /* traded 0 */
  CT_FILL_PARTIAL, /* 0 < traded < quantity (or something remains) */
  CT_FILL_FULL     /* traded == quantity, nothing remains */
} ct_fill_state_t;

/* One typed order event, whatever the source. Fixed-size: copy freely. */
typedef struct ct_order_event {
  ct_order_event_source_t source;
  char client_id[CT_DHAN_CLIENT_SIZE];
  char order_id[CT_DHAN_ID_SIZE]; /* never empty */
  char exchange_order_id[CT_DHAN_ID_SIZE];
  char correlation_id[CT_DHAN_CORRID_SIZE];
  char security_id[CT_DHAN_SECID_SIZE];
  char status_text[CT_DHAN_CODE_SIZE]; /* as sent ("Traded") */
  char last_update_time[CT_DHAN_TIME_SIZE];
  char good_till_date[CT_DHAN_TIME_SIZE]; /* forever orders (WS only) */
  char oms_error_code[CT_DHAN_CODE_SIZE]; /* REST and postback only */
  char reason[CT_DHAN_TEXT_SIZE]; /* ReasonDescription/omsErrorDescription */
  ct_dhan_status_t status;
  ct_dhan_txn_t txn;
  ct_dhan_segment_t segment;
  ct_dhan_product_t product;
  ct_dhan_order_type_t order_type;
  ct_dhan_validity_t validity;
  ct_dhan_leg_t leg; /* from LegNo (1,2,3) or legName */
  ct_fill_state_t fill;
  int leg_no; /* 0: none; 1 entry, 2 stop-loss, 3 target */
  bool after_market_order;
  bool super_order;   /* Remarks "Super Order" */
  bool forever_order; /* GoodTillDaysDate set (a hint, not a promise) */
  uint32_t has;       /* CT_DHAN_HAS_* */
  int64_t quantity;
  int64_t traded_qty;
  int64_t remaining_qty;
  int64_t disclosed_qty;
  double price;
  double trigger_price;
  double traded_price; /* this fill (WS only) */
  double avg_traded_price;
} ct_order_event_t;

#endif /* COPYTRADER_DHAN_TYPES_H */
