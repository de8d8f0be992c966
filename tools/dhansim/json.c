/*
 * json.c: request-body field readers with Dhan's leniency (numbers may come
 * as JSON numbers or numeric strings), the strict unknown-field check, the
 * bare-JSON and {errorType, errorCode, errorMessage} responses, the IST
 * timestamp format and query-string lookup.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/error.h"
#include "dhansim.h"

int jx_only(const cJSON *obj, const char *const *allowed) {
  const cJSON *it;
  if (!cJSON_IsObject(obj))
    return JX_BAD;
  cJSON_ArrayForEach(it, obj) {
    size_t i = 0;
    while (allowed[i] && strcmp(allowed[i], it->string) != 0)
      i++;
    if (allowed[i] == NULL)
      return JX_BAD;
  }
  return JX_OK;
}

int jx_str(const cJSON *obj, const char *key, const char **out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (v == NULL || cJSON_IsNull(v))
    return JX_MISSING;
  if (!cJSON_IsString(v))
    return JX_BAD;
  *out = v->valuestring;
  return JX_OK;
}

int jx_num(const cJSON *obj, const char *key, double *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  char *end;
  if (v == NULL || cJSON_IsNull(v))
    return JX_MISSING;
  if (cJSON_IsNumber(v)) {
    *out = v->valuedouble;
  } else if (cJSON_IsString(v)) {
    if (v->valuestring[0] == '\0')
      return JX_MISSING; /* the docs send "price":"" for MARKET */
    *out = strtod(v->valuestring, &end);
    if (*end != '\0' || end == v->valuestring)
      return JX_BAD;
  } else {
    return JX_BAD;
  }
  return isfinite(*out) ? JX_OK : JX_BAD;
}

int jx_int(const cJSON *obj, const char *key, int64_t *out) {
  double d;
  int rc = jx_num(obj, key, &d);
  if (rc != JX_OK)
    return rc;
  if (d != floor(d) || d < -9e15 || d > 9e15)
    return JX_BAD;
  *out = (int64_t)d;
  return JX_OK;
}

int jx_bool(const cJSON *obj, const char *key, int *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (v == NULL || cJSON_IsNull(v))
    return JX_MISSING;
  if (cJSON_IsBool(v)) {
    *out = cJSON_IsTrue(v);
    return JX_OK;
  }
  if (cJSON_IsString(v) && (strcmp(v->valuestring, "true") == 0 ||
                            strcmp(v->valuestring, "false") == 0)) {
    *out = v->valuestring[0] == 't';
    return JX_OK;
  }
  return JX_BAD;
}

int jx_enum(const cJSON *obj, const char *key, const char *const *values,
            const char **out) {
  const char *s;
  int rc = jx_str(obj, key, &s);
  if (rc != JX_OK)
    return rc;
  for (size_t i = 0; values[i]; i++)
    if (strcmp(values[i], s) == 0) {
      *out = values[i];
      return JX_OK;
    }
  return JX_BAD;
}

void resp_json(req_t *r, int status, cJSON *body) {
  free(r->out);
  r->out = cJSON_PrintUnformatted(body);
  r->out_len = r->out ? strlen(r->out) : 0;
  r->status = r->out ? status : 500;
  cJSON_Delete(body);
}

void resp_error(req_t *r, int status, const char *type, const char *code,
                const char *msg) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "errorType", type);
  cJSON_AddStringToObject(j, "errorCode", code);
  cJSON_AddStringToObject(j, "errorMessage", msg);
  resp_json(r, status, j);
}

void resp_dh905(req_t *r, const char *msg) {
  resp_error(r, 400, "Input_Exception", "DH-905", msg);
}

void resp_dh906(req_t *r, const char *msg) {
  resp_error(r, 400, "Order_Error", "DH-906", msg);
}

void resp_dh907(req_t *r, const char *msg) {
  resp_error(r, 404, "Data_Error", "DH-907", msg);
}

void sim_ist_at(int64_t unix_s, char out[24]) {
  struct tm tm;
  time_t t = (time_t)(unix_s + 19800); /* IST = UTC+05:30 */
  gmtime_r(&t, &tm);
  strftime(out, 24, "%Y-%m-%d %H:%M:%S", &tm);
}

void sim_ist_now(char out[24]) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  sim_ist_at(ts.tv_sec, out);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static void url_decode(char *dst, size_t cap, const char *s, size_t n) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 1 < cap; i++) {
    if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
        hexval(s[i + 2]) >= 0) {
      dst[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      dst[o++] = s[i] == '+' ? ' ' : s[i];
    }
  }
  dst[o] = '\0';
}

const char *query_arg(const req_t *r, const char *name, char *buf, size_t cap) {
  const char *p = r->query;
  size_t nl = strlen(name);
  while (*p) {
    const char *amp = strchr(p, '&');
    size_t len = amp ? (size_t)(amp - p) : strlen(p);
    if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
      url_decode(buf, cap, p + nl + 1, len - nl - 1);
      return buf;
    }
    if (len == nl && strncmp(p, name, nl) == 0) {
      buf[0] = '\0';
      return buf;
    }
    p += len + (amp ? 1 : 0);
  }
  return NULL;
}

void scopy(char *dst, size_t cap, const char *src) {
  size_t n = strnlen(src, cap - 1);
  memmove(dst, src, n);
  dst[n] = '\0';
}

int sim_grow(void **arr, size_t *cap, size_t n, size_t elem) {
  size_t nc;
  void *p;
  if (n < *cap)
    return 0;
  nc = *cap ? *cap * 2 : 16;
  p = realloc(*arr, nc * elem);
  if (p == NULL)
    return CT_ENOMEM;
  *arr = p;
  *cap = nc;
  return 0;
}
