/*
 * test_rtsp_rtp.c — the RTP depacketizer of the lean RTSP client
 * (src/ingest/rtp.c) on synthetic packets: H.264 single NAL units, STAP-A,
 * FU-A across packets; H.265 AP and FU (with and without DONL); a sequence
 * gap drops the damaged access unit and only it; the timestamp unwraps past
 * 2^32; a new timestamp ends a unit without a marker; parameter sets sent
 * with their own timestamp lead the next unit; malformed headers are
 * counted and ignored; a recovery-point SEI marks a keyframe.  And the
 * decode times reorder.c derives from RTP's presentation times (B-frames),
 * with corrections for cameras whose times go backwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ingest/internal.h"

#define PT 96

/* Builds an RTP packet (version 2, no CSRC) around payload. */
static size_t rtp(uint8_t *out, uint16_t seq, uint32_t ts, bool marker, const uint8_t *pl,
                  size_t n)
{
    out[0] = 0x80;
    out[1] = (uint8_t)((marker ? 0x80 : 0) | PT);
    out[2] = (uint8_t)(seq >> 8);
    out[3] = (uint8_t)seq;
    out[4] = (uint8_t)(ts >> 24);
    out[5] = (uint8_t)(ts >> 16);
    out[6] = (uint8_t)(ts >> 8);
    out[7] = (uint8_t)ts;
    memset(out + 8, 0x11, 4); /* SSRC */
    memcpy(out + 12, pl, n);
    return 12 + n;
}

static int push(struct rtp_depack *d, uint16_t seq, uint32_t ts, bool m, const uint8_t *pl,
                size_t n)
{
    uint8_t pkt[2048];
    assert_true(n + 12 <= sizeof pkt);
    return rtp_depack_push(d, pkt, rtp(pkt, seq, ts, m, pl, n));
}

/* Expected Annex B bytes from a list of NAL units. */
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
    assert_int_equal(pkt->dts, ts);
    assert_int_equal(!!(pkt->flags & AV_PKT_FLAG_KEY), key);
    assert_non_null(pkt->buf);
    /* the padding after the data is zeroed, as decoders and parsers expect */
    for (int i = 0; i < AV_INPUT_BUFFER_PADDING_SIZE; i++) assert_int_equal(pkt->data[pkt->size + i], 0);
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
static const uint8_t idr[] = {0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0x10, 0x20};
static const uint8_t pslice[] = {0x41, 0x9a, 0x22, 0x33};

static void test_h264_single_nal(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    assert_int_equal(push(&d, 100, 9000, false, sps, sizeof sps), 0);
    assert_int_equal(push(&d, 101, 9000, false, pps, sizeof pps), 0);
    assert_int_equal(push(&d, 102, 9000, true, idr, sizeof idr), 1);
    struct exp e = {0};
    exp_nal(&e, sps, sizeof sps);
    exp_nal(&e, pps, sizeof pps);
    exp_nal(&e, idr, sizeof idr);
    expect_au(&d, &e, 9000, true);
    assert_int_equal(push(&d, 103, 12600, true, pslice, sizeof pslice), 1);
    struct exp p = {0};
    exp_nal(&p, pslice, sizeof pslice);
    expect_au(&d, &p, 12600, false);
    expect_none(&d);
    assert_int_equal(d.st.aus, 2);
    assert_int_equal(d.st.dropped_aus, 0);
    rtp_depack_free(&d);
}

static void test_h264_stap_a_and_fu_a(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    /* STAP-A: NRI from the NALs, type 24, then size16 NAL pairs */
    uint8_t stap[64];
    size_t n = 0;
    stap[n++] = 0x78;
    stap[n++] = 0;
    stap[n++] = sizeof sps;
    memcpy(stap + n, sps, sizeof sps);
    n += sizeof sps;
    stap[n++] = 0;
    stap[n++] = sizeof pps;
    memcpy(stap + n, pps, sizeof pps);
    n += sizeof pps;
    assert_int_equal(push(&d, 7, 1000, false, stap, n), 0);
    /* FU-A of a 3000-byte IDR in three packets */
    uint8_t nal[3000];
    nal[0] = 0x65;
    for (size_t i = 1; i < sizeof nal; i++) nal[i] = (uint8_t)(i * 7);
    size_t pos = 1;
    uint16_t seq = 8;
    for (int part = 0; part < 3; part++) {
        size_t take = part < 2 ? 1000 : sizeof nal - pos;
        uint8_t fu[1100];
        fu[0] = (uint8_t)((nal[0] & 0xE0) | 28);
        fu[1] = (uint8_t)((part == 0 ? 0x80 : 0) | (part == 2 ? 0x40 : 0) | (nal[0] & 0x1F));
        memcpy(fu + 2, nal + pos, take);
        pos += take;
        assert_int_equal(push(&d, seq++, 1000, part == 2, fu, take + 2), part == 2 ? 1 : 0);
    }
    struct exp *e = calloc(1, sizeof *e);
    exp_nal(e, sps, sizeof sps);
    exp_nal(e, pps, sizeof pps);
    exp_nal(e, nal, sizeof nal);
    expect_au(&d, e, 1000, true);
    free(e);
    rtp_depack_free(&d);
}

static void test_h264_fu_a_non_key(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    uint8_t a[] = {0x5C, 0x81, 1, 2, 3}; /* FU-A start of a type-1 slice, NRI 2 */
    uint8_t b[] = {0x5C, 0x41, 4, 5};    /* end */
    assert_int_equal(push(&d, 1, 500, false, a, sizeof a), 0);
    assert_int_equal(push(&d, 2, 500, true, b, sizeof b), 1);
    struct exp e = {0};
    const uint8_t nal[] = {0x41, 1, 2, 3, 4, 5};
    exp_nal(&e, nal, sizeof nal);
    expect_au(&d, &e, 500, false);
    rtp_depack_free(&d);
}

static void test_h265_ap_and_fu(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H265, PT, false);
    const uint8_t vps[] = {0x40, 0x01, 0x0c, 0x01};
    const uint8_t hsps[] = {0x42, 0x01, 0x01, 0x01, 0x60};
    const uint8_t hpps[] = {0x44, 0x01, 0xc0, 0x72};
    uint8_t ap[64];
    size_t n = 0;
    ap[n++] = 48 << 1; /* AP, layer 0 */
    ap[n++] = 0x01;    /* TID 1 */
    const uint8_t *sets[] = {vps, hsps, hpps};
    size_t lens[] = {sizeof vps, sizeof hsps, sizeof hpps};
    for (int i = 0; i < 3; i++) {
        ap[n++] = 0;
        ap[n++] = (uint8_t)lens[i];
        memcpy(ap + n, sets[i], lens[i]);
        n += lens[i];
    }
    assert_int_equal(push(&d, 65534, 3000, false, ap, n), 0);
    /* FU of an IDR_W_RADL (19): payload header type 49, FU header S/E + 19 */
    uint8_t f1[] = {49 << 1, 0x01, 0x80 | 19, 0xAA, 0xBB};
    uint8_t f2[] = {49 << 1, 0x01, 19, 0xCC};
    uint8_t f3[] = {49 << 1, 0x01, 0x40 | 19, 0xDD, 0xEE};
    assert_int_equal(push(&d, 65535, 3000, false, f1, sizeof f1), 0);
    assert_int_equal(push(&d, 0, 3000, false, f2, sizeof f2), 0); /* sequence wraps: no gap */
    assert_int_equal(push(&d, 1, 3000, true, f3, sizeof f3), 1);
    struct exp e = {0};
    exp_nal(&e, vps, sizeof vps);
    exp_nal(&e, hsps, sizeof hsps);
    exp_nal(&e, hpps, sizeof hpps);
    const uint8_t slice[] = {19 << 1, 0x01, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE};
    exp_nal(&e, slice, sizeof slice);
    expect_au(&d, &e, 3000, true);
    assert_int_equal(d.st.gaps, 0);
    /* a TRAIL_R (1) single NAL unit: not key */
    const uint8_t trail[] = {0x02, 0x01, 0xd0, 0x10};
    assert_int_equal(push(&d, 2, 6600, true, trail, sizeof trail), 1);
    struct exp t = {0};
    exp_nal(&t, trail, sizeof trail);
    expect_au(&d, &t, 6600, false);
    rtp_depack_free(&d);
}

static void test_h265_donl(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H265, PT, true);
    /* single NAL with DONL; FU start with DONL, end without */
    const uint8_t single[] = {0x40, 0x01, 0x00, 0x05, 0x0c, 0x01};
    uint8_t f1[] = {49 << 1, 0x01, 0x80 | 19, 0x00, 0x06, 0xAA};
    uint8_t f2[] = {49 << 1, 0x01, 0x40 | 19, 0xBB};
    assert_int_equal(push(&d, 10, 100, false, single, sizeof single), 0);
    assert_int_equal(push(&d, 11, 100, false, f1, sizeof f1), 0);
    assert_int_equal(push(&d, 12, 100, true, f2, sizeof f2), 1);
    struct exp e = {0};
    const uint8_t vps[] = {0x40, 0x01, 0x0c, 0x01};
    const uint8_t slice[] = {19 << 1, 0x01, 0xAA, 0xBB};
    exp_nal(&e, vps, sizeof vps);
    exp_nal(&e, slice, sizeof slice);
    expect_au(&d, &e, 100, true);
    rtp_depack_free(&d);
}

static void test_gap_drops_damaged_unit(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    uint8_t a[] = {0x7C, 0x85, 1, 2}; /* FU-A IDR start */
    uint8_t b[] = {0x7C, 0x05, 3, 4}; /* middle */
    uint8_t c[] = {0x7C, 0x45, 5, 6}; /* end */
    /* unit 1: the middle packet (seq 11) is lost */
    assert_int_equal(push(&d, 10, 1000, false, a, sizeof a), 0);
    assert_int_equal(push(&d, 12, 1000, true, c, sizeof c), 0);
    expect_none(&d);
    assert_int_equal(d.st.gaps, 1);
    assert_int_equal(d.st.lost, 1);
    assert_int_equal(d.st.dropped_aus, 1);
    /* unit 2 arrives whole: delivered */
    assert_int_equal(push(&d, 13, 4600, false, a, sizeof a), 0);
    assert_int_equal(push(&d, 14, 4600, false, b, sizeof b), 0);
    assert_int_equal(push(&d, 15, 4600, true, c, sizeof c), 1);
    struct exp e = {0};
    const uint8_t nal[] = {0x65, 1, 2, 3, 4, 5, 6};
    exp_nal(&e, nal, sizeof nal);
    expect_au(&d, &e, 4600, true);
    /* a gap across a unit boundary: the tail of unit 3 (its marker) and the
     * head of unit 4 are lost; both are dropped, unit 5 is delivered */
    assert_int_equal(push(&d, 16, 8200, false, a, sizeof a), 0);
    assert_int_equal(push(&d, 19, 11800, true, c, sizeof c), 0);
    assert_int_equal(d.st.dropped_aus, 3);
    assert_int_equal(push(&d, 20, 15400, true, pslice, sizeof pslice), 1);
    struct exp p = {0};
    exp_nal(&p, pslice, sizeof pslice);
    expect_au(&d, &p, 15400, false);
    /* a FU continuation whose start never came (no gap: the sender's fault) */
    assert_int_equal(push(&d, 21, 19000, true, c, sizeof c), 0);
    assert_int_equal(d.st.dropped_aus, 4);
    /* a late duplicate is ignored without damage */
    assert_int_equal(push(&d, 20, 15400, true, pslice, sizeof pslice), 0);
    assert_int_equal(d.st.late, 1);
    assert_int_equal(push(&d, 22, 22600, true, pslice, sizeof pslice), 1);
    struct exp q = {0};
    exp_nal(&q, pslice, sizeof pslice);
    expect_au(&d, &q, 22600, false);
    rtp_depack_free(&d);
}

static void test_timestamp_wrap_and_boundaries(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    /* no marker bits at all: a new timestamp ends the previous unit */
    assert_int_equal(push(&d, 1, 0xFFFFF000u, false, idr, sizeof idr), 0);
    assert_int_equal(push(&d, 2, 0x00000A00u, false, pslice, sizeof pslice), 1);
    struct exp e = {0};
    exp_nal(&e, idr, sizeof idr);
    expect_au(&d, &e, 0xFFFFF000LL, true);
    assert_int_equal(push(&d, 3, 0x00001600u, true, pslice, sizeof pslice), 2);
    struct exp p = {0};
    exp_nal(&p, pslice, sizeof pslice);
    expect_au(&d, &p, 0x100000A00LL, false);
    expect_au(&d, &p, 0x100001600LL, false);
    /* parameter sets with a timestamp (and marker) of their own lead the
     * next picture instead of becoming a unit alone */
    assert_int_equal(push(&d, 4, 0x00002000u, true, sps, sizeof sps), 0);
    assert_int_equal(push(&d, 5, 0x00002200u, false, pps, sizeof pps), 0);
    assert_int_equal(push(&d, 6, 0x00002400u, true, idr, sizeof idr), 1);
    struct exp k = {0};
    exp_nal(&k, sps, sizeof sps);
    exp_nal(&k, pps, sizeof pps);
    exp_nal(&k, idr, sizeof idr);
    expect_au(&d, &k, 0x100002400LL, true);
    /* flush ends an open unit */
    assert_int_equal(push(&d, 7, 0x00003000u, false, pslice, sizeof pslice), 0);
    rtp_depack_flush(&d);
    expect_au(&d, &p, 0x100003000LL, false);
    rtp_depack_free(&d);
}

static void test_bad_packets(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    uint8_t pkt[64];
    size_t n = rtp(pkt, 1, 100, true, pslice, sizeof pslice);
    assert_int_equal(rtp_depack_push(&d, pkt, 11), 0); /* shorter than a header */
    pkt[0] = 0x40;                                     /* version 1 */
    assert_int_equal(rtp_depack_push(&d, pkt, n), 0);
    pkt[0] = 0x8F; /* 15 CSRCs: more than the packet */
    assert_int_equal(rtp_depack_push(&d, pkt, n), 0);
    pkt[0] = 0x90; /* extension header longer than the packet */
    pkt[12] = 0; pkt[13] = 0; pkt[14] = 0x10; pkt[15] = 0;
    assert_int_equal(rtp_depack_push(&d, pkt, n), 0);
    n = rtp(pkt, 1, 100, true, pslice, sizeof pslice);
    pkt[0] = 0xA0; /* padding count larger than the payload */
    pkt[n - 1] = 60;
    assert_int_equal(rtp_depack_push(&d, pkt, n), 0);
    assert_int_equal(d.st.bad, 5);
    /* another payload type (e.g. a second track muxed in) is ignored */
    n = rtp(pkt, 1, 100, true, pslice, sizeof pslice);
    pkt[1] = 0x80 | 97;
    assert_int_equal(rtp_depack_push(&d, pkt, n), 0);
    assert_int_equal(d.st.other_pt, 1);
    /* a STAP-A whose size runs past the packet damages the unit */
    const uint8_t stap[] = {0x78, 0x00, 0x40, 0x67};
    assert_int_equal(push(&d, 2, 200, true, stap, sizeof stap), 0);
    assert_int_equal(d.st.dropped_aus, 1);
    /* a padded, extended packet with a CSRC parses */
    uint8_t q[64];
    size_t k = 0;
    q[k++] = 0xB1; /* V2, P, X, CC=1 */
    q[k++] = 0x80 | PT;
    q[k++] = 0; q[k++] = 3;
    q[k++] = 0; q[k++] = 0; q[k++] = 1; q[k++] = 0x2c;
    memset(q + k, 0x11, 4); k += 4;
    memset(q + k, 0x22, 4); k += 4;                       /* CSRC */
    q[k++] = 0xBE; q[k++] = 0xDE; q[k++] = 0; q[k++] = 1; /* extension, 1 word */
    memset(q + k, 0x33, 4); k += 4;
    memcpy(q + k, pslice, sizeof pslice); k += sizeof pslice;
    q[k++] = 0; q[k++] = 0; q[k++] = 3;                   /* 3 bytes of padding */
    assert_int_equal(rtp_depack_push(&d, q, k), 1);
    struct exp p = {0};
    exp_nal(&p, pslice, sizeof pslice);
    expect_au(&d, &p, 300, false);
    rtp_depack_free(&d);
}

static void test_sei_recovery_point_and_size_cap(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    const uint8_t sei[] = {0x06, 0x06, 0x01, 0xc4, 0x80}; /* payloadType 6 */
    assert_int_equal(push(&d, 1, 10, false, sei, sizeof sei), 0);
    assert_int_equal(push(&d, 2, 10, true, pslice, sizeof pslice), 1);
    struct exp e = {0};
    exp_nal(&e, sei, sizeof sei);
    exp_nal(&e, pslice, sizeof pslice);
    expect_au(&d, &e, 10, true);
    /* an access unit over the cap is dropped, not grown without end */
    d.max_au = 16;
    assert_int_equal(push(&d, 3, 20, false, idr, sizeof idr), 0);
    assert_int_equal(push(&d, 4, 20, true, idr, sizeof idr), 0);
    assert_int_equal(d.st.dropped_aus, 1);
    /* unsupported interleaved-mode packets damage their unit */
    const uint8_t fub[] = {0x1D, 0x85, 0, 0};
    assert_int_equal(push(&d, 5, 30, true, fub, sizeof fub), 0);
    assert_int_equal(d.st.unsupported, 1);
    rtp_depack_free(&d);
}

/* Many units of varying size: buffers grow and trim without leaks (ASan)
 * and the content is right each time. */
static void test_growth(void **state)
{
    (void)state;
    struct rtp_depack d;
    rtp_depack_init(&d, RTP_H264, PT, false);
    uint16_t seq = 0;
    static uint8_t nal[200000];
    for (int u = 0; u < 30; u++) {
        size_t size = u % 10 == 0 ? 150000 : 2000 + (size_t)u * 300;
        nal[0] = u % 10 == 0 ? 0x65 : 0x41;
        for (size_t i = 1; i < size; i++) nal[i] = (uint8_t)(i + (size_t)u);
        size_t pos = 1;
        while (pos < size) {
            size_t take = size - pos < 1400 ? size - pos : 1400;
            uint8_t fu[1402];
            fu[0] = (uint8_t)((nal[0] & 0xE0) | 28);
            fu[1] = (uint8_t)((pos == 1 ? 0x80 : 0) | (pos + take == size ? 0x40 : 0) | (nal[0] & 0x1F));
            memcpy(fu + 2, nal + pos, take);
            push(&d, seq++, (uint32_t)u * 3600, pos + take == size, fu, take + 2);
            pos += take;
        }
        AVPacket *pkt = av_packet_alloc();
        assert_true(rtp_depack_pop(&d, pkt));
        assert_int_equal(pkt->size, (int)size + 4);
        assert_memory_equal(pkt->data + 4, nal, size);
        assert_int_equal(!!(pkt->flags & AV_PKT_FLAG_KEY), u % 10 == 0);
        /* trimmed: no more than the slack we allow */
        assert_true((size_t)pkt->buf->size <= size + 4 + AV_INPUT_BUFFER_PADDING_SIZE + 4096);
        av_packet_free(&pkt);
    }
    assert_int_equal(d.st.dropped_aus, 0);
    rtp_depack_free(&d);
}

/* ---- reorder.c ----------------------------------------------------------- */

/* x264 -bf 2 in decode order: I0 P3 B1 B2 P6 B4 B5 ... (depth 1). */
static int64_t bf_pts(int64_t i)
{
    static const int64_t cycle[3] = {3, 1, 2};
    return i == 0 ? 0 : (i - 1) / 3 * 3 + cycle[(i - 1) % 3];
}

/* Runs n frames through r; checks dts strictly increases and pts >= dts;
 * returns how many frames kept their camera pts. */
static int run_reorder(struct reorder *r, int n, int64_t (*pts_of)(int64_t))
{
    AVPacket *p = av_packet_alloc();
    int64_t last = INT64_MIN;
    int kept = 0;
    for (int i = 0; i < n; i++) {
        p->pts = pts_of(i) * 3600;
        p->dts = AV_NOPTS_VALUE;
        reorder_apply(r, p);
        assert_true(p->dts > last);
        assert_true(p->pts >= p->dts);
        last = p->dts;
        kept += p->pts == pts_of(i) * 3600;
    }
    av_packet_free(&p);
    return kept;
}

static void test_reorder_depth_from_sps(void **state)
{
    (void)state;
    struct reorder r;
    reorder_init(&r, 1, 3600, "t");
    assert_int_equal(run_reorder(&r, 300, bf_pts), 300); /* every pts as sent */
    assert_int_equal(r.corrections, 0);
    assert_int_equal(r.depth, 1);
}

/* No depth in the SPS: the first reordered frame shows it; at most a couple
 * of frames get a corrected pts, none is dropped, the rest are as sent. */
static void test_reorder_depth_learnt(void **state)
{
    (void)state;
    struct reorder r;
    reorder_init(&r, 0, 3600, "t");
    int kept = run_reorder(&r, 300, bf_pts);
    assert_int_equal(r.depth, 1);
    assert_true(r.corrections >= 1 && r.corrections <= 3);
    assert_int_equal(kept, 300 - r.corrections);
}

/* A camera whose clock goes back 10 s (a reboot): the stream continues one
 * frame after its latest time, counted as a jump. */
static int64_t jump_pts(int64_t i) { return i < 100 ? bf_pts(i) : bf_pts(i) - 250; }

static void test_reorder_backward_jump(void **state)
{
    (void)state;
    struct reorder r;
    reorder_init(&r, 1, 3600, "t");
    run_reorder(&r, 300, jump_pts);
    assert_int_equal(r.jumps, 1);
    assert_int_equal(r.depth, 1);
    assert_true(r.corrections <= 2);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Receiver reports (RFC 3550 6.4.2): one packet of ten lost, then the
 * sender report's time comes back with the delay since it, and a sequence
 * wrap is counted in the extended highest number, not as a loss. */
static void test_rtcp_receiver_report(void **state)
{
    (void)state;
    struct rtcp_rx r;
    rtcp_rx_init(&r, 0xabcdef01, 90000);
    uint8_t pkt[64], out[128];
    const uint8_t pl[] = {0x41, 0x9a};
    size_t n = rtcp_rx_report(&r, "wardwatch", 0, out, sizeof out);
    assert_int_equal(n, 8 + 20);                 /* no packet yet: an empty RR + SDES */
    assert_int_equal(out[0], 0x80);
    assert_int_equal(out[1], 201);
    int64_t t = 1000000;
    for (uint16_t seq = 100; seq < 110; seq++, t += 40000)
        if (seq != 105) rtcp_rx_rtp(&r, pkt, rtp(pkt, seq, 3600u * seq, true, pl, sizeof pl), t);
    /* an SR: NTP seconds 0x00001234, fraction 0x56780000 → LSR 0x12345678 */
    uint8_t sr[28] = {0x80, 200, 0, 6, 0x11, 0x11, 0x11, 0x11, 0, 0, 0x12, 0x34, 0x56, 0x78, 0, 0};
    rtcp_rx_rtcp(&r, sr, sizeof sr, 2000000);
    n = rtcp_rx_report(&r, "wardwatch", 2500000, out, sizeof out);
    assert_int_equal(n, 32 + 20);
    assert_int_equal(out[0], 0x81);              /* one report block */
    assert_int_equal(out[1], 201);
    assert_int_equal(out[3], 7);                 /* 8 words */
    assert_int_equal(rd32(out + 4), 0xabcdef01);
    assert_int_equal(rd32(out + 8), 0x11111111); /* the camera's SSRC */
    assert_int_equal(out[12], 25);               /* 1 of 10: 256/10 */
    assert_int_equal(rd32(out + 12) & 0xffffff, 1);
    assert_int_equal(rd32(out + 16), 109);
    assert_int_equal(rd32(out + 24), 0x12345678);
    assert_int_equal(rd32(out + 28), 32768);     /* 0.5 s in 1/65536 s */
    assert_int_equal(out[32 + 1], 202);          /* SDES */
    assert_int_equal(out[32 + 8], 1);            /* CNAME */
    assert_memory_equal(out + 32 + 10, "wardwatch", 9);
    /* the wrap: 65530 → 5, nothing lost, the fraction of this interval 0 */
    rtcp_rx_init(&r, 1, 90000);
    for (uint32_t k = 0; k < 12; k++) {
        uint16_t seq = (uint16_t)(65530 + k);
        rtcp_rx_rtp(&r, pkt, rtp(pkt, seq, 3600u * k, true, pl, sizeof pl), t += 40000);
    }
    assert_int_equal(rtcp_rx_ext_max(&r), 65536 + 5);
    assert_int_equal(rtcp_rx_lost(&r), 0);
    n = rtcp_rx_report(&r, "x", t, out, sizeof out);
    assert_int_equal(out[12], 0);
    assert_int_equal(rd32(out + 12) & 0xffffff, 0);
    /* packets that arrive exactly on time: no jitter */
    assert_true(rd32(out + 20) < 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h264_single_nal),
        cmocka_unit_test(test_reorder_depth_from_sps),
        cmocka_unit_test(test_reorder_depth_learnt),
        cmocka_unit_test(test_reorder_backward_jump),
        cmocka_unit_test(test_h264_stap_a_and_fu_a),
        cmocka_unit_test(test_h264_fu_a_non_key),
        cmocka_unit_test(test_h265_ap_and_fu),
        cmocka_unit_test(test_h265_donl),
        cmocka_unit_test(test_gap_drops_damaged_unit),
        cmocka_unit_test(test_timestamp_wrap_and_boundaries),
        cmocka_unit_test(test_bad_packets),
        cmocka_unit_test(test_sei_recovery_point_and_size_cap),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_rtcp_receiver_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
