/*
 * reqlog.c: the request log, "the request dhansim received", for tests.
 *
 * Every request outside /admin is recorded as it arrived: method, path,
 * query, the headers that matter to Dhan (access-token presence, never its
 * value; client-id; dhanClientId; Content-Type; Accept), the body bytes as
 * received, the status answered and the parse stamp. A ring keeps the last
 * REQLOG_CAP requests; the body is taken over from the finished request,
 * not copied. GET /admin/requests serves it, POST /admin/requests/clear
 * (and /admin/stamps/clear) forgets it. See README "Request log".
 */
#include <stdlib.h>
#include <string.h>

#include "dhansim.h"

#define REQLOG_CAP 4096

typedef struct reqlog_entry {
  uint64_t seq, t;
  int method, status, has_token, body_truncated;
  char account[32];
  char path[512], query[512];
  char client_hdr[64], dhan_client_hdr[64];
  char content_type[128], accept[128];
  char *body; /* NUL-terminated, owned; NULL when there was none */
  size_t body_len;
} reqlog_entry_t;

typedef struct reqlog {
  reqlog_entry_t *e;
  size_t n, head;
  uint64_t seq;
} reqlog_t;

int reqlog_init(sim_t *s) {
  reqlog_t *l = calloc(1, sizeof(*l));
  if (l == NULL)
    return -1;
  l->e = calloc(REQLOG_CAP, sizeof(*l->e));
  s->reqlog = l;
  if (l->e == NULL) {
    reqlog_free(s);
    return -1;
  }
  return 0;
}

void reqlog_clear(sim_t *s) {
  reqlog_t *l = s->reqlog;
  for (size_t i = 0; i < l->n; i++) {
    reqlog_entry_t *e = &l->e[(l->head + i) % REQLOG_CAP];
    free(e->body);
    e->body = NULL;
  }
  l->n = l->head = 0;
}

void reqlog_free(sim_t *s) {
  reqlog_t *l = s->reqlog;
  if (l == NULL)
    return;
  if (l->e != NULL)
    reqlog_clear(s);
  free(l->e);
  free(l);
  s->reqlog = NULL;
}

/* The slot for the next entry; the oldest is dropped when the ring is full. */
static reqlog_entry_t *next_slot(reqlog_t *l) {
  reqlog_entry_t *e = &l->e[(l->head + l->n) % REQLOG_CAP];
  if (l->n < REQLOG_CAP)
    l->n++;
  else
    l->head = (l->head + 1) % REQLOG_CAP;
  free(e->body);
  return e;
}

void reqlog_record(sim_t *s, req_t *r) {
  reqlog_t *l = s->reqlog;
  reqlog_entry_t *e = next_slot(l);
  const account_t *a = r->acct ? r->acct : accounts_by_token(s, r->token);
  e->seq = ++l->seq;
  e->t = r->t_parsed;
  e->method = r->method;
  e->status = r->status;
  e->has_token = r->token[0] != '\0';
  e->body_truncated = r->body_too_large;
  scopy(e->account, sizeof(e->account), a ? a->client_id : "");
  scopy(e->path, sizeof(e->path), r->path);
  scopy(e->query, sizeof(e->query), r->query);
  scopy(e->client_hdr, sizeof(e->client_hdr), r->client_hdr);
  scopy(e->dhan_client_hdr, sizeof(e->dhan_client_hdr), r->dhan_client_hdr);
  scopy(e->content_type, sizeof(e->content_type), r->content_type);
  scopy(e->accept, sizeof(e->accept), r->accept);
  e->body = r->body; /* taken over: the request is finished with it */
  e->body_len = r->body_len;
  r->body = NULL;
  r->body_len = 0;
}

static void add_header(cJSON *h, const char *name, const char *v) {
  if (v[0] != '\0')
    cJSON_AddStringToObject(h, name, v);
}

static cJSON *entry_json(const reqlog_entry_t *e) {
  static const char *const names[] = { "GET", "POST", "PUT", "DELETE",
                                       "OTHER" };
  cJSON *j = cJSON_CreateObject(), *h;
  cJSON_AddNumberToObject(j, "seq", (double)e->seq);
  cJSON_AddStringToObject(j, "method", names[e->method]);
  cJSON_AddStringToObject(j, "path", e->path);
  cJSON_AddStringToObject(j, "query", e->query);
  cJSON_AddStringToObject(j, "account", e->account);
  cJSON_AddBoolToObject(j, "accessTokenPresent", e->has_token);
  h = cJSON_AddObjectToObject(j, "headers"); /* only those present */
  add_header(h, "client-id", e->client_hdr);
  add_header(h, "dhanClientId", e->dhan_client_hdr);
  add_header(h, "content-type", e->content_type);
  add_header(h, "accept", e->accept);
  if (e->body != NULL)
    cJSON_AddStringToObject(j, "body", e->body);
  else
    cJSON_AddNullToObject(j, "body");
  cJSON_AddNumberToObject(j, "bodyLength", (double)e->body_len);
  cJSON_AddBoolToObject(j, "bodyTruncated", e->body_truncated);
  cJSON_AddNumberToObject(j, "status", e->status);
  cJSON_AddNumberToObject(j, "tNs", (double)e->t);
  return j;
}

cJSON *reqlog_json(sim_t *s, const char *account, uint64_t after_seq) {
  reqlog_t *l = s->reqlog;
  cJSON *j = cJSON_CreateObject();
  cJSON *arr = cJSON_AddArrayToObject(j, "requests");
  cJSON_AddNumberToObject(j, "lastSeq", (double)l->seq);
  for (size_t i = 0; i < l->n; i++) {
    const reqlog_entry_t *e = &l->e[(l->head + i) % REQLOG_CAP];
    if (e->seq > after_seq &&
        (account == NULL || strcmp(account, e->account) == 0))
      cJSON_AddItemToArray(arr, entry_json(e));
  }
  return j;
}
