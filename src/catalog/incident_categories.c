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

const char *catalog_figure_name(unsigned bit)
{
    for (unsigned i = 0; i < 5; i++)
        if (bit == (1u << i)) return figure_names[i];
    return NULL;
}

int catalog_figures_parse(const char *s, unsigned *mask)
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

char *catalog_figures_format(unsigned mask)
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
    struct catalog_incident_category *c = row;
    const char *f = (const char *)sqlite3_column_text(st, 4);
    if (catalog_figures_parse(f, &c->figures)) c->figures = 0;
}

#define C struct catalog_incident_category
static const struct catalog_row_map category_map =
    CATALOG_ROW_MAP(C, category_fill, NULL, CATALOG_COLS(C, id, code, name_vi, name_en),
                    CATALOG_COL_BY_FILL, CATALOG_COLS(C, solvable, sort_order, active));
#undef C

CATALOG_ROW_CLEAR_FN(category_map, struct catalog_incident_category, catalog_incident_category_clear)
CATALOG_LIST_FREE_FN(category_map, struct catalog_incident_category, catalog_incident_category_list_free)

/* The add and the edit: every column but the id is ?1..?7, the edit's id
 * ?8; new_id (the add's) gets the new row's id. */
static int category_write(catalog_t *cat, const char *sql, const struct catalog_incident_category *c,
                          const char *what, int64_t *new_id)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, sql, &st)) return WW_EDB;
    char *figs = catalog_figures_format(c->figures);
    CATALOG_BIND(st, 1, catalog_arg_str(c->code), catalog_arg_str(c->name_vi), catalog_arg_str(c->name_en),
             catalog_arg_str(figs), CATALOG_ARG(c->solvable), CATALOG_ARG(c->sort_order), CATALOG_ARG(c->active));
    if (!new_id) CATALOG_BIND(st, 8, CATALOG_ARG(c->id));
    int rc = catalog_insert_done(cat, st, what, WW_ECONFLICT, new_id);
    free(figs);
    return rc;
}

int catalog_incident_category_list(catalog_t *cat, struct catalog_incident_category **out, size_t *n)
{
    return catalog_rows_args(cat, "category list", &category_map, out, n,
                         "SELECT " CATG_COLS " FROM incident_categories ORDER BY sort_order,id",
                         NULL, 0);
}

int catalog_incident_category_get(catalog_t *cat, int64_t id, struct catalog_incident_category *out)
{
    return catalog_row_by_id(cat, "SELECT " CATG_COLS " FROM incident_categories WHERE id=?", id,
                         &category_map, out, "category get");
}

int catalog_incident_category_add(catalog_t *cat, struct catalog_incident_category *c)
{
    return category_write(cat,
                          "INSERT INTO incident_categories(code,name_vi,name_en,figures,solvable,"
                          "sort_order,active) VALUES(?,?,?,?,?,?,?)",
                          c, "category add", &c->id);
}

int catalog_incident_category_update(catalog_t *cat, const struct catalog_incident_category *c)
{
    int rc = category_write(cat,
                            "UPDATE incident_categories SET code=?,name_vi=?,name_en=?,figures=?,"
                            "solvable=?,sort_order=?,active=? WHERE id=?",
                            c, "category update", NULL);
    return rc ? rc : catalog_changed(cat);
}
