/*
 * serve.c — `wardwatch serve`: recover, then record every enabled camera
 * and serve the console until SIGINT/SIGTERM; then close every file
 * cleanly, commit, and exit 0.
 *
 * Signals are blocked in every thread and taken with sigtimedwait() here,
 * so no library thread is ever interrupted by them; the loop wakes at least
 * once a second for serve_tick (the systemd watchdog ping).  SIGHUP re-reads
 * the config file (cli/config.h: cli_config_reload) and applies what can
 * change live.  A lock on DIR/serve.lock keeps two recorders off one data
 * folder.
 *
 * Under systemd (Type=notify) serve says READY=1 only once recording has
 * started and the console listens, so `systemctl start` returns when the
 * station really answers, and STOPPING=1 as soon as a stop signal arrives.
 *
 * The options are one table (cli_serve_init), shared with the config
 * file's [serve] section and `wardwatch config show`.
 */
#include "cli/common.h"
#include "cli/config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "engine/engine.h"
#include "export/export.h"
#include "record/record.h"
#include "cli/serve_http.h"
#include "community/community.h"
#include "relay/relay.h"
#include "catalog/cat_audit.h"
#include "catalog/cat_outbox.h"
#include "catalog/cat_ward_work.h"
#include "ward/ward.h"

static const char serve_help[] =
    "usage: wardwatch [--config FILE] [--data DIR] serve [options]\n\n"
    "Records every enabled camera and serves the web console until SIGINT/SIGTERM.\n"
    "Every option is also a key of the config file's [serve] section (a flag takes\n"
    "true/false); the command line wins over the file.  SIGHUP re-reads the file:\n"
    "log-level, quota-mb, min-free-mb and retention-seconds change at once, the\n"
    "others at the next start ('wardwatch config show' lists them).\n\n"
    "  --listen ADDR:PORT     console address (default 127.0.0.1:8080)\n"
    "  --no-http              record only, no console\n"
    "  --no-record            console and live view only, write no video\n"
    "  --segment-seconds N    longest segment (default 60, 2..600)\n"
    "  --fragment-ms N        longest fragment (default 1000, 100..1000)\n"
    "  --sync-ms N            group-commit interval (default 1000, 100..2000)\n"
    "  --quota-mb N           keep recordings under N MB (oldest deleted first)\n"
    "  --min-free-mb N        keep N MB free on the recordings disk (default: 10 % of\n"
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
    "                         headers (default 30, 1..3600)\n"
    "  --metrics-allow A[,B]  client addresses (ADDR or ADDR/PREFIX) that may read\n"
    "                         GET /metrics (default 127.0.0.1,::1)\n"
    "  --metrics-token-file F GET /metrics also answers \"Authorization: Bearer T\"\n"
    "                         with T the content of F (read at start, >= 16 chars)\n"
    "  --mqtt URL             the province broker mqtt://HOST:PORT (overrides the one\n"
    "                         `station join` stored; used only once joined)\n";


static int take_lock(const char *dir)
{
    char *p = ww_asprintf("%s/serve.lock", dir);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    free(p);
    if (fd < 0) return -errno;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) { close(fd); return -EBUSY; }
    return fd;
}

/* --trusted-proxy ADDR[,ADDR…]: checked here, parsed by http */
static int parse_proxies(const char *arg, void *out)
{
    if (!*arg || strlen(arg) > 1000 || strchr(arg, ' ')) return WW_EINVAL;
    *(const char **)out = arg;
    return 0;
}

/* --metrics-allow ADDR[/PREFIX][,…]: checked here, parsed again by serve_http */
static int parse_metrics_allow(const char *arg, void *out)
{
    struct api_metrics_access a = {0};
    if (api_metrics_allow_parse(arg, &a)) return WW_EINVAL;
    *(const char **)out = arg;
    return 0;
}

/* --max-conn-per-ip: 0 means no per-address limit, which the server spells -1 */
static int parse_conn_limit(const char *arg, void *out)
{
    int64_t v;
    if (ww_parse_i64(arg, 0, 1024, &v)) return WW_EINVAL;
    *(int *)out = v ? (int)v : -1;
    return 0;
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

/* --listen: ADDR:PORT (also in a config file, with --no-http or not) */
static int parse_listen(const char *arg, void *out)
{
    if (!strchr(arg, ':')) return WW_EINVAL;
    *(const char **)out = arg;
    return 0;
}

static const char *show_stats(const void *out, char *buf, size_t n)
{
    const char *s = *(const char *const *)out;
    snprintf(buf, n, "%s", s ? s : "DATA/stats.json");
    return buf;
}

static const char *show_text(const void *out, char *buf, size_t n)
{
    const char *s = *(const char *const *)out;
    snprintf(buf, n, "%s", s ? s : "");
    return buf;
}

static const char *show_metrics_allow(const void *out, char *buf, size_t n)
{
    const char *s = *(const char *const *)out;
    snprintf(buf, n, "%s", s ? s : "127.0.0.1,::1");
    return buf;
}

static const char *show_conn_limit(const void *out, char *buf, size_t n)
{
    int v = *(const int *)out;
    snprintf(buf, n, "%d", v < 0 ? 0 : v);
    return buf;
}

static const char *show_quota(const void *out, char *buf, size_t n)
{
    int64_t v = *(const int64_t *)out;
    if (v) snprintf(buf, n, "%lld", (long long)(v >> 20));
    else snprintf(buf, n, "none");
    return buf;
}

static const char *show_floor(const void *out, char *buf, size_t n)
{
    int64_t v = *(const int64_t *)out;
    if (v == REC_FLOOR_AUTO) snprintf(buf, n, "auto");
    else snprintf(buf, n, "%lld", (long long)(v >> 20));
    return buf;
}

/* serve's one option table (cli/config.h): the command line, the config
 * file's [serve] keys and `config show` all read it.  An option added here
 * is a file key at once.  The defaults are the real ones (what the engine
 * and the console would take for 0), so `config show` can say them. */
void cli_serve_init(struct cli_serve *sv, const char *data_dir)
{
    *sv = (struct cli_serve){
        .listen = "127.0.0.1:8080", .http = true,
        .eng = {.data_dir = data_dir, .record = true, .segment_us = 60000000, .fragment_us = 1000000,
                .sync_interval_us = 1000000, .read_timeout_us = 5000000,
                .retention = {.min_free_bytes = REC_FLOOR_AUTO, .interval_us = 10000000}, .may = station_may},
        .web = {.session_max_us = 12 * 3600LL * 1000000, .max_conn_per_ip = 32,
                .header_timeout_us = 10000000, .body_timeout_us = 30000000}};
    struct engine_cfg *cfg = &sv->eng;
    struct serve_http_opts *web_opts = &sv->web;
    const struct cli_opt opts[] = {
        {CLI_CALL("listen", &sv->listen, parse_listen, "--listen wants ADDR:PORT, not '%s'"), .show = show_text},
        {CLI_OFF("no-http", &sv->http)},
        {CLI_OFF("no-record", &cfg->record)},
        {CLI_I64_TIMES("segment-seconds", &cfg->segment_us, 2, 600, 1000000,
                       "--segment-seconds must be 2..600")},
        {CLI_I64_TIMES("fragment-ms", &cfg->fragment_us, 100, 1000, 1000, "--fragment-ms must be 100..1000")},
        {CLI_I64_TIMES("sync-ms", &cfg->sync_interval_us, 100, 2000, 1000, "--sync-ms must be 100..2000")},
        {CLI_I64_TIMES("quota-mb", &cfg->retention.quota_bytes, 1, INT64_MAX / (1 << 20), 1 << 20,
                       "--quota-mb must be a positive number"), .show = show_quota},
        {CLI_I64_TIMES("min-free-mb", &cfg->retention.min_free_bytes, 0, INT64_MAX / (1 << 20), 1 << 20,
                       "--min-free-mb must be 0 (off) or more"), .show = show_floor},
        {CLI_I64_TIMES("retention-seconds", &cfg->retention.interval_us, 1, 86400, 1000000,
                       "--retention-seconds must be 1..86400")},
        {CLI_I64_TIMES("read-timeout-ms", &cfg->read_timeout_us, 500, 120000, 1000,
                       "--read-timeout-ms must be 500..120000")},
        {CLI_STR("stats", &sv->stats), .show = show_stats},
        {CLI_I64_TIMES("session-hours", &web_opts->session_max_us, 1, 168, 3600LL * 1000000,
                       "--session-hours must be 1..168")},
        {CLI_FLAG("secure-cookie", &web_opts->secure_cookie)},
        {CLI_CALL("trusted-proxy", &web_opts->trusted_proxy, parse_proxies,
                  "--trusted-proxy wants ADDR[,ADDR…] (the proxy's address as the station sees it)"),
         .show = show_text},
        {CLI_CALL("max-conn-per-ip", &web_opts->max_conn_per_ip, parse_conn_limit,
                  "--max-conn-per-ip must be 0..1024"), .show = show_conn_limit},
        {CLI_I64_TIMES("header-timeout-s", &web_opts->header_timeout_us, 1, 300, 1000000,
                       "--header-timeout-s must be 1..300")},
        {CLI_I64_TIMES("body-timeout-s", &web_opts->body_timeout_us, 1, 3600, 1000000,
                       "--body-timeout-s must be 1..3600")},
        {CLI_CALL("metrics-allow", &web_opts->metrics_allow, parse_metrics_allow,
                  "--metrics-allow wants ADDR[,ADDR…] (IPv4 or IPv6, each may end in /PREFIX), not '%s'"),
         .show = show_metrics_allow},
        {CLI_STR("metrics-token-file", &web_opts->metrics_token_file)},
        {CLI_STR("mqtt", &sv->mqtt)},
        {.name = NULL}};
    sv->sec.name = "serve";
    static_assert(sizeof opts <= sizeof sv->sec.opts, "serve's table fits its section");
    memcpy(sv->sec.opts, opts, sizeof opts);
    cli_section_seal(&sv->sec);
    /* what SIGHUP applies without dropping a camera (engine_set_retention) */
    cli_section_live(&sv->sec, "quota-mb", sizeof cfg->retention.quota_bytes);
    cli_section_live(&sv->sec, "min-free-mb", sizeof cfg->retention.min_free_bytes);
    cli_section_live(&sv->sec, "retention-seconds", sizeof cfg->retention.interval_us);
}

/* SIGHUP: re-read the file; what changed and can change live is applied. */
static void reload(const struct cli_ctx *c, struct cli_serve *sv, engine_t *eng)
{
    const char *path = cli_ini_path(c->ini);
    if (!path) {
        ww_info("config", "SIGHUP: no config file to re-read (serve was started without --config)");
        return;
    }
    bool changed = false;
    if (cli_config_reload(path, c->station, sv, &changed) || !changed) return;
    ww_log_set_level((enum ww_log_level)c->station->log_level);
    engine_set_retention(eng, &sv->eng.retention);
}

/* The province's storage entity (used/held/free bytes), every 5 minutes
 * and only while joined (catalog_outbox_put checks): no table holds it. */
static void province_storage(const struct cli_ctx *c, const struct rec_retention_cfg *ret)
{
    catalog_t *cat;
    char *db = cli_db_path(c);
    int rc = catalog_open(db, 0, &cat);
    free(db);
    if (rc) return;
    struct rec_plan p;
    if (rec_plan_compute(cat, c->data_dir, ret, &p) == 0) {
        int64_t used = 0, held = 0;
        for (size_t i = 0; i < p.n; i++) {
            used += p.cams[i].bytes;
            held += p.cams[i].held_bytes;
        }
        char data[160];
        snprintf(data, sizeof data, "{\"used_bytes\":%lld,\"held_bytes\":%lld,\"free_bytes\":%lld}",
                 (long long)used, (long long)held, (long long)p.free_bytes);
        catalog_outbox_put(cat, "storage", "disk", data);
        rec_plan_clear(&p);
    }
    catalog_close(cat);
}

/* glibc gives a thread that finds the arenas busy a new one, up to 8 per
 * core, and each arena keeps the memory its threads freed for itself.  With
 * one ingest thread per stream, 32 streams spread over 16 arenas, each
 * holding its own share of freed GOPs and fragment buffers: about 1.2 MB
 * per stream resident for nothing (bench/record.py: RSS 4.9 → 3.7 MB per
 * stream with 2).  An ingest thread mallocs a few times per frame, so two
 * arenas are not a point of contention.  Before any thread starts, as
 * M_ARENA_MAX only limits arenas made after it. */
static void serve_limit_arenas(void)
{
    int64_t n = ww_env_int("WARDWATCH_MALLOC_ARENAS");
    if (n > 0 && !mallopt(M_ARENA_MAX, (int)n)) ww_warn("serve", "cannot limit malloc arenas to %lld", (long long)n);
}

/* Even with two arenas, freed memory stays resident until it is reused:
 * every keyframe lets a GOP go (the hub's cache), every fragment its
 * buffer (the MP4 muxer's), and the pieces left between what still lives
 * are rarely reused whole.  malloc_trim hands the whole free pages inside
 * them back (bench/record.py, 32 streams, two runs each: RSS per stream
 * 4.09 / 4.59 MB without, 3.25 / 2.52 MB with it every 5 s).  Not more often:
 * every page handed back and used again costs a page fault; at 5 s that
 * is 1,200–2,500 faults/s for 32 streams (at 10 s one run gave 3.59 MB).
 * It runs here on the main thread, not on an ingest thread; while it walks
 * an arena, an ingest thread that mallocs from it waits (how long is not
 * measured; the stream's socket buffer holds seconds of video). */
static void serve_trim(int64_t now)
{
    static int64_t next_trim;
    int64_t every_s = ww_env_int("WARDWATCH_MALLOC_TRIM_S");
    if (!every_s || now < next_trim) return;
    next_trim = now + every_s * 1000000;
    malloc_trim(0);
}

/* Once a second from the wait loop: what a running station does on a
 * clock: the watchdog ping (the main thread still runs its loop; the
 * engine's own threads report through stats.json) and the province's
 * storage row every 5 minutes, and the malloc trim. */
static void serve_tick(const struct cli_ctx *c, const struct rec_retention_cfg *ret)
{
    static int64_t next_storage;
    ww_svc_watchdog();
    int64_t now = ww_mono_us();
    serve_trim(now);
    if (now < next_storage) return;
    next_storage = now + 300LL * 1000000;
    province_storage(c, ret);
}

/* The province's review of a criterion, written back by the hub (relay.h):
 * an assessment with side "review", its assessor "province:<reviewer>",
 * and an audit row like the console's "assess" one naming the reviewer. */
static int apply_review(void *ud, catalog_t *cat, const struct relay_review *rv, int64_t *id, char **why)
{
    (void)ud;
    char *assessor = ww_asprintf("province:%s", rv->reviewer);
    struct ward_assess_in in = {.ward_id = rv->ward_id, .year = rv->year, .criterion_num = rv->criterion,
                                .side = CATALOG_SIDE_REVIEW, .result = catalog_result_parse(rv->result),
                                .notes = rv->notes, .assessor = assessor,
                                .assessed_on = rv->assessed_on[0] ? rv->assessed_on : NULL};
    int rc = ward_assess(cat, &in, ww_station_offset_min(), id, why);
    if (!rc) {
        json_t *d = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s}", "change", "assess", "via", "province_review",
                              "review_id", rv->review_id, "ward_id", (json_int_t)rv->ward_id, "year",
                              (json_int_t)rv->year, "criterion", (json_int_t)rv->criterion, "side", "review",
                              "result", rv->result);
        char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
        json_decref(d);
        struct catalog_audit a = {.username = assessor, .action = "criteria_change", .detail = detail};
        if (catalog_audit_append(cat, &a))
            ww_error("serve", "review %s applied but its audit row could not be written", rv->review_id);
        free(detail);
    }
    free(assessor);
    return rc;
}

int cli_serve(struct cli_ctx *c, int argc, char **argv)
{
    struct cli_serve sv;
    cli_serve_init(&sv, c->data_dir);
    cli_section_apply_file(&sv.sec, c->ini);
    cli_section_apply_env(&sv.sec);
    int rc = cli_section_flags(&sv.sec, argc, argv, "serve", serve_help, NULL);
    if (rc >= 0) return rc;
    const char *listen = sv.listen, *stats = sv.stats;
    bool http = sv.http;
    struct engine_cfg cfg = sv.eng;
    struct serve_http_opts web_opts = sv.web;
    if (http && !strchr(listen, ':')) return cli_usage("serve: --listen wants ADDR:PORT, not '%s'", listen);
    if (http && web_opts.metrics_token_file) { /* said now, before any camera starts */
        struct api_metrics_access probe = {0};
        const char *why;
        int trc = api_metrics_token_load(web_opts.metrics_token_file, &probe, &why);
        sodium_memzero(&probe, sizeof probe);
        if (trc) {
            cli_err("serve: --metrics-token-file %s: %s", web_opts.metrics_token_file,
                    trc == WW_EINVAL ? why : ww_strerror(trc));
            return 1;
        }
    }
    /* A reload asked for while recovery runs waits for the signal loop
     * rather than ending the process (SIGHUP's default action). */
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &hup, NULL);

    catalog_t *cat;
    if ((rc = cli_open(c, &cat))) return rc;
    int lock = take_lock(c->data_dir);
    if (lock < 0) {
        catalog_close(cat);
        cli_err("serve: %s", lock == -EBUSY ? "another wardwatch serve is already running on this data folder"
                                             : "cannot create the lock file");
        return 1;
    }
    ww_svc_status("recovering %s", c->data_dir);
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
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    serve_limit_arenas();
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
    /* the province publisher: idle until the station is joined (polls the setting) */
    struct relay *relay = NULL;
    char *db_path = cli_db_path(c);
    if (relay_start(db_path, sv.mqtt, &relay)) ww_error("serve", "cannot start the province publisher");
    else relay_set_review_handler(relay, apply_review, NULL);
    free(db_path);
    ww_info("serve", "recording %s; data folder %s%s%s", cfg.record ? "on" : "off", c->data_dir,
            http ? "; console on http://" : "", http ? listen : "");
    ww_svc_ready("recording %s; console %s%s", cfg.record ? "on" : "off", http ? "on http://" : "off",
                 http ? listen : "");
    /* The signal loop wakes at least once a second whatever arrives. */
    int sig = 0;
    for (;;) {
        serve_tick(c, &sv.eng.retention);
        const struct timespec tick = {.tv_sec = 1};
        sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGHUP) reload(c, &sv, eng);
        else if (sig == SIGINT || sig == SIGTERM) break;
        /* < 0: EAGAIN (the second passed) or EINTR */
    }
    ww_svc_stopping("stopping (signal %d)", sig);
    ww_info("serve", "signal %d: stopping", sig);
    serve_http_stop(web);
    relay_stop(relay);
    community_monitor_stop(mon);
    engine_stop(eng);
    ww_info("serve", "stopped cleanly");
    free(stats_default);
    close(lock);
    return 0;
}
