/*
 * leader_track.c: the monotone merge of leader order events
 * (include/copytrader/leader_track.h has the rules).
 *
 * One event is merged into a copy of the stored state field by field:
 * fills from the traded quantity, then the status by rank, then the order
 * attributes when the event is not older, then the static fields that were
 * still empty. The verdict comes last, from what changed. Because each
 * step only moves forward, merging the same event twice changes nothing,
 * which is also why the fingerprint shortcut is sound.
 */
#include "copytrader/leader_track.h"

#include <math.h>
#include <string.h>

#include "copytrader/error.h"

#define PX_EPS 1e-6
#define TRACKED_HAS                                                            \
  (CT_DHAN_HAS_QUANTITY | CT_DHAN_HAS_TRADED_QTY | CT_DHAN_HAS_PRICE |         \
   CT_DHAN_HAS_TRIGGER)

int ct_leader_status_rank(ct_dhan_status_t s) {
  switch (s) {
  case CT_DHAN_STATUS_UNKNOWN:
    return 0;
  case CT_DHAN_STATUS_TRANSIT:
    return 1;
  case CT_DHAN_STATUS_PENDING:
  case CT_DHAN_STATUS_PART_TRADED:
  case CT_DHAN_STATUS_TRIGGERED:
  case CT_DHAN_STATUS_CONFIRM:
    return 2;
  default:
    return ct_dhan_status_is_final(s) ? 3 : 0;
  }
}

uint32_t ct_leader_final_change(ct_dhan_status_t s) {
  switch (s) {
  case CT_DHAN_STATUS_TRADED:
    return CT_LCHG_TRADED;
  case CT_DHAN_STATUS_CANCELLED:
    return CT_LCHG_CANCELLED;
  case CT_DHAN_STATUS_REJECTED:
    return CT_LCHG_REJECTED;
  case CT_DHAN_STATUS_EXPIRED:
    return CT_LCHG_EXPIRED;
  case CT_DHAN_STATUS_CLOSED:
    return CT_LCHG_CLOSED;
  default:
    return 0;
  }
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static uint64_t fnv_i64(uint64_t h, int64_t v) {
  return fnv(h, &v, sizeof v);
}

static uint64_t fnv_str(uint64_t h, const char *s) {
  return fnv(h, s, strlen(s) + 1); /* the NUL separates fields */
}

uint64_t ct_leader_fingerprint(const ct_order_event_t *ev) {
  uint64_t h = 14695981039346656037ULL;
  h = fnv_str(h, ev->order_id);
  h = fnv_str(h, ev->last_update_time);
  h = fnv_i64(h, (int64_t)ev->status);
  h = fnv_i64(h, (int64_t)ev->order_type);
  h = fnv_i64(h, (int64_t)ev->validity);
  h = fnv_i64(h, (int64_t)(ev->has & TRACKED_HAS));
  h = fnv_i64(h, ev->traded_qty);
  h = fnv_i64(h, ev->quantity);
  h = fnv_i64(h, llround(ev->price * 10000.0));
  return fnv_i64(h, llround(ev->trigger_price * 10000.0));
}

static bool px_differs(double a, double b) {
  return fabs(a - b) > PX_EPS;
}

/* The traded quantity the event states, or -1 when it says nothing. */
static int64_t event_traded(const ct_order_event_t *ev, int64_t quantity) {
  if (ev->has & CT_DHAN_HAS_TRADED_QTY)
    return ev->traded_qty;
  if (ev->status == CT_DHAN_STATUS_TRADED)
    return (ev->has & CT_DHAN_HAS_QUANTITY) ? ev->quantity : quantity;
  return -1;
}

/* Negative when a is older than b; 0 when equal or either is unknown. */
static int time_cmp(const char *a, const char *b) {
  if (a[0] == '\0' || b[0] == '\0')
    return 0;
  return strcmp(a, b);
}

static bool event_older(const ct_leader_state_t *s, const ct_order_event_t *ev,
                        int64_t traded) {
  if (time_cmp(ev->last_update_time, s->last_update_time) < 0)
    return true;
  if (ev->status != CT_DHAN_STATUS_UNKNOWN &&
      ct_leader_status_rank(ev->status) < ct_leader_status_rank(s->status))
    return true;
  return traded >= 0 && traded < s->traded_qty;
}

static void merge_fill(ct_leader_change_t *c, const ct_order_event_t *ev,
                       int64_t traded) {
  if (traded <= c->next.traded_qty)
    return;
  c->changes |= CT_LCHG_FILL;
  c->fill_delta = traded - c->next.traded_qty;
  c->next.traded_qty = traded;
  if (ev->has & CT_DHAN_HAS_AVG_PX)
    c->next.avg_traded_price = ev->avg_traded_price;
}

static void merge_status(ct_leader_change_t *c, const ct_order_event_t *ev) {
  if (ct_leader_status_rank(ev->status) <=
      ct_leader_status_rank(c->next.status))
    return; /* same rank never flips: PENDING vs PART_TRADED is cosmetic */
  c->next.status = ev->status;
  c->changes |= ct_leader_final_change(ev->status);
}

static uint32_t merge_attrs(ct_leader_state_t *n, const ct_order_event_t *ev) {
  uint32_t mod = 0;
  if ((ev->has & CT_DHAN_HAS_QUANTITY) && ev->quantity != n->quantity) {
    n->quantity = ev->quantity;
    mod |= CT_LMOD_QUANTITY;
  }
  if ((ev->has & CT_DHAN_HAS_PRICE) && px_differs(ev->price, n->price)) {
    n->price = ev->price;
    mod |= CT_LMOD_PRICE;
  }
  if ((ev->has & CT_DHAN_HAS_TRIGGER) &&
      px_differs(ev->trigger_price, n->trigger_price)) {
    n->trigger_price = ev->trigger_price;
    mod |= CT_LMOD_TRIGGER;
  }
  if (ev->order_type != 0 && ev->order_type != n->order_type) {
    n->order_type = ev->order_type;
    mod |= CT_LMOD_TYPE;
  }
  if (ev->validity != 0 && ev->validity != n->validity) {
    n->validity = ev->validity;
    mod |= CT_LMOD_VALIDITY;
  }
  return mod;
}

/* dst and src are buffers of the same size (checked by the callers). */
static void fill_str(char *dst, const char *src, size_t size) {
  if (dst[0] == '\0' && src[0] != '\0')
    memcpy(dst, src, size);
}

static void merge_static(ct_leader_state_t *n, const ct_order_event_t *ev) {
  _Static_assert(sizeof n->security_id == sizeof ev->security_id, "size");
  _Static_assert(sizeof n->correlation_id == sizeof ev->correlation_id, "");
  fill_str(n->security_id, ev->security_id, sizeof n->security_id);
  fill_str(n->correlation_id, ev->correlation_id, sizeof n->correlation_id);
  if (n->txn == 0)
    n->txn = ev->txn;
  if (n->segment == 0)
    n->segment = ev->segment;
  if (n->product == 0)
    n->product = ev->product;
  if (n->leg_no == 0)
    n->leg_no = ev->leg_no;
  if (ev->last_update_time[0] != '\0' &&
      (n->last_update_time[0] == '\0' ||
       strcmp(ev->last_update_time, n->last_update_time) > 0))
    memcpy(n->last_update_time, ev->last_update_time,
           sizeof n->last_update_time);
}

static bool state_equal(const ct_leader_state_t *a,
                        const ct_leader_state_t *b) {
  return strcmp(a->security_id, b->security_id) == 0 &&
         strcmp(a->correlation_id, b->correlation_id) == 0 &&
         strcmp(a->last_update_time, b->last_update_time) == 0 &&
         a->status == b->status && a->txn == b->txn &&
         a->segment == b->segment && a->product == b->product &&
         a->order_type == b->order_type && a->validity == b->validity &&
         a->leg_no == b->leg_no && a->quantity == b->quantity &&
         a->traded_qty == b->traded_qty && !px_differs(a->price, b->price) &&
         !px_differs(a->trigger_price, b->trigger_price) &&
         !px_differs(a->avg_traded_price, b->avg_traded_price);
}

static void merge(const ct_leader_state_t *prev, const ct_order_event_t *ev,
                  bool first, ct_leader_change_t *c) {
  int64_t traded = event_traded(ev, prev->quantity);
  bool older = event_older(prev, ev, traded);
  merge_fill(c, ev, traded);
  merge_status(c, ev);
  if (!older && !ct_dhan_status_is_final(prev->status)) {
    uint32_t mod = merge_attrs(&c->next, ev);
    if (mod != 0 && !first && !ct_dhan_status_is_final(c->next.status)) {
      c->changes |= CT_LCHG_MODIFIED;
      c->modified = mod;
    }
  }
  merge_static(&c->next, ev);
  if (first)
    c->changes |= CT_LCHG_NEW;
  if (c->changes != 0 || !state_equal(prev, &c->next))
    c->verdict = CT_LTRACK_APPLY;
  else
    c->verdict = older ? CT_LTRACK_STALE : CT_LTRACK_DUPLICATE;
}

int ct_leader_track(const ct_leader_state_t *prev, const ct_order_event_t *ev,
                    ct_leader_change_t *out) {
  ct_leader_state_t empty;
  uint64_t fp;
  if (ev == NULL || out == NULL || ev->order_id[0] == '\0')
    return CT_EINVAL;
  if (prev != NULL && strcmp(prev->order_id, ev->order_id) != 0)
    return CT_EINVAL;
  memset(out, 0, sizeof *out);
  fp = ct_leader_fingerprint(ev);
  if (prev != NULL && prev->version > 0 && prev->fingerprint == fp) {
    out->next = *prev;
    out->verdict = CT_LTRACK_DUPLICATE;
    return 0;
  }
  if (prev == NULL) {
    memset(&empty, 0, sizeof empty);
    memcpy(empty.order_id, ev->order_id, sizeof empty.order_id);
  }
  out->next = prev != NULL ? *prev : empty;
  merge(prev != NULL ? prev : &empty, ev, prev == NULL, out);
  if (out->verdict == CT_LTRACK_APPLY) {
    out->next.version++;
    out->next.fingerprint = fp;
  } else {
    out->next = *prev;
  }
  return 0;
}
