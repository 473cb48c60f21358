/*
 * test_rtsp_proto.c — the text side of the lean RTSP client: the SDP
 * video-track parser and fmtp parameter sets (src/ingest/sdp.c), control
 * URL resolution, Basic and Digest answers checked against RFC 2617's own
 * example (src/ingest/rtsp_auth.c), and the interleaved frame / message
 * splitter fed at every possible split point (src/ingest/rtsp_wire.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <libavutil/base64.h>

#include "base/base.h"
#include "ingest/internal.h"

/* ---- SDP ---------------------------------------------------------------- */

/* What gst-rtsp-server (camsim) sends for an H.264 main stream. */
static const char sdp_h264[] =
    "v=0\r\n"
    "o=- 14689179501639504943 1 IN IP4 127.0.0.1\r\n"
    "s=Session streamed with GStreamer\r\n"
    "t=0 0\r\n"
    "a=control:*\r\n"
    "a=range:npt=now-\r\n"
    "m=video 0 RTP/AVP 96\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z2QAKKy0A8ARPy4CIAAAAwAgAAAGQeMGVA==,aO88sA==\r\n"
    "a=control:stream=0\r\n";

static void expect_sets(const struct sdp_video *v, const char *const *b64, int n)
{
    uint8_t want[512];
    size_t wl = 0;
    for (int i = 0; i < n; i++) {
        memcpy(want + wl, "\0\0\0\1", 4);
        wl += 4;
        int got = av_base64_decode(want + wl, b64[i], (int)(sizeof want - wl));
        assert_true(got > 0);
        wl += (size_t)got;
    }
    assert_int_equal(v->extradata_size, (int)wl);
    assert_memory_equal(v->extradata, want, wl);
}

static void test_sdp_h264(void **state)
{
    (void)state;
    struct sdp_video v;
    assert_int_equal(sdp_parse_video(sdp_h264, strlen(sdp_h264), &v), 0);
    assert_int_equal(v.codec, RTP_H264);
    assert_int_equal(v.pt, 96);
    assert_int_equal(v.clock, 90000);
    assert_string_equal(v.control, "stream=0");
    assert_string_equal(v.session_control, "*");
    assert_int_equal(v.packetization_mode, 1);
    const char *sets[] = {"Z2QAKKy0A8ARPy4CIAAAAwAgAAAGQeMGVA==", "aO88sA=="};
    expect_sets(&v, sets, 2);
    sdp_video_free(&v);
}

static void test_sdp_h265_order_and_choice(void **state)
{
    (void)state;
    /* audio first; a video section with JPEG and H.265 (lower case, LF
     * only); the fmtp lists SPS before VPS but extradata is VPS, SPS, PPS */
    const char *sdp =
        "v=0\n"
        "s=cam\n"
        "m=audio 0 RTP/AVP 0\n"
        "a=rtpmap:0 PCMU/8000\n"
        "a=control:trackID=0\n"
        "m=video 0 RTP/AVP 26 98\n"
        "a=control:trackID=1\n"
        "a=fmtp:98 sprop-sps=QgEBAWAAAAMAkAAAAwAAAwB4oAPAgBEHy5bpqTC8BaAgAAADACAAAAMDIQ==; "
        "sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwB4ugJA; sprop-pps=RAHAcrBiQA==; sprop-max-don-diff=2\n"
        "a=rtpmap:98 h265/90000\n";
    struct sdp_video v;
    assert_int_equal(sdp_parse_video(sdp, strlen(sdp), &v), 0);
    assert_int_equal(v.codec, RTP_H265);
    assert_int_equal(v.pt, 98);
    assert_int_equal(v.max_don_diff, 2);
    assert_string_equal(v.control, "trackID=1");
    assert_null(v.session_control);
    const char *sets[] = {"QAEMAf//AWAAAAMAkAAAAwAAAwB4ugJA",
                          "QgEBAWAAAAMAkAAAAwAAAwB4oAPAgBEHy5bpqTC8BaAgAAADACAAAAMDIQ==",
                          "RAHAcrBiQA=="};
    expect_sets(&v, sets, 3);
    sdp_video_free(&v);
}

static void test_sdp_rejects_and_bounds(void **state)
{
    (void)state;
    struct sdp_video v;
    const char *audio = "v=0\r\nm=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    assert_int_equal(sdp_parse_video(audio, strlen(audio), &v), WW_EINVAL);
    const char *mjpeg = "v=0\r\nm=video 0 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\n";
    assert_int_equal(sdp_parse_video(mjpeg, strlen(mjpeg), &v), WW_EINVAL);
    /* an rtpmap for a format the m= line does not list does not count */
    const char *unlisted = "v=0\r\nm=video 0 RTP/AVP 26\r\na=rtpmap:96 H264/90000\r\n";
    assert_int_equal(sdp_parse_video(unlisted, strlen(unlisted), &v), WW_EINVAL);
    /* the length bounds the parse: cut before the rtpmap, no track */
    size_t cut = (size_t)(strstr(sdp_h264, "a=rtpmap") - sdp_h264);
    assert_int_equal(sdp_parse_video(sdp_h264, cut, &v), WW_EINVAL);
    /* parameter sets that do not decode are skipped, and a PPS left without
     * its SPS is no extradata (the keyframe's in-band sets are used); no
     * fmtp at all is fine */
    const char *badsets = "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                          "a=fmtp:96 sprop-parameter-sets=!!!,aO88sA==\r\n";
    assert_int_equal(sdp_parse_video(badsets, strlen(badsets), &v), 0);
    assert_null(v.extradata);
    assert_null(v.control);
    sdp_video_free(&v);
    const char *nofmtp = "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
    assert_int_equal(sdp_parse_video(nofmtp, strlen(nofmtp), &v), 0);
    assert_null(v.extradata);
    assert_int_equal(v.extradata_size, 0);
    sdp_video_free(&v);
}

static void expect_url(const char *base, const char *control, const char *want)
{
    char *got = rtsp_resolve_url(base, control);
    assert_string_equal(got, want);
    free(got);
}

static void test_resolve_url(void **state)
{
    (void)state;
    expect_url("rtsp://h:554/cam1/main/", "stream=0", "rtsp://h:554/cam1/main/stream=0");
    expect_url("rtsp://h/live", "trackID=1", "rtsp://h/live/trackID=1");
    expect_url("rtsp://h/live", "*", "rtsp://h/live");
    expect_url("rtsp://h/live", NULL, "rtsp://h/live");
    expect_url("rtsp://h/live", "", "rtsp://h/live");
    expect_url("rtsp://h/live", "rtsp://other/x/track1", "rtsp://other/x/track1");
    expect_url("rtsp://h:8554/a/b", "/c/d", "rtsp://h:8554/c/d");
    /* Dahua-style query in the base: appended, as cameras expect */
    expect_url("rtsp://h/cam/realmonitor?channel=1&subtype=0", "trackID=0",
               "rtsp://h/cam/realmonitor?channel=1&subtype=0/trackID=0");
}

/* ---- authentication --------------------------------------------------------- */

static void test_digest_rfc2617(void **state)
{
    (void)state;
    /* RFC 2617 §3.5 */
    char out[65];
    rtsp_digest("Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
                "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth", RTSP_DIGEST_MD5, out);
    assert_string_equal(out, "6629fae49393a05397450978507c4ef1");

    struct rtsp_auth a = {0};
    const char *ch = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                     "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                     "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
    assert_int_equal(rtsp_auth_challenge(&a, ch, strlen(ch)), 0);
    assert_int_equal(a.scheme, RTSP_AUTH_DIGEST);
    assert_true(a.qop_auth);
    strcpy(a.cnonce, "0a4f113b");
    char *h = rtsp_auth_header(&a, "Mufasa", "Circle Of Life", "GET", "/dir/index.html");
    assert_string_equal(h, "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                           "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                           "response=\"6629fae49393a05397450978507c4ef1\", "
                           "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, nc=00000001, "
                           "cnonce=\"0a4f113b\"");
    free(h);
    /* the nonce count goes up per request */
    h = rtsp_auth_header(&a, "Mufasa", "Circle Of Life", "GET", "/dir/index.html");
    assert_non_null(strstr(h, "nc=00000002"));
    free(h);
    /* a later Basic challenge does not displace Digest */
    const char *basic = "Basic realm=\"x\"";
    assert_int_equal(rtsp_auth_challenge(&a, basic, strlen(basic)), WW_EINVAL);
    assert_int_equal(a.scheme, RTSP_AUTH_DIGEST);
    rtsp_auth_free(&a);
}

static void test_digest_without_qop_and_rejects(void **state)
{
    (void)state;
    struct rtsp_auth a = {0};
    /* RFC 2069 form (no qop): response = MD5(HA1:nonce:HA2) */
    const char *ch = "Digest realm=\"cam\", nonce=\"abc\"";
    assert_int_equal(rtsp_auth_challenge(&a, ch, strlen(ch)), 0);
    assert_false(a.qop_auth);
    char want[65];
    rtsp_digest("admin", "cam", "pw", "DESCRIBE", "rtsp://h/x", "abc", NULL, NULL, NULL, RTSP_DIGEST_MD5, want);
    char *h = rtsp_auth_header(&a, "admin", "pw", "DESCRIBE", "rtsp://h/x");
    char expect[256];
    snprintf(expect, sizeof expect,
             "Digest username=\"admin\", realm=\"cam\", nonce=\"abc\", uri=\"rtsp://h/x\", "
             "response=\"%s\"", want);
    assert_string_equal(h, expect);
    free(h);
    rtsp_auth_free(&a);
    /* an algorithm we cannot do, a Digest without nonce, an unknown scheme */
    const char *sha = "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256";
    assert_int_equal(rtsp_auth_challenge(&a, sha, strlen(sha)), WW_EINVAL);
    const char *nononce = "Digest realm=\"r\"";
    assert_int_equal(rtsp_auth_challenge(&a, nononce, strlen(nononce)), WW_EINVAL);
    const char *neg = "Negotiate abc";
    assert_int_equal(rtsp_auth_challenge(&a, neg, strlen(neg)), WW_EINVAL);
    assert_int_equal(a.scheme, RTSP_AUTH_NONE);
    assert_null(rtsp_auth_header(&a, "u", "p", "OPTIONS", "rtsp://h/"));
    /* escapes in a quoted realm are read, and written back escaped; MD5-sess */
    const char *esc = "Digest realm=\"a \\\"b\\\"\", nonce=\"n\", algorithm=MD5-sess, qop=auth";
    assert_int_equal(rtsp_auth_challenge(&a, esc, strlen(esc)), 0);
    assert_string_equal(a.realm, "a \"b\"");
    assert_int_equal(a.alg, RTSP_DIGEST_MD5_SESS);
    h = rtsp_auth_header(&a, "u", "p", "OPTIONS", "rtsp://h/");
    assert_non_null(strstr(h, "realm=\"a \\\"b\\\"\""));
    assert_non_null(strstr(h, "algorithm=MD5-sess"));
    free(h);
    rtsp_auth_free(&a);
}

/* RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256; a
 * camera offering both gets the SHA-256 answer, whatever the order. */
static void test_digest_sha256_rfc7616(void **state)
{
    (void)state;
    static const char *nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    static const char *cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    char out[65];
    rtsp_digest("Mufasa", "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html", nonce,
                "00000001", cnonce, "auth", RTSP_DIGEST_MD5, out);
    assert_string_equal(out, "8ca523f5e9506fed4657c9700eebdbec");
    rtsp_digest("Mufasa", "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html", nonce,
                "00000001", cnonce, "auth", RTSP_DIGEST_SHA256, out);
    assert_string_equal(out, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");

    const char *md5 = "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, "
                      "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
                      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    const char *sha = "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
                      "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
                      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    for (int order = 0; order < 2; order++) {
        struct rtsp_auth a = {0};
        const char *first = order ? md5 : sha, *second = order ? sha : md5;
        assert_int_equal(rtsp_auth_challenge(&a, first, strlen(first)), 0);
        /* MD5 after SHA-256 is not taken; SHA-256 after MD5 replaces it */
        assert_int_equal(rtsp_auth_challenge(&a, second, strlen(second)), order ? 0 : WW_EINVAL);
        assert_int_equal(a.alg, RTSP_DIGEST_SHA256);
        strcpy(a.cnonce, "f2/wE4q74E6zIJE");   /* the struct holds 16 characters: not the RFC's */
        char *h = rtsp_auth_header(&a, "Mufasa", "Circle of Life", "GET", "/dir/index.html");
        char want[65];
        rtsp_digest("Mufasa", "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html", nonce,
                    "00000001", "f2/wE4q74E6zIJE", "auth", RTSP_DIGEST_SHA256, want);
        assert_non_null(strstr(h, "algorithm=SHA-256"));
        char resp[90];
        snprintf(resp, sizeof resp, "response=\"%s\"", want);
        assert_non_null(strstr(h, resp));
        free(h);
        rtsp_auth_free(&a);
    }
}

static void test_basic(void **state)
{
    (void)state;
    struct rtsp_auth a = {0};
    const char *ch = "Basic realm=\"WallyWorld\"";
    assert_int_equal(rtsp_auth_challenge(&a, ch, strlen(ch)), 0);
    char *h = rtsp_auth_header(&a, "Aladdin", "open sesame", "DESCRIBE", "rtsp://h/");
    assert_string_equal(h, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="); /* RFC 2617 §2 */
    free(h);
    /* Digest offered after Basic replaces it */
    const char *dg = "Digest realm=\"r\", nonce=\"n\"";
    assert_int_equal(rtsp_auth_challenge(&a, dg, strlen(dg)), 0);
    assert_int_equal(a.scheme, RTSP_AUTH_DIGEST);
    rtsp_auth_free(&a);
}

/* ---- the interleaved stream splitter -------------------------------------- */

struct seen { int kind, channel, status; size_t len; char text[64]; };

/* Splits all of buf, as the client does, but receiving it in two reads cut
 * at 'cut'; returns the number of items. */
static int split_at(const uint8_t *buf, size_t n, size_t cut, struct seen *out, int max)
{
    uint8_t *rx = malloc(n + 1);
    size_t have = cut, rd = 0;
    int k = 0;
    memcpy(rx, buf, cut);
    for (int round = 0; round < 2; round++) {
        for (;;) {
            struct rtsp_item it;
            ptrdiff_t c = rtsp_wire_next(rx + rd, have - rd, 1, &it);
            assert_true(c >= 0);
            if (c == 0) break;
            rd += (size_t)c;
            /* junk at the end of a read is reported up to there: merge runs */
            if (it.kind == RTSP_ITEM_JUNK && k && out[k - 1].kind == RTSP_ITEM_JUNK) {
                out[k - 1].len += it.len;
                continue;
            }
            assert_true(k < max);
            struct seen *s = &out[k++];
            memset(s, 0, sizeof *s);
            s->kind = it.kind;
            s->channel = it.channel;
            s->status = it.status;
            if (it.kind == RTSP_ITEM_MSG) {
                s->len = it.body_len;
                snprintf(s->text, sizeof s->text, "%.*s", (int)it.body_len, it.body);
            } else {
                s->len = it.len;
            }
        }
        memcpy(rx + have, buf + have, n - have);
        have = n;
    }
    assert_int_equal(rd, n); /* everything was consumed */
    free(rx);
    return k;
}

static void test_wire_split_everywhere(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t n = 0;
#define PUT(s) do { memcpy(buf + n, s, sizeof(s) - 1); n += sizeof(s) - 1; } while (0)
    PUT("RTSP/1.0 200 OK\r\nCSeq: 5\r\nContent-Length: 4\r\n\r\nabcd");
    PUT("$\x00\x00\x0a" "0123456789");
    PUT("$\x01\x00\x03" "rtc");
    PUT("xx");                                           /* junk */
    PUT("RTSP/1.0 401 Unauthorized\r\nCSeq: 6\r\n\r\n"); /* no body */
    PUT("$\x07\x00\x02");                                /* channel 7 > 1: junk */
    PUT("$\x00\x00\x00");                                /* empty frame */
    PUT("OPTIONS * RTSP/1.0\nCSeq: 9\n\n");              /* a request, LF only */
    PUT("$\x00\x01\x00");                                /* a 256-byte frame */
    memset(buf + n, 'v', 256);
    n += 256;
#undef PUT
    struct seen ref[16], got[16];
    int nref = split_at(buf, n, n, ref, 16);
    int expect_kinds[] = {RTSP_ITEM_MSG, RTSP_ITEM_FRAME, RTSP_ITEM_FRAME, RTSP_ITEM_JUNK,
                          RTSP_ITEM_MSG, RTSP_ITEM_JUNK, RTSP_ITEM_FRAME, RTSP_ITEM_MSG,
                          RTSP_ITEM_FRAME};
    assert_int_equal(nref, 9);
    for (int i = 0; i < nref; i++) assert_int_equal(ref[i].kind, expect_kinds[i]);
    assert_int_equal(ref[0].status, 200);
    assert_string_equal(ref[0].text, "abcd");
    assert_int_equal(ref[1].channel, 0);
    assert_int_equal(ref[1].len, 10);
    assert_int_equal(ref[2].channel, 1);
    assert_int_equal(ref[3].len, 2);
    assert_int_equal(ref[4].status, 401);
    assert_int_equal(ref[5].len, 4);
    assert_int_equal(ref[6].len, 0);
    assert_int_equal(ref[7].status, 0);
    assert_int_equal(ref[8].len, 256);
    /* the same items whatever byte the first read ends at */
    for (size_t cut = 0; cut <= n; cut++) {
        int k = split_at(buf, n, cut, got, 16);
        assert_int_equal(k, nref);
        for (int i = 0; i < k; i++) {
            assert_int_equal(got[i].kind, ref[i].kind);
            assert_int_equal(got[i].channel, ref[i].channel);
            assert_int_equal(got[i].status, ref[i].status);
            assert_int_equal(got[i].len, ref[i].len);
            assert_string_equal(got[i].text, ref[i].text);
        }
    }
}

static void test_wire_caps_and_headers(void **state)
{
    (void)state;
    struct rtsp_item it;
    /* a head that never ends within the cap */
    size_t n = RTSP_MAX_HEAD + 10;
    uint8_t *big = malloc(n);
    memcpy(big, "RTSP/1.0 200 OK\r\n", 17);
    memset(big + 17, 'a', n - 17);
    assert_int_equal(rtsp_wire_next(big, n, 1, &it), WW_EINVAL);
    assert_int_equal(rtsp_wire_next(big, 100, 1, &it), 0); /* not yet: wait */
    free(big);
    /* a body over the cap, and a Content-Length that is not a number */
    const char *huge = "RTSP/1.0 200 OK\r\nContent-Length: 99999999999\r\n\r\n";
    assert_int_equal(rtsp_wire_next((const uint8_t *)huge, strlen(huge), 1, &it), WW_EINVAL);
    const char *nan = "RTSP/1.0 200 OK\r\nContent-Length: 1x\r\n\r\n";
    assert_int_equal(rtsp_wire_next((const uint8_t *)nan, strlen(nan), 1, &it), WW_EINVAL);
    /* a status line that does not parse */
    const char *bad = "RTSP/1.0 OK\r\n\r\n";
    assert_int_equal(rtsp_wire_next((const uint8_t *)bad, strlen(bad), 1, &it), (ptrdiff_t)strlen(bad));
    assert_int_equal(it.status, -1);
    /* header lookup: case, spaces, repeats */
    const char *h = "RTSP/1.0 401 Unauthorized\r\n"
                    "cseq:  3 \r\n"
                    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\n"
                    "Www-Authenticate : Basic realm=\"r\"\r\n"
                    "Session: 1234;timeout=60";
    size_t pos = 0, vl;
    const char *v;
    assert_true(rtsp_hdr_next(h, strlen(h), "CSeq", &pos, &v, &vl));
    assert_int_equal(vl, 1);
    assert_memory_equal(v, "3", 1);
    pos = 0;
    assert_true(rtsp_hdr_next(h, strlen(h), "WWW-Authenticate", &pos, &v, &vl));
    assert_true(vl > 6 && !memcmp(v, "Digest", 6));
    assert_true(rtsp_hdr_next(h, strlen(h), "WWW-Authenticate", &pos, &v, &vl));
    assert_true(vl > 5 && !memcmp(v, "Basic", 5));
    assert_false(rtsp_hdr_next(h, strlen(h), "WWW-Authenticate", &pos, &v, &vl));
    pos = 0;
    assert_true(rtsp_hdr_next(h, strlen(h), "Session", &pos, &v, &vl));
    assert_int_equal(vl, strlen("1234;timeout=60"));
    pos = 0;
    assert_false(rtsp_hdr_next(h, strlen(h), "Sess", &pos, &v, &vl));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sdp_h264),
        cmocka_unit_test(test_sdp_h265_order_and_choice),
        cmocka_unit_test(test_sdp_rejects_and_bounds),
        cmocka_unit_test(test_resolve_url),
        cmocka_unit_test(test_digest_rfc2617),
        cmocka_unit_test(test_digest_without_qop_and_rejects),
        cmocka_unit_test(test_digest_sha256_rfc7616),
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_wire_split_everywhere),
        cmocka_unit_test(test_wire_caps_and_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
