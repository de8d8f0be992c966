/*
 * api_actor.c: the generic REST module actor (see api.h for the life of a
 * call). One instance per (account, module); the module only decides which
 * calls the actor accepts: the routes, bodies and parsers come from the
 * call table (api_calls.c), so every module runs this same code.
 *
 * State: a FIFO of calls waiting for the account's limiter (with one timer
 * armed at the head's retry time), a list of calls in flight keyed by the
 * HTTP request id, and the module's circuit breaker.
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "copytrader/error.h"

typedef struct pending {
  struct pending *next;
  const ct__api_row_t *row;
  uint64_t arrived_ns, deadline_ns;
  uint64_t caller, caller_req; /* for the reply */
  uint64_t http_id;            /* while in flight */
  uint64_t token_gen;
  bool sent;
  unsigned page;
  void *items; /* trade history: pages so far */
  size_t count;
  const char *path; /* into buf; a paged call rebuilds it per page */
  const char *body; /* into buf, body_len bytes */
  size_t body_len;
  /* [params (paged calls)] [path NUL] [body], allocated to size. */
  _Alignas(max_align_t) unsigned char buf[];
} pending_t;

typedef struct api {
  ct_api_account_t *acct;
  ct_api_module_t module;
  ct_breaker_t breaker;
  pending_t *qhead, *qtail; /* waiting for the limiter */
  pending_t *inflight;
  bool timer_armed;
  uint64_t timer_id;
} api_t;

typedef ct__api_arg_t api_arg_t;

static void pending_free(pending_t *p) {
  free(p->items);
  free(p);
}

/* ---- replies ---- */

static void reply(ct_actor_t *self, pending_t *p, ct_api_result_t *r) {
  ct_envelope_t env = { .from = p->caller, .request_id = p->caller_req };
  ct_msg_t *m = NULL;
  const void *items = r->items;
  size_t n = r->count * r->item_size;
  r->call = p->row->call;
  r->sent = p->sent;
  r->elapsed_ns = uv_hrtime() - p->arrived_ns;
  r->items = NULL;
  if (ct_msg_new(CT_MSG_API_RESULT, &m) != 0 ||
      ct_msg_put_bin(m, r, sizeof(*r)) != 0 ||
      ct_msg_put_bin(m, items ? items : "", n) != 0 ||
      ct_reply(self, &env, m) != 0) {
    ct_log_warn("api", "actor=%s call=%s msg=\"reply lost\"",
                ct_actor_name(self), p->row->name);
    ct_msg_free(m);
  }
  r->items = (void *)items;
}

/* Fail a call locally: nothing (more) goes out. */
static void fail(ct_actor_t *self, pending_t *p, int err, ct_dhan_class_t cls,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void fail(ct_actor_t *self, pending_t *p, int err, ct_dhan_class_t cls,
                 const char *fmt, ...) {
  ct_api_result_t r;
  va_list ap;
  memset(&r, 0, sizeof(r));
  r.err = err;
  r.cls = cls;
  r.dhan.cls = cls;
  r.pages = p->page;
  va_start(ap, fmt);
  vsnprintf(r.reason, sizeof(r.reason), fmt, ap);
  va_end(ap);
  ct_log_info("api", "actor=%s call=%s cls=%s err=%s reason=\"%s\"",
              ct_actor_name(self), p->row->name, ct_dhan_class_name(cls),
              ct_err_name(err), r.reason);
  reply(self, p, &r);
  pending_free(p);
}

/* ---- fail-fast checks ---- */

/* 0 when the call may still go; otherwise it has been failed. */
static int precheck(ct_actor_t *self, api_t *s, pending_t *p, uint64_t now) {
  const ct_breaker_transition_t *t = ct_breaker_last(&s->breaker);
  if (now >= p->deadline_ns) {
    fail(self, p, CT_ETIMEDOUT, CT_DHAN_RATE_LIMITED,
         "deadline passed before the call could be sent");
    return -1;
  }
  if (ct_api_account_auth_failed(s->acct)) {
    fail(self, p, CT_EAUTH, CT_DHAN_AUTH,
         "account %s is auth-failed (DH-901): swap the token",
         s->acct->client_id);
    return -1;
  }
  if (ct_breaker_state(&s->breaker) == CT_BREAKER_OPEN &&
      now < t->open_until_ns) {
    fail(self, p, CT_EBREAKER, CT_DHAN_TRANSIENT,
         "circuit breaker of module %s open for %llu ms more",
         ct_api_module_name(s->module),
         (unsigned long long)((t->open_until_ns - now) / 1000000));
    return -1;
  }
  return 0;
}

/* ---- sending ---- */

/* The request of a paged call is rebuilt for every later page into
 * `scratch` (page 0 is the one on_call built and stored). */
static int page_build(api_t *s, pending_t *p, ct__api_http_t *scratch) {
  scratch->body_len = 0;
  scratch->page = p->page;
  scratch->err[0] = '\0';
  return p->row->build(s->acct->client_id, p->buf, scratch);
}

static int send_http(ct_actor_t *self, api_t *s, pending_t *p, uint64_t now,
                     char *err) {
  char token[CT__API_TOKEN_SIZE], url[CT__API_PATH_SIZE + 256];
  ct__api_http_t scratch;
  ct_http_header_t hdr[5];
  size_t nh = 0;
  uint64_t left_ms = (p->deadline_ns - now) / 1000000;
  ct_http_req_t req = { .method = p->row->method,
                        .url = url,
                        .body = p->body_len ? p->body : NULL,
                        .body_len = p->body_len };
  const char *path = p->path;
  int rc;
  if (p->row->paged && p->page > 0) {
    if ((rc = page_build(s, p, &scratch)) != 0) {
      memcpy(err, scratch.err, sizeof(scratch.err));
      return rc;
    }
    path = scratch.path;
    req.body = scratch.body_len ? scratch.body : NULL;
    req.body_len = scratch.body_len;
  }
  if ((rc = ct__api_account_token(s->acct, token, sizeof(token),
                                  &p->token_gen)) != 0)
    return rc;
  snprintf(url, sizeof(url), "%s%s", s->acct->base_url, path);
  hdr[nh++] = (ct_http_header_t){ "access-token", token };
  hdr[nh++] = (ct_http_header_t){ "client-id", s->acct->client_id };
  if (p->row->dhan_client_hdr)
    hdr[nh++] = (ct_http_header_t){ "dhanClientId", s->acct->client_id };
  hdr[nh++] = (ct_http_header_t){ "Accept", "application/json" };
  if (req.body_len)
    hdr[nh++] = (ct_http_header_t){ "Content-Type", "application/json" };
  req.headers = hdr;
  req.nheaders = nh;
  req.timeout_ms = left_ms < s->acct->http_timeout_ms
                       ? (left_ms ? left_ms : 1)
                       : s->acct->http_timeout_ms;
  rc = ct_http_request(self, s->acct->http, &req, &p->http_id);
  explicit_bzero(token, sizeof(token));
  return rc;
}

/* Try to send p now. 1 sent or failed, 0 blocked by the limiter with
 * *retry_at set. */
static int try_send(ct_actor_t *self, api_t *s, pending_t *p, uint64_t now,
                    uint64_t *retry_at) {
  char err[CT_DHAN_ERR_SIZE] = "";
  int rc = ct__api_account_take(s->acct, p->row->limit, now, retry_at);
  if (rc == CT_ERATELIMIT)
    return 0;
  if (rc != 0) {
    fail(self, p, rc, CT_DHAN_CONFIG, "rate limit config never admits a call");
    return 1;
  }
  if (ct_breaker_allow(&s->breaker, now, NULL) != 0) {
    fail(self, p, CT_EBREAKER, CT_DHAN_TRANSIENT,
         "circuit breaker of module %s open (probe in flight)",
         ct_api_module_name(s->module));
    return 1;
  }
  if ((rc = send_http(self, s, p, now, err)) != 0) {
    ct_breaker_record(&s->breaker, now, CT_OUTCOME_IGNORED);
    fail(self, p, rc,
         rc == CT_EINVAL ? CT_DHAN_BUSINESS_REJECTION : CT_DHAN_TRANSIENT,
         "could not send: %s %s", ct_strerror(rc), err);
    return 1;
  }
  p->sent = true;
  p->next = s->inflight;
  s->inflight = p;
  return 1;
}

static pending_t *queue_pop(api_t *s) {
  pending_t *p = s->qhead;
  if (p && (s->qhead = p->next) == NULL)
    s->qtail = NULL;
  return p;
}

/* Fail every queued call whose deadline comes before retry_at. */
static void expire_queue(ct_actor_t *self, api_t *s, uint64_t retry_at) {
  pending_t **pp = &s->qhead, *last = NULL;
  while (*pp) {
    pending_t *p = *pp;
    if (p->deadline_ns < retry_at) {
      *pp = p->next;
      fail(self, p, CT_ERATELIMIT, CT_DHAN_RATE_LIMITED,
           "rate limit: the call could not go before its deadline "
           "(%llu ms short)",
           (unsigned long long)((retry_at - p->deadline_ns) / 1000000 + 1));
    } else {
      last = p;
      pp = &p->next;
    }
  }
  s->qtail = last;
}

static void arm(ct_actor_t *self, api_t *s, uint64_t retry_at, uint64_t now) {
  uint64_t ms = retry_at > now ? (retry_at - now + 999999) / 1000000 : 1;
  if (s->timer_armed)
    ct_timer_stop(self, s->timer_id);
  s->timer_armed =
      ct_timer_start(self, ms, 0, CT_MSG_API_WAKE, &s->timer_id) == 0;
}

/* Send queued calls in order while the limiter admits them. */
static void drain(ct_actor_t *self, api_t *s) {
  uint64_t retry_at = 0;
  while (s->qhead) {
    uint64_t now = uv_hrtime();
    pending_t *p = queue_pop(s);
    if (precheck(self, s, p, now) != 0 ||
        try_send(self, s, p, now, &retry_at) == 1)
      continue;         /* failed, or sent */
    p->next = s->qhead; /* blocked: back to the front */
    s->qhead = p;
    if (s->qtail == NULL)
      s->qtail = p;
    expire_queue(self, s, retry_at);
    if (s->qhead)
      arm(self, s, retry_at, now);
    return;
  }
}

static void enqueue(ct_actor_t *self, api_t *s, pending_t *p, bool front) {
  p->next = NULL;
  if (front) {
    p->next = s->qhead;
    s->qhead = p;
    if (s->qtail == NULL)
      s->qtail = p;
  } else if (s->qtail) {
    s->qtail->next = p;
    s->qtail = p;
  } else {
    s->qhead = s->qtail = p;
  }
  drain(self, s);
}

/* ---- answers ---- */

static void parse_ok(ct_actor_t *self, api_t *s, pending_t *p,
                     const ct_http_response_t *hr, ct_api_result_t *r);

static void record_breaker(api_t *s, ct_dhan_class_t cls) {
  ct_breaker_outcome_t o = CT_OUTCOME_IGNORED;
  if (ct_dhan_class_breaker_failure(cls))
    o = CT_OUTCOME_FAILURE;
  else if (cls == CT_DHAN_SUCCESS || cls == CT_DHAN_BUSINESS_REJECTION ||
           cls == CT_DHAN_NOT_FOUND)
    o = CT_OUTCOME_SUCCESS; /* the service answered coherently */
  ct_breaker_record(&s->breaker, uv_hrtime(), o);
}

static void on_answer(ct_actor_t *self, api_t *s, pending_t *p,
                      const ct_envelope_t *env) {
  ct_http_response_t hr;
  ct_api_result_t r;
  memset(&r, 0, sizeof(r));
  if (ct_http_response_read(env, &hr) != 0) {
    memset(&hr, 0, sizeof(hr));
    hr.error = CT_EPROTO;
    hr.request_sent = true;
  }
  ct_dhan_classify(hr.error, hr.request_sent, (int)hr.status, hr.body,
                   hr.body_len, p->row->flags, &r.dhan);
  r.cls = r.dhan.cls;
  r.err = ct_dhan_class_errno(r.cls);
  if (r.cls == CT_DHAN_SUCCESS) {
    parse_ok(self, s, p, &hr, &r);
    return;
  }
  if (hr.error)
    snprintf(r.reason, sizeof(r.reason), "transport: %s: %.*s",
             ct_strerror(hr.error), (int)hr.error_text_len,
             hr.error_text ? hr.error_text : "");
  record_breaker(s, r.cls);
  if (r.cls == CT_DHAN_AUTH)
    ct__api_account_auth_dead(s->acct, p->token_gen);
  r.pages = p->page;
  ct_log_info("api", "actor=%s call=%s cls=%s status=%d code=%s",
              ct_actor_name(self), p->row->name, ct_dhan_class_name(r.cls),
              r.dhan.http_status, r.dhan.error_code);
  reply(self, p, &r);
  pending_free(p);
}

static int append_page(pending_t *p, void *items, size_t count) {
  size_t sz = p->row->item_size;
  void *n;
  if (count == 0)
    return 0;
  n = realloc(p->items, (p->count + count) * sz);
  if (n == NULL)
    return CT_ENOMEM;
  memcpy((char *)n + p->count * sz, items, count * sz);
  p->items = n;
  p->count += count;
  return 0;
}

/* RenewToken: swap the new token into the account; it never leaves. */
static int renew_swap(api_t *s, const ct_http_response_t *hr, void **items,
                      size_t *count, char *err) {
  char token[CT__API_TOKEN_SIZE];
  ct_api_renew_t *rn = calloc(1, sizeof(*rn));
  int rc = rn ? 0 : CT_ENOMEM;
  if (rc == 0)
    rc = ct__api_parse_renew(hr->body, hr->body_len, rn, token, sizeof(token),
                             err, CT_DHAN_ERR_SIZE);
  if (rc == 0 && (rc = ct__api_account_swap_text(s->acct, token)) == 0)
    rn->swapped = true;
  explicit_bzero(token, sizeof(token));
  if (rc != 0) {
    free(rn);
    return rc;
  }
  *items = rn;
  *count = 1;
  return 0;
}

static void parse_ok(ct_actor_t *self, api_t *s, pending_t *p,
                     const ct_http_response_t *hr, ct_api_result_t *r) {
  char err[CT_DHAN_ERR_SIZE] = "";
  void *items = NULL;
  size_t count = 0;
  int rc = 0;
  record_breaker(s, CT_DHAN_SUCCESS);
  if (p->row->call == CT_API_RENEW_TOKEN)
    rc = renew_swap(s, hr, &items, &count, err);
  else if (p->row->parse && hr->body_len > 0)
    rc =
        p->row->parse(hr->body, hr->body_len, &items, &count, err, sizeof(err));
  p->page++;
  if (rc == 0 && p->row->paged) {
    rc = append_page(p, items, count);
    free(items);
    items = NULL;
    if (rc == 0 && count > 0 && p->page < s->acct->max_pages) {
      enqueue(self, s, p, true); /* next page, ahead of later calls */
      return;
    }
    items = p->items;
    count = p->count;
    p->items = NULL;
  }
  if (rc != 0) {
    r->err = rc == CT_ENOMEM ? CT_ENOMEM : CT_EPROTO;
    r->cls = (p->row->flags & CT_DHAN_CALL_MUTATES) ? CT_DHAN_OUTCOME_UNKNOWN
                                                    : CT_DHAN_TRANSIENT;
    snprintf(r->reason, sizeof(r->reason), "2xx body not understood: %s", err);
  }
  r->items = items;
  r->count = count;
  r->item_size = p->row->item_size;
  r->pages = p->page;
  reply(self, p, r);
  free(items);
  pending_free(p);
}

static void on_http(ct_actor_t *self, api_t *s, const ct_envelope_t *env) {
  pending_t **pp = &s->inflight;
  while (*pp && (*pp)->http_id != env->request_id)
    pp = &(*pp)->next;
  if (*pp == NULL)
    return; /* not ours (a late timer or a stray answer) */
  pending_t *p = *pp;
  *pp = p->next;
  p->next = NULL;
  on_answer(self, s, p, env);
}

/* ---- calls ---- */

static int read_call(const ct_envelope_t *env, uint32_t *call,
                     uint64_t *deadline, const void **params, size_t *len) {
  ct_reader_t rd;
  uint64_t c;
  int rc;
  ct_reader_init(&rd, env);
  *params = NULL;
  *len = 0;
  rc = ct_read_u64(&rd, &c);
  if (rc == 0)
    rc = ct_read_u64(&rd, deadline);
  if (rc == 0)
    rc = ct_read_bin(&rd, params, len);
  ct_reader_close(&rd);
  *call = (uint32_t)c;
  return rc;
}

/* A pending call holding, in one allocation sized to them, the params
 * (paged calls only: they rebuild per page) and the built path and body
 * (h == NULL: nothing, the call is about to be failed). */
static pending_t *pending_new(const ct__api_row_t *row,
                              const ct_envelope_t *env, uint64_t deadline,
                              const void *params, size_t len,
                              const ct__api_http_t *h) {
  size_t keep = h && row->paged ? len : 0;
  size_t path_len = h ? strlen(h->path) : 0, body_len = h ? h->body_len : 0;
  pending_t *p = calloc(1, sizeof(*p) + keep + path_len + 1 + body_len);
  char *at;
  if (p == NULL)
    return NULL;
  p->row = row;
  p->arrived_ns = uv_hrtime();
  p->deadline_ns = deadline;
  p->caller = env->from;
  p->caller_req = env->request_id;
  memcpy(p->buf, params, keep);
  at = (char *)p->buf + keep;
  memcpy(at, h ? h->path : "", path_len + 1);
  p->path = at;
  p->body = at + path_len + 1;
  p->body_len = body_len;
  if (body_len)
    memcpy(at + path_len + 1, h->body, body_len);
  return p;
}

/* Check and build the call into h: 0, or CT_EINVAL with the reason in
 * h->err. The params are copied to aligned memory for the builder. */
static int build_call(api_t *s, const ct__api_row_t *row, const void *params,
                      size_t len, ct__api_http_t *h) {
  _Alignas(max_align_t) unsigned char aligned[CT__API_PARAMS_MAX];
  h->path[0] = '\0';
  h->body_len = 0;
  h->page = 0;
  h->err[0] = '\0';
  if (row->module != s->module || len != row->params_size ||
      len > sizeof(aligned)) {
    snprintf(h->err, sizeof(h->err),
             "call %s is not served by module %s or has bad params", row->name,
             ct_api_module_name(s->module));
    return CT_ERANGE;
  }
  memcpy(aligned, params, len);
  return row->build(s->acct->client_id, aligned, h) ? CT_EINVAL : 0;
}

static void on_call(ct_actor_t *self, api_t *s, const ct_envelope_t *env) {
  const ct__api_row_t *row;
  ct__api_http_t h;
  const void *params;
  size_t len;
  uint32_t call;
  uint64_t deadline;
  pending_t *p;
  int rc;
  if (read_call(env, &call, &deadline, &params, &len) != 0 ||
      (row = ct__api_row((ct_api_call_t)call)) == NULL) {
    ct_log_warn("api", "actor=%s msg=\"bad call message\"",
                ct_actor_name(self));
    return;
  }
  rc = build_call(s, row, params, len, &h);
  if ((p = pending_new(row, env, deadline, params, len, rc ? NULL : &h)) ==
      NULL) {
    ct_log_warn("api", "actor=%s msg=\"out of memory\"", ct_actor_name(self));
    return;
  }
  if (rc == CT_ERANGE)
    fail(self, p, CT_EINVAL, CT_DHAN_CONFIG, "%s", h.err);
  else if (rc != 0)
    fail(self, p, CT_EINVAL, CT_DHAN_BUSINESS_REJECTION, "invalid request: %s",
         h.err);
  else if (precheck(self, s, p, p->arrived_ns) == 0)
    enqueue(self, s, p, false);
}

/* ---- actor ---- */

/* Every transition is published for status displays (api.h). */
static void on_breaker(const ct_breaker_transition_t *t, void *ctx) {
  api_t *s = ctx;
  ct__api_account_breaker_set(s->acct, s->module, t->to);
}

static int api_init(ct_actor_t *self, void *arg) {
  const api_arg_t *a = arg;
  api_t *s = calloc(1, sizeof(*s));
  if (s == NULL)
    return CT_ENOMEM;
  s->acct = a->acct;
  s->module = a->module;
  ct_breaker_init(&s->breaker, &a->acct->breaker, on_breaker, s);
  ct__api_account_breaker_set(s->acct, s->module, CT_BREAKER_CLOSED);
  ct_actor_set_state(self, s);
  return 0;
}

static int api_receive(ct_actor_t *self, const ct_envelope_t *env) {
  api_t *s = ct_actor_state(self);
  if (env->type == CT_MSG_API_CALL)
    on_call(self, s, env);
  else if (env->type == CT_MSG_API_WAKE) {
    if (s->timer_armed && env->request_id == s->timer_id) {
      s->timer_armed = false;
      drain(self, s);
    }
  } else if (env->type == CT_MSG_HTTP_RESPONSE || env->type == CT_MSG_TIMEOUT)
    on_http(self, s, env);
  return 0;
}

static void free_list(pending_t *p) {
  while (p) {
    pending_t *n = p->next;
    pending_free(p);
    p = n;
  }
}

static void api_stop(ct_actor_t *self) {
  api_t *s = ct_actor_state(self);
  if (s == NULL)
    return;
  free_list(s->qhead);
  free_list(s->inflight);
  if (s->timer_armed)
    ct_timer_stop(self, s->timer_id);
  free(s);
  ct_actor_set_state(self, NULL);
}

static const ct_actor_def_t defs[CT_API_MODULE_COUNT] = {
  { "auth", api_init, api_receive, api_stop },
  { "orders", api_init, api_receive, api_stop },
  { "super", api_init, api_receive, api_stop },
  { "forever", api_init, api_receive, api_stop },
  { "portfolio", api_init, api_receive, api_stop },
  { "edis", api_init, api_receive, api_stop },
  { "control", api_init, api_receive, api_stop },
  { "funds", api_init, api_receive, api_stop },
  { "statement", api_init, api_receive, api_stop },
};

const char *ct_api_module_name(ct_api_module_t m) {
  return (unsigned)m < CT_API_MODULE_COUNT ? defs[m].kind : "?";
}

int ct_api_spawn(ct_runtime_t *rt, ct_api_account_t *acct,
                 ct_api_module_t module, int worker, ct_actor_t **out) {
  api_arg_t *arg;
  ct_spawn_opts_t o = { .name = acct ? acct->client_id : NULL,
                        .worker = worker };
  if (acct == NULL || (unsigned)module >= CT_API_MODULE_COUNT)
    return CT_EINVAL;
  arg = &acct->args[module];
  arg->acct = acct;
  arg->module = module;
  return ct_spawn(rt, &defs[module], arg, &o, out);
}

int ct_api_spawn_all(ct_runtime_t *rt, ct_api_account_t *acct, int worker,
                     ct_actor_t *out[CT_API_MODULE_COUNT]) {
  int rc = 0;
  for (int m = 0; m < CT_API_MODULE_COUNT && rc == 0; m++)
    rc = ct_api_spawn(rt, acct, (ct_api_module_t)m, worker, &out[m]);
  return rc;
}
