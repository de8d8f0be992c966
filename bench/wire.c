/*
 * wire.c: the wire floor's hand-written HTTP/1.1 client (wire.h says why
 * it exists). One request per connection at a time, answers matched by
 * connection; a request finding every connection busy waits in a FIFO.
 */
#include "wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define WIRE_TAG (1ull << 63)
#define WIRE_BUF 8192
#define WIRE_REQ 2048

typedef struct wreq {
  struct wreq *next;
  void *ctx;
  size_t len;
  char text[WIRE_REQ];
} wreq_t;

typedef struct wconn {
  int fd;
  void *ctx; /* the request in flight; NULL: idle */
  size_t len;
  char buf[WIRE_BUF];
} wconn_t;

struct wire {
  wconn_t *c;
  int n;
  wreq_t *head, *tail, *spare;
  wire_done_fn done;
  void *ud;
};

static int connect_one(int port) {
  struct sockaddr_in a = { .sin_family = AF_INET,
                           .sin_port = htons((uint16_t)port) };
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

wire_t *wire_open(int ep, int port, int conns, wire_done_fn done, void *ud) {
  wire_t *w = calloc(1, sizeof(*w));
  if (w == NULL || (w->c = calloc((size_t)conns, sizeof(*w->c))) == NULL)
    goto fail;
  w->done = done;
  w->ud = ud;
  for (; w->n < conns; w->n++) {
    struct epoll_event ev = { .events = EPOLLIN,
                              .data.u64 = WIRE_TAG | (uint64_t)w->n };
    w->c[w->n].fd = connect_one(port);
    if (w->c[w->n].fd < 0 ||
        epoll_ctl(ep, EPOLL_CTL_ADD, w->c[w->n].fd, &ev) != 0)
      goto fail;
  }
  return w;
fail:
  if (w != NULL && w->c != NULL)
    w->n++; /* close the one that failed too */
  wire_free(w);
  return NULL;
}

static int start(wconn_t *c, void *ctx, const char *req, size_t len) {
  c->ctx = ctx;
  c->len = 0;
  return write(c->fd, req, len) == (ssize_t)len ? 0 : -1;
}

int wire_send(wire_t *w, void *ctx, const char *req, size_t len) {
  wreq_t *q;
  if (len > WIRE_REQ)
    return -1;
  for (int i = 0; i < w->n; i++)
    if (w->c[i].ctx == NULL)
      return start(&w->c[i], ctx, req, len);
  if ((q = w->spare) != NULL)
    w->spare = q->next;
  else if ((q = malloc(sizeof(*q))) == NULL)
    return -1;
  q->next = NULL;
  q->ctx = ctx;
  q->len = len;
  memcpy(q->text, req, len);
  if (w->tail != NULL)
    w->tail->next = q;
  else
    w->head = q;
  w->tail = q;
  return 0;
}

int wire_owns(uint64_t data) {
  return (data & WIRE_TAG) != 0;
}

/* The length of a whole answer at the start of c->buf, or 0. */
static size_t whole(wconn_t *c, size_t *head) {
  const char *end = strstr(c->buf, "\r\n\r\n"), *cl;
  size_t body = 0;
  if (end == NULL)
    return 0;
  cl = strcasestr(c->buf, "\r\ncontent-length:");
  if (cl != NULL && cl < end)
    body = (size_t)strtoul(cl + 17, NULL, 10);
  *head = (size_t)(end + 4 - c->buf);
  return c->len >= *head + body ? *head + body : 0;
}

int wire_on_readable(wire_t *w, uint64_t data) {
  wconn_t *c = &w->c[data & ~WIRE_TAG];
  size_t head, n;
  ssize_t k = read(c->fd, c->buf + c->len, WIRE_BUF - 1 - c->len);
  if (k <= 0)
    return k == 0 ? -1 : 0;
  c->len += (size_t)k;
  c->buf[c->len] = '\0';
  if (c->ctx == NULL || (n = whole(c, &head)) == 0)
    return c->len < WIRE_BUF - 1 ? 0 : -1;
  void *ctx = c->ctx;
  c->len = 0; /* one request in flight: nothing follows the answer */
  long status = strtol(c->buf + 9, NULL, 10); /* "HTTP/1.1 200" */
  c->ctx = NULL;
  w->done(w->ud, ctx, status, c->buf + head, n - head);
  if (c->ctx != NULL)
    return 0; /* `done` sent its next request on this connection */
  if (w->head != NULL) {
    wreq_t *q = w->head;
    w->head = q->next;
    if (w->head == NULL)
      w->tail = NULL;
    q->next = w->spare;
    w->spare = q;
    return start(c, q->ctx, q->text, q->len);
  }
  return 0;
}

void wire_free(wire_t *w) {
  if (w == NULL)
    return;
  for (int i = 0; i < w->n; i++)
    if (w->c[i].fd > 0)
      close(w->c[i].fd);
  for (wreq_t *q = w->head, *next; q != NULL; q = next) {
    next = q->next;
    free(q);
  }
  for (wreq_t *q = w->spare, *next; q != NULL; q = next) {
    next = q->next;
    free(q);
  }
  free(w->c);
  free(w);
}
