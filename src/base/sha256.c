/*
 * sha256.c — the program's one SHA-256: the audit chain, session-token
 * digests, criteria evidence names, export files and bundle manifests all
 * hash through here, so every stored digest comes from the same code.
 *
 * Why OpenSSL's libcrypto and not libsodium (which the program links for
 * argon2id, random bytes and base64): libcrypto uses the CPU's SHA
 * extensions.  Measured on the build box (1 MiB updates): libcrypto
 * ~1.2 GB/s, libsodium's portable C ~0.19 GB/s.  An hour of a 4 Mbit/s
 * stream is 1.8 GB, and the export benchmark (README, target ≤ 2× cat)
 * would fail with libsodium.  The digest is the same either way (FIPS
 * 180-4), so swapping the backend is this file alone.
 *
 * Invariant: a state lives from ww_sha256_init to ww_sha256_final(_hex),
 * which frees it; it is used by one thread at a time.  Allocation or
 * library failure aborts, as ww_malloc does: it means the box is out of
 * memory and no caller could do better.
 */
#include "base/base.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void must(int ok, const char *what)
{
    if (ok == 1) return;
    fprintf(stderr, "wardwatch: SHA-256: %s failed\n", what);
    abort();
}

void ww_sha256_init(struct ww_sha256 *h)
{
    assert(h);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    must(ctx != NULL, "EVP_MD_CTX_new");
    must(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), "EVP_DigestInit_ex");
    h->impl = ctx;
}

void ww_sha256_update(struct ww_sha256 *h, const void *p, size_t n)
{
    assert(h && h->impl && (p || !n));
    if (n) must(EVP_DigestUpdate(h->impl, p, n), "EVP_DigestUpdate");
}

void ww_sha256_final(struct ww_sha256 *h, uint8_t out[WW_SHA256_BYTES])
{
    assert(h && h->impl);
    unsigned len = 0;
    must(EVP_DigestFinal_ex(h->impl, out, &len), "EVP_DigestFinal_ex");
    assert(len == WW_SHA256_BYTES);
    EVP_MD_CTX_free(h->impl);
    h->impl = NULL;
}

void ww_hex(const uint8_t *bin, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bin[i] >> 4];
        out[2 * i + 1] = digits[bin[i] & 15];
    }
    out[2 * n] = 0;
}

void ww_sha256_final_hex(struct ww_sha256 *h, char out[WW_SHA256_HEX])
{
    uint8_t md[WW_SHA256_BYTES];
    ww_sha256_final(h, md);
    ww_hex(md, sizeof md, out);
}

void ww_sha256(const void *p, size_t n, uint8_t out[WW_SHA256_BYTES])
{
    struct ww_sha256 h;
    ww_sha256_init(&h);
    ww_sha256_update(&h, p, n);
    ww_sha256_final(&h, out);
}

void ww_sha256_hex(const void *p, size_t n, char out[WW_SHA256_HEX])
{
    struct ww_sha256 h;
    ww_sha256_init(&h);
    ww_sha256_update(&h, p, n);
    ww_sha256_final_hex(&h, out);
}

/* 1 MiB reads: large enough that the hash, not the syscalls, sets the pace. */
int ww_sha256_file(const char *path, char out[WW_SHA256_HEX])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    size_t cap = 1 << 20;
    uint8_t *buf = ww_malloc(cap);
    struct ww_sha256 h;
    ww_sha256_init(&h);
    ssize_t n;
    while ((n = read(fd, buf, cap)) > 0) ww_sha256_update(&h, buf, (size_t)n);
    int err = n < 0 ? -errno : 0;
    free(buf);
    close(fd);
    ww_sha256_final_hex(&h, out);
    return err;
}
