/*
 * postback.c: the postback receiver actor (see postback.h).
 *
 * One lws context per receiver, created in the actor's init on its
 * worker's loop (LWS_SERVER_OPTION_LIBUV, foreign loop) with one listening
 * vhost, destroyed in stop() while the loop runs. An HTTP transaction:
 * LWS_CALLBACK_HTTP gives the path and method, which are checked at once
 * (404, 405, 411, 413 by Content-Length need no body); the body arrives in
 * LWS_CALLBACK_HTTP_BODY chunks, capped at max_body, and is parsed at
 * LWS_CALLBACK_HTTP_BODY_COMPLETION. The event goes to the subscriber's
 * mailbox right there, and the answer is written from
 * LWS_CALLBACK_HTTP_WRITEABLE; the subscriber's own work never delays it.
 */
#include "copytrader/postback.h"

#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/dhan_json.h"
#include "copytrader/error.h"
#include "lws_glue.h"

#define PATH_PREFIX "/postback/"

struct ct_postback {
  ct_actor_t *actor;
  ct_actor_t *subscriber;
  char *host, *tls_cert, *tls_key;
  int port_opt;
  ct_secret_t path; /* PATH_PREFIX + secret */
  size_t max_body;
  _Atomic int port;
  atomic_ulong accepted, rejected;
};

typedef struct pb_state {
  ct_postback_t *cfg;
  ct_actor_t *self;
  struct lws_context *ctx;
} pb_state_t;

/* Per HTTP connection (lws allocates and zeroes it). */
typedef struct pb_sess {
  char *body;
  size_t len;
  bool too_large;
  bool close_after; /* the body was not read: no keep-alive */
  int status;       /* answer ready when non-zero */
  char out[CT_DHAN_ERR_SIZE + 32];
} pb_sess_t;

static void sess_reset(pb_sess_t *s) {
  free(s->body);
  memset(s, 0, sizeof(*s));
}

static int answer(struct lws *wsi, pb_sess_t *s, int status, const char *msg) {
  pb_state_t *st = lws_context_user(lws_get_context(wsi));
  if (status == 200) {
    atomic_fetch_add_explicit(&st->cfg->accepted, 1, memory_order_relaxed);
    snprintf(s->out, sizeof(s->out), "{\"status\":\"ok\"}");
  } else {
    atomic_fetch_add_explicit(&st->cfg->rejected, 1, memory_order_relaxed);
    if (status != 404 && status != 405) /* probes are only counted */
      ct_log_warn("postback",
                  "actor=%s msg=\"bad postback\" status=%d len=%zu why=\"%s\"",
                  ct_actor_name(st->self), status, s->len, msg);
    int n = snprintf(s->out, sizeof(s->out), "{\"error\":\"%s\"}", msg);
    for (int i = 10; i < n - 2 && s->out[i] != '\0'; i++)
      if (s->out[i] == '"' || s->out[i] == '\\' ||
          (unsigned char)s->out[i] < 0x20)
        s->out[i] = '\'';
  }
  s->status = status;
  lws_callback_on_writable(wsi);
  return 0;
}

static int write_answer(struct lws *wsi, pb_sess_t *s) {
  unsigned char buf[LWS_PRE + 512], *start = buf + LWS_PRE, *p = start,
                                    *end = buf + sizeof(buf) - 1;
  size_t n = strlen(s->out);
  bool close_after = s->close_after;
  if (s->status == 0)
    return 0;
  if (lws_add_http_common_headers(wsi, (unsigned)s->status, "application/json",
                                  n, &p, end) ||
      (s->status == 405 && lws_add_http_header_by_name(
                               wsi, (const unsigned char *)"allow:",
                               (const unsigned char *)"POST", 4, &p, end)) ||
      (close_after && lws_add_http_header_by_token(
                          wsi, WSI_TOKEN_CONNECTION,
                          (const unsigned char *)"close", 5, &p, end)) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;
  memcpy(start, s->out, n);
  if (lws_write(wsi, start, n, LWS_WRITE_HTTP_FINAL) < (int)n)
    return -1;
  sess_reset(s);
  if (close_after)
    return -1;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static bool path_ok(const ct_postback_t *c, const char *uri) {
  const char *want = ct_secret_reveal(&c->path);
  size_t n = strlen(want);
  return uri != NULL && strlen(uri) == n && CRYPTO_memcmp(uri, want, n) == 0;
}

static int on_request(struct lws *wsi, pb_sess_t *s, const char *uri) {
  pb_state_t *st = lws_context_user(lws_get_context(wsi));
  char cl[32];
  sess_reset(s);
  if (!path_ok(st->cfg, uri)) {
    s->close_after = true;
    return answer(wsi, s, 404, "not found");
  }
  if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) <= 0) {
    s->close_after = true;
    return answer(wsi, s, 405, "only POST is accepted");
  }
  if (lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
      strtoull(cl, NULL, 10) > st->cfg->max_body) {
    s->close_after = true;
    return answer(wsi, s, 413, "body too large");
  }
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
    return 0; /* the body follows */
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
    /* lws 4.1 passes no chunked request body on: it would never end */
    s->close_after = true;
    return answer(wsi, s, 411, "Content-Length required");
  }
  return answer(wsi, s, 400, "empty body");
}

static int on_body(struct lws *wsi, pb_sess_t *s, const void *in, size_t len) {
  pb_state_t *st = lws_context_user(lws_get_context(wsi));
  char *n;
  if (s->status != 0 || s->too_large || len == 0)
    return 0; /* lws passes in == NULL for an empty body */
  if (s->len + len > st->cfg->max_body) {
    s->too_large = true;
    return 0;
  }
  if ((n = realloc(s->body, s->len + len + 1)) == NULL)
    return -1;
  memcpy(n + s->len, in, len);
  s->body = n;
  s->len += len;
  return 0;
}

static int on_body_done(struct lws *wsi, pb_sess_t *s) {
  pb_state_t *st = lws_context_user(lws_get_context(wsi));
  char err[CT_DHAN_ERR_SIZE];
  ct_order_event_t ev;
  ct_msg_t *m;
  if (s->status != 0)
    return 0;
  if (s->too_large)
    return answer(wsi, s, 413, "body too large");
  if (ct_dhan_parse_postback(s->body ? s->body : "", s->len, &ev, err,
                             sizeof(err)) != 0)
    return answer(wsi, s, 400, err);
  if (ct_order_event_msg_new(ct_actor_id(st->self), &ev, &m) != 0)
    return answer(wsi, s, 503, "out of memory");
  if (ct_send(st->cfg->subscriber, m) != 0) {
    ct_msg_free(m);
    ct_log_error("postback", "actor=%s msg=\"event not delivered\" order=%s",
                 ct_actor_name(st->self), ev.order_id);
    return answer(wsi, s, 503, "busy");
  }
  return answer(wsi, s, 200, NULL);
}

static int pb_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                 void *in, size_t len) {
  pb_sess_t *s = user;
  switch (reason) {
  case LWS_CALLBACK_HTTP:
    return on_request(wsi, s, in);
  case LWS_CALLBACK_HTTP_BODY:
    return on_body(wsi, s, in, len);
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    return on_body_done(wsi, s);
  case LWS_CALLBACK_HTTP_WRITEABLE:
    return write_answer(wsi, s);
  case LWS_CALLBACK_CLOSED_HTTP:
  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    if (s != NULL)
      sess_reset(s);
    return 0;
  default:
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols protocols[] = {
  { "ct-postback", pb_cb, sizeof(pb_sess_t), 4096, 0, NULL, 0 },
  { NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* ---- the actor ---- */

static int listen_on(pb_state_t *st) {
  struct lws_context_creation_info info;
  struct lws_vhost *vh;
  memset(&info, 0, sizeof(info));
  info.user = st;
  info.fd_limit_per_thread = 1024;
  /* TLS is set up on the vhost (lws_glue.h says why) */
  st->ctx = ct__lws_context_new(&info, ct_actor_loop(st->self),
                                st->cfg->tls_cert != NULL);
  if (st->ctx == NULL)
    return CT_EIO;
  info.port = st->cfg->port_opt;
  info.iface = st->cfg->host;
  info.protocols = protocols;
  info.vhost_name = "postback";
  info.ssl_cert_filepath = st->cfg->tls_cert;
  info.ssl_private_key_filepath = st->cfg->tls_key;
  info.keepalive_timeout = 30;
  info.timeout_secs = 20;
  if ((vh = lws_create_vhost(st->ctx, &info)) == NULL)
    return CT_EIO;
  atomic_store(&st->cfg->port, lws_get_vhost_listen_port(vh));
  return 0;
}

static void pb_close(pb_state_t *st) {
  if (st->ctx != NULL)
    ct__lws_context_close(st->ctx, ct_actor_loop(st->self));
  atomic_store(&st->cfg->port, 0);
  free(st);
}

static int pb_init(ct_actor_t *self, void *arg) {
  pb_state_t *st = calloc(1, sizeof(*st));
  int rc;
  if (st == NULL)
    return CT_ENOMEM;
  st->cfg = arg;
  st->self = self;
  if ((rc = listen_on(st)) != 0) {
    ct_log_error("postback", "actor=%s msg=\"cannot listen\" host=%s port=%d",
                 ct_actor_name(self), st->cfg->host, st->cfg->port_opt);
    pb_close(st);
    return rc;
  }
  ct_log_info("postback", "actor=%s msg=\"listening\" host=%s port=%d",
              ct_actor_name(self), st->cfg->host, atomic_load(&st->cfg->port));
  ct_actor_set_state(self, st);
  return 0;
}

static int pb_receive(ct_actor_t *self, const ct_envelope_t *env) {
  ct_log_debug("postback", "actor=%s msg=\"unexpected message\" type=%u",
               ct_actor_name(self), (unsigned)env->type);
  return 0;
}

static void pb_stop(ct_actor_t *self) {
  pb_state_t *st = ct_actor_state(self);
  if (st != NULL)
    pb_close(st);
  ct_actor_set_state(self, NULL);
}

static const ct_actor_def_t pb_def = { "postback", pb_init, pb_receive,
                                       pb_stop };

/* ---- the caller's side ---- */

static bool secret_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 8 || n > 128)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!(s[i] == '-' || s[i] == '_' || (s[i] >= '0' && s[i] <= '9') ||
          (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
      return false;
  return true;
}

static int copy_opts(ct_postback_t *c, const ct_postback_opts_t *o) {
  const char *sec = o->secret != NULL ? ct_secret_reveal(o->secret) : "";
  char *path;
  int rc;
  if (!secret_ok(sec) || o->subscriber == NULL || o->port < 0 ||
      o->port > 65535 || (o->tls_cert == NULL) != (o->tls_key == NULL))
    return CT_EINVAL;
  c->subscriber = o->subscriber;
  c->port_opt = o->port;
  c->max_body = o->max_body ? o->max_body : 16384;
  if ((c->host = strdup(o->host ? o->host : "127.0.0.1")) == NULL ||
      (o->tls_cert && (c->tls_cert = strdup(o->tls_cert)) == NULL) ||
      (o->tls_key && (c->tls_key = strdup(o->tls_key)) == NULL) ||
      asprintf(&path, "%s%s", PATH_PREFIX, sec) < 0)
    return CT_ENOMEM;
  rc = ct_secret_set(&c->path, path);
  explicit_bzero(path, strlen(path));
  free(path);
  return rc;
}

int ct_postback_spawn(ct_runtime_t *rt, const ct_postback_opts_t *opts,
                      int worker, ct_postback_t **out) {
  ct_spawn_opts_t so = { 0 };
  ct_postback_t *c = NULL;
  int rc = CT_EINVAL;
  if (rt == NULL || opts == NULL || out == NULL)
    goto fail;
  rc = CT_ENOMEM;
  if ((c = calloc(1, sizeof(*c))) == NULL || (rc = copy_opts(c, opts)) != 0)
    goto fail;
  so.name = "postback";
  so.worker = worker;
  if ((rc = ct_spawn(rt, &pb_def, c, &so, &c->actor)) != 0)
    goto fail;
  *out = c;
  return 0;
fail:
  ct_postback_free(c);
  return rc;
}

ct_actor_t *ct_postback_actor(const ct_postback_t *pb) {
  return pb != NULL ? pb->actor : NULL;
}

int ct_postback_port(const ct_postback_t *pb) {
  return pb != NULL ? atomic_load(&((ct_postback_t *)pb)->port) : 0;
}

unsigned long ct_postback_accepted(const ct_postback_t *pb) {
  return pb != NULL ? atomic_load(&((ct_postback_t *)pb)->accepted) : 0;
}

unsigned long ct_postback_rejected(const ct_postback_t *pb) {
  return pb != NULL ? atomic_load(&((ct_postback_t *)pb)->rejected) : 0;
}

void ct_postback_free(ct_postback_t *pb) {
  if (pb == NULL)
    return;
  ct_secret_clear(&pb->path);
  free(pb->host);
  free(pb->tls_cert);
  free(pb->tls_key);
  free(pb);
}
