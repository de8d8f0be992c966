/*
 * ctapi: call one Dhan REST API through the REST module actors and print
 * the typed result as JSON on stdout.
 *
 *   ctapi [--base-url URL] --client-id ID (--token-env VAR | --token-file F)
 *         [--ca-file F] [--timeout-ms N] <module> <call> [--key value ...]
 *
 * It starts a runtime with the account's module actors and one "cli"
 * actor that sends the call and stops the runtime when the answer comes.
 * The token is read from the environment or a file, kept in a ct_secret_t
 * and never printed. Exit code: 0 success, 2 usage, 3 business rejection,
 * 4 rate limited, 5 transient, 6 auth, 7 config, 8 outcome unknown,
 * 9 not found, 1 internal error.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "ctapi.h"

typedef struct cli {
  ct_actor_t *to;
  ct_api_call_t call;
  _Alignas(max_align_t) unsigned char params[sizeof(ct_api_margin_multi_t)];
  size_t params_size;
  uint64_t timeout_ms;
  uint64_t rid;
  int done;
  ct_api_result_t res;
} cli_t;

typedef struct opts {
  const char *base_url, *client_id, *token_env, *token_file, *ca_file;
  const char *module, *call;
  uint64_t timeout_ms;
} opts_t;

enum { MSG_GO = CT_MSG_USER };

static int usage(const char *why, const char *flag) {
  if (flag)
    fprintf(stderr, "ctapi: %s: %s\n", flag, why);
  else
    fprintf(stderr, "ctapi: %s\n", why);
  fputs(
      "usage: ctapi [--base-url URL] --client-id ID (--token-env VAR | "
      "--token-file FILE)\n"
      "             [--ca-file FILE] [--timeout-ms N] <module> <call> "
      "[--key value ...]\n"
      "modules: auth orders super forever portfolio edis control funds "
      "statement\n",
      stderr);
  return 2;
}

static int cli_init(ct_actor_t *self, void *arg) {
  ct_actor_set_state(self, arg);
  return 0;
}

static int cli_receive(ct_actor_t *self, const ct_envelope_t *env) {
  cli_t *c = ct_actor_state(self);
  if (env->type == MSG_GO) {
    int rc = ct_api_call(self, c->to, c->call, c->params, c->params_size,
                         c->timeout_ms, &c->rid);
    if (rc != 0) {
      c->res.err = rc;
      c->res.cls = CT_DHAN_CONFIG;
      snprintf(c->res.reason, sizeof(c->res.reason), "could not call: %s",
               ct_strerror(rc));
      c->res.call = c->call;
      ct_runtime_stop(ct_actor_runtime(self));
    }
  } else if (env->request_id == c->rid) {
    if (ct_api_result_read(env, &c->res) != 0)
      c->res.err = CT_EPROTO;
    c->done = 1;
    ct_runtime_stop(ct_actor_runtime(self));
  }
  return 0;
}

static const ct_actor_def_t cli_def = { "cli", cli_init, cli_receive, NULL };

static int find_call(const char *module, const char *call, ct_api_call_t *out) {
  for (int c = 0; c < CT_API_CALL_COUNT; c++)
    if (strcmp(ct_api_module_name(ct_api_call_module(c)), module) == 0 &&
        strcmp(ct_api_call_name(c), call) == 0) {
      *out = (ct_api_call_t)c;
      return 0;
    }
  return -1;
}

static int read_token(const opts_t *o, ct_secret_t *tok) {
  char buf[4096];
  const char *t = NULL;
  if (o->token_env) {
    if ((t = getenv(o->token_env)) == NULL || !*t)
      return usage("environment variable is empty or unset", "--token-env");
  } else {
    FILE *f = fopen(o->token_file, "r");
    size_t n;
    if (f == NULL)
      return usage("cannot open the file", "--token-file");
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    while (n > 0 &&
           (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
      n--;
    buf[n] = '\0';
    if (n == 0)
      return usage("the file is empty", "--token-file");
    t = buf;
  }
  int rc = ct_secret_set(tok, t) ? 1 : 0;
  memset(buf, 0, sizeof(buf));
  return rc;
}

/* Global flags, then <module> <call>, then --key value pairs into kv. */
static int parse(int argc, char **argv, opts_t *o, kv_t *kv) {
  int i = 1;
  o->base_url = CT_API_DEFAULT_BASE_URL;
  o->timeout_ms = 15000;
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
    const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    char *end;
    if (v == NULL)
      return usage("needs a value", f);
    if (strcmp(f, "--base-url") == 0)
      o->base_url = v;
    else if (strcmp(f, "--client-id") == 0)
      o->client_id = v;
    else if (strcmp(f, "--token-env") == 0)
      o->token_env = v;
    else if (strcmp(f, "--token-file") == 0)
      o->token_file = v;
    else if (strcmp(f, "--ca-file") == 0)
      o->ca_file = v;
    else if (strcmp(f, "--timeout-ms") == 0) {
      o->timeout_ms = strtoull(v, &end, 10);
      if (*end || o->timeout_ms == 0)
        return usage("expected a positive integer", f);
    } else
      return usage("unknown flag", f);
  }
  if (o->client_id == NULL)
    return usage("is required", "--client-id");
  if (!o->token_env == !o->token_file)
    return usage("give exactly one of --token-env and --token-file",
                 "--token-env");
  if (argc - i < 2)
    return usage("missing <module> <call>", NULL);
  o->module = argv[i++];
  o->call = argv[i++];
  for (; i < argc; i += 2) {
    if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0')
      return usage("expected --key value", argv[i]);
    if (i + 1 >= argc)
      return usage("needs a value", argv[i]);
    if (kv->n == CTAPI_MAX_KV)
      return usage("too many flags", argv[i]);
    kv->key[kv->n] = argv[i] + 2;
    kv->val[kv->n++] = argv[i + 1];
  }
  return 0;
}

static int exit_code(const ct_api_result_t *r) {
  static const int codes[CT_DHAN_CLASS_COUNT] = { 0, 3, 4, 5, 6, 7, 8, 9 };
  if (r->err == 0)
    return 0;
  return (unsigned)r->cls < CT_DHAN_CLASS_COUNT ? codes[r->cls] : 1;
}

static int run(const opts_t *o, ct_secret_t *tok, cli_t *c) {
  ct_runtime_opts_t ro = { .workers = 1 };
  ct_api_account_cfg_t cfg = { .client_id = o->client_id,
                               .token = tok,
                               .base_url = o->base_url,
                               .ca_file = o->ca_file };
  ct_runtime_t *rt = NULL;
  ct_api_account_t *acct = NULL;
  ct_actor_t *cli = NULL;
  ct_msg_t *m = NULL;
  int rc;
  if ((rc = ct_runtime_new(&ro, &rt)) ||
      (rc = ct_api_account_new(rt, &cfg, &acct)) ||
      (rc = ct_api_spawn(rt, acct, ct_api_call_module(c->call), 0, &c->to)) ||
      (rc = ct_spawn(rt, &cli_def, c, NULL, &cli)) ||
      (rc = ct_runtime_start(rt)) || (rc = ct_msg_new(MSG_GO, &m)) ||
      (rc = ct_send(cli, m))) {
    fprintf(stderr, "ctapi: start-up failed: %s\n", ct_strerror(rc));
    ct_msg_free(m);
    if (rt)
      ct_runtime_stop(rt);
  }
  if (rt) {
    ct_runtime_join(rt);
    ct_runtime_free(rt);
  }
  ct_api_account_free(acct);
  return rc;
}

int main(int argc, char **argv) {
  static cli_t c;
  opts_t o = { 0 };
  kv_t kv = { 0 };
  ct_secret_t tok = { 0 };
  int rc;
  ct_log_init_from_env();
  if (getenv("CT_LOG_LEVEL") == NULL)
    ct_log_set_level(CT_LOG_WARN);
  if ((rc = parse(argc, argv, &o, &kv)) != 0)
    return rc;
  if (find_call(o.module, o.call, &c.call) != 0)
    return usage("unknown <module> <call>", o.call);
  c.params_size = ct_api_call_params_size(c.call);
  if (ctapi_params(c.call, &kv, c.params, &c.params_size) != 0)
    return usage(kv.err, NULL);
  if ((rc = read_token(&o, &tok)) != 0)
    return rc;
  c.timeout_ms = o.timeout_ms;
  rc = run(&o, &tok, &c);
  ct_secret_clear(&tok);
  if (rc != 0)
    return 1;
  cJSON *j = ctapi_result_json(&c.res);
  char *s = cJSON_Print(j);
  puts(s);
  free(s);
  cJSON_Delete(j);
  rc = exit_code(&c.res);
  ct_api_result_free(&c.res);
  return rc;
}
