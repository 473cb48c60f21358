/*
 * uptime.c — availability intervals (camera_uptime).
 * Part of the community-camera network (surface: cat_community.h; owner:
 * community/; tables in schema/003_consent.sql, 040_community.sql).
 */
#include "catalog/cat_community.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

int catalog_uptime_open(catalog_t *cat, int64_t camera_id, const char *state, int64_t start_us,
                        int64_t end_us, int64_t *id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO camera_uptime(camera_id,state,start_us,end_us) VALUES (?,?,?,?)",
                    &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    cat_bind_str(st, 2, state);
    sqlite3_bind_int64(st, 3, start_us);
    sqlite3_bind_int64(st, 4, end_us < start_us ? start_us : end_us);
    int rc = cat_step_done(cat, st, "uptime open", WW_EINVAL);
    if (!rc) *id = sqlite3_last_insert_rowid(cat->db);
    return rc;
}

int catalog_uptime_extend(catalog_t *cat, int64_t id, int64_t end_us)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "UPDATE camera_uptime SET end_us=MAX(start_us, ?) WHERE id=?", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, end_us);
    sqlite3_bind_int64(st, 2, id);
    return cat_step_done(cat, st, "uptime extend", WW_EINVAL);
}

int catalog_uptime_range(catalog_t *cat, int64_t from_us, int64_t to_us, struct cat_uptime **out,
                         size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    /* end_us > from first: the end index bounds the scan to what overlaps
     * the window's start onwards (intervals may be weeks long, so no
     * bound on start_us is possible). */
    if (cat_prepare(cat, "SELECT camera_id, state, MAX(start_us, ?1), MIN(end_us, ?2) FROM camera_uptime"
                         " WHERE end_us > ?1 AND start_us < ?2 ORDER BY camera_id, start_us", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, from_us);
    sqlite3_bind_int64(st, 2, to_us);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = ww_realloc(*out, cap * sizeof **out);
        }
        struct cat_uptime *u = &(*out)[(*n)++];
        u->camera_id = sqlite3_column_int64(st, 0);
        const char *s = (const char *)sqlite3_column_text(st, 1);
        u->online = s && !strcmp(s, "online");
        u->start_us = sqlite3_column_int64(st, 2);
        u->end_us = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return cat_fail(cat, "uptime range");
    }
    return 0;
}

int catalog_uptime_prune(catalog_t *cat, int64_t before_us)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "DELETE FROM camera_uptime WHERE end_us < ?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, before_us);
    return cat_step_done(cat, st, "uptime prune", WW_EINVAL);
}
