/* Unit tests for notify/: a receiver that accepts and never answers costs a
 * producer nothing (posting stays instant, the queue drops the oldest when
 * full, stop returns at once); a receiver that fails once is retried after
 * the backoff and gets every message in order; a refused connection ends
 * after the configured attempts with the reason.  Receivers are real
 * sockets on 127.0.0.1 with kernel-chosen ports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/base.h"
#include "notify/notify.h"

static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    *port = ntohs(a.sin_port);
    return fd;
}

/* ---- a receiver that answers: 500 to the first request, 200 after ---------- */

struct receiver {
    int fd, port, answered;
    char bodies[8][64];
    int nbodies;
    bool json_type;
    pthread_t thr;
};

static void *receiver_main(void *arg)
{
    struct receiver *r = arg;
    for (int k = 0; k < 8; k++) {
        int c = accept(r->fd, NULL, NULL);
        if (c < 0) return NULL;
        char buf[4096];
        size_t len = 0;
        const char *end = NULL;
        long want = -1;
        while (len < sizeof buf - 1) {
            ssize_t n = read(c, buf + len, sizeof buf - 1 - len);
            if (n <= 0) break;
            len += (size_t)n;
            buf[len] = 0;
            if (!end && (end = strstr(buf, "\r\n\r\n"))) {
                const char *cl = strcasestr(buf, "Content-Length:");
                want = cl ? strtol(cl + 15, NULL, 10) : 0;
            }
            if (end && (long)(len - (size_t)(end + 4 - buf)) >= want) break;
        }
        if (end) {
            r->json_type = strcasestr(buf, "Content-Type: application/json") != NULL;
            if (r->answered > 0 && r->nbodies < 8) snprintf(r->bodies[r->nbodies++], 64, "%.*s", (int)want, end + 4);
        }
        const char *ans = r->answered++ == 0 ? "HTTP/1.1 500 No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                             : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        ssize_t w = write(c, ans, strlen(ans));
        (void)w;
        close(c);
    }
    return NULL;
}

struct seen {
    pthread_mutex_t mu;
    struct notify_tag tags[8];
    struct notify_result res[8];
    char errors[8][128];
    int n;
    pthread_t thread;
    bool other_thread;
};

static void on_done(void *ud, const struct notify_tag *tag, const struct notify_result *r)
{
    struct seen *s = ud;
    pthread_mutex_lock(&s->mu);
    if (s->n < 8) {
        s->tags[s->n] = *tag;
        s->res[s->n] = *r;
        snprintf(s->errors[s->n], sizeof s->errors[0], "%s", r->error);
        s->res[s->n].error = s->errors[s->n];
        s->res[s->n].url = NULL;
        s->n++;
    }
    if (pthread_equal(pthread_self(), s->thread)) s->other_thread = false;
    pthread_mutex_unlock(&s->mu);
}

static int seen_count(struct seen *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->n;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static void wait_for(struct seen *s, int n, int64_t max_us)
{
    int64_t until = ww_mono_us() + max_us;
    while (seen_count(s) < n && ww_mono_us() < until) usleep(10000);
    if (seen_count(s) < n) fail_msg("expected %d done callbacks within %lld ms, saw %d", n,
                                    (long long)(max_us / 1000), seen_count(s));
}

static void test_retry_then_in_order(void **st)
{
    (void)st;
    struct receiver r = {0};
    r.fd = listen_any(&r.port);
    pthread_create(&r.thr, NULL, receiver_main, &r);
    struct seen s = {.mu = PTHREAD_MUTEX_INITIALIZER, .thread = pthread_self(), .other_thread = true};
    struct notify_cfg cfg = {.name = "test", .capacity = 8, .timeout_ms = 2000, .tries = 3, .backoff_ms = 100,
                             .done = on_done, .done_ud = &s};
    notify_t *n;
    assert_int_equal(notify_start(&cfg, &n), 0);
    char *url = ww_asprintf("http://127.0.0.1:%d/hook", r.port);
    for (int i = 1; i <= 3; i++) {
        struct notify_tag tag = {.id = i, .target = 40 + i};
        snprintf(tag.what, sizeof tag.what, "m%d", i);
        char body[32];
        snprintf(body, sizeof body, "{\"n\":%d}", i);
        notify_post(n, url, body, &tag);
    }
    wait_for(&s, 3, 10000000);
    for (int i = 0; i < 3; i++) {
        if (s.tags[i].id != i + 1 || s.tags[i].target != 41 + i)
            fail_msg("done %d: expected tag %d/%d, saw %lld/%lld", i, i + 1, 41 + i, (long long)s.tags[i].id,
                     (long long)s.tags[i].target);
        char what[8];
        snprintf(what, sizeof what, "m%d", i + 1);
        assert_string_equal(s.tags[i].what, what);
        assert_true(s.res[i].ok);
        assert_int_equal(s.res[i].http_status, 200);
        assert_string_equal(s.res[i].error, "");
    }
    assert_int_equal(s.res[0].attempts, 2);   /* 500, then 200 after the backoff */
    assert_int_equal(s.res[1].attempts, 1);
    assert_true(s.other_thread);              /* done ran on the notifier's thread */
    assert_int_equal(r.nbodies, 3);
    assert_string_equal(r.bodies[0], "{\"n\":1}");
    assert_string_equal(r.bodies[1], "{\"n\":2}");
    assert_string_equal(r.bodies[2], "{\"n\":3}");
    assert_true(r.json_type);
    struct notify_stats ns;
    notify_get_stats(n, &ns);
    assert_int_equal(ns.queued, 3);
    assert_int_equal(ns.sent, 3);
    assert_int_equal(ns.failed, 0);
    assert_int_equal(ns.dropped, 0);
    notify_stop(n);
    shutdown(r.fd, SHUT_RDWR);
    close(r.fd);
    pthread_join(r.thr, NULL);
    free(url);
}

/* ---- a receiver that never answers ----------------------------------------------
 * It listens and never accepts: the kernel completes the connections, curl
 * sends its request and waits for an answer that does not come. */
static void test_silent_receiver_costs_nothing(void **st)
{
    (void)st;
    int port;
    int fd = listen_any(&port);
    struct seen s = {.mu = PTHREAD_MUTEX_INITIALIZER, .thread = pthread_self(), .other_thread = true};
    struct notify_cfg cfg = {.name = "test", .capacity = 4, .timeout_ms = 3000, .tries = 3, .done = on_done,
                             .done_ud = &s};
    notify_t *n;
    assert_int_equal(notify_start(&cfg, &n), 0);
    char *url = ww_asprintf("http://127.0.0.1:%d/never", port);
    int64_t worst = 0;
    for (int i = 1; i <= 10; i++) {
        struct notify_tag tag = {.id = i};
        int64_t a = ww_mono_us();
        notify_post(n, url, "{}", &tag);
        int64_t d = ww_mono_us() - a;
        if (d > worst) worst = d;
        usleep(20000); /* lets the thread take the first one into its transfer */
    }
    if (worst > 50000) fail_msg("expected notify_post to return at once, the slowest took %lld ms",
                                (long long)(worst / 1000));
    struct notify_stats ns;
    notify_get_stats(n, &ns);
    assert_int_equal(ns.queued, 10);
    assert_true(ns.pending <= 4);
    /* one in the transfer, four queued, the rest dropped oldest-first */
    if (ns.dropped != 10 - 1 - (int64_t)ns.pending)
        fail_msg("expected %lld dropped (10 posted, 1 in flight, %zu pending), saw %lld",
                 (long long)(10 - 1 - (int64_t)ns.pending), ns.pending, (long long)ns.dropped);
    assert_int_equal(seen_count(&s), 0);      /* nothing answered, nothing finished */
    int64_t a = ww_mono_us();
    notify_stop(n);
    int64_t took = ww_mono_us() - a;
    /* libcurl calls the progress callback (which reads stop) about once a
     * second while a transfer waits; the 3 s timeout is the bound that
     * matters: stop must not wait for it. */
    if (took > 2500000) fail_msg("expected notify_stop well within the 3 s timeout of a hanging transfer, took %lld ms",
                                 (long long)(took / 1000));
    close(fd);
    free(url);
}

/* ---- nobody listening --------------------------------------------------------------- */
static void test_refused_after_all_attempts(void **st)
{
    (void)st;
    int port;
    int fd = listen_any(&port);
    close(fd); /* the port is now (almost surely) closed: connect is refused */
    struct seen s = {.mu = PTHREAD_MUTEX_INITIALIZER, .thread = pthread_self(), .other_thread = true};
    struct notify_cfg cfg = {.name = "test", .timeout_ms = 1000, .tries = 3, .backoff_ms = 50, .done = on_done,
                             .done_ud = &s};
    notify_t *n;
    assert_int_equal(notify_start(&cfg, &n), 0);
    char *url = ww_asprintf("http://127.0.0.1:%d/x", port);
    struct notify_tag tag = {.id = 7, .what = "refused"};
    notify_post(n, url, "{}", &tag);
    wait_for(&s, 1, 5000000);
    assert_false(s.res[0].ok);
    assert_int_equal(s.res[0].attempts, 3);
    assert_int_equal(s.res[0].http_status, 0);
    if (!s.errors[0][0]) fail_msg("expected a reason for the failure, saw none");
    struct notify_stats ns;
    notify_get_stats(n, &ns);
    assert_int_equal(ns.failed, 1);
    notify_stop(n);
    free(url);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_then_in_order),
        cmocka_unit_test(test_silent_receiver_costs_nothing),
        cmocka_unit_test(test_refused_after_all_attempts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
