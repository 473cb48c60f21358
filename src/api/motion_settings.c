/*
 * motion_settings.c — what the zone editor needs, and the webhook setting.
 *
 *   GET  /api/v1/cameras/{id}/motion          settings (PLAYBACK)
 *   PUT  /api/v1/cameras/{id}/motion          change any subset (MANAGE); audited camera_change
 *   GET  /api/v1/cameras/{id}/motion/state    live score of the detector (PLAYBACK)
 *   GET  /api/v1/cameras/{id}/snapshot        JPEG of the current picture (LIVE); audited live_view
 *   GET  /api/v1/settings/motion-webhook      (admin)
 *   PUT  /api/v1/settings/motion-webhook      {"url": "http(s)://…" | null} (admin)
 *
 * Settings are validated against motion_options[] (motion/motion.h), the
 * same table the CLI and the detector use, so a range is written once and
 * a 400 names the field and its range.  Zones go through
 * motion_zones_parse and are stored in its canonical form.  The engine
 * re-reads the row every ~2 s; after a change we also kick it (via
 * ctx->camera_changed → engine_kick) so the detector takes the new settings
 * within a frame or two instead of up to two seconds later — without
 * restarting the stream (the camera's connection signature is unchanged).
 *
 * The snapshot: the camera's sub stream hub (it is what motion analyses, so
 * zones drawn on it are in the detector's coordinates; main when there is
 * no sub stream) is subscribed with replay, which hands over the session's
 * parameters and the cached GOP at once; the first keyframe is copied,
 * decoded on this HTTP thread with a one-shot libavcodec decoder, and
 * encoded with motion_snapshot_jpeg.  The hub callback only copies a
 * reference under our own small lock — it runs under the hub's lock, on
 * the ingest thread for live packets, and must not stall ingest.  Waiting
 * is bounded (3 s), and a camera with no running session answers 503 at
 * once.
 */
#include "api/api.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libavcodec/avcodec.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_events.h"
#include "engine/engine.h"
#include "motion/motion.h"

#define WEBHOOK_KEY "motion.webhook_url"
#define WEBHOOK_MAX 1024
#define SNAPSHOT_WAIT_US 3000000
#define SNAPSHOT_MAX_WIDTH 1280

/* The fields of PUT, in the order of motion_options[]; each maps to one
 * option by name (the API and the CLI share the names). */
static const char *const motion_fields[] = {"enabled",        "sensitivity", "min_area", "rate",
                                            "keyframes_only", "zones",       NULL};

static const struct motion_option *opt_named(const char *name)
{
    for (const struct motion_option *o = motion_options; o->name; o++)
        if (!strcmp(o->name, name)) return o;
    return NULL;
}

/* The stored settings, or the defaults when the camera has none yet. */
static int settings_load(catalog_t *cat, int64_t cam, struct catalog_motion_settings *s, bool *stored)
{
    int rc = catalog_motion_settings_get(cat, cam, s);
    *stored = rc == 0;
    if (rc != WW_ENOTFOUND) return rc;
    struct motion_config d;
    motion_config_default(&d);
    memset(s, 0, sizeof *s);
    s->camera_id = cam;
    s->enabled = d.enabled;
    s->sensitivity = d.sensitivity;
    s->min_area_pct = d.min_area_pct;
    s->rate_fps = d.rate_fps;
    s->keyframes_only = d.keyframes_only;
    return 0;
}

/* Zones as the API shows them: the array of {name, kind, points}. */
static json_t *zones_json(const char *stored)
{
    if (!stored) return json_array();
    json_t *j = json_loads(stored, 0, NULL);
    json_t *arr = json_is_array(j) ? json_incref(j) : json_incref(json_object_get(j, "zones"));
    json_decref(j);
    return json_is_array(arr) ? arr : (json_decref(arr), json_array());
}

static json_t *settings_json(const struct catalog_motion_settings *s, bool stored, bool has_sub)
{
    json_t *limits = json_object();
    for (const char *const *f = motion_fields; *f; f++) {
        const struct motion_option *o = opt_named(*f);
        if (o && o->type != MOTION_OPT_BOOL)
            json_object_set_new(limits, *f,
                                json_pack("{s:f,s:f,s:f,s:s}", "min", o->min, "max", o->max,
                                          "default", o->def, "help", o->help));
    }
    json_object_set_new(
        limits, "zones",
        json_pack("{s:i,s:i}", "max_zones", MOTION_MAX_ZONES, "max_points", MOTION_MAX_POINTS));
    return json_pack("{s:I,s:b,s:i,s:f,s:f,s:b,s:o,s:o,s:b,s:b,s:o}", "camera_id",
                     (json_int_t)s->camera_id, "enabled", s->enabled, "sensitivity", s->sensitivity,
                     "min_area", s->min_area_pct, "rate", s->rate_fps, "keyframes_only",
                     s->keyframes_only, "zones", zones_json(s->zones_json), "updated",
                     api_time(stored ? s->updated_us : 0), "default", !stored, "has_sub_stream",
                     has_sub, "limits", limits);
}

static int camera_has_sub(catalog_t *cat, int64_t cam, bool *has)
{
    struct catalog_camera c;
    int rc = catalog_camera_get(cat, cam, &c);
    if (rc) return rc;
    *has = c.sub_url && *c.sub_url;
    catalog_camera_clear(&c);
    return 0;
}

/* What both handlers start from: the request's catalog handle, camera id's
 * settings (stored or the defaults) and whether it has a sub stream. */
static int load_camera(struct http_req *req, int64_t id, catalog_t **cat, struct catalog_motion_settings *s,
                       bool *stored, bool *has_sub)
{
    *has_sub = false;
    if (!(*cat = http_req_catalog(req))) return WW_EDB;
    int rc = camera_has_sub(*cat, id, has_sub);
    return rc ? rc : settings_load(*cat, id, s, stored);
}

static int h_get(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    int rc = api_param_camera(req, AUTHZ_PLAYBACK, &id);
    if (rc) return rc;
    catalog_t *cat;
    struct catalog_motion_settings s;
    bool stored, has_sub;
    if ((rc = load_camera(req, id, &cat, &s, &stored, &has_sub))) return rc;
    json_t *o = settings_json(&s, stored, has_sub);
    catalog_motion_settings_clear(&s);
    return http_respond_json(req, 200, o);
}

/* A number field checked against its motion_options[] range; 1 present,
 * 0 absent, WW_EINVAL (message names the field and the range). */
static int num_field(struct http_req *req, json_t *body, const char *name, double *v)
{
    const struct motion_option *o = opt_named(name);
    if (o->type == MOTION_OPT_INT) {
        int64_t i;
        int rc = http_json_i64(req, body, name, false, (int64_t)o->min, (int64_t)o->max, &i);
        if (rc == 1) *v = (double)i;
        return rc;
    }
    return http_json_double(req, body, name, false, o->min, o->max, v);
}

static int h_put(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id;
    int rc = api_param_camera(req, AUTHZ_MANAGE, &id);
    if (rc) return rc;
    json_t *body;
    if ((rc = http_req_json(req, motion_fields, &body))) return rc;
    catalog_t *cat;
    struct catalog_motion_settings s;
    bool stored, has_sub;
    if ((rc = load_camera(req, id, &cat, &s, &stored, &has_sub))) return rc;

    json_t *changed = json_array();
    double v;
    bool b;
    if ((rc = http_json_bool(req, body, "enabled", false, &b)) < 0) goto out;
    if (rc == 1 && b != s.enabled) {
        s.enabled = b;
        json_array_append_new(changed, json_string("enabled"));
    }
    if ((rc = num_field(req, body, "sensitivity", &v)) < 0) goto out;
    if (rc == 1 && (int)v != s.sensitivity) {
        s.sensitivity = (int)v;
        json_array_append_new(changed, json_string("sensitivity"));
    }
    if ((rc = num_field(req, body, "min_area", &v)) < 0) goto out;
    if (rc == 1 && v != s.min_area_pct) {
        s.min_area_pct = v;
        json_array_append_new(changed, json_string("min_area"));
    }
    if ((rc = num_field(req, body, "rate", &v)) < 0) goto out;
    if (rc == 1 && v != s.rate_fps) {
        s.rate_fps = v;
        json_array_append_new(changed, json_string("rate"));
    }
    if ((rc = http_json_bool(req, body, "keyframes_only", false, &b)) < 0) goto out;
    if (rc == 1 && b != s.keyframes_only) {
        s.keyframes_only = b;
        json_array_append_new(changed, json_string("keyframes_only"));
    }

    json_t *jz = json_object_get(body, "zones");
    if (jz) {
        char *canon = NULL;
        if (!json_is_null(jz)) {
            if (!json_is_array(jz) && !json_is_object(jz)) {
                rc = http_fail(req, WW_EINVAL,
                               "field 'zones' must be a list of zones, {\"zones\":[…]} or null");
                goto out;
            }
            char *text = json_dumps(jz, JSON_COMPACT);
            struct motion_zones *z = http_req_alloc(req, sizeof *z);
            char *err = NULL;
            rc = motion_zones_parse(text ? text : "", z, &err);
            free(text);
            if (rc) {
                http_fail(req, WW_EINVAL, "field 'zones': %s", err ? err : "invalid");
                free(err);
                goto out;
            }
            /* No zone at all is the same as none: the whole frame. */
            if (z->n) canon = motion_zones_to_json(z);
        }
        bool same =
            (!canon && !s.zones_json) || (canon && s.zones_json && !strcmp(canon, s.zones_json));
        if (!same) json_array_append_new(changed, json_string("zones"));
        free(s.zones_json);
        s.zones_json = canon;
    }
    /* The whole config as the detector will see it (the options the API
     * does not expose keep their defaults, as in the engine). */
    struct motion_config mc;
    motion_config_default(&mc);
    mc.enabled = s.enabled;
    mc.sensitivity = s.sensitivity;
    mc.min_area_pct = s.min_area_pct;
    mc.rate_fps = s.rate_fps;
    mc.keyframes_only = s.keyframes_only;
    if (motion_config_check(&mc)) {
        rc = http_fail(req, WW_EINVAL, "settings out of range");
        goto out;
    }

    if (json_array_size(changed) || !stored) {
        if ((rc = catalog_motion_settings_set(cat, &s))) goto out;
        stored = true;
        rc = http_audit(req, CATALOG_AUDIT_CAMERA_CHANGE, id, 0, 0,
                        json_pack("{s:s,s:O}", "what", "motion", "fields", changed));
        if (rc) goto out;
        if (ctx->camera_changed) ctx->camera_changed(ctx->camera_changed_arg, id, false);
    }
    json_t *o = settings_json(&s, stored, has_sub);
    json_object_set_new(o, "changed", json_incref(changed));
    rc = http_respond_json(req, 200, o);
out:
    json_decref(changed);
    catalog_motion_settings_clear(&s);
    return rc;
}

/* ---- live state ------------------------------------------------------------ */

static int h_state(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id;
    int rc = api_param_camera(req, AUTHZ_PLAYBACK, &id);
    if (rc) return rc;
    engine_t *e = ctx->engine;
    struct engine_camera_status cs;
    const struct engine_stream_status *sub = e && engine_camera_status(e, id, &cs) == 0 && cs.sub.present
                                           ? &cs.sub : NULL;
    bool running = sub && sub->has_motion;
    json_t *o = json_pack("{s:I,s:b}", "camera_id", (json_int_t)id, "running", running);
    json_object_set_new(o, "state", json_string(sub ? engine_state_name(sub->state) : "stopped"));
    json_object_set_new(o, "reason", sub ? json_string(sub->reason) : json_null());
    if (running)
        json_object_set_new(o, "motion", json_pack("{s:f,s:b,s:I,s:I}", "score", sub->motion.score,
            "in_event", sub->motion.in_event, "frames_analysed", (json_int_t)sub->motion.frames_analysed,
            "events", (json_int_t)sub->motion.events));
    else
        json_object_set_new(o, "motion", json_null());
    /* Outside the owner's recording consent the detector analyses nothing. */
    bool paused = running && sub->motion.paused;
    json_object_set_new(o, "paused", json_boolean(paused));
    json_object_set_new(o, "paused_reason", paused ? json_string("no_recording_consent") : json_null());
    return http_respond_json(req, 200, o);
}

/* ---- snapshot ---------------------------------------------------------------- */

struct snap {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    AVCodecParameters *par; /* of the session the keyframe belongs to */
    AVPacket *key;          /* our reference to the first keyframe seen */
};

/* Hub callback: under the hub's lock, possibly on the ingest thread — only
 * copy what we need and signal. */
static void snap_cb(void *opaque, const struct hub_msg *m)
{
    struct snap *s = opaque;
    pthread_mutex_lock(&s->mu);
    if (m->ev == HUB_START && !s->key) {
        if (!s->par) s->par = avcodec_parameters_alloc();
        if (s->par && avcodec_parameters_copy(s->par, m->par) < 0) {
            avcodec_parameters_free(&s->par);
        }
    } else if (m->ev == HUB_PACKET && m->key && s->par && !s->key) {
        s->key = av_packet_clone(m->pkt);
        pthread_cond_signal(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
}

/* Decodes one keyframe; *out: a JPEG (free()). */
static int snap_decode(const AVCodecParameters *par, const AVPacket *key, uint8_t **out,
                       size_t *len)
{
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec) return WW_EAV;
    AVCodecContext *dc = avcodec_alloc_context3(codec);
    AVFrame *f = av_frame_alloc();
    int rc = WW_EAV;
    if (!dc || !f || avcodec_parameters_to_context(dc, par) < 0) goto out;
    dc->thread_count = 1;
    if (avcodec_open2(dc, codec, NULL) < 0) goto out;
    if (avcodec_send_packet(dc, key) < 0) goto out;
    avcodec_send_packet(dc, NULL); /* drain: one picture in, one out */
    if (avcodec_receive_frame(dc, f) < 0) goto out;
    rc = motion_snapshot_jpeg(f, 85, SNAPSHOT_MAX_WIDTH, out, len);
out:
    av_frame_free(&f);
    avcodec_free_context(&dc);
    return rc;
}

static int h_snapshot(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id;
    int rc = http_req_param_id(req, "id", &id);
    if (rc || (rc = http_authz_use(req, id, AUTHZ_LIVE, NULL))) return rc;
    engine_t *e = ctx->engine;
    if (!e)
        return http_error(req, 503, "offline",
                          "this server does not run the cameras (--no-record)");
    const char *kind = "sub";
    hub_t *h = engine_hub_acquire(e, id, kind);
    AVRational tb;
    AVCodecParameters *probe = avcodec_parameters_alloc();
    if (!h || hub_get_params(h, probe, &tb)) {
        engine_hub_release(e, h);
        h = engine_hub_acquire(e, id, kind = "main");
        if (h && hub_get_params(h, probe, &tb)) {
            engine_hub_release(e, h);
            h = NULL;
        }
    }
    avcodec_parameters_free(&probe);
    if (!h)
        return http_error(req, 503, "offline",
                          "the camera has no picture right now (offline or not running)");

    struct snap s = {.par = NULL, .key = NULL};
    pthread_mutex_init(&s.mu, NULL);
    ww_cond_init_monotonic(&s.cv);
    /* Not holding s.mu here: with replay the callback runs on this thread,
     * inside hub_subscribe. */
    int sub = hub_subscribe(h, snap_cb, &s, true);
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += SNAPSHOT_WAIT_US / 1000000;
    pthread_mutex_lock(&s.mu);
    while (!s.key)
        if (pthread_cond_timedwait(&s.cv, &s.mu, &dl) == ETIMEDOUT) break;
    pthread_mutex_unlock(&s.mu);
    hub_unsubscribe(h, sub); /* after this no callback runs: it is called under the hub lock */
    engine_hub_release(e, h);

    uint8_t *jpeg = NULL;
    size_t len = 0;
    rc = s.key ? snap_decode(s.par, s.key, &jpeg, &len) : -ETIMEDOUT;
    av_packet_free(&s.key);
    avcodec_parameters_free(&s.par);
    pthread_cond_destroy(&s.cv);
    pthread_mutex_destroy(&s.mu);
    if (rc == -ETIMEDOUT)
        return http_error(req, 503, "offline", "no picture from the camera within 3 s");
    if (rc) {
        ww_warn("api", "snapshot of camera %lld (%s stream): cannot decode its keyframe: %s",
                (long long)id, kind, ww_strerror(rc));
        return http_error(req, 503, "offline", "the camera's picture could not be decoded");
    }
    int64_t now = ww_wall_us();
    rc = http_audit(req, CATALOG_AUDIT_LIVE_VIEW, id, now, now,
                    json_pack("{s:s,s:b}", "stream", kind, "snapshot", 1));
    if (rc) {
        free(jpeg);
        return http_fail(req, rc, "cannot write the audit record; refusing to show the picture");
    }
    http_resp_header(req, "X-Stream", kind);
    rc = http_respond_data(req, 200, "image/jpeg", jpeg, len);
    free(jpeg);
    return rc;
}

/* ---- webhook setting ------------------------------------------------------------ */

/* Why url is not an acceptable webhook, or NULL. */
static const char *webhook_problem(const char *url)
{
    const char *p;
    if (!strncasecmp(url, "http://", 7))
        p = url + 7;
    else if (!strncasecmp(url, "https://", 8))
        p = url + 8;
    else
        return "must start with http:// or https://";
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f)
            return "must not contain spaces or control characters";
    size_t hostlen = strcspn(p, "/?#");
    const char *at = memchr(p, '@', hostlen);
    const char *host = at ? at + 1 : p;
    size_t hl = hostlen - (size_t)(host - p);
    if (!hl || *host == ':') return "has no host";
    const char *colon = *host == '[' ? memchr(host, ']', hl) : host;
    colon = colon ? memchr(colon, ':', hl - (size_t)(colon - host)) : NULL;
    if (colon) {
        size_t pl = hl - (size_t)(colon + 1 - host);
        char port[8];
        int64_t n;
        if (!pl || pl >= sizeof port) return "has a bad port";
        memcpy(port, colon + 1, pl);
        port[pl] = 0;
        if (ww_parse_i64(port, 1, 65535, &n)) return "has a bad port";
    }
    return NULL;
}

static int h_webhook_get(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    char *url = NULL;
    int rc = catalog_setting_get(cat, WEBHOOK_KEY, &url);
    if (rc && rc != WW_ENOTFOUND) return rc;
    json_t *o = json_pack("{s:o}", "url", url && *url ? json_string(url) : json_null());
    free(url);
    return http_respond_json(req, 200, o);
}

static int h_webhook_put(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"url", NULL};
    json_t *body;
    const char *url = NULL;
    int rc = http_req_json(req, fields, &body);
    if (rc) return rc;
    if (!json_object_get(body, "url"))
        return http_fail(req, WW_EINVAL, "field 'url' is required (null clears it)");
    if ((rc = http_json_str_or_null(req, body, "url", WEBHOOK_MAX, &url)) < 0) return rc;
    if (url && !*url) url = NULL;
    const char *why = url ? webhook_problem(url) : NULL;
    if (why) return http_fail(req, WW_EINVAL, "field 'url' %s", why);
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    /* "" is "none" to the engine (it posts only to a non-empty URL). */
    if ((rc = catalog_setting_set(cat, WEBHOOK_KEY, url ? url : ""))) return rc;
    /* The URL itself stays out of the audit row: it may carry a token. */
    rc = http_audit(req, "settings_change", 0, 0, 0,
                    json_pack("{s:s,s:b}", "setting", WEBHOOK_KEY, "set", url != NULL));
    if (rc) return rc;
    return http_respond_json(req, 200,
                             json_pack("{s:o}", "url", url ? json_string(url) : json_null()));
}

int api_motion_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *c = (void *)ctx;
    int rc = http_route(srv, "GET", "/api/v1/cameras/{id}/motion", h_get, c, 0);
    if (!rc) rc = http_route(srv, "PUT", "/api/v1/cameras/{id}/motion", h_put, c, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/cameras/{id}/motion/state", h_state, c, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/cameras/{id}/snapshot", h_snapshot, c, 0);
    if (!rc)
        rc = http_route(srv, "GET", "/api/v1/settings/motion-webhook", h_webhook_get, c,
                        HTTP_ROLE_ADMIN);
    if (!rc)
        rc = http_route(srv, "PUT", "/api/v1/settings/motion-webhook", h_webhook_put, c,
                        HTTP_ROLE_ADMIN);
    return rc;
}
