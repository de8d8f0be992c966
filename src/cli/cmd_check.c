/*
 * cmd_check.c: `copytrader check-config --config FILE`. Loads and
 * validates the file without trading and prints every error with its key
 * and line (config.h does the checking). Exit 0 valid, 1 invalid, 2 usage.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "copytrader/config.h"

#define USAGE "check-config --config FILE"

int ct__cli_check_config(int argc, char **argv) {
  static const struct option opts[] = { { "config", required_argument, 0, 'c' },
                                        { 0, 0, 0, 0 } };
  const char *path = NULL;
  int c;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
    if (c == 'c')
      path = optarg;
    else if (c == ':')
      return ct__cli_usage_error(argv[0], "a flag needs a value", USAGE);
    else
      return ct__cli_usage_error(argv[0], "unknown flag", USAGE);
  }
  if (optind < argc)
    return ct__cli_usage_error(argv[0], "unexpected argument", USAGE);
  if (path == NULL)
    return ct__cli_usage_error(argv[0], "--config is required", USAGE);
  return ct_config_check(path, stdout) == 0 ? 0 : 1;
}
