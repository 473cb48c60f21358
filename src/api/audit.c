/*
 * audit.c — /api/v1/audit: read the audit trail, and check its chain.
 *
 * Admins read every row.  An owner account reads the rows about its own
 * cameras (who watched, played back or exported them, and when) — that is
 * the point of the trail for residents who lend their cameras.  Nobody else
 * reads it (route gate).  Paging is by id: each page returns next_before,
 * the id to pass as ?before= for the next (older) page.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_users.h"
#include "catalog/cat_ward_work.h"

/* Who a row's user is, as an owner reading "who looked at my camera" needs
 * it: their name, their unit (ward) and role,
 * not a login name.  Looked up once per user per page. */
struct who { int64_t id; char *name, *unit; const char *role; };

static void who_of(catalog_t *cat, int64_t user_id, struct who *cache, size_t *n, const struct who **out)
{
    *out = NULL;
    if (user_id <= 0) return;
    for (size_t i = 0; i < *n; i++)
        if (cache[i].id == user_id) { *out = &cache[i]; return; }
    if (*n == 64) return; /* a page names few users; past that, usernames alone */
    struct catalog_user u;
    if (catalog_user_get(cat, user_id, &u)) return;
    struct who *w = &cache[(*n)++];
    w->id = user_id;
    w->name = u.display_name && *u.display_name ? ww_strdup(u.display_name) : NULL;
    w->unit = NULL;
    if (u.ward_id) catalog_ward_name(cat, u.ward_id, &w->unit);
    w->role = catalog_role_name(u.role);
    catalog_user_clear(&u);
    *out = w;
}

/* A live view's end, from its live_view_end row: "view_end" (null while
 * none) and "view_open" — true only for a view with no end row that could
 * still be running (a server killed with -9 writes none: a view older than
 * any session can last is not "open", its end is just unknown). */
#define VIEW_MAX_US (24LL * 3600 * 1000000)

static void add_view_end(catalog_t *cat, const struct catalog_audit *a, json_t *o)
{
    int64_t end = 0;
    if (catalog_audit_view_end(cat, a->camera_id, a->user_id, a->range_from_us, &end)) return;
    json_object_set_new(o, "view_end", api_time(end));
    json_object_set_new(o, "view_open", json_boolean(!end && ww_wall_us() - a->range_from_us < VIEW_MAX_US));
}

static json_t *row_json(const struct catalog_audit *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "at", api_time(a->at_us));
    json_object_set_new(o, "at_us", json_integer(a->at_us));
    json_object_set_new(o, "user_id", api_id(a->user_id));
    json_object_set_new(o, "username", a->username ? json_string(a->username) : json_null());
    json_object_set_new(o, "action", json_string(a->action ? a->action : ""));
    json_object_set_new(o, "camera_id", api_id(a->camera_id));
    json_object_set_new(o, "from", api_time(a->range_from_us));
    json_object_set_new(o, "to", api_time(a->range_to_us));
    json_object_set_new(o, "from_us", a->range_from_us ? json_integer(a->range_from_us) : json_null());
    json_object_set_new(o, "to_us", a->range_to_us ? json_integer(a->range_to_us) : json_null());
    json_object_set_new(o, "client_addr", a->client_addr ? json_string(a->client_addr) : json_null());
    json_t *d = a->detail ? json_loads(a->detail, 0, NULL) : NULL;
    if (!d && a->detail) d = json_string(a->detail);
    json_object_set_new(o, "detail", d ? d : json_null());
    json_object_set_new(o, "hash", json_string(a->hash));
    return o;
}

static int h_list(struct http_req *req, void *ud)
{
    (void)ud;
    const struct http_user *u = http_req_user(req);
    struct catalog_audit_filter f = {0};
    int64_t limit;
    int rc;
    if ((rc = http_req_query_i64(req, "camera", 1, INT64_MAX, 0, &f.camera_id)) ||
        (rc = http_req_query_i64(req, "user", 1, INT64_MAX, 0, &f.user_id)) ||
        (rc = http_req_query_i64(req, "before", 1, INT64_MAX, 0, &f.before_id)) ||
        (rc = http_req_query_i64(req, "limit", 1, 1000, 100, &limit)) ||
        (rc = http_req_query_time(req, "from", 0, &f.from_us)) ||
        (rc = http_req_query_time(req, "to", 0, &f.to_us)))
        return rc;
    f.limit = (size_t)limit;
    f.action = http_req_query(req, "action");
    if (f.action && (!*f.action || strlen(f.action) > 32))
        return http_fail(req, WW_EINVAL, "query parameter 'action' must be an action name");
    if (f.from_us && f.to_us && f.to_us <= f.from_us)
        return http_fail(req, WW_EINVAL, "'to' must be after 'from'");
    if (u->role == CATALOG_ROLE_OWNER) {
        f.owner_id = u->owner_id;
        if (f.camera_id && (rc = http_authz_camera(req, f.camera_id, AUTHZ_AUDIT))) return rc;
    }
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct catalog_audit *v;
    size_t n;
    if ((rc = catalog_audit_query(cat, &f, &v, &n))) return rc;
    json_t *arr = json_array();
    struct who cache[64];
    size_t ncache = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *o = row_json(&v[i]);
        const struct who *w;
        who_of(cat, v[i].user_id, cache, &ncache, &w);
        json_object_set_new(o, "user_name", w && w->name ? json_string(w->name) : json_null());
        json_object_set_new(o, "user_unit", w && w->unit ? json_string(w->unit) : json_null());
        json_object_set_new(o, "user_role", w && w->role ? json_string(w->role) : json_null());
        if (v[i].action && !strcmp(v[i].action, CATALOG_AUDIT_LIVE_VIEW)) add_view_end(cat, &v[i], o);
        json_array_append_new(arr, o);
    }
    for (size_t i = 0; i < ncache; i++) { free(cache[i].name); free(cache[i].unit); }
    int64_t next = n == f.limit && n ? v[n - 1].id : 0;
    catalog_audit_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o,s:o}", "rows", arr, "next_before", api_id(next)));
}

static int h_verify(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    int64_t rows, bad;
    const char *why;
    int rc = catalog_audit_verify(cat, &rows, &bad, &why);
    if (rc == WW_ECORRUPT)
        return http_respond_json(req, 200, json_pack("{s:b,s:I,s:I,s:s}", "ok", 0, "rows_verified",
                                                     (json_int_t)rows, "bad_row", (json_int_t)bad,
                                                     "reason", why ? why : "?"));
    if (rc) return rc;
    return http_respond_json(req, 200, json_pack("{s:b,s:I}", "ok", 1, "rows_verified", (json_int_t)rows));
}

int api_audit_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    int rc = http_route(srv, "GET", "/api/v1/audit", h_list, ud, HTTP_ROLE_ADMIN | HTTP_ROLE_OWNER);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/audit/verify", h_verify, ud, HTTP_ROLE_ADMIN);
    return rc;
}
