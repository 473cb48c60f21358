/*
 * test_rtp_audio.c — a camera's sound track (issue 12 item 6): the SDP's
 * audio media (mpeg4-generic AAC with its fmtp, G.711 static and dynamic),
 * the RFC 3640 depacketizer (several AUs per packet with their times, an
 * AU fragmented over packets, AU-Index-delta steps, a lost fragment, bad
 * AU-header lengths that must drop the packet and not read past it, the
 * timestamp wrap) and the G.711 → AAC transcoder's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "ingest/internal.h"

static const char sdp_aac[] =
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=cam\r\na=control:*\r\n"
    "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:stream=0\r\n"
    "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/16000/1\r\n"
    "a=fmtp:97 streamtype=5;profile-level-id=15;mode=AAC-hbr;config=1408;sizelength=13;"
    "indexlength=3;indexdeltalength=3\r\na=control:stream=1\r\n";

static void test_sdp_aac(void **state)
{
    (void)state;
    struct sdp_audio a;
    assert_int_equal(sdp_parse_audio(sdp_aac, strlen(sdp_aac), &a), 0);
    assert_int_equal(a.codec, SDP_AUDIO_AAC);
    assert_int_equal(a.pt, 97);
    assert_int_equal(a.clock, 16000);
    assert_int_equal(a.channels, 1);
    assert_int_equal(a.size_length, 13);
    assert_int_equal(a.index_length, 3);
    assert_int_equal(a.index_delta_length, 3);
    assert_int_equal(a.extradata_size, 2);
    assert_int_equal(a.extradata[0], 0x14);
    assert_int_equal(a.extradata[1], 0x08);
    assert_string_equal(a.control, "stream=1");
    sdp_audio_free(&a);
    /* the video section is still what sdp_parse_video picks */
    struct sdp_video v;
    assert_int_equal(sdp_parse_video(sdp_aac, strlen(sdp_aac), &v), 0);
    assert_string_equal(v.control, "stream=0");
    sdp_video_free(&v);
}

static void test_sdp_g711_and_refusals(void **state)
{
    (void)state;
    struct sdp_audio a;
    const char *s = "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\nm=audio 0 RTP/AVP 8\r\na=control:a\r\n";
    assert_int_equal(sdp_parse_audio(s, strlen(s), &a), 0);
    assert_int_equal(a.codec, SDP_AUDIO_PCMA);
    assert_int_equal(a.clock, 8000);
    sdp_audio_free(&a);
    s = "v=0\r\nm=audio 0 RTP/AVP 0\r\n";
    assert_int_equal(sdp_parse_audio(s, strlen(s), &a), 0);
    assert_int_equal(a.codec, SDP_AUDIO_PCMU);
    sdp_audio_free(&a);
    s = "v=0\r\nm=audio 0 RTP/AVP 110\r\na=rtpmap:110 PCMU/16000\r\n"; /* dynamic, wideband */
    assert_int_equal(sdp_parse_audio(s, strlen(s), &a), 0);
    assert_int_equal(a.codec, SDP_AUDIO_PCMU);
    assert_int_equal(a.clock, 16000);
    sdp_audio_free(&a);
    /* what we cannot record is no audio at all, never a broken track */
    const char *bad[] = {
        "v=0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 MP4A-LATM/16000\r\n",
        "v=0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 mpeg4-generic/16000\r\na=fmtp:97 mode=AAC-hbr;sizelength=13\r\n",
        "v=0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 mpeg4-generic/16000\r\na=fmtp:97 mode=AAC-hbr;config=1408\r\n",
        "v=0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 mpeg4-generic/16000\r\na=fmtp:97 mode=CELP-cbr;config=1408;sizelength=13\r\n",
        "v=0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 mpeg4-generic/16000\r\na=fmtp:97 mode=AAC-hbr;config=14G8;sizelength=13\r\n",
        "v=0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 mpeg4-generic/16000\r\na=fmtp:97 mode=AAC-hbr;config=1408;sizelength=40\r\n",
        "v=0\r\nm=audio 0 RTP/AVP 8\r\na=rtpmap:8 G726-32/8000\r\n",
        "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (sdp_parse_audio(bad[i], strlen(bad[i]), &a) != WW_EINVAL) fail_msg("took:\n%s", bad[i]);
        assert_null(a.extradata);
    }
}

/* An RTP packet: header (pt 97), then payload. */
static size_t rtp(uint8_t *out, uint16_t seq, uint32_t ts, bool marker, const uint8_t *pl, size_t n)
{
    out[0] = 0x80;
    out[1] = (uint8_t)((marker ? 0x80 : 0) | 97);
    out[2] = (uint8_t)(seq >> 8); out[3] = (uint8_t)seq;
    out[4] = (uint8_t)(ts >> 24); out[5] = (uint8_t)(ts >> 16); out[6] = (uint8_t)(ts >> 8); out[7] = (uint8_t)ts;
    memset(out + 8, 0x11, 4);
    memcpy(out + 12, pl, n);
    return 12 + n;
}

/* AU headers of 16 bits (13 size + 3 index/delta) for sizes[0..n), deltas
 * given; then the AU bytes (AU i filled with i + 1). */
static size_t rfc3640(uint8_t *out, const unsigned *sizes, const unsigned *idx, int n)
{
    out[0] = (uint8_t)((16 * n) >> 8);
    out[1] = (uint8_t)(16 * n);
    size_t o = 2;
    for (int i = 0; i < n; i++) {
        unsigned h = sizes[i] << 3 | idx[i];
        out[o++] = (uint8_t)(h >> 8);
        out[o++] = (uint8_t)h;
    }
    for (int i = 0; i < n; i++) { memset(out + o, i + 1, sizes[i]); o += sizes[i]; }
    return o;
}

static struct rtp_adepack new_aac(void)
{
    struct sdp_audio a;
    assert_int_equal(sdp_parse_audio(sdp_aac, strlen(sdp_aac), &a), 0);
    struct rtp_adepack d;
    rtp_adepack_init(&d, &a);
    sdp_audio_free(&a);
    return d;
}

static void expect_au(struct rtp_adepack *d, int size, int64_t ts, uint8_t fill)
{
    AVPacket *p = av_packet_alloc();
    if (!rtp_adepack_pop(d, p)) fail_msg("expected an AU of %d bytes at %lld, none came", size, (long long)ts);
    if (p->size != size || p->pts != ts)
        fail_msg("expected an AU of %d bytes at %lld, saw %d bytes at %lld", size, (long long)ts, p->size, (long long)p->pts);
    for (int i = 0; i < size; i++)
        if (p->data[i] != fill) fail_msg("AU byte %d: expected %u, saw %u", i, fill, p->data[i]);
    av_packet_free(&p);
}

static void test_several_aus(void **state)
{
    (void)state;
    struct rtp_adepack d = new_aac();
    uint8_t pl[2048], pk[2100];
    unsigned sizes[3] = {100, 7, 300}, idx[3] = {0, 0, 1}; /* the third skips one AU (delta 1) */
    size_t n = rfc3640(pl, sizes, idx, 3);
    assert_int_equal(rtp_adepack_push(&d, pk, rtp(pk, 10, 5000, true, pl, n)), 3);
    expect_au(&d, 100, 5000, 1);
    expect_au(&d, 7, 5000 + 1024, 2);
    expect_au(&d, 300, 5000 + 3 * 1024, 3);
    assert_int_equal(d.st.bad, 0);
    rtp_adepack_free(&d);
}

static void test_fragmented_au(void **state)
{
    (void)state;
    struct rtp_adepack d = new_aac();
    uint8_t pl[2048], pk[2100];
    /* one AU of 1000 bytes in three packets: the header says 1000 each time */
    unsigned size = 1000, idx = 0;
    size_t sent = 0;
    uint16_t seq = 65534; /* across the sequence wrap too */
    for (int part = 0; part < 3; part++) {
        size_t chunk = part < 2 ? 400 : 200;
        pl[0] = 0; pl[1] = 16;
        pl[2] = (uint8_t)((size << 3 | idx) >> 8); pl[3] = (uint8_t)(size << 3 | idx);
        memset(pl + 4, 9, chunk);
        int ready = rtp_adepack_push(&d, pk, rtp(pk, seq++, 77, part == 2, pl, 4 + chunk));
        assert_int_equal(ready, part == 2 ? 1 : 0);
        sent += chunk;
    }
    assert_int_equal(sent, 1000);
    expect_au(&d, 1000, 77, 9);
    /* a lost middle fragment drops the AU, and the next whole AU comes */
    for (int part = 0; part < 3; part++) {
        if (part == 1) { seq++; continue; }
        size_t chunk = part < 2 ? 400 : 200;
        pl[0] = 0; pl[1] = 16;
        pl[2] = (uint8_t)((size << 3) >> 8); pl[3] = (uint8_t)(size << 3);
        memset(pl + 4, 9, chunk);
        assert_int_equal(rtp_adepack_push(&d, pk, rtp(pk, seq++, 2101, part == 2, pl, 4 + chunk)), 0);
    }
    assert_true(d.st.dropped_aus >= 1);
    assert_int_equal(d.st.lost, 1);
    unsigned s1 = 50, i1 = 0;
    size_t n = rfc3640(pl, &s1, &i1, 1);
    assert_int_equal(rtp_adepack_push(&d, pk, rtp(pk, seq++, 3125, true, pl, n)), 1);
    expect_au(&d, 50, 3125, 1);
    rtp_adepack_free(&d);
}

static void test_bad_header_lengths(void **state)
{
    (void)state;
    struct rtp_adepack d = new_aac();
    uint8_t pl[64], pk[128];
    struct { const uint8_t *p; size_t n; const char *what; } cases[] = {
        {(const uint8_t[]){0x00}, 1, "no AU-headers-length"},
        {(const uint8_t[]){0x00, 0x00, 1, 2}, 4, "zero header bits"},
        {(const uint8_t[]){0x00, 0x40, 0x00, 0x08}, 4, "64 header bits in 2 bytes"},
        {(const uint8_t[]){0x00, 0x0c, 0x00, 0x08, 5}, 5, "12 bits: not a whole header"},
        {(const uint8_t[]){0x00, 0x20, 0x00, 0x20, 0x00, 0x20, 1, 2, 3, 4, 5}, 11, "two AUs of 4 in 5 bytes"},
        {(const uint8_t[]){0xff, 0xff}, 2, "65535 header bits"},
    };
    uint16_t seq = 1;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        memcpy(pl, cases[i].p, cases[i].n);
        int64_t bad = d.st.bad;
        int ready = rtp_adepack_push(&d, pk, rtp(pk, seq++, 1000 * (uint32_t)i, true, pl, cases[i].n));
        if (ready != 0 || d.st.bad != bad + 1)
            fail_msg("%s: expected the packet dropped and counted bad, saw %d AUs, bad %lld -> %lld", cases[i].what,
                     ready, (long long)bad, (long long)d.st.bad);
    }
    /* a packet too short for its RTP header, and another payload type */
    assert_int_equal(rtp_adepack_push(&d, pk, 8), 0);
    rtp(pk, seq++, 0, true, pl, 4);
    pk[1] = 96;
    assert_int_equal(rtp_adepack_push(&d, pk, 16), 0);
    assert_int_equal(d.st.other_pt, 1);
    rtp_adepack_free(&d);
}

static void test_timestamp_wrap(void **state)
{
    (void)state;
    struct rtp_adepack d = new_aac();
    uint8_t pl[64], pk[128];
    unsigned s = 10, i = 0;
    size_t n = rfc3640(pl, &s, &i, 1);
    uint32_t ts = 0xFFFFFC00u; /* 1024 below the wrap */
    assert_int_equal(rtp_adepack_push(&d, pk, rtp(pk, 1, ts, true, pl, n)), 1);
    assert_int_equal(rtp_adepack_push(&d, pk, rtp(pk, 2, ts + 1024, true, pl, n)), 2);
    expect_au(&d, 10, 0xFFFFFC00LL, 1);
    expect_au(&d, 10, 0x100000000LL, 1); /* after the wrap, extended */
    rtp_adepack_free(&d);
}

static void test_g711_to_aac(void **state)
{
    (void)state;
    struct g711_aac *g;
    assert_int_equal(g711_aac_new(SDP_AUDIO_PCMA, 8000, 1, &g), 0);
    const AVCodecParameters *par = g711_aac_params(g);
    assert_int_equal(par->codec_id, AV_CODEC_ID_AAC);
    assert_int_equal(par->sample_rate, 8000);
    assert_true(par->extradata_size >= 2);
    /* 2 s of a 440 Hz A-law tone in 20 ms packets (160 samples) */
    AVPacket *in = av_packet_alloc(), *out = av_packet_alloc();
    int64_t frames = 0, last = INT64_MIN;
    for (int k = 0; k < 100; k++) {
        assert_int_equal(av_new_packet(in, 160), 0);
        for (int j = 0; j < 160; j++) {
            double v = 0.3 * sin(2 * M_PI * 440 * (k * 160 + j) / 8000.0);
            int s = (int)(v * 32767);
            /* G.711 A-law by its definition (ITU-T G.711): segment and mantissa, even bits flipped */
            int sign = s >= 0 ? 0x80 : 0, m = s >= 0 ? s : -s - 1;
            m >>= 3;
            int seg = 0;
            while (seg < 7 && m >= (32 << seg)) seg++;
            int code = seg ? (seg << 4) | ((m >> seg) & 0x0f) : (m >> 1) & 0x0f;
            in->data[j] = (uint8_t)((sign | code) ^ 0x55);
        }
        in->pts = in->dts = (int64_t)k * 160;
        assert_int_equal(g711_aac_push(g, in), 0);
        av_packet_unref(in);
        while (g711_aac_pop(g, out)) {
            if (out->dts <= last) fail_msg("AAC dts expected increasing, saw %lld after %lld", (long long)out->dts, (long long)last);
            last = out->dts;
            frames++;
            av_packet_unref(out);
        }
    }
    /* 16000 samples = 15.6 frames of 1024; the encoder holds back ~2 */
    if (frames < 12 || frames > 16) fail_msg("expected 12..16 AAC frames for 2 s at 8 kHz, saw %lld", (long long)frames);
    assert_true(g711_aac_cpu_us(g) > 0);
    av_packet_free(&in);
    av_packet_free(&out);
    g711_aac_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sdp_aac),
        cmocka_unit_test(test_sdp_g711_and_refusals),
        cmocka_unit_test(test_several_aus),
        cmocka_unit_test(test_fragmented_au),
        cmocka_unit_test(test_bad_header_lengths),
        cmocka_unit_test(test_timestamp_wrap),
        cmocka_unit_test(test_g711_to_aac),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
