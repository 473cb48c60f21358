/* Unit tests for base/: time formatting and parsing (station offset, leap
 * days, bad input), URL masking, number parsing, buffers, fault hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"

static void test_fmt_time(void **st)
{
    (void)st;
    char b[48];
    /* 2024-02-29 23:30:00.250 UTC → 2024-03-01 06:30 in Hà Nội */
    int64_t t = 1709249400LL * 1000000 + 250000;
    assert_string_equal(ww_fmt_time(t, 0, b, sizeof b), "2024-02-29T23:30:00.250Z");
    assert_string_equal(ww_fmt_time(t, 420, b, sizeof b), "2024-03-01T06:30:00.250+07:00");
    assert_string_equal(ww_fmt_time(0, -90, b, sizeof b), "1969-12-31T22:30:00.000-01:30");
}

static void test_parse_time(void **st)
{
    (void)st;
    int64_t t;
    assert_int_equal(ww_parse_time("2024-02-29T23:30:00.25Z", 420, &t), 0);
    assert_int_equal(t, 1709249400LL * 1000000 + 250000);
    assert_int_equal(ww_parse_time("2024-03-01T06:30:00.25+07:00", 0, &t), 0);
    assert_int_equal(t, 1709249400LL * 1000000 + 250000);
    /* no offset: the station's */
    assert_int_equal(ww_parse_time("2024-03-01 06:30:00.25", 420, &t), 0);
    assert_int_equal(t, 1709249400LL * 1000000 + 250000);
    assert_int_equal(ww_parse_time("1709249400.25", 420, &t), 0);
    assert_int_equal(t, 1709249400LL * 1000000 + 250000);
    /* a date alone is midnight, station time */
    assert_int_equal(ww_parse_time("2026-01-01", 420, &t), 0);
    char b[48];
    assert_string_equal(ww_fmt_time(t, 420, b, sizeof b), "2026-01-01T00:00:00.000+07:00");
    /* round trip through the formatter */
    for (int64_t v = 1600000000LL * 1000000; v < 1600000000LL * 1000000 + 400LL * 86400 * 1000000;
         v += 86399LL * 1000000 + 123000) {
        int64_t back;
        ww_fmt_time(v, 420, b, sizeof b);
        assert_int_equal(ww_parse_time(b, 0, &back), 0);
        assert_int_equal(back, v);
    }
    /* the console's dd/mm/yyyy, with or without a time */
    assert_int_equal(ww_parse_time("01/03/2024 06:30:00", 420, &t), 0);
    assert_int_equal(t, 1709249400LL * 1000000);
    assert_int_equal(ww_parse_time("01/01/2026", 420, &t), 0);
    assert_string_equal(ww_fmt_time(t, 420, b, sizeof b), "2026-01-01T00:00:00.000+07:00");
    const char *bad[] = {"", "yesterday", "2023-02-29", "2024-13-01", "2024-01-01T25:00",
                         "2024-01-01T10:00+7", "2024-01-01T10:00:00Zjunk", "-5", "1e99",
                         "29/02/2023", "01/13/2024", "1/3/2024", "01/03/24", "01/03/2024x", NULL};
    for (int i = 0; bad[i]; i++) assert_int_equal(ww_parse_time(bad[i], 420, &t), WW_EINVAL);
}

/* Issue 11 item 5: hostile times are refused (under UBSan a NaN reaching the
 * int64 cast aborts the test), and window checks never overflow. */
static void test_parse_time_hostile(void **st)
{
    (void)st;
    int64_t t = 12345;
    const char *bad[] = {"nan", "NaN", "-nan", "inf", "-inf", "infinity", "0x1p40", " 5", "5 ",
                         "1.2.3", ".", "1e3", "99999999999999999999999", "4102444801",
                         "1.7e308", "2024-01-01T10:00+99:00", "2024-01-01T10:00+14:60",
                         "9999-01-01", "2024-01-01T10:00:00.", "\xff\xfe", NULL};
    for (int i = 0; bad[i]; i++) {
        int rc = ww_parse_time(bad[i], 420, &t);
        if (rc != WW_EINVAL) fail_msg("ww_parse_time(\"%s\"): expected WW_EINVAL, saw %d (t=%lld)",
                                      bad[i], rc, (long long)t);
    }
    assert_int_equal(ww_parse_time("4102444800", 420, &t), 0);
    assert_int_equal(t, 4102444800LL * 1000000);
    assert_int_equal(ww_parse_time("0.5", 420, &t), 0);
    assert_int_equal(t, 500000);
    assert_int_equal(ww_parse_time("2024-01-01T10:00-12:00", 420, &t), 0);

    const int64_t day = 86400LL * 1000000;
    assert_false(ww_span_over(0, day, day));
    assert_true(ww_span_over(0, day + 1, day));
    assert_false(ww_span_over(day, 0, day));                 /* reversed: not "over" */
    assert_true(ww_span_over(INT64_MIN, INT64_MAX, day));    /* would overflow */
    assert_true(ww_span_over(-1, INT64_MAX, day));
    assert_false(ww_span_over(INT64_MAX, INT64_MIN, day));   /* overflows downwards */
    assert_false(ww_span_over(INT64_MAX - 5, INT64_MAX, day));
}

static void test_url_mask(void **st)
{
    (void)st;
    char *m = ww_url_mask("rtsp://admin:p@ss:w0rd@10.1.2.3:554/stream1");
    assert_string_equal(m, "rtsp://admin:***@10.1.2.3:554/stream1");
    free(m);
    m = ww_url_mask("rtsp://host/path@x");
    assert_string_equal(m, "rtsp://host/path@x");
    free(m);
    m = ww_url_mask("rtsp://user@host/x");
    assert_string_equal(m, "rtsp://user@host/x");
    free(m);
    assert_null(ww_url_mask(NULL));
}

static void test_parse_numbers(void **st)
{
    (void)st;
    int64_t v;
    double d;
    assert_int_equal(ww_parse_i64("42", 0, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(ww_parse_i64("101", 0, 100, &v), WW_EINVAL);
    assert_int_equal(ww_parse_i64("4x", 0, 100, &v), WW_EINVAL);
    assert_int_equal(ww_parse_i64("", 0, 100, &v), WW_EINVAL);
    assert_int_equal(ww_parse_i64("99999999999999999999", 0, INT64_MAX, &v), WW_EINVAL);
    assert_int_equal(ww_parse_double("18.67", -90, 90, &d), 0);
    assert_int_equal(ww_parse_double("nan", -90, 90, &d), WW_EINVAL);
    assert_int_equal(ww_parse_double("91", -90, 90, &d), WW_EINVAL);
}

static void test_buf(void **st)
{
    (void)st;
    struct ww_buf b = {0};
    for (int i = 0; i < 1000; i++) ww_buf_printf(&b, "%d,", i);
    assert_int_equal(b.data[b.len], 0);
    assert_true(ww_str_starts((char *)b.data, "0,1,2,"));
    ww_buf_free(&b);
    assert_null(b.data);
}

static void test_fault_enospc(void **st)
{
    (void)st;
    char path[] = "/tmp/ww-fault-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ww_fsops_fault("enospc-after=10"), 0);
    assert_int_equal(ww_fsops()->write(fd, "0123456789", 10), 10);
    assert_int_equal(ww_fsops()->write(fd, "x", 1), -ENOSPC);
    assert_int_equal(ww_fsops_fault("bogus"), WW_EINVAL);
    ww_fsops()->close(fd);
    unlink(path);
}

/* Vietnamese folding for search: every mark, both cases, decomposed input. */
static void test_fold_vi(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"Lê Lợi", "le loi"}, {"  LÊ   LỢI ", "le loi"}, {"Đường Nguyễn Huệ", "duong nguyen hue"},
        {"Ấp Bắc, Phường Đông Hòa", "ap bac, phuong dong hoa"}, {"Trần Hưng Đạo", "tran hung dao"},
        {"Le\xcc\x82 Lo\xcc\x9b\xcc\xa3i", "le loi"},       /* NFD: e + U+0302, o + U+031B + U+0323 */
        {"ỳỵỷỹ ựữ ộờ", "yyyy uu oo"}, {"Ă ă Ĩ ĩ Ũ ũ Ơ ơ Ư ư", "a a i i u u o o u u"},
        {"北京 x", "北京 x"}, {"\xff\xfe", "\xff\xfe"}, {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *f = ww_fold_vi(cases[i][0]);
        assert_string_equal(f, cases[i][1]);
        free(f);
    }
    char *n = ww_fold_vi(NULL);
    assert_string_equal(n, "");
    free(n);
}

/* Thread roles are per thread; the lock probe tells locked from free. */
static void *role_thread(void *arg)
{
    *(enum ww_thread_role *)arg = ww_thread_role(); /* a new thread starts as "other" */
    ww_thread_set_role(WW_THREAD_INGEST);
    return NULL;
}

static void test_thread_roles(void **state)
{
    (void)state;
    ww_thread_set_role(WW_THREAD_SYNCER);
    enum ww_thread_role seen = WW_THREAD_HTTP;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, role_thread, &seen), 0);
    pthread_join(t, NULL);
    assert_int_equal(seen, WW_THREAD_OTHER);
    assert_int_equal(ww_thread_role(), WW_THREAD_SYNCER); /* the other thread's role stayed there */
    assert_string_equal(ww_thread_role_name(WW_THREAD_HTTP), "http");
    ww_thread_set_role(WW_THREAD_OTHER);
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    assert_false(ww_mutex_is_locked(&mu));
    pthread_mutex_lock(&mu);
    assert_true(ww_mutex_is_locked(&mu));
    pthread_mutex_unlock(&mu);
    assert_false(ww_mutex_is_locked(&mu)); /* the probe left it free */
}

/* The rule is live in this (Debug) build: an HTTP thread that fsyncs a
 * recording through the file-ops table aborts. */
static void test_thread_rule_fires(void **state)
{
    (void)state;
#ifdef NDEBUG
    skip();
#else
    char path[] = "/tmp/ww-role-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ww_fsops()->fsync(fd), 0); /* "other" may */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGABRT, SIG_DFL);
        ww_thread_set_role(WW_THREAD_HTTP);
        ww_fsops()->fsync(fd);
        _exit(0); /* reached only if the assert did not fire */
    }
    int st = 0;
    waitpid(pid, &st, 0);
    close(fd);
    unlink(path);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_time),     cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_parse_time_hostile),
        cmocka_unit_test(test_url_mask),     cmocka_unit_test(test_parse_numbers),
        cmocka_unit_test(test_buf),          cmocka_unit_test(test_fault_enospc),
        cmocka_unit_test(test_fold_vi),
        cmocka_unit_test(test_thread_roles), cmocka_unit_test(test_thread_rule_fires),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
