/*
 * Record builders shared by the store tests: a leader state, a decision
 * and a follower order with every field set, opening a store on a test
 * directory, and writing a raw value with LMDB itself (a failure fails the
 * calling test).
 */
#ifndef CT_TEST_STORE_FIXTURE_H
#define CT_TEST_STORE_FIXTURE_H

#include <lmdb.h>
#include <string.h>

#include "copytrader/store.h"
#include "ct_test.h"

static inline ct_store_t *open_store(const char *dir,
                                     ct_store_open_info_t *info) {
  ct_store_config_t cfg = { dir, 64u << 20, CT_STORE_SYNC };
  ct_store_t *s = NULL;
  assert_int_equal(ct_store_open(&cfg, &s, info), 0);
  return s;
}

/* Put `val` under `key` in named database `db` of the store in `dir`
 * (closed by the caller) with raw LMDB: a value some other binary wrote. */
static inline void raw_put(const char *dir, const char *db, const void *key,
                           size_t klen, const void *val, size_t vlen) {
  MDB_env *env;
  MDB_txn *txn;
  MDB_dbi dbi;
  MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
  assert_int_equal(mdb_env_create(&env), 0);
  assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
  assert_int_equal(mdb_env_set_mapsize(env, 64u << 20), 0);
  assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), 0);
  assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
  assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
  assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
  assert_int_equal(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

static inline ct_leader_state_t leader(const char *id) {
  ct_leader_state_t l;
  memset(&l, 0, sizeof l);
  strcpy(l.order_id, id);
  strcpy(l.security_id, "1333");
  strcpy(l.correlation_id, "leader-tag");
  strcpy(l.last_update_time, "2026-11-24 10:00:05");
  l.status = CT_DHAN_STATUS_PART_TRADED;
  l.txn = CT_DHAN_TXN_SELL;
  l.segment = CT_DHAN_SEG_NSE_FNO;
  l.product = CT_DHAN_PRODUCT_MARGIN;
  l.order_type = CT_DHAN_OTYPE_STOP_LOSS;
  l.validity = CT_DHAN_VALIDITY_IOC;
  l.leg_no = 2;
  l.quantity = 75;
  l.traded_qty = 25;
  l.price = 101.05;
  l.trigger_price = 100.5;
  l.avg_traded_price = 101.0125;
  l.version = 7;
  l.fingerprint = 0xfedcba9876543210ULL;
  return l;
}

static inline ct_decision_t decision(const char *lid, const char *fid) {
  ct_decision_t d;
  memset(&d, 0, sizeof d);
  strcpy(d.leader_order_id, lid);
  strcpy(d.follower_id, fid);
  strcpy(d.rule, "ratio");
  d.kind = CT_DECISION_SEND;
  d.slices = 3;
  d.qty = 150;
  d.leader_qty = 75;
  d.lot_size = 75;
  d.max_qty = 1800;
  d.multiplier = 2.0;
  d.decided_at_ms = 1764000000123ULL;
  return d;
}

static inline ct_forder_t forder(const char *lid, const char *fid,
                                 const char *cid, ct_forder_phase_t ph) {
  ct_forder_t o;
  memset(&o, 0, sizeof o);
  strcpy(o.leader_order_id, lid);
  strcpy(o.follower_id, fid);
  strcpy(o.correlation_id, cid);
  o.part = CT_CORRID_SLICE;
  o.part_index = 2;
  o.generation = 1;
  o.intent = CT_FINTENT_PLACE;
  o.phase = ph;
  o.quantity = 50;
  o.price = 101.05;
  o.order_type = CT_DHAN_OTYPE_LIMIT;
  o.updated_at_ms = 1764000000999ULL;
  return o;
}

#endif /* CT_TEST_STORE_FIXTURE_H */
