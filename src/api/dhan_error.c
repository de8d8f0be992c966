/*
 * dhan_error.c: classification of a DhanHQ v2 call's outcome
 * (include/copytrader/dhan_error.h has the rules).
 *
 * The body is parsed with cJSON only to pick the three documented error
 * keys (or the Data API's {"status":"failed","data":{"805":"..."}}); any
 * other shape, HTML or garbage falls through to the HTTP status and is kept
 * as a bounded, printable copy for the log.
 */
#include "copytrader/dhan_error.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "copytrader/error.h"

static const char *const class_names[] = {
  "SUCCESS", "BUSINESS_REJECTION", "RATE_LIMITED", "TRANSIENT", "AUTH",
  "CONFIG",  "OUTCOME_UNKNOWN",    "NOT_FOUND"
};
_Static_assert(sizeof(class_names) / sizeof(class_names[0]) ==
                   CT_DHAN_CLASS_COUNT,
               "class names");

/* Fixed mappings; DH-907, DH-908 and DH-909 depend on the call (below). */
static const struct {
  const char *code;
  ct_dhan_class_t cls;
} code_map[] = {
  { "DH-901", CT_DHAN_AUTH },
  { "DH-902", CT_DHAN_CONFIG },
  { "DH-903", CT_DHAN_CONFIG },
  { "DH-904", CT_DHAN_RATE_LIMITED },
  { "DH-905", CT_DHAN_BUSINESS_REJECTION },
  { "DH-906", CT_DHAN_BUSINESS_REJECTION },
  { "DH-910", CT_DHAN_BUSINESS_REJECTION },
  { "DH-911", CT_DHAN_CONFIG },
  { "800", CT_DHAN_TRANSIENT },
  { "805", CT_DHAN_RATE_LIMITED },
  { "806", CT_DHAN_CONFIG },
  { "807", CT_DHAN_AUTH },
  { "808", CT_DHAN_AUTH },
  { "809", CT_DHAN_AUTH },
  { "810", CT_DHAN_AUTH },
};

/* Bounded copy with bytes outside printable ASCII turned into '?'. */
static void copy_safe(char *dst, size_t size, const char *src, size_t n) {
  size_t i = 0;
  for (; src != NULL && i < n && i + 1 < size; i++) {
    unsigned char c = (unsigned char)src[i];
    dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
  }
  dst[i] = '\0';
}

/* Text of a string or number item into dst. */
static void copy_item(char *dst, size_t size, const cJSON *it) {
  if (cJSON_IsString(it))
    copy_safe(dst, size, it->valuestring, strlen(it->valuestring));
  else if (cJSON_IsNumber(it))
    snprintf(dst, size, "%.0f", it->valuedouble);
}

/* {"status":"failed","data":{"805":"text"}}: the code is the key. */
static void data_api_error(const cJSON *root, ct_dhan_error_t *out) {
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
  const cJSON *first = cJSON_IsObject(data) ? data->child : NULL;
  if (first == NULL || first->string == NULL || first->string[0] == '\0' ||
      strspn(first->string, "0123456789") != strlen(first->string))
    return;
  copy_safe(out->error_code, sizeof(out->error_code), first->string,
            strlen(first->string));
  copy_item(out->error_message, sizeof(out->error_message), first);
}

/* Whether parse_body can find anything: a JSON object naming one of the
 * keys it reads. Most 2xx bodies (order books, order answers) do not, and
 * their parse was half of the answer's cost. */
static bool may_have_error(const char *body, size_t len) {
  static const char *const keys[] = { "\"errorCode\"", "\"errorType\"",
                                      "\"errorMessage\"", "\"message\"",
                                      "\"data\"" };
  size_t i = 0;
  while (i < len && strchr(" \t\r\n", body[i]) != NULL && body[i] != '\0')
    i++;
  if (i == len || body[i] != '{')
    return false;
  for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
    if (memmem(body, len, keys[k], strlen(keys[k])) != NULL)
      return true;
  return false;
}

static void parse_body(const char *body, size_t len, ct_dhan_error_t *out) {
  cJSON *root;
  const cJSON *msg;
  if (body == NULL || len == 0 || !may_have_error(body, len))
    return;
  root = cJSON_ParseWithLength(body, len);
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    return;
  }
  copy_item(out->error_type, sizeof(out->error_type),
            cJSON_GetObjectItem(root, "errorType"));
  copy_item(out->error_code, sizeof(out->error_code),
            cJSON_GetObjectItem(root, "errorCode"));
  msg = cJSON_GetObjectItem(root, "errorMessage");
  copy_item(out->error_message, sizeof(out->error_message),
            msg != NULL ? msg : cJSON_GetObjectItem(root, "message"));
  if (out->error_code[0] == '\0')
    data_api_error(root, out);
  cJSON_Delete(root);
}

/* Class for a known error code, or -1. */
static int code_class(const char *code, unsigned flags) {
  bool mutates = (flags & CT_DHAN_CALL_MUTATES) != 0;
  if (strcasecmp(code, "DH-907") == 0)
    return (flags & CT_DHAN_CALL_LOOKUP) ? CT_DHAN_NOT_FOUND
                                         : CT_DHAN_BUSINESS_REJECTION;
  /* A server or network failure on a call that changes state may have
   * happened after the change was made: only a lookup can tell. */
  if (strcasecmp(code, "DH-908") == 0 || strcasecmp(code, "DH-909") == 0)
    return mutates ? CT_DHAN_OUTCOME_UNKNOWN : CT_DHAN_TRANSIENT;
  for (size_t i = 0; i < sizeof(code_map) / sizeof(code_map[0]); i++)
    if (strcasecmp(code, code_map[i].code) == 0)
      return (int)code_map[i].cls;
  if (strlen(code) == 3 && code[0] == '8' && code[1] <= '1' &&
      strspn(code, "0123456789") == 3)
    return CT_DHAN_BUSINESS_REJECTION; /* 801-819: Data API input errors */
  return -1;
}

static ct_dhan_class_t status_class(int status, unsigned flags) {
  bool mutates = (flags & CT_DHAN_CALL_MUTATES) != 0;
  if (status >= 200 && status < 300)
    return CT_DHAN_SUCCESS;
  switch (status) {
  case 401:
    return CT_DHAN_AUTH;
  case 403:
    return CT_DHAN_CONFIG;
  case 404:
    return (flags & CT_DHAN_CALL_LOOKUP) ? CT_DHAN_NOT_FOUND
                                         : CT_DHAN_BUSINESS_REJECTION;
  case 408:
  case 503:
    return CT_DHAN_TRANSIENT;
  case 429:
    return CT_DHAN_RATE_LIMITED;
  }
  if (status >= 400 && status < 500)
    return CT_DHAN_BUSINESS_REJECTION;
  /* other 5xx, 1xx, 3xx, no status: did a mutation happen? unknown */
  return mutates ? CT_DHAN_OUTCOME_UNKNOWN : CT_DHAN_TRANSIENT;
}

static ct_dhan_class_t transport_class(int err, bool sent, unsigned flags) {
  if (err == CT_EINVAL || err == CT_ECONFIG)
    return CT_DHAN_CONFIG; /* our request could not even be made */
  if (sent && (flags & CT_DHAN_CALL_MUTATES))
    return CT_DHAN_OUTCOME_UNKNOWN;
  return CT_DHAN_TRANSIENT;
}

void ct_dhan_classify(int transport_err, bool request_sent, int http_status,
                      const char *body, size_t body_len, unsigned call_flags,
                      ct_dhan_error_t *out) {
  int cls = -1;
  memset(out, 0, sizeof(*out));
  out->http_status = http_status;
  out->transport_err = transport_err;
  if (transport_err != 0) {
    out->cls = transport_class(transport_err, request_sent, call_flags);
    return;
  }
  parse_body(body, body_len, out);
  if (out->error_code[0] != '\0')
    cls = code_class(out->error_code, call_flags);
  out->cls =
      cls >= 0 ? (ct_dhan_class_t)cls : status_class(http_status, call_flags);
  if (out->cls != CT_DHAN_SUCCESS && body != NULL)
    copy_safe(out->raw, sizeof(out->raw), body, body_len);
}

const char *ct_dhan_class_name(ct_dhan_class_t cls) {
  return ((unsigned)cls < CT_DHAN_CLASS_COUNT) ? class_names[cls] : "?";
}

bool ct_dhan_class_breaker_failure(ct_dhan_class_t cls) {
  return cls == CT_DHAN_TRANSIENT || cls == CT_DHAN_OUTCOME_UNKNOWN;
}

bool ct_dhan_class_retryable(ct_dhan_class_t cls) {
  return cls == CT_DHAN_TRANSIENT || cls == CT_DHAN_RATE_LIMITED;
}

int ct_dhan_class_errno(ct_dhan_class_t cls) {
  switch (cls) {
  case CT_DHAN_SUCCESS:
    return 0;
  case CT_DHAN_BUSINESS_REJECTION:
    return CT_EREJECTED;
  case CT_DHAN_RATE_LIMITED:
    return CT_ERATELIMIT;
  case CT_DHAN_TRANSIENT:
    return CT_EAGAIN;
  case CT_DHAN_AUTH:
    return CT_EAUTH;
  case CT_DHAN_CONFIG:
    return CT_ECONFIG;
  case CT_DHAN_NOT_FOUND:
    return CT_ENOTFOUND;
  default:
    return CT_EUNKNOWN;
  }
}
