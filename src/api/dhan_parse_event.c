/*
 * dhan_parse_event.c: the one typed order event (ct_order_event_t) from the
 * live order-update socket's `order_alert` frames and from postback bodies.
 *
 * The socket's Data object is decoded by a PascalCase field table (the
 * lookup also finds camelCase keys); a few fields need a second look:
 * Exchange + Segment letter give the REST segment, every "Remarks" key is
 * checked for "Super Order" (the docs' example repeats the key), LegNo gives
 * the leg. Postbacks are order-book records (dhan_parse_order.c) turned
 * into an event. The fill state always comes from the quantities.
 */
#include <string.h>
#include <strings.h>

#include "api/dhan_json_int.h"
#include "copytrader/dhan_json.h"
#include "copytrader/error.h"

#define E ct_order_event_t
static const ct__field_t ws_fields[] = {
  CT__IDREQ("OrderNo", E, order_id),
  CT__ID("ExchOrderNo", E, exchange_order_id),
  CT__ID("ClientId", E, client_id),
  CT__ID("CorrelationId", E, correlation_id),
  CT__ID("SecurityId", E, security_id),
  CT__FIELD("Status", NULL, CT__F_TEXT, 0, 1, 0, E, status_text),
  CT__ENUM("Status", CT__E_STATUS, E, status),
  CT__TXT("LastUpdatedTime", E, last_update_time),
  CT__TXT("GoodTillDaysDate", E, good_till_date),
  CT__TXT("ReasonDescription", E, reason),
  CT__ENUM("TxnType", CT__E_TXN_WS, E, txn),
  CT__ENUM("Product", CT__E_PRODUCT_WS, E, product),
  CT__ENUM("OrderType", CT__E_OTYPE_WS, E, order_type),
  CT__ENUM("Validity", CT__E_VALIDITY, E, validity),
  CT__BOOL("OffMktFlag", E, after_market_order),
  CT__FIELD("Quantity", NULL, CT__F_I64, 0, 0, CT_DHAN_HAS_QUANTITY, E,
            quantity),
  CT__FIELD("TradedQty", NULL, CT__F_I64, 0, 0, CT_DHAN_HAS_TRADED_QTY, E,
            traded_qty),
  CT__FIELD("RemainingQuantity", NULL, CT__F_I64, 0, 0, CT_DHAN_HAS_REMAINING,
            E, remaining_qty),
  CT__FIELD("DiscQuantity", NULL, CT__F_I64, 0, 0, CT_DHAN_HAS_DISCLOSED, E,
            disclosed_qty),
  CT__FIELD("Price", NULL, CT__F_F64, 0, 0, CT_DHAN_HAS_PRICE, E, price),
  CT__FIELD("TriggerPrice", NULL, CT__F_F64, 0, 0, CT_DHAN_HAS_TRIGGER, E,
            trigger_price),
  CT__FIELD("TradedPrice", NULL, CT__F_F64, 0, 0, CT_DHAN_HAS_TRADED_PX, E,
            traded_price),
  CT__FIELD("AvgTradedPrice", NULL, CT__F_F64, 0, 0, CT_DHAN_HAS_AVG_PX, E,
            avg_traded_price),
};
#undef E

typedef struct {
  int64_t leg_no;
} leg_no_t;

static const ct__field_t leg_no_fields[] = {
  CT__I64("LegNo", leg_no_t, leg_no),
};

ct_fill_state_t ct__fill_state(const ct_order_event_t *ev) {
  if (ev->has & CT_DHAN_HAS_TRADED_QTY) {
    if (ev->traded_qty <= 0)
      return CT_FILL_NONE;
    if ((ev->has & CT_DHAN_HAS_QUANTITY) && ev->quantity > 0)
      return ev->traded_qty < ev->quantity ? CT_FILL_PARTIAL : CT_FILL_FULL;
    if (ev->has & CT_DHAN_HAS_REMAINING)
      return ev->remaining_qty > 0 ? CT_FILL_PARTIAL : CT_FILL_FULL;
    return CT_FILL_UNKNOWN;
  }
  return ev->status == CT_DHAN_STATUS_TRADED ? CT_FILL_FULL : CT_FILL_UNKNOWN;
}

/* Any "Remarks" key (there may be several) saying "Super Order". */
static bool is_super(const cJSON *data) {
  const cJSON *it;
  cJSON_ArrayForEach(it, data) {
    if (it->string != NULL && strcasecmp(it->string, "Remarks") == 0 &&
        cJSON_IsString(it) && strcasecmp(it->valuestring, "Super Order") == 0)
      return true;
  }
  return false;
}

static ct_dhan_segment_t ws_segment(const cJSON *data) {
  ct_dhan_segment_t s = ct_dhan_segment_from_ws(ct__jstr(data, "Exchange"),
                                                ct__jstr(data, "Segment"));
  if (s == CT_DHAN_SEG_UNKNOWN)
    s = ct_dhan_segment_from_str(ct__jstr(data, "ExchangeSegment"));
  return s;
}

static ct_dhan_leg_t leg_of(int64_t no) {
  switch (no) {
  case 1:
    return CT_DHAN_LEG_ENTRY;
  case 2:
    return CT_DHAN_LEG_STOP_LOSS;
  case 3:
    return CT_DHAN_LEG_TARGET;
  default:
    return CT_DHAN_LEG_NONE;
  }
}

static int decode_ws_data(const cJSON *data, ct_order_event_t *ev, char *err,
                          size_t err_size) {
  leg_no_t leg = { 0 };
  int rc = ct__jdecode(data, ws_fields, CT__COUNT(ws_fields), ev, &ev->has, err,
                       err_size);
  if (rc == 0)
    rc = ct__jdecode(data, leg_no_fields, 1, &leg, NULL, err, err_size);
  if (rc != 0)
    return rc;
  ev->source = CT_OEV_SRC_WS;
  ev->segment = ws_segment(data);
  if (ev->product == CT_DHAN_PRODUCT_UNKNOWN)
    ev->product = ct_dhan_product_from_str(ct__jstr(data, "ProductName"));
  ev->leg_no = (leg.leg_no >= 0 && leg.leg_no <= 3) ? (int)leg.leg_no : 0;
  ev->leg = leg_of(leg.leg_no);
  ev->super_order = is_super(data);
  ev->forever_order = ev->good_till_date[0] != '\0' &&
                      strncmp(ev->good_till_date, "0001-01-01", 10) != 0;
  ev->fill = ct__fill_state(ev);
  return 0;
}

static int ws_frame(const cJSON *root, ct_order_event_t *ev, char *err,
                    size_t err_size) {
  const cJSON *type, *data;
  if (!cJSON_IsObject(root))
    return ct__jfail(err, err_size, "expected a JSON object");
  type = ct__jget(root, "Type");
  if (!cJSON_IsString(type))
    return ct__jfail(err, err_size, "field 'Type': %s",
                     type == NULL ? "missing" : "expected a string");
  if (strcasecmp(type->valuestring, "order_alert") != 0)
    return CT_DHAN_IGNORED;
  data = ct__jget(root, "Data");
  if (!cJSON_IsObject(data))
    return ct__jfail(err, err_size, "field 'Data': %s",
                     data == NULL ? "missing" : "expected an object");
  return decode_ws_data(data, ev, err, err_size);
}

int ct_dhan_parse_order_update(const char *buf, size_t len,
                               ct_order_event_t *ev, char *err,
                               size_t err_size) {
  cJSON *root;
  int rc;
  if (ev == NULL)
    return CT_EINVAL;
  memset(ev, 0, sizeof(*ev));
  rc = ct__jparse(buf, len, &root, err, err_size);
  if (rc != 0)
    return rc;
  rc = ws_frame(root, ev, err, err_size);
  if (rc != 0)
    memset(ev, 0, sizeof(*ev));
  cJSON_Delete(root);
  return rc;
}

int ct_dhan_parse_postback(const char *buf, size_t len, ct_order_event_t *ev,
                           char *err, size_t err_size) {
  ct_dhan_order_t o;
  int rc;
  if (ev == NULL)
    return CT_EINVAL;
  memset(ev, 0, sizeof(*ev));
  rc = ct__jone(buf, len, ct__order_item, &o, err, err_size);
  if (rc != 0)
    return rc;
  if (o.status_text[0] == '\0')
    return ct__jfail(err, err_size, "field 'orderStatus': missing");
  ct_order_event_from_order(&o, CT_OEV_SRC_POSTBACK, ev);
  return 0;
}
