/*
 * community_search.c — the map, "what was seen here at that time", and
 * evidence bundles.
 *
 *   GET  /api/v1/community/cameras           cameras you may VIEW, with position, direction,
 *                                            state, consent now, open alert, last probe
 *   GET  /api/v1/map/settings                the tile URL (everyone signed in)
 *   PUT  /api/v1/map/settings                {"tile_url","attribution"} admin
 *   GET  /api/v1/search/place?lat&lon&radius_m&from&to
 *                                            cameras within the radius that recorded in
 *                                            the window, nearest first, with coverage and
 *                                            motion events — only cameras you may PLAYBACK
 *   POST /api/v1/search/place/bundle         {"lat","lon","radius_m","from","to",
 *                                             "camera_ids"?,"note"?} → 201: one MP4 per
 *                                            camera (export_clip) + bundle.json + SHA256SUMS;
 *                                            only cameras you may EXPORT whose owner agreed
 *   GET  /api/v1/bundles                     bundles you may open
 *   GET  /api/v1/bundles/{id}                one, with its files
 *   GET  /api/v1/bundles/{id}/bundle.tar     the whole bundle as one tar
 *   GET  /api/v1/bundles/{id}/files/{name}   one member
 *   GET  /api/v1/bundles/{id}/verify         `wardwatch verify` on it as stored, audited
 *
 * No leak: the search never looks at a camera outside the caller's
 * PLAYBACK scope (the list is filtered before the distance, and a camera
 * outside scope is simply absent — not "403"); a bundle opens only for a
 * caller who may EXPORT every camera in it (else 404, as for a bundle that
 * does not exist).  Each search is an audit row (place_search, with the
 * place and window); each camera put in a bundle is an `export` row, and
 * each download of a bundle a `bundle_download` row per camera — so an
 * owner reading the audit of their camera sees every copy that left.
 *
 * The rules are community's: the search is community_place_find, a
 * bundle is community_bundle_create (which asks community_may for every
 * camera and writes and fsyncs on its own worker thread); this file parses,
 * calls and answers.
 *
 * Why a tar (and per-file links as well): see community/tar.c — one file
 * to hand over that keeps names and manifests together and checks with
 * `sha256sum -c SHA256SUMS`; streamed by position, nothing copied.
 */
#include "api/community_shared.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_events.h"
#include "catalog/cat_users.h"
#include "community/community.h"
#include "engine/engine.h"
#include "export/export.h"

#define MAX_RADIUS_M 5000
#define MAX_WINDOW_US (7LL * 86400 * 1000000)
#define MAX_BUNDLE_WINDOW_US (24LL * 3600 * 1000000)
#define MAX_EVENTS_LISTED 50

/* ---- the map's camera list ------------------------------------------------------ */

static void state_of(const struct api_ctx *ctx, const struct catalog_camera *c, const char **state,
                     const char **reason, int64_t *last, struct engine_camera_status *cs)
{
    *last = 0;
    if (!c->enabled) { *state = "disabled"; *reason = "switched off"; return; }
    engine_t *e = ctx->engine;
    const struct engine_stream_status *m = e && engine_camera_status(e, c->id, cs) == 0 && cs->main.present
                                         ? &cs->main : NULL;
    *state = m ? engine_state_name(m->state) : "offline";
    *reason = m ? m->reason : e ? "not running" : "this server does not run the cameras";
    *last = m ? m->last_packet_us : 0;
    if (!strcmp(*state, "stopped")) *state = "offline";
}

static int h_cameras(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    struct catalog_camera *v;
    size_t n;
    int rc = api_cameras(req, AUTHZ_VIEW, &v, &n);
    if (rc) return rc;
    catalog_t *cat = http_req_catalog(req);
    struct catalog_alert *open = NULL;
    size_t nopen = 0;
    struct catalog_alert_filter f = {.all = true, .open_only = true, .limit = 2000};
    catalog_alert_list(cat, &f, &open, &nopen);
    int64_t now = ww_wall_us();
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct catalog_camera *c = &v[i];
        int64_t w = 0, owner = 0;
        catalog_camera_scope(cat, c->id, &w, &owner);
        const char *state, *reason;
        int64_t last;
        struct engine_camera_status cs; /* holds the reason text */
        state_of(ctx, c, &state, &reason, &last, &cs);
        json_t *o = api_camera_place_json(c, owner);
        json_object_set_new(o, "enabled", json_boolean(c->enabled));
        json_object_set_new(o, "state", json_string(state));
        json_object_set_new(o, "reason", json_string(reason ? reason : ""));
        json_object_set_new(o, "reason_code", json_string(engine_reason_code_of(reason)));
        json_object_set_new(o, "last_frame", api_time(last));
        json_object_set_new(o, "consent", community_consent_now_json(cat, c->id, now));
        json_object_set_new(o, "probe", community_probe_json(cat, c->id));
        json_t *al = json_null();
        for (size_t k = 0; k < nopen; k++)
            if (open[k].camera_id == c->id)
                al = json_pack("{s:I,s:o,s:I}", "id", (json_int_t)open[k].id, "since", api_time(open[k].since_us),
                               "dark_for_s", (json_int_t)((now - open[k].since_us) / 1000000));
        json_object_set_new(o, "alert", al);
        if (owner && community_may_see_owner(req, c->ward_id, owner)) {
            struct catalog_owner ow;
            if (catalog_owner_get(cat, owner, &ow) == 0) {
                json_object_set_new(o, "owner", json_pack("{s:I,s:s,s:s?,s:s}", "id", (json_int_t)ow.id,
                                                          "name", ow.name, "phone", ow.phone, "kind", ow.kind));
                catalog_owner_clear(&ow);
            }
        }
        json_object_set_new(o, "may_manage", json_boolean(
            http_authz_decide_camera(http_req_user(req), &(struct authz_camera_facts){true, c->ward_id, owner},
                                     AUTHZ_MANAGE) == 0));
        json_array_append_new(arr, o);
    }
    catalog_alert_list_free(open, nopen);
    catalog_camera_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o}", "cameras", arr));
}

/* ---- map settings --------------------------------------------------------------- */

static char *setting(catalog_t *cat, const char *key)
{
    char *v = NULL;
    if (catalog_setting_get(cat, key, &v) || !v || !*v) {
        free(v);
        return NULL;
    }
    return v;
}

static int h_map_get(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat = http_req_catalog(req);
    char *url = setting(cat, HTTP_SETTING_TILE_URL), *attr = setting(cat, "map.attribution");
    json_t *o = json_pack("{s:s?,s:s?}", "tile_url", url, "attribution", attr);
    free(url);
    free(attr);
    return http_respond_json(req, 200, o);
}

static const char *tile_url_problem(const char *u)
{
    if (!ww_str_starts(u, "http://") && !ww_str_starts(u, "https://") && u[0] != '/')
        return "must start with http://, https:// or / (a tile server on this box)";
    for (const char *p = u; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '"' || *p == '\'' || *p == '<' || *p == '>')
            return "must not contain spaces, quotes or angle brackets";
    if (!strstr(u, "{z}") || !strstr(u, "{x}") || !strstr(u, "{y}"))
        return "must contain {z}, {x} and {y}";
    /* the console's CSP lets images come only from this host (http.h) */
    char *src = NULL;
    int bad = http_csp_tile_source(u, &src);
    free(src);
    if (bad) return "must name a plain host (host[:port], or {s}. before it), no user info";
    return NULL;
}

static const char *const map_fields[] = {"tile_url", "attribution", NULL};

static int h_map_put(struct http_req *req, void *ud)
{
    (void)ud;
    json_t *body;
    int rc = http_req_json(req, map_fields, &body);
    if (rc) return rc;
    const char *url = NULL, *attr = NULL;
    int has_url, has_attr;
    if ((has_url = http_json_str_or_null(req, body, "tile_url", 1024, &url)) < 0) return has_url;
    if ((has_attr = http_json_str_or_null(req, body, "attribution", 300, &attr)) < 0) return has_attr;
    if (url && *url) {
        const char *why = tile_url_problem(url);
        if (why) return http_fail(req, WW_EINVAL, "field 'tile_url' %s", why);
    }
    catalog_t *cat = http_req_catalog(req);
    if ((rc = catalog_begin(cat))) return rc;
    if (has_url) rc = catalog_setting_set(cat, HTTP_SETTING_TILE_URL, url ? url : "");
    if (!rc && has_attr) rc = catalog_setting_set(cat, "map.attribution", attr ? attr : "");
    if ((rc = http_audit_commit(req, rc, "settings_change", 0, 0, 0,
                                json_pack("{s:s,s:s?,s:s?}", "change", "map", "tile_url", url, "attribution", attr))))
        return rc;
    return h_map_get(req, ud);
}

/* ---- the place search ------------------------------------------------------------ */

static int query_double(struct http_req *req, const char *key, double lo, double hi, bool required, double def,
                        double *out)
{
    const char *s = http_req_query(req, key);
    if (!s || !*s) {
        if (required) return http_fail(req, WW_EINVAL, "query parameter '%s' is required", key);
        *out = def;
        return 0;
    }
    if (ww_parse_double(s, lo, hi, out) || !isfinite(*out))
        return http_fail(req, WW_EINVAL, "query parameter '%s' must be a number from %g to %g", key, lo, hi);
    return 0;
}

static int check_place(struct http_req *req, const struct community_place *p, int64_t max_window)
{
    if (p->to_us <= p->from_us) return http_fail(req, WW_EINVAL, "'to' must be after 'from'");
    if (ww_span_over(p->from_us, p->to_us, max_window))
        return http_fail(req, WW_EINVAL, "the window may be at most %lld hours",
                         (long long)(max_window / 3600000000LL));
    return 0;
}

static json_t *hit_json(struct http_req *req, catalog_t *cat, const struct community_hit *h,
                        const struct community_place *p)
{
    const struct catalog_camera_pos *c = h->c;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
    json_object_set_new(o, "address", c->address ? json_string(c->address) : json_null());
    json_object_set_new(o, "latitude", json_real(c->latitude));
    json_object_set_new(o, "longitude", json_real(c->longitude));
    json_object_set_new(o, "direction_deg", c->direction_deg >= 0 ? json_real(c->direction_deg) : json_null());
    json_object_set_new(o, "ward_id", api_id(c->ward_id));
    json_object_set_new(o, "distance_m", json_real(round(h->distance_m * 10) / 10));
    json_object_set_new(o, "covered_s", json_real((double)h->covered_us / 1e6));
    json_object_set_new(o, "coverage", json_real((double)h->covered_us / (double)(p->to_us - p->from_us)));
    json_object_set_new(o, "segments", json_integer(h->segments));
    const struct http_user *u = http_req_user(req);
    struct authz_camera_facts f = {true, c->ward_id, c->owner_id};
    bool consent = http_consent_now(req, c->id, AUTHZ_EXPORT, NULL) == 0;
    json_object_set_new(o, "may_export", json_boolean(http_authz_decide_camera(u, &f, AUTHZ_EXPORT) == 0));
    json_object_set_new(o, "export_consent", json_boolean(consent));
    struct catalog_event_filter ef = {.camera_ids = &c->id, .n_cameras = 1, .from_us = p->from_us, .to_us = p->to_us,
                                  .limit = MAX_EVENTS_LISTED};
    struct catalog_event *ev = NULL;
    size_t ne = 0;
    int64_t count = 0;
    json_t *events = json_array();
    if (catalog_event_count(cat, &ef, &count) == 0 && count > 0 && catalog_event_query(cat, &ef, &ev, &ne) == 0) {
        for (size_t i = 0; i < ne; i++) {
            json_t *e = json_pack("{s:I,s:o,s:o,s:o,s:f,s:s}", "id", (json_int_t)ev[i].id, "start",
                                  api_time(ev[i].start_us), "end", api_time(ev[i].end_us), "peak",
                                  api_time(ev[i].peak_us), "peak_score", ev[i].peak_score, "zone",
                                  ev[i].zone ? ev[i].zone : "");
            json_object_set_new(e, "thumbnail_url", ev[i].has_thumbnail
                ? json_string(http_req_printf(req, "/api/v1/events/%lld/thumbnail", (long long)ev[i].id))
                : json_null());
            json_array_append_new(events, e);
        }
        catalog_event_list_free(ev, ne);
    }
    json_object_set_new(o, "events_count", json_integer(count));
    json_object_set_new(o, "events", events);
    json_object_set_new(o, "play_url", json_string(http_req_printf(req, "#/timeline?camera=%lld&at=%lld",
                                                                   (long long)c->id, (long long)(p->from_us / 1000000))));
    return o;
}

static int h_search(struct http_req *req, void *ud)
{
    (void)ud;
    struct community_place p;
    int rc;
    if ((rc = query_double(req, "lat", -90, 90, true, 0, &p.lat)) ||
        (rc = query_double(req, "lon", -180, 180, true, 0, &p.lon)) ||
        (rc = query_double(req, "radius_m", 1, MAX_RADIUS_M, false, 200, &p.radius_m)))
        return rc;
    if (!http_req_query(req, "from") || !http_req_query(req, "to"))
        return http_fail(req, WW_EINVAL, "query parameters 'from' and 'to' are required");
    if ((rc = http_req_query_time(req, "from", 0, &p.from_us)) || (rc = http_req_query_time(req, "to", 0, &p.to_us)))
        return rc;
    if ((rc = check_place(req, &p, MAX_WINDOW_US))) return rc;
    struct community_user cu;
    if ((rc = http_req_community_user(req, &cu))) return rc;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct community_found fd;
    if ((rc = community_place_find(cat, &cu, &p, &fd))) return rc;
    rc = http_audit(req, "place_search", 0, p.from_us, p.to_us,
                    json_pack("{s:f,s:f,s:f,s:I}", "lat", p.lat, "lon", p.lon, "radius_m", p.radius_m,
                              "cameras", (json_int_t)fd.n));
    if (rc) {
        community_found_free(&fd);
        return http_fail(req, rc, "cannot write the audit record; refusing to search");
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < fd.n; i++) json_array_append_new(arr, hit_json(req, cat, &fd.hits[i], &p));
    community_found_free(&fd);
    return http_respond_json(req, 200, json_pack("{s:{s:f,s:f,s:f},s:o,s:o,s:o}", "place", "lat", p.lat, "lon",
                                                 p.lon, "radius_m", p.radius_m, "from", api_time(p.from_us), "to",
                                                 api_time(p.to_us), "cameras", arr));
}

/* ---- evidence bundles ------------------------------------------------------------------ */

static const char *const bundle_fields[] = {"lat", "lon", "radius_m", "from", "to", "camera_ids", "note", NULL};

/* The audit row of each camera put in the bundle, before any byte of it is
 * written (community_bundle_create calls it on this request's thread). */
struct bundle_audit { struct http_req *req; int64_t from, to; };

static int audit_bundle_export(void *ud, int64_t camera_id, const char *folder)
{
    const struct bundle_audit *a = ud;
    return http_audit(a->req, CATALOG_AUDIT_EXPORT, camera_id, a->from, a->to,
                      json_pack("{s:s,s:s,s:s}", "stream", "main", "bundle", folder, "via", "place_search"));
}

static int h_bundle(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    json_t *body;
    int rc = http_req_json(req, bundle_fields, &body);
    if (rc) return rc;
    struct community_place p = {.radius_m = 200};
    if ((rc = http_json_double(req, body, "lat", true, -90, 90, &p.lat)) < 0 ||
        (rc = http_json_double(req, body, "lon", true, -180, 180, &p.lon)) < 0 ||
        (rc = http_json_double(req, body, "radius_m", false, 1, MAX_RADIUS_M, &p.radius_m)) < 0 ||
        (rc = community_json_time(req, body, "from", true, &p.from_us)) < 0 ||
        (rc = community_json_time(req, body, "to", true, &p.to_us)) < 0)
        return rc;
    if ((rc = check_place(req, &p, MAX_BUNDLE_WINDOW_US))) return rc;
    const char *note = NULL;
    if ((rc = http_json_str_or_null(req, body, "note", 500, &note)) < 0) return rc;
    json_t *want = json_object_get(body, "camera_ids");
    if (want && !json_is_null(want) && !json_is_array(want))
        return http_fail(req, WW_EINVAL, "field 'camera_ids' must be a list of camera ids");
    size_t n_want = json_is_array(want) ? json_array_size(want) : 0;
    int64_t *ids = json_is_array(want) ? http_req_alloc(req, (n_want + 1) * sizeof *ids) : NULL;
    size_t i;
    json_t *jv;
    json_array_foreach(want, i, jv) {
        if (!json_is_integer(jv) || json_integer_value(jv) <= 0)
            return http_fail(req, WW_EINVAL, "field 'camera_ids' must be a list of camera ids");
        ids[i] = json_integer_value(jv);
    }
    struct community_user cu;
    if ((rc = http_req_community_user(req, &cu))) return rc;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    const struct http_user *u = http_req_user(req);
    struct bundle_audit audit = {req, p.from_us, p.to_us};
    struct community_bundle_req q = {
        .cat = cat, .data_dir = ctx->data_dir, .user = &cu, .username = u->username,
        .client_addr = http_req_client_addr(req), .place = p, .camera_ids = ids,
        .n_camera_ids = n_want, .note = note, .before_export = audit_bundle_export, .ud = &audit,
    };
    struct community_bundle b;
    rc = community_bundle_create(&q, &b);
    if (rc) {
        rc = http_fail(req, rc, "%s", b.why);
        community_bundle_clear(&b);
        return rc;
    }
    json_t *res = json_pack("{s:I,s:s,s:s,s:O,s:O,s:s,s:s}", "id", (json_int_t)b.id, "folder", b.folder,
                            "manifest_sha256", b.manifest_sha256, "files", b.files, "skipped", b.skipped,
                            "tar_url", http_req_printf(req, "/api/v1/bundles/%lld/bundle.tar", (long long)b.id),
                            "manifest_url",
                            http_req_printf(req, "/api/v1/bundles/%lld/files/bundle.json", (long long)b.id));
    community_bundle_clear(&b);
    return http_respond_json(req, 201, json_pack("{s:o}", "bundle", res));
}

/* Loads a bundle the caller may open: EXPORT on every camera exported into it. */
static int load_bundle(struct http_req *req, struct catalog_bundle *b)
{
    int64_t id;
    catalog_t *cat;
    int rc = api_param_id(req, &id, &cat);
    if (rc) return rc;
    if ((rc = api_found(req, catalog_bundle_get(cat, id, b), "bundle"))) return rc;
    const struct http_user *u = http_req_user(req);
    for (size_t i = 0; i < b->n_items; i++) {
        if (!b->items[i].export_id) continue;
        int64_t w, o;
        int s = catalog_camera_scope(cat, b->items[i].camera_id, &w, &o);
        struct authz_camera_facts f = {s == 0, w, o};
        bool ok = u->role == CATALOG_ROLE_ADMIN || (s == 0 && http_authz_decide_camera(u, &f, AUTHZ_EXPORT) == 0);
        if (!ok) {
            catalog_bundle_clear(b);
            return http_fail(req, WW_ENOTFOUND, "no such bundle");
        }
    }
    return 0;
}

static json_t *bundle_json(struct http_req *req, const struct catalog_bundle *b, bool with_manifest)
{
    json_t *items = json_array();
    for (size_t i = 0; i < b->n_items; i++)
        json_array_append_new(items, json_pack("{s:I,s:o,s:s,s:s?}", "camera_id", (json_int_t)b->items[i].camera_id,
                                               "export_id", api_id(b->items[i].export_id), "status",
                                               b->items[i].status, "reason", b->items[i].reason));
    json_t *o = json_pack("{s:I,s:o,s:s,s:f,s:f,s:f,s:o,s:o,s:s,s:s,s:o,s:s,s:s}", "id", (json_int_t)b->id,
                          "created", api_time(b->created_us), "username", b->username, "lat", b->latitude, "lon",
                          b->longitude, "radius_m", b->radius_m, "from", api_time(b->from_us), "to",
                          api_time(b->to_us), "folder", b->dir, "manifest_sha256", b->manifest_sha256, "items", items,
                          "tar_url", http_req_printf(req, "/api/v1/bundles/%lld/bundle.tar", (long long)b->id),
                          "files_url", http_req_printf(req, "/api/v1/bundles/%lld/files/", (long long)b->id));
    if (with_manifest) {
        json_t *m = json_loads(b->manifest, 0, NULL);
        json_object_set_new(o, "manifest", m ? m : json_null());
    }
    return o;
}

static int h_bundle_list(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat = http_req_catalog(req);
    struct catalog_bundle *v;
    size_t n;
    int rc = catalog_bundle_list(cat, 200, &v, &n);
    if (rc) return rc;
    const struct http_user *u = http_req_user(req);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        bool ok = true;
        for (size_t k = 0; ok && k < v[i].n_items; k++) {
            if (!v[i].items[k].export_id) continue;
            int64_t w, o;
            int s = catalog_camera_scope(cat, v[i].items[k].camera_id, &w, &o);
            struct authz_camera_facts f = {s == 0, w, o};
            ok = u->role == CATALOG_ROLE_ADMIN || (s == 0 && http_authz_decide_camera(u, &f, AUTHZ_EXPORT) == 0);
        }
        if (ok) json_array_append_new(arr, bundle_json(req, &v[i], false));
    }
    catalog_bundle_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o}", "bundles", arr));
}

static int h_bundle_get(struct http_req *req, void *ud)
{
    (void)ud;
    struct catalog_bundle b;
    int rc = load_bundle(req, &b);
    if (rc) return rc;
    json_t *o = bundle_json(req, &b, true);
    catalog_bundle_clear(&b);
    return http_respond_json(req, 200, o);
}

/* The member names of a bundle, from its manifest (never from the request). */
static json_t *member_names(const struct catalog_bundle *b)
{
    json_t *names = json_array();
    json_t *m = json_loads(b->manifest, 0, NULL);
    /* bundles made before signed evidence have no .sig files */
    bool signed_ = json_is_string(json_object_get(m, "signature"));
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(m, "files"), i, f) {
        json_array_append(names, json_object_get(f, "name"));
        json_array_append(names, json_object_get(f, "manifest"));
        const char *man = json_string_value(json_object_get(f, "manifest"));
        if (signed_ && man) {
            char *sig = ww_asprintf("%s.sig", man);
            json_array_append_new(names, json_string(sig));
            free(sig);
        }
    }
    json_decref(m);
    json_array_append_new(names, json_string("bundle.json"));
    if (signed_) json_array_append_new(names, json_string("bundle.json.sig"));
    json_array_append_new(names, json_string("SHA256SUMS"));
    return names;
}

/* A start row per camera exported into the bundle, and their end rows with
 * the bytes sent (api_download_begin): an owner reading their camera's
 * audit sees every copy that left, member by member. */
static int audit_download(struct http_req *req, const struct catalog_bundle *b, const char *what)
{
    int64_t *cams = ww_calloc(b->n_items ? b->n_items : 1, sizeof *cams);
    size_t n = 0;
    for (size_t i = 0; i < b->n_items; i++)
        if (b->items[i].export_id) cams[n++] = b->items[i].camera_id;
    int rc = api_download_begin(req, "bundle_download", cams, n, b->from_us, b->to_us,
                                json_pack("{s:I,s:s}", "bundle_id", (json_int_t)b->id, "file", what));
    free(cams);
    return rc;
}

struct tar_ctx { struct community_tar *t; struct http_server *srv; };

static ssize_t tar_read(void *opaque, uint64_t pos, char *buf, size_t max)
{
    struct tar_ctx *c = opaque;
    if (http_stream_stopping(c->srv)) return HTTP_STREAM_ERROR;
    ssize_t n = community_tar_read(c->t, pos, buf, max);
    if (n < 0) return HTTP_STREAM_ERROR;
    return n == 0 ? HTTP_STREAM_END : n;
}

static void tar_free(void *opaque)
{
    struct tar_ctx *c = opaque;
    community_tar_free(c->t);
    free(c);
}

/* The same checks as `wardwatch verify` (every file's SHA-256 against the
 * signed manifest, the signature against this station's key) on the bundle
 * as stored; audited (bundle_verify, in the bundle's chain of custody). */
static int h_bundle_verify(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    struct catalog_bundle b;
    int rc = load_bundle(req, &b);
    if (rc) return rc;
    char *path = ww_asprintf("%s/%s", ctx->data_dir, b.dir);
    rc = api_verify_answer(req, ctx->data_dir, path, "bundle_verify", 0, b.from_us, b.to_us,
                           json_pack("{s:I}", "bundle_id", (json_int_t)b.id));
    free(path);
    catalog_bundle_clear(&b);
    return rc;
}

static int h_bundle_tar(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    struct catalog_bundle b;
    int rc = load_bundle(req, &b);
    if (rc) return rc;
    const char *folder = strrchr(b.dir, '/') ? strrchr(b.dir, '/') + 1 : b.dir;
    json_t *names = member_names(&b);
    struct community_tar *t;
    community_tar_new(&t);
    size_t i;
    json_t *nm;
    int64_t mtime = b.created_us / 1000000;
    json_array_foreach(names, i, nm) {
        char *path = ww_asprintf("%s/%s/%s", ctx->data_dir, b.dir, json_string_value(nm));
        char *name = ww_asprintf("%s/%s", folder, json_string_value(nm));
        rc = community_tar_add(t, name, path, mtime);
        free(path);
        free(name);
        if (rc) break;
    }
    json_decref(names);
    if (!rc) rc = audit_download(req, &b, "bundle.tar");
    if (rc) {
        community_tar_free(t);
        catalog_bundle_clear(&b);
        return rc == -ENOENT ? http_fail(req, WW_ENOTFOUND, "a file of the bundle is gone") : rc;
    }
    http_resp_filename(req, true, "%s.tar", folder);
    http_resp_header(req, "X-Bundle-Manifest-SHA256", b.manifest_sha256);
    catalog_bundle_clear(&b);
    struct tar_ctx *c = ww_calloc(1, sizeof *c);
    c->t = t;
    c->srv = http_req_server(req);
    return http_respond_stream(req, 200, "application/x-tar", community_tar_size(t), tar_read, c, tar_free);
}

static int h_bundle_file(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    struct catalog_bundle b;
    int rc = load_bundle(req, &b);
    if (rc) return rc;
    const char *want = http_req_param(req, "name");
    json_t *names = member_names(&b);
    bool known = false;
    size_t i;
    json_t *nm;
    json_array_foreach(names, i, nm) known = known || (want && !strcmp(json_string_value(nm), want));
    json_decref(names);
    if (!known) {
        catalog_bundle_clear(&b);
        return http_fail(req, WW_ENOTFOUND, "the bundle has no file of that name");
    }
    /* Every member: the clips, and the manifests that name the owners. */
    if ((rc = audit_download(req, &b, want))) {
        catalog_bundle_clear(&b);
        return rc;
    }
    char *path = ww_asprintf("%s/%s/%s", ctx->data_dir, b.dir, want);
    catalog_bundle_clear(&b);
    http_resp_filename(req, true, "%s", want);
    rc = http_respond_file(req, path, strstr(want, ".json") ? "application/json"
                                      : strstr(want, ".mp4") ? "video/mp4" : "text/plain; charset=utf-8");
    free(path);
    return rc == WW_ENOTFOUND || rc == -ENOENT ? http_fail(req, WW_ENOTFOUND, "the file is gone") : rc;
}

int api_community_search_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    const unsigned staff = HTTP_ROLES_STAFF | HTTP_ROLE_VIEWER;
    int rc = http_route(srv, "GET", "/api/v1/community/cameras", h_cameras, ud, 0);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/map/settings", h_map_get, ud, 0);
    rc = rc ? rc : http_route(srv, "PUT", "/api/v1/map/settings", h_map_put, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/search/place", h_search, ud, staff);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/search/place/bundle", h_bundle, ud, HTTP_ROLES_STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/bundles", h_bundle_list, ud, HTTP_ROLES_STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/bundles/{id}", h_bundle_get, ud, HTTP_ROLES_STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/bundles/{id}/bundle.tar", h_bundle_tar, ud, HTTP_ROLES_STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/bundles/{id}/files/{name}", h_bundle_file, ud, HTTP_ROLES_STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/bundles/{id}/verify", h_bundle_verify, ud, HTTP_ROLES_STAFF);
    return rc;
}
