/*
 * Messages: building msgpack envelopes, and the per-thread message pool.
 *
 * ct_msg_new() packs the fixed-width header [type, 0, 0] with msgpack-c's
 * packer; ct_msg_put_* append payload values with the same packer; the
 * runtime stamps the sender and request id in place at send time.
 *
 * Pool: each thread keeps a free list of messages (no locking). A consumer
 * thread frees what producers allocated, so free lists drift; when one
 * grows past LOCAL_MAX, half of it moves to a shared list under a mutex,
 * and a thread whose list is empty takes a batch from there. In steady
 * state, same-thread or cross-thread, no message is malloc'd.
 */
#include <msgpack.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "msg.h"

#define LOCAL_MAX 1024
#define BATCH     256

typedef struct {
  ct_msg_t *head;
  size_t n;
} msg_list_t;

static __thread msg_list_t tls_pool;
static __thread int tls_registered;
static pthread_key_t pool_key;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER;
static msg_list_t shared_pool;

static void thread_exit_cb(void *unused) {
  (void)unused;
  ct__msg_thread_release();
}

static void pool_key_init(void) {
  (void)pthread_key_create(&pool_key, thread_exit_cb);
}

/* Arrange for thread_exit_cb to run when this thread exits. */
static void register_thread(void) {
  pthread_once(&pool_once, pool_key_init);
  (void)pthread_setspecific(pool_key, &tls_pool);
  tls_registered = 1;
}

/* Move up to `max` messages from `from` onto `to`. */
static void list_move(msg_list_t *from, msg_list_t *to, size_t max) {
  while (from->head != NULL && max-- > 0) {
    ct_msg_t *m = from->head;
    from->head = m->pool_next;
    from->n--;
    m->pool_next = to->head;
    to->head = m;
    to->n++;
  }
}

static void list_free(msg_list_t *l) {
  while (l->head != NULL) {
    ct_msg_t *m = l->head;
    l->head = m->pool_next;
    if (m->buf != m->inline_buf)
      free(m->buf);
    free(m);
  }
  l->n = 0;
}

static ct_msg_t *pool_get(void) {
  if (!tls_registered)
    register_thread();
  if (tls_pool.head == NULL) {
    pthread_mutex_lock(&shared_mu);
    list_move(&shared_pool, &tls_pool, BATCH);
    pthread_mutex_unlock(&shared_mu);
  }
  ct_msg_t *m = tls_pool.head;
  if (m != NULL) {
    tls_pool.head = m->pool_next;
    tls_pool.n--;
    return m;
  }
  m = malloc(sizeof(*m));
  if (m != NULL) {
    m->buf = m->inline_buf;
    m->cap = sizeof(m->inline_buf);
  }
  return m;
}

void ct_msg_free(ct_msg_t *msg) {
  if (msg == NULL)
    return;
  if (msg->cap > CT__MSG_KEEPCAP) {
    free(msg->buf);
    msg->buf = msg->inline_buf;
    msg->cap = sizeof(msg->inline_buf);
  }
  if (!tls_registered)
    register_thread();
  msg->pool_next = tls_pool.head;
  tls_pool.head = msg;
  if (++tls_pool.n > LOCAL_MAX) {
    msg_list_t spill = { NULL, 0 };
    list_move(&tls_pool, &spill, LOCAL_MAX / 2);
    pthread_mutex_lock(&shared_mu);
    list_move(&spill, &shared_pool, LOCAL_MAX / 2);
    pthread_mutex_unlock(&shared_mu);
  }
}

void ct__msg_thread_release(void) {
  pthread_mutex_lock(&shared_mu);
  list_move(&tls_pool, &shared_pool, (size_t)-1);
  pthread_mutex_unlock(&shared_mu);
  ct__reader_thread_release();
}

void ct__msg_pool_purge(void) {
  ct__msg_thread_release();
  pthread_mutex_lock(&shared_mu);
  list_free(&shared_pool);
  pthread_mutex_unlock(&shared_mu);
}

void ct_msg_thread_cleanup(void) {
  ct__msg_pool_purge();
}

/* msgpack_packer write callback: append to the message buffer. */
static int msg_write(void *data, const char *buf, size_t len) {
  ct_msg_t *m = data;
  if (len == 0)
    return 0;
  if (m->len + len > m->cap) {
    size_t cap = m->cap * 2;
    while (cap < m->len + len)
      cap *= 2;
    char *nb = malloc(cap);
    if (nb == NULL)
      return -1;
    memcpy(nb, m->buf, m->len);
    if (m->buf != m->inline_buf)
      free(m->buf);
    m->buf = nb;
    m->cap = cap;
  }
  memcpy(m->buf + m->len, buf, len);
  m->len += len;
  return 0;
}

int ct_msg_new(uint32_t type, ct_msg_t **out) {
  msgpack_packer pk;
  ct_msg_t *m = pool_get();
  if (m == NULL)
    return CT_ENOMEM;
  m->len = 0;
  m->type = type;
  m->from = 0;
  m->request_id = 0;
  m->kind = CT__KIND_USER;
  msgpack_packer_init(&pk, m, msg_write);
  /* The header fits the inline buffer: these writes cannot fail. */
  msgpack_pack_array(&pk, 3);
  msgpack_pack_fix_uint32(&pk, type);
  msgpack_pack_fix_uint64(&pk, 0);
  msgpack_pack_fix_uint64(&pk, 0);
  *out = m;
  return 0;
}

uint32_t ct_msg_type(const ct_msg_t *msg) {
  return msg->type;
}

/* Packer callback writing over bytes already in the buffer. */
static int overwrite(void *data, const char *buf, size_t len) {
  char **at = data;
  memcpy(*at, buf, len);
  *at += len;
  return 0;
}

void ct__msg_stamp(ct_msg_t *msg, uint64_t from, uint64_t request_id) {
  msgpack_packer pk;
  char *at = msg->buf + CT__HDR_FROM;
  msgpack_packer_init(&pk, &at, overwrite);
  msgpack_pack_fix_uint64(&pk, from);
  msgpack_pack_fix_uint64(&pk, request_id);
  msg->from = from;
  msg->request_id = request_id;
}

#define PACK(msg, call)                                                        \
  do {                                                                         \
    msgpack_packer pk;                                                         \
    if ((msg) == NULL)                                                         \
      return CT_EINVAL;                                                        \
    size_t before = (msg)->len;                                                \
    msgpack_packer_init(&pk, (msg), msg_write);                                \
    if ((call) == 0)                                                           \
      return 0;                                                                \
    (msg)->len = before; /* drop a half-written value */                       \
    return CT_ENOMEM;                                                          \
  } while (0)

int ct_msg_put_nil(ct_msg_t *msg) {
  PACK(msg, msgpack_pack_nil(&pk));
}

int ct_msg_put_bool(ct_msg_t *msg, bool v) {
  PACK(msg, v ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk));
}

int ct_msg_put_i64(ct_msg_t *msg, int64_t v) {
  PACK(msg, msgpack_pack_int64(&pk, v));
}

int ct_msg_put_u64(ct_msg_t *msg, uint64_t v) {
  PACK(msg, msgpack_pack_uint64(&pk, v));
}

int ct_msg_put_f64(ct_msg_t *msg, double v) {
  PACK(msg, msgpack_pack_double(&pk, v));
}

int ct_msg_put_str(ct_msg_t *msg, const char *s, size_t len) {
  if (s == NULL && len > 0)
    return CT_EINVAL;
  PACK(msg, msgpack_pack_str_with_body(&pk, s, len));
}

int ct_msg_put_cstr(ct_msg_t *msg, const char *s) {
  return s == NULL ? ct_msg_put_nil(msg) : ct_msg_put_str(msg, s, strlen(s));
}

int ct_msg_put_bin(ct_msg_t *msg, const void *p, size_t len) {
  if (p == NULL && len > 0)
    return CT_EINVAL;
  PACK(msg, msgpack_pack_bin_with_body(&pk, p, len));
}

int ct_msg_put_array(ct_msg_t *msg, uint32_t n) {
  PACK(msg, msgpack_pack_array(&pk, n));
}

int ct_msg_put_map(ct_msg_t *msg, uint32_t n) {
  PACK(msg, msgpack_pack_map(&pk, n));
}
