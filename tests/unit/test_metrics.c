/*
 * test_metrics.c — the Prometheus text writer (api/metrics_text.c), the
 * latency histogram it prints (base ww_hist), and GET /metrics's access
 * rule (api_metrics_allowed): escaping of label values and help texts,
 * cumulative buckets ending in +Inf = _count, the bucket an observation
 * lands in, address lists with prefixes and IPv4-mapped peers, the
 * bearer token read from a file, and the HTTP counters by route pattern
 * (http/stats.c) with their bounded status slots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "http/internal.h"

/* The writer's text as a NUL-terminated string (the caller frees). */
static char *text_of(struct metrics_w *w)
{
    ww_buf_append(&w->out, "", 1);
    char *s = ww_strdup((const char *)w->out.data);
    ww_buf_free(&w->out);
    return s;
}

static void expect_text(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want)) {
        print_error("%s:\n--- expected\n%s--- saw\n%s---\n", what, want, got);
        fail();
    }
}

static void test_escaping(void **state)
{
    (void)state;
    struct metrics_w w = {0};
    metrics_family(&w, "ww_test_total", METRICS_COUNTER, "a \\ backslash\nand a \"quote\" line");
    struct metrics_label l[] = {{"camera", "7"}, {"name", "Cổng \"A\" \\ số 1\nmới"}};
    metrics_int(&w, l, 2, 42);
    metrics_family(&w, "ww_gauge", METRICS_GAUGE, "plain");
    metrics_int(&w, NULL, 0, -3);
    metrics_double(&w, NULL, 0, 0.25);
    char *s = text_of(&w);
    expect_text("escaped family", s,
                "# HELP ww_test_total a \\\\ backslash\\nand a \"quote\" line\n"
                "# TYPE ww_test_total counter\n"
                "ww_test_total{camera=\"7\",name=\"Cổng \\\"A\\\" \\\\ số 1\\nmới\"} 42\n"
                "# HELP ww_gauge plain\n"
                "# TYPE ww_gauge gauge\n"
                "ww_gauge -3\n"
                "ww_gauge 0.25\n");
    free(s);
}

static void test_hist_buckets(void **state)
{
    (void)state;
    struct ww_hist h = {0};
    /* 0 and a bound itself land in that bucket (le = "less or equal"). */
    int64_t obs[] = {0, 500, 501, 1000, 40000, 10000000, 10000001, 99000000, -5};
    for (size_t i = 0; i < sizeof obs / sizeof *obs; i++) ww_hist_observe(&h, obs[i]);
    struct ww_hist_snap sn;
    ww_hist_read(&h, &sn);
    assert_int_equal(sn.count, 9);
    assert_int_equal(sn.n[0], 3);                /* 0, 500, -5 → ≤ 0.5 ms */
    assert_int_equal(sn.n[1], 2);                /* 501, 1000 → ≤ 1 ms */
    assert_int_equal(sn.n[6], 1);                /* 40 ms → ≤ 50 ms */
    assert_int_equal(sn.n[13], 1);               /* 10 s → ≤ 10 s */
    assert_int_equal(sn.n[WW_HIST_BUCKETS], 2);  /* past 10 s → +Inf only */
    assert_int_equal(sn.sum_us, 0 + 500 + 501 + 1000 + 40000 + 10000000 + 10000001 + 99000000 + 0);
}

static void test_hist_text(void **state)
{
    (void)state;
    struct ww_hist h = {0};
    ww_hist_observe(&h, 300);      /* ≤ 0.0005 */
    ww_hist_observe(&h, 2000);     /* ≤ 0.0025 */
    ww_hist_observe(&h, 2000);
    ww_hist_observe(&h, 20000000); /* +Inf */
    struct ww_hist_snap sn;
    ww_hist_read(&h, &sn);
    struct metrics_w w = {0};
    metrics_family(&w, "ww_lat_seconds", METRICS_HISTOGRAM, "latency");
    struct metrics_label l[] = {{"route", "/api/v1/cameras/{id}"}};
    metrics_hist(&w, l, 1, &sn);
    char *s = text_of(&w);
    expect_text("histogram", s,
                "# HELP ww_lat_seconds latency\n"
                "# TYPE ww_lat_seconds histogram\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"0.0005\"} 1\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"0.001\"} 1\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"0.0025\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"0.005\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"0.01\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"0.025\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"0.05\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"0.1\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"0.25\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"0.5\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"1\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"2.5\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"5\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"10\"} 3\n"
                "ww_lat_seconds_bucket{route=\"/api/v1/cameras/{id}\",le=\"+Inf\"} 4\n"
                "ww_lat_seconds_sum{route=\"/api/v1/cameras/{id}\"} 20.0043\n"
                "ww_lat_seconds_count{route=\"/api/v1/cameras/{id}\"} 4\n");
    free(s);
    /* No labels: le is the only one. */
    struct metrics_w w2 = {0};
    struct ww_hist_snap empty = {0};
    metrics_family(&w2, "ww_empty_seconds", METRICS_HISTOGRAM, "none yet");
    metrics_hist(&w2, NULL, 0, &empty);
    s = text_of(&w2);
    if (!strstr(s, "\nww_empty_seconds_bucket{le=\"+Inf\"} 0\nww_empty_seconds_sum 0\nww_empty_seconds_count 0\n")) {
        print_error("an empty histogram without labels:\n%s", s);
        fail();
    }
    free(s);
}

static void test_allow_list(void **state)
{
    (void)state;
    struct api_metrics_access a = {0};
    assert_int_equal(api_metrics_allow_parse(API_METRICS_ALLOW_DEFAULT, &a), 0);
    assert_true(api_metrics_allowed(&a, "127.0.0.1", NULL));
    assert_true(api_metrics_allowed(&a, "::1", NULL));
    assert_true(api_metrics_allowed(&a, "::ffff:127.0.0.1", NULL)); /* a v4 peer on a v6 socket */
    assert_false(api_metrics_allowed(&a, "127.0.0.2", NULL));
    assert_false(api_metrics_allowed(&a, "10.9.9.9", NULL));
    assert_false(api_metrics_allowed(&a, "?", NULL));
    assert_false(api_metrics_allowed(&a, NULL, NULL));

    assert_int_equal(api_metrics_allow_parse("10.1.0.0/16,fd00::/8,192.168.5.7", &a), 0);
    assert_int_equal(a.nallow, 3);
    assert_true(api_metrics_allowed(&a, "10.1.200.3", NULL));
    assert_false(api_metrics_allowed(&a, "10.2.0.1", NULL));
    assert_true(api_metrics_allowed(&a, "fd12:3456::1", NULL));
    assert_false(api_metrics_allowed(&a, "fe80::1", NULL));
    assert_true(api_metrics_allowed(&a, "192.168.5.7", NULL));
    assert_false(api_metrics_allowed(&a, "192.168.5.8", NULL));
    assert_false(api_metrics_allowed(&a, "127.0.0.1", NULL)); /* the list replaced the default */
    assert_int_equal(api_metrics_allow_parse("0.0.0.0/0", &a), 0);
    assert_true(api_metrics_allowed(&a, "203.0.113.9", NULL));
    assert_int_equal(api_metrics_allow_parse("10.0.0.0/12", &a), 0);
    assert_true(api_metrics_allowed(&a, "10.15.255.255", NULL));
    assert_false(api_metrics_allowed(&a, "10.16.0.0", NULL));

    const char *bad[] = {"", "localhost", "10.0.0.1/33", "::1/129", "10.0.0.1,", ",10.0.0.1", "10.0.0.1 ",
                         "10.0.0.1/", "10.0.0.1/x", "1.2.3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct api_metrics_access b = {0};
        if (api_metrics_allow_parse(bad[i], &b) != WW_EINVAL || b.nallow) {
            print_error("allow-list '%s' should be refused and change nothing\n", bad[i]);
            fail();
        }
    }
    /* A zeroed access (no list, no token) lets nobody in. */
    struct api_metrics_access none = {0};
    assert_false(api_metrics_allowed(&none, "127.0.0.1", "Bearer anything-at-all-here"));
}

static char *write_tmp(const char *content)
{
    char *path = ww_strdup("/tmp/ww-metrics-token-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void test_token(void **state)
{
    (void)state;
    struct api_metrics_access a = {0};
    assert_int_equal(api_metrics_allow_parse("10.9.9.9", &a), 0);
    const char *why = NULL;
    char *p = write_tmp("  s3cret-token-0123456789\n");
    assert_int_equal(api_metrics_token_load(p, &a, &why), 0);
    unlink(p);
    free(p);
    assert_true(a.token_set);
    assert_true(api_metrics_allowed(&a, "127.0.0.1", "Bearer s3cret-token-0123456789"));
    assert_true(api_metrics_allowed(&a, "127.0.0.1", "bearer   s3cret-token-0123456789 "));
    assert_false(api_metrics_allowed(&a, "127.0.0.1", "Bearer s3cret-token-012345678"));
    assert_false(api_metrics_allowed(&a, "127.0.0.1", "Bearer s3cret-token-01234567890"));
    assert_false(api_metrics_allowed(&a, "127.0.0.1", "Basic s3cret-token-0123456789"));
    assert_false(api_metrics_allowed(&a, "127.0.0.1", "Bearer "));
    assert_false(api_metrics_allowed(&a, "127.0.0.1", "s3cret-token-0123456789"));
    assert_false(api_metrics_allowed(&a, "127.0.0.1", NULL));
    assert_true(api_metrics_allowed(&a, "10.9.9.9", NULL)); /* the address alone still counts */

    struct { const char *content; const char *why; } bad[] = {
        {"short\n", "shorter"},
        {"   \n", "shorter"},
        {"first-line-0123456789\nsecond-line-0123456789\n", "more than one line"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct api_metrics_access b = {0};
        p = write_tmp(bad[i].content);
        int rc = api_metrics_token_load(p, &b, &why);
        unlink(p);
        free(p);
        if (rc != WW_EINVAL || b.token_set || !strstr(why, bad[i].why)) {
            print_error("token file %zu: expected WW_EINVAL saying '%s', saw %d '%s'\n", i, bad[i].why, rc, why);
            fail();
        }
    }
    struct api_metrics_access c = {0};
    assert_true(api_metrics_token_load("/nonexistent/ww-token", &c, &why) < 0);
    assert_false(c.token_set);
}

static int h_none(struct http_req *req, void *ud)
{
    (void)req; (void)ud;
    return 0;
}

static const struct http_route_stats *find_route(const struct http_route_stats *v, size_t n, const char *route)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].route, route)) return &v[i];
    return NULL;
}

static int64_t status_n(const struct http_route_stats *r, unsigned status)
{
    for (size_t i = 0; i < r->nstatus; i++)
        if (r->status[i].status == status) return r->status[i].n;
    return -1;
}

/* A server without a daemon: the router, its lock and the counters are all
 * http_stats_read needs. */
static void test_http_counters(void **state)
{
    (void)state;
    struct http_server srv;
    memset(&srv, 0, sizeof srv);
    pthread_rwlock_init(&srv.routes_lock, NULL);
    pthread_mutex_init(&srv.stats_mu, NULL);
    http_router_init(&srv.router);
    srv.static_counter = http_counter_new("GET", "(static)");
    srv.none_counter = http_counter_new("", "(none)");
    assert_int_equal(http_router_add(&srv.router, "GET", "/api/v1/cameras/{id}", h_none, NULL, 0), 0);
    assert_int_equal(http_router_add(&srv.router, "PATCH", "/api/v1/cameras/{id}", h_none, NULL, 0), 0);
    assert_int_equal(http_router_add(&srv.router, "GET", "/api/v1/health", h_none, NULL, 0), 0);

    struct http_counter *get_cam = srv.router.routes[0].counter, *patch_cam = srv.router.routes[1].counter;
    http_counter_add(&srv, get_cam, 200, 300);
    http_counter_add(&srv, get_cam, 200, 2000);
    http_counter_add(&srv, get_cam, 404, 100);
    http_counter_add(&srv, patch_cam, 403, 100);
    http_counter_add(&srv, srv.none_counter, 404, 50);
    /* 20 statuses on one route: 15 get a slot each, the rest share status 0. */
    for (unsigned st = 500; st < 520; st++) http_counter_add(&srv, srv.static_counter, st, 10);

    struct http_route_stats *v;
    size_t n;
    http_stats_read(&srv, &v, &n);
    assert_int_equal(n, 4); /* /api/v1/health answered nothing: not listed */
    const struct http_route_stats *r = &v[0];
    assert_string_equal(r->method, "GET");
    assert_string_equal(r->route, "/api/v1/cameras/{id}");
    assert_int_equal(status_n(r, 200), 2);
    assert_int_equal(status_n(r, 404), 1);
    assert_int_equal(r->latency.count, 3);
    assert_int_equal(r->latency.n[0], 2);   /* 300 µs, 100 µs ≤ 0.5 ms */
    assert_int_equal(r->latency.n[2], 1);   /* 2 ms ≤ 2.5 ms */
    assert_int_equal(r->latency.sum_us, 2400);
    assert_string_equal(v[1].method, "PATCH");
    assert_int_equal(status_n(&v[1], 403), 1);
    assert_null(find_route(v, n, "/api/v1/health"));
    const struct http_route_stats *st = find_route(v, n, "(static)");
    assert_non_null(st);
    assert_int_equal(st->nstatus, HTTP_STATS_MAX_STATUSES);
    assert_int_equal(status_n(st, 514), 1);
    assert_int_equal(status_n(st, 515), -1);
    assert_int_equal(status_n(st, 0), 5);   /* 515..519 */
    const struct http_route_stats *none = find_route(v, n, "(none)");
    assert_non_null(none);
    assert_string_equal(none->method, "");
    assert_int_equal(status_n(none, 404), 1);
    http_stats_free(v, n);

    http_router_free(&srv.router);
    http_counter_free(srv.static_counter);
    http_counter_free(srv.none_counter);
    pthread_mutex_destroy(&srv.stats_mu);
    pthread_rwlock_destroy(&srv.routes_lock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_hist_buckets),
        cmocka_unit_test(test_hist_text),
        cmocka_unit_test(test_allow_list),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_http_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
