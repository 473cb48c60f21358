/*
 * rtcp.c — the receiver's side of RTCP (RFC 3550 §6.4.2, appendix A.3 and
 * A.8): what a receiver report says about one RTP source — the extended
 * highest sequence number, packets lost (cumulative and the fraction since
 * the last report), interarrival jitter, and the last sender report's time
 * with the delay since — and the report itself, RR + SDES CNAME as one
 * compound packet.
 *
 * Why: some cameras end a session whose client sends no receiver reports
 * (issue 12 item 3), whatever keep-alives it sends; and the fields are the
 * ones a camera's own diagnostics show.
 *
 * Pure state and bytes (no I/O); one struct rtcp_rx per stream, used by the
 * stream's ingest thread only.
 */
#include "ingest/internal.h"

#include <assert.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void rtcp_rx_init(struct rtcp_rx *r, uint32_t our_ssrc, int clock)
{
    *r = (struct rtcp_rx){.our_ssrc = our_ssrc, .clock = clock > 0 ? clock : 90000};
}

/* A new sender (SSRC): its counters start afresh (A.1's init_seq). */
static void restart(struct rtcp_rx *r, uint32_t ssrc, uint16_t seq)
{
    r->ssrc = ssrc;
    r->have_src = true;
    r->max_seq = seq;
    r->base_seq = seq;
    r->cycles = 0;
    r->received = r->expected_prior = r->received_prior = 0;
    r->have_transit = false;
    r->jitter = 0;
}

void rtcp_rx_rtp(struct rtcp_rx *r, const uint8_t *p, size_t n, int64_t now_us)
{
    if (n < 12 || (p[0] >> 6) != 2) return;
    uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
    uint32_t ts = be32(p + 4), ssrc = be32(p + 8);
    if (!r->have_src || ssrc != r->ssrc) restart(r, ssrc, seq);
    uint16_t delta = (uint16_t)(seq - r->max_seq);
    if (delta && delta < 0x8000) { /* in order, maybe after a gap */
        if (seq < r->max_seq) r->cycles += 65536;
        r->max_seq = seq;
    } else if (delta >= 0x8000 && (uint16_t)(r->max_seq - seq) > 3000) {
        restart(r, ssrc, seq); /* a jump far back: the sender restarted its counter */
    }
    r->received++;
    /* A.8: the transit time's change, in RTP clock units (arrival counted
     * from the first packet, so the product stays far inside 64 bits) */
    if (!r->t0_us) r->t0_us = now_us;
    int64_t arrival = (now_us - r->t0_us) * r->clock / 1000000;
    int64_t transit = arrival - (int64_t)ts;
    if (r->have_transit) {
        int64_t d = transit - r->transit;
        if (d < 0) d = -d;
        if (d < (int64_t)r->clock * 10) r->jitter += ((double)d - r->jitter) / 16.0; /* a wrap is no jitter */
    }
    r->transit = transit;
    r->have_transit = true;
}

void rtcp_rx_rtcp(struct rtcp_rx *r, const uint8_t *p, size_t n, int64_t now_us)
{
    /* a compound packet: walk it, take the sender report's NTP time */
    while (n >= 8 && (p[0] >> 6) == 2) {
        size_t len = ((size_t)(p[2] << 8 | p[3]) + 1) * 4;
        if (len > n) return;
        if (p[1] == 200 && len >= 28) { /* SR: SSRC, NTP (64 bits), RTP ts, counts */
            r->lsr = (be32(p + 8) << 16) | (be32(p + 12) >> 16);
            r->lsr_at_us = now_us;
            r->srs++;
        }
        p += len;
        n -= len;
    }
}

uint32_t rtcp_rx_ext_max(const struct rtcp_rx *r) { return r->cycles + r->max_seq; }

int64_t rtcp_rx_lost(const struct rtcp_rx *r)
{
    if (!r->have_src) return 0;
    int64_t expected = (int64_t)rtcp_rx_ext_max(r) - r->base_seq + 1;
    return expected - r->received;
}

size_t rtcp_rx_report(struct rtcp_rx *r, const char *cname, int64_t now_us, uint8_t *out, size_t cap)
{
    size_t cn = strlen(cname);
    if (cn > 255) cn = 255;
    size_t sdes = 4 + 4 + 2 + cn + 1;   /* header, SSRC, CNAME item, END */
    sdes = (sdes + 3) & ~(size_t)3;     /* padded with more zeros (END) */
    size_t rr = r->have_src ? 32 : 8;   /* with one report block, or none yet */
    if (cap < rr + sdes) return 0;
    memset(out, 0, rr + sdes);
    out[0] = (uint8_t)(0x80 | (r->have_src ? 1 : 0));
    out[1] = 201;
    out[2] = 0;
    out[3] = (uint8_t)(rr / 4 - 1);
    put32(out + 4, r->our_ssrc);
    if (r->have_src) {
        uint8_t *b = out + 8;
        put32(b, r->ssrc);
        int64_t expected = (int64_t)rtcp_rx_ext_max(r) - r->base_seq + 1;
        int64_t lost = expected - r->received;
        int64_t exp_int = expected - r->expected_prior, rec_int = r->received - r->received_prior;
        r->expected_prior = expected;
        r->received_prior = r->received;
        int64_t lost_int = exp_int - rec_int;
        uint8_t fraction = exp_int > 0 && lost_int > 0 ? (uint8_t)((lost_int << 8) / exp_int) : 0;
        if (lost > 0x7fffff) lost = 0x7fffff; /* 24-bit signed field */
        if (lost < -0x800000) lost = -0x800000;
        put32(b + 4, (uint32_t)fraction << 24 | ((uint32_t)lost & 0xffffff));
        put32(b + 8, rtcp_rx_ext_max(r));
        put32(b + 12, (uint32_t)r->jitter);
        put32(b + 16, r->lsr);
        /* delay since that SR, in 1/65536 s */
        put32(b + 20, r->lsr_at_us ? (uint32_t)((now_us - r->lsr_at_us) * 65536 / 1000000) : 0);
    }
    uint8_t *s = out + rr;
    s[0] = 0x81;
    s[1] = 202;
    s[3] = (uint8_t)(sdes / 4 - 1);
    put32(s + 4, r->our_ssrc);
    s[8] = 1; /* CNAME */
    s[9] = (uint8_t)cn;
    memcpy(s + 10, cname, cn);
    r->reports++;
    assert(((rr + sdes) & 3) == 0);
    return rr + sdes;
}
