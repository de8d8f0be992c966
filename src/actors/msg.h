/*
 * Private view of a message (see include/copytrader/message.h).
 *
 * A ct_msg_t is one msgpack buffer plus the fields the runtime needs to
 * route it: the intrusive mailbox link, a copy of the header values (so a
 * delivery does not re-decode them) and a kind that says whether the
 * runtime handles it (start, stop, timers, timeouts, replies) or the actor
 * just receives it. Messages come from a per-thread pool.
 */
#ifndef CT_ACTORS_MSG_H
#define CT_ACTORS_MSG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/message.h"

/* The fixed header: 0x93, 0xce type(4), 0xcf sender(8), 0xcf request(8). */
#define CT__HDR_LEN     24
#define CT__HDR_FROM    6
#define CT__HDR_REQ     15
#define CT__MSG_INLINE  104
#define CT__MSG_KEEPCAP 4096 /* grown buffers up to this stay pooled */

typedef enum {
  CT__KIND_USER = 0, /* delivered as is */
  CT__KIND_REPLY,    /* delivered only if its request is still pending */
  CT__KIND_TIMEOUT,  /* a request's timer fired */
  CT__KIND_TIMER,    /* an actor timer fired */
  CT__KIND_START,    /* run init() */
  CT__KIND_STOP      /* run stop() (shutdown) */
} ct__msg_kind_t;

struct ct_msg {
  _Atomic(struct ct_msg *) next; /* mailbox link, see mailbox.c */
  struct ct_msg *pool_next;      /* free-list link, see message.c */
  char *buf;
  size_t len;
  size_t cap;
  uint64_t from;
  uint64_t request_id;
  uint32_t type;
  uint8_t kind;
  char inline_buf[CT__MSG_INLINE];
};

/* Write sender and request id into the header (and the mirror fields). */
void ct__msg_stamp(ct_msg_t *msg, uint64_t from, uint64_t request_id);
/* Release this thread's cached messages and reader memory to the shared
 * pool; and, for ct__msg_pool_purge, free the shared pool too. */
void ct__msg_thread_release(void);
void ct__msg_pool_purge(void);
/* Free this thread's cached reader memory (reader.c). */
void ct__reader_thread_release(void);

#endif /* CT_ACTORS_MSG_H */
