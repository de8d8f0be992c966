/*
 * sim_client.c: blocking HTTP and WebSocket clients for the dhansim tests
 * (see sim_client.h).
 */
#include "ct_test.h"

#include "sim_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *cainfo;
static long timeout_ms = 10000;

void ct_http_set_timeout_ms(long ms) {
  timeout_ms = ms;
}

void ct_http_set_cainfo(const char *path) {
  cainfo = path;
}

typedef struct buf {
  char *p;
  size_t n;
} buf_t;

static size_t on_data(char *d, size_t sz, size_t nm, void *u) {
  buf_t *b = u;
  char *np = realloc(b->p, b->n + sz * nm + 1);
  if (np == NULL)
    return 0;
  memcpy(np + b->n, d, sz * nm);
  b->p = np;
  b->n += sz * nm;
  b->p[b->n] = '\0';
  return sz * nm;
}

int ct_http(const char *base, const char *method, const char *path,
            const char *token, const char *body, const char *const *headers,
            ct_http_resp_t *out) {
  CURL *c = curl_easy_init();
  struct curl_slist *h = NULL;
  char url[1024], line[1200];
  buf_t b = { NULL, 0 };
  CURLcode rc;
  memset(out, 0, sizeof(*out));
  if (c == NULL)
    return -1;
  snprintf(url, sizeof(url), "%s%s", base, path);
  if (token) {
    snprintf(line, sizeof(line), "access-token: %s", token);
    h = curl_slist_append(h, line);
  }
  h = curl_slist_append(h, "Content-Type: application/json");
  for (size_t i = 0; headers && headers[i]; i++)
    h = curl_slist_append(h, headers[i]);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (cainfo)
    curl_easy_setopt(c, CURLOPT_CAINFO, cainfo);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  }
  rc = curl_easy_perform(c);
  if (rc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  out->body = b.p ? b.p : calloc(1, 1);
  out->json = cJSON_Parse(out->body);
  return rc == CURLE_OK ? 0 : -1;
}

void ct_http_resp_free(ct_http_resp_t *r) {
  free(r->body);
  cJSON_Delete(r->json);
  memset(r, 0, sizeof(*r));
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int ws_write(ct_ws_t *ws, const void *p, size_t n) {
  if (ws->ssl)
    return SSL_write(ws->ssl, p, (int)n) == (int)n ? 0 : -1;
  return write(ws->fd, p, n) == (ssize_t)n ? 0 : -1;
}

/* Reads more bytes into ws->buf; 1 on data, 0 on EOF, -1 on timeout. */
static int ws_fill(ct_ws_t *ws, long deadline) {
  struct pollfd p = { ws->fd, POLLIN, 0 };
  long left;
  int n;
  if (ws->len >= sizeof(ws->buf))
    return -1;
  if (!(ws->ssl && SSL_pending(ws->ssl) > 0)) {
    left = deadline - now_ms();
    if (left <= 0 || poll(&p, 1, (int)left) <= 0)
      return -1;
  }
  if (ws->ssl)
    n = SSL_read(ws->ssl, ws->buf + ws->len, (int)(sizeof(ws->buf) - ws->len));
  else
    n = (int)read(ws->fd, ws->buf + ws->len, sizeof(ws->buf) - ws->len);
  if (n <= 0)
    return 0;
  ws->len += (size_t)n;
  return 1;
}

static int tls_setup(ct_ws_t *ws) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  ws->ssl_ctx = ctx;
  if (ctx == NULL)
    return -1;
  if (cainfo) {
    SSL_CTX_load_verify_locations(ctx, cainfo, NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  }
  ws->ssl = SSL_new(ctx);
  SSL_set_fd(ws->ssl, ws->fd);
  SSL_set_tlsext_host_name(ws->ssl, "localhost");
  return SSL_connect(ws->ssl) == 1 ? 0 : -1;
}

int ct_ws_connect(ct_ws_t *ws, int port, int tls) {
  struct sockaddr_in sa;
  char req[256];
  long deadline = now_ms() + 5000;
  int one = 1;
  memset(ws, 0, sizeof(*ws));
  ws->fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (ws->fd < 0 || connect(ws->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
    return -1;
  setsockopt(ws->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (tls && tls_setup(ws) != 0)
    return -1;
  snprintf(req, sizeof(req),
           "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: "
           "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
           port);
  if (ws_write(ws, req, strlen(req)) != 0)
    return -1;
  for (;;) {
    unsigned char *end;
    if (ws_fill(ws, deadline) != 1)
      return -1;
    end = memmem(ws->buf, ws->len, "\r\n\r\n", 4);
    if (end == NULL)
      continue;
    if (memcmp(ws->buf, "HTTP/1.1 101", 12) != 0)
      return -1;
    size_t hl = (size_t)(end + 4 - ws->buf);
    memmove(ws->buf, ws->buf + hl, ws->len - hl);
    ws->len -= hl;
    return 0;
  }
}

int ct_ws_send_text(ct_ws_t *ws, const char *text) {
  size_t n = strlen(text), h = 0;
  unsigned char *f = malloc(n + 14), mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  int rc;
  if (f == NULL)
    return -1;
  f[h++] = 0x81;
  if (n < 126) {
    f[h++] = (unsigned char)(0x80 | n);
  } else {
    f[h++] = 0x80 | 126;
    f[h++] = (unsigned char)(n >> 8);
    f[h++] = (unsigned char)n;
  }
  memcpy(f + h, mask, 4);
  h += 4;
  for (size_t i = 0; i < n; i++)
    f[h + i] = (unsigned char)text[i] ^ mask[i % 4];
  rc = ws_write(ws, f, h + n);
  free(f);
  return rc;
}

/* Parses one complete frame at the head of ws->buf; 1 when found. */
static int take_frame(ct_ws_t *ws, int *op, char **out, size_t *len) {
  size_t h = 2, n;
  if (ws->len < 2)
    return 0;
  n = ws->buf[1] & 0x7f;
  if (n == 126) {
    if (ws->len < 4)
      return 0;
    n = ((size_t)ws->buf[2] << 8) | ws->buf[3];
    h = 4;
  } else if (n == 127) {
    if (ws->len < 10)
      return 0;
    n = 0;
    for (int i = 0; i < 8; i++)
      n = (n << 8) | ws->buf[2 + i];
    h = 10;
  }
  if (ws->len < h + n)
    return 0;
  *op = ws->buf[0] & 0x0f;
  *out = malloc(n + 1);
  memcpy(*out, ws->buf + h, n);
  (*out)[n] = '\0';
  *len = n;
  memmove(ws->buf, ws->buf + h + n, ws->len - h - n);
  ws->len -= h + n;
  return 1;
}

int ct_ws_recv(ct_ws_t *ws, char **out, size_t *len, int timeout_ms) {
  long deadline = now_ms() + timeout_ms;
  int op, rc;
  *out = NULL;
  for (;;) {
    while (take_frame(ws, &op, out, len)) {
      if (op == 9 || op == 10) { /* ping/pong: ignored */
        free(*out);
        *out = NULL;
        continue;
      }
      return op;
    }
    rc = ws_fill(ws, deadline);
    if (rc <= 0)
      return rc == 0 ? 0 : -1;
  }
}

void ct_ws_close(ct_ws_t *ws) {
  if (ws->ssl) {
    SSL_free(ws->ssl);
    ws->ssl = NULL;
  }
  if (ws->ssl_ctx) {
    SSL_CTX_free(ws->ssl_ctx);
    ws->ssl_ctx = NULL;
  }
  if (ws->fd > 0)
    close(ws->fd);
  ws->fd = -1;
}

int ct_ws_login(ct_ws_t *ws, const char *client_id, const char *token) {
  char msg[512];
  snprintf(msg, sizeof(msg),
           "{\"LoginReq\":{\"MsgCode\":42,\"ClientId\":\"%s\",\"Token\":"
           "\"%s\"},\"UserType\":\"SELF\"}",
           client_id, token);
  return ct_ws_send_text(ws, msg);
}

cJSON *ct_http_want(const char *base, const char *method, const char *path,
                    const char *token, const char *body, long want) {
  ct_http_resp_t r;
  cJSON *j;
  assert_int_equal(ct_http(base, method, path, token, body, NULL, &r), 0);
  if (r.status != want)
    fail_msg("%s %s: %ld %s", method, path, r.status, r.body);
  j = r.json;
  r.json = NULL;
  ct_http_resp_free(&r);
  return j;
}

char *ct_sim_place_order(const char *url, const char *token, const char *body) {
  cJSON *j = ct_http_want(url, "POST", "/v2/orders", token, body, 200);
  char *id;
  assert_true(ct_jstr(j, "orderId")[0] != '\0');
  id = strdup(ct_jstr(j, "orderId"));
  cJSON_Delete(j);
  assert_non_null(id);
  return id;
}

const char *ct_jstr(const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  return cJSON_IsString(v) ? v->valuestring : "";
}

double ct_jnum(const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  return cJSON_IsNumber(v) ? v->valuedouble : -1;
}
