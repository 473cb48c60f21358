/*
 * owners.c — /api/v1/owners: who each community camera belongs to (a
 * household, a shop, a school, an agency) and how to reach them when the
 * camera goes dark.
 *
 * Phone numbers and addresses are personal data, so viewers see no owners
 * (route gate), officers see their ward's, an owner account sees only its
 * own record, admin and province see all.  A record outside the caller's
 * scope answers 404, like a camera's.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_users.h"

static const char *const owner_fields[] = {"kind", "name", "phone", "address", "ward_id", NULL};

static json_t *owner_json(catalog_t *cat, const struct catalog_owner *o)
{
    json_t *j = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)o->id, "kind", o->kind, "name", o->name);
    json_object_set_new(j, "phone", o->phone ? json_string(o->phone) : json_null());
    json_object_set_new(j, "address", o->address ? json_string(o->address) : json_null());
    json_object_set_new(j, "ward_id", api_id(o->ward_id));
    json_object_set_new(j, "created_at", api_time(o->created_us));
    json_t *cams = json_array();
    int64_t *ids;
    size_t n;
    if (catalog_camera_ids_scoped(cat, 0, o->id, &ids, &n) == 0) {
        for (size_t i = 0; i < n; i++) json_array_append_new(cams, json_integer(ids[i]));
        free(ids);
    }
    json_object_set_new(j, "camera_ids", cams);
    return j;
}

static bool in_scope(const struct http_user *u, const struct catalog_owner *o)
{
    switch (u->role) {
    case CATALOG_ROLE_ADMIN: case CATALOG_ROLE_PROVINCE: return true;
    case CATALOG_ROLE_OFFICER: return u->ward_id > 0 && o->ward_id == u->ward_id;
    case CATALOG_ROLE_OWNER: return u->owner_id == o->id;
    default: return false;
    }
}

static int h_list(struct http_req *req, void *ud)
{
    (void)ud;
    const struct http_user *u = http_req_user(req);
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct catalog_owner *v;
    size_t n;
    int rc = catalog_owner_list(cat, u->role == CATALOG_ROLE_OFFICER ? u->ward_id : 0, &v, &n);
    if (rc) return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (in_scope(u, &v[i])) json_array_append_new(arr, owner_json(cat, &v[i]));
    catalog_owner_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o}", "owners", arr));
}

/* Loads owner {id} if the caller may see it; 404 otherwise.  *cat: the
 * request's catalog handle. */
static int load(struct http_req *req, catalog_t **cat_out, struct catalog_owner *o)
{
    catalog_t *cat = *cat_out = http_req_catalog(req);
    if (!cat) return WW_EDB;
    int64_t id;
    int rc = http_req_param_id(req, "id", &id);
    if (rc) return rc;
    rc = catalog_owner_get(cat, id, o);
    if (rc == 0 && !in_scope(http_req_user(req), o)) {
        catalog_owner_clear(o);
        rc = WW_ENOTFOUND;
    }
    if (rc == WW_ENOTFOUND) return http_fail(req, rc, "no such owner %lld", (long long)id);
    return rc;
}

static int h_get(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat;
    struct catalog_owner o;
    int rc = load(req, &cat, &o);
    if (rc) return rc;
    json_t *j = owner_json(cat, &o);
    catalog_owner_clear(&o);
    return http_respond_json(req, 200, j);
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = v ? ww_strdup(v) : NULL;
}

static int apply(struct http_req *req, catalog_t *cat, json_t *body, struct catalog_owner *o,
                 bool create)
{
    const char *s;
    int rc;
    if ((rc = http_json_str(req, body, "kind", create, 1, 16, &s)) < 0) return rc;
    if (rc) {
        if (!catalog_owner_kind_valid(s))
            return http_fail(req, WW_EINVAL, "field 'kind' must be one of household, shop,"
                                             " school, agency");
        set_str(&o->kind, s);
    }
    if ((rc = http_json_str(req, body, "name", create, 1, 200, &s)) < 0) return rc;
    if (rc) set_str(&o->name, s);
    if ((rc = http_json_str_or_null(req, body, "phone", 32, &s)) < 0) return rc;
    if (rc) {
        for (const char *p = s; p && *p; p++)
            if (!strchr("0123456789+-.() ", *p))
                return http_fail(req, WW_EINVAL, "field 'phone' may hold digits, spaces and"
                                                 " + - . ( ) only");
        set_str(&o->phone, s);
    }
    if ((rc = http_json_str_or_null(req, body, "address", 300, &s)) < 0) return rc;
    if (rc) set_str(&o->address, s);
    if ((rc = http_json_id_or_null(req, body, "ward_id", &o->ward_id)) < 0) return rc;
    const struct http_user *u = http_req_user(req);
    if (u->role == CATALOG_ROLE_OFFICER && o->ward_id != u->ward_id)
        return http_fail(req, WW_EPERM, "officers manage the owners of their own ward only");
    return api_ward_check(req, cat, o->ward_id);
}

/* Adds (or updates) the owner and its audit row in one transaction, then
 * answers with the owner (201 for a new one, 200). */
static int store(struct http_req *req, catalog_t *cat, struct catalog_owner *o, bool add)
{
    int rc;
    if ((rc = catalog_begin(cat))) return rc;
    if ((rc = add ? catalog_owner_add(cat, o) : catalog_owner_update(cat, o)) ||
        (rc = http_audit(req, CATALOG_AUDIT_OWNER_CHANGE, 0, 0, 0,
                         json_pack("{s:s,s:I}", "change", add ? "add" : "edit", "owner_id", (json_int_t)o->id))) ||
        (rc = catalog_commit(cat))) {
        catalog_rollback(cat);
        return rc;
    }
    return http_respond_json(req, add ? 201 : 200, owner_json(cat, o));
}

static int h_add(struct http_req *req, void *ud)
{
    (void)ud;
    json_t *body;
    int rc;
    if ((rc = http_req_json(req, owner_fields, &body))) return rc;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    const struct http_user *u = http_req_user(req);
    struct catalog_owner o = {0};
    if (u->role == CATALOG_ROLE_OFFICER) o.ward_id = u->ward_id;
    if (!(rc = apply(req, cat, body, &o, true))) rc = store(req, cat, &o, true);
    catalog_owner_clear(&o);
    return rc;
}

static int h_patch(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat;
    struct catalog_owner o;
    json_t *body;
    int rc = load(req, &cat, &o);
    if (rc) return rc;
    if ((rc = http_req_json(req, owner_fields, &body))) goto out;
    if (!(rc = apply(req, cat, body, &o, false))) rc = store(req, cat, &o, false);
out:
    catalog_owner_clear(&o);
    return rc;
}

int api_owners_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    unsigned see = HTTP_ROLES_STAFF | HTTP_ROLE_OWNER, manage = HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER;
    int rc = http_route(srv, "GET", "/api/v1/owners", h_list, ud, see);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/owners/{id}", h_get, ud, see);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/owners", h_add, ud, manage);
    rc = rc ? rc : http_route(srv, "PATCH", "/api/v1/owners/{id}", h_patch, ud, manage);
    return rc;
}
