/*
 * ratelimit.h: dhansim's per-account sliding-window request counters (see
 * ratelimit.c). Private to dhansim.
 */
#ifndef DHANSIM_RATELIMIT_H
#define DHANSIM_RATELIMIT_H

#include "dhansim.h"

/* Dhan's order-API windows: 10/s, 250/min, 1000/h, 7000/day. */
ratelimit_t *ratelimit_new_orders(void);
/* Non-trading APIs: 20/s. */
ratelimit_t *ratelimit_new_other(void);

#endif /* DHANSIM_RATELIMIT_H */
