/*
 * Request/reply and actor timers.
 *
 * Both rest on one per-actor table of timer nodes keyed by a runtime-wide
 * id. A node holds a uv_timer_t on the actor's loop. When it fires it does
 * not call into the actor: it posts a runtime message (TIMER or TIMEOUT)
 * to the actor's own mailbox, so the actor sees it in order with
 * everything else. Whether a message reaches receive() is decided at
 * delivery: a reply or timeout only while its request is still pending
 * (whichever comes first wins, the other is dropped), a timer only while
 * it has not been stopped. Nodes are reused from a free list and closed
 * when the actor stops.
 */
#include <stdlib.h>

#include "copytrader/error.h"
#include "copytrader/log.h"
#include "runtime.h"

typedef enum { NODE_REQUEST, NODE_TIMER } node_kind_t;

struct ct__tnode {
  uv_timer_t h;
  ct_actor_t *a;
  uint64_t id;
  uint32_t type;
  uint8_t kind;
  bool repeat;
  ct__tnode_t *next;
};

static ct__tnode_t **bucket(ct_actor_t *a, uint64_t id) {
  return &a->timers[id % CT__TIMER_BUCKETS];
}

static ct__tnode_t *node_get(ct_actor_t *a) {
  ct__tnode_t *n = a->tfree;
  if (n != NULL) {
    a->tfree = n->next;
    return n;
  }
  n = calloc(1, sizeof(*n));
  if (n != NULL) {
    uv_timer_init(&a->w->loop, &n->h);
    n->h.data = n;
    n->a = a;
  }
  return n;
}

static void node_put(ct_actor_t *a, ct__tnode_t *n) {
  uv_timer_stop(&n->h);
  n->next = a->tfree;
  a->tfree = n;
}

static void node_insert(ct_actor_t *a, ct__tnode_t *n) {
  ct__tnode_t **b = bucket(a, n->id);
  n->next = *b;
  *b = n;
}

/* Unlink and return the node with `id` and `kind`, or NULL. */
static ct__tnode_t *node_take(ct_actor_t *a, uint64_t id, node_kind_t kind) {
  for (ct__tnode_t **p = bucket(a, id); *p != NULL; p = &(*p)->next) {
    ct__tnode_t *n = *p;
    if (n->id == id && n->kind == kind) {
      *p = n->next;
      return n;
    }
  }
  return NULL;
}

static ct__tnode_t *node_find(ct_actor_t *a, uint64_t id, node_kind_t kind) {
  for (ct__tnode_t *n = *bucket(a, id); n != NULL; n = n->next)
    if (n->id == id && n->kind == kind)
      return n;
  return NULL;
}

static void fire_cb(uv_timer_t *h) {
  ct__tnode_t *n = h->data;
  ct_msg_t *m;
  bool req = n->kind == NODE_REQUEST;
  if (ct_msg_new(req ? CT_MSG_TIMEOUT : n->type, &m) != 0) {
    ct_log_error("actors", "actor=%s msg=\"no memory for timer\"", n->a->name);
    return;
  }
  ct__msg_stamp(m, 0, n->id);
  ct__actor_post(n->a, m, req ? CT__KIND_TIMEOUT : CT__KIND_TIMER);
}

static uint64_t new_id(ct_actor_t *a) {
  /* relaxed: ids only need to be unique. */
  return atomic_fetch_add_explicit(&a->rt->next_id, 1, memory_order_relaxed);
}

static int arm(ct_actor_t *self, node_kind_t kind, uint64_t after_ms,
               uint64_t repeat_ms, uint32_t type, uint64_t *id) {
  ct__tnode_t *n;
  if (self->st == CT__ST_STOPPED)
    return CT_ECLOSED;
  if ((n = node_get(self)) == NULL)
    return CT_ENOMEM;
  n->id = new_id(self);
  n->kind = (uint8_t)kind;
  n->type = type;
  n->repeat = repeat_ms != 0;
  node_insert(self, n);
  uv_timer_start(&n->h, fire_cb, after_ms, repeat_ms);
  *id = n->id;
  return 0;
}

int ct_request(ct_actor_t *self, ct_actor_t *to, ct_msg_t *msg,
               uint64_t timeout_ms, uint64_t *request_id) {
  uint64_t id;
  int rc;
  if (self == NULL || to == NULL || msg == NULL || request_id == NULL)
    return CT_EINVAL;
  if ((rc = arm(self, NODE_REQUEST, timeout_ms, 0, 0, &id)) != 0)
    return rc;
  rc = ct__send(to, msg, CT__KIND_USER, id);
  if (rc != 0) {
    node_put(self, node_take(self, id, NODE_REQUEST));
    return rc;
  }
  *request_id = id;
  return 0;
}

int ct_reply(ct_actor_t *self, const ct_envelope_t *env, ct_msg_t *msg) {
  ct_actor_t *to;
  (void)self;
  if (env == NULL || msg == NULL || env->request_id == 0)
    return CT_EINVAL;
  to = ct_runtime_lookup(self != NULL ? self->rt : NULL, env->from);
  if (to == NULL)
    return CT_ENOTFOUND;
  return ct__send(to, msg, CT__KIND_REPLY, env->request_id);
}

int ct_timer_start(ct_actor_t *self, uint64_t after_ms, uint64_t repeat_ms,
                   uint32_t type, uint64_t *timer_id) {
  if (self == NULL || timer_id == NULL)
    return CT_EINVAL;
  return arm(self, NODE_TIMER, after_ms, repeat_ms, type, timer_id);
}

int ct_timer_stop(ct_actor_t *self, uint64_t timer_id) {
  ct__tnode_t *n;
  if (self == NULL)
    return CT_EINVAL;
  if ((n = node_take(self, timer_id, NODE_TIMER)) == NULL)
    return CT_ENOTFOUND;
  node_put(self, n);
  return 0;
}

bool ct__reply_accept(ct_actor_t *a, uint64_t request_id) {
  ct__tnode_t *n = node_take(a, request_id, NODE_REQUEST);
  if (n == NULL) {
    ct_log_debug("actors", "actor=%s request=%llu msg=\"late reply dropped\"",
                 a->name, (unsigned long long)request_id);
    return false;
  }
  node_put(a, n);
  return true;
}

bool ct__timeout_accept(ct_actor_t *a, uint64_t request_id) {
  ct__tnode_t *n = node_take(a, request_id, NODE_REQUEST);
  if (n != NULL)
    node_put(a, n);
  return n != NULL;
}

bool ct__timer_accept(ct_actor_t *a, uint64_t timer_id) {
  ct__tnode_t *n = node_find(a, timer_id, NODE_TIMER);
  if (n == NULL)
    return false; /* stopped after it fired */
  if (!n->repeat)
    node_put(a, node_take(a, timer_id, NODE_TIMER));
  return true;
}

void ct__timers_reset(ct_actor_t *a) {
  for (size_t i = 0; i < CT__TIMER_BUCKETS; i++) {
    while (a->timers[i] != NULL) {
      ct__tnode_t *n = a->timers[i];
      a->timers[i] = n->next;
      node_put(a, n);
    }
  }
}

static void node_close_cb(uv_handle_t *h) {
  free(h->data);
}

void ct__timers_close(ct_actor_t *a) {
  ct__timers_reset(a);
  while (a->tfree != NULL) {
    ct__tnode_t *n = a->tfree;
    a->tfree = n->next;
    uv_close((uv_handle_t *)&n->h, node_close_cb);
  }
}
