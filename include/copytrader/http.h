/*
 * The HTTP transport actor: one libcurl multi handle driven by its worker's
 * libuv loop (curl_multi_socket_action with a uv_poll_t per socket and one
 * uv_timer_t), after curl's own multi-uv example.
 *
 * Other actors ask it for requests with ct_http_request(); each completion,
 * success or failure, comes back to the requester as one envelope of type
 * CT_MSG_HTTP_RESPONSE whose request_id is the id ct_http_request() gave.
 * Read it with ct_http_response_read(). Many requests are in flight at once;
 * nothing on the loop thread blocks. Connections are kept alive and reused
 * per host (curl's connection cache); easy handles are pooled and reused.
 * TLS peers and host names are verified unless the options say otherwise.
 */
#ifndef COPYTRADER_HTTP_H
#define COPYTRADER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/actor.h"

enum { CT_MSG_HTTP_REQUEST = 200, CT_MSG_HTTP_RESPONSE = 201 };

typedef struct ct_http_opts {
  const char *ca_file;         /* extra CA bundle (PEM); NULL: system CAs */
  bool insecure_skip_verify;   /* never in production; tests only */
  long max_host_connections;   /* 0: curl's default (unlimited) */
  long max_total_connections;  /* 0: curl's default */
  uint64_t default_timeout_ms; /* 0: 10000 */
  uint64_t connect_timeout_ms; /* 0: 5000 */
} ct_http_opts_t;

/* Spawn an HTTP actor on `worker` (-1: round-robin). `opts` may be NULL and
 * is copied (the strings too). */
int ct_http_spawn(ct_runtime_t *rt, const ct_http_opts_t *opts, int worker,
                  ct_actor_t **out);

typedef struct ct_http_header {
  const char *name;
  const char *value;
} ct_http_header_t;

typedef struct ct_http_req {
  const char *method; /* "GET", "POST", "PUT", "DELETE" */
  const char *url;    /* absolute URL */
  const ct_http_header_t *headers;
  size_t nheaders;
  const char *body; /* may be NULL */
  size_t body_len;
  uint64_t timeout_ms; /* whole request; 0: the actor's default */
} ct_http_req_t;

/* Send a request from `self` to the HTTP actor `http`; everything in `req`
 * is copied into the message. *request_id identifies the response. Call
 * from `self`'s thread. */
int ct_http_request(ct_actor_t *self, ct_actor_t *http,
                    const ct_http_req_t *req, uint64_t *request_id);

typedef struct ct_http_response {
  int error;         /* 0, or CT_ETIMEDOUT, CT_ECONNREFUSED,
                        CT_ECONNRESET, CT_ETLS, CT_EDNS, CT_EIO */
  bool request_sent; /* the request left us completely: on error the
                        server may have acted on it (outcome unknown) */
  long status;       /* HTTP status, 0 when none was received */
  const char *body;  /* borrowed from the envelope; not NUL-terminated */
  size_t body_len;
  uint64_t elapsed_ns;    /* from hand-over to curl to completion */
  const char *error_text; /* curl's message when error != 0; borrowed */
  size_t error_text_len;
} ct_http_response_t;

/* Decode a CT_MSG_HTTP_RESPONSE envelope. Pointers borrow from `env`. */
int ct_http_response_read(const ct_envelope_t *env, ct_http_response_t *out);

#endif /* COPYTRADER_HTTP_H */
