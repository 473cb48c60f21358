/*
 * main.c — global options and verb dispatch only.  Every verb lives in
 * src/cli/ and parses its own options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/config.h"

static const struct verb {
    const char *name;
    int (*fn)(struct cli_ctx *, int, char **);
    const char *help;
} verbs[] = {
    {"init", cli_init, "create the data folder, catalog and first admin"},
    {"camera", cli_camera, "add | list | remove | import cameras"},
    {"serve", cli_serve, "record every enabled camera and serve the console"},
    {"recordings", cli_recordings, "list a camera's segments and gaps"},
    {"check", cli_check, "verify every segment row against its file"},
    {"export", cli_export, "export a time range of a camera as one MP4 + signed manifest"},
    {"verify", cli_verify, "verify an export, bundle (.tar) or folder offline: signature and hashes"},
    {"retention", cli_retention, "retention plan: what retention will delete, and when"},
    {"hold", cli_hold, "add | list | release holds: footage retention must keep"},
    {"map", cli_map, "map tiles | streets | show: the console's offline map and street list"},
    {"key", cli_key, "key show: the station's public signing key and fingerprint"},
    {"motion", cli_motion, "motion scan FILE: find motion in a video file"},
    {"user", cli_user, "add | list | passwd console users"},
    {"audit", cli_audit, "audit verify: check the tamper-evident audit chain"},
    {"incident", cli_incident, "import | export the incident register (CSV)"},
    {"demo-data", cli_demo_data, "fill the catalog with clearly-marked demo data"},
    {"backup", cli_backup, "backup OUTDIR: catalog (online), signing key, config; not the recordings"},
    {"restore", cli_restore, "restore BACKUPDIR: a backup into a new data folder, after checking SHA256SUMS"},
    {"config", cli_config, "config show: every setting, its value and where it came from"},
    {"hub", cli_hub, "hub init | station add|list | user add|list | serve | check | stats: the province hub (PostgreSQL)"},
    {"station", cli_station, "station join HUB_URL TOKEN | status: this station in the province"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: wardwatch [--config FILE] [--data DIR] [--log-level LEVEL] VERB [options]\n\n"
               "Records community cameras for a ward police station.\n\n"
               "  --config FILE     settings file (wardwatch.ini; or $WARDWATCH_CONFIG; default none)\n"
               "  --data DIR        data folder (default ./wardwatch-data, or $WARDWATCH_DATA)\n"
               "  --log-level L     debug | info | warn | error (default info, or $WARDWATCH_LOG_LEVEL)\n"
               "  --utc-offset-min N  the station's UTC offset in minutes (default 420,\n"
               "                    or $WARDWATCH_UTC_OFFSET_MIN)\n\nverbs:\n");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].help);
    fprintf(f, "\n'wardwatch VERB --help' describes each verb.\n");
}

static int run(struct cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return 2; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) { puts("wardwatch " WW_VERSION); return 0; }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (!strcmp(argv[1], verbs[i].name)) return verbs[i].fn(ctx, argc - 1, argv + 1);
    return cli_usage("unknown verb '%s' (see 'wardwatch --help')", argv[1]);
}

int main(int argc, char **argv)
{
    struct cli_ctx ctx = {.prog = "wardwatch"};
    const char *fault = ww_env_str("WARDWATCH_FAULT");
    if (fault && ww_fsops_fault(fault)) return cli_usage("bad WARDWATCH_FAULT '%s'", fault);

    /* Global options may stand anywhere before "--": cli_station_setup pulls
     * them out so each verb sees only its own, reads the config file, and
     * settles the data folder, log level and UTC offset. */
    struct cli_station station;
    struct cli_ini *ini = NULL;
    int rc = cli_station_setup(&ctx, &station, &argc, argv, &ini);
    if (rc >= 0) return rc;
    ww_env_check();   /* after the log level is known: says which setting was ignored */
    rc = run(&ctx, argc, argv);
    cli_ini_free(ini);
    return rc;
}
