/*
 * Private helpers shared by the dhan_parse_*.c files: parse a buffer with
 * cJSON, look keys up leniently, and decode a JSON object into a C struct
 * by a table of field descriptors (key, type, offset, size).
 *
 * Leniency rules, the same for every record:
 * - a key is looked up case-sensitively first, then case-insensitively,
 *   then under its alternative spelling (e.g. Dhan's misspellings);
 * - null, "" and "NA" mean "absent" for every type;
 * - numbers may arrive as JSON numbers or as numeric strings; integers must
 *   be whole and within +-2^53; non-finite values are errors;
 * - ids (CT__F_ID) that do not fit their buffer are errors, text is cut;
 * - an enum text nobody knows reads as 0 (UNKNOWN), not an error.
 */
#ifndef CT_DHAN_JSON_INT_H
#define CT_DHAN_JSON_INT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/dhan_types.h"
#include "copytrader/error.h"

typedef enum {
  CT__F_ID,   /* string, must fit */
  CT__F_TEXT, /* string, truncated to fit */
  CT__F_I64,  /* int64_t */
  CT__F_F64,  /* double */
  CT__F_BOOL, /* bool */
  CT__F_ENUM  /* an enum of dhan_types.h, kind in `kind` */
} ct__ftype_t;

typedef enum {
  CT__E_SEG,
  CT__E_TXN,
  CT__E_TXN_WS,
  CT__E_PRODUCT,
  CT__E_PRODUCT_WS,
  CT__E_OTYPE,
  CT__E_OTYPE_WS,
  CT__E_VALIDITY,
  CT__E_STATUS,
  CT__E_LEG,
  CT__E_AMO,
  CT__E_FLAG,
  CT__E_POS
} ct__ekind_t;

typedef struct ct__field {
  const char *key;
  const char *alt; /* another accepted spelling, or NULL */
  uint8_t type;    /* ct__ftype_t */
  uint8_t kind;    /* ct__ekind_t for CT__F_ENUM */
  uint8_t required;
  uint32_t has; /* CT_DHAN_HAS_* bit to set when present, or 0 */
  size_t size;  /* size of the member */
  size_t off;   /* offset of the member */
} ct__field_t;

#define CT__FIELD(k, a, t, e, req, h, T, m)                                    \
  { k, a, t, e, req, h, sizeof(((T *)0)->m), offsetof(T, m) }
#define CT__ID(k, T, m)      CT__FIELD(k, NULL, CT__F_ID, 0, 0, 0, T, m)
#define CT__IDREQ(k, T, m)   CT__FIELD(k, NULL, CT__F_ID, 0, 1, 0, T, m)
#define CT__TXT(k, T, m)     CT__FIELD(k, NULL, CT__F_TEXT, 0, 0, 0, T, m)
#define CT__I64(k, T, m)     CT__FIELD(k, NULL, CT__F_I64, 0, 0, 0, T, m)
#define CT__F64(k, T, m)     CT__FIELD(k, NULL, CT__F_F64, 0, 0, 0, T, m)
#define CT__BOOL(k, T, m)    CT__FIELD(k, NULL, CT__F_BOOL, 0, 0, 0, T, m)
#define CT__ENUM(k, e, T, m) CT__FIELD(k, NULL, CT__F_ENUM, e, 0, 0, T, m)
#define CT__COUNT(a)         (sizeof(a) / sizeof((a)[0]))

/* Decodes one JSON object (an array element or the whole document). */
typedef int (*ct__item_fn)(const cJSON *item, void *rec, char *err,
                           size_t err_size);

/* Write a formatted message to err (when not NULL, at most err_size bytes)
 * and return `code`. */
int ct__errf(int code, char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A parse failure: the message, and CT_EPROTO. */
#define ct__jfail(err, err_size, ...)                                          \
  ct__errf(CT_EPROTO, (err), (err_size), __VA_ARGS__)

/* Parse `len` bytes; only whitespace may follow the value. On success *out
 * is a tree the caller frees with cJSON_Delete(). */
int ct__jparse(const char *buf, size_t len, cJSON **out, char *err,
               size_t err_size);

/* Lenient key lookup (see the top of this file); NULL when absent. */
const cJSON *ct__jget(const cJSON *obj, const char *key);

/* The item's text when it is a string, else NULL. */
const char *ct__jstr(const cJSON *obj, const char *key);

/* Decode the fields of table f into rec; *has collects the CT_DHAN_HAS_*
 * bits of the numbers present (has may be NULL). */
int ct__jdecode(const cJSON *obj, const ct__field_t *f, size_t n, void *rec,
                uint32_t *has, char *err, size_t err_size);

/* Parse buf as one object and decode it with fn into rec. */
int ct__jone(const char *buf, size_t len, ct__item_fn fn, void *rec, char *err,
             size_t err_size);

/* Parse buf as an array of objects (or, when allow_single, one object) into
 * a malloc'd array of `elem`-byte records. *out is NULL when *count is 0. */
int ct__jlist(const char *buf, size_t len, size_t elem, ct__item_fn fn,
              bool allow_single, void **out, size_t *count, char *err,
              size_t err_size);

/* Decode an array node's elements into a caller array of at most `max`
 * records; CT_EPROTO when there are more. Used for nested lists. */
int ct__jarray_into(const cJSON *arr, size_t elem, size_t max, ct__item_fn fn,
                    void *out, unsigned *count, char *err, size_t err_size);

/* Public one-object parser fn over an item decoder. */
#define CT__ONE_PARSER(fn, type, item)                                         \
  int fn(const char *buf, size_t len, type *out, char *err, size_t err_size) { \
    if (out == NULL)                                                           \
      return CT_EINVAL;                                                        \
    return ct__jone(buf, len, item, out, err, err_size);                       \
  }

/* Public list parser fn over an item decoder (single: accept one object). */
#define CT__LIST_PARSER(fn, type, item, single)                                \
  int fn(const char *buf, size_t len, type **out, size_t *count, char *err,    \
         size_t err_size) {                                                    \
    if (out == NULL || count == NULL)                                          \
      return CT_EINVAL;                                                        \
    return ct__jlist(buf, len, sizeof(type), item, single, (void **)out,       \
                     count, err, err_size);                                    \
  }

/* The order-book record decoder (dhan_parse_order.c), shared with the
 * postback parser. */
int ct__order_item(const cJSON *it, void *rec, char *err, size_t err_size);

/* The fill state the quantities of ev say (see ct_fill_state_t). */
ct_fill_state_t ct__fill_state(const ct_order_event_t *ev);

#endif /* CT_DHAN_JSON_INT_H */
