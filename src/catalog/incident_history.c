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

void cat_incident_change_list_free(struct cat_incident_change *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].user_name); free(v[i].action); free(v[i].diff);
    }
    free(v);
}

int catalog_incident_history_add(catalog_t *cat, int64_t incident_id, int64_t at_us,
                                 const char *user, const char *action, const char *diff_json)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO incident_history(incident_id,at_us,user_name,action,diff)"
                         " VALUES(?,?,?,?,?)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, incident_id);
    sqlite3_bind_int64(st, 2, at_us);
    cat_bind_str(st, 3, user);
    cat_bind_str(st, 4, action);
    cat_bind_str(st, 5, diff_json ? diff_json : "{}");
    return cat_step_done(cat, st, "incident history add", WW_ECONFLICT);
}

int catalog_incident_history(catalog_t *cat, int64_t incident_id,
                             struct cat_incident_change **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT id,incident_id,at_us,user_name,action,diff FROM incident_history"
                         " WHERE incident_id=? ORDER BY id", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, incident_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        CAT_GROW(*out, *n, cap);
        struct cat_incident_change *c = &(*out)[(*n)++];
        c->id = sqlite3_column_int64(st, 0);
        c->incident_id = sqlite3_column_int64(st, 1);
        c->at_us = sqlite3_column_int64(st, 2);
        c->user_name = cat_col_str(st, 3);
        c->action = cat_col_str(st, 4);
        c->diff = cat_col_str(st, 5);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "incident history");
}
