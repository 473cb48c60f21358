/* Unit tests for base/url.c: the one reading of an RTSP URL behind the
 * credential binding (authority) and one-device-one-row (device key). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/base.h"

static void expect_key(const char *url, const char *want)
{
    char *k = NULL;
    int rc = ww_rtsp_device_key(url, &k);
    if (rc != 0) fail_msg("device key of '%s': expected '%s', got error %d", url, want, rc);
    if (strcmp(k, want)) fail_msg("device key of '%s': expected '%s', got '%s'", url, want, k);
    free(k);
}

static void expect_authority(const char *url, const char *want)
{
    char *k = NULL;
    int rc = ww_rtsp_authority(url, &k);
    if (rc != 0) fail_msg("authority of '%s': expected '%s', got error %d", url, want, rc);
    if (strcmp(k, want)) fail_msg("authority of '%s': expected '%s', got '%s'", url, want, k);
    free(k);
}

static void test_device_key_same_camera(void **st)
{
    (void)st;
    /* every spelling of one camera gives one key */
    const char *same[] = {
        "rtsp://cam.example:554/live/ch1",
        "rtsp://CAM.Example/live/ch1",
        "RTSP://cam.example/live/ch1",
        "rtsp://admin:s3cret@cam.example/live/ch1",
        "rtsp://user:p@ss@word@CAM.EXAMPLE:554/live/ch1",
        "rtsp://cam.example:554/live/ch1#frag",
        "rtsps://cam.example:554/live/ch1",
        NULL,
    };
    for (int i = 0; same[i]; i++) expect_key(same[i], "cam.example:554/live/ch1");
    expect_key("rtsp://10.0.0.5", "10.0.0.5:554/");
    expect_key("rtsp://10.0.0.5/", "10.0.0.5:554/");
    expect_key("rtsp://10.0.0.5?channel=1", "10.0.0.5:554/?channel=1");
    expect_key("rtsp://[FE80::1]:8554/a", "[fe80::1]:8554/a");
    expect_key("rtsp://[::1]/a", "[::1]:554/a");
    expect_key("rtsps://cam/a", "cam:322/a");
}

static void test_device_key_other_camera(void **st)
{
    (void)st;
    /* what differs between two devices stays: port, path case, query */
    const char *pairs[][2] = {
        {"rtsp://cam/live/ch1", "rtsp://cam:8554/live/ch1"},
        {"rtsp://cam/live/ch1", "rtsp://cam/live/CH1"},
        {"rtsp://nvr/cam/realmonitor?channel=1", "rtsp://nvr/cam/realmonitor?channel=2"},
        {"rtsp://cam/a", "rtsp://cam2/a"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char *a, *b;
        assert_int_equal(ww_rtsp_device_key(pairs[i][0], &a), 0);
        assert_int_equal(ww_rtsp_device_key(pairs[i][1], &b), 0);
        if (!strcmp(a, b)) fail_msg("'%s' and '%s' should be two devices, both gave '%s'",
                                    pairs[i][0], pairs[i][1], a);
        free(a);
        free(b);
    }
}

static void test_authority(void **st)
{
    (void)st;
    expect_authority("rtsp://Cam.Example/live", "cam.example:554");
    expect_authority("rtsp://u:p@cam.example:8554/live", "cam.example:8554");
    expect_authority("rtsps://cam.example/live", "cam.example:322");
    expect_authority("rtsp://[::1]:10554", "[::1]:10554");
    assert_true(ww_rtsp_same_authority("rtsp://CAM:554/a", "rtsp://cam/b"));
    assert_false(ww_rtsp_same_authority("rtsp://cam/a", "rtsp://cam:8554/a"));
    assert_false(ww_rtsp_same_authority("rtsp://cam/a", "rtsp://evil/a"));
    /* "evil@cam" is user evil at host cam; "cam@evil" is host evil */
    assert_false(ww_rtsp_same_authority("rtsp://cam/a", "rtsp://cam@evil/a"));
    assert_false(ww_rtsp_same_authority("rtsp://cam/a", "not a url"));
    assert_false(ww_rtsp_same_authority(NULL, "rtsp://cam/a"));
}

static void test_bad_urls(void **st)
{
    (void)st;
    const char *bad[] = {"", "http://cam/a", "rtsp://", "rtsp:///path", "rtsp://cam:/a",
                         "rtsp://cam:0/a", "rtsp://cam:65536/a", "rtsp://cam:99999999999/a",
                         "rtsp://cam:55x/a", "rtsp://[::1/a", "rtsp://[::1]x/a", "rtsp://u:p@/a",
                         "rtsp://ca m/a", NULL};
    for (int i = 0; bad[i]; i++) {
        char *k = (char *)"untouched";
        int rc = ww_rtsp_device_key(bad[i], &k);
        if (rc != WW_EINVAL) fail_msg("'%s': expected WW_EINVAL, got %d", bad[i], rc);
        assert_null(k);
        rc = ww_rtsp_authority(bad[i], &k);
        if (rc != WW_EINVAL) fail_msg("'%s': expected WW_EINVAL for the authority, got %d", bad[i], rc);
    }
    char *k;
    assert_int_equal(ww_rtsp_device_key(NULL, &k), WW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_key_same_camera),
        cmocka_unit_test(test_device_key_other_camera),
        cmocka_unit_test(test_authority),
        cmocka_unit_test(test_bad_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
