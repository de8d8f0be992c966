/*
 * Error codes shared by every copytrader module.
 *
 * Every function that can fail returns int: 0 on success or one of the
 * negative CT_E* codes below. The set is small and closed, like LMDB's, so
 * callers can switch on it; ct_strerror() and ct_err_name() turn a code into
 * text for logs. Codes are stable: tools and tests may print them.
 */
#ifndef COPYTRADER_ERROR_H
#define COPYTRADER_ERROR_H

#define CT_ERRNO_MAP(X)                                                        \
  X(EINVAL, -1, "invalid argument")                                            \
  X(ENOMEM, -2, "out of memory")                                               \
  X(EFULL, -3, "mailbox or queue full")                                        \
  X(ECLOSED, -4, "closed or shutting down")                                    \
  X(ETIMEDOUT, -5, "timed out")                                                \
  X(EAGAIN, -6, "try again later")                                             \
  X(EIO, -7, "input/output error")                                             \
  X(ENOTFOUND, -8, "not found")                                                \
  X(EPROTO, -9, "malformed message or protocol error")                         \
  X(ERATELIMIT, -10, "rate limit reached")                                     \
  X(EBREAKER, -11, "circuit breaker open")                                     \
  X(ETLS, -12, "TLS error")                                                    \
  X(ECONNREFUSED, -13, "connection refused")                                   \
  X(ECONNRESET, -14, "connection reset")                                       \
  X(ERANGE, -15, "value out of range")                                         \
  X(EEXIST, -16, "already exists")                                             \
  X(ESTATE, -17, "operation not allowed in this state")                        \
  X(EAUTH, -18, "authentication failed")                                       \
  X(EREJECTED, -19, "rejected by the service")                                 \
  X(EUNKNOWN, -20, "outcome unknown")                                          \
  X(ECONFIG, -21, "configuration error")                                       \
  X(EDNS, -22, "host name could not be resolved")

enum {
#define CT__ERR_ENUM(name, code, text) CT_##name = (code),
  CT_ERRNO_MAP(CT__ERR_ENUM)
#undef CT__ERR_ENUM
};

/* Human text for an error code. Never NULL; the string is static. */
const char *ct_strerror(int err);

/* Symbolic name ("CT_ETIMEDOUT") for an error code. Never NULL; static. */
const char *ct_err_name(int err);

#endif /* COPYTRADER_ERROR_H */
