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
static const struct cat_col group_cols[] = {CAT_COL(G, num), CAT_COL(G, name)};
#undef G
static const struct cat_row_map group_map = CAT_ROW_MAP(struct cat_criteria_group, group_cols);

#define C struct cat_criterion
static const struct cat_col criterion_cols[] = {
    CAT_COL(C, id), CAT_COL(C, group_num), CAT_COL(C, num), CAT_COL(C, title),
    CAT_COL(C, description), CAT_COL(C, evidence),
};
#undef C
static const struct cat_row_map criterion_map = CAT_ROW_MAP(struct cat_criterion, criterion_cols);

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
static const struct cat_col set_cols[] = {
    CAT_COL(S, id), CAT_COL(S, family), CAT_COL(S, version), CAT_COL(S, name), CAT_COL(S, year_from),
    CAT_COL(S, year_to), CAT_COL(S, note), CAT_COL(S, created_us), CAT_COL(S, created_by),
    CAT_COL(S, replaces_id), CAT_COL(S, n_criteria),
};
#undef S
static const struct cat_row_map set_map = {sizeof(struct cat_criteria_set), set_cols,
                                           sizeof set_cols / sizeof *set_cols, NULL, set_release};

void cat_criteria_set_clear(struct cat_criteria_set *s) { cat_row_clear(&set_map, s); }

void cat_criteria_set_list_free(struct cat_criteria_set *v, size_t n) { cat_rows_free(&set_map, v, n); }

static int insert_set_content(catalog_t *cat, struct cat_criteria_set *s)
{
    sqlite3_stmt *st;
    int rc;
    for (size_t i = 0; i < s->n_groups; i++) {
        if (cat_prepare(cat, "INSERT INTO criteria_groups(set_id,num,name) VALUES(?,?,?)", &st))
            return WW_EDB;
        sqlite3_bind_int64(st, 1, s->id);
        sqlite3_bind_int(st, 2, s->groups[i].num);
        cat_bind_str(st, 3, s->groups[i].name);
        if ((rc = cat_step_done(cat, st, "criteria group add", WW_ECONFLICT))) return rc;
    }
    for (size_t i = 0; i < s->n_criteria; i++) {
        struct cat_criterion *c = &s->criteria[i];
        if (cat_prepare(cat, "INSERT INTO criteria(set_id,group_num,num,title,description,evidence)"
                             " VALUES(?,?,?,?,?,?)", &st))
            return WW_EDB;
        sqlite3_bind_int64(st, 1, s->id);
        sqlite3_bind_int(st, 2, c->group_num);
        sqlite3_bind_int(st, 3, c->num);
        cat_bind_str(st, 4, c->title);
        cat_bind_str(st, 5, c->description);
        cat_bind_str(st, 6, c->evidence);
        if ((rc = cat_insert_done(cat, st, "criterion add", WW_ECONFLICT, &c->id))) return rc;
    }
    return 0;
}

int catalog_criteria_set_add(catalog_t *cat, struct cat_criteria_set *s)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO criteria_sets(family,version,name,year_from,year_to,note,"
                         "created_us,created_by,replaces_id) VALUES(?,?,?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    if (!s->created_us) s->created_us = ww_wall_us();
    cat_bind_str(st, 1, s->family);
    sqlite3_bind_int(st, 2, s->version);
    cat_bind_str(st, 3, s->name);
    sqlite3_bind_int(st, 4, s->year_from);
    sqlite3_bind_int(st, 5, s->year_to);
    cat_bind_str(st, 6, s->note);
    sqlite3_bind_int64(st, 7, s->created_us);
    cat_bind_str(st, 8, s->created_by ? s->created_by : "?");
    cat_bind_opt_i64(st, 9, s->replaces_id != 0, s->replaces_id);
    int rc = cat_insert_done(cat, st, "criteria set add", WW_ECONFLICT, &s->id);
    if (rc) return rc;
    return insert_set_content(cat, s);
}

int catalog_criteria_set_rewrite(catalog_t *cat, struct cat_criteria_set *s)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "UPDATE criteria_sets SET name=?,year_from=?,year_to=?,note=? WHERE id=?", &st))
        return WW_EDB;
    cat_bind_str(st, 1, s->name);
    sqlite3_bind_int(st, 2, s->year_from);
    sqlite3_bind_int(st, 3, s->year_to);
    cat_bind_str(st, 4, s->note);
    sqlite3_bind_int64(st, 5, s->id);
    int rc = cat_step_done(cat, st, "criteria set rewrite", WW_ECONFLICT);
    if (rc) return rc;
    if ((rc = cat_changed(cat)) ||
        (rc = cat_write_by_id(cat, "DELETE FROM criteria WHERE set_id=?", s->id, "criteria rewrite",
                              WW_ECONFLICT)) ||
        (rc = cat_write_by_id(cat, "DELETE FROM criteria_groups WHERE set_id=?", s->id,
                              "criteria rewrite", WW_ECONFLICT)))
        return rc;
    return insert_set_content(cat, s);
}

int catalog_criteria_set_list(catalog_t *cat, struct cat_criteria_set **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT " SET_COLS " FROM criteria_sets s ORDER BY s.family,s.version", &st))
        return WW_EDB;
    return cat_rows(cat, st, &set_map, "criteria set list", out, n);
}

int catalog_criteria_set_get(catalog_t *cat, int64_t id, struct cat_criteria_set *out)
{
    int rc = cat_row_by_id(cat, "SELECT " SET_COLS " FROM criteria_sets s WHERE s.id=?", id, &set_map,
                           out, "criteria set get");
    if (rc) return rc;
    out->n_criteria = 0;
    if ((rc = cat_rows_by_id(cat, "SELECT num,name FROM criteria_groups WHERE set_id=? ORDER BY num", id,
                             &group_map, "criteria set get", &out->groups, &out->n_groups)) ||
        (rc = cat_rows_by_id(cat, "SELECT id,group_num,num,title,description,evidence FROM criteria"
                                  " WHERE set_id=? ORDER BY num", id, &criterion_map,
                             "criteria set get", &out->criteria, &out->n_criteria)))
        cat_criteria_set_clear(out);
    return rc;
}

int catalog_criteria_set_in_use(catalog_t *cat, int64_t id, bool *in_use)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT EXISTS(SELECT 1 FROM programme_wards WHERE set_id=?1)"
                         " OR EXISTS(SELECT 1 FROM assessments a JOIN criteria c"
                         " ON c.id=a.criterion_id WHERE c.set_id=?1)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    return cat_row_one(cat, st, &cat_bool_map, in_use, "criteria set in use");
}

int catalog_criteria_set_max_version(catalog_t *cat, const char *family, int *version)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT COALESCE(MAX(version),0) FROM criteria_sets WHERE family=?", &st))
        return WW_EDB;
    cat_bind_str(st, 1, family);
    return cat_row_one(cat, st, &cat_int_map, version, "criteria set version");
}

int catalog_criteria_set_for_year(catalog_t *cat, int year, int64_t *id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT id FROM criteria_sets WHERE ?1 BETWEEN year_from AND year_to"
                         " ORDER BY id DESC LIMIT 1", &st))
        return WW_EDB;
    sqlite3_bind_int(st, 1, year);
    return cat_row_one(cat, st, &cat_i64_map, id, "criteria set for year");
}

int catalog_criteria_set_count(catalog_t *cat, int64_t *n)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT COUNT(*) FROM criteria_sets", &st)) return WW_EDB;
    return cat_row_one(cat, st, &cat_i64_map, n, "criteria set count");
}
