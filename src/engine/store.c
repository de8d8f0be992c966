/*
 * store.c: the LMDB environment behind store.h: opening (with the schema
 * check and the clean-shutdown/boot-id bookkeeping that tells recovery
 * whether a NOSYNC run may have lost commits), transactions, sync, close,
 * and the get/put helpers shared with store_records.c.
 *
 * The "run" meta record holds the machine's boot id, the durability mode
 * and a clean flag. Open reads it, then writes clean=false and syncs, so a
 * crash of this run is visible to the next; close syncs everything first
 * and only then writes clean=true.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "copytrader/error.h"
#include "copytrader/log.h"

#define DEFAULT_MAP_SIZE ((size_t)1 << 30)
#define MAX_DBS          8
#define KEY_SCHEMA       "schema"
#define KEY_RUN          "run"

static MDB_val key_of(const char *s) {
  MDB_val k = { strlen(s), (void *)s };
  return k;
}

int ct__store_mdb_err(ct_store_txn_t *t, int rc, const char *what) {
  if (rc == MDB_NOTFOUND)
    return CT_ENOTFOUND;
  ct_log_error("store", "op=%s err=\"%s\"", what, mdb_strerror(rc));
  if (t != NULL)
    snprintf(t->err, sizeof t->err, "%s: %s", what, mdb_strerror(rc));
  return rc == MDB_MAP_FULL || rc == MDB_TXN_FULL ? CT_EFULL : CT_EIO;
}

int ct__store_get(ct_store_txn_t *t, MDB_dbi dbi, const char *dbname,
                  MDB_val *key, ct__rec_t kind, void *rec) {
  MDB_val v;
  char why[120];
  int rc = mdb_get(t->mdb_, dbi, key, &v);
  if (rc != 0)
    return ct__store_mdb_err(t, rc, "get");
  rc = ct__store_decode(kind, v.mv_data, v.mv_size, rec, why, sizeof why);
  if (rc != 0) {
    /* Keys are printable ids joined by '\0': show the first part. */
    snprintf(t->err, sizeof t->err, "db=%s key=%.*s: %s", dbname,
             (int)strnlen(key->mv_data, key->mv_size), (char *)key->mv_data,
             why);
    ct_log_error("store", "msg=\"corrupt value\" %s", t->err);
  }
  return rc;
}

int ct__store_put(ct_store_txn_t *t, MDB_dbi dbi, MDB_val *key, ct__rec_t kind,
                  const void *rec) {
  ct__buf_t b;
  MDB_val v;
  int rc;
  if (t == NULL || t->mdb_ == NULL || !t->write_)
    return CT_ESTATE;
  if ((rc = ct__store_encode(kind, rec, &b)) != 0)
    return rc;
  v.mv_size = b.len;
  v.mv_data = b.data;
  rc = mdb_put(t->mdb_, dbi, key, &v, 0);
  return rc == 0 ? 0 : ct__store_mdb_err(t, rc, "put");
}

static void read_boot_id(char out[CT__BOOT_ID_SIZE]) {
  FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
  out[0] = '\0';
  if (f == NULL)
    return;
  if (fgets(out, CT__BOOT_ID_SIZE, f) == NULL)
    out[0] = '\0';
  out[strcspn(out, "\n")] = '\0';
  fclose(f);
}

static int make_instance_id(char out[33]) {
  unsigned char r[16];
  if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
    return CT_EIO;
  for (int i = 0; i < 16; i++)
    snprintf(out + 2 * i, 3, "%02x", r[i]);
  return 0;
}

static int open_dbis(ct_store_t *s, MDB_txn *txn) {
  struct {
    const char *name;
    MDB_dbi *dbi;
  } dbs[] = { { "leader", &s->leader },     { "undecided", &s->undecided },
              { "decision", &s->decision }, { "forder", &s->forder },
              { "byleader", &s->byleader }, { "open", &s->open },
              { "meta", &s->meta },         { "control", &s->control } };
  for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
    int rc = mdb_dbi_open(txn, dbs[i].name, MDB_CREATE, dbs[i].dbi);
    if (rc != 0)
      return ct__store_mdb_err(NULL, rc, "dbi_open");
  }
  return 0;
}

/* Schema and instance id: create on a new store, check on an old one. */
static int load_meta(ct_store_t *s, ct_store_txn_t *t, bool *created) {
  MDB_val k = key_of(KEY_SCHEMA);
  ct__meta_t m = { 0 };
  int rc = ct__store_get(t, s->meta, "meta", &k, CT__REC_META, &m);
  *created = rc == CT_ENOTFOUND;
  if (*created) {
    m.schema = CT_STORE_SCHEMA;
    if ((rc = make_instance_id(m.instance)) == 0)
      rc = ct__store_put(t, s->meta, &k, CT__REC_META, &m);
  } else if (rc == 0 && m.schema != CT_STORE_SCHEMA) {
    ct_log_error("store", "msg=\"schema mismatch\" found=%u want=%d", m.schema,
                 CT_STORE_SCHEMA);
    rc = CT_EPROTO;
  }
  if (rc == 0)
    memcpy(s->instance, m.instance, sizeof s->instance);
  return rc;
}

static int mark_run(ct_store_t *s, ct_store_txn_t *t, bool clean,
                    ct_store_open_info_t *info) {
  MDB_val k = key_of(KEY_RUN);
  ct__run_t prev = { 0 }, now = { 0 };
  int rc = ct__store_get(t, s->meta, "meta", &k, CT__REC_RUN, &prev);
  if (rc == 0 && info != NULL) {
    info->unclean = !prev.clean;
    info->rebooted = prev.boot_id[0] == '\0' || s->boot_id[0] == '\0' ||
                     strcmp(prev.boot_id, s->boot_id) != 0;
    info->may_have_lost_commits =
        info->unclean && info->rebooted && prev.durability != CT_STORE_SYNC;
  } else if (rc != 0 && rc != CT_ENOTFOUND) {
    return rc;
  }
  memcpy(now.boot_id, s->boot_id, sizeof now.boot_id);
  now.clean = clean;
  now.durability = s->durability;
  return ct__store_put(t, s->meta, &k, CT__REC_RUN, &now);
}

/* MDB_WRITEMAP: a commit writes its pages straight into the shared file
 * mapping instead of copying them with pwrite/writev (the commit then
 * costs a few memory writes in the NOSYNC mode; the SYNC modes msync
 * what fdatasync would). A process crash loses nothing either way: the
 * mapping's pages are the page cache. Every process opening the store
 * must use it (LMDB: do not mix), so ct_store_attach() does too. LMDB
 * sizes the file to the map size at open (a sparse file on ext4/tmpfs;
 * `du` shows what is used). A page written into a full disk faults
 * (SIGBUS) before its transaction commits: a crash, never a half commit. */
static int env_open(ct_store_t *s, const ct_store_config_t *cfg) {
  unsigned flags = MDB_NOTLS | MDB_WRITEMAP;
  int rc, dead = 0;
  if (s->attached) {
    char data[4096];
    snprintf(data, sizeof data, "%s/data.mdb", cfg->path);
    if (access(data, R_OK | W_OK) != 0)
      return CT_ENOTFOUND;
  } else if (mkdir(cfg->path, 0700) != 0 && errno != EEXIST) {
    ct_log_error("store", "msg=\"mkdir failed\" path=%s errno=%d", cfg->path,
                 errno);
    return CT_EIO;
  }
  if (cfg->durability == CT_STORE_NOSYNC)
    flags |= MDB_NOSYNC;
  else if (cfg->durability == CT_STORE_NOMETASYNC)
    flags |= MDB_NOMETASYNC;
  if ((rc = mdb_env_create(&s->env)) != 0 ||
      (rc = mdb_env_set_maxdbs(s->env, MAX_DBS)) != 0 ||
      (rc = mdb_env_set_mapsize(
           s->env, cfg->map_size ? cfg->map_size : DEFAULT_MAP_SIZE)) != 0 ||
      (rc = mdb_env_open(s->env, cfg->path, flags, 0600)) != 0 ||
      (rc = mdb_reader_check(s->env, &dead)) != 0)
    return ct__store_mdb_err(NULL, rc, "env_open");
  if (dead > 0)
    ct_log_info("store", "msg=\"cleared stale readers\" n=%d", dead);
  return 0;
}

static int open_txn(ct_store_t *s, ct_store_open_info_t *info) {
  ct_store_txn_t t;
  bool created = false;
  int rc = ct_store_txn_begin(s, true, &t);
  if (rc != 0)
    return rc;
  if ((rc = open_dbis(s, t.mdb_)) == 0 &&
      (rc = load_meta(s, &t, &created)) == 0 && s->attached && created)
    rc = CT_ENOTFOUND; /* attach never creates a store */
  if (rc == 0 && (s->attached || (rc = mark_run(s, &t, false, info)) == 0))
    rc = ct_store_txn_commit(&t);
  else
    ct_store_txn_abort(&t);
  if (info != NULL)
    info->created = created;
  /* The clean=false mark must outlive a machine crash in every mode. */
  return rc == 0 ? ct_store_sync(s) : rc;
}

static int open_env(const ct_store_config_t *cfg, bool attach, ct_store_t **out,
                    ct_store_open_info_t *info) {
  ct_store_t *s;
  int rc;
  if (cfg == NULL || cfg->path == NULL || cfg->path[0] == '\0' || out == NULL ||
      (unsigned)cfg->durability > CT_STORE_NOSYNC)
    return CT_EINVAL;
  *out = NULL;
  if (info != NULL)
    memset(info, 0, sizeof *info);
  if ((s = calloc(1, sizeof *s)) == NULL)
    return CT_ENOMEM;
  s->durability = cfg->durability;
  s->attached = attach;
  read_boot_id(s->boot_id);
  if ((rc = env_open(s, cfg)) != 0 || (rc = open_txn(s, info)) != 0)
    goto fail;
  *out = s;
  return 0;
fail:
  if (s->env != NULL)
    mdb_env_close(s->env);
  free(s);
  return rc;
}

int ct_store_open(const ct_store_config_t *cfg, ct_store_t **out,
                  ct_store_open_info_t *info) {
  return open_env(cfg, false, out, info);
}

int ct_store_attach(const char *path, ct_store_t **out) {
  ct_store_config_t cfg = { path, 0, CT_STORE_SYNC };
  return open_env(&cfg, true, out, NULL);
}

void ct_store_close(ct_store_t *s) {
  ct_store_txn_t t;
  if (s == NULL)
    return;
  if (!s->attached && ct_store_sync(s) == 0 &&
      ct_store_txn_begin(s, true, &t) == 0) {
    if (mark_run(s, &t, true, NULL) == 0)
      (void)ct_store_txn_commit(&t);
    else
      ct_store_txn_abort(&t);
    (void)ct_store_sync(s);
  }
  mdb_env_close(s->env);
  free(s);
}

/* With MDB_WRITEMAP, mdb_env_sync() msyncs the whole map (1 GiB by
 * default; valgrind checks every byte of that range on each call). The
 * pages dirtied through a shared file mapping are the file's page cache,
 * which fdatasync() writes back just the same (Linux: msync(MS_SYNC) is an
 * fsync of the range), so sync the file instead. */
int ct_store_sync(ct_store_t *s) {
  mdb_filehandle_t fd;
  int rc;
  if (s == NULL)
    return CT_EINVAL;
  if ((rc = mdb_env_get_fd(s->env, &fd)) == 0 && fdatasync(fd) != 0)
    rc = errno;
  return rc == 0 ? 0 : ct__store_mdb_err(NULL, rc, "env_sync");
}

const char *ct_store_instance_id(const ct_store_t *s) {
  return s->instance;
}

int ct_store_txn_begin(ct_store_t *s, bool write, ct_store_txn_t *t) {
  MDB_txn *txn = NULL;
  int rc;
  if (s == NULL || t == NULL)
    return CT_EINVAL;
  memset(t, 0, sizeof *t);
  rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &txn);
  if (rc != 0)
    return ct__store_mdb_err(t, rc, "txn_begin");
  t->store_ = s;
  t->mdb_ = txn;
  t->write_ = write;
  return 0;
}

int ct_store_txn_commit(ct_store_txn_t *t) {
  int rc;
  if (t == NULL || t->mdb_ == NULL)
    return CT_EINVAL;
  rc = mdb_txn_commit(t->mdb_);
  t->mdb_ = NULL;
  return rc == 0 ? 0 : ct__store_mdb_err(t, rc, "txn_commit");
}

void ct_store_txn_abort(ct_store_txn_t *t) {
  if (t == NULL || t->mdb_ == NULL)
    return;
  mdb_txn_abort(t->mdb_);
  t->mdb_ = NULL;
}

int32_t ct_ist_date(int64_t unix_seconds) {
  time_t ist = (time_t)(unix_seconds + 5 * 3600 + 30 * 60);
  struct tm tm;
  if (gmtime_r(&ist, &tm) == NULL)
    return 0;
  return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}
