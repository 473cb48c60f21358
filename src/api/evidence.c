/*
 * evidence.c — GET /api/v1/incidents/{id}/evidence: the incident's case
 * file (ward_case_file_json: holds, exports, bundles with their chain of
 * custody, motion events, the audit chain's result).  Scope as the
 * incident's: staff of its ward and above; another ward's incident is a
 * 404, as for GET /api/v1/incidents/{id}.  Only read.
 */
#include "api/api.h"

#include "ward/ward.h"

static int h_evidence(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    int rc;
    if ((rc = http_req_param_id(req, "id", &id))) return rc;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct catalog_incident inc;
    rc = ward_incident_get(cat, id, &inc);
    if (!rc && (rc = http_authz_ward(req, inc.ward_id, AUTHZ_WARD_READ))) catalog_incident_clear(&inc);
    if (rc == WW_ENOTFOUND) return http_fail(req, rc, "no such incident %lld", (long long)id);
    if (rc) return rc;
    json_t *body;
    rc = ward_case_file_json(cat, &inc, ww_station_offset_min(), &body);
    catalog_incident_clear(&inc);
    return rc ? rc : http_respond_json(req, 200, body);
}

int api_evidence_register(struct http_server *srv, const struct api_ctx *ctx)
{
    return http_route(srv, "GET", "/api/v1/incidents/{id}/evidence", h_evidence, (void *)ctx, HTTP_ROLES_STAFF);
}
