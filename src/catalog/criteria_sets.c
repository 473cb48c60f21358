/*
 * criteria_sets.c — versioned criteria sets (criteria_sets, criteria_groups, criteria).
 * Part of the ward's work (surface: cat_ward_work.h; owner: ward/; tables in
 * schema/030_incidents.sql, 031_criteria.sql).  Validation beyond the SQL
 * constraints is ward/'s; multi-row writes assume the caller's transaction.
 */
#include "catalog/cat_ward_work.h"
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

static const struct catalog_row_map group_map =
    CATALOG_MAP(struct catalog_criteria_group, NULL, NULL, num, name);

static const struct catalog_row_map criterion_map = CATALOG_MAP(
    struct catalog_criterion, NULL, NULL, id, group_num, num, title, description, evidence);

/* A listed set carries only its criteria count (criteria stays NULL). */
static void set_release(void *row)
{
    struct catalog_criteria_set *s = row;
    catalog_rows_free(&group_map, s->groups, s->n_groups);
    catalog_rows_free(&criterion_map, s->criteria, s->criteria ? s->n_criteria : 0);
}

#define SET_COLS "s.id,s.family,s.version,s.name,s.year_from,s.year_to,s.note,s.created_us," \
                 "s.created_by,s.replaces_id,(SELECT COUNT(*) FROM criteria c WHERE c.set_id=s.id)"

static const struct catalog_row_map set_map =
    CATALOG_MAP(struct catalog_criteria_set, NULL, set_release, id, family, version, name,
                year_from, year_to, note, created_us, created_by, replaces_id, n_criteria);

CATALOG_ROW_CLEAR_FN(set_map, struct catalog_criteria_set, catalog_criteria_set_clear)
CATALOG_LIST_FREE_FN(set_map, struct catalog_criteria_set, catalog_criteria_set_list_free)

static int insert_set_content(catalog_t *cat, struct catalog_criteria_set *s)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < s->n_groups; i++)
        rc = CATALOG_RUN(cat, "criteria group add", WW_ECONFLICT,
                     "INSERT INTO criteria_groups(set_id,num,name) VALUES(?,?,?)", CATALOG_ARG(s->id),
                     CATALOG_ARG(s->groups[i].num), catalog_arg_str(s->groups[i].name));
    for (size_t i = 0; !rc && i < s->n_criteria; i++) {
        struct catalog_criterion *c = &s->criteria[i];
        rc = CATALOG_INSERT(cat, "criterion add", WW_ECONFLICT, &c->id,
                        "INSERT INTO criteria(set_id,group_num,num,title,description,evidence)"
                        " VALUES(?,?,?,?,?,?)",
                        CATALOG_ARG(s->id), CATALOG_ARG(c->group_num), CATALOG_ARG(c->num),
                        catalog_arg_str(c->title), catalog_arg_str(c->description),
                        catalog_arg_str(c->evidence));
    }
    return rc;
}

int catalog_criteria_set_add(catalog_t *cat, struct catalog_criteria_set *s)
{
    if (!s->created_us) s->created_us = ww_wall_us();
    int rc = CATALOG_INSERT(cat, "criteria set add", WW_ECONFLICT, &s->id,
                        "INSERT INTO criteria_sets(family,version,name,year_from,year_to,note,"
                        "created_us,created_by,replaces_id) VALUES(?,?,?,?,?,?,?,?,?)",
                        catalog_arg_str(s->family), CATALOG_ARG(s->version), catalog_arg_str(s->name),
                        CATALOG_ARG(s->year_from), CATALOG_ARG(s->year_to), catalog_arg_str(s->note),
                        CATALOG_ARG(s->created_us), catalog_arg_str(s->created_by ? s->created_by : "?"),
                        catalog_arg_opt(s->replaces_id != 0, s->replaces_id));
    if (rc) return rc;
    return insert_set_content(cat, s);
}

int catalog_criteria_set_rewrite(catalog_t *cat, struct catalog_criteria_set *s)
{
    int rc = CATALOG_RUN(cat, "criteria set rewrite", WW_ECONFLICT,
                     "UPDATE criteria_sets SET name=?,year_from=?,year_to=?,note=? WHERE id=?",
                     catalog_arg_str(s->name), CATALOG_ARG(s->year_from), CATALOG_ARG(s->year_to),
                     catalog_arg_str(s->note), CATALOG_ARG(s->id));
    if (rc) return rc;
    if ((rc = catalog_changed(cat)) ||
        (rc = CATALOG_RUN(cat, "criteria rewrite", WW_ECONFLICT, "DELETE FROM criteria WHERE set_id=?",
                      CATALOG_ARG(s->id))) ||
        (rc = CATALOG_RUN(cat, "criteria rewrite", WW_ECONFLICT,
                      "DELETE FROM criteria_groups WHERE set_id=?", CATALOG_ARG(s->id))))
        return rc;
    return insert_set_content(cat, s);
}

int catalog_criteria_set_list(catalog_t *cat, struct catalog_criteria_set **out, size_t *n)
{
    return catalog_rows_args(cat, "criteria set list", &set_map, out, n,
                         "SELECT " SET_COLS " FROM criteria_sets s ORDER BY s.family,s.version",
                         NULL, 0);
}

int catalog_criteria_set_get(catalog_t *cat, int64_t id, struct catalog_criteria_set *out)
{
    int rc = catalog_row_by_id(cat, "SELECT " SET_COLS " FROM criteria_sets s WHERE s.id=?", id, &set_map,
                           out, "criteria set get");
    if (rc) return rc;
    out->n_criteria = 0;
    if ((rc = CATALOG_LIST(cat, "criteria set get", &group_map, &out->groups, &out->n_groups,
                       "SELECT num,name FROM criteria_groups WHERE set_id=? ORDER BY num",
                       CATALOG_ARG(id))) ||
        (rc = CATALOG_LIST(cat, "criteria set get", &criterion_map, &out->criteria, &out->n_criteria,
                       "SELECT id,group_num,num,title,description,evidence FROM criteria"
                       " WHERE set_id=? ORDER BY num",
                       CATALOG_ARG(id))))
        catalog_criteria_set_clear(out);
    return rc;
}

int catalog_criteria_set_in_use(catalog_t *cat, int64_t id, bool *in_use)
{
    return CATALOG_ONE(cat, "criteria set in use", &catalog_bool_map, in_use,
                   "SELECT EXISTS(SELECT 1 FROM programme_wards WHERE set_id=?1)"
                   " OR EXISTS(SELECT 1 FROM assessments a JOIN criteria c"
                   " ON c.id=a.criterion_id WHERE c.set_id=?1)",
                   CATALOG_ARG(id));
}

int catalog_criteria_set_max_version(catalog_t *cat, const char *family, int *version)
{
    return CATALOG_ONE(cat, "criteria set version", &catalog_int_map, version,
                   "SELECT COALESCE(MAX(version),0) FROM criteria_sets WHERE family=?",
                   catalog_arg_str(family));
}

int catalog_criteria_set_for_year(catalog_t *cat, int year, int64_t *id)
{
    return CATALOG_ONE(cat, "criteria set for year", &catalog_i64_map, id,
                   "SELECT id FROM criteria_sets WHERE ?1 BETWEEN year_from AND year_to"
                   " ORDER BY id DESC LIMIT 1",
                   CATALOG_ARG(year));
}

int catalog_criteria_set_count(catalog_t *cat, int64_t *n)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "SELECT COUNT(*) FROM criteria_sets", &st)) return WW_EDB;
    return catalog_row_one(cat, st, &catalog_i64_map, n, "criteria set count");
}
