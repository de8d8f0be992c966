/*
 * Instrument table: the rows of Dhan's instrument master CSV that matter for
 * order validation (lot size, tick size, freeze quantity, last price).
 *
 * The file format is Dhan's compact api-scrip-master.csv: a header line that
 * names the columns, then one instrument per line. Columns are found by
 * name, so their order does not matter and unknown columns are ignored. The
 * columns read are SEM_EXM_EXCH_ID, SEM_SEGMENT, SEM_SMST_SECURITY_ID,
 * SEM_INSTRUMENT_NAME, SEM_TRADING_SYMBOL, SEM_LOT_UNITS, SEM_CUSTOM_SYMBOL,
 * SEM_EXPIRY_DATE, SEM_STRIKE_PRICE, SEM_OPTION_TYPE, SEM_TICK_SIZE,
 * SEM_SERIES and SM_SYMBOL_NAME, plus two columns the real file lacks:
 * SIM_FREEZE_QTY (exchange freeze quantity, 0 = none) and SIM_LAST_PRICE
 * (a reference last traded price). Missing optional columns read as empty
 * or 0. The three first ones (exchange, segment letter, security id) are
 * required.
 *
 * A table is immutable after loading and may be shared between threads.
 */
#ifndef COPYTRADER_INSTRUMENTS_H
#define COPYTRADER_INSTRUMENTS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ct_instrument {
  char exchange_segment[16]; /* REST name: "NSE_EQ", "NSE_FNO", ... */
  char exchange[8];          /* "NSE", "BSE", "MCX" */
  char segment[4];           /* instrument-list letter: E, D, C, M */
  char security_id[24];
  char instrument[16];   /* SEM_INSTRUMENT_NAME: EQUITY, OPTIDX, FUTIDX */
  char trading_symbol[64];
  char custom_symbol[64];
  char symbol_name[64];
  char expiry_date[24];  /* "" for non-derivatives */
  char option_type[4];   /* "CE", "PE" or "XX"/"" */
  char series[8];
  double strike_price;
  double tick_size;      /* rupees */
  double last_price;     /* SIM_LAST_PRICE, 0 when absent */
  int64_t lot_size;      /* >= 1 */
  int64_t freeze_qty;    /* SIM_FREEZE_QTY, 0 when absent (no limit) */
} ct_instrument_t;

typedef struct ct_instruments ct_instruments_t;

/* Load a CSV file. On success *out is a new table the caller releases with
 * ct_instruments_free(). Errors: CT_EINVAL (NULL argument), CT_EIO (cannot
 * read the file), CT_EPROTO (missing required column or a bad row; the
 * 1-based line number is written to *bad_line when bad_line is not NULL),
 * CT_ENOMEM. */
int ct_instruments_load(const char *path, ct_instruments_t **out,
                        size_t *bad_line);

/* Same as ct_instruments_load() but from a buffer of `len` bytes. */
int ct_instruments_parse(const char *text, size_t len, ct_instruments_t **out,
                         size_t *bad_line);

void ct_instruments_free(ct_instruments_t *t);

/* Find by REST segment ("NSE_FNO") and security id. NULL when absent. The
 * pointer stays valid until ct_instruments_free(). */
const ct_instrument_t *ct_instruments_find(const ct_instruments_t *t,
                                           const char *exchange_segment,
                                           const char *security_id);

size_t ct_instruments_count(const ct_instruments_t *t);
/* Row i (0 <= i < count) in table order (sorted by segment, security id). */
const ct_instrument_t *ct_instruments_at(const ct_instruments_t *t, size_t i);

/* Map an exchange ("NSE") and segment letter ("D") to the REST segment
 * name ("NSE_FNO"). Returns NULL for an unknown pair. Static string. */
const char *ct_instruments_rest_segment(const char *exchange,
                                        const char *segment);

#endif /* COPYTRADER_INSTRUMENTS_H */
