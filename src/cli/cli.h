/*
 * cli: the command-line verbs.  main.c only parses the global options and
 * dispatches to one of these; each verb parses its own options, prints its
 * own --help, and returns the process exit code:
 *   0 success, 1 the operation failed (a clear line was printed),
 *   2 bad usage (unknown option, malformed argument) — nothing was written.
 *
 * The data folder comes from --data, then WARDWATCH_DATA, then
 * ./wardwatch-data; cli_data_dir() resolves it once.
 */
#ifndef WW_CLI_H
#define WW_CLI_H

struct cli_ini;
struct cli_station;
struct cli_ctx {
    const char *data_dir;  /* never NULL */
    const char *prog;      /* argv[0] for messages */
    /* From cli_station_setup (cli/config.h): the config file read (NULL:
     * none) and the station's settings with their sources; main owns both. */
    const struct cli_ini *ini;
    struct cli_station *station;
};

/* Prints "wardwatch: <msg>" to stderr as one line. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: prints one line and returns 2. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cli_init(struct cli_ctx *c, int argc, char **argv);
int cli_camera(struct cli_ctx *c, int argc, char **argv);
int cli_serve(struct cli_ctx *c, int argc, char **argv);
int cli_recordings(struct cli_ctx *c, int argc, char **argv);
int cli_check(struct cli_ctx *c, int argc, char **argv);
int cli_motion(struct cli_ctx *c, int argc, char **argv);   /* motion scan … */
int cli_user(struct cli_ctx *c, int argc, char **argv);     /* user add … */
int cli_export(struct cli_ctx *c, int argc, char **argv);
int cli_audit(struct cli_ctx *c, int argc, char **argv);    /* audit verify */
int cli_incident(struct cli_ctx *c, int argc, char **argv);
int cli_demo_data(struct cli_ctx *c, int argc, char **argv);
int cli_key(struct cli_ctx *c, int argc, char **argv);
int cli_station(struct cli_ctx *c, int argc, char **argv);
int cli_hold(struct cli_ctx *c, int argc, char **argv);     /* hold add | list | release */
int cli_map(struct cli_ctx *c, int argc, char **argv);      /* map tiles | streets | show */
int cli_retention(struct cli_ctx *c, int argc, char **argv); /* retention plan */      /* key show */
int cli_verify(struct cli_ctx *c, int argc, char **argv);   /* verify an export or bundle offline */
int cli_backup(struct cli_ctx *c, int argc, char **argv);   /* backup OUTDIR [--config-file F] */
int cli_restore(struct cli_ctx *c, int argc, char **argv);  /* restore BACKUPDIR */
int cli_config(struct cli_ctx *c, int argc, char **argv);   /* config show: every setting and its source */
int cli_hub(struct cli_ctx *c, int argc, char **argv);      /* hub init | station | serve | check */
int cli_hub_review(struct cli_ctx *c, int argc, char **argv); /* hub review (hub_review.c) */

#endif
