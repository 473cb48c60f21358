/*
 * bundles.c — evidence bundles (evidence_bundles, evidence_bundle_items).
 * Part of the community-camera network (surface: cat_community.h; owner:
 * community/; tables in schema/003_consent.sql, 040_community.sql).
 */
#include "catalog/cat_community.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

#define I struct cat_bundle_item
static const struct cat_row_map item_map =
    CAT_ROW_MAP(I, NULL, NULL, CAT_COL(I, camera_id), CAT_COL(I, export_id), CAT_COL(I, status),
                CAT_COL(I, reason));
#undef I

static void bundle_release(void *row)
{
    struct cat_bundle *b = row;
    cat_rows_free(&item_map, b->items, b->n_items);
}

#define BUNDLE_COLS                                                                       \
    "id,created_us,user_id,username,latitude,longitude,radius_m,from_us,to_us,dir,manifest," \
    "manifest_sha256"

#define B struct cat_bundle
static const struct cat_row_map bundle_map =
    CAT_ROW_MAP(B, NULL, bundle_release, CAT_COL(B, id), CAT_COL(B, created_us),
                CAT_COL(B, user_id), CAT_COL(B, username), CAT_COL(B, latitude),
                CAT_COL(B, longitude), CAT_COL(B, radius_m), CAT_COL(B, from_us), CAT_COL(B, to_us),
                CAT_COL(B, dir), CAT_COL(B, manifest), CAT_COL(B, manifest_sha256));
#undef B

void cat_bundle_clear(struct cat_bundle *b) { cat_row_clear(&bundle_map, b); }

void cat_bundle_list_free(struct cat_bundle *v, size_t n) { cat_rows_free(&bundle_map, v, n); }

int catalog_bundle_add(catalog_t *cat, struct cat_bundle *b)
{
    int rc;
    bool own = cat_own_txn_begin(cat, &rc);
    if (rc) return rc;
    if (!b->created_us) b->created_us = ww_wall_us();
    rc = CAT_INSERT(cat, "bundle add", WW_EINVAL, &b->id,
                    "INSERT INTO evidence_bundles(created_us,user_id,username,latitude,longitude,"
                    "radius_m,from_us,to_us,dir,manifest,manifest_sha256)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    CAT_ARG(b->created_us), CAT_ID(b->user_id),
                    cat_arg_str(b->username ? b->username : "unknown"), cat_arg_dbl(b->latitude),
                    cat_arg_dbl(b->longitude), cat_arg_dbl(b->radius_m), CAT_ARG(b->from_us),
                    CAT_ARG(b->to_us), cat_arg_str(b->dir), cat_arg_str(b->manifest),
                    cat_arg_str(b->manifest_sha256));
    for (size_t i = 0; !rc && i < b->n_items; i++) {
        const struct cat_bundle_item *it = &b->items[i];
        rc = CAT_RUN(cat, "bundle item add", WW_EINVAL,
                     "INSERT INTO evidence_bundle_items(bundle_id,seq,camera_id,export_id,"
                     "status,reason) VALUES (?,?,?,?,?,?)",
                     CAT_ARG(b->id), CAT_ARG(i), CAT_ARG(it->camera_id), CAT_ID(it->export_id),
                     cat_arg_str(it->status), cat_arg_str(it->reason));
    }
    return cat_own_txn_end(cat, own, rc);
}

static int bundle_items(catalog_t *cat, struct cat_bundle *b)
{
    return CAT_LIST(cat, "bundle items", &item_map, &b->items, &b->n_items,
                    "SELECT camera_id, export_id, status, reason FROM evidence_bundle_items"
                    " WHERE bundle_id=? ORDER BY seq",
                    CAT_ARG(b->id));
}

int catalog_bundle_get(catalog_t *cat, int64_t id, struct cat_bundle *out)
{
    int rc = cat_row_by_id(cat, "SELECT " BUNDLE_COLS " FROM evidence_bundles WHERE id=?", id,
                           &bundle_map, out, "bundle get");
    if (rc) return rc;
    if ((rc = bundle_items(cat, out))) cat_bundle_clear(out);
    return rc;
}

int catalog_bundle_list(catalog_t *cat, size_t limit, struct cat_bundle **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (CAT_PREPARE(cat, "SELECT " BUNDLE_COLS " FROM evidence_bundles ORDER BY id DESC LIMIT ?",
                    &st, CAT_ARG(limit ? (sqlite3_int64)limit : 100)))
        return WW_EDB;
    int rc = cat_rows(cat, st, &bundle_map, "bundle list", out, n);
    if (rc) return rc;
    for (size_t i = 0; i < *n; i++)
        if ((rc = bundle_items(cat, &(*out)[i]))) {
            cat_bundle_list_free(*out, *n);
            *out = NULL;
            *n = 0;
            return rc;
        }
    return 0;
}
