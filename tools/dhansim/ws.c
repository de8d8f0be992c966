/*
 * ws.c: the live order-update WebSocket (§15). A client connects to "/",
 * sends one LoginReq text frame ({"LoginReq":{"MsgCode":42,"ClientId":..,
 * "Token":..},"UserType":"SELF"}; MsgCode may be the int 42 or the string
 * "42"); no acknowledgement is sent. A bad login closes the socket with
 * 1008 (policy violation) and a reason text. Logged-in sockets receive one
 * {"Type":"order_alert","Data":{...}} frame per order change of their
 * account, queued per socket and written from the WRITEABLE callback; each
 * frame is stamped (uv_hrtime) when written.
 */
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "orders.h"

#define WS_MAX_QUEUE 20000
#define WS_MAX_MSG   8192

typedef struct frame {
  struct frame *next;
  frame_info_t info;
  size_t len;
  unsigned char buf[]; /* LWS_PRE + payload */
} frame_t;

struct ws_sess {
  ws_sess_t *next, *prev;
  struct lws *wsi;
  account_t *acct;
  int logged_in;
  frame_t *head, *tail;
  size_t queued;
  char msg[WS_MAX_MSG];
  size_t msg_len;
};

size_t ws_session_size(void) {
  return sizeof(ws_sess_t);
}

static void unlink_sess(sim_t *s, ws_sess_t *w) {
  if (w->prev)
    w->prev->next = w->next;
  else
    s->ws_head = w->next;
  if (w->next)
    w->next->prev = w->prev;
}

static void free_sess(ws_sess_t *w) {
  while (w->head) {
    frame_t *f = w->head;
    w->head = f->next;
    free(f);
  }
  free(w);
}

static int reject(struct lws *wsi, const char *why) {
  lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)why,
                   strlen(why));
  return -1;
}

static int msgcode_ok(const cJSON *mc) {
  if (cJSON_IsNumber(mc))
    return mc->valuedouble == 42;
  return cJSON_IsString(mc) && strcmp(mc->valuestring, "42") == 0;
}

static int login(sim_t *s, ws_sess_t *w) {
  cJSON *j = cJSON_ParseWithLength(w->msg, w->msg_len);
  const cJSON *lr = cJSON_GetObjectItemCaseSensitive(j, "LoginReq");
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(lr, "ClientId");
  const cJSON *tok = cJSON_GetObjectItemCaseSensitive(lr, "Token");
  const cJSON *ut = cJSON_GetObjectItemCaseSensitive(j, "UserType");
  const char *why = NULL;
  account_t *a;

  if (j == NULL)
    why = "login: invalid JSON";
  else if (!cJSON_IsObject(lr))
    why = "login: LoginReq missing";
  else if (!msgcode_ok(cJSON_GetObjectItemCaseSensitive(lr, "MsgCode")))
    why = "login: MsgCode must be 42";
  else if (cJSON_IsString(ut) && strcmp(ut->valuestring, "SELF") != 0)
    why = "login: only UserType SELF is supported";
  else if (!cJSON_IsString(id) || !cJSON_IsString(tok))
    why = "login: ClientId and Token required";
  else if ((a = accounts_by_id(s, id->valuestring)) == NULL ||
           strcmp(ct_secret_reveal(&a->token), tok->valuestring) != 0)
    why = "login: invalid ClientId or Token";
  else {
    w->acct = a;
    w->logged_in = 1;
  }
  cJSON_Delete(j);
  return why ? reject(w->wsi, why) : 0;
}

static int on_receive(sim_t *s, ws_sess_t *w, const void *in, size_t len) {
  if (w->logged_in)
    return 0; /* later client frames are ignored */
  if (w->msg_len + len > sizeof(w->msg))
    return reject(w->wsi, "login: message too large");
  memcpy(w->msg + w->msg_len, in, len);
  w->msg_len += len;
  if (!lws_is_final_fragment(w->wsi))
    return 0;
  return login(s, w);
}

static int on_writable(sim_t *s, ws_sess_t *w) {
  frame_t *f = w->head;
  uint64_t sent;
  if (f == NULL)
    return 0;
  w->head = f->next;
  if (w->head == NULL)
    w->tail = NULL;
  w->queued--;
  /* Stamp before the write: the frame "leaves dhansim" here. On a loaded
   * machine the write wakes the reader, which may preempt us before
   * lws_write returns; a stamp taken after it would flatter the latency. */
  sent = uv_hrtime();
  if (lws_write(w->wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT) <
      (int)f->len) {
    free(f);
    return -1;
  }
  stamps_frame(s, &f->info, sent);
  free(f);
  if (w->head)
    lws_callback_on_writable(w->wsi);
  return 0;
}

int ws_callback(sim_t *s, struct lws *wsi, int reason, void *user, void *in,
                size_t len) {
  ws_sess_t *w = lws_get_opaque_user_data(wsi);
  (void)user;
  switch (reason) {
  case LWS_CALLBACK_ESTABLISHED:
    w = calloc(1, sizeof(*w));
    if (w == NULL)
      return -1;
    w->wsi = wsi;
    w->next = s->ws_head;
    if (s->ws_head)
      s->ws_head->prev = w;
    s->ws_head = w;
    lws_set_opaque_user_data(wsi, w);
    return 0;
  case LWS_CALLBACK_RECEIVE:
    return w ? on_receive(s, w, in, len) : -1;
  case LWS_CALLBACK_SERVER_WRITEABLE:
    return w ? on_writable(s, w) : 0;
  case LWS_CALLBACK_CLOSED:
    if (w) {
      unlink_sess(s, w);
      free_sess(w);
      lws_set_opaque_user_data(wsi, NULL);
    }
    return 0;
  default:
    return 0;
  }
}

static frame_t *make_frame(const order_t *o, const char *text, size_t len) {
  frame_t *f = malloc(sizeof(*f) + LWS_PRE + len);
  if (f == NULL)
    return NULL;
  f->next = NULL;
  f->len = len;
  memcpy(f->buf + LWS_PRE, text, len);
  scopy(f->info.account, sizeof(f->info.account), o->acct->client_id);
  scopy(f->info.order_id, sizeof(f->info.order_id), o->id);
  scopy(f->info.corr, sizeof(f->info.corr), o->corr);
  scopy(f->info.status, sizeof(f->info.status), o->status);
  f->info.traded = o->filled;
  return f;
}

static void enqueue(ws_sess_t *w, frame_t *f) {
  if (w->queued >= WS_MAX_QUEUE) { /* a reader this slow is dropped */
    free(f);
    lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    return;
  }
  if (w->tail)
    w->tail->next = f;
  else
    w->head = f;
  w->tail = f;
  w->queued++;
  lws_callback_on_writable(w->wsi);
}

/* "PART_TRADED" -> "Part_Traded", as some real frames spell statuses. */
static void title_case_status(cJSON *frame) {
  cJSON *d = cJSON_GetObjectItemCaseSensitive(frame, "Data");
  cJSON *st = cJSON_GetObjectItemCaseSensitive(d, "Status");
  char buf[32];
  size_t i;
  if (!cJSON_IsString(st))
    return;
  for (i = 0; st->valuestring[i] && i + 1 < sizeof(buf); i++) {
    char c = st->valuestring[i];
    int first = i == 0 || st->valuestring[i - 1] == '_';
    buf[i] = (char)(first ? c : (c >= 'A' && c <= 'Z' ? c + 32 : c));
  }
  buf[i] = '\0';
  cJSON_SetValuestring(st, buf);
}

void ws_broadcast_order(sim_t *s, order_t *o) {
  char *text = NULL;
  size_t len = 0;
  for (ws_sess_t *w = s->ws_head; w; w = w->next) {
    frame_t *f;
    if (!w->logged_in || w->acct != o->acct)
      continue;
    if (text == NULL) {
      cJSON *j = order_alert_json(o);
      if (s->ws_title_status)
        title_case_status(j);
      text = cJSON_PrintUnformatted(j);
      cJSON_Delete(j);
      if (text == NULL)
        return;
      len = strlen(text);
    }
    f = make_frame(o, text, len);
    if (f)
      enqueue(w, f);
  }
  free(text);
}

void ws_drop_all(sim_t *s) {
  for (ws_sess_t *w = s->ws_head; w; w = w->next)
    lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}
