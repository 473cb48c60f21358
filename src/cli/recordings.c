/*
 * recordings.c — `wardwatch recordings --camera ID [--from T] [--to T]
 * [--stream main|sub] [--json]`: a camera's segments and gaps.
 *
 * A gap is any hole between two segments longer than GAP_MIN_US, its reason
 * from the recorder's gap rows when one overlaps (camera offline, disk
 * full…), else "unknown" (e.g. the recorder itself was not running), and
 * any gap row before the first segment or after the last
 * (catalog_gap_holes).
 */
#include "cli/common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAP_MIN_US 500000

int cli_recordings(struct cli_ctx *c, int argc, char **argv)
{
    int64_t cam = 0, from = 0, to = INT64_MAX / 2;
    const char *kind = "main";
    bool json = false;
    int off = ww_station_offset_min();
    const struct cli_opt opts[] = {
        {CLI_I64("camera", &cam, 1, INT64_MAX, "--camera wants a camera id, not '%s'")},
        {CLI_TIME("from", &from, " (ISO 8601, e.g. 2026-11-25T08:00:00+07:00)")},
        {CLI_TIME("to", &to, " (ISO 8601, e.g. 2026-11-25T09:00:00+07:00)")},
        {CLI_CALL("stream", &kind, cli_parse_stream, "--stream is main or sub")},
        {CLI_FLAG("json", &json)},
        {.name = NULL}};
    /* the help names the station's offset */
    char *help = ww_asprintf("usage: wardwatch recordings --camera ID [--from T] [--to T]"
                             " [--stream main|sub] [--json]\n\n"
                             "Lists a camera's recorded segments and the gaps between them.  Times are\n"
                             "ISO 8601 (no offset = station time, UTC%+d:%02d) or seconds since 1970.\n",
                             off / 60, abs(off) % 60);
    int rc = cli_opts(argc, argv, "recordings", opts, help, 0);
    free(help);
    if (rc >= 0) return rc;
    if (!cam) return cli_usage("recordings: --camera ID is required");
    if (to <= from) return cli_usage("recordings: --to must be after --from");

    catalog_t *cat;
    struct catalog_camera cc;
    rc = cli_open_camera(c, "recordings", cam, &cat, &cc);
    if (rc) return rc;
    catalog_camera_clear(&cc);
    int64_t sid = 0;
    struct catalog_segment *v = NULL;
    struct catalog_gap *g = NULL;
    size_t n = 0, ng = 0;
    if (catalog_stream_find(cat, cam, kind, &sid) == 0) {
        catalog_segment_range(cat, sid, from, to, &v, &n);
        catalog_gap_range(cat, sid, from, to, &g, &ng);
    }
    char a[48], b[48];
    json_t *segs = json_array(), *gaps = json_array();
    int64_t covered = 0;
    for (size_t i = 0; i < n; i++) {
        covered += v[i].end_us - v[i].start_us;
        json_array_append_new(segs, json_pack("{s:s,s:s,s:I,s:I,s:s,s:I,s:I,s:s?}",
            "start", ww_fmt_time(v[i].start_us, off, a, sizeof a),
            "end", ww_fmt_time(v[i].end_us, off, b, sizeof b),
            "start_us", (json_int_t)v[i].start_us, "end_us", (json_int_t)v[i].end_us,
            "path", v[i].path, "frames", (json_int_t)v[i].frames, "bytes", (json_int_t)v[i].bytes,
            "codec", v[i].codec));
    }
    struct catalog_gap *h = NULL;
    size_t nh = 0;
    catalog_gap_holes(v, n, g, ng, GAP_MIN_US, &h, &nh);
    for (size_t i = 0; i < nh; i++)
        json_array_append_new(gaps, json_pack("{s:s,s:s,s:I,s:I,s:f,s:s}",
            "start", ww_fmt_time(h[i].start_us, off, a, sizeof a), "end", ww_fmt_time(h[i].end_us, off, b, sizeof b),
            "start_us", (json_int_t)h[i].start_us, "end_us", (json_int_t)h[i].end_us,
            "seconds", (double)(h[i].end_us - h[i].start_us) / 1e6,
            "reason", h[i].reason ? h[i].reason : "unknown (recorder not running?)"));
    catalog_gap_list_free(h, nh);
    if (json) {
        json_t *root = json_pack("{s:I,s:s,s:o,s:o,s:f}", "camera", (json_int_t)cam, "stream", kind,
                                 "segments", segs, "gaps", gaps, "recorded_seconds", (double)covered / 1e6);
        cli_print_json(root, JSON_INDENT(2));
    } else {
        printf("%-29s  %-29s  %7s  %10s  %s\n", "START", "END", "FRAMES", "BYTES", "PATH");
        for (size_t i = 0; i < json_array_size(segs); i++) {
            json_t *s = json_array_get(segs, i);
            printf("%-29s  %-29s  %7lld  %10lld  %s\n", json_string_value(json_object_get(s, "start")),
                   json_string_value(json_object_get(s, "end")),
                   (long long)json_integer_value(json_object_get(s, "frames")),
                   (long long)json_integer_value(json_object_get(s, "bytes")),
                   json_string_value(json_object_get(s, "path")));
        }
        for (size_t i = 0; i < json_array_size(gaps); i++) {
            json_t *s = json_array_get(gaps, i);
            printf("gap %s → %s (%.1f s): %s\n", json_string_value(json_object_get(s, "start")),
                   json_string_value(json_object_get(s, "end")),
                   json_real_value(json_object_get(s, "seconds")),
                   json_string_value(json_object_get(s, "reason")));
        }
        printf("%zu segments, %.1f s recorded, %zu gaps\n", n, (double)covered / 1e6, json_array_size(gaps));
        json_decref(segs);
        json_decref(gaps);
    }
    catalog_segment_list_free(v, n);
    catalog_gap_list_free(g, ng);
    catalog_close(cat);
    return 0;
}
