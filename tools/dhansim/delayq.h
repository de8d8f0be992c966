/*
 * delayq.h: answers held back by an injected latency, released on time to
 * the microsecond. libuv timers count whole milliseconds from the loop's
 * cached clock, so a 20 ms latency came out anywhere between 19 and 22 ms
 * and the answers of one millisecond left together; one timerfd on the
 * earliest due time (CLOCK_MONOTONIC, the clock of uv_hrtime and of the
 * request stamps) gives each answer its own time.
 */
#ifndef DHANSIM_DELAYQ_H
#define DHANSIM_DELAYQ_H

#include <stdint.h>
#include <uv.h>

typedef struct delayq delayq_t;
typedef struct delayq_item delayq_item_t;

/* Called once per item when it is due; the item is freed after it. */
typedef void (*delayq_fire_fn)(void *ctx);

/* NULL when out of memory or without timerfd. */
delayq_t *delayq_new(uv_loop_t *loop, delayq_fire_fn fire);
/* Hold `ctx` until uv_hrtime() reaches due_ns. The item belongs to the
 * queue; keep it only to cancel it. NULL when out of memory. */
delayq_item_t *delayq_add(delayq_t *q, uint64_t due_ns, void *ctx);
/* Forget an item not yet fired (its connection went away). */
void delayq_cancel(delayq_t *q, delayq_item_t *it);
/* Drop what is queued (not fired) and close; freed once libuv is done. */
void delayq_close(delayq_t *q);

#endif
