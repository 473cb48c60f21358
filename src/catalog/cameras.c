/*
 * cameras.c — wards, cameras and streams: every statement on the cameras
 * table lives here (the surface is split over catalog.h, cat_users.h for the
 * console's edits and scope, cat_community.h for enabling and the map box).
 *
 * Camera passwords are stored here and handed only to ingest; list output
 * in the CLI and API never includes them (see cli/camera.c, api/cameras.c).
 */
#include "catalog/internal.h"
#include "catalog/cat_community.h"
#include "catalog/cat_users.h"
#include "catalog/cat_ward_work.h"

#include <stdlib.h>
#include <string.h>

void cat_ward_clear(struct cat_ward *w)
{
    if (!w) return;
    free(w->name); free(w->district); free(w->province);
    memset(w, 0, sizeof *w);
}

void cat_ward_list_free(struct cat_ward *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_ward_clear(&v[i]);
    free(v);
}

int catalog_ward_add(catalog_t *cat, struct cat_ward *w)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO wards(name,district,province) VALUES(?,?,?)", &st))
        return WW_EDB;
    cat_bind_str(st, 1, w->name);
    cat_bind_str(st, 2, w->district);
    cat_bind_str(st, 3, w->province);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT) return WW_ECONFLICT;
    if (rc != SQLITE_DONE) return cat_fail(cat, "ward add");
    w->id = sqlite3_last_insert_rowid(cat->db);
    return 0;
}

int catalog_ward_find(catalog_t *cat, const char *name, int64_t *id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT id FROM wards WHERE name=?", &st)) return WW_EDB;
    cat_bind_str(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "ward find");
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

int catalog_ward_list(catalog_t *cat, struct cat_ward **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT id,name,district,province FROM wards ORDER BY id", &st))
        return WW_EDB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) { cap = cap ? cap * 2 : 16; *out = ww_realloc(*out, cap * sizeof **out); }
        struct cat_ward *w = &(*out)[(*n)++];
        w->id = sqlite3_column_int64(st, 0);
        w->name = cat_col_str(st, 1);
        w->district = cat_col_str(st, 2);
        w->province = cat_col_str(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "ward list");
}

void cat_camera_clear(struct cat_camera *c)
{
    if (!c) return;
    free(c->name); free(c->address); free(c->main_url); free(c->sub_url);
    free(c->username);
    if (c->password) { explicit_bzero(c->password, strlen(c->password)); free(c->password); }
    free(c->transport);
    memset(c, 0, sizeof *c);
}

void cat_camera_list_free(struct cat_camera *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_camera_clear(&v[i]);
    free(v);
}

#define CAM_COLS "id,name,address,latitude,longitude,ward_id,main_url,sub_url,username," \
                 "password,transport,enabled,retention_days,direction_deg,created_us,auth_basic_allowed"

static void camera_from_row(sqlite3_stmt *st, void *row)
{
    struct cat_camera *c = row;
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    c->name = cat_col_str(st, 1);
    c->address = cat_col_str(st, 2);
    c->has_pos = sqlite3_column_type(st, 3) != SQLITE_NULL;
    c->latitude = sqlite3_column_double(st, 3);
    c->longitude = sqlite3_column_double(st, 4);
    c->ward_id = sqlite3_column_int64(st, 5);
    c->main_url = cat_col_str(st, 6);
    c->sub_url = cat_col_str(st, 7);
    c->username = cat_col_str(st, 8);
    c->password = cat_col_str(st, 9);
    c->transport = cat_col_str(st, 10);
    c->enabled = sqlite3_column_int(st, 11) != 0;
    c->retention_days = sqlite3_column_int(st, 12);
    c->direction_deg = sqlite3_column_type(st, 13) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 13);
    c->created_us = sqlite3_column_int64(st, 14);
    c->auth_basic_allowed = sqlite3_column_int(st, 15) != 0;
}

/* cat_camera_clear for cat_rows, which knows rows only as void *. */
static void camera_row_clear(void *row) { cat_camera_clear(row); }

/* ---- one device, one row ------------------------------------------------
 * Consent and audit belong to the camera device, so a second row for the
 * same host:port/path would be a camera without its owner's rules.  The
 * key (base/url.c) cannot be computed in SQL, so the rows' URLs are read
 * and compared here: a station has hundreds of cameras, not millions. */

/* Is k (may be NULL) the key of url (may be NULL)? */
static bool key_matches(const char *k, const char *url)
{
    if (!k || !url) return false;
    char *uk;
    if (ww_rtsp_device_key(url, &uk)) return false;
    bool same = !strcmp(k, uk);
    free(uk);
    return same;
}

int catalog_camera_device_owner(catalog_t *cat, const char *main_url, const char *sub_url,
                                int64_t except_id, int64_t *other_id)
{
    *other_id = 0;
    char *mk = NULL, *sk = NULL;
    if (main_url) ww_rtsp_device_key(main_url, &mk);
    if (sub_url) ww_rtsp_device_key(sub_url, &sk);
    if (!mk && !sk) return 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT id,main_url,sub_url FROM cameras WHERE id<>? ORDER BY id", &st)) {
        free(mk); free(sk);
        return WW_EDB;
    }
    sqlite3_bind_int64(st, 1, except_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *m = (const char *)sqlite3_column_text(st, 1);
        const char *s = (const char *)sqlite3_column_text(st, 2);
        if (key_matches(mk, m) || key_matches(mk, s) || key_matches(sk, m) || key_matches(sk, s)) {
            *other_id = sqlite3_column_int64(st, 0);
            break;
        }
    }
    sqlite3_finalize(st);
    free(mk);
    free(sk);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return cat_fail(cat, "camera device");
    return 0;
}

static bool str_eq(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

/* Does row id still hold these URLs?  An edit that leaves them alone is not
 * refused for a twin that was there before the rule (catalogs from before
 * migration 045 may hold some). */
static bool urls_unchanged(catalog_t *cat, const struct cat_camera *c)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT main_url,sub_url FROM cameras WHERE id=?", &st)) return false;
    sqlite3_bind_int64(st, 1, c->id);
    bool same = sqlite3_step(st) == SQLITE_ROW &&
                str_eq((const char *)sqlite3_column_text(st, 0), c->main_url) &&
                str_eq((const char *)sqlite3_column_text(st, 1), c->sub_url);
    sqlite3_finalize(st);
    return same;
}

/* The rule itself, for every writer of the cameras table. */
static int device_free(catalog_t *cat, const struct cat_camera *c, int64_t self)
{
    if (self && urls_unchanged(cat, c)) return 0;
    int64_t other;
    int rc = catalog_camera_device_owner(cat, c->main_url, c->sub_url, self, &other);
    if (rc) return rc;
    return other ? WW_ECONFLICT : 0;
}

int catalog_camera_add(catalog_t *cat, struct cat_camera *c)
{
    int rc = device_free(cat, c, 0);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO cameras(name,address,latitude,longitude,ward_id,main_url,"
                         "sub_url,username,password,transport,enabled,retention_days,"
                         "direction_deg,created_us,auth_basic_allowed)"
                         " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    cat_bind_str(st, 1, c->name);
    cat_bind_str(st, 2, c->address);
    if (c->has_pos) {
        sqlite3_bind_double(st, 3, c->latitude);
        sqlite3_bind_double(st, 4, c->longitude);
    }
    if (c->ward_id > 0) sqlite3_bind_int64(st, 5, c->ward_id);
    cat_bind_str(st, 6, c->main_url);
    cat_bind_str(st, 7, c->sub_url);
    cat_bind_str(st, 8, c->username);
    cat_bind_str(st, 9, c->password);
    cat_bind_str(st, 10, c->transport ? c->transport : "tcp");
    sqlite3_bind_int(st, 11, c->enabled);
    sqlite3_bind_int(st, 12, c->retention_days > 0 ? c->retention_days : 30);
    if (c->direction_deg >= 0) sqlite3_bind_double(st, 13, c->direction_deg);
    c->created_us = c->created_us ? c->created_us : ww_wall_us();
    sqlite3_bind_int64(st, 14, c->created_us);
    sqlite3_bind_int(st, 15, c->auth_basic_allowed);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT) return WW_EINVAL;
    if (rc != SQLITE_DONE) return cat_fail(cat, "camera add");
    c->id = sqlite3_last_insert_rowid(cat->db);
    return 0;
}

int catalog_camera_get(catalog_t *cat, int64_t id, struct cat_camera *out)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " CAM_COLS " FROM cameras WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) camera_from_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "camera get");
}

int catalog_camera_list(catalog_t *cat, struct cat_camera **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT " CAM_COLS " FROM cameras ORDER BY id", &st)) return WW_EDB;
    return CAT_ROWS(cat, st, out, n, camera_from_row, camera_row_clear, "camera list");
}

int catalog_camera_remove(catalog_t *cat, int64_t id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "DELETE FROM cameras WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return cat_fail(cat, "camera remove");
    return sqlite3_changes(cat->db) ? 0 : WW_ENOTFOUND;
}

int catalog_stream_find(catalog_t *cat, int64_t camera_id, const char *kind, int64_t *id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT id FROM streams WHERE camera_id=? AND kind=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    cat_bind_str(st, 2, kind);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "stream find");
}

int catalog_stream_exists(catalog_t *cat, int64_t stream_id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT 1 FROM streams WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, stream_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : cat_fail(cat, "stream exists");
}

int catalog_stream_ensure(catalog_t *cat, int64_t camera_id, const char *kind, int64_t *id)
{
    if (catalog_stream_find(cat, camera_id, kind, id) == 0) return 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT OR IGNORE INTO streams(camera_id,kind) VALUES(?,?)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    cat_bind_str(st, 2, kind);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return cat_fail(cat, "stream add");
    return catalog_stream_find(cat, camera_id, kind, id);
}

/* ---- cameras: console edits --------------------------------------------- */

int catalog_camera_owner_get(catalog_t *cat, int64_t camera_id, int64_t *owner_id)
{
    int64_t ward;
    return catalog_camera_scope(cat, camera_id, &ward, owner_id);
}

int catalog_camera_owner_set(catalog_t *cat, int64_t camera_id, int64_t owner_id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "UPDATE cameras SET owner_id=? WHERE id=?", &st)) return WW_EDB;
    cat_bind_id(st, 1, owner_id);
    sqlite3_bind_int64(st, 2, camera_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return cat_write_fail(cat, rc, "camera owner", CAT_REFUSED_BY_KIND);
    return sqlite3_changes(cat->db) ? 0 : WW_ENOTFOUND;
}

int catalog_camera_update(catalog_t *cat, const struct cat_camera *c)
{
    int rc = device_free(cat, c, c->id);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "UPDATE cameras SET name=?,address=?,latitude=?,longitude=?,ward_id=?,"
                         "main_url=?,sub_url=?,username=?,password=?,transport=?,enabled=?,"
                         "retention_days=?,direction_deg=?,auth_basic_allowed=? WHERE id=?", &st))
        return WW_EDB;
    cat_bind_str(st, 1, c->name);
    cat_bind_str(st, 2, c->address);
    if (c->has_pos) {
        sqlite3_bind_double(st, 3, c->latitude);
        sqlite3_bind_double(st, 4, c->longitude);
    }
    cat_bind_id(st, 5, c->ward_id);
    cat_bind_str(st, 6, c->main_url);
    cat_bind_str(st, 7, c->sub_url);
    cat_bind_str(st, 8, c->username);
    cat_bind_str(st, 9, c->password);
    cat_bind_str(st, 10, c->transport ? c->transport : "tcp");
    sqlite3_bind_int(st, 11, c->enabled);
    sqlite3_bind_int(st, 12, c->retention_days > 0 ? c->retention_days : 30);
    if (c->direction_deg >= 0) sqlite3_bind_double(st, 13, c->direction_deg);
    sqlite3_bind_int(st, 14, c->auth_basic_allowed);
    sqlite3_bind_int64(st, 15, c->id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return cat_write_fail(cat, rc, "camera update", CAT_REFUSED_BY_KIND);
    return sqlite3_changes(cat->db) ? 0 : WW_ENOTFOUND;
}

int catalog_camera_scope(catalog_t *cat, int64_t camera_id, int64_t *ward_id, int64_t *owner_id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT ward_id,owner_id FROM cameras WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *ward_id = sqlite3_column_int64(st, 0);
        *owner_id = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "camera scope");
}

int catalog_camera_ids_scoped(catalog_t *cat, int64_t ward_id, int64_t owner_id, int64_t **out,
                              size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if ((ward_id > 0) == (owner_id > 0)) return WW_EINVAL;
    if (cat_prepare(cat, ward_id > 0 ? "SELECT id FROM cameras WHERE ward_id=? ORDER BY id"
                                     : "SELECT id FROM cameras WHERE owner_id=? ORDER BY id", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, ward_id > 0 ? ward_id : owner_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) { cap = cap ? cap * 2 : 32; *out = ww_realloc(*out, cap * sizeof **out); }
        (*out)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) { free(*out); *out = NULL; *n = 0; return cat_fail(cat, "camera ids"); }
    return 0;
}

/* ---- cameras: enabling and the map ------------------------------------- */

int catalog_camera_set_enabled(catalog_t *cat, int64_t camera_id, bool enabled)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "UPDATE cameras SET enabled=? WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int(st, 1, enabled);
    sqlite3_bind_int64(st, 2, camera_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT) return WW_ECONFLICT; /* the activation gate (040 trigger) */
    if (rc != SQLITE_DONE) return cat_fail(cat, "camera enable");
    return sqlite3_changes(cat->db) ? 0 : WW_ENOTFOUND;
}


void cat_camera_pos_list_free(struct cat_camera_pos *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].name);
        free(v[i].address);
    }
    free(v);
}


int catalog_camera_in_box(catalog_t *cat, double lat_lo, double lat_hi, double lon_lo,
                          double lon_hi, struct cat_camera_pos **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT id, ward_id, owner_id, latitude, longitude, direction_deg, name, address,"
                         " enabled FROM cameras WHERE latitude BETWEEN ?1 AND ?2"
                         " AND longitude BETWEEN ?3 AND ?4 ORDER BY id", &st))
        return WW_EDB;
    sqlite3_bind_double(st, 1, lat_lo);
    sqlite3_bind_double(st, 2, lat_hi);
    sqlite3_bind_double(st, 3, lon_lo);
    sqlite3_bind_double(st, 4, lon_hi);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            *out = ww_realloc(*out, cap * sizeof **out);
        }
        struct cat_camera_pos *c = &(*out)[(*n)++];
        c->id = sqlite3_column_int64(st, 0);
        c->ward_id = sqlite3_column_int64(st, 1);
        c->owner_id = sqlite3_column_int64(st, 2);
        c->latitude = sqlite3_column_double(st, 3);
        c->longitude = sqlite3_column_double(st, 4);
        c->direction_deg = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 5);
        c->name = cat_col_str(st, 6);
        c->address = cat_col_str(st, 7);
        c->enabled = sqlite3_column_int(st, 8);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cat_camera_pos_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return cat_fail(cat, "cameras in box");
    }
    return 0;
}

