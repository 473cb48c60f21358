/*
 * criteria.c — /api/v1/criteria: the model-ward criteria programme.
 *
 *   GET  /api/v1/criteria/sets                 staff: every set (headers)
 *   GET  /api/v1/criteria/sets/{id}            staff: one set, groups, criteria
 *   POST /api/v1/criteria/sets                 admin: add a set (JSON form)
 *   PUT  /api/v1/criteria/sets/{id}            admin: edit; a set in use gets a
 *                                              new version instead ({id, new_version})
 *   GET  /api/v1/criteria/programme?year=      READ: wards registered (scoped)
 *   POST /api/v1/criteria/programme            REVIEW: {ward_id, year, set_id?}
 *   GET  /api/v1/criteria/assessments?ward_id=&year=   READ: criteria with the
 *                                              self-assessment, review, files, history
 *   POST /api/v1/criteria/assessments          {ward_id, year, criterion, side,
 *                                              result, notes?, assessed_on?}
 *                                              side self: WRITE; side review: REVIEW
 *   POST /api/v1/criteria/assessments/{id}/files?name=F   raw body; as the
 *                                              assessment's side
 *   GET  /api/v1/criteria/files/{id}           READ: the stored evidence file
 *   POST /api/v1/criteria/recognitions         REVIEW: {ward_id, year,
 *                                              decision_no, decision_date, note?}
 *   GET  /api/v1/criteria/matrix?year=         READ: wards × criteria (an
 *                                              officer sees its own ward's row)
 *   GET  /api/v1/criteria/matrix.csv?year=
 *   GET  /api/v1/criteria/progress?ward_id=    READ: per year met counts + timeline
 *
 * The province's review decides: the matrix, its totals and the progress
 * count reviewed results; a self-assessment alone is the cell "self",
 * counted apart (ward_cell_of).  An assessment names its result — there is
 * no default, and a missing one is refused with a message saying so.
 *
 * So: an officer self-assesses its own ward; province staff review every
 * ward, register wards and record recognitions; admin does everything;
 * viewer and owner have no access (route gate).  The shipped templates are
 * loaded on first use of any of these routes.
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

static int fail_why(struct http_req *req, int rc, char *why)
{
    if (why) {
        rc = http_fail(req, rc, "%s", why);
        free(why);
    }
    return rc;
}

static catalog_t *cat_ready(struct http_req *req)
{
    catalog_t *cat = http_req_catalog(req);
    if (cat) ward_criteria_ensure_default(cat);  /* no-op once a set exists */
    return cat;
}

static void audit(struct http_req *req, json_t *detail)
{
    http_audit(req, "criteria_change", 0, 0, 0, detail);
}

/* ---- sets ------------------------------------------------------------------- */

static int h_sets(struct http_req *req, void *ud)
{
    (void)ud;
    return api_respond_listed(req, cat_ready(req), ward_criteria_sets_json, "sets");
}

static int h_set_get(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    int rc;
    if ((rc = http_req_param_id(req, "id", &id))) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    json_t *o;
    if ((rc = ward_criteria_set_json(cat, id, true, &o))) return api_found(req, rc, "set");
    return http_respond_json(req, 200, o);
}

static int h_set_add(struct http_req *req, void *ud)
{
    (void)ud;
    json_t *body;
    int rc = http_req_json(req, NULL, &body);
    if (rc) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    int64_t id = 0;
    char *why = NULL;
    if ((rc = ward_criteria_import(cat, body, uname(req), &id, &why))) return fail_why(req, rc, why);
    audit(req, json_pack("{s:s,s:I}", "change", "set_add", "set_id", (json_int_t)id));
    json_t *o;
    if ((rc = ward_criteria_set_json(cat, id, false, &o))) return rc;
    return http_respond_json(req, 201, o);
}

static int h_set_edit(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id, nid = 0;
    json_t *body;
    int rc;
    if ((rc = http_req_param_id(req, "id", &id)) || (rc = http_req_json(req, NULL, &body))) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    bool newv = false;
    char *why = NULL;
    if ((rc = ward_criteria_edit(cat, id, body, uname(req), &nid, &newv, &why))) return fail_why(req, rc, why);
    audit(req, json_pack("{s:s,s:I,s:I,s:b}", "change", "set_edit", "set_id", (json_int_t)id, "result_id",
                         (json_int_t)nid, "new_version", newv));
    json_t *o;
    if ((rc = ward_criteria_set_json(cat, nid, false, &o))) return rc;
    json_object_set_new(o, "new_version", json_boolean(newv));
    return http_respond_json(req, 200, o);
}

/* ---- programme -------------------------------------------------------------- */

/* The ward scope of the caller for reads: *only = 0 for all, else the one
 * ward; WW_EPERM when none. */
static int read_scope(struct http_req *req, int64_t *only)
{
    int rc = api_read_ward(req, only);
    return rc == 1 ? http_fail(req, WW_EPERM, "your role may not read the programme") : rc;
}

static int h_programme(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t year = 0, only = 0; /* set by the calls below; zeroed for -O2 -Wmaybe-uninitialized */
    int rc;
    if ((rc = http_req_query_i64(req, "year", 0, 2100, 0, &year)) || (rc = read_scope(req, &only))) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    json_t *a;
    if ((rc = ward_programme_json(cat, (int)year, only, &a))) return rc;
    return http_respond_json(req, 200, json_pack("{s:o}", "registrations", a));
}

static int h_register(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"ward_id", "year", "set_id", NULL};
    json_t *body;
    int64_t ward, year, set = 0;
    int rc;
    if ((rc = http_req_json(req, fields, &body))) return rc;
    if ((rc = http_json_i64(req, body, "ward_id", true, 1, INT64_MAX, &ward)) < 0 ||
        (rc = http_json_i64(req, body, "year", true, 2000, 2100, &year)) < 0 ||
        (rc = http_json_id_or_null(req, body, "set_id", &set)) < 0)
        return rc;
    if ((rc = http_authz_ward(req, ward, AUTHZ_WARD_REVIEW))) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    char *why = NULL;
    if ((rc = ward_programme_register(cat, ward, (int)year, set, uname(req), &why))) return fail_why(req, rc, why);
    audit(req, json_pack("{s:s,s:I,s:I}", "change", "register", "ward_id", (json_int_t)ward, "year", (json_int_t)year));
    return http_respond_json(req, 201, json_pack("{s:I,s:I}", "ward_id", (json_int_t)ward, "year", (json_int_t)year));
}

/* ---- assessments -------------------------------------------------------------- */

static int h_assessments(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t ward, year;
    int rc;
    if ((rc = http_req_query_i64(req, "ward_id", 1, INT64_MAX, 0, &ward)) ||
        (rc = http_req_query_i64(req, "year", 2000, 2100, 0, &year)))
        return rc;
    if (!ward || !year) return http_fail(req, WW_EINVAL, "ward_id and year are required");
    if ((rc = http_authz_ward(req, ward, AUTHZ_WARD_READ))) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    json_t *o = ward_assessments_json(cat, ward, (int)year);
    return o ? http_respond_json(req, 200, o) : WW_EDB;
}

static int h_assess(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"ward_id", "year", "criterion", "side", "result", "notes", "assessed_on", NULL};
    json_t *body;
    int64_t ward, year, crit;
    const char *side_s, *result_s, *notes = NULL, *on = NULL;
    int rc;
    if ((rc = http_req_json(req, fields, &body))) return rc;
    /* No default result: an assessment states one, or is refused (issue 17
     * item 2 — a form that defaulted to "met" passed criteria unread). */
    json_t *res = json_object_get(body, "result");
    if (!res || json_is_null(res) || (json_is_string(res) && !*json_string_value(res)))
        return http_fail(req, WW_EINVAL, "result is required: choose met, not_met or in_progress "
                                         "(an assessment has no default result)");
    if ((rc = http_json_i64(req, body, "ward_id", true, 1, INT64_MAX, &ward)) < 0 ||
        (rc = http_json_i64(req, body, "year", true, 2000, 2100, &year)) < 0 ||
        (rc = http_json_i64(req, body, "criterion", true, 1, 500, &crit)) < 0 ||
        (rc = http_json_str(req, body, "side", true, 1, 10, &side_s)) < 0 ||
        (rc = http_json_str(req, body, "result", true, 1, 20, &result_s)) < 0 ||
        (rc = http_json_str_or_null(req, body, "notes", 8000, &notes)) < 0 ||
        (rc = http_json_str_or_null(req, body, "assessed_on", 20, &on)) < 0)
        return rc;
    int side = catalog_side_parse(side_s), result = catalog_result_parse(result_s);
    if (side < 0) return http_fail(req, WW_EINVAL, "side must be self or review");
    if (result < 0) return http_fail(req, WW_EINVAL, "result must be met, not_met or in_progress");
    if ((rc = http_authz_ward(req, ward, side == CATALOG_SIDE_SELF ? AUTHZ_WARD_WRITE : AUTHZ_WARD_REVIEW))) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    struct ward_assess_in in = {.ward_id = ward, .year = (int)year, .criterion_num = (int)crit, .side = side,
                                .result = result, .notes = notes, .assessor = uname(req), .assessed_on = on};
    int64_t id = 0;
    char *why = NULL;
    if ((rc = ward_assess(cat, &in, ww_station_offset_min(), &id, &why))) return fail_why(req, rc, why);
    audit(req, json_pack("{s:s,s:I,s:I,s:I,s:s,s:s}", "change", "assess", "ward_id", (json_int_t)ward, "year",
                         (json_int_t)year, "criterion", (json_int_t)crit, "side", side_s, "result", result_s));
    return http_respond_json(req, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

static int h_attach(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id;
    int rc;
    if ((rc = http_req_param_id(req, "id", &id))) return rc;
    const char *name = http_req_query(req, "name");
    if (!name || !*name) return http_fail(req, WW_EINVAL, "name (the file name) is required");
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    int64_t ward;
    int side;
    if ((rc = ward_assessment_scope(cat, id, &ward, &side)))
        return api_found(req, rc, "assessment");
    if ((rc = http_authz_ward(req, ward, side == CATALOG_SIDE_SELF ? AUTHZ_WARD_WRITE : AUTHZ_WARD_REVIEW)))
        return api_found(req, rc, "assessment");
    size_t len;
    const char *body = http_req_body(req, &len);
    if (!len) return http_fail(req, WW_EINVAL, "the file is empty");
    int64_t fid = 0;
    char *why = NULL;
    if ((rc = ward_assessment_attach(cat, ctx->data_dir, id, name, body, len, uname(req), &fid, &why)))
        return fail_why(req, rc, why);
    audit(req, json_pack("{s:s,s:I,s:I,s:s}", "change", "evidence_add", "assessment_id", (json_int_t)id, "file_id",
                         (json_int_t)fid, "name", name));
    return http_respond_json(req, 201, json_pack("{s:I,s:s,s:I}", "id", (json_int_t)fid, "name", name, "bytes", (json_int_t)len));
}

static int h_file(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id;
    int rc;
    if ((rc = http_req_param_id(req, "id", &id))) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    struct ward_evidence f;
    if ((rc = ward_evidence_get(cat, id, &f))) return api_found(req, rc, "file");
    rc = http_authz_ward(req, f.ward_id, AUTHZ_WARD_READ);
    /* out of scope: the file's existence (and its ward) is not revealed */
    if (rc == WW_ENOTFOUND) rc = http_fail(req, rc, "no such file");
    if (!rc) {
        char *path = ww_asprintf("%s/%s", ctx->data_dir, f.stored_path);
        const char *ext = strrchr(f.file_name, '.');
        http_resp_filename(req, true, "evidence-%lld%s", (long long)id,
                           ext && strlen(ext) < 8 && !strpbrk(ext, "\"\\/") ? ext : "");
        rc = http_respond_file(req, path, "application/octet-stream");
        free(path);
    }
    ward_evidence_clear(&f);
    return rc;
}

static int h_recognise(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"ward_id", "year", "decision_no", "decision_date", "note", NULL};
    json_t *body;
    int64_t ward, year;
    const char *no, *date, *note = NULL;
    int rc;
    if ((rc = http_req_json(req, fields, &body))) return rc;
    if ((rc = http_json_i64(req, body, "ward_id", true, 1, INT64_MAX, &ward)) < 0 ||
        (rc = http_json_i64(req, body, "year", true, 2000, 2100, &year)) < 0 ||
        (rc = http_json_str(req, body, "decision_no", true, 1, 100, &no)) < 0 ||
        (rc = http_json_str(req, body, "decision_date", true, 8, 20, &date)) < 0 ||
        (rc = http_json_str_or_null(req, body, "note", 2000, &note)) < 0)
        return rc;
    if ((rc = http_authz_ward(req, ward, AUTHZ_WARD_REVIEW))) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    char *why = NULL;
    if ((rc = ward_recognise(cat, ward, (int)year, no, date, note, uname(req), &why))) return fail_why(req, rc, why);
    audit(req, json_pack("{s:s,s:I,s:I,s:s}", "change", "recognition", "ward_id", (json_int_t)ward, "year",
                         (json_int_t)year, "decision_no", no));
    return http_respond_json(req, 201, json_pack("{s:I,s:I,s:s}", "ward_id", (json_int_t)ward, "year", (json_int_t)year,
                                                 "decision_no", no));
}

/* ---- dashboard ---------------------------------------------------------------- */

static int matrix_common(struct http_req *req, struct ward_matrix *m)
{
    int64_t year = 0, only = 0; /* set by the calls below; zeroed for -O2 -Wmaybe-uninitialized */
    int rc;
    struct ward_date today = ward_date_of_us(ww_wall_us(), ww_station_offset_min());
    if ((rc = http_req_query_i64(req, "year", 2000, 2100, today.y, &year)) || (rc = read_scope(req, &only))) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    return ward_matrix_build(cat, (int)year, only, m);
}

static int h_matrix(struct http_req *req, void *ud)
{
    (void)ud;
    struct ward_matrix m;
    int rc = matrix_common(req, &m);
    if (rc) return rc;
    json_t *o = ward_matrix_json(&m);
    ward_matrix_clear(&m);
    return http_respond_json(req, 200, o);
}

static int h_matrix_csv(struct http_req *req, void *ud)
{
    (void)ud;
    struct ward_matrix m;
    int rc = matrix_common(req, &m);
    if (rc) return rc;
    struct ww_buf b = {0};
    ward_matrix_csv(&m, &b);
    http_resp_filename(req, true, "tieu-chi-%d.csv", m.year);
    rc = http_respond_data(req, 200, "text/csv; charset=utf-8", b.data, b.len);
    ww_buf_free(&b);
    ward_matrix_clear(&m);
    return rc;
}

static int h_progress(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t ward;
    int rc;
    if ((rc = http_req_query_i64(req, "ward_id", 1, INT64_MAX, 0, &ward))) return rc;
    if (!ward) return http_fail(req, WW_EINVAL, "ward_id is required");
    if ((rc = http_authz_ward(req, ward, AUTHZ_WARD_READ))) return rc;
    catalog_t *cat = cat_ready(req);
    if (!cat) return WW_EDB;
    json_t *o = ward_progress_json(cat, ward);
    return o ? http_respond_json(req, 200, o) : WW_EDB;
}

int api_criteria_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    int rc = http_route(srv, "GET", "/api/v1/criteria/sets", h_sets, ud, STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/criteria/sets/{id}", h_set_get, ud, STAFF);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/criteria/sets", h_set_add, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "PUT", "/api/v1/criteria/sets/{id}", h_set_edit, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/criteria/programme", h_programme, ud, STAFF);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/criteria/programme", h_register, ud, HTTP_ROLE_ADMIN | HTTP_ROLE_PROVINCE);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/criteria/assessments", h_assessments, ud, STAFF);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/criteria/assessments", h_assess, ud, STAFF);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/criteria/assessments/{id}/files", h_attach, ud, STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/criteria/files/{id}", h_file, ud, STAFF);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/criteria/recognitions", h_recognise, ud, HTTP_ROLE_ADMIN | HTTP_ROLE_PROVINCE);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/criteria/matrix", h_matrix, ud, STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/criteria/matrix.csv", h_matrix_csv, ud, STAFF);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/criteria/progress", h_progress, ud, STAFF);
    return rc;
}
