/*
 * http.c: the HTTP transport actor and its messages (see http.h).
 *
 * The actor's state is one engine (http_multi.c: a curl multi handle on the
 * actor's own loop). receive() decodes a CT_MSG_HTTP_REQUEST into a pooled
 * transfer and starts it; the engine's done callback, on the same loop
 * thread, encodes the result as a CT_MSG_HTTP_RESPONSE and replies to the
 * requester with ct_reply(). A reply that cannot be delivered (mailbox
 * full, requester gone) is logged and freed, never retried or waited for:
 * the requester's ct_request() guard then gives it a CT_MSG_TIMEOUT.
 *
 * Request payload:  [method str, url str, headers [[name, value]...],
 *                    body bin|nil, timeout_ms u64]
 * Response payload: [error i64, request_sent bool, status i64, body bin,
 *                    elapsed_ns u64, error_text str|nil]
 */
#include "copytrader/http.h"

#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "transport/http_multi.h"

typedef struct http_state {
  ct_actor_t *self;
  ct__http_multi_t *m;
} http_state_t;

typedef struct http_result {
  int error;
  bool request_sent;
  long status;
  const char *body;
  size_t body_len;
  uint64_t elapsed_ns;
  const char *error_text;
} http_result_t;

static const ct_http_opts_t default_opts;

/* ---- answers ---- */

static int put_result(ct_msg_t *msg, const http_result_t *r) {
  int rc = ct_msg_put_i64(msg, r->error);
  if (rc == 0)
    rc = ct_msg_put_bool(msg, r->request_sent);
  if (rc == 0)
    rc = ct_msg_put_i64(msg, r->status);
  if (rc == 0)
    rc = ct_msg_put_bin(msg, r->body, r->body_len);
  if (rc == 0)
    rc = ct_msg_put_u64(msg, r->elapsed_ns);
  if (rc == 0)
    rc = ct_msg_put_cstr(msg, r->error_text);
  return rc;
}

static void answer(http_state_t *st, uint64_t from, uint64_t request_id,
                   const http_result_t *r) {
  /* ct_reply() needs only the requester's id and the request id. */
  ct_envelope_t to = { CT_MSG_HTTP_REQUEST, from, request_id, NULL, 0 };
  ct_msg_t *msg = NULL;
  int rc = ct_msg_new(CT_MSG_HTTP_RESPONSE, &msg);
  if (rc == 0)
    rc = put_result(msg, r);
  if (rc == 0 && (rc = ct_reply(st->self, &to, msg)) == 0)
    return;
  if (rc == CT_EFULL)
    ct_log_warn("http",
                "msg=\"response dropped: requester mailbox full\" "
                "request_id=%llu requester=%llu",
                (unsigned long long)request_id, (unsigned long long)from);
  else
    ct_log_debug("http",
                 "msg=\"response not delivered\" request_id=%llu "
                 "requester=%llu err=%s",
                 (unsigned long long)request_id, (unsigned long long)from,
                 ct_err_name(rc));
  ct_msg_free(msg);
}

static void answer_error(http_state_t *st, const ct_envelope_t *env, int err,
                         const char *text) {
  http_result_t r = { err, false, 0, NULL, 0, 0, text };
  answer(st, env->from, env->request_id, &r);
}

static void on_done(ct__http_xfer_t *x, void *ctx) {
  http_result_t r = { x->error,    x->request_sent, x->status,    x->resp,
                      x->resp_len, x->elapsed_ns,   x->error_text };
  answer(ctx, x->from, x->request_id, &r);
}

/* ---- decoding a request into a transfer ---- */

static bool is_method(const char *m, size_t len, const char *name) {
  return len == strlen(name) && memcmp(m, name, len) == 0;
}

static int set_method(ct__http_xfer_t *x, const char *m, size_t len,
                      const void *body, size_t body_len, bool has_body) {
  ct__http_method_t how = CT__HTTP_NOBODY;
  const char *custom = NULL;
  if (is_method(m, len, "HEAD")) {
    how = CT__HTTP_HEAD;
  } else if (has_body || is_method(m, len, "POST") ||
             is_method(m, len, "PUT") || is_method(m, len, "PATCH")) {
    struct curl_slist *l;
    int rc = ct__http_xfer_set_body(x, body, body_len);
    if (rc != 0)
      return rc;
    /* No "Expect: 100-continue" round trip for larger bodies. */
    if ((l = curl_slist_append(x->headers, "Expect:")) == NULL)
      return CT_ENOMEM;
    x->headers = l;
    how = CT__HTTP_BODY;
  }
  if (!(how == CT__HTTP_HEAD || is_method(m, len, "POST") ||
        (is_method(m, len, "GET") && !has_body)))
    custom = m;
  return ct__http_xfer_method(x, how, custom, len) == 0 ? 0 : CT_EPROTO;
}

static int read_headers(ct__http_xfer_t *x, ct_reader_t *r) {
  uint32_t n, two;
  int rc = ct_read_array(r, &n);
  for (uint32_t i = 0; rc == 0 && i < n; i++) {
    const char *name, *value;
    size_t nlen, vlen;
    struct curl_slist *l;
    char *line;
    if ((rc = ct_read_array(r, &two)) != 0 ||
        (rc = ct_read_str(r, &name, &nlen)) != 0 ||
        (rc = ct_read_str(r, &value, &vlen)) != 0)
      break;
    if (two != 2 ||
        (line = ct__http_xfer_cstr(x, name, nlen + vlen + 2)) == NULL)
      return two != 2 ? CT_EPROTO : CT_ENOMEM;
    line[nlen] = ':';
    line[nlen + 1] = ' ';
    memcpy(line + nlen + 2, value, vlen);
    if ((l = curl_slist_append(x->headers, line)) == NULL)
      return CT_ENOMEM;
    x->headers = l;
  }
  return rc;
}

/* The request's fields, in payload order, into `x`. */
static int decode(ct__http_xfer_t *x, ct_reader_t *r, uint64_t *timeout_ms) {
  const char *method, *url;
  const void *body = NULL;
  size_t mlen, ulen, blen = 0;
  bool has_body;
  int rc;
  if ((rc = ct_read_str(r, &method, &mlen)) != 0 ||
      (rc = ct_read_str(r, &url, &ulen)) != 0)
    return rc;
  if ((rc = ct__http_xfer_set_url(x, url, ulen)) != 0)
    return rc;
  if ((rc = read_headers(x, r)) != 0)
    return rc;
  has_body = ct_read_nil(r) != 0;
  if (has_body && (rc = ct_read_bin(r, &body, &blen)) != 0)
    return rc;
  if ((rc = ct_read_u64(r, timeout_ms)) != 0)
    return rc;
  return set_method(x, method, mlen, body, blen, has_body);
}

static void handle_request(http_state_t *st, const ct_envelope_t *env) {
  ct__http_xfer_t *x;
  ct_reader_t r;
  uint64_t timeout_ms = 0;
  int rc;
  if (env->request_id == 0) {
    ct_log_warn("http", "msg=\"request without request id dropped\" from=%llu",
                (unsigned long long)env->from);
    return;
  }
  if ((x = ct__http_xfer_get(st->m)) == NULL) {
    answer_error(st, env, CT_ENOMEM, "out of memory");
    return;
  }
  x->from = env->from;
  x->request_id = env->request_id;
  ct_reader_init(&r, env);
  rc = decode(x, &r, &timeout_ms);
  ct_reader_close(&r);
  if (rc != 0) {
    ct__http_xfer_put(x);
    answer_error(st, env, rc == CT_ENOMEM ? rc : CT_EPROTO,
                 "malformed HTTP request message");
    return;
  }
  if ((rc = ct__http_xfer_start(x, timeout_ms)) != 0)
    answer_error(st, env, rc, "curl_multi_add_handle failed");
}

/* ---- the actor ---- */

static int http_init(ct_actor_t *self, void *arg) {
  const ct_http_opts_t *opts = arg != NULL ? arg : &default_opts;
  http_state_t *st = calloc(1, sizeof(*st));
  int rc;
  if (st == NULL)
    return CT_ENOMEM;
  st->self = self;
  rc = ct__http_multi_new(ct_actor_loop(self), opts, on_done, st, &st->m);
  if (rc != 0) {
    free(st);
    return rc;
  }
  ct_actor_set_state(self, st);
  return 0;
}

static int http_receive(ct_actor_t *self, const ct_envelope_t *env) {
  http_state_t *st = ct_actor_state(self);
  if (env->type == CT_MSG_HTTP_REQUEST)
    handle_request(st, env);
  else
    ct_log_debug("http", "actor=%s msg=\"unexpected message\" type=%u",
                 ct_actor_name(self), (unsigned)env->type);
  return 0;
}

static void http_stop(ct_actor_t *self) {
  http_state_t *st = ct_actor_state(self);
  if (st == NULL)
    return;
  ct__http_multi_close(st->m); /* in-flight requests get CT_ECLOSED */
  free(st);
  ct_actor_set_state(self, NULL);
}

static const ct_actor_def_t http_def = { "http", http_init, http_receive,
                                         http_stop };

int ct_http_spawn(ct_runtime_t *rt, const ct_http_opts_t *opts, int worker,
                  ct_actor_t **out) {
  ct_spawn_opts_t so = { 0 };
  if (rt == NULL || out == NULL)
    return CT_EINVAL;
  so.name = "http";
  so.worker = worker;
  return ct_spawn(rt, &http_def, (void *)opts, &so, out);
}

/* ---- the requester's side ---- */

static int put_request(ct_msg_t *msg, const ct_http_req_t *req,
                       uint64_t timeout_ms) {
  int rc = ct_msg_put_cstr(msg, req->method);
  if (rc == 0)
    rc = ct_msg_put_cstr(msg, req->url);
  if (rc == 0)
    rc = ct_msg_put_array(msg, (uint32_t)req->nheaders);
  for (size_t i = 0; rc == 0 && i < req->nheaders; i++) {
    if ((rc = ct_msg_put_array(msg, 2)) == 0 &&
        (rc = ct_msg_put_cstr(msg, req->headers[i].name)) == 0)
      rc = ct_msg_put_cstr(msg, req->headers[i].value);
  }
  if (rc == 0)
    rc = req->body != NULL ? ct_msg_put_bin(msg, req->body, req->body_len)
                           : ct_msg_put_nil(msg);
  if (rc == 0)
    rc = ct_msg_put_u64(msg, timeout_ms);
  return rc;
}

static bool req_valid(const ct_http_req_t *req) {
  if (req == NULL || req->method == NULL || req->url == NULL ||
      (req->nheaders != 0 && req->headers == NULL) ||
      (req->body_len != 0 && req->body == NULL) || req->nheaders > UINT32_MAX)
    return false;
  for (size_t i = 0; i < req->nheaders; i++)
    if (req->headers[i].name == NULL || req->headers[i].value == NULL)
      return false;
  return true;
}

int ct_http_request(ct_actor_t *self, ct_actor_t *http,
                    const ct_http_req_t *req, uint64_t *request_id) {
  uint64_t timeout_ms;
  ct_msg_t *msg = NULL;
  int rc;
  if (self == NULL || http == NULL || request_id == NULL || !req_valid(req))
    return CT_EINVAL;
  timeout_ms = req->timeout_ms ? req->timeout_ms : CT_HTTP_DEFAULT_TIMEOUT_MS;
  if ((rc = ct_msg_new(CT_MSG_HTTP_REQUEST, &msg)) != 0)
    return rc;
  if ((rc = put_request(msg, req, timeout_ms)) != 0 ||
      (rc = ct_request(self, http, msg, timeout_ms + CT_HTTP_REPLY_MARGIN_MS,
                       request_id)) != 0)
    ct_msg_free(msg);
  return rc;
}

static int read_response(ct_reader_t *r, ct_http_response_t *out) {
  int64_t err, status;
  const void *body;
  int rc;
  if ((rc = ct_read_i64(r, &err)) != 0 ||
      (rc = ct_read_bool(r, &out->request_sent)) != 0 ||
      (rc = ct_read_i64(r, &status)) != 0 ||
      (rc = ct_read_bin(r, &body, &out->body_len)) != 0 ||
      (rc = ct_read_u64(r, &out->elapsed_ns)) != 0)
    return rc;
  out->error = (int)err;
  out->status = (long)status;
  out->body = body;
  if (ct_read_nil(r) == 0)
    return 0;
  return ct_read_str(r, &out->error_text, &out->error_text_len);
}

int ct_http_response_read(const ct_envelope_t *env, ct_http_response_t *out) {
  static const char guard_text[] = "no answer from the HTTP actor in time";
  ct_reader_t r;
  int rc;
  if (env == NULL || out == NULL)
    return CT_EINVAL;
  memset(out, 0, sizeof(*out));
  if (env->type == CT_MSG_TIMEOUT) {
    out->error = CT_ETIMEDOUT;
    out->request_sent = true; /* unknown: assume it may have been acted on */
    out->error_text = guard_text;
    out->error_text_len = sizeof(guard_text) - 1;
    return 0;
  }
  if (env->type != CT_MSG_HTTP_RESPONSE)
    return CT_EINVAL;
  ct_reader_init(&r, env);
  rc = read_response(&r, out);
  ct_reader_close(&r);
  return rc == 0 ? 0 : CT_EPROTO;
}
