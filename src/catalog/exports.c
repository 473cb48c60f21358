/* exports.c — the register of evidence exports. */
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

#define EXP_COLS "id,camera_id,stream,from_us,to_us,first_us,last_us,path,bytes,frames,sha256," \
                 "manifest,user_id,username,created_us"

#define E struct cat_export
static const struct cat_col export_cols[] = {
    CAT_COL(E, id), CAT_COL(E, camera_id), CAT_COL(E, stream), CAT_COL(E, from_us),
    CAT_COL(E, to_us), CAT_COL(E, first_us), CAT_COL(E, last_us), CAT_COL(E, path),
    CAT_COL(E, bytes), CAT_COL(E, frames), CAT_COL(E, sha256), CAT_COL(E, manifest),
    CAT_COL(E, user_id), CAT_COL(E, username), CAT_COL(E, created_us),
};
#undef E
static const struct cat_row_map export_map = CAT_ROW_MAP(struct cat_export, export_cols);

void cat_export_clear(struct cat_export *e) { cat_row_clear(&export_map, e); }

void cat_export_list_free(struct cat_export *v, size_t n) { cat_rows_free(&export_map, v, n); }

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
    return cat_insert_done(cat, st, "export add", WW_EDB, &e->id);
}

int catalog_export_get(catalog_t *cat, int64_t id, struct cat_export *out)
{
    return cat_row_by_id(cat, "SELECT " EXP_COLS " FROM exports WHERE id=?", id, &export_map, out,
                         "export get");
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
    return cat_rows(cat, st, &export_map, "export list", out, n);
}
