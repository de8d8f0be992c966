/*
 * The HTTP transport actor: one libcurl multi handle driven by its worker's
 * libuv loop (curl_multi_socket_action with a uv_poll_t per socket and one
 * uv_timer_t), after curl's own multi-uv example.
 *
 * Other actors ask it for requests with ct_http_request(); each request
 * gets exactly one answer, an envelope whose request_id is the id
 * ct_http_request() gave: normally of type CT_MSG_HTTP_RESPONSE, or, if
 * the HTTP actor could not answer in time (it stopped, or the requester's
 * mailbox was full when the answer was ready), the runtime's
 * CT_MSG_TIMEOUT. ct_http_response_read() decodes both. Many requests are
 * in flight at once; nothing on the loop thread blocks. Connections are
 * kept alive (HTTP/1.1) and reused per host through the multi handle's
 * connection cache; easy handles are pooled and reused. TLS peers and host
 * names are verified unless the options say otherwise.
 *
 * Connection pool: at most CT_HTTP_DEFAULT_CONNECTIONS (or the limit the
 * options set) requests are in curl's hands at once, one per connection,
 * and as many idle connections are kept; the rest wait in the actor's FIFO
 * queue for a free connection. Keep-alive connections are not tied to an
 * account (the token is a header), so all of Dhan's accounts share one
 * bounded pool to its one host instead of opening a connection per
 * request in flight.
 *
 * Note on retries: libcurl itself re-sends a request once, on a fresh
 * connection, when a reused keep-alive connection turns out to be dead
 * before any response byte arrived. That is what makes keep-alive safe
 * against idle closes by the server, but it means a server that read the
 * request and then dropped the connection without answering may see it
 * twice. Callers that need exactly-once semantics must use idempotency
 * keys (correlation ids) on the server side, as for any other retry.
 */
#ifndef COPYTRADER_HTTP_H
#define COPYTRADER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/actor.h"

enum { CT_MSG_HTTP_REQUEST = 200, CT_MSG_HTTP_RESPONSE = 201 };

/* A request's whole-transfer timeout when ct_http_req_t.timeout_ms is 0. */
#define CT_HTTP_DEFAULT_TIMEOUT_MS 10000u
/* The runtime-level guard on each request (see ct_http_request) is the
 * request's timeout plus this margin. */
#define CT_HTTP_REPLY_MARGIN_MS 5000u

/* Requests in flight (and idle connections kept) when no limit is set. */
#define CT_HTTP_DEFAULT_CONNECTIONS 256

typedef struct ct_http_opts {
  const char *ca_file;       /* extra CA bundle (PEM); NULL: system CAs */
  bool insecure_skip_verify; /* never in production; tests only */
  /* Connection limits. The smaller of those set (> 0), or
   * CT_HTTP_DEFAULT_CONNECTIONS when neither is, is how many requests run
   * at once in all, how many connections may be open in all and how many
   * idle ones are kept; max_host_connections also caps each host. */
  long max_host_connections;
  long max_total_connections;
  uint64_t connect_timeout_ms; /* 0: 5000 */
} ct_http_opts_t;

/* Spawn an HTTP actor on `worker` (-1: round-robin). `opts` may be NULL;
 * otherwise it is borrowed, like the actor definition: it and the strings
 * it points to must stay valid and unchanged until the runtime has been
 * joined (the actor rereads them when it restarts). Returns 0, CT_EINVAL,
 * CT_ENOMEM, CT_ECLOSED (runtime stopping) or what ct_spawn() returns. */
int ct_http_spawn(ct_runtime_t *rt, const ct_http_opts_t *opts, int worker,
                  ct_actor_t **out);

typedef struct ct_http_header {
  const char *name;
  const char *value;
} ct_http_header_t;

typedef struct ct_http_req {
  const char *method; /* "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD" */
  const char *url;    /* absolute URL */
  const ct_http_header_t *headers;
  size_t nheaders;
  const char *body; /* may be NULL */
  size_t body_len;
  /* The whole request, from when the HTTP actor takes it, time waiting
   * for a free connection included (that request then gets only the time
   * left); 0: CT_HTTP_DEFAULT_TIMEOUT_MS. A request still waiting when it
   * runs out fails with CT_ETIMEDOUT and request_sent false. */
  uint64_t timeout_ms;
} ct_http_req_t;

/* Send a request from `self` to the HTTP actor `http`. Everything in `req`
 * is copied into the message, so `req` may go away at once. Call only from
 * `self`'s thread (it is ct_request() underneath).
 *
 * The message is sent with ct_request() and a runtime timeout of the
 * request's timeout plus CT_HTTP_REPLY_MARGIN_MS; *request_id is that
 * request id. `self` then receives exactly one envelope with this
 * request_id: CT_MSG_HTTP_RESPONSE, or CT_MSG_TIMEOUT if no answer came
 * within the guard (an answer arriving later is dropped by the runtime).
 * Time spent queued in the HTTP actor's mailbox counts against the margin,
 * not against the request's own timeout.
 *
 * Returns 0, CT_EINVAL (missing method or url, NULL pointers), CT_ENOMEM,
 * or what ct_request() returns (CT_EFULL, CT_ECLOSED): then nothing was
 * sent and no answer will come. */
int ct_http_request(ct_actor_t *self, ct_actor_t *http,
                    const ct_http_req_t *req, uint64_t *request_id);

typedef struct ct_http_response {
  /* 0, or one of
   *   CT_ETIMEDOUT     the request's timeout (or the runtime guard) expired
   *                    (request_sent false: no free connection in time)
   *   CT_ECONNREFUSED  could not connect (refused, unreachable)
   *   CT_ECONNRESET    connection reset, receive error or empty reply
   *   CT_ETLS          TLS handshake or certificate verification failed
   *   CT_EDNS          the host name could not be resolved
   *   CT_EINVAL        malformed URL or unsupported scheme
   *   CT_ECLOSED       the HTTP actor stopped with the request in flight
   *   CT_EPROTO        the request message could not be decoded
   *   CT_EIO           anything else (curl's text says what)
   * An HTTP error status (4xx, 5xx) is not an error here: see `status`. */
  int error;
  /* True when the whole request (headers and body) was written to the
   * connection, so on error the server may have acted on it: the outcome
   * is unknown. False means the server cannot have received a complete
   * request. It is true for CT_MSG_TIMEOUT answers (nothing is known). It
   * errs on the safe side: a request whose headers were only partly
   * written may count as sent, never the other way round. */
  bool request_sent;
  long status;      /* HTTP status, 0 when none was received */
  const char *body; /* borrowed from the envelope; not NUL-terminated */
  size_t body_len;
  uint64_t elapsed_ns;    /* from hand-over to curl to completion; 0 for
                             CT_MSG_TIMEOUT answers and for requests that
                             never left the queue */
  const char *error_text; /* curl's message when error != 0, else NULL;
                             borrowed, not NUL-terminated */
  size_t error_text_len;
} ct_http_response_t;

/* Decode the answer to a ct_http_request(): a CT_MSG_HTTP_RESPONSE or a
 * CT_MSG_TIMEOUT envelope (the latter gives error CT_ETIMEDOUT,
 * request_sent true, status 0). Pointers borrow from `env` and are valid
 * as long as it is. Returns 0, CT_EINVAL (another type) or CT_EPROTO. */
int ct_http_response_read(const ct_envelope_t *env, ct_http_response_t *out);

#endif /* COPYTRADER_HTTP_H */
