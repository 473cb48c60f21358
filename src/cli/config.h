/*
 * cli/config.h — the station's settings and `serve`'s, from one table per
 * section that serves the command line, the config file (wardwatch.ini,
 * read with libinih) and `wardwatch config show`.
 *
 * A section is an array of struct cli_opt (cli/common.h): name, kind,
 * range and refusal text.  A file key is the option's long name, and its
 * value is parsed by the same entry the command line uses, so an option
 * added to a table is a file key at once, with the same range and the same
 * refusal.  [station] is data, log-level, utc-offset-min (global options
 * --data, --log-level, --utc-offset-min; environment WARDWATCH_DATA,
 * WARDWATCH_LOG_LEVEL, WARDWATCH_UTC_OFFSET_MIN); [serve] is every option
 * of `wardwatch serve` (its table is in serve.c: cli_serve_init).
 *
 * Precedence, lowest first: the table's default, the file, the
 * environment (an option with .env), the command line.  Each value keeps
 * where it came from (struct cli_src) for `config show` and for SIGHUP,
 * which re-reads the file but never overrides an environment or flag value.
 *
 * Ownership: a section's .out pointers point into the struct that holds
 * it, so these structs are set up in place by their init and never copied.
 * CLI_OPT_STR values point into the cli_ini they came from, into argv or
 * into the environment: the ini must outlive the settings read from it.
 * Threads: main thread only (serve's signal loop is the main thread).
 */
#ifndef WW_CLI_CONFIG_H
#define WW_CLI_CONFIG_H

#include <jansson.h>
#include <stdbool.h>

#include "cli/common.h"
#include "cli/serve_http.h"
#include "engine/engine.h"

enum cli_src_kind { CLI_SRC_DEFAULT, CLI_SRC_FILE, CLI_SRC_ENV, CLI_SRC_FLAG };
struct cli_src {
    enum cli_src_kind kind;
    int line; /* CLI_SRC_FILE: the line in the file */
};

enum { CLI_SECTION_MAX = 48, CLI_VALUE_MAX = 1100 /* the longest value config show prints */ };
struct cli_section {
    const char *name;                      /* "station" / "serve": the file's [section] */
    struct cli_opt opts[CLI_SECTION_MAX];  /* ended by a NULL name */
    struct cli_src src[CLI_SECTION_MAX];
    /* >0: applied on SIGHUP without a restart, by copying this many bytes
     * of the value at .out (cli_section_live) */
    size_t live_size[CLI_SECTION_MAX];
    size_t n;
};
/* Counts the entries (asserts the table fits) and sets every source to
 * default.  Called by the inits below once their table is filled. */
void cli_section_seal(struct cli_section *sec);
/* The entry named name, or -1. */
int cli_section_find(const struct cli_section *sec, const char *name);
/* Marks the entry named name as applied live on SIGHUP; size is the size
 * of its value at .out.  Asserts that the entry exists. */
void cli_section_live(struct cli_section *sec, const char *name, size_t size);
/* Reads sec's options from the command line (argv[0] the verb) after the
 * file and the environment were applied, marking each given one "flag";
 * extra (ended by a NULL name, may be NULL) are the verb's own options
 * besides sec's.  cli_opts's return: -1 to go on, else the exit code. */
int cli_section_flags(struct cli_section *sec, int argc, char **argv, const char *verb, const char *help,
                      const struct cli_opt *extra);

/* ---- [station] --------------------------------------------------------- */
struct cli_station {
    const char *data;            /* default ./wardwatch-data */
    enum ww_log_level log_level; /* default info */
    int utc_offset_min;          /* default 420 */
    struct cli_section sec;
};
void cli_station_init(struct cli_station *st);

/* ---- [serve] ------------------------------------------------------------ */
struct cli_serve {
    const char *listen;          /* default 127.0.0.1:8080 */
    const char *stats;           /* NULL: DATA/stats.json */
    const char *mqtt;            /* NULL: the broker station join stored */
    bool http;                   /* false: --no-http */
    struct engine_cfg eng;       /* data_dir set; .may left for serve */
    struct serve_http_opts web;
    struct cli_section sec;
};
/* serve's option table with its defaults (serve.c). */
void cli_serve_init(struct cli_serve *sv, const char *data_dir);

/* ---- the file ------------------------------------------------------------ */
struct cli_ini;
/* Reads path and checks all of it: the syntax, every [section] (station,
 * serve), every key (an option of that section, given once) and every value
 * (parsed by the option's own entry).  0 with *out (cli_ini_free), or
 * WW_EINVAL with *err = "FILE:LINE: message" ("FILE: message" when the
 * file cannot be read; caller frees) and nothing in *out.  Lines are at
 * most 199 characters (libinih's line buffer); a longer one is an error. */
int cli_ini_load(const char *path, struct cli_ini **out, char **err);
void cli_ini_free(struct cli_ini *ini); /* NULL-safe */
const char *cli_ini_path(const struct cli_ini *ini);

/* Applies ini's entries for sec->name onto sec (source "file", with the
 * line); only a file cli_ini_load accepted, so nothing is refused. */
void cli_section_apply_file(struct cli_section *sec, const struct cli_ini *ini);
/* Applies each option's environment variable that is set and not empty;
 * a value its entry refuses is skipped with one warning (the environment's
 * old rule: a bad setting is ignored, not fatal). */
void cli_section_apply_env(struct cli_section *sec);

/* ---- the global options ----------------------------------------------------
 * Takes --config FILE, --data DIR, --log-level L, --utc-offset-min N (also
 * as --name=value) from anywhere before "--" out of argv, reads the config
 * file (--config, else $WARDWATCH_CONFIG; none by default), and settles the
 * station's settings by the precedence above: sets c->data_dir, the log
 * level and (when the file or a flag gave it) the station's UTC offset.
 * Returns -1 to go on, with *ini the file read (NULL when none; the caller
 * frees it after the verb); else the exit code 2 after one line (a bad
 * file's "FILE:LINE: message", or a refused flag). */
int cli_station_setup(struct cli_ctx *c, struct cli_station *st, int *argc, char **argv,
                      struct cli_ini **ini);

/* ---- showing them ---------------------------------------------------------- */
/* "default", "file FILE:LINE", "env NAME", "flag" (caller frees). */
char *cli_src_text(const struct cli_section *sec, size_t i, const struct cli_ini *ini);
/* [{"section","name","value","source"}…] for every option of sec, appended to arr. */
void cli_section_json(const struct cli_section *sec, const struct cli_ini *ini, json_t *arr);
/* One "name  value  source" line per option, under "[name]". */
void cli_section_print(const struct cli_section *sec, const struct cli_ini *ini);

/* ---- SIGHUP ----------------------------------------------------------------
 * Re-reads the file serve started with and compares with the running
 * settings.  An option whose running value came from the environment or a
 * flag keeps it.  A live option (sec->live) that changed is copied into the
 * running struct and logged, and *changed set true; any other change is
 * logged as "X changed in FILE: takes effect at the next start".  A file
 * that no longer loads is logged with its FILE:LINE and nothing changes.
 * Returns 0, or WW_EINVAL for a bad file. */
int cli_config_reload(const char *path, struct cli_station *st, struct cli_serve *sv, bool *changed);

#endif
