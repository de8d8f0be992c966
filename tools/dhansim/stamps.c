/*
 * stamps.c: monotonic timestamps for latency measurements. Every REST
 * request is stamped (uv_hrtime, ns) when it has been fully parsed, with its
 * account, correlationId and orderId; every order-update frame is stamped
 * when it is written to a socket. Both are kept in bounded rings (the
 * oldest entries are dropped) and served as JSON by GET /admin/stamps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhansim.h"

#define STAMP_CAP 200000

typedef struct req_stamp {
  uint64_t t;
  int method, status;
  char account[32], corr[40], order_id[32], path[96];
} req_stamp_t;

typedef struct frame_stamp {
  uint64_t t;
  frame_info_t info;
} frame_stamp_t;

typedef struct stamps {
  req_stamp_t *req;
  size_t n_req, head_req;
  frame_stamp_t *frm;
  size_t n_frm, head_frm;
} stamps_t;

int stamps_init(sim_t *s) {
  stamps_t *st = calloc(1, sizeof(*st));
  if (st == NULL)
    return -1;
  st->req = calloc(STAMP_CAP, sizeof(*st->req));
  st->frm = calloc(STAMP_CAP, sizeof(*st->frm));
  s->stamps = st;
  if (st->req == NULL || st->frm == NULL) {
    stamps_free(s);
    return -1;
  }
  return 0;
}

void stamps_free(sim_t *s) {
  stamps_t *st = s->stamps;
  if (st == NULL)
    return;
  free(st->req);
  free(st->frm);
  free(st);
  s->stamps = NULL;
}

void stamps_clear(sim_t *s) {
  stamps_t *st = s->stamps;
  st->n_req = st->head_req = st->n_frm = st->head_frm = 0;
}

/* Index of the next slot of a ring of STAMP_CAP entries. */
static size_t ring_slot(size_t *n, size_t *head) {
  size_t i = (*head + *n) % STAMP_CAP;
  if (*n < STAMP_CAP)
    (*n)++;
  else
    *head = (*head + 1) % STAMP_CAP;
  return i;
}

void stamps_request(sim_t *s, const req_t *r) {
  stamps_t *st = s->stamps;
  req_stamp_t *e = &st->req[ring_slot(&st->n_req, &st->head_req)];
  e->t = r->t_parsed;
  e->method = r->method;
  e->status = r->status;
  scopy(e->account, sizeof(e->account), r->acct ? r->acct->client_id : "");
  scopy(e->corr, sizeof(e->corr), r->stamp_corr);
  scopy(e->order_id, sizeof(e->order_id), r->stamp_order);
  scopy(e->path, sizeof(e->path), r->path);
}

void stamps_frame(sim_t *s, const frame_info_t *f, uint64_t t) {
  stamps_t *st = s->stamps;
  frame_stamp_t *e = &st->frm[ring_slot(&st->n_frm, &st->head_frm)];
  e->t = t;
  e->info = *f;
}

static const char *method_name(int m) {
  static const char *n[] = { "GET", "POST", "PUT", "DELETE", "OTHER" };
  return n[m >= 0 && m <= M_OTHER ? m : M_OTHER];
}

static cJSON *req_json(const req_stamp_t *e) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "method", method_name(e->method));
  cJSON_AddStringToObject(j, "path", e->path);
  cJSON_AddStringToObject(j, "account", e->account);
  cJSON_AddStringToObject(j, "correlationId", e->corr);
  cJSON_AddStringToObject(j, "orderId", e->order_id);
  cJSON_AddNumberToObject(j, "status", e->status);
  cJSON_AddNumberToObject(j, "tNs", (double)e->t);
  return j;
}

static cJSON *frame_json(const frame_stamp_t *e) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "account", e->info.account);
  cJSON_AddStringToObject(j, "orderId", e->info.order_id);
  cJSON_AddStringToObject(j, "correlationId", e->info.corr);
  cJSON_AddStringToObject(j, "status", e->info.status);
  cJSON_AddNumberToObject(j, "tradedQty", (double)e->info.traded);
  cJSON_AddNumberToObject(j, "tNs", (double)e->t);
  return j;
}

cJSON *stamps_json(sim_t *s, const char *account) {
  stamps_t *st = s->stamps;
  cJSON *j = cJSON_CreateObject();
  cJSON *rq = cJSON_AddArrayToObject(j, "requests");
  cJSON *fr = cJSON_AddArrayToObject(j, "frames");
  for (size_t i = 0; i < st->n_req; i++) {
    const req_stamp_t *e = &st->req[(st->head_req + i) % STAMP_CAP];
    if (account == NULL || strcmp(account, e->account) == 0)
      cJSON_AddItemToArray(rq, req_json(e));
  }
  for (size_t i = 0; i < st->n_frm; i++) {
    const frame_stamp_t *e = &st->frm[(st->head_frm + i) % STAMP_CAP];
    if (account == NULL || strcmp(account, e->info.account) == 0)
      cJSON_AddItemToArray(fr, frame_json(e));
  }
  return j;
}
