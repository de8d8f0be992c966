/*
 * store_control.c: the operator records of store_control.h in the store's
 * `control` database: pause flags and the engine's status snapshot.
 *
 * Values are msgpack arrays led by a version number, like the other store
 * records, but encoded here with msgpack-c directly: the snapshot holds a
 * variable number of followers (so it does not fit the codec's fixed
 * buffer) and is written once a second, off the latency path, where a
 * growing buffer costs nothing that matters. Decoding checks every type
 * and length and answers CT_EPROTO with the reason in t->err.
 */
#include "copytrader/store_control.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/error.h"
#include "store_int.h"

#define PAUSE_VERSION  1
#define STATUS_VERSION 1
#define KEY_STATUS     "status"
#define PAUSE_PREFIX   "pause"

/* --- helpers ---------------------------------------------------------------
 */

static uint64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int pause_key(const char *id, char buf[64], MDB_val *k) {
  size_t n;
  if (id == NULL || (n = strlen(id)) == 0 || n >= CT_DHAN_CLIENT_SIZE)
    return CT_EINVAL;
  memcpy(buf, PAUSE_PREFIX, sizeof PAUSE_PREFIX); /* with its '\0' */
  memcpy(buf + sizeof PAUSE_PREFIX, id, n);
  k->mv_size = sizeof PAUSE_PREFIX + n;
  k->mv_data = buf;
  return 0;
}

static int put_raw(ct_store_txn_t *t, MDB_val *k, const void *p, size_t n) {
  MDB_val v = { n, (void *)p };
  int rc;
  if (t == NULL || t->mdb_ == NULL || !t->write_)
    return CT_ESTATE;
  rc = mdb_put(t->mdb_, t->store_->control, k, &v, 0);
  return rc == 0 ? 0 : ct__store_mdb_err(t, rc, "put");
}

static int get_obj(ct_store_txn_t *t, MDB_val *k, const char *what,
                   msgpack_unpacked *u) {
  MDB_val v;
  int rc;
  if (t == NULL || t->mdb_ == NULL)
    return CT_EINVAL;
  if ((rc = mdb_get(t->mdb_, t->store_->control, k, &v)) != 0)
    return ct__store_mdb_err(t, rc, "get");
  msgpack_unpacked_init(u);
  if (msgpack_unpack_next(u, v.mv_data, v.mv_size, NULL) !=
      MSGPACK_UNPACK_SUCCESS) {
    msgpack_unpacked_destroy(u);
    snprintf(t->err, sizeof t->err, "db=control %s: not msgpack", what);
    return CT_EPROTO;
  }
  return 0;
}

static void pack_bool(msgpack_packer *pk, bool v) {
  if (v)
    msgpack_pack_true(pk);
  else
    msgpack_pack_false(pk);
}

static void pack_str(msgpack_packer *pk, const char *s, size_t cap) {
  size_t n = strnlen(s, cap);
  msgpack_pack_str(pk, n);
  msgpack_pack_str_body(pk, s, n);
}

/* Reading: each reader checks the type and reports the field. */
typedef struct rd {
  const msgpack_object *items;
  uint32_t n, i;
  char *err;
  size_t err_size;
  const char *what;
} rd_t;

static int rd_fail(rd_t *r, const char *why) {
  snprintf(r->err, r->err_size, "db=control %s field %u: %s", r->what, r->i,
           why);
  return CT_EPROTO;
}

static int rd_open(rd_t *r, const msgpack_object *o, uint32_t want) {
  if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != want) {
    snprintf(r->err, r->err_size, "db=control %s: want an array of %u", r->what,
             want);
    return CT_EPROTO;
  }
  r->items = o->via.array.ptr;
  r->n = want;
  r->i = 0;
  return 0;
}

static const msgpack_object *rd_next(rd_t *r) {
  return r->i < r->n ? &r->items[r->i++] : NULL;
}

static int rd_u64(rd_t *r, uint64_t *v) {
  const msgpack_object *o = rd_next(r);
  if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
    return rd_fail(r, "not an unsigned integer");
  *v = o->via.u64;
  return 0;
}

static int rd_i64(rd_t *r, int64_t *v) {
  const msgpack_object *o = rd_next(r);
  if (o != NULL && o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
    *v = o->via.i64;
    return 0;
  }
  if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
      o->via.u64 > INT64_MAX)
    return rd_fail(r, "not an integer");
  *v = (int64_t)o->via.u64;
  return 0;
}

static int rd_bool(rd_t *r, bool *v) {
  const msgpack_object *o = rd_next(r);
  if (o == NULL || o->type != MSGPACK_OBJECT_BOOLEAN)
    return rd_fail(r, "not a boolean");
  *v = o->via.boolean;
  return 0;
}

static int rd_str(rd_t *r, char *buf, size_t cap) {
  const msgpack_object *o = rd_next(r);
  if (o == NULL || o->type != MSGPACK_OBJECT_STR)
    return rd_fail(r, "not a string");
  if (o->via.str.size >= cap)
    return rd_fail(r, "string too long");
  if (o->via.str.size > 0) /* ptr may be NULL for "" */
    memcpy(buf, o->via.str.ptr, o->via.str.size);
  buf[o->via.str.size] = '\0';
  return 0;
}

static int rd_version(rd_t *r, uint64_t want) {
  uint64_t v = 0;
  int rc = rd_u64(r, &v);
  return rc != 0 ? rc : v == want ? 0 : rd_fail(r, "unknown version");
}

/* --- pause flags ------------------------------------------------------------
 */

int ct_store_pause_put(ct_store_txn_t *t, const char *follower_id,
                       bool paused) {
  char kb[64], vb[32];
  MDB_val k;
  /* 12 bytes at most, so the write never reallocates the stack buffer. */
  msgpack_sbuffer sb = { .size = 0, .data = vb, .alloc = sizeof vb };
  msgpack_packer pk;
  int rc = pause_key(follower_id, kb, &k);
  if (rc != 0)
    return rc;
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  msgpack_pack_array(&pk, 3);
  msgpack_pack_uint64(&pk, PAUSE_VERSION);
  pack_bool(&pk, paused);
  msgpack_pack_uint64(&pk, wall_ms());
  return put_raw(t, &k, sb.data, sb.size);
}

int ct_store_pause_set(ct_store_t *s, const char *follower_id, bool paused) {
  ct_store_txn_t t;
  int rc = ct_store_txn_begin(s, true, &t);
  if (rc != 0)
    return rc;
  if ((rc = ct_store_pause_put(&t, follower_id, paused)) != 0) {
    ct_store_txn_abort(&t);
    return rc;
  }
  return ct_store_txn_commit(&t);
}

int ct_store_pause_get(ct_store_txn_t *t, const char *follower_id, bool *out) {
  char kb[64];
  MDB_val k;
  msgpack_unpacked u;
  rd_t r = { .err = t ? t->err : NULL,
             .err_size = sizeof t->err,
             .what = "pause" };
  uint64_t at = 0;
  int rc;
  if (out == NULL || t == NULL || (rc = pause_key(follower_id, kb, &k)) != 0)
    return CT_EINVAL;
  *out = false;
  if ((rc = get_obj(t, &k, "pause", &u)) != 0)
    return rc == CT_ENOTFOUND ? 0 : rc;
  if ((rc = rd_open(&r, &u.data, 3)) == 0 &&
      (rc = rd_version(&r, PAUSE_VERSION)) == 0 && (rc = rd_bool(&r, out)) == 0)
    rc = rd_u64(&r, &at);
  msgpack_unpacked_destroy(&u);
  return rc;
}

/* --- status snapshot --------------------------------------------------------
 */

static void pack_follower(msgpack_packer *pk, const ct_status_follower_t *f) {
  msgpack_pack_array(pk, 9);
  pack_str(pk, f->name, sizeof f->name);
  pack_str(pk, f->client_id, sizeof f->client_id);
  pack_bool(pk, f->enabled);
  pack_bool(pk, f->paused);
  msgpack_pack_int64(pk, f->breaker);
  msgpack_pack_int64(pk, f->orders_today);
  msgpack_pack_uint64(pk, f->last_error_ms);
  pack_str(pk, f->last_error, sizeof f->last_error);
  msgpack_pack_array(pk, f->n_windows);
  for (uint32_t w = 0; w < f->n_windows; w++) {
    msgpack_pack_array(pk, 3);
    msgpack_pack_uint64(pk, f->windows[w].period_ms);
    msgpack_pack_uint32(pk, f->windows[w].limit);
    msgpack_pack_uint32(pk, f->windows[w].headroom);
  }
}

static void pack_status(msgpack_packer *pk, const ct_status_t *st) {
  msgpack_pack_array(pk, 5);
  msgpack_pack_uint64(pk, STATUS_VERSION);
  msgpack_pack_uint64(pk, st->written_ms);
  msgpack_pack_int64(pk, st->pid);
  msgpack_pack_array(pk, 4);
  pack_bool(pk, st->feed.up);
  msgpack_pack_uint64(pk, st->feed.connects);
  msgpack_pack_uint64(pk, st->feed.last_event_ms);
  pack_str(pk, st->feed.last_error, sizeof st->feed.last_error);
  msgpack_pack_array(pk, (uint32_t)st->n_followers);
  for (size_t i = 0; i < st->n_followers; i++)
    pack_follower(pk, &st->followers[i]);
}

int ct_store_status_put(ct_store_txn_t *t, const ct_status_t *st) {
  MDB_val k = { sizeof KEY_STATUS - 1, KEY_STATUS };
  msgpack_sbuffer sb;
  msgpack_packer pk;
  int rc;
  if (st == NULL || st->n_followers > CT_STATUS_FOLLOWERS_MAX ||
      (st->n_followers > 0 && st->followers == NULL))
    return CT_EINVAL;
  for (size_t i = 0; i < st->n_followers; i++)
    if (st->followers[i].n_windows > CT_STATUS_WINDOWS_MAX)
      return CT_EINVAL;
  msgpack_sbuffer_init(&sb);
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  pack_status(&pk, st);
  /* msgpack_sbuffer_write returns -1 only when realloc failed. */
  rc = sb.data == NULL ? CT_ENOMEM : put_raw(t, &k, sb.data, sb.size);
  msgpack_sbuffer_destroy(&sb);
  return rc;
}

static int read_window(rd_t *p, ct_status_window_t *w) {
  rd_t r = { .err = p->err, .err_size = p->err_size, .what = "window" };
  uint64_t limit = 0, head = 0;
  int rc;
  const msgpack_object *o = rd_next(p);
  if (o == NULL)
    return rd_fail(p, "missing window");
  if ((rc = rd_open(&r, o, 3)) != 0 || (rc = rd_u64(&r, &w->period_ms)) != 0 ||
      (rc = rd_u64(&r, &limit)) != 0 || (rc = rd_u64(&r, &head)) != 0)
    return rc;
  if (limit > UINT32_MAX || head > UINT32_MAX)
    return rd_fail(&r, "out of range");
  w->limit = (uint32_t)limit;
  w->headroom = (uint32_t)head;
  return 0;
}

static int read_windows(rd_t *p, ct_status_follower_t *f) {
  rd_t r = { .err = p->err, .err_size = p->err_size, .what = "windows" };
  const msgpack_object *o = rd_next(p);
  int rc = 0;
  if (o == NULL || o->type != MSGPACK_OBJECT_ARRAY ||
      o->via.array.size > CT_STATUS_WINDOWS_MAX)
    return rd_fail(p, "bad window list");
  f->n_windows = o->via.array.size;
  if ((rc = rd_open(&r, o, f->n_windows)) != 0)
    return rc;
  for (uint32_t w = 0; w < f->n_windows && rc == 0; w++)
    rc = read_window(&r, &f->windows[w]);
  return rc;
}

static int read_follower(rd_t *p, ct_status_follower_t *f) {
  rd_t r = { .err = p->err, .err_size = p->err_size, .what = "follower" };
  int64_t breaker = 0;
  const msgpack_object *o = rd_next(p);
  int rc;
  if (o == NULL)
    return rd_fail(p, "missing follower");
  if ((rc = rd_open(&r, o, 9)) != 0 ||
      (rc = rd_str(&r, f->name, sizeof f->name)) != 0 ||
      (rc = rd_str(&r, f->client_id, sizeof f->client_id)) != 0 ||
      (rc = rd_bool(&r, &f->enabled)) != 0 ||
      (rc = rd_bool(&r, &f->paused)) != 0 || (rc = rd_i64(&r, &breaker)) != 0 ||
      (rc = rd_i64(&r, &f->orders_today)) != 0 ||
      (rc = rd_u64(&r, &f->last_error_ms)) != 0 ||
      (rc = rd_str(&r, f->last_error, sizeof f->last_error)) != 0)
    return rc;
  f->breaker = (int)breaker;
  return read_windows(&r, f);
}

static int read_feed(rd_t *p, ct_status_feed_t *feed) {
  rd_t r = { .err = p->err, .err_size = p->err_size, .what = "feed" };
  const msgpack_object *o = rd_next(p);
  int rc;
  if (o == NULL)
    return rd_fail(p, "missing feed");
  if ((rc = rd_open(&r, o, 4)) != 0 || (rc = rd_bool(&r, &feed->up)) != 0 ||
      (rc = rd_u64(&r, &feed->connects)) != 0 ||
      (rc = rd_u64(&r, &feed->last_event_ms)) != 0)
    return rc;
  return rd_str(&r, feed->last_error, sizeof feed->last_error);
}

static int read_followers(rd_t *p, ct_status_t *st) {
  rd_t r = { .err = p->err, .err_size = p->err_size, .what = "followers" };
  const msgpack_object *o = rd_next(p);
  int rc = 0;
  if (o == NULL || o->type != MSGPACK_OBJECT_ARRAY ||
      o->via.array.size > CT_STATUS_FOLLOWERS_MAX)
    return rd_fail(p, "bad follower list");
  if (o->via.array.size > 0 &&
      (st->followers = calloc(o->via.array.size, sizeof *st->followers)) ==
          NULL)
    return CT_ENOMEM;
  st->n_followers = o->via.array.size;
  if ((rc = rd_open(&r, o, o->via.array.size)) != 0)
    return rc;
  for (size_t i = 0; i < st->n_followers && rc == 0; i++)
    rc = read_follower(&r, &st->followers[i]);
  return rc;
}

int ct_store_status_get(ct_store_txn_t *t, ct_status_t *out) {
  MDB_val k = { sizeof KEY_STATUS - 1, KEY_STATUS };
  msgpack_unpacked u;
  rd_t r = { .err_size = sizeof t->err, .what = "status" };
  int rc;
  if (t == NULL || out == NULL)
    return CT_EINVAL;
  memset(out, 0, sizeof *out);
  r.err = t->err;
  if ((rc = get_obj(t, &k, "status", &u)) != 0)
    return rc;
  if ((rc = rd_open(&r, &u.data, 5)) == 0 &&
      (rc = rd_version(&r, STATUS_VERSION)) == 0 &&
      (rc = rd_u64(&r, &out->written_ms)) == 0 &&
      (rc = rd_i64(&r, &out->pid)) == 0 &&
      (rc = read_feed(&r, &out->feed)) == 0)
    rc = read_followers(&r, out);
  msgpack_unpacked_destroy(&u);
  if (rc != 0)
    ct_status_clear(out);
  return rc;
}

void ct_status_clear(ct_status_t *st) {
  if (st == NULL)
    return;
  free(st->followers);
  memset(st, 0, sizeof *st);
}
