/*
 * rtsp_auth.c — answering a camera's 401: Basic and Digest (RFC 2617).
 *
 * A camera may offer several WWW-Authenticate challenges; we keep the
 * strongest we can answer (Digest SHA-256 [RFC 7616] over Digest MD5, each
 * also in its -sess form, over Basic) and use
 * it for every later request of the session, Digest with a nonce count that
 * increases per request.  qop=auth is used when offered, else the RFC 2069
 * form without nc/cnonce; auth-int is not (it would hash every body).
 *
 * Bounds: a challenge is parsed within its given length; each parameter
 * value is capped (MAX_PARAM) so a hostile camera cannot make us allocate
 * much.  The password only ever lives in the caller's string and in the
 * hash context of the moment; the digests on the stack are wiped.
 * Not done: userhash=true (the username hashed) — no camera seen asks it.
 */
#include "ingest/internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <libavutil/base64.h>
#include <libavutil/md5.h>

#include "base/base.h"

#define MAX_PARAM 1024

static void to_hex(const uint8_t *dig, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[dig[i] >> 4];
        out[2 * i + 1] = hx[dig[i] & 15];
    }
    out[2 * n] = 0;
}

static bool is_sha(enum rtsp_digest_alg alg) { return alg == RTSP_DIGEST_SHA256 || alg == RTSP_DIGEST_SHA256_SESS; }
static bool is_sess(enum rtsp_digest_alg alg) { return alg == RTSP_DIGEST_MD5_SESS || alg == RTSP_DIGEST_SHA256_SESS; }

/* H(the strings joined by ':') in hex, with the algorithm's hash (a NULL
 * ends the list).  The contexts hold the password for a moment: MD5's is
 * freed by libavutil, the digest bytes here are wiped. */
static void hash_join(enum rtsp_digest_alg alg, char out[65], const char *first, ...)
{
    uint8_t dig[WW_SHA256_BYTES];
    va_list ap;
    va_start(ap, first);
    if (is_sha(alg)) {
        struct ww_sha256 h;
        ww_sha256_init(&h);
        int k = 0;
        for (const char *s = first; s; s = va_arg(ap, const char *)) {
            if (k++) ww_sha256_update(&h, ":", 1);
            ww_sha256_update(&h, s, strlen(s));
        }
        ww_sha256_final(&h, dig);
        to_hex(dig, WW_SHA256_BYTES, out);
    } else {
        struct AVMD5 *m = av_md5_alloc();
        if (!m) { memset(out, '0', 32); out[32] = 0; va_end(ap); return; }   /* a wrong answer, the camera refuses */
        av_md5_init(m);
        int k = 0;
        for (const char *s = first; s; s = va_arg(ap, const char *)) {
            if (k++) av_md5_update(m, (const uint8_t *)":", 1);
            av_md5_update(m, (const uint8_t *)s, strlen(s));
        }
        av_md5_final(m, dig);
        av_free(m);
        to_hex(dig, 16, out);
    }
    va_end(ap);
    explicit_bzero(dig, sizeof dig);
}

void rtsp_digest(const char *user, const char *realm, const char *pass, const char *method,
                 const char *uri, const char *nonce, const char *nc, const char *cnonce,
                 const char *qop, enum rtsp_digest_alg alg, char out[65])
{
    char ha1[65], ha2[65];
    hash_join(alg, ha1, user, realm, pass, NULL);
    if (is_sess(alg)) {
        char base[65];
        memcpy(base, ha1, sizeof base);
        hash_join(alg, ha1, base, nonce, cnonce ? cnonce : "", NULL);
        explicit_bzero(base, sizeof base);
    }
    hash_join(alg, ha2, method, uri, NULL);
    if (qop)
        hash_join(alg, out, ha1, nonce, nc, cnonce, qop, ha2, NULL);
    else
        hash_join(alg, out, ha1, nonce, ha2, NULL);
    explicit_bzero(ha1, sizeof ha1);
}

/* Reads one auth-param (name=token or name="quoted \" string") at *i.
 * Returns false at the end of the list. */
static bool next_param(const char *v, size_t len, size_t *i, const char **name, size_t *nlen,
                       char *val, size_t vcap)
{
    size_t k = *i;
    while (k < len && (v[k] == ' ' || v[k] == '\t' || v[k] == ',')) k++;
    if (k >= len) return false;
    size_t ns = k;
    while (k < len && v[k] != '=' && v[k] != ',' && v[k] != ' ') k++;
    *name = v + ns;
    *nlen = k - ns;
    while (k < len && v[k] == ' ') k++;
    size_t o = 0;
    val[0] = 0;
    if (k < len && v[k] == '=') {
        k++;
        while (k < len && v[k] == ' ') k++;
        if (k < len && v[k] == '"') {
            k++;
            while (k < len && v[k] != '"') {
                if (v[k] == '\\' && k + 1 < len) k++;
                if (o + 1 < vcap) val[o++] = v[k];
                k++;
            }
            if (k < len) k++; /* closing quote */
        } else {
            while (k < len && v[k] != ',' && v[k] != ' ') {
                if (o + 1 < vcap) val[o++] = v[k];
                k++;
            }
        }
        val[o] = 0;
    }
    *i = k;
    return true;
}

static bool name_is(const char *n, size_t nl, const char *want)
{
    return nl == strlen(want) && !strncasecmp(n, want, nl);
}

/* "auth,auth-int" contains the token "auth"? */
static bool has_token(const char *list, const char *tok)
{
    size_t tl = strlen(tok);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',') p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ') e++;
        if ((size_t)(e - p) == tl && !strncasecmp(p, tok, tl)) return true;
        p = e;
    }
    return false;
}

static void new_cnonce(struct rtsp_auth *a)
{
    uint8_t r[8] = {0};
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        /* no entropy source: the cnonce only needs to differ per session */
        uint64_t t = (uint64_t)ww_mono_us() ^ (uint64_t)(uintptr_t)a;
        memcpy(r, &t, sizeof r);
    }
    for (int i = 0; i < 8; i++) snprintf(a->cnonce + 2 * i, 3, "%02x", r[i]);
}

int rtsp_auth_challenge(struct rtsp_auth *a, const char *v, size_t len)
{
    size_t i = 0;
    while (i < len && v[i] == ' ') i++;
    size_t ss = i;
    while (i < len && v[i] != ' ') i++;
    const char *scheme = v + ss;
    size_t sl = i - ss;
    if (name_is(scheme, sl, "Basic")) {
        if (a->scheme == RTSP_AUTH_DIGEST) return WW_EINVAL; /* keep the stronger */
        char *val = ww_malloc(MAX_PARAM);
        const char *n;
        size_t nl;
        free(a->realm);
        a->realm = NULL;
        while (next_param(v, len, &i, &n, &nl, val, MAX_PARAM))
            if (name_is(n, nl, "realm")) { free(a->realm); a->realm = ww_strdup(val); }
        free(val);
        a->scheme = RTSP_AUTH_BASIC;
        return 0;
    }
    if (!name_is(scheme, sl, "Digest")) return WW_EINVAL;
    char *val = ww_malloc(MAX_PARAM);
    char *realm = NULL, *nonce = NULL, *opaque = NULL;
    bool qop_auth = false, stale = false, bad_alg = false;
    enum rtsp_digest_alg alg = RTSP_DIGEST_MD5;
    const char *n;
    size_t nl;
    while (next_param(v, len, &i, &n, &nl, val, MAX_PARAM)) {
        if (name_is(n, nl, "realm")) { free(realm); realm = ww_strdup(val); }
        else if (name_is(n, nl, "nonce")) { free(nonce); nonce = ww_strdup(val); }
        else if (name_is(n, nl, "opaque")) { free(opaque); opaque = ww_strdup(val); }
        else if (name_is(n, nl, "qop")) qop_auth = has_token(val, "auth");
        else if (name_is(n, nl, "stale")) stale = !strcasecmp(val, "true");
        else if (name_is(n, nl, "algorithm")) {
            if (!strcasecmp(val, "MD5")) alg = RTSP_DIGEST_MD5;
            else if (!strcasecmp(val, "MD5-sess")) alg = RTSP_DIGEST_MD5_SESS;
            else if (!strcasecmp(val, "SHA-256")) alg = RTSP_DIGEST_SHA256;
            else if (!strcasecmp(val, "SHA-256-sess")) alg = RTSP_DIGEST_SHA256_SESS;
            else bad_alg = true;
        }
    }
    free(val);
    /* a weaker Digest than the one kept is not taken (same strength: the
     * newer challenge, e.g. a stale nonce, replaces it) */
    bool weaker = a->scheme == RTSP_AUTH_DIGEST && is_sha(a->alg) && !is_sha(alg);
    if (bad_alg || !nonce || weaker) {
        free(realm); free(nonce); free(opaque);
        return WW_EINVAL;
    }
    free(a->realm); free(a->nonce); free(a->opaque);
    a->realm = realm ? realm : ww_strdup("");
    a->nonce = nonce;
    a->opaque = opaque;
    a->qop_auth = qop_auth;
    a->alg = alg;
    a->stale = stale;
    a->nc = 0;
    a->scheme = RTSP_AUTH_DIGEST;
    new_cnonce(a);
    return 0;
}

/* name="value" with '"' and '\\' escaped and control characters dropped,
 * so neither a camera's realm nor a username can break the header line. */
static void quoted(struct ww_buf *b, const char *name, const char *v)
{
    ww_buf_printf(b, "%s=\"", name);
    for (; *v; v++) {
        if ((unsigned char)*v < 0x20 || *v == 0x7f) continue;
        if (*v == '"' || *v == '\\') ww_buf_append(b, "\\", 1);
        ww_buf_append(b, v, 1);
    }
    ww_buf_append(b, "\"", 1);
}

char *rtsp_auth_header(struct rtsp_auth *a, const char *user, const char *pass,
                       const char *method, const char *uri)
{
    if (!user) user = "";
    if (!pass) pass = "";
    if (a->scheme == RTSP_AUTH_BASIC) {
        char *plain = ww_asprintf("%s:%s", user, pass);
        size_t pl = strlen(plain);
        size_t bl = AV_BASE64_SIZE(pl);
        char *out = ww_malloc(bl + 6);
        memcpy(out, "Basic ", 6);
        av_base64_encode(out + 6, (int)bl, (const uint8_t *)plain, (int)pl);
        explicit_bzero(plain, pl);
        free(plain);
        return out;
    }
    if (a->scheme != RTSP_AUTH_DIGEST) return NULL;
    char resp[65], nc[9];
    a->nc++;
    snprintf(nc, sizeof nc, "%08x", a->nc);
    rtsp_digest(user, a->realm, pass, method, uri, a->nonce, nc, a->cnonce,
                a->qop_auth ? "auth" : NULL, a->alg, resp);
    struct ww_buf b = {0};
    ww_buf_printf(&b, "Digest ");
    quoted(&b, "username", user);
    quoted(&b, ", realm", a->realm);
    quoted(&b, ", nonce", a->nonce);
    quoted(&b, ", uri", uri);
    ww_buf_printf(&b, ", response=\"%s\"", resp);
    static const char *const alg_name[] = {NULL, "MD5-sess", "SHA-256", "SHA-256-sess"};
    if (alg_name[a->alg]) ww_buf_printf(&b, ", algorithm=%s", alg_name[a->alg]);
    if (a->opaque) quoted(&b, ", opaque", a->opaque);
    if (a->qop_auth) ww_buf_printf(&b, ", qop=auth, nc=%s, cnonce=\"%s\"", nc, a->cnonce);
    ww_buf_append(&b, "", 1);
    return (char *)b.data;
}

void rtsp_auth_free(struct rtsp_auth *a)
{
    free(a->realm);
    free(a->nonce);
    free(a->opaque);
    memset(a, 0, sizeof *a);
}
