/*
 * Private to http_multi.c and http_sock.c: the engine's state, and the
 * socket watches (http_sock.c) that http_multi.c hands to curl.
 */
#ifndef CT_TRANSPORT_HTTP_MULTI_INT_H
#define CT_TRANSPORT_HTTP_MULTI_INT_H

#include "transport/http_multi.h"

/* One socket's watch: a uv_poll_t for as long as curl keeps the socket. */
typedef struct ct__http_sock {
  uv_poll_t h;
  curl_socket_t fd;
  ct__http_multi_t *m;
  int events; /* UV_* registered with the loop; 0: stopped */
  bool want;  /* curl watches the socket (no CURL_POLL_REMOVE since) */
  struct ct__http_sock *prev, *next;
} ct__http_sock_t;

struct ct__http_multi {
  uv_loop_t *loop;
  CURLM *multi;
  uv_timer_t timer;
  const ct_http_opts_t *opts;
  ct__http_done_cb done;
  void *ctx;
  ct__http_xfer_t *active, *idle;
  CURL **easies; /* idle easy handles (a stack of up to POOL_MAX) */
  size_t neasy;
  ct__http_xfer_t *qhead, *qtail; /* waiting for a slot, FIFO */
  size_t nidle, nactive;
  long max_active;   /* transfers in curl's hands at most */
  uv_timer_t qtimer; /* the queue's earliest deadline */
  uint64_t qdue;     /* when qtimer fires, if active */
  ct__http_sock_t *polls;
  ct__http_sock_t **byfd; /* a socket's watch by fd, or NULL */
  size_t nbyfd;
  unsigned open_handles; /* uv handles whose close callback is pending */
  bool closing;
};

/* http_multi.c: completed transfers out, queued ones in (after every
 * curl_multi_socket_action); a uv handle's close callback ran. */
void ct__http_drain(ct__http_multi_t *m);
void ct__http_handle_closed(ct__http_multi_t *m);

/* http_sock.c: curl's socket callback (CURLMOPT_SOCKETFUNCTION, userp the
 * engine), its open and close socket callbacks (clientp the engine), and
 * the close of every watch left when the engine closes. */
int ct__http_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
                       void *socketp);
curl_socket_t ct__http_opensocket_cb(void *clientp, curlsocktype purpose,
                                     struct curl_sockaddr *a);
int ct__http_closesocket_cb(void *clientp, curl_socket_t s);
void ct__http_sock_close_all(ct__http_multi_t *m);

#endif /* CT_TRANSPORT_HTTP_MULTI_INT_H */
