/*
 * store_codec.c: msgpack encoding of the store's records.
 *
 * Each record kind has one table of fields (type, offset, size, enum
 * bound) and a version byte. A value is the msgpack array
 *   [version, field 1, field 2, ...]
 * in table order; encoding and decoding walk the same table, so the two
 * can never disagree. A field is added at the end of its table under a new
 * version; a value of an older version is read as the prefix of the table
 * it was written with (n_of), and the fields it lacks are left zero. A
 * value of a newer version than this binary knows is refused (CT_EPROTO).
 * Encoding writes into a fixed buffer through msgpack-c's packer callback (no
 * allocation); decoding uses msgpack_unpack_next and checks every field's type,
 * range and length before copying it.
 */
#include "store_int.h"

#include <msgpack.h>
#include <stdio.h>
#include <string.h>

#include "copytrader/error.h"

typedef enum {
  F_STR,
  F_I64,
  F_U64,
  F_U32,
  F_I32,
  F_F64,
  F_BOOL,
  F_ENUM
} ftype_t;

typedef struct field {
  ftype_t type;
  size_t off;
  size_t size; /* F_STR: buffer size */
  int64_t max; /* F_ENUM: values 0 .. max-1 */
} field_t;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define FS(T, m)                                                               \
  { F_STR, offsetof(T, m), sizeof(((T *)0)->m), 0 }
#define FN(T, m, k)                                                            \
  { k, offsetof(T, m), sizeof(((T *)0)->m), 0 }
#define FE(T, m, n)                                                            \
  { F_ENUM, offsetof(T, m), sizeof(((T *)0)->m), n }

static const field_t leader_fields[] = {
  FS(ct_leader_state_t, order_id),
  FS(ct_leader_state_t, security_id),
  FS(ct_leader_state_t, correlation_id),
  FS(ct_leader_state_t, last_update_time),
  FE(ct_leader_state_t, status, CT_DHAN_STATUS_COUNT),
  FE(ct_leader_state_t, txn, CT_DHAN_TXN_COUNT),
  FE(ct_leader_state_t, segment, CT_DHAN_SEG_COUNT),
  FE(ct_leader_state_t, product, CT_DHAN_PRODUCT_COUNT),
  FE(ct_leader_state_t, order_type, CT_DHAN_OTYPE_COUNT),
  FE(ct_leader_state_t, validity, CT_DHAN_VALIDITY_COUNT),
  FN(ct_leader_state_t, leg_no, F_I32),
  FN(ct_leader_state_t, quantity, F_I64),
  FN(ct_leader_state_t, traded_qty, F_I64),
  FN(ct_leader_state_t, price, F_F64),
  FN(ct_leader_state_t, trigger_price, F_F64),
  FN(ct_leader_state_t, avg_traded_price, F_F64),
  FN(ct_leader_state_t, version, F_U64),
  FN(ct_leader_state_t, fingerprint, F_U64),
};

static const field_t decision_fields[] = {
  FS(ct_decision_t, leader_order_id),
  FS(ct_decision_t, follower_id),
  FS(ct_decision_t, skip_reason),
  FS(ct_decision_t, rule),
  FE(ct_decision_t, kind, CT_DECISION_SKIP + 1),
  FN(ct_decision_t, slices, F_U32),
  FN(ct_decision_t, qty, F_I64),
  FN(ct_decision_t, leader_qty, F_I64),
  FN(ct_decision_t, lot_size, F_I64),
  FN(ct_decision_t, max_qty, F_I64),
  FN(ct_decision_t, multiplier, F_F64),
  FN(ct_decision_t, decided_at_ms, F_U64),
};

static const field_t forder_fields[] = {
  FS(ct_forder_t, follower_id),
  FS(ct_forder_t, correlation_id),
  FS(ct_forder_t, leader_order_id),
  FS(ct_forder_t, order_id),
  FS(ct_forder_t, reject_code),
  FE(ct_forder_t, part, CT_CORRID_EXIT + 1),
  FN(ct_forder_t, part_index, F_U32),
  FN(ct_forder_t, generation, F_U32),
  FE(ct_forder_t, intent, CT_FINTENT_CANCEL + 1),
  FN(ct_forder_t, intent_seq, F_U32),
  FE(ct_forder_t, phase, CT_FPHASE_DONE + 1),
  FE(ct_forder_t, status, CT_DHAN_STATUS_COUNT),
  FN(ct_forder_t, mods_applied, F_U32),
  FN(ct_forder_t, attempts, F_U32),
  FN(ct_forder_t, diverged, F_BOOL),
  FE(ct_forder_t, order_type, CT_DHAN_OTYPE_COUNT),
  FN(ct_forder_t, quantity, F_I64),
  FN(ct_forder_t, filled_qty, F_I64),
  FN(ct_forder_t, price, F_F64),
  FN(ct_forder_t, trigger_price, F_F64),
  FN(ct_forder_t, avg_price, F_F64),
  FN(ct_forder_t, updated_at_ms, F_U64),
  FN(ct_forder_t, intent_at_ms, F_U64), /* version 2 */
};
/* Fields of each forder version: 1 (up to updated_at_ms), 2 (all). */
#define FORDER_V1_FIELDS 22
_Static_assert(COUNT(forder_fields) == FORDER_V1_FIELDS + 1, "forder v2");
static const size_t forder_n_of[] = { FORDER_V1_FIELDS, COUNT(forder_fields) };

static const field_t counter_fields[] = {
  FN(ct__counter_t, date, F_I32),
  FN(ct__counter_t, count, F_I64),
};

static const field_t run_fields[] = {
  FS(ct__run_t, boot_id),
  FN(ct__run_t, clean, F_BOOL),
  FE(ct__run_t, durability, CT_STORE_NOSYNC + 1),
};

static const field_t meta_fields[] = {
  FN(ct__meta_t, schema, F_U32),
  FS(ct__meta_t, instance),
};

typedef struct rec_desc {
  const char *name;
  uint8_t version; /* written; 1 .. version are read */
  const field_t *fields;
  size_t n;
  const size_t *n_of; /* n_of[v - 1]: fields of version v; NULL: v1 only */
} rec_desc_t;

#define DESC(name, f)                                                          \
  { name, 1, f, COUNT(f), NULL }
static const rec_desc_t descs[CT__REC_COUNT] = {
  DESC("leader", leader_fields),
  DESC("decision", decision_fields),
  { "forder", COUNT(forder_n_of), forder_fields, COUNT(forder_fields),
    forder_n_of },
  DESC("counter", counter_fields),
  DESC("run", run_fields),
  DESC("meta", meta_fields),
};

/* Enums are int-sized in every ABI we build for; checked here once. */
_Static_assert(sizeof(ct_dhan_status_t) == sizeof(int), "enum size");
_Static_assert(sizeof(ct_forder_phase_t) == sizeof(int), "enum size");

static int buf_write(void *data, const char *p, size_t n) {
  ct__buf_t *b = data;
  if (n > sizeof b->data - b->len) {
    b->overflow = true;
    return -1;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

static void pack_field(msgpack_packer *pk, const field_t *f, const char *rec) {
  const void *p = rec + f->off;
  int64_t i;
  switch (f->type) {
  case F_STR: {
    size_t len = strnlen(p, f->size);
    msgpack_pack_str(pk, len);
    msgpack_pack_str_body(pk, p, len);
    return;
  }
  case F_I64:
    memcpy(&i, p, sizeof i);
    msgpack_pack_int64(pk, i);
    return;
  case F_U64:
    msgpack_pack_uint64(pk, *(const uint64_t *)p);
    return;
  case F_U32:
    msgpack_pack_uint32(pk, *(const uint32_t *)p);
    return;
  case F_I32:
  case F_ENUM:
    msgpack_pack_int32(pk, *(const int32_t *)p);
    return;
  case F_F64:
    msgpack_pack_double(pk, *(const double *)p);
    return;
  case F_BOOL:
    if (*(const bool *)p)
      msgpack_pack_true(pk);
    else
      msgpack_pack_false(pk);
    return;
  }
}

int ct__store_encode(ct__rec_t kind, const void *rec, ct__buf_t *b) {
  const rec_desc_t *d = &descs[kind];
  msgpack_packer pk;
  b->len = 0;
  b->overflow = false;
  msgpack_packer_init(&pk, b, buf_write);
  msgpack_pack_array(&pk, d->n + 1);
  msgpack_pack_uint8(&pk, d->version);
  for (size_t i = 0; i < d->n; i++)
    pack_field(&pk, &d->fields[i], rec);
  return b->overflow ? CT_ERANGE : 0;
}

/* --- decoding ------------------------------------------------------------ */

typedef struct rd {
  char *err;
  size_t err_size;
  const char *rec;
} rd_t;

/* idx 0 is the value as a whole (or its version byte). */
static int rd_fail(rd_t *r, size_t idx, const char *what) {
  if (idx == 0)
    snprintf(r->err, r->err_size, "%s value: %s", r->rec, what);
  else
    snprintf(r->err, r->err_size, "%s value: field %zu: %s", r->rec, idx, what);
  return CT_EPROTO;
}

static int rd_int(rd_t *r, size_t idx, const msgpack_object *o, int64_t *v) {
  if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
    if (o->via.u64 > INT64_MAX)
      return rd_fail(r, idx, "integer out of range");
    *v = (int64_t)o->via.u64;
    return 0;
  }
  if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
    *v = o->via.i64;
    return 0;
  }
  return rd_fail(r, idx, "expected an integer");
}

static int rd_str(rd_t *r, size_t idx, const msgpack_object *o, char *dst,
                  size_t size) {
  if (o->type != MSGPACK_OBJECT_STR)
    return rd_fail(r, idx, "expected a string");
  if (o->via.str.size >= size)
    return rd_fail(r, idx, "string too long for its buffer");
  if (memchr(o->via.str.ptr, '\0', o->via.str.size) != NULL)
    return rd_fail(r, idx, "string holds a NUL byte");
  memcpy(dst, o->via.str.ptr, o->via.str.size);
  dst[o->via.str.size] = '\0';
  return 0;
}

static int rd_range(rd_t *r, size_t idx, int64_t v, int64_t lo, int64_t hi) {
  return v < lo || v > hi ? rd_fail(r, idx, "value out of range") : 0;
}

static int rd_number(rd_t *r, size_t idx, const field_t *f,
                     const msgpack_object *o, char *p) {
  int64_t v;
  int rc;
  if (f->type == F_U64) { /* the whole uint64 range */
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
      return rd_fail(r, idx, "expected an unsigned integer");
    memcpy(p, &o->via.u64, sizeof(uint64_t));
    return 0;
  }
  if ((rc = rd_int(r, idx, o, &v)) != 0)
    return rc;
  switch (f->type) {
  case F_I64:
    memcpy(p, &v, sizeof v);
    return 0;
  case F_U32:
    rc = rd_range(r, idx, v, 0, UINT32_MAX);
    *(uint32_t *)p = (uint32_t)v;
    return rc;
  case F_ENUM:
    rc = rd_range(r, idx, v, 0, f->max - 1);
    *(int32_t *)p = (int32_t)v;
    return rc;
  default: /* F_I32 */
    rc = rd_range(r, idx, v, INT32_MIN, INT32_MAX);
    *(int32_t *)p = (int32_t)v;
    return rc;
  }
}

static int rd_field(rd_t *r, size_t idx, const field_t *f,
                    const msgpack_object *o, char *rec) {
  char *p = rec + f->off;
  switch (f->type) {
  case F_STR:
    return rd_str(r, idx, o, p, f->size);
  case F_F64:
    if (o->type != MSGPACK_OBJECT_FLOAT64 && o->type != MSGPACK_OBJECT_FLOAT32)
      return rd_fail(r, idx, "expected a float");
    *(double *)p = o->via.f64;
    return 0;
  case F_BOOL:
    if (o->type != MSGPACK_OBJECT_BOOLEAN)
      return rd_fail(r, idx, "expected a boolean");
    *(bool *)p = o->via.boolean;
    return 0;
  default:
    return rd_number(r, idx, f, o, p);
  }
}

static int rd_record(rd_t *r, const rec_desc_t *d, const msgpack_object *o,
                     char *rec) {
  const msgpack_object_array *a = &o->via.array;
  int64_t version;
  size_t n;
  int rc;
  if (o->type != MSGPACK_OBJECT_ARRAY || a->size == 0)
    return rd_fail(r, 0, "not a msgpack array");
  if (rd_int(r, 0, &a->ptr[0], &version) != 0 || version < 1 ||
      version > d->version)
    return rd_fail(r, 0, "unknown record version");
  n = d->n_of != NULL ? d->n_of[version - 1] : d->n;
  if (a->size != n + 1) {
    snprintf(r->err, r->err_size, "%s value: %u fields, expected %zu", r->rec,
             a->size, n + 1);
    return CT_EPROTO;
  }
  for (size_t i = 0; i < n; i++)
    if ((rc = rd_field(r, i + 1, &d->fields[i], &a->ptr[i + 1], rec)) != 0)
      return rc;
  for (size_t i = n; i < d->n; i++) /* newer than the value: zero */
    memset(rec + d->fields[i].off, 0, d->fields[i].size);
  return 0;
}

/* --- size guard -----------------------------------------------------------
 * msgpack-c allocates a container's item array from the count in its header
 * before it checks that the input holds that many items, so five corrupt
 * bytes (0xdd + a 32-bit count) ask for up to 100 GB. Before unpacking, one
 * pass over the token headers checks that every count fits the bytes left
 * (each item takes at least one), which bounds what msgpack-c allocates by
 * a small multiple of the value's size. It only reads sizes; msgpack-c
 * still does all the decoding. */

static uint64_t be(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++)
    v = v << 8 | p[i];
  return v;
}

/* Header+payload length of the token at p (have > 0 bytes), and the items
 * it opens; false for the never-used byte 0xc1 or a truncated header. */
static bool token(const unsigned char *p, size_t have, uint64_t *len,
                  uint64_t *items) {
  static const unsigned char fixed[] = { /* 0xc0 .. 0xdf: length, 0 = var */
                                         1, 0,  1,  1, 0, 0, 0, 0, 0, 0, 5,
                                         9, 2,  3,  5, 9, 2, 3, 5, 9, 3, 4,
                                         6, 10, 18, 0, 0, 0, 0, 0, 0, 0
  };
  static const unsigned char width[] = { /* 0xc4 .. 0xc9, 0xd9 .. 0xdf */
                                         1, 2, 4, 1, 2, 4, 1, 2, 4, 2, 4, 2, 4
  };
  unsigned b = p[0];
  int w;
  *items = 0;
  *len = 1;
  if (b <= 0x7f || b >= 0xe0)
    return true;
  if (b <= 0x9f) { /* fixmap, fixarray */
    *items = (uint64_t)(b & 0x0f) * (b <= 0x8f ? 2 : 1);
    return true;
  }
  if (b <= 0xbf) { /* fixstr */
    *len = 1 + (b & 0x1f);
    return true;
  }
  if (b == 0xc1)
    return false;
  if (fixed[b - 0xc0] != 0) {
    *len = fixed[b - 0xc0];
    return true;
  }
  w = width[b <= 0xc9 ? b - 0xc4 : b - 0xd9 + 6];
  if (have < (size_t)w + 1)
    return false;
  if (b >= 0xdc) { /* array16/32, map16/32 */
    *len = 1 + (uint64_t)w;
    *items = be(p + 1, w) * (b >= 0xde ? 2 : 1);
  } else { /* bin, ext (one type byte more), str: header + payload */
    *len = 1 + (uint64_t)w + (b >= 0xc7 && b <= 0xc9) + be(p + 1, w);
  }
  return true;
}

static bool sizes_fit(const unsigned char *p, size_t n) {
  uint64_t pending = 1, len, items;
  size_t off = 0;
  while (pending > 0) {
    if (off >= n || !token(p + off, n - off, &len, &items) || len > n - off)
      return false;
    off += (size_t)len;
    pending--;
    if (items > n - off || pending + items > n - off)
      return false;
    pending += items;
  }
  return off == n;
}

int ct__store_decode(ct__rec_t kind, const void *p, size_t n, void *rec,
                     char *err, size_t err_size) {
  const rec_desc_t *d = &descs[kind];
  rd_t r = { err, err_size, d->name };
  msgpack_unpacked u;
  size_t off = 0;
  int rc;
  if (!sizes_fit(p, n))
    return rd_fail(&r, 0, "not valid msgpack (sizes do not fit)");
  msgpack_unpacked_init(&u);
  if (msgpack_unpack_next(&u, p, n, &off) != MSGPACK_UNPACK_SUCCESS)
    rc = rd_fail(&r, 0, "not valid msgpack");
  else if (off != n)
    rc = rd_fail(&r, 0, "trailing bytes after the value");
  else
    rc = rd_record(&r, d, &u.data, rec);
  msgpack_unpacked_destroy(&u);
  return rc;
}
