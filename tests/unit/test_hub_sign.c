/* Unit tests for hub → station request signing (http/hubsign.c) and the
 * hub's forwarding checks (province/forward.c): the canonical string, sign
 * and verify (every signed field matters, another key fails, malformed
 * claims and signatures are refused), the v2 string with the body's SHA-256
 * (a v1 signature is not a v2 one; another body breaks it), the two POST
 * targets, the hub's check of a forwarded POST body, the station's answer
 * signature, the nonce table (replay, ageing out, full), and which paths,
 * queries and station URLs the hub accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>

#include <sodium.h>

#include "http/http.h"
#include "province/province.h"

static const struct http_hub_claim base = {
    .method = "GET", .target = "/api/v1/cameras/3/snapshot?stream=sub", .time_s = 1764816000,
    .nonce = "0123456789abcdef0123456789abcdef", .station = "st-3f2a", .user = "lan.nguyen", .role = "province",
};

static void test_canonical(void **state)
{
    (void)state;
    char *s = http_hub_canonical(&base);
    assert_non_null(s);
    assert_string_equal(s, "wardwatch-hub-request-v1\nGET\n/api/v1/cameras/3/snapshot?stream=sub\n1764816000\n"
                           "0123456789abcdef0123456789abcdef\nst-3f2a\nlan.nguyen\nprovince\n");
    free(s);
    /* a field that could smuggle a line, or is out of its set, makes no string */
    struct http_hub_claim c = base;
    const char *bad_users[] = {"a\nb", "", "có dấu", "x y", NULL};
    for (int i = 0; bad_users[i]; i++) {
        c.user = bad_users[i];
        assert_null(http_hub_canonical(&c));
    }
    c = base;
    c.target = "/a b";
    assert_null(http_hub_canonical(&c));
    c.target = "api/v1/x"; /* not absolute */
    assert_null(http_hub_canonical(&c));
    c = base;
    c.nonce = "0123456789ABCDEF0123456789abcdef"; /* upper case */
    assert_null(http_hub_canonical(&c));
    c.nonce = "0123";
    assert_null(http_hub_canonical(&c));
    c = base;
    c.station = "ST-1";
    assert_null(http_hub_canonical(&c));
    c = base;
    c.role = "Admin";
    assert_null(http_hub_canonical(&c));
    c = base;
    c.time_s = 0;
    assert_null(http_hub_canonical(&c));
    c = base;
    c.method = "get";
    assert_null(http_hub_canonical(&c));
}

static void test_sign_verify(void **state)
{
    (void)state;
    unsigned char pk[32], sk[64], pk2[32], sk2[64];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    char sig[HTTP_HUB_SIG_B64];
    assert_int_equal(http_hub_sign(&base, sk, sig), 0);
    assert_int_equal(strlen(sig), 88);
    assert_int_equal(http_hub_verify(&base, sig, pk), 0);
    assert_int_equal(http_hub_verify(&base, sig, pk2), WW_EAUTH); /* another key */
    char sig2[HTTP_HUB_SIG_B64];
    assert_int_equal(http_hub_sign(&base, sk2, sig2), 0);
    assert_int_equal(http_hub_verify(&base, sig2, pk), WW_EAUTH); /* signed by someone else */

    /* each signed field changed on its own breaks the signature */
    struct http_hub_claim c[8];
    for (int i = 0; i < 8; i++) c[i] = base;
    c[0].method = "POST";
    c[1].target = "/api/v1/cameras/4/snapshot?stream=sub";
    c[2].time_s = base.time_s + 1;
    c[3].nonce = "0123456789abcdef0123456789abcdee";
    c[4].station = "st-3f2b";
    c[5].user = "lan.nguyen2";
    c[6].role = "admin";
    c[7].target = "/api/v1/cameras/3/snapshot?stream=main";
    for (int i = 0; i < 8; i++) assert_int_equal(http_hub_verify(&c[i], sig, pk), WW_EAUTH);

    /* a signature that is not 64 bytes of base64 */
    assert_int_equal(http_hub_verify(&base, "", pk), WW_EINVAL);
    assert_int_equal(http_hub_verify(&base, "AAAA", pk), WW_EINVAL);
    assert_int_equal(http_hub_verify(&base, NULL, pk), WW_EINVAL);
    char flipped[HTTP_HUB_SIG_B64];
    memcpy(flipped, sig, sizeof flipped);
    flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
    assert_int_equal(http_hub_verify(&base, flipped, pk), WW_EAUTH);
    /* a malformed claim is not signed */
    struct http_hub_claim bad = base;
    bad.user = "x\ny";
    assert_int_equal(http_hub_sign(&bad, sk, sig), WW_EINVAL);
}

static void test_answer(void **state)
{
    (void)state;
    unsigned char pk[32], sk[64], pk2[32], sk2[64];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    char *s = http_hub_answer_canonical(base.nonce, base.station, base.user);
    assert_string_equal(s, "wardwatch-station-answer-v1\n0123456789abcdef0123456789abcdef\nst-3f2a\nlan.nguyen\n");
    free(s);
    char sig[HTTP_HUB_SIG_B64];
    assert_int_equal(http_hub_answer_sign(base.nonce, base.station, base.user, sk, sig), 0);
    assert_int_equal(http_hub_answer_verify(base.nonce, base.station, base.user, sig, pk), 0);
    assert_int_equal(http_hub_answer_verify(base.nonce, base.station, base.user, sig, pk2), WW_EAUTH);
    /* bound to the request's nonce, the station and the user */
    assert_int_equal(http_hub_answer_verify("0123456789abcdef0123456789abcdee", base.station, base.user, sig, pk),
                     WW_EAUTH);
    assert_int_equal(http_hub_answer_verify(base.nonce, "st-3f2b", base.user, sig, pk), WW_EAUTH);
    assert_int_equal(http_hub_answer_verify(base.nonce, base.station, "lan", sig, pk), WW_EAUTH);
    assert_int_equal(http_hub_answer_verify(base.nonce, base.station, base.user, NULL, pk), WW_EINVAL);
    /* a hub request's signature is not a station answer's (different tag) */
    char req_sig[HTTP_HUB_SIG_B64];
    assert_int_equal(http_hub_sign(&base, sk, req_sig), 0);
    assert_int_equal(http_hub_answer_verify(base.nonce, base.station, base.user, req_sig, pk), WW_EAUTH);
    assert_null(http_hub_answer_canonical("short", base.station, base.user));
}

/* SHA-256("") and SHA-256("abc"), FIPS 180-2's test vectors */
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC_SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void test_canonical_v2(void **state)
{
    (void)state;
    char h[HTTP_HUB_SHA256_HEX];
    http_hub_body_sha256(NULL, 0, h);
    assert_string_equal(h, EMPTY_SHA);
    http_hub_body_sha256("abc", 3, h);
    assert_string_equal(h, ABC_SHA);

    struct http_hub_claim c = base;
    c.method = "POST";
    c.target = "/api/v1/cameras/3/exports";
    c.body_sha256 = ABC_SHA;
    char *s = http_hub_canonical(&c);
    assert_non_null(s);
    assert_string_equal(s, "wardwatch-hub-request-v2\nPOST\n/api/v1/cameras/3/exports\n1764816000\n"
                           "0123456789abcdef0123456789abcdef\nst-3f2a\nlan.nguyen\nprovince\n" ABC_SHA "\n");
    free(s);
    /* the hash is 64 lowercase hex or nothing */
    const char *bad[] = {"", "abc", ABC_SHA "0", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
                         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a\n", NULL};
    for (int i = 0; bad[i]; i++) {
        c.body_sha256 = bad[i];
        assert_null(http_hub_canonical(&c));
    }

    unsigned char pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    char sig[HTTP_HUB_SIG_B64];
    c.body_sha256 = ABC_SHA;
    assert_int_equal(http_hub_sign(&c, sk, sig), 0);
    assert_int_equal(http_hub_verify(&c, sig, pk), 0);
    /* another body's hash, or the same request read as v1, fails */
    struct http_hub_claim d = c;
    d.body_sha256 = EMPTY_SHA;
    assert_int_equal(http_hub_verify(&d, sig, pk), WW_EAUTH);
    d.body_sha256 = NULL;
    assert_int_equal(http_hub_verify(&d, sig, pk), WW_EAUTH);
    /* and a v1 signature is not good for the v2 claim of the same GET */
    char sig1[HTTP_HUB_SIG_B64];
    assert_int_equal(http_hub_sign(&base, sk, sig1), 0);
    struct http_hub_claim g = base;
    g.body_sha256 = EMPTY_SHA;
    assert_int_equal(http_hub_verify(&g, sig1, pk), WW_EAUTH);
    assert_int_equal(http_hub_verify(&base, sig1, pk), 0);
}

static void test_post_targets(void **state)
{
    (void)state;
    const char *ok[] = {"/api/v1/cameras/1/exports", "/api/v1/cameras/1234567890123456789/exports",
                        "/api/v1/search/place/bundle", NULL};
    for (int i = 0; ok[i]; i++) assert_true(http_hub_post_target_ok(ok[i]));
    const char *no[] = {"/api/v1/users", "/api/v1/cameras/1/holds", "/api/v1/cameras/0/exports",
                        "/api/v1/cameras/01/exports", "/api/v1/cameras//exports", "/api/v1/cameras/1/exports?x=1",
                        "/api/v1/cameras/1/exports/", "/api/v1/cameras/1/2/exports", "/api/v1/cameras/%31/exports",
                        "/api/v1/cameras/12345678901234567890/exports", "/api/v1/search/place/bundle?a=b",
                        "/api/v1/search/place/bundle/", "/api/v1/search/place", "/api/v1/exports",
                        "/api/v1/cameras/1/exports/../../../users", "api/v1/search/place/bundle", "", NULL};
    for (int i = 0; no[i]; i++) assert_false(http_hub_post_target_ok(no[i]));
    assert_false(http_hub_post_target_ok(NULL));
}

static void test_post_body(void **state)
{
    (void)state;
    char err[160];
    const char *ex = "/api/v1/cameras/3/exports", *bu = "/api/v1/search/place/bundle";
#define BODY(t, s) prov_forward_post_body(t, s, strlen(s), err, sizeof err)
    char *b = BODY(ex, "{ \"to\": \"2026-12-04T10:10:00+07:00\", \"from\": 1764816000, \"stream\":\"sub\" }");
    assert_non_null(b);
    assert_string_equal(b, "{\"from\":1764816000,\"stream\":\"sub\",\"to\":\"2026-12-04T10:10:00+07:00\"}");
    free(b);
    b = BODY(bu, "{\"lat\":18.67,\"lon\":105.69,\"radius_m\":150,\"from\":1,\"to\":2,\"camera_ids\":[1,2],"
                 "\"note\":\"Vụ 12/2026\"}");
    assert_non_null(b);
    free(b);
    /* refused: another path, not an object, a key twice, a key the route does not read, a wrong type */
    const struct { const char *t, *body, *why; } no[] = {
        {"/api/v1/users", "{}", "only to"},
        {ex, "[1]", "not a JSON object"},
        {ex, "{\"from\":1", "not a JSON object"},
        {ex, "{\"from\":1,\"from\":2}", "not a JSON object"},
        {ex, "{\"from\":1,\"to\":2,\"user_id\":1}", "unknown field 'user_id'"},
        {ex, "{\"from\":true}", "wrong type"},
        {ex, "{\"stream\":1}", "wrong type"},
        {bu, "{\"lat\":\"18\"}", "wrong type"},
        {bu, "{\"camera_ids\":[1,\"2\"]}", "wrong type"},
        {bu, "{\"camera_ids\":[0]}", "wrong type"},
        {bu, "{\"stream\":\"main\"}", "unknown field"},
        {ex, "", "at most"},
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        err[0] = 0;
        b = BODY(no[i].t, no[i].body);
        if (b || !strstr(err, no[i].why))
            fail_msg("body %zu (%s): expected a refusal naming '%s', got %s / '%s'", i, no[i].body, no[i].why,
                     b ? b : "(null)", err);
    }
    /* bounded: one byte over 64 KiB is refused before it is parsed */
    char *big = malloc(HTTP_HUB_BODY_MAX + 2);
    memset(big, ' ', HTTP_HUB_BODY_MAX + 1);
    memcpy(big, "{}", 2);
    big[HTTP_HUB_BODY_MAX + 1] = 0;
    assert_null(prov_forward_post_body(ex, big, HTTP_HUB_BODY_MAX + 1, err, sizeof err));
    assert_non_null(strstr(err, "at most"));
    b = prov_forward_post_body(ex, big, HTTP_HUB_BODY_MAX, err, sizeof err);
    assert_string_equal(b, "{}");
    free(b);
    free(big);
#undef BODY
}

static struct http_hub_nonces table; /* big: not on the stack */

static void nonce_of(int i, char out[33])
{
    snprintf(out, 33, "%032x", i);
}

static void test_nonces(void **state)
{
    (void)state;
    http_hub_nonces_init(&table);
    char n[33];
    nonce_of(1, n);
    int64_t t0 = 1764816000;
    assert_int_equal(http_hub_nonce_take(&table, n, t0), 0);
    assert_int_equal(http_hub_nonce_take(&table, n, t0 + 1), WW_ECONFLICT);
    assert_int_equal(http_hub_nonce_take(&table, n, t0 + HTTP_HUB_NONCE_TTL_S), WW_ECONFLICT);
    /* past the TTL it is forgotten (its timestamp is stale by then) */
    assert_int_equal(http_hub_nonce_take(&table, n, t0 + HTTP_HUB_NONCE_TTL_S + 1), 0);
    http_hub_nonces_free(&table);

    /* full: refused, not forgotten early; once they age out there is room */
    http_hub_nonces_init(&table);
    for (int i = 0; i < HTTP_HUB_NONCES; i++) {
        nonce_of(1000 + i, n);
        assert_int_equal(http_hub_nonce_take(&table, n, t0), 0);
    }
    nonce_of(99, n);
    assert_int_equal(http_hub_nonce_take(&table, n, t0 + 5), -ENOSPC);
    nonce_of(1000, n);
    assert_int_equal(http_hub_nonce_take(&table, n, t0 + 5), WW_ECONFLICT);
    nonce_of(99, n);
    assert_int_equal(http_hub_nonce_take(&table, n, t0 + HTTP_HUB_NONCE_TTL_S + 1), 0);
    http_hub_nonces_free(&table);
}

static void test_forward_paths(void **state)
{
    (void)state;
    const char *ok[] = {"cameras/1/snapshot", "cameras/12/live", "cameras/3/timeline", "cameras/3/playback",
                        "exports/7", "exports/7/file", "exports/7/manifest", "exports/7/signature", "events/99/thumbnail", "bundles/4",
                        "bundles/4/bundle.tar", "bundles/4/files/bundle.json", "bundles/4/files/SHA256SUMS", NULL};
    for (int i = 0; ok[i]; i++) assert_true(prov_forward_path_ok(ok[i]));
    const char *no[] = {"users", "cameras/1", "cameras/0/snapshot", "cameras/01/live", "cameras/x/live",
                        "cameras//live", "cameras/1/2/live", "cameras/1/snapshot/x", "exports", "exports/",
                        "exports/1/verify", "owners/1", "audit", "cameras/1/credentials", "exports/../users",
                        "cameras/1/../../users/snapshot", "bundles/4/files/cam1.mp4", "bundles/4/verify",
                        "cameras/1/exports", "search/place/bundle", "", NULL};
    for (int i = 0; no[i]; i++) assert_false(prov_forward_path_ok(no[i]));

    assert_true(prov_forward_query_ok("at=2026-12-04T02%3A00%3A00Z&to=1764816000"));
    assert_true(prov_forward_query_ok(""));
    assert_false(prov_forward_query_ok("a=b c"));
    assert_false(prov_forward_query_ok("a=\"x\""));

    assert_true(prov_station_url_ok("http://127.0.0.1:8080"));
    assert_true(prov_station_url_ok("https://ward-3.example.vn"));
    assert_true(prov_station_url_ok("http://[::1]:8080"));
    assert_false(prov_station_url_ok("http://127.0.0.1:8080/api"));
    assert_false(prov_station_url_ok("ftp://x"));
    assert_false(prov_station_url_ok("http://"));
    assert_false(prov_station_url_ok("http://a@b"));

    struct http_user admin = {.username = "a", .role = CATALOG_ROLE_ADMIN};
    struct http_user prov = {.username = "p", .role = CATALOG_ROLE_PROVINCE};
    struct http_user officer = {.username = "o", .role = CATALOG_ROLE_OFFICER, .ward_id = 3};
    struct http_user viewer = {.username = "v", .role = CATALOG_ROLE_VIEWER};
    assert_true(prov_forward_allowed(&admin, NULL, "st-1"));
    assert_true(prov_forward_allowed(&prov, NULL, "st-1"));
    /* a ward-officer signed in at the hub: its own station only */
    assert_true(prov_forward_allowed(&officer, "st-1", "st-1"));
    assert_false(prov_forward_allowed(&officer, "st-1", "st-2"));
    assert_false(prov_forward_allowed(&officer, NULL, "st-1"));
    assert_false(prov_forward_allowed(&viewer, NULL, "st-1"));
    assert_false(prov_forward_allowed(NULL, NULL, "st-1"));
    assert_false(prov_forward_allowed(&admin, NULL, NULL));

    /* the hub's own failures as the route answers them */
    assert_int_equal(prov_fwd_http_status(-ENOENT), 404);
    assert_int_equal(prov_fwd_http_status(-ENODATA), 409);
    assert_int_equal(prov_fwd_http_status(-EHOSTUNREACH), 502);
    assert_int_equal(prov_fwd_http_status(-EIO), 503);
    assert_int_equal(prov_fwd_http_status(-ENOKEY), 500);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_canonical_v2),
        cmocka_unit_test(test_post_targets),
        cmocka_unit_test(test_post_body),
        cmocka_unit_test(test_answer),
        cmocka_unit_test(test_nonces),
        cmocka_unit_test(test_forward_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
