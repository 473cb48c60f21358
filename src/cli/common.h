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
/* The line for a catalog_open that said WW_ENEWER (both schema numbers);
 * returns its exit code, 2: this binary cannot be used on that folder. */
int cli_refuse_newer(const char *db);
/* getopt_long with our one-line errors; returns the option, -1 at the end,
 * or CLI_OPT_BAD (message printed).  Call cli_getopt_reset() before the first
 * call of each verb.  shortopts should start with ':'. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *verb);
void cli_getopt_reset(void);

/* ---- a verb's options, as one table ------------------------------------
 * Each verb lists its options once (STYLE §2: name, kind, where the value
 * lands, its range and the line that refuses a bad value) and cli_opts
 * reads argv by that table, so every verb parses, answers --help and
 * refuses the same way.  Entries are written {CLI_STR("name", &name)},
 * with .letter = 'o' for a short form and .seen = &flag where the verb must
 * know that an option was given. */
enum cli_opt_kind {
    CLI_OPT_FLAG, /* bool: set true */
    CLI_OPT_OFF,  /* bool: set false (--disabled, --no-...) */
    CLI_OPT_STR,  /* const char *: the argument itself */
    CLI_OPT_I64,  /* int64_t in lo..hi */
    CLI_OPT_INT,  /* int in lo..hi */
    CLI_OPT_SIZE, /* size_t in lo..hi */
    CLI_OPT_DBL,  /* double in dlo..dhi */
    CLI_OPT_TIME, /* int64_t µs: ww_parse_time at the station's offset */
    CLI_OPT_CALL, /* parse(arg, out) == 0 takes it */
};
struct cli_opt {
    const char *name; /* the long name without dashes; NULL ends the table */
    enum cli_opt_kind kind;
    void *out;
    int64_t lo, hi;
    int64_t scale; /* CLI_OPT_I64: the value is stored times scale (0: as given) */
    double dlo, dhi;
    /* What a refused value prints after "VERB: " (may hold one %s: the
     * value); for CLI_OPT_TIME the hint after "is not a time" (may be ""). */
    const char *bad;
    int (*parse)(const char *arg, void *out);
    bool *seen;  /* set true when the option is given (may be NULL) */
    char letter; /* the short form, 0 for none */
    /* The environment variable that sets it too (a row of base/env.c), for
     * the settings a config file shares with the environment (cli/config.h);
     * NULL for none. */
    const char *env;
    /* The value at *out as text for `config show`, when the generic form
     * (number / string / true-false) would not say it (a sentinel such as
     * "auto"); buf holds n bytes; returns buf.  NULL: generic. */
    const char *(*show)(const void *out, char *buf, size_t n);
};
/* Typed so that a table cannot point an int64_t option at an int. */
static inline void *cli_bool_out(bool *p) { return p; }
static inline void *cli_str_out(const char **p) { return p; }
static inline void *cli_i64_out(int64_t *p) { return p; }
static inline void *cli_int_out(int *p) { return p; }
static inline void *cli_size_out(size_t *p) { return p; }
static inline void *cli_dbl_out(double *p) { return p; }
#define CLI_FLAG(n, p) .name = (n), .kind = CLI_OPT_FLAG, .out = cli_bool_out(p)
#define CLI_OFF(n, p) .name = (n), .kind = CLI_OPT_OFF, .out = cli_bool_out(p)
#define CLI_STR(n, p) .name = (n), .kind = CLI_OPT_STR, .out = cli_str_out(p)
#define CLI_I64(n, p, l, h, why)                                                                   \
    .name = (n), .kind = CLI_OPT_I64, .out = cli_i64_out(p), .lo = (l), .hi = (h), .bad = (why)
/* lo..hi in the option's unit, stored times s: --quota-mb N → bytes */
#define CLI_I64_TIMES(n, p, l, h, s, why)                                                          \
    .name = (n), .kind = CLI_OPT_I64, .out = cli_i64_out(p), .lo = (l), .hi = (h), .scale = (s),     \
    .bad = (why)
#define CLI_INT(n, p, l, h, why)                                                                   \
    .name = (n), .kind = CLI_OPT_INT, .out = cli_int_out(p), .lo = (l), .hi = (h), .bad = (why)
#define CLI_SIZE(n, p, l, h, why)                                                                  \
    .name = (n), .kind = CLI_OPT_SIZE, .out = cli_size_out(p), .lo = (l), .hi = (h), .bad = (why)
#define CLI_DBL(n, p, l, h, why)                                                                   \
    .name = (n), .kind = CLI_OPT_DBL, .out = cli_dbl_out(p), .dlo = (l), .dhi = (h), .bad = (why)
#define CLI_TIME(n, p, hint) .name = (n), .kind = CLI_OPT_TIME, .out = cli_i64_out(p), .bad = (hint)
#define CLI_CALL(n, p, fn, why) .name = (n), .kind = CLI_OPT_CALL, .out = (p), .parse = (fn), .bad = (why)
/* The most operands a verb takes, or CLI_ANY_OPERANDS when it checks them itself. */
enum { CLI_ANY_OPERANDS = -1 };
/* CLI_OPT_CALL parser of a time (ww_parse_time at the station's offset)
 * into an int64_t µs, for a verb with its own refusal line. */
int cli_parse_time(const char *arg, void *out);
/* CLI_OPT_CALL parser of --stream: "main" or "sub" into a const char *. */
int cli_parse_stream(const char *arg, void *out);
/* Stores arg by o's kind and range (what the command line and the config
 * file share): 0, or WW_EINVAL leaving *out as it was.  A flag (FLAG/OFF)
 * here takes a truth value: true/false, yes/no, on/off, 1/0 (OFF stores
 * its negation: `no-http = true` turns the console off). */
int cli_opt_set(const struct cli_opt *o, const char *arg);
/* The line that refuses arg for o, without the "VERB: " prefix: o->bad
 * with arg in it (caller frees). */
char *cli_opt_refusal(const struct cli_opt *o, const char *arg);
/* o's current value (at o->out) as text in buf (n bytes); returns buf. */
const char *cli_opt_format(const struct cli_opt *o, char *buf, size_t n);
/* Reads argv (argv[0] is the verb's own name) by opts, ended by an entry
 * with a NULL name; --help and -h print help (the whole text) and end.
 * More than `operands` operands is "VERB: unexpected argument 'X'".
 * Returns -1 when the verb should go on, with optind at its first operand;
 * else the exit code: 0 after the help, 2 after one usage line. */
int cli_opts(int argc, char **argv, const char *verb, const struct cli_opt *opts, const char *help,
             int operands);
/* cli_opts that also sets given[i] (one per entry of opts) for each option
 * the command line gave: the settings' "flag" source. */
int cli_opts_given(int argc, char **argv, const char *verb, const struct cli_opt *opts, const char *help,
                   int operands, bool *given);

/* Defines the verb fn that runs one of its actions ({"add", hold_add}, ...)
 * through cli_dispatch; usage as there. */
#define CLI_ACTIONS(fn, verb, usage, ...)                                                          \
    int fn(struct cli_ctx *c, int argc, char **argv)                                               \
    {                                                                                              \
        static const struct cli_action acts[] = {__VA_ARGS__, {NULL, NULL}};                       \
        return cli_dispatch(c, argc, argv, (verb), (usage), acts);                                 \
    }

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

/* How a list verb prints its rows (`camera list [--json]`): with --json one
 * pretty JSON array of row_json's objects, else head (the table's header
 * line, newline included, its widths those row_text prints) and a line of
 * row_text per row.  size is sizeof one row. */
struct cli_list {
    const char *head;
    json_t *(*row_json)(const void *row); /* a new reference */
    void (*row_text)(const void *row);
    size_t size;
};
void cli_print_list(const struct cli_list *l, bool json, const void *rows, size_t n);
/* A verb that lists every row of a table and takes only --json (`camera
 * list`, `user list`): fetch reads them all into *(T **)rows, release frees
 * them; a failed fetch is "VERB failed" and exit 1. */
struct cli_list_verb {
    const char *verb, *help;
    const struct cli_list *print;
    int (*fetch)(catalog_t *cat, void *rows, size_t *n);
    void (*release)(void *rows, size_t n);
};
int cli_list_all(const struct cli_ctx *c, int argc, char **argv, const struct cli_list_verb *l);

/* Creates the first admin with a random password (returned, caller frees)
 * on a new catalog.  Implemented with the users module (cli/user.c). */
int cli_init_first_admin(catalog_t *cat, char **password);

/* camera URL validation shared by add and import (cli/camera.c). */
int cli_parse_camera_url(const char *url, char **clean, char **user, char **pass,
                         const char **why);
/* `camera import FILE.csv` (cli/camera_import.c). */
int cli_camera_import(struct cli_ctx *c, int argc, char **argv);

#endif
