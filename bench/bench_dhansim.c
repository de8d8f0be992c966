/*
 * bench_dhansim: REST requests per second served by dhansim over keep-alive
 * connections. Starts the dhansim next to this program in the build tree
 * (../tools/dhansim/dhansim, --no-rate-limit --fill-mode none), then drives
 * it with libcurl multi: CONNS connections, each re-issuing its request as
 * soon as the previous one completes, for SECONDS per phase. Phases:
 * GET /v2/fundlimit, GET /v2/orders/{id}, POST /v2/orders.
 *
 * On a shared machine the client competes with the server for the CPU, so
 * each phase also reports dhansim's own CPU time per request (utime+stime
 * from /proc) and the rate one core would serve at that cost.
 *
 *   bench_dhansim [SECONDS=3] [CONNS=32]
 */
#include <curl/curl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ORDER_BODY                                                             \
  "{\"dhanClientId\":\"1\",\"transactionType\":\"BUY\","                       \
  "\"exchangeSegment\":\"NSE_EQ\",\"productType\":\"CNC\","                    \
  "\"orderType\":\"LIMIT\",\"validity\":\"DAY\",\"securityId\":\"1660\","      \
  "\"quantity\":1,\"price\":300}"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t sink(char *d, size_t s, size_t n, void *u) {
  (void)d;
  (void)u;
  return s * n;
}

static pid_t start_sim(int *port) {
  char exe[4096], path[4200], line[256];
  int fds[2];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  pid_t pid;
  FILE *f;
  if (n <= 0)
    return -1;
  exe[n] = '\0';
  snprintf(path, sizeof(path), "%s/../tools/dhansim/dhansim", dirname(exe));
  if (pipe(fds) != 0)
    return -1;
  pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(fds[1], 1);
    close(fds[0]);
    execl(path, path, "--listen", "127.0.0.1:0", "--account", "1:tok",
          "--no-rate-limit", "--fill-mode", "none", (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  f = fdopen(fds[0], "r");
  if (f == NULL || fgets(line, sizeof(line), f) == NULL ||
      strstr(line, "listen=") == NULL) {
    fprintf(stderr, "bench_dhansim: cannot start %s\n", path);
    return -1;
  }
  *port = atoi(strchr(strstr(line, "listen="), ':') + 1);
  return pid;
}

static double cpu_s(pid_t pid) {
  char path[64];
  unsigned long ut = 0, st = 0;
  FILE *f;
  snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
  f = fopen(path, "r");
  if (f == NULL)
    return 0;
  if (fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
             &ut, &st) != 2)
    ut = st = 0;
  fclose(f);
  return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static CURL *make_easy(const char *url, struct curl_slist *h, int post) {
  CURL *e = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  if (post)
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, ORDER_BODY);
  return e;
}

static double phase(const char *url, int post, int conns, double secs,
                    long *errors, long *count) {
  CURLM *m = curl_multi_init();
  struct curl_slist *h = curl_slist_append(NULL, "access-token: tok");
  CURL **e = calloc((size_t)conns, sizeof(*e));
  long done = 0;
  int running;
  double t0, t1;
  h = curl_slist_append(h, "Content-Type: application/json");
  curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)conns);
  for (int i = 0; i < conns; i++) {
    e[i] = make_easy(url, h, post);
    curl_multi_add_handle(m, e[i]);
  }
  t0 = now_s();
  t1 = t0 + secs;
  *errors = 0;
  while (now_s() < t1) {
    CURLMsg *msg;
    int left;
    curl_multi_perform(m, &running);
    while ((msg = curl_multi_info_read(m, &left))) {
      long code = 0;
      if (msg->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
      if (msg->data.result != CURLE_OK || code != 200)
        (*errors)++;
      done++;
      CURL *eh = msg->easy_handle;
      curl_multi_remove_handle(m, eh);
      curl_multi_add_handle(m, eh); /* same handle: keeps its connection */
    }
    curl_multi_poll(m, NULL, 0, 10, NULL);
  }
  t1 = now_s();
  *count = done;
  for (int i = 0; i < conns; i++) {
    curl_multi_remove_handle(m, e[i]);
    curl_easy_cleanup(e[i]);
  }
  free(e);
  curl_slist_free_all(h);
  curl_multi_cleanup(m);
  return (double)done / (t1 - t0);
}

static int first_order_id(int port, char *id, size_t cap) {
  char url[128];
  CURL *e;
  FILE *mem;
  char *buf = NULL;
  size_t len = 0;
  struct curl_slist *h = curl_slist_append(NULL, "access-token: tok");
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/v2/orders", port);
  e = make_easy(url, h, 1);
  mem = open_memstream(&buf, &len);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, NULL);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, mem);
  curl_easy_perform(e);
  fclose(mem);
  curl_easy_cleanup(e);
  curl_slist_free_all(h);
  char *p = buf ? strstr(buf, "\"orderId\":\"") : NULL;
  if (p)
    snprintf(id, cap, "%.20s", p + 11);
  if (p && strchr(id, '"'))
    *strchr(id, '"') = '\0';
  free(buf);
  return p ? 0 : -1;
}

static void run_phase(pid_t pid, const char *name, int port, const char *path,
                      int post, int conns, double secs) {
  char url[256];
  long err, n;
  double c0 = cpu_s(pid), rate, cpu;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
  rate = phase(url, post, conns, secs, &err, &n);
  cpu = cpu_s(pid) - c0;
  printf(
      "%s %8.0f req/s  server %5.1f us CPU/req (%6.0f req/s per core)"
      "  errors %ld\n",
      name, rate, n ? cpu * 1e6 / (double)n : 0, cpu > 0 ? (double)n / cpu : 0,
      err);
  fflush(stdout);
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 3.0;
  int conns = argc > 2 ? atoi(argv[2]) : 32, port = 0, status;
  char url[256], id[32];
  pid_t pid;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  pid = start_sim(&port);
  if (pid < 0)
    return 1;
  if (first_order_id(port, id, sizeof(id)) != 0) {
    fprintf(stderr, "bench_dhansim: could not place the first order\n");
    kill(pid, SIGTERM);
    return 1;
  }
  printf("dhansim on port %d, %d keep-alive connections, %.1f s per phase\n",
         port, conns, secs);
  run_phase(pid, "GET /v2/fundlimit  ", port, "/v2/fundlimit", 0, conns, secs);
  snprintf(url, sizeof(url), "/v2/orders/%s", id);
  run_phase(pid, "GET /v2/orders/{id}", port, url, 0, conns, secs);
  run_phase(pid, "POST /v2/orders    ", port, "/v2/orders", 1, conns, secs);
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  curl_global_cleanup();
  return 0;
}
