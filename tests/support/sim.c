/*
 * sim.c: start/stop dhansim from tests (see sim.h). posix_spawn with stdout
 * on a pipe, poll() for the ready line with a deadline, SIGTERM then
 * waitpid to reap.
 */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ARGS 64

static const char *sim_path(char *buf, size_t cap) {
  const char *dir = getenv("CT_BINARY_DIR");
#ifdef CT_BINARY_DIR
  if (dir == NULL)
    dir = CT_BINARY_DIR;
#endif
  snprintf(buf, cap, "%s/tools/dhansim/dhansim", dir ? dir : ".");
  return buf;
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int build_argv(const char *const *args, const char *path,
                      const char **argv, int with_listen) {
  int n = 0, listen = 0;
  argv[n++] = path;
  for (size_t i = 0; args && args[i] && n < MAX_ARGS - 4; i++) {
    if (strcmp(args[i], "--listen") == 0)
      listen = 1;
    argv[n++] = args[i];
  }
  if (!listen && with_listen) {
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
  }
  argv[n] = NULL;
  return n;
}

/* fork + exec rather than posix_spawn so that the child can ask to be
 * killed when the test process dies (a failed assertion skips teardown). */
static pid_t spawn(const char **argv, int out_fd, int err_fd) {
  pid_t parent = getpid(), pid = fork();
  if (pid != 0)
    return pid;
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent)
    _exit(127);
  if (out_fd >= 0)
    dup2(out_fd, 1);
  if (err_fd >= 0)
    dup2(err_fd, 2);
  execve(argv[0], (char *const *)argv, environ);
  _exit(127);
}

/* Reads the first line from fd within `ms`. */
static int read_line(int fd, char *buf, size_t cap, long ms) {
  size_t used = 0;
  long deadline = now_ms() + ms;
  while (used + 1 < cap) {
    struct pollfd p = { fd, POLLIN, 0 };
    long left = deadline - now_ms();
    ssize_t n;
    if (left <= 0 || poll(&p, 1, (int)left) <= 0)
      return -1;
    n = read(fd, buf + used, 1);
    if (n <= 0)
      return -1;
    if (buf[used] == '\n')
      break;
    used++;
  }
  buf[used] = '\0';
  return 0;
}

int ct_sim_start(ct_sim_t *sim, const char *const *args) {
  char path[512], line[256];
  const char *argv[MAX_ARGS];
  const char *p;
  int fds[2], tls = 0;
  memset(sim, 0, sizeof(*sim));
  sim->pid = -1;
  build_argv(args, sim_path(path, sizeof(path)), argv, 1);
  for (int i = 0; argv[i]; i++)
    if (strcmp(argv[i], "--tls-cert") == 0)
      tls = 1;
  if (pipe2(fds, O_CLOEXEC) != 0)
    return -1;
  sim->pid = spawn(argv, fds[1], -1);
  close(fds[1]);
  sim->out_fd = fds[0];
  if (sim->pid < 0 || read_line(fds[0], line, sizeof(line), 10000) != 0 ||
      strncmp(line, "dhansim ready", 13) != 0 ||
      (p = strstr(line, "listen=")) == NULL || (p = strchr(p, ':')) == NULL) {
    ct_sim_stop(sim);
    return -1;
  }
  sim->port = atoi(p + 1);
  snprintf(sim->url, sizeof(sim->url), "%s://127.0.0.1:%d",
           tls ? "https" : "http", sim->port);
  return 0;
}

int ct_sim_run_fail(const char *const *args, char *err, size_t cap) {
  char path[512];
  const char *argv[MAX_ARGS];
  int fds[2], status;
  ssize_t n;
  size_t used = 0;
  pid_t pid;
  build_argv(args, sim_path(path, sizeof(path)), argv, 0);
  if (pipe2(fds, O_CLOEXEC) != 0)
    return -1;
  pid = spawn(argv, -1, fds[1]);
  close(fds[1]);
  while (pid > 0 && used + 1 < cap &&
         (n = read(fds[0], err + used, cap - 1 - used)) > 0)
    used += (size_t)n;
  err[used] = '\0';
  close(fds[0]);
  if (pid < 0 || waitpid(pid, &status, 0) != pid)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int ct_sim_stop(ct_sim_t *sim) {
  int status = 0, rc = -1;
  long deadline = now_ms() + 5000;
  if (sim->pid > 0) {
    kill(sim->pid, SIGTERM);
    while (waitpid(sim->pid, &status, WNOHANG) == 0) {
      if (now_ms() > deadline) {
        kill(sim->pid, SIGKILL);
        waitpid(sim->pid, &status, 0);
        break;
      }
      usleep(2000);
    }
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  if (sim->out_fd > 0)
    close(sim->out_fd);
  sim->pid = -1;
  sim->out_fd = -1;
  return rc;
}
