/*
 * server.c: libwebsockets glue. One lws context with LWS_SERVER_OPTION_LIBUV
 * on dhansim's own uv loop (a foreign loop), one vhost serving HTTP(S) and
 * the order-update WebSocket on the same port.
 *
 * An HTTP transaction: LWS_CALLBACK_HTTP gives the path and headers; a
 * body, if any, arrives in LWS_CALLBACK_HTTP_BODY chunks (capped at
 * SIM_MAX_BODY; the rest is read and dropped) until
 * LWS_CALLBACK_HTTP_BODY_COMPLETION. The request is then stamped and routed;
 * the response is written at once, or when a fault's latency is over
 * (delayq.c, on the same loop, never a blocking wait), and the connection
 * is kept alive for the next transaction.
 *
 * Writing from the handler or the timer instead of asking for
 * LWS_CALLBACK_HTTP_WRITEABLE saves two epoll_ctl calls (POLLOUT on, off)
 * and a loop turn per request, a third of dhansim's CPU when 100 followers'
 * orders arrive together. lws permits it for HTTP/1 on its own service
 * thread: a send the socket cannot take whole is kept by lws and finished
 * on POLLOUT (lws_issue_raw), and this vhost speaks HTTP/1 only.
 */
#include "server.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "copytrader/error.h"
#include "delayq.h"

typedef struct http_sess {
  req_t req;
  int ready;         /* response may be written */
  int awaiting_body; /* between LWS_CALLBACK_HTTP and BODY_COMPLETION */
  int close_after;   /* close the connection once answered */
  delayq_item_t *delay;
} http_sess_t;

static void sess_reset(sim_t *s, http_sess_t *hs) {
  req_t *r = &hs->req;
  if (hs->delay != NULL && s->delayq != NULL)
    delayq_cancel(s->delayq, hs->delay);
  free(r->body);
  cJSON_Delete(r->json);
  free(r->out);
  memset(hs, 0, sizeof(*hs));
}

static int write_response(struct lws *wsi, http_sess_t *hs);

/* A held answer is due: its connection is still open (a close cancels). */
static void delay_fired(void *ctx) {
  struct lws *wsi = ctx;
  http_sess_t *hs = lws_wsi_user(wsi);
  hs->delay = NULL;
  hs->ready = 1;
  if (write_response(wsi, hs) != 0)
    lws_set_timeout(wsi, PENDING_TIMEOUT_KILLED_BY_PARENT, LWS_TO_KILL_ASYNC);
}

static int method_of(struct lws *wsi) {
  if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
    return M_GET;
  if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
    return M_POST;
  if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI))
    return M_PUT;
  if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI))
    return M_DELETE;
  return M_OTHER;
}

static void copy_custom(struct lws *wsi, const char *name, char *dst,
                        size_t cap) {
  int n = lws_hdr_custom_length(wsi, name, (int)strlen(name));
  dst[0] = '\0';
  if (n > 0 && (size_t)n < cap)
    lws_hdr_custom_copy(wsi, dst, (int)cap, name, (int)strlen(name));
}

static void copy_header(struct lws *wsi, enum lws_token_indexes h, char *dst,
                        size_t cap) {
  int n = lws_hdr_total_length(wsi, h);
  dst[0] = '\0';
  if (n > 0 && (size_t)n < cap)
    lws_hdr_copy(wsi, dst, (int)cap, h);
}

static void copy_query(struct lws *wsi, req_t *r) {
  size_t used = 0;
  char frag[256];
  for (int i = 0; used < sizeof(r->query) - 1; i++) {
    int n = lws_hdr_copy_fragment(wsi, frag, sizeof(frag),
                                  WSI_TOKEN_HTTP_URI_ARGS, i);
    if (n < 0)
      break;
    used += (size_t)snprintf(r->query + used, sizeof(r->query) - used, "%s%s",
                             used ? "&" : "", frag);
  }
}

static void begin_request(sim_t *s, struct lws *wsi, http_sess_t *hs,
                          const char *uri) {
  req_t *r = &hs->req;
  sess_reset(s, hs);
  r->method = method_of(wsi);
  scopy(r->path, sizeof(r->path), uri ? uri : "/");
  copy_query(wsi, r);
  copy_custom(wsi, "access-token:", r->token, sizeof(r->token));
  copy_custom(wsi, "client-id:", r->client_hdr, sizeof(r->client_hdr));
  copy_custom(wsi, "dhanclientid:", r->dhan_client_hdr,
              sizeof(r->dhan_client_hdr));
  copy_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, r->content_type,
              sizeof(r->content_type));
  copy_header(wsi, WSI_TOKEN_HTTP_ACCEPT, r->accept, sizeof(r->accept));
}

static int append_body(req_t *r, const void *in, size_t len) {
  if (len == 0)
    return 0;
  if (r->body_too_large || r->body_len + len > SIM_MAX_BODY) {
    r->body_too_large = 1;
    return 0;
  }
  char *n = realloc(r->body, r->body_len + len + 1);
  if (n == NULL)
    return -1;
  memcpy(n + r->body_len, in, len);
  r->body = n;
  r->body_len += len;
  r->body[r->body_len] = '\0';
  return 0;
}

static void hard_reset(struct lws *wsi) {
  struct linger lg = { 1, 0 };
  int fd = lws_get_socket_fd(wsi);
  if (fd >= 0)
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static int finish_request(sim_t *s, struct lws *wsi, http_sess_t *hs) {
  req_t *r = &hs->req;
  r->t_parsed = uv_hrtime();
  router_handle(s, r);
  if (r->action == ACT_NEVER)
    return 0;
  if (r->action == ACT_RESET) {
    hard_reset(wsi);
    return -1;
  }
  if (r->delay_ms == 0) {
    hs->ready = 1;
    return write_response(wsi, hs);
  }
  /* The latency runs from the request's stamp. */
  hs->delay = delayq_add(s->delayq, r->t_parsed + r->delay_ms * 1000000u, wsi);
  return hs->delay != NULL ? 0 : -1;
}

/* Status line, headers and body go out in one lws_write (one send, one TCP
 * segment on loopback) instead of a headers write and a body write: the
 * Content-Length header is added as a plain header so that lws does not
 * count body bytes against it. */
static int write_response(struct lws *wsi, http_sess_t *hs) {
  sim_t *s = lws_context_user(lws_get_context(wsi));
  req_t *r = &hs->req;
  size_t cap = LWS_PRE + 512 + r->out_len;
  unsigned char *buf, *start, *p, *end;
  char clen[24];
  int n;

  if (!hs->ready)
    return 0;
  hs->ready = 0;
  if (cap > s->wbuf_cap) { /* the buffer is reused: no malloc per answer */
    if ((buf = realloc(s->wbuf, cap)) == NULL)
      return -1;
    s->wbuf = buf;
    s->wbuf_cap = cap;
  }
  buf = s->wbuf;
  start = p = buf + LWS_PRE;
  end = buf + LWS_PRE + 500;
  n = snprintf(clen, sizeof(clen), "%zu", r->out_len);
  if (lws_add_http_header_status(wsi, (unsigned int)r->status, &p, end) ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
                                   (const unsigned char *)"application/json",
                                   16, &p, end) ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
                                   (const unsigned char *)clen, n, &p, end) ||
      lws_finalize_http_header(wsi, &p, end))
    return -1;
  if (r->out_len)
    memcpy(p, r->out, r->out_len);
  p += r->out_len;
  n = (int)(p - start);
  if (lws_write(wsi, start, (size_t)n, LWS_WRITE_HTTP_HEADERS) < n ||
      hs->close_after)
    return -1;
  sess_reset(s, hs);
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* A Content-Length above 0. "Content-Length: 0" (Python requests sends it
 * on a body-less DELETE) gets no BODY_COMPLETION from lws: answer now. */
static int declared_body(struct lws *wsi) {
  char v[24];
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0 ||
      lws_hdr_copy(wsi, v, sizeof(v), WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
    return 0;
  return strtoull(v, NULL, 10) > 0;
}

/* lws 4.1 does not deliver chunked request bodies: answer 411 and close,
 * so the unread chunks are never parsed as a next request. */
static int refuse_chunked(struct lws *wsi, http_sess_t *hs) {
  resp_error(&hs->req, 411, "Input_Exception", "DH-905",
             "Content-Length required: chunked bodies are not supported");
  hs->ready = 1;
  hs->close_after = 1;
  return write_response(wsi, hs);
}

static int http_event(sim_t *s, struct lws *wsi, int reason, http_sess_t *hs,
                      void *in, size_t len) {
  switch (reason) {
  case LWS_CALLBACK_HTTP:
    begin_request(s, wsi, hs, in);
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
      return refuse_chunked(wsi, hs);
    if (hs->req.method != M_GET && declared_body(wsi)) {
      hs->awaiting_body = 1; /* answered at BODY_COMPLETION */
      return 0;
    }
    return finish_request(s, wsi, hs);
  case LWS_CALLBACK_HTTP_BODY:
    return hs->awaiting_body ? append_body(&hs->req, in, len) : 0;
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    if (!hs->awaiting_body)
      return 0;
    hs->awaiting_body = 0;
    return finish_request(s, wsi, hs);
  case LWS_CALLBACK_HTTP_WRITEABLE:
    return write_response(wsi, hs);
  case LWS_CALLBACK_CLOSED_HTTP:
  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    if (hs)
      sess_reset(s, hs);
    return 0;
  default:
    return 0;
  }
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason,
                    void *user, void *in, size_t len) {
  sim_t *s = lws_context_user(lws_get_context(wsi));
  switch (reason) {
  case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
    return s->refuse_until_ns && uv_hrtime() < s->refuse_until_ns;
  case LWS_CALLBACK_HTTP:
  case LWS_CALLBACK_HTTP_BODY:
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
  case LWS_CALLBACK_HTTP_WRITEABLE:
  case LWS_CALLBACK_CLOSED_HTTP:
  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    return http_event(s, wsi, reason, user, in, len);
  case LWS_CALLBACK_ESTABLISHED:
  case LWS_CALLBACK_RECEIVE:
  case LWS_CALLBACK_SERVER_WRITEABLE:
  case LWS_CALLBACK_CLOSED:
    return ws_callback(s, wsi, reason, user, in, len);
  default:
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols protocols[] = {
  { "dhan", callback, sizeof(http_sess_t), 4096, 0, NULL, 0 },
  { NULL, NULL, 0, 0, 0, NULL, 0 }
};

int server_start(sim_t *s, const server_opts_t *o, int *port) {
  struct lws_context_creation_info info;
  struct lws_vhost *vh;
  void *loops[1] = { s->loop };

  if ((s->delayq = delayq_new(s->loop, delay_fired)) == NULL)
    return CT_ENOMEM;
  memset(&info, 0, sizeof(info));
  info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
  if (o->tls_cert)
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  info.foreign_loops = loops;
  info.user = s;
  info.pcontext = &s->lws; /* lws clears it when fully destroyed */
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.fd_limit_per_thread = 8192;
  s->lws = lws_create_context(&info);
  if (s->lws == NULL)
    return CT_EIO;
  info.port = o->port;
  info.iface = o->host;
  info.protocols = protocols;
  info.vhost_name = "dhansim";
  info.ssl_cert_filepath = o->tls_cert;
  info.ssl_private_key_filepath = o->tls_key;
  info.alpn = "http/1.1"; /* custom headers (access-token) need HTTP/1 */
  info.keepalive_timeout = 60;
  info.timeout_secs = 30;
  vh = lws_create_vhost(s->lws, &info);
  if (vh == NULL)
    return CT_EIO;
  *port = lws_get_vhost_listen_port(vh);
  return 0;
}

void server_stop(sim_t *s) {
  if (s->delayq != NULL) { /* first: connections closing later find none */
    delayq_close(s->delayq);
    s->delayq = NULL;
  }
  if (s->lws)
    lws_context_destroy(s->lws);
  free(s->wbuf);
  s->wbuf = NULL;
  s->wbuf_cap = 0;
}
