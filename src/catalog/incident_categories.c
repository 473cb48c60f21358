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


#define CATG_COLS "id,code,name_vi,name_en,figures,solvable,sort_order,active"

/* figures are stored as a list of names */
static void category_fill(sqlite3_stmt *st, void *row)
{
    struct cat_incident_category *c = row;
    const char *f = (const char *)sqlite3_column_text(st, 4);
    if (cat_figures_parse(f, &c->figures)) c->figures = 0;
}

#define C struct cat_incident_category
static const struct cat_col category_cols[] = {
    CAT_COL(C, id), CAT_COL(C, code), CAT_COL(C, name_vi), CAT_COL(C, name_en), CAT_COL_BY_FILL,
    CAT_COL(C, solvable), CAT_COL(C, sort_order), CAT_COL(C, active),
};
#undef C
static const struct cat_row_map category_map = {sizeof(struct cat_incident_category), category_cols,
                                                sizeof category_cols / sizeof *category_cols,
                                                category_fill, NULL};

void cat_incident_category_clear(struct cat_incident_category *c) { cat_row_clear(&category_map, c); }

void cat_incident_category_list_free(struct cat_incident_category *v, size_t n)
{
    cat_rows_free(&category_map, v, n);
}

/* Parameters 1..7 of the add and the edit: every column but the id. */
static void bind_category(sqlite3_stmt *st, const struct cat_incident_category *c, const char *figs)
{
    cat_bind_str(st, 1, c->code);
    cat_bind_str(st, 2, c->name_vi);
    cat_bind_str(st, 3, c->name_en);
    cat_bind_str(st, 4, figs);
    sqlite3_bind_int(st, 5, c->solvable);
    sqlite3_bind_int(st, 6, c->sort_order);
    sqlite3_bind_int(st, 7, c->active);
}

int catalog_incident_category_list(catalog_t *cat, struct cat_incident_category **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT " CATG_COLS " FROM incident_categories ORDER BY sort_order,id", &st))
        return WW_EDB;
    return cat_rows(cat, st, &category_map, "category list", out, n);
}

int catalog_incident_category_get(catalog_t *cat, int64_t id, struct cat_incident_category *out)
{
    return cat_row_by_id(cat, "SELECT " CATG_COLS " FROM incident_categories WHERE id=?", id,
                         &category_map, out, "category get");
}

int catalog_incident_category_add(catalog_t *cat, struct cat_incident_category *c)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO incident_categories(code,name_vi,name_en,figures,solvable,"
                         "sort_order,active) VALUES(?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    char *figs = cat_figures_format(c->figures);
    bind_category(st, c, figs);
    int rc = cat_insert_done(cat, st, "category add", WW_ECONFLICT, &c->id);
    free(figs);
    return rc;
}

int catalog_incident_category_update(catalog_t *cat, const struct cat_incident_category *c)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "UPDATE incident_categories SET code=?,name_vi=?,name_en=?,figures=?,"
                         "solvable=?,sort_order=?,active=? WHERE id=?", &st))
        return WW_EDB;
    char *figs = cat_figures_format(c->figures);
    bind_category(st, c, figs);
    sqlite3_bind_int64(st, 8, c->id);
    int rc = cat_step_done(cat, st, "category update", WW_ECONFLICT);
    free(figs);
    return rc ? rc : cat_changed(cat);
}
