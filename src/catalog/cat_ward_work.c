/*
 * cat_ward_work.c — SQL for the ward's work: incident register, statistics
 * aggregates, criteria programme.  See cat_ward_work.h for the surface and
 * schema/030_incidents.sql, 031_criteria.sql for the tables.
 *
 * Why aggregates look the way they do: statistics for a quarter of a
 * 500,000-incident province with its year-before comparison must come back
 * in well under 100 ms.  Every aggregate filters on (ward_id, occurred_at)
 * or on occurred_at alone and reads only columns held in the matching
 * covering index, so SQLite walks one index range and never the table.
 * Groups are (key, category); "solvable" categories are folded in here in C
 * from the 10-row category table, which is cheaper than a per-row subquery.
 *
 * Invariants: this file validates nothing beyond what SQL constraints say;
 * ward/ does the rules.  Multi-row writes (set + groups + criteria) assume
 * the caller's transaction.
 */
#include "catalog/cat_ward_work.h"
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* small helpers                                                            */

#define GROW(arr, n, cap)                                                   \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            (cap) = (cap) ? (cap) * 2 : 16;                                 \
            (arr) = ww_realloc((arr), (cap) * sizeof *(arr));               \
        }                                                                   \
    } while (0)

static void bind_opt_i64(sqlite3_stmt *st, int idx, bool has, int64_t v)
{
    if (has) sqlite3_bind_int64(st, idx, v);
    else sqlite3_bind_null(st, idx);
}

/* ------------------------------------------------------------------------ */
/* figures                                                                  */

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

int catalog_ward_name(catalog_t *cat, int64_t id, char **name)
{
    sqlite3_stmt *st;
    *name = NULL;
    if (cat_prepare(cat, "SELECT name FROM wards WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *name = cat_col_str(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "ward name");
}

/* ------------------------------------------------------------------------ */
/* categories                                                               */

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

static void category_from_row(sqlite3_stmt *st, struct cat_incident_category *c)
{
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

int catalog_incident_category_list(catalog_t *cat, struct cat_incident_category **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT " CATG_COLS " FROM incident_categories ORDER BY sort_order,id", &st))
        return WW_EDB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(*out, *n, cap);
        category_from_row(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "category list");
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

/* ------------------------------------------------------------------------ */
/* incidents                                                                */

static const char *const status_names[] = {"received", "verifying", "solved", "closed"};

const char *cat_inc_status_name(int s)
{
    return s >= 0 && s < 4 ? status_names[s] : NULL;
}

int cat_inc_status_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, status_names[i])) return i;
    return -1;
}

void cat_incident_clear(struct cat_incident *c)
{
    if (!c) return;
    free(c->address); free(c->summary); free(c->created_by); free(c->updated_by);
    free(c->camera_ids); free(c->export_ids); free(c->ward_name); free(c->category_code);
    memset(c, 0, sizeof *c);
}

void cat_incident_list_free(struct cat_incident *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_incident_clear(&v[i]);
    free(v);
}

#define INC_COLS "i.id,i.ward_id,i.category_id,i.occurred_at,i.address,i.latitude,i.longitude," \
                 "i.summary,i.status,i.suspects,i.drug_grams,i.deaths,i.injuries,i.damage_vnd," \
                 "i.demo,i.created_by,i.created_us,i.updated_by,i.updated_us,w.name,c.code"
#define INC_FROM " FROM incidents i JOIN wards w ON w.id=i.ward_id" \
                 " JOIN incident_categories c ON c.id=i.category_id"

static void incident_from_row(sqlite3_stmt *st, struct cat_incident *c)
{
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    c->ward_id = sqlite3_column_int64(st, 1);
    c->category_id = sqlite3_column_int64(st, 2);
    c->occurred_at = sqlite3_column_int64(st, 3);
    c->address = cat_col_str(st, 4);
    c->has_pos = sqlite3_column_type(st, 5) != SQLITE_NULL && sqlite3_column_type(st, 6) != SQLITE_NULL;
    c->latitude = sqlite3_column_double(st, 5);
    c->longitude = sqlite3_column_double(st, 6);
    c->summary = cat_col_str(st, 7);
    c->status = cat_inc_status_parse((const char *)sqlite3_column_text(st, 8));
    if (c->status < 0) c->status = CAT_INC_RECEIVED;
    static const unsigned bits[] = {CAT_FIG_SUSPECTS, CAT_FIG_DRUG_GRAMS, CAT_FIG_DEATHS,
                                    CAT_FIG_INJURIES, CAT_FIG_DAMAGE};
    for (int i = 0; i < 5; i++)
        if (sqlite3_column_type(st, 9 + i) != SQLITE_NULL) c->has |= bits[i];
    c->suspects = sqlite3_column_int64(st, 9);
    c->drug_grams = sqlite3_column_double(st, 10);
    c->deaths = sqlite3_column_int64(st, 11);
    c->injuries = sqlite3_column_int64(st, 12);
    c->damage_vnd = sqlite3_column_int64(st, 13);
    c->demo = sqlite3_column_int(st, 14) != 0;
    c->created_by = cat_col_str(st, 15);
    c->created_us = sqlite3_column_int64(st, 16);
    c->updated_by = cat_col_str(st, 17);
    c->updated_us = sqlite3_column_int64(st, 18);
    c->ward_name = cat_col_str(st, 19);
    c->category_code = cat_col_str(st, 20);
}

/* Binds the 18 writable columns starting at index 1, in INSERT order. */
static void bind_incident(sqlite3_stmt *st, const struct cat_incident *c)
{
    sqlite3_bind_int64(st, 1, c->ward_id);
    sqlite3_bind_int64(st, 2, c->category_id);
    sqlite3_bind_int64(st, 3, c->occurred_at);
    cat_bind_str(st, 4, c->address);
    if (c->has_pos) {
        sqlite3_bind_double(st, 5, c->latitude);
        sqlite3_bind_double(st, 6, c->longitude);
    } else {
        sqlite3_bind_null(st, 5);
        sqlite3_bind_null(st, 6);
    }
    cat_bind_str(st, 7, c->summary);
    sqlite3_bind_text(st, 8, cat_inc_status_name(c->status) ? cat_inc_status_name(c->status)
                                                            : "received", -1, SQLITE_STATIC);
    bind_opt_i64(st, 9, c->has & CAT_FIG_SUSPECTS, c->suspects);
    if (c->has & CAT_FIG_DRUG_GRAMS) sqlite3_bind_double(st, 10, c->drug_grams);
    else sqlite3_bind_null(st, 10);
    bind_opt_i64(st, 11, c->has & CAT_FIG_DEATHS, c->deaths);
    bind_opt_i64(st, 12, c->has & CAT_FIG_INJURIES, c->injuries);
    bind_opt_i64(st, 13, c->has & CAT_FIG_DAMAGE, c->damage_vnd);
    sqlite3_bind_int(st, 14, c->demo);
    cat_bind_str(st, 15, c->created_by ? c->created_by : "?");
    sqlite3_bind_int64(st, 16, c->created_us ? c->created_us : ww_wall_us());
    cat_bind_str(st, 17, c->updated_by);
    bind_opt_i64(st, 18, c->updated_us != 0, c->updated_us);
}

#define INC_INSERT "INSERT INTO incidents(ward_id,category_id,occurred_at,address,latitude," \
                   "longitude,summary,status,suspects,drug_grams,deaths,injuries,damage_vnd," \
                   "demo,created_by,created_us,updated_by,updated_us)" \
                   " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

static int write_links(catalog_t *cat, const struct cat_incident *c)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "DELETE FROM incident_cameras WHERE incident_id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, c->id);
    int rc = cat_step_done(cat, st, "incident links", WW_ECONFLICT);
    if (rc) return rc;
    if (cat_prepare(cat, "DELETE FROM incident_exports WHERE incident_id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, c->id);
    if ((rc = cat_step_done(cat, st, "incident links", WW_ECONFLICT))) return rc;
    for (size_t i = 0; i < c->n_cameras; i++) {
        if (cat_prepare(cat, "INSERT OR IGNORE INTO incident_cameras VALUES(?,?)", &st)) return WW_EDB;
        sqlite3_bind_int64(st, 1, c->id);
        sqlite3_bind_int64(st, 2, c->camera_ids[i]);
        if ((rc = cat_step_done(cat, st, "incident camera link", WW_ECONFLICT))) return rc;
    }
    for (size_t i = 0; i < c->n_exports; i++) {
        if (cat_prepare(cat, "INSERT OR IGNORE INTO incident_exports VALUES(?,?)", &st)) return WW_EDB;
        sqlite3_bind_int64(st, 1, c->id);
        sqlite3_bind_int64(st, 2, c->export_ids[i]);
        if ((rc = cat_step_done(cat, st, "incident export link", WW_ECONFLICT))) return rc;
    }
    return 0;
}

int catalog_incident_add(catalog_t *cat, struct cat_incident *c)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, INC_INSERT, &st)) return WW_EDB;
    bind_incident(st, c);
    int rc = cat_step_done(cat, st, "incident add", WW_ECONFLICT);
    if (rc) return rc == WW_ECONFLICT ? WW_EINVAL : rc;
    c->id = sqlite3_last_insert_rowid(cat->db);
    return write_links(cat, c);
}

int catalog_incident_update(catalog_t *cat, const struct cat_incident *c)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "UPDATE incidents SET ward_id=?,category_id=?,occurred_at=?,address=?,"
                         "latitude=?,longitude=?,summary=?,status=?,suspects=?,drug_grams=?,"
                         "deaths=?,injuries=?,damage_vnd=?,demo=?,created_by=?,created_us=?,"
                         "updated_by=?,updated_us=? WHERE id=?", &st))
        return WW_EDB;
    bind_incident(st, c);
    sqlite3_bind_int64(st, 19, c->id);
    int rc = cat_step_done(cat, st, "incident update", WW_ECONFLICT);
    if (rc) return rc == WW_ECONFLICT ? WW_EINVAL : rc;
    if (sqlite3_changes(cat->db) == 0) return WW_ENOTFOUND;
    return write_links(cat, c);
}

int catalog_incident_delete(catalog_t *cat, int64_t id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "DELETE FROM incidents WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = cat_step_done(cat, st, "incident delete", WW_ECONFLICT);
    if (rc) return rc;
    return sqlite3_changes(cat->db) ? 0 : WW_ENOTFOUND;
}

static int load_ids(catalog_t *cat, const char *sql, int64_t id, int64_t **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, sql, &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(*out, *n, cap);
        (*out)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "incident links");
}

int catalog_incident_get(catalog_t *cat, int64_t id, struct cat_incident *out)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    if (cat_prepare(cat, "SELECT " INC_COLS INC_FROM " WHERE i.id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) incident_from_row(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return WW_ENOTFOUND;
    if (rc != SQLITE_ROW) return cat_fail(cat, "incident get");
    if ((rc = load_ids(cat, "SELECT camera_id FROM incident_cameras WHERE incident_id=? ORDER BY 1",
                       id, &out->camera_ids, &out->n_cameras)) ||
        (rc = load_ids(cat, "SELECT export_id FROM incident_exports WHERE incident_id=? ORDER BY 1",
                       id, &out->export_ids, &out->n_exports))) {
        cat_incident_clear(out);
        return rc;
    }
    return 0;
}

struct cat_incident_inserter { catalog_t *cat; sqlite3_stmt *st; };

int catalog_incident_inserter_open(catalog_t *cat, struct cat_incident_inserter **out)
{
    struct cat_incident_inserter *ins = ww_calloc(1, sizeof *ins);
    ins->cat = cat;
    if (cat_prepare(cat, INC_INSERT, &ins->st)) { free(ins); *out = NULL; return WW_EDB; }
    *out = ins;
    return 0;
}

int catalog_incident_inserter_add(struct cat_incident_inserter *ins, const struct cat_incident *c)
{
    sqlite3_reset(ins->st);
    sqlite3_clear_bindings(ins->st);
    bind_incident(ins->st, c);
    int rc = sqlite3_step(ins->st);
    if (rc == SQLITE_DONE) return 0;
    if (rc == SQLITE_CONSTRAINT) return WW_EINVAL;
    return cat_fail(ins->cat, "incident insert");
}

void catalog_incident_inserter_close(struct cat_incident_inserter *ins)
{
    if (!ins) return;
    sqlite3_finalize(ins->st);
    free(ins);
}

/* WHERE clause for a filter; binds in the same order via bind_filter. */
static void filter_sql(struct ww_buf *b, const struct cat_incident_filter *f)
{
    ww_buf_printf(b, " WHERE 1");
    if (f->ward_id) ww_buf_printf(b, " AND i.ward_id=?");
    if (f->category_id) ww_buf_printf(b, " AND i.category_id=?");
    if (f->status >= 0) ww_buf_printf(b, " AND i.status=?");
    if (f->from_us) ww_buf_printf(b, " AND i.occurred_at>=?");
    if (f->to_us) ww_buf_printf(b, " AND i.occurred_at<?");
    if (f->text && *f->text)
        ww_buf_printf(b, " AND (i.summary LIKE ? ESCAPE '\\' OR i.address LIKE ? ESCAPE '\\')");
}

static int bind_filter(sqlite3_stmt *st, const struct cat_incident_filter *f)
{
    int i = 1;
    if (f->ward_id) sqlite3_bind_int64(st, i++, f->ward_id);
    if (f->category_id) sqlite3_bind_int64(st, i++, f->category_id);
    if (f->status >= 0) sqlite3_bind_text(st, i++, cat_inc_status_name(f->status), -1, SQLITE_STATIC);
    if (f->from_us) sqlite3_bind_int64(st, i++, f->from_us);
    if (f->to_us) sqlite3_bind_int64(st, i++, f->to_us);
    if (f->text && *f->text) {
        struct ww_buf p = {0};
        ww_buf_append(&p, "%", 1);
        for (const char *s = f->text; *s; s++) {
            if (*s == '%' || *s == '_' || *s == '\\') ww_buf_append(&p, "\\", 1);
            ww_buf_append(&p, s, 1);
        }
        ww_buf_append(&p, "%", 2);
        sqlite3_bind_text(st, i++, (const char *)p.data, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, i++, (const char *)p.data, -1, SQLITE_TRANSIENT);
        ww_buf_free(&p);
    }
    return i;
}

int catalog_incident_search(catalog_t *cat, const struct cat_incident_filter *f,
                            struct cat_incident **out, size_t *n, int64_t *total)
{
    *out = NULL; *n = 0;
    struct ww_buf q = {0};
    sqlite3_stmt *st;
    int rc;
    if (total) {
        ww_buf_printf(&q, "SELECT COUNT(*) FROM incidents i");
        filter_sql(&q, f);
        ww_buf_append(&q, "", 1);
        rc = cat_prepare(cat, (const char *)q.data, &st);
        ww_buf_free(&q);
        if (rc) return WW_EDB;
        bind_filter(st, f);
        rc = sqlite3_step(st);
        *total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) return cat_fail(cat, "incident count");
    }
    ww_buf_printf(&q, "SELECT " INC_COLS INC_FROM);
    filter_sql(&q, f);
    ww_buf_printf(&q, " ORDER BY i.occurred_at DESC, i.id DESC LIMIT ? OFFSET ?");
    ww_buf_append(&q, "", 1);
    rc = cat_prepare(cat, (const char *)q.data, &st);
    ww_buf_free(&q);
    if (rc) return WW_EDB;
    int i = bind_filter(st, f);
    sqlite3_bind_int64(st, i++, f->limit ? (int64_t)f->limit : -1);
    sqlite3_bind_int64(st, i, (int64_t)f->offset);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(*out, *n, cap);
        incident_from_row(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cat_incident_list_free(*out, *n);
        *out = NULL; *n = 0;
        return cat_fail(cat, "incident search");
    }
    return 0;
}

int catalog_incident_each(catalog_t *cat, const struct cat_incident_filter *f,
                          int (*cb)(const struct cat_incident *row, void *arg), void *arg)
{
    struct ww_buf q = {0};
    sqlite3_stmt *st;
    ww_buf_printf(&q, "SELECT " INC_COLS INC_FROM);
    filter_sql(&q, f);
    ww_buf_printf(&q, " ORDER BY i.occurred_at, i.id");
    ww_buf_append(&q, "", 1);
    int rc = cat_prepare(cat, (const char *)q.data, &st);
    ww_buf_free(&q);
    if (rc) return WW_EDB;
    bind_filter(st, f);
    int stop = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct cat_incident row;
        incident_from_row(st, &row);
        stop = cb(&row, arg);
        cat_incident_clear(&row);
        if (stop) break;
    }
    sqlite3_finalize(st);
    if (stop) return stop;
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "incident walk");
}

int catalog_incident_first_time(catalog_t *cat, int64_t *us)
{
    sqlite3_stmt *st;
    *us = 0;
    if (cat_prepare(cat, "SELECT MIN(occurred_at) FROM incidents", &st)) return WW_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *us = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : cat_fail(cat, "incident first");
}

int catalog_incident_delete_demo(catalog_t *cat, int64_t *removed)
{
    int rc = cat_exec(cat, "DELETE FROM incident_history WHERE incident_id IN"
                           " (SELECT id FROM incidents WHERE demo=1)");
    if (rc) return rc;
    if ((rc = cat_exec(cat, "DELETE FROM incidents WHERE demo=1"))) return rc;
    if (removed) *removed = sqlite3_changes(cat->db);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* history                                                                  */

void cat_incident_change_list_free(struct cat_incident_change *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].user_name); free(v[i].action); free(v[i].diff);
    }
    free(v);
}

int catalog_incident_history_add(catalog_t *cat, int64_t incident_id, int64_t at_us,
                                 const char *user, const char *action, const char *diff_json)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO incident_history(incident_id,at_us,user_name,action,diff)"
                         " VALUES(?,?,?,?,?)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, incident_id);
    sqlite3_bind_int64(st, 2, at_us);
    cat_bind_str(st, 3, user);
    cat_bind_str(st, 4, action);
    cat_bind_str(st, 5, diff_json ? diff_json : "{}");
    return cat_step_done(cat, st, "incident history add", WW_ECONFLICT);
}

int catalog_incident_history(catalog_t *cat, int64_t incident_id,
                             struct cat_incident_change **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT id,incident_id,at_us,user_name,action,diff FROM incident_history"
                         " WHERE incident_id=? ORDER BY id", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, incident_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(*out, *n, cap);
        struct cat_incident_change *c = &(*out)[(*n)++];
        c->id = sqlite3_column_int64(st, 0);
        c->incident_id = sqlite3_column_int64(st, 1);
        c->at_us = sqlite3_column_int64(st, 2);
        c->user_name = cat_col_str(st, 3);
        c->action = cat_col_str(st, 4);
        c->diff = cat_col_str(st, 5);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "incident history");
}

/* ------------------------------------------------------------------------ */
/* aggregates                                                               */

int catalog_incident_aggregate(catalog_t *cat, int64_t ward_id, int64_t from_us, int64_t to_us,
                               enum cat_agg_by by, int offset_min,
                               struct cat_incident_agg **out, size_t *n)
{
    *out = NULL; *n = 0;
    const char *key;
    switch (by) {
    case CAT_AGG_TOTAL: key = "0"; break;
    case CAT_AGG_CATEGORY: key = "category_id"; break;
    case CAT_AGG_WARD: key = "ward_id"; break;
    case CAT_AGG_LOCAL_DAY: key = "((occurred_at+?4)/86400000000)"; break;
    default: return WW_EINVAL;
    }
    /* Which categories count as solvable: folded in here, per (key,
     * category) group, rather than with a per-row subquery in SQL. */
    struct cat_incident_category *cats;
    size_t ncats;
    int rc = catalog_incident_category_list(cat, &cats, &ncats);
    if (rc) return rc;
    /* ?4 is the UTC offset in µs: local day = (t + offset) / 1 day.  SQLite's
     * integer division truncates toward zero, which is the floor for every
     * time after 1970 — and incidents are (ward_incident_validate). */
    char *sql = ww_asprintf(
        "SELECT %s AS k, category_id, COUNT(*), SUM(status='solved'),"
        " TOTAL(suspects), TOTAL(deaths), TOTAL(injuries), TOTAL(damage_vnd), TOTAL(drug_grams)"
        " FROM incidents %s WHERE %s occurred_at>=?2 AND occurred_at<?3 GROUP BY k, category_id ORDER BY k",
        key, ward_id ? "INDEXED BY incidents_ward_time" : "INDEXED BY incidents_time",
        ward_id ? "ward_id=?1 AND" : "");
    sqlite3_stmt *st;
    rc = cat_prepare(cat, sql, &st);
    free(sql);
    if (rc) { cat_incident_category_list_free(cats, ncats); return WW_EDB; }
    if (ward_id) sqlite3_bind_int64(st, 1, ward_id);
    sqlite3_bind_int64(st, 2, from_us);
    sqlite3_bind_int64(st, 3, to_us);
    if (by == CAT_AGG_LOCAL_DAY) sqlite3_bind_int64(st, 4, (int64_t)offset_min * 60000000);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t k = sqlite3_column_int64(st, 0), cid = sqlite3_column_int64(st, 1);
        if (*n == 0 || (*out)[*n - 1].key != k) {
            GROW(*out, *n, cap);
            memset(&(*out)[*n], 0, sizeof **out);
            (*out)[(*n)++].key = k;
        }
        struct cat_incident_agg *a = &(*out)[*n - 1];
        bool solvable = false;
        for (size_t i = 0; i < ncats; i++) if (cats[i].id == cid) solvable = cats[i].solvable;
        int64_t cases = sqlite3_column_int64(st, 2), solved = sqlite3_column_int64(st, 3);
        a->cases += cases;
        a->solved += solved;
        if (solvable) { a->solvable_cases += cases; a->solvable_solved += solved; }
        a->suspects += (int64_t)sqlite3_column_double(st, 4);
        a->deaths += (int64_t)sqlite3_column_double(st, 5);
        a->injuries += (int64_t)sqlite3_column_double(st, 6);
        a->damage_vnd += (int64_t)sqlite3_column_double(st, 7);
        a->drug_grams += sqlite3_column_double(st, 8);
    }
    sqlite3_finalize(st);
    cat_incident_category_list_free(cats, ncats);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL; *n = 0;
        return cat_fail(cat, "incident aggregate");
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* criteria sets                                                            */

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
    bind_opt_i64(st, 9, s->replaces_id != 0, s->replaces_id);
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

static void set_from_row(sqlite3_stmt *st, struct cat_criteria_set *s)
{
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

int catalog_criteria_set_list(catalog_t *cat, struct cat_criteria_set **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT " SET_COLS " FROM criteria_sets s ORDER BY s.family,s.version", &st))
        return WW_EDB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(*out, *n, cap);
        set_from_row(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "criteria set list");
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
        GROW(out->groups, out->n_groups, cap);
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
        GROW(out->criteria, out->n_criteria, cap);
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

/* ------------------------------------------------------------------------ */
/* programme registration                                                   */

void cat_programme_ward_list_free(struct cat_programme_ward *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) { free(v[i].registered_by); free(v[i].ward_name); }
    free(v);
}

int catalog_programme_register(catalog_t *cat, const struct cat_programme_ward *p)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO programme_wards(ward_id,year,set_id,registered_us,registered_by)"
                         " VALUES(?,?,?,?,?)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, p->ward_id);
    sqlite3_bind_int(st, 2, p->year);
    sqlite3_bind_int64(st, 3, p->set_id);
    sqlite3_bind_int64(st, 4, p->registered_us ? p->registered_us : ww_wall_us());
    cat_bind_str(st, 5, p->registered_by ? p->registered_by : "?");
    return cat_step_done(cat, st, "programme register", WW_ECONFLICT);
}

int catalog_programme_list(catalog_t *cat, int year, int64_t ward_id,
                           struct cat_programme_ward **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT p.ward_id,p.year,p.set_id,p.registered_us,p.registered_by,w.name"
                         " FROM programme_wards p JOIN wards w ON w.id=p.ward_id"
                         " WHERE (?1=0 OR p.year=?1) AND (?2=0 OR p.ward_id=?2)"
                         " ORDER BY p.year,w.id", &st))
        return WW_EDB;
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_int64(st, 2, ward_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(*out, *n, cap);
        struct cat_programme_ward *p = &(*out)[(*n)++];
        p->ward_id = sqlite3_column_int64(st, 0);
        p->year = sqlite3_column_int(st, 1);
        p->set_id = sqlite3_column_int64(st, 2);
        p->registered_us = sqlite3_column_int64(st, 3);
        p->registered_by = cat_col_str(st, 4);
        p->ward_name = cat_col_str(st, 5);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "programme list");
}

/* ------------------------------------------------------------------------ */
/* assessments                                                              */

static const char *const side_names[] = {"self", "review"};
static const char *const result_names[] = {"met", "not_met", "in_progress"};

const char *cat_side_name(int s) { return s >= 0 && s < 2 ? side_names[s] : NULL; }
const char *cat_result_name(int r) { return r >= 0 && r < 3 ? result_names[r] : NULL; }
int cat_side_parse(const char *s)
{
    for (int i = 0; s && i < 2; i++) if (!strcmp(s, side_names[i])) return i;
    return -1;
}
int cat_result_parse(const char *s)
{
    for (int i = 0; s && i < 3; i++) if (!strcmp(s, result_names[i])) return i;
    return -1;
}

void cat_assessment_clear(struct cat_assessment *a)
{
    if (!a) return;
    free(a->notes); free(a->assessor); free(a->assessed_on);
    memset(a, 0, sizeof *a);
}

void cat_assessment_list_free(struct cat_assessment *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_assessment_clear(&v[i]);
    free(v);
}

int catalog_assessment_add(catalog_t *cat, struct cat_assessment *a)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO assessments(ward_id,year,criterion_id,side,result,notes,"
                         "assessor,assessed_on,at_us) VALUES(?,?,?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    if (!a->at_us) a->at_us = ww_wall_us();
    sqlite3_bind_int64(st, 1, a->ward_id);
    sqlite3_bind_int(st, 2, a->year);
    sqlite3_bind_int64(st, 3, a->criterion_id);
    cat_bind_str(st, 4, cat_side_name(a->side));
    cat_bind_str(st, 5, cat_result_name(a->result));
    cat_bind_str(st, 6, a->notes);
    cat_bind_str(st, 7, a->assessor);
    cat_bind_str(st, 8, a->assessed_on);
    sqlite3_bind_int64(st, 9, a->at_us);
    int rc = cat_step_done(cat, st, "assessment add", WW_ECONFLICT);
    if (rc == 0) a->id = sqlite3_last_insert_rowid(cat->db);
    return rc == WW_ECONFLICT ? WW_EINVAL : rc;
}

#define ASM_COLS "a.id,a.ward_id,a.year,a.criterion_id,a.side,a.result,a.notes,a.assessor," \
                 "a.assessed_on,a.at_us,c.num"

static void assessment_from_row(sqlite3_stmt *st, struct cat_assessment *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->ward_id = sqlite3_column_int64(st, 1);
    a->year = sqlite3_column_int(st, 2);
    a->criterion_id = sqlite3_column_int64(st, 3);
    a->side = cat_side_parse((const char *)sqlite3_column_text(st, 4));
    a->result = cat_result_parse((const char *)sqlite3_column_text(st, 5));
    a->notes = cat_col_str(st, 6);
    a->assessor = cat_col_str(st, 7);
    a->assessed_on = cat_col_str(st, 8);
    a->at_us = sqlite3_column_int64(st, 9);
    a->criterion_num = sqlite3_column_int(st, 10);
}

static int assessment_query(catalog_t *cat, const char *sql, int year, int64_t ward_id,
                            struct cat_assessment **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, sql, &st)) return WW_EDB;
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_int64(st, 2, ward_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(*out, *n, cap);
        assessment_from_row(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cat_assessment_list_free(*out, *n);
        *out = NULL; *n = 0;
        return cat_fail(cat, "assessments");
    }
    return 0;
}

int catalog_assessment_get(catalog_t *cat, int64_t id, struct cat_assessment *out)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " ASM_COLS " FROM assessments a JOIN criteria c"
                         " ON c.id=a.criterion_id WHERE a.id=?", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) assessment_from_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "assessment get");
}

int catalog_assessment_current(catalog_t *cat, int year, int64_t ward_id,
                               struct cat_assessment **out, size_t *n)
{
    return assessment_query(
        cat,
        "SELECT " ASM_COLS " FROM assessments a JOIN criteria c ON c.id=a.criterion_id"
        " WHERE a.year=?1 AND (?2=0 OR a.ward_id=?2) AND a.id=(SELECT MAX(b.id) FROM assessments b"
        "  WHERE b.year=a.year AND b.ward_id=a.ward_id AND b.criterion_id=a.criterion_id"
        "  AND b.side=a.side)"
        " ORDER BY a.ward_id,c.num,a.side",
        year, ward_id, out, n);
}

int catalog_assessment_history(catalog_t *cat, int year, int64_t ward_id,
                               struct cat_assessment **out, size_t *n)
{
    return assessment_query(
        cat,
        "SELECT " ASM_COLS " FROM assessments a JOIN criteria c ON c.id=a.criterion_id"
        " WHERE (?1=0 OR a.year=?1) AND (?2=0 OR a.ward_id=?2) ORDER BY a.id",
        year, ward_id, out, n);
}

void cat_assessment_file_list_free(struct cat_assessment_file *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].file_name); free(v[i].stored_path); free(v[i].sha256); free(v[i].added_by);
    }
    free(v);
}

int catalog_assessment_file_add(catalog_t *cat, struct cat_assessment_file *f)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO assessment_files(assessment_id,file_name,stored_path,bytes,"
                         "sha256,added_by,added_us) VALUES(?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    if (!f->added_us) f->added_us = ww_wall_us();
    sqlite3_bind_int64(st, 1, f->assessment_id);
    cat_bind_str(st, 2, f->file_name);
    cat_bind_str(st, 3, f->stored_path);
    sqlite3_bind_int64(st, 4, f->bytes);
    cat_bind_str(st, 5, f->sha256);
    cat_bind_str(st, 6, f->added_by);
    sqlite3_bind_int64(st, 7, f->added_us);
    int rc = cat_step_done(cat, st, "assessment file add", WW_ECONFLICT);
    if (rc == 0) f->id = sqlite3_last_insert_rowid(cat->db);
    return rc;
}

static void file_from_row(sqlite3_stmt *st, struct cat_assessment_file *f)
{
    memset(f, 0, sizeof *f);
    f->id = sqlite3_column_int64(st, 0);
    f->assessment_id = sqlite3_column_int64(st, 1);
    f->file_name = cat_col_str(st, 2);
    f->stored_path = cat_col_str(st, 3);
    f->bytes = sqlite3_column_int64(st, 4);
    f->sha256 = cat_col_str(st, 5);
    f->added_by = cat_col_str(st, 6);
    f->added_us = sqlite3_column_int64(st, 7);
}

#define FILE_COLS "f.id,f.assessment_id,f.file_name,f.stored_path,f.bytes,f.sha256,f.added_by,f.added_us"

int catalog_assessment_files(catalog_t *cat, int64_t ward_id, int year,
                             struct cat_assessment_file **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT " FILE_COLS " FROM assessment_files f JOIN assessments a"
                         " ON a.id=f.assessment_id WHERE a.ward_id=? AND a.year=? ORDER BY f.id", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, ward_id);
    sqlite3_bind_int(st, 2, year);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(*out, *n, cap);
        file_from_row(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "assessment files");
}

int catalog_assessment_file_get(catalog_t *cat, int64_t id, struct cat_assessment_file *out)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " FILE_COLS " FROM assessment_files f WHERE f.id=?", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) file_from_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "assessment file get");
}

/* ------------------------------------------------------------------------ */
/* recognition                                                              */

void cat_recognition_list_free(struct cat_recognition *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].decision_no); free(v[i].decision_date); free(v[i].note); free(v[i].recorded_by);
    }
    free(v);
}

int catalog_recognition_add(catalog_t *cat, const struct cat_recognition *r)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO recognitions(ward_id,year,decision_no,decision_date,note,"
                         "recorded_by,recorded_us) VALUES(?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, r->ward_id);
    sqlite3_bind_int(st, 2, r->year);
    cat_bind_str(st, 3, r->decision_no);
    cat_bind_str(st, 4, r->decision_date);
    cat_bind_str(st, 5, r->note);
    cat_bind_str(st, 6, r->recorded_by ? r->recorded_by : "?");
    sqlite3_bind_int64(st, 7, r->recorded_us ? r->recorded_us : ww_wall_us());
    return cat_step_done(cat, st, "recognition add", WW_ECONFLICT);
}

int catalog_recognition_list(catalog_t *cat, int year, struct cat_recognition **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT ward_id,year,decision_no,decision_date,note,recorded_by,recorded_us"
                         " FROM recognitions WHERE (?1=0 OR year=?1) ORDER BY year,ward_id", &st))
        return WW_EDB;
    sqlite3_bind_int(st, 1, year);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        GROW(*out, *n, cap);
        struct cat_recognition *r = &(*out)[(*n)++];
        r->ward_id = sqlite3_column_int64(st, 0);
        r->year = sqlite3_column_int(st, 1);
        r->decision_no = cat_col_str(st, 2);
        r->decision_date = cat_col_str(st, 3);
        r->note = cat_col_str(st, 4);
        r->recorded_by = cat_col_str(st, 5);
        r->recorded_us = sqlite3_column_int64(st, 6);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "recognition list");
}
