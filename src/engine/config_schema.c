/*
 * config_schema.c: the keys of the configuration file and what each one
 * accepts (see include/copytrader/config.h for the file format).
 *
 * Every mapping is a table of ct__cfg_field_t walked by ct__cfg_map(), so
 * unknown, repeated and missing keys are caught the same way everywhere.
 * The handlers for lists of segments and products, the copy window, the
 * sizing block and the followers list live here; checks that span several
 * followers (loop protection, duplicates) run once the walk is done.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "engine/config_int.h"
#include "engine/config_schema.h"

#define FIELD(k, fn, type, member, req, lo, hi)                                \
  { k, fn, offsetof(type, member), req, lo, hi, sizeof(((type *)0)->member) }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- allow-lists ---- */

typedef int (*enum_from_fn)(const char *s);

static int segment_from(const char *s) {
  int v = (int)ct_dhan_segment_from_str(s);
  return v == CT_DHAN_SEG_IDX_I ? 0 : v; /* data only, never traded */
}

static int product_from(const char *s) {
  return (int)ct_dhan_product_from_str(s);
}

static void bit_list(ct__cfg_walk_t *w, yaml_node_t *v, uint32_t *bits,
                     enum_from_fn from, const char *expected) {
  char q[40];
  if (v->type != YAML_SEQUENCE_NODE) {
    ct__cfg_error(w, v, "expected a list, e.g. [%s]", expected);
    return;
  }
  if (v->data.sequence.items.start == v->data.sequence.items.top) {
    ct__cfg_error(w, v, "empty list (leave the key out to allow all)");
    return;
  }
  for (yaml_node_item_t *it = v->data.sequence.items.start;
       it < v->data.sequence.items.top; it++) {
    yaml_node_t *n = ct__cfg_node(w, *it);
    size_t mark =
        ct__cfg_push_index(w, (size_t)(it - v->data.sequence.items.start));
    const char *s = ct__cfg_scalar(w, n);
    int e = s ? from(s) : 0;
    if (s != NULL && e <= 0)
      ct__cfg_error(w, n, "unknown value '%s' (expected %s)",
                    ct__cfg_quote(s, q, sizeof(q)), expected);
    else if (e > 0)
      *bits |= CT_SIZING_BIT(e);
    ct__cfg_pop(w, mark);
  }
}

static void segments_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                        const ct__cfg_field_t *f) {
  (void)f;
  bit_list(w, v, dst, segment_from,
           "NSE_EQ, NSE_FNO, NSE_CURRENCY, BSE_EQ, BSE_FNO, BSE_CURRENCY, "
           "MCX_COMM");
}

static void products_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                        const ct__cfg_field_t *f) {
  (void)f;
  bit_list(w, v, dst, product_from, "CNC, INTRADAY, MARGIN, MTF, CO, BO");
}

/* ---- copy window ---- */

static void time_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                    const ct__cfg_field_t *f) {
  const char *s = ct__cfg_scalar(w, v);
  int h, m, n = 0;
  char q[40];
  (void)f;
  if (s == NULL)
    return;
  if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] != '\0' ||
      strlen(s) != 5 || h < 0 || h > 23 || m < 0 || m > 59) {
    ct__cfg_error(w, v, "'%s' is not a time of day (expected HH:MM, IST)",
                  ct__cfg_quote(s, q, sizeof(q)));
    return;
  }
  *(int *)dst = h * 60 + m;
}

static const ct__cfg_field_t window_fields[] = {
  FIELD("start", time_fn, ct_sizing_rules_t, window_start, true, 0, 0),
  FIELD("end", time_fn, ct_sizing_rules_t, window_end, true, 0, 0),
};

static void window_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                      const ct__cfg_field_t *f) {
  ct_sizing_rules_t *r = dst;
  size_t before = w->n_errors;
  (void)f;
  r->window_start = r->window_end = -1;
  if (!ct__cfg_map(w, v, window_fields, COUNT(window_fields), r) ||
      w->n_errors != before)
    return;
  if (r->window_start >= r->window_end) {
    ct__cfg_error(w, v, "start %02d:%02d is not before end %02d:%02d",
                  r->window_start / 60, r->window_start % 60,
                  r->window_end / 60, r->window_end % 60);
    return;
  }
  r->has_window = true;
}

/* ---- sizing ---- */

static void mode_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                    const ct__cfg_field_t *f) {
  const char *s = ct__cfg_scalar(w, v);
  char q[40];
  (void)f;
  if (s == NULL)
    return;
  *(ct_sizing_mode_t *)dst = ct_sizing_mode_from_str(s);
  if (*(ct_sizing_mode_t *)dst == CT_SIZING_NONE)
    ct__cfg_error(w, v,
                  "unknown value '%s' (expected multiplier, fixed_qty, "
                  "capital_proportional, max_value)",
                  ct__cfg_quote(s, q, sizeof(q)));
}

static const ct__cfg_field_t sizing_fields[] = {
  FIELD("mode", mode_fn, ct_sizing_rules_t, mode, true, 0, 0),
  FIELD("value", ct__cfg_num, ct_sizing_rules_t, value, false, 0, 0),
};

static void sizing_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                      const ct__cfg_field_t *f) {
  ct_sizing_rules_t *r = dst;
  size_t before = w->n_errors, mark;
  (void)f;
  if (!ct__cfg_map(w, v, sizing_fields, COUNT(sizing_fields), r) ||
      w->n_errors != before)
    return;
  mark = ct__cfg_push_key(w, "value");
  v = ct__cfg_map_get(w, v, "value");
  if (r->value == 0 && r->mode != CT_SIZING_CAPITAL_PROPORTIONAL)
    ct__cfg_error(w, v, "required for mode %s", ct_sizing_mode_str(r->mode));
  else if (r->mode == CT_SIZING_FIXED_QTY &&
           (r->value != (double)(int64_t)r->value ||
            r->value > (double)CT_SIZING_QTY_MAX))
    ct__cfg_error(w, v, "fixed_qty needs a whole number of units up to %lld",
                  (long long)CT_SIZING_QTY_MAX);
  ct__cfg_pop(w, mark);
}

/* ---- accounts ---- */

static void name_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                    const ct__cfg_field_t *f) {
  const char *s = ct__cfg_scalar(w, v);
  char q[40];
  if (s == NULL)
    return;
  if (s[0] == '\0' || strlen(s) >= f->size ||
      strspn(s,
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
             "0123456789_.-") != strlen(s)) {
    ct__cfg_error(w, v,
                  "'%s' is not a valid name (letters, digits, _ . -; 1 to "
                  "%zu characters)",
                  ct__cfg_quote(s, q, sizeof(q)), f->size - 1);
    return;
  }
  memcpy(dst, s, strlen(s) + 1);
}

static const ct__cfg_field_t leader_fields[] = {
  FIELD("client_id", ct__cfg_client_id, ct_config_account_t, client_id, true, 0,
        0),
  FIELD("token", ct__cfg_secret, ct_config_account_t, token, true, 0, 0),
};

static void leader_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                      const ct__cfg_field_t *f) {
  (void)f;
  ct__cfg_map(w, v, leader_fields, COUNT(leader_fields), dst);
}

#define FL(k, fn, member, req, lo, hi)                                         \
  FIELD(k, fn, ct_config_follower_t, member, req, lo, hi)
static const ct__cfg_field_t follower_fields[] = {
  FL("name", name_fn, name, true, 0, 0),
  FL("client_id", ct__cfg_client_id, client_id, true, 0, 0),
  FL("token", ct__cfg_secret, token, true, 0, 0),
  FL("enabled", ct__cfg_bool, rules.enabled, false, 0, 0),
  FL("sizing", sizing_fn, rules, true, 0, 0),
  FL("allowed_segments", segments_fn, rules.segments, false, 0, 0),
  FL("allowed_products", products_fn, rules.products, false, 0, 0),
  FL("max_qty", ct__cfg_int, rules.max_qty, false, 1, CT_SIZING_QTY_MAX),
  FL("max_order_value", ct__cfg_num, rules.max_order_value, false, 0, 0),
  FL("max_orders_per_day", ct__cfg_int, rules.max_orders_per_day, false, 1,
     1000000),
  FL("copy_modifications", ct__cfg_bool, copy_modifications, false, 0, 0),
  FL("copy_cancellations", ct__cfg_bool, copy_cancellations, false, 0, 0),
  FL("copy_super_orders", ct__cfg_bool, copy_super_orders, false, 0, 0),
  FL("copy_forever_orders", ct__cfg_bool, copy_forever_orders, false, 0, 0),
  FL("copy_window", window_fn, rules, false, 0, 0),
};

static void follower_defaults(ct_config_follower_t *fw, unsigned line) {
  fw->rules.enabled = true;
  fw->copy_modifications = true;
  fw->copy_cancellations = true;
  fw->copy_super_orders = true;
  fw->copy_forever_orders = false;
  fw->line = line;
}

static void followers_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                         const ct__cfg_field_t *f) {
  ct_config_t *cfg =
      (ct_config_t *)((char *)dst - offsetof(ct_config_t, followers));
  size_t n;
  (void)f;
  if (v->type != YAML_SEQUENCE_NODE) {
    ct__cfg_error(w, v, "expected a list of followers ('- name: ...')");
    return;
  }
  n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
  if (n == 0) {
    ct__cfg_error(w, v, "no followers");
    return;
  }
  cfg->followers = calloc(n, sizeof(*cfg->followers));
  if (cfg->followers == NULL) {
    w->oom = 1;
    return;
  }
  cfg->n_followers = n;
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *item = ct__cfg_node(w, v->data.sequence.items.start[i]);
    size_t mark = ct__cfg_push_index(w, i);
    follower_defaults(&cfg->followers[i], ct__cfg_line(item));
    ct__cfg_map(w, item, follower_fields, COUNT(follower_fields),
                &cfg->followers[i]);
    ct__cfg_pop(w, mark);
  }
}

/* ---- endpoints, limits, postback ---- */

static const ct__cfg_field_t endpoint_fields[] = {
  FIELD("rest_base_url", ct__cfg_str, ct_config_t, rest_base_url, false, 0, 0),
  FIELD("order_update_url", ct__cfg_str, ct_config_t, order_update_url, false,
        0, 0),
  FIELD("ca_file", ct__cfg_path, ct_config_t, ca_file, false, 0, 0),
};

static void url_check(ct__cfg_walk_t *w, yaml_node_t *map, const char *key,
                      const char *url, const char *s1, const char *s2) {
  if (url != NULL && strncmp(url, s1, strlen(s1)) != 0 &&
      strncmp(url, s2, strlen(s2)) != 0) {
    size_t mark = ct__cfg_push_key(w, key);
    ct__cfg_error(w, ct__cfg_map_get(w, map, key), "must start with %s or %s",
                  s1, s2);
    ct__cfg_pop(w, mark);
  }
}

static void endpoints_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                         const ct__cfg_field_t *f) {
  ct_config_t *cfg = dst;
  (void)f;
  if (!ct__cfg_map(w, v, endpoint_fields, COUNT(endpoint_fields), cfg))
    return;
  url_check(w, v, "rest_base_url", cfg->rest_base_url, "https://", "http://");
  url_check(w, v, "order_update_url", cfg->order_update_url, "wss://", "ws://");
}

#define RL(k, member, hi)                                                      \
  FIELD(k, ct__cfg_int, ct_config_rate_limits_t, member, false, 1, hi)
static const ct__cfg_field_t rate_fields[] = {
  RL("orders_per_second", orders_per_second, 1000),
  RL("orders_per_minute", orders_per_minute, 60000),
  RL("orders_per_hour", orders_per_hour, 3600000),
  RL("orders_per_day", orders_per_day, 100000000),
  RL("non_trading_per_second", non_trading_per_second, 1000),
};

static void rates_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                     const ct__cfg_field_t *f) {
  (void)f;
  ct__cfg_map(w, v, rate_fields, COUNT(rate_fields), dst);
}

static const ct__cfg_field_t postback_fields[] = {
  FIELD("listen", ct__cfg_str, ct_config_t, postback_listen, true, 0, 0),
  FIELD("secret", ct__cfg_secret, ct_config_t, postback_secret, true, 0, 0),
};

static void postback_fn(ct__cfg_walk_t *w, yaml_node_t *v, void *dst,
                        const ct__cfg_field_t *f) {
  ct_config_t *cfg = dst;
  const char *colon;
  long port;
  (void)f;
  if (!ct__cfg_map(w, v, postback_fields, COUNT(postback_fields), cfg))
    return;
  cfg->has_postback = true;
  if (cfg->postback_listen == NULL)
    return;
  colon = strrchr(cfg->postback_listen, ':');
  port = colon ? strtol(colon + 1, NULL, 10) : 0;
  if (colon == NULL || colon == cfg->postback_listen || port < 1 ||
      port > 65535 || strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
    size_t mark = ct__cfg_push_key(w, "listen");
    ct__cfg_error(w, ct__cfg_map_get(w, v, "listen"),
                  "expected host:port (port 1 to 65535)");
    ct__cfg_pop(w, mark);
  }
}

/* ---- top level ---- */

static const ct__cfg_field_t top_fields[] = {
  FIELD("leader", leader_fn, ct_config_t, leader, true, 0, 0),
  FIELD("followers", followers_fn, ct_config_t, followers, true, 0, 0),
  { "endpoints", endpoints_fn, 0, false, 0, 0, 0 },
  FIELD("instruments", ct__cfg_path, ct_config_t, instruments, true, 0, 0),
  FIELD("state_dir", ct__cfg_path, ct_config_t, state_dir, true, 0, 0),
  FIELD("rate_limits", rates_fn, ct_config_t, rate_limits, false, 0, 0),
  { "postback", postback_fn, 0, false, 0, 0, 0 },
  FIELD("workers", ct__cfg_int32, ct_config_t, workers, false, 1, 64),
  FIELD("spin_us", ct__cfg_int32, ct_config_t, spin_us, false, 0, 10000),
};

void ct__cfg_walk_root(ct__cfg_walk_t *w, yaml_node_t *root, ct_config_t *cfg) {
  ct__cfg_map(w, root, top_fields, COUNT(top_fields), cfg);
}

/* ---- checks across followers ---- */

/* Line of `key` inside the mapping that starts on `line`, else `line`. */
static unsigned key_line(ct__cfg_walk_t *w, unsigned line, const char *key) {
  for (yaml_node_t *n = w->doc->nodes.start; n < w->doc->nodes.top; n++) {
    if (n->type != YAML_MAPPING_NODE || ct__cfg_line(n) != line)
      continue;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
      yaml_node_t *k = ct__cfg_node(w, p->key);
      if (k && k->type == YAML_SCALAR_NODE &&
          strcmp((const char *)k->data.scalar.value, key) == 0)
        return ct__cfg_line(k);
    }
  }
  return line;
}

/* Report `msg` at followers[i].key, on that key's line. */
static void follower_error(ct__cfg_walk_t *w, const ct_config_t *cfg, size_t i,
                           const char *key, const char *msg) {
  size_t mark = ct__cfg_push_key(w, "followers");
  ct__cfg_push_index(w, i);
  ct__cfg_push_key(w, key);
  ct__cfg_error_line(w, key_line(w, cfg->followers[i].line, key), "%s", msg);
  ct__cfg_pop(w, mark);
}

typedef struct {
  const char *key;
  size_t i;
} keyed_t;

static int cmp_keyed(const void *pa, const void *pb) {
  const keyed_t *a = pa, *b = pb;
  int c = strcmp(a->key, b->key);
  return c != 0 ? c : (a->i > b->i) - (a->i < b->i);
}

/* Sort (value, index) pairs and report each repeat against the first
 * follower holding that value: O(n log n) for thousands of followers. */
static void dup_check(ct__cfg_walk_t *w, const ct_config_t *cfg, size_t member,
                      const char *key, const char *what) {
  keyed_t *k = calloc(cfg->n_followers, sizeof(*k));
  size_t n = 0, first = 0;
  char msg[160];
  if (k == NULL) {
    w->oom = 1;
    return;
  }
  for (size_t i = 0; i < cfg->n_followers; i++) {
    const char *v = (const char *)&cfg->followers[i] + member;
    if (v[0] != '\0')
      k[n++] = (keyed_t){ v, i };
  }
  qsort(k, n, sizeof(*k), cmp_keyed);
  for (size_t j = 1; j < n; j++) {
    if (strcmp(k[j].key, k[first].key) != 0) {
      first = j;
      continue;
    }
    snprintf(msg, sizeof(msg), "%s '%s' also used by followers[%zu] (line %u)",
             what, k[j].key, k[first].i, cfg->followers[k[first].i].line);
    follower_error(w, cfg, k[j].i, key, msg);
  }
  free(k);
}

void ct__cfg_cross_check(ct__cfg_walk_t *w, const ct_config_t *cfg) {
  for (size_t i = 0; i < cfg->n_followers; i++) {
    const ct_config_follower_t *a = &cfg->followers[i];
    if (a->client_id[0] && strcmp(a->client_id, cfg->leader.client_id) == 0)
      follower_error(w, cfg, i, "client_id",
                     "is the leader's client id (a follower cannot copy the "
                     "leader into itself)");
  }
  dup_check(w, cfg, offsetof(ct_config_follower_t, client_id), "client_id",
            "client id");
  dup_check(w, cfg, offsetof(ct_config_follower_t, name), "name", "name");
}
