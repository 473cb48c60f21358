/*
 * common.c — what every CLI verb shares: one-line errors, usage errors,
 * opening the data folder.
 */
#include "cli/common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("wardwatch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("wardwatch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

char *cli_db_path(const struct cli_ctx *c) { return ww_asprintf("%s/wardwatch.db", c->data_dir); }

int cli_open(const struct cli_ctx *c, catalog_t **cat)
{
    char *db = cli_db_path(c);
    struct stat st;
    int rc;
    if (stat(c->data_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_err("data folder '%s' does not exist (run 'wardwatch init' or give --data DIR)",
                c->data_dir);
        rc = 2;
    } else if (stat(db, &st) != 0) {
        cli_err("'%s' is not a wardwatch data folder: no wardwatch.db (run 'wardwatch init')",
                c->data_dir);
        rc = 2;
    } else if (catalog_open(db, 0, cat) != 0) {
        cli_err("cannot open the catalog %s", db);
        rc = 1;
    } else {
        rc = 0;
    }
    free(db);
    return rc;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *verb)
{
    opterr = 0;
    int idx = 0;
    int o = getopt_long(argc, argv, shortopts, longopts, &idx);
    if (o == '?') {
        if (optopt) cli_err("%s: unknown or incomplete option '-%c'", verb, optopt);
        else cli_err("%s: unknown option '%s'", verb, argv[optind - 1]);
        return CLI_OPT_BAD;
    }
    if (o == ':') {
        cli_err("%s: option '%s' needs a value", verb, argv[optind - 1]);
        return CLI_OPT_BAD;
    }
    return o;
}

void cli_getopt_reset(void) { optind = 0; }
