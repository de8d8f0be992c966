/*
 * Leader order tracking: turn order events from several feeds into changes
 * that act exactly once.
 *
 * Leader events arrive from the order-update WebSocket, the postback
 * receiver and order-book reconciliation (REST), in any order and with
 * duplicates; none of them carries a sequence number (dhan-v2-api.md §15.2).
 * ct_leader_track() compares one event with the last state stored for that
 * order and says what is new. It is pure: no I/O, no clock, no globals.
 *
 * The merge is monotone, so the stored state never goes backwards whatever
 * order the feeds deliver in:
 *   - traded quantity only rises; a rise is a FILL of the difference;
 *   - status has a rank: UNKNOWN < TRANSIT < open (PENDING, PART_TRADED,
 *     TRIGGERED, CONFIRM) < final (TRADED, CANCELLED, REJECTED, EXPIRED,
 *     CLOSED). The first final status wins; a later different final status
 *     is STALE (but a higher traded quantity in it still counts as a fill);
 *   - order attributes (quantity, price, trigger, order type, validity) are
 *     taken from an event only when it is not older than the stored state:
 *     not an older last-update time, not a lower status rank, not a lower
 *     traded quantity. Times compare as "YYYY-MM-DD HH:MM:SS" text; an
 *     empty time never orders. An attribute change on an order that is
 *     already final is ignored.
 * Fields an event lacks (has-bits clear, enums 0, empty strings) keep the
 * stored value. A TRADED event without a traded quantity counts as fully
 * traded.
 *
 * Known limit: Dhan's times have one-second resolution. Two modifications
 * in the same second, seen by two feeds in the wrong order, may be applied
 * as two MODIFIED changes (the later arrival wins); the next reconciliation
 * from the order book sets it right with one more MODIFIED. Price changes
 * are therefore applied as "set to", never as "add".
 */
#ifndef COPYTRADER_LEADER_TRACK_H
#define COPYTRADER_LEADER_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "copytrader/dhan_types.h"

/* The last known state of one leader order, as kept in the store. */
typedef struct ct_leader_state {
  char order_id[CT_DHAN_ID_SIZE];
  char security_id[CT_DHAN_SECID_SIZE];
  char correlation_id[CT_DHAN_CORRID_SIZE]; /* the leader's own tag */
  char last_update_time[CT_DHAN_TIME_SIZE];
  ct_dhan_status_t status;
  ct_dhan_txn_t txn;
  ct_dhan_segment_t segment;
  ct_dhan_product_t product;
  ct_dhan_order_type_t order_type;
  ct_dhan_validity_t validity;
  int leg_no;
  int64_t quantity;
  int64_t traded_qty;
  double price;
  double trigger_price;
  double avg_traded_price;
  uint64_t version;     /* 1 at first sight, +1 per applied event */
  uint64_t fingerprint; /* ct_leader_fingerprint() of the last applied */
} ct_leader_state_t;

/* Change bits: what an event adds to the stored state. Several can come
 * together (a reconciliation can show a new order already TRADED: NEW |
 * FILL | TRADED). */
#define CT_LCHG_NEW       (1u << 0) /* first sight of this order */
#define CT_LCHG_MODIFIED  (1u << 1) /* see `modified` for which fields */
#define CT_LCHG_FILL      (1u << 2) /* traded qty rose by `fill_delta` */
#define CT_LCHG_CANCELLED (1u << 3)
#define CT_LCHG_REJECTED  (1u << 4)
#define CT_LCHG_TRADED    (1u << 5)
#define CT_LCHG_EXPIRED   (1u << 6)
#define CT_LCHG_CLOSED    (1u << 7) /* super order closed */
#define CT_LCHG_FINAL                                                          \
  (CT_LCHG_CANCELLED | CT_LCHG_REJECTED | CT_LCHG_TRADED | CT_LCHG_EXPIRED |   \
   CT_LCHG_CLOSED)

/* Which attributes a MODIFIED changed. */
#define CT_LMOD_QUANTITY (1u << 0)
#define CT_LMOD_PRICE    (1u << 1)
#define CT_LMOD_TRIGGER  (1u << 2)
#define CT_LMOD_TYPE     (1u << 3)
#define CT_LMOD_VALIDITY (1u << 4)

typedef enum {
  CT_LTRACK_APPLY = 0, /* store `next`; act on `changes` (may be 0: a
                          status or time advanced with nothing to copy,
                          e.g. TRANSIT -> PENDING) */
  CT_LTRACK_DUPLICATE, /* same as stored: nothing to do or store */
  CT_LTRACK_STALE      /* older than stored: nothing to do or store */
} ct_ltrack_verdict_t;

typedef struct ct_leader_change {
  ct_ltrack_verdict_t verdict;
  uint32_t changes;       /* CT_LCHG_* */
  uint32_t modified;      /* CT_LMOD_* when CT_LCHG_MODIFIED */
  int64_t fill_delta;     /* > 0 when CT_LCHG_FILL */
  ct_leader_state_t next; /* the merged state (== prev unless APPLY) */
} ct_leader_change_t;

/* Classify `ev` against `prev` (NULL: this order was never seen) and fill
 * `out`. `ev->order_id` must equal `prev->order_id`. Returns 0, or
 * CT_EINVAL for NULL ev/out, an empty order id or mismatched ids. */
int ct_leader_track(const ct_leader_state_t *prev, const ct_order_event_t *ev,
                    ct_leader_change_t *out);

/* A 64-bit FNV-1a hash of what identifies one observed state of an order:
 * order id, status, traded qty, quantity, price, trigger, order type,
 * validity and last update time. Equal events hash equal. */
uint64_t ct_leader_fingerprint(const ct_order_event_t *ev);

/* Rank of a status in the monotone order above (0 unknown .. 3 final). */
int ct_leader_status_rank(ct_dhan_status_t s);

/* The CT_LCHG_* bit of a final status, 0 for any other. */
uint32_t ct_leader_final_change(ct_dhan_status_t s);

#endif /* COPYTRADER_LEADER_TRACK_H */
