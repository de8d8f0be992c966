/*
 * lws_log.c: libwebsockets' log lines into ct_log (see lws_log.h). Only
 * errors and warnings are kept; lws' notice and info lines name URIs and
 * would leak a postback path secret.
 */
#include "lws_log.h"

#include <libwebsockets.h>
#include <string.h>
#include <uv.h>

#include "copytrader/log.h"

static uv_once_t once = UV_ONCE_INIT;

static void emit(int level, const char *line) {
  int n = (int)strcspn(line, "\r\n");
  if (level & LLL_ERR)
    ct_log_error("lws", "msg=\"%.*s\"", n, line);
  else
    ct_log_warn("lws", "msg=\"%.*s\"", n, line);
}

static void set_level(void) {
  lws_set_log_level(LLL_ERR | LLL_WARN, emit);
}

void ct__lws_log_init(void) {
  uv_once(&once, set_level);
}
