/*
 * bundles.c — evidence bundles (evidence_bundles, evidence_bundle_items).
 * Part of the community-camera network (surface: cat_community.h; owner:
 * community/; tables in schema/003_consent.sql, 040_community.sql).
 */
#include "catalog/cat_community.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

void cat_bundle_clear(struct cat_bundle *b)
{
    if (!b) return;
    free(b->username);
    free(b->dir);
    free(b->manifest);
    free(b->manifest_sha256);
    for (size_t i = 0; i < b->n_items; i++) {
        free(b->items[i].status);
        free(b->items[i].reason);
    }
    free(b->items);
    memset(b, 0, sizeof *b);
}

void cat_bundle_list_free(struct cat_bundle *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_bundle_clear(&v[i]);
    free(v);
}

int catalog_bundle_add(catalog_t *cat, struct cat_bundle *b)
{
    int rc;
    bool own = cat_own_txn_begin(cat, &rc);
    if (rc) return rc;
    sqlite3_stmt *st;
    if ((rc = cat_prepare(cat, "INSERT INTO evidence_bundles(created_us,user_id,username,latitude,longitude,"
                               "radius_m,from_us,to_us,dir,manifest,manifest_sha256)"
                               " VALUES (?,?,?,?,?,?,?,?,?,?,?)", &st)) == 0) {
        if (!b->created_us) b->created_us = ww_wall_us();
        sqlite3_bind_int64(st, 1, b->created_us);
        cat_bind_id(st, 2, b->user_id);
        cat_bind_str(st, 3, b->username ? b->username : "unknown");
        sqlite3_bind_double(st, 4, b->latitude);
        sqlite3_bind_double(st, 5, b->longitude);
        sqlite3_bind_double(st, 6, b->radius_m);
        sqlite3_bind_int64(st, 7, b->from_us);
        sqlite3_bind_int64(st, 8, b->to_us);
        cat_bind_str(st, 9, b->dir);
        cat_bind_str(st, 10, b->manifest);
        cat_bind_str(st, 11, b->manifest_sha256);
        if ((rc = cat_step_done(cat, st, "bundle add", WW_EINVAL)) == 0) b->id = sqlite3_last_insert_rowid(cat->db);
    }
    for (size_t i = 0; !rc && i < b->n_items; i++) {
        const struct cat_bundle_item *it = &b->items[i];
        if ((rc = cat_prepare(cat, "INSERT INTO evidence_bundle_items(bundle_id,seq,camera_id,export_id,"
                                   "status,reason) VALUES (?,?,?,?,?,?)", &st)))
            break;
        sqlite3_bind_int64(st, 1, b->id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_int64(st, 3, it->camera_id);
        cat_bind_id(st, 4, it->export_id);
        cat_bind_str(st, 5, it->status);
        cat_bind_str(st, 6, it->reason);
        rc = cat_step_done(cat, st, "bundle item add", WW_EINVAL);
    }
    return cat_own_txn_end(cat, own, rc);
}

static int bundle_items(catalog_t *cat, struct cat_bundle *b)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT camera_id, export_id, status, reason FROM evidence_bundle_items"
                         " WHERE bundle_id=? ORDER BY seq", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, b->id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (b->n_items == cap) {
            cap = cap ? cap * 2 : 8;
            b->items = ww_realloc(b->items, cap * sizeof *b->items);
        }
        struct cat_bundle_item *it = &b->items[b->n_items++];
        it->camera_id = sqlite3_column_int64(st, 0);
        it->export_id = sqlite3_column_int64(st, 1);
        it->status = cat_col_str(st, 2);
        it->reason = cat_col_str(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "bundle items");
}

#define BUNDLE_COLS                                                                       \
    "id,created_us,user_id,username,latitude,longitude,radius_m,from_us,to_us,dir,manifest," \
    "manifest_sha256"

static void bundle_row(sqlite3_stmt *st, void *row)
{
    struct cat_bundle *b = row;
    b->id = sqlite3_column_int64(st, 0);
    b->created_us = sqlite3_column_int64(st, 1);
    b->user_id = sqlite3_column_int64(st, 2);
    b->username = cat_col_str(st, 3);
    b->latitude = sqlite3_column_double(st, 4);
    b->longitude = sqlite3_column_double(st, 5);
    b->radius_m = sqlite3_column_double(st, 6);
    b->from_us = sqlite3_column_int64(st, 7);
    b->to_us = sqlite3_column_int64(st, 8);
    b->dir = cat_col_str(st, 9);
    b->manifest = cat_col_str(st, 10);
    b->manifest_sha256 = cat_col_str(st, 11);
}

/* cat_bundle_clear for cat_rows, which knows rows only as void *. */
static void bundle_row_clear(void *row) { cat_bundle_clear(row); }

int catalog_bundle_get(catalog_t *cat, int64_t id, struct cat_bundle *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " BUNDLE_COLS " FROM evidence_bundles WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) bundle_row(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return WW_ENOTFOUND;
    if (rc != SQLITE_ROW) return cat_fail(cat, "bundle get");
    if ((rc = bundle_items(cat, out))) cat_bundle_clear(out);
    return rc;
}

int catalog_bundle_list(catalog_t *cat, size_t limit, struct cat_bundle **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " BUNDLE_COLS " FROM evidence_bundles ORDER BY id DESC LIMIT ?", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, limit ? (sqlite3_int64)limit : 100);
    int rc = CAT_ROWS(cat, st, out, n, bundle_row, bundle_row_clear, "bundle list");
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
