/*
 * api_parse.c: parsers for the few answers dhan_json.h does not cover:
 * RenewToken (the new token goes to the caller's buffer, never into a
 * record), {status|pnlExitStatus, message} (exit all, P&L exit set and
 * delete), GET /pnlExit and the EDIS form. Same leniency as dhan_json.h:
 * numbers may come as strings, unknown keys are ignored.
 */
#define _DEFAULT_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_int.h"
#include "copytrader/error.h"

static cJSON *parse_obj(const char *buf, size_t len, char *err,
                        size_t err_size) {
  cJSON *j = cJSON_ParseWithLength(buf, len);
  if (j == NULL || !cJSON_IsObject(j)) {
    snprintf(err, err_size, "expected a JSON object");
    cJSON_Delete(j);
    return NULL;
  }
  return j;
}

static const char *str(const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItem(j, k); /* case-insensitive */
  return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItem(j, k);
  if (cJSON_IsNumber(v))
    return v->valuedouble;
  return cJSON_IsString(v) ? strtod(v->valuestring, NULL) : 0;
}

static void put(char *dst, size_t size, const char *s) {
  snprintf(dst, size, "%s", s);
}

int ct__api_parse_renew(const char *buf, size_t len, ct_api_renew_t *out,
                        char *token, size_t token_size, char *err,
                        size_t err_size) {
  cJSON *j = parse_obj(buf, len, err, err_size);
  const char *t;
  int rc = CT_EPROTO;
  memset(out, 0, sizeof(*out));
  if (j == NULL)
    return CT_EPROTO;
  t = str(j, "accessToken");
  if (t[0] == '\0')
    t = str(j, "token");
  if (t[0] == '\0' || strlen(t) >= token_size) {
    snprintf(err, err_size, "field 'accessToken': missing or too long");
    goto done;
  }
  put(token, token_size, t);
  put(out->client_id, sizeof(out->client_id), str(j, "dhanClientId"));
  put(out->expiry_time, sizeof(out->expiry_time), str(j, "expiryTime"));
  rc = 0;
done:
  cJSON_Delete(j);
  return rc;
}

/* One record from an object, via fill(). */
static int one(const char *buf, size_t len, void **items, size_t *count,
               size_t size, void (*fill)(const cJSON *, void *), char *err,
               size_t err_size) {
  cJSON *j = parse_obj(buf, len, err, err_size);
  void *o;
  if (j == NULL)
    return CT_EPROTO;
  if ((o = calloc(1, size)) == NULL) {
    cJSON_Delete(j);
    return CT_ENOMEM;
  }
  fill(j, o);
  cJSON_Delete(j);
  *items = o;
  *count = 1;
  return 0;
}

static void fill_status(const cJSON *j, void *o) {
  ct_api_status_t *s = o;
  const char *st = str(j, "pnlExitStatus");
  put(s->status, sizeof(s->status), st[0] ? st : str(j, "status"));
  put(s->message, sizeof(s->message), str(j, "message"));
}

static void fill_pnl(const cJSON *j, void *o) {
  ct_api_pnl_t *p = o;
  const cJSON *pt = cJSON_GetObjectItem(j, "productType"), *it;
  const cJSON *ks = cJSON_GetObjectItem(j, "enable_kill_switch");
  put(p->status, sizeof(p->status), str(j, "pnlExitStatus"));
  p->profit = num(j, "profit");
  p->loss = num(j, "loss");
  cJSON_ArrayForEach(it, pt) {
    if (cJSON_IsString(it) && strcasecmp(it->valuestring, "INTRADAY") == 0)
      p->products |= CT_DHAN_PNL_INTRADAY;
    if (cJSON_IsString(it) && strcasecmp(it->valuestring, "DELIVERY") == 0)
      p->products |= CT_DHAN_PNL_DELIVERY;
  }
  if (ks == NULL)
    ks = cJSON_GetObjectItem(j, "enableKillSwitch");
  p->enable_kill_switch = cJSON_IsTrue(ks);
}

static void fill_form(const cJSON *j, void *o) {
  ct_api_edis_form_t *f = o;
  put(f->client_id, sizeof(f->client_id), str(j, "dhanClientId"));
  put(f->html, sizeof(f->html), str(j, "edisFormHtml"));
}

int ct__api_parse_status(const char *buf, size_t len, void **items,
                         size_t *count, char *err, size_t err_size) {
  return one(buf, len, items, count, sizeof(ct_api_status_t), fill_status, err,
             err_size);
}

int ct__api_parse_pnl(const char *buf, size_t len, void **items, size_t *count,
                      char *err, size_t err_size) {
  return one(buf, len, items, count, sizeof(ct_api_pnl_t), fill_pnl, err,
             err_size);
}

int ct__api_parse_edis_form(const char *buf, size_t len, void **items,
                            size_t *count, char *err, size_t err_size) {
  return one(buf, len, items, count, sizeof(ct_api_edis_form_t), fill_form, err,
             err_size);
}
