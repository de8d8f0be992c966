/*
 * http_sock.c: the socket watches of the HTTP engine (http_multi.c): what
 * curl's socket callback asks for, on the engine's libuv loop.
 *
 * A socket's uv_poll_t lives as long as the socket, not as one transfer:
 * it is found by fd (curl forgets its curl_multi_assign pointer on every
 * CURL_POLL_REMOVE) and closed from curl's close-socket callback, just
 * before the fd is. uv_poll_start always re-registers the fd with epoll
 * (DEL + ADD), so it is called only when the events change; and on
 * CURL_POLL_REMOVE a read-only watch stays registered: a kept-alive
 * connection is silent while idle, and if it does turn readable (the peer
 * closed it) the watch is stopped then. A request on a reused connection
 * thus costs no epoll_ctl, ioctl or uv handle at all.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "transport/http_multi_int.h"

static void poll_close_cb(uv_handle_t *h) {
  ct__http_sock_t *p = h->data;
  ct__http_multi_t *m = p->m;
  free(p);
  ct__http_handle_closed(m);
}

static void poll_close(ct__http_sock_t *p) {
  ct__http_multi_t *m = p->m;
  if ((size_t)p->fd < m->nbyfd && m->byfd[p->fd] == p)
    m->byfd[p->fd] = NULL;
  if (p->prev != NULL)
    p->prev->next = p->next;
  else
    m->polls = p->next;
  if (p->next != NULL)
    p->next->prev = p->prev;
  uv_close((uv_handle_t *)&p->h, poll_close_cb); /* stops it */
}

static void on_poll(uv_poll_t *h, int status, int events) {
  ct__http_sock_t *p = h->data;
  ct__http_multi_t *m = p->m;
  int flags = 0, running;
  if (status < 0) {
    p->events = 0; /* libuv stopped the watch */
    flags = CURL_CSELECT_ERR;
  } else if (!p->want) {
    /* An idle kept-alive socket turned readable (closed by the peer):
     * curl finds out when it next checks the connection. */
    uv_poll_stop(&p->h);
    p->events = 0;
    return;
  } else {
    flags = ((events & UV_READABLE) ? CURL_CSELECT_IN : 0) |
            ((events & UV_WRITABLE) ? CURL_CSELECT_OUT : 0);
  }
  curl_multi_socket_action(m->multi, p->fd, flags, &running);
  ct__http_drain(m);
}

static int poll_map(ct__http_multi_t *m, ct__http_sock_t *p) {
  size_t fd = (size_t)p->fd;
  if (fd >= m->nbyfd) {
    size_t n = m->nbyfd ? m->nbyfd : 64;
    ct__http_sock_t **a;
    while (n <= fd)
      n *= 2;
    if ((a = realloc(m->byfd, n * sizeof(*a))) == NULL)
      return CT_ENOMEM;
    memset(a + m->nbyfd, 0, (n - m->nbyfd) * sizeof(*a));
    m->byfd = a;
    m->nbyfd = n;
  }
  m->byfd[fd] = p;
  return 0;
}

static ct__http_sock_t *poll_find(ct__http_multi_t *m, curl_socket_t s) {
  return s >= 0 && (size_t)s < m->nbyfd ? m->byfd[s] : NULL;
}

static ct__http_sock_t *poll_open(ct__http_multi_t *m, curl_socket_t s) {
  ct__http_sock_t *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return NULL;
  p->fd = s;
  p->m = m;
  if (poll_map(m, p) != 0 || uv_poll_init_socket(m->loop, &p->h, s) != 0) {
    if (poll_find(m, s) == p)
      m->byfd[s] = NULL;
    free(p);
    return NULL;
  }
  p->h.data = p;
  p->next = m->polls;
  if (m->polls != NULL)
    m->polls->prev = p;
  m->polls = p;
  m->open_handles++;
  return p;
}

int ct__http_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
                       void *socketp) {
  ct__http_multi_t *m = userp;
  ct__http_sock_t *p = poll_find(m, s);
  int events;
  (void)easy;
  (void)socketp;
  if (what == CURL_POLL_REMOVE) {
    if (p != NULL) {
      p->want = false;
      if (p->events & UV_WRITABLE) { /* it would fire at once */
        uv_poll_stop(&p->h);
        p->events = 0;
      }
    }
    return 0;
  }
  if (m->closing)
    return 0;
  if (p == NULL && (p = poll_open(m, s)) == NULL)
    return -1;
  p->want = true;
  events = ((what & CURL_POLL_IN) ? UV_READABLE : 0) |
           ((what & CURL_POLL_OUT) ? UV_WRITABLE : 0);
  if (events == p->events)
    return 0;
  if (uv_poll_start(&p->h, events, on_poll) != 0)
    return -1;
  p->events = events;
  return 0;
}

/* curl opens a socket: a watch still filed under its number belongs to a
 * socket closed behind our back (not through closesocket_cb), whose epoll
 * registration went with it. */
curl_socket_t ct__http_opensocket_cb(void *clientp, curlsocktype purpose,
                                     struct curl_sockaddr *a) {
  curl_socket_t s = socket(a->family, a->socktype, a->protocol);
  ct__http_sock_t *p = poll_find(clientp, s);
  (void)purpose;
  if (p != NULL) {
    ct_log_warn("http", "msg=\"stale socket watch dropped\" fd=%d", (int)s);
    poll_close(p);
  }
  return s;
}

/* curl closes a socket: its watch goes first (epoll_ctl DEL needs the fd
 * open, and the fd number may come back at once for a new socket). */
int ct__http_closesocket_cb(void *clientp, curl_socket_t s) {
  ct__http_sock_t *p = poll_find(clientp, s);
  if (p != NULL)
    poll_close(p);
  return close(s);
}

void ct__http_sock_close_all(ct__http_multi_t *m) {
  while (m->polls != NULL)
    poll_close(m->polls);
}
