/*
 * cli/common.h — helpers shared by the verbs in src/cli/ (not a public
 * surface of any other module).
 */
#ifndef WW_CLI_COMMON_H
#define WW_CLI_COMMON_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

#include "base/base.h"
#include "catalog/cat_audit.h"
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

/* The options of a verb that takes no arguments and has at most one flag
 * besides --help (`camera list [--json]`, `check [--quick]`): flag is its
 * long name without the dashes (NULL for none) and sets *on; help is the
 * whole --help text.  Returns -1 when the verb should go on, else its exit
 * code (0 after the help, 2 after a usage line). */
int cli_flag_only(int argc, char **argv, const char *verb, const char *flag, bool *on,
                  const char *help);

/* One action of a verb with actions (`hold add`): run gets argv with the
 * action's name in argv[0]. */
struct cli_action {
    const char *name;
    int (*run)(struct cli_ctx *c, int argc, char **argv);
};
/* Runs the action argv[1] names from acts (ended by a NULL name).  usage is
 * the verb's one usage line (no newline): printed to stderr with exit 2 when
 * no action is given, to stdout with exit 0 for --help/-h.  An unknown
 * action is a usage error naming them all: "VERB: unknown action 'X' (a, b)". */
int cli_dispatch(struct cli_ctx *c, int argc, char **argv, const char *verb, const char *usage,
                 const struct cli_action *acts);

/* Opens the catalog and loads camera id for verb: 0 with both for the caller
 * to close and clear, else the exit code after one line ("VERB: no camera N"
 * is 1) with nothing left open. */
int cli_open_camera(const struct cli_ctx *c, const char *verb, int64_t id, catalog_t **cat,
                    struct catalog_camera *cam);

/* A --ward value: a ward's name, or its id.  0 with *id, or WW_ENOTFOUND. */
int cli_find_ward(catalog_t *cat, const char *s, int64_t *id);

/* Parses a --from/--to style option value as a time (ww_parse_time, off =
 * the station's UTC offset in minutes).  0, or 2 after "VERB: OPT 'ARG' is
 * not a time<hint>" (hint may be ""). */
int cli_opt_time(const char *verb, const char *opt, const char *arg, int off, const char *hint,
                 int64_t *out);

/* Ends the transaction a verb began: commits when rc is 0, rolls back when
 * it is not or the commit fails.  Returns the outcome (rc, or the commit's
 * error). */
int cli_end_txn(catalog_t *cat, int rc);

/* Appends audit row a with detail (a JSON object, reference taken) as its
 * compact, key-sorted text.  0 or the catalog's error. */
int cli_audit_append(catalog_t *cat, struct catalog_audit *a, json_t *detail);

/* Prints j as JSON (json_dumps flags) and a newline on stdout; takes j's
 * reference. */
void cli_print_json(json_t *j, size_t flags);

/* Creates the first admin with a random password (returned, caller frees)
 * on a new catalog.  Implemented with the users module (cli/user.c). */
int cli_init_first_admin(catalog_t *cat, char **password);

/* camera URL validation shared by add and import (cli/camera.c). */
int cli_parse_camera_url(const char *url, char **clean, char **user, char **pass,
                         const char **why);
/* `camera import FILE.csv` (cli/camera_import.c). */
int cli_camera_import(struct cli_ctx *c, int argc, char **argv);

#endif
