/*
 * Private: a libcurl multi handle on a libuv loop, with a pool of easy
 * handles (the engine under the HTTP actor of http.c).
 *
 * Everything here runs on the loop's thread. A transfer is a pooled
 * ct__http_xfer_t: the caller takes one with ct__http_xfer_get(), gives it
 * its request (URL, headers, body, method) and hands it over with
 * ct__http_xfer_start(). Only a transfer admitted to curl holds an easy
 * handle (pooled too): a queued one holds its request alone, about 1 KB
 * where an easy handle with its buffers is tens of KB, which is what a
 * burst to a thousand followers queues by the thousand. When it completes,
 * the done callback gets it with the result fields filled; the engine
 * takes it back afterwards, so the callback must copy what it keeps and
 * must not call into curl.
 *
 * The engine hands curl at most as many transfers as it may open
 * connections (see ct_http_opts_t) and queues the rest itself, so curl
 * never parks a transfer in its own pending state (where, in libcurl 7.88,
 * no timeout runs) and a request is "sent" only once it had a connection.
 */
#ifndef CT_TRANSPORT_HTTP_MULTI_H
#define CT_TRANSPORT_HTTP_MULTI_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "copytrader/http.h"

typedef struct ct__http_multi ct__http_multi_t;

/* How a request goes out (see ct__http_xfer_method). */
typedef enum {
  CT__HTTP_NOBODY, /* GET-like: no body */
  CT__HTTP_HEAD,   /* no body, no response body */
  CT__HTTP_BODY    /* POST-like: the body set with ct__http_xfer_set_body */
} ct__http_method_t;
typedef struct ct__http_xfer ct__http_xfer_t;

struct ct__http_xfer {
  CURL *easy; /* while admitted to curl, else NULL */
  ct__http_multi_t *m;
  ct__http_xfer_t *prev, *next; /* the active list, the queue or the pool */
  struct curl_slist *headers;   /* freed when the transfer is recycled */
  char *req_body;               /* owned copy (curl points at it) */
  size_t req_body_len, req_body_cap;
  char *url; /* NUL-terminated, owned */
  size_t url_cap;
  ct__http_method_t how;
  char custom[16]; /* the request line's method if not curl's own, or "" */
  char *resp;      /* response body */
  size_t resp_len, resp_cap;
  char *scratch; /* NUL-terminated copies for curl (header lines) */
  size_t scratch_cap;
  char errbuf[CURL_ERROR_SIZE];
  uint64_t from, request_id; /* who asked: the answer's address */
  uint64_t deadline_ns;      /* hand-over to the engine + the timeout */
  uint64_t started_ns;       /* hand-over to curl */
  /* Filled at completion, before the done callback. */
  int error;
  bool request_sent;
  long status;
  uint64_t elapsed_ns;
  const char *error_text; /* errbuf, curl's generic text, or a static one */
};

/* Called once per transfer: on completion, or with error CT_ECLOSED from
 * ct__http_multi_close() for those still in flight. */
typedef void (*ct__http_done_cb)(ct__http_xfer_t *x, void *ctx);

/* Create the engine on `loop`. `opts` is borrowed for its lifetime. */
int ct__http_multi_new(uv_loop_t *loop, const ct_http_opts_t *opts,
                       ct__http_done_cb done, void *ctx,
                       ct__http_multi_t **out);
/* Cancel every transfer (done callback with CT_ECLOSED), free the easy
 * handles and the multi handle, and start closing the uv handles. The
 * memory goes in the last close callback; `m` must not be used after. */
void ct__http_multi_close(ct__http_multi_t *m);

/* A transfer from the pool (or a new one), empty; NULL on ENOMEM. The
 * caller sets the URL and the method (after the body for CT__HTTP_BODY)
 * and appends its headers to x->headers. */
ct__http_xfer_t *ct__http_xfer_get(ct__http_multi_t *m);
/* Make `x` hold a copy of `len` bytes (NUL-terminated) in x->scratch and
 * return it, or NULL on ENOMEM. */
char *ct__http_xfer_cstr(ct__http_xfer_t *x, const char *s, size_t len);
/* Copy the URL into `x`: 0 or CT_ENOMEM. */
int ct__http_xfer_set_url(ct__http_xfer_t *x, const char *url, size_t len);
/* Copy the request body into `x`. */
int ct__http_xfer_set_body(ct__http_xfer_t *x, const void *p, size_t len);
/* Set the method: `how`, and `custom` (e.g. "DELETE", `len` bytes) as the
 * request line's method, or NULL for curl's own (GET, HEAD, POST).
 * CT_EINVAL for a custom method of 16 bytes or more. */
int ct__http_xfer_method(ct__http_xfer_t *x, ct__http_method_t how,
                         const char *custom, size_t len);
/* Start `x`: `timeout_ms` counts from now. When fewer transfers than the
 * engine's limit are in curl's hands, give it an easy handle and add it
 * to the multi handle at once; otherwise queue it (FIFO) until one
 * completes, and give curl only the time left. A queued transfer whose
 * deadline passes before it could start completes with CT_ETIMEDOUT and
 * request_sent false (nothing was written). On failure (returned only
 * when `x` was not queued) `x` is back in the pool and the caller answers
 * the request itself. */
int ct__http_xfer_start(ct__http_xfer_t *x, uint64_t timeout_ms);
/* Give back an unstarted transfer. */
void ct__http_xfer_put(ct__http_xfer_t *x);

/* A CURLcode as a CT_E* code (see ct_http_response_t.error). */
int ct__http_map_error(CURLcode rc);

#endif /* CT_TRANSPORT_HTTP_MULTI_H */
