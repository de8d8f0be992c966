/*
 * DhanHQ v2 call outcome classification: what one finished (or failed)
 * REST call means for the engine. Pure functions, safe from any thread.
 *
 * Input: the transport's result (0 or a CT_E* code of error.h), whether the
 * request bytes had been sent when it failed, the HTTP status (0 if none)
 * and the body. Output: one class, the parsed Dhan error
 * (errorType/errorCode/errorMessage) and a bounded, log-safe copy of the
 * body for shapes nobody knows.
 *
 * Order of the rules (§1.4, §14.1 of the API notes):
 *  1. A transport failure before the request was sent is TRANSIENT (it is
 *     safe to retry); after it was sent, a mutating call is
 *     OUTCOME_UNKNOWN (the order may exist: look it up by correlationId
 *     before re-placing) and a read is TRANSIENT.
 *  2. A known errorCode wins over the HTTP status:
 *       DH-901 AUTH; DH-902, DH-903, DH-911 CONFIG; DH-904 RATE_LIMITED;
 *       DH-905, DH-906, DH-910 BUSINESS_REJECTION;
 *       DH-907 BUSINESS_REJECTION, or NOT_FOUND for a lookup call
 *         (CT_DHAN_CALL_LOOKUP: "no data" means no such order);
 *       DH-908, DH-909 TRANSIENT, OUTCOME_UNKNOWN if mutating (the server
 *       may have made the change before failing).
 *     The Data API's numeric codes (800-814, also inside the
 *     {"status":"failed","data":{"805":...}} shape) are mapped too:
 *     805 RATE_LIMITED, 806 CONFIG, 807-810 AUTH, 800 TRANSIENT, others
 *     BUSINESS_REJECTION.
 *  3. Otherwise the HTTP status: 2xx SUCCESS; 401 AUTH; 403 CONFIG;
 *     429 RATE_LIMITED; 404 NOT_FOUND for a lookup; 408 TRANSIENT;
 *     other 4xx BUSINESS_REJECTION; 503 TRANSIENT; other 5xx TRANSIENT for
 *     reads but OUTCOME_UNKNOWN for mutating calls (a gateway error or a
 *     bare 500 does not say whether the order was taken); anything else
 *     (1xx, 3xx, no status) OUTCOME_UNKNOWN if mutating, else TRANSIENT.
 *
 * Breaker and retry advice: see ct_dhan_class_breaker_failure() and
 * ct_dhan_class_retryable().
 */
#ifndef COPYTRADER_DHAN_ERROR_H
#define COPYTRADER_DHAN_ERROR_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
  CT_DHAN_SUCCESS = 0,
  CT_DHAN_BUSINESS_REJECTION, /* Dhan said no; do not retry unchanged */
  CT_DHAN_RATE_LIMITED,       /* back off, then retry */
  CT_DHAN_TRANSIENT,          /* retry with a bounded backoff */
  CT_DHAN_AUTH,               /* token dead: refresh, never retry blindly */
  CT_DHAN_CONFIG,             /* needs a human: access, segment, static IP */
  CT_DHAN_OUTCOME_UNKNOWN,    /* a mutation may or may not have happened */
  CT_DHAN_NOT_FOUND,          /* a lookup found nothing (lookup calls only) */
  CT_DHAN_CLASS_COUNT
} ct_dhan_class_t;

/* Call flags. */
#define CT_DHAN_CALL_MUTATES 1u /* place, modify, cancel, convert, ... */
#define CT_DHAN_CALL_LOOKUP  2u /* GET of one thing by id or correlationId */

#define CT_DHAN_RAW_SIZE     256

/* The classified outcome. Fixed-size; copy freely. */
typedef struct ct_dhan_error {
  ct_dhan_class_t cls;
  int http_status;
  int transport_err;   /* as given */
  char error_type[64]; /* "Input_Exception", "" when absent */
  char error_code[32]; /* "DH-905", "805", "BAD_REQUEST_ERROR", "" */
  char error_message[CT_DHAN_RAW_SIZE];
  /* The start of a non-success body, bytes outside printable ASCII turned
   * into '?', so it can go into a log line as is. "" on success. */
  char raw[CT_DHAN_RAW_SIZE];
} ct_dhan_error_t;

/* Classify one call (rules at the top of this file). `body` may be NULL or
 * not NUL-terminated; any bytes are accepted (HTML, truncated JSON, binary).
 * Never fails; *out is filled completely. */
void ct_dhan_classify(int transport_err, bool request_sent, int http_status,
                      const char *body, size_t body_len, unsigned call_flags,
                      ct_dhan_error_t *out);

/* "SUCCESS", "BUSINESS_REJECTION", ...; static; "?" when out of range. */
const char *ct_dhan_class_name(ct_dhan_class_t cls);

/* Whether the circuit breaker should count the outcome as a failure of the
 * service: TRANSIENT, and OUTCOME_UNKNOWN (a call that timed out or got a
 * gateway error after sending is as much a sign of an unhealthy service as
 * one that failed before). Everything else, business rejections and rate
 * limits included, says nothing about the service's health. */
bool ct_dhan_class_breaker_failure(ct_dhan_class_t cls);

/* Whether the same request may simply be sent again (after a backoff):
 * TRANSIENT and RATE_LIMITED. OUTCOME_UNKNOWN is not: reconcile first. */
bool ct_dhan_class_retryable(ct_dhan_class_t cls);

/* The CT_E* code a caller can return for the class: 0, CT_EREJECTED,
 * CT_ERATELIMIT, CT_EAGAIN, CT_EAUTH, CT_ECONFIG, CT_EUNKNOWN,
 * CT_ENOTFOUND. */
int ct_dhan_class_errno(ct_dhan_class_t cls);

#endif /* COPYTRADER_DHAN_ERROR_H */
