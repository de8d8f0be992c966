/*
 * config_tree.c: the generic half of the configuration loader. It walks a
 * libyaml document (nodes carry their line in start_mark), keeps the key
 * path of the node being read ("followers[2].sizing.mode"), and collects
 * error lines instead of stopping at the first one. The typed field
 * handlers here (strings, booleans, integers, numbers, client ids) never
 * echo more than a short quoted excerpt of a value, and the secret handler
 * (config_secret.c) never echoes one at all.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "copytrader/error.h"
#include "copytrader/grow.h"
#include "engine/config_int.h"

/* ---- error list ---- */

void ct_config_errors_init(ct_config_errors_t *e) {
  memset(e, 0, sizeof(*e));
}

void ct_config_errors_close(ct_config_errors_t *e) {
  for (size_t i = 0; i < e->count; i++)
    free(e->items[i]);
  free(e->items);
  memset(e, 0, sizeof(*e));
}

void ct__cfg_errors_add(ct_config_errors_t *e, const char *line, int *oom) {
  char **items, *copy;
  if (e == NULL)
    return;
  items = ct_grow(e->items, &e->cap, e->count, sizeof(*items), 8);
  if (items == NULL) {
    *oom = 1;
    return;
  }
  e->items = items;
  copy = strdup(line);
  if (copy == NULL) {
    *oom = 1;
    return;
  }
  e->items[e->count++] = copy;
}

static void add_v(ct__cfg_walk_t *w, unsigned line, bool with_path,
                  const char *fmt, va_list ap) {
  char msg[512];
  int n = line ? snprintf(msg, sizeof(msg), "%s:%u: ", w->file, line)
               : snprintf(msg, sizeof(msg), "%s: ", w->file);
  if (with_path && w->path_len > 0 && n >= 0 && (size_t)n < sizeof(msg))
    n += snprintf(msg + n, sizeof(msg) - (size_t)n, "%s: ", w->path);
  if (n >= 0 && (size_t)n < sizeof(msg))
    vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
  w->n_errors++;
  ct__cfg_errors_add(w->errs, msg, &w->oom);
}

unsigned ct__cfg_line(const yaml_node_t *n) {
  return n ? (unsigned)n->start_mark.line + 1 : 0;
}

void ct__cfg_error(ct__cfg_walk_t *w, const yaml_node_t *at, const char *fmt,
                   ...) {
  va_list ap;
  va_start(ap, fmt);
  add_v(w, ct__cfg_line(at), true, fmt, ap);
  va_end(ap);
}

void ct__cfg_error_line(ct__cfg_walk_t *w, unsigned line, const char *fmt,
                        ...) {
  va_list ap;
  va_start(ap, fmt);
  add_v(w, line, true, fmt, ap);
  va_end(ap);
}

void ct__cfg_error_plain(ct__cfg_walk_t *w, unsigned line, const char *fmt,
                         ...) {
  va_list ap;
  va_start(ap, fmt);
  add_v(w, line, false, fmt, ap);
  va_end(ap);
}

/* ---- key path ---- */

static size_t push(ct__cfg_walk_t *w, const char *fmt, const char *s,
                   size_t i) {
  size_t old = w->path_len;
  int n = s ? snprintf(w->path + old, sizeof(w->path) - old, fmt, s)
            : snprintf(w->path + old, sizeof(w->path) - old, fmt, i);
  if (n > 0)
    w->path_len = old + (size_t)n < sizeof(w->path) ? old + (size_t)n
                                                    : sizeof(w->path) - 1;
  return old;
}

size_t ct__cfg_push_key(ct__cfg_walk_t *w, const char *key) {
  return push(w, w->path_len ? ".%s" : "%s", key, 0);
}

size_t ct__cfg_push_index(ct__cfg_walk_t *w, size_t i) {
  return push(w, "[%zu]", NULL, i);
}

void ct__cfg_pop(ct__cfg_walk_t *w, size_t len) {
  w->path_len = len;
  w->path[len] = '\0';
}

/* ---- nodes ---- */

yaml_node_t *ct__cfg_node(ct__cfg_walk_t *w, int index) {
  return yaml_document_get_node(w->doc, index);
}

const char *ct__cfg_scalar(ct__cfg_walk_t *w, yaml_node_t *v) {
  if (v->type != YAML_SCALAR_NODE) {
    ct__cfg_error(w, v, "expected a single value, found a %s",
                  v->type == YAML_MAPPING_NODE ? "mapping" : "list");
    return NULL;
  }
  return (const char *)v->data.scalar.value;
}

const char *ct__cfg_quote(const char *text, char *buf, size_t size) {
  size_t n = 0, max = size > 36 ? 32 : size - 4;
  for (; text[n] != '\0' && n < max; n++)
    buf[n] = (text[n] >= 0x20 && text[n] < 0x7f) ? text[n] : '?';
  if (text[n] != '\0')
    buf[n++] = '.', buf[n++] = '.', buf[n++] = '.';
  buf[n] = '\0';
  return buf;
}

yaml_node_t *ct__cfg_map_get(ct__cfg_walk_t *w, yaml_node_t *map,
                             const char *key) {
  if (map->type != YAML_MAPPING_NODE)
    return map;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
       p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = ct__cfg_node(w, p->key), *v = ct__cfg_node(w, p->value);
    if (k && v && k->type == YAML_SCALAR_NODE &&
        strcmp((const char *)k->data.scalar.value, key) == 0)
      return v;
  }
  return map;
}

static const ct__cfg_field_t *find_field(const ct__cfg_field_t *fields,
                                         size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(fields[i].key, key) == 0)
      return &fields[i];
  return NULL;
}

static void map_pair(ct__cfg_walk_t *w, yaml_node_pair_t *p,
                     const ct__cfg_field_t *fields, size_t n, void *base,
                     uint64_t *seen) {
  yaml_node_t *k = ct__cfg_node(w, p->key), *v = ct__cfg_node(w, p->value);
  const ct__cfg_field_t *f;
  char q[40];
  size_t mark, idx;
  if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE) {
    ct__cfg_error(w, k, "keys must be plain words");
    return;
  }
  f = find_field(fields, n, (const char *)k->data.scalar.value);
  if (f == NULL) {
    ct__cfg_error(
        w, k, "unknown key '%s'",
        ct__cfg_quote((const char *)k->data.scalar.value, q, sizeof(q)));
    return;
  }
  idx = (size_t)(f - fields);
  mark = ct__cfg_push_key(w, f->key);
  if (*seen & (1ull << idx))
    ct__cfg_error(w, k, "key given twice");
  else
    f->fn(w, v, (char *)base + f->off, f);
  *seen |= 1ull << idx;
  ct__cfg_pop(w, mark);
}

bool ct__cfg_map(ct__cfg_walk_t *w, yaml_node_t *map,
                 const ct__cfg_field_t *fields, size_t n, void *base) {
  uint64_t seen = 0;
  if (map->type != YAML_MAPPING_NODE) {
    ct__cfg_error(w, map, "expected a mapping of keys");
    return false;
  }
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
       p < map->data.mapping.pairs.top; p++)
    map_pair(w, p, fields, n, base, &seen);
  for (size_t i = 0; i < n; i++) {
    if (fields[i].required && !(seen & (1ull << i))) {
      size_t mark = ct__cfg_push_key(w, fields[i].key);
      ct__cfg_error(w, map, "required key missing");
      ct__cfg_pop(w, mark);
    }
  }
  return true;
}

/* ---- typed handlers ---- */

/* Scalar text that is not empty, or NULL after an error. */
static const char *value_of(ct__cfg_walk_t *w, yaml_node_t *v) {
  const char *s = ct__cfg_scalar(w, v);
  if (s != NULL && s[0] == '\0') {
    ct__cfg_error(w, v, "empty value");
    return NULL;
  }
  return s;
}

/* A copy of the value in *dst (a char *), resolved against base_dir when
 * it is a path. */
static void set_string(ct__cfg_walk_t *w, yaml_node_t *v, char **dst,
                       bool is_path) {
  const char *s = value_of(w, v);
  if (s == NULL)
    return;
  free(*dst);
  *dst = is_path ? ct__cfg_resolve(w->base_dir, s) : strdup(s);
  if (*dst == NULL)
    w->oom = 1;
}

void ct__cfg_str(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                 const ct__cfg_field_t *f) {
  (void)f;
  set_string(w, v, dst, false);
}

void ct__cfg_path(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                  const ct__cfg_field_t *f) {
  (void)f;
  set_string(w, v, dst, true);
}

void ct__cfg_client_id(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                       const ct__cfg_field_t *f) {
  const char *s = value_of(w, v);
  char q[40];
  if (s == NULL)
    return;
  if (strspn(s, "0123456789") != strlen(s) || strlen(s) >= f->size) {
    ct__cfg_error(w, v, "'%s' is not a Dhan client id (digits, at most %zu)",
                  ct__cfg_quote(s, q, sizeof(q)), f->size - 1);
    return;
  }
  memcpy(dst, s, strlen(s) + 1);
}

void ct__cfg_bool(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                  const ct__cfg_field_t *f) {
  static const char *yes[] = { "true", "yes", "on" };
  static const char *no[] = { "false", "no", "off" };
  const char *s = value_of(w, v);
  char q[40];
  (void)f;
  if (s == NULL)
    return;
  for (size_t i = 0; i < 3; i++) {
    if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
      *(bool *)dst = strcasecmp(s, yes[i]) == 0;
      return;
    }
  }
  ct__cfg_error(w, v, "'%s' is not a boolean (expected true or false)",
                ct__cfg_quote(s, q, sizeof(q)));
}

/* Parse an integer within [f->min, f->max]; false after an error. */
static bool int_in_range(ct__cfg_walk_t *w, yaml_node_t *v,
                         const ct__cfg_field_t *f, int64_t *out) {
  const char *s = value_of(w, v);
  char *end, q[40];
  long long x;
  if (s == NULL)
    return false;
  errno = 0;
  x = strtoll(s, &end, 10);
  if (end == s || *end != '\0' || errno == ERANGE) {
    ct__cfg_error(w, v, "'%s' is not a whole number",
                  ct__cfg_quote(s, q, sizeof(q)));
    return false;
  }
  if (x < f->min || x > f->max) {
    ct__cfg_error(w, v, "%lld is out of range (%lld to %lld)", x,
                  (long long)f->min, (long long)f->max);
    return false;
  }
  *out = x;
  return true;
}

void ct__cfg_int(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                 const ct__cfg_field_t *f) {
  int64_t x;
  if (int_in_range(w, v, f, &x))
    *(int64_t *)dst = x;
}

void ct__cfg_int32(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                   const ct__cfg_field_t *f) {
  int64_t x;
  if (int_in_range(w, v, f, &x))
    *(int *)dst = (int)x;
}

void ct__cfg_num(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                 const ct__cfg_field_t *f) {
  const char *s = value_of(w, v);
  char *end, q[40];
  double x;
  (void)f;
  if (s == NULL)
    return;
  errno = 0;
  x = strtod(s, &end);
  if (end == s || *end != '\0' || !isfinite(x) || errno == ERANGE) {
    ct__cfg_error(w, v, "'%s' is not a number", ct__cfg_quote(s, q, sizeof(q)));
    return;
  }
  if (!(x > 0)) {
    ct__cfg_error(w, v, "must be greater than 0");
    return;
  }
  *(double *)dst = x;
}
