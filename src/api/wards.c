/*
 * wards.c — /api/v1/wards: the wards this station serves.
 *
 * Everyone signed in may list the wards in their scope (admin and province:
 * all; officer and viewer: their own; owner: the ward of their owner
 * record), because the console shows ward names everywhere.  Only admins
 * add wards.
 */
#include "api/api.h"

#include <string.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_users.h"

static json_t *ward_json(const struct catalog_ward *w)
{
    json_t *o = json_pack("{s:I,s:s}", "id", (json_int_t)w->id, "name", w->name ? w->name : "");
    json_object_set_new(o, "district", w->district ? json_string(w->district) : json_null());
    json_object_set_new(o, "province", w->province ? json_string(w->province) : json_null());
    return o;
}

/* The one ward a scoped user sees (0 = none), or -1 for all. */
static int scope_ward(struct http_req *req, catalog_t *cat, int64_t *ward)
{
    const struct http_user *u = http_req_user(req);
    *ward = 0;
    switch (u->role) {
    case CATALOG_ROLE_ADMIN: case CATALOG_ROLE_PROVINCE: *ward = -1; return 0;
    case CATALOG_ROLE_OFFICER: case CATALOG_ROLE_VIEWER: *ward = u->ward_id; return 0;
    case CATALOG_ROLE_OWNER: {
        struct catalog_owner o;
        int rc = catalog_owner_get(cat, u->owner_id, &o);
        if (rc == WW_ENOTFOUND) return 0;
        if (rc) return rc;
        *ward = o.ward_id;
        catalog_owner_clear(&o);
        return 0;
    }
    default: return 0;
    }
}

static int h_list(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    int64_t scope;
    int rc = scope_ward(req, cat, &scope);
    if (rc) return rc;
    struct catalog_ward *v;
    size_t n;
    if ((rc = catalog_ward_list(cat, &v, &n))) return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (scope < 0 || v[i].id == scope) json_array_append_new(arr, ward_json(&v[i]));
    catalog_ward_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o}", "wards", arr));
}

static int h_get(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id, scope;
    int rc;
    catalog_t *cat;
    if ((rc = api_param_id(req, &id, &cat))) return rc;
    if ((rc = scope_ward(req, cat, &scope))) return rc;
    struct catalog_ward *v;
    size_t n;
    if ((rc = catalog_ward_list(cat, &v, &n))) return rc;
    json_t *o = NULL;
    for (size_t i = 0; i < n && !o; i++)
        if (v[i].id == id && (scope < 0 || scope == id)) o = ward_json(&v[i]);
    catalog_ward_list_free(v, n);
    if (!o) return http_fail(req, WW_ENOTFOUND, "no such ward %lld", (long long)id);
    return http_respond_json(req, 200, o);
}

static int h_add(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"name", "district", "province", NULL};
    json_t *body;
    const char *name, *district = NULL, *province = NULL;
    int rc;
    if ((rc = http_req_json(req, fields, &body))) return rc;
    if ((rc = http_json_str(req, body, "name", true, 1, 100, &name)) < 0) return rc;
    if ((rc = http_json_str_or_null(req, body, "district", 100, &district)) < 0) return rc;
    if ((rc = http_json_str_or_null(req, body, "province", 100, &province)) < 0) return rc;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct catalog_ward w = {.name = (char *)name, .district = (char *)district,
                         .province = (char *)province};
    if ((rc = catalog_begin(cat))) return rc;
    rc = catalog_ward_add(cat, &w);
    if (rc == WW_ECONFLICT) {
        catalog_rollback(cat);
        return http_fail(req, rc, "a ward named '%s' exists already", name);
    }
    if (rc || (rc = http_audit(req, CATALOG_AUDIT_WARD_CHANGE, 0, 0, 0,
                               json_pack("{s:s,s:I,s:s}", "change", "add", "ward_id",
                                         (json_int_t)w.id, "name", name))) ||
        (rc = catalog_commit(cat))) {
        catalog_rollback(cat);
        return rc;
    }
    return http_respond_json(req, 201, ward_json(&w));
}

int api_wards_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    int rc = http_route(srv, "GET", "/api/v1/wards", h_list, ud, 0);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/wards/{id}", h_get, ud, 0);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/wards", h_add, ud, HTTP_ROLE_ADMIN);
    return rc;
}
