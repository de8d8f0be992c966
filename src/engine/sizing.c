/*
 * sizing.c: the follower-quantity decision of the replication engine (see
 * include/copytrader/sizing.h for the rules and their order).
 *
 * Everything here is arithmetic on the caller's structs: no I/O, no clock,
 * no allocation, so a follower actor calls it inline for every leader
 * order. Quantities are computed in double (the modes multiply by
 * fractions), clamped to CT_SIZING_QTY_MAX, and only then turned into whole
 * lots, so huge or non-finite inputs cannot overflow an int64. Money held
 * in the funds ledger is int64 paise, so a reservation and its release
 * cancel exactly.
 */
#include "copytrader/sizing.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "copytrader/error.h"

/* A little slack before flooring, so 0.3 x 10 (2.9999...) counts as 3. */
#define SIZING_EPS 1e-9
/* Margins beyond this many paise are treated as "more than anyone has". */
#define PAISE_MAX (INT64_MAX / 4)

static const char *const mode_names[CT_SIZING_MODE_COUNT] = {
  [CT_SIZING_MULTIPLIER] = "multiplier",
  [CT_SIZING_FIXED_QTY] = "fixed_qty",
  [CT_SIZING_CAPITAL_PROPORTIONAL] = "capital_proportional",
  [CT_SIZING_MAX_VALUE] = "max_value",
};

static const char *const skip_names[CT_SKIP_COUNT] = {
  [CT_SKIP_NONE] = "NONE",
  [CT_SKIP_ZERO_LOTS] = "ZERO_LOTS",
  [CT_SKIP_NO_MARGIN] = "NO_MARGIN",
  [CT_SKIP_SEGMENT_NOT_ALLOWED] = "SEGMENT_NOT_ALLOWED",
  [CT_SKIP_PRODUCT_NOT_ALLOWED] = "PRODUCT_NOT_ALLOWED",
  [CT_SKIP_MAX_QTY] = "MAX_QTY",
  [CT_SKIP_MAX_VALUE] = "MAX_VALUE",
  [CT_SKIP_MAX_ORDERS_PER_DAY] = "MAX_ORDERS_PER_DAY",
  [CT_SKIP_OUTSIDE_WINDOW] = "OUTSIDE_WINDOW",
  [CT_SKIP_DISABLED] = "DISABLED",
  [CT_SKIP_UNKNOWN_INSTRUMENT] = "UNKNOWN_INSTRUMENT",
  [CT_SKIP_MISSING_DATA] = "MISSING_DATA",
  [CT_SKIP_BAD_ORDER] = "BAD_ORDER",
};

const char *ct_sizing_mode_str(ct_sizing_mode_t m) {
  return (m > CT_SIZING_NONE && m < CT_SIZING_MODE_COUNT) ? mode_names[m]
                                                          : NULL;
}

ct_sizing_mode_t ct_sizing_mode_from_str(const char *s) {
  if (s == NULL)
    return CT_SIZING_NONE;
  for (int m = 1; m < CT_SIZING_MODE_COUNT; m++)
    if (strcmp(mode_names[m], s) == 0)
      return (ct_sizing_mode_t)m;
  return CT_SIZING_NONE;
}

const char *ct_skip_reason_str(ct_skip_reason_t r) {
  return (r >= 0 && r < CT_SKIP_COUNT) ? skip_names[r] : "UNKNOWN";
}

int ct_sizing_ist_minute(int64_t unix_seconds) {
  int64_t s = (unix_seconds + 19800) % 86400; /* IST = UTC + 5:30 */
  if (s < 0)
    s += 86400;
  return (int)(s / 60);
}

/* ---- funds ledger ---- */

static int64_t rupees_to_paise(double rupees) {
  double p = rupees * 100.0;
  if (isnan(p))
    return 0;
  if (p >= (double)PAISE_MAX)
    return PAISE_MAX;
  if (p <= -(double)PAISE_MAX)
    return -PAISE_MAX;
  return (int64_t)llround(p);
}

void ct_funds_ledger_init(ct_funds_ledger_t *l, double available) {
  l->available_paise = rupees_to_paise(available);
  l->reserved_paise = 0;
}

void ct_funds_ledger_refresh(ct_funds_ledger_t *l, double available) {
  ct_funds_ledger_init(l, available);
}

double ct_funds_ledger_free(const ct_funds_ledger_t *l) {
  return (double)(l->available_paise - l->reserved_paise) / 100.0;
}

int ct_funds_ledger_reserve(ct_funds_ledger_t *l, int64_t paise) {
  if (paise < 0)
    return CT_EINVAL;
  if (paise > l->available_paise - l->reserved_paise)
    return CT_ERANGE;
  l->reserved_paise += paise;
  return 0;
}

void ct_funds_ledger_release(ct_funds_ledger_t *l, int64_t paise) {
  if (paise <= 0)
    return;
  l->reserved_paise =
      paise >= l->reserved_paise ? 0 : l->reserved_paise - paise;
}

/* ---- the decision ---- */

typedef struct {
  const ct_sizing_rules_t *rules;
  const ct_sizing_order_t *order;
  const ct_instrument_t *instr;
  const ct_sizing_account_t *acct;
  ct_sizing_result_t *out;
} sizing_ctx_t;

__attribute__((format(printf, 3, 4))) static int skip(sizing_ctx_t *c,
                                                      ct_skip_reason_t why,
                                                      const char *fmt, ...) {
  va_list ap;
  c->out->skip = why;
  c->out->qty = c->out->lots = c->out->slices = 0;
  c->out->slice_qty = c->out->last_slice_qty = 0;
  va_start(ap, fmt);
  vsnprintf(c->out->reason, sizeof(c->out->reason), fmt, ap);
  va_end(ap);
  return 1;
}

/* The price one unit is valued at, 0 when none is known. */
static double unit_price(const ct_sizing_order_t *o, const ct_instrument_t *i) {
  if (o->type != CT_DHAN_OTYPE_MARKET && o->price > 0)
    return o->price;
  if (o->type == CT_DHAN_OTYPE_STOP_LOSS_MARKET && o->trigger_price > 0)
    return o->trigger_price;
  return (i != NULL && i->last_price > 0) ? i->last_price : 0.0;
}

/* Whole lots in `units` (a double), clamped so lots * lot <= QTY_MAX. */
static int64_t whole_lots(double units, int64_t lot) {
  double lots = floor(units / (double)lot + SIZING_EPS);
  double max_lots = (double)(CT_SIZING_QTY_MAX / lot);
  if (!(lots > 0))
    return 0;
  return lots >= max_lots ? (int64_t)max_lots : (int64_t)lots;
}

static int filter(sizing_ctx_t *c, bool check_window) {
  const ct_sizing_rules_t *r = c->rules;
  const ct_sizing_order_t *o = c->order;
  int m = c->acct->minute_ist;
  if (!r->enabled)
    return skip(c, CT_SKIP_DISABLED, "follower is disabled");
  if (c->instr == NULL)
    return skip(c, CT_SKIP_UNKNOWN_INSTRUMENT,
                "instrument not in the instrument table");
  if (r->segments != 0 && (o->segment <= 0 || o->segment >= 32 ||
                           !(r->segments & CT_SIZING_BIT(o->segment))))
    return skip(c, CT_SKIP_SEGMENT_NOT_ALLOWED, "segment %s not allowed",
                ct_dhan_segment_str(o->segment)
                    ? ct_dhan_segment_str(o->segment)
                    : "?");
  if (r->products != 0 && (o->product <= 0 || o->product >= 32 ||
                           !(r->products & CT_SIZING_BIT(o->product))))
    return skip(c, CT_SKIP_PRODUCT_NOT_ALLOWED, "product %s not allowed",
                ct_dhan_product_str(o->product)
                    ? ct_dhan_product_str(o->product)
                    : "?");
  if (check_window && r->has_window) {
    if (m < r->window_start || m >= r->window_end)
      return skip(
          c, CT_SKIP_OUTSIDE_WINDOW,
          "%02d:%02d IST is outside the copy window %02d:%02d-%02d:%02d",
          m / 60, m % 60, r->window_start / 60, r->window_start % 60,
          r->window_end / 60, r->window_end % 60);
  }
  if (o->quantity <= 0)
    return skip(c, CT_SKIP_BAD_ORDER, "leader quantity %lld is not positive",
                (long long)o->quantity);
  return 0;
}

/* The mode's quantity in units before lot rounding; < 0 means skipped. */
static double raw_units(sizing_ctx_t *c) {
  const ct_sizing_rules_t *r = c->rules;
  const ct_sizing_account_t *a = c->acct;
  double l = (double)c->order->quantity, p;
  switch (r->mode) {
  case CT_SIZING_MULTIPLIER:
    return l * r->value;
  case CT_SIZING_FIXED_QTY:
    return r->value;
  case CT_SIZING_CAPITAL_PROPORTIONAL:
    if (!(a->leader_capital > 0))
      return skip(c, CT_SKIP_MISSING_DATA, "leader capital unknown"), -1;
    return l *
           ((a->follower_capital > 0 ? a->follower_capital : 0) /
            a->leader_capital) *
           (r->value > 0 ? r->value : 1.0);
  case CT_SIZING_MAX_VALUE:
    p = unit_price(c->order, c->instr);
    if (!(p > 0))
      return skip(c, CT_SKIP_MISSING_DATA, "no price to size max_value"), -1;
    return r->value / p;
  default:
    return skip(c, CT_SKIP_BAD_ORDER, "no sizing mode"), -1;
  }
}

/* Lower lots to the caps; 1 when a cap leaves no lot (skipped). */
static int apply_caps(sizing_ctx_t *c, int64_t lot, int64_t *lots) {
  const ct_sizing_rules_t *r = c->rules;
  if (r->max_qty > 0 && *lots > r->max_qty / lot) {
    *lots = r->max_qty / lot;
    c->out->capped = true;
    if (*lots == 0)
      return skip(c, CT_SKIP_MAX_QTY,
                  "max_qty %lld is less than one lot of %lld",
                  (long long)r->max_qty, (long long)lot);
  }
  if (r->max_order_value > 0) {
    double p = unit_price(c->order, c->instr);
    if (!(p > 0))
      return skip(c, CT_SKIP_MISSING_DATA, "no price to check max_order_value");
    int64_t cap = whole_lots(r->max_order_value / p, lot);
    if (*lots > cap) {
      *lots = cap;
      c->out->capped = true;
      if (cap == 0)
        return skip(c, CT_SKIP_MAX_VALUE,
                    "one lot (%lld x %.2f) exceeds max_order_value %.2f",
                    (long long)lot, p, r->max_order_value);
    }
  }
  if (c->out->capped)
    snprintf(c->out->reason, sizeof(c->out->reason), "capped to %lld lots",
             (long long)*lots);
  return 0;
}

static void slice(ct_sizing_result_t *out, int64_t lot, int64_t freeze) {
  int64_t max_slice = freeze > 0 ? (freeze / lot) * lot : 0;
  if (freeze > 0 && max_slice == 0)
    max_slice = lot; /* freeze below one lot: bad data, send single lots */
  if (max_slice == 0 || out->qty <= max_slice) {
    out->slices = 1;
    out->slice_qty = out->last_slice_qty = out->qty;
    return;
  }
  out->slices = out->qty / max_slice;
  out->slice_qty = max_slice;
  out->last_slice_qty = out->qty % max_slice;
  if (out->last_slice_qty != 0)
    out->slices++;
  else
    out->last_slice_qty = max_slice;
}

/* The sized quantity after filters, mode, lots and caps; 1 when skipped. */
static int size_qty(sizing_ctx_t *c, bool check_window) {
  int64_t lot =
      c->instr != NULL && c->instr->lot_size > 0 ? c->instr->lot_size : 1;
  double raw;
  int64_t lots;
  if (filter(c, check_window))
    return 1;
  raw = raw_units(c);
  if (c->out->skip != CT_SKIP_NONE)
    return 1;
  lots = whole_lots(raw, lot);
  if (lots == 0)
    return skip(c, CT_SKIP_ZERO_LOTS,
                "sized to %.2f units, less than one lot of %lld", raw,
                (long long)lot);
  if (apply_caps(c, lot, &lots))
    return 1;
  c->out->lots = lots;
  c->out->qty = lots * lot;
  slice(c->out, lot, c->instr->freeze_qty);
  return 0;
}

/* Margin for qty units in paise; -1 when no figure is known. */
static int64_t margin_for(sizing_ctx_t *c, int64_t qty) {
  double per = c->acct->margin_per_unit > 0 ? c->acct->margin_per_unit
                                            : unit_price(c->order, c->instr);
  if (!(per > 0))
    return -1;
  return rupees_to_paise(per * (double)qty);
}

static int check_margin(sizing_ctx_t *c, ct_funds_ledger_t *ledger,
                        int64_t prev_paise) {
  int64_t need, closing = c->acct->closing_qty > 0 ? c->acct->closing_qty : 0;
  if (ledger == NULL || c->acct->reduces_position || c->out->qty <= closing)
    return 0;
  need = margin_for(c, c->out->qty - closing);
  if (need < 0)
    return skip(c, CT_SKIP_MISSING_DATA, "no price or margin figure");
  if (need > prev_paise &&
      ct_funds_ledger_reserve(ledger, need - prev_paise) != 0)
    return skip(c, CT_SKIP_NO_MARGIN, "needs %.2f, free %.2f",
                (double)need / 100.0, ct_funds_ledger_free(ledger));
  if (need < prev_paise)
    ct_funds_ledger_release(ledger, prev_paise - need);
  c->out->margin_paise = need;
  return 0;
}

int ct_sizing_decide(const ct_sizing_rules_t *rules,
                     const ct_sizing_order_t *order,
                     const ct_instrument_t *instr,
                     const ct_sizing_account_t *acct, ct_funds_ledger_t *ledger,
                     ct_sizing_result_t *out) {
  sizing_ctx_t c = { rules, order, instr, acct, out };
  int64_t max_orders;
  if (rules == NULL || order == NULL || acct == NULL || out == NULL)
    return CT_EINVAL;
  memset(out, 0, sizeof(*out));
  if (size_qty(&c, true))
    return 0;
  max_orders = rules->max_orders_per_day;
  if (max_orders > 0 && (acct->orders_today >= max_orders ||
                         out->slices > max_orders - acct->orders_today)) {
    skip(&c, CT_SKIP_MAX_ORDERS_PER_DAY,
         "%lld orders today, max_orders_per_day %lld",
         (long long)acct->orders_today, (long long)max_orders);
    return 0;
  }
  check_margin(&c, ledger, 0);
  return 0;
}

int ct_sizing_modify(const ct_sizing_rules_t *rules,
                     const ct_sizing_order_t *order,
                     const ct_instrument_t *instr,
                     const ct_sizing_account_t *acct, ct_funds_ledger_t *ledger,
                     int64_t prev_margin_paise, ct_sizing_result_t *out) {
  sizing_ctx_t c = { rules, order, instr, acct, out };
  if (rules == NULL || order == NULL || acct == NULL || out == NULL)
    return CT_EINVAL;
  memset(out, 0, sizeof(*out));
  if (prev_margin_paise < 0)
    prev_margin_paise = 0;
  if (size_qty(&c, false) || check_margin(&c, ledger, prev_margin_paise)) {
    out->margin_paise = prev_margin_paise;
    return 0;
  }
  if (ledger == NULL || acct->reduces_position ||
      (acct->closing_qty > 0 && out->qty <= acct->closing_qty))
    out->margin_paise = prev_margin_paise;
  return 0;
}

int64_t ct_sizing_slice_at(const ct_sizing_result_t *r, int64_t i) {
  if (r == NULL || r->skip != CT_SKIP_NONE || i < 0 || i >= r->slices)
    return 0;
  return i == r->slices - 1 ? r->last_slice_qty : r->slice_qty;
}
