/*
 * dhan_enums.c: Dhan's enumeration spellings (include/copytrader/
 * dhan_types.h).
 *
 * Each enumeration has a table indexed by its value holding Dhan's exact
 * spelling; reading is a case-insensitive search of that table, so
 * "Traded" and "TRADED" are the same status. The WebSocket short codes have
 * their own tables indexed the same way.
 */
#include <stddef.h>
#include <strings.h>

#include "copytrader/dhan_types.h"
#include "copytrader/error.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const seg_names[] = {
  NULL,     "IDX_I",   "NSE_EQ",       "NSE_FNO", "NSE_CURRENCY",
  "BSE_EQ", "BSE_FNO", "BSE_CURRENCY", "MCX_COMM"
};
static const int seg_feed[] = { -1, 0, 1, 2, 3, 4, 8, 7, 5 };
static const char *const seg_ws_exch[] = { NULL,  NULL,  "NSE", "NSE", "NSE",
                                           "BSE", "BSE", "BSE", "MCX" };
static const char *const seg_ws_letter[] = { NULL, NULL, "E", "D", "C",
                                             "E",  "D",  "C", "M" };
static const char *const txn_names[] = { NULL, "BUY", "SELL" };
static const char *const txn_ws[] = { NULL, "B", "S" };
static const char *const product_names[] = { NULL,  "CNC", "INTRADAY", "MARGIN",
                                             "MTF", "CO",  "BO" };
static const char *const product_ws[] = {
  NULL, "C", "I", "M", "F", NULL, NULL
};
static const char *const otype_names[] = { NULL, "LIMIT", "MARKET", "STOP_LOSS",
                                           "STOP_LOSS_MARKET" };
static const char *const otype_ws[] = { NULL, "LMT", "MKT", "SL", "SLM" };
static const char *const validity_names[] = { NULL, "DAY", "IOC" };
static const char *const status_names[] = {
  NULL,        "TRANSIT", "PENDING", "PART_TRADED", "TRADED", "REJECTED",
  "CANCELLED", "EXPIRED", "CLOSED",  "TRIGGERED",   "CONFIRM"
};
static const char *const leg_names[] = { NULL, "ENTRY_LEG", "TARGET_LEG",
                                         "STOP_LOSS_LEG" };
static const char *const amo_names[] = { NULL, "PRE_OPEN", "OPEN", "OPEN_30",
                                         "OPEN_60" };
static const char *const flag_names[] = { NULL, "SINGLE", "OCO" };
static const char *const pos_names[] = { NULL, "LONG", "SHORT", "CLOSED" };

_Static_assert(COUNT(seg_names) == CT_DHAN_SEG_COUNT, "segment table");
_Static_assert(COUNT(seg_feed) == CT_DHAN_SEG_COUNT, "feed table");
_Static_assert(COUNT(seg_ws_exch) == CT_DHAN_SEG_COUNT, "ws exch table");
_Static_assert(COUNT(seg_ws_letter) == CT_DHAN_SEG_COUNT, "ws seg table");
_Static_assert(COUNT(txn_names) == CT_DHAN_TXN_COUNT, "txn table");
_Static_assert(COUNT(product_names) == CT_DHAN_PRODUCT_COUNT, "product");
_Static_assert(COUNT(product_ws) == CT_DHAN_PRODUCT_COUNT, "product ws");
_Static_assert(COUNT(otype_names) == CT_DHAN_OTYPE_COUNT, "order type");
_Static_assert(COUNT(otype_ws) == CT_DHAN_OTYPE_COUNT, "order type ws");
_Static_assert(COUNT(validity_names) == CT_DHAN_VALIDITY_COUNT, "validity");
_Static_assert(COUNT(status_names) == CT_DHAN_STATUS_COUNT, "status");
_Static_assert(COUNT(leg_names) == CT_DHAN_LEG_COUNT, "leg");
_Static_assert(COUNT(amo_names) == CT_DHAN_AMO_COUNT, "amo");
_Static_assert(COUNT(flag_names) == CT_DHAN_FLAG_COUNT, "flag");
_Static_assert(COUNT(pos_names) == CT_DHAN_POS_COUNT, "position");

/* Table entry for value v, or NULL when v is out of range. */
static const char *name_of(const char *const *t, size_t n, int v) {
  return (v > 0 && (size_t)v < n) ? t[v] : NULL;
}

/* Index of s in t (case-insensitive), 0 when absent. */
static int find(const char *const *t, size_t n, const char *s) {
  if (s == NULL || *s == '\0')
    return 0;
  for (size_t i = 1; i < n; i++)
    if (t[i] != NULL && strcasecmp(t[i], s) == 0)
      return (int)i;
  return 0;
}

/* Short code first, then the REST spelling. */
static int find_ws(const char *const *ws, const char *const *names, size_t n,
                   const char *s) {
  int v = find(ws, n, s);
  return v != 0 ? v : find(names, n, s);
}

#define ENUM_PAIR(name, type, table)                                           \
  const char *ct_dhan_##name##_str(type v) {                                   \
    return name_of(table, COUNT(table), (int)v);                               \
  }                                                                            \
  type ct_dhan_##name##_from_str(const char *s) {                              \
    return (type)find(table, COUNT(table), s);                                 \
  }

ENUM_PAIR(segment, ct_dhan_segment_t, seg_names)
ENUM_PAIR(txn, ct_dhan_txn_t, txn_names)
ENUM_PAIR(product, ct_dhan_product_t, product_names)
ENUM_PAIR(order_type, ct_dhan_order_type_t, otype_names)
ENUM_PAIR(validity, ct_dhan_validity_t, validity_names)
ENUM_PAIR(status, ct_dhan_status_t, status_names)
ENUM_PAIR(leg, ct_dhan_leg_t, leg_names)
ENUM_PAIR(amo_time, ct_dhan_amo_time_t, amo_names)
ENUM_PAIR(order_flag, ct_dhan_order_flag_t, flag_names)
ENUM_PAIR(position_type, ct_dhan_position_type_t, pos_names)

ct_dhan_segment_t ct_dhan_segment_from_ws(const char *exchange,
                                          const char *segment) {
  if (exchange == NULL || segment == NULL)
    return CT_DHAN_SEG_UNKNOWN;
  for (int v = 1; v < CT_DHAN_SEG_COUNT; v++)
    if (seg_ws_exch[v] != NULL && strcasecmp(seg_ws_exch[v], exchange) == 0 &&
        strcasecmp(seg_ws_letter[v], segment) == 0)
      return (ct_dhan_segment_t)v;
  return CT_DHAN_SEG_UNKNOWN;
}

int ct_dhan_segment_to_ws(ct_dhan_segment_t v, const char **exchange,
                          const char **letter) {
  const char *e = name_of(seg_ws_exch, COUNT(seg_ws_exch), (int)v);
  if (e == NULL || exchange == NULL || letter == NULL)
    return CT_EINVAL;
  *exchange = e;
  *letter = seg_ws_letter[v];
  return 0;
}

int ct_dhan_segment_feed_code(ct_dhan_segment_t v) {
  return (v > 0 && v < CT_DHAN_SEG_COUNT) ? seg_feed[v] : -1;
}

ct_dhan_txn_t ct_dhan_txn_from_ws(const char *s) {
  return (ct_dhan_txn_t)find_ws(txn_ws, txn_names, COUNT(txn_ws), s);
}

const char *ct_dhan_txn_ws_str(ct_dhan_txn_t v) {
  return name_of(txn_ws, COUNT(txn_ws), (int)v);
}

ct_dhan_product_t ct_dhan_product_from_ws(const char *s) {
  return (ct_dhan_product_t)find_ws(product_ws, product_names,
                                    COUNT(product_ws), s);
}

const char *ct_dhan_product_ws_str(ct_dhan_product_t v) {
  return name_of(product_ws, COUNT(product_ws), (int)v);
}

ct_dhan_order_type_t ct_dhan_order_type_from_ws(const char *s) {
  return (ct_dhan_order_type_t)find_ws(otype_ws, otype_names, COUNT(otype_ws),
                                       s);
}

const char *ct_dhan_order_type_ws_str(ct_dhan_order_type_t v) {
  return name_of(otype_ws, COUNT(otype_ws), (int)v);
}

bool ct_dhan_status_is_final(ct_dhan_status_t v) {
  switch (v) {
  case CT_DHAN_STATUS_TRADED:
  case CT_DHAN_STATUS_REJECTED:
  case CT_DHAN_STATUS_CANCELLED:
  case CT_DHAN_STATUS_EXPIRED:
  case CT_DHAN_STATUS_CLOSED:
    return true;
  default:
    return false;
  }
}
