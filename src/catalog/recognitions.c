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
static const struct cat_row_map recognition_map = CAT_ROW_MAP(
    R, NULL, NULL, CAT_COL(R, ward_id), CAT_COL(R, year), CAT_COL(R, decision_no),
    CAT_COL(R, decision_date), CAT_COL(R, note), CAT_COL(R, recorded_by), CAT_COL(R, recorded_us));
#undef R

void cat_recognition_list_free(struct cat_recognition *v, size_t n)
{
    cat_rows_free(&recognition_map, v, n);
}

int catalog_recognition_add(catalog_t *cat, const struct cat_recognition *r)
{
    return CAT_RUN(cat, "recognition add", WW_ECONFLICT,
                   "INSERT INTO recognitions(ward_id,year,decision_no,decision_date,note,"
                   "recorded_by,recorded_us) VALUES(?,?,?,?,?,?,?)",
                   CAT_ARG(r->ward_id), CAT_ARG(r->year), cat_arg_str(r->decision_no),
                   cat_arg_str(r->decision_date), cat_arg_str(r->note),
                   cat_arg_str(r->recorded_by ? r->recorded_by : "?"),
                   CAT_ARG(r->recorded_us ? r->recorded_us : ww_wall_us()));
}

int catalog_recognition_list(catalog_t *cat, int year, struct cat_recognition **out, size_t *n)
{
    return CAT_LIST(cat, "recognition list", &recognition_map, out, n,
                    "SELECT ward_id,year,decision_no,decision_date,note,recorded_by,recorded_us"
                    " FROM recognitions WHERE (?1=0 OR year=?1) ORDER BY year,ward_id",
                    CAT_ARG(year));
}
