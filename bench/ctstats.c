/*
 * ctstats: the analysis side of ctbench.
 *
 *   ctstats run --stamps S.json --metrics M.jsonl --leader ID --followers N
 *               --mirrored N [--cpu-ns X] [--sim-cpu-ns X] [--rss-kb X]
 *               [--lat-out F] [--bursts IDS] [--orders FINAL.jsonl]
 *       prints one run's figures as JSON (stats.c);
 *   ctstats report --dir DIR [--machine TEXT] CELL.json...
 *       joins cells ({followers, latency_ms, tls, engine, floor}) into
 *       DIR/results.json and DIR/results.md (every figure beside the floor
 *       as a ratio) and DIR/fanout_<latency>_<tls>.dat for the plots;
 *   ctstats check --dir DIR --cells N
 *       exit 0 when results.json and results.md hold N cells, each with an
 *       engine and a floor run, latencies measured and no errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static const char *arg(int argc, char **argv, const char *name) {
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return NULL;
}

static double num(const cJSON *o, const char *path) {
  char buf[64], *save = NULL;
  snprintf(buf, sizeof(buf), "%s", path);
  for (char *k = strtok_r(buf, ".", &save); k && o;
       k = strtok_r(NULL, ".", &save))
    o = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsNumber(o) ? o->valuedouble : -1;
}

static int cmd_run(int argc, char **argv) {
  run_in_t in = { 0 };
  const char *s;
  in.stamps = arg(argc, argv, "--stamps");
  in.metrics = arg(argc, argv, "--metrics");
  in.leader = arg(argc, argv, "--leader");
  in.lat_out = arg(argc, argv, "--lat-out");
  in.bursts = arg(argc, argv, "--bursts");
  in.orders = arg(argc, argv, "--orders");
  in.followers = (s = arg(argc, argv, "--followers")) ? atol(s) : 0;
  in.mirrored = (s = arg(argc, argv, "--mirrored")) ? atol(s) : 0;
  in.cpu_ns = (s = arg(argc, argv, "--cpu-ns")) ? atof(s) : 0;
  in.rss_kb = (s = arg(argc, argv, "--rss-kb")) ? atof(s) : 0;
  in.sim_cpu_ns = (s = arg(argc, argv, "--sim-cpu-ns")) ? atof(s) : 0;
  if (!in.stamps || !in.metrics || !in.leader || in.followers <= 0) {
    fprintf(stderr, "ctstats run: --stamps --metrics --leader --followers\n");
    return 2;
  }
  cJSON *o = stats_run(&in);
  if (o == NULL)
    return 1;
  char *t = cJSON_Print(o);
  puts(t);
  cJSON_free(t);
  cJSON_Delete(o);
  return 0;
}

static void add_ratio(cJSON *ratios, const cJSON *eng, const cJSON *flo,
                      const char *key) {
  double e = num(eng, key), f = num(flo, key);
  cJSON_AddNumberToObject(ratios, key, e >= 0 && f > 0 ? e / f : -1);
}

static const char *const RATIO_KEYS[] = {
  "latency_us.p50",   "latency_us.p90",       "latency_us.p99",
  "latency_us.p999",  "latency_us.max",       "last_us.p99",
  "ack_us.p99",       "last_ack_us.p99",      "orders_per_s",
  "cpu_us_per_order", "sim_cpu_us_per_order", NULL
};

/* One figure with its ratio to the floor: "123 (1.8x)". */
static void cell_fig(FILE *f, const cJSON *c, const char *key, double scale,
                     const char *fmt) {
  const cJSON *eng = cJSON_GetObjectItemCaseSensitive(c, "engine");
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(c, "ratio");
  const cJSON *xr = cJSON_GetObjectItemCaseSensitive(r, key);
  double v = num(eng, key), x = cJSON_IsNumber(xr) ? xr->valuedouble : -1;
  fputs(" | ", f);
  if (v < 0) {
    fputs("-", f);
    return;
  }
  fprintf(f, fmt, v * scale);
  if (x > 0)
    fprintf(f, x >= 10 ? " (%.0fx)" : x >= 1 ? " (%.1fx)" : " (%.2fx)", x);
}

static void md_row(FILE *f, const cJSON *c) {
  const cJSON *eng = cJSON_GetObjectItemCaseSensitive(c, "engine");
  fprintf(f, "| %.0f | %.0f | %s", num(c, "followers"), num(c, "latency_ms"),
          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "tls")) ? "TLS"
                                                                   : "plain");
  cell_fig(f, c, "latency_us.p50", 1, "%.0f");
  cell_fig(f, c, "latency_us.p90", 1, "%.0f");
  cell_fig(f, c, "latency_us.p99", 1, "%.0f");
  cell_fig(f, c, "latency_us.p999", 1, "%.0f");
  cell_fig(f, c, "latency_us.max", 1, "%.0f");
  cell_fig(f, c, "last_us.p99", 1e-3, "%.2f");
  cell_fig(f, c, "ack_us.p99", 1e-3, "%.2f");
  cell_fig(f, c, "last_ack_us.p99", 1e-3, "%.2f");
  cell_fig(f, c, "orders_per_s", 1, "%.0f");
  cell_fig(f, c, "cpu_us_per_order", 1, "%.1f");
  cell_fig(f, c, "sim_cpu_us_per_order", 1, "%.1f");
  fprintf(f, " | %.1f | %.0f | %.0f |\n", num(eng, "rss_mb"),
          num(eng, "errors"),
          num(eng, "coalesced") > 0 ? num(eng, "coalesced") : 0);
}

/* The plain-HTTP cell with these parameters, or NULL. */
static const cJSON *find_cell(const cJSON *res, double n, double lat) {
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(res, "cells")) {
    if (num(c, "followers") == n && num(c, "latency_ms") == lat &&
        !cJSON_IsTrue(cJSON_GetObjectItem(c, "tls")))
      return c;
  }
  return NULL;
}

static void target(FILE *f, const char *what, const cJSON *c, const char *key,
                   double limit, const char *unit, double scale) {
  const cJSON *eng = cJSON_GetObjectItem(c, "engine");
  double v = num(eng, key);
  if (c == NULL || v < 0) {
    fprintf(f, "| %s | not measured | |\n", what);
    return;
  }
  int ok = strcmp(key, "orders_per_s") == 0 ? v >= limit : v <= limit;
  fprintf(f, "| %s | %.1f %s | %s |\n", what, v * scale, unit,
          ok && (num(eng, "errors") == 0 || strcmp(key, "rss_mb") == 0)
              ? "met"
              : "not met"); /* memory counts even in a run with errors */
}

/* The targets, each against the cell that measures it. */
static void write_targets(FILE *f, const cJSON *res) {
  const cJSON *c1 = find_cell(res, 1, 0), *c100 = find_cell(res, 100, 20);
  const cJSON *c1000 = find_cell(res, 1000, 0), *c, *best = NULL;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(res, "cells")) {
    if (num(cJSON_GetObjectItem(c, "engine"), "errors") == 0 &&
        (best == NULL ||
         num(cJSON_GetObjectItem(c, "engine"), "orders_per_s") >
             num(cJSON_GetObjectItem(best, "engine"), "orders_per_s")))
      best = c;
  }
  fprintf(f, "\n| target | measured | |\n|---|---:|---|\n");
  target(f, "1 follower, 0 ms, plain: p99 under 200 us", c1, "latency_us.p99",
         200, "us", 1);
  if (c1 != NULL) {
    const cJSON *r = cJSON_GetObjectItem(c1, "ratio");
    const cJSON *x = cJSON_GetObjectItem(r, "latency_us.p99");
    double v = cJSON_IsNumber(x) ? x->valuedouble : -1;
    fprintf(f,
            "| 1 follower, 0 ms, plain: p99 within 3x of the floor | "
            "%.1fx | %s |\n",
            v, v > 0 && v <= 3 ? "met" : "not met");
  }
  target(f, "100 followers, 20 ms: last follower acknowledged, p99 under 30 ms",
         c100, "last_ack_us.p99", 30000, "ms", 1e-3);
  target(f,
         "1000 followers, 0 ms: no errors, last follower request p99 "
         "under 20 ms",
         c1000, "last_us.p99", 20000, "ms", 1e-3);
  target(f,
         "follower orders/s sustained (best cell without errors), at "
         "least 20,000",
         best, "orders_per_s", 20000, "/s", 1);
  target(f, "engine peak RSS with 1000 followers under 100 MB", c1000, "rss_mb",
         100, "MB", 1);
}

static void write_md(const char *path, const cJSON *res) {
  FILE *f = fopen(path, "w");
  const cJSON *c;
  if (f == NULL)
    return;
  fprintf(f, "Machine: %s\n\n",
          cJSON_GetStringValue(cJSON_GetObjectItem(res, "machine")));
  fprintf(f,
          "| followers | API latency ms | transport | p50 us | p90 us | "
          "p99 us | p99.9 us | max us | last follower p99 ms | ack p99 ms | "
          "last ack p99 ms | follower orders/s | CPU us/order | dhansim CPU "
          "us/order | RSS MB | errors | coalesced |\n");
  fprintf(f,
          "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
          "---:|---:|---:|---:|---:|\n");
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(res, "cells")) md_row(f, c);
  fprintf(f,
          "\nEach figure is the engine's, with its ratio to the floor (a "
          "minimal copier, same requests, same dhansim) in brackets. "
          "`coalesced`: leader modifications a follower left out by going "
          "straight to a later state, each verified in the final order "
          "states (bench/README.md); they are not errors.\n");
  write_targets(f, res);
  fclose(f);
}

static void write_fanout(const char *dir, const cJSON *cells) {
  const cJSON *c;
  char path[1024];
  cJSON_ArrayForEach(c, cells) {
    snprintf(path, sizeof(path), "%s/fanout_%.0f_%s.dat", dir,
             num(c, "latency_ms"),
             cJSON_IsTrue(cJSON_GetObjectItem(c, "tls")) ? "tls" : "plain");
    FILE *f = fopen(path, "a");
    const cJSON *e = cJSON_GetObjectItem(c, "engine");
    const cJSON *fl = cJSON_GetObjectItem(c, "floor");
    if (f == NULL)
      continue;
    fprintf(f, "%.0f %.3f %.3f %.3f %.3f %.3f %.3f\n", num(c, "followers"),
            num(e, "latency_us.p50"), num(e, "latency_us.p99"),
            num(e, "last_us.p99"), num(fl, "latency_us.p99"),
            num(fl, "last_us.p99"), num(e, "last_ack_us.p99"));
    fclose(f);
  }
}

static int cmd_report(int argc, char **argv) {
  const char *dir = arg(argc, argv, "--dir");
  const char *machine = arg(argc, argv, "--machine");
  char path[1024];
  cJSON *res = cJSON_CreateObject(), *cells;
  if (dir == NULL)
    return 2;
  cJSON_AddStringToObject(res, "machine", machine ? machine : "");
  cells = cJSON_AddArrayToObject(res, "cells");
  for (int i = 2; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] == '-') {
      i++;
      continue;
    }
    char *t = stats_slurp(argv[i]);
    cJSON *c = t ? cJSON_Parse(t) : NULL;
    free(t);
    if (c == NULL) {
      fprintf(stderr, "ctstats report: bad cell %s\n", argv[i]);
      continue;
    }
    cJSON *r = cJSON_AddObjectToObject(c, "ratio");
    for (int k = 0; RATIO_KEYS[k]; k++)
      add_ratio(r, cJSON_GetObjectItem(c, "engine"),
                cJSON_GetObjectItem(c, "floor"), RATIO_KEYS[k]);
    cJSON_AddItemToArray(cells, c);
  }
  snprintf(path, sizeof(path), "%s/results.json", dir);
  FILE *f = fopen(path, "w");
  char *t = cJSON_Print(res);
  if (f != NULL) {
    fputs(t, f);
    fputc('\n', f);
    fclose(f);
  }
  cJSON_free(t);
  snprintf(path, sizeof(path), "%s/results.md", dir);
  write_md(path, res);
  write_fanout(dir, cells);
  cJSON_Delete(res);
  return f != NULL ? 0 : 1;
}

static int check_cell(const cJSON *c, int i) {
  static const char *const parts[] = { "engine", "floor" };
  for (int p = 0; p < 2; p++) {
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(c, parts[p]);
    if (!cJSON_IsObject(r) || num(r, "latency_us.n") <= 0 ||
        num(r, "latency_us.p99") < 0 || num(r, "errors") != 0 ||
        num(r, "orders_per_s") <= 0) {
      fprintf(stderr,
              "ctstats check: cell %d %s: missing figures or errors=%.0f\n", i,
              parts[p], num(r, "errors"));
      return -1;
    }
  }
  return 0;
}

static int cmd_check(int argc, char **argv) {
  const char *dir = arg(argc, argv, "--dir"), *n_s = arg(argc, argv, "--cells");
  char path[1024], line[4096];
  int want = n_s ? atoi(n_s) : -1, rows = 0, bad = 0, i = 0;
  const cJSON *c;
  if (dir == NULL || want <= 0)
    return 2;
  snprintf(path, sizeof(path), "%s/results.json", dir);
  char *t = stats_slurp(path);
  cJSON *res = t ? cJSON_Parse(t) : NULL;
  free(t);
  const cJSON *cells = cJSON_GetObjectItemCaseSensitive(res, "cells");
  if (!cJSON_IsArray(cells) || cJSON_GetArraySize(cells) != want) {
    fprintf(stderr, "ctstats check: results.json: want %d cells, got %d\n",
            want, cJSON_IsArray(cells) ? cJSON_GetArraySize(cells) : -1);
    bad = 1;
  }
  cJSON_ArrayForEach(c, cells) bad |= check_cell(c, i++) != 0;
  snprintf(path, sizeof(path), "%s/results.md", dir);
  FILE *f = fopen(path, "r");
  while (f != NULL && fgets(line, sizeof(line), f) != NULL)
    rows += line[0] == '|' && line[1] == ' ' && line[2] >= '0' &&
            line[2] <= '9' &&
            (strstr(line, " | plain |") || strstr(line, " | TLS |"));
  if (f != NULL)
    fclose(f);
  if (rows != want) {
    fprintf(stderr, "ctstats check: results.md: want %d rows, got %d\n", want,
            rows);
    bad = 1;
  }
  cJSON_Delete(res);
  if (!bad)
    printf("ctstats check: %d cells, no errors\n", want);
  return bad;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "run") == 0)
    return cmd_run(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "report") == 0)
    return cmd_report(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "check") == 0)
    return cmd_check(argc, argv);
  fprintf(stderr, "usage: ctstats run|report|check ...\n");
  return 2;
}
