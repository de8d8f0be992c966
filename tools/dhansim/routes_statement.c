/*
 * routes_statement.c: §9 statements. The ledger returns an array with the
 * opening balance (sodLimit); the trade history pages today's trades, 20 per
 * page, page 0 first (the real page size is UNVERIFIED), with the
 * trade-book fields plus charges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orders.h"

#define PAGE_SIZE 20

static int date_ok(const char *d) {
  static const char pat[] = "dddd-dd-dd";
  if (d == NULL || strlen(d) != 10)
    return 0;
  for (int i = 0; i < 10; i++)
    if (pat[i] == 'd' ? (d[i] < '0' || d[i] > '9') : d[i] != '-')
      return 0;
  return 1;
}

static void ledger(sim_t *s, req_t *r, char **p) {
  char from[32], to[32], amount[32];
  cJSON *arr, *j;
  (void)s;
  (void)p;
  if (!date_ok(query_arg(r, "from-date", from, sizeof(from))) ||
      !date_ok(query_arg(r, "to-date", to, sizeof(to)))) {
    resp_dh905(r, "from-date and to-date (YYYY-MM-DD) are required");
    return;
  }
  snprintf(amount, sizeof(amount), "%.2f", r->acct->sod);
  arr = cJSON_CreateArray();
  j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "dhanClientId", r->acct->client_id);
  cJSON_AddStringToObject(j, "narration", "Opening Balance");
  cJSON_AddStringToObject(j, "voucherdate", from);
  cJSON_AddStringToObject(j, "exchange", "NSE");
  cJSON_AddStringToObject(j, "voucherdesc", "Opening Balance");
  cJSON_AddStringToObject(j, "vouchernumber", "0");
  cJSON_AddStringToObject(j, "debit", "0.00");
  cJSON_AddStringToObject(j, "credit", amount);
  cJSON_AddStringToObject(j, "runbal", amount);
  cJSON_AddItemToArray(arr, j);
  resp_json(r, 200, arr);
}

static cJSON *history_json(const trade_t *t) {
  cJSON *j = trade_json(t);
  double v = (double)t->qty * t->price;
  cJSON_AddStringToObject(j, "isin", "");
  cJSON_AddStringToObject(
      j, "instrument",
      strstr(t->order->segment, "_EQ") ? "EQUITY" : "DERIVATIVES");
  cJSON_AddNumberToObject(j, "sebiTax", v * 1e-6);
  cJSON_AddNumberToObject(j, "stt", v * 1e-3);
  cJSON_AddNumberToObject(j, "brokerageCharges", 20);
  cJSON_AddNumberToObject(j, "serviceTax", 3.6);
  cJSON_AddNumberToObject(j, "exchangeTransactionCharges", v * 3e-5);
  cJSON_AddNumberToObject(j, "stampDuty", v * 1.5e-5);
  return j;
}

static void history(sim_t *s, req_t *r, char **p) {
  char *end;
  long page;
  cJSON *arr;
  (void)s;
  page = strtol(p[2], &end, 10);
  if (!date_ok(p[0]) || !date_ok(p[1]) || *end || page < 0) {
    resp_dh905(r, "Expected /trades/{YYYY-MM-DD}/{YYYY-MM-DD}/{page >= 0}");
    return;
  }
  arr = cJSON_CreateArray();
  for (size_t i = (size_t)page * PAGE_SIZE;
       i < r->acct->n_trades && i < (size_t)(page + 1) * PAGE_SIZE; i++)
    cJSON_AddItemToArray(arr, history_json(&r->acct->trades[i]));
  resp_json(r, 200, arr);
}

const route_t routes_statement[] = { { M_GET, "/ledger", ledger, 0 },
                                     { M_GET, "/trades/{}/{}/{}", history, 0 },
                                     { 0, NULL, NULL, 0 } };
