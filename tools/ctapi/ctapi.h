/*
 * ctapi: private declarations shared by the command-line tool's files.
 */
#ifndef CTAPI_H
#define CTAPI_H

#include <cjson/cJSON.h>

#include "copytrader/api_calls.h"

#define CTAPI_MAX_KV 32

/* The --key value pairs after <module> <call>. */
typedef struct kv {
  const char *key[CTAPI_MAX_KV]; /* without the leading "--" */
  const char *val[CTAPI_MAX_KV];
  int used[CTAPI_MAX_KV];
  int n;
  char err[256];
} kv_t;

/* Fill the params of `call` from kv into buf (size of the call's params,
 * at most sizeof(buf)). 0, or -1 with kv->err naming the flag. */
int ctapi_params(ct_api_call_t call, kv_t *kv, void *buf, size_t *size);

/* The result as JSON (never holds the token). */
cJSON *ctapi_result_json(const ct_api_result_t *r);

#endif /* CTAPI_H */
