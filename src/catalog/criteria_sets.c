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

void cat_criteria_set_clear(struct cat_criteria_set *s)
{
    if (!s) return;
    free(s->family); free(s->name); free(s->note); free(s->created_by);
    for (size_t i = 0; i < s->n_groups; i++) free(s->groups[i].name);
    free(s->groups);
    for (size_t i = 0; s->criteria && i < s->n_criteria; i++) {
        free(s->criteria[i].title); free(s->criteria[i].description); free(s->criteria[i].evidence);
    }
    free(s->criteria);
    memset(s, 0, sizeof *s);
}

void cat_criteria_set_list_free(struct cat_criteria_set *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_criteria_set_clear(&v[i]);
    free(v);
}

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
        if ((rc = cat_step_done(cat, st, "criterion add", WW_ECONFLICT))) return rc;
        c->id = sqlite3_last_insert_rowid(cat->db);
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
    int rc = cat_step_done(cat, st, "criteria set add", WW_ECONFLICT);
    if (rc) return rc;
    s->id = sqlite3_last_insert_rowid(cat->db);
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
    if (sqlite3_changes(cat->db) == 0) return WW_ENOTFOUND;
    if (cat_prepare(cat, "DELETE FROM criteria WHERE set_id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, s->id);
    if ((rc = cat_step_done(cat, st, "criteria rewrite", WW_ECONFLICT))) return rc;
    if (cat_prepare(cat, "DELETE FROM criteria_groups WHERE set_id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, s->id);
    if ((rc = cat_step_done(cat, st, "criteria rewrite", WW_ECONFLICT))) return rc;
    return insert_set_content(cat, s);
}

#define SET_COLS "s.id,s.family,s.version,s.name,s.year_from,s.year_to,s.note,s.created_us," \
                 "s.created_by,s.replaces_id,(SELECT COUNT(*) FROM criteria c WHERE c.set_id=s.id)"

static void set_from_row(sqlite3_stmt *st, void *row)
{
    struct cat_criteria_set *s = row;
    memset(s, 0, sizeof *s);
    s->id = sqlite3_column_int64(st, 0);
    s->family = cat_col_str(st, 1);
    s->version = sqlite3_column_int(st, 2);
    s->name = cat_col_str(st, 3);
    s->year_from = sqlite3_column_int(st, 4);
    s->year_to = sqlite3_column_int(st, 5);
    s->note = cat_col_str(st, 6);
    s->created_us = sqlite3_column_int64(st, 7);
    s->created_by = cat_col_str(st, 8);
    s->replaces_id = sqlite3_column_int64(st, 9);
    s->n_criteria = (size_t)sqlite3_column_int64(st, 10);
}

/* cat_criteria_set_clear for cat_rows, which knows rows only as void *. */
static void set_row_clear(void *row) { cat_criteria_set_clear(row); }

int catalog_criteria_set_list(catalog_t *cat, struct cat_criteria_set **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT " SET_COLS " FROM criteria_sets s ORDER BY s.family,s.version", &st))
        return WW_EDB;
    return CAT_ROWS(cat, st, out, n, set_from_row, set_row_clear, "criteria set list");
}

int catalog_criteria_set_get(catalog_t *cat, int64_t id, struct cat_criteria_set *out)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    if (cat_prepare(cat, "SELECT " SET_COLS " FROM criteria_sets s WHERE s.id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) set_from_row(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return WW_ENOTFOUND;
    if (rc != SQLITE_ROW) return cat_fail(cat, "criteria set get");
    out->n_criteria = 0;

    size_t cap = 0;
    if (cat_prepare(cat, "SELECT num,name FROM criteria_groups WHERE set_id=? ORDER BY num", &st))
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        CAT_GROW(out->groups, out->n_groups, cap);
        struct cat_criteria_group *g = &out->groups[out->n_groups++];
        g->num = sqlite3_column_int(st, 0);
        g->name = cat_col_str(st, 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) goto fail;
    cap = 0;
    if (cat_prepare(cat, "SELECT id,group_num,num,title,description,evidence FROM criteria"
                         " WHERE set_id=? ORDER BY num", &st))
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        CAT_GROW(out->criteria, out->n_criteria, cap);
        struct cat_criterion *c = &out->criteria[out->n_criteria++];
        c->id = sqlite3_column_int64(st, 0);
        c->group_num = sqlite3_column_int(st, 1);
        c->num = sqlite3_column_int(st, 2);
        c->title = cat_col_str(st, 3);
        c->description = cat_col_str(st, 4);
        c->evidence = cat_col_str(st, 5);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) goto fail;
    return 0;
fail:
    cat_criteria_set_clear(out);
    return cat_fail(cat, "criteria set get");
}

int catalog_criteria_set_in_use(catalog_t *cat, int64_t id, bool *in_use)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT EXISTS(SELECT 1 FROM programme_wards WHERE set_id=?1)"
                         " OR EXISTS(SELECT 1 FROM assessments a JOIN criteria c"
                         " ON c.id=a.criterion_id WHERE c.set_id=?1)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *in_use = sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : cat_fail(cat, "criteria set in use");
}

int catalog_criteria_set_max_version(catalog_t *cat, const char *family, int *version)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT COALESCE(MAX(version),0) FROM criteria_sets WHERE family=?", &st))
        return WW_EDB;
    cat_bind_str(st, 1, family);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : cat_fail(cat, "criteria set version");
}

int catalog_criteria_set_for_year(catalog_t *cat, int year, int64_t *id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT id FROM criteria_sets WHERE ?1 BETWEEN year_from AND year_to"
                         " ORDER BY id DESC LIMIT 1", &st))
        return WW_EDB;
    sqlite3_bind_int(st, 1, year);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "criteria set for year");
}

int catalog_criteria_set_count(catalog_t *cat, int64_t *n)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT COUNT(*) FROM criteria_sets", &st)) return WW_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : cat_fail(cat, "criteria set count");
}
