/* exports.c — the register of evidence exports. */
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

#define EXP_COLS "id,camera_id,stream,from_us,to_us,first_us,last_us,path,bytes,frames,sha256," \
                 "manifest,user_id,username,created_us"

#define E struct cat_export
static const struct cat_row_map export_map = CAT_ROW_MAP(
    E, NULL, NULL, CAT_COL(E, id), CAT_COL(E, camera_id), CAT_COL(E, stream), CAT_COL(E, from_us),
    CAT_COL(E, to_us), CAT_COL(E, first_us), CAT_COL(E, last_us), CAT_COL(E, path),
    CAT_COL(E, bytes), CAT_COL(E, frames), CAT_COL(E, sha256), CAT_COL(E, manifest),
    CAT_COL(E, user_id), CAT_COL(E, username), CAT_COL(E, created_us));
#undef E

void cat_export_clear(struct cat_export *e) { cat_row_clear(&export_map, e); }

void cat_export_list_free(struct cat_export *v, size_t n) { cat_rows_free(&export_map, v, n); }

int catalog_export_add(catalog_t *cat, struct cat_export *e)
{
    return CAT_INSERT(
        cat, "export add", WW_EDB, &e->id,
        "INSERT INTO exports(camera_id,stream,from_us,to_us,first_us,last_us,path,"
        "bytes,frames,sha256,manifest,user_id,username,created_us)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        CAT_ARG(e->camera_id), cat_arg_str(e->stream), CAT_ARG(e->from_us), CAT_ARG(e->to_us),
        CAT_ARG(e->first_us), CAT_ARG(e->last_us), cat_arg_str(e->path), CAT_ARG(e->bytes),
        CAT_ARG(e->frames), cat_arg_str(e->sha256), cat_arg_str(e->manifest), CAT_ID(e->user_id),
        cat_arg_str(e->username), CAT_ARG(e->created_us ? e->created_us : ww_wall_us()));
}

int catalog_export_get(catalog_t *cat, int64_t id, struct cat_export *out)
{
    return cat_row_by_id(cat, "SELECT " EXP_COLS " FROM exports WHERE id=?", id, &export_map, out,
                         "export get");
}

int catalog_export_list(catalog_t *cat, int64_t camera_id, size_t limit, struct cat_export **out,
                        size_t *n)
{
    return CAT_LIST(cat, "export list", &export_map, out, n,
                    "SELECT " EXP_COLS " FROM exports WHERE ?1=0 OR camera_id=?1"
                    " ORDER BY created_us DESC LIMIT ?2",
                    CAT_ARG(camera_id), CAT_ARG((int64_t)limit));
}
