/*
 * order_event_msg.c: the CT_MSG_ORDER_EVENT message and the feed status
 * messages, shared by the order-update WebSocket client and the postback
 * receiver.
 *
 * An order event travels as [origin: u64, fields: array(N)], the fields of
 * ct_order_event_t in the order of the table below (strings as msgpack
 * strings, enums and integers as i64, prices as f64, flags as bool). The
 * reader checks N against the table, so a sender and a receiver built from
 * different versions fail with CT_EPROTO instead of misreading fields.
 */
#include <stddef.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/order_feed.h"

typedef enum { F_STR, F_I64, F_INT, F_U32, F_F64, F_BOOL } kind_t;

typedef struct field {
  kind_t kind;
  size_t off;
  size_t size; /* buffer size for strings */
} field_t;

#define S(m)                                                                   \
  { F_STR, offsetof(ct_order_event_t, m), sizeof(((ct_order_event_t *)0)->m) }
#define I(m)                                                                   \
  { F_I64, offsetof(ct_order_event_t, m), 0 }
#define E(m)                                                                   \
  { F_INT, offsetof(ct_order_event_t, m), sizeof(((ct_order_event_t *)0)->m) }
#define U(m)                                                                   \
  { F_U32, offsetof(ct_order_event_t, m), 0 }
#define D(m)                                                                   \
  { F_F64, offsetof(ct_order_event_t, m), 0 }
#define B(m)                                                                   \
  { F_BOOL, offsetof(ct_order_event_t, m), 0 }

/* clang-format off */
static const field_t fields[] = {
  E(source), S(client_id), S(order_id), S(exchange_order_id),
  S(correlation_id), S(security_id), S(status_text), S(last_update_time),
  S(good_till_date), S(oms_error_code), S(reason), E(status), E(txn),
  E(segment), E(product), E(order_type), E(validity), E(leg), E(fill),
  E(leg_no), B(after_market_order), B(super_order), B(forever_order),
  U(has), I(quantity), I(traded_qty), I(remaining_qty), I(disclosed_qty),
  D(price), D(trigger_price), D(traded_price), D(avg_traded_price),
};
/* clang-format on */

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Enums and int fields are stored through int: every enum here has
 * sizeof(int) (checked at run time by the size in the table). */
static int put_field(ct_msg_t *m, const field_t *f, const char *base) {
  const void *p = base + f->off;
  int iv;
  switch (f->kind) {
  case F_STR:
    return ct_msg_put_str(m, p, strnlen(p, f->size));
  case F_I64:
    return ct_msg_put_i64(m, *(const int64_t *)p);
  case F_INT:
    if (f->size != sizeof(int))
      return CT_EINVAL;
    memcpy(&iv, p, sizeof(iv));
    return ct_msg_put_i64(m, iv);
  case F_U32:
    return ct_msg_put_u64(m, *(const uint32_t *)p);
  case F_F64:
    return ct_msg_put_f64(m, *(const double *)p);
  case F_BOOL:
    return ct_msg_put_bool(m, *(const bool *)p);
  }
  return CT_EINVAL;
}

int ct_order_event_msg_new(uint64_t origin, const ct_order_event_t *ev,
                           ct_msg_t **out) {
  ct_msg_t *m = NULL;
  int rc = CT_EINVAL;
  if (ev == NULL || out == NULL)
    goto fail;
  if ((rc = ct_msg_new(CT_MSG_ORDER_EVENT, &m)) != 0 ||
      (rc = ct_msg_put_u64(m, origin)) != 0 ||
      (rc = ct_msg_put_array(m, (uint32_t)NFIELDS)) != 0)
    goto fail;
  for (size_t i = 0; i < NFIELDS; i++)
    if ((rc = put_field(m, &fields[i], (const char *)ev)) != 0)
      goto fail;
  *out = m;
  return 0;
fail:
  if (m != NULL)
    ct_msg_free(m);
  return rc;
}

static int read_str(ct_reader_t *r, char *dst, size_t cap) {
  const char *s;
  size_t len;
  int rc = ct_read_str(r, &s, &len);
  if (rc != 0)
    return rc;
  if (len >= cap)
    return CT_EPROTO;
  memcpy(dst, s, len);
  dst[len] = '\0';
  return 0;
}

static int read_field(ct_reader_t *r, const field_t *f, char *base) {
  void *p = base + f->off;
  int64_t iv;
  uint64_t uv;
  int rc;
  switch (f->kind) {
  case F_STR:
    return read_str(r, p, f->size);
  case F_I64:
    return ct_read_i64(r, (int64_t *)p);
  case F_INT:
    if (f->size != sizeof(int) || (rc = ct_read_i64(r, &iv)) != 0)
      return rc != 0 ? rc : CT_EPROTO;
    if (iv < -2147483647 - 1 || iv > 2147483647)
      return CT_EPROTO;
    memcpy(p, &(int){ (int)iv }, sizeof(int));
    return 0;
  case F_U32:
    if ((rc = ct_read_u64(r, &uv)) != 0 || uv > UINT32_MAX)
      return rc != 0 ? rc : CT_EPROTO;
    *(uint32_t *)p = (uint32_t)uv;
    return 0;
  case F_F64:
    return ct_read_f64(r, (double *)p);
  case F_BOOL:
    return ct_read_bool(r, (bool *)p);
  }
  return CT_EPROTO;
}

int ct_order_feed_event_read(const ct_envelope_t *env, ct_order_event_t *ev,
                             uint64_t *origin) {
  ct_reader_t r;
  uint64_t from = 0;
  uint32_t n = 0;
  int rc;
  if (env == NULL || ev == NULL || env->type != CT_MSG_ORDER_EVENT)
    return CT_EINVAL;
  memset(ev, 0, sizeof(*ev));
  ct_reader_init(&r, env);
  rc = ct_read_u64(&r, &from);
  if (rc == 0)
    rc = ct_read_array(&r, &n);
  if (rc == 0 && n != NFIELDS)
    rc = CT_EPROTO;
  for (size_t i = 0; rc == 0 && i < NFIELDS; i++)
    rc = read_field(&r, &fields[i], (char *)ev);
  ct_reader_close(&r);
  if (rc != 0)
    return rc == CT_ENOTFOUND || rc == CT_ERANGE ? CT_EPROTO : rc;
  if (origin != NULL)
    *origin = from;
  return 0;
}

int ct_order_feed_status_read(const ct_envelope_t *env,
                              ct_order_feed_status_t *st) {
  ct_reader_t r;
  int64_t err = 0;
  int rc;
  if (env == NULL || st == NULL ||
      (env->type != CT_MSG_FEED_UP && env->type != CT_MSG_FEED_DOWN))
    return CT_EINVAL;
  memset(st, 0, sizeof(*st));
  st->up = env->type == CT_MSG_FEED_UP;
  ct_reader_init(&r, env);
  rc = ct_read_u64(&r, &st->origin);
  if (rc == 0)
    rc = ct_read_i64(&r, &err);
  if (rc == 0)
    rc = ct_read_u64(&r, &st->connects);
  if (rc == 0)
    rc = ct_read_str(&r, &st->reason, &st->reason_len);
  ct_reader_close(&r);
  st->err = (int)err;
  return rc == 0 ? 0 : CT_EPROTO;
}
