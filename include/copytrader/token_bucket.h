/*
 * Multi-window rate limiter ("token bucket" by name; a sliding log inside).
 *
 * A limiter holds up to CT_RATE_MAX_WINDOWS windows, each "at most `limit`
 * units in any interval of `period_ns`". A request of `cost` units is
 * admitted only when every window has room for it; it then consumes from
 * all windows at once. Otherwise nothing is consumed and the caller learns
 * the earliest time at which the same request would be admitted.
 *
 * Guarantee. For every window and every instant a, the units admitted with
 * now_ns in [a, a + period_ns) never exceed `limit`. This holds whatever the
 * server counts with (fixed calendar windows or sliding ones), as long as
 * the server sees requests with the spacing we admitted them at; pad the
 * periods with a margin (see ct_rate_dhan_orders()) to absorb network
 * jitter.
 *
 * Algorithm. Each window keeps a ring of (time, count) slots, oldest first:
 * a sliding log. A unit admitted at t occupies its window until t + period.
 * - Exact mode (limit <= CT_RATE_EXACT_MAX): one slot per admission (equal
 *   times share a slot), at most `limit` slots live. Admission is exactly
 *   "units in (now - period, now] + cost <= limit".
 * - Coalesced mode (larger limits, e.g. 7000/day): time is cut into cells
 *   of q = ceil(period / (CT_RATE_EXACT_MAX - 2)) ns, and admissions in the
 *   same cell share a slot stamped with the LATEST of them. A unit is thus
 *   held back for at most q longer than the exact log would (a 1/126 loss of
 *   throughput at worst), never shorter, so the guarantee above still
 *   holds. At most period/q + 2 <= CT_RATE_EXACT_MAX slots are live.
 * Memory is therefore at most CT_RATE_EXACT_MAX slots (16 bytes each) per
 * window: about 6.3 KB for Dhan's four order windows; a ring grows by
 * doubling as it fills, so an idle limiter holds none. Token buckets and
 * GCRA were rejected: with a burst of N they admit N at once and then keep
 * refilling, which lets more than N through in one period.
 *
 * Time: now_ns is a monotonic clock in ns (uv_hrtime() in the engine, a fake
 * clock in tests), passed in by the caller. A now_ns older than one already
 * seen is treated as the newest seen.
 *
 * Threads: none. The owning actor is the only user of an instance.
 */
#ifndef COPYTRADER_TOKEN_BUCKET_H
#define COPYTRADER_TOKEN_BUCKET_H

#include <stddef.h>
#include <stdint.h>

#define CT_RATE_MAX_WINDOWS 6
/* Largest limit tracked exactly; also the slot count of a coalesced ring. */
#define CT_RATE_EXACT_MAX 128
/* ct_token_bucket_headroom(): the minimum over all windows. */
#define CT_RATE_ALL_WINDOWS (-1)

#define CT_NS_PER_SEC       1000000000ULL
#define CT_NS_PER_MIN       (60ULL * CT_NS_PER_SEC)
#define CT_NS_PER_HOUR      (60ULL * CT_NS_PER_MIN)
#define CT_NS_PER_DAY       (24ULL * CT_NS_PER_HOUR)

/* One window: at most `limit` units in any interval of `period_ns`. */
typedef struct ct_rate_window {
  uint32_t limit;     /* >= 1 */
  uint64_t period_ns; /* >= 1 */
} ct_rate_window_t;

/* Private: one slot of a window's log. */
typedef struct ct__rate_slot {
  uint64_t at_ns;
  uint32_t count;
} ct__rate_slot_t;

/* Private: one window's log. */
typedef struct ct__rate_log {
  ct_rate_window_t win;
  uint64_t quantum_ns; /* 0: exact mode */
  ct__rate_slot_t *slots;
  uint32_t cap;   /* the ring's bound */
  uint32_t alloc; /* slots allocated (grows up to cap) */
  uint32_t head;  /* index of the oldest slot */
  uint32_t len;   /* slots in use */
  uint64_t used;  /* units in the ring (some may have expired) */
} ct__rate_log_t;

/* A limiter. Embed it anywhere; fields are private. */
typedef struct ct_token_bucket {
  ct__rate_log_t logs_[CT_RATE_MAX_WINDOWS];
  size_t nwindows_;
  uint64_t now_ns_; /* newest time seen */
} ct_token_bucket_t;

/* Set up `tb` (memory owned by the caller) with `n` windows, copied.
 * The slot rings are allocated as admissions fill them (at most 2 KB per
 * window). Returns 0 or CT_EINVAL (n == 0, n > CT_RATE_MAX_WINDOWS, a zero
 * limit or period, NULL pointers). On error `tb` needs no close. */
int ct_token_bucket_init(ct_token_bucket_t *tb, const ct_rate_window_t *windows,
                         size_t n);

/* Release the rings. `tb` may be initialised again afterwards. Safe on a
 * zeroed struct. */
void ct_token_bucket_close(ct_token_bucket_t *tb);

/* Admit a request of `cost` units at `now_ns`, or say when it could go.
 * Returns 0 when admitted (every window consumed `cost`), CT_ERATELIMIT when
 * some window is full: then nothing was consumed and *retry_at_ns (if not
 * NULL) is the earliest time at which the same call would return 0, the
 * maximum over the blocking windows. CT_ERANGE when `cost` exceeds some
 * window's limit (it can never be admitted), CT_EINVAL for cost == 0,
 * CT_ENOMEM when a ring could not grow (nothing consumed). */
int ct_token_bucket_try(ct_token_bucket_t *tb, uint64_t now_ns, uint32_t cost,
                        uint64_t *retry_at_ns);

/* Units that could be admitted at `now_ns` in window `window` (an index in
 * the order given at init), or the minimum over all windows for
 * CT_RATE_ALL_WINDOWS. Read-only; for status displays. Returns 0 or
 * CT_EINVAL for a bad index. */
int ct_token_bucket_headroom(const ct_token_bucket_t *tb, uint64_t now_ns,
                             int window, uint32_t *headroom);

/* Number of windows, and a copy of window `i` (0 or CT_EINVAL). */
size_t ct_token_bucket_nwindows(const ct_token_bucket_t *tb);
int ct_token_bucket_window(const ct_token_bucket_t *tb, size_t i,
                           ct_rate_window_t *out);

/* Replace the windows (Dhan changes its limits). History carries over so the
 * guarantee holds across the change: a new window takes the admissions of
 * the old window with the shortest period >= its own (or the longest old
 * window when none is that long, which then covers only that history).
 * A lowered limit blocks until enough old units expire. On error (as for
 * init) the limiter is unchanged. */
int ct_token_bucket_reconfigure(ct_token_bucket_t *tb,
                                const ct_rate_window_t *windows, size_t n);

/* Dhan's published limits per account (dhan-v2-api.md section 17): order
 * APIs (place, modify, cancel) 10/s, 250/min, 1000/h, 7000/day; non-trading
 * APIs 20/s. `margin_ns` is added to every period to absorb network jitter
 * between our clock and Dhan's (e.g. 50 ms; 0 for none). Fill `out` (room
 * for CT_RATE_MAX_WINDOWS) and return the number of windows. */
size_t ct_rate_dhan_orders(ct_rate_window_t *out, uint64_t margin_ns);
size_t ct_rate_dhan_non_trading(ct_rate_window_t *out, uint64_t margin_ns);

#endif /* COPYTRADER_TOKEN_BUCKET_H */
