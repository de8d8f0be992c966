/*
 * config.c: loading the engine's configuration file (public API in
 * include/copytrader/config.h).
 *
 * The file is read once with libyaml's document loader, which keeps the
 * line of every node, then walked against the schema (config_schema.c).
 * Nothing stops at the first problem: every error is collected, and only a
 * file without any yields a ct_config_t. The permission rule for inline
 * secrets is checked on the descriptor that was read (fstat), so the file
 * cannot be swapped between the check and the read. Reload (SIGHUP) is a
 * fresh load plus a refusal to change the leader or the state directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "copytrader/error.h"
#include "engine/config_int.h"
#include "engine/config_schema.h"

static int set_defaults(ct_config_t *cfg, const char *path) {
  cfg->path = strdup(path);
  cfg->rest_base_url = strdup(CT_CONFIG_DEFAULT_REST_URL);
  cfg->order_update_url = strdup(CT_CONFIG_DEFAULT_WS_URL);
  cfg->rate_limits = (ct_config_rate_limits_t){ 10, 250, 1000, 7000, 20 };
  cfg->workers = 2;
  if (!cfg->path || !cfg->rest_base_url || !cfg->order_update_url)
    return CT_ENOMEM;
  return 0;
}

void ct_config_free(ct_config_t *cfg) {
  if (cfg == NULL)
    return;
  ct_secret_clear(&cfg->leader.token.value);
  for (size_t i = 0; i < cfg->n_followers; i++)
    ct_secret_clear(&cfg->followers[i].token.value);
  ct_secret_clear(&cfg->postback_secret.value);
  free(cfg->followers);
  free(cfg->path);
  free(cfg->rest_base_url);
  free(cfg->order_update_url);
  free(cfg->ca_file);
  free(cfg->instruments);
  free(cfg->state_dir);
  free(cfg->postback_listen);
  free(cfg);
}

/* The folder of `path` ("." when it has none); malloc'd. */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  char *d;
  if (slash == NULL)
    return strdup(".");
  if (slash == path)
    return strdup("/");
  d = strndup(path, (size_t)(slash - path));
  return d;
}

static void yaml_failed(ct__cfg_walk_t *w, const yaml_parser_t *p) {
  const char *ctx = p->context ? p->context : "";
  ct__cfg_error_plain(w, (unsigned)p->problem_mark.line + 1,
                      "column %u: YAML syntax error: %s%s%s",
                      (unsigned)p->problem_mark.column + 1,
                      p->problem ? p->problem : "unreadable", ctx[0] ? " " : "",
                      ctx);
}

static void check_mode(ct__cfg_walk_t *w, const struct stat *st) {
  if (w->inline_secrets == 0 || (st->st_mode & 077) == 0)
    return;
  ct__cfg_error_plain(w, 0,
                      "holds %u inline secret(s) (first: %s) but is readable "
                      "by group or others (mode %04o); run chmod 600 %s, or "
                      "use env:VAR or file:/path for the secrets",
                      w->inline_secrets, w->inline_first,
                      (unsigned)(st->st_mode & 07777), w->file);
}

/* Parse the open file into cfg; problems go to w. */
static void parse(ct__cfg_walk_t *w, FILE *f, ct_config_t *cfg) {
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_node_t *root;
  if (!yaml_parser_initialize(&parser)) {
    w->oom = 1;
    return;
  }
  yaml_parser_set_input_file(&parser, f);
  if (!yaml_parser_load(&parser, &doc)) {
    yaml_failed(w, &parser);
    yaml_parser_delete(&parser);
    return;
  }
  w->doc = &doc;
  root = yaml_document_get_root_node(&doc);
  if (root == NULL)
    ct__cfg_error_plain(w, 0, "empty file");
  else
    ct__cfg_walk_root(w, root, cfg);
  if (w->n_errors == 0 && !w->oom)
    ct__cfg_cross_check(w, cfg);
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
}

static int load_file(ct__cfg_walk_t *w, const char *path, ct_config_t *cfg) {
  struct stat st;
  FILE *f = fopen(path, "rb");
  if (f == NULL || fstat(fileno(f), &st) != 0) {
    ct__cfg_error_plain(w, 0, "cannot read: %s", strerror(errno));
    if (f != NULL)
      fclose(f);
    return CT_EIO;
  }
  parse(w, f, cfg);
  fclose(f);
  check_mode(w, &st);
  return 0;
}

int ct_config_load(const char *path, ct_config_t **out,
                   ct_config_errors_t *errors) {
  ct__cfg_walk_t w = { 0 };
  ct_config_t *cfg = NULL;
  char *base = NULL;
  int rc;
  if (path == NULL || out == NULL)
    return CT_EINVAL;
  *out = NULL;
  cfg = calloc(1, sizeof(*cfg));
  base = dir_of(path);
  if (cfg == NULL || base == NULL || set_defaults(cfg, path) != 0) {
    rc = CT_ENOMEM;
    goto fail;
  }
  w.file = path;
  w.base_dir = base;
  w.errs = errors;
  rc = load_file(&w, path, cfg);
  if (rc == 0 && w.oom)
    rc = CT_ENOMEM;
  else if (rc == 0 && w.n_errors > 0)
    rc = CT_ECONFIG;
  if (rc != 0)
    goto fail;
  free(base);
  *out = cfg;
  return 0;
fail:
  free(base);
  ct_config_free(cfg);
  return rc;
}

int ct_config_reload(const ct_config_t *cur, ct_config_t **out,
                     ct_config_errors_t *errors) {
  ct__cfg_walk_t w = { 0 };
  ct_config_t *next = NULL;
  int rc;
  if (cur == NULL || out == NULL)
    return CT_EINVAL;
  *out = NULL;
  rc = ct_config_load(cur->path, &next, errors);
  if (rc != 0)
    return rc;
  w.file = cur->path;
  w.errs = errors;
  if (strcmp(next->leader.client_id, cur->leader.client_id) != 0)
    ct__cfg_error_plain(&w, 0,
                        "leader.client_id: cannot change on reload "
                        "(restart the engine)");
  if (strcmp(next->state_dir, cur->state_dir) != 0)
    ct__cfg_error_plain(&w, 0,
                        "state_dir: cannot change on reload (restart "
                        "the engine)");
  if (w.n_errors > 0 || w.oom) {
    ct_config_free(next);
    return w.oom ? CT_ENOMEM : CT_ECONFIG;
  }
  *out = next;
  return 0;
}

const ct_config_follower_t *ct_config_find_follower(const ct_config_t *cfg,
                                                    const char *name) {
  if (cfg == NULL || name == NULL)
    return NULL;
  for (size_t i = 0; i < cfg->n_followers; i++)
    if (strcmp(cfg->followers[i].name, name) == 0)
      return &cfg->followers[i];
  return NULL;
}

int ct_config_check(const char *path, FILE *out) {
  ct_config_errors_t errs;
  ct_config_t *cfg = NULL;
  size_t enabled = 0;
  int rc;
  ct_config_errors_init(&errs);
  rc = ct_config_load(path, &cfg, &errs);
  for (size_t i = 0; i < errs.count; i++)
    fprintf(out, "%s\n", errs.items[i]);
  if (rc == 0) {
    for (size_t i = 0; i < cfg->n_followers; i++)
      enabled += cfg->followers[i].rules.enabled;
    fprintf(out, "%s: ok: leader %s, %zu follower(s), %zu enabled\n", path,
            cfg->leader.client_id, cfg->n_followers, enabled);
  } else if (errs.count == 0) {
    fprintf(out, "%s: %s\n", path, ct_strerror(rc));
  } else {
    fprintf(out, "%s: %zu error(s)\n", path, errs.count);
  }
  ct_config_free(cfg);
  ct_config_errors_close(&errs);
  return rc;
}
