/*
 * Correlation ids for follower orders: deterministic, short, recognisable.
 *
 * ct_corrid_make() derives the correlationId of one follower order from
 * what identifies it: the leader's order id, the follower account, which
 * part of the leader order it copies (the whole order, a slice, a super
 * order leg, a forever order leg) with an index, and a generation that the
 * engine bumps when it re-places after a KNOWN rejection (never after an
 * unknown outcome: then the same id must be reused so the earlier attempt
 * can be found with GET /orders/external/{id}).
 *
 * Layout (26 characters, within Dhan's 30, charset [A-Za-z0-9_-]):
 *   "ct" + 22 base64url characters of the first 128 bits of
 *   SHA-256(domain tag, length-prefixed fields) + 2 check characters
 * The check characters are a second hash of the first 24 characters, so
 * ct_corrid_is_ours() tells our ids from a leader's or a human's tags: a
 * random 26-character string starting "ct" passes with odds 1 in 4096.
 * Same inputs, same id, on every machine and version of this format.
 */
#ifndef COPYTRADER_CORRID_H
#define COPYTRADER_CORRID_H

#include <stdbool.h>
#include <stdint.h>

#define CT_CORRID_LEN  26
#define CT_CORRID_SIZE 27 /* with the NUL */

typedef enum {
  CT_CORRID_ORDER = 0,       /* the whole leader order */
  CT_CORRID_SLICE = 1,       /* one slice of a split order, index = slice */
  CT_CORRID_SUPER_LEG = 2,   /* a super order leg, index = leg number */
  CT_CORRID_FOREVER_LEG = 3, /* a forever order leg */
  CT_CORRID_EXIT = 4         /* an exit/square-off placed by the engine */
} ct_corrid_kind_t;

typedef struct ct_corrid_input {
  const char *leader_order_id; /* non-empty */
  const char *follower_id;     /* non-empty: the follower's dhanClientId */
  ct_corrid_kind_t kind;
  uint32_t index;
  uint32_t generation; /* 0 for the first placement */
} ct_corrid_input_t;

/* Write the id (CT_CORRID_LEN characters + NUL) into out. Returns 0, or
 * CT_EINVAL (NULL or empty ids, kind out of range), or CT_ENOMEM when
 * OpenSSL cannot allocate. Thread-safe. */
int ct_corrid_make(const ct_corrid_input_t *in, char out[CT_CORRID_SIZE]);

/* Whether s has our layout and check characters. NULL gives false. */
bool ct_corrid_is_ours(const char *s);

#endif /* COPYTRADER_CORRID_H */
