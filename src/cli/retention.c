/*
 * retention.c — `wardwatch retention plan [--quota-mb N] [--min-free-mb N]
 * [--json]`: what retention will do under the current settings, per camera
 * (oldest recording, when it goes by the camera's days, held ranges, write
 * rate) and for the disk (free space, the floor, how many days it holds at
 * today's write rate before retention by space starts).
 *
 * The quota and floor are `serve` options, not stored in the catalog: give
 * the same ones here (the floor defaults as serve's does).  The write rate
 * is what was recorded in the last 24 hours (or since the oldest recording,
 * if younger), so a camera that just came back reads low for a day.
 */
#include "cli/common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cat_evidence.h"
#include "record/record.h"

#define DAY_US (86400LL * 1000000)

struct cam_plan {
    int64_t id, oldest_us, delete_at_us, bytes, per_day, held_bytes;
    int holds;
};

static int plan_camera(catalog_t *cat, const struct catalog_camera *c, int64_t now, struct cam_plan *p)
{
    memset(p, 0, sizeof *p);
    p->id = c->id;
    int rc = catalog_segment_oldest_start(cat, c->id, &p->oldest_us);
    if (!rc) rc = catalog_segment_total_bytes(cat, c->id, &p->bytes);
    int64_t since = now - DAY_US, recent = 0;
    if (!rc) rc = catalog_segment_bytes_since(cat, c->id, since, &recent);
    if (rc) return rc;
    int64_t window = p->oldest_us && p->oldest_us > since ? now - p->oldest_us : DAY_US;
    p->per_day = window > 0 ? (int64_t)((double)recent * (double)DAY_US / (double)window) : 0;
    p->delete_at_us = p->oldest_us ? p->oldest_us + (int64_t)c->retention_days * DAY_US : 0;
    struct catalog_hold *h;
    size_t nh;
    if ((rc = catalog_hold_list(cat, c->id, true, &h, &nh))) return rc;
    p->holds = (int)nh;
    for (size_t i = 0; i < nh; i++) p->held_bytes += h[i].held_bytes;
    catalog_hold_list_free(h, nh);
    return 0;
}

static int plan(struct cli_ctx *ctx, int64_t quota, int64_t floor_opt, bool json)
{
    catalog_t *cat;
    int rc = cli_open(ctx, &cat);
    if (rc) return rc;
    struct catalog_camera *cams;
    size_t n;
    if ((rc = catalog_camera_list(cat, &cams, &n))) { catalog_close(cat); cli_err("retention plan: %s", ww_strerror(rc)); return 1; }
    int64_t now = ww_wall_us();
    struct cam_plan *p = ww_calloc(n + 1, sizeof *p);
    int64_t total = 0, per_day = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = plan_camera(cat, &cams[i], now, &p[i]);
        total += p[i].bytes;
        per_day += p[i].per_day;
    }
    catalog_close(cat);
    char *rec = ww_asprintf("%s/rec", ctx->data_dir);
    int64_t free_b = ww_fs_free_bytes(rec), floor = floor_opt == REC_FLOOR_AUTO ? rec_free_floor(rec) : floor_opt;
    free(rec);
    /* days until retention by space starts: the floor, or the quota, whichever comes first */
    double days_floor = per_day > 0 && free_b >= 0 ? (double)(free_b - floor) / (double)per_day : -1;
    double days_quota = per_day > 0 && quota > 0 ? (double)(quota - total) / (double)per_day : -1;
    if (days_floor < 0 && free_b >= 0 && free_b < floor) days_floor = 0;
    int off = ww_station_offset_min();
    if (rc) {
        cli_err("retention plan: %s", ww_strerror(rc));
    } else if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_pack("{s:I,s:s,s:i,s:I,s:I,s:I,s:I,s:i,s:I}", "camera_id", (json_int_t)p[i].id,
                "name", cams[i].name ? cams[i].name : "", "retention_days", cams[i].retention_days, "oldest_us",
                (json_int_t)p[i].oldest_us, "deleted_by_days_at_us", (json_int_t)p[i].delete_at_us, "bytes",
                (json_int_t)p[i].bytes, "bytes_per_day", (json_int_t)p[i].per_day, "holds", p[i].holds,
                "held_bytes", (json_int_t)p[i].held_bytes));
        json_t *root = json_pack("{s:o,s:{s:I,s:I,s:I,s:I,s:I,s:f,s:f}}", "cameras", arr, "disk", "free_bytes",
                                 (json_int_t)free_b, "floor_bytes", (json_int_t)floor, "quota_bytes", (json_int_t)quota,
                                 "recorded_bytes", (json_int_t)total, "bytes_per_day", (json_int_t)per_day,
                                 "days_until_floor", days_floor, "days_until_quota", days_quota);
        cli_print_json(root, JSON_INDENT(2));
    } else {
        printf("%-7s %-28s %5s  %-19s  %-19s  %9s  %9s  %s\n", "CAMERA", "NAME", "DAYS", "OLDEST", "GOES (BY DAYS)", "MB",
               "MB/DAY", "HELD");
        for (size_t i = 0; i < n; i++) {
            char a[48] = "—", b[48] = "—";
            if (p[i].oldest_us) { ww_fmt_time(p[i].oldest_us, off, a, sizeof a); a[19] = 0; }
            if (p[i].delete_at_us) { ww_fmt_time(p[i].delete_at_us, off, b, sizeof b); b[19] = 0; }
            printf("%-7lld %-28.28s %5d  %-19s  %-19s  %9.1f  %9.1f  %d (%.1f MB)\n", (long long)p[i].id,
                   cams[i].name ? cams[i].name : "", cams[i].retention_days, a, b, (double)p[i].bytes / 1e6,
                   (double)p[i].per_day / 1e6, p[i].holds, (double)p[i].held_bytes / 1e6);
        }
        printf("\ndisk: %.1f GB free, floor %.1f GB%s; recorded %.1f GB, %.2f GB/day\n", (double)free_b / 1e9,
               (double)floor / 1e9, floor ? "" : " (off)", (double)total / 1e9, (double)per_day / 1e9);
        if (days_floor >= 0) printf("at today's rate the disk reaches its floor in %.1f days; then the oldest unheld video goes first\n", days_floor);
        if (days_quota >= 0) printf("at today's rate recordings reach the quota in %.1f days\n", days_quota);
        if (per_day == 0) printf("nothing was recorded in the last 24 hours: no rate to project\n");
    }
    catalog_camera_list_free(cams, n);
    free(p);
    return rc ? 1 : 0;
}

int cli_retention(struct cli_ctx *c, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "plan")) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            printf("usage: wardwatch retention plan [--quota-mb N] [--min-free-mb N] [--json]\n");
            return 0;
        }
        return cli_usage("retention: give 'plan'");
    }
    static const struct option opts[] = {{"quota-mb", required_argument, 0, 'q'}, {"min-free-mb", required_argument, 0, 'm'},
                                         {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int64_t quota = 0, floor = REC_FLOOR_AUTO, v;
    bool json = false;
    int o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc - 1, argv + 1, ":h", opts, "retention plan")) != -1) {
        switch (o) {
        case 'q': if (ww_parse_i64(optarg, 1, INT64_MAX >> 20, &v)) return cli_usage("retention plan: --quota-mb must be positive"); quota = v << 20; break;
        case 'm': if (ww_parse_i64(optarg, 0, INT64_MAX >> 20, &v)) return cli_usage("retention plan: --min-free-mb must be 0 or more"); floor = v << 20; break;
        case 'j': json = true; break;
        case 'h':
            printf("usage: wardwatch retention plan [--quota-mb N] [--min-free-mb N] [--json]\n\n"
                   "What retention will do: per camera the oldest recording, when it goes by the camera's\n"
                   "days, its write rate and held footage; for the disk the free space, the floor and how\n"
                   "many days it holds at today's rate.  Give serve's --quota-mb/--min-free-mb.\n");
            return 0;
        default: return 2;
        }
    }
    return plan(c, quota, floor, json);
}
