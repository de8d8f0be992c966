/*
 * scenario.c: the parser of scenario files (see scenario.h and
 * bench/README.md). Lines are split into words; `key=value` words fill an
 * order; `repeat N` / `end` blocks are expanded in place when their `end`
 * is read, so nested blocks work and the player sees a flat step list.
 */
#include "scenario.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/grow.h"

#define MAX_WORDS 24
#define MAX_DEPTH 8
#define MAX_STEPS (1u << 22)

typedef struct parser {
  sc_scenario_t *sc;
  const char *what;
  unsigned line;
  char *err;
  size_t err_size;
  size_t starts[MAX_DEPTH];
  int64_t counts[MAX_DEPTH];
  int depth;
} parser_t;

static int fail(parser_t *p, const char *fmt, ...) {
  va_list ap;
  int n = snprintf(p->err, p->err_size, "%s:%u: ", p->what, p->line);
  va_start(ap, fmt);
  if (n >= 0 && (size_t)n < p->err_size)
    vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

static sc_step_t *push(parser_t *p) {
  sc_scenario_t *sc = p->sc;
  sc_step_t *s =
      sc->n_steps >= MAX_STEPS
          ? NULL
          : ct_grow(sc->steps, &sc->cap, sc->n_steps, sizeof(*s), 64);
  if (s == NULL)
    return NULL;
  sc->steps = s;
  sc_step_t *st = &sc->steps[sc->n_steps++];
  memset(st, 0, sizeof(*st));
  st->line = p->line;
  return st;
}

static int parse_int(parser_t *p, const char *s, int64_t lo, int64_t *out) {
  char *end;
  long long v = strtoll(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < lo)
    return fail(p, "'%s' is not a whole number >= %lld", s, (long long)lo);
  *out = v;
  return 0;
}

static int parse_num(parser_t *p, const char *s, double *out) {
  char *end;
  double v = strtod(s, &end);
  if (*s == '\0' || *end != '\0' || v < 0)
    return fail(p, "'%s' is not a number >= 0", s);
  *out = v;
  return 0;
}

static int word(parser_t *p, char *dst, const char *v) {
  if (strlen(v) >= SC_WORD_SIZE || *v == '\0')
    return fail(p, "bad value '%s'", v);
  strcpy(dst, v);
  return 0;
}

/* One key=value word of an order; marks modified fields in *set. */
static int order_kv(parser_t *p, sc_order_t *o, unsigned *set, char *kv) {
  char *v = strchr(kv, '=');
  if (v == NULL)
    return fail(p, "expected key=value, got '%s'", kv);
  *v++ = '\0';
  if (strcmp(kv, "qty") == 0)
    return *set |= SC_SET_QTY, parse_int(p, v, 1, &o->qty);
  if (strcmp(kv, "price") == 0)
    return *set |= SC_SET_PRICE, parse_num(p, v, &o->price);
  if (strcmp(kv, "trigger") == 0)
    return *set |= SC_SET_TRIGGER, parse_num(p, v, &o->trigger);
  if (strcmp(kv, "type") == 0)
    return *set |= SC_SET_TYPE, word(p, o->type, v);
  if (strcmp(kv, "side") == 0)
    return word(p, o->side, v);
  if (strcmp(kv, "seg") == 0)
    return word(p, o->segment, v);
  if (strcmp(kv, "sec") == 0)
    return word(p, o->security, v);
  if (strcmp(kv, "product") == 0)
    return word(p, o->product, v);
  if (strcmp(kv, "validity") == 0)
    return word(p, o->validity, v);
  if (strcmp(kv, "amo") == 0)
    return word(p, o->amo, v);
  return fail(p, "unknown key '%s'", kv);
}

static void order_defaults(sc_order_t *o) {
  memset(o, 0, sizeof(*o));
  strcpy(o->side, "BUY");
  strcpy(o->segment, "NSE_EQ");
  strcpy(o->security, "11536");
  strcpy(o->type, "MARKET");
  strcpy(o->product, "INTRADAY");
  strcpy(o->validity, "DAY");
  o->qty = 1;
}

static int name(parser_t *p, sc_step_t *st, const char *w) {
  if (w == NULL || strlen(w) >= SC_NAME_SIZE || strchr(w, '=') != NULL)
    return fail(p, "expected an order name");
  strcpy(st->name, w);
  return 0;
}

static int kvs(parser_t *p, sc_step_t *st, char **w, int from, int n) {
  for (int i = from; i < n; i++)
    if (order_kv(p, &st->order, &st->set, w[i]))
      return -1;
  return 0;
}

static int repeat_end(parser_t *p) {
  if (p->depth == 0)
    return fail(p, "'end' without 'repeat'");
  p->depth--;
  size_t start = p->starts[p->depth], len = p->sc->n_steps - start;
  for (int64_t k = 1; k < p->counts[p->depth]; k++)
    for (size_t i = 0; i < len; i++) {
      sc_step_t *st = push(p);
      if (st == NULL)
        return fail(p, "scenario too large");
      *st = p->sc->steps[start + i];
    }
  return 0;
}

static int repeat_begin(parser_t *p, char **w, int n) {
  if (n != 2 || p->depth == MAX_DEPTH)
    return fail(p, "usage: repeat N (at most %d deep)", MAX_DEPTH);
  if (parse_int(p, w[1], 1, &p->counts[p->depth]))
    return -1;
  p->starts[p->depth++] = p->sc->n_steps;
  return 0;
}

static int fill_kvs(parser_t *p, sc_step_t *st, char **w, int n) {
  for (int i = 2; i < n; i++) {
    if (strncmp(w[i], "qty=", 4) == 0) {
      if (parse_int(p, w[i] + 4, 1, &st->order.qty))
        return -1;
    } else if (strncmp(w[i], "price=", 6) == 0) {
      if (parse_num(p, w[i] + 6, &st->order.price))
        return -1;
    } else {
      return fail(p, "fill takes qty= and price= only");
    }
  }
  return 0;
}

static int command(parser_t *p, char **w, int n) {
  const char *c = w[0];
  if (strcmp(c, "repeat") == 0)
    return repeat_begin(p, w, n);
  if (strcmp(c, "end") == 0)
    return n == 1 ? repeat_end(p) : fail(p, "'end' takes no argument");
  sc_step_t *st = push(p);
  if (st == NULL)
    return fail(p, "scenario too large");
  order_defaults(&st->order);
  if (strcmp(c, "rate") == 0 || strcmp(c, "sleep") == 0) {
    st->kind = c[0] == 'r' ? SC_RATE : SC_SLEEP;
    return n == 2 ? parse_int(p, w[1], 0, &st->n) : fail(p, "usage: %s N", c);
  }
  if (strcmp(c, "place") == 0)
    return st->kind = SC_PLACE,
           name(p, st, n > 1 ? w[1] : NULL) || kvs(p, st, w, 2, n);
  if (strcmp(c, "modify") == 0) {
    st->kind = SC_MODIFY;
    if (name(p, st, n > 1 ? w[1] : NULL) || kvs(p, st, w, 2, n))
      return -1;
    return st->set ? 0 : fail(p, "modify changes nothing");
  }
  if (strcmp(c, "cancel") == 0)
    return st->kind = SC_CANCEL,
           n == 2 ? name(p, st, w[1]) : fail(p, "usage: cancel NAME");
  if (strcmp(c, "fill") == 0) {
    st->kind = SC_FILL;
    st->order.qty = 0;
    return name(p, st, n > 1 ? w[1] : NULL) || fill_kvs(p, st, w, n);
  }
  if (strcmp(c, "burst") == 0)
    return st->kind = SC_BURST,
           n < 2 ? fail(p, "usage: burst N key=value...")
                 : parse_int(p, w[1], 1, &st->n) || kvs(p, st, w, 2, n);
  return fail(p, "unknown command '%s'", c);
}

static int split(char *line, char **w) {
  char *hash = strchr(line, '#');
  int n = 0;
  if (hash != NULL)
    *hash = '\0';
  for (char *t = strtok(line, " \t\r"); t != NULL && n < MAX_WORDS;
       t = strtok(NULL, " \t\r"))
    w[n++] = t;
  return n;
}

int sc_parse(const char *text, const char *what, sc_scenario_t *sc, char *err,
             size_t err_size) {
  parser_t p = { .sc = sc, .what = what, .err = err, .err_size = err_size };
  char *copy = strdup(text), *save = NULL, *w[MAX_WORDS];
  int rc = -1;
  memset(sc, 0, sizeof(*sc));
  if (copy == NULL)
    goto done;
  for (char *line = copy; line != NULL; line = save) {
    save = strchr(line, '\n');
    if (save != NULL)
      *save++ = '\0';
    p.line++;
    int n = split(line, w);
    if (n > 0 && command(&p, w, n))
      goto done;
  }
  rc = p.depth ? fail(&p, "'repeat' without 'end'") : 0;
done:
  free(copy);
  if (rc)
    sc_free(sc);
  return rc;
}

int sc_load(const char *path, sc_scenario_t *sc, char *err, size_t err_size) {
  FILE *f = fopen(path, "r");
  char *text = NULL;
  size_t len = 0;
  int rc = -1;
  memset(sc, 0, sizeof(*sc));
  if (f == NULL) {
    snprintf(err, err_size, "%s: cannot open", path);
    return -1;
  }
  FILE *m = open_memstream(&text, &len);
  char buf[4096];
  size_t got;
  while (m != NULL && (got = fread(buf, 1, sizeof(buf), f)) > 0)
    fwrite(buf, 1, got, m);
  if (m != NULL && fclose(m) == 0)
    rc = sc_parse(text, path, sc, err, err_size);
  else
    snprintf(err, err_size, "%s: out of memory", path);
  free(text);
  fclose(f);
  return rc;
}

void sc_free(sc_scenario_t *sc) {
  free(sc->steps);
  memset(sc, 0, sizeof(*sc));
}

size_t sc_mirrored_actions(const sc_scenario_t *sc) {
  size_t n = 0;
  for (size_t i = 0; i < sc->n_steps; i++) {
    const sc_step_t *st = &sc->steps[i];
    if (st->kind == SC_BURST)
      n += (size_t)st->n;
    else if (st->kind == SC_PLACE || st->kind == SC_MODIFY ||
             st->kind == SC_CANCEL)
      n++;
  }
  return n;
}
