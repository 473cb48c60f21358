/*
 * users.c — /api/v1/users: console accounts (admin only, by route gate).
 *
 * Users are disabled, never deleted, so the audit trail always has someone
 * to point at.  Disabling a user or setting their password ends all their
 * sessions at once.  An admin cannot disable or demote their own account,
 * and the last enabled admin cannot be removed — both would lock the
 * station out of its own console (409).
 *
 * Role and scope must fit together: officer/viewer need a ward, owner needs
 * an owner record, admin/province have neither.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_users.h"

static json_t *user_json(const struct catalog_user *u)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)u->id, "username", u->username,
                          "role", catalog_role_name(u->role), "disabled", u->disabled);
    json_object_set_new(o, "display_name", u->display_name ? json_string(u->display_name) : json_null());
    json_object_set_new(o, "ward_id", api_id(u->ward_id));
    json_object_set_new(o, "owner_id", api_id(u->owner_id));
    json_object_set_new(o, "created_at", api_time(u->created_us));
    json_object_set_new(o, "updated_at", api_time(u->updated_us));
    json_object_set_new(o, "last_login_at", api_time(u->last_login_us));
    return o;
}

/* Validates role ↔ ward/owner and that the referenced rows exist. */
static int check_scope(struct http_req *req, catalog_t *cat, const struct catalog_user *u)
{
    const char *role = catalog_role_name(u->role);
    if (catalog_role_needs_ward(u->role) && !u->ward_id)
        return http_fail(req, WW_EINVAL, "a user with role '%s' needs a 'ward_id'", role);
    if (!catalog_role_needs_ward(u->role) && u->ward_id)
        return http_fail(req, WW_EINVAL, "a user with role '%s' does not belong to a ward", role);
    if (catalog_role_needs_owner(u->role) && !u->owner_id)
        return http_fail(req, WW_EINVAL, "a user with role 'owner' needs an 'owner_id'");
    if (!catalog_role_needs_owner(u->role) && u->owner_id)
        return http_fail(req, WW_EINVAL, "only users with role 'owner' have an 'owner_id'");
    int wrc = api_ward_check(req, cat, u->ward_id);
    if (wrc) return wrc;
    if (u->owner_id) {
        struct catalog_owner o;
        int rc = catalog_owner_get(cat, u->owner_id, &o);
        if (rc == WW_ENOTFOUND) return http_fail(req, WW_EINVAL, "no owner %lld", (long long)u->owner_id);
        if (rc) return rc;
        catalog_owner_clear(&o);
    }
    return 0;
}

static int parse_role(struct http_req *req, json_t *body, bool required, enum catalog_role *out)
{
    const char *s;
    int rc = http_json_str(req, body, "role", required, 1, 16, &s);
    if (rc <= 0) return rc;
    *out = catalog_role_parse(s);
    if (*out == CATALOG_ROLE_NONE)
        return http_fail(req, WW_EINVAL, "field 'role' must be one of admin, province, officer,"
                                         " viewer, owner");
    return 1;
}

static int h_list(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct catalog_user *v;
    size_t n;
    int rc = catalog_user_list(cat, &v, &n);
    if (rc) return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, user_json(&v[i]));
    catalog_user_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o}", "users", arr));
}

static int h_get(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    int rc;
    catalog_t *cat;
    if ((rc = api_param_id(req, &id, &cat))) return rc;
    struct catalog_user u;
    if ((rc = catalog_user_get(cat, id, &u))) return http_fail(req, rc, "no such user %lld", (long long)id);
    json_t *o = user_json(&u);
    catalog_user_clear(&u);
    return http_respond_json(req, 200, o);
}

static int h_add(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"username", "password", "role", "ward_id", "owner_id",
                                         "display_name", "disabled", NULL};
    json_t *body;
    const char *name, *pw, *display = NULL;
    struct catalog_user u = {0};
    int rc;
    if ((rc = http_req_json(req, fields, &body))) return rc;
    if ((rc = http_json_str(req, body, "username", true, 3, 32, &name)) < 0) return rc;
    if (!catalog_username_valid(name))
        return http_fail(req, WW_EINVAL, "field 'username' must be 3 to 32 of a-z, 0-9, '.', '_'"
                                         " and '-', starting with a letter or digit");
    if ((rc = http_json_str(req, body, "password", true, 1, 256, &pw)) < 0) return rc;
    const char *weak = http_password_weak(pw);
    if (weak) return http_fail_field(req, WW_EINVAL, "weak_password", "password", "%s", weak);
    if ((rc = parse_role(req, body, true, &u.role)) < 0) return rc;
    if ((rc = http_json_id_or_null(req, body, "ward_id", &u.ward_id)) < 0) return rc;
    if ((rc = http_json_id_or_null(req, body, "owner_id", &u.owner_id)) < 0) return rc;
    if ((rc = http_json_str_or_null(req, body, "display_name", 100, &display)) < 0) return rc;
    if ((rc = http_json_bool(req, body, "disabled", false, &u.disabled)) < 0) return rc;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    if ((rc = check_scope(req, cat, &u))) return rc;
    char *hash;
    if ((rc = http_password_hash(pw, &hash))) return rc;
    u.username = (char *)name;
    u.display_name = (char *)display;
    u.pw_hash = hash;
    if ((rc = catalog_begin(cat))) { free(hash); return rc; }
    rc = catalog_user_add(cat, &u);
    free(hash);
    u.pw_hash = NULL;
    if (rc == WW_ECONFLICT) {
        catalog_rollback(cat);
        return http_fail(req, rc, "the username '%s' is taken", name);
    }
    if (rc || (rc = http_audit(req, CATALOG_AUDIT_USER_CHANGE, 0, 0, 0,
                               json_pack("{s:s,s:I,s:s,s:s}", "change", "add", "user_id",
                                         (json_int_t)u.id, "username", name, "role",
                                         catalog_role_name(u.role)))) ||
        (rc = catalog_commit(cat))) {
        catalog_rollback(cat);
        return rc;
    }
    return http_respond_json(req, 201, user_json(&u));
}

static int h_patch(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"password", "role", "ward_id", "owner_id",
                                         "display_name", "disabled", NULL};
    json_t *body;
    int64_t id;
    int rc;
    if ((rc = http_req_param_id(req, "id", &id))) return rc;
    if ((rc = http_req_json(req, fields, &body))) return rc;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct catalog_user u;
    if ((rc = catalog_user_get(cat, id, &u))) return http_fail(req, rc, "no such user %lld", (long long)id);
    const struct http_user *me = http_req_user(req);
    bool was_admin = u.role == CATALOG_ROLE_ADMIN && !u.disabled;
    const enum catalog_role old_role = u.role;
    const int64_t old_ward = u.ward_id, old_owner = u.owner_id;
    const char *pw = NULL, *display = NULL;
    char *hash = NULL;
    json_t *changed = json_array();
    int has_ward, has_owner, r;
    if ((rc = http_json_str(req, body, "password", false, 1, 256, &pw)) < 0) goto out;
    if (pw) {
        const char *weak = http_password_weak(pw);
        if (weak) { rc = http_fail_field(req, WW_EINVAL, "weak_password", "password", "%s", weak); goto out; }
        json_array_append_new(changed, json_string("password"));
    }
    if ((r = parse_role(req, body, false, &u.role)) < 0) { rc = r; goto out; }
    if (r) json_array_append_new(changed, json_string("role"));
    if ((has_ward = http_json_id_or_null(req, body, "ward_id", &u.ward_id)) < 0) { rc = has_ward; goto out; }
    if (has_ward) json_array_append_new(changed, json_string("ward_id"));
    if ((has_owner = http_json_id_or_null(req, body, "owner_id", &u.owner_id)) < 0) { rc = has_owner; goto out; }
    if (has_owner) json_array_append_new(changed, json_string("owner_id"));
    if ((r = http_json_str_or_null(req, body, "display_name", 100, &display)) < 0) { rc = r; goto out; }
    if (r) {
        free(u.display_name);
        u.display_name = ww_strdup(display);
        json_array_append_new(changed, json_string("display_name"));
    }
    if ((r = http_json_bool(req, body, "disabled", false, &u.disabled)) < 0) { rc = r; goto out; }
    if (r) json_array_append_new(changed, json_string("disabled"));
    /* A role change drops a scope the new role does not have, unless the
     * request set it explicitly (then check_scope refuses the mix). */
    if (!has_ward && !catalog_role_needs_ward(u.role)) u.ward_id = 0;
    if (!has_owner && !catalog_role_needs_owner(u.role)) u.owner_id = 0;
    if ((rc = check_scope(req, cat, &u))) goto out;
    bool is_admin = u.role == CATALOG_ROLE_ADMIN && !u.disabled;
    if (id == me->id && !is_admin) {
        rc = http_fail(req, WW_ECONFLICT, "you cannot disable or demote your own account");
        goto out;
    }
    if (was_admin && !is_admin) {
        int64_t admins;
        if ((rc = catalog_user_count_admins(cat, &admins))) goto out;
        if (admins <= 1) {
            rc = http_fail(req, WW_ECONFLICT, "this is the last enabled admin");
            goto out;
        }
    }
    if (pw && (rc = http_password_hash(pw, &hash))) goto out;
    if ((rc = catalog_begin(cat))) goto out;
    if ((rc = catalog_user_update(cat, &u)) ||
        (hash && (rc = catalog_user_set_password(cat, id, hash))) ||
        /* Disabled, new password, or other rights: every session ends, so
         * no open console keeps what the user no longer has. */
        ((u.disabled || hash || u.role != old_role || u.ward_id != old_ward ||
          u.owner_id != old_owner) &&
         (rc = http_sessions_revoke(req, id))) ||
        (rc = http_audit(req, CATALOG_AUDIT_USER_CHANGE, 0, 0, 0,
                         json_pack("{s:s,s:I,s:s,s:O}", "change", "edit", "user_id", (json_int_t)id,
                                   "username", u.username, "fields", changed))) ||
        (rc = catalog_commit(cat))) {
        catalog_rollback(cat);
        goto out;
    }
    rc = http_respond_json(req, 200, user_json(&u));
out:
    free(hash);
    json_decref(changed);
    catalog_user_clear(&u);
    return rc;
}

int api_users_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    int rc = http_route(srv, "GET", "/api/v1/users", h_list, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/users/{id}", h_get, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/users", h_add, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "PATCH", "/api/v1/users/{id}", h_patch, ud, HTTP_ROLE_ADMIN);
    return rc;
}
