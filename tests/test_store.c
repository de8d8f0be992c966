/*
 * Tests for the state store (store.c, store_records.c, store_codec.c) on
 * real LMDB files in a temporary directory: round trips of every record,
 * batches and aborts, reopen, the indexes and recovery walks, daily
 * counters across the IST date line, the run record (unclean, reboot),
 * corrupted values (CT_EPROTO, never a crash). The kill -9 test is in
 * test_store_crash.c.
 */
#include "ct_test.h"

#include <lmdb.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/error.h"
#include "copytrader/store.h"
#include "store_fixture.h"

#include "../src/engine/store_int.h"

typedef struct fx {
  char *dir;
  ct_store_t *s;
} fx_t;

static int setup(void **state) {
  fx_t *f = calloc(1, sizeof *f);
  f->dir = ct_test_tmpdir("ct-store");
  f->s = open_store(f->dir, NULL);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx_t *f = *state;
  ct_store_close(f->s);
  ct_test_rmtree(f->dir);
  free(f->dir);
  free(f);
  return 0;
}

static void reopen(fx_t *f, ct_store_open_info_t *info) {
  ct_store_close(f->s);
  f->s = open_store(f->dir, info);
}

static void begin(fx_t *f, bool w, ct_store_txn_t *t) {
  assert_int_equal(ct_store_txn_begin(f->s, w, t), 0);
}

static void test_round_trip_and_reopen(void **state) {
  fx_t *f = *state;
  ct_store_txn_t t;
  ct_store_open_info_t info;
  ct_leader_state_t l = leader("L1"), l2;
  ct_decision_t d = decision("L1", "F1"), d2;
  ct_forder_t o = forder("L1", "F1", "ctABC", CT_FPHASE_ACKED), o2;
  char inst[33];
  o.intent = CT_FINTENT_MODIFY;
  o.intent_seq = 2;
  o.mods_applied = 2;
  o.attempts = 3;
  o.diverged = true;
  o.status = CT_DHAN_STATUS_PENDING;
  strcpy(o.order_id, "952411240001");
  strcpy(o.reject_code, "DH-906");
  o.filled_qty = 10;
  o.trigger_price = 99.95;
  o.avg_price = 100.25;
  d.kind = CT_DECISION_SKIP;
  strcpy(d.skip_reason, "ZERO_QTY");
  strcpy(inst, ct_store_instance_id(f->s));
  assert_int_equal(strlen(inst), 32);
  begin(f, true, &t);
  assert_int_equal(ct_store_leader_put(&t, &l), 0);
  assert_int_equal(ct_store_decision_put(&t, &d), 0);
  assert_int_equal(ct_store_forder_put(&t, &o), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
  reopen(f, &info);
  assert_false(info.created);
  assert_false(info.unclean);
  assert_string_equal(ct_store_instance_id(f->s), inst);
  begin(f, false, &t);
  assert_int_equal(ct_store_leader_get(&t, "L1", &l2), 0);
  assert_memory_equal(&l, &l2, sizeof l);
  assert_int_equal(ct_store_decision_get(&t, "L1", "F1", &d2), 0);
  assert_memory_equal(&d, &d2, sizeof d);
  assert_int_equal(ct_store_forder_get(&t, "F1", "ctABC", &o2), 0);
  assert_memory_equal(&o, &o2, sizeof o);
  assert_int_equal(ct_store_leader_get(&t, "L2", &l2), CT_ENOTFOUND);
  assert_int_equal(ct_store_decision_get(&t, "L1", "F2", &d2), CT_ENOTFOUND);
  assert_int_equal(ct_store_forder_get(&t, "F1", "ctABD", &o2), CT_ENOTFOUND);
  ct_store_txn_abort(&t);
}

static void test_bad_arguments(void **state) {
  fx_t *f = *state;
  ct_store_txn_t t;
  ct_leader_state_t l = leader("L1");
  char longid[64];
  ct_store_config_t cfg = { NULL, 0, CT_STORE_SYNC };
  ct_store_t *s;
  assert_int_equal(ct_store_open(&cfg, &s, NULL), CT_EINVAL);
  memset(longid, 'x', sizeof longid - 1);
  longid[sizeof longid - 1] = '\0';
  begin(f, false, &t);
  assert_int_equal(ct_store_leader_put(&t, &l), CT_ESTATE);
  assert_int_equal(ct_store_leader_get(&t, "", &l), CT_EINVAL);
  assert_int_equal(ct_store_leader_get(&t, longid, &l), CT_EINVAL);
  assert_int_equal(ct_store_forder_get(&t, "F1", NULL, NULL), CT_EINVAL);
  ct_store_txn_abort(&t);
  ct_store_txn_abort(&t); /* twice is harmless */
  begin(f, true, &t);
  l.order_id[0] = '\0';
  assert_int_equal(ct_store_leader_put(&t, &l), CT_EINVAL);
  ct_store_txn_abort(&t);
  assert_int_equal(ct_store_txn_commit(&t), CT_EINVAL);
}

static void test_batch_commit_and_abort(void **state) {
  fx_t *f = *state;
  ct_store_txn_t t;
  ct_forder_t o;
  char fid[16], cid[32];
  for (int round = 0; round < 2; round++) {
    begin(f, true, &t);
    for (int i = 0; i < 100; i++) {
      snprintf(fid, sizeof fid, "F%03d", i);
      snprintf(cid, sizeof cid, "ct%d", round);
      o = forder("L9", fid, cid, CT_FPHASE_INTENT);
      assert_int_equal(ct_store_forder_put(&t, &o), 0);
    }
    if (round == 0)
      ct_store_txn_abort(&t);
    else
      assert_int_equal(ct_store_txn_commit(&t), 0);
  }
  begin(f, false, &t);
  assert_int_equal(ct_store_forder_get(&t, "F000", "ct0", &o), CT_ENOTFOUND);
  assert_int_equal(ct_store_forder_get(&t, "F099", "ct0", &o), CT_ENOTFOUND);
  assert_int_equal(ct_store_forder_get(&t, "F000", "ct1", &o), 0);
  assert_int_equal(ct_store_forder_get(&t, "F099", "ct1", &o), 0);
  ct_store_txn_abort(&t);
}

typedef struct collect {
  int n;
  char ids[16][64];
} collect_t;

static int on_forder(const ct_forder_t *o, void *ctx) {
  collect_t *c = ctx;
  snprintf(c->ids[c->n++ % 16], 64, "%s/%s", o->follower_id, o->correlation_id);
  return 0;
}

static int on_leader(const ct_leader_state_t *l, void *ctx) {
  collect_t *c = ctx;
  snprintf(c->ids[c->n++ % 16], 64, "%s", l->order_id);
  return 0;
}

static int on_decision(const ct_decision_t *d, void *ctx) {
  collect_t *c = ctx;
  snprintf(c->ids[c->n++ % 16], 64, "%s", d->follower_id);
  return 0;
}

static int stop_at_first(const ct_forder_t *o, void *ctx) {
  (void)o;
  (void)ctx;
  return 42;
}

static void put_forder(ct_store_txn_t *t, const char *lid, const char *fid,
                       const char *cid, ct_forder_phase_t ph) {
  ct_forder_t o = forder(lid, fid, cid, ph);
  assert_int_equal(ct_store_forder_put(t, &o), 0);
}

static size_t n_open_of(fx_t *f, const char *fid) {
  ct_store_txn_t t;
  collect_t c = { 0 };
  begin(f, false, &t);
  assert_int_equal(ct_store_each_open_forder_of(&t, fid, on_forder, &c), 0);
  ct_store_txn_abort(&t);
  return c.n;
}

static void replace1(fx_t *f, const ct_forder_t *old, const ct_forder_t *o) {
  ct_store_txn_t t;
  begin(f, true, &t);
  assert_int_equal(ct_store_forder_replace(&t, old, o), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
}

/* ct_store_forder_replace keeps `open` and `byleader` as a put does, from
 * the record the caller holds; another order's record is refused. */
static void test_forder_replace(void **state) {
  fx_t *f = *state;
  ct_store_txn_t t;
  collect_t c = { 0 };
  ct_forder_t a = forder("A1", "F1", "c1", CT_FPHASE_INTENT), old, b;
  replace1(f, NULL, &a); /* new */
  assert_int_equal(n_open_of(f, "F1"), 1);
  old = a;
  a.phase = CT_FPHASE_ACKED; /* open -> open */
  replace1(f, &old, &a);
  assert_int_equal(n_open_of(f, "F1"), 1);
  old = a;
  a.phase = CT_FPHASE_DONE; /* open -> final: leaves `open` */
  replace1(f, &old, &a);
  assert_int_equal(n_open_of(f, "F1"), 0);
  old = a;
  a.filled_qty = 5; /* final -> final */
  replace1(f, &old, &a);
  assert_int_equal(n_open_of(f, "F1"), 0);
  begin(f, false, &t);
  assert_int_equal(ct_store_each_forder_of(&t, "A1", "F1", on_forder, &c), 0);
  assert_int_equal(c.n, 1);
  assert_int_equal(ct_store_forder_get(&t, "F1", "c1", &b), 0);
  assert_int_equal(b.filled_qty, 5);
  ct_store_txn_abort(&t);
  b = forder("A1", "F1", "c2", CT_FPHASE_INTENT);
  begin(f, true, &t);
  assert_int_equal(ct_store_forder_replace(&t, &a, &b), CT_EINVAL);
  ct_store_txn_abort(&t);
}

static bool none(const ct_leader_state_t *st, void *ctx) {
  (void)st;
  (void)ctx;
  return false;
}

static bool quantity_over_5(const ct_leader_state_t *st, void *ctx) {
  (void)ctx;
  return st->quantity > 5;
}

/* Leader orders copied out of the store, filtered; nothing to free when
 * none matches. */
static void test_collect_leaders(void **state) {
  fx_t *f = *state;
  ct_store_txn_t t;
  ct_leader_state_t a = leader("A1"), b = leader("A2"), c = leader("A3");
  ct_leader_state_t *out = NULL;
  size_t n = 99;
  a.quantity = 10;
  b.quantity = 1;
  c.quantity = 7;
  begin(f, true, &t);
  assert_int_equal(ct_store_leader_put(&t, &a), 0);
  assert_int_equal(ct_store_leader_put(&t, &b), 0);
  assert_int_equal(ct_store_leader_put(&t, &c), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
  begin(f, false, &t);
  assert_int_equal(
      ct_store_collect_leaders(&t, quantity_over_5, NULL, &out, &n), 0);
  assert_int_equal(n, 2);
  assert_string_equal(out[0].order_id, "A1");
  assert_string_equal(out[1].order_id, "A3");
  assert_int_equal(out[1].quantity, 7);
  free(out);
  assert_int_equal(ct_store_collect_leaders(&t, NULL, NULL, &out, &n), 0);
  assert_int_equal(n, 3);
  free(out);
  assert_int_equal(ct_store_collect_leaders(&t, none, NULL, &out, &n), 0);
  assert_null(out);
  assert_int_equal(n, 0);
  ct_store_txn_abort(&t);
}

/* The per-follower walks are prefix walks that never run into a longer
 * id ("F1" is not "F12") nor another leader order's entries. */
static void test_per_follower_walks(void **state) {
  fx_t *f = *state;
  ct_store_txn_t t;
  collect_t c = { 0 };
  ct_leader_state_t a = leader("A1"), b = leader("A12");
  begin(f, true, &t);
  assert_int_equal(ct_store_leader_put(&t, &a), 0);
  assert_int_equal(ct_store_leader_put(&t, &b), 0);
  put_forder(&t, "A1", "F1", "c1", CT_FPHASE_SENT);
  put_forder(&t, "A1", "F12", "c2", CT_FPHASE_INTENT);
  put_forder(&t, "A12", "F1", "c3", CT_FPHASE_UNKNOWN);
  put_forder(&t, "A1", "F1", "c4", CT_FPHASE_REJECTED); /* PLACE: final */
  assert_int_equal(ct_store_txn_commit(&t), 0);

  begin(f, false, &t);
  assert_int_equal(ct_store_each_forder_of(&t, "A1", "F1", on_forder, &c), 0);
  assert_int_equal(c.n, 2);
  assert_string_equal(c.ids[0], "F1/c1");
  assert_string_equal(c.ids[1], "F1/c4");
  c.n = 0;
  assert_int_equal(ct_store_each_open_forder_of(&t, "F1", on_forder, &c), 0);
  assert_int_equal(c.n, 2);
  assert_string_equal(c.ids[0], "F1/c1");
  assert_string_equal(c.ids[1], "F1/c3");
  c.n = 0;
  assert_int_equal(ct_store_each_open_forder_of(&t, "F12", on_forder, &c), 0);
  assert_int_equal(c.n, 1);
  assert_string_equal(c.ids[0], "F12/c2");
  c.n = 0; /* every order of F1, the rejected one too, not F12's */
  assert_int_equal(ct_store_each_forder_of_follower(&t, "F1", on_forder, &c),
                   0);
  assert_int_equal(c.n, 3);
  assert_string_equal(c.ids[0], "F1/c1");
  assert_string_equal(c.ids[1], "F1/c3");
  assert_string_equal(c.ids[2], "F1/c4");
  c.n = 0;
  assert_int_equal(ct_store_each_forder_of(&t, "A1", "F9", on_forder, &c), 0);
  assert_int_equal(c.n, 0);
  assert_int_equal(ct_store_each_forder_of_follower(&t, "", on_forder, &c),
                   CT_EINVAL);
  assert_int_equal(ct_store_each_open_forder_of(&t, "", on_forder, &c),
                   CT_EINVAL);
  assert_int_equal(ct_store_each_forder_of(&t, "A1", NULL, on_forder, &c),
                   CT_EINVAL);
  ct_store_txn_abort(&t);
}

static void test_indexes_and_recovery_walks(void **state) {
  fx_t *f = *state;
  ct_store_txn_t t;
  collect_t c = { 0 };
  ct_leader_state_t a = leader("A1"), b = leader("A12");
  ct_decision_t d;
  begin(f, true, &t);
  assert_int_equal(ct_store_leader_put(&t, &a), 0);
  assert_int_equal(ct_store_leader_put(&t, &b), 0);
  put_forder(&t, "A1", "F2", "c1", CT_FPHASE_INTENT);
  put_forder(&t, "A1", "F1", "c2", CT_FPHASE_SENT);
  put_forder(&t, "A12", "F1", "c3", CT_FPHASE_UNKNOWN);
  put_forder(&t, "A12", "F3", "c4", CT_FPHASE_REJECTED); /* PLACE: final */
  d = decision("A1", "F2");
  assert_int_equal(ct_store_decision_put(&t, &d), 0);
  d = decision("A1", "F1");
  assert_int_equal(ct_store_decision_put(&t, &d), 0);
  d = decision("A12", "F1");
  assert_int_equal(ct_store_decision_put(&t, &d), 0);
  assert_int_equal(ct_store_decisions_done(&t, "A1"), 0);
  assert_int_equal(ct_store_decisions_done(&t, "nope"), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);

  begin(f, false, &t);
  assert_int_equal(ct_store_each_forder_of_leader(&t, "A1", on_forder, &c), 0);
  assert_int_equal(c.n, 2); /* not A12's */
  assert_string_equal(c.ids[0], "F1/c2");
  assert_string_equal(c.ids[1], "F2/c1");
  c.n = 0;
  assert_int_equal(ct_store_each_decision(&t, "A1", on_decision, &c), 0);
  assert_int_equal(c.n, 2);
  assert_string_equal(c.ids[0], "F1");
  c.n = 0;
  assert_int_equal(ct_store_each_open_forder(&t, on_forder, &c), 0);
  assert_int_equal(c.n, 3);
  assert_string_equal(c.ids[0], "F1/c2");
  assert_string_equal(c.ids[1], "F1/c3");
  assert_string_equal(c.ids[2], "F2/c1");
  c.n = 0;
  assert_int_equal(ct_store_each_undecided(&t, on_leader, &c), 0);
  assert_int_equal(c.n, 1);
  assert_string_equal(c.ids[0], "A12");
  c.n = 0;
  assert_int_equal(ct_store_each_leader(&t, on_leader, &c), 0);
  assert_int_equal(c.n, 2);
  assert_int_equal(ct_store_each_open_forder(&t, stop_at_first, NULL), 42);
  ct_store_txn_abort(&t);

  /* Acks and final states leave `open`; a re-put of a leader does not
   * re-enter `undecided`. */
  begin(f, true, &t);
  put_forder(&t, "A1", "F1", "c2", CT_FPHASE_DONE);
  put_forder(&t, "A12", "F1", "c3", CT_FPHASE_ACKED);
  assert_int_equal(ct_store_leader_put(&t, &a), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
  begin(f, false, &t);
  c.n = 0;
  assert_int_equal(ct_store_each_open_forder(&t, on_forder, &c), 0);
  assert_int_equal(c.n, 2);
  assert_string_equal(c.ids[0], "F1/c3");
  assert_string_equal(c.ids[1], "F2/c1");
  c.n = 0;
  assert_int_equal(ct_store_each_undecided(&t, on_leader, &c), 0);
  assert_int_equal(c.n, 1);
  ct_store_txn_abort(&t);
}

static void test_snapshot_isolation(void **state) {
  fx_t *f = *state;
  ct_store_txn_t r, w, r2;
  ct_leader_state_t l = leader("L5"), out;
  begin(f, false, &r);
  begin(f, true, &w);
  assert_int_equal(ct_store_leader_put(&w, &l), 0);
  assert_int_equal(ct_store_txn_commit(&w), 0);
  assert_int_equal(ct_store_leader_get(&r, "L5", &out), CT_ENOTFOUND);
  begin(f, false, &r2);
  assert_int_equal(ct_store_leader_get(&r2, "L5", &out), 0);
  ct_store_txn_abort(&r);
  ct_store_txn_abort(&r2);
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s) {
  struct tm tm = { 0 };
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return (int64_t)timegm(&tm);
}

static void test_daily_counter_rollover(void **state) {
  fx_t *f = *state;
  ct_store_txn_t t;
  int64_t n = -1;
  int32_t d1 = ct_ist_date(utc(2026, 11, 24, 18, 29, 59));
  int32_t d2 = ct_ist_date(utc(2026, 11, 24, 18, 30, 0));
  assert_int_equal(d1, 20261124); /* 23:59:59 IST */
  assert_int_equal(d2, 20261125); /* 00:00:00 IST */
  assert_int_equal(ct_ist_date(utc(2026, 12, 31, 20, 0, 0)), 20270101);
  begin(f, true, &t);
  assert_int_equal(ct_store_orders_today(&t, "F1", d1, &n), 0);
  assert_int_equal(n, 0);
  assert_int_equal(ct_store_orders_today_add(&t, "F1", d1, 3, &n), 0);
  assert_int_equal(n, 3);
  assert_int_equal(ct_store_orders_today_add(&t, "F1", d1, 2, NULL), 0);
  assert_int_equal(ct_store_orders_today_add(&t, "F2", d1, 1, &n), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
  reopen(f, NULL);
  begin(f, true, &t);
  assert_int_equal(ct_store_orders_today(&t, "F1", d1, &n), 0);
  assert_int_equal(n, 5);
  assert_int_equal(ct_store_orders_today(&t, "F1", d2, &n), 0);
  assert_int_equal(n, 0);
  assert_int_equal(ct_store_orders_today_add(&t, "F1", d2, 1, &n), 0);
  assert_int_equal(n, 1);
  assert_int_equal(ct_store_orders_today(&t, "F1", d1, &n), 0);
  assert_int_equal(n, 0); /* yesterday's count is gone */
  assert_int_equal(ct_store_orders_today(&t, "F2", d1, &n), 0);
  assert_int_equal(n, 1);
  ct_store_txn_abort(&t);
}

/* --- raw LMDB access, to corrupt values and fake earlier runs ----------- */

typedef struct sbuf_pk {
  msgpack_sbuffer sb;
  msgpack_packer pk;
} sbuf_pk_t;

static void pk_init(sbuf_pk_t *p) {
  msgpack_sbuffer_init(&p->sb);
  msgpack_packer_init(&p->pk, &p->sb, msgpack_sbuffer_write);
}

static void pk_str(msgpack_packer *pk, const char *s) {
  msgpack_pack_str(pk, strlen(s));
  msgpack_pack_str_body(pk, s, strlen(s));
}

static void fake_run(const char *dir, const char *boot, bool clean, int dur) {
  sbuf_pk_t p;
  pk_init(&p);
  msgpack_pack_array(&p.pk, 4);
  msgpack_pack_uint8(&p.pk, 1);
  pk_str(&p.pk, boot);
  if (clean)
    msgpack_pack_true(&p.pk);
  else
    msgpack_pack_false(&p.pk);
  msgpack_pack_int(&p.pk, dur);
  raw_put(dir, "meta", "run", 3, p.sb.data, p.sb.size);
  msgpack_sbuffer_destroy(&p.sb);
}

static void test_run_record(void **state) {
  fx_t *f = *state;
  ct_store_open_info_t info;
  char boot[40] = "";
  FILE *bf = fopen("/proc/sys/kernel/random/boot_id", "r");
  assert_non_null(bf);
  assert_non_null(fgets(boot, sizeof boot, bf));
  fclose(bf);
  boot[strcspn(boot, "\n")] = '\0';
  ct_store_close(f->s);
  fake_run(f->dir, boot, false, CT_STORE_NOSYNC); /* killed, same boot */
  f->s = open_store(f->dir, &info);
  assert_true(info.unclean);
  assert_false(info.rebooted);
  assert_false(info.may_have_lost_commits);
  ct_store_close(f->s);
  fake_run(f->dir, "another-boot", false, CT_STORE_NOSYNC);
  f->s = open_store(f->dir, &info);
  assert_true(info.unclean);
  assert_true(info.rebooted);
  assert_true(info.may_have_lost_commits);
  ct_store_close(f->s);
  fake_run(f->dir, "another-boot", false, CT_STORE_SYNC);
  f->s = open_store(f->dir, &info);
  assert_false(info.may_have_lost_commits); /* SYNC loses nothing */
  reopen(f, &info);
  assert_false(info.unclean);
}

/* Each bad value must give CT_EPROTO and a message naming db and key. */
static void expect_corrupt(fx_t *f, const void *val, size_t len) {
  ct_store_txn_t t;
  ct_forder_t o;
  collect_t c = { 0 };
  ct_store_close(f->s);
  raw_put(f->dir, "forder", "F1\0ctX", 6, val, len);
  f->s = open_store(f->dir, NULL);
  begin(f, false, &t);
  assert_int_equal(ct_store_forder_get(&t, "F1", "ctX", &o), CT_EPROTO);
  assert_non_null(strstr(t.err, "db=forder key=F1"));
  assert_int_equal(ct_store_each_open_forder(&t, on_forder, &c), CT_EPROTO);
  ct_store_txn_abort(&t);
}

/* A valid follower order F1/ctX, so that `open` lists it. */
static void seed_open(fx_t *f) {
  ct_store_txn_t t;
  ct_forder_t o = forder("L1", "F1", "ctX", CT_FPHASE_INTENT);
  begin(f, true, &t);
  assert_int_equal(ct_store_forder_put(&t, &o), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
}

static void test_corrupt_values(void **state) {
  fx_t *f = *state;
  sbuf_pk_t p;
  unsigned char garbage[64];
  seed_open(f);
  expect_corrupt(f, "", 0);
  for (size_t i = 0; i < sizeof garbage; i++)
    garbage[i] = (unsigned char)(i * 37 + 11);
  expect_corrupt(f, garbage, sizeof garbage);
  /* Counts that msgpack-c would allocate before noticing the value is
   * five bytes long: an array32 of 4G items, and one nested in a field. */
  expect_corrupt(f, "\xdd\xff\xff\xff\xff", 5);
  expect_corrupt(f, "\x92\x01\xdf\x7f\xff\xff\xff\x01", 8);
  pk_init(&p); /* a map instead of an array */
  msgpack_pack_map(&p.pk, 0);
  expect_corrupt(f, p.sb.data, p.sb.size);
  msgpack_sbuffer_clear(&p.sb); /* unknown version */
  msgpack_pack_array(&p.pk, 2);
  msgpack_pack_uint8(&p.pk, 99);
  msgpack_pack_int(&p.pk, 0);
  expect_corrupt(f, p.sb.data, p.sb.size);
  msgpack_sbuffer_clear(&p.sb); /* right version, too few fields */
  msgpack_pack_array(&p.pk, 2);
  msgpack_pack_uint8(&p.pk, 1);
  pk_str(&p.pk, "F1");
  expect_corrupt(f, p.sb.data, p.sb.size);
  msgpack_sbuffer_destroy(&p.sb);
}

/* A valid forder value with one field replaced. */
static void test_corrupt_fields(void **state) {
  fx_t *f = *state;
  seed_open(f);
  for (int which = 0; which < 4; which++) {
    sbuf_pk_t p;
    pk_init(&p);
    msgpack_pack_array(&p.pk, 23);
    msgpack_pack_uint8(&p.pk, 1);
    if (which == 0) /* follower id longer than its buffer */
      pk_str(&p.pk, "F1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    else
      pk_str(&p.pk, "F1");
    for (int i = 0; i < 4; i++)
      pk_str(&p.pk, "x");
    msgpack_pack_int(&p.pk, which == 1 ? 77 : 0); /* part: enum range */
    msgpack_pack_int(&p.pk, which == 2 ? -1 : 0); /* part_index: u32 */
    for (int i = 0; i < 7; i++)
      msgpack_pack_int(&p.pk, 0);
    if (which == 3)
      msgpack_pack_int(&p.pk, 1); /* diverged must be a boolean */
    else
      msgpack_pack_false(&p.pk);
    for (int i = 0; i < 3; i++)
      msgpack_pack_int(&p.pk, 0);
    for (int i = 0; i < 3; i++)
      msgpack_pack_double(&p.pk, 0);
    msgpack_pack_uint64(&p.pk, 0);
    expect_corrupt(f, p.sb.data, p.sb.size);
    msgpack_sbuffer_destroy(&p.sb);
  }
}

/* Flip and cut bytes of valid values many times: the codec answers 0 or
 * CT_EPROTO, never reads out of bounds (the ASan build checks that). */
static void test_corrupt_fuzz(void **state) {
  ct_forder_t o = forder("L1", "F1", "ctX", CT_FPHASE_INTENT), got;
  ct_leader_state_t l = leader("L1"), lgot;
  ct__buf_t b[2];
  unsigned char buf[CT__STORE_VALUE_MAX];
  unsigned seed = 7;
  int eproto = 0, ok = 0;
  (void)state;
  assert_int_equal(ct__store_encode(CT__REC_FORDER, &o, &b[0]), 0);
  assert_int_equal(ct__store_encode(CT__REC_LEADER, &l, &b[1]), 0);
  for (int i = 0; i < 20000; i++) {
    char why[160];
    const ct__buf_t *src = &b[i % 2];
    size_t len = src->len;
    if (rand_r(&seed) % 3 == 0)
      len -= (size_t)rand_r(&seed) % len;
    memcpy(buf, src->data, src->len);
    for (int j = 0; j < 1 + i % 4; j++)
      buf[rand_r(&seed) % len] = (unsigned char)rand_r(&seed);
    memset(&got, 0, sizeof got);
    memset(&lgot, 0, sizeof lgot);
    int rc = i % 2 == 0 ? ct__store_decode(CT__REC_FORDER, buf, len, &got, why,
                                           sizeof why)
                        : ct__store_decode(CT__REC_LEADER, buf, len, &lgot, why,
                                           sizeof why);
    if (rc == CT_EPROTO)
      assert_true(strlen(why) > 0);
    else
      assert_int_equal(rc, 0);
    eproto += rc == CT_EPROTO;
    ok += rc == 0;
  }
  assert_true(eproto > 1000);
  assert_true(ok > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_round_trip_and_reopen, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
    cmocka_unit_test_setup_teardown(test_collect_leaders, setup, teardown),
    cmocka_unit_test_setup_teardown(test_batch_commit_and_abort, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_per_follower_walks, setup, teardown),
    cmocka_unit_test_setup_teardown(test_forder_replace, setup, teardown),
    cmocka_unit_test_setup_teardown(test_indexes_and_recovery_walks, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_snapshot_isolation, setup, teardown),
    cmocka_unit_test_setup_teardown(test_daily_counter_rollover, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_run_record, setup, teardown),
    cmocka_unit_test_setup_teardown(test_corrupt_values, setup, teardown),
    cmocka_unit_test_setup_teardown(test_corrupt_fields, setup, teardown),
    cmocka_unit_test(test_corrupt_fuzz),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
