/*
 * store_int.h: what the store's source files share (not public).
 *
 * store.c owns the environment, transactions and meta records;
 * store_records.c the record databases, their indexes and the walks;
 * store_codec.c turns records into msgpack and back through one field
 * table per record kind.
 */
#ifndef CT_ENGINE_STORE_INT_H
#define CT_ENGINE_STORE_INT_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copytrader/store.h"

#define CT__STORE_VALUE_MAX 1024 /* no record encodes to more */
#define CT__BOOT_ID_SIZE    40

struct ct_store {
  MDB_env *env;
  MDB_dbi leader, undecided, decision, forder, byleader, open, meta;
  ct_store_durability_t durability;
  char instance[33];
  char boot_id[CT__BOOT_ID_SIZE];
};

/* An encoded value: a fixed buffer, so encoding never allocates. */
typedef struct ct__buf {
  size_t len;
  bool overflow;
  char data[CT__STORE_VALUE_MAX];
} ct__buf_t;

/* The record kinds of the codec. */
typedef enum {
  CT__REC_LEADER = 0,
  CT__REC_DECISION,
  CT__REC_FORDER,
  CT__REC_COUNTER, /* ct__counter_t */
  CT__REC_RUN,     /* ct__run_t */
  CT__REC_META,    /* ct__meta_t */
  CT__REC_COUNT
} ct__rec_t;

typedef struct ct__counter {
  int32_t date;
  int64_t count;
} ct__counter_t;

typedef struct ct__run {
  char boot_id[CT__BOOT_ID_SIZE];
  bool clean;
  ct_store_durability_t durability;
} ct__run_t;

typedef struct ct__meta {
  uint32_t schema;
  char instance[33];
} ct__meta_t;

/* Encode the record at `rec` into b. 0 or CT_ERANGE (too large). */
int ct__store_encode(ct__rec_t kind, const void *rec, ct__buf_t *b);
/* Decode p[0..n) into the zeroed record at `rec`. 0 or CT_EPROTO with the
 * reason in err. */
int ct__store_decode(ct__rec_t kind, const void *p, size_t n, void *rec,
                     char *err, size_t err_size);

/* Shared by store.c and store_records.c. */
int ct__store_mdb_err(ct_store_txn_t *t, int rc, const char *what);
int ct__store_get(ct_store_txn_t *t, MDB_dbi dbi, const char *dbname,
                  MDB_val *key, ct__rec_t kind, void *rec);
int ct__store_put(ct_store_txn_t *t, MDB_dbi dbi, MDB_val *key, ct__rec_t kind,
                  const void *rec);

#endif /* CT_ENGINE_STORE_INT_H */
