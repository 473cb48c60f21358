/*
 * cli/common.h — helpers shared by the verbs in src/cli/ (not a public
 * surface of any other module).
 */
#ifndef WW_CLI_COMMON_H
#define WW_CLI_COMMON_H

#include <getopt.h>

#include "base/base.h"
#include "catalog/catalog.h"
#include "cli/cli.h"

enum { CLI_OPT_BAD = -2 };

/* "<data>/wardwatch.db"; caller frees. */
char *cli_db_path(const struct cli_ctx *c);
/* Opens an existing data folder's catalog.  Returns 0, or the exit code (2
 * when the folder is missing or not initialised, 1 on a catalog error) after
 * printing one line. */
int cli_open(const struct cli_ctx *c, catalog_t **cat);
/* getopt_long with our one-line errors; returns the option, -1 at the end,
 * or CLI_OPT_BAD (message printed).  Call cli_getopt_reset() before the first
 * call of each verb.  shortopts should start with ':'. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *verb);
void cli_getopt_reset(void);

/* Creates the first admin with a random password (returned, caller frees)
 * on a new catalog.  Implemented with the users module (cli/user.c). */
int cli_init_first_admin(catalog_t *cat, char **password);

/* camera URL validation shared by add and import (cli/camera.c). */
int cli_parse_camera_url(const char *url, char **clean, char **user, char **pass,
                         const char **why);
/* `camera import FILE.csv` (cli/camera_import.c). */
int cli_camera_import(struct cli_ctx *c, int argc, char **argv);

#endif
