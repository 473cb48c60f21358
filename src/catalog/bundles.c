/*
 * bundles.c — evidence bundles (evidence_bundles, evidence_bundle_items).
 * Part of the community-camera network (surface: cat_community.h; owner:
 * community/; tables in schema/003_consent.sql, 040_community.sql).
 */
#include "catalog/cat_community.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

static const struct catalog_row_map item_map =
    CATALOG_MAP(struct catalog_bundle_item, NULL, NULL, camera_id, export_id, status, reason);

static void bundle_release(void *row)
{
    struct catalog_bundle *b = row;
    catalog_rows_free(&item_map, b->items, b->n_items);
}

#define BUNDLE_COLS                                                                       \
    "id,created_us,user_id,username,latitude,longitude,radius_m,from_us,to_us,dir,manifest," \
    "manifest_sha256"

static const struct catalog_row_map bundle_map =
    CATALOG_MAP(struct catalog_bundle, NULL, bundle_release, id, created_us, user_id, username,
                latitude, longitude, radius_m, from_us, to_us, dir, manifest, manifest_sha256);

CATALOG_ROW_CLEAR_FN(bundle_map, struct catalog_bundle, catalog_bundle_clear)
CATALOG_LIST_FREE_FN(bundle_map, struct catalog_bundle, catalog_bundle_list_free)

int catalog_bundle_add(catalog_t *cat, struct catalog_bundle *b)
{
    int rc;
    bool own = catalog_own_txn_begin(cat, &rc);
    if (rc) return rc;
    if (!b->created_us) b->created_us = ww_wall_us();
    rc = CATALOG_INSERT(cat, "bundle add", WW_EINVAL, &b->id,
                    "INSERT INTO evidence_bundles(created_us,user_id,username,latitude,longitude,"
                    "radius_m,from_us,to_us,dir,manifest,manifest_sha256)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    CATALOG_ARG(b->created_us), CATALOG_ID(b->user_id),
                    catalog_arg_str(b->username ? b->username : "unknown"), catalog_arg_dbl(b->latitude),
                    catalog_arg_dbl(b->longitude), catalog_arg_dbl(b->radius_m), CATALOG_ARG(b->from_us),
                    CATALOG_ARG(b->to_us), catalog_arg_str(b->dir), catalog_arg_str(b->manifest),
                    catalog_arg_str(b->manifest_sha256));
    for (size_t i = 0; !rc && i < b->n_items; i++) {
        const struct catalog_bundle_item *it = &b->items[i];
        rc = CATALOG_RUN(cat, "bundle item add", WW_EINVAL,
                     "INSERT INTO evidence_bundle_items(bundle_id,seq,camera_id,export_id,"
                     "status,reason) VALUES (?,?,?,?,?,?)",
                     CATALOG_ARG(b->id), CATALOG_ARG(i), CATALOG_ARG(it->camera_id), CATALOG_ID(it->export_id),
                     catalog_arg_str(it->status), catalog_arg_str(it->reason));
    }
    return catalog_own_txn_end(cat, own, rc);
}

static int bundle_items(catalog_t *cat, struct catalog_bundle *b)
{
    return CATALOG_LIST(cat, "bundle items", &item_map, &b->items, &b->n_items,
                    "SELECT camera_id, export_id, status, reason FROM evidence_bundle_items"
                    " WHERE bundle_id=? ORDER BY seq",
                    CATALOG_ARG(b->id));
}

int catalog_bundle_get(catalog_t *cat, int64_t id, struct catalog_bundle *out)
{
    int rc = catalog_row_by_id(cat, "SELECT " BUNDLE_COLS " FROM evidence_bundles WHERE id=?", id,
                           &bundle_map, out, "bundle get");
    if (rc) return rc;
    if ((rc = bundle_items(cat, out))) catalog_bundle_clear(out);
    return rc;
}

int catalog_bundle_list(catalog_t *cat, size_t limit, struct catalog_bundle **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (CATALOG_PREPARE(cat, "SELECT " BUNDLE_COLS " FROM evidence_bundles ORDER BY id DESC LIMIT ?",
                    &st, CATALOG_ARG(limit ? (sqlite3_int64)limit : 100)))
        return WW_EDB;
    int rc = catalog_rows(cat, st, &bundle_map, "bundle list", out, n);
    if (rc) return rc;
    for (size_t i = 0; i < *n; i++)
        if ((rc = bundle_items(cat, &(*out)[i]))) {
            catalog_bundle_list_free(*out, *n);
            *out = NULL;
            *n = 0;
            return rc;
        }
    return 0;
}
