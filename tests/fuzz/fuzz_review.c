/*
 * fuzz_review.c — a ctl/review message from the broker (relay/review.c):
 * anyone who can publish on a station's ctl topic can send one.  The first
 * byte chooses the path: even → the bytes are the whole message, checked
 * against a fixed hub key (the signature must fail unless libFuzzer forges
 * Ed25519); odd → the rest is a body, signed here with that key, so the
 * body parser behind the signature is reached too.  Checks what relay.h
 * states: on 0 the copies exist and the fields are terminated and in range;
 * on refusal a reason and nothing owned.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "relay/relay.h"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static char pub64[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_ORIGINAL)];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (sodium_init() < 0) abort();
    unsigned char seed[crypto_sign_SEEDBYTES] = {7};
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_bin2base64(pub64, sizeof pub64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

static void terminated(const char *s, size_t cap)
{
    if (!memchr(s, '\0', cap)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char *msg = NULL;
    size_t len;
    if (data[0] & 1) {
        char *body = ww_asprintf("%.*s", (int)(size - 1), (const char *)data + 1);
        unsigned char sig[crypto_sign_BYTES];
        crypto_sign_detached(sig, NULL, (const unsigned char *)body, strlen(body), sk);
        char s64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(s64, sizeof s64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
        json_t *j = json_pack("{s:i,s:s,s:s,s:s}", "v", 1, "op", "review", "body", body, "sig", s64);
        free(body);
        msg = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (!msg) return 0; /* not UTF-8: jansson refuses it, as the hub would */
        len = strlen(msg);
    } else {
        msg = malloc(size - 1 ? size - 1 : 1);
        memcpy(msg, data + 1, size - 1);
        len = size - 1;
    }
    char *b = NULL, *s = NULL;
    struct relay_review rv;
    const char *why = NULL;
    int rc = relay_review_verify(msg, len, pub64, "st-3f2a9c1d", &b, &s, &rv, &why);
    if (rc == 0) {
        if (!b || !s || why) abort();
        terminated(rv.review_id, sizeof rv.review_id);
        terminated(rv.reviewer, sizeof rv.reviewer);
        terminated(rv.result, sizeof rv.result);
        terminated(rv.assessed_on, sizeof rv.assessed_on);
        if (strcmp(rv.station, "st-3f2a9c1d") || rv.ward_id <= 0 || rv.year < 2000 || rv.year > 2100 ||
            rv.criterion < 1 || strlen(rv.review_id) < 8 || !rv.reviewer[0])
            abort();
        if (rv.notes && strlen(rv.notes) > 4000) abort();
    } else if (rc != WW_EINVAL || b || s || !why || rv.notes) {
        abort();
    }
    relay_review_clear(&rv);
    free(b);
    free(s);
    free(msg);
    return 0;
}
