/*
 * export.c — evidence exports over HTTP.
 *
 *   POST /api/v1/cameras/{id}/exports  {"from":T,"to":T,"stream":"main"}
 *        → 201 {"export":{…}} once the file is written (remuxing an hour
 *          takes seconds, so the request simply waits)
 *   GET  /api/v1/exports[?camera=ID]          the register (what the caller may export)
 *   GET  /api/v1/exports/{id}                 one entry
 *   GET  /api/v1/exports/{id}/file            the MP4 (attachment)
 *   GET  /api/v1/exports/{id}/manifest        the manifest JSON
 *   GET  /api/v1/exports/{id}/signature       the manifest's signature sidecar (.sig), so a copy
 *                                             fetched over HTTP checks offline (`wardwatch verify`)
 * EXPORT permission on the camera for all of them; creating one is audited
 * with its range and hash, and so is every download of the file (Range
 * requests too) or the manifest: a start row before the first byte and a
 * download_done row with the bytes sent (api_download_begin, downloads.c).
 * Files live in <data>/exports/.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/cat_audit.h"
#include "export/export.h"

static const char *const export_fields[] = {"from", "to", "stream", NULL};

static json_t *export_json(const struct catalog_export *e)
{
    return json_pack("{s:I,s:I,s:s,s:o,s:o,s:o,s:o,s:I,s:I,s:s,s:s,s:o,s:s,s:s}",
        "id", (json_int_t)e->id, "camera_id", (json_int_t)e->camera_id, "stream", e->stream,
        "from", api_time(e->from_us), "to", api_time(e->to_us),
        "first_frame", api_time(e->first_us), "last_frame", api_time(e->last_us),
        "bytes", (json_int_t)e->bytes, "frames", (json_int_t)e->frames, "sha256", e->sha256,
        "username", e->username, "created", api_time(e->created_us),
        "file_url", "", "manifest_url", "");
}

static json_t *export_json_urls(struct http_req *req, const struct catalog_export *e)
{
    json_t *j = export_json(e);
    json_object_set_new(j, "file_url", json_string(http_req_printf(req, "/api/v1/exports/%lld/file", (long long)e->id)));
    json_object_set_new(j, "manifest_url", json_string(http_req_printf(req, "/api/v1/exports/%lld/manifest", (long long)e->id)));
    /* the name the file downloads under, so a client can save the manifest
     * and signature beside it as `wardwatch verify` looks for them */
    const char *slash = strrchr(e->path, '/');
    json_object_set_new(j, "file_name", json_string(slash ? slash + 1 : e->path));
    return j;
}

static int parse_time_field(struct http_req *req, json_t *body, const char *key, int64_t *out)
{
    json_t *v = json_object_get(body, key);
    if (json_is_string(v) && ww_parse_time(json_string_value(v), ww_station_offset_min(), out) == 0) return 0;
    if (json_is_number(v) && json_number_value(v) > 0 && json_number_value(v) < 4102444800.0) {
        *out = (int64_t)(json_number_value(v) * 1e6);
        return 0;
    }
    return http_fail(req, WW_EINVAL, "%s must be a time (ISO 8601 or seconds since 1970)", key);
}

static int h_create(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    int64_t id, from, to;
    int rc = http_req_param_id(req, "id", &id);
    if (rc) return rc;
    if ((rc = http_authz_use(req, id, AUTHZ_EXPORT, NULL))) return rc;
    json_t *body;
    if ((rc = http_req_json(req, export_fields, &body))) return rc;
    if ((rc = parse_time_field(req, body, "from", &from)) || (rc = parse_time_field(req, body, "to", &to))) return rc;
    const char *stream = "main";
    if ((rc = http_json_str(req, body, "stream", false, 3, 4, &stream)) < 0) return rc;
    if (strcmp(stream, "main") && strcmp(stream, "sub")) return http_fail(req, WW_EINVAL, "stream must be main or sub");
    if (to <= from) return http_fail(req, WW_EINVAL, "to must be after from");
    if (ww_span_over(from, to, 24LL * 3600 * 1000000)) return http_fail(req, WW_EINVAL, "an export covers at most 24 hours");
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    const struct http_user *u = http_req_user(req);
    char *dir = ww_asprintf("%s/exports", ctx->data_dir);
    ww_mkdirs(dir, 0750);
    char day[48];
    ww_fmt_time(from, ww_station_offset_min(), day, sizeof day);
    for (char *p = day; *p; p++) if (*p == ':' || *p == '+' || *p == '.') *p = '-';
    char *path = ww_asprintf("%s/cam%lld-%s-%lld.mp4", dir, (long long)id, day, (long long)ww_wall_us());
    free(dir);
    rc = http_audit(req, CATALOG_AUDIT_EXPORT, id, from, to, json_pack("{s:s}", "stream", stream));
    if (rc) { free(path); return http_fail(req, rc, "cannot write the audit record; refusing to export"); }
    struct export_req q = {
        .data_dir = ctx->data_dir, .cat = cat, .camera_id = id, .stream = stream, .from_us = from,
        .to_us = to, .out_path = path, .user_id = u->id, .username = u->username,
        .client_addr = http_req_client_addr(req),
    };
    struct export_result r;
    rc = export_clip_apart(&q, &r);   /* it fsyncs: not on this HTTP thread */
    free(path);
    if (rc == WW_ENOTFOUND) { export_result_clear(&r); return http_fail_field(req, rc, "nothing_recorded", NULL, "nothing recorded between those times"); }
    if (rc == WW_EPERM) {
        export_result_clear(&r);
        http_req_set_reason(req, "consent_missing", "export");
        return http_error(req, 403, "no_consent", "%s", http_consent_reason(AUTHZ_EXPORT));
    }
    if (rc) { export_result_clear(&r); return http_fail(req, rc, "the export failed: %s", ww_strerror(rc)); }
    struct catalog_export e;
    rc = catalog_export_get(cat, r.export_id, &e);
    export_result_clear(&r);
    if (rc) return rc;
    json_t *j = export_json_urls(req, &e);
    catalog_export_clear(&e);
    return http_respond_json(req, 201, json_pack("{s:o}", "export", j));
}

/* Loads an export the caller may see (EXPORT on its camera). */
static int load(struct http_req *req, struct catalog_export *e)
{
    int64_t id;
    catalog_t *cat;
    int rc = api_param_id(req, &id, &cat);
    if (rc) return rc;
    if (catalog_export_get(cat, id, e)) return http_fail(req, WW_ENOTFOUND, "no such export");
    if ((rc = api_row_camera(req, e->camera_id, AUTHZ_EXPORT, "export"))) catalog_export_clear(e);
    return rc;
}

static int h_get(struct http_req *req, void *ud)
{
    (void)ud;
    struct catalog_export e;
    int rc = load(req, &e);
    if (rc) return rc;
    json_t *j = export_json_urls(req, &e);
    catalog_export_clear(&e);
    return http_respond_json(req, 200, json_pack("{s:o}", "export", j));
}

static int h_file(struct http_req *req, void *ud)
{
    (void)ud;
    struct catalog_export e;
    int rc = load(req, &e);
    if (rc) return rc;
    const char *slash = strrchr(e.path, '/');
    http_resp_filename(req, true, "%s", slash ? slash + 1 : e.path);
    http_resp_header(req, "X-Content-SHA256", e.sha256);
    rc = api_download_begin(req, "export_download", &e.camera_id, 1, e.from_us, e.to_us,
                            json_pack("{s:I,s:s}", "export_id", (json_int_t)e.id, "file", "file"));
    if (rc) { catalog_export_clear(&e); return rc; }
    rc = http_respond_file(req, e.path, "video/mp4");
    catalog_export_clear(&e);
    return rc == WW_ENOTFOUND ? http_fail(req, rc, "the export file is gone") : rc;
}

static int h_manifest(struct http_req *req, void *ud)
{
    (void)ud;
    struct catalog_export e;
    int rc = load(req, &e);
    if (rc) return rc;
    /* The manifest names the owner and their phone number: audited too. */
    rc = api_download_begin(req, "export_download", &e.camera_id, 1, e.from_us, e.to_us,
                            json_pack("{s:I,s:s}", "export_id", (json_int_t)e.id, "file", "manifest"));
    if (rc) { catalog_export_clear(&e); return rc; }
    rc = http_respond_data(req, 200, "application/json", e.manifest, strlen(e.manifest));
    catalog_export_clear(&e);
    return rc;
}

/* The sidecar holds the station's key and a signature over the manifest's
 * bytes: nothing about the owner or the footage, so no audit row of its
 * own (the manifest and file downloads beside it are audited); the caller
 * still needs EXPORT on the camera, as for the export itself. */
static int h_signature(struct http_req *req, void *ud)
{
    (void)ud;
    struct catalog_export e;
    int rc = load(req, &e);
    if (rc) return rc;
    const char *slash = strrchr(e.path, '/');
    char *sig = ww_asprintf("%s.manifest.json.sig", e.path);
    http_resp_filename(req, true, "%s.manifest.json.sig", slash ? slash + 1 : e.path);
    rc = http_respond_file(req, sig, "application/json");
    free(sig);
    catalog_export_clear(&e);
    return rc == WW_ENOTFOUND ? http_fail(req, rc, "this export has no signature (made before signed evidence)") : rc;
}

/* GET /api/v1/exports/{id}/verify: the same checks as `wardwatch verify`,
 * on the files as stored, against this station's key; audited. */
static int h_verify(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    struct catalog_export e;
    int rc = load(req, &e);
    if (rc) return rc;
    rc = api_verify_answer(req, ctx->data_dir, e.path, "export_verify", e.camera_id, e.from_us, e.to_us,
                           json_pack("{s:I}", "export_id", (json_int_t)e.id));
    catalog_export_clear(&e);
    return rc;
}

static int h_list(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t cam;
    int rc = http_req_query_i64(req, "camera", 1, INT64_MAX, 0, &cam);
    if (rc) return rc;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    if (cam && (rc = http_authz_camera(req, cam, AUTHZ_EXPORT))) return rc;
    struct http_scope sc;
    if ((rc = http_authz_camera_scope(req, AUTHZ_EXPORT, &sc))) return rc;
    struct catalog_export *v;
    size_t n;
    if (catalog_export_list(cat, cam, 500, &v, &n)) return WW_EDB;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (http_scope_has(&sc, v[i].camera_id)) json_array_append_new(arr, export_json_urls(req, &v[i]));
    catalog_export_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o}", "exports", arr));
}

int api_export_register(struct http_server *srv, const struct api_ctx *ctx)
{
    int rc = http_route(srv, "POST", "/api/v1/cameras/{id}/exports", h_create, (void *)ctx, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/exports", h_list, (void *)ctx, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/exports/{id}", h_get, (void *)ctx, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/exports/{id}/file", h_file, (void *)ctx, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/exports/{id}/manifest", h_manifest, (void *)ctx, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/exports/{id}/verify", h_verify, (void *)ctx, 0);
    if (!rc) rc = http_route(srv, "GET", "/api/v1/exports/{id}/signature", h_signature, (void *)ctx, 0);
    return rc;
}
