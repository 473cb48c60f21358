/*
 * common.c — what every CLI verb shares: one-line errors, usage errors,
 * opening the data folder, option parsing, dispatch to a verb's actions,
 * JSON output.
 */
#include "cli/common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/cat_ward_work.h"

static void cli_verr(const char *fmt, va_list ap)
{
    fputs("wardwatch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verr(fmt, ap);
    va_end(ap);
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verr(fmt, ap);
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

int cli_flag_only(int argc, char **argv, const char *verb, const char *flag, bool *on,
                  const char *help)
{
    struct option opts[3] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}, {0, 0, 0, 0}};
    if (flag) opts[1] = (struct option){flag, no_argument, 0, 'f'};
    int o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc, argv, ":h", opts, verb)) != -1) {
        if (o == 'f') {
            *on = true;
        } else if (o == 'h') {
            fputs(help, stdout);
            return 0;
        } else {
            return 2;
        }
    }
    if (optind < argc) return cli_usage("%s: unexpected argument '%s'", verb, argv[optind]);
    return -1;
}

int cli_dispatch(struct cli_ctx *c, int argc, char **argv, const char *verb, const char *usage,
                 const struct cli_action *acts)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout, "%s\n", usage);
        return argc < 2 ? 2 : 0;
    }
    for (const struct cli_action *a = acts; a->name; a++)
        if (!strcmp(argv[1], a->name)) return a->run(c, argc - 1, argv + 1);
    struct ww_buf names = {0};
    for (const struct cli_action *a = acts; a->name; a++)
        ww_buf_printf(&names, "%s%s", a == acts ? "" : ", ", a->name);
    cli_usage("%s: unknown action '%s' (%s)", verb, argv[1], (const char *)names.data);
    ww_buf_free(&names);
    return 2;
}

int cli_open_camera(const struct cli_ctx *c, const char *verb, int64_t id, catalog_t **cat,
                    struct catalog_camera *cam)
{
    int rc = cli_open(c, cat);
    if (rc) return rc;
    if (catalog_camera_get(*cat, id, cam)) {
        catalog_close(*cat);
        *cat = NULL;
        cli_err("%s: no camera %lld", verb, (long long)id);
        return 1;
    }
    return 0;
}

int cli_opt_time(const char *verb, const char *opt, const char *arg, int off, const char *hint,
                 int64_t *out)
{
    if (ww_parse_time(arg, off, out) == 0) return 0;
    return cli_usage("%s: %s '%s' is not a time%s", verb, opt, arg, hint);
}

void cli_print_json(json_t *j, size_t flags)
{
    char *s = json_dumps(j, flags);
    json_decref(j);
    puts(s);
    free(s);
}

int cli_audit_append(catalog_t *cat, struct catalog_audit *a, json_t *detail)
{
    char *d = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(detail);
    a->detail = d;
    int rc = catalog_audit_append(cat, a);
    a->detail = NULL;
    free(d);
    return rc;
}

int cli_end_txn(catalog_t *cat, int rc)
{
    if (!rc) rc = catalog_commit(cat);
    if (rc) catalog_rollback(cat);
    return rc;
}

int cli_find_ward(catalog_t *cat, const char *s, int64_t *id)
{
    if (catalog_ward_find(cat, s, id) == 0) return 0;
    int64_t v;
    char *name = NULL;
    if (ww_parse_i64(s, 1, INT64_MAX, &v) || catalog_ward_name(cat, v, &name)) return WW_ENOTFOUND;
    free(name);
    *id = v;
    return 0;
}
