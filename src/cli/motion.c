/*
 * motion.c — `wardwatch motion scan | events` and one hidden sub-verb used
 * by the tests:
 *
 *   scan FILE        the live detector run over a video file; prints events
 *   events           stored events from the catalog, newest first, paged
 *   gen-events       (hidden) fills the catalog with synthetic events so the
 *                    query speed test has a realistic volume to work on
 *
 * The CPU benchmark of decoder + detector is its own program,
 * bench/motion_scan.c (ww-bench-motion), not a verb.
 *
 * Exit codes as cli.h says: 0 ok, 1 the operation failed, 2 bad usage.
 * FFmpeg's own log is silenced here unless --log-level debug: a scan of a
 * broken file must print one line, not a page of decoder complaints.
 */
#include "cli/common.h"

#include <jansson.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/cat_events.h"
#include "motion/motion.h"

/* ---- scan --------------------------------------------------------------- */

struct scan_out {
    json_t *events;       /* array */
    const char *thumbs;   /* folder for event-N.jpg, or NULL */
    int thumb_errors;
};

static void scan_cb(void *opaque, int what, const struct motion_event *ev, const uint8_t *jpeg,
                    size_t jpeg_len)
{
    struct scan_out *so = opaque;
    if (what != MOTION_CB_CLOSED) return;
    if (so->thumbs) {
        char *p = ww_asprintf("%s/event-%zu.jpg", so->thumbs, json_array_size(so->events) + 1);
        FILE *f = jpeg ? fopen(p, "wb") : NULL;
        if (!f || fwrite(jpeg, 1, jpeg_len, f) != jpeg_len) so->thumb_errors++;
        if (f && fclose(f) != 0) so->thumb_errors++;
        free(p);
    }
    json_array_append_new(so->events,
                          json_pack("{s:f, s:f, s:f, s:f, s:s}", "start",
                                    ev->motion_start_us / 1e6, "end", ev->motion_end_us / 1e6,
                                    "peak", ev->peak_us / 1e6, "score", ev->peak_score, "zone",
                                    ev->zone));
}

static void scan_help(void)
{
    printf("usage: wardwatch motion scan FILE [--zones ZONES.json] [--sensitivity N]\n"
           "         [--min-area PCT] [--rate FPS] [--keyframes-only] [--thumbnails DIR]\n"
           "         [--json]\n\n"
           "Runs the live motion detector over a video file and prints its events:\n"
           "start and end of the motion and the time of its peak, in seconds from\n"
           "the start of the file, and the zone where it peaked.\n\n"
           "  --zones F          {\"zones\":[{\"name\":\"gate\",\"kind\":\"include\"|\"mask\",\n"
           "                     \"points\":[[x,y],...]}]} with x, y in 0..1\n");
    for (const struct motion_option *o = motion_options; o->name; o++) {
        if (strcmp(o->name, "sensitivity") && strcmp(o->name, "min_area") &&
            strcmp(o->name, "rate"))
            continue;
        char flag[32];
        snprintf(flag, sizeof flag, "--%s", o->name);
        for (char *p = flag; *p; p++)
            if (*p == '_') *p = '-';
        printf("  %-18s %s (default %g, %g..%g)\n", flag, o->help, o->def, o->min, o->max);
    }
    printf("  --keyframes-only   decode keyframes only (fast; times coarse to one GOP)\n"
           "  --thumbnails DIR   write each event's peak frame as DIR/event-N.jpg\n"
           "  --json             {\"events\":[{\"start\":S,\"end\":S,\"peak\":S,\"zone\":\"...\"}]}\n");
}

static int load_zones(const char *path, struct motion_zones *z)
{
    char *text = NULL, *err = NULL;
    size_t len = 0;
    int rc = ww_read_file(path, 1 << 20, &text, &len);
    if (rc) return cli_usage("motion scan: cannot read zones file %s: %s", path, ww_strerror(rc));
    rc = motion_zones_parse(text, z, &err);
    free(text);
    if (rc) {
        rc = cli_usage("motion scan: %s: %s", path, err ? err : "invalid zones");
        free(err);
        return rc;
    }
    return 0;
}

static int motion_scan(struct cli_ctx *c, int argc, char **argv)
{
    (void)c;
    static const struct option opts[] = {
        {"zones", required_argument, 0, 'z'},      {"sensitivity", required_argument, 0, 's'},
        {"min-area", required_argument, 0, 'a'},   {"rate", required_argument, 0, 'r'},
        {"keyframes-only", no_argument, 0, 'k'},   {"json", no_argument, 0, 'j'},
        {"thumbnails", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct motion_config cfg;
    motion_config_default(&cfg);
    struct motion_zones zones = {0};
    bool json = false, have_zones = false;
    const char *thumbs = NULL;
    cli_getopt_reset();
    int o;
    while ((o = cli_getopt(argc, argv, ":h", opts, "motion scan")) != -1) {
        const char *name = NULL;
        switch (o) {
        case 'h': scan_help(); return 0;
        case 'z': {
            int rc = load_zones(optarg, &zones);
            if (rc) return rc;
            have_zones = true;
            break;
        }
        case 's': name = "sensitivity"; break;
        case 'a': name = "min_area"; break;
        case 'r': name = "rate"; break;
        case 'k': cfg.keyframes_only = true; break;
        case 'j': json = true; break;
        case 't': thumbs = optarg; break;
        default: return 2;
        }
        if (name && motion_config_set(&cfg, name, optarg))
            return cli_usage("motion scan: bad --%s '%s' (see --help for the range)",
                             argv[optind - 1][1] == '-' ? argv[optind - 1] + 2 : name, optarg);
    }
    if (optind >= argc) return cli_usage("motion scan: no FILE given (see --help)");
    if (optind + 1 < argc) return cli_usage("motion scan: unexpected argument '%s'", argv[optind + 1]);
    const char *path = argv[optind];
    if (access(path, R_OK) != 0) {
        cli_err("motion scan: cannot read %s: %s", path, strerror(errno));
        return 1;
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        cli_err("motion scan: %s is a directory", path);
        return 1;
    }
    /* Cut encoding (unlike tests' clips) has unreferenced frames the
     * decoder complains about; those lines are noise for a user. */
    av_log_set_level(AV_LOG_QUIET);

    if (thumbs) {
        int mrc = ww_mkdirs(thumbs, 0750);
        if (mrc) {
            cli_err("motion scan: cannot create %s: %s", thumbs, ww_strerror(mrc));
            return 1;
        }
    }
    struct scan_out so = {.events = json_array(), .thumbs = thumbs};
    struct motion_scan_stats stats;
    char *err = NULL;
    int rc = motion_scan_file(path, &cfg, have_zones ? &zones : NULL, thumbs != NULL, scan_cb, &so,
                              &stats, &err);
    if (rc) {
        cli_err("motion scan: %s", err ? err : ww_strerror(rc));
        free(err);
        json_decref(so.events);
        return 1;
    }
    if (so.thumb_errors) {
        cli_err("motion scan: %d thumbnail(s) could not be written to %s", so.thumb_errors, thumbs);
        json_decref(so.events);
        return 1;
    }
    if (json) {
        /* Exactly the documented keys: drop the score the table shows. */
        size_t i;
        json_t *e;
        json_array_foreach(so.events, i, e) json_object_del(e, "score");
        json_t *root = json_pack("{s:O}", "events", so.events);
        cli_print_json(root, JSON_COMPACT | JSON_REAL_PRECISION(6));
    } else {
        printf("%s: %dx%d, %.1f s, %lld frames analysed, %zu event%s\n", path, stats.width,
               stats.height, stats.duration_us / 1e6, (long long)stats.frames_analysed,
               json_array_size(so.events), json_array_size(so.events) == 1 ? "" : "s");
        if (json_array_size(so.events)) printf("%4s %9s %9s %9s %6s  %s\n", "#", "start", "end",
                                               "peak", "score", "zone");
        size_t i;
        json_t *e;
        json_array_foreach(so.events, i, e)
            printf("%4zu %9.2f %9.2f %9.2f %5.1f%%  %s\n", i + 1,
                   json_real_value(json_object_get(e, "start")),
                   json_real_value(json_object_get(e, "end")),
                   json_real_value(json_object_get(e, "peak")),
                   100 * json_real_value(json_object_get(e, "score")),
                   json_string_value(json_object_get(e, "zone")));
    }
    json_decref(so.events);
    return 0;
}

/* ---- events ------------------------------------------------------------- */

static const char events_help[] =
    "usage: wardwatch motion events [--camera ID[,ID...]] [--zone NAME]\n"
    "         [--from TIME] [--to TIME] [--min-score S] [--limit N]\n"
    "         [--offset N | --before START_US:ID] [--json]\n\n"
    "Lists stored motion events, newest first.  TIME is ISO 8601 (station time\n"
    "without an offset) or seconds since the epoch.  --before takes the 'next'\n"
    "cursor printed with the previous page.  --json also reports the query time.\n";


static int parse_ids(const char *s, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    char *copy = ww_strdup(s), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int64_t id;
        if (*n >= CATALOG_EVENT_MAX_FILTER_CAMERAS || ww_parse_i64(tok, 1, INT64_MAX, &id)) {
            rc = WW_EINVAL;
            break;
        }
        *ids = ww_realloc(*ids, (*n + 1) * sizeof **ids);
        (*ids)[(*n)++] = id;
    }
    free(copy);
    if (!rc && !*n) rc = WW_EINVAL;
    if (rc) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

/* --camera ID[,ID...]; a later --camera replaces an earlier one */
struct id_list {
    int64_t *ids;
    size_t n;
};
static int parse_cameras(const char *arg, void *out)
{
    struct id_list *l = out;
    free(l->ids);
    return parse_ids(arg, &l->ids, &l->n);
}

/* --before START_US:ID, the cursor a previous page printed */
static int parse_before(const char *arg, void *out)
{
    struct catalog_event_filter *f = out;
    long long s, id;
    char tail;
    if (sscanf(arg, "%lld:%lld%c", &s, &id, &tail) != 2 || id < 0) return WW_EINVAL;
    f->before_start_us = s;
    f->before_id = id;
    return 0;
}

static int motion_events(struct cli_ctx *c, int argc, char **argv)
{
    struct catalog_event_filter f = {0};
    struct id_list cams = {0};
    bool json = false;
    const struct cli_opt opts[] = {
        {CLI_CALL("camera", &cams, parse_cameras, "bad --camera '%s'")},
        {CLI_STR("zone", &f.zone)},
        {CLI_CALL("from", &f.from_us, cli_parse_time, "bad --from '%s'")},
        {CLI_CALL("to", &f.to_us, cli_parse_time, "bad --to '%s'")},
        {CLI_SIZE("limit", &f.limit, 1, 1000, "bad --limit '%s' (1..1000)")},
        {CLI_SIZE("offset", &f.offset, 0, 100000000, "bad --offset '%s'")},
        {CLI_CALL("before", &f, parse_before, "bad --before '%s' (START_US:ID)")},
        {CLI_DBL("min-score", &f.min_score, 0, 1, "bad --min-score '%s' (0..1)")},
        {CLI_FLAG("json", &json)},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "motion events", opts, events_help, 0);
    if (rc < 0 && f.from_us && f.to_us && f.to_us < f.from_us)
        rc = cli_usage("motion events: --to is before --from");
    if (rc >= 0) {
        free(cams.ids);
        return rc;
    }
    f.camera_ids = cams.ids;
    f.n_cameras = cams.n;
    int off = ww_station_offset_min();
    catalog_t *cat = NULL;
    rc = cli_open(c, &cat);
    if (rc) {
        free(cams.ids);
        return rc;
    }
    struct catalog_event *v = NULL;
    size_t n = 0;
    int64_t t0 = ww_mono_us();
    int qrc = catalog_event_query(cat, &f, &v, &n);
    int64_t t1 = ww_mono_us();
    if (qrc) {
        cli_err("motion events: query failed: %s", ww_strerror(qrc));
        rc = 1;
    } else if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:s, s:b}",
                                                 "id", (json_int_t)v[i].id, "camera_id",
                                                 (json_int_t)v[i].camera_id, "stream_id",
                                                 (json_int_t)v[i].stream_id, "start_us",
                                                 (json_int_t)v[i].start_us, "end_us",
                                                 (json_int_t)v[i].end_us, "peak_us",
                                                 (json_int_t)v[i].peak_us, "peak_score",
                                                 v[i].peak_score, "zone", v[i].zone,
                                                 "thumbnail", v[i].has_thumbnail));
        json_t *root = json_pack("{s:o, s:f}", "events", arr, "query_ms", (t1 - t0) / 1000.0);
        if (n) {
            char *next = ww_asprintf("%lld:%lld", (long long)v[n - 1].start_us, (long long)v[n - 1].id);
            json_object_set_new(root, "next", json_string(next));
            free(next);
        } else {
            json_object_set_new(root, "next", json_null());
        }
        cli_print_json(root, JSON_COMPACT);
    } else {
        printf("%8s %6s  %-25s %8s %6s  %s\n", "id", "camera", "start", "length", "score", "zone");
        for (size_t i = 0; i < n; i++) {
            char tb[40];
            printf("%8lld %6lld  %-25s %7.1fs %5.1f%%  %s\n", (long long)v[i].id,
                   (long long)v[i].camera_id, ww_fmt_time(v[i].start_us, off, tb, sizeof tb),
                   (v[i].end_us - v[i].start_us) / 1e6, 100 * v[i].peak_score, v[i].zone);
        }
        if (n) printf("(%zu shown; next page: --before %lld:%lld)\n", n,
                      (long long)v[n - 1].start_us, (long long)v[n - 1].id);
    }
    catalog_event_list_free(v, n);
    catalog_close(cat);
    free(cams.ids);
    return rc;
}

/* ---- gen-events (hidden) ------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: deterministic, seedable, good enough for test data. */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static const char motion_gen_events_help[] =
    "usage: wardwatch [--data DIR] motion gen-events [--cameras N] [--days D]\n"
    "         [--per-day N] [--seed S] [--end TIME]\n\n"
    "Test data: adds cameras named gen-N as needed and N synthetic motion\n"
    "events per camera per day over the D days before --end (default now).\n";

static int motion_gen_events(struct cli_ctx *c, int argc, char **argv)
{
    int64_t ncam = 10, days = 7, per_day = 20, seed = 1, end_us = 0;
    static const char bad[] = "bad value '%s' (see --help)";
    const struct cli_opt opts[] = {
        {CLI_I64("cameras", &ncam, 1, 100000, bad)},
        {CLI_I64("days", &days, 1, 3650, bad)},
        {CLI_I64("per-day", &per_day, 0, 10000, bad)},
        {CLI_I64("seed", &seed, 1, INT64_MAX, bad)},
        {CLI_CALL("end", &end_us, cli_parse_time, bad)},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "motion gen-events", opts, motion_gen_events_help, 0);
    if (rc >= 0) return rc;
    if (!end_us) end_us = ww_wall_us();

    /* A new folder is created as `init` would, minus the admin: test data
     * may go into a throw-away folder. */
    char *db = cli_db_path(c);
    catalog_t *cat = NULL;
    rc = ww_mkdirs(c->data_dir, 0750);
    if (!rc) rc = catalog_open(db, CATALOG_CREATE, &cat);
    if (rc == WW_ENEWER) {
        rc = cli_refuse_newer(db);
        free(db);
        return rc;
    }
    if (rc) {
        cli_err("motion gen-events: cannot open the catalog %s: %s", db, ww_strerror(rc));
        free(db);
        return 1;
    }
    free(db);

    /* Cameras gen-1..gen-N, reusing those already there. */
    struct catalog_camera *cams = NULL;
    size_t have = 0;
    int64_t *cam_ids = ww_calloc((size_t)ncam, sizeof *cam_ids);
    int64_t found = 0;
    if (catalog_camera_list(cat, &cams, &have) == 0)
        for (size_t i = 0; i < have && found < ncam; i++)
            if (cams[i].name && ww_str_starts(cams[i].name, "gen-")) cam_ids[found++] = cams[i].id;
    catalog_camera_list_free(cams, have);
    rc = catalog_begin(cat);
    for (int64_t i = found; !rc && i < ncam; i++) {
        char name[32], url[64];
        snprintf(name, sizeof name, "gen-%lld", (long long)i + 1);
        snprintf(url, sizeof url, "rtsp://127.0.0.1:8554/gen%lld", (long long)i + 1);
        struct catalog_camera cam = {.name = name, .main_url = url, .transport = "tcp",
                                 .enabled = false, .retention_days = 30, .direction_deg = -1};
        rc = catalog_camera_add(cat, &cam);
        cam_ids[i] = cam.id;
    }
    if (!rc) rc = catalog_commit(cat);
    if (rc) {
        catalog_rollback(cat);
        cli_err("motion gen-events: cannot add cameras: %s", ww_strerror(rc));
        free(cam_ids);
        catalog_close(cat);
        return 1;
    }

    /* Events: per camera and day, per_day starts spread over the day, 2..120 s
     * long, in one of a few zones.  One transaction per camera-day batch. */
    static const char *zones[] = {"all", "gate", "street", "yard", "door"};
    uint64_t s = (uint64_t)seed * 0x9E3779B97F4A7C15ULL | 1;
    const int64_t day = 86400LL * 1000000;
    int64_t start = end_us - days * day, total = 0;
    struct catalog_event *batch = ww_calloc((size_t)(per_day ? per_day : 1) * 8, sizeof *batch);
    int64_t t0 = ww_mono_us();
    rc = catalog_begin(cat);
    for (int64_t ci = 0; !rc && ci < ncam; ci++) {
        for (int64_t d = 0; !rc && d < days; d++) {
            for (int64_t k = 0; k < per_day; k++) {
                struct catalog_event *e = &batch[k];
                memset(e, 0, sizeof *e);
                e->camera_id = cam_ids[ci];
                e->start_us = start + d * day + (int64_t)(rng_next(&s) % (uint64_t)day);
                int64_t len = 2000000 + (int64_t)(rng_next(&s) % 118000000);
                e->end_us = e->start_us + len;
                e->peak_us = e->start_us + (int64_t)(rng_next(&s) % (uint64_t)len);
                e->peak_score = (double)(rng_next(&s) % 1000) / 1000.0;
                e->zone = (char *)zones[rng_next(&s) % 5];
            }
            rc = catalog_event_add_batch(cat, batch, (size_t)per_day);
            total += per_day;
        }
        /* Commit every 50 cameras so the WAL stays a sensible size. */
        if (!rc && ci % 50 == 49) {
            rc = catalog_commit(cat);
            if (!rc) rc = catalog_begin(cat);
        }
    }
    if (!rc) rc = catalog_commit(cat);
    else catalog_rollback(cat);
    for (int64_t k = 0; k < per_day; k++) batch[k].zone = NULL; /* static strings */
    free(batch);
    free(cam_ids);
    catalog_close(cat);
    if (rc) {
        cli_err("motion gen-events: insert failed: %s", ww_strerror(rc));
        return 1;
    }
    printf("{\"cameras\":%lld,\"events\":%lld,\"seconds\":%.2f}\n", (long long)ncam,
           (long long)total, (ww_mono_us() - t0) / 1e6);
    return 0;
}

/* ---- dispatch ----------------------------------------------------------- */

static void motion_help(FILE *f)
{
    fprintf(f, "usage: wardwatch motion scan FILE [options]   find motion in a video file\n"
               "       wardwatch motion events [options]      list stored motion events\n\n"
               "'wardwatch motion SUBVERB --help' describes each.\n");
}

int cli_motion(struct cli_ctx *c, int argc, char **argv)
{
    if (argc < 2) {
        motion_help(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        motion_help(stdout);
        return 0;
    }
    if (!strcmp(sub, "scan")) return motion_scan(c, argc - 1, argv + 1);
    if (!strcmp(sub, "events")) return motion_events(c, argc - 1, argv + 1);
    if (!strcmp(sub, "gen-events")) return motion_gen_events(c, argc - 1, argv + 1);
    return cli_usage("motion: unknown sub-verb '%s' (see 'wardwatch motion --help')", sub);
}
