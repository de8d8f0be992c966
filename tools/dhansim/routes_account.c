/*
 * routes_account.c: §11 EDIS, §12 profile, RenewToken and static IP.
 * RenewToken (GET, headers access-token and dhanClientId) replaces the
 * account's token at once: the old one stops working, as on Dhan. Its
 * response shape is UNVERIFIED; dhansim answers {dhanClientId, accessToken,
 * expiryTime}.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "orders.h"

static const char *const form_fields[] = {
  "dhanClientId", "isin", "qty", "exchange", "segment", "bulk", NULL
};
static const char *const ip_fields[] = { "dhanClientId", "ip", "ipFlag", NULL };

static void tpin(sim_t *s, req_t *r, char **p) {
  (void)s;
  (void)p;
  r->status = 202;
}

static void form(sim_t *s, req_t *r, char **p) {
  static const char *const ex[] = { "NSE", "BSE", NULL };
  const char *isin, *exch, *seg;
  int64_t qty;
  int bulk;
  char html[512];
  cJSON *j;
  (void)s;
  (void)p;
  if (r->json == NULL || jx_only(r->json, form_fields) ||
      jx_str(r->json, "isin", &isin) != JX_OK ||
      jx_int(r->json, "qty", &qty) != JX_OK || qty <= 0 ||
      jx_enum(r->json, "exchange", ex, &exch) != JX_OK ||
      jx_str(r->json, "segment", &seg) != JX_OK ||
      jx_bool(r->json, "bulk", &bulk) == JX_BAD) {
    resp_dh905(r, "Expected isin, qty, exchange NSE|BSE, segment, bulk");
    return;
  }
  snprintf(html, sizeof(html),
           "<form name=\"frmDIS\" method=\"post\" "
           "action=\"https://edis.cdslindia.com/eDIS/VerifyDIS/\">"
           "<input type=\"hidden\" name=\"isin\" value=\"%.20s\"/>"
           "</form><script>document.frmDIS.submit();</script>",
           isin);
  j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "dhanClientId", r->acct->client_id);
  cJSON_AddStringToObject(j, "edisFormHtml", html);
  resp_json(r, 200, j);
}

static void inquire(sim_t *s, req_t *r, char **p) {
  cJSON *j = cJSON_CreateObject();
  (void)s;
  cJSON_AddStringToObject(j, "clientId", r->acct->client_id);
  cJSON_AddStringToObject(j, "isin", p[0]);
  cJSON_AddNumberToObject(j, "totalQty", 0);
  cJSON_AddNumberToObject(j, "aprvdQty", 0);
  cJSON_AddStringToObject(j, "status", "SUCCESS");
  cJSON_AddStringToObject(j, "remarks", "eDIS transaction done successfully");
  resp_json(r, 200, j);
}

static void fmt_local(char *out, size_t cap, const char *fmt, time_t add) {
  time_t t = time(NULL) + 19800 + add;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, cap, fmt, &tm);
}

static void profile(sim_t *s, req_t *r, char **p) {
  char valid[32];
  cJSON *j = cJSON_CreateObject();
  (void)s;
  (void)p;
  fmt_local(valid, sizeof(valid), "%d/%m/%Y %H:%M", 86400);
  cJSON_AddStringToObject(j, "dhanClientId", r->acct->client_id);
  cJSON_AddStringToObject(j, "tokenValidity", valid);
  cJSON_AddStringToObject(j, "activeSegment",
                          "Equity, Derivative, Currency, Commodity");
  cJSON_AddStringToObject(j, "ddpi", "Active");
  cJSON_AddStringToObject(j, "mtf", "Active");
  cJSON_AddStringToObject(j, "dataPlan", "Deactive");
  cJSON_AddStringToObject(j, "dataValidity", "");
  resp_json(r, 200, j);
}

static void renew(sim_t *s, req_t *r, char **p) {
  static unsigned long gen;
  char token[128], expiry[32];
  cJSON *j;
  (void)p;
  if (r->dhan_client_hdr[0] == '\0') {
    resp_dh905(r, "Missing required header: dhanClientId");
    return;
  }
  if (strcmp(r->dhan_client_hdr, r->acct->client_id) != 0) {
    resp_error(r, 401, "Invalid_Authentication", "DH-901",
               "Client ID or user generated access token is invalid or "
               "expired.");
    return;
  }
  snprintf(token, sizeof(token), "renewed.%s.%lu.%llx", r->acct->client_id,
           ++gen, (unsigned long long)(sim_rand(s) & 0xffffffffffULL));
  if (ct_secret_set(&r->acct->token, token) != 0) {
    resp_error(r, 500, "Internal_Server_Error", "DH-908", "Out of memory");
    return;
  }
  fmt_local(expiry, sizeof(expiry), "%Y-%m-%dT%H:%M:%S", 86400);
  j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "dhanClientId", r->acct->client_id);
  cJSON_AddStringToObject(j, "accessToken", token);
  cJSON_AddStringToObject(j, "expiryTime", expiry);
  resp_json(r, 200, j);
}

static void ip_set(sim_t *s, req_t *r, char **p) {
  static const char *const flags[] = { "PRIMARY", "SECONDARY", NULL };
  const char *ip, *flag;
  cJSON *j;
  (void)s;
  (void)p;
  if (r->json == NULL || jx_only(r->json, ip_fields) ||
      jx_str(r->json, "ip", &ip) != JX_OK ||
      jx_enum(r->json, "ipFlag", flags, &flag) != JX_OK) {
    resp_dh905(r, "Expected dhanClientId, ip, ipFlag PRIMARY|SECONDARY");
    return;
  }
  r->acct->ip_set = 1;
  scopy(r->acct->ip_primary, sizeof(r->acct->ip_primary), ip);
  j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "message", "IP saved successfully");
  cJSON_AddStringToObject(j, "status", "SUCCESS");
  resp_json(r, 200, j);
}

static void ip_get(sim_t *s, req_t *r, char **p) {
  cJSON *j = cJSON_CreateObject();
  (void)s;
  (void)p;
  cJSON_AddStringToObject(j, "primaryIP", r->acct->ip_primary);
  cJSON_AddStringToObject(j, "secondaryIP", "");
  cJSON_AddStringToObject(j, "modifyDatePrimary", "");
  cJSON_AddStringToObject(j, "modifyDateSecondary", "");
  resp_json(r, 200, j);
}

const route_t routes_account[] = { { M_GET, "/edis/tpin", tpin, 0 },
                                   { M_POST, "/edis/form", form, 0 },
                                   { M_GET, "/edis/inquire/{}", inquire, 0 },
                                   { M_GET, "/profile", profile, 0 },
                                   { M_GET, "/RenewToken", renew, 0 },
                                   { M_POST, "/ip/setIP", ip_set, 0 },
                                   { M_PUT, "/ip/modifyIP", ip_set, 0 },
                                   { M_GET, "/ip/getIP", ip_get, 0 },
                                   { 0, NULL, NULL, 0 } };
