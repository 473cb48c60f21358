/*
 * recognitions.c — recognition decisions (recognitions).
 * Part of the ward's work (surface: cat_ward_work.h; owner: ward/; tables in
 * schema/030_incidents.sql, 031_criteria.sql).  Validation beyond the SQL
 * constraints is ward/'s; multi-row writes assume the caller's transaction.
 */
#include "catalog/cat_ward_work.h"
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

#define R struct cat_recognition
static const struct cat_col recognition_cols[] = {
    CAT_COL(R, ward_id), CAT_COL(R, year), CAT_COL(R, decision_no), CAT_COL(R, decision_date),
    CAT_COL(R, note), CAT_COL(R, recorded_by), CAT_COL(R, recorded_us),
};
#undef R
static const struct cat_row_map recognition_map = CAT_ROW_MAP(struct cat_recognition, recognition_cols);

void cat_recognition_list_free(struct cat_recognition *v, size_t n)
{
    cat_rows_free(&recognition_map, v, n);
}

int catalog_recognition_add(catalog_t *cat, const struct cat_recognition *r)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO recognitions(ward_id,year,decision_no,decision_date,note,"
                         "recorded_by,recorded_us) VALUES(?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, r->ward_id);
    sqlite3_bind_int(st, 2, r->year);
    cat_bind_str(st, 3, r->decision_no);
    cat_bind_str(st, 4, r->decision_date);
    cat_bind_str(st, 5, r->note);
    cat_bind_str(st, 6, r->recorded_by ? r->recorded_by : "?");
    sqlite3_bind_int64(st, 7, r->recorded_us ? r->recorded_us : ww_wall_us());
    return cat_step_done(cat, st, "recognition add", WW_ECONFLICT);
}

int catalog_recognition_list(catalog_t *cat, int year, struct cat_recognition **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT ward_id,year,decision_no,decision_date,note,recorded_by,recorded_us"
                         " FROM recognitions WHERE (?1=0 OR year=?1) ORDER BY year,ward_id", &st))
        return WW_EDB;
    sqlite3_bind_int(st, 1, year);
    return cat_rows(cat, st, &recognition_map, "recognition list", out, n);
}
