/*
 * A small real HTTP/1.1 server on 127.0.0.1 for tests and benchmarks.
 *
 * It runs in its own threads (one accepting, one per connection, blocking
 * sockets), so it is independent of the runtime under test. It keeps
 * connections alive, counts accepted connections and requests, records
 * what it received, and can misbehave on demand (see the modes). With a
 * certificate and key it speaks TLS (OpenSSL).
 *
 * Answers in the normal and slow modes: status 200, or NNN for a target
 * "/status/NNN"; the body is the request body when there was one, else
 * the request target. "Connection: close" from the client is honoured.
 */
#ifndef CT_TEST_HTTP_SERVER_H
#define CT_TEST_HTTP_SERVER_H

#include <stddef.h>

typedef enum {
  CT_TEST_HTTPD_NORMAL, /* answer at once, keep the connection */
  CT_TEST_HTTPD_SLOW,   /* wait delay_ms before answering (the connection
                           closes early if the client goes away first) */
  CT_TEST_HTTPD_RESET,  /* read the request, then close with an RST
                           (SO_LINGER 0) without answering */
  CT_TEST_HTTPD_SILENT, /* read the request, never answer */
  CT_TEST_HTTPD_STALL   /* for connections accepted from now on: never
                           read anything, never answer */
} ct_test_httpd_mode_t;

typedef struct ct_test_httpd_opts {
  const char *cert_file; /* both set: TLS; both NULL: plain HTTP */
  const char *key_file;
} ct_test_httpd_opts_t;

#define CT_TEST_HTTPD_MAX_HEADERS 32
#define CT_TEST_HTTPD_MAX_RECORDS 1024 /* the first ones are kept */

/* One received request. Every string is malloc'd and NUL-terminated. */
typedef struct ct_test_httpd_req {
  char *method;
  char *target;
  size_t nheaders;
  char *names[CT_TEST_HTTPD_MAX_HEADERS];
  char *values[CT_TEST_HTTPD_MAX_HEADERS];
  char *body;
  size_t body_len;
} ct_test_httpd_req_t;

typedef struct ct_test_httpd ct_test_httpd_t;

/* Listen on 127.0.0.1, an ephemeral port, and start serving. `opts` may be
 * NULL. Ignores SIGPIPE for the process. Returns 0, CT_ENOMEM, CT_EIO or
 * CT_ETLS (certificate or key unusable). */
int ct_test_httpd_start(const ct_test_httpd_opts_t *opts,
                        ct_test_httpd_t **out);
int ct_test_httpd_port(const ct_test_httpd_t *s);
/* Applies to requests read from now on (STALL: to new connections). */
void ct_test_httpd_set_mode(ct_test_httpd_t *s, ct_test_httpd_mode_t mode,
                            unsigned delay_ms);
/* TCP connections accepted so far. */
/* Close every open connection (as a server dropping idle keep-alive
 * connections does); new ones are still accepted. */
void ct_test_httpd_drop_all(ct_test_httpd_t *s);
unsigned ct_test_httpd_accepted(ct_test_httpd_t *s);
/* Complete requests read so far (in every mode). */
unsigned ct_test_httpd_requests(ct_test_httpd_t *s);
/* A copy of the i-th recorded request (0-based, in arrival order), to be
 * released with ct_test_httpd_req_free(). 0 or CT_ENOTFOUND. */
int ct_test_httpd_request(ct_test_httpd_t *s, unsigned i,
                          ct_test_httpd_req_t *out);
void ct_test_httpd_req_free(ct_test_httpd_req_t *r);
/* A header's value (first match, case-insensitive name), or NULL.
 * Borrowed from `r`. */
const char *ct_test_httpd_header(const ct_test_httpd_req_t *r,
                                 const char *name);
/* Stop listening, drop every connection, join the threads, free. */
void ct_test_httpd_stop(ct_test_httpd_t *s);

#endif /* CT_TEST_HTTP_SERVER_H */
