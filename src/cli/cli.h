/*
 * The copytrader command line: one function per subcommand, each called
 * with the arguments after the program name (argv[0] is the subcommand's
 * name) and returning the process exit status: 0 success, 1 failure, 2 a
 * usage error (bad or missing flag, printed on stderr). main.c holds the
 * dispatch table; adding a subcommand is one line there and one here.
 */
#ifndef CT_CLI_H
#define CT_CLI_H

#include <stdio.h>

/* copytrader run --config FILE [--metrics FILE] */
int ct__cli_run(int argc, char **argv);
/* copytrader check-config --config FILE */
int ct__cli_check_config(int argc, char **argv);

/* Print "copytrader <cmd>: <msg>" and the usage line on stderr; returns 2. */
int ct__cli_usage_error(const char *cmd, const char *msg, const char *usage);

#endif /* CT_CLI_H */
