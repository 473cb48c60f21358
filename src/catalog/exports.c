/* exports.c — the register of evidence exports. */
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

#define EXP_COLS "id,camera_id,stream,from_us,to_us,first_us,last_us,path,bytes,frames,sha256," \
                 "manifest,user_id,username,created_us"

static const struct catalog_row_map export_map =
    CATALOG_MAP(struct catalog_export, NULL, NULL, id, camera_id, stream, from_us, to_us, first_us,
                last_us, path, bytes, frames, sha256, manifest, user_id, username, created_us);

CATALOG_ROW_CLEAR_FN(export_map, struct catalog_export, catalog_export_clear)
CATALOG_LIST_FREE_FN(export_map, struct catalog_export, catalog_export_list_free)

int catalog_export_add(catalog_t *cat, struct catalog_export *e)
{
    return CATALOG_INSERT(
        cat, "export add", WW_EDB, &e->id,
        "INSERT INTO exports(camera_id,stream,from_us,to_us,first_us,last_us,path,"
        "bytes,frames,sha256,manifest,user_id,username,created_us)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        CATALOG_ARG(e->camera_id), catalog_arg_str(e->stream), CATALOG_ARG(e->from_us), CATALOG_ARG(e->to_us),
        CATALOG_ARG(e->first_us), CATALOG_ARG(e->last_us), catalog_arg_str(e->path), CATALOG_ARG(e->bytes),
        CATALOG_ARG(e->frames), catalog_arg_str(e->sha256), catalog_arg_str(e->manifest), CATALOG_ID(e->user_id),
        catalog_arg_str(e->username), CATALOG_ARG(e->created_us ? e->created_us : ww_wall_us()));
}

int catalog_export_get(catalog_t *cat, int64_t id, struct catalog_export *out)
{
    return catalog_row_by_id(cat, "SELECT " EXP_COLS " FROM exports WHERE id=?", id, &export_map, out,
                         "export get");
}

int catalog_export_list(catalog_t *cat, int64_t camera_id, size_t limit, struct catalog_export **out,
                        size_t *n)
{
    return CATALOG_LIST(cat, "export list", &export_map, out, n,
                    "SELECT " EXP_COLS " FROM exports WHERE ?1=0 OR camera_id=?1"
                    " ORDER BY created_us DESC LIMIT ?2",
                    CATALOG_ARG(camera_id), CATALOG_ARG((int64_t)limit));
}

int catalog_export_by_sha256(catalog_t *cat, const char *sha256, struct catalog_export **out, size_t *n)
{
    return CATALOG_LIST(cat, "export by sha256", &export_map, out, n,
                        "SELECT " EXP_COLS " FROM exports WHERE sha256 = lower(?1) ORDER BY id",
                        catalog_arg_str(sha256));
}
