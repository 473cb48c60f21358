/*
 * retention.c — deletes the oldest recordings past each camera's days, past
 * the global quota, or while free space is under the floor.
 *
 * Order (so a crash never leaves a row without a file or a file nobody can
 * find): mark the batch DELETING and commit; unlink the files; delete the
 * rows and commit.  Recovery finishes any DELETING rows it finds.  Segments
 * being played back or exported (the syncer's in-memory holds), growing
 * ones, and those under an evidence hold (catalog holds: never returned by
 * catalog_segment_oldest) are skipped.
 */
#include "record/internal.h"

#include "catalog/cat_evidence.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define BATCH 64

static int delete_batch(const char *data_dir, catalog_t *cat, struct catalog_segment *v, size_t n,
                        rec_syncer_t *holds, int64_t *deleted, int64_t *bytes)
{
    bool *take = ww_calloc(n + 1, sizeof *take);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        take[i] = !rec_syncer_held(holds, v[i].id);
        count += take[i];
    }
    int rc = 0;
    if (!count) goto out;
    if ((rc = catalog_begin(cat))) goto out;
    for (size_t i = 0; i < n && !rc; i++)
        if (take[i]) rc = catalog_segment_set_state(cat, v[i].id, CATALOG_SEG_DELETING);
    if (rc || (rc = catalog_commit(cat))) { catalog_rollback(cat); goto out; }
    for (size_t i = 0; i < n; i++) {
        if (!take[i]) continue;
        char *p = ww_asprintf("%s/%s", data_dir, v[i].path);
        int u = ww_fsops()->unlink(p);
        if (u && u != -ENOENT) ww_warn("retention", "unlink %s: %s", v[i].path, ww_strerror(u));
        free(p);
    }
    if ((rc = catalog_begin(cat))) goto out;
    for (size_t i = 0; i < n && !rc; i++)
        if (take[i]) rc = catalog_segment_delete(cat, v[i].id);
    if (rc || (rc = catalog_commit(cat))) { catalog_rollback(cat); goto out; }
    for (size_t i = 0; i < n; i++)
        if (take[i]) { (*deleted)++; *bytes += v[i].bytes; }
out:
    free(take);
    return rc ? rc : (int)count;
}

static int by_days(const char *data_dir, catalog_t *cat, rec_syncer_t *holds, int64_t *deleted,
                   int64_t *bytes)
{
    struct catalog_camera *cams;
    size_t ncams;
    if (catalog_camera_list(cat, &cams, &ncams)) return WW_EDB;
    int64_t now = ww_wall_us();
    for (size_t c = 0; c < ncams; c++) {
        int64_t cutoff = now - (int64_t)cams[c].retention_days * 86400 * 1000000;
        for (int round = 0; round < 1000; round++) {
            struct catalog_segment *v;
            size_t n;
            if (catalog_segment_oldest(cat, cams[c].id, cutoff, BATCH, &v, &n)) break;
            size_t keep = 0; /* only segments wholly past the cut-off */
            for (size_t i = 0; i < n; i++)
                if (v[i].end_us <= cutoff) keep = i + 1; else break;
            int rc = keep ? delete_batch(data_dir, cat, v, keep, holds, deleted, bytes) : 0;
            catalog_segment_list_free(v, n);
            if (rc <= 0) break;
        }
    }
    catalog_camera_list_free(cams, ncams);
    return 0;
}

int64_t rec_free_floor(const char *rec_dir)
{
    int64_t total = ww_fs_total_bytes(rec_dir);
    if (total <= 0) return 0;
    int64_t floor = total / 10, cap = 10LL << 30;
    return floor < cap ? floor : cap;
}

static int64_t floor_of(const struct rec_retention_cfg *cfg, const char *rec)
{
    return cfg->min_free_bytes == REC_FLOOR_AUTO ? rec_free_floor(rec) : cfg->min_free_bytes;
}

bool rec_retention_under_floor(const char *data_dir, const struct rec_retention_cfg *cfg)
{
    char *rec = ww_asprintf("%s/rec", data_dir);
    int64_t floor = floor_of(cfg, rec), free_b = floor > 0 ? ww_fs_free_bytes(rec) : INT64_MAX;
    free(rec);
    return floor > 0 && free_b >= 0 && free_b < floor;
}

/* Deletes oldest-first while over(…) says so. */
static void by_space(const char *data_dir, catalog_t *cat, const struct rec_retention_cfg *cfg,
                     rec_syncer_t *holds, int64_t *deleted, int64_t *bytes)
{
    char *rec = ww_asprintf("%s/rec", data_dir);
    for (int round = 0; round < 10000; round++) {
        int64_t total = 0, free_b = INT64_MAX, floor = floor_of(cfg, rec);
        if (cfg->quota_bytes > 0 && catalog_segment_total_bytes(cat, 0, &total)) break;
        if (floor > 0) free_b = ww_fs_free_bytes(rec);
        bool over = (cfg->quota_bytes > 0 && total > cfg->quota_bytes) ||
                    (floor > 0 && free_b >= 0 && free_b < floor);
        if (!over) break;
        struct catalog_segment *v;
        size_t n;
        if (catalog_segment_oldest(cat, 0, INT64_MAX, 8, &v, &n)) break;
        int rc = n ? delete_batch(data_dir, cat, v, n, holds, deleted, bytes) : 0;
        catalog_segment_list_free(v, n);
        if (rc <= 0) {
            static int64_t last_warn; /* the syncer's thread only */
            if (n == 0 && ww_mono_us() - last_warn > 60000000 && (last_warn = ww_mono_us()))
                ww_warn("retention", "over quota or free-space floor, but nothing closed and unheld is left to"
                                     " delete (footage under a hold is kept)");
            break;
        }
    }
    free(rec);
}

bool rec_retention_only_held_left(catalog_t *cat)
{
    int64_t held = 0, held_segs = 0;
    if (catalog_held_bytes(cat, 0, &held, &held_segs) || held_segs == 0) return false;
    struct catalog_segment *v;
    size_t n;
    if (catalog_segment_oldest(cat, 0, INT64_MAX, 1, &v, &n)) return false;
    catalog_segment_list_free(v, n);
    return n == 0;
}

int rec_retention_run(const char *data_dir, catalog_t *cat, const struct rec_retention_cfg *cfg,
                      rec_syncer_t *holds, int64_t *deleted, int64_t *bytes)
{
    int64_t d0 = *deleted, b0 = *bytes;
    by_days(data_dir, cat, holds, deleted, bytes);
    by_space(data_dir, cat, cfg, holds, deleted, bytes);
    if (*deleted > d0)
        ww_info("retention", "deleted %lld segments (%.1f MB)", (long long)(*deleted - d0),
                (double)(*bytes - b0) / 1e6);
    return 0;
}
