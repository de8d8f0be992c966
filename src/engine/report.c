/*
 * report.c: the operator reports of report.h, read from the store.
 *
 * Both reports first build a cJSON tree from the records of one read
 * transaction, then render it: as is (JSON) or as an aligned text table.
 * Building one tree keeps the two formats in step: the table shows
 * exactly the fields the JSON has. The trees are small (one snapshot, or
 * the leader orders of a day), so building them costs nothing that
 * matters for a command-line tool.
 */
#include "copytrader/report.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/breaker.h"
#include "copytrader/error.h"
#include "copytrader/store_control.h"

static const char *const phase_names[] = { "NONE",    "INTENT", "SENT",
                                           "UNKNOWN", "ACKED",  "REJECTED",
                                           "DONE" };
static const char *const intent_names[] = { "NONE", "PLACE", "MODIFY",
                                            "CANCEL" };
static const char *const decision_names[] = { "NONE", "SEND", "SKIP" };

#define NAME_OF(arr, v)                                                        \
  ((unsigned)(v) < sizeof(arr) / sizeof(arr[0]) ? arr[v] : "?")

const char *ct_report_phase_name(ct_forder_phase_t p) {
  return NAME_OF(phase_names, p);
}

const char *ct_report_intent_name(ct_forder_intent_t i) {
  return NAME_OF(intent_names, i);
}

const char *ct_report_decision_name(ct_decision_kind_t k) {
  return NAME_OF(decision_names, k);
}

static const char *or_dash(const char *s) {
  return s != NULL && s[0] != '\0' ? s : "-";
}

static const char *name_of(const ct_report_names_t *names, const char *id) {
  if (names != NULL)
    for (size_t i = 0; i < names->n; i++)
      if (strcmp(names->client_ids[i], id) == 0)
        return names->names[i];
  return "";
}

static const char *status_str(ct_dhan_status_t s) {
  const char *v = ct_dhan_status_str(s);
  return v != NULL ? v : "";
}

/* Print a tree as JSON; 0 or CT_ENOMEM. */
static int print_json(cJSON *root, FILE *out) {
  char *txt = cJSON_Print(root);
  if (txt == NULL)
    return CT_ENOMEM;
  fprintf(out, "%s\n", txt);
  cJSON_free(txt);
  return 0;
}

/* JSON readers for the renderers (the trees are ours: shapes are known). */
static const char *js(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : "";
}

static double jn(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static bool jb(const cJSON *o, const char *k) {
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* --- status ------------------------------------------------------------------
 */

static cJSON *window_json(const ct_status_window_t *w) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "period_ms", (double)w->period_ms);
  cJSON_AddNumberToObject(o, "limit", w->limit);
  cJSON_AddNumberToObject(o, "headroom", w->headroom);
  return o;
}

static cJSON *follower_json(ct_store_txn_t *t, const ct_report_names_t *names,
                            const ct_status_follower_t *f, int *rc) {
  cJSON *o = cJSON_CreateObject(), *ws;
  bool paused = f->paused;
  if (f->client_id[0] != '\0')
    *rc = ct_store_pause_get(t, f->client_id, &paused);
  cJSON_AddStringToObject(o, "name",
                          f->name[0] ? f->name : name_of(names, f->client_id));
  cJSON_AddStringToObject(o, "client_id", f->client_id);
  cJSON_AddBoolToObject(o, "enabled", f->enabled);
  cJSON_AddBoolToObject(o, "paused", paused);
  cJSON_AddBoolToObject(o, "engine_paused", f->paused); /* applied */
  cJSON_AddStringToObject(
      o, "breaker", ct_breaker_state_name((ct_breaker_state_t)f->breaker));
  ws = cJSON_AddArrayToObject(o, "order_windows");
  for (uint32_t i = 0; i < f->n_windows; i++)
    cJSON_AddItemToArray(ws, window_json(&f->windows[i]));
  cJSON_AddNumberToObject(o, "orders_today", (double)f->orders_today);
  cJSON_AddStringToObject(o, "last_error", f->last_error);
  cJSON_AddNumberToObject(o, "last_error_ms", (double)f->last_error_ms);
  return o;
}

static cJSON *status_json(ct_store_txn_t *t, const ct_status_t *st,
                          const ct_report_names_t *names, uint64_t now_ms,
                          uint64_t stale_ms, int *rc) {
  cJSON *root = cJSON_CreateObject(), *feed, *fs;
  uint64_t age = now_ms > st->written_ms ? now_ms - st->written_ms : 0;
  cJSON_AddNumberToObject(root, "written_ms", (double)st->written_ms);
  cJSON_AddNumberToObject(root, "age_ms", (double)age);
  cJSON_AddBoolToObject(root, "stale", age > stale_ms);
  cJSON_AddNumberToObject(root, "pid", (double)st->pid);
  feed = cJSON_AddObjectToObject(root, "leader_feed");
  cJSON_AddStringToObject(feed, "state", st->feed.up ? "up" : "down");
  cJSON_AddNumberToObject(feed, "connects", (double)st->feed.connects);
  cJSON_AddNumberToObject(feed, "last_event_ms",
                          (double)st->feed.last_event_ms);
  cJSON_AddStringToObject(feed, "last_error", st->feed.last_error);
  fs = cJSON_AddArrayToObject(root, "followers");
  for (size_t i = 0; i < st->n_followers && *rc == 0; i++)
    cJSON_AddItemToArray(fs, follower_json(t, names, &st->followers[i], rc));
  return root;
}

/* "7/10 243/250": headroom/limit per order window. */
static void windows_text(const cJSON *ws, char *buf, size_t cap) {
  const cJSON *w;
  size_t n = 0;
  buf[0] = '\0';
  cJSON_ArrayForEach(w, ws) {
    int k = snprintf(buf + n, cap - n, "%s%.0f/%.0f", n ? " " : "",
                     jn(w, "headroom"), jn(w, "limit"));
    if (k < 0 || (size_t)k >= cap - n)
      break;
    n += (size_t)k;
  }
  if (n == 0)
    snprintf(buf, cap, "-");
}

static void status_text(const cJSON *root, uint64_t now_ms, FILE *out) {
  const cJSON *feed = cJSON_GetObjectItem(root, "leader_feed"), *f;
  double last = jn(feed, "last_event_ms");
  bool any_pending = false;
  fprintf(out, "engine pid %.0f, snapshot %.1f s old%s\n", jn(root, "pid"),
          jn(root, "age_ms") / 1000.0,
          jb(root, "stale") ? " (STALE: is the engine running?)" : "");
  fprintf(out, "leader feed: %s, connects %.0f, last event ", js(feed, "state"),
          jn(feed, "connects"));
  if (last > 0)
    fprintf(out, "%.1f s ago", ((double)now_ms - last) / 1000.0);
  else
    fprintf(out, "never");
  fprintf(out, ", last error %s\n\n", or_dash(js(feed, "last_error")));
  fprintf(out, "%-16s %-12s %-7s %-6s %-9s %-24s %6s  %s\n", "FOLLOWER",
          "CLIENT ID", "ENABLED", "PAUSED", "BREAKER", "HEADROOM (ORDERS)",
          "TODAY", "LAST ERROR");
  cJSON_ArrayForEach(f, cJSON_GetObjectItem(root, "followers")) {
    char win[64];
    bool pending = jb(f, "paused") != jb(f, "engine_paused");
    windows_text(cJSON_GetObjectItem(f, "order_windows"), win, sizeof win);
    fprintf(
        out, "%-16s %-12s %-7s %-6s %-9s %-24s %6.0f  %s\n",
        or_dash(js(f, "name")), js(f, "client_id"),
        jb(f, "enabled") ? "yes" : "no",
        jb(f, "paused") ? (pending ? "yes*" : "yes") : (pending ? "no*" : "no"),
        js(f, "breaker"), win, jn(f, "orders_today"),
        or_dash(js(f, "last_error")));
    any_pending |= pending;
  }
  if (any_pending)
    fprintf(out,
            "\n* not yet applied by the engine (it reads the flags "
            "every few hundred ms)\n");
}

int ct_report_status(ct_store_txn_t *t, ct_report_format_t fmt,
                     const ct_report_names_t *names, uint64_t now_ms,
                     uint64_t stale_ms, FILE *out) {
  ct_status_t st;
  cJSON *root;
  int rc = ct_store_status_get(t, &st);
  if (rc == CT_ENOTFOUND)
    fprintf(out, fmt == CT_REPORT_JSON
                     ? "{\"error\":\"no status snapshot: the engine has not "
                       "run on this state directory\"}\n"
                     : "no status snapshot: the engine has not run on this "
                       "state directory\n");
  if (rc != 0)
    return rc;
  root = status_json(t, &st, names, now_ms, stale_ms ? stale_ms : 5000, &rc);
  if (root == NULL)
    rc = CT_ENOMEM;
  else if (rc == 0 && fmt == CT_REPORT_JSON)
    rc = print_json(root, out);
  else if (rc == 0)
    status_text(root, now_ms, out);
  cJSON_Delete(root);
  ct_status_clear(&st);
  return rc;
}

/* --- orders ------------------------------------------------------------------
 */

typedef struct orders_ctx {
  ct_store_txn_t *t;
  const ct_report_names_t *names;
  const ct_report_orders_filter_t *filter;
  cJSON *arr;  /* leader orders */
  cJSON *fols; /* followers of the leader order being built */
} orders_ctx_t;

static bool want_follower(const orders_ctx_t *c, const char *id) {
  const char *f = c->filter != NULL ? c->filter->follower_id : NULL;
  return f == NULL || f[0] == '\0' || strcmp(f, id) == 0;
}

/* The follower entry of `id` in the current leader order, made if new. */
static cJSON *follower_entry(orders_ctx_t *c, const char *id) {
  cJSON *f;
  cJSON_ArrayForEach(f, c->fols) {
    if (strcmp(js(f, "follower_id"), id) == 0)
      return f;
  }
  f = cJSON_CreateObject();
  cJSON_AddStringToObject(f, "follower_id", id);
  cJSON_AddStringToObject(f, "name", name_of(c->names, id));
  cJSON_AddStringToObject(f, "decision", "NONE");
  cJSON_AddArrayToObject(f, "orders");
  cJSON_AddItemToArray(c->fols, f);
  return f;
}

static int on_decision(const ct_decision_t *d, void *ctx) {
  orders_ctx_t *c = ctx;
  cJSON *f;
  if (!want_follower(c, d->follower_id))
    return 0;
  f = follower_entry(c, d->follower_id);
  cJSON_ReplaceItemInObject(
      f, "decision", cJSON_CreateString(ct_report_decision_name(d->kind)));
  cJSON_AddStringToObject(f, "skip_reason", d->skip_reason);
  cJSON_AddNumberToObject(f, "qty", (double)d->qty);
  cJSON_AddNumberToObject(f, "slices", d->slices);
  cJSON_AddStringToObject(f, "rule", d->rule);
  return 0;
}

static int on_forder(const ct_forder_t *o, void *ctx) {
  orders_ctx_t *c = ctx;
  cJSON *e;
  if (!want_follower(c, o->follower_id))
    return 0;
  e = cJSON_CreateObject();
  cJSON_AddStringToObject(e, "correlation_id", o->correlation_id);
  cJSON_AddStringToObject(e, "order_id", o->order_id);
  cJSON_AddStringToObject(e, "intent", ct_report_intent_name(o->intent));
  cJSON_AddStringToObject(e, "phase", ct_report_phase_name(o->phase));
  cJSON_AddStringToObject(e, "status", status_str(o->status));
  cJSON_AddNumberToObject(e, "quantity", (double)o->quantity);
  cJSON_AddNumberToObject(e, "filled_qty", (double)o->filled_qty);
  cJSON_AddStringToObject(e, "reject_code", o->reject_code);
  cJSON_AddBoolToObject(e, "diverged", o->diverged);
  cJSON_AddItemToArray(
      cJSON_GetObjectItem(follower_entry(c, o->follower_id), "orders"), e);
  return 0;
}

static int on_leader(const ct_leader_state_t *l, void *ctx) {
  orders_ctx_t *c = ctx;
  const char *want = c->filter != NULL ? c->filter->leader_order_id : NULL;
  cJSON *o;
  int rc;
  if (want != NULL && want[0] != '\0' && strcmp(want, l->order_id) != 0)
    return 0;
  o = cJSON_CreateObject();
  cJSON_AddItemToArray(c->arr, o);
  cJSON_AddStringToObject(o, "order_id", l->order_id);
  cJSON_AddStringToObject(o, "security_id", l->security_id);
  cJSON_AddStringToObject(o, "segment",
                          or_dash(ct_dhan_segment_str(l->segment)));
  cJSON_AddStringToObject(o, "side", or_dash(ct_dhan_txn_str(l->txn)));
  cJSON_AddStringToObject(o, "order_type",
                          or_dash(ct_dhan_order_type_str(l->order_type)));
  cJSON_AddStringToObject(o, "status", status_str(l->status));
  cJSON_AddNumberToObject(o, "quantity", (double)l->quantity);
  cJSON_AddNumberToObject(o, "traded_qty", (double)l->traded_qty);
  cJSON_AddNumberToObject(o, "price", l->price);
  c->fols = cJSON_AddArrayToObject(o, "followers");
  if ((rc = ct_store_each_decision(c->t, l->order_id, on_decision, c)) != 0)
    return rc;
  return ct_store_each_forder_of_leader(c->t, l->order_id, on_forder, c);
}

static void decision_text(const cJSON *f, char *buf, size_t cap) {
  const char *d = js(f, "decision");
  if (strcmp(d, "SEND") == 0)
    snprintf(buf, cap, "SEND %.0f x%.0f", jn(f, "qty"), jn(f, "slices"));
  else if (strcmp(d, "SKIP") == 0)
    snprintf(buf, cap, "SKIP %s", js(f, "skip_reason"));
  else
    snprintf(buf, cap, "%s", d);
}

static void follower_rows(const cJSON *f, FILE *out) {
  char dec[64], who[64];
  const cJSON *orders = cJSON_GetObjectItem(f, "orders"), *e;
  decision_text(f, dec, sizeof dec);
  snprintf(who, sizeof who, "%s",
           js(f, "name")[0] ? js(f, "name") : js(f, "follower_id"));
  if (cJSON_GetArraySize(orders) == 0)
    fprintf(out, "  %-14s %-20s %-27s %-16s %-16s %6s %6s\n", who, dec, "-",
            "-", "-", "-", "-");
  cJSON_ArrayForEach(e, orders) {
    char state[48];
    snprintf(state, sizeof state, "%s%s%s%s", js(e, "phase"),
             js(e, "status")[0] ? "/" : "", js(e, "status"),
             jb(e, "diverged") ? " DIVERGED" : "");
    fprintf(out, "  %-14s %-20s %-27s %-16s %-16s %6.0f %6.0f%s%s\n", who, dec,
            or_dash(js(e, "correlation_id")), or_dash(js(e, "order_id")), state,
            jn(e, "quantity"), jn(e, "filled_qty"),
            js(e, "reject_code")[0] ? " " : "", js(e, "reject_code"));
    dec[0] = '\0'; /* the decision once per follower */
  }
}

static void orders_text(const cJSON *arr, FILE *out) {
  const cJSON *l, *f;
  if (cJSON_GetArraySize(arr) == 0) {
    fprintf(out, "no leader orders recorded\n");
    return;
  }
  cJSON_ArrayForEach(l, arr) {
    fprintf(out, "LEADER %s  %s %.0f %s/%s %s @ %.2f  %s, traded %.0f\n",
            js(l, "order_id"), js(l, "side"), jn(l, "quantity"),
            js(l, "segment"), js(l, "security_id"), js(l, "order_type"),
            jn(l, "price"), or_dash(js(l, "status")), jn(l, "traded_qty"));
    fprintf(out, "  %-14s %-20s %-27s %-16s %-16s %6s %6s\n", "FOLLOWER",
            "DECISION", "CORRELATION ID", "ORDER ID", "STATE", "QTY", "FILLED");
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(l, "followers")) {
      follower_rows(f, out);
    }
    fprintf(out, "\n");
  }
}

int ct_report_orders(ct_store_txn_t *t, ct_report_format_t fmt,
                     const ct_report_names_t *names,
                     const ct_report_orders_filter_t *filter, FILE *out) {
  orders_ctx_t c = { t, names, filter, cJSON_CreateArray(), NULL };
  int rc;
  if (c.arr == NULL)
    return CT_ENOMEM;
  rc = ct_store_each_leader(t, on_leader, &c);
  if (rc == 0 && fmt == CT_REPORT_JSON)
    rc = print_json(c.arr, out);
  else if (rc == 0)
    orders_text(c.arr, out);
  cJSON_Delete(c.arr);
  return rc;
}
