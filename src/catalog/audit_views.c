/*
 * audit_views.c — pairing a live view's start row with its end row
 * (surface: catalog_audit.h).  Both are ordinary audit rows in the one chain;
 * this only reads.  The audit_camera index narrows the search to the
 * camera's rows.
 */
#include "catalog/cat_audit.h"

#include "catalog/internal.h"

int catalog_audit_view_end(catalog_t *cat, int64_t camera_id, int64_t user_id, int64_t start_us, int64_t *end_us)
{
    *end_us = 0;
    int rc = CATALOG_ONE(cat, "audit view end", &catalog_i64_map, end_us,
                     "SELECT range_to_us FROM audit WHERE camera_id=? AND action='" CATALOG_AUDIT_LIVE_VIEW_END "'"
                     " AND user_id IS ? AND range_from_us=? ORDER BY id LIMIT 1",
                     CATALOG_ARG(camera_id), CATALOG_ID(user_id), CATALOG_ARG(start_us));
    return rc == WW_ENOTFOUND ? 0 : rc;
}
