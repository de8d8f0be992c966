/*
 * validate.h: strict checks of order requests shared by the order, super
 * order and forever order routes (validate.c). Private to dhansim.
 */
#ifndef DHANSIM_VALIDATE_H
#define DHANSIM_VALIDATE_H

#include "orders.h"

enum {
  SPEC_SLICE = 1,   /* /orders/slicing: no freeze-quantity limit */
  SPEC_SUPER = 2,   /* LIMIT/MARKET only, no validity/trigger/AMO */
  SPEC_FOREVER = 4, /* trigger required, no AMO */
};

typedef struct spec {
  const char *txn, *segment, *product, *otype, *validity, *security_id;
  const char *corr, *amo_time;
  int64_t qty, disc;
  double price, trigger;
  int amo;
  const ct_instrument_t *ins;
} spec_t;

extern const char *const v_txn[],
    *const v_seg[], *const v_product[], *const v_otype[],
                                            *const v_validity[],
                                                *const v_amo[], *const v_leg[];

/* Reads and checks a place-style body. On failure the error response is
 * already in `r` and -1 is returned. */
int spec_read(sim_t *s, req_t *r, const cJSON *j, spec_t *sp, unsigned flags);
/* Checks quantity (lot multiple, > 0) and price/trigger for an order type
 * and side; fills the error response and returns -1 on failure. */
int spec_check_qty(req_t *r, const ct_instrument_t *ins, int64_t qty);
int spec_check_prices(req_t *r, const ct_instrument_t *ins, const char *otype,
                      const char *txn, double price, double trigger);
int spec_corr_ok(const char *corr);
/* Reports a jx_* failure for `field` as DH-905; returns -1 when rc != OK
 * (or rc == MISSING and the field is required), else 0. */
int spec_field(req_t *r, int rc, const char *field, int required);
void spec_apply(order_t *o, const spec_t *sp);

#endif /* DHANSIM_VALIDATE_H */
