/*
 * hubcanon.c — the pure half of hub → station signing (issue 15,
 * docs/province.md "Hub → station requests"): the canonical strings (v1,
 * v2 with the body's SHA-256, the station's answer), their Ed25519
 * signatures, the two targets a hub request may POST to, and the nonce
 * table.  No request, no catalog: the hub (province/forward.c), the
 * station (hubsign.c), the unit tests and the fuzzer (tests/fuzz/
 * fuzz_hubsign.c) all call these same functions.
 */
#include "http/http.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANON_TAG_V1 "wardwatch-hub-request-v1"
#define CANON_TAG_V2 "wardwatch-hub-request-v2"

/* True when s is 1..max bytes long and okc accepts every byte. */
static bool field_ok(const char *s, size_t max, bool (*okc)(int c))
{
    if (!s) return false;
    size_t n = strlen(s);
    if (n < 1 || n > max) return false;
    for (; *s; s++)
        if (!okc((unsigned char)*s)) return false;
    return true;
}

static bool c_method(int c) { return c >= 'A' && c <= 'Z'; }
static bool c_target(int c) { return c > 0x20 && c < 0x7f; }
static bool c_nonce(int c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
static bool c_station(int c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
static bool c_user(int c) { return isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@'; }
static bool c_role(int c) { return c >= 'a' && c <= 'z'; }

bool http_hub_claim_ok(const struct http_hub_claim *c)
{
    return field_ok(c->method, 10, c_method) && c->target && c->target[0] == '/' &&
           field_ok(c->target, HTTP_HUB_TARGET_MAX, c_target) && strlen(c->nonce ? c->nonce : "") == 32 &&
           field_ok(c->nonce, 32, c_nonce) && field_ok(c->station, 64, c_station) &&
           field_ok(c->user, 64, c_user) && field_ok(c->role, 16, c_role) && c->time_s > 0 &&
           (!c->body_sha256 || (strlen(c->body_sha256) == 64 && field_ok(c->body_sha256, 64, c_nonce)));
}

char *http_hub_canonical(const struct http_hub_claim *c)
{
    if (!http_hub_claim_ok(c)) return NULL;
    /* One field a line; no field may hold a newline (checked above), so the
     * lines cannot be shifted to make another request's string. */
    if (!c->body_sha256)
        return ww_asprintf(CANON_TAG_V1 "\n%s\n%s\n%lld\n%s\n%s\n%s\n%s\n", c->method, c->target,
                           (long long)c->time_s, c->nonce, c->station, c->user, c->role);
    /* v2: the body's hash is one more line, and the tag differs, so a v1
     * signature can never be taken for a v2 one (or the other way). */
    return ww_asprintf(CANON_TAG_V2 "\n%s\n%s\n%lld\n%s\n%s\n%s\n%s\n%s\n", c->method, c->target,
                       (long long)c->time_s, c->nonce, c->station, c->user, c->role, c->body_sha256);
}

void http_hub_body_sha256(const void *body, size_t n, char hex[HTTP_HUB_SHA256_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, n ? body : (const unsigned char *)"", n);
    sodium_bin2hex(hex, HTTP_HUB_SHA256_HEX, h, sizeof h);
}

bool http_hub_post_target_ok(const char *target)
{
    /* What a province user may make at a station: an export of one camera,
     * a bundle of a place.  Compared on the raw target, so no query and no
     * %-encoding can make another route out of it. */
    static const char cam[] = "/api/v1/cameras/", tail[] = "/exports";
    if (!target) return false;
    if (!strcmp(target, "/api/v1/search/place/bundle")) return true;
    size_t n = strlen(target), hl = sizeof cam - 1, tl = sizeof tail - 1;
    if (n <= hl + tl || strncmp(target, cam, hl) || strcmp(target + n - tl, tail)) return false;
    size_t idn = n - hl - tl;
    const char *id = target + hl;
    if (idn > 19 || id[0] < '1' || id[0] > '9') return false;
    for (size_t i = 0; i < idn; i++)
        if (id[i] < '0' || id[i] > '9') return false;
    return true;
}

char *http_hub_answer_canonical(const char *nonce, const char *station, const char *user)
{
    if (!field_ok(nonce, 32, c_nonce) || strlen(nonce) != 32 || !field_ok(station, 64, c_station) ||
        !field_ok(user, 64, c_user))
        return NULL;
    return ww_asprintf("wardwatch-station-answer-v1\n%s\n%s\n%s\n", nonce, station, user);
}

static int sign_str(char *s, const unsigned char sk[64], char sig_b64[HTTP_HUB_SIG_B64])
{
    if (!s) return WW_EINVAL;
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const unsigned char *)s, strlen(s), sk);
    free(s);
    sodium_bin2base64(sig_b64, HTTP_HUB_SIG_B64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

static int verify_str(char *s, const char *sig_b64, const unsigned char pk[32])
{
    unsigned char sig[crypto_sign_BYTES];
    size_t n = 0;
    if (!s || !sig_b64 ||
        sodium_base642bin(sig, sizeof sig, sig_b64, strlen(sig_b64), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) ||
        n != sizeof sig) {
        free(s);
        return WW_EINVAL;
    }
    int rc = crypto_sign_verify_detached(sig, (const unsigned char *)s, strlen(s), pk) ? WW_EAUTH : 0;
    free(s);
    return rc;
}

int http_hub_answer_sign(const char *nonce, const char *station, const char *user, const unsigned char sk[64],
                         char sig_b64[HTTP_HUB_SIG_B64])
{
    return sign_str(http_hub_answer_canonical(nonce, station, user), sk, sig_b64);
}

int http_hub_answer_verify(const char *nonce, const char *station, const char *user, const char *sig_b64,
                           const unsigned char pk[32])
{
    return verify_str(http_hub_answer_canonical(nonce, station, user), sig_b64, pk);
}

int http_hub_sign(const struct http_hub_claim *c, const unsigned char sk[64], char sig_b64[HTTP_HUB_SIG_B64])
{
    return sign_str(http_hub_canonical(c), sk, sig_b64);
}

int http_hub_verify(const struct http_hub_claim *c, const char *sig_b64, const unsigned char pk[32])
{
    return verify_str(http_hub_canonical(c), sig_b64, pk);
}

void http_hub_nonces_init(struct http_hub_nonces *t)
{
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
}

void http_hub_nonces_free(struct http_hub_nonces *t) { pthread_mutex_destroy(&t->mu); }

int http_hub_nonce_take(struct http_hub_nonces *t, const char *nonce, int64_t now_s)
{
    assert(strlen(nonce) == 32);
    pthread_mutex_lock(&t->mu);
    int rc = 0;
    size_t free_slot = HTTP_HUB_NONCES;
    for (size_t i = 0; i < HTTP_HUB_NONCES; i++) {
        struct http_hub_nonce *e = &t->e[i];
        if (e->seen_s && now_s - e->seen_s > HTTP_HUB_NONCE_TTL_S) e->seen_s = 0; /* aged out */
        if (!e->seen_s) {
            if (free_slot == HTTP_HUB_NONCES) free_slot = i;
        } else if (!memcmp(e->nonce, nonce, 32)) {
            rc = WW_ECONFLICT;
            break;
        }
    }
    if (!rc && free_slot == HTTP_HUB_NONCES) rc = -ENOSPC;
    if (!rc) {
        memcpy(t->e[free_slot].nonce, nonce, 32);
        t->e[free_slot].seen_s = now_s;
    }
    pthread_mutex_unlock(&t->mu);
    return rc;
}

