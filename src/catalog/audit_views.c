/*
 * audit_views.c — pairing a live view's start row with its end row
 * (surface: cat_audit.h).  Both are ordinary audit rows in the one chain;
 * this only reads.  The audit_camera index narrows the search to the
 * camera's rows.
 */
#include "catalog/cat_audit.h"

#include "catalog/internal.h"

int catalog_audit_view_end(catalog_t *cat, int64_t camera_id, int64_t user_id, int64_t start_us, int64_t *end_us)
{
    *end_us = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT range_to_us FROM audit WHERE camera_id=? AND action='" CAT_AUDIT_LIVE_VIEW_END "'"
                         " AND user_id IS ? AND range_from_us=? ORDER BY id LIMIT 1", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    cat_bind_id(st, 2, user_id);
    sqlite3_bind_int64(st, 3, start_us);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *end_us = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cat_fail(cat, "audit view end");
}
