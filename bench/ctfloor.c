/*
 * ctfloor: the floor of the benchmark. A minimal copier with nothing else
 * to do: it reads the leader's order-update WebSocket and, for every new
 * leader order, modification or cancellation, sends the same follower-
 * shaped requests an engine would (POST, PUT, DELETE /v2/orders with each
 * follower's token) on keep-alive connections it opened before the
 * session, through one libcurl multi handle driven by epoll and
 * curl_multi_socket_action (so a thousand idle connections cost nothing
 * per event). No sizing, no state store, no
 * checks: what is left is the cost of the wire and of dhansim itself.
 *
 *   ctfloor --base URL --ws-port PORT [--tls] [--cainfo CA.pem]
 *           --leader ID:TOKEN --followers FILE --metrics FILE [--conns N]
 *           [--wire]
 *
 * FILE lists one ID:TOKEN per line. --conns: connections to open before
 * the session, spread evenly over the followers (default one each; more
 * when the API is slow, as answers then hold a connection long). No other
 * connection is ever opened: a request waits for its follower's. It writes the
 * engine's metrics format (leader, sent, ack lines; CLOCK_MONOTONIC ns), prints
 * "ctfloor ready" once its connections are warm, and stops on SIGTERM or
 * SIGINT.
 *
 * --wire (plain only) sends through wire.c instead of libcurl: requests
 * written by hand on --conns pre-opened connections shared by all
 * followers. That is the wire floor, a measuring stick for what the
 * machine and dhansim alone allow (bench/README.md); no copier of ours
 * talks HTTP that way.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "copytrader/grow.h"
#include "sim_client.h"
#include "wire.h"

typedef struct follower {
  char id[32];
  char origin[96]; /* scheme://f<i>.bench:port, resolved to 127.0.0.1 */
  struct curl_slist *hdr, *resolve;
} follower_t;

typedef struct lorder { /* a leader order and its follower orders */
  char id[32], otype[24], validity[8];
  double qty, price, trigger;
  int cancelled;
  char (*fid)[24];
  char *pend; /* per follower: 'M' or 'C' waiting for the place's answer */
} lorder_t;

typedef struct xfer {
  CURL *h;
  struct xfer *next, *all_next; /* free list; every transfer ever made */
  int follower;
  lorder_t *lo; /* set for a place: the follower order id goes there */
  char corr[32], body[1024], resp[1024];
  size_t len;
} xfer_t;

typedef struct floor {
  const char *base;
  follower_t *f;
  int n;
  lorder_t *orders;
  size_t n_orders, cap_orders;
  CURLM *multi;
  xfer_t *free_x, *all_x;
  FILE *metrics;
  const char *cainfo;
  int ep, running;
  unsigned long long deadline_ns; /* curl's timer: 0 none */
  int wire_mode;
  wire_t *wire; /* --wire: the hand-written client instead of curl */
} floor_t;

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static unsigned long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ull +
         (unsigned long long)ts.tv_nsec;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud) {
  xfer_t *x = ud;
  size_t k = sz * n, room = sizeof(x->resp) - 1 - x->len;
  memcpy(x->resp + x->len, p, k < room ? k : room);
  x->len += k < room ? k : room;
  x->resp[x->len] = '\0';
  return k;
}

static xfer_t *xfer_get(floor_t *fl) {
  xfer_t *x = fl->free_x;
  if (x != NULL) {
    fl->free_x = x->next;
    return x;
  }
  x = calloc(1, sizeof(*x));
  x->all_next = fl->all_x;
  fl->all_x = x;
  x->h = curl_easy_init();
  curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
  curl_easy_setopt(x->h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(x->h, CURLOPT_TIMEOUT_MS, 30000L);
  if (fl->cainfo != NULL)
    curl_easy_setopt(x->h, CURLOPT_CAINFO, fl->cainfo);
  /* the certificate names 127.0.0.1, not f<i>.bench; the chain is checked */
  curl_easy_setopt(x->h, CURLOPT_SSL_VERIFYHOST, 0L);
  return x;
}

static void wire_req(floor_t *fl, xfer_t *x, int fi, const char *method,
                     const char *path, const char *body);

static void send_req(floor_t *fl, int fi, lorder_t *lo, const char *method,
                     const char *path, const char *body) {
  char url[512];
  xfer_t *x = xfer_get(fl);
  x->follower = fi;
  x->lo = strcmp(method, "POST") == 0 ? lo : NULL;
  x->len = 0;
  snprintf(x->corr, sizeof(x->corr), "F%.20sx%d", lo->id, fi % 100000);
  snprintf(x->body, sizeof(x->body), "%s", body ? body : "");
  snprintf(url, sizeof(url), "%s%s", fl->f[fi].origin, path);
  curl_easy_setopt(x->h, CURLOPT_URL, url);
  curl_easy_setopt(x->h, CURLOPT_RESOLVE, fl->f[fi].resolve);
  curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, fl->f[fi].hdr);
  if (body != NULL)
    curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, x->body);
  else
    curl_easy_setopt(x->h, CURLOPT_HTTPGET, 1L); /* no body at all */
  curl_easy_setopt(x->h, CURLOPT_CUSTOMREQUEST, method);
  if (fl->metrics != NULL && strcmp(method, "GET") != 0)
    fprintf(fl->metrics,
            "{\"ev\":\"sent\",\"follower\":\"%s\",\"corr\":\"%s\","
            "\"leader_order\":\"%s\",\"t_ns\":%llu}\n",
            fl->f[fi].id, x->corr, lo->id, now_ns());
  if (strcmp(method, "GET") == 0)
    x->corr[0] = '\0'; /* warm-up: no metrics */
  if (fl->wire != NULL)
    wire_req(fl, x, fi, method, path, body);
  else
    curl_multi_add_handle(fl->multi, x->h);
}

static void change_one(floor_t *fl, lorder_t *lo, int i, int cancel);

/* A transfer's answer, whichever client carried it. */
static void answered(floor_t *fl, xfer_t *x, long status) {
  cJSON *j = cJSON_Parse(x->resp);
  const char *oid = ct_jstr(j, "orderId");
  lorder_t *placed = x->lo;
  int fi = x->follower;
  if (placed != NULL)
    snprintf(placed->fid[fi], 24, "%s", oid);
  if (fl->metrics != NULL && x->corr[0] != '\0')
    fprintf(fl->metrics,
            "{\"ev\":\"ack\",\"follower\":\"%s\",\"corr\":\"%s\","
            "\"order_id\":\"%s\",\"status\":\"%ld\",\"t_ns\":%llu}\n",
            fl->f[x->follower].id, x->corr, oid, status, now_ns());
  cJSON_Delete(j);
  x->next = fl->free_x;
  fl->free_x = x;
  if (placed != NULL && placed->pend[fi] && placed->fid[fi][0] != '\0') {
    int cancel = placed->pend[fi] == 'C'; /* a change that waited */
    placed->pend[fi] = 0;
    change_one(fl, placed, fi, cancel);
  }
}

static void done(floor_t *fl, CURL *h) {
  xfer_t *x;
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&x);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_multi_remove_handle(fl->multi, h);
  answered(fl, x, status);
}

static void wire_done(void *ud, void *ctx, long status, const char *body,
                      size_t len) {
  xfer_t *x = ctx;
  x->len = len < sizeof(x->resp) - 1 ? len : sizeof(x->resp) - 1;
  memcpy(x->resp, body, x->len);
  x->resp[x->len] = '\0';
  answered(ud, x, status);
}

/* The request as the wire client writes it (the follower's headers are
 * those curl would send, less what curl adds of its own). */
static void wire_req(floor_t *fl, xfer_t *x, int fi, const char *method,
                     const char *path, const char *body) {
  char req[2048];
  int n = snprintf(req, sizeof(req),
                   "%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: %zu\r\n\r\n%s",
                   method, path, fl->f[fi].origin + 7, fl->f[fi].hdr->data,
                   body ? strlen(body) : 0, body ? body : "");
  if (n <= 0 || (size_t)n >= sizeof(req) ||
      wire_send(fl->wire, x, req, (size_t)n) != 0) {
    fprintf(stderr, "ctfloor: wire send failed\n");
    stop = 1;
  }
}

/* curl's socket callback: mirror its interest in our epoll set. */
static int on_socket(CURL *h, curl_socket_t fd, int what, void *ud, void *sp) {
  floor_t *fl = ud;
  struct epoll_event ev = { 0 };
  (void)h;
  ev.data.fd = fd;
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) |
              (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(fl->ep, EPOLL_CTL_DEL, fd, NULL);
    curl_multi_assign(fl->multi, fd, NULL);
  } else if (sp == NULL) {
    epoll_ctl(fl->ep, EPOLL_CTL_ADD, fd, &ev);
    curl_multi_assign(fl->multi, fd, fl); /* any non-NULL: "registered" */
  } else {
    epoll_ctl(fl->ep, EPOLL_CTL_MOD, fd, &ev);
  }
  return 0;
}

/* curl's timer, kept as a one-shot deadline (as a uv timer would be):
 * curl calls this only when its next expiry changes, so the deadline must
 * stay armed until it has fired. */
static int on_timer(CURLM *m, long ms, void *ud) {
  floor_t *fl = ud;
  (void)m;
  fl->deadline_ns = ms < 0 ? 0 : now_ns() + (unsigned long long)ms * 1000000u;
  if (ms == 0)
    fl->deadline_ns = 1; /* already due */
  return 0;
}

static void finished(floor_t *fl) {
  CURLMsg *m;
  int left;
  while ((m = curl_multi_info_read(fl->multi, &left)) != NULL)
    if (m->msg == CURLMSG_DONE)
      done(fl, m->easy_handle);
}

/* Fires curl's timer while it is due (starts what was just added). */
static void kick(floor_t *fl) {
  while (fl->deadline_ns != 0 && now_ns() >= fl->deadline_ns) {
    fl->deadline_ns = 0;
    curl_multi_socket_action(fl->multi, CURL_SOCKET_TIMEOUT, 0, &fl->running);
    finished(fl);
  }
}

/* One wait for sockets (at most max_ms); returns 1 when the order-update
 * socket is readable, 0 otherwise, -1 when nothing at all happened. */
static int pump(floor_t *fl, int ws_fd, int max_ms) {
  struct epoll_event evs[256];
  int ws_ready = 0, wait = max_ms;
  kick(fl);
  if (fl->deadline_ns != 0) {
    unsigned long long now = now_ns();
    long left = fl->deadline_ns > now
                    ? (long)((fl->deadline_ns - now + 999999) / 1000000)
                    : 0;
    wait = left < wait ? (int)left : wait;
  }
  int n = epoll_wait(fl->ep, evs, 256, wait);
  for (int i = 0; i < n; i++) {
    int fd = evs[i].data.fd, flags = 0;
    if (fl->wire != NULL && wire_owns(evs[i].data.u64)) {
      if (wire_on_readable(fl->wire, evs[i].data.u64) != 0) {
        fprintf(stderr, "ctfloor: a wire connection failed\n");
        stop = 1;
      }
      continue;
    }
    if (fd == ws_fd) {
      ws_ready = 1;
      continue;
    }
    flags |= evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0;
    flags |= evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0;
    flags |= evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0;
    curl_multi_socket_action(fl->multi, fd, flags, &fl->running);
  }
  finished(fl);
  kick(fl);
  return n <= 0 ? -1 : ws_ready;
}

static lorder_t *find_order(floor_t *fl, const char *id) {
  for (size_t i = fl->n_orders; i-- > 0;)
    if (strcmp(fl->orders[i].id, id) == 0)
      return &fl->orders[i];
  return NULL;
}

static const char *seg_name(const char *exch, const char *letter) {
  static char s[24];
  const char *kind = strcmp(letter, "D") == 0   ? "FNO"
                     : strcmp(letter, "C") == 0 ? "CURRENCY"
                     : strcmp(letter, "M") == 0 ? "COMM"
                                                : "EQ";
  snprintf(s, sizeof(s), "%s_%s", exch, kind);
  return s;
}

static const char *otype_name(const char *code) {
  return strcmp(code, "LMT") == 0   ? "LIMIT"
         : strcmp(code, "MKT") == 0 ? "MARKET"
         : strcmp(code, "SL") == 0  ? "STOP_LOSS"
                                    : "STOP_LOSS_MARKET";
}

static lorder_t *new_order(floor_t *fl, const cJSON *d) {
  lorder_t *a =
      ct_grow(fl->orders, &fl->cap_orders, fl->n_orders, sizeof(*a), 256);
  if (a == NULL)
    return NULL;
  fl->orders = a;
  lorder_t *lo = &fl->orders[fl->n_orders++];
  memset(lo, 0, sizeof(*lo));
  snprintf(lo->id, sizeof(lo->id), "%s", ct_jstr(d, "OrderNo"));
  lo->fid = calloc((size_t)fl->n, sizeof(*lo->fid));
  lo->pend = calloc((size_t)fl->n, 1);
  return lo;
}

static void remember(lorder_t *lo, const cJSON *d) {
  snprintf(lo->otype, sizeof(lo->otype), "%s",
           otype_name(ct_jstr(d, "OrderType")));
  snprintf(lo->validity, sizeof(lo->validity), "%s", ct_jstr(d, "Validity"));
  lo->qty = ct_jnum(d, "Quantity");
  lo->price = ct_jnum(d, "Price");
  lo->trigger = ct_jnum(d, "TriggerPrice");
}

static void place_all(floor_t *fl, lorder_t *lo, const cJSON *d) {
  char body[1024];
  for (int i = 0; i < fl->n; i++) {
    snprintf(body, sizeof(body),
             "{\"dhanClientId\":\"%s\",\"correlationId\":\"F%.20sx%d\","
             "\"transactionType\":\"%s\",\"exchangeSegment\":\"%s\","
             "\"productType\":\"%s\",\"orderType\":\"%s\",\"validity\":"
             "\"%s\",\"securityId\":\"%s\",\"quantity\":%.0f,\"price\":%.2f,"
             "\"triggerPrice\":%.2f,\"afterMarketOrder\":false}",
             fl->f[i].id, lo->id, i % 100000,
             strcmp(ct_jstr(d, "TxnType"), "B") == 0 ? "BUY" : "SELL",
             seg_name(ct_jstr(d, "Exchange"), ct_jstr(d, "Segment")),
             ct_jstr(d, "ProductName"), lo->otype, lo->validity,
             ct_jstr(d, "SecurityId"), lo->qty, lo->price, lo->trigger);
    send_req(fl, i, lo, "POST", "/v2/orders", body);
  }
}

static void change_one(floor_t *fl, lorder_t *lo, int i, int cancel) {
  char body[512], path[96];
  if (lo->fid[i][0] == '\0') { /* the place is not answered yet */
    if (lo->pend[i] != 'C')
      lo->pend[i] = cancel ? 'C' : 'M';
    return;
  }
  snprintf(path, sizeof(path), "/v2/orders/%s", lo->fid[i]);
  snprintf(body, sizeof(body),
           "{\"dhanClientId\":\"%s\",\"orderId\":\"%s\",\"orderType\":"
           "\"%s\",\"validity\":\"%s\",\"quantity\":%.0f,\"price\":%.2f,"
           "\"triggerPrice\":%.2f}",
           fl->f[i].id, lo->fid[i], lo->otype, lo->validity, lo->qty, lo->price,
           lo->trigger);
  send_req(fl, i, lo, cancel ? "DELETE" : "PUT", path, cancel ? NULL : body);
}

static void change_all(floor_t *fl, lorder_t *lo, int cancel) {
  for (int i = 0; i < fl->n; i++)
    change_one(fl, lo, i, cancel);
}

static int changed(const lorder_t *lo, const cJSON *d) {
  return lo->qty != ct_jnum(d, "Quantity") ||
         lo->price != ct_jnum(d, "Price") ||
         lo->trigger != ct_jnum(d, "TriggerPrice") ||
         strcmp(lo->otype, otype_name(ct_jstr(d, "OrderType"))) != 0;
}

/* One order_alert frame of the leader. */
static void on_frame(floor_t *fl, const char *text) {
  cJSON *j = cJSON_Parse(text);
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "Data");
  const char *status = ct_jstr(d, "Status");
  lorder_t *lo = d ? find_order(fl, ct_jstr(d, "OrderNo")) : NULL;
  if (d == NULL || strcmp(status, "REJECTED") == 0) {
    /* nothing to mirror */
  } else if (lo == NULL) {
    lo = new_order(fl, d);
    if (lo != NULL) {
      fprintf(fl->metrics,
              "{\"ev\":\"leader\",\"leader_order\":\"%s\",\"t_ns\":%llu}\n",
              lo->id, now_ns());
      remember(lo, d);
      place_all(fl, lo, d);
    }
  } else if (strcmp(status, "CANCELLED") == 0 && !lo->cancelled) {
    lo->cancelled = 1;
    change_all(fl, lo, 1);
  } else if (!lo->cancelled && changed(lo, d)) {
    remember(lo, d);
    change_all(fl, lo, 0);
  }
  cJSON_Delete(j);
}

/* Each follower talks to its own host name (f<i>.bench, resolved to
 * 127.0.0.1 by CURLOPT_RESOLVE): libcurl keeps connections in one bundle
 * per host and scans the bundle for an idle one, so with one host a
 * thousand connections cost a thousand checks per request. */
static void follower_origin(follower_t *fo, int i, const char *base, int port) {
  char r[96];
  const char *scheme = strncmp(base, "https", 5) == 0 ? "https" : "http";
  snprintf(fo->origin, sizeof(fo->origin), "%s://f%d.bench:%d", scheme, i,
           port);
  snprintf(r, sizeof(r), "f%d.bench:%d:127.0.0.1", i, port);
  fo->resolve = curl_slist_append(NULL, r);
}

static int load_followers(floor_t *fl, const char *path, const char *base,
                          int port) {
  FILE *f = fopen(path, "r");
  char line[512], hdr[600];
  if (f == NULL)
    return -1;
  while (fgets(line, sizeof(line), f) != NULL) {
    char *colon = strchr(line, ':');
    if (colon == NULL)
      continue;
    *colon = '\0';
    colon[strcspn(colon + 1, "\r\n") + 1] = '\0';
    fl->f = realloc(fl->f, (size_t)(fl->n + 1) * sizeof(*fl->f));
    follower_t *fo = &fl->f[fl->n++];
    snprintf(fo->id, sizeof(fo->id), "%.31s", line);
    snprintf(hdr, sizeof(hdr), "access-token: %s", colon + 1);
    fo->hdr = curl_slist_append(NULL, hdr);
    fo->hdr = curl_slist_append(fo->hdr, "Content-Type: application/json");
    fo->hdr = curl_slist_append(fo->hdr, "Expect:");
    follower_origin(fo, fl->n - 1, base, port);
  }
  fclose(f);
  return fl->n > 0 ? 0 : -1;
}

/* Opens `conns` keep-alive connections (GET /v2/fundlimit at once). */
static int warm(floor_t *fl, int conns, int port) {
  lorder_t none = { .id = "warmup" };
  if (fl->wire_mode &&
      (fl->wire = wire_open(fl->ep, port, conns, wire_done, fl)) == NULL)
    return -1;
  for (int i = 0; i < conns; i++)
    send_req(fl, i % fl->n, &none, "GET", "/v2/fundlimit", NULL);
  do
    pump(fl, -1, 100);
  while (fl->running > 0 || fl->deadline_ns != 0);
  return 0;
}

static void run(floor_t *fl, ct_ws_t *ws) {
  struct epoll_event ev = { .events = EPOLLIN, .data.fd = ws->fd };
  epoll_ctl(fl->ep, EPOLL_CTL_ADD, ws->fd, &ev);
  while (!stop) {
    int ready = ws->len > 0 || (ws->ssl && SSL_pending(ws->ssl) > 0), idle = 0;
    if (!ready) {
      int r = pump(fl, ws->fd, 50);
      idle = r < 0;
      ready = r > 0;
    }
    for (int t = 1; ready; t = 0) {
      char *text = NULL;
      size_t len;
      int op = ct_ws_recv(ws, &text, &len, t);
      if (op == 1)
        on_frame(fl, text);
      free(text);
      if (op != 1) {
        if (op == 0 || op == 8)
          stop = 1;
        break;
      }
      kick(fl); /* send this event's requests before reading the next */
    }
    if (fl->running == 0 || idle)
      fflush(fl->metrics);
  }
}

static void floor_free(floor_t *fl) {
  wire_free(fl->wire);
  for (xfer_t *x = fl->all_x, *next; x != NULL; x = next) {
    next = x->all_next;
    curl_multi_remove_handle(fl->multi, x->h); /* fine when not added */
    curl_easy_cleanup(x->h);
    free(x);
  }
  curl_multi_cleanup(fl->multi);
  for (size_t i = 0; i < fl->n_orders; i++) {
    free(fl->orders[i].fid);
    free(fl->orders[i].pend);
  }
  free(fl->orders);
  for (int i = 0; i < fl->n; i++) {
    curl_slist_free_all(fl->f[i].hdr);
    curl_slist_free_all(fl->f[i].resolve);
  }
  free(fl->f);
  if (fl->ep >= 0)
    close(fl->ep);
  curl_global_cleanup();
}

int main(int argc, char **argv) {
  floor_t fl = { 0 };
  const char *leader = NULL, *file = NULL, *metrics = NULL;
  int port = 0, tls = 0, rc = 1, conns = 0;
  ct_ws_t ws;
  memset(&ws, 0, sizeof(ws));
  ws.fd = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
    if (strcmp(a, "--tls") == 0)
      tls = 1;
    else if (strcmp(a, "--base") == 0)
      fl.base = v, i++;
    else if (strcmp(a, "--ws-port") == 0)
      port = atoi(v), i++;
    else if (strcmp(a, "--wire") == 0)
      fl.wire_mode = 1;
    else if (strcmp(a, "--conns") == 0)
      conns = atoi(v), i++;
    else if (strcmp(a, "--cainfo") == 0)
      fl.cainfo = v, i++;
    else if (strcmp(a, "--leader") == 0)
      leader = v, i++;
    else if (strcmp(a, "--followers") == 0)
      file = v, i++;
    else if (strcmp(a, "--metrics") == 0)
      metrics = v, i++;
  }
  char *colon = leader ? strchr(leader, ':') : NULL;
  if (fl.base == NULL || port <= 0 || colon == NULL || metrics == NULL ||
      (fl.wire_mode && tls) ||
      load_followers(&fl, file ? file : "", fl.base, port)) {
    fprintf(stderr,
            "usage: ctfloor --base URL --ws-port PORT [--tls] [--cainfo CA] "
            "--leader ID:TOKEN --followers FILE --metrics FILE [--conns N] "
            "[--wire (plain only)]\n");
    return 2;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  fl.multi = curl_multi_init();
  fl.ep = epoll_create1(0);
  curl_multi_setopt(fl.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(fl.multi, CURLMOPT_SOCKETDATA, &fl);
  curl_multi_setopt(fl.multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(fl.multi, CURLMOPT_TIMERDATA, &fl);
  /* conns/N pre-opened connections per follower, and never more: a
   * request that finds them busy waits for one (CURLMOPT_MAX_HOST_
   * CONNECTIONS; each follower is its own host) instead of opening a new
   * connection in the middle of a burst. The cache keeps them all. */
  int per = conns > fl.n ? conns / fl.n : 1;
  conns = per * fl.n;
  curl_multi_setopt(fl.multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)per);
  curl_multi_setopt(fl.multi, CURLMOPT_MAXCONNECTS, (long)conns + 64);
  fl.metrics = fopen(metrics, "a"); /* the driver truncates it */
  ct_http_set_cainfo(fl.cainfo);
  *colon = '\0';
  if (fl.metrics != NULL && ct_ws_connect(&ws, port, tls) == 0 &&
      ct_ws_login(&ws, leader, colon + 1) == 0) {
    if (warm(&fl, conns, port) != 0) {
      fprintf(stderr, "ctfloor: cannot open the wire connections\n");
      goto out;
    }
    printf("ctfloor ready followers=%d\n", fl.n);
    fflush(stdout);
    run(&fl, &ws);
    rc = 0;
  } else {
    fprintf(stderr, "ctfloor: cannot connect the leader's order updates\n");
  }
out:
  ct_ws_close(&ws);
  if (fl.metrics != NULL)
    fclose(fl.metrics);
  floor_free(&fl);
  return rc;
}
