/*
 * test_sdp_quirks.c — session descriptions as real cameras write them
 * (issue 12 item 4, the SDP ones): no o= or s= line, payload-type lists
 * with text in them, an empty or ';'-trailed fmtp, broken
 * sprop-parameter-sets (the camera's in-band SPS/PPS are what count then),
 * malformed c= and t= lines, CR-only or mixed line ends, spaces around
 * values.  Each must give the video section (codec, payload type, control)
 * instead of a refusal that would keep the camera offline.  And the
 * Content-Base cameras send beside it: with no scheme, as a bare path, with
 * blanks, or not a URL at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ingest/internal.h"

static void parses(const char *sdp, int pt, const char *control, bool sets)
{
    struct sdp_video v;
    int rc = sdp_parse_video(sdp, strlen(sdp), &v);
    if (rc) fail_msg("refused (%d):\n%s", rc, sdp);
    assert_int_equal(v.codec, RTP_H264);
    assert_int_equal(v.pt, pt);
    assert_int_equal(v.clock, 90000);
    if (control) assert_string_equal(v.control, control);
    else assert_null(v.control);
    assert_int_equal(v.extradata != NULL, sets);
    sdp_video_free(&v);
}

static void test_no_origin_no_name(void **state)
{
    (void)state;
    parses("v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:track1\r\n", 96, "track1", false);
}

static void test_text_in_payload_list(void **state)
{
    (void)state;
    parses("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=x\r\nm=video 0 RTP/AVP H264 96\r\n"
           "a=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n", 96, "trackID=0", false);
}

static void test_empty_and_trailing_fmtp(void **state)
{
    (void)state;
    parses("v=0\r\ns=x\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96\r\n"
           "a=control:trackID=1\r\n", 96, "trackID=1", false);
    parses("v=0\r\ns=x\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 \r\n", 96, NULL, false);
    parses("v=0\r\ns=x\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
           "a=fmtp:96 packetization-mode=1;profile-level-id=640028;"
           "sprop-parameter-sets=Z2QAKKy0A8ARPy4CIAAAAwAgAAAGQeMGVA==,aO88sA==;\r\n", 96, NULL, true);
}

static void test_broken_sprop_sets(void **state)
{
    (void)state;
    /* not base64, and a truncated one: no extradata, but the camera works
     * with its in-band parameter sets */
    parses("v=0\r\ns=x\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
           "a=fmtp:96 packetization-mode=1; sprop-parameter-sets=!!!not*base64,@@\r\n", 96, NULL, false);
    parses("v=0\r\ns=x\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
           "a=fmtp:96 sprop-parameter-sets=Z2QAKK\r\n", 96, NULL, false);
}

static void test_malformed_c_and_t(void **state)
{
    (void)state;
    parses("v=0\r\no=- 0 0 IN IP4\r\ns=\r\nc=IN IP4\r\nt=now\r\nm=video 0 RTP/AVP 96\r\n"
           "c=IN\r\nb=AS:\r\na=rtpmap:96 H264/90000\r\na=control:stream=0\r\n", 96, "stream=0", false);
}

static void test_line_ends_and_spaces(void **state)
{
    (void)state;
    parses("v=0\rs=x\rm=video 0 RTP/AVP 96\ra=rtpmap:96 H264/90000\ra=control:trackID=3\r", 96, "trackID=3", false);
    parses("v=0\n\ns=x\r\n\r\nm=video  0  RTP/AVP  97\na=rtpmap: 97 H264/90000\na=control: trackID=4 \n",
           97, "trackID=4", false);
}

static void base_is(const char *cb, const char *want)
{
    char *b = rtsp_base_url("rtsp://10.0.0.5:554/live/main", cb, cb ? strlen(cb) : 0);
    assert_string_equal(b, want);
    free(b);
}

static void test_content_base(void **state)
{
    (void)state;
    base_is(NULL, "rtsp://10.0.0.5:554/live/main");
    base_is("", "rtsp://10.0.0.5:554/live/main");
    base_is("rtsp://10.0.0.5:554/live/main/", "rtsp://10.0.0.5:554/live/main/");
    /* no scheme: host:port/path, or a dotted host */
    base_is("10.0.0.5:554/live/main/", "rtsp://10.0.0.5:554/live/main/");
    base_is("cam.local/live/", "rtsp://cam.local/live/");
    base_is(" 10.0.0.5:554/live/ ", "rtsp://10.0.0.5:554/live/");
    /* a bare path keeps the request's authority */
    base_is("/live/main/", "rtsp://10.0.0.5:554/live/main/");
    /* not a URL we can read: the request URL */
    base_is("live main", "rtsp://10.0.0.5:554/live/main");
    base_is("http://10.0.0.5/x", "rtsp://10.0.0.5:554/live/main");
    base_is("user:pw@10.0.0.9/x", "rtsp://10.0.0.5:554/live/main");
    /* and a track resolves against it */
    char *b = rtsp_base_url("rtsp://10.0.0.5:554/live/main", "10.0.0.5:554/live/main/", 23);
    char *t = rtsp_resolve_url(b, "trackID=1");
    assert_string_equal(t, "rtsp://10.0.0.5:554/live/main/trackID=1");
    free(t);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_origin_no_name),
        cmocka_unit_test(test_text_in_payload_list),
        cmocka_unit_test(test_empty_and_trailing_fmtp),
        cmocka_unit_test(test_broken_sprop_sets),
        cmocka_unit_test(test_malformed_c_and_t),
        cmocka_unit_test(test_line_ends_and_spaces),
        cmocka_unit_test(test_content_base),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
