/* Unit tests for base/'s one SHA-256: the FIPS 180-4 vectors ("", "abc",
 * a million 'a'), incremental updates in odd pieces equal to the one-shot
 * digest, agreement with libsodium's implementation (which produced every
 * digest stored before the two were merged), the file digest, and an audit
 * row's hash, whose value was computed by the pre-merge (libsodium) code and
 * independently from the documented field encoding. */
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
#include <unistd.h>

#include "base/base.h"
#include "catalog/cat_audit.h"

static void test_known_vectors(void **st)
{
    (void)st;
    char hex[WW_SHA256_HEX];
    ww_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ww_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ww_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    size_t n = 1000000;
    char *a = malloc(n);
    memset(a, 'a', n);
    ww_sha256_hex(a, n, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

/* Pieces of 1, 63, 64, 65 … bytes cross every block boundary case. */
static void test_incremental_equals_one_shot(void **st)
{
    (void)st;
    size_t n = 1 << 20;
    uint8_t *buf = malloc(n);
    for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)(i * 2654435761u >> 13);
    uint8_t one[WW_SHA256_BYTES], inc[WW_SHA256_BYTES];
    ww_sha256(buf, n, one);
    static const size_t pieces[] = {1, 63, 64, 65, 0, 127, 4096, 100003};
    struct ww_sha256 h;
    ww_sha256_init(&h);
    size_t at = 0;
    for (size_t k = 0; at < n; k++) {
        size_t p = pieces[k % (sizeof pieces / sizeof *pieces)];
        if (p > n - at) p = n - at;
        ww_sha256_update(&h, buf + at, p);
        at += p;
    }
    ww_sha256_final(&h, inc);
    assert_memory_equal(one, inc, sizeof one);
    free(buf);
}

/* Every length 0..300 and a few large ones: the same bytes as libsodium. */
static void test_same_as_libsodium(void **st)
{
    (void)st;
    assert_true(sodium_init() >= 0);
    size_t n = 3 << 20;
    uint8_t *buf = malloc(n);
    randombytes_buf(buf, n);
    static const size_t big[] = {4095, 65536, 1 << 20, 3 << 20};
    for (size_t len = 0; len < 300 + sizeof big / sizeof *big; len++) {
        size_t l = len < 300 ? len : big[len - 300];
        uint8_t ours[WW_SHA256_BYTES], theirs[crypto_hash_sha256_BYTES];
        ww_sha256(buf, l, ours);
        crypto_hash_sha256(theirs, buf, l);
        if (memcmp(ours, theirs, sizeof ours)) fail_msg("length %zu: digests differ from libsodium's", l);
    }
    free(buf);
}

static void test_file_digest(void **st)
{
    (void)st;
    char path[] = "/tmp/ww-sha256-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    /* 2.5 MiB: more than two of the file reader's 1 MiB reads. */
    size_t n = 5 << 19;
    uint8_t *buf = malloc(n);
    for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)(i % 251);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    close(fd);
    char want[WW_SHA256_HEX], got[WW_SHA256_HEX];
    ww_sha256_hex(buf, n, want);
    assert_int_equal(ww_sha256_file(path, got), 0);
    assert_string_equal(got, want);
    unlink(path);
    assert_int_equal(ww_sha256_file(path, got), -ENOENT);
    free(buf);
}

/* The audit chain's hashes are stored: the merge must not change them. */
static void test_audit_hash_unchanged(void **st)
{
    (void)st;
    struct catalog_audit a = {.id = 7, .at_us = 1764680000123456, .user_id = 3, .username = "nguyen.van.a",
                          .action = "live_view", .camera_id = 12,
                          .detail = "{\"stream\":\"main\",\"ghi chú\":\"đường\"}"};
    char out[CATALOG_AUDIT_HASH_HEX];
    catalog_audit_hash(&a, "0000000000000000000000000000000000000000000000000000000000000000", out);
    assert_string_equal(out, "6d02ee7c2736cf0eefddb6ff9f97d2713251cdf2768835078263d50f9c8a3404");
}

static void test_hex(void **st)
{
    (void)st;
    char out[9];
    ww_hex((const uint8_t *)"\x00\x9f\xa0\xff", 4, out);
    assert_string_equal(out, "009fa0ff");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors),
        cmocka_unit_test(test_incremental_equals_one_shot),
        cmocka_unit_test(test_same_as_libsodium),
        cmocka_unit_test(test_file_digest),
        cmocka_unit_test(test_audit_hash_unchanged),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
