/*
 * bench_store: what recording follower intents costs on the latency path,
 * per leader event, for the durability modes of store.h.
 *
 * One "event" = the intents (ct_forder_t, phase INTENT) of N followers for
 * one leader order, plus the leader state, as the engine writes them
 * before sending. Modes:
 *   (a) sync/txn-per-intent  CT_STORE_SYNC, one transaction per follower
 *   (b) sync/group           CT_STORE_SYNC, one transaction per event
 *   (b') nometasync/group    CT_STORE_NOMETASYNC, one transaction per event
 *   (c) nosync/group         CT_STORE_NOSYNC; ct_store_sync() is off the
 *                            path (timer); its own cost is measured after
 *   (d) nosync/txn-per-intent CT_STORE_NOSYNC, one transaction per
 *                            follower: what the engine does (each follower
 *                            actor commits its own intent)
 * Latency is wall time from the first begin to the last commit of an
 * event. Each case runs until its time budget or event count is used up.
 * sync() us: one ct_store_sync() after a (c) or (d) run, i.e. the timer's
 * cost. The store lives in $TMPDIR (or /tmp): point TMPDIR at the disk you
 * mean to measure; tmpfs makes fsync free. `--quick` stays under 3 s;
 * `--nosync` (after it, or alone) runs the NOSYNC cases only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/error.h"
#include "copytrader/store.h"
#include "ct_test.h"

#define MAX_EVENTS 400

typedef struct bcase {
  const char *name;
  ct_store_durability_t mode;
  bool per_intent;
  int followers;
} bcase_t;

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void make_intent(ct_forder_t *o, const char *lid, int f) {
  memset(o, 0, sizeof *o);
  snprintf(o->follower_id, sizeof o->follower_id, "11000%05d", f);
  snprintf(o->leader_order_id, sizeof o->leader_order_id, "%s", lid);
  snprintf(o->correlation_id, sizeof o->correlation_id, "ct%.12s-%d", lid, f);
  o->part = CT_CORRID_ORDER;
  o->intent = CT_FINTENT_PLACE;
  o->phase = CT_FPHASE_INTENT;
  o->order_type = CT_DHAN_OTYPE_LIMIT;
  o->quantity = 50;
  o->price = 101.05;
}

static int put_event(ct_store_t *s, const bcase_t *c, int ev) {
  ct_store_txn_t t;
  ct_leader_state_t l;
  ct_forder_t o;
  int rc = ct_store_txn_begin(s, true, &t);
  memset(&l, 0, sizeof l);
  snprintf(l.order_id, sizeof l.order_id, "52%010d", ev);
  l.status = CT_DHAN_STATUS_PENDING;
  l.quantity = 50;
  rc = rc ? rc : ct_store_leader_put(&t, &l);
  for (int f = 0; rc == 0 && f < c->followers; f++) {
    make_intent(&o, l.order_id, f);
    rc = ct_store_forder_put(&t, &o);
    if (rc == 0 && c->per_intent && f + 1 < c->followers) {
      rc = ct_store_txn_commit(&t);
      rc = rc ? rc : ct_store_txn_begin(s, true, &t);
    }
  }
  if (rc == 0)
    return ct_store_txn_commit(&t);
  ct_store_txn_abort(&t);
  return rc;
}

static int run_case(const char *base, const bcase_t *c, uint64_t budget_ns) {
  ct_store_config_t cfg = { NULL, (size_t)1 << 30, c->mode };
  char dir[512];
  ct_store_t *s = NULL;
  uint64_t lat[MAX_EVENTS], start, sync_ns;
  int n = 0, rc;
  snprintf(dir, sizeof dir, "%s/%s-%d", base, c->name, c->followers);
  for (char *p = dir + strlen(base) + 1; *p; p++)
    if (*p == '/' || *p == '\'')
      *p = '_';
  cfg.path = dir;
  if ((rc = ct_store_open(&cfg, &s, NULL)) != 0)
    return rc;
  start = mono_ns();
  while (n < MAX_EVENTS && (n < 3 || mono_ns() - start < budget_ns)) {
    uint64_t t0 = mono_ns();
    if ((rc = put_event(s, c, n)) != 0)
      break;
    lat[n++] = mono_ns() - t0;
  }
  sync_ns = mono_ns();
  ct_store_sync(s);
  sync_ns = mono_ns() - sync_ns;
  ct_store_close(s);
  if (rc != 0)
    return rc;
  qsort(lat, (size_t)n, sizeof lat[0], cmp_u64);
  printf("| %-25s | %4d | %4d | %9.1f | %9.1f | %8.1f | %9.1f |\n", c->name,
         c->followers, n, lat[n / 2] / 1e3, lat[(n * 99) / 100] / 1e3,
         lat[n / 2] / 1e3 / c->followers,
         c->mode == CT_STORE_NOSYNC ? sync_ns / 1e3 : 0.0);
  return 0;
}

int main(int argc, char **argv) {
  bool quick = false, nosync_only = false;
  uint64_t budget;
  static const bcase_t cases[] = {
    { "(a) sync/txn-per-intent", CT_STORE_SYNC, true, 1 },
    { "(a) sync/txn-per-intent", CT_STORE_SYNC, true, 10 },
    { "(a) sync/txn-per-intent", CT_STORE_SYNC, true, 100 },
    { "(b) sync/group", CT_STORE_SYNC, false, 1 },
    { "(b) sync/group", CT_STORE_SYNC, false, 10 },
    { "(b) sync/group", CT_STORE_SYNC, false, 100 },
    { "(b') nometasync/group", CT_STORE_NOMETASYNC, false, 1 },
    { "(b') nometasync/group", CT_STORE_NOMETASYNC, false, 10 },
    { "(b') nometasync/group", CT_STORE_NOMETASYNC, false, 100 },
    { "(c) nosync/group", CT_STORE_NOSYNC, false, 1 },
    { "(c) nosync/group", CT_STORE_NOSYNC, false, 10 },
    { "(c) nosync/group", CT_STORE_NOSYNC, false, 100 },
    { "(d) nosync/txn-per-intent", CT_STORE_NOSYNC, true, 1 },
    { "(d) nosync/txn-per-intent", CT_STORE_NOSYNC, true, 100 },
  };
  char *base;
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    quick |= strcmp(argv[i], "--quick") == 0;
    nosync_only |= strcmp(argv[i], "--nosync") == 0;
  }
  budget = quick ? 150000000ULL : 1500000000ULL;
  base = ct_test_tmpdir("ct-bench-store");
  if (base == NULL)
    return 1;
  printf("store dir: %s (%s)\n\n", base, quick ? "quick" : "full");
  printf(
      "| mode                      | foll | evts | p50 us/ev | p99 us/ev | "
      "us/intent | sync() us |\n");
  printf(
      "|---------------------------|-----:|-----:|----------:|----------:|"
      "---------:|----------:|\n");
  for (size_t i = 0; rc == 0 && i < sizeof cases / sizeof cases[0]; i++)
    if (!nosync_only || cases[i].mode == CT_STORE_NOSYNC)
      rc = run_case(base, &cases[i], budget);
  if (rc != 0)
    fprintf(stderr, "bench_store: %s\n", ct_strerror(rc));
  ct_test_rmtree(base);
  free(base);
  return rc == 0 ? 0 : 1;
}
