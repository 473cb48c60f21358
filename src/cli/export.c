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

static const char export_help[] =
    "usage: wardwatch export --camera ID --from T --to T -o FILE.mp4 [--stream main|sub]\n\n"
    "Writes one MP4 (remuxed, no transcoding, faststart) starting at the keyframe at\n"
    "or before T, plus FILE.mp4.manifest.json (camera, owner, place, range in local\n"
    "time and UTC, SHA-256, who exported it and when).  The export is registered\n"
    "in the catalog.  Times: ISO 8601 (no offset = station time) or epoch seconds.\n";

int cli_export(struct cli_ctx *c, int argc, char **argv)
{
    int64_t cam = 0, from = -1, to = -1;
    const char *out = NULL, *stream = "main";
    bool quiet = false;
    const struct cli_opt opts[] = {
        {CLI_I64("camera", &cam, 1, INT64_MAX, "--camera wants a camera id")},
        {CLI_TIME("from", &from, "")},
        {CLI_TIME("to", &to, "")},
        {CLI_STR("output", &out), .letter = 'o'},
        {CLI_CALL("stream", &stream, cli_parse_stream, "--stream is main or sub")},
        {CLI_FLAG("quiet", &quiet)},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "export", opts, export_help, 0);
    if (rc >= 0) return rc;
    if (!cam || from < 0 || to < 0 || !out) return cli_usage("export: --camera, --from, --to and -o are required");
    if (to <= from) return cli_usage("export: --to must be after --from");
    if (ww_span_over(from, to, 24LL * 3600 * 1000000)) return cli_usage("export: a range of at most 24 hours");
    catalog_t *cat;
    if ((rc = cli_open(c, &cat))) return rc;
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
