/*
 * holds.c — footage kept whatever retention says (catalog/cat_evidence.h).
 *
 *   GET  /api/v1/holds[?camera=ID][&in_force=1]   holds on cameras the caller may play back
 *   POST /api/v1/cameras/{id}/holds               {from,to,reason,incident_id?,until?} → 201
 *   POST /api/v1/holds/{id}/release               {reason} → 200
 *
 * Placing and releasing need MANAGE on the camera (an officer of its ward,
 * or an admin); a hold on a camera outside the caller's scope answers 404
 * like a missing one.  Both are audited (hold_add, hold_release) in the
 * same transaction as the change.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "api/community_shared.h"
#include "catalog/cat_evidence.h"

static json_t *hold_json(const struct catalog_hold *h, int64_t now)
{
    const char *state = h->released_us ? "released" : h->until_us <= now ? "expired" : "in_force";
    json_t *o = json_pack("{s:I,s:I,s:o,s:o,s:I,s:I,s:s,s:o,s:s,s:I,s:I,s:s,s:o}", "id", (json_int_t)h->id,
                          "camera_id", (json_int_t)h->camera_id, "from", api_time(h->from_us), "to",
                          api_time(h->to_us), "from_us", (json_int_t)h->from_us, "to_us", (json_int_t)h->to_us,
                          "reason", h->reason, "until", api_time(h->until_us), "state", state, "held_bytes",
                          (json_int_t)h->held_bytes, "held_segments", (json_int_t)h->held_segments,
                          "created_by", h->created_by, "created", api_time(h->created_us));
    json_object_set_new(o, "incident_id", api_id(h->incident_id));
    json_object_set_new(o, "released", api_time(h->released_us));
    json_object_set_new(o, "released_by", h->released_by ? json_string(h->released_by) : json_null());
    json_object_set_new(o, "release_reason", h->release_reason ? json_string(h->release_reason) : json_null());
    return o;
}

static int h_list(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t cam = 0, in_force = 0;
    int rc;
    if ((rc = http_req_query_i64(req, "camera", 1, INT64_MAX, 0, &cam)) ||
        (rc = http_req_query_i64(req, "in_force", 0, 1, 0, &in_force)))
        return rc;
    if (cam && (rc = http_authz_camera(req, cam, AUTHZ_PLAYBACK))) return rc;
    struct http_scope sc;
    if ((rc = http_authz_camera_scope(req, AUTHZ_PLAYBACK, &sc))) return rc;
    struct catalog_hold *v;
    size_t n;
    if ((rc = catalog_hold_list(http_req_catalog(req), cam, in_force, &v, &n))) return rc;
    json_t *arr = json_array();
    int64_t now = ww_wall_us();
    for (size_t i = 0; i < n; i++)
        if (http_scope_has(&sc, v[i].camera_id)) json_array_append_new(arr, hold_json(&v[i], now));
    catalog_hold_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o}", "holds", arr));
}

static const char *const add_fields[] = {"from", "to", "reason", "incident_id", "until", NULL};

static int h_add(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t cam;
    int rc = api_param_camera(req, AUTHZ_MANAGE, &cam);
    if (rc) return rc;
    json_t *body;
    if ((rc = http_req_json(req, add_fields, &body))) return rc;
    const struct http_user *u = http_req_user(req);
    struct catalog_hold h = {.camera_id = cam, .created_by = (char *)u->username, .created_by_id = u->id};
    const char *reason;
    if ((rc = community_json_time(req, body, "from", true, &h.from_us)) < 0 ||
        (rc = community_json_time(req, body, "to", true, &h.to_us)) < 0 ||
        (rc = community_json_time(req, body, "until", false, &h.until_us)) < 0 ||
        (rc = http_json_str(req, body, "reason", true, 1, 500, &reason)) < 0 ||
        (rc = http_json_id_or_null(req, body, "incident_id", &h.incident_id)) < 0)
        return rc;
    h.reason = (char *)reason;
    if (h.to_us <= h.from_us) return http_fail(req, WW_EINVAL, "'to' must be after 'from'");
    if (h.until_us && h.until_us <= ww_wall_us()) return http_fail(req, WW_EINVAL, "'until' must be in the future");
    catalog_t *cat = http_req_catalog(req);
    if ((rc = catalog_begin(cat))) return rc;
    rc = catalog_hold_add(cat, &h);
    if ((rc = http_audit_commit(req, rc, "hold_add", cam, h.from_us, h.to_us,
                                json_pack("{s:I,s:s,s:I,s:I}", "hold_id", (json_int_t)h.id, "reason", h.reason,
                                          "until_us", (json_int_t)h.until_us, "incident_id",
                                          (json_int_t)h.incident_id))))
        return rc == WW_EINVAL ? http_fail(req, rc, "the hold was refused (is the incident id right?)") : rc;
    struct catalog_hold back;
    if ((rc = catalog_hold_get(cat, h.id, &back))) return rc;
    json_t *o = hold_json(&back, ww_wall_us());
    catalog_hold_clear(&back);
    return http_respond_json(req, 201, json_pack("{s:o}", "hold", o));
}

static const char *const release_fields[] = {"reason", NULL};

static int h_release(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    catalog_t *cat;
    int rc = api_param_id(req, &id, &cat);
    if (rc) return rc;
    struct catalog_hold h;
    if (catalog_hold_get(cat, id, &h)) return http_fail(req, WW_ENOTFOUND, "no such hold");
    int64_t cam = h.camera_id, from = h.from_us, to = h.to_us;
    catalog_hold_clear(&h);
    if ((rc = api_row_camera(req, cam, AUTHZ_MANAGE, "hold"))) return rc;
    json_t *body;
    const char *reason;
    if ((rc = http_req_json(req, release_fields, &body)) ||
        (rc = http_json_str(req, body, "reason", true, 1, 500, &reason)) < 0)
        return rc;
    const struct http_user *u = http_req_user(req);
    if ((rc = catalog_begin(cat))) return rc;
    rc = catalog_hold_release(cat, id, u->username, reason);
    if ((rc = http_audit_commit(req, rc, "hold_release", cam, from, to,
                                json_pack("{s:I,s:s}", "hold_id", (json_int_t)id, "reason", reason))))
        return rc == WW_ECONFLICT ? http_fail(req, rc, "hold %lld was already released or has expired", (long long)id) : rc;
    if ((rc = catalog_hold_get(cat, id, &h))) return rc;
    json_t *o = hold_json(&h, ww_wall_us());
    catalog_hold_clear(&h);
    return http_respond_json(req, 200, json_pack("{s:o}", "hold", o));
}

int api_holds_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    int rc = http_route(srv, "GET", "/api/v1/holds", h_list, ud, 0);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/cameras/{id}/holds", h_add, ud, 0);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/holds/{id}/release", h_release, ud, 0);
    return rc;
}
