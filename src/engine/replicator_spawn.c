/*
 * replicator_spawn.c: the ordinary order O that a leader forever order F
 * places when it fires (its "spawn"), between the legs actor and the
 * follower actors, which run on different threads.
 *
 * The follower's forever copy C is the mirror of the fire: the plain path
 * never copies a spawn on its own authority. Per follower, an undecided
 * leader order that is a spawn of F is decided from C's stored record
 * (pseudo follower "<client>#F", corr FOREVER_LEG/0 of F) and the shared
 * list below, level-triggered, so a restart derives the same answer:
 *   no decision for F yet   -> wait (the legs actor decides on its list);
 *   F skipped, C refused    -> SKIP "FOREVER_NOT_COPIED" (it never held F);
 *   C live or in doubt      -> wait: the legs actor deletes C (or looks it
 *                              up after an unknown or refused delete);
 *   C deleted (CANCELLED;   -> copy O as a plain order, now (its decision
 *   or over, not fired)        tagged "SPAWN_OF:<F>"; one spawn per F);
 *   C fired                 -> SKIP "FOREVER_COPY_FIRED" (C's own order is
 *                              the follower's execution).
 *
 * Recognition (Dhan does not document the link; UNVERIFIED): a leader
 * order is a spawn CANDIDATE of a listed F, waiting or fired, when (a) its
 * correlation id is F's (non-empty: dhansim copies it), (b) it carries
 * GoodTillDaysDate (CT__LF_FOREVER on a non-CONFIRM order), or (c) its
 * security, segment, side, product and quantity are those of F's first
 * leg or, for OCO, its second. It is a SPAWN once the list shows F fired
 * (ct__fev_fired). While F still waits (the list may lag the socket) the
 * order is held back: up to BOUND_STRONG list polls for (a) and (b), then
 * it is plain (a warning), BOUND_FIELDS for (c) alone (a hand order like
 * a GTT leg), then plain. Several candidates: a fired F before a waiting
 * one, (a) before (c). An order whose id is F's is F itself:
 * "FOREVER_ORDER". Orders when no leader forever order is listed cost one
 * atomic load: no lock, no store read.
 *
 * The list is the legs actor's last GET /forever/orders of the leader
 * (ct__fev_store), copied under a mutex; the follower actor reads it
 * under the same mutex and copies the one item it needs out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/corrid.h"
#include "copytrader/error.h"
#include "copytrader/grow.h"
#include "copytrader/log.h"
#include "replicator_fol.h"
#include "replicator_legs.h"

#define MOD          "spawn"
#define BOUND_STRONG 10 /* list polls a candidate by (a) or (b) waits */
#define BOUND_FIELDS 2  /* the same by (c) alone */
#define AGAIN_MAX    32 /* held-back orders judged again per wake-up */

/* --- the shared list (legs actor writes, follower actors read) ---------- */

void ct__fev_init(ct_engine_t *e) {
  pthread_mutex_init(&e->fev.mu, NULL);
}

void ct__fev_close(ct_engine_t *e) {
  pthread_mutex_destroy(&e->fev.mu);
  free(e->fev.items);
  free(e->fev.claims);
  e->fev.items = NULL;
  e->fev.claims = NULL;
}

/* One spawn per forever order: a fired F and the leader order taken as
 * the order it placed, so a later order like it (a hand order with a GTT
 * leg's fields) is not taken for it too. Kept for the engine's run and
 * re-derived after a restart from the store (claim_stored). */
typedef struct ct__fev_claim {
  char fid[CT_DHAN_ID_SIZE];
  char oid[CT_DHAN_ID_SIZE];
} ct__fev_claim_t;

/* Under mu: the leader order holding F `fid`, or NULL. */
static const char *claim_of(const ct__fev_snap_t *s, const char *fid) {
  for (size_t i = 0; i < s->n_claims; i++)
    if (strcmp(s->claims[i].fid, fid) == 0)
      return s->claims[i].oid;
  return NULL;
}

/* F `fid` for leader order `oid` unless another holds it: the holder is
 * copied to `holder`. */
static void claim(ct_engine_t *e, const char *fid, const char *oid,
                  char holder[CT_DHAN_ID_SIZE]) {
  ct__fev_snap_t *s = &e->fev;
  const char *h;
  ct__fev_claim_t *p;
  pthread_mutex_lock(&s->mu);
  if ((h = claim_of(s, fid)) == NULL &&
      (p = ct_grow(s->claims, &s->cap_claims, s->n_claims, sizeof(*p), 8))) {
    s->claims = p;
    snprintf(p[s->n_claims].fid, sizeof p->fid, "%s", fid);
    snprintf(p[s->n_claims].oid, sizeof p->oid, "%s", oid);
    h = p[s->n_claims++].oid;
  }
  snprintf(holder, CT_DHAN_ID_SIZE, "%s", h ? h : oid);
  pthread_mutex_unlock(&s->mu);
}

bool ct__fev_fired(ct_dhan_status_t st) {
  return st == CT_DHAN_STATUS_TRIGGERED || st == CT_DHAN_STATUS_TRANSIT ||
         st == CT_DHAN_STATUS_PENDING || st == CT_DHAN_STATUS_PART_TRADED ||
         st == CT_DHAN_STATUS_TRADED;
}

/* The leader's own forever order, waiting or fired: worth keeping. */
static bool keep(const ct_engine_t *e, const ct_dhan_forever_order_t *fo) {
  return !ct_corrid_is_ours(fo->correlation_id) &&
         (fo->client_id[0] == '\0' ||
          strcmp(fo->client_id, e->leader_id) == 0) &&
         (fo->status == CT_DHAN_STATUS_CONFIRM || ct__fev_fired(fo->status));
}

static void item_of(const ct_dhan_forever_order_t *fo, ct__fev_item_t *it) {
  memset(it, 0, sizeof(*it));
  snprintf(it->order_id, sizeof it->order_id, "%s", fo->order_id);
  snprintf(it->corr, sizeof it->corr, "%s", fo->correlation_id);
  snprintf(it->security_id, sizeof it->security_id, "%s", fo->security_id);
  it->segment = fo->segment;
  it->txn = fo->txn;
  it->product = fo->product;
  it->status = fo->status;
  it->oco = fo->order_flag == CT_DHAN_FLAG_OCO;
  it->qty = fo->quantity;
  it->qty1 = fo->quantity1;
}

void ct__fev_store(ct_engine_t *e, bool ok,
                   const ct_dhan_forever_order_t *items, size_t n) {
  ct__fev_snap_t *s = &e->fev;
  if (ok) {
    pthread_mutex_lock(&s->mu);
    s->n = 0;
    for (size_t i = 0; i < n; i++) {
      ct__fev_item_t *p;
      if (!keep(e, &items[i]))
        continue;
      if ((p = ct_grow(s->items, &s->cap, s->n, sizeof(*p), 16)) == NULL)
        break; /* the rest is unknown: its spawns are copied as plain */
      s->items = p;
      item_of(&items[i], &s->items[s->n++]);
    }
    /* relaxed: readers that see `any` take the mutex for the items */
    atomic_store_explicit(&s->any, s->n > 0, memory_order_relaxed);
    pthread_mutex_unlock(&s->mu);
    atomic_store(&s->seen, true);
  }
  atomic_fetch_add(&s->polls, 1);
}

bool ct__fev_get(ct_engine_t *e, const char *id, ct__fev_item_t *out) {
  bool hit = false;
  pthread_mutex_lock(&e->fev.mu);
  for (size_t i = 0; !hit && i < e->fev.n; i++)
    if (strcmp(e->fev.items[i].order_id, id) == 0) {
      *out = e->fev.items[i];
      hit = true;
    }
  pthread_mutex_unlock(&e->fev.mu);
  return hit;
}

void ct__fev_nudge(ct_engine_t *e) {
  if (atomic_load(&e->fev.waiting) <= 0)
    return;
  for (size_t i = 0; i < e->n_f; i++) {
    ct_msg_t *m = NULL;
    if (e->f[i].actor != NULL && ct_msg_new(CT__ENG_MSG_SPAWN, &m) == 0 &&
        ct_send(e->f[i].actor, m) != 0)
      ct_msg_free(m);
  }
}

/* --- recognition ----------------------------------------------------------*/

enum { M_NONE = 0, M_FIELDS = 1, M_CORR = 2, M_SELF = 3 };

/* How leader order `st` relates to listed forever order `it`. */
static int match(const ct__fev_item_t *it, const ct_leader_state_t *st) {
  if (strcmp(st->order_id, it->order_id) == 0)
    return M_SELF;
  if (st->correlation_id[0] != '\0' &&
      strcmp(st->correlation_id, it->corr) == 0)
    return M_CORR;
  if (strcmp(st->security_id, it->security_id) == 0 &&
      st->segment == it->segment && st->txn == it->txn &&
      st->product == it->product &&
      (st->quantity == it->qty || (it->oco && st->quantity == it->qty1)))
    return M_FIELDS;
  return M_NONE;
}

/* Rank of a match: F itself first, then a fired F before a waiting one,
 * then (a) before (c). */
static int rank(int m, const ct__fev_item_t *it) {
  return m == M_NONE ? 0 : m * 2 + (ct__fev_fired(it->status) ? 8 : 0);
}

/* The best candidate for `st` in the list, among the forever orders no
 * other leader order holds: its match kind (M_*). */
static int find(ct_engine_t *e, const ct_leader_state_t *st,
                ct__fev_item_t *out) {
  int best = 0, kind = M_NONE;
  pthread_mutex_lock(&e->fev.mu);
  for (size_t i = 0; i < e->fev.n; i++) {
    const char *h = claim_of(&e->fev, e->fev.items[i].order_id);
    int m = match(&e->fev.items[i], st);
    if (h != NULL && strcmp(h, st->order_id) != 0)
      continue;
    int r = m == M_SELF ? 100 : rank(m, &e->fev.items[i]);
    if (r > best) {
      best = r;
      kind = m;
      *out = e->fev.items[i];
    }
  }
  pthread_mutex_unlock(&e->fev.mu);
  return kind;
}

/* --- holding back ---------------------------------------------------------*/

static void nudge_legs(ct_engine_t *e) {
  ct_msg_t *m = NULL;
  if (e->legs != NULL && ct_msg_new(CT__ENG_MSG_LEGS_POLL, &m) == 0 &&
      ct_send(e->legs, m) != 0)
    ct_msg_free(m);
}

/* Hold `id` back (noted at first sight, when the legs actor is asked for
 * the list at once); whether it has waited `bound` list polls already. */
static bool waited(fol_t *f, const char *id, unsigned bound) {
  bool created = false;
  uint64_t *p0, now = atomic_load(&f->e->fev.polls);
  if ((p0 = ct__smap_put(&f->spwait, id, &created)) == NULL)
    return true; /* no memory: never hold an order back forever */
  if (created) {
    *p0 = now;
    atomic_fetch_add(&f->e->fev.waiting, 1);
    nudge_legs(f->e);
  }
  return now - *p0 >= bound;
}

void ct__spawn_done(fol_t *f, const char *id) {
  if (f->spwait.n == 0 || ct__smap_get(&f->spwait, id) == NULL)
    return;
  ct__smap_del(&f->spwait, id);
  atomic_fetch_sub(&f->e->fev.waiting, 1);
}

void ct__spawn_close(fol_t *f) {
  atomic_fetch_sub(&f->e->fev.waiting, (int)f->spwait.n);
  ct__smap_close(&f->spwait);
}

void ct__spawn_again(ct_actor_t *self, fol_t *f) {
  char ids[AGAIN_MAX][CT__SMAP_KEY];
  size_t n = 0;
  for (size_t b = 0; b < f->spwait.nb && n < AGAIN_MAX; b++)
    for (ct__smap_node_t *p = f->spwait.b[b]; p && n < AGAIN_MAX; p = p->next)
      memcpy(ids[n++], p->key, CT__SMAP_KEY);
  for (size_t i = 0; i < n; i++) /* may drop entries: ids are copies */
    ct__fol_again(self, f, ids[i]);
}

/* --- the verdict ----------------------------------------------------------*/

static const char *plain_after(fol_t *f, const ct_leader_state_t *st,
                               const char *why, bool warn) {
  if (warn)
    ct_log_warn(MOD, "follower=%s order=%s msg=\"%s: copied as plain\"",
                f->s->name, st->order_id, why);
  else
    ct_log_info(MOD, "follower=%s order=%s msg=\"%s: copied as plain\"",
                f->s->name, st->order_id, why);
  return "";
}

typedef struct copy_state {
  int drc, rrc; /* decision and record reads */
  ct_decision_t d;
  ct_forder_t r0;
} copy_state_t;

/* The follower's decision on F and the record of its copy's first leg. */
static void read_copy(fol_t *f, const char *fid, copy_state_t *c) {
  char pseudo[CT_DHAN_CLIENT_SIZE], corr[CT_DHAN_CORRID_SIZE];
  ct_store_txn_t t;
  c->drc = c->rrc = CT_EIO;
  ct__legs_pseudo(f->s, 'F', pseudo, sizeof pseudo);
  if (ct__legs_corr(fid, f->s, CT_CORRID_FOREVER_LEG, 0, corr) != 0 ||
      ct_store_txn_begin(f->e->store, false, &t) != 0)
    return;
  c->drc = ct_store_decision_get(&t, fid, pseudo, &c->d);
  c->rrc = ct_store_forder_get(&t, pseudo, corr, &c->r0);
  ct_store_txn_abort(&t);
}

/* F has fired: decide its spawn `st` from the follower's copy C. */
static const char *from_copy(fol_t *f, const ct_leader_state_t *st,
                             const ct__fev_item_t *F) {
  copy_state_t c;
  const ct_forder_t *r = &c.r0;
  read_copy(f, F->order_id, &c);
  if (c.drc == CT_ENOTFOUND) /* the legs actor decides on its next list */
    return waited(f, st->order_id, BOUND_STRONG) ? "FOREVER_NOT_COPIED" : NULL;
  if (c.drc != 0)
    return waited(f, st->order_id, BOUND_STRONG) ? "" : NULL;
  if (c.d.kind != CT_DECISION_SEND || c.rrc != 0 ||
      r->phase == CT_FPHASE_REJECTED)
    return "FOREVER_NOT_COPIED";
  if (r->phase == CT_FPHASE_DONE && ct__fev_fired(r->status)) {
    ct_log_info(MOD,
                "follower=%s order=%s forever=%s copy=%s msg=\"the "
                "follower's forever copy fired: its order is the mirror\"",
                f->s->name, st->order_id, F->order_id, r->order_id);
    return "FOREVER_COPY_FIRED";
  }
  if (r->phase == CT_FPHASE_DONE) {
    snprintf(f->spawn_of, sizeof f->spawn_of, "%s", F->order_id);
    ct_log_info(MOD,
                "follower=%s order=%s forever=%s msg=\"forever copy "
                "deleted before it fired: the fired order is copied\"",
                f->s->name, st->order_id, F->order_id);
    return "";
  }
  if ((r->phase == CT_FPHASE_INTENT || r->phase == CT_FPHASE_UNKNOWN) &&
      r->order_id[0] == '\0' && r->attempts >= CT__FEV_PROBE)
    return "FOREVER_NOT_COPIED"; /* looked up, never created */
  if (f->s->forever == NULL) {   /* the flag was turned off: no delete */
    ct_log_warn(MOD,
                "follower=%s order=%s forever=%s msg=\"forever copy left "
                "live (copy_forever_orders off): fired order not copied\"",
                f->s->name, st->order_id, F->order_id);
    return "FOREVER_NOT_COPIED";
  }
  waited(f, st->order_id, BOUND_STRONG); /* C is being deleted or found */
  return NULL;
}

typedef struct stored {
  const ct__fev_item_t *F;
  const char *oid, *client;
  ct_store_txn_t *t;
  char hit[CT_DHAN_ID_SIZE];
} stored_t;

/* Whether decision `d` was made on F `fid`'s spawn: skipped for its copy,
 * or copied after it (SPAWN_OF). */
static bool spawn_decision(const ct_decision_t *d, const char *fid) {
  char tag[CT_DHAN_CODE_SIZE];
  snprintf(tag, sizeof tag, "SPAWN_OF:%.20s", fid);
  return strcmp(d->skip_reason, "FOREVER_COPY_FIRED") == 0 ||
         strcmp(d->skip_reason, "FOREVER_NOT_COPIED") == 0 ||
         strcmp(d->skip_reason, tag) == 0;
}

static int stored_cb(const ct_leader_state_t *st, void *ctx) {
  stored_t *c = ctx;
  ct_decision_t d;
  int m = match(c->F, st);
  if ((m != M_CORR && m != M_FIELDS) || strcmp(st->order_id, c->oid) == 0 ||
      ct_store_decision_get(c->t, st->order_id, c->client, &d) != 0 ||
      !spawn_decision(&d, c->F->order_id))
    return 0;
  snprintf(c->hit, sizeof c->hit, "%s", st->order_id);
  return 1;
}

/* Another leader order like fired F `F`, already decided for this
 * follower as F's spawn: before a restart (the claims are in memory). */
static bool claim_stored(fol_t *f, const char *oid, const ct__fev_item_t *F,
                         char hit[CT_DHAN_ID_SIZE]) {
  ct_store_txn_t t;
  stored_t c = { F, oid, f->s->client_id, &t, "" };
  if (ct_store_txn_begin(f->e->store, false, &t) != 0)
    return false;
  ct_store_each_leader(&t, stored_cb, &c);
  ct_store_txn_abort(&t);
  snprintf(hit, CT_DHAN_ID_SIZE, "%s", c.hit);
  return hit[0] != '\0';
}

/* Whether `st` is (now) fired F's spawn; false: another leader order is,
 * and `st` must be judged again without F. */
static bool claimed(fol_t *f, const ct_leader_state_t *st,
                    const ct__fev_item_t *F) {
  char holder[CT_DHAN_ID_SIZE], old[CT_DHAN_ID_SIZE];
  bool mine;
  pthread_mutex_lock(&f->e->fev.mu);
  mine = claim_of(&f->e->fev, F->order_id) != NULL;
  pthread_mutex_unlock(&f->e->fev.mu);
  if (!mine && claim_stored(f, st->order_id, F, old))
    claim(f->e, F->order_id, old, holder);
  claim(f->e, F->order_id, st->order_id, holder);
  return strcmp(holder, st->order_id) == 0;
}

static const char *judge(fol_t *f, const ct_leader_state_t *st, bool flagged) {
  ct__fev_item_t F;
  int m = find(f->e, st, &F);
  if (m == M_SELF)
    return "FOREVER_ORDER";
  if (m == M_NONE && !flagged)
    return "";
  if (m == M_NONE) /* F fired between two lists, or before we ran */
    return !waited(f, st->order_id, BOUND_STRONG)
               ? NULL
               : plain_after(f, st, "GoodTillDaysDate but no forever order",
                             true);
  if (ct__fev_fired(F.status))
    return claimed(f, st, &F) ? from_copy(f, st, &F) : judge(f, st, flagged);
  if (m == M_CORR || flagged)
    return !waited(f, st->order_id, BOUND_STRONG)
               ? NULL
               : plain_after(f, st, "forever order did not fire", true);
  return !waited(f, st->order_id, BOUND_FIELDS)
             ? NULL
             : plain_after(f, st, "like a waiting forever leg", false);
}

const char *ct__spawn_verdict(fol_t *f, const ct_leader_state_t *st,
                              unsigned flags) {
  ct_engine_t *e = f->e;
  bool flagged = (flags & CT__LF_FOREVER) != 0;
  const char *v;
  f->spawn_of[0] = '\0';
  if (e->leader_forever == NULL)
    return ""; /* nobody copies forever orders: leader_skip() decides */
  if (!atomic_load(&e->fev.seen))
    v = !waited(f, st->order_id, BOUND_STRONG)
            ? NULL
            : plain_after(f, st, "no forever list yet", true);
  else if (!flagged && !atomic_load_explicit(&e->fev.any, memory_order_relaxed))
    v = ""; /* the hot path: no forever order waits or fired */
  else
    v = judge(f, st, flagged);
  if (v != NULL)
    ct__spawn_done(f, st->order_id);
  return v;
}

/* --- the legs actor's side ------------------------------------------------*/

/* A leader order like F (its correlation id or a leg's fields). */
static bool like(const ct_leader_state_t *st, void *ctx) {
  int m = match(ctx, st);
  return m == M_CORR || m == M_FIELDS;
}

/* Whether leader order `oid` was copied to `s` as a plain order. */
static bool sent(ct_store_txn_t *t, const ct__fslot_t *s, const char *oid) {
  ct_decision_t d;
  return ct_store_decision_get(t, oid, s->client_id, &d) == 0 &&
         d.kind == CT_DECISION_SEND;
}

bool ct__spawn_copied(ct_engine_t *e, const ct__fslot_t *s, const char *fid) {
  ct__fev_item_t F;
  ct_leader_state_t *st = NULL;
  size_t n = 0;
  char holder[CT_DHAN_ID_SIZE] = "";
  ct_store_txn_t t;
  bool hit = false;
  if (!ct__fev_get(e, fid, &F) || ct_store_txn_begin(e->store, false, &t))
    return false;
  pthread_mutex_lock(&e->fev.mu);
  if (claim_of(&e->fev, fid) != NULL)
    snprintf(holder, sizeof holder, "%s", claim_of(&e->fev, fid));
  pthread_mutex_unlock(&e->fev.mu);
  if (holder[0]) /* the order taken as its spawn */
    hit = sent(&t, s, holder);
  else if (ct_store_collect_leaders(&t, like, &F, &st, &n) == 0)
    for (size_t i = 0; !hit && i < n; i++) /* not recognised at all */
      hit = sent(&t, s, st[i].order_id);
  ct_store_txn_abort(&t);
  free(st);
  return hit;
}
