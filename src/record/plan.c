/*
 * plan.c — what retention will do under given settings (issue 13 item 5):
 * per camera the oldest recording, when it goes by the camera's days, its
 * write rate and what holds keep; for the disk the free space, the floor,
 * held bytes and how many days it holds at today's rate.  One computation
 * for `wardwatch retention plan` and GET /api/v1/storage.
 *
 * The write rate is what was recorded in the last 24 hours (or since the
 * oldest recording, if younger), so a camera that just came back reads low
 * for a day.
 */
#include "record/record.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cat_evidence.h"

#define DAY_US (86400LL * 1000000)

static int plan_camera(catalog_t *cat, const struct catalog_camera *c, int64_t now, struct rec_plan_camera *p)
{
    memset(p, 0, sizeof *p);
    p->camera_id = c->id;
    p->ward_id = c->ward_id;
    p->retention_days = c->retention_days;
    p->name = ww_strdup(c->name ? c->name : "");
    int rc = catalog_segment_oldest_start(cat, c->id, &p->oldest_us);
    if (!rc) rc = catalog_segment_total_bytes(cat, c->id, &p->bytes);
    int64_t since = now - DAY_US, recent = 0;
    if (!rc) rc = catalog_segment_bytes_since(cat, c->id, since, &recent);
    if (!rc) rc = catalog_held_bytes(cat, c->id, &p->held_bytes, &p->held_segments);
    if (rc) return rc;
    int64_t window = p->oldest_us && p->oldest_us > since ? now - p->oldest_us : DAY_US;
    p->per_day = window > 0 ? (int64_t)((double)recent * (double)DAY_US / (double)window) : 0;
    p->delete_at_us = p->oldest_us ? p->oldest_us + (int64_t)c->retention_days * DAY_US : 0;
    struct catalog_hold *h;
    size_t nh;
    if ((rc = catalog_hold_list(cat, c->id, true, &h, &nh))) return rc;
    p->holds = (int)nh;
    catalog_hold_list_free(h, nh);
    return 0;
}

int rec_plan_compute(catalog_t *cat, const char *data_dir, const struct rec_retention_cfg *cfg, struct rec_plan *out)
{
    memset(out, 0, sizeof *out);
    struct catalog_camera *cams;
    size_t n;
    int rc = catalog_camera_list(cat, &cams, &n);
    if (rc) return rc;
    int64_t now = ww_wall_us();
    out->cams = ww_calloc(n + 1, sizeof *out->cams);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = plan_camera(cat, &cams[i], now, &out->cams[i]);
        out->n = i + 1;
        out->recorded_bytes += out->cams[i].bytes;
        out->held_bytes += out->cams[i].held_bytes;
        out->per_day += out->cams[i].per_day;
    }
    catalog_camera_list_free(cams, n);
    if (rc) { rec_plan_clear(out); return rc; }
    char *rec = ww_asprintf("%s/rec", data_dir);
    out->free_bytes = ww_fs_free_bytes(rec);
    out->total_bytes = ww_fs_total_bytes(rec);
    out->floor_bytes = cfg->min_free_bytes == REC_FLOOR_AUTO ? rec_free_floor(rec) : cfg->min_free_bytes;
    out->quota_bytes = cfg->quota_bytes;
    free(rec);
    /* days until retention by space starts: the floor, or the quota */
    int64_t pd = out->per_day, fb = out->free_bytes;
    out->days_until_floor = pd > 0 && fb >= 0 ? (double)(fb - out->floor_bytes) / (double)pd : -1;
    out->days_until_quota = pd > 0 && out->quota_bytes > 0
                          ? (double)(out->quota_bytes - out->recorded_bytes) / (double)pd : -1;
    if (out->days_until_floor < 0 && fb >= 0 && fb < out->floor_bytes) out->days_until_floor = 0;
    if (out->days_until_quota < 0 && out->quota_bytes > 0 && out->recorded_bytes > out->quota_bytes)
        out->days_until_quota = 0;
    return 0;
}

void rec_plan_clear(struct rec_plan *p)
{
    for (size_t i = 0; i < p->n; i++) free(p->cams[i].name);
    free(p->cams);
    memset(p, 0, sizeof *p);
}

json_t *rec_plan_camera_json(const struct rec_plan_camera *c)
{
    return json_pack("{s:I,s:s,s:i,s:I,s:I,s:I,s:I,s:i,s:I,s:I}", "camera_id", (json_int_t)c->camera_id, "name",
                     c->name, "retention_days", c->retention_days, "oldest_us", (json_int_t)c->oldest_us,
                     "deleted_by_days_at_us", (json_int_t)c->delete_at_us, "bytes", (json_int_t)c->bytes,
                     "bytes_per_day", (json_int_t)c->per_day, "holds", c->holds, "held_bytes",
                     (json_int_t)c->held_bytes, "held_segments", (json_int_t)c->held_segments);
}

json_t *rec_plan_disk_json(const struct rec_plan *p)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f}", "free_bytes", (json_int_t)p->free_bytes,
                     "total_bytes", (json_int_t)p->total_bytes, "floor_bytes", (json_int_t)p->floor_bytes,
                     "quota_bytes", (json_int_t)p->quota_bytes, "recorded_bytes", (json_int_t)p->recorded_bytes,
                     "held_bytes", (json_int_t)p->held_bytes, "bytes_per_day", (json_int_t)p->per_day,
                     "days_until_floor", p->days_until_floor, "days_until_quota", p->days_until_quota);
}
