/*
 * stats.c: per-run figures from dhansim's stamps and the copier's metrics.
 *
 * Each follower order request (POST, PUT, DELETE under /v2/orders from an
 * account other than the leader) is tied to its leader order through the
 * correlationId of the copier's `sent` lines, and to the leader frame that
 * caused it: a place to the leader order's first frame, a cancel to its
 * CANCELLED frame, a modify to the last frame before it that was not a
 * fill. Latency = request fully received - that frame written (both
 * dhansim stamps). An event is one trigger frame; its last follower is the
 * slowest request of the event. The k-th `ack` of a correlation id is the
 * answer to its k-th request; ack latency = ack read - trigger frame.
 * Requests for leader orders placed by a scenario `burst` measure
 * throughput; the latency figures come from the other (paced) events.
 */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct frame {
  const char *order, *status;
  double traded, t;
} frame_t;

typedef struct req {
  const char *corr, *method;
  double t, trig;
  long ev; /* index of the trigger frame, -1: none */
  int status;
  int burst; /* its leader order was placed by a burst */
} req_t;

typedef struct kv {
  const char *k, *v;
  double t;
  int status;
} kv_t;

typedef struct data {
  frame_t *fr;
  size_t n_fr;
  req_t *rq;
  size_t n_rq;
  kv_t *sent, *acks;
  size_t n_sent, n_acks;
  long skips, unmatched, errors;
  size_t n_burst;
  cJSON *stamps;
  char *metrics_text;
  char *bursts; /* "\nid\nid\n" */
} data_t;

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int cmp_frame(const void *a, const void *b) {
  const frame_t *x = a, *y = b;
  int c = strcmp(x->order, y->order);
  return c ? c : (x->t < y->t ? -1 : x->t > y->t);
}

static int cmp_kv(const void *a, const void *b) {
  const kv_t *x = a, *y = b;
  int c = strcmp(x->k, y->k);
  return c ? c : (x->t < y->t ? -1 : x->t > y->t);
}

static int cmp_req(const void *a, const void *b) {
  const req_t *x = a, *y = b;
  int c = strcmp(x->corr, y->corr);
  return c ? c : (x->t < y->t ? -1 : x->t > y->t);
}

char *stats_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *s = NULL;
  long n;
  if (f == NULL)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
    s[fread(s, 1, (size_t)n, f)] = '\0';
  }
  fclose(f);
  return s;
}

static double pct(const double *v, size_t n, double q) {
  size_t k = (size_t)ceil(q * (double)n);
  return v[k == 0 ? 0 : k - 1];
}

cJSON *stats_summary(double *v, size_t n) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddNumberToObject(j, "n", (double)n);
  if (n == 0)
    return j;
  qsort(v, n, sizeof(*v), cmp_d);
  cJSON_AddNumberToObject(j, "p50", pct(v, n, 0.50));
  cJSON_AddNumberToObject(j, "p90", pct(v, n, 0.90));
  cJSON_AddNumberToObject(j, "p99", pct(v, n, 0.99));
  cJSON_AddNumberToObject(j, "p999", pct(v, n, 0.999));
  cJSON_AddNumberToObject(j, "max", v[n - 1]);
  return j;
}

static const char *jstr(const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum(const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  if (cJSON_IsString(v))
    return atof(v->valuestring);
  return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static int load_stamps(data_t *d, const run_in_t *in) {
  char *text = stats_slurp(in->stamps);
  d->stamps = text ? cJSON_Parse(text) : NULL;
  free(text);
  const cJSON *rq = cJSON_GetObjectItemCaseSensitive(d->stamps, "requests");
  const cJSON *fr = cJSON_GetObjectItemCaseSensitive(d->stamps, "frames");
  const cJSON *e;
  if (!cJSON_IsArray(rq) || !cJSON_IsArray(fr))
    return -1;
  d->fr = calloc((size_t)cJSON_GetArraySize(fr) + 1, sizeof(*d->fr));
  d->rq = calloc((size_t)cJSON_GetArraySize(rq) + 1, sizeof(*d->rq));
  cJSON_ArrayForEach(e, fr) {
    if (strcmp(jstr(e, "account"), in->leader) == 0)
      d->fr[d->n_fr++] = (frame_t){ jstr(e, "orderId"), jstr(e, "status"),
                                    jnum(e, "tradedQty"), jnum(e, "tNs") };
  }
  cJSON_ArrayForEach(e, rq) {
    const char *m = jstr(e, "method");
    if (strcmp(jstr(e, "account"), in->leader) == 0 ||
        strncmp(jstr(e, "path"), "/v2/orders", 10) != 0 ||
        strcmp(m, "GET") == 0)
      continue;
    d->rq[d->n_rq++] =
        (req_t){ jstr(e, "correlationId"), m, jnum(e, "tNs"), 0, -1,
                 (int)jnum(e, "status"),   0 };
  }
  qsort(d->fr, d->n_fr, sizeof(*d->fr), cmp_frame);
  return 0;
}

static void metrics_line(data_t *d, cJSON *j) {
  const char *ev = jstr(j, "ev");
  kv_t kv = { jstr(j, "corr"), jstr(j, "leader_order"), jnum(j, "t_ns"),
              (int)jnum(j, "status") };
  if (strcmp(ev, "sent") == 0)
    d->sent[d->n_sent++] = kv;
  else if (strcmp(ev, "ack") == 0)
    d->acks[d->n_acks++] = kv;
  else if (strcmp(ev, "skip") == 0)
    d->skips++;
}

/* Parses the metrics lines; the cJSON items are kept in `keep`. */
static int load_metrics(data_t *d, const run_in_t *in, cJSON *keep) {
  size_t lines = 1;
  d->metrics_text = stats_slurp(in->metrics);
  if (d->metrics_text == NULL)
    return -1;
  for (const char *p = d->metrics_text; *p; p++)
    lines += *p == '\n';
  d->sent = calloc(lines, sizeof(*d->sent));
  d->acks = calloc(lines, sizeof(*d->acks));
  for (char *p = d->metrics_text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
    nl = strchr(p, '\n');
    if (nl)
      *nl = '\0';
    cJSON *j = cJSON_Parse(p);
    if (j == NULL)
      continue; /* a line cut by a kill */
    cJSON_AddItemToArray(keep, j);
    metrics_line(d, j);
  }
  qsort(d->sent, d->n_sent, sizeof(*d->sent), cmp_kv);
  qsort(d->acks, d->n_acks, sizeof(*d->acks), cmp_kv);
  return 0;
}

static const kv_t *find_kv(const kv_t *a, size_t n, const char *k) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (strcmp(a[mid].k, k) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && strcmp(a[lo].k, k) == 0 ? &a[lo] : NULL;
}

/* The trigger frame (index into d->fr) of request r for leader order L. */
static long trigger(const data_t *d, const req_t *r, const char *L) {
  size_t lo = 0, hi = d->n_fr;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (strcmp(d->fr[mid].order, L) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == d->n_fr || strcmp(d->fr[lo].order, L) != 0)
    return -1;
  if (strcmp(r->method, "POST") == 0)
    return (long)lo;
  long best = -1;
  for (size_t i = lo; i < d->n_fr && strcmp(d->fr[i].order, L) == 0; i++) {
    const frame_t *f = &d->fr[i];
    if (strcmp(r->method, "DELETE") == 0) {
      if (strcmp(f->status, "CANCELLED") == 0)
        return (long)i;
      continue;
    }
    if (f->t > r->t)
      break;
    if (i > lo && f->traded == d->fr[i - 1].traded)
      best = (long)i;
  }
  return best;
}

static int is_burst(const data_t *d, const char *order) {
  char key[64];
  if (d->bursts == NULL)
    return 0;
  snprintf(key, sizeof(key), "\n%s\n", order);
  return strstr(d->bursts, key) != NULL;
}

/* Latency figures come from the paced events; burst events only when the
 * scenario has nothing else. */
static int for_latency(const data_t *d, const req_t *r) {
  return r->ev >= 0 && (!r->burst || d->n_burst == d->n_rq);
}

static void match_requests(data_t *d) {
  for (size_t i = 0; i < d->n_rq; i++) {
    req_t *r = &d->rq[i];
    const kv_t *s = find_kv(d->sent, d->n_sent, r->corr);
    r->ev = s ? trigger(d, r, s->v) : -1;
    r->burst = s != NULL && is_burst(d, s->v);
    if (r->ev >= 0 && d->fr[r->ev].t <= r->t)
      r->trig = d->fr[r->ev].t;
    else
      r->ev = -1, d->unmatched++;
    if (r->status < 200 || r->status > 299)
      d->errors++;
    d->n_burst += r->burst && r->ev >= 0;
  }
  for (size_t i = 0; i < d->n_acks; i++)
    if (d->acks[i].status < 200 || d->acks[i].status > 299)
      d->errors++;
}

static void add_latency(cJSON *o, const data_t *d, const run_in_t *in) {
  double *lat = calloc(d->n_rq + 1, sizeof(double));
  double *last = calloc(d->n_fr + 1, sizeof(double));
  double *v = calloc(d->n_fr + 1, sizeof(double));
  size_t n = 0, ne = 0;
  for (size_t i = 0; i < d->n_rq; i++) {
    const req_t *r = &d->rq[i];
    if (!for_latency(d, r))
      continue;
    lat[n++] = (r->t - r->trig) / 1e3;
    if (lat[n - 1] > last[r->ev])
      last[r->ev] = lat[n - 1];
  }
  for (size_t i = 0; i < d->n_fr; i++)
    if (last[i] > 0)
      v[ne++] = last[i];
  cJSON_AddItemToObject(o, "latency_us", stats_summary(lat, n));
  cJSON_AddItemToObject(o, "last_us", stats_summary(v, ne));
  if (in->lat_out != NULL) {
    FILE *f = fopen(in->lat_out, "w");
    for (size_t i = 0; f && i < n; i++)
      fprintf(f, "%.3f %.6f\n", lat[i], (double)(i + 1) / (double)n);
    if (f)
      fclose(f);
  }
  free(lat);
  free(last);
  free(v);
}

/* Burst requests over the time from the burst's first trigger frame to
 * its last follower request. */
static double burst_rate(const data_t *d) {
  double t0 = 0, t1 = 0;
  int first = 1;
  for (size_t i = 0; i < d->n_rq; i++) {
    const req_t *r = &d->rq[i];
    if (!r->burst || r->ev < 0)
      continue;
    if (first || r->trig < t0)
      t0 = r->trig;
    if (first || r->t > t1)
      t1 = r->t;
    first = 0;
  }
  return t1 > t0 ? (double)d->n_burst / ((t1 - t0) / 1e9) : 0;
}

/* Sustained follower orders/s: over the bursts when the scenario has
 * some; otherwise requests per second of busy time, the union of the
 * intervals [trigger, request]. */
static double throughput(data_t *d) {
  if (d->n_burst > 0)
    return burst_rate(d);
  double *iv = calloc(2 * d->n_rq + 2, sizeof(double)), busy = 0, s = -1,
         e = -1;
  size_t n = 0;
  for (size_t i = 0; i < d->n_rq; i++)
    if (d->rq[i].ev >= 0) {
      iv[2 * n] = d->rq[i].trig;
      iv[2 * n + 1] = d->rq[i].t;
      n++;
    }
  qsort(iv, n, 2 * sizeof(double), cmp_d); /* by start */
  for (size_t i = 0; i < n; i++) {
    if (iv[2 * i] > e) {
      busy += e - s;
      s = iv[2 * i];
      e = iv[2 * i + 1];
    } else if (iv[2 * i + 1] > e) {
      e = iv[2 * i + 1];
    }
  }
  busy += e - s;
  free(iv);
  return n > 0 && busy > 0 ? (double)n / (busy / 1e9) : 0;
}

/* Ack latencies of one kind of request (POST, PUT, DELETE), as
 * ack_<what>_us. */
static void add_ack_kind(cJSON *o, const double *lat, const req_t **of,
                         size_t n, const char *method, const char *name) {
  double *v = calloc(n + 1, sizeof(double));
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (strcmp(of[i]->method, method) == 0)
      v[k++] = lat[i];
  cJSON_AddItemToObject(o, name, stats_summary(v, k));
  free(v);
}

static void add_acks(cJSON *o, data_t *d) {
  double *lat = calloc(d->n_acks + 1, sizeof(double));
  const req_t **of = calloc(d->n_acks + 1, sizeof(*of));
  double *last = calloc(d->n_fr + 1, sizeof(double));
  double *v = calloc(d->n_fr + 1, sizeof(double));
  size_t n = 0, ne = 0, a = 0;
  qsort(d->rq, d->n_rq, sizeof(*d->rq), cmp_req);
  for (size_t i = 0; i < d->n_rq && a < d->n_acks;) {
    int c = strcmp(d->rq[i].corr, d->acks[a].k);
    if (c < 0) {
      i++;
    } else if (c > 0) {
      a++;
    } else {
      if (for_latency(d, &d->rq[i]) && d->acks[a].t >= d->rq[i].trig) {
        lat[n] = (d->acks[a].t - d->rq[i].trig) / 1e3;
        of[n] = &d->rq[i];
        if (lat[n] > last[d->rq[i].ev])
          last[d->rq[i].ev] = lat[n];
        n++;
      }
      i++, a++;
    }
  }
  for (size_t i = 0; i < d->n_fr; i++)
    if (last[i] > 0)
      v[ne++] = last[i];
  add_ack_kind(o, lat, of, n, "POST", "ack_place_us");
  add_ack_kind(o, lat, of, n, "PUT", "ack_modify_us");
  add_ack_kind(o, lat, of, n, "DELETE", "ack_cancel_us");
  cJSON_AddItemToObject(o, "ack_us", stats_summary(lat, n));
  cJSON_AddItemToObject(o, "last_ack_us", stats_summary(v, ne));
  free(lat);
  free(of);
  free(last);
  free(v);
}

static void data_free(data_t *d) {
  free(d->fr);
  free(d->rq);
  free(d->sent);
  free(d->acks);
  free(d->metrics_text);
  free(d->bursts);
  cJSON_Delete(d->stamps);
}

static void add_verify(cJSON *o, const verify_out_t *v) {
  cJSON_AddNumberToObject(o, "coalesced", (double)v->coalesced);
  cJSON_AddNumberToObject(o, "coalesced_unverified",
                          (double)v->coalesced_unverified);
  cJSON_AddNumberToObject(o, "coalesced_lines", (double)v->coalesced_lines);
  cJSON_AddNumberToObject(o, "final_checked",
                          v->have_orders ? (double)v->checked : -1);
  cJSON_AddNumberToObject(o, "final_mismatch", (double)v->mismatched);
}

cJSON *stats_run(const run_in_t *in) {
  verify_out_t v = { 0 };
  data_t d = { 0 };
  cJSON *keep = cJSON_CreateArray(), *o = NULL;
  char *text;
  if (load_stamps(&d, in) || load_metrics(&d, in, keep)) {
    fprintf(stderr, "ctstats: cannot read %s or %s\n", in->stamps, in->metrics);
    goto done;
  }
  if (in->bursts != NULL && (text = stats_slurp(in->bursts)) != NULL) {
    d.bursts = malloc(strlen(text) + 3);
    sprintf(d.bursts, "\n%s\n", text);
    free(text);
  }
  match_requests(&d);
  stats_verify(d.stamps, keep, in->leader, in->orders, &v);
  o = cJSON_CreateObject();
  long expected = in->mirrored * in->followers;
  long missing = expected - (long)d.n_rq - d.skips - v.coalesced;
  cJSON_AddNumberToObject(o, "requests", (double)d.n_rq);
  cJSON_AddNumberToObject(o, "expected", (double)expected);
  cJSON_AddNumberToObject(o, "skips", (double)d.skips);
  cJSON_AddNumberToObject(o, "unmatched", (double)d.unmatched);
  cJSON_AddNumberToObject(o, "burst_requests", (double)d.n_burst);
  cJSON_AddNumberToObject(o, "missing", (double)(missing > 0 ? missing : 0));
  add_verify(o, &v);
  cJSON_AddNumberToObject(
      o, "errors",
      (double)(d.errors + v.mismatched + (missing > 0 ? missing : 0)));
  add_latency(o, &d, in);
  cJSON_AddNumberToObject(o, "orders_per_s", throughput(&d));
  add_acks(o, &d);
  cJSON_AddNumberToObject(o, "cpu_us_per_order",
                          d.n_rq ? in->cpu_ns / 1e3 / (double)d.n_rq : 0);
  cJSON_AddNumberToObject(o, "rss_mb", in->rss_kb / 1024.0);
  /* The server's share of the same session, per follower order: on two
   * shared cores it is CPU the copier does not have. */
  if (in->sim_cpu_ns > 0)
    cJSON_AddNumberToObject(o, "sim_cpu_us_per_order",
                            d.n_rq ? in->sim_cpu_ns / 1e3 / (double)d.n_rq : 0);
done:
  data_free(&d);
  cJSON_Delete(keep);
  return o;
}
