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
 * Why a tar (and per-file links as well): see community/tar.c — one file
 * to hand over that keeps names and manifests together and checks with
 * `sha256sum -c SHA256SUMS`; streamed by position, nothing copied.
 */
#include "api/community_shared.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_events.h"
#include "catalog/cat_users.h"
#include "community/community.h"
#include "engine/engine.h"
#include "export/export.h"

#define MAX_RADIUS_M 5000
#define MAX_WINDOW_US (7LL * 86400 * 1000000)
#define MAX_BUNDLE_WINDOW_US (24LL * 3600 * 1000000)
#define MAX_BUNDLE_CAMERAS 50
#define MAX_EVENTS_LISTED 50

static bool in_ids(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id) return true;
    return false;
}

/* ---- the map's camera list ------------------------------------------------------ */

static void state_of(const struct api_ctx *ctx, const struct cat_camera *c, const char **state,
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
    bool all;
    const int64_t *ids;
    size_t nids;
    int rc = http_authz_camera_ids(req, AUTHZ_VIEW, &all, &ids, &nids);
    if (rc) return rc;
    catalog_t *cat = http_req_catalog(req);
    struct cat_camera *v;
    size_t n;
    if ((rc = catalog_camera_list(cat, &v, &n))) return rc;
    struct cat_alert *open = NULL;
    size_t nopen = 0;
    struct cat_alert_filter f = {.all = true, .open_only = true, .limit = 2000};
    catalog_alert_list(cat, &f, &open, &nopen);
    int64_t now = ww_wall_us();
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct cat_camera *c = &v[i];
        if (!all && !in_ids(ids, nids, c->id)) continue;
        int64_t w = 0, owner = 0;
        catalog_camera_scope(cat, c->id, &w, &owner);
        const char *state, *reason;
        int64_t last;
        struct engine_camera_status cs; /* holds the reason text */
        state_of(ctx, c, &state, &reason, &last, &cs);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(c->id));
        json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
        json_object_set_new(o, "address", c->address ? json_string(c->address) : json_null());
        json_object_set_new(o, "latitude", c->has_pos ? json_real(c->latitude) : json_null());
        json_object_set_new(o, "longitude", c->has_pos ? json_real(c->longitude) : json_null());
        json_object_set_new(o, "direction_deg", c->direction_deg >= 0 ? json_real(c->direction_deg) : json_null());
        json_object_set_new(o, "ward_id", api_id(c->ward_id));
        json_object_set_new(o, "owner_id", api_id(owner));
        json_object_set_new(o, "enabled", json_boolean(c->enabled));
        json_object_set_new(o, "state", json_string(state));
        json_object_set_new(o, "reason", json_string(reason ? reason : ""));
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
            struct cat_owner ow;
            if (catalog_owner_get(cat, owner, &ow) == 0) {
                json_object_set_new(o, "owner", json_pack("{s:I,s:s,s:s?,s:s}", "id", (json_int_t)ow.id,
                                                          "name", ow.name, "phone", ow.phone, "kind", ow.kind));
                cat_owner_clear(&ow);
            }
        }
        json_object_set_new(o, "may_manage", json_boolean(
            http_authz_decide_camera(http_req_user(req), &(struct authz_camera_facts){true, c->ward_id, owner},
                                     AUTHZ_MANAGE) == 0));
        json_array_append_new(arr, o);
    }
    cat_alert_list_free(open, nopen);
    cat_camera_list_free(v, n);
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
    if (!rc) rc = http_audit(req, "settings_change", 0, 0, 0,
                             json_pack("{s:s,s:s?,s:s?}", "change", "map", "tile_url", url, "attribution", attr));
    if (rc || (rc = catalog_commit(cat))) {
        catalog_rollback(cat);
        return rc;
    }
    return h_map_get(req, ud);
}

/* ---- the place search ------------------------------------------------------------ */

struct hit {
    struct cat_camera_pos *c;
    double distance;
    int64_t covered_us, segments;
};

static int cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->distance != y->distance) return x->distance < y->distance ? -1 : 1;
    return x->c->id < y->c->id ? -1 : x->c->id > y->c->id;
}

struct place { double lat, lon, radius; int64_t from, to; };

/* Cameras within the radius, in the caller's `actions` scope, that recorded
 * in the window, nearest first.  *pos is the backing list (free with
 * cat_camera_pos_list_free), *hits points into it (free()). */
static int find(struct http_req *req, const struct place *p, unsigned actions, struct cat_camera_pos **pos,
                size_t *npos, struct hit **hits, size_t *nhits)
{
    *pos = NULL;
    *hits = NULL;
    *npos = *nhits = 0;
    bool all;
    const int64_t *ids;
    size_t nids;
    int rc = http_authz_camera_ids(req, actions, &all, &ids, &nids);
    if (rc) return rc;
    if (!all && !nids) return 0;
    catalog_t *cat = http_req_catalog(req);
    double a, b, c, d;
    community_bbox(p->lat, p->lon, p->radius, &a, &b, &c, &d);
    if ((rc = catalog_camera_in_box(cat, a, b, c, d, pos, npos))) return rc;
    *hits = ww_calloc(*npos + 1, sizeof **hits);
    for (size_t i = 0; i < *npos; i++) {
        struct cat_camera_pos *cp = &(*pos)[i];
        if (!all && !in_ids(ids, nids, cp->id)) continue;       /* scope first: no leak */
        double dist = community_distance_m(p->lat, p->lon, cp->latitude, cp->longitude);
        if (dist > p->radius) continue;
        int64_t cov, segs;
        if ((rc = catalog_coverage(cat, cp->id, p->from, p->to, &cov, &segs))) break;
        if (cov <= 0) continue;
        (*hits)[(*nhits)++] = (struct hit){cp, dist, cov, segs};
    }
    if (rc) {
        free(*hits);
        *hits = NULL;
        *nhits = 0;
        return rc;
    }
    qsort(*hits, *nhits, sizeof **hits, cmp_hit);
    return 0;
}

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

static int check_place(struct http_req *req, const struct place *p, int64_t max_window)
{
    if (p->to <= p->from) return http_fail(req, WW_EINVAL, "'to' must be after 'from'");
    if (ww_span_over(p->from, p->to, max_window))
        return http_fail(req, WW_EINVAL, "the window may be at most %lld hours",
                         (long long)(max_window / 3600000000LL));
    return 0;
}

static json_t *hit_json(struct http_req *req, catalog_t *cat, const struct hit *h, const struct place *p)
{
    const struct cat_camera_pos *c = h->c;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
    json_object_set_new(o, "address", c->address ? json_string(c->address) : json_null());
    json_object_set_new(o, "latitude", json_real(c->latitude));
    json_object_set_new(o, "longitude", json_real(c->longitude));
    json_object_set_new(o, "direction_deg", c->direction_deg >= 0 ? json_real(c->direction_deg) : json_null());
    json_object_set_new(o, "ward_id", api_id(c->ward_id));
    json_object_set_new(o, "distance_m", json_real(round(h->distance * 10) / 10));
    json_object_set_new(o, "covered_s", json_real((double)h->covered_us / 1e6));
    json_object_set_new(o, "coverage", json_real((double)h->covered_us / (double)(p->to - p->from)));
    json_object_set_new(o, "segments", json_integer(h->segments));
    const struct http_user *u = http_req_user(req);
    struct authz_camera_facts f = {true, c->ward_id, c->owner_id};
    bool consent = http_consent_now(req, c->id, AUTHZ_EXPORT, NULL) == 0;
    json_object_set_new(o, "may_export", json_boolean(http_authz_decide_camera(u, &f, AUTHZ_EXPORT) == 0));
    json_object_set_new(o, "export_consent", json_boolean(consent));
    struct cat_event_filter ef = {.camera_ids = &c->id, .n_cameras = 1, .from_us = p->from, .to_us = p->to,
                                  .limit = MAX_EVENTS_LISTED};
    struct cat_event *ev = NULL;
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
        cat_event_list_free(ev, ne);
    }
    json_object_set_new(o, "events_count", json_integer(count));
    json_object_set_new(o, "events", events);
    json_object_set_new(o, "play_url", json_string(http_req_printf(req, "#/timeline?camera=%lld&at=%lld",
                                                                   (long long)c->id, (long long)(p->from / 1000000))));
    return o;
}

static int h_search(struct http_req *req, void *ud)
{
    (void)ud;
    struct place p;
    int rc;
    if ((rc = query_double(req, "lat", -90, 90, true, 0, &p.lat)) ||
        (rc = query_double(req, "lon", -180, 180, true, 0, &p.lon)) ||
        (rc = query_double(req, "radius_m", 1, MAX_RADIUS_M, false, 200, &p.radius)))
        return rc;
    if (!http_req_query(req, "from") || !http_req_query(req, "to"))
        return http_fail(req, WW_EINVAL, "query parameters 'from' and 'to' are required");
    if ((rc = http_req_query_time(req, "from", 0, &p.from)) || (rc = http_req_query_time(req, "to", 0, &p.to)))
        return rc;
    if ((rc = check_place(req, &p, MAX_WINDOW_US))) return rc;
    struct cat_camera_pos *pos;
    struct hit *hits;
    size_t npos, nh;
    if ((rc = find(req, &p, AUTHZ_PLAYBACK, &pos, &npos, &hits, &nh))) return rc;
    catalog_t *cat = http_req_catalog(req);
    rc = http_audit(req, "place_search", 0, p.from, p.to,
                    json_pack("{s:f,s:f,s:f,s:I}", "lat", p.lat, "lon", p.lon, "radius_m", p.radius,
                              "cameras", (json_int_t)nh));
    if (rc) {
        free(hits);
        cat_camera_pos_list_free(pos, npos);
        return http_fail(req, rc, "cannot write the audit record; refusing to search");
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < nh; i++) json_array_append_new(arr, hit_json(req, cat, &hits[i], &p));
    free(hits);
    cat_camera_pos_list_free(pos, npos);
    return http_respond_json(req, 200, json_pack("{s:{s:f,s:f,s:f},s:o,s:o,s:o}", "place", "lat", p.lat, "lon",
                                                 p.lon, "radius_m", p.radius, "from", api_time(p.from), "to",
                                                 api_time(p.to), "cameras", arr));
}

/* ---- evidence bundles ------------------------------------------------------------------ */

static const char *const bundle_fields[] = {"lat", "lon", "radius_m", "from", "to", "camera_ids", "note", NULL};

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -errno;
    int rc = fputs(text, f) < 0 ? -EIO : 0;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) rc = -EIO;
    if (fclose(f) != 0) rc = -EIO;
    return rc;
}

static void remove_tree(const char *dir, json_t *names)
{
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) {
        char *p = ww_asprintf("%s/%s", dir, json_string_value(v));
        unlink(p);
        free(p);
    }
    rmdir(dir);
}

static int h_bundle(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    json_t *body;
    int rc = http_req_json(req, bundle_fields, &body);
    if (rc) return rc;
    struct place p = {.radius = 200};
    if ((rc = http_json_double(req, body, "lat", true, -90, 90, &p.lat)) < 0 ||
        (rc = http_json_double(req, body, "lon", true, -180, 180, &p.lon)) < 0 ||
        (rc = http_json_double(req, body, "radius_m", false, 1, MAX_RADIUS_M, &p.radius)) < 0 ||
        (rc = community_json_time(req, body, "from", true, &p.from)) < 0 ||
        (rc = community_json_time(req, body, "to", true, &p.to)) < 0)
        return rc;
    if ((rc = check_place(req, &p, MAX_BUNDLE_WINDOW_US))) return rc;
    const char *note = NULL;
    if ((rc = http_json_str_or_null(req, body, "note", 500, &note)) < 0) return rc;
    json_t *want = json_object_get(body, "camera_ids");
    if (want && !json_is_null(want) && !json_is_array(want))
        return http_fail(req, WW_EINVAL, "field 'camera_ids' must be a list of camera ids");
    size_t i;
    json_t *jv;
    json_array_foreach(want, i, jv)
        if (!json_is_integer(jv) || json_integer_value(jv) <= 0)
            return http_fail(req, WW_EINVAL, "field 'camera_ids' must be a list of camera ids");

    /* what the caller may see in the search, then keep what they may export */
    struct cat_camera_pos *pos;
    struct hit *hits;
    size_t npos, nh;
    if ((rc = find(req, &p, AUTHZ_PLAYBACK, &pos, &npos, &hits, &nh))) return rc;
    const struct http_user *u = http_req_user(req);
    catalog_t *cat = http_req_catalog(req);
    struct hit **take = ww_calloc(nh + 1, sizeof *take);
    size_t ntake = 0;
    json_t *skipped = json_array();
    int64_t now = ww_wall_us();
    for (size_t k = 0; k < nh; k++) {
        struct cat_camera_pos *c = hits[k].c;
        bool asked = !want || json_is_null(want);
        json_array_foreach(want, i, jv) asked = asked || json_integer_value(jv) == c->id;
        if (!asked) continue;
        struct authz_camera_facts f = {true, c->ward_id, c->owner_id};
        const char *why = NULL;
        if (http_authz_decide_camera(u, &f, AUTHZ_EXPORT)) why = "your role may not export this camera";
        else if (http_consent_now(req, c->id, AUTHZ_EXPORT, NULL)) why = "no_consent";
        if (why) {
            json_array_append_new(skipped, json_pack("{s:I,s:s,s:s}", "camera_id", (json_int_t)c->id, "name",
                                                     c->name ? c->name : "", "reason", why));
            continue;
        }
        if (ntake < MAX_BUNDLE_CAMERAS) take[ntake++] = &hits[k];
        else json_array_append_new(skipped, json_pack("{s:I,s:s,s:s}", "camera_id", (json_int_t)c->id, "name",
                                                      c->name ? c->name : "", "reason", "more than 50 cameras"));
    }
    if (!ntake) {
        bool any_perm = json_array_size(skipped) > 0;
        free(take);
        free(hits);
        cat_camera_pos_list_free(pos, npos);
        json_decref(skipped);
        return any_perm ? http_fail(req, WW_EPERM, "none of the cameras that recorded there may be exported by you "
                                                   "(role or the owners' consent)")
                        : http_fail(req, WW_ENOTFOUND, "no camera within %.0f m recorded in that window", p.radius);
    }

    /* the folder: bundles/<UTC time>-<random> */
    char stamp[48], rnd[9];
    ww_fmt_time(now, 0, stamp, sizeof stamp);
    char compact[32];
    size_t k2 = 0;
    for (const char *s = stamp; *s && k2 < 15; s++)
        if ((*s >= '0' && *s <= '9') || *s == 'T') compact[k2++] = *s;
    compact[k2] = 0;
    uint8_t rb[4];
    randombytes_buf(rb, sizeof rb);
    sodium_bin2hex(rnd, sizeof rnd, rb, sizeof rb);
    char *rel = ww_asprintf("bundles/%s-%s", compact, rnd);
    char *dir = ww_asprintf("%s/%s", ctx->data_dir, rel);
    json_t *files = json_array(), *names = json_array();
    struct ww_buf sums = {0};
    struct cat_bundle_item *bitems = ww_calloc(ntake + json_array_size(skipped) + 1, sizeof *bitems);
    size_t nb = 0;
    if ((rc = ww_mkdirs(dir, 0750))) {
        rc = http_fail(req, rc, "cannot create the bundle folder");
        goto out;
    }
    for (size_t k = 0; k < ntake; k++) {
        struct cat_camera_pos *c = take[k]->c;
        char *mp4 = ww_asprintf("cam%lld.mp4", (long long)c->id);
        char *out_path = ww_asprintf("%s/%s", dir, mp4);
        rc = http_audit(req, CAT_AUDIT_EXPORT, c->id, p.from, p.to,
                        json_pack("{s:s,s:s,s:s}", "stream", "main", "bundle", rel, "via", "place_search"));
        if (rc) {
            free(mp4);
            free(out_path);
            rc = http_fail(req, rc, "cannot write the audit record; refusing to export");
            goto out;
        }
        struct export_req q = {
            .data_dir = ctx->data_dir, .cat = cat, .camera_id = c->id, .stream = "main", .from_us = p.from,
            .to_us = p.to, .out_path = out_path, .user_id = u->id, .username = u->username,
            .client_addr = http_req_client_addr(req),
        };
        struct export_result r;
        int erc = export_clip(&q, &r);
        if (erc) {
            json_array_append_new(skipped, json_pack("{s:I,s:s,s:s}", "camera_id", (json_int_t)c->id, "name",
                                                     c->name ? c->name : "", "reason",
                                                     erc == WW_ENOTFOUND ? "nothing recorded" :
                                                     erc == WW_EPERM ? "no_consent" : ww_strerror(erc)));
            bitems[nb++] = (struct cat_bundle_item){c->id, 0, "skipped",
                                                    erc == WW_ENOTFOUND ? "nothing recorded" : "export failed"};
            export_result_clear(&r);
            free(mp4);
            free(out_path);
            continue;
        }
        char *man = ww_asprintf("%s.manifest.json", mp4);
        char *msig = ww_asprintf("%s.sig", man);
        char *msig_path = ww_asprintf("%s.sig", r.manifest_path);
        char msha[65] = "", ssha[65] = "";
        export_sha256_file(r.manifest_path, msha);
        export_sha256_file(msig_path, ssha);
        free(msig_path);
        json_array_append_new(names, json_string(mp4));
        json_array_append_new(names, json_string(man));
        json_array_append_new(names, json_string(msig));
        json_array_append_new(files, json_pack("{s:s,s:s,s:I,s:I,s:s,s:f,s:I,s:o,s:o,s:s,s:s}", "name", mp4,
                                               "sha256", r.sha256, "bytes", (json_int_t)r.bytes, "camera_id",
                                               (json_int_t)c->id, "camera_name", c->name ? c->name : "",
                                               "distance_m", round(take[k]->distance * 10) / 10, "export_id",
                                               (json_int_t)r.export_id, "first_frame", api_time(r.first_us),
                                               "last_frame", api_time(r.last_us), "manifest", man,
                                               "manifest_sha256", msha));
        ww_buf_printf(&sums, "%s  %s\n%s  %s\n%s  %s\n", r.sha256, mp4, msha, man, ssha, msig);
        free(msig);
        bitems[nb++] = (struct cat_bundle_item){c->id, r.export_id, "exported", NULL};
        export_result_clear(&r);
        free(man);
        free(mp4);
        free(out_path);
    }
    if (!json_array_size(files)) {
        rc = http_fail(req, WW_ENOTFOUND, "nothing could be exported from the cameras found");
        goto out;
    }
    {
        char a[48], b[48], c[48], d[48], e[48];
        int off = ww_station_offset_min();
        json_t *m = json_pack("{s:s,s:{s:f,s:f,s:f},s:{s:s,s:s,s:s,s:s},s:o,s:o,s:{s:s,s:I,s:s?},s:s,s:s,s:s?}",
            "kind", "wardwatch evidence bundle",
            "place", "latitude", p.lat, "longitude", p.lon, "radius_m", p.radius,
            "requested", "from_local", ww_fmt_time(p.from, off, a, sizeof a), "to_local",
                         ww_fmt_time(p.to, off, b, sizeof b), "from_utc", ww_fmt_time(p.from, 0, c, sizeof c),
                         "to_utc", ww_fmt_time(p.to, 0, d, sizeof d),
            "files", json_incref(files), "skipped", json_incref(skipped),
            "exported_by", "username", u->username, "user_id", (json_int_t)u->id, "client_addr",
                           http_req_client_addr(req),
            "exported_at", ww_fmt_time(ww_wall_us(), off, e, sizeof e),
            "timezone", "Asia/Ho_Chi_Minh",
            "checksums", "SHA256SUMS lists every file of this folder but itself; check with `sha256sum -c SHA256SUMS`",
            "note", note);
        /* signed like a clip's manifest (export/sign.c): it lists every
         * file's SHA-256, so the signature covers the whole bundle */
        char *mjson = NULL;
        char *mpath = ww_asprintf("%s/bundle.json", dir);
        struct export_key key;
        bool created;
        if ((rc = export_key_ensure(ctx->data_dir, &key, &created)) == 0)
            rc = export_manifest_write_signed(&key, m, mpath, &mjson);
        export_key_wipe(&key);
        json_decref(m);
        char bsha[65] = "", bssha[65] = "";
        if (!rc) rc = export_sha256_file(mpath, bsha);
        char *bsig = ww_asprintf("%s.sig", mpath);
        if (!rc) rc = export_sha256_file(bsig, bssha);
        free(bsig);
        free(mpath);
        json_array_append_new(names, json_string("bundle.json"));
        json_array_append_new(names, json_string("bundle.json.sig"));
        if (!rc) {
            ww_buf_printf(&sums, "%s  bundle.json\n%s  bundle.json.sig\n", bsha, bssha);
            ww_buf_append(&sums, "", 1);
            char *spath = ww_asprintf("%s/SHA256SUMS", dir);
            rc = write_text(spath, (const char *)sums.data);
            free(spath);
            json_array_append_new(names, json_string("SHA256SUMS"));
        }
        if (!rc) {
            char *any = ww_asprintf("%s/bundle.json", dir);
            ww_fsync_dir_of(any);
            free(any);
        }
        size_t ns = json_array_size(skipped);
        for (size_t s = 0; !rc && s < ns; s++) {
            json_t *sk = json_array_get(skipped, s);
            int64_t cid = json_integer_value(json_object_get(sk, "camera_id"));
            bool have = false;
            for (size_t t = 0; t < nb; t++) have = have || bitems[t].camera_id == cid;
            if (!have) bitems[nb++] = (struct cat_bundle_item){cid, 0, "skipped",
                                                               (char *)json_string_value(json_object_get(sk, "reason"))};
        }
        struct cat_bundle bd = {
            .user_id = u->id, .username = (char *)u->username, .latitude = p.lat, .longitude = p.lon,
            .radius_m = p.radius, .from_us = p.from, .to_us = p.to, .dir = rel, .manifest = mjson,
            .manifest_sha256 = bsha, .items = bitems, .n_items = nb,
        };
        if (!rc) rc = catalog_bundle_add(cat, &bd);
        free(mjson);
        if (rc) {
            rc = http_fail(req, rc, "cannot register the bundle");
            goto out;
        }
        json_t *res = json_pack("{s:I,s:s,s:s,s:O,s:O,s:s,s:s}", "id", (json_int_t)bd.id, "folder", rel,
                                "manifest_sha256", bsha, "files", files, "skipped", skipped, "tar_url",
                                http_req_printf(req, "/api/v1/bundles/%lld/bundle.tar", (long long)bd.id),
                                "manifest_url",
                                http_req_printf(req, "/api/v1/bundles/%lld/files/bundle.json", (long long)bd.id));
        rc = http_respond_json(req, 201, json_pack("{s:o}", "bundle", res));
    }
out:
    if (rc && dir) remove_tree(dir, names);
    json_decref(files);
    json_decref(names);
    json_decref(skipped);
    ww_buf_free(&sums);
    free(bitems);
    free(rel);
    free(dir);
    free(take);
    free(hits);
    cat_camera_pos_list_free(pos, npos);
    return rc;
}

/* Loads a bundle the caller may open: EXPORT on every camera exported into it. */
static int load_bundle(struct http_req *req, struct cat_bundle *b)
{
    int64_t id;
    int rc = http_req_param_id(req, "id", &id);
    if (rc) return rc;
    catalog_t *cat = http_req_catalog(req);
    if ((rc = catalog_bundle_get(cat, id, b)) == WW_ENOTFOUND) return http_fail(req, rc, "no such bundle");
    if (rc) return rc;
    const struct http_user *u = http_req_user(req);
    for (size_t i = 0; i < b->n_items; i++) {
        if (!b->items[i].export_id) continue;
        int64_t w, o;
        int s = catalog_camera_scope(cat, b->items[i].camera_id, &w, &o);
        struct authz_camera_facts f = {s == 0, w, o};
        bool ok = u->role == CAT_ROLE_ADMIN || (s == 0 && http_authz_decide_camera(u, &f, AUTHZ_EXPORT) == 0);
        if (!ok) {
            cat_bundle_clear(b);
            return http_fail(req, WW_ENOTFOUND, "no such bundle");
        }
    }
    return 0;
}

static json_t *bundle_json(struct http_req *req, const struct cat_bundle *b, bool with_manifest)
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
    struct cat_bundle *v;
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
            ok = u->role == CAT_ROLE_ADMIN || (s == 0 && http_authz_decide_camera(u, &f, AUTHZ_EXPORT) == 0);
        }
        if (ok) json_array_append_new(arr, bundle_json(req, &v[i], false));
    }
    cat_bundle_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o}", "bundles", arr));
}

static int h_bundle_get(struct http_req *req, void *ud)
{
    (void)ud;
    struct cat_bundle b;
    int rc = load_bundle(req, &b);
    if (rc) return rc;
    json_t *o = bundle_json(req, &b, true);
    cat_bundle_clear(&b);
    return http_respond_json(req, 200, o);
}

/* The member names of a bundle, from its manifest (never from the request). */
static json_t *member_names(const struct cat_bundle *b)
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
static int audit_download(struct http_req *req, const struct cat_bundle *b, const char *what)
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

static int h_bundle_tar(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    struct cat_bundle b;
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
        cat_bundle_clear(&b);
        return rc == -ENOENT ? http_fail(req, WW_ENOTFOUND, "a file of the bundle is gone") : rc;
    }
    http_resp_header(req, "Content-Disposition", http_req_printf(req, "attachment; filename=\"%s.tar\"", folder));
    http_resp_header(req, "X-Bundle-Manifest-SHA256", b.manifest_sha256);
    cat_bundle_clear(&b);
    struct tar_ctx *c = ww_calloc(1, sizeof *c);
    c->t = t;
    c->srv = http_req_server(req);
    return http_respond_stream(req, 200, "application/x-tar", community_tar_size(t), tar_read, c, tar_free);
}

static int h_bundle_file(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    struct cat_bundle b;
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
        cat_bundle_clear(&b);
        return http_fail(req, WW_ENOTFOUND, "the bundle has no file of that name");
    }
    /* Every member: the clips, and the manifests that name the owners. */
    if ((rc = audit_download(req, &b, want))) {
        cat_bundle_clear(&b);
        return rc;
    }
    char *path = ww_asprintf("%s/%s/%s", ctx->data_dir, b.dir, want);
    cat_bundle_clear(&b);
    http_resp_header(req, "Content-Disposition", http_req_printf(req, "attachment; filename=\"%s\"", want));
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
    return rc;
}
