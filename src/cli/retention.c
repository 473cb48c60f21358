/*
 * retention.c — `wardwatch retention plan [--quota-mb N] [--min-free-mb N]
 * [--json]`: what retention will do under the current settings, per camera
 * (oldest recording, when it goes by the camera's days, held ranges, write
 * rate) and for the disk (free space, the floor, how many days it holds at
 * today's write rate before retention by space starts).
 *
 * The quota and floor are `serve` options, not stored in the catalog: give
 * the same ones here (the floor defaults as serve's does).  The numbers
 * come from rec_plan_compute (record/plan.c), which GET /api/v1/storage
 * shares.
 */
#include "cli/common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"

static void print_text(const struct rec_plan *p)
{
    int off = ww_station_offset_min();
    printf("%-7s %-28s %5s  %-19s  %-19s  %9s  %9s  %s\n", "CAMERA", "NAME", "DAYS", "OLDEST", "GOES (BY DAYS)", "MB",
           "MB/DAY", "HELD");
    for (size_t i = 0; i < p->n; i++) {
        const struct rec_plan_camera *c = &p->cams[i];
        char a[48] = "—", b[48] = "—";
        if (c->oldest_us) { ww_fmt_time(c->oldest_us, off, a, sizeof a); a[19] = 0; }
        if (c->delete_at_us) { ww_fmt_time(c->delete_at_us, off, b, sizeof b); b[19] = 0; }
        printf("%-7lld %-28.28s %5d  %-19s  %-19s  %9.1f  %9.1f  %d (%.1f MB)\n", (long long)c->camera_id, c->name,
               c->retention_days, a, b, (double)c->bytes / 1e6, (double)c->per_day / 1e6, c->holds,
               (double)c->held_bytes / 1e6);
    }
    printf("\ndisk: %.1f GB free, floor %.1f GB%s; recorded %.1f GB (%.1f GB held), %.2f GB/day\n",
           (double)p->free_bytes / 1e9, (double)p->floor_bytes / 1e9, p->floor_bytes ? "" : " (off)",
           (double)p->recorded_bytes / 1e9, (double)p->held_bytes / 1e9, (double)p->per_day / 1e9);
    if (p->days_until_floor >= 0)
        printf("at today's rate the disk reaches its floor in %.1f days; then the oldest unheld video goes first\n",
               p->days_until_floor);
    if (p->days_until_quota >= 0) printf("at today's rate recordings reach the quota in %.1f days\n", p->days_until_quota);
    if (p->per_day == 0) printf("nothing was recorded in the last 24 hours: no rate to project\n");
}

static int plan(struct cli_ctx *ctx, int64_t quota, int64_t floor_opt, bool json)
{
    catalog_t *cat;
    int rc = cli_open(ctx, &cat);
    if (rc) return rc;
    struct rec_retention_cfg cfg = {.quota_bytes = quota, .min_free_bytes = floor_opt};
    struct rec_plan p;
    rc = rec_plan_compute(cat, ctx->data_dir, &cfg, &p);
    catalog_close(cat);
    if (rc) { cli_err("retention plan: %s", ww_strerror(rc)); return 1; }
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < p.n; i++) json_array_append_new(arr, rec_plan_camera_json(&p.cams[i]));
        cli_print_json(json_pack("{s:o,s:o}", "cameras", arr, "disk", rec_plan_disk_json(&p)), JSON_INDENT(2));
    } else {
        print_text(&p);
    }
    rec_plan_clear(&p);
    return 0;
}

static const char plan_help[] =
    "usage: wardwatch retention plan [--quota-mb N] [--min-free-mb N] [--json]\n\n"
    "What retention will do: per camera the oldest recording, when it goes by the camera's\n"
    "days, its write rate and held footage; for the disk the free space, the floor and how\n"
    "many days it holds at today's rate.  Give serve's --quota-mb/--min-free-mb.\n";

int cli_retention(struct cli_ctx *c, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "plan")) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            printf("usage: wardwatch retention plan [--quota-mb N] [--min-free-mb N] [--json]\n");
            return 0;
        }
        return cli_usage("retention: give 'plan'");
    }
    int64_t quota = 0, floor = REC_FLOOR_AUTO;
    bool json = false;
    const struct cli_opt opts[] = {
        {CLI_I64_TIMES("quota-mb", &quota, 1, INT64_MAX >> 20, 1 << 20, "--quota-mb must be positive")},
        {CLI_I64_TIMES("min-free-mb", &floor, 0, INT64_MAX >> 20, 1 << 20, "--min-free-mb must be 0 or more")},
        {CLI_FLAG("json", &json)},
        {.name = NULL}};
    /* operands after plan were never looked at; CLI_ANY_OPERANDS keeps it so */
    int rc = cli_opts(argc - 1, argv + 1, "retention plan", opts, plan_help, CLI_ANY_OPERANDS);
    if (rc >= 0) return rc;
    return plan(c, quota, floor, json);
}
