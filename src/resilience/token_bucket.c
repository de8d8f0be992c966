/*
 * token_bucket.c: the multi-window rate limiter of token_bucket.h.
 *
 * Each window is a sliding log: a ring of (time, count) slots in time
 * order. Admission prunes the slots that have left every window, checks
 * that each window has room for the cost, and only then appends to all of
 * them, so a refused request consumes nothing. The earliest retry time of a
 * full window is found by walking its ring from the oldest slot until
 * enough units have been freed. Large limits coalesce admissions per time
 * cell into one slot stamped with the latest time, which keeps the ring
 * bounded and can only hold units back longer (see the header). A ring
 * grows on demand, doubling up to its bound: a thousand idle accounts
 * hold a few slots each, not the bound.
 *
 * An order actor owns one limiter per account; no locks, no clock reads.
 */
#include "copytrader/token_bucket.h"

#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"

static int windows_valid(const ct_rate_window_t *windows, size_t n) {
  if (windows == NULL || n == 0 || n > CT_RATE_MAX_WINDOWS)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (windows[i].limit == 0 || windows[i].period_ns == 0)
      return 0;
  return 1;
}

static uint32_t window_cap(const ct_rate_window_t *w) {
  return w->limit <= CT_RATE_EXACT_MAX ? w->limit : CT_RATE_EXACT_MAX;
}

/* Cell width for coalescing: at most period/q + 2 cells are ever live. */
static uint64_t window_quantum(const ct_rate_window_t *w) {
  const uint64_t cells = CT_RATE_EXACT_MAX - 2;
  if (w->limit <= CT_RATE_EXACT_MAX)
    return 0;
  return w->period_ns / cells + (w->period_ns % cells != 0);
}

static ct__rate_slot_t *log_slot(const ct__rate_log_t *log, uint32_t i) {
  return &log->slots[(log->head + i) % log->alloc];
}

/* Room for one more slot (up to the bound): 0 or CT_ENOMEM. */
static int log_reserve(ct__rate_log_t *log) {
  uint32_t n = log->alloc ? log->alloc * 2 : 4;
  ct__rate_slot_t *p;
  if (log->len < log->alloc || log->alloc == log->cap)
    return 0;
  if (n > log->cap)
    n = log->cap;
  if ((p = malloc(n * sizeof(*p))) == NULL)
    return CT_ENOMEM;
  for (uint32_t i = 0; i < log->len; i++)
    p[i] = *log_slot(log, i);
  free(log->slots);
  log->slots = p;
  log->alloc = n;
  log->head = 0;
  return 0;
}

static int slot_expired(const ct__rate_log_t *log, const ct__rate_slot_t *s,
                        uint64_t now_ns) {
  return now_ns - s->at_ns >= log->win.period_ns;
}

static void log_prune(ct__rate_log_t *log, uint64_t now_ns) {
  while (log->len > 0 && slot_expired(log, log_slot(log, 0), now_ns)) {
    log->used -= log_slot(log, 0)->count;
    log->head = (log->head + 1) % log->alloc;
    log->len--;
  }
}

/* Units still inside the window at now_ns, without pruning. */
static uint64_t log_live(const ct__rate_log_t *log, uint64_t now_ns) {
  uint64_t live = log->used;
  for (uint32_t i = 0; i < log->len; i++) {
    const ct__rate_slot_t *s = log_slot(log, i);
    if (!slot_expired(log, s, now_ns))
      break;
    live -= s->count;
  }
  return live;
}

/* Append `count` units at now_ns (log_reserve first). Joins the newest slot
 * when the time (or, coalescing, the cell) is the same; also when the ring
 * is full, which the sizing rules out but would only make the log more
 * conservative. */
static void log_push(ct__rate_log_t *log, uint64_t now_ns, uint32_t count) {
  ct__rate_slot_t *back = log->len ? log_slot(log, log->len - 1) : NULL;
  uint64_t q = log->quantum_ns;

  if (back != NULL && (back->at_ns == now_ns || log->len == log->alloc ||
                       (q != 0 && back->at_ns / q == now_ns / q))) {
    back->at_ns = now_ns;
    back->count += count;
  } else {
    back = log_slot(log, log->len++);
    back->at_ns = now_ns;
    back->count = count;
  }
  log->used += count;
}

/* 0 if `cost` fits at now_ns (log pruned), else the earliest time it fits. */
static uint64_t log_wait(const ct__rate_log_t *log, uint32_t cost) {
  uint64_t freed = 0;
  uint64_t need;

  if (log->used + cost <= log->win.limit)
    return 0;
  need = log->used + cost - log->win.limit;
  for (uint32_t i = 0; i < log->len; i++) {
    const ct__rate_slot_t *s = log_slot(log, i);
    freed += s->count;
    if (freed >= need)
      return s->at_ns + log->win.period_ns;
  }
  return UINT64_MAX; /* unreachable: cost <= limit was checked */
}

/* Empty logs for `windows`; their rings are allocated as they fill. */
static void logs_build(ct__rate_log_t *logs, const ct_rate_window_t *windows,
                       size_t n) {
  for (size_t i = 0; i < n; i++) {
    memset(&logs[i], 0, sizeof(logs[i]));
    logs[i].win = windows[i];
    logs[i].quantum_ns = window_quantum(&windows[i]);
    logs[i].cap = window_cap(&windows[i]);
  }
}

static void logs_free(ct__rate_log_t *logs, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(logs[i].slots);
}

int ct_token_bucket_init(ct_token_bucket_t *tb, const ct_rate_window_t *windows,
                         size_t n) {
  if (tb == NULL || !windows_valid(windows, n))
    return CT_EINVAL;
  memset(tb, 0, sizeof(*tb));
  logs_build(tb->logs_, windows, n);
  tb->nwindows_ = n;
  return 0;
}

void ct_token_bucket_close(ct_token_bucket_t *tb) {
  if (tb == NULL)
    return;
  logs_free(tb->logs_, tb->nwindows_);
  memset(tb, 0, sizeof(*tb));
}

static uint64_t clamp_now(ct_token_bucket_t *tb, uint64_t now_ns) {
  if (now_ns < tb->now_ns_)
    return tb->now_ns_;
  tb->now_ns_ = now_ns;
  return now_ns;
}

int ct_token_bucket_try(ct_token_bucket_t *tb, uint64_t now_ns, uint32_t cost,
                        uint64_t *retry_at_ns) {
  uint64_t wait = 0;

  if (tb == NULL || tb->nwindows_ == 0 || cost == 0)
    return CT_EINVAL;
  for (size_t i = 0; i < tb->nwindows_; i++)
    if (cost > tb->logs_[i].win.limit)
      return CT_ERANGE;
  now_ns = clamp_now(tb, now_ns);
  for (size_t i = 0; i < tb->nwindows_; i++) {
    uint64_t w;
    log_prune(&tb->logs_[i], now_ns);
    w = log_wait(&tb->logs_[i], cost);
    if (w > wait)
      wait = w;
  }
  if (wait != 0) {
    if (retry_at_ns != NULL)
      *retry_at_ns = wait;
    return CT_ERATELIMIT;
  }
  for (size_t i = 0; i < tb->nwindows_; i++)
    if (log_reserve(&tb->logs_[i]) != 0)
      return CT_ENOMEM; /* nothing consumed yet */
  for (size_t i = 0; i < tb->nwindows_; i++)
    log_push(&tb->logs_[i], now_ns, cost);
  return 0;
}

static uint32_t log_headroom(const ct__rate_log_t *log, uint64_t now_ns) {
  uint64_t live = log_live(log, now_ns);
  return live >= log->win.limit ? 0 : (uint32_t)(log->win.limit - live);
}

int ct_token_bucket_headroom(const ct_token_bucket_t *tb, uint64_t now_ns,
                             int window, uint32_t *headroom) {
  uint32_t min = UINT32_MAX;

  if (tb == NULL || headroom == NULL || tb->nwindows_ == 0)
    return CT_EINVAL;
  if (now_ns < tb->now_ns_)
    now_ns = tb->now_ns_;
  if (window != CT_RATE_ALL_WINDOWS) {
    if (window < 0 || (size_t)window >= tb->nwindows_)
      return CT_EINVAL;
    *headroom = log_headroom(&tb->logs_[window], now_ns);
    return 0;
  }
  for (size_t i = 0; i < tb->nwindows_; i++) {
    uint32_t h = log_headroom(&tb->logs_[i], now_ns);
    if (h < min)
      min = h;
  }
  *headroom = min;
  return 0;
}

size_t ct_token_bucket_nwindows(const ct_token_bucket_t *tb) {
  return tb == NULL ? 0 : tb->nwindows_;
}

int ct_token_bucket_window(const ct_token_bucket_t *tb, size_t i,
                           ct_rate_window_t *out) {
  if (tb == NULL || out == NULL || i >= tb->nwindows_)
    return CT_EINVAL;
  *out = tb->logs_[i].win;
  return 0;
}

/* The old log whose history best covers a new window of `period_ns`: the
 * shortest period >= it, else the longest there is. */
static const ct__rate_log_t *history_for(const ct_token_bucket_t *tb,
                                         uint64_t period_ns) {
  const ct__rate_log_t *best = NULL;
  const ct__rate_log_t *longest = NULL;

  for (size_t i = 0; i < tb->nwindows_; i++) {
    const ct__rate_log_t *l = &tb->logs_[i];
    if (longest == NULL || l->win.period_ns > longest->win.period_ns)
      longest = l;
    if (l->win.period_ns >= period_ns &&
        (best == NULL || l->win.period_ns < best->win.period_ns))
      best = l;
  }
  return best != NULL ? best : longest;
}

static int log_copy_live(ct__rate_log_t *dst, const ct__rate_log_t *src,
                         uint64_t now_ns) {
  for (uint32_t i = 0; i < src->len; i++) {
    const ct__rate_slot_t *s = log_slot(src, i);
    if (slot_expired(dst, s, now_ns))
      continue;
    if (log_reserve(dst) != 0)
      return CT_ENOMEM;
    log_push(dst, s->at_ns, s->count);
  }
  return 0;
}

int ct_token_bucket_reconfigure(ct_token_bucket_t *tb,
                                const ct_rate_window_t *windows, size_t n) {
  ct__rate_log_t logs[CT_RATE_MAX_WINDOWS];
  int err = 0;

  if (tb == NULL || tb->nwindows_ == 0 || !windows_valid(windows, n))
    return CT_EINVAL;
  logs_build(logs, windows, n);
  for (size_t i = 0; i < n && err == 0; i++)
    err = log_copy_live(&logs[i], history_for(tb, windows[i].period_ns),
                        tb->now_ns_);
  if (err != 0) {
    logs_free(logs, n);
    return err;
  }
  logs_free(tb->logs_, tb->nwindows_);
  memcpy(tb->logs_, logs, n * sizeof(logs[0]));
  tb->nwindows_ = n;
  return 0;
}

static size_t fill_windows(ct_rate_window_t *out, const ct_rate_window_t *src,
                           size_t n, uint64_t margin_ns) {
  for (size_t i = 0; i < n; i++) {
    out[i] = src[i];
    out[i].period_ns += margin_ns;
  }
  return n;
}

size_t ct_rate_dhan_orders(ct_rate_window_t *out, uint64_t margin_ns) {
  static const ct_rate_window_t w[] = {
    { 10, CT_NS_PER_SEC },
    { 250, CT_NS_PER_MIN },
    { 1000, CT_NS_PER_HOUR },
    { 7000, CT_NS_PER_DAY },
  };
  return fill_windows(out, w, sizeof(w) / sizeof(w[0]), margin_ns);
}

size_t ct_rate_dhan_non_trading(ct_rate_window_t *out, uint64_t margin_ns) {
  static const ct_rate_window_t w[] = { { 20, CT_NS_PER_SEC } };
  return fill_windows(out, w, 1, margin_ns);
}
