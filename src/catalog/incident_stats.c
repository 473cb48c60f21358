/*
 * incident_stats.c — aggregate queries over incidents for the statistics.
 * Part of the ward's work (surface: cat_ward_work.h; owner: ward/; tables in
 * schema/030_incidents.sql, 031_criteria.sql).  Validation beyond the SQL
 * constraints is ward/'s; multi-row writes assume the caller's transaction.
 *
 * Why aggregates look the way they do: statistics for a quarter of a
 * 500,000-incident province with its year-before comparison must come back
 * in well under 100 ms.  Every aggregate filters on (ward_id, occurred_at)
 * or on occurred_at alone and reads only columns held in the matching
 * covering index, so SQLite walks one index range and never the table.
 * Groups are (key, category); "solvable" categories are folded in here in C
 * from the 10-row category table, which is cheaper than a per-row subquery.
 */
#include "catalog/cat_ward_work.h"
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

int catalog_incident_aggregate(catalog_t *cat, int64_t ward_id, int64_t from_us, int64_t to_us,
                               enum catalog_agg_by by, int offset_min,
                               struct catalog_incident_agg **out, size_t *n)
{
    *out = NULL; *n = 0;
    const char *key;
    switch (by) {
    case CATALOG_AGG_TOTAL: key = "0"; break;
    case CATALOG_AGG_CATEGORY: key = "category_id"; break;
    case CATALOG_AGG_WARD: key = "ward_id"; break;
    case CATALOG_AGG_LOCAL_DAY: key = "((occurred_at+?4)/86400000000)"; break;
    default: return WW_EINVAL;
    }
    /* Which categories count as solvable: folded in here, per (key,
     * category) group, rather than with a per-row subquery in SQL. */
    struct catalog_incident_category *cats;
    size_t ncats;
    int rc = catalog_incident_category_list(cat, &cats, &ncats);
    if (rc) return rc;
    /* ?4 is the UTC offset in µs: local day = (t + offset) / 1 day.  SQLite's
     * integer division truncates toward zero, which is the floor for every
     * time after 1970 — and incidents are (ward_incident_validate). */
    char *sql = ww_asprintf(
        "SELECT %s AS k, category_id, COUNT(*), SUM(status='solved'),"
        " TOTAL(suspects), TOTAL(deaths), TOTAL(injuries), TOTAL(damage_vnd), TOTAL(drug_grams)"
        " FROM incidents %s WHERE %s occurred_at>=?2 AND occurred_at<?3 GROUP BY k, category_id ORDER BY k",
        key, ward_id ? "INDEXED BY incidents_ward_time" : "INDEXED BY incidents_time",
        ward_id ? "ward_id=?1 AND" : "");
    sqlite3_stmt *st;
    rc = catalog_prepare(cat, sql, &st);
    free(sql);
    if (rc) { catalog_incident_category_list_free(cats, ncats); return WW_EDB; }
    if (ward_id) sqlite3_bind_int64(st, 1, ward_id);
    sqlite3_bind_int64(st, 2, from_us);
    sqlite3_bind_int64(st, 3, to_us);
    if (by == CATALOG_AGG_LOCAL_DAY) sqlite3_bind_int64(st, 4, (int64_t)offset_min * 60000000);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t k = sqlite3_column_int64(st, 0), cid = sqlite3_column_int64(st, 1);
        if (*n == 0 || (*out)[*n - 1].key != k) {
            CATALOG_GROW(*out, *n, cap);
            memset(&(*out)[*n], 0, sizeof **out);
            (*out)[(*n)++].key = k;
        }
        struct catalog_incident_agg *a = &(*out)[*n - 1];
        bool solvable = false;
        for (size_t i = 0; i < ncats; i++) if (cats[i].id == cid) solvable = cats[i].solvable;
        int64_t cases = sqlite3_column_int64(st, 2), solved = sqlite3_column_int64(st, 3);
        a->cases += cases;
        a->solved += solved;
        if (solvable) { a->solvable_cases += cases; a->solvable_solved += solved; }
        a->suspects += (int64_t)sqlite3_column_double(st, 4);
        a->deaths += (int64_t)sqlite3_column_double(st, 5);
        a->injuries += (int64_t)sqlite3_column_double(st, 6);
        a->damage_vnd += (int64_t)sqlite3_column_double(st, 7);
        a->drug_grams += sqlite3_column_double(st, 8);
    }
    sqlite3_finalize(st);
    catalog_incident_category_list_free(cats, ncats);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL; *n = 0;
        return catalog_fail(cat, "incident aggregate");
    }
    return 0;
}
