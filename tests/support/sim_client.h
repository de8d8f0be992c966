/*
 * Test helpers: blocking clients for dhansim over real sockets. HTTP(S)
 * through libcurl easy; the order-update WebSocket through a small raw
 * RFC 6455 client (optionally over OpenSSL for WSS). Blocking is fine in a
 * test thread; every call has a timeout.
 */
#ifndef CT_TEST_SIM_CLIENT_H
#define CT_TEST_SIM_CLIENT_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct ct_http_resp {
  long status;
  char *body;  /* NUL-terminated, malloc'd */
  cJSON *json; /* parsed body or NULL */
} ct_http_resp_t;

/* CA file for HTTPS and WSS (NULL: no TLS verification configured). */
void ct_http_set_cainfo(const char *path);
/* Total timeout of ct_http() requests (default 10000 ms). */
void ct_http_set_timeout_ms(long ms);

/* One request to base+path. `token` goes in access-token (NULL: none);
 * `headers` is an optional NULL-terminated list of "Name: value". Returns
 * 0 when a response arrived (any status), -1 on transport error. */
int ct_http(const char *base, const char *method, const char *path,
            const char *token, const char *body, const char *const *headers,
            ct_http_resp_t *out);
void ct_http_resp_free(ct_http_resp_t *r);
/* ct_http() that must get status `want`: fails the test otherwise (with
 * the status and body). Returns the parsed body or NULL when it is not
 * JSON; the caller frees it with cJSON_Delete. */
cJSON *ct_http_want(const char *base, const char *method, const char *path,
                    const char *token, const char *body, long want);
/* POST `body` to dhansim's /v2/orders at `url` as `token`; the answer must
 * be 200 with an orderId. Returns that id, malloc'd (caller frees). */
char *ct_sim_place_order(const char *url, const char *token, const char *body);

typedef struct ct_ws {
  int fd;
  void *ssl_ctx, *ssl;
  unsigned char buf[65536];
  size_t len;
} ct_ws_t;

/* Connects to ws(s)://127.0.0.1:port/ and completes the handshake. */
int ct_ws_connect(ct_ws_t *ws, int port, int tls);
int ct_ws_send_text(ct_ws_t *ws, const char *text);
/* One message within timeout_ms: returns its opcode (1 text, 8 close) and a
 * malloc'd payload (NUL-terminated) in *out; -1 on timeout or error, 0 when
 * the peer closed the TCP connection without a close frame. */
int ct_ws_recv(ct_ws_t *ws, char **out, size_t *len, int timeout_ms);
void ct_ws_close(ct_ws_t *ws);

/* The string at key k of object j, or "" (never NULL). */
const char *ct_jstr(const cJSON *j, const char *k);
/* The number at key k of object j, or -1. */
double ct_jnum(const cJSON *j, const char *k);

/* Sends the LoginReq frame for this account. */
int ct_ws_login(ct_ws_t *ws, const char *client_id, const char *token);

#endif /* CT_TEST_SIM_CLIENT_H */
