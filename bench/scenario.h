/*
 * Scenario files: a scripted leader session for the benchmark harness and
 * the demo. One command per line, `#` starts a comment; the format is
 * documented in bench/README.md. The parser expands `repeat N ... end`
 * blocks, so a parsed scenario is a flat list of steps the player runs in
 * order.
 *
 *   rate 50                         # leader actions per second (0: unpaced)
 *   place a type=LIMIT qty=10 price=3000 sec=11536
 *   modify a price=3001.5 qty=20
 *   fill a qty=5
 *   cancel a
 *   burst 20 type=MARKET sec=2885 qty=1
 *   sleep 200
 *   repeat 10
 *     ...
 *   end
 */
#ifndef CT_BENCH_SCENARIO_H
#define CT_BENCH_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#define SC_NAME_SIZE 32
#define SC_WORD_SIZE 24

typedef enum {
  SC_RATE,   /* n = actions per second (0: as fast as possible) */
  SC_PLACE,  /* name, order */
  SC_MODIFY, /* name, fields given in `set` */
  SC_CANCEL, /* name */
  SC_FILL,   /* name, qty (0: the remainder), price (0: the order's) */
  SC_BURST,  /* n places of `order`, back to back, no name */
  SC_SLEEP   /* n milliseconds */
} sc_kind_t;

/* Fields a modify step changes. */
enum { SC_SET_QTY = 1, SC_SET_PRICE = 2, SC_SET_TRIGGER = 4, SC_SET_TYPE = 8 };

typedef struct sc_order {
  char side[SC_WORD_SIZE];     /* BUY (default) or SELL */
  char segment[SC_WORD_SIZE];  /* NSE_EQ (default) */
  char security[SC_WORD_SIZE]; /* securityId, 11536 (TCS) by default */
  char type[SC_WORD_SIZE];     /* MARKET (default), LIMIT, STOP_LOSS, ... */
  char product[SC_WORD_SIZE];  /* INTRADAY (default) */
  char validity[SC_WORD_SIZE]; /* DAY (default) */
  char amo[SC_WORD_SIZE];      /* amoTime of an after-market order, or "" */
  int64_t qty;                 /* units (default 1) */
  double price, trigger;
} sc_order_t;

typedef struct sc_step {
  sc_kind_t kind;
  char name[SC_NAME_SIZE];
  int64_t n;
  unsigned set; /* SC_SET_* for SC_MODIFY */
  sc_order_t order;
  unsigned line;
} sc_step_t;

typedef struct sc_scenario {
  sc_step_t *steps;
  size_t n_steps, cap;
} sc_scenario_t;

/* Parse `path` into *sc (caller-owned, released with sc_free()). On error
 * returns -1 and writes "FILE:LINE: message" into err. */
int sc_load(const char *path, sc_scenario_t *sc, char *err, size_t err_size);

/* Parse text (same rules; `what` names it in messages). */
int sc_parse(const char *text, const char *what, sc_scenario_t *sc, char *err,
             size_t err_size);

void sc_free(sc_scenario_t *sc);

/* Leader actions that a copier mirrors (places, burst places, modifies,
 * cancels), counted over the expanded scenario. */
size_t sc_mirrored_actions(const sc_scenario_t *sc);

#endif /* CT_BENCH_SCENARIO_H */
