/*
 * params.c: ctapi's --key value flags to the typed params struct of each
 * call. Every flag must be used by the call; errors name the flag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctapi.h"

static const char *get(kv_t *kv, const char *k) {
  for (int i = 0; i < kv->n; i++)
    if (strcmp(kv->key[i], k) == 0) {
      kv->used[i] = 1;
      return kv->val[i];
    }
  return NULL;
}

static int need(kv_t *kv, const char *k, const char **v) {
  if ((*v = get(kv, k)) != NULL)
    return 0;
  snprintf(kv->err, sizeof(kv->err), "--%s is required", k);
  return -1;
}

static int bad(kv_t *kv, const char *k, const char *v, const char *why) {
  snprintf(kv->err, sizeof(kv->err), "--%s %s: %s", k, v, why);
  return -1;
}

static int str(kv_t *kv, const char *k, char *dst, size_t size, int req) {
  const char *v = req ? NULL : get(kv, k);
  if (req && need(kv, k, &v))
    return -1;
  if (v == NULL)
    return 0;
  if (strlen(v) >= size)
    return bad(kv, k, v, "too long");
  strcpy(dst, v);
  return 0;
}

static int i64(kv_t *kv, const char *k, int64_t *out, int req) {
  const char *v = req ? NULL : get(kv, k);
  char *end;
  if (req && need(kv, k, &v))
    return -1;
  if (v == NULL)
    return 0;
  *out = strtoll(v, &end, 10);
  return (*end || end == v) ? bad(kv, k, v, "not an integer") : 0;
}

static int f64(kv_t *kv, const char *k, double *out, int req) {
  const char *v = req ? NULL : get(kv, k);
  char *end;
  if (req && need(kv, k, &v))
    return -1;
  if (v == NULL)
    return 0;
  *out = strtod(v, &end);
  return (*end || end == v) ? bad(kv, k, v, "not a number") : 0;
}

/* The text of an enum flag in ev_ (NULL when absent and optional); -1
 * when required and missing. The tool is single-threaded. */
static const char *ev_;

static int enum_str(kv_t *kv, const char *k, int req) {
  ev_ = req ? NULL : get(kv, k);
  return req ? need(kv, k, &ev_) : 0;
}

/* An enum flag read with `from_str` (0 = unknown value). */
#define ENUM(kv, k, out, from_str, req)                                        \
  (enum_str(kv, k, req)                                                        \
       ? -1                                                                    \
       : (ev_ == NULL ? 0                                                      \
                      : ((*(out) = from_str(ev_)) == 0                         \
                             ? bad(kv, k, ev_, "unknown value")                \
                             : 0)))

static int spec(kv_t *kv, ct_dhan_order_spec_t *o, int need_type) {
  o->validity = CT_DHAN_VALIDITY_DAY;
  if (str(kv, "security-id", o->security_id, sizeof(o->security_id), 1) ||
      ENUM(kv, "segment", &o->segment, ct_dhan_segment_from_str, 1) ||
      ENUM(kv, "side", &o->txn, ct_dhan_txn_from_str, 1) ||
      i64(kv, "qty", &o->quantity, 1) ||
      ENUM(kv, "type", &o->order_type, ct_dhan_order_type_from_str,
           need_type) ||
      ENUM(kv, "product", &o->product, ct_dhan_product_from_str, 1) ||
      ENUM(kv, "validity", &o->validity, ct_dhan_validity_from_str, 0) ||
      f64(kv, "price", &o->price, 0) ||
      f64(kv, "trigger", &o->trigger_price, 0) ||
      i64(kv, "disclosed", &o->disclosed_quantity, 0) ||
      str(kv, "corr", o->correlation_id, sizeof(o->correlation_id), 0))
    return -1;
  return 0;
}

static int place(kv_t *kv, ct_dhan_place_req_t *p) {
  if (spec(kv, &p->o, 1) ||
      ENUM(kv, "amo-time", &p->amo_time, ct_dhan_amo_time_from_str, 0))
    return -1;
  p->after_market_order = p->amo_time != CT_DHAN_AMO_NONE;
  return 0;
}

static int modify(kv_t *kv, ct_dhan_modify_req_t *m) {
  m->validity = CT_DHAN_VALIDITY_DAY;
  return str(kv, "order-id", m->order_id, sizeof(m->order_id), 1) ||
                 ENUM(kv, "type", &m->order_type, ct_dhan_order_type_from_str,
                      1) ||
                 ENUM(kv, "validity", &m->validity, ct_dhan_validity_from_str,
                      0) ||
                 i64(kv, "qty", &m->quantity, 1) ||
                 f64(kv, "price", &m->price, 0) ||
                 f64(kv, "trigger", &m->trigger_price, 0) ||
                 i64(kv, "disclosed", &m->disclosed_quantity, 0)
             ? -1
             : 0;
}

static int super_place(kv_t *kv, ct_dhan_super_req_t *s) {
  return spec(kv, &s->o, 1) || f64(kv, "target", &s->target_price, 1) ||
                 f64(kv, "stop-loss", &s->stop_loss_price, 1) ||
                 f64(kv, "trail", &s->trailing_jump, 0)
             ? -1
             : 0;
}

static int super_modify(kv_t *kv, ct_dhan_super_modify_req_t *m) {
  return str(kv, "order-id", m->order_id, sizeof(m->order_id), 1) ||
                 ENUM(kv, "leg", &m->leg, ct_dhan_leg_from_str, 1) ||
                 ENUM(kv, "type", &m->order_type, ct_dhan_order_type_from_str,
                      0) ||
                 i64(kv, "qty", &m->quantity, 0) ||
                 f64(kv, "price", &m->price, 0) ||
                 f64(kv, "target", &m->target_price, 0) ||
                 f64(kv, "stop-loss", &m->stop_loss_price, 0) ||
                 f64(kv, "trail", &m->trailing_jump, 0)
             ? -1
             : 0;
}

static int forever(kv_t *kv, ct_dhan_forever_req_t *f) {
  return spec(kv, &f->o, 1) ||
                 ENUM(kv, "flag", &f->flag, ct_dhan_order_flag_from_str, 1) ||
                 f64(kv, "price1", &f->price1, 0) ||
                 f64(kv, "trigger1", &f->trigger_price1, 0) ||
                 i64(kv, "qty1", &f->quantity1, 0)
             ? -1
             : 0;
}

static int forever_modify(kv_t *kv, ct_dhan_forever_modify_req_t *m) {
  m->validity = CT_DHAN_VALIDITY_DAY;
  return str(kv, "order-id", m->order_id, sizeof(m->order_id), 1) ||
                 ENUM(kv, "flag", &m->flag, ct_dhan_order_flag_from_str, 1) ||
                 ENUM(kv, "type", &m->order_type, ct_dhan_order_type_from_str,
                      1) ||
                 ENUM(kv, "leg", &m->leg, ct_dhan_leg_from_str, 1) ||
                 ENUM(kv, "validity", &m->validity, ct_dhan_validity_from_str,
                      0) ||
                 i64(kv, "qty", &m->quantity, 1) ||
                 f64(kv, "price", &m->price, 1) ||
                 f64(kv, "trigger", &m->trigger_price, 0) ||
                 i64(kv, "disclosed", &m->disclosed_quantity, 0)
             ? -1
             : 0;
}

static int convert(kv_t *kv, ct_dhan_convert_req_t *c) {
  return str(kv, "security-id", c->security_id, sizeof(c->security_id), 1) ||
                 ENUM(kv, "segment", &c->segment, ct_dhan_segment_from_str,
                      1) ||
                 ENUM(kv, "position-type", &c->position_type,
                      ct_dhan_position_type_from_str, 1) ||
                 ENUM(kv, "from", &c->from_product, ct_dhan_product_from_str,
                      1) ||
                 ENUM(kv, "to", &c->to_product, ct_dhan_product_from_str, 1) ||
                 i64(kv, "qty", &c->convert_qty, 1)
             ? -1
             : 0;
}

static int margin(kv_t *kv, ct_dhan_margin_item_t *m) {
  return str(kv, "security-id", m->security_id, sizeof(m->security_id), 1) ||
                 ENUM(kv, "segment", &m->segment, ct_dhan_segment_from_str,
                      1) ||
                 ENUM(kv, "side", &m->txn, ct_dhan_txn_from_str, 1) ||
                 ENUM(kv, "product", &m->product, ct_dhan_product_from_str,
                      1) ||
                 i64(kv, "qty", &m->quantity, 1) ||
                 f64(kv, "price", &m->price, 1) ||
                 f64(kv, "trigger", &m->trigger_price, 0)
             ? -1
             : 0;
}

static int pnl(kv_t *kv, ct_dhan_pnl_exit_req_t *p) {
  const char *prods = NULL, *ks = get(kv, "kill-switch");
  if (f64(kv, "profit", &p->profit_value, 1) ||
      f64(kv, "loss", &p->loss_value, 1) || need(kv, "products", &prods))
    return -1;
  if (strstr(prods, "INTRADAY"))
    p->products |= CT_DHAN_PNL_INTRADAY;
  if (strstr(prods, "DELIVERY"))
    p->products |= CT_DHAN_PNL_DELIVERY;
  if (p->products == 0)
    return bad(kv, "products", prods, "expected INTRADAY and/or DELIVERY");
  p->enable_kill_switch = ks && strcmp(ks, "true") == 0;
  return 0;
}

static int edis_form(kv_t *kv, ct_dhan_edis_req_t *e) {
  const char *bulk = get(kv, "bulk");
  e->bulk = bulk && strcmp(bulk, "true") == 0;
  return str(kv, "isin", e->isin, sizeof(e->isin), 1) ||
                 i64(kv, "qty", &e->qty, 1) ||
                 str(kv, "exchange", e->exchange, sizeof(e->exchange), 1)
             ? -1
             : 0;
}

static int kill_set(kv_t *kv, ct_api_kill_t *k) {
  const char *v;
  if (need(kv, "status", &v))
    return -1;
  if (strcmp(v, "ACTIVATE") && strcmp(v, "DEACTIVATE"))
    return bad(kv, "status", v, "expected ACTIVATE or DEACTIVATE");
  k->activate = strcmp(v, "ACTIVATE") == 0;
  return 0;
}

static int dates(kv_t *kv, ct_api_dates_t *d) {
  return str(kv, "from", d->from, sizeof(d->from), 1) ||
                 str(kv, "to", d->to, sizeof(d->to), 1)
             ? -1
             : 0;
}

static int ref(kv_t *kv, const char *k, ct_api_ref_t *r) {
  return str(kv, k, r->id, sizeof(r->id), 1);
}

static const char *const known[] = {
  "security-id", "segment",  "side",      "qty",           "type", "product",
  "validity",    "price",    "trigger",   "disclosed",     "corr", "amo-time",
  "order-id",    "target",   "stop-loss", "trail",         "leg",  "flag",
  "price1",      "trigger1", "qty1",      "position-type", "from", "to",
  "profit",      "loss",     "products",  "kill-switch",   "isin", "exchange",
  "bulk",        "status",   NULL
};

static int all_known(kv_t *kv) {
  for (int i = 0; i < kv->n; i++) {
    int k = 0;
    while (known[k] && strcmp(known[k], kv->key[i]) != 0)
      k++;
    if (known[k] == NULL) {
      snprintf(kv->err, sizeof(kv->err), "--%s: unknown flag", kv->key[i]);
      return -1;
    }
  }
  return 0;
}

int ctapi_params(ct_api_call_t call, kv_t *kv, void *buf, size_t *size) {
  int rc = 0;
  if (all_known(kv))
    return -1;
  switch (call) {
  case CT_API_ORDER_PLACE:
  case CT_API_ORDER_PLACE_SLICED:
    rc = place(kv, buf);
    break;
  case CT_API_ORDER_MODIFY:
    rc = modify(kv, buf);
    break;
  case CT_API_ORDER_CANCEL:
  case CT_API_ORDER_GET:
  case CT_API_TRADES_OF_ORDER:
  case CT_API_FOREVER_DELETE:
    rc = ref(kv, "order-id", buf);
    break;
  case CT_API_ORDER_GET_BY_CORR:
    rc = ref(kv, "corr", buf);
    break;
  case CT_API_EDIS_INQUIRE:
    rc = ref(kv, "isin", buf);
    break;
  case CT_API_SUPER_PLACE:
    rc = super_place(kv, buf);
    break;
  case CT_API_SUPER_MODIFY:
    rc = super_modify(kv, buf);
    break;
  case CT_API_SUPER_CANCEL: {
    ct_api_super_cancel_t *c = buf;
    rc = str(kv, "order-id", c->order_id, sizeof(c->order_id), 1) ||
         ENUM(kv, "leg", &c->leg, ct_dhan_leg_from_str, 1);
    break;
  }
  case CT_API_FOREVER_CREATE:
    rc = forever(kv, buf);
    break;
  case CT_API_FOREVER_MODIFY:
    rc = forever_modify(kv, buf);
    break;
  case CT_API_CONVERT:
    rc = convert(kv, buf);
    break;
  case CT_API_EDIS_FORM:
    rc = edis_form(kv, buf);
    break;
  case CT_API_KILL_SET:
    rc = kill_set(kv, buf);
    break;
  case CT_API_PNL_SET:
    rc = pnl(kv, buf);
    break;
  case CT_API_MARGIN:
    rc = margin(kv, buf);
    break;
  case CT_API_MARGIN_MULTI:
    snprintf(kv->err, sizeof(kv->err),
             "funds margin-multi is not available from the command line");
    return -1;
  case CT_API_LEDGER:
  case CT_API_TRADE_HISTORY:
    rc = dates(kv, buf);
    break;
  default:
    break;
  }
  if (rc)
    return -1;
  for (int i = 0; i < kv->n; i++)
    if (!kv->used[i]) {
      snprintf(kv->err, sizeof(kv->err), "--%s: not a flag of this call",
               kv->key[i]);
      return -1;
    }
  (void)size;
  return 0;
}
