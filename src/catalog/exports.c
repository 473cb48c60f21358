/* exports.c — the register of evidence exports. */
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

void cat_export_clear(struct cat_export *e)
{
    if (!e) return;
    free(e->stream); free(e->path); free(e->sha256); free(e->manifest); free(e->username);
    memset(e, 0, sizeof *e);
}

void cat_export_list_free(struct cat_export *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_export_clear(&v[i]);
    free(v);
}

#define EXP_COLS "id,camera_id,stream,from_us,to_us,first_us,last_us,path,bytes,frames,sha256," \
                 "manifest,user_id,username,created_us"

static void export_from_row(sqlite3_stmt *st, void *row)
{
    struct cat_export *e = row;
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(st, 0);
    e->camera_id = sqlite3_column_int64(st, 1);
    e->stream = cat_col_str(st, 2);
    e->from_us = sqlite3_column_int64(st, 3);
    e->to_us = sqlite3_column_int64(st, 4);
    e->first_us = sqlite3_column_int64(st, 5);
    e->last_us = sqlite3_column_int64(st, 6);
    e->path = cat_col_str(st, 7);
    e->bytes = sqlite3_column_int64(st, 8);
    e->frames = sqlite3_column_int64(st, 9);
    e->sha256 = cat_col_str(st, 10);
    e->manifest = cat_col_str(st, 11);
    e->user_id = sqlite3_column_int64(st, 12);
    e->username = cat_col_str(st, 13);
    e->created_us = sqlite3_column_int64(st, 14);
}

/* cat_export_clear for cat_rows, which knows rows only as void *. */
static void export_row_clear(void *row) { cat_export_clear(row); }

int catalog_export_add(catalog_t *cat, struct cat_export *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO exports(camera_id,stream,from_us,to_us,first_us,last_us,path,"
                         "bytes,frames,sha256,manifest,user_id,username,created_us)"
                         " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, e->camera_id);
    cat_bind_str(st, 2, e->stream);
    sqlite3_bind_int64(st, 3, e->from_us);
    sqlite3_bind_int64(st, 4, e->to_us);
    sqlite3_bind_int64(st, 5, e->first_us);
    sqlite3_bind_int64(st, 6, e->last_us);
    cat_bind_str(st, 7, e->path);
    sqlite3_bind_int64(st, 8, e->bytes);
    sqlite3_bind_int64(st, 9, e->frames);
    cat_bind_str(st, 10, e->sha256);
    cat_bind_str(st, 11, e->manifest);
    if (e->user_id) sqlite3_bind_int64(st, 12, e->user_id);
    cat_bind_str(st, 13, e->username);
    sqlite3_bind_int64(st, 14, e->created_us ? e->created_us : ww_wall_us());
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return cat_fail(cat, "export add");
    e->id = sqlite3_last_insert_rowid(cat->db);
    return 0;
}

int catalog_export_get(catalog_t *cat, int64_t id, struct cat_export *out)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " EXP_COLS " FROM exports WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) export_from_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "export get");
}

int catalog_export_list(catalog_t *cat, int64_t camera_id, size_t limit, struct cat_export **out,
                        size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT " EXP_COLS " FROM exports WHERE ?1=0 OR camera_id=?1"
                         " ORDER BY created_us DESC LIMIT ?2", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    return CAT_ROWS(cat, st, out, n, export_from_row, export_row_clear, "export list");
}
