/*
 * events.c — the motion event register as the console reads it.
 *
 *   GET /api/v1/events?camera=ID[,ID…]&ward=ID&zone=Z&from=T&to=T&limit=N&before=START_US:ID
 *   GET /api/v1/events/{id}
 *   GET /api/v1/events/{id}/thumbnail        image/jpeg of the event's peak frame
 *
 * Why it is shaped like this: an officer looks for "the minute that
 * matters" across the ward's cameras, newest first, and scrolls back.  The
 * catalog's keyset cursor (start_us, id) walks the index backwards without
 * a sort or an OFFSET, so page 40 costs what page 1 does; the answer hands
 * the next cursor back as `next` ("START_US:ID", opaque to the console).
 * One row more than asked is read, so `next` is null exactly on the last
 * page (no empty page at the end).
 *
 * Scope (never leak another ward's events): every query is limited to the
 * cameras the caller may PLAYBACK (http_authz_camera_scope).  A camera named
 * in the filter that the caller may not see answers 404 exactly like a
 * camera that does not exist; a ward outside the caller's scope likewise.
 * One event answers by its camera's PLAYBACK right; its thumbnail (a
 * picture from the camera) also needs the owner's consent to playback now.
 *
 * Not audited per request, like the timeline that also lists events: the
 * list and its thumbnails are an index into the footage.  Opening the
 * footage (playback from `play_url`) is audited as playback.
 */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/cat_events.h"
#include "catalog/cat_users.h"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX 500
#define MAX_FILTER_CAMERAS 100 /* ids named in ?camera= */

/* "YYYY-MM-DD" of us in station time (the timeline page's day). */
static void station_date(int64_t us, char out[32])
{
    time_t s = (time_t)(us / 1000000) + (time_t)ww_station_offset_min() * 60;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, 32, "%Y-%m-%d", &tm);
}

/* An event as the API shows it.  name: the camera's name (may be NULL). */
static json_t *event_json(struct http_req *req, const struct catalog_event *e, const char *name,
                          int64_t ward_id)
{
    char date[32];
    station_date(e->start_us, date);
    /* The event's start already includes the detector's pre-roll: playing
     * from it shows what led up to the motion.  Whole seconds (rounded
     * down): playback starts at the keyframe at or before anyway. */
    long long cam = (long long)e->camera_id, at_s = (long long)(e->start_us / 1000000);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(e->id));
    json_object_set_new(o, "camera_id", json_integer(e->camera_id));
    json_object_set_new(o, "camera_name", name ? json_string(name) : json_null());
    json_object_set_new(o, "ward_id", api_id(ward_id));
    json_object_set_new(o, "start", api_time(e->start_us));
    json_object_set_new(o, "start_us", json_integer(e->start_us));
    json_object_set_new(o, "end", api_time(e->end_us));
    json_object_set_new(o, "end_us", json_integer(e->end_us));
    json_object_set_new(o, "peak", api_time(e->peak_us));
    json_object_set_new(o, "peak_us", json_integer(e->peak_us));
    json_object_set_new(o, "duration_s", json_real((double)(e->end_us - e->start_us) / 1e6));
    json_object_set_new(o, "zone", json_string(e->zone ? e->zone : ""));
    json_object_set_new(o, "peak_score", json_real(e->peak_score));
    json_object_set_new(o, "in_progress", json_false());
    json_object_set_new(
        o, "thumbnail_url",
        e->has_thumbnail
            ? json_string(http_req_printf(req, "/api/v1/events/%lld/thumbnail", (long long)e->id))
            : json_null());
    json_object_set_new(o, "play_url",
                        json_string(http_req_printf(req, "#/timeline?camera=%lld&date=%s&at=%lld",
                                                    cam, date, at_s)));
    json_object_set_new(
        o, "playback_url",
        json_string(http_req_printf(req, "/api/v1/cameras/%lld/playback?at=%lld", cam, at_s)));
    return o;
}

/* ---- filter parsing ------------------------------------------------------ */

/* ?camera=1,2,3 → ids in the request arena.  WW_EINVAL (message set) for a
 * malformed list. */
static int parse_camera_list(struct http_req *req, const char *s, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    if (cap > MAX_FILTER_CAMERAS)
        return http_fail(req, WW_EINVAL, "camera: at most %d camera ids", MAX_FILTER_CAMERAS);
    int64_t *v = http_req_alloc(req, cap * sizeof *v);
    const char *p = s;
    for (;;) {
        size_t len = strcspn(p, ",");
        char *one = http_req_alloc(req, len + 1);
        memcpy(one, p, len);
        if (ww_parse_i64(one, 1, INT64_MAX, &v[*n]))
            return http_fail(
                req, WW_EINVAL,
                "camera must be a camera id or a comma-separated list of ids (got '%.40s')", s);
        (*n)++;
        if (!p[len]) break;
        p += len + 1;
    }
    *ids = v;
    return 0;
}

/* ?before=START_US:ID (the `next` of the previous page). */
static int parse_cursor(struct http_req *req, const char *s, int64_t *start_us, int64_t *id)
{
    const char *colon = strchr(s, ':');
    if (colon && (size_t)(colon - s) < 24) {
        char head[24];
        memcpy(head, s, (size_t)(colon - s));
        head[colon - s] = 0;
        if (!ww_parse_i64(head, 1, INT64_MAX, start_us) &&
            !ww_parse_i64(colon + 1, 1, INT64_MAX, id))
            return 0;
    }
    return http_fail(req, WW_EINVAL,
                     "before must be the `next` value of a previous page (START_US:ID)");
}

static bool contains(const int64_t *v, size_t n, int64_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x) return true;
    return false;
}

/* The ward filter: 404 unless the ward exists and is in the caller's scope
 * (admin and province: every ward; officer and viewer: their own; owners
 * have no ward scope).  *ids gets the ward's cameras (arena). */
static int ward_cameras(struct http_req *req, int64_t ward, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    const struct http_user *u = http_req_user(req);
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    bool exists = false;
    int rc = http_ward_exists(cat, ward, &exists);
    if (rc) return rc;
    bool in_scope =
        u && (u->role == CATALOG_ROLE_ADMIN || u->role == CATALOG_ROLE_PROVINCE ||
              ((u->role == CATALOG_ROLE_OFFICER || u->role == CATALOG_ROLE_VIEWER) && u->ward_id == ward));
    if (!exists || !in_scope) return http_fail(req, WW_ENOTFOUND, "no such ward");
    int64_t *v = NULL;
    size_t k = 0;
    if ((rc = catalog_camera_ids_scoped(cat, ward, 0, &v, &k))) return rc;
    *ids = http_req_alloc(req, (k ? k : 1) * sizeof **ids);
    if (k) memcpy(*ids, v, k * sizeof *v);
    *n = k;
    free(v);
    return 0;
}

/* ---- handlers ------------------------------------------------------------ */

/* Names and wards of the cameras, for the rows of one answer. */
struct cam_names {
    struct catalog_camera *v;
    size_t n;
};

static const struct catalog_camera *cam_find(const struct cam_names *c, int64_t id)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].id == id) return &c->v[i];
    return NULL;
}

/* Events still in progress (issue 17 item 14): the engine holds them until
 * they close (and are stored, under the owner's consent); listed first,
 * newest of all, with "in_progress": true, no id and no end yet.  Only on
 * the first page, for a window that reaches now, for the cameras and zone
 * the filters allow. */
static void add_in_progress(struct http_req *req, const struct api_ctx *ctx, json_t *rows,
                            const struct cam_names *names, bool filtered, const int64_t *sel, size_t nsel,
                            const char *zone, int64_t from, int64_t to)
{
    int64_t now = ww_wall_us();
    if (!ctx->engine || (to && to < now)) return;
    struct engine_camera_status *v = NULL;
    size_t n = 0;
    engine_status_list(ctx->engine, &v, &n);
    for (size_t i = 0; i < n; i++) {
        if (filtered && !contains(sel, nsel, v[i].id)) continue;
        const struct engine_stream_status *ss[2] = {&v[i].sub, &v[i].main};
        for (int k = 0; k < 2; k++) {
            const struct engine_stream_status *s = ss[k];
            if (!s->present || !s->has_motion || !s->motion.open_start_us) continue;
            if (zone && strcmp(zone, s->motion.open_zone)) continue;
            if (from && now < from) continue;
            const struct catalog_camera *c = cam_find(names, v[i].id);
            struct catalog_event e = {.camera_id = v[i].id, .start_us = s->motion.open_start_us,
                                  .end_us = now, .peak_us = s->motion.open_peak_us,
                                  .peak_score = s->motion.open_peak_score, .zone = (char *)s->motion.open_zone};
            json_t *o = event_json(req, &e, c ? c->name : NULL, c ? c->ward_id : 0);
            json_object_set_new(o, "id", json_null());
            json_object_set_new(o, "end", json_null());
            json_object_set_new(o, "end_us", json_null());
            json_object_set_new(o, "in_progress", json_true());
            json_array_insert_new(rows, 0, o);
            break; /* one detector per camera */
        }
    }
    free(v);
}

static int h_list(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int rc;
    int64_t limit, from, to, ward;
    if ((rc = http_req_query_i64(req, "limit", 1, LIMIT_MAX, LIMIT_DEFAULT, &limit)) ||
        (rc = http_req_query_time(req, "from", 0, &from)) ||
        (rc = http_req_query_time(req, "to", 0, &to)) ||
        (rc = http_req_query_i64(req, "ward", 1, INT64_MAX, 0, &ward)))
        return rc;
    if (from && to && to <= from) return http_fail(req, WW_EINVAL, "to must be after from");
    const char *zone = http_req_query(req, "zone");
    if (zone && !*zone) zone = NULL;
    if (zone && strlen(zone) >= 64) return http_fail(req, WW_EINVAL, "zone: at most 63 bytes");
    struct catalog_event_filter f = {
        .zone = zone, .from_us = from, .to_us = to, .limit = (size_t)limit + 1};
    const char *before = http_req_query(req, "before");
    if (before && *before && (rc = parse_cursor(req, before, &f.before_start_us, &f.before_id)))
        return rc;

    /* Which cameras: the caller's PLAYBACK scope, narrowed by the filters. */
    struct http_scope allowed;
    if ((rc = http_authz_camera_scope(req, AUTHZ_PLAYBACK, &allowed))) return rc;
    int64_t *sel = NULL;
    size_t nsel = 0;
    bool filtered = !allowed.all; /* false: every camera, no IN (…) */
    const char *camq = http_req_query(req, "camera");
    if (camq && *camq) {
        if ((rc = parse_camera_list(req, camq, &sel, &nsel))) return rc;
        for (size_t i = 0; i < nsel; i++)
            if ((rc = http_authz_camera(req, sel[i], AUTHZ_PLAYBACK))) return rc;
        filtered = true;
    }
    if (ward) {
        int64_t *wc = NULL;
        size_t nw = 0;
        if ((rc = ward_cameras(req, ward, &wc, &nw))) return rc;
        if (camq && *camq) { /* both: the named cameras that are in the ward */
            size_t k = 0;
            for (size_t i = 0; i < nsel; i++)
                if (contains(wc, nw, sel[i])) sel[k++] = sel[i];
            nsel = k;
        } else { /* the ward's cameras the caller may play back */
            sel = wc;
            nsel = 0;
            for (size_t i = 0; i < nw; i++)
                if (http_scope_has(&allowed, wc[i])) sel[nsel++] = wc[i];
        }
        filtered = true;
    } else if (!(camq && *camq) && !allowed.all) {
        sel = (int64_t *)allowed.ids;
        nsel = allowed.n;
    }
    if (filtered && nsel > CATALOG_EVENT_MAX_FILTER_CAMERAS)
        return http_fail(req, WW_EINVAL,
                         "too many cameras in scope (%zu); filter by ward or camera", nsel);

    json_t *rows = json_array();
    json_t *next = json_null();
    if (!filtered || nsel) {
        f.camera_ids = filtered ? sel : NULL;
        f.n_cameras = filtered ? nsel : 0;
        catalog_t *cat = http_req_catalog(req);
        if (!cat) {
            json_decref(rows);
            return WW_EDB;
        }
        struct catalog_event *ev = NULL;
        size_t n = 0;
        struct cam_names names = {0};
        if ((rc = catalog_event_query(cat, &f, &ev, &n)) ||
            (rc = catalog_camera_list(cat, &names.v, &names.n))) {
            catalog_event_list_free(ev, n);
            json_decref(rows);
            return rc;
        }
        if (!(before && *before)) add_in_progress(req, ctx, rows, &names, filtered, sel, nsel, zone, from, to);
        size_t shown = n > (size_t)limit ? (size_t)limit : n;
        for (size_t i = 0; i < shown; i++) {
            const struct catalog_camera *c = cam_find(&names, ev[i].camera_id);
            json_array_append_new(rows,
                                  event_json(req, &ev[i], c ? c->name : NULL, c ? c->ward_id : 0));
        }
        if (n > (size_t)limit) {
            json_decref(next);
            next = json_string(http_req_printf(req, "%lld:%lld", (long long)ev[shown - 1].start_us,
                                               (long long)ev[shown - 1].id));
        }
        catalog_event_list_free(ev, n);
        catalog_camera_list_free(names.v, names.n);
    }
    return http_respond_json(
        req, 200,
        json_pack("{s:o,s:o,s:I}", "events", rows, "next", next, "limit", (json_int_t)limit));
}

/* Loads event {id} and checks PLAYBACK on its camera.  An event of a
 * camera outside the caller's scope is "not found", like a missing one. */
static int load_event(struct http_req *req, struct catalog_event *e)
{
    int64_t id;
    catalog_t *cat;
    int rc = api_param_id(req, &id, &cat);
    if (rc) return rc;
    if ((rc = api_found(req, catalog_event_get(cat, id, e), "event"))) return rc;
    if ((rc = api_row_camera(req, e->camera_id, AUTHZ_PLAYBACK, "event"))) catalog_event_clear(e);
    return rc;
}

static int h_one(struct http_req *req, void *ud)
{
    (void)ud;
    struct catalog_event e;
    int rc = load_event(req, &e);
    if (rc) return rc;
    struct catalog_camera c;
    bool have = catalog_camera_get(http_req_catalog(req), e.camera_id, &c) == 0;
    json_t *o = event_json(req, &e, have ? c.name : NULL, have ? c.ward_id : 0);
    if (have) catalog_camera_clear(&c);
    catalog_event_clear(&e);
    return http_respond_json(req, 200, json_pack("{s:o}", "event", o));
}

static int h_thumbnail(struct http_req *req, void *ud)
{
    (void)ud;
    struct catalog_event e;
    int rc = load_event(req, &e);
    if (rc) return rc;
    int64_t id = e.id, cam = e.camera_id;
    catalog_event_clear(&e);
    /* A thumbnail is a picture from the camera: like playback, it needs the
     * owner's consent to viewing recordings now (community_may), not only
     * the role — a withdrawal stops the stills as it stops the footage. */
    if ((rc = http_authz_use(req, cam, AUTHZ_PLAYBACK, NULL))) return rc;
    uint8_t *jpeg = NULL;
    size_t len = 0;
    rc = catalog_event_thumbnail(http_req_catalog(req), id, &jpeg, &len);
    if (rc == WW_ENOTFOUND) return http_fail(req, rc, "this event has no thumbnail");
    if (rc) return rc;
    /* A private cache: the console shows the same thumbnails again while
     * scrolling; a shared proxy must never keep a resident's picture. */
    http_resp_header(req, "Cache-Control", "private, max-age=600");
    rc = http_respond_data(req, 200, "image/jpeg", jpeg, len);
    free(jpeg);
    return rc;
}

int api_events_register(struct http_server *srv, const struct api_ctx *ctx)
{
    int rc = http_route(srv, "GET", "/api/v1/events", h_list, (void *)ctx, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/events/{id}", h_one, (void *)ctx, 0);
    if (!rc)
        rc = http_route(srv, "GET", "/api/v1/events/{id}/thumbnail", h_thumbnail, (void *)ctx, 0);
    return rc;
}
