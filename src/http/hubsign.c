/*
 * hubsign.c — requests the province hub signs for a station (issue 15,
 * docs/province.md "Hub → station requests"): the station's check.  The
 * strings, signatures, POST targets and nonce table it uses are in
 * hubcanon.c (pure, shared with the hub and the fuzzer).
 *
 * The hub signs with its Ed25519 secret key a canonical string of the
 * request (method, target as sent, time, nonce, station id, the province
 * user and role, and since v2 the SHA-256 of the body); the station checks
 * it against the hub key it stored at `station join`, and the body it
 * received against the signed hash, before any handler runs — so a POST
 * (an export or a place bundle, nothing else) does exactly what the hub
 * signed or nothing.  This file is the ONE place a station decides whether such
 * a request gets in: http_auth_load calls http_hub_auth whenever one of the
 * X-WW-Hub-* headers is present, and a request carrying any of them never
 * falls back to the cookie.  A replay is refused by a bounded nonce table:
 * a nonce is kept for HTTP_HUB_NONCE_TTL_S (120 s) after it was first seen.
 * A request is only let in while |now - its time| <= 60 s, and its time is
 * at most 60 s ahead of the station's clock when first seen, so once the
 * nonce leaves the table (more than 120 s later) the same request is stale.
 */
#include "http/internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cat_outbox.h"
#include "export/export.h"

const char *http_req_target(const struct http_req *req) { return req->raw_uri; }

/* The station's own id and the hub key it stored at join; WW_ENOTFOUND when
 * it never joined. */
static int joined(catalog_t *cat, char **station, unsigned char pk[32])
{
    char *key = NULL;
    *station = NULL;
    if (catalog_setting_get(cat, CATALOG_OUTBOX_STATION, station) ||
        catalog_setting_get(cat, CATALOG_OUTBOX_HUB_KEY, &key)) {
        free(*station);
        *station = NULL;
        return WW_ENOTFOUND;
    }
    size_t n = 0;
    int rc = sodium_base642bin(pk, 32, key, strlen(key), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) ||
                     n != 32
                 ? WW_EINVAL
                 : 0;
    free(key);
    if (rc) {
        free(*station);
        *station = NULL;
    }
    return rc;
}

/* Signs this station's answer for the hub (HTTP_HUB_HDR_ANSWER) with its
 * station.key, which sits beside the catalog. */
static int sign_answer(struct http_req *req, const char *nonce, const char *station, const char *user)
{
    const char *db = req->srv->db_path, *slash = strrchr(db, '/');
    char *dir = slash ? ww_asprintf("%.*s", (int)(slash - db), db) : ww_strdup(".");
    struct export_key k;
    int rc = export_key_load(dir, &k);
    free(dir);
    if (!rc && !k.has_secret) rc = WW_ENOTFOUND;
    char sig[HTTP_HUB_SIG_B64];
    if (!rc) rc = http_hub_answer_sign(nonce, station, user, k.sk, sig);
    export_key_wipe(&k);
    if (!rc) rc = http_resp_header(req, HTTP_HUB_HDR_ANSWER, sig);
    if (rc) ww_error("auth", "cannot sign the answer to a hub request: %s", ww_strerror(rc));
    return rc;
}

/* Refuses the hub request: no user, and this is what the 401 will say. */
static bool refuse(struct http_req *req, const char *why)
{
    req->auth_err = why;
    ww_info("auth", "hub request %s %.200s from %s refused: %s", req->method, req->raw_uri, req->client_addr,
            why);
    return true;
}

/* The method, target and body rules of a claim the signature will be
 * checked on: NULL when they hold, else why not (for the 401). */
static const char *method_refusal(const struct http_req *req, bool v2, size_t body_len)
{
    bool read = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
    if (body_len > HTTP_HUB_BODY_MAX) return "hub request refused: its body is larger than 64 KiB";
    if (!v2) {
        /* an older hub (v1 signs no body): it may still look, never make anything */
        if (!read) return "hub request refused: a v1 hub request may only read (GET); a POST needs the v2 "
                          "signature with " HTTP_HUB_HDR_BODY;
        if (body_len) return "hub request refused: a v1 hub request carries no body";
        return NULL;
    }
    if (read) return body_len ? "hub request refused: a hub GET carries no body" : NULL;
    if (strcmp(req->method, "POST"))
        return "hub request refused: hub requests may only read (GET) or POST an export or a place bundle";
    if (!http_hub_post_target_ok(req->raw_uri))
        return "hub request refused: a hub request may POST only to /api/v1/cameras/{id}/exports and "
               "/api/v1/search/place/bundle";
    return NULL;
}

bool http_hub_auth(struct http_req *req)
{
    const char *sig = http_req_header(req, HTTP_HUB_HDR_SIGNATURE);
    const char *tm = http_req_header(req, HTTP_HUB_HDR_TIME);
    const char *nonce = http_req_header(req, HTTP_HUB_HDR_NONCE);
    const char *user = http_req_header(req, HTTP_HUB_HDR_USER);
    const char *role = http_req_header(req, HTTP_HUB_HDR_ROLE);
    const char *station = http_req_header(req, HTTP_HUB_HDR_STATION);
    const char *body_hash = http_req_header(req, HTTP_HUB_HDR_BODY); /* absent: v1 */
    if (!sig && !tm && !nonce && !user && !role && !station && !body_hash) return false; /* not a hub request */
    if (!sig || !tm || !nonce || !user || !role || !station)
        return refuse(req, "hub request: a signature header is missing (X-WW-Hub-Signature, -Time, -Nonce, "
                           "-User, -Role and -Station are all needed)");
    char *end;
    long long t = strtoll(tm, &end, 10);
    struct http_hub_claim c = {.method = req->method, .target = req->raw_uri, .time_s = t, .nonce = nonce,
                               .station = station, .user = user, .role = role, .body_sha256 = body_hash};
    if (*end || end == tm || !http_hub_claim_ok(&c)) return refuse(req, "hub request: malformed signature headers");
    /* The whole body is in by now: dispatch (and so this) runs after the last chunk. */
    size_t body_len = 0;
    const char *body = http_req_body(req, &body_len);
    const char *why = method_refusal(req, body_hash != NULL, body_len);
    if (why) return refuse(req, why);
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return refuse(req, "hub request: the catalog is not available");
    char *own;
    unsigned char pk[32];
    if (joined(cat, &own, pk)) return refuse(req, "hub request refused: this station has not joined a province");
    bool mine = !strcmp(own, station);
    free(own);
    if (!mine) return refuse(req, "hub request refused: it was signed for another station");
    int64_t now = ww_wall_us() / 1000000, skew = now - t;
    if (skew > HTTP_HUB_SKEW_S || skew < -HTTP_HUB_SKEW_S)
        return refuse(req, "hub request refused: its time is more than 60 s away from the station's clock");
    if (http_hub_verify(&c, sig, pk)) return refuse(req, "hub request refused: the signature is not the hub's");
    if (body_hash) {
        /* The signature holds for the hash it names; the body must be the one hashed.  Checked
         * before the nonce is taken, so a tampered copy does not use up the real request's nonce. */
        char got[HTTP_HUB_SHA256_HEX];
        http_hub_body_sha256(body, body_len, got);
        if (sodium_memcmp(got, body_hash, 64))
            return refuse(req, "hub request refused: the body is not the one the hub signed (SHA-256 differs)");
    }
    /* Only a good signature may take a table slot, so forged requests cannot fill it. */
    int rc = http_hub_nonce_take(&req->srv->hub_nonces, nonce, now);
    if (rc == WW_ECONFLICT) return refuse(req, "hub request refused: its nonce was already used (a replay)");
    if (rc) return refuse(req, "hub request refused: too many hub requests at once; try again");
    if (sign_answer(req, nonce, station, user)) return refuse(req, "hub request: the station's key is unreadable");
    struct http_user *hu = http_req_alloc(req, sizeof *hu);
    hu->id = 0; /* not a station user: audit rows carry the name alone */
    hu->username = http_req_printf(req, "province:%s@hub", user);
    hu->display_name = http_req_printf(req, "%s (province %s)", user, role);
    hu->role = CATALOG_ROLE_PROVINCE;
    req->user = hu;
    return true;
}
