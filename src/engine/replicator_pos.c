/*
 * replicator_pos.c: a follower's net positions, in memory: how much of a
 * position a new derivative order closes.
 *
 * Dhan's margin calculator sees one order, not the account's positions,
 * so a SELL that exits a long (or a BUY that covers a short) would be
 * priced like a new position and a follower who has used its funds would
 * be refused its exit. The store knows every order the engine placed for
 * the follower: its filled quantity, and through its leader order the
 * side, security, segment and product. Their net (BUY fills minus SELL
 * fills) per (segment, product, security) is the position the engine
 * opened; open orders on the new order's side that are not filled yet
 * already claim part of it (two exits do not close one position twice).
 * What is left on the other side is the order's closing quantity
 * (ct_sizing_account_t.closing_qty): no calculator call and no margin for
 * an order within it, margin for the excess only.
 *
 * The map holds, per instrument, that net and the pending units per side.
 * It is built once from the store (one walk over the follower's orders:
 * the only cost that grows with history) and then kept in step by the
 * follower actor, the only writer of its orders: every put of one of its
 * orders goes through ct__posmap_put(), which reads the record it replaces,
 * or ct__posmap_replace() when the caller holds that record (or knows there
 * is none), and stages the change of that order's contribution; the commit
 * applies the staged changes (ct__posmap_done), a failed transaction drops them
 * and has the map rebuilt. A decision then reads one hash entry.
 *
 * The account's own figure (GET /positions, replicator_posfol.c) bounds
 * the engine's: a position closed outside the engine (by hand, the
 * broker's square-off, expiry) no longer counts. Each snapshot records,
 * per instrument, the account's net less the engine's (`outside`), so
 * fills the engine learns of later move both figures.
 *
 * What it does not know, and where the calculator stays the fallback:
 * positions opened by hand or by another tool (the engine's figure caps
 * the account's), fills not yet merged from the follower's order book,
 * and super orders (their exit legs are Dhan's, so their entries are not
 * counted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/grow.h"
#include "copytrader/log.h"
#include "replicator_pos.h"

#define MOD "position"

static int key_of(ct_dhan_segment_t seg, ct_dhan_product_t product,
                  const char *security_id, char key[CT__SMAP_KEY]) {
  int n = snprintf(key, CT__SMAP_KEY, "%d:%d:%s", (int)seg, (int)product,
                   security_id);
  return n > 0 && n < CT__SMAP_KEY ? 0 : CT_EINVAL;
}

int ct__posmap_init(ct__posmap_t *m, const char *follower_id) {
  memset(m, 0, sizeof(*m));
  snprintf(m->follower_id, sizeof m->follower_id, "%s", follower_id);
  return ct__smap_init(&m->inst, sizeof(ct__pos_t));
}

void ct__posmap_close(ct__posmap_t *m) {
  ct__smap_close(&m->inst);
  free(m->stage);
  memset(m, 0, sizeof(*m));
}

/* --- one order's share ---------------------------------------------------*/

static bool open_order(const ct_forder_t *fo) {
  return !ct_forder_is_terminal(fo) && !ct_dhan_status_is_final(fo->status);
}

/* What `fo` adds to its instrument (`ls`: its leader order). */
static void share(const ct_forder_t *fo, const ct_leader_state_t *ls,
                  int64_t *net, int64_t pend[2]) {
  int64_t rest = fo->quantity - fo->filled_qty;
  *net = 0;
  pend[0] = pend[1] = 0;
  if (fo->part == CT_CORRID_SUPER_LEG)
    return;
  *net = ls->txn == CT_DHAN_TXN_BUY ? fo->filled_qty : -fo->filled_qty;
  if (open_order(fo) && rest > 0)
    pend[ls->txn == CT_DHAN_TXN_SELL] = rest;
}

static bool no_share(const ct_forder_t *fo) {
  return fo == NULL || fo->part == CT_CORRID_SUPER_LEG ||
         (fo->filled_qty <= 0 && !open_order(fo));
}

static int add(ct__posmap_t *m, const char *key, int64_t net,
               const int64_t pend[2]) {
  ct__pos_t *p;
  if (net == 0 && pend[0] == 0 && pend[1] == 0)
    return 0;
  if ((p = ct__smap_put(&m->inst, key, NULL)) == NULL)
    return CT_ENOMEM;
  p->net += net;
  p->pend[0] += pend[0];
  p->pend[1] += pend[1];
  return 0;
}

/* --- build -----------------------------------------------------------------*/

typedef struct build {
  ct__posmap_t *m;
  ct_store_txn_t *t;
} build_t;

static int build_cb(const ct_forder_t *fo, void *ctx) {
  build_t *b = ctx;
  ct_leader_state_t ls;
  char key[CT__SMAP_KEY];
  int64_t net, pend[2];
  b->m->reads++;
  if (no_share(fo))
    return 0;
  b->m->reads++;
  if (ct_store_leader_get(b->t, fo->leader_order_id, &ls) != 0 ||
      key_of(ls.segment, ls.product, ls.security_id, key) != 0)
    return 0; /* as the margin check always did: not counted */
  share(fo, &ls, &net, pend);
  return add(b->m, key, net, pend);
}

int ct__posmap_build(ct__posmap_t *m, ct_store_txn_t *t) {
  build_t b = { m, t };
  int rc;
  for (size_t i = 0; i < m->inst.nb; i++)
    for (ct__smap_node_t *x = m->inst.b[i]; x; x = x->next) {
      ct__pos_t *p = (ct__pos_t *)x->val;
      p->outside += p->net; /* keep the account's figure */
      p->net = p->pend[0] = p->pend[1] = 0;
    }
  m->n_stage = 0;
  rc = ct_store_each_forder_of_follower(t, m->follower_id, build_cb, &b);
  m->built = rc == 0;
  m->dirty = true;
  for (size_t i = 0; i < m->inst.nb; i++)
    for (ct__smap_node_t *x = m->inst.b[i]; x; x = x->next) {
      ct__pos_t *p = (ct__pos_t *)x->val;
      p->outside -= p->net;
    }
  if (rc != 0)
    ct_log_warn(MOD, "follower=%s msg=\"positions not read\" err=%s",
                m->follower_id, ct_strerror(rc));
  return rc;
}

/* --- changes ---------------------------------------------------------------*/

static int stage(ct__posmap_t *m, const char *key, int64_t net,
                 const int64_t pend[2]) {
  ct__pos_delta_t *d;
  if (net == 0 && pend[0] == 0 && pend[1] == 0)
    return 0;
  d = ct_grow(m->stage, &m->cap_stage, m->n_stage, sizeof(*d), 16);
  if (d == NULL)
    return CT_ENOMEM;
  m->stage = d;
  d = &m->stage[m->n_stage++];
  memcpy(d->key, key, CT__SMAP_KEY);
  d->net = net;
  d->pend[0] = pend[0];
  d->pend[1] = pend[1];
  m->dirty = true;
  return 0;
}

/* Stage new's share less old's (old may be NULL: a new order). */
static int stage_change(ct__posmap_t *m, ct_store_txn_t *t,
                        const ct_forder_t *old, const ct_forder_t *fo,
                        ct__pos_leader_fn leader, void *ctx) {
  const ct_leader_state_t *ls = leader ? leader(ctx, fo->leader_order_id) : 0;
  ct_leader_state_t st;
  char key[CT__SMAP_KEY];
  int64_t n0 = 0, p0[2] = { 0, 0 }, n1, p1[2];
  if (no_share(old) && no_share(fo))
    return 0;
  if (ls == NULL) {
    m->reads++;
    if (ct_store_leader_get(t, fo->leader_order_id, &st) != 0)
      return CT_ENOTFOUND; /* counted once the leader is stored */
    ls = &st;
  }
  if (key_of(ls->segment, ls->product, ls->security_id, key) != 0)
    return 0; /* never counted */
  if (old != NULL)
    share(old, ls, &n0, p0);
  share(fo, ls, &n1, p1);
  p1[0] -= p0[0];
  p1[1] -= p0[1];
  return stage(m, key, n1 - n0, p1);
}

/* Put fo and stage its change from `old` (NULL: no record before). */
static int put_over(ct__posmap_t *m, ct_store_txn_t *t, const ct_forder_t *old,
                    const ct_forder_t *fo, ct__pos_leader_fn leader,
                    void *ctx) {
  int rc;
  if ((rc = ct_store_forder_replace(t, old, fo)) != 0 || !m->built ||
      strcmp(fo->follower_id, m->follower_id) != 0)
    return rc;
  if (stage_change(m, t, old, fo, leader, ctx) != 0) {
    m->built = false; /* rebuilt, from what the store says, at next use */
    m->dirty = true;
  }
  return 0;
}

int ct__posmap_put(ct__posmap_t *m, ct_store_txn_t *t, const ct_forder_t *fo,
                   ct__pos_leader_fn leader, void *ctx) {
  ct_forder_t old;
  int had = CT_ENOTFOUND;
  if (m->built && strcmp(fo->follower_id, m->follower_id) == 0) {
    m->reads++;
    had = ct_store_forder_get(t, fo->follower_id, fo->correlation_id, &old);
    if (had != 0 && had != CT_ENOTFOUND)
      m->built = false;
  }
  return put_over(m, t, had == 0 ? &old : NULL, fo, leader, ctx);
}

int ct__posmap_replace(ct__posmap_t *m, ct_store_txn_t *t,
                       const ct_forder_t *old, const ct_forder_t *fo,
                       ct__pos_leader_fn leader, void *ctx) {
  return put_over(m, t, old, fo, leader, ctx);
}

void ct__posmap_done(ct__posmap_t *m, int rc) {
  for (size_t i = 0; rc == 0 && i < m->n_stage; i++)
    if (add(m, m->stage[i].key, m->stage[i].net, m->stage[i].pend) != 0)
      m->built = false;
  if (rc != 0 && m->dirty)
    m->built = false; /* the map may hold what was not committed */
  m->n_stage = 0;
  m->dirty = false;
}

/* --- reading ---------------------------------------------------------------*/

bool ct__posmap_get(const ct__posmap_t *m, ct_dhan_segment_t seg,
                    ct_dhan_product_t product, const char *security_id,
                    ct__pos_t *out) {
  char key[CT__SMAP_KEY];
  const ct__pos_t *p;
  memset(out, 0, sizeof(*out));
  if (key_of(seg, product, security_id, key) != 0 ||
      (p = ct__smap_get(&m->inst, key)) == NULL)
    return false;
  *out = *p;
  return true;
}

int64_t ct__posmap_closing(const ct__posmap_t *m, const ct_leader_state_t *st,
                           bool bound) {
  ct__pos_t p;
  bool sell = st->txn == CT_DHAN_TXN_SELL;
  int64_t opposite, held;
  if (!m->built)
    return 0;
  ct__posmap_get(m, st->segment, st->product, st->security_id, &p);
  opposite = sell ? p.net : -p.net;
  if (bound) {
    held =
        m->acct_valid ? (sell ? p.net + p.outside : -(p.net + p.outside)) : 0;
    opposite = held < opposite ? held : opposite;
  }
  opposite -= p.pend[sell];
  return opposite > 0 ? opposite : 0;
}

/* --- the account's figure --------------------------------------------------*/

void ct__posmap_account(ct__posmap_t *m, const ct_dhan_position_t *pos,
                        size_t n, uint64_t now_ns) {
  char key[CT__SMAP_KEY];
  for (size_t i = 0; i < m->inst.nb; i++)
    for (ct__smap_node_t *x = m->inst.b[i]; x; x = x->next) {
      ct__pos_t *p = (ct__pos_t *)x->val;
      p->outside = -p->net;
    }
  for (size_t i = 0; i < n; i++) {
    ct__pos_t *p;
    if (pos[i].net_qty == 0 ||
        key_of(pos[i].segment, pos[i].product, pos[i].security_id, key) != 0)
      continue;
    if ((p = ct__smap_put(&m->inst, key, NULL)) != NULL)
      p->outside += pos[i].net_qty;
  }
  m->acct_valid = true;
  m->acct_ns = now_ns;
}

void ct__posmap_account_lost(ct__posmap_t *m) {
  m->acct_valid = false;
}

static bool covered(const ct__posmap_t *a, const ct__posmap_t *b) {
  for (size_t i = 0; i < a->inst.nb; i++)
    for (const ct__smap_node_t *x = a->inst.b[i]; x; x = x->next) {
      const ct__pos_t *p = (const ct__pos_t *)x->val;
      const ct__pos_t *q = ct__smap_get(&b->inst, x->key);
      ct__pos_t z = { 0 };
      if (q == NULL)
        q = &z;
      if (p->net != q->net || p->pend[0] != q->pend[0] ||
          p->pend[1] != q->pend[1])
        return false;
    }
  return true;
}

bool ct__posmap_same(const ct__posmap_t *a, const ct__posmap_t *b) {
  return covered(a, b) && covered(b, a);
}
