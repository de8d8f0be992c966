/*
 * bench_config: time to load a 1000-follower engine configuration, the
 * measurement behind the choice of YAML (libyaml) for the config format.
 *
 * Cases, each on the same 1000 followers written to a temp dir:
 *   ct_config_load      the full load: libyaml document + schema walk +
 *                       validation + env: secret resolution
 *   yaml_parser_load    libyaml alone (document with line marks)
 *   cJSON_Parse         the alternative: the same content as JSON (cJSON
 *                       keeps no line numbers), read + parse only
 * Prints a Markdown table of ms per load (median of the runs). `--quick`
 * does 5 runs instead of 21.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#include "copytrader/config.h"
#include "ct_test.h"

#define FOLLOWERS 1000

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static long write_yaml(const char *path) {
  FILE *fp = fopen(path, "w");
  long size;
  fprintf(fp,
          "leader: {client_id: '1000000000', token: env:BENCH_TOKEN}\n"
          "followers:\n");
  for (int i = 0; i < FOLLOWERS; i++)
    fprintf(fp,
            "  - name: follower-%d\n    client_id: \"%d\"\n"
            "    token: env:BENCH_TOKEN\n"
            "    sizing: {mode: multiplier, value: 1.5}\n"
            "    allowed_segments: [NSE_EQ, NSE_FNO]\n"
            "    allowed_products: [INTRADAY, MARGIN]\n"
            "    max_qty: 1800\n    max_order_value: 500000\n"
            "    max_orders_per_day: 200\n    copy_modifications: true\n"
            "    copy_window: {start: \"09:15\", end: \"15:30\"}\n",
            i, 2000000000 + i);
  fprintf(fp, "instruments: i.csv\nstate_dir: st\n");
  size = ftell(fp);
  fclose(fp);
  return size;
}

static long write_json(const char *path) {
  FILE *fp = fopen(path, "w");
  long size;
  fprintf(fp,
          "{\"leader\": {\"client_id\": \"1000000000\", \"token\": "
          "\"env:BENCH_TOKEN\"},\n\"followers\": [\n");
  for (int i = 0; i < FOLLOWERS; i++)
    fprintf(
        fp,
        "  {\"name\": \"follower-%d\", \"client_id\": \"%d\",\n"
        "   \"token\": \"env:BENCH_TOKEN\",\n"
        "   \"sizing\": {\"mode\": \"multiplier\", \"value\": 1.5},\n"
        "   \"allowed_segments\": [\"NSE_EQ\", \"NSE_FNO\"],\n"
        "   \"allowed_products\": [\"INTRADAY\", \"MARGIN\"],\n"
        "   \"max_qty\": 1800, \"max_order_value\": 500000,\n"
        "   \"max_orders_per_day\": 200, \"copy_modifications\": true,\n"
        "   \"copy_window\": {\"start\": \"09:15\", \"end\": \"15:30\"}}%s\n",
        i, 2000000000 + i, i + 1 < FOLLOWERS ? "," : "");
  fprintf(fp, "],\n\"instruments\": \"i.csv\", \"state_dir\": \"st\"}\n");
  size = ftell(fp);
  fclose(fp);
  return size;
}

static int full_load(const char *path) {
  ct_config_t *cfg = NULL;
  int rc = ct_config_load(path, &cfg, NULL);
  int ok = rc == 0 && cfg->n_followers == FOLLOWERS;
  ct_config_free(cfg);
  return ok;
}

static int yaml_only(const char *path) {
  yaml_parser_t p;
  yaml_document_t doc;
  FILE *fp = fopen(path, "rb");
  int ok;
  yaml_parser_initialize(&p);
  yaml_parser_set_input_file(&p, fp);
  ok = yaml_parser_load(&p, &doc);
  if (ok)
    yaml_document_delete(&doc);
  yaml_parser_delete(&p);
  fclose(fp);
  return ok;
}

static int json_only(const char *path) {
  FILE *fp = fopen(path, "rb");
  long n;
  char *buf;
  cJSON *root;
  fseek(fp, 0, SEEK_END);
  n = ftell(fp);
  rewind(fp);
  buf = malloc((size_t)n + 1);
  buf[fread(buf, 1, (size_t)n, fp)] = '\0';
  fclose(fp);
  root = cJSON_Parse(buf);
  free(buf);
  cJSON_Delete(root);
  return root != NULL;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static double median_ms(int (*fn)(const char *), const char *path, int runs) {
  uint64_t t[32];
  for (int i = 0; i < runs; i++) {
    uint64_t t0 = mono_ns();
    if (!fn(path)) {
      fprintf(stderr, "bench_config: load of %s failed\n", path);
      exit(1);
    }
    t[i] = mono_ns() - t0;
  }
  qsort(t, (size_t)runs, sizeof(t[0]), cmp_u64);
  return (double)t[runs / 2] / 1e6;
}

int main(int argc, char **argv) {
  int runs = (argc > 1 && strcmp(argv[1], "--quick") == 0) ? 5 : 21;
  char *dir = ct_test_tmpdir("ct-bench-config");
  char yml[512], json[512];
  long ysize, jsize;
  setenv("BENCH_TOKEN", "bench-token-not-secret", 1);
  snprintf(yml, sizeof(yml), "%s/c.yaml", dir);
  snprintf(json, sizeof(json), "%s/c.json", dir);
  ysize = write_yaml(yml);
  jsize = write_json(json);
  printf("| case (%d followers, median of %d) | file KiB | ms per load |\n",
         FOLLOWERS, runs);
  printf("|---|---:|---:|\n");
  printf("| ct_config_load (YAML, validated) | %ld | %.2f |\n", ysize / 1024,
         median_ms(full_load, yml, runs));
  printf("| yaml_parser_load only | %ld | %.2f |\n", ysize / 1024,
         median_ms(yaml_only, yml, runs));
  printf("| cJSON_Parse only | %ld | %.2f |\n", jsize / 1024,
         median_ms(json_only, json, runs));
  ct_test_rmtree(dir);
  free(dir);
  return 0;
}
