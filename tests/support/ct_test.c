/*
 * ct_test.c: utilities shared by the test programs (see ct_test.h).
 */
#include "ct_test.h"

#include <stdatomic.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "copytrader/actor.h"

char *ct_test_tmpdir(const char *prefix) {
  const char *base = getenv("TMPDIR");
  char *path = NULL;
  if (asprintf(&path, "%s/%s-XXXXXX", base ? base : "/tmp", prefix) < 0)
    return NULL;
  if (mkdtemp(path) == NULL) {
    free(path);
    return NULL;
  }
  return path;
}

void ct_test_rmtree(const char *path) {
  char *cmd = NULL;
  if (path == NULL || asprintf(&cmd, "rm -rf '%s'", path) < 0)
    return;
  if (system(cmd) != 0)
    fprintf(stderr, "ct_test_rmtree: could not remove %s\n", path);
  free(cmd);
}

void ct_test_writef(const char *path, mode_t mode, const char *fmt, ...) {
  FILE *fp = fopen(path, "w");
  va_list ap;
  int n;
  assert_non_null(fp);
  va_start(ap, fmt);
  n = vfprintf(fp, fmt, ap);
  va_end(ap);
  assert_true(n >= 0);
  assert_int_equal(fclose(fp), 0);
  assert_int_equal(chmod(path, mode), 0);
}

char *ct_test_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t got = 0;
  long n;
  if (f == NULL)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
    got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
  }
  fclose(f);
  if (len != NULL)
    *len = got;
  return buf;
}

int ct_test_runtime_end(ct_runtime_t *rt) {
  int rc;
  ct_runtime_stop(rt);
  rc = ct_runtime_join(rt);
  ct_runtime_free(rt);
  return rc;
}

int ct_test_free_port(void) {
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);
  int port = -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
      getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
    port = ntohs(sa.sin_port);
  close(fd);
  return port;
}

int ct_test_wait_ge(const _Atomic int *v, int want, int timeout_ms) {
  uint64_t end = uv_hrtime() + (uint64_t)timeout_ms * 1000000u;
  int seen = atomic_load(v);
  while (seen < want && uv_hrtime() < end) {
    uv_sleep(1);
    seen = atomic_load(v);
  }
  return seen;
}

void ct_test_sleep_ms(long ms) {
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}
