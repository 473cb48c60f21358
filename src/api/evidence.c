/*
 * evidence.c — GET /api/v1/incidents/{id}/evidence: the incident's case
 * file (ward_case_file_json: holds, exports, bundles with their chain of
 * custody, motion events, the audit chain's result), and
 * GET /api/v1/incidents/{id}/custody.pdf: its chain-of-custody report, and
 * POST /api/v1/incidents/{id}/notes: a note in it (those who record the
 * ward's incidents; audited).  Scope as the incident's: staff of its ward
 * and above read; another ward's incident is a 404, as for
 * GET /api/v1/incidents/{id}.
 */
#include "api/api.h"

#include <stdlib.h>

#include "ward/ward.h"

static int h_evidence(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat;
    struct catalog_incident inc;
    int rc = api_param_incident(req, AUTHZ_WARD_READ, &cat, &inc);
    if (rc) return rc;
    json_t *body;
    rc = ward_case_file_json(cat, &inc, ww_station_offset_min(), &body);
    catalog_incident_clear(&inc);
    return rc ? rc : http_respond_json(req, 200, body);
}

/* The report is a copy of evidence leaving the station: audited (after the
 * PDF is drawn, so its own row is not in it). */
static int h_custody_pdf(struct http_req *req, void *ud)
{
    (void)ud;
    catalog_t *cat;
    struct catalog_incident inc;
    int rc = api_param_incident(req, AUTHZ_WARD_READ, &cat, &inc);
    if (rc) return rc;
    struct ww_buf b = {0};
    rc = ward_custody_pdf(cat, &inc, ww_station_offset_min(), ww_wall_us(), &b);
    int64_t id = inc.id;
    catalog_incident_clear(&inc);
    if (!rc) rc = http_audit(req, "custody_report", 0, 0, 0, json_pack("{s:I}", "incident_id", (json_int_t)id));
    if (!rc) {
        http_resp_filename(req, false, "chuoi-luu-giu-vu-%lld.pdf", (long long)id);
        rc = http_respond_data(req, 200, "application/pdf", b.data, b.len);
    }
    ww_buf_free(&b);
    return rc;
}

/* POST /api/v1/incidents/{id}/notes {text}: a note in the case file, by
 * those who may record the ward's incidents; audited (incident_note). */
static int h_note_add(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"text", NULL};
    json_t *body;
    catalog_t *cat;
    int rc = api_json_body(req, fields, &body, &cat);
    if (rc) return rc;
    const char *text = NULL;
    if ((rc = http_json_str(req, body, "text", true, 1, 4000, &text)) < 0) return rc;
    struct catalog_incident inc;
    if ((rc = api_param_incident(req, AUTHZ_WARD_READ, &cat, &inc))) return rc;
    if ((rc = http_authz_ward(req, inc.ward_id, AUTHZ_WARD_WRITE))) { catalog_incident_clear(&inc); return rc; }
    const struct http_user *u = http_req_user(req);
    int64_t note = 0;
    rc = ward_case_note_add(cat, &inc, u->id, u->display_name && *u->display_name ? u->display_name : u->username,
                            text, &note);
    int64_t inc_id = inc.id;
    catalog_incident_clear(&inc);
    if (rc == WW_EINVAL) return http_fail_field(req, rc, "required", "text", "the note is empty");
    if (rc) return rc;
    if ((rc = http_audit(req, "incident_note", 0, 0, 0,
                         json_pack("{s:I,s:I}", "note_id", (json_int_t)note, "incident_id", (json_int_t)inc_id))))
        return rc;
    return http_respond_json(req, 201, json_pack("{s:I,s:I}", "id", (json_int_t)note, "incident_id", (json_int_t)inc_id));
}

int api_evidence_register(struct http_server *srv, const struct api_ctx *ctx)
{
    int rc = http_route(srv, "GET", "/api/v1/incidents/{id}/evidence", h_evidence, (void *)ctx, HTTP_ROLES_STAFF);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/incidents/{id}/notes", h_note_add, (void *)ctx,
                              HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER);
    return rc ? rc : http_route(srv, "GET", "/api/v1/incidents/{id}/custody.pdf", h_custody_pdf, (void *)ctx,
                                HTTP_ROLES_STAFF);
}
