/*
 * test_http_csp.c — http_csp_tile_source (http.h): the map tile URL becomes
 * the one extra img-src of the console's CSP.  A host it can name exactly
 * is named; anything that would widen img-src or smuggle a directive (user
 * info, a placeholder inside the host, ';', spaces, a bad port) is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static void expect_source(const char *url, const char *want)
{
    char *src = (char *)"unset";
    int rc = http_csp_tile_source(url, &src);
    if (rc != 0 || (want == NULL) != (src == NULL) || (want && strcmp(src, want))) {
        print_error("tile URL '%s': expected rc 0 and source '%s', saw rc %d and '%s'\n", url ? url : "(null)",
                    want ? want : "(none)", rc, src ? src : "(none)");
        fail();
    }
    free(src);
}

static void expect_refused(const char *url)
{
    char *src = (char *)"unset";
    int rc = http_csp_tile_source(url, &src);
    if (rc != WW_EINVAL || src != NULL) {
        print_error("tile URL '%s': expected WW_EINVAL and no source, saw rc %d and '%s'\n", url, rc,
                    src ? src : "(none)");
        fail();
    }
}

static void test_named(void **state)
{
    (void)state;
    expect_source(NULL, NULL);
    expect_source("", NULL);
    expect_source("/tiles/{z}/{x}/{y}.png", NULL);                      /* this box: 'self' */
    expect_source("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org");
    expect_source("http://10.0.0.5:8080/{z}/{x}/{y}.png", "http://10.0.0.5:8080");
    expect_source("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org");
    expect_source("https://tiles.example.org?k={z}", "https://tiles.example.org");
    expect_source("https://[fd00::5]:8443/{z}/{x}/{y}", "https://[fd00::5]:8443");
    expect_source("//tiles.example.org/{z}/{x}/{y}.png", "tiles.example.org");
}

static void test_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "https://user:pw@tiles.example.org/{z}/{x}/{y}.png",   /* user info */
        "https://{z}.example.org/{x}/{y}.png",                 /* a placeholder that is not {s}. */
        "https://a.{s}.example.org/{z}/{x}/{y}.png",           /* {s} not leftmost: no CSP wildcard */
        "https://tiles.example.org;script-src */{z}/{x}/{y}",  /* a directive smuggled in */
        "https://tiles example.org/{z}/{x}/{y}",
        "https://tiles.example.org:/{z}/{x}/{y}",
        "https://tiles.example.org:99999999/{z}",
        "https://tiles.example.org:80a/{z}",
        "https:///{z}/{x}/{y}",
        "https://.example.org/{z}",
        "https://[]/{z}",
        "https://[fd00::5/{z}",
        "https://{s}.[fd00::5]/{z}",
        "ftp://tiles.example.org/{z}/{x}/{y}",
        "javascript:alert(1)//{z}{x}{y}",
        "tiles.example.org/{z}/{x}/{y}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) expect_refused(bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
