/* Unit tests for hub → station request signing (http/hubsign.c) and the
 * hub's forwarding checks (province/forward.c): the canonical string, sign
 * and verify (every signed field matters, another key fails, malformed
 * claims and signatures are refused), the station's answer signature, the nonce table (replay, ageing out,
 * full), and which paths, queries and station URLs the hub accepts. */
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
                        "exports/7", "exports/7/file", "exports/7/manifest", "events/99/thumbnail", NULL};
    for (int i = 0; ok[i]; i++) assert_true(prov_forward_path_ok(ok[i]));
    const char *no[] = {"users", "cameras/1", "cameras/0/snapshot", "cameras/01/live", "cameras/x/live",
                        "cameras//live", "cameras/1/2/live", "cameras/1/snapshot/x", "exports", "exports/",
                        "exports/1/verify", "owners/1", "audit", "cameras/1/credentials", "exports/../users",
                        "cameras/1/../../users/snapshot", "", NULL};
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
        cmocka_unit_test(test_answer),
        cmocka_unit_test(test_nonces),
        cmocka_unit_test(test_forward_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
