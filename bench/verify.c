/*
 * verify.c: the final-state check of one run and the coalesced
 * modifications it allows (bench/README.md, "Final states and coalesced
 * modifications").
 *
 * Every follower order placed in the session (a follower POST whose
 * correlationId a `sent` line ties to a leader order) is compared with its
 * leader order as dhansim holds both at the end (GET /admin/orders, one
 * JSON array per line): a leader order cancelled or expired needs the
 * follower's closed; an open (or traded: the harness never fills follower
 * orders) leader order needs the follower's with the same type, quantity
 * and, where the type has them, price and trigger.
 *
 * A follower order with fewer PUTs than its leader order had leader
 * modifications left out; each is "coalesced" when the copier wrote a
 * `coalesced` line for it (correlationId) AND the final state checks,
 * otherwise it stays missing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

typedef struct ent {
  const char *k;
  const void *p; /* the leader order id, or a final order record */
  long n;
} ent_t;

typedef struct tab {
  ent_t *e;
  size_t n, cap;
} tab_t;

static int cmp_ent(const void *a, const void *b) {
  return strcmp(((const ent_t *)a)->k, ((const ent_t *)b)->k);
}

static void tab_add(tab_t *t, const char *k, const void *p) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 1024;
    ent_t *e = realloc(t->e, cap * sizeof(*e));
    if (e == NULL)
      return;
    t->e = e, t->cap = cap;
  }
  t->e[t->n++] = (ent_t){ k, p, 1 };
}

/* Sorts, folding equal keys into one entry (n: how many; p: the last). */
static void tab_seal(tab_t *t) {
  size_t w = 0;
  if (t->n == 0)
    return;
  qsort(t->e, t->n, sizeof(*t->e), cmp_ent);
  for (size_t i = 0; i < t->n; i++) {
    if (w > 0 && strcmp(t->e[w - 1].k, t->e[i].k) == 0) {
      t->e[w - 1].n++;
      t->e[w - 1].p = t->e[i].p;
    } else {
      t->e[w++] = t->e[i];
    }
  }
  t->n = w;
}

static const ent_t *tab_get(const tab_t *t, const char *k) {
  ent_t key = { k, NULL, 0 };
  return t->n ? bsearch(&key, t->e, t->n, sizeof(*t->e), cmp_ent) : NULL;
}

static const char *s_of(const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  return cJSON_IsString(v) ? v->valuestring : "";
}

static double n_of(const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static int closed(const char *st) {
  return strcmp(st, "CANCELLED") == 0 || strcmp(st, "EXPIRED") == 0 ||
         strcmp(st, "REJECTED") == 0 || strcmp(st, "TRADED") == 0;
}

/* The follower order F mirrors the leader order L in its final state. */
static int final_ok(const cJSON *L, const cJSON *F) {
  const char *ls = s_of(L, "orderStatus"), *fs = s_of(F, "orderStatus");
  const char *type = s_of(L, "orderType");
  int priced = strcmp(type, "LIMIT") == 0 || strcmp(type, "STOP_LOSS") == 0;
  int trig =
      strcmp(type, "STOP_LOSS") == 0 || strcmp(type, "STOP_LOSS_MARKET") == 0;
  if (strcmp(ls, "CANCELLED") == 0 || strcmp(ls, "EXPIRED") == 0)
    return closed(fs);
  if (strcmp(ls, "REJECTED") == 0)
    return 1; /* nothing to mirror: a request error if one was sent */
  if (closed(fs) && strcmp(fs, "TRADED") != 0)
    return 0;
  return strcmp(type, s_of(F, "orderType")) == 0 &&
         n_of(L, "quantity") == n_of(F, "quantity") &&
         (!priced || fabs(n_of(L, "price") - n_of(F, "price")) < 1e-6) &&
         (!trig ||
          fabs(n_of(L, "triggerPrice") - n_of(F, "triggerPrice")) < 1e-6);
}

/* orders.jsonl: one array per line -> orderId -> record. */
static cJSON *load_orders(const char *path, tab_t *fin) {
  char *text = path ? stats_slurp(path) : NULL;
  cJSON *all = text ? cJSON_CreateArray() : NULL;
  for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
    nl = strchr(p, '\n');
    if (nl)
      *nl = '\0';
    cJSON *a = cJSON_Parse(p), *o;
    if (!cJSON_IsArray(a)) {
      cJSON_Delete(a);
      continue;
    }
    cJSON_AddItemToArray(all, a);
    cJSON_ArrayForEach(o, a) tab_add(fin, s_of(o, "orderId"), o);
  }
  free(text);
  tab_seal(fin);
  return all;
}

/* From the stamps: leader PUTs per leader order, follower PUTs per
 * correlationId, follower places (correlationId -> order id). */
static void load_requests(const cJSON *stamps, const char *leader, tab_t *lput,
                          tab_t *fput, tab_t *place) {
  const cJSON *e;
  cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(stamps, "requests")) {
    const char *m = s_of(e, "method"), *path = s_of(e, "path");
    if (strncmp(path, "/v2/orders", 10) != 0)
      continue;
    if (strcmp(s_of(e, "account"), leader) == 0) {
      if (strcmp(m, "PUT") == 0 && strncmp(path, "/v2/orders/", 11) == 0)
        tab_add(lput, path + 11, NULL);
    } else if (strcmp(m, "PUT") == 0) {
      tab_add(fput, s_of(e, "correlationId"), NULL);
    } else if (strcmp(m, "POST") == 0) {
      tab_add(place, s_of(e, "correlationId"), s_of(e, "orderId"));
    }
  }
  tab_seal(lput);
  tab_seal(fput);
  tab_seal(place);
}

static void load_lines(const cJSON *lines, tab_t *leader_of, tab_t *coal) {
  const cJSON *j;
  cJSON_ArrayForEach(j, lines) {
    const char *ev = s_of(j, "ev");
    if (strcmp(ev, "sent") == 0)
      tab_add(leader_of, s_of(j, "corr"), s_of(j, "leader_order"));
    else if (strcmp(ev, "coalesced") == 0)
      tab_add(coal, s_of(j, "corr"), NULL);
  }
  tab_seal(leader_of);
  tab_seal(coal);
}

static void check_one(verify_out_t *out, const ent_t *pl, const char *lo,
                      const tab_t *fin, const tab_t *lput, const tab_t *fput,
                      const tab_t *coal) {
  const ent_t *L = tab_get(fin, lo), *F = tab_get(fin, pl->p);
  const ent_t *lp = tab_get(lput, lo), *fp = tab_get(fput, pl->k);
  const ent_t *c = tab_get(coal, pl->k);
  long deficit = (lp ? lp->n : 0) - (fp ? fp->n : 0);
  long cover = c == NULL || deficit <= 0 ? 0 : c->n < deficit ? c->n : deficit;
  int ok = L != NULL && F != NULL && final_ok(L->p, F->p);
  out->checked++;
  if (!ok && out->mismatched++ < 5)
    fprintf(stderr,
            "ctstats: final state differs: leader %s %s, follower %s %s\n", lo,
            L ? s_of(L->p, "orderStatus") : "(none)", (const char *)pl->p,
            F ? s_of(F->p, "orderStatus") : "(none)");
  if (ok)
    out->coalesced += cover;
  else
    out->coalesced_unverified += cover;
}

void stats_verify(const cJSON *stamps, const cJSON *lines, const char *leader,
                  const char *orders, verify_out_t *out) {
  tab_t fin = { 0 }, lput = { 0 }, fput = { 0 }, place = { 0 };
  tab_t leader_of = { 0 }, coal = { 0 };
  cJSON *keep = load_orders(orders, &fin);
  memset(out, 0, sizeof(*out));
  out->have_orders = keep != NULL && fin.n > 0;
  load_requests(stamps, leader, &lput, &fput, &place);
  load_lines(lines, &leader_of, &coal);
  for (size_t i = 0; out->have_orders && i < place.n; i++) {
    const ent_t *lo = tab_get(&leader_of, place.e[i].k);
    if (lo != NULL && place.e[i].k[0] != '\0')
      check_one(out, &place.e[i], lo->p, &fin, &lput, &fput, &coal);
  }
  for (size_t i = 0; i < coal.n; i++)
    out->coalesced_lines += coal.e[i].n;
  free(fin.e);
  free(lput.e);
  free(fput.e);
  free(place.e);
  free(leader_of.e);
  free(coal.e);
  cJSON_Delete(keep);
}
