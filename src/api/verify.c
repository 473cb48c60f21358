/*
 * verify.c — GET /api/v1/verify/sha256/{hex}: is a file an officer holds
 * (a clip handed back months later) one this station exported, unchanged?
 * (issue 13 item 2).  The console hashes the file in the browser
 * (web/lib/sha256.js) and asks here; the file itself never travels.
 *
 * An answer names every export with that SHA-256 that the caller may see
 * (export scope, as GET /api/v1/exports) and bundle whose manifest has
 * it; for each export, the station's own check of its stored copy (the
 * signed manifest's signature against this station's key and the stored
 * file's hash — the manifest is what says which SHA-256 the clip had).  An
 * export outside the caller's scope is not revealed: the file reads as
 * unknown.  Every question is audited (evidence_check, with the hash and
 * what matched) before the answer leaves.
 */
#include "api/api.h"

#include <ctype.h>
#include <string.h>

#include "catalog/cat_community.h"
#include "export/export.h"

static bool is_sha256_hex(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!isxdigit((unsigned char)s[n])) return false;
    return n == 64;
}

static json_t *export_match(struct http_req *req, const struct catalog_export *e, const struct export_key *key)
{
    struct export_verify_result res;
    int vr = key ? export_verify(e->path, key, NULL, NULL, &res) : WW_ECORRUPT;
    struct catalog_camera c;
    catalog_t *cat = http_req_catalog(req);
    const char *name = NULL;
    if (catalog_camera_get(cat, e->camera_id, &c) == 0) name = c.name;
    json_t *o = json_pack("{s:s,s:I,s:I,s:s?,s:o,s:o,s:s?,s:o,s:b,s:s?}", "kind", "export", "id", (json_int_t)e->id,
                          "camera_id", (json_int_t)e->camera_id, "camera", name, "from", api_time(e->from_us), "to",
                          api_time(e->to_us), "created_by", e->username, "created", api_time(e->created_us),
                          "station_check_ok", vr == 0, "first_failure", vr ? (key ? res.first_failure : "no key") : NULL);
    if (name) catalog_camera_clear(&c);
    return o;
}

/* A bundle is seen by who may export from every camera in it (as GET
 * /api/v1/bundles lists them). */
static bool bundle_in_scope(const struct catalog_bundle *b, const struct http_scope *sc)
{
    for (size_t k = 0; k < b->n_items; k++)
        if (!http_scope_has(sc, b->items[k].camera_id)) return false;
    return true;
}

static int h_sha256(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    const char *hex = http_req_param(req, "hex");
    if (!is_sha256_hex(hex))
        return http_fail_field(req, WW_EINVAL, "type", "sha256", "the SHA-256 must be 64 hexadecimal digits");
    char low[65];
    for (int i = 0; i < 64; i++) low[i] = (char)tolower((unsigned char)hex[i]);
    low[64] = 0;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct http_scope sc;
    int rc = http_authz_camera_scope(req, AUTHZ_EXPORT, &sc);
    if (rc) return rc;
    struct export_key key;
    bool created, have_key = export_key_ensure(ctx->data_dir, &key, &created) == 0;
    json_t *matches = json_array(), *seen = json_array();
    struct catalog_export *v = NULL;
    size_t n = 0;
    if (catalog_export_by_sha256(cat, low, &v, &n)) { if (have_key) export_key_wipe(&key); json_decref(matches); json_decref(seen); return WW_EDB; }
    for (size_t i = 0; i < n; i++) {
        if (!http_scope_has(&sc, v[i].camera_id)) continue;
        json_array_append_new(matches, export_match(req, &v[i], have_key ? &key : NULL));
        json_array_append_new(seen, json_integer(v[i].id));
    }
    catalog_export_list_free(v, n);
    if (have_key) export_key_wipe(&key);
    /* a bundle's manifest itself (its SHA-256 is kept with the bundle) */
    struct catalog_bundle *b = NULL;
    size_t nb = 0;
    if (catalog_bundle_list(cat, 1000, &b, &nb) == 0) {
        for (size_t i = 0; i < nb; i++)
            if (b[i].manifest_sha256 && !strcmp(b[i].manifest_sha256, low) && bundle_in_scope(&b[i], &sc))
                json_array_append_new(matches, json_pack("{s:s,s:I,s:s?,s:o,s:o,s:s?,s:o}", "kind", "bundle_manifest",
                    "id", (json_int_t)b[i].id, "folder", b[i].dir, "from", api_time(b[i].from_us), "to",
                    api_time(b[i].to_us), "created_by", b[i].username, "created", api_time(b[i].created_us)));
        catalog_bundle_list_free(b, nb);
    }
    if ((rc = http_audit(req, "evidence_check", 0, 0, 0,
                         json_pack("{s:s,s:o,s:I}", "sha256", low, "export_ids", seen,
                                   "matches", (json_int_t)json_array_size(matches))))) {
        json_decref(matches);
        return rc;
    }
    return http_respond_json(req, 200, json_pack("{s:s,s:b,s:o}", "sha256", low, "known", json_array_size(matches) > 0,
                                                 "matches", matches));
}

int api_verify_register(struct http_server *srv, const struct api_ctx *ctx)
{
    return http_route(srv, "GET", "/api/v1/verify/sha256/{hex}", h_sha256, (void *)ctx, HTTP_ROLES_STAFF);
}
