/*
 * serve.c — `wardwatch serve`: recover, then record every enabled camera
 * and serve the console until SIGINT/SIGTERM; then close every file
 * cleanly, commit, and exit 0.
 *
 * Signals are blocked in every thread and taken with sigwait() here, so no
 * library thread is ever interrupted by them.  A lock on DIR/serve.lock
 * keeps two recorders off one data folder.
 */
#include "cli/common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/engine.h"
#include "export/export.h"
#include "record/record.h"
#include "cli/serve_http.h"
#include "community/community.h"

static void help(void)
{
    printf("usage: wardwatch [--data DIR] serve [options]\n\n"
           "Records every enabled camera and serves the web console until SIGINT/SIGTERM.\n\n"
           "  --listen ADDR:PORT     console address (default 127.0.0.1:8080)\n"
           "  --no-http              record only, no console\n"
           "  --no-record            console and live view only, write no video\n"
           "  --segment-seconds N    longest segment (default 60, 2..600)\n"
           "  --fragment-ms N        longest fragment (default 1000, 100..1000)\n"
           "  --sync-ms N            group-commit interval (default 1000, 100..2000)\n"
           "  --quota-mb N           keep recordings under N MB (oldest deleted first)\n"
           "  --min-free-mb N        keep N MB free on the recordings disk (default: 10 %% of\n"
           "                         the disk, at most 10 GiB; 0 = no floor)\n"
           "  --retention-seconds N  how often retention runs (default 10)\n"
           "  --read-timeout-ms N    a stream with no data this long is lost (default 5000)\n"
           "  --stats FILE           stats JSON rewritten every second (default DIR/stats.json)\n"
           "  --session-hours N      a console session ends N hours after sign-in, busy or\n"
           "                         not (default 12, 1..168)\n"
           "  --secure-cookie        mark the session cookie Secure (console behind HTTPS)\n"
           "  --trusted-proxy A[,B]  reverse proxies at these addresses may say the browser\n"
           "                         came over HTTPS (X-Forwarded-Proto: https → Secure)\n"
           "  --max-conn-per-ip N    console connections one client address may hold\n"
           "                         (default 32, 1..1024; 0 = no per-address limit,\n"
           "                         e.g. behind a reverse proxy)\n"
           "  --header-timeout-s N   close a connection whose request headers are not in\n"
           "                         N s after it opened or its last request ended\n"
           "                         (default 10, 1..300)\n"
           "  --body-timeout-s N     ... or whose request body is not in N s after its\n"
           "                         headers (default 30, 1..3600)\n");
}

static int take_lock(const char *dir)
{
    char *p = ww_asprintf("%s/serve.lock", dir);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    free(p);
    if (fd < 0) return -errno;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) { close(fd); return -EBUSY; }
    return fd;
}

/* One of serve's numeric options (the getopt value opt). */
struct num_opt {
    int opt;
    int64_t min, max, scale;
    int64_t *to;
    const char *bad; /* the usage line for a value out of range */
};

static const struct num_opt *num_opt_of(const struct num_opt *v, size_t n, int opt)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].opt == opt) return &v[i];
    return NULL;
}

/* The engine's consent question (engine_cfg.may), answered by the one rule
 * (community_may) as the station: recording and motion analysis need the
 * owner's recording consent in force at that moment. */
static int station_may(void *arg, catalog_t *cat, int64_t camera_id, bool analysis, int64_t when_us)
{
    (void)arg;
    struct community_answer ans;
    if (community_may(cat, &community_station, camera_id, analysis ? COMMUNITY_USE_ANALYSIS : COMMUNITY_USE_RECORD,
                      when_us, &ans))
        return -1;
    return ans.why == COMMUNITY_OK;
}

int cli_serve(struct cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, 0, 'l'}, {"no-http", no_argument, 0, 'H'},
        {"no-record", no_argument, 0, 'R'}, {"segment-seconds", required_argument, 0, 's'},
        {"fragment-ms", required_argument, 0, 'f'}, {"sync-ms", required_argument, 0, 'y'},
        {"quota-mb", required_argument, 0, 'q'}, {"min-free-mb", required_argument, 0, 'm'},
        {"retention-seconds", required_argument, 0, 'r'},
        {"read-timeout-ms", required_argument, 0, 't'}, {"stats", required_argument, 0, 'S'},
        {"session-hours", required_argument, 0, 'E'}, {"secure-cookie", no_argument, 0, 'C'},
        {"trusted-proxy", required_argument, 0, 'X'},
        {"max-conn-per-ip", required_argument, 0, 'P'},
        {"header-timeout-s", required_argument, 0, 'T'},
        {"body-timeout-s", required_argument, 0, 'B'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *listen = "127.0.0.1:8080", *stats = NULL;
    bool http = true;
    struct serve_http_opts web_opts = {0};
    struct engine_cfg cfg = {.data_dir = c->data_dir, .record = true,
                             .retention = {.min_free_bytes = REC_FLOOR_AUTO}, .may = station_may};
    /* The numeric options: a value in min..max, stored times scale. */
    const struct num_opt nums[] = {
        {'s', 2, 600, 1000000, &cfg.segment_us, "serve: --segment-seconds must be 2..600"},
        {'f', 100, 1000, 1000, &cfg.fragment_us, "serve: --fragment-ms must be 100..1000"},
        {'y', 100, 2000, 1000, &cfg.sync_interval_us, "serve: --sync-ms must be 100..2000"},
        {'q', 1, INT64_MAX / (1 << 20), 1 << 20,
         &cfg.retention.quota_bytes, "serve: --quota-mb must be a positive number"},
        {'m', 0, INT64_MAX / (1 << 20), 1 << 20,
         &cfg.retention.min_free_bytes, "serve: --min-free-mb must be 0 (off) or more"},
        {'r', 1, 86400, 1000000, &cfg.retention.interval_us, "serve: --retention-seconds must be 1..86400"},
        {'t', 500, 120000, 1000, &cfg.read_timeout_us, "serve: --read-timeout-ms must be 500..120000"},
        {'E', 1, 168, 3600LL * 1000000, &web_opts.session_max_us, "serve: --session-hours must be 1..168"},
        {'T', 1, 300, 1000000, &web_opts.header_timeout_us, "serve: --header-timeout-s must be 1..300"},
        {'B', 1, 3600, 1000000, &web_opts.body_timeout_us, "serve: --body-timeout-s must be 1..3600"},
    };
    int64_t v;
    int o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc, argv, ":h", opts, "serve")) != -1) {
        const struct num_opt *n = num_opt_of(nums, sizeof nums / sizeof *nums, o);
        if (n) {
            if (ww_parse_i64(optarg, n->min, n->max, &v)) return cli_usage("%s", n->bad);
            *n->to = v * n->scale;
            continue;
        }
        switch (o) {
        case 'l': listen = optarg; break;
        case 'H': http = false; break;
        case 'R': cfg.record = false; break;
        case 'S': stats = optarg; break;
        case 'C': web_opts.secure_cookie = true; break;
        case 'X':
            if (!*optarg || strlen(optarg) > 1000 || strchr(optarg, ' '))
                return cli_usage("serve: --trusted-proxy wants ADDR[,ADDR…] (the proxy's address as the station sees it)");
            web_opts.trusted_proxy = optarg;
            break;
        case 'P':
            if (ww_parse_i64(optarg, 0, 1024, &v)) return cli_usage("serve: --max-conn-per-ip must be 0..1024");
            web_opts.max_conn_per_ip = v ? (int)v : -1;
            break;
        case 'h': help(); return 0;
        default: return 2;
        }
    }
    if (optind < argc) return cli_usage("serve: unexpected argument '%s'", argv[optind]);
    if (http && !strchr(listen, ':')) return cli_usage("serve: --listen wants ADDR:PORT, not '%s'", listen);

    catalog_t *cat;
    int rc = cli_open(c, &cat);
    if (rc) return rc;
    int lock = take_lock(c->data_dir);
    if (lock < 0) {
        catalog_close(cat);
        cli_err("serve: %s", lock == -EBUSY ? "another wardwatch serve is already running on this data folder"
                                             : "cannot create the lock file");
        return 1;
    }
    struct rec_recover_report rep;
    if (rec_recover(c->data_dir, cat, &rep) == 0)
        ww_info("recover", "rows ok %d, extended %d, dropped %d; files indexed %d, removed %d; "
                "deletes finished %d", rep.rows_ok, rep.rows_extended, rep.rows_dropped,
                rep.files_indexed, rep.files_removed, rep.deletes_finished);
    else
        ww_error("recover", "recovery failed; continuing with the catalog as it is");
    catalog_close(cat);
    /* A data folder from before signed exports gets its key now (logged). */
    struct export_key key;
    bool key_created;
    if (export_key_ensure(c->data_dir, &key, &key_created) == 0 && !key_created)
        ww_info("sign", "station %s, signing key fingerprint %s", key.station_id, key.short_fpr);
    export_key_wipe(&key);

    char *stats_default = ww_asprintf("%s/stats.json", c->data_dir);
    cfg.stats_path = stats ? stats : stats_default;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    engine_t *eng = NULL;
    rc = engine_start(&cfg, &eng);
    if (rc) {
        cli_err("serve: cannot start recording: %s", ww_strerror(rc));
        free(stats_default);
        close(lock);
        return 1;
    }
    web_opts.retention = cfg.retention;
    struct serve_http *web = NULL;
    if (http && serve_http_start(c->data_dir, listen, &web_opts, eng, &web)) {
        cli_err("serve: cannot listen on %s", listen);
        engine_stop(eng);
        free(stats_default);
        close(lock);
        return 1;
    }
    struct community_monitor *mon = NULL;   /* camera-dark alerts + availability (community/) */
    community_monitor_start(c->data_dir, eng, &mon);
    ww_info("serve", "recording %s; data folder %s%s%s", cfg.record ? "on" : "off", c->data_dir,
            http ? "; console on http://" : "", http ? listen : "");
    int sig = 0;
    sigwait(&set, &sig);
    ww_info("serve", "signal %d: stopping", sig);
    serve_http_stop(web);
    community_monitor_stop(mon);
    engine_stop(eng);
    ww_info("serve", "stopped cleanly");
    free(stats_default);
    close(lock);
    return 0;
}
