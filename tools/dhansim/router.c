/*
 * router.c: turns one parsed HTTP request into a response. Order of checks
 * for /v2 routes: route lookup (unknown path 404 DH-907, wrong method 400
 * DH-905), fault injection, authentication (access-token, 401 DH-901), rate
 * limits (429 DH-904), body parsing (400 DH-905 with the error offset; 413
 * DH-905 over the body cap), the dhanClientId/client-id match (401 DH-901),
 * then the route's handler. Paths under /admin go to admin.c without auth.
 */
#include <stdio.h>
#include <string.h>

#include "dhansim.h"

#define MAX_SEGS 8

static const route_t *const tables[] = { routes_orders,  routes_super,
                                         routes_forever, routes_portfolio,
                                         routes_funds,   routes_statement,
                                         routes_control, routes_account };

typedef struct split {
  char buf[512];
  char *seg[MAX_SEGS];
  int n;
} split_t;

static int split_path(const char *path, split_t *sp) {
  char *p;
  sp->n = 0;
  scopy(sp->buf, sizeof(sp->buf), path);
  p = sp->buf;
  while (*p) {
    while (*p == '/')
      *p++ = '\0';
    if (*p == '\0')
      break;
    if (sp->n == MAX_SEGS)
      return -1;
    sp->seg[sp->n++] = p;
    while (*p && *p != '/')
      p++;
  }
  return 0;
}

/* 1 when `pattern` matches the split path; fills params with "{}" parts. */
static int match(const char *pattern, const split_t *sp, char **params) {
  split_t pp;
  int np = 0;
  split_path(pattern, &pp);
  if (pp.n != sp->n)
    return 0;
  for (int i = 0; i < pp.n; i++) {
    if (strcmp(pp.seg[i], "{}") == 0)
      params[np++] = sp->seg[i];
    else if (strcmp(pp.seg[i], sp->seg[i]) != 0)
      return 0;
  }
  return 1;
}

/* The route for method+path; *path_known tells a method mismatch apart. */
static const route_t *find_route(int method, const split_t *sp, char **params,
                                 int *path_known) {
  *path_known = 0;
  for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
    for (const route_t *rt = tables[t]; rt->pattern; rt++) {
      if (!match(rt->pattern, sp, params))
        continue;
      *path_known = 1;
      if (rt->method == method)
        return rt;
    }
  return NULL;
}

static int parse_body(req_t *r) {
  const char *end = NULL;
  char msg[96];
  if (r->body_too_large) {
    resp_error(r, 413, "Input_Exception", "DH-905", "Request body too large");
    return -1;
  }
  if (r->body_len == 0)
    return 0;
  r->json = cJSON_ParseWithLengthOpts(r->body, r->body_len, &end, 0);
  if (r->json == NULL) {
    snprintf(msg, sizeof(msg), "Invalid JSON body at offset %zu",
             end ? (size_t)(end - r->body) : (size_t)0);
    resp_dh905(r, msg);
    return -1;
  }
  return 0;
}

static int check_client(req_t *r) {
  const cJSON *id =
      r->json && cJSON_IsObject(r->json)
          ? cJSON_GetObjectItemCaseSensitive(r->json, "dhanClientId")
          : NULL;
  int bad = (r->client_hdr[0] && strcmp(r->client_hdr, r->acct->client_id));
  if (id &&
      !(cJSON_IsString(id) && strcmp(id->valuestring, r->acct->client_id) == 0))
    bad = 1;
  if (bad)
    resp_error(r, 401, "Invalid_Authentication", "DH-901",
               "Client ID or user generated access token is invalid or "
               "expired.");
  return bad ? -1 : 0;
}

static int rate_ok(sim_t *s, req_t *r, const route_t *rt) {
  int order = rt->order_api && rt->method != M_GET;
  if (!s->rate_limit)
    return 1;
  if (ct_token_bucket_try(order ? &r->acct->rl_orders : &r->acct->rl_other,
                          uv_hrtime(), 1, NULL) == 0)
    return 1;
  resp_error(r, 429, "Rate_Limit", "DH-904",
             "Too many requests on server from single user breaching rate "
             "limits. Try throttling API calls.");
  return 0;
}

static void handle_v2(sim_t *s, req_t *r) {
  split_t sp;
  char *params[MAX_SEGS];
  int known = 0;
  const route_t *rt;

  if (split_path(r->path + 3, &sp) != 0 ||
      (rt = find_route(r->method, &sp, params, &known)) == NULL) {
    if (sp.n > 0 && known)
      resp_dh905(r, "Method not allowed on this endpoint");
    else
      resp_error(r, 404, "Data_Error", "DH-907", "No such endpoint");
    return;
  }
  if (faults_apply(s, r))
    return;
  r->acct = accounts_by_token(s, r->token);
  if (r->acct == NULL) {
    resp_error(r, 401, "Invalid_Authentication", "DH-901",
               "Client ID or user generated access token is invalid or "
               "expired.");
    return;
  }
  if (!rate_ok(s, r, rt) || parse_body(r) != 0 || check_client(r) != 0)
    return;
  rt->fn(s, r, params);
}

void router_handle(sim_t *s, req_t *r) {
  r->status = 200;
  if (strncmp(r->path, "/admin/", 7) == 0)
    admin_handle(s, r);
  else if (strncmp(r->path, "/v2/", 4) == 0)
    handle_v2(s, r);
  else
    resp_error(r, 404, "Data_Error", "DH-907", "No such endpoint");
  if (r->json) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(r->json, "correlationId");
    if (cJSON_IsString(c) && r->stamp_corr[0] == '\0')
      scopy(r->stamp_corr, sizeof(r->stamp_corr), c->valuestring);
  }
  if (strncmp(r->path, "/admin/", 7) != 0) {
    stamps_request(s, r);
    reqlog_record(s, r);
  }
}
