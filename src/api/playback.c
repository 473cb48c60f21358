/*
 * playback.c — the timeline and recorded playback of a camera.
 *
 *   GET /api/v1/cameras/{id}/timeline?from=T&to=T[&stream=main]
 *       recorded spans, gaps (with the recorder's reason) and motion events
 *   GET /api/v1/cameras/{id}/playback?at=T[&to=T][&stream=main]
 *       chunked fMP4 remuxed from the recordings, starting at the keyframe
 *       at or before `at`, continuous across segments; X-Start-Us is the
 *       wall time of media time 0, X-Codec the MSE codecs string.
 * Both need PLAYBACK on the camera.  Playback also needs the owner's
 * consent to viewing recordings at the moment of viewing (http_authz_use),
 * and an open playback ends within about a second of its withdrawal.  Each
 * request is bounded: without `to` it plays PLAYBACK_DEFAULT_US (10 min)
 * from `at`; a `to` more than PLAYBACK_MAX_US (1 h) after `at` is refused —
 * a longer look is an export, with its own consent and evidence trail.  The
 * audit row (written before the first byte) holds the range sent: from the
 * keyframe the stream starts at to the bounded end.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_events.h"
#include "live/live.h"

#define MAX_RANGE_US (7LL * 86400 * 1000000)
#define GAP_MIN_US 500000
#define PLAYBACK_DEFAULT_US (10LL * 60 * 1000000)
#define PLAYBACK_MAX_US (60LL * 60 * 1000000)

static int stream_of(struct http_req *req, int64_t cam, const char **kind, int64_t *sid)
{
    *kind = http_req_query(req, "stream");
    if (!*kind) *kind = "main";
    if (strcmp(*kind, "main") && strcmp(*kind, "sub")) return http_fail(req, WW_EINVAL, "stream must be main or sub");
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    if (catalog_stream_find(cat, cam, *kind, sid)) *sid = 0;
    return 0;
}

static int h_timeline(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id, from, to, sid;
    const char *kind;
    int rc = http_req_param_id(req, "id", &id);
    if (rc) return rc;
    if ((rc = http_authz_camera(req, id, AUTHZ_PLAYBACK))) return rc;
    int64_t now = ww_wall_us();
    if ((rc = http_req_query_time(req, "from", now - 86400000000LL, &from)) ||
        (rc = http_req_query_time(req, "to", now, &to)))
        return rc;
    if (to <= from) return http_fail(req, WW_EINVAL, "to must be after from");
    if (ww_span_over(from, to, MAX_RANGE_US)) return http_fail(req, WW_EINVAL, "a timeline covers at most 7 days");
    if ((rc = stream_of(req, id, &kind, &sid))) return rc;
    catalog_t *cat = http_req_catalog(req);
    json_t *segs = json_array(), *gaps = json_array(), *events = json_array();
    struct catalog_segment *v = NULL;
    struct catalog_gap *g = NULL;
    size_t n = 0, ng = 0;
    if (sid) {
        catalog_segment_range(cat, sid, from, to, &v, &n);
        catalog_gap_range(cat, sid, from, to, &g, &ng);
    }
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(segs, json_pack("{s:I,s:I,s:I}", "id", (json_int_t)v[i].id,
                                              "start_us", (json_int_t)v[i].start_us, "end_us", (json_int_t)v[i].end_us));
    }
    struct catalog_gap *h = NULL;
    size_t nh = 0;
    catalog_gap_holes(v, n, g, ng, GAP_MIN_US, &h, &nh);
    for (size_t i = 0; i < nh; i++) {
        const char *reason = h[i].reason ? h[i].reason : "unknown";
        json_array_append_new(gaps, json_pack("{s:I,s:I,s:s,s:s}", "start_us", (json_int_t)h[i].start_us,
                                              "end_us", (json_int_t)h[i].end_us, "reason", reason,
                                              "reason_code", engine_reason_code_of(reason)));
    }
    catalog_gap_list_free(h, nh);
    catalog_segment_list_free(v, n);
    catalog_gap_list_free(g, ng);
    struct catalog_event_filter q = {.camera_ids = &id, .n_cameras = 1, .from_us = from, .to_us = to, .limit = 1000};
    struct catalog_event *ev = NULL;
    size_t ne = 0;
    if (catalog_event_query(cat, &q, &ev, &ne) == 0) {
        for (size_t i = 0; i < ne; i++)
            json_array_append_new(events, json_pack("{s:I,s:I,s:I,s:I,s:s?,s:f}", "id", (json_int_t)ev[i].id,
                "start_us", (json_int_t)ev[i].start_us, "end_us", (json_int_t)ev[i].end_us,
                "peak_us", (json_int_t)ev[i].peak_us, "zone", ev[i].zone, "peak_score", ev[i].peak_score));
        catalog_event_list_free(ev, ne);
    }
    return http_respond_json(req, 200, json_pack("{s:I,s:s,s:I,s:I,s:o,s:o,s:o}", "camera_id", (json_int_t)id,
        "stream", kind, "from_us", (json_int_t)from, "to_us", (json_int_t)to, "segments", segs, "gaps", gaps,
        "events", events));
}

struct pb_ctx {
    live_playback_t *p;
    struct http_server *srv;
    struct http_consent_watch consent;
};

static ssize_t pb_read(void *opaque, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct pb_ctx *c = opaque;
    if (http_stream_stopping(c->srv) || !http_consent_watch_holds(&c->consent)) return HTTP_STREAM_END;
    ssize_t n = live_playback_read(c->p, (uint8_t *)buf, max);
    return n == WW_EOF ? HTTP_STREAM_END : n;
}

static void pb_free(void *opaque)
{
    struct pb_ctx *c = opaque;
    live_playback_free(c->p);
    free(c);
}

static int h_playback(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id, at, to, sid;
    const char *kind;
    int rc = http_req_param_id(req, "id", &id);
    if (rc) return rc;
    int64_t until;
    if ((rc = http_authz_use(req, id, AUTHZ_PLAYBACK, &until))) return rc;
    if (!http_req_query(req, "at")) return http_fail(req, WW_EINVAL, "at (the time to play from) is required");
    if ((rc = http_req_query_time(req, "at", 0, &at)) || (rc = http_req_query_time(req, "to", 0, &to))) return rc;
    if (to && to <= at) return http_fail(req, WW_EINVAL, "to must be after at");
    if (to && ww_span_over(at, to, PLAYBACK_MAX_US))
        return http_fail(req, WW_EINVAL, "one playback covers at most 1 hour; export a longer span");
    if (!to) to = at + PLAYBACK_DEFAULT_US; /* at came from ww_parse_time: years, not near INT64_MAX */
    if ((rc = stream_of(req, id, &kind, &sid))) return rc;
    if (!sid) return http_fail(req, WW_ENOTFOUND, "this camera has no %s recordings", kind);
    live_playback_t *p;
    int64_t t0;
    char codec[48];
    rc = live_playback_open(ctx->data_dir, ctx->db_path, sid, at, to, &p, &t0, codec, sizeof codec);
    if (rc == WW_ENOTFOUND) return http_fail(req, rc, "nothing recorded at or after that time");
    if (rc) return rc;
    rc = http_audit(req, CATALOG_AUDIT_PLAYBACK, id, t0 < at ? t0 : at, to,
                    json_pack("{s:s,s:I}", "stream", kind, "requested_at_us", (json_int_t)at));
    if (rc) {
        live_playback_free(p);
        return http_fail(req, rc, "cannot write the audit record; refusing to show video");
    }
    struct pb_ctx *c = ww_calloc(1, sizeof *c);
    c->p = p;
    c->srv = http_req_server(req);
    http_consent_watch_init(&c->consent, req, id, AUTHZ_PLAYBACK, until);
    http_resp_header(req, "X-Codec", codec);
    http_resp_header(req, "X-End-Us", http_req_printf(req, "%lld", (long long)to));
    http_resp_header(req, "X-Start-Us", http_req_printf(req, "%lld", (long long)t0));
    http_resp_header(req, "Cache-Control", "no-store");
    return http_respond_stream(req, 200, "video/mp4", -1, pb_read, c, pb_free);
}

int api_playback_register(struct http_server *srv, const struct api_ctx *ctx)
{
    int rc = http_route(srv, "GET", "/api/v1/cameras/{id}/timeline", h_timeline, (void *)ctx, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/cameras/{id}/playback", h_playback, (void *)ctx, 0);
    return rc;
}
