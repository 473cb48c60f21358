/*
 * evidence.c — GET /api/v1/incidents/{id}/evidence: the incident's case
 * file (ward_case_file_json: holds, exports, bundles with their chain of
 * custody, motion events, the audit chain's result), and
 * GET /api/v1/incidents/{id}/custody.pdf: its chain-of-custody report.  Scope as the
 * incident's: staff of its ward and above; another ward's incident is a
 * 404, as for GET /api/v1/incidents/{id}.  Only read.
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

int api_evidence_register(struct http_server *srv, const struct api_ctx *ctx)
{
    int rc = http_route(srv, "GET", "/api/v1/incidents/{id}/evidence", h_evidence, (void *)ctx, HTTP_ROLES_STAFF);
    return rc ? rc : http_route(srv, "GET", "/api/v1/incidents/{id}/custody.pdf", h_custody_pdf, (void *)ctx,
                                HTTP_ROLES_STAFF);
}
