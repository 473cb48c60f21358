/*
 * export.c — `wardwatch export --camera ID --from T --to T -o clip.mp4`:
 * one evidence MP4 plus clip.mp4.manifest.json, registered in the catalog.
 * A progress bar is drawn when stderr is a terminal.
 */
#include "cli/common.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export/export.h"

static void bar(void *opaque, double p)
{
    (void)opaque;
    int w = 40, filled = (int)(p * w + 0.5);
    fprintf(stderr, "\rexporting [%.*s%*s] %3d%%", filled, "########################################",
            w - filled, "", (int)(p * 100 + 0.5));
    if (p >= 1.0) fputc('\n', stderr);
    fflush(stderr);
}

int cli_export(struct cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"camera", required_argument, 0, 'c'}, {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'}, {"output", required_argument, 0, 'o'},
        {"stream", required_argument, 0, 's'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    int64_t cam = 0, from = -1, to = -1;
    const char *out = NULL, *stream = "main";
    bool quiet = false;
    int off = ww_station_offset_min();
    int o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc, argv, ":ho:", opts, "export")) != -1) {
        switch (o) {
        case 'c':
            if (ww_parse_i64(optarg, 1, INT64_MAX, &cam)) return cli_usage("export: --camera wants a camera id");
            break;
        case 'f':
            if (cli_opt_time("export", "--from", optarg, off, "", &from)) return 2;
            break;
        case 't':
            if (cli_opt_time("export", "--to", optarg, off, "", &to)) return 2;
            break;
        case 'o': out = optarg; break;
        case 's':
            if (strcmp(optarg, "main") && strcmp(optarg, "sub")) return cli_usage("export: --stream is main or sub");
            stream = optarg;
            break;
        case 'q': quiet = true; break;
        case 'h':
            printf("usage: wardwatch export --camera ID --from T --to T -o FILE.mp4 [--stream main|sub]\n\n"
                   "Writes one MP4 (remuxed, no transcoding, faststart) starting at the keyframe at\n"
                   "or before T, plus FILE.mp4.manifest.json (camera, owner, place, range in local\n"
                   "time and UTC, SHA-256, who exported it and when).  The export is registered\n"
                   "in the catalog.  Times: ISO 8601 (no offset = station time) or epoch seconds.\n");
            return 0;
        default: return 2;
        }
    }
    if (optind < argc) return cli_usage("export: unexpected argument '%s'", argv[optind]);
    if (!cam || from < 0 || to < 0 || !out) return cli_usage("export: --camera, --from, --to and -o are required");
    if (to <= from) return cli_usage("export: --to must be after --from");
    if (ww_span_over(from, to, 24LL * 3600 * 1000000)) return cli_usage("export: a range of at most 24 hours");
    catalog_t *cat;
    int rc = cli_open(c, &cat);
    if (rc) return rc;
    struct passwd *pw = getpwuid(getuid());
    char *who = ww_asprintf("cli:%s", pw ? pw->pw_name : "unknown");
    struct export_req q = {
        .data_dir = c->data_dir, .cat = cat, .camera_id = cam, .stream = stream, .from_us = from,
        .to_us = to, .out_path = out, .username = who,
        .progress = (!quiet && isatty(STDERR_FILENO)) ? bar : NULL,
    };
    struct export_result r;
    rc = export_clip(&q, &r);
    catalog_close(cat);
    free(who);
    if (rc) {
        if (rc == WW_ENOTFOUND) cli_err("export: camera %lld has no recordings between those times (or no such camera)", (long long)cam);
        else if (rc == WW_EPERM) cli_err("export: the owner's consent for camera %lld does not cover exports", (long long)cam);
        else cli_err("export: failed: %s", ww_strerror(rc));
        export_result_clear(&r);
        return 1;
    }
    printf("%s: %lld bytes, %lld frames, sha256 %s\nmanifest: %s\n", out, (long long)r.bytes,
           (long long)r.frames, r.sha256, r.manifest_path);
    export_result_clear(&r);
    return 0;
}
