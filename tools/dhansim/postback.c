/*
 * postback.c: Dhan's postback (§16). Every change of an order of an account
 * given --postback ID=URL is POSTed to URL as the 2026 postback JSON (with
 * snake_case filled_qty), unsigned, asynchronously: libcurl multi on the
 * simulator's uv loop, following curl's multi-uv example (a uv_poll_t per
 * socket started and stopped from the socket callback, one uv_timer_t
 * driven by the timer callback, finished transfers read after every
 * action). Failures are logged; there are no retries (UNVERIFIED on Dhan).
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "orders.h"

typedef struct pb_req {
  struct pb_req *next, *prev;
  CURL *easy;
  struct curl_slist *hdrs;
  char *body;
} pb_req_t;

typedef struct pb {
  sim_t *sim;
  CURLM *multi;
  uv_timer_t timer;
  pb_req_t *head;
  int curl_inited;
} pb_t;

typedef struct pb_sock {
  uv_poll_t poll;
  curl_socket_t fd;
  pb_t *pb;
} pb_sock_t;

static void req_free(pb_t *pb, pb_req_t *q) {
  if (q->prev)
    q->prev->next = q->next;
  else
    pb->head = q->next;
  if (q->next)
    q->next->prev = q->prev;
  curl_multi_remove_handle(pb->multi, q->easy);
  curl_easy_cleanup(q->easy);
  curl_slist_free_all(q->hdrs);
  free(q->body);
  free(q);
}

static void check_done(pb_t *pb) {
  CURLMsg *m;
  int left;
  while ((m = curl_multi_info_read(pb->multi, &left))) {
    pb_req_t *q = NULL;
    long code = 0;
    if (m->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&q);
    curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
    if (m->data.result != CURLE_OK || code < 200 || code > 299)
      ct_log_warn("dhansim", "msg=\"postback failed\" curl=%d http=%ld",
                  (int)m->data.result, code);
    req_free(pb, q);
  }
}

static void poll_cb(uv_poll_t *h, int status, int events) {
  pb_sock_t *ps = h->data;
  int running, flags = 0;
  if (status < 0)
    flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  curl_multi_socket_action(ps->pb->multi, ps->fd, flags, &running);
  check_done(ps->pb);
}

static void sock_closed(uv_handle_t *h) {
  free(h->data);
}

static int socket_cb(CURL *e, curl_socket_t fd, int what, void *userp,
                     void *socketp) {
  pb_t *pb = userp;
  pb_sock_t *ps = socketp;
  (void)e;
  if (what == CURL_POLL_REMOVE) {
    if (ps) {
      uv_poll_stop(&ps->poll);
      uv_close((uv_handle_t *)&ps->poll, sock_closed);
      curl_multi_assign(pb->multi, fd, NULL);
    }
    return 0;
  }
  if (ps == NULL) {
    ps = calloc(1, sizeof(*ps));
    if (ps == NULL)
      return -1;
    ps->fd = fd;
    ps->pb = pb;
    ps->poll.data = ps;
    uv_poll_init_socket(pb->sim->loop, &ps->poll, fd);
    curl_multi_assign(pb->multi, fd, ps);
  }
  uv_poll_start(&ps->poll,
                ((what & CURL_POLL_IN) ? UV_READABLE : 0) |
                    ((what & CURL_POLL_OUT) ? UV_WRITABLE : 0),
                poll_cb);
  return 0;
}

static void timer_cb(uv_timer_t *t) {
  pb_t *pb = t->data;
  int running;
  curl_multi_socket_action(pb->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_done(pb);
}

static int timer_fn(CURLM *multi, long ms, void *userp) {
  pb_t *pb = userp;
  (void)multi;
  if (ms < 0)
    uv_timer_stop(&pb->timer);
  else
    uv_timer_start(&pb->timer, timer_cb, ms == 0 ? 1 : (uint64_t)ms, 0);
  return 0;
}

int postback_init(sim_t *s) {
  pb_t *pb = calloc(1, sizeof(*pb));
  if (pb == NULL || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
    free(pb);
    return -1;
  }
  pb->curl_inited = 1;
  pb->sim = s;
  pb->multi = curl_multi_init();
  uv_timer_init(s->loop, &pb->timer);
  pb->timer.data = pb;
  curl_multi_setopt(pb->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt(pb->multi, CURLMOPT_SOCKETDATA, pb);
  curl_multi_setopt(pb->multi, CURLMOPT_TIMERFUNCTION, timer_fn);
  curl_multi_setopt(pb->multi, CURLMOPT_TIMERDATA, pb);
  s->postback = pb;
  return 0;
}

static void pb_closed(uv_handle_t *h) {
  pb_t *pb = h->data;
  free(pb);
}

void postback_close(sim_t *s) {
  pb_t *pb = s->postback;
  if (pb == NULL)
    return;
  while (pb->head)
    req_free(pb, pb->head);
  curl_multi_cleanup(pb->multi);
  curl_global_cleanup();
  uv_close((uv_handle_t *)&pb->timer, pb_closed);
  s->postback = NULL;
}

void postback_order(sim_t *s, order_t *o) {
  pb_t *pb = s->postback;
  pb_req_t *q;
  cJSON *j;
  if (pb == NULL || o->acct->postback_url == NULL || s->stopping)
    return;
  q = calloc(1, sizeof(*q));
  if (q == NULL)
    return;
  j = order_postback_json(o);
  q->body = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  q->easy = curl_easy_init();
  q->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
  if (q->body == NULL || q->easy == NULL || q->hdrs == NULL) {
    curl_easy_cleanup(q->easy);
    curl_slist_free_all(q->hdrs);
    free(q->body);
    free(q);
    return;
  }
  curl_easy_setopt(q->easy, CURLOPT_URL, o->acct->postback_url);
  curl_easy_setopt(q->easy, CURLOPT_POSTFIELDS, q->body);
  curl_easy_setopt(q->easy, CURLOPT_HTTPHEADER, q->hdrs);
  curl_easy_setopt(q->easy, CURLOPT_PRIVATE, q);
  curl_easy_setopt(q->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(q->easy, CURLOPT_TIMEOUT_MS, 5000L);
  q->next = pb->head;
  if (pb->head)
    pb->head->prev = q;
  pb->head = q;
  curl_multi_add_handle(pb->multi, q->easy);
}
