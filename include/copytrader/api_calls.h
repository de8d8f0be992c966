/*
 * Typed helpers for every Dhan REST call, on top of ct_api_call() (api.h).
 *
 * Each helper sends one call from `self` (on its own thread) to the module
 * actor `to`, with a deadline of timeout_ms, and writes the request id to
 * *request_id; the answer is one CT_MSG_API_RESULT envelope with that id
 * (read it with ct_api_result_read()). The params struct is copied; its
 * client_id field, where it has one, is filled from the account (callers
 * leave it empty). Return values as for ct_api_call().
 *
 * Next to each helper: the route (dhan-v2-api.md §2) and the record type
 * of ct_api_result_t.items. "acks" are ct_dhan_order_ack_t.
 */
#ifndef COPYTRADER_API_CALLS_H
#define COPYTRADER_API_CALLS_H

#include "copytrader/api.h"
#include "copytrader/dhan_build.h"
#include "copytrader/dhan_types.h"

/* --- params that dhan_build.h does not define --------------------------- */

typedef struct ct_api_ref {
  char id[CT_DHAN_ID_SIZE]; /* order id, correlation id or ISIN */
} ct_api_ref_t;

typedef struct ct_api_super_cancel {
  char order_id[CT_DHAN_ID_SIZE];
  ct_dhan_leg_t leg; /* ENTRY_LEG cancels everything */
} ct_api_super_cancel_t;

typedef struct ct_api_dates {
  char from[16]; /* YYYY-MM-DD */
  char to[16];
} ct_api_dates_t;

typedef struct ct_api_kill {
  bool activate;
} ct_api_kill_t;

#define CT_API_MARGIN_ITEMS_MAX 16

/* POST /margincalculator/multi (flat, so it travels by value). */
typedef struct ct_api_margin_multi {
  bool include_position;
  bool include_order;
  size_t n_items;
  ct_dhan_margin_item_t items[CT_API_MARGIN_ITEMS_MAX];
} ct_api_margin_multi_t;

/* --- records that dhan_types.h does not define -------------------------- */

/* RenewToken: the new token itself is never exposed; it is swapped into
 * the account (swapped == true). */
typedef struct ct_api_renew {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char expiry_time[CT_DHAN_TIME_SIZE];
  bool swapped;
} ct_api_renew_t;

/* DELETE /positions, POST and DELETE /pnlExit: {status|pnlExitStatus,
 * message}. */
typedef struct ct_api_status {
  char status[CT_DHAN_CODE_SIZE];
  char message[CT_DHAN_TEXT_SIZE];
} ct_api_status_t;

/* GET /pnlExit. */
typedef struct ct_api_pnl {
  char status[CT_DHAN_CODE_SIZE];
  double profit;
  double loss;
  unsigned products; /* CT_DHAN_PNL_* bits */
  bool enable_kill_switch;
} ct_api_pnl_t;

/* POST /edis/form. */
typedef struct ct_api_edis_form {
  char client_id[CT_DHAN_CLIENT_SIZE];
  char html[4096]; /* cut if longer */
} ct_api_edis_form_t;

/* --- auth ------------------------------------------------------------- */
/* GET /profile -> ct_dhan_profile_t */
int ct_auth_profile(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                    uint64_t *request_id);
/* GET /RenewToken -> ct_api_renew_t (and the account's token is swapped) */
int ct_auth_renew(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                  uint64_t *request_id);

/* --- orders ----------------------------------------------------------- */
/* POST /orders -> acks */
int ct_orders_place(ct_actor_t *self, ct_actor_t *to,
                    const ct_dhan_place_req_t *p, uint64_t timeout_ms,
                    uint64_t *request_id);
/* POST /orders/slicing -> acks (one per slice) */
int ct_orders_place_sliced(ct_actor_t *self, ct_actor_t *to,
                           const ct_dhan_place_req_t *p, uint64_t timeout_ms,
                           uint64_t *request_id);
/* PUT /orders/{id} -> acks */
int ct_orders_modify(ct_actor_t *self, ct_actor_t *to,
                     const ct_dhan_modify_req_t *p, uint64_t timeout_ms,
                     uint64_t *request_id);
/* DELETE /orders/{id} -> acks */
int ct_orders_cancel(ct_actor_t *self, ct_actor_t *to, const char *order_id,
                     uint64_t timeout_ms, uint64_t *request_id);
/* GET /orders -> ct_dhan_order_t */
int ct_orders_list(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                   uint64_t *request_id);
/* GET /orders/{id} -> one ct_dhan_order_t */
int ct_orders_get(ct_actor_t *self, ct_actor_t *to, const char *order_id,
                  uint64_t timeout_ms, uint64_t *request_id);
/* GET /orders/external/{corr} -> one ct_dhan_order_t; NOT_FOUND if none */
int ct_orders_get_by_corr(ct_actor_t *self, ct_actor_t *to,
                          const char *correlation_id, uint64_t timeout_ms,
                          uint64_t *request_id);
/* GET /trades -> ct_dhan_trade_t */
int ct_orders_trades(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                     uint64_t *request_id);
/* GET /trades/{id} -> ct_dhan_trade_t */
int ct_orders_trades_of(ct_actor_t *self, ct_actor_t *to, const char *order_id,
                        uint64_t timeout_ms, uint64_t *request_id);

/* --- super orders ------------------------------------------------------ */
/* POST /super/orders -> acks */
int ct_super_place(ct_actor_t *self, ct_actor_t *to,
                   const ct_dhan_super_req_t *p, uint64_t timeout_ms,
                   uint64_t *request_id);
/* PUT /super/orders/{id} -> acks */
int ct_super_modify(ct_actor_t *self, ct_actor_t *to,
                    const ct_dhan_super_modify_req_t *p, uint64_t timeout_ms,
                    uint64_t *request_id);
/* DELETE /super/orders/{id}/{leg} -> acks */
int ct_super_cancel(ct_actor_t *self, ct_actor_t *to, const char *order_id,
                    ct_dhan_leg_t leg, uint64_t timeout_ms,
                    uint64_t *request_id);
/* GET /super/orders -> ct_dhan_super_order_t */
int ct_super_list(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                  uint64_t *request_id);

/* --- forever orders ---------------------------------------------------- */
/* POST /forever/orders -> acks */
int ct_forever_create(ct_actor_t *self, ct_actor_t *to,
                      const ct_dhan_forever_req_t *p, uint64_t timeout_ms,
                      uint64_t *request_id);
/* PUT /forever/orders/{id} -> acks */
int ct_forever_modify(ct_actor_t *self, ct_actor_t *to,
                      const ct_dhan_forever_modify_req_t *p,
                      uint64_t timeout_ms, uint64_t *request_id);
/* DELETE /forever/orders/{id} -> acks */
int ct_forever_delete(ct_actor_t *self, ct_actor_t *to, const char *order_id,
                      uint64_t timeout_ms, uint64_t *request_id);
/* GET /forever/orders -> ct_dhan_forever_order_t */
int ct_forever_list(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                    uint64_t *request_id);

/* --- portfolio --------------------------------------------------------- */
/* GET /holdings -> ct_dhan_holding_t */
int ct_portfolio_holdings(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                          uint64_t *request_id);
/* GET /positions -> ct_dhan_position_t */
int ct_portfolio_positions(ct_actor_t *self, ct_actor_t *to,
                           uint64_t timeout_ms, uint64_t *request_id);
/* POST /positions/convert -> no records (202) */
int ct_portfolio_convert(ct_actor_t *self, ct_actor_t *to,
                         const ct_dhan_convert_req_t *p, uint64_t timeout_ms,
                         uint64_t *request_id);
/* DELETE /positions -> ct_api_status_t */
int ct_portfolio_exit_all(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                          uint64_t *request_id);

/* --- EDIS -------------------------------------------------------------- */
/* GET /edis/tpin -> no records (202) */
int ct_edis_tpin(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                 uint64_t *request_id);
/* POST /edis/form -> ct_api_edis_form_t */
int ct_edis_form(ct_actor_t *self, ct_actor_t *to, const ct_dhan_edis_req_t *p,
                 uint64_t timeout_ms, uint64_t *request_id);
/* GET /edis/inquire/{isin|ALL} -> ct_dhan_edis_inquiry_t */
int ct_edis_inquire(ct_actor_t *self, ct_actor_t *to, const char *isin,
                    uint64_t timeout_ms, uint64_t *request_id);

/* --- trader's control -------------------------------------------------- */
/* POST /killswitch?killSwitchStatus=... -> ct_dhan_killswitch_t */
int ct_control_kill_set(ct_actor_t *self, ct_actor_t *to, bool activate,
                        uint64_t timeout_ms, uint64_t *request_id);
/* GET /killswitch -> ct_dhan_killswitch_t */
int ct_control_kill_get(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                        uint64_t *request_id);
/* POST /pnlExit -> ct_api_status_t */
int ct_control_pnl_set(ct_actor_t *self, ct_actor_t *to,
                       const ct_dhan_pnl_exit_req_t *p, uint64_t timeout_ms,
                       uint64_t *request_id);
/* GET /pnlExit -> ct_api_pnl_t */
int ct_control_pnl_get(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                       uint64_t *request_id);
/* DELETE /pnlExit -> ct_api_status_t */
int ct_control_pnl_delete(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                          uint64_t *request_id);

/* --- funds ------------------------------------------------------------- */
/* GET /fundlimit -> ct_dhan_fund_limit_t */
int ct_funds_limit(ct_actor_t *self, ct_actor_t *to, uint64_t timeout_ms,
                   uint64_t *request_id);
/* POST /margincalculator -> ct_dhan_margin_t */
int ct_funds_margin(ct_actor_t *self, ct_actor_t *to,
                    const ct_dhan_margin_item_t *p, uint64_t timeout_ms,
                    uint64_t *request_id);
/* POST /margincalculator/multi -> ct_dhan_margin_t */
int ct_funds_margin_multi(ct_actor_t *self, ct_actor_t *to,
                          const ct_api_margin_multi_t *p, uint64_t timeout_ms,
                          uint64_t *request_id);

/* --- statement --------------------------------------------------------- */
/* GET /ledger?from-date=&to-date= -> ct_dhan_ledger_entry_t */
int ct_statement_ledger(ct_actor_t *self, ct_actor_t *to, const char *from,
                        const char *to_date, uint64_t timeout_ms,
                        uint64_t *request_id);
/* GET /trades/{from}/{to}/{page} for page 0, 1, ... until an empty page
 * (at most the account's max_pages) -> ct_dhan_trade_t of all pages */
int ct_statement_trades(ct_actor_t *self, ct_actor_t *to, const char *from,
                        const char *to_date, uint64_t timeout_ms,
                        uint64_t *request_id);

#endif /* COPYTRADER_API_CALLS_H */
