/*
 * http_multi.c: libcurl's multi-socket interface on a libuv loop, after
 * curl's multi-uv example, plus a pool of easy handles.
 *
 * curl tells us which sockets to watch (socket callback) and when to call
 * it back (timer callback: one one-shot uv_timer_t). The poll and timer
 * callbacks call curl_multi_socket_action and then drain
 * curl_multi_info_read; a finished transfer's results are copied out, the
 * easy handle is removed, the done callback runs, and the handle returns to
 * the pool. Connections live in the multi handle's cache, so they outlive
 * the easy handles and are reused per host.
 *
 * The socket watches are in http_sock.c.
 *
 * Easy handles keep the options that never change (set once when created)
 * and get only the request's own ones per transfer: no curl_easy_reset.
 * A transfer gets one only when curl gets the transfer (see
 * http_multi.h): queued transfers hold their request alone.
 *
 * Admission: curl gets at most `max_active` transfers at a time (the
 * connection limit, CT_HTTP_DEFAULT_CONNECTIONS by default, also the number
 * of idle connections kept), the rest wait in our FIFO queue. A bounded pool
 * matters with one API host and a thousand followers: without it every burst
 * opens new connections, and libcurl scans all of a host's connections for a
 * free one per request. Queueing here rather than in curl (which parks
 * transfers over CURLMOPT_MAX_HOST_CONNECTIONS in a pending state where
 * libcurl 7.88 runs no timeout) keeps the deadline honest: a queued
 * transfer whose deadline passes fails with request_sent false, because
 * nothing of it was written; one that starts gets the time left.
 */
#include "transport/http_multi_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "copytrader/log.h"

#define POOL_MAX 256 /* idle easy handles kept */
/* Larger buffers are freed on recycle: order books run to tens of KB,
 * and keeping one per pooled handle held 33 MB at 300 followers (massif),
 * while an order answer needs well under 4 KB. */
#define KEEP_BUF_MAX (16 << 10)
#define NS_PER_MS    1000000ull

/* The admission queue (defined with ct__http_xfer_start). */
static bool queue_pump(ct__http_multi_t *m);
static void queue_remove(ct__http_multi_t *m, ct__http_xfer_t *x);
static void xfer_fail_unsent(ct__http_multi_t *m, ct__http_xfer_t *x, int err,
                             const char *text);
static void on_qtimer(uv_timer_t *t);
static void set_fixed(ct__http_multi_t *m, CURL *e);

/* ---- lists ---- */

static void xfer_link(ct__http_xfer_t **head, ct__http_xfer_t *x) {
  x->prev = NULL;
  x->next = *head;
  if (*head != NULL)
    (*head)->prev = x;
  *head = x;
}

static void xfer_unlink(ct__http_xfer_t **head, ct__http_xfer_t *x) {
  if (x->prev != NULL)
    x->prev->next = x->next;
  else
    *head = x->next;
  if (x->next != NULL)
    x->next->prev = x->prev;
  x->prev = x->next = NULL;
}

/* ---- handle lifetimes ---- */

void ct__http_handle_closed(ct__http_multi_t *m) {
  if (--m->open_handles == 0 && m->closing) {
    free(m->byfd);
    free(m);
  }
}

/* Both timers: data is the engine. */
static void timer_close_cb(uv_handle_t *h) {
  ct__http_handle_closed(h->data);
}

/* ---- completion ---- */

static void xfer_finish_info(ct__http_xfer_t *x, CURLcode rc) {
  long reqsize = 0;
  curl_off_t up = 0;
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
  curl_easy_getinfo(x->easy, CURLINFO_REQUEST_SIZE, &reqsize);
  curl_easy_getinfo(x->easy, CURLINFO_SIZE_UPLOAD_T, &up);
  /* REQUEST_SIZE counts what the first send wrote (headers, and the body
   * when it fit); the upload counter counts body bytes. */
  x->request_sent = reqsize > 0 && (uint64_t)up >= x->req_body_len;
  x->error = ct__http_map_error(rc);
  x->elapsed_ns = uv_hrtime() - x->started_ns;
  if (rc == CURLE_OK)
    x->error_text = NULL;
  else if (x->errbuf[0] != '\0')
    x->error_text = x->errbuf;
  else
    x->error_text = curl_easy_strerror(rc);
}

/* Give an admitted transfer's easy handle back to the pool. */
static void easy_detach(ct__http_multi_t *m, ct__http_xfer_t *x) {
  if (x->easy == NULL)
    return;
  if (m->closing || m->neasy >= POOL_MAX)
    curl_easy_cleanup(x->easy);
  else
    m->easies[m->neasy++] = x->easy;
  x->easy = NULL;
}

static void xfer_recycle(ct__http_multi_t *m, ct__http_xfer_t *x) {
  easy_detach(m, x);
  curl_slist_free_all(x->headers);
  x->headers = NULL;
  if (m->closing || m->nidle >= POOL_MAX) {
    free(x->req_body);
    free(x->url);
    free(x->resp);
    free(x->scratch);
    free(x);
    return;
  }
  if (x->resp_cap > KEEP_BUF_MAX) {
    free(x->resp);
    x->resp = NULL;
    x->resp_cap = 0;
  }
  if (x->req_body_cap > KEEP_BUF_MAX) {
    free(x->req_body);
    x->req_body = NULL;
    x->req_body_cap = 0;
  }
  x->req_body_len = x->resp_len = 0;
  x->from = x->request_id = 0;
  xfer_link(&m->idle, x);
  m->nidle++;
}

static void read_done(ct__http_multi_t *m) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
    CURL *easy = msg->easy_handle;
    CURLcode rc = msg->data.result;
    ct__http_xfer_t *x = NULL;
    if (msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
    xfer_finish_info(x, rc); /* before remove_handle: msg dies there */
    curl_multi_remove_handle(m->multi, easy);
    xfer_unlink(&m->active, x);
    m->nactive--;
    m->done(x, m->ctx);
    xfer_recycle(m, x);
  }
}

/* Completed transfers out, queued ones into the freed slots, and curl
 * started on those at once (not on its 0 ms timer), until nothing moves. */
void ct__http_drain(ct__http_multi_t *m) {
  int running;
  do
    read_done(m);
  while (queue_pump(m) &&
         curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running) ==
             CURLM_OK);
}

/* ---- curl callbacks and their uv handles ---- */

static void on_timer(uv_timer_t *t) {
  ct__http_multi_t *m = t->data;
  int running;
  curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  ct__http_drain(m);
}

/* Never calls curl: a 0 ms request becomes a 1 ms one-shot on the loop. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp) {
  ct__http_multi_t *m = userp;
  (void)multi;
  if (timeout_ms < 0 || m->closing)
    uv_timer_stop(&m->timer);
  else
    uv_timer_start(&m->timer, on_timer, timeout_ms == 0 ? 1 : timeout_ms, 0);
  return 0;
}

static size_t write_cb(char *ptr, size_t size, size_t n, void *userp) {
  ct__http_xfer_t *x = userp;
  size_t len = size * n;
  if (x->resp_len + len > x->resp_cap) {
    size_t cap = x->resp_cap ? x->resp_cap : 4096;
    char *p;
    while (cap < x->resp_len + len)
      cap *= 2;
    if ((p = realloc(x->resp, cap)) == NULL)
      return 0; /* CURLE_WRITE_ERROR */
    x->resp = p;
    x->resp_cap = cap;
  }
  memcpy(x->resp + x->resp_len, ptr, len);
  x->resp_len += len;
  return len;
}

/* ---- engine ---- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void) {
  global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The smaller of the limits set; CT_HTTP_DEFAULT_CONNECTIONS if none. */
static long max_active(const ct_http_opts_t *o) {
  long h = o->max_host_connections, t = o->max_total_connections;
  if (h > 0 && t > 0)
    return h < t ? h : t;
  if (h > 0 || t > 0)
    return h > 0 ? h : t;
  return CT_HTTP_DEFAULT_CONNECTIONS;
}

int ct__http_multi_new(uv_loop_t *loop, const ct_http_opts_t *opts,
                       ct__http_done_cb done, void *ctx,
                       ct__http_multi_t **out) {
  ct__http_multi_t *m;
  pthread_once(&global_once, global_init);
  if (global_rc != CURLE_OK)
    return CT_EIO;
  if ((m = calloc(1, sizeof(*m))) == NULL)
    return CT_ENOMEM;
  if ((m->easies = calloc(POOL_MAX, sizeof(*m->easies))) == NULL ||
      (m->multi = curl_multi_init()) == NULL) {
    free(m->easies);
    free(m);
    return CT_ENOMEM;
  }
  m->loop = loop;
  m->opts = opts;
  m->done = done;
  m->ctx = ctx;
  curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, ct__http_socket_cb);
  curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
  curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
  m->max_active = max_active(opts);
  /* The queue keeps curl within these; they are set as a backstop. */
  curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                    opts->max_host_connections > 0 ? opts->max_host_connections
                                                   : m->max_active);
  curl_multi_setopt(m->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, m->max_active);
  /* curl's default cache is 4 x the handles added at that moment: after a
   * burst of completions it drops most idle connections. */
  curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, m->max_active);
  uv_timer_init(loop, &m->timer);
  m->timer.data = m;
  uv_timer_init(loop, &m->qtimer);
  m->qtimer.data = m;
  m->open_handles = 2;
  *out = m;
  return 0;
}

void ct__http_multi_close(ct__http_multi_t *m) {
  ct__http_xfer_t *x;
  m->closing = true; /* callbacks from here on only release */
  while ((x = m->active) != NULL) {
    xfer_finish_info(x, CURLE_ABORTED_BY_CALLBACK); /* what was sent */
    x->error = CT_ECLOSED;
    x->error_text = "HTTP actor stopped";
    curl_multi_remove_handle(m->multi, x->easy);
    xfer_unlink(&m->active, x);
    m->done(x, m->ctx);
    xfer_recycle(m, x);
  }
  while ((x = m->qhead) != NULL) {
    queue_remove(m, x);
    xfer_fail_unsent(m, x, CT_ECLOSED, "HTTP actor stopped");
  }
  while ((x = m->idle) != NULL) {
    xfer_unlink(&m->idle, x);
    xfer_recycle(m, x); /* closing: frees */
  }
  while (m->neasy > 0)
    curl_easy_cleanup(m->easies[--m->neasy]);
  free(m->easies);
  m->easies = NULL;
  curl_multi_cleanup(m->multi); /* may still report REMOVEs */
  m->multi = NULL;
  ct__http_sock_close_all(m);
  uv_timer_stop(&m->timer);
  uv_close((uv_handle_t *)&m->timer, timer_close_cb);
  uv_timer_stop(&m->qtimer);
  uv_close((uv_handle_t *)&m->qtimer, timer_close_cb);
}

ct__http_xfer_t *ct__http_xfer_get(ct__http_multi_t *m) {
  ct__http_xfer_t *x = m->idle;
  if (x != NULL) {
    xfer_unlink(&m->idle, x);
    m->nidle--;
    return x;
  }
  if ((x = calloc(1, sizeof(*x))) == NULL)
    return NULL;
  x->m = m;
  return x;
}

void ct__http_xfer_put(ct__http_xfer_t *x) {
  xfer_recycle(x->m, x);
}

static int reserve(char **buf, size_t *cap, size_t need) {
  char *p;
  if (need <= *cap)
    return 0;
  if ((p = realloc(*buf, need)) == NULL)
    return CT_ENOMEM;
  *buf = p;
  *cap = need;
  return 0;
}

char *ct__http_xfer_cstr(ct__http_xfer_t *x, const char *s, size_t len) {
  if (reserve(&x->scratch, &x->scratch_cap, len + 1) != 0)
    return NULL;
  memcpy(x->scratch, s, len);
  x->scratch[len] = '\0';
  return x->scratch;
}

int ct__http_xfer_set_url(ct__http_xfer_t *x, const char *url, size_t len) {
  if (reserve(&x->url, &x->url_cap, len + 1) != 0)
    return CT_ENOMEM;
  memcpy(x->url, url, len);
  x->url[len] = '\0';
  return 0;
}

int ct__http_xfer_set_body(ct__http_xfer_t *x, const void *p, size_t len) {
  /* At least one byte so POSTFIELDS is never NULL (an empty body). */
  if (reserve(&x->req_body, &x->req_body_cap, len ? len : 1) != 0)
    return CT_ENOMEM;
  if (len != 0)
    memcpy(x->req_body, p, len);
  x->req_body_len = len;
  return 0;
}

/* The options every transfer of the engine has: set once per easy handle
 * (curl keeps them across transfers; nothing here calls curl_easy_reset). */
static void set_fixed(ct__http_multi_t *m, CURL *e) {
  const ct_http_opts_t *o = m->opts;
  uint64_t cto = o->connect_timeout_ms ? o->connect_timeout_ms : 5000;
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, ct__http_closesocket_cb);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, m);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, ct__http_opensocket_cb);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, m);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cto);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER,
                   o->insecure_skip_verify ? 0L : 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST,
                   o->insecure_skip_verify ? 0L : 2L);
  if (o->ca_file != NULL)
    curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
}

int ct__http_xfer_method(ct__http_xfer_t *x, ct__http_method_t how,
                         const char *custom, size_t len) {
  if (custom != NULL && len >= sizeof(x->custom))
    return CT_EINVAL;
  x->how = how;
  x->custom[0] = '\0';
  if (custom != NULL) {
    memcpy(x->custom, custom, len);
    x->custom[len] = '\0';
  }
  return 0;
}

/* An easy handle for `x` (the pool's, or a new one) with its request. */
static int easy_attach(ct__http_multi_t *m, ct__http_xfer_t *x,
                       uint64_t timeout_ms) {
  CURL *e;
  if (m->neasy > 0)
    e = m->easies[--m->neasy];
  else if ((e = curl_easy_init()) != NULL)
    set_fixed(m, e);
  else
    return CT_ENOMEM;
  x->easy = e;
  curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)x);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(e, CURLOPT_URL, x->url); /* curl copies */
  if (x->how == CT__HTTP_BODY) {
    curl_easy_setopt(e, CURLOPT_NOBODY, 0L); /* before: it may reset */
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)x->req_body_len);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->req_body);
  } else {
    /* GET, no upload, no NOBODY; a previous body is not sent. */
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    if (x->how == CT__HTTP_HEAD)
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  }
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
                   x->custom[0] != '\0' ? x->custom : NULL); /* copied */
  x->errbuf[0] = '\0';
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
  return 0;
}

/* ---- admission ---- */

static void queue_push(ct__http_multi_t *m, ct__http_xfer_t *x) {
  x->next = NULL;
  x->prev = m->qtail;
  if (m->qtail != NULL)
    m->qtail->next = x;
  else
    m->qhead = x;
  m->qtail = x;
}

static void queue_remove(ct__http_multi_t *m, ct__http_xfer_t *x) {
  if (x == m->qtail)
    m->qtail = x->prev;
  xfer_unlink(&m->qhead, x);
}

/* Answer a transfer curl never had: nothing of it was written. */
static void xfer_fail_unsent(ct__http_multi_t *m, ct__http_xfer_t *x, int err,
                             const char *text) {
  x->error = err;
  x->request_sent = false;
  x->status = 0;
  x->resp_len = 0;
  x->elapsed_ns = 0;
  x->error_text = text;
  m->done(x, m->ctx);
  xfer_recycle(m, x);
}

static void qtimer_arm(ct__http_multi_t *m, uint64_t due, uint64_t now) {
  m->qdue = due;
  uv_timer_start(&m->qtimer, on_qtimer,
                 due > now ? (due - now + NS_PER_MS - 1) / NS_PER_MS : 0, 0);
}

/* Fail the queued transfers whose deadline has passed; wake up at the
 * earliest deadline left. */
static void on_qtimer(uv_timer_t *t) {
  ct__http_multi_t *m = t->data;
  uint64_t now = uv_hrtime(), next = UINT64_MAX;
  ct__http_xfer_t *x, *nx;
  for (x = m->qhead; x != NULL; x = nx) {
    nx = x->next;
    if (x->deadline_ns <= now) {
      queue_remove(m, x);
      xfer_fail_unsent(m, x, CT_ETIMEDOUT,
                       "no free connection before the deadline");
    } else if (x->deadline_ns < next) {
      next = x->deadline_ns;
    }
  }
  if (next != UINT64_MAX)
    qtimer_arm(m, next, now);
}

/* Hand `x` to curl with `timeout_ms` to run (does not start it). */
static int xfer_add(ct__http_multi_t *m, ct__http_xfer_t *x,
                    uint64_t timeout_ms) {
  x->resp_len = 0;
  x->started_ns = uv_hrtime();
  if (easy_attach(m, x, timeout_ms) != 0)
    return CT_ENOMEM;
  if (curl_multi_add_handle(m->multi, x->easy) != CURLM_OK) {
    easy_detach(m, x);
    return CT_ENOMEM;
  }
  xfer_link(&m->active, x);
  m->nactive++;
  return 0;
}

/* Move queued transfers into free slots; true when curl got any. */
static bool queue_pump(ct__http_multi_t *m) {
  bool added = false;
  uint64_t now = uv_hrtime();
  ct__http_xfer_t *x;
  while ((x = m->qhead) != NULL && m->nactive < (size_t)m->max_active) {
    queue_remove(m, x);
    if (x->deadline_ns < now + NS_PER_MS)
      xfer_fail_unsent(m, x, CT_ETIMEDOUT,
                       "no free connection before the deadline");
    else if (xfer_add(m, x, (x->deadline_ns - now) / NS_PER_MS) != 0)
      xfer_fail_unsent(m, x, CT_ENOMEM, "curl_multi_add_handle failed");
    else
      added = true;
  }
  if (m->qhead == NULL)
    uv_timer_stop(&m->qtimer);
  return added;
}

int ct__http_xfer_start(ct__http_xfer_t *x, uint64_t timeout_ms) {
  ct__http_multi_t *m = x->m;
  uint64_t now = uv_hrtime();
  int running;
  if (timeout_ms == 0)
    timeout_ms = CT_HTTP_DEFAULT_TIMEOUT_MS;
  x->deadline_ns = now + timeout_ms * NS_PER_MS;
  if (m->qhead != NULL || m->nactive >= (size_t)m->max_active) {
    queue_push(m, x);
    if (!uv_is_active((uv_handle_t *)&m->qtimer) || x->deadline_ns < m->qdue)
      qtimer_arm(m, x->deadline_ns, now);
    return 0;
  }
  if (xfer_add(m, x, timeout_ms) != 0) {
    xfer_recycle(m, x);
    return CT_ENOMEM;
  }
  /* Start it now rather than on curl's 0 ms timer (which becomes 1 ms on
   * the loop): we are not inside a curl callback here. */
  curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  ct__http_drain(m);
  return 0;
}

int ct__http_map_error(CURLcode rc) {
  switch (rc) {
  case CURLE_OK:
    return 0;
  case CURLE_OPERATION_TIMEDOUT:
    return CT_ETIMEDOUT;
  case CURLE_COULDNT_CONNECT:
    return CT_ECONNREFUSED;
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
    return CT_ECONNRESET;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_USE_SSL_FAILED:
    return CT_ETLS;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return CT_EDNS;
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
    return CT_EINVAL;
  default:
    return CT_EIO;
  }
}
