/*
 * The operator subcommands of `copytrader` (cmd_ops.c). Same contract as
 * the other subcommands (cli.h): called with the arguments after the
 * program name, argv[0] being the subcommand's name; the return value is
 * the process exit status: 0 success, 1 failure, 2 a usage error (a bad
 * or missing flag or argument, named on stderr). Tokens are never printed.
 *
 * Dispatch lines for main.c's table:
 *   { "status",   ct__cli_status,   CT_CLI_STATUS_USAGE },
 *   { "orders",   ct__cli_orders,   CT_CLI_ORDERS_USAGE },
 *   { "pause",    ct__cli_pause,    CT_CLI_PAUSE_USAGE },
 *   { "resume",   ct__cli_resume,   CT_CLI_RESUME_USAGE },
 *   { "exit-all", ct__cli_exit_all, CT_CLI_EXIT_ALL_USAGE },
 */
#ifndef CT_CLI_OPS_H
#define CT_CLI_OPS_H

#define CT_CLI_STATUS_USAGE "status --config FILE [--json]"
#define CT_CLI_ORDERS_USAGE                                                    \
  "orders --config FILE [--json] [--leader ORDER_ID] [--follower NAME]"
#define CT_CLI_PAUSE_USAGE  "pause --config FILE FOLLOWER"
#define CT_CLI_RESUME_USAGE "resume --config FILE FOLLOWER"
#define CT_CLI_EXIT_ALL_USAGE                                                  \
  "exit-all --config FILE [--kill-switch] [FOLLOWER]"

/* The engine's status snapshot (store_control.h): leader feed, and per
 * follower enabled, paused, breaker, limiter headroom, orders today, last
 * error. Exit 1 when there is no snapshot yet. */
int ct__cli_status(int argc, char **argv);
/* Leader orders and their follower orders side by side, from LMDB. */
int ct__cli_orders(int argc, char **argv);
/* Set or clear the follower's persisted pause flag (read by the engine). */
int ct__cli_pause(int argc, char **argv);
int ct__cli_resume(int argc, char **argv);
/* Cancel the working orders and square off the positions of FOLLOWER (all
 * followers when absent, in parallel), optionally activating the kill
 * switch; pauses each follower first (when the store exists) so the
 * engine does not copy into it again. Exit 0 only when every account
 * ended flat (and, with --kill-switch, with the kill switch active). */
int ct__cli_exit_all(int argc, char **argv);

#endif /* CT_CLI_OPS_H */
