/*
 * incident_categories.c — incident figures, categories (incident_categories).
 * Part of the ward's work (surface: cat_ward_work.h; owner: ward/; tables in
 * schema/030_incidents.sql, 031_criteria.sql).  Validation beyond the SQL
 * constraints is ward/'s; multi-row writes assume the caller's transaction.
 */
#include "catalog/cat_ward_work.h"
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const figure_names[] = {"suspects", "drug_grams", "deaths", "injuries",
                                           "damage_vnd"};

const char *cat_figure_name(unsigned bit)
{
    for (unsigned i = 0; i < 5; i++)
        if (bit == (1u << i)) return figure_names[i];
    return NULL;
}

int cat_figures_parse(const char *s, unsigned *mask)
{
    *mask = 0;
    if (!s) return 0;
    const char *p = s;
    while (*p) {
        while (*p == ',' || *p == ' ') p++;
        if (!*p) break;
        size_t len = strcspn(p, ", ");
        unsigned bit = 0;
        for (unsigned i = 0; i < 5; i++)
            if (strlen(figure_names[i]) == len && !strncmp(p, figure_names[i], len)) bit = 1u << i;
        if (!bit) return WW_EINVAL;
        *mask |= bit;
        p += len;
    }
    return 0;
}

char *cat_figures_format(unsigned mask)
{
    struct ww_buf b = {0};
    for (unsigned i = 0; i < 5; i++)
        if (mask & (1u << i)) ww_buf_printf(&b, "%s%s", b.len ? "," : "", figure_names[i]);
    ww_buf_append(&b, "", 1);
    return (char *)b.data;
}


void cat_incident_category_clear(struct cat_incident_category *c)
{
    if (!c) return;
    free(c->code); free(c->name_vi); free(c->name_en);
    memset(c, 0, sizeof *c);
}

void cat_incident_category_list_free(struct cat_incident_category *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_incident_category_clear(&v[i]);
    free(v);
}

#define CATG_COLS "id,code,name_vi,name_en,figures,solvable,sort_order,active"

static void category_from_row(sqlite3_stmt *st, void *row)
{
    struct cat_incident_category *c = row;
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    c->code = cat_col_str(st, 1);
    c->name_vi = cat_col_str(st, 2);
    c->name_en = cat_col_str(st, 3);
    const char *f = (const char *)sqlite3_column_text(st, 4);
    if (cat_figures_parse(f, &c->figures)) c->figures = 0;
    c->solvable = sqlite3_column_int(st, 5) != 0;
    c->sort_order = sqlite3_column_int(st, 6);
    c->active = sqlite3_column_int(st, 7) != 0;
}

/* cat_incident_category_clear for cat_rows, which knows rows only as void *. */
static void category_row_clear(void *row) { cat_incident_category_clear(row); }

int catalog_incident_category_list(catalog_t *cat, struct cat_incident_category **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT " CATG_COLS " FROM incident_categories ORDER BY sort_order,id", &st))
        return WW_EDB;
    return CAT_ROWS(cat, st, out, n, category_from_row, category_row_clear, "category list");
}

int catalog_incident_category_get(catalog_t *cat, int64_t id, struct cat_incident_category *out)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " CATG_COLS " FROM incident_categories WHERE id=?", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) category_from_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "category get");
}

int catalog_incident_category_add(catalog_t *cat, struct cat_incident_category *c)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO incident_categories(code,name_vi,name_en,figures,solvable,"
                         "sort_order,active) VALUES(?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    char *figs = cat_figures_format(c->figures);
    cat_bind_str(st, 1, c->code);
    cat_bind_str(st, 2, c->name_vi);
    cat_bind_str(st, 3, c->name_en);
    cat_bind_str(st, 4, figs);
    sqlite3_bind_int(st, 5, c->solvable);
    sqlite3_bind_int(st, 6, c->sort_order);
    sqlite3_bind_int(st, 7, c->active);
    int rc = cat_step_done(cat, st, "category add", WW_ECONFLICT);
    free(figs);
    if (rc == 0) c->id = sqlite3_last_insert_rowid(cat->db);
    return rc;
}

int catalog_incident_category_update(catalog_t *cat, const struct cat_incident_category *c)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "UPDATE incident_categories SET code=?,name_vi=?,name_en=?,figures=?,"
                         "solvable=?,sort_order=?,active=? WHERE id=?", &st))
        return WW_EDB;
    char *figs = cat_figures_format(c->figures);
    cat_bind_str(st, 1, c->code);
    cat_bind_str(st, 2, c->name_vi);
    cat_bind_str(st, 3, c->name_en);
    cat_bind_str(st, 4, figs);
    sqlite3_bind_int(st, 5, c->solvable);
    sqlite3_bind_int(st, 6, c->sort_order);
    sqlite3_bind_int(st, 7, c->active);
    sqlite3_bind_int64(st, 8, c->id);
    int rc = cat_step_done(cat, st, "category update", WW_ECONFLICT);
    free(figs);
    if (rc == 0 && sqlite3_changes(cat->db) == 0) return WW_ENOTFOUND;
    return rc;
}
