/*
 * The postback receiver: an actor running a small HTTP server (a
 * libwebsockets server context on its own worker's libuv loop, the loop
 * given as a foreign loop) that accepts Dhan's order postbacks (§16 of the
 * API notes) and delivers each as the same typed CT_MSG_ORDER_EVENT the
 * order-update feed sends (order_feed.h; read it with
 * ct_order_feed_event_read(), source CT_OEV_SRC_POSTBACK).
 *
 * Dhan does not sign postbacks, so the only protection is an unguessable
 * path: the server answers only POST /postback/<secret> (the secret from
 * the options, compared in constant time and never logged). Answers:
 *   200 {"status":"ok"}     parsed and handed to the subscriber's mailbox
 *                           (before the subscriber has looked at it)
 *   400 {"error":"..."}     not a postback body (the parser's reason)
 *   404                     any other path
 *   405                     the right path with another method than POST
 *   413                     body over max_body (Content-Length checked
 *                           first; the connection is then closed)
 *   503                     the subscriber's mailbox is full or closed: the
 *                           event was not taken, Dhan may send it again
 * Both payload shapes are accepted (2024: legName, bo* values; 2026:
 * filled_qty, algoId), see ct_dhan_parse_postback().
 */
#ifndef COPYTRADER_POSTBACK_H
#define COPYTRADER_POSTBACK_H

#include <stddef.h>

#include "copytrader/actor.h"
#include "copytrader/log.h"
#include "copytrader/order_feed.h"

typedef struct ct_postback_opts {
  const char *host;          /* listen address; NULL: "127.0.0.1" */
  int port;                  /* 0: an ephemeral port (see ct_postback_port) */
  const ct_secret_t *secret; /* path secret: required, 8..128 characters
                                of [A-Za-z0-9_-]; copied */
  ct_actor_t *subscriber;    /* receives CT_MSG_ORDER_EVENT; required */
  size_t max_body;           /* 0: 16384 bytes */
  const char *tls_cert;      /* PEM files to serve HTTPS; NULL: plain */
  const char *tls_key;
} ct_postback_opts_t;

typedef struct ct_postback ct_postback_t;

/* Spawn the receiver on `worker` (-1: round-robin). The options are copied.
 * The handle stays valid until ct_postback_free(), which the caller calls
 * only after the runtime has been joined. Returns 0, CT_EINVAL (missing or
 * malformed secret, no subscriber), CT_ENOMEM or what ct_spawn() returns.
 * A port that cannot be bound fails the actor's start (the supervisor then
 * sees it), not this call. */
int ct_postback_spawn(ct_runtime_t *rt, const ct_postback_opts_t *opts,
                      int worker, ct_postback_t **out);
ct_actor_t *ct_postback_actor(const ct_postback_t *pb);
/* The bound TCP port: 0 until the actor is listening (its start runs on
 * its worker shortly after spawn). Safe from any thread. */
int ct_postback_port(const ct_postback_t *pb);
/* Postbacks accepted (200) and rejected (4xx/5xx) so far; any thread. */
unsigned long ct_postback_accepted(const ct_postback_t *pb);
unsigned long ct_postback_rejected(const ct_postback_t *pb);
/* Release the handle. Only after ct_runtime_join(); NULL is fine. */
void ct_postback_free(ct_postback_t *pb);

#endif /* COPYTRADER_POSTBACK_H */
