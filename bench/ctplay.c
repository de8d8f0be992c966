/*
 * ctplay: plays a scenario file (scenario.h) as the leader on dhansim.
 * Places, modifies and cancels go to the REST API with the leader's token,
 * partial fills to dhansim's POST /admin/fill; one libcurl easy handle is
 * reused so every request rides the same keep-alive connection. Pacing is
 * by CLOCK_MONOTONIC deadlines (`rate N` spaces actions 1/N s apart; a
 * burst sends its orders back to back).
 *
 *   ctplay --base http://127.0.0.1:PORT --account ID:TOKEN --scenario FILE
 *          [--cainfo CA.pem] [--burst-out FILE] [--verbose]
 *
 * --burst-out writes the ids of the orders placed by `burst` steps, one per
 * line, so the analysis can tell throughput events from paced ones.
 * On exit it prints one summary line on stdout:
 *   ctplay done mirrored=N places=N modifies=N cancels=N fills=N errors=N ms=N
 * `mirrored` counts the successful places, modifies and cancels (what a
 * copier should mirror). Exit status: 0, 1 when any request failed, 2 on a
 * bad command line or scenario.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copytrader/grow.h"

#include "scenario.h"

typedef struct named {
  char name[SC_NAME_SIZE];
  char id[32];
  sc_order_t o; /* current state, for modify bodies */
} named_t;

typedef struct player {
  CURL *h;
  struct curl_slist *hdr;
  const char *base, *client, *cainfo;
  char buf[8192];
  size_t len;
  named_t *names;
  size_t n_names, cap_names;
  uint64_t next_ns, gap_ns;
  long places, modifies, cancels, fills, errors;
  int verbose;
  FILE *burst_out; /* --burst-out: ids of the orders placed by bursts */
} player_t;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t) {
  struct timespec ts = { (time_t)(t / 1000000000u), (long)(t % 1000000000u) };
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud) {
  player_t *pl = ud;
  size_t k = sz * n, room = sizeof(pl->buf) - 1 - pl->len;
  memcpy(pl->buf + pl->len, p, k < room ? k : room);
  pl->len += k < room ? k : room;
  pl->buf[pl->len] = '\0';
  return k;
}

/* One request; returns the HTTP status (0 on a transport error). */
static long request(player_t *pl, const char *method, const char *url,
                    const char *body, unsigned line) {
  long status = 0;
  pl->len = 0;
  pl->buf[0] = '\0';
  curl_easy_setopt(pl->h, CURLOPT_URL, url);
  if (body != NULL)
    curl_easy_setopt(pl->h, CURLOPT_POSTFIELDS, body);
  else
    curl_easy_setopt(pl->h, CURLOPT_HTTPGET, 1L); /* no body at all */
  curl_easy_setopt(pl->h, CURLOPT_CUSTOMREQUEST, method);
  if (curl_easy_perform(pl->h) == CURLE_OK)
    curl_easy_getinfo(pl->h, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    pl->errors++;
    fprintf(stderr, "ctplay: line %u: %s %s -> %ld %s\n", line, method, url,
            status, pl->buf);
  } else if (pl->verbose) {
    fprintf(stderr, "ctplay: %s %s -> %ld\n", method, url, status);
  }
  return status;
}

static named_t *find(player_t *pl, const char *name) {
  for (size_t i = pl->n_names; i-- > 0;)
    if (strcmp(pl->names[i].name, name) == 0)
      return &pl->names[i];
  return NULL;
}

static named_t *bind_name(player_t *pl, const char *name) {
  named_t *n = find(pl, name);
  if (n != NULL)
    return n;
  named_t *a = ct_grow(pl->names, &pl->cap_names, pl->n_names, sizeof(*a), 64);
  if (a == NULL)
    return NULL;
  pl->names = a;
  n = &pl->names[pl->n_names++];
  memset(n, 0, sizeof(*n));
  snprintf(n->name, sizeof(n->name), "%s", name);
  return n;
}

static char *order_body(player_t *pl, const sc_order_t *o) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "dhanClientId", pl->client);
  cJSON_AddStringToObject(j, "transactionType", o->side);
  cJSON_AddStringToObject(j, "exchangeSegment", o->segment);
  cJSON_AddStringToObject(j, "productType", o->product);
  cJSON_AddStringToObject(j, "orderType", o->type);
  cJSON_AddStringToObject(j, "validity", o->validity);
  cJSON_AddStringToObject(j, "securityId", o->security);
  cJSON_AddNumberToObject(j, "quantity", (double)o->qty);
  cJSON_AddNumberToObject(j, "price", o->price);
  cJSON_AddNumberToObject(j, "triggerPrice", o->trigger);
  cJSON_AddBoolToObject(j, "afterMarketOrder", o->amo[0] != '\0');
  if (o->amo[0] != '\0')
    cJSON_AddStringToObject(j, "amoTime", o->amo);
  char *s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  return s;
}

/* Places one order; copies the new order id into id (may be NULL). */
static void place(player_t *pl, const sc_order_t *o, char *id, unsigned line) {
  char url[512], *body = order_body(pl, o);
  snprintf(url, sizeof(url), "%s/v2/orders", pl->base);
  if (request(pl, "POST", url, body, line) / 100 == 2) {
    pl->places++;
    cJSON *j = cJSON_Parse(pl->buf);
    cJSON *oid = cJSON_GetObjectItemCaseSensitive(j, "orderId");
    if (id != NULL && cJSON_IsString(oid))
      snprintf(id, 32, "%s", oid->valuestring);
    cJSON_Delete(j);
  }
  cJSON_free(body);
}

static void modify(player_t *pl, named_t *n, const sc_step_t *st) {
  char url[512];
  if (st->set & SC_SET_QTY)
    n->o.qty = st->order.qty;
  if (st->set & SC_SET_PRICE)
    n->o.price = st->order.price;
  if (st->set & SC_SET_TRIGGER)
    n->o.trigger = st->order.trigger;
  if (st->set & SC_SET_TYPE)
    memcpy(n->o.type, st->order.type, sizeof(n->o.type));
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "dhanClientId", pl->client);
  cJSON_AddStringToObject(j, "orderId", n->id);
  cJSON_AddStringToObject(j, "orderType", n->o.type);
  cJSON_AddStringToObject(j, "validity", n->o.validity);
  cJSON_AddNumberToObject(j, "quantity", (double)n->o.qty);
  cJSON_AddNumberToObject(j, "price", n->o.price);
  cJSON_AddNumberToObject(j, "triggerPrice", n->o.trigger);
  char *body = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  snprintf(url, sizeof(url), "%s/v2/orders/%s", pl->base, n->id);
  if (request(pl, "PUT", url, body, st->line) / 100 == 2)
    pl->modifies++;
  cJSON_free(body);
}

static void fill(player_t *pl, named_t *n, const sc_step_t *st) {
  char url[512], body[256];
  int k = snprintf(body, sizeof(body), "{\"orderId\":\"%s\"", n->id);
  if (st->order.qty > 0)
    k += snprintf(body + k, sizeof(body) - (size_t)k, ",\"quantity\":%lld",
                  (long long)st->order.qty);
  if (st->order.price > 0)
    k += snprintf(body + k, sizeof(body) - (size_t)k, ",\"price\":%.2f",
                  st->order.price);
  snprintf(body + k, sizeof(body) - (size_t)k, "}");
  snprintf(url, sizeof(url), "%s/admin/fill", pl->base);
  if (request(pl, "POST", url, body, st->line) / 100 == 2)
    pl->fills++;
}

static void pace(player_t *pl) {
  if (pl->gap_ns == 0)
    return;
  sleep_until(pl->next_ns);
  pl->next_ns += pl->gap_ns;
}

static void named_step(player_t *pl, const sc_step_t *st) {
  char url[512];
  named_t *n =
      st->kind == SC_PLACE ? bind_name(pl, st->name) : find(pl, st->name);
  if (n == NULL || (st->kind != SC_PLACE && n->id[0] == '\0')) {
    fprintf(stderr, "ctplay: line %u: no placed order named '%s'\n", st->line,
            st->name);
    pl->errors++;
    return;
  }
  pace(pl);
  switch (st->kind) {
  case SC_PLACE:
    n->o = st->order;
    n->id[0] = '\0';
    place(pl, &st->order, n->id, st->line);
    break;
  case SC_MODIFY:
    modify(pl, n, st);
    break;
  case SC_CANCEL:
    snprintf(url, sizeof(url), "%s/v2/orders/%s", pl->base, n->id);
    if (request(pl, "DELETE", url, NULL, st->line) / 100 == 2)
      pl->cancels++;
    break;
  default:
    fill(pl, n, st);
  }
}

static void step(player_t *pl, const sc_step_t *st) {
  switch (st->kind) {
  case SC_RATE:
    pl->gap_ns = st->n > 0 ? 1000000000u / (uint64_t)st->n : 0;
    pl->next_ns = now_ns();
    break;
  case SC_SLEEP:
    sleep_until(now_ns() + (uint64_t)st->n * 1000000u);
    pl->next_ns = now_ns();
    break;
  case SC_BURST:
    pace(pl);
    for (int64_t i = 0; i < st->n; i++) {
      char id[32] = "";
      place(pl, &st->order, id, st->line);
      if (pl->burst_out != NULL && id[0] != '\0')
        fprintf(pl->burst_out, "%s\n", id);
    }
    break;
  default:
    named_step(pl, st);
  }
}

static int setup(player_t *pl, const char *token) {
  char hdr[256];
  pl->h = curl_easy_init();
  if (pl->h == NULL)
    return -1;
  snprintf(hdr, sizeof(hdr), "access-token: %s", token);
  pl->hdr = curl_slist_append(NULL, hdr);
  pl->hdr = curl_slist_append(pl->hdr, "Content-Type: application/json");
  pl->hdr = curl_slist_append(pl->hdr, "Expect:");
  curl_easy_setopt(pl->h, CURLOPT_HTTPHEADER, pl->hdr);
  curl_easy_setopt(pl->h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(pl->h, CURLOPT_WRITEDATA, pl);
  curl_easy_setopt(pl->h, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(pl->h, CURLOPT_TCP_NODELAY, 1L);
  if (pl->cainfo != NULL)
    curl_easy_setopt(pl->h, CURLOPT_CAINFO, pl->cainfo);
  return 0;
}

static int usage(void) {
  fprintf(stderr,
          "usage: ctplay --base URL --account ID:TOKEN --scenario FILE "
          "[--cainfo CA.pem] [--burst-out FILE] [--verbose]\n");
  return 2;
}

int main(int argc, char **argv) {
  player_t pl = { 0 };
  const char *account = NULL, *file = NULL;
  char err[512], id[64];
  sc_scenario_t sc;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--verbose") == 0)
      pl.verbose = 1;
    else if (v == NULL)
      return usage();
    else if (strcmp(a, "--base") == 0)
      pl.base = v, i++;
    else if (strcmp(a, "--account") == 0)
      account = v, i++;
    else if (strcmp(a, "--scenario") == 0)
      file = v, i++;
    else if (strcmp(a, "--cainfo") == 0)
      pl.cainfo = v, i++;
    else if (strcmp(a, "--burst-out") == 0)
      pl.burst_out = fopen(v, "w"), i++;
    else
      return usage();
  }
  const char *colon = account ? strchr(account, ':') : NULL;
  if (pl.base == NULL || file == NULL || colon == NULL ||
      (size_t)(colon - account) >= sizeof(id))
    return usage();
  snprintf(id, sizeof(id), "%.*s", (int)(colon - account), account);
  pl.client = id;
  if (sc_load(file, &sc, err, sizeof(err))) {
    fprintf(stderr, "ctplay: %s\n", err);
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  uint64_t t0 = now_ns();
  pl.next_ns = t0;
  if (setup(&pl, colon + 1) == 0)
    for (size_t i = 0; i < sc.n_steps; i++)
      step(&pl, &sc.steps[i]);
  else
    pl.errors++;
  printf(
      "ctplay done mirrored=%ld places=%ld modifies=%ld cancels=%ld "
      "fills=%ld errors=%ld ms=%.0f\n",
      pl.places + pl.modifies + pl.cancels, pl.places, pl.modifies, pl.cancels,
      pl.fills, pl.errors, (double)(now_ns() - t0) / 1e6);
  curl_slist_free_all(pl.hdr);
  curl_easy_cleanup(pl.h);
  curl_global_cleanup();
  free(pl.names);
  sc_free(&sc);
  if (pl.burst_out != NULL)
    fclose(pl.burst_out);
  return pl.errors ? 1 : 0;
}
