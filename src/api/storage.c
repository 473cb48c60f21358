/*
 * storage.c — GET /api/v1/storage: for each camera the caller may see, its
 * recorded and held bytes, oldest recording, when it goes by its days and
 * its write rate; for the recordings disk (shared by every camera, so the
 * same for every caller) free, total, floor, quota, recorded and held bytes
 * and the days it holds at today's rate.  The numbers are
 * rec_plan_compute's, the same as `wardwatch retention plan --json`, under
 * the quota and floor in force (as started, or as a SIGHUP re-read them).
 * Staff only; only read.
 */
#include "api/api.h"

#include "record/record.h"

void api_retention(const struct api_ctx *ctx, struct rec_retention_cfg *out)
{
    if (ctx->engine) engine_retention(ctx->engine, out);
    else *out = ctx->retention;
}

static int h_storage(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct http_scope sc;
    int rc = http_authz_camera_scope(req, AUTHZ_VIEW, &sc);
    if (rc) return rc;
    struct rec_plan p;
    struct rec_retention_cfg ret;
    api_retention(ctx, &ret);
    if ((rc = rec_plan_compute(cat, ctx->data_dir, &ret, &p))) return rc;
    json_t *arr = json_array();
    int64_t bytes = 0, held = 0;
    for (size_t i = 0; i < p.n; i++) {
        const struct rec_plan_camera *c = &p.cams[i];
        if (!http_scope_has(&sc, c->camera_id)) continue;
        bytes += c->bytes;
        held += c->held_bytes;
        json_t *o = rec_plan_camera_json(c);
        json_object_set_new(o, "oldest_recording", api_time(c->oldest_us));
        json_object_set_new(o, "deleted_by_days_at", api_time(c->delete_at_us));
        json_array_append_new(arr, o);
    }
    json_t *body = json_pack("{s:o,s:{s:I,s:I},s:o,s:o}", "cameras", arr, "total", "bytes", (json_int_t)bytes,
                             "held_bytes", (json_int_t)held, "disk", rec_plan_disk_json(&p), "time",
                             api_time(ww_wall_us()));
    rec_plan_clear(&p);
    return http_respond_json(req, 200, body);
}

int api_storage_register(struct http_server *srv, const struct api_ctx *ctx)
{
    return http_route(srv, "GET", "/api/v1/storage", h_storage, (void *)ctx, HTTP_ROLES_STAFF);
}
