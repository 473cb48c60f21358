/*
 * test_http_server.c — a real server on 127.0.0.1 (free port) driven with
 * raw HTTP/1.1 over sockets: routing and the error format, body caps
 * (413), CSRF, the streaming API (chunked body from a callback that waits,
 * a known-length stream, a client that leaves, shutdown during a stream),
 * file ranges (206/416), counted bodies (http_resp_count: bytes handed
 * over, once per request), static files with traversal attempts, and the
 * session gate (401).  Every socket has a 5 s timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "http/http.h"

static char dir[64];
static struct http_server *srv;
static unsigned port;
static atomic_int stream_freed, slow_calls;

/* ---- a tiny client ---------------------------------------------------------- */

struct resp { int status; char *head; char *body; size_t body_len; };

static void resp_free(struct resp *r) { free(r->head); free(r->body); memset(r, 0, sizeof *r); }

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* De-chunks body in place if the head says chunked. */
static void dechunk(struct resp *r)
{
    if (!strcasestr(r->head, "Transfer-Encoding: chunked")) return;
    char *in = r->body, *out = r->body;
    size_t left = r->body_len, n = 0;
    while (left) {
        char *end;
        unsigned long sz = strtoul(in, &end, 16);
        char *crlf = strstr(in, "\r\n");
        if (!crlf) break;
        left -= (size_t)(crlf + 2 - in);
        in = crlf + 2;
        if (sz == 0 || sz > left) break;
        memmove(out + n, in, sz);
        n += sz;
        in += sz + 2;
        left -= sz + 2 <= left ? sz + 2 : left;
    }
    r->body_len = n;
    r->body[n] = 0;
}

/* Sends raw (Connection: close is added by callers) and reads to EOF. */
static struct resp roundtrip(const char *raw, size_t rawlen)
{
    int fd = dial();
    assert_int_equal(write(fd, raw, rawlen), (ssize_t)rawlen);
    struct ww_buf b = {0};
    char buf[8192];
    ssize_t k;
    while ((k = read(fd, buf, sizeof buf)) > 0) ww_buf_append(&b, buf, (size_t)k);
    close(fd);
    ww_buf_append(&b, "", 1);
    struct resp r = {0};
    char *s = (char *)b.data;
    char *sep = strstr(s, "\r\n\r\n");
    assert_non_null(sep);
    r.head = strndup(s, (size_t)(sep - s));
    size_t blen = b.len - 1 - (size_t)(sep + 4 - s);
    r.body = ww_malloc(blen + 1);
    memcpy(r.body, sep + 4, blen);
    r.body[blen] = 0;
    r.body_len = blen;
    sscanf(s, "HTTP/1.%*d %d", &r.status);
    ww_buf_free(&b);
    dechunk(&r);
    return r;
}

static struct resp get(const char *path, const char *extra)
{
    char *raw = ww_asprintf("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%sConnection: close\r\n\r\n",
                            path, port, extra ? extra : "");
    struct resp r = roundtrip(raw, strlen(raw));
    free(raw);
    return r;
}

static struct resp send_body(const char *method, const char *path, const char *headers,
                             const char *body)
{
    char *raw = ww_asprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%sContent-Length: %zu\r\n"
                            "Connection: close\r\n\r\n%s", method, path, port, headers,
                            strlen(body), body);
    struct resp r = roundtrip(raw, strlen(raw));
    free(raw);
    return r;
}

#define EXPECT_STATUS(r, want)                                                           \
    do {                                                                                 \
        if ((r).status != (want))                                                        \
            printf("expected status %d, got %d; head:\n%s\nbody: %.300s\n", want,        \
                   (r).status, (r).head, (r).body);                                      \
        assert_int_equal((r).status, want);                                              \
    } while (0)

/* ---- routes under test -------------------------------------------------------- */

struct counter { int n, limit; };

static ssize_t count_read(void *ctx, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct counter *c = ctx;
    if (c->n >= c->limit) return HTTP_STREAM_END;
    if (c->n % 2 == 1 && c->n < 6) { /* "nothing yet" twice: the server must call again */
        c->n++;
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
        return 0;
    }
    int k = snprintf(buf, max, "line %d\n", c->n++);
    return k;
}

static void count_free(void *ctx)
{
    free(ctx);
    stream_freed++;
}

static int h_stream(struct http_req *req, void *ud)
{
    (void)ud;
    struct counter *c = ww_calloc(1, sizeof *c);
    c->limit = 10;
    return http_respond_stream(req, 200, "text/plain", -1, count_read, c, count_free);
}

static ssize_t fixed_read(void *ctx, uint64_t pos, char *buf, size_t max)
{
    (void)ctx;
    static const char text[] = "0123456789";
    if (pos >= 10) return HTTP_STREAM_END;
    size_t n = 10 - (size_t)pos < max ? 10 - (size_t)pos : max;
    memcpy(buf, text + pos, n);
    return (ssize_t)n;
}

static int h_fixed(struct http_req *req, void *ud)
{
    (void)ud;
    return http_respond_stream(req, 200, "text/plain", 10, fixed_read, NULL, NULL);
}

/* Never ends by itself: waits, sends a byte now and then. */
static ssize_t slow_read(void *ctx, uint64_t pos, char *buf, size_t max)
{
    (void)ctx; (void)max;
    slow_calls++;
    struct timespec ts = {0, 100 * 1000000};
    nanosleep(&ts, NULL);
    if (pos % 2) return 0;
    buf[0] = 'x';
    return 1;
}

static int h_slow(struct http_req *req, void *ud)
{
    (void)ud;
    int *tag = ww_calloc(1, sizeof *tag);
    return http_respond_stream(req, 200, "application/octet-stream", -1, slow_read, tag, count_free);
}

static int h_file(struct http_req *req, void *ud)
{
    (void)ud;
    char *p = ww_asprintf("%s/seg.bin", dir);
    int rc = http_respond_file(req, p, "video/mp4");
    free(p);
    return rc;
}

/* Counted bodies (http_resp_count): the hook's last report. */
static pthread_mutex_t sent_mu = PTHREAD_MUTEX_INITIALIZER;
static struct http_sent last_sent;
static int sent_calls;
static bool sent_had_cat;

static void on_sent(void *arg, catalog_t *cat, const struct http_sent *s)
{
    pthread_mutex_lock(&sent_mu);
    last_sent = *s;
    sent_calls++;
    sent_had_cat = cat != NULL;
    pthread_mutex_unlock(&sent_mu);
    free(arg);
}

static int h_cfile(struct http_req *req, void *ud)
{
    (void)ud;
    http_resp_count(req, on_sent, ww_strdup("owned by the hook"));
    const char *name = http_req_query(req, "name");
    char *p = ww_asprintf("%s/%s", dir, name ? name : "seg.bin");
    int rc = http_respond_file(req, p, "video/mp4");
    free(p);
    return rc;
}

static int h_cdata(struct http_req *req, void *ud)
{
    (void)ud;
    http_resp_count(req, on_sent, NULL);
    return http_respond_data(req, 200, "application/json", "{\"a\":12345}", 11);
}

static int h_echo(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"name", "n", NULL};
    json_t *body;
    const char *name;
    int64_t n = 0;
    int rc;
    if ((rc = http_req_json(req, fields, &body))) return rc;
    if ((rc = http_json_str(req, body, "name", true, 1, 5, &name)) < 0) return rc;
    if ((rc = http_json_i64(req, body, "n", false, 0, 10, &n)) < 0) return rc;
    int64_t q;
    if ((rc = http_req_query_i64(req, "q", 0, 100, 7, &q))) return rc;
    return http_respond_json(req, 200, json_pack("{s:s,s:I,s:I,s:s}", "name", name, "n",
                                                 (json_int_t)n, "q", (json_int_t)q, "id",
                                                 http_req_param(req, "id")));
}

static int h_fail(struct http_req *req, void *ud)
{
    (void)ud;
    return http_fail(req, WW_ECONFLICT, "already there");
}

/* ---- fixtures ------------------------------------------------------------------- */

static void write_file(const char *rel, const char *data, size_t n)
{
    char *p = ww_asprintf("%s/%s", dir, rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(data, 1, n, f);
    fclose(f);
    free(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ww-http-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char *p = ww_asprintf("%s/web/sub", dir);
    ww_mkdirs(p, 0755);
    free(p);
    write_file("web/index.html", "<!doctype html><title>t</title>", 31);
    write_file("web/sub/app.js", "export const x = 1;\n", 20);
    write_file("web/.hidden", "no", 2);
    write_file("secret.txt", "top secret", 10);
    p = ww_asprintf("%s/web/link.txt", dir);
    char *t = ww_asprintf("%s/secret.txt", dir);
    assert_int_equal(symlink(t, p), 0);
    free(p);
    free(t);
    char seg[1000];
    for (int i = 0; i < 1000; i++) seg[i] = (char)('a' + i % 26);
    write_file("seg.bin", seg, sizeof seg);

    char *db = ww_asprintf("%s/wardwatch.db", dir);
    catalog_t *cat;
    assert_int_equal(catalog_open(db, CATALOG_CREATE, &cat), 0);
    catalog_close(cat);
    char *web = ww_asprintf("%s/web", dir);
    struct http_config cfg = {.listen = "127.0.0.1:0", .db_path = db, .web_dir = web,
                              .max_body = 4096};
    assert_int_equal(http_server_start(&cfg, &srv), 0);
    free(db);
    free(web);
    port = http_server_port(srv);
    assert_true(port > 0);
    assert_int_equal(http_route(srv, "GET", "/api/v1/t/stream", h_stream, NULL, HTTP_PUBLIC), 0);
    assert_int_equal(http_route(srv, "GET", "/api/v1/t/fixed", h_fixed, NULL, HTTP_PUBLIC), 0);
    assert_int_equal(http_route(srv, "GET", "/api/v1/t/slow", h_slow, NULL, HTTP_PUBLIC), 0);
    assert_int_equal(http_route(srv, "GET", "/api/v1/t/file", h_file, NULL, HTTP_PUBLIC), 0);
    assert_int_equal(http_route(srv, "GET", "/api/v1/t/cfile", h_cfile, NULL, HTTP_PUBLIC), 0);
    assert_int_equal(http_route(srv, "GET", "/api/v1/t/cdata", h_cdata, NULL, HTTP_PUBLIC), 0);
    assert_int_equal(http_route(srv, "POST", "/api/v1/t/echo/{id}", h_echo, NULL, HTTP_PUBLIC), 0);
    assert_int_equal(http_route(srv, "GET", "/api/v1/t/fail", h_fail, NULL, HTTP_PUBLIC), 0);
    assert_int_equal(http_route(srv, "GET", "/api/v1/t/private", h_fail, NULL, 0), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_server_stop(srv);
    srv = NULL;
    char *cmd = ww_asprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
    free(cmd);
    return 0;
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    struct resp r = get("/api/v1/nothing", NULL);
    EXPECT_STATUS(r, 404);
    assert_non_null(strstr(r.body, "\"code\":\"not_found\""));
    assert_non_null(strcasestr(r.head, "Content-Type: application/json"));
    assert_non_null(strcasestr(r.head, "Cache-Control: no-store"));
    resp_free(&r);

    r = get("/api/v1/t/echo/5", NULL);
    EXPECT_STATUS(r, 405);
    assert_non_null(strcasestr(r.head, "Allow: POST"));
    resp_free(&r);

    r = get("/api/v1/t/fail", NULL);
    EXPECT_STATUS(r, 409);
    assert_non_null(strstr(r.body, "{\"error\":{\"code\":\"conflict\",\"message\":\"already there\"}}"));
    resp_free(&r);

    r = get("/api/v1/t/private", NULL);
    EXPECT_STATUS(r, 401);
    resp_free(&r);
    r = get("/api/v1/t/private", "Cookie: ww_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n");
    EXPECT_STATUS(r, 401);
    resp_free(&r);

    r = get("/api/v1/t/%zz", NULL);
    EXPECT_STATUS(r, 400);
    resp_free(&r);
}

static void test_bodies(void **state)
{
    (void)state;
    const char *json = "Content-Type: application/json\r\n";
    struct resp r = send_body("POST", "/api/v1/t/echo/42?q=9", json, "{\"name\":\"ab\",\"n\":3}");
    EXPECT_STATUS(r, 200);
    assert_non_null(strstr(r.body, "\"q\":9"));
    assert_non_null(strstr(r.body, "\"id\":\"42\""));
    resp_free(&r);

    struct { const char *body, *query, *msg; } bad[] = {
        {"{\"name\":\"ab\",\"zzz\":1}", "", "unknown field 'zzz'"},
        {"{\"name\":\"abcdefg\"}", "", "field 'name' must be 1 to 5 characters"},
        {"{\"name\":\"ab\",\"n\":11}", "", "field 'n' must be a whole number from 0 to 10"},
        {"{\"name\":\"ab\",\"n\":\"3\"}", "", "field 'n'"},
        {"{\"name\":1}", "", "field 'name' must be a string"},
        {"{}", "", "field 'name' is required"},
        {"[1]", "", "must be a JSON object"},
        {"{\"name\":", "", "not valid JSON"},
        {"{\"name\":\"a\",\"name\":\"b\"}", "", "not valid JSON"},
        {"{\"name\":\"ab\"}", "?q=abc", "query parameter 'q'"},
        {"{\"name\":\"a\\u0001\"}", "", "control characters"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *path = ww_asprintf("/api/v1/t/echo/1%s", bad[i].query);
        r = send_body("POST", path, json, bad[i].body);
        free(path);
        EXPECT_STATUS(r, 400);
        if (!strstr(r.body, bad[i].msg))
            printf("body %s: expected a message containing \"%s\", got %s\n", bad[i].body,
                   bad[i].msg, r.body);
        assert_non_null(strstr(r.body, bad[i].msg));
        assert_non_null(strstr(r.body, "\"code\":\"bad_request\""));
        resp_free(&r);
    }

    /* over the cap: refused from Content-Length, before reading */
    char *big = ww_malloc(5001);
    memset(big, ' ', 5000);
    big[5000] = 0;
    big[0] = '{';
    big[4999] = '}';
    r = send_body("POST", "/api/v1/t/echo/1", json, big);
    EXPECT_STATUS(r, 413);
    assert_non_null(strstr(r.body, "too_large"));
    resp_free(&r);
    /* over the cap with chunked upload (no Content-Length) */
    char *raw = ww_asprintf("POST /api/v1/t/echo/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n%x\r\n%s\r\n0\r\n\r\n",
                            5000, big);
    r = roundtrip(raw, strlen(raw));
    EXPECT_STATUS(r, 413);
    resp_free(&r);
    free(raw);
    free(big);

    /* CSRF: no JSON content type and no X-Requested-With */
    r = send_body("POST", "/api/v1/t/echo/1", "Content-Type: text/plain\r\n", "{\"name\":\"ab\"}");
    EXPECT_STATUS(r, 403);
    assert_non_null(strstr(r.body, "X-Requested-With"));
    resp_free(&r);
    r = send_body("POST", "/api/v1/t/echo/1", "Content-Type: text/plain\r\nX-Requested-With: x\r\n",
                  "{\"name\":\"ab\"}");
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    /* a foreign Origin is refused */
    r = send_body("POST", "/api/v1/t/echo/1", "Content-Type: application/json\r\nOrigin: http://evil.example\r\n",
                  "{\"name\":\"ab\"}");
    EXPECT_STATUS(r, 403);
    resp_free(&r);
    char *own = ww_asprintf("Content-Type: application/json\r\nOrigin: http://127.0.0.1:%u\r\n", port);
    r = send_body("POST", "/api/v1/t/echo/1", own, "{\"name\":\"ab\"}");
    free(own);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
}

static void test_streams(void **state)
{
    (void)state;
    int before = stream_freed;
    struct resp r = get("/api/v1/t/stream", NULL);
    EXPECT_STATUS(r, 200);
    assert_non_null(strcasestr(r.head, "Transfer-Encoding: chunked"));
    /* lines 0,2,4,6,7,8,9: 1,3,5 were "nothing yet" */
    assert_string_equal(r.body, "line 0\nline 2\nline 4\nline 6\nline 7\nline 8\nline 9\n");
    resp_free(&r);
    for (int i = 0; i < 50 && stream_freed == before; i++) usleep(20000);
    assert_int_equal(stream_freed, before + 1);

    r = get("/api/v1/t/fixed", NULL);
    EXPECT_STATUS(r, 200);
    assert_non_null(strcasestr(r.head, "Content-Length: 10"));
    assert_string_equal(r.body, "0123456789");
    resp_free(&r);

    /* a client that goes away ends the stream and frees its context */
    before = stream_freed;
    int fd = dial();
    char *raw = ww_asprintf("GET /api/v1/t/slow HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(write(fd, raw, strlen(raw)), (ssize_t)strlen(raw));
    free(raw);
    char buf[256];
    assert_true(read(fd, buf, sizeof buf) > 0);
    close(fd);
    for (int i = 0; i < 100 && stream_freed == before; i++) usleep(50000);
    assert_int_equal(stream_freed, before + 1);
}

static void test_file_ranges(void **state)
{
    (void)state;
    struct resp r = get("/api/v1/t/file", NULL);
    EXPECT_STATUS(r, 200);
    assert_int_equal(r.body_len, 1000);
    assert_non_null(strcasestr(r.head, "Accept-Ranges: bytes"));
    resp_free(&r);
    r = get("/api/v1/t/file", "Range: bytes=26-51\r\n");
    EXPECT_STATUS(r, 206);
    assert_int_equal(r.body_len, 26);
    assert_memory_equal(r.body, "abcdefghijklmnopqrstuvwxyz", 26);
    assert_non_null(strcasestr(r.head, "Content-Range: bytes 26-51/1000"));
    resp_free(&r);
    r = get("/api/v1/t/file", "Range: bytes=-4\r\n");
    EXPECT_STATUS(r, 206);
    assert_int_equal(r.body_len, 4);
    resp_free(&r);
    r = get("/api/v1/t/file", "Range: bytes=1000-\r\n");
    EXPECT_STATUS(r, 416);
    assert_non_null(strcasestr(r.head, "Content-Range: bytes */1000"));
    resp_free(&r);
}

/* Waits (bounded) for the hook's n-th report and returns it. */
static struct http_sent sent_wait(int n)
{
    for (int i = 0; i < 250; i++) {
        pthread_mutex_lock(&sent_mu);
        int k = sent_calls;
        pthread_mutex_unlock(&sent_mu);
        if (k >= n) break;
        usleep(20000);
    }
    pthread_mutex_lock(&sent_mu);
    if (sent_calls != n) printf("expected %d reports of a counted body, saw %d\n", n, sent_calls);
    assert_int_equal(sent_calls, n);
    assert_true(sent_had_cat);
    struct http_sent s = last_sent;
    pthread_mutex_unlock(&sent_mu);
    return s;
}

/* http_resp_count (the download audit's hook): exactly one report per
 * request with what was handed over — the whole file, a range (206, its
 * offset and length), a counted buffer, a refused request (404, 0 bytes),
 * and a client that hangs up (fewer bytes than the file, not complete). */
static void test_counted(void **state)
{
    (void)state;
    int n = sent_calls;
    struct resp r = get("/api/v1/t/cfile", NULL);
    EXPECT_STATUS(r, 200);
    assert_int_equal(r.body_len, 1000);
    assert_memory_equal(r.body, "abcdefghij", 10);
    assert_non_null(strcasestr(r.head, "Accept-Ranges: bytes"));
    resp_free(&r);
    struct http_sent s = sent_wait(++n);
    assert_int_equal(s.status, 200);
    assert_int_equal(s.offset, 0);
    assert_int_equal(s.length, 1000);
    assert_int_equal(s.bytes, 1000);
    assert_true(s.complete);

    r = get("/api/v1/t/cfile", "Range: bytes=26-51\r\n");
    EXPECT_STATUS(r, 206);
    assert_int_equal(r.body_len, 26);
    assert_memory_equal(r.body, "abcdefghijklmnopqrstuvwxyz", 26);
    assert_non_null(strcasestr(r.head, "Content-Range: bytes 26-51/1000"));
    resp_free(&r);
    s = sent_wait(++n);
    assert_int_equal(s.status, 206);
    assert_int_equal(s.offset, 26);
    assert_int_equal(s.length, 26);
    assert_int_equal(s.bytes, 26);
    assert_true(s.complete);

    r = get("/api/v1/t/cdata", NULL);
    EXPECT_STATUS(r, 200);
    assert_string_equal(r.body, "{\"a\":12345}");
    resp_free(&r);
    s = sent_wait(++n);
    assert_int_equal(s.bytes, 11);
    assert_true(s.complete);

    r = get("/api/v1/t/cfile?name=gone.bin", NULL);
    EXPECT_STATUS(r, 404);
    resp_free(&r);
    s = sent_wait(++n);
    assert_int_equal(s.status, 404);
    assert_int_equal(s.bytes, 0);
    assert_false(s.complete);

    /* 32 MiB: far more than the socket buffers; the client reads a little
     * and hangs up. */
    char *big = ww_asprintf("%s/big.bin", dir);
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 32 << 20), 0);
    close(fd);
    free(big);
    fd = dial();
    int small = 16384;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    char *raw = ww_asprintf("GET /api/v1/t/cfile?name=big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(write(fd, raw, strlen(raw)), (ssize_t)strlen(raw));
    free(raw);
    char buf[8192];
    size_t got = 0;
    ssize_t k;
    while (got < 100000 && (k = read(fd, buf, sizeof buf)) > 0) got += (size_t)k;
    close(fd);
    s = sent_wait(++n);
    assert_int_equal(s.status, 200);
    assert_int_equal(s.length, 32 << 20);
    assert_true(s.bytes >= got - 200 && s.bytes < (uint64_t)(32 << 20));
    assert_false(s.complete);
}

static void test_static(void **state)
{
    (void)state;
    struct resp r = get("/", NULL);
    EXPECT_STATUS(r, 200);
    assert_non_null(strcasestr(r.head, "Content-Type: text/html"));
    assert_non_null(strcasestr(r.head, "Content-Security-Policy:"));
    resp_free(&r);
    r = get("/sub/app.js", NULL);
    EXPECT_STATUS(r, 200);
    assert_non_null(strcasestr(r.head, "Content-Type: text/javascript"));
    resp_free(&r);
    const char *nope[] = {"/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt",
                          "/sub/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/.hidden",
                          "/link.txt", "/sub", "/missing.js", "/vendor/playwright-core/package.json"};
    for (size_t i = 0; i < sizeof nope / sizeof nope[0]; i++) {
        r = get(nope[i], NULL);
        if (r.status == 200 || strstr(r.body, "top secret"))
            printf("%s: expected a refusal, got %d %.100s\n", nope[i], r.status, r.body);
        assert_true(r.status == 404 || r.status == 400);
        assert_null(strstr(r.body, "top secret"));
        resp_free(&r);
    }
}

/* Stopping the server while a stream is open ends it promptly. */
static void *slow_client(void *arg)
{
    (void)arg;
    int fd = dial();
    const char *raw = "GET /api/v1/t/slow HTTP/1.1\r\nHost: x\r\n\r\n";
    if (write(fd, raw, strlen(raw)) < 0) { close(fd); return NULL; }
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {}
    close(fd);
    return NULL;
}

static void test_stop_during_stream(void **state)
{
    (void)state;
    int before = stream_freed;
    slow_calls = 0;
    pthread_t t;
    pthread_create(&t, NULL, slow_client, NULL);
    for (int i = 0; i < 100 && slow_calls < 3; i++) usleep(20000);
    assert_true(slow_calls >= 3);
    int64_t t0 = ww_mono_us();
    http_server_stop(srv);
    srv = NULL;
    int64_t took = ww_mono_us() - t0;
    pthread_join(t, NULL);
    if (took > 3000000) printf("stop took %lld ms\n", (long long)(took / 1000));
    assert_true(took < 3000000);
    assert_int_equal(stream_freed, before + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),      cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_streams),     cmocka_unit_test(test_file_ranges),
        cmocka_unit_test(test_counted),
        cmocka_unit_test(test_static),      cmocka_unit_test(test_stop_during_stream),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
