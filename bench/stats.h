/*
 * stats.h: the analysis of one benchmark run (engine or floor) from
 * dhansim's stamps and the copier's metrics lines, shared by the parts of
 * ctstats. See bench/README.md for the definitions of every figure.
 */
#ifndef CT_BENCH_STATS_H
#define CT_BENCH_STATS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct run_in {
  const char *stamps;  /* JSON of GET /admin/stamps */
  const char *metrics; /* JSON lines (leader, sent, ack, skip) */
  const char *leader;  /* the leader's client id */
  const char *lat_out; /* NULL, or a file for every latency (us), sorted */
  const char *bursts;  /* NULL, or the leader order ids placed by bursts */
  long followers;      /* N */
  long mirrored;       /* leader actions a copier mirrors */
  double cpu_ns;       /* copier CPU time during the session */
  double sim_cpu_ns;   /* dhansim's CPU time during the session (0: unknown) */
  double rss_kb;       /* copier peak RSS (VmHWM) */
  const char *orders;  /* NULL, or final orders (GET /admin/orders lines) */
} run_in_t;

typedef struct verify_out {
  int have_orders;           /* the final orders were read */
  long checked, mismatched;  /* follower orders compared / wrong at the end */
  long coalesced;            /* left-out modifications, final state right */
  long coalesced_unverified; /* left out, final state wrong or unknown */
  long coalesced_lines;      /* `coalesced` lines the copier wrote */
} verify_out_t;

/* Percentiles of v (sorted in place) as {p50,p90,p99,p999,max,n} in us. */
cJSON *stats_summary(double *v, size_t n);

/* Reads a whole file into a malloc'd NUL-terminated string (NULL on
 * failure). */
char *stats_slurp(const char *path);

/* The final-state check and the coalesced modifications it allows
 * (verify.c): `lines` is the array of parsed metrics lines, `orders` the
 * final orders file (NULL: nothing verified, nothing coalesced). */
void stats_verify(const cJSON *stamps, const cJSON *lines, const char *leader,
                  const char *orders, verify_out_t *out);

/* Analyses one run; returns a new JSON object or NULL (message on stderr). */
cJSON *stats_run(const run_in_t *in);

#endif /* CT_BENCH_STATS_H */
