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

static const struct catalog_row_map change_map = CATALOG_MAP(
    struct catalog_incident_change, NULL, NULL, id, incident_id, at_us, user_name, action, diff);

CATALOG_LIST_FREE_FN(change_map, struct catalog_incident_change, catalog_incident_change_list_free)

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
