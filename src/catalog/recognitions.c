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

static const struct catalog_row_map recognition_map =
    CATALOG_MAP(struct catalog_recognition, NULL, NULL, ward_id, year, decision_no, decision_date,
                note, recorded_by, recorded_us);

CATALOG_LIST_FREE_FN(recognition_map, struct catalog_recognition, catalog_recognition_list_free)

int catalog_recognition_add(catalog_t *cat, const struct catalog_recognition *r)
{
    return CATALOG_RUN(cat, "recognition add", WW_ECONFLICT,
                   "INSERT INTO recognitions(ward_id,year,decision_no,decision_date,note,"
                   "recorded_by,recorded_us) VALUES(?,?,?,?,?,?,?)",
                   CATALOG_ARG(r->ward_id), CATALOG_ARG(r->year), catalog_arg_str(r->decision_no),
                   catalog_arg_str(r->decision_date), catalog_arg_str(r->note),
                   catalog_arg_str(r->recorded_by ? r->recorded_by : "?"),
                   CATALOG_ARG(r->recorded_us ? r->recorded_us : ww_wall_us()));
}

int catalog_recognition_list(catalog_t *cat, int year, struct catalog_recognition **out, size_t *n)
{
    return CATALOG_LIST(cat, "recognition list", &recognition_map, out, n,
                    "SELECT ward_id,year,decision_no,decision_date,note,recorded_by,recorded_us"
                    " FROM recognitions WHERE (?1=0 OR year=?1) ORDER BY year,ward_id",
                    CATALOG_ARG(year));
}
