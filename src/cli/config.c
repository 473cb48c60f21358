/*
 * config.c — the settings tables' machinery (cli/config.h): the [station]
 * table, wardwatch.ini read with libinih and checked whole before anything
 * starts, the precedence default < file < environment < flag with each
 * value's source, the global options, SIGHUP's re-read, and
 * `wardwatch config show`.
 *
 * Why the whole file is checked by main, for every verb: a bad key found
 * only when serve reached it would be found after the catalog was opened
 * and the port bound; a file that loads here cannot be refused later.
 *
 * Line numbers: this libinih (Debian's, INI_HANDLER_LINENO 0) does not give
 * the handler a line, so the file is fed through our own reader, which
 * counts lines (inih asks for exactly one line per call) and also sees the
 * [section] headers (inih does not report an empty section).
 */
#include "cli/config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sections ---------------------------------------------------------------- */

void cli_section_seal(struct cli_section *sec)
{
    size_t n = 0;
    while (sec->opts[n].name) n++;
    assert(n < CLI_SECTION_MAX && "the section's table fits (raise CLI_SECTION_MAX)");
    sec->n = n;
    for (size_t i = 0; i < n; i++) sec->src[i] = (struct cli_src){CLI_SRC_DEFAULT, 0};
}

int cli_section_find(const struct cli_section *sec, const char *name)
{
    for (size_t i = 0; i < sec->n; i++)
        if (!strcmp(sec->opts[i].name, name)) return (int)i;
    return -1;
}

void cli_section_live(struct cli_section *sec, const char *name, size_t size)
{
    int i = cli_section_find(sec, name);
    assert(i >= 0 && "a live option is in its table");
    if (i >= 0) sec->live_size[i] = size;
}

int cli_section_flags(struct cli_section *sec, int argc, char **argv, const char *verb, const char *help,
                      const struct cli_opt *extra)
{
    size_t n_extra = 0;
    while (extra && extra[n_extra].name) n_extra++;
    struct cli_opt *all = ww_calloc(sec->n + n_extra + 1, sizeof *all);
    memcpy(all, sec->opts, sec->n * sizeof *all);
    if (n_extra) memcpy(all + sec->n, extra, n_extra * sizeof *all);
    bool *given = ww_calloc(sec->n + n_extra + 1, sizeof *given);
    int rc = cli_opts_given(argc, argv, verb, all, help, 0, given);
    for (size_t i = 0; i < sec->n; i++)
        if (given[i]) sec->src[i] = (struct cli_src){CLI_SRC_FLAG, 0};
    free(given);
    free(all);
    return rc;
}

/* ---- [station] ------------------------------------------------------------------ */

static int parse_folder(const char *arg, void *out)
{
    if (!*arg) return WW_EINVAL;
    *(const char **)out = arg;
    return 0;
}

static int parse_level(const char *arg, void *out)
{
    enum ww_log_level l;
    if (ww_log_level_parse(arg, &l)) return WW_EINVAL;
    *(int *)out = (int)l;
    return 0;
}

static const char *show_level(const void *out, char *buf, size_t n)
{
    snprintf(buf, n, "%s", ww_log_level_name((enum ww_log_level) * (const int *)out));
    return buf;
}

static const char *show_str(const void *out, char *buf, size_t n)
{
    const char *s = *(const char *const *)out;
    snprintf(buf, n, "%s", s ? s : "");
    return buf;
}

void cli_station_init(struct cli_station *st)
{
    *st = (struct cli_station){.data = "./wardwatch-data", .log_level = WW_LOG_INFO, .utc_offset_min = 420};
    const struct cli_opt t[] = {
        {CLI_CALL("data", &st->data, parse_folder, "--data wants a folder, not '%s'"),
         .env = "WARDWATCH_DATA", .show = show_str},
        {CLI_CALL("log-level", &st->log_level, parse_level,
                  "--log-level must be debug, info, warn or error, not '%s'"),
         .env = "WARDWATCH_LOG_LEVEL", .show = show_level},
        {CLI_INT("utc-offset-min", &st->utc_offset_min, -14 * 60, 14 * 60,
                 "--utc-offset-min must be -840..840 (minutes east of UTC; Asia/Ho_Chi_Minh is 420), not '%s'"),
         .env = "WARDWATCH_UTC_OFFSET_MIN"},
        {.name = NULL}};
    static_assert(sizeof st->log_level == sizeof(int), "log-level is stored as an int");
    st->sec.name = "station";
    memcpy(st->sec.opts, t, sizeof t);
    cli_section_seal(&st->sec);
    cli_section_live(&st->sec, "log-level", sizeof st->log_level);
}

/* ---- the file ----------------------------------------------------------------------- */

struct ini_entry {
    char *section, *key, *value; /* key and value NULL: a [section] header */
    int line;
};
struct cli_ini {
    char *path;
    struct ini_entry *v;
    size_t n, cap;
};

struct loader {
    struct cli_ini *ini;
    FILE *f;
    int line;
    char *section;   /* the current [section] as our reader saw it */
    char *buf;       /* getline's */
    size_t bufcap;
    int long_line;   /* first line longer than inih's buffer, 0 none */
    int longest;     /* the most characters a line may have */
};

static void ini_add(struct cli_ini *ini, const char *section, const char *key, const char *value, int line)
{
    if (ini->n == ini->cap) {
        ini->cap = ini->cap ? ini->cap * 2 : 32;
        ini->v = ww_realloc(ini->v, ini->cap * sizeof *ini->v);
    }
    ini->v[ini->n++] = (struct ini_entry){ww_strdup(section), ww_strdup(key), ww_strdup(value), line};
}

/* inih's fgets-style reader: one line per call, counted; [headers] noted. */
static char *read_line(char *str, int num, void *stream)
{
    struct loader *ld = stream;
    ssize_t len = getline(&ld->buf, &ld->bufcap, ld->f);
    if (len < 0) return NULL;
    ld->line++;
    while (len && (ld->buf[len - 1] == '\n' || ld->buf[len - 1] == '\r')) ld->buf[--len] = 0;
    ld->longest = num - 1;
    if (len > num - 1) {
        if (!ld->long_line) ld->long_line = ld->line;
        len = num - 1;
        ld->buf[len] = 0;
    }
    const char *p = ld->buf + strspn(ld->buf, " \t");
    const char *end = *p == '[' ? strchr(p, ']') : NULL;
    if (end) {
        char *name = ww_asprintf("%.*s", (int)(end - p - 1), p + 1);
        ini_add(ld->ini, name, NULL, NULL, ld->line);
        free(name);
    }
    memcpy(str, ld->buf, (size_t)len + 1);
    return str;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    struct loader *ld = user;
    ini_add(ld->ini, section, name, value ? value : "", ld->line);
    return 1;
}

void cli_ini_free(struct cli_ini *ini)
{
    if (!ini) return;
    for (size_t i = 0; i < ini->n; i++) {
        free(ini->v[i].section);
        free(ini->v[i].key);
        free(ini->v[i].value);
    }
    free(ini->v);
    free(ini->path);
    free(ini);
}

const char *cli_ini_path(const struct cli_ini *ini) { return ini ? ini->path : NULL; }

/* The first problem of entry e against the scratch sections, or NULL. */
static char *entry_problem(const struct ini_entry *e, struct cli_section *const secs[2])
{
    struct cli_section *sec = NULL;
    for (int k = 0; k < 2; k++)
        if (!strcmp(e->section, secs[k]->name)) sec = secs[k];
    if (!e->key)
        return sec ? NULL : ww_asprintf("unknown section [%s] (the sections are [station] and [serve])", e->section);
    if (!*e->section) return ww_asprintf("'%s' is outside a section: put it under [station] or [serve]", e->key);
    if (!sec) return NULL; /* its header was refused, on an earlier line */
    int i = cli_section_find(sec, e->key);
    if (i < 0) {
        struct ww_buf keys = {0};
        for (size_t k = 0; k < sec->n; k++) ww_buf_printf(&keys, "%s%s", k ? ", " : "", sec->opts[k].name);
        char *msg = ww_asprintf("unknown key '%s' in [%s] (its keys: %s)", e->key, e->section, (const char *)keys.data);
        ww_buf_free(&keys);
        return msg;
    }
    if (sec->src[i].kind == CLI_SRC_FILE)
        return ww_asprintf("%s is given twice in [%s] (first on line %d)", e->key, e->section, sec->src[i].line);
    if (cli_opt_set(&sec->opts[i], e->value)) {
        char *why = cli_opt_refusal(&sec->opts[i], e->value), *msg = ww_asprintf("%s = '%s': %s", e->key, e->value, why);
        free(why);
        return msg;
    }
    sec->src[i] = (struct cli_src){CLI_SRC_FILE, e->line};
    return NULL;
}

/* Every entry against scratch tables; the first problem's line and text. */
static int ini_check(const struct cli_ini *ini, char **msg)
{
    struct cli_station st;
    struct cli_serve sv;
    cli_station_init(&st);
    cli_serve_init(&sv, ".");
    struct cli_section *const secs[2] = {&st.sec, &sv.sec};
    for (size_t i = 0; i < ini->n; i++)
        if ((*msg = entry_problem(&ini->v[i], secs))) return ini->v[i].line;
    return 0;
}

int cli_ini_load(const char *path, struct cli_ini **out, char **err)
{
    *out = NULL;
    struct loader ld = {.f = fopen(path, "re")};
    if (!ld.f) {
        *err = ww_asprintf("%s: cannot read it: %s", path, strerror(errno));
        return WW_EINVAL;
    }
    ld.ini = ww_calloc(1, sizeof *ld.ini);
    ld.ini->path = ww_strdup(path);
    /* an indented line is a key of its own, not the previous value's continuation */
    ini_allow_multiline = false;
    int syntax = ini_parse_stream(read_line, &ld, on_pair, &ld);
    fclose(ld.f);
    free(ld.buf);
    char *msg = NULL;
    int line = ini_check(ld.ini, &msg);
    if (ld.long_line && (!line || ld.long_line <= line)) {
        free(msg);
        line = ld.long_line;
        msg = ww_asprintf("line longer than %d characters", ld.longest);
    }
    if (syntax > 0 && (!line || syntax <= line)) {
        free(msg);
        line = syntax;
        msg = ww_strdup("syntax error: expected 'key = value', '[section]' or a comment (; or #)");
    }
    if (syntax < 0 && !line) {
        line = 0;
        msg = ww_strdup("cannot read it: out of memory");
    }
    if (msg) {
        *err = line ? ww_asprintf("%s:%d: %s", path, line, msg) : ww_asprintf("%s: %s", path, msg);
        free(msg);
        cli_ini_free(ld.ini);
        return WW_EINVAL;
    }
    *out = ld.ini;
    return 0;
}

void cli_section_apply_file(struct cli_section *sec, const struct cli_ini *ini)
{
    for (size_t k = 0; ini && k < ini->n; k++) {
        const struct ini_entry *e = &ini->v[k];
        int i = e->key && !strcmp(e->section, sec->name) ? cli_section_find(sec, e->key) : -1;
        if (i < 0) continue;
        int rc = cli_opt_set(&sec->opts[i], e->value);
        assert(rc == 0 && "cli_ini_load checked every value");
        if (!rc) sec->src[i] = (struct cli_src){CLI_SRC_FILE, e->line};
    }
}

void cli_section_apply_env(struct cli_section *sec)
{
    for (size_t i = 0; i < sec->n; i++) {
        const struct cli_opt *o = &sec->opts[i];
        const char *v = o->env ? ww_env_raw(o->env) : NULL;
        if (!v || !*v) continue;
        if (cli_opt_set(o, v) == 0) {
            sec->src[i] = (struct cli_src){CLI_SRC_ENV, 0};
        } else if (o->kind != CLI_OPT_INT && o->kind != CLI_OPT_I64) {
            /* (a bad integer is ww_env_check's to report, once) */
            char *why = cli_opt_refusal(o, v);
            ww_warn("config", "%s ignored: %s", o->env, why);
            free(why);
        }
    }
}

/* ---- the global options --------------------------------------------------------------- */

/* Removes argv[i] (and its value) in place; returns the new argc. */
static int take(int argc, char **argv, int i, int count)
{
    memmove(&argv[i], &argv[i + count], (size_t)(argc - i - count + 1) * sizeof *argv);
    return argc - count;
}

/* argv[i] is --NAME or --NAME=VALUE: 1 (VALUE in *val, NULL for the next word), else 0. */
static int is_opt(const char *arg, const char *name, const char **val)
{
    size_t n = strlen(name);
    if (arg[0] != '-' || arg[1] != '-' || strncmp(arg + 2, name, n)) return 0;
    if (!arg[2 + n]) { *val = NULL; return 1; }
    if (arg[2 + n] == '=') { *val = arg + 3 + n; return 1; }
    return 0;
}

int cli_station_setup(struct cli_ctx *c, struct cli_station *st, int *argc, char **argv,
                      struct cli_ini **ini)
{
    *ini = NULL;
    cli_station_init(st);
    const char *flag[CLI_SECTION_MAX] = {0}, *config = NULL;
    for (int i = 1; i < *argc;) {
        if (!strcmp(argv[i], "--")) break;
        const char *val = NULL;
        int hit = is_opt(argv[i], "config", &val) ? (int)st->sec.n : -1;
        for (size_t k = 0; hit < 0 && k < st->sec.n; k++)
            if (is_opt(argv[i], st->sec.opts[k].name, &val)) hit = (int)k;
        if (hit < 0) { i++; continue; }
        int words = val ? 1 : 2;
        if (!val && i + 1 >= *argc) return cli_usage("%s needs a value", argv[i]);
        if (!val) val = argv[i + 1];
        if (hit == (int)st->sec.n) config = val;
        else flag[hit] = val;
        *argc = take(*argc, argv, i, words);
    }
    if (!config) config = ww_env_str("WARDWATCH_CONFIG");
    if (config && *config) {
        char *err = NULL;
        if (cli_ini_load(config, ini, &err)) {
            fprintf(stderr, "%s\n", err);
            free(err);
            return 2;
        }
    }
    cli_section_apply_file(&st->sec, *ini);
    cli_section_apply_env(&st->sec);
    for (size_t k = 0; k < st->sec.n; k++) {
        if (!flag[k]) continue;
        if (cli_opt_set(&st->sec.opts[k], flag[k])) {
            char *why = cli_opt_refusal(&st->sec.opts[k], flag[k]);
            cli_err("%s", why);
            free(why);
            cli_ini_free(*ini);
            *ini = NULL;
            return 2;
        }
        st->sec.src[k] = (struct cli_src){CLI_SRC_FLAG, 0};
    }
    c->data_dir = st->data;
    c->ini = *ini;
    c->station = st;
    ww_log_set_level((enum ww_log_level)st->log_level);
    /* from the environment the clock reads it itself, as before */
    enum cli_src_kind off = st->sec.src[cli_section_find(&st->sec, "utc-offset-min")].kind;
    if (off == CLI_SRC_FILE || off == CLI_SRC_FLAG) ww_station_offset_set(st->utc_offset_min);
    return -1;
}

/* ---- showing them ----------------------------------------------------------------------- */

char *cli_src_text(const struct cli_section *sec, size_t i, const struct cli_ini *ini)
{
    switch (sec->src[i].kind) {
    case CLI_SRC_FILE: return ww_asprintf("file %s:%d", cli_ini_path(ini), sec->src[i].line);
    case CLI_SRC_ENV: return ww_asprintf("env %s", sec->opts[i].env);
    case CLI_SRC_FLAG: return ww_strdup("flag");
    case CLI_SRC_DEFAULT: break;
    }
    return ww_strdup("default");
}

void cli_section_json(const struct cli_section *sec, const struct cli_ini *ini, json_t *arr)
{
    char buf[CLI_VALUE_MAX];
    for (size_t i = 0; i < sec->n; i++) {
        char *src = cli_src_text(sec, i, ini);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:b}", "section", sec->name, "name", sec->opts[i].name,
                                             "value", cli_opt_format(&sec->opts[i], buf, sizeof buf),
                                             "source", src, "live", sec->live_size[i] > 0));
        free(src);
    }
}

void cli_section_print(const struct cli_section *sec, const struct cli_ini *ini)
{
    char buf[CLI_VALUE_MAX];
    printf("[%s]\n", sec->name);
    for (size_t i = 0; i < sec->n; i++) {
        char *src = cli_src_text(sec, i, ini);
        bool live = sec->live_size[i] && sec->src[i].kind != CLI_SRC_ENV && sec->src[i].kind != CLI_SRC_FLAG;
        printf("%-18s = %-24s ; %s%s\n", sec->opts[i].name, cli_opt_format(&sec->opts[i], buf, sizeof buf), src,
               live ? ", live on SIGHUP" : "");
        free(src);
    }
}

/* ---- SIGHUP ----------------------------------------------------------------------------- */

/* Compares the running section with the one just read (same table, same
 * order: both built by the same init). */
static void reload_section(struct cli_section *run, struct cli_section *fresh, const char *path, bool *changed)
{
    char was[CLI_VALUE_MAX], now[CLI_VALUE_MAX];
    for (size_t i = 0; i < run->n; i++) {
        if (run->src[i].kind == CLI_SRC_ENV || run->src[i].kind == CLI_SRC_FLAG) continue; /* they still win */
        cli_opt_format(&run->opts[i], was, sizeof was);
        cli_opt_format(&fresh->opts[i], now, sizeof now);
        if (!strcmp(was, now)) {
            run->src[i] = fresh->src[i]; /* the same value, perhaps on another line */
            continue;
        }
        if (!run->live_size[i]) {
            ww_warn("config", "%s changed in %s: takes effect at the next start", run->opts[i].name, path);
            continue;
        }
        memcpy(run->opts[i].out, fresh->opts[i].out, run->live_size[i]);
        run->src[i] = fresh->src[i];
        *changed = true;
        ww_info("config", "%s: %s → %s (%s%s)", run->opts[i].name, was, now,
                fresh->src[i].kind == CLI_SRC_FILE ? "from " : "", fresh->src[i].kind == CLI_SRC_FILE ? path : "default");
    }
}

int cli_config_reload(const char *path, struct cli_station *st, struct cli_serve *sv, bool *changed)
{
    *changed = false;
    struct cli_ini *ini;
    char *err = NULL;
    if (cli_ini_load(path, &ini, &err)) {
        ww_error("config", "%s; keeping the running settings", err);
        free(err);
        return WW_EINVAL;
    }
    struct cli_station nst;
    cli_station_init(&nst);
    cli_section_apply_file(&nst.sec, ini);
    struct cli_serve nsv;
    cli_serve_init(&nsv, sv->eng.data_dir);
    cli_section_apply_file(&nsv.sec, ini);
    reload_section(&st->sec, &nst.sec, path, changed);
    reload_section(&sv->sec, &nsv.sec, path, changed);
    cli_ini_free(ini); /* only live values were copied, and none is a string */
    ww_info("config", "re-read %s", path);
    return 0;
}

/* ---- wardwatch config show ---------------------------------------------------------------- */

static const char config_show_help[] =
    "usage: wardwatch [--config FILE] [--data DIR] [--log-level L] [--utc-offset-min N]\n"
    "                 config show [--json] [serve's options]\n\n"
    "Prints every setting of the station and of `serve` — its effective value and where\n"
    "it came from: default, file FILE:LINE, env NAME or flag.  Takes the global options\n"
    "and every option of `wardwatch serve` (see 'wardwatch serve --help'), so it shows\n"
    "what `serve` would run with given the same command line.  Starts nothing.\n\n"
    "  --json   one JSON object: {\"config\": FILE or null, \"settings\": [{\"section\",\n"
    "           \"name\", \"value\", \"source\", \"live\"}…]}\n";

static int config_show(struct cli_ctx *c, int argc, char **argv)
{
    bool json = false;
    struct cli_serve sv;
    cli_serve_init(&sv, c->data_dir);
    cli_section_apply_file(&sv.sec, c->ini);
    cli_section_apply_env(&sv.sec);
    const struct cli_opt extra[] = {{CLI_FLAG("json", &json)}, {.name = NULL}};
    int rc = cli_section_flags(&sv.sec, argc, argv, "config show", config_show_help, extra);
    if (rc >= 0) return rc;
    if (json) {
        json_t *arr = json_array();
        cli_section_json(&c->station->sec, c->ini, arr);
        cli_section_json(&sv.sec, c->ini, arr);
        const char *path = cli_ini_path(c->ini);
        cli_print_json(json_pack("{s:o,s:o}", "config", path ? json_string(path) : json_null(), "settings", arr),
                       JSON_INDENT(2));
        return 0;
    }
    printf("; config file: %s\n", c->ini ? cli_ini_path(c->ini) : "none (--config FILE or $WARDWATCH_CONFIG)");
    cli_section_print(&c->station->sec, c->ini);
    putchar('\n');
    cli_section_print(&sv.sec, c->ini);
    return 0;
}

CLI_ACTIONS(cli_config, "config", "usage: wardwatch [--config FILE] config show [--json] [serve's options]",
            {"show", config_show})
