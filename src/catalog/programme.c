/*
 * programme.c — wards registered in the model-ward programme (programme_wards).
 * Part of the ward's work (surface: cat_ward_work.h; owner: ward/; tables in
 * schema/030_incidents.sql, 031_criteria.sql).  Validation beyond the SQL
 * constraints is ward/'s; multi-row writes assume the caller's transaction.
 */
#include "catalog/cat_ward_work.h"
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

#define P struct cat_programme_ward
static const struct cat_col programme_cols[] = {
    CAT_COL(P, ward_id), CAT_COL(P, year), CAT_COL(P, set_id), CAT_COL(P, registered_us),
    CAT_COL(P, registered_by), CAT_COL(P, ward_name),
};
#undef P
static const struct cat_row_map programme_map = CAT_ROW_MAP(struct cat_programme_ward, programme_cols);

void cat_programme_ward_list_free(struct cat_programme_ward *v, size_t n)
{
    cat_rows_free(&programme_map, v, n);
}

int catalog_programme_register(catalog_t *cat, const struct cat_programme_ward *p)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO programme_wards(ward_id,year,set_id,registered_us,registered_by)"
                         " VALUES(?,?,?,?,?)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, p->ward_id);
    sqlite3_bind_int(st, 2, p->year);
    sqlite3_bind_int64(st, 3, p->set_id);
    sqlite3_bind_int64(st, 4, p->registered_us ? p->registered_us : ww_wall_us());
    cat_bind_str(st, 5, p->registered_by ? p->registered_by : "?");
    return cat_step_done(cat, st, "programme register", WW_ECONFLICT);
}

int catalog_programme_list(catalog_t *cat, int year, int64_t ward_id,
                           struct cat_programme_ward **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT p.ward_id,p.year,p.set_id,p.registered_us,p.registered_by,w.name"
                         " FROM programme_wards p JOIN wards w ON w.id=p.ward_id"
                         " WHERE (?1=0 OR p.year=?1) AND (?2=0 OR p.ward_id=?2)"
                         " ORDER BY p.year,w.id", &st))
        return WW_EDB;
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_int64(st, 2, ward_id);
    return cat_rows(cat, st, &programme_map, "programme list", out, n);
}
