/*
 * The live order update client: an actor that keeps one WebSocket to
 * Dhan's order-update service (wss://api-order-update.dhan.co, §15 of the
 * API notes) open and turns every `order_alert` frame into a typed message
 * for one subscriber actor.
 *
 * The actor runs a libwebsockets client context on its own worker's libuv
 * loop (LWS_SERVER_OPTION_LIBUV with that loop as a foreign loop); the
 * context is created in the actor's init, touched only from that thread,
 * and destroyed in its stop while the loop still runs. Each feed actor has
 * its own context, so several feeds (one per leader account) may live on
 * the same or on different workers.
 *
 * Protocol: after the socket opens the actor sends the LoginReq frame
 * {"LoginReq":{"MsgCode":42,"ClientId":..,"Token":..},"UserType":"SELF"}.
 * Dhan sends no acknowledgement, so the feed counts as up when the first
 * frame arrives or when `up_grace_ms` passes without the server closing
 * the socket. Text messages are reassembled from fragments (at most
 * `max_frame` bytes; longer ones are skipped), parsed with
 * ct_dhan_parse_order_update() and delivered as CT_MSG_ORDER_EVENT. Frames
 * of another Type are ignored; malformed frames are logged and skipped.
 *
 * Messages to the subscriber (all carry the feed's actor id as `origin`):
 *   CT_MSG_ORDER_EVENT  one order event: ct_order_feed_event_read()
 *   CT_MSG_FEED_UP      logged in (after every connect and reconnect): the
 *                       subscriber should reconcile through the order book,
 *                       since events may have been missed while down
 *   CT_MSG_FEED_DOWN    the socket was lost or could not be opened; err is
 *                       CT_EAUTH when the server rejected the login (closed
 *                       with 1008 policy violation), CT_ETIMEDOUT when the
 *                       watchdog found it stale, CT_ECONNREFUSED for a
 *                       failed connect, CT_ECONNRESET for other closes,
 *                       CT_ESTATE after a token swap. Sent once per loss of
 *                       an up feed, once per run of failed connects, and
 *                       for every rejected login.
 * Read UP and DOWN with ct_order_feed_status_read(). The feed reconnects by
 * itself with capped, jittered exponential backoff (retry.h,
 * decorrelated jitter); after a rejected login it waits at least
 * `auth_backoff_ms`. The backoff starts over once a connection is up.
 *
 * Liveness: a WebSocket ping every `ping_ms`; when nothing (frame or pong)
 * has been received for `stale_ms`, the socket is dropped and reopened.
 *
 * Secrets: the token is a ct_secret_t; it appears only in the login frame
 * and is never logged. A new token (ct_order_feed_set_token) replaces the
 * old one and reconnects at once.
 */
#ifndef COPYTRADER_ORDER_FEED_H
#define COPYTRADER_ORDER_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "copytrader/actor.h"
#include "copytrader/dhan_types.h"
#include "copytrader/log.h"

/* Message types (below CT_MSG_USER: reserved for library modules). */
enum {
  CT_MSG_ORDER_EVENT = 210, /* [origin, event]: ct_order_feed_event_read */
  CT_MSG_FEED_UP = 211,     /* ct_order_feed_status_read */
  CT_MSG_FEED_DOWN = 212,   /* ct_order_feed_status_read */
  CT_MSG_FEED_TOKEN = 213,  /* internal: ct_order_feed_set_token */
  CT_MSG_FEED_TICK = 214,   /* internal: ping and watchdog timer */
  CT_MSG_FEED_RETRY = 215,  /* internal: reconnect timer */
  CT_MSG_FEED_GRACE = 216   /* internal: login grace timer */
};

#define CT_ORDER_FEED_URL "wss://api-order-update.dhan.co"

typedef struct ct_order_feed_opts {
  const char *url;             /* ws:// or wss://; NULL: CT_ORDER_FEED_URL */
  const char *client_id;       /* dhanClientId; required */
  const ct_secret_t *token;    /* access token; required, copied */
  const char *ca_file;         /* PEM CA bundle for wss; NULL: system CAs */
  ct_actor_t *subscriber;      /* receives the messages above; required */
  uint32_t ping_ms;            /* 0: 10000 */
  uint32_t stale_ms;           /* 0: 40000 */
  uint32_t up_grace_ms;        /* 0: 1000 */
  uint32_t connect_timeout_ms; /* 0: 10000 (whole connect + handshake) */
  uint32_t backoff_base_ms;    /* 0: 500 */
  uint32_t backoff_cap_ms;     /* 0: 30000 */
  uint32_t auth_backoff_ms;    /* least wait after a rejected login; 0: 5000 */
  size_t max_frame;            /* longest message; 0: 65536 */
  uint64_t seed;               /* jitter seed; 0: from the clock */
} ct_order_feed_opts_t;

/* A feed: the caller's handle on the actor and its configuration. */
typedef struct ct_order_feed ct_order_feed_t;

/* Spawn a feed actor on `worker` (-1: round-robin). `opts` and everything
 * it points to are copied (the token too). The handle stays valid until
 * ct_order_feed_free(), which the caller must call only after the runtime
 * has been joined (the actor reads the configuration on every restart).
 * Returns 0, CT_EINVAL (missing client_id, token or subscriber; a URL that
 * is not ws:// or wss://), CT_ENOMEM, or what ct_spawn() returns. */
int ct_order_feed_spawn(ct_runtime_t *rt, const ct_order_feed_opts_t *opts,
                        int worker, ct_order_feed_t **out);
/* The feed's actor (valid as long as the runtime). */
ct_actor_t *ct_order_feed_actor(const ct_order_feed_t *feed);
/* Release the handle. Only after ct_runtime_join(); NULL is fine. */
void ct_order_feed_free(ct_order_feed_t *feed);

/* Replace the token: the feed closes its socket (reporting FEED_DOWN with
 * CT_ESTATE if it was up) and logs in again at once with the new token,
 * which also survives restarts of the actor. Safe from any thread. The
 * text is copied. Returns 0, CT_EINVAL, CT_ENOMEM or what ct_send()
 * returns. */
int ct_order_feed_set_token(ct_order_feed_t *feed, const char *token);

/* Build a CT_MSG_ORDER_EVENT message carrying `ev` and `origin` (the id of
 * the actor the event comes from). The caller owns *out until it is sent.
 * Returns 0, CT_EINVAL or CT_ENOMEM. Used by the feed and the postback
 * receiver; exposed for tests and for reconciliation code. */
int ct_order_event_msg_new(uint64_t origin, const ct_order_event_t *ev,
                           ct_msg_t **out);

/* Decode a CT_MSG_ORDER_EVENT envelope into *ev (a full copy: it outlives
 * the envelope); *origin (may be NULL) gets the id of the sending feed or
 * postback actor. Returns 0, CT_EINVAL (another type, NULL pointers) or
 * CT_EPROTO (malformed payload). */
int ct_order_feed_event_read(const ct_envelope_t *env, ct_order_event_t *ev,
                             uint64_t *origin);

typedef struct ct_order_feed_status {
  uint64_t origin;    /* the feed actor's id */
  int up;             /* 1 for CT_MSG_FEED_UP, 0 for CT_MSG_FEED_DOWN */
  int err;            /* 0 when up, else the CT_E* cause (see above) */
  uint64_t connects;  /* logins so far, this one included */
  const char *reason; /* borrowed from the envelope; not NUL-terminated;
                         never contains the token */
  size_t reason_len;
} ct_order_feed_status_t;

/* Decode a CT_MSG_FEED_UP or CT_MSG_FEED_DOWN envelope. Returns 0,
 * CT_EINVAL (another type) or CT_EPROTO. */
int ct_order_feed_status_read(const ct_envelope_t *env,
                              ct_order_feed_status_t *st);

#endif /* COPYTRADER_ORDER_FEED_H */
