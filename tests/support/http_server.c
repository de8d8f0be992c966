/*
 * http_server.c: the test HTTP/1.1 server (see http_server.h).
 *
 * One thread accepts; each connection gets a thread that reads requests
 * (head up to CRLF CRLF, then Content-Length bytes of body), records them,
 * and answers according to the current mode. Stopping shuts the listening
 * socket and every connection down, which wakes each blocked thread, and
 * joins them all. Connection fds are closed under the server mutex so the
 * stopping thread never shuts down a number the kernel has reused.
 */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "copytrader/error.h"

#define HEAD_MAX (64 << 10)

typedef struct conn {
  ct_test_httpd_t *s;
  int fd;
  SSL *ssl;
  pthread_t th;
  char *buf;
  size_t len, cap;
  struct conn *next;
} conn_t;

struct ct_test_httpd {
  int lfd, port;
  SSL_CTX *tls;
  pthread_t acceptor;
  pthread_mutex_t mu;
  conn_t *conns; /* guarded by mu */
  ct_test_httpd_req_t *records;
  size_t nrecords;
  atomic_bool stopping;
  atomic_uint accepted, requests;
  atomic_int mode;
  atomic_uint delay_ms;
};

/* ---- connection I/O ---- */

static ssize_t conn_read(conn_t *c, char *p, size_t n) {
  if (c->ssl != NULL)
    return SSL_read(c->ssl, p, (int)n);
  return recv(c->fd, p, n, 0);
}

static int conn_write(conn_t *c, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = c->ssl != NULL ? SSL_write(c->ssl, p, (int)n)
                               : send(c->fd, p, n, MSG_NOSIGNAL);
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Read once, whatever is there (at least one byte). */
static int read_some(conn_t *c) {
  ssize_t r;
  if (c->len + 4096 > c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 16384;
    char *p;
    while (cap < c->len + 4096)
      cap *= 2;
    if ((p = realloc(c->buf, cap)) == NULL)
      return -1;
    c->buf = p;
    c->cap = cap;
  }
  if ((r = conn_read(c, c->buf + c->len, c->cap - c->len)) <= 0)
    return -1;
  c->len += (size_t)r;
  return 0;
}

/* Read until c->buf holds at least `need` bytes. */
static int fill(conn_t *c, size_t need) {
  while (c->len < need)
    if (read_some(c) != 0)
      return -1;
  return 0;
}

static void conn_close(conn_t *c, bool reset) {
  pthread_mutex_lock(&c->s->mu);
  if (reset) {
    struct linger l = { 1, 0 };
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  }
  close(c->fd);
  c->fd = -1;
  pthread_mutex_unlock(&c->s->mu);
}

/* ---- parsing ---- */

static char *dup_n(const char *p, size_t n) {
  char *s = malloc(n + 1);
  if (s != NULL) {
    memcpy(s, p, n);
    s[n] = '\0';
  }
  return s;
}

static void parse_header_line(ct_test_httpd_req_t *r, char *line) {
  char *colon = strchr(line, ':'), *v;
  if (colon == NULL || r->nheaders == CT_TEST_HTTPD_MAX_HEADERS)
    return;
  for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
    ;
  r->names[r->nheaders] = dup_n(line, (size_t)(colon - line));
  r->values[r->nheaders] = dup_n(v, strlen(v));
  r->nheaders++;
}

/* Parse the head in place (it is NUL-terminated at the blank line). */
static int parse_head(char *head, ct_test_httpd_req_t *r) {
  char *save = NULL, *line = strtok_r(head, "\r\n", &save);
  char *sp1, *sp2;
  if (line == NULL || (sp1 = strchr(line, ' ')) == NULL ||
      (sp2 = strchr(sp1 + 1, ' ')) == NULL)
    return -1;
  r->method = dup_n(line, (size_t)(sp1 - line));
  r->target = dup_n(sp1 + 1, (size_t)(sp2 - sp1 - 1));
  while ((line = strtok_r(NULL, "\r\n", &save)) != NULL)
    parse_header_line(r, line);
  return 0;
}

static size_t find_head_end(const conn_t *c) {
  for (size_t i = 3; i < c->len; i++)
    if (memcmp(c->buf + i - 3, "\r\n\r\n", 4) == 0)
      return i + 1;
  return 0;
}

/* Read one whole request; consume it from the buffer. */
static int read_request(conn_t *c, ct_test_httpd_req_t *r) {
  size_t head_len, body_len = 0;
  const char *cl;
  memset(r, 0, sizeof(*r));
  while ((head_len = find_head_end(c)) == 0) {
    if (c->len >= HEAD_MAX || read_some(c) != 0)
      return -1;
  }
  c->buf[head_len - 2] = '\0';
  if (parse_head(c->buf, r) != 0)
    return -1;
  if ((cl = ct_test_httpd_header(r, "Content-Length")) != NULL)
    body_len = strtoul(cl, NULL, 10);
  if (fill(c, head_len + body_len) != 0)
    return -1;
  r->body = dup_n(c->buf + head_len, body_len);
  r->body_len = body_len;
  c->len -= head_len + body_len;
  memmove(c->buf, c->buf + head_len + body_len, c->len);
  return 0;
}

/* ---- serving ---- */

static void record(ct_test_httpd_t *s, ct_test_httpd_req_t *r) {
  pthread_mutex_lock(&s->mu);
  if (s->nrecords < CT_TEST_HTTPD_MAX_RECORDS) {
    s->records[s->nrecords++] = *r;
    memset(r, 0, sizeof(*r)); /* moved */
  }
  pthread_mutex_unlock(&s->mu);
}

static int respond(conn_t *c, const ct_test_httpd_req_t *r, bool close_after) {
  char head[256];
  int status = 200, n;
  const char *body = r->body_len ? r->body : r->target;
  size_t blen = r->body_len ? r->body_len : strlen(r->target);
  if (strncmp(r->target, "/status/", 8) == 0)
    status = atoi(r->target + 8);
  n = snprintf(head, sizeof(head),
               "HTTP/1.1 %d X\r\nContent-Type: text/plain\r\n"
               "Content-Length: %zu\r\n%s\r\n",
               status, blen, close_after ? "Connection: close\r\n" : "");
  if (conn_write(c, head, (size_t)n) != 0)
    return -1;
  return strcmp(r->method, "HEAD") == 0 ? 0 : conn_write(c, body, blen);
}

/* Slow mode: true if the delay passed with the client still there. */
static bool wait_delay(conn_t *c, unsigned ms) {
  struct pollfd p = { c->fd, POLLIN, 0 };
  return poll(&p, 1, (int)ms) == 0;
}

/* Serve one request; false when the connection is finished. */
static bool serve_one(conn_t *c) {
  ct_test_httpd_t *s = c->s;
  ct_test_httpd_req_t r;
  const char *conn_hdr;
  bool close_after, ok = false;
  if (read_request(c, &r) != 0) {
    ct_test_httpd_req_free(&r);
    return false;
  }
  atomic_fetch_add(&s->requests, 1); /* counted as soon as it is read */
  conn_hdr = ct_test_httpd_header(&r, "Connection");
  close_after = conn_hdr != NULL && strcasecmp(conn_hdr, "close") == 0;
  switch ((ct_test_httpd_mode_t)atomic_load(&s->mode)) {
  case CT_TEST_HTTPD_SLOW:
    if (!wait_delay(c, atomic_load(&s->delay_ms)))
      break;
    /* fall through */
  case CT_TEST_HTTPD_NORMAL:
    ok = respond(c, &r, close_after) == 0 && !close_after;
    break;
  case CT_TEST_HTTPD_RESET:
    record(s, &r);
    ct_test_httpd_req_free(&r);
    conn_close(c, true);
    return false;
  case CT_TEST_HTTPD_SILENT:
  case CT_TEST_HTTPD_STALL:
    while (read_some(c) == 0) /* until the client or stop ends it */
      c->len = 0;
    break;
  }
  record(s, &r);
  ct_test_httpd_req_free(&r);
  return ok;
}

/* Stall mode: wait, reading nothing, until the peer or stop ends it. */
static void stall(conn_t *c) {
  struct pollfd p = { c->fd, POLLRDHUP, 0 };
  while (poll(&p, 1, -1) < 0 && errno == EINTR)
    ;
}

static void *conn_main(void *arg) {
  conn_t *c = arg;
  if (atomic_load(&c->s->mode) == CT_TEST_HTTPD_STALL)
    stall(c);
  else if (c->ssl == NULL || SSL_accept(c->ssl) == 1)
    while (serve_one(c))
      ;
  if (c->ssl != NULL) {
    SSL_free(c->ssl);
    c->ssl = NULL;
  }
  if (c->fd >= 0)
    conn_close(c, false);
  return NULL;
}

static int conn_start(ct_test_httpd_t *s, int fd) {
  conn_t *c = calloc(1, sizeof(*c));
  pthread_attr_t attr;
  int one = 1, rc;
  if (c == NULL)
    return -1;
  c->s = s;
  c->fd = fd;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (s->tls != NULL &&
      ((c->ssl = SSL_new(s->tls)) == NULL || SSL_set_fd(c->ssl, fd) != 1)) {
    SSL_free(c->ssl);
    free(c);
    return -1;
  }
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 << 10);
  pthread_mutex_lock(&s->mu);
  rc = pthread_create(&c->th, &attr, conn_main, c);
  if (rc == 0) {
    c->next = s->conns;
    s->conns = c;
  }
  pthread_mutex_unlock(&s->mu);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    SSL_free(c->ssl);
    free(c);
  }
  return rc == 0 ? 0 : -1;
}

static void *accept_main(void *arg) {
  ct_test_httpd_t *s = arg;
  while (!atomic_load(&s->stopping)) {
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      break; /* shut down */
    }
    atomic_fetch_add(&s->accepted, 1);
    if (conn_start(s, fd) != 0)
      close(fd);
  }
  return NULL;
}

/* ---- lifecycle ---- */

static int listen_loopback(ct_test_httpd_t *s) {
  struct sockaddr_in sa = { 0 };
  socklen_t len = sizeof(sa);
  int one = 1;
  if ((s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
    return CT_EIO;
  setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
      listen(s->lfd, 512) != 0 ||
      getsockname(s->lfd, (struct sockaddr *)&sa, &len) != 0)
    return CT_EIO;
  s->port = ntohs(sa.sin_port);
  return 0;
}

static int tls_setup(ct_test_httpd_t *s, const ct_test_httpd_opts_t *o) {
  if (o == NULL || o->cert_file == NULL || o->key_file == NULL)
    return 0;
  if ((s->tls = SSL_CTX_new(TLS_server_method())) == NULL ||
      SSL_CTX_use_certificate_file(s->tls, o->cert_file, SSL_FILETYPE_PEM) !=
          1 ||
      SSL_CTX_use_PrivateKey_file(s->tls, o->key_file, SSL_FILETYPE_PEM) != 1)
    return CT_ETLS;
  return 0;
}

static void free_server(ct_test_httpd_t *s) {
  for (size_t i = 0; i < s->nrecords; i++)
    ct_test_httpd_req_free(&s->records[i]);
  free(s->records);
  SSL_CTX_free(s->tls);
  if (s->lfd >= 0)
    close(s->lfd);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

int ct_test_httpd_start(const ct_test_httpd_opts_t *opts,
                        ct_test_httpd_t **out) {
  ct_test_httpd_t *s = calloc(1, sizeof(*s));
  int rc;
  if (s == NULL)
    return CT_ENOMEM;
  s->lfd = -1;
  pthread_mutex_init(&s->mu, NULL);
  signal(SIGPIPE, SIG_IGN); /* SSL_write to a closed peer */
  rc = CT_ENOMEM;
  if ((s->records = calloc(CT_TEST_HTTPD_MAX_RECORDS, sizeof(*s->records))) ==
      NULL)
    goto fail;
  if ((rc = tls_setup(s, opts)) != 0 || (rc = listen_loopback(s)) != 0)
    goto fail;
  rc = CT_EIO;
  if (pthread_create(&s->acceptor, NULL, accept_main, s) != 0)
    goto fail;
  *out = s;
  return 0;
fail:
  ERR_clear_error();
  free_server(s);
  return rc;
}

void ct_test_httpd_stop(ct_test_httpd_t *s) {
  conn_t *c;
  if (s == NULL)
    return;
  atomic_store(&s->stopping, true);
  shutdown(s->lfd, SHUT_RDWR); /* wakes accept() */
  pthread_join(s->acceptor, NULL);
  pthread_mutex_lock(&s->mu);
  for (c = s->conns; c != NULL; c = c->next)
    if (c->fd >= 0)
      shutdown(c->fd, SHUT_RDWR);
  pthread_mutex_unlock(&s->mu);
  while ((c = s->conns) != NULL) { /* no new ones: the acceptor is gone */
    pthread_join(c->th, NULL);
    s->conns = c->next;
    free(c->buf);
    free(c);
  }
  free_server(s);
}

void ct_test_httpd_drop_all(ct_test_httpd_t *s) {
  pthread_mutex_lock(&s->mu);
  for (conn_t *c = s->conns; c != NULL; c = c->next)
    if (c->fd >= 0)
      shutdown(c->fd, SHUT_RDWR); /* its thread then closes it */
  pthread_mutex_unlock(&s->mu);
}

int ct_test_httpd_port(const ct_test_httpd_t *s) {
  return s->port;
}

void ct_test_httpd_set_mode(ct_test_httpd_t *s, ct_test_httpd_mode_t mode,
                            unsigned delay_ms) {
  atomic_store(&s->delay_ms, delay_ms);
  atomic_store(&s->mode, (int)mode);
}

unsigned ct_test_httpd_accepted(ct_test_httpd_t *s) {
  return atomic_load(&s->accepted);
}

unsigned ct_test_httpd_requests(ct_test_httpd_t *s) {
  return atomic_load(&s->requests);
}

static char *dup_or_null(const char *p) {
  return p != NULL ? dup_n(p, strlen(p)) : NULL;
}

int ct_test_httpd_request(ct_test_httpd_t *s, unsigned i,
                          ct_test_httpd_req_t *out) {
  int rc = CT_ENOTFOUND;
  memset(out, 0, sizeof(*out));
  pthread_mutex_lock(&s->mu);
  if (i < s->nrecords) {
    const ct_test_httpd_req_t *r = &s->records[i];
    out->method = dup_or_null(r->method);
    out->target = dup_or_null(r->target);
    out->nheaders = r->nheaders;
    for (size_t h = 0; h < r->nheaders; h++) {
      out->names[h] = dup_or_null(r->names[h]);
      out->values[h] = dup_or_null(r->values[h]);
    }
    out->body = dup_n(r->body != NULL ? r->body : "", r->body_len);
    out->body_len = r->body_len;
    rc = 0;
  }
  pthread_mutex_unlock(&s->mu);
  return rc;
}

void ct_test_httpd_req_free(ct_test_httpd_req_t *r) {
  free(r->method);
  free(r->target);
  for (size_t h = 0; h < r->nheaders; h++) {
    free(r->names[h]);
    free(r->values[h]);
  }
  free(r->body);
  memset(r, 0, sizeof(*r));
}

const char *ct_test_httpd_header(const ct_test_httpd_req_t *r,
                                 const char *name) {
  for (size_t h = 0; h < r->nheaders; h++)
    if (r->names[h] != NULL && strcasecmp(r->names[h], name) == 0)
      return r->values[h];
  return NULL;
}
