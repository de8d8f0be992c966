/*
 * Private helpers shared by dhan_build.c and dhan_build_account.c: a JSON
 * object under construction that remembers the first allocation failure,
 * so a builder can put all its keys and check once at the end.
 */
#ifndef CT_DHAN_BUILD_INT_H
#define CT_DHAN_BUILD_INT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "api/dhan_json_int.h"

typedef struct ct__jb {
  cJSON *o; /* the body object */
  int rc;   /* 0, or CT_ENOMEM after a failed allocation */
} ct__jb_t;

/* An invalid request: the reason into err (when not NULL), and
 * CT_EINVAL. */
#define ct__bad(err, err_size, ...)                                            \
  ct__errf(CT_EINVAL, (err), (err_size), __VA_ARGS__)

/* CT_EINVAL naming `what` unless s is a non-empty [A-Za-z0-9]+ token. */
int ct__check_id(const char *what, const char *s, char *err, size_t err_size);

void ct__jb_begin(ct__jb_t *b);
/* Add v (owned from now on, even on failure) to parent under key k. */
void ct__jb_add(ct__jb_t *b, cJSON *parent, const char *k, cJSON *v);
void ct__jb_str(ct__jb_t *b, const char *k, const char *v);
void ct__jb_num(ct__jb_t *b, const char *k, double v);
void ct__jb_bool(ct__jb_t *b, const char *k, bool v);
/* Print into buf (CT_ERANGE when it does not fit), set *len, free the
 * tree. Returns b->rc when an earlier step failed. */
int ct__jb_end(ct__jb_t *b, char *buf, size_t size, size_t *len);

#endif /* CT_DHAN_BUILD_INT_H */
