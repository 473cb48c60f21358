/*
 * api.c — the table of resources and the JSON helpers they share.
 *
 * To add a resource: write src/api/<name>.c with
 *     int api_<name>_register(struct http_server *srv, const struct api_ctx *ctx)
 * (declared in api.h), and add one line to `resources` below.  A table, not
 * constructor magic: wwcore is a static library, and the linker would drop
 * a file nothing refers to.
 */
#include "api/api.h"

#include <stdlib.h>

#include "export/export.h"

#include "community/community.h"
#include "ward/ward.h"

static const struct {
    const char *name;
    int (*reg)(struct http_server *, const struct api_ctx *);
} resources[] = {
    {"wards", api_wards_register},
    {"owners", api_owners_register},
    {"cameras", api_cameras_register},
    {"users", api_users_register},
    {"audit", api_audit_register},
    {"incidents", api_incidents_register},
    {"stats", api_stats_register},
    {"criteria", api_criteria_register},
    {"live", api_live_register},
    {"playback", api_playback_register},
    {"export", api_export_register},
    {"health", api_health_register},
    {"community", api_community_register},
    {"events", api_events_register},
    {"motion", api_motion_register},
    {"holds", api_holds_register},
    {"storage", api_storage_register},
    {"evidence", api_evidence_register},
    {"verify", api_verify_register},
    {"map", api_map_register},
    {"metrics", api_metrics_register},
    /* One line per resource as it lands, e.g.:
     * {"live", api_live_register},
     * {"playback", api_playback_register},
     * {"export", api_export_register},
     * {"health", api_health_register},
     * {"recordings", api_recordings_register},
     * {"events", api_events_register},
     * {"incidents", api_incidents_register},
     * {"stats", api_stats_register},
     * {"criteria", api_criteria_register}, */
};

int api_register_all(struct http_server *srv, const struct api_ctx *ctx)
{
    for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++) {
        int rc = resources[i].reg(srv, ctx);
        if (rc) {
            ww_error("api", "registering %s failed: %s", resources[i].name, ww_strerror(rc));
            return rc;
        }
    }
    return 0;
}

json_t *api_time(int64_t us)
{
    if (!us) return json_null();
    char buf[48];
    return json_string(ww_fmt_time(us, ww_station_offset_min(), buf, sizeof buf));
}

json_t *api_id(int64_t id) { return id > 0 ? json_integer(id) : json_null(); }

json_t *api_camera_place_json(const struct catalog_camera *c, int64_t owner_id)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
    json_object_set_new(o, "address", c->address ? json_string(c->address) : json_null());
    json_object_set_new(o, "latitude", c->has_pos ? json_real(c->latitude) : json_null());
    json_object_set_new(o, "longitude", c->has_pos ? json_real(c->longitude) : json_null());
    json_object_set_new(o, "direction_deg",
                        c->direction_deg >= 0 ? json_real(c->direction_deg) : json_null());
    json_object_set_new(o, "ward_id", api_id(c->ward_id));
    json_object_set_new(o, "owner_id", api_id(owner_id));
    /* whether sound is recorded is for everyone who sees the camera, its
     * owner's console included: nobody should find out later */
    json_object_set_new(o, "audio", json_boolean(c->audio));
    return o;
}

json_t *api_camera_json(const struct catalog_camera *c, int64_t owner_id, bool with_urls)
{
    json_t *o = api_camera_place_json(c, owner_id);
    /* no owner: the station's own camera, free of any owner's consent —
     * every list shows it so (issue 11 item 2) */
    json_object_set_new(o, "station_own", json_boolean(owner_id <= 0));
    json_object_set_new(o, "enabled", json_boolean(c->enabled));
    json_object_set_new(o, "retention_days", json_integer(c->retention_days));
    json_object_set_new(o, "has_sub_stream", json_boolean(c->sub_url != NULL));
    json_object_set_new(o, "has_credentials", json_boolean(c->username || c->password));
    json_object_set_new(o, "auth_basic_allowed", json_boolean(c->auth_basic_allowed));
    json_object_set_new(o, "created_at", api_time(c->created_us));
    if (with_urls) {
        json_object_set_new(o, "main_url", json_string(c->main_url ? c->main_url : ""));
        json_object_set_new(o, "sub_url", c->sub_url ? json_string(c->sub_url) : json_null());
        json_object_set_new(o, "transport", json_string(c->transport ? c->transport : "tcp"));
        /* a snapshot address reveals the network layout as a stream URL does */
        json_object_set_new(o, "snapshot_url", c->snapshot_url ? json_string(c->snapshot_url) : json_null());
    }
    return o;
}

int api_param_camera(struct http_req *req, unsigned actions, int64_t *id)
{
    int rc = http_req_param_id(req, "id", id);
    return rc ? rc : http_authz_camera(req, *id, actions);
}

int api_ward_check(struct http_req *req, catalog_t *cat, int64_t ward_id)
{
    if (!ward_id) return 0;
    bool ok;
    int rc = http_ward_exists(cat, ward_id, &ok);
    if (rc) return rc;
    return ok ? 0 : http_fail(req, WW_EINVAL, "no ward %lld", (long long)ward_id);
}

int api_cameras(struct http_req *req, unsigned actions, struct catalog_camera **v, size_t *n)
{
    *v = NULL;
    *n = 0;
    struct community_user u;
    int rc = http_req_community_user(req, &u);
    if (rc) return rc;
    catalog_t *cat = http_req_catalog(req);
    return cat ? community_cameras(cat, &u, actions, v, n) : WW_EDB;
}

int api_read_ward(struct http_req *req, int64_t *ward_id)
{
    *ward_id = 0;
    struct http_scope sc;
    int rc = http_authz_ward_scope(req, AUTHZ_WARD_READ, &sc);
    if (rc || sc.all) return rc;
    if (!sc.n) return 1;
    *ward_id = sc.ids[0]; /* scoped roles have one ward */
    return 0;
}

int api_param_id(struct http_req *req, int64_t *id, catalog_t **cat)
{
    *cat = NULL;
    int rc = http_req_param_id(req, "id", id);
    if (rc) return rc;
    *cat = http_req_catalog(req);
    return *cat ? 0 : WW_EDB;
}

int api_param_incident(struct http_req *req, unsigned actions, catalog_t **cat, struct catalog_incident *inc)
{
    int64_t id;
    int rc = api_param_id(req, &id, cat);
    if (rc) return rc;
    if (!(rc = ward_incident_get(*cat, id, inc)) && (rc = http_authz_ward(req, inc->ward_id, actions)))
        catalog_incident_clear(inc);
    /* out of scope: the incident's existence is not revealed */
    if (rc == WW_ENOTFOUND) return http_fail(req, rc, "no such incident %lld", (long long)id);
    return rc;
}

int api_respond_listed(struct http_req *req, catalog_t *cat, int (*list)(catalog_t *cat, json_t **out),
                       const char *key)
{
    if (!cat) return WW_EDB;
    json_t *a;
    int rc = list(cat, &a);
    return rc ? rc : http_respond_json(req, 200, json_pack("{s:o}", key, a));
}

int api_found(struct http_req *req, int rc, const char *what)
{
    return rc == WW_ENOTFOUND ? http_fail(req, rc, "no such %s", what) : rc;
}

int api_row_camera(struct http_req *req, int64_t camera_id, unsigned actions, const char *what)
{
    return api_found(req, http_authz_camera(req, camera_id, actions), what);
}

int api_json_body(struct http_req *req, const char *const *allowed, json_t **body, catalog_t **cat)
{
    *cat = NULL;
    int rc = http_req_json(req, allowed, body);
    if (rc) return rc;
    *cat = http_req_catalog(req);
    return *cat ? 0 : WW_EDB;
}

/* Collects export_verify's sentences as a JSON array. */
static void verify_line(void *ud, bool ok, const char *line)
{
    json_array_append_new(ud, json_pack("{s:b,s:s}", "ok", ok, "text", line));
}

int api_verify_answer(struct http_req *req, const char *data_dir, const char *path, const char *action,
                      int64_t camera_id, int64_t from_us, int64_t to_us, json_t *detail)
{
    struct export_key key;
    bool created;
    int rc = export_key_ensure(data_dir, &key, &created);
    if (rc) {
        json_decref(detail);
        return http_fail(req, rc, "the station has no signing key");
    }
    json_t *lines = json_array();
    struct export_verify_result res;
    int vr = export_verify(path, &key, verify_line, lines, &res);
    export_key_wipe(&key);
    json_object_set_new(detail, "ok", json_boolean(vr == 0));
    json_object_set_new(detail, "first_failure", json_string(res.first_failure));
    if ((rc = http_audit(req, action, camera_id, from_us, to_us, detail))) {
        json_decref(lines);
        return rc;
    }
    return http_respond_json(req, 200, json_pack("{s:b,s:s?,s:s,s:o}", "ok", vr == 0, "first_failure",
                                                 vr ? res.first_failure : NULL, "key_fingerprint",
                                                 res.signer_fingerprint, "checks", lines));
}
