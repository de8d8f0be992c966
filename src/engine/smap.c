/*
 * smap.c: a small chained hash map from short string keys (order ids,
 * correlation ids) to fixed-size values, owned by one actor (not
 * thread-safe). The follower keeps its in-flight calls and the last leader
 * state of each order in one; the leader keeps its order states.
 */
#include <stdlib.h>
#include <string.h>

#include "copytrader/error.h"
#include "replicator_int.h"

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

int ct__smap_init(ct__smap_t *m, size_t val_size) {
  memset(m, 0, sizeof(*m));
  m->nb = 64;
  m->val_size = val_size;
  m->b = calloc(m->nb, sizeof(*m->b));
  return m->b ? 0 : CT_ENOMEM;
}

void ct__smap_close(ct__smap_t *m) {
  for (size_t i = 0; m->b && i < m->nb; i++) {
    ct__smap_node_t *n = m->b[i];
    while (n) {
      ct__smap_node_t *next = n->next;
      free(n);
      n = next;
    }
  }
  free(m->b);
  memset(m, 0, sizeof(*m));
}

void *ct__smap_get(const ct__smap_t *m, const char *key) {
  ct__smap_node_t *n = m->b[hash(key) & (m->nb - 1)];
  for (; n; n = n->next)
    if (strcmp(n->key, key) == 0)
      return n->val;
  return NULL;
}

static void grow(ct__smap_t *m) {
  size_t nb = m->nb * 2;
  ct__smap_node_t **b = calloc(nb, sizeof(*b));
  if (b == NULL)
    return; /* keep the longer chains */
  for (size_t i = 0; i < m->nb; i++) {
    ct__smap_node_t *n = m->b[i];
    while (n) {
      ct__smap_node_t *next = n->next;
      size_t j = hash(n->key) & (nb - 1);
      n->next = b[j];
      b[j] = n;
      n = next;
    }
  }
  free(m->b);
  m->b = b;
  m->nb = nb;
}

void *ct__smap_put(ct__smap_t *m, const char *key, bool *created) {
  void *v = ct__smap_get(m, key);
  ct__smap_node_t *n;
  size_t j;
  if (created)
    *created = v == NULL;
  if (v != NULL)
    return v;
  if (strlen(key) >= CT__SMAP_KEY)
    return NULL;
  if ((n = calloc(1, sizeof(*n) + m->val_size)) == NULL)
    return NULL;
  strcpy(n->key, key);
  if (m->n >= m->nb)
    grow(m);
  j = hash(key) & (m->nb - 1);
  n->next = m->b[j];
  m->b[j] = n;
  m->n++;
  return n->val;
}

void ct__smap_del(ct__smap_t *m, const char *key) {
  ct__smap_node_t **p = &m->b[hash(key) & (m->nb - 1)];
  for (; *p; p = &(*p)->next) {
    if (strcmp((*p)->key, key) == 0) {
      ct__smap_node_t *n = *p;
      *p = n->next;
      free(n);
      m->n--;
      return;
    }
  }
}
