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
    return CATALOG_INSERT(cat, "uptime open", WW_EINVAL, id,
                      "INSERT INTO camera_uptime(camera_id,state,start_us,end_us) VALUES (?,?,?,?)",
                      CATALOG_ARG(camera_id), catalog_arg_str(state), CATALOG_ARG(start_us),
                      CATALOG_ARG(end_us < start_us ? start_us : end_us));
}

int catalog_uptime_extend(catalog_t *cat, int64_t id, int64_t end_us)
{
    return CATALOG_RUN(cat, "uptime extend", WW_EINVAL,
                   "UPDATE camera_uptime SET end_us=MAX(start_us, ?) WHERE id=?", CATALOG_ARG(end_us),
                   CATALOG_ARG(id));
}

/* the state is stored by name */
static void uptime_fill(sqlite3_stmt *st, void *row)
{
    const char *s = (const char *)sqlite3_column_text(st, 1);
    ((struct catalog_uptime *)row)->online = s && !strcmp(s, "online");
}

#define U struct catalog_uptime
static const struct catalog_row_map uptime_map =
    CATALOG_ROW_MAP(U, uptime_fill, NULL, CATALOG_COLS(U, camera_id), CATALOG_COL_BY_FILL,
                    CATALOG_COLS(U, start_us, end_us));
#undef U

int catalog_uptime_range(catalog_t *cat, int64_t from_us, int64_t to_us, struct catalog_uptime **out,
                         size_t *n)
{
    /* end_us > from first: the end index bounds the scan to what overlaps
     * the window's start onwards (intervals may be weeks long, so no
     * bound on start_us is possible). */
    return CATALOG_LIST(cat, "uptime range", &uptime_map, out, n,
                    "SELECT camera_id, state, MAX(start_us, ?1), MIN(end_us, ?2) FROM camera_uptime"
                    " WHERE end_us > ?1 AND start_us < ?2 ORDER BY camera_id, start_us",
                    CATALOG_ARG(from_us), CATALOG_ARG(to_us));
}

int catalog_uptime_prune(catalog_t *cat, int64_t before_us)
{
    return CATALOG_RUN(cat, "uptime prune", WW_EINVAL, "DELETE FROM camera_uptime WHERE end_us < ?",
                   CATALOG_ARG(before_us));
}
