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

static const struct catalog_row_map programme_map =
    CATALOG_MAP(struct catalog_programme_ward, NULL, NULL, ward_id, year, set_id, registered_us,
                registered_by, ward_name);

CATALOG_LIST_FREE_FN(programme_map, struct catalog_programme_ward, catalog_programme_ward_list_free)

int catalog_programme_register(catalog_t *cat, const struct catalog_programme_ward *p)
{
    return CATALOG_RUN(cat, "programme register", WW_ECONFLICT,
                   "INSERT INTO programme_wards(ward_id,year,set_id,registered_us,registered_by)"
                   " VALUES(?,?,?,?,?)",
                   CATALOG_ARG(p->ward_id), CATALOG_ARG(p->year), CATALOG_ARG(p->set_id),
                   CATALOG_ARG(p->registered_us ? p->registered_us : ww_wall_us()),
                   catalog_arg_str(p->registered_by ? p->registered_by : "?"));
}

int catalog_programme_list(catalog_t *cat, int year, int64_t ward_id,
                           struct catalog_programme_ward **out, size_t *n)
{
    return CATALOG_LIST(cat, "programme list", &programme_map, out, n,
                    "SELECT p.ward_id,p.year,p.set_id,p.registered_us,p.registered_by,w.name"
                    " FROM programme_wards p JOIN wards w ON w.id=p.ward_id"
                    " WHERE (?1=0 OR p.year=?1) AND (?2=0 OR p.ward_id=?2)"
                    " ORDER BY p.year,w.id",
                    CATALOG_ARG(year), CATALOG_ARG(ward_id));
}
