/*
 * fuzz_hubsign.c — what a hub request to a station is made of (http/
 * hubcanon.c) and the body the hub forwards in a POST (province/
 * fwdbody.c): headers anyone can send a station, and a body any signed-in
 * hub user can send the hub.  The first byte chooses:
 *   even → the rest is a claim, its fields split at '\n' (method, target,
 *          time, nonce, station, user, role and, if there is an 8th line,
 *          the body hash): a canonical string is made only when every field
 *          is in its set, and then it has exactly one line per field, signs
 *          and verifies with a fixed key, and stops verifying when the time
 *          or the body hash changes;
 *   odd  → the rest is target '\n' body: http_hub_post_target_ok accepts
 *          only the two shapes it states; prov_forward_post_body returns,
 *          for a POST target only, a JSON object of at most
 *          HTTP_HUB_BODY_MAX bytes that it accepts again unchanged, or
 *          NULL with a reason.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "http/http.h"
#include "province/province.h"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (sodium_init() < 0) abort();
    unsigned char seed[crypto_sign_SEEDBYTES] = {15};
    crypto_sign_seed_keypair(pk, sk, seed);
    return 0;
}

/* The shapes http.h states, written out another way: the bundle path, or
 * "/api/v1/cameras/" 1..19 digits without a leading 0 "/exports". */
static bool post_shape(const char *t)
{
    if (!strcmp(t, "/api/v1/search/place/bundle")) return true;
    if (strncmp(t, "/api/v1/cameras/", 16)) return false;
    const char *d = t + 16;
    if (*d < '1' || *d > '9') return false;
    size_t n = strspn(d, "0123456789");
    return n <= 19 && !strcmp(d + n, "/exports");
}

static void claim(char *s)
{
    char *f[8] = {0};
    size_t n = 0;
    for (char *p = s; n < 8; n++) {
        f[n] = p;
        char *nl = strchr(p, '\n');
        if (!nl) { n++; break; }
        *nl = 0;
        p = nl + 1;
    }
    if (n < 7) return;
    struct http_hub_claim c = {.method = f[0], .target = f[1], .time_s = strtoll(f[2], NULL, 10), .nonce = f[3],
                               .station = f[4], .user = f[5], .role = f[6], .body_sha256 = n > 7 ? f[7] : NULL};
    char *canon = http_hub_canonical(&c);
    if (!canon) return;
    size_t lines = 0;
    for (char *p = canon; *p; p++) lines += *p == '\n';
    if (lines != (c.body_sha256 ? 9u : 8u)) abort(); /* the tag and one line a field: none smuggled a newline */
    free(canon);
    char sig[HTTP_HUB_SIG_B64];
    if (http_hub_sign(&c, sk, sig) || http_hub_verify(&c, sig, pk)) abort();
    struct http_hub_claim d = c;
    d.time_s = c.time_s == INT64_MAX ? c.time_s - 1 : c.time_s + 1;
    if (http_hub_verify(&d, sig, pk) != WW_EAUTH) abort();
    d = c;
    d.body_sha256 = c.body_sha256 ? NULL : "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    if (http_hub_verify(&d, sig, pk) != WW_EAUTH) abort(); /* v1 and v2 never pass for each other */
}

static void post(const char *t, const char *body, size_t n)
{
    bool ok = http_hub_post_target_ok(t);
    if (ok != post_shape(t)) abort();
    char err[160] = "";
    char *out = prov_forward_post_body(t, body, n, err, sizeof err);
    if (!out) {
        if (!err[0]) abort(); /* a refusal says why */
        return;
    }
    if (!ok || strlen(out) > HTTP_HUB_BODY_MAX) abort();
    json_t *j = json_loads(out, 0, NULL);
    if (!json_is_object(j)) abort();
    json_decref(j);
    char *again = prov_forward_post_body(t, out, strlen(out), err, sizeof err);
    if (!again || strcmp(again, out)) abort(); /* what was checked is what is sent */
    free(again);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2 * HTTP_HUB_BODY_MAX) return 0;
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = 0;
    if (!(data[0] & 1)) {
        claim(s);
    } else {
        char *nl = memchr(s, '\n', size - 1);
        if (nl) {
            *nl = 0;
            post(s, nl + 1, size - 1 - (size_t)(nl + 1 - s));
        }
    }
    free(s);
    return 0;
}
