/*
 * test_http.c — the HTTP module's pure parts: router matching (literals beat
 * parameters, tails, 405 Allow lists), path splitting and percent-decoding
 * (no smuggled '/'), query strings, cookies, Range headers, listen
 * addresses and the sign-in rate limiter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "http/internal.h"

static int h_a(struct http_req *r, void *u) { (void)r; (void)u; return 0; }
static int h_b(struct http_req *r, void *u) { (void)r; (void)u; return 1; }

/* Splits a literal path with the real splitter. */
static void split(struct http_arena *a, const char *p, const char ***segs, size_t *n)
{
    assert_int_equal(http_path_split(a, p, strlen(p), segs, n), 0);
}

static void test_router_match(void **state)
{
    (void)state;
    struct http_router r;
    struct http_arena a = {0};
    http_router_init(&r);
    int tag_list = 1, tag_get = 2, tag_map = 3, tag_post = 4, tag_vendor = 5;
    assert_int_equal(http_router_add(&r, "GET", "/api/v1/cameras", h_a, &tag_list, 0), 0);
    assert_int_equal(http_router_add(&r, "GET", "/api/v1/cameras/{id}", h_a, &tag_get, 0), 0);
    assert_int_equal(http_router_add(&r, "GET", "/api/v1/cameras/map", h_b, &tag_map, 0), 0);
    assert_int_equal(http_router_add(&r, "POST", "/api/v1/cameras", h_a, &tag_post, 7), 0);
    assert_int_equal(http_router_add(&r, "GET", "/vendor/*", h_a, &tag_vendor, 0), 0);
    /* duplicates and malformed patterns are refused */
    assert_int_equal(http_router_add(&r, "GET", "/api/v1/cameras/{cam}", h_a, NULL, 0), WW_ECONFLICT);
    assert_int_equal(http_router_add(&r, "GET", "no-slash", h_a, NULL, 0), WW_EINVAL);
    assert_int_equal(http_router_add(&r, "GET", "/a/{b", h_a, NULL, 0), WW_EINVAL);
    assert_int_equal(http_router_add(&r, "BREW", "/a", h_a, NULL, 0), WW_EINVAL);
    assert_int_equal(http_router_add(&r, "GET", "/a/*/b", h_a, NULL, 0), WW_EINVAL);

    const char **segs;
    size_t n;
    struct http_match m;
    split(&a, "/api/v1/cameras/17", &segs, &n);
    assert_int_equal(http_router_match(&r, "GET", segs, n, &m), 0);
    assert_ptr_equal(m.route->ud, &tag_get);
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.params[0].key, "{id}");
    assert_string_equal(m.params[0].value, "17");

    /* the literal wins whatever the registration order */
    split(&a, "/api/v1/cameras/map", &segs, &n);
    assert_int_equal(http_router_match(&r, "GET", segs, n, &m), 0);
    assert_ptr_equal(m.route->ud, &tag_map);

    /* HEAD is GET; trailing slash and doubled slashes do not matter */
    split(&a, "//api/v1/cameras/", &segs, &n);
    assert_int_equal(http_router_match(&r, "HEAD", segs, n, &m), 0);
    assert_ptr_equal(m.route->ud, &tag_list);
    assert_int_equal(http_router_match(&r, "POST", segs, n, &m), 0);
    assert_ptr_equal(m.route->ud, &tag_post);
    assert_int_equal(m.route->flags, 7);

    /* 405 with the methods that would work */
    assert_int_equal(http_router_match(&r, "DELETE", segs, n, &m), -EOPNOTSUPP);
    assert_string_equal(m.allow, "GET, HEAD, POST");

    /* no match */
    split(&a, "/api/v1/cameras/17/extra", &segs, &n);
    assert_int_equal(http_router_match(&r, "GET", segs, n, &m), WW_ENOTFOUND);
    split(&a, "/api/v1", &segs, &n);
    assert_int_equal(http_router_match(&r, "GET", segs, n, &m), WW_ENOTFOUND);

    /* tail */
    split(&a, "/vendor/chart.js/dist/chart.umd.js", &segs, &n);
    assert_int_equal(http_router_match(&r, "GET", segs, n, &m), 0);
    assert_ptr_equal(m.route->ud, &tag_vendor);
    assert_string_equal(m.params[0].key, "*");
    split(&a, "/vendor", &segs, &n);
    assert_int_equal(http_router_match(&r, "GET", segs, n, &m), WW_ENOTFOUND);

    http_router_free(&r);
    http_arena_free(&a);
}

static void test_path_split(void **state)
{
    (void)state;
    struct http_arena a = {0};
    const char **segs;
    size_t n;
    split(&a, "/a%20b/c%C3%A1", &segs, &n);
    assert_int_equal(n, 2);
    assert_string_equal(segs[0], "a b");
    assert_string_equal(segs[1], "c\xC3\xA1");
    split(&a, "/", &segs, &n);
    assert_int_equal(n, 0);
    /* an encoded '/' would let "..%2F.." past a segment check: refused */
    const char *bad[] = {"/a%2Fb", "/a%2fb", "/%00", "/a%zz", "/a%4", "/a%"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(http_path_split(&a, bad[i], strlen(bad[i]), &segs, &n), WW_EINVAL);
    /* '+' is not a space in paths */
    split(&a, "/a+b", &segs, &n);
    assert_string_equal(segs[0], "a+b");
    /* too many segments */
    char many[200] = "";
    for (int i = 0; i < HTTP_MAX_SEGMENTS + 1; i++) strcat(many, "/x");
    assert_int_equal(http_path_split(&a, many, strlen(many), &segs, &n), WW_EINVAL);
    http_arena_free(&a);
}

static void test_query_parse(void **state)
{
    (void)state;
    struct http_arena a = {0};
    struct http_kv *kv;
    size_t n;
    assert_int_equal(http_query_parse(&a, "from=2026-11-25T10%3A00%3A00%2B07%3A00&q=a+b&flag&&x=", &kv, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(kv[0].key, "from");
    assert_string_equal(kv[0].value, "2026-11-25T10:00:00+07:00");
    assert_string_equal(kv[1].key, "q");
    assert_string_equal(kv[1].value, "a b");
    assert_string_equal(kv[2].key, "flag");
    assert_string_equal(kv[2].value, "");
    assert_string_equal(kv[3].key, "x");
    assert_string_equal(kv[3].value, "");
    assert_int_equal(http_query_parse(&a, "", &kv, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(http_query_parse(&a, "a=%G1", &kv, &n), WW_EINVAL);
    assert_int_equal(http_query_parse(&a, "a=%00", &kv, &n), WW_EINVAL);
    /* bounded number of keys */
    char big[1024] = "";
    for (int i = 0; i < HTTP_MAX_QUERY_KEYS + 1; i++) strcat(big, "k=v&");
    assert_int_equal(http_query_parse(&a, big, &kv, &n), WW_EINVAL);
    http_arena_free(&a);
}

static void test_cookie(void **state)
{
    (void)state;
    struct http_arena a = {0};
    const char *h = "theme=dark; ww_session=abc-DEF_123;  other=\"q\"";
    const char *v = http_cookie_get(&a, h, "ww_session");
    assert_non_null(v);
    assert_string_equal(v, "abc-DEF_123");
    assert_string_equal(http_cookie_get(&a, h, "other"), "q");
    assert_null(http_cookie_get(&a, h, "ww_sess"));
    assert_null(http_cookie_get(&a, "xww_session=1", "ww_session"));
    assert_null(http_cookie_get(&a, NULL, "ww_session"));
    assert_string_equal(http_cookie_get(&a, "ww_session=", "ww_session"), "");
    http_arena_free(&a);
}

static void test_range(void **state)
{
    (void)state;
    uint64_t off, len;
    assert_int_equal(http_range_parse("bytes=0-99", 1000, &off, &len), 1);
    assert_true(off == 0 && len == 100);
    assert_int_equal(http_range_parse("bytes=900-", 1000, &off, &len), 1);
    assert_true(off == 900 && len == 100);
    assert_int_equal(http_range_parse("bytes=-10", 1000, &off, &len), 1);
    assert_true(off == 990 && len == 10);
    assert_int_equal(http_range_parse("bytes=990-5000", 1000, &off, &len), 1);
    assert_true(off == 990 && len == 10);
    assert_int_equal(http_range_parse("bytes=-5000", 1000, &off, &len), 1);
    assert_true(off == 0 && len == 1000);
    assert_int_equal(http_range_parse("bytes=1000-", 1000, &off, &len), -ERANGE);
    assert_int_equal(http_range_parse("bytes=0-1", 0, &off, &len), -ERANGE);
    assert_int_equal(http_range_parse("bytes=5-1", 1000, &off, &len), WW_EINVAL);
    assert_int_equal(http_range_parse("bytes=x-1", 1000, &off, &len), WW_EINVAL);
    assert_int_equal(http_range_parse("bytes=-", 1000, &off, &len), WW_EINVAL);
    assert_int_equal(http_range_parse("bytes=99999999999999999999999-", 1000, &off, &len), WW_EINVAL);
    assert_int_equal(http_range_parse("bytes=0-1,5-6", 1000, &off, &len), 0);
    assert_int_equal(http_range_parse("items=0-1", 1000, &off, &len), 0);
    assert_int_equal(http_range_parse(NULL, 1000, &off, &len), 0);
}

static void test_listen_parse(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    unsigned len;
    bool v6;
    assert_int_equal(http_listen_parse("127.0.0.1:8080", &ss, &len, &v6), 0);
    assert_false(v6);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(http_listen_parse("[::1]:0", &ss, &len, &v6), 0);
    assert_true(v6);
    assert_int_equal(http_listen_parse("localhost:1", &ss, &len, &v6), 0);
    assert_int_equal(http_listen_parse("127.0.0.1", &ss, &len, &v6), WW_EINVAL);
    assert_int_equal(http_listen_parse("127.0.0.1:65536", &ss, &len, &v6), WW_EINVAL);
    assert_int_equal(http_listen_parse("nohost.example:80", &ss, &len, &v6), WW_EINVAL);
    assert_int_equal(http_listen_parse(":80", &ss, &len, &v6), WW_EINVAL);
    assert_int_equal(http_listen_parse("[::1:80", &ss, &len, &v6), WW_EINVAL);
}

static void test_ratelimit(void **state)
{
    (void)state;
    struct http_ratelimit rl;
    http_rl_init(&rl);
    int64_t t = 1000000000;
    for (int i = 0; i < 4; i++) assert_int_equal(http_rl_fail(&rl, "u:bob", 5, t), 0);
    assert_int_equal(http_rl_check(&rl, "u:bob", t), 0);
    assert_int_equal(http_rl_fail(&rl, "u:bob", 5, t), 30);        /* 5th: locked 30 s */
    assert_int_equal(http_rl_check(&rl, "u:bob", t + 1000000), 29);
    assert_int_equal(http_rl_check(&rl, "u:alice", t), 0);        /* others unaffected */
    assert_int_equal(http_rl_check(&rl, "u:bob", t + 31000000), 0); /* lock over */
    assert_int_equal(http_rl_fail(&rl, "u:bob", 5, t + 31000000), 60); /* grows */
    assert_int_equal(http_rl_fail(&rl, "u:bob", 5, t + 92000000), 120);
    for (int i = 0; i < 30; i++) http_rl_fail(&rl, "u:bob", 5, t + 200000000);
    assert_int_equal(http_rl_check(&rl, "u:bob", t + 200000000), 15 * 60); /* capped */
    http_rl_clear(&rl, "u:bob");
    assert_int_equal(http_rl_check(&rl, "u:bob", t + 200000000), 0);
    /* stale entries are forgotten after the window */
    for (int i = 0; i < 3; i++) http_rl_fail(&rl, "u:carol", 5, t);
    int64_t later = t + rl.window_us + 1;
    for (int i = 0; i < 4; i++) assert_int_equal(http_rl_fail(&rl, "u:carol", 5, later), 0);
    /* bounded table */
    char key[32];
    for (int i = 0; i < HTTP_RL_MAX_KEYS + 100; i++) {
        snprintf(key, sizeof key, "a:10.0.%d.%d", i / 256, i % 256);
        http_rl_fail(&rl, key, 10, t + i);
    }
    assert_true(rl.n <= HTTP_RL_MAX_KEYS);
    http_rl_free(&rl);

    /* A table full of locks evicts none of them: new keys are refused. */
    http_rl_init(&rl);
    int64_t t2 = 1000000000;
    for (int i = 0; i < HTTP_RL_MAX_KEYS; i++) {
        snprintf(key, sizeof key, "u:flood%d", i);
        assert_true(http_rl_fail(&rl, key, 1, t2 + i) > 0);
    }
    assert_true(http_rl_fail(&rl, "u:newcomer", 5, t2 + 5000) > 0);
    const char *nk[1] = {"u:newcomer2"};
    static const int lim1[1] = {5};
    assert_true(http_rl_begin(&rl, nk, lim1, 1, t2 + 5000) > 0);
    assert_true(http_rl_check(&rl, "u:flood0", t2 + 5000) > 0);  /* still locked */
    http_rl_free(&rl);

    /* Parallel attempts: at most `limit` admitted before any of them ends. */
    http_rl_init(&rl);
    const char *pk[2] = {"u:eve", "a:10.9.9.9"};
    static const int lim2[2] = {5, 10};
    static const bool clr[2] = {true, false};
    int admitted = 0;
    for (int i = 0; i < 40; i++) admitted += http_rl_begin(&rl, pk, lim2, 2, t2) == 0;
    assert_int_equal(admitted, 5);
    for (int i = 0; i < admitted; i++) http_rl_end(&rl, pk, lim2, clr, 2, false, t2);
    assert_true(http_rl_check(&rl, "u:eve", t2) > 0);               /* 5 failures: locked */
    /* after the lock, one attempt at a time */
    int64_t t3 = t2 + 31000000;
    assert_int_equal(http_rl_begin(&rl, pk, lim2, 2, t3), 0);
    assert_true(http_rl_begin(&rl, pk, lim2, 2, t3) > 0);
    http_rl_end(&rl, pk, lim2, clr, 2, true, t3);                    /* success clears eve */
    assert_int_equal(http_rl_check(&rl, "u:eve", t3), 0);
    http_rl_free(&rl);
}

static void test_mime(void **state)
{
    (void)state;
    assert_string_equal(http_mime_type("web/app.js"), "text/javascript; charset=utf-8");
    assert_string_equal(http_mime_type("index.HTML"), "text/html; charset=utf-8");
    assert_string_equal(http_mime_type("a.b/noext"), "application/octet-stream");
    assert_string_equal(http_mime_type("x.mp4"), "video/mp4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router_match), cmocka_unit_test(test_path_split),
        cmocka_unit_test(test_query_parse), cmocka_unit_test(test_cookie),
        cmocka_unit_test(test_range), cmocka_unit_test(test_listen_parse),
        cmocka_unit_test(test_ratelimit), cmocka_unit_test(test_mime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
