/*
 * incident_history.c — the change history of incidents (incident_history).
 * Part of the ward's work (surface: cat_ward_work.h; owner: ward/; tables in
 * schema/030_incidents.sql, 031_criteria.sql).  Validation beyond the SQL
 * constraints is ward/'s; multi-row writes assume the caller's transaction.
 */
#include "catalog/cat_ward_work.h"
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

#define C struct catalog_incident_change
static const struct catalog_row_map change_map =
    CATALOG_ROW_MAP(C, NULL, NULL, CATALOG_COL(C, id), CATALOG_COL(C, incident_id), CATALOG_COL(C, at_us),
                CATALOG_COL(C, user_name), CATALOG_COL(C, action), CATALOG_COL(C, diff));
#undef C

void catalog_incident_change_list_free(struct catalog_incident_change *v, size_t n)
{
    catalog_rows_free(&change_map, v, n);
}

int catalog_incident_history_add(catalog_t *cat, int64_t incident_id, int64_t at_us,
                                 const char *user, const char *action, const char *diff_json)
{
    sqlite3_stmt *st;
    if (CATALOG_PREPARE(cat,
                    "INSERT INTO incident_history(incident_id,at_us,user_name,action,diff)"
                    " VALUES(?,?,?,?,?)",
                    &st, CATALOG_ARG(incident_id), CATALOG_ARG(at_us), catalog_arg_str(user),
                    catalog_arg_str(action), catalog_arg_str(diff_json ? diff_json : "{}")))
        return WW_EDB;
    return catalog_step_done(cat, st, "incident history add", WW_ECONFLICT);
}

int catalog_incident_history(catalog_t *cat, int64_t incident_id,
                             struct catalog_incident_change **out, size_t *n)
{
    return CATALOG_LIST(cat, "incident history", &change_map, out, n,
                    "SELECT id,incident_id,at_us,user_name,action,diff FROM incident_history"
                    " WHERE incident_id=? ORDER BY id",
                    CATALOG_ARG(incident_id));
}
