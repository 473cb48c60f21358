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

#include "catalog/cat_audit.h"
#include "engine/engine.h"
#include "live/live.h"

struct live_ctx {
    engine_t *eng;
    hub_t *hub;
    live_feed_t *feed;
    live_viewer_t *viewer;
    struct http_server *srv;
};

static ssize_t live_read(void *opaque, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct live_ctx *c = opaque;
    if (http_stream_stopping(c->srv)) return HTTP_STREAM_END;
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
static const char *offline_reason(struct http_req *req, engine_t *e, int64_t id, const char *kind)
{
    json_t *s = engine_camera_stats_json(e, id);
    const char *why = "the camera is not being recorded (disabled, or outside its consent)";
    if (s) {
        json_t *st = json_object_get(json_object_get(s, "streams"), kind);
        const char *r = json_string_value(json_object_get(st, "reason"));
        const char *state = json_string_value(json_object_get(st, "state"));
        why = http_req_printf(req, "camera %s%s%s", state ? state : "offline", r && *r ? ": " : "", r ? r : "");
        json_decref(s);
    }
    return why;
}

static int h_live(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id;
    int rc = http_req_param_id(req, "id", &id);
    if (rc) return rc;
    if ((rc = http_authz_camera(req, id, AUTHZ_LIVE))) return rc;
    const char *kind = http_req_query(req, "stream");
    if (!kind) kind = "main";
    if (strcmp(kind, "main") && strcmp(kind, "sub"))
        return http_fail(req, WW_EINVAL, "stream must be main or sub");
    struct cat_consent_now cn;
    catalog_t *cat = http_req_catalog(req);
    if (!cat || catalog_consent_at(cat, id, ww_wall_us(), &cn)) return WW_EDB;
    if (!cn.live)
        return http_error(req, 403, "no_consent",
                          "the camera's owner has not agreed to live viewing (chủ camera chưa đồng ý cho xem trực tiếp)");
    engine_t *e = (engine_t *)ctx->engine;
    if (!e) return http_error(req, 503, "offline", "this server does not run the cameras (--no-record)");
    hub_t *h = engine_hub_acquire(e, id, kind);
    if (!h && !strcmp(kind, "sub")) h = engine_hub_acquire(e, id, kind = "main"); /* no sub stream: main */
    if (!h) return http_error(req, 503, "offline", "%s", offline_reason(req, e, id, kind));
    live_feed_t *f = live_feed_acquire(h);
    char codec[48];
    int64_t t0;
    if (live_feed_wait_ready(f, 5000000, codec, sizeof codec, &t0)) {
        live_feed_release(f);
        engine_hub_release(e, h);
        return http_error(req, 503, "offline", "%s", offline_reason(req, e, id, kind));
    }
    rc = http_audit(req, CAT_AUDIT_LIVE_VIEW, id, ww_wall_us(), 0, json_pack("{s:s}", "stream", kind));
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
    http_resp_header(req, "X-Codec", codec);
    http_resp_header(req, "X-Start-Us", http_req_printf(req, "%lld", (long long)t0));
    http_resp_header(req, "X-Stream", kind);
    http_resp_header(req, "Cache-Control", "no-store");
    return http_respond_stream(req, 200, "video/mp4", -1, live_read, c, live_free);
}

int api_live_register(struct http_server *srv, const struct api_ctx *ctx)
{
    return http_route(srv, "GET", "/api/v1/cameras/{id}/live", h_live, (void *)ctx, 0);
}
