/*
 * parse.c — the pure parsing the server does on untrusted input: the
 * per-request arena, percent-decoding, path segments, query strings,
 * cookies, Range headers and listen addresses.
 *
 * Why our own and not MHD's: MHD hands the access handler a path whose
 * escapes are already decoded, so "%2F" and "/" look alike and a static
 * path check would be fooled.  We take the raw target (URI log callback)
 * and decode segment by segment: a decoded '/' or NUL inside a segment is
 * refused, and static.c refuses segments starting with '.'.
 *
 * Invariants: everything returned lives in the request's arena; every loop
 * over input is bounded by the input's length and by the HTTP_MAX_* caps.
 */
#include "http/internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- arena ------------------------------------------------------------- */

struct http_arena_block {
    struct http_arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

#define ARENA_BLOCK 4096

void *http_arena_alloc(struct http_arena *a, size_t n)
{
    size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (need < n) abort(); /* overflow: never from our callers' sizes */
    struct http_arena_block *b = a->head;
    if (!b || b->cap - b->used < need) {
        size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
        b = ww_malloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += need;
    memset(p, 0, n);
    return p;
}

char *http_arena_strndup(struct http_arena *a, const char *s, size_t n)
{
    char *p = http_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void http_arena_free(struct http_arena *a)
{
    while (a->head) {
        struct http_arena_block *b = a->head;
        a->head = b->next;
        free(b);
    }
}

/* ---- decoding ---------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int http_url_decode(struct http_arena *a, const char *s, size_t n, bool plus_space, char **out)
{
    char *d = http_arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n) return WW_EINVAL;
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) return WW_EINVAL;
            c = (char)(hi * 16 + lo);
            if (c == 0) return WW_EINVAL;
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        } else if (c == 0) {
            return WW_EINVAL;
        }
        d[j++] = c;
    }
    d[j] = 0;
    *out = d;
    return 0;
}

int http_path_split(struct http_arena *a, const char *raw, size_t n, const char ***segs,
                    size_t *nsegs)
{
    const char **v = http_arena_alloc(a, HTTP_MAX_SEGMENTS * sizeof *v);
    size_t k = 0, i = 0;
    while (i < n) {
        while (i < n && raw[i] == '/') i++;
        size_t start = i;
        while (i < n && raw[i] != '/') i++;
        if (i == start) break;
        if (k == HTTP_MAX_SEGMENTS) return WW_EINVAL;
        char *seg;
        if (http_url_decode(a, raw + start, i - start, false, &seg)) return WW_EINVAL;
        if (strchr(seg, '/')) return WW_EINVAL;
        v[k++] = seg;
    }
    *segs = v;
    *nsegs = k;
    return 0;
}

int http_query_parse(struct http_arena *a, const char *qs, struct http_kv **kv, size_t *n)
{
    *kv = NULL;
    *n = 0;
    if (!qs || !*qs) return 0;
    struct http_kv *v = http_arena_alloc(a, HTTP_MAX_QUERY_KEYS * sizeof *v);
    size_t k = 0;
    const char *p = qs;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len) {
            if (k == HTTP_MAX_QUERY_KEYS) return WW_EINVAL;
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            char *key, *val;
            if (http_url_decode(a, p, klen, true, &key)) return WW_EINVAL;
            if (eq) {
                if (http_url_decode(a, eq + 1, len - klen - 1, true, &val)) return WW_EINVAL;
            } else {
                val = http_arena_strndup(a, "", 0);
            }
            if (*key) {
                v[k].key = key;
                v[k].value = val;
                k++;
            }
        }
        if (!amp) break;
        p = amp + 1;
    }
    *kv = v;
    *n = k;
    return 0;
}

const char *http_cookie_get(struct http_arena *a, const char *header, const char *name)
{
    if (!header) return NULL;
    size_t nlen = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';') p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq) {
            size_t klen = (size_t)(eq - p);
            while (klen && (p[klen - 1] == ' ' || p[klen - 1] == '\t')) klen--;
            if (klen == nlen && !memcmp(p, name, nlen)) {
                const char *v = eq + 1;
                size_t vlen = len - (size_t)(v - p);
                while (vlen && (*v == ' ' || *v == '\t')) { v++; vlen--; }
                while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) vlen--;
                if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') { v++; vlen -= 2; }
                return http_arena_strndup(a, v, vlen);
            }
        }
        if (!end) break;
        p = end + 1;
    }
    return NULL;
}

/* Parses digits at *p into *v (no sign, no overflow); advances *p. */
static bool parse_u64(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;
    if (!isdigit((unsigned char)*s)) return false;
    while (isdigit((unsigned char)*s)) {
        unsigned d = (unsigned)(*s - '0');
        if (x > (UINT64_MAX - d) / 10) return false;
        x = x * 10 + d;
        s++;
    }
    *p = s;
    *v = x;
    return true;
}

int http_range_parse(const char *hdr, uint64_t size, uint64_t *off, uint64_t *len)
{
    if (!hdr) return 0;
    const char *p = hdr;
    while (*p == ' ') p++;
    if (strncasecmp(p, "bytes=", 6) != 0) return 0;
    p += 6;
    while (*p == ' ') p++;
    if (strchr(p, ',')) return 0; /* several ranges: serve the whole body */
    uint64_t a = 0, b = 0;
    bool have_a = parse_u64(&p, &a);
    while (*p == ' ') p++;
    if (*p != '-') return WW_EINVAL;
    p++;
    while (*p == ' ') p++;
    bool have_b = parse_u64(&p, &b);
    while (*p == ' ') p++;
    if (*p || (!have_a && !have_b)) return WW_EINVAL;
    if (!have_a) {              /* suffix: last b bytes */
        if (b == 0 || size == 0) return -ERANGE;
        if (b > size) b = size;
        *off = size - b;
        *len = b;
        return 1;
    }
    if (a >= size) return -ERANGE;
    if (have_b) {
        if (b < a) return WW_EINVAL;
        if (b >= size) b = size - 1;
    } else {
        b = size - 1;
    }
    *off = a;
    *len = b - a + 1;
    return 1;
}

int http_listen_parse(const char *s, struct sockaddr_storage *ss, unsigned *len, bool *v6)
{
    memset(ss, 0, sizeof *ss);
    if (!s || !*s) return WW_EINVAL;
    const char *colon = strrchr(s, ':');
    if (!colon) return WW_EINVAL;
    int64_t port;
    if (ww_parse_i64(colon + 1, 0, 65535, &port)) return WW_EINVAL;
    size_t hlen = (size_t)(colon - s);
    char host[64];
    if (hlen == 0 || hlen >= sizeof host) return WW_EINVAL;
    memcpy(host, s, hlen);
    host[hlen] = 0;
    if (host[0] == '[') {
        if (hlen < 3 || host[hlen - 1] != ']') return WW_EINVAL;
        host[hlen - 1] = 0;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1) return WW_EINVAL;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        *v6 = true;
        return 0;
    }
    if (!strcmp(host, "localhost")) snprintf(host, sizeof host, "127.0.0.1");
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) return WW_EINVAL;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    *v6 = false;
    return 0;
}
