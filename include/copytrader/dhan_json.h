/*
 * DhanHQ v2 JSON parsing: bytes in, the C records of dhan_types.h out.
 * Pure functions: no I/O, no globals, safe from any thread.
 *
 * Every parser takes the body as (buf, len): it need not be NUL-terminated
 * and only whitespace may follow the JSON value. It answers 0, or
 * CT_EPROTO with a one-line reason in `err` (when err is not NULL; at most
 * err_size bytes, NUL-terminated) that names what is wrong:
 *   "not JSON at byte 17", "field 'OrderNo': missing",
 *   "item 2: field 'quantity': not a number", "expected a JSON array".
 * CT_DHAN_ERR_SIZE bytes always hold the whole text. Other codes:
 * CT_EINVAL for a NULL out-pointer, CT_ENOMEM.
 *
 * Leniency (the same for every record; Dhan is inconsistent):
 * - keys are matched case-sensitively first, then case-insensitively, so
 *   PascalCase and camelCase both work; unknown keys are ignored;
 * - null, "" and "NA" mean "absent"; absent optional fields read as 0/"";
 * - numbers may be JSON numbers or numeric strings ("5", "1500.00");
 *   integers must be whole and within +-2^53, other numbers finite;
 * - enum texts compare case-insensitively; an unknown text gives the
 *   enum's 0 value (UNKNOWN), never an error;
 * - an id that does not fit its buffer is CT_EPROTO; free text is cut.
 *
 * Records are filled completely (zeroed first), even on error, where their
 * content is unspecified. List parsers return a malloc'd array in *out
 * that the caller releases with free(); *out is NULL when *count is 0.
 */
#ifndef COPYTRADER_DHAN_JSON_H
#define COPYTRADER_DHAN_JSON_H

#include <stddef.h>

#include "copytrader/dhan_types.h"

/* A buffer of this size holds any error text of these parsers. */
#define CT_DHAN_ERR_SIZE 192

/* ct_dhan_parse_order_update() result for a well-formed frame whose Type is
 * not "order_alert" (heartbeat-like or undocumented frames): nothing to do.
 * Positive, so it cannot be mistaken for a CT_E* error. */
#define CT_DHAN_IGNORED 1

/* --- order events ------------------------------------------------------ */

/* A live order-update frame {"Type":"order_alert","Data":{...}} (§15.2)
 * into *ev (source CT_OEV_SRC_WS). Data keys are PascalCase with camelCase
 * accepted; OrderNo and Status are required. (Exchange, Segment) gives the
 * REST segment; LegNo gives the leg; Remarks "Super Order" (any of the
 * duplicate Remarks keys) sets super_order; GoodTillDaysDate sets
 * forever_order; OffMktFlag "1" sets after_market_order.
 * Returns 0, CT_DHAN_IGNORED (other Type; *ev zeroed) or CT_EPROTO (not
 * JSON, no Type, no Data object, a bad field). */
int ct_dhan_parse_order_update(const char *buf, size_t len,
                               ct_order_event_t *ev, char *err,
                               size_t err_size);

/* A postback body (§16), both the 2024 shape (legName, bo* values, no
 * filled_qty) and the 2026 one (filled_qty, algoId), into *ev (source
 * CT_OEV_SRC_POSTBACK). orderId and orderStatus are required. */
int ct_dhan_parse_postback(const char *buf, size_t len, ct_order_event_t *ev,
                           char *err, size_t err_size);

/* The event an order-book record describes (REST reconciliation, source
 * given by the caller, normally CT_OEV_SRC_REST). remaining_qty is
 * quantity - filled when the record lacks remainingQuantity. */
void ct_order_event_from_order(const ct_dhan_order_t *o,
                               ct_order_event_source_t source,
                               ct_order_event_t *ev);

/* --- orders and trades ------------------------------------------------- */

/* {orderId, orderStatus} of place/modify/cancel, or the array slicing
 * returns: both give a list (one element for an object). */
int ct_dhan_parse_order_acks(const char *buf, size_t len,
                             ct_dhan_order_ack_t **out, size_t *count,
                             char *err, size_t err_size);

/* One order-book record (GET /orders/{id}, /orders/external/{corr}).
 * orderId is required. Also reads the postback's filled_qty and the
 * misspelt omserroeCode. */
int ct_dhan_parse_order(const char *buf, size_t len, ct_dhan_order_t *out,
                        char *err, size_t err_size);
/* GET /orders: an array. */
int ct_dhan_parse_orders(const char *buf, size_t len, ct_dhan_order_t **out,
                         size_t *count, char *err, size_t err_size);

/* GET /trades, /trades/{order-id} (one object or an array: both accepted)
 * and the trade history pages (§9). orderId is required. */
int ct_dhan_parse_trades(const char *buf, size_t len, ct_dhan_trade_t **out,
                         size_t *count, char *err, size_t err_size);

/* GET /super/orders: array; at most CT_DHAN_SUPER_LEGS_MAX legDetails. */
int ct_dhan_parse_super_orders(const char *buf, size_t len,
                               ct_dhan_super_order_t **out, size_t *count,
                               char *err, size_t err_size);

/* GET /forever/orders (or /forever/all): array. */
int ct_dhan_parse_forever_orders(const char *buf, size_t len,
                                 ct_dhan_forever_order_t **out, size_t *count,
                                 char *err, size_t err_size);

/* --- portfolio, funds, statement, account ------------------------------ */

int ct_dhan_parse_holdings(const char *buf, size_t len, ct_dhan_holding_t **out,
                           size_t *count, char *err, size_t err_size);
int ct_dhan_parse_positions(const char *buf, size_t len,
                            ct_dhan_position_t **out, size_t *count, char *err,
                            size_t err_size);
int ct_dhan_parse_fund_limit(const char *buf, size_t len,
                             ct_dhan_fund_limit_t *out, char *err,
                             size_t err_size);
/* POST /margincalculator (camelCase) and /margincalculator/multi
 * (snake_case strings): one parser reads both shapes. */
int ct_dhan_parse_margin(const char *buf, size_t len, ct_dhan_margin_t *out,
                         char *err, size_t err_size);
/* GET /ledger: one object or an array, both accepted. */
int ct_dhan_parse_ledger(const char *buf, size_t len,
                         ct_dhan_ledger_entry_t **out, size_t *count, char *err,
                         size_t err_size);
int ct_dhan_parse_profile(const char *buf, size_t len, ct_dhan_profile_t *out,
                          char *err, size_t err_size);
/* GET or POST /killswitch. */
int ct_dhan_parse_killswitch(const char *buf, size_t len,
                             ct_dhan_killswitch_t *out, char *err,
                             size_t err_size);
int ct_dhan_parse_edis_inquiry(const char *buf, size_t len,
                               ct_dhan_edis_inquiry_t *out, char *err,
                               size_t err_size);

#endif /* COPYTRADER_DHAN_JSON_H */
