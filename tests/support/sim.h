/*
 * Test helper: start and stop a real dhansim process. The binary is
 * $CT_BINARY_DIR/tools/dhansim/dhansim (or the build's own CT_BINARY_DIR).
 * dhansim listens on 127.0.0.1 port 0 unless the arguments say otherwise;
 * ct_sim_start() waits for its ready line and records the port.
 */
#ifndef CT_TEST_SIM_H
#define CT_TEST_SIM_H

#include <sys/types.h>

typedef struct ct_sim {
  pid_t pid;
  int port;
  int out_fd;   /* read end of dhansim's stdout */
  char url[64]; /* "http://127.0.0.1:PORT" (https with --tls-cert) */
} ct_sim_t;

/* Spawns dhansim with `args` (NULL-terminated; "--listen 127.0.0.1:0" is
 * added when absent) and waits up to 10 s for "dhansim ready". 0 on
 * success, -1 on failure (the process is reaped). */
int ct_sim_start(ct_sim_t *sim, const char *const *args);

/* Runs dhansim with `args` and waits for it to exit (for flag errors):
 * returns its exit status, or -1; its stderr is copied to `err` (up to cap
 * bytes, NUL-terminated). */
int ct_sim_run_fail(const char *const *args, char *err, size_t cap);

/* SIGTERM, wait up to 5 s (then SIGKILL), reap. Returns the exit status,
 * 128+signal when killed, -1 on error. */
int ct_sim_stop(ct_sim_t *sim);

/* Defines sim_setup() and sim_teardown(), the cmocka group fixture of a
 * test file whose tests share one dhansim `sim` started with `args`
 * (teardown fails when dhansim did not exit cleanly). */
#define CT_SIM_GROUP_FIXTURE(sim, args)                                        \
  static int sim_setup(void **state) {                                         \
    (void)state;                                                               \
    return ct_sim_start(&(sim), (args));                                       \
  }                                                                            \
  static int sim_teardown(void **state) {                                      \
    (void)state;                                                               \
    return ct_sim_stop(&(sim)) == 0 ? 0 : -1;                                  \
  }

#endif /* CT_TEST_SIM_H */
