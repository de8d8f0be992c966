/*
 * config_secret.c: secrets in the configuration (access tokens, the
 * postback secret) and path resolution.
 *
 * A secret is written inline, as `env:VAR` or as `file:/path`; it is read
 * once, at load, into a ct_secret_t. No message produced here contains a
 * secret's text: errors name the key, and for env:/file: the variable or
 * the path, which are not secret. Inline secrets are counted so that the
 * loader can refuse a file that others can read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "engine/config_int.h"

#define SECRET_MAX 8192 /* bytes; a Dhan JWT is about 400 */

char *ct__cfg_resolve(const char *base_dir, const char *p) {
  size_t nb, np;
  char *out;
  if (p[0] == '/' || base_dir == NULL || base_dir[0] == '\0' ||
      strcmp(base_dir, ".") == 0)
    return strdup(p);
  nb = strlen(base_dir);
  np = strlen(p);
  out = malloc(nb + np + 2);
  if (out == NULL)
    return NULL;
  memcpy(out, base_dir, nb);
  out[nb] = '/';
  memcpy(out + nb + 1, p, np + 1);
  return out;
}

/* Tokens go into HTTP headers: printable ASCII without spaces only. */
static bool secret_text_ok(const char *s, size_t n) {
  if (n == 0 || n > SECRET_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
      return false;
  return true;
}

/* Read a secret file into buf (trailing whitespace dropped); false after
 * an error that names only the path. */
static bool read_secret_file(ct__cfg_walk_t *w, yaml_node_t *v,
                             const char *path, char *buf, size_t size,
                             size_t *len) {
  FILE *f = fopen(path, "rb");
  size_t n;
  if (f == NULL) {
    ct__cfg_error(w, v, "cannot read secret file '%s': %s", path,
                  strerror(errno));
    return false;
  }
  n = fread(buf, 1, size - 1, f);
  fclose(f);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
                   buf[n - 1] == ' ' || buf[n - 1] == '\t'))
    n--;
  buf[n] = '\0';
  *len = n;
  return true;
}

static int store(ct__cfg_walk_t *w, ct_config_secret_t *dst, const char *text,
                 ct_secret_source_t src) {
  if (ct_secret_set(&dst->value, text) != 0) {
    w->oom = 1;
    return CT_ENOMEM;
  }
  dst->source = src;
  return 0;
}

static void secret_env(ct__cfg_walk_t *w, yaml_node_t *v,
                       ct_config_secret_t *dst, const char *var) {
  const char *text = var[0] ? getenv(var) : NULL;
  if (var[0] == '\0') {
    ct__cfg_error(w, v, "env: needs a variable name (env:NAME)");
    return;
  }
  if (text == NULL || text[0] == '\0') {
    ct__cfg_error(w, v, "environment variable %s is not set or empty", var);
    return;
  }
  if (!secret_text_ok(text, strlen(text))) {
    ct__cfg_error(w, v,
                  "environment variable %s holds spaces or control "
                  "characters",
                  var);
    return;
  }
  store(w, dst, text, CT_SECRET_SRC_ENV);
}

static void secret_file(ct__cfg_walk_t *w, yaml_node_t *v,
                        ct_config_secret_t *dst, const char *p) {
  char *path = p[0] ? ct__cfg_resolve(w->base_dir, p) : NULL;
  char *buf = malloc(SECRET_MAX + 2);
  size_t len = 0;
  if (p[0] == '\0')
    ct__cfg_error(w, v, "file: needs a path (file:/path/to/token)");
  else if (path == NULL || buf == NULL)
    w->oom = 1;
  else if (!read_secret_file(w, v, path, buf, SECRET_MAX + 2, &len))
    ; /* reported */
  else if (!secret_text_ok(buf, len))
    ct__cfg_error(w, v,
                  "secret file '%s' is empty, too long or holds "
                  "spaces or control characters",
                  path);
  else
    store(w, dst, buf, CT_SECRET_SRC_FILE);
  if (buf != NULL)
    explicit_bzero(buf, SECRET_MAX + 2);
  free(buf);
  free(path);
}

void ct__cfg_secret(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                    const ct__cfg_field_t *f) {
  ct_config_secret_t *s = dst;
  const char *text;
  (void)f;
  if (v->type != YAML_SCALAR_NODE) {
    ct__cfg_error(w, v,
                  "expected a single value (inline, env:VAR or "
                  "file:/path)");
    return;
  }
  text = (const char *)v->data.scalar.value;
  if (strncmp(text, "env:", 4) == 0) {
    secret_env(w, v, s, text + 4);
    return;
  }
  if (strncmp(text, "file:", 5) == 0) {
    secret_file(w, v, s, text + 5);
    return;
  }
  if (!secret_text_ok(text, strlen(text))) {
    ct__cfg_error(w, v,
                  "inline secret is empty, too long or holds spaces "
                  "or control characters");
    return;
  }
  if (w->inline_secrets++ == 0)
    snprintf(w->inline_first, sizeof(w->inline_first), "%s", w->path);
  store(w, s, text, CT_SECRET_SRC_INLINE);
}
