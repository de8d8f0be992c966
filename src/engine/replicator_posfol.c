/*
 * replicator_posfol.c: the follower actor's side of its positions map
 * (replicator_pos.c): open it (one walk over the stored orders at start),
 * route the follower's order puts through it, and keep the account's own
 * figure from GET /positions.
 *
 * The account's positions are asked with the fund limit (every
 * funds_refresh_ms, ct__fol_funds) and when an exit is being decided and
 * the last answer is older than that: the leader order is parked like one
 * waiting for the margin calculator (replicator_margin.c) and re-run by the
 * answer. A failed refresh leaves no valid figure: exits are then checked
 * for margin like any order (logged), and the positions are asked again
 * after CT__MARGIN_FAIL_TTL_MS at the earliest.
 */
#include <stdlib.h>
#include <string.h>

#include "copytrader/api_calls.h"
#include "copytrader/error.h"
#include "copytrader/log.h"
#include "replicator_fol.h"
#include "replicator_pos.h"

#define MOD "position"

struct ct__posfol {
  ct__posmap_t map;
  bool busy;         /* GET /positions in flight */
  uint64_t rid;      /* its request id */
  uint64_t retry_ns; /* monotonic: no new ask before (after a failure) */
};

static const ct_leader_state_t *cached(void *ctx, const char *leader_id) {
  const fol_t *f = ctx;
  const fleader_t *l = ct__smap_get(&f->leaders, leader_id);
  return l != NULL ? &l->st : NULL;
}

/* Build the map when it is not (yet, or any more): through `t` when one
 * is open, else in a read transaction of its own. */
static bool ready(const fol_t *f, ct_store_txn_t *t) {
  ct_store_txn_t own;
  ct__posmap_t *m;
  if (f->pos == NULL)
    return false;
  m = &f->pos->map;
  if (m->built)
    return true;
  if (t != NULL)
    return ct__posmap_build(m, t) == 0;
  if (ct_store_txn_begin(f->e->store, false, &own) != 0)
    return false;
  ct__posmap_build(m, &own);
  ct_store_txn_abort(&own);
  m->dirty = false; /* built from committed records only */
  return m->built;
}

int ct__fol_pos_open(fol_t *f) {
  int rc;
  if ((f->pos = calloc(1, sizeof(*f->pos))) == NULL)
    return CT_ENOMEM;
  if ((rc = ct__posmap_init(&f->pos->map, f->s->client_id)) != 0) {
    free(f->pos);
    f->pos = NULL;
    return rc;
  }
  ready(f, NULL); /* a failure is logged; the first decision retries */
  return 0;
}

void ct__fol_pos_close(fol_t *f) {
  if (f->pos == NULL)
    return;
  ct__posmap_close(&f->pos->map);
  free(f->pos);
  f->pos = NULL;
}

int ct__fol_forder_put(fol_t *f, ct_store_txn_t *t, const ct_forder_t *old,
                       const ct_forder_t *fo) {
  if (f->pos == NULL)
    return ct_store_forder_replace(t, old, fo);
  return ct__posmap_replace(&f->pos->map, t, old, fo, cached, f);
}

void ct__fol_pos_done(fol_t *f, int rc) {
  if (f->pos != NULL)
    ct__posmap_done(&f->pos->map, rc);
}

int64_t ct__fol_closing_qty(const fol_t *f, ct_store_txn_t *t,
                            const ct_leader_state_t *st) {
  const ct__posmap_t *m;
  int64_t engine, closing;
  if (!ready(f, t))
    return 0; /* unknown: the margin check runs */
  m = &f->pos->map;
  engine = ct__posmap_closing(m, st, false);
  closing = ct__posmap_closing(m, st, true);
  if (engine > closing)
    ct_log_info(MOD,
                "follower=%s order=%s security=%s side=%s engine_qty=%lld "
                "closing_qty=%lld account=%s msg=\"position not held by the "
                "account: margin checked\"",
                f->s->name, st->order_id, st->security_id,
                ct_dhan_txn_str(st->txn), (long long)engine, (long long)closing,
                m->acct_valid ? "known" : "unknown");
  return closing;
}

/* --- GET /positions ------------------------------------------------------*/

void ct__fol_positions(ct_actor_t *self, fol_t *f) {
  if (f->pos == NULL || f->pos->busy || f->s->portfolio == NULL)
    return;
  if (ct_portfolio_positions(self, f->s->portfolio, f->e->opts.call_timeout_ms,
                             &f->pos->rid) == 0)
    f->pos->busy = true;
}

bool ct__fol_positions_wait(ct_actor_t *self, fol_t *f,
                            const ct_leader_state_t *st) {
  ct__posfol_t *p = f->pos;
  uint64_t now = ct__now_ns();
  uint64_t max_age = f->e->opts.funds_refresh_ms * 1000000u;
  if (!ready(f, NULL) || ct__posmap_closing(&p->map, st, false) == 0)
    return false; /* not an exit of the engine's position */
  if (p->busy)
    return true;
  if ((p->map.acct_valid && now - p->map.acct_ns <= max_age) ||
      now < p->retry_ns)
    return false;
  ct__fol_positions(self, f);
  return p->busy;
}

bool ct__fol_positions_busy(const fol_t *f) {
  return f->pos != NULL && f->pos->busy;
}

bool ct__fol_positions_result(fol_t *f, uint64_t rid,
                              const ct_api_result_t *r) {
  ct__posfol_t *p = f->pos;
  if (p == NULL || !p->busy || rid != p->rid)
    return false;
  p->busy = false;
  if (r->err == 0) {
    ready(f, NULL);
    ct__posmap_account(&p->map, r->items, r->count, ct__now_ns());
    return true;
  }
  ct__posmap_account_lost(&p->map);
  p->retry_ns = ct__now_ns() + (uint64_t)CT__MARGIN_FAIL_TTL_MS * 1000000u;
  ct_log_warn(MOD,
              "follower=%s msg=\"positions not read; exits are checked for "
              "margin\" err=%s code=%s",
              f->s->name, ct_strerror(r->err), r->dhan.error_code);
  ct__fol_note_error(f->s, "positions: %s%s%s", ct_strerror(r->err),
                     r->dhan.error_code[0] ? " " : "", r->dhan.error_code);
  return true;
}
