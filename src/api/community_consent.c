/*
 * community_consent.c — a community camera's papers: the consent register,
 * the connection probe and activation.
 *
 *   GET  /api/v1/cameras/{id}/consents                 VIEW    rows + what is allowed now
 *   POST /api/v1/cameras/{id}/consents                 MANAGE  record an agreement → 201
 *   POST /api/v1/cameras/{id}/consents/{cid}/withdraw  MANAGE  end it now → 200
 *   POST /api/v1/cameras/{id}/probe                    MANAGE  test the RTSP connection
 *   GET  /api/v1/cameras/{id}/probe                    VIEW    newest probe result
 *   GET  /api/v1/cameras/{id}/probe/still              LIVE    its JPEG (consent: live)
 *   POST /api/v1/cameras/{id}/activate                 MANAGE  switch on (needs a good probe)
 *
 * MANAGE = admin, or an officer of the camera's ward (http/authz.c).  Every
 * change is an audit row: consent_change (the whole agreement as recorded,
 * so the trail keeps what a later withdrawal voids), camera_probe,
 * camera_change ("activate"), probe_still (a look at the picture).
 *
 * Why the probe answers JSON with a still_url by default: a probe has a
 * result (codec, size, time taken, or why it failed) even when the picture
 * may not be shown (no live consent), and the failure answers must be JSON
 * anyway.  A client sending `Accept: image/jpeg` gets the JPEG itself.  A failed
 * probe is 502 (the camera, not our server or the caller, is at fault) with
 * code camera_unauthorized | camera_refused | camera_timeout |
 * camera_no_video | camera_decode | camera_error — never 401, which the
 * console reads as "your session ended".
 */
#include "api/community_shared.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_users.h"
#include "community/community.h"

#define ACTION_CONSENT "consent_change"
#define ACTION_PROBE "camera_probe"
#define ACTION_STILL "probe_still"

static int h_consent_list(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    int rc = api_param_camera(req, AUTHZ_VIEW, &id);
    if (rc) return rc;
    catalog_t *cat = http_req_catalog(req);
    struct catalog_consent *v;
    size_t n;
    if ((rc = catalog_consent_list(cat, id, &v, &n))) return rc;
    int64_t now = ww_wall_us();
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, community_consent_json(&v[i], now));
    catalog_consent_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:I,s:o,s:o}", "camera_id", (json_int_t)id, "now",
                                                 community_consent_now_json(cat, id, now), "consents", arr));
}

static const char *const consent_fields[] = {"live", "record", "export", "playback", "from", "until", "note", NULL};

/* The recorder and the motion detector follow consent at their next
 * reconcile; tell them now, so a change takes effect at once. */
static void consent_changed(const struct api_ctx *ctx, int64_t camera_id)
{
    if (ctx && ctx->camera_changed) ctx->camera_changed(ctx->camera_changed_arg, camera_id, false);
}

static int h_consent_add(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id;
    int rc = api_param_camera(req, AUTHZ_MANAGE, &id);
    if (rc) return rc;
    json_t *body;
    if ((rc = http_req_json(req, consent_fields, &body))) return rc;
    const struct http_user *u = http_req_user(req);
    int64_t now = ww_wall_us();
    struct catalog_consent c = {.camera_id = id, .from_us = now, .recorded_by = (char *)u->username,
                            .recorded_by_id = u->id};
    bool b;
    if ((rc = http_json_bool(req, body, "live", false, &b)) < 0) return rc;
    c.live = rc == 1 && b;
    if ((rc = http_json_bool(req, body, "record", false, &b)) < 0) return rc;
    c.record = rc == 1 && b;
    if ((rc = http_json_bool(req, body, "export", false, &b)) < 0) return rc;
    c.export_ = rc == 1 && b;
    /* Watching recordings: said outright, or (for tools written before it
     * was its own right) read from live + record, as migration 042 did. */
    if ((rc = http_json_bool(req, body, "playback", false, &b)) < 0) return rc;
    c.playback = rc == 1 ? b : c.live && c.record;
    if ((rc = community_json_time(req, body, "from", false, &c.from_us)) < 0) return rc;
    if ((rc = community_json_time(req, body, "until", false, &c.until_us)) < 0) return rc;
    const char *note = NULL;
    if ((rc = http_json_str_or_null(req, body, "note", 500, &note)) < 0) return rc;
    c.note = (char *)note;
    if (c.until_us && c.until_us <= c.from_us) return http_fail(req, WW_EINVAL, "'until' must be after 'from'");
    if (c.until_us && c.until_us <= now) return http_fail(req, WW_EINVAL, "'until' is in the past: an agreement is recorded for time still to come");
    if (c.from_us < now - 24LL * 3600 * 1000000)
        return http_fail(req, WW_EINVAL, "'from' may be at most a day in the past (the register does not rewrite history)");
    catalog_t *cat = http_req_catalog(req);
    if ((rc = catalog_begin(cat))) return rc;
    int64_t ended = 0, conflict = 0;
    rc = catalog_consent_record(cat, &c, &ended, &conflict);
    if (rc == WW_ECONFLICT) {
        catalog_rollback(cat);
        return http_fail(req, rc, "it would overlap agreement %lld, which starts later; withdraw that one first",
                         (long long)conflict);
    }
    if (!rc) {
        json_t *d = json_pack("{s:s,s:I,s:b,s:b,s:b,s:b,s:o,s:o,s:s?}", "change", "record", "consent_id",
                              (json_int_t)c.id, "live", c.live, "record", c.record, "export", c.export_,
                              "playback", c.playback,
                              "from", api_time(c.from_us), "until", api_time(c.until_us), "note", note);
        if (ended) json_object_set_new(d, "ended_consent_id", json_integer(ended));
        rc = http_audit(req, ACTION_CONSENT, id, 0, 0, d);
    }
    if (rc || (rc = catalog_commit(cat))) {
        catalog_rollback(cat);
        return rc;
    }
    consent_changed(ctx, id);
    struct catalog_consent back;
    if ((rc = catalog_consent_get(cat, c.id, &back))) return rc;
    json_t *o = community_consent_json(&back, ww_wall_us());
    catalog_consent_clear(&back);
    if (ended) json_object_set_new(o, "ended_consent_id", json_integer(ended));
    return http_respond_json(req, 201, o);
}

static const char *const withdraw_fields[] = {"note", NULL};

static int h_consent_withdraw(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id, cid;
    int rc = api_param_camera(req, AUTHZ_MANAGE, &id);
    if (rc) return rc;
    if ((rc = http_req_param_id(req, "cid", &cid))) return rc;
    json_t *body = NULL;
    size_t blen = 0;
    http_req_body(req, &blen);
    if (blen && (rc = http_req_json(req, withdraw_fields, &body))) return rc;
    const char *note = NULL;
    if (body && (rc = http_json_str_or_null(req, body, "note", 500, &note)) < 0) return rc;
    catalog_t *cat = http_req_catalog(req);
    struct catalog_consent c;
    if ((rc = catalog_consent_get(cat, cid, &c)) == WW_ENOTFOUND || (!rc && c.camera_id != id)) {
        if (!rc) catalog_consent_clear(&c);
        return http_fail(req, WW_ENOTFOUND, "camera %lld has no agreement %lld", (long long)id, (long long)cid);
    }
    if (rc) return rc;
    const struct http_user *u = http_req_user(req);
    int64_t now = ww_wall_us();
    if ((rc = catalog_begin(cat))) { catalog_consent_clear(&c); return rc; }
    rc = catalog_consent_withdraw(cat, cid, now, u->username, note);
    if (rc == WW_ECONFLICT) {
        catalog_rollback(cat);
        catalog_consent_clear(&c);
        return http_fail(req, rc, "agreement %lld has already ended or been withdrawn", (long long)cid);
    }
    if (!rc)
        rc = http_audit(req, ACTION_CONSENT, id, 0, 0,
                        json_pack("{s:s,s:I,s:b,s:b,s:b,s:o,s:o,s:s?}", "change", "withdraw", "consent_id",
                                  (json_int_t)cid, "live", c.live, "record", c.record, "export", c.export_,
                                  "from", api_time(c.from_us), "until", api_time(c.until_us), "note", note));
    catalog_consent_clear(&c);
    if (rc || (rc = catalog_commit(cat))) {
        catalog_rollback(cat);
        return rc;
    }
    consent_changed(ctx, id);
    if ((rc = catalog_consent_get(cat, cid, &c))) return rc;
    json_t *o = community_consent_json(&c, ww_wall_us());
    catalog_consent_clear(&c);
    return http_respond_json(req, 200, o);
}

/* ---- probe and activation ---------------------------------------------------- */

static const char *const probe_fields[] = {"timeout_s", NULL};

static int h_probe(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id, timeout_s = 5;
    int rc = api_param_camera(req, AUTHZ_MANAGE, &id);
    if (rc) return rc;
    size_t blen = 0;
    http_req_body(req, &blen);
    json_t *body;
    if (blen) {
        if ((rc = http_req_json(req, probe_fields, &body))) return rc;
        if ((rc = http_json_i64(req, body, "timeout_s", false, 1, 20, &timeout_s)) < 0) return rc;
    }
    catalog_t *cat = http_req_catalog(req);
    struct catalog_camera cam;
    if ((rc = catalog_camera_get(cat, id, &cam))) return rc;
    struct community_probe_result r;
    rc = community_probe(&cam, timeout_s * 1000000, &r);
    catalog_camera_clear(&cam);
    if (rc) return rc;
    const struct http_user *u = http_req_user(req);
    struct catalog_probe p = {
        .camera_id = id, .ok = r.ok, .error_code = (char *)r.error_code,
        .message = r.ok ? NULL : r.message, .codec = r.codec[0] ? r.codec : NULL, .width = r.width,
        .height = r.height, .elapsed_ms = r.elapsed_ms, .probed_by = (char *)u->username,
        .jpeg = r.jpeg, .jpeg_len = r.jpeg_len,
    };
    if ((rc = catalog_begin(cat)) == 0) {
        rc = catalog_probe_add(cat, &p);
        if (!rc)
            rc = http_audit(req, ACTION_PROBE, id, 0, 0,
                            json_pack("{s:b,s:s?,s:I}", "ok", r.ok, "error_code", r.error_code,
                                      "elapsed_ms", (json_int_t)r.elapsed_ms));
        if (rc || (rc = catalog_commit(cat))) catalog_rollback(cat);
    }
    p.error_code = p.message = p.codec = p.probed_by = NULL;
    p.jpeg = NULL;
    if (rc) { community_probe_result_clear(&r); return rc; }
    if (!r.ok) {
        char code[32], msg[sizeof r.message];
        snprintf(code, sizeof code, "%s", r.error_code);
        snprintf(msg, sizeof msg, "%s", r.message);
        community_probe_result_clear(&r);
        return http_error(req, 502, code, "%s", msg);
    }
    /* A client that asks for the picture itself (Accept: image/jpeg, no
     * JSON) gets it directly — under the same rules as …/probe/still: the
     * LIVE right, the owner's live consent, and an audit row. */
    const char *acc = http_req_header(req, "Accept");
    if (acc && strstr(acc, "image/jpeg") && !strstr(acc, "json") && r.jpeg) {
        if ((rc = http_authz_use(req, id, AUTHZ_LIVE, NULL)) == 0 &&
            (rc = http_audit(req, ACTION_STILL, id, p.at_us, p.at_us, json_pack("{s:I}", "probe_id", (json_int_t)p.id))) == 0) {
            http_resp_header(req, "X-Probe-Codec", r.codec);
            http_resp_header(req, "X-Probe-Size", http_req_printf(req, "%dx%d", r.width, r.height));
            http_resp_header(req, "Cache-Control", "no-store");
            rc = http_respond_data(req, 200, "image/jpeg", r.jpeg, r.jpeg_len);
        }
        community_probe_result_clear(&r);
        return rc;
    }
    community_probe_result_clear(&r);
    json_t *o = json_pack("{s:o,s:s}", "probe", community_probe_json(cat, id), "still_url",
                          http_req_printf(req, "/api/v1/cameras/%lld/probe/still", (long long)id));
    return http_respond_json(req, 200, o);
}

static int h_probe_get(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    int rc = api_param_camera(req, AUTHZ_VIEW, &id);
    if (rc) return rc;
    catalog_t *cat = http_req_catalog(req);
    char *source = NULL;
    bool required = false;
    int64_t reg_us = 0;
    json_t *reg = json_null();
    if (catalog_registration_get(cat, id, &source, &required, &reg_us) == 0) {
        reg = json_pack("{s:s,s:b,s:o}", "source", source ? source : "", "probe_required", required,
                        "registered_at", api_time(reg_us));
        free(source);
    }
    return http_respond_json(req, 200, json_pack("{s:o,s:o}", "probe", community_probe_json(cat, id),
                                                 "registration", reg));
}

static int h_probe_still(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    int rc = http_req_param_id(req, "id", &id);
    if (rc || (rc = http_authz_use(req, id, AUTHZ_LIVE, NULL))) return rc;
    catalog_t *cat = http_req_catalog(req);
    struct catalog_probe p;
    if ((rc = catalog_probe_last(cat, id, true, &p)) == WW_ENOTFOUND || (!rc && !p.jpeg)) {
        if (!rc) catalog_probe_clear(&p);
        return http_fail(req, WW_ENOTFOUND, "no picture from a probe of this camera");
    }
    if (rc) return rc;
    if ((rc = http_audit(req, ACTION_STILL, id, p.at_us, p.at_us, json_pack("{s:I}", "probe_id", (json_int_t)p.id)))) {
        catalog_probe_clear(&p);
        return http_fail(req, rc, "cannot write the audit record; refusing to show the picture");
    }
    http_resp_header(req, "Cache-Control", "no-store");
    rc = http_respond_data(req, 200, "image/jpeg", p.jpeg, p.jpeg_len);
    catalog_probe_clear(&p);
    return rc;
}

static int h_activate(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id;
    int rc = api_param_camera(req, AUTHZ_MANAGE, &id);
    if (rc) return rc;
    catalog_t *cat = http_req_catalog(req);
    struct catalog_camera c;
    if ((rc = catalog_camera_get(cat, id, &c))) return rc;
    bool was = c.enabled;
    if (!was) {
        if ((rc = catalog_begin(cat)) == 0) {
            rc = catalog_camera_set_enabled(cat, id, true);
            if (!rc) rc = http_audit(req, CATALOG_AUDIT_CAMERA_CHANGE, id, 0, 0,
                                     json_pack("{s:s,s:[s]}", "change", "activate", "fields", "enabled"));
            if (rc || (rc = catalog_commit(cat))) catalog_rollback(cat);
        }
        if (rc == WW_ECONFLICT) {
            catalog_camera_clear(&c);
            struct catalog_probe p;
            bool have = catalog_probe_last(cat, id, false, &p) == 0;
            rc = http_fail(req, WW_ECONFLICT,
                           "the camera needs a successful connection probe before it is switched on%s%s%s",
                           have ? " (the last probe failed: " : " (it has not been probed yet)",
                           have && p.message ? p.message : "", have ? ")" : "");
            if (have) catalog_probe_clear(&p);
            return rc;
        }
        if (rc) { catalog_camera_clear(&c); return rc; }
        c.enabled = true;
        if (ctx->camera_changed) ctx->camera_changed(ctx->camera_changed_arg, id, false);
    }
    int64_t w, owner = 0;
    catalog_camera_scope(cat, id, &w, &owner);
    json_t *o = api_camera_json(&c, owner, true);
    catalog_camera_clear(&c);
    json_object_set_new(o, "was_enabled", json_boolean(was));
    return http_respond_json(req, 200, o);
}

int api_community_consent_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    const unsigned manage = HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER;
    int rc = http_route(srv, "GET", "/api/v1/cameras/{id}/consents", h_consent_list, ud, 0);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/cameras/{id}/consents", h_consent_add, ud, manage);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/cameras/{id}/consents/{cid}/withdraw", h_consent_withdraw,
                              ud, manage);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/cameras/{id}/probe", h_probe, ud, manage);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/cameras/{id}/probe", h_probe_get, ud, 0);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/cameras/{id}/probe/still", h_probe_still, ud, 0);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/cameras/{id}/activate", h_activate, ud, manage);
    return rc;
}
