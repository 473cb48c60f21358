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
#include <strings.h>
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

int cli_refuse_newer(const char *db)
{
    int have = 0;
    catalog_schema_of_file(db, &have);
    cli_err("catalog schema %03d is newer than this wardwatch (knows up to %03d): install the newer version "
            "or restore a backup",
            have, catalog_schema_known());
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
    } else if ((rc = catalog_open(db, 0, cat)) == WW_ENEWER) {
        rc = cli_refuse_newer(db);
    } else if (rc != 0) {
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

/* A truth value in a config file: 1 true, 0 false, -1 neither. */
static int parse_truth(const char *s)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) return 1;
        if (!strcasecmp(s, no[i])) return 0;
    }
    return -1;
}

int cli_opt_set(const struct cli_opt *o, const char *arg)
{
    int64_t v = 0;
    int t;
    switch (o->kind) {
    case CLI_OPT_FLAG:
    case CLI_OPT_OFF:
        if ((t = parse_truth(arg)) < 0) return WW_EINVAL;
        *(bool *)o->out = o->kind == CLI_OPT_FLAG ? t : !t;
        return 0;
    case CLI_OPT_STR: *(const char **)o->out = arg; return 0;
    case CLI_OPT_I64:
    case CLI_OPT_INT:
    case CLI_OPT_SIZE:
        /* a refused value leaves the verb's default where it was */
        if (ww_parse_i64(arg, o->lo, o->hi, &v)) return WW_EINVAL;
        if (o->kind == CLI_OPT_I64) *(int64_t *)o->out = o->scale ? v * o->scale : v;
        else if (o->kind == CLI_OPT_INT) *(int *)o->out = (int)v;
        else *(size_t *)o->out = (size_t)v;
        return 0;
    case CLI_OPT_DBL: return ww_parse_double(arg, o->dlo, o->dhi, (double *)o->out) ? WW_EINVAL : 0;
    case CLI_OPT_TIME: return cli_parse_time(arg, o->out) ? WW_EINVAL : 0;
    case CLI_OPT_CALL: return o->parse(arg, o->out) ? WW_EINVAL : 0;
    }
    return WW_EINVAL;
}

char *cli_opt_refusal(const struct cli_opt *o, const char *arg)
{
    if (o->kind == CLI_OPT_FLAG || o->kind == CLI_OPT_OFF)
        return ww_asprintf("%s must be true or false (also yes/no, on/off, 1/0), not '%s'", o->name, arg);
    if (o->kind == CLI_OPT_TIME) return ww_asprintf("--%s '%s' is not a time%s", o->name, arg, o->bad ? o->bad : "");
    if (!o->bad) return ww_asprintf("--%s: bad value '%s'", o->name, arg);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    /* bad is the verb's own text from its table, with at most one %s */
    return ww_asprintf(o->bad, arg);
#pragma GCC diagnostic pop
}

const char *cli_opt_format(const struct cli_opt *o, char *buf, size_t n)
{
    if (o->show) return o->show(o->out, buf, n);
    switch (o->kind) {
    case CLI_OPT_FLAG: snprintf(buf, n, "%s", *(const bool *)o->out ? "true" : "false"); break;
    case CLI_OPT_OFF: snprintf(buf, n, "%s", *(const bool *)o->out ? "false" : "true"); break;
    case CLI_OPT_STR: snprintf(buf, n, "%s", *(const char *const *)o->out ? *(const char *const *)o->out : ""); break;
    case CLI_OPT_I64:
    case CLI_OPT_TIME: {
        int64_t v = *(const int64_t *)o->out;
        snprintf(buf, n, "%lld", (long long)(o->kind == CLI_OPT_I64 && o->scale ? v / o->scale : v));
        break;
    }
    case CLI_OPT_INT: snprintf(buf, n, "%d", *(const int *)o->out); break;
    case CLI_OPT_SIZE: snprintf(buf, n, "%zu", *(const size_t *)o->out); break;
    case CLI_OPT_DBL: snprintf(buf, n, "%g", *(const double *)o->out); break;
    case CLI_OPT_CALL: snprintf(buf, n, "?"); break; /* a CALL option with a value to show has .show */
    }
    return buf;
}

/* Stores arg as option o says; 0, or 2 after the option's usage line. */
static int opt_take(const char *verb, const struct cli_opt *o, const char *arg)
{
    if (o->kind == CLI_OPT_FLAG || o->kind == CLI_OPT_OFF) {
        /* on the command line a flag takes no value: its presence says it */
        *(bool *)o->out = o->kind == CLI_OPT_FLAG;
    } else if (cli_opt_set(o, arg)) {
        char *why = cli_opt_refusal(o, arg);
        cli_err("%s: %s", verb, why);
        free(why);
        return 2;
    }
    if (o->seen) *o->seen = true;
    return 0;
}

int cli_opts(int argc, char **argv, const char *verb, const struct cli_opt *opts, const char *help,
             int operands)
{
    return cli_opts_given(argc, argv, verb, opts, help, operands, NULL);
}

int cli_opts_given(int argc, char **argv, const char *verb, const struct cli_opt *opts, const char *help,
                   int operands, bool *given)
{
    size_t n = 0;
    while (opts[n].name) n++;
    /* getopt_long's tables: a long option answers 256 + its index, a short
     * one its letter; -h and --help are every verb's */
    struct option *lo = ww_calloc(n + 2, sizeof *lo);
    char *so = ww_malloc(3 + 2 * n);
    size_t k = 0;
    so[k++] = ':';
    so[k++] = 'h';
    for (size_t i = 0; i < n; i++) {
        bool arg = opts[i].kind != CLI_OPT_FLAG && opts[i].kind != CLI_OPT_OFF;
        lo[i] = (struct option){opts[i].name, arg ? required_argument : no_argument, 0, 256 + (int)i};
        if (opts[i].letter) {
            so[k++] = opts[i].letter;
            if (arg) so[k++] = ':';
        }
    }
    so[k] = 0;
    lo[n] = (struct option){"help", no_argument, 0, 'h'};
    int rc = -1, o;
    cli_getopt_reset();
    while (rc < 0 && (o = cli_getopt(argc, argv, so, lo, verb)) != -1) {
        const struct cli_opt *hit = o >= 256 ? &opts[o - 256] : NULL;
        for (size_t i = 0; !hit && i < n; i++)
            if (opts[i].letter && opts[i].letter == o) hit = &opts[i];
        if (hit) {
            rc = opt_take(verb, hit, optarg) ? 2 : -1;
            if (rc < 0 && given) given[hit - opts] = true;
        }
        else if (o == 'h') {
            fputs(help, stdout);
            rc = 0;
        } else rc = 2;
    }
    free(lo);
    free(so);
    if (rc < 0 && operands >= 0 && argc - optind > operands)
        rc = cli_usage("%s: unexpected argument '%s'", verb, argv[optind + operands]);
    return rc;
}

int cli_parse_time(const char *arg, void *out) { return ww_parse_time(arg, ww_station_offset_min(), out); }

int cli_parse_stream(const char *arg, void *out)
{
    if (strcmp(arg, "main") && strcmp(arg, "sub")) return WW_EINVAL;
    *(const char **)out = arg;
    return 0;
}

int cli_flag_only(int argc, char **argv, const char *verb, const char *flag, bool *on,
                  const char *help)
{
    const struct cli_opt opts[] = {{CLI_FLAG(flag, on)}, {.name = NULL}};
    return cli_opts(argc, argv, verb, flag ? opts : opts + 1, help, 0);
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

void cli_print_json(json_t *j, size_t flags)
{
    char *s = json_dumps(j, flags);
    json_decref(j);
    puts(s);
    free(s);
}

void cli_print_list(const struct cli_list *l, bool json, const void *rows, size_t n)
{
    const char *r = rows;
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) json_array_append_new(arr, l->row_json(r + i * l->size));
        cli_print_json(arr, JSON_INDENT(2));
        return;
    }
    fputs(l->head, stdout);
    for (size_t i = 0; i < n; i++) l->row_text(r + i * l->size);
}

int cli_list_all(const struct cli_ctx *c, int argc, char **argv, const struct cli_list_verb *l)
{
    bool json = false;
    int rc = cli_flag_only(argc, argv, l->verb, "json", &json, l->help);
    if (rc >= 0) return rc;
    catalog_t *cat;
    if ((rc = cli_open(c, &cat))) return rc;
    void *rows = NULL;
    size_t n = 0;
    if (l->fetch(cat, &rows, &n)) {
        catalog_close(cat);
        cli_err("%s failed", l->verb);
        return 1;
    }
    cli_print_list(l->print, json, rows, n);
    l->release(rows, n);
    catalog_close(cat);
    return 0;
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
