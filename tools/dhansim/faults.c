/*
 * faults.c: fault injection for tests and benchmarks. A fault applies to
 * every request whose path starts with its route ("*" for all): added
 * latency with jitter (the response is delayed by a uv timer, the loop never
 * waits), and an error rate whose errors are one of: "500" (HTTP 500
 * DH-908), "DH-908", "DH-909" (HTTP 503), "timeout" (never answered),
 * "reset" (the connection is reset). A fault may be limited to one
 * account ("account": client id, matched by the request's token). Faults come
 * from flags (--latency,
 * --error) or from POST /admin/faults. Dropping WebSockets every N ms is a
 * repeating uv timer.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "dhansim.h"

uint64_t sim_rand(sim_t *s) {
  uint64_t x = s->rng ? s->rng : 0x9E3779B97F4A7C15ULL;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  s->rng = x;
  return x;
}

static double rand01(sim_t *s) {
  return (double)(sim_rand(s) >> 11) / 9007199254740992.0;
}

static bool account_ok(sim_t *s, const fault_t *f, const req_t *r) {
  const account_t *a;
  if (f->account[0] == '\0')
    return true;
  a = accounts_by_token(s, r->token);
  return a != NULL && strcmp(a->client_id, f->account) == 0;
}

static const fault_t *find(sim_t *s, const req_t *r) {
  for (size_t i = 0; i < s->n_faults; i++) {
    const fault_t *f = &s->faults[i];
    if ((strcmp(f->route, "*") == 0 ||
         strncmp(r->path, f->route, strlen(f->route)) == 0) &&
        account_ok(s, f, r))
      return f;
  }
  return NULL;
}

static void inject_error(req_t *r, const char *kind) {
  if (strcmp(kind, "timeout") == 0)
    r->action = ACT_NEVER;
  else if (strcmp(kind, "reset") == 0)
    r->action = ACT_RESET;
  else if (strcmp(kind, "DH-909") == 0)
    resp_error(r, 503, "Network_Error", "DH-909",
               "Network error: the backend could not be reached");
  else
    resp_error(r, 500, "Internal_Server_Error", "DH-908",
               "Internal server error");
}

int faults_apply(sim_t *s, req_t *r) {
  const fault_t *f = find(s, r);
  if (f == NULL)
    return 0;
  r->delay_ms = f->latency_ms;
  if (f->jitter_ms)
    r->delay_ms += sim_rand(s) % (f->jitter_ms + 1);
  if (f->error_rate > 0 && rand01(s) < f->error_rate) {
    inject_error(r, f->error_kind);
    return 1;
  }
  return 0;
}

static fault_t *slot(sim_t *s, const char *route, const char *account) {
  for (size_t i = 0; i < s->n_faults; i++)
    if (strcmp(s->faults[i].route, route) == 0 &&
        strcmp(s->faults[i].account, account) == 0)
      return &s->faults[i];
  if (s->n_faults == sizeof(s->faults) / sizeof(s->faults[0]))
    return NULL;
  fault_t *f = &s->faults[s->n_faults++];
  memset(f, 0, sizeof(*f));
  scopy(f->route, sizeof(f->route), route);
  scopy(f->account, sizeof(f->account), account);
  snprintf(f->error_kind, sizeof(f->error_kind), "500");
  return f;
}

static int kind_ok(const char *k) {
  static const char *const kinds[] = { "500",     "DH-908", "DH-909",
                                       "timeout", "reset",  NULL };
  for (size_t i = 0; kinds[i]; i++)
    if (strcmp(kinds[i], k) == 0)
      return 1;
  return 0;
}

int faults_set(sim_t *s, const cJSON *j, const char **err) {
  const char *route = "*", *kind = NULL, *account = "";
  double lat = 0, jit = 0, rate = 0;
  fault_t *f;
  int clear = 0;
  if (jx_bool(j, "clear", &clear) == JX_OK && clear) {
    s->n_faults = 0;
    return 0;
  }
  if (jx_str(j, "route", &route) == JX_BAD ||
      jx_num(j, "latencyMs", &lat) == JX_BAD ||
      jx_num(j, "jitterMs", &jit) == JX_BAD ||
      jx_num(j, "errorRate", &rate) == JX_BAD ||
      jx_str(j, "errorKind", &kind) == JX_BAD ||
      jx_str(j, "account", &account) == JX_BAD || lat < 0 || jit < 0 ||
      rate < 0 || rate > 1 || (kind && !kind_ok(kind))) {
    *err =
        "bad fault: route, latencyMs, jitterMs, errorRate 0..1, "
        "errorKind 500|DH-908|DH-909|timeout|reset";
    return CT_EINVAL;
  }
  f = slot(s, route, account);
  if (f == NULL) {
    *err = "too many faults";
    return CT_EFULL;
  }
  f->latency_ms = (uint64_t)lat;
  f->jitter_ms = (uint64_t)jit;
  f->error_rate = rate;
  if (kind)
    scopy(f->error_kind, sizeof(f->error_kind), kind);
  return 0;
}

/* --latency ROUTE=MS[:JITTER]   --error ROUTE=RATE[:KIND] */
int faults_parse_flag(sim_t *s, const char *flag, const char *arg) {
  char route[128], rest[64], *colon, *end;
  const char *eq = strchr(arg, '=');
  fault_t *f;
  if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(route) ||
      strlen(eq + 1) >= sizeof(rest))
    return CT_EINVAL;
  memcpy(route, arg, (size_t)(eq - arg));
  route[eq - arg] = '\0';
  scopy(rest, sizeof(rest), eq + 1);
  colon = strchr(rest, ':');
  if (colon)
    *colon++ = '\0';
  if ((f = slot(s, route, "")) == NULL)
    return CT_EFULL;
  if (strcmp(flag, "--latency") == 0) {
    f->latency_ms = strtoull(rest, &end, 10);
    if (*end || (colon && (f->jitter_ms = strtoull(colon, &end, 10), *end)))
      return CT_EINVAL;
    return 0;
  }
  f->error_rate = strtod(rest, &end);
  if (*end || f->error_rate < 0 || f->error_rate > 1 ||
      (colon && !kind_ok(colon)))
    return CT_EINVAL;
  if (colon)
    scopy(f->error_kind, sizeof(f->error_kind), colon);
  return 0;
}

static void drop_cb(uv_timer_t *t) {
  ws_drop_all(t->data);
}

void faults_ws_drop_start(sim_t *s) {
  uv_timer_stop(&s->ws_drop_timer);
  if (s->ws_drop_every_ms > 0)
    uv_timer_start(&s->ws_drop_timer, drop_cb, s->ws_drop_every_ms,
                   s->ws_drop_every_ms);
}
