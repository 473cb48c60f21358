/*
 * test_http_guard.c — the console's connection deadlines and per-address
 * limit (issue 11 item 10).
 *
 * First the guard alone, on socket pairs: a slot past its phase's deadline
 * has its socket shut down (the peer reads end-of-stream), a slot being
 * answered never does, and a phase change restarts the clock.  Then a real
 * server on 127.0.0.1 (free port; header and body deadlines 1 s, 4
 * connections per address): headers trickled a byte every 200 ms are cut
 * off at the header deadline although bytes keep coming (MHD's own timeout
 * would restart on each); so is a body trickled after its headers; a
 * streamed response longer than both deadlines arrives whole; an idle
 * kept-alive connection is closed after the header deadline but serves a
 * request sent before it; a fifth connection from one address is refused
 * while one from 127.0.0.2 is served.  Every socket has a 5 s timeout and
 * every wait is bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/internal.h"

#define MS 1000LL

/* Milliseconds until fd reads end-of-stream (or an error), at most
 * limit_ms; -1 if it is still open then.  Data read on the way is dropped. */
static int64_t ms_until_eof(int fd, int64_t t0, int64_t limit_ms)
{
    for (;;) {
        int64_t left = limit_ms - (ww_mono_us() - t0) / MS;
        if (left <= 0) return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, (int)left);
        if (n <= 0) continue;
        char buf[4096];
        ssize_t k = recv(fd, buf, sizeof buf, 0);
        if (k <= 0) return (ww_mono_us() - t0) / MS;
    }
}

/* ---- the guard alone -------------------------------------------------------- */

static void test_guard_deadlines(void **state)
{
    (void)state;
    struct http_guard g;
    assert_int_equal(http_guard_init(&g, 300 * MS, 700 * MS, 4, 16), 0);
    int head[2], body[2], resp[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, head), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, body), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, resp), 0);
    int64_t t0 = ww_mono_us();
    struct http_guard_slot *sh = http_guard_add(&g, head[0], "10.0.0.1");
    struct http_guard_slot *sb = http_guard_add(&g, body[0], "10.0.0.2");
    struct http_guard_slot *sr = http_guard_add(&g, resp[0], "10.0.0.3");
    http_guard_phase(&g, sr, HTTP_GUARD_RESPONSE);
    usleep(200 * 1000);
    /* headers in after 200 ms: the body's 700 ms start now, not at 0 */
    http_guard_phase(&g, sb, HTTP_GUARD_BODY);
    int64_t tb = ww_mono_us();

    int64_t h = ms_until_eof(head[1], t0, 2000);
    printf("HEAD slot closed after %lld ms (deadline 300)\n", (long long)h);
    assert_true(h >= 290 && h <= 1000);
    int64_t b = ms_until_eof(body[1], tb, 2500);
    printf("BODY slot closed %lld ms after its headers (deadline 700)\n", (long long)b);
    assert_true(b >= 690 && b <= 1400);
    /* a response has no deadline: still open well past both */
    assert_int_equal(ms_until_eof(resp[1], t0, 1500), -1);

    struct http_guard_stats st;
    http_guard_get_stats(&g, &st);
    assert_int_equal(st.open, 3);
    assert_int_equal(st.closed_head, 1);
    assert_int_equal(st.closed_body, 1);
    /* a kept-alive connection back to waiting: its clock restarts */
    int64_t tk = ww_mono_us();
    http_guard_phase(&g, sr, HTTP_GUARD_HEAD);
    int64_t k = ms_until_eof(resp[1], tk, 2000);
    printf("kept-alive slot closed %lld ms after its response (deadline 300)\n", (long long)k);
    assert_true(k >= 290 && k <= 1000);

    http_guard_remove(&g, sh);
    http_guard_remove(&g, sb);
    http_guard_remove(&g, sr);
    http_guard_remove(&g, NULL);
    http_guard_phase(&g, NULL, HTTP_GUARD_BODY);
    http_guard_get_stats(&g, &st);
    assert_int_equal(st.open, 0);
    http_guard_free(&g);
    for (int i = 0; i < 2; i++) { close(head[i]); close(body[i]); close(resp[i]); }
    struct http_guard zero = {0};
    http_guard_free(&zero); /* never started: a no-op */
}

/* ---- a real server ------------------------------------------------------------- */

static char dir[64];
static struct http_server *srv;
static unsigned port;

static int dial_from(const char *src)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (src) {
        struct sockaddr_in b = {.sin_family = AF_INET};
        inet_pton(AF_INET, src, &b.sin_addr);
        assert_int_equal(bind(fd, (struct sockaddr *)&b, sizeof b), 0);
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void send_str(int fd, const char *s)
{
    assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Reads one response's head (up to the blank line); returns its status, or
 * 0 if the connection ended first. */
static int read_status(int fd)
{
    char buf[8192];
    size_t n = 0;
    while (n < sizeof buf - 1) {
        ssize_t k = recv(fd, buf + n, 1, 0);
        if (k <= 0) return 0;
        n += (size_t)k;
        buf[n] = 0;
        if (strstr(buf, "\r\n\r\n")) break;
    }
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    return status;
}

struct ticker { int n; };

/* 25 pieces, one every 100 ms: a 2.5 s response, longer than both deadlines. */
static ssize_t tick_read(void *ctx, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct ticker *t = ctx;
    if (t->n >= 25) return HTTP_STREAM_END;
    if (max < 8) return 0;
    usleep(100 * 1000);
    t->n++;
    memcpy(buf, "tick...\n", 8);
    return 8;
}

static int h_ticks(struct http_req *req, void *ud)
{
    (void)ud;
    struct ticker *t = ww_calloc(1, sizeof *t);
    return http_respond_stream(req, 200, "text/plain", -1, tick_read, t, free);
}

static int h_ok(struct http_req *req, void *ud)
{
    (void)ud;
    return http_respond_json(req, 200, json_pack("{s:b}", "ok", 1));
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ww-guard-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char *db = ww_asprintf("%s/wardwatch.db", dir);
    catalog_t *cat;
    assert_int_equal(catalog_open(db, CATALOG_CREATE, &cat), 0);
    catalog_close(cat);
    char *web = ww_asprintf("%s/web", dir);
    ww_mkdirs(web, 0755);
    struct http_config cfg = {.listen = "127.0.0.1:0", .db_path = db, .web_dir = web,
                              .max_conn_per_ip = 4, .header_timeout_us = 1000 * MS,
                              .body_timeout_us = 1000 * MS};
    assert_int_equal(http_server_start(&cfg, &srv), 0);
    free(db);
    free(web);
    port = http_server_port(srv);
    assert_int_equal(http_route(srv, "GET", "/api/v1/t/ticks", h_ticks, NULL, HTTP_PUBLIC), 0);
    assert_int_equal(http_route(srv, "GET", "/api/v1/t/ok", h_ok, NULL, HTTP_PUBLIC), 0);
    assert_int_equal(http_route(srv, "POST", "/api/v1/t/ok", h_ok, NULL, HTTP_PUBLIC), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_server_stop(srv);
    char *cmd = ww_asprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    free(cmd);
    return 0;
}

/* Headers a byte every 200 ms: bytes keep coming, the deadline holds. */
static void test_trickled_headers(void **state)
{
    (void)state;
    int fd = dial_from(NULL);
    int64_t t0 = ww_mono_us();
    const char *req = "GET /api/v1/t/ok HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    int64_t cut = -1;
    for (size_t i = 0; req[i] && ww_mono_us() - t0 < 4000 * MS; i++) {
        if (send(fd, req + i, 1, MSG_NOSIGNAL) != 1) { cut = (ww_mono_us() - t0) / MS; break; }
        int64_t e = ms_until_eof(fd, ww_mono_us(), 200);
        if (e >= 0) { cut = (ww_mono_us() - t0) / MS; break; }
    }
    printf("trickled headers cut off after %lld ms (header deadline 1000)\n", (long long)cut);
    assert_true(cut >= 950 && cut <= 2500);
    close(fd);
}

/* Headers at once, then the body a byte every 200 ms. */
static void test_trickled_body(void **state)
{
    (void)state;
    int fd = dial_from(NULL);
    send_str(fd, "POST /api/v1/t/ok HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 "Content-Length: 100\r\n\r\n");
    int64_t t0 = ww_mono_us(), cut = -1;
    for (int i = 0; i < 100 && ww_mono_us() - t0 < 4000 * MS; i++) {
        if (send(fd, " ", 1, MSG_NOSIGNAL) != 1) { cut = (ww_mono_us() - t0) / MS; break; }
        int64_t e = ms_until_eof(fd, ww_mono_us(), 200);
        if (e >= 0) { cut = (ww_mono_us() - t0) / MS; break; }
    }
    printf("trickled body cut off %lld ms after its headers (body deadline 1000)\n", (long long)cut);
    assert_true(cut >= 950 && cut <= 2500);
    close(fd);
}

/* A 2.5 s stream is answered whole, then the idle kept-alive connection
 * still serves a prompt second request, and is closed ~1 s after that. */
static void test_responses_have_no_deadline(void **state)
{
    (void)state;
    int fd = dial_from(NULL);
    send_str(fd, "GET /api/v1/t/ticks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    int64_t t0 = ww_mono_us();
    assert_int_equal(read_status(fd), 200);
    /* the chunked body: 25 × "tick...\n", then the last chunk */
    char buf[4096];
    size_t got = 0;
    char all[8192];
    while (got < sizeof all - 1 && ww_mono_us() - t0 < 6000 * MS) {
        ssize_t k = recv(fd, buf, sizeof buf, 0);
        if (k <= 0) break;
        memcpy(all + got, buf, (size_t)k < sizeof all - 1 - got ? (size_t)k : sizeof all - 1 - got);
        got += (size_t)k;
        all[got < sizeof all ? got : sizeof all - 1] = 0;
        if (strstr(all, "\r\n0\r\n\r\n")) break;
    }
    int ticks = 0;
    for (const char *p = all; (p = strstr(p, "tick...")); p++) ticks++;
    int64_t took = (ww_mono_us() - t0) / MS;
    printf("stream: %d of 25 pieces in %lld ms\n", ticks, (long long)took);
    assert_int_equal(ticks, 25);
    assert_true(took >= 2000);
    /* kept alive: a request sent at once is served */
    usleep(300 * 1000);
    send_str(fd, "GET /api/v1/t/ok HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_int_equal(read_status(fd), 200);
    int64_t t1 = ww_mono_us();
    int64_t idle = ms_until_eof(fd, t1, 4000);
    printf("idle kept-alive connection closed after %lld ms (header deadline 1000)\n", (long long)idle);
    assert_true(idle >= 900 && idle <= 2500);
    close(fd);
}

/* 4 held from 127.0.0.1: a 5th from there is refused, 127.0.0.2 is served. */
static void test_per_address_limit(void **state)
{
    (void)state;
    usleep(300 * 1000); /* the earlier tests' connections are gone from MHD's count */
    int held[4];
    for (int i = 0; i < 4; i++) {
        held[i] = dial_from("127.0.0.1");
        send_str(held[i], "GET /api/v1/t/ok HTTP/1.1\r\n");
    }
    usleep(200 * 1000);
    int extra = dial_from("127.0.0.1");
    const char *full = "GET /api/v1/t/ok HTTP/1.1\r\nHost: x\r\n\r\n";
    if (send(extra, full, strlen(full), MSG_NOSIGNAL) < 0) { /* refused already: fine */ }
    int st = read_status(extra);
    printf("5th connection from 127.0.0.1: status %d (0 = closed)\n", st);
    assert_int_equal(st, 0);
    close(extra);
    int other = dial_from("127.0.0.2");
    send_str(other, "GET /api/v1/t/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    st = read_status(other);
    printf("connection from 127.0.0.2 meanwhile: status %d\n", st);
    assert_int_equal(st, 200);
    close(other);
    /* after the header deadline the held ones are gone and the address may
     * connect again */
    int64_t t0 = ww_mono_us();
    for (int i = 0; i < 4; i++) assert_true(ms_until_eof(held[i], t0, 3000) >= 0);
    for (int i = 0; i < 4; i++) close(held[i]);
    usleep(100 * 1000);
    int again = dial_from("127.0.0.1");
    send_str(again, "GET /api/v1/t/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_int_equal(read_status(again), 200);
    close(again);
}

int main(void)
{
    const struct CMUnitTest alone[] = {cmocka_unit_test(test_guard_deadlines)};
    const struct CMUnitTest server[] = {
        cmocka_unit_test(test_trickled_headers),
        cmocka_unit_test(test_trickled_body),
        cmocka_unit_test(test_responses_have_no_deadline),
        cmocka_unit_test(test_per_address_limit),
    };
    int rc = cmocka_run_group_tests(alone, NULL, NULL);
    return rc | cmocka_run_group_tests(server, setup, teardown);
}
