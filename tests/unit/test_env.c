/* Unit tests for base/'s environment table and executable-relative paths:
 * defaults, ranges and bad values of integer settings, strings set / empty /
 * unset, README's "Environment" table naming every row, and ww_exe_dir /
 * ww_exe_relative against /proc/self/exe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <limits.h>
#include <unistd.h>

#include "base/base.h"

static void test_int_default_range_and_bad_values(void **st)
{
    (void)st;
    unsetenv("WARDWATCH_MONITOR_TICK_MS");
    assert_int_equal(ww_env_int("WARDWATCH_MONITOR_TICK_MS"), 5000);
    setenv("WARDWATCH_MONITOR_TICK_MS", "250", 1);
    assert_int_equal(ww_env_int("WARDWATCH_MONITOR_TICK_MS"), 250);
    assert_int_equal(ww_env_check(), 0);
    /* below the range, trailing junk, empty: the default, and a warning each */
    static const char *const bad[] = {"99", "250ms", "", "600001"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setenv("WARDWATCH_MONITOR_TICK_MS", bad[i], 1);
        if (ww_env_int("WARDWATCH_MONITOR_TICK_MS") != 5000)
            fail_msg("'%s': expected the default 5000, got %lld", bad[i],
                     (long long)ww_env_int("WARDWATCH_MONITOR_TICK_MS"));
        assert_int_equal(ww_env_check(), 1);
    }
    unsetenv("WARDWATCH_MONITOR_TICK_MS");

    unsetenv("WARDWATCH_UTC_OFFSET_MIN");
    assert_int_equal(ww_station_offset_min(), 420);
    setenv("WARDWATCH_UTC_OFFSET_MIN", "-90", 1);
    assert_int_equal(ww_station_offset_min(), -90);
    setenv("WARDWATCH_UTC_OFFSET_MIN", "841", 1);
    assert_int_equal(ww_station_offset_min(), 420);
    unsetenv("WARDWATCH_UTC_OFFSET_MIN");
}

static void test_str(void **st)
{
    (void)st;
    unsetenv("WARDWATCH_WEB_DIR");
    assert_null(ww_env_str("WARDWATCH_WEB_DIR"));
    setenv("WARDWATCH_WEB_DIR", "", 1);
    assert_string_equal(ww_env_str("WARDWATCH_WEB_DIR"), "");
    setenv("WARDWATCH_WEB_DIR", "/srv/web", 1);
    assert_string_equal(ww_env_str("WARDWATCH_WEB_DIR"), "/srv/web");
    unsetenv("WARDWATCH_WEB_DIR");
}

/* Each row is well formed, its default (for integers) in range. */
static void test_table_rows(void **st)
{
    (void)st;
    size_t n;
    const struct ww_env_var *t = ww_env_table(&n);
    assert_true(n >= 11);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        if (!t[i].doc || !*t[i].doc) fail_msg("%s has no doc line", t[i].name);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(t[i].name, t[j].name)) fail_msg("%s is in the table twice", t[i].name);
        if (t[i].type == WW_ENV_INT) {
            int64_t d;
            if (!t[i].dflt || ww_parse_i64(t[i].dflt, t[i].lo, t[i].hi, &d))
                fail_msg("%s: default '%s' not in [%lld, %lld]", t[i].name, t[i].dflt ? t[i].dflt : "(none)",
                         (long long)t[i].lo, (long long)t[i].hi);
        }
    }
}

/* README (found from this file's path) lists every row as `NAME` in its
 * Environment section. */
static void test_readme_lists_every_setting(void **st)
{
    (void)st;
    const char *here = __FILE__;                 /* …/tests/unit/test_env.c */
    const char *cut = strstr(here, "tests/unit/test_env.c");
    assert_non_null(cut);
    char *readme = ww_asprintf("%.*sREADME.md", (int)(cut - here), here);
    char *text = NULL;
    size_t len = 0;
    if (ww_read_file(readme, 1 << 20, &text, &len)) fail_msg("cannot read %s", readme);
    const char *sec = strstr(text, "### Environment");
    if (!sec) fail_msg("%s has no '### Environment' section", readme);
    const char *end = strstr(sec + 4, "\n#");
    size_t n;
    const struct ww_env_var *t = ww_env_table(&n);
    for (size_t i = 0; i < n; i++) {
        char *cell = ww_asprintf("| `%s` |", t[i].name);
        const char *at = strstr(sec, cell);
        if (!at || (end && at > end)) fail_msg("README's Environment table has no row '%s'", cell);
        free(cell);
    }
    free(text);
    free(readme);
}

static void test_exe_paths(void **st)
{
    (void)st;
    char *real = realpath("/proc/self/exe", NULL);
    assert_non_null(real);
    char *dir = ww_exe_dir();
    assert_non_null(dir);
    char *slash = strrchr(real, '/');
    assert_int_equal(strlen(dir), (size_t)(slash - real));
    assert_memory_equal(dir, real, strlen(dir));
    char *self = ww_exe_relative(slash + 1);
    assert_string_equal(self, real);
    char *up = ww_exe_relative("..");
    char *parent = ww_asprintf("%s/..", dir);
    char *want = realpath(parent, NULL);
    assert_string_equal(up, want);
    free(parent);
    assert_null(ww_exe_relative("no-such-folder-here/x"));
    free(real); free(dir); free(self); free(up); free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int_default_range_and_bad_values),
        cmocka_unit_test(test_str),
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_readme_lists_every_setting),
        cmocka_unit_test(test_exe_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
