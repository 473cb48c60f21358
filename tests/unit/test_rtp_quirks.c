/*
 * test_rtp_quirks.c — RTP quirks that real cameras are known for (issue 12
 * item 4, the packet-level ones; gathered from public RTSP clients' issue
 * trackers), fed to the lean client's depacketizer (src/ingest/rtp.c).
 * Each test states what comes out: the access units (bytes, time, key),
 * how many were dropped, and what was counted as lost.  None of them is a
 * reason to reconnect: the depacketizer has no such answer, and every test
 * ends with the stream still delivering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ingest/internal.h"

#define PT 96

static uint32_t cur_ssrc = 0x11111111;

static size_t rtp(uint8_t *out, uint16_t seq, uint32_t ts, bool marker, const uint8_t *pl, size_t n)
{
    out[0] = 0x80;
    out[1] = (uint8_t)((marker ? 0x80 : 0) | PT);
    out[2] = (uint8_t)(seq >> 8);
    out[3] = (uint8_t)seq;
    for (int i = 0; i < 4; i++) out[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
    for (int i = 0; i < 4; i++) out[8 + i] = (uint8_t)(cur_ssrc >> (24 - 8 * i));
    memcpy(out + 12, pl, n);
    return 12 + n;
}

static int push(struct rtp_depack *d, uint16_t seq, uint32_t ts, bool m, const uint8_t *pl, size_t n)
{
    uint8_t pkt[2048];
    assert_true(n + 12 <= sizeof pkt);
    return rtp_depack_push(d, pkt, rtp(pkt, seq, ts, m, pl, n));
}

struct exp { uint8_t b[4096]; size_t n; };
static void exp_nal(struct exp *e, const uint8_t *nal, size_t n)
{
    static const uint8_t sc[4] = {0, 0, 0, 1};
    memcpy(e->b + e->n, sc, 4);
    memcpy(e->b + e->n + 4, nal, n);
    e->n += 4 + n;
}

static void expect_au(struct rtp_depack *d, const struct exp *e, int64_t ts, bool key)
{
    AVPacket *pkt = av_packet_alloc();
    assert_true(rtp_depack_pop(d, pkt));
    assert_int_equal(pkt->size, (int)e->n);
    assert_memory_equal(pkt->data, e->b, e->n);
    assert_int_equal(pkt->pts, ts);
    assert_int_equal(!!(pkt->flags & AV_PKT_FLAG_KEY), key);
    av_packet_free(&pkt);
}

static void expect_none(struct rtp_depack *d)
{
    AVPacket *pkt = av_packet_alloc();
    assert_false(rtp_depack_pop(d, pkt));
    av_packet_free(&pkt);
}

static const uint8_t sps[] = {0x67, 0x64, 0x00, 0x28, 0xac, 0xb4};
static const uint8_t pps[] = {0x68, 0xef, 0x3c, 0xb0};
static const uint8_t sei[] = {0x06, 0x05, 0x02, 0xaa, 0xbb, 0x80};
static const uint8_t idr[] = {0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0x10, 0x20};
static const uint8_t pslice[] = {0x41, 0x9a, 0x22, 0x33};

/* A P-slice unit sent with timestamp ts comes out at pts; the stream goes on. */
static void then_p_at(struct rtp_depack *d, uint16_t seq, uint32_t ts, int64_t pts)
{
    assert_int_equal(push(d, seq, ts, true, pslice, sizeof pslice), 1);
    struct exp p = {0};
    exp_nal(&p, pslice, sizeof pslice);
    expect_au(d, &p, pts, false);
}
static void then_p(struct rtp_depack *d, uint16_t seq, uint32_t ts) { then_p_at(d, seq, ts, ts); }

/* The marker bit set on SPS, PPS and SEI (each its own packet): one unit
 * with all four, not three parameter-set "frames". */
static void test_marker_on_parameter_sets(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    assert_int_equal(push(&d, 1, 9000, true, sps, sizeof sps), 0);
    assert_int_equal(push(&d, 2, 9000, true, pps, sizeof pps), 0);
    assert_int_equal(push(&d, 3, 9000, true, sei, sizeof sei), 0);
    assert_int_equal(push(&d, 4, 9000, true, idr, sizeof idr), 1);
    struct exp e = {0};
    exp_nal(&e, sps, sizeof sps);
    exp_nal(&e, pps, sizeof pps);
    exp_nal(&e, sei, sizeof sei);
    exp_nal(&e, idr, sizeof idr);
    expect_au(&d, &e, 9000, true);
    then_p(&d, 5, 12600);
    assert_int_equal(d.st.dropped_aus, 0);
    assert_int_equal(d.st.lost, 0);
    rtp_depack_free(&d);
}

/* No marker bit ever: a new timestamp ends the unit before it. */
static void test_no_marker_at_all(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    push(&d, 1, 9000, false, sps, sizeof sps);
    push(&d, 2, 9000, false, pps, sizeof pps);
    assert_int_equal(push(&d, 3, 9000, false, idr, sizeof idr), 0);
    assert_int_equal(push(&d, 4, 12600, false, pslice, sizeof pslice), 1);
    struct exp e = {0};
    exp_nal(&e, sps, sizeof sps);
    exp_nal(&e, pps, sizeof pps);
    exp_nal(&e, idr, sizeof idr);
    expect_au(&d, &e, 9000, true);
    assert_int_equal(push(&d, 5, 16200, false, pslice, sizeof pslice), 1);
    struct exp p = {0};
    exp_nal(&p, pslice, sizeof pslice);
    expect_au(&d, &p, 12600, false);
    assert_int_equal(d.st.dropped_aus, 0);
    rtp_depack_free(&d);
}

/* FU-A with both the start and the end bit: a whole NAL unit in one FU. */
static void test_fu_a_start_and_end(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    uint8_t fu[16] = {0x7c, 0xc5};   /* indicator (NRI 3, type 28), S+E, type 5 */
    memcpy(fu + 2, idr + 1, sizeof idr - 1);
    assert_int_equal(push(&d, 1, 9000, true, fu, 2 + sizeof idr - 1), 1);
    struct exp e = {0};
    exp_nal(&e, idr, sizeof idr);
    expect_au(&d, &e, 9000, true);
    then_p(&d, 2, 12600);
    assert_int_equal(d.st.dropped_aus, 0);
    rtp_depack_free(&d);
}

/* A FU whose later fragments name another type, with the reserved bit set,
 * and an empty middle fragment: the start's type holds, nothing is lost. */
static void test_fu_type_changes_reserved_bits_empty_fragment(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    const uint8_t a[] = {0x7c, 0x85, 0x88, 0x84};        /* S, type 5 */
    const uint8_t mid_empty[] = {0x7c, 0x21};            /* R bit, type 1, no bytes */
    const uint8_t b[] = {0x7c, 0x01, 0x00, 0x33};        /* type 1 (wrong), middle */
    const uint8_t c[] = {0x7c, 0x61, 0xff, 0x10, 0x20};  /* E + R, type 1 (wrong) */
    push(&d, 10, 9000, false, a, sizeof a);
    push(&d, 11, 9000, false, mid_empty, sizeof mid_empty);
    push(&d, 12, 9000, false, b, sizeof b);
    assert_int_equal(push(&d, 13, 9000, true, c, sizeof c), 1);
    struct exp e = {0};
    exp_nal(&e, idr, sizeof idr);
    expect_au(&d, &e, 9000, true);
    then_p(&d, 14, 12600);
    assert_int_equal(d.st.dropped_aus, 0);
    rtp_depack_free(&d);
}

/* An empty FU-A start fragment (header only) followed by the rest. */
static void test_fu_a_empty_start(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    const uint8_t s[] = {0x7c, 0x85};
    uint8_t rest[16] = {0x7c, 0x45};
    memcpy(rest + 2, idr + 1, sizeof idr - 1);
    push(&d, 1, 9000, false, s, sizeof s);
    assert_int_equal(push(&d, 2, 9000, true, rest, 2 + sizeof idr - 1), 1);
    struct exp e = {0};
    exp_nal(&e, idr, sizeof idr);
    expect_au(&d, &e, 9000, true);
    assert_int_equal(d.st.dropped_aus, 0);
    rtp_depack_free(&d);
}

/* Start codes inside a packet: a camera passing its encoder's Annex B
 * through, either led by a start code or with SPS/PPS/IDR glued together. */
static void test_annexb_inside_packets(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    uint8_t pl[128];
    size_t n = 0;
    static const uint8_t sc4[] = {0, 0, 0, 1}, sc3[] = {0, 0, 1};
    memcpy(pl + n, sc4, 4); n += 4;
    memcpy(pl + n, sps, sizeof sps); n += sizeof sps;
    memcpy(pl + n, sc3, 3); n += 3;
    memcpy(pl + n, pps, sizeof pps); n += sizeof pps;
    memcpy(pl + n, sc4, 4); n += 4;
    memcpy(pl + n, idr, sizeof idr); n += sizeof idr;
    assert_int_equal(push(&d, 1, 9000, true, pl, n), 1);
    struct exp e = {0};
    exp_nal(&e, sps, sizeof sps);
    exp_nal(&e, pps, sizeof pps);
    exp_nal(&e, idr, sizeof idr);
    expect_au(&d, &e, 9000, true);   /* key: the IDR after the start codes was seen */
    /* glued without a leading start code: SPS 00 00 01 PPS 00 00 00 01 IDR */
    n = 0;
    memcpy(pl + n, sps, sizeof sps); n += sizeof sps;
    memcpy(pl + n, sc3, 3); n += 3;
    memcpy(pl + n, pps, sizeof pps); n += sizeof pps;
    memcpy(pl + n, sc4, 4); n += 4;
    memcpy(pl + n, idr, sizeof idr); n += sizeof idr;
    assert_int_equal(push(&d, 2, 12600, true, pl, n), 1);
    expect_au(&d, &e, 12600, true);
    then_p(&d, 3, 16200);
    assert_int_equal(d.st.annexb_split, 2);
    assert_int_equal(d.st.dropped_aus, 0);
    rtp_depack_free(&d);
}

/* The SSRC changes at every GOP, with a new random sequence number and
 * timestamp: no loss counted, no unit dropped, time goes on one frame step
 * (the last step seen, 3600) after the old sender's last unit. */
static void test_ssrc_changes_every_gop_counts(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    struct exp e = {0};
    exp_nal(&e, sps, sizeof sps);
    exp_nal(&e, idr, sizeof idr);
    for (int gop = 0; gop < 5; gop++) {
        cur_ssrc = 0x1000u + (uint32_t)gop * 7919u;
        uint16_t seq = (uint16_t)(gop * 13001);
        uint32_t ts = (uint32_t)gop * 1234567891u;
        push(&d, seq, ts, false, sps, sizeof sps);
        assert_int_equal(push(&d, (uint16_t)(seq + 1), ts, true, idr, sizeof idr), 1);
        expect_au(&d, &e, 7200LL * gop, true);      /* each GOP one step after the last */
        then_p_at(&d, (uint16_t)(seq + 2), ts + 3600, 7200LL * gop + 3600);
    }
    assert_int_equal(d.st.ssrc_changes, 4);
    assert_int_equal(d.st.lost, 0);
    assert_int_equal(d.st.gaps, 0);
    assert_int_equal(d.st.dropped_aus, 0);
    assert_int_equal(d.st.aus, 10);
    cur_ssrc = 0x11111111;
    rtp_depack_free(&d);
}

/* Extra packets repeating sequence numbers: dropped as late, nothing lost,
 * the unit they repeat is delivered once. */
static void test_repeated_sequence_numbers(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    push(&d, 7, 9000, false, sps, sizeof sps);
    push(&d, 7, 9000, false, sps, sizeof sps);
    assert_int_equal(push(&d, 8, 9000, true, idr, sizeof idr), 1);
    assert_int_equal(push(&d, 8, 9000, true, idr, sizeof idr), 1);  /* not a second unit */
    struct exp e = {0};
    exp_nal(&e, sps, sizeof sps);
    exp_nal(&e, idr, sizeof idr);
    expect_au(&d, &e, 9000, true);
    expect_none(&d);
    then_p(&d, 9, 12600);
    assert_int_equal(d.st.late, 2);
    assert_int_equal(d.st.lost, 0);
    assert_int_equal(d.st.dropped_aus, 0);
    rtp_depack_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marker_on_parameter_sets),
        cmocka_unit_test(test_no_marker_at_all),
        cmocka_unit_test(test_fu_a_start_and_end),
        cmocka_unit_test(test_fu_type_changes_reserved_bits_empty_fragment),
        cmocka_unit_test(test_fu_a_empty_start),
        cmocka_unit_test(test_annexb_inside_packets),
        cmocka_unit_test(test_ssrc_changes_every_gop_counts),
        cmocka_unit_test(test_repeated_sequence_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
