/*
 * fuzz_http.c — the HTTP parsing wardwatch does itself on top of
 * libmicrohttpd (http/parse.c): the request target (path split, percent
 * decoding, query string), the Cookie header, the Range header and the
 * --listen address.
 *
 * Input: fields separated by '\n', in this order: raw path, query string,
 * Cookie header, Range header, listen address.  Missing fields are skipped.
 * Range answers are checked against their contract: a 206 range lies inside
 * the body and is not empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "http/internal.h"

static void range_check(const char *hdr)
{
    static const uint64_t sizes[] = {0, 1, 1000, (uint64_t)1 << 40, UINT64_MAX};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        uint64_t off = 0, len = 0;
        if (http_range_parse(hdr, sizes[i], &off, &len) == 1)
            if (len == 0 || off >= sizes[i] || len > sizes[i] - off) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *field[5] = {0};
    char *p = copy;
    for (int i = 0; i < 5 && p; i++) {
        field[i] = p;
        p = strchr(p, '\n');
        if (p) *p++ = '\0';
    }
    struct http_arena a = {0};
    if (field[0]) {
        const char **segs;
        size_t nsegs;
        if (http_path_split(&a, field[0], strlen(field[0]), &segs, &nsegs) == 0) {
            if (nsegs > HTTP_MAX_SEGMENTS) abort();
            for (size_t i = 0; i < nsegs; i++)
                if (!segs[i][0] || strchr(segs[i], '/')) abort();
        }
        char *dec;
        http_url_decode(&a, field[0], strlen(field[0]), true, &dec);
    }
    if (field[1]) {
        struct http_kv *kv;
        size_t n;
        if (http_query_parse(&a, field[1], &kv, &n) == 0 && n > HTTP_MAX_QUERY_KEYS) abort();
    }
    if (field[2]) {
        http_cookie_get(&a, field[2], HTTP_COOKIE_NAME);
        http_cookie_get(&a, field[2], "lang");
    }
    if (field[3]) range_check(field[3]);
    if (field[4]) {
        struct sockaddr_storage ss;
        unsigned len;
        bool v6;
        http_listen_parse(field[4], &ss, &len, &v6);
    }
    http_arena_free(&a);
    free(copy);
    return 0;
}
