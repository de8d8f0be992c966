/*
 * Reading envelopes: the header parser and the payload cursor.
 *
 * Values are decoded with msgpack_unpack() into a zone that each thread
 * reuses, so a steady-state walk does not allocate; strings and binaries
 * point into the envelope's buffer (zero copy). A top-level value is
 * decoded whole; reading an array or map pushes a frame, and the following
 * reads walk that frame's items depth first.
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "msg.h"

#define MAX_DEPTH  32
#define ZONE_CHUNK 2048

typedef struct {
  msgpack_object *items; /* array items, or map pairs as key,val,key... */
  msgpack_object_kv *kv;
  uint32_t n; /* values in the frame (2x pairs for a map) */
  uint32_t i; /* next value */
} frame_t;

typedef struct reader_impl {
  msgpack_zone zone;
  frame_t stack[MAX_DEPTH];
  int depth;
  int have; /* `cur` holds the next top-level value */
  msgpack_object cur;
  size_t next_off; /* offset after `cur` */
  int in_use;
} reader_impl_t;

static __thread reader_impl_t *tls_impl;

void ct__reader_thread_release(void) {
  if (tls_impl != NULL && !tls_impl->in_use) {
    msgpack_zone_destroy(&tls_impl->zone);
    free(tls_impl);
    tls_impl = NULL;
  }
}

static reader_impl_t *impl_get(void) {
  reader_impl_t *im = tls_impl;
  if (im != NULL && !im->in_use) {
    msgpack_zone_clear(&im->zone);
  } else {
    im = malloc(sizeof(*im));
    if (im == NULL || !msgpack_zone_init(&im->zone, ZONE_CHUNK)) {
      free(im);
      return NULL;
    }
    if (tls_impl == NULL)
      tls_impl = im;
  }
  im->depth = 0;
  im->have = 0;
  im->in_use = 1;
  return im;
}

/* Offset of the payload: the fixed header fast, else decode it. */
static size_t payload_offset(const char *d, size_t len) {
  msgpack_zone z;
  msgpack_object o;
  size_t off = 0;
  if (len >= CT__HDR_LEN && (uint8_t)d[0] == 0x93 && (uint8_t)d[1] == 0xce &&
      (uint8_t)d[CT__HDR_FROM] == 0xcf && (uint8_t)d[CT__HDR_REQ] == 0xcf)
    return CT__HDR_LEN;
  if (!msgpack_zone_init(&z, 256))
    return len;
  if (msgpack_unpack(d, len, &off, &z, &o) <= 0)
    off = len;
  msgpack_zone_destroy(&z);
  return off;
}

void ct_reader_init(ct_reader_t *r, const ct_envelope_t *env) {
  r->data = env->data;
  r->len = env->len;
  r->off = payload_offset(env->data, env->len);
  r->impl_ = NULL;
}

void ct_reader_close(ct_reader_t *r) {
  reader_impl_t *im = r->impl_;
  r->impl_ = NULL;
  if (im == NULL)
    return;
  im->in_use = 0;
  if (im != tls_impl) {
    msgpack_zone_destroy(&im->zone);
    free(im);
  }
}

/* The next value without consuming it. */
static int peek(ct_reader_t *r, msgpack_object **o) {
  reader_impl_t *im = r->impl_;
  if (im == NULL && (im = r->impl_ = impl_get()) == NULL)
    return CT_ENOMEM;
  if (im->depth > 0) {
    frame_t *f = &im->stack[im->depth - 1];
    if (f->kv != NULL)
      *o = (f->i & 1) ? &f->kv[f->i / 2].val : &f->kv[f->i / 2].key;
    else
      *o = &f->items[f->i];
    return 0;
  }
  if (!im->have) {
    size_t off = r->off;
    if (off >= r->len)
      return CT_ENOTFOUND;
    msgpack_zone_clear(&im->zone);
    if (msgpack_unpack(r->data, r->len, &off, &im->zone, &im->cur) <= 0)
      return CT_EPROTO;
    im->next_off = off;
    im->have = 1;
  }
  *o = &im->cur;
  return 0;
}

/* Consume the value peek() returned. */
static void advance(ct_reader_t *r) {
  reader_impl_t *im = r->impl_;
  if (im->depth == 0) {
    r->off = im->next_off;
    im->have = 0;
    return;
  }
  im->stack[im->depth - 1].i++;
  while (im->depth > 0 &&
         im->stack[im->depth - 1].i >= im->stack[im->depth - 1].n)
    im->depth--;
}

static int enter(ct_reader_t *r, msgpack_object *o) {
  reader_impl_t *im = r->impl_;
  frame_t f = { NULL, NULL, 0, 0 };
  if (o->type == MSGPACK_OBJECT_ARRAY) {
    f.items = o->via.array.ptr;
    f.n = o->via.array.size;
  } else {
    f.kv = o->via.map.ptr;
    f.n = o->via.map.size * 2;
  }
  if (f.n > 0 && im->depth == MAX_DEPTH)
    return CT_EPROTO;
  advance(r);
  if (f.n > 0)
    im->stack[im->depth++] = f;
  return 0;
}

static int read_container(ct_reader_t *r, msgpack_object_type t, uint32_t *n) {
  msgpack_object *o;
  int rc = peek(r, &o);
  if (rc == 0 && o->type != t)
    rc = CT_EPROTO;
  if (rc == 0) {
    uint32_t size =
        t == MSGPACK_OBJECT_ARRAY ? o->via.array.size : o->via.map.size;
    rc = enter(r, o);
    if (rc == 0 && n != NULL)
      *n = size;
  }
  return rc;
}

int ct_read_array(ct_reader_t *r, uint32_t *n) {
  return read_container(r, MSGPACK_OBJECT_ARRAY, n);
}

int ct_read_map(ct_reader_t *r, uint32_t *n) {
  return read_container(r, MSGPACK_OBJECT_MAP, n);
}

int ct_read_skip(ct_reader_t *r) {
  msgpack_object *o;
  int rc = peek(r, &o);
  if (rc == 0)
    advance(r); /* a container was decoded whole: skipping it is one step */
  return rc;
}

bool ct_read_done(const ct_reader_t *r) {
  const reader_impl_t *im = r->impl_;
  if (im != NULL && im->depth > 0)
    return false;
  return r->off >= r->len;
}

int ct_read_nil(ct_reader_t *r) {
  msgpack_object *o;
  int rc = peek(r, &o);
  if (rc == 0 && o->type != MSGPACK_OBJECT_NIL)
    rc = CT_EPROTO;
  if (rc == 0)
    advance(r);
  return rc;
}

int ct_read_bool(ct_reader_t *r, bool *v) {
  msgpack_object *o;
  int rc = peek(r, &o);
  if (rc == 0 && o->type != MSGPACK_OBJECT_BOOLEAN)
    rc = CT_EPROTO;
  if (rc == 0) {
    *v = o->via.boolean;
    advance(r);
  }
  return rc;
}

int ct_read_i64(ct_reader_t *r, int64_t *v) {
  msgpack_object *o;
  int rc = peek(r, &o);
  if (rc != 0)
    return rc;
  if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
    *v = o->via.i64;
  else if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
    return CT_EPROTO;
  else if (o->via.u64 > (uint64_t)INT64_MAX)
    return CT_ERANGE;
  else
    *v = (int64_t)o->via.u64;
  advance(r);
  return 0;
}

int ct_read_u64(ct_reader_t *r, uint64_t *v) {
  msgpack_object *o;
  int rc = peek(r, &o);
  if (rc != 0)
    return rc;
  if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
    return CT_ERANGE;
  if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
    return CT_EPROTO;
  *v = o->via.u64;
  advance(r);
  return 0;
}

int ct_read_f64(ct_reader_t *r, double *v) {
  msgpack_object *o;
  int rc = peek(r, &o);
  if (rc != 0)
    return rc;
  if (o->type == MSGPACK_OBJECT_FLOAT32 || o->type == MSGPACK_OBJECT_FLOAT64)
    *v = o->via.f64;
  else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
    *v = (double)o->via.u64;
  else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
    *v = (double)o->via.i64;
  else
    return CT_EPROTO;
  advance(r);
  return 0;
}

int ct_read_str(ct_reader_t *r, const char **s, size_t *len) {
  msgpack_object *o;
  int rc = peek(r, &o);
  if (rc == 0 && o->type != MSGPACK_OBJECT_STR)
    rc = CT_EPROTO;
  if (rc == 0) {
    *s = o->via.str.ptr;
    *len = o->via.str.size;
    advance(r);
  }
  return rc;
}

int ct_read_bin(ct_reader_t *r, const void **p, size_t *len) {
  msgpack_object *o;
  int rc = peek(r, &o);
  if (rc == 0 && o->type != MSGPACK_OBJECT_BIN)
    rc = CT_EPROTO;
  if (rc == 0) {
    *p = o->via.bin.ptr;
    *len = o->via.bin.size;
    advance(r);
  }
  return rc;
}

/* Header: array(3) of unsigned integers, the first fitting 32 bits. */
static int header_from(const msgpack_object *h, ct_envelope_t *env) {
  const msgpack_object *it;
  if (h->type != MSGPACK_OBJECT_ARRAY || h->via.array.size != 3)
    return CT_EPROTO;
  it = h->via.array.ptr;
  for (int i = 0; i < 3; i++)
    if (it[i].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
      return CT_EPROTO;
  if (it[0].via.u64 > UINT32_MAX)
    return CT_EPROTO;
  env->type = (uint32_t)it[0].via.u64;
  env->from = it[1].via.u64;
  env->request_id = it[2].via.u64;
  return 0;
}

int ct_envelope_parse(const char *data, size_t len, ct_envelope_t *env) {
  msgpack_zone z;
  msgpack_object h;
  size_t off = 0;
  int rc = CT_EPROTO;
  if (data == NULL || env == NULL)
    return CT_EINVAL;
  if (!msgpack_zone_init(&z, 256))
    return CT_ENOMEM;
  if (msgpack_unpack(data, len, &off, &z, &h) > 0)
    rc = header_from(&h, env);
  msgpack_zone_destroy(&z);
  if (rc == 0) {
    env->data = data;
    env->len = len;
  }
  return rc;
}
