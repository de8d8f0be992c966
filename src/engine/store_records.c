/*
 * store_records.c: the record databases of store.h (leader, decision,
 * forder, daily counters), the indexes kept beside them (undecided,
 * byleader, open) and the prefix walks used by the engine and recovery.
 *
 * Keys are ids joined by '\0'. Every part must be non-empty and fit the
 * buffer its record keeps it in, so a key always decodes back into the
 * record and prefixes never run into each other ("A1" is not a prefix of
 * "A12\0...", because the walk's prefix includes the '\0').
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/grow.h"

#define KEY_MAX 128

typedef struct key {
  size_t len;
  char b[KEY_MAX];
} skey_t;

/* Append part (non-empty, shorter than max) and a '\0' unless `last`. */
static int key_add(skey_t *k, const char *part, size_t max, bool last) {
  size_t n;
  if (part == NULL || part[0] == '\0')
    return CT_EINVAL;
  n = strnlen(part, max);
  if (n >= max || k->len + n + 1 > KEY_MAX)
    return CT_EINVAL;
  memcpy(k->b + k->len, part, n);
  k->len += n;
  if (!last)
    k->b[k->len++] = '\0';
  return 0;
}

static int key2(skey_t *k, const char *a, size_t amax, const char *b,
                size_t bmax) {
  k->len = 0;
  if (key_add(k, a, amax, b == NULL) != 0)
    return CT_EINVAL;
  return b == NULL ? 0 : key_add(k, b, bmax, true);
}

static MDB_val mv(skey_t *k) {
  MDB_val v = { k->len, k->b };
  return v;
}

static bool can_write(const ct_store_txn_t *t) {
  return t != NULL && t->mdb_ != NULL && t->write_;
}

static bool can_read(const ct_store_txn_t *t) {
  return t != NULL && t->mdb_ != NULL;
}

#define LID CT_DHAN_ID_SIZE
#define FID CT_DHAN_CLIENT_SIZE
#define CID CT_DHAN_CORRID_SIZE

bool ct_forder_is_terminal(const ct_forder_t *f) {
  return f->phase == CT_FPHASE_DONE ||
         (f->phase == CT_FPHASE_REJECTED && f->intent == CT_FINTENT_PLACE);
}

/* --- leader -------------------------------------------------------------- */

int ct_store_leader_get(ct_store_txn_t *t, const char *id,
                        ct_leader_state_t *out) {
  skey_t k;
  MDB_val kv;
  if (!can_read(t) || out == NULL || key2(&k, id, LID, NULL, 0) != 0)
    return CT_EINVAL;
  kv = mv(&k);
  memset(out, 0, sizeof *out);
  return ct__store_get(t, t->store_->leader, "leader", &kv, CT__REC_LEADER,
                       out);
}

int ct_store_leader_put(ct_store_txn_t *t, const ct_leader_state_t *st) {
  skey_t k;
  MDB_val kv, old, empty = { 0, NULL };
  int rc;
  if (!can_write(t))
    return CT_ESTATE;
  if (st == NULL || key2(&k, st->order_id, LID, NULL, 0) != 0)
    return CT_EINVAL;
  kv = mv(&k);
  rc = mdb_get(t->mdb_, t->store_->leader, &kv, &old);
  if (rc == MDB_NOTFOUND)
    rc = mdb_put(t->mdb_, t->store_->undecided, &kv, &empty, 0);
  if (rc != 0)
    return ct__store_mdb_err(t, rc, "leader_put");
  return ct__store_put(t, t->store_->leader, &kv, CT__REC_LEADER, st);
}

/* --- decision ------------------------------------------------------------ */

int ct_store_decision_get(ct_store_txn_t *t, const char *lid, const char *fid,
                          ct_decision_t *out) {
  skey_t k;
  MDB_val kv;
  if (!can_read(t) || out == NULL || key2(&k, lid, LID, fid, FID) != 0)
    return CT_EINVAL;
  kv = mv(&k);
  memset(out, 0, sizeof *out);
  return ct__store_get(t, t->store_->decision, "decision", &kv,
                       CT__REC_DECISION, out);
}

int ct_store_decision_put(ct_store_txn_t *t, const ct_decision_t *d) {
  skey_t k;
  MDB_val kv;
  if (!can_write(t))
    return CT_ESTATE;
  if (d == NULL || key2(&k, d->leader_order_id, LID, d->follower_id, FID) != 0)
    return CT_EINVAL;
  kv = mv(&k);
  return ct__store_put(t, t->store_->decision, &kv, CT__REC_DECISION, d);
}

int ct_store_decisions_done(ct_store_txn_t *t, const char *lid) {
  skey_t k;
  MDB_val kv;
  int rc;
  if (!can_write(t))
    return CT_ESTATE;
  if (key2(&k, lid, LID, NULL, 0) != 0)
    return CT_EINVAL;
  kv = mv(&k);
  rc = mdb_del(t->mdb_, t->store_->undecided, &kv, NULL);
  return rc == 0 || rc == MDB_NOTFOUND ? 0 : ct__store_mdb_err(t, rc, "del");
}

/* --- follower orders ----------------------------------------------------- */

int ct_store_forder_get(ct_store_txn_t *t, const char *fid, const char *cid,
                        ct_forder_t *out) {
  skey_t k;
  MDB_val kv;
  if (!can_read(t) || out == NULL || key2(&k, fid, FID, cid, CID) != 0)
    return CT_EINVAL;
  kv = mv(&k);
  memset(out, 0, sizeof *out);
  return ct__store_get(t, t->store_->forder, "forder", &kv, CT__REC_FORDER,
                       out);
}

/* `old`: the record f replaces, as the caller read it (NULL: unknown or
 * none, both indexes are checked). */
static int put_indexes(ct_store_txn_t *t, const ct_forder_t *old,
                       const ct_forder_t *f, MDB_val *fkey) {
  skey_t bk;
  MDB_val bkv, empty = { 0, NULL };
  int rc = 0;
  if (old != NULL) { /* byleader is there; open only if changed */
    if (ct_forder_is_terminal(old) == ct_forder_is_terminal(f))
      return 0;
    rc = ct_forder_is_terminal(f)
             ? mdb_del(t->mdb_, t->store_->open, fkey, NULL)
             : mdb_put(t->mdb_, t->store_->open, fkey, &empty, 0);
    return rc == 0 ? 0 : ct__store_mdb_err(t, rc, "index_put");
  }
  bk.len = 0;
  if (key_add(&bk, f->leader_order_id, LID, false) != 0 ||
      key_add(&bk, f->follower_id, FID, false) != 0 ||
      key_add(&bk, f->correlation_id, CID, true) != 0)
    return CT_EINVAL;
  bkv = mv(&bk);
  /* MDB_NOOVERWRITE: an entry that is already there (every update after
   * the first put) is left untouched, so its pages are not copied into
   * the transaction; a missing one in `open` is not touched either. */
  rc = mdb_put(t->mdb_, t->store_->byleader, &bkv, &empty, MDB_NOOVERWRITE);
  rc = rc == MDB_KEYEXIST ? 0 : rc;
  if (rc == 0 && ct_forder_is_terminal(f)) {
    rc = mdb_del(t->mdb_, t->store_->open, fkey, NULL);
    rc = rc == MDB_NOTFOUND ? 0 : rc;
  } else if (rc == 0) {
    rc = mdb_put(t->mdb_, t->store_->open, fkey, &empty, MDB_NOOVERWRITE);
    rc = rc == MDB_KEYEXIST ? 0 : rc;
  }
  return rc == 0 ? 0 : ct__store_mdb_err(t, rc, "index_put");
}

static int forder_put(ct_store_txn_t *t, const ct_forder_t *old,
                      const ct_forder_t *f) {
  skey_t k;
  MDB_val kv;
  int rc;
  if (!can_write(t))
    return CT_ESTATE;
  if (f == NULL || key2(&k, f->follower_id, FID, f->correlation_id, CID) != 0)
    return CT_EINVAL;
  if (old != NULL && (strcmp(old->follower_id, f->follower_id) != 0 ||
                      strcmp(old->correlation_id, f->correlation_id) != 0 ||
                      strcmp(old->leader_order_id, f->leader_order_id) != 0))
    return CT_EINVAL;
  kv = mv(&k);
  if ((rc = put_indexes(t, old, f, &kv)) != 0)
    return rc;
  return ct__store_put(t, t->store_->forder, &kv, CT__REC_FORDER, f);
}

int ct_store_forder_put(ct_store_txn_t *t, const ct_forder_t *f) {
  return forder_put(t, NULL, f);
}

int ct_store_forder_replace(ct_store_txn_t *t, const ct_forder_t *old,
                            const ct_forder_t *f) {
  return forder_put(t, old, f);
}

/* --- walks --------------------------------------------------------------- */

/* Called for each key of a walk; answers like a user callback. */
typedef int (*visit_fn)(ct_store_txn_t *t, MDB_val *key, MDB_val *val,
                        void *ctx);

/* Visit every key of dbi starting with prefix (all keys if len is 0). */
static int walk(ct_store_txn_t *t, MDB_dbi dbi, const skey_t *prefix,
                visit_fn fn, void *ctx) {
  MDB_cursor *c = NULL;
  MDB_val k = { prefix->len, (void *)prefix->b }, v;
  int rc = mdb_cursor_open(t->mdb_, dbi, &c);
  if (rc != 0)
    return ct__store_mdb_err(t, rc, "cursor_open");
  rc = mdb_cursor_get(c, &k, &v, prefix->len ? MDB_SET_RANGE : MDB_FIRST);
  while (rc == 0) {
    if (k.mv_size < prefix->len || memcmp(k.mv_data, prefix->b, prefix->len))
      break;
    if ((rc = fn(t, &k, &v, ctx)) != 0)
      goto done;
    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
  }
  rc = rc == MDB_NOTFOUND || rc == 0 ? 0 : ct__store_mdb_err(t, rc, "walk");
done:
  mdb_cursor_close(c);
  return rc;
}

typedef struct user_cb {
  void *fn;
  void *ctx;
} user_cb_t;

static int visit_decision(ct_store_txn_t *t, MDB_val *k, MDB_val *v,
                          void *ctx) {
  user_cb_t *u = ctx;
  ct_decision_t d = { 0 };
  (void)v;
  int rc = ct__store_get(t, t->store_->decision, "decision", k,
                         CT__REC_DECISION, &d);
  return rc != 0 ? rc : ((ct_store_decision_cb)u->fn)(&d, u->ctx);
}

static int prefix1(skey_t *p, const char *id, size_t max) {
  p->len = 0;
  return key_add(p, id, max, false);
}

int ct_store_each_decision(ct_store_txn_t *t, const char *lid,
                           ct_store_decision_cb cb, void *ctx) {
  skey_t p;
  user_cb_t u = { (void *)cb, ctx };
  if (!can_read(t) || cb == NULL || prefix1(&p, lid, LID) != 0)
    return CT_EINVAL;
  return walk(t, t->store_->decision, &p, visit_decision, &u);
}

static int forder_at(ct_store_txn_t *t, MDB_val *fkey, user_cb_t *u) {
  ct_forder_t f = { 0 };
  int rc =
      ct__store_get(t, t->store_->forder, "forder", fkey, CT__REC_FORDER, &f);
  if (rc == CT_ENOTFOUND)
    rc = CT_EPROTO; /* an index entry without its record */
  return rc != 0 ? rc : ((ct_store_forder_cb)u->fn)(&f, u->ctx);
}

/* byleader key: leader \0 follower \0 corr -> forder key: follower \0 corr */
static int visit_byleader(ct_store_txn_t *t, MDB_val *k, MDB_val *v,
                          void *ctx) {
  const char *p = k->mv_data;
  size_t skip = strnlen(p, k->mv_size) + 1;
  MDB_val fk;
  (void)v;
  if (skip >= k->mv_size)
    return CT_EPROTO;
  fk.mv_data = (char *)p + skip;
  fk.mv_size = k->mv_size - skip;
  return forder_at(t, &fk, ctx);
}

int ct_store_each_forder_of_leader(ct_store_txn_t *t, const char *lid,
                                   ct_store_forder_cb cb, void *ctx) {
  skey_t p;
  user_cb_t u = { (void *)cb, ctx };
  if (!can_read(t) || cb == NULL || prefix1(&p, lid, LID) != 0)
    return CT_EINVAL;
  return walk(t, t->store_->byleader, &p, visit_byleader, &u);
}

int ct_store_each_forder_of(ct_store_txn_t *t, const char *lid, const char *fid,
                            ct_store_forder_cb cb, void *ctx) {
  skey_t p;
  user_cb_t u = { (void *)cb, ctx };
  if (!can_read(t) || cb == NULL || prefix1(&p, lid, LID) != 0 ||
      key_add(&p, fid, FID, false) != 0)
    return CT_EINVAL;
  return walk(t, t->store_->byleader, &p, visit_byleader, &u);
}

static int visit_open(ct_store_txn_t *t, MDB_val *k, MDB_val *v, void *ctx) {
  (void)v;
  return forder_at(t, k, ctx);
}

int ct_store_each_open_forder(ct_store_txn_t *t, ct_store_forder_cb cb,
                              void *ctx) {
  skey_t p = { 0 };
  user_cb_t u = { (void *)cb, ctx };
  if (!can_read(t) || cb == NULL)
    return CT_EINVAL;
  return walk(t, t->store_->open, &p, visit_open, &u);
}

int ct_store_each_open_forder_of(ct_store_txn_t *t, const char *fid,
                                 ct_store_forder_cb cb, void *ctx) {
  skey_t p;
  user_cb_t u = { (void *)cb, ctx };
  if (!can_read(t) || cb == NULL || prefix1(&p, fid, FID) != 0)
    return CT_EINVAL;
  return walk(t, t->store_->open, &p, visit_open, &u);
}

int ct_store_each_forder_of_follower(ct_store_txn_t *t, const char *fid,
                                     ct_store_forder_cb cb, void *ctx) {
  skey_t p;
  user_cb_t u = { (void *)cb, ctx };
  if (!can_read(t) || cb == NULL || prefix1(&p, fid, FID) != 0)
    return CT_EINVAL;
  return walk(t, t->store_->forder, &p, visit_open, &u);
}

static int leader_at(ct_store_txn_t *t, MDB_val *k, user_cb_t *u) {
  ct_leader_state_t st = { 0 };
  int rc =
      ct__store_get(t, t->store_->leader, "leader", k, CT__REC_LEADER, &st);
  if (rc == CT_ENOTFOUND)
    rc = CT_EPROTO;
  return rc != 0 ? rc : ((ct_store_leader_cb)u->fn)(&st, u->ctx);
}

static int visit_leader(ct_store_txn_t *t, MDB_val *k, MDB_val *v, void *ctx) {
  (void)v;
  return leader_at(t, k, ctx);
}

int ct_store_each_undecided(ct_store_txn_t *t, ct_store_leader_cb cb,
                            void *ctx) {
  skey_t p = { 0 };
  user_cb_t u = { (void *)cb, ctx };
  if (!can_read(t) || cb == NULL)
    return CT_EINVAL;
  return walk(t, t->store_->undecided, &p, visit_leader, &u);
}

int ct_store_each_leader(ct_store_txn_t *t, ct_store_leader_cb cb, void *ctx) {
  skey_t p = { 0 };
  user_cb_t u = { (void *)cb, ctx };
  if (!can_read(t) || cb == NULL)
    return CT_EINVAL;
  return walk(t, t->store_->leader, &p, visit_leader, &u);
}

typedef struct lcollect {
  ct_store_leader_pred keep;
  void *ctx;
  ct_leader_state_t *st;
  size_t n, cap;
} lcollect_t;

static int collect_cb(const ct_leader_state_t *st, void *ctx) {
  lcollect_t *c = ctx;
  ct_leader_state_t *p;
  if (c->keep != NULL && !c->keep(st, c->ctx))
    return 0;
  if ((p = ct_grow(c->st, &c->cap, c->n, sizeof(*p), 16)) == NULL)
    return CT_ENOMEM;
  c->st = p;
  c->st[c->n++] = *st;
  return 0;
}

int ct_store_collect_leaders(ct_store_txn_t *t, ct_store_leader_pred keep,
                             void *ctx, ct_leader_state_t **out, size_t *n) {
  lcollect_t c = { keep, ctx, NULL, 0, 0 };
  int rc = ct_store_each_leader(t, collect_cb, &c);
  if (rc != 0) {
    free(c.st);
    c.st = NULL;
    c.n = 0;
  }
  *out = c.st;
  *n = c.n;
  return rc;
}

/* --- daily counters ------------------------------------------------------ */

static int counter_key(skey_t *k, const char *fid) {
  k->len = 0;
  return key_add(k, "count", 8, false) != 0 ? CT_EINVAL
                                            : key_add(k, fid, FID, true);
}

int ct_store_orders_today(ct_store_txn_t *t, const char *fid, int32_t date,
                          int64_t *count) {
  skey_t k;
  MDB_val kv;
  ct__counter_t c = { 0 };
  int rc;
  if (!can_read(t) || count == NULL || counter_key(&k, fid) != 0)
    return CT_EINVAL;
  kv = mv(&k);
  rc = ct__store_get(t, t->store_->meta, "meta", &kv, CT__REC_COUNTER, &c);
  if (rc != 0 && rc != CT_ENOTFOUND)
    return rc;
  *count = rc == 0 && c.date == date ? c.count : 0;
  return 0;
}

int ct_store_orders_today_add(ct_store_txn_t *t, const char *fid, int32_t date,
                              int64_t n, int64_t *count) {
  skey_t k;
  MDB_val kv;
  ct__counter_t c = { date, 0 };
  int rc;
  if (!can_write(t))
    return CT_ESTATE;
  if ((rc = ct_store_orders_today(t, fid, date, &c.count)) != 0)
    return rc;
  c.count += n;
  if (counter_key(&k, fid) != 0)
    return CT_EINVAL;
  kv = mv(&k);
  if ((rc = ct__store_put(t, t->store_->meta, &kv, CT__REC_COUNTER, &c)) != 0)
    return rc;
  if (count != NULL)
    *count = c.count;
  return 0;
}
