/*
 * Operator reports rendered from the store: what `copytrader status` and
 * `copytrader orders` print. Each function reads through the caller's
 * read transaction (ct_store_txn_begin(s, false, ...), typically on a
 * store opened with ct_store_attach() while the engine runs) and writes
 * either an aligned text table or one JSON document (cJSON) to `out`.
 * Nothing here knows a token: the store holds none.
 *
 * Follower names: the store keys followers by dhanClientId; `names`
 * (optional) maps ids to the configuration's names for display.
 */
#ifndef COPYTRADER_REPORT_H
#define COPYTRADER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "copytrader/store.h"

typedef enum { CT_REPORT_TEXT = 0, CT_REPORT_JSON = 1 } ct_report_format_t;

/* client id -> name pairs (borrowed for the call). */
typedef struct ct_report_names {
  size_t n;
  const char *const *client_ids;
  const char *const *names;
} ct_report_names_t;

/* The status snapshot (store_control.h) as a table or JSON. The paused
 * column comes from the pause flags (the operator's last word), not from
 * the snapshot, so a pause shows at once; JSON's "engine_paused" is the
 * snapshot's (what the engine had applied when it wrote it), and the
 * table marks a flag the engine has not applied yet with '*'. `now_ms` (wall
 * clock) gives the snapshot's age; a snapshot older than `stale_ms` (0: 5000)
 * is marked stale (the engine is probably not running). Returns 0, CT_ENOTFOUND
 * (no snapshot yet: a one-line explanation is printed), CT_EPROTO, CT_EIO or
 * CT_ENOMEM. */
int ct_report_status(ct_store_txn_t *t, ct_report_format_t fmt,
                     const ct_report_names_t *names, uint64_t now_ms,
                     uint64_t stale_ms, FILE *out);

/* Filters for ct_report_orders(); NULL or "" fields match everything. */
typedef struct ct_report_orders_filter {
  const char *leader_order_id;
  const char *follower_id; /* a dhanClientId */
} ct_report_orders_filter_t;

/* Every leader order (in order id order) with, side by side, each
 * follower's decision (SEND with quantity and slices, or SKIP and why) and
 * each follower order (correlation id, follower order id, intent, phase,
 * last known status, quantity placed, quantity filled, reject code,
 * diverged flag). `filter` may be NULL. Returns 0 (also when there is
 * nothing to show), CT_EPROTO (a corrupt record; t->err), CT_EIO or
 * CT_ENOMEM. */
int ct_report_orders(ct_store_txn_t *t, ct_report_format_t fmt,
                     const ct_report_names_t *names,
                     const ct_report_orders_filter_t *filter, FILE *out);

/* Static names for the store's enums: "INTENT", "ACKED", ...; "PLACE",
 * "MODIFY", ...; "SEND", "SKIP". "?" when out of range. */
const char *ct_report_phase_name(ct_forder_phase_t p);
const char *ct_report_intent_name(ct_forder_intent_t i);
const char *ct_report_decision_name(ct_decision_kind_t k);

#endif /* COPYTRADER_REPORT_H */
