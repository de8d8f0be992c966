/*
 * Sizing: how many units a follower sends for one leader order.
 *
 * Pure functions of their inputs (no I/O, no clock, no allocation), so the
 * replication engine can call them on its loop thread and tests can drive
 * every branch. The engine supplies the leader's order, the follower's rules
 * (from the configuration), the instrument (lot, freeze quantity, last
 * price), a few account facts, and the follower's funds ledger.
 *
 * The decision, in order:
 *   1. rules->enabled false                    -> CT_SKIP_DISABLED
 *   2. instrument NULL (not in the table)      -> CT_SKIP_UNKNOWN_INSTRUMENT
 *   3. segment / product not in the allow-list -> CT_SKIP_SEGMENT_NOT_ALLOWED,
 *                                                 CT_SKIP_PRODUCT_NOT_ALLOWED
 *   4. outside the copy window (IST)           -> CT_SKIP_OUTSIDE_WINDOW
 *   5. the mode's raw quantity, rounded DOWN to whole lots; zero lots
 *      -> CT_SKIP_ZERO_LOTS (a minimum lot is never forced)
 *   6. max_qty and max_order_value are caps: the quantity is lowered to the
 *      largest whole-lot quantity within them; when not even one lot fits
 *      -> CT_SKIP_MAX_QTY / CT_SKIP_MAX_VALUE
 *   7. the order is cut into slices of at most the freeze quantity (each a
 *      multiple of the lot); orders_today + slices > max_orders_per_day
 *      -> CT_SKIP_MAX_ORDERS_PER_DAY
 *   8. margin: quantity x (margin_per_unit, or the order's price) must fit
 *      the ledger's free funds; it is then reserved there -> CT_SKIP_NO_MARGIN
 *
 * Modes (ct_sizing_mode_t), with L the leader's quantity in units:
 *   MULTIPLIER            L x value                      (0.5, 2, ...)
 *   FIXED_QTY             value units, whatever L is
 *   CAPITAL_PROPORTIONAL  L x follower_capital / leader_capital x value
 *   MAX_VALUE             the most units whose value (at the order price, or
 *                         the last price for MARKET) stays within value
 *                         rupees, whatever L is
 *
 * Every quantity is clamped to CT_SIZING_QTY_MAX before it becomes an
 * integer, so no input (huge quantities, multipliers or funds) overflows.
 */
#ifndef COPYTRADER_SIZING_H
#define COPYTRADER_SIZING_H

#include <stdbool.h>
#include <stdint.h>

#include "copytrader/dhan_types.h"
#include "copytrader/instruments.h"

/* Largest quantity sizing ever answers (units). */
#define CT_SIZING_QTY_MAX ((int64_t)1000000000000) /* 1e12 */

typedef enum {
  CT_SIZING_NONE = 0,
  CT_SIZING_MULTIPLIER,
  CT_SIZING_FIXED_QTY,
  CT_SIZING_CAPITAL_PROPORTIONAL,
  CT_SIZING_MAX_VALUE,
  CT_SIZING_MODE_COUNT
} ct_sizing_mode_t;

/* Config spelling ("multiplier", ...); NULL for NONE or out of range. */
const char *ct_sizing_mode_str(ct_sizing_mode_t m);
/* Exact (case-sensitive) config spelling; CT_SIZING_NONE when unknown. */
ct_sizing_mode_t ct_sizing_mode_from_str(const char *s);

/* A follower's rules. Zero for a limit means "no limit". */
typedef struct ct_sizing_rules {
  bool enabled;
  ct_sizing_mode_t mode;
  double value;           /* multiplier, units, scale factor or rupees */
  uint32_t segments;      /* bits CT_SIZING_BIT(ct_dhan_segment_t); 0 = all */
  uint32_t products;      /* bits CT_SIZING_BIT(ct_dhan_product_t); 0 = all */
  int64_t max_qty;        /* units per order */
  double max_order_value; /* rupees per order */
  int64_t max_orders_per_day; /* counting every slice */
  bool has_window;            /* copy only inside [window_start, window_end) */
  int window_start;           /* minutes after midnight IST, 0..1439 */
  int window_end;             /* minutes after midnight IST, 1..1440 */
} ct_sizing_rules_t;

#define CT_SIZING_BIT(v) (1u << (unsigned)(v))

/* The leader's order, as the order-update stream reports it. */
typedef struct ct_sizing_order {
  ct_dhan_segment_t segment;
  ct_dhan_txn_t side;
  ct_dhan_product_t product;
  ct_dhan_order_type_t type;
  int64_t quantity; /* units; for a modification the new TOTAL */
  double price;     /* 0 for MARKET / STOP_LOSS_MARKET */
  double trigger_price;
} ct_sizing_order_t;

/* What the engine knows about the two accounts at decision time. */
typedef struct ct_sizing_account {
  double follower_capital; /* CAPITAL_PROPORTIONAL numerator (rupees) */
  double leader_capital;   /* CAPITAL_PROPORTIONAL denominator (rupees) */
  int64_t orders_today;    /* follower orders already sent today */
  int minute_ist;          /* time of day in IST, 0..1439 (see below) */
  double margin_per_unit;  /* from the margin calculator; 0 = use price */
  bool reduces_position;   /* an exit: no margin check, nothing reserved */
  /* Units of an opposite position this order closes (a sell against a
   * long, a buy against a short), as far as the engine knows; 0 = none.
   * Those units need no margin: an order of at most closing_qty is an exit
   * (nothing checked or reserved), a larger one is checked and reserved
   * for the excess (qty - closing_qty) only. */
  int64_t closing_qty;
} ct_sizing_account_t;

/* Minutes after midnight IST (UTC+05:30) of a Unix time. */
int ct_sizing_ist_minute(int64_t unix_seconds);

/* Per-follower funds the engine keeps between /fundlimit refreshes: what
 * was available at the last refresh, less what orders sent since then have
 * reserved. Amounts are kept in paise (int64) so reserve and release of
 * the same amount cancel exactly. Caller-owned; not thread-safe (one
 * follower actor owns it). */
typedef struct ct_funds_ledger {
  int64_t available_paise;
  int64_t reserved_paise;
} ct_funds_ledger_t;

/* Start from `available` rupees, nothing reserved. */
void ct_funds_ledger_init(ct_funds_ledger_t *l, double available);
/* A fresh /fundlimit figure already counts the orders sent so far, so the
 * local reservations are dropped. */
void ct_funds_ledger_refresh(ct_funds_ledger_t *l, double available);
/* available - reserved, in rupees (may be < 0 after a smaller refresh). */
double ct_funds_ledger_free(const ct_funds_ledger_t *l);
/* Reserve `paise`. 0, CT_EINVAL (negative) or CT_ERANGE (does not fit;
 * nothing reserved). */
int ct_funds_ledger_reserve(ct_funds_ledger_t *l, int64_t paise);
/* Give back `paise` (an order rejected, cancelled or reduced). Never goes
 * below zero reserved. */
void ct_funds_ledger_release(ct_funds_ledger_t *l, int64_t paise);

typedef enum {
  CT_SKIP_NONE = 0, /* send */
  CT_SKIP_ZERO_LOTS,
  CT_SKIP_NO_MARGIN,
  CT_SKIP_SEGMENT_NOT_ALLOWED,
  CT_SKIP_PRODUCT_NOT_ALLOWED,
  CT_SKIP_MAX_QTY,
  CT_SKIP_MAX_VALUE,
  CT_SKIP_MAX_ORDERS_PER_DAY,
  CT_SKIP_OUTSIDE_WINDOW,
  CT_SKIP_DISABLED,
  CT_SKIP_UNKNOWN_INSTRUMENT,
  CT_SKIP_MISSING_DATA, /* no price to value the order, no leader capital */
  CT_SKIP_BAD_ORDER,    /* leader quantity <= 0, unknown mode */
  CT_SKIP_COUNT
} ct_skip_reason_t;

/* "ZERO_LOTS", ...; "NONE" for CT_SKIP_NONE; never NULL. */
const char *ct_skip_reason_str(ct_skip_reason_t r);

typedef struct ct_sizing_result {
  ct_skip_reason_t skip;  /* CT_SKIP_NONE: send `qty` */
  char reason[160];       /* human text for a skip or a cap ("" otherwise) */
  int64_t qty;            /* units, a multiple of the lot */
  int64_t lots;           /* qty / lot */
  int64_t slices;         /* orders needed: 1 unless qty > freeze quantity */
  int64_t slice_qty;      /* units of each slice but the last */
  int64_t last_slice_qty; /* units of the last slice (== slice_qty if even) */
  int64_t margin_paise;   /* reserved in the ledger by this decision */
  bool capped;            /* max_qty or max_order_value lowered qty */
} ct_sizing_result_t;

/* Decide a new order. `instr` NULL means the instrument is unknown.
 * `ledger` NULL skips the margin check. Returns 0 (the verdict is in
 * *out) or CT_EINVAL when rules, order, acct or out is NULL. */
int ct_sizing_decide(const ct_sizing_rules_t *rules,
                     const ct_sizing_order_t *order,
                     const ct_instrument_t *instr,
                     const ct_sizing_account_t *acct, ct_funds_ledger_t *ledger,
                     ct_sizing_result_t *out);

/* Size a modification: the leader's order now has the total quantity
 * order->quantity (Dhan's modify quantity is the total, not the rest), and
 * the follower's order has `prev_margin_paise` reserved in the ledger. The same
 * mode and caps give the follower's new total; the copy window and the per-day
 * count do not apply (the order already exists). Only the margin difference is
 * reserved (or released, when smaller). out->slices > 1 means the new total
 * exceeds the freeze quantity (the engine cannot modify in place). A new total
 * of zero lots gives CT_SKIP_ZERO_LOTS with prev_margin_paise still reserved.
 * Returns 0 or CT_EINVAL. */
int ct_sizing_modify(const ct_sizing_rules_t *rules,
                     const ct_sizing_order_t *order,
                     const ct_instrument_t *instr,
                     const ct_sizing_account_t *acct, ct_funds_ledger_t *ledger,
                     int64_t prev_margin_paise, ct_sizing_result_t *out);

/* Units of slice i (0-based) of a result; 0 when i is out of range. */
int64_t ct_sizing_slice_at(const ct_sizing_result_t *r, int64_t i);

#endif /* COPYTRADER_SIZING_H */
