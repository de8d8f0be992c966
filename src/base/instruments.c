/*
 * instruments.c: loads Dhan's instrument master CSV (see
 * include/copytrader/instruments.h).
 *
 * The header line gives each wanted column's index; every later line is
 * split on commas (double quotes protect commas, as in RFC 4180) and the
 * wanted fields are copied into a fixed-size row. Rows are sorted by
 * (segment, security id) so lookups are a binary search.
 */
#include "copytrader/instruments.h"
#include "copytrader/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/dhan_types.h"
#include "copytrader/error.h"
#include "copytrader/grow.h"

#define MAX_FIELDS 64

enum {
  COL_EXCH,
  COL_SEG,
  COL_SECID,
  COL_INSTR,
  COL_TSYM,
  COL_LOT,
  COL_CSYM,
  COL_EXPIRY,
  COL_STRIKE,
  COL_OPT,
  COL_TICK,
  COL_SERIES,
  COL_SYMNAME,
  COL_FREEZE,
  COL_LTP,
  COL_COUNT
};

static const char *const col_names[COL_COUNT] = {
  "SEM_EXM_EXCH_ID",     "SEM_SEGMENT",        "SEM_SMST_SECURITY_ID",
  "SEM_INSTRUMENT_NAME", "SEM_TRADING_SYMBOL", "SEM_LOT_UNITS",
  "SEM_CUSTOM_SYMBOL",   "SEM_EXPIRY_DATE",    "SEM_STRIKE_PRICE",
  "SEM_OPTION_TYPE",     "SEM_TICK_SIZE",      "SEM_SERIES",
  "SM_SYMBOL_NAME",      "SIM_FREEZE_QTY",     "SIM_LAST_PRICE"
};

struct ct_instruments {
  ct_instrument_t *rows;
  size_t count;
  size_t cap;
};

typedef struct {
  const char *start[MAX_FIELDS];
  size_t len[MAX_FIELDS];
  int n;
} fields_t;

/* The trading segments map like the order-update socket's (Exchange,
 * Segment) pair, one table in dhan_enums.c; the master adds index rows
 * ("I" on NSE and BSE), which are not tradable and never on the socket. */
const char *ct_instruments_rest_segment(const char *exchange,
                                        const char *segment) {
  ct_dhan_segment_t s;
  if (exchange == NULL || segment == NULL)
    return NULL;
  if (strcmp(segment, "I") == 0 &&
      (strcmp(exchange, "NSE") == 0 || strcmp(exchange, "BSE") == 0))
    return ct_dhan_segment_str(CT_DHAN_SEG_IDX_I);
  s = ct_dhan_segment_from_ws(exchange, segment);
  return s == CT_DHAN_SEG_UNKNOWN ? NULL : ct_dhan_segment_str(s);
}

/* Split one line (without its newline) into fields; quotes are stripped
 * only when they wrap the whole field. */
static void split_line(const char *p, const char *end, fields_t *f) {
  f->n = 0;
  while (f->n < MAX_FIELDS) {
    const char *s = p;
    int quoted = (p < end && *p == '"');
    if (quoted) {
      s = ++p;
      while (p < end && *p != '"')
        p++;
      f->start[f->n] = s;
      f->len[f->n++] = (size_t)(p - s);
      while (p < end && *p != ',')
        p++;
    } else {
      while (p < end && *p != ',')
        p++;
      f->start[f->n] = s;
      f->len[f->n++] = (size_t)(p - s);
    }
    if (p >= end)
      return;
    p++; /* the comma */
  }
}

static void copy_field(char *dst, size_t cap, const fields_t *f, int idx) {
  size_t n = 0;
  if (idx >= 0 && idx < f->n) {
    const char *s = f->start[idx];
    n = f->len[idx];
    while (n > 0 && (*s == ' ' || *s == '\t')) {
      s++;
      n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
      n--;
    if (n >= cap)
      n = cap - 1;
    memcpy(dst, s, n);
  }
  dst[n] = '\0';
}

static double num_field(const fields_t *f, int idx) {
  char buf[64];
  copy_field(buf, sizeof(buf), f, idx);
  return buf[0] ? strtod(buf, NULL) : 0.0;
}

static int map_header(const fields_t *f, int cols[COL_COUNT]) {
  for (int c = 0; c < COL_COUNT; c++) {
    cols[c] = -1;
    for (int i = 0; i < f->n; i++) {
      char name[64];
      copy_field(name, sizeof(name), f, i);
      if (strcmp(name, col_names[c]) == 0)
        cols[c] = i;
    }
  }
  return (cols[COL_EXCH] < 0 || cols[COL_SEG] < 0 || cols[COL_SECID] < 0)
             ? CT_EPROTO
             : 0;
}

static int fill_row(ct_instrument_t *r, const fields_t *f,
                    const int cols[COL_COUNT]) {
  const char *rest;
  memset(r, 0, sizeof(*r));
  copy_field(r->exchange, sizeof(r->exchange), f, cols[COL_EXCH]);
  copy_field(r->segment, sizeof(r->segment), f, cols[COL_SEG]);
  copy_field(r->security_id, sizeof(r->security_id), f, cols[COL_SECID]);
  rest = ct_instruments_rest_segment(r->exchange, r->segment);
  if (rest == NULL || r->security_id[0] == '\0')
    return CT_EPROTO;
  snprintf(r->exchange_segment, sizeof(r->exchange_segment), "%s", rest);
  copy_field(r->instrument, sizeof(r->instrument), f, cols[COL_INSTR]);
  copy_field(r->trading_symbol, sizeof(r->trading_symbol), f, cols[COL_TSYM]);
  copy_field(r->custom_symbol, sizeof(r->custom_symbol), f, cols[COL_CSYM]);
  copy_field(r->symbol_name, sizeof(r->symbol_name), f, cols[COL_SYMNAME]);
  copy_field(r->expiry_date, sizeof(r->expiry_date), f, cols[COL_EXPIRY]);
  copy_field(r->option_type, sizeof(r->option_type), f, cols[COL_OPT]);
  copy_field(r->series, sizeof(r->series), f, cols[COL_SERIES]);
  r->strike_price = num_field(f, cols[COL_STRIKE]);
  r->tick_size = num_field(f, cols[COL_TICK]);
  r->last_price = num_field(f, cols[COL_LTP]);
  r->lot_size = (int64_t)num_field(f, cols[COL_LOT]);
  r->freeze_qty = (int64_t)num_field(f, cols[COL_FREEZE]);
  if (r->lot_size < 1)
    r->lot_size = 1;
  if (r->strike_price < 0)
    r->strike_price = 0;
  return 0;
}

static int row_cmp(const void *a, const void *b) {
  const ct_instrument_t *x = a, *y = b;
  int c = strcmp(x->exchange_segment, y->exchange_segment);
  return c ? c : strcmp(x->security_id, y->security_id);
}

static int push_row(ct_instruments_t *t, const ct_instrument_t *r) {
  ct_instrument_t *rows =
      ct_grow(t->rows, &t->cap, t->count, sizeof(*rows), 64);
  if (rows == NULL)
    return CT_ENOMEM;
  t->rows = rows;
  t->rows[t->count++] = *r;
  return 0;
}

int ct_instruments_parse(const char *text, size_t len, ct_instruments_t **out,
                         size_t *bad_line) {
  ct_instruments_t *t;
  const char *p = text, *end = text + len;
  int cols[COL_COUNT], rc = 0;
  size_t line = 0;
  fields_t f;
  ct_instrument_t row;

  if (text == NULL || out == NULL)
    return CT_EINVAL;
  t = calloc(1, sizeof(*t));
  if (t == NULL)
    return CT_ENOMEM;
  while (p < end && rc == 0) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (eol == NULL)
      eol = end;
    line++;
    split_line(p, eol, &f);
    if (line == 1)
      rc = map_header(&f, cols);
    else if (eol > p && !(eol - p == 1 && *p == '\r'))
      rc = fill_row(&row, &f, cols);
    if (rc == 0 && line > 1 && eol > p && !(eol - p == 1 && *p == '\r'))
      rc = push_row(t, &row);
    p = eol + 1;
  }
  if (rc == 0 && line == 0)
    rc = CT_EPROTO;
  if (rc != 0)
    goto fail;
  qsort(t->rows, t->count, sizeof(*t->rows), row_cmp);
  *out = t;
  return 0;
fail:
  if (bad_line)
    *bad_line = line;
  ct_instruments_free(t);
  return rc;
}

int ct_instruments_load(const char *path, ct_instruments_t **out,
                        size_t *bad_line) {
  FILE *fp;
  char *buf = NULL;
  long size;
  int rc = CT_EIO;

  if (path == NULL || out == NULL)
    return CT_EINVAL;
  fp = fopen(path, "rb");
  if (fp == NULL)
    return CT_EIO;
  if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
      fseek(fp, 0, SEEK_SET) != 0)
    goto done;
  buf = malloc((size_t)size + 1);
  rc = CT_ENOMEM;
  if (buf == NULL)
    goto done;
  rc = CT_EIO;
  if (fread(buf, 1, (size_t)size, fp) != (size_t)size)
    goto done;
  rc = ct_instruments_parse(buf, (size_t)size, out, bad_line);
done:
  free(buf);
  fclose(fp);
  return rc;
}

void ct_instruments_free(ct_instruments_t *t) {
  if (t == NULL)
    return;
  free(t->rows);
  free(t);
}

const ct_instrument_t *ct_instruments_find(const ct_instruments_t *t,
                                           const char *exchange_segment,
                                           const char *security_id) {
  ct_instrument_t key;
  if (t == NULL || exchange_segment == NULL || security_id == NULL ||
      strlen(exchange_segment) >= sizeof(key.exchange_segment) ||
      strlen(security_id) >= sizeof(key.security_id))
    return NULL;
  snprintf(key.exchange_segment, sizeof(key.exchange_segment), "%s",
           exchange_segment);
  snprintf(key.security_id, sizeof(key.security_id), "%s", security_id);
  return bsearch(&key, t->rows, t->count, sizeof(*t->rows), row_cmp);
}

size_t ct_instruments_count(const ct_instruments_t *t) {
  return t ? t->count : 0;
}

const ct_instrument_t *ct_instruments_at(const ct_instruments_t *t, size_t i) {
  return (t && i < t->count) ? &t->rows[i] : NULL;
}
