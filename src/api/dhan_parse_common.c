/*
 * dhan_parse_common.c: the table-driven JSON decoding that every Dhan
 * record parser uses (src/api/dhan_json_int.h has the rules).
 *
 * A record parser is a static table of ct__field_t plus, where a record
 * needs it, a few lines of post-processing. This file owns the lenient
 * reading of one value of each type and the error texts, which always name
 * the field: "field 'OrderNo': missing", "field 'quantity': not a number".
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/dhan_json_int.h"
#include "copytrader/dhan_types.h"
#include "copytrader/error.h"

#define MAX_EXACT_INT 9007199254740992.0 /* 2^53 */

int ct__errf(int code, char *err, size_t err_size, const char *fmt, ...) {
  if (err != NULL && err_size > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
  }
  return code;
}

int ct__jparse(const char *buf, size_t len, cJSON **out, char *err,
               size_t err_size) {
  const char *end = NULL;
  cJSON *root;

  *out = NULL;
  if (buf == NULL || len == 0)
    return ct__jfail(err, err_size, "empty body");
  root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
  if (root == NULL)
    return ct__jfail(err, err_size, "not JSON at byte %zu",
                     end != NULL ? (size_t)(end - buf) : (size_t)0);
  while (end < buf + len && (isspace((unsigned char)*end) || *end == '\0'))
    end++;
  if (end < buf + len) {
    cJSON_Delete(root);
    return ct__jfail(err, err_size, "trailing bytes at byte %zu",
                     (size_t)(end - buf));
  }
  *out = root;
  return 0;
}

const cJSON *ct__jget(const cJSON *obj, const char *key) {
  const cJSON *it;
  if (!cJSON_IsObject(obj) || key == NULL)
    return NULL;
  it = cJSON_GetObjectItemCaseSensitive(obj, key);
  return it != NULL ? it : cJSON_GetObjectItem(obj, key);
}

const char *ct__jstr(const cJSON *obj, const char *key) {
  const cJSON *it = ct__jget(obj, key);
  return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* The child named exactly `key`, searched from *hint round to it, or
 * NULL; *hint moves past a find. Dhan sends an object's keys in a fixed
 * order that the tables follow, so the next key is mostly the next child:
 * one strcmp instead of a scan from the start per field. (With a key given
 * twice, the first one from the hint on wins, not the first of all.) */
static const cJSON *exact_from(const cJSON *obj, const cJSON **hint,
                               const char *key) {
  const cJSON *start = *hint != NULL ? *hint : obj->child, *c = start;
  if (c == NULL)
    return NULL;
  do {
    if (c->string != NULL && strcmp(c->string, key) == 0) {
      *hint = c->next;
      return c;
    }
    c = c->next != NULL ? c->next : obj->child;
  } while (c != start);
  return NULL;
}

/* As ct__jget (exact name, else any case), faster along a table. */
static const cJSON *jget_from(const cJSON *obj, const cJSON **hint,
                              const char *key) {
  const cJSON *it = exact_from(obj, hint, key);
  return it != NULL ? it : cJSON_GetObjectItem(obj, key);
}

/* The field's item under its key or its alternative spelling. */
static const cJSON *field_item(const cJSON *obj, const cJSON **hint,
                               const ct__field_t *f) {
  const cJSON *it = jget_from(obj, hint, f->key);
  if (it == NULL && f->alt != NULL)
    it = jget_from(obj, hint, f->alt);
  return it;
}

/* null, "", "NA": no value. */
static bool is_absent(const cJSON *it) {
  if (it == NULL || cJSON_IsNull(it))
    return true;
  if (cJSON_IsString(it))
    return it->valuestring[0] == '\0' || strcmp(it->valuestring, "NA") == 0;
  return false;
}

/* Text of a string, a number or a bool item into buf; -1 if other type. */
static int item_text(const cJSON *it, char *buf, size_t size,
                     const char **text) {
  if (cJSON_IsString(it)) {
    *text = it->valuestring;
  } else if (cJSON_IsNumber(it)) {
    double v = it->valuedouble;
    if (isfinite(v) && v == floor(v) && fabs(v) < MAX_EXACT_INT)
      snprintf(buf, size, "%.0f", v);
    else
      snprintf(buf, size, "%.17g", v);
    *text = buf;
  } else if (cJSON_IsBool(it)) {
    *text = cJSON_IsTrue(it) ? "true" : "false";
  } else {
    return -1;
  }
  return 0;
}

static int put_string(const ct__field_t *f, const cJSON *it, char *dst,
                      char *err, size_t err_size) {
  char num[40];
  const char *text;
  size_t len;

  if (item_text(it, num, sizeof(num), &text) != 0)
    return ct__jfail(err, err_size, "field '%s': expected a string", f->key);
  len = strlen(text);
  if (len >= f->size) {
    if (f->type == CT__F_ID)
      return ct__jfail(err, err_size, "field '%s': too long (%zu > %zu)",
                       f->key, len, f->size - 1);
    len = f->size - 1;
  }
  memcpy(dst, text, len);
  dst[len] = '\0';
  return 0;
}

/* A finite double from a number or a numeric string. */
static int read_double(const ct__field_t *f, const cJSON *it, double *out,
                       char *err, size_t err_size) {
  if (cJSON_IsNumber(it)) {
    *out = it->valuedouble;
  } else if (cJSON_IsString(it)) {
    const char *s = it->valuestring;
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    while (end != s && isspace((unsigned char)*end))
      end++;
    if (end == s || *end != '\0')
      return ct__jfail(err, err_size, "field '%s': not a number", f->key);
  } else {
    return ct__jfail(err, err_size, "field '%s': not a number", f->key);
  }
  if (!isfinite(*out))
    return ct__jfail(err, err_size, "field '%s': out of range", f->key);
  return 0;
}

static int put_number(const ct__field_t *f, const cJSON *it, void *dst,
                      char *err, size_t err_size) {
  double v = 0;
  int64_t i;
  int rc = read_double(f, it, &v, err, err_size);
  if (rc != 0)
    return rc;
  if (f->type == CT__F_F64 || f->type == CT__F_F64_LAX) {
    memcpy(dst, &v, sizeof(v));
    return 0;
  }
  if (fabs(v) > MAX_EXACT_INT)
    return ct__jfail(err, err_size, "field '%s': out of range", f->key);
  if (v != floor(v))
    return ct__jfail(err, err_size, "field '%s': not an integer", f->key);
  i = (int64_t)v;
  memcpy(dst, &i, sizeof(i));
  return 0;
}

static int put_bool(const ct__field_t *f, const cJSON *it, bool *dst, char *err,
                    size_t err_size) {
  static const char *const yes[] = { "true", "1", "Y", "yes" };
  static const char *const no[] = { "false", "0", "N", "no" };
  if (cJSON_IsBool(it)) {
    *dst = cJSON_IsTrue(it);
    return 0;
  }
  if (cJSON_IsNumber(it) && (it->valuedouble == 0 || it->valuedouble == 1)) {
    *dst = it->valuedouble == 1;
    return 0;
  }
  for (size_t i = 0; cJSON_IsString(it) && i < CT__COUNT(yes); i++) {
    if (strcasecmp(it->valuestring, yes[i]) == 0 ||
        strcasecmp(it->valuestring, no[i]) == 0) {
      *dst = strcasecmp(it->valuestring, yes[i]) == 0;
      return 0;
    }
  }
  return ct__jfail(err, err_size, "field '%s': not a boolean", f->key);
}

static int enum_value(uint8_t kind, const char *s) {
  switch ((ct__ekind_t)kind) {
  case CT__E_SEG:
    return (int)ct_dhan_segment_from_str(s);
  case CT__E_TXN:
    return (int)ct_dhan_txn_from_str(s);
  case CT__E_TXN_WS:
    return (int)ct_dhan_txn_from_ws(s);
  case CT__E_PRODUCT:
    return (int)ct_dhan_product_from_str(s);
  case CT__E_PRODUCT_WS:
    return (int)ct_dhan_product_from_ws(s);
  case CT__E_OTYPE:
    return (int)ct_dhan_order_type_from_str(s);
  case CT__E_OTYPE_WS:
    return (int)ct_dhan_order_type_from_ws(s);
  case CT__E_VALIDITY:
    return (int)ct_dhan_validity_from_str(s);
  case CT__E_STATUS:
    return (int)ct_dhan_status_from_str(s);
  case CT__E_LEG:
    return (int)ct_dhan_leg_from_str(s);
  case CT__E_AMO:
    return (int)ct_dhan_amo_time_from_str(s);
  case CT__E_FLAG:
    return (int)ct_dhan_order_flag_from_str(s);
  case CT__E_POS:
    return (int)ct_dhan_position_type_from_str(s);
  }
  return 0;
}

/* A CT__F_F64_LAX field holding text that is not a number. */
static bool lax_text(const ct__field_t *f, const cJSON *it) {
  char scratch[8];
  double v;
  return f->type == CT__F_F64_LAX && cJSON_IsString(it) &&
         read_double(f, it, &v, scratch, sizeof(scratch)) != 0;
}

static int decode_one(const ct__field_t *f, const cJSON *it, char *dst,
                      char *err, size_t err_size) {
  int v;
  switch ((ct__ftype_t)f->type) {
  case CT__F_ID:
  case CT__F_TEXT:
    return put_string(f, it, dst, err, err_size);
  case CT__F_I64:
  case CT__F_F64:
  case CT__F_F64_LAX:
    return put_number(f, it, dst, err, err_size);
  case CT__F_BOOL:
    return put_bool(f, it, (bool *)dst, err, err_size);
  case CT__F_ENUM:
    _Static_assert(sizeof(ct_dhan_status_t) == sizeof(int), "enum size");
    v = cJSON_IsString(it) ? enum_value(f->kind, it->valuestring) : 0;
    memcpy(dst, &v, sizeof(v));
    return 0;
  }
  return ct__jfail(err, err_size, "field '%s': bad descriptor", f->key);
}

int ct__jdecode(const cJSON *obj, const ct__field_t *f, size_t n, void *rec,
                uint32_t *has, char *err, size_t err_size) {
  uint32_t seen = 0;
  const cJSON *hint = NULL;
  if (!cJSON_IsObject(obj))
    return ct__jfail(err, err_size, "expected a JSON object");
  for (size_t i = 0; i < n; i++) {
    const cJSON *it = field_item(obj, &hint, &f[i]);
    int rc;
    if (is_absent(it) || lax_text(&f[i], it)) {
      if (f[i].required)
        return ct__jfail(err, err_size, "field '%s': missing", f[i].key);
      continue;
    }
    rc = decode_one(&f[i], it, (char *)rec + f[i].off, err, err_size);
    if (rc != 0)
      return rc;
    seen |= f[i].has;
  }
  if (has != NULL)
    *has = seen;
  return 0;
}

int ct__jone(const char *buf, size_t len, ct__item_fn fn, void *rec, char *err,
             size_t err_size) {
  cJSON *root;
  int rc = ct__jparse(buf, len, &root, err, err_size);
  if (rc != 0)
    return rc;
  rc = fn(root, rec, err, err_size);
  cJSON_Delete(root);
  return rc;
}

/* fn on one element, with "item N: " put before its error text. */
static int item_at(const cJSON *it, size_t i, ct__item_fn fn, void *rec,
                   char *err, size_t err_size) {
  char inner[160] = "";
  int rc = fn(it, rec, inner, sizeof(inner));
  if (rc != 0)
    ct__jfail(err, err_size, "item %zu: %s", i, inner);
  return rc;
}

int ct__jarray_into(const cJSON *arr, size_t elem, size_t max, ct__item_fn fn,
                    void *out, unsigned *count, char *err, size_t err_size) {
  size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
  const cJSON *it;
  *count = 0;
  if (!cJSON_IsArray(arr))
    return ct__jfail(err, err_size, "expected a JSON array");
  if (n > max)
    return ct__jfail(err, err_size, "too many items (%zu > %zu)", n, max);
  cJSON_ArrayForEach(it, arr) {
    int rc = item_at(it, i, fn, (char *)out + i * elem, err, err_size);
    if (rc != 0)
      return rc;
    i++;
  }
  *count = (unsigned)i;
  return 0;
}

int ct__jlist(const char *buf, size_t len, size_t elem, ct__item_fn fn,
              bool allow_single, void **out, size_t *count, char *err,
              size_t err_size) {
  cJSON *root = NULL;
  const cJSON *it;
  char *recs = NULL;
  size_t n, i = 0;
  int rc;

  *out = NULL;
  *count = 0;
  rc = ct__jparse(buf, len, &root, err, err_size);
  if (rc != 0)
    return rc;
  if (allow_single && cJSON_IsObject(root)) {
    n = 1;
  } else if (cJSON_IsArray(root)) {
    n = (size_t)cJSON_GetArraySize(root);
  } else {
    rc = ct__jfail(err, err_size, "expected a JSON array");
    goto done;
  }
  if (n > 0 && (recs = calloc(n, elem)) == NULL) {
    rc = CT_ENOMEM;
    goto done;
  }
  if (cJSON_IsObject(root)) {
    rc = item_at(root, 0, fn, recs, err, err_size);
    i = 1;
  } else {
    cJSON_ArrayForEach(it, root) {
      rc = item_at(it, i, fn, recs + i * elem, err, err_size);
      if (rc != 0)
        break;
      i++;
    }
  }
  if (rc == 0) {
    *out = recs;
    *count = n;
    recs = NULL;
  }
done:
  free(recs);
  cJSON_Delete(root);
  return rc;
}
