/*
 * The follower's in-memory net positions (src/engine/replicator_pos.c) on
 * a real LMDB store: kept in step through ct__posmap_put/done, it agrees
 * with a fresh rebuild from the store after intents, fills, cancels,
 * rejections, super legs, other followers' orders and an aborted
 * transaction; a decision reads nothing from the store whatever the
 * history (store reads counted by the map); and the account's figure
 * (GET /positions) caps the exit quantity.
 */
#include "ct_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/store.h"
#include "store_fixture.h"

#include "../src/engine/replicator_pos.h"

#define FID "1000000002"

typedef struct pfx {
  char *dir;
  ct_store_t *s;
  ct__posmap_t m;
} pfx_t;

static int setup(void **state) {
  static pfx_t f;
  memset(&f, 0, sizeof f);
  f.dir = ct_test_tmpdir("ct-posmap");
  f.s = open_store(f.dir, NULL);
  assert_int_equal(ct__posmap_init(&f.m, FID), 0);
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  pfx_t *f = *state;
  ct__posmap_close(&f->m);
  ct_store_close(f->s);
  ct_test_rmtree(f->dir);
  free(f->dir);
  return 0;
}

/* A leader order `id` on security `sec` (NSE_FNO, MARGIN), side `txn`. */
static void put_leader(pfx_t *f, const char *id, const char *sec,
                       ct_dhan_txn_t txn) {
  ct_leader_state_t l = leader(id);
  ct_store_txn_t t;
  snprintf(l.security_id, sizeof l.security_id, "%s", sec);
  l.txn = txn;
  assert_int_equal(ct_store_txn_begin(f->s, true, &t), 0);
  assert_int_equal(ct_store_leader_put(&t, &l), 0);
  assert_int_equal(ct_store_txn_commit(&t), 0);
}

static ct_forder_t order(const char *lid, const char *fid, const char *cid,
                         int64_t qty) {
  ct_forder_t o = forder(lid, fid, cid, CT_FPHASE_INTENT);
  o.quantity = qty;
  o.status = CT_DHAN_STATUS_TRANSIT;
  return o;
}

/* Put `n` orders through the map in one write transaction; commit, or
 * abort when `abort_it`. */
static void put_all(pfx_t *f, const ct_forder_t *o, size_t n, bool abort_it) {
  ct_store_txn_t t;
  int rc;
  assert_int_equal(ct_store_txn_begin(f->s, true, &t), 0);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(ct__posmap_put(&f->m, &t, &o[i], NULL, NULL), 0);
  if (abort_it) {
    ct_store_txn_abort(&t);
    rc = CT_EIO;
  } else {
    rc = ct_store_txn_commit(&t);
  }
  ct__posmap_done(&f->m, rc);
}

static void put1(pfx_t *f, const ct_forder_t *o) {
  put_all(f, o, 1, false);
}

/* The map equals one built afresh from the store (rebuilding it first
 * when the map asked for that). */
static void check_same(pfx_t *f) {
  ct__posmap_t b;
  ct_store_txn_t t;
  assert_int_equal(ct_store_txn_begin(f->s, false, &t), 0);
  if (!f->m.built)
    assert_int_equal(ct__posmap_build(&f->m, &t), 0);
  assert_int_equal(ct__posmap_init(&b, FID), 0);
  assert_int_equal(ct__posmap_build(&b, &t), 0);
  ct_store_txn_abort(&t);
  ct__posmap_done(&f->m, 0);
  assert_true(ct__posmap_same(&f->m, &b));
  ct__posmap_close(&b);
}

static void expect(const pfx_t *f, const char *sec, int64_t net, int64_t pb,
                   int64_t ps) {
  ct__pos_t p;
  ct__posmap_get(&f->m, CT_DHAN_SEG_NSE_FNO, CT_DHAN_PRODUCT_MARGIN, sec, &p);
  assert_int_equal(p.net, net);
  assert_int_equal(p.pend[0], pb);
  assert_int_equal(p.pend[1], ps);
}

static void build_now(pfx_t *f) {
  ct_store_txn_t t;
  assert_int_equal(ct_store_txn_begin(f->s, false, &t), 0);
  assert_int_equal(ct__posmap_build(&f->m, &t), 0);
  ct_store_txn_abort(&t);
  ct__posmap_done(&f->m, 0);
}

static void test_map_matches_rebuild(void **state) {
  pfx_t *f = *state;
  ct_forder_t a, b, c, s, other, leg, x[2];
  build_now(f);
  put_leader(f, "L1", "52175", CT_DHAN_TXN_BUY);
  put_leader(f, "L2", "52175", CT_DHAN_TXN_SELL);
  put_leader(f, "L3", "48210", CT_DHAN_TXN_SELL);
  put_leader(f, "L4", "48210", CT_DHAN_TXN_BUY);

  a = order("L1", FID, "cA", 150); /* BUY 150 of 52175: open, unfilled */
  put1(f, &a);
  expect(f, "52175", 0, 150, 0);
  check_same(f);

  a.phase = CT_FPHASE_ACKED; /* part fill, then the rest */
  a.status = CT_DHAN_STATUS_PART_TRADED;
  a.filled_qty = 75;
  put1(f, &a);
  expect(f, "52175", 75, 75, 0);
  check_same(f);
  a.status = CT_DHAN_STATUS_TRADED;
  a.phase = CT_FPHASE_DONE;
  a.filled_qty = 150;
  put1(f, &a);
  expect(f, "52175", 150, 0, 0);
  check_same(f);

  b = order("L2", FID, "cB", 75); /* SELL 75: an exit, pending */
  c = order("L3", FID, "cC", 75); /* SELL 75 of 48210 (short) */
  x[0] = b;
  x[1] = c;
  put_all(f, x, 2, false);
  expect(f, "52175", 150, 0, 75);
  expect(f, "48210", 0, 0, 75);
  check_same(f);

  b.phase = CT_FPHASE_DONE; /* cancelled with 25 filled */
  b.status = CT_DHAN_STATUS_CANCELLED;
  b.filled_qty = 25;
  c.phase = CT_FPHASE_DONE;
  c.status = CT_DHAN_STATUS_TRADED;
  c.filled_qty = 75;
  x[0] = b;
  x[1] = c;
  put_all(f, x, 2, false);
  expect(f, "52175", 125, 0, 0);
  expect(f, "48210", -75, 0, 0);
  check_same(f);

  b.filled_qty = 50; /* a late fill of a settled order (book merge) */
  put1(f, &b);
  expect(f, "52175", 100, 0, 0);
  check_same(f);

  s = order("L4", FID, "cS", 75); /* rejected: no share */
  s.phase = CT_FPHASE_REJECTED;
  s.status = CT_DHAN_STATUS_REJECTED;
  put1(f, &s);
  leg = order("L4", FID, "cLeg", 75); /* a super entry: not counted */
  leg.part = CT_CORRID_SUPER_LEG;
  leg.filled_qty = 75;
  put1(f, &leg);
  other = order("L4", "1000000003", "cO", 75); /* another follower */
  other.filled_qty = 75;
  put1(f, &other);
  expect(f, "48210", -75, 0, 0);
  check_same(f);

  s = order("L4", FID, "cT", 75); /* aborted: not in the map either */
  s.filled_qty = 75;
  put_all(f, &s, 1, true);
  check_same(f);
  expect(f, "48210", -75, 0, 0);
}

/* ct__posmap_replace with the record the caller holds (or NULL for a new
 * one) keeps the map as a rebuild has it, without reading the store. */
static void replace1(pfx_t *f, const ct_forder_t *old, const ct_forder_t *o) {
  ct_store_txn_t t;
  assert_int_equal(ct_store_txn_begin(f->s, true, &t), 0);
  assert_int_equal(ct__posmap_replace(&f->m, &t, old, o, NULL, NULL), 0);
  ct__posmap_done(&f->m, ct_store_txn_commit(&t));
}

static void test_replace_held_record(void **state) {
  pfx_t *f = *state;
  ct_forder_t a, old;
  uint64_t reads;
  build_now(f);
  put_leader(f, "L1", "52175", CT_DHAN_TXN_BUY);
  reads = f->m.reads;
  a = order("L1", FID, "cA", 150);
  replace1(f, NULL, &a); /* new: open, unfilled */
  expect(f, "52175", 0, 150, 0);
  old = a;
  a.phase = CT_FPHASE_ACKED;
  a.status = CT_DHAN_STATUS_PART_TRADED;
  a.filled_qty = 100;
  replace1(f, &old, &a);
  expect(f, "52175", 100, 50, 0);
  /* one leader read per put (no cache given), no order read */
  assert_int_equal(f->m.reads, reads + 2);
  check_same(f);
}

/* `n` settled, filled BUY orders of the follower in security 1333. */
static void history(pfx_t *f, const char *tag, int n) {
  ct_store_txn_t t;
  put_leader(f, "H", "1333", CT_DHAN_TXN_BUY);
  assert_int_equal(ct_store_txn_begin(f->s, true, &t), 0);
  for (int i = 0; i < n; i++) {
    char cid[32];
    ct_forder_t o;
    snprintf(cid, sizeof cid, "%s%05d", tag, i);
    o = order("H", FID, cid, 75);
    o.phase = CT_FPHASE_DONE;
    o.status = CT_DHAN_STATUS_TRADED;
    o.filled_qty = 75;
    assert_int_equal(ct_store_forder_put(&t, &o), 0);
  }
  assert_int_equal(ct_store_txn_commit(&t), 0);
}

static const ct_leader_state_t *cache(void *ctx, const char *id) {
  (void)id;
  return ctx;
}

/* Store reads of one decision (closing quantity) and of one new intent
 * put through the map, after a history of `n` orders. */
static void costs(pfx_t *f, const char *tag, int n, uint64_t *build,
                  uint64_t *decide, uint64_t *put) {
  ct_leader_state_t st = leader("D");
  ct_forder_t o;
  ct_store_txn_t t;
  uint64_t r0;
  history(f, tag, n);
  ct__posmap_close(&f->m);
  assert_int_equal(ct__posmap_init(&f->m, FID), 0);
  build_now(f);
  *build = f->m.reads;
  r0 = f->m.reads;
  /* a SELL of 1333 against the whole history's long */
  assert_int_equal((int)ct__posmap_closing(&f->m, &st, false),
                   75 * (int)(f->m.reads / 2));
  *decide = f->m.reads - r0;
  r0 = f->m.reads;
  o = order("D", FID, "cD", 75);
  assert_int_equal(ct_store_txn_begin(f->s, true, &t), 0);
  assert_int_equal(ct__posmap_put(&f->m, &t, &o, cache, &st), 0);
  ct_store_txn_abort(&t);
  ct__posmap_done(&f->m, CT_EIO);
  *put = f->m.reads - r0;
}

static void test_decision_cost_flat(void **state) {
  pfx_t *f = *state;
  uint64_t b1, d1, p1, b2, d2, p2;
  costs(f, "a", 10, &b1, &d1, &p1);
  costs(f, "b", 290, &b2, &d2, &p2); /* 300 in the store now */
  assert_true(b2 > b1);              /* the start-up walk grows with history */
  assert_int_equal(b2, 2 * 300);
  assert_int_equal(d1, 0); /* a decision reads nothing */
  assert_int_equal(d2, 0);
  assert_int_equal(p1, 1); /* a put reads the record it replaces */
  assert_int_equal(p2, p1);
}

static void test_account_caps_exit(void **state) {
  pfx_t *f = *state;
  ct_leader_state_t sell = leader("X");
  ct_dhan_position_t pos = { 0 };
  ct_forder_t a;
  build_now(f);
  put_leader(f, "L1", "52175", CT_DHAN_TXN_BUY);
  a = order("L1", FID, "cA", 75);
  a.phase = CT_FPHASE_DONE;
  a.status = CT_DHAN_STATUS_TRADED;
  a.filled_qty = 75;
  put1(f, &a);
  snprintf(sell.security_id, sizeof sell.security_id, "52175");
  sell.txn = CT_DHAN_TXN_SELL;
  assert_int_equal((int)ct__posmap_closing(&f->m, &sell, false), 75);
  assert_int_equal((int)ct__posmap_closing(&f->m, &sell, true), 0); /* none */

  snprintf(pos.security_id, sizeof pos.security_id, "52175");
  pos.segment = CT_DHAN_SEG_NSE_FNO;
  pos.product = CT_DHAN_PRODUCT_MARGIN;
  pos.net_qty = 75;
  ct__posmap_account(&f->m, &pos, 1, 1);
  assert_int_equal((int)ct__posmap_closing(&f->m, &sell, true), 75);
  ct__posmap_account(&f->m, NULL, 0, 2); /* squared off by the broker */
  assert_int_equal((int)ct__posmap_closing(&f->m, &sell, true), 0);
  pos.net_qty = 30; /* partly closed by hand */
  ct__posmap_account(&f->m, &pos, 1, 3);
  assert_int_equal((int)ct__posmap_closing(&f->m, &sell, true), 30);

  a = order("L1", FID, "cB", 75); /* a later engine fill moves both */
  a.phase = CT_FPHASE_DONE;
  a.status = CT_DHAN_STATUS_TRADED;
  a.filled_qty = 75;
  put1(f, &a);
  assert_int_equal((int)ct__posmap_closing(&f->m, &sell, false), 150);
  assert_int_equal((int)ct__posmap_closing(&f->m, &sell, true), 105);
  build_now(f); /* a rebuild keeps the account's figure */
  assert_int_equal((int)ct__posmap_closing(&f->m, &sell, true), 105);
  ct__posmap_account_lost(&f->m);
  assert_int_equal((int)ct__posmap_closing(&f->m, &sell, true), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_map_matches_rebuild, setup, teardown),
    cmocka_unit_test_setup_teardown(test_replace_held_record, setup, teardown),
    cmocka_unit_test_setup_teardown(test_decision_cost_flat, setup, teardown),
    cmocka_unit_test_setup_teardown(test_account_caps_exit, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
