/*
 * live.c — GET /api/v1/cameras/{id}/live?stream=main|sub
 *
 * Progressive HTTP (chunked fMP4) rather than a WebSocket: one plain GET
 * per viewer that fetch() can stream into Media Source Extensions, that
 * passes any proxy, and needs no framing of our own.  Every viewer of a
 * stream reads the same fragments from one shared fragmenter (live/), so
 * viewers do not multiply muxing work.  Headers: X-Codec (the MSE codecs
 * string) and X-Start-Us (wall µs of media time 0).  503 "offline" when the
 * camera has no running session within 5 s; every view is audited.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/cat_audit.h"
#include "community/community.h"
#include "engine/engine.h"
#include "live/live.h"

struct live_ctx {
    engine_t *eng;
    hub_t *hub;
    live_feed_t *feed;
    live_viewer_t *viewer;
    struct http_server *srv;
    struct http_consent_watch consent;
};

static ssize_t live_read(void *opaque, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct live_ctx *c = opaque;
    if (http_stream_stopping(c->srv) || !http_consent_watch_holds(&c->consent)) return HTTP_STREAM_END;
    ssize_t n = live_viewer_read(c->viewer, (uint8_t *)buf, max, 400000);
    if (n == WW_EOF) return HTTP_STREAM_END;
    return n;
}

static void live_free(void *opaque)
{
    struct live_ctx *c = opaque;
    live_viewer_free(c->viewer);
    live_feed_release(c->feed);
    engine_hub_release(c->eng, c->hub);
    free(c);
}

/* Why the camera has no picture, from the engine's stats. */
/* Why a camera's stream can't be shown: the text (request arena) and its
 * reason code (*code, request arena or static), as the single view's
 * error and each wall tile's say them. */
static const char *offline_reason(struct http_req *req, engine_t *e, int64_t id, const char *kind,
                                  const char **code)
{
    struct engine_camera_status cs;
    const char *why = "the camera is not being recorded (disabled, or outside its consent)";
    *code = "not_running";
    if (engine_camera_status(e, id, &cs) == 0) {
        const struct engine_stream_status *st = !strcmp(kind, "sub") ? &cs.sub : &cs.main;
        const char *state = st->present ? engine_state_name(st->state) : "offline";
        const char *r = st->present ? st->reason : "";
        why = http_req_printf(req, "camera %s%s%s", state, *r ? ": " : "", r);
        if (st->present && *st->reason_code) *code = http_req_printf(req, "%s", st->reason_code);
    }
    return why;
}

/* The single live view's 503, with the reason code the console words. */
static int live_offline(struct http_req *req, engine_t *e, int64_t id, const char *kind)
{
    const char *code, *why = offline_reason(req, e, id, kind, &code);
    http_req_set_reason(req, code, NULL);
    return http_error(req, 503, "offline", "%s", why);
}

static int h_live(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id;
    int rc = http_req_param_id(req, "id", &id);
    if (rc) return rc;
    int64_t until;
    if ((rc = http_authz_use(req, id, AUTHZ_LIVE, &until))) return rc;
    const char *kind = http_req_query(req, "stream");
    if (!kind) kind = "main";
    if (strcmp(kind, "main") && strcmp(kind, "sub"))
        return http_fail(req, WW_EINVAL, "stream must be main or sub");
    engine_t *e = ctx->engine;
    if (!e) return http_error(req, 503, "offline", "this server does not run the cameras (--no-record)");
    hub_t *h = engine_hub_acquire(e, id, kind);
    if (!h && !strcmp(kind, "sub")) h = engine_hub_acquire(e, id, kind = "main"); /* no sub stream: main */
    if (!h) return live_offline(req, e, id, kind);
    live_feed_t *f = live_feed_acquire(h);
    char codec[48];
    int64_t t0;
    if (live_feed_wait_ready(f, 5000000, codec, sizeof codec, &t0)) {
        live_feed_release(f);
        engine_hub_release(e, h);
        return live_offline(req, e, id, kind);
    }
    int64_t start = ww_wall_us();
    rc = http_audit(req, CATALOG_AUDIT_LIVE_VIEW, id, start, 0, json_pack("{s:s}", "stream", kind));
    if (rc) {
        live_feed_release(f);
        engine_hub_release(e, h);
        return http_fail(req, rc, "cannot write the audit record; refusing to show video");
    }
    struct live_ctx *c = ww_calloc(1, sizeof *c);
    c->eng = e;
    c->hub = h;
    c->feed = f;
    c->viewer = live_viewer_new(f);
    c->srv = http_req_server(req);
    http_consent_watch_init(&c->consent, req, id, AUTHZ_LIVE, until);
    http_resp_header(req, "X-Codec", codec);
    http_resp_header(req, "X-Start-Us", http_req_printf(req, "%lld", (long long)t0));
    http_resp_header(req, "X-Stream", kind);
    http_resp_header(req, "Cache-Control", "no-store");
    struct api_view_end *ve = api_view_end_new(req, kind, false);
    api_view_end_add(ve, id, start);
    api_view_end_arm(req, ve);
    return http_respond_stream(req, 200, "video/mp4", -1, live_read, c, live_free);
}

/* ---- the wall: many cameras in one response ----------------------------------
 * Browsers open at most six HTTP/1.1 connections to one server, so a 9 or 16
 * camera wall cannot use one request per tile.  GET /api/v1/live/wall?
 * cameras=1,2,3&stream=sub carries every tile's stream in one chunked
 * response, as frames:
 *     "WW" u8 type, u8 0, u32 camera id, u32 length (big-endian), payload
 * type 1: a JSON header {"camera","codec","start_us"} or {"camera","error":
 * {"code","message","reason","field"}} (reason and field as in an HTTP
 * error's body, for the console's words); type 2: the camera's fMP4 bytes
 * (continuing its own stream: the first are its init segment); type 3:
 * that camera's stream ended.  Each camera is checked and audited as a
 * single live view is. */
#define WALL_MAX 16
#define FRAME_HDR 12

struct wall_cam {
    int64_t id;
    hub_t *hub;
    live_feed_t *feed;
    live_viewer_t *viewer;
    struct http_consent_watch consent;
    bool ended;
};

struct wall_ctx {
    engine_t *eng;
    struct http_server *srv;
    struct wall_cam cam[WALL_MAX];
    int n, next;
    struct ww_buf pending;   /* header frames not yet sent */
    size_t off;
};

static void put_frame_hdr(uint8_t *p, int type, int64_t cam, uint32_t len)
{
    p[0] = 'W'; p[1] = 'W'; p[2] = (uint8_t)type; p[3] = 0;
    uint32_t c = (uint32_t)cam;
    for (int i = 0; i < 4; i++) p[4 + i] = (uint8_t)(c >> (24 - 8 * i));
    for (int i = 0; i < 4; i++) p[8 + i] = (uint8_t)(len >> (24 - 8 * i));
}

static void wall_json_frame(struct wall_ctx *w, int64_t cam, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    uint8_t h[FRAME_HDR];
    put_frame_hdr(h, 1, cam, (uint32_t)strlen(s));
    ww_buf_append(&w->pending, h, sizeof h);
    ww_buf_append(&w->pending, s, strlen(s));
    free(s);
}

/* A tile's error header: the code (not_found, forbidden, no_consent,
 * offline, internal), the message for API users, and the reason and field
 * the console words (as an HTTP error's body has them; NULL: none). */
static void wall_error(struct wall_ctx *w, int64_t cam, const char *code, const char *msg, const char *reason,
                       const char *field)
{
    json_t *e = json_pack("{s:s,s:s}", "code", code, "message", msg ? msg : "");
    if (reason) json_object_set_new(e, "reason", json_string(reason));
    if (field) json_object_set_new(e, "field", json_string(field));
    wall_json_frame(w, cam, json_pack("{s:I,s:o}", "camera", (json_int_t)cam, "error", e));
}

static ssize_t wall_read(void *opaque, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct wall_ctx *w = opaque;
    if (http_stream_stopping(w->srv)) return HTTP_STREAM_END;
    if (w->off < w->pending.len) {
        size_t n = w->pending.len - w->off;
        if (n > max) n = max;
        memcpy(buf, w->pending.data + w->off, n);
        w->off += n;
        if (w->off == w->pending.len) w->pending.len = w->off = 0;
        return (ssize_t)n;
    }
    if (max <= FRAME_HDR + 1024) return 0;
    /* Round robin over the cameras: the first with bytes ready fills one
     * frame.  Non-blocking reads; if none has anything, wait a little. */
    int live = 0;
    for (int k = 0; k < w->n; k++) {
        struct wall_cam *c = &w->cam[(w->next + k) % w->n];
        if (c->ended || !c->viewer) continue;
        if (!http_consent_watch_holds(&c->consent)) {
            /* the owner withdrew (or the window ended): this tile stops,
             * saying why, and the others go on */
            c->ended = true;
            wall_error(w, c->id, "no_consent", http_consent_reason(AUTHZ_LIVE),
                       http_consent_reason_code(COMMUNITY_CONSENT_ENDED), /* withdrawn, or its window over */
                       http_consent_field(AUTHZ_LIVE));
            uint8_t h[FRAME_HDR];
            put_frame_hdr(h, 3, c->id, 0);
            ww_buf_append(&w->pending, h, sizeof h);
            return 0;
        }
        live++;
        ssize_t got = live_viewer_read(c->viewer, (uint8_t *)buf + FRAME_HDR, max - FRAME_HDR, 0);
        if (got == WW_EOF) {
            c->ended = true;
            put_frame_hdr((uint8_t *)buf, 3, c->id, 0);
            return FRAME_HDR;
        }
        if (got > 0) {
            put_frame_hdr((uint8_t *)buf, 2, c->id, (uint32_t)got);
            w->next = (int)((w->next + k + 1) % w->n);
            return FRAME_HDR + got;
        }
    }
    if (!live) return HTTP_STREAM_END;
    struct timespec ts = {0, 20 * 1000000};
    nanosleep(&ts, NULL);
    return 0;
}

static void wall_free(void *opaque)
{
    struct wall_ctx *w = opaque;
    for (int i = 0; i < w->n; i++) {
        live_viewer_free(w->cam[i].viewer);
        live_feed_release(w->cam[i].feed);
        engine_hub_release(w->eng, w->cam[i].hub);
    }
    ww_buf_free(&w->pending);
    free(w);
}

/* Opens one tile; on failure queues an error header for it instead. */
static void wall_open(struct http_req *req, struct wall_ctx *w, int64_t id, const char *kind,
                      struct api_view_end *ve)
{
    int64_t start = 0;
    struct wall_cam *c = &w->cam[w->n++];
    c->id = id;
    c->ended = true;
    struct community_answer may;
    int rc = http_authz_may(req, id, AUTHZ_LIVE, &may);
    const char *code = NULL, *msg = NULL, *reason = NULL, *field = NULL;
    const char *k = kind;
    int64_t until = may.until_us;
    if (rc) { code = "internal"; msg = "catalog error"; }
    else if (may.why == COMMUNITY_NO_USER || may.why == COMMUNITY_NOT_IN_SCOPE) {
        code = "not_found"; msg = "no such camera"; reason = "no_camera";
    } else if (may.why == COMMUNITY_NOT_ROLE) {
        code = "forbidden"; msg = "live view is not allowed for you on this camera"; reason = "role";
    } else if (may.why != COMMUNITY_OK) {
        code = "no_consent"; msg = may.reason;
        reason = http_consent_reason_code(may.why);
        field = http_consent_field(AUTHZ_LIVE);
    } else {
        c->hub = engine_hub_acquire(w->eng, id, k);
        if (!c->hub && !strcmp(k, "sub")) c->hub = engine_hub_acquire(w->eng, id, k = "main");
        if (!c->hub) { code = "offline"; msg = offline_reason(req, w->eng, id, k, &reason); }
    }
    if (!code) {
        c->feed = live_feed_acquire(c->hub);
        char codec[48];
        int64_t t0;
        if (live_feed_wait_ready(c->feed, 1000000, codec, sizeof codec, &t0)) {
            code = "offline";
            msg = offline_reason(req, w->eng, id, k, &reason);
        } else if (http_audit(req, CATALOG_AUDIT_LIVE_VIEW, id, start = ww_wall_us(), 0,
                              json_pack("{s:s,s:b}", "stream", k, "wall", 1))) {
            code = "internal";
            msg = "cannot write the audit record; refusing to show video";
        } else {
            c->viewer = live_viewer_new(c->feed);
            http_consent_watch_init(&c->consent, req, id, AUTHZ_LIVE, until);
            c->ended = false;
            api_view_end_add(ve, id, start);
            wall_json_frame(w, id, json_pack("{s:I,s:s,s:I,s:s}", "camera", (json_int_t)id, "codec", codec,
                                             "start_us", (json_int_t)t0, "stream", k));
            return;
        }
    }
    wall_error(w, id, code, msg, reason, field);
}

static int h_wall(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    const char *list = http_req_query(req, "cameras");
    const char *kind = http_req_query(req, "stream");
    if (!kind) kind = "sub";
    if (strcmp(kind, "main") && strcmp(kind, "sub")) return http_fail(req, WW_EINVAL, "stream must be main or sub");
    if (!list || !*list) return http_fail(req, WW_EINVAL, "cameras=ID,ID,… is required");
    engine_t *e = ctx->engine;
    if (!e) return http_error(req, 503, "offline", "this server does not run the cameras (--no-record)");
    int64_t ids[WALL_MAX];
    int n = 0;
    char *copy = http_req_strdup(req, list), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == WALL_MAX) return http_fail(req, WW_EINVAL, "at most %d cameras on one wall", WALL_MAX);
        if (ww_parse_i64(t, 1, INT64_MAX, &ids[n])) return http_fail(req, WW_EINVAL, "cameras: '%s' is not a camera id", t);
        for (int k = 0; k < n; k++)
            if (ids[k] == ids[n]) return http_fail(req, WW_EINVAL, "cameras: %lld is listed twice", (long long)ids[n]);
        n++;
    }
    struct wall_ctx *w = ww_calloc(1, sizeof *w);
    w->eng = e;
    w->srv = http_req_server(req);
    struct api_view_end *ve = api_view_end_new(req, kind, true);
    for (int i = 0; i < n; i++) wall_open(req, w, ids[i], kind, ve);
    http_resp_header(req, "Cache-Control", "no-store");
    api_view_end_arm(req, ve);
    return http_respond_stream(req, 200, "application/x-wardwatch-wall", -1, wall_read, w, wall_free);
}

int api_live_register(struct http_server *srv, const struct api_ctx *ctx)
{
    int rc = http_route(srv, "GET", "/api/v1/cameras/{id}/live", h_live, (void *)ctx, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/live/wall", h_wall, (void *)ctx, 0);
    return rc;
}
