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

static const struct catalog_row_map ward_map =
    CATALOG_MAP(struct catalog_ward, NULL, NULL, id, name, district, province);

CATALOG_ROW_CLEAR_FN(ward_map, struct catalog_ward, catalog_ward_clear)
CATALOG_LIST_FREE_FN(ward_map, struct catalog_ward, catalog_ward_list_free)

int catalog_ward_add(catalog_t *cat, struct catalog_ward *w)
{
    return CATALOG_INSERT(cat, "ward add", WW_ECONFLICT, &w->id,
                      "INSERT INTO wards(name,district,province) VALUES(?,?,?)",
                      catalog_arg_str(w->name), catalog_arg_str(w->district), catalog_arg_str(w->province));
}

int catalog_ward_find(catalog_t *cat, const char *name, int64_t *id)
{
    return CATALOG_ONE(cat, "ward find", &catalog_i64_map, id, "SELECT id FROM wards WHERE name=?",
                   catalog_arg_str(name));
}

int catalog_ward_name(catalog_t *cat, int64_t id, char **name)
{
    *name = NULL;
    return catalog_row_by_id(cat, "SELECT name FROM wards WHERE id=?", id, &catalog_str_map, name, "ward name");
}

int catalog_ward_list(catalog_t *cat, struct catalog_ward **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (catalog_prepare(cat, "SELECT id,name,district,province FROM wards ORDER BY id", &st))
        return WW_EDB;
    return catalog_rows(cat, st, &ward_map, "ward list", out, n);
}

#define CAM_COLS "id,name,address,latitude,longitude,ward_id,main_url,sub_url,username," \
                 "password,transport,enabled,retention_days,direction_deg,created_us,auth_basic_allowed," \
                 "snapshot_url,audio"

/* The password is wiped before it is freed: it must not linger in the heap. */
static void camera_release(void *row)
{
    struct catalog_camera *c = row;
    if (c->password) explicit_bzero(c->password, strlen(c->password));
}

#define C struct catalog_camera
static const struct catalog_row_map camera_map = CATALOG_ROW_MAP(
    C, NULL, camera_release, CATALOG_COLS(C, id, name, address), CATALOG_COL_IS_SET(C, has_pos),
    CATALOG_COLS(C, latitude, longitude, ward_id, main_url, sub_url, username, password, transport,
                 enabled, retention_days),
    CATALOG_COL_DIR(C, direction_deg), CATALOG_COLS(C, created_us, auth_basic_allowed, snapshot_url, audio));
#undef C

CATALOG_ROW_CLEAR_FN(camera_map, struct catalog_camera, catalog_camera_clear)
CATALOG_LIST_FREE_FN(camera_map, struct catalog_camera, catalog_camera_list_free)

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
    if (catalog_prepare(cat, "SELECT id,main_url,sub_url FROM cameras WHERE id<>? ORDER BY id", &st)) {
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
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return catalog_fail(cat, "camera device");
    return 0;
}

static bool str_eq(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

/* Does row id still hold these URLs?  An edit that leaves them alone is not
 * refused for a twin that was there before the rule (catalogs from before
 * migration 045 may hold some). */
static bool urls_unchanged(catalog_t *cat, const struct catalog_camera *c)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "SELECT main_url,sub_url FROM cameras WHERE id=?", &st)) return false;
    sqlite3_bind_int64(st, 1, c->id);
    bool same = sqlite3_step(st) == SQLITE_ROW &&
                str_eq((const char *)sqlite3_column_text(st, 0), c->main_url) &&
                str_eq((const char *)sqlite3_column_text(st, 1), c->sub_url);
    sqlite3_finalize(st);
    return same;
}

/* Parameters 1..13 of both writers of a camera row: the columns an add and
 * an edit set alike, with the same defaults. */
static void bind_camera(sqlite3_stmt *st, const struct catalog_camera *c)
{
    CATALOG_BIND(st, 1, catalog_arg_str(c->name), catalog_arg_str(c->address),
             catalog_arg_opt_dbl(c->has_pos, c->latitude), catalog_arg_opt_dbl(c->has_pos, c->longitude),
             CATALOG_ID(c->ward_id), catalog_arg_str(c->main_url), catalog_arg_str(c->sub_url),
             catalog_arg_str(c->username), catalog_arg_str(c->password),
             catalog_arg_str(c->transport ? c->transport : "tcp"), CATALOG_ARG(c->enabled),
             CATALOG_ARG(c->retention_days > 0 ? c->retention_days : 30),
             catalog_arg_opt_dbl(c->direction_deg >= 0, c->direction_deg));
}

/* The rule itself, for every writer of the cameras table. */
static int device_free(catalog_t *cat, const struct catalog_camera *c, int64_t self)
{
    if (self && urls_unchanged(cat, c)) return 0;
    int64_t other;
    int rc = catalog_camera_device_owner(cat, c->main_url, c->sub_url, self, &other);
    if (rc) return rc;
    return other ? WW_ECONFLICT : 0;
}

int catalog_camera_add(catalog_t *cat, struct catalog_camera *c)
{
    int rc = device_free(cat, c, 0);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "INSERT INTO cameras(name,address,latitude,longitude,ward_id,main_url,"
                         "sub_url,username,password,transport,enabled,retention_days,"
                         "direction_deg,created_us,auth_basic_allowed,snapshot_url,audio)"
                         " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    bind_camera(st, c);
    c->created_us = c->created_us ? c->created_us : ww_wall_us();
    CATALOG_BIND(st, 14, CATALOG_ARG(c->created_us), CATALOG_ARG(c->auth_basic_allowed),
                 catalog_arg_str(c->snapshot_url), CATALOG_ARG(c->audio));
    return catalog_insert_done(cat, st, "camera add", WW_EINVAL, &c->id);
}

int catalog_camera_get(catalog_t *cat, int64_t id, struct catalog_camera *out)
{
    return catalog_row_by_id(cat, "SELECT " CAM_COLS " FROM cameras WHERE id=?", id, &camera_map, out,
                         "camera get");
}

int catalog_camera_list(catalog_t *cat, struct catalog_camera **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (catalog_prepare(cat, "SELECT " CAM_COLS " FROM cameras ORDER BY id", &st)) return WW_EDB;
    return catalog_rows(cat, st, &camera_map, "camera list", out, n);
}

int catalog_camera_remove(catalog_t *cat, int64_t id)
{
    int rc = CATALOG_RUN(cat, "camera remove", WW_EDB, "DELETE FROM cameras WHERE id=?", CATALOG_ARG(id));
    return rc ? rc : catalog_changed(cat);
}

int catalog_stream_find(catalog_t *cat, int64_t camera_id, const char *kind, int64_t *id)
{
    return CATALOG_ONE(cat, "stream find", &catalog_i64_map, id,
                   "SELECT id FROM streams WHERE camera_id=? AND kind=?", CATALOG_ARG(camera_id),
                   catalog_arg_str(kind));
}

int catalog_stream_exists(catalog_t *cat, int64_t stream_id)
{
    sqlite3_stmt *st;
    if (CATALOG_PREPARE(cat, "SELECT 1 FROM streams WHERE id=?", &st, CATALOG_ARG(stream_id)))
        return WW_EDB;
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : catalog_fail(cat, "stream exists");
}

int catalog_stream_ensure(catalog_t *cat, int64_t camera_id, const char *kind, int64_t *id)
{
    if (catalog_stream_find(cat, camera_id, kind, id) == 0) return 0;
    int rc = CATALOG_RUN(cat, "stream add", WW_EDB,
                     "INSERT OR IGNORE INTO streams(camera_id,kind) VALUES(?,?)",
                     CATALOG_ARG(camera_id), catalog_arg_str(kind));
    if (rc) return rc;
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
    int rc =
        CATALOG_RUN(cat, "camera owner", CATALOG_REFUSED_BY_KIND,
                "UPDATE cameras SET owner_id=? WHERE id=?", CATALOG_ID(owner_id), CATALOG_ARG(camera_id));
    return rc ? rc : catalog_changed(cat);
}

int catalog_camera_update(catalog_t *cat, const struct catalog_camera *c)
{
    int rc = device_free(cat, c, c->id);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "UPDATE cameras SET name=?,address=?,latitude=?,longitude=?,ward_id=?,"
                         "main_url=?,sub_url=?,username=?,password=?,transport=?,enabled=?,"
                         "retention_days=?,direction_deg=?,auth_basic_allowed=?,snapshot_url=?,audio=? WHERE id=?", &st))
        return WW_EDB;
    bind_camera(st, c);
    CATALOG_BIND(st, 14, CATALOG_ARG(c->auth_basic_allowed), catalog_arg_str(c->snapshot_url),
                 CATALOG_ARG(c->audio), CATALOG_ARG(c->id));
    rc = catalog_step_done(cat, st, "camera update", CATALOG_REFUSED_BY_KIND);
    return rc ? rc : catalog_changed(cat);
}

/* The two keys of a camera's scope, as one row. */
struct scope_row { int64_t ward_id, owner_id; };
static const struct catalog_row_map scope_map =
    CATALOG_MAP(struct scope_row, NULL, NULL, ward_id, owner_id);

int catalog_camera_scope(catalog_t *cat, int64_t camera_id, int64_t *ward_id, int64_t *owner_id)
{
    struct scope_row r;
    int rc = catalog_row_by_id(cat, "SELECT ward_id,owner_id FROM cameras WHERE id=?", camera_id, &scope_map,
                           &r, "camera scope");
    if (!rc) {
        *ward_id = r.ward_id;
        *owner_id = r.owner_id;
    }
    return rc;
}

int catalog_camera_ids_scoped(catalog_t *cat, int64_t ward_id, int64_t owner_id, int64_t **out,
                              size_t *n)
{
    if ((ward_id > 0) == (owner_id > 0)) {
        *out = NULL;
        *n = 0;
        return WW_EINVAL;
    }
    return CATALOG_LIST(cat, "camera ids", &catalog_i64_map, out, n,
                    ward_id > 0 ? "SELECT id FROM cameras WHERE ward_id=? ORDER BY id"
                                : "SELECT id FROM cameras WHERE owner_id=? ORDER BY id",
                    CATALOG_ARG(ward_id > 0 ? ward_id : owner_id));
}

/* ---- cameras: enabling and the map ------------------------------------- */

int catalog_camera_set_enabled(catalog_t *cat, int64_t camera_id, bool enabled)
{
    /* a refusal is the activation gate (040 trigger) */
    int rc = CATALOG_RUN(cat, "camera enable", WW_ECONFLICT, "UPDATE cameras SET enabled=? WHERE id=?",
                     CATALOG_ARG(enabled), CATALOG_ARG(camera_id));
    return rc ? rc : catalog_changed(cat);
}

#define P struct catalog_camera_pos
static const struct catalog_row_map pos_map =
    CATALOG_ROW_MAP(P, NULL, NULL, CATALOG_COLS(P, id, ward_id, owner_id, latitude, longitude),
                    CATALOG_COL_DIR(P, direction_deg), CATALOG_COLS(P, name, address, enabled));
#undef P

CATALOG_LIST_FREE_FN(pos_map, struct catalog_camera_pos, catalog_camera_pos_list_free)

int catalog_camera_in_box(catalog_t *cat, double lat_lo, double lat_hi, double lon_lo,
                          double lon_hi, struct catalog_camera_pos **out, size_t *n)
{
    return CATALOG_LIST(
        cat, "cameras in box", &pos_map, out, n,
        "SELECT id, ward_id, owner_id, latitude, longitude, direction_deg, name, address,"
        " enabled FROM cameras WHERE latitude BETWEEN ?1 AND ?2"
        " AND longitude BETWEEN ?3 AND ?4 ORDER BY id",
        catalog_arg_dbl(lat_lo), catalog_arg_dbl(lat_hi), catalog_arg_dbl(lon_lo), catalog_arg_dbl(lon_hi));
}
