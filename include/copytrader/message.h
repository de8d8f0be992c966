/*
 * Messages: msgpack envelopes exchanged by actors.
 *
 * On the wire (in memory, between actors) a message is one msgpack buffer:
 *   header  = array(3) [type: uint32, sender: uint64, request id: uint64]
 *   payload = zero or more msgpack values following the header
 * The header uses fixed-width integers so the runtime can stamp the sender
 * and request id at send time without re-encoding the payload.
 *
 * Writers (ct_msg_put_*) append payload values; readers (ct_read_*) walk them
 * in order, depth first: after ct_read_array() returned n, the next n reads
 * are the array's items (for a map, 2n: key, value, key, value...). All
 * encoding and decoding goes through msgpack-c.
 *
 * Ownership: ct_msg_new() gives the caller a message; ct_send() and friends
 * take it on success; ct_msg_free() releases one that was never sent. An
 * envelope, and every string a reader returns from it, is borrowed: valid
 * only until the receive callback returns. Copy what must outlive it.
 */
#ifndef COPYTRADER_MESSAGE_H
#define COPYTRADER_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ct_msg ct_msg_t;

/* Allocate a message of `type` (from a per-thread pool in steady state).
 * The sender is stamped by ct_send() from the running actor, if any. */
int ct_msg_new(uint32_t type, ct_msg_t **out);
void ct_msg_free(ct_msg_t *msg);
/* Free the calling thread's cached messages and reader memory, and the
 * shared pool. Worker threads and other threads do this for themselves at
 * exit and ct_runtime_free() does it for its caller; a program that builds
 * messages without a runtime calls it before exit to be leak-check clean.
 * Safe at any time (the pool refills on demand). */
void ct_msg_thread_cleanup(void);
uint32_t ct_msg_type(const ct_msg_t *msg);

/* Payload writers: each appends one value. 0 or CT_ENOMEM. */
int ct_msg_put_nil(ct_msg_t *msg);
int ct_msg_put_bool(ct_msg_t *msg, bool v);
int ct_msg_put_i64(ct_msg_t *msg, int64_t v);
int ct_msg_put_u64(ct_msg_t *msg, uint64_t v);
int ct_msg_put_f64(ct_msg_t *msg, double v);
int ct_msg_put_str(ct_msg_t *msg, const char *s, size_t len);
int ct_msg_put_cstr(ct_msg_t *msg, const char *s); /* NULL puts nil */
int ct_msg_put_bin(ct_msg_t *msg, const void *p, size_t len);
int ct_msg_put_array(ct_msg_t *msg, uint32_t n); /* then n values */
int ct_msg_put_map(ct_msg_t *msg, uint32_t n);   /* then n key/value pairs */

/* A received message. Borrowed; see the ownership note above. */
typedef struct ct_envelope {
  uint32_t type;
  uint64_t from;       /* sender actor id; 0 when sent from outside actors */
  uint64_t request_id; /* 0 unless a request, reply, timeout or timer */
  const char *data;    /* the whole msgpack buffer (header + payload) */
  size_t len;
} ct_envelope_t;

/* Decode the header of a raw buffer into `env`. CT_EPROTO if malformed. */
int ct_envelope_parse(const char *data, size_t len, ct_envelope_t *env);

/* A cursor over an envelope's payload values. Lives on the caller's stack;
 * ct_reader_close() releases any memory the walk needed. */
typedef struct ct_reader {
  const char *data;
  size_t len;
  size_t off;  /* next top-level value */
  void *impl_; /* private: nesting stack for arrays and maps */
} ct_reader_t;

void ct_reader_init(ct_reader_t *r, const ct_envelope_t *env);
void ct_reader_close(ct_reader_t *r);
/* Each reader returns 0, CT_ENOTFOUND at the end of the payload, or
 * CT_EPROTO when the next value has another type (the cursor does not move
 * then). Integers convert between signed and unsigned when the value fits
 * (else CT_ERANGE); ct_read_f64 accepts integers too. */
int ct_read_nil(ct_reader_t *r);
int ct_read_bool(ct_reader_t *r, bool *v);
int ct_read_i64(ct_reader_t *r, int64_t *v);
int ct_read_u64(ct_reader_t *r, uint64_t *v);
int ct_read_f64(ct_reader_t *r, double *v);
/* `*s` points into the envelope (not NUL-terminated). */
int ct_read_str(ct_reader_t *r, const char **s, size_t *len);
int ct_read_bin(ct_reader_t *r, const void **p, size_t *len);
int ct_read_array(ct_reader_t *r, uint32_t *n);
int ct_read_map(ct_reader_t *r, uint32_t *n);
/* Skip one whole value (an array or map with everything inside it). */
int ct_read_skip(ct_reader_t *r);
/* True when nothing is left to read. */
bool ct_read_done(const ct_reader_t *r);

#endif /* COPYTRADER_MESSAGE_H */
