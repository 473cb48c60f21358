/*
 * map.c — the offline map (issue 17 item 8): tiles from the MBTiles file the
 * station was given, and a search over the places the station knows.
 *
 *   GET /api/v1/map/offline           {"available", "name", "format", "minzoom", "maxzoom",
 *                                      "bounds", "center", "attribution", "tiles",
 *                                      "tile_url"} — whether DATA/map.mbtiles is there
 *   GET /api/v1/map/tiles/{z}/{x}/{y} one raster tile (XYZ numbering) from it; 404 when the
 *                                      file has none there (the map shows the grid)
 *   GET /api/v1/places?q=TEXT[&limit=N]
 *                                     {"places":[{"kind","id","name","detail","latitude",
 *                                      "longitude","ward_id"}]}: streets (the imported
 *                                      list), cameras the caller may VIEW, their owners
 *                                      (for whoever may see owners' contact data) and
 *                                      incidents of wards the caller may read — matched
 *                                      without marks or case ("le loi" finds "Lê Lợi")
 *
 * Everyone signed in may use them; what a place search returns is cut to
 * the caller's scope first, so it tells nobody that a camera or an incident
 * outside it exists.  A tile is not a look at a camera: it is not audited.
 * The MBTiles file is opened per request (read-only, a few tens of µs), so
 * a file replaced by `wardwatch map tiles` is served at once.
 */
#include "api/api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/community_shared.h"
#include "catalog/cat_map.h"
#include "catalog/cat_users.h"
#include "catalog/cat_ward_work.h"
#include "ward/ward.h"

#define PLACES_MAX 100

static char *mbtiles_path(const struct api_ctx *ctx) { return ww_asprintf("%s/map.mbtiles", ctx->data_dir); }

static json_t *doubles(const double *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(a, json_real(v[i]));
    return a;
}

static int h_offline(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    char *path = mbtiles_path(ctx);
    catalog_mbtiles_t *t = NULL;
    int rc = catalog_mbtiles_open(path, &t);
    free(path);
    struct catalog_mbtiles_meta info;
    if (rc || catalog_mbtiles_info(t, &info)) {
        catalog_mbtiles_close(t);
        return http_respond_json(req, 200, json_pack("{s:b}", "available", 0));
    }
    catalog_mbtiles_close(t);
    /* Vector tiles need a renderer the console does not have: say so. */
    bool raster = strcmp(info.format, "pbf") != 0;
    json_t *o = json_pack("{s:b,s:s?,s:s,s:i,s:i,s:I,s:s?,s:s}", "available", raster, "name", info.name, "format",
                          info.format, "minzoom", info.minzoom, "maxzoom", info.maxzoom, "tiles",
                          (json_int_t)info.tiles, "attribution", info.attribution, "tile_url",
                          "/api/v1/map/tiles/{z}/{x}/{y}");
    json_object_set_new(o, "bounds", info.has_bounds ? doubles(info.bounds, 4) : json_null());
    json_object_set_new(o, "center", info.has_center ? doubles(info.center, 3) : json_null());
    if (!raster) json_object_set_new(o, "problem", json_string("vector tiles (pbf) are not shown: give raster tiles"));
    catalog_mbtiles_meta_clear(&info);
    return http_respond_json(req, 200, o);
}

static const char *tile_mime(const char *format)
{
    if (!strcmp(format, "jpg") || !strcmp(format, "jpeg")) return "image/jpeg";
    if (!strcmp(format, "webp")) return "image/webp";
    return "image/png";
}

static int h_tile(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t z, x, y;
    const char *zs = http_req_param(req, "z"), *xs = http_req_param(req, "x"), *ys = http_req_param(req, "y");
    /* "{y}.png" is how tile URLs are often written: accept the suffix */
    char *yy = http_req_strdup(req, ys ? ys : "");
    char *dot = strchr(yy, '.');
    if (dot) *dot = 0;
    if (!zs || ww_parse_i64(zs, 0, 30, &z) || !xs || ww_parse_i64(xs, 0, INT32_MAX, &x) ||
        ww_parse_i64(yy, 0, INT32_MAX, &y))
        return http_fail(req, WW_ENOTFOUND, "no such tile");
    char *path = mbtiles_path(ctx);
    catalog_mbtiles_t *t = NULL;
    int rc = catalog_mbtiles_open(path, &t);
    free(path);
    if (rc) return http_fail(req, WW_ENOTFOUND, "this station has no offline map");
    struct catalog_mbtiles_meta info;
    uint8_t *data = NULL;
    size_t len = 0;
    rc = catalog_mbtiles_info(t, &info);
    if (!rc) rc = catalog_mbtiles_tile(t, (int)z, (int)x, (int)y, &data, &len);
    catalog_mbtiles_close(t);
    if (rc) {
        if (!info.format) return http_fail(req, WW_EDB, "the offline map cannot be read");
        catalog_mbtiles_meta_clear(&info);
        return http_fail(req, WW_ENOTFOUND, "no tile %lld/%lld/%lld", (long long)z, (long long)x, (long long)y);
    }
    http_resp_header(req, "Cache-Control", "private, max-age=3600");
    rc = http_respond_data(req, 200, tile_mime(info.format), data, len);
    free(data);
    catalog_mbtiles_meta_clear(&info);
    return rc;
}

/* ---- places -------------------------------------------------------------- */

static bool matches(const char *fold_query, const char *text)
{
    if (!text || !*text) return false;
    char *f = ww_fold_vi(text);
    bool yes = strstr(f, fold_query) != NULL;
    free(f);
    return yes;
}

static json_t *place(const char *kind, int64_t id, const char *name, const char *detail, bool has_pos, double lat,
                     double lon, int64_t ward_id)
{
    json_t *o = json_pack("{s:s,s:I,s:s,s:s?}", "kind", kind, "id", (json_int_t)id, "name", name ? name : "",
                          "detail", detail);
    json_object_set_new(o, "latitude", has_pos ? json_real(lat) : json_null());
    json_object_set_new(o, "longitude", has_pos ? json_real(lon) : json_null());
    json_object_set_new(o, "ward_id", api_id(ward_id));
    return o;
}

static void add_streets(catalog_t *cat, const char *q, size_t limit, json_t *out)
{
    struct catalog_street *v;
    size_t n;
    if (catalog_street_search(cat, q, limit, &v, &n)) return;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, place("street", v[i].id, v[i].name, NULL, true, v[i].latitude, v[i].longitude,
                                         v[i].ward_id));
    catalog_street_list_free(v, n);
}

/* Cameras in VIEW scope by name or address; their owners by name or
 * address for a caller who may see owners' contact data. */
static int add_cameras(struct http_req *req, const char *fq, size_t limit, json_t *out)
{
    struct catalog_camera *v;
    size_t n;
    int rc = api_cameras(req, AUTHZ_VIEW, &v, &n);
    if (rc) return rc;
    catalog_t *cat = http_req_catalog(req);
    for (size_t i = 0; i < n && json_array_size(out) < limit; i++) {
        const struct catalog_camera *c = &v[i];
        if (matches(fq, c->name) || matches(fq, c->address)) {
            json_array_append_new(out, place("camera", c->id, c->name, c->address, c->has_pos, c->latitude,
                                             c->longitude, c->ward_id));
            continue;
        }
        int64_t ward = 0, owner = 0;
        if (catalog_camera_scope(cat, c->id, &ward, &owner) || !owner || !community_may_see_owner(req, ward, owner))
            continue;
        struct catalog_owner o;
        if (catalog_owner_get(cat, owner, &o)) continue;
        if (matches(fq, o.name) || matches(fq, o.address)) {
            char *label = ww_asprintf("%s — %s", o.name ? o.name : "", c->name ? c->name : "");
            json_array_append_new(out, place("owner", o.id, label, o.address, c->has_pos, c->latitude, c->longitude,
                                             c->ward_id));
            free(label);
        }
        catalog_owner_clear(&o);
    }
    catalog_camera_list_free(v, n);
    return 0;
}

static int add_incidents(struct http_req *req, const char *fq, size_t limit, json_t *out)
{
    const struct http_user *u = http_req_user(req);
    if (u->role == CATALOG_ROLE_OWNER || u->role == CATALOG_ROLE_VIEWER) return 0; /* the register is staff's */
    struct http_scope sc;
    int rc = http_authz_ward_scope(req, AUTHZ_WARD_READ, &sc);
    if (rc) return rc;
    struct catalog_incident *v;
    size_t n;
    struct catalog_incident_filter f = {.status = -1, .limit = 2000};
    if ((rc = ward_incident_search(http_req_catalog(req), &f, &v, &n, NULL))) return rc;
    for (size_t i = 0; i < n && json_array_size(out) < limit; i++) {
        if (!http_scope_has(&sc, v[i].ward_id)) continue;
        if (!v[i].has_pos || !matches(fq, v[i].address)) continue;
        json_array_append_new(out, place("incident", v[i].id, v[i].address, v[i].summary, true, v[i].latitude,
                                         v[i].longitude, v[i].ward_id));
    }
    catalog_incident_list_free(v, n);
    return 0;
}

static int h_places(struct http_req *req, void *ud)
{
    (void)ud;
    const char *q = http_req_query(req, "q");
    int64_t limit;
    int rc = http_req_query_i64(req, "limit", 1, PLACES_MAX, 20, &limit);
    if (rc) return rc;
    char *fq = ww_fold_vi(q);
    if (strlen(fq) < 2 || strlen(q) > 200) {
        free(fq);
        return http_fail(req, WW_EINVAL, "parameter 'q' wants 2 to 200 characters");
    }
    json_t *out = json_array();
    add_streets(http_req_catalog(req), q, (size_t)limit, out);
    if (!rc) rc = add_cameras(req, fq, (size_t)limit, out);
    if (!rc) rc = add_incidents(req, fq, (size_t)limit, out);
    free(fq);
    if (rc) {
        json_decref(out);
        return rc;
    }
    while (json_array_size(out) > (size_t)limit) json_array_remove(out, json_array_size(out) - 1);
    return http_respond_json(req, 200, json_pack("{s:o}", "places", out));
}

int api_map_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    int rc = http_route(srv, "GET", "/api/v1/map/offline", h_offline, ud, 0);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/map/tiles/{z}/{x}/{y}", h_tile, ud, 0);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/places", h_places, ud, 0);
    return rc;
}
