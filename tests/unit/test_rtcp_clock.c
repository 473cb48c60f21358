/*
 * test_rtcp_clock.c — wall time from RTCP sender reports (src/ingest/rtcp.c):
 * NTP → unix time; an SR is taken only from the source's SSRC (another, or
 * one before any RTP, is counted and ignored); a trusted mapping is reached
 * by a slew of at most RTCP_SLEW_PPM of media time, monotonic, to within
 * RTCP_SLEW_STOP_US, and inside RTCP_SLEW_START_US nothing is bent; a camera clock hours off is flagged once and its frames stay on
 * our clock; one late-read SR does not condemn a good clock; the media
 * clock's drift rate is measured from arrivals through their jitter; the mapping carries across the 2^32
 * wrap (extended timestamps); a re-anchor drops it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ingest/internal.h"

#define T0 1767225600000000LL /* 2026-01-01 00:00:00 UTC, µs */
#define FRAME 3600            /* 40 ms at 90 kHz */

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void test_ntp_to_unix(void **state)
{
    (void)state;
    assert_int_equal(rtcp_ntp_to_unix_us((uint64_t)RTCP_NTP_UNIX_OFFSET << 32), 0);
    uint64_t ntp = (uint64_t)(1767225600 + RTCP_NTP_UNIX_OFFSET) << 32 | 0x80000000u;
    assert_int_equal(rtcp_ntp_to_unix_us(ntp), T0 + 500000);
    ntp = (uint64_t)(1767225600 + RTCP_NTP_UNIX_OFFSET) << 32 | 0x40000000u;
    assert_int_equal(rtcp_ntp_to_unix_us(ntp), T0 + 250000);
}

static size_t sr(uint8_t *out, uint32_t ssrc, uint32_t ntp_sec, uint32_t ntp_frac, uint32_t rtp)
{
    memset(out, 0, 28);
    out[0] = 0x80;
    out[1] = 200;
    out[3] = 6;
    wr32(out + 4, ssrc);
    wr32(out + 8, ntp_sec);
    wr32(out + 12, ntp_frac);
    wr32(out + 16, rtp);
    return 28;
}

static size_t rtp(uint8_t *out, uint32_t ssrc, uint16_t seq, uint32_t ts)
{
    memset(out, 0, 14);
    out[0] = 0x80;
    out[1] = 96;
    out[2] = (uint8_t)(seq >> 8);
    out[3] = (uint8_t)seq;
    wr32(out + 4, ts);
    wr32(out + 8, ssrc);
    return 14;
}

static void test_sr_ssrc_checked(void **state)
{
    (void)state;
    struct rtcp_rx r;
    rtcp_rx_init(&r, 1, 90000);
    uint8_t b[64], p[32];
    /* before any RTP packet there is no source to match: ignored */
    rtcp_rx_rtcp(&r, b, sr(b, 0xaaaa0001, 100, 0, 5), 1000);
    assert_false(r.sr_new);
    assert_int_equal(r.sr_unknown, 1);
    rtcp_rx_rtp(&r, p, rtp(p, 0xaaaa0001, 10, 1000), 2000);
    /* another SSRC: counted, nothing taken, the LSR for our RR unchanged */
    rtcp_rx_rtcp(&r, b, sr(b, 0xbbbb0002, 0x12345678, 0x9abc0000, 7), 3000);
    assert_false(r.sr_new);
    assert_int_equal(r.sr_unknown, 2);
    assert_int_equal(r.lsr, 0);
    assert_int_equal(r.srs, 0);
    /* the source's own: NTP and RTP time kept, LSR from it */
    rtcp_rx_rtcp(&r, b, sr(b, 0xaaaa0001, 0x12345678, 0x9abc0000, 4242), 4000);
    assert_true(r.sr_new);
    assert_int_equal(r.sr_ntp, (uint64_t)0x12345678 << 32 | 0x9abc0000u);
    assert_int_equal(r.sr_rtp, 4242);
    assert_int_equal(r.lsr, 0x56789abc);
    assert_int_equal(r.srs, 1);
    assert_int_equal(r.sr_unknown, 2);
}

/* Frames every 40 ms from ts0, base (the receive-anchored time) starting at
 * base0; checks each wall time against the last and returns the last. */
static int64_t run_frames(struct rtcp_clock *k, int64_t *ts, int64_t *base, int n, int64_t *prev,
                          int64_t bend)
{
    int64_t w = 0;
    for (int i = 0; i < n; i++) {
        w = rtcp_clock_wall(k, *ts, *base);
        if (*prev) {
            int64_t step = w - *prev;
            /* 40 ms of media, bent by at most bend: 40 µs at 1 ms/s */
            assert_true(step >= 40000 - bend && step <= 40000 + bend);
        }
        *prev = w;
        *ts += FRAME;
        *base += 40000;
    }
    return w;
}

static void test_trusted_slew(void **state)
{
    (void)state;
    struct rtcp_clock k;
    rtcp_clock_init(&k, 90000);
    assert_string_equal(rtcp_clock_source(&k), "receive");
    const int64_t late = RTCP_SLEW_START_US + 100000; /* past the band: slewed */
    int64_t ts = 1000, base = T0 + late, prev = 0;   /* our anchor this late */
    run_frames(&k, &ts, &base, 10, &prev, 0);
    assert_int_equal(k.corr_us, 0); /* no SR: the receive clock alone */
    /* the SR says RTP 1000 was at T0 exactly; it came 5 ms later */
    assert_int_equal(rtcp_clock_sr(&k, T0, 1000, T0 + 5000), 0);
    assert_string_equal(rtcp_clock_source(&k), "rtcp");
    assert_int_equal(k.offset_us, -5000);
    /* taken off at 1 ms/s of media, in 40 µs steps, until within RTCP_SLEW_STOP_US */
    run_frames(&k, &ts, &base, 1000, &prev, 40);
    assert_int_equal(k.corr_us, -40000);
    assert_true(k.slewing);
    run_frames(&k, &ts, &base, (int)(late / 40) + 100, &prev, 40);
    assert_int_equal(k.corr_us, -late + RTCP_SLEW_STOP_US);
    assert_int_equal(k.map_err_us, -RTCP_SLEW_STOP_US);
    assert_false(k.slewing);
    /* inside the band nothing is bent: frames exactly 40 ms apart */
    rtcp_clock_sr(&k, T0 + RTCP_SLEW_START_US / 2 + (ts - 1000) * 1000000 / 90000, ts, base);
    run_frames(&k, &ts, &base, 500, &prev, 0);
    assert_int_equal(k.corr_us, -late + RTCP_SLEW_STOP_US);
    /* a later SR as far the other way (drift) is followed the same way */
    rtcp_clock_sr(&k, T0 + late + (ts - 1000) * 1000000 / 90000, ts, base);
    run_frames(&k, &ts, &base, (int)(late / 40) + 100, &prev, 40);
    assert_int_equal(k.corr_us, -RTCP_SLEW_STOP_US);
    int64_t w = rtcp_clock_wall(&k, ts, base);
    assert_int_equal(w, T0 + late + (ts - 1000) * 1000000 / 90000 - RTCP_SLEW_STOP_US);
    /* a re-anchor drops the mapping: back to the receive clock */
    rtcp_clock_rebase(&k);
    assert_int_equal(rtcp_clock_wall(&k, ts + FRAME, base + 40000), base + 40000);
    assert_string_equal(rtcp_clock_source(&k), "receive");
}

static void test_clock_hours_off(void **state)
{
    (void)state;
    struct rtcp_clock k;
    rtcp_clock_init(&k, 90000);
    int64_t ts = 0, base = T0, prev = 0;
    int flagged = 0;
    for (int s = 0; s < 20; s++) {
        /* the camera's clock 3 h behind; its SR read 2 ms after it left */
        int64_t recv = T0 + s * 1000000 + 2000;
        flagged += rtcp_clock_sr(&k, recv - 2000 - 10800LL * 1000000, ts, recv);
        run_frames(&k, &ts, &base, 25, &prev, 2000);
        /* never near the camera's hour: within a few ms of ours */
        assert_true(llabs(prev - (base - 40000)) < 10000);
    }
    assert_int_equal(flagged, 1);
    assert_true(k.untrusted);
    assert_string_equal(rtcp_clock_source(&k), "receive");
    assert_true(llabs(k.offset_us + 10800LL * 1000000) < 5000);
}

static void test_one_late_sr_does_not_condemn(void **state)
{
    (void)state;
    struct rtcp_clock k;
    rtcp_clock_init(&k, 90000);
    /* the first SR read 2.5 s late (the ingest thread stalled), then on time */
    assert_int_equal(rtcp_clock_sr(&k, T0, 0, T0 + 2500000), 0);
    assert_int_equal(rtcp_clock_sr(&k, T0 + 1000000, 90000, T0 + 1001000), 0);
    assert_false(k.untrusted);
    assert_int_equal(k.offset_us, -1000); /* the least delayed of the two */
    /* a clock 3 s off, though, is condemned at its second SR */
    rtcp_clock_init(&k, 90000);
    assert_int_equal(rtcp_clock_sr(&k, T0 + 3000000, 0, T0), 0);
    assert_int_equal(rtcp_clock_sr(&k, T0 + 4000000, 90000, T0 + 1000000), 1);
    assert_true(k.untrusted);
}

static void test_trusted_clock_drifting_off(void **state)
{
    (void)state;
    struct rtcp_clock k;
    rtcp_clock_init(&k, 90000);
    int flagged = 0;
    /* right for 8 SRs, then its clock has run 2.5 s ahead of ours */
    for (int s = 0; s < 20; s++) {
        int64_t recv = T0 + s * 1000000;
        int64_t off = s < 8 ? 1000 : 2500000;
        flagged += rtcp_clock_sr(&k, recv + off, (int64_t)s * 90000, recv);
        assert_string_equal(rtcp_clock_source(&k), k.untrusted ? "receive" : "rtcp");
    }
    assert_int_equal(flagged, 1);
    /* the window's best is the camera's offset now: 2.5 s */
    assert_int_equal(k.offset_us, 2500000);
}

static void test_drift_measured(void **state)
{
    (void)state;
    struct rtcp_clock k;
    rtcp_clock_init(&k, 90000);
    srand(12);
    int64_t ts = 1000;
    /* a camera whose clock runs 200 ppm fast: 25 frames of its media time
     * arrive in 1 s - 200 µs of ours; each one late by 0.5..3 ms, one in
     * five by 5..60 ms (a busy path), and a slow start */
    for (int f = 0; f < 25 * 40; f++) {
        int64_t real = T0 + (int64_t)((double)f * 40000 / (1 + 200e-6));
        int64_t lag = rand() % 5 ? 500 + rand() % 2500 : 5000 + rand() % 55000;
        if (f < 25) lag += 80000;
        rtcp_clock_arrival(&k, ts, real + lag);
        if (f < 25 * 12) assert_false(k.have_drift); /* not before 10 s of it */
        ts += FRAME;
    }
    assert_true(k.have_drift);
    assert_true(k.drift_ppm > 150 && k.drift_ppm < 250);
    /* a re-anchor starts the measure over */
    rtcp_clock_rebase(&k);
    assert_false(k.rate.started);
}

static void test_mapping_across_wrap(void **state)
{
    (void)state;
    struct rtcp_clock k;
    rtcp_clock_init(&k, 90000);
    int64_t ts = (1LL << 32) - 5 * 90000, base = T0, prev = 0; /* 5 s before the wrap */
    rtcp_clock_sr(&k, T0, ts, T0 + 1000);
    run_frames(&k, &ts, &base, 250, &prev, 2000); /* 10 s: across 2^32 */
    assert_true(ts > (1LL << 32));
    /* an SR after the wrap, extended past 2^32 like the packets */
    rtcp_clock_sr(&k, T0 + 10000000, ts, T0 + 10001000);
    int64_t w = rtcp_clock_wall(&k, ts, base);
    assert_true(llabs(w - (T0 + 10000000)) < 1000);
    assert_true(llabs(k.map_err_us) < 1000);
    assert_true(w > prev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ntp_to_unix),
        cmocka_unit_test(test_sr_ssrc_checked),
        cmocka_unit_test(test_trusted_slew),
        cmocka_unit_test(test_clock_hours_off),
        cmocka_unit_test(test_one_late_sr_does_not_condemn),
        cmocka_unit_test(test_trusted_clock_drifting_off),
        cmocka_unit_test(test_drift_measured),
        cmocka_unit_test(test_mapping_across_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
