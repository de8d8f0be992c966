/*
 * dhansim: a local imitation of the DhanHQ v2 trading API (REST under /v2,
 * the live order-update WebSocket on "/", postbacks), for tests and
 * benchmarks of copytrader. This private header holds the types every
 * dhansim file shares. One libuv loop runs everything: libwebsockets
 * (HTTP, WS, TLS) as a foreign-loop user, the order lifecycle timers and the
 * libcurl multi handle for postbacks. Nothing here blocks.
 *
 * Nothing in dhansim knows about copy trading: a leader is just an account.
 */
#ifndef DHANSIM_H
#define DHANSIM_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "copytrader/instruments.h"
#include "copytrader/log.h"
#include "copytrader/token_bucket.h"

#define SIM_MAX_BODY (64 * 1024)

typedef struct sim sim_t;
typedef struct account account_t;
typedef struct order order_t;
typedef struct req req_t;

enum { M_GET, M_POST, M_PUT, M_DELETE, M_OTHER };

/* What the HTTP layer does with a handled request. */
enum { ACT_REPLY, ACT_NEVER, ACT_RESET };

/* One HTTP request. The server owns it; handlers fill the response. */
struct req {
  int method;
  char path[512];
  char query[512];
  char *body;
  size_t body_len;
  int body_too_large;
  cJSON *json; /* parsed body, NULL when there is none */
  char token[512];
  char client_hdr[64];      /* "client-id" header */
  char dhan_client_hdr[64]; /* "dhanClientId" header (RenewToken, profile) */
  char content_type[128];
  char accept[128];
  account_t *acct;
  uint64_t t_parsed; /* uv_hrtime() when the request was fully parsed */
  char stamp_corr[40];
  char stamp_order[32];
  int action;
  uint64_t delay_ms;
  int status;
  char *out; /* malloc'd response body */
  size_t out_len;
};

/* ---- accounts.c ---- */
typedef struct position {
  char segment[16];
  char security_id[24];
  char product[12];
  int64_t buy_qty, sell_qty;
  double buy_val, sell_val;
} position_t;

typedef struct trade {
  order_t *order;
  char trade_id[24];
  int64_t qty;
  double price;
  char time[24];
} trade_t;

struct account {
  char client_id[32];
  ct_secret_t token;
  double sod;        /* start-of-day limit */
  double cash_delta; /* sells minus buys, filled */
  double blocked;    /* margin held by open BUY orders */
  order_t **orders;
  size_t n_orders, cap_orders;
  trade_t *trades;
  size_t n_trades, cap_trades;
  position_t *positions;
  size_t n_positions, cap_positions;
  ct_token_bucket_t rl_orders, rl_other; /* §17 windows, exact ns */
  int killswitch;
  int pnl_active;
  double pnl_profit, pnl_loss;
  int pnl_kill;
  char pnl_products[64];
  char *postback_url;
  int reject_next;
  char reject_reason[128];
  int ip_set;
  char ip_primary[64];
};

account_t *accounts_by_token(sim_t *s, const char *token);
account_t *accounts_by_id(sim_t *s, const char *client_id);
int accounts_add(sim_t *s, const char *spec); /* "ID:TOKEN[:FUNDS]" */
void accounts_free(sim_t *s);
position_t *accounts_position(account_t *a, const char *seg, const char *sec,
                              const char *product);
double accounts_available(const account_t *a);

/* The margin model shared by /margincalculator and the funds holds. */
typedef struct sim_margin {
  double total, span, exposure, variable;
} sim_margin_t;
/* Margin of `qty` units of `ins` at `px` (BUY when buy != 0):
 * cash: qty x px x (0.2 INTRADAY, 1 otherwise), all "variable";
 * futures (FUT*): span 8% + exposure 2% of qty x px, either side;
 * option buys: the premium qty x px;
 * option sells: span 8% + exposure 2% of qty x strike (the strike stands
 * for the underlying, whose price the table does not hold). */
void accounts_margin(const ct_instrument_t *ins, int buy, const char *product,
                     int64_t qty, double px, sim_margin_t *out);
/* Whether `ins` is a derivative (segment letter not E). */
int accounts_is_derivative(const ct_instrument_t *ins);

/* ---- sim ---- */
typedef struct fault {
  char route[128];  /* path prefix ("/v2/orders") or "*" */
  char account[24]; /* only requests of this account's token; "" = all */
  uint64_t latency_ms, jitter_ms;
  double error_rate;
  char error_kind[16]; /* "500", "DH-908", "DH-909", "timeout", "reset" */
} fault_t;

typedef struct ws_sess ws_sess_t;

struct sim {
  uv_loop_t *loop;
  struct lws_context *lws;
  ct_instruments_t *instruments;
  double *ltp; /* mutable last price per instrument row */
  account_t **accounts;
  size_t n_accounts;
  order_t **orders; /* by sequence number */
  size_t n_orders, cap_orders;
  /* lifecycle */
  int fill_mode; /* FILL_NONE, FILL_FULL, FILL_PARTIAL */
  uint64_t ack_ms, fill_delay_ms;
  int rate_limit;
  /* faults */
  fault_t faults[16];
  size_t n_faults;
  uint64_t refuse_until_ns;
  uint64_t ws_drop_every_ms;
  uv_timer_t ws_drop_timer;
  uint64_t rng;
  /* websockets */
  ws_sess_t *ws_head;
  int ws_title_status; /* --ws-status-case title: "Traded", "Part_Traded" */
  /* --forever-list-documented: forever lists without correlationId */
  int forever_list_documented;
  /* --forever-spawn-gtt: the order a forever order places when it fires
   * carries GoodTillDaysDate and no correlationId (one reading of Dhan's
   * undocumented spawn) */
  int forever_spawn_gtt;
  /* stamps and the request log */
  void *stamps;
  void *reqlog;
  /* postback */
  void *postback;
  uint64_t trade_seq;
  int stopping;
  struct delayq *delayq; /* server.c: answers held by a latency fault */
  unsigned char *wbuf;   /* server.c: a response being written, reused */
  size_t wbuf_cap;
};

enum { FILL_NONE, FILL_FULL, FILL_PARTIAL };

/* ---- json.c: body helpers and responses ---- */
enum { JX_OK = 0, JX_MISSING = 1, JX_BAD = 2 };
/* Reject any key of `obj` not in the NULL-terminated `allowed` list. */
int jx_only(const cJSON *obj, const char *const *allowed);
int jx_str(const cJSON *obj, const char *key, const char **out);
int jx_num(const cJSON *obj, const char *key, double *out);
int jx_int(const cJSON *obj, const char *key, int64_t *out);
int jx_bool(const cJSON *obj, const char *key, int *out);
int jx_enum(const cJSON *obj, const char *key, const char *const *values,
            const char **out);
void resp_json(req_t *r, int status, cJSON *body); /* takes body */
void resp_error(req_t *r, int status, const char *type, const char *code,
                const char *msg);
void resp_dh905(req_t *r, const char *msg);
void resp_dh906(req_t *r, const char *msg);
void resp_dh907(req_t *r, const char *msg);
void sim_ist_now(char out[24]);
/* Unix time `t` as "YYYY-MM-DD HH:MM:SS" in IST, like sim_ist_now. */
void sim_ist_at(int64_t t, char out[24]);
/* Grows *arr (elements of `elem` bytes, capacity *cap) so that one more
 * element fits after n. 0 or CT_ENOMEM. */
int sim_grow(void **arr, size_t *cap, size_t n, size_t elem);
/* strlcpy-like: copies at most cap-1 bytes and terminates. */
void scopy(char *dst, size_t cap,
           const char *src); /* "YYYY-MM-DD HH:MM:SS" IST */
const char *query_arg(const req_t *r, const char *name, char *buf, size_t cap);

/* ---- router.c ---- */
void router_handle(sim_t *s, req_t *r);

/* ---- faults.c ---- */
/* Applies a matching fault to `r`: 1 when the request is answered by the
 * fault (error, timeout, reset), else 0; sets r->delay_ms for latency. */
int faults_apply(sim_t *s, req_t *r);
int faults_set(sim_t *s, const cJSON *spec, const char **err);
int faults_parse_flag(sim_t *s, const char *kind, const char *arg);
void faults_ws_drop_start(sim_t *s);
uint64_t sim_rand(sim_t *s);

/* ---- stamps.c ---- */
int stamps_init(sim_t *s);
void stamps_free(sim_t *s);
void stamps_request(sim_t *s, const req_t *r);
typedef struct frame_info {
  char account[32], order_id[24], corr[32], status[16];
  int64_t traded;
} frame_info_t;
void stamps_frame(sim_t *s, const frame_info_t *f, uint64_t t);
cJSON *stamps_json(sim_t *s, const char *account);
void stamps_clear(sim_t *s);

/* ---- reqlog.c: the requests as received (GET /admin/requests) ---- */
int reqlog_init(sim_t *s);
void reqlog_free(sim_t *s);
/* Record a finished request; takes over r->body. */
void reqlog_record(sim_t *s, req_t *r);
/* {"requests":[...],"lastSeq":N}: the entries of `account` (NULL: all)
 * with a sequence number above after_seq, oldest first. */
cJSON *reqlog_json(sim_t *s, const char *account, uint64_t after_seq);
void reqlog_clear(sim_t *s);

/* ---- ws.c ---- */
struct lws;
void ws_broadcast_order(sim_t *s, order_t *o);
void ws_drop_all(sim_t *s);
int ws_callback(sim_t *s, struct lws *wsi, int reason, void *user, void *in,
                size_t len);

/* ---- postback.c ---- */
int postback_init(sim_t *s);
void postback_close(sim_t *s);
void postback_order(sim_t *s, order_t *o);

/* ---- admin.c ---- */
void admin_handle(sim_t *s, req_t *r);

/* ---- route tables ---- */
typedef void (*route_fn)(sim_t *s, req_t *r, char **params);
typedef struct route {
  int method;
  const char *pattern; /* "/orders/{}" under /v2 */
  route_fn fn;
  int order_api; /* counts against the order rate limits */
} route_t;

extern const route_t routes_orders[];
extern const route_t routes_super[];
extern const route_t routes_forever[];
extern const route_t routes_portfolio[];
extern const route_t routes_funds[];
extern const route_t routes_statement[];
extern const route_t routes_control[];
extern const route_t routes_account[];

#endif /* DHANSIM_H */
