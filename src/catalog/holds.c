/*
 * holds.c — footage held against retention (surface: cat_evidence.h;
 * table in schema/043_holds.sql).
 *
 * The rule "a held segment is never deleted" is kept in one place: the SQL
 * fragment HELD below, which catalog_segment_oldest (segments.c) adds to
 * the only query retention deletes from.
 */
#include "catalog/cat_evidence.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

/* The held bytes are what the hold keeps right now: closed segments of its
 * camera overlapping its range (counted whether or not other holds also
 * keep them). */
#define HOLD_COLS                                                                                  \
    "h.id,h.camera_id,h.from_us,h.to_us,COALESCE(h.incident_id,0),h.until_us,h.reason,h.created_by," \
    "h.released_by,h.release_reason,h.created_us,COALESCE(h.created_by_id,0),COALESCE(h.released_us,0)," \
    "(SELECT COALESCE(SUM(s.bytes),0) FROM segments s WHERE s.camera_id=h.camera_id"                  \
    "  AND s.start_us < h.to_us AND s.end_us > h.from_us),"                                           \
    "(SELECT COUNT(*) FROM segments s WHERE s.camera_id=h.camera_id"                                  \
    "  AND s.start_us < h.to_us AND s.end_us > h.from_us)"

static const struct catalog_row_map hold_map =
    CATALOG_MAP(struct catalog_hold, NULL, NULL, id, camera_id, from_us, to_us, incident_id,
                until_us, reason, created_by, released_by, release_reason, created_us,
                created_by_id, released_us, held_bytes, held_segments);

CATALOG_ROW_CLEAR_FN(hold_map, struct catalog_hold, catalog_hold_clear)
CATALOG_LIST_FREE_FN(hold_map, struct catalog_hold, catalog_hold_list_free)

int catalog_hold_add(catalog_t *cat, struct catalog_hold *h)
{
    if (h->camera_id <= 0 || h->to_us <= h->from_us || !h->reason || !*h->reason || strlen(h->reason) > 500)
        return WW_EINVAL;
    struct catalog_camera c;
    int rc = catalog_camera_get(cat, h->camera_id, &c);
    if (rc) return rc;
    catalog_camera_clear(&c);
    int64_t now = ww_wall_us();
    if (!h->until_us) h->until_us = now + (int64_t)CATALOG_HOLD_DEFAULT_DAYS * 86400 * 1000000;
    if (h->until_us <= now) return WW_EINVAL;
    if ((rc = CATALOG_INSERT(
             cat, "hold add", WW_EINVAL, &h->id,
             "INSERT INTO holds(camera_id,from_us,to_us,reason,incident_id,until_us,created_us,"
             "created_by,created_by_id) VALUES (?,?,?,?,?,?,?,?,?)",
             CATALOG_ARG(h->camera_id), CATALOG_ARG(h->from_us), CATALOG_ARG(h->to_us), catalog_arg_str(h->reason),
             CATALOG_ID(h->incident_id), CATALOG_ARG(h->until_us), CATALOG_ARG(now),
             catalog_arg_str(h->created_by ? h->created_by : "unknown"), CATALOG_ID(h->created_by_id))))
        return rc;
    h->created_us = now;
    return 0;
}

int catalog_hold_list(catalog_t *cat, int64_t camera_id, bool in_force_only, struct catalog_hold **out,
                      size_t *n)
{
    return CATALOG_LIST(cat, "hold list", &hold_map, out, n,
                    "SELECT " HOLD_COLS " FROM holds h WHERE (?1 = 0 OR h.camera_id = ?1)"
                    " AND (?2 = 0 OR (h.released_us IS NULL AND h.until_us > ?3))"
                    " ORDER BY h.id",
                    CATALOG_ARG(camera_id), CATALOG_ARG(in_force_only), CATALOG_ARG(ww_wall_us()));
}

int catalog_hold_get(catalog_t *cat, int64_t id, struct catalog_hold *out)
{
    return catalog_row_by_id(cat, "SELECT " HOLD_COLS " FROM holds h WHERE h.id = ?", id, &hold_map, out,
                         "hold get");
}

int catalog_hold_release(catalog_t *cat, int64_t id, const char *by, const char *reason)
{
    if (!reason || !*reason) return WW_EINVAL;
    int rc = CATALOG_RUN(cat, "hold release", WW_EINVAL,
                     "UPDATE holds SET released_us=?2, released_by=?3, release_reason=?4"
                     " WHERE id=?1 AND released_us IS NULL AND until_us > ?2",
                     CATALOG_ARG(id), CATALOG_ARG(ww_wall_us()), catalog_arg_str(by ? by : "unknown"),
                     catalog_arg_str(reason));
    if (rc) return rc;
    if (sqlite3_changes(cat->db) == 1) return 0;
    struct catalog_hold h;
    rc = catalog_hold_get(cat, id, &h);
    catalog_hold_clear(&h);
    return rc ? rc : WW_ECONFLICT;
}

int catalog_held_bytes(catalog_t *cat, int64_t camera_id, int64_t *bytes, int64_t *segments)
{
    *bytes = *segments = 0;
    sqlite3_stmt *st;
    if (CATALOG_PREPARE(cat,
                    "SELECT COALESCE(SUM(s.bytes),0), COUNT(*) FROM segments s"
                    " WHERE (?1 = 0 OR s.camera_id = ?1) AND " CATALOG_HELD_SQL("s", "?2"),
                    &st, CATALOG_ARG(camera_id), CATALOG_ARG(ww_wall_us())))
        return WW_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *bytes = sqlite3_column_int64(st, 0);
        *segments = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : catalog_fail(cat, "held bytes");
}
