/*
 * main.c: the `copytrader` program. Finds the subcommand in one table and
 * hands it the remaining arguments; the subcommands live one per file
 * (cmd_run.c, cmd_check.c, ...). An unknown subcommand or no subcommand is
 * a usage error (exit status 2).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "copytrader/log.h"

typedef struct cmd {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *usage;
} cmd_t;

static const cmd_t cmds[] = {
  { "run", ct__cli_run, "run --config FILE [--metrics FILE]" },
  { "check-config", ct__cli_check_config, "check-config --config FILE" },
};

#define N_CMDS (sizeof cmds / sizeof cmds[0])

static void usage(FILE *out) {
  fprintf(out, "usage: copytrader COMMAND [FLAGS]\ncommands:\n");
  for (size_t i = 0; i < N_CMDS; i++)
    fprintf(out, "  copytrader %s\n", cmds[i].usage);
}

int ct__cli_usage_error(const char *cmd, const char *msg, const char *use) {
  fprintf(stderr, "copytrader %s: %s\nusage: copytrader %s\n", cmd, msg, use);
  return 2;
}

int main(int argc, char **argv) {
  ct_log_init_from_env(); /* CT_LOG_LEVEL=debug|info|warn|error|off */
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  for (size_t i = 0; i < N_CMDS; i++)
    if (strcmp(argv[1], cmds[i].name) == 0)
      return cmds[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "copytrader: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
