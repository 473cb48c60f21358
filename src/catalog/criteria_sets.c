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

#define G struct cat_criteria_group
static const struct cat_row_map group_map =
    CAT_ROW_MAP(G, NULL, NULL, CAT_COL(G, num), CAT_COL(G, name));
#undef G

#define C struct cat_criterion
static const struct cat_row_map criterion_map =
    CAT_ROW_MAP(C, NULL, NULL, CAT_COL(C, id), CAT_COL(C, group_num), CAT_COL(C, num),
                CAT_COL(C, title), CAT_COL(C, description), CAT_COL(C, evidence));
#undef C

/* A listed set carries only its criteria count (criteria stays NULL). */
static void set_release(void *row)
{
    struct cat_criteria_set *s = row;
    cat_rows_free(&group_map, s->groups, s->n_groups);
    cat_rows_free(&criterion_map, s->criteria, s->criteria ? s->n_criteria : 0);
}

#define SET_COLS "s.id,s.family,s.version,s.name,s.year_from,s.year_to,s.note,s.created_us," \
                 "s.created_by,s.replaces_id,(SELECT COUNT(*) FROM criteria c WHERE c.set_id=s.id)"

#define S struct cat_criteria_set
static const struct cat_row_map set_map = CAT_ROW_MAP(
    S, NULL, set_release, CAT_COL(S, id), CAT_COL(S, family), CAT_COL(S, version), CAT_COL(S, name),
    CAT_COL(S, year_from), CAT_COL(S, year_to), CAT_COL(S, note), CAT_COL(S, created_us),
    CAT_COL(S, created_by), CAT_COL(S, replaces_id), CAT_COL(S, n_criteria));
#undef S

void cat_criteria_set_clear(struct cat_criteria_set *s) { cat_row_clear(&set_map, s); }

void cat_criteria_set_list_free(struct cat_criteria_set *v, size_t n) { cat_rows_free(&set_map, v, n); }

static int insert_set_content(catalog_t *cat, struct cat_criteria_set *s)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < s->n_groups; i++)
        rc = CAT_RUN(cat, "criteria group add", WW_ECONFLICT,
                     "INSERT INTO criteria_groups(set_id,num,name) VALUES(?,?,?)", CAT_ARG(s->id),
                     CAT_ARG(s->groups[i].num), cat_arg_str(s->groups[i].name));
    for (size_t i = 0; !rc && i < s->n_criteria; i++) {
        struct cat_criterion *c = &s->criteria[i];
        rc = CAT_INSERT(cat, "criterion add", WW_ECONFLICT, &c->id,
                        "INSERT INTO criteria(set_id,group_num,num,title,description,evidence)"
                        " VALUES(?,?,?,?,?,?)",
                        CAT_ARG(s->id), CAT_ARG(c->group_num), CAT_ARG(c->num),
                        cat_arg_str(c->title), cat_arg_str(c->description),
                        cat_arg_str(c->evidence));
    }
    return rc;
}

int catalog_criteria_set_add(catalog_t *cat, struct cat_criteria_set *s)
{
    if (!s->created_us) s->created_us = ww_wall_us();
    int rc = CAT_INSERT(cat, "criteria set add", WW_ECONFLICT, &s->id,
                        "INSERT INTO criteria_sets(family,version,name,year_from,year_to,note,"
                        "created_us,created_by,replaces_id) VALUES(?,?,?,?,?,?,?,?,?)",
                        cat_arg_str(s->family), CAT_ARG(s->version), cat_arg_str(s->name),
                        CAT_ARG(s->year_from), CAT_ARG(s->year_to), cat_arg_str(s->note),
                        CAT_ARG(s->created_us), cat_arg_str(s->created_by ? s->created_by : "?"),
                        cat_arg_opt(s->replaces_id != 0, s->replaces_id));
    if (rc) return rc;
    return insert_set_content(cat, s);
}

int catalog_criteria_set_rewrite(catalog_t *cat, struct cat_criteria_set *s)
{
    int rc = CAT_RUN(cat, "criteria set rewrite", WW_ECONFLICT,
                     "UPDATE criteria_sets SET name=?,year_from=?,year_to=?,note=? WHERE id=?",
                     cat_arg_str(s->name), CAT_ARG(s->year_from), CAT_ARG(s->year_to),
                     cat_arg_str(s->note), CAT_ARG(s->id));
    if (rc) return rc;
    if ((rc = cat_changed(cat)) ||
        (rc = CAT_RUN(cat, "criteria rewrite", WW_ECONFLICT, "DELETE FROM criteria WHERE set_id=?",
                      CAT_ARG(s->id))) ||
        (rc = CAT_RUN(cat, "criteria rewrite", WW_ECONFLICT,
                      "DELETE FROM criteria_groups WHERE set_id=?", CAT_ARG(s->id))))
        return rc;
    return insert_set_content(cat, s);
}

int catalog_criteria_set_list(catalog_t *cat, struct cat_criteria_set **out, size_t *n)
{
    return cat_rows_args(cat, "criteria set list", &set_map, out, n,
                         "SELECT " SET_COLS " FROM criteria_sets s ORDER BY s.family,s.version",
                         NULL, 0);
}

int catalog_criteria_set_get(catalog_t *cat, int64_t id, struct cat_criteria_set *out)
{
    int rc = cat_row_by_id(cat, "SELECT " SET_COLS " FROM criteria_sets s WHERE s.id=?", id, &set_map,
                           out, "criteria set get");
    if (rc) return rc;
    out->n_criteria = 0;
    if ((rc = CAT_LIST(cat, "criteria set get", &group_map, &out->groups, &out->n_groups,
                       "SELECT num,name FROM criteria_groups WHERE set_id=? ORDER BY num",
                       CAT_ARG(id))) ||
        (rc = CAT_LIST(cat, "criteria set get", &criterion_map, &out->criteria, &out->n_criteria,
                       "SELECT id,group_num,num,title,description,evidence FROM criteria"
                       " WHERE set_id=? ORDER BY num",
                       CAT_ARG(id))))
        cat_criteria_set_clear(out);
    return rc;
}

int catalog_criteria_set_in_use(catalog_t *cat, int64_t id, bool *in_use)
{
    return CAT_ONE(cat, "criteria set in use", &cat_bool_map, in_use,
                   "SELECT EXISTS(SELECT 1 FROM programme_wards WHERE set_id=?1)"
                   " OR EXISTS(SELECT 1 FROM assessments a JOIN criteria c"
                   " ON c.id=a.criterion_id WHERE c.set_id=?1)",
                   CAT_ARG(id));
}

int catalog_criteria_set_max_version(catalog_t *cat, const char *family, int *version)
{
    return CAT_ONE(cat, "criteria set version", &cat_int_map, version,
                   "SELECT COALESCE(MAX(version),0) FROM criteria_sets WHERE family=?",
                   cat_arg_str(family));
}

int catalog_criteria_set_for_year(catalog_t *cat, int year, int64_t *id)
{
    return CAT_ONE(cat, "criteria set for year", &cat_i64_map, id,
                   "SELECT id FROM criteria_sets WHERE ?1 BETWEEN year_from AND year_to"
                   " ORDER BY id DESC LIMIT 1",
                   CAT_ARG(year));
}

int catalog_criteria_set_count(catalog_t *cat, int64_t *n)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT COUNT(*) FROM criteria_sets", &st)) return WW_EDB;
    return cat_row_one(cat, st, &cat_i64_map, n, "criteria set count");
}
