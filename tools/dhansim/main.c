/*
 * main.c: dhansim's command line, start-up and shutdown.
 *
 *   dhansim --listen 127.0.0.1:PORT --account ID:TOKEN[:FUNDS] [...]
 *
 * Prints exactly one line on stdout when it is ready to serve
 * ("dhansim ready listen=127.0.0.1:PORT accounts=N tls=0|1"; with port 0 the
 * real port), then runs the loop until SIGINT or SIGTERM. See
 * tools/dhansim/README.md for every flag.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "orders.h"
#include "server.h"

#define DEFAULT_INSTRUMENTS DHANSIM_DATA_DIR "/instruments.csv"

typedef struct opts {
  server_opts_t srv;
  const char *instruments;
  char host[64];
} opts_t;

static void usage(FILE *f) {
  fputs(
      "usage: dhansim --listen HOST:PORT --account ID:TOKEN[:FUNDS] [...]\n"
      "  --instruments FILE     instrument master CSV (default: shipped)\n"
      "  --tls-cert FILE --tls-key FILE   serve HTTPS and WSS\n"
      "  --fill-mode none|full|partial    (default full)\n"
      "  --ack-ms N             TRANSIT -> PENDING delay (default 1)\n"
      "  --fill-delay-ms N      delay before an automatic fill (default 5)\n"
      "  --no-rate-limit        disable Dhan's rate limits\n"
      "  --forever-list-documented  forever lists without correlationId\n"
      "  --forever-spawn-gtt     a fired forever order's order carries\n"
      "                          GoodTillDaysDate and no correlationId\n"
      "  --postback ID=URL      POST order changes of account ID to URL\n"
      "  --latency ROUTE=MS[:JITTER]      added latency (ROUTE prefix or *)\n"
      "  --error ROUTE=RATE[:KIND]        KIND 500|DH-908|DH-909|DH-904|"
      "timeout|reset\n"
      "  --ws-drop-every-ms N   drop all order-update sockets every N ms\n"
      "  --ws-status-case upper|title   Status spelling in order_alert\n"
      "  --seed N               random seed for fault injection\n",
      f);
}

static int die_flag(const char *flag, const char *why) {
  fprintf(stderr, "dhansim: %s: %s\n", flag, why);
  return 2;
}

static int parse_listen(opts_t *o, const char *arg) {
  const char *c = strrchr(arg, ':');
  char *end;
  long port;
  if (c == NULL || c == arg || (size_t)(c - arg) >= sizeof(o->host))
    return -1;
  memcpy(o->host, arg, (size_t)(c - arg));
  o->host[c - arg] = '\0';
  port = strtol(c + 1, &end, 10);
  if (*end || end == c + 1 || port < 0 || port > 65535)
    return -1;
  o->srv.host = o->host;
  o->srv.port = (int)port;
  return 0;
}

static int parse_u64(const char *arg, uint64_t *out) {
  char *end;
  if (*arg < '0' || *arg > '9')
    return -1;
  *out = strtoull(arg, &end, 10);
  return *end ? -1 : 0;
}

static int set_postback(sim_t *s, const char *arg) {
  const char *eq = strchr(arg, '=');
  char id[64];
  account_t *a;
  if (eq == NULL || (size_t)(eq - arg) >= sizeof(id) || eq[1] == '\0')
    return -1;
  memcpy(id, arg, (size_t)(eq - arg));
  id[eq - arg] = '\0';
  a = accounts_by_id(s, id);
  if (a == NULL)
    return -1;
  free(a->postback_url);
  a->postback_url = strdup(eq + 1);
  return a->postback_url ? 0 : -1;
}

static int one_flag(sim_t *s, opts_t *o, const char *f, const char *v) {
  if (strcmp(f, "--listen") == 0)
    return parse_listen(o, v) ? die_flag(f, "expected HOST:PORT") : 0;
  if (strcmp(f, "--account") == 0)
    return accounts_add(s, v) ? die_flag(f,
                                         "expected unique "
                                         "CLIENT_ID:ACCESS_TOKEN[:FUNDS]")
                              : 0;
  if (strcmp(f, "--instruments") == 0)
    return (o->instruments = v), 0;
  if (strcmp(f, "--tls-cert") == 0)
    return (o->srv.tls_cert = v), 0;
  if (strcmp(f, "--tls-key") == 0)
    return (o->srv.tls_key = v), 0;
  if (strcmp(f, "--fill-mode") == 0) {
    s->fill_mode = strcmp(v, "none") == 0      ? FILL_NONE
                   : strcmp(v, "full") == 0    ? FILL_FULL
                   : strcmp(v, "partial") == 0 ? FILL_PARTIAL
                                               : -1;
    return s->fill_mode < 0 ? die_flag(f, "expected none|full|partial") : 0;
  }
  if (strcmp(f, "--ws-status-case") == 0) {
    s->ws_title_status = strcmp(v, "title") == 0;
    return (s->ws_title_status || strcmp(v, "upper") == 0)
               ? 0
               : die_flag(f, "expected upper|title");
  }
  if (strcmp(f, "--ack-ms") == 0)
    return parse_u64(v, &s->ack_ms) ? die_flag(f, "expected a number") : 0;
  if (strcmp(f, "--fill-delay-ms") == 0)
    return parse_u64(v, &s->fill_delay_ms) ? die_flag(f, "expected a number")
                                           : 0;
  if (strcmp(f, "--ws-drop-every-ms") == 0)
    return parse_u64(v, &s->ws_drop_every_ms) ? die_flag(f, "expected a number")
                                              : 0;
  if (strcmp(f, "--seed") == 0)
    return parse_u64(v, &s->rng) ? die_flag(f, "expected a number") : 0;
  if (strcmp(f, "--postback") == 0)
    return set_postback(s, v) ? die_flag(f,
                                         "expected ID=URL for an account "
                                         "given before it")
                              : 0;
  if (strcmp(f, "--latency") == 0 || strcmp(f, "--error") == 0)
    return faults_parse_flag(s, f, v) ? die_flag(f, "bad fault spec") : 0;
  return die_flag(f, "unknown flag (see --help)");
}

static int parse_args(sim_t *s, opts_t *o, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    int rc;
    if (strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      exit(0);
    }
    if (strcmp(argv[i], "--no-rate-limit") == 0) {
      s->rate_limit = 0;
      continue;
    }
    if (strcmp(argv[i], "--forever-list-documented") == 0) {
      s->forever_list_documented = 1;
      continue;
    }
    if (strcmp(argv[i], "--forever-spawn-gtt") == 0) {
      s->forever_spawn_gtt = 1;
      continue;
    }
    if (strncmp(argv[i], "--", 2) != 0)
      return die_flag(argv[i], "unexpected argument");
    if (i + 1 >= argc)
      return die_flag(argv[i], "missing value");
    rc = one_flag(s, o, argv[i], argv[i + 1]);
    if (rc)
      return rc;
    i++;
  }
  if (o->srv.host == NULL)
    return die_flag("--listen", "required");
  if (s->n_accounts == 0)
    return die_flag("--account", "at least one is required");
  if (!o->srv.tls_cert != !o->srv.tls_key)
    return die_flag(o->srv.tls_cert ? "--tls-key" : "--tls-cert",
                    "--tls-cert and --tls-key go together");
  return 0;
}

static int load_instruments(sim_t *s, const char *path) {
  size_t line = 0, n;
  int rc = ct_instruments_load(path, &s->instruments, &line);
  if (rc) {
    fprintf(stderr, "dhansim: --instruments: cannot load %s: %s (line %zu)\n",
            path, ct_strerror(rc), line);
    return 2;
  }
  n = ct_instruments_count(s->instruments);
  s->ltp = calloc(n ? n : 1, sizeof(double));
  if (s->ltp == NULL)
    return 2;
  for (size_t i = 0; i < n; i++)
    s->ltp[i] = ct_instruments_at(s->instruments, i)->last_price;
  return 0;
}

static uv_signal_t sigint_h, sigterm_h;

static void close_if_open(uv_handle_t *h) {
  if (h->loop && !uv_is_closing(h))
    uv_close(h, NULL);
}

/* Starts the shutdown from inside the loop (as lws wants for a foreign
 * loop): lws closes its own handles, we close ours, and uv_run() returns
 * once nothing is left. */
static void begin_shutdown(sim_t *s) {
  s->stopping = 1;
  server_stop(s);
  postback_close(s);
  orders_close_all(s);
  close_if_open((uv_handle_t *)&s->ws_drop_timer);
  close_if_open((uv_handle_t *)&sigint_h);
  close_if_open((uv_handle_t *)&sigterm_h);
}

static void on_signal(uv_signal_t *h, int sig) {
  sim_t *s = h->data;
  (void)sig;
  if (!s->stopping)
    begin_shutdown(s);
}

/* For start-up failures, and a second pass in case lws needs one. */
static void shutdown_loop(sim_t *s) {
  if (!s->stopping)
    begin_shutdown(s);
  uv_run(s->loop, UV_RUN_DEFAULT);
  if (s->lws) {
    lws_context_destroy(s->lws);
    uv_run(s->loop, UV_RUN_DEFAULT);
  }
}

static int run(sim_t *s, opts_t *o) {
  int port = 0, rc;
  if (stamps_init(s) || reqlog_init(s) || postback_init(s))
    return 2;
  rc = server_start(s, &o->srv, &port);
  if (rc) {
    fprintf(stderr, "dhansim: --listen: cannot listen on %s:%d\n", o->host,
            o->srv.port);
    return 2;
  }
  faults_ws_drop_start(s);
  uv_signal_init(s->loop, &sigint_h);
  uv_signal_init(s->loop, &sigterm_h);
  sigint_h.data = sigterm_h.data = s;
  uv_signal_start(&sigint_h, on_signal, SIGINT);
  uv_signal_start(&sigterm_h, on_signal, SIGTERM);
  printf("dhansim ready listen=%s:%d accounts=%zu tls=%d\n", o->host, port,
         s->n_accounts, o->srv.tls_cert ? 1 : 0);
  fflush(stdout);
  uv_run(s->loop, UV_RUN_DEFAULT);
  return 0;
}

int main(int argc, char **argv) {
  static sim_t sim;
  opts_t o;
  uv_loop_t loop;
  int rc;

  memset(&o, 0, sizeof(o));
  o.instruments = DEFAULT_INSTRUMENTS;
  sim.fill_mode = FILL_FULL;
  sim.ack_ms = 1;
  sim.fill_delay_ms = 5;
  sim.rate_limit = 1;
  ct_log_init_from_env();
  lws_set_log_level(LLL_ERR, NULL);
  uv_loop_init(&loop);
  sim.loop = &loop;
  uv_timer_init(&loop, &sim.ws_drop_timer);
  sim.ws_drop_timer.data = &sim;
  rc = parse_args(&sim, &o, argc, argv);
  if (rc == 0)
    rc = load_instruments(&sim, o.instruments);
  if (rc == 0)
    rc = run(&sim, &o);
  shutdown_loop(&sim);
  if (uv_loop_close(&loop) != 0) { /* tests check the exit status */
    ct_log_error("dhansim", "msg=\"loop not closed cleanly\"");
    if (rc == 0)
      rc = 3;
  }
  orders_free_all(&sim);
  accounts_free(&sim);
  stamps_free(&sim);
  reqlog_free(&sim);
  ct_instruments_free(sim.instruments);
  free(sim.ltp);
  return rc;
}
