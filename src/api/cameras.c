/*
 * cameras.c — /api/v1/cameras: list, show, add, edit, remove.
 *
 * Credentials are write-only: a request may set username/password, no
 * response ever contains them (has_credentials says whether there are any),
 * and URLs carrying "user:pass@" are refused so they cannot slip into a
 * column that is shown.  Stream URLs reveal the station's network layout,
 * so only callers who may MANAGE a camera see them.
 *
 * Who may do what is http/authz.c's: list = cameras the caller may VIEW;
 * add = admin, or an officer into their own ward; edit = MANAGE (admin, or
 * an officer within their ward); remove = admin (route gate).
 * Every change is an audit row (camera_change) naming the changed fields,
 * never their secret values.
 *
 * Stored credentials belong to the host:port of the URLs they were stored
 * with (issue 11 item 1): an edit that points main_url or sub_url at
 * another host:port drops them, unless new ones come in the same request;
 * the URL of a camera with stored credentials, and whether Basic auth may
 * be used, are changed only with AUTHZ_CREDENTIALS (admin); the audit row
 * of a URL change names the old and new host:port.  One camera device is
 * one row (item 2): a URL naming another camera's device (base/url.c's
 * device key) is a 409 camera_exists, naming that camera if the caller may
 * see it.  The catalog refuses such a row too (catalog_camera_add/update),
 * so no other writer can add one.
 */
#include "api/api.h"
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/cat_audit.h"
#include "onvif/onvif.h"
#include "catalog/cat_evidence.h"
#include "catalog/cat_users.h"

static const char *const camera_fields[] = {
    "name", "address", "latitude", "longitude", "direction_deg", "ward_id", "owner_id",
    "main_url", "sub_url", "username", "password", "transport", "enabled", "retention_days",
    "auth_basic_allowed", "snapshot_url", "audio", NULL,
};

/* Why url is not acceptable, or NULL. */
/* What is wrong with a camera URL (NULL: nothing); *code the same as the
 * error answer's reason (url_scheme, url_spaces, url_credentials, url_host,
 * url_port), which the console words. */
static const char *url_problem(const char *url, const char **code)
{
    const char *p;
    if (ww_str_starts(url, "rtsp://")) p = url + 7;
    else if (ww_str_starts(url, "rtsps://")) p = url + 8;
    else return *code = "url_scheme", "must start with rtsp:// or rtsps://";
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f) return *code = "url_spaces", "must not contain spaces or control characters";
    size_t hostlen = strcspn(p, "/?#");
    if (memchr(p, '@', hostlen))
        return *code = "url_credentials", "must not contain credentials: send them as the username and password fields";
    if (hostlen == 0 || *p == ':') return *code = "url_host", "has no host";
    const char *colon = p[0] == '[' ? NULL : memchr(p, ':', hostlen);
    if (colon) {
        int64_t port;
        char *ps = strndup(colon + 1, hostlen - (size_t)(colon + 1 - p));
        int bad = ww_parse_i64(ps, 1, 65535, &port);
        free(ps);
        if (bad) return *code = "url_port", "has a bad port";
    }
    return NULL;
}

/* The same for a snapshot URL (ONVIF GetSnapshotUri: a plain http(s)
 * address); the codes are url_scheme_http, url_spaces, url_credentials, url_host. */
static const char *snapshot_problem(const char *url, const char **code)
{
    const char *p;
    if (ww_str_starts(url, "http://")) p = url + 7;
    else if (ww_str_starts(url, "https://")) p = url + 8;
    else return *code = "url_scheme_http", "must start with http:// or https://";
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f) return *code = "url_spaces", "must not contain spaces or control characters";
    size_t hostlen = strcspn(p, "/?#");
    if (memchr(p, '@', hostlen))
        return *code = "url_credentials", "must not contain credentials: the camera's username and password are used";
    if (hostlen == 0 || *p == ':') return *code = "url_host", "has no host";
    return NULL;
}

static void set_str(char **dst, const char *v)
{
    if (*dst) explicit_bzero(*dst, strlen(*dst));
    free(*dst);
    *dst = v ? ww_strdup(v) : NULL;
}

/* Applies the body's fields to c (heap strings, as catalog_camera_get
 * fills them).  Lists the changed field names in changed.  0 or WW_EINVAL
 * (message set). */
static int apply_fields(struct http_req *req, json_t *body, struct catalog_camera *c, bool create,
                        json_t *changed)
{
    const char *s;
    int64_t i;
    double d;
    bool b;
    int rc;
#define CHANGED(name) json_array_append_new(changed, json_string(name))
    if ((rc = http_json_str(req, body, "name", create, 1, 100, &s)) < 0) return rc;
    if (rc) { set_str(&c->name, s); CHANGED("name"); }
    if ((rc = http_json_str_or_null(req, body, "address", 300, &s)) < 0) return rc;
    if (rc) { set_str(&c->address, s); CHANGED("address"); }

    json_t *lat = json_object_get(body, "latitude"), *lon = json_object_get(body, "longitude");
    if (!lat != !lon) return http_fail_field(req, WW_EINVAL, "both_coordinates", lat ? "longitude" : "latitude", "give both 'latitude' and 'longitude'");
    if (lat && json_is_null(lat) != json_is_null(lon))
        return http_fail(req, WW_EINVAL, "'latitude' and 'longitude' must both be numbers or both"
                                         " null");
    if (lat && json_is_null(lat)) {
        c->has_pos = false;
        CHANGED("position");
    } else if (lat) {
        if ((rc = http_json_double(req, body, "latitude", true, -90, 90, &c->latitude)) < 0) return rc;
        if ((rc = http_json_double(req, body, "longitude", true, -180, 180, &c->longitude)) < 0)
            return rc;
        c->has_pos = true;
        CHANGED("position");
    }
    json_t *dir = json_object_get(body, "direction_deg");
    if (dir && json_is_null(dir)) {
        c->direction_deg = -1;
        CHANGED("direction_deg");
    } else if (dir) {
        if ((rc = http_json_double(req, body, "direction_deg", true, 0, 360, &d)) < 0) return rc;
        c->direction_deg = d;
        CHANGED("direction_deg");
    }
    if ((rc = http_json_id_or_null(req, body, "ward_id", &c->ward_id)) < 0) return rc;
    if (rc) CHANGED("ward_id");

    if ((rc = http_json_str(req, body, "main_url", create, 1, 1024, &s)) < 0) return rc;
    if (rc) {
        const char *code = NULL, *why = url_problem(s, &code);
        if (why) return http_fail_field(req, WW_EINVAL, code, "main_url", "field 'main_url' %s", why);
        set_str(&c->main_url, s);
        CHANGED("main_url");
    }
    if ((rc = http_json_str_or_null(req, body, "sub_url", 1024, &s)) < 0) return rc;
    if (rc) {
        const char *code = NULL, *why = s ? url_problem(s, &code) : NULL;
        if (why) return http_fail_field(req, WW_EINVAL, code, "sub_url", "field 'sub_url' %s", why);
        set_str(&c->sub_url, s && *s ? s : NULL);
        CHANGED("sub_url");
    }
    if ((rc = http_json_str_or_null(req, body, "snapshot_url", 1024, &s)) < 0) return rc;
    if (rc) {
        const char *code = NULL, *why = s && *s ? snapshot_problem(s, &code) : NULL;
        if (why) return http_fail_field(req, WW_EINVAL, code, "snapshot_url", "field 'snapshot_url' %s", why);
        set_str(&c->snapshot_url, s && *s ? s : NULL);
        CHANGED("snapshot_url");
    }
    if ((rc = http_json_str_or_null(req, body, "username", 128, &s)) < 0) return rc;
    if (rc) {
        set_str(&c->username, s && *s ? s : NULL);
        if (!c->username) set_str(&c->password, NULL); /* no user, no password */
        CHANGED("username");
    }
    if ((rc = http_json_str_or_null(req, body, "password", 256, &s)) < 0) return rc;
    if (rc) {
        if (s && *s && !c->username)
            return http_fail(req, WW_EINVAL, "a 'password' needs a 'username'");
        set_str(&c->password, s && *s ? s : NULL);
        CHANGED("password");
    }
    if ((rc = http_json_str(req, body, "transport", false, 3, 3, &s)) < 0) return rc;
    if (rc) {
        if (strcmp(s, "tcp") && strcmp(s, "udp"))
            return http_fail(req, WW_EINVAL, "field 'transport' must be \"tcp\" or \"udp\"");
        set_str(&c->transport, s);
        CHANGED("transport");
    }
    if ((rc = http_json_bool(req, body, "enabled", false, &b)) < 0) return rc;
    if (rc) { c->enabled = b; CHANGED("enabled"); }
    if ((rc = http_json_i64(req, body, "retention_days", false, 1, 3650, &i)) < 0) return rc;
    if (rc) { c->retention_days = (int)i; CHANGED("retention_days"); }
    if ((rc = http_json_bool(req, body, "auth_basic_allowed", false, &b)) < 0) return rc;
    if (rc) { c->auth_basic_allowed = b; CHANGED("auth_basic_allowed"); }
    /* Sound of passers-by: turned on only on purpose, and the change is
     * audited with the others (camera_change names the field).  The consent
     * register has no right for sound, so the agreement it needs (the
     * owner's and the ward's) is the station admin's to confirm: an officer
     * may turn it off, never on. */
    if ((rc = http_json_bool(req, body, "audio", false, &b)) < 0) return rc;
    if (rc) {
        if (b && !c->audio && http_req_user(req)->role != CATALOG_ROLE_ADMIN)
            return http_fail_field(req, WW_EPERM, "audio_admin_only", "audio",
                                   "only an admin may turn a camera's sound recording on (it needs the owner's "
                                   "and the ward's agreement)");
        c->audio = b;
        CHANGED("audio");
    }
#undef CHANGED
    return 0;
}

/* A camera without an owner is the station's own and needs no owner's
 * consent (catalog_consent_at); so only an admin may make one — an officer
 * registering a resident's camera names its owner, whose consent then
 * governs it (issue 11 item 2: deny by default). */
static int station_own_gate(struct http_req *req, int64_t owner_id)
{
    const struct http_user *u = http_req_user(req);
    if (owner_id > 0 || u->role == CATALOG_ROLE_ADMIN) return 0;
    return http_fail(req, WW_EPERM, "only an admin may register a camera as the station's own (without an "
                                    "owner); give owner_id");
}

/* Checks ward and owner ids against the catalog and the caller's scope. */
static int check_links(struct http_req *req, catalog_t *cat, const struct catalog_camera *c,
                       int64_t owner_id, bool owner_changed)
{
    const struct http_user *u = http_req_user(req);
    /* The own-ward rule first: another ward's id and a missing one get the
     * same answer, so an officer cannot learn which wards exist. */
    if (u->role == CATALOG_ROLE_OFFICER && c->ward_id != u->ward_id)
        return http_fail(req, WW_EPERM, "officers manage the cameras of their own ward only");
    int wrc = api_ward_check(req, cat, c->ward_id);
    if (wrc) return wrc;
    if (owner_id && owner_changed) {
        struct catalog_owner o;
        int rc = catalog_owner_get(cat, owner_id, &o);
        if (rc && rc != WW_ENOTFOUND) return rc;
        bool visible = rc == 0 && (u->role == CATALOG_ROLE_ADMIN || o.ward_id == u->ward_id);
        if (rc == 0) catalog_owner_clear(&o);
        if (!visible) return http_fail(req, WW_EINVAL, "no owner %lld", (long long)owner_id);
    }
    return 0;
}

static bool may_manage(struct http_req *req, const struct catalog_camera *c, int64_t owner_id)
{
    struct authz_camera_facts f = {true, c->ward_id, owner_id};
    return http_authz_decide_camera(http_req_user(req), &f, AUTHZ_MANAGE) == 0;
}

static bool may_credentials(struct http_req *req, const struct catalog_camera *c, int64_t owner_id)
{
    struct authz_camera_facts f = {true, c->ward_id, owner_id};
    return http_authz_decide_camera(http_req_user(req), &f, AUTHZ_CREDENTIALS) == 0;
}

static bool str_eq(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static bool has_credentials(const struct catalog_camera *c) { return c->username || c->password; }

/* Is url's host:port one of old's (main or sub)?  The credentials of old
 * were given for those. */
static bool authority_known(const struct catalog_camera *old, const char *url)
{
    if (!url) return true;
    return ww_rtsp_same_authority(url, old->main_url) ||
           (old->sub_url && ww_rtsp_same_authority(url, old->sub_url));
}

/* One "url_change" entry of the audit row: host:port only, never a path
 * (it may carry a token) and never credentials. */
static json_t *host_change(const char *kind, const char *was, const char *now)
{
    char *a = NULL, *b = NULL;
    if (was) ww_rtsp_authority(was, &a);
    if (now) ww_rtsp_authority(now, &b);
    json_t *o = json_pack("{s:s,s:s?,s:s?}", "stream", kind, "old_host", a, "new_host", b);
    free(a);
    free(b);
    return o;
}

/* Answers 409 camera_exists if url or sub names another camera's device.
 * 1 if it answered, 0 if the address is free, or <0. */
static int refuse_twin(struct http_req *req, catalog_t *cat, const struct catalog_camera *c)
{
    int64_t other, w = 0, owner = 0;
    int rc = catalog_camera_device_owner(cat, c->main_url, c->sub_url, c->id, &other);
    if (rc) return rc;
    if (!other) return 0;
    if ((rc = catalog_camera_scope(cat, other, &w, &owner))) return rc;
    struct authz_camera_facts f = {true, w, owner};
    bool visible = http_authz_decide_camera(http_req_user(req), &f, AUTHZ_VIEW) == 0;
    json_t *e = json_pack("{s:s}", "code", "camera_exists");
    char *m = visible ? ww_asprintf("camera %lld already has this address (host:port/path): one"
                                    " camera device is one camera", (long long)other)
                      : ww_strdup("a camera with this address (host:port/path) already exists");
    json_object_set_new(e, "message", json_string(m));
    free(m);
    if (visible) json_object_set_new(e, "camera_id", json_integer(other));
    rc = http_respond_json(req, 409, json_pack("{s:o}", "error", e));
    return rc ? rc : 1;
}

static void notify(const struct api_ctx *ctx, int64_t id, bool removed)
{
    if (ctx->camera_changed) ctx->camera_changed(ctx->camera_changed_arg, id, removed);
}

static int h_list(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t ward;
    int rc = http_req_query_i64(req, "ward_id", 1, INT64_MAX, 0, &ward);
    if (rc) return rc;
    struct catalog_camera *v;
    size_t n;
    if ((rc = api_cameras(req, AUTHZ_VIEW, &v, &n))) return rc;
    catalog_t *cat = http_req_catalog(req);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (ward && v[i].ward_id != ward) continue;
        int64_t w, owner = 0;
        if ((rc = catalog_camera_scope(cat, v[i].id, &w, &owner))) break;
        json_array_append_new(arr, api_camera_json(&v[i], owner, may_manage(req, &v[i], owner)));
    }
    catalog_camera_list_free(v, n);
    if (rc) { json_decref(arr); return rc; }
    return http_respond_json(req, 200, json_pack("{s:o}", "cameras", arr));
}

static int h_get(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id, w, owner;
    int rc;
    if ((rc = api_param_camera(req, AUTHZ_VIEW, &id))) return rc;
    catalog_t *cat = http_req_catalog(req);
    struct catalog_camera c;
    if ((rc = catalog_camera_get(cat, id, &c))) return rc;
    if ((rc = catalog_camera_scope(cat, id, &w, &owner))) { catalog_camera_clear(&c); return rc; }
    json_t *o = api_camera_json(&c, owner, may_manage(req, &c, owner));
    catalog_camera_clear(&c);
    return http_respond_json(req, 200, o);
}

static int h_add(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    json_t *body;
    int rc;
    if ((rc = http_req_json(req, camera_fields, &body))) return rc;
    const struct http_user *u = http_req_user(req);
    struct catalog_camera c = {.enabled = true, .retention_days = 30, .direction_deg = -1};
    if (u->role == CATALOG_ROLE_OFFICER) c.ward_id = u->ward_id;
    int64_t owner = 0;
    json_t *changed = json_array();
    catalog_t *cat = http_req_catalog(req);
    if (!cat) { rc = WW_EDB; goto out; }
    if ((rc = apply_fields(req, body, &c, true, changed))) goto out;
    if ((rc = http_json_id_or_null(req, body, "owner_id", &owner)) < 0) goto out;
    if ((rc = station_own_gate(req, owner))) goto out;
    if ((rc = check_links(req, cat, &c, owner, true))) goto out;
    if (c.auth_basic_allowed && !may_credentials(req, &c, owner)) {
        rc = http_fail(req, WW_EPERM, "only a role that manages credentials (admin) may allow"
                                      " Basic auth, which sends the password in clear");
        goto out;
    }
    if (!c.transport) c.transport = ww_strdup("tcp");
    if ((rc = catalog_begin(cat))) goto out;
    if ((rc = refuse_twin(req, cat, &c))) {
        catalog_rollback(cat);
        if (rc == 1) rc = 0;
        goto out;
    }
    if ((rc = catalog_camera_add(cat, &c)) ||
        (owner && (rc = catalog_camera_owner_set(cat, c.id, owner)))) {
        catalog_rollback(cat);
        goto out;
    }
    rc = http_audit(req, CATALOG_AUDIT_CAMERA_CHANGE, c.id, 0, 0,
                    json_pack("{s:s,s:O}", "change", "add", "fields", changed));
    if (rc || (rc = catalog_commit(cat))) { catalog_rollback(cat); goto out; }
    notify(ctx, c.id, false);
    rc = http_respond_json(req, 201, api_camera_json(&c, owner, true));
out:
    json_decref(changed);
    catalog_camera_clear(&c);
    return rc;
}

/* The credential rules of an edit from old to c (issue 11 item 1):
 *   - moving the URL of a camera with stored credentials, or changing
 *     auth_basic_allowed, needs AUTHZ_CREDENTIALS → 403 otherwise;
 *   - a URL at a host:port the credentials were not given for drops them:
 *     of username/password only what this request gives is kept;
 *   - *detail (new object) gets the audit's url_change entries (old and new
 *     host:port of each changed URL) and credentials_dropped. */
static int guard_credentials(struct http_req *req, json_t *body, const struct catalog_camera *old,
                             int64_t old_owner, struct catalog_camera *c, json_t *changed,
                             json_t **detail)
{
    *detail = json_object();
    bool main_changed = !str_eq(old->main_url, c->main_url);
    bool sub_changed = !str_eq(old->sub_url, c->sub_url);
    bool snap_changed = !str_eq(old->snapshot_url, c->snapshot_url);
    bool stored = has_credentials(old);
    if ((main_changed || sub_changed || snap_changed) && stored && !may_credentials(req, old, old_owner))
        return http_fail(req, WW_EPERM, "this camera has stored credentials: only a role that"
                                        " manages credentials (admin) may change its URL");
    if (old->auth_basic_allowed != c->auth_basic_allowed && !may_credentials(req, old, old_owner))
        return http_fail(req, WW_EPERM, "only a role that manages credentials (admin) may change"
                                        " whether Basic auth (the password in clear) is allowed");
    if (!main_changed && !sub_changed) return 0;
    json_t *moves = json_array();
    if (main_changed) json_array_append_new(moves, host_change("main", old->main_url, c->main_url));
    if (sub_changed) json_array_append_new(moves, host_change("sub", old->sub_url, c->sub_url));
    json_object_set_new(*detail, "url_change", moves);
    bool moved = !authority_known(old, c->main_url) || !authority_known(old, c->sub_url);
    if (!moved || !stored) return 0;
    bool drop = false;
    if (!json_object_get(body, "username") && c->username) {
        free(c->username);
        c->username = NULL;
        drop = true;
    }
    if (!json_object_get(body, "password") && c->password) {
        explicit_bzero(c->password, strlen(c->password));
        free(c->password);
        c->password = NULL;
        drop = true;
    }
    if (c->password && !c->username)
        return http_fail(req, WW_EINVAL, "the URL moves to another host:port, so the stored"
                                         " username goes: send 'username' with the 'password'");
    if (drop) {
        json_object_set_new(*detail, "credentials_dropped", json_true());
        json_array_append_new(changed, json_string("credentials_dropped"));
    }
    return 0;
}

static int h_patch(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    json_t *body;
    int64_t id, w, owner;
    int rc;
    if ((rc = api_param_camera(req, AUTHZ_MANAGE, &id))) return rc;
    if ((rc = http_req_json(req, camera_fields, &body))) return rc;
    catalog_t *cat = http_req_catalog(req);
    struct catalog_camera c, old = {0};
    if ((rc = catalog_camera_get(cat, id, &c))) return rc;
    json_t *changed = json_array(), *detail = NULL;
    if ((rc = catalog_camera_get(cat, id, &old))) goto out;
    if ((rc = catalog_camera_scope(cat, id, &w, &owner))) goto out;
    int64_t old_owner = owner;
    if ((rc = apply_fields(req, body, &c, false, changed))) goto out;
    if ((rc = http_json_id_or_null(req, body, "owner_id", &owner)) < 0) goto out;
    bool owner_changed = rc == 1;
    if (owner_changed && (rc = station_own_gate(req, owner))) goto out;
    if (owner_changed) json_array_append_new(changed, json_string("owner_id"));
    if ((rc = check_links(req, cat, &c, owner, owner_changed))) goto out;
    if ((rc = guard_credentials(req, body, &old, old_owner, &c, changed, &detail))) goto out;
    if (!json_array_size(changed)) {
        rc = http_respond_json(req, 200, api_camera_json(&c, owner, true));
        goto out;
    }
    if ((rc = catalog_begin(cat))) goto out;
    bool url_changed = !str_eq(old.main_url, c.main_url) || !str_eq(old.sub_url, c.sub_url);
    if (url_changed && (rc = refuse_twin(req, cat, &c))) {
        catalog_rollback(cat);
        if (rc == 1) rc = 0;
        goto out;
    }
    json_object_set_new(detail, "change", json_string("edit"));
    json_object_set(detail, "fields", changed);
    if ((rc = catalog_camera_update(cat, &c)) || (rc = catalog_camera_owner_set(cat, id, owner)) ||
        (rc = http_audit(req, CATALOG_AUDIT_CAMERA_CHANGE, id, 0, 0, json_incref(detail))) ||
        (rc = catalog_commit(cat))) {
        catalog_rollback(cat);
        goto out;
    }
    notify(ctx, id, false);
    rc = http_respond_json(req, 200, api_camera_json(&c, owner, true));
out:
    json_decref(changed);
    json_decref(detail);
    catalog_camera_clear(&c);
    catalog_camera_clear(&old);
    return rc;
}

/* Unlinks a camera's recording files (rows go with the camera's).  Segments
 * already marked DELETING are retention's to finish. */
static size_t remove_files(catalog_t *cat, const char *data_dir, int64_t id)
{
    static const char *const kinds[] = {"main", "sub"};
    size_t removed = 0;
    for (size_t k = 0; k < 2; k++) {
        int64_t stream;
        struct catalog_segment *segs;
        size_t n;
        if (catalog_stream_find(cat, id, kinds[k], &stream)) continue;
        if (catalog_segment_range(cat, stream, -(1LL << 60), INT64_MAX, &segs, &n)) continue;
        for (size_t i = 0; i < n; i++) {
            char *p = ww_asprintf("%s/%s", data_dir, segs[i].path);
            if (unlink(p) == 0) removed++;
            free(p);
        }
        catalog_segment_list_free(segs, n);
    }
    return removed;
}

static int h_delete(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id;
    int rc;
    if ((rc = api_param_camera(req, AUTHZ_MANAGE, &id))) return rc;
    catalog_t *cat = http_req_catalog(req);
    /* Footage under a hold in force is evidence: the camera (and with it
     * its recordings) stays until every hold is released or expired. */
    struct catalog_hold *holds;
    size_t nholds;
    if ((rc = catalog_hold_list(cat, id, true, &holds, &nholds))) return rc;
    int64_t first_hold = nholds ? holds[0].id : 0;
    catalog_hold_list_free(holds, nholds);
    if (first_hold)
        return http_fail(req, WW_ECONFLICT, "camera %lld has footage under hold %lld%s; release the hold%s first",
                         (long long)id, (long long)first_hold, nholds > 1 ? " and others" : "",
                         nholds > 1 ? "s" : "");
    /* An ordered operation: (1) stop the camera's streams and let the
     * syncer commit its last segments, (2) unlink files, (3) remove rows —
     * so no segment of it is open when its rows go, and a crash between
     * (2) and (3) leaves rows without files, which recovery drops.  The
     * answer comes when all of it is done. */
    engine_t *eng = (engine_t *)ctx->engine;
    if (eng) engine_camera_retire(eng, id);
    size_t files = ctx->data_dir ? remove_files(cat, ctx->data_dir, id) : 0;
    if ((rc = catalog_begin(cat))) { if (eng) engine_camera_unretire(eng, id); return rc; }
    if ((rc = catalog_camera_remove(cat, id)) ||
        (rc = http_audit(req, CATALOG_AUDIT_CAMERA_CHANGE, id, 0, 0,
                         json_pack("{s:s,s:I}", "change", "remove", "files_removed",
                                   (json_int_t)files))) ||
        (rc = catalog_commit(cat))) {
        catalog_rollback(cat);
        if (eng) engine_camera_unretire(eng, id);
        return rc;
    }
    notify(ctx, id, true);
    return http_respond_data(req, 204, NULL, NULL, 0);
}

/* POST /api/v1/cameras/onvif-probe {url, username, password[, name]}: reads
 * the camera over ONVIF for the console's add dialog (admin only: it sends
 * credentials to an address the caller chooses).  Answers device info,
 * profiles, the chosen main/sub/snapshot URIs (never credentials) and the
 * clock skew; audited as a camera_change with camera 0 and op onvif_probe.
 * name (the name the dialog is about to give the camera) only words the
 * errors: "camera 'Cổng UBND': the camera at HOST refused ..." (422
 * onvif_auth) or "... cannot reach ..." (502 onvif_unreachable). */
static const char *const probe_fields[] = {"url", "username", "password", "name", NULL};

static int h_onvif_probe(struct http_req *req, void *ud)
{
    (void)ud;
    json_t *body;
    const char *url, *user, *pass;
    int rc;
    if ((rc = http_req_json(req, probe_fields, &body))) return rc;
    if ((rc = http_json_str(req, body, "url", true, 8, 512, &url)) < 0) return rc;
    if ((rc = http_json_str(req, body, "username", true, 1, 128, &user)) < 0) return rc;
    if ((rc = http_json_str(req, body, "password", true, 0, 256, &pass)) < 0) return rc;
    const char *name = NULL;
    if ((rc = http_json_str_or_null(req, body, "name", 100, &name)) < 0) return rc;
    if (name && !*name) name = NULL;
    struct ww_onvif_device *d = calloc(1, sizeof *d);
    if (!d) return -ENOMEM;
    char err[512];
    rc = ww_onvif_read_device(url, user, pass, 8000, d, err, sizeof err);
    int arc = http_audit(req, CATALOG_AUDIT_CAMERA_CHANGE, 0, 0, 0,
                         json_pack("{s:s, s:s, s:b}", "op", "onvif_probe", "url", url, "ok", rc == 0));
    if (arc) { free(d); return arc; }
    if (rc) {
        free(d);
        const char *why = err[0] ? err : "ONVIF probe failed";
        int status = rc == WW_EAUTH ? 422 : 502;
        const char *code = rc == WW_EAUTH ? "onvif_auth" : "onvif_unreachable";
        if (name) return http_error(req, status, code, "camera '%s': %s", name, why);
        return http_error(req, status, code, "%s", why);
    }
    /* only an address POST /api/v1/cameras takes back (camera add --onvif
     * keeps the same rule): a camera naming anything else has no snapshot */
    const char *snap = d->snapshot_uri;
    const char *scode;
    if (!snap[0] || snapshot_problem(snap, &scode)) snap = NULL;
    json_t *profiles = json_array();
    for (int i = 0; i < d->nprofiles; i++)
        json_array_append_new(profiles, json_pack("{s:s, s:s, s:s, s:i, s:i}", "token", d->profiles[i].token,
                                                  "name", d->profiles[i].name, "encoding", d->profiles[i].encoding,
                                                  "width", d->profiles[i].width, "height", d->profiles[i].height));
    json_t *o = json_pack("{s:{s:s, s:s, s:s, s:s}, s:o, s:s, s:s?, s:s?, s:I}", "device", "manufacturer",
                          d->manufacturer, "model", d->model, "firmware", d->firmware, "serial", d->serial,
                          "profiles", profiles, "main_url", d->main_uri, "sub_url",
                          d->sub_uri[0] ? d->sub_uri : NULL, "snapshot_url", snap, "skew_s", (json_int_t)d->skew_s);
    json_object_set_new(o, "media_via", json_string(d->media_via ? d->media_via : ""));
    free(d);
    return http_respond_json(req, 200, o);
}

int api_cameras_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    int rc = 0;
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/cameras", h_list, ud, 0);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/cameras/{id}", h_get, ud, 0);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/cameras", h_add, ud,
                              HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER);
    rc = rc ? rc : http_route(srv, "PATCH", "/api/v1/cameras/{id}", h_patch, ud,
                              HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER);
    rc = rc ? rc : http_route(srv, "DELETE", "/api/v1/cameras/{id}", h_delete, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/cameras/onvif-probe", h_onvif_probe, ud, HTTP_ROLE_ADMIN);
    return rc;
}
