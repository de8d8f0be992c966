/*
 * Tests for leader_track.c: every change kind, duplicates and stale events,
 * feeds that disagree on which fields they carry, and the same order
 * lifecycle delivered by WebSocket, postback and REST in every order
 * (exhaustively for 7 events, 20000 seeded shuffles for 12): each change
 * acts exactly once and the stored state never goes backwards.
 */
#include "ct_test.h"

#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/leader_track.h"

#define ALL_HAS                                                                \
  (CT_DHAN_HAS_QUANTITY | CT_DHAN_HAS_TRADED_QTY | CT_DHAN_HAS_PRICE |         \
   CT_DHAN_HAS_TRIGGER)

static ct_order_event_t ev(ct_dhan_status_t st, int64_t qty, int64_t traded,
                           double px, const char *time) {
  ct_order_event_t e;
  memset(&e, 0, sizeof e);
  e.source = CT_OEV_SRC_WS;
  strcpy(e.order_id, "1124091136546");
  strcpy(e.security_id, "1333");
  strcpy(e.last_update_time, time);
  e.status = st;
  e.txn = CT_DHAN_TXN_BUY;
  e.segment = CT_DHAN_SEG_NSE_EQ;
  e.product = CT_DHAN_PRODUCT_INTRADAY;
  e.order_type = CT_DHAN_OTYPE_LIMIT;
  e.validity = CT_DHAN_VALIDITY_DAY;
  e.has = ALL_HAS;
  e.quantity = qty;
  e.traded_qty = traded;
  e.price = px;
  return e;
}

/* Track e against *st (NULL-able through `have`), store on APPLY. */
static ct_leader_change_t step(ct_leader_state_t *st, bool *have,
                               const ct_order_event_t *e) {
  ct_leader_change_t c;
  assert_int_equal(ct_leader_track(*have ? st : NULL, e, &c), 0);
  if (c.verdict == CT_LTRACK_APPLY) {
    *st = c.next;
    *have = true;
  }
  return c;
}

static void test_new_then_duplicate(void **state) {
  ct_leader_state_t st;
  bool have = false;
  (void)state;
  ct_order_event_t e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:00");
  ct_leader_change_t c = step(&st, &have, &e);
  assert_int_equal(c.verdict, CT_LTRACK_APPLY);
  assert_int_equal(c.changes, CT_LCHG_NEW);
  assert_int_equal(st.version, 1);
  assert_int_equal(st.quantity, 10);
  assert_string_equal(st.security_id, "1333");
  c = step(&st, &have, &e);
  assert_int_equal(c.verdict, CT_LTRACK_DUPLICATE);
  assert_int_equal(c.changes, 0);
  assert_int_equal(st.version, 1);
  /* The same state from REST without a time: also a duplicate. */
  e.source = CT_OEV_SRC_REST;
  e.last_update_time[0] = '\0';
  c = step(&st, &have, &e);
  assert_int_equal(c.verdict, CT_LTRACK_DUPLICATE);
}

static void test_transit_to_pending_stores_without_action(void **state) {
  ct_leader_state_t st;
  bool have = false;
  (void)state;
  ct_order_event_t a = ev(CT_DHAN_STATUS_TRANSIT, 10, 0, 100, "10:00:00");
  ct_order_event_t b = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:00");
  step(&st, &have, &a);
  ct_leader_change_t c = step(&st, &have, &b);
  assert_int_equal(c.verdict, CT_LTRACK_APPLY);
  assert_int_equal(c.changes, 0);
  assert_int_equal(st.status, CT_DHAN_STATUS_PENDING);
  assert_int_equal(st.version, 2);
  c = step(&st, &have, &a); /* TRANSIT again: lower rank */
  assert_int_equal(c.verdict, CT_LTRACK_STALE);
}

static void check_mod(ct_order_event_t *e2, uint32_t want) {
  ct_leader_state_t st;
  bool have = false;
  ct_order_event_t e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:00");
  step(&st, &have, &e);
  ct_leader_change_t c = step(&st, &have, e2);
  assert_int_equal(c.verdict, CT_LTRACK_APPLY);
  assert_int_equal(c.changes, CT_LCHG_MODIFIED);
  assert_int_equal(c.modified, want);
}

static void test_each_modification(void **state) {
  (void)state;
  ct_order_event_t e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 101, "10:00:01");
  check_mod(&e, CT_LMOD_PRICE);
  e = ev(CT_DHAN_STATUS_PENDING, 12, 0, 100, "10:00:01");
  check_mod(&e, CT_LMOD_QUANTITY);
  e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:01");
  e.trigger_price = 99.5;
  check_mod(&e, CT_LMOD_TRIGGER);
  e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:01");
  e.order_type = CT_DHAN_OTYPE_STOP_LOSS;
  check_mod(&e, CT_LMOD_TYPE);
  e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:01");
  e.validity = CT_DHAN_VALIDITY_IOC;
  check_mod(&e, CT_LMOD_VALIDITY);
  /* Same second, different price: a modification (later arrival wins). */
  e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 102, "10:00:00");
  check_mod(&e, CT_LMOD_PRICE);
}

static void test_older_modification_is_stale(void **state) {
  ct_leader_state_t st;
  bool have = false;
  (void)state;
  ct_order_event_t a = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:05");
  ct_order_event_t b = ev(CT_DHAN_STATUS_PENDING, 10, 0, 99, "10:00:01");
  step(&st, &have, &a);
  ct_leader_change_t c = step(&st, &have, &b);
  assert_int_equal(c.verdict, CT_LTRACK_STALE);
  assert_true(st.price == 100.0);
}

static void test_fills_and_traded(void **state) {
  ct_leader_state_t st;
  bool have = false;
  (void)state;
  ct_order_event_t e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:00");
  step(&st, &have, &e);
  e = ev(CT_DHAN_STATUS_PART_TRADED, 10, 4, 100, "10:00:02");
  e.has |= CT_DHAN_HAS_AVG_PX;
  e.avg_traded_price = 99.9;
  ct_leader_change_t c = step(&st, &have, &e);
  assert_int_equal(c.changes, CT_LCHG_FILL);
  assert_int_equal(c.fill_delta, 4);
  assert_true(st.avg_traded_price == 99.9);
  /* A partial fill spelt PENDING by another feed: duplicate. */
  e = ev(CT_DHAN_STATUS_PENDING, 10, 4, 100, "10:00:02");
  c = step(&st, &have, &e);
  assert_int_equal(c.verdict, CT_LTRACK_DUPLICATE);
  e = ev(CT_DHAN_STATUS_TRADED, 10, 10, 100, "10:00:03");
  c = step(&st, &have, &e);
  assert_int_equal(c.changes, CT_LCHG_FILL | CT_LCHG_TRADED);
  assert_int_equal(c.fill_delta, 6);
  /* A fill event delayed past TRADED: stale, nothing regresses. */
  e = ev(CT_DHAN_STATUS_PART_TRADED, 10, 4, 100, "10:00:02");
  c = step(&st, &have, &e);
  assert_int_equal(c.verdict, CT_LTRACK_STALE);
  assert_int_equal(st.traded_qty, 10);
  assert_int_equal(st.status, CT_DHAN_STATUS_TRADED);
}

static void test_rest_traded_before_ws_pending(void **state) {
  ct_leader_state_t st;
  bool have = false;
  (void)state;
  ct_order_event_t r = ev(CT_DHAN_STATUS_TRADED, 10, 10, 100, "10:00:03");
  r.source = CT_OEV_SRC_REST;
  ct_leader_change_t c = step(&st, &have, &r);
  assert_int_equal(c.changes, CT_LCHG_NEW | CT_LCHG_FILL | CT_LCHG_TRADED);
  assert_int_equal(c.fill_delta, 10);
  ct_order_event_t w = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:00");
  c = step(&st, &have, &w);
  assert_int_equal(c.verdict, CT_LTRACK_STALE);
  assert_int_equal(c.changes, 0);
  assert_int_equal(st.status, CT_DHAN_STATUS_TRADED);
}

static void test_traded_without_quantity_is_full(void **state) {
  ct_leader_state_t st;
  bool have = false;
  (void)state;
  ct_order_event_t e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:00");
  step(&st, &have, &e);
  e = ev(CT_DHAN_STATUS_TRADED, 0, 0, 0, "10:00:09");
  e.has = 0; /* an old postback: status only */
  ct_leader_change_t c = step(&st, &have, &e);
  assert_int_equal(c.changes, CT_LCHG_FILL | CT_LCHG_TRADED);
  assert_int_equal(c.fill_delta, 10);
  assert_int_equal(st.quantity, 10);
  assert_true(st.price == 100.0);
}

static void test_terminal_kinds(void **state) {
  const struct {
    ct_dhan_status_t st;
    uint32_t chg;
  } t[] = { { CT_DHAN_STATUS_CANCELLED, CT_LCHG_CANCELLED },
            { CT_DHAN_STATUS_REJECTED, CT_LCHG_REJECTED },
            { CT_DHAN_STATUS_EXPIRED, CT_LCHG_EXPIRED },
            { CT_DHAN_STATUS_CLOSED, CT_LCHG_CLOSED } };
  (void)state;
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    ct_leader_state_t st;
    bool have = false;
    ct_order_event_t e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:00");
    step(&st, &have, &e);
    e = ev(t[i].st, 10, 0, 100, "10:00:04");
    ct_leader_change_t c = step(&st, &have, &e);
    assert_int_equal(c.changes, t[i].chg);
    /* A second, different final status does not flip it. */
    e = ev(CT_DHAN_STATUS_TRADED, 10, 0, 100, "10:00:05");
    /* (it says traded 0: no fill either) */
    c = step(&st, &have, &e);
    assert_int_equal(c.changes, 0);
    assert_int_equal(st.status, t[i].st);
  }
  /* Rejected at first sight. */
  ct_leader_state_t st;
  bool have = false;
  ct_order_event_t e = ev(CT_DHAN_STATUS_REJECTED, 10, 0, 100, "10:00:00");
  ct_leader_change_t c = step(&st, &have, &e);
  assert_int_equal(c.changes, CT_LCHG_NEW | CT_LCHG_REJECTED);
}

static void test_fill_seen_after_cancel(void **state) {
  ct_leader_state_t st;
  bool have = false;
  (void)state;
  ct_order_event_t e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:00");
  step(&st, &have, &e);
  e = ev(CT_DHAN_STATUS_CANCELLED, 10, 0, 100, "10:00:05");
  e.has &= ~CT_DHAN_HAS_TRADED_QTY;
  step(&st, &have, &e);
  /* The partial fill before the cancel, delivered late. */
  e = ev(CT_DHAN_STATUS_PART_TRADED, 10, 3, 100, "10:00:04");
  ct_leader_change_t c = step(&st, &have, &e);
  assert_int_equal(c.changes, CT_LCHG_FILL);
  assert_int_equal(c.fill_delta, 3);
  assert_int_equal(st.status, CT_DHAN_STATUS_CANCELLED);
  /* A modification of a final order is ignored. */
  e = ev(CT_DHAN_STATUS_CANCELLED, 10, 3, 105, "10:00:06");
  c = step(&st, &have, &e);
  assert_int_equal(c.changes, 0);
  assert_true(st.price == 100.0);
}

static void test_missing_fields_keep_stored(void **state) {
  ct_leader_state_t st;
  bool have = false;
  (void)state;
  ct_order_event_t e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:00");
  step(&st, &have, &e);
  e = ev(CT_DHAN_STATUS_PENDING, 0, 0, 0, "10:00:00");
  e.has = 0;
  e.order_type = 0;
  e.validity = 0;
  e.security_id[0] = '\0';
  ct_leader_change_t c = step(&st, &have, &e);
  assert_int_equal(c.verdict, CT_LTRACK_DUPLICATE);
  assert_int_equal(st.quantity, 10);
  assert_string_equal(st.security_id, "1333");
}

static void test_invalid(void **state) {
  ct_leader_change_t c;
  ct_leader_state_t st;
  (void)state;
  ct_order_event_t e = ev(CT_DHAN_STATUS_PENDING, 10, 0, 100, "10:00:00");
  assert_int_equal(ct_leader_track(NULL, NULL, &c), CT_EINVAL);
  assert_int_equal(ct_leader_track(NULL, &e, NULL), CT_EINVAL);
  assert_int_equal(ct_leader_track(NULL, &e, &c), 0);
  st = c.next;
  strcpy(e.order_id, "other");
  assert_int_equal(ct_leader_track(&st, &e, &c), CT_EINVAL);
  e.order_id[0] = '\0';
  assert_int_equal(ct_leader_track(NULL, &e, &c), CT_EINVAL);
  assert_int_equal(ct_leader_status_rank(CT_DHAN_STATUS_TRANSIT), 1);
  assert_int_equal(ct_leader_final_change(CT_DHAN_STATUS_PENDING), 0);
}

/* --- every delivery order -------------------------------------------------
 * Truth: placed 10 @100; price -> 101; 4 filled; qty -> 12; all 12 filled. */

#define MAXEV 12

static ct_order_event_t truth(int i, ct_order_event_source_t src) {
  static const struct {
    ct_dhan_status_t st;
    int64_t qty, traded;
    double px;
    const char *t;
  } s[] = { { CT_DHAN_STATUS_PENDING, 10, 0, 100, "2026-11-24 10:00:00" },
            { CT_DHAN_STATUS_PENDING, 10, 0, 101, "2026-11-24 10:00:05" },
            { CT_DHAN_STATUS_PART_TRADED, 10, 4, 101, "2026-11-24 10:00:07" },
            { CT_DHAN_STATUS_PART_TRADED, 12, 4, 101, "2026-11-24 10:00:09" },
            { CT_DHAN_STATUS_TRADED, 12, 12, 101, "2026-11-24 10:00:11" } };
  ct_order_event_t e = ev(s[i].st, s[i].qty, s[i].traded, s[i].px, s[i].t);
  e.source = src;
  if (src == CT_OEV_SRC_REST)
    e.status = s[i].traded > 0 && s[i].traded < s[i].qty
                   ? CT_DHAN_STATUS_PENDING /* REST may spell it so */
                   : e.status;
  return e;
}

typedef struct run {
  int news, trades, mods, finals_other;
  int64_t filled;
} run_t;

static void run_sequence(const ct_order_event_t *evs, const int *order, int n) {
  ct_leader_state_t st;
  bool have = false;
  run_t r = { 0 };
  int rank = 0;
  int64_t traded = 0;
  for (int i = 0; i < n; i++) {
    const ct_order_event_t *e = &evs[order[i]];
    uint64_t v0 = have ? st.version : 0;
    ct_leader_change_t c = step(&st, &have, e);
    r.news += (c.changes & CT_LCHG_NEW) != 0;
    r.trades += (c.changes & CT_LCHG_TRADED) != 0;
    r.mods += (c.changes & CT_LCHG_MODIFIED) != 0;
    r.finals_other += (c.changes & CT_LCHG_FINAL & ~CT_LCHG_TRADED) != 0;
    if (c.changes & CT_LCHG_FILL)
      r.filled += c.fill_delta;
    assert_int_equal(st.version, v0 + (c.verdict == CT_LTRACK_APPLY));
    assert_true(ct_leader_status_rank(st.status) >= rank);
    assert_true(st.traded_qty >= traded);
    rank = ct_leader_status_rank(st.status);
    traded = st.traded_qty;
    if (i == 0)
      assert_true(c.changes & CT_LCHG_NEW);
    /* Idempotence: the same event twice in a row never acts again. */
    c = step(&st, &have, e);
    assert_int_not_equal(c.verdict, CT_LTRACK_APPLY);
  }
  assert_int_equal(r.news, 1);
  assert_int_equal(r.trades, 1);
  assert_int_equal(r.finals_other, 0);
  assert_int_equal(r.filled, 12);
  assert_in_range(r.mods, 0, 2);
  assert_int_equal(st.status, CT_DHAN_STATUS_TRADED);
  assert_int_equal(st.quantity, 12);
  assert_true(st.price == 101.0);
  assert_string_equal(st.last_update_time, "2026-11-24 10:00:11");
}

static int next_perm(int *a, int n) {
  int i = n - 2, j = n - 1, t;
  while (i >= 0 && a[i] >= a[i + 1])
    i--;
  if (i < 0)
    return 0;
  while (a[j] <= a[i])
    j--;
  t = a[i], a[i] = a[j], a[j] = t;
  for (int l = i + 1, r = n - 1; l < r; l++, r--)
    t = a[l], a[l] = a[r], a[r] = t;
  return 1;
}

static void test_every_order_of_seven(void **state) {
  ct_order_event_t evs[7];
  int order[7], perms = 0;
  (void)state;
  for (int i = 0; i < 5; i++)
    evs[i] = truth(i, CT_OEV_SRC_WS);
  evs[5] = truth(2, CT_OEV_SRC_REST);
  evs[6] = truth(4, CT_OEV_SRC_REST);
  for (int i = 0; i < 7; i++)
    order[i] = i;
  do {
    run_sequence(evs, order, 7);
    perms++;
  } while (next_perm(order, 7));
  assert_int_equal(perms, 5040);
}

static void test_shuffled_three_feeds(void **state) {
  ct_order_event_t evs[MAXEV];
  int order[MAXEV];
  unsigned seed = 12345;
  (void)state;
  for (int i = 0; i < 5; i++) {
    evs[i] = truth(i, CT_OEV_SRC_WS);
    evs[5 + i] = truth(i, CT_OEV_SRC_POSTBACK);
  }
  evs[10] = truth(2, CT_OEV_SRC_REST);
  evs[11] = truth(4, CT_OEV_SRC_REST);
  evs[11].last_update_time[0] = '\0'; /* a REST record without a time */
  evs[11].has &= ~CT_DHAN_HAS_TRADED_QTY;
  for (int r = 0; r < 20000; r++) {
    for (int i = 0; i < MAXEV; i++)
      order[i] = i;
    for (int i = MAXEV - 1; i > 0; i--) {
      int j = (int)(rand_r(&seed) % (unsigned)(i + 1)), t = order[i];
      order[i] = order[j], order[j] = t;
    }
    run_sequence(evs, order, MAXEV);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_new_then_duplicate),
    cmocka_unit_test(test_transit_to_pending_stores_without_action),
    cmocka_unit_test(test_each_modification),
    cmocka_unit_test(test_older_modification_is_stale),
    cmocka_unit_test(test_fills_and_traded),
    cmocka_unit_test(test_rest_traded_before_ws_pending),
    cmocka_unit_test(test_traded_without_quantity_is_full),
    cmocka_unit_test(test_terminal_kinds),
    cmocka_unit_test(test_fill_seen_after_cancel),
    cmocka_unit_test(test_missing_fields_keep_stored),
    cmocka_unit_test(test_invalid),
    cmocka_unit_test(test_every_order_of_seven),
    cmocka_unit_test(test_shuffled_three_feeds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
