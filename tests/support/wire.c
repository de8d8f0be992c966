/*
 * wire.c: the documented request of every REST call, one table row per
 * call, and the check of dhansim's request log against it (see wire.h).
 * Key types: 's' string, 'i' whole JSON number, 'n' JSON number, 'b' JSON
 * bool, 'S' array of strings, 'O' array of objects (checked against the
 * row's item keys). Upper-case `R` in `req` marks a required key.
 */
#include "wire.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ct_test.h"

typedef struct wkey {
  const char *key;
  char type;
  char req; /* 'R' required, 0 optional */
} wkey_t;

typedef struct wspec {
  const char *method;
  const char *route;        /* "/v2/orders/{}": {} is one segment */
  const char *const *query; /* NULL-terminated parameter names */
  const wkey_t *body;       /* NULL: no body; ends with { NULL } */
  const wkey_t *items;      /* keys of the 'O' array's objects */
  int dhan_client_hdr;      /* the dhanClientId header (§1.2) */
} wspec_t;

#define END                                                                    \
  { NULL, 0, 0 }

/* The keys every new order body starts with (§3.1, §4, §5). */
/* clang-format off */
#define NEW_ORDER_KEYS                                                         \
  { "dhanClientId", 's', 'R' },    { "correlationId", 's', 0 },               \
  { "transactionType", 's', 'R' }, { "exchangeSegment", 's', 'R' },           \
  { "productType", 's', 'R' },     { "orderType", 's', 'R' },                 \
  { "securityId", 's', 'R' },      { "quantity", 'i', 'R' },                  \
  { "price", 'n', 'R' }
/* clang-format on */

/* §3.1 (dhanClientId is added by the SDK to every body, §1.2). */
static const wkey_t place_keys[] = { NEW_ORDER_KEYS,
                                     { "validity", 's', 'R' },
                                     { "disclosedQuantity", 'i', 0 },
                                     { "triggerPrice", 'n', 0 },
                                     { "afterMarketOrder", 'b', 0 },
                                     { "amoTime", 's', 0 },
                                     { "boProfitValue", 'n', 0 },
                                     { "boStopLossValue", 'n', 0 },
                                     END };
/* §3.2 (legName: the SDK's) */
static const wkey_t modify_keys[] = {
  { "dhanClientId", 's', 'R' },    { "orderId", 's', 'R' },
  { "orderType", 's', 'R' },       { "legName", 's', 0 },
  { "quantity", 'i', 0 },          { "price", 'n', 0 },
  { "disclosedQuantity", 'i', 0 }, { "triggerPrice", 'n', 0 },
  { "validity", 's', 'R' },        END
};
/* §4 */
static const wkey_t super_keys[] = { NEW_ORDER_KEYS,
                                     { "targetPrice", 'n', 'R' },
                                     { "stopLossPrice", 'n', 'R' },
                                     { "trailingJump", 'n', 'R' },
                                     END };
static const wkey_t super_modify_keys[] = {
  { "dhanClientId", 's', 'R' }, { "orderId", 's', 'R' },
  { "legName", 's', 'R' },      { "orderType", 's', 0 },
  { "quantity", 'i', 0 },       { "price", 'n', 0 },
  { "targetPrice", 'n', 0 },    { "stopLossPrice", 'n', 0 },
  { "trailingJump", 'n', 0 },   END
};
/* §5 */
static const wkey_t forever_keys[] = { NEW_ORDER_KEYS,
                                       { "orderFlag", 's', 'R' },
                                       { "validity", 's', 'R' },
                                       { "disclosedQuantity", 'i', 0 },
                                       { "triggerPrice", 'n', 'R' },
                                       { "price1", 'n', 0 },
                                       { "triggerPrice1", 'n', 0 },
                                       { "quantity1", 'i', 0 },
                                       END };
static const wkey_t forever_modify_keys[] = { { "dhanClientId", 's', 'R' },
                                              { "orderId", 's', 'R' },
                                              { "orderFlag", 's', 'R' },
                                              { "orderType", 's', 'R' },
                                              { "legName", 's', 'R' },
                                              { "quantity", 'i', 'R' },
                                              { "price", 'n', 'R' },
                                              { "disclosedQuantity", 'i', 0 },
                                              { "triggerPrice", 'n', 'R' },
                                              { "validity", 's', 'R' },
                                              END };
/* §7 */
static const wkey_t convert_keys[] = { { "dhanClientId", 's', 'R' },
                                       { "fromProductType", 's', 'R' },
                                       { "exchangeSegment", 's', 'R' },
                                       { "positionType", 's', 'R' },
                                       { "securityId", 's', 'R' },
                                       { "tradingSymbol", 's', 0 },
                                       { "convertQty", 'i', 'R' },
                                       { "toProductType", 's', 'R' },
                                       END };
/* §8: one order's margin, alone or as an item of scripList. */
/* clang-format off */
#define MARGIN_ITEM_KEYS                                                       \
  { "exchangeSegment", 's', 'R' }, { "transactionType", 's', 'R' },           \
  { "quantity", 'i', 'R' },        { "productType", 's', 'R' },               \
  { "securityId", 's', 'R' },      { "price", 'n', 'R' },                     \
  { "triggerPrice", 'n', 0 }
/* clang-format on */
static const wkey_t margin_keys[] = { { "dhanClientId", 's', 'R' },
                                      MARGIN_ITEM_KEYS,
                                      END };
static const wkey_t scrip_keys[] = { MARGIN_ITEM_KEYS, END };
static const wkey_t multi_keys[] = { { "dhanClientId", 's', 'R' },
                                     { "includePosition", 'b', 'R' },
                                     { "includeOrder", 'b', 'R' },
                                     { "scripList", 'O', 'R' },
                                     END };
/* §10 */
static const wkey_t pnl_keys[] = {
  { "dhanClientId", 's', 'R' },     { "profitValue", 'n', 'R' },
  { "lossValue", 'n', 'R' },        { "productType", 'S', 'R' },
  { "enableKillSwitch", 'b', 'R' }, END
};
/* §11 */
static const wkey_t edis_keys[] = { { "dhanClientId", 's', 0 },
                                    { "isin", 's', 'R' },
                                    { "qty", 'i', 'R' },
                                    { "exchange", 's', 'R' },
                                    { "segment", 's', 'R' },
                                    { "bulk", 'b', 'R' },
                                    END };

static const char *const q_kill[] = { "killSwitchStatus", NULL };
static const char *const q_dates[] = { "from-date", "to-date", NULL };

#define GET(route)                                                             \
  { "GET", route, NULL, NULL, NULL, 0 }
#define DEL(route)                                                             \
  { "DELETE", route, NULL, NULL, NULL, 0 }
#define BODY(m, r, k)                                                          \
  { m, r, NULL, k, NULL, 0 }

static const wspec_t specs[CT_API_CALL_COUNT] = {
  [CT_API_PROFILE] = { "GET", "/v2/profile", NULL, NULL, NULL, 1 },
  [CT_API_RENEW_TOKEN] = { "GET", "/v2/RenewToken", NULL, NULL, NULL, 1 },
  [CT_API_ORDER_PLACE] = BODY("POST", "/v2/orders", place_keys),
  [CT_API_ORDER_PLACE_SLICED] = BODY("POST", "/v2/orders/slicing", place_keys),
  [CT_API_ORDER_MODIFY] = BODY("PUT", "/v2/orders/{}", modify_keys),
  [CT_API_ORDER_CANCEL] = DEL("/v2/orders/{}"),
  [CT_API_ORDER_LIST] = GET("/v2/orders"),
  [CT_API_ORDER_GET] = GET("/v2/orders/{}"),
  [CT_API_ORDER_GET_BY_CORR] = GET("/v2/orders/external/{}"),
  [CT_API_TRADE_LIST] = GET("/v2/trades"),
  [CT_API_TRADES_OF_ORDER] = GET("/v2/trades/{}"),
  [CT_API_SUPER_PLACE] = BODY("POST", "/v2/super/orders", super_keys),
  [CT_API_SUPER_MODIFY] = BODY("PUT", "/v2/super/orders/{}", super_modify_keys),
  [CT_API_SUPER_CANCEL] = DEL("/v2/super/orders/{}/{}"),
  [CT_API_SUPER_LIST] = GET("/v2/super/orders"),
  [CT_API_FOREVER_CREATE] = BODY("POST", "/v2/forever/orders", forever_keys),
  [CT_API_FOREVER_MODIFY] =
      BODY("PUT", "/v2/forever/orders/{}", forever_modify_keys),
  [CT_API_FOREVER_DELETE] = DEL("/v2/forever/orders/{}"),
  [CT_API_FOREVER_LIST] = GET("/v2/forever/orders"),
  [CT_API_HOLDINGS] = GET("/v2/holdings"),
  [CT_API_POSITIONS] = GET("/v2/positions"),
  [CT_API_CONVERT] = BODY("POST", "/v2/positions/convert", convert_keys),
  [CT_API_EXIT_ALL] = DEL("/v2/positions"),
  [CT_API_EDIS_TPIN] = GET("/v2/edis/tpin"),
  [CT_API_EDIS_FORM] = BODY("POST", "/v2/edis/form", edis_keys),
  [CT_API_EDIS_INQUIRE] = GET("/v2/edis/inquire/{}"),
  [CT_API_KILL_SET] = { "POST", "/v2/killswitch", q_kill, NULL, NULL, 0 },
  [CT_API_KILL_GET] = GET("/v2/killswitch"),
  [CT_API_PNL_SET] = BODY("POST", "/v2/pnlExit", pnl_keys),
  [CT_API_PNL_GET] = GET("/v2/pnlExit"),
  [CT_API_PNL_DELETE] = DEL("/v2/pnlExit"),
  [CT_API_FUND_LIMIT] = GET("/v2/fundlimit"),
  [CT_API_MARGIN] = BODY("POST", "/v2/margincalculator", margin_keys),
  [CT_API_MARGIN_MULTI] = { "POST", "/v2/margincalculator/multi", NULL,
                            multi_keys, scrip_keys, 0 },
  [CT_API_LEDGER] = { "GET", "/v2/ledger", q_dates, NULL, NULL, 0 },
  [CT_API_TRADE_HISTORY] = GET("/v2/trades/{}/{}/{}"),
};

static unsigned char checked[CT_API_CALL_COUNT];

/* Does `path` match `route`, segment by segment ("{}" = any segment)? */
static int route_match(const char *route, const char *path) {
  while (*route && *path) {
    size_t pl = strcspn(path, "/"), rl = strcspn(route, "/");
    if (!(rl == 2 && strncmp(route, "{}", 2) == 0 && pl > 0) &&
        (rl != pl || strncmp(route, path, rl) != 0))
      return 0;
    route += rl;
    path += pl;
    if (*route != *path)
      return 0;
    if (*route == '/') {
      route++;
      path++;
    }
  }
  return *route == '\0' && *path == '\0';
}

static int is_camel(const char *k) {
  if (!islower((unsigned char)k[0]))
    return 0;
  for (; *k; k++)
    if (!isalnum((unsigned char)*k))
      return 0;
  return 1;
}

static const wkey_t *find_key(const wkey_t *keys, const char *k) {
  for (; keys->key; keys++)
    if (strcmp(keys->key, k) == 0)
      return keys;
  return NULL;
}

static int type_ok(const cJSON *v, char t) {
  const cJSON *it;
  switch (t) {
  case 's':
    return cJSON_IsString(v);
  case 'n':
    return cJSON_IsNumber(v);
  case 'i':
    return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
  case 'b':
    return cJSON_IsBool(v);
  case 'S':
  case 'O':
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
      return 0;
    cJSON_ArrayForEach(it, v) {
      if (t == 'S' ? !cJSON_IsString(it) : !cJSON_IsObject(it))
        return 0;
    }
    return 1;
  }
  return 0;
}

/* Every key documented, camelCase, of its type; every required present. */
static void check_object(const char *what, const cJSON *obj, const wkey_t *keys,
                         const wkey_t *items) {
  const cJSON *it;
  if (!cJSON_IsObject(obj))
    fail_msg("%s: the body is not a JSON object", what);
  cJSON_ArrayForEach(it, obj) {
    const wkey_t *k = find_key(keys, it->string);
    if (!is_camel(it->string))
      fail_msg("%s: key '%s' is not camelCase", what, it->string);
    if (k == NULL)
      fail_msg("%s: undocumented key '%s'", what, it->string);
    if (!type_ok(it, k->type))
      fail_msg("%s: key '%s' is not of type '%c'", what, it->string, k->type);
    if (k->type == 'O') {
      const cJSON *el;
      cJSON_ArrayForEach(el, it) {
        check_object(what, el, items, NULL);
      }
    }
  }
  for (; keys->key; keys++)
    if (keys->req == 'R' &&
        cJSON_GetObjectItemCaseSensitive(obj, keys->key) == NULL)
      fail_msg("%s: required key '%s' is missing", what, keys->key);
}

static int wanted(const char *const *want, const char *p, size_t nl) {
  for (; want && *want; want++)
    if (strlen(*want) == nl && strncmp(p, *want, nl) == 0)
      return 1;
  return 0;
}

/* Exactly the names of `want` as query parameters, each once. */
static void check_query(const char *what, const char *q,
                        const char *const *want) {
  size_t got = 0, n = 0;
  for (const char *p = q; *p; got++) {
    size_t len = strcspn(p, "&"), nl = strcspn(p, "=&");
    if (!wanted(want, p, nl))
      fail_msg("%s: unexpected query parameter '%.*s'", what, (int)len, p);
    p += len + (p[len] == '&');
  }
  while (want && want[n])
    n++;
  if (got != n)
    fail_msg("%s: query '%s' has %zu parameters, %zu documented", what, q, got,
             n);
}

static void check_headers(const char *what, const cJSON *e, const wspec_t *sp) {
  const cJSON *h = cJSON_GetObjectItemCaseSensitive(e, "headers");
  const char *ct = ct_jstr(h, "content-type");
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "accessTokenPresent")));
  assert_string_equal(ct_jstr(h, "client-id"), CT_FX_ACCOUNT);
  assert_string_equal(ct_jstr(h, "accept"), "application/json");
  if (sp->body != NULL)
    assert_string_equal(ct, "application/json");
  if (sp->dhan_client_hdr)
    assert_string_equal(ct_jstr(h, "dhanClientId"), CT_FX_ACCOUNT);
  else if (cJSON_GetObjectItem(h, "dhanClientId") != NULL)
    fail_msg("%s: undocumented dhanClientId header", what);
}

/* The newest logged request matching the call's method and route. */
static const cJSON *newest(const cJSON *log, const wspec_t *sp) {
  const cJSON *reqs = cJSON_GetObjectItem(log, "requests"), *found = NULL, *e;
  cJSON_ArrayForEach(e, reqs) {
    if (strcmp(ct_jstr(e, "method"), sp->method) == 0 &&
        route_match(sp->route, ct_jstr(e, "path")))
      found = e;
  }
  return found;
}

cJSON *ct_wire_check(ct_api_fx_t *fx, ct_api_call_t call) {
  const wspec_t *sp = &specs[call];
  char what[96];
  cJSON *log =
      ct_api_fx_admin_get(fx, "/admin/requests?account=" CT_FX_ACCOUNT);
  const cJSON *e = newest(log, sp), *b;
  cJSON *body = NULL;
  snprintf(what, sizeof(what), "%s %s", sp->method, sp->route);
  if (e == NULL)
    fail_msg("%s: dhansim received no such request", what);
  check_headers(what, e, sp);
  check_query(what, ct_jstr(e, "query"), sp->query);
  b = cJSON_GetObjectItem(e, "body");
  if (sp->body == NULL && !cJSON_IsNull(b))
    fail_msg("%s: a body was sent where none is documented", what);
  if (sp->body != NULL) {
    assert_true(cJSON_IsString(b));
    body = cJSON_Parse(b->valuestring);
    check_object(what, body, sp->body, sp->items);
    if (cJSON_GetObjectItem(body, "dhanClientId") != NULL)
      assert_string_equal(ct_jstr(body, "dhanClientId"), CT_FX_ACCOUNT);
  }
  int status = (int)ct_jnum(e, "status");
  if (status < 200 || status > 299)
    fail_msg("%s: dhansim answered %d", what, status);
  cJSON_Delete(log);
  checked[call] = 1;
  return body;
}

void ct_wire_ok(ct_api_fx_t *fx, ct_api_call_t call) {
  cJSON_Delete(ct_wire_check(fx, call));
}

void ct_wire_assert_covered(ct_api_module_t m) {
  for (int c = 0; c < CT_API_CALL_COUNT; c++)
    if (ct_api_call_module(c) == m && !checked[c])
      fail_msg("%s %s: no test checked the request dhansim received",
               ct_api_module_name(m), ct_api_call_name(c));
}
