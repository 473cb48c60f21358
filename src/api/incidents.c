/*
 * incidents.c — /api/v1/incidents and /api/v1/incident-categories: the
 * ward's incident register ("vụ việc") over HTTP.
 *
 *   GET    /api/v1/incident-categories          staff
 *   POST   /api/v1/incident-categories          admin
 *   PATCH  /api/v1/incident-categories/{id}     admin
 *   GET    /api/v1/incidents                    READ (own ward for officers)
 *          ?ward_id=&category=&status=&from=&to=&q=&limit=&offset=
 *   GET    /api/v1/incidents.csv                same filter, UTF-8 CSV
 *   POST   /api/v1/incidents                    WRITE on the incident's ward
 *   POST   /api/v1/incidents/import             WRITE; body = CSV (text/csv)
 *   GET    /api/v1/incidents/{id}               READ, with its history
 *   PATCH  /api/v1/incidents/{id}               WRITE (on the old and the new ward)
 *   DELETE /api/v1/incidents/{id}               admin
 *
 * Permissions are http/authz.c's ward rights: admin everything; province
 * reads every ward (and reviews, which here means nothing more); officer
 * reads and writes its own ward; viewer and owner have no access (403 by
 * route gate).  An incident of another ward answers 404, as for cameras.
 * Officers may move a status forward only; admins may correct anything
 * ("force").  Deleting is for admins: officers close or correct a record.
 *
 * Every change lands in incident_history (ward/) and in the audit trail
 * ("incident_change", after the change committed).
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "ward/ward.h"

#define STAFF HTTP_ROLES_STAFF

static const char *uname(struct http_req *req)
{
    const struct http_user *u = http_req_user(req);
    return u && u->username ? u->username : "?";
}

static void audit(struct http_req *req, const char *change, int64_t id, json_t *extra)
{
    json_t *d = json_pack("{s:s,s:I}", "change", change, "incident_id", (json_int_t)id);
    if (extra) json_object_update(d, extra);
    json_decref(extra);
    http_audit(req, "incident_change", 0, 0, 0, d);  /* failure is logged by http */
}

/* Maps a ward-layer failure to the answer: WW_EINVAL/WW_ECONFLICT carry
 * their reason. */
static int fail_why(struct http_req *req, int rc, char *why)
{
    if (why) {
        const char *reason, *field;
        size_t flen;
        ward_why_code(why, &reason, &field, &flen);   /* for the console's words (issue 17 item 6) */
        char *f = field ? http_req_printf(req, "%.*s", (int)flen, field) : NULL;
        rc = http_fail_field(req, rc, reason, f, "%s", why);
        free(why);
    }
    return rc;
}

/* ---- categories ------------------------------------------------------- */

static int h_cat_list(struct http_req *req, void *ud)
{
    (void)ud;
    return api_respond_listed(req, http_req_catalog(req), ward_categories_json, "categories");
}

static int h_cat_add(struct http_req *req, void *ud)
{
    (void)ud;
    json_t *body;
    catalog_t *cat;
    int rc = api_json_body(req, NULL, &body, &cat);
    if (rc) return rc;
    json_t *c;
    char *why = NULL;
    if ((rc = ward_category_create(cat, body, &c, &why))) return fail_why(req, rc, why);
    http_audit(req, "incident_change", 0, 0, 0, json_pack("{s:s,s:s}", "change", "category_add", "code",
                                                          json_string_value(json_object_get(c, "code"))));
    return http_respond_json(req, 201, c);
}

static int h_cat_patch(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    json_t *body;
    int rc;
    if ((rc = http_req_param_id(req, "id", &id)) || (rc = http_req_json(req, NULL, &body))) return rc;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    json_t *c;
    char *why = NULL;
    if ((rc = ward_category_edit(cat, id, body, &c, &why))) return fail_why(req, rc, why);
    http_audit(req, "incident_change", 0, 0, 0, json_pack("{s:s,s:I}", "change", "category_edit", "category_id", (json_int_t)id));
    return http_respond_json(req, 200, c);
}

/* ---- filters --------------------------------------------------------------- */

/* Reads the list filter and narrows it to the caller's scope; a caller who
 * may read no ward gets ward_id -1, which selects nothing. */
static int read_filter(struct http_req *req, catalog_t *cat, struct catalog_incident_filter *f)
{
    memset(f, 0, sizeof *f);
    f->status = -1;
    int64_t v;
    int rc;
    if ((rc = http_req_query_i64(req, "ward_id", 1, INT64_MAX, 0, &f->ward_id))) return rc;
    const char *c = http_req_query(req, "category");
    if (c && *c) {
        if (ww_parse_i64(c, 1, INT64_MAX, &f->category_id) && ward_category_find(cat, c, &f->category_id))
            return http_fail(req, WW_EINVAL, "unknown category '%s'", c);
    }
    const char *s = http_req_query(req, "status");
    if (s && *s && (f->status = catalog_inc_status_parse(s)) < 0)
        return http_fail(req, WW_EINVAL, "status must be received, verifying, solved or closed");
    int off = ww_station_offset_min();
    const char *from = http_req_query(req, "from"), *to = http_req_query(req, "to");
    if (from && *from && ward_time_parse(from, off, &f->from_us))
        return http_fail(req, WW_EINVAL, "from: a date or time (YYYY-MM-DD, DD/MM/YYYY, ISO 8601)");
    if (to && *to && ward_time_parse(to, off, &f->to_us))
        return http_fail(req, WW_EINVAL, "to: a date or time (YYYY-MM-DD, DD/MM/YYYY, ISO 8601)");
    const char *q = http_req_query(req, "q");
    if (q && strlen(q) > 200) return http_fail(req, WW_EINVAL, "q is longer than 200 bytes");
    f->text = q && *q ? q : NULL;
    if ((rc = http_req_query_i64(req, "limit", 1, 1000, 100, &v))) return rc;
    f->limit = (size_t)v;
    if ((rc = http_req_query_i64(req, "offset", 0, 100000000, 0, &v))) return rc;
    f->offset = (size_t)v;

    if (f->ward_id) return http_authz_ward(req, f->ward_id, AUTHZ_WARD_READ);
    rc = api_read_ward(req, &f->ward_id);
    if (rc == 1) f->ward_id = -1;
    return rc == 1 ? 0 : rc;
}

/* GET /incidents (a page of the selection as JSON) and /incidents.csv (all
 * of it as a file): one filter, two forms. */
static int respond_selection(struct http_req *req, bool csv)
{
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct catalog_incident_filter f;
    int rc = read_filter(req, cat, &f);
    if (rc) return rc;
    int off = ww_station_offset_min();
    if (!csv) {
        json_t *a;
        int64_t total = 0;
        if ((rc = ward_incident_list_json(cat, &f, off, &a, &total))) return rc;
        return http_respond_json(req, 200, json_pack("{s:o,s:I,s:I,s:I}", "incidents", a, "total", (json_int_t)total,
                                                     "limit", (json_int_t)f.limit, "offset", (json_int_t)f.offset));
    }
    f.limit = 0; /* an export is the whole selection */
    f.offset = 0;
    struct ww_buf b = {0};
    if (!(rc = ward_csv_export(cat, &f, off, &b))) {
        http_resp_filename(req, true, "vu-viec.csv");
        rc = http_respond_data(req, 200, "text/csv; charset=utf-8", b.data, b.len);
    }
    ww_buf_free(&b);
    return rc;
}

static int h_list(struct http_req *req, void *ud) { (void)ud; return respond_selection(req, false); }

static int h_csv(struct http_req *req, void *ud) { (void)ud; return respond_selection(req, true); }

/* ---- one incident ------------------------------------------------------------ */

/* The ward whose cameras and exports the caller may link: 0 for those who
 * see every ward, else their own (http/authz.c's camera scope for staff). */
static int64_t link_scope(struct http_req *req)
{
    const struct http_user *u = http_req_user(req);
    return u->role == CATALOG_ROLE_ADMIN || u->role == CATALOG_ROLE_PROVINCE ? 0 : (u->ward_id > 0 ? u->ward_id : -1);
}

/* A ward given by name ("ward") that the caller may not see gets the
 * answer of a name that matches no ward (ward_incident_apply_json's), so
 * the name cannot be used to learn which wards exist.  A ward given by id
 * is answered by http_authz_ward ("no such ward N" for both). */
static int ward_name_in_scope(struct http_req *req, json_t *body, int64_t ward_id)
{
    json_t *w = json_object_get(body, "ward"), *wid = json_object_get(body, "ward_id");
    if (!json_is_string(w) || (wid && !json_is_null(wid))) return 0;
    if (http_authz_decide_ward(http_req_user(req), ward_id, true, AUTHZ_WARD_READ) != WW_ENOTFOUND) return 0;
    /* word for word what ward_incident_apply_json's refusal answers (fail_why) */
    return http_fail_field(req, WW_EINVAL, "unknown_name", "ward", "unknown ward '%s'", json_string_value(w));
}

static json_t *full_json(catalog_t *cat, const struct catalog_incident *inc)
{
    json_t *o = ward_incident_json(inc, ww_station_offset_min());
    json_t *h = ward_incident_history_json(cat, inc->id, ww_station_offset_min());
    json_object_set_new(o, "history", h ? h : json_array());
    return o;
}

static int h_get(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat;
    struct catalog_incident inc;
    int rc = api_param_incident(req, AUTHZ_WARD_READ, &cat, &inc);
    if (rc) return rc;
    json_t *o = full_json(cat, &inc);
    catalog_incident_clear(&inc);
    return http_respond_json(req, 200, o);
}

static int h_add(struct http_req *req, void *ud)
{
    (void)ud;
    json_t *body;
    catalog_t *cat;
    int rc = api_json_body(req, NULL, &body, &cat);
    if (rc) return rc;
    const struct http_user *u = http_req_user(req);
    struct catalog_incident inc = {.status = CATALOG_INC_RECEIVED};
    if (u->role == CATALOG_ROLE_OFFICER) inc.ward_id = u->ward_id;  /* default: own ward */
    char *why = NULL;
    if ((rc = ward_incident_apply_json(cat, &inc, body, ww_station_offset_min(), &why))) goto out;
    if (!inc.ward_id) { rc = http_fail(req, WW_EINVAL, "ward_id is required"); goto out; }
    if ((rc = ward_name_in_scope(req, body, inc.ward_id))) goto out;
    if ((rc = http_authz_ward(req, inc.ward_id, AUTHZ_WARD_WRITE))) goto out;
    if (!inc.category_id) { rc = http_fail(req, WW_EINVAL, "category is required"); goto out; }
    if ((rc = ward_incident_check_links(cat, &inc, NULL, link_scope(req), &why))) goto out;
    if ((rc = ward_incident_create(cat, &inc, uname(req), &why))) goto out;
    audit(req, "add", inc.id, json_pack("{s:I}", "ward_id", (json_int_t)inc.ward_id));
    struct catalog_incident fresh;
    if ((rc = ward_incident_get(cat, inc.id, &fresh))) goto out;
    rc = http_respond_json(req, 201, full_json(cat, &fresh));
    catalog_incident_clear(&fresh);
out:
    catalog_incident_clear(&inc);
    return fail_why(req, rc, why);
}

static int h_patch(struct http_req *req, void *ud)
{
    (void)ud;
    json_t *body;
    catalog_t *cat;
    struct catalog_incident inc;
    int rc;
    if ((rc = http_req_json(req, NULL, &body)) || (rc = api_param_incident(req, AUTHZ_WARD_WRITE, &cat, &inc)))
        return rc;
    int64_t id = inc.id, old_ward = inc.ward_id;
    char *why = NULL;
    struct catalog_incident before = {0};   /* the links it had: only added ones are checked */
    if ((rc = ward_incident_get(cat, id, &before))) goto out;
    if ((rc = ward_incident_apply_json(cat, &inc, body, ww_station_offset_min(), &why))) goto out;
    inc.id = id;
    /* moving it to another ward needs the right to write there too */
    if (inc.ward_id != old_ward &&
        ((rc = ward_name_in_scope(req, body, inc.ward_id)) || (rc = http_authz_ward(req, inc.ward_id, AUTHZ_WARD_WRITE))))
        goto out;
    if ((rc = ward_incident_check_links(cat, &inc, &before, link_scope(req), &why))) goto out;
    bool force = http_req_user(req)->role == CATALOG_ROLE_ADMIN;
    if ((rc = ward_incident_update(cat, &inc, uname(req), force, &why))) goto out;
    audit(req, "edit", id, json_pack("{s:I}", "ward_id", (json_int_t)inc.ward_id));
    struct catalog_incident fresh;
    if ((rc = ward_incident_get(cat, id, &fresh))) goto out;
    rc = http_respond_json(req, 200, full_json(cat, &fresh));
    catalog_incident_clear(&fresh);
out:
    catalog_incident_clear(&before);
    catalog_incident_clear(&inc);
    return fail_why(req, rc, why);
}

static int h_delete(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat;
    struct catalog_incident inc;
    int rc = api_param_incident(req, AUTHZ_WARD_ADMIN, &cat, &inc);
    if (rc) return rc;
    int64_t id = inc.id, ward = inc.ward_id;
    catalog_incident_clear(&inc);
    if ((rc = ward_incident_delete(cat, id, uname(req)))) return rc;
    audit(req, "delete", id, json_pack("{s:I}", "ward_id", (json_int_t)ward));
    return http_respond_json(req, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "deleted", 1));
}

static int h_import(struct http_req *req, void *ud)
{
    (void)ud;
    size_t len;
    const char *body = http_req_body(req, &len);
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    const struct http_user *u = http_req_user(req);
    int64_t only = 0;
    if (u->role != CATALOG_ROLE_ADMIN) {
        /* officers import into their own ward only */
        int rc = http_authz_ward(req, u->ward_id, AUTHZ_WARD_WRITE);
        if (rc) return rc;
        only = u->ward_id;
    }
    struct ward_csv_result res;
    int rc = ward_csv_import(cat, body, len, uname(req), ww_station_offset_min(), 200, only, &res);
    if (rc == WW_EINVAL) {
        json_t *errs = json_array();
        for (size_t i = 0; i < res.n_errors; i++) {
            const char *reason, *field;
            size_t flen;
            ward_why_code(res.errors[i].msg, &reason, &field, &flen);
            json_t *e = json_pack("{s:i,s:s,s:s}", "line", res.errors[i].line, "message", res.errors[i].msg, "reason", reason);
            if (field) json_object_set_new(e, "field", json_stringn(field, flen));
            json_array_append_new(errs, e);
        }
        ward_csv_result_clear(&res);
        return http_respond_json(req, 400, json_pack("{s:{s:s,s:s,s:s},s:o,s:i}", "error", "code", "bad_request", "message",
                                                     "the file has errors; nothing was imported", "reason", "csv_errors", "errors", errs,
                                                     "imported", 0));
    }
    if (rc) { ward_csv_result_clear(&res); return rc; }
    audit(req, "import", 0, json_pack("{s:I}", "rows", (json_int_t)res.imported));
    json_t *o = json_pack("{s:I}", "imported", (json_int_t)res.imported);
    ward_csv_result_clear(&res);
    return http_respond_json(req, 200, o);
}

int api_incidents_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    int rc = http_route(srv, "GET", "/api/v1/incident-categories", h_cat_list, ud, STAFF);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/incident-categories", h_cat_add, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "PATCH", "/api/v1/incident-categories/{id}", h_cat_patch, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/incidents", h_list, ud, STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/incidents.csv", h_csv, ud, STAFF);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/incidents", h_add, ud, HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/incidents/import", h_import, ud, HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/incidents/{id}", h_get, ud, STAFF);
    rc = rc ? rc : http_route(srv, "PATCH", "/api/v1/incidents/{id}", h_patch, ud, HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER);
    rc = rc ? rc : http_route(srv, "DELETE", "/api/v1/incidents/{id}", h_delete, ud, HTTP_ROLE_ADMIN);
    return rc;
}
