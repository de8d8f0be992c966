/*
 * accounts.c: the simulated accounts given by --account ID:TOKEN[:FUNDS]:
 * token lookup for authentication, the funds model and the position table.
 *
 * Funds model: availabelBalance = sodLimit + (sell fills - buy fills)
 * - funds held by open orders: a cash BUY holds its remaining quantity x
 * price; a derivative order (either side) holds the margin of its remaining
 * quantity (accounts_margin(), the same figure /margincalculator answers).
 * Futures fills move no cash (no mark-to-market). It is simple on purpose;
 * it keeps the order book, trade book, positions and funds consistent with
 * each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "dhansim.h"

#define DEFAULT_FUNDS 10000000.0

account_t *accounts_by_token(sim_t *s, const char *token) {
  if (token == NULL || *token == '\0')
    return NULL;
  for (size_t i = 0; i < s->n_accounts; i++)
    if (strcmp(ct_secret_reveal(&s->accounts[i]->token), token) == 0)
      return s->accounts[i];
  return NULL;
}

account_t *accounts_by_id(sim_t *s, const char *client_id) {
  if (client_id == NULL)
    return NULL;
  for (size_t i = 0; i < s->n_accounts; i++)
    if (strcmp(s->accounts[i]->client_id, client_id) == 0)
      return s->accounts[i];
  return NULL;
}

static int parse_spec(account_t *a, const char *spec) {
  const char *c1 = strchr(spec, ':'), *c2;
  char token[1024];
  char *end;
  if (c1 == NULL || c1 == spec || (size_t)(c1 - spec) >= sizeof(a->client_id))
    return CT_EINVAL;
  memcpy(a->client_id, spec, (size_t)(c1 - spec));
  c2 = strchr(c1 + 1, ':');
  size_t tl = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
  if (tl == 0 || tl >= sizeof(token))
    return CT_EINVAL;
  memcpy(token, c1 + 1, tl);
  token[tl] = '\0';
  a->sod = DEFAULT_FUNDS;
  if (c2) {
    a->sod = strtod(c2 + 1, &end);
    if (*end != '\0' || end == c2 + 1 || a->sod < 0)
      return CT_EINVAL;
  }
  return ct_secret_set(&a->token, token);
}

/* Dhan's §17 windows, with the engine's own limiter (no margin: the
 * simulator is the clock that counts). */
static int limits_init(account_t *a) {
  ct_rate_window_t w[CT_RATE_MAX_WINDOWS];
  int rc = ct_token_bucket_init(&a->rl_orders, w, ct_rate_dhan_orders(w, 0));
  if (rc == 0)
    rc = ct_token_bucket_init(&a->rl_other, w, ct_rate_dhan_non_trading(w, 0));
  return rc;
}

static void account_free(account_t *a) {
  ct_secret_clear(&a->token);
  ct_token_bucket_close(&a->rl_orders);
  ct_token_bucket_close(&a->rl_other);
  free(a->orders);
  free(a->trades);
  free(a->positions);
  free(a->postback_url);
  free(a);
}

int accounts_add(sim_t *s, const char *spec) {
  account_t *a = calloc(1, sizeof(*a)), **n;
  int rc = CT_ENOMEM;
  if (a == NULL)
    return CT_ENOMEM;
  rc = parse_spec(a, spec);
  if (rc != 0)
    goto fail;
  rc = CT_EEXIST;
  if (accounts_by_id(s, a->client_id) ||
      accounts_by_token(s, ct_secret_reveal(&a->token)))
    goto fail;
  if ((rc = limits_init(a)) != 0)
    goto fail;
  rc = CT_ENOMEM;
  n = realloc(s->accounts, (s->n_accounts + 1) * sizeof(*n));
  if (n == NULL)
    goto fail;
  s->accounts = n;
  s->accounts[s->n_accounts++] = a;
  return 0;
fail:
  account_free(a);
  return rc;
}

void accounts_free(sim_t *s) {
  for (size_t i = 0; i < s->n_accounts; i++)
    account_free(s->accounts[i]);
  free(s->accounts);
  s->accounts = NULL;
  s->n_accounts = 0;
}

position_t *accounts_position(account_t *a, const char *seg, const char *sec,
                              const char *product) {
  position_t *p;
  for (size_t i = 0; i < a->n_positions; i++) {
    p = &a->positions[i];
    if (strcmp(p->segment, seg) == 0 && strcmp(p->security_id, sec) == 0 &&
        strcmp(p->product, product) == 0)
      return p;
  }
  if (sim_grow((void **)&a->positions, &a->cap_positions, a->n_positions,
               sizeof(*p)))
    return NULL;
  p = &a->positions[a->n_positions++];
  memset(p, 0, sizeof(*p));
  scopy(p->segment, sizeof(p->segment), seg);
  scopy(p->security_id, sizeof(p->security_id), sec);
  scopy(p->product, sizeof(p->product), product);
  return p;
}

double accounts_available(const account_t *a) {
  return a->sod + a->cash_delta - a->blocked;
}

#define SPAN_RATE     0.08
#define EXPOSURE_RATE 0.02

int accounts_is_derivative(const ct_instrument_t *ins) {
  return ins != NULL && strcmp(ins->segment, "E") != 0;
}

void accounts_margin(const ct_instrument_t *ins, int buy, const char *product,
                     int64_t qty, double px, sim_margin_t *out) {
  double value = (double)qty * px, base = value;
  memset(out, 0, sizeof(*out));
  if (!accounts_is_derivative(ins)) {
    out->variable = value * (strcmp(product, "INTRADAY") == 0 ? 0.2 : 1);
    out->total = out->variable;
    return;
  }
  if (strncmp(ins->instrument, "OPT", 3) == 0) {
    if (buy) {
      out->total = value; /* the premium */
      return;
    }
    if (ins->strike_price > 0)
      base = (double)qty * ins->strike_price;
  }
  out->span = base * SPAN_RATE;
  out->exposure = base * EXPOSURE_RATE;
  out->total = out->span + out->exposure;
}
