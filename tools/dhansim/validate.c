/*
 * validate.c: the request validation of dhansim, modelled on what Dhan is
 * reported to reject (see README "Validation rules"): unknown fields,
 * missing required fields, bad enums, a quantity that is not a positive
 * multiple of the lot size, prices off the tick, stop-loss trigger rules,
 * AMO without amoTime, a bad correlationId. Malformed input gives DH-905
 * (HTTP 400); well-formed but unacceptable orders give DH-906 (HTTP 400).
 */
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const v_txn[] = { "BUY", "SELL", NULL };
const char *const v_seg[] = { "NSE_EQ",   "NSE_FNO", "NSE_CURRENCY",
                              "BSE_EQ",   "BSE_FNO", "BSE_CURRENCY",
                              "MCX_COMM", NULL };
const char *const v_product[] = { "CNC", "INTRADAY", "MARGIN", "MTF",
                                  "CO",  "BO",       NULL };
const char *const v_otype[] = { "LIMIT", "MARKET", "STOP_LOSS",
                                "STOP_LOSS_MARKET", NULL };
const char *const v_validity[] = { "DAY", "IOC", NULL };
const char *const v_amo[] = { "PRE_OPEN", "OPEN", "OPEN_30", "OPEN_60", NULL };
const char *const v_leg[] = { "ENTRY_LEG", "TARGET_LEG", "STOP_LOSS_LEG",
                              NULL };

static const char *const place_fields[] = {
  "dhanClientId",      "correlationId",  "transactionType",
  "exchangeSegment",   "productType",    "orderType",
  "validity",          "securityId",     "quantity",
  "disclosedQuantity", "price",          "triggerPrice",
  "afterMarketOrder",  "amoTime",        "boProfitValue",
  "boStopLossValue",   "tradingSymbol",  "drvExpiryDate",
  "drvOptionType",     "drvStrikePrice", NULL
};

int spec_field(req_t *r, int rc, const char *field, int required) {
  char msg[128];
  if (rc == JX_OK || (rc == JX_MISSING && !required))
    return 0;
  snprintf(msg, sizeof(msg), "%s field: %s",
           rc == JX_MISSING ? "Missing required" : "Invalid value for", field);
  resp_dh905(r, msg);
  return -1;
}

int spec_corr_ok(const char *c) {
  size_t n = strlen(c);
  if (n > 30)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = c[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
          (ch >= '0' && ch <= '9') || ch == ' ' || ch == '_' || ch == '-'))
      return 0;
  }
  return 1;
}

int spec_check_qty(req_t *r, const ct_instrument_t *ins, int64_t qty) {
  char msg[128];
  if (qty <= 0) {
    resp_dh905(r, "Quantity must be greater than zero");
    return -1;
  }
  if (ins && qty % ins->lot_size != 0) {
    snprintf(msg, sizeof(msg), "Quantity must be a multiple of lot size %lld",
             (long long)ins->lot_size);
    resp_dh905(r, msg);
    return -1;
  }
  return 0;
}

static int on_tick(const ct_instrument_t *ins, double px) {
  double q;
  if (ins == NULL || ins->tick_size <= 0)
    return 1;
  q = px / ins->tick_size;
  return fabs(q - round(q)) < 1e-6;
}

int spec_check_prices(req_t *r, const ct_instrument_t *ins, const char *otype,
                      const char *txn, double price, double trigger) {
  int limit = strcmp(otype, "LIMIT") == 0 || strcmp(otype, "STOP_LOSS") == 0;
  int stop = strncmp(otype, "STOP_LOSS", 9) == 0;
  int buy = strcmp(txn, "BUY") == 0;
  if (price < 0 || trigger < 0) {
    resp_dh905(r, "Price and triggerPrice cannot be negative");
    return -1;
  }
  if (limit && price <= 0) {
    resp_dh905(r, "Missing required field: price");
    return -1;
  }
  if (limit && !on_tick(ins, price)) {
    resp_dh905(r, "Price must be a multiple of the tick size");
    return -1;
  }
  if (stop && trigger <= 0) {
    resp_dh905(r, "Missing required field: triggerPrice");
    return -1;
  }
  if (stop && !on_tick(ins, trigger)) {
    resp_dh905(r, "Trigger price must be a multiple of the tick size");
    return -1;
  }
  if (strcmp(otype, "STOP_LOSS") == 0 && buy && trigger > price) {
    resp_dh906(r, "Trigger Price should be less than or equal to Price");
    return -1;
  }
  if (strcmp(otype, "STOP_LOSS") == 0 && !buy && trigger < price) {
    resp_dh906(r, "Trigger Price should be greater than or equal to Price");
    return -1;
  }
  return 0;
}

static int read_enums(req_t *r, const cJSON *j, spec_t *sp, unsigned flags) {
  static const char *const super_types[] = { "LIMIT", "MARKET", NULL };
  const char *cid;
  if (spec_field(r, jx_enum(j, "transactionType", v_txn, &sp->txn),
                 "transactionType", 1) ||
      spec_field(r, jx_enum(j, "exchangeSegment", v_seg, &sp->segment),
                 "exchangeSegment", 1) ||
      spec_field(r, jx_enum(j, "productType", v_product, &sp->product),
                 "productType", 1) ||
      spec_field(
          r,
          jx_enum(j, "orderType", (flags & SPEC_SUPER) ? super_types : v_otype,
                  &sp->otype),
          "orderType", 1) ||
      spec_field(r, jx_enum(j, "validity", v_validity, &sp->validity),
                 "validity", !(flags & SPEC_SUPER)) ||
      spec_field(r, jx_str(j, "securityId", &sp->security_id), "securityId",
                 1) ||
      spec_field(r, jx_str(j, "dhanClientId", &cid), "dhanClientId", 1))
    return -1;
  if (spec_field(r, jx_str(j, "correlationId", &sp->corr), "correlationId", 0))
    return -1;
  if (sp->corr && !spec_corr_ok(sp->corr)) {
    resp_dh905(r, "correlationId: at most 30 characters of [a-zA-Z0-9 _-]");
    return -1;
  }
  return 0;
}

static int read_numbers(req_t *r, const cJSON *j, spec_t *sp) {
  int rc;
  if (spec_field(r, jx_int(j, "quantity", &sp->qty), "quantity", 1) ||
      spec_field(r, jx_int(j, "disclosedQuantity", &sp->disc),
                 "disclosedQuantity", 0) ||
      spec_field(r, jx_num(j, "price", &sp->price), "price", 0) ||
      spec_field(r, jx_num(j, "triggerPrice", &sp->trigger), "triggerPrice",
                 0) ||
      spec_field(r, jx_bool(j, "afterMarketOrder", &sp->amo),
                 "afterMarketOrder", 0))
    return -1;
  rc = jx_enum(j, "amoTime", v_amo, &sp->amo_time);
  if (spec_field(r, rc, "amoTime", sp->amo))
    return -1;
  if (rc == JX_MISSING && !sp->amo)
    sp->amo_time = NULL;
  return 0;
}

static int check_product(req_t *r, const spec_t *sp) {
  int eq = strstr(sp->segment, "_EQ") != NULL;
  if ((strcmp(sp->product, "CNC") == 0 || strcmp(sp->product, "MTF") == 0) &&
      !eq) {
    resp_dh906(r, "Product type not allowed for this segment");
    return -1;
  }
  if (strcmp(sp->product, "MARGIN") == 0 && eq) {
    resp_dh906(r, "Product type not allowed for this segment");
    return -1;
  }
  return 0;
}

static int check_instrument(sim_t *s, req_t *r, spec_t *sp, unsigned flags) {
  sp->ins = ct_instruments_find(s->instruments, sp->segment, sp->security_id);
  if (sp->ins == NULL) {
    resp_dh905(r, "Invalid securityId for the exchangeSegment");
    return -1;
  }
  if (spec_check_qty(r, sp->ins, sp->qty))
    return -1;
  if (!(flags & SPEC_SLICE) && sp->ins->freeze_qty > 0 &&
      sp->qty > sp->ins->freeze_qty) {
    resp_dh906(r, "Quantity exceeds the freeze limit; use /orders/slicing");
    return -1;
  }
  if (sp->disc < 0 || sp->disc > sp->qty ||
      (sp->disc > 0 && (double)sp->disc < 0.3 * (double)sp->qty)) {
    resp_dh905(r, "disclosedQuantity must be at least 30% of quantity");
    return -1;
  }
  return 0;
}

int spec_read(sim_t *s, req_t *r, const cJSON *j, spec_t *sp, unsigned flags) {
  memset(sp, 0, sizeof(*sp));
  sp->validity = "DAY";
  if (j == NULL || !cJSON_IsObject(j)) {
    resp_dh905(r, "Request body must be a JSON object");
    return -1;
  }
  if (!(flags & (SPEC_SUPER | SPEC_FOREVER)) && jx_only(j, place_fields)) {
    resp_dh905(r, "Unknown or misnamed field in request body");
    return -1;
  }
  if (read_enums(r, j, sp, flags) || read_numbers(r, j, sp) ||
      check_product(r, sp) || check_instrument(s, r, sp, flags))
    return -1;
  if (strcmp(sp->otype, "MARKET") == 0 ||
      strcmp(sp->otype, "STOP_LOSS_MARKET") == 0)
    sp->price = 0; /* the SDK sends 0.0; the docs send "" */
  if (strncmp(sp->otype, "STOP_LOSS", 9) != 0 && !(flags & SPEC_FOREVER))
    sp->trigger = 0;
  if ((flags & SPEC_FOREVER) && sp->trigger <= 0) {
    resp_dh905(r, "Missing required field: triggerPrice");
    return -1;
  }
  if (!(flags & SPEC_FOREVER) &&
      spec_check_prices(r, sp->ins, sp->otype, sp->txn, sp->price, sp->trigger))
    return -1;
  return 0;
}

void spec_apply(order_t *o, const spec_t *sp) {
  o->ins = sp->ins;
  scopy(o->txn, sizeof(o->txn), sp->txn);
  scopy(o->segment, sizeof(o->segment), sp->segment);
  scopy(o->product, sizeof(o->product), sp->product);
  scopy(o->otype, sizeof(o->otype), sp->otype);
  scopy(o->validity, sizeof(o->validity), sp->validity);
  scopy(o->security_id, sizeof(o->security_id), sp->security_id);
  scopy(o->corr, sizeof(o->corr), sp->corr ? sp->corr : "");
  scopy(o->amo_time, sizeof(o->amo_time), sp->amo_time ? sp->amo_time : "");
  o->qty = sp->qty;
  o->disc_qty = sp->disc;
  o->price = sp->price;
  o->trigger = sp->trigger;
  o->amo = sp->amo;
}
