/*
 * rows.c — the catalog's one way to run a statement: prepare, bind, step,
 * map, grow (declared in internal.h).
 *
 * Each area file describes its row struct once, as a table of columns
 * (struct catalog_row_map), and passes a statement's parameters as one list
 * (struct catalog_arg, built by CATALOG_ARG & co.); reading one row, a list,
 * clearing a row, and writing are then the same code for every table, so a
 * new column is one line in one table.  Rows handed out belong to the
 * caller (catalog_row_clear / catalog_rows_free, or the area's *_clear / *_free);
 * like the rest of the catalog, a connection is used by one thread at a
 * time.
 */
#include "catalog/internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const struct catalog_col i64_col[] = {{CATALOG_COL_I64, 0}};
static const struct catalog_col int_col[] = {{CATALOG_COL_INT, 0}};
static const struct catalog_col bool_col[] = {{CATALOG_COL_BOOL, 0}};
static const struct catalog_col str_col[] = {{CATALOG_COL_STR, 0}};
const struct catalog_row_map catalog_i64_map = {sizeof(int64_t), i64_col, 1, NULL, NULL};
const struct catalog_row_map catalog_int_map = {sizeof(int), int_col, 1, NULL, NULL};
const struct catalog_row_map catalog_bool_map = {sizeof(bool), bool_col, 1, NULL, NULL};
const struct catalog_row_map catalog_str_map = {sizeof(char *), str_col, 1, NULL, NULL};

/* Columns the table reads (CATALOG_COL_IS_SET only looks at the next one).
 * Used by an assert only, so unused where NDEBUG compiles asserts out. */
static __attribute__((unused)) int table_columns(const struct catalog_row_map *m)
{
    int n = 0;
    for (size_t i = 0; i < m->n; i++) n += m->col[i].kind != CATALOG_COL_IS_SET;
    return n;
}

void catalog_row_map(const struct catalog_row_map *m, sqlite3_stmt *st, void *row)
{
    /* a SELECT list and its table out of step would put every later column
     * in the wrong field: catch it in the Debug build */
    assert(m->fill ? sqlite3_column_count(st) >= table_columns(m)
                   : sqlite3_column_count(st) == table_columns(m));
    char *base = row;
    int c = 0;
    for (size_t i = 0; i < m->n; i++) {
        void *f = base + m->col[i].off;
        switch (m->col[i].kind) {
        case CATALOG_COL_I64: *(int64_t *)f = sqlite3_column_int64(st, c++); break;
        case CATALOG_COL_INT: *(int *)f = sqlite3_column_int(st, c++); break;
        case CATALOG_COL_BOOL: *(bool *)f = sqlite3_column_int(st, c++) != 0; break;
        case CATALOG_COL_DBL: *(double *)f = sqlite3_column_double(st, c++); break;
        case CATALOG_COL_SIZE: *(size_t *)f = (size_t)sqlite3_column_int64(st, c++); break;
        case CATALOG_COL_STR: *(char **)f = catalog_col_str(st, c++); break;
        case CATALOG_COL_DIR:
            *(double *)f = sqlite3_column_type(st, c) == SQLITE_NULL ? -1 : sqlite3_column_double(st, c);
            c++;
            break;
        case CATALOG_COL_IS_SET: *(bool *)f = sqlite3_column_type(st, c) != SQLITE_NULL; break;
        case CATALOG_COL_SKIP: c++; break;
        }
    }
    if (m->fill) m->fill(st, row);
}

void catalog_row_clear(const struct catalog_row_map *m, void *row)
{
    if (!row) return;
    if (m->release) m->release(row);
    for (size_t i = 0; i < m->n; i++)
        if (m->col[i].kind == CATALOG_COL_STR) free(*(char **)((char *)row + m->col[i].off));
    memset(row, 0, m->size);
}

void catalog_rows_free(const struct catalog_row_map *m, void *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) catalog_row_clear(m, (char *)v + i * m->size);
    free(v);
}

int catalog_row_one(catalog_t *cat, sqlite3_stmt *st, const struct catalog_row_map *m, void *row,
                const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) catalog_row_map(m, st, row);
    /* the message is read before finalize could run anything else */
    int out = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : catalog_fail(cat, what);
    sqlite3_finalize(st);
    return out;
}

int catalog_row_by_id(catalog_t *cat, const char *sql, int64_t id, const struct catalog_row_map *m,
                  void *row, const char *what)
{
    memset(row, 0, m->size);
    return CATALOG_ONE(cat, what, m, row, sql, CATALOG_ARG(id));
}

int catalog_rows(catalog_t *cat, sqlite3_stmt *st, const struct catalog_row_map *m, const char *what,
             void *out, size_t *n)
{
    assert(m->size > 0);
    char *v = NULL;
    size_t k = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            cap = cap ? cap * 2 : 16;
            v = ww_realloc(v, cap * m->size);
        }
        memset(v + k * m->size, 0, m->size);
        catalog_row_map(m, st, v + k * m->size);
        k++;
    }
    int ret = rc == SQLITE_DONE ? 0 : catalog_fail(cat, what);
    sqlite3_finalize(st);
    if (ret) {
        catalog_rows_free(m, v, k);
        v = NULL;
        k = 0;
    }
    /* memcpy, not a store through void **: the caller's pointer has its own type */
    memcpy(out, &v, sizeof v);
    *n = k;
    return ret;
}

int catalog_prepare_buf(catalog_t *cat, struct ww_buf *sql, sqlite3_stmt **st)
{
    ww_buf_append(sql, "", 1);
    int rc = catalog_prepare(cat, (const char *)sql->data, st);
    ww_buf_free(sql);
    return rc ? WW_EDB : 0;
}

void catalog_bind_args(sqlite3_stmt *st, int first, const struct catalog_arg *a, size_t n)
{
    /* more values than the statement has parameters is a caller's slip */
    assert(first >= 1 && first - 1 + (int)n <= sqlite3_bind_parameter_count(st));
    for (size_t i = 0; i < n; i++) {
        int at = first + (int)i;
        switch (a[i].kind) {
        case CATALOG_ARG_I64:
            sqlite3_bind_int64(st, at, a[i].i);
            break;
        case CATALOG_ARG_DBL:
            sqlite3_bind_double(st, at, a[i].d);
            break;
        case CATALOG_ARG_STR:
            sqlite3_bind_text(st, at, a[i].s, -1, SQLITE_TRANSIENT);
            break;
        case CATALOG_ARG_BLOB:
            sqlite3_bind_blob(st, at, a[i].s, (int)a[i].i, SQLITE_TRANSIENT);
            break;
        case CATALOG_ARG_NULL:
            sqlite3_bind_null(st, at);
            break;
        }
    }
}

int catalog_prepare_args(catalog_t *cat, const char *sql, sqlite3_stmt **st, const struct catalog_arg *a,
                     size_t n)
{
    if (catalog_prepare(cat, sql, st)) return WW_EDB;
    catalog_bind_args(*st, 1, a, n);
    return 0;
}

int catalog_run_args(catalog_t *cat, const char *what, int refused, const char *sql,
                 const struct catalog_arg *a, size_t n)
{
    sqlite3_stmt *st;
    if (catalog_prepare_args(cat, sql, &st, a, n)) return WW_EDB;
    return catalog_step_done(cat, st, what, refused);
}

int catalog_insert_args(catalog_t *cat, const char *what, int refused, int64_t *id, const char *sql,
                    const struct catalog_arg *a, size_t n)
{
    sqlite3_stmt *st;
    if (catalog_prepare_args(cat, sql, &st, a, n)) return WW_EDB;
    return catalog_insert_done(cat, st, what, refused, id);
}

int catalog_row_one_args(catalog_t *cat, const char *what, const struct catalog_row_map *m, void *row,
                     const char *sql, const struct catalog_arg *a, size_t n)
{
    sqlite3_stmt *st;
    if (catalog_prepare_args(cat, sql, &st, a, n)) return WW_EDB;
    return catalog_row_one(cat, st, m, row, what);
}

int catalog_rows_args(catalog_t *cat, const char *what, const struct catalog_row_map *m, void *out,
                  size_t *n, const char *sql, const struct catalog_arg *a, size_t na)
{
    sqlite3_stmt *st;
    void *none = NULL;
    memcpy(out, &none, sizeof none);
    *n = 0;
    if (catalog_prepare_args(cat, sql, &st, a, na)) return WW_EDB;
    return catalog_rows(cat, st, m, what, out, n);
}

int catalog_changed(catalog_t *cat) { return sqlite3_changes(cat->db) ? 0 : WW_ENOTFOUND; }

int catalog_insert_done(catalog_t *cat, sqlite3_stmt *st, const char *what, int refused, int64_t *id)
{
    int rc = catalog_step_done(cat, st, what, refused);
    if (!rc && id) *id = sqlite3_last_insert_rowid(cat->db);
    return rc;
}
