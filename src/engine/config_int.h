/*
 * Private to the configuration loader: the walker that turns a libyaml
 * document into ct_config_t, collecting every error with its line and key
 * path, and the field handlers shared by config.c and config_tree.c.
 */
#ifndef CT_ENGINE_CONFIG_INT_H
#define CT_ENGINE_CONFIG_INT_H

#include <yaml.h>

#include "copytrader/config.h"

typedef struct ct__cfg_walk {
  yaml_document_t *doc;
  const char *file;     /* file name used in messages */
  const char *base_dir; /* folder relative paths are resolved against */
  ct_config_errors_t *errs;
  size_t n_errors; /* errors this load (errs may hold older ones) */
  int oom;         /* an allocation failed */
  char path[192];  /* current key path: "followers[2].sizing" */
  size_t path_len;
  unsigned inline_secrets; /* how many secrets were written inline */
  char inline_first[192];  /* key path of the first one, for the message */
} ct__cfg_walk_t;

typedef struct ct__cfg_field ct__cfg_field_t;
typedef void (*ct__cfg_field_fn)(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                                 const ct__cfg_field_t *f);

/* One known key of a mapping: its handler writes base + off. */
struct ct__cfg_field {
  const char *key;
  ct__cfg_field_fn fn;
  size_t off;
  bool required;
  int64_t min, max; /* ints: range; numbers: min > 0 means "> 0" */
  size_t size;      /* fixed buffers: their size */
};

/* Append "file:line: path: message" (line from `at`, 0 = no line). */
void ct__cfg_error(ct__cfg_walk_t *w, const yaml_node_t *at, const char *fmt,
                   ...) __attribute__((format(printf, 3, 4)));
/* Same, with an explicit line (0 = none). */
void ct__cfg_error_line(ct__cfg_walk_t *w, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same without the key path (file-level problems). */
void ct__cfg_error_plain(ct__cfg_walk_t *w, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ct__cfg_errors_add(ct_config_errors_t *e, const char *line, int *oom);

/* Key path: push ".key" or "[i]"; pop back to the length returned. */
size_t ct__cfg_push_key(ct__cfg_walk_t *w, const char *key);
size_t ct__cfg_push_index(ct__cfg_walk_t *w, size_t i);
void ct__cfg_pop(ct__cfg_walk_t *w, size_t len);

unsigned ct__cfg_line(const yaml_node_t *n);
yaml_node_t *ct__cfg_node(ct__cfg_walk_t *w, int index);
/* Scalar text, or NULL after reporting "expected a value". */
const char *ct__cfg_scalar(ct__cfg_walk_t *w, yaml_node_t *v);
/* `text` quoted for a message: at most 32 characters, non-printables as ?. */
const char *ct__cfg_quote(const char *text, char *buf, size_t size);

/* The value node of `key` in mapping `map`, or `map` itself when absent
 * (so an error about it still points at a line). */
yaml_node_t *ct__cfg_map_get(ct__cfg_walk_t *w, yaml_node_t *map,
                             const char *key);

/* Walk a mapping against a table of known keys: unknown and repeated keys
 * and missing required keys are reported. False if `map` is no mapping. */
bool ct__cfg_map(ct__cfg_walk_t *w, yaml_node_t *map,
                 const ct__cfg_field_t *fields, size_t n, void *base);

/* Field handlers. */
void ct__cfg_str(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                 const ct__cfg_field_t *f); /* char *, malloc'd */
void ct__cfg_path(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                  const ct__cfg_field_t *f); /* char *, base_dir applied */
void ct__cfg_client_id(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                       const ct__cfg_field_t *f); /* digits, char[size] */
void ct__cfg_bool(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                  const ct__cfg_field_t *f);
void ct__cfg_int(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                 const ct__cfg_field_t *f); /* int64_t in [min, max] */
void ct__cfg_int32(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                   const ct__cfg_field_t *f); /* int in [min, max] */
void ct__cfg_num(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                 const ct__cfg_field_t *f); /* double, finite, > 0 */
void ct__cfg_secret(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                    const ct__cfg_field_t *f); /* ct_config_secret_t */

/* Resolve a relative path against base_dir; malloc'd, NULL on OOM. */
char *ct__cfg_resolve(const char *base_dir, const char *p);

#endif /* CT_ENGINE_CONFIG_INT_H */
