/*
 * order_feed_ws.c: the libwebsockets side of the order-update client.
 *
 * One lws context per feed actor, created on the actor's loop thread with
 * LWS_SERVER_OPTION_LIBUV and the worker's loop as its foreign loop, no
 * listening vhost, one client protocol. Everything written goes out from
 * LWS_CALLBACK_CLIENT_WRITEABLE (login frame, pings, our close); received
 * text is reassembled here, capped at max_frame, and handed whole to
 * order_feed.c. lws tells us about the end of a socket exactly once:
 * CLIENT_CONNECTION_ERROR before the upgrade, CLIENT_CLOSED after it.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "lws_glue.h"
#include "order_feed_int.h"

#define LWS_FD_LIMIT_MAX 65536
#define PROTOCOL_NAME    "ct-order-feed"

/* Copy `in` for a log field: printable ASCII only, no quotes. */
static void clean_text(char *dst, size_t cap, const char *in, size_t len) {
  size_t j = 0;
  for (size_t i = 0; i < len && j + 1 < cap; i++) {
    unsigned char c = (unsigned char)in[i];
    dst[j++] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char)c : '?';
  }
  dst[j] = '\0';
}

static bool is_tls_error(const char *text) {
  return strcasestr(text, "ssl") || strcasestr(text, "tls") ||
         strcasestr(text, "cert");
}

static void set_close(ct__feed_t *f, int err, const char *reason) {
  if (f->close_err != 0)
    return; /* the first cause wins */
  f->close_err = err;
  snprintf(f->close_reason, sizeof(f->close_reason), "%s", reason);
}

/* ---- writing ---- */

/* JSON string body of `s` (no quotes) into dst; returns bytes written. */
static size_t json_escape(char *dst, const char *s) {
  static const char hex[] = "0123456789abcdef";
  size_t j = 0;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      dst[j++] = '\\';
      dst[j++] = (char)c;
    } else if (c < 0x20) {
      memcpy(dst + j, "\\u00", 4);
      dst[j + 4] = hex[c >> 4];
      dst[j + 5] = hex[c & 15];
      j += 6;
    } else {
      dst[j++] = (char)c;
    }
  }
  return j;
}

static int write_login(ct__feed_t *f) {
  const char *tok = ct_secret_reveal(&f->cfg->token);
  const char *id = f->cfg->client_id;
  size_t cap = LWS_PRE + 96 + 6 * (strlen(tok) + strlen(id));
  unsigned char *buf = malloc(cap);
  char *p;
  int n, rc = -1;
  if (buf == NULL)
    return -1;
  p = (char *)buf + LWS_PRE;
  p += sprintf(p, "{\"LoginReq\":{\"MsgCode\":42,\"ClientId\":\"");
  p += json_escape(p, id);
  p += sprintf(p, "\",\"Token\":\"");
  p += json_escape(p, tok);
  p += sprintf(p, "\"},\"UserType\":\"SELF\"}");
  n = (int)(p - (char *)buf - LWS_PRE);
  if (lws_write(f->wsi, buf + LWS_PRE, (size_t)n, LWS_WRITE_TEXT) >= n)
    rc = 0;
  explicit_bzero(buf, cap);
  free(buf);
  return rc;
}

static int on_writeable(ct__feed_t *f, struct lws *wsi) {
  unsigned char ping[LWS_PRE + 4];
  if (f->close_pending) {
    lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)"bye", 3);
    return -1;
  }
  if (f->login_pending) {
    f->login_pending = false;
    if (write_login(f) != 0) {
      set_close(f, CT_ECONNRESET, "login frame could not be written");
      return -1;
    }
    ct__feed_on_login_sent(f);
  } else if (f->ping_pending) {
    f->ping_pending = false;
    if (lws_write(wsi, ping + LWS_PRE, 0, LWS_WRITE_PING) < 0) {
      set_close(f, CT_ECONNRESET, "ping could not be written");
      return -1;
    }
  }
  if (f->login_pending || f->ping_pending)
    lws_callback_on_writable(wsi);
  return 0;
}

/* ---- reading ---- */

static void rx_reset(ct__feed_t *f) {
  f->rx_len = 0;
  f->rx_skip = false;
}

static void rx_append(ct__feed_t *f, const void *in, size_t len) {
  if (f->rx_skip)
    return;
  if (f->rx_len + len > f->cfg->max_frame) {
    ct_log_warn("order_feed",
                "actor=%s msg=\"message too large, skipped\" limit=%zu",
                ct_actor_name(f->self), f->cfg->max_frame);
    f->rx_skip = true;
    return;
  }
  if (f->rx_len + len > f->rx_cap) {
    size_t cap = f->rx_cap ? f->rx_cap : 4096;
    while (cap < f->rx_len + len)
      cap *= 2;
    char *n = realloc(f->rx, cap);
    if (n == NULL) {
      f->rx_skip = true;
      return;
    }
    f->rx = n;
    f->rx_cap = cap;
  }
  memcpy(f->rx + f->rx_len, in, len);
  f->rx_len += len;
}

static void on_receive(ct__feed_t *f, struct lws *wsi, const void *in,
                       size_t len) {
  f->last_rx_ns = uv_hrtime();
  if (lws_is_first_fragment(wsi) && f->rx_len == 0 && lws_frame_is_binary(wsi))
    f->rx_skip = true; /* Dhan sends text only */
  rx_append(f, in, len);
  if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0)
    return;
  if (!f->rx_skip)
    ct__feed_on_message(f, f->rx, f->rx_len);
  rx_reset(f);
}

static void on_peer_close(ct__feed_t *f, const unsigned char *in, size_t len) {
  char why[96] = "", msg[160];
  int code = len >= 2 ? (in[0] << 8) | in[1] : 0;
  if (len > 2)
    clean_text(why, sizeof(why), (const char *)in + 2, len - 2);
  if (code == LWS_CLOSE_STATUS_POLICY_VIOLATION) {
    snprintf(msg, sizeof(msg), "login rejected: code=%d %s", code, why);
    set_close(f, CT_EAUTH, msg);
  } else {
    snprintf(msg, sizeof(msg), "closed by server: code=%d %s", code, why);
    set_close(f, CT_ECONNRESET, msg);
  }
}

static void lost(ct__feed_t *f, int err, const char *reason) {
  f->wsi = NULL;
  f->login_pending = f->ping_pending = f->close_pending = false;
  rx_reset(f);
  ct__feed_on_lost(f, err, reason);
}

static int feed_cb(struct lws *wsi, enum lws_callback_reasons reason,
                   void *user, void *in, size_t len) {
  struct lws_context *ctx = lws_get_context(wsi);
  ct__feed_t *f = ctx != NULL ? lws_context_user(ctx) : NULL;
  char text[128];
  if (f == NULL)
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  switch (reason) {
  case LWS_CALLBACK_CLIENT_ESTABLISHED:
    f->last_rx_ns = uv_hrtime();
    ct__feed_on_open(f);
    f->login_pending = true;
    lws_callback_on_writable(wsi);
    return 0;
  case LWS_CALLBACK_CLIENT_WRITEABLE:
    return f->wsi == wsi ? on_writeable(f, wsi) : 0;
  case LWS_CALLBACK_CLIENT_RECEIVE:
    if (f->wsi == wsi)
      on_receive(f, wsi, in, len);
    return 0;
  case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
    f->last_rx_ns = uv_hrtime();
    return 0;
  case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
    on_peer_close(f, in, len);
    return 0;
  case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    snprintf(text, sizeof(text), "connect failed: ");
    clean_text(text + 16, sizeof(text) - 16, in ? in : "?", in ? len : 1);
    if (f->wsi == wsi || f->wsi == NULL)
      lost(f, is_tls_error(text) ? CT_ETLS : CT_ECONNREFUSED, text);
    return 0;
  case LWS_CALLBACK_CLIENT_CLOSED:
    if (f->wsi == wsi)
      lost(f, CT_ECONNRESET, "connection closed");
    return 0;
  default:
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols protocols[] = {
  { PROTOCOL_NAME, feed_cb, 0, 4096, 0, NULL, 0 },
  { NULL, NULL, 0, 0, 0, NULL, 0 }
};

static unsigned fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
      rl.rlim_cur > LWS_FD_LIMIT_MAX)
    return LWS_FD_LIMIT_MAX;
  return (unsigned)rl.rlim_cur;
}

/* One context, one client vhost; TLS is set up on the vhost (lws_glue.h
 * says why the OpenSSL init must not be left to every context). */
int ct__feed_ws_create(ct__feed_t *f) {
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof(info));
  info.user = f;
  info.timeout_secs = (f->cfg->connect_timeout_ms + 999) / 1000;
  info.fd_limit_per_thread = fd_limit();
  f->ctx = ct__lws_context_new(&info, ct_actor_loop(f->self), f->tls);
  if (f->ctx == NULL)
    return CT_EIO;
  info.protocols = protocols;
  info.vhost_name = PROTOCOL_NAME;
  info.client_ssl_ca_filepath = f->cfg->ca_file;
  f->vh = lws_create_vhost(f->ctx, &info);
  return f->vh != NULL ? 0 : CT_EIO;
}

void ct__feed_ws_destroy(ct__feed_t *f) {
  if (f->ctx != NULL)
    ct__lws_context_close(f->ctx, ct_actor_loop(f->self));
  f->ctx = NULL;
  f->vh = NULL;
  f->wsi = NULL;
  free(f->rx);
  f->rx = NULL;
  f->rx_cap = 0;
  rx_reset(f);
}

int ct__feed_ws_connect(ct__feed_t *f) {
  struct lws_client_connect_info ci;
  memset(&ci, 0, sizeof(ci));
  ci.context = f->ctx;
  ci.vhost = f->vh;
  ci.address = f->host;
  ci.port = f->port;
  ci.path = f->path;
  ci.host = f->host;
  ci.origin = f->host;
  ci.ssl_connection = f->tls ? LCCSCF_USE_SSL : 0;
  ci.local_protocol_name = PROTOCOL_NAME;
  ci.pwsi = &f->wsi;
  f->close_err = 0;
  f->close_reason[0] = '\0';
  rx_reset(f);
  return lws_client_connect_via_info(&ci) != NULL ? 0 : CT_ECONNREFUSED;
}

void ct__feed_ws_drop(ct__feed_t *f, int err, const char *reason) {
  if (f->wsi == NULL)
    return;
  set_close(f, err, reason);
  if (f->phase == CT__FEED_CONNECTING) {
    lws_set_timeout(f->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    return;
  }
  f->close_pending = true;
  lws_callback_on_writable(f->wsi);
  /* a backstop for a socket that never becomes writable again */
  lws_set_timeout(f->wsi, PENDING_TIMEOUT_USER_OK, 2);
}

void ct__feed_ws_ping(ct__feed_t *f) {
  if (f->wsi == NULL || f->phase < CT__FEED_OPEN)
    return;
  f->ping_pending = true;
  lws_callback_on_writable(f->wsi);
}
